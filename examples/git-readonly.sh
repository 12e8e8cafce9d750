#!/bin/sh
# git-readonly.sh REPO GIT-ARGUMENTS...
#
# Runs `git -C REPO GIT-ARGUMENTS...` (used by git-tools.json) so that
# nothing a repository's own configuration names is run.  A repository
# you are handed may carry a .git/config and .gitattributes of its own,
# and git runs the programs they name: filter drivers (clean on every
# `status` or `diff` that reads a changed file, smudge, process), the
# fsmonitor hook, hooks, signature verifiers.  These are switched off:
#
#   filter.<driver>.*    every driver that any configuration defines is
#                        emptied by name (git has no switch for "all
#                        drivers", and `-c` cannot name one whose name
#                        holds '=', so the overrides go through
#                        GIT_CONFIG_KEY_n/GIT_CONFIG_VALUE_n);
#   core.fsmonitor       false;
#   core.hooksPath       /dev/null (none of these subcommands runs a
#                        hook, and nothing here writes the index);
#   log.showSignature,   false, and every gpg.*.program is `false`, so
#   gpg.program          no verifier a repository names can run;
#   status.submoduleSummary  false.
#
# What the subcommands must say themselves (git-tools.json does):
# --no-ext-diff and --no-textconv for diff and show (external diff and
# textconv programs), --ignore-submodules=all where the working tree is
# read (a submodule's own configuration would apply inside it), and
# --submodule=short for show.  GIT_CONFIG_NOSYSTEM=1 leaves the system
# configuration out; GIT_OPTIONAL_LOCKS=0 keeps `status` from writing
# the index; GIT_TERMINAL_PROMPT=0 keeps git from asking for anything.
set -eu
if [ $# -lt 2 ]; then
	echo "usage: git-readonly.sh REPO GIT-ARGUMENTS..." >&2
	exit 2
fi
repo=$1
shift
unset GIT_CONFIG_PARAMETERS GIT_DIR GIT_WORK_TREE GIT_EXTERNAL_DIFF \
	GIT_PAGER GIT_ASKPASS GIT_SSH GIT_SSH_COMMAND
export GIT_CONFIG_NOSYSTEM=1 GIT_OPTIONAL_LOCKS=0 GIT_TERMINAL_PROMPT=0

n=0
set_config() { # KEY VALUE
	export "GIT_CONFIG_KEY_$n=$1" "GIT_CONFIG_VALUE_$n=$2"
	n=$((n + 1))
}

# Every filter driver defined anywhere, as git itself sees the
# configuration from the repository (includes and all).  Names cannot
# hold a newline; they may hold anything else, '.' and '=' too.
drivers=$(git -C "$repo" config --name-only --get-regexp '^filter\.' \
		2>/dev/null | sed -n 's/^filter\.\(.*\)\.[^.]*$/\1/p' | sort -u) ||
	drivers=""
while IFS= read -r name; do
	[ -n "$name" ] || continue
	set_config "filter.$name.clean" ""
	set_config "filter.$name.smudge" ""
	set_config "filter.$name.process" ""
	set_config "filter.$name.required" false
done <<EOF
$drivers
EOF
set_config core.fsmonitor false
set_config core.hooksPath /dev/null
set_config log.showSignature false
set_config gpg.program false
set_config gpg.openpgp.program false
set_config gpg.ssh.program false
set_config gpg.x509.program false
set_config status.submoduleSummary false
export GIT_CONFIG_COUNT=$n

exec git --no-pager -C "$repo" "$@"
