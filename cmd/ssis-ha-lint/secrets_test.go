package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// plantedSecrets are planted in a bundle, an inventory and the environment
// by TestSecretsNeverLeak; none may appear in any output.
var plantedSecrets = []string{
	"Pl4nted-Secret-1", // logdb connection string Password=
	"Pl4nted-Secret-2", // an unknown MasterSettings.config key's value
	"Pl4nted-Secret-3", // the inventory's WinRM password (from the environment)
	"Pl4nted-Secret-4", // SSIS_HA_LINT_SQL_PASSWORD
	"Pl4nted-Secret-5", // a connection string quoted in a SQL error message
	"Pl4nted-Secret-6", // an unclosed quote before Pwd= in a connection string
}

// copyTree copies the folder src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeFileT(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// plantSecrets makes a copy of healthy-ag with planted secrets and two
// mistakes (so that findings, messages and fix scripts are written): the
// logging connection string names a node instead of the listener, and
// SQLN2's PortNumber differs.
func plantSecrets(t *testing.T, dir string) string {
	t.Helper()
	b := filepath.Join(dir, "bundle")
	copyTree(t, filepath.Join(repoRoot(t), "testdata", "bundles", "healthy-ag"), b)
	writeFileT(t, filepath.Join(b, "sql", "SQLN1", "logdb_connection.json"), `{
  "query_id": "logdb_connection",
  "sql": "EXEC SSISDB.internal.get_log_dbconnection",
  "collected_utc": "2026-11-27T10:00:04Z",
  "columns": ["connection_string"],
  "rows": [["Data Source=SQLN1;Initial Catalog=SSISDB;User Id=##MS_SSISLogDBWorkerAgentLogin##;Password=Pl4nted-Secret-1;"]],
  "error": null
}
`)
	writeFileT(t, filepath.Join(b, "nodes", "SQLN1", "files", "MasterSettings.config"), `{
  "PortNumber": 8391,
  "SSLCertThumbprint": "937F3564029AABCFD7F543BC17EC0F601E1A745A",
  "SqlServerName": "aglsn.contoso.com,1433",
  "SqlPassword": "Pl4nted-Secret-2",
  "CleanupCompletedJobsIntervalInMs": 43200000,
  "DealWithExpiredTasksIntervalInMs": 300000,
  "MasterHeartbeatIntervalInMs": 30000,
  "SqlConnectionTimeoutInSecs": 15
}
`)
	p := filepath.Join(b, "nodes", "SQLN2", "files", "MasterSettings.config")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	writeFileT(t, p, strings.Replace(string(data), `"PortNumber": 8391`, `"PortNumber": 8392`, 1))
	// A failed query whose message quotes a connection string, and one
	// whose quoting is broken before the password.
	writeFileT(t, filepath.Join(b, "sql", "SQLN2", "errors.json"), `[
  {"Query": "executions_active", "Error": "Login failed for user 'x' (Server=SQLN2;User Id=x;Password=Pl4nted-Secret-5)"},
  {"Query": "ssisdb_principals", "Error": "cannot connect: Data Source='SQLN2;Pwd=Pl4nted-Secret-6"}
]
`)
	// An inventory: three nodes from the planted bundle, WRK2 over WinRM and
	// the SQL side with SQL authentication, both at a closed local port
	// (they fail at once), with passwords from the environment.
	writeFileT(t, filepath.Join(dir, "inventory.yaml"), `deployment:
  name: prod-etl
  variant: ag
  master_dns: ssismaster.contoso.com
  master_port: 8391
  listener: aglsn.contoso.com,1433
timeout: 10s
nodes:
  - name: SQLN1
    roles: [master, replica]
    bundle: bundle
  - name: SQLN2
    roles: [master, replica]
    bundle: bundle
  - name: WRK1
    roles: [worker]
    bundle: bundle
  - name: WRK2
    roles: [worker]
    winrm: {host: 127.0.0.1, port: 1, transport: http, auth: ntlm, user_env: SSIS_HA_LINT_WINRM_USER, password_env: SSIS_HA_LINT_WINRM_PASSWORD}
sql:
  server: 127.0.0.1,1
  auth: sql
  user: svc-audit
  password_env: SSIS_HA_LINT_SQL_PASSWORD
  timeout: 10s
`)
	return b
}

// TestSecretsNeverLeak plants passwords in a bundle (a logging connection
// string, an unknown config key, SQL error messages), an inventory's WinRM
// block and the environment, then runs every output path — scan in every
// format and with fix scripts, facts, fix, report convert, and the error
// paths — and checks that no planted string appears in any stdout, stderr
// or written file.
func TestSecretsNeverLeak(t *testing.T) {
	dir := t.TempDir()
	b := plantSecrets(t, dir)
	env := []string{
		"SSIS_HA_LINT_SQL_PASSWORD=Pl4nted-Secret-4",
		"SSIS_HA_LINT_WINRM_USER=CONTOSO\\svc-audit",
		"SSIS_HA_LINT_WINRM_PASSWORD=Pl4nted-Secret-3",
	}
	out := filepath.Join(dir, "out")
	check := func(what string, res runResult) {
		t.Helper()
		checkNoPanic(t, res)
		for _, s := range plantedSecrets {
			if strings.Contains(res.stdout, s) {
				t.Errorf("%s: stdout contains %s", what, s)
			}
			if strings.Contains(res.stderr, s) {
				t.Errorf("%s: stderr contains %s", what, s)
			}
		}
	}
	formats := []string{"text", "json", "sarif", "junit", "markdown", "html"}
	args := []string{"scan", "--bundle", b, "--fix-dir", filepath.Join(out, "scan-fixes"), "--fail-on", "info"}
	for _, f := range formats {
		args = append(args, "--output", f+"="+filepath.Join(out, "scan."+f))
	}
	res := runBinEnv(t, dir, env, args...)
	check("scan", res)
	if res.code != 1 {
		t.Fatalf("scan: exit %d, want 1 (the planted mistakes)\n%s", res.code, res.stderr)
	}
	for _, f := range formats {
		res := runBinEnv(t, dir, env, "scan", "--bundle", b, "--format", f, "--fail-on", "info")
		check("scan --format "+f, res)
		if res.code != 1 {
			t.Errorf("scan --format %s: exit %d, want 1", f, res.code)
		}
	}
	res = runBinEnv(t, dir, env, "scan", "--bundle", b, "--format", "json", "--sarif-include-waived", "--quiet")
	check("scan --quiet", res)

	res = runBinEnv(t, dir, env, "facts", "--bundle", b)
	check("facts", res)
	if res.code != 0 || !strings.Contains(res.stdout, "Password=***") || !strings.Contains(res.stdout, "SqlPassword") {
		t.Errorf("facts: exit %d; want the redacted connection string and the unknown key's name in:\n%.400s", res.code, res.stdout)
	}

	res = runBinEnv(t, dir, env, "fix", "--bundle", b, "--out", filepath.Join(out, "fixes"))
	check("fix", res)
	if res.code != 0 {
		t.Errorf("fix: exit %d: %s", res.code, res.stderr)
	}

	for _, f := range formats {
		res := runBinEnv(t, dir, env, "report", "convert", "--input", filepath.Join(out, "scan.json"), "--format", f,
			"--output", f+"="+filepath.Join(out, "convert."+f))
		check("report convert "+f, res)
		if res.code != 0 {
			t.Errorf("report convert %s: exit %d: %s", f, res.code, res.stderr)
		}
	}

	// Error paths: a logging result set that does not match its columns
	// (exit 2), and a settings file that stops parsing right after the
	// secret (CONFIG-PARSE).
	bad := filepath.Join(dir, "bad-arity")
	copyTree(t, b, bad)
	writeFileT(t, filepath.Join(bad, "sql", "SQLN1", "logdb_connection.json"),
		`{"query_id": "logdb_connection", "columns": ["connection_string"], "rows": [["Password=Pl4nted-Secret-1;", "Pl4nted-Secret-1"]], "error": null}`)
	res = runBinEnv(t, dir, env, "scan", "--bundle", bad)
	check("scan (bad arity)", res)
	if res.code != 2 || !strings.Contains(res.stderr, "logdb_connection.json") {
		t.Errorf("bad arity: exit %d, %s", res.code, res.stderr)
	}
	bad = filepath.Join(dir, "bad-config")
	copyTree(t, b, bad)
	writeFileT(t, filepath.Join(bad, "nodes", "SQLN1", "files", "MasterSettings.config"),
		`{"PortNumber": 8391, "SqlPassword": "Pl4nted-Secret-2" "SqlServerName": "Pl4nted-Secret-2"`)
	res = runBinEnv(t, dir, env, "scan", "--bundle", bad, "--format", "json", "--output", "sarif="+filepath.Join(out, "bad.sarif"))
	check("scan (bad config)", res)
	if res.code != 1 || !strings.Contains(res.stdout, "CONFIG-PARSE") {
		t.Errorf("bad config: exit %d", res.code)
	}
	res = runBinEnv(t, dir, env, "facts", "--bundle", bad)
	check("facts (bad config)", res)
	res = runBinEnv(t, dir, env, "report", "convert", "--input", filepath.Join(dir, "bad-arity", "sql", "SQLN1", "logdb_connection.json"))
	check("report convert (not a report)", res)
	if res.code != 2 {
		t.Errorf("report convert of a non-report: exit %d", res.code)
	}

	// Live collection from the inventory (when this build has it): the
	// WinRM and SQL passwords are used, and the failures are reported.
	if h := runBinEnv(t, dir, env, "scan", "--help"); strings.Contains(h.stdout, "--inventory") {
		res = runBinEnv(t, dir, env, "scan", "-i", "inventory.yaml", "--format", "json", "--output", "html="+filepath.Join(out, "inventory.html"))
		check("scan -i", res)
		if res.code != 1 && res.code != 3 {
			t.Errorf("scan -i: exit %d: %s", res.code, res.stderr)
		}
	} else {
		t.Log("scan has no --inventory yet: the WinRM password is only planted in the environment")
	}
	if h := runBinEnv(t, dir, env, "collect", "--help"); h.code == 0 && strings.Contains(h.stdout, "--inventory") {
		res = runBinEnv(t, dir, env, "collect", "-i", "inventory.yaml", "--out", filepath.Join(out, "collected"))
		check("collect -i", res)
	}

	files := listTree(t, out)
	if len(files) < 2*len(formats)+3 {
		t.Fatalf("only %d files written: %v", len(files), files)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		// A collected bundle holds byte-for-byte copies of the settings
		// files (bundle.md): the evidence keeps the planted key; only what
		// is read from it must not.
		verbatim := strings.Contains(filepath.ToSlash(p), "/collected/nodes/") && strings.Contains(filepath.ToSlash(p), "/files/")
		for _, s := range plantedSecrets {
			if verbatim && s == "Pl4nted-Secret-2" {
				continue
			}
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains %s", p, s)
			}
		}
	}
	// The fix scripts exist and address the planted mistake.
	ps1, err := os.ReadFile(filepath.Join(out, "fixes", "SQLN2.ps1"))
	if err != nil || !bytes.Contains(ps1, []byte("PortNumber")) {
		t.Errorf("fixes/SQLN2.ps1: %v (want a PortNumber fix)", err)
	}
}
