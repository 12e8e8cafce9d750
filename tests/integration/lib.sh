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
	eval "$_at_exit" >/dev/null 2>&1 || true
	rm -rf "$TMP"
	exit $rc
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

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
