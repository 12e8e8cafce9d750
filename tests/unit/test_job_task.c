/*
 * test_job_task.c - a job its backend runs as a task (an MCP task):
 * the task's ID, and `status` saying "working" or "input_required"
 * while the job runs, the job's own state once it ended.
 */
#include <errno.h>

#include "testlib.h"

static void test_task_status(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	char err[256];
	struct tx_job *job =
		tx_engine_call(e, "test:hang", "{}", NULL, err, sizeof(err));
	char *id;

	(void)state;
	assert_non_null(job);
	assert_string_equal(tx_job_status_name(job), "running");
	assert_null(tx_job_task_id(job));

	/* A status before any task ID changes nothing that is shown. */
	tx_job_set_task(job, NULL, "working");
	assert_string_equal(tx_job_status_name(job), "running");

	tx_job_set_task(job, "t-1", "working");
	assert_string_equal(tx_job_status_name(job), "working");
	tx_job_set_task(job, NULL, "input_required");
	assert_string_equal(tx_job_status_name(job), "input_required");
	/* The first ID stays. */
	tx_job_set_task(job, "t-2", "working");
	assert_string_equal(tx_job_status_name(job), "working");
	id = tx_job_task_id(job);
	assert_string_equal(id, "t-1");
	free(id);
	/* "completed" while the result is on its way: still running. */
	tx_job_set_task(job, NULL, "completed");
	assert_string_equal(tx_job_status_name(job), "running");
	assert_int_equal(tx_job_state(job), TX_JOB_RUNNING);

	tx_job_set_task(job, NULL, "input_required");
	assert_int_equal(tx_job_cancel(job), 0);
	assert_string_equal(tx_job_status_name(job), "cancelled");
	assert_non_null(
		strstr(tx_job_envelope_text(job, NULL), "\"task\": \"t-1\""));
	tx_job_unref(job);
	tx_engine_free(e);
}

static void test_no_task(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	char err[256];
	struct tx_job *job =
		tx_engine_call(e, "test:ok", "{}", NULL, err, sizeof(err));

	(void)state;
	assert_non_null(job);
	assert_int_equal(tx_job_wait(job, TEST_WAIT_MS), 0);
	assert_string_equal(tx_job_status_name(job), "ok");
	assert_null(tx_job_task_id(job));
	assert_null(strstr(tx_job_envelope_text(job, NULL), "\"task\""));
	tx_job_unref(job);
	tx_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task_status),
		cmocka_unit_test(test_no_task),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
