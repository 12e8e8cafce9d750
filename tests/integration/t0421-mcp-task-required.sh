#!/bin/bash
# A tool whose execution.taskSupport is "required" can only be called as
# a task, which needs the server's tasks capability: this server has
# none, so the tool is not published (a plain tools/call always fails;
# the log says why); "optional" tools are called as usual.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
spec_server plain
spec_config
mount_config "$TMP/cfg"
wait_until test -e "$MNT/tools/web/echo/call"
[ -e "$MNT/tools/web/needs-task" ] && fail "a task-required tool was published"
echo '{}' > "$MNT/tools/web/maybe-task/call"
assert_eq "" "$(cat "$MNT/tools/web/maybe-task/result")" "optional task tool called plainly"
assert_contains "$(cat "$MNT/.ctl/log")" 'skipping tool "needs-task": it must be called as a task' "logged"
unmount_fs
echo ok
