/*
 * jobs.c - the engine's jobs: made, found, listed, removed, collected.
 *
 * The table itself (lookup by number, the lists by age) is jobtab.c;
 * this is what the engine does with it, under jobs_lock.  Finished jobs
 * stay for job_keep_seconds and at most job_keep_max of them; a job
 * nobody started expires after job_new_seconds.
 */
#include "engine/engine_i.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/code.h"
#include "engine/job_i.h"
#include "util/clock.h"

#define GC_BATCH 256

static size_t keep_limit(const struct tx_engine *e)
{
	return e->opts.job_keep_max ? e->opts.job_keep_max : 1000;
}

static unsigned new_seconds(const struct tx_engine *e)
{
	return e->opts.job_new_seconds ? e->opts.job_new_seconds : 600;
}

/*
 * One collection: finished jobs past the count limit (and, with ages,
 * past job_keep_seconds) leave the table, oldest first; with ages, jobs
 * nobody started within job_new_seconds expire.  Both lists are in age
 * order, so each loop stops at the first job to keep: the work is what
 * is removed, in batches so that jobs_lock is never held long.  Dropped
 * references and expiries happen outside the lock (a job's last
 * reference can end a tool, and ending a job runs its listeners).
 */
static void collect(struct tx_engine *e, bool ages)
{
	uint64_t keep_ns = (uint64_t)(e->opts.job_keep_seconds
					      ? e->opts.job_keep_seconds
					      : 600) *
			   1000000000u;
	uint64_t new_ns = (uint64_t)new_seconds(e) * 1000000000u;
	size_t keep_max = keep_limit(e), ndrop, nexp;
	struct tx_job *drop[GC_BATCH], *expire[GC_BATCH];
	char why[128];

	snprintf(why, sizeof(why),
		 "nobody started the job within %u s "
		 "(job_new_seconds); it expired",
		 new_seconds(e));
	do {
		struct tx_job *job;
		uint64_t now;

		ndrop = nexp = 0;
		pthread_mutex_lock(&e->jobs_lock);
		/* Read under the lock: a job made (or ended) by another
		 * thread after an earlier reading would look older than
		 * time itself, and expire at once (tx_age_past). */
		now = tx_now_ns();
		while (ndrop < GC_BATCH &&
		       (job = tx_jobtab_first_queued(&e->jobs.final)) &&
		       (e->jobs.final.n > keep_max ||
			(ages && tx_age_past(now, job->finished_ns, keep_ns)))) {
			e->jobs.visits++;
			tx_jobtab_del(&e->jobs, job);
			drop[ndrop++] = job; /* the table's reference */
		}
		while (ages && nexp < GC_BATCH &&
		       (job = tx_jobtab_first_queued(&e->jobs.fresh))) {
			if (tx_job_state(job) == TX_JOB_NEW &&
			    !tx_age_past(now, job->created_ns, new_ns))
				break;
			e->jobs.visits++;
			/* Off the list either way: started since, or tried
			 * once below (a start may still win that race). */
			tx_jobtab_started(&e->jobs, job);
			if (tx_job_state(job) == TX_JOB_NEW)
				expire[nexp++] = tx_job_ref(job);
		}
		pthread_mutex_unlock(&e->jobs_lock);
		for (size_t i = 0; i < ndrop; i++)
			tx_job_unref(drop[i]);
		for (size_t i = 0; i < nexp; i++) {
			bool listed = false;

			job = expire[i];
			/* Wakes whoever waits on its result, then it goes. */
			if (tx_job_finish_new(job, TX_JOB_CANCELLED, ECANCELED,
					      "expired", why)) {
				pthread_mutex_lock(&e->jobs_lock);
				listed = job->listed;
				tx_jobtab_del(&e->jobs, job);
				pthread_mutex_unlock(&e->jobs_lock);
			}
			if (listed)
				tx_job_unref(job); /* the table's */
			tx_job_unref(job);
		}
	} while (ndrop == GC_BATCH || nexp == GC_BATCH);
}

void tx_jobs_collect(struct tx_engine *e)
{
	collect(e, true);
}

void tx_jobs_count(struct tx_engine *e, size_t *jobs, size_t *active,
		   size_t *fresh)
{
	pthread_mutex_lock(&e->jobs_lock);
	*jobs = e->jobs.n;
	*fresh = e->jobs.fresh.n;
	*active = e->jobs.n - e->jobs.final.n - e->jobs.fresh.n;
	pthread_mutex_unlock(&e->jobs_lock);
}

void tx_jobs_release(struct tx_engine *e)
{
	for (struct tx_job *job;
	     (job = tx_jobtab_next_by_age(&e->jobs, NULL));) {
		tx_jobtab_del(&e->jobs, job);
		tx_job_detach(job);
		tx_job_unref(job);
	}
	tx_jobtab_release(&e->jobs);
}

struct tx_job *tx_engine_job_new(struct tx_engine *e, const char *tool_id,
				 const struct tx_caller *caller, char *err,
				 size_t errlen)
{
	const struct tx_tool *tool = tx_engine_find_tool(e, tool_id);
	struct tx_job *job;

	if (!tool) {
		snprintf(err, errlen,
			 "no tool \"%s\" (toolexec list shows them)", tool_id);
		errno = ENOENT;
		return NULL;
	}
	job = tx_runner_job_new(e, tool, tool_id, caller);
	tx_tool_unref(tool);
	if (!job) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	/* A call of a code run counts against its max_tool_calls; past it
	 * the job is ended here, so every calling way refuses it alike. */
	if (caller && caller->run)
		tx_code_job_made(e, job);
	return job;
}

struct tx_job *tx_runner_job_new(struct tx_engine *e,
				 const struct tx_tool *tool,
				 const char *tool_id,
				 const struct tx_caller *caller)
{
	struct tx_job *job = NULL;
	bool gc = false;

	pthread_mutex_lock(&e->jobs_lock);
	job = tx_job_alloc(e, &tx_runner_hooks, e->next_job, tool_id, tool,
			   caller);
	if (job && tx_jobtab_add(&e->jobs, job)) {
		tx_job_unref(job); /* `tool` still holds the tool */
		job = NULL;
	}
	if (job) {
		e->next_job++;
		tx_job_ref(job); /* the table's */
		/* The count limit at once (it costs what it removes); the
		 * timer thread applies the age limits every second. */
		gc = e->jobs.final.n > keep_limit(e);
	}
	pthread_mutex_unlock(&e->jobs_lock);
	if (!job) {
		errno = ENOMEM;
		return NULL;
	}
	if (gc)
		collect(e, false);
	return job;
}

struct tx_job *tx_engine_job_get(struct tx_engine *e, const char *id)
{
	struct tx_job *job = NULL;
	char *end;
	uint64_t num;

	errno = 0;
	num = strtoull(id, &end, 10);
	if (!*id || *end || errno || (id[0] == '0' && id[1])) {
		errno = ENOENT;
		return NULL;
	}
	pthread_mutex_lock(&e->jobs_lock);
	job = tx_jobtab_find(&e->jobs, num);
	if (job)
		tx_job_ref(job);
	pthread_mutex_unlock(&e->jobs_lock);
	if (!job)
		errno = ENOENT;
	return job;
}

size_t tx_engine_job_ids(struct tx_engine *e, char ***ids)
{
	struct tx_job *job = NULL;
	size_t n = 0;

	pthread_mutex_lock(&e->jobs_lock);
	*ids = calloc(e->jobs.n ? e->jobs.n : 1, sizeof(**ids));
	while (*ids && (job = tx_jobtab_next_by_age(&e->jobs, job))) {
		(*ids)[n] = strdup(job->id);
		if (!(*ids)[n])
			break;
		n++;
	}
	pthread_mutex_unlock(&e->jobs_lock);
	return *ids ? n : 0;
}

void tx_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

int tx_engine_job_remove(struct tx_engine *e, const char *id)
{
	struct tx_job *job = tx_engine_job_get(e, id);
	bool listed;

	if (!job)
		return -ENOENT;
	tx_job_cancel(job);
	pthread_mutex_lock(&e->jobs_lock);
	listed = job->listed;
	tx_jobtab_del(&e->jobs, job);
	pthread_mutex_unlock(&e->jobs_lock);
	if (listed)
		tx_job_unref(job); /* the table's reference */
	tx_job_unref(job);
	return 0;
}
