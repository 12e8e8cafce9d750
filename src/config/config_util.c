/*
 * config_util.c - the configuration parser's plumbing: JSON paths for
 * messages, typed getters that say exactly what is wrong and where, the
 * unknown-key check with its "did you mean" hint, string vectors.
 */
#include "config/config_i.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys longer than this are shortened in paths and messages. */
#define KEY_SHOW_MAX 48

/* Cuts s to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

static bool is_ident(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_' || *s == '$'))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-' ||
		      *s == '$'))
			return false;
	return true;
}

static void path_append(struct tx_cfg *c, const char *s, size_t n)
{
	size_t room = sizeof(c->path) - c->pathlen - 1;

	if (c->pathlen >= sizeof(c->path) - 4)
		return;
	if (n > room - 3) {
		/* Too deep to show in full: mark the cut once. */
		memcpy(c->path + c->pathlen, "...", 3);
		c->pathlen += 3;
		c->path[c->pathlen] = '\0';
		return;
	}
	memcpy(c->path + c->pathlen, s, n);
	c->pathlen += n;
	c->path[c->pathlen] = '\0';
}

size_t tx_cfg_push_key(struct tx_cfg *c, const char *key)
{
	size_t mark = c->pathlen;
	size_t klen = strlen(key);
	size_t show = utf8_cut(key, klen, KEY_SHOW_MAX);
	char tmp[KEY_SHOW_MAX * 2 + 16];
	int n;

	if (is_ident(key) && show == klen) {
		/* Every key of every tool is pushed: no printf here. */
		tmp[0] = '.';
		memcpy(tmp + 1, key, klen);
		n = (int)klen + 1;
	} else {
		/* Keys that are not identifiers get the bracket form; quotes
		 * and backslashes in them are shown escaped. */
		size_t o = 0;

		tmp[o++] = '[';
		tmp[o++] = '"';
		for (size_t i = 0; i < show && o < sizeof(tmp) - 8; i++) {
			unsigned char ch = (unsigned char)key[i];

			if (ch == '"' || ch == '\\')
				tmp[o++] = '\\';
			tmp[o++] = ch < 0x20 ? '?' : (char)ch;
		}
		if (show < klen) {
			memcpy(tmp + o, "...", 3);
			o += 3;
		}
		tmp[o++] = '"';
		tmp[o++] = ']';
		tmp[o] = '\0';
		n = (int)o;
	}
	path_append(c, tmp, (size_t)n);
	return mark;
}

size_t tx_cfg_push_index(struct tx_cfg *c, size_t i)
{
	size_t mark = c->pathlen;
	char tmp[32];
	size_t n = sizeof(tmp);

	/* "[i]", written from the end. */
	tmp[--n] = ']';
	do {
		tmp[--n] = (char)('0' + i % 10);
		i /= 10;
	} while (i);
	tmp[--n] = '[';
	path_append(c, tmp + n, sizeof(tmp) - n);
	return mark;
}

void tx_cfg_pop(struct tx_cfg *c, size_t mark)
{
	if (mark < sizeof(c->path)) {
		c->pathlen = mark;
		c->path[mark] = '\0';
	}
}

int tx_cfg_error(struct tx_cfg *c, const char *fmt, ...)
{
	unsigned nth = c->nerrors++;
	size_t used;
	va_list ap;
	int n;

	if (!c->err || c->errlen == 0 || nth > TX_CFG_ERRORS_MAX)
		return -EINVAL;
	/* Each error on a line of its own, after those found before. */
	used = nth ? strnlen(c->err, c->errlen) : 0;
	if (used + 2 >= c->errlen)
		return -EINVAL; /* full: the first errors matter most */
	if (nth)
		c->err[used++] = '\n';
	if (nth == TX_CFG_ERRORS_MAX) {
		/* One line stands for the rest; tx_cfg_finish counts them. */
		snprintf(c->err + used, c->errlen - used, "%s: ...", c->name);
		return -EINVAL;
	}
	n = snprintf(c->err + used, c->errlen - used, "%s: %s: ", c->name,
		     c->pathlen ? c->path : "$");
	if (n < 0 || (size_t)n >= c->errlen - used)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + used + (size_t)n, c->errlen - used - (size_t)n, fmt,
		  ap);
	va_end(ap);
	return -EINVAL;
}

void tx_cfg_finish(struct tx_cfg *c)
{
	size_t used;
	char *last;

	if (!c->err || c->errlen == 0 || c->nerrors <= TX_CFG_ERRORS_MAX)
		return;
	/* Replace the placeholder line with the count it stands for. */
	used = strnlen(c->err, c->errlen);
	last = memrchr(c->err, '\n', used);
	if (!last)
		return;
	snprintf(last + 1, c->errlen - (size_t)(last + 1 - c->err),
		 "%s: ... and %u more errors", c->name,
		 c->nerrors - TX_CFG_ERRORS_MAX);
}

/* ------------------------------------------------------------------ */
/* Unknown keys                                                         */

/* Lower case without '_' and '-': "inputSchema" ~ "input_schema". */
static void fold_key(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *s && o + 1 < outlen; s++) {
		if (*s == '_' || *s == '-')
			continue;
		out[o++] = (char)tolower((unsigned char)*s);
	}
	out[o] = '\0';
}

/* Levenshtein distance, capped: returns limit + 1 when larger. */
static size_t edit_distance(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];

	if (la >= 64 || lb >= 63)
		return limit + 1;
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* Words other programs use for our keys. */
static const char *const aliases[][2] = {
	{ "args", "command" },
	{ "argv", "command" },
	{ "cmd", "command" },
	{ "exec", "command" },
	{ "timeout", "timeout_ms" },
	{ "schema", "input_schema" },
	{ "parameters", "input_schema" },
	{ "params", "input_schema" },
	{ "inputschema", "input_schema" },
	{ "outputschema", "output_schema" },
	{ "servers", "mcpServers" },
	{ "mcp_servers", "mcpServers" },
	{ "ns", "namespace" },
	{ "id", "name" },
	{ "environment", "env" },
	{ "workdir", "cwd" },
	{ "dir", "cwd" },
	{ "input", "stdin" },
	{ "max_output", "max_output_bytes" },
	{ "max_stderr", "max_stderr_bytes" },
};

static const char *suggest(const char *key, const char *const *known)
{
	char fk[128], fc[128];
	const char *best = NULL;
	size_t best_d = 3;

	fold_key(key, fk, sizeof(fk));
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcmp(fk, aliases[i][0]) && strcmp(key, aliases[i][0]))
			continue;
		for (size_t k = 0; known[k]; k++)
			if (!strcmp(known[k], aliases[i][1]))
				return known[k];
	}
	for (size_t k = 0; known[k]; k++) {
		size_t d;

		fold_key(known[k], fc, sizeof(fc));
		if (!strcmp(fk, fc))
			return known[k];
		/* Short keys match too much at distance 2. */
		d = edit_distance(fk, fc, strlen(fc) <= 4 ? 1 : 2);
		if (d < best_d && d <= (strlen(fc) <= 4 ? 1u : 2u)) {
			best_d = d;
			best = known[k];
		}
	}
	return best;
}

static bool in_list(const char *key, const char *const *list)
{
	for (size_t i = 0; list && list[i]; i++)
		if (!strcmp(key, list[i]))
			return true;
	return false;
}

int tx_cfg_check_keys(struct tx_cfg *c, struct json_object *obj,
		      const char *const *known, const char *const *ignored)
{
	int rc = 0;

	json_object_object_foreach(obj, key, val)
	{
		const char *hint;
		size_t mark;

		(void)val;
		if (in_list(key, known) || in_list(key, ignored))
			continue;
		mark = tx_cfg_push_key(c, key);
		hint = suggest(key, known);
		if (hint)
			rc = tx_cfg_error(
				c, "unknown key (did you mean \"%s\"?)", hint);
		else
			rc = tx_cfg_error(c, "unknown key");
		tx_cfg_pop(c, mark);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Typed getters                                                        */

int tx_cfg_check_string(struct tx_cfg *c, struct json_object *v, bool nonempty)
{
	size_t len;

	if (!json_object_is_type(v, json_type_string))
		return tx_cfg_error(
			c, "expected a string, got %s",
			v ? json_type_to_name(json_object_get_type(v))
			  : "null");
	len = (size_t)json_object_get_string_len(v);
	if (memchr(json_object_get_string(v), '\0', len))
		return tx_cfg_error(c, "string contains a NUL byte (\\u0000)");
	if (nonempty && len == 0)
		return tx_cfg_error(c, "must not be empty");
	return 0;
}

int tx_cfg_get_string(struct tx_cfg *c, struct json_object *obj,
		      const char *key, bool required, bool nonempty, char **out)
{
	struct json_object *v;
	size_t mark, len;
	int rc;

	if (!json_object_object_get_ex(obj, key, &v)) {
		if (!required)
			return 0;
		return tx_cfg_error(c, "missing required key \"%s\"", key);
	}
	mark = tx_cfg_push_key(c, key);
	rc = tx_cfg_check_string(c, v, nonempty);
	tx_cfg_pop(c, mark);
	if (rc)
		return rc;
	free(*out);
	/* The length is known (and checked free of NUL bytes). */
	len = (size_t)json_object_get_string_len(v);
	*out = malloc(len + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, json_object_get_string(v), len + 1);
	return 0;
}

int tx_cfg_get_uint(struct tx_cfg *c, struct json_object *obj, const char *key,
		    unsigned long long min, unsigned long long max,
		    unsigned long long *out)
{
	struct json_object *v;
	size_t mark;
	int rc = 0;
	int64_t n;

	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	mark = tx_cfg_push_key(c, key);
	if (!json_object_is_type(v, json_type_int)) {
		rc = tx_cfg_error(c, "expected an integer, got %s",
				  v ? json_type_to_name(json_object_get_type(v))
				    : "null");
		goto out;
	}
	/* json-c keeps big positive values as uint64: get_int64 then
	 * saturates at INT64_MAX, which the check below refuses. */
	n = json_object_get_int64(v);
	if (n < 0 || (unsigned long long)n < min ||
	    (unsigned long long)n > max ||
	    (n == INT64_MAX && json_object_get_uint64(v) > (uint64_t)n)) {
		rc = tx_cfg_error(c, "must be an integer from %llu to %llu",
				  min, max);
		goto out;
	}
	*out = (unsigned long long)n;
out:
	tx_cfg_pop(c, mark);
	return rc;
}

int tx_cfg_get_bool(struct tx_cfg *c, struct json_object *obj, const char *key,
		    bool *out)
{
	struct json_object *v;
	size_t mark;
	int rc = 0;

	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	mark = tx_cfg_push_key(c, key);
	if (!json_object_is_type(v, json_type_boolean))
		rc = tx_cfg_error(c, "expected true or false, got %s",
				  v ? json_type_to_name(json_object_get_type(v))
				    : "null");
	else
		*out = json_object_get_boolean(v);
	tx_cfg_pop(c, mark);
	return rc;
}

int tx_cfg_get_strv(struct tx_cfg *c, struct json_object *obj, const char *key,
		    bool required, size_t max, char ***out, size_t *n)
{
	struct json_object *v;
	char **vec = NULL;
	size_t mark, len, i = 0;
	int rc = 0;

	if (!json_object_object_get_ex(obj, key, &v)) {
		if (required)
			return tx_cfg_error(c, "missing required key \"%s\"",
					    key);
		return 0;
	}
	mark = tx_cfg_push_key(c, key);
	if (!json_object_is_type(v, json_type_array)) {
		rc = tx_cfg_error(c, "expected an array of strings, got %s",
				  v ? json_type_to_name(json_object_get_type(v))
				    : "null");
		goto out;
	}
	len = json_object_array_length(v);
	if (len > max) {
		rc = tx_cfg_error(c, "too many elements (%zu; at most %zu)",
				  len, max);
		goto out;
	}
	vec = calloc(len + 1, sizeof(*vec));
	if (!vec) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		size_t m = tx_cfg_push_index(c, i);

		rc = tx_cfg_check_string(c, e, false);
		tx_cfg_pop(c, m);
		if (rc)
			goto out;
		vec[i] = strdup(json_object_get_string(e));
		if (!vec[i]) {
			rc = -ENOMEM;
			goto out;
		}
	}
	tx_cfg_strv_free(*out);
	*out = vec;
	vec = NULL;
	if (n)
		*n = len;
out:
	tx_cfg_strv_free(vec);
	tx_cfg_pop(c, mark);
	return rc;
}

static bool env_key_ok(const char *k)
{
	return *k && !strchr(k, '=');
}

int tx_cfg_get_pairs(struct tx_cfg *c, struct json_object *obj, const char *key,
		     const char *sep, bool (*key_ok)(const char *k),
		     char ***out)
{
	struct json_object *v;
	char **vec = NULL;
	size_t mark, len, i = 0;
	int rc = 0;

	if (!key_ok)
		key_ok = env_key_ok;
	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	mark = tx_cfg_push_key(c, key);
	if (!json_object_is_type(v, json_type_object)) {
		rc = tx_cfg_error(c, "expected an object of strings, got %s",
				  v ? json_type_to_name(json_object_get_type(v))
				    : "null");
		goto out;
	}
	len = (size_t)json_object_object_length(v);
	vec = calloc(len + 1, sizeof(*vec));
	if (!vec) {
		rc = -ENOMEM;
		goto out;
	}
	json_object_object_foreach(v, k, val)
	{
		size_t m = tx_cfg_push_key(c, k);

		if (!key_ok(k)) {
			rc = tx_cfg_error(c, "not a valid name");
		} else {
			rc = tx_cfg_check_string(c, val, false);
			if (!rc && asprintf(&vec[i], "%s%s%s", k, sep,
					    json_object_get_string(val)) < 0) {
				vec[i] = NULL;
				rc = -ENOMEM;
			}
		}
		tx_cfg_pop(c, m);
		if (rc)
			goto out;
		i++;
	}
	tx_cfg_strv_free(*out);
	*out = vec;
	vec = NULL;
out:
	tx_cfg_strv_free(vec);
	tx_cfg_pop(c, mark);
	return rc;
}

bool tx_cfg_placeholder(const char *elem, const char **name, size_t *len)
{
	size_t n = strlen(elem);

	if (n < 3 || elem[0] != '{' || elem[n - 1] != '}')
		return false;
	if (!(isalpha((unsigned char)elem[1]) || elem[1] == '_'))
		return false;
	for (size_t i = 2; i < n - 1; i++)
		if (!(isalnum((unsigned char)elem[i]) || elem[i] == '_' ||
		      elem[i] == '-'))
			return false;
	if (name)
		*name = elem + 1;
	if (len)
		*len = n - 2;
	return true;
}

/* ------------------------------------------------------------------ */
/* String vectors                                                       */

char **tx_cfg_strv_dup(char *const *v)
{
	size_t n = 0;
	char **d;

	if (!v)
		return NULL;
	while (v[n])
		n++;
	d = calloc(n + 1, sizeof(*d));
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		d[i] = strdup(v[i]);
		if (!d[i]) {
			tx_cfg_strv_free(d);
			return NULL;
		}
	}
	return d;
}

void tx_cfg_strv_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

bool tx_cfg_strv_equal(char *const *a, char *const *b)
{
	size_t i = 0;

	/* NULL and an empty vector mean the same: nothing. */
	if (!a || !b)
		return (!a || !a[0]) && (!b || !b[0]);
	for (; a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return !a[i] && !b[i];
}
