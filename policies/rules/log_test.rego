package ssis.test.log

import data.ssis.lib.facts
import data.ssis.lib.sql
import data.ssis.rules.log
import data.ssis.test.fixtures as fx

qmissing(inst, query) := json.patch(fx.healthy, [
	{"op": "remove", "path": ["sql", inst, "queries", query]},
	{"op": "add", "path": ["sql", inst, "missing", query], "value": "permission denied"},
])

row(inst, query, i, col, v) := fx.set(["sql", inst, "queries", query, "rows", i, col], v)

inst_status(rs, inst) := {r.status | some r in rs; r.subject.instance == inst}

status(rs) := [r.status | some r in rs]

windows_cs := "Data Source=aglsn.contoso.com,1433;Initial Catalog=SSISDB;Integrated Security=SSPI;"

windows_logging(inp) := json.patch(inp, [{"op": "add", "path": ["sql", "SQLN1", "queries", "logdb_connection", "rows", 0, "connection_string"], "value": windows_cs}])

# --- LOG-LOGIN-ON-EVERY-REPLICA --------------------------------------------------------

test_login_pass if {
	fx.all_pass(log.log_login_on_every_replica) with input as fx.healthy
}

test_login_fail_absent if {
	inp := fx.set(["sql", "SQLN2", "queries", "server_principals", "rows"], [])
	rs := log.log_login_on_every_replica with input as inp
	inst_status(rs, "SQLN2") == {"fail"}
	fx.result(rs, "SQLN2").fix == {"id": "sql-create-logdb-login", "target": "SQLN2", "params": {"login": fx.log_login, "sid": fx.log_sid}}
}

test_login_fail_sid if {
	rs := log.log_login_on_every_replica with input as row("SQLN2", "server_principals", 0, "sid", "0x00")
	inst_status(rs, "SQLN2") == {"fail"}
	inst_status(rs, "SQLN1") == {"pass"}
	fx.result(rs, "SQLN2").fix.id == "manual"
}

test_login_fail_disabled if {
	rs := log.log_login_on_every_replica with input as row("SQLN2", "server_principals", 0, "is_disabled", true)
	fx.result(rs, "SQLN2").fix == {"id": "sql-enable-login", "target": "SQLN2", "params": {"login": fx.log_login}}
}

test_login_unknown if {
	rs := log.log_login_on_every_replica with input as qmissing("SQLN1", "ssisdb_principals")
	inst_status(rs, "SQLN2") == {"unknown"}
}

# --- LOG-LOGDB-SERVER-IS-LISTENER ---------------------------------------------------------

props(kv) := fx.set(["sql", "SQLN1", "queries", "ssisdb_master_properties", "rows"], [{"property_name": k, "property_value": v} | some k, v in kv])

test_logdb_server_pass if {
	fx.all_pass(log.log_logdb_server_is_listener) with input as props({"CLUSTER_LOGDB_SERVER": "AGLSN"})
}

test_logdb_server_fail if {
	rs := log.log_logdb_server_is_listener with input as props({"CLUSTER_LOGDB_SERVER": "SQLN1"})
	status(rs) == ["fail"]
	[r.fix | some r in rs] == [{"id": "sql-update-logdb-info", "target": "SQLN1", "params": {"server_name": "aglsn.contoso.com,1433", "login": fx.log_login}}]
}

test_logdb_server_unknown if {
	status(log.log_logdb_server_is_listener) == ["unknown"] with input as fx.set(["deployment", "listener"], null)
}

# --- LOG-CONNSTR-IS-LISTENER -----------------------------------------------------------------

cs(v) := row("SQLN1", "logdb_connection", 0, "connection_string", v)

test_connstr_pass if {
	fx.all_pass(log.log_connstr_is_listener) with input as fx.healthy
	fx.all_pass(log.log_connstr_is_listener) with input as windows_logging(fx.healthy)
}

test_connstr_fail if {
	rs := log.log_connstr_is_listener with input as cs("Data Source=SQLN1;Initial Catalog=master;User Id=sa;Password=***;")
	status(rs) == ["fail"]
	some r in rs
	contains(r.message, "Data Source is SQLN1")
	contains(r.message, "Initial Catalog is master")
	contains(r.message, "User Id is sa")
}

test_connstr_unknown_not_collected if {
	rs := log.log_connstr_is_listener with input as fx.remove(["sql", "SQLN1", "queries", "logdb_connection"])
	status(rs) == ["unknown"]
}

# --- LOG-PASSWORD-IN-SYNC -----------------------------------------------------------------------

test_password_pass if {
	fx.all_pass(log.log_password_in_sync) with input as fx.healthy
}

test_password_pass_windows_logging_without_check if {
	inp := json.patch(windows_logging(fx.healthy), [{"op": "remove", "path": ["sql", n, "queries", "logdb_password_check"]} | some n in ["SQLN1", "SQLN2"]])
	fx.all_pass(log.log_password_in_sync) with input as inp
}

test_password_fail if {
	rs := log.log_password_in_sync with input as row("SQLN2", "logdb_password_check", 0, "password_matches", false)
	inst_status(rs, "SQLN2") == {"fail"}
	fx.result(rs, "SQLN2").fix == {"id": "sql-alter-logdb-login", "target": "SQLN2", "params": {"login": fx.log_login}}
}

test_password_unknown if {
	rs := log.log_password_in_sync with input as fx.remove(["sql", "SQLN2", "queries", "logdb_password_check"])
	inst_status(rs, "SQLN2") == {"unknown"}
}

# the logging login was never created on SQLN2 (testdata/bundles/logging-login-missing-secondary)
login_absent_on_sqln2 := json.patch(fx.healthy, [
	{"op": "add", "path": ["sql", "SQLN2", "queries", "server_principals", "rows"], "value": [p | some p in fx.healthy.sql.SQLN2.queries.server_principals.rows; p.name != fx.log_login]},
	{"op": "add", "path": ["sql", "SQLN2", "queries", "sql_logins", "rows"], "value": []},
	{"op": "add", "path": ["sql", "SQLN2", "queries", "logdb_password_check", "rows"], "value": []},
])

test_password_no_result_where_login_absent if {
	rs := log.log_password_in_sync with input as login_absent_on_sqln2
	inst_status(rs, "SQLN2") == set()
	inst_status(rs, "SQLN1") == {"pass"}

	# LOG-LOGIN-ON-EVERY-REPLICA carries the failure
	inst_status(log.log_login_on_every_replica, "SQLN2") == {"fail"} with input as login_absent_on_sqln2
}

test_password_unknown_where_login_absence_unknown if {
	# server_principals not read: whether the login exists is unknown, so is its password
	inp := json.patch(login_absent_on_sqln2, [
		{"op": "remove", "path": ["sql", "SQLN2", "queries", "server_principals"]},
		{"op": "add", "path": ["sql", "SQLN2", "missing", "server_principals"], "value": "permission denied"},
	])
	rs := log.log_password_in_sync with input as inp
	inst_status(rs, "SQLN2") == {"unknown"}
}

test_password_pass_windows_logging_login_absent if {
	fx.all_pass(log.log_password_in_sync) with input as windows_logging(login_absent_on_sqln2)
	count(log.log_password_in_sync) == 2 with input as windows_logging(login_absent_on_sqln2)
}

# --- LOG-WINDOWS-ACCOUNT-CONSISTENT ----------------------------------------------------------------

win_ok := json.patch(windows_logging(fx.healthy), [
{"op": "add", "path": ["sql", n, "queries", "server_principals", "rows", 3], "value": {"name": "contoso\\SVC-SSISWORKER", "sid": "0x01", "type_desc": "WINDOWS_LOGIN", "is_disabled": false}} |
	some n in ["SQLN1", "SQLN2"]
])

win_user := {"name": "CONTOSO\\svc-ssisworker", "sid": "0x01", "type_desc": "WINDOWS_USER", "role_name": "ssis_cluster_worker"}

test_windows_account_pass_sql_auth if {
	fx.all_pass(log.log_windows_account_consistent) with input as fx.healthy
}

test_windows_account_pass if {
	inp := json.patch(win_ok, [{"op": "add", "path": ["sql", "SQLN1", "queries", "ssisdb_principals", "rows", 2], "value": win_user}])
	fx.all_pass(log.log_windows_account_consistent) with input as inp
}

test_windows_account_fail_no_user_and_two_accounts if {
	rs := log.log_windows_account_consistent with input as win_ok
	status(rs) == ["fail"]
	inp := json.patch(win_ok, [{"op": "add", "path": ["nodes", "WRK2", "services", "SSISScaleOutWorker150", "StartName"], "value": "CONTOSO\\other"}])
	rs2 := log.log_windows_account_consistent with input as inp
	status(rs2) == ["fail"]
	some r in rs2
	contains(r.message, "2 different accounts")
}

test_windows_account_unknown if {
	status(log.log_windows_account_consistent) == ["unknown"] with input as fx.remove(["sql", "SQLN1", "queries", "logdb_connection"])
	status(log.log_windows_account_consistent) == ["unknown"] with input as fx.missing("WRK1", "services") with input.sql.SQLN1.queries.logdb_connection.rows as [{"connection_string": windows_cs}]
}

# --- LOG-LOGIN-NO-EXPIRY -----------------------------------------------------------------------------

test_no_expiry_pass if {
	fx.all_pass(log.log_login_no_expiry) with input as fx.healthy
	fx.all_pass(log.log_login_no_expiry) with input as fx.healthy_fci
}

test_no_expiry_fail if {
	rs := log.log_login_no_expiry with input as row("SQLN2", "sql_logins", 0, "is_locked", true)
	inst_status(rs, "SQLN2") == {"fail"}
	contains(fx.result(rs, "SQLN2").message, "locked")
}

test_no_expiry_no_result_where_login_absent if {
	rs := log.log_login_no_expiry with input as login_absent_on_sqln2
	inst_status(rs, "SQLN2") == set()
	inst_status(rs, "SQLN1") == {"pass"}
}

test_no_expiry_unknown_where_login_absence_unknown if {
	inp := json.patch(login_absent_on_sqln2, [
		{"op": "remove", "path": ["sql", "SQLN2", "queries", "server_principals"]},
		{"op": "add", "path": ["sql", "SQLN2", "missing", "server_principals"], "value": "permission denied"},
	])
	rs := log.log_login_no_expiry with input as inp
	inst_status(rs, "SQLN2") == {"unknown"}
}

test_no_expiry_unknown if {
	rs := log.log_login_no_expiry with input as fx.set(["sql", "SQLN2", "queries", "sql_logins", "rows"], [])
	inst_status(rs, "SQLN2") == {"unknown"}
}

# --- lib/sql helpers ------------------------------------------------------------------------------------

test_sql_worker_account if {
	sql.worker_account("WRK1") == facts.str(facts.get(facts.service("WRK1", "worker"), "StartName", "")) with input as fx.healthy

	# two worker services: the first by name (facts.service)
	inp := fx.set(["nodes", "WRK1", "services", "AAAWorker"], {"Name": "AAAWorker", "kind": "worker", "StartName": "CONTOSO\\first"})
	sql.worker_account("WRK1") == "CONTOSO\\first" with input as inp
	sql.worker_account("WRK1") == "" with input as fx.set(["nodes", "WRK1", "services"], {})
}

test_sql_principal_canonical if {
	sql.principal("SQLN1", lower(fx.log_login)).name == fx.log_login with input as fx.healthy
	sql.principal("SQLN1", "nobody") == null with input as fx.healthy
	sql.principal("NOPE", fx.log_login) == null with input as fx.healthy
}
