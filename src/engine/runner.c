/*
 * runner.c - calls: start, cancel, end; what the engine does when a job
 * ends.
 *
 * A start hands the parsed arguments on (args.h): they are validated
 * here only when no check on the job's tool came before.  The state
 * changes themselves are job.c's; the runner puts a started job on the
 * timer and hands it to its backend, and hears through its hooks when a
 * job ends (audit line, timer, job table, statistics).
 */
#include "engine/engine_i.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/args.h"
#include "engine/audit.h"
#include "engine/backend.h"
#include "engine/code.h"
#include "engine/job_i.h"
#include "engine/registry.h"
#include "engine/tool.h"
#include "util/clock.h"
#include "util/jsonu.h"

/* ------------------------------------------------------------------ */
/* Life cycle                                                           */

/* Before the outcome is visible: whoever reads a result can find its
 * call in the audit log. */
static void job_finishing(struct tx_engine *e, struct tx_job *job,
			  enum tx_job_state state)
{
	if (e->audit)
		tx_audit_job(e->audit, job, state);
}

static void job_finished(struct tx_engine *e, struct tx_job *job)
{
	tx_timer_remove(e, job);
	pthread_mutex_lock(&e->jobs_lock);
	tx_jobtab_finished(&e->jobs, job);
	pthread_mutex_unlock(&e->jobs_lock);
	if (job->caller.run)
		tx_code_job_done(e, job);
	tx_stats_count(e, job);
}

const struct tx_job_hooks tx_runner_hooks = {
	.finishing = job_finishing,
	.finished = job_finished,
};

int tx_runner_init(struct tx_engine *e)
{
	pthread_mutex_init(&e->jobs_lock, NULL);
	pthread_mutex_init(&e->asked_lock, NULL);
	tx_jobtab_init(&e->jobs);
	e->next_job = 1;
	e->started_ns = tx_now_ns();
	tx_stats_init(e);
	return tx_timer_init(e);
}

/* Cancels every job that is not final and stops the timer. */
void tx_runner_stop(struct tx_engine *e)
{
	char **ids;
	size_t n = tx_engine_job_ids(e, &ids);

	for (size_t i = 0; i < n; i++) {
		struct tx_job *job = tx_engine_job_get(e, ids[i]);

		if (job) {
			tx_job_cancel(job);
			tx_job_unref(job);
		}
	}
	tx_strv_free(ids, n);
	tx_timer_stop(e);
}

void tx_runner_release(struct tx_engine *e)
{
	tx_timer_release(e);
	tx_jobs_release(e);
	tx_stats_release(e);
	tx_elicit_release(e);
	pthread_mutex_destroy(&e->asked_lock);
	pthread_mutex_destroy(&e->jobs_lock);
}

const struct tx_tool *tx_engine_find_tool(struct tx_engine *e,
					  const char *tool_id)
{
	struct tx_toolset *set;
	const struct tx_tool *t;

	if (!strcmp(tool_id, TX_CHAIN_ID))
		return tx_tool_ref(e->chain_tool);
	set = tx_engine_tools(e);
	t = tx_toolset_find(set, tool_id);
	if (t)
		tx_tool_ref(t);
	tx_toolset_unref(set);
	return t;
}

/* ------------------------------------------------------------------ */
/* Starting                                                             */

int tx_runner_start(struct tx_job *job, struct tx_args *a)
{
	struct tx_engine *e = job->engine;
	const struct tx_tool *tool = job->tool;
	char err[2048];
	int rc;

	if (a->checked != tool &&
	    (rc = tx_args_check(e, tool, a, err, sizeof(err)))) {
		tx_args_release(a);
		/* Checked and ended in one step: a valid start on another
		 * thread may have won since this one began. */
		rc = tx_job_reject(job, EINVAL, err);
		return rc ? rc : -EINVAL;
	}
	/* Arguments handed on as an object (a chain's step) get their text
	 * here, for the digest and for tools that read it. */
	if (!a->text) {
		a->text = tx_json_compact(a->obj);
		a->len = a->text ? strlen(a->text) : 0;
	}
	rc = a->text ? tx_job_begin(job, a, tool->timeout_ms) : -ENOMEM;
	if (rc) {
		tx_args_release(a);
		return rc;
	}
	pthread_mutex_lock(&e->jobs_lock);
	tx_jobtab_started(&e->jobs, job); /* it no longer expires */
	pthread_mutex_unlock(&e->jobs_lock);
	if (tx_timer_add(e, job)) {
		tx_job_fail(job, ENOMEM, "backend_failed", "out of memory");
		return 0;
	}
	rc = tool->backend->ops->start(tool->backend, job);
	if (rc)
		tx_job_fail(job, -rc, "backend_failed",
			    "the backend could not start "
			    "the call: %s",
			    strerror(-rc));
	return 0;
}

int tx_job_start(struct tx_job *job, const char *args_json, size_t len)
{
	struct tx_args a = { 0 };
	char err[2048];
	int rc;

	if (len > TX_ARGS_MAX) {
		rc = tx_job_reject(job, EFBIG,
				   "arguments are larger than the limit");
		return rc ? rc : -EFBIG;
	}
	a.obj = tx_json_parse(args_json, len, TX_JSON_DEPTH_MAX, err,
			      sizeof(err));
	if (err[0]) {
		rc = tx_job_reject(job, EINVAL, err);
		return rc ? rc : -EINVAL;
	}
	a.text = strndup(args_json, len);
	a.len = len;
	if (!a.text) {
		tx_args_release(&a);
		return -ENOMEM;
	}
	return tx_runner_start(job, &a);
}

int tx_job_start_argbuf(struct tx_job *job, struct tx_argbuf *ab)
{
	struct tx_args a;
	int rc;

	rc = tx_argbuf_take(ab, &a);
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		rc = tx_job_reject(job, EINVAL,
				   "incomplete JSON: the arguments "
				   "ended before the object was closed");
		return rc ? rc : -EINVAL;
	}
	return tx_runner_start(job, &a);
}

struct tx_job *tx_engine_call(struct tx_engine *e, const char *tool_id,
			      const char *args_json,
			      const struct tx_caller *caller, char *err,
			      size_t errlen)
{
	struct tx_job *job = tx_engine_job_new(e, tool_id, caller, err, errlen);

	if (!job)
		return NULL;
	/* Out of memory leaves the job new: end it, or nothing would. */
	if (tx_job_start(job, args_json, strlen(args_json)) == -ENOMEM &&
	    tx_job_state(job) == TX_JOB_NEW)
		tx_job_reject(job, ENOMEM,
			      "out of memory: the call could not start");
	return job;
}

/* ------------------------------------------------------------------ */
/* Ending                                                               */

bool tx_runner_end(struct tx_job *job, enum tx_job_state state, int err,
		   const char *code, const char *message)
{
	const struct tx_tool *t = job->tool;

	if (!tx_job_finish(job, state, err, NULL, code, NULL, message))
		return false;
	if (tx_job_cancel_due(job) && t && t->backend &&
	    t->backend->ops->cancel)
		t->backend->ops->cancel(t->backend, job);
	return true;
}

int tx_job_cancel(struct tx_job *job)
{
	if (!tx_runner_end(job, TX_JOB_CANCELLED, ECANCELED, "cancelled",
			   "the call was cancelled"))
		return -EALREADY;
	return 0;
}

void tx_runner_tools_removed(struct tx_engine *e, const struct tx_toolset *old,
			     const struct tx_toolset *cur)
{
	struct tx_job **victims = NULL, *job = NULL;
	size_t n = 0;

	pthread_mutex_lock(&e->jobs_lock);
	victims = malloc((e->jobs.n ? e->jobs.n : 1) * sizeof(*victims));
	while (victims && (job = tx_jobtab_next_by_age(&e->jobs, job))) {
		if (!job->tool || job->tool == e->chain_tool ||
		    tx_job_is_final(job) ||
		    !tx_toolset_find(old, job->tool_id) ||
		    tx_toolset_find(cur, job->tool_id))
			continue;
		victims[n++] = tx_job_ref(job);
	}
	pthread_mutex_unlock(&e->jobs_lock);
	for (size_t i = 0; i < n; i++) {
		tx_runner_end(victims[i], TX_JOB_ERROR, ENOENT, "tool_removed",
			      "the tool was removed while the call ran");
		tx_job_unref(victims[i]);
	}
	free(victims);
}
