package winrm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestScriptGrammar parses the fact script and the bootstrap with
// tree-sitter-powershell, through the grammar checker shared with the fix
// scripts (reports/fix/testdata/grammar). It needs the checker's npm tools:
//
//	bash reports/fix/testdata/grammar/install.sh /tmp/ssis-ha-lint-grammar
//	SSIS_HA_LINT_GRAMMAR_DIR=/tmp/ssis-ha-lint-grammar go test ./collectors/winrm -run TestScriptGrammar
func TestScriptGrammar(t *testing.T) {
	tools := os.Getenv("SSIS_HA_LINT_GRAMMAR_DIR")
	if tools == "" {
		t.Skip("SSIS_HA_LINT_GRAMMAR_DIR is not set: PowerShell grammar check of collect-node.ps1 skipped")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not found")
	}
	check := filepath.Join("..", "..", "reports", "fix", "testdata", "grammar", "check.mjs")
	dir := t.TempDir()
	write := func(d, name, text string) {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(dir, "collect-node.ps1", Script)
	write(dir, "bootstrap.ps1", fmt.Sprintf(bootstrap, "ssis-ha-lint-0123456789abcdef.b64"))
	run := func(d string) (string, error) {
		cmd := exec.Command(node, check, d)
		cmd.Env = append(os.Environ(), "SSIS_HA_LINT_GRAMMAR_DIR="+tools)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(dir); err != nil {
		t.Fatalf("grammar check failed: %v\n%s", err, out)
	} else if !strings.Contains(out, "2 file(s) parse, 0 failed") {
		t.Fatalf("unexpected checker output:\n%s", out)
	}
	// negative control: the checker does reject broken PowerShell
	bad := filepath.Join(dir, "bad")
	write(bad, "bad.ps1", strings.Replace(Script, "$doc.Errors = @($script:errs)", "$doc.Errors = @($script:errs", 1))
	if out, err := run(bad); err == nil {
		t.Fatalf("the checker accepted a broken script:\n%s", out)
	}
}
