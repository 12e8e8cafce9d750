# Sourced by every integration test: helpers and a scratch directory that
# is removed on exit, whatever happens.  Tests add their own cleanup with
# `at_exit 'command'`; those run first, last added first.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${BUILD:=$top/build}"
TOOLEXEC=$BUILD/toolexec
TOOLEXECFS=$BUILD/toolexecfs
TMP=$(mktemp -d "${TMPDIR:-/tmp}/txtest.XXXXXX")
_at_exit=""
at_exit() { _at_exit="$1; $_at_exit"; }
_cleanup() {
	rc=$?
	cd / # a test that failed inside the mount would keep it busy
	eval "$_at_exit" >/dev/null 2>&1 || true
	rm -rf "$TMP"
	exit $rc
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# PYTHON: the interpreter the tests run, also named in the MCP server
# configurations they write.  /usr/bin/python3 when there is one:
# python3 on PATH may be a version manager's shim that takes a second or
# more to start.  The tests pass either way (PYTHON=python3 to check).
if [ -z "${PYTHON:-}" ]; then
	if [ -x /usr/bin/python3 ]; then
		PYTHON=/usr/bin/python3
	else
		PYTHON=python3
	fi
fi
export PYTHON
# (command: PYTHON=python3 means the python3 on PATH, not this function)
python3() { command "$PYTHON" "$@"; }
export -f python3

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skip: $*"; exit 77; }
# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: expected [$1], got [$2]"
}
# assert_contains HAYSTACK NEEDLE [WHAT]
assert_contains() {
	case "$1" in
	*"$2"*) ;;
	*) fail "${3:-output}: [$2] not found in [$1]" ;;
	esac
}
# expect_fail CMD...: the command must exit non-zero.
expect_fail() {
	if "$@"; then fail "expected failure: $*"; fi
}

# ---- Waiting for another process ----
# Never a sleep that stands for "the other side is ready": wait for what
# shows it (a file, a line, a status, a process blocked in its read),
# with a generous bound, so that a loaded machine is only slower.
WAIT_SECS=${WAIT_SECS:-30}
# wait_until [-t SECONDS] CMD...: runs CMD (output discarded) until it
# succeeds; fails the test after SECONDS (default $WAIT_SECS).
wait_until() {
	local secs=$WAIT_SECS end
	if [ "$1" = -t ]; then
		secs=$2
		shift 2
	fi
	end=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -le "$end" ] || fail "waited ${secs} s in vain for: $*"
		sleep 0.02
	done
}
# not CMD...: true when CMD fails (for wait_until).
not() { ! "$@"; }
# gone PID: the process has ended (or is a zombie waiting to be reaped).
gone() {
	! kill -0 "$1" 2>/dev/null ||
		[ "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)" = Z ]
}
# The number of read(2) on this machine, to recognise a blocked read in
# /proc/PID/syscall ("" where unknown: the wchan test alone decides).
case "$(uname -m)" in
x86_64) _read_nr=0 ;;
aarch64 | riscv64 | loongarch64) _read_nr=63 ;;
i?86 | arm*) _read_nr=3 ;;
*) _read_nr="" ;;
esac
# fuse_reading PID: PID, or a process below it, is blocked in read(2) on
# a FUSE file (the kernel waits for the daemon's answer).
fuse_reading() {
	local c
	if [ "$(cat "/proc/$1/wchan" 2>/dev/null)" = request_wait_answer ] &&
		{ [ -z "$_read_nr" ] ||
			[ "$(cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null)" = "$_read_nr" ]; }; then
		return 0
	fi
	for c in $(pgrep -P "$1" 2>/dev/null); do
		fuse_reading "$c" && return 0
	done
	return 1
}
# sigint_caught PID PROGRAM: PID runs PROGRAM (it has been exec'd) and
# has its handler for SIGINT in place: it is ready for Ctrl-C.
sigint_caught() {
	local m
	[ "$(readlink -f "/proc/$1/exe" 2>/dev/null)" = "$(readlink -f "$2")" ] ||
		return 1
	m=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$m" ] && [ $((0x$m & 2)) -ne 0 ]
}

# ---- Mount helpers (the filesystem tests, t1*.sh) ----
# mount_default / mount_config DIR [OPTS]: start $TOOLEXECFS -f in the
# background on $MNT (a fresh directory under $TMP), wait until the mount
# answers, and register the unmount with at_exit.  unmount_fs at the end
# of a test unmounts, waits for the daemon to exit cleanly and fails the
# test on sanitizer or "runtime error" lines in its log ($FS_LOG).
MNT=""
FS_PID=""
FS_LOG=""
need_fuse() {
	[ -c /dev/fuse ] || skip "no /dev/fuse on this machine"
	command -v fusermount3 >/dev/null || skip "fusermount3 is not installed"
	[ -x "$TOOLEXECFS" ] || fail "$TOOLEXECFS is not built"
}
_fs_kill() {
	[ -n "$FS_PID" ] || return 0
	fusermount3 -u "$MNT" 2>/dev/null
	for _i in $(seq 1 50); do
		kill -0 "$FS_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$FS_PID" 2>/dev/null
	fusermount3 -u -z "$MNT" 2>/dev/null
	FS_PID=""
}
# mount_fs [toolexecfs options...]
mount_fs() {
	need_fuse
	MNT=$TMP/mnt
	FS_LOG=$TMP/toolexecfs.log
	mkdir -p "$MNT"
	"$TOOLEXECFS" -f "$@" "$MNT" >>"$FS_LOG" 2>&1 &
	FS_PID=$!
	at_exit "_fs_kill"
	_end=$((SECONDS + WAIT_SECS))
	while [ "$SECONDS" -le "$_end" ]; do
		if mountpoint -q "$MNT" && [ -e "$MNT/README" ]; then
			return 0
		fi
		if ! kill -0 "$FS_PID" 2>/dev/null; then
			cat "$FS_LOG" >&2
			FS_PID=""
			fail "toolexecfs exited before mounting"
		fi
		sleep 0.05
	done
	fail "the mount did not appear within $WAIT_SECS s"
}
mount_default() { mount_fs "$@"; }
mount_config() { _dir=$1; shift; mount_fs -c "$_dir" "$@"; }
# fs_log_check: fail on sanitizer reports and runtime errors in the log.
fs_log_check() {
	if grep -E 'runtime error|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|ThreadSanitizer' "$FS_LOG" >/dev/null 2>&1; then
		cat "$FS_LOG" >&2
		fail "sanitizer or runtime error in the daemon log"
	fi
}
# unmount_fs: unmount, expect the daemon to exit 0, check its log.
unmount_fs() {
	fusermount3 -u "$MNT" || fail "fusermount3 -u failed"
	_rc=0
	wait "$FS_PID" || _rc=$?
	FS_PID=""
	fs_log_check
	[ "$_rc" -eq 0 ] || { tail -n 30 "$FS_LOG" >&2; fail "toolexecfs exited with $_rc"; }
}
# errno_of CMD...: run CMD (python3 one-liner helpers below) and print
# the errno name it failed with, or OK.
fs_py() { python3 -c "$@"; }
# read_errno FILE: reads FILE, prints OK or the errno name (ENODATA, ...).
read_errno() {
	python3 - "$1" <<'PY'
import errno, os, sys
try:
    fd = os.open(sys.argv[1], os.O_RDONLY)
    try:
        while os.read(fd, 65536):
            pass
    finally:
        os.close(fd)
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
PY
}
# write_errno FILE DATA: writes DATA (one write, then close), prints OK or
# the errno name of the write or of the close.
write_errno() {
	python3 - "$1" "$2" <<'PY'
import errno, os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY)
    try:
        os.write(fd, sys.argv[2].encode())
    finally:
        os.close(fd)
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
PY
}

# mcp_unmount_check MNT PID LOG: unmounts, waits for the daemon, and fails
# on a non-zero exit or on sanitizer reports in its log (leaks show only
# at exit).
mcp_unmount_check() {
	fusermount3 -u "$1" || fail "unmount of $1 failed"
	wait "$2"
	local rc=$?
	if grep -E "AddressSanitizer|LeakSanitizer|runtime error" "$3"; then
		fail "sanitizer report in the daemon's log"
	fi
	[ "$rc" -eq 0 ] || fail "daemon exited with status $rc: $(tail -5 "$3")"
}

# need_mcp_servers: installs the pinned npm MCP servers (or skips) and
# sets M to the folder they are in.
need_mcp_servers() {
	"$top/tests/mcp/setup.sh" || skip "cannot install the pinned MCP servers (node/npm)"
	M=$top/tests/mcp/node_modules/@modelcontextprotocol
}

# mcp_npm_servers FILES MEMORY: the config entries, each line ending in a
# comma, of server-everything (stdio), server-filesystem serving FILES and
# server-memory keeping its graph in MEMORY.  Call need_mcp_servers first.
mcp_npm_servers() {
	cat <<JSON
  "everything": {"command": "node", "args": ["$M/server-everything/dist/index.js", "stdio"]},
  "files": {"command": "node", "args": ["$M/server-filesystem/dist/index.js", "$1"]},
  "memory": {"command": "node", "args": ["$M/server-memory/dist/index.js"],
             "env": {"MEMORY_FILE_PATH": "$2"}},
JSON
}
