/*
 * catalog_resources.c - the resources and resource templates of the
 * servers' offers (catalog_i.h): a URI turned into a path; an entry
 * parsed once, when an offer is published; the tree and INDEX the
 * faces show, computed from a snapshot on each lookup (catalog.c says
 * why that costs little); and the engine's calls that reach a server
 * for them (toolexec.h): read, complete, subscribe, and the watch for
 * their updates.
 */
#include "engine/catalog_i.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "engine/engine_i.h"
#include "engine/registry.h"
#include "util/buf.h"
#include "util/jsonu.h"
#include "util/log.h"

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* ------------------------------------------------------------------ */
/* From URI to path                                                     */

/*
 * One part as a file name: tx_name_encode, and "%" for an empty part
 * (a doubled or trailing '/'), which no encoded name can be.
 */
static int part_encode(const char *p, size_t len, struct tx_buf *out)
{
	char raw[4 * TX_NAME_MAX], enc[TX_NAME_MAX + 1];

	if (len == 0)
		return tx_buf_adds(out, "%");
	if (len >= sizeof(raw))
		len = sizeof(raw) - 1; /* the encoding cuts it anyway */
	memcpy(raw, p, len);
	raw[len] = '\0';
	if (tx_name_encode(raw, enc, sizeof(enc)) < 0)
		return -ENAMETOOLONG;
	return tx_buf_adds(out, enc);
}

/*
 * SCHEME://REST becomes SCHEME/PART/...: REST split at '/', each part
 * encoded (part_encode).  SCHEME:REST without "//" (urn:, mailto:)
 * becomes "SCHEME:/PART/...", so the first part ends in ':' exactly
 * when the URI had no "//".  Reversible for parts the encoding did not
 * cut.
 */
char *tx_catalog_uri_path(const char *uri)
{
	const char *colon = strchr(uri, ':'), *p, *rest;
	struct tx_buf b;
	int rc = 0;

	if (!colon || colon == uri || !isalpha((unsigned char)uri[0])) {
		errno = EINVAL;
		return NULL;
	}
	for (p = uri; p < colon; p++)
		if (!isalnum((unsigned char)*p) && !strchr("+-.", *p)) {
			errno = EINVAL;
			return NULL;
		}
	tx_buf_init(&b, 64 * 1024);
	rc = part_encode(uri, (size_t)(colon - uri), &b);
	if (!strncmp(colon, "://", 3)) {
		rest = colon + 3;
	} else {
		rc = rc ? rc : tx_buf_adds(&b, ":");
		rest = colon + 1;
	}
	for (;;) {
		const char *slash = strchr(rest, '/');
		size_t len = slash ? (size_t)(slash - rest) : strlen(rest);

		rc = rc ? rc : tx_buf_adds(&b, "/");
		rc = rc ? rc : part_encode(rest, len, &b);
		if (!slash)
			break;
		rest = slash + 1;
	}
	if (rc) {
		tx_buf_release(&b);
		errno = -rc;
		return NULL;
	}
	return tx_buf_detach(&b, NULL);
}

/* Splits a path at '/'. */
static int split(const char *path, char ***parts, size_t *n)
{
	size_t cap = 1;
	char **v;
	const char *p = path;

	for (const char *q = path; *q; q++)
		cap += *q == '/';
	v = calloc(cap, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*n = 0;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		v[*n] = strndup(p, len);
		if (!v[*n]) {
			strv_free(v, *n);
			return -ENOMEM;
		}
		(*n)++;
		if (!slash)
			break;
		p = slash + 1;
	}
	*parts = v;
	return 0;
}

/*
 * A template's place in the tree: its literal parts, and a variable
 * where a part is exactly "{NAME}" (a simple RFC 6570 expression).  A
 * template with any other expression (operators, a variable inside a
 * part) has none: it is listed in INDEX only.  The template's URI is
 * turned into a path with "{" kept, then the parts are checked.
 */
static int template_place(struct cat_res *r)
{
	char *path;
	bool any = false;

	path = tx_catalog_uri_path(r->uri);
	if (!path)
		return errno == ENOMEM ? -ENOMEM : 0;
	if (split(path, &r->parts, &r->nparts)) {
		free(path);
		return -ENOMEM;
	}
	r->vars = calloc(r->nparts, sizeof(*r->vars));
	if (!r->vars)
		goto out_nomem;
	for (size_t i = 0; i < r->nparts; i++) {
		const char *p = r->parts[i];
		size_t len = strlen(p);

		if (!strchr(p, '{') && !strchr(p, '}'))
			continue;
		if (len < 3 || p[0] != '{' || p[len - 1] != '}' ||
		    strcspn(p + 1, "{}+#./;?&=,!@|*:") != len - 2 || i == 0)
			goto out_none;
		r->vars[i] = strndup(p + 1, len - 2);
		if (!r->vars[i])
			goto out_nomem;
		any = true;
	}
	if (!any)
		goto out_none;
	r->path = path;
	return 0;
out_none:
	free(path);
	strv_free(r->vars, r->nparts);
	strv_free(r->parts, r->nparts);
	r->vars = r->parts = NULL;
	r->nparts = 0;
	return 0;
out_nomem:
	free(path);
	return -ENOMEM;
}

/* ------------------------------------------------------------------ */
/* Offers                                                               */

void cat_res_release(struct cat_res *r)
{
	free(r->uri);
	free(r->name);
	free(r->title);
	free(r->description);
	free(r->mime);
	free(r->path);
	strv_free(r->vars, r->nparts);
	strv_free(r->parts, r->nparts);
}

/* One resources/list or resourceTemplates entry. */
int cat_res_from(const char *ns, struct json_object *o, bool tmpl,
		 struct cat_res *r)
{
	const char *uri = jstr(o, tmpl ? "uriTemplate" : "uri");
	const char *name = jstr(o, "name");
	struct json_object *sz = NULL;

	memset(r, 0, sizeof(*r));
	if (!uri || !name || !tx_utf8_valid(uri, strlen(uri))) {
		tx_log(TX_LOG_WARN,
		       "mcp %s: skipping a resource%s without a valid "
		       "\"%s\" and \"name\"",
		       ns, tmpl ? " template" : "",
		       tmpl ? "uriTemplate" : "uri");
		return 1;
	}
	r->size = -1;
	if (!tmpl && json_object_object_get_ex(o, "size", &sz) &&
	    json_object_is_type(sz, json_type_int) &&
	    json_object_get_int64(sz) >= 0)
		r->size = json_object_get_int64(sz);
	r->is_template = tmpl;
	r->uri = strdup(uri);
	r->name = strdup(name);
	r->title = dup_or_null(jstr(o, "title"));
	r->description = dup_or_null(jstr(o, "description"));
	r->mime = dup_or_null(jstr(o, "mimeType"));
	if (!r->uri || !r->name)
		return -ENOMEM;
	if (tmpl)
		return template_place(r);
	r->path = tx_catalog_uri_path(uri);
	if (!r->path && errno == ENOMEM)
		return -ENOMEM;
	if (r->path && split(r->path, &r->parts, &r->nparts))
		return -ENOMEM;
	return 0;
}

int cat_res_cmp(const void *a, const void *b)
{
	const struct cat_res *x = a, *y = b;

	if (!x->path || !y->path)
		return !x->path - !y->path;
	return strcmp(x->path, y->path);
}

/* ------------------------------------------------------------------ */
/* The trees                                                            */

static bool has_tree(const struct cat_server *s)
{
	return s->nres && s->res[0].path; /* NULL paths sort last */
}

void tx_res_file_release(struct tx_res_file *f)
{
	free(f->ns);
	free(f->uri);
	free(f->mime);
	memset(f, 0, sizeof(*f));
}

/* Percent-encodes a bound value as RFC 6570 simple expansion does:
 * everything but the unreserved characters. */
static int pct_add(struct tx_buf *b, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (const unsigned char *p = (const unsigned char *)v; *p && !rc;
	     p++) {
		if (isalnum(*p) || strchr("-._~", *p)) {
			rc = tx_buf_add(b, p, 1);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			rc = tx_buf_add(b, e, 3);
		}
	}
	return rc;
}

/*
 * Whether parts[0..n) (below the namespace) lie on template r: every
 * literal part equal, any name where a variable is.  *uri gets the
 * template's URI with those variables bound when n covers the whole
 * template (a file).
 */
static int template_match(const struct cat_res *r, char *const *parts, size_t n,
			  char **uri)
{
	struct tx_buf b;
	const char *t;

	*uri = NULL;
	if (!r->path || n > r->nparts)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!r->vars[i] && strcmp(r->parts[i], parts[i]))
			return 0;
		if (r->vars[i] &&
		    (!strcmp(parts[i], "%") || parts[i][0] == '\0'))
			return 0;
	}
	if (n < r->nparts)
		return 1;
	/* Bind: walk the template text, replacing each {NAME} with the
	 * decoded name looked up at its part, in order. */
	tx_buf_init(&b, 64 * 1024);
	t = r->uri;
	for (size_t i = 0; i < r->nparts; i++) {
		char dec[TX_NAME_MAX + 1];
		const char *open;

		if (!r->vars[i])
			continue;
		open = strchr(t, '{');
		if (!open || tx_name_decode(parts[i], dec, sizeof(dec)) < 0) {
			tx_buf_release(&b);
			return 0;
		}
		if (tx_buf_add(&b, t, (size_t)(open - t)) || pct_add(&b, dec)) {
			tx_buf_release(&b);
			return -ENOMEM;
		}
		t = strchr(open, '}') + 1;
	}
	if (tx_buf_adds(&b, t)) {
		tx_buf_release(&b);
		return -ENOMEM;
	}
	*uri = tx_buf_detach(&b, NULL);
	return *uri ? 1 : -ENOMEM;
}

static bool parts_prefix(const struct cat_res *r, char *const *parts, size_t n)
{
	if (!r->path || r->is_template || r->nparts < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(r->parts[i], parts[i]))
			return false;
	return true;
}

int tx_catalog_resolve(const struct tx_catalog_set *set, const char *path,
		       struct tx_res_file *file)
{
	const struct cat_server *s;
	const char *slash = strchr(path, '/');
	char **parts = NULL;
	size_t n = 0;
	int kind = TX_RES_NONE, rc;

	memset(file, 0, sizeof(*file));
	file->size = -1;
	s = cat_server_by_file(set, path,
			       slash ? (size_t)(slash - path) : strlen(path));
	if (!s || !has_tree(s))
		return TX_RES_NONE;
	if (!slash)
		return TX_RES_DIR;
	if (split(slash + 1, &parts, &n))
		return -ENOMEM;
	/* A listed resource first: a directory of another resource's path
	 * wins over a file of the same path (a tree has no node that is
	 * both). */
	for (size_t i = 0; i < s->nres && kind != TX_RES_DIR; i++) {
		const struct cat_res *r = &s->res[i];

		if (!parts_prefix(r, parts, n))
			continue;
		if (r->nparts > n) {
			kind = TX_RES_DIR;
		} else if (kind == TX_RES_NONE) {
			kind = TX_RES_FILE;
			file->uri = strdup(r->uri);
			file->mime = dup_or_null(r->mime);
			file->size = r->size;
		}
	}
	for (size_t i = 0; i < s->nres && kind == TX_RES_NONE; i++) {
		const struct cat_res *r = &s->res[i];
		char *uri = NULL;

		if (!r->is_template)
			continue;
		rc = template_match(r, parts, n, &uri);
		if (rc < 0) {
			strv_free(parts, n);
			return rc;
		}
		if (rc == 1 && !uri) {
			kind = TX_RES_DIR;
		} else if (rc == 1) {
			kind = TX_RES_FILE;
			file->uri = uri;
			file->mime = dup_or_null(r->mime);
		}
	}
	strv_free(parts, n);
	if (kind == TX_RES_DIR) {
		free(file->uri);
		free(file->mime);
		file->uri = file->mime = NULL;
		file->size = -1;
	}
	if (kind == TX_RES_FILE && !(file->ns = strdup(s->ns))) {
		tx_res_file_release(file);
		return -ENOMEM;
	}
	if (kind == TX_RES_FILE && !file->uri)
		return -ENOMEM;
	return kind;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tx_cat_entry *)a)->name,
		      ((const struct tx_cat_entry *)b)->name);
}

int tx_catalog_list(const struct tx_catalog_set *set, const char *path,
		    struct tx_cat_entry **v, size_t *n)
{
	struct cat_entries e = { 0 };
	struct tx_res_file f;
	char **parts = NULL;
	size_t np = 0;
	int rc = 0;

	*v = NULL;
	*n = 0;
	if (!path[0]) {
		for (size_t i = 0; i < set->n && !rc; i++)
			if (has_tree(set->servers[i]))
				rc = cat_entries_add(
					&e, set->servers[i]->ns_file, true);
		goto out;
	}
	rc = tx_catalog_resolve(set, path, &f);
	tx_res_file_release(&f);
	if (rc != TX_RES_DIR) {
		rc = rc < 0 ? rc : -ENOENT;
		goto out;
	}
	rc = 0;
	{
		const char *slash = strchr(path, '/');
		const struct cat_server *s = cat_server_by_file(
			set, path,
			slash ? (size_t)(slash - path) : strlen(path));

		if (slash && split(slash + 1, &parts, &np)) {
			rc = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; s && i < s->nres && !rc; i++) {
			const struct cat_res *r = &s->res[i];
			char *uri = NULL;

			if (!r->path || r->nparts <= np)
				continue;
			if (r->is_template) {
				/* Its literal parts only: a variable's
				 * names are whatever one looks up. */
				if (template_match(r, parts, np, &uri) != 1 ||
				    r->vars[np])
					continue;
				rc = cat_entries_add(&e, r->parts[np],
						     r->nparts > np + 1);
			} else if (parts_prefix(r, parts, np)) {
				rc = cat_entries_add(&e, r->parts[np],
						     r->nparts > np + 1);
			}
		}
	}
out:
	strv_free(parts, np);
	if (rc) {
		tx_cat_entries_free(e.v, e.n);
		return rc;
	}
	if (e.n)
		qsort(e.v, e.n, sizeof(*e.v), entry_cmp);
	*v = e.v;
	*n = e.n;
	return 0;
}

static int index_cmp(const void *a, const void *b)
{
	const struct cat_res *x = *(struct cat_res *const *)a;
	const struct cat_res *y = *(struct cat_res *const *)b;

	return strcmp(x->uri, y->uri);
}

/* A field of an INDEX line: tabs and newlines would break the line. */
static void add_field(struct tx_buf *b, const char *s)
{
	for (; *s; s++)
		tx_buf_add(b, strchr("\t\r\n", *s) ? " " : s, 1);
}

char *tx_catalog_resources_index(const struct tx_catalog_set *set, size_t *len)
{
	struct tx_buf b;
	char *out;

	tx_buf_init(&b, CAT_TEXT_MAX);
	for (size_t i = 0; i < set->n; i++) {
		const struct cat_server *s = set->servers[i];
		const struct cat_res **by_uri =
			calloc(s->nres + 1, sizeof(*by_uri));

		if (!by_uri) {
			tx_buf_release(&b);
			errno = ENOMEM;
			return NULL;
		}
		for (size_t k = 0; k < s->nres; k++)
			by_uri[k] = &s->res[k];
		qsort(by_uri, s->nres, sizeof(*by_uri), index_cmp);
		for (size_t k = 0; k < s->nres; k++) {
			const struct cat_res *r = by_uri[k];

			add_field(&b, s->ns);
			tx_buf_adds(&b, "\t");
			add_field(&b, r->uri);
			tx_buf_adds(&b, "\t");
			add_field(&b, r->title ? r->title : r->name);
			tx_buf_adds(&b, "\t");
			add_field(&b, r->mime ? r->mime : "-");
			tx_buf_printf(&b, "\t%s%s%s\n",
				      r->path ? s->ns_file : "",
				      r->path ? "/" : "",
				      r->path ? r->path : "-");
		}
		free(by_uri);
	}
	out = tx_buf_detach(&b, len);
	if (!out)
		errno = ENOMEM;
	return out;
}

/* ------------------------------------------------------------------ */
/* The engine's calls                                                   */

/* The offer of server ns with a reference, or NULL. */
static struct cat_server *server_get(struct tx_engine *e, const char *ns)
{
	struct tx_catalog_set *set = tx_engine_catalog(e);
	struct cat_server *s = NULL;

	for (size_t i = 0; i < set->n && !s; i++)
		if (!strcmp(set->servers[i]->ns, ns)) {
			s = set->servers[i];
			atomic_fetch_add(&s->refs, 1);
		}
	tx_catalog_set_unref(set);
	return s;
}

int tx_engine_resource_read(struct tx_engine *e, const char *ns,
			    const char *uri, char **data, size_t *len,
			    char *err, size_t errlen)
{
	struct cat_server *s = server_get(e, ns);
	int rc;

	*data = NULL;
	*len = 0;
	if (!s) {
		snprintf(err, errlen, "no server %s offers resources", ns);
		return -ENOENT;
	}
	rc = s->ops->read(s->be, uri, data, len, err, errlen);
	cat_server_unref(s);
	return rc;
}

static void read_answered(void *ctx, int rc, char *data, size_t len,
			  const char *err)
{
	struct cat_read_ask *a = ctx;

	a->fn(a->ctx, rc, data, len, NULL, err);
	free(a);
}

void tx_engine_resource_read_start(struct tx_engine *e, const char *ns,
				   const char *uri, tx_engine_answer_fn *fn,
				   void *ctx)
{
	struct cat_server *s = server_get(e, ns);
	struct cat_read_ask *a;
	char err[300];

	if (!s) {
		snprintf(err, sizeof(err), "no server %s offers resources", ns);
		fn(ctx, -ENOENT, NULL, 0, NULL, err);
		return;
	}
	if (!s->ops->read_start) {
		cat_server_unref(s);
		fn(ctx, -EOPNOTSUPP, NULL, 0, NULL,
		   "the server's resources cannot be read without waiting");
		return;
	}
	a = malloc(sizeof(*a));
	if (!a) {
		cat_server_unref(s);
		fn(ctx, -ENOMEM, NULL, 0, NULL, "out of memory");
		return;
	}
	a->fn = fn;
	a->ctx = ctx;
	s->ops->read_start(s->be, uri, read_answered, a);
	cat_server_unref(s);
}

/* The variables a template binds before part np, as a context's
 * "arguments" object; NULL (and *rc) on ENOMEM, or when there are none. */
static struct json_object *bound_before(const struct cat_res *r,
					char *const *parts, size_t np, int *rc)
{
	struct json_object *args = NULL;

	*rc = 0;
	for (size_t i = 0; i < np; i++) {
		char dec[TX_NAME_MAX + 1];

		if (!r->vars[i] ||
		    tx_name_decode(parts[i], dec, sizeof(dec)) < 0)
			continue;
		if (!args && !(args = json_object_new_object()))
			goto out_nomem;
		if (json_object_object_add(args, r->vars[i],
					   json_object_new_string(dec)))
			goto out_nomem;
	}
	return args;
out_nomem:
	json_object_put(args);
	*rc = -ENOMEM;
	return NULL;
}

/* One template whose variable a directory binds, for completion. */
struct cat_ask {
	char *uri, *var;
	struct json_object *context;
	bool dir;
};

int tx_engine_resource_complete(struct tx_engine *e, const char *path,
				const char *prefix, struct tx_cat_entry **v,
				size_t *n, char *err, size_t errlen)
{
	struct tx_catalog_set *set = tx_engine_catalog(e);
	const char *slash = strchr(path, '/');
	struct cat_server *s = NULL;
	struct cat_entries out = { 0 };
	struct cat_ask *asks = NULL;
	size_t nasks = 0, np = 0;
	char **parts = NULL;
	int rc = 0;

	*v = NULL;
	*n = 0;
	if (!set)
		return -ENOMEM;
	{
		const struct cat_server *cs = cat_server_by_file(
			set, path,
			slash ? (size_t)(slash - path) : strlen(path));

		if (cs) {
			s = (struct cat_server *)cs;
			atomic_fetch_add(&s->refs, 1);
		}
	}
	if (!s || (slash && split(slash + 1, &parts, &np))) {
		rc = s ? -ENOMEM : -ENOENT;
		goto out;
	}
	asks = calloc(s->nres + 1, sizeof(*asks));
	if (!asks) {
		rc = -ENOMEM;
		goto out;
	}
	/* The snapshot's strings are copied: the server is asked with no
	 * snapshot held. */
	for (size_t i = 0; i < s->nres && !rc; i++) {
		const struct cat_res *r = &s->res[i];
		char *uri = NULL;

		if (!r->is_template || r->nparts <= np ||
		    template_match(r, parts, np, &uri) != 1 || !r->vars[np])
			continue;
		free(uri);
		asks[nasks].uri = strdup(r->uri);
		asks[nasks].var = strdup(r->vars[np]);
		asks[nasks].dir = r->nparts > np + 1;
		asks[nasks].context = bound_before(r, parts, np, &rc);
		if (!asks[nasks].uri || !asks[nasks].var)
			rc = -ENOMEM;
		nasks++;
	}
	tx_catalog_set_unref(set);
	set = NULL;
	if (!rc && !nasks)
		rc = -ENOENT;
	if (!rc && !s->ops->complete)
		rc = -EOPNOTSUPP;
	for (size_t i = 0; i < nasks && !rc; i++) {
		char **vals = NULL;
		size_t nv = 0;

		rc = s->ops->complete(s->be, asks[i].uri, asks[i].var, prefix,
				      asks[i].context, &vals, &nv, err, errlen);
		for (size_t k = 0; k < nv && !rc; k++) {
			char enc[TX_NAME_MAX + 1];

			/* A value that cannot be a part is left out. */
			if (!vals[k][0] ||
			    tx_name_encode(vals[k], enc, sizeof(enc)) < 0)
				continue;
			rc = cat_entries_add(&out, enc, asks[i].dir);
		}
		tx_strv_free(vals, nv);
	}
out:
	for (size_t i = 0; i < nasks; i++) {
		free(asks[i].uri);
		free(asks[i].var);
		json_object_put(asks[i].context);
	}
	free(asks);
	strv_free(parts, np);
	if (s)
		cat_server_unref(s);
	if (set)
		tx_catalog_set_unref(set);
	if (rc) {
		tx_cat_entries_free(out.v, out.n);
		return rc;
	}
	if (out.n)
		qsort(out.v, out.n, sizeof(*out.v), entry_cmp);
	*v = out.v;
	*n = out.n;
	return 0;
}

/* Takes back one count of a subscription the server refused. */
static void sub_forget(struct tx_catalog *cat, const char *ns, const char *uri)
{
	struct cat_sub **pp, *sub;

	pthread_mutex_lock(&cat->watch_lock);
	for (pp = &cat->subs; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->ns, ns) && !strcmp((*pp)->uri, uri))
			break;
	sub = *pp;
	if (sub && --sub->count == 0) {
		*pp = sub->next;
		free(sub->ns);
		free(sub->uri);
		free(sub);
	}
	pthread_mutex_unlock(&cat->watch_lock);
}

int tx_engine_resource_subscribe(struct tx_engine *e, const char *ns,
				 const char *uri, bool on)
{
	struct tx_catalog *cat = tx_registry_catalog(e->registry);
	struct cat_server *s = server_get(e, ns);
	struct cat_sub **pp, *sub;
	bool edge = false;
	int rc = 0;

	if (!s)
		return -ENOENT;
	if (!s->ops->subscribe) {
		cat_server_unref(s);
		return -EOPNOTSUPP;
	}
	pthread_mutex_lock(&cat->watch_lock);
	for (pp = &cat->subs; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->ns, ns) && !strcmp((*pp)->uri, uri))
			break;
	sub = *pp;
	if (on && !sub) {
		sub = calloc(1, sizeof(*sub));
		if (sub && (sub->ns = strdup(ns)) && (sub->uri = strdup(uri))) {
			*pp = sub;
		} else {
			if (sub)
				free(sub->ns);
			free(sub);
			sub = NULL;
			rc = -ENOMEM;
		}
	}
	if (sub && on)
		edge = sub->count++ == 0;
	else if (sub && !on && sub->count && --sub->count == 0) {
		edge = true;
		*pp = sub->next;
		free(sub->ns);
		free(sub->uri);
		free(sub);
	}
	pthread_mutex_unlock(&cat->watch_lock);
	/* Outside the lock: it waits for the server. */
	if (!rc && edge)
		rc = s->ops->subscribe(s->be, uri, on);
	cat_server_unref(s);
	if (rc && on && rc != -ENOMEM)
		sub_forget(cat, ns, uri); /* the next open asks again */
	return rc;
}

int tx_engine_watch_resources(struct tx_engine *e, tx_resource_updated_fn fn,
			      void *ctx)
{
	return tx_catalog_listen_updated(tx_registry_catalog(e->registry), fn,
					 ctx);
}
