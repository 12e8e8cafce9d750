#!/bin/bash
# Prompts of server-everything over Streamable HTTP, as t0471 over
# stdio: prompts/NS/NAME/ with doc and schema from the prompt's
# arguments; `get` as a transaction (arguments written, messages read as
# role-labelled text), get.json the whole GetPromptResult; embedded
# resources; EINVAL for arguments the prompt does not take.
. "$(dirname "$0")/lib.sh"
need_fuse
need_mcp_servers
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PORT=$port node "$M/server-everything/dist/index.js" streamableHttp >"$TMP/server.log" 2>&1 &
srv=$!
at_exit "kill $srv"
wait_until grep -q "listening" "$TMP/server.log"
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/web.json" <<JSON
{"mcpServers": {"web": {"url": "http://127.0.0.1:$port/mcp"}}}
JSON
mount_config "$TMP/cfg"
P=$MNT/prompts
wait_until -t 60 test -d "$P/web"
assert_eq "args-prompt completable-prompt resource-prompt simple-prompt" \
	"$(ls "$P/web" | tr '\n' ' ' | sed 's/ $//')" "prompts"
assert_eq "doc get get.json schema" "$(ls "$P/web/args-prompt" | tr '\n' ' ' | sed 's/ $//')" "a prompt's files"
doc=$(cat "$P/web/args-prompt/doc")
assert_contains "$doc" "# Arguments Prompt" "doc title"
assert_contains "$doc" "| city | yes | Name of the city |" "doc argument row"
assert_contains "$doc" "| state | no |  |" "doc optional argument"
schema=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(sorted(s["properties"]), s["required"], s["additionalProperties"])' "$P/web/args-prompt/schema")
assert_eq "['city', 'state'] ['city'] False" "$schema" "schema"

# A prompt without arguments: plain cat.
assert_eq "$(printf 'user:\nThis is a simple prompt without arguments.')" \
	"$(cat "$P/web/simple-prompt/get")" "simple prompt"

# The transaction: each descriptor its own arguments and answer.
out=$(python3 - "$P/web/args-prompt" <<'PY'
import errno, json, os, sys
d = sys.argv[1]
def tx(name, args):
    fd = os.open(os.path.join(d, name), os.O_RDWR)
    try:
        os.write(fd, args)
        return os.read(fd, 65536).decode()
    except OSError as e:
        return errno.errorcode[e.errno]
    finally:
        os.close(fd)
a = os.open(os.path.join(d, "get"), os.O_RDWR)
b = os.open(os.path.join(d, "get"), os.O_RDWR)
os.write(a, b'{"city":"Paris"}')
os.write(b, b'{"city":"Lyon"}')
print(os.read(b, 4096).decode().replace("\n", "/"), os.read(a, 4096).decode().replace("\n", "/"))
r = json.loads(tx("get.json", b'{"city":"Austin","state":"TX"}'))
print(r["messages"][0]["role"], r["messages"][0]["content"]["text"])
for bad in (b'{}', b'{"city":3}', b'{"city":"x","town":"y"}', b'[1]', b'{"city":'):
    print(tx("get", bad), end=" ")
print()
PY
)
assert_eq "user:/What's weather in Lyon?/ user:/What's weather in Paris?/
user What's weather in Austin, TX?
EINVAL EINVAL EINVAL EINVAL EINVAL " "$out" "get transactions"

# Embedded resources are shown with their URI and text.
res=$(python3 - "$P/web/resource-prompt/get" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.write(fd, b'{"resourceType":"Text","resourceId":"2"}')
print(os.read(fd, 65536).decode())
PY
)
assert_contains "$res" "[resource demo://resource/dynamic/text/2]" "embedded resource"
assert_contains "$res" "Resource 2: This is a plaintext resource" "embedded resource text"
assert_eq ENOENT "$(read_errno "$P/web/no-such-prompt/get")" "unknown prompt"
unmount_fs
echo ok
