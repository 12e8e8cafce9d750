/*
 * test_args_once.c - a call's arguments are parsed once and validated
 * once, however they reach the engine: an argument buffer (the call
 * file), text (the toolexec command), a chain's steps.  The counts are
 * the process's json-c parses (tx_json_parses) and schema validations
 * (tx_schema_validations); builtin:echo has no output schema, so every
 * validation counted is one of arguments.
 */
#include "testlib.h"

#include <errno.h>

#include "schema/schema.h"

struct counts {
	unsigned long long parses;
	unsigned long long validations;
};

static struct counts counts_now(void)
{
	return (struct counts){ tx_json_parses(), tx_schema_validations() };
}

static void assert_counted(struct counts before, unsigned long long parses,
			   unsigned long long validations)
{
	struct counts now = counts_now();

	assert_int_equal(now.parses - before.parses, parses);
	assert_int_equal(now.validations - before.validations, validations);
}

static struct tx_engine *engine_new(void)
{
	struct tx_engine_options opts = { 0 };
	struct tx_engine *e;
	char err[512];

	e = tx_engine_new(&opts, err, sizeof(err));
	assert_non_null(e);
	return e;
}

/* Feeds text in pieces of `step` bytes, as a pipe would write it. */
static struct tx_argbuf *argbuf_of(const char *text, size_t step)
{
	struct tx_argbuf *ab = tx_argbuf_new();
	size_t n = strlen(text);
	char err[256];

	assert_non_null(ab);
	for (size_t i = 0; i < n; i += step)
		assert_int_equal(tx_argbuf_feed(ab, text + i,
						i + step > n ? n - i : step,
						err, sizeof(err)),
				 0);
	assert_true(tx_argbuf_complete(ab));
	return ab;
}

static void assert_ok(struct tx_job *job, const char *text)
{
	const char *got;
	size_t len;

	assert_int_equal(tx_job_wait(job, 30000), 0);
	assert_int_equal(tx_job_state(job), TX_JOB_OK);
	got = tx_job_result_text(job, &len);
	assert_non_null(got);
	assert_string_equal(got, text);
}

/* The call file's way: written in pieces, checked when complete,
 * started with what the buffer parsed. */
static void test_argbuf_call(void **state)
{
	static const char args[] = "{\"greeting\": \"hi\", \"n\": [1, 2.50]}\n";
	struct tx_engine *e = engine_new();
	struct counts before = counts_now();
	struct tx_argbuf *ab = argbuf_of(args, 7);
	struct tx_job *job;
	char err[512];

	(void)state;
	assert_int_equal(tx_engine_check_argbuf(e, "builtin:echo", ab, err,
						sizeof(err)),
			 0);
	job = tx_engine_job_new(e, "builtin:echo", NULL, err, sizeof(err));
	assert_non_null(job);
	assert_int_equal(tx_job_start_argbuf(job, ab), 0);
	assert_ok(job, "{\n  \"greeting\": \"hi\",\n  \"n\": [\n    1,\n"
		       "    2.50\n  ]\n}\n");
	assert_counted(before, 1, 1);
	/* The text the caller wrote is the job's, byte for byte. */
	assert_string_equal(tx_job_args_text(job), args);
	/* The buffer handed everything on. */
	assert_true(tx_argbuf_empty(ab));
	tx_argbuf_free(ab);
	tx_job_unref(job);
	tx_engine_free(e);
}

/* Text (the toolexec command, tx_engine_call): one parse, one check. */
static void test_text_call(void **state)
{
	struct tx_engine *e = engine_new();
	struct counts before = counts_now();
	struct tx_job *job;
	char err[512];

	(void)state;
	job = tx_engine_call(e, "builtin:echo", "{\"a\":1}", NULL, err,
			     sizeof(err));
	assert_non_null(job);
	assert_ok(job, "{\n  \"a\": 1\n}\n");
	assert_counted(before, 1, 1);
	tx_job_unref(job);
	tx_engine_free(e);
}

static const char chain3[] =
	"{\"steps\":["
	"{\"tool\":\"builtin:echo\",\"args\":{\"step\":1}},"
	"{\"tool\":\"builtin:echo\",\"args\":{\"step\":2}},"
	"{\"tool\":\"builtin:echo\",\"args\":{\"step\":3}}]}";

/* The chain's steps, as its result.json shows them. */
static void assert_chain_steps(struct tx_job *job, int nsteps)
{
	struct json_object *env, *sc, *steps, *step, *v;
	const char *text;
	char err[256];
	size_t len;

	text = tx_job_envelope_text(job, &len);
	env = tx_json_parse(text, len, 64, err, sizeof(err));
	assert_non_null(env);
	assert_true(json_object_object_get_ex(env, "structuredContent", &sc));
	assert_true(json_object_object_get_ex(sc, "steps", &steps));
	assert_int_equal(json_object_array_length(steps), nsteps);
	for (int i = 0; i < nsteps; i++) {
		step = json_object_array_get_idx(steps, (size_t)i);
		assert_true(json_object_object_get_ex(step, "status", &v));
		assert_string_equal(json_object_get_string(v), "ok");
		assert_true(json_object_object_get_ex(step, "tool", &v));
		assert_string_equal(json_object_get_string(v), "builtin:echo");
		assert_true(json_object_object_get_ex(step, "structuredContent",
						      &v));
		assert_true(json_object_object_get_ex(v, "step", &v));
		assert_int_equal(json_object_get_int(v), i + 1);
	}
	json_object_put(env);
}

/* A chain of three steps: the chain's arguments are parsed once; the
 * chain and each step are validated once (the steps when the chain is
 * checked), and no step's arguments or outcome is parsed again. */
static void test_chain_three_steps(void **state)
{
	struct tx_engine *e = engine_new();
	struct counts before = counts_now();
	struct tx_argbuf *ab = argbuf_of(chain3, 16);
	struct tx_job *job;
	char err[512];

	(void)state;
	assert_int_equal(tx_engine_check_argbuf(e, TX_CHAIN_ID, ab, err,
						sizeof(err)),
			 0);
	job = tx_engine_job_new(e, TX_CHAIN_ID, NULL, err, sizeof(err));
	assert_non_null(job);
	assert_int_equal(tx_job_start_argbuf(job, ab), 0);
	assert_ok(job, "{\n  \"step\": 3\n}\n");
	assert_counted(before, 1, 1 + 3);
	tx_argbuf_free(ab);
	assert_chain_steps(job, 3);
	tx_job_unref(job);

	/* The same from text. */
	before = counts_now();
	job = tx_engine_call(e, TX_CHAIN_ID, chain3, NULL, err, sizeof(err));
	assert_non_null(job);
	assert_ok(job, "{\n  \"step\": 3\n}\n");
	assert_counted(before, 1, 1 + 3);
	tx_job_unref(job);
	tx_engine_free(e);
}

/* A step that takes the previous result is validated when it starts,
 * its arguments being known only then: still once. */
static void test_chain_use_previous(void **state)
{
	static const char steps[] =
		"{\"steps\":["
		"{\"tool\":\"builtin:echo\",\"args\":{\"step\":1}},"
		"{\"tool\":\"builtin:echo\",\"use_previous\":true},"
		"{\"tool\":\"builtin:echo\",\"args\":{\"step\":3}}]}";
	struct tx_engine *e = engine_new();
	struct counts before = counts_now();
	struct tx_job *job;
	char err[512];

	(void)state;
	job = tx_engine_call(e, TX_CHAIN_ID, steps, NULL, err, sizeof(err));
	assert_non_null(job);
	assert_ok(job, "{\n  \"step\": 3\n}\n");
	assert_counted(before, 1, 1 + 3);
	tx_job_unref(job);
	tx_engine_free(e);
}

/* A check proves validity for the tool it checked against only: when a
 * reload replaces the tool between the check and the start, the start
 * validates against the new tool, and refuses what it refuses. */
static void test_tool_replaced_after_check(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct tx_argbuf *ab = argbuf_of("{\"n\":\"x\"}", 3);
	struct tx_tool *strict;
	struct counts before;
	struct tx_job *job;
	char err[512];

	(void)state;
	/* The first tool takes any object... */
	strict = test_tool(&tb->base, "t", "ok", "{\"type\":\"object\"}", 1000);
	assert_int_equal(tx_registry_set_source(e->registry, "t", &strict, 1,
						err, sizeof(err)),
			 0);
	tx_tool_unref(strict);
	assert_int_equal(
		tx_engine_check_argbuf(e, "t:ok", ab, err, sizeof(err)), 0);
	/* ...its replacement wants n to be an integer. */
	strict = test_tool(&tb->base, "t", "ok",
			   "{\"type\":\"object\",\"properties\":{"
			   "\"n\":{\"type\":\"integer\"}}}",
			   1000);
	assert_int_equal(tx_registry_set_source(e->registry, "t", &strict, 1,
						err, sizeof(err)),
			 0);
	tx_tool_unref(strict);
	job = tx_engine_job_new(e, "t:ok", NULL, err, sizeof(err));
	assert_non_null(job);
	before = counts_now();
	assert_int_equal(tx_job_start_argbuf(job, ab), -EINVAL);
	assert_counted(before, 0, 1);
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	assert_int_equal(tx_job_errno(job), EINVAL);
	tx_argbuf_free(ab);
	tx_job_unref(job);
	tx_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argbuf_call),
		cmocka_unit_test(test_text_call),
		cmocka_unit_test(test_chain_three_steps),
		cmocka_unit_test(test_chain_use_previous),
		cmocka_unit_test(test_tool_replaced_after_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
