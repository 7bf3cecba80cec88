package bundlegen

import (
	"fmt"
	"strings"
	"time"
)

// Example is one bundle of testdata/bundles with the rule results it must
// produce under profile ha.
type Example struct {
	Name  string // directory name under testdata/bundles (interface: e2e tests use it)
	Title string
	// Models describes the deployment and the mistake.
	Models string
	Build  func() *Spec
	// ExpectFail lists every rule with at least one fail result.
	ExpectFail []string
	// ExpectUnknown lists every rule with at least one unknown result and
	// no fail result.
	ExpectUnknown []string
	// Reasoning explains the choices behind the expected sets.
	Reasoning []string
}

// Examples returns the example bundles, healthy first.
func Examples() []Example {
	return append(baseExamples(), pitfallExamples()...)
}

func baseExamples() []Example {
	return []Example{
		{
			Name:  "healthy-ag",
			Title: "Healthy AG deployment",
			Models: "SQLN1 and SQLN2 (master + replica, WSFC SSISCLU), workers WRK1 and WRK2, SSISDB in AG `ssis-ag` " +
				"(synchronous commit, automatic failover) behind listener aglsn.contoso.com,1433, master role `ssismaster` " +
				"(Generic Service SSISScaleOutMaster150, Network Name ssismaster, 10.0.0.50) active on SQLN1, master DNS " +
				"ssismaster.contoso.com:8391, SQL Server 2019 (15.0.4385.2, SSISDB SCHEMA_BUILD 15.0.2000.5). Master certificate " +
				"CN=ssismaster.contoso.com; CN=SQLN1; CN=SQLN2 with SAN ssismaster.contoso.com, ssismaster, in LocalMachine\\Root " +
				"with its private key on both master nodes and in every worker's Root. Logging login with one SID on both replicas, " +
				"opt-in logdb_connection / logdb_password_check collected.",
			Build: HealthyAG,
			Reasoning: []string{
				"MASTER-SCHANNEL-CLIENTAUTH passes because every certificate in the master nodes' LocalMachine\\Root is self-signed " +
					"(the master, worker, Contoso Root CA and Fabrikam Partner Root CA 2021 certificates); the SCHANNEL key holds only " +
					"EventLogging, not SendTrustedIssuerList. The enterprise-issued machine certificate (issuer Contoso Root CA) is in My only.",
				"ag_listeners.dns_name is `aglsn` (how SQL Server stores it); the declared listener and SqlServerName use the FQDN " +
					"aglsn.contoso.com: short name and FQDN match (rules.md, Matching rules).",
				"On the secondary SQLN2, ag_replicas shows null role/connected/health for the remote replica and ssisdb_replica_states " +
					"only the local row, as the dm_hadr views do; AG-wide state comes from the primary SQLN1.",
				"backups has a row on the primary only (2026-11-27T02:15:42Z); SQLN2 returns zero rows (no backup taken there).",
				"WorkerSettings.config AgentId is lower case (.NET Guid.ToString()), catalog.worker_agents returns upper case.",
			},
		},
		{
			Name:  "healthy-fci",
			Title: "Healthy FCI deployment",
			Models: "Variant fci: a two-node SQL Server failover cluster instance SQLFCI01\\INST1 (nodes FCIN1, FCIN2, both master + replica, " +
				"WSFC FCICLU, active on FCIN1) hosting SSISDB; the master Generic Service (SSISScaleOutMaster150) is a resource of the " +
				"SQL Server role's group `SQL Server (INST1)`, Online; `SqlServerName` is `SQLFCI01\\INST1` (written `SQLFCI01\\\\INST1` in the JSON); " +
				"master certificate CN=sqlfci01.contoso.com; CN=SQLFCI01; CN=FCIN1; CN=FCIN2 (SAN sqlfci01.contoso.com, sqlfci01); " +
				"workers WRK1, WRK2 with MasterEndpoint https://sqlfci01.contoso.com:8391 and their certificates in Root on both FCI nodes. " +
				"One SQL instance (sql/SQLFCI01$INST1, IsClustered 1, IsHadrEnabled 0); the ag_* and ssisdb_replica_states queries return zero rows.",
			Build: HealthyFCI,
			Reasoning: []string{
				"bundle.json has no listener (no AG); master_dns is the SQL network name sqlfci01.contoso.com.",
				"FCIN2 has role replica (it can own the FCI) but no SQL instance of its own: the single instance maps to FCIN1 through " +
					"ComputerNamePhysicalNetBIOS. Per-instance SQL rules yield one result, for SQLFCI01\\INST1.",
				"The opt-in logdb_connection (SQL authentication, Data Source=SQLFCI01\\INST1) is included so that " +
					"LOG-WINDOWS-ACCOUNT-CONSISTENT can tell that logging does not use Windows authentication.",
				"MSSQL$INST1 is Running on FCIN1 and Stopped on FCIN2 (the cluster controls it), like the master service.",
			},
		},
		{
			Name:  "cert-renewed-one-node",
			Title: "Master certificate renewed on one node only",
			Models: "healthy-ag, but on SQLN2 (passive) a renewed master certificate (same CNs and SANs, new key, valid 2026-11-20..2029-11-20) " +
				"was imported into LocalMachine\\Root with its private key, SQLN2's SSLCertThumbprint was changed to it (MasterSettings.config " +
				"written 2026-11-20) and SQLN2's HTTP.SYS binding 0.0.0.0:8391 was rebound to it. The old certificate is still in SQLN2's Root " +
				"(with its key). SQLN1 (active), the workers (MasterHttpsCertThumbprint, Root) and SSISDB (SSLCERT_THUMBPRINT) keep the old one",
			Build: func() *Spec {
				s := HealthyAG()
				s.RenewMasterCertOn("SQLN2", "master-renewed", day(20, 0, 0, 0), time.Date(2029, 11, 20, 0, 0, 0, 0, time.UTC), day(20, 13, 5, 44))
				return s
			},
			ExpectFail: []string{"MASTER-CERT-SAME-ALL-NODES", "MASTER-HTTPSYS-BINDING"},
			Reasoning: []string{
				"MASTER-HTTPSYS-BINDING fails on SQLN2: its binding holds the new hash, not the reference thumbprint (SQLN1's, the active node). " +
					"This is what breaks at failover: SQLN2 would serve a certificate the workers do not know.",
				"MASTER-CERT-ROOT-WITH-KEY passes on every node under either reading: the reference (old) certificate is still in SQLN2's Root " +
					"with its key, and so is SQLN2's own (new) one.",
				"WRK-MASTER-THUMBPRINT and WRK-TRUSTS-MASTER-CERT pass: the workers hold the reference (old) thumbprint. " +
					"CAT-MASTER-PROPERTIES-COHERENT passes: SSLCERT_THUMBPRINT is the active node's. MASTER-CFG-RESTART-APPLIED is about the " +
					"active node only (SQLN2 is passive).",
			},
		},
		{
			Name:  "cn-netbios-only",
			Title: "Master certificate CNs are only the node names",
			Models: "healthy-ag, but the master certificate (the one SSIS setup made with default CNs) has CN=SQLN1; CN=SQLN2 and no " +
				"subject alternative names; it is used consistently everywhere (both master nodes' Root with key, SSLCertThumbprint, " +
				"HTTP.SYS, the workers' Root and MasterHttpsCertThumbprint, SSLCERT_THUMBPRINT)",
			Build: func() *Spec {
				s := HealthyAG()
				s.SetMasterCertNames("ssis-master-setup-default", []string{"SQLN1", "SQLN2"}, nil)
				return s
			},
			ExpectFail: []string{"MASTER-CERT-CN-DNS", "WRK-ENDPOINT-HOST-IN-MASTER-CERT"},
			Reasoning: []string{
				"Neither ssismaster.contoso.com nor ssismaster is among the CNs/SANs; both workers connect to ssismaster.contoso.com, " +
					"so WRK-ENDPOINT-HOST-IN-MASTER-CERT fails for WRK1 and WRK2.",
			},
		},
		{
			Name:   "secondary-cert-no-key",
			Title:  "Secondary master node has the master certificate without its private key",
			Models: "healthy-ag, but SQLN2's LocalMachine\\Root copy of the master certificate has no private key (the .cer was imported instead of the .pfx)",
			Build: func() *Spec {
				s := HealthyAG()
				s.DropMasterCertKey("SQLN2")
				return s
			},
			ExpectFail: []string{"MASTER-CERT-ROOT-WITH-KEY"},
			Reasoning: []string{
				"SQLN2's HTTP.SYS binding still names the certificate (hash and store Root are right), so MASTER-HTTPSYS-BINDING passes: " +
					"the rule checks the binding, not the key.",
			},
		},
		{
			Name:   "secondary-cert-in-my",
			Title:  "Secondary master node has the master certificate in My instead of Root",
			Models: "healthy-ag, but on SQLN2 the master certificate (with its key) was imported into LocalMachine\\My and is not in LocalMachine\\Root",
			Build: func() *Spec {
				s := HealthyAG()
				s.MoveMasterCertToMy("SQLN2")
				return s
			},
			ExpectFail: []string{"MASTER-CERT-ROOT-WITH-KEY"},
			Reasoning: []string{
				"SQLN2's HTTP.SYS binding was made with the documented command (certstorename=Root), so it still reads store Root with " +
					"the right hash and MASTER-HTTPSYS-BINDING passes (it checks the binding, not where the certificate is).",
				"Rules that read the master certificate itself (CN, validity) find its DER in SQLN1's Root (and in SQLN2's My): they pass.",
			},
		},
		{
			Name:   "virtual-account",
			Title:  "Master service on the secondary runs as its virtual account",
			Models: "healthy-ag, but the SSISScaleOutMaster150 service on SQLN2 logs on as `NT Service\\SSISScaleOutMaster150` (the setup default) instead of `CONTOSO\\svc-ssismaster`",
			Build: func() *Spec {
				s := HealthyAG()
				s.SetMasterAccount("SQLN2", `NT Service\SSISScaleOutMaster150`)
				return s
			},
			ExpectFail: []string{"MASTER-ACCOUNT-DOMAIN", "MASTER-ACCOUNT-CONSISTENT"},
			Reasoning: []string{
				"MASTER-ACCOUNT-SQL-LOGIN passes: as in healthy-ag, both replicas have enabled logins for CONTOSO\\svc-ssismaster and for " +
					"`NT SERVICE\\SSISScaleOutMaster150` (created by setup / catalog.enable_scaleout, mapped to SSISDB user " +
					"SSISScaleOutMasterUser150). Account names compare case-insensitively (`NT Service` vs `NT SERVICE`). " +
					"(A virtual account reaches a remote replica as the computer account CONTOSO\\SQLN2$; no rule of rules.md checks that.)",
			},
		},
		{
			Name:   "sqlservername-node",
			Title:  "SqlServerName is a node name, not the listener",
			Models: "healthy-ag, but MasterSettings.config has `SqlServerName` = `SQLN1` on both master nodes (setup's default on SQLN1, copied to SQLN2)",
			Build: func() *Spec {
				s := HealthyAG()
				s.SetSqlServerName("SQLN1", "SQLN1")
				s.SetSqlServerName("SQLN2", "SQLN1")
				return s
			},
			ExpectFail: []string{"MASTER-CFG-SQLSERVERNAME-LISTENER"},
			Reasoning: []string{
				"The files' LastWriteUtc are unchanged (the value has been wrong since setup), so MASTER-CFG-RESTART-APPLIED passes. " +
					"CLUSTER_LOGDB_SERVER is still the listener: LOG-LOGDB-SERVER-IS-LISTENER passes.",
			},
		},
		{
			Name:   "worker-points-at-node",
			Title:  "A worker's MasterEndpoint names a cluster node",
			Models: "healthy-ag, but WRK2's MasterEndpoint is https://sqln1.contoso.com:8391 (edited 2026-11-27T09:41:12Z, after the worker service's last start)",
			Build: func() *Spec {
				s := HealthyAG()
				s.SetMasterEndpoint("WRK2", "https://sqln1.contoso.com:8391", at(9, 41, 12))
				return s
			},
			ExpectFail: []string{"WRK-MASTERENDPOINT", "WRK-ENDPOINT-HOST-IN-MASTER-CERT"},
			Reasoning: []string{
				"sqln1.contoso.com is not a SAN of the master certificate, and its CN SQLN1 is not that exact host name (certificate " +
					"checks use the exact host name), so WRK-ENDPOINT-HOST-IN-MASTER-CERT fails for WRK2.",
				"The port is still 8391: MASTER-CFG-PORT-CONSISTENT passes. The service was not restarted since the edit, so WRK2 is still " +
					"online with the old endpoint: WRK-REGISTERED-ENABLED-ONLINE passes (rules.md has no worker restart rule).",
			},
		},
		{
			Name:   "port-mismatch",
			Title:  "A worker's MasterEndpoint uses another port",
			Models: "healthy-ag, but WRK1's MasterEndpoint is https://ssismaster.contoso.com:8392 (edited 2026-11-27T09:38:51Z, after the worker service's last start)",
			Build: func() *Spec {
				s := HealthyAG()
				s.SetMasterEndpoint("WRK1", "https://ssismaster.contoso.com:8392", at(9, 38, 51))
				return s
			},
			ExpectFail: []string{"MASTER-CFG-PORT-CONSISTENT", "WRK-MASTERENDPOINT"},
			Reasoning: []string{
				"The host is right, so WRK-ENDPOINT-HOST-IN-MASTER-CERT passes. WRK1 has not been restarted since the edit and is still " +
					"online: WRK-REGISTERED-ENABLED-ONLINE and WRK-HA-MIN-COUNT pass.",
			},
		},
		{
			Name:   "worker-cert-expired",
			Title:  "A worker's own certificate has expired",
			Models: "healthy-ag, but WRK2's own certificate (WorkerHttpsCertThumbprint, in WRK2's My with key and Root, and in both master nodes' Root) was valid 2024-11-01..2026-11-01",
			Build: func() *Spec {
				s := HealthyAG()
				s.SetWorkerCertValidity("WRK2", time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
				return s
			},
			ExpectFail: []string{"WRK-CERT-VALIDITY"},
			Reasoning: []string{
				"WRK-CERT-VALIDITY fails with severity critical (expired 26 days before collection).",
				"Whether the master rejects an expired client certificate is not documented; the bundle keeps WRK2 online " +
					"(LastOnlineTime one minute before collection), so WRK-REGISTERED-ENABLED-ONLINE and WRK-HA-MIN-COUNT pass.",
			},
		},
		{
			Name:   "duplicate-agentid",
			Title:  "Two workers share an AgentId",
			Models: "healthy-ag, but WRK2 was cloned from WRK1 and kept its AgentId (WorkerSettings.config AgentId equal to WRK1's; WRK2 has its own certificate). catalog.worker_agents has a single row for that id (MachineName WRK1)",
			Build: func() *Spec {
				s := HealthyAG()
				s.CloneAgentID("WRK1", "WRK2")
				return s
			},
			ExpectFail: []string{"WRK-AGENTID-UNIQUE", "WRK-HA-MIN-COUNT"},
			Reasoning: []string{
				"WRK-REGISTERED-ENABLED-ONLINE passes for both workers by the rule's letter: each one's AgentId is in catalog.worker_agents, " +
					"enabled, online a minute ago (the rule joins on AgentId only).",
				"WRK-HA-MIN-COUNT fails: the catalog knows one enabled, online worker agent, not two (the two machines are one agent to the master).",
			},
		},
		{
			Name:   "config-not-json",
			Title:  "A MasterSettings.config is unreadable",
			Models: "healthy-ag, but SQLN2's MasterSettings.config is 319 bytes of binary garbage (NUL bytes and random data, as after a disk or copy failure)",
			Build: func() *Spec {
				s := HealthyAG()
				data := append(make([]byte, 64), garbage("config-not-json", 255)...)
				s.CorruptMasterConfig("SQLN2", data, day(24, 3, 12, 9))
				return s
			},
			ExpectFail:    []string{"CONFIG-PARSE"},
			ExpectUnknown: []string{"MASTER-CERT-SAME-ALL-NODES", "MASTER-CERT-CN-DNS", "MASTER-CFG-SQLSERVERNAME-LISTENER", "MASTER-CFG-PORT-CONSISTENT"},
			Reasoning: []string{
				"Unknown for SQLN2 (SQLN1's results pass) because SQLN2's SSLCertThumbprint, PortNumber and SqlServerName cannot be read. " +
					"MASTER-CERT-CN-DNS is checked per master node on the certificate that node's SSLCertThumbprint names, so it is unknown for SQLN2.",
				"Not unknown: MASTER-HTTPSYS-BINDING and MASTER-FIREWALL (SQLN2's port falls back to the declared master_port 8391; the " +
					"binding holds the reference thumbprint), MASTER-INSTALLED-EVERY-NODE (the file and the service exist), " +
					"MASTER-CERT-ROOT-WITH-KEY (the reference thumbprint comes from the active SQLN1 and is in SQLN2's Root with its key), " +
					"MASTER-CFG-RESTART-APPLIED (SQLN2 is passive), WRK-MASTER-THUMBPRINT, WRK-ENDPOINT-HOST-IN-MASTER-CERT and " +
					"CAT-MASTER-PROPERTIES-COHERENT (compared with the reference certificate / the active node's config).",
			},
		},
		{
			Name:   "missing-certs",
			Title:  "A worker's certificate stores could not be read",
			Models: "healthy-ag, but WRK2's certificate stores were not collected: there is no nodes/WRK2/certs folder and nodes/WRK2/errors.json lists certs/LocalMachine/My and certs/LocalMachine/Root with \"access is denied\"",
			Build: func() *Spec {
				s := HealthyAG()
				s.FailCertCollection("WRK2", "access is denied")
				return s
			},
			ExpectUnknown: []string{"WRK-TRUSTS-MASTER-CERT", "WRK-OWN-CERT"},
			Reasoning: []string{
				"WRK-OWN-CERT is unknown for WRK2 (its LocalMachine/My, where the key must be, was not read); WRK-TRUSTS-MASTER-CERT " +
					"is unknown for WRK2 (its Root was not read).",
				"WRK-CERT-VALIDITY passes: validity is a property of the certificate itself, and the certificate with WRK2's " +
					"WorkerHttpsCertThumbprint (same thumbprint, same DER) is in both master nodes' Root, so its dates are known.",
				"MASTER-TRUSTS-EVERY-WORKER passes: it needs WRK2's WorkerHttpsCertThumbprint (from its config, collected) and the masters' Root stores.",
			},
		},
	}
}

// ExampleByName returns the named example.
func ExampleByName(name string) (Example, bool) {
	for _, e := range Examples() {
		if e.Name == name {
			return e, true
		}
	}
	return Example{}, false
}

func ruleList(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}

// README renders testdata/bundles/README.md.
func README() []byte {
	var b strings.Builder
	b.WriteString(`# Example evidence bundles

Generated by ` + "`collectors/bundlegen`" + ` — do not edit by hand. Change the generator
(` + "`collectors/bundlegen/examples.go`" + ` and friends) and run

    go test ./collectors/bundlegen -run TestTestdata -update

` + "`TestTestdata`" + ` (without ` + "`-update`" + `) fails when a committed file differs from what the generator writes.

Every bundle is collected at 2026-11-27T10:00:00Z. Certificates are real X.509 (Ed25519 keys derived
from a name, fixed serials and dates). Each mistake bundle differs from ` + "`healthy-ag`" + ` by one mistake
(and what that mistake necessarily changes).

## Expectation lines

Each section has two machine-readable lines, for profile ` + "`ha`" + `:

- ` + "`expect-fail: A, B`" + ` — every rule that must yield at least one ` + "`fail`" + ` result (` + "`none`" + ` when none);
- ` + "`expect-unknown: C`" + ` — every rule that must yield at least one ` + "`unknown`" + ` result and no ` + "`fail`" + `.

Every other rule of ` + "`shared/spec/rules.md`" + ` (profile ` + "`ha`" + `) that applies to the variant must yield only
` + "`pass`" + ` results (rules of the other variant yield nothing). The lists name rules that are not
implemented yet too; compare against the implemented rules only.

Interpretation used throughout (from docs/policy-contract.md): "the master certificate" is the
reference thumbprint — the active node's ` + "`SSLCertThumbprint`" + ` (SQLN1 / FCIN1) — and per-node rules
(Root with key, HTTP.SYS binding, worker thumbprint) compare each node against that reference, except
` + "`MASTER-CERT-CN-DNS`" + `, which checks on each master node the certificate that node's own ` + "`SSLCertThumbprint`" + `
names. The port of a node's HTTP.SYS and firewall checks is that node's own ` + "`PortNumber`" + `, or the declared
` + "`master_port`" + ` when the node's MasterSettings.config cannot be read. Rule results are per subject; a rule
"fails" when any of its subjects fails.
`)
	for _, e := range Examples() {
		fmt.Fprintf(&b, "\n## %s\n\n%s. %s\n\n", e.Name, e.Title, e.Models)
		fmt.Fprintf(&b, "expect-fail: %s\n", ruleList(e.ExpectFail))
		fmt.Fprintf(&b, "expect-unknown: %s\n", ruleList(e.ExpectUnknown))
		if len(e.Reasoning) > 0 {
			b.WriteString("\n")
			for _, r := range e.Reasoning {
				fmt.Fprintf(&b, "- %s\n", r)
			}
		}
	}
	return []byte(b.String())
}
