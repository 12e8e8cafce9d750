/*
 * schema.c - compiling a JSON Schema into an immutable graph of
 * struct sx_node.
 *
 * Compilation does all the work that does not depend on the instance:
 * keyword values are checked and converted, patterns compiled, $ref
 * resolved to node pointers (cycles allowed), enum values hashed.  The
 * result never points into the caller's json-c document, so the caller
 * may free it, and validation never touches json-c state it does not own.
 *
 * Drafts: keywords of draft-04 to 2020-12 are accepted together, except
 * where $schema says draft-07 or earlier: then the siblings of $ref are
 * ignored and the keywords born in 2019-09/2020-12 (prefixItems,
 * dependentRequired, dependentSchemas, minContains, maxContains, $anchor)
 * are not keywords.  Without $schema, 2020-12 rules apply (MCP's
 * default).  See docs/schema.md.
 */
#include "schema/schema.h"
#include "schema/schema_i.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read-only: a write through a shared node faults instead of
 * corrupting every schema. */
static const struct sx_more more_none = { .format = -1 };

static struct sx_node *compile_node(struct sx_cc *cc, struct json_object *o,
				    const struct sx_scope *scope);

/* ---- schema location, for compile errors ------------------------------ */

static size_t loc_push(struct sx_cc *cc, const char *seg)
{
	size_t saved = cc->loclen, room = sizeof(cc->loc) - cc->loclen;
	int n;

	if (room > 1) {
		n = snprintf(cc->loc + cc->loclen, room, "%s/%s",
			     cc->loclen ? "" : "#", seg);
		cc->loclen = (size_t)n < room ? cc->loclen + (size_t)n
					      : sizeof(cc->loc) - 1;
	}
	return saved;
}

static size_t loc_push_idx(struct sx_cc *cc, size_t i)
{
	char num[24];

	snprintf(num, sizeof(num), "%zu", i);
	return loc_push(cc, num);
}

static void loc_pop(struct sx_cc *cc, size_t saved)
{
	cc->loclen = saved;
	cc->loc[saved] = '\0';
}

/* ---- keyword values ------------------------------------------------------ */

/*
 * A subschema holds two or three of the forty-odd keywords looked up in
 * each, and a lookup hashes the keyword: a 64-bit summary of the node's
 * keys (a bit for each key's length and end letters) answers most of
 * them without.  It is kept for the last object asked about; no object
 * is freed while a compile runs, and each compile starts afresh.
 */
static _Thread_local struct {
	const struct json_object *o;
	uint64_t keys;
} kw_seen;

static inline unsigned kw_bit(const char *key, size_t len)
{
	unsigned first = (unsigned char)key[0];
	unsigned last = len ? (unsigned char)key[len - 1] : 0;

	return (unsigned)(len * 7 + first + last * 3) & 63;
}

static inline bool kw_get(struct json_object *o, const char *key,
			  struct json_object **v)
{
	if (o != kw_seen.o) {
		uint64_t keys = 0;

		if (!json_object_is_type(o, json_type_object))
			return json_object_object_get_ex(o, key, v);
		json_object_object_foreach(o, k, val)
		{
			(void)val;
			keys |= 1ULL << kw_bit(k, strlen(k));
		}
		kw_seen.o = o;
		kw_seen.keys = keys;
	}
	if (!(kw_seen.keys >> kw_bit(key, strlen(key)) & 1))
		return false;
	return json_object_object_get_ex(o, key, v);
}

static inline struct json_object *kw(struct json_object *o, const char *key)
{
	struct json_object *v;

	return kw_get(o, key, &v) ? v : NULL;
}

static bool is_num(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) ||
	       json_object_is_type(v, json_type_double);
}

/* A non-negative integer keyword (2.0 counts, as in the suite). */
static int get_count(struct sx_cc *cc, struct json_object *o, const char *key,
		     size_t *out, uint32_t bit, uint32_t *has)
{
	struct json_object *v = kw(o, key);
	long double d;

	if (!v)
		return 0;
	if (!is_num(v) || !sx_is_integer(v) || (d = sx_number(v)) < 0) {
		sx_cc_error(cc, "\"%s\" must be a non-negative integer", key);
		return -EINVAL;
	}
	*out = d > (long double)SIZE_MAX ? SIZE_MAX : (size_t)d;
	*has |= bit;
	return 0;
}

static int get_number(struct sx_cc *cc, struct json_object *o, const char *key,
		      long double *out, uint32_t bit, uint32_t *has)
{
	struct json_object *v = kw(o, key);

	if (!v)
		return 0;
	if (!is_num(v)) {
		sx_cc_error(cc, "\"%s\" must be a number", key);
		return -EINVAL;
	}
	*out = sx_number(v);
	*has |= bit;
	return 0;
}

static char *dup_or_fail(struct sx_cc *cc, const char *s)
{
	char *d = strdup(s);

	if (!d)
		sx_cc_error(cc, "out of memory");
	return d;
}

static struct sx_node *sub(struct sx_cc *cc, struct json_object *v,
			   const struct sx_scope *scope, const char *key)
{
	size_t saved = loc_push(cc, key);
	struct sx_node *n = compile_node(cc, v, scope);

	loc_pop(cc, saved);
	return n;
}

/* An array of schemas (allOf, anyOf, oneOf, prefixItems, items). */
static int sub_array(struct sx_cc *cc, struct json_object *v,
		     const struct sx_scope *scope, const char *key,
		     bool nonempty, struct sx_node ***out, size_t *nout)
{
	size_t i, n, saved;

	if (!json_object_is_type(v, json_type_array) ||
	    (nonempty && json_object_array_length(v) == 0)) {
		sx_cc_error(cc, "\"%s\" must be a%s array of schemas", key,
			    nonempty ? " non-empty" : "n");
		return -EINVAL;
	}
	n = json_object_array_length(v);
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	*nout = n;
	saved = loc_push(cc, key);
	for (i = 0; i < n; i++) {
		size_t s2 = loc_push_idx(cc, i);

		(*out)[i] = compile_node(cc, json_object_array_get_idx(v, i),
					 scope);
		loc_pop(cc, s2);
		if (!(*out)[i]) {
			loc_pop(cc, saved);
			return -EINVAL;
		}
	}
	loc_pop(cc, saved);
	return 0;
}

static int string_array(struct sx_cc *cc, struct json_object *v,
			const char *key, char ***out, size_t *nout)
{
	size_t i, n;

	if (!json_object_is_type(v, json_type_array)) {
		sx_cc_error(cc, "\"%s\" must be an array of strings", key);
		return -EINVAL;
	}
	n = json_object_array_length(v);
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	*nout = n;
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);

		if (!json_object_is_type(e, json_type_string)) {
			sx_cc_error(cc, "\"%s\" must be an array of strings",
				    key);
			return -EINVAL;
		}
		(*out)[i] = dup_or_fail(cc, json_object_get_string(e));
		if (!(*out)[i])
			return -ENOMEM;
	}
	return 0;
}

static int compile_type(struct sx_cc *cc, struct sx_node *n,
			struct json_object *v)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{ "null", SX_T_NULL },       { "boolean", SX_T_BOOLEAN },
		{ "object", SX_T_OBJECT },   { "array", SX_T_ARRAY },
		{ "number", SX_T_NUMBER },   { "string", SX_T_STRING },
		{ "integer", SX_T_INTEGER },
	};
	size_t i, j, cnt = 1;
	bool arr = json_object_is_type(v, json_type_array);

	if (arr)
		cnt = json_object_array_length(v);
	else if (!json_object_is_type(v, json_type_string))
		goto out_bad;
	for (i = 0; i < cnt; i++) {
		struct json_object *e = arr ? json_object_array_get_idx(v, i)
					    : v;
		const char *name;

		if (!json_object_is_type(e, json_type_string))
			goto out_bad;
		name = json_object_get_string(e);
		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			if (!strcmp(names[j].name, name))
				break;
		if (j == sizeof(names) / sizeof(names[0])) {
			sx_cc_error(cc, "unknown type \"%s\"", name);
			return -EINVAL;
		}
		n->types |= names[j].bit;
	}
	n->has |= SX_HAS_TYPE;
	return 0;
out_bad:
	sx_cc_error(cc, "\"type\" must be a type name or an array of them");
	return -EINVAL;
}

struct hashed {
	uint64_t h;
	struct json_object *v;
};

static int cmp_hashed(const void *a, const void *b)
{
	const struct hashed *x = a, *y = b;

	return x->h < y->h ? -1 : x->h > y->h;
}

static int compile_enum(struct sx_cc *cc, struct sx_node *n,
			struct json_object *v)
{
	struct hashed *tmp;
	size_t i, cnt;

	if (!json_object_is_type(v, json_type_array)) {
		sx_cc_error(cc, "\"enum\" must be an array");
		return -EINVAL;
	}
	cnt = json_object_array_length(v);
	tmp = calloc(cnt ? cnt : 1, sizeof(*tmp));
	n->x->enum_vals = calloc(cnt ? cnt : 1, sizeof(*n->x->enum_vals));
	n->x->enum_hash = calloc(cnt ? cnt : 1, sizeof(*n->x->enum_hash));
	if (!tmp || !n->x->enum_vals || !n->x->enum_hash)
		goto out_nomem;
	/* Private copies: the compiled schema owns everything it reads. */
	for (i = 0; i < cnt; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);

		tmp[i].h = sx_json_hash(e, 0);
		tmp[i].v = sx_json_clone(e, 0);
		if (!tmp[i].v && e) {
			while (i--)
				json_object_put(tmp[i].v);
			goto out_nomem;
		}
	}
	/* Sorted by hash so that a huge enum costs a binary search. */
	qsort(tmp, cnt, sizeof(*tmp), cmp_hashed);
	for (i = 0; i < cnt; i++) {
		n->x->enum_vals[i] = tmp[i].v;
		n->x->enum_hash[i] = tmp[i].h;
	}
	n->x->nenum = cnt;
	n->has |= SX_HAS_ENUM;
	free(tmp);
	return 0;
out_nomem:
	free(tmp);
	sx_cc_error(cc, "out of memory");
	return -ENOMEM;
}

/* qsort has no context argument: sort pointers, then take indexes. */
static int cmp_prop_ptr(const void *a, const void *b)
{
	return strcmp((*(const struct sx_prop *const *)a)->name,
		      (*(const struct sx_prop *const *)b)->name);
}

static int sort_props(struct sx_node *n)
{
	struct sx_prop **p = calloc(n->nprops ? n->nprops : 1, sizeof(*p));
	size_t i;

	n->props_sorted =
		calloc(n->nprops ? n->nprops : 1, sizeof(*n->props_sorted));
	if (!p || !n->props_sorted) {
		free(p);
		return -ENOMEM;
	}
	for (i = 0; i < n->nprops; i++)
		p[i] = &n->props[i];
	qsort(p, n->nprops, sizeof(*p), cmp_prop_ptr);
	for (i = 0; i < n->nprops; i++)
		n->props_sorted[i] = (uint32_t)(p[i] - n->props);
	free(p);
	return 0;
}

static int compile_props(struct sx_cc *cc, struct sx_node *n,
			 struct json_object *v, const struct sx_scope *scope)
{
	size_t saved, i = 0, cnt;

	if (!json_object_is_type(v, json_type_object)) {
		sx_cc_error(cc, "\"properties\" must be an object");
		return -EINVAL;
	}
	cnt = (size_t)json_object_object_length(v);
	n->props = calloc(cnt ? cnt : 1, sizeof(*n->props));
	if (!n->props)
		return -ENOMEM;
	saved = loc_push(cc, "properties");
	json_object_object_foreach(v, key, val)
	{
		n->props[i].name = dup_or_fail(cc, key);
		n->nprops = i + 1;
		if (!n->props[i].name)
			return -ENOMEM;
		n->props[i].schema = sub(cc, val, scope, key);
		if (!n->props[i].schema)
			return -EINVAL;
		i++;
	}
	loc_pop(cc, saved);
	if (sort_props(n) < 0) {
		sx_cc_error(cc, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int compile_pattern_props(struct sx_cc *cc, struct sx_node *n,
				 struct json_object *v,
				 const struct sx_scope *scope)
{
	size_t saved, i = 0, cnt;
	char msg[200];

	if (!json_object_is_type(v, json_type_object)) {
		sx_cc_error(cc, "\"patternProperties\" must be an object");
		return -EINVAL;
	}
	cnt = (size_t)json_object_object_length(v);
	n->x->pprops = calloc(cnt ? cnt : 1, sizeof(*n->x->pprops));
	if (!n->x->pprops)
		return -ENOMEM;
	saved = loc_push(cc, "patternProperties");
	json_object_object_foreach(v, key, val)
	{
		n->x->pprops[i].re = sx_regex_compile(key, msg, sizeof(msg));
		n->x->npprops = i + 1;
		if (!n->x->pprops[i].re) {
			sx_cc_error(cc, "%s", msg);
			return -EINVAL;
		}
		n->x->pprops[i].schema = sub(cc, val, scope, key);
		if (!n->x->pprops[i].schema)
			return -EINVAL;
		i++;
	}
	loc_pop(cc, saved);
	return 0;
}

static struct sx_dep *new_dep(struct sx_node *n, const char *name)
{
	struct sx_dep *d = realloc(n->x->deps, (n->x->ndeps + 1) * sizeof(*d));

	if (!d)
		return NULL;
	n->x->deps = d;
	d = &n->x->deps[n->x->ndeps];
	memset(d, 0, sizeof(*d));
	d->name = strdup(name);
	if (!d->name)
		return NULL;
	n->x->ndeps++;
	return d;
}

/* dependencies (both forms), dependentRequired, dependentSchemas. */
static int compile_deps(struct sx_cc *cc, struct sx_node *n,
			struct json_object *o, const struct sx_scope *scope)
{
	static const char *const keys[] = { "dependencies", "dependentRequired",
					    "dependentSchemas" };
	size_t k, saved;
	int rc = 0;

	/* The 2019-09 split of dependencies does not exist before it. */
	for (k = 0; k < (scope->draft <= SX_DRAFT7 ? 1u : 3u) && rc == 0; k++) {
		struct json_object *v = kw(o, keys[k]);

		if (!v)
			continue;
		if (!json_object_is_type(v, json_type_object)) {
			sx_cc_error(cc, "\"%s\" must be an object", keys[k]);
			return -EINVAL;
		}
		saved = loc_push(cc, keys[k]);
		json_object_object_foreach(v, name, val)
		{
			struct sx_dep *d = new_dep(n, name);
			bool arr = json_object_is_type(val, json_type_array);

			if (!d) {
				rc = -ENOMEM;
				break;
			}
			if (arr && k != 2)
				rc = string_array(cc, val, keys[k], &d->req,
						  &d->nreq);
			else if (!arr && k != 1)
				rc = (d->schema = sub(cc, val, scope, name))
					     ? 0
					     : -EINVAL;
			else {
				sx_cc_error(cc,
					    "\"%s\" member \"%s\" has the "
					    "wrong type",
					    keys[k], name);
				rc = -EINVAL;
			}
			if (rc)
				break;
		}
		loc_pop(cc, saved);
	}
	return rc;
}

static int compile_items(struct sx_cc *cc, struct sx_node *n,
			 struct json_object *o, const struct sx_scope *scope)
{
	struct json_object *items = kw(o, "items"),
			   *prefix = kw(o, "prefixItems");
	struct json_object *add = kw(o, "additionalItems");

	/* One model for every draft: a prefix of positional schemas and a
	 * schema for the rest.  2020-12 spells them prefixItems + items;
	 * earlier drafts items (array) + additionalItems, or items alone. */
	/* prefixItems only exists from 2020-12 on; an array-form items
	 * always means the old positional form. */
	if (prefix && scope->draft >= SX_DRAFT2020 &&
	    !(items && json_object_is_type(items, json_type_array))) {
		if (sub_array(cc, prefix, scope, "prefixItems", false,
			      &n->x->prefix, &n->x->nprefix) < 0)
			return -EINVAL;
		if (items &&
		    !(n->x->items_rest = sub(cc, items, scope, "items")))
			return -EINVAL;
		return 0;
	}
	if (items && json_object_is_type(items, json_type_array)) {
		if (sub_array(cc, items, scope, "items", false, &n->x->prefix,
			      &n->x->nprefix) < 0)
			return -EINVAL;
		if (add && !(n->x->items_rest =
				     sub(cc, add, scope, "additionalItems")))
			return -EINVAL;
		return 0;
	}
	if (items && !(n->x->items_rest = sub(cc, items, scope, "items")))
		return -EINVAL;
	return 0;
}

static int compile_numbers(struct sx_cc *cc, struct sx_node *n,
			   struct json_object *o)
{
	struct json_object *v;

	if (get_number(cc, o, "minimum", &n->x->minimum, SX_HAS_MINIMUM,
		       &n->has) ||
	    get_number(cc, o, "maximum", &n->x->maximum, SX_HAS_MAXIMUM,
		       &n->has))
		return -EINVAL;
	/* draft-04 booleans turn minimum/maximum exclusive; later drafts
	 * give the bound itself.  The JSON type tells them apart. */
	v = kw(o, "exclusiveMinimum");
	if (v && json_object_is_type(v, json_type_boolean)) {
		if (json_object_get_boolean(v) && (n->has & SX_HAS_MINIMUM)) {
			n->x->exmin = n->x->minimum;
			n->has = (n->has & ~SX_HAS_MINIMUM) | SX_HAS_EXMIN;
		}
	} else if (get_number(cc, o, "exclusiveMinimum", &n->x->exmin,
			      SX_HAS_EXMIN, &n->has)) {
		return -EINVAL;
	}
	v = kw(o, "exclusiveMaximum");
	if (v && json_object_is_type(v, json_type_boolean)) {
		if (json_object_get_boolean(v) && (n->has & SX_HAS_MAXIMUM)) {
			n->x->exmax = n->x->maximum;
			n->has = (n->has & ~SX_HAS_MAXIMUM) | SX_HAS_EXMAX;
		}
	} else if (get_number(cc, o, "exclusiveMaximum", &n->x->exmax,
			      SX_HAS_EXMAX, &n->has)) {
		return -EINVAL;
	}
	if (get_number(cc, o, "multipleOf", &n->x->multiple, SX_HAS_MULTIPLE,
		       &n->has))
		return -EINVAL;
	if ((n->has & SX_HAS_MULTIPLE) &&
	    !(n->x->multiple > 0 && isfinite(n->x->multiple))) {
		sx_cc_error(cc, "\"multipleOf\" must be greater than 0");
		return -EINVAL;
	}
	return 0;
}

static int compile_counts(struct sx_cc *cc, struct sx_node *n,
			  struct json_object *o, int draft)
{
	struct json_object *v;

	if (get_count(cc, o, "minLength", &n->x->min_len, SX_HAS_MINLEN,
		      &n->has) ||
	    get_count(cc, o, "maxLength", &n->x->max_len, SX_HAS_MAXLEN,
		      &n->has) ||
	    get_count(cc, o, "minItems", &n->x->min_items, SX_HAS_MINITEMS,
		      &n->has) ||
	    get_count(cc, o, "maxItems", &n->x->max_items, SX_HAS_MAXITEMS,
		      &n->has) ||
	    get_count(cc, o, "minProperties", &n->x->min_props, SX_HAS_MINPROPS,
		      &n->has) ||
	    get_count(cc, o, "maxProperties", &n->x->max_props, SX_HAS_MAXPROPS,
		      &n->has) ||
	    (draft >= SX_DRAFT2019 &&
	     (get_count(cc, o, "minContains", &n->x->min_contains,
			SX_HAS_MINCONTAINS, &n->has) ||
	      get_count(cc, o, "maxContains", &n->x->max_contains,
			SX_HAS_MAXCONTAINS, &n->has))))
		return -EINVAL;
	v = kw(o, "uniqueItems");
	if (v) {
		if (!json_object_is_type(v, json_type_boolean)) {
			sx_cc_error(cc, "\"uniqueItems\" must be a boolean");
			return -EINVAL;
		}
		if (json_object_get_boolean(v))
			n->has |= SX_HAS_UNIQUE;
	}
	return 0;
}

static int compile_strings(struct sx_cc *cc, struct sx_node *n,
			   struct json_object *o)
{
	struct json_object *v;
	char msg[200];

	v = kw(o, "pattern");
	if (v) {
		if (!json_object_is_type(v, json_type_string)) {
			sx_cc_error(cc, "\"pattern\" must be a string");
			return -EINVAL;
		}
		n->x->pattern = sx_regex_compile(json_object_get_string(v), msg,
						 sizeof(msg));
		if (!n->x->pattern) {
			sx_cc_error(cc, "%s", msg);
			return -EINVAL;
		}
	}
	v = kw(o, "format");
	if (v && json_object_is_type(v, json_type_string)) {
		n->x->format = sx_format_lookup(json_object_get_string(v));
		if (n->x->format >= 0 &&
		    !(n->x->format_name =
			      dup_or_fail(cc, json_object_get_string(v))))
			return -ENOMEM;
	}
	return 0;
}

static int compile_applicators(struct sx_cc *cc, struct sx_node *n,
			       struct json_object *o,
			       const struct sx_scope *scope)
{
	static const struct {
		const char *key;
		bool more; /* in n->x, else in n */
		size_t off;
	} single[] = {
		{ "additionalProperties", false,
		  offsetof(struct sx_node, additional_props) },
		{ "propertyNames", true,
		  offsetof(struct sx_more, property_names) },
		{ "contains", true, offsetof(struct sx_more, contains) },
		{ "not", true, offsetof(struct sx_more, not_) },
		{ "if", true, offsetof(struct sx_more, if_) },
		{ "then", true, offsetof(struct sx_more, then_) },
		{ "else", true, offsetof(struct sx_more, else_) },
	};
	struct json_object *v;
	size_t i;

	for (i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
		char *base = single[i].more ? (char *)n->x : (char *)n;
		struct sx_node **slot =
			(struct sx_node **)(base + single[i].off);

		v = kw(o, single[i].key);
		if (v && !(*slot = sub(cc, v, scope, single[i].key)))
			return -EINVAL;
	}
	if ((v = kw(o, "allOf")) && sub_array(cc, v, scope, "allOf", true,
					      &n->x->all_of, &n->x->nall_of))
		return -EINVAL;
	if ((v = kw(o, "anyOf")) && sub_array(cc, v, scope, "anyOf", true,
					      &n->x->any_of, &n->x->nany_of))
		return -EINVAL;
	if ((v = kw(o, "oneOf")) && sub_array(cc, v, scope, "oneOf", true,
					      &n->x->one_of, &n->x->none_of))
		return -EINVAL;
	if ((v = kw(o, "properties")) && compile_props(cc, n, v, scope))
		return -EINVAL;
	if ((v = kw(o, "patternProperties")) &&
	    compile_pattern_props(cc, n, v, scope))
		return -EINVAL;
	if (compile_deps(cc, n, o, scope) || compile_items(cc, n, o, scope))
		return -EINVAL;
	if ((v = kw(o, "required"))) {
		size_t nreq = 0;
		int rc = string_array(cc, v, "required", &n->required, &nreq);

		n->nrequired = (uint32_t)nreq; /* set even on failure: freed */
		if (rc)
			return -EINVAL;
	}
	return 0;
}

/* $ref, and the dynamic references resolved as plain ones (documented). */
static int compile_ref(struct sx_cc *cc, struct sx_node *n,
		       struct json_object *o, const struct sx_scope *scope)
{
	static const char *const keys[] = { "$ref", "$dynamicRef",
					    "$recursiveRef" };
	const struct sx_scope *tscope;
	struct json_object *v = NULL, *target;
	const char *uri;
	size_t i, saved;

	for (i = 0; i < 3 && !v; i++)
		v = kw(o, keys[i]);
	if (!v)
		return 0;
	i--;
	if (!json_object_is_type(v, json_type_string)) {
		sx_cc_error(cc, "\"%s\" must be a string", keys[i]);
		return -EINVAL;
	}
	saved = loc_push(cc, keys[i]);
	target = sx_resolve_ref(cc, scope, json_object_get_string(v), &tscope,
				&uri);
	if (target)
		n->ref = compile_node(cc, target, tscope);
	loc_pop(cc, saved);
	if (!n->ref)
		return -EINVAL;
	n->x->ref_uri = dup_or_fail(cc, json_object_get_string(v));
	return n->x->ref_uri ? 0 : -ENOMEM;
}

static struct sx_node *new_node(struct sx_cc *cc)
{
	struct tx_schema *s = cc->s;
	struct sx_node *n;

	if (s->nnodes >= SX_MAX_NODES) {
		sx_cc_error(cc, "schema has more than %d subschemas",
			    SX_MAX_NODES);
		return NULL;
	}
	if (s->nnodes == s->capnodes) {
		size_t cap = s->capnodes ? s->capnodes * 2 : 16;
		struct sx_node **nn = realloc(s->nodes, cap * sizeof(*nn));

		if (!nn)
			goto out_nomem;
		s->nodes = nn;
		s->capnodes = cap;
	}
	n = calloc(1, sizeof(*n));
	if (n && !(n->x = calloc(1, sizeof(*n->x)))) {
		free(n);
		n = NULL;
	}
	if (!n)
		goto out_nomem;
	n->x->format = -1;
	s->nodes[s->nnodes++] = n;
	return n;
out_nomem:
	sx_cc_error(cc, "out of memory");
	return NULL;
}

static struct sx_node *compile_node(struct sx_cc *cc, struct json_object *o,
				    const struct sx_scope *scope)
{
	const struct sx_scope *own;
	struct sx_node *n;
	struct json_object *v;
	int rc = 0;

	n = sx_pmap_get(&cc->memo, o);
	if (n)
		return n; /* shared subschema or a $ref cycle */
	if (cc->depth >= SX_MAX_SCHEMA_DEPTH) {
		sx_cc_error(cc, "schema nested deeper than %d levels",
			    SX_MAX_SCHEMA_DEPTH);
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object) &&
	    !json_object_is_type(o, json_type_boolean)) {
		sx_cc_error(cc,
			    "a schema must be an object or a boolean, got %s",
			    sx_type_name(o));
		return NULL;
	}
	n = new_node(cc);
	if (!n)
		return NULL;
	if (sx_pmap_put(&cc->memo, o, n) < 0) {
		sx_cc_error(cc, "out of memory");
		return NULL;
	}
	if (json_object_is_type(o, json_type_boolean)) {
		n->is_bool = true;
		n->bool_value = json_object_get_boolean(o);
		return n;
	}
	own = sx_pmap_get(&cc->scopes, o);
	if (own)
		scope = own;

	cc->depth++;
	rc = compile_ref(cc, n, o, scope);
	if (rc == 0 && n->ref && scope->draft <= SX_DRAFT7 && kw(o, "$ref")) {
		/* draft-07 and earlier: siblings of $ref are ignored. */
		n->ref_only = true;
		goto out;
	}
	if (rc == 0 && (v = kw(o, "type")))
		rc = compile_type(cc, n, v);
	if (rc == 0 && (v = kw(o, "enum")))
		rc = compile_enum(cc, n, v);
	if (rc == 0 && kw_get(o, "const", &v)) {
		n->x->const_val = sx_json_clone(v, 0);
		n->has |= SX_HAS_CONST;
		if (v && !n->x->const_val) {
			sx_cc_error(cc, "out of memory");
			rc = -ENOMEM;
		}
	}
	if (rc == 0)
		rc = compile_numbers(cc, n, o);
	if (rc == 0)
		rc = compile_counts(cc, n, o, scope->draft);
	if (rc == 0)
		rc = compile_strings(cc, n, o);
	if (rc == 0)
		rc = compile_applicators(cc, n, o, scope);
out:
	cc->depth--;
	if (rc) {
		if (cc->err && !cc->err[0])
			sx_cc_error(cc, "out of memory");
		return NULL;
	}
	return n;
}

static void free_node(struct sx_node *n)
{
	size_t i, j;

	free(n->x->ref_uri);
	sx_regex_free(n->x->pattern);
	free(n->x->format_name);
	free(n->x->prefix);
	for (i = 0; i < n->nprops; i++)
		free(n->props[i].name);
	free(n->props);
	free(n->props_sorted);
	for (i = 0; i < n->x->npprops; i++)
		sx_regex_free(n->x->pprops[i].re);
	free(n->x->pprops);
	for (i = 0; i < n->nrequired; i++)
		free(n->required[i]);
	free(n->required);
	for (i = 0; i < n->x->ndeps; i++) {
		free(n->x->deps[i].name);
		for (j = 0; j < n->x->deps[i].nreq; j++)
			free(n->x->deps[i].req[j]);
		free(n->x->deps[i].req);
	}
	free(n->x->deps);
	free(n->x->all_of);
	free(n->x->any_of);
	free(n->x->one_of);
	for (i = 0; i < n->x->nenum; i++)
		json_object_put(n->x->enum_vals[i]);
	free(n->x->enum_vals);
	free(n->x->enum_hash);
	json_object_put(n->x->const_val);
	if (n->x != &more_none)
		free(n->x);
	free(n);
}

/*
 * Once compiled, the nodes that use none of struct sx_more share one
 * empty instance, and the node list loses its slack: what a compiled
 * schema keeps is then mostly its object nodes and property names.
 * Compared with the template byte for byte (calloc'd, so padding is
 * zero): a keyword set to its empty value (a minimum of 0) is then the
 * same as the template's, and reads the same.
 */
static void schema_shrink(struct tx_schema *s)
{
	for (size_t i = 0; i < s->nnodes; i++) {
		struct sx_node *n = s->nodes[i];

		if (n->x != &more_none &&
		    !memcmp(n->x, &more_none, sizeof(*n->x))) {
			free(n->x);
			n->x = (struct sx_more *)&more_none;
		}
	}
	if (s->nnodes < s->capnodes) {
		struct sx_node **nn =
			realloc(s->nodes, s->nnodes * sizeof(*nn));

		if (nn) {
			s->nodes = nn;
			s->capnodes = s->nnodes;
		}
	}
}

void tx_schema_free(struct tx_schema *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nnodes; i++)
		free_node(s->nodes[i]);
	free(s->nodes);
	free(s);
}

struct tx_schema *tx_schema_compile(struct json_object *schema,
				    const struct tx_schema_options *opts,
				    char *err, size_t errlen)
{
	struct sx_cc cc;
	struct tx_schema *s;
	const struct sx_scope *scope;
	char dummy[8];
	int draft;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	s->assert_format = opts && opts->assert_format;
	s->max_errors = opts && opts->max_errors ? opts->max_errors : 8;

	/* What the last compile saw may have been freed since. */
	kw_seen.o = NULL;
	memset(&cc, 0, sizeof(cc));
	cc.s = s;
	cc.err = err;
	cc.errlen = errlen;
	if (!json_object_is_type(schema, json_type_object) &&
	    !json_object_is_type(schema, json_type_boolean)) {
		sx_cc_error(&cc,
			    "a schema must be an object or a boolean, got %s",
			    sx_type_name(schema));
		goto out_fail;
	}
	draft = sx_draft_of(schema, SX_DRAFT2020);
	if (sx_scan_document(&cc, schema, "", draft) < 0) {
		sx_cc_error(&cc, "out of memory");
		goto out_fail;
	}
	scope = sx_pmap_get(&cc.scopes, schema);
	if (!scope)
		scope = cc.res[0].scope;
	s->root = compile_node(&cc, schema, scope);
	kw_seen.o = NULL;
	if (!s->root)
		goto out_fail;
	sx_cc_release(&cc);
	schema_shrink(s);
	return s;

out_fail:
	sx_cc_release(&cc);
	tx_schema_free(s);
	errno = EINVAL;
	return NULL;
}
