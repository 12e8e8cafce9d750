# Sourced by the sandbox tests (t20xx) after tests/integration/lib.sh:
# the driver, the helper, a world-traversable scratch directory, and
# run_sb PROFILE SCRIPT [driver options...] [-- script args...] which
# runs SCRIPT and leaves
# its stdout in $TMP/out, stderr in $TMP/err and the result JSON in
# $TMP/res (result_field KEY reads a field of it).
RUN=$BUILD/tests/sandbox/sandbox_run
export TOOLEXEC_SANDBOX_HELPER=$BUILD/toolexec-sandbox
[ -x "$RUN" ] && [ -x "$TOOLEXEC_SANDBOX_HELPER" ] || fail "not built: $RUN"
[ "$(id -u)" -eq 0 ] || skip "the sandbox maps runs to other uids: needs root"
chmod 0755 "$TMP"
run_sb() {
	local prof=$1 script=$2
	local -a opts=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	rm -f "$TMP/res"
	"$RUN" -p "$prof" -r "$TMP/res" "${opts[@]}" "$script" "$@" >"$TMP/out" 2>"$TMP/err"
}
# result_field KEY: the value of KEY in $TMP/res (numbers, booleans,
# strings without quotes, lists as written).
result_field() {
	python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(json.dumps(v) if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else v)' "$TMP/res" "$1"
}
