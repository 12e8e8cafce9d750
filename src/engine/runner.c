/*
 * runner.c - calls: resolve, validate, dispatch, time out, count.
 *
 * Timeouts live in one binary heap ordered by deadline, served by one
 * timer thread; a job that finishes takes itself off the heap, so a busy
 * engine holds no finished job longer than its keep policy says.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/backend.h"
#include "engine/code.h"
#include "util/buf.h"
#include "engine/engine_i.h"
#include "engine/job_i.h"
#include "util/jsonu.h"
#include "util/log.h"
#include "engine/registry.h"
#include "schema/schema.h"
#include "engine/tool.h"


/* ------------------------------------------------------------------ */
/* The timer heap (timer_lock)                                          */

static void heap_swap(struct tx_engine *e, size_t a, size_t b)
{
	struct tx_job *t = e->heap[a];

	e->heap[a] = e->heap[b];
	e->heap[b] = t;
	e->heap[a]->heap_idx = a;
	e->heap[b]->heap_idx = b;
}

static void heap_up(struct tx_engine *e, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (e->heap[p]->deadline_ns <= e->heap[i]->deadline_ns)
			break;
		heap_swap(e, p, i);
		i = p;
	}
}

static void heap_down(struct tx_engine *e, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < e->nheap && e->heap[l]->deadline_ns < e->heap[m]->deadline_ns)
			m = l;
		if (r < e->nheap && e->heap[r]->deadline_ns < e->heap[m]->deadline_ns)
			m = r;
		if (m == i)
			return;
		heap_swap(e, i, m);
		i = m;
	}
}

static int heap_push(struct tx_engine *e, struct tx_job *job)
{
	if (e->nheap == e->heap_cap) {
		size_t cap = e->heap_cap ? e->heap_cap * 2 : 64;
		struct tx_job **h = realloc(e->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		e->heap = h;
		e->heap_cap = cap;
	}
	e->heap[e->nheap] = tx_job_ref(job);
	job->heap_idx = e->nheap++;
	heap_up(e, job->heap_idx);
	return 0;
}

/* Removes job from the heap; returns the heap's reference (or NULL). */
static struct tx_job *heap_remove(struct tx_engine *e, struct tx_job *job)
{
	size_t i = job->heap_idx;

	if (i == SIZE_MAX || i >= e->nheap || e->heap[i] != job)
		return NULL;
	e->nheap--;
	if (i != e->nheap) {
		heap_swap(e, i, e->nheap);
		heap_down(e, i);
		heap_up(e, i);
	}
	job->heap_idx = SIZE_MAX;
	return job;
}

static void send_cancel(struct tx_job *job)
{
	const struct tx_tool *t = job->tool;
	bool send;

	pthread_mutex_lock(&job->lock);
	send = !job->cancel_sent && job->started.tv_sec;
	job->cancel_sent = true;
	pthread_mutex_unlock(&job->lock);
	if (send && t && t->backend && t->backend->ops->cancel)
		t->backend->ops->cancel(t->backend, job);
}

static void *timer_main(void *arg)
{
	struct tx_engine *e = arg;
	uint64_t last_gc = tx_now_ns();

	pthread_mutex_lock(&e->timer_lock);
	while (!e->stopping) {
		uint64_t now = tx_now_ns(), wake = now + 1000000000u;
		struct timespec ts;

		if (e->nheap && e->heap[0]->deadline_ns <= now) {
			struct tx_job *job = heap_remove(e, e->heap[0]);

			pthread_mutex_unlock(&e->timer_lock);
			if (tx_job_finish(job, TX_JOB_TIMEOUT, ETIMEDOUT, NULL,
					  "timeout", NULL,
					  "the call did not finish within its timeout"))
				send_cancel(job);
			tx_job_unref(job);
			pthread_mutex_lock(&e->timer_lock);
			continue;
		}
		if (now - last_gc >= 1000000000u) {
			pthread_mutex_unlock(&e->timer_lock);
			tx_runner_gc(e);
			last_gc = tx_now_ns();
			pthread_mutex_lock(&e->timer_lock);
			continue;
		}
		if (e->nheap && e->heap[0]->deadline_ns < wake)
			wake = e->heap[0]->deadline_ns;
		/* The condvar runs on CLOCK_MONOTONIC (see tx_runner_init). */
		ts.tv_sec = (time_t)(wake / 1000000000u);
		ts.tv_nsec = (long)(wake % 1000000000u);
		e->timer_wake_ns = wake;
		pthread_cond_timedwait(&e->timer_cond, &e->timer_lock, &ts);
		e->timer_wake_ns = 0;
	}
	pthread_mutex_unlock(&e->timer_lock);
	return NULL;
}

int tx_runner_init(struct tx_engine *e)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&e->jobs_lock, NULL);
	pthread_mutex_init(&e->timer_lock, NULL);
	pthread_mutex_init(&e->stats_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&e->timer_cond, &ca);
	pthread_condattr_destroy(&ca);
	tx_jobtab_init(&e->jobs);
	e->next_job = 1;
	e->started_ns = tx_now_ns();
	if (pthread_create(&e->timer, NULL, timer_main, e))
		return -EAGAIN;
	e->timer_started = true;
	return 0;
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
	pthread_mutex_lock(&e->timer_lock);
	e->stopping = true;
	pthread_cond_signal(&e->timer_cond);
	pthread_mutex_unlock(&e->timer_lock);
	if (e->timer_started)
		pthread_join(e->timer, NULL);
	e->timer_started = false;
}

void tx_runner_release(struct tx_engine *e)
{
	for (size_t i = 0; i < e->nheap; i++) {
		e->heap[i]->heap_idx = SIZE_MAX;
		tx_job_unref(e->heap[i]);
	}
	free(e->heap);
	for (struct tx_job *job; (job = tx_jobtab_next_by_age(&e->jobs, NULL));) {
		tx_jobtab_del(&e->jobs, job);
		job->engine = NULL;
		tx_job_unref(job);
	}
	tx_jobtab_release(&e->jobs);
	for (size_t i = 0; i < e->nstats; i++)
		free(e->stats[i].id);
	free(e->stats);
	pthread_cond_destroy(&e->timer_cond);
	pthread_mutex_destroy(&e->timer_lock);
	pthread_mutex_destroy(&e->jobs_lock);
	pthread_mutex_destroy(&e->stats_lock);
}

/* ------------------------------------------------------------------ */
/* Statistics (stats_lock)                                              */

static struct tool_stats *stats_get(struct tx_engine *e, const char *id)
{
	struct tool_stats *grown;

	for (size_t i = 0; i < e->nstats; i++)
		if (!strcmp(e->stats[i].id, id))
			return &e->stats[i];
	grown = realloc(e->stats, (e->nstats + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	e->stats = grown;
	memset(&grown[e->nstats], 0, sizeof(*grown));
	grown[e->nstats].id = strdup(id);
	if (!grown[e->nstats].id)
		return NULL;
	return &e->stats[e->nstats++];
}

void tx_runner_job_done(struct tx_engine *e, struct tx_job *job)
{
	struct tx_job *held;
	struct tool_stats *st;
	uint64_t us;

	pthread_mutex_lock(&e->timer_lock);
	held = heap_remove(e, job);
	pthread_mutex_unlock(&e->timer_lock);
	if (held)
		tx_job_unref(held);
	pthread_mutex_lock(&e->jobs_lock);
	tx_jobtab_finished(&e->jobs, job);
	pthread_mutex_unlock(&e->jobs_lock);
	if (job->caller.run)
		tx_code_job_done(e, job);
	if (!job->start_ns)
		return;
	us = (tx_now_ns() - job->start_ns) / 1000;
	pthread_mutex_lock(&e->stats_lock);
	e->calls_total++;
	st = stats_get(e, job->tool_id);
	if (st) {
		st->calls++;
		if (job->state != TX_JOB_OK)
			st->errors++;
		st->lat_us[st->nlat++ % 1024] = us > UINT32_MAX ? UINT32_MAX
							       : (uint32_t)us;
	}
	pthread_mutex_unlock(&e->stats_lock);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

char *tx_engine_stats_text(struct tx_engine *e)
{
	uint32_t lat[1024];
	struct tx_buf b;

	tx_buf_init(&b, 0);
	tx_buf_adds(&b, "tool\tcalls\terrors\tp50_ms\tp99_ms\n");
	pthread_mutex_lock(&e->stats_lock);
	for (size_t i = 0; i < e->nstats; i++) {
		struct tool_stats *st = &e->stats[i];
		size_t n = st->nlat < 1024 ? st->nlat : 1024;
		double p50 = 0, p99 = 0;

		if (n) {
			memcpy(lat, st->lat_us, n * sizeof(*lat));
			qsort(lat, n, sizeof(*lat), cmp_u32);
			p50 = lat[(n - 1) / 2] / 1000.0;
			p99 = lat[(n - 1) * 99 / 100] / 1000.0;
		}
		tx_buf_printf(&b, "%s\t%" PRIu64 "\t%" PRIu64 "\t%.3f\t%.3f\n",
			      st->id, st->calls, st->errors, p50, p99);
	}
	pthread_mutex_unlock(&e->stats_lock);
	return tx_buf_detach(&b, NULL);
}

/* ------------------------------------------------------------------ */
/* The job table (jobs_lock; jobtab.c)                                  */

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
					      : 600) * 1000000000u;
	uint64_t new_ns = (uint64_t)new_seconds(e) * 1000000000u;
	size_t keep_max = keep_limit(e), ndrop, nexp;
	struct tx_job *drop[GC_BATCH], *expire[GC_BATCH];
	char why[128];

	snprintf(why, sizeof(why), "nobody started the job within %u s "
		 "(job_new_seconds); it expired", new_seconds(e));
	do {
		uint64_t now = tx_now_ns();
		struct tx_job *job;

		ndrop = nexp = 0;
		pthread_mutex_lock(&e->jobs_lock);
		while (ndrop < GC_BATCH &&
		       (job = tx_jobtab_first_queued(&e->jobs.final)) &&
		       (e->jobs.final.n > keep_max ||
			(ages && now - job->finished_ns > keep_ns))) {
			e->jobs.visits++;
			tx_jobtab_del(&e->jobs, job);
			drop[ndrop++] = job;	/* the table's reference */
		}
		while (ages && nexp < GC_BATCH &&
		       (job = tx_jobtab_first_queued(&e->jobs.fresh))) {
			if (tx_job_state(job) == TX_JOB_NEW &&
			    now - job->created_ns <= new_ns)
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
				tx_job_unref(job);	/* the table's */
			tx_job_unref(job);
		}
	} while (ndrop == GC_BATCH || nexp == GC_BATCH);
}

void tx_runner_gc(struct tx_engine *e)
{
	collect(e, true);
}

void tx_runner_job_counts(struct tx_engine *e, size_t *jobs, size_t *active)
{
	pthread_mutex_lock(&e->jobs_lock);
	*jobs = e->jobs.n;
	*active = e->jobs.n - e->jobs.final.n;
	pthread_mutex_unlock(&e->jobs_lock);
}

static const struct tx_tool *resolve(struct tx_engine *e, const char *tool_id)
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

struct tx_job *tx_engine_job_new(struct tx_engine *e, const char *tool_id,
				 const struct tx_caller *caller, char *err,
				 size_t errlen)
{
	const struct tx_tool *tool = resolve(e, tool_id);
	struct tx_job *job;

	if (!tool) {
		snprintf(err, errlen, "no tool \"%s\" (toolexec list shows them)",
			 tool_id);
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
	job = tx_job_alloc(e, e->next_job, tool_id, tool, caller);
	if (job && tx_jobtab_add(&e->jobs, job)) {
		tx_job_unref(job);	/* `tool` still holds the tool */
		job = NULL;
	}
	if (job) {
		e->next_job++;
		tx_job_ref(job);	/* the table's */
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
		tx_job_unref(job);	/* the table's reference */
	tx_job_unref(job);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Starting and cancelling                                              */

static int check_parsed(struct tx_engine *e, const struct tx_tool *tool,
			struct json_object *args, char *err, size_t errlen)
{
	if (!json_object_is_type(args, json_type_object)) {
		snprintf(err, errlen, "arguments must be a JSON object, got %s",
			 args ? tx_json_type_name(args) : "null");
		return -EINVAL;
	}
	if (tool->input_validator &&
	    tx_schema_validate(tool->input_validator, args, err, errlen))
		return -EINVAL;
	if (tool == e->chain_tool)
		return tx_chain_check(e, args, err, errlen);
	return 0;
}

int tx_engine_check_args(struct tx_engine *e, const char *tool_id,
			 const char *args_json, char *err, size_t errlen)
{
	const struct tx_tool *tool = resolve(e, tool_id);
	struct json_object *args;
	int rc;

	if (!tool) {
		snprintf(err, errlen, "no tool \"%s\"", tool_id);
		return -ENOENT;
	}
	args = tx_json_parse(args_json, strlen(args_json), TX_JSON_DEPTH_MAX,
			     err, errlen);
	rc = err[0] ? -EINVAL : check_parsed(e, tool, args, err, errlen);
	json_object_put(args);
	tx_tool_unref(tool);
	return rc;
}

int tx_job_start(struct tx_job *job, const char *args_json, size_t len)
{
	struct tx_engine *e = job->engine;
	const struct tx_tool *tool = job->tool;
	struct json_object *args;
	char err[2048];
	char *text;
	int rc;

	if (len > TX_ARGS_MAX) {
		rc = tx_job_reject(job, EFBIG, "arguments are larger than the limit");
		return rc ? rc : -EFBIG;
	}
	args = tx_json_parse(args_json, len, TX_JSON_DEPTH_MAX, err, sizeof(err));
	if (err[0] || (rc = check_parsed(e, tool, args, err, sizeof(err)))) {
		json_object_put(args);
		/* Checked and ended in one step: a valid start on another
		 * thread may have won since this one began. */
		rc = tx_job_reject(job, EINVAL, err);
		return rc ? rc : -EINVAL;
	}
	text = strndup(args_json, len);
	pthread_mutex_lock(&job->lock);
	if (job->state != TX_JOB_NEW || !text) {
		rc = job->state != TX_JOB_NEW ? -EALREADY : -ENOMEM;
		pthread_mutex_unlock(&job->lock);
		json_object_put(args);
		free(text);
		return rc;
	}
	job->args = args;
	job->args_text = text;
	__atomic_store_n(&job->state, TX_JOB_RUNNING, __ATOMIC_RELEASE);
	clock_gettime(CLOCK_REALTIME, &job->started);
	job->start_ns = tx_now_ns();
	job->deadline_ns = job->start_ns + (uint64_t)tool->timeout_ms * 1000000u;
	pthread_mutex_unlock(&job->lock);
	pthread_mutex_lock(&e->jobs_lock);
	tx_jobtab_started(&e->jobs, job);	/* it no longer expires */
	pthread_mutex_unlock(&e->jobs_lock);

	pthread_mutex_lock(&e->timer_lock);
	rc = heap_push(e, job);
	/* Wake the timer only when it would sleep past this deadline: a
	 * wake-up per call would cost a context switch per call. */
	if (rc == 0 && job->deadline_ns < e->timer_wake_ns)
		pthread_cond_signal(&e->timer_cond);
	pthread_mutex_unlock(&e->timer_lock);
	if (rc) {
		tx_job_fail(job, ENOMEM, "backend_failed", "out of memory");
		return 0;
	}
	rc = tool->backend->ops->start(tool->backend, job);
	if (rc)
		tx_job_fail(job, -rc, "backend_failed", "the backend could not start "
			    "the call: %s", strerror(-rc));
	return 0;
}

struct tx_job *tx_engine_call(struct tx_engine *e, const char *tool_id,
			      const char *args_json,
			      const struct tx_caller *caller, char *err,
			      size_t errlen)
{
	struct tx_job *job = tx_engine_job_new(e, tool_id, caller, err, errlen);

	if (!job)
		return NULL;
	tx_job_start(job, args_json, strlen(args_json));
	return job;
}

int tx_job_cancel(struct tx_job *job)
{
	if (!tx_job_finish(job, TX_JOB_CANCELLED, ECANCELED, NULL, "cancelled",
			   NULL, "the call was cancelled"))
		return -EALREADY;
	send_cancel(job);
	return 0;
}

void tx_runner_tools_removed(struct tx_engine *e,
			     const struct tx_toolset *old,
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
		if (tx_job_finish(victims[i], TX_JOB_ERROR, ENOENT, NULL,
				  "tool_removed", NULL,
				  "the tool was removed while the call ran"))
			send_cancel(victims[i]);
		tx_job_unref(victims[i]);
	}
	free(victims);
}
