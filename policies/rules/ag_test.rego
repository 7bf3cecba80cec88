package ssis.test.ag

import data.ssis.lib.facts
import data.ssis.lib.sql
import data.ssis.rules.ag
import data.ssis.test.fixtures as fx

q(inst, query, rows) := fx.set(["sql", inst, "queries", query, "rows"], rows)

qmissing(inst, query) := json.patch(fx.healthy, [
	{"op": "remove", "path": ["sql", inst, "queries", query]},
	{"op": "add", "path": ["sql", inst, "missing", query], "value": "permission denied"},
])

row(inst, query, i, col, v) := fx.set(["sql", inst, "queries", query, "rows", i, col], v)

# subject of an instance result
inst_status(rs, inst) := {r.status | some r in rs; r.subject.instance == inst}

# --- AG-HADR-ENABLED ------------------------------------------------------------------

test_hadr_pass if {
	fx.all_pass(ag.ag_hadr_enabled) with input as row("SQLN2", "server_properties", 0, "IsHadrEnabled", true)
}

test_hadr_fail if {
	rs := ag.ag_hadr_enabled with input as row("SQLN2", "server_properties", 0, "IsHadrEnabled", 0)
	fx.one_per_subject(rs)
	inst_status(rs, "SQLN2") == {"fail"}
	inst_status(rs, "SQLN1") == {"pass"}
}

test_hadr_unknown if {
	rs := ag.ag_hadr_enabled with input as qmissing("SQLN2", "server_properties")
	inst_status(rs, "SQLN2") == {"unknown"}
	fx.result(rs, "SQLN2").missing == ["sql/SQLN2/server_properties: permission denied"]
}

test_hadr_unknown_replica_without_instance if {
	rs := ag.ag_hadr_enabled with input as fx.remove(["sql", "SQLN2"])
	fx.one_per_subject(rs)
	inst_status(rs, "SQLN2") == {"unknown"}
}

test_hadr_not_on_fci if {
	count(ag.ag_hadr_enabled) == 0 with input as fx.healthy_fci
}

# --- AG-VERSION ---------------------------------------------------------------------------

test_version_pass if {
	fx.all_pass(ag.ag_version) with input as fx.healthy
	fx.all_pass(ag.ag_version) with input as fx.healthy_fci
}

test_version_fail_mismatch_medium if {
	rs := ag.ag_version with input as row("SQLN2", "server_properties", 0, "ProductMajorVersion", "16")
	inst_status(rs, "SQLN1") == {"fail"}
	inst_status(rs, "SQLN2") == {"pass"}
	fx.result(rs, "SQLN1").severity == "medium"
}

test_version_fail_old_critical if {
	inp := json.patch(fx.healthy, [
	{"op": "add", "path": ["sql", n, "queries", "server_properties", "rows", 0, "ProductMajorVersion"], "value": "13"} |
		some n in ["SQLN1", "SQLN2"]
	])
	rs := ag.ag_version with input as inp
	inst_status(rs, "SQLN1") == {"fail"}
	fx.result(rs, "SQLN1").severity == "critical"
}

test_version_unknown if {
	rs := ag.ag_version with input as fx.set(["sql", "SQLN2", "collected"], false)
	inst_status(rs, "SQLN2") == {"unknown"}
}

# --- AG-SSISDB-IN-AG -------------------------------------------------------------------------

test_in_ag_pass if {
	fx.all_pass(ag.ag_ssisdb_in_ag) with input as fx.healthy
}

test_in_ag_fail_not_joined if {
	inp := json.patch(fx.healthy, [
		{"op": "add", "path": ["sql", "SQLN2", "queries", "databases", "rows", 0, "replica_id"], "value": null},
		{"op": "remove", "path": ["sql", "SQLN1", "queries", "ssisdb_replica_states", "rows", 1]},
	])
	rs := ag.ag_ssisdb_in_ag with input as inp
	inst_status(rs, "SQLN2") == {"fail"}
	inst_status(rs, "SQLN1") == {"pass"}
	contains(fx.result(rs, "SQLN2").message, "replica_id is null")
}

test_in_ag_fail_no_ag if {
	rs := ag.ag_ssisdb_in_ag with input as q("SQLN2", "ag_ssisdb", [])
	inst_status(rs, "SQLN2") == {"fail"}
}

test_in_ag_unknown if {
	rs := ag.ag_ssisdb_in_ag with input as qmissing("SQLN1", "ssisdb_replica_states")
	inst_status(rs, "SQLN1") == {"unknown"}
	inst_status(rs, "SQLN2") == {"unknown"}
}

# --- AG-SSISDB-SYNC-HEALTHY --------------------------------------------------------------------

test_sync_pass if {
	fx.all_pass(ag.ag_ssisdb_sync_healthy) with input as fx.healthy
}

test_sync_pass_async_replica if {
	inp := json.patch(fx.healthy, [
		{"op": "add", "path": ["sql", "SQLN1", "queries", "ag_replicas", "rows", 1, "availability_mode_desc"], "value": "ASYNCHRONOUS_COMMIT"},
		{"op": "add", "path": ["sql", "SQLN1", "queries", "ssisdb_replica_states", "rows", 1, "synchronization_state_desc"], "value": "SYNCHRONIZING"},
	])
	fx.all_pass(ag.ag_ssisdb_sync_healthy) with input as inp
}

test_sync_fail if {
	rs := ag.ag_ssisdb_sync_healthy with input as row("SQLN1", "ssisdb_replica_states", 1, "synchronization_health_desc", "NOT_HEALTHY")
	inst_status(rs, "SQLN2") == {"fail"}
	inst_status(rs, "SQLN1") == {"pass"}
}

test_sync_unknown if {
	rs := ag.ag_ssisdb_sync_healthy with input as qmissing("SQLN1", "ag_replicas")
	inst_status(rs, "SQLN2") == {"unknown"}
}

# --- AG-LISTENER ---------------------------------------------------------------------------------

test_listener_pass if {
	fx.all_pass(ag.ag_listener) with input as fx.healthy
}

test_listener_pass_undeclared if {
	fx.all_pass(ag.ag_listener) with input as fx.set(["deployment", "declared", "listener"], "")
}

test_listener_fail_none if {
	rs := ag.ag_listener with input as q("SQLN1", "ag_listeners", [])
	[r.status | some r in rs] == ["fail"]
}

test_listener_fail_not_declared_one if {
	rs := ag.ag_listener with input as row("SQLN1", "ag_listeners", 0, "dns_name", "otherlsn")
	[r.status | some r in rs] == ["fail"]
}

test_listener_unknown if {
	rs := ag.ag_listener with input as qmissing("SQLN1", "ag_listeners")
	[r.status | some r in rs] == ["unknown"]
}

# --- AG-SSIS-ALWAYSON-SUPPORT ---------------------------------------------------------------------

test_alwayson_pass if {
	fx.all_pass(ag.ag_ssis_alwayson_support) with input as fx.healthy
}

test_alwayson_fail_not_listed if {
	rs := ag.ag_ssis_alwayson_support with input as q("SQLN1", "ssisdb_alwayson_replicas", [{"server_name": "SQLN1", "state": 1}])
	inst_status(rs, "SQLN2") == {"fail"}
	fx.result(rs, "SQLN2").fix.id == "manual"
}

test_alwayson_fail_clr_only if {
	rs := ag.ag_ssis_alwayson_support with input as row("SQLN2", "configurations", 0, "value_in_use", 0)
	inst_status(rs, "SQLN2") == {"fail"}
	fx.result(rs, "SQLN2").fix == {"id": "sql-enable-clr", "target": "SQLN2", "params": {}}
}

test_alwayson_fail_no_startup_proc if {
	rs := ag.ag_ssis_alwayson_support with input as q("SQLN2", "startup_procs", [])
	inst_status(rs, "SQLN2") == {"fail"}
}

test_alwayson_unknown if {
	rs := ag.ag_ssis_alwayson_support with input as qmissing("SQLN2", "configurations")
	inst_status(rs, "SQLN2") == {"unknown"}
}

# --- AG-SSISDB-DMK-BY-SMK ----------------------------------------------------------------------------

test_dmk_pass if {
	fx.all_pass(ag.ag_ssisdb_dmk_by_smk) with input as fx.healthy
}

test_dmk_fail if {
	rs := ag.ag_ssisdb_dmk_by_smk with input as row("SQLN1", "databases", 0, "is_master_key_encrypted_by_server", false)
	[r.status | some r in rs] == ["fail"]
	[r.fix | some r in rs] == [{"id": "sql-dmk-by-smk", "target": "SQLN1", "params": {}}]
}

test_dmk_unknown if {
	rs := ag.ag_ssisdb_dmk_by_smk with input as fx.set(["deployment", "primary_instance"], "")
	[r.status | some r in rs] == ["unknown"]
}

# --- AG-SQL-AUTH-MIXED ---------------------------------------------------------------------------------

test_auth_pass if {
	fx.all_pass(ag.ag_sql_auth_mixed) with input as fx.healthy
}

test_auth_pass_windows_logging if {
	inp := json.patch(fx.healthy, [
		{"op": "add", "path": ["sql", "SQLN2", "queries", "server_properties", "rows", 0, "IsIntegratedSecurityOnly"], "value": 1},
		{"op": "add", "path": ["sql", "SQLN1", "queries", "logdb_connection", "rows", 0, "connection_string"], "value": "Data Source=aglsn.contoso.com,1433;Initial Catalog=SSISDB;Integrated Security=SSPI;"},
	])
	fx.all_pass(ag.ag_sql_auth_mixed) with input as inp
}

test_auth_fail if {
	rs := ag.ag_sql_auth_mixed with input as row("SQLN2", "server_properties", 0, "IsIntegratedSecurityOnly", true)
	inst_status(rs, "SQLN2") == {"fail"}
}

test_auth_unknown if {
	rs := ag.ag_sql_auth_mixed with input as qmissing("SQLN2", "server_properties")
	inst_status(rs, "SQLN2") == {"unknown"}
}

# a NULL IsIntegratedSecurityOnly is unknown (it used to pass: "not flag(null)")
test_auth_unknown_when_column_null if {
	rs := ag.ag_sql_auth_mixed with input as row("SQLN2", "server_properties", 0, "IsIntegratedSecurityOnly", null)
	inst_status(rs, "SQLN2") == {"unknown"}
}

# --- AG-AUTOMATIC-FAILOVER ----------------------------------------------------------------------------

test_auto_failover_pass if {
	fx.all_pass(ag.ag_automatic_failover) with input as fx.healthy
}

test_auto_failover_fail if {
	rs := ag.ag_automatic_failover with input as row("SQLN1", "ag_replicas", 1, "failover_mode_desc", "MANUAL")
	[r.status | some r in rs] == ["fail"]
	some r in rs
	contains(r.message, "SQLN2")
}

test_auto_failover_unknown if {
	rs := ag.ag_automatic_failover with input as fx.set(["sql", "SQLN1", "collected"], false)
	[r.status | some r in rs] == ["unknown"]
}

test_hadr_enabled_unknown_when_column_null if {
	inp := json.patch(fx.healthy, [{"op": "add", "path": ["sql", "SQLN2", "queries", "server_properties", "rows", 0, "IsHadrEnabled"], "value": null}])
	rs := {r | some r in ag.ag_hadr_enabled with input as inp; r.subject.instance == "SQLN2"}
	count(rs) == 1
	some r in rs
	r.status == "unknown"
}

# a server_properties row that is not an object (hand-written facts): every
# rule that reads it still gives one result for the instance, unknown
test_server_properties_row_not_an_object_gives_unknown if {
	inp := json.patch(fx.healthy, [{"op": "add", "path": ["sql", "SQLN2", "queries", "server_properties", "rows"], "value": ["x"]}])
	docs := [ag.ag_hadr_enabled, ag.ag_version, ag.ag_sql_auth_mixed] with input as inp
	every doc in docs {
		rs := [r | some r in doc; r.subject.instance == "SQLN2"]
		count(rs) == 1
		rs[0].status == "unknown"
	}
}

no_ssisdb_ag := json.patch(fx.healthy, [
	{"op": "add", "path": ["sql", "SQLN1", "queries", "ag_ssisdb", "rows"], "value": []},
	{"op": "add", "path": ["sql", "SQLN2", "queries", "ag_ssisdb", "rows"], "value": []},
])

test_listener_message_when_ssisdb_in_no_ag if {
	some r in ag.ag_listener with input as no_ssisdb_ag
	r.status == "fail"
	contains(r.message, "SSISDB is in no availability group")
}

test_automatic_failover_message_when_ssisdb_in_no_ag if {
	some r in ag.ag_automatic_failover with input as no_ssisdb_ag
	r.status == "fail"
	contains(r.message, "SSISDB is in no availability group")
}

# --- lib/sql fast paths (each must give what the helper it stands for gives) ---------------------

test_sql_missing_fast_path_matches_facts if {
	inputs := [
		fx.healthy,
		qmissing("SQLN2", "server_properties"),
		fx.set(["sql", "SQLN2", "collected"], false),
		fx.set(["sql", "SQLN2", "queries", "server_properties", "error"], "timeout"),
		fx.set(["sql", "SQLN2", "queries", "server_properties", "rows"], null),
		fx.remove(["sql", "SQLN2"]),
	]
	every inp in inputs {
		every inst in ["SQLN1", "SQLN2", ""] {
			every q in ["server_properties", "databases", "nope"] {
				sql.missing(inst, q) == facts.sql_missing(inst, q) with input as inp
			}
		}
	}
}

# facts.flag_bool before the usual values were looked up first (the oracle).
flag_bool_reference(v) if {
	facts.flag(v)
} else := false

test_flag_bool_same_as_reference if {
	every v in [
		true, false, null, 1, 0, 1.0, -1, "1", "0", "True", "TRUE", "true", "False", "FALSE", "false", "yes", "", " true", "true ",
		2, {}, [], [true], {"a": true}, "1.0", "01",
	] {
		facts.flag_bool(v) == flag_bool_reference(v)
	}
}

test_sql_first2_first3 if {
	sql.first2([], ["b"]) == ["b"]
	sql.first2(["a"], ["b"]) == ["a"]
	sql.first2([], []) == []
	sql.first3([], [], ["c"]) == ["c"]
	sql.first3([], ["b"], ["c"]) == ["b"]
	sql.first3([], [], []) == []
}

test_sql_replicas_node_keys if {
	# a replica node named by an instance's host part (lower case, FQDN) has that instance
	inp := json.patch(fx.healthy, [
		{"op": "add", "path": ["sql", "sqln2.contoso.com\\INST1"], "value": object.union(fx.healthy.sql.SQLN2, {"node": ""})},
		{"op": "remove", "path": ["sql", "SQLN2"]},
	])
	[rep.instance | some rep in sql.replicas] == ["SQLN1", "sqln2.contoso.com\\INST1"] with input as inp
	[rep.instance | some rep in sql.replicas] == ["SQLN1", "SQLN2"] with input as fx.remove(["sql", "SQLN2"])
}
