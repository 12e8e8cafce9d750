/*
 * argbuf.c - call arguments parsed as they are written.
 *
 * A writer may send its JSON in pieces of any size (a pipe delivers at
 * most 4 KiB at a time), yet a malformed document must fail the very
 * write() that makes it malformed, so that `echo` reports the error.
 * json-c's tokener is incremental; around it sits a small lexical pass
 * that refuses what json-c's strict mode still accepts (single quotes,
 * NaN, control characters in strings) and checks UTF-8 as bytes arrive.
 *
 * The object the tokener builds is the call's one parse: it is kept,
 * checked in place (tx_engine_check_argbuf) and handed to the job
 * (tx_job_start_argbuf), never printed and parsed again.
 */
#include "toolexecfs/toolexec.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/args.h"
#include "util/buf.h"
#include "util/jsonu.h"

enum ab_state {
	AB_START, /* only whitespace so far */
	AB_BODY,  /* inside the object */
	AB_DONE,  /* the object is complete */
	AB_FAILED,
};

struct tx_argbuf {
	struct tx_buf text;
	struct json_tokener *tok;
	enum ab_state state;
	int err;          /* errno once FAILED */
	char msg[256];    /* reason once FAILED */
	size_t utf8_done; /* bytes of text checked as UTF-8 */
	bool in_string;
	bool escape;
	const char *lit; /* literal being matched, or NULL */
	size_t depth;    /* brackets open outside strings */
	bool closed;     /* the outermost bracket closed: the value ended */
	size_t lit_pos;
	struct tx_args args; /* DONE: the object, and what checked it */
};

struct tx_argbuf *tx_argbuf_new(void)
{
	struct tx_argbuf *ab = calloc(1, sizeof(*ab));

	if (!ab)
		return NULL;
	tx_buf_init(&ab->text, TX_ARGS_MAX);
	ab->tok = json_tokener_new_ex(TX_JSON_DEPTH_MAX);
	if (!ab->tok) {
		free(ab);
		errno = ENOMEM;
		return NULL;
	}
	json_tokener_set_flags(ab->tok, JSON_TOKENER_STRICT);
	return ab;
}

void tx_argbuf_free(struct tx_argbuf *ab)
{
	if (!ab)
		return;
	tx_buf_release(&ab->text);
	if (ab->tok)
		json_tokener_free(ab->tok);
	tx_args_release(&ab->args);
	free(ab);
}

static int ab_fail(struct tx_argbuf *ab, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int ab_fail(struct tx_argbuf *ab, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ab->msg, sizeof(ab->msg), fmt, ap);
	va_end(ap);
	ab->state = AB_FAILED;
	ab->err = err;
	return -err;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A byte no JSON text may hold there; at is its place in the text. */
static int ab_bad(struct tx_argbuf *ab, size_t at)
{
	if (ab->closed)
		return ab_fail(
			ab, EINVAL,
			"unexpected text after the JSON object at byte %zu",
			at);
	return ab_fail(ab, EINVAL,
		       "invalid JSON at byte %zu: unexpected character", at);
}

/* The lexical pass over new bytes; offset is their place in the text. */
static int ab_lex(struct tx_argbuf *ab, const char *p, size_t n, size_t offset)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (ab->in_string) {
			if (ab->escape)
				ab->escape = false;
			else if (c == '\\')
				ab->escape = true;
			else if (c == '"')
				ab->in_string = false;
			else if (c < 0x20)
				return ab_fail(
					ab, EINVAL,
					"invalid JSON at byte %zu: control character in a string",
					offset + i);
			continue;
		}
		if (ab->lit) {
			if (c != (unsigned char)ab->lit[ab->lit_pos])
				return ab_bad(ab, offset + i);
			if (!ab->lit[++ab->lit_pos])
				ab->lit = NULL;
			continue;
		}
		if (ab->state == AB_START && !is_space((char)c)) {
			/* An array is parsed too: the chain takes a bare
			 * array of steps, and every other tool's check
			 * says it wants an object. */
			if (c != '{' && c != '[')
				return ab_fail(
					ab, EINVAL,
					"arguments must be a JSON object, starting with '{'");
			ab->state = AB_BODY;
		}
		if (ab->closed && !is_space((char)c))
			return ab_bad(ab, offset + i);
		if (c == '"') {
			ab->in_string = true;
		} else if (c == '{' || c == '[') {
			ab->depth++;
		} else if ((c == '}' || c == ']') && ab->depth) {
			ab->closed = --ab->depth == 0;
		} else if (c == 't' || c == 'f' || c == 'n') {
			ab->lit = c == 't'   ? "true"
				  : c == 'f' ? "false"
					     : "null";
			ab->lit_pos = 1;
		} else if (!c || !strchr("{}[],: \t\r\n0123456789-+.eE", c)) {
			return ab_bad(ab, offset + i);
		}
	}
	return 0;
}

/* Checks the UTF-8 of every complete character received so far. */
static int ab_utf8(struct tx_argbuf *ab)
{
	const unsigned char *t = (const unsigned char *)ab->text.data;
	size_t end = ab->text.len;

	/* Leave a trailing, still incomplete sequence for the next write. */
	for (size_t back = 1; back <= 3 && back <= end - ab->utf8_done;
	     back++) {
		unsigned char c = t[end - back];
		size_t need;

		if ((c & 0xc0) == 0x80)
			continue;
		need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		if (need > back)
			end -= back;
		break;
	}
	if (!tx_utf8_valid(ab->text.data + ab->utf8_done, end - ab->utf8_done))
		return ab_fail(ab, EINVAL, "the arguments are not valid UTF-8");
	ab->utf8_done = end;
	return 0;
}

int tx_argbuf_feed(struct tx_argbuf *ab, const char *buf, size_t len, char *err,
		   size_t errlen)
{
	size_t offset = ab->text.len;
	struct json_object *obj;
	enum json_tokener_error jerr;
	int rc;

	if (ab->state == AB_FAILED)
		goto out_err;
	if (!len)
		return 0;
	rc = tx_buf_add(&ab->text, buf, len);
	if (rc) {
		if (rc == -EFBIG)
			ab_fail(ab, EFBIG, "arguments are larger than %d bytes",
				TX_ARGS_MAX);
		else
			ab_fail(ab, ENOMEM, "out of memory");
		goto out_err;
	}
	if (ab->state == AB_DONE) {
		for (size_t i = 0; i < len; i++)
			if (!is_space(buf[i])) {
				ab_fail(ab, EINVAL,
					"unexpected text after the JSON object at byte %zu",
					offset + i);
				goto out_err;
			}
		return 0;
	}
	if (ab_lex(ab, buf, len, offset) || ab_utf8(ab))
		goto out_err;
	if (ab->state == AB_START)
		return 0;
	if (ab->state == AB_BODY && ab->tok) {
		obj = json_tokener_parse_ex(ab->tok, buf, (int)len);
		jerr = json_tokener_get_error(ab->tok);
		if (jerr == json_tokener_continue)
			return 0;
		if (jerr != json_tokener_success) {
			ab_fail(ab, EINVAL, "invalid JSON at byte %zu: %s",
				offset + json_tokener_get_parse_end(ab->tok),
				jerr == json_tokener_error_depth
					? "nested too deeply"
					: json_tokener_error_desc(jerr));
			goto out_err;
		}
		tx_json_parse_counted();
		ab->args.obj = obj;
		ab->state = AB_DONE;
		for (size_t i = json_tokener_get_parse_end(ab->tok); i < len;
		     i++)
			if (!is_space(buf[i])) {
				ab_fail(ab, EINVAL,
					"unexpected text after the JSON object at byte %zu",
					offset + i);
				goto out_err;
			}
		json_tokener_free(ab->tok);
		ab->tok = NULL;
	}
	return 0;
out_err:
	snprintf(err, errlen, "%s", ab->msg);
	return -ab->err;
}

bool tx_argbuf_complete(const struct tx_argbuf *ab)
{
	return ab->state == AB_DONE;
}

bool tx_argbuf_empty(const struct tx_argbuf *ab)
{
	return ab->state == AB_START;
}

size_t tx_argbuf_size(const struct tx_argbuf *ab)
{
	return ab->text.len;
}

const char *tx_argbuf_text(const struct tx_argbuf *ab)
{
	return ab->text.data ? ab->text.data : "";
}

struct tx_args *tx_argbuf_args(struct tx_argbuf *ab)
{
	return ab->state == AB_DONE ? &ab->args : NULL;
}

int tx_argbuf_take(struct tx_argbuf *ab, struct tx_args *out)
{
	*out = (struct tx_args){ 0 };
	if (ab->state != AB_DONE)
		return -EINVAL;
	*out = ab->args;
	ab->args = (struct tx_args){ 0 };
	out->text = tx_buf_detach(&ab->text, &out->len);
	ab->state = AB_START;
	ab->utf8_done = 0;
	ab->depth = 0;
	ab->closed = false;
	if (!out->text) {
		tx_args_release(out);
		return -ENOMEM;
	}
	return 0;
}
