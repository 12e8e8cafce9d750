#!/bin/bash
# The built-in tools answer as their documentation says: time in its
# three forms (one instant, text and structured agree), json_get on a
# value, a string and a missing pointer, base64 decoding refusing what is
# not Base64 or not UTF-8 text.
. "$(dirname "$0")/lib.sh"
T=$TOOLEXEC

# time: the text is the form asked for; structuredContent has them all.
"$T" call --json builtin:time '{"timezone": "unix"}' > "$TMP/unix.json" || fail "time unix"
python3 - "$TMP/unix.json" <<'P' || fail "time: text and structured content disagree"
import json, re, sys
r = json.load(open(sys.argv[1]))
s = r["structuredContent"]
assert r["content"][0]["text"] == str(s["unix"]), r
assert s["unix_ms"] // 1000 == s["unix"], s
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s["utc"]), s
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", s["local"]), s
P
utc=$("$T" call builtin:time '{"timezone": "utc"}') || fail "time utc"
[[ $utc =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] || fail "utc form: $utc"
loc=$(TZ=UTC "$T" call builtin:time) || fail "time local"
[[ $loc =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+0000$ ]] || fail "local form: $loc"

# json_get: a non-string value comes back as structured content, a
# string as text, a missing pointer as a tool error.
out=$("$T" call builtin:json_get '{"json": {"a": [1, {"b": 2}]}, "pointer": "/a/1"}') || fail "json_get"
assert_eq '{"value":{"b":2}}' "$(printf '%s' "$out" | tr -d ' \n')"
assert_eq s "$("$T" call builtin:json_get '{"json": {"a": "s"}, "pointer": "/a"}')"
"$T" call builtin:json_get '{"json": {"a": 1}, "pointer": "/x"}' >"$TMP/out" 2>"$TMP/err"
assert_eq 1 $? "json_get of a missing pointer"
assert_eq "nothing at /x" "$(cat "$TMP/out")"
assert_eq "toolexec: builtin:json_get: tool_error: nothing at /x" "$(cat "$TMP/err")"

# base64: decodes, and refuses text that is not Base64 or whose bytes
# are not UTF-8 text (0xff).
assert_eq hi "$("$T" call builtin:base64 '{"text": "aGk=", "mode": "decode"}')"
"$T" call builtin:base64 '{"text": "@@@", "mode": "decode"}' >"$TMP/out" 2>/dev/null
assert_eq 1 $? "base64 of not Base64"
assert_eq "not valid base64 text" "$(cat "$TMP/out")"
"$T" call builtin:base64 '{"text": "/w==", "mode": "decode"}' >"$TMP/out" 2>/dev/null
assert_eq 1 $? "base64 of a lone 0xff"
assert_eq "the decoded bytes are not UTF-8 text" "$(cat "$TMP/out")"
