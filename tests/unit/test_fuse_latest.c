/*
 * test_fuse_latest.c - the shell-style "latest call" index of the FUSE
 * layer (src/fs/session.c) at its bound: it keeps at most 16384
 * entries, drops the least recently used one to take another, and a
 * session whose entry was dropped falls back to its user's latest call.
 */
#include "fuse_harness.h"

static int setup(void **state)
{
	return harness_setup(state, "test_fuse_latest");
}

static int teardown(void **state)
{
	return harness_teardown(state);
}

static struct tx_job *job(struct harness *t, const struct tx_caller *c)
{
	char err[256];
	struct tx_job *j = tx_engine_job_new(t->fs.engine, "builtin:echo", c,
					     err, sizeof(err));

	if (!j)
		fail_msg("no job: %s", err);
	return j;
}

static void test_least_recent_dropped(void **state)
{
	struct harness *t = *state;
	struct tx_caller c = { .uid = getuid(), .pid = getpid(), .sid = 1 };
	struct tx_job *a, *b, *got;
	char ida[32], idb[32];

	a = job(t, &c);
	b = job(t, &c);
	snprintf(ida, sizeof(ida), "%s", tx_job_id(a));
	snprintf(idb, sizeof(idb), "%s", tx_job_id(b));
	fs_latest_set(&t->fs, "builtin:echo", &c, ida);
	got = fs_latest_get(&t->fs, "builtin:echo", &c);
	assert_non_null(got);
	assert_string_equal(tx_job_id(got), ida);
	tx_job_unref(got);

	/* 16384 other sessions of the same user call the tool: with the
	 * user's own entry that is one more than the index holds, and
	 * session 1's entry is the least recently used. */
	for (pid_t sid = 2; sid <= 16385; sid++) {
		c.sid = sid;
		fs_latest_set(&t->fs, "builtin:echo", &c, idb);
	}
	c.sid = 16385;
	got = fs_latest_get(&t->fs, "builtin:echo", &c);
	assert_non_null(got);
	assert_string_equal(tx_job_id(got), idb);
	tx_job_unref(got);
	/* Session 1 now gets its user's latest call, not its own. */
	c.sid = 1;
	got = fs_latest_get(&t->fs, "builtin:echo", &c);
	assert_non_null(got);
	assert_string_equal(tx_job_id(got), idb);
	tx_job_unref(got);
	/* Another user has nothing, whatever the session. */
	c.uid = getuid() + 1;
	assert_null(fs_latest_get(&t->fs, "builtin:echo", &c));
	tx_job_unref(a);
	tx_job_unref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_least_recent_dropped,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
