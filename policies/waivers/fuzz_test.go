package waivers

import (
	"strings"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// FuzzParse: any waiver file parses into complete waivers or gives an error
// naming the file; applying the waivers never panics.
func FuzzParse(f *testing.F) {
	f.Add([]byte("waivers:\n  - rule: WRK-HA-MIN-COUNT\n    deployment: dev-etl\n    node: WRK1\n    reason: dev runs on one worker\n    owner: dba@contoso.com\n    expires: 2027-03-31\n"))
	f.Add([]byte("waivers:\n  - rule: X\n    reason: r\n    expires: 2027-02-30\n"))
	f.Add([]byte("waivers: [{rule: A, reason: b, expires: 2027-01-01, object: o}]\n"))
	f.Add([]byte("waivers:\n  - &a {rule: A, reason: b, expires: 2027-01-01}\n  - *a\n"))
	f.Add([]byte("a: &a [x, x]\nb: &b [*a, *a, *a]\nwaivers: [*b]\n"))
	f.Add([]byte("waivers: {}\n"))
	f.Add([]byte("---\n...\n"))
	f.Add([]byte(""))
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, w := range file.Waivers {
			if w.Rule == "" || strings.TrimSpace(w.Reason) == "" || w.expires.IsZero() {
				t.Fatalf("incomplete waiver accepted: %+v", w)
			}
		}
		results := []reports.Result{
			{Rule: "WRK-HA-MIN-COUNT", Status: reports.StatusFail, Subject: reports.Subject{Kind: "worker", Node: "WRK1", Object: "worker:WRK1"}},
			{Rule: "A", Status: reports.StatusPass, Subject: reports.Subject{Kind: "deployment"}},
			{Rule: "X", Status: reports.StatusUnknown},
		}
		file.Apply("dev-etl", results, now)
		var nilFile *File
		nilFile.Apply("dev-etl", results, now)
	})
}
