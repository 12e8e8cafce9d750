#!/bin/bash
# Hot reload through the mount applies every key of an exec tool: each
# key edited alone (env, inherit_env, cwd, stdin, max_output_bytes,
# max_stderr_bytes, kill_grace_ms, and an argv element past what the doc
# shows) changes what the next call does.  Each edit is synchronised on
# the tool-set generation in .ctl/status, never on a sleep.
. "$(dirname "$0")/lib.sh"
cfg=$TMP/cfg
mkdir -p "$cfg"
export TXR_INHERIT=inherited
T=tools/r/t
# write_tool TIMEOUT_MS KEYS: the file with the one tool r:t.
write_tool() {
	printf '{"tools": [{"namespace": "r", "name": "t", "description": "A reload probe.", "input_schema": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}, "timeout_ms": %s, %s}]}\n' "$1" "$2" > "$cfg/r.json.tmp"
	mv "$cfg/r.json.tmp" "$cfg/r.json"
}
write_tool 10000 '"command": ["true"], "stdin": "none"'
mount_config "$cfg"
cd "$MNT" || fail cd
gen() { sed -n 's/^generation //p' .ctl/status; }
# apply TIMEOUT_MS KEYS: edits the file and waits for the reload.
apply() {
	_g=$(gen)
	[ -n "$_g" ] || fail ".ctl/status has no generation"
	write_tool "$1" "$2"
	for _i in $(seq 1 600); do
		[ "$(gen)" != "$_g" ] && return 0
		sleep 0.05
	done
	fail "no reload within 30 s after: $2"
}
# outcome ARGS: "STATUS:RESULT", or "STATUS:ERROR" when there is no result.
outcome() {
	echo "$1" > $T/call || fail "call refused: $1"
	_r=$(cat $T/result 2>/dev/null) || _r=$(cat $T/error)
	echo "$(cat $T/status):$_r"
}
# edit WHAT ARGS KEYS1 WANT1 KEYS2 WANT2 [TIMEOUT_MS]: WANT is exact, or
# "~TEXT" for "contains TEXT".
check() {
	case "$2" in
	"~"*) assert_contains "$3" "${2#\~}" "$1" ;;
	*) assert_eq "$2" "$3" "$1" ;;
	esac
}
edit() {
	apply "${7:-10000}" "$3"
	check "$1 before" "$4" "$(outcome "$2")"
	apply "${7:-10000}" "$5"
	check "$1 after" "$6" "$(outcome "$2")"
}
N='"stdin": "none"'
edit env '{}' \
	"\"command\": [\"printenv\", \"V\"], $N, \"env\": {\"V\": \"one\"}" ok:one \
	"\"command\": [\"printenv\", \"V\"], $N, \"env\": {\"V\": \"two\"}" ok:two
edit inherit_env '{}' \
	"\"command\": [\"printenv\", \"TXR_INHERIT\"], $N, \"inherit_env\": false" "~error:" \
	"\"command\": [\"printenv\", \"TXR_INHERIT\"], $N, \"inherit_env\": true" ok:inherited
edit cwd '{}' \
	"\"command\": [\"pwd\"], $N, \"cwd\": \"/\"" ok:/ \
	"\"command\": [\"pwd\"], $N, \"cwd\": \"/usr\"" ok:/usr
edit 'stdin none to json' '{"a":"A"}' \
	'"command": ["cat"], "stdin": "none"' ok: \
	'"command": ["cat"], "stdin": "json"' 'ok:{"a":"A"}'
edit 'stdin argument' '{"a":"A","b":"B"}' \
	'"command": ["cat"], "stdin": "{a}"' ok:A \
	'"command": ["cat"], "stdin": "{b}"' ok:B
edit max_output_bytes '{}' \
	"\"command\": [\"echo\", \"hello\"], $N, \"max_output_bytes\": 100" ok:hello \
	"\"command\": [\"echo\", \"hello\"], $N, \"max_output_bytes\": 3" "~error:output_too_large"
edit max_stderr_bytes '{}' \
	"\"command\": [\"sh\", \"-c\", \"echo 0123456789abcdef >&2; exit 3\"], $N, \"max_stderr_bytes\": 100" "~0123456789abcdef" \
	"\"command\": [\"sh\", \"-c\", \"echo 0123456789abcdef >&2; exit 3\"], $N, \"max_stderr_bytes\": 5" "~cut at max_stderr_bytes (5)"
# An argv element past the doc's one-line description of the command.
x=$(printf '%0230d' 0 | tr 0 x)
apply 10000 "\"command\": [\"echo\", \"$x\", \"tail-zero\"], $N"
doc1=$(cat $T/doc)
edit 'argv past the doc' '{}' \
	"\"command\": [\"echo\", \"$x\", \"tail-one\"], $N" "ok:$x tail-one" \
	"\"command\": [\"echo\", \"$x\", \"tail-two\"], $N" "ok:$x tail-two"
assert_eq "$doc1" "$(cat $T/doc)" "the doc cannot tell the argv edit"
# kill_grace_ms: the program traps SIGTERM and records it.  With 0 a
# cancel sends SIGKILL at once and the trap never runs.
grace() {
	echo "\"command\": [\"sh\", \"-c\", \"trap 'echo TERM > $TMP/term; exit 0' TERM; echo \$\$ > $TMP/pid.tmp; mv $TMP/pid.tmp $TMP/pid; while :; do sleep 0.05; done\"], $N, \"kill_grace_ms\": $1"
}
# run_and_cancel: starts a job, waits for its process, cancels it and
# waits until the process is gone.
run_and_cancel() {
	rm -f "$TMP/pid"
	_n=$(cat $T/clone)
	echo '{}' > jobs/$_n/call || fail "start"
	for _i in $(seq 1 600); do
		[ -s "$TMP/pid" ] && break
		sleep 0.05
	done
	_pid=$(cat "$TMP/pid") || fail "the tool did not start within 30 s"
	echo > jobs/$_n/cancel
	assert_eq cancelled "$(cat jobs/$_n/status)" "the job was cancelled"
	for _i in $(seq 1 600); do
		kill -0 "$_pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$_pid" 2>/dev/null && fail "the tool's process outlived its call"
}
apply 60000 "$(grace 0)"
run_and_cancel
[ -e "$TMP/term" ] && fail "kill_grace_ms 0 sent SIGTERM"
apply 60000 "$(grace 30000)"
run_and_cancel
assert_eq TERM "$(cat "$TMP/term" 2>/dev/null)" "kill_grace_ms 30000 sends SIGTERM first"
cd /
unmount_fs
echo ok
