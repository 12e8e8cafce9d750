/*
 * schema_value.c - structural comparison, hashing, copying and printing
 * of JSON values for the validator.
 *
 * Everything here only reads its arguments through json-c getters that do
 * not write: json_object_to_json_string() is never called because it
 * caches its output inside the object, and an instance or a schema's
 * source object may be read by several threads at once.  Numbers compare
 * by value (1 == 1.0), as JSON Schema requires for enum, const and
 * uniqueItems.
 */
#include "schema/schema_i.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

bool sx_is_integer(struct json_object *o)
{
	long double d;

	switch (json_object_get_type(o)) {
	case json_type_int:
		return true;
	case json_type_double:
		/* 1.0 is an integer since draft-06 (and per the suite). */
		d = json_object_get_double(o);
		return isfinite(d) && floorl(d) == d;
	default:
		return false;
	}
}

long double sx_number(struct json_object *o)
{
	int64_t i;

	if (json_object_get_type(o) == json_type_double)
		return json_object_get_double(o);
	/* json-c keeps integers as int64 or uint64; get_int64 clamps an
	 * unsigned value to INT64_MAX, so look again.  long double holds
	 * every 64-bit integer exactly on x86-64 and aarch64. */
	i = json_object_get_int64(o);
	if (i == INT64_MAX)
		return (long double)json_object_get_uint64(o);
	return (long double)i;
}

static bool is_number(struct json_object *o)
{
	enum json_type t = json_object_get_type(o);

	return t == json_type_int || t == json_type_double;
}

bool sx_json_equal(struct json_object *a, struct json_object *b, int depth)
{
	enum json_type ta = json_object_get_type(a);
	enum json_type tb = json_object_get_type(b);
	size_t i, n;

	if (depth > SX_MAX_SCHEMA_DEPTH * 4)
		return false;
	if (is_number(a) && is_number(b))
		return sx_number(a) == sx_number(b);
	if (ta != tb)
		return false;
	switch (ta) {
	case json_type_null:
		return true;
	case json_type_boolean:
		return json_object_get_boolean(a) == json_object_get_boolean(b);
	case json_type_string:
		n = (size_t)json_object_get_string_len(a);
		return n == (size_t)json_object_get_string_len(b) &&
		       memcmp(json_object_get_string(a),
			      json_object_get_string(b), n) == 0;
	case json_type_array:
		n = json_object_array_length(a);
		if (n != json_object_array_length(b))
			return false;
		for (i = 0; i < n; i++)
			if (!sx_json_equal(json_object_array_get_idx(a, i),
					   json_object_array_get_idx(b, i),
					   depth + 1))
				return false;
		return true;
	case json_type_object: {
		if (json_object_object_length(a) !=
		    json_object_object_length(b))
			return false;
		json_object_object_foreach(a, key, va)
		{
			struct json_object *vb;

			if (!json_object_object_get_ex(b, key, &vb))
				return false;
			if (!sx_json_equal(va, vb, depth + 1))
				return false;
		}
		return true;
	}
	default:
		return false;
	}
}

static uint64_t mix(uint64_t x)
{
	/* splitmix64 finalizer */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t sx_json_hash(struct json_object *o, int depth)
{
	uint64_t h = 0;
	long double v;
	size_t i, n;

	if (depth > SX_MAX_SCHEMA_DEPTH * 4)
		return 0;
	switch (json_object_get_type(o)) {
	case json_type_null:
		return 1;
	case json_type_boolean:
		return json_object_get_boolean(o) ? 2 : 3;
	case json_type_int:
	case json_type_double: {
		double d;
		uint64_t bits;

		/* Equal values must hash alike whatever their json-c type. */
		v = sx_number(o);
		if (v == 0)
			return mix(4);
		if (floorl(v) == v && fabsl(v) < 9.2e18L)
			return mix((uint64_t)(int64_t)v ^ 5);
		d = (double)v;
		memcpy(&bits, &d, sizeof(bits));
		return mix(bits ^ 6);
	}
	case json_type_string:
		return mix(hash_bytes(json_object_get_string(o),
				      (size_t)json_object_get_string_len(o)) ^
			   7);
	case json_type_array:
		h = 8;
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			h = mix(h ^
				sx_json_hash(json_object_array_get_idx(o, i),
					     depth + 1));
		return h;
	case json_type_object: {
		/* Order-independent: a sum of per-member hashes. */
		h = 9;
		json_object_object_foreach(o, key, val)
		{
			h += mix(hash_bytes(key, strlen(key)) ^
				 (sx_json_hash(val, depth + 1) * 31));
		}
		return mix(h);
	}
	default:
		return 0;
	}
}

struct json_object *sx_json_clone(struct json_object *o, int depth)
{
	struct json_object *c = NULL, *e;
	size_t i, n;

	if (depth > SX_MAX_SCHEMA_DEPTH * 4)
		return NULL;
	switch (json_object_get_type(o)) {
	case json_type_null:
		return NULL;
	case json_type_boolean:
		return json_object_new_boolean(json_object_get_boolean(o));
	case json_type_int: {
		int64_t iv = json_object_get_int64(o);

		if (iv == INT64_MAX)
			return json_object_new_uint64(
				json_object_get_uint64(o));
		return json_object_new_int64(iv);
	}
	case json_type_double:
		return json_object_new_double(json_object_get_double(o));
	case json_type_string:
		return json_object_new_string_len(
			json_object_get_string(o),
			json_object_get_string_len(o));
	case json_type_array:
		c = json_object_new_array();
		n = json_object_array_length(o);
		for (i = 0; c && i < n; i++) {
			struct json_object *src =
				json_object_array_get_idx(o, i);

			e = sx_json_clone(src, depth + 1);
			if ((!e && src) || json_object_array_add(c, e) != 0) {
				json_object_put(e);
				json_object_put(c);
				return NULL;
			}
		}
		return c;
	case json_type_object:
		c = json_object_new_object();
		if (!c)
			return NULL;
		json_object_object_foreach(o, key, val)
		{
			e = sx_json_clone(val, depth + 1);
			if ((!e && val) ||
			    json_object_object_add(c, key, e) != 0) {
				json_object_put(e);
				json_object_put(c);
				return NULL;
			}
		}
		return c;
	default:
		return NULL;
	}
}

const char *sx_type_name(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "boolean";
	case json_type_int:
		return "integer";
	case json_type_double:
		return sx_is_integer(o) ? "integer" : "number";
	case json_type_string:
		return "string";
	case json_type_array:
		return "array";
	case json_type_object:
		return "object";
	default:
		return "value";
	}
}

size_t sx_utf8_length(const char *s, size_t len)
{
	size_t i, n = 0;

	/* Count every byte that does not continue a sequence: code points,
	 * as minLength/maxLength require (not bytes, not UTF-16 units). */
	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* A bounded writer: stops quietly at the end and marks the cut. */
struct pw {
	char *out;
	size_t len, cap;
	bool cut;
};

static void pw_add(struct pw *w, const char *s, size_t n)
{
	if (w->cut)
		return;
	if (w->len + n + 4 > w->cap) {
		/* Keep room for "..." and the NUL. */
		size_t room = w->cap > w->len + 4 ? w->cap - w->len - 4 : 0;

		memcpy(w->out + w->len, s, room);
		w->len += room;
		memcpy(w->out + w->len, "...", 4);
		w->len += 3;
		w->cut = true;
		return;
	}
	memcpy(w->out + w->len, s, n);
	w->len += n;
	w->out[w->len] = '\0';
}

static void pw_str(struct pw *w, const char *s, size_t n)
{
	char esc[8];
	size_t i;

	pw_add(w, "\"", 1);
	for (i = 0; i < n && !w->cut; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			esc[0] = '\\';
			esc[1] = (char)ch;
			pw_add(w, esc, 2);
		} else if (ch == '\n') {
			pw_add(w, "\\n", 2);
		} else if (ch < 0x20 || ch == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			pw_add(w, esc, 6);
		} else {
			pw_add(w, (const char *)&s[i], 1);
		}
	}
	pw_add(w, "\"", 1);
}

static void pw_number(struct pw *w, struct json_object *o)
{
	char num[48];
	int n;

	if (json_object_get_type(o) == json_type_int) {
		int64_t iv = json_object_get_int64(o);

		if (iv == INT64_MAX)
			n = snprintf(
				num, sizeof(num), "%llu",
				(unsigned long long)json_object_get_uint64(o));
		else
			n = snprintf(num, sizeof(num), "%lld", (long long)iv);
	} else {
		double d = json_object_get_double(o);

		/* Shortest of %.15g / %.17g that reads back the same. */
		n = snprintf(num, sizeof(num), "%.15g", d);
		if (strtod(num, NULL) != d)
			n = snprintf(num, sizeof(num), "%.17g", d);
	}
	pw_add(w, num, (size_t)n);
}

static void pw_value(struct pw *w, struct json_object *o, int depth)
{
	size_t i, n;
	bool first = true;

	if (w->cut)
		return;
	if (depth > 8) {
		pw_add(w, "...", 3);
		return;
	}
	switch (json_object_get_type(o)) {
	case json_type_null:
		pw_add(w, "null", 4);
		break;
	case json_type_boolean:
		if (json_object_get_boolean(o))
			pw_add(w, "true", 4);
		else
			pw_add(w, "false", 5);
		break;
	case json_type_int:
	case json_type_double:
		pw_number(w, o);
		break;
	case json_type_string:
		pw_str(w, json_object_get_string(o),
		       (size_t)json_object_get_string_len(o));
		break;
	case json_type_array:
		pw_add(w, "[", 1);
		n = json_object_array_length(o);
		for (i = 0; i < n && !w->cut; i++) {
			if (i)
				pw_add(w, ",", 1);
			pw_value(w, json_object_array_get_idx(o, i), depth + 1);
		}
		pw_add(w, "]", 1);
		break;
	case json_type_object:
		pw_add(w, "{", 1);
		json_object_object_foreach(o, key, val)
		{
			if (w->cut)
				break;
			if (!first)
				pw_add(w, ",", 1);
			first = false;
			pw_str(w, key, strlen(key));
			pw_add(w, ":", 1);
			pw_value(w, val, depth + 1);
		}
		pw_add(w, "}", 1);
		break;
	default:
		break;
	}
}

void sx_print_value(struct json_object *o, char *out, size_t outlen)
{
	struct pw w = { out, 0, outlen, false };

	if (outlen < 8) {
		if (outlen)
			out[0] = '\0';
		return;
	}
	out[0] = '\0';
	pw_value(&w, o, 0);
}

void sx_describe(struct json_object *o, char *out, size_t outlen)
{
	char val[64];
	enum json_type t = json_object_get_type(o);

	if (t == json_type_object || t == json_type_array) {
		snprintf(out, outlen, "%s", sx_type_name(o));
		return;
	}
	if (t == json_type_null) {
		snprintf(out, outlen, "null");
		return;
	}
	sx_print_value(o, val, sizeof(val));
	snprintf(out, outlen, "%s %s", sx_type_name(o), val);
}
