package ssis.test.config

import data.ssis.rules.config
import data.ssis.test.fixtures as fx

test_config_parse_pass if {
	rs := config.config_parse with input as fx.healthy
	fx.all_pass(rs)
	count(rs) == 4
}

test_config_parse_fail_parse_error if {
	rs := config.config_parse with input as fx.parse_error("SQLN2", "master")
	fx.only(rs, "SQLN2", "fail")
	r := fx.result(rs, "SQLN2")
	contains(r.message, "invalid character")
	r.fix.id == "manual"
	r.evidence[0].artifact == "nodes/SQLN2/files/MasterSettings.config"
}

test_config_parse_fail_missing_key if {
	inp := fx.node_patch("WRK1", {"configs": {"worker": {"missing_keys": ["MasterHttpsCertThumbprint"]}}})
	rs := config.config_parse with input as inp
	fx.only(rs, "WRK1", "fail")
	contains(fx.result(rs, "WRK1").message, "MasterHttpsCertThumbprint")
}

test_config_parse_unknown_not_collected if {
	rs := config.config_parse with input as fx.not_collected("WRK2")
	fx.only(rs, "WRK2", "unknown")
	fx.result(rs, "WRK2").missing == ["nodes/WRK2: not collected: WinRM: connection refused"]
}

test_config_parse_unknown_files_missing if {
	rs := config.config_parse with input as fx.missing("SQLN1", "files")
	fx.only(rs, "SQLN1", "unknown")
	fx.result(rs, "SQLN1").missing == ["nodes/SQLN1/files: access is denied"]
}

test_config_parse_absent_file_no_result if {
	inp := fx.set(["nodes", "WRK1", "configs", "worker"], null)
	rs := config.config_parse with input as inp
	fx.one_per_subject(rs)
	count(fx.statuses(rs, "WRK1")) == 0
}
