/*
 * catalog.c - the servers' offers (resources, resource templates and
 * prompts) as immutable snapshots (catalog.h), the listeners told of a
 * change, and the lookups the trees of resources and of prompts share.
 * Resources and templates are in catalog_resources.c, prompts in
 * catalog_prompts.c; catalog_i.h holds what the three files share.
 *
 * A server's offer is parsed once, when published, into structs that
 * are never changed; a snapshot holds references on the offers of every
 * server, so a publish builds one new offer and a new array of
 * pointers, and a reader takes a reference under a lock held only for
 * that.  The trees the faces show are computed from a snapshot on each
 * lookup: the number of resources a server lists is capped
 * (CAT_ENTRIES_MAX), so a scan costs little and nothing needs
 * invalidating when the offer changes.
 */
#include "engine/catalog_i.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "engine/backend.h"
#include "engine/engine_i.h"
#include "engine/registry.h"
#include "util/log.h"

#define CAT_ENTRIES_MAX 10000 /* resources, templates, prompts per server */

/* ------------------------------------------------------------------ */
/* Offers                                                               */

void cat_server_unref(struct cat_server *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	for (size_t i = 0; i < s->nres; i++)
		cat_res_release(&s->res[i]);
	for (size_t i = 0; i < s->nprompts; i++)
		cat_prompt_release(&s->prompts[i]);
	free(s->res);
	free(s->prompts);
	free(s->ns);
	free(s->ns_file);
	if (s->be)
		tx_backend_unref(s->be);
	free(s);
}

static int add_entries(const char *ns, struct cat_server *s,
		       struct json_object *arr, bool tmpl)
{
	size_t n;

	if (!arr || !json_object_is_type(arr, json_type_array))
		return 0;
	n = json_object_array_length(arr);
	for (size_t i = 0; i < n && s->nres < CAT_ENTRIES_MAX; i++) {
		int rc = cat_res_from(ns, json_object_array_get_idx(arr, i),
				      tmpl, &s->res[s->nres]);

		if (rc < 0) {
			cat_res_release(&s->res[s->nres]);
			return rc;
		}
		if (rc > 0) {
			cat_res_release(&s->res[s->nres]);
			continue;
		}
		s->nres++;
	}
	return 0;
}

static struct cat_server *server_build(const char *ns, struct json_object *res,
				       struct json_object *tmpl,
				       struct json_object *prompts)
{
	struct cat_server *s = calloc(1, sizeof(*s));
	char enc[TX_NAME_MAX + 1];
	size_t nr = 0, np = 0;

	if (!s)
		return NULL;
	atomic_init(&s->refs, 1);
	if (res && json_object_is_type(res, json_type_array))
		nr += json_object_array_length(res);
	if (tmpl && json_object_is_type(tmpl, json_type_array))
		nr += json_object_array_length(tmpl);
	if (prompts && json_object_is_type(prompts, json_type_array))
		np = json_object_array_length(prompts);
	if (nr > CAT_ENTRIES_MAX || np > CAT_ENTRIES_MAX)
		tx_log(TX_LOG_WARN,
		       "mcp %s: more than %d resources or prompts; the rest "
		       "are left out",
		       ns, CAT_ENTRIES_MAX);
	nr = nr > CAT_ENTRIES_MAX ? CAT_ENTRIES_MAX : nr;
	np = np > CAT_ENTRIES_MAX ? CAT_ENTRIES_MAX : np;
	s->ns = strdup(ns);
	s->res = calloc(nr + 1, sizeof(*s->res));
	s->prompts = calloc(np + 1, sizeof(*s->prompts));
	if (tx_name_encode(ns, enc, sizeof(enc)) < 0)
		enc[0] = '\0';
	s->ns_file = strdup(enc);
	if (!s->ns || !s->res || !s->prompts || !s->ns_file)
		goto out_free;
	if (add_entries(ns, s, res, false) || add_entries(ns, s, tmpl, true))
		goto out_free;
	for (size_t i = 0; i < np; i++) {
		int rc = cat_prompt_from(ns,
					 json_object_array_get_idx(prompts, i),
					 &s->prompts[s->nprompts]);

		if (rc) {
			cat_prompt_release(&s->prompts[s->nprompts]);
			if (rc < 0)
				goto out_free;
			continue;
		}
		s->nprompts++;
	}
	qsort(s->res, s->nres, sizeof(*s->res), cat_res_cmp);
	qsort(s->prompts, s->nprompts, sizeof(*s->prompts), cat_prompt_cmp);
	return s;
out_free:
	cat_server_unref(s);
	errno = ENOMEM;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Snapshots                                                            */

static void set_free(struct tx_catalog_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		cat_server_unref(set->servers[i]);
	free(set->servers);
	free(set);
}

void tx_catalog_set_unref(struct tx_catalog_set *set)
{
	if (set && atomic_fetch_sub(&set->refs, 1) == 1)
		set_free(set);
}

uint64_t tx_catalog_set_generation(const struct tx_catalog_set *set)
{
	return set->generation;
}

struct tx_catalog *tx_catalog_new(void)
{
	struct tx_catalog *cat = calloc(1, sizeof(*cat));

	if (!cat || !(cat->cur = calloc(1, sizeof(*cat->cur)))) {
		free(cat);
		errno = ENOMEM;
		return NULL;
	}
	atomic_init(&cat->cur->refs, 1);
	pthread_mutex_init(&cat->lock, NULL);
	pthread_mutex_init(&cat->write_lock, NULL);
	pthread_mutex_init(&cat->watch_lock, NULL);
	return cat;
}

void tx_catalog_free(struct tx_catalog *cat)
{
	if (!cat)
		return;
	tx_catalog_set_unref(cat->cur);
	while (cat->subs) {
		struct cat_sub *s = cat->subs;

		cat->subs = s->next;
		free(s->ns);
		free(s->uri);
		free(s);
	}
	pthread_mutex_destroy(&cat->lock);
	pthread_mutex_destroy(&cat->write_lock);
	pthread_mutex_destroy(&cat->watch_lock);
	free(cat);
}

struct tx_catalog_set *tx_catalog_snapshot(struct tx_catalog *cat)
{
	struct tx_catalog_set *set;

	pthread_mutex_lock(&cat->lock);
	set = cat->cur;
	atomic_fetch_add(&set->refs, 1);
	pthread_mutex_unlock(&cat->lock);
	return set;
}

static int server_cmp(const void *a, const void *b)
{
	const struct cat_server *x = *(struct cat_server *const *)a;
	const struct cat_server *y = *(struct cat_server *const *)b;

	return strcmp(x->ns_file, y->ns_file);
}

/* Swaps in the current set without ns, plus s (may be NULL). */
static int replace(struct tx_catalog *cat, const char *ns, struct cat_server *s)
{
	struct tx_catalog_set *old, *set;

	pthread_mutex_lock(&cat->write_lock);
	old = tx_catalog_snapshot(cat);
	set = calloc(1, sizeof(*set));
	if (set)
		set->servers = calloc(old->n + 1, sizeof(*set->servers));
	if (!set || !set->servers) {
		free(set);
		tx_catalog_set_unref(old);
		pthread_mutex_unlock(&cat->write_lock);
		cat_server_unref(s);
		return -ENOMEM;
	}
	atomic_init(&set->refs, 1);
	set->generation = old->generation + 1;
	for (size_t i = 0; i < old->n; i++) {
		if (!strcmp(old->servers[i]->ns, ns))
			continue;
		atomic_fetch_add(&old->servers[i]->refs, 1);
		set->servers[set->n++] = old->servers[i];
	}
	if (s)
		set->servers[set->n++] = s;
	qsort(set->servers, set->n, sizeof(*set->servers), server_cmp);
	tx_catalog_set_unref(old);
	pthread_mutex_lock(&cat->lock);
	old = cat->cur;
	cat->cur = set;
	pthread_mutex_unlock(&cat->lock);
	tx_catalog_set_unref(old);
	for (size_t i = 0; i < cat->nlisteners; i++)
		cat->listeners[i].fn(cat->listeners[i].ctx);
	pthread_mutex_unlock(&cat->write_lock);
	return 0;
}

int tx_catalog_set_server(struct tx_catalog *cat, const char *ns,
			  struct tx_backend *be,
			  const struct tx_catalog_server_ops *ops,
			  struct json_object *resources,
			  struct json_object *templates,
			  struct json_object *prompts, char *err, size_t errlen)
{
	struct cat_server *s = server_build(ns, resources, templates, prompts);

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->be = tx_backend_ref(be);
	s->ops = ops;
	return replace(cat, ns, s);
}

void tx_catalog_remove_server(struct tx_catalog *cat, const char *ns)
{
	struct tx_catalog_set *set = tx_catalog_snapshot(cat);
	bool there = false;

	for (size_t i = 0; i < set->n && !there; i++)
		there = !strcmp(set->servers[i]->ns, ns);
	tx_catalog_set_unref(set);
	if (there)
		replace(cat, ns, NULL);
}

int tx_catalog_listen(struct tx_catalog *cat, tx_catalog_changed_fn fn,
		      void *ctx)
{
	int rc = 0;

	pthread_mutex_lock(&cat->write_lock);
	if (cat->nlisteners == CAT_LISTENERS_MAX)
		rc = -ENOSPC;
	else
		cat->listeners[cat->nlisteners++] =
			(struct cat_listener){ fn, ctx };
	pthread_mutex_unlock(&cat->write_lock);
	return rc;
}

int tx_catalog_listen_updated(struct tx_catalog *cat, tx_resource_updated_fn fn,
			      void *ctx)
{
	int rc = 0;

	pthread_mutex_lock(&cat->watch_lock);
	if (cat->nwatchers == CAT_LISTENERS_MAX)
		rc = -ENOSPC;
	else
		cat->watchers[cat->nwatchers++] =
			(struct cat_watcher){ fn, ctx };
	pthread_mutex_unlock(&cat->watch_lock);
	return rc;
}

void tx_catalog_updated(struct tx_catalog *cat, const char *ns, const char *uri)
{
	struct cat_watcher w[CAT_LISTENERS_MAX];
	size_t n;

	pthread_mutex_lock(&cat->watch_lock);
	n = cat->nwatchers;
	memcpy(w, cat->watchers, n * sizeof(*w));
	pthread_mutex_unlock(&cat->watch_lock);
	for (size_t i = 0; i < n; i++)
		w[i].fn(w[i].ctx, ns, uri);
}

/* ------------------------------------------------------------------ */
/* What the trees of resources and of prompts share                     */

const struct cat_server *cat_server_by_file(const struct tx_catalog_set *set,
					    const char *ns_file, size_t len)
{
	for (size_t i = 0; i < set->n; i++)
		if (strlen(set->servers[i]->ns_file) == len &&
		    !strncmp(set->servers[i]->ns_file, ns_file, len))
			return set->servers[i];
	return NULL;
}

void tx_cat_entries_free(struct tx_cat_entry *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].name);
	free(v);
}

/* Adds name (as a directory when dir); a directory wins over a file. */
int cat_entries_add(struct cat_entries *e, const char *name, bool dir)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->v[i].name, name)) {
			e->v[i].dir = e->v[i].dir || dir;
			return 0;
		}
	if (e->n == e->cap) {
		size_t nc = e->cap ? 2 * e->cap : 16;
		struct tx_cat_entry *nv = realloc(e->v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		e->v = nv;
		e->cap = nc;
	}
	e->v[e->n].name = strdup(name);
	if (!e->v[e->n].name)
		return -ENOMEM;
	e->v[e->n++].dir = dir;
	return 0;
}

struct tx_catalog_set *tx_engine_catalog(struct tx_engine *e)
{
	return tx_catalog_snapshot(tx_registry_catalog(e->registry));
}
