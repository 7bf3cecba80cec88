package ssis.test.master

import data.ssis.lib.certs
import data.ssis.lib.facts
import data.ssis.lib.master_fast as mf
import data.ssis.lib.names
import data.ssis.lib.sql
import data.ssis.rules.master
import data.ssis.test.fixtures as fx

# --- MASTER-INSTALLED-EVERY-NODE -----------------------------------------------

test_installed_pass if {
	fx.all_pass(master.master_installed_every_node) with input as fx.healthy
}

test_installed_fail_no_service if {
	inp := fx.remove(["nodes", "SQLN2", "services", "SSISScaleOutMaster150"])
	rs := master.master_installed_every_node with input as inp
	fx.only(rs, "SQLN2", "fail")
	fx.only(rs, "SQLN1", "pass")
	contains(fx.result(rs, "SQLN2").message, "SSISScaleOutMaster150")
}

test_installed_fail_no_config if {
	rs := master.master_installed_every_node with input as fx.set(["nodes", "SQLN2", "configs", "master"], null)
	fx.only(rs, "SQLN2", "fail")
	contains(fx.result(rs, "SQLN2").message, "MasterSettings.config")
}

test_installed_unknown if {
	rs := master.master_installed_every_node with input as fx.missing("SQLN2", "services")
	fx.only(rs, "SQLN2", "unknown")
	fx.result(rs, "SQLN2").missing == ["nodes/SQLN2/services: access is denied"]
}

test_installed_unknown_not_in_bundle if {
	rs := master.master_installed_every_node with input as fx.remove(["nodes", "SQLN2"])
	fx.only(rs, "SQLN2", "unknown")
	fx.result(rs, "SQLN2").missing == ["nodes/SQLN2: not in the bundle"]
}

# the pass-only body of each per-node rule gives what its general body gives:
# the rule equals itself with the common-case guard mocked false (every
# result then comes from the general body), on inputs with and without the
# common case
node_inputs := [
	fx.healthy,
	fx.not_collected("SQLN1"),
	fx.missing("SQLN2", "services"),
	fx.missing("SQLN2", "certs"),
	fx.missing("SQLN2", "registry"),
	fx.missing("SQLN2", "httpsys"),
	fx.missing("SQLN2", "firewall"),
	fx.set(["nodes", "SQLN2", "missing"], null),
	fx.remove(["nodes", "SQLN2", "services", "SSISScaleOutMaster150"]),
	fx.set(["nodes", "SQLN2", "services", "SSISScaleOutMaster150"], "x"),
	fx.set(["nodes", "SQLN1", "configs", "master"], null),
	fx.set(["nodes", "SQLN1", "configs", "master"], "x"),
	fx.parse_error("SQLN2", "master"),
	fx.remove(["nodes", "SQLN2"]),
	with_ca("SQLN2"),
	fx.remove(["deployment", "master_port"]),
	fx.remove(["deployment", "master_thumbprint"]),
]

never1(_) := false

never3(_, _, _) := false

never4(_, _, _, _) := false

# the inputs of each rule's own tests that make the common case fail in
# another way, and every input of node_inputs
rule_inputs := array.concat(node_inputs, [
	acct("SQLN2", "NT Service\\SSISScaleOutMaster150"),
	acct("SQLN2", "CONTOSO\\other"),
	acct("SQLN2", "contoso\\SVC-SSISMASTER"),
	acct("SQLN2", ""),
	cns("SQLN2", ["ssismaster", "sqln2"]),
	cns("SQLN2", ["SSISMASTER.contoso.com"]),
	fx.node_patch("SQLN2", {"httpsys": {"bindings": {"0.0.0.0:8391": {"certificate_hash": other_t, "store_name": "MY"}}}}),
	fx.node_patch("SQLN2", {"httpsys": {"bindings": {"0.0.0.0:8391": {"certificate_hash": lower(fx.mt), "store_name": "root"}}}}),
	fx.node_patch("SQLN2", {"httpsys": {"bindings": {"0.0.0.0:8391": {"certificate_hash": concat(" ", [fx.mt, ""]), "store_name": "Root"}}}}),
	fx.set(["nodes", "SQLN2", "httpsys", "bindings"], []),
	fx.node_patch("SQLN2", {"httpsys": {"bindings": {"0.0.0.0:8391": {"certificate_hash": fx.mt, "store_name": "My"}}}}),
	fx.node_patch("SQLN2", {"httpsys": {"bindings": {"0.0.0.0:8391": {"certificate_hash": fx.mt, "store_name": 1}}}}),
	sqlname("SQLN2", "SQLN1", "SQLN1", "", 0, false),
	sqlname("SQLN2", "aglsn,14330", "aglsn", "", 14330, true),
	sqlname("SQLN2", "AGLSN.contoso.com,1433", "AGLSN.contoso.com", "", 1433, true),
	sqlname("SQLN2", "aglsn.contoso.com\\I,1433", "aglsn.contoso.com", "I", 1433, true),
	sqlname("SQLN2", "aglsn.contoso.com", "aglsn.contoso.com", "", 0, false),
	fx.set(["deployment", "listener"], null),
	fx.set(["sql", "SQLN2", "queries", "server_principals", "rows", 2, "is_disabled"], true),
	fx.set(["sql", "SQLN2", "collected"], false),
	fx.remove(["deployment", "master_dns"]),
	fx.set(["deployment", "variant"], "fci"),
])

test_installed_fast_same_as_general if {
	every inp in rule_inputs {
		rs := master.master_installed_every_node with input as inp
		rs == master.master_installed_every_node with input as inp with master.installed_common as never3
		count(rs) == count(facts.master_nodes) with input as inp
	}
}

test_account_domain_fast_same_as_general if {
	every inp in rule_inputs {
		rs := master.master_account_domain with input as inp
		rs == master.master_account_domain with input as inp with master.domain_common as never1
	}
}

test_account_consistent_fast_same_as_general if {
	every inp in rule_inputs {
		rs := master.master_account_consistent with input as inp
		rs == master.master_account_consistent with input as inp with master.consistent_common as never4
	}
}

test_cert_cn_dns_fast_same_as_general if {
	every inp in rule_inputs {
		rs := master.master_cert_cn_dns with input as inp
		rs == master.master_cert_cn_dns with input as inp with master.cn_dns_common as never3
	}
}

test_httpsys_fast_same_as_general if {
	every inp in rule_inputs {
		rs := master.master_httpsys_binding with input as inp
		rs == master.master_httpsys_binding with input as inp with master.httpsys_fast as never1
	}
}

test_schannel_fast_same_as_general if {
	every inp in rule_inputs {
		rs := master.master_schannel_clientauth with input as inp
		rs == master.master_schannel_clientauth with input as inp with master.schannel_common as never2
	}
}

never2(_, _) := false

test_listener_fast_same_as_general if {
	every inp in rule_inputs {
		rs := master.master_cfg_sqlservername_listener with input as inp
		rs == master.master_cfg_sqlservername_listener with input as inp with master.listener_common as never4
	}
}

test_sql_login_fast_same_as_general if {
	every inp in rule_inputs {
		rs := master.master_account_sql_login with input as inp
		rs == master.master_account_sql_login with input as inp with master.sql_login_fast as never1
	}
}

test_cert_same_fast_same_as_general if {
	every inp in array.concat(rule_inputs, [
		fx.set(["nodes", "SQLN2", "configs", "master", "master", "thumbprint"], lower(fx.mt)),
		fx.set(["nodes", "SQLN2", "configs", "master", "master", "thumbprint"], other_t),
		fx.set(["nodes", "SQLN2", "configs", "master", "missing_keys"], ["SSLCertThumbprint"]),
	]) {
		rs := master.master_cert_same_all_nodes with input as inp
		rs == master.master_cert_same_all_nodes with input as inp with master.same_common as never4
	}
}

test_root_key_fast_same_as_general if {
	every inp in array.concat(rule_inputs, [
		fx.remove(["nodes", "SQLN2", "certs", "LocalMachine/Root", fx.mt]),
		fx.set(["nodes", "SQLN2", "certs", "LocalMachine/Root", fx.mt, "has_private_key"], false),
		fx.set(["nodes", "SQLN2", "certs", "LocalMachine/Root", fx.mt, "has_private_key"], null),
		fx.set(["nodes", "SQLN2", "certs", "LocalMachine/Root", fx.mt], "x"),
	]) {
		rs := master.master_cert_root_with_key with input as inp
		rs == master.master_cert_root_with_key with input as inp with master.root_key_common as never2
	}
}

test_port_master_fast_same_as_general if {
	every inp in array.concat(rule_inputs, [
		fx.node_patch("SQLN2", {"configs": {"master": {"master": {"port": 8392}}}}),
		fx.set(["nodes", "SQLN2", "configs", "master", "missing_keys"], ["PortNumber"]),
		props({"MASTER_ADDRESS": "https://ssismaster.contoso.com", "MASTER_SERVICE_PORT": "8392"}),
		fx.set(["sql", "SQLN1", "collected"], false),
	]) {
		rs := master.master_cfg_port_consistent with input as inp
		rs == master.master_cfg_port_consistent with input as inp with master.port_common as never4
	}
}

test_restart_fast_same_as_general if {
	every inp in array.concat(rule_inputs, [
		fx.set(["nodes", "SQLN1", "configs", "master", "last_write_ns"], 1895773600000000000),
		fx.remove(["nodes", "SQLN1", "configs", "master", "last_write_ns"]),
		fx.set(["nodes", "SQLN1", "services", "SSISScaleOutMaster150", "process_start_ns"], 0),
		fx.set(["nodes", "SQLN1", "services", "SSISScaleOutMaster150", "State"], "Stopped"),
	]) {
		rs := master.master_cfg_restart_applied with input as inp
		rs == master.master_cfg_restart_applied with input as inp with master.restart_common as never4
	}
}

# names.cert_has before its common case was checked first (the oracle).
cert_has_reference(cert, host) if {
	names.cert_has_host(cert, host)
} else := false

test_cert_has_same_as_reference if {
	every cert in [
		{"cns": ["ssismaster.contoso.com"]},
		{"cns": ["SSISMASTER.contoso.com."], "san_dns": []},
		{"cns": ["x"], "san_dns": ["ssismaster.contoso.com"]},
		{"cns": ["."], "san_dns": []},
		{"cns": [" ssismaster.contoso.com "]},
		{"cns": "ssismaster.contoso.com"},
		{"cns": {"a": "ssismaster.contoso.com"}},
		{"cns": [null, 5, "ssismaster"]},
		{"cns": null, "san_dns": ["ssismaster"]},
		{"cns": [5], "san_dns": [5]},
		{},
		null, "ssismaster.contoso.com", ["ssismaster.contoso.com"], 5,
	] {
		every dns in ["ssismaster.contoso.com", ".", "", "ssismaster", " ssismaster ", "SSISMASTER.", null, 5, ["ssismaster"]] {
			names.cert_has(cert, dns) == cert_has_reference(cert, dns)
		}
	}
}

test_validity_fast_same_as_general if {
	every inp in array.concat(rule_inputs, [
		fx.set(["bundle", "created_ns"], fx.created_ns + (400 * fx.day_ns)),
		fx.set(["bundle", "created_ns"], 1),
		fx.remove(["bundle", "created_ns"]),
		fx.remove(["nodes", "SQLN1", "certs", "LocalMachine/Root", fx.mt]),
		fx.set(["nodes", "SQLN2", "configs", "master", "master", "thumbprint"], other_t),
	]) {
		rs := master.master_cert_validity with input as inp
		rs == master.master_cert_validity with input as inp with master.validity_common as never2
	}
}

test_firewall_fast_same_as_general if {
	every inp in array.concat(rule_inputs, [
		fx.set(["nodes", "SQLN2", "firewall"], []),
		fx.set(["nodes", "SQLN2", "firewall"], null),
		fx.set(["nodes", "SQLN2", "firewall", 0, "Enabled"], false),
		fx.set(["nodes", "SQLN2", "configs", "master", "master", "port"], 0),
	]) {
		rs := master.master_firewall with input as inp
		rs == master.master_firewall with input as inp with master.firewall_fast as never1
	}
}

# the guards hold on the healthy fixture (the pass-only bodies are the ones
# that answer it)
test_common_guards_hold_when_healthy if {
	every name in ["SQLN1", "SQLN2"] {
		master.installed_common(name, mf.msvc[name], facts.master_cfg(name)) with input as fx.healthy
		master.domain_common(name) with input as fx.healthy
		master.schannel_common(name, []) with input as fx.healthy
	}
	every name in ["SQLN1", "SQLN2"] {
		master.httpsys_fast(name).thumb == fx.mt with input as fx.healthy
		master.firewall_fast(name).port == 8391 with input as fx.healthy
		master.sql_login_fast(name).accts == mf.sql_accounts with input as fx.healthy
	}
}

# --- MASTER-ACCOUNT-DOMAIN -------------------------------------------------------

acct(node, a) := fx.node_patch(node, {"services": {"SSISScaleOutMaster150": {"StartName": a}}})

test_account_domain_pass if {
	fx.all_pass(master.master_account_domain) with input as fx.healthy
}

test_account_domain_pass_gmsa_and_upn if {
	fx.all_pass(master.master_account_domain) with input as acct("SQLN2", "CONTOSO\\gmsa-ssis$")
	fx.all_pass(master.master_account_domain) with input as acct("SQLN2", "svc-ssis@contoso.com")
}

test_account_domain_fail_virtual if {
	rs := master.master_account_domain with input as acct("SQLN2", "NT Service\\SSISScaleOutMaster150")
	fx.only(rs, "SQLN2", "fail")
	r := fx.result(rs, "SQLN2")
	r.fix == {"id": "set-master-account", "target": "SQLN2", "params": {"service": "SSISScaleOutMaster150", "account": "CONTOSO\\svc-ssismaster"}}
	contains(r.message, "virtual")
}

test_account_domain_fail_other_kinds if {
	every a in ["LocalSystem", "NT AUTHORITY\\NetworkService", ".\\ssis", "SQLN2\\ssis", "sqln2\\ssis", "ssis"] {
		rs := master.master_account_domain with input as acct("SQLN2", a)
		fx.only(rs, "SQLN2", "fail")
	}
}

test_account_domain_unknown if {
	rs := master.master_account_domain with input as fx.not_collected("SQLN2")
	fx.only(rs, "SQLN2", "unknown")
}

# --- MASTER-ACCOUNT-CONSISTENT ---------------------------------------------------

test_account_consistent_pass_case_insensitive if {
	fx.all_pass(master.master_account_consistent) with input as acct("SQLN2", "contoso\\SVC-SSISMASTER")
}

test_account_consistent_fail if {
	rs := master.master_account_consistent with input as acct("SQLN2", "CONTOSO\\other")
	fx.only(rs, "SQLN2", "fail")
	fx.only(rs, "SQLN1", "pass")
	r := fx.result(rs, "SQLN2")
	r.expected == "CONTOSO\\svc-ssismaster"
	r.fix.params.account == "CONTOSO\\svc-ssismaster"
}

test_account_consistent_unknown if {
	rs := master.master_account_consistent with input as fx.missing("SQLN2", "services")
	fx.only(rs, "SQLN2", "unknown")
	fx.only(rs, "SQLN1", "pass")
}

# --- MASTER-CERT-CN-DNS ------------------------------------------------------------

cns(node, names) := fx.node_patch(node, {"certs": {"LocalMachine/Root": {fx.mt: {"cns": names, "san_dns": []}}}})

test_cert_cn_dns_pass if {
	fx.all_pass(master.master_cert_cn_dns) with input as fx.healthy
}

test_cert_cn_dns_pass_san if {
	inp := fx.node_patch("SQLN2", {"certs": {"LocalMachine/Root": {fx.mt: {"cns": ["SQLN2"], "san_dns": ["SSISMASTER.contoso.com"]}}}})
	fx.all_pass(master.master_cert_cn_dns) with input as inp
}

test_cert_cn_dns_fail_short_name_only if {
	rs := master.master_cert_cn_dns with input as cns("SQLN2", ["ssismaster", "sqln2"])
	fx.only(rs, "SQLN2", "fail")
	r := fx.result(rs, "SQLN2")
	r.fix.id == "renew-master-cert"
	r.fix.target == "SQLN1"
	r.fix.params == {"dns_name": "ssismaster.contoso.com", "port": "8391", "path": "C:\\Program Files\\Microsoft SQL Server\\150\\DTS\\Binn\\MasterSettings.config"}
}

test_cert_cn_dns_unknown_no_dns if {
	rs := master.master_cert_cn_dns with input as fx.set(["deployment", "master_dns"], "")
	fx.only(rs, "SQLN1", "unknown")
	fx.only(rs, "SQLN2", "unknown")
}

test_cert_cn_dns_unknown_parse_error if {
	rs := master.master_cert_cn_dns with input as fx.parse_error("SQLN2", "master")
	fx.only(rs, "SQLN2", "unknown")
	startswith(fx.result(rs, "SQLN2").missing[0], "nodes/SQLN2/files/MasterSettings.config: invalid character")
}

test_cert_cn_dns_not_on_fci if {
	count(master.master_cert_cn_dns) == 0 with input as fx.set(["deployment", "variant"], "fci")
}

# --- MASTER-CERT-SAME-ALL-NODES ------------------------------------------------------

other_t := "BB11BB22CC33DD44EE55FF66AA77BB88CC99DD00"

test_cert_same_pass if {
	fx.all_pass(master.master_cert_same_all_nodes) with input as fx.healthy
}

test_cert_same_pass_lower_case if {
	inp := fx.node_patch("SQLN2", {"configs": {"master": {"master": {"thumbprint": lower(fx.mt)}}}})
	fx.all_pass(master.master_cert_same_all_nodes) with input as inp
}

test_cert_same_fail if {
	inp := fx.node_patch("SQLN2", {"configs": {"master": {"master": {"thumbprint": other_t}}}})
	rs := master.master_cert_same_all_nodes with input as inp
	fx.only(rs, "SQLN2", "fail")
	fx.only(rs, "SQLN1", "pass")
	r := fx.result(rs, "SQLN2")
	r.fix == {"id": "import-master-cert", "target": "SQLN2", "params": {"thumbprint": fx.mt, "source_node": "SQLN1", "store": "Root"}}
	r.evidence == [{"artifact": "nodes/SQLN2/files/MasterSettings.config", "key": "SSLCertThumbprint", "line": 3}]
}

test_cert_same_unknown if {
	rs := master.master_cert_same_all_nodes with input as fx.parse_error("SQLN2", "master")
	fx.only(rs, "SQLN2", "unknown")
	fx.only(rs, "SQLN1", "pass")
}

# --- MASTER-CERT-ROOT-WITH-KEY --------------------------------------------------------

test_root_key_pass if {
	fx.all_pass(master.master_cert_root_with_key) with input as fx.healthy
}

test_root_key_fail_no_key if {
	inp := fx.node_patch("SQLN2", {"certs": {"LocalMachine/Root": {fx.mt: {"has_private_key": false}}}})
	rs := master.master_cert_root_with_key with input as inp
	fx.only(rs, "SQLN2", "fail")
	r := fx.result(rs, "SQLN2")
	contains(r.message, "without its private key")
	r.fix.params.source_node == "SQLN1"
}

test_root_key_fail_absent if {
	rs := master.master_cert_root_with_key with input as fx.remove(["nodes", "SQLN2", "certs", "LocalMachine/Root", fx.mt])
	fx.only(rs, "SQLN2", "fail")
	contains(fx.result(rs, "SQLN2").message, "does not have")
}

test_root_key_unknown_store if {
	rs := master.master_cert_root_with_key with input as fx.missing("SQLN2", "certs/LocalMachine/Root")
	fx.only(rs, "SQLN2", "unknown")
}

test_root_key_unknown_sidecar if {
	inp := fx.node_patch("SQLN2", {"certs": {"LocalMachine/Root": {fx.mt: {"has_private_key": null, "sidecar_missing": true}}}})
	rs := master.master_cert_root_with_key with input as inp
	fx.only(rs, "SQLN2", "unknown")
	contains(fx.result(rs, "SQLN2").missing[0], "sidecar")
}

# --- MASTER-CERT-VALIDITY -------------------------------------------------------------

expiry(ns) := fx.patch({"nodes": {n: {"certs": {"LocalMachine/Root": {fx.mt: {"not_after_ns": ns, "not_after": "X"}}}} | some n in ["SQLN1", "SQLN2", "WRK1", "WRK2"]}})

test_validity_pass if {
	fx.all_pass(master.master_cert_validity) with input as fx.healthy
}

test_validity_fail_expired_critical if {
	rs := master.master_cert_validity with input as expiry(fx.created_ns - fx.day_ns)
	fx.only(rs, "SQLN1", "fail")
	r := fx.result(rs, "SQLN1")
	r.severity == "critical"
	r.subject == {"kind": "certificate", "node": "SQLN1", "object": sprintf("cert:%s", [fx.mt])}
	r.fix.id == "renew-master-cert"
}

test_validity_fail_expiring_high if {
	rs := master.master_cert_validity with input as expiry(fx.created_ns + (10 * fx.day_ns))
	fx.only(rs, "SQLN1", "fail")
	fx.result(rs, "SQLN1").severity == "high"
}

test_validity_pass_31_days if {
	fx.all_pass(master.master_cert_validity) with input as expiry(fx.created_ns + (31 * fx.day_ns))
}

test_validity_unknown_no_cert if {
	inp := json.patch(fx.healthy, [{"op": "add", "path": ["nodes", n, "certs", "LocalMachine/Root"], "value": {}} | some n in ["SQLN1", "SQLN2", "WRK1", "WRK2"]])
	rs := master.master_cert_validity with input as inp
	fx.one_per_subject(rs)
	[r.status | some r in rs] == ["unknown"]
}

test_validity_unknown_no_time if {
	rs := master.master_cert_validity with input as fx.set(["bundle", "created_ns"], 0)
	fx.only(rs, "SQLN1", "unknown")
}

test_validity_each_thumbprint if {
	inp := fx.node_patch("SQLN2", {"configs": {"master": {"master": {"thumbprint": other_t}}}})
	rs := master.master_cert_validity with input as inp
	fx.one_per_subject(rs)
	count(rs) == 2
}

# --- MASTER-HTTPSYS-BINDING ------------------------------------------------------------

test_httpsys_pass if {
	fx.all_pass(master.master_httpsys_binding) with input as fx.healthy
}

test_httpsys_fail_wrong_hash_and_store if {
	inp := fx.node_patch("SQLN2", {"httpsys": {"bindings": {"0.0.0.0:8391": {"certificate_hash": other_t, "store_name": "MY"}}}})
	rs := master.master_httpsys_binding with input as inp
	fx.only(rs, "SQLN2", "fail")
	r := fx.result(rs, "SQLN2")
	r.fix == {"id": "bind-master-port", "target": "SQLN2", "params": {"port": 8391, "thumbprint": fx.mt, "app_id": "{5B5A9D9B-1A8D-4C5E-9D34-8B9E2F1C7A10}"}}
	contains(r.message, "not Root")
	r.evidence[0].line == 5
}

test_httpsys_fail_no_binding if {
	rs := master.master_httpsys_binding with input as fx.set(["nodes", "SQLN2", "httpsys", "bindings"], {})
	fx.only(rs, "SQLN2", "fail")
	fx.result(rs, "SQLN2").fix.params.app_id == ""
}

test_httpsys_unknown if {
	rs := master.master_httpsys_binding with input as fx.missing("SQLN2", "httpsys")
	fx.only(rs, "SQLN2", "unknown")
}

# --- MASTER-SCHANNEL-CLIENTAUTH ---------------------------------------------------------

with_ca(node) := fx.node_patch(node, {"certs": {"LocalMachine/Root": {fx.ca_t: fx.ca_cert}}})

test_schannel_pass_self_signed_only if {
	inp := fx.set(["nodes", "SQLN2", "registry"], {})
	fx.all_pass(master.master_schannel_clientauth) with input as inp
}

test_schannel_pass_with_ca_and_settings if {
	fx.all_pass(master.master_schannel_clientauth) with input as with_ca("SQLN2")
}

test_schannel_fail if {
	inp := json.patch(with_ca("SQLN2"), [{"op": "add", "path": ["nodes", "SQLN2", "registry", fx.schannel_key], "value": {"SendTrustedIssuerList": 1}}])
	rs := master.master_schannel_clientauth with input as inp
	fx.only(rs, "SQLN2", "fail")
	fx.result(rs, "SQLN2").fix == {"id": "set-schannel-clientauth", "target": "SQLN2", "params": {}}
}

test_schannel_unknown_registry if {
	inp := object.union(with_ca("SQLN2"), {"nodes": {"SQLN2": {"missing": {"registry": "access is denied"}}}})
	rs := master.master_schannel_clientauth with input as inp
	fx.only(rs, "SQLN2", "unknown")
}

test_schannel_unknown_root if {
	rs := master.master_schannel_clientauth with input as fx.missing("SQLN1", "certs")
	fx.only(rs, "SQLN1", "unknown")
}

# certs.non_self_signed_roots enumerates the store by st[t]: the same as a
# scan of its (key, certificate) pairs
test_non_self_signed_roots_same_as_scan if {
	every inp in [
		fx.healthy,
		with_ca("SQLN2"),
		fx.set(["nodes", "SQLN1", "certs", "LocalMachine/Root", "X"], "not an object"),
		fx.set(["nodes", "SQLN1", "certs", "LocalMachine/Root", "Y"], {"self_signed": "false"}),
		fx.set(["nodes", "SQLN1", "certs", "LocalMachine/Root"], [fx.ca_cert]),
		fx.set(["nodes", "SQLN2", "certs", "LocalMachine/Root"], null),
		fx.remove(["nodes", "SQLN2"]),
	] {
		every name in ["SQLN1", "SQLN2"] {
			certs.non_self_signed_roots(name) == sort([t |
				st := input.nodes[name].certs["LocalMachine/Root"]
				is_object(st)
				some t, c in st
				c.self_signed == false
			]) with input as inp
		}
	}
	certs.non_self_signed_roots("SQLN2") == [fx.ca_t] with input as with_ca("SQLN2")
}

# --- MASTER-TRUSTS-EVERY-WORKER -----------------------------------------------------------

test_trusts_workers_pass if {
	rs := master.master_trusts_every_worker with input as fx.healthy
	fx.all_pass(rs)
	count(rs) == 4
}

test_trusts_workers_fail if {
	rs := master.master_trusts_every_worker with input as fx.remove(["nodes", "SQLN2", "certs", "LocalMachine/Root", fx.w2t])
	fx.one_per_subject(rs)
	[r.subject.object | some r in rs; r.status == "fail"] == ["worker:WRK2"]
	some r in rs
	r.status == "fail"
	r.subject.node == "SQLN2"
	r.fix == {"id": "trust-worker-cert", "target": "SQLN2", "params": {"thumbprint": fx.w2t, "worker": "WRK2", "cer_path": ""}}
}

test_trusts_workers_unknown_worker if {
	rs := master.master_trusts_every_worker with input as fx.not_collected("WRK1")
	fx.one_per_subject(rs)
	{r.subject.node | some r in rs; r.status == "unknown"} == {"SQLN1", "SQLN2"}
	{r.subject.object | some r in rs; r.status == "unknown"} == {"worker:WRK1"}
}

# --- MASTER-FIREWALL ------------------------------------------------------------------------

test_firewall_pass if {
	fx.all_pass(master.master_firewall) with input as fx.healthy
}

test_firewall_pass_range if {
	inp := fx.set(["nodes", "SQLN2", "firewall"], [{"DisplayName": "range", "Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": ["8000-9000"]}])
	fx.all_pass(master.master_firewall) with input as inp
}

test_firewall_fail_disabled if {
	inp := fx.set(["nodes", "SQLN2", "firewall"], [{"DisplayName": "SSIS Scale Out Master", "Enabled": false, "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": ["8391"]}])
	rs := master.master_firewall with input as inp
	fx.only(rs, "SQLN2", "fail")
	fx.result(rs, "SQLN2").fix == {"id": "add-firewall-rule", "target": "SQLN2", "params": {"port": 8391, "display_name": "SSIS Scale Out Master"}}
}

test_firewall_unknown if {
	rs := master.master_firewall with input as fx.missing("SQLN2", "firewall")
	fx.only(rs, "SQLN2", "unknown")
}

# --- MASTER-CFG-SQLSERVERNAME-LISTENER ----------------------------------------------------------

sqlname(node, raw, host, inst, port, has) := fx.node_patch(node, {"configs": {"master": {"master": {"sql_server": {"raw": raw, "host": host, "instance": inst, "port": port, "has_port": has}}}}})

test_sqlservername_pass if {
	fx.all_pass(master.master_cfg_sqlservername_listener) with input as fx.healthy
}

test_sqlservername_pass_short_name_default_port if {
	fx.all_pass(master.master_cfg_sqlservername_listener) with input as sqlname("SQLN2", "AGLSN", "AGLSN", "", 0, false)
}

test_sqlservername_fail_replica if {
	rs := master.master_cfg_sqlservername_listener with input as sqlname("SQLN2", "SQLN1", "SQLN1", "", 0, false)
	fx.only(rs, "SQLN2", "fail")
	r := fx.result(rs, "SQLN2")
	r.fix == {"id": "set-master-config", "target": "SQLN2", "params": {"path": "C:\\Program Files\\Microsoft SQL Server\\150\\DTS\\Binn\\MasterSettings.config", "key": "SqlServerName", "value": "aglsn.contoso.com,1433"}}
	r.evidence == [{"artifact": "nodes/SQLN2/files/MasterSettings.config", "key": "SqlServerName", "line": 4}]
}

test_sqlservername_fail_port if {
	rs := master.master_cfg_sqlservername_listener with input as sqlname("SQLN2", "aglsn,14330", "aglsn", "", 14330, true)
	fx.only(rs, "SQLN2", "fail")
}

test_sqlservername_unknown_no_listener if {
	rs := master.master_cfg_sqlservername_listener with input as fx.set(["deployment", "listener"], null)
	fx.only(rs, "SQLN1", "unknown")
	fx.result(rs, "SQLN1").missing == ["deployment.listener: not declared, and no SSISDB availability group listener was found in the AG DMVs"]
}

test_sqlservername_unknown_parse if {
	rs := master.master_cfg_sqlservername_listener with input as fx.parse_error("SQLN1", "master")
	fx.only(rs, "SQLN1", "unknown")
}

# --- MASTER-CFG-PORT-CONSISTENT -------------------------------------------------------------------

test_port_pass if {
	rs := master.master_cfg_port_consistent with input as fx.healthy
	fx.all_pass(rs)
	count(rs) == 6
}

test_port_fail_master_node if {
	rs := master.master_cfg_port_consistent with input as fx.node_patch("SQLN2", {"configs": {"master": {"master": {"port": 8392}}}})
	fx.one_per_subject(rs)
	[r.subject.node | some r in rs; r.status == "fail"] == ["SQLN2"]
	some r in rs
	r.status == "fail"
	r.fix.params == {"path": "C:\\Program Files\\Microsoft SQL Server\\150\\DTS\\Binn\\MasterSettings.config", "key": "PortNumber", "value": "8391"}
}

test_port_fail_worker if {
	rs := master.master_cfg_port_consistent with input as fx.node_patch("WRK1", {"configs": {"worker": {"worker": {"master_endpoint": {"port": 8392, "raw": "https://ssismaster.contoso.com:8392"}}}}})
	r := fx.result(rs, "WRK1")
	r.status == "fail"
	r.fix == {"id": "set-worker-config", "target": "WRK1", "params": {
		"path": "C:\\Program Files\\Microsoft SQL Server\\150\\DTS\\Binn\\WorkerSettings.config",
		"key": "MasterEndpoint", "value": "https://ssismaster.contoso.com:8391", "service": "SSISScaleOutWorker150",
	}}
}

props(kv) := fx.set(["sql", "SQLN1", "queries", "ssisdb_master_properties", "rows"], [{"property_name": k, "property_value": v} | some k, v in kv])

test_port_fail_ssisdb if {
	rs := master.master_cfg_port_consistent with input as props({"MASTER_ADDRESS": "https://ssismaster.contoso.com", "MASTER_SERVICE_PORT": "8392"})
	fx.one_per_subject(rs)
	fails := {r.subject.object: r.fix.id | some r in rs; r.status == "fail"}
	fails == {"catalog.master_properties/MASTER_ADDRESS": "sql-update-master-address", "catalog.master_properties/MASTER_SERVICE_PORT": "restart-master"}
}

test_port_unknown_sql_and_master if {
	inp := json.patch(fx.parse_error("SQLN2", "master"), [{"op": "add", "path": ["sql", "SQLN1", "missing"], "value": {"ssisdb_master_properties": "permission denied"}}])
	rs := master.master_cfg_port_consistent with input as inp
	fx.one_per_subject(rs)
	{r.subject.object: r.status | some r in rs; r.status == "unknown"} == {
		"MasterSettings.config/PortNumber": "unknown",
		"catalog.master_properties/MASTER_ADDRESS": "unknown",
		"catalog.master_properties/MASTER_SERVICE_PORT": "unknown",
	}
	count([r | some r in rs; r.status == "unknown"]) == 3
}

# --- MASTER-CFG-RESTART-APPLIED ----------------------------------------------------------------------

test_restart_pass if {
	rs := master.master_cfg_restart_applied with input as fx.healthy
	fx.all_pass(rs)
	count(rs) == 1
}

test_restart_fail if {
	inp := fx.node_patch("SQLN1", {"configs": {"master": {"last_write_ns": 1795165900000000000}}})
	rs := master.master_cfg_restart_applied with input as inp
	fx.only(rs, "SQLN1", "fail")
	fx.result(rs, "SQLN1").fix == {"id": "restart-master", "target": "SQLN1", "params": {"resource": "SSIS Scale Out Master", "service": "SSISScaleOutMaster150"}}
}

test_restart_unknown_active_not_collected if {
	rs := master.master_cfg_restart_applied with input as fx.not_collected("SQLN1")
	fx.only(rs, "SQLN1", "unknown")
}

test_restart_unknown_no_start_time if {
	rs := master.master_cfg_restart_applied with input as fx.node_patch("SQLN1", {"services": {"SSISScaleOutMaster150": {"process_start_ns": 0}}})
	fx.only(rs, "SQLN1", "unknown")
}

# --- MASTER-ACCOUNT-SQL-LOGIN -------------------------------------------------------------------------

inst_status(rs, inst) := {r.status | some r in rs; r.subject.instance == inst}

test_sql_login_pass if {
	fx.all_pass(master.master_account_sql_login) with input as fx.healthy
	fx.all_pass(master.master_account_sql_login) with input as acct("SQLN2", "contoso\\SVC-SSISMASTER")
}

test_sql_login_fail_missing if {
	rs := master.master_account_sql_login with input as acct("SQLN2", "CONTOSO\\svc-other")
	inst_status(rs, "SQLN1") == {"fail"}
	inst_status(rs, "SQLN2") == {"fail"}
	fx.result(rs, "SQLN2").fix == {"id": "sql-create-windows-login", "target": "SQLN2", "params": {"login": "CONTOSO\\svc-other"}}
}

test_sql_login_fail_disabled if {
	rs := master.master_account_sql_login with input as fx.set(["sql", "SQLN2", "queries", "server_principals", "rows", 2, "is_disabled"], true)
	inst_status(rs, "SQLN2") == {"fail"}
	fx.result(rs, "SQLN2").fix.id == "sql-enable-login"
}

test_sql_login_unknown if {
	rs := master.master_account_sql_login with input as fx.missing("SQLN2", "services")
	inst_status(rs, "SQLN1") == {"unknown"}
	rs2 := master.master_account_sql_login with input as fx.set(["sql", "SQLN2", "collected"], false)
	inst_status(rs2, "SQLN2") == {"unknown"}
}

# --- lib/master_fast and the certs precomputation: the fast paths give what the
# helpers they stand for give -------------------------------------------------------------------

fast_inputs := [
	fx.healthy,
	fx.not_collected("WRK1"),
	fx.missing("WRK2", "files"),
	fx.parse_error("WRK1", "worker"),
	fx.node_patch("WRK1", {"configs": {"worker": {"missing_keys": ["MasterEndpoint"], "lines": {}, "artifact": ""}}}),
	fx.set(["nodes", "WRK2", "configs", "worker"], null),
	fx.set(["nodes", "WRK1", "configs", "worker", "worker", "worker_thumbprint"], ""),
	fx.remove(["nodes", "WRK2"]),
	fx.remove(["deployment", "master_port"]),
]

test_fast_worker_port_same_as_helpers if {
	every inp in array.concat(fast_inputs, port_inputs) {
		fast := {w: {"missing": facts.master_port_missing, "ep": mf.worker_endpoint(w), "port": wf.port, "ev": wf.pev} | some w, wf in mf.wfast} with input as inp
		rest := mf.worker_port_rest with input as inp
		count(fast) + count(rest) == count(facts.worker_nodes) with input as inp
		object.union(fast, rest) == worker_port_want with input as inp
	}
}

# what MASTER-CFG-PORT-CONSISTENT reads of each worker's MasterEndpoint, by
# the facts helpers (the oracle of mf.wfast and mf.worker_port_rest)
worker_port_want := {w: {
	"missing": facts.first_missing([
		facts.worker_cfg_missing(w),
		facts.key_missing(w, "WorkerSettings.config", facts.worker_cfg(w), "MasterEndpoint"),
		facts.master_port_missing,
	]),
	"ep": facts.get(facts.worker_cfg(w), ["worker", "master_endpoint"], null),
	"port": facts.get(facts.get(facts.worker_cfg(w), ["worker", "master_endpoint"], null), "port", 0),
	"ev": facts.worker_ev(w, "MasterEndpoint"),
} |
	some w in facts.worker_nodes
}

port_inputs := [
	fx.node_patch("WRK1", {"configs": {"worker": {"worker": {"master_endpoint": {"port": 8392, "raw": "https://ssismaster.contoso.com:8392"}}}}}),
	fx.set(["nodes", "WRK1", "configs", "worker", "worker", "master_endpoint"], "https://x"),
	fx.set(["nodes", "WRK1", "configs", "worker", "lines", "MasterEndpoint"], 0),
	fx.set(["nodes", "WRK2", "configs", "worker", "worker", "worker_thumbprint"], "22:22"),
	fx.set(["nodes", "WRK2", "missing"], []),
	fx.set(["deployment", "master_port"], 8392),
	fx.set(["nodes", "WRK2", "configs", "worker", "worker", "master_endpoint", "port"], "8391"),
	fx.set(["deployment", "worker_nodes"], ["WRK1", "WRK\n2"]),
	fx.set(["deployment", "worker_nodes"], []),
]

# the worker results of MASTER-CFG-PORT-CONSISTENT as its general bodies
# made them from worker_port_want (before mf.wfast)
port_worker_results := {r |
	ref := facts.master_port
	some w, wp in worker_port_want
	r := port_worker_reference(w, wp, ref)
}

port_worker_reference(w, wp, ref) := {
	"rule": "MASTER-CFG-PORT-CONSISTENT",
	"status": "unknown",
	"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterEndpoint"},
	"message": sprintf("%s: the MasterEndpoint port could not be compared. Missing: %s.", [w, concat("; ", wp.missing)]),
	"observed": null,
	"expected": ref,
	"missing": wp.missing,
	"evidence": [wp.ev],
	"fix": null,
} if {
	count(wp.missing) > 0
} else := {
	"rule": "MASTER-CFG-PORT-CONSISTENT",
	"status": "pass",
	"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterEndpoint"},
	"message": sprintf("%s: MasterEndpoint uses port %d, the master port.", [w, wp.port]),
	"observed": wp.port,
	"expected": ref,
	"missing": [],
	"evidence": [wp.ev],
	"fix": null,
} if {
	wp.port == ref
} else := {
	"rule": "MASTER-CFG-PORT-CONSISTENT",
	"status": "fail",
	"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterEndpoint"},
	"message": sprintf("%s: MasterEndpoint %s uses port %d, but the master listens on %d.", [w, facts.get(wp.ep, "raw", ""), wp.port, ref]),
	"observed": wp.port,
	"expected": ref,
	"missing": [],
	"evidence": [wp.ev],
	"fix": {"id": "set-worker-config", "target": w, "params": {
		"path": facts.cfg_path(facts.worker_cfg(w), "WorkerSettings.config"), "key": "MasterEndpoint",
		"value": sprintf("https://%s:%d", [facts.get(wp.ep, "host", facts.master_dns), ref]),
		"service": facts.worker_service_name(w),
	}},
}

test_port_worker_results_same_as_general_bodies if {
	every inp in array.concat(fast_inputs, port_inputs) {
		got := {r | some r in master.master_cfg_port_consistent; r.subject.kind == "worker"} with input as inp
		got == port_worker_results with input as inp
	}
}

test_fast_worker_trust_same_as_helpers if {
	every inp in trust_inputs {
		{w: {"thumb": wi.thumb, "missing": object.get(wi, "missing", []), "ev": wi.ev} | some w, wi in mf.trust_workers} == worker_trust_want with input as inp
		count(mf.trust_known) + count(mf.trust_unknown) == count(mf.trust_workers) with input as inp
	}
}

# per worker node its certificate's normalized thumbprint, why that is
# unknown, and the evidence, by the facts helpers (the oracle of
# mf.trust_known and mf.trust_unknown)
worker_trust_want := {w: {
	"thumb": t,
	"missing": facts.first_missing([
		facts.worker_cfg_missing(w),
		facts.key_missing(w, "WorkerSettings.config", facts.worker_cfg(w), "WorkerHttpsCertThumbprint"),
		facts.missing_if(t == "", sprintf("nodes/%s/files/WorkerSettings.config: WorkerHttpsCertThumbprint is empty", [w])),
	]),
	"ev": facts.worker_ev(w, "WorkerHttpsCertThumbprint"),
} |
	some w in facts.worker_nodes
	t := certs.norm_thumb(facts.str(facts.get(facts.worker_cfg(w), ["worker", "worker_thumbprint"], "")))
}

test_fast_master_maps_same_as_helpers if {
	every inp in array.concat(fast_inputs, [
		fx.missing("SQLN2", "services"), fx.remove(["nodes", "SQLN2", "services", "SSISScaleOutMaster150"]), fx.set(["deployment", "active_master_node"], "WRK1"),
		fx.parse_error("SQLN2", "master"), fx.set(["nodes", "SQLN1", "configs", "master"], null),
		fx.set(["nodes", "SQLN2", "services", "SSISScaleOutMaster140"], {"Name": "SSISScaleOutMaster140", "kind": "master"}),
		fx.set(["nodes", "SQLN2", "services", "AAA"], {"Name": "AAA", "kind": "Master"}),
	]) {
		mf.msvc_missing == {n: facts.service_missing(n, "master") | some n in facts.master_nodes} with input as inp
		mf.macct == {n: facts.master_account(n) | some n in facts.master_nodes} with input as inp
		mf.sql_accounts == facts.master_sql_accounts with input as inp
		mf.msvc == {n: facts.service(n, "master") | some n in facts.master_nodes} with input as inp
		mf.mcfg_missing == {n: facts.master_cfg_missing(n) | some n in facts.master_nodes} with input as inp
		mf.mkind == {n: names.account_kind(facts.master_account(n), n) | some n in facts.master_nodes} with input as inp
		mf.acct_refs == [[n, a] | some n in facts.master_nodes_ref_first; a := facts.master_account(n); a != ""] with input as inp
		{n | some n in facts.master_nodes; mf.restart_applies(n)} == {n | some n in facts.master_nodes; facts.restart_applies(n)} with input as inp
		[certs.locate(t) | some t in [fx.mt, fx.w2t, "00"]] == [locate_slow(t) | some t in [fx.mt, fx.w2t, "00"]] with input as inp
	}
}

# certs.locate without its first-node shortcut.
locate_slow(thumb) := l if {
	ls := [{"node": n, "store": store, "cert": c} |
		some n in array.concat(facts.master_nodes, sort(object.keys(facts.obj(facts.get(input, "nodes", {})))))
		some store in ["LocalMachine/Root", "LocalMachine/My"]
		c := certs.in_store(facts.node(n), store, thumb)
	]
	count(ls) > 0
	l := ls[0]
} else := null

# names.account_kind before its common case was checked first (the oracle).
account_kind_reference(account, host) := "system" if {
	names.canon_account(account) == "nt authority\\system"
} else := "virtual" if {
	startswith(lower(trim_space(account)), "nt service\\")
} else := "system" if {
	startswith(lower(trim_space(account)), "nt authority\\")
} else := "local" if {
	startswith(trim_space(account), ".\\")
} else := "local" if {
	parts := split(trim_space(account), "\\")
	count(parts) == 2
	upper(parts[0]) in {"BUILTIN", upper(names.short_name(host))}
} else := "domain" if {
	parts := split(trim_space(account), "\\")
	count(parts) == 2
	parts[0] != ""
	parts[1] != ""
} else := "domain" if {
	parts := split(trim_space(account), "@")
	count(parts) == 2
	parts[0] != ""
	contains(parts[1], ".")
} else := "unqualified"

test_account_kind_same_as_reference if {
	every a in [
		"CONTOSO\\svc-ssismaster", "contoso\\gmsa$", " CONTOSO\\x", "CONTOSO\\x ", "CONTOSO\\", "\\x", "NT Service\\SSISScaleOutMaster150",
		"nt service\\x", "NT  Service\\x", "NT AUTHORITY\\SYSTEM", "NT AUTHORITY\\NetworkService", ".\\LocalSystem", ".\\x", "BUILTIN\\x",
		"builtin\\x", "SQLN1\\admin", "sqln1\\admin", "sqln1.contoso.com\\admin", "A\\B\\C", "LocalSystem", "system", "x@contoso.com", "x", "",
		"\tCONTOSO\\x", null, 5, true, ["CONTOSO\\x"], {"a": "CONTOSO\\x"},
	] {
		every host in ["SQLN1", "sqln1.contoso.com", "SQLN1.", " sqln1 ", "", "contoso", null, 5, ["SQLN1"]] {
			names.account_kind(a, host) == account_kind_reference(a, host)
		}
	}
	names.account_kind("CONTOSO\\svc-ssismaster", "SQLN1") == "domain"
	names.account_kind("SQLN1\\admin", "sqln1.contoso.com") == "local"
}

test_fast_cfg_ev_and_key_missing if {
	cfg := {"artifact": "a", "lines": {"PortNumber": 2}, "missing_keys": []}
	facts.cfg_ev("N", "MasterSettings.config", cfg, "PortNumber") == {"artifact": "a", "key": "PortNumber", "line": 2}
	facts.cfg_ev("N", "MasterSettings.config", cfg, "SqlServerName") == {"artifact": "a", "key": "SqlServerName"}
	facts.cfg_ev("N", "MasterSettings.config", {"artifact": ""}, "PortNumber") == {"artifact": "nodes/N/files/MasterSettings.config", "key": "PortNumber"}
	facts.key_missing("N", "MasterSettings.config", cfg, "PortNumber") == []
	bad := {"artifact": "a", "missing_keys": ["portnumber"]}
	facts.key_missing("N", "MasterSettings.config", bad, "PortNumber") == ["a: PortNumber is absent or empty"]
}

# configuration objects as hand-written facts may hold them (odd types included)
odd_cfgs := [
	null, {}, [], "x", 5, true,
	{"missing_keys": []}, {"missing_keys": null}, {"missing_keys": ""}, {"missing_keys": "PortNumber"},
	{"missing_keys": 3}, {"missing_keys": {}}, {"missing_keys": {"PortNumber": true}},
	{"missing_keys": ["portnumber"]}, {"artifact": "a", "missing_keys": ["PORTNUMBER", "x"]},
	{"artifact": "", "missing_keys": ["PortNumber"]}, {"artifact": 7, "missing_keys": ["PortNumber"]},
	{"artifact": "a", "missing_keys": [null, 1, ["PortNumber"], "SqlServerName"]},
	{"artifact": "a", "lines": {"PortNumber": 2}, "missing_keys": []},
	{"artifact": "a", "lines": {"PortNumber": 0, "SqlServerName": "3"}},
	{"artifact": "", "lines": {"PortNumber": 2}}, {"artifact": null, "lines": {"PortNumber": 2}},
	{"lines": {"PortNumber": 2}}, {"artifact": "a", "lines": null}, {"artifact": "a", "lines": [2]},
	{"artifact": "a", "lines": "PortNumber"}, {"artifact": "a", "lines": {"PortNumber": null}},
	{"artifact": "a", "lines": {"PortNumber": -1}}, {"artifact": ["a"], "lines": {"PortNumber": 2.5}},
]

odd_keys := ["PortNumber", "SqlServerName", "", 5, null]

# facts.key_missing before its common case was checked first (the oracle).
key_missing_reference(name, file, cfg, key) := [sprintf("%s: %s is absent or empty", [facts.cfg_artifact(name, file, cfg), key])] if {
	ks := cfg.missing_keys
	is_array(ks)
	some k in ks
	lower(k) == lower(key)
} else := []

# facts.cfg_ev before its common case was checked first (the oracle).
cfg_ev_reference(name, file, cfg, key) := {"artifact": facts.cfg_artifact(name, file, cfg), "key": key, "line": line} if {
	lines := cfg.lines
	is_object(lines)
	line := lines[key]
	line > 0
} else := {"artifact": facts.cfg_artifact(name, file, cfg), "key": key}

test_cfg_ev_same_as_reference if {
	every cfg in array.concat(odd_cfgs, [{"artifact": "a", "lines": {"5": 2}}, {"artifact": "a", "lines": [1, 2, 3, 4, 5, 6]}]) {
		every key in odd_keys {
			facts.cfg_ev("N", "MasterSettings.config", cfg, key) == cfg_ev_reference("N", "MasterSettings.config", cfg, key)
		}
	}
}

# facts.worker_ev before its common case was read by reference (the oracle).
worker_ev_reference(name, key) := cfg_ev_reference(name, "WorkerSettings.config", facts.worker_cfg(name), key)

test_worker_ev_same_as_reference if {
	every inp in array.concat(
		[{"nodes": {"N": {"configs": {"worker": cfg}}}} | some cfg in odd_cfgs],
		[{}, {"nodes": null}, {"nodes": {"N": null}}, {"nodes": {"N": {"configs": null}}}, {"nodes": {"N": {"configs": {"master": {"artifact": "a", "lines": {"PortNumber": 2}}}}}}],
	) {
		every key in odd_keys {
			facts.worker_ev("N", key) == worker_ev_reference("N", key) with input as inp
		}
	}
}

# facts.master_cfg_missing before its common case was read by reference (the oracle).
master_cfg_missing_reference(name) := facts.cfg_missing(name, "MasterSettings.config", facts.master_cfg(name))

test_master_cfg_missing_same_as_reference if {
	every nd in array.concat(
		[{"collected": true, "missing": {}, "configs": {"master": cfg}} | some cfg in odd_cfgs],
		[
			null, {}, "x", {"collected": true}, {"collected": "true", "missing": {}}, {"collected": false, "error": "boom"},
			{"collected": true, "missing": {"files": "gone"}, "configs": {"master": {"parse_error": ""}}},
			{"collected": true, "missing": {"files/MasterSettings.config": "gone"}, "configs": {"master": {"parse_error": ""}}},
			{"collected": true, "missing": [], "configs": {"master": {"parse_error": ""}}},
			{"collected": true, "missing": "", "configs": {"master": {"parse_error": ""}}},
			{"collected": true, "missing": "x", "configs": {"master": {"parse_error": ""}}},
			{"collected": true, "missing": null, "configs": {"master": {"parse_error": ""}}},
			{"collected": true, "missing": 0, "configs": {"master": {"parse_error": ""}}},
			{"collected": true, "configs": {"master": {"parse_error": ""}}},
			{"collected": true, "missing": {}, "configs": null},
			{"collected": true, "missing": {}, "configs": {"master": {"parse_error": "bad", "artifact": "a"}}},
			{"collected": true, "missing": {}, "configs": {"master": {"parse_error": null}}},
			{"collected": true, "missing": {}, "configs": {"master": {"parse_error": ""}, "worker": null}},
		],
	) {
		facts.master_cfg_missing("N") == master_cfg_missing_reference("N") with input as {"nodes": {"N": nd}}
	}
	every inp in [{}, {"nodes": null}, {"nodes": []}, {"nodes": {"M": {}}}] {
		facts.master_cfg_missing("N") == master_cfg_missing_reference("N") with input as inp
	}
}

test_key_missing_same_as_reference if {
	every cfg in odd_cfgs {
		every key in odd_keys {
			facts.key_missing("N", "MasterSettings.config", cfg, key) == key_missing_reference("N", "MasterSettings.config", cfg, key)
		}
	}
}

fw_rules := [
	{"Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": ["8391"]},
	{"Enabled": "True", "Direction": "1", "Action": "2", "Protocol": "6", "LocalPort": [" 8391 "]},
	{"Enabled": 1, "Direction": "inbound", "Action": "allow", "LocalPort": ["8000-9000"]},
	{"Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": 6, "LocalPort": ["Any"]},
	{"Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": ["08391", "80"]},
	{"Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": ["8391.0", "+8391", "1e3", 8391]},
	{"Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": "UDP", "LocalPort": ["8391"]},
	{"Enabled": false, "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": ["8391"]},
	{"Enabled": true, "Direction": "Outbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": ["8391"]},
	{"Enabled": true, "Direction": 1, "Action": "Allow", "Protocol": "TCP", "LocalPort": ["8391"]},
	{"Enabled": true, "Direction": "Inbound", "Action": "Block", "Protocol": "TCP", "LocalPort": ["8391"]},
	{"Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": "8391"},
]

fw_bool(f, fw, port) if {
	f == "fast"
	facts.fw_allows(fw, port)
} else if {
	f == "facts"
	fw_allows_reference(fw, port)
} else := false

# facts.fw_allows before it read the rule by reference (the oracle).
fw_allows_reference(fw, port) if {
	facts.get(fw, "Enabled", false) in {true, "True", "true", 1}
	lower(facts.str(facts.get(fw, "Direction", ""))) in {"inbound", "1"}
	lower(facts.str(facts.get(fw, "Action", ""))) in {"allow", "2"}
	lower(facts.str(facts.get(fw, "Protocol", "any"))) in {"tcp", "any", "6", ""}
	some p in facts.arr(facts.get(fw, "LocalPort", []))
	facts.port_matches(facts.str(p), port)
}

test_fast_fw_allows_same_as_facts if {
	every fw in fw_rules {
		every port in [8391, 1000, 80] {
			fw_bool("fast", fw, port) == fw_bool("facts", fw, port)
		}
	}
	every ports in [
		["5985"], ["08391"], ["5985", "8391"], [], [8391], ["1e3"], ["8391 "], [""], ["80", "8000-9000"], "8391",
		null, [null], ["5985", null], ["-8391"], ["0"], ["8391x"], ["5985", "any"], {"a": "8391"}, ["٨٣٩١"],
	] {
		every port in [8391, 80, 1000, 0, "8391", null] {
			fw := {"Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": ports}
			fw_bool("fast", fw, port) == fw_bool("facts", fw, port)
		}
	}
	fw_bool("fast", {"Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": ["08391"]}, 8391)
	not fw_bool("fast", {"Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": ["5985"]}, 8391)
	fw_bool("fast", fw_rules[0], 8391)
	not fw_bool("fast", fw_rules[6], 8391)
	every fw in [null, "x", [], {}, {"LocalPort": ["8391"]}, {"Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": null, "LocalPort": ["8391"]}] {
		every port in [8391, 80] {
			fw_bool("fast", fw, port) == fw_bool("facts", fw, port)
		}
	}
}

trust_inputs := array.concat(fast_inputs, [
	fx.remove(["nodes", "SQLN2", "certs", "LocalMachine/Root", fx.w2t]), fx.set(["nodes", "SQLN1", "certs", "LocalMachine/Root", fx.w2t], "x"),
	fx.set(["nodes", "WRK1", "configs", "worker", "worker", "worker_thumbprint"], "ab:cd ef"),
	fx.set(["nodes", "WRK2", "configs", "worker", "worker", "worker_thumbprint"], concat("", ["\u200e", lower(fx.w2t)])),
	fx.set(["nodes", "WRK2", "configs", "worker", "worker", "worker_thumbprint"], lower(fx.w2t)),
	fx.set(["nodes", "WRK2", "configs", "worker", "worker", "worker_thumbprint"], "22\n22"),
	fx.set(["nodes", "WRK1", "configs", "worker", "lines", "MasterEndpoint"], 0),
	fx.missing("SQLN1", "certs"),
	fx.set(["deployment", "worker_nodes"], []),
])

test_fast_trust_maps_same_as_helpers if {
	every inp in trust_inputs {
		{w: {"thumb": wi.thumb, "missing": object.get(wi, "missing", []), "ev": wi.ev} | some w, wi in mf.trust_known} == {w: wi | some w, wi in worker_trust_want; count(wi.missing) == 0} with input as inp
		mf.trust_unknown == {w: wi | some w, wi in worker_trust_want; count(wi.missing) > 0} with input as inp
		absent := {[n, w, wi] |
			some n, mr in certs.master_root
			count(mr.missing) == 0
			some w, wi in mf.trust_known
			not is_object(object.get(mr.store, wi.thumb, null))
		} with input as inp
		{[n, w, wi] | some n, ws in mf.trust_absent; some w, wi in ws} == absent with input as inp
		{n | some n, mr in certs.master_root; count(mr.missing) == 0; mf.trusts_all(mr.store)} == {n |
			some n, mr in certs.master_root
			count(mr.missing) == 0
			not absent_master(absent, n)
		} with input as inp
	}
}

absent_master(absent, n) if {
	some x in absent
	x[0] == n
}

# mf.trust_lines holds, for the masters that trust every known worker under
# its own key, the strings the rule would otherwise make per pair; it leaves
# out a master only when the trust_list is empty or a string holds a "\n".
test_fast_trust_lines if {
	every inp in trust_inputs {
		lines := mf.trust_lines with input as inp
		every n, ls in lines {
			ls == {
				"msg": [sprintf("%s trusts the certificate %s of worker %s.", [n, x[1].thumb, x[0]]) | some x in mf.trust_list],
				"art": [concat("", ["nodes/", n, "/certs/LocalMachine/Root/", x[1].thumb, ".cer"]) | some x in mf.trust_list],
				"obj": [concat("", ["worker:", x[0]]) | some x in mf.trust_list],
			} with input as inp
		}
		[x[0] | some x in mf.trust_list] == sort(object.keys(mf.trust_known)) with input as inp
		mf.trust_evs == [mf.trust_known[x[0]].ev | some x in mf.trust_list] with input as inp
		{n | some n, _ in mf.trust_lines} == {n |
			count(mf.trust_list) > 0
			not contains(concat("", mf.trust_thumb_list), "\n")
			some n, mr in certs.master_root
			count(mr.missing) == 0
			mf.trusts_all(mr.store)
		} with input as inp
	}
	count(mf.trust_lines) == 2 with input as fx.healthy
	count(mf.trust_lines) == 1 with input as fx.remove(["nodes", "SQLN2", "certs", "LocalMachine/Root", fx.w2t])
	count(mf.trust_lines) == 0 with input as fx.set(["nodes", "WRK2", "configs", "worker", "worker", "worker_thumbprint"], "22\n22")
}

# the results of MASTER-TRUSTS-EVERY-WORKER as one general body makes them
# from the worker entries (worker_trust_want) and certs.master_trusts
# (before the fast paths)
trusts_reference := {r |
	some n, mr in certs.master_root
	some w, wi in worker_trust_want
	r := trusts_reference_result(n, w, wi, mr.missing)
}

trusts_reference_result(n, w, wi, mmissing) := master.trusts_unknown(n, w, wi, mmissing) if {
	count(mmissing) > 0
} else := master.trusts_unknown(n, w, wi, wi.missing) if {
	count(wi.missing) > 0
} else := master.trusts_known_result(is_object(certs.master_trusts(n, wi.thumb)), n, w, wi)

test_trusts_same_as_general_body if {
	every inp in trust_inputs {
		master.master_trusts_every_worker == trusts_reference with input as inp
	}
	count(trusts_reference) == 4 with input as fx.healthy
}

test_fast_mprops_same_as_helpers if {
	every inp in [
		fx.healthy,
		fx.set(["sql", "SQLN1", "collected"], false),
		fx.remove(["sql", "SQLN1", "queries", "ssisdb_master_properties"]),
		fx.set(["sql", "SQLN1", "queries", "ssisdb_master_properties", "rows"], []),
		fx.remove(["deployment", "master_port"]),
		fx.remove(["deployment", "primary_instance"]),
	] {
		prim := facts.primary_instance with input as inp
		want := {
			"missing": facts.first_missing([facts.sql_missing(prim, "ssisdb_master_properties"), facts.master_port_missing]),
			"artifact": facts.sql_artifact(prim, "ssisdb_master_properties"),
			"node": facts.instance_node(prim),
			"address": facts.str(array.concat([v | v := facts.property(prim, "ssisdb_master_properties", "MASTER_ADDRESS")], [""])[0]),
			"port": array.concat([v | v := facts.property(prim, "ssisdb_master_properties", "MASTER_SERVICE_PORT")], [null])[0],
		} with input as inp
		mf.mprops == want with input as inp
	}
}

# sql.replicas before its common case was checked first (the oracle).
replicas_reference := array.concat(
	array.concat(
		[{"instance": i, "node": facts.instance_node(i)} | some i in sql.instances],
		[{"instance": n, "node": n} |
			facts.variant == "ag"
			some n in facts.replica_nodes
			not sql.node_has_instance(n)
		],
	),
	[{"instance": facts.primary_label, "node": ""} | facts.variant != "ag"; count(sql.instances) == 0],
)

test_replicas_same_as_reference if {
	every inp in [
		fx.healthy,
		fx.remove(["sql", "SQLN2"]),
		fx.set(["sql", "SQLN2", "node"], ""),
		fx.set(["sql", "SQLN2", "node"], "sqln2.contoso.com"),
		fx.set(["sql", "SQLN2", "node"], "sqln2."),
		fx.set(["sql", "SQLN2", "node"], " SQLN2"),
		fx.set(["sql", "SQLN2", "node"], ".X"),
		fx.set(["sql", "SQLN2", "node"], null),
		fx.set(["sql", "SQLN2", "node"], 5),
		fx.set(["sql", "SQLN2"], null),
		fx.set(["sql", "SQLN2"], "x"),
		fx.set(["deployment", "replica_nodes"], ["sqln1", "SQLN3", 5, null, ""]),
		fx.set(["deployment", "replica_nodes"], "SQLN1"),
		fx.set(["deployment", "replica_nodes"], []),
		fx.set(["deployment", "variant"], "fci"),
		fx.set(["deployment", "variant"], null),
		fx.remove(["deployment", "variant"]),
		fx.set(["sql"], {}),
		fx.set(["sql"], []),
		fx.set(["sql"], "x"),
		fx.remove(["sql"]),
		fx.remove(["deployment"]),
	] {
		sql.replicas == replicas_reference with input as inp
	}
}

test_fast_missing_same_as_helpers if {
	every inp in [
		fx.healthy,
		fx.not_collected("SQLN1"),
		fx.missing("SQLN2", "httpsys"),
		fx.missing("SQLN2", "firewall"),
		fx.missing("SQLN2", "services"),
		fx.remove(["nodes", "SQLN2"]),
		fx.remove(["deployment", "master_thumbprint"]),
	] {
		every name in ["SQLN1", "SQLN2", "SQLN9"] {
			every port in [0, 8391] {
				master.httpsys_missing(name, port) == facts.first_missing([
					facts.node_missing(name, ["httpsys"]),
					facts.missing_if(port == 0, sprintf("nodes/%s/files/MasterSettings.config: PortNumber unknown, and no deployment master port", [name])),
					facts.master_thumbprint_missing,
				]) with input as inp
				master.firewall_missing(name, port) == facts.first_missing([
					facts.node_missing(name, ["firewall"]),
					facts.missing_if(port == 0, sprintf("nodes/%s/files/MasterSettings.config: PortNumber unknown, and no deployment master port", [name])),
				]) with input as inp
			}
		}
		every name in ["SQLN1", "SQLN2"] {
			every x in [[null, 0, 0], [{}, 1, 0], [{}, 0, 1], [{}, 1, 1]] {
				master.restart_missing(name, x[0], x[1], x[2]) == facts.first_missing([
					object.get(mf.msvc_missing, name, []),
					facts.node_missing(name, ["files/MasterSettings.config"]),
					facts.missing_if(x[0] == null, sprintf("nodes/%s/files/MasterSettings.config: not present on the node", [name])),
					facts.missing_if(x[1] == 0, sprintf("nodes/%s/files.json: LastWriteUtc of MasterSettings.config unknown", [name])),
					facts.missing_if(x[2] == 0, sprintf("nodes/%s/services.json: ProcessStartUtc of the master service unknown", [name])),
				]) with input as inp
			}
		}
	}
}
