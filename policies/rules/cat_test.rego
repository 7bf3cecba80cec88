package ssis.test.cat

import data.ssis.rules.cat
import data.ssis.test.fixtures as fx

status(rs) := [r.status | some r in rs]

inst_status(rs, inst) := {r.status | some r in rs; r.subject.instance == inst}

# replace (or add) SSISDB master properties on the primary
mprops(kv) := fx.set(["sql", "SQLN1", "queries", "ssisdb_master_properties", "rows"], array.concat(
	[x | some x in fx.healthy.sql.SQLN1.queries.ssisdb_master_properties.rows; not kv[x.property_name]],
	[{"property_name": k, "property_value": v} | some k, v in kv],
))

cprops(kv) := fx.set(["sql", "SQLN1", "queries", "ssisdb_catalog_properties", "rows"], array.concat(
	[x | some x in fx.healthy.sql.SQLN1.queries.ssisdb_catalog_properties.rows; not kv[x.property_name]],
	[{"property_name": k, "property_value": v} | some k, v in kv],
))

qmissing(inst, query) := json.patch(fx.healthy, [
	{"op": "remove", "path": ["sql", inst, "queries", query]},
	{"op": "add", "path": ["sql", inst, "missing", query], "value": "permission denied"},
])

# --- CAT-SCALEOUT-ENABLED ------------------------------------------------------------------

test_scaleout_pass if {
	fx.all_pass(cat.cat_scaleout_enabled) with input as fx.healthy
}

test_scaleout_fail if {
	status(cat.cat_scaleout_enabled) == ["fail"] with input as cprops({"IS_SCALEOUT_ENABLED": ""})
}

test_scaleout_unknown if {
	status(cat.cat_scaleout_enabled) == ["unknown"] with input as qmissing("SQLN1", "ssisdb_catalog_properties")
}

# --- CAT-MASTER-ADDRESS ----------------------------------------------------------------------

test_address_pass if {
	fx.all_pass(cat.cat_master_address) with input as mprops({"MASTER_ADDRESS": "https://SSISMASTER:8391"})
	fx.all_pass(cat.cat_master_address) with input as fx.healthy_fci
}

test_address_fail_node if {
	rs := cat.cat_master_address with input as mprops({"MASTER_ADDRESS": "https://sqln1.contoso.com:8391"})
	status(rs) == ["fail"]
	[r.fix | some r in rs] == [{"id": "sql-update-master-address", "target": "SQLN1", "params": {"address": "https://ssismaster.contoso.com:8391"}}]
}

test_address_fail_scheme_port if {
	rs := cat.cat_master_address with input as mprops({"MASTER_ADDRESS": "http://ssismaster.contoso.com"})
	status(rs) == ["fail"]
	some r in rs
	contains(r.message, "https")
	contains(r.message, "port 80")
}

test_address_unknown if {
	status(cat.cat_master_address) == ["unknown"] with input as fx.set(["sql", "SQLN1", "collected"], false)
	status(cat.cat_master_address) == ["unknown"] with input as fx.set(["deployment", "master_dns"], "")
}

# --- CAT-MASTER-PROPERTIES-COHERENT ----------------------------------------------------------------

test_properties_pass if {
	fx.all_pass(cat.cat_master_properties_coherent) with input as fx.healthy
}

test_properties_fail if {
	rs := cat.cat_master_properties_coherent with input as mprops({"MACHINE_NAME": "SQLN2", "SSLCERT_THUMBPRINT": fx.ca_t})
	status(rs) == ["fail"]
	some r in rs
	contains(r.message, "MACHINE_NAME is SQLN2")
	r.fix == {"id": "restart-master", "target": "SQLN1", "params": {"resource": "SSIS Scale Out Master", "service": "SSISScaleOutMaster150"}}
}

test_properties_fail_heartbeat_interval if {
	status(cat.cat_master_properties_coherent) == ["fail"] with input as mprops({"MASTER_HEARTBEAT_INTERVALINMS": "60000"})
}

test_properties_unknown if {
	status(cat.cat_master_properties_coherent) == ["unknown"] with input as fx.set(["deployment", "active_master_node"], "")
}

# --- CAT-MASTER-HEARTBEAT-FRESH ----------------------------------------------------------------------

test_heartbeat_pass if {
	fx.all_pass(cat.cat_master_heartbeat_fresh) with input as fx.healthy
	fx.all_pass(cat.cat_master_heartbeat_fresh) with input as mprops({"LAST_ONLINE_TIME": "2026-11-27T09:58:35Z"})
}

test_heartbeat_fail_stale if {
	rs := cat.cat_master_heartbeat_fresh with input as mprops({"LAST_ONLINE_TIME": "2026-11-27 09:50:00.0000000 +00:00"})
	status(rs) == ["fail"]
	some r in rs
	contains(r.message, "600 s")
}

test_heartbeat_fail_never if {
	inp := fx.set(["sql", "SQLN1", "queries", "ssisdb_master_properties", "rows"], [x | some x in fx.healthy.sql.SQLN1.queries.ssisdb_master_properties.rows; x.property_name != "LAST_ONLINE_TIME"])
	status(cat.cat_master_heartbeat_fresh) == ["fail"] with input as inp
}

test_heartbeat_unknown if {
	status(cat.cat_master_heartbeat_fresh) == ["unknown"] with input as mprops({"LAST_ONLINE_TIME": "yesterday"})
	status(cat.cat_master_heartbeat_fresh) == ["unknown"] with input as fx.set(["bundle", "created_ns"], 0)
}

# --- CAT-SCHEMA-COMPATIBLE ---------------------------------------------------------------------------

test_schema_pass if {
	fx.all_pass(cat.cat_schema_compatible) with input as fx.healthy
}

test_schema_fail if {
	rs := cat.cat_schema_compatible with input as fx.set(["sql", "SQLN2", "queries", "server_properties", "rows", 0, "ProductMajorVersion"], "16")
	inst_status(rs, "SQLN2") == {"fail"}
	inst_status(rs, "SQLN1") == {"pass"}
}

test_schema_unknown if {
	rs := cat.cat_schema_compatible with input as cprops({"SCHEMA_BUILD": "?"})
	inst_status(rs, "SQLN1") == {"unknown"}
	inst_status(rs, "SQLN2") == {"unknown"}
}
