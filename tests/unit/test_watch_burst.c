/*
 * test_watch_burst.c - the configuration watcher under a burst of
 * 1500 new files that all wait in the kernel's queue (the watch thread
 * is held in the report of a first file meanwhile): every file of the
 * burst is reported, and nothing else.  (It once kept at most 1024
 * files pending and lost the rest.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"
#include "testlib.h"

#define NFILES 1500

static char dir[64];

struct seen {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool gate_reached, gate_open;
	unsigned char hit[NFILES];
	size_t distinct, others;
};

static void on_change(void *ctx, const char *path)
{
	struct seen *s = ctx;
	size_t dl = strlen(dir);
	unsigned i;
	int end = 0;

	pthread_mutex_lock(&s->lock);
	if (!strncmp(path, dir, dl) && !strcmp(path + dl, "/gate.json")) {
		/* Holds the watch thread until the burst is queued. */
		s->gate_reached = true;
		pthread_cond_broadcast(&s->cond);
		while (!s->gate_open)
			pthread_cond_wait(&s->cond, &s->lock);
	} else if (!strncmp(path, dir, dl) &&
		   sscanf(path + dl, "/f%u.json%n", &i, &end) == 1 &&
		   path[dl + (size_t)end] == '\0' && i < NFILES) {
		if (!s->hit[i]++)
			s->distinct++;
	} else {
		s->others++;
	}
	pthread_mutex_unlock(&s->lock);
}

static size_t distinct(struct seen *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->distinct;
	pthread_mutex_unlock(&s->lock);
	return n;
}

static bool gate_reached(struct seen *s)
{
	bool r;

	pthread_mutex_lock(&s->lock);
	r = s->gate_reached;
	pthread_mutex_unlock(&s->lock);
	return r;
}

static void touch(const char *name)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
}

static void test_queued_burst(void **state)
{
	struct seen s = { .lock = PTHREAD_MUTEX_INITIALIZER,
			  .cond = PTHREAD_COND_INITIALIZER };
	struct tx_config_watch *w;
	char err[256], name[32];

	(void)state;
	w = tx_config_watch_new(dir, on_change, &s, err, sizeof(err));
	assert_non_null(w);
	touch("gate.json");
	assert_eventually(gate_reached(&s));
	for (int i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "f%d.json", i);
		touch(name);
	}
	pthread_mutex_lock(&s.lock);
	s.gate_open = true;
	pthread_cond_broadcast(&s.cond);
	pthread_mutex_unlock(&s.lock);
	assert_eventually(distinct(&s) == NFILES);
	tx_config_watch_free(w);
	assert_int_equal(s.others, 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/txwburstXXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *argv[] = { "rm", "-rf", dir, NULL };
	pid_t pid = fork();

	(void)state;
	if (pid == 0) {
		execvp("rm", argv);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_queued_burst, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
