package bundlegen

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Synthetic deployments are for benchmarks and scale tests: the healthy AG
// shape of HealthyAG stretched to n nodes. They are generated at run time
// (never committed) and are deterministic: the same n and broken give the
// same bundle byte for byte.
//
// Proportions: 2 master + replica nodes up to 10 nodes, 3 up to 100, 4
// above (the WSFC, the AG replicas and the SQL instances are those nodes);
// every other node is a worker with its own certificate, trusted
// (LocalMachine\Root) on every master node and registered in
// catalog.worker_agents. With n = 2 the two master nodes also run a worker
// each (a common small setup), so that worker rules are exercised.

// SyntheticMasters is the number of master + replica nodes of an n-node
// synthetic deployment.
func SyntheticMasters(n int) int {
	switch {
	case n <= 10:
		return 2
	case n <= 100:
		return 3
	}
	return 4
}

// SyntheticBrokenRules are the rules with at least one fail result in a
// broken synthetic deployment of at least 10 nodes (profile ha).
var SyntheticBrokenRules = []string{
	"MASTER-CERT-SAME-ALL-NODES", "MASTER-HTTPSYS-BINDING", // master certificate renewed on one node
	"WRK-CERT-VALIDITY",                                      // the third and every 10th further worker's own certificate expired
	"WRK-MASTERENDPOINT", "WRK-ENDPOINT-HOST-IN-MASTER-CERT", // one worker points at a node
	"WRK-AGENTID-UNIQUE", // two workers share an AgentId
}

// Synthetic returns an n-node (n >= 2) AG deployment named "synthetic-<n>"
// ("synthetic-<n>-broken"). A broken one carries the mistakes of several
// examples at scale (SyntheticBrokenRules): the master certificate renewed
// on the second master node only, the own certificates of the third
// worker and every 10th after it expired, the last worker's MasterEndpoint naming the first node, and the
// second worker cloned from the first (same AgentId).
func Synthetic(n int, broken bool) *Spec {
	if n < 2 {
		panic(fmt.Sprintf("bundlegen: Synthetic(%d): want at least 2 nodes", n))
	}
	nm := SyntheticMasters(n)
	name := fmt.Sprintf("synthetic-%d", n)
	if broken {
		name += "-broken"
	}
	masters := make([]string, nm)
	for i := range masters {
		masters[i] = fmt.Sprintf("SQLN%d", i+1)
	}
	var workers []string
	if n == 2 {
		workers = append(workers, masters...)
	} else {
		width := len(fmt.Sprint(n - nm))
		for i := 0; i < n-nm; i++ {
			workers = append(workers, fmt.Sprintf("WRK%0*d", width, i+1))
		}
	}

	const domain = "contoso.com"
	cns := append([]string{"ssismaster." + domain}, masters...)
	s := &Spec{
		Name: name, Variant: "ag", Created: CreatedUTC,
		Domain: domain, NetBIOSDomain: "CONTOSO",
		MasterDNS: "ssismaster." + domain, MasterPort: 8391, Listener: "aglsn." + domain + ",1433", ScaleOutVersion: "150",
		Certs: baseCerts(cns, []string{"ssismaster." + domain, "ssismaster"}),
	}
	for i, w := range workers {
		addWorkerCert(s, w, fmt.Sprintf("4c%06x", i+1))
	}
	endpoint := fmt.Sprintf("https://%s:%d", s.MasterDNS, s.MasterPort)

	var masterNodes []*Node
	for i, m := range masters {
		addHostCert(s, m, fmt.Sprintf("64000000%06x", i+1))
		nd := newNode(s, m, fmt.Sprintf("10.0.0.%d", 11+i), "master", "replica")
		sqlEngine(nd, "MSSQLSERVER", "SQL Server (MSSQLSERVER)", true)
		addClusSvc(nd)
		addMaster(s, nd, i == 0, s.Listener, workers)
		sqlFirewall(nd)
		nd.Master.LastWrite = day(19, 16, 40+i, 5)
		masterNodes = append(masterNodes, nd)
		s.Nodes = append(s.Nodes, nd)
	}
	if n == 2 {
		for i, nd := range masterNodes {
			nd.Roles = append(nd.Roles, "worker")
			addWorker(s, nd, endpoint, 5120+8*i)
			dedupeCerts(nd)
		}
	} else {
		for i, w := range workers {
			addHostCert(s, w, fmt.Sprintf("65%08x", i+1))
			nd := newNode(s, w, fmt.Sprintf("10.0.%d.%d", 1+i/200, 21+i%200), "worker")
			addWorker(s, nd, endpoint, 4000+8*(i%100))
			s.Nodes = append(s.Nodes, nd)
		}
	}

	s.Cluster = syntheticCluster(masters)
	s.SQL = syntheticSQL(s, masters, workers, endpoint)

	if broken {
		s.RenewMasterCertOn(masters[1], "master-renewed", day(20, 0, 0, 0), time.Date(2029, 11, 20, 0, 0, 0, 0, time.UTC), day(20, 13, 5, 44))
		for i := 2; i < len(workers); i += 10 {
			s.SetWorkerCertValidity(workers[i], time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
		}
		if n > 2 {
			s.SetMasterEndpoint(workers[len(workers)-1], "https://"+strings.ToLower(masters[0])+"."+domain+":8391", at(9, 41, 12))
			if len(workers) >= 3 {
				s.CloneAgentID(workers[0], workers[1])
			}
		}
	}
	return s
}

// dedupeCerts keeps the first placement of each certificate in each store
// (a master node that is also a worker gets the master certificate, with
// its key, and its worker certificate in Root from addMaster already).
func dedupeCerts(n *Node) {
	seen := map[[3]string]bool{}
	keep := n.Certs[:0]
	for _, c := range n.Certs {
		k := [3]string{c.Cert, c.Location, c.Store}
		if !seen[k] {
			seen[k] = true
			keep = append(keep, c)
		}
	}
	n.Certs = keep
}

func syntheticCluster(masters []string) *Cluster {
	owner := masters[0]
	c := &Cluster{
		Name: "SSISCLU",
		Groups: []ClusterGroup{
			{"Cluster Group", "Online", owner, "Cluster"},
			{"ssis-ag", "Online", owner, "Unknown"},
			{"ssismaster", "Online", owner, "GenericService"},
		},
	}
	for _, m := range masters {
		c.Nodes = append(c.Nodes, ClusterNode{m, "Up"})
	}
	res := func(name, typ, group string, params map[string]any) ClusterResource {
		return ClusterResource{Name: name, ResourceType: typ, OwnerGroup: group, OwnerNode: owner, State: "Online",
			PossibleOwners: masters, Parameters: params}
	}
	c.Resources = []ClusterResource{
		res("Cluster IP Address", "IP Address", "Cluster Group", map[string]any{"Address": "10.0.0.40"}),
		res("Cluster Name", "Network Name", "Cluster Group", map[string]any{"DnsName": "SSISCLU", "Name": "SSISCLU"}),
		res("File Share Witness", "File Share Witness", "Cluster Group", map[string]any{"SharePath": `\\FS01\witness$\SSISCLU`}),
		res("ssis-ag", "SQL Server Availability Group", "ssis-ag", map[string]any{}),
		res("ssis-ag_aglsn", "Network Name", "ssis-ag", map[string]any{"DnsName": "aglsn", "Name": "ssis-ag_aglsn"}),
		res("ssis-ag_10.0.0.60", "IP Address", "ssis-ag", map[string]any{"Address": "10.0.0.60"}),
		res("SSIS Scale Out Master", "Generic Service", "ssismaster", map[string]any{"ServiceName": masterService, "StartupParameters": "", "UseNetworkName": 0}),
		res("ssismaster", "Network Name", "ssismaster", map[string]any{"DnsName": "ssismaster", "Name": "SSISMASTER"}),
		res("IP Address 10.0.0.50", "IP Address", "ssismaster", map[string]any{"Address": "10.0.0.50"}),
	}
	return c
}

func syntheticSQL(s *Spec, masters, workers []string, endpoint string) *SQLState {
	one := 1
	st := &SQLState{Primary: masters[0]}
	ag := &AG{Name: "ssis-ag", GroupID: GUID("ag:ssis-ag"), ListenerDNS: "aglsn", ListenerPort: 1433, ListenerIPs: []string{"10.0.0.60"}}
	for i, m := range masters {
		in := baseInstance(m, m)
		in.SSISDBReplica = GUID("replica:" + m)
		in.PasswordMatches = &one
		if i > 0 {
			in.LastBackup = time.Time{} // backups run on the primary
		}
		st.Instances = append(st.Instances, in)
		ag.Replicas = append(ag.Replicas, AGReplica{Server: m, EndpointURL: "TCP://" + strings.ToLower(m) + "." + s.Domain + ":5022",
			Mode: "SYNCHRONOUS_COMMIT", Failover: "AUTOMATIC", SyncState: "SYNCHRONIZED", SyncHealth: "HEALTHY", DBState: "ONLINE"})
	}
	st.AG = ag
	lastOnline := time.Date(2026, 11, 27, 9, 59, 0, 417000000, time.UTC)
	cat := &Catalog{
		ScaleOutEnabled: true, MasterAddress: endpoint, LogDBServer: s.Listener,
		MachineName: masters[0], MachineIP: "10.0.0.11", MasterServicePort: s.MasterPort, Cert: CertMaster, HeartbeatMs: 30000,
		LastOnline:    time.Date(2026, 11, 27, 9, 59, 38, 619000000, time.UTC),
		SchemaVersion: "6", SchemaBuild: "15.0.2000.5", DefaultExecMode: "0",
		AlwaysOnReplicas: append([]string(nil), masters...),
		Principals: []DBPrincipal{
			{Name: logUser, SID: sqlSID(logLogin), Type: "SQL_USER", Role: "ssis_cluster_worker"},
			{Name: "SSISScaleOutMasterUser150", SID: ServiceSID(masterService), Type: "WINDOWS_USER", Role: "ssis_admin"},
			{Name: masterAccount, SID: DomainAccountSID(2117), Type: "WINDOWS_USER", Role: "ssis_admin"},
			{Name: `CONTOSO\svc-etl-deploy`, SID: DomainAccountSID(2154), Type: "WINDOWS_USER", Role: "ssis_cluster_executor"},
		},
		LogConnString: "Data Source=" + s.Listener + ";Initial Catalog=SSISDB;User Id=" + logLogin + ";Password=***;",
	}
	for i, w := range workers {
		cat.Workers = append(cat.Workers, WorkerAgent{ID: GUID("agent:" + w), Enabled: true, DisplayName: w, MachineName: w,
			UserAccount: `NT Service\SSISScaleOutWorker150`, LastOnline: lastOnline.Add(-time.Duration(i%60) * time.Second)})
	}
	st.Catalog = cat
	return st
}

// FleetName is the directory (and deployment) name of deployment i of a
// fleet.
func FleetName(i int) string { return fmt.Sprintf("deployment-%04d", i+1) }

// WriteFleet writes m deployments, each the n-node synthetic shape
// (healthy), as dir/<FleetName(i)>/ bundle directories, and returns their
// paths. Deployment i differs from the others by its name only: the first
// bundle is rendered with Write, the others copy its files (certificates
// are the slow part of Write) and get their own bundle.json.
func WriteFleet(dir string, m, n int) ([]string, error) {
	if m < 1 {
		return nil, fmt.Errorf("bundlegen: WriteFleet: want at least one deployment, got %d", m)
	}
	spec := Synthetic(n, false)
	paths := make([]string, m)
	for i := range paths {
		paths[i] = filepath.Join(dir, FleetName(i))
	}
	spec.Name = FleetName(0)
	if err := Write(paths[0], spec); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	err := filepath.WalkDir(paths[0], func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(paths[0], p)
		if err != nil {
			return err
		}
		if rel == "bundle.json" {
			return nil
		}
		b, err := os.ReadFile(p)
		files[rel] = b
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := 1; i < m; i++ {
		for rel, b := range files {
			p := filepath.Join(paths[i], rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return nil, err
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				return nil, err
			}
		}
		spec.Name = FleetName(i)
		w := &writer{dir: paths[i], s: spec}
		w.bundleJSON()
		if w.err != nil {
			return nil, w.err
		}
	}
	return paths, nil
}
