/*
 * mcp_tasks.c - what runs beside the calls of an MCP server: tasks
 * (2025-11-25, experimental; a call the server made a task, polled with
 * tasks/get, its result from tasks/result, cancelled with tasks/cancel)
 * and the keep-alive ping of an idle HTTP session.  Everything here
 * runs with be->mu held (see each function for when it drops it).
 */
#include "backend/mcp_backend_i.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "engine/job.h"
#include "util/jsonu.h"
#include "util/log.h"

/* ---- tasks (2025-11-25, experimental) ------------------------------- */

/*
 * A call sent as a task was answered with a CreateTaskResult: the call
 * stays in the table (its id is the progress token), and tasks/result,
 * which the server answers when the task ends, brings its result.
 * tasks/get every pollInterval shows the status in the job's stream and
 * keeps the call's idle timeout from running out while the task works.
 * be->mu held; false when the answer is no CreateTaskResult (a server
 * may answer a task-augmented call directly).  true: unlocked, done.
 */
bool tx_mcp_task_created(struct mcp_backend *be, struct mcp_pending *p,
			 struct tx_mcp_msg *m)
{
	struct json_object *task = NULL, *v;
	struct mcp_pending *alias;
	struct mcp_conn_ref *r;
	const char *id;
	char line[400];
	char *text;
	int rc;

	if (!json_object_object_get_ex(m->result, "task", &task) ||
	    !(id = tx_mcp_str_field(task, "taskId")) || !*id ||
	    strlen(id) > 200)
		return false;
	alias = calloc(1, sizeof(*alias));
	if (!alias || !(p->task_id = strdup(id))) {
		free(alias);
		return false;
	}
	p->poll_ms = 1000;
	if (json_object_object_get_ex(task, "pollInterval", &v) &&
	    json_object_is_type(v, json_type_int)) {
		int64_t ms = json_object_get_int64(v);

		/* Bounded both ways: a server cannot make us spin, nor
		 * leave the status stale for minutes. */
		p->poll_ms = ms < 100 ? 100 : ms > 30000 ? 30000 : (unsigned)ms;
	}
	snprintf(p->task_status, sizeof(p->task_status), "%.31s",
		 tx_mcp_str_field(task, "status")
			 ? tx_mcp_str_field(task, "status")
			 : "working");
	/* The ttl: how long the server keeps the task and its result
	 * from its creation (null: for ever).  Past it the result may be
	 * gone, so the job must not wait for it. */
	if (json_object_object_get_ex(task, "ttl", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) > 0) {
		int64_t ms = json_object_get_int64(v);

		p->task_ttl_ms = ms > UINT32_MAX ? UINT32_MAX : (unsigned)ms;
		p->task_expires = tx_mono_ms() + p->task_ttl_ms;
	}
	p->next_poll = tx_mono_ms() + p->poll_ms;
	p->deadline = tx_mono_ms() + p->idle_ms;
	alias->id = be->next_id++;
	alias->kind = PEND_TASK_RESULT;
	alias->call_id = p->id;
	alias->sent = true;
	alias->conn = p->conn;
	p->result_id = alias->id;
	tx_mcp_pend_insert(be, p);
	tx_mcp_pend_insert(be, alias);
	r = tx_mcp_conn_get(p->conn == be->conn ? be->conn : NULL);
	snprintf(line, sizeof(line), "task %s: %s\n", p->task_id,
		 p->task_status);
	tx_job_set_task(p->job, p->task_id, p->task_status);
	tx_job_output(p->job, line, strlen(line));
	{
		struct json_object *params = json_object_new_object();

		json_object_object_add(params, "taskId",
				       json_object_new_string(p->task_id));
		text = tx_mcp_request_text(alias->id, "tasks/result", params);
		json_object_put(params);
	}
	{
		int64_t aid = alias->id;

		pthread_mutex_unlock(&be->mu);
		rc = r && text ? r->c->ops->send(r->c, text, strlen(text), aid)
			       : -EIO;
		free(text);
		if (rc)
			tx_mcp_on_request_failed(be, r ? r->c : NULL, aid,
						 "cannot send tasks/result",
						 false);
	}
	if (r)
		tx_mcp_conn_put_unlocked(be, r);
	return true;
}

/* The answer to a tasks/get (p, taken); be->mu held, unlocks. */
void tx_mcp_task_status(struct mcp_backend *be, struct mcp_pending *p,
			struct tx_mcp_msg *m)
{
	struct mcp_pending *call = tx_mcp_pend_find(be, p->call_id);
	struct tx_job *job = NULL;
	const char *status = m->result ? tx_mcp_str_field(m->result, "status")
				       : NULL;
	const char *msg =
		m->result ? tx_mcp_str_field(m->result, "statusMessage") : NULL;
	char line[700] = "";

	if (call && call->kind == PEND_CALL && call->task_id) {
		uint64_t now = tx_mono_ms();

		call->polling = false;
		call->next_poll = now + call->poll_ms;
		if (status) {
			/* The server reports on it: it is alive and at work. */
			if (call->deadline != UINT64_MAX) /* not asking */
				call->deadline = now + call->idle_ms;
			if (strcmp(status, call->task_status) || msg) {
				snprintf(line, sizeof(line),
					 "task %s: %.31s%s%.500s\n",
					 call->task_id, status, msg ? ": " : "",
					 msg ? msg : "");
				snprintf(call->task_status,
					 sizeof(call->task_status), "%.31s",
					 status);
				job = tx_job_ref(call->job);
			}
		}
	}
	pthread_mutex_unlock(&be->mu);
	if (job) {
		tx_job_set_task(job, NULL, status);
		tx_job_output(job, line, strlen(line));
		tx_job_unref(job);
	}
	tx_mcp_pend_free(p);
}

/*
 * The task's ttl ran out before its result came (be->mu held; dropped
 * and taken again): the server may have deleted it, so its result may
 * never come.  The job ends with ETIMEDOUT, and the server is told to
 * cancel the task, in case it still runs.
 */
static void task_expire(struct mcp_backend *be, struct mcp_pending *p)
{
	struct mcp_pending *alias;
	struct mcp_conn_ref *r;
	struct mcp_outgoing *out;

	tx_mcp_pend_take(be, p->id);
	alias = tx_mcp_pend_take(be, p->result_id);
	be->inflight--;
	r = tx_mcp_conn_get(p->conn == be->conn ? be->conn : NULL);
	out = tx_mcp_pump(be);
	pthread_mutex_unlock(&be->mu);
	tx_log(TX_LOG_WARN, "mcp %s: task %s expired (ttl %u ms)",
	       be->spec->name, p->task_id, p->task_ttl_ms);
	tx_job_fail(p->job, ETIMEDOUT, "task_expired",
		    "MCP server %s's task %s expired: its ttl of %u ms (how "
		    "long the server keeps a task and its result) ran out "
		    "before the task finished (its last status: %s)",
		    be->spec->name, p->task_id, p->task_ttl_ms, p->task_status);
	if (r)
		tx_mcp_send_task_cancel(be, r, p->task_id, p->result_id);
	tx_mcp_pend_free(alias);
	tx_mcp_pend_free(p);
	tx_mcp_send_all(be, out);
	pthread_mutex_lock(&be->mu);
}

uint64_t tx_mcp_task_poll(struct mcp_backend *be, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (size_t h = 0; h < BUCKETS; h++) {
		for (struct mcp_pending *p = be->buckets[h]; p; p = p->next) {
			struct mcp_pending *g;
			struct mcp_conn_ref *r;
			struct json_object *params;
			char *text;
			int64_t gid;

			if (p->kind != PEND_CALL || !p->task_id)
				continue;
			if (p->task_expires && now >= p->task_expires) {
				task_expire(be, p);
				return 0; /* the table changed */
			}
			if (p->task_expires && p->task_expires - now < next)
				next = p->task_expires - now;
			if (p->polling)
				continue;
			if (now < p->next_poll) {
				if (p->next_poll - now < next)
					next = p->next_poll - now;
				continue;
			}
			if (p->conn != be->conn || !be->conn)
				continue;
			g = calloc(1, sizeof(*g));
			if (!g)
				return 1000;
			g->id = gid = be->next_id++;
			g->kind = PEND_TASK_GET;
			g->call_id = p->id;
			g->sent = true;
			g->conn = p->conn;
			tx_mcp_pend_insert(be, g);
			p->polling = true;
			r = tx_mcp_conn_get(be->conn);
			params = json_object_new_object();
			json_object_object_add(
				params, "taskId",
				json_object_new_string(p->task_id));
			text = tx_mcp_request_text(gid, "tasks/get", params);
			json_object_put(params);
			pthread_mutex_unlock(&be->mu);
			if (!text ||
			    r->c->ops->send(r->c, text, strlen(text), gid))
				tx_mcp_on_request_failed(be, r->c, gid,
							 "cannot send "
							 "tasks/get",
							 false);
			free(text);
			pthread_mutex_lock(&be->mu);
			tx_mcp_conn_put(be, r);
			return 0; /* the table may have changed */
		}
	}
	return next;
}

void tx_mcp_send_task_cancel(struct mcp_backend *be, struct mcp_conn_ref *r,
			     const char *task_id, int64_t result_id)
{
	struct json_object *params = json_object_new_object();
	int64_t id;
	char *text;

	pthread_mutex_lock(&be->mu);
	id = be->next_id++;
	pthread_mutex_unlock(&be->mu);
	tx_log(TX_LOG_INFO, "mcp %s: tasks/cancel for task %s", be->spec->name,
	       task_id);
	/* Nobody waits for its answer (an unknown id, logged at info). */
	json_object_object_add(params, "taskId",
			       json_object_new_string(task_id));
	text = tx_mcp_request_text(id, "tasks/cancel", params);
	json_object_put(params);
	if (text) {
		r->c->ops->send(r->c, text, strlen(text), -1);
		free(text);
	}
	/* HTTP: the tasks/result stream would stay open. */
	if (r->c->ops->abort)
		r->c->ops->abort(r->c, result_id);
	tx_mcp_conn_put_unlocked(be, r);
}

uint64_t tx_mcp_keepalive(struct mcp_backend *be, uint64_t now)
{
	unsigned every = be->spec->ping_interval_ms;
	struct mcp_pending *p;
	struct mcp_conn_ref *r;
	char *text;
	int rc;

	if (!every || be->state != ST_READY || !be->conn)
		return UINT64_MAX;
	if (be->ping_id) {
		char why[200];

		p = tx_mcp_pend_find(be, be->ping_id);
		if (p && now < p->deadline)
			return p->deadline - now;
		if (p) {
			tx_mcp_pend_take(be, p->id);
			r = p->conn == be->conn ? be->conn : NULL;
			if (r) {
				snprintf(why, sizeof(why),
					 "no answer to ping within %u ms",
					 be->spec->timeout_ms);
				tx_log(TX_LOG_WARN, "mcp %s: %s",
				       be->spec->name, why);
				tx_mcp_note_failure(be, why, false);
				tx_mcp_detach(be, r);
			}
			tx_mcp_pend_free(p);
		}
		be->ping_id = 0;
		return 0;
	}
	/* Calls in flight show soon enough whether the server lives. */
	if (be->inflight || be->qhead)
		return every;
	if (now - be->last_activity < every)
		return be->last_activity + every - now;
	p = calloc(1, sizeof(*p));
	if (!p)
		return every;
	p->id = be->next_id++;
	p->kind = PEND_PING;
	p->sent = true;
	p->conn = be->conn;
	p->deadline = now + be->spec->timeout_ms;
	tx_mcp_pend_insert(be, p);
	be->ping_id = p->id;
	be->last_activity = now;
	r = tx_mcp_conn_get(be->conn);
	pthread_mutex_unlock(&be->mu);
	text = tx_mcp_request_text(p->id, "ping", NULL);
	rc = text ? r->c->ops->send(r->c, text, strlen(text), p->id) : -ENOMEM;
	free(text);
	pthread_mutex_lock(&be->mu);
	if (rc && be->ping_id && (p = tx_mcp_pend_take(be, be->ping_id))) {
		be->ping_id = 0;
		tx_mcp_pend_free(p);
	}
	tx_mcp_conn_put(be, r);
	return 0;
}
