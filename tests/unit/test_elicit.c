/*
 * test_elicit.c - questions a backend asks on a job's behalf (MCP
 * elicitation, src/engine/elicit.c): the job holds them, answers are
 * checked against the requested schema, and the backend hears of each
 * question exactly once: answered, declined at its timeout, or
 * cancelled with its job.
 */
#include <errno.h>
#include <unistd.h>

#include "testlib.h"
#include "util/jsonu.h"

/* What the backend heard. */
struct heard {
	pthread_mutex_t lock;
	int calls;
	char *answer; /* compact JSON of the last answer */
};

static void on_answer(void *ctx, struct json_object *answer)
{
	struct heard *h = ctx;
	char *t = tx_json_compact(answer);

	json_object_put(answer);
	pthread_mutex_lock(&h->lock);
	h->calls++;
	free(h->answer);
	h->answer = t;
	pthread_mutex_unlock(&h->lock);
}

static int heard_calls(struct heard *h)
{
	int n;

	pthread_mutex_lock(&h->lock);
	n = h->calls;
	pthread_mutex_unlock(&h->lock);
	return n;
}

static struct json_object *params_of(const char *text)
{
	char err[256];
	struct json_object *o =
		tx_json_parse(text, strlen(text), 32, err, sizeof(err));

	assert_non_null(o);
	return o;
}

static const char form[] =
	"{\"message\": \"Who are you?\\nReally.\", \"requestedSchema\": "
	"{\"type\": \"object\", \"properties\": {\"name\": {\"type\": "
	"\"string\"}, \"age\": {\"type\": \"integer\", \"minimum\": 0}}, "
	"\"required\": [\"name\"]}}";

static void test_answer_checked(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct heard h = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct json_object *p = params_of(form);
	char err[512], *t;
	struct tx_job *job =
		tx_engine_call(e, "test:hang", "{}", NULL, err, sizeof(err));

	(void)state;
	assert_non_null(job);
	assert_int_equal(tx_job_questions(job), 0);
	assert_int_equal(
		tx_job_ask(job, p, 60000, on_answer, &h, err, sizeof(err)), 0);
	assert_string_equal(tx_job_status_name(job), "input_required");
	assert_int_equal(tx_job_questions(job), 1);
	assert_true(tx_job_question_open(job, 1));
	assert_int_equal(tx_job_question_text(job, 1, TX_QUESTION_MESSAGE, &t),
			 0);
	assert_string_equal(t, "Who are you?\nReally.\n");
	free(t);
	assert_int_equal(tx_job_question_text(job, 1, TX_QUESTION_URL, &t),
			 -ENOENT);
	assert_int_equal(tx_job_question_text(job, 2, TX_QUESTION_MESSAGE, &t),
			 -ENOENT);
	/* One line per open question; control characters as spaces. */
	t = tx_engine_pending_text(e, 0);
	assert_non_null(t);
	{
		char want[200];

		snprintf(want, sizeof(want),
			 "%s\t1\ttest:hang\tWho are you? Really.\n",
			 tx_job_id(job));
		assert_string_equal(t, want);
	}
	free(t);
	t = tx_engine_pending_text(e, 4242); /* someone else */
	assert_string_equal(t, "");
	free(t);

	/* Refused answers leave it open and say why. */
	assert_int_equal(tx_job_question_answer(job, 1, "{\"age\": 3}", 10, err,
						sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "name"));
	assert_int_equal(tx_job_question_answer(job, 1, "[1]", 3, err,
						sizeof(err)),
			 -EINVAL);
	assert_int_equal(tx_job_question_answer(job, 1,
						"{\"name\": \"x\", "
						"\"age\": -1}",
						24, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(tx_job_question_text(job, 1, TX_QUESTION_ERROR, &t),
			 0);
	assert_non_null(strstr(t, "/age"));
	free(t);
	assert_int_equal(heard_calls(&h), 0);
	assert_true(tx_job_question_open(job, 1));

	assert_int_equal(tx_job_question_answer(job, 1,
						" {\"name\": \"Ada\"}\n", 17,
						err, sizeof(err)),
			 0);
	assert_int_equal(heard_calls(&h), 1);
	assert_string_equal(h.answer,
			    "{\"action\":\"accept\",\"content\":{\"name\":"
			    "\"Ada\"}}");
	assert_string_equal(tx_job_status_name(job), "running");
	assert_int_equal(tx_job_question_text(job, 1, TX_QUESTION_ANSWER, &t),
			 0);
	assert_string_equal(t, "{\"name\":\"Ada\"}\n");
	free(t);
	assert_int_equal(tx_job_question_text(job, 1, TX_QUESTION_ERROR, &t),
			 0);
	assert_string_equal(t, "");
	free(t);
	assert_int_equal(tx_job_question_answer(job, 1, "decline", 7, err,
						sizeof(err)),
			 -EALREADY);
	t = tx_engine_pending_text(e, 0);
	assert_string_equal(t, "");
	free(t);
	assert_int_equal(heard_calls(&h), 1);

	tx_job_cancel(job);
	assert_int_equal(heard_calls(&h), 1); /* nothing open to cancel */
	json_object_put(p);
	free(h.answer);
	tx_job_unref(job);
	tx_engine_free(e);
}

static void test_decline_cancel_url(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct heard h = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct json_object *f = params_of(form);
	struct json_object *u = params_of(
		"{\"mode\": \"url\", \"message\": \"Sign in\", \"url\": "
		"\"https://example.com/a\", \"elicitationId\": \"e1\"}");
	char err[512], *t;
	struct tx_job *job =
		tx_engine_call(e, "test:hang", "{}", NULL, err, sizeof(err));

	(void)state;
	assert_int_equal(
		tx_job_ask(job, f, 60000, on_answer, &h, err, sizeof(err)), 0);
	assert_int_equal(tx_job_question_answer(job, 1, "decline\n", 8, err,
						sizeof(err)),
			 0);
	assert_string_equal(h.answer, "{\"action\":\"decline\"}");

	assert_int_equal(
		tx_job_ask(job, u, 60000, on_answer, &h, err, sizeof(err)), 0);
	assert_int_equal(tx_job_question_text(job, 2, TX_QUESTION_URL, &t), 0);
	assert_string_equal(t, "https://example.com/a\n");
	free(t);
	assert_int_equal(tx_job_question_text(job, 2, TX_QUESTION_SCHEMA, &t),
			 -ENOENT);
	assert_int_equal(tx_job_question_answer(job, 2, "{\"x\": 1}", 8, err,
						sizeof(err)),
			 -EINVAL);
	assert_int_equal(tx_job_question_answer(job, 2, "accept", 6, err,
						sizeof(err)),
			 0);
	assert_string_equal(h.answer, "{\"action\":\"accept\"}");

	/* Open when the job ends: cancelled, once. */
	assert_int_equal(
		tx_job_ask(job, f, 60000, on_answer, &h, err, sizeof(err)), 0);
	assert_int_equal(heard_calls(&h), 2);
	tx_job_cancel(job);
	assert_int_equal(heard_calls(&h), 3);
	assert_string_equal(h.answer, "{\"action\":\"cancel\"}");
	assert_int_equal(tx_job_question_text(job, 3, TX_QUESTION_ANSWER, &t),
			 0);
	assert_string_equal(t, "cancel\n");
	free(t);
	/* A final job takes no question; fn never runs. */
	assert_int_equal(tx_job_ask(job, f, 60000, on_answer, &h, err,
				    sizeof(err)),
			 -EALREADY);
	assert_int_equal(heard_calls(&h), 3);
	json_object_put(f);
	json_object_put(u);
	free(h.answer);
	tx_job_unref(job);
	tx_engine_free(e);
}

static void test_bad_params(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct heard h = { .lock = PTHREAD_MUTEX_INITIALIZER };
	static const char *const bad[] = {
		"{\"requestedSchema\": {\"type\": \"object\"}}",
		"{\"message\": \"m\"}",
		"{\"message\": \"m\", \"requestedSchema\": {\"type\": 5}}",
		"{\"message\": \"m\", \"mode\": \"url\"}",
		"{\"message\": \"m\", \"mode\": \"voice\"}",
	};
	char err[512];
	struct tx_job *job =
		tx_engine_call(e, "test:hang", "{}", NULL, err, sizeof(err));

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_object *p = params_of(bad[i]);

		assert_int_equal(tx_job_ask(job, p, 60000, on_answer, &h, err,
					    sizeof(err)),
				 -EINVAL);
		json_object_put(p);
	}
	assert_int_equal(tx_job_questions(job), 0);
	assert_int_equal(heard_calls(&h), 0);
	tx_job_cancel(job);
	tx_job_unref(job);
	tx_engine_free(e);
}

static void test_timeout_declines(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct heard h = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct json_object *p = params_of(form);
	char err[512], *t;
	struct tx_job *job =
		tx_engine_call(e, "test:hang", "{}", NULL, err, sizeof(err));

	(void)state;
	assert_int_equal(
		tx_job_ask(job, p, 50, on_answer, &h, err, sizeof(err)), 0);
	/* The timer thread looks once a second. */
	for (int i = 0; i < TEST_WAIT_MS / 10 && !heard_calls(&h); i++)
		usleep(10000);
	assert_int_equal(heard_calls(&h), 1);
	assert_string_equal(h.answer, "{\"action\":\"decline\"}");
	assert_int_equal(tx_job_state(job), TX_JOB_RUNNING);
	assert_string_equal(tx_job_status_name(job), "running");
	assert_int_equal(tx_job_question_text(job, 1, TX_QUESTION_ANSWER, &t),
			 0);
	assert_string_equal(t, "decline\n");
	free(t);
	tx_job_cancel(job);
	json_object_put(p);
	free(h.answer);
	tx_job_unref(job);
	tx_engine_free(e);
}

static void test_nobody_to_ask(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct heard h = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct json_object *p = params_of(form);
	char err[512], *t;
	struct tx_job *job;

	(void)state;
	e->opts.nobody_to_ask = true;
	job = tx_engine_call(e, "test:hang", "{}", NULL, err, sizeof(err));
	assert_int_equal(
		tx_job_ask(job, p, 60000, on_answer, &h, err, sizeof(err)), 0);
	assert_int_equal(heard_calls(&h), 1);
	assert_string_equal(h.answer, "{\"action\":\"decline\"}");
	assert_false(tx_job_question_open(job, 1));
	t = tx_engine_pending_text(e, 0);
	assert_string_equal(t, "");
	free(t);
	tx_job_cancel(job);
	json_object_put(p);
	free(h.answer);
	tx_job_unref(job);
	tx_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer_checked),
		cmocka_unit_test(test_decline_cancel_url),
		cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_timeout_declines),
		cmocka_unit_test(test_nobody_to_ask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
