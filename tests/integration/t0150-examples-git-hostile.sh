#!/bin/bash
# examples/git-tools.json run no code from the repository they look at.
# A hostile repository names programs in every place git would run one
# for these subcommands: filter drivers in .gitattributes and in
# .git/info/attributes (clean, smudge, process; one whose name holds
# '=' and '.'), textconv and external diff drivers, fsmonitor, hooks,
# pagers, a signature verifier with log.showSignature and a signed
# commit, and a nested repository with a filter of its own.  Each of
# those programs would append to a marker file.  Plain git does run
# them (checked first); no git tool does, whatever its arguments.
. "$(dirname "$0")/lib.sh"
command -v git >/dev/null || skip "git is not installed"
ex=$top/examples
mkdir -p "$TMP/cfg"
cp "$ex/git-tools.json" "$ex/git-readonly.sh" "$TMP/cfg/"
tx() { "$TOOLEXEC" -c "$TMP/cfg" "$@"; }

export GIT_AUTHOR_NAME=Eve GIT_AUTHOR_EMAIL=eve@example.org
export GIT_COMMITTER_NAME=Eve GIT_COMMITTER_EMAIL=eve@example.org
marker=$TMP/marker
evil=$TMP/evil.sh
# Notes that it ran (with its arguments, which say in what role), then
# behaves like a filter (stdin to stdout) or a textconv (a file to
# stdout).
{
	echo '#!/bin/sh'
	echo "echo \"ran: \$*\" >> '$marker'"
	echo 'case $1 in textconv) exec cat "$2" ;; esac'
	echo 'exec cat'
} > "$evil"
chmod +x "$evil"

repo=$TMP/repo
git init -q -b main "$repo" || fail "git init"
cd "$repo" || fail "cd $repo"
printf 'one\n' > a.txt
printf 'notes\n' > b.md
printf 'eq\n' > c.txt
printf '* filter=evil diff=evil\nc.txt filter=x=y.z\n' > .gitattributes
git add . && git commit -q -m "first commit" || fail "commit 1"
printf 'two\n' > a.txt
git add a.txt && git commit -q -m "second commit" || fail "commit 2"
# A signed commit on top: the signature is made up, verifying it is what
# would run the verifier.
tree=$(git rev-parse 'HEAD^{tree}')
parent=$(git rev-parse HEAD)
signed=$(printf '%s\n' "tree $tree" "parent $parent" \
	"author Eve <eve@example.org> 1700000000 +0000" \
	"committer Eve <eve@example.org> 1700000000 +0000" \
	"gpgsig -----BEGIN PGP SIGNATURE-----" " " \
	" iQEzBAABCAAdFiEEAAAAAAAAAAAAAAAAAAAAAAAAAAAFAmVXYQAACgkQAAAAAAAA" \
	" =AAAA" " -----END PGP SIGNATURE-----" "" "signed commit" |
	git hash-object -t commit -w --stdin) || fail "signed commit"
git update-ref refs/heads/main "$signed" || fail "update-ref"
# A nested repository with a filter of its own.
git init -q -b main sub && printf 'x\n' > sub/f.txt &&
	printf '* filter=subevil\n' > sub/.gitattributes &&
	git -C sub add . && git -C sub commit -q -m sub || fail "nested repository"
git -C sub config filter.subevil.clean "$evil clean-in-sub"
git add sub 2>/dev/null && git commit -q -m "with sub" || fail "commit sub"

# The hostile configuration (set after the commits, which it would
# disturb).
git config filter.evil.clean "$evil clean"
git config filter.evil.smudge "$evil smudge"
git config filter.evil.required true
git config 'filter.x=y.z.clean' "$evil clean-x=y.z"
git config filter.info.process "$evil process"
printf '*.md filter=info\n' > .git/info/attributes
git config diff.evil.textconv "$evil textconv"
git config diff.evil.command "$evil diff-command"
git config diff.external "$evil diff-external"
git config diff.submodule diff
git config core.fsmonitor "$evil"
git config core.pager "$evil"
for c in status log diff show branch; do git config "pager.$c" "$evil"; done
git config log.showSignature true
git config gpg.program "$evil"
git config status.submoduleSummary true
mkdir -p "$TMP/hooks"
for h in post-index-change post-checkout pre-commit reference-transaction; do
	cp "$evil" ".git/hooks/$h"
	cp "$evil" "$TMP/hooks/$h"
done
git config core.hooksPath "$TMP/hooks"
# Changes in the working tree, each the same size as before, with an old
# time stamp: git must read the files, through their filters, to know.
printf 'TWO\n' > a.txt
printf 'NOTES\n' > b.md
printf 'EQ\n' > c.txt
printf 'X\n' > sub/f.txt
touch -d '2001-01-01' a.txt b.md c.txt sub/f.txt
cd / || fail "cd /"

# Plain git runs the repository's programs: the repository is hostile.
git -C "$repo" status --short >/dev/null 2>&1
git -C "$repo" log -n 3 >/dev/null 2>&1
git -C "$repo" diff >/dev/null 2>&1
[ -s "$marker" ] || fail "the hostile repository ran nothing under plain git"
for what in "ran: clean" "ran: clean-x=y.z" "ran: clean-in-sub" "ran: process" "--verify"; do
	grep -q -- "$what" "$marker" ||
		fail "plain git did not run the $what program: $(cat "$marker")"
done
rm -f "$marker"

call() { # TOOL ARGS-JSON: sets $out; a tool error fails the test, and
	  # so does any program of the repository's that it ran
	tx call "$1" "$2" >"$TMP/out" 2>"$TMP/err" ||
		fail "$1 $2: $(cat "$TMP/err")"
	[ ! -e "$marker" ] ||
		fail "$1 $2 ran what the repository named: $(cat "$marker")"
	out=$(cat "$TMP/out")
}
call git:status "{\"repo\": \"$repo\"}"
assert_contains "$out" " M a.txt" "status sees a.txt"
assert_contains "$out" " M b.md" "status sees b.md"
assert_contains "$out" " M c.txt" "status sees c.txt"
call git:diff "{\"repo\": \"$repo\"}"
assert_contains "$out" "+TWO" "diff"
assert_contains "$out" "+EQ" "diff"
call git:diff "{\"repo\": \"$repo\", \"revision\": \"HEAD~2\", \"path\": \"a.txt\"}"
assert_contains "$out" "+TWO" "diff against a revision"
call git:log "{\"repo\": \"$repo\"}"
assert_contains "$out" "signed commit" "log"
call git:log "{\"repo\": \"$repo\", \"path\": \"a.txt\", \"max_count\": 5}"
assert_contains "$out" "second commit" "log path"
call git:show "{\"repo\": \"$repo\", \"revision\": \"HEAD~1\"}"
assert_contains "$out" "signed commit" "show the signed commit"
call git:show "{\"repo\": \"$repo\"}"
assert_contains "$out" "Subproject commit" "show a submodule change"
call git:show "{\"repo\": \"$repo\", \"revision\": \"HEAD~2\"}"
assert_contains "$out" "+two" "show a patch"
call git:branches "{\"repo\": \"$repo\"}"
assert_contains "$out" "* main" "branches"
[ ! -e "$marker" ] || fail "a git tool ran a program the repository named: $(cat "$marker")"
echo ok
