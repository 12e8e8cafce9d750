#!/bin/bash
# The escape suite dropped the way a user would: every hostile script of
# tests/sandbox/probes/ is copied into MNT/code/PROFILE/ of a real mount,
# for standard and hardened, and judged as t2000 judges it through the
# sandbox helper (lib-probes.sh: "held"/"ESCAPED" verdicts read from
# NAME.out, the result and its limits_hit from NAME.result).  The
# profiles come from a "codeProfiles" configuration file equivalent to
# tests/sandbox/limits.json, its -short (timeout probe) and -memory
# (memory probe) variants included.  Bait as in t2000: a secret file in
# the host's /tmp, a secret in the configuration directory the daemon
# reads, a secret in the daemon's environment, listeners on the loopback
# and Unix sockets; none may be reached, and the secret appears in no
# run's output.
#
# dev is not run here: a dev run through the mount runs as the user who
# dropped it (root in the tests), whom rlimits on processes do not bind.
# t2000 keeps running the limit probes in dev through the helper, as an
# unprivileged uid.
#
# Probes that expect a limit run one at a time (they load the machine);
# the others run eight at once.  The probes name the bait of
# /tmp/toolexec-escape, which t2000 plants too: the daemon's own
# configuration is kept apart from it, under the test's directory.
. "$(dirname "$0")/lib.sh"
. "$here/lib-codefs.sh"
. "$here/lib-probes.sh"

E=/tmp/toolexec-escape
probe_bait "$E"	# exports the daemon's secret before it starts
# The daemon's own configuration directory, with the same secret as the
# bait one of $E/config.  It lives under $TMP, where nothing else reloads
# it.  One more probe looks for it by name.
CONF=$TMP/conf
mkdir -p "$CONF" "$TMP/extra"
cp "$E/config/secret.json" "$CONF/"
python3 - "$PROBE_LIMITS" "$CONF/code.json" <<'PY' || fail "writing the profiles"
import json, sys
limits = json.load(open(sys.argv[1]))
profiles = {k: v for k, v in limits.items() if k.split("-")[0] != "dev"}
json.dump({"codeProfiles": profiles}, open(sys.argv[2], "w"), indent=1)
PY
cat > "$TMP/extra/00-daemon-config.sh" <<S
# The configuration directory of the daemon serving the mount is out of
# reach.
if cat "$CONF/code.json" "$CONF/secret.json" 2>/dev/null | grep -q . ||
   [ -e "$CONF" ]; then
	echo "ESCAPED daemon config dir"
else
	echo "held daemon config dir"
fi
S
mount_config "$CONF"
assert_eq "hardened hardened-memory hardened-short standard standard-memory standard-short" \
	"$(ls "$MNT/code" | tr '\n' ' ' | sed 's/ $//')" "code/ lists the profiles of the configuration"

# run_batch ENTRY...: drops each ENTRY (PROFILE:PROBE-FILE) at once, then
# reads each run's files back and judges it.
n=0
run_batch() {
	local e prof probe name limit pname d f
	for e in "$@"; do
		prof=${e%%:*} probe=${e#*:}
		pname=$(probe_profile_name "$prof" "$(probe_limit "$probe")")
		drop "$probe" "$pname"
	done
	for e in "$@"; do
		prof=${e%%:*} probe=${e#*:}
		name=$(basename "$probe")
		limit=$(probe_limit "$probe")
		pname=$(probe_profile_name "$prof" "$limit")
		d=$MNT/code/$pname
		f=$TMP/$pname.$name
		n=$((n + 1))
		ran=0
		timeout 180 cat "$d/$name.result" > "$f.res" || ran=1
		timeout 60 cat "$d/$name.out" > "$f.out" || ran=1
		timeout 60 cat "$d/$name.err" > "$f.err" || ran=1
		probe_verdict "$f.out" "$f.err" "$f.res" "$limit" "$ran"
		if [ -z "$probe_why" ] && ! grep -qE "\"profile\": *\"$pname\"" "$f.res"; then
			probe_why="not run in $pname"
		fi
		probe_report "$prof" "$name" "$f.res" "$f.err"
		# The daemon's secrets reach no output.
		if grep -alq hunter2 "$f.out" "$f.err" "$f.res"; then
			fail "$pname $name: the secret in its output: $(grep -ah hunter2 "$f.out" "$f.err" | head -3)"
		fi
		rm -f "$d/$name" "$f.out" || fail "rm $d/$name"
	done
}

batch=()
for probe in "$TMP/extra"/* "$PROBES"/*; do
	for prof in $(probe_profiles "$probe"); do
		[ "$prof" = dev ] && continue
		if [ -n "$(probe_limit "$probe")" ]; then
			run_batch "$prof:$probe"
			continue
		fi
		batch+=("$prof:$probe")
		if [ "${#batch[@]}" -ge 8 ]; then
			run_batch "${batch[@]}"
			batch=()
		fi
	done
done
[ "${#batch[@]}" -eq 0 ] || run_batch "${batch[@]}"

probe_bait_check "$E"
echo "$n runs, $probe_bad failed"
[ "$probe_bad" -eq 0 ] || fail "$probe_bad probe runs failed"
[ "$n" -ge 122 ] || fail "only $n runs"
cd /
unmount_fs
echo ok
