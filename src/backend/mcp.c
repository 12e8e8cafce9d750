/*
 * mcp.c - one MCP server as a backend: its lifecycle and the backend
 * ops.  Requests in flight are in mcp_rpc.c, tool listing in
 * mcp_tools.c, transports in mcp_stdio.c and mcp_http.c.  docs/mcp.md is
 * the user's side of these files.
 *
 * Threads: a manager thread per server connects (initialize, tools/list),
 * re-lists on list_changed, restarts lazily and reaps dead connections;
 * the transport's I/O thread delivers messages (on_message), which
 * completes jobs directly; callers' threads run start() and cancel().
 * One mutex (be->mu) guards the state below; it is never held across
 * I/O or a call into the engine.
 *
 * Reference cycle: every published tool holds a reference on its
 * backend, so the engine's reference could never be the last one.  The
 * backend is therefore two tx_backend structs in one allocation: the
 * engine holds `handle` (dropping it shuts the server down and removes
 * its tools); the tools hold `core`, which frees the memory when the
 * last tool is gone.
 */
#include "backend/mcp.h"

#include "backend/mcp_auth.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/mcp_backend_i.h"
#include "engine/backend.h"
#include "config/config.h"
#include "engine/job.h"
#include "util/jsonu.h"
#include "util/log.h"
#include "engine/registry.h"
#include "engine/tool.h"

static struct mcp_backend *be_of(struct tx_backend *b);
static void mcp_cancel(struct tx_backend *b, struct tx_job *job);

/* ---- the manager ---------------------------------------------------- */

static int handshake(struct mcp_backend *be, struct mcp_conn_ref *r, char *err,
		     size_t errlen)
{
	struct json_object *params = tx_mcp_initialize_params(
		be->spec->elicit != TX_ELICIT_NONE,
		be->spec->elicit == TX_ELICIT_ASK ||
			be->spec->elicit == TX_ELICIT_DECLINE);
	struct json_object *info = NULL, *caps = NULL;
	struct tx_mcp_msg reply;
	const char *version, *instr;
	char *instructions;
	char ver[32];
	int rc;

	if (!params || tx_mcp_extras_init_params(be, params)) {
		json_object_put(params);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = tx_mcp_sync_request(be, r, "initialize", params,
				 be->spec->startup_timeout_ms, &reply, err,
				 errlen);
	json_object_put(params);
	if (rc)
		return rc;
	if (reply.error) {
		snprintf(err, errlen, "initialize refused: %s (code %d)",
			 reply.error_message, reply.error_code);
		tx_mcp_msg_release(&reply);
		return -EPROTO;
	}
	version = tx_mcp_str_field(reply.result, "protocolVersion");
	if (!tx_mcp_version_supported(version)) {
		snprintf(err, errlen,
			 "server speaks MCP protocol version %.40s; "
			 "toolexecfs supports %s",
			 version ? version : "(none)", tx_mcp_versions_text());
		tx_mcp_msg_release(&reply);
		return -EPROTONOSUPPORT;
	}
	json_object_object_get_ex(reply.result, "serverInfo", &info);
	json_object_object_get_ex(reply.result, "capabilities", &caps);
	instr = tx_mcp_str_field(reply.result, "instructions");
	instructions = instr ? strdup(instr) : NULL;
	pthread_mutex_lock(&be->mu);
	/* Only what the server declared is used: a server without "tools"
	 * (prompts or resources only) is never sent tools/list. */
	be->cap_tools = caps && json_object_is_type(caps, json_type_object) &&
			json_object_object_get_ex(caps, "tools", NULL);
	{
		struct json_object *t = NULL, *rq = NULL, *tl = NULL;

		be->cap_tool_tasks =
			be->cap_tools &&
			json_object_object_get_ex(caps, "tasks", &t) &&
			json_object_object_get_ex(t, "requests", &rq) &&
			json_object_object_get_ex(rq, "tools", &tl) &&
			json_object_object_get_ex(tl, "call", NULL);
	}
	tx_mcp_extras_caps(be, caps);
	free(be->instructions);
	be->instructions = instructions;
	snprintf(be->version, sizeof(be->version), "%s", version);
	snprintf(be->server_info, sizeof(be->server_info), "%.80s %.40s",
		 tx_mcp_str_field(info, "name") ? tx_mcp_str_field(info, "name")
						: "?",
		 tx_mcp_str_field(info, "version")
			 ? tx_mcp_str_field(info, "version")
			 : "");
	pthread_mutex_unlock(&be->mu);
	snprintf(ver, sizeof(ver), "%s", version);
	tx_mcp_msg_release(&reply); /* version pointed into it */
	/* The version first: notifications/initialized is a request after
	 * initialization, which MUST carry MCP-Protocol-Version. */
	if (r->c->ops->ready)
		r->c->ops->ready(r->c, ver);
	tx_mcp_notify(r, "notifications/initialized", NULL);
	if (r->c->ops->listen)
		r->c->ops->listen(r->c);
	return 0;
}

/* Resources and prompts: a server whose listing of them fails still
 * serves its tools. */
static void list_extras(struct mcp_backend *be, struct mcp_conn_ref *r)
{
	char err[600];

	if (tx_mcp_list_extras(be, r, err, sizeof(err)) && !be->stopping)
		tx_log(TX_LOG_WARN,
		       "mcp %s: listing resources and prompts failed, "
		       "keeping the old lists: %s",
		       be->spec->name, err);
}

static void connect_server(struct mcp_backend *be)
{
	struct tx_mcp_conn_cbs cbs = {
		.ctx = be,
		.message = tx_mcp_on_message,
		.closed = tx_mcp_on_closed,
		.stderr_line = tx_mcp_on_stderr,
		.request_failed = tx_mcp_on_request_failed,
		.request_denied = tx_mcp_on_request_denied,
		.awaiting = tx_mcp_awaiting,
	};
	struct tx_mcp_conn *c;
	struct mcp_conn_ref *r;
	struct mcp_outgoing *out;
	uint64_t took;
	size_t ntools;
	char err[600], why[700];
	unsigned closes;
	int rc;

	pthread_mutex_lock(&be->mu);
	closes = be->closes;
	pthread_mutex_unlock(&be->mu);
	c = be->spec->url ? tx_mcp_http_open(be->spec, &cbs, err, sizeof(err))
			  : tx_mcp_stdio_open(be->spec, &cbs, err, sizeof(err));
	r = c ? calloc(1, sizeof(*r)) : NULL;
	if (!r) {
		if (c) {
			c->ops->stop(c);
			c->ops->free(c);
			snprintf(err, sizeof(err), "out of memory");
		}
		rc = -EIO;
		goto out_failed;
	}
	r->c = c;
	r->refs = 2; /* be->conn's, and ours until the end */
	r->started = tx_mono_ms();
	pthread_mutex_lock(&be->mu);
	be->conn = r;
	be->live_conns++;
	be->starts++;
	pthread_mutex_unlock(&be->mu);

	rc = handshake(be, r, err, sizeof(err));
	if (!rc) {
		/* A list_changed before our first tools/list is stale. */
		pthread_mutex_lock(&be->mu);
		be->want_relist = false;
		pthread_mutex_unlock(&be->mu);
		rc = tx_mcp_list_tools(be, r, err, sizeof(err));
	}
	if (!rc)
		list_extras(be, r);
	pthread_mutex_lock(&be->mu);
	if (!rc && be->conn != r) {
		/* It died while we listed; on_closed said why. */
		snprintf(err, sizeof(err), "%s", be->last_error);
		rc = -EIO;
	}
	if (rc) {
		tx_mcp_detach(be, r);
		tx_mcp_conn_put(be, r);
		pthread_mutex_unlock(&be->mu);
		goto out_failed;
	}
	be->state = ST_READY;
	be->last_activity = tx_mono_ms();
	took = be->last_activity - r->started;
	ntools = be->ntools;
	be->ping_id = 0;
	be->first_done = true;
	be->first_rc = 0;
	pthread_cond_broadcast(&be->cond);
	if (be->spec->lazy && !be->lazy_listed && !be->qhead && !be->inflight) {
		/* Lazy: we needed the process only for its tool list; it
		 * starts again at the first call. */
		be->lazy_listed = true;
		tx_mcp_detach(be, r);
		be->state = ST_IDLE;
		tx_mcp_conn_put(be, r);
		pthread_mutex_unlock(&be->mu);
		tx_log(TX_LOG_INFO,
		       "mcp %s: started in %" PRIu64 " ms, %zu tools listed; "
		       "lazy, so stopped until the first call",
		       be->spec->name, took, ntools);
		return;
	}
	be->lazy_listed = true;
	out = tx_mcp_pump(be);
	tx_mcp_conn_put(be, r);
	pthread_mutex_unlock(&be->mu);
	tx_log(TX_LOG_INFO,
	       "mcp %s: ready in %" PRIu64 " ms, %zu tools (%s, protocol %s)",
	       be->spec->name, took, ntools, be->server_info, be->version);
	tx_mcp_send_all(be, out);
	return;

out_failed:
	snprintf(why, sizeof(why), "failed to start: %s", err);
	tx_log(TX_LOG_ERROR, "mcp %s: %s", be->spec->name, why);
	pthread_mutex_lock(&be->mu);
	if (be->state != ST_STOPPED)
		be->state = ST_DOWN;
	if (be->closes != closes) {
		/* on_closed counted this failure already; keep its count,
		 * tell the fuller story. */
		size_t n = strnlen(why, sizeof(be->last_error) - 1);

		memcpy(be->last_error, why, n);
		be->last_error[n] = '\0';
	} else {
		tx_mcp_note_failure(be, why, true);
	}
	/* A server that never listed its tools has none to call, so no
	 * call would ever restart it: try again by itself, after the
	 * back-off (a first `npx` download may outlast the start-up
	 * timeout; the next start finds it cached). */
	if (!be->lazy_listed && !be->stopping && be->state == ST_DOWN)
		be->want_connect = true;
	be->first_done = true;
	be->first_rc = rc < 0 ? rc : -EIO;
	pthread_cond_broadcast(&be->cond);
	pthread_mutex_unlock(&be->mu);
	tx_mcp_fail_queue(be, why);
}

static void *manager_main(void *arg)
{
	struct mcp_backend *be = arg;

	pthread_mutex_lock(&be->mu);
	while (!be->stopping) {
		uint64_t now = tx_mono_ms();
		uint64_t wait = 250;
		struct mcp_pending *expired;
		struct timespec ts;

		if (be->graveyard) {
			tx_mcp_reap_graveyard(be);
			continue;
		}
		expired = tx_mcp_take_expired(be, now);
		if (expired) {
			struct mcp_outgoing *out = tx_mcp_pump(be);

			pthread_mutex_unlock(&be->mu);
			while (expired) {
				struct mcp_pending *next = expired->next;

				if (!expired->sent)
					tx_mcp_pend_fail(
						expired, ETIMEDOUT, "timeout",
						"MCP server %s was not ready "
						"in time",
						be->spec->name);
				else
					tx_mcp_pend_fail(
						expired, ETIMEDOUT, "timeout",
						"MCP server %s sent neither "
						"an answer nor progress for "
						"%u ms",
						be->spec->name,
						expired->idle_ms);
				if (expired->conn && expired->task_id)
					tx_mcp_send_task_cancel(
						be, expired->conn,
						expired->task_id,
						expired->result_id);
				else if (expired->conn)
					tx_mcp_send_cancelled(be, expired->conn,
							      expired->id,
							      "timed out");
				expired->conn = NULL;
				tx_mcp_pend_free(expired);
				expired = next;
			}
			tx_mcp_send_all(be, out);
			pthread_mutex_lock(&be->mu);
			continue;
		}
		if (be->want_connect && !be->conn &&
		    (be->state == ST_IDLE || be->state == ST_DOWN)) {
			if (now >= be->next_start_at) {
				be->want_connect = false;
				be->state = ST_CONNECTING;
				pthread_mutex_unlock(&be->mu);
				connect_server(be);
				pthread_mutex_lock(&be->mu);
				continue;
			}
			if (be->next_start_at - now < wait)
				wait = be->next_start_at - now;
		}
		if (be->want_relist && be->state == ST_READY && be->conn) {
			struct mcp_conn_ref *r = tx_mcp_conn_get(be->conn);
			char err[600];

			int rc;

			be->want_relist = false;
			pthread_mutex_unlock(&be->mu);
			rc = tx_mcp_list_tools(be, r, err, sizeof(err));
			pthread_mutex_lock(&be->mu);
			if (rc && !be->stopping)
				tx_log(TX_LOG_WARN,
				       "mcp %s: re-listing tools "
				       "failed, keeping the old list: %s",
				       be->spec->name, err);
			tx_mcp_conn_put(be, r);
			continue;
		}
		if (be->want_relist_extras && be->state == ST_READY &&
		    be->conn) {
			struct mcp_conn_ref *r = tx_mcp_conn_get(be->conn);

			pthread_mutex_unlock(&be->mu);
			list_extras(be, r);
			pthread_mutex_lock(&be->mu);
			tx_mcp_conn_put(be, r);
			continue;
		}
		{
			uint64_t next = tx_mcp_keepalive(be, now);

			if (next == 0)
				continue; /* it dropped the lock */
			if (next < wait)
				wait = next;
			next = tx_mcp_task_poll(be, now);
			if (next == 0)
				continue;
			if (next < wait)
				wait = next;
		}
		ts = tx_mono_after_ns(wait * 1000000u);
		pthread_cond_timedwait(&be->cond, &be->mu, &ts);
	}
	pthread_mutex_unlock(&be->mu);
	return NULL;
}

/* ---- backend ops ---------------------------------------------------- */

static int mcp_start(struct tx_backend *b, struct tx_job *job)
{
	struct mcp_backend *be = be_of(b);
	const struct tx_tool *tool = tx_job_tool(job);
	const struct mcp_tool_data *data;
	struct json_object *params;
	struct mcp_pending *p;
	unsigned idle, cap;
	char *text;
	int64_t id;

	if (!tool || !tool->backend_data)
		return -EINVAL;
	data = tool->backend_data;
	pthread_mutex_lock(&be->mu);
	id = be->next_id++;
	pthread_mutex_unlock(&be->mu);

	tx_mcp_spec_tool_timeouts(be->spec, data->name, &idle, &cap);
	/* A task lives as long as the call may: its ttl is our cap. */
	params = tx_mcp_call_params(data->name, tx_job_args(job), id,
				    data->task ? cap : 0);
	text = params ? tx_mcp_request_text(id, "tools/call", params) : NULL;
	json_object_put(params);
	p = text ? calloc(1, sizeof(*p)) : NULL;
	if (!p) {
		free(text);
		return -ENOMEM;
	}
	p->id = id;
	p->kind = PEND_CALL;
	p->text = text;
	p->idle_ms = idle;
	p->as_task = data->task;
	p->job = tx_job_ref(job);
	tx_job_set_backend_data(job, (void *)(intptr_t)id);

	pthread_mutex_lock(&be->mu);
	if (be->stopping || be->state == ST_STOPPED) {
		pthread_mutex_unlock(&be->mu);
		tx_mcp_pend_free(p);
		return -EIO;
	}
	if (be->state == ST_DOWN && !be->conn && be->auth &&
	    !strcmp(tx_mcp_auth_status(be->auth), "needs-login")) {
		char hint[600];

		pthread_mutex_unlock(&be->mu);
		tx_mcp_auth_hint(be->auth, hint, sizeof(hint));
		tx_job_fail(job, EACCES, "auth_required", "MCP server %s: %s",
			    be->spec->name, hint);
		tx_mcp_pend_free(p);
		return 0;
	}
	if (be->state == ST_DOWN && !be->conn &&
	    tx_mono_ms() < be->next_start_at) {
		uint64_t left = be->next_start_at - tx_mono_ms();
		char last[sizeof(be->last_error)];
		unsigned failures = be->failures;

		memcpy(last, be->last_error, sizeof(last));
		pthread_mutex_unlock(&be->mu);
		tx_job_fail(job, EIO, "backend_failed",
			    "MCP server %s is down after %u failures (%s); "
			    "next restart in %.1f s",
			    be->spec->name, failures, last,
			    (double)left / 1000.0);
		tx_mcp_pend_free(p);
		return 0;
	}
	tx_mcp_queue_unlock(be, p);
	/* A cancel that came before the job was in our table found
	 * nothing; look again now that it is. */
	if (tx_job_is_final(job))
		mcp_cancel(b, job);
	return 0;
}

static void mcp_cancel(struct tx_backend *b, struct tx_job *job)
{
	struct mcp_backend *be = be_of(b);
	int64_t id = (int64_t)(intptr_t)tx_job_backend_data(job);
	struct mcp_conn_ref *r = NULL;
	struct mcp_outgoing *out;
	struct mcp_pending *p, *alias;

	pthread_mutex_lock(&be->mu);
	p = tx_mcp_pend_find(be, id);
	if (!p || p->kind != PEND_CALL || p->job != job) {
		pthread_mutex_unlock(&be->mu);
		return;
	}
	tx_mcp_pend_take(be, id);
	if (p->sent) {
		be->inflight--;
		r = tx_mcp_conn_get(p->conn == be->conn ? be->conn : NULL);
	} else {
		tx_mcp_queue_remove(be, p);
	}
	alias = p->task_id ? tx_mcp_pend_take(be, p->result_id) : NULL;
	out = tx_mcp_pump(be);
	pthread_mutex_unlock(&be->mu);
	tx_mcp_pend_free(alias);
	/* The engine already ended the job; we only tell the server: a
	 * task with tasks/cancel (its tools/call was answered long ago). */
	if (r && p->task_id)
		tx_mcp_send_task_cancel(be, r, p->task_id, p->result_id);
	else if (r)
		tx_mcp_send_cancelled(be, r, id,
				      tx_job_state(job) == TX_JOB_TIMEOUT
					      ? "timed out"
					      : "cancelled");
	tx_mcp_pend_free(p);
	tx_mcp_send_all(be, out);
}

static void mcp_shutdown(struct tx_backend *b)
{
	struct mcp_backend *be = from_handle(b);
	struct mcp_pending *list = NULL;
	struct mcp_conn_ref *r;

	pthread_mutex_lock(&be->mu);
	if (be->shut) {
		pthread_mutex_unlock(&be->mu);
		return;
	}
	be->shut = true;
	be->stopping = true;
	pthread_cond_broadcast(&be->cond);
	pthread_mutex_unlock(&be->mu);
	if (be->manager_started)
		pthread_join(be->manager, NULL);
	if (be->auth)
		tx_mcp_auth_unwatch(be->auth, be);

	tx_mcp_backend_retire(b);

	pthread_mutex_lock(&be->mu);
	be->state = ST_STOPPED;
	r = be->conn;
	be->conn = NULL;
	list = tx_mcp_take_sent_on(be, NULL, "shutting down");
	list = tx_mcp_take_queue(be, list);
	if (r)
		tx_mcp_conn_put(be, r);
	/* Senders may still hold a connection for a moment. */
	while (be->live_conns > 0) {
		if (be->graveyard) {
			tx_mcp_reap_graveyard(be);
			continue;
		}
		pthread_cond_wait(&be->cond, &be->mu);
	}
	pthread_mutex_unlock(&be->mu);
	tx_mcp_fail_calls(list, EIO, "backend_failed", be->spec->name,
			  "server shut down");
}

static void mcp_core_destroy(struct tx_backend *b)
{
	struct mcp_backend *be = from_core(b);

	tx_mcp_extras_release(be);
	tx_mcp_auth_put(be->auth);
	tx_mcp_spec_free(be->spec);
	free(be->instructions);
	free(be->left_out);
	pthread_mutex_destroy(&be->mu);
	pthread_mutex_destroy(&be->pub_mu);
	pthread_cond_destroy(&be->cond);
	free(be);
}

static void mcp_handle_destroy(struct tx_backend *b)
{
	tx_backend_unref(&from_handle(b)->core);
}

/* A server that never started, being started again after failures:
 * the status shows it down, with why, not merely "starting". */
static bool retrying(const struct mcp_backend *be)
{
	return be->state == ST_CONNECTING && be->failures && !be->lazy_listed;
}

static const char *state_word(const struct mcp_backend *be)
{
	if (retrying(be))
		return be->failures >= FAILED_AFTER ? "failed" : "down";
	switch (be->state) {
	case ST_IDLE:
		if (be->lazy_listed)
			return "idle (lazy: starts at the next call)";
		/* Created, and its manager about to connect. */
		return be->want_connect ? "starting" : "not started";
	case ST_CONNECTING:
		return "starting";
	case ST_READY:
		return "ready";
	case ST_DOWN:
		return be->failures >= FAILED_AFTER ? "failed" : "down";
	case ST_STOPPED:
		return "stopped";
	}
	return "?";
}

static char *mcp_status(struct tx_backend *b)
{
	struct mcp_backend *be = be_of(b);
	struct tx_buf out;
	char desc[300] = "";

	tx_buf_init(&out, 64 * 1024);
	pthread_mutex_lock(&be->mu);
	if (be->conn)
		be->conn->c->ops->describe(be->conn->c, desc, sizeof(desc));
	tx_buf_printf(&out, "mcp %s: %s", be->spec->name, state_word(be));
	if (be->state == ST_READY)
		tx_buf_printf(&out,
			      " (%s, %s, protocol %s, %zu tools, %zu calls "
			      "in flight, %llu done)",
			      desc, be->server_info, be->version, be->ntools,
			      be->inflight, (unsigned long long)be->calls);
	if (be->state == ST_DOWN || retrying(be)) {
		uint64_t now = tx_mono_ms();

		/* Never listed: no tool to call, so it retries by itself. */
		tx_buf_printf(&out, " (%u failures in a row; %s", be->failures,
			      be->lazy_listed ? "restarts on the next call"
			      : retrying(be)  ? "starting again"
					      : "starts again");
		if (retrying(be))
			; /* under way */
		else if (be->next_start_at > now)
			tx_buf_printf(&out, " after %.1f s",
				      (double)(be->next_start_at - now) /
					      1000.0);
		else if (!be->lazy_listed)
			tx_buf_adds(&out, " now");
		tx_buf_printf(&out, "): %s", be->last_error);
	}
	tx_buf_adds(&out, "\n");
	if (be->state == ST_READY && !be->cap_tools)
		tx_buf_adds(&out,
			    "  (the server declared no tools capability)\n");
	if (be->state == ST_READY && be->left_out)
		tx_buf_printf(&out, "  left out: %s\n", be->left_out);
	if (be->state == ST_READY && be->instructions) {
		/* One line: the first of the server's instructions. */
		size_t n = strcspn(be->instructions, "\r\n");

		tx_buf_printf(&out, "  instructions: %.*s%s\n",
			      (int)(n < 300 ? n : 300), be->instructions,
			      n > 300 || be->instructions[n] ? " ..." : "");
	}
	if ((be->state == ST_DOWN || retrying(be)) && be->stderr_count) {
		unsigned first =
			(be->stderr_next + STDERR_KEEP - be->stderr_count) %
			STDERR_KEEP;

		for (unsigned i = 0; i < be->stderr_count; i++)
			tx_buf_printf(
				&out, "  stderr: %s\n",
				be->stderr_ring[(first + i) % STDERR_KEEP]);
	}
	pthread_mutex_unlock(&be->mu);
	return tx_buf_detach(&out, NULL);
}

static const struct tx_backend_ops handle_ops = {
	.kind = "mcp",
	.start = mcp_start,
	.cancel = mcp_cancel,
	.shutdown = mcp_shutdown,
	.destroy = mcp_handle_destroy,
	.status = mcp_status,
	.retire = tx_mcp_backend_retire,
};

static const struct tx_backend_ops core_ops = {
	.kind = "mcp",
	.start = mcp_start,
	.cancel = mcp_cancel,
	.shutdown = NULL,
	.destroy = mcp_core_destroy,
	.status = mcp_status,
};

static struct mcp_backend *be_of(struct tx_backend *b)
{
	return b->ops == &handle_ops ? from_handle(b) : from_core(b);
}

/* A sign-in completed: a server that is down for want of it connects
 * now, not after its back-off. */
static void signed_in(void *ctx)
{
	struct mcp_backend *be = ctx;

	pthread_mutex_lock(&be->mu);
	if (be->state == ST_DOWN && !be->conn && !be->stopping) {
		be->next_start_at = tx_mono_ms();
		be->want_connect = true;
		pthread_cond_broadcast(&be->cond);
	}
	pthread_mutex_unlock(&be->mu);
}

struct tx_backend *tx_mcp_backend_new(const struct tx_mcp_spec *spec,
				      struct tx_registry *reg, char *err,
				      size_t errlen)
{
	struct mcp_backend *be;
	int rc;

	if (!spec || !spec->name || (!spec->command == !spec->url)) {
		snprintf(err, errlen,
			 "an MCP server needs a name and either "
			 "\"command\" or \"url\"");
		errno = EINVAL;
		return NULL;
	}
	be = calloc(1, sizeof(*be));
	if (!be || !(be->spec = tx_mcp_spec_dup(spec))) {
		free(be);
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	if (!be->spec->timeout_ms)
		be->spec->timeout_ms = TX_TOOL_TIMEOUT_DEFAULT;
	if (be->spec->max_timeout_ms < be->spec->timeout_ms)
		be->spec->max_timeout_ms = be->spec->timeout_ms;
	if (!be->spec->startup_timeout_ms)
		be->spec->startup_timeout_ms = 30000;
	tx_backend_init(&be->handle, &handle_ops);
	tx_backend_init(&be->core, &core_ops);
	be->reg = reg;
	be->next_id = 1;
	snprintf(be->source, sizeof(be->source), "mcp:%s", spec->name);
	if (spec->url)
		snprintf(be->where, sizeof(be->where),
			 "MCP server \"%s\" over %s (%.300s)", spec->name,
			 spec->legacy_sse ? "HTTP+SSE (deprecated)"
					  : "Streamable HTTP",
			 spec->url_shown ? spec->url_shown : spec->url);
	else
		snprintf(be->where, sizeof(be->where),
			 "MCP server \"%s\" over stdio (%.300s)", spec->name,
			 spec->command);
	pthread_mutex_init(&be->mu, NULL);
	pthread_mutex_init(&be->pub_mu, NULL);
	tx_cond_init_monotonic(&be->cond);
	/* After the locks: setting the roots takes be->mu. */
	if (tx_mcp_extras_set_roots(be, be->spec->roots)) {
		snprintf(err, errlen, "out of memory");
		rc = ENOMEM;
		goto out_destroy_locks;
	}
	/* Lazy servers start too, in the background, because we need their
	 * tool list; the mount does not wait for them, and the process is
	 * stopped once listed until the first call. */
	be->want_connect = true;
	if (spec->url && (!(be->auth = tx_mcp_auth_attach(be->spec)) ||
			  tx_mcp_auth_watch(be->auth, signed_in, be))) {
		snprintf(err, errlen, "sign-in state: %s", strerror(errno));
		tx_mcp_auth_put(be->auth);
		rc = ENOMEM;
		goto out_destroy_locks;
	}
	rc = pthread_create(&be->manager, NULL, manager_main, be);
	if (rc) {
		snprintf(err, errlen, "thread: %s", strerror(rc));
		if (be->auth) {
			tx_mcp_auth_unwatch(be->auth, be);
			tx_mcp_auth_put(be->auth);
		}
		goto out_destroy_locks;
	}
	be->manager_started = true;
	return &be->handle;

out_destroy_locks:
	tx_mcp_extras_release(be);
	pthread_mutex_destroy(&be->mu);
	pthread_mutex_destroy(&be->pub_mu);
	pthread_cond_destroy(&be->cond);
	tx_mcp_spec_free(be->spec);
	free(be);
	errno = rc;
	return NULL;
}

void tx_mcp_backend_retire(struct tx_backend *b)
{
	struct mcp_backend *be = be_of(b);
	char err[256];

	/* Stop the manager's work (a listing in flight wakes up and
	 * fails) before the tools go, so that none come back. */
	pthread_mutex_lock(&be->mu);
	be->stopping = true;
	pthread_cond_broadcast(&be->cond);
	pthread_mutex_unlock(&be->mu);
	pthread_mutex_lock(&be->pub_mu);
	if (!be->retired) {
		be->retired = true;
		tx_registry_set_source(be->reg, be->source, NULL, 0, err,
				       sizeof(err));
		tx_mcp_extras_retire(be);
	}
	pthread_mutex_unlock(&be->pub_mu);
}

int tx_mcp_backend_wait_ready(struct tx_backend *b, int timeout_ms)
{
	struct mcp_backend *be = be_of(b);
	uint64_t deadline =
		tx_mono_ms() + (timeout_ms < 0 ? 0 : (unsigned)timeout_ms);
	int rc;

	if (be->spec->lazy)
		return 0;
	pthread_mutex_lock(&be->mu);
	while (!be->first_done && !be->stopping) {
		uint64_t now = tx_mono_ms();
		struct timespec ts;

		if (timeout_ms >= 0 && now >= deadline)
			break;
		ts = tx_mono_after_ns(100 * 1000000u);
		pthread_cond_timedwait(&be->cond, &be->mu, &ts);
	}
	rc = be->first_done ? be->first_rc : -ETIMEDOUT;
	pthread_mutex_unlock(&be->mu);
	return rc;
}

/* A reload kept the server: its new roots apply without a restart. */
static int mcp_server_update(struct tx_backend *b,
			     const struct tx_mcp_spec *spec)
{
	return tx_mcp_extras_update_roots(be_of(b), spec->roots);
}

void tx_mcp_backend_retry(struct tx_backend *b)
{
	struct mcp_backend *be = be_of(b);

	pthread_mutex_lock(&be->mu);
	if (be->state == ST_DOWN && !be->conn && !be->stopping) {
		/* The failure count stays: a retry that fails again backs
		 * off from where it was. */
		be->next_start_at = tx_mono_ms();
		be->want_connect = true;
		pthread_cond_broadcast(&be->cond);
		tx_log(TX_LOG_INFO, "mcp %s: down; starting again on reload",
		       be->spec->name);
	}
	pthread_mutex_unlock(&be->mu);
}

const struct tx_backend_kind tx_mcp_kind = {
	.kind = "mcp",
	.server_update = mcp_server_update,
	.server_new = tx_mcp_backend_new,
	.server_wait_ready = tx_mcp_backend_wait_ready,
	.server_retry = tx_mcp_backend_retry,
	.auth = &tx_mcp_auth_ops,
};
