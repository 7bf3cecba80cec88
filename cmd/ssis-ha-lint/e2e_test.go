package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// binPath is the binary built once for the end-to-end tests.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ssis-ha-lint-e2e")
	if err != nil {
		panic(err)
	}
	binPath = filepath.Join(dir, "ssis-ha-lint")
	if runtime.GOOS == "windows" {
		binPath += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type runResult struct {
	code           int
	stdout, stderr string
}

func runBin(t *testing.T, args ...string) runResult {
	t.Helper()
	return runBinEnv(t, repoRoot(t), nil, args...)
}

// runBinEnv is runBin with extra environment variables and a working
// folder.
func runBinEnv(t *testing.T, dir string, env []string, args ...string) runResult {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return runResult{code: code, stdout: so.String(), stderr: se.String()}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}

// expectation is one bundle's entry in testdata/bundles/README.md.
type expectation struct {
	fail, unknown []string
}

// readExpectations parses "## name" headings and the "expect-fail:" and
// "expect-unknown:" lines below them.
func readExpectations(t *testing.T) map[string]*expectation {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot(t), "testdata", "bundles", "README.md"))
	if err != nil {
		t.Fatalf("testdata/bundles/README.md: %v", err)
	}
	defer f.Close()
	out := map[string]*expectation{}
	var cur *expectation
	seen := map[*expectation]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "## ") {
			name := strings.Fields(strings.Trim(strings.TrimPrefix(line, "## "), "`"))[0]
			name = strings.Trim(name, "`")
			cur = &expectation{}
			out[name] = cur
			continue
		}
		if cur == nil {
			continue
		}
		for _, p := range []struct {
			prefix string
			dst    *[]string
		}{{"expect-fail:", &cur.fail}, {"expect-unknown:", &cur.unknown}} {
			rest, ok := strings.CutPrefix(line, p.prefix)
			if !ok {
				continue
			}
			seen[cur] = true
			for _, id := range strings.Split(rest, ",") {
				id = strings.Trim(strings.TrimSpace(id), "`")
				if id != "" && id != "none" {
					*p.dst = append(*p.dst, id)
				}
			}
		}
	}
	for name, e := range out {
		if !seen[e] {
			delete(out, name) // a section without expectation lines is prose
		}
	}
	return out
}

func implementedRules(t *testing.T) map[string]reports.RuleMeta {
	t.Helper()
	eng, err := policies.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]reports.RuleMeta{}
	for _, m := range eng.Rules() {
		out[m.ID] = m
	}
	return out
}

// TestBundlesRaiseExactlyTheirRules scans every example bundle with the
// built binary and compares the failing and unknown rule ids with the
// bundle's README entry (limited to the rules that exist and apply to
// the bundle's variant).
func TestBundlesRaiseExactlyTheirRules(t *testing.T) {
	exp := readExpectations(t)
	if len(exp) == 0 {
		t.Fatal("testdata/bundles/README.md lists no bundle")
	}
	impl := implementedRules(t)
	for name, e := range exp {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "bundles", name)
			if _, err := os.Stat(filepath.Join(repoRoot(t), dir)); err != nil {
				t.Fatalf("README names %s, which does not exist", dir)
			}
			res := runBin(t, "scan", "--bundle", dir, "--format", "json", "--fail-on", "info")
			if res.code == 2 {
				t.Fatalf("exit 2: %s", res.stderr)
			}
			var rep reports.Report
			if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
				t.Fatalf("JSON report: %v\n%s", err, res.stdout)
			}
			got := map[string][]string{}
			failing := map[string]bool{}
			for _, r := range rep.Results {
				if r.Status == reports.StatusFail {
					failing[r.Rule] = true
				}
			}
			for _, r := range rep.Results {
				// unknown: rules with an unknown result and no failing one
				if r.Status == reports.StatusUnknown && failing[r.Rule] {
					continue
				}
				got[r.Status] = append(got[r.Status], r.Rule)
			}
			want := func(ids []string) []string {
				var out []string
				for _, id := range ids {
					if m, ok := impl[id]; ok && policies.AppliesTo(m, rep.Deployment.Variant) {
						out = append(out, id)
					}
				}
				return uniq(out)
			}
			if g, w := uniq(got[reports.StatusFail]), want(e.fail); !equal(g, w) {
				t.Errorf("failing rules\n got  %v\n want %v", g, w)
			}
			if g, w := uniq(got[reports.StatusUnknown]), want(e.unknown); !equal(g, w) {
				t.Errorf("unknown rules\n got  %v\n want %v", g, w)
			}
			wantCode := 0
			switch {
			case len(want(e.fail)) > 0:
				wantCode = 1
			case len(want(e.unknown)) > 0:
				wantCode = 3
			}
			if res.code != wantCode {
				t.Errorf("exit code %d, want %d (stderr: %s)", res.code, wantCode, res.stderr)
			}
			if rep.ExitCode != res.code {
				t.Errorf("report says exit %d, process exited %d", rep.ExitCode, res.code)
			}
		})
	}
}

func TestHealthyTextReport(t *testing.T) {
	res := runBin(t, "scan", "--bundle", "testdata/bundles/healthy-ag")
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "0 failed, 0 unknown") || !strings.Contains(res.stdout, "exit 0") {
		t.Errorf("summary line missing:\n%s", res.stdout)
	}
	if strings.Contains(res.stdout, "\x1b[") {
		t.Error("colour escape codes written with NO_COLOR set / no terminal")
	}
}

// TestMalformedInput: every malformed input ends with exit 2 and a
// one-line message naming the file, never a Go panic.
func TestMalformedInput(t *testing.T) {
	cases := []struct {
		name, bundle, mention string
	}{
		{"bundle.json not JSON", "testdata/malformed/bundle-json-not-json", "bundle.json"},
		{"truncated zip", "testdata/malformed/truncated.zip", "truncated.zip"},
		{".cer not DER", "testdata/malformed/cert-not-der", ".cer"},
		{"no such bundle", "testdata/malformed/does-not-exist", "does-not-exist"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runBin(t, "scan", "--bundle", c.bundle)
			if res.code != 2 {
				t.Fatalf("exit %d, want 2\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
			}
			msg := strings.TrimSpace(res.stderr)
			if strings.Count(msg, "\n") > 0 {
				t.Errorf("want a one-line message, got:\n%s", msg)
			}
			if !strings.Contains(msg, c.mention) {
				t.Errorf("message does not name %q: %s", c.mention, msg)
			}
			for _, bad := range []string{"panic", "goroutine ", ".go:"} {
				if strings.Contains(res.stderr, bad) {
					t.Errorf("stderr contains %q: %s", bad, res.stderr)
				}
			}
		})
	}
}

func TestBadFlagsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"scan"},
		{"scan", "--bundle", "testdata/bundles/healthy-ag", "--fail-on", "severe"},
		{"scan", "--bundle", "testdata/bundles/healthy-ag", "--format", "pdf"},
		{"scan", "--bundle", "testdata/bundles/healthy-ag", "--profile", "pre-upgrade"},
		{"scan", "--no-such-flag"},
		{"rules", "show", "NO-SUCH-RULE"},
	} {
		res := runBin(t, args...)
		if res.code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %s)", args, res.code, res.stderr)
		}
	}
}

func TestFailOnGateOnlyChangesExitCode(t *testing.T) {
	b := "testdata/bundles/cert-renewed-one-node"
	strict := runBin(t, "scan", "--bundle", b, "--format", "json", "--fail-on", "low")
	none := runBin(t, "scan", "--bundle", b, "--format", "json", "--fail-on", "none")
	if strict.code != 1 {
		t.Fatalf("--fail-on low: exit %d, want 1 (%s)", strict.code, strict.stderr)
	}
	if none.code == 1 {
		t.Fatalf("--fail-on none: exit 1")
	}
	var a, c reports.Report
	if err := json.Unmarshal([]byte(strict.stdout), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(none.stdout), &c); err != nil {
		t.Fatal(err)
	}
	if len(a.Results) != len(c.Results) || a.Summary.Fail != c.Summary.Fail {
		t.Errorf("the gate changed the report: %d/%d results, %d/%d failures", len(a.Results), len(c.Results), a.Summary.Fail, c.Summary.Fail)
	}
}

func TestRulesAndSchemaCommands(t *testing.T) {
	res := runBin(t, "rules")
	if res.code != 0 || !strings.Contains(res.stdout, "MASTER-CERT-SAME-ALL-NODES") {
		t.Fatalf("rules: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = runBin(t, "rules", "show", "master-cert-same-all-nodes")
	if res.code != 0 || !strings.Contains(res.stdout, "learn.microsoft.com") {
		t.Fatalf("rules show: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = runBin(t, "schema")
	var schema map[string]any
	if res.code != 0 || json.Unmarshal([]byte(res.stdout), &schema) != nil {
		t.Fatalf("schema: exit %d, not JSON", res.code)
	}
	res = runBin(t, "policy", "test")
	if res.code != 0 || !strings.Contains(res.stdout, " passed, 0 failed") {
		t.Fatalf("policy test: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCustomPolicyExample runs the README's worked custom-policy example:
// its own tests pass with the embedded set, and scan --policy reports it.
func TestCustomPolicyExample(t *testing.T) {
	dir := "docs/examples/custom-policy"
	res := runBin(t, "policy", "test", dir)
	if res.code != 0 || !strings.Contains(res.stdout, " passed, 0 failed") {
		t.Fatalf("policy test %s: exit %d\n%s%s", dir, res.code, res.stdout, res.stderr)
	}
	res = runBin(t, "scan", "--bundle", "testdata/bundles/healthy-ag", "--policy", dir, "--format", "json")
	if res.code != 0 {
		t.Fatalf("scan --policy: exit %d: %s", res.code, res.stderr)
	}
	var rep reports.Report
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rep.Results {
		if r.Rule == "ORG-MASTER-HEARTBEAT-DEFAULT" {
			n++
			if r.Status != reports.StatusPass || r.DocURL == "" {
				t.Errorf("custom rule result %+v", r)
			}
		}
	}
	if n != 2 {
		t.Errorf("custom rule yielded %d results, want one per master node (2)", n)
	}
}
