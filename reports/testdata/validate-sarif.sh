#!/bin/sh
# Validate SARIF files with Microsoft's official validator.
#
#   SARIF_MULTITOOL=/path/to/Sarif.Multitool sh validate-sarif.sh FILE.sarif...
#
# Get the validator with `npm install @microsoft/sarif-multitool` (the binary
# is node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool; chmod u+x
# it if npm skipped the postinstall script).
#
# The validator runs with the SARIF rules and the GitHub ingestion rules
# (--rule-kind "Gh;Sarif"), with the network off (unshare -n) and with
# SARIF2006 (URIs must be reachable) disabled. It exits 0 even when it finds
# errors, so its output log is parsed: any error or warning, or a failed
# execution, fails this script. Notes are printed, not fatal (they are
# advice that does not apply to a scanner without source files: snippets,
# context regions, version control provenance, rule id format).
set -eu

tool=${SARIF_MULTITOOL:?set SARIF_MULTITOOL to the Sarif.Multitool binary}
[ $# -ge 1 ] || { echo "usage: $0 FILE.sarif..." >&2; exit 2; }
command -v node >/dev/null 2>&1 || { echo "node is needed to read the validator's log" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

cat >"$tmp/config.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" />
  </Properties>
</Properties>
XML

# Network off: unshare -n as root, unshare -rn as a user; else run as is
# (SARIF2006 is disabled anyway).
if unshare -n true 2>/dev/null; then
	netoff="unshare -n"
elif unshare -rn true 2>/dev/null; then
	netoff="unshare -rn"
else
	echo "note: unshare unavailable, running the validator with the network on" >&2
	netoff=""
fi

status=0
for f in "$@"; do
	log="$tmp/$(basename "$f").validation.sarif"
	# shellcheck disable=SC2086
	$netoff "$tool" validate "$f" -c "$tmp/config.xml" -o "$log" --log ForceOverwrite \
		--level "Error;Warning;Note" --rule-kind "Gh;Sarif" >"$tmp/console.txt" 2>&1 || true
	if [ ! -s "$log" ]; then
		echo "$f: the validator wrote no log" >&2
		cat "$tmp/console.txt" >&2
		status=1
		continue
	fi
	node - "$f" "$log" <<'JS' || status=1
const fs = require("fs");
const [file, logPath] = process.argv.slice(2);
const log = JSON.parse(fs.readFileSync(logPath, "utf8"));
let bad = 0, notes = 0;
for (const run of log.runs || []) {
  for (const inv of run.invocations || []) {
    if (inv.executionSuccessful === false) { console.log(`${file}: validator execution failed`); bad++; }
    for (const n of inv.toolExecutionNotifications || []) {
      if ((n.level || "warning") === "error") { console.log(`${file}: validator error: ${n.message && n.message.text}`); bad++; }
    }
  }
  for (const r of run.results || []) {
    const level = r.level || "warning";
    const args = (r.message && (r.message.arguments || [r.message.text])) || [];
    const line = `${file}: ${level} ${r.ruleId}: ${args.join(" | ")}`;
    if (level === "error" || level === "warning") { console.log(line); bad++; }
    else { notes++; if (r.ruleId === "SARIF2006") { console.log(line); bad++; } }
  }
}
console.log(`${file}: ${bad} errors/warnings, ${notes} notes`);
process.exit(bad ? 1 : 0);
JS
done
exit $status
