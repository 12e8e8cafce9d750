#!/bin/bash
# Every file's mode says what open() allows: over the whole tree (a tool
# and the chain, a job, a query, .ctl, a code run's drop, its outputs
# and what it left in .work/, when the sandbox can run), a file opens for reading exactly
# when its owner's read bit is set, and for writing exactly when the
# write bit is.  Each kind of node declares its mode and its operations
# in one row (src/fs); a row whose two disagree fails here.  Opening
# without reading or writing starts nothing.
. "$(dirname "$0")/lib.sh"
mount_default
cd "$MNT" || fail "cd $MNT"
n=$(cat tools/builtin/echo/clone) || fail "clone"
ls 'search/echo the arguments' >/dev/null || fail "search"
# A finished code run, with a file and a directory left in /work (runs
# get uids of their own: only as root).
code=""
if [ "$(id -u)" -eq 0 ] && [ -x "$BUILD/toolexec-sandbox" ]; then
	code=code/standard/w.sh
	chmod 0755 "$TMP"
	printf 'mkdir /work/d\necho hi > /work/d/f\necho out\necho err >&2\n' > "$TMP/w.sh"
	cp "$TMP/w.sh" code/standard/ || fail "drop w.sh"
	timeout 60 cat "$code.result" > "$TMP/w.res" || fail "w.sh.result"
	grep -q '"exit_code": 0,' "$TMP/w.res" || fail "w.sh: $(cat "$TMP/w.res")"
fi
python3 - "$MNT" "jobs/$n" "$code" <<'PY' || fail "modes and open() disagree"
import errno, os, stat, sys
root, job, code = sys.argv[1], sys.argv[2], sys.argv[3]
# search/QUERY/ is not listed in search/, nor a job nobody started in
# jobs/: walk them by name too.
tops = [root, os.path.join(root, "search", "echo the arguments"),
        os.path.join(root, job)]
seen, bad = set(), []
for top in tops:
    for d, dirs, files in os.walk(top):
        for f in files:
            p = os.path.join(d, f)
            st = os.lstat(p)
            if not stat.S_ISREG(st.st_mode) or p in seen:
                continue
            seen.add(p)
            for flag, bit in ((os.O_RDONLY, stat.S_IRUSR),
                              (os.O_WRONLY, stat.S_IWUSR)):
                try:
                    os.close(os.open(p, flag))
                    opened = True
                except OSError as e:
                    if e.errno != errno.EACCES:
                        raise
                    opened = False
                if opened != bool(st.st_mode & bit):
                    bad.append((os.path.relpath(p, root), oct(st.st_mode), flag))
rel = {os.path.relpath(p, root) for p in seen}
for must in ("README", "tools/INDEX", "tools/builtin/INDEX",
             "tools/builtin/echo/call", "tools/builtin/echo/doc",
             "chain/call", "chain/doc", job + "/cancel", job + "/stream", job + "/task",
             "search/query", "search/echo the arguments/results.json",
             ".ctl/reload", ".ctl/log", ".ctl/stats", ".ctl/pending",
             "resources/INDEX"):
    assert must in rel, ("not walked", must)
for must in ((code, code + ".out", code + ".err", code + ".result",
              code + ".work/d/f") if code else ()):
    assert must in rel, ("not walked", must)
assert not bad, bad
print(len(seen), "files")
PY
# Nothing was started or reloaded by the opens.
assert_eq new "$(cat jobs/$n/status)" "the cloned job"
assert_eq ENODATA "$(read_errno tools/builtin/echo/result)" "no call made"
if [ -n "$code" ]; then
	assert_eq "$(cat "$TMP/w.res")" "$(cat "$code.result")" "the drop opened for writing ran nothing"
	assert_eq out "$(cat "$code.out")" "w.sh.out"
fi
cd /
unmount_fs
echo ok
