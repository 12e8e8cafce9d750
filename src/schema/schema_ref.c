/*
 * schema_ref.c - $id, $anchor and $ref: base URIs (RFC 3986 section 5),
 * the resources of one schema document, JSON Pointer fragments, and
 * the embedded draft-04/06/07 meta-schemas.
 *
 * References are resolved inside the schema being compiled only.  A
 * reference to any other document is refused at compile time: fetching
 * would let a tool's schema make the daemon open network connections or
 * read local files, and would make validation depend on the network.
 * The three classic meta-schemas are the one exception: they are
 * compiled from copies built into the binary (schema_meta.c).
 */
#include "schema/schema_i.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- pointer map ---------------------------------------------------- */

static size_t ptr_hash(const void *p, size_t cap)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x & (cap - 1);
}

void *sx_pmap_get(const struct sx_pmap *m, const void *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = ptr_hash(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return m->vals[i];
	return NULL;
}

static int pmap_grow(struct sx_pmap *m)
{
	struct sx_pmap n = { NULL, NULL, m->cap ? m->cap * 2 : 64, 0 };
	size_t i;

	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.vals = calloc(n.cap, sizeof(*n.vals));
	if (!n.keys || !n.vals) {
		free(n.keys);
		free(n.vals);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++)
		if (m->keys[i])
			sx_pmap_put(&n, m->keys[i], m->vals[i]);
	sx_pmap_release(m);
	*m = n;
	return 0;
}

int sx_pmap_put(struct sx_pmap *m, const void *key, void *val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap && pmap_grow(m) < 0)
		return -ENOMEM;
	for (i = ptr_hash(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return 0;
		}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 0;
}

void sx_pmap_release(struct sx_pmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}

/* ---- compiler state ------------------------------------------------- */

void sx_cc_error(struct sx_cc *cc, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!cc->err || !cc->errlen || cc->err[0])
		return; /* keep the first, most specific error */
	n = snprintf(cc->err, cc->errlen, "%s: ", cc->loclen ? cc->loc : "#");
	if (n < 0 || (size_t)n >= cc->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(cc->err + n, cc->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

void *sx_cc_keep(struct sx_cc *cc, void *p)
{
	if (!p)
		return NULL;
	if (cc->nstrs == cc->capstrs) {
		size_t cap = cc->capstrs ? cc->capstrs * 2 : 64;
		void **n = realloc(cc->strs, cap * sizeof(*n));

		if (!n) {
			free(p);
			return NULL;
		}
		cc->strs = n;
		cc->capstrs = cap;
	}
	cc->strs[cc->nstrs++] = p;
	return p;
}

void sx_cc_release(struct sx_cc *cc)
{
	size_t i;

	for (i = 0; i < cc->nstrs; i++)
		free(cc->strs[i]);
	free(cc->strs);
	for (i = 0; i < cc->nres; i++)
		free(cc->res[i].uri);
	free(cc->res);
	for (i = 0; i < cc->nowned; i++)
		json_object_put(cc->owned_docs[i]);
	sx_pmap_release(&cc->scopes);
	sx_pmap_release(&cc->memo);
}

/* ---- URIs ------------------------------------------------------------ */

struct uri {
	const char *scheme, *auth, *path, *query, *frag;
	size_t lscheme, lauth, lpath, lquery, lfrag;
	bool has_scheme, has_auth, has_query, has_frag;
};

static void uri_split(const char *s, struct uri *u)
{
	const char *p = s, *q;

	memset(u, 0, sizeof(*u));
	for (q = s; *q && !strchr(":/?#", *q); q++)
		;
	if (*q == ':' && q > s) {
		u->has_scheme = true;
		u->scheme = s;
		u->lscheme = (size_t)(q - s);
		p = q + 1;
	}
	if (p[0] == '/' && p[1] == '/') {
		p += 2;
		u->has_auth = true;
		u->auth = p;
		u->lauth = strcspn(p, "/?#");
		p += u->lauth;
	}
	u->path = p;
	u->lpath = strcspn(p, "?#");
	p += u->lpath;
	if (*p == '?') {
		u->has_query = true;
		u->query = ++p;
		u->lquery = strcspn(p, "#");
		p += u->lquery;
	}
	if (*p == '#') {
		u->has_frag = true;
		u->frag = p + 1;
		u->lfrag = strlen(p + 1);
	}
}

/* RFC 3986 5.2.4 on out[0..n), in place; returns the new length. */
static size_t remove_dot_segments(char *out, size_t n)
{
	char *in = out, *end = out + n, *w = out;

	while (in < end) {
		size_t left = (size_t)(end - in);

		if (left >= 3 && !strncmp(in, "../", 3)) {
			in += 3;
		} else if (left >= 2 && !strncmp(in, "./", 2)) {
			in += 2;
		} else if (left >= 3 && !strncmp(in, "/./", 3)) {
			in += 2;
		} else if (left == 2 && !strncmp(in, "/.", 2)) {
			in[1] = '/';
			in += 1;
		} else if ((left >= 4 && !strncmp(in, "/../", 4)) ||
			   (left == 3 && !strncmp(in, "/..", 3))) {
			in += 3;
			if (in < end)
				; /* "/../x": continue at "/x" */
			else
				*--in = '/';
			while (w > out && *--w != '/')
				;
		} else if ((left == 1 && in[0] == '.') ||
			   (left == 2 && !strncmp(in, "..", 2))) {
			in = end;
		} else {
			char *seg = in + 1;

			while (seg < end && *seg != '/')
				seg++;
			memmove(w, in, (size_t)(seg - in));
			w += seg - in;
			in = seg;
		}
	}
	return (size_t)(w - out);
}

char *sx_uri_resolve(const char *base, const char *ref)
{
	struct uri b, r;
	size_t cap = strlen(base) + strlen(ref) + 8, n = 0, pstart;
	char *out = malloc(cap);
	const struct uri *a; /* where scheme/authority come from */
	bool merge = false;

#define PUT(p, l) (memcpy(out + n, (p), (l)), n += (l))
	if (!out)
		return NULL;
	uri_split(base, &b);
	uri_split(ref, &r);
	a = r.has_scheme ? &r : &b;
	if (a->has_scheme) {
		PUT(a->scheme, a->lscheme);
		PUT(":", 1);
	}
	if (!r.has_scheme && !r.has_auth)
		a = &b;
	else
		a = &r;
	if (a->has_auth) {
		PUT("//", 2);
		PUT(a->auth, a->lauth);
	}
	pstart = n;
	if (r.has_scheme || r.has_auth) {
		PUT(r.path, r.lpath);
	} else if (r.lpath == 0) {
		PUT(b.path, b.lpath);
	} else if (r.path[0] == '/') {
		PUT(r.path, r.lpath);
	} else {
		merge = true;
		if (b.has_auth && b.lpath == 0) {
			PUT("/", 1);
		} else {
			const char *slash = NULL, *p;

			for (p = b.path; p < b.path + b.lpath; p++)
				if (*p == '/')
					slash = p;
			if (slash)
				PUT(b.path, (size_t)(slash - b.path) + 1);
		}
		PUT(r.path, r.lpath);
	}
	if (merge || r.has_scheme || r.has_auth || r.lpath)
		n = pstart + remove_dot_segments(out + pstart, n - pstart);
	if (r.has_query) {
		PUT("?", 1);
		PUT(r.query, r.lquery);
	} else if (!r.has_scheme && !r.has_auth && r.lpath == 0 &&
		   b.has_query) {
		PUT("?", 1);
		PUT(b.query, b.lquery);
	}
	if (r.has_frag) {
		PUT("#", 1);
		PUT(r.frag, r.lfrag);
	}
#undef PUT
	out[n] = '\0';
	return out;
}

static bool has_scheme(const char *uri)
{
	struct uri u;

	uri_split(uri, &u);
	return u.has_scheme;
}

/* ---- drafts, scanning -------------------------------------------------- */

int sx_draft_of(struct json_object *doc, int dflt)
{
	struct json_object *v;
	const char *s;

	if (!json_object_is_type(doc, json_type_object) ||
	    !json_object_object_get_ex(doc, "$schema", &v) ||
	    !json_object_is_type(v, json_type_string))
		return dflt;
	s = json_object_get_string(v);
	if (strstr(s, "draft-03") || strstr(s, "draft-04"))
		return SX_DRAFT4;
	if (strstr(s, "draft-06"))
		return SX_DRAFT6;
	if (strstr(s, "draft-07"))
		return SX_DRAFT7;
	if (strstr(s, "2019-09"))
		return SX_DRAFT2019;
	return dflt;
}

static int add_res(struct sx_cc *cc, const char *uri, size_t ulen,
		   struct json_object *obj, const struct sx_scope *scope)
{
	size_t i;

	for (i = 0; i < cc->nres; i++)
		if (strlen(cc->res[i].uri) == ulen &&
		    !strncmp(cc->res[i].uri, uri, ulen))
			return 0; /* the first definition wins */
	if (cc->nres == cc->capres) {
		size_t cap = cc->capres ? cc->capres * 2 : 16;
		struct sx_res *n = realloc(cc->res, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		cc->res = n;
		cc->capres = cap;
	}
	cc->res[cc->nres].uri = strndup(uri, ulen);
	if (!cc->res[cc->nres].uri)
		return -ENOMEM;
	cc->res[cc->nres].obj = obj;
	cc->res[cc->nres].scope = scope;
	cc->nres++;
	return 0;
}

static const struct sx_res *find_res(const struct sx_cc *cc, const char *uri)
{
	size_t i;

	for (i = 0; i < cc->nres; i++)
		if (!strcmp(cc->res[i].uri, uri))
			return &cc->res[i];
	return NULL;
}

/* Keywords whose value is not a schema and must not be searched for $id
 * (an enum value may well contain a "$id" member). */
static bool not_a_schema_keyword(const char *k)
{
	static const char *const skip[] = {
		"enum",
		"const",
		"default",
		"examples",
		"required",
		"type",
		"title",
		"description",
		"$comment",
		"format",
		"pattern",
		"dependentRequired",
		"$vocabulary",
		"contentMediaType",
		"contentEncoding",
		"$schema",
		"$ref",
		"$id",
		"id",
		"$anchor",
		"$dynamicAnchor",
		"$dynamicRef",
		"$recursiveRef",
	};
	size_t i;

	for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!strcmp(k, skip[i]))
			return true;
	return false;
}

static bool is_schema_map_keyword(const char *k)
{
	return !strcmp(k, "properties") || !strcmp(k, "patternProperties") ||
	       !strcmp(k, "definitions") || !strcmp(k, "$defs") ||
	       !strcmp(k, "dependentSchemas") || !strcmp(k, "dependencies");
}

static int scan(struct sx_cc *cc, struct json_object *o,
		const struct sx_scope *parent, int depth);

static int scan_member(struct sx_cc *cc, const char *k, struct json_object *v,
		       const struct sx_scope *scope, int depth)
{
	size_t i, n;
	int rc;

	if (not_a_schema_keyword(k))
		return 0;
	if (json_object_is_type(v, json_type_array)) {
		if (strcmp(k, "allOf") && strcmp(k, "anyOf") &&
		    strcmp(k, "oneOf") && strcmp(k, "items") &&
		    strcmp(k, "prefixItems"))
			return 0;
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			rc = scan(cc, json_object_array_get_idx(v, i), scope,
				  depth + 1);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	if (!json_object_is_type(v, json_type_object))
		return 0;
	if (is_schema_map_keyword(k)) {
		json_object_object_foreach(v, name, sub)
		{
			(void)name;
			rc = scan(cc, sub, scope, depth + 1);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	/* A single subschema, or a keyword we do not know: its value may
	 * still be the target of a JSON Pointer $ref. */
	return scan(cc, v, scope, depth + 1);
}

static int scan(struct sx_cc *cc, struct json_object *o,
		const struct sx_scope *parent, int depth)
{
	struct sx_scope *scope;
	struct json_object *v;
	const char *idkey = parent->draft == SX_DRAFT4 ? "id" : "$id";
	bool ref_only;
	char *uri, *hash;
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return 0;
	if (depth > SX_MAX_SCHEMA_DEPTH) {
		sx_cc_error(cc, "schema nested deeper than %d levels",
			    SX_MAX_SCHEMA_DEPTH);
		return -EINVAL;
	}
	if (sx_pmap_get(&cc->scopes, o))
		return 0;
	scope = sx_cc_keep(cc, malloc(sizeof(*scope)));
	if (!scope)
		return -ENOMEM;
	*scope = *parent;
	/* Up to draft-07 every sibling of $ref is ignored, $id included. */
	ref_only = parent->draft <= SX_DRAFT7 &&
		   json_object_object_get_ex(o, "$ref", &v) &&
		   json_object_is_type(v, json_type_string);
	if (!ref_only && json_object_object_get_ex(o, idkey, &v) &&
	    json_object_is_type(v, json_type_string)) {
		uri = sx_cc_keep(cc, sx_uri_resolve(parent->base,
						    json_object_get_string(v)));
		if (!uri)
			return -ENOMEM;
		hash = strchr(uri, '#');
		if (json_object_get_string(v)[0] == '#') {
			/* draft-06/07 location-independent identifier */
			if (add_res(cc, uri, strlen(uri), o, scope) < 0)
				return -ENOMEM;
		} else {
			if (hash && hash[1] &&
			    add_res(cc, uri, strlen(uri), o, scope) < 0)
				return -ENOMEM;
			if (hash)
				*hash = '\0';
			scope->base = uri;
			if (add_res(cc, uri, strlen(uri), o, scope) < 0)
				return -ENOMEM;
		}
	}
	if (!ref_only && parent->draft >= SX_DRAFT2019 &&
	    ((json_object_object_get_ex(o, "$anchor", &v) &&
	      json_object_is_type(v, json_type_string)) ||
	     (json_object_object_get_ex(o, "$dynamicAnchor", &v) &&
	      json_object_is_type(v, json_type_string)))) {
		size_t bl = strlen(scope->base);
		const char *a = json_object_get_string(v);

		uri = sx_cc_keep(cc, malloc(bl + strlen(a) + 2));
		if (!uri)
			return -ENOMEM;
		snprintf(uri, bl + strlen(a) + 2, "%s#%s", scope->base, a);
		if (add_res(cc, uri, strlen(uri), o, scope) < 0)
			return -ENOMEM;
	}
	if (sx_pmap_put(&cc->scopes, o, scope) < 0)
		return -ENOMEM;
	json_object_object_foreach(o, k, val)
	{
		rc = scan_member(cc, k, val, scope, depth);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int sx_scan_document(struct sx_cc *cc, struct json_object *doc,
		     const char *base, int draft)
{
	struct sx_scope *top;
	struct sx_scope *root_scope;

	top = sx_cc_keep(cc, malloc(sizeof(*top)));
	if (!top)
		return -ENOMEM;
	top->base = sx_cc_keep(cc, strdup(base));
	top->draft = draft;
	if (!top->base)
		return -ENOMEM;
	/* The document is a resource under the URI it was loaded from. */
	if (add_res(cc, base, strlen(base), doc, top) < 0)
		return -ENOMEM;
	if (scan(cc, doc, top, 0) < 0)
		return -EINVAL;
	root_scope = sx_pmap_get(&cc->scopes, doc);
	if (root_scope)
		cc->res[cc->nres - 1].scope = root_scope;
	return 0;
}

/* ---- resolving -------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s in place; false on a bad escape. */
static bool pct_decode(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '%') {
			int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);

			if (hi < 0 || lo < 0)
				return false;
			*w++ = (char)(hi * 16 + lo);
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
	return true;
}

/* Walks an RFC 6901 pointer (already percent-decoded) from o. */
static struct json_object *walk_pointer(struct json_object *o, char *ptr,
					bool *found)
{
	char *seg = ptr, *next, *r, *w;

	*found = true;
	while (*seg == '/') {
		seg++;
		next = strchr(seg, '/');
		if (next)
			*next = '\0';
		for (r = w = seg; *r; r++) {
			if (r[0] == '~' && r[1] == '1') {
				*w++ = '/';
				r++;
			} else if (r[0] == '~' && r[1] == '0') {
				*w++ = '~';
				r++;
			} else {
				*w++ = *r;
			}
		}
		*w = '\0';
		if (json_object_is_type(o, json_type_object)) {
			if (!json_object_object_get_ex(o, seg, &o))
				goto out_missing;
		} else if (json_object_is_type(o, json_type_array)) {
			char *end;
			unsigned long idx = strtoul(seg, &end, 10);

			if (!*seg || *end || (seg[0] == '0' && seg[1]) ||
			    idx >= json_object_array_length(o))
				goto out_missing;
			o = json_object_array_get_idx(o, idx);
		} else {
			goto out_missing;
		}
		if (!next)
			return o;
		seg = next;
		*seg = '/';
	}
	return o;
out_missing:
	*found = false;
	return NULL;
}

static int load_meta(struct sx_cc *cc, const char *docuri)
{
	const char *text = sx_meta_schema_text(docuri);
	struct json_object *doc;

	if (!text ||
	    cc->nowned == sizeof(cc->owned_docs) / sizeof(cc->owned_docs[0]))
		return -ENOENT;
	doc = json_tokener_parse(text);
	if (!doc)
		return -ENOMEM;
	cc->owned_docs[cc->nowned++] = doc;
	return sx_scan_document(cc, doc, docuri, sx_draft_of(doc, SX_DRAFT7));
}

struct json_object *
sx_resolve_ref(struct sx_cc *cc, const struct sx_scope *scope, const char *ref,
	       const struct sx_scope **target_scope, const char **urip)
{
	const struct sx_res *r;
	struct json_object *target;
	char *uri, *docuri, *frag, *hash;
	bool found;

	uri = sx_cc_keep(cc, sx_uri_resolve(scope->base, ref));
	docuri = sx_cc_keep(cc, uri ? strdup(uri) : NULL);
	if (!uri || !docuri) {
		sx_cc_error(cc, "out of memory");
		return NULL;
	}
	*urip = uri;
	hash = strchr(docuri, '#');
	frag = hash ? hash + 1 : docuri + strlen(docuri);
	if (hash)
		*hash = '\0';

	/* A plain-name fragment: an anchor, looked up undecoded. */
	if (*frag && *frag != '/') {
		r = find_res(cc, uri);
		if (!r && load_meta(cc, docuri) == 0)
			r = find_res(cc, uri);
		if (!r)
			goto out_unresolved;
		*target_scope = r->scope;
		return r->obj;
	}
	r = find_res(cc, docuri);
	if (!r && load_meta(cc, docuri) == 0) {
		r = find_res(cc, docuri);
		if (!r) {
			/* an https:// alias of an embedded meta-schema */
			r = &cc->res[cc->nres - 1];
			for (size_t i = 0; i < cc->nres; i++)
				if (cc->res[i].obj ==
				    cc->owned_docs[cc->nowned - 1])
					r = &cc->res[i];
		}
	}
	if (!r)
		goto out_unresolved;
	if (!pct_decode(frag)) {
		sx_cc_error(cc, "$ref \"%s\": bad percent-encoding", ref);
		return NULL;
	}
	target = walk_pointer(r->obj, frag, &found);
	if (!found) {
		sx_cc_error(cc, "$ref \"%s\": no such location in the schema",
			    ref);
		return NULL;
	}
	if (!json_object_is_type(target, json_type_object) &&
	    !json_object_is_type(target, json_type_boolean)) {
		sx_cc_error(cc, "$ref \"%s\" points at a %s, not a schema", ref,
			    sx_type_name(target));
		return NULL;
	}
	*target_scope = sx_pmap_get(&cc->scopes, target);
	if (!*target_scope)
		*target_scope = r->scope;
	return target;

out_unresolved:
	if (has_scheme(docuri))
		sx_cc_error(
			cc,
			"remote $ref \"%s\" refused: references are resolved "
			"within the schema only and never fetched",
			ref);
	else
		sx_cc_error(cc, "unresolvable $ref \"%s\"", ref);
	return NULL;
}
