#!/bin/sh
# Chain two tools: the first one's result goes into the second one's
# arguments.  Usage: chain.sh [MOUNT]
M=${1:-mnt}
cd "$M" || exit 1
echo '[{"tool": "builtin:echo", "args": {"size": 42}},
       {"tool": "builtin:json_get", "args": {"pointer": "/size"},
        "previous_to": "/json"}]' > chain/call
cat chain/result
