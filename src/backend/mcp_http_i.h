/*
 * mcp_http_i.h - the HTTP connection of the MCP client, shared by
 * mcp_http.c (Streamable HTTP) and mcp_http_legacy.c (the deprecated
 * HTTP+SSE transport, a mode of the same connection).
 */
#ifndef TX_MCP_HTTP_I_H
#define TX_MCP_HTTP_I_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend/mcp_i.h"

struct http_conn;

struct http_req {
	struct http_req *next;
	struct http_conn *c;
	CURL *easy;
	struct curl_slist *hdrs;
	char *body; /* NULL for the GET stream */
	size_t body_len;
	int64_t id; /* -1: no answer expected */
	bool is_get;
	bool resume;           /* a GET that resumes a POST's stream (id) */
	int resumes;           /* how many times this id was resumed */
	char resume_from[256]; /* its Last-Event-ID */
	uint64_t start_at;     /* delayed requests: not before (ms) */
	bool is_sse;
	bool decided; /* JSON or SSE chosen at the first byte */
	bool too_big;
	bool answered;       /* resume: the answer came; end the stream */
	bool bad_session;    /* the server sent an unusable MCP-Session-Id */
	bool sent_session;   /* it carried an MCP-Session-Id */
	unsigned auth_sent;  /* which token it carried (0: none) */
	bool auth_retried;   /* sent again after a refresh: not again */
	char www_auth[1024]; /* WWW-Authenticate of a 401/403 */
	char content_type[128];
	struct tx_buf resp; /* a JSON body, or an error's excerpt */
	struct tx_mcp_sse sse;
};

struct http_conn {
	struct tx_mcp_conn base;
	char *url;
	/* The deprecated HTTP+SSE transport (2024-11-05): url is a GET
	 * event stream whose "endpoint" event names where to POST; every
	 * answer comes on that stream, POSTs only get 202. */
	bool legacy;
	char *endpoint;           /* I/O thread; NULL until announced */
	struct http_req *held;    /* I/O thread: POSTs waiting for it */
	bool legacy_closed;       /* I/O thread: closed() was called */
	const char *shown_url;    /* for messages: ${VAR} not expanded */
	struct tx_mcp_auth *auth; /* sign-in state (mcp_auth.h); owned ref */
	char **headers;           /* the spec's and the headersFile's; owned */
	long idle_s;              /* CURLOPT_LOW_SPEED_TIME of requests */
	CURLM *multi;
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t mu;     /* guards the fields below */
	struct http_req *queue; /* waiting to be added to multi */
	int64_t *aborts;        /* ids whose POST to drop */
	size_t naborts, aborts_cap;
	char session[256];  /* MCP-Session-Id, "" before initialize */
	bool session_ended; /* the server ended it (404): no DELETE */
	char version[32];   /* MCP-Protocol-Version, "" before ready */
	bool stopping;
	bool want_get;
	bool get_settled;        /* the first GET stream answered (or failed) */
	pthread_cond_t get_cond; /* get_settled changed */
	/* I/O thread only: */
	struct http_req *active;
	struct http_req *delayed; /* resumptions waiting for "retry" */
	bool get_active;
	bool get_disabled;
	uint64_t get_retry_at;
	unsigned get_failures; /* in a row, for the back-off */
	char last_event_id[256];
};

/* A request of c (mcp_http_req.c): body copied (NULL for a GET); id
 * -1 when no answer is expected.  NULL when out of memory. */
struct http_req *tx_mcp_http_req_new(struct http_conn *c, const char *body,
				     size_t len, int64_t id, bool is_get);
/* Builds r's easy handle and headers; on the I/O thread (it reads the
 * session and the version).  0 or -ENOMEM. */
int tx_mcp_http_req_setup(struct http_conn *c, struct http_req *r);
void tx_mcp_http_req_free(struct http_req *r);

/* The standalone GET stream answered, or will not: wake http_listen. */
void tx_mcp_http_get_settle(struct http_conn *c);
/* Tells the backend that request r got no answer (logs when it has no
 * id). */
void tx_mcp_http_fail_req(struct http_conn *c, struct http_req *r,
			  const char *reason, bool session_gone);
/* When r's transfer broke (a message over TX_MCP_LINE_MAX, a curl
 * error), fails r with the reason, written to reason (len bytes), and
 * returns true; false when it did not. */
bool tx_mcp_http_fail_transfer(struct http_conn *c, struct http_req *r,
			       CURLcode res, char *reason, size_t len);

/* Legacy: an event of another type than "message" on a stream (the
 * SSE parser's "other" callback; ctx is the request). */
void tx_mcp_http_endpoint_event(void *ctx, const char *data, size_t len);
/* Legacy: transfer r ended (I/O thread). */
void tx_mcp_http_finish_legacy(struct http_conn *c, struct http_req *r,
			       CURLcode res, long status);

#endif
