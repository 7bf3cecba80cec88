# Rules about the Scale Out Worker nodes: WorkerSettings.config, the master
# certificate as the workers see it, the worker certificate and service.

# METADATA
# scope: package
# custom:
#   weight: 9.4
package ssis.rules.worker

import data.ssis.lib.certs
import data.ssis.lib.facts
import data.ssis.lib.names
import data.ssis.lib.result as res
import data.ssis.lib.sql
import data.ssis.lib.worker_fast as wf

# Each per-worker rule has two bodies: one for the healthy workers
# (wf.healthy: complete facts, every per-worker check passes, the deployment
# facts are there), which builds the passing result from the worker's facts
# read once per query (wf.fast_info) with no helper call, and the general one
# for every other worker. (A healthy body reads the deployment's values it
# shows once, before its loop: a reference to a rule costs more than one to a
# variable.) The passing results of both are the same (see
# test_fast_path_same_results in worker_test.rego).

# METADATA
# title: Workers address the master by its DNS name and port
# description: Every worker's MasterEndpoint is https://<master DNS name>:<master port> (short name or FQDN of that host).
# custom:
#   id: WRK-MASTERENDPOINT
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: HA §2.2, §9
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: set-worker-config
#   why: >-
#     A worker that addresses one master node (or the listener) instead of the master role's DNS name loses the
#     master at the first failover; a wrong scheme or port never reaches it.
#   facts: ["nodes/<WORKER>/files/WorkerSettings.config: MasterEndpoint", "deployment.master_dns", "deployment.master_port"]
#   remediation: Set MasterEndpoint to https://<master DNS name>:<port> in WorkerSettings.config and restart the worker service.
#   tags: [configuration, worker]
wrk_masterendpoint contains r if {
	want := wf.endpoint_want
	some w, wi in wf.healthy
	r := {
		"rule": "WRK-MASTERENDPOINT",
		"status": "pass",
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterEndpoint"},
		"message": sprintf("%s: MasterEndpoint %s addresses the master role.", [w, wi.raw]),
		"observed": wi.raw,
		"expected": want,
		"missing": [],
		"evidence": [wi.ev.MasterEndpoint],
		"fix": null,
	}
}

# (the general body: every other worker)
wrk_masterendpoint contains r if {
	some w, wi in wf.others
	ep := wi.ep
	raw := object.get(ep, "raw", "")
	missing := sql.first2(wi.m.endpoint, wf.endpoint_missing)
	problems := endpoint_problems(object.get(ep, "port", 0), wi.host, ep)
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "WRK-MASTERENDPOINT",
		"status": st,
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterEndpoint"},
		"message": endpoint_msg(st, problems, missing, raw, w),
		"observed": res.observed(st, object.get(ep, "raw", null)),
		"expected": wf.endpoint_want,
		"missing": missing,
		"evidence": [wi.ev.MasterEndpoint],
		"fix": endpoint_fix(st, "MasterEndpoint", wf.endpoint_want, w),
	}
}

# METADATA
# title: The MasterEndpoint host is named in the master certificate
# description: The host in each worker's MasterEndpoint is exactly among the master certificate's CNs or SAN DNS names.
# custom:
#   id: WRK-ENDPOINT-HOST-IN-MASTER-CERT
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: TROUBLE
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/troubleshooting-scale-out
#   fix: set-worker-config
#   why: >-
#     TLS validates the exact host the worker connects to; if the certificate does not carry it the worker fails
#     with "Could not establish trust relationship for the SSL/TLS secure channel".
#   facts: ["nodes/<WORKER>/files/WorkerSettings.config: MasterEndpoint", "nodes/<NODE>/certs/LocalMachine/Root/<MASTER THUMB>.cer: CN, SAN"]
#   remediation: >-
#     Point MasterEndpoint at a name the master certificate carries (the master DNS name), or, if DNS cannot change,
#     issue a new master certificate that carries the endpoint's host.
#   tags: [certificate, tls, worker]
wrk_endpoint_host_in_master_cert contains r if {
	ref := wf.ref
	subject_ev := wf.ref_subject_ev
	some w, wi in wf.healthy
	r := {
		"rule": "WRK-ENDPOINT-HOST-IN-MASTER-CERT",
		"status": "pass",
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterEndpoint"},
		"message": sprintf("%s: the master certificate %s names the MasterEndpoint host %s.", [w, ref, wi.host]),
		"observed": wi.host,
		"expected": wi.cnames,
		"missing": [],
		"evidence": [wi.ev.MasterEndpoint, subject_ev],
		"fix": null,
	}
}

# (the general body: every other worker)
wrk_endpoint_host_in_master_cert contains r if {
	some w, wi in wf.others
	host := wi.host
	cert := wi.mcert
	missing := wi.m.host_cert
	st := res.status(missing, names.cert_has(cert, host))
	cnames := names.cert_names(facts.obj(cert))
	r := {
		"rule": "WRK-ENDPOINT-HOST-IN-MASTER-CERT",
		"status": st,
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterEndpoint"},
		"message": host_cert_msg(st, wf.ref, host, cnames, missing, w),
		"observed": res.observed(st, host),
		"expected": cnames,
		"missing": missing,
		"evidence": [wi.ev.MasterEndpoint, {"artifact": wf.ref_artifact(w), "key": "Subject"}],
		"fix": host_cert_fix(st, cert, w),
	}
}

# METADATA
# title: Workers expect the master's certificate
# description: Every worker's MasterHttpsCertThumbprint equals the master's SSLCertThumbprint.
# custom:
#   id: WRK-MASTER-THUMBPRINT
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: TROUBLE, CERTS §5
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/troubleshooting-scale-out
#   fix: set-worker-config
#   why: A worker accepts only the master certificate named by MasterHttpsCertThumbprint; any other certificate fails the TLS trust check.
#   facts: ["nodes/<WORKER>/files/WorkerSettings.config: MasterHttpsCertThumbprint", "deployment.master_thumbprint"]
#   remediation: Set MasterHttpsCertThumbprint to the master's SSLCertThumbprint and restart the worker service.
#   tags: [certificate, worker]
wrk_master_thumbprint contains r if {
	ref := wf.ref
	some w, wi in wf.healthy
	r := {
		"rule": "WRK-MASTER-THUMBPRINT",
		"status": "pass",
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterHttpsCertThumbprint"},
		"message": sprintf("%s expects the master certificate %s.", [w, ref]),
		"observed": ref,
		"expected": ref,
		"missing": [],
		"evidence": [wi.ev.MasterHttpsCertThumbprint],
		"fix": null,
	}
}

# (the general body: every other worker)
wrk_master_thumbprint contains r if {
	some w, wi in wf.others
	got := wi.mthumb
	ref := wf.ref
	missing := wi.m.master_thumb
	st := res.status(missing, certs.same(got, ref))
	r := {
		"rule": "WRK-MASTER-THUMBPRINT",
		"status": st,
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterHttpsCertThumbprint"},
		"message": master_thumb_msg(st, got, ref, missing, w),
		"observed": res.observed(st, got),
		"expected": ref,
		"missing": missing,
		"evidence": [wi.ev.MasterHttpsCertThumbprint],
		"fix": endpoint_fix(st, "MasterHttpsCertThumbprint", ref, w),
	}
}

# METADATA
# title: Workers trust the master certificate
# description: The master certificate is in every worker's LocalMachine\Root.
# custom:
#   id: WRK-TRUSTS-MASTER-CERT
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: TROUBLE
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/troubleshooting-scale-out
#   fix: trust-master-cert
#   why: The master's certificate is self-signed; a worker trusts it only if it is in the worker's LocalMachine\Root store.
#   facts: ["nodes/<WORKER>/certs/LocalMachine/Root/<MASTER THUMB>.cer"]
#   remediation: Import SSISScaleOutMaster.cer (the master certificate's public part) into the worker's LocalMachine\Root and restart the worker.
#   tags: [certificate, worker]
wrk_trusts_master_cert contains r if {
	ref := wf.ref
	some w, _ in wf.healthy
	r := {
		"rule": "WRK-TRUSTS-MASTER-CERT",
		"status": "pass",
		"subject": {"kind": "worker", "node": w, "object": "LocalMachine/Root/master-certificate"},
		"message": sprintf("%s trusts the master certificate %s.", [w, ref]),
		"observed": true,
		"expected": true,
		"missing": [],
		"evidence": [{"artifact": sprintf("nodes/%s/certs/LocalMachine/Root/%s.cer", [w, ref])}],
		"fix": null,
	}
}

# (the general body: every other worker)
wrk_trusts_master_cert contains r if {
	some w, wi in wf.others
	ref := wf.ref
	present := is_object(wi.root_mt)
	missing := wi.m.trusts
	st := res.status(missing, present)
	r := {
		"rule": "WRK-TRUSTS-MASTER-CERT",
		"status": st,
		"subject": {"kind": "worker", "node": w, "object": "LocalMachine/Root/master-certificate"},
		"message": trusts_msg(st, ref, missing, w),
		"observed": res.observed(st, present),
		"expected": true,
		"missing": missing,
		"evidence": [{"artifact": sprintf("nodes/%s/certs/LocalMachine/Root/%s.cer", [w, ref])}],
		"fix": trusts_fix(st, ref, w),
	}
}

# METADATA
# title: The worker certificate is installed with a usable private key
# description: WorkerHttpsCertThumbprint is in the configured store with its private key, readable by the worker account when the key's readers are known.
# custom:
#   id: WRK-OWN-CERT
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: CERTS
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/deal-with-certificates-in-ssis-scale-out
#   fix: replace-worker-cert
#   why: >-
#     The worker authenticates to the master with this certificate; without it, without its private key, or when the
#     worker account cannot read the key, the worker fails with "Could not create SSL/TLS secure channel".
#   facts: ["nodes/<WORKER>/files/WorkerSettings.config: WorkerHttpsCertThumbprint, StoreLocation, StoreName", "nodes/<WORKER>/certs/<Location>/<Store>/<THUMB>.json: HasPrivateKey, PrivateKeyReaders"]
#   remediation: >-
#     Create a new worker certificate in LocalMachine\My, grant the worker account access to its key, update
#     WorkerHttpsCertThumbprint, trust it on every master node and restart the worker.
#   tags: [certificate, worker]
wrk_own_cert contains r if {
	some w, wi in wf.healthy
	r := {
		"rule": "WRK-OWN-CERT",
		"status": "pass",
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/WorkerHttpsCertThumbprint"},
		"message": sprintf("%s has its certificate %s in %s with a private key the worker can use.", [w, wi.thumb, wi.store]),
		"observed": own_cert_observed(wi.readers),
		"expected": own_cert_expected(wi.acct),
		"missing": [],
		"evidence": [wi.ev.WorkerHttpsCertThumbprint, {"artifact": sprintf("nodes/%s/certs/%s/%s.cer", [w, wi.store, wi.thumb])}],
		"fix": null,
	}
}

# (the general body: every other worker)
wrk_own_cert contains r if {
	some w, wi in wf.others
	wt := wi.thumb
	store := wi.store
	cert := wi.own
	acct := wi.acct
	readers := wf.key_readers(cert)
	problems := certs.worker_cert_problems(cert, store, readers, acct)
	missing := wi.m.own_cert
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "WRK-OWN-CERT",
		"status": st,
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/WorkerHttpsCertThumbprint"},
		"message": own_cert_msg(st, store, problems, missing, wt, w),
		"observed": res.observed(st, {"in_store": is_object(cert), "has_private_key": facts.get(cert, "has_private_key", null), "readers": readers}),
		"expected": own_cert_expected(acct),
		"missing": missing,
		"evidence": [wi.ev.WorkerHttpsCertThumbprint, {"artifact": sprintf("nodes/%s/certs/%s/%s.cer", [w, store, wi.nthumb])}],
		"fix": own_cert_fix(st, store, acct, problems, cert, w),
	}
}

# METADATA
# title: The worker certificate is valid
# description: Each worker's certificate is within its validity period at collection time; high within 30 days of expiry, critical once expired.
# custom:
#   id: WRK-CERT-VALIDITY
#   severity: high
#   variant: both
#   profiles: [ha]
#   source: CERTS
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/deal-with-certificates-in-ssis-scale-out
#   fix: replace-worker-cert
#   why: An expired worker certificate is rejected by the master, and that worker stops taking packages.
#   facts: ["nodes/<WORKER>/certs/<Location>/<Store>/<THUMB>.cer: NotBefore, NotAfter", "bundle.created_utc"]
#   remediation: Replace the worker certificate (CERTS "Change the Scale Out Worker certificate") and trust the new one on every master node.
#   tags: [certificate, expiry, worker]
wrk_cert_validity contains r if {
	some w, wi in wf.healthy
	r := {
		"rule": "WRK-CERT-VALIDITY",
		"status": "pass",
		"subject": {"kind": "worker", "node": w, "object": "worker-certificate"},
		"message": sprintf("%s: the worker certificate %s is valid until %s.", [w, wi.thumb, wi.na]),
		"observed": {"not_before": wi.nb, "not_after": wi.na, "state": "valid"},
		"expected": "valid for more than 30 days after collection",
		"missing": [],
		"evidence": [{"artifact": sprintf("nodes/%s/certs/%s/%s.cer", [w, wi.store, wi.thumb]), "key": "NotAfter"}],
		"fix": null,
	}
}

# (the general body: every other worker)
wrk_cert_validity contains r if {
	some w, wi in wf.others
	wt := wi.thumb
	store := wi.store
	cert := wi.vcert
	v := certs.validity_of(cert, facts.created_ns)
	missing := wi.m.validity
	st := res.status(missing, v == "valid")
	base := {
		"rule": "WRK-CERT-VALIDITY",
		"status": st,
		"subject": {"kind": "worker", "node": w, "object": "worker-certificate"},
		"message": validity_msg(st, v, missing, wt, cert, w),
		"observed": res.observed(st, validity_observed(v, cert)),
		"expected": "valid for more than 30 days after collection",
		"missing": missing,
		"evidence": [{"artifact": sprintf("nodes/%s/certs/%s/%s.cer", [w, store, wi.nthumb]), "key": "NotAfter"}],
		"fix": validity_fix(st, store, w),
	}
	r := res.with_severity(st, base, object.get(certs.validity_severity, v, "high"))
}

# METADATA
# title: Every worker has its own AgentId
# description: No two workers share an AgentId.
# custom:
#   id: WRK-AGENTID-UNIQUE
#   severity: high
#   variant: both
#   profiles: [ha]
#   source: WORKER
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/integration-services-ssis-scale-out-worker
#   fix: manual
#   why: >-
#     SSISDB identifies a worker by its AgentId; cloned workers that share one collide in catalog.worker_agents, so
#     only one of them is seen, enabled and given work.
#   facts: ["nodes/<WORKER>/files/WorkerSettings.config: AgentId"]
#   remediation: >-
#     Reinstall Scale Out Worker on the cloned node (or give it a new AgentId and a new worker certificate), trust the
#     new certificate on every master node, and enable the new worker agent.
#   tags: [worker, identity]
wrk_agentid_unique contains r if {
	some w, wi in wf.healthy_aid
	r := {
		"rule": "WRK-AGENTID-UNIQUE",
		"status": "pass",
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/AgentId"},
		"message": sprintf("%s: AgentId %s is not used by another worker.", [w, wi.agent_id]),
		"observed": wi.agent_id,
		"expected": "an AgentId no other worker uses",
		"missing": [],
		"evidence": [wi.ev.AgentId],
		"fix": null,
	}
}

# (the general body: every other worker)
wrk_agentid_unique contains r if {
	some w, wi in wf.others_aid
	aid := wi.agent_id
	peers := wf.peers(aid, w)
	missing := agentid_missing(wi.m.agentid, peers, w)
	st := res.status(missing, count(peers) == 0)
	r := {
		"rule": "WRK-AGENTID-UNIQUE",
		"status": st,
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/AgentId"},
		"message": agentid_msg(st, peers, missing, aid, w),
		"observed": res.observed(st, aid),
		"expected": "an AgentId no other worker uses",
		"missing": missing,
		"evidence": agentid_evidence(peers, wi.ev.AgentId),
		"fix": agentid_fix(st, peers, w),
	}
}

# METADATA
# title: Workers run the master's Scale Out version
# description: Every worker runs SSISScaleOutWorker<VER> of the master's version, and it is running.
# custom:
#   id: WRK-SERVICE-VERSION
#   severity: high
#   variant: both
#   profiles: [ha]
#   source: HA upgrade
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: start-worker
#   why: A stopped worker takes no packages; a worker of another version than the master is not supported after an upgrade.
#   facts: ["nodes/<WORKER>/services.json: SSISScaleOutWorker<VER> State, StartMode", "deployment.master_version"]
#   remediation: Start the worker service (startup type Automatic); upgrade the worker to the master's version when they differ.
#   tags: [service, version, worker]
wrk_service_version contains r if {
	expected := wf.service_expected
	some w, wi in wf.healthy
	r := {
		"rule": "WRK-SERVICE-VERSION",
		"status": "pass",
		"subject": {"kind": "worker", "node": w, "object": "service:SSISScaleOutWorker"},
		"message": sprintf("%s runs %s, the master's version.", [w, wi.name]),
		"observed": service_observed_of(wi.name, wi.version, wi.state),
		"expected": expected,
		"missing": [],
		"evidence": [{"artifact": sprintf("nodes/%s/services.json", [w]), "key": sprintf("%s.State", [wi.name])}],
		"fix": null,
	}
}

# (the general body: every other worker)
wrk_service_version contains r if {
	some w, wi in wf.others
	svc := wi.svc
	problems := facts.worker_service_problems(svc)
	missing := wi.m.service
	st := res.status(missing, count(problems) == 0)
	name := facts.get(svc, "Name", "")
	r := {
		"rule": "WRK-SERVICE-VERSION",
		"status": st,
		"subject": {"kind": "worker", "node": w, "object": "service:SSISScaleOutWorker"},
		"message": service_msg(st, problems, missing, name, w),
		"observed": res.observed(st, service_observed(svc)),
		"expected": wf.service_expected,
		"missing": missing,
		"evidence": [{"artifact": sprintf("nodes/%s/services.json", [w]), "key": sprintf("%s.State", [name])}],
		"fix": service_fix(st, problems, svc, w),
	}
}

# METADATA
# title: Each worker is registered, enabled and online in SSISDB
# description: Each worker's AgentId is in catalog.worker_agents, enabled, last online within 3 × AgentHeartbeatInterval of collection.
# custom:
#   id: WRK-REGISTERED-ENABLED-ONLINE
#   severity: high
#   variant: both
#   profiles: [ha]
#   source: TROUBLE
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/troubleshooting-scale-out
#   fix: sql-enable-worker-agent
#   why: The master gives work only to registered, enabled workers that report in; others sit idle and executions may never start.
#   facts: ["nodes/<WORKER>/files/WorkerSettings.config: AgentId, AgentHeartbeatInterval", "sql/<PRIMARY>/ssisdb_worker_agents: WorkerAgentId, IsEnabled, LastOnlineTime", "bundle.created_utc"]
#   remediation: >-
#     Register the worker with Scale Out Manager, enable it (EXEC SSISDB.catalog.enable_worker_agent @WorkerAgentId),
#     and start its service if it is not reporting.
#   tags: [worker, ssisdb]
wrk_registered_enabled_online contains r if {
	agents_artifact := wf.agents_artifact
	some w, wi in wf.healthy
	r := {
		"rule": "WRK-REGISTERED-ENABLED-ONLINE",
		"status": "pass",
		"subject": {"kind": "worker", "node": w, "object": "catalog.worker_agents"},
		"message": sprintf("%s (agent %s) is registered, enabled and was online at %s.", [w, wi.agent_id, wi.lot]),
		"observed": wi.row,
		"expected": registered_expected(wi.hb),
		"missing": [],
		"evidence": [wi.ev.AgentId, {"artifact": agents_artifact, "key": wi.agent_id}],
		"fix": null,
	}
}

# (the general body: every other worker)
wrk_registered_enabled_online contains r if {
	some w, wi in wf.others
	aid := wi.agent_id
	row := wi.row
	hb := wi.hb
	problems := sql.agent_problems(row, hb)
	missing := wi.m.registered
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "WRK-REGISTERED-ENABLED-ONLINE",
		"status": st,
		"subject": {"kind": "worker", "node": w, "object": "catalog.worker_agents"},
		"message": registered_msg(st, problems, missing, aid, row, w),
		"observed": res.observed(st, row),
		"expected": registered_expected(hb),
		"missing": missing,
		"evidence": [wi.ev.AgentId, {"artifact": wf.agents_artifact, "key": aid}],
		"fix": registered_fix(st, problems, row, w),
	}
}

# METADATA
# title: At least two workers are enabled and online
# description: catalog.worker_agents holds at least two enabled workers online within 3 × their heartbeat interval.
# custom:
#   id: WRK-HA-MIN-COUNT
#   severity: medium
#   variant: both
#   profiles: [ha]
#   source: HA intro
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: manual
#   why: Scale Out's worker-side high availability comes from running packages on several workers; with one, its failure stops every execution.
#   facts: ["sql/<PRIMARY>/ssisdb_worker_agents: IsEnabled, LastOnlineTime", "bundle.created_utc"]
#   remediation: Add, enable or start workers until at least two are enabled and online.
#   tags: [worker, availability]
wrk_ha_min_count contains r if {
	online := wf.online_agents
	missing := wf.registered_global_missing
	st := res.status(missing, count(online) >= 2)
	r := {
		"rule": "WRK-HA-MIN-COUNT",
		"status": st,
		"subject": {"kind": "deployment", "object": "catalog.worker_agents/online"},
		"message": min_count_msg(st, online, missing),
		"observed": res.observed(st, count(online)),
		"expected": 2,
		"missing": missing,
		"evidence": [{"artifact": wf.agents_artifact, "key": "IsEnabled"}],
		"fix": min_count_fix(st),
	}
}

# --- values the passing results of most workers share (a function returns
# one object for equal arguments) ---

own_cert_observed(readers) := {"in_store": true, "has_private_key": true, "readers": readers}

own_cert_expected(acct) := {"in_store": true, "has_private_key": true, "readable_by": acct}

service_observed_of(name, version, state) := {"service": name, "version": version, "state": state}

# --- messages, fixes and checks by status (only the ones that are used are
# built); the worker-specific arguments come last (see lib/worker_fast.rego) ---

# WRK-MASTERENDPOINT

endpoint_problems(port, host, ep) := [] if {
	ep.valid == true
	lower(ep.scheme) == "https"
	port == facts.master_port
	facts.any_host(host, facts.master_hosts)
} else := array.concat(
	array.concat(
		[sprintf("it is not a valid URL (%s)", [facts.str(object.get(ep, "error", ""))]) | object.get(ep, "valid", false) != true],
		[sprintf("the scheme is %s, not https", [facts.str(object.get(ep, "scheme", ""))]) | lower(facts.str(object.get(ep, "scheme", ""))) != "https"],
	),
	array.concat(
		[sprintf("host %s is not the master DNS name %s", [host, concat(" or ", facts.master_hosts)]) | not facts.any_host(host, facts.master_hosts)],
		[sprintf("port %v is not the master port %d", [port, facts.master_port]) | port != facts.master_port],
	),
)

endpoint_msg("pass", _, _, raw, w) := sprintf("%s: MasterEndpoint %s addresses the master role.", [w, raw])

endpoint_msg("fail", problems, _, raw, w) := sprintf("%s: MasterEndpoint %s does not address the master role: %s.", [w, raw, concat("; ", problems)])

endpoint_msg("unknown", _, missing, _, w) := res.unknown_message(sprintf("%s: MasterEndpoint could not be checked.", [w]), missing)

# set-worker-config of one key (WRK-MASTERENDPOINT, WRK-MASTER-THUMBPRINT)
endpoint_fix("fail", key, value, w) := {"id": "set-worker-config", "target": w, "params": {"path": facts.worker_path(w), "key": key, "value": value, "service": facts.worker_service_name(w)}}

endpoint_fix(st, _, _, _) := null if st != "fail"

# WRK-ENDPOINT-HOST-IN-MASTER-CERT

host_cert_msg("pass", ref, host, _, _, w) := sprintf("%s: the master certificate %s names the MasterEndpoint host %s.", [w, ref, host])

host_cert_msg("fail", ref, host, cnames, _, w) := sprintf("%s: the master certificate %s does not name the MasterEndpoint host %s (it names %s); TLS to the master fails.", [w, ref, host, concat(", ", cnames)])

host_cert_msg("unknown", _, _, _, missing, w) := res.unknown_message(sprintf("%s: the MasterEndpoint host could not be checked against the master certificate.", [w]), missing)

host_cert_fix("fail", cert, w) := certs.endpoint_fix(w, cert)

host_cert_fix(st, _, _) := null if st != "fail"

# WRK-MASTER-THUMBPRINT

master_thumb_msg("pass", _, ref, _, w) := sprintf("%s expects the master certificate %s.", [w, ref])

master_thumb_msg("fail", got, ref, _, w) := sprintf("%s expects master certificate %s, but the master uses %s; the worker rejects the master.", [w, got, ref])

master_thumb_msg("unknown", _, _, missing, w) := res.unknown_message(sprintf("%s: MasterHttpsCertThumbprint could not be compared.", [w]), missing)

# WRK-TRUSTS-MASTER-CERT

trusts_msg("pass", ref, _, w) := sprintf("%s trusts the master certificate %s.", [w, ref])

trusts_msg("fail", ref, _, w) := sprintf("%s does not have the master certificate %s in LocalMachine\\Root; it cannot establish trust with the master.", [w, ref])

trusts_msg("unknown", _, missing, w) := res.unknown_message(sprintf("%s: its trusted root certificates could not be read.", [w]), missing)

trusts_fix("fail", ref, w) := {"id": "trust-master-cert", "target": w, "params": {"thumbprint": ref, "source_node": facts.reference_node}}

trusts_fix(st, _, _) := null if st != "fail"

# WRK-OWN-CERT

own_cert_msg("pass", store, _, _, wt, w) := sprintf("%s has its certificate %s in %s with a private key the worker can use.", [w, wt, store])

own_cert_msg("fail", _, problems, _, wt, w) := sprintf("%s: the worker certificate %s is not usable: %s.", [w, wt, concat("; ", problems)])

own_cert_msg("unknown", _, _, missing, _, w) := res.unknown_message(sprintf("%s: the worker certificate could not be checked.", [w]), missing)

own_cert_fix("fail", store, acct, problems, cert, w) := certs.worker_cert_fix(w, store, cert, acct, problems)

own_cert_fix(st, _, _, _, _, _) := null if st != "fail"

# WRK-CERT-VALIDITY

validity_observed(v, cert) := {"not_before": object.get(cert, "not_before", ""), "not_after": object.get(cert, "not_after", ""), "state": v} if {
	is_object(cert)
} else := {"not_before": "", "not_after": "", "state": v}

validity_msg("pass", _, _, wt, cert, w) := sprintf("%s: the worker certificate %s is valid until %s.", [w, wt, facts.get(cert, "not_after", "")])

validity_msg("fail", v, _, wt, cert, w) := sprintf("%s: %s", [w, certs.validity_msg("worker certificate", wt, cert, v)])

validity_msg("unknown", _, missing, _, _, w) := res.unknown_message(sprintf("%s: the worker certificate's validity could not be checked.", [w]), missing)

validity_fix("fail", store, w) := {"id": "replace-worker-cert", "target": w, "params": {"worker": w, "store": store, "service": facts.worker_service_name(w)}}

validity_fix(st, _, _) := null if st != "fail"

# WRK-AGENTID-UNIQUE

# what is missing: the worker's own facts, else (when it has no peers) why
# another worker's WorkerSettings.config is unusable.
agentid_missing(own, peers, w) := own if {
	count(own) > 0
} else := [] if {
	count(wf.workers_cfg_missing) == 0
} else := [m |
	count(peers) == 0
	some m in wf.workers_cfg_missing
	not startswith(m, sprintf("nodes/%s/", [w]))
	not startswith(m, sprintf("nodes/%s:", [w]))
]

agentid_evidence(peers, ev) := [ev] if {
	count(peers) == 0
} else := array.concat([ev], [wf.info[o].ev.AgentId | some o in peers])

agentid_msg("pass", _, _, aid, w) := sprintf("%s: AgentId %s is not used by another worker.", [w, aid])

agentid_msg("fail", peers, _, aid, w) := sprintf("%s shares AgentId %s with %s; SSISDB sees them as one worker.", [w, aid, concat(", ", peers)])

agentid_msg("unknown", _, missing, _, w) := res.unknown_message(sprintf("%s: the AgentId could not be compared with the other workers.", [w]), missing)

agentid_fix("fail", peers, w) := res.manual(w, [
	sprintf("%s was probably cloned from %s: reinstall Scale Out Worker on %s (or stop it, set a new GUID as AgentId in %s and create a new worker certificate).", [w, concat(", ", peers), w, facts.worker_path(w)]),
	"Trust the new worker certificate on every master node (LocalMachine\\Root).",
	"Start the worker and enable the new agent with SSISDB.catalog.enable_worker_agent.",
])

agentid_fix(st, _, _) := null if st != "fail"

# WRK-SERVICE-VERSION

service_observed(svc) := {"service": object.get(svc, "Name", null), "version": object.get(svc, "version", null), "state": object.get(svc, "State", null)} if {
	is_object(svc)
} else := {"service": null, "version": null, "state": null}

service_msg("pass", _, _, name, w) := sprintf("%s runs %s, the master's version.", [w, name])

service_msg("fail", problems, _, _, w) := sprintf("%s: %s.", [w, concat("; ", problems)])

service_msg("unknown", _, missing, _, w) := res.unknown_message(sprintf("%s: the worker service could not be checked.", [w]), missing)

service_fix("fail", problems, svc, w) := facts.worker_service_fix(w, svc, problems)

service_fix(st, _, _, _) := null if st != "fail"

# WRK-REGISTERED-ENABLED-ONLINE

registered_expected(hb) := {"IsEnabled": true, "LastOnlineTime": sprintf("within %d s of collection", [3 * hb])}

registered_msg("pass", _, _, aid, row, w) := sprintf("%s (agent %s) is registered, enabled and was online at %s.", [w, aid, facts.get(row, "LastOnlineTime", "")])

registered_msg("fail", problems, _, aid, _, w) := sprintf("%s (agent %s) %s.", [w, aid, concat("; ", problems)])

registered_msg("unknown", _, missing, _, _, w) := res.unknown_message(sprintf("%s: its registration in SSISDB could not be checked.", [w]), missing)

registered_fix("fail", problems, row, w) := sql.agent_fix(w, row, problems)

registered_fix(st, _, _, _) := null if st != "fail"

# WRK-HA-MIN-COUNT

min_count_msg("pass", online, _) := sprintf("%d workers are enabled and online (%s).", [count(online), concat(", ", online)])

min_count_msg("fail", online, _) := sprintf("Only %d worker agent(s) are enabled and online (%s); one worker failure stops Scale Out executions.", [count(online), concat(", ", sql.or_none(online))])

min_count_msg("unknown", _, missing) := res.unknown_message("The worker agents could not be read from SSISDB.", missing)

min_count_fix("fail") := res.manual(facts.primary_label, [
	"Add a Scale Out Worker (or start a stopped one) so that at least two are online.",
	"Enable it: EXEC SSISDB.catalog.enable_worker_agent @WorkerAgentId = '<AgentId>';",
])

min_count_fix(st) := null if st != "fail"
