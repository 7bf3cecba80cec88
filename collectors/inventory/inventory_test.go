package inventory

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadExample(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "inventory", "ssis-ha.yaml")
	inv, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	d := inv.Deployment
	if d.Name != "prod-etl" || d.Variant != "ag" || d.MasterDNS != "ssismaster.contoso.com" ||
		d.MasterPort != 8391 || d.Listener != "aglsn.contoso.com,1433" || d.ScaleOutVersion != "150" {
		t.Errorf("deployment = %+v", d)
	}
	if len(inv.Nodes) != 4 {
		t.Fatalf("nodes = %d", len(inv.Nodes))
	}
	wantBundle, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "bundles", "healthy-ag"))
	for _, n := range inv.Nodes {
		if n.Reach != ReachBundle || n.Bundle == nil {
			t.Fatalf("%s: reach %q", n.Name, n.Reach)
		}
		if n.Bundle.Path != wantBundle || n.Bundle.Node != n.Name {
			t.Errorf("%s: bundle = %+v, want path %s", n.Name, n.Bundle, wantBundle)
		}
		if n.Timeout != 2*time.Minute {
			t.Errorf("%s: timeout %v", n.Name, n.Timeout)
		}
	}
	if !inv.Node("sqln1").HasRole(RoleMaster) || !inv.Node("WRK1").HasRole(RoleWorker) {
		t.Error("roles")
	}
	if got := inv.NodeLine("SQLN1"); got != 20 {
		t.Errorf("NodeLine(SQLN1) = %d, want 20", got)
	}
	if got := inv.NodeLine("wrk2"); got != 31 {
		t.Errorf("NodeLine(wrk2) = %d, want 31", got)
	}
	if inv.NodeLine("NOPE") != 0 {
		t.Error("NodeLine of unknown node")
	}
	if inv.SQL == nil || inv.SQL.Bundle != wantBundle || inv.SQL.Server != "" {
		t.Errorf("sql = %+v", inv.SQL)
	}
}

// TestExampleMatchesBundle checks the example inventory against the example
// bundle it points at: same deployment, same nodes and roles, and every
// node's directory exists.
func TestExampleMatchesBundle(t *testing.T) {
	inv, err := Load(filepath.Join("..", "..", "testdata", "inventory", "ssis-ha.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(inv.Dir, "..", "bundles", "healthy-ag", "bundle.json"))
	if err != nil {
		t.Skip("testdata/bundles/healthy-ag not generated")
	}
	var m struct {
		Deployment Deployment
		Nodes      []struct {
			Name  string
			Roles []string
		}
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Deployment != inv.Deployment {
		t.Errorf("deployment: bundle %+v, inventory %+v", m.Deployment, inv.Deployment)
	}
	if len(m.Nodes) != len(inv.Nodes) {
		t.Errorf("bundle has %d nodes, inventory %d", len(m.Nodes), len(inv.Nodes))
	}
	for _, bn := range m.Nodes {
		n := inv.Node(bn.Name)
		if n == nil {
			t.Errorf("inventory lacks %s", bn.Name)
			continue
		}
		if strings.Join(n.Roles, ",") != strings.Join(bn.Roles, ",") {
			t.Errorf("%s roles %v, bundle %v", bn.Name, n.Roles, bn.Roles)
		}
		if fi, err := os.Stat(n.Bundle.NodeDir()); err != nil || !fi.IsDir() {
			t.Errorf("%s: node dir %s: %v", bn.Name, n.Bundle.NodeDir(), err)
		}
	}
}

const good = `deployment:
  variant: fci
nodes:
  - name: sqln1
    roles: [master, replica]
    winrm:
      host: sqln1.contoso.com
      user_env: WUSER
      password_env: WPASS
    timeout: 45s
  - name: wrk1
    roles: worker
    winrm: {host: 10.0.0.7, transport: http, auth: ntlm, user_env: WUSER, password_env: WPASS}
  - name: wrk2
    roles: [worker]
    local: true
  - name: wrk3
    roles: [worker]
    winrm: {host: wrk3, auth: kerberos, realm: CONTOSO.COM, krb5_conf: krb5.conf}
sql:
  server: sqlserver://sqlfci01/INST1
  auth: sql
  user_env: SQLUSER
  password_env: SQLPASS
  ca_file: ca.pem
  encrypt: strict
  host_in_certificate: sqlfci01.contoso.com
  replicas: {SQLN1: "sqln1.contoso.com,14330", SQLN2: 'SQLN2\INST1'}
  read_logdb_connection: yes
  service_accounts: ['CONTOSO\svc-ssis', 'CONTOSO\svc-wrk']
  timeout: 30
`

func TestParseGood(t *testing.T) {
	inv, err := Parse([]byte(good), "/etc/ssis/ssis-ha.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n1 := inv.Node("SQLN1")
	if n1.Name != "SQLN1" || n1.Reach != ReachWinRM || n1.WinRM.Port != 5986 || !n1.WinRM.HTTPS() || n1.WinRM.Auth != "ntlm" || n1.Timeout != 45*time.Second {
		t.Errorf("sqln1 = %+v %+v", n1, n1.WinRM)
	}
	w1 := inv.Node("WRK1")
	if w1.WinRM.Port != 5985 || w1.WinRM.HTTPS() || len(w1.Roles) != 1 || w1.Roles[0] != "worker" || w1.Timeout != DefaultTimeout {
		t.Errorf("wrk1 = %+v %+v", w1, w1.WinRM)
	}
	if inv.LocalNode() != inv.Node("WRK2") {
		t.Error("local node")
	}
	if k := inv.Node("WRK3").WinRM; k.Krb5Conf != "/etc/ssis/krb5.conf" || k.Realm != "CONTOSO.COM" {
		t.Errorf("wrk3 = %+v", k)
	}
	s := inv.SQL
	if s.Host != "sqlfci01" || s.Instance != "INST1" || s.Port != 0 || s.CAFile != "/etc/ssis/ca.pem" || s.Timeout != 30*time.Second ||
		s.Encrypt != "strict" || s.HostInCertificate != "sqlfci01.contoso.com" || s.Replicas["SQLN2"] != `SQLN2\INST1` || !s.ReadLogDBConnection ||
		strings.Join(s.ServiceAccounts, ",") != `CONTOSO\svc-ssis,CONTOSO\svc-wrk` {
		t.Errorf("sql = %+v", s)
	}
	for raw, want := range map[string][3]string{
		"aglsn.contoso.com,1433":             {"aglsn.contoso.com", "1433", ""},
		"aglsn:1433":                         {"aglsn", "1433", ""},
		`SQLFCI01\INST1`:                     {"SQLFCI01", "0", "INST1"},
		"sqlserver://aglsn.contoso.com:1433": {"aglsn.contoso.com", "1433", ""},
		"sqln1":                              {"sqln1", "0", ""},
	} {
		h, p, i, err := parseSQLServer(raw)
		if err != nil || h != want[0] || itoa(p) != want[1] || i != want[2] {
			t.Errorf("parseSQLServer(%q) = %q %d %q %v", raw, h, p, i, err)
		}
	}
	if u, err := s.UserName(func(k string) (string, bool) { return map[string]string{"SQLUSER": "u"}[k], k == "SQLUSER" }); err != nil || u != "u" {
		t.Errorf("UserName %q %v", u, err)
	}
	env := map[string]string{"SQLUSER": "u", "SQLPASS": "p", "WUSER": `CONTOSO\x`}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	if u, p, err := s.Credentials(lookup); err != nil || u != "u" || p != "p" {
		t.Errorf("sql creds %q %q %v", u, p, err)
	}
	if _, _, err := n1.WinRM.Credentials(lookup); err == nil || !strings.Contains(err.Error(), "WPASS") {
		t.Errorf("missing password env: %v", err)
	}
}

func TestValidationErrors(t *testing.T) {
	base := func(nodes string) string {
		return "deployment:\n  variant: ag\nnodes:\n" + nodes
	}
	node := "  - name: N1\n    roles: [master]\n    local: true\n"
	tests := []struct {
		name string
		yaml string
		line int
		want string
	}{
		{"not yaml", "deployment: [\n", 1, "not valid YAML"},
		{"empty", "", 0, "empty"},
		{"top unknown key", "deployment:\n  variant: ag\nnodez: []\n", 3, `unknown key "nodez"`},
		{"deployment unknown key", "deployment:\n  variant: ag\n  master_dsn: x\nnodes:\n" + node, 3, `unknown key "master_dsn"`},
		{"missing deployment", "nodes:\n" + node, 1, "deployment is required"},
		{"missing variant", "deployment:\n  name: x\nnodes:\n" + node, 1, "variant is required"},
		{"bad variant", "deployment:\n  variant: cluster\nnodes:\n" + node, 2, `bad variant "cluster"`},
		{"master port out of range", "deployment:\n  variant: ag\n  master_port: 70000\nnodes:\n" + node, 3, `master_port "70000" out of range`},
		{"master port not a number", "deployment:\n  variant: ag\n  master_port: abc\nnodes:\n" + node, 3, "out of range"},
		{"listener port", "deployment:\n  variant: ag\n  listener: aglsn,0\nnodes:\n" + node, 3, "listener port"},
		{"scale out version", "deployment:\n  variant: ag\n  scale_out_version: 2019\nnodes:\n" + node, 3, "scale_out_version"},
		{"missing nodes", "deployment:\n  variant: ag\n", 1, "nodes is required"},
		{"nodes not a list", "deployment:\n  variant: ag\nnodes: x\n", 3, "nodes must be a list"},
		{"nodes empty", "deployment:\n  variant: ag\nnodes: []\n", 3, "list is empty"},
		{"node unknown key", base(node + "  - name: N2\n    roles: [worker]\n    local: false\n    bundle: x\n    hots: y\n"), 11, `node N2: unknown key "hots"`},
		{"bad role", base("  - name: N1\n    roles: [master, primary]\n    local: true\n"), 5, `bad role "primary"`},
		{"role twice", base("  - name: N1\n    roles: [master, master]\n    local: true\n"), 5, `role "master" given twice`},
		{"roles missing", base("  - name: N1\n    local: true\n"), 4, "roles is required"},
		{"roles empty", base("  - name: N1\n    roles: []\n    local: true\n"), 5, "roles is empty"},
		{"name missing", base("  - roles: [worker]\n    local: true\n"), 4, "name is required"},
		{"bad name", base("  - name: 'N 1'\n    roles: [worker]\n    local: true\n"), 4, "bad node name"},
		{"duplicate node", base(node + "  - name: n1\n    roles: [worker]\n    bundle: b\n"), 7, "duplicate node N1 (first on line 4)"},
		{"no way to reach", base("  - name: N1\n    roles: [worker]\n"), 4, "N1 has no way to reach it"},
		{"two ways", base("  - name: N1\n    roles: [worker]\n    local: true\n    bundle: x\n"), 4, "only one of local, winrm and bundle"},
		{"two local", base(node + "  - name: N2\n    roles: [worker]\n    local: true\n"), 9, "only one node can be local"},
		{"local not bool", base("  - name: N1\n    roles: [worker]\n    local: maybe\n"), 6, "must be true or false"},
		{"winrm port", base("  - name: N1\n    roles: [worker]\n    winrm: {host: h, port: 0, user_env: U, password_env: P}\n"), 6, `port "0" out of range`},
		{"winrm port big", base("  - name: N1\n    roles: [worker]\n    winrm:\n      host: h\n      port: 65536\n      user_env: U\n      password_env: P\n"), 8, "out of range 1-65535"},
		{"winrm bad transport", base("  - name: N1\n    roles: [worker]\n    winrm: {host: h, transport: ftp, user_env: U, password_env: P}\n"), 6, `bad transport "ftp"`},
		{"winrm bad auth", base("  - name: N1\n    roles: [worker]\n    winrm: {host: h, auth: basic, user_env: U, password_env: P}\n"), 6, `bad auth "basic"`},
		{"winrm kerberos http", base("  - name: N1\n    roles: [worker]\n    winrm: {host: h, transport: http, auth: kerberos}\n"), 6, "kerberos needs transport https"},
		{"winrm no host", base("  - name: N1\n    roles: [worker]\n    winrm: {user_env: U, password_env: P}\n"), 6, "host is required"},
		{"winrm bad host", base("  - name: N1\n    roles: [worker]\n    winrm: {host: 'http://h', user_env: U, password_env: P}\n"), 6, "bad host"},
		{"winrm no user_env", base("  - name: N1\n    roles: [worker]\n    winrm: {host: h, password_env: P}\n"), 6, "user_env is required"},
		{"winrm env not a name", base("  - name: N1\n    roles: [worker]\n    winrm: {host: h, user_env: 'CONTOSO\\admin', password_env: P}\n"), 6, "must be the NAME of an environment variable"},
		{"winrm unknown key", base("  - name: N1\n    roles: [worker]\n    winrm:\n      host: h\n      user_env: U\n      password_env: P\n      insecure: true\n"), 10, `unknown key "insecure"`},
		{"winrm kerberos key with ntlm", base("  - name: N1\n    roles: [worker]\n    winrm: {host: h, user_env: U, password_env: P, realm: R}\n"), 6, "realm only applies to auth: kerberos"},
		{"winrm literal password", base("  - name: N1\n    roles: [worker]\n    winrm:\n      host: h\n      user_env: U\n      password: hunter2\n"), 9, "literal password is not allowed"},
		{"literal password top", "password: x\ndeployment:\n  variant: ag\nnodes:\n" + node, 1, "use password_env"[4:]},
		{"literal password nested in unknown", "deployment:\n  variant: ag\nnodes:\n" + node + "extra:\n  creds:\n    - Password: x\n", 9, "literal password is not allowed"},
		{"sql literal password", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: sqlserver://h\n  password: x\n", 9, "password_env"},
		{"sql password in url", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: sqlserver://sa:secret@h:1433\n", 8, "must not hold a user or password"},
		{"sql bad scheme", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: mssql://h\n", 8, "scheme must be sqlserver://"},
		{"sql port", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: sqlserver://h:99999\n", 8, "out of range"},
		{"sql missing server", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  auth: windows\n", 7, "server is required"},
		{"sql service accounts not a list", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: h\n  service_accounts: CONTOSO\\\\x\n", 9, "service_accounts must be a list"},
		{"sql bad auth", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: sqlserver://h\n  auth: basic\n", 9, `bad auth "basic"`},
		{"sql auth sql no env", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: sqlserver://h\n  auth: sql\n", 7, "user_env is required for auth: sql"},
		{"sql encrypt", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: sqlserver://h\n  encrypt: always\n", 9, `bad encrypt "always"`},
		{"sql unknown key", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: sqlserver://h\n  database: SSISDB\n", 9, `unknown key "database"`},
		{"sql server and bundle", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: h\n  bundle: b\n", 9, "server or bundle, not both"},
		{"sql user and user_env", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: h\n  auth: sql\n  user: sa\n  user_env: U\n", 10, "user or user_env, not both"},
		{"sql ntlm no user", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: h\n  auth: ntlm\n", 7, "user or user_env is required for auth: ntlm"},
		{"sql conn string options", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: 'h;Password=x'\n", 8, "must not hold connection-string options"},
		{"sql url query", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: 'sqlserver://h?encrypt=false'\n", 8, "must not hold connection-string options"},
		{"sql plain port", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: 'aglsn,0'\n", 8, "out of range"},
		{"sql replicas not a map", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: h\n  replicas: [a]\n", 9, "replicas must map"},
		{"sql replica address", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: h\n  replicas:\n    SQLN1: 'x,99999'\n", 10, "SQLN1: address"},
		{"sql krb5 with sql auth", "deployment:\n  variant: ag\nnodes:\n" + node + "sql:\n  server: h\n  user: sa\n  auth: sql\n  krb5_keytab: k\n", 11, "krb5_keytab only applies to auth: kerberos"},
		{"bad timeout", "deployment:\n  variant: ag\ntimeout: soon\nnodes:\n" + node, 3, "not a duration"},
		{"node bad timeout", base("  - name: N1\n    roles: [worker]\n    local: true\n    timeout: -1s\n"), 7, "not a duration"},
		{"bundle mapping no path", base("  - name: N1\n    roles: [worker]\n    bundle: {node: X}\n"), 6, "path is required"},
		{"bundle empty path", base("  - name: N1\n    roles: [worker]\n    bundle: ''\n"), 6, "is empty"},
		{"duplicate key", "deployment:\n  variant: ag\n  variant: fci\nnodes:\n" + node, 3, "given twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := Parse([]byte(tc.yaml), "ssis-ha.yaml")
			if err == nil {
				t.Fatalf("no error; inventory %+v", inv)
			}
			var ve *Error
			if !errors.As(err, &ve) || !IsValidationError(err) {
				t.Fatalf("not an *Error: %v", err)
			}
			msg := err.Error()
			found := false
			for _, p := range ve.Problems {
				if strings.Contains(p.Message, tc.want) {
					found = true
					if p.Line != tc.line {
						t.Errorf("problem %q on line %d, want %d", p.Message, p.Line, tc.line)
					}
				}
			}
			if !found {
				t.Errorf("error %q does not contain %q", msg, tc.want)
			}
			if tc.line > 0 && !strings.Contains(msg, "ssis-ha.yaml:"+itoa(tc.line)+": ") {
				t.Errorf("error %q does not name line %d", msg, tc.line)
			}
		})
	}
}

func itoa(i int) string {
	const d = "0123456789"
	if i < 10 {
		return d[i : i+1]
	}
	return itoa(i/10) + d[i%10:i%10+1]
}

func TestAnchorsAndAliases(t *testing.T) {
	src := `deployment: {variant: ag}
x-winrm: &w {host: h, user_env: U, password_env: P}
nodes:
  - name: A
    roles: [worker]
    winrm: *w
`
	// x-winrm is not a known key: reported, aliases still resolve.
	_, err := Parse([]byte(src), "i.yaml")
	if err == nil || !strings.Contains(err.Error(), `i.yaml:2: inventory: unknown key "x-winrm"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestBundleNodeDir(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full")
	if err := os.MkdirAll(filepath.Join(full, "nodes", "SQLN1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(full, "bundle.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := &BundleRef{Path: full, Node: "SQLN1"}
	if got := b.NodeDir(); got != filepath.Join(full, "nodes", "SQLN1") {
		t.Errorf("NodeDir = %s", got)
	}
	single := filepath.Join(dir, "SQLN1")
	if err := os.MkdirAll(single, 0o755); err != nil {
		t.Fatal(err)
	}
	b = &BundleRef{Path: single, Node: "SQLN1"}
	if got := b.NodeDir(); got != single {
		t.Errorf("NodeDir = %s", got)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || IsValidationError(err) {
		t.Fatalf("err = %v", err)
	}
}

func FuzzLoad(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "inventory", "ssis-ha.yaml")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(good))
	f.Add([]byte("deployment: {variant: ag}\nnodes: [{name: A, roles: [worker], local: true}]\n"))
	f.Add([]byte("deployment: &a {variant: ag}\nnodes: [{name: A, roles: [worker], bundle: {path: b, node: X}}]\nsql: *a\n"))
	f.Add([]byte("password: x\n"))
	f.Add([]byte("a: &a [x, x]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nd: &d [*c, *c, *c]\ne: [*d, *d, *d]\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("deployment:\n  variant: ag\nnodes:\n  - name: N1\n    roles: [master]\n    winrm: {host: h, port: 5986, user_env: U, password_env: P}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := Parse(data, "fuzz.yaml")
		if err != nil {
			var ve *Error
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("error without problems: %v", err)
			}
			return
		}
		if inv.Deployment.Variant != VariantAG && inv.Deployment.Variant != VariantFCI {
			t.Fatalf("accepted variant %q", inv.Deployment.Variant)
		}
		if len(inv.Nodes) == 0 {
			t.Fatal("accepted an inventory without nodes")
		}
		for _, n := range inv.Nodes {
			if n.Name == "" || len(n.Roles) == 0 || n.Reach == "" || inv.NodeLine(n.Name) <= 0 {
				t.Fatalf("accepted node %+v", n)
			}
			if n.WinRM != nil && (n.WinRM.Port < 1 || n.WinRM.Port > 65535) {
				t.Fatalf("accepted port %d", n.WinRM.Port)
			}
		}
	})
}
