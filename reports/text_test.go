package reports

import (
	"strings"
	"testing"
)

func TestTextGolden(t *testing.T) {
	r := sampleReport()
	golden(t, "text.golden", render(t, &TextFormatter{}, r))
	golden(t, "text-color.golden", render(t, &TextFormatter{Color: true}, r))
	golden(t, "text-quiet.golden", render(t, &TextFormatter{Quiet: true}, r))
}

func TestTextSummaryLine(t *testing.T) {
	r := sampleReport()
	r.Summary = Summary{Fail: 4, Unknown: 2, Pass: 51, Waived: 1}
	r.ExitCode = 1
	got := render(t, &TextFormatter{Quiet: true}, r)
	if want := "4 failed, 2 unknown, 51 passed, 1 waived — exit 1\n"; got != want {
		t.Fatalf("quiet output = %q, want %q", got, want)
	}
}

func TestTextNoColorUnlessAsked(t *testing.T) {
	out := render(t, &TextFormatter{}, sampleReport())
	if strings.Contains(out, "\x1b[") {
		t.Fatal("plain text output contains an ANSI escape")
	}
	if !strings.Contains(render(t, &TextFormatter{Color: true}, sampleReport()), "\x1b[") {
		t.Fatal("Color: true produced no colour")
	}
}

func TestTextContent(t *testing.T) {
	out := render(t, &TextFormatter{}, sampleReport())
	for _, want := range []string{
		"PARTIAL COLLECTION",
		"node SQLN3 was not collected",
		"SQLN2 MasterSettings.config/SSLCertThumbprint",
		`observed "9F1E0A", expected "3C2A77"`,
		"fix import-master-cert",
		"missing: nodes/SQLN3/netsh_sslcert.txt: node unreachable",
		"waived: second worker is being rebuilt (owner dba-team@contoso.com, expires 2027-03-31)",
		"waiver EXPIRED 2026-11-01",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q", want)
		}
	}
	// Severity order: CRITICAL before HIGH in the failures.
	if strings.Index(out, "\nCRITICAL\n") > strings.Index(out, "\nHIGH\n") {
		t.Error("CRITICAL group printed after HIGH")
	}
	// Passing results are not listed.
	if strings.Contains(out, "WRK1 MasterEndpoint is") {
		t.Error("a passing result is listed")
	}
}

func TestTextEscapesControlCharacters(t *testing.T) {
	r := sampleReport()
	r.Results[4].Subject.Node = "SQLN2\x1b]0;pwned\x07\nFAKE"
	out := render(t, &TextFormatter{}, r)
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Fatal("a control character from a node name reached the terminal")
	}
	if !strings.Contains(out, `SQLN2\x1b]0;pwned\x07\nFAKE`) {
		t.Fatal("the escaped node name is missing")
	}
}
