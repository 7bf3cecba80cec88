# The WSFC as seen from one node (cluster.json).
package ssis.lib.cluster

import data.ssis.lib.facts
import data.ssis.lib.names

doc := c if {
	c := facts.get(input, "cluster", null)
	is_object(c)
} else := null

missing := [] if {
	doc != null
} else := [sprintf("cluster: %s", [facts.get(input, ["missing", "cluster"], "cluster.json was not collected")])]

artifact := sprintf("nodes/%s/cluster.json", [facts.get(doc, "source_node", "")]) if {
	facts.get(doc, "source_node", "") != ""
} else := "cluster.json"

ev(key) := {"artifact": artifact, "key": key}

resources := facts.arr(facts.get(doc, "Resources", []))

nodes := facts.arr(facts.get(doc, "Nodes", []))

# param(r, key): the resource's parameter (case-insensitive key) as a string,
# else "". The exact key is looked up first.
param(r, key) := v if {
	v := r.Parameters[key]
	is_string(v)
} else := facts.str(facts.value(facts.get(r, "Parameters", {}), key))

# (t is a non-empty literal: a ResourceType that is absent or not a string,
# which facts.str would make "", never matches)
is_type(r, t) if lower(r.ResourceType) == t

# Generic Service resources that run a Scale Out Master service.
master_resources := [r |
	some r in resources
	is_type(r, "generic service")
	startswith(lower(param(r, "ServiceName")), "ssisscaleoutmaster")
]

# the master resource: the one for the master version, else the first; null when none.
master_resource := rs[0] if {
	rs := [r | some r in master_resources; lower(param(r, "ServiceName")) == lower(facts.master_service_name)]
	count(rs) > 0
} else := master_resources[0] if {
	count(master_resources) > 0
} else := null

master_resource_missing := m if {
	count(missing) > 0
	m := missing
} else := ["cluster: no Generic Service resource runs the Scale Out Master service (see CLUSTER-MASTER-ROLE)"] if {
	master_resource == null
} else := []

# network names (client access points) of a group.
network_names(group) := [r |
	some r in resources
	is_type(r, "network name")
	facts.get(r, "OwnerGroup", "") == group
]

dns_name(r) := n if {
	n := param(r, "DnsName")
	n != ""
} else := param(r, "Name")

member(n) := m if {
	# the common case: the member's Name is the node name as written
	some m in nodes
	m.Name == n
	names.node_eq(n, n)
} else := m if {
	some m in nodes
	names.node_eq(facts.str(facts.get(m, "Name", "")), n)
} else := null

# the group of the SQL Server resource (FCI), or "".
sql_group := gs[0] if {
	gs := [facts.str(facts.get(r, "OwnerGroup", "")) | some r in resources; is_type(r, "sql server")]
	count(gs) > 0
} else := ""

possible_owner(r, n) if {
	# the common case: the owner is the node name as written
	some o in r.PossibleOwners
	o == n
	names.node_eq(n, n)
} else if {
	some o in facts.arr(facts.get(r, "PossibleOwners", []))
	names.node_eq(facts.str(o), n)
}

online(x) if lower(facts.str(facts.get(x, "State", ""))) == "online"

or_none(xs) := xs if {
	count(xs) > 0
} else := ["none"]

membership_msg(n, m) := sprintf("%s is not a member of cluster %s; the master role and SSISDB cannot fail over to it.", [n, facts.get(doc, "Name", "")]) if {
	m == null
} else := sprintf("%s is %s in cluster %s, not Up.", [n, facts.get(m, "State", ""), facts.get(doc, "Name", "")])

domain_msg(n, joined, dom, want) := sprintf("%s is not joined to a domain.", [n]) if {
	not joined
} else := sprintf("%s is joined to %s, not the deployment's domain %s.", [n, dom, want])
