package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// evilNode is a node name crafted to inject markup into HTML/Markdown and
// control sequences into a terminal.
const evilNode = `WRK<script>alert("x")</script>`

// sampleReport is a realistic scan: fails on several nodes, passes, unknowns,
// a waived result, an expired waiver, rule metadata, a crafted node name and
// a message with '|' and quotes.
func sampleReport() *Report {
	docHA := "https://learn.microsoft.com/en-us/sql/integration-services/scale-out/integration-services-ssis-scale-out-master-high-availability"
	docTrouble := "https://learn.microsoft.com/en-us/sql/integration-services/scale-out/troubleshooting-scale-out"
	results := []Result{
		{
			Rule: "AG-SSISDB-SYNC-HEALTHY", Title: "SSISDB is synchronized and healthy", Severity: "high", Status: StatusUnknown,
			Subject:  Subject{Kind: "replica", Node: "SQLN3", Instance: "SQLN3", Object: "SSISDB"},
			Message:  "SQLN3: the SSISDB replica state could not be read",
			Missing:  []string{"sql/SQLN3/dm_hadr_database_replica_states: permission denied"},
			Evidence: []Evidence{{Artifact: "sql/SQLN3/dm_hadr_database_replica_states.json"}},
			Source:   "CATALOG", DocURL: docHA,
		},
		{
			Rule: "AG-SSISDB-SYNC-HEALTHY", Title: "SSISDB is synchronized and healthy", Severity: "high", Status: StatusPass,
			Subject:  Subject{Kind: "replica", Node: "SQLN1", Instance: "SQLN1", Object: "SSISDB"},
			Message:  "SQLN1: SSISDB is SYNCHRONIZED/HEALTHY",
			Evidence: []Evidence{{Artifact: "sql/SQLN1/dm_hadr_database_replica_states.json"}},
			Source:   "CATALOG", DocURL: docHA,
		},
		{
			Rule: "CAT-MASTER-ADDRESS", Title: "MASTER_ADDRESS uses the master DNS name", Severity: "critical", Status: StatusPass,
			Subject:  Subject{Kind: "catalog", Node: "SQLN1", Instance: "SQLN1", Object: "catalog.master_properties/MASTER_ADDRESS"},
			Message:  "MASTER_ADDRESS is https://ssis-master.contoso.com:8391",
			Observed: "https://ssis-master.contoso.com:8391", Expected: "https://ssis-master.contoso.com:8391",
			Evidence: []Evidence{{Artifact: "sql/SQLN1/catalog.master_properties.json", Key: "MASTER_ADDRESS"}},
			Source:   "HA §8", DocURL: docHA,
		},
		{
			Rule: "LOG-CONNSTR-IS-LISTENER", Title: "The logging connection string points at the listener", Severity: "critical", Status: StatusFail,
			Subject:  Subject{Kind: "catalog", Node: "SQLN1", Instance: "SQLN1", Object: "catalog.master_properties/WORKER_AGENT_LOGDB_CONNECTION_STRING"},
			Message:  `SQLN1: the logging connection string's Data Source is "SQLN1" | not the listener "ssisdb-lsn,1433" (Password=***)`,
			Observed: "Data Source=SQLN1;Initial Catalog=SSISDB;User Id=##MS_SSISLogDBWorkerAgentLogin##;Password=***",
			Expected: map[string]any{"data_source": "ssisdb-lsn,1433", "initial_catalog": "SSISDB"},
			Evidence: []Evidence{{Artifact: "sql/SQLN1/catalog.master_properties.json", Key: "WORKER_AGENT_LOGDB_CONNECTION_STRING", Line: 12}},
			Fix:      &Fix{ID: "set-logdb-connstr", Target: "SQLN1", Params: map[string]any{"listener": "ssisdb-lsn,1433"}},
			Source:   "HA §6.3", DocURL: docHA,
		},
		{
			Rule: "MASTER-CERT-SAME-ALL-NODES", Title: "Every master node uses the same certificate", Severity: "critical", Status: StatusFail,
			Subject:  Subject{Kind: "node", Node: "SQLN2", Object: "MasterSettings.config/SSLCertThumbprint"},
			Message:  "SQLN2 uses master certificate 9F1E0A; SQLN1 uses 3C2A77 — every master node must use the same certificate",
			Observed: "9F1E0A", Expected: "3C2A77",
			Evidence: []Evidence{{Artifact: "nodes/SQLN2/files/MasterSettings.config", Key: "SSLCertThumbprint", Line: 7}},
			Fix:      &Fix{ID: "import-master-cert", Target: "SQLN2", Params: map[string]any{"thumbprint": "3C2A77", "pfx_path": ""}},
			Source:   "HA §3", DocURL: docHA,
		},
		{
			Rule: "MASTER-CERT-SAME-ALL-NODES", Title: "Every master node uses the same certificate", Severity: "critical", Status: StatusPass,
			Subject:  Subject{Kind: "node", Node: "SQLN1", Object: "MasterSettings.config/SSLCertThumbprint"},
			Message:  "SQLN1 uses master certificate 3C2A77",
			Observed: "3C2A77", Expected: "3C2A77",
			Evidence: []Evidence{{Artifact: "nodes/SQLN1/files/MasterSettings.config", Key: "SSLCertThumbprint", Line: 7}},
			Source:   "HA §3", DocURL: docHA,
		},
		{
			Rule: "MASTER-CERT-VALIDITY", Title: "The master certificate is valid", Severity: "high", Status: StatusFail,
			Subject:  Subject{Kind: "node", Node: "SQLN1", Object: "cert:LocalMachine/Root/3C2A77"},
			Message:  "SQLN1: the master certificate 3C2A77 expires in 12 days (2026-12-09)",
			Observed: "2026-12-09T00:00:00Z", Expected: "more than 30 days",
			Evidence: []Evidence{{Artifact: "nodes/SQLN1/certs/Root.json", Key: "3C2A77"}},
			Fix:      &Fix{ID: "renew-master-cert", Target: "SQLN1"},
			Source:   "CERTS", DocURL: docHA,
			Waiver: &Waiver{Reason: "renewal scheduled", Owner: "pki@contoso.com", Expires: "2026-11-01", Expired: true},
		},
		{
			Rule: "MASTER-HTTPSYS-BINDING", Title: "HTTP.SYS binds the master port to the certificate", Severity: "critical", Status: StatusUnknown,
			Subject: Subject{Kind: "node", Node: "SQLN3", Object: "netsh/sslcert/0.0.0.0:8391"},
			Message: "SQLN3: the HTTP.SYS bindings were not collected",
			Missing: []string{"nodes/SQLN3/netsh_sslcert.txt: node unreachable (WinRM timeout)"},
			Source:  "CERTS §2", DocURL: docTrouble,
		},
		{
			Rule: "WRK-HA-MIN-COUNT", Title: "At least two workers are enabled and online", Severity: "medium", Status: StatusWaived,
			Subject:  Subject{Kind: "deployment"},
			Message:  "only 1 worker is enabled and online",
			Observed: 1, Expected: 2,
			Evidence: []Evidence{{Artifact: "sql/SQLN1/catalog.worker_agents.json"}},
			Source:   "HA intro", DocURL: docHA,
			Waiver: &Waiver{Reason: "second worker is being rebuilt", Owner: "dba-team@contoso.com", Expires: "2027-03-31"},
		},
		{
			Rule: "WRK-MASTER-THUMBPRINT", Title: "Workers trust the master's certificate thumbprint", Severity: "critical", Status: StatusFail,
			Subject:  Subject{Kind: "node", Node: evilNode, Object: "WorkerSettings.config/MasterHttpsCertThumbprint"},
			Message:  evilNode + ` has MasterHttpsCertThumbprint "9F1E0A" <b>but</b> the master uses 3C2A77`,
			Observed: "9F1E0A", Expected: "3C2A77",
			Evidence: []Evidence{{Artifact: "nodes/" + evilNode + "/files/WorkerSettings.config", Key: "MasterHttpsCertThumbprint", Line: 4}},
			Fix:      &Fix{ID: "set-worker-master-thumbprint", Target: evilNode},
			Source:   "TROUBLE, CERTS §5", DocURL: docTrouble,
		},
		{
			Rule: "WRK-MASTER-THUMBPRINT", Title: "Workers trust the master's certificate thumbprint", Severity: "critical", Status: StatusFail,
			Subject:  Subject{Kind: "node", Node: "WRK1", Object: "WorkerSettings.config/MasterHttpsCertThumbprint"},
			Message:  "WRK1 has MasterHttpsCertThumbprint 9F1E0A but the master uses 3C2A77",
			Observed: "9F1E0A", Expected: "3C2A77",
			Evidence: []Evidence{{Artifact: "nodes/WRK1/files/WorkerSettings.config", Key: "MasterHttpsCertThumbprint", Line: 4}},
			Fix:      &Fix{ID: "set-worker-master-thumbprint", Target: "WRK1"},
			Source:   "TROUBLE, CERTS §5", DocURL: docTrouble,
		},
		{
			Rule: "WRK-MASTERENDPOINT", Title: "Workers reach the master by its DNS name", Severity: "critical", Status: StatusPass,
			Subject:  Subject{Kind: "node", Node: "WRK1", Object: "WorkerSettings.config/MasterEndpoint"},
			Message:  "WRK1 MasterEndpoint is https://ssis-master.contoso.com:8391",
			Evidence: []Evidence{{Artifact: "nodes/WRK1/files/WorkerSettings.config", Key: "MasterEndpoint", Line: 3}},
			Source:   "HA §2.2", DocURL: docHA,
		},
	}
	rules := map[string]RuleMeta{}
	add := func(m RuleMeta) { rules[m.ID] = m }
	add(RuleMeta{ID: "AG-SSISDB-SYNC-HEALTHY", Title: "SSISDB is synchronized and healthy", Severity: "high", Variant: "ag", Profiles: []string{"ha"},
		Description: "SSISDB is SYNCHRONIZED/HEALTHY on the synchronous replicas.",
		Why:         "A failover to a replica whose SSISDB copy is not synchronized loses catalog data or does not complete.",
		Facts:       []string{"sys.dm_hadr_database_replica_states"}, Remediation: "Resume data movement and investigate the replica's health.",
		Source: "CATALOG", DocURL: docHA, Tags: []string{"reliability"}})
	add(RuleMeta{ID: "CAT-MASTER-ADDRESS", Title: "MASTER_ADDRESS uses the master DNS name", Severity: "critical", Variant: "both", Profiles: []string{"ha"},
		Description: "MASTER_ADDRESS is https://<master dns>:<PortNumber>.",
		Why:         "Workers and the catalog must reach whichever node owns the master role.",
		Facts:       []string{"catalog.master_properties"}, Remediation: "Run catalog.update_master_address with the DNS name.",
		Source: "HA §8", DocURL: docHA, Fix: "update-master-address"})
	add(RuleMeta{ID: "LOG-CONNSTR-IS-LISTENER", Title: "The logging connection string points at the listener", Severity: "critical", Variant: "ag", Profiles: []string{"ha"},
		Description: "The logging connection string's Data Source is the listener, Initial Catalog SSISDB, User Id the logging login.",
		Why:         "After an AG failover, workers that log to a node name write to a read-only secondary and execution logs stop.",
		Facts:       []string{"catalog.master_properties WORKER_AGENT_LOGDB_CONNECTION_STRING"}, Remediation: "Update the connection string with catalog.update_logdb_info.",
		Source: "HA §6.3", DocURL: docHA, Fix: "set-logdb-connstr", Tags: []string{"reliability"}})
	add(RuleMeta{ID: "MASTER-CERT-SAME-ALL-NODES", Title: "Every master node uses the same certificate", Severity: "critical", Variant: "both", Profiles: []string{"ha"},
		Description: "SSLCertThumbprint is the same on every master node.",
		Why:         "Workers pin the master certificate thumbprint; after a failover to a node with another certificate every worker refuses the master.",
		Facts:       []string{"MasterSettings.config SSLCertThumbprint", "LocalMachine\\My"}, Remediation: "Import the same certificate (with its private key) on every master node and set SSLCertThumbprint.",
		Source: "HA §3", DocURL: docHA, Fix: "import-master-cert", Tags: []string{"security", "certificates"}})
	add(RuleMeta{ID: "MASTER-CERT-VALIDITY", Title: "The master certificate is valid", Severity: "high", Variant: "both", Profiles: []string{"ha"},
		Description: "The master certificate is valid now; high within 30 days of expiry, critical once expired.",
		Why:         "An expired master certificate stops every worker on every node at once.",
		Facts:       []string{"LocalMachine\\Root NotAfter"}, Remediation: "Renew the certificate and update workers' MasterHttpsCertThumbprint.",
		Source: "CERTS", DocURL: docHA, Fix: "renew-master-cert", Tags: []string{"security", "certificates"}})
	add(RuleMeta{ID: "MASTER-HTTPSYS-BINDING", Title: "HTTP.SYS binds the master port to the certificate", Severity: "critical", Variant: "both", Profiles: []string{"ha"},
		Description: "On every master node HTTP.SYS binds 0.0.0.0:<PortNumber> to that thumbprint in store Root.",
		Why:         "Without the binding the master service cannot serve HTTPS on the node it fails over to.",
		Facts:       []string{"netsh http show sslcert"}, Remediation: "netsh http add sslcert ipport=0.0.0.0:<port> certhash=<thumbprint> certstorename=Root",
		Source: "CERTS §2", DocURL: docTrouble, Fix: "bind-master-port", Tags: []string{"security"}})
	add(RuleMeta{ID: "WRK-HA-MIN-COUNT", Title: "At least two workers are enabled and online", Severity: "medium", Variant: "both", Profiles: []string{"ha"},
		Description: "At least two workers are enabled and online.",
		Why:         "With one worker, losing that node stops every execution.",
		Facts:       []string{"catalog.worker_agents"}, Remediation: "Add and enable a second worker.",
		Source: "HA intro", DocURL: docHA})
	add(RuleMeta{ID: "WRK-MASTER-THUMBPRINT", Title: "Workers trust the master's certificate thumbprint", Severity: "critical", Variant: "both", Profiles: []string{"ha"},
		Description: "MasterHttpsCertThumbprint equals the master's SSLCertThumbprint.",
		Why:         "A worker that pins another thumbprint cannot reach the master | nothing runs on it.",
		Facts:       []string{"WorkerSettings.config MasterHttpsCertThumbprint", "MasterSettings.config SSLCertThumbprint"}, Remediation: "Set MasterHttpsCertThumbprint and restart the worker.",
		Source: "TROUBLE, CERTS §5", DocURL: docTrouble, Fix: "set-worker-master-thumbprint", Tags: []string{"security", "certificates"}})
	add(RuleMeta{ID: "WRK-MASTERENDPOINT", Title: "Workers reach the master by its DNS name", Severity: "critical", Variant: "both", Profiles: []string{"ha"},
		Description: "Every worker's MasterEndpoint is https://<master dns>:<port>.",
		Why:         "A worker pointing at a node name loses the master when it fails over.",
		Facts:       []string{"WorkerSettings.config MasterEndpoint"}, Remediation: "Set MasterEndpoint to the master DNS name.",
		Source: "HA §2.2", DocURL: docHA, Fix: "set-worker-master-endpoint", Family: "wrk"})

	rep := &Report{
		Tool:       Tool{Name: ToolName, Version: "0.1.0", PolicyBundle: "sha256:5d41402abc4b2a76b9719d911017c592"},
		Deployment: DeploymentRef{Name: "prod-etl", Variant: "ag"},
		Profile:    "ha",
		Bundle:     BundleRef{Path: "evidence/prod-etl", CreatedUTC: "2026-11-27T09:15:00Z"},
		Results:    results,
		Warnings: []string{
			"waiver for WRK-AGENTID-UNIQUE (node WRK9) matched nothing (stale)",
			"node SQLN3 was not collected: WinRM timeout after 30s",
		},
		Partial:  true,
		Rules:    rules,
		FailOn:   "high",
		ExitCode: 1,
		Topology: &Topology{
			ClusterName: "CLU-ETL", MasterDNS: "ssis-master.contoso.com", MasterPort: 8391,
			AGName: "AG-SSISDB", Listener: "ssisdb-lsn,1433", ActiveMaster: "SQLN1",
			Nodes: []TopologyNode{
				{Name: "SQLN1", Roles: []string{RoleMaster, RoleReplica, RolePrimary}},
				{Name: "SQLN2", Roles: []string{RoleMaster, RoleReplica}},
				{Name: "SQLN3", Roles: []string{RoleReplica}},
				{Name: "WRK1", Roles: []string{RoleWorker}},
				{Name: evilNode, Roles: []string{RoleWorker}},
			},
		},
	}
	rep.Summary = tally(results)
	return rep
}

// render runs a formatter into a string.
func render(t *testing.T, f Formatter, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := f.Write(&b, r); err != nil {
		t.Fatalf("%s: Write: %v", f.Name(), err)
	}
	return b.String()
}

// golden compares got with testdata/golden/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s (run go test ./reports/ -update to create it): %v", path, err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run go test ./reports/ -update after checking the diff)\n--- got ---\n%s", path, got)
	}
}

// tally counts results by status (and failing results by severity).
func tally(results []Result) Summary {
	s := Summary{BySeverity: map[string]int{}}
	for _, r := range results {
		switch r.Status {
		case StatusFail:
			s.Fail++
			s.BySeverity[r.Severity]++
		case StatusPass:
			s.Pass++
		case StatusUnknown:
			s.Unknown++
		case StatusWaived:
			s.Waived++
		}
	}
	return s
}
