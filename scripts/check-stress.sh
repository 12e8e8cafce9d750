#!/bin/bash
# The whole test suite (unit and integration) under load: a CPU burner
# on every core for as long as the suite runs, STRESS_RUNS times in a row
# (default 5), stopping at the first failing run and naming it.  Tests
# that wait for what they need pass here as they do on a quiet machine;
# a test that guesses with a sleep fails here first.
#   scripts/check-stress.sh [UNIT_TEST_BINARY...]   (make check-stress)
# BUILD selects the build directory; the unit binaries default to
# $BUILD/tests/test_*.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=$top/build}"
export BUILD
runs=${STRESS_RUNS:-5}
case "$runs" in
'' | *[!0-9]* | 0) echo "check-stress: STRESS_RUNS must be a positive number" >&2; exit 2 ;;
esac
if [ $# -eq 0 ]; then
	set -- "$BUILD"/tests/test_*
fi
for b in "$@"; do
	[ -x "$b" ] || { echo "check-stress: $b is not built (make check-stress builds it)" >&2; exit 2; }
done
cores=$(nproc 2>/dev/null || echo 2)

# The burners spin until they are killed, and each also stops by itself
# once this script is gone (kill -0 on it fails), so not even a kill -9
# of the script leaves one behind.
burners=()
stop_burners() {
	local p
	for p in "${burners[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${burners[@]}"; do
		wait "$p" 2>/dev/null
	done
	burners=()
}
# Each part of the suite runs in a process group of its own (setsid), so
# that stopping this script stops the tests it runs too.
suite=""
run_part() {
	local rc
	setsid "$@" &
	suite=$!
	wait "$suite"
	rc=$?
	suite=""
	return $rc
}
stop_all() {
	[ -n "$suite" ] && kill -TERM -- "-$suite" 2>/dev/null
	stop_burners
}
trap stop_all EXIT
trap 'exit 130' INT TERM HUP
for _ in $(seq "$cores"); do
	sh -c 'while kill -0 "$1" 2>/dev/null; do :; done' burner $$ &
	burners+=("$!")
done
echo "check-stress: $runs run(s) of the whole suite, $cores CPU burner(s): ${burners[*]}"

start=$SECONDS
for run in $(seq 1 "$runs"); do
	echo "== check-stress: run $run of $runs"
	t0=$SECONDS
	if ! run_part "$top/tests/run-unit.sh" "$@"; then
		echo "check-stress: run $run of $runs FAILED (unit tests, after $((SECONDS - start)) s)"
		exit 1
	fi
	if ! run_part "$top/tests/run-integration.sh"; then
		echo "check-stress: run $run of $runs FAILED (integration tests, after $((SECONDS - start)) s)"
		exit 1
	fi
	echo "== check-stress: run $run of $runs passed ($((SECONDS - t0)) s)"
done
echo "check-stress: $runs of $runs runs passed under load ($((SECONDS - start)) s)"
