package winrm_test

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/nodebundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/winrm"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/winrm/winrmtest"
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
// stray output before it.
func scriptOutput(doc []byte) []byte {
	return append([]byte("WARNING: module noise\r\n"), winrmtest.ScriptOutput(doc)...)
}

// fake starts a fake node that prints the recorded document (as the script
// would) and reports unexpected commands to t.
func fake(t *testing.T, o winrmtest.Options) *winrmtest.Server {
	t.Helper()
	if o.Stdout == nil {
		o.Stdout = scriptOutput(recorded(t))
	}
	o.T = t
	return winrmtest.New(o)
}

func tlsTarget(srv *winrmtest.Server) winrm.Target {
	return winrm.Target{Node: "sqln1", Host: srv.Host(), Port: srv.Port(), HTTPS: true, Auth: "ntlm", User: `CONTOSO\admin`, Password: "pw", CACert: srv.CAPEM(), Timeout: 10 * time.Second}
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
	f := fake(t, winrmtest.Options{})
	defer f.Close()
	out := t.TempDir()
	dir, a, err := winrm.CollectNode(context.Background(), out, tlsTarget(f))
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(out, "nodes", "SQLN1") || a.Name != "SQLN1" {
		t.Errorf("dir %s name %s", dir, a.Name)
	}
	checkNodeDir(t, dir)

	got := strings.Join(f.Seen(), ",")
	if !regexp.MustCompile(`^Create,(Command,Receive,Signal,)+Command,Receive,Receive,Signal,Delete$`).MatchString(got) {
		t.Errorf("exchange %s", got)
	}
	staged, name, err := f.Staged()
	if err != nil || staged != winrm.Script {
		t.Errorf("the staged file %s is not the script (%d bytes, %v)", name, len(staged), err)
	}
	commands := f.Commands()
	if last := commands[len(commands)-1]; last != winrm.BootstrapCommand(name) {
		t.Errorf("last command %.100s", last)
	}
	for _, c := range commands {
		if len(c) > 8000 {
			t.Errorf("command line of %d characters (cmd.exe takes 8191)", len(c))
		}
	}
}

func TestCollectNTLMHandshake(t *testing.T) {
	f := fake(t, winrmtest.Options{NTLM: true})
	defer f.Close()
	for _, auth := range []string{"ntlm", "negotiate"} {
		before := len(f.NTLMAuths())
		tg := tlsTarget(f)
		tg.Auth = auth
		if _, _, err := winrm.CollectNode(context.Background(), t.TempDir(), tg); err != nil {
			t.Fatalf("%s: %v", auth, err)
		}
		auths := f.NTLMAuths()[before:]
		if len(auths) < 5 {
			t.Errorf("%s: %d NTLM authentications", auth, len(auths))
		}
		for i, a := range auths {
			if a.User != `CONTOSO\admin` || !a.SameConn {
				t.Errorf("%s: authentication %d as %q, same connection %v", auth, i, a.User, a.SameConn)
			}
		}
	}
}

func TestCollectHTTP(t *testing.T) {
	f := fake(t, winrmtest.Options{HTTP: true})
	defer f.Close()
	dir, _, err := winrm.CollectNode(context.Background(), t.TempDir(), winrm.Target{Node: "SQLN1", Host: f.Host(), Port: f.Port(), Auth: "ntlm", User: "admin", Password: "pw", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	checkNodeDir(t, dir)
}

func TestUnauthorized(t *testing.T) {
	for _, https := range []bool{true, false} {
		f := fake(t, winrmtest.Options{Stdout: []byte{}, Mode: winrmtest.Unauthorized, HTTP: !https})
		tg := tlsTarget(f)
		tg.HTTPS = https
		start := time.Now()
		_, err := winrm.Collect(context.Background(), tg)
		f.Close()
		if err == nil || !strings.Contains(err.Error(), "authentication failed (HTTP 401)") || !strings.Contains(err.Error(), `CONTOSO\\admin`) {
			t.Errorf("https=%v: err %v", https, err)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("401 took %v", time.Since(start))
		}
	}
}

func TestTimeoutHungNode(t *testing.T) {
	for _, mode := range []winrmtest.Mode{winrmtest.HangCreate, winrmtest.HangReceive} {
		for _, https := range []bool{true, false} {
			f := fake(t, winrmtest.Options{Mode: mode, HTTP: !https})
			tg := tlsTarget(f)
			tg.HTTPS = https
			tg.Timeout = 600 * time.Millisecond
			start := time.Now()
			_, err := winrm.Collect(context.Background(), tg)
			el := time.Since(start)
			f.Release()
			f.CloseClientConnections()
			f.Close()
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
	f := fake(t, winrmtest.Options{Stdout: []byte{}, Mode: winrmtest.HangCreate})
	defer f.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err := winrm.Collect(ctx, tlsTarget(f))
	if err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("err %v", err)
	}
}

func TestScriptFailure(t *testing.T) {
	f := fake(t, winrmtest.Options{Stdout: []byte("partial output"), ExitCode: 1,
		Stderr: []byte(`#< CLIXML` + "\r\n" + `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">Exception calling "Create" with "1" argument(s): "At line:1 char:2_x000D__x000A_"</S></Objs>`)})
	defer f.Close()
	_, err := winrm.Collect(context.Background(), tlsTarget(f))
	if err == nil || !strings.Contains(err.Error(), "exited with code 1") || !strings.Contains(err.Error(), `Exception calling "Create"`) {
		t.Errorf("err %v", err)
	}

	f2 := fake(t, winrmtest.Options{Stdout: []byte(winrm.BeginMarker + "\n!!notbase64!!\n" + winrm.EndMarker + "\n")})
	defer f2.Close()
	if _, err := winrm.Collect(context.Background(), tlsTarget(f2)); err == nil || !strings.Contains(err.Error(), "base64") {
		t.Errorf("err %v", err)
	}
}

func TestReceiveFault(t *testing.T) {
	f := fake(t, winrmtest.Options{Mode: winrmtest.ReceiveFault})
	defer f.Close()
	start := time.Now()
	_, err := winrm.Collect(context.Background(), tlsTarget(f))
	if err == nil || !strings.Contains(err.Error(), "WS-Management fault") || !strings.Contains(err.Error(), "shell was not found") || time.Since(start) > 2*time.Second {
		t.Errorf("err %v; exchange %v", err, f.Seen())
	}
}

func TestReceiveTimedOutFaultPollsAgain(t *testing.T) {
	f := fake(t, winrmtest.Options{Mode: winrmtest.ReceiveTimedOutOnce})
	defer f.Close()
	if _, err := winrm.Collect(context.Background(), tlsTarget(f)); err != nil {
		t.Fatalf("err %v; exchange %v", err, f.Seen())
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
	_, err = winrm.Collect(context.Background(), winrm.Target{Host: "127.0.0.1", Port: port, HTTPS: true, User: "u", Password: "p", Timeout: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "WinRM https://127.0.0.1:") || time.Since(start) > 4*time.Second {
		t.Errorf("err %v after %v", err, time.Since(start))
	}
	if _, err := winrm.Collect(context.Background(), winrm.Target{Host: "h", Auth: "kerberos"}); err == nil || !strings.Contains(err.Error(), "kerberos needs https") {
		t.Errorf("kerberos over http: %v", err)
	}
}

// TestParallelNodes collects four nodes at once: two answer, one refuses
// connections, one hangs. The hung node ends at its own timeout and does not
// hold the others; the unreachable one fails fast.
func TestParallelNodes(t *testing.T) {
	out := t.TempDir()
	var targets []winrm.Target
	for i, mode := range []winrmtest.Mode{winrmtest.Answer, winrmtest.Answer, winrmtest.HangReceive} {
		f := fake(t, winrmtest.Options{Mode: mode})
		defer f.Close()
		tg := tlsTarget(f)
		tg.Node = []string{"SQLN1", "SQLN2", "WRK1"}[i]
		tg.Timeout = 800 * time.Millisecond
		targets = append(targets, tg)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().(*net.TCPAddr).Port
	l.Close()
	targets = append(targets, winrm.Target{Node: "WRK2", Host: "127.0.0.1", Port: dead, HTTPS: true, User: "u", Password: "p", Timeout: 800 * time.Millisecond})

	start := time.Now()
	errs := make([]error, len(targets))
	done := make(chan int)
	for i, tg := range targets {
		go func() {
			_, _, errs[i] = winrm.CollectNode(context.Background(), out, tg)
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
