# SQL Server facts: replicas, the SSISDB primary's result sets, logging
# connection string, SQL Server time values.
package ssis.lib.sql

import data.ssis.lib.facts
import data.ssis.lib.names

prim := facts.primary_instance

instances := sort(object.keys(input.sql)) if {
	is_object(input.sql)
} else := []

# replicas: [{"instance", "node"}] — every SQL instance of the bundle and, on
# the AG variant, every replica node that has none (reported unknown); on an
# FCI without any instance, the SSISDB primary (reported unknown).
# (the common case first: some instance is collected, and every replica node
# is the node of one, so none is added as an unknown replica; the node-key
# tables are then not built)
replicas := r if {
	r := [{"instance": i, "node": facts.instance_node(i)} | some i in instances]
	count(r) > 0
	nodes := {n | some x in r; n := x.node; regex.match(`^[A-Za-z0-9]`, n)}
	every n in facts.replica_nodes {
		nodes[n]
	}
} else := array.concat(
	array.concat(
		[{"instance": i, "node": facts.instance_node(i)} | some i in instances],
		[{"instance": n, "node": n} |
			facts.variant == "ag"
			some n in facts.replica_nodes
			not node_has_instance(n)
		],
	),
	[{"instance": facts.primary_label, "node": ""} | facts.variant != "ag"; count(instances) == 0],
)

# node_has_instance(n): some instance runs on node n, or is named after it
# (names.node_eq with the instance's node or the host part of its name).
node_has_instance(n) if {
	k := node_key(n)
	k != ""
	instance_node_keys[k]
}

# the node_eq keys (upper-case short names) of every instance's node and of
# the host part of its name, built once per query.
instance_node_keys := {k |
	some i in instances
	some x in [facts.instance_node(i), split(i, "\\")[0]]
	k := node_key(x)
}

node_key(x) := upper(names.short_name(x))

# q_ok(inst, q): the query's rows are there (sql_missing would be []): the
# common case, checked by reference before the full explanation.
q_ok(inst, q) if {
	clean_instances[inst]
	x := input.sql[inst].queries[q]
	is_array(x.rows)
	object.get(x, "error", "") == ""
}

# the collected instances with no missing query at all (built once per query).
clean_instances contains inst if {
	some inst, i in input.sql
	i.collected == true
	count(object.get(i, "missing", {})) == 0
	inst != ""
}

# first2/first3: facts.first_missing of two or three lists.
first2(a, b) := a if {
	count(a) > 0
} else := b

first3(a, b, c) := a if {
	count(a) > 0
} else := b if {
	count(b) > 0
} else := c

# rows(inst, q): the rows, or [] when absent (callers report sql_missing).
rows(inst, q) := r if {
	r := input.sql[inst].queries[q].rows
	is_array(r)
} else := []

# missing(inst, q): why the rows are absent ([] when present).
missing(inst, q) := [] if {
	q_ok(inst, q)
} else := facts.sql_missing(inst, q)

ev(inst, q, key) := {"artifact": facts.sql_artifact(inst, q), "key": key}

subject(inst, object) := {"kind": "instance", "instance": inst, "node": n, "object": object} if {
	n := facts.instance_node(inst)
	n != ""
} else := {"kind": "instance", "instance": inst, "object": object}

# the one row of server_properties, {} when there is none or it is not an
# object (the rules then read its columns as absent: unknown, never no
# result)
server(inst) := r if {
	rs := input.sql[inst].queries.server_properties.rows
	is_array(rs)
	count(rs) == 1
	r := rs[0]
	is_object(r)
} else := r if {
	some r in rows(inst, "server_properties")
	is_object(r)
} else := {}

# SSISDB primary properties (null when absent)
# (facts.property's case-insensitive lookup from a table built once per query)
master_property(name) := v if {
	v := master_properties[upper(name)]
} else := null

catalog_property(name) := v if {
	v := catalog_properties[upper(name)]
} else := null

master_properties := {upper(row.property_name): row.property_value | some row in rows(prim, "ssisdb_master_properties")}

catalog_properties := {upper(row.property_name): row.property_value | some row in rows(prim, "ssisdb_catalog_properties")}

# the AG that contains SSISDB (from the primary, else any replica).
ag_name := n if {
	some r in rows(prim, "ag_ssisdb")
	upper(r.database_name) == "SSISDB"
	n := r.ag_name
} else := n if {
	some i in instances
	some r in rows(i, "ag_ssisdb")
	upper(r.database_name) == "SSISDB"
	n := r.ag_name
} else := ""

# primary's AG replica rows of the SSISDB AG.
ag_replica_rows := [r |
	some r in rows(prim, "ag_replicas")
	facts.str(facts.get(r, "ag_name", "")) == ag_name
]

same_server(a, b) if upper(trim_space(a)) == upper(trim_space(b))

# --- logging -------------------------------------------------------------------

log_login := "##MS_SSISLogDBWorkerAgentLogin##"

log_user := "##MS_SSISLogDBWorkerAgentUser##"

# the decrypted logging connection string (opt-in; Password redacted), or "".
log_connstr := cs if {
	some r in rows(prim, "logdb_connection")
	cs := facts.str(r.connection_string)
} else := ""

# connection string keywords, lower-cased keys.
connstr_kv(cs) := {lower(trim_space(parts[0])): trim_space(concat("=", array.slice(parts, 1, count(parts)))) |
	some part in split(cs, ";")
	parts := split(part, "=")
	count(parts) >= 2
}

connstr_value(cs, keys) := v if {
	kv := connstr_kv(cs)
	some k in keys
	v := kv[k]
} else := ""

# windows_logging: the logging connection string uses Integrated Security.
windows_logging if {
	lc := lower(log_connstr)
	integrated_keyword(lc)
	lower(connstr_value(log_connstr, ["integrated security", "trusted_connection"])) in {"sspi", "true", "yes"}
}

# a connection string without either keyword has no Integrated Security.
integrated_keyword(lc) if contains(lc, "integrated security")

integrated_keyword(lc) if contains(lc, "trusted_connection")

# --- principals --------------------------------------------------------------------

# worker_account(w): the StartName of the node's worker service
# (facts.service(w, "worker")) when it is a string, else "": the first one
# the node's service_kinds lists; without service_kinds, one pass over the
# node's services when it has exactly one worker service (then the first).
worker_account(w) := a if {
	nd := input.nodes[w]
	a := nd.services[nd.service_kinds.worker[0]].StartName
	is_string(a)
} else := a if {
	svcs := input.nodes[w].services
	is_object(svcs)
	ws := [x | some x in svcs; lower(x.kind) == "worker"]
	count(ws) == 1
	a := ws[0].StartName
	is_string(a)
} else := facts.str(facts.get(facts.service(w, "worker"), "StartName", ""))

# principal(inst, name): the server_principals row (case-insensitive name), or null.
principal(inst, name) := p if {
	# the common case: a row with exactly that name (its canonical name is name's)
	some p in rows(inst, "server_principals")
	p.name == name
} else := p if {
	want := names.canon_account(name)
	some x in server_principals_canon[inst]
	x[0] == want
	p := x[1]
} else := null

ssisdb_principal(name) := p if {
	some p in rows(prim, "ssisdb_principals")
	p.name == name
} else := p if {
	want := names.canon_account(name)
	some x in ssisdb_principals_canon
	x[0] == want
	p := x[1]
} else := null

# [canonical account name, row] of every principal row (names.account_eq
# compares canonical names), built once per query and instance.
server_principals_canon := {inst: [[names.canon_account(facts.str(p.name)), p] | some p in rows(inst, "server_principals")] |
	some inst in instances
}

ssisdb_principals_canon := [[names.canon_account(facts.str(p.name)), p] | some p in rows(prim, "ssisdb_principals")]

# --- time ----------------------------------------------------------------------------

# time_ns(s): RFC 3339 or SQL Server datetimeoffset text ("2026-11-20
# 09:59:38.6190000 +00:00") in Unix ns; 0 when it cannot be read.
time_ns(s) := t if {
	is_string(s)
	m := regex.find_all_string_submatch_n(`^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d(?:\.\d+)?) ?(Z|[+-]\d\d:\d\d)?$`, trim_space(s), 1)
	count(m) == 1
	tz := zone(m[0][3])
	t := time.parse_rfc3339_ns(sprintf("%sT%s%s", [m[0][1], m[0][2], tz]))
} else := 0

zone(z) := "Z" if z == ""

else := z

# --- versions --------------------------------------------------------------------------

major(inst) := to_number(v) if {
	v := server(inst).ProductMajorVersion
	is_string(v)
	regex.match(`^[0-9]+$`, v)
} else := to_number(split(facts.str(facts.get(server(inst), "ProductVersion", "")), ".")[0]) if {
	regex.match(`^[0-9]+\.`, facts.str(facts.get(server(inst), "ProductVersion", "")))
} else := 0

# AgentHeartbeatInterval of a worker in seconds (default 60).
heartbeat_secs(w) := s if {
	s := facts.get(facts.worker_settings(w), "agent_heartbeat_seconds", 0)
	s > 0
} else := 60

# the primary's SSISDB replica state row of a replica, or null.
# (same_server compares upper(trim_space(name)): the rows are keyed so once per query.)
replica_state(inst) := r if {
	r := replica_states_by_server[upper(trim_space(inst))]
} else := null

replica_states_by_server := {upper(trim_space(facts.str(r.replica_server_name))): r | some r in rows(prim, "ssisdb_replica_states")}

# the primary's ag_replicas row of a replica (SSISDB AG), or null.
ag_replica(inst) := r if {
	r := ag_replicas_by_server[upper(trim_space(inst))]
} else := null

ag_replicas_by_server := {upper(trim_space(facts.str(r.replica_server_name))): r | some r in ag_replica_rows}

# a row of a name/value result set by name (case-insensitive), or null.
# (name is never empty, so a row without a string name, which get/str would
# give "", never matches: r.name is read directly.)
named_row(inst, q, name) := r if {
	want := lower(name)
	some r in rows(inst, q)
	n := r.name
	is_string(n)
	lower(n) == want
} else := null

ssisdb_row(inst) := named_row(inst, "databases", "SSISDB")

# the highest ProductMajorVersion among the replicas that reported one.
max_major := max({major(i) | some i in instances}) if {
	count(instances) > 0
} else := 0

is_primary_row(r) if upper(facts.str(facts.get(r, "role_desc", ""))) == "PRIMARY"

is_primary_row(r) if {
	upper(facts.str(facts.get(r, "role_desc", ""))) == ""
	same_server(facts.str(r.replica_server_name), prim)
}

version_severity(maj) := "critical" if {
	maj < 14
} else := "medium"

version_msg(inst, maj, top) := sprintf("%s runs SQL Server major version %d; Scale Out needs SQL Server 2017 (14) or later.", [inst, maj]) if {
	maj < 14
} else := sprintf("%s runs SQL Server major version %d while another replica runs %d; replicas should be on one version.", [inst, maj, top])

or_absent(s) := s if {
	s != ""
} else := "absent"

or_none(xs) := xs if {
	count(xs) > 0
} else := ["none"]

or_any(s) := s if {
	s != ""
} else := "any listener"

sync_pass_msg(inst, synchronous, state, health) := sprintf("%s is an asynchronous-commit replica; SSISDB's synchronization is not required there.", [inst]) if {
	not synchronous
} else := sprintf("%s: SSISDB is %s and %s.", [inst, state, health])

listener_msg(ls, declared, found) := sprintf("Availability group %s, which contains SSISDB, has no listener; the master and logging cannot follow SSISDB.", [ag_name]) if {
	count(ls) == 0
} else := sprintf("Availability group %s has listener(s) %s, not the declared %s.", [ag_name, concat(", ", found), declared])

alwayson_fix(inst, problems, clr) := {"id": "sql-enable-clr", "target": inst, "params": {}} if {
	not clr
	count(problems) == 1
} else := {"id": "manual", "target": inst, "params": {"steps": [
	sprintf("In SSMS connected to the primary %s: Integration Services Catalogs, right-click SSISDB, Enable Always On Support.", [prim]),
	sprintf("Connect to %s (and every other replica) as sysadmin and confirm.", [inst]),
]}}

auth_pass_msg(inst) := sprintf("%s: package logging uses Windows authentication, so SQL authentication is not required.", [inst]) if {
	windows_logging
} else := sprintf("%s allows SQL Server authentication.", [inst])

# parse_endpoint("aglsn.contoso.com,1433") = {"host", "instance", "port"}; a
# missing port is 1433. "tcp:" prefixes are ignored.
parse_endpoint(s) := {"host": m[0][1], "instance": m[0][2], "port": endpoint_port(m[0][3])} if {
	m := regex.find_all_string_submatch_n(`^(?:tcp:)?([^,:\\]+)(?:\\([^,:]+))?(?:[,:]([0-9]+))?$`, trim_space(s), 1)
	count(m) == 1
} else := {"host": "", "instance": "", "port": 0}

endpoint_port(p) := 1433 if p == ""

else := to_number(p)

# is_listener(s): an SQL endpoint that is the deployment's listener name,port.
is_listener(s) if {
	e := parse_endpoint(s)
	names.host_eq(e.host, facts.str(facts.get(facts.listener, "host", "")))
	e.port == facts.eff_port(facts.listener)
	e.instance == ""
} else := false

listener_text := sprintf("%s,%d", [facts.get(facts.listener, "host", ""), facts.eff_port(facts.listener)])

log_password_row(inst) := r if {
	some r in rows(inst, "logdb_password_check")
	lower(facts.str(facts.get(r, "login_name", ""))) == lower(log_login)
} else := null

# the SID to create the logging login with: the SSISDB user's, else the primary's login's.
log_sid := s if {
	s := facts.str(facts.get(ssisdb_principal(log_user), "sid", ""))
	s != ""
} else := facts.str(facts.get(principal(prim, log_login), "sid", ""))

login_problems(inst) := login_problems_of(principal(inst, log_login), ssisdb_principal(log_user))

# login_problems_of(p, u): the problems of the login row p (null: absent)
# against the SSISDB user row u (null: absent).
login_problems_of(null, _) := [sprintf("%s does not exist", [log_login])]

login_problems_of(p, u) := array.concat(
	["it is disabled" | facts.flag_bool(object.get(p, "is_disabled", false))],
	array.concat(
		[sprintf("the SSISDB user %s does not exist", [log_user]) | u == null],
		[sprintf("its SID %s is not the SID %s of the SSISDB user %s (orphaned user after failover)", [object.get(p, "sid", ""), object.get(u, "sid", ""), log_user]) |
			u != null
			upper(facts.str(object.get(p, "sid", ""))) != upper(facts.str(object.get(u, "sid", "")))
		],
	),
) if {
	p != null
}

login_fix(inst, problems) := {"id": "sql-create-logdb-login", "target": inst, "params": {"login": log_login, "sid": log_sid}} if {
	principal(inst, log_login) == null
} else := {"id": "sql-enable-login", "target": inst, "params": {"login": log_login}} if {
	problems == ["it is disabled"]
} else := {"id": "manual", "target": inst, "params": {"steps": [
	sprintf("On %s: DROP LOGIN [%s];", [inst, log_login]),
	sprintf("CREATE LOGIN [%s] WITH PASSWORD = N'$(LogDbPassword)', SID = %s, CHECK_POLICY = OFF; (the password of the logging connection string)", [log_login, log_sid]),
]}}

ds_keys := ["data source", "server", "address", "addr", "network address"]

db_keys := ["initial catalog", "database"]

uid_keys := ["user id", "uid", "user"]

connstr_problems(cs) := array.concat(
	array.concat(
		[sprintf("Data Source is %s, not the listener %s", [or_absent(connstr_value(cs, ds_keys)), listener_text]) | not is_listener(connstr_value(cs, ds_keys))],
		[sprintf("Initial Catalog is %s, not SSISDB", [or_absent(connstr_value(cs, db_keys))]) | upper(connstr_value(cs, db_keys)) != "SSISDB"],
	),
	[sprintf("User Id is %s, not %s (and no Integrated Security)", [or_absent(connstr_value(cs, uid_keys)), log_login]) |
		not windows_logging
		lower(connstr_value(cs, uid_keys)) != lower(log_login)
	],
)

# log_login_absent(inst): with SQL-authentication logging, the instance's
# server_principals were read and have no logging login. The rules about that
# login's password and policy (LOG-PASSWORD-IN-SYNC, LOG-LOGIN-NO-EXPIRY) have
# no subject there and yield no result: LOG-LOGIN-ON-EVERY-REPLICA fails for
# it, and the login's password or policy is not unknown but nonexistent.
log_login_absent(inst) if {
	not windows_logging
	count(missing(inst, "server_principals")) == 0
	principal(inst, log_login) == null
}

password_pass_msg(inst) := sprintf("%s: logging uses Windows authentication; no SQL password to keep in sync.", [inst]) if {
	windows_logging
} else := sprintf("%s: the logging login's password matches the logging connection string.", [inst])

# LOG-WINDOWS-ACCOUNT-CONSISTENT: what is missing.
windows_logging_missing := m if {
	m := missing(prim, "logdb_connection")
	count(m) > 0
} else := [] if {
	not windows_logging
} else := array.concat(
	[x | some w in facts.worker_nodes; some x in facts.service_missing(w, "worker")],
	array.concat(
		[x | some rep in replicas; some x in missing(rep.instance, "server_principals")],
		missing(prim, "ssisdb_principals"),
	),
)

windows_logging_problems(accts) := [] if {
	not windows_logging
} else := [sprintf("the workers run as %d different accounts (%s)", [count(accts), concat(", ", accts)])] if {
	count(accts) != 1
} else := array.concat(
	[sprintf("%s has no enabled login on %s", [accts[0], rep.instance]) |
		some rep in replicas
		p := principal(rep.instance, accts[0])
		not login_enabled(p)
	],
	[sprintf("%s is not an SSISDB user in ssis_cluster_worker", [accts[0]]) | not in_worker_role(accts[0])],
)

login_enabled(p) if {
	p != null
	not facts.flag_bool(facts.get(p, "is_disabled", false))
}

in_worker_role(acct) if {
	some p in rows(prim, "ssisdb_principals")
	names.account_eq(facts.str(p.name), acct)
	lower(facts.str(facts.get(p, "role_name", ""))) == "ssis_cluster_worker"
}

windows_pass_msg(accts) := "Package logging uses SQL authentication; the workers' accounts are not used for logging." if {
	not windows_logging
} else := sprintf("Package logging uses Windows authentication as %s, which every worker runs as and every replica knows.", [concat(", ", accts)])

machine_is(v, node) if names.node_eq(facts.str(v), node)

build_major(b) := to_number(m[0][1]) if {
	m := regex.find_all_string_submatch_n(`^([0-9]+)\.`, b, 1)
	count(m) == 1
} else := 0

# the master heartbeat interval in ms: the active node's config, else SSISDB's, else 30000.
master_heartbeat_ms := v if {
	v := facts.get(facts.master_cfg(facts.reference_node), ["master", "heartbeat_interval_ms"], 0)
	v > 0
} else := v if {
	v := facts.num(master_property("MASTER_HEARTBEAT_INTERVALINMS"))
	v != null
	v > 0
} else := 30000

heartbeat_fail_msg(raw, age_s, interval) := "SSISDB: LAST_ONLINE_TIME is not set; no master has connected to SSISDB." if {
	raw == null
} else := sprintf("SSISDB: the master's last heartbeat (%v) was %d s before collection, more than 3 × %d ms; no master is connected to SSISDB.", [raw, round(age_s), interval])

# --- worker agents ---------------------------------------------------------------------

# agents_by_guid: normalized AgentId -> the catalog.worker_agents rows with
# it, in row order. A rule (evaluated once per query), not a function: OPA's
# comprehension index cache does not outlive a function call, so a lookup
# function that filtered the rows would cost one pass over all rows per
# worker (quadratic). The inner comprehension closes over k only and binds
# it by unification, so OPA indexes it within this one evaluation.
# (the common case first, with fewer expressions: every row's WorkerAgentId
# is a string whose normalized form no other row has, one row per agent)
agents_by_guid := {k: [agent_rows[i]] | some i, k in agent_keys; k != ""} if {
	agents_one_per_key
} else := {k: agents |
	some a0 in rows(prim, "ssisdb_worker_agents")
	k := names.norm_guid(facts.str(a0.WorkerAgentId))
	k != ""
	agents := [a | some a in rows(prim, "ssisdb_worker_agents"); k = names.norm_guid(facts.str(a.WorkerAgentId))]
}

agent_rows := rows(prim, "ssisdb_worker_agents")

# the catalog rows' normalized WorkerAgentIds (of the rows where it is a string)
agent_keys := [lower(trim(trim_space(id), "{}")) | some a in agent_rows; id := a.WorkerAgentId; is_string(id)]

# every catalog row's WorkerAgentId is a string whose normalized form no
# other row has (agent_keys[i] is agent_rows[i]'s)
agents_one_per_key if {
	count(agent_keys) == count(agent_rows)
	count({k | some k in agent_keys}) == count(agent_keys)
}

# workers_by_guid: normalized AgentId (WorkerSettings.config) -> the worker
# nodes configured with it, in worker order (built once, as agents_by_guid).
workers_by_guid := {k: ws |
	some w0 in facts.worker_nodes
	k := names.norm_guid(facts.worker_agent_id(w0))
	k != ""
	ws := [w | some w in facts.worker_nodes; k = names.norm_guid(facts.worker_agent_id(w))]
}

# worker_agent(aid): the first catalog.worker_agents row of an AgentId, or null.
worker_agent(aid) := agents_by_guid[k][0] if {
	k := names.norm_guid(aid)
	k != ""
} else := null

# catalog.worker_agents shows no row (not an error) to a login without
# ssis_admin / ssis_cluster_executor, so an empty result is not evidence.
worker_agents_missing := m if {
	m := missing(prim, "ssisdb_worker_agents")
	count(m) > 0
} else := [sprintf("%s: no rows (no worker is registered, or the collecting login lacks ssis_admin / ssis_cluster_executor, which hides every row)", [facts.sql_artifact(prim, "ssisdb_worker_agents")])] if {
	count(rows(prim, "ssisdb_worker_agents")) == 0
} else := []

agent_age_s(a) := (facts.created_ns - t) / 1000000000 if {
	t := time_ns(facts.get(a, "LastOnlineTime", null))
	t > 0
} else := -1

agent_online(a, hb) if {
	agent_age_s(a) >= 0
	agent_age_s(a) <= 3 * hb
}

# online_b(hb, lot): agent_online(a, hb) for a catalog row a with
# LastOnlineTime lot, for an RFC 3339 lot (which time_ns reads as is) at
# least a second inside the window (so that no rounding of the age in
# seconds can make the difference); false otherwise (worker_fast's fast_info
# has its body inline; test_fast_info_online_as_online_b).
online_b(hb, lot) if {
	regex.match(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$`, lot)
	t := time.parse_rfc3339_ns(lot)
	t > 0
	t <= facts.created_ns
	t >= online_since(hb)
} else := false

online_since(hb) := (facts.created_ns - ((3 * hb) * 1000000000)) + 1000000000

# (the common case first: enabled, and online by online_b)
agent_problems(a, hb) := [] if {
	a.IsEnabled == true
	online_b(hb, a.LastOnlineTime)
} else := ["is not registered in SSISDB.catalog.worker_agents"] if {
	a == null
} else := array.concat(
	["is disabled" | not facts.flag_bool(facts.get(a, "IsEnabled", false))],
	[agent_offline_msg(a, hb) | not agent_online(a, hb)],
)

agent_offline_msg(a, hb) := "has never been online" if {
	agent_age_s(a) < 0
} else := sprintf("was last online %d s before collection (more than 3 × %d s)", [round(agent_age_s(a)), hb])

agent_fix(w, a, _) := {"id": "manual", "target": w, "params": {"steps": [
	sprintf("Register %s with the master: Scale Out Manager, Add Worker (connect through the listener), or reinstall the worker pointing at the master.", [w]),
	"Then enable it: EXEC SSISDB.catalog.enable_worker_agent @WorkerAgentId = '<AgentId>';",
]}} if {
	a == null
} else := {"id": "sql-enable-worker-agent", "target": facts.primary_label, "params": {"agent_id": facts.str(a.WorkerAgentId)}} if {
	not facts.flag_bool(facts.get(a, "IsEnabled", false))
} else := {"id": "start-worker", "target": w, "params": {"service": facts.worker_service_name(w)}}

# heartbeat of the worker whose AgentId a catalog row has (60 s when unknown).
agent_heartbeat(a) := heartbeat_secs(workers_by_guid[k][0]) if {
	k := names.norm_guid(facts.str(a.WorkerAgentId))
	k != ""
} else := 60

online_agents := sort([facts.str(facts.get(a, "MachineName", a.WorkerAgentId)) |
	some a in rows(prim, "ssisdb_worker_agents")
	facts.flag_bool(facts.get(a, "IsEnabled", false))
	agent_online(a, agent_heartbeat(a))
])

# login_problem(inst, account): why the account cannot log in (undefined when it can).
login_problem(inst, a) := sprintf("no login for %s", [a]) if {
	principal(inst, a) == null
} else := sprintf("the login %s is disabled", [a]) if {
	facts.flag_bool(facts.get(principal(inst, a), "is_disabled", false))
}

login_create_fix(inst, problems) := {"id": "sql-create-windows-login", "target": inst, "params": {"login": problems[0][0]}} if {
	count(problems) > 0
	principal(inst, problems[0][0]) == null
} else := {"id": "sql-enable-login", "target": inst, "params": {"login": problems[0][0]}} if {
	count(problems) > 0
} else := {"id": "sql-create-windows-login", "target": inst, "params": {"login": ""}}
