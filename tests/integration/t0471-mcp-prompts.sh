#!/bin/bash
# Prompts of server-everything under prompts/NS/NAME/: doc and schema
# from the prompt's arguments; `get` as a transaction (arguments
# written, messages read as role-labelled text), get.json the whole
# GetPromptResult; EINVAL for arguments the prompt does not take.
. "$(dirname "$0")/lib.sh"
need_mcp_servers
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/servers.json" <<JSON
{"mcpServers": {
  "everything": {"command": "node", "args": ["$M/server-everything/dist/index.js", "stdio"]}
}}
JSON
mount_config "$TMP/cfg"
. "$here/lib-prompts.sh"
check_prompts everything
unmount_fs
echo ok
