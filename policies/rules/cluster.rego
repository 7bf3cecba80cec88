# Rules about the Windows Server failover cluster and the master role.

# METADATA
# scope: package
# custom:
#   weight: 0.8
package ssis.rules.cluster

import data.ssis.lib.cluster
import data.ssis.lib.facts
import data.ssis.lib.master_fast as mf
import data.ssis.lib.names
import data.ssis.lib.result as res

# METADATA
# title: Master and replica nodes are Up members of the cluster
# description: Every master node and replica node is an Up member of one WSFC.
# custom:
#   id: CLUSTER-MEMBERSHIP
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: HA §1
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: manual
#   why: The master role and SSISDB can fail over only to nodes that are Up members of the failover cluster.
#   facts: ["nodes/<NODE>/cluster.json: Nodes[].Name, State"]
#   remediation: Install the Failover Clustering feature, add the node to the cluster (Add-ClusterNode) and bring it Up (Start-ClusterNode).
#   tags: [cluster, availability]
cluster_membership contains r if {
	some n in mf.cluster_nodes
	m := cluster.member(n)
	missing := cluster.missing
	st := res.status(missing, lower(facts.str(facts.get(m, "State", ""))) == "up")
	r := {
		"rule": "CLUSTER-MEMBERSHIP",
		"status": st,
		"subject": {"kind": "node", "node": n, "object": "cluster:membership"},
		"message": membership_msg(st, n, m, missing),
		"observed": res.observed(st, facts.get(m, "State", "not a member")),
		"expected": "Up",
		"missing": missing,
		"evidence": [cluster.ev("Nodes")],
		"fix": membership_fix(st, n),
	}
}

# METADATA
# title: Cluster nodes are in the same AD domain
# description: Every master and replica node is joined to the deployment's AD domain.
# custom:
#   id: CLUSTER-SAME-DOMAIN
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: HA §7 (Azure note)
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: manual
#   why: A WSFC requires its nodes in one domain, and the master's domain service account must be valid on every node.
#   facts: ["nodes/<NODE>/host.json: PartOfDomain, Domain", "deployment.domain"]
#   remediation: Join the node to the deployment's domain (manual step, needs a restart).
#   tags: [cluster, domain]
cluster_same_domain contains r if {
	some n in mf.cluster_nodes
	h := facts.get(facts.node(n), "host", null)
	dom := lower(facts.str(facts.get(h, "Domain", "")))
	joined := facts.get(h, "PartOfDomain", false) == true
	want := mf.domain
	missing := facts.first_missing([
		facts.node_missing(n, ["host"]),
		facts.missing_if(h == null, sprintf("nodes/%s/host.json: not collected", [n])),
		facts.missing_if(want == "", "deployment.domain: no master node reported its domain"),
	])
	st := res.status(missing, count([1 | joined; dom == want]) == 1)
	r := {
		"rule": "CLUSTER-SAME-DOMAIN",
		"status": st,
		"subject": {"kind": "node", "node": n, "object": "host:Domain"},
		"message": same_domain_msg(st, n, joined, dom, want, missing),
		"observed": res.observed(st, {"PartOfDomain": joined, "Domain": dom}),
		"expected": {"PartOfDomain": true, "Domain": want},
		"missing": missing,
		"evidence": [{"artifact": sprintf("nodes/%s/host.json", [n]), "key": "Domain"}],
		"fix": same_domain_fix(st, n, want),
	}
}

# METADATA
# title: A cluster role runs the Scale Out Master service
# description: A Generic Service resource runs SSISScaleOutMaster<VER>.
# custom:
#   id: CLUSTER-MASTER-ROLE
#   severity: critical
#   variant: ag
#   profiles: [ha, pre-upgrade]
#   source: HA §7
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: manual
#   why: Without a Generic Service role for the master service nothing moves the master to another node when the active one fails.
#   facts: ["nodes/<NODE>/cluster.json: Resources[ResourceType=Generic Service].Parameters.ServiceName"]
#   remediation: >-
#     Failover Cluster Manager, Configure Role, Generic Service, select "SQL Server Integration Services Scale Out
#     Master", client access point = the master DNS name (or Add-ClusterGenericServiceRole).
#   tags: [cluster, availability]
cluster_master_role contains r if {
	facts.variant == "ag"
	res_ := cluster.master_resource
	missing := cluster.missing
	st := res.status(missing, res_ != null)
	r := {
		"rule": "CLUSTER-MASTER-ROLE",
		"status": st,
		"subject": {"kind": "deployment", "object": "cluster:master-role"},
		"message": master_role_msg(st, res_, missing),
		"observed": res.observed(st, cluster.param(res_, "ServiceName")),
		"expected": facts.master_service_name,
		"missing": missing,
		"evidence": [cluster.ev("Resources")],
		"fix": master_role_fix(st),
	}
}

# METADATA
# title: The master role's client access point is the master DNS name
# description: The master role's Network Name (client access point) is the declared master DNS name.
# custom:
#   id: CLUSTER-MASTER-CAP-NAME
#   severity: critical
#   variant: ag
#   profiles: [ha, pre-upgrade]
#   source: HA §7.3, §2.2
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: manual
#   why: >-
#     Workers, SSISDB's MASTER_ADDRESS and the master certificate all use the master DNS name; only the role's client
#     access point makes that name follow the active master node.
#   facts: ["nodes/<NODE>/cluster.json: Resources[ResourceType=Network Name].Parameters.DnsName", "deployment.master_dns"]
#   remediation: Recreate the master role with the master DNS name as client access point, or change the certificate, MASTER_ADDRESS and workers to the role's name.
#   tags: [cluster, dns]
cluster_master_cap_name contains r if {
	facts.variant == "ag"
	group := facts.get(cluster.master_resource, "OwnerGroup", "")
	caps := [cluster.dns_name(n) | some n in cluster.network_names(group)]
	missing := facts.first_missing([cluster.master_resource_missing, facts.master_dns_missing])
	st := res.status(missing, facts.host_in(facts.master_dns, caps))
	r := {
		"rule": "CLUSTER-MASTER-CAP-NAME",
		"status": st,
		"subject": {"kind": "deployment", "object": "cluster:master-role/client-access-point"},
		"message": cap_name_msg(st, group, caps, missing),
		"observed": res.observed(st, caps),
		"expected": facts.master_dns,
		"missing": missing,
		"evidence": [cluster.ev("Resources")],
		"fix": cap_name_fix(st, group),
	}
}

# METADATA
# title: The master resource is Online and every master node can own it
# description: The master Generic Service resource is Online and every master node is a possible owner.
# custom:
#   id: CLUSTER-MASTER-ROLE-ONLINE
#   severity: high
#   variant: both
#   profiles: [ha]
#   source: HA §3 note, §7
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: manual
#   why: An offline master resource means no master; a master node that is not a possible owner is never failed over to.
#   facts: ["nodes/<NODE>/cluster.json: Resources[master].State, PossibleOwners"]
#   remediation: Start the role (Start-ClusterGroup) and add every master node to the resource's possible owners (Set-ClusterOwnerNode).
#   tags: [cluster, availability]
cluster_master_role_online contains r if {
	res_ := cluster.master_resource
	not_owners := [n | some n in facts.master_nodes; not cluster.possible_owner(res_, n)]
	problems := array.concat(
		[sprintf("it is %s, not Online", [facts.get(res_, "State", "")]) | not cluster.online(res_)],
		[sprintf("%s cannot own it", [concat(", ", not_owners)]) | count(not_owners) > 0],
	)
	missing := cluster.master_resource_missing
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "CLUSTER-MASTER-ROLE-ONLINE",
		"status": st,
		"subject": {"kind": "deployment", "object": "cluster:master-resource"},
		"message": role_online_msg(st, res_, problems, missing),
		"observed": res.observed(st, {"State": facts.get(res_, "State", null), "PossibleOwners": facts.get(res_, "PossibleOwners", null)}),
		"expected": {"State": "Online", "PossibleOwners": facts.master_nodes},
		"missing": missing,
		"evidence": [cluster.ev(sprintf("Resources[%s]", [facts.get(res_, "Name", "")]))],
		"fix": role_online_fix(st, res_),
	}
}

# METADATA
# title: The master resource names the installed master service
# description: The master resource's ServiceName is the master service installed on every possible owner.
# custom:
#   id: CLUSTER-MASTER-RESOURCE-VERSION
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: HA upgrade
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: manual
#   why: After an upgrade the role still names the old SSISScaleOutMaster<VER> service; on a node without it the resource fails to start.
#   facts: ["nodes/<NODE>/cluster.json: Resources[master].Parameters.ServiceName", "nodes/<NODE>/services.json: SSISScaleOutMaster<VER>"]
#   remediation: Remove the master role and recreate it for the installed SSISScaleOutMaster<VER> service (HA "Upgrade Scale Out in high availability environment").
#   tags: [cluster, version, upgrade]
cluster_master_resource_version contains r if {
	res_ := cluster.master_resource
	want := cluster.param(res_, "ServiceName")
	rname := facts.get(res_, "Name", "")
	some n in facts.master_nodes
	installed := [s.Name | some s in facts.services(n, "master")]
	missing := facts.first_missing([cluster.master_resource_missing, facts.node_missing(n, ["services"])])
	st := res.status(missing, count([s | some s in installed; lower(s) == lower(want)]) > 0)
	r := {
		"rule": "CLUSTER-MASTER-RESOURCE-VERSION",
		"status": st,
		"subject": {"kind": "node", "node": n, "object": "cluster:master-resource/ServiceName"},
		"message": resource_version_msg(st, n, want, installed, missing),
		"observed": res.observed(st, installed),
		"expected": want,
		"missing": missing,
		"evidence": [cluster.ev(sprintf("Resources[%s].Parameters.ServiceName", [rname])), {"artifact": facts.services_artifact(n)}],
		"fix": resource_version_fix(st, res_, installed),
	}
}

# --- messages and fixes, by status (only the one that is used is built) ---

membership_msg("pass", n, _, _) := sprintf("%s is an Up member of cluster %s.", [n, facts.get(cluster.doc, "Name", "")])

membership_msg("fail", n, m, _) := cluster.membership_msg(n, m)

membership_msg("unknown", n, _, missing) := res.unknown_message(sprintf("%s: cluster membership could not be checked.", [n]), missing)

membership_fix("fail", n) := res.manual(n, [
	sprintf("Install Failover Clustering on %s (Install-WindowsFeature Failover-Clustering -IncludeManagementTools).", [n]),
	sprintf("Add it to cluster %s (Add-ClusterNode -Name %s) or start its cluster service (Start-ClusterNode -Name %s).", [facts.get(cluster.doc, "Name", ""), n, n]),
])

membership_fix(st, _) := null if st != "fail"

same_domain_msg("pass", n, _, dom, _, _) := sprintf("%s is joined to %s.", [n, dom])

same_domain_msg("fail", n, joined, dom, want, _) := cluster.domain_msg(n, joined, dom, want)

same_domain_msg("unknown", n, _, _, _, missing) := res.unknown_message(sprintf("%s: its domain could not be read.", [n]), missing)

same_domain_fix("fail", n, want) := res.manual(n, [sprintf("Join %s to the domain %s (Add-Computer -DomainName %s) and restart it.", [n, want, want])])

same_domain_fix(st, _, _) := null if st != "fail"

master_role_msg("pass", res_, _) := sprintf("Cluster resource %s (Generic Service) runs %s.", [facts.get(res_, "Name", ""), cluster.param(res_, "ServiceName")])

master_role_msg("fail", _, _) := sprintf("The cluster has no Generic Service resource for %s; the master does not fail over.", [facts.master_service_name])

master_role_msg("unknown", _, missing) := res.unknown_message("The cluster's roles could not be read.", missing)

master_role_fix("fail") := res.manual(facts.reference_node, [
	sprintf("Create the master role: Add-ClusterGenericServiceRole -ServiceName '%s' -Name '%s' -StaticAddress <IP>.", [facts.master_service_name, names.short_name(facts.master_dns)]),
	"Or: Failover Cluster Manager, Configure Role, Generic Service, \"SQL Server Integration Services Scale Out Master\".",
])

master_role_fix(st) := null if st != "fail"

cap_name_msg("pass", group, _, _) := sprintf("The master role %s has the client access point %s.", [group, facts.master_dns])

cap_name_msg("fail", group, caps, _) := sprintf("The master role %s has client access point(s) %s, not the master DNS name %s.", [group, concat(", ", cluster.or_none(caps)), facts.master_dns])

cap_name_msg("unknown", _, _, missing) := res.unknown_message("The master role's client access point could not be checked.", missing)

cap_name_fix("fail", group) := res.manual(facts.reference_node, [
	sprintf("Recreate the master role %s with the client access point %s (Add-ClusterGenericServiceRole -Name %s).", [group, names.short_name(facts.master_dns), names.short_name(facts.master_dns)]),
	"Or use the role's name everywhere instead: master certificate CN, SSISDB MASTER_ADDRESS and every worker's MasterEndpoint.",
])

cap_name_fix(st, _) := null if st != "fail"

role_online_msg("pass", res_, _, _) := sprintf("The master resource %s is Online on %s and every master node can own it.", [facts.get(res_, "Name", ""), facts.get(res_, "OwnerNode", "")])

role_online_msg("fail", res_, problems, _) := sprintf("The master resource %s is not ready for failover: %s.", [facts.get(res_, "Name", ""), concat("; ", problems)])

role_online_msg("unknown", _, _, missing) := res.unknown_message("The master resource could not be checked.", missing)

role_online_fix("fail", res_) := res.manual(facts.reference_node, [
	sprintf("Start-ClusterGroup '%s'", [facts.get(res_, "OwnerGroup", "")]),
	sprintf("Set-ClusterOwnerNode -Resource '%s' -Owners %s", [facts.get(res_, "Name", ""), concat(",", facts.master_nodes)]),
])

role_online_fix(st, _) := null if st != "fail"

resource_version_msg("pass", n, want, _, _) := sprintf("%s has %s, the service the master resource runs.", [n, want])

resource_version_msg("fail", n, want, installed, _) := sprintf("The master resource runs %s, but %s has %s; the role cannot start there.", [want, n, concat(", ", cluster.or_none(installed))])

resource_version_msg("unknown", n, _, _, missing) := res.unknown_message(sprintf("%s: the master resource's service could not be compared with the installed one.", [n]), missing)

resource_version_fix("fail", res_, installed) := res.manual(facts.reference_node, [
	sprintf("Remove the master role %s and recreate it for the installed master service (Add-ClusterGenericServiceRole -ServiceName %s).", [facts.get(res_, "OwnerGroup", ""), array.concat(installed, [facts.master_service_name])[0]]),
	"Upgrade Scale Out Master on every master node to the same version first.",
])

resource_version_fix(st, _, _) := null if st != "fail"
