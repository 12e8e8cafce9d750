/*
 * testlib.h - shared by the engine's unit tests: an engine with a
 * controllable test backend, so jobs can be made to succeed, fail,
 * hang, stream or time out on demand.
 */
#ifndef TX_TESTLIB_H
#define TX_TESTLIB_H

#include <json-c/json.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/backend.h"
#include "engine/engine_i.h"
#include "engine/job.h"
#include "engine/job_i.h"
#include "util/jsonu.h"
#include "engine/registry.h"
#include "engine/tool.h"
#include "toolexecfs/toolexec.h"

/*
 * How long a test waits for something another thread or process does
 * (a job that ends, a child that is reaped, a file the watcher reports):
 * far more than any of it takes, so a loaded machine is only slower.
 * Tests poll for the event; they never sleep in its place.
 */
#define TEST_WAIT_MS 30000

/* Polls cond every 5 ms for up to TEST_WAIT_MS, then asserts it. */
#define assert_eventually(cond)                                       \
	do {                                                          \
		uint64_t t0_ = tx_now_ns();                           \
		while (!(cond) &&                                     \
		       tx_now_ns() - t0_ < TEST_WAIT_MS * 1000000ull) \
			usleep(5000);                                 \
		assert_true(cond);                                    \
	} while (0)

/* True when thread tid of this process sleeps in a futex wait (a
 * condition variable, a lock): a thread the test started has reached
 * the wait it is there for. */
static inline bool test_thread_waits(pid_t tid)
{
	char path[64], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !strncmp(buf, "futex", 5);
}

/*
 * The "test" backend's tools, by name:
 *   ok      completes at once with the text "ok"
 *   fail    completes at once with isError and the text "it failed"
 *   crash   fails with EIO
 *   hang    never completes by itself (cancel or timeout ends it)
 *   stream  writes "a\n" to the stream, then hangs
 *   expire  hangs like "hang", with a timeout of 200 ms
 * Every tool but "expire" has a 60 s timeout, far longer than any test
 * waits, so that no timer ends a job while a slow machine runs a test.
 */
struct test_backend {
	struct tx_backend base;
	pthread_mutex_t lock;
	int cancels; /* lock */
	int starts;  /* lock */
};

static inline int tb_start(struct tx_backend *be, struct tx_job *job)
{
	struct test_backend *tb = (struct test_backend *)be;
	const char *name = tx_tool_name(tx_job_tool(job));
	struct tx_result *r;

	pthread_mutex_lock(&tb->lock);
	tb->starts++;
	pthread_mutex_unlock(&tb->lock);
	if (!strcmp(name, "ok") || !strcmp(name, "fail")) {
		r = tx_result_new();
		if (!strcmp(name, "fail")) {
			tx_result_set_is_error(r, true);
			tx_result_add_text(r, "it failed", 9);
		} else {
			tx_result_add_text(r, "ok", 2);
		}
		tx_job_complete(job, r);
	} else if (!strcmp(name, "crash")) {
		tx_job_fail(job, 5 /* EIO */, "backend_failed", "crashed");
	} else if (!strcmp(name, "stream")) {
		tx_job_output(job, "a\n", 2);
	}
	return 0;
}

static inline void tb_cancel(struct tx_backend *be, struct tx_job *job)
{
	struct test_backend *tb = (struct test_backend *)be;

	(void)job;
	pthread_mutex_lock(&tb->lock);
	tb->cancels++;
	pthread_mutex_unlock(&tb->lock);
}

static inline void tb_destroy(struct tx_backend *be)
{
	struct test_backend *tb = (struct test_backend *)be;

	pthread_mutex_destroy(&tb->lock);
	free(tb);
}

static const struct tx_backend_ops test_ops = {
	.kind = "test",
	.start = tb_start,
	.cancel = tb_cancel,
	.destroy = tb_destroy,
};

static inline struct test_backend *test_backend_new(void)
{
	struct test_backend *tb = calloc(1, sizeof(*tb));

	tx_backend_init(&tb->base, &test_ops);
	pthread_mutex_init(&tb->lock, NULL);
	return tb;
}

/* A tool of backend be; schema may be NULL. The caller owns one ref. */
static inline struct tx_tool *test_tool(struct tx_backend *be, const char *ns,
					const char *name, const char *schema,
					unsigned timeout_ms)
{
	struct json_object *s = NULL;
	struct tx_tool_def def = { 0 };
	struct tx_tool *t;
	char err[512];

	if (schema) {
		s = tx_json_parse(schema, strlen(schema), 32, err, sizeof(err));
		assert_non_null(s);
	}
	def.ns = ns;
	def.name = name;
	def.description = "A test tool. It does things.";
	def.input_schema = s;
	def.timeout_ms = timeout_ms;
	def.backend = be;
	t = tx_tool_new(&def, err, sizeof(err));
	json_object_put(s);
	if (!t)
		fail_msg("tx_tool_new: %s", err);
	return t;
}

/* An engine on the embedded default, plus the test tools. */
static inline struct tx_engine *test_engine(struct test_backend **out)
{
	static const char *const names[] = { "ok",   "fail",   "crash",
					     "hang", "stream", "expire" };
	enum { NTOOLS = sizeof(names) / sizeof(names[0]) };
	struct tx_engine_options opts = { 0 };
	struct test_backend *tb = test_backend_new();
	struct tx_tool *tools[NTOOLS];
	struct tx_engine *e;
	char err[512];

	e = tx_engine_new(&opts, err, sizeof(err));
	assert_non_null(e);
	for (size_t i = 0; i < NTOOLS; i++)
		tools[i] = test_tool(&tb->base, "test", names[i],
				     "{\"type\":\"object\",\"properties\":{"
				     "\"n\":{\"type\":\"integer\"}}}",
				     strcmp(names[i], "expire") ? 60000 : 200);
	assert_int_equal(tx_registry_set_source(e->registry, "test", tools,
						NTOOLS, err, sizeof(err)),
			 0);
	for (size_t i = 0; i < NTOOLS; i++)
		tx_tool_unref(tools[i]);
	*out = tb;
	tx_backend_unref(&tb->base); /* the tools hold it */
	return e;
}

static inline int test_cancels(struct test_backend *tb)
{
	int n;

	pthread_mutex_lock(&tb->lock);
	n = tb->cancels;
	pthread_mutex_unlock(&tb->lock);
	return n;
}

#endif
