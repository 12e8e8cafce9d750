/*
 * test_code_backstop.c - a sandbox helper that outlives its run's
 * timeout and ignores every request to stop (a stand-in that ignores
 * SIGTERM, SIGINT, SIGHUP, SIGUSR1 and SIGUSR2 and never exits) is
 * still ended by the engine's backstop, which kills it: the run ends
 * with no exit code and says how the helper died, and its job with it.
 * Without the backstop the run would hang as long as the helper lives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "toolexecfs/toolexec.h"
#include "util/jsonu.h"

/* The backstop acts 10 s after the timeout and kills 5 s later: this
 * is far more, for a loaded machine, and still fails a hang. */
#define WAIT_MS 120000

static char dir[64], helper[128], cfg[128];

struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool woken;
};

static void on_event(struct tx_run *run, void *ctx)
{
	struct waiter *w = ctx;

	(void)run;
	pthread_mutex_lock(&w->lock);
	w->woken = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static bool wait_end(struct tx_run *run)
{
	struct waiter w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			    false };
	struct timespec ts;
	uint64_t id;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += WAIT_MS / 1000;
	id = tx_run_listen(run, TX_RUN_RESULT, UINT64_MAX, on_event, &w);
	if (id) {
		pthread_mutex_lock(&w.lock);
		while (!w.woken &&
		       pthread_cond_timedwait(&w.cond, &w.lock, &ts) == 0)
			;
		pthread_mutex_unlock(&w.lock);
		tx_run_unlisten(run, id);
	}
	return tx_run_ended(run);
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_helper_that_never_exits(void **state)
{
	struct tx_engine_options opts = { 0 };
	struct tx_caller who = { .uid = getuid(), .pid = getpid() };
	struct tx_engine *e;
	struct tx_run *run;
	struct json_object *o, *v;
	const char *text;
	char err[512];
	size_t len;

	(void)state;
	if (geteuid() != 0)
		skip(); /* runs map to uids of their own */
	opts.config_dir = dir;
	opts.sandbox_helper = helper;
	e = tx_engine_new(&opts, err, sizeof(err));
	if (!e)
		fail_msg("engine: %s", err);
	run = tx_engine_code_start(e, "quick", "x.sh", "echo hi\n", 8, NULL, 0,
				   &who, NULL, err, sizeof(err));
	if (!run)
		fail_msg("start: %s", err);
	assert_true(wait_end(run));
	text = tx_run_result_text(run, &len);
	assert_non_null(text);
	o = tx_json_parse(text, len, 16, err, sizeof(err));
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "exit_code", &v));
	assert_int_equal(json_object_get_int(v), -1);
	assert_true(json_object_object_get_ex(o, "error", &v));
	assert_string_equal(json_object_get_string(v),
			    "the sandbox helper died of signal 9");
	json_object_put(o);
	assert_int_equal(tx_job_wait(tx_run_job(run), WAIT_MS), 0);
	assert_int_equal(tx_job_state(tx_run_job(run)), TX_JOB_ERROR);
	tx_run_unref(run);
	tx_engine_free(e);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/txbackstopXXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(helper, sizeof(helper), "%s/helper", dir);
	/* Ignored dispositions survive exec: sleep ignores them too. */
	write_text(helper,
		   "#!/bin/sh\ntrap '' TERM INT HUP USR1 USR2 QUIT\n"
		   "exec sleep 1000\n",
		   0755);
	snprintf(cfg, sizeof(cfg), "%s/a.json", dir);
	write_text(cfg,
		   "{\"codeProfiles\": {\"quick\": {\"base\": \"standard\", "
		   "\"timeout_ms\": 1, \"kill_grace_ms\": 0}}}",
		   0644);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(helper);
	unlink(cfg);
	rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_helper_that_never_exits),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
