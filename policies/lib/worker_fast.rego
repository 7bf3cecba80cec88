# What the WRK-* rules read of every worker, built once per query, and fast
# forms of the facts, certs and sql helpers they call. Each fast form checks
# the common case with a few references first and otherwise calls the helper
# it stands for, so its result is always the helper's.
#
# (Cost notes, OPA v1.22.3: a user function call memoizes its result in a
# trie keyed by its arguments in order, which allocates a node per argument
# from the first one that differs from earlier calls. The helpers here and the
# per-status functions of the WRK-* rules therefore take the worker-specific
# arguments last, and the values that are the same for most workers first.)
package ssis.lib.worker_fast

import data.ssis.lib.certs
import data.ssis.lib.facts
import data.ssis.lib.names
import data.ssis.lib.sql

# --- per worker ------------------------------------------------------------------

# info[w] for every worker node w: fast_info[w] for a healthy worker
# (complete facts, every per-worker check of the WRK-* rules passes: the
# values the passing results show), else slow(w) (slow_info[w]):
#   cfg_missing  facts.worker_cfg_missing(w)
#   ev           facts.worker_ev(w, key) for each key of facts.worker_keys
#   ep, host     facts.worker_endpoint(w), and its host (facts.str)
#   agent_id     facts.worker_agent_id(w), aid_key its names.norm_guid
#   row          sql.worker_agent(agent_id)
#   hb           sql.heartbeat_secs(w)
#   thumb        facts.worker_thumb(w), nthumb its certs.norm_thumb
#   store        facts.worker_store(w)
#   mthumb       the MasterHttpsCertThumbprint, normalized (certs.norm_thumb)
#   svc, acct    facts.service(w, "worker"), and its StartName (facts.str)
#   own          certs.in_store_or_null(facts.node(w), store, thumb)
#   vcert        certs.worker_cert(w, store, thumb)
#   root_mt      certs.in_store_or_null(facts.node(w), "LocalMachine/Root", ref)
#   mcert        certs.lookup(w, ref)
#   m            per WRK-* rule, what it finds missing of the worker's own
#                facts (and the deployment facts listed with them; see slow)
# The keys both have (ev, host, agent_id, aid_key, row, hb, thumb, store,
# acct) have the same values. (The rules read fast_info through healthy, and
# slow(w) through others and others_aid; info itself only for a worker's
# AgentId evidence.)
info := object.union(slow_info, fast_info)

# slow_info: slow(w) for the workers that are not healthy (none when all are:
# fast_info's workers are worker nodes, which are distinct).
slow_info := {} if {
	count(fast_info) == count(facts.worker_nodes)
} else := {w: slow(w) | some w in facts.worker_nodes; not fast_info[w]}

# fast_info[w] for a worker node w whose facts are complete (collected, with
# a parsed and complete WorkerSettings.config, its worker service, its
# certificate in its store, the master certificate in its Root store, and
# registered in SSISDB) and that passes every per-worker check of the WRK-*
# rules, from references and a few builtins (one comprehension: no function
# call per worker but those of values that most workers share):
#   ev, host, agent_id, aid_key, row, hb, thumb, store, acct   as slow(w)
#   raw          the MasterEndpoint as written
#   cnames       names.cert_names(mcert)
#   lot          the catalog row's LastOnlineTime
#   readers      the worker certificate's private key readers
#   nb, na       its NotBefore, NotAfter
#   name, version, state   of the worker service
# (cfg_missing is [] for it, and left out.)
#
# A check that another one implies is left out: the MasterEndpoint host is a
# non-empty string (endpoint_ok: it is among the certificate's CNs and its
# norm_host is not empty), AgentId is not empty (its normalized form is a
# catalog key, never empty), the heartbeat interval is positive (sql.online_b,
# whose check is inline, is false for any other), the certificate's key is
# known (key_ok: it is there). A MasterHttpsCertThumbprint equal to ref is
# normalized (as ref is), so that certs.same(norm_thumb(it), ref) holds.
# (Facts without nodes.<N>.service_kinds take the same path: worker_svcs.)
fast_info := {w: {
	"ev": {
		"MasterEndpoint": {"artifact": art, "key": "MasterEndpoint", "line": l_ep},
		"MasterHttpsCertThumbprint": {"artifact": art, "key": "MasterHttpsCertThumbprint", "line": l_mt},
		"WorkerHttpsCertThumbprint": {"artifact": art, "key": "WorkerHttpsCertThumbprint", "line": l_wt},
		"AgentId": {"artifact": art, "key": "AgentId", "line": l_aid},
	},
	"raw": raw,
	"host": ep.host,
	"cnames": cert_names(cns, root_mt.san_dns),
	"agent_id": aid,
	"aid_key": aid_key,
	"row": row,
	"lot": lot,
	"hb": hb,
	"thumb": thumb,
	"store": store,
	"acct": acct,
	"readers": readers,
	"nb": own.not_before,
	"na": own.not_after,
	"name": svc.Name,
	"version": version,
	"state": state,
} |
	# (the deployment's values, read once: a reference to a rule costs more
	# than one to a variable)
	mt := ref
	created := facts.created_ns
	valid_after := valid_after_ns
	by_guid := sql.agents_by_guid

	# (the workers with a worker service, and it)
	some w, svc in worker_svcs

	# the node and its WorkerSettings.config: collected, parsed, complete
	nd := input.nodes[w]
	nd.collected == true
	nd.missing == {}
	cfg := nd.configs.worker
	cfg.parse_error == ""
	cfg.missing_keys == []
	art := cfg.artifact
	art != ""
	lines := cfg.lines
	l_ep := lines.MasterEndpoint
	l_ep > 0
	l_mt := lines.MasterHttpsCertThumbprint
	l_mt > 0
	l_wt := lines.WorkerHttpsCertThumbprint
	l_wt > 0
	l_aid := lines.AgentId
	l_aid > 0
	s := cfg.worker

	# the facts the WRK-* rules read, each as its helper reads it
	ep := s.master_endpoint
	raw := ep.raw
	root_mt := nd.certs["LocalMachine/Root"][mt]
	cns := root_mt.cns
	aid := s.agent_id
	aid_key := lower(trim(trim_space(aid), "{}"))
	hb := s.agent_heartbeat_seconds
	row := by_guid[aid_key][0]
	lot := row.LastOnlineTime

	# (the thumbprint needs no normalizing beyond upper case)
	t := s.worker_thumbprint
	regex.match(`^[^ :\x{200e}]+$`, t)
	thumb := upper(t)
	store := s.store
	store != ""
	own := nd.certs[store][thumb]
	readers := own.private_key_readers
	is_array(readers)
	acct := svc.StartName
	is_string(acct)
	version := svc.version
	state := svc.State

	# the per-worker checks of the WRK-* rules (the checks of values that
	# most workers share are functions of those values alone, so that OPA
	# computes them once and looks them up for the other workers):
	# WRK-MASTERENDPOINT, WRK-ENDPOINT-HOST-IN-MASTER-CERT, WRK-OWN-CERT
	# (a private key the service account can read), WRK-SERVICE-VERSION
	shared_ok(cns, ep, own.has_private_key, readers, acct, version, state)

	# WRK-MASTER-THUMBPRINT
	s.master_thumbprint == mt

	# WRK-REGISTERED-ENABLED-ONLINE
	row.IsEnabled == true

	# (sql.online_b(hb, lot), inline)
	regex.match(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$`, lot)
	t_lot := time.parse_rfc3339_ns(lot)
	t_lot > 0
	t_lot <= created
	t_lot >= sql.online_since(hb)

	# WRK-CERT-VALIDITY: valid for more than 30 days after collection
	own.not_before_ns <= created
	own.not_after_ns > valid_after
}

# shared_ok(cns, ep, has_key, readers, acct, version, state): endpoint_ok,
# key_ok and service_ok in one call (one lookup for the workers that share
# these values).
shared_ok(cns, ep, has_key, readers, acct, version, state) if {
	endpoint_ok(cns, ep)
	key_ok(has_key, readers, acct)
	service_ok(version, state)
} else := false

# endpoint_ok(cns, ep): the MasterEndpoint ep (with a non-empty host)
# passes WRK-MASTERENDPOINT (https://<a master host>:<the master port>) and
# WRK-ENDPOINT-HOST-IN-MASTER-CERT (the host is among cns, the master
# certificate's CNs); false otherwise.
endpoint_ok(cns, ep) if {
	object.get(ep, "valid", false) == true
	lower(ep.scheme) == "https"
	object.get(ep, "port", 0) == facts.master_port
	host := ep.host
	facts.host_in(host, facts.master_hosts)
	host in cns
	names.norm_host(host) != ""
} else := false

# key_ok(has_key, readers, acct): WRK-OWN-CERT passes for a certificate with
# has_private_key has_key and private key readers readers; false otherwise.
key_ok(has_key, readers, acct) if {
	has_key == true
	certs.can_read(readers, acct)
} else := false

# service_ok(version, state): WRK-SERVICE-VERSION passes for a worker service
# of this version and state (the master's version, running); false otherwise.
service_ok(version, state) if {
	is_string(version)
	version == facts.master_version
	lower(state) == "running"
} else := false

# certs.validity is "valid" for a certificate whose NotBefore is not after
# collection and whose NotAfter is later than this (30 days after collection,
# and a second more, so that no rounding of not_after_ns - created_ns can
# make the difference).
valid_after_ns := (facts.created_ns + (30 * certs.ns_per_day)) + 1000000000

# names.cert_names(cert) for a certificate with both cns and san_dns (keyed by
# them alone, so that the workers' equal copies of a certificate share one
# result).
cert_names(cns, sans) := names.cert_names({"cns": cns, "san_dns": sans})

# slow(w): info[w] from the helpers.
slow(w) := {
	"cfg_missing": cm,
	"ev": {k: facts.cfg_ev(w, "WorkerSettings.config", cfg, k) | some k in facts.worker_keys},
	"ep": ep,
	"host": host,
	"agent_id": aid,
	"aid_key": aid_key,
	"row": agent_row(aid_key),
	"hb": sql.heartbeat_secs(w),
	"thumb": thumb,
	"nthumb": certs.norm_thumb(thumb),
	"store": store,
	"mthumb": certs.norm_thumb(facts.str(object.get(facts.worker_settings(w), "master_thumbprint", ""))),
	"svc": svc,
	"acct": facts.str(facts.get(svc, "StartName", "")),
	"own": own,
	"vcert": vcert,
	"root_mt": certs.in_store_or_null(facts.node(w), "LocalMachine/Root", ref),
	"mcert": mcert,
	"m": {
		"endpoint": facts.first_missing([cm, km.MasterEndpoint]),
		"host_cert": facts.first_missing([
			cm,
			km.MasterEndpoint,
			facts.missing_if(host == "", sprintf("nodes/%s/files/WorkerSettings.config: MasterEndpoint has no host", [w])),
			facts.master_thumbprint_missing,
			certs.cert_missing(ref, mcert),
		]),
		"master_thumb": facts.first_missing([cm, km.MasterHttpsCertThumbprint, facts.master_thumbprint_missing]),
		"trusts": facts.first_missing([facts.master_thumbprint_missing, facts.node_missing(w, ["certs/LocalMachine/Root"])]),
		"own_cert": facts.first_missing([
			cm,
			km.WorkerHttpsCertThumbprint,
			facts.missing_if(thumb == "", sprintf("nodes/%s/files/WorkerSettings.config: WorkerHttpsCertThumbprint is empty", [w])),
			facts.node_missing(w, [sprintf("certs/%s", [store])]),
			certs.sidecar_missing(w, store, thumb, own),
			[m | count(key_readers(own)) > 0; some m in facts.service_missing(w, "worker")],
		]),
		"validity": facts.first_missing([cm, km.WorkerHttpsCertThumbprint, certs.cert_missing(thumb, vcert), facts.created_missing]),
		"agentid": facts.first_missing([
			cm,
			km.AgentId,
			facts.missing_if(aid == "", sprintf("nodes/%s/files/WorkerSettings.config: AgentId is empty", [w])),
		]),
		"service": facts.first_missing([facts.node_missing(w, ["services"]), master_version_missing]),
		"registered": facts.first_missing([
			cm,
			km.AgentId,
			facts.missing_if(aid == "", sprintf("nodes/%s/files/WorkerSettings.config: AgentId is empty", [w])),
			sql.worker_agents_missing,
			facts.created_missing,
		]),
	},
} if {
	cfg := facts.worker_cfg(w)
	cm := facts.worker_cfg_missing(w)
	km := {k: facts.key_missing(w, "WorkerSettings.config", cfg, k) | some k in facts.worker_keys}
	ep := facts.worker_endpoint(w)
	host := facts.str(object.get(ep, "host", ""))
	aid := facts.worker_agent_id(w)
	aid_key := names.norm_guid(aid)
	thumb := facts.worker_thumb(w)
	store := facts.worker_store(w)
	svc := facts.service(w, "worker")
	own := certs.in_store_or_null(facts.node(w), store, thumb)
	vcert := certs.worker_cert(w, store, thumb)
	mcert := certs.lookup(w, ref)
}

# worker_svcs[w]: facts.service(w, "worker") for every worker node w that has
# one: through the nodes' service_kinds when every worker node has it and a
# worker service there, else by facts.service.
worker_svcs := svcs if {
	svcs := {w: svc |
		some w in facts.worker_nodes
		nd := input.nodes[w]
		svc := nd.services[nd.service_kinds.worker[0]]
	}
	count(svcs) == count(facts.worker_nodes)
} else := {w: svc |
	some w in facts.worker_nodes
	svc := facts.service(w, "worker")
	svc != null
}

# --- fast and general paths ----------------------------------------------------------

# fast: the deployment facts every WRK-* rule needs are there, so that a
# healthy worker passes every per-worker WRK-* rule (WRK-AGENTID-UNIQUE: see
# healthy_aid).
fast if {
	ref != ""
	count(facts.master_thumbprint_missing) == 0
	count(endpoint_missing) == 0
	count(facts.created_missing) == 0
	count(master_version_missing) == 0
	count(registered_global_missing) == 0
	ref_artifact_located
}

# healthy: the workers the WRK-* rules report as passing from their info
# alone; others: the workers (every worker, unless fast) they check with
# their general bodies, with slow(w) as their info.
healthy := fast_info if {
	fast
} else := {}

others := slow_info if {
	fast
} else := {w: slow(w) | some w in facts.worker_nodes}

# WRK-AGENTID-UNIQUE's healthy workers: the healthy workers whose AgentId no
# other worker has, when every worker's WorkerSettings.config is usable (else
# the rule cannot tell that no other worker has it); others_aid: the rest.
healthy_aid := healthy if {
	# (the common case: no worker has another's AgentId)
	count(workers_cfg_missing) == 0
	aids_unique
} else := ws if {
	count(workers_cfg_missing) == 0
	ws := {w: i | some w, i in healthy; not dup_aid_keys[i.aid_key]}
} else := {}

others_aid := {} if {
	count(healthy_aid) == count(facts.worker_nodes)
} else := {w: slow(w) | some w in facts.worker_nodes; not healthy_aid[w]}

# the normalized AgentIds that more than one worker has (sorted, so that
# equal ones are neighbours).
dup_aid_keys := {k |
	some n, k in aid_keys
	n > 0
	k == aid_keys[n - 1]
}

aid_keys := sort([k | some src in [fast_info, slow_info]; some i in src; k := i.aid_key; k != ""])

# node_ok(w): facts.node_missing(w, _) is [] by its first body (the node is
# collected and nothing of it is missing).
node_ok(w) if {
	nd := input.nodes[w]
	nd.collected == true
	count(facts.obj(object.get(nd, "missing", {}))) == 0
} else := false

# facts.arr(facts.get(cert, "private_key_readers", []))
key_readers(cert) := rs if {
	rs := cert.private_key_readers
	is_array(rs)
} else := facts.arr(facts.get(cert, "private_key_readers", []))

# --- certificates -------------------------------------------------------------------

# the master certificate's normalized thumbprint.
ref := certs.norm_thumb(facts.master_thumbprint)

# the artifact of the master certificate's copy that WRK-ENDPOINT-HOST-IN-MASTER-CERT
# cites: certs.cert_artifact(facts.get(certs.locate(ref), "node", w), "LocalMachine/Root", ref)
ref_artifact(w) := a if {
	a := ref_artifact_located
} else := certs.cert_artifact(w, "LocalMachine/Root", ref)

# the evidence WRK-ENDPOINT-HOST-IN-MASTER-CERT cites for the certificate on the fast path.
ref_subject_ev := {"artifact": ref_artifact_located, "key": "Subject"}

ref_artifact_located := certs.cert_artifact(l.node, "LocalMachine/Root", ref) if {
	l := certs.locate(ref)
	is_object(l)
}

# --- agent ids -------------------------------------------------------------------------

# every worker's normalized AgentId is its own (the common case): no worker has peers.
# (at once when every worker is healthy: their AgentIds, each normalized and
# not empty, are as many as they)
aids_unique if {
	count(slow_info) == 0
	count({i.aid_key | some i in fast_info}) == count(fast_info)
} else if {
	count(dup_aid_keys) == 0
}

# [o | some o in object.get(facts.workers_by_agent_id, names.norm_guid(aid), []); o != w]
peers(aid, w) := [] if {
	aids_unique
} else := [o | some o in object.get(facts.workers_by_agent_id, names.norm_guid(aid), []); o != w]

# facts.workers_cfg_missing
# (a healthy worker's is [])
workers_cfg_missing := [] if {
	count(slow_info) == 0
} else := [m | some w in facts.worker_nodes; some m in slow_info[w].cfg_missing]

# --- SSISDB worker agents ----------------------------------------------------------------

# sql.worker_agent(aid) for k = names.norm_guid(aid).
agent_row(k) := a if {
	k != ""
	a := sql.agents_by_guid[k][0]
} else := null

agents_artifact := facts.sql_artifact(sql.prim, "ssisdb_worker_agents")

# sql.online_agents: from the healthy workers' catalog rows when every row is
# one (a row per normalized AgentId, each the row of one healthy worker, whose
# checks found it enabled and online with that worker's heartbeat, which
# hb_by_key gives for it when no two workers share an AgentId), with a string
# MachineName (what online_name gives for it); else row by row.
online_agents := sort(ns) if {
	sql.agents_one_per_key
	aids_unique
	ns := [m | some i in fast_info; m := i.row.MachineName; is_string(m)]
	count(ns) == count(sql.agent_rows)
} else := sort([n |
	some a in sql.agent_rows
	n := online_name(a)
])

# online_name(a): the name sql.online_agents lists for a catalog row when it
# is enabled and online, else undefined.
online_name(a) := m if {
	a.IsEnabled == true
	m := a.MachineName
	is_string(m)
	id := a.WorkerAgentId
	is_string(id)
	hb := hb_by_key[lower(trim(trim_space(id), "{}"))]
	sql.online_b(hb, a.LastOnlineTime)
} else := n if {
	n := facts.str(facts.get(a, "MachineName", a.WorkerAgentId))
	facts.flag(facts.get(a, "IsEnabled", false))
	sql.agent_online(a, agent_heartbeat(a))
}

# sql.agent_heartbeat(a)
agent_heartbeat(a) := hb if {
	k := names.norm_guid(facts.str(a.WorkerAgentId))
	k != ""
	hb := hb_by_key[k]
} else := 60

# normalized AgentId -> sql.heartbeat_secs of the first worker with it.
hb_by_key := {i.aid_key: i.hb | some src in [fast_info, slow_info]; some i in src; i.aid_key != ""} if {
	aids_unique
} else := {k: sql.heartbeat_secs(ws[0]) | some k, ws in sql.workers_by_guid}

# --- services -----------------------------------------------------------------------------

service_expected := {"service": sprintf("SSISScaleOutWorker%s", [facts.master_version]), "state": "Running"}

master_version_missing := facts.missing_if(facts.master_version == "", "deployment.master_version: the master's Scale Out version is unknown")

# --- deployment-level parts of the WRK-* results ---------------------------------------

# WRK-MASTERENDPOINT: the expected MasterEndpoint, and what is missing beyond the worker's file.
endpoint_want := sprintf("https://%s:%d", [array.concat(facts.master_hosts, [""])[0], facts.master_port])

endpoint_missing := facts.first_missing([
	[m | count(facts.master_hosts) == 0; some m in facts.master_dns_missing],
	facts.master_port_missing,
])

# WRK-REGISTERED-ENABLED-ONLINE: what is missing beyond the worker's file.
registered_global_missing := facts.first_missing([sql.worker_agents_missing, facts.created_missing])
