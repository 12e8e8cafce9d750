#!/bin/sh
# Installs the pinned MCP servers and conformance suite of package.json
# (exact versions, package-lock.json) into tests/mcp/node_modules.  Runs
# `npm ci` only when node_modules is missing or older than the lock
# file, so calling it before every test costs nothing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "tests/mcp/setup.sh: node and npm are needed for the MCP tests" >&2
	exit 1
fi
stamp=node_modules/.package-lock.json
if [ -f "$stamp" ] && [ ! package-lock.json -nt "$stamp" ] &&
	[ -d node_modules/@modelcontextprotocol/server-everything ]; then
	exit 0
fi
echo "tests/mcp: npm ci (pinned MCP servers)" >&2
# Retry once: the registry occasionally drops a connection.
npm ci --no-audit --no-fund --loglevel=error >&2 ||
	npm ci --no-audit --no-fund --loglevel=error >&2
touch "$stamp"
