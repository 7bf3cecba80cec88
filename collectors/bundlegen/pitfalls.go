package bundlegen

import (
	"fmt"
	"strings"
	"time"
)

// Mutations for the documented SSISDB / logging / cluster / worker pitfalls
// (issue 3, item 6). Like those of mutate.go, each introduces one mistake
// and what it necessarily changes.

func (s *Spec) mustInstance(server string) *SQLInstance {
	for _, in := range s.SQL.Instances {
		if in.ServerName == server {
			return in
		}
	}
	panic("bundlegen: no SQL instance " + server)
}

func (in *SQLInstance) login(name string) *Login {
	for i := range in.Logins {
		if in.Logins[i].Name == name {
			return &in.Logins[i]
		}
	}
	panic(fmt.Sprintf("bundlegen: %s has no login %s", in.ServerName, name))
}

func (in *SQLInstance) dropLogin(name string) {
	in.login(name) // must exist
	var keep []Login
	for _, l := range in.Logins {
		if l.Name != name {
			keep = append(keep, l)
		}
	}
	in.Logins = keep
}

func (s *Spec) masterResource() *ClusterResource {
	for i := range s.Cluster.Resources {
		r := &s.Cluster.Resources[i]
		if r.ResourceType == "Generic Service" && strings.HasPrefix(fmt.Sprint(r.Parameters["ServiceName"]), "SSISScaleOutMaster") {
			return r
		}
	}
	panic("bundlegen: no master resource")
}

// RerunEnableScaleout models catalog.enable_scaleout run again on the
// primary after the HA setup: it drops and recreates the logging login there
// (a new SID and a new random password, set at `at`), and resets
// CLUSTER_LOGDB_SERVER and the logging connection string to the local
// instance (SERVERPROPERTY('ServerName')). The SSISDB user
// ##MS_SSISLogDBWorkerAgentUser## already exists and keeps the SID of the
// first run; the secondaries keep their login (old SID, old password).
func (s *Spec) RerunEnableScaleout(at time.Time) {
	p := s.mustInstance(s.SQL.Primary)
	p.login(logLogin).SID = sqlSID(logLogin + "@enable_scaleout:" + at.Format(time.RFC3339))
	p.LogLogin.PasswordLastSet = at
	one, zero := 1, 0
	p.PasswordMatches = &one
	for _, in := range s.SQL.Instances {
		if in != p {
			in.PasswordMatches = &zero
		}
	}
	c := s.SQL.Catalog
	c.LogDBServer = p.ServerName
	c.LogConnString = "Data Source=" + p.ServerName + ";Initial Catalog=SSISDB;User Id=" + logLogin + ";Password=***;"
}

// DropLoggingLogin removes the logging login from an instance: no
// server_principals or sql_logins row, and logdb_password_check (which reads
// sys.sql_logins) returns no row there.
func (s *Spec) DropLoggingLogin(server string) {
	in := s.mustInstance(server)
	in.dropLogin(logLogin)
	in.LogLogin = nil
	in.PasswordCheckNoRow = true
}

// RemoveSSISDBFromAG models SSISDB removed from its availability group
// (ALTER AVAILABILITY GROUP ... REMOVE DATABASE) and not added back: the AG
// (its replicas and listener) still exists, but ag_ssisdb and
// ssisdb_replica_states return no rows anywhere, SSISDB has replica_id null
// everywhere, and the secondaries' former copies are left RESTORING.
func (s *Spec) RemoveSSISDBFromAG() {
	s.SQL.AG.NoSSISDB = true
	for _, in := range s.SQL.Instances {
		in.SSISDBReplica = ""
		if in.ServerName != s.SQL.Primary {
			in.SSISDBState = "RESTORING"
		}
	}
}

// SkipAlwaysOnSupport models an AG whose "Enable Always On support" step
// was never done: catalog.alwayson_replicas lists only the primary (where
// the catalog was created) and the secondaries have no sp_ssis_startup.
func (s *Spec) SkipAlwaysOnSupport() {
	s.SQL.Catalog.AlwaysOnReplicas = []string{s.SQL.Primary}
	for _, in := range s.SQL.Instances {
		if in.ServerName != s.SQL.Primary {
			in.StartupProc = nil
		}
	}
}

// SetMasterAddress sets SSISDB's MASTER_ADDRESS.
func (s *Spec) SetMasterAddress(addr string) { s.SQL.Catalog.MasterAddress = addr }

// SetMasterResourceService makes the master Generic Service resource name
// another service (the previous version's, removed by the in-place
// upgrade): the resource cannot start and is Failed, with its group. The
// installed master service was started by hand on the owner node, so Scale
// Out keeps working there.
func (s *Spec) SetMasterResourceService(service string) {
	r := s.masterResource()
	r.Parameters["ServiceName"] = service
	r.State = "Failed"
	for i := range s.Cluster.Groups {
		if s.Cluster.Groups[i].Name == r.OwnerGroup {
			s.Cluster.Groups[i].State = "Failed"
		}
	}
}

// TakeMasterRoleOffline takes the master role (its group and every resource
// in it) Offline: the cluster stopped the master service, so no master has
// written heartbeats to SSISDB since then, for itself (masterLast) or for the
// workers (workerLast, by machine name).
func (s *Spec) TakeMasterRoleOffline(masterLast time.Time, workerLast map[string]time.Time) {
	r := s.masterResource()
	for i := range s.Cluster.Resources {
		if s.Cluster.Resources[i].OwnerGroup == r.OwnerGroup {
			s.Cluster.Resources[i].State = "Offline"
		}
	}
	for i := range s.Cluster.Groups {
		if s.Cluster.Groups[i].Name == r.OwnerGroup {
			s.Cluster.Groups[i].State = "Offline"
		}
	}
	for _, n := range s.Nodes {
		if sv := n.Service(masterService); sv != nil {
			sv.State, sv.ProcessID, sv.ProcessStart = "Stopped", 0, time.Time{}
		}
	}
	s.SQL.Catalog.LastOnline = masterLast
	for i := range s.SQL.Catalog.Workers {
		a := &s.SQL.Catalog.Workers[i]
		t, ok := workerLast[a.MachineName]
		if !ok {
			panic("bundlegen: no last online time for " + a.MachineName)
		}
		a.LastOnline = t
	}
}

// catalogWorker returns the catalog.worker_agents row of a worker machine.
func (s *Spec) catalogWorker(machine string) *WorkerAgent {
	for i := range s.SQL.Catalog.Workers {
		if s.SQL.Catalog.Workers[i].MachineName == machine {
			return &s.SQL.Catalog.Workers[i]
		}
	}
	panic("bundlegen: no worker agent " + machine)
}

// DisableWorkerAgent sets IsEnabled = 0 (catalog.disable_worker_agent).
func (s *Spec) DisableWorkerAgent(machine string) { s.catalogWorker(machine).Enabled = false }

// SetWorkerLastOnline sets a worker agent's LastOnlineTime.
func (s *Spec) SetWorkerLastOnline(machine string, t time.Time) {
	s.catalogWorker(machine).LastOnline = t
}

// SetIntegratedSecurityOnly sets an instance's authentication mode
// (1 = Windows authentication only).
func (s *Spec) SetIntegratedSecurityOnly(server string, v int) {
	s.mustInstance(server).IntegratedOnly = v
}

// DenySSISDBQueries makes every SSISDB query of the primary (the
// primary-only result sets, the opt-in logdb_connection included) fail with
// SQL Server's permission error for the object it reads. The opt-in
// logdb_password_check then fails on every replica the way the collector
// records it: the logging password was not available.
func (s *Spec) DenySSISDBQueries() {
	p := s.mustInstance(s.SQL.Primary)
	p.QueryErrors = map[string]string{}
	deny := func(perm, object, schema string) string {
		return fmt.Sprintf("The %s permission was denied on the object '%s', database 'SSISDB', schema '%s'.", perm, object, schema)
	}
	p.QueryErrors["ssisdb_master_properties"] = deny("SELECT", "master_properties", "catalog")
	p.QueryErrors["ssisdb_catalog_properties"] = deny("SELECT", "catalog_properties", "catalog")
	p.QueryErrors["ssisdb_worker_agents"] = deny("SELECT", "worker_agents", "catalog")
	p.QueryErrors["ssisdb_alwayson_replicas"] = deny("SELECT", "alwayson_replicas", "catalog")
	p.QueryErrors["ssisdb_principals"] = deny("SELECT", "database_principals", "sys")
	p.QueryErrors["executions_active"] = deny("SELECT", "executions", "catalog")
	if s.SQL.Catalog.LogConnString != "" {
		p.QueryErrors["logdb_connection"] = deny("EXECUTE", "get_log_dbconnection", "internal")
		// Without the decrypted connection string the collector has no
		// logging password to compare (collectors/sqlserver passwordCheck).
		for _, in := range s.SQL.Instances {
			if in.PasswordMatches == nil && !in.PasswordCheckNoRow {
				continue
			}
			if in.QueryErrors == nil {
				in.QueryErrors = map[string]string{}
			}
			in.QueryErrors["logdb_password_check"] = "logging password not available: logdb_connection failed: " + p.QueryErrors["logdb_connection"]
		}
	}
}

// pitfallExamples are the broken bundles of the documented pitfalls the
// cluster, AG, logging, catalog and worker rules catch.
func pitfallExamples() []Example {
	return []Example{
		{
			Name:  "enable-scaleout-rerun",
			Title: "catalog.enable_scaleout re-run after the HA setup",
			Models: "healthy-ag, but catalog.enable_scaleout was run again on the primary SQLN1 on 2026-11-26T14:22:07Z. As it does, it " +
				"dropped and recreated ##MS_SSISLogDBWorkerAgentLogin## there (a new SID and a new random password, PasswordLastSetTime " +
				"2026-11-26T14:22:07Z) and set CLUSTER_LOGDB_SERVER and the logging connection string's Data Source to the local instance " +
				"`SQLN1`. The SSISDB user ##MS_SSISLogDBWorkerAgentUser## already existed and keeps the first run's SID, which SQLN2's " +
				"login still has; SQLN2's login keeps the old password (logdb_password_check: 1 on SQLN1, 0 on SQLN2)",
			Build: func() *Spec {
				s := HealthyAG()
				s.RerunEnableScaleout(day(26, 14, 22, 7))
				return s
			},
			ExpectFail: []string{"LOG-LOGIN-ON-EVERY-REPLICA", "LOG-LOGDB-SERVER-IS-LISTENER", "LOG-CONNSTR-IS-LISTENER", "LOG-PASSWORD-IN-SYNC"},
			Reasoning: []string{
				"LOG-LOGIN-ON-EVERY-REPLICA fails for SQLN1: its login's new SID is not the SID of the SSISDB user (orphaned user); " +
					"SQLN2 passes (its login still has the user's SID). LOG-PASSWORD-IN-SYNC fails for SQLN2 only: the connection string " +
					"holds the new password, which only SQLN1's login has.",
				"LOG-LOGDB-SERVER-IS-LISTENER and LOG-CONNSTR-IS-LISTENER fail: `SQLN1` is a replica, not the listener " +
					"aglsn.contoso.com,1433. LOG-LOGIN-NO-EXPIRY passes: the login was recreated with CHECK_POLICY = OFF. " +
					"CAT-SCALEOUT-ENABLED passes (IS_SCALEOUT_ENABLED stays True).",
			},
		},
		{
			Name:   "logging-login-missing-secondary",
			Title:  "The logging login is missing on the secondary",
			Models: "healthy-ag, but ##MS_SSISLogDBWorkerAgentLogin## was never created on SQLN2 (HA §6.2 skipped): SQLN2's server_principals and sql_logins have no row for it, and its logdb_password_check returns no row",
			Build: func() *Spec {
				s := HealthyAG()
				s.DropLoggingLogin("SQLN2")
				return s
			},
			ExpectFail: []string{"LOG-LOGIN-ON-EVERY-REPLICA"},
			Reasoning: []string{
				"LOG-LOGIN-ON-EVERY-REPLICA fails for SQLN2 (the login does not exist); SQLN1 passes.",
				"LOG-PASSWORD-IN-SYNC and LOG-LOGIN-NO-EXPIRY yield no result for SQLN2 (SQLN1 passes): SQLN2's server_principals " +
					"show that the login does not exist there, so it has no password or policy to check, which is not unknown; " +
					"LOG-LOGIN-ON-EVERY-REPLICA carries the failure.",
			},
		},
		{
			Name:  "ssisdb-not-in-ag",
			Title: "SSISDB is not an availability database",
			Models: "healthy-ag, but SSISDB was removed from the availability group (as for an upgrade, CATALOG \"Upgrading SSISDB in an " +
				"availability group\") and never added back: AG `ssis-ag` (replicas SQLN1, SQLN2 in synchronous commit with automatic " +
				"failover, listener aglsn) still exists, but ag_ssisdb and ssisdb_replica_states return no rows on either replica, SSISDB " +
				"on the primary SQLN1 is ONLINE with replica_id null, and SQLN2's former copy is RESTORING with replica_id null. " +
				"catalog.alwayson_replicas, sp_ssis_startup and clr enabled are as Always On support left them",
			Build: func() *Spec {
				s := HealthyAG()
				s.RemoveSSISDBFromAG()
				return s
			},
			ExpectFail: []string{"AG-SSISDB-IN-AG", "AG-LISTENER", "AG-AUTOMATIC-FAILOVER"},
			Reasoning: []string{
				"AG-SSISDB-IN-AG fails for SQLN1 and SQLN2: no AG contains SSISDB, replica_id is null, no replica state.",
				"AG-LISTENER and AG-AUTOMATIC-FAILOVER are about the AG that contains SSISDB: there is none, so no listener leads to " +
					"SSISDB's AG and SSISDB has no automatic-failover secondary; both fail (their messages name an empty AG).",
				"AG-SSISDB-SYNC-HEALTHY passes: with no SSISDB AG, no replica is a synchronous-commit replica of SSISDB (the rule " +
					"has nothing to require). AG-SSIS-ALWAYSON-SUPPORT and AG-SSISDB-DMK-BY-SMK pass (left as they were). The listener " +
					"still routes to SQLN1, where SSISDB is: MASTER-CFG-SQLSERVERNAME-LISTENER and LOG-LOGDB-SERVER-IS-LISTENER pass.",
			},
		},
		{
			Name:  "alwayson-support-disabled",
			Title: "Always On support for SSIS was not enabled",
			Models: "healthy-ag, but the \"Enable Always On support\" step (CATALOG step 3) was never done: catalog.alwayson_replicas lists " +
				"only the primary SQLN1, and SQLN2 has no master.dbo.sp_ssis_startup (startup_procs returns no row). SQLN1 has it as a " +
				"startup procedure (created with the catalog)",
			Build: func() *Spec {
				s := HealthyAG()
				s.SkipAlwaysOnSupport()
				return s
			},
			ExpectFail: []string{"AG-SSIS-ALWAYSON-SUPPORT"},
			Reasoning: []string{
				"AG-SSIS-ALWAYSON-SUPPORT fails for SQLN2 (not listed in catalog.alwayson_replicas, no sp_ssis_startup); SQLN1 passes. " +
					"clr enabled is 1 on both replicas.",
			},
		},
		{
			Name:   "master-address-node",
			Title:  "MASTER_ADDRESS names a cluster node",
			Models: "healthy-ag, but SSISDB's MASTER_ADDRESS is https://sqln1.contoso.com:8391 (the node name setup wrote, never updated with catalog.update_master_address)",
			Build: func() *Spec {
				s := HealthyAG()
				s.SetMasterAddress("https://sqln1.contoso.com:8391")
				return s
			},
			ExpectFail: []string{"CAT-MASTER-ADDRESS"},
			Reasoning: []string{
				"The port is 8391, so MASTER-CFG-PORT-CONSISTENT passes. No rule compares MASTER_ADDRESS with the master certificate.",
			},
		},
		{
			Name:  "cluster-role-old-version",
			Title: "The master cluster role still names the previous version's service",
			Models: "healthy-ag after an in-place upgrade from SQL Server 2017: both master nodes have SSISScaleOutMaster150 (and no " +
				"SSISScaleOutMaster140), but the role was not recreated and its Generic Service resource still has ServiceName " +
				"SSISScaleOutMaster140. The resource cannot start a service that no longer exists: it and its group `ssismaster` are " +
				"Failed (owner SQLN1); SSISScaleOutMaster150 was started by hand on SQLN1",
			Build: func() *Spec {
				s := HealthyAG()
				s.SetMasterResourceService("SSISScaleOutMaster140")
				return s
			},
			ExpectFail: []string{"CLUSTER-MASTER-ROLE-ONLINE", "CLUSTER-MASTER-RESOURCE-VERSION"},
			Reasoning: []string{
				"CLUSTER-MASTER-RESOURCE-VERSION fails for SQLN1 and SQLN2 (neither has SSISScaleOutMaster140). CLUSTER-MASTER-ROLE-ONLINE " +
					"fails: the resource is Failed.",
				"CLUSTER-MASTER-ROLE passes: a Generic Service resource runs an SSISScaleOutMaster service; which version is " +
					"CLUSTER-MASTER-RESOURCE-VERSION's check. The resource's owner SQLN1 is the active node and runs the master: " +
					"CAT-MASTER-PROPERTIES-COHERENT, CAT-MASTER-HEARTBEAT-FRESH and MASTER-CFG-RESTART-APPLIED pass.",
			},
		},
		{
			Name:  "master-role-offline",
			Title: "The master role is Offline",
			Models: "healthy-ag, but the master role `ssismaster` (group and its resources: the Generic Service, Network Name and IP " +
				"address) was taken Offline at 2026-11-27T09:12:40Z and left so (owner SQLN1). The cluster stopped SSISScaleOutMaster150, " +
				"so it is Stopped on both nodes, and nothing has written heartbeats to SSISDB since: LAST_ONLINE_TIME " +
				"2026-11-27 09:12:31.204, workers' LastOnlineTime 09:12:05 (WRK1) and 09:11:52 (WRK2)",
			Build: func() *Spec {
				s := HealthyAG()
				s.TakeMasterRoleOffline(time.Date(2026, 11, 27, 9, 12, 31, 204000000, time.UTC), map[string]time.Time{
					"WRK1": time.Date(2026, 11, 27, 9, 12, 5, 233000000, time.UTC),
					"WRK2": time.Date(2026, 11, 27, 9, 11, 52, 870000000, time.UTC),
				})
				return s
			},
			ExpectFail: []string{"CLUSTER-MASTER-ROLE-ONLINE", "CAT-MASTER-HEARTBEAT-FRESH", "WRK-REGISTERED-ENABLED-ONLINE", "WRK-HA-MIN-COUNT"},
			Reasoning: []string{
				"CLUSTER-MASTER-ROLE-ONLINE fails (Offline). With no master running, CAT-MASTER-HEARTBEAT-FRESH fails (47 min > 3 × 30 s), " +
					"WRK-REGISTERED-ENABLED-ONLINE fails for WRK1 and WRK2 (48 min > 3 × 60 s) and WRK-HA-MIN-COUNT fails (no worker online).",
				"MASTER-CFG-RESTART-APPLIED yields no result: it applies to the node where the master service is Running, and none is. " +
					"The group's owner is still SQLN1, so CAT-MASTER-PROPERTIES-COHERENT compares with SQLN1 and passes. The worker " +
					"services are Running: WRK-SERVICE-VERSION passes.",
			},
		},
		{
			Name:  "worker-disabled-and-stale",
			Title: "One worker disabled, the other's heartbeat stale",
			Models: "healthy-ag, but in catalog.worker_agents WRK1 is disabled (IsEnabled 0, still online a minute ago) and WRK2's " +
				"LastOnlineTime is 2026-11-27T07:58:47.112Z, two hours before collection (its agent stopped heartbeating; the service " +
				"is still Running)",
			Build: func() *Spec {
				s := HealthyAG()
				s.DisableWorkerAgent("WRK1")
				s.SetWorkerLastOnline("WRK2", time.Date(2026, 11, 27, 7, 58, 47, 112000000, time.UTC))
				return s
			},
			ExpectFail: []string{"WRK-REGISTERED-ENABLED-ONLINE", "WRK-HA-MIN-COUNT"},
			Reasoning: []string{
				"WRK-REGISTERED-ENABLED-ONLINE fails for WRK1 (disabled) and for WRK2 (last online 7273 s before collection, more than " +
					"3 × its AgentHeartbeatInterval of 60 s). WRK-HA-MIN-COUNT fails: no worker is both enabled and online.",
				"WRK-SERVICE-VERSION passes: both worker services are Running SSISScaleOutWorker150 (rules.md has no rule that compares " +
					"the service state with the heartbeat).",
			},
		},
		{
			Name:   "sql-auth-disabled-secondary",
			Title:  "SQL Server authentication is disabled on the secondary",
			Models: "healthy-ag, but SQLN2 runs in Windows authentication mode (IsIntegratedSecurityOnly = 1); logging uses the SQL login ##MS_SSISLogDBWorkerAgentLogin##",
			Build: func() *Spec {
				s := HealthyAG()
				s.SetIntegratedSecurityOnly("SQLN2", 1)
				return s
			},
			ExpectFail: []string{"AG-SQL-AUTH-MIXED"},
			Reasoning: []string{
				"AG-SQL-AUTH-MIXED fails for SQLN2 only. The logging login exists there with the right SID and password " +
					"(PWDCOMPARE works in either mode): LOG-LOGIN-ON-EVERY-REPLICA and LOG-PASSWORD-IN-SYNC pass.",
			},
		},
		{
			Name:  "ssisdb-permission-denied",
			Title: "The SSISDB queries were denied",
			Models: "healthy-ag, but the collecting login may not read SSISDB: on the primary SQLN1 every SSISDB query failed with " +
				"\"rows\": null and SQL Server's permission error for the object it reads, e.g. ssisdb_worker_agents: \"The SELECT " +
				"permission was denied on the object 'worker_agents', database 'SSISDB', schema 'catalog'.\" (ssisdb_master_properties, " +
				"ssisdb_catalog_properties, ssisdb_worker_agents, ssisdb_alwayson_replicas, ssisdb_principals, executions_active, and the " +
				"opt-in logdb_connection with the EXECUTE permission on internal.get_log_dbconnection). The per-replica queries succeeded",
			Build: func() *Spec {
				s := HealthyAG()
				s.DenySSISDBQueries()
				return s
			},
			ExpectUnknown: []string{
				"MASTER-CFG-PORT-CONSISTENT", "AG-SSIS-ALWAYSON-SUPPORT", "LOG-LOGIN-ON-EVERY-REPLICA", "LOG-LOGDB-SERVER-IS-LISTENER",
				"LOG-CONNSTR-IS-LISTENER", "LOG-PASSWORD-IN-SYNC", "LOG-WINDOWS-ACCOUNT-CONSISTENT", "CAT-SCALEOUT-ENABLED",
				"CAT-MASTER-ADDRESS", "CAT-MASTER-PROPERTIES-COHERENT", "CAT-MASTER-HEARTBEAT-FRESH", "CAT-SCHEMA-COMPATIBLE",
				"WRK-REGISTERED-ENABLED-ONLINE", "WRK-HA-MIN-COUNT",
			},
			Reasoning: []string{
				"Only unknowns, so the scan exits 3. Every rule that reads an SSISDB result set is unknown and names the failed query: " +
					"the master properties (MASTER-CFG-PORT-CONSISTENT's MASTER_ADDRESS and MASTER_SERVICE_PORT parts, CAT-MASTER-ADDRESS, " +
					"CAT-MASTER-PROPERTIES-COHERENT, CAT-MASTER-HEARTBEAT-FRESH, LOG-LOGDB-SERVER-IS-LISTENER), the catalog properties " +
					"(CAT-SCALEOUT-ENABLED, CAT-SCHEMA-COMPATIBLE for each replica), catalog.alwayson_replicas (AG-SSIS-ALWAYSON-SUPPORT " +
					"for each replica), the SSISDB user's SID (LOG-LOGIN-ON-EVERY-REPLICA for each replica) and catalog.worker_agents " +
					"(WRK-REGISTERED-ENABLED-ONLINE for each worker, WRK-HA-MIN-COUNT).",
				"The opt-in logdb_connection failed too, so the collector had no logging password: logdb_password_check failed on both " +
					"replicas (\"logging password not available: ...\") and LOG-PASSWORD-IN-SYNC is unknown; without the connection string " +
					"neither LOG-CONNSTR-IS-LISTENER nor LOG-WINDOWS-ACCOUNT-CONSISTENT (Windows or SQL authentication?) can be decided.",
				"Still decided from the per-replica result sets (they pass): AG-HADR-ENABLED, AG-VERSION, AG-SSISDB-IN-AG, " +
					"AG-SSISDB-SYNC-HEALTHY, AG-LISTENER, AG-SSISDB-DMK-BY-SMK, AG-SQL-AUTH-MIXED (SQL authentication is allowed, so " +
					"the logging mode does not matter), AG-AUTOMATIC-FAILOVER, MASTER-ACCOUNT-SQL-LOGIN, LOG-LOGIN-NO-EXPIRY.",
			},
		},
	}
}
