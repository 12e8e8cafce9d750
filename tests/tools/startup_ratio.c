/*
 * startup_ratio - how the engine's start-up grows with the tool set.
 *
 *   startup_ratio SMALL_DIR LARGE_DIR REPS [LIMIT [SECONDS]]
 *
 * Starts the engine (tx_engine_new, no watch) on each configuration
 * directory REPS times, alternating, and takes the least CPU time of the
 * process for each: the engine reads its files on a thread per CPU, and
 * CPU time (all of them) with the best of a few runs resists a busy
 * machine far better than wall time.  Teardown is not start-up and is
 * not timed.
 * Each start runs in a child process of its own, so that no run finds
 * the heap another left behind (a small run after a large one would pay
 * no page faults at all).  One sample of the small directory is K
 * starts in a row, K the ratio of the tool counts (rounded), and the
 * ratio reported is K times small over large: so both samples last about
 * as long and meet a busy machine's quiet and loud moments alike (the
 * best of many short runs is luckier than the best of a few long ones).
 * With LIMIT, it stops after 3 repetitions or more once the ratio of the
 * bests is at most LIMIT: more repetitions only bring each best closer
 * to the true cost, so stopping early changes no verdict a longer run
 * would give, and a quiet machine finishes sooner.
 * With SECONDS, it starts no new repetition past that much wall time
 * (after 3 at least), so that a test on a machine loaded many times
 * over still ends within its own time limit, with fewer samples.
 * Prints "small_tools=N small_ms=T large_tools=N large_ms=T ratio=R
 * reps=K".
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "toolexecfs/toolexec.h"

static double wall_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
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

	t0 = cpu_ms();
	e = tx_engine_new(&opts, err, sizeof(err));
	t1 = cpu_ms();
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

/* start_once in a child: as start_once. */
static double start_child(const char *dir, size_t *n)
{
	struct {
		double ms;
		size_t n;
	} r = { -1, 0 };
	int fds[2], st;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		r.ms = start_once(dir, &r.n);
		_exit(write(fds[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(fds[1]);
	if (read(fds[0], &r, sizeof(r)) != sizeof(r))
		r.ms = -1;
	close(fds[0]);
	waitpid(pid, &st, 0);
	*n = r.n;
	return r.ms;
}

int main(int argc, char **argv)
{
	double best[2] = { 1e300, 1e300 };
	size_t n[2] = { 0, 0 };
	int reps;

	double limit = 0, seconds = 0, start = wall_s();
	int r, times = 1;
	bool calibrated = false;

	if (argc < 4 || argc > 6 || (reps = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: startup_ratio SMALL_DIR LARGE_DIR REPS "
				"[LIMIT [SECONDS]]\n");
		return 2;
	}
	if (argc >= 5)
		limit = atof(argv[4]);
	if (argc == 6)
		seconds = atof(argv[5]);
	for (r = 0; r < reps; r++) {
		if (limit > 0 && r >= 3 && best[1] * times / best[0] <= limit)
			break;
		if (seconds > 0 && r >= 3 && wall_s() - start > seconds)
			break;
		for (int k = 0; k < 2; k++) {
			int runs = k == 0 ? times : 1;
			double sum = 0;

			for (int i = 0; i < runs; i++) {
				double ms = start_child(argv[1 + k], &n[k]);

				if (ms < 0)
					return 1;
				sum += ms;
			}
			if (!calibrated && k == 1) {
				calibrated = true;
				/* Now the counts are known: K, once. */
				times = (int)((double)n[1] / (double)n[0] +
					      0.5);
				if (times < 1)
					times = 1;
				best[0] = 1e300; /* the first small sample was 1
						    run */
				r = -1; /* and this round does not count */
				break;
			}
			if (sum < best[k])
				best[k] = sum;
		}
	}
	printf("small_tools=%zu small_ms=%.1f large_tools=%zu large_ms=%.1f "
	       "ratio=%.2f reps=%d\n",
	       n[0], best[0] / times, n[1], best[1], best[1] * times / best[0],
	       r);
	return 0;
}
