# Result objects (docs/policy-contract.md). Rules build one result per
# subject with decide(), which makes unknown, pass and fail mutually
# exclusive.
package ssis.lib.result

node_subject(node, object) := {"kind": "node", "node": node, "object": object}

worker_subject(node, object) := {"kind": "worker", "node": node, "object": object}

cert_subject(node, thumb) := {"kind": "certificate", "node": node, "object": sprintf("cert:%s", [thumb])}

instance_subject(inst, node, object) := {"kind": "instance", "instance": inst, "node": node, "object": object} if {
	node != ""
} else := {"kind": "instance", "instance": inst, "object": object}

deployment_subject(object) := {"kind": "deployment", "object": object}

# decide(d) with d = {rule, subject, missing, ok, pass_msg, fail_msg,
# unknown_msg, observed, expected, evidence, fix}: unknown when something is
# missing, else pass when ok, else fail. Optional d.severity overrides the
# metadata severity (fail only).
#
# Every rule passes all of those keys, so decide reads them as plain
# references: a builtin call such as object.get(d, ...) would copy the whole
# (non-ground) object d on every call, and each result is built in one piece
# (no base object and object.union).
decide(d) := {
	"rule": d.rule,
	"status": "unknown",
	"subject": d.subject,
	"message": sprintf("%s Missing: %s.", [d.unknown_msg, concat("; ", d.missing)]),
	"observed": null,
	"expected": d.expected,
	"missing": d.missing,
	"evidence": d.evidence,
	"fix": null,
} if {
	count(d.missing) > 0
} else := {
	"rule": d.rule,
	"status": "pass",
	"subject": d.subject,
	"message": d.pass_msg,
	"observed": d.observed,
	"expected": d.expected,
	"missing": [],
	"evidence": d.evidence,
	"fix": null,
} if {
	d.ok == true
} else := {
	"rule": d.rule,
	"status": "fail",
	"subject": d.subject,
	"message": d.fail_msg,
	"observed": d.observed,
	"expected": d.expected,
	"missing": [],
	"evidence": d.evidence,
	"fix": d.fix,
} if {
	not d.severity
} else := {
	"rule": d.rule,
	"status": "fail",
	"subject": d.subject,
	"message": d.fail_msg,
	"observed": d.observed,
	"expected": d.expected,
	"missing": [],
	"evidence": d.evidence,
	"fix": d.fix,
	"severity": d.severity,
}

fix(id, target, params) := {"id": id, "target": target, "params": params}

manual(target, steps) := {"id": "manual", "target": target, "params": {"steps": steps}}
