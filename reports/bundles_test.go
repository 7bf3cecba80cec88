package reports_test

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies/scan"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies/waivers"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

var (
	engineOnce sync.Once
	engine     *policies.Engine
	engineErr  error
)

func loadEngine(t *testing.T) *policies.Engine {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = policies.Load(context.Background()) })
	if engineErr != nil {
		t.Fatalf("load the embedded policies: %v", engineErr)
	}
	return engine
}

// TestSARIFGitHubRulesEveryBundle renders the SARIF of every bundle under
// testdata/bundles through the scan pipeline, with the default options,
// with --sarif-include-waived and a waiver file, and with an inventory
// anchor, and checks GitHub's ingestion rules on each (CheckGitHubSARIF).
func TestSARIFGitHubRulesEveryBundle(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	waiverFile := filepath.Join(root, "reports", "testdata", "sarif-waivers.yaml")
	t.Chdir(root) // bundle paths and SARIF URIs relative to the repository
	dirs, err := filepath.Glob(filepath.Join("testdata", "bundles", "*", "bundle.json"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no bundles under testdata/bundles (%v)", err)
	}
	wv, err := waivers.Load(waiverFile)
	if err != nil {
		t.Fatal(err)
	}
	eng := loadEngine(t)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	waivedSomewhere := false
	for _, bj := range dirs {
		bundle := filepath.ToSlash(filepath.Dir(bj))
		t.Run(filepath.Base(bundle), func(t *testing.T) {
			scanOnce := func(w *waivers.File) *reports.Report {
				rep, _, err := scan.Run(context.Background(), eng, scan.Options{
					Bundle: bundle, FailOn: "medium", Now: now, ToolVersion: "0.1.0", Waivers: w,
				})
				if err != nil {
					t.Fatalf("scan: %v", err)
				}
				return rep
			}
			plain, waived := scanOnce(nil), scanOnce(wv)
			if waived.Summary.Waived > 0 {
				waivedSomewhere = true
			}
			for _, c := range []struct {
				name string
				rep  *reports.Report
				f    *reports.SARIFFormatter
			}{
				{"default", plain, &reports.SARIFFormatter{}},
				{"include-waived", waived, &reports.SARIFFormatter{IncludeWaived: true}},
				{"waived-left-out", waived, &reports.SARIFFormatter{}},
				{"omit-unknown", plain, &reports.SARIFFormatter{OmitUnknown: true}},
				{"anchor", plain, &reports.SARIFFormatter{Anchor: &reports.SARIFAnchor{
					Path: filepath.Join(root, "testdata", "inventory", "prod etl.yaml"), Lines: map[string]int{"SQLN1": 5, "SQLN2": 9}}}},
			} {
				var b bytes.Buffer
				if err := c.f.Write(&b, c.rep); err != nil {
					t.Fatalf("%s: write SARIF: %v", c.name, err)
				}
				t.Run(c.name, func(t *testing.T) {
					reports.CheckGitHubSARIF(t, b.String(), reports.SARIFWant{Report: c.rep, IncludeWaived: c.f.IncludeWaived, OmitUnknown: c.f.OmitUnknown})
				})
			}
		})
	}
	if !waivedSomewhere {
		t.Errorf("the waiver file %s waived nothing: no bundle exercised --sarif-include-waived", waiverFile)
	}
}
