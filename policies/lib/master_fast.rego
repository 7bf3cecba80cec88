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
	names.account_kind(a, n) in {"domain", "virtual"}
})

# msvc_missing: facts.service_missing(n, "master") of each master node.
msvc_missing := {n: m |
	some n, s in msvc
	m := svc_missing(n, s)
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
acct_ref(name, acct) := acct_refs[0] if {
	count(acct_refs) > 0
} else := [name, acct]

acct_refs := [[n, a] | some n in facts.master_nodes_ref_first; a := facts.master_account(n); a != ""]

# certs.worker_trust split by whether the worker's certificate thumbprint is
# known (missing == []: it is then not empty) or not, for
# MASTER-TRUSTS-EVERY-WORKER (masters x workers results).
trust_known := object.union(certs.worker_trust_common, {w: wi | some w, wi in certs.worker_trust_other; count(wi.missing) == 0})

trust_unknown := {w: wi | some w, wi in certs.worker_trust_other; count(wi.missing) > 0}

# worker_port: per worker what MASTER-CFG-PORT-CONSISTENT reads of its
# MasterEndpoint: why it cannot be compared (missing), the endpoint (ep: the
# parsed object, or whatever the file holds there, else null), its port (0
# when absent) and the evidence.
worker_port := object.union(worker_port_common, worker_port_other)

# the common case, by reference (no function call): the node is collected
# with nothing missing, its WorkerSettings.config parsed with every key, and
# the MasterEndpoint's line and port are known.
worker_port_common := {w: {"missing": mpm, "ep": ep, "port": port, "ev": {"artifact": a, "key": "MasterEndpoint", "line": line}} |
	mpm := facts.master_port_missing
	some w in facts.worker_nodes
	nd := input.nodes[w]
	nd.collected == true
	count(nd.missing) == 0
	cfg := nd.configs.worker
	cfg.parse_error == ""
	count(cfg.missing_keys) == 0
	a := cfg.artifact
	a != ""
	line := cfg.lines.MasterEndpoint
	line > 0
	ep := cfg.worker.master_endpoint
	port := ep.port
}

worker_port_other := {w: {"missing": worker_port_missing(w), "ep": ep, "port": endpoint_port(ep), "ev": worker_ev(w, "MasterEndpoint")} |
	some w in facts.worker_nodes
	not worker_port_common[w]
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

# config_subjects: facts.config_subjects ([node, "master"|"worker"] pairs
# whose configuration file is expected or present), its reads by reference.
config_subjects := ({[n, "master"] | some n in facts.master_nodes} | {[n, "worker"] | some n in facts.worker_nodes}) | {[upper(n), w] |
	nodes := input.nodes
	is_object(nodes)
	some n, nd in nodes
	some w in ["master", "worker"]
	is_object(nd.configs[w])
}

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

# key_missing: facts.key_missing.
key_missing(name, file, cfg, key) := [] if {
	count(cfg.missing_keys) == 0
} else := facts.key_missing(name, file, cfg, key)

# cfg_ev: facts.cfg_ev.
cfg_ev(name, file, cfg, key) := {"artifact": a, "key": key, "line": line} if {
	a := cfg.artifact
	a != ""
	line := cfg.lines[key]
	line > 0
} else := facts.cfg_ev(name, file, cfg, key)

# worker_ev(w, key): facts.worker_ev(w, key), its common case by reference (a
# function called with the configuration object as an argument copies it).
worker_ev(w, key) := {"artifact": a, "key": key, "line": line} if {
	cfg := input.nodes[w].configs.worker
	a := cfg.artifact
	a != ""
	line := cfg.lines[key]
	line > 0
} else := facts.worker_ev(w, key)

# fw_allows(fw, port): facts.fw_allows, its fields read by reference (each
# condition is undefined exactly where facts.fw_allows' is false) and a port
# that is a number other than port rejected without the port patterns.
fw_allows(fw, port) if {
	fw.Enabled in {true, "True", "true", 1}
	lower(fw.Direction) in {"inbound", "1"}
	lower(fw.Action) in {"allow", "2"}
	fw_protocol_ok(fw)
	ports := fw.LocalPort
	is_array(ports)
	some p in ports
	is_string(p)
	fw_port(p, port)
}

fw_protocol_ok(fw) if {
	lower(object.get(fw, "Protocol", "any")) in {"tcp", "any", "6", ""}
}

fw_protocol_ok(fw) if {
	not is_string(object.get(fw, "Protocol", "any"))
}

# fw_port(p, port): facts.port_matches(p, port). A port that parses as a
# number matches only as that number (its patterns are "any", digits and
# digits-digits), so one that is another number needs no pattern.
fw_port(p, port) if {
	to_number(trim_space(p)) == port
	facts.port_matches(p, port)
}

fw_port(p, port) if {
	not is_numeric(p)
	facts.port_matches(p, port)
}

is_numeric(p) if {
	_ = to_number(trim_space(p))
}

# on_fail(st, f): f for a failure, else null (the fix of a result).
on_fail("fail", f) := f

on_fail(st, _) := null if st != "fail"
