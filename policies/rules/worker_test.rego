package ssis.test.worker

import data.ssis.lib.facts
import data.ssis.lib.names
import data.ssis.lib.sql
import data.ssis.lib.worker_fast as wf
import data.ssis.rules.worker
import data.ssis.test.fixtures as fx
import data.ssis.test.lib as tl

endpoint(w, ep) := fx.node_patch(w, {"configs": {"worker": {"worker": {"master_endpoint": ep}}}})

# the healthy fixtures with service_kinds
hx := indexed(fx.healthy)

hx_fci := indexed(fx.healthy_fci)

indexed(inp) := tl.indexed(inp)

wset(w, kv) := fx.node_patch(w, {"configs": {"worker": {"worker": kv}}})

wpath := "C:\\Program Files\\Microsoft SQL Server\\150\\DTS\\Binn\\WorkerSettings.config"

# --- WRK-MASTERENDPOINT ------------------------------------------------------------

test_masterendpoint_pass if {
	fx.all_pass(worker.wrk_masterendpoint) with input as fx.healthy
}

test_masterendpoint_pass_short_name if {
	inp := endpoint("WRK1", {"raw": "https://SSISMASTER:8391", "host": "SSISMASTER", "port": 8391})
	fx.all_pass(worker.wrk_masterendpoint) with input as inp
}

test_masterendpoint_fail_node_name if {
	rs := worker.wrk_masterendpoint with input as endpoint("WRK1", {"raw": "https://sqln1.contoso.com:8391", "host": "sqln1.contoso.com"})
	fx.only(rs, "WRK1", "fail")
	r := fx.result(rs, "WRK1")
	r.subject == {"kind": "worker", "node": "WRK1", "object": "WorkerSettings.config/MasterEndpoint"}
	r.fix == {"id": "set-worker-config", "target": "WRK1", "params": {"path": wpath, "key": "MasterEndpoint", "value": "https://ssismaster.contoso.com:8391", "service": "SSISScaleOutWorker150"}}
	r.evidence == [{"artifact": "nodes/WRK1/files/WorkerSettings.config", "key": "MasterEndpoint", "line": 4}]
}

test_masterendpoint_fail_scheme_port if {
	rs := worker.wrk_masterendpoint with input as endpoint("WRK2", {"raw": "http://ssismaster.contoso.com:8392", "scheme": "http", "port": 8392})
	fx.only(rs, "WRK2", "fail")
	contains(fx.result(rs, "WRK2").message, "not https")
	contains(fx.result(rs, "WRK2").message, "8392")
}

test_masterendpoint_unknown if {
	rs := worker.wrk_masterendpoint with input as fx.parse_error("WRK1", "worker")
	fx.only(rs, "WRK1", "unknown")
	rs2 := worker.wrk_masterendpoint with input as fx.set(["deployment", "master_dns"], "")
	fx.only(rs2, "WRK2", "unknown")
}

# --- WRK-ENDPOINT-HOST-IN-MASTER-CERT ------------------------------------------------

test_endpoint_cert_pass if {
	fx.all_pass(worker.wrk_endpoint_host_in_master_cert) with input as fx.healthy
}

test_endpoint_cert_fail_fqdn_not_in_cert if {
	inp := fx.patch({"nodes": {n: {"certs": {"LocalMachine/Root": {fx.mt: {"cns": ["ssismaster"]}}}} | some n in ["SQLN1", "SQLN2", "WRK1", "WRK2"]}})
	rs := worker.wrk_endpoint_host_in_master_cert with input as inp
	fx.only(rs, "WRK1", "fail")
	fx.result(rs, "WRK1").fix.id == "renew-master-cert"
}

test_endpoint_cert_fail_short_host if {
	rs := worker.wrk_endpoint_host_in_master_cert with input as endpoint("WRK1", {"raw": "https://ssismaster.contoso:8391", "host": "ssismaster.contoso"})
	fx.only(rs, "WRK1", "fail")
	fx.result(rs, "WRK1").fix == {"id": "set-worker-config", "target": "WRK1", "params": {"path": wpath, "key": "MasterEndpoint", "value": "https://ssismaster.contoso.com:8391", "service": "SSISScaleOutWorker150"}}
}

test_endpoint_cert_unknown_no_cert if {
	inp := json.patch(fx.healthy, [{"op": "add", "path": ["nodes", n, "certs", "LocalMachine/Root"], "value": {}} | some n in ["SQLN1", "SQLN2", "WRK1", "WRK2"]])
	rs := worker.wrk_endpoint_host_in_master_cert with input as inp
	fx.only(rs, "WRK1", "unknown")
	startswith(fx.result(rs, "WRK1").missing[0], "cert:AA11")
}

# --- WRK-MASTER-THUMBPRINT --------------------------------------------------------------

test_master_thumb_pass if {
	fx.all_pass(worker.wrk_master_thumbprint) with input as wset("WRK2", {"master_thumbprint": lower(fx.mt)})
}

test_master_thumb_fail if {
	rs := worker.wrk_master_thumbprint with input as wset("WRK2", {"master_thumbprint": fx.ca_t})
	fx.only(rs, "WRK2", "fail")
	fx.result(rs, "WRK2").fix.params == {"path": wpath, "key": "MasterHttpsCertThumbprint", "value": fx.mt, "service": "SSISScaleOutWorker150"}
}

test_master_thumb_unknown if {
	rs := worker.wrk_master_thumbprint with input as fx.set(["deployment", "master_thumbprint"], "")
	fx.only(rs, "WRK2", "unknown")
}

# --- WRK-TRUSTS-MASTER-CERT ---------------------------------------------------------------

test_trusts_master_pass if {
	fx.all_pass(worker.wrk_trusts_master_cert) with input as fx.healthy
}

test_trusts_master_fail if {
	rs := worker.wrk_trusts_master_cert with input as fx.remove(["nodes", "WRK2", "certs", "LocalMachine/Root", fx.mt])
	fx.only(rs, "WRK2", "fail")
	fx.result(rs, "WRK2").fix == {"id": "trust-master-cert", "target": "WRK2", "params": {"thumbprint": fx.mt, "source_node": "SQLN1"}}
}

test_trusts_master_unknown if {
	rs := worker.wrk_trusts_master_cert with input as fx.missing("WRK2", "certs/LocalMachine/Root")
	fx.only(rs, "WRK2", "unknown")
	fx.result(rs, "WRK2").missing == ["nodes/WRK2/certs/LocalMachine/Root: access is denied"]
}

# --- WRK-OWN-CERT ----------------------------------------------------------------------------

my_cert(w, t, kv) := fx.node_patch(w, {"certs": {"LocalMachine/My": {t: kv}}})

test_own_cert_pass if {
	fx.all_pass(worker.wrk_own_cert) with input as fx.healthy
}

test_own_cert_pass_no_readers_known if {
	fx.all_pass(worker.wrk_own_cert) with input as my_cert("WRK1", fx.w1t, {"private_key_readers": []})
}

test_own_cert_fail_no_key if {
	rs := worker.wrk_own_cert with input as my_cert("WRK1", fx.w1t, {"has_private_key": false})
	fx.only(rs, "WRK1", "fail")
	fx.result(rs, "WRK1").fix == {"id": "replace-worker-cert", "target": "WRK1", "params": {"worker": "WRK1", "store": "LocalMachine/My", "service": "SSISScaleOutWorker150"}}
}

test_own_cert_fail_not_in_store if {
	rs := worker.wrk_own_cert with input as fx.remove(["nodes", "WRK1", "certs", "LocalMachine/My", fx.w1t])
	fx.only(rs, "WRK1", "fail")
	contains(fx.result(rs, "WRK1").message, "not in LocalMachine/My")
}

test_own_cert_fail_key_not_readable if {
	rs := worker.wrk_own_cert with input as my_cert("WRK1", fx.w1t, {"private_key_readers": ["BUILTIN\\Administrators"]})
	fx.only(rs, "WRK1", "fail")
	r := fx.result(rs, "WRK1")
	r.fix.id == "manual"
	contains(r.fix.params.steps[0], "winhttpcertcfg")
}

test_own_cert_unknown_sidecar if {
	rs := worker.wrk_own_cert with input as my_cert("WRK1", fx.w1t, {"has_private_key": null})
	fx.only(rs, "WRK1", "unknown")
}

test_own_cert_unknown_store if {
	rs := worker.wrk_own_cert with input as fx.missing("WRK1", "certs/LocalMachine/My")
	fx.only(rs, "WRK1", "unknown")
}

# --- WRK-CERT-VALIDITY --------------------------------------------------------------------------

test_wrk_validity_pass if {
	fx.all_pass(worker.wrk_cert_validity) with input as fx.healthy
}

test_wrk_validity_fail_expired if {
	rs := worker.wrk_cert_validity with input as my_cert("WRK1", fx.w1t, {"not_after_ns": fx.created_ns - 1})
	fx.only(rs, "WRK1", "fail")
	fx.result(rs, "WRK1").severity == "critical"
}

test_wrk_validity_fail_expiring if {
	rs := worker.wrk_cert_validity with input as my_cert("WRK1", fx.w1t, {"not_after_ns": fx.created_ns + fx.day_ns})
	fx.only(rs, "WRK1", "fail")
	fx.result(rs, "WRK1").severity == "high"
}

test_wrk_validity_unknown if {
	rs := worker.wrk_cert_validity with input as fx.not_collected("WRK1")
	fx.only(rs, "WRK1", "unknown")
}

# --- WRK-AGENTID-UNIQUE ---------------------------------------------------------------------------

test_agentid_pass if {
	fx.all_pass(worker.wrk_agentid_unique) with input as fx.healthy
}

test_agentid_fail_clone if {
	rs := worker.wrk_agentid_unique with input as wset("WRK2", {"agent_id": lower(fx.agent1)})
	fx.only(rs, "WRK1", "fail")
	fx.only(rs, "WRK2", "fail")
	contains(fx.result(rs, "WRK2").message, "WRK1")
}

test_agentid_unknown_peer if {
	rs := worker.wrk_agentid_unique with input as fx.not_collected("WRK2")
	fx.only(rs, "WRK1", "unknown")
	fx.only(rs, "WRK2", "unknown")
}

# --- WRK-SERVICE-VERSION ---------------------------------------------------------------------------

svc(w, kv) := fx.node_patch(w, {"services": {"SSISScaleOutWorker150": kv}})

test_service_version_pass if {
	fx.all_pass(worker.wrk_service_version) with input as fx.healthy
}

test_service_version_fail_stopped if {
	rs := worker.wrk_service_version with input as svc("WRK1", {"State": "Stopped"})
	fx.only(rs, "WRK1", "fail")
	fx.result(rs, "WRK1").fix == {"id": "start-worker", "target": "WRK1", "params": {"service": "SSISScaleOutWorker150"}}
}

test_service_version_fail_old_version if {
	rs := worker.wrk_service_version with input as svc("WRK1", {"version": "140", "Name": "SSISScaleOutWorker140"})
	fx.only(rs, "WRK1", "fail")
	fx.result(rs, "WRK1").fix.id == "manual"
}

test_service_version_fail_absent if {
	rs := worker.wrk_service_version with input as fx.set(["nodes", "WRK1", "services"], {})
	fx.only(rs, "WRK1", "fail")
}

test_service_version_unknown if {
	rs := worker.wrk_service_version with input as fx.missing("WRK1", "services")
	fx.only(rs, "WRK1", "unknown")
}

# --- WRK-REGISTERED-ENABLED-ONLINE -------------------------------------------------------------------

agents(rows) := fx.set(["sql", "SQLN1", "queries", "ssisdb_worker_agents", "rows"], rows)

agent_row(i, col, v) := fx.set(["sql", "SQLN1", "queries", "ssisdb_worker_agents", "rows", i, col], v)

test_registered_pass if {
	fx.all_pass(worker.wrk_registered_enabled_online) with input as fx.healthy
}

test_registered_fail_disabled if {
	rs := worker.wrk_registered_enabled_online with input as agent_row(1, "IsEnabled", false)
	fx.only(rs, "WRK2", "fail")
	fx.only(rs, "WRK1", "pass")
	fx.result(rs, "WRK2").fix == {"id": "sql-enable-worker-agent", "target": "SQLN1", "params": {"agent_id": lower(fx.agent2)}}
}

test_registered_fail_offline if {
	rs := worker.wrk_registered_enabled_online with input as agent_row(0, "LastOnlineTime", "2026-11-27T09:50:00Z")
	fx.only(rs, "WRK1", "fail")
	fx.result(rs, "WRK1").fix == {"id": "start-worker", "target": "WRK1", "params": {"service": "SSISScaleOutWorker150"}}
}

test_registered_fail_not_registered if {
	rs := worker.wrk_registered_enabled_online with input as agents([fx.healthy.sql.SQLN1.queries.ssisdb_worker_agents.rows[0]])
	fx.only(rs, "WRK2", "fail")
	fx.result(rs, "WRK2").fix.id == "manual"
}

test_registered_unknown_no_rows if {
	rs := worker.wrk_registered_enabled_online with input as agents([])
	fx.only(rs, "WRK1", "unknown")
	contains(fx.result(rs, "WRK1").missing[0], "ssis_cluster_executor")
}

# --- WRK-HA-MIN-COUNT ------------------------------------------------------------------------------------

test_min_count_pass if {
	fx.all_pass(worker.wrk_ha_min_count) with input as fx.healthy
}

test_min_count_fail if {
	rs := worker.wrk_ha_min_count with input as agent_row(1, "LastOnlineTime", "2026-11-26T10:00:00Z")
	[r.status | some r in rs] == ["fail"]
	[r.subject | some r in rs] == [{"kind": "deployment", "object": "catalog.worker_agents/online"}]
}

test_min_count_unknown if {
	rs := worker.wrk_ha_min_count with input as fx.set(["sql", "SQLN1", "missing"], {"ssisdb_worker_agents": "permission denied"}) with input.sql.SQLN1.queries.ssisdb_worker_agents as null
	[r.status | some r in rs] == ["unknown"]
}

# --- lib/worker_fast: the fast path gives the general path's results ------------------

wrk_rules := [
	"wrk_masterendpoint", "wrk_endpoint_host_in_master_cert", "wrk_master_thumbprint",
	"wrk_trusts_master_cert", "wrk_own_cert", "wrk_cert_validity", "wrk_agentid_unique",
	"wrk_service_version", "wrk_registered_enabled_online", "wrk_ha_min_count",
]

# every healthy worker of the fixtures takes the fast path ...
test_fast_path_taken if {
	wf.fast with input as hx
	count(wf.healthy) == count(fx.healthy.deployment.worker_nodes) with input as hx
	count(wf.others) == 0 with input as hx
	wf.fast with input as hx_fci
	count(wf.others) == 0 with input as hx_fci
}

# ... and yields what the general bodies yield for it
test_fast_path_same_results if {
	every name in wrk_rules {
		fast := worker[name] with input as hx
		general := worker[name] with input as hx with wf.fast as false
		fast == general
		count(fast) > 0
	}
}

test_fast_path_same_results_fci if {
	every name in wrk_rules {
		fast := worker[name] with input as hx_fci
		general := worker[name] with input as hx_fci with wf.fast as false
		fast == general
	}
}

# a healthy worker's info from references alone (fast_info): the keys it
# shares with slow(w) have the same values, and the others are what the
# helpers give (and nothing else)
test_info_fast_equals_slow if {
	shared := {"ev", "host", "agent_id", "aid_key", "row", "hb", "thumb", "store", "acct"}
	object.keys(wf.fast_info) == {w | some w in fx.healthy.deployment.worker_nodes} with input as hx
	count(wf.slow_info) == 0 with input as hx
	every w in fx.healthy.deployment.worker_nodes {
		fast := wf.fast_info[w] with input as hx
		slow := wf.slow(w) with input as hx
		fast == wf.info[w] with input as hx
		object.keys(fast) == shared | {"raw", "cnames", "lot", "readers", "nb", "na", "name", "version", "state"}
		every k in shared {
			fast[k] == slow[k]
		}
		slow.cfg_missing == []
		slow.nthumb == fast.thumb
		fast.raw == slow.ep.raw
		fast.cnames == names.cert_names(slow.mcert)
		fast.lot == slow.row.LastOnlineTime
		fast.readers == wf.key_readers(slow.own)
		fast.nb == slow.vcert.not_before
		fast.na == slow.vcert.not_after
		fast.name == slow.svc.Name
		fast.version == slow.svc.version
		fast.state == slow.svc.State
	}
}

# facts without service_kinds (by hand, or from an older version): the same
# info ...
test_info_without_service_kinds if {
	plain := wf.fast_info with input as fx.healthy
	plain == wf.fast_info with input as hx
	count(wf.healthy) == 2 with input as fx.healthy
}

# ... and the WRK-* results are the same as with them
test_results_without_service_kinds if {
	every inp in [
		fx.healthy,
		fx.healthy_fci,
		wset("WRK2", {"master_thumbprint": fx.ca_t}),
		wset("WRK2", {"agent_id": lower(fx.agent1)}),
		svc("WRK1", {"State": "Stopped"}),
		svc("WRK1", {"version": "140", "Name": "SSISScaleOutWorker140"}),
		fx.set(["nodes", "WRK1", "services"], {}),
		fx.missing("WRK1", "services"),
		fx.not_collected("WRK2"),
		agent_row(1, "IsEnabled", false),
		my_cert("WRK1", fx.w1t, {"has_private_key": false}),
		fx.set(["deployment", "master_thumbprint"], ""),
	] {
		every name in wrk_rules {
			rs := worker[name] with input as inp
			rs == worker[name] with input as indexed(inp)
		}
	}
}

# wf.worker_svcs: facts.service(w, "worker") of the workers that have one,
# with service_kinds and without
test_worker_svcs_as_facts if {
	every inp in [
		fx.healthy,
		fx.healthy_fci,
		svc("WRK1", {"State": "Stopped"}),
		fx.set(["nodes", "WRK1", "services"], {}),
		fx.set(["nodes", "WRK1", "services", "SSISScaleOutWorker140"], object.union(fx.healthy.nodes.WRK1.services.SSISScaleOutWorker150, {"Name": "SSISScaleOutWorker140", "version": "140"})),
		fx.missing("WRK1", "services"),
		fx.not_collected("WRK2"),
		fx.remove(["nodes", "WRK2"]),
	] {
		every x in [inp, indexed(inp)] {
			want := {w: s | some w in fx.healthy.deployment.worker_nodes; s := facts.service(w, "worker"); s != null} with input as x
			want == wf.worker_svcs with input as x
		}
	}
	count(wf.worker_svcs) == 2 with input as hx
}

# a worker that fails one check takes the general path, with slow(w) as its info
test_info_unhealthy_worker if {
	inp := indexed(wset("WRK2", {"master_thumbprint": fx.ca_t}))
	wf.fast with input as inp
	object.keys(wf.others) == {"WRK2"} with input as inp
	object.keys(wf.healthy) == {"WRK1"} with input as inp
	wf.info.WRK2 == wf.slow("WRK2") with input as inp
	object.keys(wf.slow_info) == {"WRK2"} with input as inp
	wf.info.WRK1 == wf.fast_info.WRK1 with input as inp
}

# without the deployment facts (fast), every worker takes the general path
# with slow(w) as its info, healthy or not
test_others_not_fast if {
	inp := indexed(wset("WRK2", {"master_thumbprint": fx.ca_t}))
	wf.fast_info.WRK1 with input as inp
	wf.others == {w: wf.slow(w) | some w in ["WRK1", "WRK2"]} with input as inp with wf.fast as false
	wf.others_aid == {w: wf.slow(w) | some w in ["WRK1", "WRK2"]} with input as inp with wf.fast as false
	count(wf.healthy) == 0 with input as inp with wf.fast as false
}

# sql.online_b is sql.agent_online for RFC 3339 times a second or more inside the
# window; at its edge and for other forms it is false (and the rules ask sql).
test_online_as_sql if {
	every lot in ["2026-11-27T09:59:00Z", "2026-11-27T09:57:01.5+00:00", "2026-11-27T10:00:00Z"] {
		sql.online_b(60, lot) with input as fx.healthy
		sql.agent_online({"LastOnlineTime": lot}, 60) with input as fx.healthy
	}
	every lot in ["2026-11-27T09:57:00Z", "2026-11-27 09:59:00", "2026-11-27T09:59:00"] {
		not sql.online_b(60, lot) with input as fx.healthy
		sql.agent_online({"LastOnlineTime": lot}, 60) with input as fx.healthy
	}
	every lot in ["2026-11-27T09:56:59Z", "2026-11-27T10:00:01Z", ""] {
		not sql.online_b(60, lot) with input as fx.healthy
		not sql.agent_online({"LastOnlineTime": lot}, 60) with input as fx.healthy
	}
}

# fast_info's inline online check is online_b's: a worker with a
# LastOnlineTime is healthy exactly when online_b(its heartbeat, it)
test_fast_info_online_as_online_b if {
	hb := fx.healthy.nodes.WRK1.configs.worker.worker.agent_heartbeat_seconds
	every lot in [
		"2026-11-27T09:59:00Z", "2026-11-27T09:57:01.5+00:00", "2026-11-27T10:00:00Z", "2026-11-27T09:59:00.4170000+00:00",
		"2026-11-27T09:57:00Z", "2026-11-27T09:56:59Z", "2026-11-27T10:00:01Z", "2026-11-27T11:00:00+01:00",
		"2026-11-27 09:59:00", "2026-11-27T09:59:00", "1969-12-31T23:59:59Z", "", 7, null,
	] {
		inp := indexed(agent_row(0, "LastOnlineTime", lot))
		healthy := object.keys(wf.fast_info) with input as inp
		is_healthy := "WRK1" in healthy
		is_healthy == sql.online_b(hb, lot) with input as inp
	}
	lot1 := fx.healthy.sql.SQLN1.queries.ssisdb_worker_agents.rows[0].LastOnlineTime
	every hb2 in [60, 1, 0, -60, "60"] {
		inp := indexed(wset("WRK1", {"agent_heartbeat_seconds": hb2}))
		healthy := object.keys(wf.fast_info) with input as inp
		is_healthy := "WRK1" in healthy
		is_healthy == sql.online_b(hb2, lot1) with input as inp
	}
}

test_cert_names_as_names if {
	wf.cert_names(["a", 1, "b"], ["c"]) == names.cert_names({"cns": ["a", 1, "b"], "san_dns": ["c"]})
	wf.cert_names([], []) == []
}

# a cloned worker's AgentId takes both clones (only) to the general path
test_dup_aid_keys if {
	inp := indexed(wset("WRK2", {"agent_id": sprintf("{%s}", [upper(fx.agent1)])}))
	wf.dup_aid_keys == {lower(fx.agent1)} with input as inp
	count(wf.healthy_aid) == 0 with input as inp
	object.keys(wf.others_aid) == {"WRK1", "WRK2"} with input as inp
	wf.others_aid.WRK1 == wf.slow("WRK1") with input as inp
	count(wf.dup_aid_keys) == 0 with input as hx
	object.keys(wf.healthy_aid) == {"WRK1", "WRK2"} with input as hx
}

# wf.aids_unique: no two workers' AgentIds are the same (normalized);
# wf.workers_cfg_missing is facts.workers_cfg_missing; healthy_aid and
# others_aid split the workers by dup_aid_keys; hb_by_key is the heartbeat
# of the first worker with each AgentId
test_aids_and_cfg_missing if {
	every inp in [
		fx.healthy,
		fx.healthy_fci,
		wset("WRK2", {"agent_id": sprintf("{%s}", [upper(fx.agent1)])}),
		wset("WRK2", {"agent_id": lower(fx.agent1), "master_thumbprint": fx.ca_t}),
		wset("WRK2", {"master_thumbprint": fx.ca_t}),
		wset("WRK2", {"agent_id": ""}),
		fx.parse_error("WRK1", "worker"),
		fx.not_collected("WRK2"),
	] {
		every x in [inp, indexed(inp)] {
			dup := wf.dup_aid_keys with input as x
			u := {b | b := wf.aids_unique} with input as x
			u == {b | b := count(dup) == 0; b}
			cm := wf.workers_cfg_missing with input as x
			cm == facts.workers_cfg_missing with input as x
			h := wf.healthy with input as x
			want := {w: i | count(cm) == 0; some w, i in h; not dup[i.aid_key]}
			want == wf.healthy_aid with input as x
			object.keys(wf.others_aid) == {w | some w in fx.healthy.deployment.worker_nodes; not want[w]} with input as x
			hbs := {k: sql.heartbeat_secs(ws[0]) | some k, ws in sql.workers_by_guid} with input as x
			hbs == wf.hb_by_key with input as x
		}
	}
}

# sql.agents_by_guid before its common case was built first (the oracle).
agents_by_guid_reference := {k: agents |
	some a0 in sql.rows(sql.prim, "ssisdb_worker_agents")
	k := names.norm_guid(facts.str(a0.WorkerAgentId))
	k != ""
	agents := [a | some a in sql.rows(sql.prim, "ssisdb_worker_agents"); k = names.norm_guid(facts.str(a.WorkerAgentId))]
}

# sql.agents_by_guid is the oracle: one row per AgentId, and duplicated,
# non-string, empty and braced AgentIds, rows that are not objects
test_agents_by_guid_as_sql if {
	row := fx.healthy.sql.SQLN1.queries.ssisdb_worker_agents.rows[0]
	braced := object.union(row, {"WorkerAgentId": sprintf(" {%s} ", [upper(row.WorkerAgentId)])})
	every inp in [
		fx.healthy,
		agents([row, row]),
		agents([braced, row]),
		agents([object.union(row, {"WorkerAgentId": 7}), row]),
		agents([object.union(row, {"WorkerAgentId": ""}), row]),
		agents([braced]),
		agents([]),
		agents([null, row]),
		agents(["x", 5, row]),
		agents([object.union(row, {"WorkerAgentId": null})]),
		agents([object.union(row, {"WorkerAgentId": "{}"}), row]),
		agents([object.remove(row, ["WorkerAgentId"]), braced]),
		fx.set(["sql", "SQLN1", "queries", "ssisdb_worker_agents", "rows"], null),
		fx.set(["sql", "SQLN1", "queries", "ssisdb_worker_agents", "rows"], {"a": row}),
		fx.remove(["sql"]),
	] {
		sql.agents_by_guid == agents_by_guid_reference with input as inp
	}
	count(sql.agents_by_guid) > 0 with input as fx.healthy
}

# wf.online_agents is sql.online_agents: from the healthy workers' rows, and
# row by row when a row is not a healthy worker's (disabled, offline, with
# another heartbeat, not a string MachineName, a row without a worker, two
# rows or two workers with one AgentId)
test_online_agents_as_sql if {
	row := fx.healthy.sql.SQLN1.queries.ssisdb_worker_agents.rows[0]
	every inp in [
		fx.healthy,
		fx.healthy_fci,
		agent_row(1, "IsEnabled", false),
		agent_row(0, "LastOnlineTime", "2026-11-27T09:50:00Z"),
		agent_row(0, "LastOnlineTime", "2026-11-27 09:59:00"),
		agent_row(1, "MachineName", 7),
		agent_row(1, "MachineName", null),
		wset("WRK1", {"agent_heartbeat_seconds": 1}),
		wset("WRK1", {"agent_heartbeat_seconds": 0}),
		agents([row]),
		agents(array.concat(fx.healthy.sql.SQLN1.queries.ssisdb_worker_agents.rows, [object.union(row, {"WorkerAgentId": "11111111-2222-3333-4444-555555555555", "MachineName": "WRK9"})])),
		agents(array.concat(fx.healthy.sql.SQLN1.queries.ssisdb_worker_agents.rows, [object.union(row, {"WorkerAgentId": ""})])),
		agents(array.concat(fx.healthy.sql.SQLN1.queries.ssisdb_worker_agents.rows, [row])),
		wset("WRK2", {"agent_id": lower(fx.agent1)}),
		fx.not_collected("WRK2"),
		agents([]),
	] {
		want := sql.online_agents with input as inp
		want == wf.online_agents with input as inp
		want == wf.online_agents with input as indexed(inp)
	}

	# (the healthy workers' rows, without looking at a row on its own)
	wf.online_agents == ["WRK1", "WRK2"] with input as hx with wf.online_name as "X"
	wf.online_agents == ["X", "X"] with input as agent_row(1, "MachineName", null) with wf.online_name as "X"
}

# the checks of shared values: false (not undefined) when one fails
test_shared_checks if {
	wf.service_ok(fx.healthy.deployment.master_version, "Running") with input as fx.healthy
	wf.service_ok("140", "Running") == false with input as fx.healthy
	wf.service_ok(null, "Running") == false with input as fx.healthy
	wf.service_ok(fx.healthy.deployment.master_version, "Stopped") == false with input as fx.healthy
	wf.key_ok(false, ["Everyone"], "NT Service\\SSISScaleOutWorker150") == false
	wf.key_ok(true, [], "NT Service\\SSISScaleOutWorker150") == false
	wf.endpoint_ok(["ssismaster.contoso.com"], {"valid": true, "scheme": "HTTPS", "port": 8391, "host": "ssismaster.contoso.com"}) with input as fx.healthy
	wf.key_ok(true, ["Everyone"], "NT Service\\SSISScaleOutWorker150")
	ep := {"valid": true, "scheme": "https", "port": 8391, "host": "ssismaster.contoso.com"}
	v := fx.healthy.deployment.master_version
	wf.shared_ok(["ssismaster.contoso.com"], ep, true, ["Everyone"], "NT Service\\SSISScaleOutWorker150", v, "Running") with input as fx.healthy
	wf.shared_ok(["ssismaster.contoso.com"], ep, true, ["Everyone"], "NT Service\\SSISScaleOutWorker150", v, "Stopped") == false with input as fx.healthy
	wf.shared_ok(["ssismaster.contoso.com"], ep, false, ["Everyone"], "NT Service\\SSISScaleOutWorker150", v, "Running") == false with input as fx.healthy
	wf.shared_ok([], ep, true, ["Everyone"], "NT Service\\SSISScaleOutWorker150", v, "Running") == false with input as fx.healthy
	wf.endpoint_ok([], {"valid": true, "scheme": "https", "port": 8391, "host": "ssismaster.contoso.com"}) == false with input as fx.healthy
	wf.endpoint_ok(["ssismaster.contoso.com"], {"valid": true, "scheme": "http", "port": 8391, "host": "ssismaster.contoso.com"}) == false with input as fx.healthy
}

# facts.worker_service_problems before its common case was checked first (the oracle).
worker_service_problems_reference(svc) := [sprintf("no SSISScaleOutWorker%s service is installed", [facts.master_version])] if {
	svc == null
} else := array.concat(
	[sprintf("it runs %s, but the master is version %s", [svc.Name, facts.master_version]) | facts.str(facts.get(svc, "version", "")) != facts.master_version],
	[sprintf("%s is %s, not Running", [svc.Name, facts.str(facts.get(svc, "State", ""))]) | not facts.running(svc)],
)

test_worker_service_problems_same_as_reference if {
	every mv in ["15.0", "", 15, null] {
		every svc in [
			null, {}, [], "x", 5, true,
			{"Name": "S", "version": "15.0", "State": "Running"}, {"Name": "S", "version": "15.0", "State": "RUNNING"},
			{"Name": "S", "version": "15.0", "State": "Stopped"}, {"Name": "S", "version": "14.0", "State": "Running"},
			{"Name": "S", "version": 15, "State": "Running"}, {"Name": "S", "version": null, "State": "Running"},
			{"Name": "S", "version": "", "State": "Running"}, {"Name": "S", "State": "Running"}, {"Name": "S", "version": "15.0"},
			{"Name": "S", "version": "15.0", "State": null}, {"Name": "S", "version": "15.0", "State": 4},
			{"version": "15.0", "State": "Running"}, {"version": "14.0", "State": "Stopped"}, {"Name": 5, "version": "14.0"},
		] {
			facts.worker_service_problems(svc) == worker_service_problems_reference(svc) with input as {"deployment": {"master_version": mv}}
		}
	}
}

# sql.agent_problems before its common case was checked first (the oracle).
agent_problems_reference(a, hb) := ["is not registered in SSISDB.catalog.worker_agents"] if {
	a == null
} else := array.concat(
	["is disabled" | not facts.flag_bool(facts.get(a, "IsEnabled", false))],
	[sql.agent_offline_msg(a, hb) | not sql.agent_online(a, hb)],
)

test_agent_problems_same_as_reference if {
	every en in [true, false, "True", "1", null, 1] {
		every lot in [
			"2026-11-27T09:59:00Z", "2026-11-27T09:57:01.5+00:00", "2026-11-27T10:00:00Z", "2026-11-27T09:59:00.4170000+00:00",
			"2026-11-27T09:57:00Z", "2026-11-27T09:56:59Z", "2026-11-27T10:00:01Z", "2026-11-27T11:00:00+01:00",
			"2026-11-27 09:59:00", "2026-11-27T09:59:00", " 2026-11-27T09:59:00Z", "1969-12-31T23:59:59Z", "", 7, null,
		] {
			every hb in [60, 1, 0, -60, 0.5, "60", null] {
				a := {"IsEnabled": en, "LastOnlineTime": lot, "WorkerAgentId": "x"}
				sql.agent_problems(a, hb) == agent_problems_reference(a, hb) with input as fx.healthy
			}
		}
	}
	every a in [null, {}, "x", [], 5, {"IsEnabled": true}, {"LastOnlineTime": "2026-11-27T09:59:00Z"}] {
		sql.agent_problems(a, 60) == agent_problems_reference(a, 60) with input as fx.healthy
	}
	every inp in [{}, object.remove(fx.healthy, ["bundle"]), {"bundle": {"created_ns": "x"}}, {"bundle": {"created_ns": -1}}] {
		a := {"IsEnabled": true, "LastOnlineTime": "2026-11-27T09:59:00Z"}
		sql.agent_problems(a, 60) == agent_problems_reference(a, 60) with input as inp
	}
}
