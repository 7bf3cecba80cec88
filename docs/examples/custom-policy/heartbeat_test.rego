package ssis.test.org

import data.ssis.rules.org

node(ms) := {"configs": {"master": {"parse_error": "", "artifact": "nodes/N1/files/MasterSettings.config", "master": {"heartbeat_interval_ms": ms}}}}

test_default_passes if {
	some r in org.org_master_heartbeat_default with input as {"deployment": {"master_nodes": ["N1"]}, "nodes": {"N1": node(30000)}}
	r.status == "pass"
}

test_slower_fails if {
	some r in org.org_master_heartbeat_default with input as {"deployment": {"master_nodes": ["N1"]}, "nodes": {"N1": node(120000)}}
	r.status == "fail"
	r.observed == 120000
}

test_missing_config_is_unknown if {
	rs := org.org_master_heartbeat_default with input as {"deployment": {"master_nodes": ["N1"]}, "nodes": {"N1": {"configs": {"master": null}}}}
	count(rs) == 1
	some r in rs
	r.status == "unknown"
}
