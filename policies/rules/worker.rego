# Rules about the Scale Out Worker nodes: WorkerSettings.config, the master
# certificate as the workers see it, the worker certificate and service.
package ssis.rules.worker

import data.ssis.lib.certs
import data.ssis.lib.facts
import data.ssis.lib.names
import data.ssis.lib.result as res
import data.ssis.lib.sql

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
	some w in facts.worker_nodes
	wi := facts.worker_info[w]
	ep := wi.ep
	hosts := facts.master_hosts
	mport := facts.master_port
	want := sprintf("https://%s:%d", [array.concat(hosts, [""])[0], mport])
	host := facts.str(object.get(ep, "host", ""))
	port := object.get(ep, "port", 0)
	raw := object.get(ep, "raw", "")
	problems := array.concat(
		array.concat(
			[sprintf("it is not a valid URL (%s)", [facts.str(object.get(ep, "error", ""))]) | object.get(ep, "valid", false) != true],
			[sprintf("the scheme is %s, not https", [facts.str(object.get(ep, "scheme", ""))]) | lower(facts.str(object.get(ep, "scheme", ""))) != "https"],
		),
		array.concat(
			[sprintf("host %s is not the master DNS name %s", [host, concat(" or ", hosts)]) | not facts.any_host(host, hosts)],
			[sprintf("port %v is not the master port %d", [port, mport]) | port != mport],
		),
	)
	r := res.decide({
		"rule": "WRK-MASTERENDPOINT",
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterEndpoint"},
		"missing": facts.first_missing([
			wi.cfg_missing,
			wi.km.MasterEndpoint,
			[m | count(hosts) == 0; some m in facts.master_dns_missing],
			facts.master_port_missing,
		]),
		"ok": count(problems) == 0,
		"pass_msg": sprintf("%s: MasterEndpoint %s addresses the master role.", [w, raw]),
		"fail_msg": sprintf("%s: MasterEndpoint %s does not address the master role: %s.", [w, raw, concat("; ", problems)]),
		"unknown_msg": sprintf("%s: MasterEndpoint could not be checked.", [w]),
		"observed": object.get(ep, "raw", null),
		"expected": want,
		"evidence": [wi.ev.MasterEndpoint],
		"fix": {"id": "set-worker-config", "target": w, "params": {"path": wi.path, "key": "MasterEndpoint", "value": want, "service": wi.svc_name}},
	})
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
	some w in facts.worker_nodes
	wi := facts.worker_info[w]
	host := facts.str(object.get(wi.ep, "host", ""))
	ref := certs.norm_thumb(facts.master_thumbprint)
	cert := certs.lookup(w, ref)
	ok := names.cert_has(cert, host)

	# the fix only for a failure (decide ignores it otherwise)
	fix := array.concat([f | ok != true; f := certs.endpoint_fix(w, cert)], [null])[0]
	r := res.decide({
		"rule": "WRK-ENDPOINT-HOST-IN-MASTER-CERT",
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterEndpoint"},
		"missing": facts.first_missing([
			wi.cfg_missing,
			wi.km.MasterEndpoint,
			facts.missing_if(host == "", sprintf("nodes/%s/files/WorkerSettings.config: MasterEndpoint has no host", [w])),
			facts.master_thumbprint_missing,
			certs.cert_missing(ref, cert),
		]),
		"ok": ok,
		"pass_msg": sprintf("%s: the master certificate %s names the MasterEndpoint host %s.", [w, ref, host]),
		"fail_msg": sprintf("%s: the master certificate %s does not name the MasterEndpoint host %s (it names %s); TLS to the master fails.", [w, ref, host, concat(", ", names.cert_names(facts.obj(cert)))]),
		"unknown_msg": sprintf("%s: the MasterEndpoint host could not be checked against the master certificate.", [w]),
		"observed": host,
		"expected": names.cert_names(facts.obj(cert)),
		"evidence": [wi.ev.MasterEndpoint, {"artifact": certs.cert_artifact(facts.get(certs.locate(ref), "node", w), "LocalMachine/Root", ref), "key": "Subject"}],
		"fix": fix,
	})
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
	some w in facts.worker_nodes
	wi := facts.worker_info[w]
	got := certs.norm_thumb(facts.str(object.get(facts.worker_settings(w), "master_thumbprint", "")))
	ref := certs.norm_thumb(facts.master_thumbprint)
	r := res.decide({
		"rule": "WRK-MASTER-THUMBPRINT",
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterHttpsCertThumbprint"},
		"missing": facts.first_missing([
			wi.cfg_missing,
			wi.km.MasterHttpsCertThumbprint,
			facts.master_thumbprint_missing,
		]),
		"ok": certs.same(got, ref),
		"pass_msg": sprintf("%s expects the master certificate %s.", [w, ref]),
		"fail_msg": sprintf("%s expects master certificate %s, but the master uses %s; the worker rejects the master.", [w, got, ref]),
		"unknown_msg": sprintf("%s: MasterHttpsCertThumbprint could not be compared.", [w]),
		"observed": got,
		"expected": ref,
		"evidence": [wi.ev.MasterHttpsCertThumbprint],
		"fix": {"id": "set-worker-config", "target": w, "params": {"path": wi.path, "key": "MasterHttpsCertThumbprint", "value": ref, "service": wi.svc_name}},
	})
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
	some w in facts.worker_nodes
	ref := certs.norm_thumb(facts.master_thumbprint)
	present := is_object(certs.in_store_or_null(facts.node(w), "LocalMachine/Root", ref))
	r := res.decide({
		"rule": "WRK-TRUSTS-MASTER-CERT",
		"subject": {"kind": "worker", "node": w, "object": "LocalMachine/Root/master-certificate"},
		"missing": facts.first_missing([facts.master_thumbprint_missing, facts.node_missing(w, ["certs/LocalMachine/Root"])]),
		"ok": present,
		"pass_msg": sprintf("%s trusts the master certificate %s.", [w, ref]),
		"fail_msg": sprintf("%s does not have the master certificate %s in LocalMachine\\Root; it cannot establish trust with the master.", [w, ref]),
		"unknown_msg": sprintf("%s: its trusted root certificates could not be read.", [w]),
		"observed": present,
		"expected": true,
		"evidence": [{"artifact": certs.cert_artifact(w, "LocalMachine/Root", ref)}],
		"fix": res.fix("trust-master-cert", w, {"thumbprint": ref, "source_node": facts.reference_node}),
	})
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
	some w in facts.worker_nodes
	wi := facts.worker_info[w]
	wt := wi.thumb
	store := wi.store
	cert := certs.in_store_or_null(facts.node(w), store, wt)
	acct := facts.str(facts.get(facts.service(w, "worker"), "StartName", ""))
	readers := facts.arr(facts.get(cert, "private_key_readers", []))
	problems := certs.worker_cert_problems(cert, store, readers, acct)

	# the fix only for a failure (decide ignores it otherwise)
	fix := array.concat([f | count(problems) > 0; f := certs.worker_cert_fix(w, store, cert, acct, problems)], [null])[0]
	r := res.decide({
		"rule": "WRK-OWN-CERT",
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/WorkerHttpsCertThumbprint"},
		"missing": facts.first_missing([
			wi.cfg_missing,
			wi.km.WorkerHttpsCertThumbprint,
			facts.missing_if(wt == "", sprintf("nodes/%s/files/WorkerSettings.config: WorkerHttpsCertThumbprint is empty", [w])),
			facts.node_missing(w, [sprintf("certs/%s", [store])]),
			certs.sidecar_missing(w, store, wt, cert),
			[m | count(readers) > 0; some m in facts.service_missing(w, "worker")],
		]),
		"ok": count(problems) == 0,
		"pass_msg": sprintf("%s has its certificate %s in %s with a private key the worker can use.", [w, wt, store]),
		"fail_msg": sprintf("%s: the worker certificate %s is not usable: %s.", [w, wt, concat("; ", problems)]),
		"unknown_msg": sprintf("%s: the worker certificate could not be checked.", [w]),
		"observed": {"in_store": is_object(cert), "has_private_key": facts.get(cert, "has_private_key", null), "readers": readers},
		"expected": {"in_store": true, "has_private_key": true, "readable_by": acct},
		"evidence": [wi.ev.WorkerHttpsCertThumbprint, {"artifact": certs.cert_artifact(w, store, wt)}],
		"fix": fix,
	})
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
	some w in facts.worker_nodes
	wi := facts.worker_info[w]
	wt := wi.thumb
	store := wi.store
	cert := certs.worker_cert(w, store, wt)
	v := certs.validity_of(cert, facts.created_ns)

	# the failure message only for a failure (decide ignores it otherwise)
	fail_msg := array.concat([m | v != "valid"; m := sprintf("%s: %s", [w, certs.validity_msg("worker certificate", wt, cert, v)])], [""])[0]
	r := res.decide({
		"rule": "WRK-CERT-VALIDITY",
		"subject": {"kind": "worker", "node": w, "object": "worker-certificate"},
		"missing": facts.first_missing([
			wi.cfg_missing,
			wi.km.WorkerHttpsCertThumbprint,
			certs.cert_missing(wt, cert),
			facts.created_missing,
		]),
		"ok": v == "valid",
		"severity": object.get(certs.validity_severity, v, "high"),
		"pass_msg": sprintf("%s: the worker certificate %s is valid until %s.", [w, wt, facts.get(cert, "not_after", "")]),
		"fail_msg": fail_msg,
		"unknown_msg": sprintf("%s: the worker certificate's validity could not be checked.", [w]),
		"observed": {"not_before": facts.get(cert, "not_before", ""), "not_after": facts.get(cert, "not_after", ""), "state": v},
		"expected": "valid for more than 30 days after collection",
		"evidence": [{"artifact": certs.cert_artifact(w, store, wt), "key": "NotAfter"}],
		"fix": {"id": "replace-worker-cert", "target": w, "params": {"worker": w, "store": store, "service": wi.svc_name}},
	})
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
	some w in facts.worker_nodes
	wi := facts.worker_info[w]
	aid := wi.agent_id
	peers := [o | some o in object.get(facts.workers_by_agent_id, names.norm_guid(aid), []); o != w]
	peer_missing := [m |
		count(peers) == 0
		some m in facts.workers_cfg_missing
		not startswith(m, sprintf("nodes/%s/", [w]))
		not startswith(m, sprintf("nodes/%s:", [w]))
	]
	r := res.decide({
		"rule": "WRK-AGENTID-UNIQUE",
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/AgentId"},
		"missing": facts.first_missing([
			wi.cfg_missing,
			wi.km.AgentId,
			facts.missing_if(aid == "", sprintf("nodes/%s/files/WorkerSettings.config: AgentId is empty", [w])),
			peer_missing,
		]),
		"ok": count(peers) == 0,
		"pass_msg": sprintf("%s: AgentId %s is not used by another worker.", [w, aid]),
		"fail_msg": sprintf("%s shares AgentId %s with %s; SSISDB sees them as one worker.", [w, aid, concat(", ", peers)]),
		"unknown_msg": sprintf("%s: the AgentId could not be compared with the other workers.", [w]),
		"observed": aid,
		"expected": "an AgentId no other worker uses",
		"evidence": array.concat([wi.ev.AgentId], [facts.worker_info[o].ev.AgentId | some o in peers]),
		"fix": res.manual(w, [
			sprintf("%s was probably cloned from %s: reinstall Scale Out Worker on %s (or stop it, set a new GUID as AgentId in %s and create a new worker certificate).", [w, concat(", ", peers), w, wi.path]),
			"Trust the new worker certificate on every master node (LocalMachine\\Root).",
			"Start the worker and enable the new agent with SSISDB.catalog.enable_worker_agent.",
		]),
	})
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
	some w in facts.worker_nodes
	svc := facts.service(w, "worker")
	problems := facts.worker_service_problems(svc)

	# the fix only for a failure (decide ignores it otherwise)
	fix := array.concat([f | count(problems) > 0; f := facts.worker_service_fix(w, svc, problems)], [null])[0]
	r := res.decide({
		"rule": "WRK-SERVICE-VERSION",
		"subject": {"kind": "worker", "node": w, "object": "service:SSISScaleOutWorker"},
		"missing": facts.first_missing([
			facts.node_missing(w, ["services"]),
			facts.missing_if(facts.master_version == "", "deployment.master_version: the master's Scale Out version is unknown"),
		]),
		"ok": count(problems) == 0,
		"pass_msg": sprintf("%s runs %s, the master's version.", [w, facts.get(svc, "Name", "")]),
		"fail_msg": sprintf("%s: %s.", [w, concat("; ", problems)]),
		"unknown_msg": sprintf("%s: the worker service could not be checked.", [w]),
		"observed": {"service": facts.get(svc, "Name", null), "version": facts.get(svc, "version", null), "state": facts.get(svc, "State", null)},
		"expected": {"service": sprintf("SSISScaleOutWorker%s", [facts.master_version]), "state": "Running"},
		"evidence": [facts.svc_ev(w, svc, "State")],
		"fix": fix,
	})
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
	some w in facts.worker_nodes
	wi := facts.worker_info[w]
	aid := wi.agent_id
	row := sql.worker_agent(aid)
	problems := sql.agent_problems(row, sql.heartbeat_secs(w))

	# the fix only for a failure (decide ignores it otherwise)
	fix := array.concat([f | count(problems) > 0; f := sql.agent_fix(w, row, problems)], [null])[0]
	r := res.decide({
		"rule": "WRK-REGISTERED-ENABLED-ONLINE",
		"subject": {"kind": "worker", "node": w, "object": "catalog.worker_agents"},
		"missing": facts.first_missing([
			wi.cfg_missing,
			wi.km.AgentId,
			facts.missing_if(aid == "", sprintf("nodes/%s/files/WorkerSettings.config: AgentId is empty", [w])),
			sql.worker_agents_missing,
			facts.created_missing,
		]),
		"ok": count(problems) == 0,
		"pass_msg": sprintf("%s (agent %s) is registered, enabled and was online at %s.", [w, aid, facts.get(row, "LastOnlineTime", "")]),
		"fail_msg": sprintf("%s (agent %s) %s.", [w, aid, concat("; ", problems)]),
		"unknown_msg": sprintf("%s: its registration in SSISDB could not be checked.", [w]),
		"observed": row,
		"expected": {"IsEnabled": true, "LastOnlineTime": sprintf("within %d s of collection", [3 * sql.heartbeat_secs(w)])},
		"evidence": [wi.ev.AgentId, sql.ev(sql.prim, "ssisdb_worker_agents", aid)],
		"fix": fix,
	})
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
	online := sql.online_agents
	r := res.decide({
		"rule": "WRK-HA-MIN-COUNT",
		"subject": res.deployment_subject("catalog.worker_agents/online"),
		"missing": facts.first_missing([sql.worker_agents_missing, facts.created_missing]),
		"ok": count(online) >= 2,
		"pass_msg": sprintf("%d workers are enabled and online (%s).", [count(online), concat(", ", online)]),
		"fail_msg": sprintf("Only %d worker agent(s) are enabled and online (%s); one worker failure stops Scale Out executions.", [count(online), concat(", ", sql.or_none(online))]),
		"unknown_msg": "The worker agents could not be read from SSISDB.",
		"observed": count(online),
		"expected": 2,
		"evidence": [sql.ev(sql.prim, "ssisdb_worker_agents", "IsEnabled")],
		"fix": res.manual(facts.primary_label, [
			"Add a Scale Out Worker (or start a stopped one) so that at least two are online.",
			"Enable it: EXEC SSISDB.catalog.enable_worker_agent @WorkerAgentId = '<AgentId>';",
		]),
	})
}
