package windows

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/nodebundle"
)

type fakePlatform struct {
	stores   map[string][]nodebundle.Cert
	reg      map[string]map[string]any
	asked    []string
	hostErr  error
	storeErr map[string]error
}

func (f *fakePlatform) host() (*nodebundle.Host, error) {
	if f.hostErr != nil {
		return nil, f.hostErr
	}
	return &nodebundle.Host{ComputerName: "WRK1", DNSHostName: "wrk1", Domain: "contoso.com", PartOfDomain: true, Caption: "Microsoft Windows Server 2019 Standard", Version: "10.0.17763"}, nil
}

func (f *fakePlatform) services() ([]nodebundle.Service, error) {
	return []nodebundle.Service{
		{Name: "W32Time", StartName: "NT AUTHORITY\\LocalService"},
		{Name: "SSISScaleOutWorker150", StartName: "CONTOSO\\svc-wrk", StartMode: "Auto", State: "Running", ProcessID: 7},
		{Name: "ClusSvc", StartName: "LocalSystem", StartMode: "Auto", State: "Running"},
	}, nil
}

func (f *fakePlatform) certStore(loc, store string) ([]nodebundle.Cert, error) {
	f.asked = append(f.asked, loc+`\`+store)
	if err := f.storeErr[loc+`\`+store]; err != nil {
		return nil, err
	}
	return f.stores[loc+`\`+store], nil
}

func (f *fakePlatform) registryValues(key string, names []string) (map[string]any, error) {
	return f.reg[key], nil
}

func (f *fakePlatform) registrySubkeys(key string) ([]string, error) {
	if key == nodebundle.SQLServerKey {
		return []string{"150", "MSSQL15.MSSQLSERVER", "160"}, nil
	}
	return nil, nil
}

const fakeFirewallCluster = `{"Format":"ssis-ha-lint-node","Version":1,"ComputerName":"WRK1",
 "Firewall":{"DisplayName":"SSIS Scale Out Master","Enabled":true,"Direction":"Inbound","Action":"Allow","Protocol":"TCP","LocalPort":"8391"},
 "Cluster":{"Name":"SSISCLU","Nodes":[{"Name":"SQLN1","State":"Up"}],"Groups":[],"Resources":[]},
 "Errors":[]}`

// testDir is t.TempDir without failing the test when the cleanup cannot
// remove everything (os.RemoveAll fails under Wine 8).
func testDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "ssis-ha-lint-windows-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nodebundle.RemoveAll(d) })
	return d
}

func seedProgramFiles(t *testing.T) string {
	t.Helper()
	pf := testDir(t)
	for ver, files := range map[string]map[string]string{
		"140":  {"WorkerSettings.config": `{"StoreLocation":"LocalMachine","StoreName":"My"}`},
		"150":  {"WorkerSettings.config": "\xEF\xBB\xBF{\r\n  \"MasterEndpoint\": \"https://ssismaster.contoso.com:8391\",\r\n  \"StoreLocation\": \"LocalMachine\",\r\n  \"StoreName\": \"SSISWorker\"\r\n}"},
		"130":  {},
		"MSAS": {"WorkerSettings.config": "{}"},
	} {
		binn := filepath.Join(pf, "Microsoft SQL Server", ver, "DTS", "Binn")
		if err := os.MkdirAll(binn, 0o755); err != nil {
			t.Fatal(err)
		}
		for n, c := range files {
			if err := os.WriteFile(filepath.Join(binn, n), []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return pf
}

func TestCollectLocalWithFakes(t *testing.T) {
	fp := &fakePlatform{
		stores: map[string][]nodebundle.Cert{
			`LocalMachine\My`:         {{DER: []byte("my-cert"), HasPrivateKey: true}},
			`LocalMachine\SSISWorker`: {{DER: []byte("worker-cert"), HasPrivateKey: true, FriendlyName: "SSIS worker"}},
		},
		storeErr: map[string]error{`LocalMachine\Root`: errors.New("Access is denied.")},
		reg: map[string]map[string]any{
			nodebundle.SchannelKey:                      {"ClientAuthTrustMode": uint64(2)},
			nodebundle.SetupKey("150", "SQL_IS_Worker"): {"Version": "15.0.2000.5"},
		},
	}
	var cmds []string
	run := func(ctx context.Context, name string, args ...string) ([]byte, error) {
		cmds = append(cmds, name)
		switch name {
		case "netsh":
			return []byte("\r\nSSL Certificate bindings:\r\n----------------------------\r\n"), nil
		case "powershell.exe":
			if args[len(args)-2] != "-EncodedCommand" {
				t.Errorf("args %v", args)
			}
			return []byte(fakeFirewallCluster), nil
		}
		return nil, errors.New("unexpected command " + name)
	}
	out := testDir(t)
	dir, a, err := CollectLocal(context.Background(), out, Options{
		ProgramFiles: []string{seedProgramFiles(t)}, platform: fp, run: run,
		Now: func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(out, "nodes", "WRK1") || a.Name != "WRK1" {
		t.Fatalf("dir %s name %s", dir, a.Name)
	}
	if strings.Join(fp.asked, ",") != `LocalMachine\My,LocalMachine\Root,LocalMachine\SSISWorker` {
		t.Errorf("stores asked: %v", fp.asked)
	}
	if len(a.Services) != 2 || a.Services[0].Name != "ClusSvc" || a.Services[1].StartName != `CONTOSO\svc-wrk` {
		t.Errorf("services %+v", a.Services)
	}
	if len(a.Files) != 2 || a.Files[1].Name != "WorkerSettings.config" || !strings.Contains(a.Files[1].Path, "150") || a.Files[0].Name != "WorkerSettings.140.config" {
		t.Errorf("files %+v", a.Files)
	}
	if a.Registry[nodebundle.SetupKey("150", "SQL_IS_Worker")]["Version"] != "15.0.2000.5" || len(a.Registry) != 2 {
		t.Errorf("registry %v", a.Registry)
	}
	if a.Host.CollectedUtc != "2026-11-27T10:00:00Z" || a.HTTPSys == nil || len(a.Firewall) != 1 || a.Firewall[0].LocalPort[0] != "8391" || a.Cluster == nil || a.Cluster.Name != "SSISCLU" {
		t.Errorf("host %+v fw %+v cluster %+v", a.Host, a.Firewall, a.Cluster)
	}
	b, err := os.ReadFile(filepath.Join(dir, "errors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var errs []nodebundle.ArtifactError
	if err := json.Unmarshal(b, &errs); err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 || errs[0].Artifact != "certs/LocalMachine/Root" || errs[0].Error != "Access is denied." {
		t.Errorf("errors.json %s", b)
	}
	for _, f := range []string{"host.json", "services.json", "files.json", "files/WorkerSettings.config", "files/WorkerSettings.140.config",
		"registry.json", "httpsys.txt", "firewall.json", "cluster.json", "certs/LocalMachine/SSISWorker"} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "certs", "LocalMachine", "Root")); !os.IsNotExist(err) {
		t.Error("a failed store was written")
	}
}

func TestCollectFailuresGoOn(t *testing.T) {
	fp := &fakePlatform{hostErr: errors.New("rpc down")}
	run := func(ctx context.Context, name string, args ...string) ([]byte, error) {
		return nil, errors.New("executable file not found in %PATH%")
	}
	a := Collect(context.Background(), Options{NodeName: "sqln9", ProgramFiles: []string{testDir(t)}, platform: fp, run: run})
	if a.Name != "SQLN9" || a.Host != nil {
		t.Errorf("name %s host %v", a.Name, a.Host)
	}
	got := map[string]string{}
	for _, e := range a.Errors {
		got[e.Artifact] = e.Error
	}
	for _, k := range []string{"host", "httpsys", "firewall", "cluster"} {
		if got[k] == "" {
			t.Errorf("no error for %s: %v", k, got)
		}
	}
	if !strings.Contains(got["firewall"], "PowerShell") || !strings.Contains(got["httpsys"], "netsh") {
		t.Errorf("errors %v", got)
	}
	if a.Services == nil || a.Files == nil {
		t.Error("the steps after the failures did not run")
	}

	a = Collect(context.Background(), Options{NodeName: "N", ProgramFiles: []string{testDir(t)}, platform: fp, run: run, NoPowerShell: true})
	for _, e := range a.Errors {
		if e.Artifact == "firewall" && !strings.Contains(e.Error, "disabled") {
			t.Errorf("firewall error %q", e.Error)
		}
	}
}

func TestOtherOSPlatform(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("windows")
	}
	a := Collect(context.Background(), Options{NodeName: "N", ProgramFiles: []string{testDir(t)}, NoPowerShell: true,
		run: func(context.Context, string, ...string) ([]byte, error) { return []byte(""), nil }})
	var hostErr string
	for _, e := range a.Errors {
		if e.Artifact == "host" {
			hostErr = e.Error
		}
	}
	if hostErr != ErrNotWindows.Error() {
		t.Errorf("host error %q", hostErr)
	}
}

func TestRunCommandTimeout(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sleep")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := runCommand(ctx, "sleep", "10")
	if err == nil || !strings.Contains(err.Error(), "timed out") || time.Since(start) > 5*time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
	out, err := runCommand(context.Background(), "sh", "-c", "echo out; echo oops >&2; exit 3")
	if err == nil || !strings.Contains(err.Error(), "oops") || out != nil {
		t.Errorf("err %v", err)
	}
}

func TestWorkerStore(t *testing.T) {
	utf16 := []byte{0xFF, 0xFE}
	for _, r := range `{"StoreLocation":"CurrentUser","StoreName":"Personal"}` {
		utf16 = append(utf16, byte(r), 0)
	}
	for in, want := range map[string]string{
		`{"StoreLocation": "LocalMachine", "StoreName": "My"}`:                                           `LocalMachine\My`,
		"\xEF\xBB\xBF{\"storelocation\":\"localmachine\",\"STORENAME\":\"Root\"}":                        `LocalMachine\Root`,
		`<appSettings><add key="StoreLocation" value="CurrentUser"/><add key="StoreName" value="SSIS"/>`: `CurrentUser\SSIS`,
		`{}`:                             `LocalMachine\My`,
		`{"StoreName": "..\\..\\evil"}`:  `LocalMachine\My`,
		`{"StoreLocation": "Elsewhere"}`: `LocalMachine\My`,
		string(utf16):                    `CurrentUser\Personal`,
	} {
		l, s := WorkerStore([]byte(in))
		if l+`\`+s != want {
			t.Errorf("WorkerStore(%q) = %s\\%s, want %s", in, l, s, want)
		}
	}
}

func TestEncodePowerShell(t *testing.T) {
	if got := EncodePowerShell("Get-Date"); got != "RwBlAHQALQBEAGEAdABlAA==" {
		t.Errorf("got %s", got)
	}
	for _, bad := range []string{"??", "ForEach-Object -Parallel", " ? "} {
		if strings.Contains(psFacts, bad) {
			t.Errorf("psFacts uses %q (not PowerShell 5.1)", bad)
		}
	}
}
