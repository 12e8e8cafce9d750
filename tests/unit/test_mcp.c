/*
 * test_mcp.c - the MCP client's pieces that need no server: line and
 * SSE framing, JSON-RPC message classification, message builders, tool
 * entry checks and the mapping of call results.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/mcp_i.h"
#include "engine/job.h"
#include "util/jsonu.h"
#include "testlib.h"

/* Collects what a splitter emits, joined by '|'. */
struct sink {
	char text[4096];
	int count;
};

static void collect(void *ctx, const char *line, size_t len)
{
	struct sink *s = ctx;
	size_t used = strlen(s->text);

	snprintf(s->text + used, sizeof(s->text) - used, "%s%.*s",
		 s->count ? "|" : "", (int)len, line);
	s->count++;
}

static void test_lines_split_across_feeds(void **state)
{
	struct tx_mcp_lines l;
	struct sink s = { "", 0 };

	(void)state;
	tx_mcp_lines_init(&l, 64);
	assert_int_equal(0, tx_mcp_lines_feed(&l, "ab", 2, collect, &s));
	assert_int_equal(0, s.count);
	assert_int_equal(0,
			 tx_mcp_lines_feed(&l, "c\r\nde\nf", 7, collect, &s));
	assert_string_equal("abc|de", s.text);
	assert_int_equal(0, tx_mcp_lines_feed(&l, "\n\n", 2, collect, &s));
	assert_string_equal("abc|de|f|", s.text);
	tx_mcp_lines_release(&l);
}

static void test_lines_cap(void **state)
{
	struct tx_mcp_lines l;
	struct sink s = { "", 0 };
	char big[40];

	(void)state;
	memset(big, 'x', sizeof(big));
	tx_mcp_lines_init(&l, 16);
	/* Exactly at the cap is fine, in one piece or two. */
	assert_int_equal(0, tx_mcp_lines_feed(&l, big, 16, collect, &s));
	assert_int_equal(0, tx_mcp_lines_feed(&l, "\n", 1, collect, &s));
	assert_int_equal(1, s.count);
	/* One byte more is refused, whether a newline follows or not. */
	assert_int_equal(-EFBIG, tx_mcp_lines_feed(&l, big, 17, collect, &s));
	assert_int_equal(0, tx_mcp_lines_feed(&l, "ok\n", 3, collect, &s));
	assert_string_equal("xxxxxxxxxxxxxxxx|ok", s.text);
	/* A line that grows past the cap over several reads. */
	assert_int_equal(0, tx_mcp_lines_feed(&l, big, 10, collect, &s));
	assert_int_equal(-EFBIG, tx_mcp_lines_feed(&l, big, 10, collect, &s));
	tx_mcp_lines_release(&l);
}

static void test_sse_events(void **state)
{
	struct tx_mcp_sse sse;
	struct sink s = { "", 0 };
	static const char stream[] =
		": keep-alive comment\n"
		"id: 7\nretry: 1500\ndata: \n\n" /* priming: empty data */
		"event: message\ndata: {\"a\":\ndata: 1}\n\n"
		"event: other\ndata: skipped\n\n"
		"data:no-space\r\n\r\n"
		"data: unfinished";

	(void)state;
	tx_mcp_sse_init(&sse, 1024, collect, &s);
	/* Byte by byte: framing must not depend on read boundaries. */
	for (size_t i = 0; i < sizeof(stream) - 1; i++)
		assert_int_equal(0, tx_mcp_sse_feed(&sse, stream + i, 1));
	assert_string_equal("|{\"a\":\n1}|no-space", s.text);
	assert_string_equal("7", sse.last_id);
	assert_int_equal(1500, sse.retry_ms);
	tx_mcp_sse_release(&sse);
}

static void test_sse_cap(void **state)
{
	struct tx_mcp_sse sse;
	struct sink s = { "", 0 };

	(void)state;
	tx_mcp_sse_init(&sse, 16, collect, &s);
	assert_int_equal(0, tx_mcp_sse_feed(&sse, "data: 0123456789\n", 17));
	assert_int_equal(-EFBIG,
			 tx_mcp_sse_feed(&sse, "data: 0123456789\n", 17));
	tx_mcp_sse_release(&sse);
}

static int parse(const char *text, struct tx_mcp_msg *m, char *err)
{
	return tx_mcp_msg_parse(text, strlen(text), m, err, 256);
}

static void test_msg_kinds(void **state)
{
	struct tx_mcp_msg m;
	char err[256];

	(void)state;
	assert_int_equal(
		0, parse("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}",
			 &m, err));
	assert_int_equal(TX_MCP_MSG_REQUEST, m.kind);
	assert_true(m.id_is_int);
	assert_int_equal(3, m.id_int);
	assert_string_equal("ping", m.method);
	tx_mcp_msg_release(&m);

	assert_int_equal(
		0, parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
			 "progress\",\"params\":{\"progressToken\":1}}",
			 &m, err));
	assert_int_equal(TX_MCP_MSG_NOTIFICATION, m.kind);
	assert_non_null(m.params);
	tx_mcp_msg_release(&m);

	assert_int_equal(
		0, parse("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"result\":{}}",
			 &m, err));
	assert_int_equal(TX_MCP_MSG_RESPONSE, m.kind);
	assert_false(m.id_is_int);
	assert_non_null(m.result);
	tx_mcp_msg_release(&m);

	assert_int_equal(0, parse("{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":"
				  "{\"code\":-32602,\"message\":\"bad\"}}",
				  &m, err));
	assert_int_equal(TX_MCP_MSG_RESPONSE, m.kind);
	assert_int_equal(-32602, m.error_code);
	assert_string_equal("bad", m.error_message);
	assert_int_equal(EINVAL, tx_mcp_error_errno(m.error_code));
	assert_int_equal(EIO, tx_mcp_error_errno(-32000));
	tx_mcp_msg_release(&m);
}

static void test_msg_invalid(void **state)
{
	static const char *const bad[] = {
		"not json",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}", /* cut */
		"[{\"jsonrpc\":\"2.0\",\"method\":\"x\"}]",    /* batch */
		"42",
		"null",
		"{\"id\":1,\"result\":{}}", /* no jsonrpc */
		"{\"jsonrpc\":\"1.0\",\"id\":1,\"result\":{}}",
		"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"result\":{}}",
		"{\"jsonrpc\":\"2.0\",\"id\":{},\"result\":{}}",
		"{\"jsonrpc\":\"2.0\",\"id\":1}", /* neither */
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"error\":{}}",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":\"no\"}",
		"{\"jsonrpc\":\"2.0\",\"method\":7}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":3}",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}} trailing",
		"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\xfe\"}", /* bad UTF-8 */
	};
	struct tx_mcp_msg m;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (parse(bad[i], &m, err) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_true(err[0] != '\0');
		assert_null(m.root);
	}
}

static void test_builders(void **state)
{
	struct json_object *args = json_object_new_object();
	struct json_object *p;
	struct json_object *id;
	char *t;

	(void)state;
	json_object_object_add(args, "message",
			       json_object_new_string("hi/\"x\""));
	p = tx_mcp_call_params("echo", args, 12, 0);
	t = tx_mcp_request_text(12, "tools/call", p);
	assert_string_equal(
		"{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"tools/call\","
		"\"params\":{\"name\":\"echo\",\"arguments\":"
		"{\"message\":\"hi/\\\"x\\\"\"},\"_meta\":"
		"{\"progressToken\":12}}}",
		t);
	free(t);
	json_object_put(p);
	json_object_put(args);

	t = tx_mcp_notification_text("notifications/initialized", NULL);
	assert_string_equal("{\"jsonrpc\":\"2.0\",\"method\":"
			    "\"notifications/initialized\"}",
			    t);
	free(t);

	id = json_object_new_string("s-1");
	t = tx_mcp_reply_text(id, NULL, -32601, "Method not found: x");
	assert_string_equal(
		"{\"jsonrpc\":\"2.0\",\"id\":\"s-1\",\"error\":"
		"{\"code\":-32601,\"message\":\"Method not found: x\"}}",
		t);
	free(t);
	json_object_put(id);

	p = tx_mcp_initialize_params(false, false);
	t = tx_json_compact(p);
	assert_non_null(strstr(t, "\"protocolVersion\":\"2025-11-25\""));
	assert_non_null(strstr(t, "\"clientInfo\":{\"name\":\"toolexecfs\""));
	free(t);
	json_object_put(p);
}

static void test_versions(void **state)
{
	(void)state;
	assert_true(tx_mcp_version_supported("2025-11-25"));
	assert_true(tx_mcp_version_supported("2025-06-18"));
	assert_true(tx_mcp_version_supported("2025-03-26"));
	assert_true(tx_mcp_version_supported("2024-11-05"));
	assert_false(tx_mcp_version_supported("2024-10-07"));
	assert_false(tx_mcp_version_supported("2026-01-01"));
	assert_false(tx_mcp_version_supported(""));
	assert_false(tx_mcp_version_supported(NULL));
}

static struct json_object *js(const char *text)
{
	char err[256];
	struct json_object *o =
		tx_json_parse(text, strlen(text), 64, err, sizeof(err));

	assert_non_null(o);
	return o;
}

static void test_tool_check(void **state)
{
	static const char *const bad[] = {
		"[]",
		"{\"description\":\"no name\"}",
		"{\"name\":\"\"}",
		"{\"name\":42}",
		"{\"name\":\"a\\nb\"}",
		"{\"name\":\"a\\u0000b\"}",
		"{\"name\":\"x\",\"inputSchema\":\"str\"}",
		"{\"name\":\"x\",\"outputSchema\":[]}",
	};
	struct json_object *o;
	const char *name = NULL;
	char err[256];

	(void)state;
	o = js("{\"name\":\"read/file.v2\",\"inputSchema\":{\"type\":\"object\"}}");
	assert_int_equal(0, tx_mcp_tool_check(o, &name, err, sizeof(err)));
	assert_string_equal("read/file.v2", name);
	json_object_put(o);
	o = js("{\"name\":\"no_schema\"}");
	assert_int_equal(0, tx_mcp_tool_check(o, &name, err, sizeof(err)));
	json_object_put(o);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = js(bad[i]);
		err[0] = '\0';
		if (tx_mcp_tool_check(o, &name, err, sizeof(err)) != -EINVAL)
			fail_msg("accepted tool %s", bad[i]);
		assert_true(err[0] != '\0');
		json_object_put(o);
	}
}

/*
 * A tools/call result as the client maps it (tx_mcp_result_from) and
 * completes a job with it: the job's result.json envelope, parsed, and
 * its result and error texts.
 */
struct mapped {
	struct tx_engine *e;
	struct tx_job *job;
	struct json_object *env;
	const char *result;
	const char *error;
};

static void map_result(struct mapped *m, const char *result_json)
{
	struct test_backend *tb;
	struct json_object *o = js(result_json);
	struct tx_result *r;
	char err[256] = "";
	const char *env;

	m->e = test_engine(&tb);
	m->job =
		tx_engine_call(m->e, "test:hang", "{}", NULL, err, sizeof(err));
	assert_non_null(m->job);
	r = tx_mcp_result_from(o, err, sizeof(err));
	if (!r)
		fail_msg("not mapped: %s: %s", result_json, err);
	json_object_put(o);
	tx_job_complete(m->job, r);
	assert_true(tx_job_state_final(tx_job_state(m->job)));
	env = tx_job_envelope_text(m->job, NULL);
	m->env = tx_json_parse(env, strlen(env), 64, err, sizeof(err));
	assert_non_null(m->env);
	m->result = tx_job_result_text(m->job, NULL);
	m->error = tx_job_error_text(m->job, NULL);
}

static void map_release(struct mapped *m)
{
	json_object_put(m->env);
	tx_job_unref(m->job);
	tx_engine_free(m->e);
}

/* The envelope's member key equals the JSON text want exactly (NULL:
 * the member is absent; "null": present and null). */
static void assert_member(struct json_object *env, const char *key,
			  const char *want)
{
	struct json_object *v = NULL;
	bool has = json_object_object_get_ex(env, key, &v);

	if (!want) {
		if (has)
			fail_msg("\"%s\" should be absent, is %s", key,
				 json_object_to_json_string(v));
		return;
	}
	if (!has)
		fail_msg("\"%s\" is missing", key);
	if (!strcmp(want, "null")) { /* json-c's null is NULL */
		if (v)
			fail_msg("\"%s\": expected null, got %s", key,
				 json_object_to_json_string(v));
		return;
	}
	{
		struct json_object *w = js(want);

		if (!json_object_equal(v, w))
			fail_msg("\"%s\": expected %s, got %s", key, want,
				 json_object_to_json_string(v));
		json_object_put(w);
	}
}

#define TEXT_A "{\"type\":\"text\",\"text\":\"a\"}"
#define IMAGE                                            \
	"{\"type\":\"image\",\"data\":\"iVBORw0KGgo=\"," \
	"\"mimeType\":\"image/png\"}"

static void test_result_mapping(void **state)
{
	struct mapped m;
	char err[256];
	struct json_object *o;

	(void)state;
	/* isError: the content is delivered, the job is an error. */
	map_result(&m, "{\"content\":[" TEXT_A "," IMAGE "],"
		       "\"structuredContent\":{\"n\":1},\"isError\":true}");
	assert_int_equal(tx_job_state(m.job), TX_JOB_ERROR);
	assert_int_equal(tx_job_errno(m.job), 0);
	assert_member(m.env, "status", "\"error\"");
	assert_member(m.env, "isError", "true");
	assert_member(m.env, "content", "[" TEXT_A "," IMAGE "]");
	assert_member(m.env, "structuredContent", "{\"n\":1}");
	assert_member(m.env, "error",
		      "{\"code\":\"tool_error\","
		      "\"message\":\"a\\n\",\"path\":null}");
	assert_string_equal(m.result, "a\n");
	assert_string_equal(m.error, "tool_error: a\n");
	map_release(&m);

	/* isError false: the same content is a success. */
	map_result(&m, "{\"content\":[" TEXT_A "," IMAGE "],"
		       "\"structuredContent\":{\"n\":1},\"isError\":false}");
	assert_int_equal(tx_job_state(m.job), TX_JOB_OK);
	assert_member(m.env, "status", "\"ok\"");
	assert_member(m.env, "isError", "false");
	assert_member(m.env, "content", "[" TEXT_A "," IMAGE "]");
	assert_member(m.env, "structuredContent", "{\"n\":1}");
	assert_member(m.env, "error", "null");
	assert_string_equal(m.result, "a\n");
	assert_string_equal(m.error, "");
	map_release(&m);

	/* An image alone: kept whole in result.json, pointed to from
	 * result; no structuredContent appears from nowhere. */
	map_result(&m, "{\"content\":[" IMAGE "]}");
	assert_int_equal(tx_job_state(m.job), TX_JOB_OK);
	assert_member(m.env, "isError", "false");
	assert_member(m.env, "content", "[" IMAGE "]");
	assert_member(m.env, "structuredContent", NULL);
	assert_string_equal(m.result,
			    "[image image/png: see result.json, content[0]]\n");
	map_release(&m);

	/* Structured content without text: result shows it as JSON. */
	map_result(&m, "{\"content\":[],\"structuredContent\":"
		       "{\"n\":42,\"list\":[1,\"x\"]}}");
	assert_int_equal(tx_job_state(m.job), TX_JOB_OK);
	assert_member(m.env, "content", "[]");
	assert_member(m.env, "structuredContent",
		      "{\"n\":42,\"list\":[1,\"x\"]}");
	o = js(m.result);
	if (!json_object_equal(o, json_object_object_get(m.env,
							 "structuredContent")))
		fail_msg("result is not the structured content: %s", m.result);
	json_object_put(o);
	assert_true(m.result[strlen(m.result) - 1] == '\n');
	map_release(&m);

	/* No content at all: an empty success. */
	map_result(&m, "{}");
	assert_int_equal(tx_job_state(m.job), TX_JOB_OK);
	assert_member(m.env, "isError", "false");
	assert_member(m.env, "content", "[]");
	assert_member(m.env, "structuredContent", NULL);
	assert_string_equal(m.result, "");
	map_release(&m);

	/* Results that are not results. */
	o = js("{\"content\":\"text\"}");
	assert_null(tx_mcp_result_from(o, err, sizeof(err)));
	assert_int_equal(EINVAL, errno);
	assert_string_equal(err, "\"content\" is not an array");
	json_object_put(o);
	o = js("{\"content\":[{\"text\":\"no type\"}]}");
	assert_null(tx_mcp_result_from(o, err, sizeof(err)));
	assert_int_equal(EINVAL, errno);
	assert_string_equal(err, "content[0] is not a content block");
	json_object_put(o);
	o = js("[1]");
	assert_null(tx_mcp_result_from(o, err, sizeof(err)));
	assert_int_equal(EINVAL, errno);
	assert_string_equal(err, "the call's result is not an object");
	json_object_put(o);
}

/* Feeds a string without its terminating NUL. */
static int feed(struct tx_mcp_sse *sse, const char *text)
{
	return tx_mcp_sse_feed(sse, text, strlen(text));
}

/* Lines may end with a lone CR (the SSE standard allows CRLF, LF and
 * CR): a CR-only stream has events too. */
static void test_sse_cr_line_endings(void **state)
{
	struct tx_mcp_sse sse;
	struct sink s = { "", 0 };
	static const char stream[] =
		"id: 1\rdata: a\r\r"
		"data: b\rdata: c\r\r"
		": comment\revent: other\rdata: skipped\r\r"
		"data: d\r\n\r\n" /* CRLF still works */
		"data: e\n\n";    /* and LF */

	(void)state;
	tx_mcp_sse_init(&sse, 1024, collect, &s);
	assert_int_equal(0, tx_mcp_sse_feed(&sse, stream, sizeof(stream) - 1));
	assert_string_equal("a|b\nc|d|e", s.text);
	assert_string_equal("1", sse.last_id);
	tx_mcp_sse_release(&sse);

	/* The same, one byte per feed. */
	memset(&s, 0, sizeof(s));
	tx_mcp_sse_init(&sse, 1024, collect, &s);
	for (size_t i = 0; i < sizeof(stream) - 1; i++)
		assert_int_equal(0, tx_mcp_sse_feed(&sse, stream + i, 1));
	assert_string_equal("a|b\nc|d|e", s.text);
	tx_mcp_sse_release(&sse);
}

/* A CRLF whose CR ends one feed and whose LF starts the next is one
 * line end, not two (which would dispatch an event in the middle). */
static void test_sse_crlf_across_feeds(void **state)
{
	struct tx_mcp_sse sse;
	struct sink s = { "", 0 };

	(void)state;
	tx_mcp_sse_init(&sse, 1024, collect, &s);
	assert_int_equal(0, feed(&sse, "data: x\r"));
	assert_int_equal(0, s.count);
	assert_int_equal(0, feed(&sse, "\ndata: y\r"));
	assert_int_equal(0, s.count);
	assert_int_equal(0, feed(&sse, "\n\r"));
	assert_int_equal(1, s.count);
	assert_string_equal("x\ny", s.text);
	/* A CR at the end of a feed followed by something else: the CR
	 * alone ended the line (here: the blank line of an event). */
	assert_int_equal(0, feed(&sse, "data: z\r"));
	assert_int_equal(0, feed(&sse, "\r"));
	assert_int_equal(2, s.count);
	assert_int_equal(0, feed(&sse, "data: w\r\n"));
	assert_int_equal(0, feed(&sse, "\r"));
	assert_int_equal(0, feed(&sse, "\n"));
	assert_string_equal("x\ny|z|w", s.text);
	tx_mcp_sse_release(&sse);
}

/* A bare CR inside an "id:" line ends it: nothing after it reaches the
 * id, which goes back to the server as the Last-Event-ID header. */
static void test_sse_id_with_bare_cr(void **state)
{
	struct tx_mcp_sse sse;
	struct sink s = { "", 0 };
	static const char stream[] = "id: abc\rX-Injected: 1\ndata: z\n\n";

	(void)state;
	tx_mcp_sse_init(&sse, 1024, collect, &s);
	assert_int_equal(0, tx_mcp_sse_feed(&sse, stream, sizeof(stream) - 1));
	assert_string_equal("z", s.text);
	assert_string_equal("abc", sse.last_id);
	assert_null(strpbrk(sse.last_id, "\r\n"));
	/* An id with a NUL is ignored, as the standard says. */
	assert_int_equal(0, tx_mcp_sse_feed(&sse, "id: a\0b\ndata: y\n\n", 17));
	assert_string_equal("abc", sse.last_id);
	tx_mcp_sse_release(&sse);
}

/* The id counts once its event is dispatched: an event that the end of
 * the stream cut off must come again when the stream is resumed. */
static void test_sse_id_at_dispatch(void **state)
{
	struct tx_mcp_sse sse;
	struct sink s = { "", 0 };

	(void)state;
	tx_mcp_sse_init(&sse, 1024, collect, &s);
	assert_int_equal(0, feed(&sse, "id: 5\ndata: a\n\n"));
	assert_string_equal("5", sse.last_id);
	assert_int_equal(0, feed(&sse, "id: 6\ndata: cut"));
	assert_string_equal("5", sse.last_id);
	assert_int_equal(0, feed(&sse, "\n\n"));
	assert_string_equal("6", sse.last_id);
	assert_string_equal("a|cut", s.text);
	tx_mcp_sse_release(&sse);
}

/* Events of another type go to "other" (the legacy transport's
 * "endpoint"), with their type readable meanwhile; messages do not. */
static struct sink other_sink = { "", 0 };
static char other_event[64];

static void collect_other(void *ctx, const char *data, size_t len)
{
	struct tx_mcp_sse *sse = ctx;

	snprintf(other_event, sizeof(other_event), "%s", sse->event);
	collect(&other_sink, data, len);
}

static void test_sse_other_events(void **state)
{
	struct tx_mcp_sse sse;
	struct sink s = { "", 0 };

	(void)state;
	tx_mcp_sse_init(&sse, 1024, collect, &s);
	/* Without "other", such events are dropped. */
	assert_int_equal(0, feed(&sse, "event: endpoint\ndata: /x\n\n"));
	assert_string_equal("", s.text);
	sse.other = collect_other;
	sse.ctx = &sse;
	assert_int_equal(0, feed(&sse, "event: endpoint\ndata: /message?"
				       "sessionId=1\n\n"));
	assert_string_equal("endpoint", other_event);
	assert_string_equal("/message?sessionId=1", other_sink.text);
	sse.ctx = &s;
	assert_int_equal(0, feed(&sse, "event: message\ndata: m\n\n"));
	assert_string_equal("m", s.text);
	assert_string_equal("/message?sessionId=1", other_sink.text);
	tx_mcp_sse_release(&sse);
}

static char *compact(struct json_object *o)
{
	char *t = strdup(json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(o);
	return t;
}

static void test_elicit_defaults(void **state)
{
	static const struct {
		const char *params, *answer;
	} cases[] = {
		{ "{\"message\":\"m\",\"requestedSchema\":{\"type\":\"object\","
		  "\"properties\":{\"name\":{\"type\":\"string\",\"default\":\"J\"},"
		  "\"age\":{\"type\":\"integer\",\"default\":30},"
		  "\"note\":{\"type\":\"string\"}},\"required\":[\"name\"]}}",
		  "{\"action\":\"accept\",\"content\":{\"name\":\"J\",\"age\":30}}" },
		/* A required field without a default: nobody can fill it. */
		{ "{\"message\":\"m\",\"requestedSchema\":{\"type\":\"object\","
		  "\"properties\":{\"name\":{\"type\":\"string\"}},"
		  "\"required\":[\"name\"]}}",
		  "{\"action\":\"decline\"}" },
		{ "{\"mode\":\"url\",\"message\":\"m\",\"url\":\"https://x/\","
		  "\"elicitationId\":\"e\"}",
		  "{\"action\":\"decline\"}" },
		{ "{\"mode\":\"form\",\"message\":\"m\",\"requestedSchema\":{"
		  "\"type\":\"object\",\"properties\":{}}}",
		  "{\"action\":\"accept\",\"content\":{}}" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_object *p = json_tokener_parse(cases[i].params);
		char *t = compact(tx_mcp_elicit_defaults(p));

		assert_string_equal(t, cases[i].answer);
		free(t);
		json_object_put(p);
	}
}

static void test_initialize_capabilities(void **state)
{
	struct json_object *p, *caps;
	char *t;

	(void)state;
	p = tx_mcp_initialize_params(false, false);
	assert_true(json_object_object_get_ex(p, "capabilities", &caps));
	assert_int_equal(json_object_object_length(caps), 0);
	json_object_put(p);
	p = tx_mcp_initialize_params(true, false);
	assert_true(json_object_object_get_ex(p, "capabilities", &caps));
	t = compact(json_object_get(caps));
	assert_string_equal(t, "{\"elicitation\":{}}");
	free(t);
	json_object_put(p);
	/* "ask" and "decline" name both modes (2025-11-25). */
	p = tx_mcp_initialize_params(true, true);
	assert_true(json_object_object_get_ex(p, "capabilities", &caps));
	t = compact(json_object_get(caps));
	assert_string_equal(t, "{\"elicitation\":{\"form\":{},\"url\":{}}}");
	free(t);
	json_object_put(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_split_across_feeds),
		cmocka_unit_test(test_lines_cap),
		cmocka_unit_test(test_sse_events),
		cmocka_unit_test(test_sse_cap),
		cmocka_unit_test(test_msg_kinds),
		cmocka_unit_test(test_msg_invalid),
		cmocka_unit_test(test_builders),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_tool_check),
		cmocka_unit_test(test_result_mapping),
		cmocka_unit_test(test_sse_cr_line_endings),
		cmocka_unit_test(test_sse_crlf_across_feeds),
		cmocka_unit_test(test_sse_id_with_bare_cr),
		cmocka_unit_test(test_sse_id_at_dispatch),
		cmocka_unit_test(test_sse_other_events),
		cmocka_unit_test(test_elicit_defaults),
		cmocka_unit_test(test_initialize_capabilities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
