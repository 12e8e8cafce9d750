/*
 * mcp_elicit.c - elicitation/create from a server, by the configuration's
 * "elicitation": "defaults" answers with the schema's defaults, "decline"
 * declines, "ask" hands the question to the call's job (the engine,
 * src/engine/elicit.c), which a person answers through the mount.
 *
 * Nothing here waits: the request arrives on the transport's I/O thread,
 * which must go on reading (the answer to the very call may come next).
 * The engine calls ask_done once the question is resolved, on whatever
 * thread resolved it, and the reply goes out through the connection's
 * send(), which never waits for the server either.
 *
 * Which call asks: over Streamable HTTP, a request the server sends on
 * a POST's response stream belongs to that POST's request (the
 * transport says which, conn->via).  Over stdio nothing says; the
 * question goes to the call sent last of those still in flight, which
 * is right whenever one call at a time runs on the server and a guess
 * otherwise (docs/mcp.md).  With no call in flight there is no job to
 * hold the question, and it is declined.
 */
#include "backend/mcp_backend_i.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "engine/job.h"
#include "util/log.h"

/* A question on its way to a person, for ask_done. */
struct mcp_question {
	struct mcp_backend *be;
	struct tx_backend *hold; /* keeps be allocated until the reply */
	/* The connection the request came on, compared, never followed:
	 * holding a reference would keep shutdown waiting for an answer. */
	const struct tx_mcp_conn *conn;
	uint64_t conn_started;
	struct json_object *id; /* the request's id (ours alone) */
	int64_t call_id;        /* the call that asks */
};

/* A reply {"action": action}; malloc'd text or NULL. */
static char *action_reply(struct json_object *id, const char *action)
{
	struct json_object *o = json_object_new_object();
	char *t = NULL;

	if (o && !json_object_object_add(o, "action",
					 json_object_new_string(action)))
		t = tx_mcp_reply_text(id, o, 0, NULL);
	json_object_put(o);
	return t;
}

/*
 * The call an elicitation belongs to (be->mu held): the one whose id the
 * transport names, else the call sent last on that connection.
 */
static struct mcp_pending *asking_call(struct mcp_backend *be,
				       const struct tx_mcp_conn *c)
{
	struct mcp_pending *best = NULL;

	if (c->via > 0) {
		struct mcp_pending *p = tx_mcp_pend_find(be, c->via);

		if (p && p->kind == PEND_CALL && p->job)
			return p;
		/* tasks/result of a task call: its CALL. */
		if (p &&
		    (p->kind == PEND_TASK_RESULT || p->kind == PEND_TASK_GET))
			p = tx_mcp_pend_find(be, p->call_id);
		if (p && p->kind == PEND_CALL && p->job)
			return p;
	}
	for (size_t h = 0; h < BUCKETS; h++)
		for (struct mcp_pending *p = be->buckets[h]; p; p = p->next)
			if (p->kind == PEND_CALL && p->sent && p->job &&
			    (!best || p->id > best->id))
				best = p;
	return best;
}

static void ask_done(void *ctx, struct json_object *answer)
{
	struct mcp_question *q = ctx;
	struct mcp_backend *be = q->be;
	struct mcp_conn_ref *r = NULL;
	struct mcp_pending *p;
	char *reply = NULL;

	if (answer)
		reply = tx_mcp_reply_text(q->id, answer, 0, NULL);
	else
		reply = tx_mcp_reply_text(q->id, NULL, -32603, "out of memory");
	json_object_put(answer);
	pthread_mutex_lock(&be->mu);
	if (be->conn && be->conn->c == q->conn &&
	    be->conn->started == q->conn_started)
		r = tx_mcp_conn_get(be->conn);
	/* The person answered: the server has its whole timeout again
	 * to finish the call (as after a progress notification). */
	p = tx_mcp_pend_find(be, q->call_id);
	if (p && p->kind == PEND_CALL && p->sent)
		p->deadline = tx_mono_ms() + p->idle_ms;
	pthread_mutex_unlock(&be->mu);
	if (r && reply)
		r->c->ops->send(r->c, reply, strlen(reply), -1);
	else if (!r)
		tx_log(TX_LOG_INFO,
		       "mcp %s: an answer to a question is dropped: the "
		       "session that asked is gone",
		       be->spec->name);
	if (r)
		tx_mcp_conn_put_unlocked(be, r);
	free(reply);
	json_object_put(q->id);
	tx_backend_unref(q->hold);
	free(q);
}

/* "ask": the question goes to the asking call's job. */
static char *ask(struct mcp_backend *be, struct tx_mcp_conn *c,
		 struct tx_mcp_msg *m)
{
	struct mcp_question *q = calloc(1, sizeof(*q));
	struct tx_job *job = NULL;
	struct mcp_pending *p;
	unsigned timeout_ms = 0;
	char err[512];
	int rc;

	if (!q)
		return tx_mcp_reply_text(m->id, NULL, -32603, "out of memory");
	pthread_mutex_lock(&be->mu);
	p = asking_call(be, c);
	if (p) {
		job = tx_job_ref(p->job);
		q->call_id = p->id;
		timeout_ms = p->idle_ms;
		/* The call waits for a person, not for the server: its
		 * timeout starts when the question is resolved (ask_done);
		 * until then the question's own timeout, the same length,
		 * runs.  The job's max_timeout_ms still caps both. */
		p->deadline = UINT64_MAX;
	}
	if (be->conn && be->conn->c == c) {
		q->conn = c;
		q->conn_started = be->conn->started;
	}
	pthread_mutex_unlock(&be->mu);
	if (!job) {
		free(q);
		tx_log(TX_LOG_INFO,
		       "mcp %s: elicitation declined: no call of ours is "
		       "waiting for it",
		       be->spec->name);
		return action_reply(m->id, "decline");
	}
	q->be = be;
	q->hold = tx_backend_ref(&be->core);
	/* json-c reference counts are not atomic: the reply is built on
	 * another thread, so it gets an id of its own. */
	q->id = NULL;
	if (json_object_deep_copy(m->id, &q->id, NULL) || !q->id) {
		tx_backend_unref(q->hold);
		free(q);
		tx_job_unref(job);
		return tx_mcp_reply_text(m->id, NULL, -32603, "out of memory");
	}
	rc = tx_job_ask(job, m->params, timeout_ms, ask_done, q, err,
			sizeof(err));
	tx_job_unref(job);
	if (rc) {
		char msg[600];

		pthread_mutex_lock(&be->mu);
		p = tx_mcp_pend_find(be, q->call_id);
		if (p && p->kind == PEND_CALL && p->deadline == UINT64_MAX)
			p->deadline = tx_mono_ms() + p->idle_ms;
		pthread_mutex_unlock(&be->mu);
		json_object_put(q->id);
		tx_backend_unref(q->hold);
		free(q);
		if (rc == -EINVAL) {
			snprintf(msg, sizeof(msg), "Invalid params: %s", err);
			return tx_mcp_reply_text(m->id, NULL, -32602, msg);
		}
		return action_reply(m->id, "cancel");
	}
	return NULL; /* ask_done replies */
}

char *tx_mcp_elicit_request(struct mcp_backend *be, struct tx_mcp_conn *c,
			    struct tx_mcp_msg *m)
{
	struct json_object *ans;
	char *reply;

	switch (be->spec->elicit) {
	case TX_ELICIT_DEFAULTS:
		ans = tx_mcp_elicit_defaults(m->params);
		tx_log(TX_LOG_INFO,
		       "mcp %s: elicitation answered with its defaults: %s",
		       be->spec->name,
		       ans ? json_object_to_json_string(ans) : "?");
		reply = ans ? tx_mcp_reply_text(m->id, ans, 0, NULL) : NULL;
		json_object_put(ans);
		return reply;
	case TX_ELICIT_DECLINE:
		tx_log(TX_LOG_INFO,
		       "mcp %s: elicitation declined (\"elicitation\": "
		       "\"decline\")",
		       be->spec->name);
		return action_reply(m->id, "decline");
	case TX_ELICIT_ASK:
		return ask(be, c, m);
	case TX_ELICIT_NONE:
		break;
	}
	return tx_mcp_reply_text(m->id, NULL, -32601,
				 "Method not found: elicitation/create");
}
