/*
 * test_search_compact.c - the index after its terms are emptied: when
 * replaced documents leave many terms without postings, the index drops
 * them and renumbers the rest, and answers every query exactly as an
 * index built fresh from the final documents does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search/search.h"
#include "toolexecfs/toolexec.h"

#define NDOCS 2000

/* A word per number, of letters no stemming rule or stop list touches. */
static void word(char *out, size_t len, const char *prefix, unsigned n)
{
	static const char al[] = "bcdfghjkmnpqrtvwxz";

	snprintf(out, len, "%s%c%c%c", prefix, al[n / 324 % 18],
		 al[n / 18 % 18], al[n % 18]);
}

/* Before: three words of its own; after: one other word of its own. */
static void put(struct tx_search_index *idx, unsigned n, bool after)
{
	char id[32], name[64], desc[128], a[16], b[16], c[16];
	struct tx_search_doc d = { 0 };

	snprintf(id, sizeof(id), "d:%u", n);
	if (after) {
		word(name, sizeof(name), "zr", n);
		snprintf(desc, sizeof(desc), "common text");
	} else {
		word(a, sizeof(a), "zq", n);
		word(b, sizeof(b), "zk", n);
		word(c, sizeof(c), "zm", n);
		snprintf(name, sizeof(name), "%s", a);
		snprintf(desc, sizeof(desc), "common %s %s", b, c);
	}
	d.id = id;
	d.ns = "t";
	d.name = name;
	d.description = desc;
	assert_int_equal(tx_search_index_put(idx, &d), 0);
}

static void same_hits(struct tx_search_index *a, struct tx_search_index *b,
		      const char *q)
{
	struct tx_search_hit *ha, *hb;
	int na = tx_search_index_query(a, q, 20, &ha);
	int nb = tx_search_index_query(b, q, 20, &hb);

	assert_true(na >= 0);
	assert_int_equal(na, nb);
	for (int i = 0; i < na; i++) {
		assert_string_equal(ha[i].id, hb[i].id);
		assert_true(ha[i].score == hb[i].score);
	}
	tx_search_hits_free(ha, (size_t)na);
	tx_search_hits_free(hb, (size_t)nb);
}

static void test_emptied_terms(void **state)
{
	struct tx_search_index *a = tx_search_index_new();
	struct tx_search_index *b = tx_search_index_new();
	struct tx_search_hit *h;
	char q[64];
	int n;

	(void)state;
	for (unsigned i = 0; i < NDOCS; i++)
		put(a, i, false);
	/* Each replacement empties three terms: past 1024 of them and
	 * half of all terms, the index compacts. */
	for (unsigned i = 0; i < NDOCS; i++)
		put(a, i, true);
	for (unsigned i = 0; i < NDOCS; i++)
		put(b, i, true);
	assert_int_equal(tx_search_index_count(a), NDOCS);

	/* An emptied term finds nothing; a live one finds its document. */
	word(q, sizeof(q), "zq", 7);
	assert_int_equal(tx_search_index_query(a, q, 5, &h), 0);
	tx_search_hits_free(h, 0);
	word(q, sizeof(q), "zr", 1999);
	n = tx_search_index_query(a, q, 5, &h);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].id, "d:1999");
	tx_search_hits_free(h, (size_t)n);

	for (unsigned i = 0; i < NDOCS; i += 97) {
		word(q, sizeof(q), "zr", i);
		same_hits(a, b, q);
		word(q, sizeof(q), "zk", i);
		same_hits(a, b, q);
	}
	same_hits(a, b, "common text");
	/* The compacted index keeps taking documents. */
	put(a, NDOCS, false);
	put(b, NDOCS, false);
	word(q, sizeof(q), "zm", NDOCS);
	same_hits(a, b, q);
	tx_search_index_free(a);
	tx_search_index_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emptied_terms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
