/*
 * mcp_http_req.c - one HTTP request of the Streamable HTTP transport:
 * its easy handle and headers (session, protocol version, sign-in,
 * Last-Event-ID), and what it receives: the headers it checks
 * (MCP-Session-Id, Content-Type, WWW-Authenticate) and a body that is
 * one JSON message or an SSE stream.  The connection (mcp_http.c)
 * starts requests and decides what their ends mean.
 */
#include "backend/mcp_http_i.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/mcp_auth.h"
#include "config/config.h"
#include "util/log.h"

#define CONNECT_TIMEOUT_MS 10000L
/* The standalone GET stream may stay silent for a long time (nothing to
 * announce); after this long it is reopened, which also notices a
 * connection that died without a word. */
#define GET_IDLE_S    300L
#define REDIRECTS_MAX 10L

void tx_mcp_http_req_free(struct http_req *r)
{
	if (!r)
		return;
	if (r->easy)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->hdrs);
	free(r->body);
	tx_buf_release(&r->resp);
	tx_mcp_sse_release(&r->sse);
	free(r);
}

static void on_event(void *ctx, const char *data, size_t len)
{
	struct http_req *r = ctx;

	if (len == 0)
		return; /* priming events carry no data */
	/* A request the server sends on a POST's stream belongs to that
	 * POST's request (an elicitation during a call, say). */
	r->c->base.via = r->id > 0 ? r->id : 0;
	r->c->base.cbs.message(r->c->base.cbs.ctx, &r->c->base, data, len);
	r->c->base.via = 0;
	if (r->resume && !r->c->base.cbs.awaiting(r->c->base.cbs.ctx, r->id))
		r->answered = true;
}

/* What the server chose (an event id) goes back in a header of ours:
 * no control character may end it early or start a header of its own.
 * (The SSE parser already splits lines at CR and LF; this is the last
 * line of defence.) */
static bool header_bytes_ok(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return false;
	return true;
}

static bool header_value_ok(const char *v)
{
	return header_bytes_ok(v, strlen(v));
}

/* A session ID "MUST only contain visible ASCII characters (ranging
 * from 0x21 to 0x7E)" (2025-11-25, Session Management). */
static bool session_id_ok(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x21 || (unsigned char)v[i] > 0x7e)
			return false;
	return len > 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct http_req *r = ctx;
	size_t len = size * n;
	size_t vlen;
	const char *v;

	if (len >= 5 && !strncmp(p, "HTTP/", 5)) {
		/* A new response (after a redirect or 100): start over. */
		r->content_type[0] = '\0';
		return len;
	}
	if (r->is_get && !r->resume && (len == 2 || len == 1) &&
	    p[len - 1] == '\n')
		tx_mcp_http_get_settle(
			r->c); /* the headers ended: the stream is open */
	v = memchr(p, ':', len);
	if (!v)
		return len;
	vlen = len - (size_t)(v + 1 - p);
	v++;
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
			v[vlen - 1] == ' '))
		vlen--;
	if (!strncasecmp(p, "www-authenticate:", 17)) {
		if (vlen >= sizeof(r->www_auth))
			vlen = sizeof(r->www_auth) - 1;
		memcpy(r->www_auth, v, vlen);
		r->www_auth[vlen] = '\0';
	} else if (!strncasecmp(p, "content-type:", 13)) {
		if (vlen >= sizeof(r->content_type))
			vlen = sizeof(r->content_type) - 1;
		memcpy(r->content_type, v, vlen);
		r->content_type[vlen] = '\0';
	} else if (!strncasecmp(p, "mcp-session-id:", 15)) {
		if (vlen >= sizeof(r->c->session) || !session_id_ok(v, vlen)) {
			/* Not ours to repair: the request fails, and with
			 * it the initialize that set it. */
			r->bad_session = true;
			return len;
		}
		pthread_mutex_lock(&r->c->mu);
		memcpy(r->c->session, v, vlen);
		r->c->session[vlen] = '\0';
		pthread_mutex_unlock(&r->c->mu);
	}
	return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct http_req *r = ctx;
	size_t len = size * n;
	long status = 0;

	if (r->bad_session)
		return 0; /* finish() says why */
	if (!r->decided) {
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
		r->is_sse =
			status >= 200 && status < 300 &&
			!strncasecmp(r->content_type, "text/event-stream", 17);
		r->decided = true;
	}
	if (r->is_sse) {
		if (tx_mcp_sse_feed(&r->sse, p, len)) {
			r->too_big = true;
			return 0; /* aborts the transfer */
		}
		/* A resumed stream has done its job once the answer came. */
		return r->answered ? 0 : len;
	}
	if (tx_buf_add(&r->resp, p, len)) {
		r->too_big = true;
		return 0;
	}
	return len;
}

int tx_mcp_http_req_setup(struct http_conn *c, struct http_req *r)
{
	char line[320];
	struct curl_slist *h = NULL;

	r->easy = curl_easy_init();
	if (!r->easy)
		return -ENOMEM;
	pthread_mutex_lock(&c->mu);
	if (c->session[0]) {
		snprintf(line, sizeof(line), "MCP-Session-Id: %s", c->session);
		h = curl_slist_append(h, line);
		r->sent_session = true;
	}
	if (c->version[0] && !c->legacy) {
		snprintf(line, sizeof(line), "MCP-Protocol-Version: %s",
			 c->version);
		h = curl_slist_append(h, line);
	}
	pthread_mutex_unlock(&c->mu);
	if (r->is_get) {
		const char *from = r->resume ? r->resume_from
					     : c->last_event_id;

		h = curl_slist_append(h, "Accept: text/event-stream");
		if (from[0] && header_value_ok(from)) {
			snprintf(line, sizeof(line), "Last-Event-ID: %s", from);
			h = curl_slist_append(h, line);
		}
	} else {
		h = curl_slist_append(h, "Content-Type: application/json");
		h = curl_slist_append(
			h, "Accept: application/json, text/event-stream");
	}
	for (char *const *x = c->headers; x && *x; x++)
		h = curl_slist_append(h, *x);
	if (c->auth) {
		/* May refresh an expired token first (blocks this thread
		 * for that exchange, with its timeouts). */
		char bearer[8192];

		if (tx_mcp_auth_header(c->auth, bearer, sizeof(bearer),
				       &r->auth_sent))
			h = curl_slist_append(h, bearer);
		explicit_bzero(bearer, sizeof(bearer));
	}
	r->hdrs = h;
	curl_easy_setopt(r->easy, CURLOPT_URL,
			 c->legacy && !r->is_get ? c->endpoint : c->url);
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS,
			 CONNECT_TIMEOUT_MS);
	/* Below 1 byte/s for that long: CURLE_OPERATION_TIMEDOUT. */
	curl_easy_setopt(r->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	/* The legacy stream is the session: it may stay silent as long
	 * as it likes (a ping finds a dead one). */
	curl_easy_setopt(r->easy, CURLOPT_LOW_SPEED_TIME,
			 c->legacy && r->is_get ? 0L
			 : r->is_get && !r->resume && c->idle_s < GET_IDLE_S
				 ? GET_IDLE_S
				 : c->idle_s);
	curl_easy_setopt(r->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(r->easy, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
	/* Redirects are followed (the SDKs' fetch does), a POST staying a
	 * POST on 301 and 302 too; only http(s), also across redirects.
	 * curl does not send our custom Authorization header to another
	 * host. */
	curl_easy_setopt(r->easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(r->easy, CURLOPT_MAXREDIRS, REDIRECTS_MAX);
	curl_easy_setopt(r->easy, CURLOPT_POSTREDIR,
			 (long)(CURL_REDIR_POST_301 | CURL_REDIR_POST_302));
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
	if (!r->is_get) {
		curl_easy_setopt(r->easy, CURLOPT_POST, 1L);
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)r->body_len);
	}
	return 0;
}

struct http_req *tx_mcp_http_req_new(struct http_conn *c, const char *body,
				     size_t len, int64_t id, bool is_get)
{
	struct http_req *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->c = c;
	r->id = id;
	r->is_get = is_get;
	tx_buf_init(&r->resp, TX_MCP_LINE_MAX);
	tx_mcp_sse_init(&r->sse, TX_MCP_LINE_MAX, on_event, r);
	r->sse.other = tx_mcp_http_endpoint_event;
	if (body) {
		r->body = malloc(len + 1);
		if (!r->body) {
			tx_mcp_http_req_free(r);
			return NULL;
		}
		memcpy(r->body, body, len);
		r->body[len] = '\0';
		r->body_len = len;
	}
	return r;
}
