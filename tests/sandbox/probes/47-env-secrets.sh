# Nothing of the daemon's environment reaches the run, in any process.
leak=""
env | grep -q TOOLEXEC_ESCAPE_SECRET && leak="$leak env"
for f in /proc/[0-9]*/environ; do
	tr '\0' '\n' < "$f" 2>/dev/null | grep -q TOOLEXEC_ESCAPE_SECRET && leak="$leak $f"
done
if [ -n "$leak" ]; then echo "ESCAPED daemon secret in:$leak"; else echo "held daemon environment"; fi
