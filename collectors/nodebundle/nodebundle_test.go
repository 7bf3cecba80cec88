package nodebundle

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

func sample() *NodeArtifacts {
	start := "2026-11-27T09:00:00Z"
	http := "\r\n    SSL Certificate bindings:\r\n    -------------------------\r\n"
	a := &NodeArtifacts{
		Name: "sqln1",
		Host: &Host{ComputerName: "SQLN1", DNSHostName: "sqln1", Domain: "contoso.com", PartOfDomain: true, Caption: "Microsoft Windows Server 2022 Datacenter", Version: "10.0.20348", CollectedUtc: "2026-11-27T10:00:00Z"},
		Services: []Service{{Name: "SSISScaleOutMaster150", DisplayName: "SQL Server Integration Services Scale Out Master 15.0", StartName: `CONTOSO\svc-ssis`,
			StartMode: "Auto", State: "Running", ProcessID: 1234, PathName: `"C:\Program Files\x.exe"`, ProcessStartUtc: &start}},
		Stores: []CertStore{
			{Location: "LocalMachine", Store: "Root", Certs: []Cert{{DER: []byte("not really DER"), HasPrivateKey: true, PrivateKeyReaders: []string{`CONTOSO\svc-ssis`}}}},
			{Location: "LocalMachine", Store: "My"},
		},
		HTTPSys:  &http,
		Firewall: []FirewallRule{{DisplayName: "SSIS Scale Out Master", Enabled: true, Direction: "Inbound", Action: "Allow", Protocol: "TCP", LocalPort: []string{"8391"}}},
		Cluster: &Cluster{Name: "SSISCLU", Nodes: []ClusterNode{{Name: "SQLN1", State: "Up"}},
			Resources: []ClusterResource{{Name: "ssismaster", ResourceType: "Network Name", Parameters: map[string]any{"DnsName": "ssismaster"}}}},
	}
	a.SetRegistry(SchannelKey, "SendTrustedIssuerList", 0)
	a.SetRegistry(SchannelKey, "ClientAuthTrustMode", 2)
	a.SetRegistry(SetupKey("150", "SQL_IS_Master"), "Version", "15.0.2000.5")
	lw := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	a.AddFile(NewFile("MasterSettings.config", `C:\Program Files\Microsoft SQL Server\140\DTS\Binn\MasterSettings.config`, []byte("{\"PortNumber\": 8390}"), lw))
	a.AddFile(NewFile("MasterSettings.config", `C:\Program Files\Microsoft SQL Server\150\DTS\Binn\MasterSettings.config`, []byte("\xEF\xBB\xBF{\"PortNumber\": 8391}\r\n"), lw))
	a.Try("firewall/extra", func() error { return errors.New("access is denied") })
	a.Try(ArtifactCluster+"/x", func() error { panic("boom") })
	return a
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestWriteNode(t *testing.T) {
	dir := t.TempDir()
	nd, err := WriteNode(dir, sample())
	if err != nil {
		t.Fatal(err)
	}
	if nd != filepath.Join(dir, "nodes", "SQLN1") {
		t.Fatalf("node dir %s", nd)
	}
	var files []string
	filepath.Walk(nd, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(nd, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(files)
	tp := Cert{DER: []byte("not really DER")}.Thumbprint()
	want := []string{"certs/LocalMachine/Root/" + tp + ".cer", "certs/LocalMachine/Root/" + tp + ".json", "cluster.json", "errors.json",
		"files.json", "files/MasterSettings.140.config", "files/MasterSettings.config", "firewall.json", "host.json", "httpsys.txt", "registry.json", "services.json"}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("files:\n%v\nwant\n%v", files, want)
	}
	if fi, err := os.Stat(filepath.Join(nd, "certs", "LocalMachine", "My")); err != nil || !fi.IsDir() {
		t.Errorf("empty store My not written as a directory: %v", err)
	}
	if len(tp) != 40 || strings.ToUpper(tp) != tp {
		t.Errorf("thumbprint %q", tp)
	}
	var side map[string]any
	readJSON(t, filepath.Join(nd, "certs", "LocalMachine", "Root", tp+".json"), &side)
	if side["Store"] != `LocalMachine\Root` || side["HasPrivateKey"] != true || side["FriendlyName"] != "" {
		t.Errorf("sidecar %v", side)
	}
	var svcs []map[string]any
	readJSON(t, filepath.Join(nd, "services.json"), &svcs)
	if len(svcs) != 1 || svcs[0]["StartName"] != `CONTOSO\svc-ssis` || svcs[0]["ProcessId"] != 1234.0 || svcs[0]["ProcessStartUtc"] != "2026-11-27T09:00:00Z" {
		t.Errorf("services %v", svcs)
	}
	var fl []map[string]any
	readJSON(t, filepath.Join(nd, "files.json"), &fl)
	if len(fl) != 2 || fl[1]["Name"] != "MasterSettings.config" || !strings.Contains(fl[1]["Path"].(string), `\150\`) || fl[1]["Size"] != 25.0 || fl[1]["LastWriteUtc"] != "2026-11-01T08:00:00Z" || len(fl[1]["Sha256"].(string)) != 64 {
		t.Errorf("files.json %v", fl)
	}
	if _, ok := fl[0]["Data"]; ok {
		t.Error("file data in files.json")
	}
	if b, _ := os.ReadFile(filepath.Join(nd, "files", "MasterSettings.config")); string(b) != "\xEF\xBB\xBF{\"PortNumber\": 8391}\r\n" {
		t.Errorf("file not verbatim: %q", b)
	}
	var reg map[string]map[string]any
	readJSON(t, filepath.Join(nd, "registry.json"), &reg)
	if reg[SchannelKey]["ClientAuthTrustMode"] != 2.0 || reg[`HKLM\SOFTWARE\Microsoft\Microsoft SQL Server\150\DTS\Setup\SQL_IS_Master`]["Version"] != "15.0.2000.5" {
		t.Errorf("registry %v", reg)
	}
	var errs []ArtifactError
	readJSON(t, filepath.Join(nd, "errors.json"), &errs)
	if len(errs) != 2 || errs[0].Artifact != "cluster/x" || !strings.Contains(errs[0].Error, "panic: boom") || errs[1].Error != "access is denied" {
		t.Errorf("errors %+v", errs)
	}
	if b, _ := os.ReadFile(filepath.Join(nd, "httpsys.txt")); !strings.HasPrefix(string(b), "\r\n    SSL") {
		t.Errorf("httpsys %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(nd, "host.json")); strings.Contains(string(b), `\u003c`) || !strings.HasSuffix(string(b), "}\n") {
		t.Errorf("host.json %s", b)
	}

	// Re-collection replaces the directory: no stale artifacts remain.
	if _, err := WriteNode(dir, &NodeArtifacts{Name: "SQLN1", Errors: []ArtifactError{{Artifact: "host", Error: "x"}}}); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(nd)
	if len(ents) != 1 || ents[0].Name() != "errors.json" {
		t.Errorf("after rewrite: %v", ents)
	}
	all, _ := os.ReadDir(filepath.Join(dir, "nodes"))
	if len(all) != 1 {
		t.Errorf("temp dirs left: %v", all)
	}
}

func TestWriteNodeEmpty(t *testing.T) {
	dir := t.TempDir()
	nd, err := WriteNode(dir, &NodeArtifacts{Name: "wrk1", Services: []Service{}, Files: []File{}})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"services.json": "[]\n", "files.json": "[]\n", "errors.json": "[]\n"} {
		if b, _ := os.ReadFile(filepath.Join(nd, name)); string(b) != want {
			t.Errorf("%s = %q", name, b)
		}
	}
	if _, err := os.Stat(filepath.Join(nd, "host.json")); !os.IsNotExist(err) {
		t.Error("host.json written though not collected")
	}
}

func TestWriteNodeBadNames(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"", "..", "a/b", `a\b`, ".hidden"} {
		if _, err := WriteNode(dir, &NodeArtifacts{Name: n}); err == nil {
			t.Errorf("name %q accepted", n)
		}
	}
	nd, err := WriteNode(dir, &NodeArtifacts{Name: "N", Files: []File{{Name: "../evil", Data: []byte("x")}},
		Stores: []CertStore{{Location: "..", Store: "My"}}})
	if err != nil {
		t.Fatal(err)
	}
	var errs []ArtifactError
	readJSON(t, filepath.Join(nd, "errors.json"), &errs)
	if len(errs) != 2 {
		t.Errorf("errors %+v", errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "nodes", "evil")); err == nil {
		t.Error("path traversal")
	}
}

func TestMatchService(t *testing.T) {
	for name, want := range map[string]bool{
		"SSISScaleOutMaster150": true, "ssisscaleoutworker160": true, "MsDtsServer150": true, "MSSQLSERVER": true,
		"MSSQL$INST1": true, "ClusSvc": true, "RemoteRegistry": true, "MSSQLSERVEROLAPService": false,
		"SQLSERVERAGENT": false, "SSISTELEMETRY150": false, "W32Time": false,
	} {
		if MatchService(name) != want {
			t.Errorf("MatchService(%q) != %v", name, want)
		}
	}
	got := FilterServices([]Service{{Name: "W32Time"}, {Name: "MSSQLSERVER"}, {Name: "ClusSvc"}})
	if len(got) != 2 || got[0].Name != "ClusSvc" {
		t.Errorf("FilterServices %v", got)
	}
}

func TestVersionFolder(t *testing.T) {
	for p, want := range map[string]string{
		`C:\Program Files\Microsoft SQL Server\150\DTS\Binn\MasterSettings.config`: "150",
		`D:\Program Files\Microsoft SQL Server\160\DTS\Binn\WorkerSettings.config`: "160",
		`C:\Program Files\Microsoft SQL Server\DTS\x`:                              "",
		`/drive_c/Program Files/Microsoft SQL Server/140/DTS/Binn/x`:               "140",
	} {
		if got := VersionFolder(p); got != want {
			t.Errorf("VersionFolder(%q) = %q", p, got)
		}
	}
	if StartModeName(2) != "Auto" || StartModeName(4) != "Disabled" || StateName(4) != "Running" || StateName(1) != "Stopped" {
		t.Error("names")
	}
}
