# Rules about the Scale Out configuration files themselves.
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
	some [name, which] in facts.config_subjects
	file := facts.config_files[which]
	cfg := facts.get(facts.node(name), ["configs", which], null)
	miss := facts.node_missing(name, [sprintf("files/%s", [file])])
	facts.applicable(miss, cfg)
	perr := facts.str(facts.get(cfg, "parse_error", ""))
	mkeys := facts.arr(facts.get(cfg, "missing_keys", []))
	problems := array.concat([perr | perr != ""], [sprintf("required key %s is absent or empty", [k]) | some k in mkeys])
	r := res.decide({
		"rule": "CONFIG-PARSE",
		"subject": res.node_subject(name, file),
		"missing": miss,
		"ok": count(problems) == 0,
		"pass_msg": sprintf("%s: %s parses and has every required key.", [name, file]),
		"fail_msg": sprintf("%s: %s cannot be used: %s.", [name, file, concat("; ", problems)]),
		"unknown_msg": sprintf("%s: %s could not be read from the bundle.", [name, file]),
		"observed": {"parse_error": perr, "missing_keys": mkeys},
		"expected": {"parse_error": "", "missing_keys": []},
		"evidence": [{"artifact": facts.cfg_artifact(name, file, cfg)}],
		"fix": res.manual(name, [
			sprintf("Open %s on %s and compare it with its backup (%s.bak) or the documented keys.", [facts.cfg_path(cfg, file), name, file]),
			sprintf("Fix: %s.", [concat("; ", problems)]),
			"Restart the service afterwards (the master through its cluster resource).",
		]),
	})
}
