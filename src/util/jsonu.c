/*
 * jsonu.c - strict JSON parsing and printing on top of json-c.
 */
#include "util/jsonu.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"

#include <pthread.h>

/*
 * A tokener allocates its parse stack (depth entries) up front; that
 * large allocation on every call showed up as the main cost of a small
 * call, so each thread keeps one tokener per common depth and resets it.
 */
static pthread_key_t tok_key;
static pthread_once_t tok_once = PTHREAD_ONCE_INIT;

static void tok_free(void *p)
{
	json_tokener_free(p);
}

static void tok_key_init(void)
{
	pthread_key_create(&tok_key, tok_free);
}

static struct json_tokener *tok_get(int max_depth)
{
	struct json_tokener *tok;

	if (max_depth != 64)
		return json_tokener_new_ex(max_depth);
	pthread_once(&tok_once, tok_key_init);
	tok = pthread_getspecific(tok_key);
	if (tok) {
		pthread_setspecific(tok_key, NULL);
		json_tokener_reset(tok);
		return tok;
	}
	return json_tokener_new_ex(max_depth);
}

static void tok_put(struct json_tokener *tok, int max_depth)
{
	if (max_depth == 64 && !pthread_getspecific(tok_key)) {
		pthread_setspecific(tok_key, tok);
		return;
	}
	json_tokener_free(tok);
}

bool tx_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;

	while (p < end) {
		unsigned c = *p;
		size_t n;
		unsigned cp;

		if (c < 0x80) {
			p++;
			/* ASCII, the bulk of every configuration file, a
			 * word at a time. */
			while (end - p >= 8) {
				uint64_t w;

				memcpy(&w, p, sizeof(w));
				if (w & 0x8080808080808080ULL)
					break;
				p += 8;
			}
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if ((size_t)(end - p) <= n)
			return false;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* Overlong forms, surrogates and past U+10FFFF. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		p += n + 1;
	}
	return true;
}

static bool only_space(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			return false;
	return true;
}

/*
 * json-c's strict mode still takes single-quoted strings, NaN, Infinity
 * and raw control characters inside strings.  This pass refuses them
 * before the tokenizer sees the text: outside strings only structural
 * characters, number characters and the three literals may appear.
 */
/* The bytes that may stand outside strings and literals (a table: this
 * runs over every byte of every configuration file). */
static const bool json_lex_plain[256] = {
	['{'] = true, ['}'] = true, ['['] = true,  [']'] = true,  [','] = true,
	[':'] = true, [' '] = true, ['\t'] = true, ['\r'] = true, ['\n'] = true,
	['0'] = true, ['1'] = true, ['2'] = true,  ['3'] = true,  ['4'] = true,
	['5'] = true, ['6'] = true, ['7'] = true,  ['8'] = true,  ['9'] = true,
	['-'] = true, ['+'] = true, ['.'] = true,  ['e'] = true,  ['E'] = true,
};

static int json_lex_check(const char *buf, size_t len, char *err, size_t errlen)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '"') {
			for (i++; i < len && buf[i] != '"'; i++) {
				if ((unsigned char)buf[i] < 0x20) {
					snprintf(
						err, errlen,
						"invalid JSON at byte %zu: control character in a string",
						i);
					return -EINVAL;
				}
				if (buf[i] == '\\')
					i++;
			}
			i++;
			continue;
		}
		if (c == 't' || c == 'f' || c == 'n') {
			static const char *const lits[] = { "true", "false",
							    "null" };
			size_t n = 0;

			for (unsigned k = 0; k < 3 && !n; k++) {
				size_t l = strlen(lits[k]);

				if (len - i >= l &&
				    !memcmp(buf + i, lits[k], l))
					n = l;
			}
			if (!n)
				goto out_bad;
			i += n;
			continue;
		}
		if (json_lex_plain[c])
			i++;
		else
			goto out_bad;
	}
	return 0;
out_bad:
	snprintf(err, errlen, "invalid JSON at byte %zu: unexpected character",
		 i);
	return -EINVAL;
}

static atomic_ullong parses;

unsigned long long tx_json_parses(void)
{
	return atomic_load_explicit(&parses, memory_order_relaxed);
}

void tx_json_parse_counted(void)
{
	atomic_fetch_add_explicit(&parses, 1, memory_order_relaxed);
}

struct json_object *tx_json_parse(const char *buf, size_t len, int max_depth,
				  char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *obj = NULL;
	enum json_tokener_error jerr;
	size_t end;

	tx_json_parse_counted();
	err[0] = '\0';
	if (memchr(buf, '\0', len)) {
		snprintf(err, errlen, "a NUL byte is not allowed in JSON text");
		return NULL;
	}
	if (!tx_utf8_valid(buf, len)) {
		snprintf(err, errlen, "the text is not valid UTF-8");
		return NULL;
	}
	if (only_space(buf, len)) {
		snprintf(err, errlen, "empty document");
		return NULL;
	}
	if (json_lex_check(buf, len, err, errlen))
		return NULL;
	tok = tok_get(max_depth);
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		/* A bare number at the very end needs a delimiter to finish. */
		obj = json_tokener_parse_ex(tok, " ", 1);
		jerr = json_tokener_get_error(tok);
		end = len;
	} else {
		end = json_tokener_get_parse_end(tok);
	}
	if (jerr == json_tokener_continue) {
		snprintf(err, errlen, "unexpected end of JSON text");
		goto out_fail;
	}
	if (jerr != json_tokener_success) {
		snprintf(err, errlen, "invalid JSON at byte %zu: %s",
			 json_tokener_get_parse_end(tok),
			 json_tokener_error_desc(jerr));
		goto out_fail;
	}
	if (end < len && !only_space(buf + end, len - end)) {
		snprintf(err, errlen,
			 "unexpected text after the JSON value at byte %zu",
			 end);
		goto out_fail;
	}
	tok_put(tok, max_depth);
	return obj;

out_fail:
	json_object_put(obj);
	tok_put(tok, max_depth);
	if (!err[0])
		snprintf(err, errlen, "invalid JSON");
	return NULL;
}

struct json_object *tx_json_parse_file(const char *path, size_t max_bytes,
				       int max_depth, char *err, size_t errlen)
{
	struct json_object *obj = NULL;
	struct tx_buf b;
	char chunk[65536];
	ssize_t n;
	int fd;

	tx_buf_init(&b, max_bytes);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read: %s",
				 strerror(errno));
			goto out_close;
		}
		if (n == 0)
			break;
		if (tx_buf_add(&b, chunk, (size_t)n)) {
			snprintf(err, errlen, "file is larger than %zu bytes",
				 max_bytes);
			goto out_close;
		}
	}
	obj = tx_json_parse(b.data ? b.data : "", b.len, max_depth, err,
			    errlen);
out_close:
	close(fd);
	tx_buf_release(&b);
	return obj;
}

static char *json_text(struct json_object *o, int flags)
{
	bool nl = flags & JSON_C_TO_STRING_PRETTY;
	const char *s;
	size_t len;
	char *out;

	s = json_object_to_json_string_ext(
		o, flags | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return NULL;
	/* Exactly sized: tools keep these texts for their life. */
	len = strlen(s);
	out = malloc(len + nl + 1);
	if (!out)
		return NULL;
	memcpy(out, s, len);
	if (nl)
		out[len++] = '\n';
	out[len] = '\0';
	return out;
}

/*
 * json-c's printer formats integers with snprintf, appends through a
 * print buffer it keeps inside the object, and copies the result out:
 * for the compact text of every tool's schema at start-up, that was most
 * of the cost of building a tool.  This writes the same bytes as
 * JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE straight into
 * the caller's buffer and leaves the tree untouched.  Doubles keep the
 * text they were parsed from, which only json-c knows: they, and
 * integers past INT64_MAX, are -ENOTSUP (the caller prints with json-c).
 */
static int compact_str(struct tx_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0;
	int rc = tx_buf_add(b, "\"", 1);

	for (size_t i = 0; !rc && i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = { '\\', 0, '0', '0', 0, 0 };
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		switch (c) {
		case '\b':
			esc[1] = 'b';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		default:
			esc[1] = 'u';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		rc = tx_buf_add(b, s + start, i - start);
		if (!rc)
			rc = tx_buf_add(b, esc, n);
		start = i + 1;
	}
	if (!rc)
		rc = tx_buf_add(b, s + start, len - start);
	return rc ? rc : tx_buf_add(b, "\"", 1);
}

static int compact_value(struct tx_buf *b, struct json_object *o)
{
	char num[24];
	int64_t v;
	int rc = 0;

	switch (json_object_get_type(o)) {
	case json_type_null:
		return tx_buf_add(b, "null", 4);
	case json_type_boolean:
		return json_object_get_boolean(o) ? tx_buf_add(b, "true", 4)
						  : tx_buf_add(b, "false", 5);
	case json_type_int: {
		uint64_t u;
		size_t n = sizeof(num);

		v = json_object_get_int64(o);
		if (v == INT64_MAX)
			return -ENOTSUP; /* perhaps a uint64 */
		u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
		do {
			num[--n] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (v < 0)
			num[--n] = '-';
		return tx_buf_add(b, num + n, sizeof(num) - n);
	}
	case json_type_double:
		return -ENOTSUP;
	case json_type_string:
		return compact_str(b, json_object_get_string(o),
				   (size_t)json_object_get_string_len(o));
	case json_type_array: {
		size_t n = json_object_array_length(o);

		rc = tx_buf_add(b, "[", 1);
		for (size_t i = 0; !rc && i < n; i++) {
			struct json_object *e = json_object_array_get_idx(o, i);

			if (i)
				rc = tx_buf_add(b, ",", 1);
			if (!rc)
				rc = e ? compact_value(b, e)
				       : tx_buf_add(b, "null", 4);
		}
		return rc ? rc : tx_buf_add(b, "]", 1);
	}
	case json_type_object: {
		bool first = true;

		rc = tx_buf_add(b, "{", 1);
		json_object_object_foreach(o, key, val)
		{
			if (rc)
				break;
			if (!first)
				rc = tx_buf_add(b, ",", 1);
			first = false;
			if (!rc)
				rc = compact_str(b, key, strlen(key));
			if (!rc)
				rc = tx_buf_add(b, ":", 1);
			if (!rc)
				rc = val ? compact_value(b, val)
					 : tx_buf_add(b, "null", 4);
		}
		return rc ? rc : tx_buf_add(b, "}", 1);
	}
	}
	return -ENOTSUP;
}

int tx_json_compact_to(struct tx_buf *b, const struct json_object *o)
{
	size_t len = b->len;
	int rc;

	rc = o ? compact_value(b, (struct json_object *)o)
	       : tx_buf_add(b, "null", 4);
	if (rc) {
		/* Nothing half-written is left behind. */
		b->len = len;
		if (b->data)
			b->data[len] = '\0';
	}
	return rc;
}

char *tx_json_pretty(struct json_object *o)
{
	return json_text(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
}

char *tx_json_compact(struct json_object *o)
{
	struct tx_buf b;
	int rc;

	tx_buf_init(&b, 0);
	rc = tx_json_compact_to(&b, o);
	if (rc) {
		tx_buf_release(&b);
		return rc == -ENOTSUP ? json_text(o, JSON_C_TO_STRING_PLAIN)
				      : NULL;
	}
	return tx_buf_detach(&b, NULL);
}

const char *tx_json_type_name(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "boolean";
	case json_type_double:
		return "number";
	case json_type_int:
		return "integer";
	case json_type_object:
		return "object";
	case json_type_array:
		return "array";
	case json_type_string:
		return "string";
	}
	return "unknown";
}

struct json_object *tx_json_copy(const struct json_object *o)
{
	struct json_object *dst = NULL;

	if (!o)
		return NULL;
	if (json_object_deep_copy((struct json_object *)o, &dst, NULL) < 0)
		return NULL;
	return dst;
}
