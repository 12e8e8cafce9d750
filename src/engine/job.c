/*
 * job.c - one struct per call: its life cycle, state, stream and
 * listeners, and turning final.
 *
 * Every change of a job's state is made here, under its lock: it is
 * made (NEW), started (tx_job_begin: RUNNING, with its arguments and
 * deadline), ended (job_finish: final, with its outcome).  The engine
 * hears of the end through the job's hooks.
 *
 * A job's outcome is written exactly once, under its lock, when it turns
 * final; after that the texts never change, so the many readers of a
 * finished job (result, result.json, error, every waiting reader) read
 * them without locking (job_result.c renders them).  Listeners are
 * one-shot and run outside the lock, so a listener may read the job
 * freely.
 */
#include "engine/job_i.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/tool.h"
#include "schema/schema.h"
#include "util/clock.h"
#include "util/log.h"

/* ------------------------------------------------------------------ */
/* Life cycle                                                           */

struct tx_job *tx_job_alloc(struct tx_engine *engine,
			    const struct tx_job_hooks *hooks, uint64_t num,
			    const char *tool_id, const struct tx_tool *tool,
			    const struct tx_caller *caller)
{
	struct tx_job *job = calloc(1, sizeof(*job));

	if (!job)
		return NULL;
	job->tool_id = strdup(tool_id);
	if (!job->tool_id) {
		free(job);
		return NULL;
	}
	atomic_init(&job->refs, 1);
	job->engine = engine;
	job->hooks = hooks;
	job->num = num;
	snprintf(job->id, sizeof(job->id), "%" PRIu64, num);
	job->tool = tool ? tx_tool_ref(tool) : NULL;
	if (caller) {
		job->caller = *caller;
		job->has_caller = true;
	}
	pthread_mutex_init(&job->lock, NULL);
	pthread_cond_init(&job->cond, NULL);
	job->state = TX_JOB_NEW;
	job->heap_idx = SIZE_MAX;
	clock_gettime(CLOCK_REALTIME, &job->created);
	job->created_ns = tx_now_ns();
	tx_buf_init(&job->stream, TX_STREAM_MAX);
	return job;
}

struct tx_job *tx_job_ref(struct tx_job *job)
{
	atomic_fetch_add(&job->refs, 1);
	return job;
}

void tx_job_unref(struct tx_job *job)
{
	if (!job || atomic_fetch_sub(&job->refs, 1) != 1)
		return;
	if (job->tool)
		tx_tool_unref(job->tool);
	tx_args_release(&job->args);
	free(job->tool_id);
	tx_result_free(job->result);
	free(job->task_id);
	free(job->code);
	free(job->path);
	free(job->message);
	free(job->result_text);
	free(job->envelope_text);
	free(job->error_text);
	tx_job_questions_free(job);
	tx_buf_release(&job->stream);
	free(job->listeners);
	free(job->firing);
	pthread_mutex_destroy(&job->lock);
	pthread_cond_destroy(&job->cond);
	free(job);
}

/* ------------------------------------------------------------------ */
/* Readers                                                              */

static const char *const state_names[] = {
	[TX_JOB_NEW] = "new",
	[TX_JOB_QUEUED] = "queued",
	[TX_JOB_RUNNING] = "running",
	[TX_JOB_OK] = "ok",
	[TX_JOB_ERROR] = "error",
	[TX_JOB_TIMEOUT] = "timeout",
	[TX_JOB_CANCELLED] = "cancelled",
};

const char *tx_job_state_name(enum tx_job_state state)
{
	if ((unsigned)state < sizeof(state_names) / sizeof(state_names[0]))
		return state_names[state];
	return "unknown";
}

const char *tx_job_id(const struct tx_job *job)
{
	return job->id;
}
const char *tx_job_tool_id(const struct tx_job *job)
{
	return job->tool_id;
}
const struct tx_caller *tx_job_caller(const struct tx_job *job)
{
	return &job->caller;
}
const struct tx_tool *tx_job_tool(const struct tx_job *job)
{
	return job->tool;
}
struct json_object *tx_job_args(const struct tx_job *job)
{
	return job->args.obj;
}

/* Written under the lock with release stores, so a reader that only
 * wants the state needs no lock (status never blocks, GC scans fast). */
enum tx_job_state tx_job_state(const struct tx_job *job)
{
	return __atomic_load_n(&job->state, __ATOMIC_ACQUIRE);
}

bool tx_job_is_final(const struct tx_job *job)
{
	return tx_job_state_final(tx_job_state(job));
}

const char *tx_job_status_name(const struct tx_job *job)
{
	struct tx_job *j = (struct tx_job *)job;
	const char *name;

	pthread_mutex_lock(&j->lock);
	name = tx_job_state_name(j->state);
	/* Only these two: "completed", "failed" or "cancelled" of a task
	 * whose result is on its way is still "running" to us, and the
	 * job's own final state says how it ended. */
	if (j->state == TX_JOB_RUNNING && atomic_load(&j->open_questions) > 0) {
		/* A question of ours waits for a person (elicit.c). */
		name = "input_required";
	} else if (j->state == TX_JOB_RUNNING && j->task_id) {
		if (!strcmp(j->task_status, "working"))
			name = "working";
		else if (!strcmp(j->task_status, "input_required"))
			name = "input_required";
	}
	pthread_mutex_unlock(&j->lock);
	return name;
}

char *tx_job_task_id(const struct tx_job *job)
{
	struct tx_job *j = (struct tx_job *)job;
	char *id;

	pthread_mutex_lock(&j->lock);
	id = j->task_id ? strdup(j->task_id) : NULL;
	pthread_mutex_unlock(&j->lock);
	return id;
}

void tx_job_set_task(struct tx_job *job, const char *task_id,
		     const char *status)
{
	char *copy = task_id ? strdup(task_id) : NULL;

	pthread_mutex_lock(&job->lock);
	if (copy && !job->task_id) {
		job->task_id = copy;
		copy = NULL;
	}
	if (status)
		snprintf(job->task_status, sizeof(job->task_status), "%.31s",
			 status);
	pthread_mutex_unlock(&job->lock);
	free(copy);
}

const char *tx_job_args_text(const struct tx_job *job)
{
	struct tx_job *j = (struct tx_job *)job;
	const char *t;

	pthread_mutex_lock(&j->lock);
	t = j->args.text;
	pthread_mutex_unlock(&j->lock);
	return t;
}

void tx_job_detach(struct tx_job *job)
{
	pthread_mutex_lock(&job->lock);
	job->hooks = NULL;
	pthread_mutex_unlock(&job->lock);
}

int tx_job_begin(struct tx_job *job, struct tx_args *a, unsigned timeout_ms)
{
	pthread_mutex_lock(&job->lock);
	if (job->state != TX_JOB_NEW) {
		pthread_mutex_unlock(&job->lock);
		return -EALREADY;
	}
	job->args = *a;
	*a = (struct tx_args){ 0 };
	__atomic_store_n(&job->state, TX_JOB_RUNNING, __ATOMIC_RELEASE);
	clock_gettime(CLOCK_REALTIME, &job->started);
	job->start_ns = tx_now_ns();
	job->deadline_ns = job->start_ns + (uint64_t)timeout_ms * 1000000u;
	pthread_mutex_unlock(&job->lock);
	return 0;
}

bool tx_job_cancel_due(struct tx_job *job)
{
	bool due;

	pthread_mutex_lock(&job->lock);
	due = !job->cancel_sent && job->started.tv_sec;
	job->cancel_sent = true;
	pthread_mutex_unlock(&job->lock);
	return due;
}

void tx_job_set_backend_data(struct tx_job *job, void *data)
{
	pthread_mutex_lock(&job->lock);
	job->backend_data = data;
	pthread_mutex_unlock(&job->lock);
}

void *tx_job_backend_data(const struct tx_job *job)
{
	struct tx_job *j = (struct tx_job *)job;
	void *d;

	pthread_mutex_lock(&j->lock);
	d = j->backend_data;
	pthread_mutex_unlock(&j->lock);
	return d;
}

/* ------------------------------------------------------------------ */
/* Listeners and the stream                                             */

/*
 * Takes the listeners that are due out of the list (under lock) into
 * *due; the caller runs them after unlocking, then calls listeners_done.
 */
static size_t listeners_take(struct tx_job *job, struct job_listener **due)
{
	bool final = tx_job_state_final(job->state);
	size_t n = 0, keep = 0;
	uint64_t *firing;

	*due = NULL;
	for (size_t i = 0; i < job->nlisteners; i++)
		if (final || job->stream.len > job->listeners[i].stream_off)
			n++;
	if (!n)
		return 0;
	*due = malloc(n * sizeof(**due));
	firing = realloc(job->firing, (job->nfiring + n) * sizeof(*firing));
	if (!*due || !firing) {
		/* Out of memory: leave them registered for the next event. */
		free(*due);
		*due = NULL;
		if (firing)
			job->firing = firing;
		return 0;
	}
	job->firing = firing;
	n = 0;
	for (size_t i = 0; i < job->nlisteners; i++) {
		struct job_listener *l = &job->listeners[i];

		if (final || job->stream.len > l->stream_off) {
			(*due)[n++] = *l;
			job->firing[job->nfiring++] = l->id;
		} else {
			job->listeners[keep++] = *l;
		}
	}
	job->nlisteners = keep;
	return n;
}

static void listeners_run(struct tx_job *job, struct job_listener *due,
			  size_t n)
{
	for (size_t i = 0; i < n; i++)
		due[i].fn(job, due[i].ctx);
	pthread_mutex_lock(&job->lock);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < job->nfiring; k++)
			if (job->firing[k] == due[i].id) {
				job->firing[k] = job->firing[--job->nfiring];
				break;
			}
	pthread_cond_broadcast(&job->cond);
	pthread_mutex_unlock(&job->lock);
	free(due);
}

uint64_t tx_job_listen(struct tx_job *job, uint64_t stream_off,
		       tx_job_event_fn fn, void *ctx)
{
	struct job_listener *grown;
	uint64_t id = 0;

	pthread_mutex_lock(&job->lock);
	if (tx_job_state_final(job->state) ||
	    (stream_off != UINT64_MAX && job->stream.len > stream_off))
		goto out_unlock;
	grown = realloc(job->listeners, (job->nlisteners + 1) * sizeof(*grown));
	if (!grown)
		goto out_unlock;
	job->listeners = grown;
	id = ++job->next_listener;
	grown[job->nlisteners++] = (struct job_listener){
		.id = id, .stream_off = stream_off, .fn = fn, .ctx = ctx
	};
out_unlock:
	pthread_mutex_unlock(&job->lock);
	return id;
}

bool tx_job_unlisten(struct tx_job *job, uint64_t id)
{
	bool removed = false, running;

	if (!id)
		return false;
	pthread_mutex_lock(&job->lock);
	for (size_t i = 0; i < job->nlisteners; i++)
		if (job->listeners[i].id == id) {
			job->listeners[i] = job->listeners[--job->nlisteners];
			removed = true;
			break;
		}
	do {
		running = false;
		for (size_t k = 0; k < job->nfiring && !removed; k++)
			if (job->firing[k] == id)
				running = true;
		if (running)
			pthread_cond_wait(&job->cond, &job->lock);
	} while (running);
	pthread_mutex_unlock(&job->lock);
	return removed;
}

static void stream_append_locked(struct tx_job *job, const char *buf,
				 size_t len)
{
	static const char note[] =
		"\n[stream truncated: later output dropped]\n";

	if (job->stream_full)
		return;
	if (tx_buf_add(&job->stream, buf, len) == 0)
		return;
	job->stream_full = true;
	/* The buffer's cap leaves no room for the note: make some. */
	job->stream.max += sizeof(note);
	tx_buf_add(&job->stream, note, sizeof(note) - 1);
}

static void job_event(struct tx_job *job)
{
	struct job_listener *due;
	size_t n = listeners_take(job, &due);

	pthread_mutex_unlock(&job->lock);
	if (n)
		listeners_run(job, due, n);
}

void tx_job_output(struct tx_job *job, const char *buf, size_t len)
{
	if (!len)
		return;
	pthread_mutex_lock(&job->lock);
	if (tx_job_state_final(job->state)) {
		pthread_mutex_unlock(&job->lock);
		return;
	}
	stream_append_locked(job, buf, len);
	job_event(job);
}

void tx_job_progress(struct tx_job *job, double progress, double total,
		     const char *message)
{
	char line[512];
	int n;

	if (total >= 0)
		n = snprintf(line, sizeof(line), "progress %g/%g%s%s\n",
			     progress, total, message ? " " : "",
			     message ? message : "");
	else
		n = snprintf(line, sizeof(line), "progress %g%s%s\n", progress,
			     message ? " " : "", message ? message : "");
	if (n > 0)
		tx_job_output(job, line,
			      (size_t)n < sizeof(line) ? (size_t)n
						       : sizeof(line) - 1);
}

size_t tx_job_stream_read(const struct tx_job *job, uint64_t off, char *buf,
			  size_t len, bool *eof)
{
	struct tx_job *j = (struct tx_job *)job;
	size_t n = 0;

	pthread_mutex_lock(&j->lock);
	if (off < j->stream.len) {
		n = j->stream.len - (size_t)off;
		if (n > len)
			n = len;
		memcpy(buf, j->stream.data + off, n);
	}
	*eof = n == 0 && tx_job_state_final(j->state);
	pthread_mutex_unlock(&j->lock);
	return n;
}

uint64_t tx_job_stream_size(const struct tx_job *job)
{
	struct tx_job *j = (struct tx_job *)job;
	uint64_t n;

	pthread_mutex_lock(&j->lock);
	n = j->stream.len;
	pthread_mutex_unlock(&j->lock);
	return n;
}

int tx_job_wait(struct tx_job *job, int timeout_ms)
{
	struct timespec ts;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (timeout_ms > 0) {
		ts.tv_sec += timeout_ms / 1000;
		ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
	}
	pthread_mutex_lock(&job->lock);
	while (!tx_job_state_final(job->state) && rc == 0) {
		if (timeout_ms < 0)
			pthread_cond_wait(&job->cond, &job->lock);
		else if (timeout_ms == 0 ||
			 pthread_cond_timedwait(&job->cond, &job->lock, &ts))
			rc = -ETIMEDOUT;
	}
	pthread_mutex_unlock(&job->lock);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Turning final                                                        */

/* Validates structured content against the tool's output schema. */
static bool output_ok(struct tx_job *job, struct tx_result *r, char *why,
		      size_t whylen)
{
	const struct tx_tool *t = job->tool;

	if (!t || !t->output_validator || !r || r->is_error)
		return true;
	if (!r->structured) {
		snprintf(why, whylen,
			 "the tool declares an output schema but "
			 "returned no structured content");
		return false;
	}
	return tx_schema_validate(t->output_validator, r->structured, why,
				  whylen) == 0;
}

/*
 * Makes the job final; with only_new, only a job nobody started yet.  The
 * test and the change are one critical section: a refusal racing a
 * start (two writers on one cloned job) either ends the job before the
 * start sees it, or loses without touching the running call.
 */
static bool job_finish(struct tx_job *job, bool only_new,
		       enum tx_job_state state, int err, struct tx_result *r,
		       const char *code, const char *path, const char *message)
{
	const struct tx_job_hooks *hooks;
	char why[1024];
	double dur;

	pthread_mutex_lock(&job->lock);
	if (tx_job_state_final(job->state) ||
	    (only_new && job->state != TX_JOB_NEW)) {
		pthread_mutex_unlock(&job->lock);
		tx_result_free(r);
		return false;
	}
	clock_gettime(CLOCK_REALTIME, &job->finished);
	job->finished_ns = tx_now_ns();
	if (r && r->is_error) {
		state = TX_JOB_ERROR;
		code = "tool_error";
		message = "the tool reported an error";
	}
	if (r && state == TX_JOB_OK && !output_ok(job, r, why, sizeof(why))) {
		state = TX_JOB_ERROR;
		code = "output_invalid";
		message = why;
	}
	job->err = r ? 0 : err;
	job->result = r;
	job->code = strdup(code ? code : "error");
	job->path = path ? strdup(path) : NULL;
	job->message = message ? strdup(message) : NULL;
	/* Heard before anyone can see the outcome (the audit line). */
	hooks = job->hooks;
	if (hooks && hooks->finishing)
		hooks->finishing(job->engine, job, state);
	__atomic_store_n(&job->state, state, __ATOMIC_RELEASE);
	dur = job->started.tv_sec ? tx_timespec_ms(&job->finished) -
					    tx_timespec_ms(&job->started)
				  : 0;
	if (job->started.tv_sec || state != TX_JOB_CANCELLED) {
		char line[128];
		int n = snprintf(line, sizeof(line), "-- %s (%.0f ms)\n",
				 tx_job_state_name(state), dur);

		job->stream.max += sizeof(line); /* the last line always fits */
		tx_buf_add(&job->stream, line, (size_t)n);
	}
	pthread_cond_broadcast(&job->cond);
	job_event(job); /* unlocks */
	if (hooks && hooks->finished)
		hooks->finished(job->engine, job);
	tx_job_questions_end(job);
	if (state == TX_JOB_OK)
		tx_log(TX_LOG_INFO, "job %s %s ok (%.1f ms)", job->id,
		       job->tool_id, dur);
	else
		tx_log(TX_LOG_INFO, "job %s %s %s: %s: %s", job->id,
		       job->tool_id, tx_job_state_name(state),
		       code ? code : "error", message ? message : "");
	return true;
}

bool tx_job_finish(struct tx_job *job, enum tx_job_state state, int err,
		   struct tx_result *r, const char *code, const char *path,
		   const char *message)
{
	return job_finish(job, false, state, err, r, code, path, message);
}

bool tx_job_finish_new(struct tx_job *job, enum tx_job_state state, int err,
		       const char *code, const char *message)
{
	return job_finish(job, true, state, err, NULL, code, NULL, message);
}

void tx_job_complete(struct tx_job *job, struct tx_result *r)
{
	if (!r) {
		tx_job_fail(job, ENOMEM, "backend_failed", "out of memory");
		return;
	}
	tx_job_finish(job, TX_JOB_OK, 0, r, "ok", NULL, NULL);
}

void tx_job_fail(struct tx_job *job, int err, const char *code, const char *fmt,
		 ...)
{
	enum tx_job_state st = TX_JOB_ERROR;
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err == ETIMEDOUT)
		st = TX_JOB_TIMEOUT;
	else if (err == ECANCELED)
		st = TX_JOB_CANCELLED;
	tx_job_finish(job, st, err, NULL, code, NULL, msg);
}

/*
 * The JSON Pointer an argument error begins with ("/timezone: ..."), for
 * error.path: checks write "POINTER: what is wrong", and a chain's check
 * puts the step's place before its tool's ("/steps/1/args: /x: ..."),
 * which joins into one pointer.  The root, which messages show as "/",
 * is "" (RFC 6901).  NULL when the message names no place (bad JSON).
 */
static char *reject_path(const char *msg)
{
	struct tx_buf b;
	const char *p = msg, *colon;

	tx_buf_init(&b, 0);
	while (*p == '/' && (colon = strstr(p, ": "))) {
		/* "/" alone is the root: nothing to add. */
		if (colon - p > 1 && tx_buf_add(&b, p, (size_t)(colon - p))) {
			tx_buf_release(&b);
			return NULL;
		}
		p = colon + 2;
	}
	if (p == msg)
		return NULL;
	if (!b.len) {
		tx_buf_release(&b);
		return strdup("");
	}
	return tx_buf_detach(&b, NULL);
}

int tx_job_reject(struct tx_job *job, int err, const char *msg)
{
	char *path = reject_path(msg);
	bool done;

	done = job_finish(job, true, TX_JOB_ERROR, err, NULL,
			  err == EFBIG ? "arguments_too_large"
				       : "invalid_arguments",
			  path, msg);
	free(path);
	return done ? 0 : -EALREADY;
}
