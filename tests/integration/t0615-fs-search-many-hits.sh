#!/bin/bash
# A search with 100 or more hits numbers them with three digits, so
# that `ls` keeps the ranks in order; "+N" past 1000 asks for 1000, and
# every one of 120 matching tools is listed once.
. "$(dirname "$0")/lib.sh"
cfg=$TMP/cfg
mkdir -p "$cfg"
python3 - "$cfg/w.json" <<'PY'
import json, sys
tools = [{"namespace": "w", "name": "widget%d" % i,
          "description": "Polishes widget number %d." % i,
          "input_schema": {"type": "object"}, "command": ["true"],
          "stdin": "none", "timeout_ms": 5000} for i in range(120)]
json.dump({"tools": tools}, open(sys.argv[1], "w"))
PY
mount_config "$cfg"
cd "$MNT" || fail "cd $MNT"
ls "search/polishes widget +999999" | grep -- '-' > "$TMP/hits"
assert_eq 120 "$(wc -l < "$TMP/hits")" "hits"
assert_eq "001-" "$(head -1 "$TMP/hits" | cut -c1-4)" "first rank"
assert_eq "120-" "$(tail -1 "$TMP/hits" | cut -c1-4)" "last rank"
assert_eq 120 "$(cut -d- -f2- "$TMP/hits" | sort -u | grep -c '^w:widget')" "distinct tools"
# The ranks are 1 to 120 in ls's order.
seq -f '%03g' 1 120 > "$TMP/want"
cut -c1-3 "$TMP/hits" | diff - "$TMP/want" || fail "ranks out of order"
cd /
unmount_fs
