package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies/scan"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// -update rewrites testdata/golden/* instead of comparing. Regenerate after
// a rule change with
//
//	go test ./cmd/ssis-ha-lint -run Golden -update
//
// and read the diff before committing it. The flag is only registered when
// no other test file of the package defined it.
var _ = func() bool {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/golden")
	}
	return true
}()

func goldenUpdating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// Fixed inputs of the golden reports: no wall clock, no build version, no
// digest of the policy sources (it changes with every edit of a .rego file
// and is covered by the policies tests).
const (
	goldenToolVersion = "0.1.0"
	goldenPolicyPin   = "sha256:golden"
)

var goldenNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// goldenBundles are rendered in every format.
var goldenBundles = []string{"healthy-ag", "cert-renewed-one-node", "missing-certs"}

// goldenExt is each format's golden file extension.
var goldenExt = map[string]string{
	"text": "txt", "json": "json", "sarif": "sarif", "junit": "junit.xml", "markdown": "md", "html": "html",
}

var (
	goldenEngOnce sync.Once
	goldenEng     *policies.Engine
	goldenEngErr  error
)

func goldenEngine(t *testing.T) *policies.Engine {
	t.Helper()
	goldenEngOnce.Do(func() { goldenEng, goldenEngErr = policies.Load(context.Background()) })
	if goldenEngErr != nil {
		t.Fatalf("load the embedded policies: %v", goldenEngErr)
	}
	return goldenEng
}

// goldenChdir moves to the repository root so that bundle paths (and the
// SARIF URIs made from them) are repository-relative, as in CI.
func goldenChdir(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Clean(filepath.Join(wd, "..", ".."))
	t.Chdir(root)
	return root
}

// goldenScan runs the real pipeline (bundle → facts → Rego → report) on a
// testdata bundle.
func goldenScan(t *testing.T, bundle, profile, target string) *reports.Report {
	t.Helper()
	rep, _, err := scan.Run(context.Background(), goldenEngine(t), scan.Options{
		Bundle:        "testdata/bundles/" + bundle,
		Profile:       profile,
		TargetVersion: target,
		FailOn:        "medium",
		Now:           goldenNow,
		ToolVersion:   goldenToolVersion,
	})
	if err != nil {
		t.Fatalf("scan %s: %v", bundle, err)
	}
	rep.Tool.PolicyBundle = goldenPolicyPin
	return rep
}

// goldenRender renders a report with reports.New(format).Write, the CLI's
// path for --format/--output (no colour: a file).
func goldenRender(t *testing.T, format string, rep *reports.Report) string {
	t.Helper()
	f, err := reports.New(format, reports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b, rep); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return b.String()
}

// goldenCompare compares got with testdata/golden/name (from the
// repository root), or rewrites it with -update.
func goldenCompare(t *testing.T, root, name, got string) {
	t.Helper()
	path := filepath.Join(root, "testdata", "golden", name)
	if goldenUpdating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s (create it with: go test ./cmd/ssis-ha-lint -run Golden -update): %v", path, err)
	}
	if string(want) != got {
		t.Errorf("testdata/golden/%s differs from the output: %s\n(if the change is intended — e.g. rules were added — regenerate with: go test ./cmd/ssis-ha-lint -run Golden -update, and review the diff)", name, firstDiff(string(want), got))
	}
}

// firstDiff describes the first differing line.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + "\n  want: " + clipGolden(w) + "\n  got:  " + clipGolden(g)
		}
	}
	return "(no line differs)"
}

func clipGolden(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// TestGoldenReports renders each golden bundle in every format through the
// real pipeline and compares with testdata/golden/<bundle>.<ext>; it also
// re-renders every format from the JSON report (what `report convert`
// does) and requires the same bytes.
func TestGoldenReports(t *testing.T) {
	root := goldenChdir(t)
	for _, bundle := range goldenBundles {
		t.Run(bundle, func(t *testing.T) {
			rep := goldenScan(t, bundle, policies.ProfileHA, "")
			jsonOut := goldenRender(t, "json", rep)
			back, err := reports.ReadJSON(strings.NewReader(jsonOut))
			if err != nil {
				t.Fatalf("read back the JSON report: %v", err)
			}
			for _, format := range reports.Names() {
				ext, ok := goldenExt[format]
				if !ok {
					t.Fatalf("no golden extension for format %q: add it to goldenExt", format)
				}
				got := goldenRender(t, format, rep)
				goldenCompare(t, root, bundle+"."+ext, got)
				if conv := goldenRender(t, format, back); conv != got {
					t.Errorf("%s: rendering the saved JSON report (report convert) differs from the scan's own output: %s", format, firstDiff(got, conv))
				}
			}
		})
	}
}

// TestGoldenPreUpgrade: the pre-upgrade profile's text and Markdown reports
// end with the upgrade plan, with the deployment's names filled in (the HTML
// report shows it after the findings).
func TestGoldenPreUpgrade(t *testing.T) {
	root := goldenChdir(t)
	rep := goldenScan(t, "healthy-ag", policies.ProfilePreUpgrade, "160")
	if rep.Upgrade == nil || len(rep.Upgrade.Steps) != 7 {
		t.Fatalf("pre-upgrade report without the 7-step upgrade plan: %+v", rep.Upgrade)
	}
	for _, format := range []string{"text", "markdown", "html"} {
		got := goldenRender(t, format, rep)
		goldenCompare(t, root, "healthy-ag.pre-upgrade-160."+goldenExt[format], got)
		// The plan is the last section (the text summary line stays last).
		plan := strings.LastIndex(strings.ToLower(got), "upgrade plan")
		if plan < 0 {
			t.Fatalf("%s: no upgrade plan in the report", format)
		}
		for _, s := range []string{"FAILED (", "UNKNOWN (", "WAIVED (", "### Failing rules", "### Unknown", "### Waived", "### Warnings"} {
			if i := strings.LastIndex(got, s); i > plan {
				t.Errorf("%s: %q comes after the upgrade plan", format, s)
			}
		}
		for _, want := range []string{
			"ssis-ag", "aglsn.contoso.com,1433", "ssismaster.contoso.com:8391", "SQLN1", "SQLN2", "WRK1", "WRK2",
			"SSISScaleOutMaster160", "SSISScaleOutMaster150", "sp_ssis_startup", "alwayson_replicas", "CLUSTER_LOGDB_SERVER",
			"https://learn.microsoft.com/en-us/sql/integration-services/catalog/ssis-catalog#Upgrade",
			"https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability#upgrade-scale-out-in-high-availability-environment",
		} {
			w := want
			if format == "markdown" {
				w = strings.ReplaceAll(w, "_", `\_`)
			}
			if !strings.Contains(got[plan:], w) {
				t.Errorf("%s: the upgrade plan does not mention %q", format, want)
			}
		}
	}
	// The ha profile has no plan.
	if ha := goldenScan(t, "healthy-ag", policies.ProfileHA, ""); ha.Upgrade != nil {
		t.Errorf("ha profile report has an upgrade plan")
	}
}
