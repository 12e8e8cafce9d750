/*
 * test_search_update.c - an index that has seen removals and
 * replacements ranks exactly as one built fresh from what remains:
 * removed documents keep their postings until compaction (scoring
 * nothing), and the document frequencies count only live ones.
 */
#include <stdio.h>

#include "testlib.h"
#include "search/search.h"

#define NDOCS 400

static const char *const words[] = {
	"read",    "file",   "list",  "directory", "search", "text",
	"commit",  "branch", "git",   "network",   "fetch",  "http",
	"request", "json",   "parse", "image",     "resize", "convert",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

/* Document i in version v: a deterministic mix of words. */
static void put_doc(struct tx_search_index *idx, unsigned i, unsigned v)
{
	char id[32], name[32], desc[256];
	struct tx_search_doc doc = { 0 };
	size_t off = 0;

	snprintf(id, sizeof(id), "ns:t%u", i);
	snprintf(name, sizeof(name), "t%u", i);
	for (unsigned k = 0; k < 3 + (i + v) % 7; k++)
		off += (size_t)snprintf(desc + off, sizeof(desc) - off, "%s ",
					words[(i * 7 + k * (3 + v)) % NWORDS]);
	doc.id = id;
	doc.ns = "ns";
	doc.name = name;
	doc.title = words[(i + v) % NWORDS];
	doc.description = desc;
	assert_int_equal(tx_search_index_put(idx, &doc), 0);
}

static void assert_same_ranking(struct tx_search_index *a,
				struct tx_search_index *b, const char *query)
{
	struct tx_search_hit *ha = NULL, *hb = NULL;
	int na = tx_search_index_query(a, query, 20, &ha);
	int nb = tx_search_index_query(b, query, 20, &hb);

	assert_true(na > 0);
	assert_int_equal(na, nb);
	for (int i = 0; i < na; i++) {
		assert_string_equal(ha[i].id, hb[i].id);
		/* Bit for bit: the same statistics, summed in one order. */
		assert_true(ha[i].score == hb[i].score);
	}
	tx_search_hits_free(ha, (size_t)na);
	tx_search_hits_free(hb, (size_t)nb);
}

static void test_updates_rank_as_fresh(void **state)
{
	struct tx_search_index *used = tx_search_index_new();
	struct tx_search_index *fresh = tx_search_index_new();
	char id[32];

	(void)state;
	for (unsigned i = 0; i < NDOCS; i++)
		put_doc(used, i, 0);
	/* A third removed, a third redefined, a few never seen before. */
	for (unsigned i = 0; i < NDOCS; i++) {
		snprintf(id, sizeof(id), "ns:t%u", i);
		if (i % 3 == 0)
			assert_int_equal(tx_search_index_remove(used, id), 0);
		else if (i % 3 == 1)
			put_doc(used, i, 1);
	}
	for (unsigned i = NDOCS; i < NDOCS + 20; i++)
		put_doc(used, i, 0);
	for (unsigned i = NDOCS + 20; i-- > 0;) {
		if (i < NDOCS && i % 3 == 0)
			continue;
		put_doc(fresh, i, i < NDOCS && i % 3 == 1 ? 1 : 0);
	}
	assert_int_equal(tx_search_index_count(used),
			 tx_search_index_count(fresh));
	assert_same_ranking(used, fresh, "read file");
	assert_same_ranking(used, fresh, "git commit branch");
	assert_same_ranking(used, fresh, "convert image json http request");
	assert_same_ranking(used, fresh, "t5 directory");
	/* A removed document is found by no query. */
	snprintf(id, sizeof(id), "ns:t%u", 3u);
	{
		struct tx_search_hit *h = NULL;
		int n = tx_search_index_query(used, "t3", 50, &h);

		for (int i = 0; i < n; i++)
			assert_string_not_equal(h[i].id, id);
		tx_search_hits_free(h, n > 0 ? (size_t)n : 0);
	}
	tx_search_index_free(used);
	tx_search_index_free(fresh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_updates_rank_as_fresh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
