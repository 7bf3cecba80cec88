package facts

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
)

func normalizeFixture(t *testing.T, f *fixture) *Document {
	t.Helper()
	d, err := Normalize(f.open(t))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestNormalizeFixture(t *testing.T) {
	f := newFixture(t)
	d := normalizeFixture(t, f)
	validate(t, validator(t), d)

	if d.SchemaVersion != 1 || d.Bundle.CreatedNS != 1795773600000000000 || d.Deployment.Variant != "ag" {
		t.Errorf("header: %+v %+v", d.Bundle, d.Deployment)
	}
	if got := slices.Sorted(maps.Keys(d.Nodes)); !reflect.DeepEqual(got, []string{"SQLN1", "SQLN2", "WRK1", "WRK2"}) {
		t.Fatalf("nodes = %v", got)
	}
	n1, n2, w1, w2 := d.Nodes["SQLN1"], d.Nodes["SQLN2"], d.Nodes["WRK1"], d.Nodes["WRK2"]

	t.Run("host and services", func(t *testing.T) {
		if n1.Host == nil || n1.Host.FQDN != "sqln1.contoso.com" || !n1.Host.PartOfDomain {
			t.Errorf("host = %+v", n1.Host)
		}
		s := n1.Services["SSISScaleOutMaster150"]
		if s == nil || s.Kind != "master" || s.Version != "150" || s.ProcessID != 4242 || s.ProcessStartNS == 0 {
			t.Errorf("master service = %+v", s)
		}
		for name, kind := range map[string]string{"MSSQLSERVER": "sql", "ClusSvc": "cluster", "RemoteRegistry": "other"} {
			if n1.Services[name] == nil || n1.Services[name].Kind != kind {
				t.Errorf("%s: %+v", name, n1.Services[name])
			}
		}
		if !reflect.DeepEqual(n2.Roles, []string{"master", "replica"}) {
			t.Errorf("roles = %v", n2.Roles)
		}
	})

	t.Run("certificates", func(t *testing.T) {
		root := n1.Certs["LocalMachine/Root"]
		if len(root) != 2 || n1.Certs["LocalMachine/My"] == nil || len(n1.Certs["LocalMachine/My"]) != 0 {
			t.Fatalf("SQLN1 stores: %v", n1.Certs)
		}
		c := root[f.masterCert.thumb]
		if c == nil {
			t.Fatal("master cert missing")
		}
		if !reflect.DeepEqual(c.CNs, []string{"ssismaster", "ssismaster.contoso.com"}) || !reflect.DeepEqual(c.SANDNS, []string{"ssismaster.contoso.com", "sqln1.contoso.com"}) {
			t.Errorf("names: %v %v", c.CNs, c.SANDNS)
		}
		if !c.SelfSigned || c.HasPrivateKey == nil || !*c.HasPrivateKey || c.SidecarMissing || c.FriendlyName != "master" ||
			!reflect.DeepEqual(c.PrivateKeyReaders, []string{`NT Service\SSISScaleOutMaster150`}) {
			t.Errorf("cert = %+v", c)
		}
		if c.NotAfter != "2027-01-01T00:00:00Z" || c.NotAfterNS != 1798761600000000000 || c.Store != "LocalMachine/Root" ||
			c.Artifact != "nodes/SQLN1/certs/LocalMachine/Root/"+f.masterCert.thumb+".cer" || c.FileThumbprint != "" {
			t.Errorf("cert = %+v", c)
		}
		// The misnamed file: the DER wins.
		wc := root[f.workerCert.thumb]
		if wc == nil || wc.FileThumbprint != "0000000000000000000000000000000000000000" || wc.SelfSigned || !wc.SidecarMissing || wc.HasPrivateKey != nil {
			t.Errorf("misnamed cert = %+v", wc)
		}
		if !containsSub(d.Warnings, "0000000000000000000000000000000000000000") {
			t.Errorf("no warning for the misnamed file: %v", d.Warnings)
		}
		// SQLN2: Root failed, My collected.
		if _, ok := n2.Certs["LocalMachine/Root"]; ok || n2.Missing["certs/LocalMachine/Root"] != "access is denied" || n2.Certs["LocalMachine/My"][f.masterCert.thumb] == nil {
			t.Errorf("SQLN2 certs %v missing %v", n2.Certs, n2.Missing)
		}
		// WRK1: PEM, issued by a CA.
		pc := w1.Certs["LocalMachine/My"][f.workerCert.thumb]
		if pc == nil || pc.SelfSigned || !reflect.DeepEqual(pc.CNs, []string{"wrk1.contoso.com"}) {
			t.Errorf("PEM cert = %+v", pc)
		}
	})

	t.Run("configs", func(t *testing.T) {
		m := n1.Configs.Master
		if m == nil || m.ParseError != "" || m.Version != "150" || m.LastWriteNS == 0 || m.Path == "" || m.Artifact != "nodes/SQLN1/files/MasterSettings.config" {
			t.Fatalf("master config = %+v", m)
		}
		if m.Master.Thumbprint != f.masterCert.thumb || m.Lines["SSLCertThumbprint"] != 3 || m.Master.SQLServer.Host != "aglsn.contoso.com" {
			t.Errorf("master = %+v lines %v", m.Master, m.Lines)
		}
		if n1.Configs.Worker != nil || n1.Missing["files"] != "" {
			t.Errorf("SQLN1 worker config %+v missing %v", n1.Configs.Worker, n1.Missing)
		}
		w := w1.Configs.Worker
		if w == nil || w.ParseError != "" || w.Worker.WorkerThumbprint != f.workerCert.thumb || w.Settings["HeartbeatErrorTolerance"] != "00:10:00" || w.Version != "" {
			t.Errorf("worker config = %+v", w)
		}
	})

	t.Run("registry httpsys firewall", func(t *testing.T) {
		sch := n1.Registry[`HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL`]
		if sch["ClientAuthTrustMode"] != float64(2) {
			t.Errorf("registry = %v", n1.Registry)
		}
		b := n1.HTTPSys.Bindings["0.0.0.0:8391"]
		if b == nil || b.CertificateHash != f.masterCert.thumb || b.StoreName != "Root" {
			t.Errorf("binding = %+v", b)
		}
		if n2.HTTPSys != nil || n2.Missing["httpsys"] != "netsh exited 1" {
			t.Errorf("SQLN2 httpsys %v missing %v", n2.HTTPSys, n2.Missing)
		}
		want := []FirewallRule{
			{DisplayName: "SSIS Scale Out Master", Enabled: true, Direction: "Inbound", Action: "Allow", Protocol: "TCP", LocalPort: []string{"8391"}},
			{DisplayName: "Numeric", Enabled: true, Direction: "Inbound", Action: "Allow", Protocol: "TCP", LocalPort: []string{"8391"}},
			{DisplayName: "String", Enabled: false, Direction: "Inbound", Action: "Allow", Protocol: "TCP", LocalPort: []string{"8391", "443"}},
		}
		if !reflect.DeepEqual(n1.Firewall, want) {
			t.Errorf("firewall = %+v", n1.Firewall)
		}
	})

	t.Run("missing bookkeeping", func(t *testing.T) {
		if len(n1.Missing) != 0 {
			t.Errorf("SQLN1 missing = %v", n1.Missing)
		}
		want2 := map[string]string{"certs/LocalMachine/Root": "access is denied", "httpsys": "netsh exited 1", "firewall": NotCollected}
		if !reflect.DeepEqual(n2.Missing, want2) {
			t.Errorf("SQLN2 missing = %v", n2.Missing)
		}
		wantW1 := map[string]string{"services": NotCollected, "registry": NotCollected, "httpsys": NotCollected, "firewall": NotCollected}
		if !reflect.DeepEqual(w1.Missing, wantW1) {
			t.Errorf("WRK1 missing = %v", w1.Missing)
		}
		if w2.Collected || len(w2.Missing) != len(nodeKinds) || w2.Missing["certs"] != "WinRM: connection refused" || w2.Host != nil {
			t.Errorf("WRK2 = %+v", w2)
		}
		if _, ok := d.Missing["cluster"]; ok || d.Cluster == nil || d.Cluster.SourceNode != "SQLN1" {
			t.Errorf("cluster: %v %+v", d.Missing, d.Cluster)
		}
		if d.Cluster.Resources[2].Parameters["Address"] != "10.0.0.50" || !reflect.DeepEqual(d.Cluster.Resources[2].PossibleOwners, []string{"SQLN1"}) {
			t.Errorf("resource = %+v", d.Cluster.Resources[2])
		}
	})

	t.Run("sql", func(t *testing.T) {
		if got := slices.Sorted(maps.Keys(d.SQL)); !reflect.DeepEqual(got, []string{"SQLN1", "SQLN2", `SQLN3\INST1`}) {
			t.Fatalf("instances = %v", got)
		}
		s1 := d.SQL["SQLN1"]
		if s1.Node != "SQLN1" || !s1.Collected {
			t.Errorf("SQLN1 = %+v", s1)
		}
		sp := s1.Queries["server_properties"].Rows[0]
		if sp["IsHadrEnabled"] != true || sp["IsIntegratedSecurityOnly"] != false || sp["IsClustered"] != false || sp["ProductMajorVersion"] != "15" || sp["InstanceName"] != nil {
			t.Errorf("server_properties = %v", sp)
		}
		pr := s1.Queries["server_principals"].Rows
		if pr[0]["is_disabled"] != false || pr[1]["is_disabled"] != true {
			t.Errorf("principals = %v", pr)
		}
		if s1.Queries["configurations"].Rows[0]["value_in_use"] != float64(1) {
			t.Errorf("value_in_use coerced: %v", s1.Queries["configurations"].Rows[0])
		}
		lg := s1.Queries["sql_logins"]
		if lg.Error != "permission denied" || lg.Rows != nil || s1.Missing["sql_logins"] != "permission denied" {
			t.Errorf("sql_logins = %+v missing %v", lg, s1.Missing)
		}
		if s1.Missing["startup_procs"] != "timeout" || s1.Missing["databases"] != NotCollected || s1.Missing["ssisdb_worker_agents"] != NotCollected {
			t.Errorf("SQLN1 missing = %v", s1.Missing)
		}
		if _, ok := s1.Missing["server_properties"]; ok {
			t.Error("server_properties marked missing")
		}
		s2 := d.SQL["SQLN2"]
		if s2.Error != "TLS handshake failed" || s2.Missing["databases"] != "TLS handshake failed" || s2.Node != "SQLN2" {
			t.Errorf("SQLN2 = %+v", s2)
		}
		if _, ok := s2.Missing["ssisdb_worker_agents"]; ok {
			t.Error("primary-only query expected on a secondary")
		}
		s3 := d.SQL[`SQLN3\INST1`]
		if s3.Collected || s3.Error != "login failed" || s3.Missing["server_properties"] != "login failed" {
			t.Errorf("SQLN3 = %+v", s3)
		}
	})

	t.Run("deployment", func(t *testing.T) {
		dep := d.Deployment
		if dep.MasterDNS != "ssismaster.contoso.com" || dep.MasterDNSSource != SourceCluster {
			t.Errorf("master dns = %q (%s)", dep.MasterDNS, dep.MasterDNSSource)
		}
		if dep.MasterPort != 8391 || dep.MasterPortSource != SourceMasterConfigs {
			t.Errorf("master port = %d (%s)", dep.MasterPort, dep.MasterPortSource)
		}
		if dep.Domain != "contoso.com" || dep.MasterVersion != "150" || dep.ActiveMasterNode != "SQLN2" {
			t.Errorf("deployment = %+v", dep)
		}
		if !reflect.DeepEqual(dep.MasterNodes, []string{"SQLN1", "SQLN2"}) || !reflect.DeepEqual(dep.WorkerNodes, []string{"WRK1", "WRK2"}) ||
			!reflect.DeepEqual(dep.ReplicaNodes, []string{"SQLN1", "SQLN2"}) {
			t.Errorf("lists = %v %v %v", dep.MasterNodes, dep.WorkerNodes, dep.ReplicaNodes)
		}
		if dep.MasterThumbprint != f.masterCert.thumb || dep.MasterThumbprintSource != "active node SQLN2" {
			t.Errorf("thumbprint = %s (%s)", dep.MasterThumbprint, dep.MasterThumbprintSource)
		}
		if dep.PrimaryInstance != "SQLN1" {
			t.Errorf("primary = %q", dep.PrimaryInstance)
		}
		if dep.Listener == nil || dep.Listener.Host != "aglsn" || dep.Listener.Port != 1433 || dep.Listener.Source != SourceAGListeners {
			t.Errorf("listener = %+v", dep.Listener)
		}
	})
}

// TestServiceKinds checks the index of a node's services by kind, alone
// and as Normalize writes it from a services.json.
func TestServiceKinds(t *testing.T) {
	svcs := func(names ...string) map[string]*Service {
		m := map[string]*Service{}
		for _, n := range names {
			k, v := ServiceKind(n)
			m[n] = &Service{Name: n, Kind: k, Version: v}
		}
		return m
	}
	cases := []struct {
		name     string
		services map[string]*Service
		want     map[string][]string
	}{
		{"none", map[string]*Service{}, map[string][]string{}},
		{"nil", nil, map[string][]string{}},
		{"one worker", svcs("SSISScaleOutWorker150"), map[string][]string{"worker": {"SSISScaleOutWorker150"}}},
		{"every kind", svcs("SSISScaleOutMaster150", "SSISScaleOutWorker150", "MSSQLSERVER", "MSSQL$INST1", "MsDtsServer150", "ClusSvc", "RemoteRegistry", "W32Time"),
			map[string][]string{
				"master":  {"SSISScaleOutMaster150"},
				"worker":  {"SSISScaleOutWorker150"},
				"sql":     {"MSSQL$INST1", "MSSQLSERVER"},
				"ssis":    {"MsDtsServer150"},
				"cluster": {"ClusSvc"},
				"other":   {"RemoteRegistry", "W32Time"},
			}},
		// sorted in byte order (as Rego's sort), upper case first
		{"two workers", svcs("ssisscaleoutworker160", "SSISScaleOutWorker150", "SSISScaleOutWorkerX"),
			map[string][]string{"worker": {"SSISScaleOutWorker150", "SSISScaleOutWorkerX", "ssisscaleoutworker160"}}},
		// the kind as the service has it, whatever its name
		{"kind as written", map[string]*Service{"a": {Name: "a", Kind: "worker"}, "b": {Name: "b", Kind: "master"}},
			map[string][]string{"worker": {"a"}, "master": {"b"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := serviceKinds(tc.services)
			if got == nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("serviceKinds = %#v, want %#v", got, tc.want)
			}
		})
	}

	// Normalize: from services.json, for collected and uncollected nodes.
	f := newFixture(t)
	f.files["nodes/SQLN1/services.json"] = mustJSON([]map[string]any{
		{"Name": "SSISScaleOutWorker150", "State": "Running"},
		{"Name": "MSSQLSERVER", "State": "Running"},
		{"Name": "SSISScaleOutMaster150", "State": "Running"},
		{"Name": "ssisscaleoutworker140", "State": "Stopped"},
		{"Name": "RemoteRegistry", "State": "Running"},
	})
	d := normalizeFixture(t, f)
	validate(t, validator(t), d)
	for node, want := range map[string]map[string][]string{
		"SQLN1": {"worker": {"SSISScaleOutWorker150", "ssisscaleoutworker140"}, "master": {"SSISScaleOutMaster150"}, "sql": {"MSSQLSERVER"}, "other": {"RemoteRegistry"}},
		"WRK1":  {}, // services.json not collected
		"WRK2":  {}, // node not collected
	} {
		if got := d.Nodes[node].ServiceKinds; got == nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: service_kinds = %#v, want %#v", node, got, want)
		}
	}
	data, _ := json.Marshal(d.Nodes["WRK2"])
	if !strings.Contains(string(data), `"service_kinds":{}`) {
		t.Errorf("WRK2 = %s, want service_kinds {}", data)
	}
}

func containsSub(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestDeclaredDeployment(t *testing.T) {
	f := newFixture(t)
	var m map[string]any
	json.Unmarshal(f.files["bundle.json"], &m)
	m["deployment"] = map[string]any{"name": "x", "variant": "ag", "master_dns": "SSISMaster.Contoso.com", "master_port": 9000,
		"listener": "tcp:aglsn.contoso.com,1500", "scale_out_version": "160"}
	f.files["bundle.json"] = mustJSON(m)
	// No cluster: active node from the running service; thumbprints agree.
	delete(f.files, "nodes/SQLN1/cluster.json")
	d := normalizeFixture(t, f)
	dep := d.Deployment
	if dep.MasterDNS != "ssismaster.contoso.com" || dep.MasterDNSSource != SourceDeclared || dep.MasterPort != 9000 || dep.MasterPortSource != SourceDeclared ||
		dep.MasterVersion != "160" || dep.Listener.Host != "aglsn.contoso.com" || dep.Listener.Port != 1500 || dep.Listener.Source != SourceDeclared {
		t.Errorf("deployment = %+v listener %+v", dep, dep.Listener)
	}
	if dep.ActiveMasterNode != "SQLN1" || dep.MasterThumbprintSource != "active node SQLN1" {
		t.Errorf("active = %q thumb source %q", dep.ActiveMasterNode, dep.MasterThumbprintSource)
	}
	if d.Cluster != nil || !strings.Contains(d.Missing["cluster"], "SQLN1: not collected") || !strings.Contains(d.Missing["cluster"], "WRK2: WinRM") {
		t.Errorf("cluster missing = %q", d.Missing["cluster"])
	}
	validate(t, validator(t), d)

	// No running master: thumbprints agree across master nodes.
	f.files["nodes/SQLN1/services.json"] = []byte(`[]`)
	d = normalizeFixture(t, f)
	if d.Deployment.ActiveMasterNode != "" || d.Deployment.MasterThumbprintSource != "all master nodes agree" {
		t.Errorf("no active: %+v", d.Deployment)
	}
	// They differ: the first master node's.
	f.files["nodes/SQLN2/files/MasterSettings.config"] = []byte(`{"PortNumber": 8392, "SSLCertThumbprint": "ABCD"}`)
	d = normalizeFixture(t, f)
	if d.Deployment.MasterThumbprintSource != "first master node SQLN1" || d.Deployment.MasterPort != 9000 {
		t.Errorf("differ: %+v", d.Deployment)
	}
}

func TestPrimaryByReplicaState(t *testing.T) {
	f := newFixture(t)
	// Both have SSISDB result sets; SQLN2 is the local primary.
	f.files["sql/SQLN1/ssisdb_replica_states.json"] = []byte(`{"columns":["replica_server_name","is_local","is_primary_replica"],"rows":[["SQLN1",true,false]],"error":null}`)
	f.files["sql/SQLN2/ssisdb_replica_states.json"] = []byte(`{"columns":["replica_server_name","is_local","is_primary_replica"],"rows":[["SQLN2","1","1"]],"error":null}`)
	d := normalizeFixture(t, f)
	if d.Deployment.PrimaryInstance != "SQLN2" {
		t.Errorf("primary = %q", d.Deployment.PrimaryInstance)
	}
	// Only SQLN1 answered the SSISDB queries.
	delete(f.files, "sql/SQLN2/ssisdb_master_properties.json")
	d = normalizeFixture(t, f)
	if d.Deployment.PrimaryInstance != "SQLN1" {
		t.Errorf("primary = %q", d.Deployment.PrimaryInstance)
	}
	// None: document-level missing.
	delete(f.files, "sql/SQLN1/ssisdb_master_properties.json")
	d = normalizeFixture(t, f)
	if d.Deployment.PrimaryInstance != "" || d.Missing["ssisdb"] == "" || d.Deployment.Listener != nil {
		t.Errorf("no primary: %q %v", d.Deployment.PrimaryInstance, d.Missing)
	}
}

func TestNormalizeErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(f *fixture)
		want string
	}{
		{"services not JSON", func(f *fixture) { f.files["nodes/SQLN1/services.json"] = []byte(`[{"Name": "x",}]`) },
			"nodes/SQLN1/services.json: invalid JSON at line 1"},
		{"services wrong shape", func(f *fixture) { f.files["nodes/SQLN1/services.json"] = []byte(`[1]`) },
			"nodes/SQLN1/services.json: [0]: got a number, want an object"},
		{"host not object", func(f *fixture) { f.files["nodes/SQLN1/host.json"] = []byte(`"SQLN1"`) },
			"nodes/SQLN1/host.json: got a string, want an object"},
		{"cer not a certificate", func(f *fixture) {
			f.files["nodes/SQLN1/certs/LocalMachine/My/AB.cer"] = []byte("hello")
		}, "nodes/SQLN1/certs/LocalMachine/My/AB.cer: not a DER or PEM X.509 certificate"},
		{"sidecar not JSON", func(f *fixture) {
			f.files["nodes/SQLN1/certs/LocalMachine/Root/"+f.masterCert.thumb+".json"] = []byte("HasPrivateKey: yes")
		}, "nodes/SQLN1/certs/LocalMachine/Root/" + "%THUMB%.json: invalid JSON"},
		{"arity", func(f *fixture) {
			f.files["sql/SQLN1/configurations.json"] = []byte(`{"columns":["name","value_in_use"],"rows":[["clr enabled",1],["x"]],"error":null}`)
		}, "sql/SQLN1/configurations.json: rows[1]: 1 values, want 2"},
		{"rows not array", func(f *fixture) {
			f.files["sql/SQLN1/configurations.json"] = []byte(`{"columns":["name"],"rows":{"a":1},"error":null}`)
		}, "sql/SQLN1/configurations.json: rows: got an object"},
		{"errors.json not array", func(f *fixture) { f.files["nodes/SQLN2/errors.json"] = []byte(`"oops"`) },
			"nodes/SQLN2/errors.json: got a string, want an array of objects"},
		{"deep JSON", func(f *fixture) {
			f.files["nodes/SQLN1/registry.json"] = []byte(strings.Repeat("[", 100) + strings.Repeat("]", 100))
		}, "nodes/SQLN1/registry.json: JSON nested more than 64 levels"},
		{"cluster resources", func(f *fixture) { f.files["nodes/SQLN1/cluster.json"] = []byte(`{"Resources": 5}`) },
			"nodes/SQLN1/cluster.json: Resources: got a number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tc.edit(f)
			_, err := Normalize(f.open(t))
			want := strings.ReplaceAll(tc.want, "%THUMB%", f.masterCert.thumb)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v, want containing %q", err, want)
			}
		})
	}
}

func TestContentProblemsAreFacts(t *testing.T) {
	f := newFixture(t)
	f.files["nodes/SQLN1/files/MasterSettings.config"] = []byte("\x89PNG\r\n")
	f.files["nodes/SQLN2/httpsys.txt"] = []byte("SSL-Zertifikatbindungen:\n IP-Adresse:Port : 0.0.0.0:8391\n")
	delete(f.files, "nodes/SQLN2/errors.json")
	d := normalizeFixture(t, f)
	if m := d.Nodes["SQLN1"].Configs.Master; m == nil || !strings.Contains(m.ParseError, "first byte 0x89") {
		t.Errorf("parse error = %+v", m)
	}
	if !strings.Contains(d.Nodes["SQLN2"].Missing["httpsys"], "httpsys.txt") {
		t.Errorf("httpsys missing = %v", d.Nodes["SQLN2"].Missing)
	}
	validate(t, validator(t), d)
}

// TestEmptyCollections checks that nil maps and slices never reach JSON as
// null where the schema says object or array.
func TestEmptyCollections(t *testing.T) {
	f := &fixture{files: map[string][]byte{
		"bundle.json": []byte(`{"format":"ssis-ha-lint-bundle","version":1,"deployment":{"variant":"fci"},
			"nodes":[{"name":"n1","collected":true}]}`),
		"nodes/N1/host.json": []byte(`{"ComputerName":"N1","PartOfDomain":false,"DNSHostName":"N1"}`),
	}}
	d := normalizeFixture(t, f)
	data := validate(t, validator(t), d)
	var m map[string]any
	json.Unmarshal(data, &m)
	node := m["nodes"].(map[string]any)["N1"].(map[string]any)
	for _, k := range []string{"roles", "missing", "services", "certs", "registry", "firewall"} {
		if node[k] == nil {
			t.Errorf("node.%s is null", k)
		}
	}
	dep := m["deployment"].(map[string]any)
	for _, k := range []string{"master_nodes", "worker_nodes", "replica_nodes"} {
		if dep[k] == nil {
			t.Errorf("deployment.%s is null", k)
		}
	}
	if m["sql"] == nil || m["missing"] == nil || m["warnings"] == nil {
		t.Errorf("document collections: %v", string(data))
	}
	if d.Missing["sql"] == "" || d.Missing["cluster"] == "" || d.Nodes["N1"].Host.FQDN != "n1" {
		t.Errorf("missing = %v host %+v", d.Missing, d.Nodes["N1"].Host)
	}
}

// TestArchiveForms normalizes the same fixture from a zip.
func TestSchemaIsValidJSON(t *testing.T) {
	var v map[string]any
	if err := json.Unmarshal(Schema(), &v); err != nil {
		t.Fatal(err)
	}
	if v["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v", v["$schema"])
	}
}

// TestTestdataBundles normalizes every bundle under testdata/bundles and
// validates the facts against the schema.
func TestTestdataBundles(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "bundles")
	entries, err := os.ReadDir(root)
	if os.IsNotExist(err) {
		t.Skip("testdata/bundles does not exist yet")
	}
	if err != nil {
		t.Fatal(err)
	}
	s := validator(t)
	for _, e := range entries {
		name := e.Name()
		lower := strings.ToLower(name)
		if !e.IsDir() && !strings.HasSuffix(lower, ".zip") && !strings.HasSuffix(lower, ".tar.gz") && !strings.HasSuffix(lower, ".tgz") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			b, err := bundle.Open(filepath.Join(root, name))
			if err != nil {
				t.Fatal(err)
			}
			d, err := Normalize(b)
			if err != nil {
				t.Fatal(err)
			}
			validate(t, s, d)
		})
	}
}

// TestZipSameFacts normalizes a bundle from its folder and from a zip of
// it (with a top-level folder): the facts are the same but for the path.
func TestZipSameFacts(t *testing.T) {
	f := newFixture(t)
	fromDir := normalizeFixture(t, f)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range f.files {
		w, _ := zw.Create("evidence/" + name)
		w.Write(data)
	}
	zw.Close()
	b, err := bundle.FromZip("evidence.zip", bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	fromZip, err := Normalize(b)
	if err != nil {
		t.Fatal(err)
	}
	fromZip.Bundle.Path = fromDir.Bundle.Path
	a, _ := json.Marshal(fromDir)
	z, _ := json.Marshal(fromZip)
	if !bytes.Equal(a, z) {
		t.Errorf("facts differ between folder and zip")
	}
}

// TestSchemaRejects checks that the schema is strict where the facts are
// derived: a null collection or an unknown derived field does not validate.
func TestSchemaRejects(t *testing.T) {
	d := normalizeFixture(t, newFixture(t))
	s := validator(t)
	data, _ := json.Marshal(d)
	edits := map[string]func(m map[string]any){
		"null roles":    func(m map[string]any) { m["nodes"].(map[string]any)["SQLN1"].(map[string]any)["roles"] = nil },
		"null missing":  func(m map[string]any) { m["missing"] = nil },
		"extra derived": func(m map[string]any) { m["deployment"].(map[string]any)["master_hostname"] = "x" },
		"bad variant":   func(m map[string]any) { m["deployment"].(map[string]any)["variant"] = "sa" },
		"thumb lower case": func(m map[string]any) {
			root := m["nodes"].(map[string]any)["SQLN1"].(map[string]any)["certs"].(map[string]any)["LocalMachine/Root"].(map[string]any)
			for _, c := range root {
				c.(map[string]any)["thumbprint"] = "ab"
			}
		},
		"null service_kinds": func(m map[string]any) {
			m["nodes"].(map[string]any)["SQLN1"].(map[string]any)["service_kinds"] = nil
		},
		"unknown service kind": func(m map[string]any) {
			m["nodes"].(map[string]any)["SQLN1"].(map[string]any)["service_kinds"] = map[string]any{"Worker": []any{"SSISScaleOutWorker150"}}
		},
		"empty service kind": func(m map[string]any) {
			m["nodes"].(map[string]any)["SQLN1"].(map[string]any)["service_kinds"] = map[string]any{"worker": []any{}}
		},
		"settings object": func(m map[string]any) {
			m["nodes"].(map[string]any)["SQLN1"].(map[string]any)["configs"].(map[string]any)["master"].(map[string]any)["settings"].(map[string]any)["PortNumber"] = map[string]any{}
		},
	}
	for name, edit := range edits {
		var m map[string]any
		json.Unmarshal(data, &m)
		edit(m)
		raw, _ := json.Marshal(m)
		inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err := s.Validate(inst); err == nil {
			t.Errorf("%s: validated", name)
		}
	}

	// Facts written before service_kinds was added still validate.
	var m map[string]any
	json.Unmarshal(data, &m)
	for _, node := range m["nodes"].(map[string]any) {
		delete(node.(map[string]any), "service_kinds")
	}
	raw, _ := json.Marshal(m)
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err := s.Validate(inst); err != nil {
		t.Errorf("facts without service_kinds: %v", err)
	}
}

// TestMalformedTestdata checks the generator's malformed inputs
// (testdata/malformed): each is an error naming the file, or a ParseError.
func TestMalformedTestdata(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "malformed")
	if _, err := os.Stat(root); os.IsNotExist(err) {
		t.Skip("testdata/malformed does not exist yet")
	}
	cases := []struct {
		name, openErr, normErr, parseErr string
	}{
		{name: "bundle-json-not-json", openErr: "bundle.json: invalid JSON at line 1"},
		{name: "truncated.zip", openErr: "truncated.zip: not a readable zip archive"},
		{name: "cert-not-der", normErr: "nodes/WRK1/certs/LocalMachine/My/"},
		{name: "config-binary", parseErr: "unpaired surrogate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(root, tc.name)
			if _, err := os.Stat(p); err != nil {
				t.Skip(err)
			}
			b, err := bundle.Open(p)
			if tc.openErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.openErr) {
					t.Fatalf("Open: %v, want %q", err, tc.openErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			d, err := Normalize(b)
			if tc.normErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.normErr) || !strings.Contains(err.Error(), ".cer: not a DER or PEM X.509 certificate") {
					t.Fatalf("Normalize: %v, want %q", err, tc.normErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m := d.Nodes["SQLN1"].Configs.Master
			if m == nil || !strings.Contains(m.ParseError, tc.parseErr) {
				t.Fatalf("config = %+v", m)
			}
			validate(t, validator(t), d)
		})
	}
}
