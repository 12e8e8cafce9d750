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
. "$here/lib-prompts.sh"
check_prompts web
unmount_fs
echo ok
