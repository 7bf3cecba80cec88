package fix

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const rescan = "ssis-ha-lint scan --bundle evidence/prod-etl"

func writeTo(t *testing.T, r *reports.Report) (string, *Plan) {
	t.Helper()
	dir := t.TempDir()
	plan, err := Write(dir, r, Options{RescanCommand: rescan})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return dir, plan
}

func readAll(t *testing.T, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func TestGolden(t *testing.T) {
	dir, plan := writeTo(t, sampleReport())
	files := readAll(t, dir)
	want := []string{"README.md", "SQLN1.ps1", "SQLN2.ps1", "WRK1.ps1", "WRK2.ps1", "SQLN1.sql", "SQLN2$SSIS.sql"}
	for _, w := range want {
		if _, ok := files[w]; !ok {
			t.Errorf("missing %s (have %v)", w, plan.Files)
		}
	}
	if len(files) != len(want) {
		t.Errorf("wrote %d files %v, want %d", len(files), plan.Files, len(want))
	}
	golden := filepath.Join("testdata", "golden")
	if *update {
		if err := os.RemoveAll(golden); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(golden, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, got := range files {
		path := filepath.Join(golden, name)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v (run go test ./reports/fix -update)", name, err)
			continue
		}
		if string(w) != got {
			t.Errorf("%s differs from %s (run go test ./reports/fix -update and review the diff)", name, path)
		}
	}
}

func TestPlanOrder(t *testing.T) {
	_, plan := writeTo(t, sampleReport())
	stageRank := map[string]int{stageExport: 0, stageApply: 1, stageSQL: 2, stageRestart: 3}
	last := -1
	for i, st := range plan.Steps {
		if st.Order != i+1 {
			t.Errorf("step %d has Order %d", i, st.Order)
		}
		if stageRank[st.Stage] < last {
			t.Errorf("step %d (%s %s) runs after a later stage", i, st.Stage, st.File)
		}
		last = stageRank[st.Stage]
	}
	var sqlFiles, restartFiles []string
	for _, st := range plan.Steps {
		switch st.Stage {
		case stageSQL:
			sqlFiles = append(sqlFiles, st.File)
		case stageRestart:
			restartFiles = append(restartFiles, st.File)
		}
	}
	if len(sqlFiles) != 2 || sqlFiles[0] != "SQLN1.sql" {
		t.Errorf("SQL steps %v: want the primary SQLN1.sql first", sqlFiles)
	}
	if len(restartFiles) == 0 || restartFiles[0] != "SQLN1.ps1" {
		t.Errorf("restart steps %v: want the active master SQLN1 first", restartFiles)
	}
	if plan.Files[0] != "README.md" {
		t.Errorf("Files[0] = %s", plan.Files[0])
	}
	// Transfers: the master PFX from SQLN1 to SQLN2 (secret), the master .cer
	// from SQLN1 to WRK1, the WRK2 .cer from WRK2 to SQLN2.
	got := map[string]string{}
	for _, tr := range plan.Transfers {
		got[tr.File] = tr.From + "->" + strings.Join(tr.To, ",")
		if strings.HasSuffix(tr.File, ".pfx") != tr.Secret {
			t.Errorf("%s: Secret = %v", tr.File, tr.Secret)
		}
	}
	wantTr := map[string]string{
		masterThumb + ".pfx": "SQLN1->SQLN2",
		masterThumb + ".cer": "SQLN1->WRK1",
		wrk2Thumb + ".cer":   "WRK2->SQLN2",
	}
	for k, v := range wantTr {
		if got[k] != v {
			t.Errorf("transfer %s = %q, want %q", k, got[k], v)
		}
	}
	if plan.RescanCommand != rescan {
		t.Errorf("RescanCommand = %q", plan.RescanCommand)
	}
}

func TestDedupeWaivedManual(t *testing.T) {
	dir, plan := writeTo(t, sampleReport())
	files := readAll(t, dir)
	sqln2 := files["SQLN2.ps1"]
	// import-master-cert was returned by two rules: one block naming both.
	if n := strings.Count(sqln2, "import-master-pfx (part of import-master-cert)"); n != 1 {
		t.Errorf("import-master-pfx blocks in SQLN2.ps1: %d, want 1", n)
	}
	if !strings.Contains(sqln2, "# Fixes: MASTER-CERT-ROOT-WITH-KEY, MASTER-CERT-SAME-ALL-NODES") {
		t.Errorf("deduped block does not list both rules")
	}
	primary := files["SQLN1.sql"]
	if n := strings.Count(primary, "EXEC [catalog].[update_logdb_info]"); n != 1 {
		t.Errorf("update_logdb_info batches: %d, want 1", n)
	}
	if !strings.Contains(primary, "-- Fixes: LOG-CONNSTR-IS-LISTENER, LOG-LOGDB-SERVER-IS-LISTENER") {
		t.Errorf("deduped SQL block does not list both rules")
	}
	// The export of the master certificate appears once on SQLN1 even though
	// two fixes need it (the PFX for SQLN2, the .cer for WRK1 are different files).
	if n := strings.Count(files["SQLN1.ps1"], "export-master-pfx"); n != 1 {
		t.Errorf("export-master-pfx in SQLN1.ps1: %d", n)
	}
	readme := files["README.md"]
	for _, s := range []string{"WRK-HA-MIN-COUNT", "Add a second worker", "WRK9"} {
		if strings.Contains(readme+strings.Join(mapValues(files), ""), s) {
			t.Errorf("waived / non-failing result leaked into the output: %q", s)
		}
	}
	for _, s := range []string{"Recreate the master role", "sql-enable-always-on-support", "CLUSTER-MASTER-CAP-NAME", rescan} {
		if !strings.Contains(readme, s) {
			t.Errorf("README.md lacks %q", s)
		}
	}
	if len(plan.Manual) != 2 {
		t.Errorf("manual steps: %d, want 2 (manual + unknown id)", len(plan.Manual))
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for k, v := range m {
		if k != "README.md" {
			out = append(out, v)
		}
	}
	return out
}

func TestEveryIDRenders(t *testing.T) {
	dir, _ := writeTo(t, everyIDReport())
	files := readAll(t, dir)
	all := strings.Join(mapValues(files), "\n")
	for id, sp := range catalog {
		if sp.lang == langManual {
			continue
		}
		if !strings.Contains(all, id) {
			t.Errorf("fix id %s not rendered", id)
		}
	}
}

// psBlocks splits a .ps1 into its blocks (after the header).
func psBlocks(s string) []string {
	parts := strings.Split(s, "\n# ---- Block ")
	return parts[1:]
}

var ifRE = regexp.MustCompile(`^\s*(\}\s*else)?\s*(if|elseif)\s*\(|^\s*\}\s*elseif\s*\(`)

// TestIdempotenceMarkers: every $PSCmdlet.ShouldProcess sits inside an if
// that checks the current state (not only the stage gate), and every T-SQL
// batch that changes something is IF-guarded.
func TestIdempotenceMarkers(t *testing.T) {
	for _, r := range []*reports.Report{sampleReport(), everyIDReport(), hostileReport()} {
		dir, _ := writeTo(t, r)
		for name, s := range readAll(t, dir) {
			switch filepath.Ext(name) {
			case ".ps1":
				checkPSGuards(t, name, s)
			case ".sql":
				checkSQLGuards(t, name, s)
			}
		}
	}
}

func indent(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

func checkPSGuards(t *testing.T, name, s string) {
	t.Helper()
	checkPSGuardsWith(t, name, s, rescan)
}

func checkPSGuardsWith(t *testing.T, name, s, rescan string) {
	t.Helper()
	if !strings.Contains(s, "[CmdletBinding(SupportsShouldProcess)]\nparam(") {
		t.Errorf("%s: no [CmdletBinding(SupportsShouldProcess)] param()", name)
	}
	if !strings.Contains(s, "$ErrorActionPreference = 'Stop'") {
		t.Errorf("%s: no $ErrorActionPreference = 'Stop'", name)
	}
	blocks := psBlocks(s)
	if len(blocks) == 0 {
		t.Errorf("%s: no blocks", name)
	}
	for _, b := range blocks {
		title := strings.SplitN(b, "\n", 2)[0]
		if !strings.Contains(b, "$PSCmdlet.ShouldProcess(") {
			t.Errorf("%s: block %s changes nothing through ShouldProcess", name, title)
		}
		if !strings.Contains(b, "# Fixes: ") || !strings.Contains(b, "# Re-check: "+rescan) || !strings.Contains(b, "# Finding: ") {
			t.Errorf("%s: block %s lacks its header", name, title)
		}
		lines := strings.Split(b, "\n")
		for i, l := range lines {
			if !strings.Contains(l, "$PSCmdlet.ShouldProcess(") {
				continue
			}
			// walk up the enclosing lines (strictly smaller indentation)
			guarded := false
			cur := indent(l)
			for j := i - 1; j >= 0 && cur > 0; j-- {
				lj := lines[j]
				if strings.TrimSpace(lj) == "" || indent(lj) >= cur {
					continue
				}
				cur = indent(lj)
				if ifRE.MatchString(lj) && !strings.Contains(lj, "Test-Stage") && !strings.Contains(lj, "ShouldProcess") {
					guarded = true
				}
			}
			if !guarded {
				t.Errorf("%s: block %s: ShouldProcess without a state check: %s", name, title, strings.TrimSpace(l))
			}
		}
	}
}

var changeRE = regexp.MustCompile(`(?m)^\s*(CREATE|ALTER|EXEC|OPEN|RECONFIGURE|DROP)\b`)

func checkSQLGuards(t *testing.T, name, s string) {
	t.Helper()
	batches := regexp.MustCompile(`(?m)^GO\r?$`).Split(s, -1)
	for _, b := range batches {
		if changeRE.MatchString(b) && !regexp.MustCompile(`(?m)^\s*IF\b`).MatchString(b) {
			t.Errorf("%s: batch changes without an IF guard:\n%s", name, b)
		}
	}
}

func TestBOM(t *testing.T) {
	dir, _ := writeTo(t, sampleReport())
	for name, s := range readAll(t, dir) {
		hasBOM := strings.HasPrefix(s, "\ufeff")
		if wantBOM := name != "README.md"; hasBOM != wantBOM {
			t.Errorf("%s: BOM = %v, want %v (Windows PowerShell 5.1 reads BOM-less files as ANSI)", name, hasBOM, wantBOM)
		}
	}
}

var (
	passwordRE  = regexp.MustCompile(`(?i)\bpassword\s*=\s*(N?'|")?([^\s;'",]*)`)
	plainSecure = regexp.MustCompile(`(?i)ConvertTo-SecureString[^\n]*-AsPlainText`)
)

// checkNoSecret: every "Password=" in any output is the sqlcmd variable
// (or redacted), and no script builds a SecureString from plain text.
func checkNoSecret(t *testing.T, files map[string]string, planted ...string) {
	t.Helper()
	for name, s := range files {
		for _, m := range passwordRE.FindAllStringSubmatch(s, -1) {
			v := m[2]
			if v == "" || v == "$(LogDbPassword)" || v == "$(SsisdbMasterKeyPassword)" || v == "<redacted>" || v == `\<redacted\>` {
				continue
			}
			t.Errorf("%s: password literal %q", name, m[0])
		}
		if plainSecure.MatchString(s) {
			t.Errorf("%s: ConvertTo-SecureString -AsPlainText", name)
		}
		for _, p := range planted {
			if strings.Contains(s, p) {
				t.Errorf("%s: contains the planted secret %q", name, p)
			}
		}
	}
}

func TestNoSecret(t *testing.T) {
	dir, _ := writeTo(t, everyIDReport())
	checkNoSecret(t, readAll(t, dir))

	// A report that plants a password in finding messages (rules must never
	// do this; the writer still redacts it).
	r := sampleReport()
	r.Results[0].Message = "SQLN2: connection string Data Source=aglsn;User Id=x;Password=Hunter2-Planted;"
	r.Results[16].Message = "logging uses pwd: 'Hunter3-Planted' on SQLN1"
	r.Results = append(r.Results, fail("X", "low", "SQLN1", "", "manual with password=Hunter4-Planted",
		fx("manual", "SQLN1", map[string]any{"steps": []any{"set PASSWORD = Hunter5-Planted there"}})))
	dir, _ = writeTo(t, r)
	checkNoSecret(t, readAll(t, dir), "Hunter2-Planted", "Hunter3-Planted", "Hunter4-Planted", "Hunter5-Planted")

	// A fix param named like a secret is refused.
	r = sampleReport()
	r.Results[0].Fix.Params["pfx_password"] = "Hunter6"
	_, err := Write(t.TempDir(), r, Options{})
	if err == nil || !strings.Contains(err.Error(), "pfx_password") {
		t.Errorf("a secret param was accepted: %v", err)
	}
}

func TestInvalidParams(t *testing.T) {
	cases := []struct {
		name, id, target, param string
		params                  map[string]any
	}{
		{"bad guid", "sql-enable-worker-agent", "SQLN1", "agent_id", map[string]any{"agent_id": "6583054a-e915-4c2a-80e4-c765e79ef61'; DROP TABLE x; --"}},
		{"guid with one brace", "sql-enable-worker-agent", "SQLN1", "agent_id", map[string]any{"agent_id": "{6583054a-e915-4c2a-80e4-c765e79ef61d"}},
		{"bad app id", "bind-master-port", "SQLN2", "app_id", map[string]any{"port": "8391", "thumbprint": masterThumb, "app_id": "not-a-guid"}},
		{"bad thumbprint", "import-master-cert", "SQLN2", "thumbprint", map[string]any{"thumbprint": "3C2A'; Remove-Item C:\\ -Recurse; '", "source_node": "SQLN1"}},
		{"short thumbprint", "trust-master-cert", "WRK1", "thumbprint", map[string]any{"thumbprint": "3C2A", "source_node": "SQLN1"}},
		{"empty thumbprint", "bind-master-port", "SQLN2", "thumbprint", map[string]any{"port": "8391", "thumbprint": ""}},
		{"bad sid", "sql-create-logdb-login", `SQLN2\SSIS`, "sid", map[string]any{"login": "x", "sid": "0x12; DROP LOGIN x"}},
		{"odd sid", "sql-create-logdb-login", `SQLN2\SSIS`, "sid", map[string]any{"login": "x", "sid": "0x123"}},
		{"bad port", "add-firewall-rule", "SQLN2", "port", map[string]any{"port": "8391; Stop-Computer"}},
		{"port out of range", "bind-master-port", "SQLN2", "port", map[string]any{"port": float64(70000), "thumbprint": masterThumb}},
		{"negative port", "add-firewall-rule", "SQLN2", "port", map[string]any{"port": float64(-1)}},
		{"bad dns", "renew-master-cert", "SQLN1", "dns_name", map[string]any{"dns_name": "ssismaster, O=Evil", "port": "8391", "path": "x"}},
		{"bad store", "import-master-cert", "SQLN2", "store", map[string]any{"thumbprint": masterThumb, "source_node": "SQLN1", "store": `Root\..\My`}},
		{"missing value", "set-worker-config", "WRK1", "service", map[string]any{"path": "p", "key": "k", "value": "v"}},
		{"login with sqlcmd marker", "sql-create-windows-login", "SQLN1", "login", map[string]any{"login": "CONTOSO\\$(LogDbPassword)"}},
		{"login with newline", "sql-enable-login", "SQLN1", "login", map[string]any{"login": "x\nGO\nDROP DATABASE SSISDB"}},
		{"param of wrong type", "set-master-config", "SQLN1", "value", map[string]any{"path": "p", "key": "k", "value": map[string]any{"a": 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := sampleReport()
			r.Results = append(r.Results, fail("RULE-UNDER-TEST", "high", c.target, "", "m", fx(c.id, c.target, c.params)))
			dir := filepath.Join(t.TempDir(), "out")
			_, err := Write(dir, r, Options{})
			if err == nil {
				t.Fatal("Write accepted an invalid param")
			}
			msg := err.Error()
			for _, want := range []string{"RULE-UNDER-TEST", fmt.Sprintf("%q", c.target), c.param} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not name %q", msg, want)
				}
			}
			if _, statErr := os.Stat(dir); statErr == nil {
				t.Errorf("Write wrote files despite the error")
			}
			var fe *fixError
			if !errors.As(err, &fe) {
				t.Errorf("error is not a *fixError: %T", err)
			}
		})
	}
}

func TestFileName(t *testing.T) {
	cases := map[string]string{
		"SQLN1":                            "SQLN1.ps1",
		`SQLN2\SSIS`:                       "SQLN2$SSIS.ps1",
		"../../etc/passwd":                 "_.._.._etc_passwd.ps1",
		"..":                               "_...ps1",
		"x'; Remove-Item C:\\ -Recurse; '": "x___Remove-Item_C_$_-Recurse___.ps1",
		"":                                 "_.ps1",
	}
	for in, want := range cases {
		if got := FileName(in, "ps1"); got != want {
			t.Errorf("FileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFileNameCollision(t *testing.T) {
	r := sampleReport()
	r.Results = append(r.Results, fail("RULE-A", "high", "SQLN1?", "", "m",
		fx("set-schannel-clientauth", "SQLN1?", map[string]any{})),
		fail("RULE-B", "high", "SQLN1*", "", "m",
			fx("set-schannel-clientauth", "SQLN1*", map[string]any{})))
	if _, err := Write(t.TempDir(), r, Options{}); err == nil || !strings.Contains(err.Error(), "collides") {
		t.Errorf("colliding file names accepted: %v", err)
	}
}

func TestEmptyReport(t *testing.T) {
	r := sampleReport()
	r.Results = nil
	dir, plan := writeTo(t, r)
	files := readAll(t, dir)
	if len(files) != 1 || !strings.Contains(files["README.md"], "Nothing to fix") {
		t.Errorf("empty report: %v", plan.Files)
	}
}

func TestDefaultRescan(t *testing.T) {
	r := sampleReport()
	r.Bundle.Path = `C:\evidence\prod etl`
	dir := t.TempDir()
	plan, err := Write(dir, r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `ssis-ha-lint scan --bundle 'C:\evidence\prod etl'`; plan.RescanCommand != want {
		t.Errorf("RescanCommand = %q, want %q", plan.RescanCommand, want)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "README.md"))
	if !bytes.Contains(b, []byte(plan.RescanCommand)) {
		t.Errorf("README.md lacks the re-scan command")
	}
}

func TestConflictingConfigBecomesManual(t *testing.T) {
	r := sampleReport()
	r.Results = append(r.Results, fail("FCI-SQLSERVERNAME", "critical", "SQLN2", "", "SQLN2: SqlServerName is not the FCI network name",
		fx("set-master-config", "SQLN2", map[string]any{"path": masterCfg, "key": "SqlServerName", "value": `SQLFCI\INST1`})))
	dir, plan := writeTo(t, r)
	files := readAll(t, dir)
	if strings.Contains(files["SQLN2.ps1"], "$key = 'SqlServerName'") {
		t.Errorf("a conflicting config change was scripted")
	}
	if !strings.Contains(files["SQLN2.ps1"], "$key = 'PortNumber'") {
		t.Errorf("the non-conflicting config change was dropped")
	}
	found := false
	for _, m := range plan.Manual {
		if strings.Join(m.Rules, ",") == "FCI-SQLSERVERNAME,MASTER-CFG-SQLSERVERNAME-LISTENER" {
			found = true
		}
	}
	if !found || !strings.Contains(files["README.md"], "These rules disagree") {
		t.Errorf("no manual step for the conflict: %+v", plan.Manual)
	}
}
