package winrm

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/inventory"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/nodebundle"
)

func recorded(t *testing.T) []byte {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("testdata", "recorded-sqln1.json"))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// scriptOutput wraps a document as collect-node.ps1 prints it, with some
// stray output around it.
func scriptOutput(doc []byte) []byte {
	b64 := base64.StdEncoding.EncodeToString(doc)
	var lines []string
	for len(b64) > 0 {
		n := min(len(b64), 1000)
		lines = append(lines, b64[:n])
		b64 = b64[n:]
	}
	return []byte("WARNING: module noise\r\n" + BeginMarker + "\n" + strings.Join(lines, "\r\n") + "\n" + EndMarker + "\n")
}

func hostPort(t *testing.T, rawURL string) (string, int) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(u.Port())
	return u.Hostname(), p
}

func tlsTarget(t *testing.T, srv *httptest.Server) Target {
	host, port := hostPort(t, srv.URL)
	var ca []byte
	if c := srv.Certificate(); c != nil {
		ca = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return Target{Node: "sqln1", Host: host, Port: port, HTTPS: true, Auth: "ntlm", User: `CONTOSO\admin`, Password: "pw", CACert: ca, Timeout: 10 * time.Second}
}

func checkNodeDir(t *testing.T, dir string) {
	t.Helper()
	for _, f := range []string{"host.json", "services.json", "files.json", "files/MasterSettings.config", "registry.json", "httpsys.txt", "firewall.json", "cluster.json", "errors.json"} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	ents, err := os.ReadDir(filepath.Join(dir, "certs", "LocalMachine", "Root"))
	if err != nil || len(ents) != 4 {
		t.Errorf("Root store: %v %v", ents, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "files", "MasterSettings.config"))
	if !strings.HasPrefix(string(b), "\xEF\xBB\xBF{\r\n  \"PortNumber\": 8391") {
		t.Errorf("config not verbatim: %q", b)
	}
	var errs []nodebundle.ArtifactError
	b, _ = os.ReadFile(filepath.Join(dir, "errors.json"))
	if err := json.Unmarshal(b, &errs); err != nil || len(errs) != 1 || errs[0].Artifact != "certs/LocalMachine/My" {
		t.Errorf("errors.json %s", b)
	}
	var cl nodebundle.Cluster
	b, _ = os.ReadFile(filepath.Join(dir, "cluster.json"))
	if err := json.Unmarshal(b, &cl); err != nil || len(cl.Resources) != 3 || cl.Resources[0].Parameters["ServiceName"] != "SSISScaleOutMaster150" {
		t.Errorf("cluster.json %s", b)
	}
}

func TestCollectHTTPS(t *testing.T) {
	f := newFake(t, scriptOutput(recorded(t)))
	srv := httptest.NewTLSServer(f)
	defer srv.Close()
	out := t.TempDir()
	dir, a, err := CollectNode(context.Background(), out, tlsTarget(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(out, "nodes", "SQLN1") || a.Name != "SQLN1" {
		t.Errorf("dir %s name %s", dir, a.Name)
	}
	checkNodeDir(t, dir)

	got := strings.Join(f.seen(), ",")
	if !regexp.MustCompile(`^Create,(Command,Receive,Signal,)+Command,Receive,Receive,Signal,Delete$`).MatchString(got) {
		t.Errorf("exchange %s", got)
	}
	staged, name, err := f.staged()
	if err != nil || staged != Script {
		t.Errorf("the staged file %s is not the script (%d bytes, %v)", name, len(staged), err)
	}
	if last := f.commands[len(f.commands)-1]; last != BootstrapCommand(name) {
		t.Errorf("last command %.100s", last)
	}
	for _, c := range f.commands {
		if len(c) > 8000 {
			t.Errorf("command line of %d characters (cmd.exe takes 8191)", len(c))
		}
	}
}

func TestCollectNTLMHandshake(t *testing.T) {
	f := newFake(t, scriptOutput(recorded(t)))
	f.mode = "ntlm"
	srv := httptest.NewTLSServer(f)
	defer srv.Close()
	for _, auth := range []string{"ntlm", "negotiate"} {
		f.ntlmUsers = nil
		tg := tlsTarget(t, srv)
		tg.Auth = auth
		if _, _, err := CollectNode(context.Background(), t.TempDir(), tg); err != nil {
			t.Fatalf("%s: %v", auth, err)
		}
		if len(f.ntlmUsers) < 5 {
			t.Errorf("%s: %d NTLM authentications", auth, len(f.ntlmUsers))
		}
		for i, u := range f.ntlmUsers {
			if u != `CONTOSO\admin` || !f.ntlmSameConn[i] {
				t.Errorf("%s: authentication %d as %q, same connection %v", auth, i, u, f.ntlmSameConn[i])
			}
		}
	}
}

func TestCollectHTTP(t *testing.T) {
	f := newFake(t, scriptOutput(recorded(t)))
	srv := httptest.NewServer(f)
	defer srv.Close()
	host, port := hostPort(t, srv.URL)
	dir, _, err := CollectNode(context.Background(), t.TempDir(), Target{Node: "SQLN1", Host: host, Port: port, Auth: "ntlm", User: "admin", Password: "pw", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	checkNodeDir(t, dir)
}

func TestUnauthorized(t *testing.T) {
	for _, https := range []bool{true, false} {
		f := newFake(t, nil)
		f.mode = "401"
		var srv *httptest.Server
		if https {
			srv = httptest.NewTLSServer(f)
		} else {
			srv = httptest.NewServer(f)
		}
		tg := tlsTarget(t, srv)
		tg.HTTPS = https
		start := time.Now()
		_, err := Collect(context.Background(), tg)
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), "authentication failed (HTTP 401)") || !strings.Contains(err.Error(), `CONTOSO\\admin`) {
			t.Errorf("https=%v: err %v", https, err)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("401 took %v", time.Since(start))
		}
	}
}

func TestTimeoutHungNode(t *testing.T) {
	for _, mode := range []string{"hang-create", "hang-receive"} {
		for _, https := range []bool{true, false} {
			f := newFake(t, scriptOutput(recorded(t)))
			f.mode = mode
			var srv *httptest.Server
			if https {
				srv = httptest.NewTLSServer(f)
			} else {
				srv = httptest.NewServer(f)
			}
			tg := tlsTarget(t, srv)
			tg.HTTPS = https
			tg.Timeout = 600 * time.Millisecond
			start := time.Now()
			_, err := Collect(context.Background(), tg)
			el := time.Since(start)
			close(f.release)
			srv.CloseClientConnections()
			srv.Close()
			if err == nil || !strings.Contains(err.Error(), "timed out after 600ms") {
				t.Errorf("%s https=%v: err %v", mode, https, err)
			}
			if el > 3*time.Second {
				t.Errorf("%s https=%v: returned after %v", mode, https, el)
			}
		}
	}
}

func TestCanceledByCaller(t *testing.T) {
	f := newFake(t, nil)
	f.mode = "hang-create"
	srv := httptest.NewTLSServer(f)
	defer srv.Close()
	defer close(f.release)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err := Collect(ctx, tlsTarget(t, srv))
	if err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("err %v", err)
	}
}

func TestScriptFailure(t *testing.T) {
	f := newFake(t, []byte("partial output"))
	f.exitCode = 1
	f.stderr = []byte(`#< CLIXML` + "\r\n" + `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">Exception calling "Create" with "1" argument(s): "At line:1 char:2_x000D__x000A_"</S></Objs>`)
	srv := httptest.NewTLSServer(f)
	defer srv.Close()
	_, err := Collect(context.Background(), tlsTarget(t, srv))
	if err == nil || !strings.Contains(err.Error(), "exited with code 1") || !strings.Contains(err.Error(), `Exception calling "Create"`) {
		t.Errorf("err %v", err)
	}

	f = newFake(t, []byte(BeginMarker+"\n!!notbase64!!\n"+EndMarker+"\n"))
	srv2 := httptest.NewTLSServer(f)
	defer srv2.Close()
	if _, err := Collect(context.Background(), tlsTarget(t, srv2)); err == nil || !strings.Contains(err.Error(), "base64") {
		t.Errorf("err %v", err)
	}
}

func TestReceiveFault(t *testing.T) {
	f := newFake(t, scriptOutput(recorded(t)))
	f.mode = "fault-receive"
	srv := httptest.NewTLSServer(f)
	defer srv.Close()
	start := time.Now()
	_, err := Collect(context.Background(), tlsTarget(t, srv))
	if err == nil || !strings.Contains(err.Error(), "WS-Management fault") || !strings.Contains(err.Error(), "shell was not found") || time.Since(start) > 2*time.Second {
		t.Errorf("err %v; exchange %v", err, f.seen())
	}
}

func TestReceiveTimedOutFaultPollsAgain(t *testing.T) {
	f := newFake(t, scriptOutput(recorded(t)))
	f.mode = "timedout-first"
	srv := httptest.NewTLSServer(f)
	defer srv.Close()
	if _, err := Collect(context.Background(), tlsTarget(t, srv)); err != nil {
		t.Fatalf("err %v; exchange %v", err, f.seen())
	}
}

func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	start := time.Now()
	_, err = Collect(context.Background(), Target{Host: "127.0.0.1", Port: port, HTTPS: true, User: "u", Password: "p", Timeout: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "WinRM https://127.0.0.1:") || time.Since(start) > 4*time.Second {
		t.Errorf("err %v after %v", err, time.Since(start))
	}
	if _, err := Collect(context.Background(), Target{Host: "h", Auth: "kerberos"}); err == nil || !strings.Contains(err.Error(), "kerberos needs https") {
		t.Errorf("kerberos over http: %v", err)
	}
}

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

// TestParallelNodes collects four nodes at once: two answer, one refuses
// connections, one hangs. The hung node ends at its own timeout and does not
// hold the others; the unreachable one fails fast.
func TestParallelNodes(t *testing.T) {
	out := t.TempDir()
	var targets []Target
	var fakes []*fakeWSMan
	for i, mode := range []string{"", "", "hang-receive"} {
		f := newFake(t, scriptOutput(recorded(t)))
		f.mode = mode
		srv := httptest.NewTLSServer(f)
		defer srv.Close()
		defer close(f.release)
		tg := tlsTarget(t, srv)
		tg.Node = []string{"SQLN1", "SQLN2", "WRK1"}[i]
		tg.Timeout = 800 * time.Millisecond
		targets = append(targets, tg)
		fakes = append(fakes, f)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().(*net.TCPAddr).Port
	l.Close()
	targets = append(targets, Target{Node: "WRK2", Host: "127.0.0.1", Port: dead, HTTPS: true, User: "u", Password: "p", Timeout: 800 * time.Millisecond})

	start := time.Now()
	errs := make([]error, len(targets))
	done := make(chan int)
	for i, tg := range targets {
		go func() {
			_, _, errs[i] = CollectNode(context.Background(), out, tg)
			done <- i
		}()
	}
	for range targets {
		<-done
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("four nodes took %v", el)
	}
	if errs[0] != nil || errs[1] != nil {
		t.Errorf("healthy nodes: %v, %v", errs[0], errs[1])
	}
	if errs[2] == nil || !strings.Contains(errs[2].Error(), "timed out after 800ms") {
		t.Errorf("hung node: %v", errs[2])
	}
	if errs[3] == nil || strings.Contains(errs[3].Error(), "timed out") {
		t.Errorf("unreachable node: %v", errs[3])
	}
	ents, _ := os.ReadDir(filepath.Join(out, "nodes"))
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "SQLN1,SQLN2" {
		t.Errorf("node dirs %v", names)
	}
}
