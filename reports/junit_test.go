package reports

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestJUnitGolden(t *testing.T) {
	golden(t, "report.junit.xml", render(t, &JUnitFormatter{}, sampleReport()))
}

func TestJUnitParsesBack(t *testing.T) {
	r := sampleReport()
	tricky := "bad \x01 char & <tag> \"quoted\" ]]> end"
	r.Results[3].Message = tricky // a fail: goes into CDATA and an attribute
	r.Results[0].Message = tricky // an unknown: goes into system-out
	out := render(t, &JUnitFormatter{}, r)
	var doc junitSuites
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("JUnit output is not valid XML: %v\n%s", err, out)
	}
	if doc.Tests != len(r.Results) {
		t.Errorf("tests = %d, want %d (passes included)", doc.Tests, len(r.Results))
	}
	if doc.Failures != r.Summary.Fail || doc.Skipped != r.Summary.Unknown+r.Summary.Waived || doc.Errors != 0 {
		t.Errorf("counts tests=%d failures=%d skipped=%d", doc.Tests, doc.Failures, doc.Skipped)
	}
	var names []string
	sum := 0
	for _, s := range doc.Suites {
		names = append(names, s.Name)
		if s.Tests != len(s.Cases) {
			t.Errorf("suite %s: tests=%d but %d cases", s.Name, s.Tests, len(s.Cases))
		}
		f, sk := 0, 0
		for _, c := range s.Cases {
			if c.Failure != nil {
				f++
				if !strings.Contains(c.Failure.Text, "observed:") || !strings.Contains(c.Failure.Message, "https://learn.microsoft.com/") {
					t.Errorf("%s: failure lacks observed/doc link: %+v", c.Name, c.Failure)
				}
			}
			if c.Skipped != nil {
				sk++
			}
		}
		if f != s.Failures || sk != s.Skipped {
			t.Errorf("suite %s: attribute counts %d/%d, cases %d/%d", s.Name, s.Failures, s.Skipped, f, sk)
		}
		sum += s.Tests
	}
	if got := strings.Join(names, ","); got != "AG,CAT,LOG,MASTER,WRK" {
		t.Errorf("suites = %s", got)
	}
	if sum != doc.Tests {
		t.Errorf("suite tests sum %d, total %d", sum, doc.Tests)
	}
	if !strings.Contains(out, `<skipped message="unknown: sql/SQLN3/dm_hadr_database_replica_states: permission denied">`) &&
		!strings.Contains(out, `<skipped message="unknown: nodes/SQLN3/netsh_sslcert.txt: node unreachable (WinRM timeout)">`) {
		t.Error("unknown results are not skipped with the reason")
	}
	if !strings.Contains(out, `waived: second worker is being rebuilt (owner dba-team@contoso.com, expires 2027-03-31)`) {
		t.Error("waived result lacks the waiver")
	}
	if !strings.Contains(out, `name="WRK-MASTER-THUMBPRINT: WRK&lt;script&gt;`) {
		t.Error("the crafted node name is not escaped in the attribute")
	}
	found := 0
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil && strings.Contains(c.Failure.Text, "bad \uFFFD char & <tag> \"quoted\" ]]> end") {
				found++
			}
			if c.Failure != nil && strings.Contains(c.Failure.Text, "subject: "+evilNode+" ") {
				found++
			}
		}
	}
	if found != 2 {
		t.Errorf("CDATA text did not round-trip (%d of 2)", found)
	}
}

func TestFamily(t *testing.T) {
	for id, want := range map[string]string{
		"MASTER-CERT-SAME-ALL-NODES": "MASTER", "WRK-HA-MIN-COUNT": "WRK", "CONFIG-PARSE": "CONFIG", "X": "X",
	} {
		if got := Family(id, RuleMeta{}); got != want {
			t.Errorf("Family(%s) = %s", id, got)
		}
	}
	if got := Family("WRK-X", RuleMeta{Family: "workers"}); got != "WORKERS" {
		t.Errorf("RuleMeta.Family not used: %s", got)
	}
}
