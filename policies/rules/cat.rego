# Rules about the Scale Out state recorded in SSISDB (read on the primary).

# METADATA
# scope: package
# custom:
#   weight: 0.9
package ssis.rules.cat

import data.ssis.lib.certs
import data.ssis.lib.facts
import data.ssis.lib.result as res
import data.ssis.lib.sql

# METADATA
# title: Scale Out is enabled in SSISDB
# description: IS_SCALEOUT_ENABLED is true in SSISDB's catalog properties.
# custom:
#   id: CAT-SCALEOUT-ENABLED
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: TROUBLE
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/troubleshooting-scale-out
#   fix: manual
#   why: With Scale Out disabled in the catalog the master does not start its work and no execution runs in Scale Out.
#   facts: ["sql/<PRIMARY>/ssisdb_catalog_properties: IS_SCALEOUT_ENABLED"]
#   remediation: >-
#     EXEC SSISDB.catalog.enable_scaleout (sysadmin) — it resets the logging login's password and CLUSTER_LOGDB_SERVER,
#     so redo the logging steps of HA §6 afterwards.
#   tags: [ssisdb]
cat_scaleout_enabled contains r if {
	v := sql.catalog_property("IS_SCALEOUT_ENABLED")
	missing := sql.missing(sql.prim, "ssisdb_catalog_properties")
	st := res.status(missing, lower(facts.str(v)) in {"true", "1"})
	r := {
		"rule": "CAT-SCALEOUT-ENABLED",
		"status": st,
		"subject": sql.subject(facts.primary_label, "catalog.catalog_properties/IS_SCALEOUT_ENABLED"),
		"message": scaleout_msg(st, v, missing),
		"observed": res.observed(st, v),
		"expected": "True",
		"missing": missing,
		"evidence": [sql.ev(sql.prim, "ssisdb_catalog_properties", "IS_SCALEOUT_ENABLED")],
		"fix": scaleout_fix(st),
	}
}

scaleout_msg("pass", _, _) := sprintf("SSISDB on %s has Scale Out enabled.", [sql.prim])

scaleout_msg("fail", v, _) := sprintf("SSISDB on %s does not have Scale Out enabled (IS_SCALEOUT_ENABLED = %v).", [sql.prim, v])

scaleout_msg("unknown", _, missing) := res.unknown_message("SSISDB's catalog properties could not be read.", missing)

scaleout_fix("fail") := res.manual(facts.primary_label, [
	"EXEC SSISDB.catalog.enable_scaleout; (sysadmin, on the primary)",
	"It creates a new password for ##MS_SSISLogDBWorkerAgentLogin## and resets CLUSTER_LOGDB_SERVER to the local instance: redo HA §6 (logging login on every replica, update_logdb_info with the listener).",
])

scaleout_fix(st) := null if st != "fail"

# METADATA
# title: MASTER_ADDRESS is the master's DNS name and port
# description: SSISDB's MASTER_ADDRESS is https://<master DNS name>:<PortNumber>.
# custom:
#   id: CAT-MASTER-ADDRESS
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: HA §8
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: sql-update-master-address
#   why: SSISDB hands MASTER_ADDRESS to clients that talk to the master (Scale Out Manager, execution); a node name stops working after a failover.
#   facts: ["sql/<PRIMARY>/ssisdb_master_properties: MASTER_ADDRESS", "deployment.master_dns", "deployment.master_port"]
#   remediation: EXEC SSISDB.catalog.update_master_address @MasterAddress = N'https://<master DNS name>:<port>' on the primary.
#   tags: [ssisdb, dns]
cat_master_address contains r if {
	v := facts.str(sql.master_property("MASTER_ADDRESS"))
	want := sprintf("https://%s:%d", [facts.master_dns, facts.master_port])
	missing := sql.first3(
		sql.missing(sql.prim, "ssisdb_master_properties"),
		[m | count(facts.master_hosts) == 0; some m in facts.master_dns_missing],
		facts.master_port_missing,
	)
	problems := address_problems(v)
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "CAT-MASTER-ADDRESS",
		"status": st,
		"subject": sql.subject(facts.primary_label, "catalog.master_properties/MASTER_ADDRESS"),
		"message": address_msg(st, v, problems, missing),
		"observed": res.observed(st, v),
		"expected": want,
		"missing": missing,
		"evidence": [sql.ev(sql.prim, "ssisdb_master_properties", "MASTER_ADDRESS")],
		"fix": address_fix(st, want),
	}
}

address_problems(v) := ["it is not set"] if {
	v == ""
} else := array.concat(
	array.concat(
		["the scheme is not https" | not startswith(lower(v), "https://")],
		[sprintf("host %s is not the master DNS name %s", [facts.url_host(v), concat(" or ", facts.master_hosts)]) | not facts.any_host(facts.url_host(v), facts.master_hosts)],
	),
	[sprintf("port %d is not the master port %d", [facts.url_port(v), facts.master_port]) | facts.url_port(v) != facts.master_port],
)

address_msg("pass", v, _, _) := sprintf("SSISDB: MASTER_ADDRESS %s is the master's DNS name and port.", [v])

address_msg("fail", v, problems, _) := sprintf("SSISDB on %s: MASTER_ADDRESS %s is wrong: %s.", [sql.prim, sql.or_absent(v), concat("; ", problems)])

address_msg("unknown", _, _, missing) := res.unknown_message("SSISDB: MASTER_ADDRESS could not be checked.", missing)

address_fix("fail", want) := {"id": "sql-update-master-address", "target": facts.primary_label, "params": {"address": want}}

address_fix(st, _) := null if st != "fail"

# METADATA
# title: The master properties in SSISDB agree with the active master
# description: MASTER_SERVICE_PORT, SSLCERT_THUMBPRINT, MACHINE_NAME (and MASTER_HEARTBEAT_INTERVALINMS) agree with the active master's configuration and the cluster owner.
# custom:
#   id: CAT-MASTER-PROPERTIES-COHERENT
#   severity: medium
#   variant: both
#   profiles: [ha]
#   source: SSISDB catalog.master_properties
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/integration-services-ssis-scale-out-master
#   fix: restart-master
#   why: >-
#     The running master writes these values at start-up; values that disagree with the configuration show a master that
#     has not been restarted since a change, or a second master writing to SSISDB.
#   facts: ["sql/<PRIMARY>/ssisdb_master_properties: MASTER_SERVICE_PORT, SSLCERT_THUMBPRINT, MACHINE_NAME, MASTER_HEARTBEAT_INTERVALINMS", "deployment.active_master_node", "deployment.master_thumbprint"]
#   remediation: Restart the master through its cluster resource so that it rewrites its properties; if MACHINE_NAME names another node, stop the master service there.
#   tags: [ssisdb, consistency]
cat_master_properties_coherent contains r if {
	node := facts.active_master_node
	port := facts.node_master_port(node)
	hb := facts.get(facts.master_cfg(node), ["master", "heartbeat_interval_ms"], 0)
	observed := {
		"MASTER_SERVICE_PORT": sql.master_property("MASTER_SERVICE_PORT"),
		"SSLCERT_THUMBPRINT": sql.master_property("SSLCERT_THUMBPRINT"),
		"MACHINE_NAME": sql.master_property("MACHINE_NAME"),
		"MASTER_HEARTBEAT_INTERVALINMS": sql.master_property("MASTER_HEARTBEAT_INTERVALINMS"),
	}
	problems := array.concat(
		array.concat(
			[sprintf("MASTER_SERVICE_PORT is %v, not %d", [observed.MASTER_SERVICE_PORT, port]) | facts.num(observed.MASTER_SERVICE_PORT) != port],
			[sprintf("SSLCERT_THUMBPRINT is %v, not %s", [observed.SSLCERT_THUMBPRINT, facts.master_thumbprint]) | not certs.thumb_eq(facts.str(observed.SSLCERT_THUMBPRINT), facts.master_thumbprint)],
		),
		array.concat(
			[sprintf("MACHINE_NAME is %v, not the active master node %s", [observed.MACHINE_NAME, node]) | not sql.machine_is(observed.MACHINE_NAME, node)],
			[sprintf("MASTER_HEARTBEAT_INTERVALINMS is %v, not %d", [observed.MASTER_HEARTBEAT_INTERVALINMS, hb]) |
				hb > 0
				observed.MASTER_HEARTBEAT_INTERVALINMS != null
				facts.num(observed.MASTER_HEARTBEAT_INTERVALINMS) != hb
			],
		),
	)
	missing := coherent_missing(node, port)
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "CAT-MASTER-PROPERTIES-COHERENT",
		"status": st,
		"subject": sql.subject(facts.primary_label, "catalog.master_properties"),
		"message": coherent_msg(st, node, problems, missing),
		"observed": res.observed(st, observed),
		"expected": {"MASTER_SERVICE_PORT": sprintf("%d", [port]), "SSLCERT_THUMBPRINT": facts.master_thumbprint, "MACHINE_NAME": node, "MASTER_HEARTBEAT_INTERVALINMS": sprintf("%d", [hb])},
		"missing": missing,
		"evidence": [sql.ev(sql.prim, "ssisdb_master_properties", "MACHINE_NAME")],
		"fix": restart_fix(st, node),
	}
}

coherent_missing(node, port) := m if {
	m := sql.missing(sql.prim, "ssisdb_master_properties")
	count(m) > 0
} else := ["deployment.active_master_node: no node owns the master role or runs the master service"] if {
	node == ""
} else := m if {
	m := facts.master_thumbprint_missing
	count(m) > 0
} else := [sprintf("nodes/%s/files/MasterSettings.config: PortNumber unknown", [node])] if {
	port == 0
} else := []

coherent_msg("pass", node, _, _) := sprintf("SSISDB's master properties agree with the active master %s.", [node])

coherent_msg("fail", node, problems, _) := sprintf("SSISDB on %s: the master properties disagree with the active master %s: %s.", [sql.prim, node, concat("; ", problems)])

coherent_msg("unknown", _, _, missing) := res.unknown_message("SSISDB's master properties could not be compared with the active master.", missing)

# the fix of both master rules: restart the master on a node.
restart_fix("fail", node) := {"id": "restart-master", "target": node, "params": {"resource": facts.master_resource, "service": facts.master_service_of(node)}}

restart_fix(st, _) := null if st != "fail"

# METADATA
# title: The master's heartbeat in SSISDB is fresh
# description: LAST_ONLINE_TIME is younger than 3 × the master heartbeat interval at collection time.
# custom:
#   id: CAT-MASTER-HEARTBEAT-FRESH
#   severity: high
#   variant: both
#   profiles: [ha]
#   source: MASTER
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/integration-services-ssis-scale-out-master
#   fix: restart-master
#   why: The master writes LAST_ONLINE_TIME every MasterHeartbeatIntervalInMs; a stale value means no master is connected to SSISDB.
#   facts: ["sql/<PRIMARY>/ssisdb_master_properties: LAST_ONLINE_TIME", "nodes/<ACTIVE>/files/MasterSettings.config: MasterHeartbeatIntervalInMs", "bundle.created_utc"]
#   remediation: Check SqlServerName, that Scale Out is enabled and the master account's SQL access, then restart the master through its cluster resource.
#   tags: [ssisdb, heartbeat]
cat_master_heartbeat_fresh contains r if {
	raw := sql.master_property("LAST_ONLINE_TIME")
	t := sql.time_ns(raw)
	interval := sql.master_heartbeat_ms
	age_s := (facts.created_ns - t) / 1000000000
	missing := heartbeat_missing(raw, t)
	st := res.status(missing, fresh_ok(raw, age_s, interval))
	r := {
		"rule": "CAT-MASTER-HEARTBEAT-FRESH",
		"status": st,
		"subject": sql.subject(facts.primary_label, "catalog.master_properties/LAST_ONLINE_TIME"),
		"message": heartbeat_msg(st, raw, age_s, interval, missing),
		"observed": res.observed(st, raw),
		"expected": sprintf("within %d s of collection (3 × %d ms)", [(3 * interval) / 1000, interval]),
		"missing": missing,
		"evidence": [sql.ev(sql.prim, "ssisdb_master_properties", "LAST_ONLINE_TIME")],
		"fix": restart_fix(st, facts.reference_node),
	}
}

heartbeat_missing(raw, t) := m if {
	m := sql.missing(sql.prim, "ssisdb_master_properties")
	count(m) > 0
} else := m if {
	m := facts.created_missing
	count(m) > 0
} else := [sprintf("%s: LAST_ONLINE_TIME %v cannot be read as a time", [facts.sql_artifact(sql.prim, "ssisdb_master_properties"), raw])] if {
	raw != null
	t == 0
} else := []

fresh_ok(raw, age_s, interval) if {
	raw != null
	age_s * 1000 <= 3 * interval
} else := false

heartbeat_msg("pass", raw, age_s, _, _) := sprintf("SSISDB: the master's last heartbeat (%v) was %d s before collection.", [raw, round(age_s)])

heartbeat_msg("fail", raw, age_s, interval, _) := sql.heartbeat_fail_msg(raw, age_s, interval)

heartbeat_msg("unknown", _, _, _, missing) := res.unknown_message("SSISDB: the master's heartbeat could not be checked.", missing)

# METADATA
# title: SSISDB's schema matches every replica's SQL Server version
# description: The major version in SSISDB's SCHEMA_BUILD equals ProductMajorVersion of every replica.
# custom:
#   id: CAT-SCHEMA-COMPATIBLE
#   severity: high
#   variant: both
#   profiles: [ha]
#   source: CATALOG upgrade
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/catalog/ssis-catalog
#   fix: manual
#   why: After a failover to a replica whose SSIS binaries differ from SSISDB's schema, catalog operations fail until the schema is upgraded.
#   facts: ["sql/<PRIMARY>/ssisdb_catalog_properties: SCHEMA_BUILD", "sql/<INSTANCE>/server_properties: ProductMajorVersion"]
#   remediation: Upgrade SSISDB with the SSISDB Upgrade Wizard on the primary (CATALOG "Upgrading SSISDB in an availability group"), or bring the replica to the same version.
#   tags: [ssisdb, version, upgrade]
cat_schema_compatible contains r if {
	build := facts.str(sql.catalog_property("SCHEMA_BUILD"))
	bmaj := sql.build_major(build)
	some rep in sql.replicas
	inst := rep.instance
	maj := sql.major(inst)
	missing := schema_missing(inst, build, bmaj, maj)
	st := res.status(missing, bmaj == maj)
	r := {
		"rule": "CAT-SCHEMA-COMPATIBLE",
		"status": st,
		"subject": sql.subject(inst, "SSISDB/SCHEMA_BUILD"),
		"message": schema_msg(st, inst, maj, build, bmaj, missing),
		"observed": res.observed(st, {"schema_build": build, "product_major_version": maj}),
		"expected": "the same major version",
		"missing": missing,
		"evidence": [sql.ev(sql.prim, "ssisdb_catalog_properties", "SCHEMA_BUILD"), sql.ev(inst, "server_properties", "ProductMajorVersion")],
		"fix": schema_fix(st, inst),
	}
}

schema_missing(inst, build, bmaj, maj) := m if {
	m := sql.missing(sql.prim, "ssisdb_catalog_properties")
	count(m) > 0
} else := [sprintf("%s: SCHEMA_BUILD %s has no major version", [facts.sql_artifact(sql.prim, "ssisdb_catalog_properties"), build])] if {
	bmaj == 0
} else := m if {
	m := sql.missing(inst, "server_properties")
	count(m) > 0
} else := [sprintf("%s: ProductMajorVersion unreadable", [facts.sql_artifact(inst, "server_properties")])] if {
	maj == 0
} else := []

schema_msg("pass", inst, maj, build, _, _) := sprintf("%s runs SQL Server %d, the version of SSISDB's schema (%s).", [inst, maj, build])

schema_msg("fail", inst, maj, build, bmaj, _) := sprintf("%s runs SQL Server %d, but SSISDB's schema is build %s (version %d); the catalog does not work there after a failover.", [inst, maj, build, bmaj])

schema_msg("unknown", inst, _, _, _, missing) := res.unknown_message(sprintf("%s: SSISDB's schema could not be compared with the SQL Server version.", [inst]), missing)

schema_fix("fail", inst) := res.manual(inst, [
	"Bring every replica to the same SQL Server version.",
	"Upgrade SSISDB with ISDBUpgradeWizard.exe on the primary (remove SSISDB from the AG first, as CATALOG \"Upgrading SSISDB in an availability group\" describes).",
])

schema_fix(st, _) := null if st != "fail"
