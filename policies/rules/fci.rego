# Rules of the FCI variant: SSISDB on a SQL Server failover cluster instance,
# the master service inside the SQL Server role.

# METADATA
# scope: package
# custom:
#   weight: 0.1
package ssis.rules.fci

import data.ssis.lib.certs
import data.ssis.lib.cluster
import data.ssis.lib.facts
import data.ssis.lib.names
import data.ssis.lib.result as res

# METADATA
# title: The master certificate names the SQL Server network name
# description: On an FCI the master certificate's CNs (or SAN DNS names) contain the SQL Server network name.
# custom:
#   id: FCI-CERT-CN-NETWORKNAME
#   severity: critical
#   variant: fci
#   profiles: [ha, pre-upgrade]
#   source: FCI §3
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-failover-cluster-instance
#   fix: renew-master-cert
#   why: >-
#     With the master in the SQL Server role, workers connect to the SQL Server network name; a certificate issued to
#     a node name fails the TLS check as soon as the role is on another node.
#   facts: ["nodes/<NODE>/files/MasterSettings.config: SSLCertThumbprint", "nodes/<NODE>/certs/LocalMachine/Root/<THUMB>.cer: CN, SAN", "sql/<INSTANCE>/server_properties: ServerName"]
#   remediation: >-
#     Create a master certificate whose CN is the SQL Server network name (short and FQDN), bind it to the master port,
#     update SSLCertThumbprint on every node and trust it on the workers.
#   tags: [certificate, tls, fci]
fci_cert_cn_networkname contains r if {
	facts.variant == "fci"
	some name in facts.master_nodes
	thumb := certs.norm_thumb(facts.master_thumb_of(name))
	cert := certs.lookup(name, thumb)
	net := facts.fci_network_name
	cns := names.cert_names(facts.obj(cert))
	missing := facts.first_missing([facts.master_cfg_missing(name), facts.fci_missing, certs.cert_missing(thumb, cert)])
	st := res.status(missing, certs.names_network(cert))
	r := {
		"rule": "FCI-CERT-CN-NETWORKNAME",
		"status": st,
		"subject": {"kind": "node", "node": name, "object": "MasterSettings.config/SSLCertThumbprint"},
		"message": cn_msg(st, name, thumb, net, cns, missing),
		"observed": res.observed(st, cns),
		"expected": [net, facts.fci_network_fqdn],
		"missing": missing,
		"evidence": [
			facts.master_ev(name, "SSLCertThumbprint"),
			{"artifact": certs.cert_artifact(name, "LocalMachine/Root", thumb), "key": "Subject"},
			{"artifact": facts.sql_artifact(facts.primary_instance, "server_properties"), "key": "ServerName"},
		],
		"fix": cn_fix(st),
	}
}

# METADATA
# title: SqlServerName is the SQL Server network name
# description: On an FCI, SqlServerName on every master node is the SQL Server network name, with \instance for a named instance.
# custom:
#   id: FCI-SQLSERVERNAME
#   severity: critical
#   variant: fci
#   profiles: [ha, pre-upgrade]
#   source: FCI §5
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-failover-cluster-instance
#   fix: set-master-config
#   why: >-
#     The master must reach SSISDB wherever the FCI runs; a node name or a missing instance name breaks it when the
#     SQL Server role moves.
#   facts: ["nodes/<NODE>/files/MasterSettings.config: SqlServerName", "sql/<INSTANCE>/server_properties: ServerName, InstanceName"]
#   remediation: >-
#     Set SqlServerName to "<SQL Server network name>\<instance name>" (network name alone for a default instance;
#     JSON writes the backslash as \\) on every master node, then restart the master through the cluster.
#   tags: [configuration, fci]
fci_sqlservername contains r if {
	facts.variant == "fci"
	some name in facts.master_nodes
	ep := facts.obj(facts.get(facts.master_cfg(name), ["master", "sql_server"], {}))
	want := facts.fci_sqlservername
	problems := array.concat(
		[sprintf("host %s is not the network name %s", [facts.str(facts.get(ep, "host", "")), facts.fci_network_name]) | not names.host_eq(facts.str(facts.get(ep, "host", "")), facts.fci_network_name)],
		[sprintf("instance %s is not %s", [facts.str(facts.get(ep, "instance", "")), certs.or_default(facts.fci_instance_name)]) | not facts.same_instance(facts.str(facts.get(ep, "instance", "")), facts.fci_instance_name)],
	)
	missing := facts.first_missing([
		facts.master_cfg_missing(name),
		facts.key_missing(name, "MasterSettings.config", facts.master_cfg(name), "SqlServerName"),
		facts.fci_missing,
	])
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "FCI-SQLSERVERNAME",
		"status": st,
		"subject": {"kind": "node", "node": name, "object": "MasterSettings.config/SqlServerName"},
		"message": sqlservername_msg(st, name, ep, want, problems, missing),
		"observed": res.observed(st, facts.get(ep, "raw", null)),
		"expected": want,
		"missing": missing,
		"evidence": [facts.master_ev(name, "SqlServerName"), {"artifact": facts.sql_artifact(facts.primary_instance, "server_properties"), "key": "ServerName"}],
		"fix": sqlservername_fix(st, name, want),
	}
}

# METADATA
# title: The master service is a resource of the SQL Server role
# description: On an FCI the master Generic Service resource sits in the SQL Server role's group and is Online.
# custom:
#   id: FCI-MASTER-IN-SQL-ROLE
#   severity: critical
#   variant: fci
#   profiles: [ha, pre-upgrade]
#   source: FCI §6
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-failover-cluster-instance
#   fix: manual
#   why: >-
#     Workers reach the master through the SQL Server network name; only a master resource in the SQL Server role moves
#     with that name when the FCI fails over.
#   facts: ["nodes/<NODE>/cluster.json: Resources[ResourceType=Generic Service].OwnerGroup, State, Resources[ResourceType=SQL Server].OwnerGroup"]
#   remediation: >-
#     Add-ClusterResource -Name 'SSIS Scale Out Master' -ResourceType 'Generic Service' -Group '<SQL Server role>', set
#     its ServiceName parameter to SSISScaleOutMaster<VER>, and start it.
#   tags: [cluster, fci]
fci_master_in_sql_role contains r if {
	facts.variant == "fci"
	res_ := cluster.master_resource
	group := facts.str(facts.get(res_, "OwnerGroup", ""))
	problems := array.concat(
		[sprintf("it is in group %s, not the SQL Server role %s", [group, cluster.sql_group]) | group != cluster.sql_group],
		[sprintf("it is %s, not Online", [facts.get(res_, "State", "")]) | not cluster.online(res_)],
	)
	missing := facts.first_missing([
		cluster.master_resource_missing,
		facts.missing_if(cluster.sql_group == "", "cluster: no SQL Server resource found"),
	])
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "FCI-MASTER-IN-SQL-ROLE",
		"status": st,
		"subject": {"kind": "deployment", "object": "cluster:master-resource"},
		"message": in_sql_role_msg(st, res_, group, problems, missing),
		"observed": res.observed(st, {"OwnerGroup": group, "State": facts.get(res_, "State", null)}),
		"expected": {"OwnerGroup": cluster.sql_group, "State": "Online"},
		"missing": missing,
		"evidence": [cluster.ev("Resources")],
		"fix": in_sql_role_fix(st),
	}
}

# --- messages and fixes, by status (only the one that is used is built) ---

cn_msg("pass", name, thumb, net, _, _) := sprintf("%s: the master certificate %s names the SQL Server network name %s.", [name, thumb, net])

cn_msg("fail", name, thumb, net, cns, _) := sprintf("%s: the master certificate %s does not name the SQL Server network name %s (it names %s); workers fail the TLS check.", [name, thumb, net, concat(", ", cns)])

cn_msg("unknown", name, _, _, _, missing) := res.unknown_message(sprintf("%s: the master certificate could not be checked against the SQL Server network name.", [name]), missing)

cn_fix("fail") := res.fix("renew-master-cert", facts.reference_node, {"dns_name": facts.fci_network_fqdn, "port": sprintf("%d", [facts.master_port]), "path": facts.master_path(facts.reference_node)})

cn_fix(st) := null if st != "fail"

sqlservername_msg("pass", name, ep, _, _, _) := sprintf("%s: SqlServerName %s is the SQL Server network name.", [name, facts.get(ep, "raw", "")])

sqlservername_msg("fail", name, ep, want, problems, _) := sprintf("%s: SqlServerName %s is not %s (%s); the master loses SSISDB when the FCI moves.", [name, facts.get(ep, "raw", ""), want, concat("; ", problems)])

sqlservername_msg("unknown", name, _, _, _, missing) := res.unknown_message(sprintf("%s: SqlServerName could not be compared with the SQL Server network name.", [name]), missing)

sqlservername_fix("fail", name, want) := res.fix("set-master-config", name, {"path": facts.master_path(name), "key": "SqlServerName", "value": want})

sqlservername_fix(st, _, _) := null if st != "fail"

in_sql_role_msg("pass", res_, group, _, _) := sprintf("The master resource %s is Online in the SQL Server role %s.", [facts.get(res_, "Name", ""), group])

in_sql_role_msg("fail", res_, _, problems, _) := sprintf("The master resource %s does not fail over with the FCI: %s.", [facts.get(res_, "Name", ""), concat("; ", problems)])

in_sql_role_msg("unknown", _, _, _, missing) := res.unknown_message("The master resource could not be checked against the SQL Server role.", missing)

in_sql_role_fix("fail") := res.manual(facts.reference_node, [
	sprintf("$r = Add-ClusterResource -Name 'SSIS Scale Out Master' -ResourceType 'Generic Service' -Group '%s'", [cluster.sql_group]),
	sprintf("$r | Set-ClusterParameter -Name ServiceName -Value '%s'; Start-ClusterResource $r", [facts.master_service_name]),
])

in_sql_role_fix(st) := null if st != "fail"
