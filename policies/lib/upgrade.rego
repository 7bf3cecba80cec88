# Helpers of the pre-upgrade rules (ssis.rules.upgrade): the profile guard,
# the target version, the installed versions of every node and replica, the
# SSISDB backups and the master role's service.
package ssis.lib.upgrade

import data.ssis.lib.cluster
import data.ssis.lib.facts
import data.ssis.lib.names
import data.ssis.lib.sql

# active: the pre-upgrade profile runs (the UPG-* rules yield nothing otherwise).
active if facts.get(input, ["params", "profile"], "") == "pre-upgrade"

# --- target version ------------------------------------------------------------------

target_raw := trim_space(sprintf("%v", [v])) if {
	v := facts.get(input, ["params", "target_version"], "")
	v != null
} else := ""

# the target version folder (150, 160, 170...), or "" when absent or not a folder.
target := target_raw if {
	regex.match(`^[1-9][0-9]0$`, target_raw)
} else := ""

target_missing := [] if {
	target != ""
} else := ["params.target_version: no target version was given (scan --profile pre-upgrade --target-version 160)"] if {
	target_raw == ""
} else := [sprintf("params.target_version: \"%s\" is not a version folder such as 150 or 160 (SQL Server 2019 = 150, 2022 = 160)", [target_raw])]

version_names := {"130": "SQL Server 2016", "140": "SQL Server 2017", "150": "SQL Server 2019", "160": "SQL Server 2022", "170": "SQL Server 2025"}

# "SQL Server 2022 (160)", or the folder alone.
label(v) := sprintf("%s (%s)", [version_names[v], v]) if {
	version_names[v]
} else := v

target_num := to_number(target) if {
	target != ""
} else := 0

target_service := sprintf("SSISScaleOutMaster%s", [target])

current := v if {
	v := facts.master_version
	v != ""
} else := "<current>"

# the node a deployment-wide manual step is addressed to.
plan_target := facts.reference_node if {
	facts.reference_node != ""
} else := facts.primary_label

# --- installed versions ------------------------------------------------------------------

# the nodes that run Scale Out services (master and worker nodes).
scaleout_nodes := sort({n | some n in array.concat(facts.master_nodes, facts.worker_nodes)})

# sql_versions: one entry per replica whose ProductMajorVersion is known
# ("15" -> folder "150").
sql_versions := [{"label": sprintf("%s SQL Server", [rep.instance]), "version": sprintf("%d", [maj * 10]), "evidence": sql.ev(rep.instance, "server_properties", "ProductMajorVersion")} |
	some rep in sql.replicas
	count(sql.missing(rep.instance, "server_properties")) == 0
	maj := sql.major(rep.instance)
	maj > 0
]

# service_versions: one entry per installed Scale Out Master / Worker service.
service_versions := [{"label": sprintf("%s %s", [n, facts.str(s.Name)]), "version": facts.str(s.version), "evidence": facts.svc_ev(n, s, "version")} |
	some n in scaleout_nodes
	some kind in ["master", "worker"]
	some s in facts.services(n, kind)
	regex.match(`^[0-9]+$`, facts.str(facts.get(s, "version", "")))
]

installed := array.concat(sql_versions, service_versions)

installed_versions := sort({x.version | some x in installed})

# why some installed version is unknown ([] when every one is known).
versions_missing := array.concat(
	[m |
		some rep in sql.replicas
		some m in replica_version_missing(rep.instance)
	],
	[m |
		some n in scaleout_nodes
		some m in facts.node_missing(n, ["services"])
	],
)

replica_version_missing(inst) := m if {
	m := sql.missing(inst, "server_properties")
	count(m) > 0
} else := [sprintf("%s: ProductMajorVersion unreadable", [facts.sql_artifact(inst, "server_properties")])] if {
	sql.major(inst) == 0
} else := []

# versions_text: "150: SQLN1 SQL Server, SQLN2 SQL Server; 160: WRK1 SSISScaleOutWorker160"
# (at most 5 names per version).
versions_text(items) := concat("; ", [sprintf("%s: %s", [v, short_list(ls)]) |
	some v in sort({x.version | some x in items})
	ls := [x.label | some x in items; x.version == v]
])

short_list(ls) := concat(", ", ls) if {
	count(ls) <= 5
} else := sprintf("%s and %d more", [concat(", ", array.slice(ls, 0, 5)), count(ls) - 5])

# the installed versions that are not older than the target.
not_older := [x | some x in installed; to_number(x.version) >= target_num]

by_version := {v: [x.label | some x in installed; x.version == v] | some v in installed_versions}

# the labels of the versions other than the most common one (what to bring in line).
odd_labels := [l |
	some v in installed_versions
	v != majority_version
	some l in by_version[v]
]

majority_version := v if {
	top := max({count(ls) | some _, ls in by_version})
	vs := sort({x | some x, ls in by_version; count(ls) == top})
	v := vs[count(vs) - 1]
} else := ""

# --- SSISDB backups ------------------------------------------------------------------

day_ns := 86400000000000

# full SSISDB backups of every replica: {"instance", "finish", "t"} (t = 0 when unreadable).
full_backups := [{"instance": rep.instance, "finish": row.backup_finish_date, "t": sql.time_ns(row.backup_finish_date)} |
	some rep in sql.replicas
	some row in sql.rows(rep.instance, "backups")
	upper(facts.str(facts.get(row, "database_name", ""))) == "SSISDB"
	upper(facts.str(facts.get(row, "type", ""))) == "D"
]

fresh_backups := [b |
	some b in full_backups
	b.t > 0
	facts.created_ns - b.t < day_ns
]

# the newest readable full backup, or null.
newest_backup := bs[0] if {
	ts := [b.t | some b in full_backups; b.t > 0]
	count(ts) > 0
	top := max(ts)
	bs := [b | some b in full_backups; b.t == top]
} else := null

# why a fresh backup may exist that the bundle does not show.
backups_missing := array.concat(
	[m |
		some rep in sql.replicas
		some m in sql.missing(rep.instance, "backups")
	],
	[sprintf("%s: backup_finish_date %v cannot be read as a time", [facts.sql_artifact(b.instance, "backups"), b.finish]) |
		some b in full_backups
		b.t == 0
	],
)

backup_fail_msg := "No full backup of SSISDB is recorded on any replica (msdb.dbo.backupset); back up SSISDB and its master key before the upgrade." if {
	newest_backup == null
} else := sprintf("The newest full backup of SSISDB (on %s, finished %v) is %d h older than the collection; back up SSISDB and its master key again before the upgrade.", [newest_backup.instance, newest_backup.finish, round((facts.created_ns - newest_backup.t) / 3600000000000)])

backups_evidence := [sql.ev(i, "backups", "backup_finish_date") |
	some i in sort({b.instance | some b in full_backups})
] if {
	count(full_backups) > 0
} else := [sql.ev(rep.instance, "backups", "backup_finish_date") | some rep in sql.replicas]

# --- active executions -------------------------------------------------------------------

active_count := n if {
	some row in sql.rows(sql.prim, "executions_active")
	n := facts.num(facts.get(row, "active_count", null))
	n != null
} else := null

executions_missing := m if {
	m := sql.missing(sql.prim, "executions_active")
	count(m) > 0
} else := [sprintf("%s: no readable active_count", [facts.sql_artifact(sql.prim, "executions_active")])] if {
	active_count == null
} else := []

# --- SSISDB in an availability group ----------------------------------------------------------

# the SSISDB AG as the primary sees it ("" when SSISDB is in no AG).
ssisdb_ag := n if {
	some r in sql.rows(sql.prim, "ag_ssisdb")
	upper(facts.str(facts.get(r, "database_name", ""))) == "SSISDB"
	n := facts.str(r.ag_name)
} else := ""

ag_secondaries := sort({facts.str(r.replica_server_name) |
	some r in sql.rows(sql.prim, "ag_replicas")
	facts.str(facts.get(r, "ag_name", "")) == ssisdb_ag
	not sql.same_server(facts.str(r.replica_server_name), sql.prim)
})

ag_plan_steps := [
	sprintf("Back up SSISDB and its database master key, then on the primary %s: ALTER AVAILABILITY GROUP [%s] REMOVE DATABASE [SSISDB]; (drop the group if SSISDB is its only database) and remove SSISDB from the secondaries (%s).", [sql.prim, ssisdb_ag, concat(", ", sql.or_none(ag_secondaries))]),
	sprintf("Upgrade every node (SQL Server engine, Scale Out Master and Worker on each machine) to %s.", [target_label]),
	sprintf("Run the SSISDB Upgrade Wizard (ISDBUpgradeWizard.exe) locally on the primary %s.", [sql.prim]),
	sprintf("Add SSISDB back to %s and join it on the secondaries.", [ssisdb_ag]),
	"Re-enable Always On support for SSISDB (SSMS, Integration Services Catalogs, Enable Always On Support, on the primary, sysadmin on every replica).",
]

target_label := label(target) if {
	target != ""
} else := "the target version"

# --- the master's cluster role -------------------------------------------------------------

resource_service(r) := cluster.param(r, "ServiceName")

# master nodes on which the target's master service is installed.
target_installed_on := sort({n |
	target != ""
	some n in facts.master_nodes
	some s in facts.services(n, "master")
	lower(facts.str(s.Name)) == lower(target_service)
})

# master resources that do not run the target's service.
stale_resources := [r |
	some r in cluster.master_resources
	lower(resource_service(r)) != lower(target_service)
]

# why the master nodes' services are unknown.
master_services_missing := [m |
	some n in facts.master_nodes
	some m in facts.node_missing(n, ["services"])
]

role_missing := m if {
	m := facts.first_missing([target_missing, cluster.master_resource_missing])
	count(m) > 0
} else := [] if {
	count(target_installed_on) > 0
} else := [] if {
	count(stale_resources) == 0
} else := master_services_missing

# the master role's static IP address (for Add-ClusterGenericServiceRole), or "<IP>".
role_ip(group) := ips[0] if {
	ips := [cluster.param(r, "Address") |
		some r in cluster.resources
		cluster.is_type(r, "ip address")
		facts.get(r, "OwnerGroup", "") == group
		cluster.param(r, "Address") != ""
	]
	count(ips) > 0
} else := "<IP>"

role_steps(r) := [
	sprintf("In the SQL Server role %s, once %s is installed on every FCI node (%s): remove the Generic Service resource %s (Remove-ClusterResource -Name '%s').", [facts.get(r, "OwnerGroup", ""), target_service, concat(", ", facts.master_nodes), facts.get(r, "Name", ""), facts.get(r, "Name", "")]),
	sprintf("Add it again for the new service: Add-ClusterResource -Name '%s' -ResourceType 'Generic Service' -Group '%s'; Get-ClusterResource '%s' | Set-ClusterParameter -Name ServiceName -Value '%s'; Start-ClusterResource '%s'.", [facts.get(r, "Name", ""), facts.get(r, "OwnerGroup", ""), facts.get(r, "Name", ""), target_service, facts.get(r, "Name", "")]),
	sprintf("Check that workers still reach https://%s:%d and that the master certificate is unchanged.", [facts.master_dns, facts.master_port]),
] if {
	facts.variant == "fci"
} else := [
	sprintf("Remove the master role %s (Remove-ClusterGroup -Name '%s' -RemoveResources) once %s is installed on every master node (%s).", [facts.get(r, "OwnerGroup", ""), facts.get(r, "OwnerGroup", ""), target_service, concat(", ", facts.master_nodes)]),
	sprintf("Recreate it for the new service: Add-ClusterGenericServiceRole -ServiceName '%s' -Name '%s' -StaticAddress %s (HA step 7), with every master node as possible owner.", [target_service, names.short_name(facts.master_dns), role_ip(facts.get(r, "OwnerGroup", ""))]),
	sprintf("Check that workers still reach https://%s:%d and that the master certificate is unchanged.", [facts.master_dns, facts.master_port]),
]

# --- logging ----------------------------------------------------------------------------

logdb_server := facts.str(sql.master_property("CLUSTER_LOGDB_SERVER"))

# CLUSTER_LOGDB_SERVER names one replica's own server (the value
# catalog.enable_scaleout writes) on the AG variant, where it must be the listener.
logdb_server_reset if {
	facts.variant == "ag"
	not sql.is_listener(logdb_server)
	e := sql.parse_endpoint(logdb_server)
	some rep in sql.replicas
	server := facts.str(facts.get(sql.server(rep.instance), "ServerName", rep.instance))
	se := sql.parse_endpoint(server)
	names.node_eq(e.host, se.host)
	upper(e.instance) == upper(se.instance)
}

logdb_reset if {
	logdb_server_reset
} else := false

logging_expected := sql.listener_text if {
	facts.variant == "ag"
} else := "unchanged by the upgrade"

logging_restore := sprintf("CLUSTER_LOGDB_SERVER and the logging connection string must name the listener %s", [sql.listener_text]) if {
	facts.variant == "ag"
} else := sprintf("CLUSTER_LOGDB_SERVER must name %s", [sql.or_absent(logdb_server)])

# first(xs, dflt): xs[0], or dflt when xs is empty.
first(xs, dflt) := xs[0] if {
	count(xs) > 0
} else := dflt
