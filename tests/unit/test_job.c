/*
 * test_job.c - jobs: every state change, results, errors, cancel,
 * timeouts, listeners, the stream and concurrent waiters.
 */
#include <errno.h>

#include "testlib.h"

static struct tx_job *call(struct tx_engine *e, const char *tool,
			   const char *args)
{
	char err[512];
	struct tx_job *job =
		tx_engine_call(e, tool, args, NULL, err, sizeof(err));

	if (!job)
		fail_msg("%s: %s", tool, err);
	return job;
}

static void test_ok(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct tx_job *job = call(e, "test:ok", "{\"n\":1}");
	size_t len;

	(void)state;
	assert_int_equal(tx_job_wait(job, TEST_WAIT_MS), 0);
	assert_int_equal(tx_job_state(job), TX_JOB_OK);
	assert_int_equal(tx_job_errno(job), 0);
	assert_string_equal(tx_job_result_text(job, &len), "ok\n");
	assert_int_equal(len, 3);
	assert_string_equal(tx_job_error_text(job, NULL), "");
	assert_non_null(
		strstr(tx_job_envelope_text(job, NULL), "\"status\": \"ok\""));
	assert_string_equal(tx_job_args_text(job), "{\"n\":1}");
	tx_job_unref(job);
	tx_engine_free(e);
}

static void test_new_then_start(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	char err[256];
	struct tx_job *job =
		tx_engine_job_new(e, "test:ok", NULL, err, sizeof(err));

	(void)state;
	assert_non_null(job);
	assert_int_equal(tx_job_state(job), TX_JOB_NEW);
	assert_null(tx_job_args_text(job));
	assert_null(tx_job_result_text(job, NULL));
	assert_int_equal(tx_job_errno(job), -EAGAIN);
	assert_int_equal(tx_job_start(job, "{}", 2), 0);
	assert_int_equal(tx_job_state(job), TX_JOB_OK);
	assert_int_equal(tx_job_start(job, "{}", 2), -EALREADY);
	tx_job_unref(job);
	tx_engine_free(e);
}

static void test_is_error(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct tx_job *job = call(e, "test:fail", "{}");

	(void)state;
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	/* isError still delivers its content. */
	assert_int_equal(tx_job_errno(job), 0);
	assert_string_equal(tx_job_result_text(job, NULL), "it failed\n");
	assert_non_null(strstr(tx_job_error_text(job, NULL), "it failed"));
	assert_non_null(
		strstr(tx_job_envelope_text(job, NULL), "\"isError\": true"));
	tx_job_unref(job);
	tx_engine_free(e);
}

static void test_crash(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct tx_job *job = call(e, "test:crash", "{}");

	(void)state;
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	assert_int_equal(tx_job_errno(job), EIO);
	assert_non_null(strstr(tx_job_error_text(job, NULL), "crashed"));
	tx_job_unref(job);
	tx_engine_free(e);
}

static void test_invalid_args(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct tx_job *job;
	char err[256];

	(void)state;
	job = tx_engine_job_new(e, "test:ok", NULL, err, sizeof(err));
	assert_int_equal(tx_job_start(job, "{\"n\":\"3\"}", 9), -EINVAL);
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	assert_int_equal(tx_job_errno(job), EINVAL);
	assert_non_null(strstr(tx_job_error_text(job, NULL), "/n"));
	tx_job_unref(job);

	job = tx_engine_job_new(e, "test:ok", NULL, err, sizeof(err));
	assert_int_equal(tx_job_start(job, "[1]", 3), -EINVAL);
	assert_non_null(strstr(tx_job_error_text(job, NULL), "object"));
	tx_job_unref(job);

	job = tx_engine_job_new(e, "test:ok", NULL, err, sizeof(err));
	assert_int_equal(tx_job_start(job, "{\"n\":", 5), -EINVAL);
	tx_job_unref(job);

	assert_int_equal(tx_engine_check_args(e, "test:ok", "{\"n\":2}", err,
					      sizeof(err)),
			 0);
	assert_int_equal(tx_engine_check_args(e, "test:ok", "{\"n\":2.5}", err,
					      sizeof(err)),
			 -EINVAL);
	assert_int_equal(tx_engine_check_args(e, "test:none", "{}", err,
					      sizeof(err)),
			 -ENOENT);
	assert_null(tx_engine_job_new(e, "test:none", NULL, err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	tx_engine_free(e);
}

static void test_reject(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	char err[256];
	struct tx_job *job =
		tx_engine_job_new(e, "test:ok", NULL, err, sizeof(err));

	(void)state;
	assert_int_equal(tx_job_reject(job, EFBIG, "too big"), 0);
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	assert_int_equal(tx_job_errno(job), EFBIG);
	assert_non_null(strstr(tx_job_error_text(job, NULL), "too big"));
	tx_job_unref(job);
	tx_engine_free(e);
}

/*
 * A refused write that arrives after a valid start must leave the running
 * job alone: the start won, the refusal is the loser (EALREADY).
 */
static void test_reject_running(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct tx_job *job = call(e, "test:hang", "{}");

	(void)state;
	assert_int_equal(tx_job_state(job), TX_JOB_RUNNING);
	assert_int_equal(tx_job_reject(job, EINVAL, "bad arguments"),
			 -EALREADY);
	assert_int_equal(tx_job_state(job), TX_JOB_RUNNING);
	assert_int_equal(tx_job_start(job, "{\"n\":\"x\"}", 9), -EALREADY);
	assert_int_equal(tx_job_start(job, "{", 1), -EALREADY);
	assert_int_equal(tx_job_state(job), TX_JOB_RUNNING);
	/* The outcome is the backend's, not the loser's. */
	tx_job_complete(job, tx_result_new());
	assert_int_equal(tx_job_state(job), TX_JOB_OK);
	assert_string_equal(tx_job_error_text(job, NULL), "");
	tx_job_unref(job);
	tx_engine_free(e);
}

struct racer {
	struct tx_job *job;
	pthread_barrier_t *go;
	const char *args;
	int rc;
};

static void *racer_main(void *p)
{
	struct racer *r = p;

	pthread_barrier_wait(r->go);
	r->rc = tx_job_start(r->job, r->args, strlen(r->args));
	return NULL;
}

/*
 * A valid start and a bad one race on the same cloned job, many times:
 * exactly one wins, and the job's outcome is the winner's.
 */
static void test_start_race(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	pthread_barrier_t go;
	char err[256];

	(void)state;
	pthread_barrier_init(&go, NULL, 2);
	for (int i = 0; i < 2000; i++) {
		struct tx_job *job = tx_engine_job_new(e, "test:hang", NULL,
						       err, sizeof(err));
		struct racer good = { job, &go, "{\"n\":1}", 1 };
		struct racer bad = { job, &go, "{\"n\":\"x\"}", 1 };
		pthread_t a, b;

		assert_non_null(job);
		pthread_create(&a, NULL, racer_main, &good);
		pthread_create(&b, NULL, racer_main, &bad);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
		if (good.rc == 0) {
			assert_int_equal(bad.rc, -EALREADY);
			assert_int_equal(tx_job_state(job), TX_JOB_RUNNING);
			assert_int_equal(tx_job_cancel(job), 0);
		} else {
			assert_int_equal(good.rc, -EALREADY);
			assert_int_equal(bad.rc, -EINVAL);
			assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
			assert_int_equal(tx_job_errno(job), EINVAL);
		}
		tx_job_unref(job);
	}
	pthread_barrier_destroy(&go);
	tx_engine_free(e);
}

static void test_cancel(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct tx_job *job = call(e, "test:hang", "{}");

	(void)state;
	assert_int_equal(tx_job_state(job), TX_JOB_RUNNING);
	assert_int_equal(tx_job_wait(job, 10), -ETIMEDOUT);
	assert_int_equal(tx_job_cancel(job), 0);
	assert_int_equal(tx_job_state(job), TX_JOB_CANCELLED);
	assert_int_equal(tx_job_errno(job), ECANCELED);
	assert_int_equal(test_cancels(tb), 1);
	assert_int_equal(tx_job_cancel(job), -EALREADY);
	assert_int_equal(test_cancels(tb), 1);
	/* A late completion from the backend is dropped. */
	tx_job_complete(job, tx_result_new());
	assert_int_equal(tx_job_state(job), TX_JOB_CANCELLED);
	tx_job_unref(job);
	tx_engine_free(e);
}

static void test_cancel_new(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	char err[256];
	struct tx_job *job =
		tx_engine_job_new(e, "test:hang", NULL, err, sizeof(err));

	(void)state;
	assert_int_equal(tx_job_cancel(job), 0);
	assert_int_equal(tx_job_state(job), TX_JOB_CANCELLED);
	assert_int_equal(test_cancels(tb), 0); /* it never ran */
	assert_int_equal(tx_job_start(job, "{}", 2), -EALREADY);
	tx_job_unref(job);
	tx_engine_free(e);
}

static void test_timeout(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	uint64_t t0 = tx_now_ns();
	struct tx_job *job = call(e, "test:expire", "{}");

	(void)state;
	assert_int_equal(tx_job_wait(job, TEST_WAIT_MS), 0);
	assert_true(tx_now_ns() - t0 >= 200 * 1000000ull); /* not early */
	assert_int_equal(tx_job_state(job), TX_JOB_TIMEOUT);
	assert_int_equal(tx_job_errno(job), ETIMEDOUT);
	/* The backend is told right after the job turns final (and its
	 * waiters wake), on the timer thread. */
	assert_eventually(test_cancels(tb) == 1);
	tx_job_unref(job);
	tx_engine_free(e);
}

struct waiter_arg {
	struct tx_job *job;
	_Atomic pid_t tid;
	int rc;
};

static void *waiter(void *p)
{
	struct waiter_arg *w = p;

	atomic_store(&w->tid, gettid());
	w->rc = tx_job_wait(w->job, TEST_WAIT_MS);
	return NULL;
}

static void test_concurrent_waiters(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct tx_job *job = call(e, "test:hang", "{}");
	struct waiter_arg w[16];
	pthread_t th[16];

	(void)state;
	for (int i = 0; i < 16; i++) {
		w[i].job = job;
		w[i].rc = -1;
		atomic_store(&w[i].tid, 0);
		pthread_create(&th[i], NULL, waiter, &w[i]);
	}
	/* Every waiter is asleep in its wait before the cancel wakes them
	 * all (the job lock is free then: nobody else runs). */
	for (int i = 0; i < 16; i++)
		assert_eventually(atomic_load(&w[i].tid) != 0 &&
				  test_thread_waits(atomic_load(&w[i].tid)));
	assert_int_equal(tx_job_state(job), TX_JOB_RUNNING);
	tx_job_cancel(job);
	for (int i = 0; i < 16; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].rc, 0);
	}
	tx_job_unref(job);
	tx_engine_free(e);
}

static void on_event(struct tx_job *job, void *ctx)
{
	int *count = ctx;

	(void)job;
	__atomic_add_fetch(count, 1, __ATOMIC_SEQ_CST);
}

static void test_listeners_and_stream(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct tx_job *job = call(e, "test:stream", "{}");
	int fired = 0, never = 0;
	char buf[256];
	bool eof;
	size_t n;
	uint64_t id, id2;

	(void)state;
	/* The stream already holds "a\n": a listener at 0 is satisfied. */
	assert_int_equal(tx_job_listen(job, 0, on_event, &fired), 0);
	n = tx_job_stream_read(job, 0, buf, sizeof(buf), &eof);
	assert_int_equal(n, 2);
	assert_false(eof);
	assert_memory_equal(buf, "a\n", 2);
	n = tx_job_stream_read(job, 2, buf, sizeof(buf), &eof);
	assert_int_equal(n, 0);
	assert_false(eof);
	id = tx_job_listen(job, 2, on_event, &fired);
	assert_true(id > 0);
	id2 = tx_job_listen(job, UINT64_MAX, on_event, &never);
	assert_true(tx_job_unlisten(job, id2));
	tx_job_output(job, "bc", 2);
	assert_int_equal(fired, 1); /* one-shot */
	tx_job_output(job, "d", 1);
	assert_int_equal(fired, 1);
	id = tx_job_listen(job, UINT64_MAX, on_event, &fired);
	tx_job_progress(job, 1, 4, "step");
	assert_int_equal(fired, 1); /* final only */
	tx_job_cancel(job);
	assert_int_equal(fired, 2);
	assert_false(tx_job_unlisten(job, id));
	assert_int_equal(never, 0);
	n = tx_job_stream_read(job, 0, buf, sizeof(buf) - 1, &eof);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "a\nbcdprogress 1/4 step\n"));
	assert_non_null(strstr(buf, "-- cancelled"));
	n = tx_job_stream_read(job, n, buf, sizeof(buf), &eof);
	assert_int_equal(n, 0);
	assert_true(eof);
	/* Listening on a final job registers nothing. */
	assert_int_equal(tx_job_listen(job, UINT64_MAX, on_event, &never), 0);
	tx_job_unref(job);
	tx_engine_free(e);
}

static void test_job_table(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct tx_job *a = call(e, "test:ok", "{}");
	struct tx_job *b = call(e, "test:hang", "{}");
	struct tx_job *got;
	char **ids;
	size_t n;

	(void)state;
	got = tx_engine_job_get(e, tx_job_id(a));
	assert_ptr_equal(got, a);
	tx_job_unref(got);
	assert_null(tx_engine_job_get(e, "999999"));
	assert_null(tx_engine_job_get(e, "01"));
	assert_null(tx_engine_job_get(e, "x"));
	n = tx_engine_job_ids(e, &ids);
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], tx_job_id(a));
	tx_strv_free(ids, n);
	assert_int_equal(tx_engine_job_remove(e, tx_job_id(b)), 0);
	assert_int_equal(tx_job_state(b), TX_JOB_CANCELLED);
	assert_null(tx_engine_job_get(e, tx_job_id(b)));
	assert_int_equal(tx_engine_job_remove(e, tx_job_id(b)), -ENOENT);
	tx_job_unref(a);
	tx_job_unref(b);
	tx_engine_free(e);
}

static void test_keep_policy(void **state)
{
	struct tx_engine_options opts = { .job_keep_max = 5 };
	struct tx_engine *e;
	char err[256], **ids;
	size_t n;

	(void)state;
	e = tx_engine_new(&opts, err, sizeof(err));
	assert_non_null(e);
	for (int i = 0; i < 40; i++)
		tx_job_unref(tx_engine_call(e, "builtin:echo", "{}", NULL, err,
					    sizeof(err)));
	tx_jobs_collect(e);
	n = tx_engine_job_ids(e, &ids);
	assert_int_equal(n, 5);
	assert_string_equal(ids[4], "40"); /* the newest stay */
	tx_strv_free(ids, n);
	tx_engine_free(e);
}

/* Runs n echo calls and returns the jobs collection looked at meanwhile. */
static uint64_t visits_for_calls(struct tx_engine *e, int n)
{
	uint64_t before, after;
	char err[256];

	pthread_mutex_lock(&e->jobs_lock);
	before = e->jobs.visits;
	pthread_mutex_unlock(&e->jobs_lock);
	for (int i = 0; i < n; i++) {
		struct tx_job *job = tx_engine_call(e, "builtin:echo", "{}",
						    NULL, err, sizeof(err));

		assert_non_null(job);
		assert_int_equal(tx_job_state(job), TX_JOB_OK);
		tx_job_unref(job);
	}
	pthread_mutex_lock(&e->jobs_lock);
	after = e->jobs.visits;
	pthread_mutex_unlock(&e->jobs_lock);
	return after - before;
}

/*
 * 5000 clones nobody starts must not make later calls dearer: the table
 * collects by looking at the jobs it removes only, so N calls cost the
 * same number of visits before and after the clones (one finished job
 * leaves per call once the keep limit is reached).  Before, every call
 * past 1.25 x job_keep_max looked at every job in the table.
 */
static void test_abandoned_clones_cost(void **state)
{
	struct tx_engine_options opts = { .job_keep_max = 100 };
	struct tx_engine *e;
	uint64_t before, after;
	size_t njobs, active, fresh;
	char err[256];

	(void)state;
	e = tx_engine_new(&opts, err, sizeof(err));
	assert_non_null(e);
	visits_for_calls(e, 200); /* reach the keep limit */
	before = visits_for_calls(e, 1000);
	for (int i = 0; i < 5000; i++) {
		struct tx_job *job = tx_engine_job_new(e, "builtin:echo", NULL,
						       err, sizeof(err));

		assert_non_null(job);
		tx_job_unref(job);
	}
	after = visits_for_calls(e, 1000);
	/* One per call; the timer thread's own pass, once a second, may
	 * take a call's turn. */
	assert_in_range(before, 998, 1002);
	assert_in_range(after, 998, 1002);
	tx_jobs_count(e, &njobs, &active, &fresh);
	assert_int_equal(fresh, 5000); /* the clones, still waiting */
	assert_int_equal(active, 0);   /* none queued or running */
	/* The limit is applied when the next job is made: the last call's
	 * job may be one over it. */
	assert_in_range(njobs - fresh, 100, 101);
	tx_engine_free(e);
}

static void on_final(struct tx_job *job, void *ctx)
{
	(void)job;
	__atomic_store_n((int *)ctx, 1, __ATOMIC_SEQ_CST);
}

/*
 * A clone nobody starts expires after job_new_seconds: it ends as
 * cancelled (code "expired"), its waiters wake, and it leaves jobs/.  A
 * job that was started does not expire.
 */
static void test_new_job_expires(void **state)
{
	struct tx_engine_options opts = { .job_new_seconds = 1 };
	struct tx_job *idle, *busy, *got;
	struct tx_engine *e;
	char err[256], id[24];
	int woke = 0;

	(void)state;
	e = tx_engine_new(&opts, err, sizeof(err));
	assert_non_null(e);
	idle = tx_engine_job_new(e, "builtin:echo", NULL, err, sizeof(err));
	busy = tx_engine_job_new(e, "builtin:sleep", NULL, err, sizeof(err));
	assert_non_null(idle);
	assert_non_null(busy);
	snprintf(id, sizeof(id), "%s", tx_job_id(idle));
	assert_true(tx_job_listen(idle, UINT64_MAX, on_final, &woke) > 0);
	assert_int_equal(tx_job_start(busy, "{\"seconds\":30}", 14), 0);
	/* The timer collects every second; allow it 30. */
	for (int i = 0; i < 3000 && (got = tx_engine_job_get(e, id)); i++) {
		tx_job_unref(got);
		usleep(10000);
	}
	assert_null(tx_engine_job_get(e, id));
	assert_int_equal(__atomic_load_n(&woke, __ATOMIC_SEQ_CST), 1);
	assert_int_equal(tx_job_state(idle), TX_JOB_CANCELLED);
	assert_int_equal(tx_job_errno(idle), ECANCELED);
	assert_non_null(strstr(tx_job_error_text(idle, NULL), "expired"));
	assert_non_null(
		strstr(tx_job_error_text(idle, NULL), "job_new_seconds"));
	assert_int_equal(tx_job_start(idle, "{}", 2), -EALREADY);
	/* The running job stays, though it is older than the limit too. */
	got = tx_engine_job_get(e, tx_job_id(busy));
	assert_ptr_equal(got, busy);
	tx_job_unref(got);
	assert_int_equal(tx_job_state(busy), TX_JOB_RUNNING);
	tx_job_unref(idle);
	tx_job_unref(busy);
	tx_engine_free(e);
}

/*
 * A collection must never expire a job made while it waited for the
 * job table's lock: it read the clock first, the job was made after
 * that, and an unsigned "now - created" wrapped to an age of centuries,
 * so a clone made under load was cancelled ("expired") at once.  Four
 * threads make jobs while the main thread collects; with the default
 * job_new_seconds (600) no job may expire.
 */
struct maker {
	struct tx_engine *e;
	atomic_bool *stop;
	size_t made;
};

static void *maker_main(void *arg)
{
	struct maker *m = arg;
	char err[256];

	while (!atomic_load(m->stop) && m->made < 200000) {
		struct tx_job *job = tx_engine_job_new(m->e, "builtin:echo",
						       NULL, err, sizeof(err));

		if (!job)
			break;
		m->made++;
		tx_job_unref(job);
	}
	return NULL;
}

static void test_collect_spares_jobs_made_meanwhile(void **state)
{
	struct tx_engine_options opts = { .job_keep_max = 1000000 };
	struct maker makers[4];
	pthread_t tids[4];
	atomic_bool stop = false;
	struct tx_engine *e;
	char err[256], **ids = NULL;
	size_t n, expired = 0;

	(void)state;
	e = tx_engine_new(&opts, err, sizeof(err));
	assert_non_null(e);
	for (int i = 0; i < 4; i++) {
		makers[i] = (struct maker){ .e = e, .stop = &stop };
		assert_int_equal(pthread_create(&tids[i], NULL, maker_main,
						&makers[i]),
				 0);
	}
	for (int i = 0; i < 20000; i++)
		tx_jobs_collect(e);
	atomic_store(&stop, true);
	for (int i = 0; i < 4; i++)
		pthread_join(tids[i], NULL);
	n = tx_engine_job_ids(e, &ids);
	for (size_t i = 0; i < n; i++) {
		struct tx_job *job = tx_engine_job_get(e, ids[i]);

		if (job && tx_job_state(job) != TX_JOB_NEW)
			expired++;
		tx_job_unref(job);
	}
	tx_strv_free(ids, n);
	assert_int_equal(expired, 0);
	/* And none left the table: every job made is still listed. */
	assert_int_equal(n, makers[0].made + makers[1].made + makers[2].made +
				    makers[3].made);
	tx_engine_free(e);
}

/* Lookups and listing stay right while jobs come and go in any order. */
static void test_job_table_churn(void **state)
{
	enum { N = 3000 };
	struct tx_engine_options opts = { .job_keep_max = 100000 };
	struct tx_job *jobs[N];
	bool gone[N] = { false };
	struct tx_engine *e;
	char err[256], **ids;
	size_t n, k = 0;

	(void)state;
	e = tx_engine_new(&opts, err, sizeof(err));
	assert_non_null(e);
	for (int i = 0; i < N; i++) {
		jobs[i] = tx_engine_job_new(e, "builtin:echo", NULL, err,
					    sizeof(err));
		assert_non_null(jobs[i]);
		if (i % 3 == 0)
			tx_job_start(jobs[i], "{}", 2);
	}
	srand(7);
	for (int r = 0; r < N / 2; r++) {
		int i = rand() % N;

		if (!gone[i])
			assert_int_equal(
				tx_engine_job_remove(e, tx_job_id(jobs[i])), 0);
		gone[i] = true;
	}
	for (int i = 0; i < N; i++) {
		struct tx_job *got = tx_engine_job_get(e, tx_job_id(jobs[i]));

		assert_ptr_equal(got, gone[i] ? NULL : jobs[i]);
		tx_job_unref(got);
	}
	n = tx_engine_job_ids(e, &ids);
	for (int i = 0; i < N; i++)
		if (!gone[i]) {
			assert_true(k < n);
			assert_string_equal(ids[k], tx_job_id(jobs[i]));
			k++;
		}
	assert_int_equal(k, n);
	tx_strv_free(ids, n);
	for (int i = 0; i < N; i++)
		tx_job_unref(jobs[i]);
	tx_engine_free(e);
}

static void test_stats(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	char *s;

	(void)state;
	tx_job_unref(call(e, "test:ok", "{}"));
	tx_job_unref(call(e, "test:fail", "{}"));
	s = tx_engine_stats_text(e);
	assert_non_null(strstr(s, "test:ok\t1\t0\t"));
	assert_non_null(strstr(s, "test:fail\t1\t1\t"));
	free(s);
	s = tx_engine_status_text(e);
	assert_non_null(strstr(s, "version"));
	free(s);
	s = tx_engine_log_text(e);
	assert_non_null(strstr(s, "test:fail"));
	free(s);
	tx_engine_free(e);
}

static void test_tool_removed(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct tx_job *job = call(e, "test:hang", "{}");
	char err[256];

	(void)state;
	tx_registry_set_source(e->registry, "test", NULL, 0, err, sizeof(err));
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	assert_int_equal(tx_job_errno(job), ENOENT);
	assert_non_null(strstr(tx_job_error_text(job, NULL), "removed"));
	tx_job_unref(job);
	tx_engine_free(e);
}

static void test_builtins(void **state)
{
	struct tx_engine_options opts = { 0 };
	struct tx_engine *e = tx_engine_new(&opts, (char[256]){ 0 }, 256);
	struct tx_job *job;
	const char *t;

	(void)state;
	job = call(e, "builtin:echo", "{\"x\":[1,{\"y\":null}]}");
	t = tx_job_result_text(job, NULL);
	assert_non_null(strstr(t, "\"y\": null"));
	assert_non_null(
		strstr(tx_job_envelope_text(job, NULL), "structuredContent"));
	tx_job_unref(job);
	job = call(e, "builtin:base64", "{\"text\":\"hello\"}");
	assert_string_equal(tx_job_result_text(job, NULL), "aGVsbG8=\n");
	tx_job_unref(job);
	job = call(e, "builtin:base64",
		   "{\"text\":\"aGVsbG8=\",\"mode\":\"decode\"}");
	assert_string_equal(tx_job_result_text(job, NULL), "hello\n");
	tx_job_unref(job);
	job = call(e, "builtin:json_get",
		   "{\"json\":{\"a\":[\"x\",\"y\"]},\"pointer\":\"/a/1\"}");
	assert_string_equal(tx_job_result_text(job, NULL), "y\n");
	tx_job_unref(job);
	job = call(e, "builtin:uuid", "{\"count\":3}");
	assert_int_equal(strlen(tx_job_result_text(job, NULL)), 3 * 37);
	tx_job_unref(job);
	job = call(e, "builtin:sleep", "{\"seconds\":0.05}");
	assert_int_equal(tx_job_wait(job, TEST_WAIT_MS), 0);
	assert_int_equal(tx_job_state(job), TX_JOB_OK);
	tx_job_unref(job);
	job = call(e, "builtin:sleep", "{\"seconds\":5}");
	tx_job_cancel(job);
	assert_int_equal(tx_job_state(job), TX_JOB_CANCELLED);
	tx_job_unref(job);
	/* Shutdown with a sleeper running must not wait for it. */
	job = call(e, "builtin:sleep", "{\"seconds\":5}");
	tx_engine_free(e);
	assert_int_equal(tx_job_state(job), TX_JOB_CANCELLED);
	tx_job_unref(job);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_new_then_start),
		cmocka_unit_test(test_is_error),
		cmocka_unit_test(test_crash),
		cmocka_unit_test(test_invalid_args),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_reject_running),
		cmocka_unit_test(test_start_race),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_cancel_new),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_concurrent_waiters),
		cmocka_unit_test(test_listeners_and_stream),
		cmocka_unit_test(test_job_table),
		cmocka_unit_test(test_keep_policy),
		cmocka_unit_test(test_abandoned_clones_cost),
		cmocka_unit_test(test_new_job_expires),
		cmocka_unit_test(test_collect_spares_jobs_made_meanwhile),
		cmocka_unit_test(test_job_table_churn),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_tool_removed),
		cmocka_unit_test(test_builtins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
