#!/bin/bash
# Every program in examples/usage/ runs against a real mount of the
# embedded default and prints what examples/README.md says it does.
. "$(dirname "$0")/lib.sh"
ex=$top/examples/usage
# code and agent drop scripts into code/standard/: the sandbox opens the
# run's view below the mount point as the run's own uid.
chmod 0755 "$TMP"
mount_default
# What each way of working must print: fixed pieces of its output, one a
# line.
want_for() {
	case "$1" in
	call) echo "aGVsbG8gZnJvbS" ;;        # base64 of "hello from"
	chain) echo '"value": 42' ;;
	search) echo "Zm91bmQgYnkgc2VhcmNo" ;; # base64 of "found by search"
	stream) echo "progress 2/3 seconds" ;;
	many) echo "slept " ;;
	code) printf '%s\n' "hello from the sandbox
Y29kZSBpbiBhIHNhbmRib3g=
exit_code: 0
tool calls: 1" ;; # the script's output, then its result
	agent) printf '%s\n' "toolexecfs: every tool is a directory
best hit: local:word_count
# local:word_count - Count lines, words and characters
counted: 0 lines, 9 words, 43 characters
sorted: brown dog fox jumps lazy over quick the the
report written
run: exit_code 0, 2 tool calls
# Report
text: the quick brown fox jumps over the lazy dog
tool: local:sha256
sha256: 05c6e08f1d9fdafa03147fcb8f82f124c76d2f70e3d989dc8aadb5e7d7450bec
words: 9" ;;
	*) return 1 ;;
	esac
}
n=0
min=28
for f in "$ex"/*/*; do
	lang=$(basename "$(dirname "$f")")
	base=$(basename "$f")
	way=${base%.*}
	want=$(want_for "$way") || fail "examples/usage/$lang/$base is not exercised by this test"
	# Runs of standard get uids of their own: only root starts them.
	if [ "$(id -u)" -ne 0 ] && { [ "$way" = code ] || [ "$way" = agent ]; }; then
		echo "not as uid $(id -u): $lang/$base (code runs need root)"
		min=20
		continue
	fi
	case "$lang" in
	shell) sh "$f" "$MNT" > "$TMP/out" 2>&1 ;;
	python) python3 "$f" "$MNT" > "$TMP/out" 2>&1 ;;
	node) node "$f" "$MNT" > "$TMP/out" 2>&1 ;;
	c) gcc -std=c11 -Wall -Wextra -Werror -o "$TMP/prog" "$f" &&
		"$TMP/prog" "$MNT" > "$TMP/out" 2>&1 ;;
	*) fail "examples/usage/$lang: no runner" ;;
	esac || fail "$lang/$base failed: $(cat "$TMP/out")"
	case "$way" in
	code | agent) assert_eq "$want" "$(cat "$TMP/out")" "$lang/$base" ;;
	*) assert_contains "$(cat "$TMP/out")" "$want" "$lang/$base" ;;
	esac
	case "$way" in
	stream) assert_contains "$(cat "$TMP/out")" "-- ok (" "$lang/$base ends with the outcome" ;;
	many) [ "$(grep -c 'slept' "$TMP/out")" -eq 5 ] || fail "$lang/$base: five answers: $(cat "$TMP/out")" ;;
	esac
	n=$((n + 1))
done
[ "$n" -ge "$min" ] || fail "only $n examples ran"
echo "$n examples ran"
unmount_fs
