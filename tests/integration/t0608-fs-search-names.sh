#!/bin/bash
# How a search directory's name is read: "+N" at the end asks for N
# hits (at least 1), spaces and trailing blanks do not count; the
# search/query file takes a new query on the same descriptor, and
# refuses a NUL byte.
. "$(dirname "$0")/lib.sh"
mount_default
cd "$MNT" || fail "cd $MNT"

hits() { ls "search/$1" | grep -c -- '-'; }
assert_eq 1 "$(hits 'time +0')" "+0 is at least one hit"
assert_eq 3 "$(hits 'text file date time +3 ')" "+N before a trailing blank"
assert_eq "$(ls 'search/echo the arguments')" "$(ls 'search/echo   the  arguments  ')" \
	"runs of spaces and trailing blanks"
# "+N" only counts as a word of its own, and with at most six digits.
assert_contains "$(cat 'search/text+3/results.json')" '"query": "text+3"'
assert_contains "$(cat 'search/text +1234567/results.json')" '"query": "text +1234567"'

python3 - <<'P' || fail "search/query"
import errno, os
fd = os.open("search/query", os.O_RDWR)
os.write(fd, b"echo the arguments back")
first = os.read(fd, 65536).decode()
assert "builtin:echo" in first, first
# A second query on the same descriptor: its results, from the start.
os.write(fd, b"universally unique identifiers")
second = os.read(fd, 65536).decode()
assert "builtin:uuid" in second.splitlines()[0], second
assert second != first
try:
    os.write(fd, b"a\0b")
    raise SystemExit("a NUL byte was taken")
except OSError as e:
    assert e.errno == errno.EINVAL, e
os.close(fd)
P
