package sqlserver

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/microsoft/go-mssqldb/msdsn"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
)

func TestEncodeValue(t *testing.T) {
	// SQL Server sends 6F9619FF-8B86-D011-B42D-00C04FC964FF as FF19966F 868B 11D0 B42D00C04FC964FF.
	wire := []byte{0xFF, 0x19, 0x96, 0x6F, 0x86, 0x8B, 0x11, 0xD0, 0xB4, 0x2D, 0x00, 0xC0, 0x4F, 0xC9, 0x64, 0xFF}
	cases := []struct {
		typ  string
		in   any
		want any
	}{
		{"UNIQUEIDENTIFIER", wire, "6F9619FF-8B86-D011-B42D-00C04FC964FF"},
		{"VARBINARY", []byte{0x01, 0x05, 0xab}, "0x0105AB"},
		{"BINARY", []byte{}, "0x"},
		{"DECIMAL", []byte("12.50"), json.Number("12.50")},
		{"MONEY", []byte("-3.0000"), json.Number("-3.0000")},
		{"DATETIME2", time.Date(2026, 11, 27, 10, 0, 3, 500000000, time.FixedZone("", 3600)), "2026-11-27T09:00:03.5Z"},
		{"DATETIME", time.Date(2026, 11, 27, 2, 15, 42, 0, time.UTC), "2026-11-27T02:15:42Z"},
		{"DATETIMEOFFSET", time.Date(2026, 11, 20, 9, 59, 38, 619000000, time.FixedZone("", -5*3600)), "2026-11-20T09:59:38.6190000-05:00"},
		{"BIT", true, true},
		{"INT", int64(7), int64(7)},
		{"TINYINT", int64(1), int64(1)},
		{"FLOAT", 1.5, 1.5},
		{"NVARCHAR", "x", "x"},
		{"VARCHAR", []byte("abc"), "abc"},
		{"NVARCHAR", nil, nil},
		{"UNIQUEIDENTIFIER", nil, nil},
	}
	for _, c := range cases {
		got, err := encodeValue(c.typ, c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %v: got %#v, %v; want %#v", c.typ, c.in, got, err, c.want)
		}
	}
	if _, err := encodeValue("UNIQUEIDENTIFIER", []byte{1, 2}); err == nil {
		t.Error("short GUID accepted")
	}
	if _, err := encodeValue("DECIMAL", []byte("x")); err == nil {
		t.Error("bad decimal accepted")
	}
}

func TestRedactConnString(t *testing.T) {
	cases := []struct {
		in, want, pw, user string
		integrated         bool
	}{
		{"Data Source=aglsn,1433;Initial Catalog=SSISDB;User Id=##MS_SSISLogDBWorkerAgentLogin##;Password=abc123;",
			"Data Source=aglsn,1433;Initial Catalog=SSISDB;User Id=##MS_SSISLogDBWorkerAgentLogin##;Password=***;", "abc123", "##MS_SSISLogDBWorkerAgentLogin##", false},
		{`Server=x;uid=u;PWD="a;b=""c";Encrypt=True`, `Server=x;uid=u;PWD=***;Encrypt=True`, `a;b="c`, "u", false},
		{`server=x;user id=u; password = {p}};w}}};x=1`, `server=x;user id=u; password = ***;x=1`, `p};w}`, "u", false},
		{"Data Source=x;Initial Catalog=SSISDB;Integrated Security=SSPI;", "Data Source=x;Initial Catalog=SSISDB;Integrated Security=SSPI;", "", "", true},
		{"Password=last", "Password=***", "last", "", false},
		{"garbage with password but no equals", "*** (connection string withheld: it mentions a password that could not be parsed)", "", "", false},
		// text after a closing quote is part of the value: it used to be
		// copied ("Password=***def;x=1")
		{`Server=x;Password="abc"def;x=1`, `Server=x;Password=***;x=1`, "abc", "", false},
		// a segment without '=' no longer hides the key after it
		{"foo;User Id=u;Password=abc", "foo;User Id=u;Password=***", "abc", "u", false},
		{"Data Source=a;Password=;", "*** (connection string withheld: it mentions a password that could not be parsed)", "", "", false},
		{`Data Source=a;Password="abc`, "*** (connection string withheld: it holds a password that could not be parsed)", "abc", "", false},
	}
	for _, c := range cases {
		got, pw, user, integ := redactConnString(c.in)
		if got != c.want || pw != c.pw || user != c.user || integ != c.integrated {
			t.Errorf("%q:\n got %q %q %q %v\nwant %q %q %q %v", c.in, got, pw, user, integ, c.want, c.pw, c.user, c.integrated)
		}
	}
}

func FuzzRedactConnString(f *testing.F) {
	f.Add("Server=x;Password=secret1;")
	f.Add(`PWD="a;b""c";x=1`)
	f.Add(`password={p};w}}};`)
	f.Fuzz(func(t *testing.T, s string) {
		red, pw, _, _ := redactConnString(s)
		if len(pw) >= 3 && !strings.Contains(pw, "*") && strings.Contains(red, pw) {
			t.Errorf("password %q left in %q", pw, red)
		}
	})
}

func TestParseAddress(t *testing.T) {
	cases := map[string]address{
		"sqlserver://aglsn.contoso.com:1433": {host: "aglsn.contoso.com", port: 1433},
		"sqlserver://sql1/INST1":             {host: "sql1", instance: "INST1"},
		"aglsn.contoso.com,1433":             {host: "aglsn.contoso.com", port: 1433},
		`SQL1\INST1`:                         {host: "SQL1", instance: "INST1"},
		`SQL1\INST1,50001`:                   {host: "SQL1", instance: "INST1", port: 50001},
		"127.0.0.1:5000":                     {host: "127.0.0.1", port: 5000},
		"[::1]:5000":                         {host: "::1", port: 5000},
		"SQLN1":                              {host: "SQLN1"},
	}
	for in, want := range cases {
		got, err := parseAddress(in)
		if err != nil || got != want {
			t.Errorf("%q: got %+v %v, want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "sqlserver://u:p@host", "sqlserver://h?encrypt=disable", "h,0", "h,x", "sqlserver://h:99999"} {
		if _, err := parseAddress(bad); err == nil {
			t.Errorf("%q accepted", bad)
		} else if strings.Contains(err.Error(), ":p@") {
			t.Errorf("error shows credentials: %v", err)
		}
	}
}

// The connection string is a URL whose values survive escaping, and always
// bounds the handshake.
func TestConnString(t *testing.T) {
	mfs := false
	ca := filepath.Join(t.TempDir(), "ca b.pem")
	if err := os.WriteFile(ca, []byte(testCA), 0o644); err != nil {
		t.Fatal(err)
	}
	o := Options{Auth: AuthSQL, Timeout: 2500 * time.Millisecond, TrustServerCertificate: true, CAFile: ca,
		MultiSubnetFailover: &mfs, HostNameInCertificate: "sql.contoso.com"}
	pw := `p@ss;w/o?r#d%&=+ "x'`
	dsn := o.connString(address{host: "aglsn.contoso.com", port: 1433}, "au;ditor", pw, "SSISDB")
	cfg, err := msdsn.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "au;ditor" || cfg.Password != pw || cfg.Host != "aglsn.contoso.com" || cfg.Port != 1433 || cfg.Database != "SSISDB" {
		t.Errorf("parsed %q %q %q %d %q", cfg.User, cfg.Password, cfg.Host, cfg.Port, cfg.Database)
	}
	if cfg.ConnTimeout != 3*time.Second || cfg.DialTimeout != 3*time.Second {
		t.Errorf("timeouts %s %s", cfg.ConnTimeout, cfg.DialTimeout)
	}
	if cfg.Encryption != msdsn.EncryptionRequired || cfg.MultiSubnetFailover || cfg.Parameters["certificate"] != ca ||
		cfg.Parameters["trustservercertificate"] != "true" || cfg.AppName != "ssis-ha-lint" || !cfg.DisableRetry {
		t.Errorf("cfg %+v", cfg.Parameters)
	}
	// named instance without port: browser lookup; kerberos parameters
	k := Options{Auth: AuthKerberos, Krb5ConfigFile: "/etc/krb5.conf", Krb5KeytabFile: "/k.keytab", Krb5Realm: "CONTOSO.COM",
		Krb5CredCacheFile: "/tmp/cc", ServerSPN: "MSSQLSvc/sql1.contoso.com:1433", Encrypt: EncryptStrict}
	dsn = k.connString(address{host: "sql1", instance: "INST1"}, "svc", "", "master")
	cfg, err = msdsn.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Instance != "INST1" || cfg.Parameters["authenticator"] != "krb5" || cfg.Parameters["krb5-keytabfile"] != "/k.keytab" ||
		cfg.Parameters["krb5-realm"] != "CONTOSO.COM" || cfg.Parameters["krb5-configfile"] != "/etc/krb5.conf" ||
		cfg.Parameters["krb5-credcachefile"] != "/tmp/cc" || cfg.ServerSPN != "MSSQLSvc/sql1.contoso.com:1433" || cfg.Encryption != msdsn.EncryptionStrict {
		t.Errorf("kerberos cfg %+v", cfg.Parameters)
	}
	if !cfg.MultiSubnetFailover {
		t.Error("MultiSubnetFailover should keep the driver default (true)")
	}
}

func TestCredentials(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	// environment first
	u, p, err := (&Options{Auth: AuthSQL, User: "auditor", Getenv: env(map[string]string{PasswordEnv: "pw1"})}).credentials()
	if err != nil || u != "auditor" || p != "pw1" {
		t.Errorf("env: %q %q %v", u, p, err)
	}
	// custom variable, then the prompt
	prompted := ""
	o := &Options{Auth: AuthSQL, User: "auditor", PasswordEnv: "MY_PW", Getenv: env(nil),
		Prompt: PromptFrom(strings.NewReader("pw2\n"), &strings.Builder{})}
	_, p, err = o.credentials()
	if err != nil || p != "pw2" {
		t.Errorf("prompt: %q %v", p, err)
	}
	o.Prompt = func(s string) (string, error) { prompted = s; return "", errors.New("no tty") }
	if _, _, err = o.credentials(); err == nil || !strings.Contains(prompted, "auditor") {
		t.Errorf("prompt failure: %v (prompt %q)", err, prompted)
	}
	o.Prompt = nil
	if _, _, err = o.credentials(); err == nil || !strings.Contains(err.Error(), "MY_PW") {
		t.Errorf("no password: %v", err)
	}
	// a domain account given as a SQL login
	for _, user := range []string{`CONTOSO\svc`, "svc@contoso.com"} {
		if _, _, err := (&Options{Auth: AuthSQL, User: user, Getenv: env(map[string]string{PasswordEnv: "x"})}).credentials(); err == nil {
			t.Errorf("SQL auth accepted %q", user)
		}
	}
	// NTLM needs the backslash
	if _, _, err := (&Options{Auth: AuthNTLM, User: "svc", Getenv: env(map[string]string{PasswordEnv: "x"})}).credentials(); err == nil {
		t.Error("NTLM without a domain accepted")
	}
	if u, p, err := (&Options{Auth: AuthNTLM, User: `CONTOSO\svc`, Getenv: env(map[string]string{PasswordEnv: "x"})}).credentials(); err != nil || u != `CONTOSO\svc` || p != "x" {
		t.Errorf("NTLM: %v", err)
	}
	// Windows integrated auth
	_, _, err = (&Options{Auth: AuthWindows}).credentials()
	if (runtime.GOOS == "windows") != (err == nil) {
		t.Errorf("windows auth on %s: %v", runtime.GOOS, err)
	}
	// Kerberos with a credential cache needs no password
	if u, p, err := (&Options{Auth: AuthKerberos, Getenv: env(nil)}).credentials(); err != nil || u != "" || p != "" {
		t.Errorf("kerberos ccache: %q %q %v", u, p, err)
	}
	if _, _, err := (&Options{Auth: "magic"}).credentials(); err == nil {
		t.Error("unknown auth accepted")
	}
	if err := (&Options{Encrypt: "yes"}).validate(); err == nil {
		t.Error("bad encrypt accepted")
	}
}

// WriteBundle keeps an existing manifest and replaces only its sql entries.
func TestWriteBundleMergesManifest(t *testing.T) {
	dir := t.TempDir()
	existing := `{"format": "ssis-ha-lint-bundle", "version": 1, "created_utc": "2026-11-27T10:00:00Z", "tool_version": "0.1.0",
  "deployment": {"name": "prod-etl", "variant": "ag", "listener": "aglsn.contoso.com,1433"},
  "nodes": [{"name": "SQLN1", "roles": ["replica"], "collected": true}],
  "sql": [{"instance": "SQLN1", "collected": false, "error": "old"}, {"instance": "OTHER", "collected": true}],
  "extra": {"kept": true}}`
	if err := os.WriteFile(filepath.Join(dir, "bundle.json"), []byte("\xef\xbb\xbf"+existing), 0o644); err != nil {
		t.Fatal(err)
	}
	msg := "Msg 229"
	res := &Result{Variant: "ag", Instances: []*Instance{
		{Name: "SQLN1", Collected: true, Results: []*ResultSet{{QueryID: "configurations", SQL: "SELECT", Columns: []string{"name"}, Rows: [][]any{{"clr enabled"}}}}},
		{Name: `SQL2\INST`, Collected: true, Results: []*ResultSet{{QueryID: "databases", SQL: "SELECT", Columns: []string{"name"}, Error: &msg}},
			Errors: []QueryError{{Query: "databases", Error: msg}}},
	}}
	if err := WriteBundle(dir, res); err != nil {
		t.Fatal(err)
	}
	m, err := bundle.ParseManifest(mustRead(t, filepath.Join(dir, "bundle.json")))
	if err != nil {
		t.Fatal(err)
	}
	want := []bundle.ManifestSQL{{Instance: "OTHER", Collected: true}, {Instance: "SQL2$INST", Collected: true}, {Instance: "SQLN1", Collected: true}}
	if !reflect.DeepEqual(m.SQL, want) || m.Deployment.Name != "prod-etl" || len(m.Nodes) != 1 {
		t.Errorf("manifest %+v", m)
	}
	raw := readJSON(t, filepath.Join(dir, "bundle.json")).(map[string]any)
	if raw["extra"] == nil {
		t.Error("unknown manifest field dropped")
	}
	f := readJSON(t, filepath.Join(dir, "sql", "SQL2$INST", "databases.json")).(map[string]any)
	if f["rows"] != nil || f["error"] != "Msg 229" {
		t.Errorf("failed query file %v", f)
	}
	e := readJSON(t, filepath.Join(dir, "sql", "SQL2$INST", "errors.json"))
	if !reflect.DeepEqual(e, []any{map[string]any{"Query": "databases", "Error": "Msg 229"}}) {
		t.Errorf("errors.json %v", e)
	}
	// an unreadable manifest is not overwritten
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "bundle.json"), []byte("{"), 0o644)
	if err := WriteBundle(bad, res); err == nil {
		t.Error("broken manifest overwritten")
	}
}

// testCA is a throw-away self-signed certificate (no key kept) for the CA-file option.
const testCA = `-----BEGIN CERTIFICATE-----
MIIBezCCASGgAwIBAgIUDd03TWONJkYMXpLWV/SRXgImN2swCgYIKoZIzj0EAwIw
EjEQMA4GA1UEAwwHdGVzdC1jYTAgFw0yNjExMjcxMDU5NTBaGA8yMTI2MTEwMzEw
NTk1MFowEjEQMA4GA1UEAwwHdGVzdC1jYTBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABGoK2s/AKkK8d9ZMFJkR0yKgarKqfC5lCZoC31CoOvWFRVzEswiKYPCjp3PP
pvlm5025BBQm0JmQhS6nGzC0IeSjUzBRMB0GA1UdDgQWBBSzE5Q0ktQ4fxvRcw3c
xYJTE1TS6DAfBgNVHSMEGDAWgBSzE5Q0ktQ4fxvRcw3cxYJTE1TS6DAPBgNVHRMB
Af8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQCeYiEhFfyL588XDjQdS5VJbgOc
IzUpc4znajWi8d8riwIgbfQOD+viWzHNbxL9Wl2iU56J6Dip2xAJbENp3lIuPsg=
-----END CERTIFICATE-----
`

func TestValidateFiles(t *testing.T) {
	for _, o := range []Options{
		{Auth: AuthKerberos, Krb5KeytabFile: "/nonexistent/k.keytab"},
		{Auth: AuthKerberos, Krb5ConfigFile: "/nonexistent/krb5.conf"},
		{Auth: AuthKerberos, Krb5CredCacheFile: "/nonexistent/cc"},
		{Auth: AuthSQL, Krb5Realm: "CONTOSO.COM"},
		{CAFile: "/nonexistent/ca.pem"},
		{Timeout: -time.Second},
	} {
		if err := o.validate(); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
