#!/bin/bash
# Every program in examples/usage/ runs against a real mount of the
# embedded default and prints what examples/README.md says it does.
. "$(dirname "$0")/lib.sh"
ex=$top/examples/usage
mount_default
# What each way of working must print (a fixed piece of its output).
want_for() {
	case "$1" in
	call) echo "aGVsbG8gZnJvbS" ;;        # base64 of "hello from"
	chain) echo '"value": 42' ;;
	search) echo "Zm91bmQgYnkgc2VhcmNo" ;; # base64 of "found by search"
	stream) echo "progress 2/3 seconds" ;;
	many) echo "slept " ;;
	*) return 1 ;;
	esac
}
n=0
for f in "$ex"/*/*; do
	lang=$(basename "$(dirname "$f")")
	base=$(basename "$f")
	way=${base%.*}
	want=$(want_for "$way") || fail "examples/usage/$lang/$base is not exercised by this test"
	case "$lang" in
	shell) sh "$f" "$MNT" > "$TMP/out" 2>&1 ;;
	python) python3 "$f" "$MNT" > "$TMP/out" 2>&1 ;;
	node) node "$f" "$MNT" > "$TMP/out" 2>&1 ;;
	c) gcc -std=c11 -Wall -Wextra -Werror -o "$TMP/prog" "$f" &&
		"$TMP/prog" "$MNT" > "$TMP/out" 2>&1 ;;
	*) fail "examples/usage/$lang: no runner" ;;
	esac || fail "$lang/$base failed: $(cat "$TMP/out")"
	assert_contains "$(cat "$TMP/out")" "$want" "$lang/$base"
	case "$way" in
	stream) assert_contains "$(cat "$TMP/out")" "-- ok (" "$lang/$base ends with the outcome" ;;
	many) [ "$(grep -c 'slept' "$TMP/out")" -eq 5 ] || fail "$lang/$base: five answers: $(cat "$TMP/out")" ;;
	esac
	n=$((n + 1))
done
[ "$n" -ge 20 ] || fail "only $n examples ran"
echo "$n examples ran"
unmount_fs
