#!/bin/bash
# The sandbox helper parses its run description as strictly as input
# from outside: each malformed description (not strict JSON, unknown
# or mistyped keys, descriptors that are not open) is refused before anything
# runs, with a report that names what is wrong.
. "$(dirname "$0")/lib.sh"
H=$BUILD/toolexec-sandbox
[ -x "$H" ] || fail "not built: $H"

echo 'echo ran' > "$TMP/x.sh"
: > "$TMP/bpf"
# report DESCRIPTION: the helper's report for it (json-c writes "/" as
# "\/": shown plain here), with the script on fd 7 and an (empty)
# seccomp program on fd 5.
report() {
	printf '%s' "$1" > "$TMP/spec"
	"$H" 3<"$TMP/spec" 4>"$TMP/report" 5<"$TMP/bpf" 7<"$TMP/x.sh" 8<"$TMP" 9<"$TMP" \
		</dev/null >"$TMP/out" 2>&1
	assert_eq 0 $? "helper exit for $1"
	sed 's|\\/|/|g' "$TMP/report"
}
# refused DESCRIPTION MESSAGE: refused with MESSAGE, and nothing ran.
refused() {
	local r
	r=$(report "$1")
	assert_contains "$r" '"exit_code":-1,' "exit code for $1"
	assert_contains "$r" "\"error\":\"run description: $2\"" "error for $1"
	assert_eq "" "$(cat "$TMP/out")" "output for $1"
}
L='"limits": {"as": 0, "nproc": 0, "cpu": 0, "fsize": 0, "nofile": 0, "stdout": 4096, "stderr": 4096}'
T='"work_dir": "/tmp", "script_fd": 7, "script_name": "x.sh", "env": []'
D='"version": 1, "mode": "dev", "uid": 65534, "gid": 65534, "timeout_ms": 5000'
# desc EXTRA: the dev description with EXTRA keys (without argv when
# EXTRA has one).
desc() {
	case "$1" in
	*'"argv"'*) printf '{%s, %s, %s, %s}' "$D" "$L" "$T" "$1" ;;
	*) printf '{%s, %s, %s, "argv": ["sh", "@SCRIPT@"]%s}' "$D" "$L" "$T" "${1:+, $1}" ;;
	esac
}

# The well-formed description runs (as the reference for the rest).
r=$(report "$(desc '')")
assert_contains "$r" '"exit_code":0,'
assert_eq "ran" "$(cat "$TMP/out")"

refused '[1]' 'not an object'
refused '{"mode": "dev"}' '\"version\" missing'
refused '{"version": "1"}' '\"version\" must be a non-negative integer'
refused '{"version": -1}' '\"version\" must be a non-negative integer'
refused '{"version": 2}' 'version 2'
refused '{"version": 1, "mode": 5}' '\"mode\" must be a string'
refused '{"version": 1, "mode": "open"}' 'mode \"open\"'
refused '{"version": 1, "mode": "dev", "uid": 4294967295, "gid": 1}' 'uid/gid out of range'
refused '{"version": 1, "mode": "dev", "uid": 1, "gid": 1, "hostname": ""}' 'bad hostname'
refused '{"version": 1, "mode": "dev", "uid": 1, "gid": 1, "timeout_ms": 1}' '\"limits\" missing'
refused '{"version": 1, "mode": "dev", "uid": 1, "gid": 1, "timeout_ms": 1, "limits": []}' '\"limits\" must be an object'
refused '{"version": 1, "mode": "dev", "uid": 1, "gid": 1, "timeout_ms": 1, "limits": {"swap": 1}}' 'unknown key \"swap\" in limits'
refused '{"version": 1, "mode": "dev", "uid": 1, "gid": 1, "timeout_ms": 1, "limits": {"as": 0, "nproc": 0, "cpu": 0, "fsize": 0, "nofile": 0, "stderr": 1}}' '\"stdout\" missing'
refused "$(desc '"seccomp_fd": 9')" '\"seccomp_fd\" must be 5'
refused "$(desc '"landlock": "yes"')" '\"landlock\" must be true or false'
refused "$(printf '{%s, %s, "work_dir": "tmp", "script_fd": 7, "script_name": "x.sh", "env": [], "argv": ["sh"]}' "$D" "$L")" \
	'exactly one of work_fd and an absolute work_dir'
refused "$(printf '{%s, %s, "work_dir": "/tmp", "script_fd": 7, "script_name": "a/b", "env": [], "argv": ["sh"]}' "$D" "$L")" \
	'bad script_fd or script_name'
refused "$(printf '{%s, %s, "work_dir": "/tmp", "script_fd": 7, "script_name": "x.sh", "argv": ["sh"]}' "$D" "$L")" \
	'\"env\" must be an array'
refused "$(desc '"argv": []')" 'empty argv'
refused "$(desc '"argv": ["sh", 1]')" '\"argv\"[1] must be a string'
env257=$(printf '"e",%.0s' $(seq 257))
refused "$(printf '{%s, %s, "work_dir": "/tmp", "script_fd": 7, "script_name": "x.sh", "argv": ["sh"], "env": [%s]}' "$D" "$L" "${env257%,}")" \
	'\"env\" has more than 256 items'
# Binds: typed, absolute, never onto the root or through "..".
refused "$(desc '"binds": {}')" '\"binds\" must be an array'
refused "$(desc '"binds": [1]')" 'binds[0] must be an object'
refused "$(desc '"binds": [{"src": "/usr"}]')" '\"dst\" missing'
refused "$(desc '"binds": [{"src": "/usr", "dst": "/u", "mode": 1}]')" 'unknown key \"mode\" in a bind'
refused "$(desc '"binds": [{"src": "/usr", "dst": "/u", "rw": 1}]')" '\"rw\" must be true or false'
refused "$(desc '"binds": [{"src": "/usr", "dst": "/u/../etc"}]')" 'bad bind /usr -> /u/../etc'
refused "$(desc '"binds": [{"src": "usr", "dst": "/u"}]')" 'bad bind usr -> /u'
refused "$(desc '"binds": [{"src": "/usr", "dst": "/"}]')" 'bad bind /usr -> /'
b65=$(printf '{"src": "/usr", "dst": "/u"},%.0s' $(seq 65))
refused "$(desc "\"binds\": [${b65%,}]")" 'too many binds'
# What dev, standard and hardened each require.
refused "$(desc '"binds": [{"src": "/usr", "dst": "/u"}]')" 'dev has no work_fd, etc_fd, dev_fd or binds'
std=$(desc '' | sed 's/"mode": "dev"/"mode": "standard"/')
refused "$std" 'a standard run needs seccomp_fd, etc_fd and dev_fd'
refused "$(printf '%s' "$std" | sed 's/"uid": 65534/"uid": 0/; s/}$/, "seccomp_fd": 5, "etc_fd": 8, "dev_fd": 9}/')" \
	'a standard run never maps root inside to root outside'
hard=$(desc '"seccomp_fd": 5, "etc_fd": 8, "dev_fd": 9, "cgroup": true' | sed 's/"mode": "dev"/"mode": "hardened"/')
refused "$hard" 'hardened cgroup limits need memory and pids'

# A description over the size cap (1 MiB) is refused unread.
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' > "$TMP/spec"
"$H" 3<"$TMP/spec" 4>"$TMP/report" </dev/null >/dev/null 2>&1
assert_contains "$(cat "$TMP/report")" '"error":"reading the run description: File too large"'

# Not strict JSON; a descriptor the description names but that is not
# open; no protocol descriptors at all.
refused '{"version": 1,}' 'not one strict JSON object'
refused "{\"version\": 1, \"a\": 1 /* c */}" 'not one strict JSON object'
printf '%s' "$(desc '')" > "$TMP/spec"
"$H" 3<"$TMP/spec" 4>"$TMP/report" </dev/null >/dev/null 2>&1
assert_contains "$(cat "$TMP/report")" '"error":"run description: fd 7: Bad file descriptor"'
out=$("$H" 2>&1 3>&- 4>&-)
assert_eq 2 $? "the helper without its descriptors"
assert_contains "$out" "started by toolexecfs with a run description on fd 3"
