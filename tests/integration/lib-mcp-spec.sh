# Sourced by the tests that hold the MCP client to the 2025-11-25
# specification with tests/mcp/spec_server.py (after lib.sh).

# spec_server MODE: starts the test server in MODE; sets PORT.  Its
# log is $TMP/server.log.
spec_server() {
	: > "$TMP/server.log"
	"$PYTHON" "$top/tests/mcp/spec_server.py" "$1" "$TMP/port" "$TMP/server.log" &
	_spec_srv=$!
	at_exit "kill $_spec_srv"
	wait_until test -s "$TMP/port" || fail "the test server did not start"
	PORT=$(cat "$TMP/port")
}
# spec_config [JSON KEYS]: a configuration with the server as "web",
# extra keys (", \"k\": v") added to its entry.
spec_config() {
	mkdir -p "$TMP/cfg"
	printf '{"mcpServers": {"web": {"url": "http://127.0.0.1:%s/mcp"%s}}}\n' \
		"$PORT" "${1:-}" > "$TMP/cfg/web.json"
}
# waitlog REGEX [SECONDS]: waits for a line of the server's log.
waitlog() {
	wait_until -t "${2:-30}" grep -qE "$1" "$TMP/server.log" ||
		fail "no line like \"$1\" in the server's log: $(cat "$TMP/server.log")"
}
