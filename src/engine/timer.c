/*
 * timer.c - timeouts: one binary heap of running jobs ordered by
 * deadline, served by one timer thread.
 *
 * A job that finishes takes itself off the heap (the runner's "finished"
 * hook), so the heap holds only running jobs and memory stays flat under
 * load.  The thread also runs the job table's collection once a second.
 * Everything here runs under timer_lock except the work a deadline
 * triggers (ending the job runs its listeners and the backend's
 * cancel), which runs outside it.
 */
#include "engine/engine_i.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/job_i.h"
#include "engine/backend.h"
#include "engine/tool.h"
#include "util/clock.h"

#define NS_PER_S 1000000000u

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

		if (l < e->nheap &&
		    e->heap[l]->deadline_ns < e->heap[m]->deadline_ns)
			m = l;
		if (r < e->nheap &&
		    e->heap[r]->deadline_ns < e->heap[m]->deadline_ns)
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

/*
 * "did not finish within N ms" and what sets that limit, so that the
 * reader knows which key to raise (or that the limit is fixed).
 */
static void timeout_message(const struct tx_job *job, char *msg, size_t len)
{
	const struct tx_tool *t = job->tool;
	const char *kind = t && t->backend ? t->backend->ops->kind : "";
	unsigned ms = t ? t->timeout_ms : 0;
	int n;

	n = snprintf(msg, len, "the call did not finish within %u ms, ", ms);
	if (n < 0 || (size_t)n >= len)
		return;
	if (!strcmp(kind, "exec"))
		snprintf(msg + n, len - (size_t)n,
			 "the timeout of %s: its \"timeout_ms\" in %s", t->id,
			 t->origin ? t->origin : "the configuration");
	else if (!strcmp(kind, "mcp"))
		snprintf(msg + n, len - (size_t)n,
			 "the timeout of %s: \"timeout_ms\" of MCP server "
			 "\"%s\" under \"mcpServers\" in the configuration",
			 t->id, t->ns);
	else
		snprintf(msg + n, len - (size_t)n,
			 "the fixed timeout of %s (not configurable)",
			 t ? t->id : "the tool");
}

static void *timer_main(void *arg)
{
	struct tx_engine *e = arg;
	char msg[512];
	uint64_t last_gc = tx_now_ns();

	pthread_mutex_lock(&e->timer_lock);
	while (!e->stopping) {
		uint64_t now = tx_now_ns(), wake = now + NS_PER_S;
		struct timespec ts;

		if (e->nheap && e->heap[0]->deadline_ns <= now) {
			struct tx_job *job = heap_remove(e, e->heap[0]);

			pthread_mutex_unlock(&e->timer_lock);
			timeout_message(job, msg, sizeof(msg));
			tx_runner_end(job, TX_JOB_TIMEOUT, ETIMEDOUT, "timeout",
				      msg);
			tx_job_unref(job);
			pthread_mutex_lock(&e->timer_lock);
			continue;
		}
		if (now - last_gc >= NS_PER_S) {
			pthread_mutex_unlock(&e->timer_lock);
			tx_jobs_collect(e);
			tx_elicit_tick(e);
			last_gc = tx_now_ns();
			pthread_mutex_lock(&e->timer_lock);
			continue;
		}
		if (e->nheap && e->heap[0]->deadline_ns < wake)
			wake = e->heap[0]->deadline_ns;
		/* The condvar runs on CLOCK_MONOTONIC (tx_timer_init). */
		ts = tx_mono_timespec(wake);
		e->timer_wake_ns = wake;
		pthread_cond_timedwait(&e->timer_cond, &e->timer_lock, &ts);
		e->timer_wake_ns = 0;
	}
	pthread_mutex_unlock(&e->timer_lock);
	return NULL;
}

int tx_timer_init(struct tx_engine *e)
{
	pthread_mutex_init(&e->timer_lock, NULL);
	tx_cond_init_monotonic(&e->timer_cond);
	if (pthread_create(&e->timer, NULL, timer_main, e))
		return -EAGAIN;
	e->timer_started = true;
	return 0;
}

void tx_timer_stop(struct tx_engine *e)
{
	pthread_mutex_lock(&e->timer_lock);
	e->stopping = true;
	pthread_cond_signal(&e->timer_cond);
	pthread_mutex_unlock(&e->timer_lock);
	if (e->timer_started)
		pthread_join(e->timer, NULL);
	e->timer_started = false;
}

void tx_timer_release(struct tx_engine *e)
{
	for (size_t i = 0; i < e->nheap; i++) {
		e->heap[i]->heap_idx = SIZE_MAX;
		tx_job_unref(e->heap[i]);
	}
	free(e->heap);
	e->heap = NULL;
	e->nheap = e->heap_cap = 0;
	pthread_cond_destroy(&e->timer_cond);
	pthread_mutex_destroy(&e->timer_lock);
}

int tx_timer_add(struct tx_engine *e, struct tx_job *job)
{
	int rc;

	pthread_mutex_lock(&e->timer_lock);
	rc = heap_push(e, job);
	/* Wake the timer only when it would sleep past this deadline: a
	 * wake-up per call would cost a context switch per call. */
	if (rc == 0 && job->deadline_ns < e->timer_wake_ns)
		pthread_cond_signal(&e->timer_cond);
	pthread_mutex_unlock(&e->timer_lock);
	return rc;
}

void tx_timer_remove(struct tx_engine *e, struct tx_job *job)
{
	struct tx_job *held;

	pthread_mutex_lock(&e->timer_lock);
	held = heap_remove(e, job);
	pthread_mutex_unlock(&e->timer_lock);
	if (held)
		tx_job_unref(held);
}
