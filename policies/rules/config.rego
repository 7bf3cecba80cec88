# Rules about the Scale Out configuration files themselves.

# METADATA
# scope: package
# custom:
#   weight: 1.5
package ssis.rules.config

import data.ssis.lib.facts
import data.ssis.lib.result as res

# METADATA
# title: Scale Out configuration files are readable and complete
# description: Every collected MasterSettings.config and WorkerSettings.config parses and has its required keys.
# custom:
#   id: CONFIG-PARSE
#   severity: high
#   variant: both
#   profiles: [ha]
#   source: MASTER, WORKER
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/integration-services-ssis-scale-out-master
#   fix: manual
#   why: >-
#     The master and worker services read these files at start-up; a file that does not parse, or lacks
#     SqlServerName, SSLCertThumbprint, PortNumber, MasterEndpoint or a thumbprint, stops the service or
#     points it at nothing, and every other check of the file cannot be made.
#   facts: ["nodes/<NODE>/files/MasterSettings.config", "nodes/<NODE>/files/WorkerSettings.config"]
#   remediation: >-
#     Restore the file from its backup or rewrite it as the flat JSON object of documented keys, fill in the
#     missing keys, then restart the service (the master through its cluster resource).
#   tags: [configuration]
config_parse contains r if {
	# the common case, by reference: the node collected with nothing
	# missing, the file parsed with every required key
	some [name, which] in facts.config_subjects
	nd := input.nodes[name]
	nd.collected == true
	count(nd.missing) == 0
	cfg := nd.configs[which]
	cfg.parse_error == ""
	cfg.missing_keys == []
	a := cfg.artifact
	a != ""
	file := facts.config_files[which]
	r := {
		"rule": "CONFIG-PARSE",
		"status": "pass",
		"subject": {"kind": "node", "node": name, "object": file},
		"message": sprintf("%s: %s parses and has every required key.", [name, file]),
		"observed": {"parse_error": "", "missing_keys": []},
		"expected": {"parse_error": "", "missing_keys": []},
		"missing": [],
		"evidence": [{"artifact": a}],
		"fix": null,
	}
}

config_parse contains r if {
	some [name, which] in facts.config_subjects
	not parse_common_case(name, which)
	file := facts.config_files[which]
	cfg := facts.get(facts.node(name), ["configs", which], null)
	miss := facts.node_missing(name, [sprintf("files/%s", [file])])
	facts.applicable(miss, cfg)
	perr := facts.str(facts.get(cfg, "parse_error", ""))
	mkeys := facts.arr(facts.get(cfg, "missing_keys", []))
	problems := array.concat([perr | perr != ""], [sprintf("required key %s is absent or empty", [k]) | some k in mkeys])
	st := res.status(miss, count(problems) == 0)
	r := {
		"rule": "CONFIG-PARSE",
		"status": st,
		"subject": {"kind": "node", "node": name, "object": file},
		"message": parse_msg(st, name, file, problems, miss),
		"observed": res.observed(st, {"parse_error": perr, "missing_keys": mkeys}),
		"expected": {"parse_error": "", "missing_keys": []},
		"missing": miss,
		"evidence": [{"artifact": facts.cfg_artifact(name, file, cfg)}],
		"fix": parse_fix(st, name, file, cfg, problems),
	}
}

# parse_common_case: the first rule body applies.
parse_common_case(name, which) if {
	nd := input.nodes[name]
	nd.collected == true
	count(nd.missing) == 0
	cfg := nd.configs[which]
	cfg.parse_error == ""
	cfg.missing_keys == []
	a := cfg.artifact
	a != ""
}

parse_msg("pass", name, file, _, _) := sprintf("%s: %s parses and has every required key.", [name, file])

parse_msg("fail", name, file, problems, _) := sprintf("%s: %s cannot be used: %s.", [name, file, concat("; ", problems)])

parse_msg("unknown", name, file, _, miss) := res.unknown_message(sprintf("%s: %s could not be read from the bundle.", [name, file]), miss)

parse_fix("fail", name, file, cfg, problems) := res.manual(name, [
	sprintf("Open %s on %s and compare it with its backup (%s.bak) or the documented keys.", [facts.cfg_path(cfg, file), name, file]),
	sprintf("Fix: %s.", [concat("; ", problems)]),
	"Restart the service afterwards (the master through its cluster resource).",
])

parse_fix(st, _, _, _, _) := null if st != "fail"
