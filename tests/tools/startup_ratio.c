/*
 * startup_ratio - how the engine's start-up grows with the tool set.
 *
 *   startup_ratio SMALL_DIR LARGE_DIR REPS
 *
 * Starts the engine (tx_engine_new, no watch) on each configuration
 * directory REPS times, alternating, and takes the least CPU time of the
 * starting thread for each: the engine loads every file on that thread,
 * and CPU time with the best of a few runs resists a busy machine far
 * better than wall time.  Teardown is not start-up and is not timed.
 * Prints "small_tools=N small_ms=T large_tools=N large_ms=T ratio=R".
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "toolexecfs/toolexec.h"

static double thread_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* One start: CPU milliseconds, and the tool count in *n; < 0 on error. */
static double start_once(const char *dir, size_t *n)
{
	struct tx_engine_options opts = { .config_dir = dir };
	struct tx_toolset *set;
	struct tx_engine *e;
	char err[1024];
	double t0, t1;

	t0 = thread_ms();
	e = tx_engine_new(&opts, err, sizeof(err));
	t1 = thread_ms();
	if (!e) {
		fprintf(stderr, "startup_ratio: %s: %s\n", dir, err);
		return -1;
	}
	set = tx_engine_tools(e);
	*n = tx_toolset_count(set);
	tx_toolset_unref(set);
	tx_engine_free(e);
	return t1 - t0;
}

int main(int argc, char **argv)
{
	double best[2] = { 1e300, 1e300 };
	size_t n[2] = { 0, 0 };
	int reps;

	if (argc != 4 || (reps = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: startup_ratio SMALL_DIR LARGE_DIR REPS\n");
		return 2;
	}
	for (int r = 0; r < reps; r++)
		for (int k = 0; k < 2; k++) {
			double ms = start_once(argv[1 + k], &n[k]);

			if (ms < 0)
				return 1;
			if (ms < best[k])
				best[k] = ms;
		}
	printf("small_tools=%zu small_ms=%.1f large_tools=%zu large_ms=%.1f "
	       "ratio=%.2f\n",
	       n[0], best[0], n[1], best[1], best[1] / best[0]);
	return 0;
}
