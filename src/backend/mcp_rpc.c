/*
 * mcp_rpc.c - JSON-RPC requests in flight on an MCP server: the pending
 * table (matched by id), the queue of calls waiting for a connection or
 * a free slot, sending, and the transport callbacks that complete jobs.
 * The callbacks run on the transport's I/O thread.
 */
#include "backend/mcp_backend_i.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "engine/job.h"
#include "util/jsonu.h"
#include "util/log.h"
#include "engine/registry.h"
#include "engine/tool.h"

/* ---- pending table (be->mu) -------------------------------------- */

void tx_mcp_pend_insert(struct mcp_backend *be, struct mcp_pending *p)
{
	size_t h = (size_t)p->id % BUCKETS;

	p->next = be->buckets[h];
	be->buckets[h] = p;
}

struct mcp_pending *tx_mcp_pend_take(struct mcp_backend *be, int64_t id)
{
	for (struct mcp_pending **pp = &be->buckets[(size_t)id % BUCKETS]; *pp;
	     pp = &(*pp)->next) {
		struct mcp_pending *p = *pp;

		if (p->id == id) {
			*pp = p->next;
			p->next = NULL;
			return p;
		}
	}
	return NULL;
}

struct mcp_pending *tx_mcp_pend_find(struct mcp_backend *be, int64_t id)
{
	for (struct mcp_pending *p = be->buckets[(size_t)id % BUCKETS]; p;
	     p = p->next)
		if (p->id == id)
			return p;
	return NULL;
}

void tx_mcp_queue_remove(struct mcp_backend *be, struct mcp_pending *p)
{
	struct mcp_pending *prev = NULL;

	for (struct mcp_pending *q = be->qhead; q; prev = q, q = q->qnext) {
		if (q != p)
			continue;
		if (prev)
			prev->qnext = q->qnext;
		else
			be->qhead = q->qnext;
		if (be->qtail == q)
			be->qtail = prev;
		q->qnext = NULL;
		return;
	}
}

void tx_mcp_pend_free(struct mcp_pending *p)
{
	if (!p)
		return;
	if (p->job)
		tx_job_unref(p->job);
	free(p->text);
	free(p->task_id);
	tx_mcp_msg_release(&p->reply);
	free(p);
}

/* ---- connections (be->mu) ----------------------------------------- */

struct mcp_conn_ref *tx_mcp_conn_get(struct mcp_conn_ref *r)
{
	if (r)
		r->refs++;
	return r;
}

void tx_mcp_conn_put(struct mcp_backend *be, struct mcp_conn_ref *r)
{
	if (!r || --r->refs)
		return;
	r->next = be->graveyard;
	be->graveyard = r;
	pthread_cond_broadcast(&be->cond);
}

void tx_mcp_conn_put_unlocked(struct mcp_backend *be, struct mcp_conn_ref *r)
{
	pthread_mutex_lock(&be->mu);
	tx_mcp_conn_put(be, r);
	pthread_mutex_unlock(&be->mu);
}

/* Stops and frees every connection in the graveyard; be->mu held, and
 * released while stopping (stop joins the I/O thread, whose callbacks
 * take be->mu). */
void tx_mcp_reap_graveyard(struct mcp_backend *be)
{
	while (be->graveyard) {
		struct mcp_conn_ref *r = be->graveyard;
		struct mcp_pending *orphans;

		be->graveyard = r->next;
		pthread_mutex_unlock(&be->mu);
		r->c->ops->stop(r->c);
		pthread_mutex_lock(&be->mu);
		/* Requests still waiting on it will never be answered now
		 * (an HTTP session that was replaced, say). */
		orphans = tx_mcp_take_sent_on(be, r, "connection closed");
		pthread_mutex_unlock(&be->mu);
		tx_mcp_fail_calls(orphans, EIO, "backend_failed",
				  be->spec->name,
				  "connection closed before the answer");
		r->c->ops->free(r->c);
		free(r);
		pthread_mutex_lock(&be->mu);
		be->live_conns--;
		pthread_cond_broadcast(&be->cond);
	}
}

/* The connection is no longer the current one (be->mu). */
void tx_mcp_detach(struct mcp_backend *be, struct mcp_conn_ref *r)
{
	if (be->conn != r)
		return;
	be->conn = NULL;
	if (be->state != ST_STOPPED)
		be->state = ST_DOWN;
	tx_mcp_conn_put(be, r);
}

void tx_mcp_note_failure(struct mcp_backend *be, const char *why,
			 bool short_lived)
{
	unsigned delay;

	be->failures = short_lived ? be->failures + 1 : 1;
	delay = be->failures <= 1
			? 0
			: BACKOFF_FIRST_MS
				  << (be->failures - 2 < 6 ? be->failures - 2
							   : 6);
	if (delay > BACKOFF_MAX_MS)
		delay = BACKOFF_MAX_MS;
	be->next_start_at = tx_mono_ms() + delay;
	/* Cut long reasons on purpose: this is one status line. */
	size_t n = strnlen(why, sizeof(be->last_error) - 1);

	memcpy(be->last_error, why, n);
	be->last_error[n] = '\0';
}

/* ---- sending -------------------------------------------------------- */

/*
 * Moves queued calls onto the wire while the server is ready and under
 * its concurrency limit (be->mu).  Returns what the caller must send
 * once it has dropped the lock.
 */
struct mcp_outgoing *tx_mcp_pump(struct mcp_backend *be)
{
	struct mcp_outgoing *out = NULL, **tail = &out;
	uint64_t now = tx_mono_ms();

	while (be->qhead && be->state == ST_READY && be->conn &&
	       (!be->spec->max_concurrency ||
		be->inflight < be->spec->max_concurrency)) {
		struct mcp_pending *p = be->qhead;
		struct mcp_outgoing *o = calloc(1, sizeof(*o));

		if (!o || !(o->text = strdup(p->text))) {
			free(o);
			break; /* stays queued; the next completion retries */
		}
		be->qhead = p->qnext;
		if (!be->qhead)
			be->qtail = NULL;
		p->qnext = NULL;
		p->sent = true;
		p->conn = be->conn;
		p->deadline = now + p->idle_ms;
		be->inflight++;
		be->last_activity = now;
		o->conn = tx_mcp_conn_get(be->conn);
		o->id = p->id;
		*tail = o;
		tail = &o->next;
	}
	return out;
}

void tx_mcp_send_all(struct mcp_backend *be, struct mcp_outgoing *o)
{
	while (o) {
		struct mcp_outgoing *next = o->next;
		int rc = o->conn->c->ops->send(o->conn->c, o->text,
					       strlen(o->text), o->id);

		if (rc) {
			/* stdio: the queue is full (the connection lives on),
			 * or the transport ended the process and the reader's
			 * closed() fails every call on it.  HTTP: only when
			 * stopping.  Fail this one if still ours. */
			struct mcp_pending *p;

			pthread_mutex_lock(&be->mu);
			p = tx_mcp_pend_take(be, o->id);
			if (p && p->sent)
				be->inflight--;
			pthread_mutex_unlock(&be->mu);
			if (p && rc == -ENOBUFS)
				tx_mcp_pend_fail(
					p, EIO, "backend_failed",
					"MCP server %s is not reading its "
					"input: %u MiB already wait to be "
					"sent to it",
					be->spec->name,
					TX_MCP_SEND_QUEUE_MAX >> 20);
			else if (p)
				tx_mcp_pend_fail(
					p, EIO, "backend_failed",
					"cannot send to MCP server %s: %s",
					be->spec->name, strerror(-rc));
			tx_mcp_pend_free(p);
		}
		tx_mcp_conn_put_unlocked(be, o->conn);
		free(o->text);
		free(o);
		o = next;
	}
}

void tx_mcp_notify(struct mcp_conn_ref *r, const char *method,
		   struct json_object *params)
{
	char *text = tx_mcp_notification_text(method, params);

	if (text) {
		r->c->ops->send(r->c, text, strlen(text), -1);
		free(text);
	}
}

void tx_mcp_send_cancelled(struct mcp_backend *be, struct mcp_conn_ref *r,
			   int64_t id, const char *reason)
{
	struct json_object *params = json_object_new_object();

	if (params) {
		json_object_object_add(params, "requestId",
				       json_object_new_int64(id));
		json_object_object_add(params, "reason",
				       json_object_new_string(reason));
		tx_mcp_notify(r, "notifications/cancelled", params);
		json_object_put(params);
	}
	if (r->c->ops->abort)
		r->c->ops->abort(r->c, id);
	tx_mcp_conn_put_unlocked(be, r);
}

/*
 * A request the manager waits for (initialize, tools/list).  0 with
 * *reply (release it), or -errno with the reason in err.
 */
int tx_mcp_sync_request(struct mcp_backend *be, struct mcp_conn_ref *r,
			const char *method, struct json_object *params,
			unsigned timeout_ms, struct tx_mcp_msg *reply,
			char *err, size_t errlen)
{
	struct mcp_pending *p = calloc(1, sizeof(*p));
	char *text = NULL;
	struct timespec ts;
	uint64_t deadline = tx_mono_ms() + timeout_ms;
	int rc;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_lock(&be->mu);
	p->id = be->next_id++;
	p->kind = PEND_SYNC;
	p->sent = true;
	p->conn = r;
	p->deadline = deadline;
	tx_mcp_pend_insert(be, p);
	pthread_mutex_unlock(&be->mu);

	text = tx_mcp_request_text(p->id, method, params);
	rc = text ? r->c->ops->send(r->c, text, strlen(text), p->id) : -ENOMEM;
	free(text);

	pthread_mutex_lock(&be->mu);
	while (!rc && !p->done && !be->stopping) {
		uint64_t now = tx_mono_ms();

		if (now >= deadline)
			break;
		ts = tx_mono_after_ns((deadline - now) * 1000000u);
		pthread_cond_timedwait(&be->cond, &be->mu, &ts);
	}
	if (!p->done)
		tx_mcp_pend_take(be, p->id);
	pthread_mutex_unlock(&be->mu);
	/* Nobody waits for this answer any more: end its transfer (HTTP),
	 * which would otherwise stay open until the connection ends. */
	if (!rc && !p->done && !be->stopping && strcmp(method, "initialize")) {
		/* A request we stop waiting for is cancelled (initialize
		 * MUST NOT be, 2025-11-25 "Cancellation"). */
		struct json_object *cp = json_object_new_object();

		if (cp) {
			json_object_object_add(cp, "requestId",
					       json_object_new_int64(p->id));
			json_object_object_add(
				cp, "reason",
				json_object_new_string("timed out"));
			tx_mcp_notify(r, "notifications/cancelled", cp);
			json_object_put(cp);
		}
	}
	if (!rc && !p->done && r->c->ops->abort)
		r->c->ops->abort(r->c, p->id);

	if (rc) {
		snprintf(err, errlen, "%s: cannot send: %s", method,
			 strerror(-rc));
	} else if (p->done && p->err) {
		rc = -p->err;
		snprintf(err, errlen, "%s: %s", method, p->errmsg);
	} else if (p->done) {
		*reply = p->reply;
		memset(&p->reply, 0, sizeof(p->reply));
	} else if (be->stopping) {
		rc = -ECANCELED;
		snprintf(err, errlen, "%s: shutting down", method);
	} else {
		rc = -ETIMEDOUT;
		snprintf(err, errlen, "%s: no answer within %u ms", method,
			 timeout_ms);
	}
	tx_mcp_pend_free(p);
	return rc;
}

void tx_mcp_pend_fail(struct mcp_pending *p, int err, const char *code,
		      const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!p || (!p->job && !p->answer))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->job) {
		tx_job_fail(p->job, err, code, "%s", msg);
	} else {
		tx_mcp_answer_fn *fn = p->answer;

		p->answer = NULL; /* once */
		fn(p->answer_ctx, -err, NULL, msg);
	}
}

void tx_mcp_async_request(struct mcp_backend *be, const char *method,
			  struct json_object *params, unsigned timeout_ms,
			  tx_mcp_answer_fn *fn, void *ctx)
{
	struct mcp_pending *p = calloc(1, sizeof(*p));

	if (!p) {
		fn(ctx, -ENOMEM, NULL, "out of memory");
		return;
	}
	p->kind = PEND_ASYNC;
	p->answer = fn;
	p->answer_ctx = ctx;
	p->idle_ms = timeout_ms;
	pthread_mutex_lock(&be->mu);
	p->id = be->next_id++;
	pthread_mutex_unlock(&be->mu);
	p->text = tx_mcp_request_text(p->id, method, params);
	if (!p->text) {
		tx_mcp_pend_fail(p, ENOMEM, "", "out of memory");
		tx_mcp_pend_free(p);
		return;
	}
	pthread_mutex_lock(&be->mu);
	if (be->stopping || be->state == ST_STOPPED) {
		pthread_mutex_unlock(&be->mu);
		tx_mcp_pend_fail(p, EIO, "", "MCP server %s is stopping",
				 be->spec->name);
		tx_mcp_pend_free(p);
		return;
	}
	/* Until it is sent (pump sets the answer's own deadline). */
	p->deadline = tx_mono_ms() + be->spec->startup_timeout_ms + timeout_ms;
	tx_mcp_queue_unlock(be, p);
}

void tx_mcp_queue_unlock(struct mcp_backend *be, struct mcp_pending *p)
{
	struct mcp_outgoing *out;

	tx_mcp_pend_insert(be, p);
	if (be->qtail)
		be->qtail->qnext = p;
	else
		be->qhead = p;
	be->qtail = p;
	if (be->state != ST_READY && be->state != ST_CONNECTING) {
		be->want_connect = true;
		pthread_cond_broadcast(&be->cond);
	}
	out = tx_mcp_pump(be);
	pthread_mutex_unlock(&be->mu);
	tx_mcp_send_all(be, out);
}

/* ---- transport callbacks (I/O thread) ------------------------------ */

void tx_mcp_fail_calls(struct mcp_pending *list, int err, const char *code,
		       const char *name, const char *reason)
{
	while (list) {
		struct mcp_pending *next = list->next;

		tx_mcp_pend_fail(list, err, code, "MCP server %s: %s", name,
				 reason);
		tx_mcp_pend_free(list);
		list = next;
	}
}

/* Whether p was sent on the connection reference r (any, when NULL). */
static bool sent_on_ref(const struct mcp_pending *p, const void *r)
{
	return !r || p->conn == r;
}

/* Whether p was sent on the transport connection c. */
static bool sent_on_conn(const struct mcp_pending *p, const void *c)
{
	return p->conn && p->conn->c == c;
}

/* Removes every sent request that match() accepts (be->mu): calls are
 * returned in a list to fail, sync waiters are woken with EIO. */
static struct mcp_pending *take_sent(struct mcp_backend *be,
				     bool (*match)(const struct mcp_pending *,
						   const void *),
				     const void *arg, const char *reason)
{
	struct mcp_pending *out = NULL;

	for (size_t h = 0; h < BUCKETS; h++) {
		struct mcp_pending **pp = &be->buckets[h];

		while (*pp) {
			struct mcp_pending *p = *pp;

			if (!p->sent || !match(p, arg)) {
				pp = &p->next;
				continue;
			}
			*pp = p->next;
			p->next = NULL;
			if (p->kind == PEND_PING) {
				be->ping_id = 0;
				tx_mcp_pend_free(p);
				continue;
			}
			if (p->kind == PEND_TASK_RESULT ||
			    p->kind == PEND_TASK_GET) {
				/* Their CALL is taken (and failed) too. */
				tx_mcp_pend_free(p);
				continue;
			}
			if (p->kind == PEND_SYNC) {
				p->done = true;
				p->err = EIO;
				snprintf(p->errmsg, sizeof(p->errmsg), "%s",
					 reason);
				continue;
			}
			be->inflight--;
			p->next = out;
			out = p;
		}
	}
	pthread_cond_broadcast(&be->cond);
	return out;
}

struct mcp_pending *tx_mcp_take_sent_on(struct mcp_backend *be,
					struct mcp_conn_ref *r,
					const char *reason)
{
	return take_sent(be, sent_on_ref, r, reason);
}

/* c's reference when c is the current connection; NULL for an older
 * one (be->mu). */
static struct mcp_conn_ref *ref_of(struct mcp_backend *be,
				   struct tx_mcp_conn *c)
{
	return be->conn && be->conn->c == c ? be->conn : NULL;
}

void tx_mcp_on_closed(void *ctx, struct tx_mcp_conn *c, const char *reason)
{
	struct mcp_backend *be = ctx;
	struct mcp_conn_ref *r;
	struct mcp_pending *dead;

	pthread_mutex_lock(&be->mu);
	r = ref_of(be, c);
	if (r) {
		bool short_lived = tx_mono_ms() - r->started < SHORT_LIFE_MS;

		tx_log(TX_LOG_ERROR, "mcp %s: %s", be->spec->name, reason);
		tx_mcp_note_failure(be, reason, short_lived);
		be->closes++;
		tx_mcp_detach(be, r);
		if (be->qhead)
			be->want_connect = true;
	}
	/* Calls sent on an older connection that already was replaced are
	 * matched by their conn pointer, which stays valid until reaped. */
	dead = take_sent(be, sent_on_conn, c, reason);
	pthread_mutex_unlock(&be->mu);
	tx_mcp_fail_calls(dead, EIO, "backend_failed", be->spec->name, reason);
}

void tx_mcp_on_stderr(void *ctx, struct tx_mcp_conn *c, const char *line)
{
	struct mcp_backend *be = ctx;

	(void)c;
	tx_log(TX_LOG_INFO, "mcp %s: stderr: %s", be->spec->name, line);
	pthread_mutex_lock(&be->mu);
	snprintf(be->stderr_ring[be->stderr_next], sizeof(be->stderr_ring[0]),
		 "%s", line);
	be->stderr_next = (be->stderr_next + 1) % STDERR_KEEP;
	if (be->stderr_count < STDERR_KEEP)
		be->stderr_count++;
	pthread_mutex_unlock(&be->mu);
}

bool tx_mcp_awaiting(void *ctx, int64_t id)
{
	struct mcp_backend *be = ctx;
	struct mcp_pending *p;
	bool waiting;

	pthread_mutex_lock(&be->mu);
	p = tx_mcp_pend_find(be, id);
	/* Not a call that became a task: its tools/call was answered. */
	waiting = p && p->sent && !(p->kind == PEND_CALL && p->task_id);
	pthread_mutex_unlock(&be->mu);
	return waiting;
}

/* err: the errno a call fails with (EIO, or EACCES for sign-in). */
static void request_failed(void *ctx, struct tx_mcp_conn *c, int64_t id,
			   const char *reason, bool session_gone, int err)
{
	struct mcp_backend *be = ctx;
	struct mcp_pending *p;
	struct mcp_outgoing *out;

	pthread_mutex_lock(&be->mu);
	if (session_gone) {
		struct mcp_conn_ref *r = ref_of(be, c);

		if (r) {
			tx_log(TX_LOG_WARN,
			       "mcp %s: %s; starting a new session",
			       be->spec->name, reason);
			tx_mcp_detach(be, r);
			be->want_connect = true;
			pthread_cond_broadcast(&be->cond);
		}
	}
	p = id >= 0 ? tx_mcp_pend_find(be, id) : NULL;
	/* A call that became a task stays in the table under its id, but
	 * its tools/call was answered: what happens to that POST now is no
	 * news (tasks/result brings the result). */
	if (!p || !p->sent || (p->kind == PEND_CALL && p->task_id)) {
		pthread_mutex_unlock(&be->mu);
		return; /* answered already (the usual case) */
	}
	tx_mcp_pend_take(be, id);
	if (p->kind == PEND_TASK_GET || p->kind == PEND_TASK_RESULT) {
		struct mcp_pending *call = tx_mcp_pend_find(be, p->call_id);

		if (call && p->kind == PEND_TASK_GET)
			call->polling = false;
		if (p->kind == PEND_TASK_GET || !call ||
		    call->kind != PEND_CALL) {
			pthread_mutex_unlock(&be->mu);
			tx_mcp_pend_free(p);
			return;
		}
		/* The task's result will not come: fail its call. */
		tx_mcp_pend_free(p);
		p = tx_mcp_pend_take(be, call->id);
		be->inflight--;
		out = tx_mcp_pump(be);
		pthread_mutex_unlock(&be->mu);
		tx_job_fail(p->job, err, "backend_failed",
			    "MCP server %s: tasks/result for task %s: %s",
			    be->spec->name, p->task_id, reason);
		tx_mcp_pend_free(p);
		tx_mcp_send_all(be, out);
		return;
	}
	if (p->kind == PEND_PING) {
		struct mcp_conn_ref *r = ref_of(be, c);
		char why[600];

		be->ping_id = 0;
		if (r && !session_gone) {
			/* A dead server is found now, not by the next call. */
			snprintf(why, sizeof(why), "ping failed: %s", reason);
			tx_log(TX_LOG_WARN, "mcp %s: %s", be->spec->name, why);
			tx_mcp_note_failure(be, why, false);
			tx_mcp_detach(be, r);
		}
		pthread_mutex_unlock(&be->mu);
		tx_mcp_pend_free(p);
		return;
	}
	if (p->kind == PEND_SYNC) {
		p->done = true;
		p->err = err;
		snprintf(p->errmsg, sizeof(p->errmsg), "%s", reason);
		pthread_cond_broadcast(&be->cond);
		pthread_mutex_unlock(&be->mu);
		return;
	}
	be->inflight--;
	if (session_gone && !be->stopping && !p->resent) {
		/* The server never processed it: send it again on the new
		 * session, first in line. */
		p->sent = false;
		p->resent = true; /* once: a server that keeps refusing
				   * fails the call instead of a loop */
		p->conn = NULL;
		p->qnext = be->qhead;
		be->qhead = p;
		if (!be->qtail)
			be->qtail = p;
		tx_mcp_pend_insert(be, p);
		pthread_mutex_unlock(&be->mu);
		return;
	}
	out = tx_mcp_pump(be);
	pthread_mutex_unlock(&be->mu);
	tx_mcp_pend_fail(p, err,
			 err == EACCES ? "auth_required" : "backend_failed",
			 "MCP server %s: %s", be->spec->name, reason);
	tx_mcp_pend_free(p);
	tx_mcp_send_all(be, out);
}

void tx_mcp_on_request_failed(void *ctx, struct tx_mcp_conn *c, int64_t id,
			      const char *reason, bool session_gone)
{
	request_failed(ctx, c, id, reason, session_gone, EIO);
}

void tx_mcp_on_request_denied(void *ctx, struct tx_mcp_conn *c, int64_t id,
			      const char *reason)
{
	request_failed(ctx, c, id, reason, false, EACCES);
}

static void on_response(struct mcp_backend *be, struct tx_mcp_conn *c,
			struct tx_mcp_msg *m)
{
	struct mcp_pending *p = NULL;
	struct mcp_outgoing *out = NULL;
	struct tx_result *res;
	char err[512];

	pthread_mutex_lock(&be->mu);
	if (m->id_is_int)
		p = tx_mcp_pend_take(be, m->id_int);
	if (p && p->kind == PEND_PING) {
		/* Any answer, an error too, shows the session alive. */
		be->ping_id = 0;
		be->last_activity = tx_mono_ms();
		pthread_mutex_unlock(&be->mu);
		tx_mcp_pend_free(p);
		return;
	}
	if (p && p->kind == PEND_SYNC) {
		p->reply = *m;
		memset(m, 0, sizeof(*m));
		p->done = true;
		pthread_cond_broadcast(&be->cond);
		pthread_mutex_unlock(&be->mu);
		return;
	}
	if (p && p->kind == PEND_TASK_GET) {
		tx_mcp_task_status(be, p, m); /* unlocks */
		return;
	}
	if (p && p->kind == PEND_TASK_RESULT) {
		/* The answer of the task's call: complete that call. */
		int64_t call_id = p->call_id;

		tx_mcp_pend_free(p);
		p = tx_mcp_pend_take(be, call_id);
		if (p && p->kind != PEND_CALL) {
			tx_mcp_pend_insert(be, p);
			p = NULL;
		}
	} else if (p && p->as_task && !p->task_id && m->result &&
		   tx_mcp_task_created(be, p, m)) {
		return; /* unlocked; the call goes on as a task */
	}
	if (p) {
		be->inflight--;
		be->calls++;
		be->last_activity = tx_mono_ms();
		out = tx_mcp_pump(be);
	}
	pthread_mutex_unlock(&be->mu);
	if (p && p->kind == PEND_ASYNC) {
		tx_mcp_answer_fn *fn = p->answer;

		p->answer = NULL;
		fn(p->answer_ctx, 0, m, NULL);
		tx_mcp_pend_free(p);
		tx_mcp_send_all(be, out);
		return;
	}
	if (!p) {
		/* After a cancel or a timeout this is normal. */
		tx_log(TX_LOG_INFO,
		       "mcp %s: ignoring an answer for unknown id %s",
		       be->spec->name,
		       m->id ? json_object_get_string(m->id) : "null");
		return;
	}
	(void)c;
	if (m->error && m->error_data) {
		tx_job_fail(p->job, tx_mcp_error_errno(m->error_code),
			    "mcp_error",
			    "%s (JSON-RPC error %d; data: %.1500s)",
			    m->error_message, m->error_code,
			    json_object_to_json_string_ext(
				    m->error_data,
				    JSON_C_TO_STRING_PLAIN |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	} else if (m->error) {
		tx_job_fail(p->job, tx_mcp_error_errno(m->error_code),
			    "mcp_error", "%s (JSON-RPC error %d)",
			    m->error_message, m->error_code);
	} else if ((res = tx_mcp_result_from(m->result, err, sizeof(err)))) {
		tx_job_complete(p->job, res);
	} else {
		tx_job_fail(p->job, EIO, "mcp_error",
			    "MCP server %s sent an invalid result: %s",
			    be->spec->name, err);
	}
	tx_mcp_pend_free(p);
	tx_mcp_send_all(be, out);
}

static void on_progress(struct mcp_backend *be, struct json_object *params)
{
	struct json_object *v;
	struct tx_job *job = NULL;
	struct mcp_pending *p;
	double progress, total = -1;
	const char *message;

	if (!params ||
	    !json_object_object_get_ex(params, "progressToken", &v) ||
	    !json_object_is_type(v, json_type_int))
		return;
	pthread_mutex_lock(&be->mu);
	p = tx_mcp_pend_find(be, json_object_get_int64(v));
	if (p && p->kind == PEND_CALL) {
		job = tx_job_ref(p->job);
		/* The server is working on it: its idle timeout starts
		 * again (the TypeScript SDK's resetTimeoutOnProgress); the
		 * engine's job timeout (max_timeout_ms) still caps it. */
		if (p->sent && p->deadline != UINT64_MAX) /* not asking */
			p->deadline = tx_mono_ms() + p->idle_ms;
	}
	pthread_mutex_unlock(&be->mu);
	if (!job)
		return;
	progress = json_object_object_get_ex(params, "progress", &v)
			   ? json_object_get_double(v)
			   : 0;
	if (json_object_object_get_ex(params, "total", &v) &&
	    (json_object_is_type(v, json_type_int) ||
	     json_object_is_type(v, json_type_double)))
		total = json_object_get_double(v);
	message = tx_mcp_str_field(params, "message");
	tx_job_progress(job, progress, total, message);
	tx_job_unref(job);
}

void tx_mcp_on_message(void *ctx, struct tx_mcp_conn *c, const char *text,
		       size_t len)
{
	struct mcp_backend *be = ctx;
	struct tx_mcp_msg m;
	char err[256];
	char *reply;

	if (tx_mcp_msg_parse(text, len, &m, err, sizeof(err))) {
		uint64_t n;

		pthread_mutex_lock(&be->mu);
		n = ++be->garbage;
		pthread_mutex_unlock(&be->mu);
		/* A chatty server must not flood the log. */
		if (n <= GARBAGE_LOGGED || n % 1000 == 0)
			tx_log(TX_LOG_WARN,
			       "mcp %s: ignoring a message that is "
			       "not JSON-RPC (%s): %.80s%s",
			       be->spec->name, err, text,
			       len > 80 ? "..." : "");
		return;
	}
	switch (m.kind) {
	case TX_MCP_MSG_RESPONSE:
		on_response(be, c, &m);
		break;
	case TX_MCP_MSG_REQUEST:
		if (!strcmp(m.method, "ping")) {
			struct json_object *empty = json_object_new_object();

			reply = tx_mcp_reply_text(m.id, empty, 0, NULL);
			json_object_put(empty);
		} else if (!strcmp(m.method, "elicitation/create")) {
			/* mcp_elicit.c; NULL: the answer comes later. */
			reply = tx_mcp_elicit_request(be, c, &m);
		} else if (!strcmp(m.method, "sampling/createMessage")) {
			/* mcp_sampling.c; NULL: the answer comes later. */
			reply = tx_mcp_sampling_request(be, c, &m);
		} else if ((reply = tx_mcp_extras_request(be, &m))) {
			/* roots/list: answered from the configuration. */
		} else {
			char msg[300];

			snprintf(msg, sizeof(msg), "Method not found: %.200s",
				 m.method);
			reply = tx_mcp_reply_text(m.id, NULL, -32601, msg);
		}
		if (reply) {
			c->ops->send(c, reply, strlen(reply), -1);
			free(reply);
		}
		break;
	case TX_MCP_MSG_NOTIFICATION:
		if (!strcmp(m.method, "notifications/progress")) {
			on_progress(be, m.params);
		} else if (!strcmp(m.method,
				   "notifications/tools/list_changed")) {
			pthread_mutex_lock(&be->mu);
			be->want_relist = true;
			pthread_cond_broadcast(&be->cond);
			pthread_mutex_unlock(&be->mu);
		} else if (tx_mcp_extras_notification(be, &m)) {
			/* resources and prompts: mcp_resources.c */
		} else if (!strcmp(m.method, "notifications/message")) {
			struct json_object *d = NULL;

			if (m.params)
				json_object_object_get_ex(m.params, "data", &d);
			tx_log(TX_LOG_DEBUG, "mcp %s: log %s: %.300s",
			       be->spec->name,
			       tx_mcp_str_field(m.params, "level")
				       ? tx_mcp_str_field(m.params, "level")
				       : "?",
			       d ? json_object_to_json_string(d) : "");
		}
		/* Other notifications need nothing from us. */
		break;
	default:
		break;
	}
	tx_mcp_msg_release(&m);
}

struct mcp_pending *tx_mcp_take_queue(struct mcp_backend *be,
				      struct mcp_pending *list)
{
	while (be->qhead) {
		struct mcp_pending *p = be->qhead;

		be->qhead = p->qnext;
		tx_mcp_pend_take(be, p->id);
		p->next = list;
		list = p;
	}
	be->qtail = NULL;
	return list;
}

void tx_mcp_fail_queue(struct mcp_backend *be, const char *reason)
{
	struct mcp_pending *list;

	pthread_mutex_lock(&be->mu);
	list = tx_mcp_take_queue(be, NULL);
	pthread_mutex_unlock(&be->mu);
	tx_mcp_fail_calls(list, EIO, "backend_failed", be->spec->name, reason);
}

/* Calls that got neither their answer nor a progress notification
 * within their timeout (the engine's job timeout is the hard cap).
 * be->mu held. */
struct mcp_pending *tx_mcp_take_expired(struct mcp_backend *be, uint64_t now)
{
	struct mcp_pending *out = NULL;

	for (size_t h = 0; h < BUCKETS; h++) {
		struct mcp_pending **pp = &be->buckets[h];

		while (*pp) {
			struct mcp_pending *p = *pp;

			if ((p->kind != PEND_CALL && p->kind != PEND_ASYNC) ||
			    (!p->sent && p->kind != PEND_ASYNC) ||
			    now < p->deadline) {
				pp = &p->next;
				continue;
			}
			*pp = p->next;
			if (p->sent)
				be->inflight--;
			else /* an ASYNC request still queued */
				tx_mcp_queue_remove(be, p);
			p->conn = tx_mcp_conn_get(p->conn == be->conn ? be->conn
								      : NULL);
			p->next = out;
			out = p;
		}
	}
	return out;
}
