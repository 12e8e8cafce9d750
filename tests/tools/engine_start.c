/*
 * engine_start - start the engine on configuration directories, and no
 * more.
 *
 *   engine_start DIR...
 *
 * For each DIR in turn, a child process starts the engine as `toolexec
 * -c DIR` does (tx_engine_new, no watch, its files read on a thread per
 * CPU), prints "PID TOOLS" (its process ID and the number of tools it
 * serves) and ends at once: teardown is not start-up.  Run under
 * valgrind's cachegrind (--log-file=...%p), each child's log gives the
 * instructions of a start, a count that a busy machine does not move
 * (tests/integration/t0700-scale-startup.sh).
 *
 * json-c hashes object keys with a seed it draws once per process, and
 * whether two keys of an object collide depends on it: the same keys
 * recur in every tool, so a start's count moves with the seed by a
 * percent or two.  The parent makes json-c draw its seed before the
 * first fork, so that every DIR is started with the same one and the
 * counts compare like with like.  Each child's count includes the
 * parent's (its start and that one parse), the same for every DIR.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "toolexecfs/toolexec.h"

static void start(const char *dir)
{
	struct tx_engine_options opts = { 0 };
	struct tx_toolset *set;
	struct tx_engine *e;
	char err[1024];

	opts.config_dir = dir;
	e = tx_engine_new(&opts, err, sizeof(err));
	if (!e) {
		fprintf(stderr, "engine_start: %s: %s\n", dir, err);
		_exit(1);
	}
	set = tx_engine_tools(e);
	printf("%ld %zu\n", (long)getpid(), tx_toolset_count(set));
	tx_toolset_unref(set);
	_exit(fflush(stdout) ? 1 : 0);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: engine_start DIR...\n");
		return 2;
	}
	/* The first key hashed draws json-c's seed. */
	json_object_put(json_tokener_parse("{\"seed\": 0}"));
	if (fflush(stdout))
		return 1;
	for (int i = 1; i < argc; i++) {
		pid_t pid = fork();
		int st;

		if (pid < 0) {
			perror("engine_start: fork");
			return 1;
		}
		if (pid == 0)
			start(argv[i]);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			return 1;
	}
	return 0;
}
