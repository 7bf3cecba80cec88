#!/usr/bin/env bash
# Validate the SARIF of every testdata bundle with Microsoft's official
# validator (@microsoft/sarif-multitool), network off, SARIF2006 disabled,
# SARIF + GitHub rules (reports/testdata/validate-sarif.sh does the
# validation and reads the validator's log). Fails on any error or warning.
#
#   .ci/sarif-validate.sh            # from a clean checkout, as root or a user
#
# Installs the validator with npm into a temporary directory (pinned
# version; nothing is written into the repository), builds the CLI, writes
# SARIF for every bundle under testdata/bundles (plus one run with
# --sarif-include-waived and a waiver file, and one with --sarif-anchor),
# and prints one summary line per file.
set -euo pipefail
cd "$(dirname "$0")/.."

SARIF_MULTITOOL_VERSION="${SARIF_MULTITOOL_VERSION:-5.7.0}"
start=$(date +%s)

export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

need_apt=()
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
command -v unshare >/dev/null 2>&1 || need_apt+=(util-linux)
# The multitool is a self-contained .NET app: it needs ICU.
ldconfig -p 2>/dev/null | grep -q 'libicuuc\.so' || need_apt+=(libicu72)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "sarif-validate: missing ${need_apt[*]} (install them, or run as root)" >&2
    exit 2
  fi
  echo "== apt-get install ${need_apt[*]}"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sarif-validate.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

echo "== npm install @microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION (into $work/tools)"
mkdir -p "$work/tools"
t0=$(date +%s)
npm install --prefix "$work/tools" --no-audit --no-fund --no-save --loglevel=error \
  "@microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION" >"$work/npm.log" 2>&1 || {
  cat "$work/npm.log" >&2
  echo "sarif-validate: npm install failed" >&2
  exit 2
}
tool="$work/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
[ -f "$tool" ] || { echo "sarif-validate: $tool not found after npm install" >&2; exit 2; }
chmod u+x "$tool" # npm may skip the package's postinstall script
echo "   installed in $(( $(date +%s) - t0 ))s"

echo "== build"
go build -o "$work/ssis-ha-lint" ./cmd/ssis-ha-lint

echo "== write SARIF"
out="$work/sarif"
mkdir -p "$out"
# scan exits 1 (failing findings) or 3 (unknown) on the broken bundles: both
# are fine here; 2 (bad input, internal error) is not.
scan() {
  local name=$1
  shift
  local rc=0
  "$work/ssis-ha-lint" scan --quiet --format text --fail-on none --allow-unknown \
    --output "sarif=$out/$name.sarif" "$@" >/dev/null 2>"$work/scan.err" || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] && [ "$rc" -ne 3 ]; then
    echo "sarif-validate: scan $name exited $rc" >&2
    cat "$work/scan.err" >&2
    exit 1
  fi
}
n=0
for dir in testdata/bundles/*/; do
  [ -f "$dir/bundle.json" ] || continue
  name=$(basename "$dir")
  scan "$name" --bundle "${dir%/}"
  n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "sarif-validate: no bundle under testdata/bundles" >&2; exit 1; }
scan cert-renewed-one-node.waived --bundle testdata/bundles/cert-renewed-one-node \
  --sarif-include-waived --waivers reports/testdata/sarif-waivers.yaml
grep -q '"suppressions"' "$out/cert-renewed-one-node.waived.sarif" || {
  echo "sarif-validate: the --sarif-include-waived run has no suppressed result (check reports/testdata/sarif-waivers.yaml)" >&2
  exit 1
}
if [ -f testdata/inventory/ssis-ha.yaml ]; then
  scan cert-renewed-one-node.anchor --bundle testdata/bundles/cert-renewed-one-node \
    --sarif-anchor testdata/inventory/ssis-ha.yaml
fi
echo "   $(ls "$out" | wc -l) SARIF files ($n bundles)"

echo "== validate (sarif-multitool $SARIF_MULTITOOL_VERSION, network off, SARIF2006 disabled, rule kinds Gh;Sarif)"
t0=$(date +%s)
rc=0
# Four validator processes at a time (each file costs about a second of
# .NET start-up); xargs exits non-zero when any of them failed.
jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -le 4 ] || jobs=4
ls "$out"/*.sarif | SARIF_MULTITOOL="$tool" xargs -P "$jobs" -n 4 sh reports/testdata/validate-sarif.sh 2>&1 |
  sed "s|$out/||" | sort || rc=$?
echo "   validated in $(( $(date +%s) - t0 ))s; total $(( $(date +%s) - start ))s"
if [ "$rc" -ne 0 ]; then
  echo "sarif-validate: FAILED (see the lines above)" >&2
  exit 1
fi
echo "sarif-validate: OK"
