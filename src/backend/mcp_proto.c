/*
 * mcp_proto.c - JSON-RPC 2.0 framing and the MCP message shapes the
 * client needs.  Pure functions over bytes and json-c objects: no I/O,
 * no threads, so every piece is unit-tested without a server.
 */
#include "backend/mcp_i.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/job.h"
#include "util/jsonu.h"
#include "toolexecfs/toolexec.h"

/* Newest first: what we accept in the server's initialize answer. */
static const char *const versions[] = {
	"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", NULL,
};

bool tx_mcp_version_supported(const char *version)
{
	if (!version)
		return false;
	for (size_t i = 0; versions[i]; i++)
		if (!strcmp(version, versions[i]))
			return true;
	return false;
}

const char *tx_mcp_versions_text(void)
{
	return "2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05";
}

/* ---- lines -------------------------------------------------------- */

void tx_mcp_lines_init(struct tx_mcp_lines *l, size_t max)
{
	tx_buf_init(&l->buf, max);
	l->max = max;
}

void tx_mcp_lines_release(struct tx_mcp_lines *l)
{
	tx_buf_release(&l->buf);
}

static void emit_line(const char *p, size_t n, tx_mcp_line_fn fn, void *ctx)
{
	if (n && p[n - 1] == '\r')
		n--;
	fn(ctx, p, n);
}

int tx_mcp_lines_feed(struct tx_mcp_lines *l, const char *p, size_t n,
		      tx_mcp_line_fn fn, void *ctx)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;

		if (l->buf.len + take > l->max) {
			/* Over the cap: drop what we hold; the caller resets
			 * the stream, since we no longer know where the next
			 * message starts. */
			tx_buf_release(&l->buf);
			return -EFBIG;
		}
		if (!nl) {
			int rc = tx_buf_add(&l->buf, p, take);

			return rc;
		}
		if (l->buf.len) {
			int rc = tx_buf_add(&l->buf, p, take);

			if (rc) {
				tx_buf_release(&l->buf);
				return rc;
			}
			emit_line(l->buf.data, l->buf.len, fn, ctx);
			l->buf.len = 0;
			l->buf.data[0] = '\0';
		} else {
			/* The common case: a whole line in one read, no copy. */
			emit_line(p, take, fn, ctx);
		}
		p += take + 1;
		n -= take + 1;
	}
	return 0;
}

/* ---- SSE ---------------------------------------------------------- */

static void sse_line(void *ctx, const char *line, size_t len);

void tx_mcp_sse_init(struct tx_mcp_sse *s, size_t max, tx_mcp_line_fn fn,
		     void *ctx)
{
	memset(s, 0, sizeof(*s));
	tx_mcp_lines_init(&s->lines, max);
	tx_buf_init(&s->data, max);
	s->retry_ms = -1;
	s->fn = fn;
	s->ctx = ctx;
}

void tx_mcp_sse_release(struct tx_mcp_sse *s)
{
	tx_mcp_lines_release(&s->lines);
	tx_buf_release(&s->data);
}

static void copy_field(char *dst, size_t dstlen, const char *v, size_t n)
{
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static void sse_line(void *ctx, const char *line, size_t len)
{
	struct tx_mcp_sse *s = ctx;
	const char *colon;
	size_t flen;
	const char *v;
	size_t vlen;

	if (len == 0) {
		memcpy(s->last_id, s->id, sizeof(s->last_id));
		if (s->has_data &&
		    (!s->event[0] || !strcmp(s->event, "message")))
			s->fn(s->ctx, s->data.data ? s->data.data : "",
			      s->data.len);
		else if (s->has_data && s->other)
			s->other(s->ctx, s->data.data ? s->data.data : "",
				 s->data.len);
		s->data.len = 0;
		if (s->data.data)
			s->data.data[0] = '\0';
		s->has_data = false;
		s->event[0] = '\0';
		return;
	}
	if (line[0] == ':')
		return; /* a comment (keep-alive) */
	colon = memchr(line, ':', len);
	flen = colon ? (size_t)(colon - line) : len;
	v = colon ? colon + 1 : line + len;
	vlen = colon ? len - flen - 1 : 0;
	if (vlen && v[0] == ' ') {
		v++;
		vlen--;
	}
	if (flen == 4 && !memcmp(line, "data", 4)) {
		int rc = 0;

		if (s->has_data)
			rc = tx_buf_add(&s->data, "\n", 1);
		if (!rc)
			rc = tx_buf_add(&s->data, v, vlen);
		if (rc)
			s->error = rc;
		s->has_data = true;
	} else if (flen == 5 && !memcmp(line, "event", 5)) {
		copy_field(s->event, sizeof(s->event), v, vlen);
	} else if (flen == 2 && !memcmp(line, "id", 2)) {
		/* No CR or LF can be in a line; NUL is refused as the
		 * standard says.  The value becomes a request header
		 * (Last-Event-ID), so nothing may break it. */
		if (!memchr(v, '\0', vlen))
			copy_field(s->id, sizeof(s->id), v, vlen);
	} else if (flen == 5 && !memcmp(line, "retry", 5)) {
		long ms = 0;
		size_t i;

		for (i = 0;
		     i < vlen && v[i] >= '0' && v[i] <= '9' && ms < 86400000L;
		     i++)
			ms = ms * 10 + (v[i] - '0');
		if (i == vlen && vlen)
			s->retry_ms = ms;
	}
	/* Other fields are ignored, as the SSE standard says. */
}

/* The first CR or LF in p[0..n), or NULL. */
static const char *find_eol(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\n' || p[i] == '\r')
			return p + i;
	return NULL;
}

/* Splits into lines at CRLF, LF or CR (the SSE standard allows all
 * three; a CR-only stream has no LF at all), with lines's cap. */
static int sse_split(struct tx_mcp_sse *s, const char *p, size_t n)
{
	struct tx_buf *b = &s->lines.buf;

	while (n) {
		const char *eol;
		size_t take;

		if (s->after_cr) {
			/* A CR ended the previous line; an LF right after
			 * it, in this feed or the next, belongs to it. */
			s->after_cr = false;
			if (*p == '\n') {
				p++;
				n--;
				continue;
			}
		}
		eol = find_eol(p, n);
		take = eol ? (size_t)(eol - p) : n;
		if (b->len + take > s->lines.max) {
			/* We no longer know where the next line starts. */
			tx_buf_release(b);
			return -EFBIG;
		}
		if (!eol)
			return tx_buf_add(b, p, take);
		if (b->len) {
			int rc = tx_buf_add(b, p, take);

			if (rc) {
				tx_buf_release(b);
				return rc;
			}
			sse_line(s, b->data, b->len);
			b->len = 0;
			b->data[0] = '\0';
		} else {
			sse_line(s, p, take);
		}
		s->after_cr = *eol == '\r';
		p += take + 1;
		n -= take + 1;
	}
	return 0;
}

int tx_mcp_sse_feed(struct tx_mcp_sse *s, const char *p, size_t n)
{
	int rc;

	s->error = 0;
	rc = sse_split(s, p, n);
	if (!rc && s->error) {
		rc = s->error;
		tx_buf_release(&s->data);
		s->has_data = false;
	}
	return rc;
}

/* ---- messages ----------------------------------------------------- */

void tx_mcp_msg_release(struct tx_mcp_msg *m)
{
	json_object_put(m->root);
	memset(m, 0, sizeof(*m));
}

static int bad(struct tx_mcp_msg *m, char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "%s", why);
	json_object_put(m->root);
	memset(m, 0, sizeof(*m));
	return -EINVAL;
}

int tx_mcp_msg_parse(const char *text, size_t len, struct tx_mcp_msg *m,
		     char *err, size_t errlen)
{
	struct json_object *v;
	bool has_id;

	memset(m, 0, sizeof(*m));
	m->root = tx_json_parse(text, len, TX_MCP_JSON_DEPTH, err, errlen);
	if (!m->root) {
		if (!err[0])
			snprintf(err, errlen, "null is not a message");
		return -EINVAL;
	}
	if (!json_object_is_type(m->root, json_type_object))
		return bad(m, err, errlen,
			   json_object_is_type(m->root, json_type_array)
				   ? "batches are not supported"
				   : "a message must be a JSON object");
	if (!json_object_object_get_ex(m->root, "jsonrpc", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "2.0"))
		return bad(m, err, errlen, "\"jsonrpc\" must be \"2.0\"");

	has_id = json_object_object_get_ex(m->root, "id", &m->id) && m->id;
	if (has_id) {
		if (json_object_is_type(m->id, json_type_int)) {
			m->id_is_int = true;
			m->id_int = json_object_get_int64(m->id);
		} else if (!json_object_is_type(m->id, json_type_string)) {
			return bad(m, err, errlen,
				   "\"id\" must be a string or an integer");
		}
	}

	if (json_object_object_get_ex(m->root, "method", &v)) {
		if (!json_object_is_type(v, json_type_string))
			return bad(m, err, errlen,
				   "\"method\" must be a string");
		m->method = json_object_get_string(v);
		if (json_object_object_get_ex(m->root, "params", &m->params) &&
		    m->params &&
		    !json_object_is_type(m->params, json_type_object) &&
		    !json_object_is_type(m->params, json_type_array))
			return bad(m, err, errlen,
				   "\"params\" must be an object");
		m->kind = has_id ? TX_MCP_MSG_REQUEST : TX_MCP_MSG_NOTIFICATION;
		return 0;
	}

	json_object_object_get_ex(m->root, "result", &m->result);
	json_object_object_get_ex(m->root, "error", &m->error);
	if ((m->result != NULL) == (m->error != NULL))
		return bad(m, err, errlen,
			   "a response needs exactly one of \"result\" and "
			   "\"error\"");
	if (m->error) {
		if (!json_object_is_type(m->error, json_type_object))
			return bad(m, err, errlen,
				   "\"error\" must be an object");
		if (json_object_object_get_ex(m->error, "code", &v) &&
		    json_object_is_type(v, json_type_int))
			m->error_code = json_object_get_int(v);
		if (json_object_object_get_ex(m->error, "message", &v) &&
		    json_object_is_type(v, json_type_string))
			m->error_message = json_object_get_string(v);
		if (!m->error_message)
			m->error_message = "(no message)";
		/* Kept: it carries what the caller needs next (the URL
		 * of a -32042 URL elicitation, say). */
		json_object_object_get_ex(m->error, "data", &m->error_data);
	}
	/* A response to a request we could not parse carries id null. */
	m->kind = TX_MCP_MSG_RESPONSE;
	return 0;
}

static char *text_of(struct json_object *o)
{
	const char *s;
	char *out;

	if (!o)
		return NULL;
	s = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	out = s ? strdup(s) : NULL;
	json_object_put(o);
	return out;
}

static int add_owned(struct json_object *o, const char *key,
		     struct json_object *v)
{
	if (!v)
		return -ENOMEM;
	return json_object_object_add(o, key, v) ? -ENOMEM : 0;
}

char *tx_mcp_request_text(int64_t id, const char *method,
			  struct json_object *params)
{
	struct json_object *o = json_object_new_object();

	if (!o || add_owned(o, "jsonrpc", json_object_new_string("2.0")) ||
	    add_owned(o, "id", json_object_new_int64(id)) ||
	    add_owned(o, "method", json_object_new_string(method)) ||
	    (params && add_owned(o, "params", json_object_get(params)))) {
		json_object_put(o);
		return NULL;
	}
	return text_of(o);
}

char *tx_mcp_notification_text(const char *method, struct json_object *params)
{
	struct json_object *o = json_object_new_object();

	if (!o || add_owned(o, "jsonrpc", json_object_new_string("2.0")) ||
	    add_owned(o, "method", json_object_new_string(method)) ||
	    (params && add_owned(o, "params", json_object_get(params)))) {
		json_object_put(o);
		return NULL;
	}
	return text_of(o);
}

char *tx_mcp_reply_text(struct json_object *id, struct json_object *result,
			int code, const char *message)
{
	struct json_object *o = json_object_new_object();
	struct json_object *e = NULL;

	if (!o || add_owned(o, "jsonrpc", json_object_new_string("2.0")) ||
	    json_object_object_add(o, "id", json_object_get(id)))
		goto out_fail;
	if (result) {
		if (add_owned(o, "result", json_object_get(result)))
			goto out_fail;
	} else {
		e = json_object_new_object();
		if (!e || add_owned(e, "code", json_object_new_int(code)) ||
		    add_owned(e, "message", json_object_new_string(message)))
			goto out_fail;
		if (json_object_object_add(o, "error", e))
			goto out_fail;
		e = NULL;
	}
	return text_of(o);

out_fail:
	json_object_put(e);
	json_object_put(o);
	return NULL;
}

/* "elicitation": {} (form only, as before 2025-11-25) or with "form"
 * and "url" named. */
static struct json_object *elicit_caps(bool url)
{
	struct json_object *o = json_object_new_object();

	if (o && url &&
	    (add_owned(o, "form", json_object_new_object()) ||
	     add_owned(o, "url", json_object_new_object()))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *tx_mcp_initialize_params(bool elicit, bool elicit_url)
{
	struct json_object *p = json_object_new_object();
	struct json_object *info = json_object_new_object();
	struct json_object *caps = json_object_new_object();

	/* We answer no sampling requests, so we must not announce them;
	 * elicitation only when the configuration opts in: form alone to
	 * accept with defaults, form and URL to ask a person (or decline). */
	if (!p || !info || !caps) {
		json_object_put(caps);
		goto out_fail;
	}
	if (add_owned(p, "capabilities", caps) || /* p owns caps now */
	    (elicit &&
	     add_owned(caps, "elicitation", elicit_caps(elicit_url))) ||
	    add_owned(p, "protocolVersion",
		      json_object_new_string(TX_MCP_PROTOCOL_VERSION)) ||
	    add_owned(info, "name", json_object_new_string("toolexecfs")) ||
	    add_owned(info, "version", json_object_new_string(TX_VERSION)))
		goto out_fail;
	if (json_object_object_add(p, "clientInfo", info))
		goto out_fail;
	return p;

out_fail:
	json_object_put(info);
	json_object_put(p);
	return NULL;
}

struct json_object *tx_mcp_elicit_defaults(struct json_object *params)
{
	struct json_object *schema = NULL, *props = NULL, *req = NULL;
	struct json_object *out = json_object_new_object();
	struct json_object *content = json_object_new_object();
	const char *mode = NULL;
	struct json_object *v;

	if (!out || !content)
		goto out_fail;
	if (params && json_object_object_get_ex(params, "mode", &v) &&
	    json_object_is_type(v, json_type_string))
		mode = json_object_get_string(v);
	if ((mode && strcmp(mode, "form")) ||
	    !json_object_object_get_ex(params, "requestedSchema", &schema) ||
	    !json_object_object_get_ex(schema, "properties", &props) ||
	    !json_object_is_type(props, json_type_object))
		goto out_decline;
	json_object_object_foreach(props, key, prop)
	{
		struct json_object *def;

		if (json_object_is_type(prop, json_type_object) &&
		    json_object_object_get_ex(prop, "default", &def) &&
		    json_object_object_add(content, key, json_object_get(def)))
			goto out_fail;
	}
	if (json_object_object_get_ex(schema, "required", &req) &&
	    json_object_is_type(req, json_type_array))
		for (size_t i = 0; i < json_object_array_length(req); i++) {
			struct json_object *r =
				json_object_array_get_idx(req, i);

			if (!json_object_is_type(r, json_type_string) ||
			    !json_object_object_get_ex(
				    content, json_object_get_string(r), NULL))
				goto out_decline;
		}
	if (add_owned(out, "action", json_object_new_string("accept")) ||
	    json_object_object_add(out, "content", content))
		goto out_fail;
	return out;

out_decline:
	json_object_put(content);
	if (add_owned(out, "action", json_object_new_string("decline"))) {
		json_object_put(out);
		return NULL;
	}
	return out;
out_fail:
	json_object_put(content);
	json_object_put(out);
	return NULL;
}

bool tx_mcp_tool_task_capable(struct json_object *tool)
{
	struct json_object *ex = NULL, *ts = NULL;
	const char *v;

	if (!json_object_object_get_ex(tool, "execution", &ex) ||
	    !json_object_object_get_ex(ex, "taskSupport", &ts) ||
	    !json_object_is_type(ts, json_type_string))
		return false;
	v = json_object_get_string(ts);
	return !strcmp(v, "required") || !strcmp(v, "optional");
}

bool tx_mcp_tool_task_required(struct json_object *tool)
{
	struct json_object *ex = NULL, *ts = NULL;

	return json_object_object_get_ex(tool, "execution", &ex) &&
	       json_object_object_get_ex(ex, "taskSupport", &ts) &&
	       json_object_is_type(ts, json_type_string) &&
	       !strcmp(json_object_get_string(ts), "required");
}

struct json_object *tx_mcp_call_params(const char *name,
				       struct json_object *args,
				       int64_t progress_token,
				       unsigned task_ttl_ms)
{
	struct json_object *p = json_object_new_object();
	struct json_object *meta = json_object_new_object();
	struct json_object *task;

	if (!p || !meta || add_owned(p, "name", json_object_new_string(name)) ||
	    add_owned(p, "arguments",
		      args ? json_object_get(args)
			   : json_object_new_object()) ||
	    add_owned(meta, "progressToken",
		      json_object_new_int64(progress_token)))
		goto out_fail;
	if (json_object_object_add(p, "_meta", meta))
		goto out_fail;
	if (task_ttl_ms) {
		task = json_object_new_object();
		if (add_owned(p, "task", task) ||
		    add_owned(task, "ttl", json_object_new_int64(task_ttl_ms)))
			goto out_fail_p;
	}
	return p;
out_fail_p:
	json_object_put(p);
	return NULL;

out_fail:
	json_object_put(meta);
	json_object_put(p);
	return NULL;
}

/* ---- tools and results -------------------------------------------- */

int tx_mcp_tool_check(struct json_object *tool, const char **name, char *err,
		      size_t errlen)
{
	struct json_object *v;
	const char *s;
	size_t len;

	if (!json_object_is_type(tool, json_type_object)) {
		snprintf(err, errlen, "a tool must be an object");
		return -EINVAL;
	}
	if (!json_object_object_get_ex(tool, "name", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "\"name\" is missing or not a string");
		return -EINVAL;
	}
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len == 0 || len > TX_NAME_MAX || strlen(s) != len) {
		snprintf(err, errlen, "name of %zu bytes (1 to %d, no NUL)",
			 len, TX_NAME_MAX);
		return -EINVAL;
	}
	/* Control characters would break INDEX lines and file names. */
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			snprintf(err, errlen,
				 "name \"%.64s\" has a control "
				 "character",
				 s);
			return -EINVAL;
		}
	}
	*name = s;
	if (json_object_object_get_ex(tool, "inputSchema", &v) && v &&
	    !json_object_is_type(v, json_type_object)) {
		snprintf(err, errlen, "%s: \"inputSchema\" is not an object",
			 s);
		return -EINVAL;
	}
	if (json_object_object_get_ex(tool, "outputSchema", &v) && v &&
	    !json_object_is_type(v, json_type_object)) {
		snprintf(err, errlen, "%s: \"outputSchema\" is not an object",
			 s);
		return -EINVAL;
	}
	return 0;
}

int tx_mcp_error_errno(int code)
{
	/* Invalid params: the server refused the arguments. */
	return code == -32602 ? EINVAL : EIO;
}

struct tx_result *tx_mcp_result_from(struct json_object *result, char *err,
				     size_t errlen)
{
	struct tx_result *r;
	struct json_object *content = NULL;
	struct json_object *v;
	size_t n;

	if (!json_object_is_type(result, json_type_object)) {
		snprintf(err, errlen, "the call's result is not an object");
		errno = EINVAL;
		return NULL;
	}
	if (json_object_object_get_ex(result, "content", &content) && content &&
	    !json_object_is_type(content, json_type_array)) {
		snprintf(err, errlen, "\"content\" is not an array");
		errno = EINVAL;
		return NULL;
	}
	n = content ? json_object_array_length(content) : 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *b = json_object_array_get_idx(content, i);

		if (!json_object_is_type(b, json_type_object) ||
		    !json_object_object_get_ex(b, "type", &v) ||
		    !json_object_is_type(v, json_type_string)) {
			snprintf(err, errlen,
				 "content[%zu] is not a content block", i);
			errno = EINVAL;
			return NULL;
		}
	}
	r = tx_result_new();
	if (!r) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *b = json_object_array_get_idx(content, i);

		/* The block moves to the result; the message that held it
		 * is released by this thread right after, so the json-c
		 * reference count is never shared between threads. */
		if (tx_result_add_block(r, json_object_get(b))) {
			tx_result_free(r);
			snprintf(err, errlen, "out of memory");
			errno = ENOMEM;
			return NULL;
		}
	}
	if (json_object_object_get_ex(result, "structuredContent", &v) && v)
		tx_result_set_structured(r, json_object_get(v));
	if (json_object_object_get_ex(result, "isError", &v) &&
	    json_object_is_type(v, json_type_boolean))
		tx_result_set_is_error(r, json_object_get_boolean(v));
	return r;
}
