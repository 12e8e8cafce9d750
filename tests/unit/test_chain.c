/*
 * test_chain.c - chains: order, use_previous, stopping at the first
 * failure, continue_on_error, validation up front, cancel mid-chain.
 */
#include <errno.h>

#include "testlib.h"

static struct tx_job *chain(struct tx_engine *e, const char *steps)
{
	char err[512];
	struct tx_job *job =
		tx_engine_call(e, TX_CHAIN_ID, steps, NULL, err, sizeof(err));

	if (!job)
		fail_msg("chain: %s", err);
	assert_int_equal(tx_job_wait(job, TEST_WAIT_MS), 0);
	return job;
}

static void test_chain_ok_and_previous(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct tx_job *job;
	const char *env;

	(void)state;
	job = chain(e, "{\"steps\":["
		       "{\"tool\":\"builtin:echo\",\"args\":{\"v\":41}},"
		       "{\"tool\":\"builtin:echo\",\"use_previous\":true}]}");
	assert_int_equal(tx_job_state(job), TX_JOB_OK);
	assert_non_null(strstr(tx_job_result_text(job, NULL), "\"previous\""));
	assert_non_null(strstr(tx_job_result_text(job, NULL), "41"));
	env = tx_job_envelope_text(job, NULL);
	assert_non_null(strstr(env, "\"steps\""));
	tx_job_unref(job);

	/* A text result travels as a string. */
	job = chain(e,
		    "[{\"tool\":\"builtin:base64\",\"args\":{\"text\":\"hi\"}},"
		    "{\"tool\":\"builtin:echo\",\"use_previous\":true}]");
	/* A bare array of steps is a chain, whatever the face. */
	assert_int_equal(tx_job_state(job), TX_JOB_OK);
	assert_non_null(strstr(tx_job_result_text(job, NULL),
			       "\"previous\": \"aGk=\""));
	tx_job_unref(job);
	job = chain(
		e,
		"{\"steps\":[{\"tool\":\"builtin:base64\",\"args\":{\"text\":\"hi\"}},"
		"{\"tool\":\"builtin:echo\",\"use_previous\":true}]}");
	assert_int_equal(tx_job_state(job), TX_JOB_OK);
	assert_non_null(strstr(tx_job_result_text(job, NULL),
			       "\"previous\": \"aGk=\""));
	tx_job_unref(job);
	tx_engine_free(e);
}

/* previous_to places the previous result where the step's schema wants
 * it, previous_from picks a part of it; validation comes after. */
static void test_chain_previous_to(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct tx_job *job;
	char err[512];

	(void)state;
	/* json_get's schema refuses args.previous: use_previous cannot
	 * feed it, previous_to can. */
	job = chain(e, "{\"steps\":["
		       "{\"tool\":\"builtin:echo\",\"args\":{\"size\":42}},"
		       "{\"tool\":\"builtin:json_get\",\"args\":{\"pointer\":"
		       "\"/size\"},\"previous_to\":\"/json\"}]}");
	assert_int_equal(tx_job_state(job), TX_JOB_OK);
	assert_string_equal(tx_job_result_text(job, NULL),
			    "{\n  \"value\": 42\n}\n");
	tx_job_unref(job);

	/* A text result lands as a string; previous_from picks a part. */
	job = chain(e, "[{\"tool\":\"builtin:echo\",\"args\":{\"b\":\"aGk=\"}},"
		       "{\"tool\":\"builtin:base64\",\"args\":{\"mode\":"
		       "\"decode\"},\"previous_from\":\"/b\","
		       "\"previous_to\":\"/text\"}]");
	assert_int_equal(tx_job_state(job), TX_JOB_OK);
	assert_string_equal(tx_job_result_text(job, NULL), "hi\n");
	tx_job_unref(job);

	/* Validated after the placement: a number is no text. */
	job = chain(e, "[{\"tool\":\"builtin:echo\",\"args\":{\"b\":1}},"
		       "{\"tool\":\"builtin:base64\",\"previous_from\":\"/b\","
		       "\"previous_to\":\"/text\"}]");
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	assert_non_null(strstr(tx_job_result_text(job, NULL),
			       "step 2 (builtin:base64) error: "
			       "invalid_arguments: /text: expected string"));
	tx_job_unref(job);

	/* A place whose parent is missing, a part that is not there. */
	job = chain(e, "[{\"tool\":\"builtin:echo\"},"
		       "{\"tool\":\"builtin:echo\",\"previous_to\":\"/a/b\"}]");
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	assert_non_null(strstr(tx_job_result_text(job, NULL),
			       "previous_to: the previous result cannot go "
			       "to \"/a/b\""));
	tx_job_unref(job);
	job = chain(e, "[{\"tool\":\"builtin:echo\"},"
		       "{\"tool\":\"builtin:echo\",\"previous_from\":\"/x\","
		       "\"previous_to\":\"/p\"}]");
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	assert_non_null(strstr(tx_job_result_text(job, NULL),
			       "previous_from: nothing at \"/x\""));
	tx_job_unref(job);

	/* Refused up front: no previous step, no pointer, no previous_to. */
	assert_int_equal(
		tx_engine_check_args(
			e, TX_CHAIN_ID,
			"[{\"tool\":\"test:ok\",\"previous_to\":\"/p\"}]", err,
			sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "/steps/0/previous_to: the first step"));
	assert_int_equal(
		tx_engine_check_args(e, TX_CHAIN_ID,
				     "[{\"tool\":\"test:ok\"},{\"tool\":"
				     "\"test:ok\",\"previous_to\":\"p\"}]",
				     err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "/steps/1/previous_to"));
	assert_int_equal(
		tx_engine_check_args(e, TX_CHAIN_ID,
				     "[{\"tool\":\"test:ok\"},{\"tool\":"
				     "\"test:ok\",\"previous_from\":\"/p\"}]",
				     err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "/steps/1/previous_from: "));
	assert_int_equal(tb->starts, 0);
	tx_engine_free(e);
}

static void test_chain_stops_at_failure(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct tx_job *job;
	const char *env;

	(void)state;
	job = chain(
		e,
		"{\"steps\":[{\"tool\":\"test:ok\"},{\"tool\":\"test:fail\"},"
		"{\"tool\":\"test:ok\"}]}");
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	assert_int_equal(tx_job_errno(job), 0); /* content to read */
	assert_non_null(
		strstr(tx_job_result_text(job, NULL), "step 2 (test:fail)"));
	env = tx_job_envelope_text(job, NULL);
	/* Two step envelopes, not three. */
	assert_non_null(strstr(env, "\"tool\": \"test:fail\""));
	assert_int_equal(tb->starts, 2);
	tx_job_unref(job);

	job = chain(
		e,
		"{\"steps\":[{\"tool\":\"test:fail\",\"continue_on_error\":true},"
		"{\"tool\":\"test:ok\"}]}");
	assert_int_equal(tx_job_state(job), TX_JOB_OK);
	assert_string_equal(tx_job_result_text(job, NULL), "ok\n");
	assert_int_equal(tb->starts, 4);
	tx_job_unref(job);
	tx_engine_free(e);
}

static void test_chain_checked_up_front(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	char err[512];

	(void)state;
	assert_int_equal(
		tx_engine_check_args(e, TX_CHAIN_ID,
				     "{\"steps\":[{\"tool\":\"no:such\"}]}",
				     err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "/steps/0/tool"));
	assert_int_equal(
		tx_engine_check_args(
			e, TX_CHAIN_ID,
			"{\"steps\":[{\"tool\":\"test:ok\",\"args\":{\"n\":\"x\"}}]}",
			err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "/steps/0/args"));
	assert_int_equal(tx_engine_check_args(e, TX_CHAIN_ID, "{\"steps\":[]}",
					      err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(
		tx_engine_check_args(
			e, TX_CHAIN_ID,
			"{\"steps\":[{\"tool\":\"test:ok\",\"bogus\":1}]}", err,
			sizeof(err)),
		-EINVAL);
	assert_int_equal(
		tx_engine_check_args(e, TX_CHAIN_ID,
				     "{\"steps\":[{\"tool\":\"test:ok\"}]}",
				     err, sizeof(err)),
		0);
	assert_int_equal(tb->starts, 0);
	tx_engine_free(e);
}

/* True when a job of tool id runs in e (a chain's step, say). */
static bool tool_running(struct tx_engine *e, const char *id)
{
	char **ids;
	size_t n = tx_engine_job_ids(e, &ids);
	bool found = false;

	for (size_t i = 0; i < n && !found; i++) {
		struct tx_job *j = tx_engine_job_get(e, ids[i]);

		found = j && !strcmp(tx_job_tool_id(j), id) &&
			tx_job_state(j) == TX_JOB_RUNNING;
		tx_job_unref(j);
	}
	tx_strv_free(ids, n);
	return found;
}

static void test_chain_cancel(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	char err[512];
	struct tx_job *job;

	(void)state;
	job = tx_engine_call(
		e, TX_CHAIN_ID,
		"{\"steps\":[{\"tool\":\"test:ok\"},"
		"{\"tool\":\"builtin:sleep\",\"args\":{\"seconds\":5}},"
		"{\"tool\":\"test:ok\"}]}",
		NULL, err, sizeof(err));
	assert_non_null(job);
	/* Cancelled while its second step runs. */
	assert_eventually(tool_running(e, "builtin:sleep"));
	assert_int_equal(tx_job_cancel(job), 0);
	assert_int_equal(tx_job_state(job), TX_JOB_CANCELLED);
	tx_job_unref(job);
	/* Freeing the engine waits for the chain thread, which must end at
	 * once because its running step was cancelled too. */
	tx_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_ok_and_previous),
		cmocka_unit_test(test_chain_previous_to),
		cmocka_unit_test(test_chain_stops_at_failure),
		cmocka_unit_test(test_chain_checked_up_front),
		cmocka_unit_test(test_chain_cancel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
