# Result objects (docs/policy-contract.md). Rules build one result per
# subject (status() or decide() makes unknown, pass and fail mutually
# exclusive).
package ssis.lib.result

cert_subject(node, thumb) := {"kind": "certificate", "node": node, "object": sprintf("cert:%s", [thumb])}

instance_subject(inst, node, object) := {"kind": "instance", "instance": inst, "node": node, "object": object} if {
	node != ""
} else := {"kind": "instance", "instance": inst, "object": object}

deployment_subject(object) := {"kind": "deployment", "object": object}

# --- building a result --------------------------------------------------
#
# The embedded rules build each result object inline:
#
#	st := res.status(missing, ok)
#	r := {"rule": ..., "status": st, "subject": ..., "message": <message for st>,
#	      "observed": res.observed(st, got), "expected": ..., "missing": missing,
#	      "evidence": [...], "fix": <fix object when st == "fail", else null>}
#
# with the message and the fix from small functions of the status (so only
# the message that is used is formatted). Measured with OPA v1.22.3 on the
# 100-node synthetic deployment, that costs about 7 µs per result where
# decide() below costs about 18: a function called with a large object
# argument copies (plugs) that object, and decide's heads read it key by key.
# Unknown, pass and fail stay mutually exclusive: the status is one value.

# status(missing, ok): "unknown" when a needed fact is missing, else "pass"
# when ok is true, else "fail".
status(missing, ok) := "unknown" if {
	count(missing) > 0
} else := "pass" if {
	ok == true
} else := "fail"

# observed(st, v): v, or null for an unknown result.
observed("unknown", _) := null

observed(st, v) := v if st != "unknown"

# unknown_message(msg, missing): msg with the missing facts appended (the
# message of every unknown result).
unknown_message(msg, missing) := sprintf("%s Missing: %s.", [msg, concat("; ", missing)])

# message(st, pass_msg, fail_msg, unknown_msg, missing): the message for st,
# for rules whose messages are cheap to format beforehand.
message("pass", p, _, _, _) := p

message("fail", _, f, _, _) := f

message("unknown", _, _, u, missing) := unknown_message(u, missing)

# with_severity(st, r, severity): r with the severity override, on a failure
# only (the expiry rules).
with_severity("fail", r, sev) := object.union(r, {"severity": sev})

with_severity(st, r, _) := r if st != "fail"

# decide(d) with d = {rule, subject, missing, ok, pass_msg, fail_msg,
# unknown_msg, observed, expected, evidence, fix}: unknown when something is
# missing, else pass when ok, else fail. Optional d.severity overrides the
# metadata severity (fail only). For custom policies: every key but rule,
# subject and ok may be left out (missing defaults to [], evidence to [],
# observed, expected and fix to null, the messages to ""), so a forgotten
# key never makes a result vanish. The embedded rules use the inline form
# above, which is cheaper.
decide(d) := with_severity(
	st, {
		"rule": d.rule,
		"status": st,
		"subject": d.subject,
		"message": message(st, object.get(d, "pass_msg", ""), object.get(d, "fail_msg", ""), object.get(d, "unknown_msg", ""), missing),
		"observed": observed(st, object.get(d, "observed", null)),
		"expected": object.get(d, "expected", null),
		"missing": missing,
		"evidence": object.get(d, "evidence", []),
		"fix": fix_of(st, object.get(d, "fix", null)),
	},
	sev,
) if {
	missing := object.get(d, "missing", [])
	st := status(missing, object.get(d, "ok", false))
	sev := object.get(d, "severity", null)
	sev != null
} else := {
	"rule": d.rule,
	"status": st,
	"subject": d.subject,
	"message": message(st, object.get(d, "pass_msg", ""), object.get(d, "fail_msg", ""), object.get(d, "unknown_msg", ""), missing),
	"observed": observed(st, object.get(d, "observed", null)),
	"expected": object.get(d, "expected", null),
	"missing": missing,
	"evidence": object.get(d, "evidence", []),
	"fix": fix_of(st, object.get(d, "fix", null)),
} if {
	missing := object.get(d, "missing", [])
	st := status(missing, object.get(d, "ok", false))
}

fix_of("fail", f) := f

fix_of(st, _) := null if st != "fail"

fix(id, target, params) := {"id": id, "target": target, "params": params}

manual(target, steps) := {"id": "manual", "target": target, "params": {"steps": steps}}
