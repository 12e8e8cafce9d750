#!/bin/bash
# --help and the man page say the same: every command, option and -o
# option that --help names is in the man page, and the other way round
# for the options of the man page's OPTIONS section.
. "$(dirname "$0")/lib.sh"
man_words() { # the man page as plain words (no roff escapes)
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/^\.[A-Z]* //' "$1"
}
man_words "$top/docs/toolexec.1" > "$TMP/toolexec.man"
man_words "$top/docs/toolexecfs.1" > "$TMP/toolexecfs.man"
"$TOOLEXEC" --help > "$TMP/toolexec.help"
"$TOOLEXECFS" --help > "$TMP/toolexecfs.help"

# toolexec: each command (the first word of a line under Commands:)
cmds=$(python3 - "$TMP/toolexec.help" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
block = text.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
for line in block.splitlines():
    m = re.match(r"  ([a-z][a-z| ]*?)(?:  | \[|$| [A-Z-])", line)
    if m:
        for c in m.group(1).split("|"):
            print(c.strip())
PY
)
[ -n "$cmds" ] || fail "no commands found in --help"
# the man page's command headers: the line after each .TP of COMMANDS
sed -n '/^\.SH COMMANDS/,/^\.SH [A-Z]/{/^\.TP/{n;p}}' "$top/docs/toolexec.1" |
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/"//g' -e 's/^\.[A-Z]* //' > "$TMP/headers"
for c in $cmds; do
	grep -qE "(^| )$c( |$)" "$TMP/headers" || fail "toolexec.1 has no entry for the command $c"
done
# every option either text names
for f in toolexec toolexecfs; do
	for o in $(grep -oE -- '(^|[ [(,])--?[a-zA-Z][a-z-]*' "$TMP/$f.help" | tr -d ' [(,' | sort -u); do
		grep -qe "$o" "$TMP/$f.man" || fail "$f.1 lacks $o, which --help names"
	done
	for o in $(sed -n '/^OPTIONS/,/^[A-Z][A-Z ]*$/p;/^\.SH OPTIONS/,/^\.SH [A-Z]/p' "$TMP/$f.man" |
		grep -oE -- '(^| )--?[a-zA-Z][a-z-]*' | tr -d ' ' | sort -u); do
		grep -qe "$o" "$TMP/$f.help" || fail "$f --help lacks $o, which the man page names"
	done
done
# toolexecfs: each of our own -o options
for o in $(grep -oE '^ +[a-z_]+=' "$TMP/toolexecfs.help" | tr -d ' ='); do
	grep -q "$o" "$TMP/toolexecfs.man" || fail "toolexecfs.1 lacks -o $o"
done
