package ssis.test.upgrade

import data.ssis.rules.upgrade
import data.ssis.test.fixtures as fx

status(rs) := [r.status | some r in rs]

one(rs) := r if {
	fx.one_per_subject(rs)
	count(rs) == 1
	some r in rs
}

params := {"profile": "pre-upgrade", "target_version": "160"}

backup_row(finish) := {"database_name": "SSISDB", "backup_finish_date": finish, "type": "D"}

# the healthy AG fixture in the pre-upgrade profile, with a full SSISDB
# backup on the primary 8 h before collection and no active execution.
pre_ops := [
	{"op": "add", "path": ["params"], "value": params},
	{"op": "add", "path": ["sql", "SQLN1", "queries", "backups"], "value": fx.qs("SQLN1", "backups", [backup_row("2026-11-27T02:15:42Z")])},
	{"op": "add", "path": ["sql", "SQLN2", "queries", "backups"], "value": fx.empty_qs("SQLN2", "backups")},
	{"op": "add", "path": ["sql", "SQLN1", "queries", "executions_active"], "value": fx.qs("SQLN1", "executions_active", [{"active_count": 0}])},
]

pre := json.patch(fx.healthy, pre_ops)

pset(path, value) := json.patch(pre, [{"op": "add", "path": path, "value": value}])

pmulti(ops) := json.patch(pre, ops)

target(v) := pset(["params", "target_version"], v)

svc_missing(n) := pset(["nodes", n, "missing"], {"services": "access is denied"})

qmissing(inst, q) := json.patch(pre, [
	{"op": "remove", "path": ["sql", inst, "queries", q]},
	{"op": "add", "path": ["sql", inst, "missing", q], "value": "permission denied"},
])

set_backups(primary_rows, secondary_rows) := pmulti([
	{"op": "add", "path": ["sql", "SQLN1", "queries", "backups", "rows"], "value": primary_rows},
	{"op": "add", "path": ["sql", "SQLN2", "queries", "backups", "rows"], "value": secondary_rows},
])

# a master service of another version installed on a node (next to the old one).
with_master_service(n, ver) := pset(["nodes", n, "services", sprintf("SSISScaleOutMaster%s", [ver])], object.union(
	fx.master_service("Stopped", 0, 0),
	{"Name": sprintf("SSISScaleOutMaster%s", [ver]), "version": ver},
))

pre_fci := json.patch(fx.healthy_fci, [
	{"op": "add", "path": ["params"], "value": params},
	{"op": "add", "path": ["sql", fx.fci_inst, "queries", "backups"], "value": fx.qs(fx.fci_inst, "backups", [backup_row("2026-11-27 02:15:42.000")])},
	{"op": "add", "path": ["sql", fx.fci_inst, "queries", "executions_active"], "value": fx.qs(fx.fci_inst, "executions_active", [{"active_count": 0}])},
])

upg_ids := {
	"UPG-SSISDB-AG-PLAN", "UPG-VERSIONS-ALIGNED", "UPG-TARGET-NEWER", "UPG-RECENT-SSISDB-BACKUP",
	"UPG-NO-ACTIVE-EXECUTIONS", "UPG-RECREATE-WSFC-ROLE", "UPG-LOGGING-RESET-RISK",
}

upg_results(inp) := [r |
	some r in data.ssis.main.results with input as inp
	r.rule in upg_ids
]

# --- the profile guard -----------------------------------------------------------------------

test_nothing_outside_pre_upgrade if {
	upg_results(fx.healthy) == []
	upg_results(json.patch(pre, [{"op": "remove", "path": ["params"]}])) == []
	upg_results(pset(["params", "profile"], "ha")) == []
	upg_results({}) == []
}

test_healthy_pre_upgrade_all_pass if {
	rs := upg_results(pre)
	fx.one_per_subject(rs)
	{r.rule | some r in rs} == upg_ids
	count(rs) == count(upg_ids)
	[r | some r in rs; r.status != "pass"] == []
}

test_healthy_fci_pre_upgrade_all_pass if {
	rs := upg_results(pre_fci)
	fx.one_per_subject(rs)
	count(rs) == count(upg_ids)
	[r | some r in rs; r.status != "pass"] == []
}

# every UPG rule keeps exactly one well-formed result whatever is missing.
test_degraded_one_result_per_rule if {
	every inp in [
		pset(["sql"], {}),
		pset(["cluster"], null),
		pset(["deployment", "primary_instance"], ""),
		pset(["bundle", "created_ns"], 0),
		pset(["params", "target_version"], ""),
		pset(["nodes", "SQLN1", "collected"], false),
		pset(["sql", "SQLN1", "collected"], false),
		pset(["sql", "SQLN2", "queries"], {}),
	] {
		rs := upg_results(inp)
		fx.one_per_subject(rs)
		{r.rule | some r in rs} == upg_ids
		count(rs) == count(upg_ids)
	}
}

# --- UPG-SSISDB-AG-PLAN ------------------------------------------------------------------------

test_ag_plan_pass_lists_sequence if {
	r := one(upgrade.upg_ssisdb_ag_plan) with input as pre
	r.status == "pass"
	contains(r.message, "availability group AG1")
	contains(r.message, "ALTER AVAILABILITY GROUP [AG1] REMOVE DATABASE [SSISDB]")
	contains(r.message, "secondaries (SQLN2)")
	contains(r.message, "SQL Server 2022 (160)")
	contains(r.message, "Upgrade Wizard")
	contains(r.message, "Enable Always On Support")
	startswith(r.expected, "remove SSISDB from the AG")
}

test_ag_plan_pass_not_in_ag if {
	r := one(upgrade.upg_ssisdb_ag_plan) with input as pre_fci
	r.status == "pass"
	contains(r.message, "in no availability group")
	r2 := one(upgrade.upg_ssisdb_ag_plan) with input as pset(["sql", "SQLN1", "queries", "ag_ssisdb", "rows"], [])
	r2.status == "pass"
}

# the rule states the plan; it never fails (documented in its METADATA).
test_ag_plan_never_fails if {
	every inp in [pre, target("150"), target(""), pset(["cluster"], null)] {
		rs := upgrade.upg_ssisdb_ag_plan with input as inp
		[r | some r in rs; r.status == "fail"] == []
	}
}

test_ag_plan_unknown if {
	r := one(upgrade.upg_ssisdb_ag_plan) with input as qmissing("SQLN1", "ag_ssisdb")
	r.status == "unknown"
	r.missing == ["sql/SQLN1/ag_ssisdb: permission denied"]
	status(upgrade.upg_ssisdb_ag_plan) == ["unknown"] with input as pset(["deployment", "primary_instance"], "")
	status(upgrade.upg_ssisdb_ag_plan) == ["unknown"] with input as pset(["sql", "SQLN1", "collected"], false)
}

# --- UPG-VERSIONS-ALIGNED ----------------------------------------------------------------------

test_versions_aligned_pass if {
	r := one(upgrade.upg_versions_aligned) with input as pre
	r.status == "pass"
	contains(r.message, "version SQL Server 2019 (150)")
	r.observed == {"150": 6}
}

test_versions_aligned_fail_worker if {
	inp := pset(["nodes", "WRK2", "services"], {"SSISScaleOutWorker160": object.union(fx.worker_service, {"Name": "SSISScaleOutWorker160", "version": "160"})})
	r := one(upgrade.upg_versions_aligned) with input as inp
	r.status == "fail"
	contains(r.message, "2 versions")
	contains(r.message, "160: WRK2 SSISScaleOutWorker160")
	r.fix.id == "manual"
	contains(r.fix.params.steps[0], "to version 150")
	contains(r.fix.params.steps[0], "WRK2 SSISScaleOutWorker160")
}

test_versions_aligned_fail_old_master_left if {
	r := one(upgrade.upg_versions_aligned) with input as with_master_service("SQLN2", "160")
	r.status == "fail"
	contains(r.message, "SQLN2 SSISScaleOutMaster160")
}

test_versions_aligned_fail_replica if {
	inp := pset(["sql", "SQLN2", "queries", "server_properties", "rows", 0, "ProductMajorVersion"], "16")
	r := one(upgrade.upg_versions_aligned) with input as inp
	r.status == "fail"
	contains(r.message, "160: SQLN2 SQL Server")
}

# versions that already differ fail even when another node is unknown
test_versions_aligned_fail_despite_missing if {
	inp := json.patch(pre, [
		{"op": "add", "path": ["sql", "SQLN2", "queries", "server_properties", "rows", 0, "ProductMajorVersion"], "value": "16"},
		{"op": "add", "path": ["nodes", "WRK1", "missing"], "value": {"services": "access is denied"}},
	])
	status(upgrade.upg_versions_aligned) == ["fail"] with input as inp
}

test_versions_aligned_unknown if {
	r := one(upgrade.upg_versions_aligned) with input as svc_missing("WRK1")
	r.status == "unknown"
	r.missing == ["nodes/WRK1/services: access is denied"]
	status(upgrade.upg_versions_aligned) == ["unknown"] with input as qmissing("SQLN2", "server_properties")
	status(upgrade.upg_versions_aligned) == ["unknown"] with input as pset(["sql"], {})
}

# --- UPG-TARGET-NEWER --------------------------------------------------------------------------

test_target_newer_pass if {
	r := one(upgrade.upg_target_newer) with input as pre
	r.status == "pass"
	contains(r.message, "SQL Server 2022 (160)")
	status(upgrade.upg_target_newer) == ["pass"] with input as target("170")
}

test_target_newer_fail_same if {
	r := one(upgrade.upg_target_newer) with input as target("150")
	r.status == "fail"
	contains(r.message, "not newer")
	contains(r.message, "SQLN1 SQL Server")
	contains(r.message, "SQLN1 SSISScaleOutMaster150")
	r.fix.id == "manual"
	count(r.evidence) == 7
}

test_target_newer_fail_one_node_already_there if {
	r := one(upgrade.upg_target_newer) with input as object.union(with_master_service("SQLN2", "160"), {"params": params})
	r.status == "fail"
	contains(r.message, "160: SQLN2 SSISScaleOutMaster160")
	not contains(r.message, "150:")
}

test_target_newer_fail_too_old if {
	r := one(upgrade.upg_target_newer) with input as target("130")
	r.status == "fail"
	contains(r.message, "older than SQL Server 2017 (140)")
}

# a blocker already seen fails even when another node is unknown
test_target_newer_fail_despite_missing if {
	inp := json.patch(pre, [
		{"op": "add", "path": ["params", "target_version"], "value": "150"},
		{"op": "add", "path": ["nodes", "WRK1", "missing"], "value": {"services": "access is denied"}},
	])
	status(upgrade.upg_target_newer) == ["fail"] with input as inp
}

test_target_newer_unknown_target if {
	every v in ["", "2022", "16", "16.0", "abc"] {
		r := one(upgrade.upg_target_newer) with input as target(v)
		r.status == "unknown"
		startswith(r.missing[0], "params.target_version:")
	}
	r := one(upgrade.upg_target_newer) with input as target("2022")
	contains(r.message, "\"2022\" is not a version folder")
	status(upgrade.upg_target_newer) == ["unknown"] with input as json.patch(pre, [{"op": "remove", "path": ["params", "target_version"]}])
}

test_target_newer_unknown_versions if {
	r := one(upgrade.upg_target_newer) with input as svc_missing("SQLN2")
	r.status == "unknown"
	r.missing == ["nodes/SQLN2/services: access is denied"]
	status(upgrade.upg_target_newer) == ["unknown"] with input as pset(["nodes", "WRK2", "collected"], false)
}

# --- UPG-RECENT-SSISDB-BACKUP --------------------------------------------------------------------

test_backup_pass_primary if {
	r := one(upgrade.upg_recent_ssisdb_backup) with input as pre
	r.status == "pass"
	contains(r.message, "on SQLN1")
	contains(r.message, "8 h before collection")
}

test_backup_pass_on_secondary if {
	inp := set_backups([backup_row("2026-11-20T02:00:00Z")], [backup_row("2026-11-27 06:00:00.000")])
	r := one(upgrade.upg_recent_ssisdb_backup) with input as inp
	r.status == "pass"
	contains(r.message, "on SQLN2")
}

# a fresh backup on one replica passes even when another one's history is unknown
test_backup_pass_despite_missing if {
	status(upgrade.upg_recent_ssisdb_backup) == ["pass"] with input as qmissing("SQLN2", "backups")
}

test_backup_fail_old if {
	inp := set_backups([backup_row("2026-11-26T04:00:00Z")], [])
	r := one(upgrade.upg_recent_ssisdb_backup) with input as inp
	r.status == "fail"
	contains(r.message, "30 h older")
	r.fix.id == "manual"
	r.fix.target == "SQLN1"
	contains(r.fix.params.steps[0], "BACKUP DATABASE [SSISDB]")
}

test_backup_fail_none if {
	r := one(upgrade.upg_recent_ssisdb_backup) with input as set_backups([], [])
	r.status == "fail"
	contains(r.message, "No full backup of SSISDB")
}

test_backup_fail_not_full_or_other_db if {
	inp := set_backups(
		[{"database_name": "SSISDB", "backup_finish_date": "2026-11-27T09:00:00Z", "type": "L"}],
		[{"database_name": "msdb", "backup_finish_date": "2026-11-27T09:00:00Z", "type": "D"}],
	)
	status(upgrade.upg_recent_ssisdb_backup) == ["fail"] with input as inp
}

test_backup_unknown if {
	inp := json.patch(set_backups([backup_row("2026-11-20T02:00:00Z")], []), [
		{"op": "remove", "path": ["sql", "SQLN2", "queries", "backups"]},
		{"op": "add", "path": ["sql", "SQLN2", "missing", "backups"], "value": "permission denied"},
	])
	r := one(upgrade.upg_recent_ssisdb_backup) with input as inp
	r.status == "unknown"
	r.missing == ["sql/SQLN2/backups: permission denied"]
	status(upgrade.upg_recent_ssisdb_backup) == ["unknown"] with input as pset(["bundle", "created_ns"], 0)
	status(upgrade.upg_recent_ssisdb_backup) == ["unknown"] with input as set_backups([backup_row("yesterday")], [])
}

# --- UPG-NO-ACTIVE-EXECUTIONS ------------------------------------------------------------------------

test_executions_pass if {
	r := one(upgrade.upg_no_active_executions) with input as pre
	r.status == "pass"
	r.subject.instance == "SQLN1"
}

test_executions_fail if {
	r := one(upgrade.upg_no_active_executions) with input as pset(["sql", "SQLN1", "queries", "executions_active", "rows"], [{"active_count": 3}])
	r.status == "fail"
	contains(r.message, "3 running or pending")
	r.observed == 3
	r.fix.target == "SQLN1"
}

test_executions_unknown if {
	r := one(upgrade.upg_no_active_executions) with input as qmissing("SQLN1", "executions_active")
	r.status == "unknown"
	r.missing == ["sql/SQLN1/executions_active: permission denied"]
	status(upgrade.upg_no_active_executions) == ["unknown"] with input as pset(["sql", "SQLN1", "queries", "executions_active", "rows"], [])
	status(upgrade.upg_no_active_executions) == ["unknown"] with input as pset(["deployment", "primary_instance"], "")
}

# --- UPG-RECREATE-WSFC-ROLE ---------------------------------------------------------------------------

test_role_pass_plan_pending if {
	r := one(upgrade.upg_recreate_wsfc_role) with input as pre
	r.status == "pass"
	contains(r.message, "runs SSISScaleOutMaster150")
	contains(r.message, "recreating the master role (group ssismaster) for SSISScaleOutMaster160")
}

test_role_pass_already_recreated if {
	inp := pset(["cluster", "Resources", 0, "Parameters", "ServiceName"], "SSISScaleOutMaster160")
	r := one(upgrade.upg_recreate_wsfc_role) with input as inp
	r.status == "pass"
	contains(r.message, "already runs SSISScaleOutMaster160")
}

test_role_fail_after_upgrade if {
	r := one(upgrade.upg_recreate_wsfc_role) with input as object.union(with_master_service("SQLN1", "160"), {"params": params})
	r.status == "fail"
	contains(r.message, "SSISScaleOutMaster160 is installed on SQLN1")
	contains(r.message, "still runs SSISScaleOutMaster150")
	r.fix.id == "manual"
	r.fix.target == "SQLN1"
	contains(r.fix.params.steps[1], "Add-ClusterGenericServiceRole -ServiceName 'SSISScaleOutMaster160' -Name 'ssismaster' -StaticAddress 10.0.0.50")
}

# the target's service seen on one node fails even when another node is unknown
test_role_fail_despite_missing if {
	inp := json.patch(with_master_service("SQLN1", "160"), [{"op": "add", "path": ["nodes", "SQLN2", "missing"], "value": {"services": "access is denied"}}])
	status(upgrade.upg_recreate_wsfc_role) == ["fail"] with input as inp
}

test_role_fail_fci if {
	inp := json.patch(pre_fci, [{"op": "add", "path": ["nodes", "SQLN2", "services", "SSISScaleOutMaster160"], "value": object.union(fx.master_service("Stopped", 0, 0), {"Name": "SSISScaleOutMaster160", "version": "160"})}])
	r := one(upgrade.upg_recreate_wsfc_role) with input as inp
	r.status == "fail"
	contains(r.message, "installed on SQLN2")
	contains(r.fix.params.steps[1], "Add-ClusterResource -Name 'SSIS Scale Out Master' -ResourceType 'Generic Service' -Group 'SQL Server (INST1)'")
}

test_role_unknown if {
	r := one(upgrade.upg_recreate_wsfc_role) with input as pset(["cluster"], null)
	r.status == "unknown"
	startswith(r.missing[0], "cluster:")
	status(upgrade.upg_recreate_wsfc_role) == ["unknown"] with input as target("sixteen")
	status(upgrade.upg_recreate_wsfc_role) == ["unknown"] with input as svc_missing("SQLN2")
	status(upgrade.upg_recreate_wsfc_role) == ["unknown"] with input as pset(["cluster", "Resources"], [])
}

# --- UPG-LOGGING-RESET-RISK --------------------------------------------------------------------------

logdb_server(v) := json.patch(pre, [{"op": "replace", "path": ["sql", "SQLN1", "queries", "ssisdb_master_properties", "rows", 0], "value": {"property_name": "CLUSTER_LOGDB_SERVER", "property_value": v}}])

test_logging_pass_warns if {
	r := one(upgrade.upg_logging_reset_risk) with input as pre
	r.status == "pass"
	contains(r.message, "catalog.enable_scaleout")
	contains(r.message, "listener aglsn.contoso.com,1433")
	contains(r.message, "LOG-* rules")
}

test_logging_pass_fci if {
	r := one(upgrade.upg_logging_reset_risk) with input as pre_fci
	r.status == "pass"
	contains(r.message, "SQLFCI01\\INST1")
}

test_logging_fail_reset_already if {
	every v in ["SQLN1", "sqln2.contoso.com,1433"] {
		r := one(upgrade.upg_logging_reset_risk) with input as logdb_server(v)
		r.status == "fail"
		contains(r.message, "looks reset already")
		r.fix.id == "manual"
	}
}

test_logging_unknown if {
	r := one(upgrade.upg_logging_reset_risk) with input as qmissing("SQLN1", "ssisdb_master_properties")
	r.status == "unknown"
	r.missing == ["sql/SQLN1/ssisdb_master_properties: permission denied"]
}

# info never gates: the fail carries no severity override
test_logging_fail_stays_info if {
	r := one(upgrade.upg_logging_reset_risk) with input as logdb_server("SQLN1")
	not r.severity
}
