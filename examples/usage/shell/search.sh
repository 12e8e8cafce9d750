#!/bin/sh
# Search for a tool, read its documentation, call the best hit.
# Usage: search.sh [MOUNT] [QUERY]
M=${1:-mnt}
Q=${2:-encode text as base64}
cd "$M" || exit 1
ls "search/$Q"                            # 01-NS:NAME -> ../../tools/NS/NAME ...
best=$(ls "search/$Q" | head -n 1)        # the best hit
head -n 3 "search/$Q/$best/doc"           # what it does
echo '{"text": "found by search"}' > "search/$Q/$best/call"
cat "search/$Q/$best/result"
