package waivers

import (
	"strings"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"missing reason", "waivers:\n  - rule: WRK-HA-MIN-COUNT\n    expires: 2027-03-31\n", "missing reason"},
		{"missing expires", "waivers:\n  - rule: WRK-HA-MIN-COUNT\n    reason: dev\n", "missing expires"},
		{"missing rule", "waivers:\n  - reason: dev\n    expires: 2027-03-31\n", "missing rule"},
		{"bad date", "waivers:\n  - rule: X\n    reason: r\n    expires: next year\n", `expires "next year"`},
		{"unknown key", "waivers:\n  - rule: X\n    reason: r\n    expires: 2027-01-01\n    nodes: [A]\n", `unknown key "nodes"`},
		{"unknown top key", "waiver:\n  - rule: X\n", "field waiver not found"},
		{"not yaml", "waivers: [\n", "w.yaml"},
		{"empty", "", "empty waiver file"},
		{"line number", "waivers:\n  - rule: A\n    reason: r\n    expires: 2027-01-01\n  - rule: B\n    expires: 2027-01-01\n", "w.yaml:5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("w.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "w.yaml") {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

func TestApply(t *testing.T) {
	f, err := Parse("w.yaml", []byte(`waivers:
  - rule: WRK-HA-MIN-COUNT
    deployment: dev-etl
    reason: dev runs on one worker by design
    owner: dba-team@contoso.com
    expires: 2027-03-31
  - rule: MASTER-FIREWALL
    node: sqln2
    reason: firewall managed by GPO
    expires: 2026-01-01
  - rule: AG-LISTENER
    reason: nothing matches this
    expires: 2027-03-31
`))
	if err != nil {
		t.Fatal(err)
	}
	results := []reports.Result{
		{Rule: "WRK-HA-MIN-COUNT", Status: reports.StatusFail, Subject: reports.Subject{Kind: "deployment"}},
		{Rule: "MASTER-FIREWALL", Status: reports.StatusFail, Subject: reports.Subject{Kind: "node", Node: "SQLN2"}},
		{Rule: "MASTER-FIREWALL", Status: reports.StatusFail, Subject: reports.Subject{Kind: "node", Node: "SQLN1"}},
		{Rule: "AG-LISTENER", Status: reports.StatusPass},
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	warnings := f.Apply("dev-etl", results, now)

	if results[0].Status != reports.StatusWaived || results[0].Waiver == nil || results[0].Waiver.Owner != "dba-team@contoso.com" {
		t.Errorf("WRK-HA-MIN-COUNT not waived: %+v", results[0])
	}
	if results[1].Status != reports.StatusFail || results[1].Waiver == nil || !results[1].Waiver.Expired {
		t.Errorf("expired waiver must not waive, and must say so: %+v", results[1])
	}
	if results[2].Waiver != nil || results[2].Status != reports.StatusFail {
		t.Errorf("waiver for SQLN2 applied to SQLN1: %+v", results[2])
	}
	if results[3].Status != reports.StatusPass || results[3].Waiver != nil {
		t.Errorf("a passing result must not be waived: %+v", results[3])
	}
	joined := strings.Join(warnings, "\n")
	if !strings.Contains(joined, "MASTER-FIREWALL expired on 2026-01-01") {
		t.Errorf("no expiry warning: %q", joined)
	}
	if !strings.Contains(joined, "AG-LISTENER matched no failing result") {
		t.Errorf("no stale warning: %q", joined)
	}
	if len(warnings) != 2 {
		t.Errorf("want 2 warnings, got %d: %q", len(warnings), joined)
	}

	// Another deployment: the first waiver does not apply and is stale.
	again := []reports.Result{{Rule: "WRK-HA-MIN-COUNT", Status: reports.StatusFail}}
	w := f.Apply("prod-etl", again, now)
	if again[0].Status != reports.StatusFail {
		t.Errorf("waiver for dev-etl applied to prod-etl")
	}
	if !strings.Contains(strings.Join(w, "\n"), "WRK-HA-MIN-COUNT (deployment dev-etl) matched no failing result") {
		t.Errorf("stale warning missing: %q", w)
	}
}

func TestExpiryIsInclusive(t *testing.T) {
	f, err := Parse("w.yaml", []byte("waivers:\n  - rule: X\n    reason: r\n    expires: 2026-11-27\n"))
	if err != nil {
		t.Fatal(err)
	}
	rs := []reports.Result{{Rule: "X", Status: reports.StatusFail}}
	f.Apply("d", rs, time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC))
	if rs[0].Status != reports.StatusWaived {
		t.Errorf("a waiver is valid through its expiry day")
	}
}

func TestNilFileApplies(t *testing.T) {
	var f *File
	if w := f.Apply("d", nil, time.Now()); w != nil {
		t.Errorf("nil file: %v", w)
	}
}
