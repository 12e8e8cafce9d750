#!/bin/bash
# mount(8) and /etc/fstab, through mount.fuse3: `mount -t fuse.toolexecfs
# SOURCE MNT -o OPTS` runs `toolexecfs SOURCE MNT -o OPTS` (found on
# mount's own PATH, /usr/local/bin included, once installed), the source
# being the configuration directory, or "toolexecfs" for the embedded
# default.  Uninstalled, the type `fuse` with the source PROGRAM#SOURCE
# names the program by its path.  The fstab line is tried with a private
# fstab file (mount -T), never the machine's; mount.fuse3 is called
# directly for the fuse.toolexecfs form, since mount(8) resets PATH.
. "$(dirname "$0")/lib.sh"
need_fuse
command -v mount.fuse3 >/dev/null || fail "mount.fuse3 (fuse3) is not installed"
export PATH="$BUILD:$PATH" # for mount.fuse3 called directly
D=$TMP/conf
mkdir -p "$D" "$TMP/m1" "$TMP/m2" "$TMP/m3"
cat > "$D/good.json" <<'JSON'
{"tools": [{"namespace": "mine", "name": "today",
  "description": "Prints today's date.", "input_schema": {"type": "object"},
  "command": ["date", "+%F"], "stdin": "none", "timeout_ms": 5000}]}
JSON
at_exit "umount -l '$TMP/m1' '$TMP/m2' '$TMP/m3'"
# It runs in the background (daemon), so wait for the tree, not the start.
tree_up() { wait_until test -e "$1/tools/$2"; }

mount -t fuse -o job_keep_max=7 "$TOOLEXECFS#$D" "$TMP/m1" || fail "mount -t fuse"
tree_up "$TMP/m1" mine/today/doc
assert_eq "$(date +%F)" "$(echo '{}' > "$TMP/m1/tools/mine/today/call" &&
	cat "$TMP/m1/tools/mine/today/result")" "a call through mount -t"

mount.fuse3 toolexecfs "$TMP/m2" -t fuse.toolexecfs || fail "mount.fuse3, the default"
assert_contains "$(grep "$TMP/m2" /proc/mounts)" "fuse.toolexecfs" "the type"
tree_up "$TMP/m2" builtin/echo/doc
[ -e "$TMP/m2/tools/mine" ] && fail "the embedded default has no mine/"

printf '%s#%s %s fuse noauto,job_keep_max=7 0 0\n' "$TOOLEXECFS" "$D" "$TMP/m3" > "$TMP/fstab"
mount -T "$TMP/fstab" "$TMP/m3" || fail "mount through an fstab line"
tree_up "$TMP/m3" mine/today/doc

# A bad option is refused by the program, and mount says so.
mkdir -p "$TMP/m4"
if mount -t fuse -o wait_max=0 "$TOOLEXECFS#$D" "$TMP/m4" 2> "$TMP/err"; then
	umount "$TMP/m4"
	fail "wait_max=0 accepted"
fi
assert_contains "$(cat "$TMP/err")" "bad -o" "the reason"
# Both -c and a source: refused.
rc=0
"$TOOLEXECFS" -c "$D" "$D" "$TMP/m4" 2> "$TMP/err" || rc=$?
assert_eq 2 "$rc" "-c and a source"
assert_contains "$(cat "$TMP/err")" "name a configuration" "why"

for m in m1 m2 m3; do
	umount "$TMP/$m" || fail "umount $m"
done

# make install puts both programs, the sandbox helper and both man pages
# under PREFIX.
make -s -C "$top" BUILD="$BUILD" DESTDIR="$TMP/dest" PREFIX=/usr/local install >/dev/null ||
	fail "make install"
for f in bin/toolexec bin/toolexecfs bin/toolexec-sandbox; do
	[ -x "$TMP/dest/usr/local/$f" ] || fail "$f not installed"
done
for f in toolexec.1 toolexecfs.1; do
	[ -f "$TMP/dest/usr/local/share/man/man1/$f" ] || fail "$f not installed"
done
