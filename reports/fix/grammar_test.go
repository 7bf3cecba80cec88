package fix

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// TestGrammar parses every generated .ps1 with tree-sitter-powershell and
// every .sql with antlr4ts-sql (testdata/grammar/check.mjs), for the sample,
// every-id and hostile reports, and checks that the hostile values stay
// inside string literals, bracketed identifiers or comments according to
// the parsers' own trees and tokens. It needs node and the npm packages of
// testdata/grammar/package.json installed in the folder named by
// SSIS_HA_LINT_GRAMMAR_DIR:
//
//	mkdir -p "$TOOLS" && cp reports/fix/testdata/grammar/package*.json "$TOOLS"
//	(cd "$TOOLS" && npm ci --no-audit --no-fund)
//	SSIS_HA_LINT_GRAMMAR_DIR="$TOOLS" go test ./reports/fix -run TestGrammar
func TestGrammar(t *testing.T) {
	toolDir := os.Getenv("SSIS_HA_LINT_GRAMMAR_DIR")
	if toolDir == "" {
		t.Skip("SSIS_HA_LINT_GRAMMAR_DIR is not set: grammar check of the generated scripts skipped (see grammar_test.go for the install commands)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skipf("node not found: %v", err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "grammar", "check.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	var dirs []string
	reportsByName := []struct {
		name string
		r    func() *reports.Report
	}{{"sample", sampleReport}, {"everyid", everyIDReport}, {"hostile", hostileReport}}
	for _, c := range reportsByName {
		dir := filepath.Join(root, c.name)
		if _, err := Write(dir, c.r(), Options{RescanCommand: rescan}); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		dirs = append(dirs, dir)
	}
	for _, name := range slices.Sorted(maps.Keys(bundleFixes(t))) {
		dirs = append(dirs, bundleDirs[name])
	}
	nf := filepath.Join(root, "needles.json")
	b, _ := json.Marshal(needles)
	if err := os.WriteFile(nf, b, 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{script, "--needles", nf}, dirs...)
	cmd := exec.Command(node, args...)
	cmd.Env = append(os.Environ(), "SSIS_HA_LINT_GRAMMAR_DIR="+toolDir)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("grammar check failed: %v", err)
	}

	// Control: the checker must reject broken scripts and a needle in code.
	neg, _ := filepath.Abs(filepath.Join("testdata", "grammar", "negative"))
	cmd = exec.Command(node, script, "--needles", nf, neg)
	cmd.Env = append(os.Environ(), "SSIS_HA_LINT_GRAMMAR_DIR="+toolDir)
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "0 file(s) parse, 2 failed") ||
		!strings.Contains(string(out), `"Stop-Computer" is code`) || !strings.Contains(string(out), `"DROP LOGIN" is code`) {
		t.Errorf("the grammar check accepted deliberately broken scripts (err %v):\n%s", err, out)
	}
}
