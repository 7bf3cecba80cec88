# Rules about SSISDB in an Always On availability group, read from the SQL
# Server replicas (AG-wide state from the primary's result sets).

# METADATA
# scope: package
# custom:
#   weight: 1.8
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
	inst := rep.instance
	v := object.get(sql.server(inst), "IsHadrEnabled", null)
	missing := column_missing(inst, "server_properties", "IsHadrEnabled", v)
	st := res.status(missing, facts.flag_bool(v))
	r := {
		"rule": "AG-HADR-ENABLED",
		"status": st,
		"subject": sql.subject(inst, "SERVERPROPERTY/IsHadrEnabled"),
		"message": hadr_msg(st, inst, v, missing),
		"observed": res.observed(st, v),
		"expected": 1,
		"missing": missing,
		"evidence": [sql.ev(inst, "server_properties", "IsHadrEnabled")],
		"fix": hadr_fix(st, inst),
	}
}

hadr_msg("pass", inst, _, _) := sprintf("%s has Always On availability groups enabled.", [inst])

hadr_msg("fail", inst, v, _) := sprintf("%s does not have Always On availability groups enabled (IsHadrEnabled = %v); it cannot host SSISDB's replica.", [inst, v])

hadr_msg("unknown", inst, _, missing) := res.unknown_message(sprintf("%s: IsHadrEnabled could not be read.", [inst]), missing)

hadr_fix("fail", inst) := res.manual(inst, [sprintf("Enable-SqlAlwaysOn -ServerInstance '%s' -Force (restarts the Database Engine; do secondaries first).", [inst])])

hadr_fix(st, _) := null if st != "fail"

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
	inst := rep.instance
	maj := sql.major(inst)
	top := sql.max_major
	missing := version_missing(inst, maj)
	st := res.status(missing, version_ok(maj, top))
	r0 := {
		"rule": "AG-VERSION",
		"status": st,
		"subject": sql.subject(inst, "SERVERPROPERTY/ProductMajorVersion"),
		"message": version_msg(st, inst, maj, top, missing),
		"observed": res.observed(st, object.get(sql.server(inst), "ProductVersion", null)),
		"expected": sprintf("major version %d (14 or later, the same on every replica)", [top]),
		"missing": missing,
		"evidence": [sql.ev(inst, "server_properties", "ProductMajorVersion")],
		"fix": version_fix(st, inst, top),
	}
	r := res.with_severity(st, r0, sql.version_severity(maj))
}

version_ok(maj, top) if {
	maj >= 14
	maj == top
} else := false

version_missing(inst, maj) := m if {
	m := sql.missing(inst, "server_properties")
	count(m) > 0
} else := [sprintf("%s: ProductMajorVersion unreadable", [facts.sql_artifact(inst, "server_properties")])] if {
	maj == 0
} else := []

version_msg("pass", inst, maj, _, _) := sprintf("%s runs SQL Server %d (%s).", [inst, maj, object.get(sql.server(inst), "ProductVersion", "")])

version_msg("fail", inst, maj, top, _) := sql.version_msg(inst, maj, top)

version_msg("unknown", inst, _, _, missing) := res.unknown_message(sprintf("%s: the SQL Server version could not be read.", [inst]), missing)

version_fix("fail", inst, top) := res.manual(inst, [sprintf("Upgrade %s to SQL Server major version %d (and run the SSISDB upgrade as CATALOG \"Upgrading SSISDB in an availability group\" describes).", [inst, max({top, 14})])])

version_fix(st, _, _) := null if st != "fail"

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
	missing := sql.first3(
		sql.missing(inst, "ag_ssisdb"),
		sql.missing(inst, "databases"),
		sql.missing(sql.prim, "ssisdb_replica_states"),
	)
	problems := in_ag_problems(inst)
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "AG-SSISDB-IN-AG",
		"status": st,
		"subject": sql.subject(inst, "SSISDB"),
		"message": in_ag_msg(st, inst, problems, missing),
		"observed": res.observed(st, problems),
		"expected": [],
		"missing": missing,
		"evidence": [sql.ev(inst, "ag_ssisdb", "database_name"), sql.ev(inst, "databases", "replica_id"), sql.ev(sql.prim, "ssisdb_replica_states", "replica_server_name")],
		"fix": in_ag_fix(st, inst),
	}
}

in_ag_problems(inst) := array.concat(
	array.concat(
		["no availability group contains SSISDB" | not in_ag(inst)],
		["SSISDB does not exist here" | db == null],
	),
	array.concat(
		["the local SSISDB is not an availability database (replica_id is null)" | db != null; object.get(db, "replica_id", null) == null],
		[sprintf("the primary %s has no SSISDB replica state for it (not joined)", [sql.prim]) | sql.replica_state(inst) == null],
	),
) if {
	db := sql.ssisdb_row(inst)
}

in_ag(inst) if {
	some x in sql.rows(inst, "ag_ssisdb")
	upper(facts.str(x.database_name)) == "SSISDB"
}

in_ag_msg("pass", inst, _, _) := sprintf("%s: SSISDB is joined to availability group %s.", [inst, sql.ag_name])

in_ag_msg("fail", inst, problems, _) := sprintf("%s: SSISDB is not a joined availability database: %s.", [inst, concat("; ", problems)])

in_ag_msg("unknown", inst, _, missing) := res.unknown_message(sprintf("%s: SSISDB's availability group membership could not be checked.", [inst]), missing)

in_ag_fix("fail", inst) := res.manual(inst, [
	sprintf("On the primary %s, add SSISDB to availability group %s with the Add Database wizard (enter the catalog password).", [sql.prim, sql.ag_name]),
	sprintf("Join SSISDB on %s (ALTER DATABASE [SSISDB] SET HADR AVAILABILITY GROUP = [%s] after restoring it WITH NORECOVERY, or automatic seeding).", [inst, sql.ag_name]),
])

in_ag_fix(st, _) := null if st != "fail"

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
	st0 := sql.replica_state(inst)
	ar := sql.ag_replica(inst)
	mode := facts.get(ar, "availability_mode_desc", null)
	synchronous := upper(facts.str(mode)) == "SYNCHRONOUS_COMMIT"
	state := upper(facts.str(facts.get(st0, "synchronization_state_desc", "")))
	health := upper(facts.str(facts.get(st0, "synchronization_health_desc", "")))
	missing := sql.first2(sql.missing(sql.prim, "ssisdb_replica_states"), sql.missing(sql.prim, "ag_replicas"))
	st := res.status(missing, sync_ok(synchronous, state, health))
	r := {
		"rule": "AG-SSISDB-SYNC-HEALTHY",
		"status": st,
		"subject": sql.subject(inst, "SSISDB/synchronization"),
		"message": sync_msg(st, inst, synchronous, state, health, missing),
		"observed": res.observed(st, {"availability_mode": mode, "synchronization_state": state, "synchronization_health": health}),
		"expected": {"synchronization_state": "SYNCHRONIZED", "synchronization_health": "HEALTHY"},
		"missing": missing,
		"evidence": [sql.ev(sql.prim, "ssisdb_replica_states", inst)],
		"fix": sync_fix(st, inst),
	}
}

# not a synchronous-commit replica, or SSISDB is synchronized and healthy there.
sync_ok(synchronous, state, health) if {
	not synchronous
} else if {
	state == "SYNCHRONIZED"
	health == "HEALTHY"
} else := false

sync_msg("pass", inst, synchronous, state, health, _) := if_in_ag(sql.sync_pass_msg(inst, synchronous, state, health), sprintf("%s: SSISDB is in no availability group, so there is no synchronous replica to check (AG-SSISDB-IN-AG reports it).", [inst]))

sync_msg("fail", inst, _, state, health, _) := sprintf("%s: SSISDB is %s / %s on this synchronous-commit replica; an automatic failover to it is not safe.", [inst, sql.or_absent(state), sql.or_absent(health)])

sync_msg("unknown", inst, _, _, _, missing) := res.unknown_message(sprintf("%s: SSISDB's synchronization state could not be read from the primary.", [inst]), missing)

sync_fix("fail", inst) := res.manual(inst, [sprintf("On %s: ALTER DATABASE [SSISDB] SET HADR RESUME; then check the AG dashboard for the cause.", [inst])])

sync_fix(st, _) := null if st != "fail"

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
	missing := sql.missing(sql.prim, "ag_listeners")
	st := res.status(missing, listener_ok(ls, declared, lsn))
	r := {
		"rule": "AG-LISTENER",
		"status": st,
		"subject": {"kind": "deployment", "object": "ag:SSISDB/listener"},
		"message": listener_msg(st, ls, declared, found, missing),
		"observed": res.observed(st, found),
		"expected": sql.or_any(declared),
		"missing": missing,
		"evidence": [sql.ev(sql.prim, "ag_listeners", "dns_name")],
		"fix": listener_fix(st, lsn),
	}
}

# some listener when none is declared, else the declared one.
listener_ok(ls, declared, lsn) if {
	declared == ""
	count(ls) > 0
} else if {
	declared != ""
	listener_matches(ls, lsn)
} else := false

listener_matches(ls, lsn) if {
	some l in ls
	names.host_eq(facts.str(l.dns_name), facts.str(facts.get(lsn, "host", "")))
	l.port == facts.eff_port(lsn)
}

listener_msg("pass", _, _, found, _) := sprintf("Availability group %s has the listener %s.", [sql.ag_name, concat(", ", found)])

listener_msg("fail", ls, declared, found, _) := if_in_ag(sql.listener_msg(ls, declared, found), "SSISDB is in no availability group, so no listener leads to it; add SSISDB to the availability group first (AG-SSISDB-IN-AG).")

listener_msg("unknown", _, _, _, missing) := res.unknown_message("The SSISDB availability group's listeners could not be read from the primary.", missing)

listener_fix("fail", lsn) := res.manual(sql.prim, [sprintf("ALTER AVAILABILITY GROUP [%s] ADD LISTENER N'%s' (WITH IP ((N'<ip>', N'<mask>')), PORT = %d);", [sql.ag_name, names.short_name(facts.str(facts.get(lsn, "host", "aglsn"))), facts.eff_port(lsn)])])

listener_fix(st, _) := null if st != "fail"

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
	clr := facts.flag_bool(facts.get(sql.named_row(inst, "configurations", "clr enabled"), "value_in_use", 0))
	problems := array.concat(
		array.concat(
			[sprintf("catalog.alwayson_replicas on %s does not list it", [sql.prim]) | not alwayson_listed(inst)],
			["master.dbo.sp_ssis_startup is not a startup procedure" | not facts.flag_bool(facts.get(sql.named_row(inst, "startup_procs", "sp_ssis_startup"), "is_startup", false))],
		),
		["clr enabled is 0" | not clr],
	)
	missing := sql.first3(
		sql.missing(sql.prim, "ssisdb_alwayson_replicas"),
		sql.missing(inst, "startup_procs"),
		sql.missing(inst, "configurations"),
	)
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "AG-SSIS-ALWAYSON-SUPPORT",
		"status": st,
		"subject": sql.subject(inst, "SSISDB/alwayson-support"),
		"message": alwayson_msg(st, inst, problems, missing),
		"observed": res.observed(st, problems),
		"expected": [],
		"missing": missing,
		"evidence": [
			sql.ev(sql.prim, "ssisdb_alwayson_replicas", "server_name"),
			sql.ev(inst, "startup_procs", "sp_ssis_startup"),
			sql.ev(inst, "configurations", "clr enabled"),
		],
		"fix": alwayson_fix(st, inst, problems, clr),
	}
}

alwayson_listed(inst) if {
	some x in sql.rows(sql.prim, "ssisdb_alwayson_replicas")
	sql.same_server(facts.str(x.server_name), inst)
}

alwayson_msg("pass", inst, _, _) := sprintf("%s: Always On support for SSIS is enabled.", [inst])

alwayson_msg("fail", inst, problems, _) := sprintf("%s: Always On support for SSIS is incomplete: %s.", [inst, concat("; ", problems)])

alwayson_msg("unknown", inst, _, missing) := res.unknown_message(sprintf("%s: Always On support for SSIS could not be checked.", [inst]), missing)

alwayson_fix("fail", inst, problems, clr) := sql.alwayson_fix(inst, problems, clr)

alwayson_fix(st, _, _, _) := null if st != "fail"

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
	missing := dmk_missing(db)
	st := res.status(missing, facts.flag_bool(v))
	r := {
		"rule": "AG-SSISDB-DMK-BY-SMK",
		"status": st,
		"subject": sql.subject(facts.primary_label, "SSISDB/master-key"),
		"message": dmk_msg(st, missing),
		"observed": res.observed(st, v),
		"expected": true,
		"missing": missing,
		"evidence": [sql.ev(sql.prim, "databases", "is_master_key_encrypted_by_server")],
		"fix": dmk_fix(st),
	}
}

dmk_missing(db) := m if {
	m := sql.missing(sql.prim, "databases")
	count(m) > 0
} else := [sprintf("%s: no SSISDB row on the primary", [facts.sql_artifact(sql.prim, "databases")])] if {
	db == null
} else := []

dmk_msg("pass", _) := sprintf("SSISDB on the primary %s: the master key is encrypted by the service master key.", [sql.prim])

dmk_msg("fail", _) := sprintf("SSISDB on the primary %s: the master key is not encrypted by the service master key; SSISDB cannot open its keys.", [sql.prim])

dmk_msg("unknown", missing) := res.unknown_message("SSISDB's master key encryption could not be read from the primary.", missing)

dmk_fix("fail") := {"id": "sql-dmk-by-smk", "target": facts.primary_label, "params": {}}

dmk_fix(st) := null if st != "fail"

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
	v := object.get(sql.server(inst), "IsIntegratedSecurityOnly", null)
	missing := auth_missing(inst, v)
	st := res.status(missing, auth_ok(v))
	r := {
		"rule": "AG-SQL-AUTH-MIXED",
		"status": st,
		"subject": sql.subject(inst, "SERVERPROPERTY/IsIntegratedSecurityOnly"),
		"message": auth_msg(st, inst, missing),
		"observed": res.observed(st, v),
		"expected": 0,
		"missing": missing,
		"evidence": [sql.ev(inst, "server_properties", "IsIntegratedSecurityOnly")],
		"fix": auth_fix(st, inst),
	}
}

# the authentication mode matters unless the workers log with Windows
# authentication: then a NULL or absent IsIntegratedSecurityOnly is unknown,
# never a pass.
auth_missing(inst, v) := sql.missing(inst, "server_properties") if {
	sql.windows_logging
} else := column_missing(inst, "server_properties", "IsIntegratedSecurityOnly", v)

# Windows-authentication logging, or SQL authentication allowed.
auth_ok(v) if {
	sql.windows_logging
} else if {
	not facts.flag_bool(v)
} else := false

auth_msg("pass", inst, _) := sql.auth_pass_msg(inst)

auth_msg("fail", inst, _) := sprintf("%s allows only Windows authentication; the workers' SQL logging login cannot log in, so no execution log is written.", [inst])

auth_msg("unknown", inst, missing) := res.unknown_message(sprintf("%s: the authentication mode could not be read.", [inst]), missing)

auth_fix("fail", inst) := res.manual(inst, [
	sprintf("On %s: EXEC master.dbo.xp_instance_regwrite N'HKEY_LOCAL_MACHINE', N'Software\\Microsoft\\MSSQLServer\\MSSQLServer', N'LoginMode', REG_DWORD, 2;", [inst]),
	"Restart the Database Engine (secondaries first, then fail over and restart the old primary).",
])

auth_fix(st, _) := null if st != "fail"

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
	missing := sql.missing(sql.prim, "ag_replicas")
	st := res.status(missing, count(auto) > 0)
	r := {
		"rule": "AG-AUTOMATIC-FAILOVER",
		"status": st,
		"subject": {"kind": "deployment", "object": "ag:SSISDB/failover"},
		"message": failover_msg(st, secs, auto, missing),
		"observed": res.observed(st, auto),
		"expected": "at least one synchronous-commit, automatic-failover secondary",
		"missing": missing,
		"evidence": [sql.ev(sql.prim, "ag_replicas", "failover_mode_desc")],
		"fix": failover_fix(st, secs),
	}
}

failover_msg("pass", _, auto, _) := sprintf("Availability group %s can fail over automatically to %s.", [sql.ag_name, concat(", ", auto)])

failover_msg("fail", secs, _, _) := if_in_ag(
	sprintf("Availability group %s has no synchronous-commit secondary with automatic failover (secondaries: %s); SSISDB does not fail over on its own.", [sql.ag_name, concat(", ", sql.or_none(secs))]),
	"SSISDB is in no availability group, so it has no secondary to fail over to (AG-SSISDB-IN-AG).",
)

failover_msg("unknown", _, _, missing) := res.unknown_message("The SSISDB availability group's replicas could not be read from the primary.", missing)

failover_fix("fail", secs) := res.manual(sql.prim, [sprintf("ALTER AVAILABILITY GROUP [%s] MODIFY REPLICA ON N'%s' WITH (AVAILABILITY_MODE = SYNCHRONOUS_COMMIT); then WITH (FAILOVER_MODE = AUTOMATIC) on the primary and that secondary.", [sql.ag_name, array.concat(secs, ["<secondary>"])[0]])])

failover_fix(st, _) := null if st != "fail"

# column_missing: the query's own missing reasons, else the column itself
# when it is NULL or absent (a value that cannot be read is unknown, not a
# failure).
column_missing(inst, q, col, v) := m if {
	m := sql.missing(inst, q)
	count(m) > 0
} else := [sprintf("%s: %s is NULL or absent", [facts.sql_artifact(inst, q), col])] if {
	v == null
} else := []

# if_in_ag: the message when SSISDB is in an availability group, else the
# one that says it is in none (the AG's name is unknown then).
if_in_ag(msg, none_msg) := msg if {
	sql.ag_name != ""
} else := none_msg
