package ssis.test.cluster

import data.ssis.rules.cluster
import data.ssis.rules.fci
import data.ssis.test.fixtures as fx

no_cluster := json.patch(fx.healthy, [
	{"op": "add", "path": ["cluster"], "value": null},
	{"op": "add", "path": ["missing"], "value": {"cluster": "no node has cluster.json (SQLN1: access is denied)"}},
])

resources(rs) := fx.set(["cluster", "Resources"], rs)

master_res := fx.cluster.Resources[0]

cap_res := fx.cluster.Resources[1]

# --- CLUSTER-MEMBERSHIP ------------------------------------------------------------------

test_membership_pass if {
	fx.all_pass(cluster.cluster_membership) with input as fx.healthy
}

test_membership_fail_down_and_absent if {
	inp := fx.set(["cluster", "Nodes"], [{"Name": "sqln1.contoso.com", "State": "Down"}])
	rs := cluster.cluster_membership with input as inp
	fx.only(rs, "SQLN1", "fail")
	fx.only(rs, "SQLN2", "fail")
	contains(fx.result(rs, "SQLN1").message, "Down")
	contains(fx.result(rs, "SQLN2").message, "not a member")
	fx.result(rs, "SQLN2").fix.id == "manual"
}

test_membership_unknown if {
	rs := cluster.cluster_membership with input as no_cluster
	fx.only(rs, "SQLN1", "unknown")
	fx.result(rs, "SQLN1").missing == ["cluster: no node has cluster.json (SQLN1: access is denied)"]
}

# --- CLUSTER-SAME-DOMAIN ---------------------------------------------------------------------

test_same_domain_pass if {
	fx.all_pass(cluster.cluster_same_domain) with input as fx.node_patch("SQLN2", {"host": {"Domain": "CONTOSO.COM"}})
}

test_same_domain_fail_other if {
	rs := cluster.cluster_same_domain with input as fx.node_patch("SQLN2", {"host": {"Domain": "fabrikam.com"}})
	fx.only(rs, "SQLN2", "fail")
	fx.only(rs, "SQLN1", "pass")
}

test_same_domain_fail_workgroup if {
	rs := cluster.cluster_same_domain with input as fx.node_patch("SQLN2", {"host": {"Domain": "WORKGROUP", "PartOfDomain": false}})
	fx.only(rs, "SQLN2", "fail")
	contains(fx.result(rs, "SQLN2").message, "not joined")
}

test_same_domain_unknown if {
	rs := cluster.cluster_same_domain with input as fx.missing("SQLN2", "host")
	fx.only(rs, "SQLN2", "unknown")
}

# --- CLUSTER-MASTER-ROLE --------------------------------------------------------------------------

test_master_role_pass if {
	fx.all_pass(cluster.cluster_master_role) with input as fx.healthy
}

test_master_role_fail if {
	rs := cluster.cluster_master_role with input as resources([cap_res])
	fx.one_per_subject(rs)
	[r.status | some r in rs] == ["fail"]
	[r.fix.id | some r in rs] == ["manual"]
}

test_master_role_unknown if {
	rs := cluster.cluster_master_role with input as no_cluster
	[r.status | some r in rs] == ["unknown"]
}

test_master_role_not_on_fci if {
	count(cluster.cluster_master_role) == 0 with input as fx.healthy_fci
}

# --- CLUSTER-MASTER-CAP-NAME ---------------------------------------------------------------------

test_cap_name_pass if {
	fx.all_pass(cluster.cluster_master_cap_name) with input as fx.healthy
}

test_cap_name_fail if {
	inp := resources([master_res, object.union(cap_res, {"Parameters": {"DnsName": "ssisrole", "Name": "SSISROLE"}})])
	rs := cluster.cluster_master_cap_name with input as inp
	[r.status | some r in rs] == ["fail"]
}

test_cap_name_unknown_no_role if {
	rs := cluster.cluster_master_cap_name with input as resources([cap_res])
	[r.status | some r in rs] == ["unknown"]
}

# --- CLUSTER-MASTER-ROLE-ONLINE -------------------------------------------------------------------

test_role_online_pass if {
	fx.all_pass(cluster.cluster_master_role_online) with input as fx.healthy
	fx.all_pass(cluster.cluster_master_role_online) with input as fx.healthy_fci
}

test_role_online_fail if {
	inp := resources([object.union(master_res, {"State": "Failed", "PossibleOwners": ["SQLN1"]}), cap_res])
	rs := cluster.cluster_master_role_online with input as inp
	[r.status | some r in rs] == ["fail"]
	some r in rs
	contains(r.message, "SQLN2 cannot own it")
	contains(r.message, "Failed")
}

test_role_online_unknown if {
	rs := cluster.cluster_master_role_online with input as no_cluster
	[r.status | some r in rs] == ["unknown"]
}

# --- CLUSTER-MASTER-RESOURCE-VERSION --------------------------------------------------------------

test_resource_version_pass if {
	fx.all_pass(cluster.cluster_master_resource_version) with input as fx.healthy
}

test_resource_version_fail_after_upgrade if {
	inp := json.patch(fx.healthy, [
		{"op": "remove", "path": ["nodes", "SQLN2", "services", "SSISScaleOutMaster150"]},
		{"op": "add", "path": ["nodes", "SQLN2", "services", "SSISScaleOutMaster160"], "value": object.union(fx.master_service("Stopped", 0, 0), {"Name": "SSISScaleOutMaster160", "version": "160"})},
	])
	rs := cluster.cluster_master_resource_version with input as inp
	fx.only(rs, "SQLN2", "fail")
	fx.only(rs, "SQLN1", "pass")
}

test_resource_version_unknown if {
	rs := cluster.cluster_master_resource_version with input as fx.missing("SQLN2", "services")
	fx.only(rs, "SQLN2", "unknown")
	rs2 := cluster.cluster_master_resource_version with input as no_cluster
	fx.only(rs2, "SQLN1", "unknown")
}

# --- FCI-MASTER-IN-SQL-ROLE ------------------------------------------------------------------------

test_fci_role_pass if {
	fx.all_pass(fci.fci_master_in_sql_role) with input as fx.healthy_fci
}

test_fci_role_not_on_ag if {
	count(fci.fci_master_in_sql_role) == 0 with input as fx.healthy
}

test_fci_role_fail_own_group if {
	inp := fx.fci_set(["cluster", "Resources", 2, "OwnerGroup"], "ssismaster")
	rs := fci.fci_master_in_sql_role with input as inp
	[r.status | some r in rs] == ["fail"]
}

test_fci_role_fail_offline if {
	rs := fci.fci_master_in_sql_role with input as fx.fci_set(["cluster", "Resources", 2, "State"], "Offline")
	[r.status | some r in rs] == ["fail"]
}

test_fci_role_unknown if {
	rs := fci.fci_master_in_sql_role with input as fx.fci_set(["cluster"], null)
	[r.status | some r in rs] == ["unknown"]
	rs2 := fci.fci_master_in_sql_role with input as fx.fci_set(["cluster", "Resources"], [])
	[r.status | some r in rs2] == ["unknown"]
}
