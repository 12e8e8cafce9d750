/*
 * registry.c - the tool set as immutable, reference-counted snapshots.
 *
 * Writers (config reload, MCP list_changed) are serialized by
 * write_lock and build a whole new set; the pointer swap happens under
 * the rwlock's write side, which readers hold only long enough to take a
 * reference.  So a reader never sees half a change and never waits for
 * a writer's work, only for a pointer store.
 */
#include "engine/registry.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/log.h"
#include "engine/catalog.h"
#include "engine/tool.h"

struct tx_toolset {
	atomic_int refs;
	uint64_t generation;
	size_t n;
	struct tx_tool **by_id;   /* sorted by id */
	struct tx_tool **by_file; /* sorted by (ns_file, name_file) */
};

struct source {
	char *name;
	struct tx_tool **tools;
	size_t n;
};

struct listener {
	tx_tools_changed_fn fn;
	void *ctx;
};

struct tx_registry {
	pthread_rwlock_t cur_lock;
	struct tx_toolset *cur; /* cur_lock */
	pthread_mutex_t write_lock;
	struct source *sources;     /* write_lock */
	size_t nsources;            /* write_lock */
	struct listener *listeners; /* write_lock; after the swap */
	size_t nlisteners;          /* write_lock */
	struct listener *preparers; /* write_lock; before the swap */
	size_t npreparers;          /* write_lock */
	uint64_t generation;        /* write_lock */
	/* What the same servers offer besides tools (catalog.h): kept
	 * here because every server that publishes tools is handed the
	 * registry. */
	struct tx_catalog *catalog;
};

static int cmp_id(const void *a, const void *b)
{
	const struct tx_tool *x = *(struct tx_tool *const *)a;
	const struct tx_tool *y = *(struct tx_tool *const *)b;

	return strcmp(x->id, y->id);
}

static int cmp_file(const void *a, const void *b)
{
	const struct tx_tool *x = *(struct tx_tool *const *)a;
	const struct tx_tool *y = *(struct tx_tool *const *)b;
	int c = strcmp(x->ns_file, y->ns_file);

	return c ? c : strcmp(x->name_file, y->name_file);
}

static void toolset_free(struct tx_toolset *set)
{
	for (size_t i = 0; i < set->n; i++)
		tx_tool_unref(set->by_id[i]);
	free(set->by_id);
	free(set->by_file);
	free(set);
}

void tx_toolset_unref(struct tx_toolset *set)
{
	if (set && atomic_fetch_sub(&set->refs, 1) == 1)
		toolset_free(set);
}

static struct tx_toolset *toolset_build(struct source *sources, size_t ns,
					uint64_t generation)
{
	struct tx_toolset *set = calloc(1, sizeof(*set));
	size_t n = 0;

	if (!set)
		return NULL;
	atomic_init(&set->refs, 1);
	set->generation = generation;
	for (size_t i = 0; i < ns; i++)
		n += sources[i].n;
	set->by_id = calloc(n ? n : 1, sizeof(*set->by_id));
	set->by_file = calloc(n ? n : 1, sizeof(*set->by_file));
	if (!set->by_id || !set->by_file) {
		free(set->by_id);
		free(set->by_file);
		free(set);
		return NULL;
	}
	for (size_t i = 0; i < ns; i++)
		for (size_t j = 0; j < sources[i].n; j++) {
			struct tx_tool *t = sources[i].tools[j];

			tx_tool_ref(t);
			set->by_id[set->n] = t;
			set->by_file[set->n] = t;
			set->n++;
		}
	qsort(set->by_id, set->n, sizeof(*set->by_id), cmp_id);
	qsort(set->by_file, set->n, sizeof(*set->by_file), cmp_file);
	return set;
}

struct tx_registry *tx_registry_new(void)
{
	struct tx_registry *reg = calloc(1, sizeof(*reg));

	if (!reg)
		return NULL;
	pthread_rwlock_init(&reg->cur_lock, NULL);
	pthread_mutex_init(&reg->write_lock, NULL);
	reg->cur = toolset_build(NULL, 0, 0);
	reg->catalog = tx_catalog_new();
	if (!reg->cur || !reg->catalog) {
		if (reg->cur)
			tx_toolset_unref(reg->cur);
		tx_catalog_free(reg->catalog);
		free(reg);
		errno = ENOMEM;
		return NULL;
	}
	return reg;
}

static void source_release(struct source *s)
{
	for (size_t i = 0; i < s->n; i++)
		tx_tool_unref(s->tools[i]);
	free(s->tools);
	free(s->name);
}

void tx_registry_free(struct tx_registry *reg)
{
	if (!reg)
		return;
	for (size_t i = 0; i < reg->nsources; i++)
		source_release(&reg->sources[i]);
	free(reg->sources);
	free(reg->listeners);
	free(reg->preparers);
	tx_toolset_unref(reg->cur);
	tx_catalog_free(reg->catalog);
	pthread_rwlock_destroy(&reg->cur_lock);
	pthread_mutex_destroy(&reg->write_lock);
	free(reg);
}

struct tx_toolset *tx_registry_snapshot(struct tx_registry *reg)
{
	struct tx_toolset *set;

	pthread_rwlock_rdlock(&reg->cur_lock);
	set = reg->cur;
	atomic_fetch_add(&set->refs, 1);
	pthread_rwlock_unlock(&reg->cur_lock);
	return set;
}

static struct tx_tool *source_find(const struct source *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->tools[i]->id, id))
			return s->tools[i];
	return NULL;
}

int tx_registry_set_source(struct tx_registry *reg, const char *source,
			   struct tx_tool *const *tools, size_t n, char *err,
			   size_t errlen)
{
	struct source *src = NULL, fresh = { 0 };
	struct tx_toolset *set, *old;
	struct tx_buf why;
	int refused = 0;
	size_t idx;

	tx_buf_init(&why, 4096);
	if (err && errlen)
		err[0] = '\0';
	pthread_mutex_lock(&reg->write_lock);
	for (idx = 0; idx < reg->nsources; idx++)
		if (!strcmp(reg->sources[idx].name, source)) {
			src = &reg->sources[idx];
			break;
		}
	fresh.tools = calloc(n ? n : 1, sizeof(*fresh.tools));
	fresh.name = strdup(source);
	if (!fresh.tools || !fresh.name) {
		free(fresh.tools);
		free(fresh.name);
		pthread_mutex_unlock(&reg->write_lock);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct tx_tool *t = tools[i], *prev;
		const char *holder = NULL;

		for (size_t s = 0; s < reg->nsources && !holder; s++)
			if (&reg->sources[s] != src &&
			    source_find(&reg->sources[s], t->id))
				holder = reg->sources[s].name;
		if (!holder && source_find(&fresh, t->id))
			holder = source;
		if (holder) {
			tx_buf_printf(&why, "%s%s already defined by %s",
				      refused ? "; " : "", t->id, holder);
			refused++;
			continue;
		}
		/* An unchanged definition keeps its identity (and caches). */
		prev = src ? source_find(src, t->id) : NULL;
		if (prev && tx_tool_same(prev, t))
			t = prev;
		tx_tool_ref(t);
		fresh.tools[fresh.n++] = t;
	}
	if (src) {
		source_release(src);
		*src = fresh;
	} else {
		struct source *grown = realloc(
			reg->sources, (reg->nsources + 1) * sizeof(*grown));

		if (!grown) {
			source_release(&fresh);
			pthread_mutex_unlock(&reg->write_lock);
			tx_buf_release(&why);
			return -ENOMEM;
		}
		reg->sources = grown;
		reg->sources[reg->nsources++] = fresh;
	}
	set = toolset_build(reg->sources, reg->nsources, reg->generation + 1);
	if (!set) {
		pthread_mutex_unlock(&reg->write_lock);
		tx_buf_release(&why);
		return -ENOMEM;
	}
	reg->generation++;
	/*
	 * State derived from the tool set (the search index) is brought up
	 * to date before the set is published, not after: a reader that
	 * sees the new generation must find the index current, or it may
	 * cache the old index's answer under the new generation.  reg->cur
	 * is still the old set here and only this thread changes it.
	 */
	for (size_t i = 0; i < reg->npreparers; i++)
		reg->preparers[i].fn(reg->preparers[i].ctx, reg->cur, set);
	pthread_rwlock_wrlock(&reg->cur_lock);
	old = reg->cur;
	reg->cur = set;
	pthread_rwlock_unlock(&reg->cur_lock);
	for (size_t i = 0; i < reg->nlisteners; i++)
		reg->listeners[i].fn(reg->listeners[i].ctx, old, set);
	pthread_mutex_unlock(&reg->write_lock);
	tx_toolset_unref(old);
	if (refused && err && errlen)
		snprintf(err, errlen, "%s", why.data);
	tx_buf_release(&why);
	return refused;
}

static int listener_add(struct tx_registry *reg, struct listener **list,
			size_t *n, tx_tools_changed_fn fn, void *ctx)
{
	struct listener *grown;
	int rc = 0;

	pthread_mutex_lock(&reg->write_lock);
	grown = realloc(*list, (*n + 1) * sizeof(*grown));
	if (grown) {
		*list = grown;
		grown[*n].fn = fn;
		grown[*n].ctx = ctx;
		(*n)++;
	} else {
		rc = -ENOMEM;
	}
	pthread_mutex_unlock(&reg->write_lock);
	return rc;
}

int tx_registry_listen(struct tx_registry *reg, tx_tools_changed_fn fn,
		       void *ctx)
{
	return listener_add(reg, &reg->listeners, &reg->nlisteners, fn, ctx);
}

int tx_registry_listen_before(struct tx_registry *reg, tx_tools_changed_fn fn,
			      void *ctx)
{
	return listener_add(reg, &reg->preparers, &reg->npreparers, fn, ctx);
}

uint64_t tx_toolset_generation(const struct tx_toolset *set)
{
	return set->generation;
}

size_t tx_toolset_count(const struct tx_toolset *set)
{
	return set->n;
}

const struct tx_tool *tx_toolset_at(const struct tx_toolset *set, size_t i)
{
	return i < set->n ? set->by_id[i] : NULL;
}

const struct tx_tool *tx_toolset_find(const struct tx_toolset *set,
				      const char *id)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(set->by_id[mid]->id, id);

		if (!c)
			return set->by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct tx_tool *tx_toolset_find_file(const struct tx_toolset *set,
					   const char *ns_file,
					   const char *name_file)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct tx_tool *t = set->by_file[mid];
		int c = strcmp(t->ns_file, ns_file);

		if (!c)
			c = strcmp(t->name_file, name_file);
		if (!c)
			return t;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct tx_catalog *tx_registry_catalog(struct tx_registry *reg)
{
	return reg->catalog;
}
