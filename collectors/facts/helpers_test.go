package facts

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
)

// certSpec describes a test certificate.
type certSpec struct {
	cns      []string
	dns      []string
	issuer   *x509.Certificate // nil: self-signed
	issuerKy *ecdsa.PrivateKey
	isCA     bool
}

type testCert struct {
	der   []byte
	thumb string
	cert  *x509.Certificate
	key   *ecdsa.PrivateKey
}

var serial int64 = 1000

func makeCert(t testing.TB, s certSpec) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial++
	subj := pkix.Name{Organization: []string{"Contoso"}}
	for _, cn := range s.cns {
		subj.ExtraNames = append(subj.ExtraNames, pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: cn})
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               subj,
		DNSNames:              s.dns,
		NotBefore:             time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA:                  s.isCA,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	parent, signer := tmpl, key
	if s.issuer != nil {
		parent, signer = s.issuer, s.issuerKy
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	sum := sha1.Sum(der)
	return testCert{der: der, thumb: strings.ToUpper(hex.EncodeToString(sum[:])), cert: c, key: key}
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}

// fixture is a realistic AG deployment bundle, as files.
type fixture struct {
	files      map[string][]byte
	masterCert testCert
	workerCert testCert
	caCert     testCert
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	master := makeCert(t, certSpec{cns: []string{"ssismaster", "ssismaster.contoso.com"}, dns: []string{"ssismaster.contoso.com", "sqln1.contoso.com"}})
	ca := makeCert(t, certSpec{cns: []string{"Contoso Root CA"}, isCA: true})
	worker := makeCert(t, certSpec{cns: []string{"wrk1.contoso.com"}, dns: []string{"wrk1.contoso.com"}, issuer: ca.cert, issuerKy: ca.key})
	f := &fixture{files: map[string][]byte{}, masterCert: master, workerCert: worker, caCert: ca}
	set := func(name string, v any) {
		switch x := v.(type) {
		case string:
			f.files[name] = []byte(x)
		case []byte:
			f.files[name] = x
		default:
			f.files[name] = mustJSON(v)
		}
	}
	set("bundle.json", map[string]any{
		"format": "ssis-ha-lint-bundle", "version": 1, "created_utc": "2026-11-27T10:00:00Z", "tool_version": "0.1.0",
		"deployment": map[string]any{"name": "prod-etl", "variant": "ag"},
		"nodes": []any{
			map[string]any{"name": "SQLN1", "roles": []string{"master", "replica"}, "collected": true},
			map[string]any{"name": "sqln2", "roles": []string{"Master", "replica"}, "collected": true},
			map[string]any{"name": "WRK1", "roles": []string{"worker"}, "collected": true},
			map[string]any{"name": "WRK2", "roles": []string{"worker"}, "collected": false, "error": "WinRM: connection refused"},
		},
		"sql": []any{
			map[string]any{"instance": "SQLN1", "collected": true},
			map[string]any{"instance": "SQLN2", "collected": true},
			map[string]any{"instance": `SQLN3\INST1`, "collected": false, "error": "login failed"},
		},
	})
	for i, n := range []string{"SQLN1", "SQLN2", "WRK1"} {
		set("nodes/"+n+"/host.json", map[string]any{"ComputerName": n, "DNSHostName": strings.ToLower(n), "Domain": "Contoso.com",
			"PartOfDomain": true, "Caption": "Microsoft Windows Server 2022 Datacenter", "Version": "10.0.20348", "CollectedUtc": "2026-11-27T10:00:00Z"})
		if n == "WRK1" {
			continue
		}
		state := "Running"
		if i == 1 {
			state = "Stopped"
		}
		set("nodes/"+n+"/services.json", []any{
			map[string]any{"Name": "SSISScaleOutMaster150", "DisplayName": "SQL Server Integration Services Scale Out Master 15.0",
				"StartName": `NT Service\SSISScaleOutMaster150`, "StartMode": "Manual", "State": state, "ProcessId": 4242,
				"PathName": `"C:\Program Files\Microsoft SQL Server\150\DTS\Binn\MasterService.exe"`, "ProcessStartUtc": "2026-11-20T08:00:00Z"},
			map[string]any{"Name": "MSSQLSERVER", "State": "Running", "ProcessId": 0},
			map[string]any{"Name": "ClusSvc", "State": "Running"},
			map[string]any{"Name": "RemoteRegistry", "State": "Stopped"},
		})
		set("nodes/"+n+"/files/MasterSettings.config", "\xEF\xBB\xBF{\r\n  \"PortNumber\": 8391,\r\n  \"SSLCertThumbprint\": \"\u200e"+strings.ToLower(master.thumb)+"\",\r\n  \"SqlServerName\": \"aglsn.contoso.com,1433\"\r\n}\r\n")
		set("nodes/"+n+"/files.json", []any{map[string]any{"Name": "MasterSettings.config",
			"Path": `C:\Program Files\Microsoft SQL Server\150\DTS\Binn\MasterSettings.config`, "Size": 120, "LastWriteUtc": "2026-11-01T12:00:00Z", "Sha256": "00"}})
		set("nodes/"+n+"/registry.json", map[string]any{
			`HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL`: map[string]any{"SendTrustedIssuerList": 0, "ClientAuthTrustMode": 2}})
	}
	// SQLN1: full certs (one file misnamed), netsh, firewall, cluster.
	set("nodes/SQLN1/certs/LocalMachine/Root/"+master.thumb+".cer", master.der)
	set("nodes/SQLN1/certs/LocalMachine/Root/"+master.thumb+".json", map[string]any{"Store": `LocalMachine\Root`, "HasPrivateKey": true, "FriendlyName": "master", "PrivateKeyReaders": `NT Service\SSISScaleOutMaster150`})
	set("nodes/SQLN1/certs/LocalMachine/Root/0000000000000000000000000000000000000000.cer", worker.der)
	set("nodes/SQLN1/httpsys.txt", strings.Replace(netshSample, "3c2a9f1e0b7d4c5a6e8f9a0b1c2d3e4f5a6b7c8d", master.thumb, 1))
	set("nodes/SQLN1/firewall.json", []any{
		map[string]any{"DisplayName": "SSIS Scale Out Master", "Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": []string{"8391"}},
		map[string]any{"DisplayName": "Numeric", "Enabled": 1, "Direction": 1, "Action": 2, "Protocol": 6, "LocalPort": 8391},
		map[string]any{"DisplayName": "String", "Enabled": "False", "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": "8391, 443"},
	})
	set("nodes/SQLN1/cluster.json", map[string]any{
		"Name":   "SSISCLU",
		"Nodes":  []any{map[string]any{"Name": "SQLN1", "State": "Up"}, map[string]any{"Name": "SQLN2", "State": "Up"}},
		"Groups": []any{map[string]any{"Name": "ssismaster", "State": "Online", "OwnerNode": "SQLN2", "GroupType": "GenericService"}},
		"Resources": []any{
			map[string]any{"Name": "SSIS Scale Out Master", "ResourceType": "Generic Service", "OwnerGroup": "ssismaster", "OwnerNode": "sqln2",
				"State": "Online", "PossibleOwners": []string{"SQLN1", "SQLN2"}, "Parameters": map[string]any{"ServiceName": "SSISScaleOutMaster150"}},
			map[string]any{"Name": "ssismaster", "ResourceType": "Network Name", "OwnerGroup": "ssismaster", "OwnerNode": "SQLN2",
				"State": "Online", "Parameters": map[string]any{"DnsName": "SSISMaster", "Name": "SSISMASTER"}},
			map[string]any{"Name": "IP Address 10.0.0.50", "ResourceType": "IP Address", "OwnerGroup": "ssismaster", "OwnerNode": "SQLN2",
				"State": "Online", "PossibleOwners": "SQLN1", "Parameters": []any{map[string]any{"Name": "Address", "Value": "10.0.0.50"}}},
		},
	})
	// SQLN2: the Root store could not be read, httpsys failed; no firewall.json.
	set("nodes/SQLN2/certs/LocalMachine/My/"+master.thumb+".cer", master.der)
	set("nodes/SQLN2/errors.json", []any{
		map[string]any{"Artifact": "certs/LocalMachine/Root", "Error": "access is denied"},
		map[string]any{"Artifact": "httpsys", "Error": "netsh exited 1"},
	})
	// WRK1: worker config in UTF-16 with old spellings, worker cert without sidecar.
	set("nodes/WRK1/files/WorkerSettings.config", utf16LE(strings.Replace(workerJSON, "1234567890ABCDEF1234567890ABCDEF12345678", worker.thumb, 1), true))
	set("nodes/WRK1/certs/LocalMachine/My/"+worker.thumb+".cer", []byte("-----BEGIN CERTIFICATE-----\n"+wrap64(worker.der)+"-----END CERTIFICATE-----\n"))

	// SQL.
	rs := func(qid string, cols []string, rows [][]any) map[string]any {
		return map[string]any{"query_id": qid, "sql": "SELECT ...", "collected_utc": "2026-11-27T10:00:03Z", "columns": cols, "rows": rows, "error": nil}
	}
	for _, n := range []string{"SQLN1", "SQLN2"} {
		set("sql/"+n+"/server_properties.json", rs("server_properties",
			[]string{"ServerName", "ComputerNamePhysicalNetBIOS", "MachineName", "InstanceName", "ProductVersion", "ProductMajorVersion", "IsHadrEnabled", "IsIntegratedSecurityOnly", "IsClustered"},
			[][]any{{n, strings.ToLower(n), n, nil, "15.0.4345.5", "15", 1, "0", false}}))
		local := n == "SQLN1"
		set("sql/"+n+"/ssisdb_replica_states.json", rs("ssisdb_replica_states",
			[]string{"replica_server_name", "is_local", "is_primary_replica", "synchronization_state_desc", "synchronization_health_desc", "database_state_desc"},
			[][]any{{n, 1, local, "SYNCHRONIZED", "HEALTHY", "ONLINE"}}))
		set("sql/"+n+"/ag_listeners.json", rs("ag_listeners", []string{"ag_name", "dns_name", "port", "ip_address", "ip_state_desc"},
			[][]any{{"OtherAG", "otherlsn", 1500, "10.0.0.9", "ONLINE"}, {"AG1", "aglsn", 1433, "10.0.0.60", "ONLINE"}}))
		set("sql/"+n+"/ag_ssisdb.json", rs("ag_ssisdb", []string{"ag_name", "group_id", "database_name"}, [][]any{{"AG1", "6A1B0000-0000-0000-0000-000000000000", "SSISDB"}}))
		set("sql/"+n+"/configurations.json", rs("configurations", []string{"name", "value_in_use"}, [][]any{{"clr enabled", 1}}))
		set("sql/"+n+"/ssisdb_master_properties.json", rs("ssisdb_master_properties", []string{"property_name", "property_value"},
			[][]any{{"MASTER_SERVICE_PORT", "8391"}, {"MASTER_ADDRESS", "https://ssismaster.contoso.com:8391"}}))
	}
	set("sql/SQLN1/server_principals.json", rs("server_principals", []string{"name", "sid", "type_desc", "is_disabled"},
		[][]any{{"##MS_SSISLogDBWorkerAgentLogin##", "0x6A1B", "SQL_LOGIN", 0}, {`NT Service\SSISScaleOutMaster150`, "0x01", "WINDOWS_LOGIN", "true"}}))
	set("sql/SQLN1/sql_logins.json", map[string]any{"query_id": "sql_logins", "columns": []string{"name", "is_policy_checked"}, "rows": nil, "error": "permission denied"})
	set("sql/SQLN1/errors.json", []any{map[string]any{"Query": "startup_procs", "Error": "timeout"}})
	set("sql/SQLN2/errors.json", []any{map[string]any{"Artifact": "", "Error": "TLS handshake failed"}})
	return f
}

func wrap64(der []byte) string {
	var b strings.Builder
	s := base64.StdEncoding.EncodeToString(der)
	for len(s) > 64 {
		b.WriteString(s[:64] + "\n")
		s = s[64:]
	}
	b.WriteString(s + "\n")
	return b.String()
}

// write puts the fixture in a temp folder and opens it.
func (f *fixture) open(t testing.TB) *bundle.Bundle {
	t.Helper()
	dir := t.TempDir()
	for name, data := range f.files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := bundle.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// validator compiles the embedded schema.
func validator(t testing.TB) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("facts.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("facts.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t testing.TB, s *jsonschema.Schema, d *Document) []byte {
	t.Helper()
	data, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("facts do not validate against schema.json: %v", err)
	}
	checkServiceKinds(t, d)
	return data
}

// checkServiceKinds checks every node's ServiceKinds against its Services
// (the reference: each service listed once, under its kind, in sorted
// lists, and nothing else).
func checkServiceKinds(t testing.TB, d *Document) {
	t.Helper()
	for name, node := range d.Nodes {
		if node.ServiceKinds == nil {
			t.Errorf("nodes.%s.service_kinds is nil", name)
			continue
		}
		want := map[string][]string{}
		for _, sn := range slices.Sorted(maps.Keys(node.Services)) {
			k := node.Services[sn].Kind
			want[k] = append(want[k], sn)
		}
		if !reflect.DeepEqual(node.ServiceKinds, want) {
			t.Errorf("nodes.%s.service_kinds = %v, want %v", name, node.ServiceKinds, want)
		}
	}
}
