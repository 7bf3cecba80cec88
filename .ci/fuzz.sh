#!/usr/bin/env bash
# fuzz.sh GO FUZZTIME FUZZMINIMIZE PKG... — runs every Fuzz* target of the
# packages for FUZZTIME each (make fuzz calls it).
#
# Go 1.26's fuzzing coordinator can fail a target with a bare "context
# deadline exceeded" when -fuzztime expires while a worker is mid-call
# (golang/go#75804, fixed in Go 1.27): no input is written and nothing
# crashed. Such a run is retried once; any other failure, or a second
# deadline failure, fails. A real finding always prints "Failing input
# written to testdata/fuzz/...", and the corpus under testdata/fuzz is
# replayed by the ordinary tests anyway.
set -uo pipefail
GO=${1:?go}; FUZZTIME=${2:?fuzztime}; MINIMIZE=${3:?minimize}; shift 3
n=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# flake LOG: the run failed only with the coordinator's deadline error.
flake() {
	grep -q 'context deadline exceeded' "$1" &&
		! grep -qE 'Failing input written|panic:|fuzz: minimizing' "$1" &&
		[ "$(grep -c -- "--- FAIL" "$1")" -le 1 ] &&
		! grep -qE '^\s+[a-zA-Z0-9_]+_test\.go:[0-9]+:' "$1"
}

# The classifier checks itself first: the deadline-only log of a real CI
# run is a flake; the same log with a failing input written, a panic, a
# test's own error, a failing sub-test or a minimization is not.
selftest() {
	local d ok=1
	d=$(mktemp -d)
	printf -- '--- FAIL: FuzzParseSettings (10.11s)\n    context deadline exceeded\nFAIL\nexit status 1\n' >"$d/flake"
	flake "$d/flake" || ok=0
	# each of these differs from the flake in one way only
	local n=0 f
	for f in "    Failing input written to testdata/fuzz/FuzzX/abc" "panic: boom" "    x_test.go:5: also bad" "    --- FAIL: FuzzX/seed#0 (0.00s)" "fuzz: minimizing..."; do
		n=$((n + 1))
		printf -- '--- FAIL: FuzzX (10.1s)\n    context deadline exceeded\n%s\nFAIL\n' "$f" >"$d/real$n"
		flake "$d/real$n" && ok=0
	done
	rm -rf "$d"
	[ "$ok" = 1 ] || { echo "fuzz: the flake classifier of .ci/fuzz.sh is broken"; exit 1; }
}
selftest

for pkg in $("$GO" list "$@"); do
	list=$("$GO" test -list '^Fuzz' "$pkg") || { echo "fuzz: cannot list the tests of $pkg"; exit 1; }
	for t in $(echo "$list" | grep '^Fuzz' || true); do
		n=$((n + 1))
		for attempt in 1 2; do
			echo "fuzz $pkg $t ($FUZZTIME)"
			if "$GO" test -run '^$' -fuzz "^$t\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$MINIMIZE" "$pkg" 2>&1 | tee "$log"; then
				break
			fi
			if [ "$attempt" = 1 ] && flake "$log"; then
				echo "fuzz: $t stopped with the coordinator's deadline error and no failing input (golang/go#75804); running it again"
				continue
			fi
			echo "fuzz: $t failed"
			exit 1
		done
	done
done
echo "fuzz: $n targets, no crasher"
