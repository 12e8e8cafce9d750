/*
 * code_read.c - what a face reads of a run: its streams and result,
 * with one-shot listeners so that a blocked reader holds no thread, and
 * /work; and the output the reaper appends.
 *
 * A run's texts only grow, under its lock, and its result is written
 * once; listeners run outside the lock (they may read the run).
 */
#include "engine/code_i.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/job_i.h"

/* ------------------------------------------------------------------ */
/* Readers                                                              */

const char *tx_run_id(const struct tx_run *run)
{
	return run->job->id;
}
struct tx_job *tx_run_job(const struct tx_run *run)
{
	return run->job;
}
const char *tx_run_profile(const struct tx_run *run)
{
	return run->profile->name;
}
const char *tx_run_name(const struct tx_run *run)
{
	return run->name;
}
uid_t tx_run_uid(const struct tx_run *run)
{
	return run->uid;
}
gid_t tx_run_gid(const struct tx_run *run)
{
	return run->gid;
}
int tx_run_work_fd(const struct tx_run *run)
{
	return run->work_fd;
}

const struct tx_caller *tx_run_started_by(const struct tx_run *run)
{
	return &run->caller;
}

void tx_run_caller(const struct tx_run *run, struct tx_caller *out)
{
	*out = (struct tx_caller){ .uid = run->uid, .run = run->num };
}

bool tx_run_ended(const struct tx_run *run)
{
	return __atomic_load_n(&run->phase, __ATOMIC_ACQUIRE) == RUN_ENDED;
}

int tx_run_work_open(const struct tx_run *run, const char *path, int flags)
{
	if (run->work_fd < 0)
		return -ENOENT;
	if (!path || !path[0])
		path = ".";
	return tx_sandbox_work_open(run->work_fd, path, flags);
}

/* The bytes of a part; NULL for a result not there yet.  Run lock. */
static const char *part_data(const struct tx_run *run, enum tx_run_part part,
			     size_t *len)
{
	switch (part) {
	case TX_RUN_STDOUT:
		*len = run->out.len;
		return run->out.data;
	case TX_RUN_STDERR:
		*len = run->err.len;
		return run->err.data;
	case TX_RUN_RESULT:
		*len = run->result_text ? run->result_len : 0;
		return run->result_text;
	}
	*len = 0;
	return NULL;
}

size_t tx_run_read(const struct tx_run *run, enum tx_run_part part,
		   uint64_t off, char *buf, size_t len, bool *eof)
{
	struct tx_run *r = (struct tx_run *)run;
	const char *data;
	size_t have, n = 0;

	pthread_mutex_lock(&r->lock);
	data = part_data(r, part, &have);
	if (data && off < have) {
		n = have - (size_t)off;
		if (n > len)
			n = len;
		memcpy(buf, data + off, n);
	}
	*eof = n == 0 && r->phase == RUN_ENDED;
	pthread_mutex_unlock(&r->lock);
	return n;
}

uint64_t tx_run_size(const struct tx_run *run, enum tx_run_part part)
{
	struct tx_run *r = (struct tx_run *)run;
	size_t have;

	pthread_mutex_lock(&r->lock);
	part_data(r, part, &have);
	pthread_mutex_unlock(&r->lock);
	return have;
}

const char *tx_run_result_text(const struct tx_run *run, size_t *len)
{
	struct tx_run *r = (struct tx_run *)run;
	const char *t;

	pthread_mutex_lock(&r->lock);
	t = r->result_text;
	if (len)
		*len = t ? r->result_len : 0;
	pthread_mutex_unlock(&r->lock);
	return t;
}

size_t tx_run_job_ids(const struct tx_run *run, char ***ids)
{
	struct tx_run *r = (struct tx_run *)run;
	size_t n = 0;

	pthread_mutex_lock(&r->lock);
	*ids = calloc(r->ncalls ? r->ncalls : 1, sizeof(**ids));
	for (size_t i = 0; *ids && i < r->ncalls; i++) {
		(*ids)[n] = strdup(r->calls[i].job_id);
		if (!(*ids)[n])
			break;
		n++;
	}
	pthread_mutex_unlock(&r->lock);
	return *ids ? n : 0;
}

/*
 * The one place a run's grants are decided.  Everything is granted
 * today; a profile that grants some tools only (by ID, namespace, or
 * read-only hint), holds destructive calls for approval or pins tool
 * definitions decides it here, and both the per-run view (what the
 * script sees) and tx_code_job_made (what it may call, whatever the
 * view shows) follow.
 */
bool tx_run_may_use(const struct tx_run *run, const struct tx_tool *tool,
		    enum tx_run_access access)
{
	(void)run;
	(void)tool;
	(void)access;
	return true;
}

/* ------------------------------------------------------------------ */
/* Listeners and output                                                 */

/* Takes the due listeners out of the list (run lock held); the caller
 * runs them unlocked, then calls listeners_done. */
static size_t listeners_take(struct tx_run *run, struct run_listener **due)
{
	bool ended = run->phase == RUN_ENDED;
	size_t n = 0, keep = 0, have;
	uint64_t *firing;

	*due = NULL;
	for (size_t i = 0; i < run->nlisteners; i++) {
		struct run_listener *l = &run->listeners[i];

		part_data(run, l->part, &have);
		if (ended || (l->off != UINT64_MAX && have > l->off))
			n++;
	}
	if (!n)
		return 0;
	*due = malloc(n * sizeof(**due));
	firing = realloc(run->firing, (run->nfiring + n) * sizeof(*firing));
	if (firing)
		run->firing = firing;
	if (!*due || !firing) {
		/* Out of memory: they stay registered for the next event. */
		free(*due);
		*due = NULL;
		return 0;
	}
	n = 0;
	for (size_t i = 0; i < run->nlisteners; i++) {
		struct run_listener *l = &run->listeners[i];

		part_data(run, l->part, &have);
		if (ended || (l->off != UINT64_MAX && have > l->off)) {
			(*due)[n++] = *l;
			run->firing[run->nfiring++] = l->id;
		} else {
			run->listeners[keep++] = *l;
		}
	}
	run->nlisteners = keep;
	return n;
}

static void listeners_run(struct tx_run *run, struct run_listener *due,
			  size_t n)
{
	for (size_t i = 0; i < n; i++)
		due[i].fn(run, due[i].ctx);
	pthread_mutex_lock(&run->lock);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < run->nfiring; k++)
			if (run->firing[k] == due[i].id) {
				run->firing[k] = run->firing[--run->nfiring];
				break;
			}
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&run->lock);
	free(due);
}

/* Unlocks the run, then runs the listeners that are due. */
void code_run_wake_unlock(struct tx_run *run)
{
	struct run_listener *due;
	size_t n = listeners_take(run, &due);

	pthread_mutex_unlock(&run->lock);
	if (n)
		listeners_run(run, due, n);
}

uint64_t tx_run_listen(struct tx_run *run, enum tx_run_part part, uint64_t off,
		       tx_run_event_fn fn, void *ctx)
{
	struct run_listener *grown;
	uint64_t id = 0;
	size_t have;

	pthread_mutex_lock(&run->lock);
	part_data(run, part, &have);
	if (run->phase == RUN_ENDED || (off != UINT64_MAX && have > off))
		goto out_unlock;
	grown = realloc(run->listeners, (run->nlisteners + 1) * sizeof(*grown));
	if (!grown)
		goto out_unlock;
	run->listeners = grown;
	id = ++run->next_listener;
	grown[run->nlisteners++] = (struct run_listener){
		.id = id, .part = part, .off = off, .fn = fn, .ctx = ctx
	};
out_unlock:
	pthread_mutex_unlock(&run->lock);
	return id;
}

bool tx_run_unlisten(struct tx_run *run, uint64_t id)
{
	bool removed = false, running;

	if (!id)
		return false;
	pthread_mutex_lock(&run->lock);
	for (size_t i = 0; i < run->nlisteners; i++)
		if (run->listeners[i].id == id) {
			run->listeners[i] = run->listeners[--run->nlisteners];
			removed = true;
			break;
		}
	do {
		running = false;
		for (size_t k = 0; k < run->nfiring && !removed; k++)
			if (run->firing[k] == id)
				running = true;
		if (running)
			pthread_cond_wait(&run->cond, &run->lock);
	} while (running);
	pthread_mutex_unlock(&run->lock);
	return removed;
}

void code_run_output(struct tx_run *run, enum tx_run_part part, const char *buf,
		     size_t len)
{
	struct tx_buf *b = part == TX_RUN_STDOUT ? &run->out : &run->err;
	size_t room;

	if (!len)
		return;
	pthread_mutex_lock(&run->lock);
	if (run->phase == RUN_ENDED) {
		pthread_mutex_unlock(&run->lock);
		return;
	}
	/* The sandbox stops a run at its cap; bytes past it (a note of the
	 * daemon's own) are not kept. */
	room = b->max > b->len ? b->max - b->len : 0;
	tx_buf_add(b, buf, len < room ? len : room);
	code_run_wake_unlock(run);
	tx_job_output(run->job, buf, len);
}
