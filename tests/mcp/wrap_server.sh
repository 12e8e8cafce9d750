#!/bin/sh
# Starts fake_server.py as a child and waits, like `npx` starting node:
# the child shares our stdout, so it stays open if only we die.
# /usr/bin/python3 when there is one (python3 on PATH may be a slow shim).
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
exec 3<&0
"$py" "$(dirname "$0")/fake_server.py" "$@" 0<&3 3<&- &
exec 3<&-
wait
