/*
 * jobtab.c - the engine's table of jobs: lookup by number, listing by
 * age, and the two lists collection works from.
 *
 * Collection used to scan every job to find the few it could drop, and
 * a clone nobody started was never dropped: past the keep limit every
 * new job paid a pass over all of them under jobs_lock.  Here a finished
 * job joins the tail of `final` when it ends and a new one the tail of
 * `fresh` when it is made, so the jobs to drop are always at the heads
 * and a collection touches only what it removes.  Running jobs are on
 * neither list and are never looked at.
 *
 * Everything here runs under the engine's jobs_lock.
 */
#include "engine/job_i.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#define SLOTS_MIN 256

#define job_of(link, member) \
	((struct tx_job *)((char *)(link)-offsetof(struct tx_job, member)))

static void list_init(struct job_list *l)
{
	l->head.prev = l->head.next = &l->head;
	l->n = 0;
}

static void list_append(struct job_list *l, struct job_link *k)
{
	k->prev = l->head.prev;
	k->next = &l->head;
	l->head.prev->next = k;
	l->head.prev = k;
	l->n++;
}

static void list_unlink(struct job_list *l, struct job_link *k)
{
	if (!k->next)
		return;
	k->prev->next = k->next;
	k->next->prev = k->prev;
	k->prev = k->next = NULL;
	l->n--;
}

void tx_jobtab_init(struct tx_jobtab *t)
{
	t->slots = NULL;
	t->nslots = 0;
	t->n = 0;
	t->visits = 0;
	list_init(&t->by_age);
	list_init(&t->fresh);
	list_init(&t->final);
}

void tx_jobtab_release(struct tx_jobtab *t)
{
	free(t->slots);
	tx_jobtab_init(t);
}

/* Fibonacci hashing: job numbers are consecutive, this spreads them. */
static size_t slot_of(const struct tx_jobtab *t, uint64_t num)
{
	return (size_t)((num * 0x9e3779b97f4a7c15ull) >> 32) & (t->nslots - 1);
}

static void slot_put(struct tx_jobtab *t, struct tx_job *job)
{
	size_t i = slot_of(t, job->num);

	while (t->slots[i])
		i = (i + 1) & (t->nslots - 1);
	t->slots[i] = job;
}

/* Rehashes into nslots slots; -ENOMEM leaves the table as it was. */
static int resize(struct tx_jobtab *t, size_t nslots)
{
	struct tx_job **old = t->slots;
	size_t nold = t->nslots;

	t->slots = calloc(nslots, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		return -ENOMEM;
	}
	t->nslots = nslots;
	for (size_t i = 0; i < nold; i++)
		if (old[i])
			slot_put(t, old[i]);
	free(old);
	return 0;
}

int tx_jobtab_add(struct tx_jobtab *t, struct tx_job *job)
{
	/* At most three quarters full, so probes stay short. */
	if ((t->n + 1) * 4 > t->nslots * 3 &&
	    resize(t, t->nslots ? t->nslots * 2 : SLOTS_MIN))
		return -ENOMEM;
	slot_put(t, job);
	t->n++;
	job->listed = true;
	list_append(&t->by_age, &job->by_age);
	job->queue = JOB_Q_NONE;
	if (job->state == TX_JOB_NEW) {
		list_append(&t->fresh, &job->in_queue);
		job->queue = JOB_Q_FRESH;
	}
	return 0;
}

struct tx_job *tx_jobtab_find(const struct tx_jobtab *t, uint64_t num)
{
	if (!t->nslots)
		return NULL;
	for (size_t i = slot_of(t, num); t->slots[i];
	     i = (i + 1) & (t->nslots - 1))
		if (t->slots[i]->num == num)
			return t->slots[i];
	return NULL;
}

static struct job_list *queue_list(struct tx_jobtab *t, enum job_queue q)
{
	return q == JOB_Q_FRESH   ? &t->fresh
	       : q == JOB_Q_FINAL ? &t->final
				  : NULL;
}

static void queue_leave(struct tx_jobtab *t, struct tx_job *job)
{
	struct job_list *l = queue_list(t, job->queue);

	if (l)
		list_unlink(l, &job->in_queue);
	job->queue = JOB_Q_NONE;
}

void tx_jobtab_del(struct tx_jobtab *t, struct tx_job *job)
{
	size_t i, j;

	if (!job->listed)
		return;
	for (i = slot_of(t, job->num); t->slots[i] != job;
	     i = (i + 1) & (t->nslots - 1))
		;
	/* Backward-shift deletion: no tombstones, probes stay short. */
	for (j = (i + 1) & (t->nslots - 1); t->slots[j];
	     j = (j + 1) & (t->nslots - 1)) {
		size_t home = slot_of(t, t->slots[j]->num);

		/* Move slots[j] into the hole at i unless its home lies
		 * cyclically in (i, j]. */
		if (((j - home) & (t->nslots - 1)) >=
		    ((j - i) & (t->nslots - 1))) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i] = NULL;
	t->n--;
	list_unlink(&t->by_age, &job->by_age);
	queue_leave(t, job);
	job->listed = false;
	/* Give memory back after a burst; amortized like growing. */
	if (t->nslots > SLOTS_MIN && t->n * 8 < t->nslots)
		resize(t, t->nslots / 2);
}

void tx_jobtab_started(struct tx_jobtab *t, struct tx_job *job)
{
	if (job->listed && job->queue == JOB_Q_FRESH)
		queue_leave(t, job);
}

void tx_jobtab_finished(struct tx_jobtab *t, struct tx_job *job)
{
	if (!job->listed || job->queue == JOB_Q_FINAL)
		return;
	queue_leave(t, job);
	list_append(&t->final, &job->in_queue);
	job->queue = JOB_Q_FINAL;
}

struct tx_job *tx_jobtab_first_queued(struct job_list *l)
{
	if (l->head.next == &l->head)
		return NULL;
	return job_of(l->head.next, in_queue);
}

struct tx_job *tx_jobtab_next_by_age(struct tx_jobtab *t, struct tx_job *job)
{
	struct job_link *k = job ? job->by_age.next : t->by_age.head.next;

	return k == &t->by_age.head ? NULL : job_of(k, by_age);
}
