# Rules about SSISDB in an Always On availability group, read from the SQL
# Server replicas (AG-wide state from the primary's result sets).
package ssis.rules.ag

import data.ssis.lib.facts
import data.ssis.lib.names
import data.ssis.lib.result as res
import data.ssis.lib.sql

# METADATA
# title: Always On is enabled on every replica
# description: IsHadrEnabled is 1 on every SQL Server replica.
# custom:
#   id: AG-HADR-ENABLED
#   severity: critical
#   variant: ag
#   profiles: [ha, pre-upgrade]
#   source: CATALOG prereq
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/catalog/ssis-catalog
#   fix: manual
#   why: An instance without Always On availability groups cannot host an SSISDB replica, so SSISDB cannot fail over to it.
#   facts: ["sql/<INSTANCE>/server_properties: IsHadrEnabled"]
#   remediation: Enable-SqlAlwaysOn -ServerInstance <instance> -Force (restarts the engine), or SQL Server Configuration Manager.
#   tags: [availability-group, sql]
ag_hadr_enabled contains r if {
	facts.variant == "ag"
	some rep in sql.replicas
	v := facts.get(sql.server(rep.instance), "IsHadrEnabled", null)
	r := res.decide({
		"rule": "AG-HADR-ENABLED",
		"subject": sql.subject(rep.instance, "SERVERPROPERTY/IsHadrEnabled"),
		"missing": column_missing(rep.instance, "server_properties", "IsHadrEnabled", v),
		"ok": facts.flag_bool(v),
		"pass_msg": sprintf("%s has Always On availability groups enabled.", [rep.instance]),
		"fail_msg": sprintf("%s does not have Always On availability groups enabled (IsHadrEnabled = %v); it cannot host SSISDB's replica.", [rep.instance, v]),
		"unknown_msg": sprintf("%s: IsHadrEnabled could not be read.", [rep.instance]),
		"observed": v,
		"expected": 1,
		"evidence": [sql.ev(rep.instance, "server_properties", "IsHadrEnabled")],
		"fix": res.manual(rep.instance, [sprintf("Enable-SqlAlwaysOn -ServerInstance '%s' -Force (restarts the Database Engine; do secondaries first).", [rep.instance])]),
	})
}

# METADATA
# title: Replicas run SQL Server 2017 or later, all the same major version
# description: Every replica is SQL Server 2017 (14) or later; medium when replicas differ in major version.
# custom:
#   id: AG-VERSION
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: CATALOG, HA
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/catalog/ssis-catalog
#   fix: manual
#   why: >-
#     Scale Out and the SSISDB procedures it needs (update_logdb_info, update_master_address) exist from SQL Server
#     2017; replicas of different major versions cannot all run the SSISDB schema after a failover.
#   facts: ["sql/<INSTANCE>/server_properties: ProductMajorVersion, ProductVersion"]
#   remediation: Upgrade the replica to the deployment's SQL Server version (see HA "Upgrade Scale Out in high availability environment").
#   tags: [sql, version]
ag_version contains r if {
	some rep in sql.replicas
	maj := sql.major(rep.instance)
	top := sql.max_major
	r := res.decide({
		"rule": "AG-VERSION",
		"subject": sql.subject(rep.instance, "SERVERPROPERTY/ProductMajorVersion"),
		"missing": facts.first_missing([
			sql.missing(rep.instance, "server_properties"),
			facts.missing_if(maj == 0, sprintf("%s: ProductMajorVersion unreadable", [sql.artifact(rep.instance, "server_properties")])),
		]),
		"ok": count([1 | maj >= 14; maj == top]) == 1,
		"severity": sql.version_severity(maj),
		"pass_msg": sprintf("%s runs SQL Server %d (%s).", [rep.instance, maj, facts.get(sql.server(rep.instance), "ProductVersion", "")]),
		"fail_msg": sql.version_msg(rep.instance, maj, top),
		"unknown_msg": sprintf("%s: the SQL Server version could not be read.", [rep.instance]),
		"observed": facts.get(sql.server(rep.instance), "ProductVersion", null),
		"expected": sprintf("major version %d (14 or later, the same on every replica)", [top]),
		"evidence": [sql.ev(rep.instance, "server_properties", "ProductMajorVersion")],
		"fix": res.manual(rep.instance, [sprintf("Upgrade %s to SQL Server major version %d (and run the SSISDB upgrade as CATALOG \"Upgrading SSISDB in an availability group\" describes).", [rep.instance, max({top, 14})])]),
	})
}

# METADATA
# title: SSISDB is an availability database joined on every replica
# description: SSISDB is in an availability group and joined on every replica.
# custom:
#   id: AG-SSISDB-IN-AG
#   severity: critical
#   variant: ag
#   profiles: [ha, pre-upgrade]
#   source: HA §4
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: manual
#   why: SSISDB fails over only to replicas where it is a joined availability database; elsewhere the master finds no catalog after a failover.
#   facts: ["sql/<INSTANCE>/ag_ssisdb", "sql/<INSTANCE>/databases: replica_id", "sql/<PRIMARY>/ssisdb_replica_states"]
#   remediation: Add SSISDB to the availability group from the primary with the New Availability Group / Add Database wizard (it asks for the catalog password), and join it on every secondary.
#   tags: [availability-group, ssisdb]
ag_ssisdb_in_ag contains r if {
	facts.variant == "ag"
	some rep in sql.replicas
	inst := rep.instance
	in_ag := count([1 | some x in sql.rows(inst, "ag_ssisdb"); upper(facts.str(x.database_name)) == "SSISDB"]) > 0
	db := sql.ssisdb_row(inst)
	problems := array.concat(
		array.concat(
			["no availability group contains SSISDB" | not in_ag],
			["SSISDB does not exist here" | db == null],
		),
		array.concat(
			["the local SSISDB is not an availability database (replica_id is null)" | db != null; facts.get(db, "replica_id", null) == null],
			[sprintf("the primary %s has no SSISDB replica state for it (not joined)", [sql.prim]) | sql.replica_state(inst) == null],
		),
	)
	r := res.decide({
		"rule": "AG-SSISDB-IN-AG",
		"subject": sql.subject(inst, "SSISDB"),
		"missing": facts.first_missing([
			sql.missing(inst, "ag_ssisdb"),
			sql.missing(inst, "databases"),
			sql.missing(sql.prim, "ssisdb_replica_states"),
		]),
		"ok": count(problems) == 0,
		"pass_msg": sprintf("%s: SSISDB is joined to availability group %s.", [inst, sql.ag_name]),
		"fail_msg": sprintf("%s: SSISDB is not a joined availability database: %s.", [inst, concat("; ", problems)]),
		"unknown_msg": sprintf("%s: SSISDB's availability group membership could not be checked.", [inst]),
		"observed": problems,
		"expected": [],
		"evidence": [sql.ev(inst, "ag_ssisdb", "database_name"), sql.ev(inst, "databases", "replica_id"), sql.ev(sql.prim, "ssisdb_replica_states", "replica_server_name")],
		"fix": res.manual(inst, [
			sprintf("On the primary %s, add SSISDB to availability group %s with the Add Database wizard (enter the catalog password).", [sql.prim, sql.ag_name]),
			sprintf("Join SSISDB on %s (ALTER DATABASE [SSISDB] SET HADR AVAILABILITY GROUP = [%s] after restoring it WITH NORECOVERY, or automatic seeding).", [inst, sql.ag_name]),
		]),
	})
}

# METADATA
# title: SSISDB is synchronized and healthy on the synchronous replicas
# description: On every synchronous-commit replica, SSISDB is SYNCHRONIZED and HEALTHY (read from the primary).
# custom:
#   id: AG-SSISDB-SYNC-HEALTHY
#   severity: high
#   variant: ag
#   profiles: [ha]
#   source: CATALOG
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/catalog/ssis-catalog
#   fix: manual
#   why: An automatic failover to a replica whose SSISDB is not synchronized is refused, or loses catalog changes.
#   facts: ["sql/<PRIMARY>/ssisdb_replica_states: synchronization_state_desc, synchronization_health_desc", "sql/<PRIMARY>/ag_replicas: availability_mode_desc"]
#   remediation: Resume data movement (ALTER DATABASE [SSISDB] SET HADR RESUME) and fix the cause shown in the AG dashboard.
#   tags: [availability-group, ssisdb]
ag_ssisdb_sync_healthy contains r if {
	facts.variant == "ag"
	some rep in sql.replicas
	inst := rep.instance
	st := sql.replica_state(inst)
	ar := sql.ag_replica(inst)
	synchronous := upper(facts.str(facts.get(ar, "availability_mode_desc", ""))) == "SYNCHRONOUS_COMMIT"
	state := upper(facts.str(facts.get(st, "synchronization_state_desc", "")))
	health := upper(facts.str(facts.get(st, "synchronization_health_desc", "")))
	r := res.decide({
		"rule": "AG-SSISDB-SYNC-HEALTHY",
		"subject": sql.subject(inst, "SSISDB/synchronization"),
		"missing": facts.first_missing([sql.missing(sql.prim, "ssisdb_replica_states"), sql.missing(sql.prim, "ag_replicas")]),
		"ok": (count([1 | not synchronous]) + count([1 | state == "SYNCHRONIZED"; health == "HEALTHY"])) > 0,
		"pass_msg": if_in_ag(sql.sync_pass_msg(inst, synchronous, state, health), sprintf("%s: SSISDB is in no availability group, so there is no synchronous replica to check (AG-SSISDB-IN-AG reports it).", [inst])),
		"fail_msg": sprintf("%s: SSISDB is %s / %s on this synchronous-commit replica; an automatic failover to it is not safe.", [inst, sql.or_absent(state), sql.or_absent(health)]),
		"unknown_msg": sprintf("%s: SSISDB's synchronization state could not be read from the primary.", [inst]),
		"observed": {"availability_mode": facts.get(ar, "availability_mode_desc", null), "synchronization_state": state, "synchronization_health": health},
		"expected": {"synchronization_state": "SYNCHRONIZED", "synchronization_health": "HEALTHY"},
		"evidence": [sql.ev(sql.prim, "ssisdb_replica_states", inst)],
		"fix": res.manual(inst, [
			sprintf("On %s: ALTER DATABASE [SSISDB] SET HADR RESUME; then check the AG dashboard for the cause.", [inst]),
		]),
	})
}

# METADATA
# title: The SSISDB availability group has a listener
# description: The availability group that contains SSISDB has a listener (the declared one, when declared).
# custom:
#   id: AG-LISTENER
#   severity: critical
#   variant: ag
#   profiles: [ha, pre-upgrade]
#   source: HA §4
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: manual
#   why: The master (SqlServerName) and package logging (CLUSTER_LOGDB_SERVER) reach SSISDB through the listener; without it they are tied to one replica.
#   facts: ["sql/<PRIMARY>/ag_listeners: dns_name, port", "deployment.listener"]
#   remediation: ALTER AVAILABILITY GROUP [<AG>] ADD LISTENER N'<name>' (WITH IP ((N'<ip>', N'<mask>')), PORT = 1433).
#   tags: [availability-group, listener]
ag_listener contains r if {
	facts.variant == "ag"
	ls := [l | some l in sql.rows(sql.prim, "ag_listeners"); facts.str(facts.get(l, "ag_name", "")) == sql.ag_name]
	declared := facts.str(facts.get(facts.deployment, ["declared", "listener"], ""))
	lsn := facts.listener
	found := [sprintf("%s,%v", [l.dns_name, l.port]) | some l in ls]
	matching := [l | some l in ls; names.host_eq(facts.str(l.dns_name), facts.str(facts.get(lsn, "host", ""))); l.port == facts.eff_port(lsn)]
	r := res.decide({
		"rule": "AG-LISTENER",
		"subject": res.deployment_subject("ag:SSISDB/listener"),
		"missing": sql.missing(sql.prim, "ag_listeners"),
		"ok": (count([1 | count(ls) > 0; declared == ""]) + count([1 | declared != ""; count(matching) > 0])) > 0,
		"pass_msg": sprintf("Availability group %s has the listener %s.", [sql.ag_name, concat(", ", found)]),
		"fail_msg": if_in_ag(sql.listener_msg(ls, declared, found), "SSISDB is in no availability group, so no listener leads to it; add SSISDB to the availability group first (AG-SSISDB-IN-AG)."),
		"unknown_msg": "The SSISDB availability group's listeners could not be read from the primary.",
		"observed": found,
		"expected": sql.or_any(declared),
		"evidence": [sql.ev(sql.prim, "ag_listeners", "dns_name")],
		"fix": res.manual(sql.prim, [sprintf("ALTER AVAILABILITY GROUP [%s] ADD LISTENER N'%s' (WITH IP ((N'<ip>', N'<mask>')), PORT = %d);", [sql.ag_name, names.short_name(facts.str(facts.get(lsn, "host", "aglsn"))), facts.eff_port(lsn)])]),
	})
}

# METADATA
# title: Always On support for SSIS is enabled on every replica
# description: catalog.alwayson_replicas lists every replica; sp_ssis_startup is a startup procedure and clr enabled is 1 on every replica.
# custom:
#   id: AG-SSIS-ALWAYSON-SUPPORT
#   severity: critical
#   variant: ag
#   profiles: [ha, pre-upgrade]
#   source: CATALOG step 3
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/catalog/ssis-catalog
#   fix: manual
#   why: >-
#     Without "Enable Always On support" the new primary cannot open SSISDB's master key after a failover, and SSIS's
#     start-up procedure and CLR are missing there: automatic failover of SSISDB is not supported.
#   facts: ["sql/<PRIMARY>/ssisdb_alwayson_replicas: server_name", "sql/<INSTANCE>/startup_procs: sp_ssis_startup", "sql/<INSTANCE>/configurations: clr enabled"]
#   remediation: In SSMS connected to the primary, Integration Services Catalogs, Enable Always On Support, connect to every replica as sysadmin.
#   tags: [availability-group, ssisdb]
ag_ssis_alwayson_support contains r if {
	facts.variant == "ag"
	some rep in sql.replicas
	inst := rep.instance
	listed := count([1 | some x in sql.rows(sql.prim, "ssisdb_alwayson_replicas"); sql.same_server(facts.str(x.server_name), inst)]) > 0
	startup := facts.flag_bool(facts.get(sql.named_row(inst, "startup_procs", "sp_ssis_startup"), "is_startup", false))
	clr := facts.flag_bool(facts.get(sql.named_row(inst, "configurations", "clr enabled"), "value_in_use", 0))
	problems := array.concat(
		array.concat(
			[sprintf("catalog.alwayson_replicas on %s does not list it", [sql.prim]) | not listed],
			["master.dbo.sp_ssis_startup is not a startup procedure" | not startup],
		),
		["clr enabled is 0" | not clr],
	)
	r := res.decide({
		"rule": "AG-SSIS-ALWAYSON-SUPPORT",
		"subject": sql.subject(inst, "SSISDB/alwayson-support"),
		"missing": facts.first_missing([
			sql.missing(sql.prim, "ssisdb_alwayson_replicas"),
			sql.missing(inst, "startup_procs"),
			sql.missing(inst, "configurations"),
		]),
		"ok": count(problems) == 0,
		"pass_msg": sprintf("%s: Always On support for SSIS is enabled.", [inst]),
		"fail_msg": sprintf("%s: Always On support for SSIS is incomplete: %s.", [inst, concat("; ", problems)]),
		"unknown_msg": sprintf("%s: Always On support for SSIS could not be checked.", [inst]),
		"observed": problems,
		"expected": [],
		"evidence": [
			sql.ev(sql.prim, "ssisdb_alwayson_replicas", "server_name"),
			sql.ev(inst, "startup_procs", "sp_ssis_startup"),
			sql.ev(inst, "configurations", "clr enabled"),
		],
		"fix": sql.alwayson_fix(inst, problems, clr),
	})
}

# METADATA
# title: SSISDB's master key is encrypted by the service master key on the primary
# description: On the primary, SSISDB's database master key is encrypted by the service master key.
# custom:
#   id: AG-SSISDB-DMK-BY-SMK
#   severity: high
#   variant: ag
#   profiles: [ha]
#   source: CATALOG
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/catalog/ssis-catalog
#   fix: sql-dmk-by-smk
#   why: Without it SSISDB cannot decrypt its keys (packages' sensitive values, the logging connection string) on the current primary.
#   facts: ["sql/<PRIMARY>/databases: is_master_key_encrypted_by_server"]
#   remediation: USE SSISDB; OPEN MASTER KEY DECRYPTION BY PASSWORD = N'<catalog password>'; ALTER MASTER KEY ADD ENCRYPTION BY SERVICE MASTER KEY.
#   tags: [ssisdb, encryption]
ag_ssisdb_dmk_by_smk contains r if {
	facts.variant == "ag"
	db := sql.ssisdb_row(sql.prim)
	v := facts.get(db, "is_master_key_encrypted_by_server", null)
	r := res.decide({
		"rule": "AG-SSISDB-DMK-BY-SMK",
		"subject": sql.subject(facts.primary_label, "SSISDB/master-key"),
		"missing": facts.first_missing([
			sql.missing(sql.prim, "databases"),
			facts.missing_if(db == null, sprintf("%s: no SSISDB row on the primary", [sql.artifact(sql.prim, "databases")])),
		]),
		"ok": facts.flag_bool(v),
		"pass_msg": sprintf("SSISDB on the primary %s: the master key is encrypted by the service master key.", [sql.prim]),
		"fail_msg": sprintf("SSISDB on the primary %s: the master key is not encrypted by the service master key; SSISDB cannot open its keys.", [sql.prim]),
		"unknown_msg": "SSISDB's master key encryption could not be read from the primary.",
		"observed": v,
		"expected": true,
		"evidence": [sql.ev(sql.prim, "databases", "is_master_key_encrypted_by_server")],
		"fix": res.fix("sql-dmk-by-smk", facts.primary_label, {}),
	})
}

# METADATA
# title: Replicas allow SQL Server authentication
# description: Every replica allows SQL Server authentication (unless package logging uses Windows authentication).
# custom:
#   id: AG-SQL-AUTH-MIXED
#   severity: high
#   variant: both
#   profiles: [ha]
#   source: TROUBLE "No log"
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/troubleshooting-scale-out
#   fix: manual
#   why: >-
#     Workers log package execution with the SQL login ##MS_SSISLogDBWorkerAgentLogin##; on a Windows-only instance packages run but no log is written.
#   facts: ["sql/<INSTANCE>/server_properties: IsIntegratedSecurityOnly", "sql/<PRIMARY>/logdb_connection: Integrated Security"]
#   remediation: Set the server authentication mode to SQL Server and Windows (LoginMode 2) and restart the engine, secondaries first.
#   tags: [sql, logging, security]
ag_sql_auth_mixed contains r if {
	some rep in sql.replicas
	inst := rep.instance
	v := facts.get(sql.server(inst), "IsIntegratedSecurityOnly", null)
	r := res.decide({
		"rule": "AG-SQL-AUTH-MIXED",
		"subject": sql.subject(inst, "SERVERPROPERTY/IsIntegratedSecurityOnly"),
		"missing": sql.missing(inst, "server_properties"),
		"ok": (count([1 | sql.windows_logging]) + count([1 | not facts.flag(v)])) > 0,
		"pass_msg": sql.auth_pass_msg(inst),
		"fail_msg": sprintf("%s allows only Windows authentication; the workers' SQL logging login cannot log in, so no execution log is written.", [inst]),
		"unknown_msg": sprintf("%s: the authentication mode could not be read.", [inst]),
		"observed": v,
		"expected": 0,
		"evidence": [sql.ev(inst, "server_properties", "IsIntegratedSecurityOnly")],
		"fix": res.manual(inst, [
			sprintf("On %s: EXEC master.dbo.xp_instance_regwrite N'HKEY_LOCAL_MACHINE', N'Software\\Microsoft\\MSSQLServer\\MSSQLServer', N'LoginMode', REG_DWORD, 2;", [inst]),
			"Restart the Database Engine (secondaries first, then fail over and restart the old primary).",
		]),
	})
}

# METADATA
# title: A synchronous secondary can take over automatically
# description: At least one secondary of the SSISDB availability group is synchronous-commit with automatic failover.
# custom:
#   id: AG-AUTOMATIC-FAILOVER
#   severity: medium
#   variant: ag
#   profiles: [ha]
#   source: CATALOG
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/catalog/ssis-catalog
#   fix: manual
#   why: Without a synchronous automatic-failover secondary, SSISDB does not fail over on its own and Scale Out stops with the primary.
#   facts: ["sql/<PRIMARY>/ag_replicas: availability_mode_desc, failover_mode_desc, role_desc"]
#   remediation: ALTER AVAILABILITY GROUP [<AG>] MODIFY REPLICA ON N'<secondary>' WITH (AVAILABILITY_MODE = SYNCHRONOUS_COMMIT) and WITH (FAILOVER_MODE = AUTOMATIC).
#   tags: [availability-group]
ag_automatic_failover contains r if {
	facts.variant == "ag"
	secs := [x.replica_server_name |
		some x in sql.ag_replica_rows
		not sql.is_primary_row(x)
	]
	auto := [x.replica_server_name |
		some x in sql.ag_replica_rows
		not sql.is_primary_row(x)
		upper(facts.str(x.availability_mode_desc)) == "SYNCHRONOUS_COMMIT"
		upper(facts.str(x.failover_mode_desc)) == "AUTOMATIC"
	]
	r := res.decide({
		"rule": "AG-AUTOMATIC-FAILOVER",
		"subject": res.deployment_subject("ag:SSISDB/failover"),
		"missing": sql.missing(sql.prim, "ag_replicas"),
		"ok": count(auto) > 0,
		"pass_msg": sprintf("Availability group %s can fail over automatically to %s.", [sql.ag_name, concat(", ", auto)]),
		"fail_msg": if_in_ag(
			sprintf("Availability group %s has no synchronous-commit secondary with automatic failover (secondaries: %s); SSISDB does not fail over on its own.", [sql.ag_name, concat(", ", sql.or_none(secs))]),
			"SSISDB is in no availability group, so it has no secondary to fail over to (AG-SSISDB-IN-AG).",
		),
		"unknown_msg": "The SSISDB availability group's replicas could not be read from the primary.",
		"observed": auto,
		"expected": "at least one synchronous-commit, automatic-failover secondary",
		"evidence": [sql.ev(sql.prim, "ag_replicas", "failover_mode_desc")],
		"fix": res.manual(sql.prim, [sprintf("ALTER AVAILABILITY GROUP [%s] MODIFY REPLICA ON N'%s' WITH (AVAILABILITY_MODE = SYNCHRONOUS_COMMIT); then WITH (FAILOVER_MODE = AUTOMATIC) on the primary and that secondary.", [sql.ag_name, array.concat(secs, ["<secondary>"])[0]])]),
	})
}

# column_missing: the query's own missing reasons, else the column itself
# when it is NULL or absent (a value that cannot be read is unknown, not a
# failure).
column_missing(inst, q, col, v) := m if {
	m := sql.missing(inst, q)
	count(m) > 0
} else := [sprintf("%s: %s is NULL or absent", [sql.artifact(inst, q), col])] if {
	v == null
} else := []

# if_in_ag: the message when SSISDB is in an availability group, else the
# one that says it is in none (the AG's name is unknown then).
if_in_ag(msg, none_msg) := msg if {
	sql.ag_name != ""
} else := none_msg
