# Sourced by the `toolexec code` tests (t205x, t206x) after lib.sh:
# code_run [toolexec code options...] SCRIPT [ARGS...] runs a script
# and leaves its stdout in $TMP/out, its stderr in $TMP/err, the result
# JSON in $TMP/res and the exit status in $rc, and reads the result
# into R (R[KEY]: numbers, booleans as true/false, strings bare, null,
# lists as JSON), with one python3 per run (python3 may be a slow shim).
# field KEY [FILE] reads one field of another result file.
[ -x "$TOOLEXEC" ] && [ -x "$BUILD/toolexec-sandbox" ] || fail "not built: $TOOLEXEC"
# standard and hardened map each run to a uid of its own.
[ "$(id -u)" -eq 0 ] || skip "the sandbox maps runs to other uids: needs root"
chmod 0755 "$TMP"
rc=0
declare -A R
_show='import json,sys
def show(v):
    return json.dumps(v) if isinstance(v, (list, dict)) or v is None else str(v).lower() if isinstance(v, bool) else str(v)
'
field() {
	python3 -c "$_show"'
print(show(json.load(open(sys.argv[1]))[sys.argv[2]]))' "${2:-$TMP/res}" "$1"
}
load_result() {
	R=()
	[ -s "$TMP/res" ] || return 0	# the run was refused: $TMP/err says why
	while IFS= read -r -d '' k && IFS= read -r -d '' v; do
		R[$k]=$v
	done < <(python3 -c "$_show"'
for k, v in json.load(open(sys.argv[1])).items():
    sys.stdout.write(k + "\0" + show(v) + "\0")' "$TMP/res")
}
code_run() {
	rm -f "$TMP/res"
	rc=0
	timeout -k 5 120 "$TOOLEXEC" ${CODE_CONFIG:+-c "$CODE_CONFIG"} code \
		--result "$TMP/res" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	load_result
}
