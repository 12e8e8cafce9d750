#!/bin/bash
# A configuration file with three independent errors reports all three
# at once: `toolexec check` (one line each), and .ctl/status of a mount.
. "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/bad.json" <<'JSON'
{"tools": [
  {"namespace": "demo", "name": "one", "description": "first",
   "inputSchema": {"type": "object"}, "input_schema": {"type": "object"},
   "command": ["echo", "one"], "stdin": "none", "timeout_ms": 1000},
  {"namespace": "demo", "name": "two", "description": "second",
   "input_schema": {"type": "object"},
   "command": ["echo", "two"], "stdin": "none"}
 ],
 "mcpServers": {"srv": {"command": "true", "timeout_ms": "soon"}}}
JSON
cat > "$TMP/cfg/good.json" <<'JSON'
{"tools": [{"namespace": "ok", "name": "fine", "description": "fine",
  "input_schema": {"type": "object"}, "command": ["echo", "fine"],
  "stdin": "none", "timeout_ms": 1000}]}
JSON
rc=0
out=$("$TOOLEXEC" -c "$TMP/cfg" check 2>&1) || rc=$?
assert_eq 1 "$rc" "check exits 1"
e1='bad.json: $.tools[0].inputSchema: unknown key (did you mean "input_schema"?)'
e2='bad.json: $.tools[1]: missing required key "timeout_ms"'
e3='bad.json: $.mcpServers.srv.timeout_ms: expected an integer, got string'
assert_contains "$out" "$e1" "check: the unknown key"
assert_contains "$out" "$e2" "check: the missing key"
assert_contains "$out" "$e3" "check: the server's bad value"
assert_eq 3 "$(printf '%s\n' "$out" | grep -c '^toolexec: .*bad\.json: ')" "check: one line per error"

need_fuse
mount_config "$TMP/cfg"
st=$(cat "$MNT/.ctl/status")
assert_contains "$st" "file bad.json error: " "status names the file"
assert_contains "$st" "$e1" "status: the unknown key"
assert_contains "$st" "$e2" "status: the missing key"
assert_eq 2 "$(printf '%s\n' "$st" | grep -c '^  .*bad\.json: ')" "status: the second and third indented"
assert_contains "$st" "$e3" "status: the server's bad value"
assert_contains "$st" "file good.json ok" "the good file"
[ -d "$MNT/tools/ok/fine" ] || fail "the good file's tool is missing"
unmount_fs
echo ok
