/*
 * test_search_harm.c - search that does no harm (docs/search.md): on a
 * near tie a destructive tool never ranks above a non-destructive one
 * unless the query asks to destroy or change something; the relative
 * cut-off; the hint a tool's name gives when it declares none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/tool.h"
#include "search/search.h"
#include "toolexecfs/toolexec.h"

static void put(struct tx_search_index *idx, const char *id, const char *name,
		const char *desc, bool destructive)
{
	struct tx_search_doc d = { .id = id,
				   .ns = "t",
				   .name = name,
				   .description = desc,
				   .destructive = destructive };

	assert_int_equal(tx_search_index_put(idx, &d), 0);
}

/* Filler tools so the words of the query are not in every tool. */
static void filler(struct tx_search_index *idx)
{
	put(idx, "t:f1", "weather", "Tells the weather.", false);
	put(idx, "t:f2", "clock", "Tells the time.", false);
	put(idx, "t:f3", "dice", "Rolls dice.", false);
}

static void test_near_tie(void **state)
{
	struct tx_search_index *idx = tx_search_index_new();
	struct tx_search_hit *h;
	int n;

	(void)state;
	/* The destructive one has the shorter description, so it scores a
	 * little higher on "note". */
	put(idx, "t:d", "observations",
	    "Drops a note from the list of facts kept "
	    "about people, places and events seen.",
	    true);
	put(idx, "t:n", "observations",
	    "Adds a note to the list of facts kept "
	    "about people, places and events seen today.",
	    false);
	filler(idx);
	n = tx_search_index_query(idx, "store a note", 10, &h);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].id, "t:n");
	assert_string_equal(h[1].id, "t:d");
	/* A near tie the destructive tool would have won on score alone. */
	assert_true(h[1].score > h[0].score);
	assert_true(h[0].score >= h[1].score * (1 - TX_SEARCH_NEAR_TIE));
	tx_search_hits_free(h, (size_t)n);

	/* A query that asks to destroy ranks by score alone. */
	n = tx_search_index_query(idx, "delete a note", 10, &h);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].id, "t:d");
	assert_string_equal(h[1].id, "t:n");
	tx_search_hits_free(h, (size_t)n);
	n = tx_search_index_query(idx, "removing the note", 10, &h);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].id, "t:d");
	tx_search_hits_free(h, (size_t)n);
	tx_search_index_free(idx);
}

static void test_equal_scores(void **state)
{
	struct tx_search_index *idx = tx_search_index_new();
	struct tx_search_hit *h;
	int n;

	(void)state;
	/* Same text: equal scores; the destructive "t:a" would come first
	 * by ID. */
	put(idx, "t:a", "note", "A note.", true);
	put(idx, "t:b", "note", "A note.", false);
	filler(idx);
	n = tx_search_index_query(idx, "note", 1, &h);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].id, "t:b");
	tx_search_hits_free(h, (size_t)n);
	tx_search_index_free(idx);
}

static void test_far_apart(void **state)
{
	struct tx_search_index *idx = tx_search_index_new();
	struct tx_search_hit *h;
	int n;

	(void)state;
	/* Not a tie: the destructive tool matches far better and stays
	 * first. */
	put(idx, "t:d", "note", "Note note note.", true);
	put(idx, "t:n", "other",
	    "Mentions a note among many other words of "
	    "a long description.",
	    false);
	filler(idx);
	n = tx_search_index_query(idx, "note", 10, &h);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].id, "t:d");
	assert_true(h[1].score < h[0].score * (1 - TX_SEARCH_NEAR_TIE));
	tx_search_hits_free(h, (size_t)n);
	tx_search_index_free(idx);
}

/* With k smaller than the candidates, pruning must not lose the
 * non-destructive tool that the tie rule lifts into the top k. */
static void test_tie_lifts_into_top_k(void **state)
{
	struct tx_search_index *idx = tx_search_index_new();
	struct tx_search_hit *h;
	int n;

	(void)state;
	put(idx, "t:d", "observations",
	    "Drops a note from the list of facts kept "
	    "about people, places and events seen.",
	    true);
	put(idx, "t:n", "observations",
	    "Adds a note to the list of facts kept "
	    "about people, places and events seen today.",
	    false);
	filler(idx);
	n = tx_search_index_query(idx, "note", 1, &h);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].id, "t:n");
	tx_search_hits_free(h, (size_t)n);
	tx_search_index_free(idx);
}

static void test_cutoff(void **state)
{
	struct tx_search_hit h[] = {
		{ "a", 1.0 },  { "b", 0.5 }, { "c", 0.2 },
		{ "d", 0.19 }, { "e", 0.3 },
	};
	/* Rank order need not be score order (the tie rule): the best
	 * score is the highest, not the first. */
	struct tx_search_hit t[] = { { "n", 0.96 },
				     { "d", 1.0 },
				     { "x", 0.1 } };

	(void)state;
	assert_true(TX_SEARCH_CUTOFF == 0.2);
	/* Kept: the prefix at or above a fifth of the best. */
	assert_int_equal(tx_search_cutoff(h, 5), 3);
	assert_int_equal(tx_search_cutoff(t, 3), 2);
	assert_int_equal(tx_search_cutoff(h, 0), 0);
	assert_int_equal(tx_search_cutoff(h, 1), 1);
}

static void test_hint_from_name(void **state)
{
	(void)state;
	assert_int_equal(tx_tool_hint_from_name("delete_entities"),
			 TX_HINT_DESTRUCTIVE);
	assert_int_equal(tx_tool_hint_from_name("deleteFile"),
			 TX_HINT_DESTRUCTIVE);
	assert_int_equal(tx_tool_hint_from_name("rm-rf"), TX_HINT_DESTRUCTIVE);
	assert_int_equal(tx_tool_hint_from_name("Clear"), TX_HINT_DESTRUCTIVE);
	assert_int_equal(tx_tool_hint_from_name("cache.purge"),
			 TX_HINT_DESTRUCTIVE);
	/* Whole words only. */
	assert_int_equal(tx_tool_hint_from_name("dropdown"), TX_HINT_NONE);
	assert_int_equal(tx_tool_hint_from_name("clearance_level"),
			 TX_HINT_NONE);
	assert_int_equal(tx_tool_hint_from_name("read_file"), TX_HINT_NONE);
	assert_int_equal(tx_tool_hint_from_name("add_observations"),
			 TX_HINT_NONE);
	assert_string_equal(tx_tool_hint_name(TX_HINT_DESTRUCTIVE),
			    "destructive");
	assert_string_equal(tx_tool_hint_name(TX_HINT_READ_ONLY), "read-only");
	assert_string_equal(tx_tool_hint_name(TX_HINT_ADDITIVE), "additive");
	assert_null(tx_tool_hint_name(TX_HINT_NONE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_near_tie),
		cmocka_unit_test(test_equal_scores),
		cmocka_unit_test(test_far_apart),
		cmocka_unit_test(test_tie_lifts_into_top_k),
		cmocka_unit_test(test_cutoff),
		cmocka_unit_test(test_hint_from_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
