package windows

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestPowerShellGrammar parses the local collector's PowerShell step with
// tree-sitter-powershell (the checker shared with reports/fix; see
// collectors/winrm/grammar_test.go for the set-up).
func TestPowerShellGrammar(t *testing.T) {
	tools := os.Getenv("SSIS_HA_LINT_GRAMMAR_DIR")
	if tools == "" || runtime.GOOS == "windows" {
		t.Skip("SSIS_HA_LINT_GRAMMAR_DIR is not set: PowerShell grammar check skipped")
	}
	dir := testDir(t)
	if err := os.WriteFile(filepath.Join(dir, "facts.ps1"), []byte(psFacts), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join("..", "..", "reports", "fix", "testdata", "grammar", "check.mjs"), dir)
	cmd.Env = append(os.Environ(), "SSIS_HA_LINT_GRAMMAR_DIR="+tools)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "1 file(s) parse, 0 failed") {
		t.Fatalf("grammar check: %v\n%s", err, out)
	}
}
