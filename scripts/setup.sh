#!/bin/sh
# Install what a fresh Debian machine lacks to build, run and test toolexecfs.
# Costs nothing when everything is present: it only asks dpkg and npm.
#
#   setup.sh         everything `make check` needs (test runtimes, npm)
#   setup.sh --run   only what building and mounting need (`make run`)
set -eu

# Building and running the mount and toolexec.
APT_PKGS="build-essential pkg-config libfuse3-dev fuse3 libjson-c-dev \
libseccomp-dev libpcre2-dev libstemmer-dev libcurl4-openssl-dev libssl-dev"
run_only=false
[ "${1:-}" = --run ] && run_only=true

missing=""
if ! $run_only; then
	# The tests: the unit-test library, the JSON Schema suite, the
	# tools the scripts use, coverage and formatting, valgrind (it
	# counts the instructions of a start, t0700) and the language
	# runtimes of the file-idiom matrix (t13NN).
	APT_PKGS="$APT_PKGS libcmocka-dev json-schema-test-suite sqlite3 python3 \
procps psmisc git gcovr clang-format perl default-jdk-headless ruby golang-go \
valgrind"
	# Node.js and npm run the MCP test servers; the machines we test
	# on bring Node 20, so Debian's packages are only the fallback.
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		APT_PKGS="$APT_PKGS nodejs npm"
	fi
fi
for p in $APT_PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	echo "setup: installing:$missing" >&2
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >&2
fi

$run_only && exit 0
# The pinned npm MCP servers and conformance suite that the tests use.
"$(dirname "$0")/../tests/mcp/setup.sh" ||
	echo "setup: the MCP test servers are not installed (node and npm are needed)" >&2
