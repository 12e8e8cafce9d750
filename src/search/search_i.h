/*
 * search_i.h - internals of the search index shared by search.c,
 * search_query.c and the tests.  Everything here is under idx->lock.
 */
#ifndef TX_SEARCH_I_H
#define TX_SEARCH_I_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "search/search.h"
#include "search/tokenize_i.h"

/* The fields of a tool that are indexed, in posting order. */
enum tx_search_field {
	TX_SF_NAME,
	TX_SF_NAMESPACE,
	TX_SF_TITLE,
	TX_SF_DESCRIPTION,
	TX_SF_TAGS,
	TX_SF_PARAM_NAME,
	TX_SF_PARAM_DESC,
	TX_SF_COUNT
};

/* BM25 parameters (Lucene's defaults). */
#define TX_BM25_K1 1.2
#define TX_BM25_B  0.75

/* Query limits: past TX_SEARCH_QUERY_MAX bytes a query fails (-E2BIG). */
#define TX_SEARCH_QUERY_MAX   16384
#define TX_SEARCH_QUERY_TERMS 4096

/* Stems of destructive verbs a query may use (search.c). */
#define TX_SEARCH_VERBS 32

/* Field lengths below this have their normalisation in a table. */
#define TX_SEARCH_NORM_LENS 256

/* Indexing limits per field; the rest of a longer text is not indexed. */
#define TX_SEARCH_FIELD_BYTES 65536
#define TX_SEARCH_FIELD_TERMS 8192

extern const double tx_search_field_weight[TX_SF_COUNT];
extern const char *const tx_search_field_name[TX_SF_COUNT];

/* One document's occurrences of one term; tf saturates at 255.  A
 * removed document's postings stay, with every tf 0, until compaction. */
struct tx_posting {
	uint32_t doc; /* document number, ascending */
	uint8_t tf[TX_SF_COUNT];
};

struct tx_sterm {
	char *text; /* the stem, owned */
	uint32_t hash;
	struct tx_posting *post; /* sorted by doc */
	uint32_t npost, cappost;
	uint32_t nlive; /* postings of documents not removed: the df */
	/*
	 * For the score's upper bound (MaxScore): the largest tf and the
	 * shortest field length among postings with that field.  Removal
	 * leaves them stale in the safe direction; compaction refreshes.
	 */
	uint8_t max_tf[TX_SF_COUNT];
	uint32_t min_len[TX_SF_COUNT];
};

struct tx_sdoc {
	char *id;                  /* owned */
	uint32_t num;              /* index in idx->docs */
	uint32_t len[TX_SF_COUNT]; /* terms per field */
	uint32_t *terms;           /* term indexes, for removal */
	uint32_t nterms;
	bool destructive;
	struct tx_sdoc *next; /* id hash chain */
};

struct tx_search_index {
	pthread_rwlock_t lock;   /* guards everything below */
	struct tx_tokenizer *tk; /* thread-safe on its own */

	struct tx_sterm *terms;
	uint32_t nterms, capterms;
	uint32_t *term_tab;     /* open addressing: term index + 1 */
	uint32_t term_tab_size; /* power of two */
	uint32_t empty_terms;   /* terms whose postings emptied */

	struct tx_sdoc **docs; /* by number; NULL once removed */
	/* docs[i]->len again, dense, for the scoring loop's cache. */
	uint32_t (*lens)[TX_SF_COUNT];
	uint32_t ndocs, capdocs;
	uint32_t live;
	struct tx_sdoc **id_tab; /* chains by id hash */
	uint32_t id_tab_size;    /* power of two */

	uint64_t field_total[TX_SF_COUNT]; /* sum of len over live docs */

	/* Stems of the verbs that make a query destructive; set once. */
	char verbs[TX_SEARCH_VERBS][TX_TERM_MAX + 1];
	size_t nverbs;

	/*
	 * w_f / (1 - b + b * len / avg_f) for len < TX_SEARCH_NORM_LENS, so
	 * scoring a posting needs no division.  Averages move with every
	 * update, so an update marks the table stale (under the write lock)
	 * and the first query after it rebuilds it under norm_lock; queries
	 * that find it fresh read it with no further lock.
	 */
	pthread_mutex_t norm_lock;
	atomic_bool norm_stale;
	double norm[TX_SF_COUNT][TX_SEARCH_NORM_LENS]; /* norm_lock */
};

/* First posting in t->post[lo, hi) whose doc >= doc, or hi (binary
 * search; inline because queries call it for every posting they skip). */
static inline uint32_t tx_sterm_lower_bound(const struct tx_sterm *t,
					    uint32_t lo, uint32_t hi,
					    uint32_t doc)
{
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->post[mid].doc < doc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint32_t tx_search_hash(const char *s, size_t len);
/* Index of term text, or UINT32_MAX. */
uint32_t tx_search_term_find(const struct tx_search_index *idx,
			     const char *text, size_t len, uint32_t hash);

#endif
