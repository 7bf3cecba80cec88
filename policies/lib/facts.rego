# Access to the facts document and the "unknown" bookkeeping: every helper
# that reads a fact also knows how to name it when it is absent.
package ssis.lib.facts

import data.ssis.lib.names

# get(x, path, default): object.get that tolerates a null or non-object x.
get(x, path, dflt) := object.get(x, path, dflt) if {
	is_object(x)
} else := dflt

# arr(x): x when it is an array, else [] (Go nil slices arrive as null).
arr(x) := x if {
	is_array(x)
} else := []

# obj(x): x when it is an object, else {}.
obj(x) := x if {
	is_object(x)
} else := {}

# str(x): x when it is a string, else "".
str(x) := x if {
	is_string(x)
} else := ""

deployment := get(input, "deployment", {})

variant := lower(get(deployment, "variant", ""))

master_nodes := sort({upper(n) | some n in arr(get(deployment, "master_nodes", []))})

worker_nodes := sort({upper(n) | some n in arr(get(deployment, "worker_nodes", []))})

replica_nodes := sort({upper(n) | some n in arr(get(deployment, "replica_nodes", []))})

master_dns := get(deployment, "master_dns", "")

master_thumbprint := get(deployment, "master_thumbprint", "")

active_master_node := upper(get(deployment, "active_master_node", ""))

master_version := get(deployment, "master_version", "")

# The node whose facts serve as the reference (active master node, else the
# first master node).
reference_node := active_master_node if {
	active_master_node != ""
} else := master_nodes[0] if {
	count(master_nodes) > 0
} else := ""

# The accessors below use direct references rather than chains of the
# null-safe helpers (get, obj, str): they run for every node in nearly
# every rule, and each helper call costs a few microseconds.
node(name) := n if {
	n := input.nodes[name]
} else := null

collected(name) if node(name).collected == true

# artifact key prefixes: "certs/LocalMachine/Root" -> certs, certs/LocalMachine,
# certs/LocalMachine/Root
prefixes(key) := {concat("/", array.slice(parts, 0, i)) |
	parts := split(key, "/")
	some i in numbers.range(1, count(parts))
}

# node_missing(name, needs): why the node artifacts a rule needs are absent,
# as "nodes/<N>/<artifact>: <reason>" strings; [] when all are there.
node_missing(name, needs) := [] if {
	# a collected node with nothing missing (the common case, checked first)
	input.nodes[name].collected == true
	count(obj(object.get(input.nodes[name], "missing", {}))) == 0
} else := [sprintf("nodes/%s: not in the bundle", [name])] if {
	node(name) == null
} else := [sprintf("nodes/%s: not collected: %s", [name, err])] if {
	not collected(name)
	err := get(node(name), "error", "")
	err != ""
} else := [sprintf("nodes/%s: not collected", [name])] if {
	not collected(name)
} else := sort({sprintf("nodes/%s/%s: %s", [name, k, reason]) |
	some need in needs
	some k in prefixes(need)
	reason := get(node(name), ["missing", k], null)
	reason != null
})

# --- configuration files -------------------------------------------------

master_cfg(name) := c if {
	c := input.nodes[name].configs.master
} else := null

worker_cfg(name) := c if {
	c := input.nodes[name].configs.worker
} else := null

# (the config helpers below read cfg by reference: a reference is undefined
# where get() would give its default, with the same outcome, and it saves a
# function call on every node of nearly every rule)
cfg_artifact(name, file, cfg) := a if {
	a := cfg.artifact
	a != ""
} else := sprintf("nodes/%s/files/%s", [name, file])

# cfg_missing(name, file, cfg): the node and file are collected, the file is
# present and it parsed; else why not.
cfg_missing(name, file, cfg) := m if {
	m := node_missing(name, [sprintf("files/%s", [file])])
	count(m) > 0
} else := [sprintf("nodes/%s/files/%s: not present on the node", [name, file])] if {
	cfg == null
} else := [sprintf("%s: %s", [cfg_artifact(name, file, cfg), cfg.parse_error])] if {
	cfg.parse_error != ""
} else := []

# (the common case by reference first: the node collected with nothing
# missing and its MasterSettings.config parsed)
master_cfg_missing(name) := [] if {
	nd := input.nodes[name]
	nd.collected == true
	count(nd.missing) == 0
	nd.configs.master.parse_error == ""
} else := cfg_missing(name, "MasterSettings.config", master_cfg(name))

worker_cfg_missing(name) := cfg_missing(name, "WorkerSettings.config", worker_cfg(name))

# key_missing: a parsed file lacks a required key (listed in missing_keys).
# (the common case first: no key is missing)
key_missing(name, file, cfg, key) := [] if {
	count(cfg.missing_keys) == 0
} else := [sprintf("%s: %s is absent or empty", [cfg_artifact(name, file, cfg), key])] if {
	ks := cfg.missing_keys
	is_array(ks)
	some k in ks
	lower(k) == lower(key)
} else := []

# evidence for one key of a config file (line when the normalizer knows it).
# (the common case first: the file has an artifact and the key's line)
cfg_ev(name, file, cfg, key) := {"artifact": a, "key": key, "line": line} if {
	a := cfg.artifact
	a != ""
	lines := cfg.lines
	is_object(lines)
	line := lines[key]
	line > 0
} else := {"artifact": cfg_artifact(name, file, cfg), "key": key, "line": line} if {
	lines := cfg.lines
	is_object(lines)
	line := lines[key]
	line > 0
} else := {"artifact": cfg_artifact(name, file, cfg), "key": key}

master_ev(name, key) := cfg_ev(name, "MasterSettings.config", master_cfg(name), key)

# (its common case by reference first: a function called with the
# configuration object as an argument copies it)
worker_ev(name, key) := {"artifact": a, "key": key, "line": line} if {
	cfg := input.nodes[name].configs.worker
	a := cfg.artifact
	a != ""
	lines := cfg.lines
	is_object(lines)
	line := lines[key]
	line > 0
} else := cfg_ev(name, "WorkerSettings.config", worker_cfg(name), key)

cfg_path(cfg, file) := p if {
	p := cfg.path
	p != ""
} else := sprintf("C:\\Program Files\\Microsoft SQL Server\\%s\\DTS\\Binn\\%s", [master_version, file])

master_path(name) := cfg_path(master_cfg(name), "MasterSettings.config")

worker_path(name) := cfg_path(worker_cfg(name), "WorkerSettings.config")

# typed values with safe defaults
master_thumb_of(name) := get(master_cfg(name), ["master", "thumbprint"], "")

master_port_of(name) := get(master_cfg(name), ["master", "port"], 0)

# --- services --------------------------------------------------------------

# services(name, kind): the node's services of that kind (master, worker, sql...),
# sorted by name: through the node's service_kinds (kind -> the names of its
# services, sorted, as the normalizer writes it), else (facts without it,
# written by hand or by an older version) from its services.
# (kind is always a non-empty lower-case literal, so a service without a
# kind, which get() would give "", never matches: s.kind is read directly.)
services(name, kind) := [s | some n in object.get(ks, kind, []); s := svcs[n]] if {
	nd := input.nodes[name]
	ks := nd.service_kinds
	is_object(ks)
	svcs := nd.services
	is_object(svcs)
} else := [s |
	svcs := input.nodes[name].services
	is_object(svcs)
	some n in sort(object.keys(svcs))
	s := svcs[n]
	lower(s.kind) == kind
]

# service(name, kind): the first one, or null.
service(name, kind) := s if {
	# (the first name service_kinds lists, when there is one)
	nd := input.nodes[name]
	s := nd.services[nd.service_kinds[kind][0]]
} else := s if {
	ss := services(name, kind)
	count(ss) > 0
	s := ss[0]
} else := null

services_artifact(name) := sprintf("nodes/%s/services.json", [name])

svc_ev(name, svc, key) := {"artifact": services_artifact(name), "key": sprintf("%s.%s", [get(svc, "Name", ""), key])}

running(svc) if lower(get(svc, "State", "")) == "running"

master_service_name := sprintf("SSISScaleOutMaster%s", [master_version])

worker_service_name(name) := s.Name if {
	s := service(name, "worker")
	s != null
} else := sprintf("SSISScaleOutWorker%s", [master_version])

# --- deployment-level references ----------------------------------------

# the reference master port: declared or agreed, else the reference node's PortNumber.
master_port := p if {
	p := get(deployment, "master_port", 0)
	p > 0
} else := master_port_of(reference_node)

master_port_missing := [] if {
	master_port > 0
} else := ["deployment.master_port: not declared, and the master nodes' PortNumber is unknown or inconsistent"]

master_dns_missing := [] if {
	master_dns != ""
} else := ["deployment.master_dns: not declared, and no client access point of the master role was found"]

master_thumbprint_missing := [] if {
	master_thumbprint != ""
} else := ["deployment.master_thumbprint: no master node's SSLCertThumbprint could be read"]

# the master cluster resource (Generic Service running the master service).
master_resource := data.ssis.lib.cluster.master_resource.Name if {
	is_object(data.ssis.lib.cluster.master_resource)
} else := "SSIS Scale Out Master"

# the service name of the master on a node (as installed), else by version.
master_service_of(name) := s.Name if {
	s := service(name, "master")
	s != null
} else := master_service_name

# --- SQL ------------------------------------------------------------------

primary_instance := get(deployment, "primary_instance", "")

instance(inst) := i if {
	i := input.sql[inst]
} else := null

# rows(inst, q): the rows of a query, or undefined.
rows(inst, q) := r if {
	r := instance(inst).queries[q].rows
	r != null
}

# sql_missing(inst, q): why a query's rows are absent.
sql_missing(inst, q) := [sprintf("sql: %s", [m])] if {
	inst == ""
	m := get(input, ["missing", "sql"], "no SQL instance in the bundle")
} else := [sprintf("sql/%s: not in the bundle", [inst])] if {
	instance(inst) == null
} else := [sprintf("sql/%s: not collected: %s", [inst, get(instance(inst), "error", "")])] if {
	instance(inst).collected != true
} else := [sprintf("sql/%s/%s: %s", [inst, q, reason])] if {
	reason := instance(inst).missing[q]
} else := [sprintf("sql/%s/%s: %s", [inst, q, err])] if {
	err := get(instance(inst), ["queries", q, "error"], "")
	err != ""
	err != null
} else := [sprintf("sql/%s/%s: not collected", [inst, q])] if {
	not rows(inst, q)
} else := []

sql_artifact(inst, q) := a if {
	# by reference first (the common case)
	a := input.sql[inst].queries[q].artifact
	a != ""
} else := a if {
	a := get(instance(inst), ["queries", q, "artifact"], "")
	a != ""
} else := sprintf("sql/%s/%s.json", [replace(inst, "\\", "$"), q])

# property(inst, q, name): property_value of a property_name/property_value result set.
property(inst, q, name) := v if {
	some row in rows(inst, q)
	upper(row.property_name) == upper(name)
	v := row.property_value
}

# flag: SQL flags come as 0/1 or booleans.
flag(v) if v == true

flag(v) if v == 1

flag(v) if v == "1"

flag(v) if lower(sprintf("%v", [v])) == "true"

# --- config subjects ------------------------------------------------------------

config_files := {"master": "MasterSettings.config", "worker": "WorkerSettings.config"}

# [node, "master"|"worker"] pairs whose config file is expected or present.
# (the nodes read by reference: a node or configs that is not an object
# leaves the reference undefined, as get() gave null)
config_subjects := ({[n, "master"] | some n in master_nodes} | {[n, "worker"] | some n in worker_nodes}) | {[upper(n), w] |
	nodes := input.nodes
	is_object(nodes)
	some n, nd in nodes
	some w in ["master", "worker"]
	is_object(nd.configs[w])
}

# applicable(miss, cfg): a config subject yields a result when the file is
# present, or when whether it is present is unknown.
applicable(miss, _) if count(miss) > 0

applicable(_, cfg) if is_object(cfg)

# --- composition helpers ----------------------------------------------------

# first_missing(lists): the first non-empty list of missing facts, else [].
# Rules list what they need in order, so the reason given is the root cause.
first_missing(lists) := ls[0] if {
	ls := [l | some l in lists; count(l) > 0]
	count(ls) > 0
} else := []

# missing_if(cond, m): [m] when cond is true, else [].
missing_if(cond, m) := [m] if {
	cond == true
} else := []

# service_missing(name, kind): the node's services are unknown, or it has no
# service of that kind.
service_missing(name, kind) := m if {
	m := node_missing(name, ["services"])
	count(m) > 0
} else := [sprintf("nodes/%s/services.json: no %s service is installed", [name, kind_label[kind]])] if {
	service(name, kind) == null
} else := []

kind_label := {"master": "SSISScaleOutMaster", "worker": "SSISScaleOutWorker", "sql": "SQL Server"}

# master nodes with the reference node first.
master_nodes_ref_first := array.concat(
	[reference_node | reference_node != ""],
	[n | some n in master_nodes; n != reference_node],
)

master_account(name) := str(get(service(name, "master"), "StartName", ""))

# port of an SQL endpoint (a missing port means 1433).
eff_port(ep) := ep.port if {
	get(ep, "has_port", false) == true
	ep.port > 0
} else := 1433

listener := l if {
	l := get(deployment, "listener", null)
	is_object(l)
	str(get(l, "host", "")) != ""
} else := null

listener_missing := [] if {
	listener != null
} else := ["deployment.listener: not declared, and no SSISDB availability group listener was found in the AG DMVs"]

# url_port("https://h:8391/x") = 8391; 443/80 by scheme when no port is written.
url_port(u) := to_number(m[0][2]) if {
	m := regex.find_all_string_submatch_n(`^[A-Za-z]+://([^/:]+):([0-9]+)`, u, 1)
	count(m) == 1
} else := 443 if {
	startswith(lower(u), "https://")
} else := 80 if {
	startswith(lower(u), "http://")
} else := 0

url_host(u) := m[0][1] if {
	m := regex.find_all_string_submatch_n(`^[A-Za-z]+://([^/:]+)`, u, 1)
	count(m) == 1
} else := ""

# restart_applies(name): the node runs the master service, or it is the active
# node and its services are unknown.
restart_applies(name) if running(service(name, "master"))

restart_applies(name) if {
	name == active_master_node
	count(service_missing(name, "master")) > 0
}

# registry_key(name, key): the values of one registry key (case-insensitive
# key path), else null.
registry_key(name, key) := v if {
	some k, v in obj(get(node(name), "registry", {}))
	upper(k) == upper(key)
} else := null

# value(o, key): o[key] with a case-insensitive key, else null.
value(o, key) := v if {
	some k, v in obj(o)
	lower(k) == lower(key)
} else := null

num(v) := v if {
	is_number(v)
} else := to_number(v) if {
	is_string(v)
	regex.match(`^-?[0-9]+$`, trim_space(v))
} else := null

created_ns := n if {
	n := get(input, ["bundle", "created_ns"], 0)
	is_number(n)
	n > 0
} else := 0

created_missing := [] if {
	created_ns > 0
} else := ["bundle.created_ns: the bundle's collection time is unknown"]

# the master port of one node: its PortNumber, else the deployment's.
node_master_port(name) := p if {
	p := master_port_of(name)
	p > 0
} else := master_port

# instance_node(inst): the node an SQL instance runs on (from
# server_properties); when that is unknown, the host part of the instance name
# if it is a node of the bundle, so that the subject stays the same.
instance_node(inst) := n if {
	# the usual node field, by reference (the common case, first)
	x := input.sql[inst].node
	is_string(x)
	n := upper(x)
	n != ""
} else := n if {
	n := upper(str(get(instance(inst), "node", "")))
	n != ""
} else := n if {
	n := upper(split(inst, "\\")[0])
	node(n) != null
} else := ""

# fw_allows(rule, port): an enabled inbound TCP allow rule covering port.
# (its common negative answered first: a rule whose LocalPort is an array of
# digit strings none of which is the port, a rule for another service,
# allows nothing here; for such a string, fw_port compares its number alone)
fw_allows(fw, port) if {
	not other_ports(fw.LocalPort, port)
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

other_ports(ports, port) if {
	is_array(ports)
	every p in ports {
		is_string(p)
		p != ""
		trim(p, "0123456789") == ""
		to_number(p) != port
	}
}

# (a rule without a Protocol, or with one that is not a string, is any protocol)
fw_protocol_ok(fw) if {
	lower(object.get(fw, "Protocol", "any")) in {"tcp", "any", "6", ""}
}

fw_protocol_ok(fw) if {
	not is_string(object.get(fw, "Protocol", "any"))
}

# fw_port(p, port): port_matches(p, port). A port that parses as a number
# matches only as that number (the patterns are "any", digits and
# digits-digits), so one that is another number needs no pattern.
fw_port(p, port) if {
	to_number(trim_space(p)) == port
	port_matches(p, port)
}

fw_port(p, port) if {
	not is_numeric(p)
	port_matches(p, port)
}

is_numeric(p) if {
	_ = to_number(trim_space(p))
}

port_matches(p, _) if lower(trim_space(p)) == "any"

port_matches(p, port) if {
	regex.match(`^[0-9]+$`, trim_space(p))
	to_number(trim_space(p)) == port
}

port_matches(p, port) if {
	m := regex.find_all_string_submatch_n(`^([0-9]+)-([0-9]+)$`, trim_space(p), 1)
	count(m) == 1
	to_number(m[0][1]) <= port
	port <= to_number(m[0][2])
}

# the SSISDB primary as a subject name, also when it is unknown.
primary_label := primary_instance if {
	primary_instance != ""
} else := "SSISDB primary"

master_thumbprint_label := l if {
	l := str(get(deployment, "master_thumbprint_source", ""))
	l != ""
} else := "reference"

# --- workers -----------------------------------------------------------------

worker_settings(name) := s if {
	s := input.nodes[name].configs.worker.worker
	is_object(s)
} else := {}

worker_thumb(name) := upper(t) if {
	t := input.nodes[name].configs.worker.worker.worker_thumbprint
	is_string(t)
} else := ""

worker_store(name) := s if {
	s := input.nodes[name].configs.worker.worker.store
	is_string(s)
	s != ""
} else := "LocalMachine/My"

worker_endpoint(name) := e if {
	e := input.nodes[name].configs.worker.worker.master_endpoint
	is_object(e)
} else := {}

worker_agent_id(name) := a if {
	a := input.nodes[name].configs.worker.worker.agent_id
	is_string(a)
} else := ""

# the WorkerSettings.config keys the WRK-* rules report on (lib/worker_fast.rego).
worker_keys := ["MasterEndpoint", "MasterHttpsCertThumbprint", "WorkerHttpsCertThumbprint", "AgentId"]

# --- FCI: the SQL Server network name ------------------------------------------

# the server_properties row of the FCI: the primary instance's, else the first
# clustered instance's, else the first instance's.
fci_server := cands[0] if {
	cands := [row |
		some inst in array.concat([primary_instance], sort(object.keys(obj(get(input, "sql", {})))))
		some row in rows(inst, "server_properties")
		str(get(row, "ServerName", "")) != ""
	]
	count(cands) > 0
} else := null

fci_network_name := upper(split(str(get(fci_server, "ServerName", "")), "\\")[0])

fci_instance_name := i if {
	i := upper(str(get(fci_server, "InstanceName", "")))
	not i in {"", "MSSQLSERVER"}
} else := upper(parts[1]) if {
	parts := split(str(get(fci_server, "ServerName", "")), "\\")
	count(parts) == 2
} else := ""

# SqlServerName expected on an FCI: network name[\instance]
fci_sqlservername := sprintf("%s\\%s", [fci_network_name, fci_instance_name]) if {
	fci_instance_name != ""
} else := fci_network_name

fci_missing := [] if {
	fci_network_name != ""
} else := m if {
	m := sql_missing(primary_instance, "server_properties")
	count(m) > 0
} else := ["sql/*/server_properties: no instance reported its ServerName"]

fci_network_fqdn := lower(fci_network_name) if {
	get(deployment, "domain", "") == ""
} else := lower(sprintf("%s.%s", [fci_network_name, deployment.domain]))

# the host names a worker may use for the master: the master DNS name, and on
# an FCI the SQL Server network name.
master_hosts := array.concat([master_dns | master_dns != ""], [fci_network_fqdn |
	variant == "fci"
	fci_network_name != ""
	not names.host_eq(fci_network_fqdn, master_dns)
])

any_host(h, hosts) if {
	some x in hosts
	names.host_eq(h, x)
}

# (the common case first: the master's version, running)
worker_service_problems(svc) := [] if {
	v := svc.version
	is_string(v)
	v == master_version
	lower(svc.State) == "running"
} else := [sprintf("no SSISScaleOutWorker%s service is installed", [master_version])] if {
	svc == null
} else := array.concat(
	[sprintf("it runs %s, but the master is version %s", [svc.Name, master_version]) | str(get(svc, "version", "")) != master_version],
	[sprintf("%s is %s, not Running", [svc.Name, str(get(svc, "State", ""))]) | not running(svc)],
)

worker_service_fix(w, svc, problems) := {"id": "start-worker", "target": w, "params": {"service": svc.Name}} if {
	svc != null
	str(get(svc, "version", "")) == master_version
	count(problems) > 0
} else := {"id": "manual", "target": w, "params": {"steps": [
	sprintf("Install or upgrade Scale Out Worker on %s to version %s (SQL Server setup, feature IS_Worker).", [w, master_version]),
	"Point the new WorkerSettings.config at the master and trust the worker certificate on every master node.",
	"Start the worker service and enable the worker agent in SSISDB.",
]}}

same_instance(a, b) if upper(default_instance(a)) == upper(default_instance(b))

default_instance(i) := "" if {
	upper(trim_space(i)) == "MSSQLSERVER"
} else := trim_space(i)

host_in(h, hosts) if {
	any_host(h, hosts)
} else := false

# (the usual values looked up first)
flag_bool(v) := b if {
	b := flag_values[v]
} else if {
	flag(v)
} else := false

flag_values := {true: true, false: false, null: false, "1": true, "0": false, "True": true, "true": true, "False": false, "false": false}

# the master service accounts that need SQL logins (domain and virtual
# accounts; system and local accounts have no identity of their own there).
master_sql_accounts := sort({a |
	some n in master_nodes
	a := master_account(n)
	names.account_kind(a, n) in {"domain", "virtual"}
})

# normalized AgentId -> the worker nodes configured with it (built once:
# comparing every worker with every other one is quadratic in the fleet).
workers_by_agent_id := {k: ws |
	some w0 in worker_nodes
	k := names.norm_guid(worker_agent_id(w0))
	k != ""
	ws := [w | some w in worker_nodes; k = names.norm_guid(worker_agent_id(w))]
}

# why each worker's WorkerSettings.config is unusable, all workers (built once).
workers_cfg_missing := [m | some w in worker_nodes; some m in worker_cfg_missing(w)]
