/*
 * mcp_http_legacy.c - the deprecated HTTP+SSE transport (MCP 2024-11-05,
 * the SDKs' SSEServerTransport), which legacy servers still speak, as a
 * mode of the Streamable HTTP connection (mcp_http.c): url is a GET
 * event stream whose "endpoint" event names where to POST; every
 * answer comes on that stream, and a POST only has to be accepted.
 */
#include "backend/mcp_http_i.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"

/* Legacy transport: the "endpoint" event of the GET stream.  The URI
 * is resolved against url and must have its origin (the SDKs check the
 * same): a server must not send our headers, tokens included, to
 * another host. */
void tx_mcp_http_endpoint_event(void *ctx, const char *data, size_t len)
{
	struct http_req *r = ctx;
	struct http_conn *c = r->c;
	CURLU *base = NULL, *to = NULL;
	char *uri = NULL, *resolved = NULL;
	char *h1 = NULL, *h2 = NULL, *s1 = NULL, *s2 = NULL;
	char *p1 = NULL, *p2 = NULL;
	bool ok = false;

	if (!c->legacy || !r->is_get || strcmp(r->sse.event, "endpoint") ||
	    c->endpoint || len == 0 || len > 4096)
		return;
	uri = strndup(data, len);
	base = curl_url();
	if (!uri || !base ||
	    curl_url_set(base, CURLUPART_URL, c->url, 0) != CURLUE_OK)
		goto out;
	to = curl_url_dup(base);
	if (!to || curl_url_set(to, CURLUPART_URL, uri, 0) != CURLUE_OK ||
	    curl_url_get(to, CURLUPART_URL, &resolved, 0) != CURLUE_OK)
		goto out;
	ok = curl_url_get(base, CURLUPART_SCHEME, &s1, 0) == CURLUE_OK &&
	     curl_url_get(to, CURLUPART_SCHEME, &s2, 0) == CURLUE_OK &&
	     curl_url_get(base, CURLUPART_HOST, &h1, 0) == CURLUE_OK &&
	     curl_url_get(to, CURLUPART_HOST, &h2, 0) == CURLUE_OK &&
	     curl_url_get(base, CURLUPART_PORT, &p1, CURLU_DEFAULT_PORT) ==
		     CURLUE_OK &&
	     curl_url_get(to, CURLUPART_PORT, &p2, CURLU_DEFAULT_PORT) ==
		     CURLUE_OK &&
	     !strcasecmp(s1, s2) && !strcasecmp(h1, h2) && !strcmp(p1, p2);
	if (ok)
		c->endpoint = strdup(resolved);
	else
		tx_log(TX_LOG_ERROR,
		       "mcp %s: the server's endpoint is not on its origin; "
		       "ignored",
		       c->base.name);
out:
	curl_free(resolved);
	curl_free(s1);
	curl_free(s2);
	curl_free(h1);
	curl_free(h2);
	curl_free(p1);
	curl_free(p2);
	curl_url_cleanup(to);
	curl_url_cleanup(base);
	free(uri);
}

/* Legacy transport: the GET stream's end ends the connection; a POST
 * only has to be accepted (its answer comes on the stream). */
void tx_mcp_http_finish_legacy(struct http_conn *c, struct http_req *r,
			       CURLcode res, long status)
{
	char reason[400];

	if (r->is_get) {
		tx_mcp_http_get_settle(c);
		c->get_active = false;
		if (c->legacy_closed)
			return;
		if (res != CURLE_OK)
			snprintf(reason, sizeof(reason),
				 "the SSE stream of %s failed: %s",
				 c->shown_url, curl_easy_strerror(res));
		else if (status < 200 || status >= 300 || !r->is_sse)
			snprintf(reason, sizeof(reason), "GET %s: HTTP %ld%s",
				 c->shown_url, status,
				 r->is_sse ? "" : ", not an event stream");
		else
			snprintf(reason, sizeof(reason),
				 "the server ended its SSE stream");
		c->legacy_closed = true;
		c->base.cbs.closed(c->base.cbs.ctx, &c->base, reason);
		return;
	}
	if (!tx_mcp_http_fail_transfer(c, r, res, reason, sizeof(reason)) &&
	    (status < 200 || status >= 300)) {
		snprintf(reason, sizeof(reason),
			 "HTTP %ld from the message "
			 "endpoint of %s",
			 status, c->shown_url);
		tx_mcp_http_fail_req(c, r, reason, false);
	}
}
