package bundlegen

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
)

// Fixed dates relative to CreatedUTC (2026-11-27).
var (
	certNotBefore = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	certNotAfter  = time.Date(2028, 6, 1, 0, 0, 0, 0, time.UTC)
)

// Certificate keys used by the healthy constructors.
const (
	CertMaster    = "master"
	CertRootCA    = "contoso-root-ca"
	CertPartnerCA = "fabrikam-partner-root"
)

// WorkerCert is the certificate key of a worker's own certificate.
func WorkerCert(node string) string { return "worker-" + strings.ToLower(node) }

// HostCert is the certificate key of a node's enterprise-issued machine
// certificate (in My, used by an unrelated HTTP.SYS binding).
func HostCert(node string) string { return "host-" + strings.ToLower(node) }

// GUID returns a deterministic GUID (upper case, canonical form) for a name.
func GUID(name string) string {
	h := sha256.Sum256([]byte("guid:" + name))
	b := h[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	x := strings.ToUpper(hex.EncodeToString(b))
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// domainSID is the (made up) SID prefix of the CONTOSO domain.
var domainSID = [3]uint32{1004336348, 1177238915, 682003330}

// DomainAccountSID is the binary SID (0x... upper hex) of a domain account.
func DomainAccountSID(rid uint32) string {
	b := []byte{1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0}
	for _, v := range domainSID {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	b = binary.LittleEndian.AppendUint32(b, rid)
	return "0x" + strings.ToUpper(hex.EncodeToString(b))
}

// ServiceSID is the binary SID of the virtual account NT SERVICE\<name>
// (S-1-5-80-<SHA-1 of the upper-case UTF-16LE service name>).
func ServiceSID(service string) string {
	u := utf16.Encode([]rune(strings.ToUpper(service)))
	buf := make([]byte, 0, 2*len(u))
	for _, c := range u {
		buf = binary.LittleEndian.AppendUint16(buf, c)
	}
	h := sha1.Sum(buf)
	b := []byte{1, 6, 0, 0, 0, 0, 0, 5, 80, 0, 0, 0}
	b = append(b, h[:]...)
	return "0x" + strings.ToUpper(hex.EncodeToString(b))
}

// sqlSID is a deterministic 16-byte SQL login SID.
func sqlSID(name string) string {
	h := sha256.Sum256([]byte("sqlsid:" + name))
	return "0x" + strings.ToUpper(hex.EncodeToString(h[:16]))
}

const (
	masterService = "SSISScaleOutMaster150"
	workerService = "SSISScaleOutWorker150"
	masterAccount = `CONTOSO\svc-ssismaster`
	sqlAccount    = `CONTOSO\svc-sqlengine`
	logLogin      = "##MS_SSISLogDBWorkerAgentLogin##"
	logUser       = "##MS_SSISLogDBWorkerAgentUser##"
	binn          = `C:\Program Files\Microsoft SQL Server\150\DTS\Binn\`
	iisAppID      = "{4dc3e181-e14b-4a21-b022-59fc669b0914}"
	winrmAppID    = "{afebb9ad-9b97-4a91-9ab5-daf4d59122f6}"
)

// masterAppID is the Application ID SSIS setup used for the master binding.
var masterAppID = "{" + strings.ToLower(GUID("ssis-scaleout-master-binding")) + "}"

func baseCerts(masterCNs, masterSAN []string) map[string]*CertSpec {
	return map[string]*CertSpec{
		CertMaster: {
			Seed: "ssis-master-2025", CNs: masterCNs, SAN: masterSAN, Serial: "1a2b3c4d5e6f708192a3b4c5d6e7f801",
			NotBefore: certNotBefore, NotAfter: certNotAfter, ServerAuth: true, ClientAuth: true,
		},
		CertRootCA: {
			Seed: "contoso-root-ca", CNs: []string{"Contoso Root CA"}, DC: []string{"contoso", "com"},
			Serial: "5c1e2a4f00a1b2c34d8e9f0a1b2c3d4e", IsCA: true,
			NotBefore: time.Date(2020, 3, 12, 9, 14, 0, 0, time.UTC), NotAfter: time.Date(2040, 3, 12, 9, 24, 0, 0, time.UTC),
		},
		CertPartnerCA: {
			Seed: "fabrikam-partner-root", CNs: []string{"Fabrikam Partner Root CA 2021"}, Org: []string{"Fabrikam, Inc."},
			Serial: "0e7a91c3b5d2f4860a1c3e5b7d9f1a2c", IsCA: true,
			NotBefore: time.Date(2021, 1, 15, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2046, 1, 15, 0, 0, 0, 0, time.UTC),
		},
	}
}

func addWorkerCert(s *Spec, node string, serial string) {
	fqdn := strings.ToLower(node) + "." + s.Domain
	s.Certs[WorkerCert(node)] = &CertSpec{
		Seed: "ssis-worker-" + strings.ToLower(node), CNs: []string{fqdn}, SAN: []string{fqdn},
		Serial: serial, NotBefore: certNotBefore, NotAfter: certNotAfter, ClientAuth: true,
	}
}

func addHostCert(s *Spec, node string, serial string) {
	fqdn := strings.ToLower(node) + "." + s.Domain
	s.Certs[HostCert(node)] = &CertSpec{
		Seed: "host-" + strings.ToLower(node), CNs: []string{fqdn}, SAN: []string{fqdn},
		Serial: serial, Issuer: CertRootCA, ServerAuth: true, ClientAuth: true,
		NotBefore: time.Date(2026, 2, 3, 8, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 2, 3, 8, 0, 0, 0, time.UTC),
	}
}

// pid returns a plausible, deterministic process id for a service on a node.
func pid(node string, base int) int {
	h := sha256.Sum256([]byte("pid:" + node))
	return base + 4*int(binary.LittleEndian.Uint16(h[:])%900)
}

func at(h, m, sec int) time.Time { return time.Date(2026, 11, 27, h, m, sec, 0, time.UTC) }

func day(d, h, m, sec int) time.Time { return time.Date(2026, 11, d, h, m, sec, 0, time.UTC) }

// newNode makes a node with host facts, the common services and the
// unrelated certificates, firewall rules and HTTP.SYS bindings.
func newNode(s *Spec, name, ip string, roles ...string) *Node {
	n := &Node{
		Name: name, Roles: roles, Collected: true,
		DNSHostName: strings.ToLower(name), IP: ip,
		Caption: "Microsoft Windows Server 2022 Datacenter", OSVersion: "10.0.20348",
		CertErrors: map[string]string{},
		Registry: map[string]map[string]any{
			`HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL`: {"EventLogging": 1},
		},
	}
	n.Services = append(n.Services,
		Service{Name: "MsDtsServer150", DisplayName: "SQL Server Integration Services 15.0", StartName: `NT Service\MsDtsServer150`,
			StartMode: "Auto", State: "Running", ProcessID: pid(name, 3212), PathName: `"` + binn + `MsDtsSrvr.exe"`, ProcessStart: day(20, 6, 11, 52)},
		Service{Name: "RemoteRegistry", DisplayName: "Remote Registry", StartName: `NT AUTHORITY\LocalService`,
			StartMode: "Auto", State: "Running", ProcessID: pid(name, 1488), PathName: `C:\Windows\system32\svchost.exe -k localService -p`, ProcessStart: day(20, 6, 10, 58)},
	)
	n.Certs = append(n.Certs,
		StoreCert{Cert: CertRootCA, Location: "LocalMachine", Store: "Root"},
		StoreCert{Cert: CertPartnerCA, Location: "LocalMachine", Store: "Root"},
		StoreCert{Cert: HostCert(name), Location: "LocalMachine", Store: "My", HasPrivateKey: true},
	)
	n.Bindings = append(n.Bindings,
		Binding{IPPort: "0.0.0.0:443", Cert: HostCert(name), AppID: iisAppID, Store: "My"},
		Binding{HostPort: strings.ToLower(name) + "." + s.Domain + ":5986", Cert: HostCert(name), AppID: winrmAppID, Store: "MY"},
	)
	n.Firewall = append(n.Firewall,
		FirewallRule{DisplayName: "Windows Remote Management (HTTP-In)", Enabled: true, Direction: "Inbound", Action: "Allow", Protocol: "TCP", LocalPort: []string{"5985"}},
		FirewallRule{DisplayName: "Windows Remote Management (HTTPS-In)", Enabled: true, Direction: "Inbound", Action: "Allow", Protocol: "TCP", LocalPort: []string{"5986"}},
		FirewallRule{DisplayName: "Remote Desktop - User Mode (TCP-In)", Enabled: true, Direction: "Inbound", Action: "Allow", Protocol: "TCP", LocalPort: []string{"3389"}},
	)
	return n
}

func addMaster(s *Spec, n *Node, active bool, sqlServerName string, workers []string) {
	svc := Service{Name: masterService, DisplayName: "SQL Server Integration Services Scale Out Master 15.0",
		StartName: masterAccount, StartMode: "Manual", State: "Stopped",
		PathName: `"` + binn + `MasterService\Microsoft.SqlServer.IntegrationServices.Scale.MasterService.exe"`}
	if active {
		svc.State, svc.ProcessID, svc.ProcessStart = "Running", pid(n.Name, 4876), day(20, 6, 14, 27)
	}
	n.Services = append(n.Services, svc)
	n.Certs = append(n.Certs, StoreCert{Cert: CertMaster, Location: "LocalMachine", Store: "Root", HasPrivateKey: true,
		FriendlyName: "SSISScaleOutMaster", Readers: []string{masterAccount}})
	for _, w := range workers {
		n.Certs = append(n.Certs, StoreCert{Cert: WorkerCert(w), Location: "LocalMachine", Store: "Root"})
	}
	n.Master = &MasterConfig{PortNumber: s.MasterPort, Cert: CertMaster, SqlServerName: sqlServerName,
		CleanupMs: 43200000, ExpiredMs: 300000, HeartbeatMs: 30000, SQLTimeoutSec: 15,
		CRLF: true, LastWrite: day(19, 16, 40, 5)}
	n.Registry[`HKLM\SOFTWARE\Microsoft\Microsoft SQL Server\150\DTS\Setup\SQL_IS_Master`] = map[string]any{"Version": "15.0.2000.5"}
	n.Bindings = append(n.Bindings, Binding{IPPort: fmt.Sprintf("0.0.0.0:%d", s.MasterPort), Cert: CertMaster, AppID: masterAppID, Store: "Root"})
	n.Firewall = append(n.Firewall, FirewallRule{DisplayName: "SSIS Scale Out Master", Enabled: true, Direction: "Inbound",
		Action: "Allow", Protocol: "TCP", LocalPort: []string{fmt.Sprint(s.MasterPort)}})
	n.HasCluster = true
}

func addClusSvc(n *Node) {
	n.Services = append(n.Services, Service{Name: "ClusSvc", DisplayName: "Cluster Service", StartName: "LocalSystem",
		StartMode: "Auto", State: "Running", ProcessID: pid(n.Name, 2064), PathName: `C:\Windows\Cluster\clussvc.exe -s`, ProcessStart: day(20, 6, 11, 3)})
}

func addWorker(s *Spec, n *Node, masterEndpoint string, base int) {
	n.Services = append(n.Services, Service{Name: workerService, DisplayName: "SQL Server Integration Services Scale Out Worker 15.0",
		StartName: `NT Service\SSISScaleOutWorker150`, StartMode: "Auto", State: "Running", ProcessID: pid(n.Name, base),
		PathName:     `"` + binn + `WorkerAgent\Microsoft.SqlServer.IntegrationServices.Scale.WorkerAgent.exe"`,
		ProcessStart: day(20, 6, 31, 9)})
	n.Certs = append(n.Certs,
		StoreCert{Cert: WorkerCert(n.Name), Location: "LocalMachine", Store: "My", HasPrivateKey: true,
			FriendlyName: "SSISScaleOutWorker", Readers: []string{`NT Service\SSISScaleOutWorker150`, `BUILTIN\Administrators`}},
		StoreCert{Cert: WorkerCert(n.Name), Location: "LocalMachine", Store: "Root"},
		StoreCert{Cert: CertMaster, Location: "LocalMachine", Store: "Root", FriendlyName: "SSISScaleOutMaster"},
	)
	n.Worker = &WorkerConfig{MasterEndpoint: masterEndpoint, MasterCert: CertMaster, WorkerCert: WorkerCert(n.Name),
		StoreLocation: "LocalMachine", StoreName: "My", AgentID: strings.ToLower(GUID("agent:" + n.Name)),
		AgentHeartbeat: "00:01:00", CRLF: true, LastWrite: day(20, 6, 29, 44)}
	n.Registry[`HKLM\SOFTWARE\Microsoft\Microsoft SQL Server\150\DTS\Setup\SQL_IS_Worker`] = map[string]any{"Version": "15.0.2000.5"}
}

func sqlEngine(n *Node, svcName, display string, running bool) {
	svc := Service{Name: svcName, DisplayName: display, StartName: sqlAccount, StartMode: "Auto", State: "Running",
		ProcessID: pid(n.Name, 2744), ProcessStart: day(20, 6, 11, 40)}
	if svcName == "MSSQLSERVER" {
		svc.PathName = `"C:\Program Files\Microsoft SQL Server\MSSQL15.MSSQLSERVER\MSSQL\Binn\sqlservr.exe" -sMSSQLSERVER`
	} else {
		inst := strings.TrimPrefix(svcName, "MSSQL$")
		svc.PathName = `"C:\Program Files\Microsoft SQL Server\MSSQL15.` + inst + `\MSSQL\Binn\sqlservr.exe" -s` + inst
		svc.StartMode = "Manual"
	}
	if !running {
		svc.State, svc.ProcessID, svc.ProcessStart = "Stopped", 0, time.Time{}
	}
	n.Services = append(n.Services, svc)
}

func sqlFirewall(n *Node) {
	n.Firewall = append(n.Firewall,
		FirewallRule{DisplayName: "SQL Server (TCP 1433)", Enabled: true, Direction: "Inbound", Action: "Allow", Protocol: "TCP", LocalPort: []string{"1433"}},
		FirewallRule{DisplayName: "SQL Server AG endpoint (TCP 5022)", Enabled: true, Direction: "Inbound", Action: "Allow", Protocol: "TCP", LocalPort: []string{"5022"}},
		FirewallRule{DisplayName: "SQL Server Browser (UDP 1434)", Enabled: false, Direction: "Inbound", Action: "Allow", Protocol: "UDP", LocalPort: []string{"1434"}},
	)
}

func baseInstance(server, node string) *SQLInstance {
	t := true
	return &SQLInstance{
		ServerName: server, Node: node, MachineName: node, ProductVersion: "15.0.4385.2", Major: "15",
		HadrEnabled: 1, IntegratedOnly: 0,
		Logins: []Login{
			{Name: logLogin, SID: sqlSID(logLogin), Type: "SQL_LOGIN"},
			{Name: "##MS_SQLEnableSystemAssemblyLoadingUser##", SID: sqlSID("##MS_SQLEnableSystemAssemblyLoadingUser##"), Type: "ASYMMETRIC_KEY_MAPPED_LOGIN"},
			{Name: "##MS_SSISServerCleanupJobLogin##", SID: sqlSID("##MS_SSISServerCleanupJobLogin##"), Type: "SQL_LOGIN", Disabled: true},
			{Name: masterAccount, SID: DomainAccountSID(2117), Type: "WINDOWS_LOGIN"},
			{Name: `NT SERVICE\SSISScaleOutMaster150`, SID: ServiceSID(masterService), Type: "WINDOWS_LOGIN"},
		},
		LogLogin:    &SQLLogin{PasswordLastSet: day(19, 17, 2, 11)},
		CLREnabled:  1,
		StartupProc: &t,
		HasSSISDB:   true, DMKBySMK: true,
		LastBackup: at(2, 15, 42),
	}
}

// HealthyAG returns the healthy AG deployment of the examples: nodes SQLN1,
// SQLN2 (master + replica), workers WRK1, WRK2, listener
// aglsn.contoso.com,1433, master role ssismaster.contoso.com:8391, SQL 2019.
func HealthyAG() *Spec {
	s := &Spec{
		Name: "prod-etl", Variant: "ag", Created: CreatedUTC,
		Domain: "contoso.com", NetBIOSDomain: "CONTOSO",
		MasterDNS: "ssismaster.contoso.com", MasterPort: 8391, Listener: "aglsn.contoso.com,1433", ScaleOutVersion: "150",
		Certs: baseCerts([]string{"ssismaster.contoso.com", "SQLN1", "SQLN2"}, []string{"ssismaster.contoso.com", "ssismaster"}),
	}
	addWorkerCert(s, "WRK1", "4a01")
	addWorkerCert(s, "WRK2", "4a02")
	for i, n := range []string{"SQLN1", "SQLN2", "WRK1", "WRK2"} {
		addHostCert(s, n, fmt.Sprintf("61000000a1%02x", i+1))
	}
	workers := []string{"WRK1", "WRK2"}
	endpoint := fmt.Sprintf("https://%s:%d", s.MasterDNS, s.MasterPort)

	n1 := newNode(s, "SQLN1", "10.0.0.11", "master", "replica")
	n2 := newNode(s, "SQLN2", "10.0.0.12", "master", "replica")
	for i, n := range []*Node{n1, n2} {
		sqlEngine(n, "MSSQLSERVER", "SQL Server (MSSQLSERVER)", true)
		addClusSvc(n)
		addMaster(s, n, i == 0, s.Listener, workers)
		sqlFirewall(n)
	}
	n2.Master.LastWrite = day(19, 16, 52, 37)
	// The active node's config is the one with the UTF-8 BOM (edited in
	// Notepad); SQLN2's was written without one.
	n1.Master.BOM = true

	w1 := newNode(s, "WRK1", "10.0.1.21", "worker")
	w2 := newNode(s, "WRK2", "10.0.1.22", "worker")
	addWorker(s, w1, endpoint, 5120)
	addWorker(s, w2, endpoint, 4968)
	w2.Worker.BOM = true
	s.Nodes = []*Node{n1, n2, w1, w2}

	s.Cluster = &Cluster{
		Name:  "SSISCLU",
		Nodes: []ClusterNode{{"SQLN1", "Up"}, {"SQLN2", "Up"}},
		Groups: []ClusterGroup{
			{"Cluster Group", "Online", "SQLN1", "Cluster"},
			{"ssis-ag", "Online", "SQLN1", "Unknown"},
			{"ssismaster", "Online", "SQLN1", "GenericService"},
		},
		Resources: []ClusterResource{
			{Name: "Cluster IP Address", ResourceType: "IP Address", OwnerGroup: "Cluster Group", OwnerNode: "SQLN1", State: "Online",
				PossibleOwners: []string{"SQLN1", "SQLN2"}, Parameters: map[string]any{"Address": "10.0.0.40"}},
			{Name: "Cluster Name", ResourceType: "Network Name", OwnerGroup: "Cluster Group", OwnerNode: "SQLN1", State: "Online",
				PossibleOwners: []string{"SQLN1", "SQLN2"}, Parameters: map[string]any{"DnsName": "SSISCLU", "Name": "SSISCLU"}},
			{Name: "File Share Witness", ResourceType: "File Share Witness", OwnerGroup: "Cluster Group", OwnerNode: "SQLN1", State: "Online",
				PossibleOwners: []string{"SQLN1", "SQLN2"}, Parameters: map[string]any{"SharePath": `\\FS01\witness$\SSISCLU`}},
			{Name: "ssis-ag", ResourceType: "SQL Server Availability Group", OwnerGroup: "ssis-ag", OwnerNode: "SQLN1", State: "Online",
				PossibleOwners: []string{"SQLN1", "SQLN2"}, Parameters: map[string]any{}},
			{Name: "ssis-ag_aglsn", ResourceType: "Network Name", OwnerGroup: "ssis-ag", OwnerNode: "SQLN1", State: "Online",
				PossibleOwners: []string{"SQLN1", "SQLN2"}, Parameters: map[string]any{"DnsName": "aglsn", "Name": "ssis-ag_aglsn"}},
			{Name: "ssis-ag_10.0.0.60", ResourceType: "IP Address", OwnerGroup: "ssis-ag", OwnerNode: "SQLN1", State: "Online",
				PossibleOwners: []string{"SQLN1", "SQLN2"}, Parameters: map[string]any{"Address": "10.0.0.60"}},
			{Name: "SSIS Scale Out Master", ResourceType: "Generic Service", OwnerGroup: "ssismaster", OwnerNode: "SQLN1", State: "Online",
				PossibleOwners: []string{"SQLN1", "SQLN2"}, Parameters: map[string]any{"ServiceName": masterService, "StartupParameters": "", "UseNetworkName": 0}},
			{Name: "ssismaster", ResourceType: "Network Name", OwnerGroup: "ssismaster", OwnerNode: "SQLN1", State: "Online",
				PossibleOwners: []string{"SQLN1", "SQLN2"}, Parameters: map[string]any{"DnsName": "ssismaster", "Name": "SSISMASTER"}},
			{Name: "IP Address 10.0.0.50", ResourceType: "IP Address", OwnerGroup: "ssismaster", OwnerNode: "SQLN1", State: "Online",
				PossibleOwners: []string{"SQLN1", "SQLN2"}, Parameters: map[string]any{"Address": "10.0.0.50"}},
		},
	}

	i1 := baseInstance("SQLN1", "SQLN1")
	i2 := baseInstance("SQLN2", "SQLN2")
	i1.SSISDBReplica = GUID("replica:SQLN1")
	i2.SSISDBReplica = GUID("replica:SQLN2")
	i2.LastBackup = time.Time{} // backups run on the primary
	one := 1
	i1.PasswordMatches, i2.PasswordMatches = &one, &one

	lastOnline := time.Date(2026, 11, 27, 9, 59, 0, 417000000, time.UTC)
	s.SQL = &SQLState{
		Instances: []*SQLInstance{i1, i2},
		Primary:   "SQLN1",
		AG: &AG{
			Name: "ssis-ag", GroupID: GUID("ag:ssis-ag"), ListenerDNS: "aglsn", ListenerPort: 1433, ListenerIPs: []string{"10.0.0.60"},
			Replicas: []AGReplica{
				{Server: "SQLN1", EndpointURL: "TCP://sqln1.contoso.com:5022", Mode: "SYNCHRONOUS_COMMIT", Failover: "AUTOMATIC", SyncState: "SYNCHRONIZED", SyncHealth: "HEALTHY", DBState: "ONLINE"},
				{Server: "SQLN2", EndpointURL: "TCP://sqln2.contoso.com:5022", Mode: "SYNCHRONOUS_COMMIT", Failover: "AUTOMATIC", SyncState: "SYNCHRONIZED", SyncHealth: "HEALTHY", DBState: "ONLINE"},
			},
		},
		Catalog: &Catalog{
			ScaleOutEnabled: true, MasterAddress: endpoint, LogDBServer: s.Listener,
			MachineName: "SQLN1", MachineIP: "10.0.0.11", MasterServicePort: s.MasterPort, Cert: CertMaster, HeartbeatMs: 30000,
			LastOnline:    time.Date(2026, 11, 27, 9, 59, 38, 619000000, time.UTC),
			SchemaVersion: "6", SchemaBuild: "15.0.2000.5", DefaultExecMode: "0",
			Workers: []WorkerAgent{
				{ID: GUID("agent:WRK1"), Enabled: true, DisplayName: "WRK1", MachineName: "WRK1", UserAccount: `NT Service\SSISScaleOutWorker150`, LastOnline: lastOnline},
				{ID: GUID("agent:WRK2"), Enabled: true, DisplayName: "WRK2", MachineName: "WRK2", UserAccount: `NT Service\SSISScaleOutWorker150`, LastOnline: lastOnline.Add(-1230 * time.Millisecond)},
			},
			AlwaysOnReplicas: []string{"SQLN1", "SQLN2"},
			Principals: []DBPrincipal{
				{Name: logUser, SID: sqlSID(logLogin), Type: "SQL_USER", Role: "ssis_cluster_worker"},
				{Name: "SSISScaleOutMasterUser150", SID: ServiceSID(masterService), Type: "WINDOWS_USER", Role: "ssis_admin"},
				{Name: masterAccount, SID: DomainAccountSID(2117), Type: "WINDOWS_USER", Role: "ssis_admin"},
				{Name: `CONTOSO\svc-etl-deploy`, SID: DomainAccountSID(2154), Type: "WINDOWS_USER", Role: "ssis_cluster_executor"},
			},
			LogConnString: "Data Source=aglsn.contoso.com,1433;Initial Catalog=SSISDB;User Id=##MS_SSISLogDBWorkerAgentLogin##;Password=***;",
		},
	}
	return s
}

// HealthyFCI returns the healthy FCI deployment: a two-node SQL Server
// failover cluster instance SQLFCI01\INST1 on FCIN1 and FCIN2 with the
// master service in the SQL Server role, workers WRK1 and WRK2.
func HealthyFCI() *Spec {
	s := &Spec{
		Name: "fci-etl", Variant: "fci", Created: CreatedUTC,
		Domain: "contoso.com", NetBIOSDomain: "CONTOSO",
		MasterDNS: "sqlfci01.contoso.com", MasterPort: 8391, ScaleOutVersion: "150",
		Certs: baseCerts([]string{"sqlfci01.contoso.com", "SQLFCI01", "FCIN1", "FCIN2"}, []string{"sqlfci01.contoso.com", "sqlfci01"}),
	}
	s.Certs[CertMaster].Seed = "ssis-master-fci-2025"
	s.Certs[CertMaster].Serial = "2b3c4d5e6f708192a3b4c5d6e7f80912"
	addWorkerCert(s, "WRK1", "5b01")
	addWorkerCert(s, "WRK2", "5b02")
	for i, n := range []string{"FCIN1", "FCIN2", "WRK1", "WRK2"} {
		addHostCert(s, n, fmt.Sprintf("62000000b2%02x", i+1))
	}
	workers := []string{"WRK1", "WRK2"}
	endpoint := fmt.Sprintf("https://%s:%d", s.MasterDNS, s.MasterPort)
	const server = `SQLFCI01\INST1`

	n1 := newNode(s, "FCIN1", "10.0.2.11", "master", "replica")
	n2 := newNode(s, "FCIN2", "10.0.2.12", "master", "replica")
	for i, n := range []*Node{n1, n2} {
		sqlEngine(n, "MSSQL$INST1", "SQL Server (INST1)", i == 0)
		addClusSvc(n)
		addMaster(s, n, i == 0, server, workers)
		sqlFirewall(n)
	}
	n1.Master.BOM = true
	n2.Master.LastWrite = day(19, 17, 5, 12)

	w1 := newNode(s, "WRK1", "10.0.3.21", "worker")
	w2 := newNode(s, "WRK2", "10.0.3.22", "worker")
	addWorker(s, w1, endpoint, 5120)
	addWorker(s, w2, endpoint, 4968)
	s.Nodes = []*Node{n1, n2, w1, w2}

	grp := "SQL Server (INST1)"
	owners := []string{"FCIN1", "FCIN2"}
	s.Cluster = &Cluster{
		Name:  "FCICLU",
		Nodes: []ClusterNode{{"FCIN1", "Up"}, {"FCIN2", "Up"}},
		Groups: []ClusterGroup{
			{"Available Storage", "Online", "FCIN2", "AvailableStorage"},
			{"Cluster Group", "Online", "FCIN1", "Cluster"},
			{grp, "Online", "FCIN1", "Unknown"},
		},
		Resources: []ClusterResource{
			{Name: "Cluster IP Address", ResourceType: "IP Address", OwnerGroup: "Cluster Group", OwnerNode: "FCIN1", State: "Online",
				PossibleOwners: owners, Parameters: map[string]any{"Address": "10.0.2.40"}},
			{Name: "Cluster Name", ResourceType: "Network Name", OwnerGroup: "Cluster Group", OwnerNode: "FCIN1", State: "Online",
				PossibleOwners: owners, Parameters: map[string]any{"DnsName": "FCICLU", "Name": "FCICLU"}},
			{Name: "Cluster Disk 1", ResourceType: "Physical Disk", OwnerGroup: "Cluster Group", OwnerNode: "FCIN1", State: "Online",
				PossibleOwners: owners, Parameters: map[string]any{}},
			{Name: "Cluster Disk 2", ResourceType: "Physical Disk", OwnerGroup: grp, OwnerNode: "FCIN1", State: "Online",
				PossibleOwners: owners, Parameters: map[string]any{}},
			{Name: "Cluster Disk 3", ResourceType: "Physical Disk", OwnerGroup: "Available Storage", OwnerNode: "FCIN2", State: "Online",
				PossibleOwners: owners, Parameters: map[string]any{}},
			{Name: "SQL IP Address 1 (SQLFCI01)", ResourceType: "IP Address", OwnerGroup: grp, OwnerNode: "FCIN1", State: "Online",
				PossibleOwners: owners, Parameters: map[string]any{"Address": "10.0.2.50"}},
			{Name: "SQL Network Name (SQLFCI01)", ResourceType: "Network Name", OwnerGroup: grp, OwnerNode: "FCIN1", State: "Online",
				PossibleOwners: owners, Parameters: map[string]any{"DnsName": "SQLFCI01", "Name": "SQLFCI01"}},
			{Name: "SQL Server (INST1)", ResourceType: "SQL Server", OwnerGroup: grp, OwnerNode: "FCIN1", State: "Online",
				PossibleOwners: owners, Parameters: map[string]any{"InstanceName": "INST1", "VirtualServerName": "SQLFCI01"}},
			{Name: "SQL Server Agent (INST1)", ResourceType: "SQL Server Agent", OwnerGroup: grp, OwnerNode: "FCIN1", State: "Online",
				PossibleOwners: owners, Parameters: map[string]any{"InstanceName": "INST1", "VirtualServerName": "SQLFCI01"}},
			{Name: "SSIS Scale Out Master", ResourceType: "Generic Service", OwnerGroup: grp, OwnerNode: "FCIN1", State: "Online",
				PossibleOwners: owners, Parameters: map[string]any{"ServiceName": masterService, "StartupParameters": "", "UseNetworkName": 0}},
		},
	}

	in := baseInstance(server, "FCIN1")
	in.MachineName, in.InstanceName = "SQLFCI01", "INST1"
	in.HadrEnabled, in.Clustered = 0, 1
	one := 1
	in.PasswordMatches = &one
	lastOnline := time.Date(2026, 11, 27, 9, 59, 0, 417000000, time.UTC)
	s.SQL = &SQLState{
		Instances: []*SQLInstance{in},
		Primary:   server,
		Catalog: &Catalog{
			ScaleOutEnabled: true, MasterAddress: endpoint, LogDBServer: server,
			MachineName: "FCIN1", MachineIP: "10.0.2.11", MasterServicePort: s.MasterPort, Cert: CertMaster, HeartbeatMs: 30000,
			LastOnline:    time.Date(2026, 11, 27, 9, 59, 38, 619000000, time.UTC),
			SchemaVersion: "6", SchemaBuild: "15.0.2000.5", DefaultExecMode: "0",
			Workers: []WorkerAgent{
				{ID: GUID("agent:WRK1"), Enabled: true, DisplayName: "WRK1", MachineName: "WRK1", UserAccount: `NT Service\SSISScaleOutWorker150`, LastOnline: lastOnline},
				{ID: GUID("agent:WRK2"), Enabled: true, DisplayName: "WRK2", MachineName: "WRK2", UserAccount: `NT Service\SSISScaleOutWorker150`, LastOnline: lastOnline.Add(-1230 * time.Millisecond)},
			},
			Principals: []DBPrincipal{
				{Name: logUser, SID: sqlSID(logLogin), Type: "SQL_USER", Role: "ssis_cluster_worker"},
				{Name: "SSISScaleOutMasterUser150", SID: ServiceSID(masterService), Type: "WINDOWS_USER", Role: "ssis_admin"},
				{Name: masterAccount, SID: DomainAccountSID(2117), Type: "WINDOWS_USER", Role: "ssis_admin"},
			},
			LogConnString: `Data Source=SQLFCI01\INST1;Initial Catalog=SSISDB;User Id=##MS_SSISLogDBWorkerAgentLogin##;Password=***;`,
		},
	}
	return s
}
