package ssis.test.lib

import data.ssis.lib.certs
import data.ssis.lib.facts
import data.ssis.lib.names
import data.ssis.lib.sql
import data.ssis.test.fixtures as fx

test_host_eq if {
	names.host_eq_in("aglsn", "AGLSN.contoso.com", "contoso.com")
	names.host_eq_in("aglsn.contoso.com.", "aglsn", "CONTOSO.COM")
	not names.host_eq_in("aglsn", "aglsn.fabrikam.com", "contoso.com")
	not names.host_eq_in("", "", "contoso.com")
	names.host_eq_in("sqln1", "SQLN1", "")
}

test_cert_has_host_exact if {
	c := {"cns": ["ssismaster", "SQLN1"], "san_dns": ["SSISMaster.contoso.com"]}
	names.cert_has_host(c, "ssismaster.contoso.com")
	names.cert_has_host(c, "SSISMASTER")
	not names.cert_has_host({"cns": ["ssismaster"], "san_dns": []}, "ssismaster.contoso.com")
	not names.cert_has_host(c, "sqln1.contoso.com")
	names.cert_has(null, "x") == false
}

test_account_kind if {
	names.account_kind("NT Service\\SSISScaleOutMaster150", "SQLN1") == "virtual"
	names.account_kind("NT SERVICE\\SSISScaleOutMaster150", "SQLN1") == "virtual"
	names.account_kind("LocalSystem", "SQLN1") == "system"
	names.account_kind("NT AUTHORITY\\NetworkService", "SQLN1") == "system"
	names.account_kind(".\\ssis", "SQLN1") == "local"
	names.account_kind("sqln1\\ssis", "SQLN1") == "local"
	names.account_kind("BUILTIN\\Administrators", "SQLN1") == "local"
	names.account_kind("SQLN2\\ssis", "SQLN1") == "domain"
	names.account_kind("CONTOSO\\svc-ssis", "SQLN1") == "domain"
	names.account_kind("CONTOSO\\gmsa-ssis$", "SQLN1") == "domain"
	names.account_kind("svc-ssis@contoso.com", "SQLN1") == "domain"
	names.account_kind("svc-ssis", "SQLN1") == "unqualified"
	names.account_kind("", "SQLN1") == "unqualified"
}

test_account_eq if {
	names.account_eq("NT Service\\X", "NT SERVICE\\x")
	names.account_eq("CONTOSO\\svc", "contoso\\SVC")
	names.account_eq("LocalSystem", "NT AUTHORITY\\SYSTEM")
	not names.account_eq("CONTOSO\\svc", "CONTOSO\\svc2")
}

test_guid_eq if {
	names.guid_eq("{6583054A-E915-4C2A-80E4-C765E79EF61D}", "6583054a-e915-4c2a-80e4-c765e79ef61d")
	not names.guid_eq("", "")
}

test_thumb_eq if {
	certs.thumb_eq("aa 11 bb\u200e", "AA11BB")
	not certs.thumb_eq("", "")
	not certs.thumb_eq("AA11", "AA12")
}

test_validity if {
	c := {"not_before_ns": 100, "not_after_ns": 100 + (40 * certs.ns_per_day)}
	certs.validity(c, 50) == "not_yet_valid"
	certs.validity(c, 150) == "valid"
	certs.validity(c, 100 + (15 * certs.ns_per_day)) == "expiring"
	certs.validity(c, 100 + (40 * certs.ns_per_day)) == "expired"
	certs.validity_of(null, 150) == "unknown"
}

test_node_missing if {
	inp := {"nodes": {
		"N1": {"collected": true, "missing": {"certs/LocalMachine/Root": "denied", "files": "not collected"}},
		"N2": {"collected": false, "error": "WinRM refused"},
	}}
	facts.node_missing("N1", ["certs/LocalMachine/Root"]) == ["nodes/N1/certs/LocalMachine/Root: denied"] with input as inp
	facts.node_missing("N1", ["certs/LocalMachine/My"]) == [] with input as inp
	facts.node_missing("N1", ["files/MasterSettings.config"]) == ["nodes/N1/files: not collected"] with input as inp
	facts.node_missing("N2", ["services"]) == ["nodes/N2: not collected: WinRM refused"] with input as inp
	facts.node_missing("N3", ["services"]) == ["nodes/N3: not in the bundle"] with input as inp
}

test_url_and_endpoint_parsing if {
	facts.url_port("https://ssismaster:8391/ClusterManagement/") == 8391
	facts.url_port("https://ssismaster") == 443
	facts.url_host("https://ssismaster.contoso.com:8391") == "ssismaster.contoso.com"
	sql.parse_endpoint("aglsn.contoso.com,1433") == {"host": "aglsn.contoso.com", "instance": "", "port": 1433}
	sql.parse_endpoint("aglsn:14330") == {"host": "aglsn", "instance": "", "port": 14330}
	sql.parse_endpoint("SQLFCI01\\INST1") == {"host": "SQLFCI01", "instance": "INST1", "port": 1433}
	sql.parse_endpoint("tcp:aglsn,1433").host == "aglsn"
}

test_time_ns if {
	sql.time_ns("2026-11-27 09:59:38.6190000 +00:00") == 1795773578619000000
	sql.time_ns("2026-11-27T09:59:00.4170000+00:00") == 1795773540417000000
	sql.time_ns("2026-11-27T10:00:00+01:00") == 1795770000000000000
	sql.time_ns("not a time") == 0
	sql.time_ns(null) == 0
}

test_connstr if {
	cs := "Data Source=aglsn,1433;Initial Catalog=SSISDB;Integrated Security=SSPI;"
	sql.connstr_value(cs, sql.ds_keys) == "aglsn,1433"
	sql.windows_logging with input as {"deployment": {"primary_instance": "P"}, "sql": {"P": {"collected": true, "queries": {"logdb_connection": {"rows": [{"connection_string": cs}]}}}}}
}

test_firewall_ports if {
	facts.fw_allows({"Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": ["Any"]}, 8391)
	facts.fw_allows({"Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": ["8000-9000"]}, 8391)
	not facts.fw_allows({"Enabled": true, "Direction": "Outbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": ["8391"]}, 8391)
	not facts.fw_allows({"Enabled": true, "Direction": "Inbound", "Action": "Block", "Protocol": "TCP", "LocalPort": ["8391"]}, 8391)
	not facts.fw_allows({"Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": "UDP", "LocalPort": ["8391"]}, 8391)
}

# --- service_kinds ---------------------------------------------------------------

# indexed(inp): the facts inp with each node's service_kinds, as the
# normalizer writes them (kind -> the names of its services, sorted); the
# fixtures, like facts written by hand or by an older version, have none.
indexed(inp) := json.patch(inp, [{"op": "add", "path": ["nodes", n, "service_kinds"], "value": service_kinds(nd)} |
	some n, nd in inp.nodes
	is_object(nd)
])

service_kinds(nd) := {k: sort([n | some n, x in svcs; x.kind == k]) |
	svcs := object.get(nd, "services", {})
	is_object(svcs)
	some s in svcs
	k := s.kind
}

svc_of(name, kind) := {"Name": name, "StartName": sprintf("CONTOSO\\%s", [lower(name)]), "State": "Running", "kind": kind, "version": "150"}

# facts.services, facts.service and sql.worker_account give the same with
# service_kinds as without, for nodes with no, one and several services of
# a kind (sorted in byte order), without services, and not collected
test_service_kinds_same_results if {
	multi := fx.set(["nodes", "WRK1", "services"], {
		"b": svc_of("b", "worker"),
		"SSISScaleOutWorker150": svc_of("SSISScaleOutWorker150", "worker"),
		"a": svc_of("a", "worker"),
		"A": svc_of("A", "master"),
		"x": object.remove(svc_of("x", "other"), ["StartName"]),
	})
	no_acct := fx.node_patch("WRK2", {"services": {"SSISScaleOutWorker150": {"StartName": null}}})
	every inp in [
		fx.healthy,
		fx.healthy_fci,
		multi,
		no_acct,
		fx.set(["nodes", "WRK1", "services"], {}),
		fx.set(["nodes", "WRK1", "services"], null),
		fx.missing("WRK1", "services"),
		fx.not_collected("WRK2"),
	] {
		every n, _ in inp.nodes {
			every kind in ["master", "worker", "sql", "ssis", "cluster", "other"] {
				ss := facts.services(n, kind) with input as inp
				ss == facts.services(n, kind) with input as indexed(inp)
				s := facts.service(n, kind) with input as inp
				s == facts.service(n, kind) with input as indexed(inp)
			}
			a := sql.worker_account(n) with input as inp
			a == sql.worker_account(n) with input as indexed(inp)
		}
	}

	# (and the index is read: sorted, the first is the service)
	facts.services("WRK1", "worker") == [svc_of("SSISScaleOutWorker150", "worker"), svc_of("a", "worker"), svc_of("b", "worker")] with input as indexed(multi)
	sql.worker_account("WRK1") == "CONTOSO\\ssisscaleoutworker150" with input as indexed(multi)
	sql.worker_account("WRK2") == "" with input as indexed(no_acct)
	facts.service("WRK1", "ssis") == null with input as indexed(multi)
}

# the index, when there is one, is what the facts helpers read
test_service_kinds_read if {
	inp := json.patch(indexed(fx.healthy), [{"op": "add", "path": ["nodes", "WRK1", "service_kinds"], "value": {"worker": []}}])
	facts.service("WRK1", "worker") == null with input as inp
	facts.services("WRK1", "worker") == [] with input as inp
	count(facts.services("WRK2", "worker")) == 1 with input as inp
}

# every rule's results are the same with service_kinds as without
test_service_kinds_same_rule_results if {
	every inp in [
		fx.healthy,
		fx.healthy_fci,
		fx.node_patch("WRK1", {"services": {"SSISScaleOutWorker150": {"State": "Stopped", "StartName": "CONTOSO\\other"}}}),
		fx.set(["nodes", "SQLN1", "services"], {}),
		fx.missing("WRK1", "services"),
		fx.not_collected("WRK2"),
	] {
		plain := data.ssis.main.results with input as inp
		plain == data.ssis.main.results with input as indexed(inp)
		count(plain) > 0
	}
}

# certs.worker_cert_problems before its common case was checked first (the oracle).
worker_cert_problems_reference(cert, store, readers, acct) := [sprintf("it is not in %s", [store])] if {
	not is_object(cert)
} else := ["it has no private key"] if {
	cert.has_private_key == false
} else := [sprintf("the worker account %s is not among the private key's readers (%s)", [acct, concat(", ", readers)])] if {
	count(readers) > 0
	acct != ""
	not certs.can_read(readers, acct)
} else := []

test_worker_cert_problems_same_as_reference if {
	every cert in [
		{"has_private_key": true}, {"has_private_key": false}, {"has_private_key": "true"}, {"has_private_key": null}, {},
		null, "x", [], 5, {"has_private_key": true, "private_key_readers": ["x"]},
	] {
		every readers in [
			["CONTOSO\\svc"], ["contoso\\SVC "], ["Everyone"], ["BUILTIN\\Users"], ["other"], [], ["other", "everyone"],
			[null, 5, "CONTOSO\\svc"], [null], "CONTOSO\\svc", {"a": "CONTOSO\\svc"}, null, 5,
		] {
			every acct in ["CONTOSO\\svc", "", "LocalSystem", null, 5] {
				certs.worker_cert_problems(cert, "LocalMachine/My", readers, acct) == worker_cert_problems_reference(cert, "LocalMachine/My", readers, acct)
			}
		}
	}
}

# facts.instance_node before its common case was read by reference (the oracle).
instance_node_reference(inst) := n if {
	n := upper(facts.str(facts.get(facts.instance(inst), "node", "")))
	n != ""
} else := n if {
	n := upper(split(inst, "\\")[0])
	facts.node(n) != null
} else := ""

test_instance_node_same_as_reference if {
	every s in [
		{"node": "sqln1"}, {"node": "SQLN2.contoso.com"}, {"node": ""}, {"node": " "}, {"node": null}, {"node": 5}, {"node": ["x"]},
		{}, null, "x", 5, [],
	] {
		every inst in ["SQLN1", "sqln1\\INST", "SQLN3\\INST", "", "\\INST", 5, null] {
			inp := {"sql": {"SQLN1": s, "sqln1\\INST": s, "SQLN3\\INST": s, "": s, "\\INST": s}, "nodes": {"SQLN1": {"collected": true}, "": {}}}
			facts.instance_node(inst) == instance_node_reference(inst) with input as inp
		}
	}
	every inp in [{}, {"sql": null}, {"sql": []}, {"sql": "x"}, {"nodes": null, "sql": {"SQLN1": {}}}] {
		every inst in ["SQLN1", "sqln1\\INST", 5] {
			facts.instance_node(inst) == instance_node_reference(inst) with input as inp
		}
	}
}

# facts.sql_artifact before its common case was read by reference (the oracle).
sql_artifact_reference(inst, q) := a if {
	a := facts.get(facts.instance(inst), ["queries", q, "artifact"], "")
	a != ""
} else := sprintf("sql/%s/%s.json", [replace(inst, "\\", "$"), q])

test_sql_artifact_same_as_reference if {
	every qv in [
		{"artifact": "sql/X/q.json"}, {"artifact": ""}, {"artifact": null}, {"artifact": 5}, {"artifact": false}, {}, null, "x", [],
	] {
		every inst_v in [
			{"queries": {"q": qv}}, {"queries": [qv]}, {"queries": "q"}, {"queries": null}, {}, null, "x", [{"queries": {"q": qv}}],
		] {
			every inst in ["SQLN1", "SQLN1\\INST", 0, null] {
				every q in ["q", 0, null] {
					inp := {"sql": {"SQLN1": inst_v, "SQLN1\\INST": inst_v}}

					# (as sets: both are undefined where replace fails on an instance that is not a string)
					{a | a := facts.sql_artifact(inst, q)} == {a | a := sql_artifact_reference(inst, q)} with input as inp
				}
			}
		}
	}
	every inp in [{}, {"sql": null}, {"sql": [{"queries": {"q": {"artifact": "a"}}}]}, {"sql": "x"}] {
		every inst in ["SQLN1", 0] {
			{a | a := facts.sql_artifact(inst, "q")} == {a | a := sql_artifact_reference(inst, "q")} with input as inp
		}
	}
}
