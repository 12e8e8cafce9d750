/*
 * mcp_http.c - the Streamable HTTP transport (MCP 2025-11-25, "Streamable
 * HTTP"): every message we send is one POST; the server answers with
 * one JSON message or an SSE stream that may carry notifications (such
 * as progress) before the answer.  A GET stream carries what the
 * server sends on its own (tools/list_changed).
 *
 * One thread per connection drives a libcurl multi handle, so many
 * calls are in flight at once without a thread each.  Other threads
 * only queue messages and wake it (curl_multi_wakeup).
 */
#include "backend/mcp_http_i.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/mcp_auth.h"
#include "config/config.h"
#include "util/log.h"

#define DELETE_TIMEOUT_MS 2000L
#define DRAIN_MS          5000u
/* A request that receives nothing at all (no header, no event, not even
 * a comment) for longer than any answer of this server may take, plus
 * this, is dropped: the server is gone or stuck, and the transfer would
 * otherwise hang until the connection ends. */
#define IDLE_GRACE_MS 5000u
#define GET_RETRY_MS  1000u
/* A GET stream that failed (not 405) is tried again after a delay that
 * doubles up to this. */
#define GET_BACKOFF_MAX_MS 30000u
#define ERROR_EXCERPT      200

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	/* curl_global_init is not thread-safe: run it exactly once. */
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The standalone GET stream answered, or will not: wake http_ready. */
void tx_mcp_http_get_settle(struct http_conn *c)
{
	pthread_mutex_lock(&c->mu);
	c->get_settled = true;
	pthread_cond_broadcast(&c->get_cond);
	pthread_mutex_unlock(&c->mu);
}

void tx_mcp_http_fail_req(struct http_conn *c, struct http_req *r,
			  const char *reason, bool session_gone)
{
	if (r->id >= 0 || session_gone)
		c->base.cbs.request_failed(c->base.cbs.ctx, &c->base, r->id,
					   reason, session_gone);
	else
		tx_log(TX_LOG_WARN, "mcp %s: %s", c->base.name, reason);
}

bool tx_mcp_http_fail_transfer(struct http_conn *c, struct http_req *r,
			       CURLcode res, char *reason, size_t len)
{
	if (r->too_big)
		snprintf(reason, len, "server sent a message over %u bytes",
			 TX_MCP_LINE_MAX);
	else if (res != CURLE_OK)
		snprintf(reason, len, "HTTP request to %s failed: %s",
			 c->shown_url, curl_easy_strerror(res));
	else
		return false;
	tx_mcp_http_fail_req(c, r, reason, false);
	return true;
}

/* Whether the answer says the server ended our session: 404 (the
 * specification), or 400 whose body mentions the session (the
 * TypeScript SDK's examples, server-everything among them, answer 400
 * "No valid session ID"). */
static bool session_gone(const struct http_req *r, long status)
{
	return status == 404 || (status == 400 && r->resp.data &&
				 strcasestr(r->resp.data, "session"));
}

/* The session ended on the server's side: no DELETE for it. */
static void session_ended(struct http_conn *c)
{
	pthread_mutex_lock(&c->mu);
	c->session_ended = true;
	pthread_mutex_unlock(&c->mu);
}

/* The standalone GET stream ended: 405 means the server offers none
 * (allowed); a 404 means the session is gone (MUST re-initialize);
 * anything else (a 502 from a proxy, a refused connection) is tried
 * again with a doubling delay. */
static void finish_get(struct http_conn *c, struct http_req *r, CURLcode res,
		       long status)
{
	uint64_t delay;
	char reason[400];

	tx_mcp_http_get_settle(c);
	c->get_active = false;
	if (r->sse.last_id[0])
		memcpy(c->last_event_id, r->sse.last_id,
		       sizeof(c->last_event_id));
	if (res == CURLE_OK && status == 405) {
		c->get_disabled = true;
		return;
	}
	if (r->sent_session && res == CURLE_OK && session_gone(r, status)) {
		snprintf(reason, sizeof(reason),
			 "server ended the session (HTTP %ld on the GET "
			 "stream)",
			 status);
		session_ended(c);
		c->get_disabled = true;
		tx_mcp_http_fail_req(c, r, reason, true);
		return;
	}
	if (!r->bad_session && r->is_sse &&
	    (res == CURLE_OK || res == CURLE_OPERATION_TIMEDOUT ||
	     res == CURLE_PARTIAL_FILE || res == CURLE_RECV_ERROR)) {
		/* A stream that ran and ended (or went silent): reopen it
		 * after the server's "retry". */
		c->get_failures = 0;
		c->get_retry_at =
			tx_mono_ms() + (r->sse.retry_ms >= 0
						? (uint64_t)r->sse.retry_ms
						: GET_RETRY_MS);
		return;
	}
	c->get_failures++;
	delay = (uint64_t)GET_RETRY_MS
		<< (c->get_failures - 1 < 5 ? c->get_failures - 1 : 5);
	if (delay > GET_BACKOFF_MAX_MS)
		delay = GET_BACKOFF_MAX_MS;
	c->get_retry_at = tx_mono_ms() + delay;
	if (res != CURLE_OK)
		tx_log(TX_LOG_WARN,
		       "mcp %s: GET stream failed: %s; again in %llu ms",
		       c->base.name, curl_easy_strerror(res),
		       (unsigned long long)delay);
	else
		tx_log(TX_LOG_WARN,
		       "mcp %s: GET stream: HTTP %ld%s; again in %llu ms",
		       c->base.name, status,
		       r->bad_session ? " with an invalid MCP-Session-Id" : "",
		       (unsigned long long)delay);
}

static void start_req(struct http_conn *c, struct http_req *r);

/* A transfer ended: deliver a JSON answer or report why there is none. */
static void finish(struct http_conn *c, struct http_req *r, CURLcode res)
{
	char reason[800];
	long status = 0;

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	if (r->answered)
		return;
	if (c->legacy) {
		tx_mcp_http_finish_legacy(c, r, res, status);
		return;
	}
	if (r->resume ||
	    (!r->is_get && r->is_sse && r->id >= 0 && !r->bad_session &&
	     status >= 200 && status < 300 && !r->too_big)) {
		/* An SSE stream that ended before the answer, cleanly or
		 * not (a dropped connection): if the server numbered its
		 * events, resume it with a GET carrying Last-Event-ID after
		 * the "retry" it asked for (2025-11-25, "Resumability and
		 * Redelivery"); the answer comes on that stream. */
		const char *from = r->sse.last_id[0] ? r->sse.last_id
						     : r->resume_from;

		if (from[0] && r->resumes < 3 && c->base.cbs.awaiting &&
		    c->base.cbs.awaiting(c->base.cbs.ctx, r->id)) {
			struct http_req *g =
				tx_mcp_http_req_new(c, NULL, 0, r->id, true);

			if (g) {
				g->resume = true;
				g->resumes = r->resumes + 1;
				snprintf(g->resume_from, sizeof(g->resume_from),
					 "%s", from);
				g->start_at =
					tx_mono_ms() +
					(r->sse.retry_ms >= 0
						 ? (uint64_t)r->sse.retry_ms
						 : GET_RETRY_MS);
				/* A retry the server set holds for the
				 * resumed stream too. */
				g->sse.retry_ms = r->sse.retry_ms;
				g->next = c->delayed;
				c->delayed = g;
				return;
			}
		}
		if (r->resume) {
			c->base.cbs.request_failed(c->base.cbs.ctx, &c->base,
						   r->id,
						   "server ended the "
						   "resumed stream without an "
						   "answer",
						   false);
			return;
		}
	}
	if (r->is_get) {
		finish_get(c, r, res, status);
		return;
	}
	if (r->bad_session) {
		tx_mcp_http_fail_req(
			c, r,
			"server sent an MCP-Session-Id that is not visible "
			"ASCII (0x21-0x7E) or is over 255 bytes",
			false);
		return;
	}
	if (tx_mcp_http_fail_transfer(c, r, res, reason, sizeof(reason)))
		return;
	if (r->sent_session && session_gone(r, status)) {
		/* The server ended our session: start a new one.  It did
		 * not process this request, so it is sent again there
		 * (once), also when another request learnt of the end
		 * first and this one was still in flight. */
		snprintf(reason, sizeof(reason),
			 "server ended the session (HTTP %ld)", status);
		session_ended(c);
		tx_mcp_http_fail_req(c, r, reason, true);
		return;
	}
	if ((status == 401 || status == 403) && c->auth) {
		int a = tx_mcp_auth_challenge(
			c->auth, status, r->www_auth[0] ? r->www_auth : NULL,
			r->auth_sent, reason, sizeof(reason));

		if (a == 1 && !r->auth_retried) {
			/* A refreshed token: the same request again. */
			struct http_req *g = tx_mcp_http_req_new(
				c, r->body, r->body_len, r->id, false);

			if (g) {
				g->auth_retried = true;
				start_req(c, g);
				return;
			}
		}
		if (a < 0) {
			if (r->id >= 0 && c->base.cbs.request_denied)
				c->base.cbs.request_denied(c->base.cbs.ctx,
							   &c->base, r->id,
							   reason);
			else if (r->id >= 0)
				tx_mcp_http_fail_req(c, r, reason, false);
			else
				tx_log(TX_LOG_WARN, "mcp %s: %s", c->base.name,
				       reason);
			return;
		}
	}
	if (status < 200 || status >= 300) {
		size_t n = r->resp.len < ERROR_EXCERPT ? r->resp.len
						       : ERROR_EXCERPT;

		snprintf(reason, sizeof(reason), "HTTP %ld from %s%s%.*s",
			 status, c->shown_url, n ? ": " : "", (int)n,
			 r->resp.data ? r->resp.data : "");
		for (char *p = reason; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		tx_mcp_http_fail_req(c, r, reason, false);
		return;
	}
	if (!r->is_sse && r->resp.len)
		c->base.cbs.message(c->base.cbs.ctx, &c->base, r->resp.data,
				    r->resp.len);
	/* If the answer came above (or in the SSE stream), the backend no
	 * longer knows this id and ignores this; otherwise the caller
	 * learns at once instead of at its timeout. */
	if (r->id >= 0)
		c->base.cbs.request_failed(
			c->base.cbs.ctx, &c->base, r->id,
			status == 202 || status == 204
				? "server accepted the request "
				  "but sent no answer"
				: "server ended the reply "
				  "without an answer",
			false);
}

static void drop_active(struct http_conn *c, struct http_req *r)
{
	for (struct http_req **pp = &c->active; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	}
	curl_multi_remove_handle(c->multi, r->easy);
	tx_mcp_http_req_free(r);
}

static void start_req(struct http_conn *c, struct http_req *r)
{
	if (tx_mcp_http_req_setup(c, r) ||
	    curl_multi_add_handle(c->multi, r->easy) != CURLM_OK) {
		tx_mcp_http_fail_req(c, r, "out of memory", false);
		tx_mcp_http_req_free(r);
		return;
	}
	r->next = c->active;
	c->active = r;
}

static void send_delete(struct http_conn *c)
{
	struct http_req *r;

	/* Nothing to end when the server ended it already (a 404). */
	if (!c->session[0] || c->session_ended)
		return;
	r = tx_mcp_http_req_new(c, NULL, 0, -1, true);
	if (!r)
		return;
	if (!tx_mcp_http_req_setup(c, r)) {
		curl_easy_setopt(r->easy, CURLOPT_HTTPGET, 0L);
		curl_easy_setopt(r->easy, CURLOPT_CUSTOMREQUEST, "DELETE");
		curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS,
				 DELETE_TIMEOUT_MS);
		curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, NULL);
		curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, stderr);
		curl_easy_setopt(r->easy, CURLOPT_NOBODY, 1L);
		curl_easy_perform(r->easy);
	}
	tx_mcp_http_req_free(r);
}

/* Runs the transfers and finishes those that ended. */
static void perform(struct http_conn *c)
{
	CURLMsg *m;
	int left, running;

	curl_multi_perform(c->multi, &running);
	while ((m = curl_multi_info_read(c->multi, &left))) {
		char *priv = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		finish(c, (struct http_req *)priv, m->data.result);
		drop_active(c, (struct http_req *)priv);
	}
}

static bool ended(struct http_conn *c)
{
	bool e;

	pthread_mutex_lock(&c->mu);
	e = c->session_ended;
	pthread_mutex_unlock(&c->mu);
	return e;
}

/* Requests handed over but not yet started when the connection stops.
 * When the server ended the session none of them reached it: each is
 * sent again on the next session; otherwise the backend fails them as
 * requests of a closed connection. */
static void drop_queued(struct http_conn *c, struct http_req *q)
{
	bool gone = ended(c);

	while (q) {
		struct http_req *next = q->next;

		if (gone && q->id >= 0)
			tx_mcp_http_fail_req(c, q, "server ended the session",
					     true);
		tx_mcp_http_req_free(q);
		q = next;
	}
}

/* The connection stops because the server ended the session: a POST
 * still in flight gets the server's answer, or its 404 (then it is
 * sent again on the next session), instead of being cut off and
 * failed as unanswered.  The server answers those at once; one that
 * keeps a POST open is cut off after DRAIN_MS. */
static void drain_posts(struct http_conn *c)
{
	uint64_t until = tx_mono_ms() + DRAIN_MS;

	if (!ended(c))
		return;
	for (struct http_req *r = c->active, *next; r; r = next) {
		next = r->next;
		if (r->is_get)
			drop_active(c, r);
	}
	while (c->active && tx_mono_ms() < until) {
		perform(c);
		if (c->active)
			curl_multi_poll(c->multi, NULL, 0, 100, NULL);
	}
}

static void *http_main(void *arg)
{
	struct http_conn *c = arg;

	for (;;) {
		struct http_req *q;
		int64_t *aborts;
		size_t naborts;
		bool stopping, want_get;

		pthread_mutex_lock(&c->mu);
		q = c->queue;
		c->queue = NULL;
		aborts = c->aborts;
		naborts = c->naborts;
		c->aborts = NULL;
		c->naborts = c->aborts_cap = 0;
		stopping = c->stopping;
		want_get = c->want_get;
		pthread_mutex_unlock(&c->mu);

		if (stopping) {
			drop_queued(c, q);
			free(aborts);
			break;
		}
		/* The queue is newest first; start the oldest first. */
		{
			struct http_req *rev = NULL;

			while (q) {
				struct http_req *next = q->next;

				q->next = rev;
				rev = q;
				q = next;
			}
			while (rev) {
				struct http_req *next = rev->next;

				if (c->legacy && !c->endpoint) {
					/* Kept in order until the stream
					 * names where to POST. */
					struct http_req **t = &c->held;

					while (*t)
						t = &(*t)->next;
					rev->next = NULL;
					*t = rev;
				} else {
					start_req(c, rev);
				}
				rev = next;
			}
		}
		while (c->legacy && c->endpoint && c->held) {
			struct http_req *next = c->held->next;

			start_req(c, c->held);
			c->held = next;
		}
		for (size_t i = 0; i < naborts; i++) {
			for (struct http_req *r = c->active; r; r = r->next) {
				if ((!r->is_get || r->resume) &&
				    r->id == aborts[i]) {
					drop_active(c, r);
					break;
				}
			}
		}
		free(aborts);
		for (struct http_req **pp = &c->delayed; *pp;) {
			struct http_req *d = *pp;

			if (tx_mono_ms() < d->start_at) {
				pp = &d->next;
				continue;
			}
			*pp = d->next;
			start_req(c, d);
		}
		if (want_get && !c->get_active && !c->get_disabled &&
		    !c->legacy_closed && tx_mono_ms() >= c->get_retry_at) {
			struct http_req *g =
				tx_mcp_http_req_new(c, NULL, 0, -1, true);

			if (g) {
				c->get_active = true;
				start_req(c, g);
			}
		}
		perform(c);
		curl_multi_poll(c->multi, NULL, 0, c->delayed ? 20 : 500, NULL);
	}
	drain_posts(c);
	while (c->active)
		drop_active(c, c->active);
	while (c->delayed) {
		struct http_req *next = c->delayed->next;

		tx_mcp_http_req_free(c->delayed);
		c->delayed = next;
	}
	while (c->held) {
		struct http_req *next = c->held->next;

		tx_mcp_http_req_free(c->held);
		c->held = next;
	}
	send_delete(c);
	return NULL;
}

static int http_send(struct tx_mcp_conn *base, const char *text, size_t len,
		     int64_t id)
{
	struct http_conn *c = (struct http_conn *)base;
	struct http_req *r = tx_mcp_http_req_new(c, text, len, id, false);

	if (!r)
		return -ENOMEM;
	pthread_mutex_lock(&c->mu);
	if (c->stopping) {
		pthread_mutex_unlock(&c->mu);
		tx_mcp_http_req_free(r);
		return -EPIPE;
	}
	r->next = c->queue;
	c->queue = r;
	pthread_mutex_unlock(&c->mu);
	curl_multi_wakeup(c->multi);
	return 0;
}

/* Drops the POST that carries request id (a cancelled call): the SDK's
 * servers answer nothing to a cancelled request and would keep the
 * stream open. */
static void http_abort(struct tx_mcp_conn *base, int64_t id)
{
	struct http_conn *c = (struct http_conn *)base;

	pthread_mutex_lock(&c->mu);
	if (c->naborts == c->aborts_cap) {
		size_t cap = c->aborts_cap ? c->aborts_cap * 2 : 8;
		int64_t *a = realloc(c->aborts, cap * sizeof(*a));

		if (!a) {
			pthread_mutex_unlock(&c->mu);
			return;
		}
		c->aborts = a;
		c->aborts_cap = cap;
	}
	c->aborts[c->naborts++] = id;
	pthread_mutex_unlock(&c->mu);
	curl_multi_wakeup(c->multi);
}

/* Initialization finished: every later request carries the version,
 * the notifications/initialized that the backend sends next among them. */
static void http_ready(struct tx_mcp_conn *base, const char *version)
{
	struct http_conn *c = (struct http_conn *)base;

	pthread_mutex_lock(&c->mu);
	snprintf(c->version, sizeof(c->version), "%s", version);
	pthread_mutex_unlock(&c->mu);
}

/* Opens the standalone GET stream (after notifications/initialized). */
static void http_listen(struct tx_mcp_conn *base)
{
	struct http_conn *c = (struct http_conn *)base;
	struct timespec until;

	if (c->legacy)
		return; /* its stream is open since the start */
	pthread_mutex_lock(&c->mu);
	c->want_get = true;
	curl_multi_wakeup(c->multi);
	/*
	 * Let the standalone GET stream open before any request: a server
	 * may answer a POST's interrupted stream on whatever GET arrives
	 * next, and a GET racing the first calls would be taken for the
	 * resumption (whose Last-Event-ID and retry delay it lacks).
	 * Bounded: a server that never answers the GET does not hold us up.
	 */
	until = tx_mono_after_ns(1000000000u);
	while (!c->get_settled && !c->stopping &&
	       pthread_cond_timedwait(&c->get_cond, &c->mu, &until) == 0)
		;
	pthread_mutex_unlock(&c->mu);
}

static void http_stop(struct tx_mcp_conn *base)
{
	struct http_conn *c = (struct http_conn *)base;

	pthread_mutex_lock(&c->mu);
	c->stopping = true;
	pthread_cond_broadcast(&c->get_cond);
	pthread_mutex_unlock(&c->mu);
	if (c->thread_started) {
		curl_multi_wakeup(c->multi);
		pthread_join(c->thread, NULL);
		c->thread_started = false;
	}
}

static void http_free(struct tx_mcp_conn *base)
{
	struct http_conn *c = (struct http_conn *)base;

	if (!c)
		return;
	while (c->queue) {
		struct http_req *next = c->queue->next;

		tx_mcp_http_req_free(c->queue);
		c->queue = next;
	}
	if (c->multi)
		curl_multi_cleanup(c->multi);
	free(c->aborts);
	free(c->url);
	free(c->endpoint);
	for (size_t i = 0; c->headers && c->headers[i]; i++) {
		/* They may hold tokens. */
		explicit_bzero(c->headers[i], strlen(c->headers[i]));
		free(c->headers[i]);
	}
	tx_mcp_auth_put(c->auth);
	free(c->headers);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->get_cond);
	free(c);
}

static void http_describe(struct tx_mcp_conn *base, char *out, size_t outlen)
{
	struct http_conn *c = (struct http_conn *)base;

	pthread_mutex_lock(&c->mu);
	snprintf(out, outlen, "%s%s%s", c->legacy ? "http+sse" : "http",
		 c->session[0] ? ", session " : "", c->session);
	pthread_mutex_unlock(&c->mu);
}

/* The headers of every request: the configuration's, then those of its
 * headersFile, read now so that a token another tool rotated is used
 * from the next session on.  0 or -errno with err. */
static int collect_headers(const struct tx_mcp_spec *spec, char ***out,
			   char *err, size_t errlen)
{
	char **file = NULL, **v;
	size_t n = 0, m = 0;
	int rc;

	*out = NULL;
	if (spec->headers_file) {
		rc = tx_mcp_read_headers_file(spec->headers_file, &file, err,
					      errlen);
		if (rc)
			return rc;
	}
	while (spec->headers && spec->headers[n])
		n++;
	while (file && file[m])
		m++;
	v = calloc(n + m + 1, sizeof(*v));
	if (!v)
		goto out_nomem;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = strdup(spec->headers[i])))
			goto out_nomem;
	for (size_t i = 0; i < m; i++)
		v[n + i] = file[i];
	free(file);
	*out = v;
	return 0;
out_nomem:
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
	for (size_t i = 0; file && file[i]; i++)
		free(file[i]);
	free(file);
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

static const struct tx_mcp_conn_ops http_ops = {
	.send = http_send,
	.ready = http_ready,
	.listen = http_listen,
	.abort = http_abort,
	.stop = http_stop,
	.free = http_free,
	.describe = http_describe,
};

struct tx_mcp_conn *tx_mcp_http_open(const struct tx_mcp_spec *spec,
				     const struct tx_mcp_conn_cbs *cbs,
				     char *err, size_t errlen)
{
	struct http_conn *c;
	int rc;

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		snprintf(err, errlen, "libcurl: %s",
			 curl_easy_strerror(curl_init_rc));
		errno = EIO;
		return NULL;
	}
	if (strncasecmp(spec->url, "http://", 7) &&
	    strncasecmp(spec->url, "https://", 8)) {
		snprintf(err, errlen,
			 "url must start with http:// or https://");
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	c->base.ops = &http_ops;
	c->base.cbs = *cbs;
	c->base.name = spec->name;
	if (collect_headers(spec, &c->headers, err, errlen)) {
		free(c);
		errno = EINVAL;
		return NULL;
	}
	{
		unsigned longest = spec->timeout_ms > spec->startup_timeout_ms
					   ? spec->timeout_ms
					   : spec->startup_timeout_ms;

		for (size_t i = 0; i < spec->ntool_timeouts; i++)
			if (spec->tool_timeouts[i].timeout_ms > longest)
				longest = spec->tool_timeouts[i].timeout_ms;
		if (!longest)
			longest = 60000;
		c->idle_s = (long)((longest + IDLE_GRACE_MS + 999) / 1000);
	}
	pthread_mutex_init(&c->mu, NULL);
	tx_cond_init_monotonic(&c->get_cond);
	c->url = strdup(spec->url);
	c->legacy = spec->legacy_sse;
	/* Legacy: the stream comes first; it names where to POST. */
	c->want_get = c->legacy;
	c->shown_url = spec->url_shown ? spec->url_shown : spec->url;
	c->auth = tx_mcp_auth_attach(spec);
	if (!c->auth)
		tx_log(TX_LOG_WARN, "mcp %s: no sign-in state: %s", spec->name,
		       strerror(errno));
	c->multi = curl_multi_init();
	if (!c->url || !c->multi) {
		snprintf(err, errlen, "out of memory");
		http_free(&c->base);
		errno = ENOMEM;
		return NULL;
	}
	rc = pthread_create(&c->thread, NULL, http_main, c);
	if (rc) {
		snprintf(err, errlen, "thread: %s", strerror(rc));
		http_free(&c->base);
		errno = rc;
		return NULL;
	}
	c->thread_started = true;
	return &c->base;
}
