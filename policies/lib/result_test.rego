package ssis.test.result

import data.ssis.lib.result as res

test_status_unknown_wins if {
	res.status(["sql/X/q: denied"], true) == "unknown"
	res.status(["sql/X/q: denied"], false) == "unknown"
}

test_status_pass_only_when_ok_is_true if {
	res.status([], true) == "pass"
	res.status([], false) == "fail"
	res.status([], 1) == "fail"
	res.status([], null) == "fail"
}

test_observed_null_when_unknown if {
	res.observed("unknown", "x") == null
	res.observed("pass", "x") == "x"
	res.observed("fail", {"a": 1}) == {"a": 1}
}

test_message_by_status if {
	res.message("pass", "P", "F", "U", []) == "P"
	res.message("fail", "P", "F", "U", []) == "F"
	res.message("unknown", "P", "F", "U", ["a", "b"]) == "U Missing: a; b."
}

test_with_severity_on_failures_only if {
	res.with_severity("fail", {"status": "fail"}, "critical") == {"status": "fail", "severity": "critical"}
	res.with_severity("pass", {"status": "pass"}, "critical") == {"status": "pass"}
	res.with_severity("unknown", {"status": "unknown"}, "critical") == {"status": "unknown"}
}

full := {
	"rule": "X-1", "subject": {"kind": "deployment", "object": "o"},
	"missing": [], "ok": false,
	"pass_msg": "P", "fail_msg": "F", "unknown_msg": "U",
	"observed": 1, "expected": 2, "evidence": [{"artifact": "a"}],
	"fix": {"id": "manual", "target": "t", "params": {}},
}

test_decide_fail if {
	r := res.decide(full)
	r == {
		"rule": "X-1", "status": "fail", "subject": {"kind": "deployment", "object": "o"}, "message": "F",
		"observed": 1, "expected": 2, "missing": [], "evidence": [{"artifact": "a"}],
		"fix": {"id": "manual", "target": "t", "params": {}},
	}
}

test_decide_pass_has_no_fix if {
	r := res.decide(object.union(full, {"ok": true}))
	r.status == "pass"
	r.fix == null
	r.message == "P"
}

test_decide_unknown_has_no_observed_or_fix if {
	r := res.decide(object.union(full, {"missing": ["m1"], "ok": true}))
	r.status == "unknown"
	r.observed == null
	r.fix == null
	r.missing == ["m1"]
	r.message == "U Missing: m1."
}

test_decide_severity_on_failure_only if {
	res.decide(object.union(full, {"severity": "critical"})).severity == "critical"
	not res.decide(object.union(full, {"ok": true, "severity": "critical"})).severity
}

# A custom rule that leaves optional keys out still gets its result (it
# used to vanish silently).
test_decide_defaults_optional_keys if {
	r := res.decide({"rule": "ORG-1", "subject": {"kind": "deployment", "object": "o"}, "ok": false, "fail_msg": "F"})
	r == {
		"rule": "ORG-1", "status": "fail", "subject": {"kind": "deployment", "object": "o"}, "message": "F",
		"observed": null, "expected": null, "missing": [], "evidence": [], "fix": null,
	}
	res.decide({"rule": "ORG-1", "subject": {}, "ok": true}).status == "pass"
	res.decide({"rule": "ORG-1", "subject": {}}).status == "fail"
}
