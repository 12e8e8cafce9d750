/*
 * engine_start - start the engine on a configuration directory, and no
 * more.
 *
 *   engine_start DIR
 *
 * Starts the engine as `toolexec -c DIR` does (tx_engine_new, no watch,
 * its files read on a thread per CPU), prints the number of tools it
 * serves, and ends the process at once: teardown is not start-up.  Run
 * under valgrind's cachegrind it gives the instructions of a whole
 * start, process start-up included, a count that a busy machine does
 * not move (tests/integration/t0700-scale-startup.sh).
 */
#include <stdio.h>
#include <unistd.h>

#include "toolexecfs/toolexec.h"

int main(int argc, char **argv)
{
	struct tx_engine_options opts = { 0 };
	struct tx_toolset *set;
	struct tx_engine *e;
	char err[1024];

	if (argc != 2) {
		fprintf(stderr, "usage: engine_start DIR\n");
		return 2;
	}
	opts.config_dir = argv[1];
	e = tx_engine_new(&opts, err, sizeof(err));
	if (!e) {
		fprintf(stderr, "engine_start: %s: %s\n", argv[1], err);
		return 1;
	}
	set = tx_engine_tools(e);
	printf("%zu\n", tx_toolset_count(set));
	tx_toolset_unref(set);
	if (fflush(stdout))
		return 1;
	_exit(0);
}
