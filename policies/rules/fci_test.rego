package ssis.test.fci

import data.ssis.rules.fci
import data.ssis.test.fixtures as fx

mpath := "C:\\Program Files\\Microsoft SQL Server\\150\\DTS\\Binn\\MasterSettings.config"

fci_cns(names) := fx.fci_patch({"nodes": {n: {"certs": {"LocalMachine/Root": {fx.mt: {"cns": names}}}} | some n in ["SQLN1", "SQLN2", "WRK1", "WRK2"]}})

sqlname(node, ep) := fx.fci_patch({"nodes": {node: {"configs": {"master": {"master": {"sql_server": ep}}}}}})

# --- FCI-CERT-CN-NETWORKNAME ------------------------------------------------------

test_fci_cert_pass if {
	rs := fci.fci_cert_cn_networkname with input as fx.healthy_fci
	fx.all_pass(rs)
	count(rs) == 2
}

test_fci_cert_pass_short_name_only if {
	fx.all_pass(fci.fci_cert_cn_networkname) with input as fci_cns(["sqlfci01"])
}

test_fci_cert_not_on_ag if {
	count(fci.fci_cert_cn_networkname) == 0 with input as fx.healthy
}

test_fci_cert_fail_node_name if {
	rs := fci.fci_cert_cn_networkname with input as fci_cns(["SQLN1", "sqln1.contoso.com"])
	fx.only(rs, "SQLN1", "fail")
	fx.only(rs, "SQLN2", "fail")
	fx.result(rs, "SQLN2").fix == {"id": "renew-master-cert", "target": "SQLN1", "params": {"dns_name": "sqlfci01.contoso.com", "port": "8391", "path": mpath}}
}

test_fci_cert_pass_separate_master_role if {
	inp := json.patch(fci_cns(["ssismaster.contoso.com"]), [{"op": "add", "path": ["deployment", "master_dns"], "value": "ssismaster.contoso.com"}])
	fx.all_pass(fci.fci_cert_cn_networkname) with input as inp
}

test_fci_cert_unknown_no_sql if {
	inp := json.patch(fx.healthy_fci, [
		{"op": "add", "path": ["sql", fx.fci_inst, "missing"], "value": {"server_properties": "login failed"}},
		{"op": "remove", "path": ["sql", fx.fci_inst, "queries", "server_properties"]},
	])
	rs := fci.fci_cert_cn_networkname with input as inp
	fx.only(rs, "SQLN1", "unknown")
	fx.result(rs, "SQLN1").missing == ["sql/SQLFCI01\\INST1/server_properties: login failed"]
}

# --- FCI-SQLSERVERNAME -----------------------------------------------------------------

test_fci_sqlservername_pass if {
	fx.all_pass(fci.fci_sqlservername) with input as fx.healthy_fci
}

test_fci_sqlservername_pass_fqdn_lower if {
	inp := sqlname("SQLN2", {"raw": "sqlfci01.contoso.com\\inst1", "host": "sqlfci01.contoso.com", "instance": "inst1"})
	fx.all_pass(fci.fci_sqlservername) with input as inp
}

test_fci_sqlservername_fail_no_instance if {
	rs := fci.fci_sqlservername with input as sqlname("SQLN2", {"raw": "SQLFCI01", "host": "SQLFCI01", "instance": ""})
	fx.only(rs, "SQLN2", "fail")
	fx.result(rs, "SQLN2").fix == {"id": "set-master-config", "target": "SQLN2", "params": {"path": mpath, "key": "SqlServerName", "value": "SQLFCI01\\INST1"}}
}

test_fci_sqlservername_fail_node_name if {
	rs := fci.fci_sqlservername with input as sqlname("SQLN1", {"raw": "SQLN1\\INST1", "host": "SQLN1", "instance": "INST1"})
	fx.only(rs, "SQLN1", "fail")
}

test_fci_sqlservername_default_instance if {
	inp := json.patch(sqlname("SQLN1", {"raw": "SQLFCI01", "host": "SQLFCI01", "instance": ""}), [
		{"op": "add", "path": ["sql", fx.fci_inst, "queries", "server_properties", "rows", 0, "ServerName"], "value": "SQLFCI01"},
		{"op": "add", "path": ["sql", fx.fci_inst, "queries", "server_properties", "rows", 0, "InstanceName"], "value": null},
	])
	rs := fci.fci_sqlservername with input as inp
	fx.only(rs, "SQLN1", "pass")
	fx.only(rs, "SQLN2", "fail")
}

test_fci_sqlservername_unknown if {
	rs := fci.fci_sqlservername with input as fx.fci_set(["sql"], {})
	fx.only(rs, "SQLN1", "unknown")
	rs2 := fci.fci_sqlservername with input as json.patch(fx.healthy_fci, [{"op": "add", "path": ["nodes", "SQLN2", "collected"], "value": false}])
	fx.only(rs2, "SQLN2", "unknown")
}
