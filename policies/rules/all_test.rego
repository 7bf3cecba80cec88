# Whole-policy properties: the entrypoint collects every rule, the healthy
# deployment passes everything, and degrading any one fact never drops a
# subject (a rule body that silently fails would) nor duplicates one.
package ssis.test.all

import data.ssis.test.fixtures as fx

results(inp) := rs if {
	rs := data.ssis.main.results with input as inp
}

# subject keys; an instance subject is compared by rule and object only (the
# primary instance itself can be what is unknown).
keys(rs) := {stable_key(r) | some r in rs}

stable_key(r) := [r.rule, r.subject.kind, r.subject.object] if {
	r.subject.kind == "instance"
} else := fx.subject_key(r)

test_main_collects_sets_only if {
	rs := results(fx.healthy)
	count(rs) > 0
	every r in rs {
		is_object(r)
		is_string(r.rule)
	}
}

# rules implemented so far, with their number of subjects on the healthy AG fixture
expected_counts := {
	"CONFIG-PARSE": 4,
	"MASTER-INSTALLED-EVERY-NODE": 2, "MASTER-ACCOUNT-DOMAIN": 2, "MASTER-ACCOUNT-CONSISTENT": 2,
	"MASTER-CERT-CN-DNS": 2, "MASTER-CERT-SAME-ALL-NODES": 2, "MASTER-CERT-ROOT-WITH-KEY": 2,
	"MASTER-CERT-VALIDITY": 1, "MASTER-HTTPSYS-BINDING": 2, "MASTER-SCHANNEL-CLIENTAUTH": 2,
	"MASTER-TRUSTS-EVERY-WORKER": 4, "MASTER-FIREWALL": 2, "MASTER-CFG-SQLSERVERNAME-LISTENER": 2,
	"MASTER-CFG-PORT-CONSISTENT": 6, "MASTER-CFG-RESTART-APPLIED": 1,
	"WRK-MASTERENDPOINT": 2, "WRK-ENDPOINT-HOST-IN-MASTER-CERT": 2, "WRK-MASTER-THUMBPRINT": 2,
	"WRK-TRUSTS-MASTER-CERT": 2, "WRK-OWN-CERT": 2, "WRK-CERT-VALIDITY": 2, "WRK-AGENTID-UNIQUE": 2,
	"WRK-SERVICE-VERSION": 2,
	"CLUSTER-MEMBERSHIP": 2, "CLUSTER-SAME-DOMAIN": 2, "CLUSTER-MASTER-ROLE": 1, "CLUSTER-MASTER-CAP-NAME": 1,
	"CLUSTER-MASTER-ROLE-ONLINE": 1, "CLUSTER-MASTER-RESOURCE-VERSION": 2,
	"AG-HADR-ENABLED": 2, "AG-VERSION": 2, "AG-SSISDB-IN-AG": 2, "AG-SSISDB-SYNC-HEALTHY": 2, "AG-LISTENER": 1,
	"AG-SSIS-ALWAYSON-SUPPORT": 2, "AG-SSISDB-DMK-BY-SMK": 1, "AG-SQL-AUTH-MIXED": 2, "AG-AUTOMATIC-FAILOVER": 1,
	"LOG-LOGIN-ON-EVERY-REPLICA": 2, "LOG-LOGDB-SERVER-IS-LISTENER": 1, "LOG-CONNSTR-IS-LISTENER": 1,
	"LOG-PASSWORD-IN-SYNC": 2, "LOG-WINDOWS-ACCOUNT-CONSISTENT": 1, "LOG-LOGIN-NO-EXPIRY": 2,
	"CAT-SCALEOUT-ENABLED": 1, "CAT-MASTER-ADDRESS": 1, "CAT-MASTER-PROPERTIES-COHERENT": 1,
	"CAT-MASTER-HEARTBEAT-FRESH": 1, "CAT-SCHEMA-COMPATIBLE": 2,
	"WRK-REGISTERED-ENABLED-ONLINE": 2, "WRK-HA-MIN-COUNT": 1, "MASTER-ACCOUNT-SQL-LOGIN": 2,
}

test_healthy_subject_counts if {
	rs := results(fx.healthy)
	counts := {id: n | some id, _ in expected_counts; n := count([r | some r in rs; r.rule == id])}
	counts == expected_counts
	{r.rule | some r in rs} == {id | some id, _ in expected_counts}
}

test_healthy_all_pass if {
	rs := results(fx.healthy)
	fx.one_per_subject(rs)
	[r | some r in rs; r.status != "pass"] == []
}

test_healthy_fci_all_pass if {
	rs := results(fx.healthy_fci)
	fx.one_per_subject(rs)
	[r | some r in rs; r.status != "pass"] == []
	{"FCI-CERT-CN-NETWORKNAME", "FCI-SQLSERVERNAME"} - {r.rule | some r in rs} == set()
	{"MASTER-CERT-CN-DNS", "MASTER-CFG-SQLSERVERNAME-LISTENER"} & {r.rule | some r in rs} == set()
}

test_degraded_fci_inputs_keep_every_subject if {
	healthy_keys := keys(results(fx.healthy_fci))
	every inp in [
		fx.fci_set(["sql"], {}),
		fx.fci_set(["nodes", "SQLN1", "collected"], false),
		fx.fci_set(["deployment", "primary_instance"], ""),
		fx.fci_set(["deployment", "master_dns"], ""),
	] {
		rs := results(inp)
		fx.one_per_subject(rs)
		count(healthy_keys - keys(rs)) == 0
	}
}

# degraded inputs, in small groups (each test evaluates every rule once per input)
degradations := {
	"not_collected_masters": [fx.not_collected(n) | some n in ["SQLN1", "SQLN2"]],
	"not_collected_workers": [fx.not_collected(n) | some n in ["WRK1", "WRK2"]],
	"missing_sqln1_a": [fx.missing("SQLN1", a) | some a in artifacts_a],
	"missing_sqln1_b": [fx.missing("SQLN1", a) | some a in artifacts_b],
	"missing_sqln2_a": [fx.missing("SQLN2", a) | some a in artifacts_a],
	"missing_sqln2_b": [fx.missing("SQLN2", a) | some a in artifacts_b],
	"missing_wrk1": [fx.missing("WRK1", a) | some a in ["services", "certs", "files"]],
	"missing_wrk2": [fx.missing("WRK2", a) | some a in ["services", "certs", "files"]],
	"configs": [
		fx.parse_error("SQLN1", "master"),
		fx.parse_error("SQLN2", "master"),
		fx.parse_error("WRK1", "worker"),
	],
	"deployment_a": [
		fx.set(["deployment", "master_dns"], ""),
		fx.set(["deployment", "master_thumbprint"], ""),
		fx.set(["deployment", "master_port"], 0),
		fx.set(["deployment", "listener"], null),
	],
	"deployment_b": [
		fx.set(["deployment", "primary_instance"], ""),
		fx.set(["deployment", "active_master_node"], ""),
		fx.set(["bundle", "created_ns"], 0),
	],
	"documents_a": [
		fx.set(["sql"], {}),
		fx.set(["cluster"], null),
	],
	"documents_b": [
		fx.set(["sql", "SQLN1", "collected"], false),
		fx.set(["sql", "SQLN2", "queries"], {}),
	],
}

artifacts_a := ["services", "certs", "files", "host"]

artifacts_b := ["registry", "httpsys", "firewall"]

# the subjects of the healthy AG fixture (computed once per test run query)
healthy_keys := keys(results(fx.healthy))

keeps_subjects(group) if {
	every inp in degradations[group] {
		rs := results(inp)
		fx.one_per_subject(rs)
		count(healthy_keys - keys(rs)) == 0
	}
}

test_degraded_not_collected_masters if keeps_subjects("not_collected_masters")

test_degraded_not_collected_workers if keeps_subjects("not_collected_workers")

test_degraded_missing_sqln1_a if keeps_subjects("missing_sqln1_a")

test_degraded_missing_sqln1_b if keeps_subjects("missing_sqln1_b")

test_degraded_missing_sqln2_a if keeps_subjects("missing_sqln2_a")

test_degraded_missing_sqln2_b if keeps_subjects("missing_sqln2_b")

test_degraded_missing_wrk1 if keeps_subjects("missing_wrk1")

test_degraded_missing_wrk2 if keeps_subjects("missing_wrk2")

test_degraded_configs if keeps_subjects("configs")

test_degraded_deployment_a if keeps_subjects("deployment_a")

test_degraded_deployment_b if keeps_subjects("deployment_b")

test_degraded_documents_a if keeps_subjects("documents_a")

test_degraded_documents_b if keeps_subjects("documents_b")

test_empty_input if {
	rs := results({})
	fx.one_per_subject(rs)
}

test_nulls_everywhere if {
	inp := {
		"deployment": {"variant": "ag", "master_nodes": ["N1"], "worker_nodes": ["W1"]}, "nodes": {
			"N1": {"name": "N1", "collected": true, "missing": null, "services": null, "certs": null, "configs": {"master": null, "worker": null}, "registry": null, "httpsys": null, "firewall": null},
			"W1": {"name": "W1", "collected": true, "missing": null, "services": null, "certs": null, "configs": {"master": null, "worker": null}, "registry": null, "httpsys": null, "firewall": null},
		},
		"sql": null, "cluster": null, "missing": null,
	}
	rs := results(inp)
	fx.one_per_subject(rs)
	count(rs) > 0
}

# main.results iterates every rule of every family package, so a family
# package must hold nothing but result sets (a helper rule would leak into
# the results).
test_family_packages_hold_only_sets if {
	pkgs := data.ssis.rules with input as fx.healthy
	count(pkgs) > 0
	every _, pkg in pkgs {
		every _, v in pkg {
			is_set(v)
		}
	}
}
