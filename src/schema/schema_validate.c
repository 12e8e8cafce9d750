/*
 * schema_validate.c - checking an instance against a compiled schema.
 *
 * The compiled schema is only read, and the instance is only read with
 * json-c getters that do not write (never json_object_to_json_string,
 * which caches its text inside the object), so any number of threads may
 * validate against one schema at once.  All per-call state lives in
 * struct vctx on the caller's stack.
 *
 * Each subschema is evaluated either "loud" (errors are reported, up to
 * max_errors) or "quiet" (only the verdict matters, first failure
 * returns): anyOf, oneOf, not, if and contains ask quiet questions, and
 * their own message stands for the branch errors.
 *
 * Hostile schemas are bounded three ways: a $ref that comes back to the
 * same subschema on the same value without consuming input is a loop and
 * fails at once; evaluation nesting is capped (SX_MAX_EVAL_DEPTH); and
 * the number of subschema evaluations per call is capped (SX_MAX_STEPS)
 * against exponential allOf/anyOf fan-out.  Hitting a limit fails the
 * validation with a message saying so - never a pass.
 */
#include "schema/schema.h"
#include "schema/schema_i.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seg {
	const char *key; /* NULL: array index */
	size_t idx;
};

struct vctx {
	const struct tx_schema *s;
	char *err;
	size_t errlen, used;
	unsigned nerr;
	bool full;  /* max_errors reached or err full */
	bool fatal; /* a limit was hit: invalid, stop */
	unsigned long steps;
	int depth;
	int npath;
	struct seg path[SX_MAX_EVAL_DEPTH + 1];
	int nrefs;
	struct {
		const struct sx_node *n;
		struct json_object *inst;
	} refs[SX_MAX_EVAL_DEPTH + 1];
};

/* ---- messages ------------------------------------------------------------ */

static void render_path(const struct vctx *c, char *out, size_t outlen)
{
	size_t n = 0;
	int i;

	/* "/" stands for the whole instance (the RFC 6901 pointer is ""),
	 * which reads better at the start of a message. */
	if (c->npath == 0) {
		snprintf(out, outlen, "/");
		return;
	}
	out[0] = '\0';
	for (i = 0; i < c->npath && n + 8 < outlen; i++) {
		const char *k = c->path[i].key;

		out[n++] = '/';
		if (!k) {
			n += (size_t)snprintf(out + n, outlen - n, "%zu",
					      c->path[i].idx);
			continue;
		}
		for (; *k && n + 5 < outlen; k++) {
			if (*k == '~' || *k == '/') {
				out[n++] = '~';
				out[n++] = *k == '~' ? '0' : '1';
			} else {
				out[n++] = *k;
			}
		}
		out[n] = '\0';
	}
	if (i < c->npath || n + 8 >= outlen)
		snprintf(out + (n < outlen - 4 ? n : outlen - 4), 4, "...");
}

static void add_line(struct vctx *c, const char *line)
{
	size_t len = strlen(line), room;

	if (c->errlen == 0)
		return;
	room = c->errlen - c->used - 1;
	if (c->used && room > 0) {
		c->err[c->used++] = '\n';
		room--;
	}
	if (len > room) {
		len = room;
		c->full = true;
	}
	memcpy(c->err + c->used, line, len);
	c->used += len;
	c->err[c->used] = '\0';
}

static void verror(struct vctx *c, const char *fmt, va_list ap)
{
	char path[200], msg[400], line[640];

	if (c->full)
		return;
	render_path(c, path, sizeof(path));
	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(line, sizeof(line), "%s: %s", path, msg);
	add_line(c, line);
	if (++c->nerr >= c->s->max_errors)
		c->full = true;
}

__attribute__((format(printf, 2, 3))) static void report(struct vctx *c,
							 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(c, fmt, ap);
	va_end(ap);
}

/* A limit was hit: always reported, even from a quiet branch. */
__attribute__((format(printf, 2, 3))) static void fatal(struct vctx *c,
							const char *fmt, ...)
{
	va_list ap;

	if (c->fatal)
		return;
	c->fatal = true;
	c->full = false; /* this line must get out */
	va_start(ap, fmt);
	verror(c, fmt, ap);
	va_end(ap);
	c->full = true;
}

/* Record a failure; in quiet mode or when no more errors are wanted the
 * caller returns at once. */
#define FAIL(...)                       \
	do {                            \
		ok = false;             \
		if (quiet || c->full)   \
			goto out;       \
		report(c, __VA_ARGS__); \
		if (c->full)            \
			goto out;       \
	} while (0)

/* A subschema's verdict: stop as FAIL does, without a message of ours. */
#define SUBFAIL()                                 \
	do {                                      \
		ok = false;                       \
		if (quiet || c->full || c->fatal) \
			goto out;                 \
	} while (0)

static void fmt_num(long double v, char *out, size_t outlen)
{
	double d = (double)v;

	if (floorl(v) == v && fabsl(v) < 1e19L)
		snprintf(out, outlen, "%.0Lf", v);
	else if (snprintf(out, outlen, "%.15g", d), strtod(out, NULL) != d)
		snprintf(out, outlen, "%.17g", d);
}

static void types_text(unsigned types, char *out, size_t outlen)
{
	/* "string or null" reads better than bit order. */
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ SX_T_STRING, "string" },   { SX_T_NUMBER, "number" },
		{ SX_T_INTEGER, "integer" }, { SX_T_BOOLEAN, "boolean" },
		{ SX_T_OBJECT, "object" },   { SX_T_ARRAY, "array" },
		{ SX_T_NULL, "null" },
	};
	size_t n = 0, i;
	bool first = true;

	out[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(types & names[i].bit))
			continue;
		n += (size_t)snprintf(out + n, outlen - n, "%s%s",
				      first ? "" : " or ", names[i].name);
		first = false;
		if (n >= outlen)
			break;
	}
	if (first)
		snprintf(out, outlen, "nothing");
}

/* ---- keyword groups ------------------------------------------------------ */

static bool v_node(struct vctx *c, const struct sx_node *n,
		   struct json_object *inst, bool quiet);

static bool v_child(struct vctx *c, const struct sx_node *n,
		    struct json_object *inst, const char *key, size_t idx,
		    bool quiet)
{
	bool ok;

	c->path[c->npath].key = key;
	c->path[c->npath].idx = idx;
	c->npath++;
	ok = v_node(c, n, inst, quiet);
	c->npath--;
	return ok;
}

static bool type_ok(unsigned types, struct json_object *inst)
{
	switch (json_object_get_type(inst)) {
	case json_type_null:
		return types & SX_T_NULL;
	case json_type_boolean:
		return types & SX_T_BOOLEAN;
	case json_type_object:
		return types & SX_T_OBJECT;
	case json_type_array:
		return types & SX_T_ARRAY;
	case json_type_string:
		return types & SX_T_STRING;
	case json_type_int:
		return types & (SX_T_NUMBER | SX_T_INTEGER);
	case json_type_double:
		return (types & SX_T_NUMBER) ||
		       ((types & SX_T_INTEGER) && sx_is_integer(inst));
	default:
		return false;
	}
}

static bool in_enum(const struct sx_node *n, struct json_object *inst)
{
	uint64_t h = sx_json_hash(inst, 0);
	size_t lo = 0, hi = n->x->nenum, i;

	while (lo < hi) { /* first index with hash >= h */
		size_t mid = lo + (hi - lo) / 2;

		if (n->x->enum_hash[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < n->x->nenum && n->x->enum_hash[i] == h; i++)
		if (sx_json_equal(n->x->enum_vals[i], inst, 0))
			return true;
	return false;
}

static void enum_text(const struct sx_node *n, char *out, size_t outlen)
{
	size_t i, len = 0;
	char v[64];

	out[0] = '\0';
	for (i = 0; i < n->x->nenum && i < 6 && len + 1 < outlen; i++) {
		sx_print_value(n->x->enum_vals[i], v, sizeof(v));
		len += (size_t)snprintf(out + len, outlen - len, "%s%s",
					i ? ", " : "", v);
	}
	if (i < n->x->nenum && len < outlen)
		snprintf(out + len, outlen - len, ", ... (%zu values)",
			 n->x->nenum);
}

static bool is_multiple(long double v, long double m)
{
	long double q, r;

	if (floorl(v) == v && floorl(m) == m)
		return fmodl(v, m) == 0; /* exact for integers */
	/* Decimal fractions are not exact in binary: 0.0075 / 0.0001 is
	 * 74.99999999999999 in doubles.  Accept a quotient within
	 * rounding error of an integer; the error grows with |q|. */
	q = v / m;
	if (!isfinite((double)q))
		return false;
	r = nearbyintl(q);
	return fabsl(q - r) <= fmaxl(1e-9L, fabsl(q) * 1e-15L);
}

static bool v_number(struct vctx *c, const struct sx_node *n,
		     struct json_object *inst, bool quiet)
{
	long double v = sx_number(inst);
	char a[48], b[48];
	bool ok = true;

#define NUMFAIL(cond, what, bound)            \
	if (cond) {                           \
		fmt_num(v, a, sizeof(a));     \
		fmt_num(bound, b, sizeof(b)); \
		FAIL("%s " what " %s", a, b); \
	}
	if (n->has & SX_HAS_MINIMUM)
		NUMFAIL(v < n->x->minimum, "is less than minimum",
			n->x->minimum);
	if (n->has & SX_HAS_MAXIMUM)
		NUMFAIL(v > n->x->maximum, "is greater than maximum",
			n->x->maximum);
	if (n->has & SX_HAS_EXMIN)
		NUMFAIL(v <= n->x->exmin,
			"is not greater than exclusiveMinimum", n->x->exmin);
	if (n->has & SX_HAS_EXMAX)
		NUMFAIL(v >= n->x->exmax, "is not less than exclusiveMaximum",
			n->x->exmax);
	if (n->has & SX_HAS_MULTIPLE)
		NUMFAIL(!is_multiple(v, n->x->multiple), "is not a multiple of",
			n->x->multiple);
#undef NUMFAIL
out:
	return ok;
}

static bool v_string(struct vctx *c, const struct sx_node *n,
		     struct json_object *inst, bool quiet)
{
	const char *s = json_object_get_string(inst);
	size_t len = (size_t)json_object_get_string_len(inst), cps;
	char val[80];
	bool ok = true;
	int rc;

	if (n->has & (SX_HAS_MINLEN | SX_HAS_MAXLEN)) {
		cps = sx_utf8_length(s, len);
		if ((n->has & SX_HAS_MINLEN) && cps < n->x->min_len)
			FAIL("string is shorter than minLength %zu (%zu "
			     "character%s)",
			     n->x->min_len, cps, cps == 1 ? "" : "s");
		if ((n->has & SX_HAS_MAXLEN) && cps > n->x->max_len)
			FAIL("string is longer than maxLength %zu (%zu "
			     "characters)",
			     n->x->max_len, cps);
	}
	if (n->x->pattern) {
		rc = sx_regex_match(n->x->pattern, s, len);
		if (rc == -E2BIG) {
			fatal(c,
			      "pattern \"%.60s\" hit the regex match limit "
			      "(too much backtracking); value rejected",
			      sx_regex_source(n->x->pattern));
			return false;
		}
		if (rc < 0) {
			fatal(c, "pattern \"%.60s\" cannot be matched: %s",
			      sx_regex_source(n->x->pattern),
			      rc == -EILSEQ ? "string is not valid UTF-8"
					    : strerror(-rc));
			return false;
		}
		if (rc == 0) {
			sx_print_value(inst, val, sizeof(val));
			FAIL("%s does not match pattern \"%.80s\"", val,
			     sx_regex_source(n->x->pattern));
		}
	}
	if (n->x->format >= 0 && c->s->assert_format &&
	    !sx_format_check(n->x->format, s, len)) {
		sx_print_value(inst, val, sizeof(val));
		FAIL("%s is not a valid %s (format)", val, n->x->format_name);
	}
out:
	return ok;
}

struct hidx {
	uint64_t h;
	size_t i;
};

static int cmp_hidx(const void *a, const void *b)
{
	const struct hidx *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* First pair of equal items, by hashing; false when all are unique. */
static bool find_duplicate(struct json_object *arr, size_t n, size_t *a,
			   size_t *b, bool *nomem)
{
	struct hidx *h;
	size_t i, j;

	*nomem = false;
	if (n <= 16) {
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (sx_json_equal(
					    json_object_array_get_idx(arr, i),
					    json_object_array_get_idx(arr, j),
					    0)) {
					*a = i;
					*b = j;
					return true;
				}
		return false;
	}
	h = malloc(n * sizeof(*h));
	if (!h) {
		*nomem = true;
		return false;
	}
	for (i = 0; i < n; i++) {
		h[i].h = sx_json_hash(json_object_array_get_idx(arr, i), 0);
		h[i].i = i;
	}
	qsort(h, n, sizeof(*h), cmp_hidx);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n && h[j].h == h[i].h; j++)
			if (sx_json_equal(
				    json_object_array_get_idx(arr, h[i].i),
				    json_object_array_get_idx(arr, h[j].i),
				    0)) {
				*a = h[i].i;
				*b = h[j].i;
				free(h);
				return true;
			}
	free(h);
	return false;
}

static bool v_array(struct vctx *c, const struct sx_node *n,
		    struct json_object *inst, bool quiet)
{
	size_t len = json_object_array_length(inst), i, matches = 0, a, b;
	size_t min_c = 1;
	bool ok = true, nomem;

	if ((n->has & SX_HAS_MINITEMS) && len < n->x->min_items)
		FAIL("array has fewer than minItems %zu (%zu item%s)",
		     n->x->min_items, len, len == 1 ? "" : "s");
	if ((n->has & SX_HAS_MAXITEMS) && len > n->x->max_items)
		FAIL("array has more than maxItems %zu (%zu items)",
		     n->x->max_items, len);
	for (i = 0; i < len && i < n->x->nprefix; i++)
		if (!v_child(c, n->x->prefix[i],
			     json_object_array_get_idx(inst, i), NULL, i,
			     quiet))
			SUBFAIL();
	if (n->x->items_rest)
		for (i = n->x->nprefix; i < len; i++)
			if (!v_child(c, n->x->items_rest,
				     json_object_array_get_idx(inst, i), NULL,
				     i, quiet))
				SUBFAIL();
	if (n->x->contains) {
		if (n->has & SX_HAS_MINCONTAINS)
			min_c = n->x->min_contains;
		for (i = 0; i < len; i++) {
			if (v_child(c, n->x->contains,
				    json_object_array_get_idx(inst, i), NULL, i,
				    true))
				matches++;
			if (c->fatal)
				return false;
			if (matches >= min_c && !(n->has & SX_HAS_MAXCONTAINS))
				break;
		}
		if (matches < min_c) {
			if (min_c == 1)
				FAIL("no item matches the \"contains\" schema");
			else
				FAIL("%zu items match \"contains\", fewer than "
				     "minContains %zu",
				     matches, min_c);
		}
		if ((n->has & SX_HAS_MAXCONTAINS) &&
		    matches > n->x->max_contains)
			FAIL("%zu items match \"contains\", more than "
			     "maxContains %zu",
			     matches, n->x->max_contains);
	}
	if ((n->has & SX_HAS_UNIQUE) && len > 1) {
		if (find_duplicate(inst, len, &a, &b, &nomem))
			FAIL("items %zu and %zu are equal (uniqueItems)", a, b);
		if (nomem) {
			fatal(c, "out of memory checking uniqueItems");
			return false;
		}
	}
out:
	return ok;
}

static const struct sx_prop *find_prop(const struct sx_node *n, const char *key)
{
	size_t lo = 0, hi = n->nprops;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sx_prop *pr = &n->props[n->props_sorted[mid]];
		int r = strcmp(key, pr->name);

		if (r == 0)
			return pr;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static bool v_property_name(struct vctx *c, const struct sx_node *n,
			    const char *key)
{
	/* A private string object: the schema sees the name as a value. */
	struct json_object *k = json_object_new_string(key);
	bool ok;

	if (!k) {
		fatal(c, "out of memory checking propertyNames");
		return false;
	}
	ok = v_node(c, n, k, true);
	json_object_put(k);
	return ok;
}

static bool v_object(struct vctx *c, const struct sx_node *n,
		     struct json_object *inst, bool quiet)
{
	size_t cnt = (size_t)json_object_object_length(inst), i, j;
	struct json_object *v;
	bool ok = true, matched;
	int rc;

	if ((n->has & SX_HAS_MINPROPS) && cnt < n->x->min_props)
		FAIL("object has fewer than minProperties %zu (%zu propert%s)",
		     n->x->min_props, cnt, cnt == 1 ? "y" : "ies");
	if ((n->has & SX_HAS_MAXPROPS) && cnt > n->x->max_props)
		FAIL("object has more than maxProperties %zu (%zu properties)",
		     n->x->max_props, cnt);
	for (i = 0; i < n->nrequired; i++)
		if (!json_object_object_get_ex(inst, n->required[i], NULL))
			FAIL("missing required property \"%s\"",
			     n->required[i]);
	for (i = 0; i < n->nprops; i++)
		if (json_object_object_get_ex(inst, n->props[i].name, &v) &&
		    !v_child(c, n->props[i].schema, v, n->props[i].name, 0,
			     quiet))
			SUBFAIL();
	if (n->x->npprops || n->additional_props || n->x->property_names) {
		json_object_object_foreach(inst, key, val)
		{
			matched = n->additional_props && find_prop(n, key);
			for (j = 0; j < n->x->npprops; j++) {
				rc = sx_regex_match(n->x->pprops[j].re, key,
						    strlen(key));
				if (rc < 0) {
					fatal(c,
					      "patternProperties \"%.60s\" "
					      "cannot "
					      "be matched against \"%.60s\" "
					      "(%s)",
					      sx_regex_source(
						      n->x->pprops[j].re),
					      key,
					      rc == -E2BIG
						      ? "regex match limit hit"
						      : strerror(-rc));
					return false;
				}
				if (rc == 0)
					continue;
				matched = true;
				if (!v_child(c, n->x->pprops[j].schema, val,
					     key, 0, quiet))
					SUBFAIL();
			}
			if (!matched && n->additional_props) {
				if (n->additional_props->is_bool &&
				    !n->additional_props->bool_value) {
					c->path[c->npath].key = key;
					c->npath++;
					if (quiet || c->full) {
						c->npath--;
						ok = false;
						goto out;
					}
					report(c,
					       "property \"%s\" is not allowed "
					       "(additionalProperties)",
					       key);
					c->npath--;
					ok = false;
					if (c->full)
						goto out;
				} else if (!v_child(c, n->additional_props, val,
						    key, 0, quiet)) {
					SUBFAIL();
				}
			}
			if (n->x->property_names &&
			    !v_property_name(c, n->x->property_names, key)) {
				if (c->fatal)
					return false;
				FAIL("property name \"%s\" does not match "
				     "propertyNames",
				     key);
			}
		}
	}
	for (i = 0; i < n->x->ndeps; i++) {
		const struct sx_dep *d = &n->x->deps[i];

		if (!json_object_object_get_ex(inst, d->name, NULL))
			continue;
		for (j = 0; j < d->nreq; j++)
			if (!json_object_object_get_ex(inst, d->req[j], NULL))
				FAIL("property \"%s\" requires property \"%s\" "
				     "(dependencies)",
				     d->name, d->req[j]);
		if (d->schema && !v_node(c, d->schema, inst, quiet))
			SUBFAIL();
	}
out:
	return ok;
}

/*
 * All branches of anyOf/oneOf failed: say something useful.  When every
 * branch but one excludes the value by its type, the remaining branch is
 * the one the caller meant, so its own errors are reported; when all of
 * them exclude it by type, the message lists the accepted types.  Returns
 * false when it reported nothing (the caller writes a summary).
 */
static bool explain_branches(struct vctx *c, struct sx_node *const *br,
			     size_t nbr, struct json_object *inst,
			     const char *kw)
{
	const struct sx_node *meant = NULL;
	unsigned types = 0;
	size_t i, open = 0;
	char want[80], got[96];

	for (i = 0; i < nbr; i++) {
		const struct sx_node *b = br[i];

		while (b->ref && b->ref_only)
			b = b->ref;
		if (!b->is_bool && (b->has & SX_HAS_TYPE) &&
		    !type_ok(b->types, inst)) {
			types |= b->types;
			continue;
		}
		open++;
		meant = br[i];
	}
	if (open == 0) {
		types_text(types, want, sizeof(want));
		sx_describe(inst, got, sizeof(got));
		report(c, "expected %s, got %s (%s)", want, got, kw);
		return true;
	}
	if (open == 1 && !meant->is_bool) {
		v_node(c, meant, inst, false);
		return true;
	}
	return false;
}

static bool v_combinators(struct vctx *c, const struct sx_node *n,
			  struct json_object *inst, bool quiet)
{
	size_t i, hits = 0, first = 0;
	bool ok = true, r;

	for (i = 0; i < n->x->nall_of; i++)
		if (!v_node(c, n->x->all_of[i], inst, quiet))
			SUBFAIL();
	if (n->x->nany_of) {
		for (i = 0; i < n->x->nany_of && !hits; i++)
			if (v_node(c, n->x->any_of[i], inst, true))
				hits++;
		if (c->fatal)
			return false;
		if (!hits) {
			ok = false;
			if (quiet || c->full)
				goto out;
			if (!explain_branches(c, n->x->any_of, n->x->nany_of,
					      inst, "anyOf"))
				report(c,
				       "matches none of the %zu schemas in "
				       "anyOf",
				       n->x->nany_of);
			if (c->full || c->fatal)
				goto out;
		}
	}
	if (n->x->none_of) {
		hits = 0;
		for (i = 0; i < n->x->none_of && hits < 2; i++)
			if (v_node(c, n->x->one_of[i], inst, true)) {
				if (!hits++)
					first = i;
			}
		if (c->fatal)
			return false;
		if (hits == 0) {
			ok = false;
			if (quiet || c->full)
				goto out;
			if (!explain_branches(c, n->x->one_of, n->x->none_of,
					      inst, "oneOf"))
				report(c,
				       "matches none of the %zu schemas in "
				       "oneOf",
				       n->x->none_of);
			if (c->full || c->fatal)
				goto out;
		}
		if (hits > 1)
			FAIL("matches both schema %zu and schema %zu of oneOf, "
			     "expected exactly one",
			     first, i - 1);
	}
	if (n->x->not_) {
		r = v_node(c, n->x->not_, inst, true);
		if (c->fatal)
			return false;
		if (r)
			FAIL("must not match the schema in \"not\"");
	}
	if (n->x->if_) {
		r = v_node(c, n->x->if_, inst, true);
		if (c->fatal)
			return false;
		if (r && n->x->then_ && !v_node(c, n->x->then_, inst, quiet))
			SUBFAIL();
		if (!r && n->x->else_ && !v_node(c, n->x->else_, inst, quiet))
			SUBFAIL();
	}
out:
	return ok;
}

static bool v_ref(struct vctx *c, const struct sx_node *n,
		  struct json_object *inst, bool quiet)
{
	bool ok;
	int i;

	/* The same target on the same value further up this path means
	 * the evaluation would never consume input: a loop. */
	for (i = c->nrefs - 1; i >= 0; i--)
		if (c->refs[i].n == n->ref && c->refs[i].inst == inst) {
			fatal(c,
			      "$ref \"%.80s\" loops back to itself without "
			      "consuming input",
			      n->x->ref_uri ? n->x->ref_uri : "");
			return false;
		}
	c->refs[c->nrefs].n = n->ref;
	c->refs[c->nrefs].inst = inst;
	c->nrefs++;
	ok = v_node(c, n->ref, inst, quiet);
	c->nrefs--;
	return ok;
}

static bool v_node(struct vctx *c, const struct sx_node *n,
		   struct json_object *inst, bool quiet)
{
	char want[80], got[96];
	bool ok = true;

	if (c->fatal)
		return false;
	if (++c->steps > SX_MAX_STEPS) {
		fatal(c,
		      "validation needs more than %lu steps; schema too "
		      "complex for this value",
		      SX_MAX_STEPS);
		return false;
	}
	if (n->is_bool) {
		if (!n->bool_value && !quiet)
			report(c, "no value is allowed here (false schema)");
		return n->bool_value;
	}
	if (c->depth >= SX_MAX_EVAL_DEPTH) {
		fatal(c, "schema evaluation nested deeper than %d levels",
		      SX_MAX_EVAL_DEPTH);
		return false;
	}
	c->depth++;
	if (n->ref && !v_ref(c, n, inst, quiet))
		SUBFAIL();
	if (n->ref_only)
		goto out;
	if ((n->has & SX_HAS_TYPE) && !type_ok(n->types, inst)) {
		types_text(n->types, want, sizeof(want));
		sx_describe(inst, got, sizeof(got));
		FAIL("expected %s, got %s", want, got);
	}
	if ((n->has & SX_HAS_ENUM) && !in_enum(n, inst)) {
		char list[300];

		enum_text(n, list, sizeof(list));
		sx_print_value(inst, got, sizeof(got));
		FAIL("%s is not one of the allowed values: %s", got, list);
	}
	if ((n->has & SX_HAS_CONST) &&
	    !sx_json_equal(n->x->const_val, inst, 0)) {
		sx_print_value(n->x->const_val, want, sizeof(want));
		FAIL("must be the constant %s", want);
	}
	switch (json_object_get_type(inst)) {
	case json_type_int:
	case json_type_double:
		if (!v_number(c, n, inst, quiet))
			SUBFAIL();
		break;
	case json_type_string:
		if (!v_string(c, n, inst, quiet))
			SUBFAIL();
		break;
	case json_type_array:
		if (!v_array(c, n, inst, quiet))
			SUBFAIL();
		break;
	case json_type_object:
		if (!v_object(c, n, inst, quiet))
			SUBFAIL();
		break;
	default:
		break;
	}
	if (!v_combinators(c, n, inst, quiet))
		SUBFAIL();
out:
	c->depth--;
	return ok && !c->fatal;
}

static atomic_ullong validations;

unsigned long long tx_schema_validations(void)
{
	return atomic_load_explicit(&validations, memory_order_relaxed);
}

int tx_schema_validate(const struct tx_schema *s, struct json_object *instance,
		       char *err, size_t errlen)
{
	struct vctx *c;
	char dummy[1];
	bool ok;

	atomic_fetch_add_explicit(&validations, 1, memory_order_relaxed);
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (!s)
		return -EINVAL;
	/* About 20 KiB: on the heap, so that validation is safe on small
	 * thread stacks too. */
	c = malloc(sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->s = s;
	c->err = err;
	c->errlen = errlen;
	c->used = 0;
	c->nerr = 0;
	c->full = false;
	c->fatal = false;
	c->steps = 0;
	c->depth = 0;
	c->npath = 0;
	c->nrefs = 0;
	ok = v_node(c, s->root, instance, false);
	if (!ok && !err[0])
		snprintf(err, errlen, "/: invalid");
	free(c);
	return ok ? 0 : -EINVAL;
}
