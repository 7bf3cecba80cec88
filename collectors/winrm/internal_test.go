package winrm

// The tests of the package's unexported parts; the collection tests against
// a fake node (winrmtest) are in the external package winrm_test.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/inventory"
)

func TestTargetFromInventory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), []byte("PEM"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := `deployment: {variant: ag}
nodes:
  - name: wrk1
    roles: [worker]
    timeout: 45s
    winrm: {host: wrk1.contoso.com, auth: negotiate, user_env: WU, password_env: WP, ca_file: ca.pem}
  - name: wrk2
    roles: [worker]
    winrm: {host: wrk2.contoso.com, transport: http, user_env: WU, password_env: WP}
  - name: sqln1
    roles: [master]
    local: true
`
	p := filepath.Join(dir, "ssis-ha.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"WU": `CONTOSO\svc-scan`, "WP": "secret"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tg, err := TargetFromInventory(inv.Node("WRK1"), lookup)
	if err != nil {
		t.Fatal(err)
	}
	if tg.Node != "WRK1" || tg.Host != "wrk1.contoso.com" || tg.Port != 5986 || !tg.HTTPS || tg.Auth != "negotiate" || tg.User != `CONTOSO\svc-scan` || tg.Password != "secret" || string(tg.CACert) != "PEM" || tg.Timeout != 45*time.Second {
		t.Errorf("target %+v", tg)
	}
	tg, err = TargetFromInventory(inv.Node("WRK2"), lookup)
	if err != nil || tg.HTTPS || tg.Port != 5985 || tg.url() != "http://wrk2.contoso.com:5985/wsman" {
		t.Errorf("target %+v %v", tg, err)
	}
	if _, err := TargetFromInventory(inv.Node("WRK1"), func(string) (string, bool) { return "", false }); err == nil || !strings.Contains(err.Error(), "WU") {
		t.Errorf("missing env: %v", err)
	}
	if _, err := TargetFromInventory(inv.Node("SQLN1"), lookup); err == nil {
		t.Error("local node accepted")
	}
}

// TestScriptIsPowerShell51 guards the embedded script against syntax that
// Windows PowerShell 5.1 does not have, and checks it covers every artifact.
func TestScriptIsPowerShell51(t *testing.T) {
	code := stripPSStringsAndComments(Script)
	for _, bad := range []string{"??", "?.", "-Parallel", "&&", "||", "ForEach-Object -Parallel", "using namespace", "::new("} {
		if strings.Contains(code, bad) {
			t.Errorf("script uses %q (not in Windows PowerShell 5.1)", bad)
		}
	}
	if regexp.MustCompile(`\)\s*\?\s*[^\s]+\s*:`).MatchString(code) {
		t.Error("script uses a ternary operator")
	}
	for _, pair := range [][2]string{{"{", "}"}, {"(", ")"}, {"[", "]"}} {
		if o, c := strings.Count(code, pair[0]), strings.Count(code, pair[1]); o != c {
			t.Errorf("unbalanced %s%s: %d vs %d", pair[0], pair[1], o, c)
		}
	}
	for _, want := range []string{"Win32_ComputerSystem", "Win32_Service", "StartName", "DTS\\Binn", "SendTrustedIssuerList", "SQL_IS_Master", "SQL_IS_Worker",
		"X509Store", "RawData", "HasPrivateKey", "netsh.exe http show sslcert", "Get-NetFirewallRule", "Get-ClusterResource", "Get-ClusterParameter",
		"ssis-ha-lint-node", BeginMarker, EndMarker} {
		if !strings.Contains(Script, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	for _, forbidden := range []string{"Export-PfxCertificate", "ExportParameters", ".Export(", "PrivateKey.Export"} {
		if strings.Contains(Script, forbidden) {
			t.Errorf("script would export key material (%s)", forbidden)
		}
	}
	if n := len(BootstrapCommand("ssis-ha-lint-0123456789abcdef.b64")); n > 4000 {
		t.Errorf("bootstrap command is %d characters", n)
	}
	name, cmds := stageCommands(Script)
	if len(cmds) == 0 || len(cmds) > 4 || !strings.HasPrefix(cmds[0], `>"%TEMP%\`+name+`" echo `) {
		t.Errorf("%d staging commands: %.80s", len(cmds), cmds)
	}
}

// stripPSStringsAndComments blanks PowerShell comments and string literals
// (single- and double-quoted, here-strings not used) so syntax checks only
// see code.
func stripPSStringsAndComments(s string) string {
	var b strings.Builder
	inS, inD, inC := false, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inC:
			if c == '\n' {
				inC = false
				b.WriteByte(c)
			}
		case inS:
			if c == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					i++
					continue
				}
				inS = false
			}
		case inD:
			if c == '`' {
				i++
				continue
			}
			if c == '"' {
				inD = false
			}
		case c == '#':
			inC = true
		case c == '\'':
			inS = true
			b.WriteString("''")
		case c == '"':
			inD = true
			b.WriteString(`""`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func TestExtract(t *testing.T) {
	if _, err := extract("nothing"); err == nil {
		t.Error("no markers accepted")
	}
	if _, err := extract(BeginMarker + "\nQQ=="); err == nil {
		t.Error("truncated accepted")
	}
	b, err := extract("x" + BeginMarker + "\r\nQU\r\nJD\n" + EndMarker)
	if err != nil || string(b) != "ABC" {
		t.Errorf("%q %v", b, err)
	}
	if got := cleanStderr("  plain   error\r\n text "); got != "plain error text" {
		t.Errorf("cleanStderr %q", got)
	}
}
