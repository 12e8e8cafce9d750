/*
 * mcp_i.h - private pieces of the MCP client (docs/mcp.md).
 *
 *   mcp_proto.c   JSON-RPC framing and MCP message shapes: line and SSE
 *                 splitting, message classification, tool and result
 *                 conversion.  No I/O; unit-tested without a server.
 *   mcp_stdio.c   the stdio transport: a child process, a reader thread.
 *   mcp_http.c    the Streamable HTTP transport: libcurl multi, a thread.
 *   mcp.c         the backend: lifecycle, requests in flight, tools.
 */
#ifndef TX_MCP_I_H
#define TX_MCP_I_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/clock.h"

struct json_object;
struct tx_mcp_spec;
struct tx_result;

/* Caps on what a server may send us. */
#define TX_MCP_LINE_MAX        (16u * 1024 * 1024) /* one message */
#define TX_MCP_STDERR_LINE_MAX 2048u               /* one stderr line kept */
#define TX_MCP_JSON_DEPTH      128                 /* nesting of a message */
/* Bytes waiting to be written to a stdio server that reads slowly. */
#define TX_MCP_SEND_QUEUE_MAX (16u * 1024 * 1024)

/* The protocol version we ask for, and those we accept in answer. */
#define TX_MCP_PROTOCOL_VERSION "2025-11-25"
bool tx_mcp_version_supported(const char *version);
/* "2025-11-25, 2025-06-18, ..." for error messages. */
const char *tx_mcp_versions_text(void);

/* ---- framing ------------------------------------------------------ */

/*
 * Splits a byte stream into '\n'-terminated lines (a trailing '\r' is
 * dropped), each at most max bytes.  Not thread-safe.
 */
struct tx_mcp_lines {
	struct tx_buf buf;
	size_t max;
};

typedef void (*tx_mcp_line_fn)(void *ctx, const char *line, size_t len);

void tx_mcp_lines_init(struct tx_mcp_lines *l, size_t max);
void tx_mcp_lines_release(struct tx_mcp_lines *l);
/*
 * Feeds bytes; fn runs for every complete line.  0, or -EFBIG when a
 * line grows past max (what was buffered is dropped), -ENOMEM.
 */
int tx_mcp_lines_feed(struct tx_mcp_lines *l, const char *p, size_t n,
		      tx_mcp_line_fn fn, void *ctx);

/*
 * A Server-Sent Events parser (WHATWG rules): lines end with CRLF, LF or
 * a lone CR (also when the CR and the LF come in different feeds);
 * "data:" lines are joined by '\n' and dispatched at a blank line when
 * the event type is empty or "message"; an "id:" becomes last_id only
 * when its event is dispatched (an event cut off by the end of the
 * stream must be sent again on resumption).  Not thread-safe.
 */
struct tx_mcp_sse {
	struct tx_mcp_lines lines; /* only its buffer and cap */
	struct tx_buf data;
	char event[64];
	char id[256];      /* the last "id:" seen */
	char last_id[256]; /* the id as of the last dispatch */
	long retry_ms;     /* -1 until the server sets one */
	bool after_cr;     /* a CR ended the last line: skip one LF */
	bool has_data;
	int error;         /* data outgrew its cap during a feed */
	tx_mcp_line_fn fn; /* gets each event's data */
	void *ctx;
	/* Optional: gets the data of events of another type (the legacy
	 * transport's "endpoint"), the type in event meanwhile. */
	tx_mcp_line_fn other;
};

void tx_mcp_sse_init(struct tx_mcp_sse *s, size_t max, tx_mcp_line_fn fn,
		     void *ctx);
void tx_mcp_sse_release(struct tx_mcp_sse *s);
/* As tx_mcp_lines_feed; -EFBIG when one event passes max. */
int tx_mcp_sse_feed(struct tx_mcp_sse *s, const char *p, size_t n);

/* ---- messages ----------------------------------------------------- */

enum tx_mcp_msg_kind {
	TX_MCP_MSG_INVALID,
	TX_MCP_MSG_REQUEST,      /* method + id */
	TX_MCP_MSG_NOTIFICATION, /* method, no id */
	TX_MCP_MSG_RESPONSE,     /* id + result or error */
};

/* A parsed message; the pointers borrow from root. */
struct tx_mcp_msg {
	enum tx_mcp_msg_kind kind;
	struct json_object *root; /* owned: json_object_put */
	struct json_object *id;   /* the raw id (number or string) */
	bool id_is_int;
	int64_t id_int;
	const char *method;
	struct json_object *params; /* may be NULL */
	struct json_object *result; /* RESPONSE: exactly one of these */
	struct json_object *error;
	int error_code;
	const char *error_message;
	struct json_object *error_data; /* error.data; may be NULL */
};

/*
 * Parses one message.  0 with *m filled (release with
 * tx_mcp_msg_release), or -EINVAL with the reason in err (and nothing
 * to release).  A JSON-RPC batch (array) is -EINVAL: MCP 2025-06-18
 * removed batching, and stdio servers never send one.
 */
int tx_mcp_msg_parse(const char *text, size_t len, struct tx_mcp_msg *m,
		     char *err, size_t errlen);
void tx_mcp_msg_release(struct tx_mcp_msg *m);

/*
 * Message text builders; each returns malloc'd compact JSON (no newline)
 * or NULL on ENOMEM.  params is borrowed (may be NULL).
 */
char *tx_mcp_request_text(int64_t id, const char *method,
			  struct json_object *params);
char *tx_mcp_notification_text(const char *method, struct json_object *params);
/* A reply to a server request: result (borrowed) or an error. */
char *tx_mcp_reply_text(struct json_object *id, struct json_object *result,
			int code, const char *message);
/* initialize's params; elicit: announce elicitation, form only
 * ("elicitation": {}), or with elicit_url form and URL. */
struct json_object *tx_mcp_initialize_params(bool elicit, bool elicit_url);
/*
 * The answer to an elicitation/create request (params borrowed) when we
 * accept with defaults: {"action":"accept","content":{each property's
 * "default"}}, or {"action":"decline"} when a required property has no
 * default or the request is not a form.  NULL on ENOMEM.
 */
struct json_object *tx_mcp_elicit_defaults(struct json_object *params);
/* tools/call's params: name, arguments (borrowed), _meta.progressToken,
 * and with task_ttl_ms > 0 "task": {"ttl": task_ttl_ms} (the call
 * becomes a task, 2025-11-25). */
struct json_object *tx_mcp_call_params(const char *name,
				       struct json_object *args,
				       int64_t progress_token,
				       unsigned task_ttl_ms);
/* Whether a tools/list entry may be called as a task
 * (execution.taskSupport "optional" or "required"). */
bool tx_mcp_tool_task_capable(struct json_object *tool);

/* ---- tools and results ------------------------------------------- */

/*
 * Checks one entry of a tools/list answer.  0 with *name borrowed from
 * tool, or -EINVAL with the reason in err (the entry is then skipped).
 */
int tx_mcp_tool_check(struct json_object *tool, const char **name, char *err,
		      size_t errlen);

/* Whether a tools/list entry says it can only be called as a task
 * (execution.taskSupport "required", 2025-11-25). */
bool tx_mcp_tool_task_required(struct json_object *tool);

/*
 * Builds a job result from a tools/call result object (borrowed):
 * content blocks, structuredContent, isError.  NULL with errno
 * (EINVAL: not a CallToolResult, reason in err).
 */
struct tx_result *tx_mcp_result_from(struct json_object *result, char *err,
				     size_t errlen);

/* Maps a JSON-RPC error code to a positive errno (EINVAL or EIO). */
int tx_mcp_error_errno(int code);

/* ---- transports --------------------------------------------------- */

struct tx_mcp_conn;

/* What a transport tells the backend; every callback runs on the
 * transport's I/O thread, never with a transport lock held. */
struct tx_mcp_conn_cbs {
	void *ctx;
	/* One complete message (a line, or an SSE event's data). */
	void (*message)(void *ctx, struct tx_mcp_conn *c, const char *text,
			size_t len);
	/* The connection is over (at most once); reason for humans. */
	void (*closed)(void *ctx, struct tx_mcp_conn *c, const char *reason);
	/* One line of the server's stderr (stdio only). */
	void (*stderr_line)(void *ctx, struct tx_mcp_conn *c, const char *line);
	/*
	 * HTTP: the request with this id got no answer (HTTP status,
	 * network).  session_gone: the server forgot our session (404), so
	 * the request was not processed and may be sent again.
	 */
	void (*request_failed)(void *ctx, struct tx_mcp_conn *c, int64_t id,
			       const char *reason, bool session_gone);
	/* HTTP: the server refused request id until we sign in (401, 403
	 * insufficient_scope); reason says where to sign in. */
	void (*request_denied)(void *ctx, struct tx_mcp_conn *c, int64_t id,
			       const char *reason);
	/* HTTP: is request id still waiting for its answer? */
	bool (*awaiting)(void *ctx, int64_t id);
};

struct tx_mcp_conn_ops {
	/*
	 * Sends one message; never waits for the server (the caller may be
	 * a FUSE worker): what cannot go out at once is queued.  id >= 0
	 * for a request we expect an answer to (HTTP uses it for
	 * request_failed), -1 otherwise.  Writes are serialized;
	 * thread-safe.  0, -ENOBUFS when the queue is over its cap (this
	 * message is dropped, the connection stays usable), or another
	 * -errno (the connection is unusable: closed() follows or has
	 * happened).
	 */
	int (*send)(struct tx_mcp_conn *c, const char *text, size_t len,
		    int64_t id);
	/* Initialization finished with this protocol version (HTTP sends
	 * it as MCP-Protocol-Version on every later request, the
	 * notifications/initialized included). */
	void (*ready)(struct tx_mcp_conn *c, const char *version);
	/* Optional, after notifications/initialized went out: HTTP opens
	 * its GET stream (waits at most a second for it). */
	void (*listen)(struct tx_mcp_conn *c);
	/* Optional: stop waiting for the answer to request id (a
	 * cancelled call); HTTP drops that POST. */
	void (*abort)(struct tx_mcp_conn *c, int64_t id);
	/*
	 * Ends the connection: stdio closes stdin, then SIGTERM, then
	 * SIGKILL to the process group; HTTP sends DELETE.  Joins the I/O
	 * thread: no callback runs after it returns.  Idempotent.
	 */
	void (*stop)(struct tx_mcp_conn *c);
	/* Frees a stopped connection. */
	void (*free)(struct tx_mcp_conn *c);
	/* One line for status: "stdio pid 123" or "http SESSION". */
	void (*describe)(struct tx_mcp_conn *c, char *out, size_t outlen);
};

struct tx_mcp_conn {
	const struct tx_mcp_conn_ops *ops;
	struct tx_mcp_conn_cbs cbs;
	const char *name; /* the server's name, for logs; borrowed */
	/* During a message callback: the id of our request on whose
	 * response stream the message came (HTTP), else 0.  Only the I/O
	 * thread touches it. */
	int64_t via;
};

/* Start a server process / an HTTP session.  NULL with errno and err. */
struct tx_mcp_conn *tx_mcp_stdio_open(const struct tx_mcp_spec *spec,
				      const struct tx_mcp_conn_cbs *cbs,
				      char *err, size_t errlen);
struct tx_mcp_conn *tx_mcp_http_open(const struct tx_mcp_spec *spec,
				     const struct tx_mcp_conn_cbs *cbs,
				     char *err, size_t errlen);

#endif
