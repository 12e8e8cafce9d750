#!/bin/sh
# Starts fake_server.py as a child and waits, like `npx` starting node:
# the child shares our stdout, so it stays open if only we die.
exec 3<&0
python3 "$(dirname "$0")/fake_server.py" "$@" 0<&3 3<&- &
exec 3<&-
wait
