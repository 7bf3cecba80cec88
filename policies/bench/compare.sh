#!/usr/bin/env bash
# Side-by-side comparison (make bench-compare; not part of make test):
# ssis-ha-lint scan against opa eval and conftest test on the same facts
# (ssis-ha-lint facts) and the same Rego (ssis-ha-lint rules export), as
# whole processes: wall time and peak RSS, RUNS runs each, medians and
# ratios. Also: start to first output on the healthy example, and a fleet.
#
# Environment: NODES (100) synthetic deployment size; RUNS (7); FLEET
# (1000; 0 skips) deployments of the healthy 10-node shape; TOOLS_DIR
# (~/.cache/ssis-ha-lint-bench/tools) where opa and conftest are installed
# with go install at pinned versions; BENCH_DIR (a temporary directory).
set -euo pipefail

OPA_VERSION=v1.22.3
CONFTEST_VERSION=v0.71.1 # the newest on the module proxy; it builds with OPA v1.21.1

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NODES=${NODES:-100}
RUNS=${RUNS:-7}
FLEET=${FLEET:-1000}
TOOLS_DIR=${TOOLS_DIR:-$HOME/.cache/ssis-ha-lint-bench/tools}
WORK=${BENCH_DIR:-$(mktemp -d)}
if [ -z "${BENCH_DIR:-}" ]; then trap 'rm -rf "$WORK"' EXIT; fi
mkdir -p "$WORK" "$TOOLS_DIR"
cd "$ROOT"

if [ ! -x /usr/bin/time ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		apt-get install -y -qq time >/dev/null
	else
		echo "bench-compare: /usr/bin/time (GNU time) is needed for peak memory: apt-get install time" >&2
		exit 2
	fi
fi

echo "building ssis-ha-lint and the synthetic bundle writer..."
go build -trimpath -o "$WORK/ssis-ha-lint" ./cmd/ssis-ha-lint
go build -o "$WORK/synth" ./policies/bench/synth
BIN="$WORK/ssis-ha-lint"

if [ ! -x "$TOOLS_DIR/opa" ]; then
	echo "installing opa $OPA_VERSION into $TOOLS_DIR..."
	GOBIN="$TOOLS_DIR" GOFLAGS=-mod=mod go install "github.com/open-policy-agent/opa@$OPA_VERSION"
fi
if [ ! -x "$TOOLS_DIR/conftest" ]; then
	echo "installing conftest $CONFTEST_VERSION into $TOOLS_DIR..."
	GOBIN="$TOOLS_DIR" GOFLAGS=-mod=mod go install "github.com/open-policy-agent/conftest@$CONFTEST_VERSION"
fi
OPA="$TOOLS_DIR/opa"
CONFTEST="$TOOLS_DIR/conftest"

echo "writing the $NODES-node synthetic bundle, its facts and the exported policies..."
rm -rf "$WORK/bundle" "$WORK/rego" "$WORK/rego-conftest"
"$WORK/synth" -nodes "$NODES" -out "$WORK/bundle"
"$BIN" facts --bundle "$WORK/bundle" >"$WORK/facts.json"
"$BIN" rules export "$WORK/rego" >/dev/null
# conftest runs deny/warn/violation rules of a namespace; the fairest
# equivalent of the entrypoint is a deny rule over every result (it needs
# data.ssis.main.results whole, as scan and opa eval do). It is added to
# conftest's copy of the policies only.
cp -r "$WORK/rego" "$WORK/rego-conftest"
cat >"$WORK/rego-conftest/conftest_shim.rego" <<'EOF'
package main

deny contains msg if {
	some r in data.ssis.main.results
	r.status == "fail"
	msg := r.message
}
EOF

# measure NAME CMD...: RUNS runs; wall time from the shell clock (ns),
# peak RSS from GNU time. The exit status is ignored (1 = findings).
declare -a NAMES=()
declare -A WALL=() RSS=() CPU=()
measure() {
	local name=$1
	shift
	"$@" >/dev/null 2>&1 || true # warm the page cache
	local walls=() rsss=() cpus=()
	for _ in $(seq "$RUNS"); do
		local t0 t1
		t0=$(date +%s%N)
		/usr/bin/time -f "%M %U %S" -o "$WORK/time.out" "$@" >/dev/null 2>"$WORK/stderr" || true
		t1=$(date +%s%N)
		walls+=($(((t1 - t0) / 1000)))
		read -r rss user sys < <(tail -1 "$WORK/time.out")
		rsss+=("$rss")
		cpus+=("$(echo "($user + $sys) * 1000" | bc -l | cut -d. -f1)")
	done
	NAMES+=("$name")
	WALL[$name]=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	RSS[$name]=$(printf '%s\n' "${rsss[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	CPU[$name]=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
}

echo "measuring ($RUNS runs each)..."
SCAN="ssis-ha-lint scan --format json (reads + normalizes the bundle)"
measure "$SCAN" "$BIN" scan --bundle "$WORK/bundle" --format json
measure "opa eval data.ssis.main.results (facts.json)" "$OPA" eval -d "$WORK/rego" -i "$WORK/facts.json" data.ssis.main.results --format json
measure "conftest test --namespace main (facts.json, deny shim)" "$CONFTEST" test "$WORK/facts.json" -p "$WORK/rego-conftest" --namespace main --no-color
measure "ssis-ha-lint scan healthy-ag --quiet (start to output)" "$BIN" scan --bundle testdata/bundles/healthy-ag --quiet
measure "ssis-ha-lint --version (process start, no policies)" "$BIN" --version

echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "Bundle: $NODES nodes ($(du -sh "$WORK/bundle" | cut -f1)), facts.json $(du -h "$WORK/facts.json" | cut -f1); medians of $RUNS runs"
echo
base=${WALL[$SCAN]}
printf '| %-58s | %10s | %15s | %14s | %12s |\n' "command" "wall (ms)" "CPU user+sys (ms)" "peak RSS (MiB)" "wall / scan"
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..19})" "$(printf -- '-%.0s' {1..16})" "$(printf -- '-%.0s' {1..14})"
for n in "${NAMES[@]}"; do
	printf '| %-58s | %10.1f | %17d | %14.1f | %12.2f |\n' "$n" "$(echo "${WALL[$n]} / 1000" | bc -l)" "${CPU[$n]}" "$(echo "${RSS[$n]} / 1024" | bc -l)" "$(echo "${WALL[$n]} / $base" | bc -l)"
done
conftest_wall=${WALL["conftest test --namespace main (facts.json, deny shim)"]}
echo
echo "scan / conftest wall time: $(echo "scale=2; $base / $conftest_wall" | bc -l) (target <= 1.0)"

if [ "$FLEET" -gt 0 ]; then
	echo
	if [ ! -f "$WORK/fleet/$(printf 'deployment-%04d' "$FLEET")/bundle.json" ]; then
		echo "writing a fleet of $FLEET healthy 10-node deployments..."
		rm -rf "$WORK/fleet"
		"$WORK/synth" -nodes 10 -fleet "$FLEET" -out "$WORK/fleet"
	fi
	t0=$(date +%s%N)
	/usr/bin/time -f "%M %U %S" -o "$WORK/time.out" "$BIN" scan --fleet "$WORK/fleet" --quiet >"$WORK/fleet.out" 2>&1 || true
	t1=$(date +%s%N)
	read -r rss user sys < <(tail -1 "$WORK/time.out")
	echo "fleet of $FLEET: $(echo "scale=2; ($t1 - $t0) / 1000000000" | bc -l) s wall, $(echo "$user + $sys" | bc -l) s CPU, peak RSS $((rss / 1024)) MiB (target < 10 s on 2 cores)"
	echo "  $(tail -1 "$WORK/fleet.out")"
fi
