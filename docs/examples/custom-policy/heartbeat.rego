# A custom rule family for ssis-ha-lint: run it with
#   ssis-ha-lint scan --bundle B --policy docs/examples/custom-policy
#   ssis-ha-lint policy test docs/examples/custom-policy
package ssis.rules.org

# METADATA
# title: The master heartbeat interval is the documented default
# description: MasterHeartbeatIntervalInMs is 30000 (the documented default) on every master node.
# custom:
#   id: ORG-MASTER-HEARTBEAT-DEFAULT
#   severity: low
#   variant: both
#   profiles: [ha]
#   source: MASTER "Configure the Scale Out Master service"
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/integration-services-ssis-scale-out-master
#   fix: manual
#   why: CAT-MASTER-HEARTBEAT-FRESH and the team's runbooks assume the default heartbeat; a slower one hides a dead master longer after a failover.
#   facts: ["nodes/<NODE>/files/MasterSettings.config: MasterHeartbeatIntervalInMs"]
#   remediation: Remove MasterHeartbeatIntervalInMs from MasterSettings.config (or set 30000) and restart the master through the cluster.
#   tags: [configuration]
org_master_heartbeat_default contains r if {
	some name in input.deployment.master_nodes
	cfg := input.nodes[name].configs.master
	cfg.parse_error == ""
	ms := cfg.master.heartbeat_interval_ms
	r := {
		"rule": "ORG-MASTER-HEARTBEAT-DEFAULT",
		"status": status(ms),
		"subject": {"kind": "node", "node": name, "object": "MasterSettings.config/MasterHeartbeatIntervalInMs"},
		"message": sprintf("%s: MasterHeartbeatIntervalInMs is %d (default 30000).", [name, ms]),
		"observed": ms,
		"expected": 30000,
		"evidence": [{"artifact": cfg.artifact, "key": "MasterHeartbeatIntervalInMs"}],
		"fix": null,
	}
}

# A master node whose MasterSettings.config is missing or unreadable: unknown, never pass.
org_master_heartbeat_default contains r if {
	some name in input.deployment.master_nodes
	not readable(input.nodes[name])
	r := {
		"rule": "ORG-MASTER-HEARTBEAT-DEFAULT",
		"status": "unknown",
		"subject": {"kind": "node", "node": name, "object": "MasterSettings.config/MasterHeartbeatIntervalInMs"},
		"message": sprintf("%s: MasterSettings.config could not be read.", [name]),
		"missing": [sprintf("nodes/%s/files/MasterSettings.config", [name])],
		"observed": null,
		"expected": 30000,
		"evidence": [],
		"fix": null,
	}
}

status(30000) := "pass"

status(ms) := "fail" if ms != 30000

readable(node) if node.configs.master.parse_error == ""
