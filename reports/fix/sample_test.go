package fix

import (
	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

const (
	masterThumb = "3C2A5B7D9E1F203142536475869708A9B0C1D2E3"
	wrk2Thumb   = "9F1E2D3C4B5A69788796A5B4C3D2E1F001122334"
	logSID      = "0x5A1B2C3D4E5F60718293A4B5C6D7E8F9"
	agentWRK1   = "6583054a-e915-4c2a-80e4-c765e79ef61d"
	masterCfg   = `C:\Program Files\Microsoft SQL Server\150\DTS\Binn\MasterSettings.config`
	workerCfg   = `C:\Program Files\Microsoft SQL Server\150\DTS\Binn\WorkerSettings.config`
)

func fail(rule, sev, node, object, msg string, fix *reports.Fix) reports.Result {
	return reports.Result{Rule: rule, Severity: sev, Status: reports.StatusFail,
		Subject: reports.Subject{Kind: "node", Node: node, Object: object}, Message: msg, Fix: fix}
}

func failInst(rule, sev, inst, msg string, fix *reports.Fix) reports.Result {
	return reports.Result{Rule: rule, Severity: sev, Status: reports.StatusFail,
		Subject: reports.Subject{Kind: "instance", Instance: inst}, Message: msg, Fix: fix}
}

func fx(id, target string, params map[string]any) *reports.Fix {
	return &reports.Fix{ID: id, Target: target, Params: params}
}

// sampleReport is a realistic AG deployment after a botched secondary
// master install: SQLN1 is the active master and the SSISDB primary,
// SQLN2 the passive master and a secondary replica (named instance), WRK1
// and WRK2 are workers.
func sampleReport() *reports.Report {
	r := &reports.Report{
		Tool:       reports.Tool{Name: "ssis-ha-lint", Version: "0.1.0", PolicyBundle: "sha256:0"},
		Deployment: reports.DeploymentRef{Name: "prod-etl", Variant: "ag"},
		Profile:    "ha",
		Bundle:     reports.BundleRef{Path: "evidence/prod-etl", CreatedUTC: "2026-11-20T08:00:00Z"},
	}
	r.Results = []reports.Result{
		fail("MASTER-CERT-SAME-ALL-NODES", "critical", "SQLN2", "MasterSettings.config/SSLCertThumbprint",
			"SQLN2 uses master certificate 9F1E…; SQLN1 (active node) uses 3C2A… — every master node must use the same certificate",
			fx("import-master-cert", "SQLN2", map[string]any{"thumbprint": masterThumb, "source_node": "SQLN1", "store": "Root"})),
		fail("MASTER-CERT-ROOT-WITH-KEY", "critical", "SQLN2", "cert:"+masterThumb,
			"SQLN2 has no copy of the master certificate 3C2A… with its private key in LocalMachine\\Root",
			fx("import-master-cert", "SQLN2", map[string]any{"thumbprint": masterThumb, "source_node": "SQLN1", "store": "Root"})),
		fail("MASTER-CFG-SQLSERVERNAME-LISTENER", "critical", "SQLN2", "MasterSettings.config/SqlServerName",
			"SQLN2 has SqlServerName SQLN2\\SSIS; the SSISDB listener is aglsn.contoso.com,1433",
			fx("set-master-config", "SQLN2", map[string]any{"path": masterCfg, "key": "SqlServerName", "value": "aglsn.contoso.com,1433"})),
		fail("MASTER-CFG-PORT-CONSISTENT", "critical", "SQLN2", "MasterSettings.config/PortNumber",
			"SQLN2 has PortNumber 8392; MASTER_ADDRESS and the workers use 8391",
			fx("set-master-config", "SQLN2", map[string]any{"path": masterCfg, "key": "PortNumber", "value": "8391"})),
		fail("MASTER-HTTPSYS-BINDING", "critical", "SQLN2", "httpsys:0.0.0.0:8391",
			"SQLN2 binds 0.0.0.0:8391 to certificate 9F1E… in store My; expected 3C2A… in Root",
			fx("bind-master-port", "SQLN2", map[string]any{"port": float64(8391), "thumbprint": masterThumb, "app_id": "{00112233-4455-6677-8899-AABBCCDDEEFF}"})),
		fail("MASTER-TRUSTS-EVERY-WORKER", "critical", "SQLN2", "worker:WRK2",
			"SQLN2 does not trust the certificate of worker WRK2 (9F1E2D…) in LocalMachine\\Root",
			fx("trust-worker-cert", "SQLN2", map[string]any{"thumbprint": wrk2Thumb, "worker": "WRK2", "cer_path": ""})),
		fail("MASTER-FIREWALL", "high", "SQLN2", "firewall:8391",
			"SQLN2 has no enabled inbound firewall rule for the master port 8391",
			fx("add-firewall-rule", "SQLN2", map[string]any{"port": float64(8391), "display_name": "SSIS Scale Out Master (TCP 8391)"})),
		fail("MASTER-SCHANNEL-CLIENTAUTH", "high", "SQLN1", "registry:SCHANNEL",
			"SQLN1 has 3 non-self-signed certificates in LocalMachine\\Root and SendTrustedIssuerList is not 0",
			fx("set-schannel-clientauth", "SQLN1", map[string]any{})),
		fail("MASTER-ACCOUNT-DOMAIN", "critical", "SQLN2", "service:SSISScaleOutMaster150",
			"SQLN2 runs the master as NT Service\\SSISScaleOutMaster150, not a domain account",
			fx("set-master-account", "SQLN2", map[string]any{"service": "SSISScaleOutMaster150", "account": `CONTOSO\svc_ssismaster`})),
		fail("MASTER-CFG-RESTART-APPLIED", "medium", "SQLN1", "service:SSISScaleOutMaster150",
			"SQLN1 runs the master since 2026-11-19 08:00; MasterSettings.config changed at 2026-11-19 09:12",
			fx("restart-master", "SQLN1", map[string]any{"resource": "SSIS Scale Out Master", "service": "SSISScaleOutMaster150"})),
		fail("WRK-MASTER-THUMBPRINT", "critical", "WRK1", "WorkerSettings.config/MasterHttpsCertThumbprint",
			"WRK1 expects master certificate 9F1E…; the master uses 3C2A…",
			fx("set-worker-config", "WRK1", map[string]any{"path": workerCfg, "key": "MasterHttpsCertThumbprint", "value": masterThumb, "service": "SSISScaleOutWorker150"})),
		fail("WRK-TRUSTS-MASTER-CERT", "critical", "WRK1", "cert:"+masterThumb,
			"WRK1 does not have the master certificate 3C2A… in LocalMachine\\Root",
			fx("trust-master-cert", "WRK1", map[string]any{"thumbprint": masterThumb, "source_node": "SQLN1"})),
		fail("WRK-SERVICE-VERSION", "high", "WRK2", "service:SSISScaleOutWorker150",
			"WRK2: SSISScaleOutWorker150 is Stopped (start mode Manual)",
			fx("start-worker", "WRK2", map[string]any{"service": "SSISScaleOutWorker150"})),
		failInst("MASTER-ACCOUNT-SQL-LOGIN", "critical", `SQLN2\SSIS`,
			`SQLN2\SSIS has no login for the master account CONTOSO\svc_ssismaster`,
			fx("sql-create-windows-login", `SQLN2\SSIS`, map[string]any{"login": `CONTOSO\svc_ssismaster`})),
		failInst("LOG-LOGIN-ON-EVERY-REPLICA", "critical", `SQLN2\SSIS`,
			`SQLN2\SSIS has no login ##MS_SSISLogDBWorkerAgentLogin##; package logging breaks after failover`,
			fx("sql-create-logdb-login", `SQLN2\SSIS`, map[string]any{"login": "##MS_SSISLogDBWorkerAgentLogin##", "sid": logSID})),
		failInst("AG-SSIS-ALWAYSON-SUPPORT", "critical", `SQLN2\SSIS`,
			`SQLN2\SSIS has clr enabled = 0`,
			fx("sql-enable-clr", `SQLN2\SSIS`, map[string]any{})),
		failInst("LOG-CONNSTR-IS-LISTENER", "critical", "SQLN1",
			"the logging connection string points at SQLN1, not the listener aglsn.contoso.com,1433",
			fx("sql-update-logdb-info", "SQLN1", map[string]any{"server_name": "aglsn.contoso.com,1433", "login": "##MS_SSISLogDBWorkerAgentLogin##"})),
		failInst("LOG-LOGDB-SERVER-IS-LISTENER", "critical", "SQLN1",
			"CLUSTER_LOGDB_SERVER is SQLN1, not the listener aglsn.contoso.com,1433",
			fx("sql-update-logdb-info", "SQLN1", map[string]any{"server_name": "aglsn.contoso.com,1433", "login": "##MS_SSISLogDBWorkerAgentLogin##"})),
		failInst("LOG-PASSWORD-IN-SYNC", "high", "SQLN1",
			"the logging password of SQLN1 does not match the stored connection string",
			fx("sql-alter-logdb-login", "SQLN1", map[string]any{"login": "##MS_SSISLogDBWorkerAgentLogin##"})),
		failInst("CAT-MASTER-ADDRESS", "critical", "SQLN1",
			"MASTER_ADDRESS is https://SQLN1:8391, not https://ssismaster.contoso.com:8391",
			fx("sql-update-master-address", "SQLN1", map[string]any{"address": "https://ssismaster.contoso.com:8391"})),
		failInst("AG-SSISDB-DMK-BY-SMK", "high", "SQLN1",
			"SSISDB's master key is not encrypted by the service master key on the primary SQLN1",
			fx("sql-dmk-by-smk", "SQLN1", map[string]any{})),
		failInst("WRK-REGISTERED-ENABLED-ONLINE", "high", "SQLN1",
			"worker WRK1 (AgentId 6583054A-…) is registered but disabled",
			fx("sql-enable-worker-agent", "SQLN1", map[string]any{"agent_id": agentWRK1})),
		fail("CLUSTER-MASTER-CAP-NAME", "critical", "", "cluster:SSIS Scale Out Master",
			"the master role's client access point is ssismst, the declared master DNS name is ssismaster",
			fx("manual", "SQLN1", map[string]any{"steps": []any{
				"Recreate the master role with the client access point ssismaster (HA §7), or change the master certificate and MASTER_ADDRESS to ssismst (CERTS).",
				"Then re-run the scan.",
			}})),
		fail("AG-SSIS-ALWAYSON-SUPPORT", "critical", "SQLN1", "ssisdb:alwayson_replicas",
			"catalog.alwayson_replicas does not list SQLN2\\SSIS",
			fx("sql-enable-always-on-support", "SQLN1", map[string]any{"replica": `SQLN2\SSIS`})),
		// Waived: excluded.
		{Rule: "WRK-HA-MIN-COUNT", Severity: "medium", Status: reports.StatusWaived,
			Subject: reports.Subject{Kind: "deployment"}, Message: "only 1 worker is online",
			Fix:    fx("manual", "", map[string]any{"steps": []any{"Add a second worker."}}),
			Waiver: &reports.Waiver{Reason: "dev", Owner: "dba@contoso.com", Expires: "2027-03-31"}},
		// Passing and unknown: excluded.
		{Rule: "AG-HADR-ENABLED", Severity: "critical", Status: reports.StatusPass,
			Subject: reports.Subject{Kind: "instance", Instance: "SQLN1"}, Message: "HADR is enabled on SQLN1"},
		{Rule: "MASTER-FIREWALL", Severity: "high", Status: reports.StatusUnknown,
			Subject: reports.Subject{Kind: "node", Node: "WRK9"}, Message: "WRK9 was not collected",
			Fix: fx("add-firewall-rule", "WRK9", map[string]any{"port": "8391"})},
	}
	return r
}

// everyIDReport has one fix of every catalog id (the ones sampleReport
// does not have), so every template is rendered and parsed.
func everyIDReport() *reports.Report {
	r := sampleReport()
	r.Results = append(r.Results,
		fail("WRK-OWN-CERT", "critical", "WRK2", "cert:worker",
			"WRK2 has no worker certificate with a private key in LocalMachine\\My",
			fx("replace-worker-cert", "WRK2", map[string]any{"worker": "wrk2.contoso.com", "store": "LocalMachine/My", "service": "SSISScaleOutWorker150"})),
		fail("MASTER-CERT-CN-DNS", "critical", "SQLN3", "cert:CN",
			"the master certificate of SQLN3 does not carry ssismaster.contoso.com",
			fx("renew-master-cert", "SQLN3", map[string]any{"dns_name": "ssismaster.contoso.com", "port": "8391", "path": masterCfg})),
		fail("MASTER-TRUSTS-EVERY-WORKER", "critical", "SQLN3", "worker:WRK1",
			"SQLN3 does not trust WRK1",
			fx("trust-worker-cert", "SQLN3", map[string]any{"thumbprint": wrk2Thumb, "worker": "WRK1",
				"cer_path": `\\WRK1\c$\Program Files\Microsoft SQL Server\150\DTS\Binn\SSISScaleOutWorker.cer`})),
		failInst("MASTER-ACCOUNT-SQL-LOGIN", "critical", `SQLN2\SSIS`,
			"the master login is disabled",
			fx("sql-enable-login", `SQLN2\SSIS`, map[string]any{"login": `CONTOSO\svc_ssismaster`})),
	)
	return r
}
