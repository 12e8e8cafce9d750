#!/bin/sh
# Fails when a C file calls what this project never calls: system() and
# popen() put a shell between input and a process; sprintf, strcpy,
# strcat and gets write without a bound; strtok keeps hidden state
# across threads.  Comments and strings are stripped by the compiler's
# preprocessor first, so prose that names them does not count.
set -u
cd "$(dirname "$0")/.."
bad=0
for f in $(git ls-files 'src/*.[ch]' 'include/*.h' 'tests/*.[ch]' 'bench/*.[ch]'); do
	hits=$(gcc -fpreprocessed -dD -E -P "$f" 2>/dev/null |
		grep -nE '(^|[^A-Za-z0-9_.>])(system|popen|sprintf|strcpy|strcat|gets|strtok)[[:space:]]*\(')
	if [ -n "$hits" ]; then
		printf '%s: banned call:\n%s\n' "$f" "$hits"
		bad=1
	fi
done
[ "$bad" -eq 0 ] && echo "banned calls: none"
exit "$bad"
