package reports

import (
	"strings"
	"testing"
)

func TestMarkdownGolden(t *testing.T) {
	golden(t, "report.md", render(t, &MarkdownFormatter{}, sampleReport()))
}

func TestMarkdownEscaping(t *testing.T) {
	out := render(t, &MarkdownFormatter{}, sampleReport())
	if strings.Contains(out, "<script>") || strings.Contains(out, "<b>") {
		t.Error("raw markup from a node name or message reached the Markdown")
	}
	if !strings.Contains(out, `WRK\<script\>alert("x")\</script\>`) {
		t.Error("the crafted node name is not escaped as expected")
	}
	// Every table row has the same number of unescaped '|' as its header.
	var cols int
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		n := strings.Count(line, "|") - strings.Count(line, `\|`)
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("table row with %d cells, header has %d: %s", n, cols, line)
		}
	}
	for _, want := range []string{"| critical | 4 | 1 | 0 |", "| **total** | **5** | **2** | **1** |", "`import-master-cert`", "PARTIAL COLLECTION", "### Unknown", "### Waived", "### Warnings"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func TestMdLink(t *testing.T) {
	if got := mdLink("HA §3", "javascript:alert(1)"); got != "HA §3" {
		t.Errorf("non-http link kept: %s", got)
	}
	if got := mdLink("x", "https://example.com/a b)(\"<>"); got != "[x](https://example.com/a%20b%29%28%22%3C%3E)" {
		t.Errorf("link not made safe: %s", got)
	}
}
