package reports

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestJSONGolden(t *testing.T) {
	golden(t, "report.json", render(t, &JSONFormatter{}, sampleReport()))
}

func TestJSONRoundTrip(t *testing.T) {
	in := sampleReport()
	out := render(t, &JSONFormatter{}, in)
	back, err := ReadJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	// Re-rendering what was read gives the same document.
	if again := render(t, &JSONFormatter{}, back); again != out {
		t.Fatalf("JSON → ReadJSON → JSON changed the document:\n%s", again)
	}
	if back.Topology == nil || len(back.Topology.Nodes) != len(in.Topology.Nodes) {
		t.Fatal("topology lost in the round trip")
	}
	if !reflect.DeepEqual(back.Summary, in.Summary) {
		t.Fatalf("summary = %+v, want %+v", back.Summary, in.Summary)
	}
}

func TestJSONNoNullCollections(t *testing.T) {
	out := render(t, &JSONFormatter{}, &Report{Tool: Tool{Name: ToolName}})
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"results", "warnings", "rules"} {
		if m[k] == nil {
			t.Errorf("%s is null in an empty report", k)
		}
	}
	if _, ok := m["topology"]; ok {
		t.Error("topology written although nil")
	}
}

func TestJSONIndentedAndStable(t *testing.T) {
	a := render(t, &JSONFormatter{}, sampleReport())
	b := render(t, &JSONFormatter{}, sampleReport())
	if a != b {
		t.Fatal("two renders differ")
	}
	if !strings.HasPrefix(a, "{\n  \"tool\": {") {
		t.Fatalf("not indented by two spaces: %.40q", a)
	}
	if !strings.Contains(a, `"node": "WRK<script>`) {
		t.Fatal("JSON escapes HTML characters; keep them readable")
	}
}

func TestReadJSONErrors(t *testing.T) {
	cases := map[string]string{
		"":                              "empty",
		"[1,2]":                         "not a JSON object",
		`{"version":"2.1.0","runs":[]}`: "SARIF",
		`{"results":[]}`:                `no "tool" field`,
		`{"tool":{"name":"trivy"}}`:     `tool.name is "trivy", want "ssis-ha-lint"`,
		`{"tool":{"name":"ssis-ha-lint"},"results":[{"rule":"X","status":"bad"}]}`: `status "bad"`,
		`{"tool":{"name":"ssis-ha-lint"},"results":[{"status":"pass"}]}`:           "no rule id",
	}
	for in, want := range cases {
		_, err := ReadJSON(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadJSON(%q) error = %v, want it to mention %q", in, err, want)
		}
	}
}

func TestSecretsStayRedacted(t *testing.T) {
	// A message with an already-redacted password stays as it is in every
	// format, and no format adds secret material of its own.
	r := sampleReport()
	for _, name := range Names() {
		f, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := f.Write(&b, r); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if name == "markdown" {
			out = strings.ReplaceAll(out, `\*`, "*") // Markdown escapes
		}
		low := strings.ToLower(out)
		for i := strings.Index(low, "password="); i >= 0; {
			if !strings.HasPrefix(low[i:], "password=***") {
				t.Errorf("%s: a password value other than *** appears: %.40q", name, out[i:])
			}
			j := strings.Index(low[i+1:], "password=")
			if j < 0 {
				break
			}
			i += 1 + j
		}
		if !strings.Contains(out, "Password=***") {
			t.Errorf("%s: the redacted message was altered", name)
		}
	}
}
