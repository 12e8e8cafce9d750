/*
 * search.h - BM25 over tools (docs/search.md).
 *
 * An inverted index over weighted fields, updated incrementally: put()
 * adds or replaces a tool by ID, remove() drops it, and both take
 * effect before the next query.  Queries run concurrently with each
 * other (read lock); updates take the write lock briefly.
 */
#ifndef TX_SEARCH_H
#define TX_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "toolexecfs/toolexec.h"

struct json_object;
struct tx_search_index;

/* One tool as the index sees it; everything is only read during put(). */
struct tx_search_doc {
	const char *id;
	const char *ns;
	const char *name;
	const char *title;
	const char *description;
	const char *const *tags;
	size_t ntags;
	struct json_object *input_schema; /* may be NULL; only read */
	bool destructive;                 /* ranks below others on a near tie */
};

/*
 * Ranking rules past BM25F (docs/search.md).  A near tie: the lower
 * score is at least (1 - TX_SEARCH_NEAR_TIE) of the higher.  On one, a
 * destructive tool never ranks above a non-destructive one, unless the
 * query has a destructive verb of its own (delete, remove, ...).
 * Without an explicit count, hits below TX_SEARCH_CUTOFF of the best
 * one's score are dropped.
 */
#define TX_SEARCH_NEAR_TIE 0.05
#define TX_SEARCH_CUTOFF   0.2

struct tx_search_index *tx_search_index_new(void);
void tx_search_index_free(struct tx_search_index *idx);

/* Adds or replaces.  0 or -errno. */
int tx_search_index_put(struct tx_search_index *idx,
			const struct tx_search_doc *doc);
/* 0, or -ENOENT when the ID is not indexed. */
int tx_search_index_remove(struct tx_search_index *idx, const char *id);
size_t tx_search_index_count(struct tx_search_index *idx);

/*
 * Top k hits for query, best first (ties by ID, destructive tools after
 * the others on a near tie: see above).  Fills *hits (malloc'd,
 * free with tx_search_hits_free) and returns the count, or -errno.  An
 * empty query, or one with no indexed term, returns 0 hits.
 */
int tx_search_index_query(struct tx_search_index *idx, const char *query,
			  size_t k, struct tx_search_hit **hits);

/* How many of n hits, best first, to keep under the relative cut-off. */
size_t tx_search_cutoff(const struct tx_search_hit *hits, size_t n);

#endif
