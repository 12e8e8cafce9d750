/*
 * indexer.c - the search index, kept in step with the tool set off the
 * path of a start or a reload.
 *
 * Indexing is the larger half of loading a tool (tokenizing its texts
 * and schema, a posting per term), and nothing but a search needs it.
 * So a change of the tool set only queues what changed (a reference to
 * each tool put or removed, in the registry's order), and the queue is
 * applied either by a thread of its own right after the change (a
 * mount: its tools are there before they are indexed) or by the first
 * search that follows (a one-shot command that never searches never
 * pays for it).  A search always applies what is still queued before
 * it looks, so it sees every tool of the set it was asked under: the
 * queue is filled before a set is published, and whoever applies it
 * holds apply_lock from taking the queue to the last put, so a search
 * that comes while the thread is at work waits for that work rather
 * than passing it.
 *
 * Tools keep their input schema as compact text, not as a tree, so the
 * index parses each schema's text again, on a tree of its own (a
 * reader's render may borrow the tool's tree slot at any time).
 */
#include "engine/engine_i.h"

#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine/registry.h"
#include "engine/tool.h"
#include "search/search.h"
#include "util/log.h"

/* One queued change: a tool to put, or one whose ID leaves the index. */
struct index_op {
	const struct tx_tool *tool; /* a reference */
	bool put;
};

struct tx_indexer {
	struct tx_search_index *idx;
	/* Held from taking the queue until its last change is applied. */
	pthread_mutex_t apply_lock;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct index_op *q; /* lock */
	size_t nq, capq;    /* lock */
	/* Set before wake is signalled under lock: the thread checks it
	 * under lock before it waits, and between tools. */
	atomic_bool stopping;
	/* Queued or being applied: a search that finds none takes no
	 * lock, so searches never queue behind one another. */
	atomic_size_t unapplied;
	pthread_t thread;
	bool threaded;
};

static void ops_drop(struct index_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tx_tool_unref(ops[i].tool);
	free(ops);
}

int tx_indexer_put_tool(struct tx_search_index *idx, const struct tx_tool *t,
			struct json_tokener *tok)
{
	struct json_object *schema = tx_tool_schema_parse_with(t, tok);
	struct tx_search_doc doc = {
		.id = t->id,
		.ns = t->ns,
		.name = t->name,
		.title = t->title,
		.description = t->description,
		.tags = (const char *const *)t->tags,
		.ntags = t->ntags,
		.input_schema = schema,
		.destructive = t->hint == TX_HINT_DESTRUCTIVE,
	};
	int rc = tx_search_index_put(idx, &doc);

	json_object_put(schema);
	return rc;
}

/* Applies everything queued so far; apply_lock held. */
static void apply_queued(struct tx_indexer *ix)
{
	struct json_tokener *tok = NULL;
	struct index_op *ops;
	size_t n, i;

	pthread_mutex_lock(&ix->lock);
	ops = ix->q;
	n = ix->nq;
	ix->q = NULL;
	ix->nq = ix->capq = 0;
	pthread_mutex_unlock(&ix->lock);
	for (i = 0; i < n && !atomic_load(&ix->stopping); i++) {
		const struct tx_tool *t = ops[i].tool;

		if (!ops[i].put) {
			tx_search_index_remove(ix->idx, t->id);
			continue;
		}
		if (!tok)
			tok = json_tokener_new_ex(TX_TOOL_SCHEMA_DEPTH);
		if (!tok || tx_indexer_put_tool(ix->idx, t, tok))
			tx_log(TX_LOG_WARN, "search: cannot index %s", t->id);
	}
	if (tok)
		json_tokener_free(tok);
	ops_drop(ops, n);
	atomic_fetch_sub(&ix->unapplied, n);
}

static void *indexer_main(void *arg)
{
	struct tx_indexer *ix = arg;

	pthread_mutex_lock(&ix->lock);
	while (!atomic_load(&ix->stopping)) {
		if (!ix->nq) {
			pthread_cond_wait(&ix->wake, &ix->lock);
			continue;
		}
		pthread_mutex_unlock(&ix->lock);
		pthread_mutex_lock(&ix->apply_lock);
		apply_queued(ix);
		pthread_mutex_unlock(&ix->apply_lock);
		pthread_mutex_lock(&ix->lock);
	}
	pthread_mutex_unlock(&ix->lock);
	return NULL;
}

struct tx_indexer *tx_indexer_new(bool behind)
{
	struct tx_indexer *ix = calloc(1, sizeof(*ix));

	if (!ix)
		return NULL;
	ix->idx = tx_search_index_new();
	if (!ix->idx) {
		free(ix);
		return NULL;
	}
	pthread_mutex_init(&ix->apply_lock, NULL);
	pthread_mutex_init(&ix->lock, NULL);
	pthread_cond_init(&ix->wake, NULL);
	atomic_init(&ix->stopping, false);
	atomic_init(&ix->unapplied, 0);
	/* Without its thread, the next search applies the queue. */
	if (behind && !pthread_create(&ix->thread, NULL, indexer_main, ix))
		ix->threaded = true;
	else if (behind)
		tx_log(TX_LOG_WARN, "search: no thread of its own for the "
				    "index; the first search builds it");
	return ix;
}

void tx_indexer_free(struct tx_indexer *ix)
{
	if (!ix)
		return;
	if (ix->threaded) {
		/* Whatever it is applying, it leaves at the next tool. */
		atomic_store(&ix->stopping, true);
		pthread_mutex_lock(&ix->lock);
		pthread_cond_signal(&ix->wake);
		pthread_mutex_unlock(&ix->lock);
		pthread_join(ix->thread, NULL);
	}
	ops_drop(ix->q, ix->nq);
	tx_search_index_free(ix->idx);
	pthread_cond_destroy(&ix->wake);
	pthread_mutex_destroy(&ix->lock);
	pthread_mutex_destroy(&ix->apply_lock);
	free(ix);
}

/* Queues one change; lock held.  0 or -ENOMEM. */
static int queue_op(struct tx_indexer *ix, const struct tx_tool *t, bool put)
{
	if (ix->nq == ix->capq) {
		size_t cap = ix->capq ? ix->capq * 2 : 256;
		struct index_op *q = realloc(ix->q, cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		ix->q = q;
		ix->capq = cap;
	}
	ix->q[ix->nq].tool = tx_tool_ref(t);
	ix->q[ix->nq++].put = put;
	atomic_fetch_add(&ix->unapplied, 1);
	return 0;
}

/* A registry listener that runs before the swap (registry.h). */
void tx_indexer_changed(void *ctx, const struct tx_toolset *old,
			const struct tx_toolset *cur)
{
	struct tx_indexer *ix = ctx;
	size_t nadded = tx_toolset_added_count(cur);
	int rc = 0;

	(void)old;
	pthread_mutex_lock(&ix->lock);
	/* What changed only: a reload of one file costs its tools. */
	for (size_t i = 0; !rc && i < tx_toolset_removed_count(cur); i++) {
		const struct tx_tool *t = tx_toolset_removed(cur, i);

		/* A redefined tool is put again below, in place. */
		if (!tx_toolset_find(cur, t->id))
			rc = queue_op(ix, t, false);
	}
	for (size_t i = 0; !rc && i < nadded; i++)
		rc = queue_op(ix, tx_toolset_added(cur, i), true);
	if (rc)
		tx_log(TX_LOG_WARN, "search: out of memory: the index misses "
				    "tools of this change");
	if (ix->threaded && ix->nq)
		pthread_cond_signal(&ix->wake);
	pthread_mutex_unlock(&ix->lock);
}

void tx_indexer_sync(struct tx_indexer *ix)
{
	/* Counted before the set was published that our caller sees. */
	if (!atomic_load(&ix->unapplied))
		return;
	pthread_mutex_lock(&ix->apply_lock);
	apply_queued(ix);
	pthread_mutex_unlock(&ix->apply_lock);
}

int tx_indexer_query(struct tx_indexer *ix, const char *query, size_t k,
		     struct tx_search_hit **hits)
{
	tx_indexer_sync(ix);
	return tx_search_index_query(ix->idx, query, k, hits);
}
