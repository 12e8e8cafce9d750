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
	/*
	 * The change from the set before: tools here that were not there
	 * (borrowed: by_id holds them) and tools there that are not here
	 * (references: see `next`).  Both sorted by id.
	 */
	struct tx_tool **added;
	size_t nadded;
	struct tx_tool **removed;
	size_t nremoved;
	/*
	 * The set that replaced this one, referenced.  A set holds no
	 * reference of its own on its tools: the registry's sources hold
	 * one per tool, and a tool that leaves them is handed to the
	 * removed list of the set that no longer shows it.  Each set keeping
	 * its successor alive keeps every tool it shows alive, at a cost per
	 * change of what changed, not of the whole set.
	 */
	struct tx_toolset *next;
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

/* An entry of the ID index: which source holds which tool. */
struct id_slot {
	struct tx_tool *tool; /* NULL: free */
	uint64_t hash;        /* of tool->id: probes and growth need not
			       * touch the tool (a cache miss each) */
	size_t source;        /* index into sources */
	uint64_t serial;      /* the update that put it here */
};

struct tool_list {
	struct tx_tool **v;
	size_t n, cap;
};

struct tx_registry {
	pthread_rwlock_t cur_lock;
	struct tx_toolset *cur; /* cur_lock */
	pthread_mutex_t write_lock;
	struct source *sources;     /* write_lock */
	size_t nsources;            /* write_lock */
	struct id_slot *ids;        /* write_lock; open addressing by id */
	size_t nids_cap;            /* write_lock; a power of two, or 0 */
	size_t nids;                /* write_lock */
	uint64_t serial;            /* write_lock; one per source update */
	struct listener *listeners; /* write_lock; after the swap */
	size_t nlisteners;          /* write_lock */
	struct listener *preparers; /* write_lock; before the swap */
	size_t npreparers;          /* write_lock */
	uint64_t generation;        /* write_lock */
	/* write_lock: what a publication that ran out of memory would have
	 * shown, published with the next update (so the sources, already
	 * changed, and the sets meet again); removed holds references. */
	struct tool_list pend_added, pend_removed;
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

/*
 * Sorts v unless it is in order already, the common case at start-up:
 * each source's tools are sorted when it is set, while they are still
 * in the cache, and sources mostly come in the order of their tools (a
 * file or server per namespace).  One pass in the order the tools were
 * made, instead of N log N comparisons each reading two tools from
 * anywhere in a heap of 50 000.
 */
static void sort_tools(struct tx_tool **v, size_t n,
		       int (*cmp)(const void *, const void *))
{
	for (size_t i = 1; i < n; i++)
		if (cmp(&v[i - 1], &v[i]) > 0) {
			qsort(v, n, sizeof(*v), cmp);
			return;
		}
}

/* ------------------------------------------------------------------ */
/* The ID index: duplicate checks in constant time                      */

static uint64_t hash_id(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static struct id_slot *ids_find(const struct tx_registry *reg, const char *id)
{
	size_t mask = reg->nids_cap - 1;
	uint64_t h;

	if (!reg->nids_cap)
		return NULL;
	h = hash_id(id);
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct id_slot *s = &reg->ids[i];

		if (!s->tool)
			return NULL;
		if (s->hash == h && !strcmp(s->tool->id, id))
			return s;
	}
}

static void ids_put_slot(struct id_slot *tab, size_t cap, struct id_slot e)
{
	size_t mask = cap - 1, i = e.hash & mask;

	while (tab[i].tool)
		i = (i + 1) & mask;
	tab[i] = e;
}

/* Makes room for one more entry: 0 or -ENOMEM. */
static int ids_reserve(struct tx_registry *reg, size_t more)
{
	size_t cap = reg->nids_cap ? reg->nids_cap : 64;
	struct id_slot *tab;

	/* At most half full: probes stay short. */
	while ((reg->nids + more) * 2 > cap)
		cap *= 2;
	if (cap == reg->nids_cap)
		return 0;
	tab = calloc(cap, sizeof(*tab));
	if (!tab)
		return -ENOMEM;
	for (size_t i = 0; i < reg->nids_cap; i++)
		if (reg->ids[i].tool)
			ids_put_slot(tab, cap, reg->ids[i]);
	free(reg->ids);
	reg->ids = tab;
	reg->nids_cap = cap;
	return 0;
}

/* Removes a slot, moving later entries of its run back (no tombstones). */
static void ids_del(struct tx_registry *reg, struct id_slot *s)
{
	size_t mask = reg->nids_cap - 1, i = (size_t)(s - reg->ids), j = i;

	reg->ids[i].tool = NULL;
	reg->nids--;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!reg->ids[j].tool)
			return;
		home = reg->ids[j].hash & mask;
		/* Entry j may fill hole i unless its home lies in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		reg->ids[i] = reg->ids[j];
		reg->ids[j].tool = NULL;
		i = j;
	}
}

/* ------------------------------------------------------------------ */
/* Sets                                                                 */

static void toolset_free_one(struct tx_toolset *set)
{
	for (size_t i = 0; i < set->nremoved; i++)
		tx_tool_unref(set->removed[i]);
	free(set->removed);
	free(set->added);
	free(set->by_id);
	free(set->by_file);
	free(set);
}

void tx_toolset_unref(struct tx_toolset *set)
{
	/* A loop, not recursion: a chain of successors may be long. */
	while (set && atomic_fetch_sub(&set->refs, 1) == 1) {
		struct tx_toolset *next = set->next;

		toolset_free_one(set);
		set = next;
	}
}

/* The position of tool t in arr (sorted by cmp, keys unique). */
static size_t lower_bound(struct tx_tool *const *arr, size_t n,
			  const struct tx_tool *t,
			  int (*cmp)(const void *, const void *))
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp(&arr[mid], &t) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * dst = old minus rm plus add, all sorted by cmp; rm are elements of
 * old.  Copies runs of old between the change points, so the cost is a
 * memcpy of the set plus a binary search per change.  pos has room for
 * nrm + nadd positions.
 */
static void splice(struct tx_tool **dst, struct tx_tool *const *old, size_t n,
		   struct tx_tool *const *rm, size_t nrm,
		   struct tx_tool *const *add, size_t nadd, size_t *pos,
		   int (*cmp)(const void *, const void *))
{
	size_t *rpos = pos, *apos = pos + nrm;
	size_t o = 0, d = 0, r = 0, a = 0;

	for (size_t i = 0; i < nrm; i++)
		rpos[i] = lower_bound(old, n, rm[i], cmp);
	for (size_t i = 0; i < nadd; i++)
		apos[i] = lower_bound(old, n, add[i], cmp);
	while (r < nrm || a < nadd) {
		size_t rp = r < nrm ? rpos[r] : n;
		size_t ap = a < nadd ? apos[a] : n;
		size_t stop = rp < ap ? rp : ap;

		memcpy(dst + d, old + o, (stop - o) * sizeof(*dst));
		d += stop - o;
		o = stop;
		if (a < nadd && ap <= rp) {
			dst[d++] = add[a++];
		} else {
			o++; /* old[rp] leaves */
			r++;
		}
	}
	memcpy(dst + d, old + o, (n - o) * sizeof(*dst));
}

/*
 * The set that follows old: its tools less removed plus added (both
 * sorted by id; removed are tools of old whose references the new set
 * takes over).  NULL when out of memory (then nothing was taken).
 */
static struct tx_toolset *toolset_next(const struct tx_toolset *old,
				       struct tx_tool **added, size_t nadded,
				       struct tx_tool **removed,
				       size_t nremoved, uint64_t generation)
{
	struct tx_toolset *set = calloc(1, sizeof(*set));
	struct tx_tool **rm_file = NULL, **add_file = NULL;
	size_t *pos = NULL, n;

	if (!set)
		return NULL;
	n = old->n - nremoved + nadded;
	set->by_id = malloc((n ? n : 1) * sizeof(*set->by_id));
	set->by_file = malloc((n ? n : 1) * sizeof(*set->by_file));
	pos = malloc((nremoved + nadded + 1) * sizeof(*pos));
	rm_file = malloc((nremoved + 1) * sizeof(*rm_file));
	add_file = malloc((nadded + 1) * sizeof(*add_file));
	if (!set->by_id || !set->by_file || !pos || !rm_file || !add_file) {
		free(set->by_id);
		free(set->by_file);
		free(set);
		set = NULL;
		goto out_free;
	}
	atomic_init(&set->refs, 1);
	set->generation = generation;
	set->n = n;
	set->added = added;
	set->nadded = nadded;
	set->removed = removed;
	set->nremoved = nremoved;
	splice(set->by_id, old->by_id, old->n, removed, nremoved, added, nadded,
	       pos, cmp_id);
	if (nremoved)
		memcpy(rm_file, removed, nremoved * sizeof(*rm_file));
	if (nadded)
		memcpy(add_file, added, nadded * sizeof(*add_file));
	sort_tools(rm_file, nremoved, cmp_file);
	sort_tools(add_file, nadded, cmp_file);
	splice(set->by_file, old->by_file, old->n, rm_file, nremoved, add_file,
	       nadded, pos, cmp_file);
out_free:
	free(pos);
	free(rm_file);
	free(add_file);
	return set;
}

static struct tx_toolset *toolset_empty(void)
{
	struct tx_toolset *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	atomic_init(&set->refs, 1);
	set->by_id = calloc(1, sizeof(*set->by_id));
	set->by_file = calloc(1, sizeof(*set->by_file));
	if (!set->by_id || !set->by_file) {
		toolset_free_one(set);
		return NULL;
	}
	return set;
}

struct tx_registry *tx_registry_new(void)
{
	struct tx_registry *reg = calloc(1, sizeof(*reg));

	if (!reg)
		return NULL;
	pthread_rwlock_init(&reg->cur_lock, NULL);
	pthread_mutex_init(&reg->write_lock, NULL);
	reg->cur = toolset_empty();
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

void tx_registry_free(struct tx_registry *reg)
{
	struct tx_tool **all = NULL;
	size_t n = 0;

	if (!reg)
		return;
	for (size_t i = 0; i < reg->pend_removed.n; i++)
		tx_tool_unref(reg->pend_removed.v[i]);
	free(reg->pend_removed.v);
	free(reg->pend_added.v);
	/*
	 * A snapshot may outlive the registry: the sources' references go
	 * to a last, empty set that the current one keeps alive.
	 */
	for (size_t i = 0; i < reg->nsources; i++)
		n += reg->sources[i].n;
	all = malloc((n ? n : 1) * sizeof(*all));
	n = 0;
	for (size_t i = 0; i < reg->nsources; i++) {
		struct source *s = &reg->sources[i];

		for (size_t j = 0; j < s->n; j++) {
			if (all)
				all[n++] = s->tools[j];
			else
				tx_tool_unref(s->tools[j]); /* best effort */
		}
		free(s->tools);
		free(s->name);
	}
	if (all) {
		struct tx_toolset *last = calloc(1, sizeof(*last));

		if (last) {
			atomic_init(&last->refs, 1);
			last->removed = all;
			last->nremoved = n;
			reg->cur->next = last;
		} else {
			for (size_t i = 0; i < n; i++)
				tx_tool_unref(all[i]);
			free(all);
		}
	}
	free(reg->sources);
	free(reg->ids);
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

/* ------------------------------------------------------------------ */
/* Changing sources                                                     */

/* Tools a pending change adds or removes (write_lock). */
/* Room for more: 0 or -ENOMEM.  Adding after it cannot fail. */
static int list_reserve(struct tool_list *l, size_t more)
{
	size_t cap = l->cap ? l->cap : 64;
	struct tx_tool **v;

	while (l->n + more > cap)
		cap *= 2;
	if (cap == l->cap)
		return 0;
	v = realloc(l->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	l->cap = cap;
	return 0;
}

static struct source *source_get(struct tx_registry *reg, const char *name,
				 size_t *idx)
{
	struct source *grown;

	for (size_t i = 0; i < reg->nsources; i++)
		if (!strcmp(reg->sources[i].name, name)) {
			*idx = i;
			return &reg->sources[i];
		}
	grown = realloc(reg->sources, (reg->nsources + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	reg->sources = grown;
	memset(&grown[reg->nsources], 0, sizeof(*grown));
	grown[reg->nsources].name = strdup(name);
	if (!grown[reg->nsources].name)
		return NULL;
	*idx = reg->nsources;
	return &reg->sources[reg->nsources++];
}

/*
 * Replaces one source's tools, with write_lock held: the ID index and
 * the source change now; what entered goes to *added (references are
 * the source's), what left to *removed (with the source's reference).
 * Costs what the source holds and brings, not what the set holds.
 */
static int source_update(struct tx_registry *reg, struct tx_source_update *u,
			 struct tool_list *added, struct tool_list *removed)
{
	struct tx_tool **fresh = NULL;
	struct source *src;
	struct tx_buf why;
	size_t idx, nfresh = 0, first = added->n;
	uint64_t serial = ++reg->serial;

	u->refused = 0;
	u->why = NULL;
	src = source_get(reg, u->source, &idx);
	fresh = calloc(u->n ? u->n : 1, sizeof(*fresh));
	/* Everything that may fail first: then the update is whole. */
	if (!src || !fresh || ids_reserve(reg, u->n) ||
	    list_reserve(added, u->n) || list_reserve(removed, src->n)) {
		free(fresh);
		return -ENOMEM;
	}
	tx_buf_init(&why, 4096);
	for (size_t i = 0; i < u->n; i++) {
		struct tx_tool *t = u->tools[i];
		struct id_slot *s = ids_find(reg, t->id);

		if (s && (s->source != idx || s->serial == serial)) {
			/* Another source's, or twice in this one. */
			tx_buf_printf(&why, "%s%s already defined by %s",
				      u->refused ? "; " : "", t->id,
				      reg->sources[s->source].name);
			u->refused++;
			continue;
		}
		if (s && tx_tool_same(s->tool, t)) {
			/* An unchanged definition keeps its identity (and
			 * caches). */
			t = s->tool;
			s->serial = serial;
		} else if (s) {
			s->tool = t;
			s->serial = serial;
			added->v[added->n++] = t;
		} else {
			ids_put_slot(reg->ids, reg->nids_cap,
				     (struct id_slot){ t, hash_id(t->id), idx,
						       serial });
			reg->nids++;
			added->v[added->n++] = t;
		}
		tx_tool_ref(t);
		fresh[nfresh++] = t;
	}
	/* The source's old tools: kept, redefined or gone. */
	for (size_t i = 0; i < src->n; i++) {
		struct tx_tool *o = src->tools[i];
		struct id_slot *s = ids_find(reg, o->id);

		if (s && s->tool == o && s->serial == serial) {
			tx_tool_unref(o); /* kept: fresh holds its own */
			continue;
		}
		if (s && s->tool == o)
			ids_del(reg, s); /* gone */
		removed->v[removed->n++] = o;
	}
	free(src->tools);
	src->tools = fresh;
	src->n = nfresh;
	/* Sorted while the cache still holds them (publish's sort). */
	sort_tools(added->v + first, added->n - first, cmp_id);
	if (u->refused)
		u->why = tx_buf_detach(&why, NULL);
	else
		tx_buf_release(&why);
	return 0;
}
/*
 * Publishes what the updates since the last publication changed, with
 * write_lock held: one new set, listeners told what changed.  Takes the
 * references in removed and the memory of both lists.
 */
static int publish(struct tx_registry *reg, struct tool_list *added,
		   struct tool_list *removed)
{
	struct tx_toolset *set, *old = reg->cur;
	size_t na = 0, nr = 0;

	/* A tool may come and go within one batch: neither, for the sets. */
	for (size_t i = 0; i < removed->n; i++) {
		struct tx_tool *t = removed->v[i];

		if (tx_toolset_find(old, t->id) == t)
			removed->v[nr++] = t;
		else
			tx_tool_unref(t); /* no published set shows it */
	}
	removed->n = nr;
	for (size_t i = 0; i < added->n; i++) {
		struct id_slot *s = ids_find(reg, added->v[i]->id);

		if (s && s->tool == added->v[i])
			added->v[na++] = added->v[i];
	}
	added->n = na;
	sort_tools(added->v, added->n, cmp_id);
	sort_tools(removed->v, removed->n, cmp_id);
	set = toolset_next(old, added->v, added->n, removed->v, removed->n,
			   reg->generation + 1);
	if (!set) {
		/*
		 * Out of memory: the sources changed but the sets cannot
		 * show it yet.  Kept for the next update, which publishes
		 * it with its own change; the published set is untouched.
		 */
		reg->pend_added = *added;
		reg->pend_removed = *removed;
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
		reg->preparers[i].fn(reg->preparers[i].ctx, old, set);
	/* The old set keeps its successor, and so its tools, alive. */
	atomic_fetch_add(&set->refs, 1);
	old->next = set;
	pthread_rwlock_wrlock(&reg->cur_lock);
	reg->cur = set;
	pthread_rwlock_unlock(&reg->cur_lock);
	for (size_t i = 0; i < reg->nlisteners; i++)
		reg->listeners[i].fn(reg->listeners[i].ctx, old, set);
	tx_toolset_unref(old);
	return 0;
}

int tx_registry_update(struct tx_registry *reg, struct tx_source_update *u,
		       size_t n)
{
	struct tool_list added, removed;
	int rc = 0;

	pthread_mutex_lock(&reg->write_lock);
	added = reg->pend_added;
	removed = reg->pend_removed;
	reg->pend_added = reg->pend_removed = (struct tool_list){ 0 };
	for (size_t i = 0; i < n; i++) {
		int r = source_update(reg, &u[i], &added, &removed);

		if (r)
			rc = r;
	}
	if (rc && !added.n && !removed.n) {
		/* Every update failed whole: nothing to show, and the
		 * generation stays (all or nothing). */
		free(added.v);
		free(removed.v);
	} else if (publish(reg, &added, &removed)) {
		rc = -ENOMEM;
	}
	pthread_mutex_unlock(&reg->write_lock);
	return rc;
}

int tx_registry_set_source(struct tx_registry *reg, const char *source,
			   struct tx_tool *const *tools, size_t n, char *err,
			   size_t errlen)
{
	struct tx_source_update u = {
		.source = source,
		.tools = tools,
		.n = n,
	};
	int rc = tx_registry_update(reg, &u, 1);

	if (err && errlen)
		snprintf(err, errlen, "%s", u.why ? u.why : "");
	free(u.why);
	return rc < 0 ? rc : u.refused;
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

size_t tx_toolset_added_count(const struct tx_toolset *set)
{
	return set->nadded;
}

const struct tx_tool *tx_toolset_added(const struct tx_toolset *set, size_t i)
{
	return i < set->nadded ? set->added[i] : NULL;
}

size_t tx_toolset_removed_count(const struct tx_toolset *set)
{
	return set->nremoved;
}

const struct tx_tool *tx_toolset_removed(const struct tx_toolset *set, size_t i)
{
	return i < set->nremoved ? set->removed[i] : NULL;
}

/* The first position of by_file whose namespace is ns_file, or set->n. */
static size_t ns_first(const struct tx_toolset *set, const char *ns_file)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(set->by_file[mid]->ns_file, ns_file) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < set->n && !strcmp(set->by_file[lo]->ns_file, ns_file)
		       ? lo
		       : set->n;
}

bool tx_toolset_has_namespace(const struct tx_toolset *set, const char *ns_file)
{
	return ns_first(set, ns_file) < set->n;
}

/* The first position of by_id whose id does not sort below key. */
static size_t id_lower(const struct tx_toolset *set, const char *key)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(set->by_id[mid]->id, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t tx_toolset_namespace_range(const struct tx_toolset *set,
				  const char *ns_file, size_t *first)
{
	size_t f = ns_first(set, ns_file), lo, hi, len;
	char *key;

	*first = 0;
	if (f == set->n)
		return 0;
	/* IDs are "NS:NAME" and NS holds no ':', so a namespace's tools
	 * are the IDs from "NS:" up to, not including, "NS;". */
	len = strlen(set->by_file[f]->ns);
	key = malloc(len + 2);
	if (!key)
		return 0;
	memcpy(key, set->by_file[f]->ns, len);
	memcpy(key + len, ":", 2);
	lo = id_lower(set, key);
	key[len] = ';';
	hi = id_lower(set, key);
	free(key);
	*first = lo;
	return hi - lo;
}
