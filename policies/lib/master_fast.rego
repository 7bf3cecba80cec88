# Per-query precomputation and cheap accessors for the master, config, cluster
# and fci families. Each map below is an argument-less rule, computed once per
# query and read by reference; each accessor answers its common case (a node
# collected with nothing missing, a configuration file that parsed with every
# key) by reference and otherwise returns what the facts helper it stands for
# returns.
package ssis.lib.master_fast

import data.ssis.lib.certs
import data.ssis.lib.facts
import data.ssis.lib.names
import data.ssis.lib.sql

# msvc: the master service of each master node, or null (facts.service).
msvc := {n: facts.service(n, "master") | some n in facts.master_nodes}

# macct: the master service account of each master node (facts.master_account).
macct := {n: account(s) | some n, s in msvc}

account(svc) := a if {
	a := svc.StartName
	is_string(a)
} else := ""

# sql_accounts: facts.master_sql_accounts, from macct.
sql_accounts := sort({a |
	some n, a in macct
	mkind[n] in {"domain", "virtual"}
})

# mkind: names.account_kind of each master node's account (macct), once per
# query for MASTER-ACCOUNT-DOMAIN and sql_accounts.
mkind := {n: names.account_kind(a, n) | some n, a in macct}

# msvc_missing: facts.service_missing(n, "master") of each master node.
msvc_missing := {n: m |
	some n, s in msvc
	m := svc_missing(n, s)
}

# msvc_clean: every master node's msvc_missing is [].
msvc_clean if {
	every m in msvc_missing {
		m == []
	}
}

svc_missing(n, s) := [] if {
	s != null
	node_clean(n)
} else := facts.service_missing(n, "master")

# restart_applies(n): facts.restart_applies(n) for a master node, from msvc
# and msvc_missing.
restart_applies(n) if lower(msvc[n].State) == "running"

restart_applies(n) if {
	n == facts.active_master_node
	count(msvc_missing[n]) > 0
}

# svc_of(n): the master service of any node (master nodes from msvc).
svc_of(n) := s if {
	s := msvc[n]
} else := facts.service(n, "master")

# mcfg_missing: facts.master_cfg_missing of each master node.
mcfg_missing := {n: facts.master_cfg_missing(n) | some n in facts.master_nodes}

# mthumb: the normalized SSLCertThumbprint of each master node.
mthumb := {n: certs.norm_thumb(facts.master_thumb_of(n)) | some n in facts.master_nodes}

# ref_thumb: the normalized reference master thumbprint.
ref_thumb := certs.norm_thumb(facts.master_thumbprint)

# acct_ref(name, acct): the reference master account as [node, account]: the
# first master node (reference first) with a known account, else [name, acct].
# (acct_of(n): facts.master_account(n), from macct for a master node.)
acct_ref(name, acct) := acct_refs[0] if {
	count(acct_refs) > 0
} else := [name, acct]

acct_refs := [[n, a] | some n in facts.master_nodes_ref_first; a := acct_of(n); a != ""]

acct_of(n) := a if {
	a := macct[n]
} else := facts.master_account(n)

# wfast: the workers in the common case, with what MASTER-TRUSTS-EVERY-WORKER
# and MASTER-CFG-PORT-CONSISTENT read of their WorkerSettings.config, in one
# pass by reference (no function call) once per query. A worker is in it when
# it is collected with nothing missing ({}), its WorkerSettings.config parsed
# with no missing key ([]) and has an artifact, the lines of
# WorkerHttpsCertThumbprint and MasterEndpoint are known, the thumbprint is a
# non-empty string of hex digits only (certs.norm_thumb then only upper-cases
# it; a trim is cheaper than a regex) and the MasterEndpoint has a port. Its
# value then holds its trust_known entry (thumb and ev; its missing is []) and
# the parts of its MASTER-CFG-PORT-CONSISTENT entry that the pass results read
# (port and the evidence pev; its missing is facts.master_port_missing and its
# endpoint worker_endpoint(w)); every other worker gets what the general
# helpers give (trust_other, worker_port_rest).
wfast := {w: {
	"thumb": upper(t),
	"ev": {"artifact": a, "key": "WorkerHttpsCertThumbprint", "line": tl},
	"port": port,
	"pev": {"artifact": a, "key": "MasterEndpoint", "line": ml},
} |
	some w in facts.worker_nodes
	nd := input.nodes[w]
	nd.collected == true
	nd.missing == {}
	cfg := nd.configs.worker
	cfg.parse_error == ""
	cfg.missing_keys == []
	a := cfg.artifact
	a != ""
	tl := cfg.lines.WorkerHttpsCertThumbprint
	tl > 0
	ml := cfg.lines.MasterEndpoint
	ml > 0
	t := cfg.worker.worker_thumbprint
	is_string(t)
	t != ""
	trim(t, "0123456789ABCDEFabcdef") == ""
	port := cfg.worker.master_endpoint.port
}

# all_fast: every worker is in wfast (the rest maps are then {} at once).
all_fast if count(wfast) == count(facts.worker_nodes)

# trust_known and trust_unknown: per worker node its certificate's
# normalized thumbprint (thumb), why that is unknown (missing) and the
# evidence (ev), split by whether the thumbprint is known (missing == []: it
# is then not empty) or not, for MASTER-TRUSTS-EVERY-WORKER (masters x
# workers results): wfast (whose values hold more, and no missing: it is []),
# and the other workers (trust_other) by the general helpers of certs.
trust_other := {} if {
	all_fast
} else := {w: {"thumb": wt, "missing": certs.worker_trust_missing(w, wt), "ev": facts.worker_ev(w, "WorkerHttpsCertThumbprint")} |
	some w in facts.worker_nodes
	not wfast[w]
	wt := certs.norm_thumb(certs.worker_thumb_raw(w))
}

trust_known := wfast if {
	count(trust_other) == 0
} else := object.union(wfast, {w: wi | some w, wi in trust_other; count(wi.missing) == 0})

trust_unknown := {w: wi | some w, wi in trust_other; count(wi.missing) > 0}

# trust_workers: every worker node's entry (trust_known and trust_unknown).
trust_workers := trust_known if {
	count(trust_unknown) == 0
} else := object.union(trust_known, trust_unknown)

# trust_empty: {thumb: {}} for each thumbprint of trust_known. A master's
# LocalMachine\Root store object.subset of it holds every known worker's
# certificate as an object under its own key: one builtin per master instead
# of a lookup per worker (object.subset compares an object value with {} by
# recursing into it, which holds vacuously, and anything else by equality).
trust_empty := {wi.thumb: {} | some wi in trust_known}

# trusts_all(st): st (a master's LocalMachine\Root) holds every known worker's
# certificate under its own key.
trusts_all(st) if object.subset(st, trust_empty)

# trust_absent: per master node whose LocalMachine\Root is known but does not
# hold every known worker's certificate under its own key, the workers of
# trust_known whose thumbprint is not a key of an object in that store
# (certs.master_trusts then looks for another spelling). The store's keys
# once per such master instead of a lookup per pair.
trust_absent := {n: ws |
	some n, mr in certs.master_root
	count(mr.missing) == 0
	st := mr.store
	not trusts_all(st)
	absent := trust_thumbs - {k | some k, v in st; is_object(v)}
	count(absent) > 0
	ws := {w: wi | some w, wi in trust_known; absent[wi.thumb]}
}

trust_thumbs := {wi.thumb | some wi in trust_known}

# The strings of the pass results of MASTER-TRUSTS-EVERY-WORKER, made with a
# few builtin calls per master node instead of three per (master, worker)
# pair (a builtin call costs more than indexing an array): trust_list is
# trust_known as [worker, entry] pairs (in key order), and per master node
# whose LocalMachine\Root is known and holds every known worker's certificate
# under its own key (trusts_all), trust_lines holds, by the index of
# trust_list, the message ("msg"), the evidence artifact ("art") and the
# subject object ("obj") of its result with each worker. Each array is one
# string joined with "\n" and split again; it is used only when the split
# gives back as many strings as were joined, that is when no part holds a
# "\n" (else the rule makes the strings per pair).
trust_list := [[w, wi] | some w, wi in trust_known]

# " trusts the certificate <thumb> of worker <w>." per worker of trust_list
trust_tails := [concat("", [" trusts the certificate ", x[1].thumb, " of worker ", x[0], "."]) | some x in trust_list]

trust_thumb_list := [x[1].thumb | some x in trust_list]

# the evidence of each worker of trust_list
trust_evs := [x[1].ev | some x in trust_list]

# "worker:<w>" per worker of trust_list
trust_objs := objs if {
	objs := split(concat("", ["worker:", concat("\nworker:", [x[0] | some x in trust_list])]), "\n")
	count(objs) == count(trust_list)
}

trust_lines := {n: {"msg": msgs, "art": arts, "obj": trust_objs} |
	some n, mr in certs.master_root
	count(mr.missing) == 0
	trusts_all(mr.store)
	msgs := split(concat("", [n, concat(concat("", ["\n", n]), trust_tails)]), "\n")
	count(msgs) == count(trust_list)
	pre := concat("", ["nodes/", n, "/certs/LocalMachine/Root/"])
	arts := split(concat("", [pre, concat(concat("", [".cer\n", pre]), trust_thumb_list), ".cer"]), "\n")
	count(arts) == count(trust_list)
}

# worker_port_rest: per worker not in wfast what MASTER-CFG-PORT-CONSISTENT
# reads of its MasterEndpoint: why it cannot be compared (missing), the
# endpoint (ep: the parsed object, or whatever the file holds there, else
# null), its port (0 when absent) and the evidence (ev). (A worker of wfast
# has missing facts.master_port_missing, and ep, port and the evidence pev
# from wfast.)
worker_port_rest := {} if {
	all_fast
} else := {w: {"missing": worker_port_missing(w), "ep": ep, "port": endpoint_port(ep), "ev": facts.worker_ev(w, "MasterEndpoint")} |
	some w in facts.worker_nodes
	not wfast[w]
	ep := worker_endpoint(w)
}

worker_endpoint(w) := e if {
	e := input.nodes[w].configs.worker.worker.master_endpoint
} else := null

endpoint_port(ep) := p if {
	p := ep.port
} else := 0

worker_port_missing(w) := facts.master_port_missing if {
	cfg_clean(w, "worker")
} else := facts.first_missing([
	facts.worker_cfg_missing(w),
	facts.key_missing(w, "WorkerSettings.config", facts.worker_cfg(w), "MasterEndpoint"),
	facts.master_port_missing,
])

# cluster_nodes: the master and replica nodes, sorted (the cluster members).
cluster_nodes := sort({x | some x in array.concat(facts.master_nodes, facts.replica_nodes)})

# domain: the deployment's domain, lower case ("" when unknown).
domain := lower(facts.str(facts.get(facts.deployment, "domain", "")))

# node_clean(name): the node is collected with nothing missing, so every
# facts.node_missing of it is [].
node_clean(name) if {
	nd := input.nodes[name]
	nd.collected == true
	count(nd.missing) == 0
}

# cfg_clean(name, which): node_clean, and its `which` ("master"|"worker")
# configuration file parsed with no missing key, so facts.cfg_missing and
# every facts.key_missing of it are [].
cfg_clean(name, which) if {
	nd := input.nodes[name]
	nd.collected == true
	count(nd.missing) == 0
	cfg := nd.configs[which]
	cfg.parse_error == ""
	count(cfg.missing_keys) == 0
}

# on_fail(st, f): f for a failure, else null (the fix of a result).
on_fail("fail", f) := f

on_fail(st, _) := null if st != "fail"

# mprops: what the two SSISDB checks of MASTER-CFG-PORT-CONSISTENT read of
# the primary's ssisdb_master_properties, once per query: why it is unknown
# (facts.first_missing of facts.sql_missing, by its fast form sql.missing,
# and facts.master_port_missing),
# its artifact, the subject's node, MASTER_ADDRESS (a string, else "") and
# MASTER_SERVICE_PORT (else null).
mprops := {
	"missing": facts.first_missing([sql.missing(prim, "ssisdb_master_properties"), facts.master_port_missing]),
	"artifact": facts.sql_artifact(prim, "ssisdb_master_properties"),
	"node": facts.instance_node(prim),
	"address": facts.str(array.concat([v | v := facts.property(prim, "ssisdb_master_properties", "MASTER_ADDRESS")], [""])[0]),
	"port": array.concat([v | v := facts.property(prim, "ssisdb_master_properties", "MASTER_SERVICE_PORT")], [null])[0],
} if {
	prim := facts.primary_instance
}
