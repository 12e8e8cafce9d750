/*
 * test_registry_change.c - the registry at scale: many sources published
 * as one set, the change each set carries (what listeners and the search
 * index work from), the ID index under removals, namespace ranges, and
 * snapshots that outlive the tools' sources.
 */
#include <errno.h>
#include <stdio.h>

#include "testlib.h"

static struct tx_backend *backend(void)
{
	return &test_backend_new()->base;
}

static int calls;
static size_t last_added, last_removed;

static void on_change(void *ctx, const struct tx_toolset *old,
		      const struct tx_toolset *cur)
{
	(void)ctx;
	(void)old;
	calls++;
	last_added = tx_toolset_added_count(cur);
	last_removed = tx_toolset_removed_count(cur);
}

/* Three sources in one update: one new set, one listener call. */
static void test_batch_is_one_set(void **state)
{
	struct tx_registry *reg = tx_registry_new();
	struct tx_backend *be = backend();
	struct tx_tool *a = test_tool(be, "x", "a", NULL, 0);
	struct tx_tool *b = test_tool(be, "y", "b", NULL, 0);
	struct tx_tool *dup = test_tool(be, "x", "a", NULL, 0);
	struct tx_source_update u[] = {
		{ .source = "file:1", .tools = &a, .n = 1 },
		{ .source = "file:2", .tools = &b, .n = 1 },
		{ .source = "file:3", .tools = &dup, .n = 1 },
	};
	struct tx_toolset *s0, *s1;

	(void)state;
	calls = 0;
	tx_registry_listen(reg, on_change, NULL);
	s0 = tx_registry_snapshot(reg);
	assert_int_equal(tx_registry_update(reg, u, 3), 0);
	s1 = tx_registry_snapshot(reg);
	assert_int_equal(calls, 1);
	assert_int_equal(tx_toolset_generation(s1),
			 tx_toolset_generation(s0) + 1);
	assert_int_equal(tx_toolset_count(s1), 2);
	assert_int_equal(last_added, 2);
	assert_int_equal(last_removed, 0);
	/* The later file's duplicate is left out, named with the holder. */
	assert_int_equal(u[2].refused, 1);
	assert_string_equal(u[2].why, "x:a already defined by file:1");
	assert_null(u[0].why);
	free(u[2].why);
	tx_toolset_unref(s0);
	tx_toolset_unref(s1);
	tx_tool_unref(a);
	tx_tool_unref(b);
	tx_tool_unref(dup);
	tx_registry_free(reg);
	tx_backend_unref(be);
}

/* A set names what it added and removed; kept tools are in neither. */
static void test_change_lists(void **state)
{
	struct tx_registry *reg = tx_registry_new();
	struct tx_backend *be = backend();
	struct tx_tool *a = test_tool(be, "ns", "a", NULL, 0);
	struct tx_tool *b = test_tool(be, "ns", "b", NULL, 0);
	struct tx_tool *c = test_tool(be, "ns", "c", NULL, 0);
	struct tx_tool *a_same = test_tool(be, "ns", "a", NULL, 0);
	struct tx_tool *b_new = test_tool(
		be, "ns", "b", "{\"type\":\"object\",\"required\":[\"x\"]}", 0);
	struct tx_tool *d = test_tool(be, "ns", "d", NULL, 0);
	struct tx_toolset *before, *after;
	char err[256];

	(void)state;
	tx_registry_set_source(reg, "s", (struct tx_tool *[]){ c, a, b }, 3,
			       err, sizeof(err));
	before = tx_registry_snapshot(reg);
	assert_int_equal(tx_toolset_added_count(before), 3);
	tx_registry_set_source(reg, "s",
			       (struct tx_tool *[]){ d, a_same, b_new }, 3, err,
			       sizeof(err));
	after = tx_registry_snapshot(reg);
	assert_int_equal(tx_toolset_count(after), 3);
	assert_int_equal(tx_toolset_added_count(after), 2);
	assert_ptr_equal(tx_toolset_added(after, 0), b_new);
	assert_ptr_equal(tx_toolset_added(after, 1), d);
	assert_int_equal(tx_toolset_removed_count(after), 2);
	assert_ptr_equal(tx_toolset_removed(after, 0), b);
	assert_ptr_equal(tx_toolset_removed(after, 1), c);
	assert_ptr_equal(tx_toolset_find(after, "ns:a"), a); /* kept */
	assert_string_equal(tx_tool_id(tx_toolset_at(after, 0)), "ns:a");
	assert_string_equal(tx_tool_id(tx_toolset_at(after, 1)), "ns:b");
	assert_string_equal(tx_tool_id(tx_toolset_at(after, 2)), "ns:d");
	tx_tool_unref(a);
	tx_tool_unref(b);
	tx_tool_unref(c);
	tx_tool_unref(a_same);
	tx_tool_unref(b_new);
	tx_tool_unref(d);
	/* The sets outlive the registry, and their tools with them. */
	tx_registry_free(reg);
	assert_string_equal(tx_tool_id(tx_toolset_find(before, "ns:c")),
			    "ns:c");
	assert_string_equal(tx_tool_id(tx_toolset_removed(after, 0)), "ns:b");
	assert_string_equal(tx_tool_id(tx_toolset_at(after, 2)), "ns:d");
	tx_toolset_unref(after);
	tx_toolset_unref(before);
	tx_backend_unref(be);
}

#define MANY 3000

/* The ID index forgets what a source dropped, however entries moved. */
static void test_id_index_removals(void **state)
{
	struct tx_registry *reg = tx_registry_new();
	struct tx_backend *be = backend();
	struct tx_tool **all = calloc(MANY, sizeof(*all));
	struct tx_tool **half = calloc(MANY, sizeof(*half));
	struct tx_toolset *set;
	size_t nhalf = 0;
	char name[32], *err = malloc(1 << 20);

	(void)state;
	assert_non_null(all);
	assert_non_null(half);
	for (size_t i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "t%zu", i);
		all[i] = test_tool(be, "ns", name, NULL, 0);
		if (i % 2)
			half[nhalf++] = all[i];
	}
	assert_int_equal(
		tx_registry_set_source(reg, "one", all, MANY, err, 1 << 20), 0);
	assert_int_equal(tx_registry_set_source(reg, "one", half, nhalf, err,
						1 << 20),
			 0);
	set = tx_registry_snapshot(reg);
	assert_int_equal(tx_toolset_removed_count(set), MANY - nhalf);
	tx_toolset_unref(set);
	/* Every ID "one" dropped is free; every one it kept is not. */
	assert_int_equal(tx_registry_set_source(reg, "two", all, MANY, err,
						1 << 20),
			 (int)nhalf);
	set = tx_registry_snapshot(reg);
	assert_int_equal(tx_toolset_count(set), MANY);
	for (size_t i = 0; i < MANY; i++)
		assert_ptr_equal(tx_toolset_find(set, tx_tool_id(all[i])),
				 all[i]);
	tx_toolset_unref(set);
	for (size_t i = 0; i < MANY; i++)
		tx_tool_unref(all[i]);
	free(all);
	free(half);
	free(err);
	tx_registry_free(reg);
	tx_backend_unref(be);
}

/* A namespace's tools, found without a pass over the set. */
static void test_namespace_range(void **state)
{
	struct tx_registry *reg = tx_registry_new();
	struct tx_backend *be = backend();
	struct tx_tool *t[] = {
		test_tool(be, "a", "x", NULL, 0),
		test_tool(be, "ab", "y", NULL, 0),
		test_tool(be, "a", "z", NULL, 0),
		test_tool(be, ".hidden", "w", NULL, 0),
	};
	struct tx_toolset *set;
	size_t first, n;
	char err[256];
	char *text;

	(void)state;
	tx_registry_set_source(reg, "s", t, 4, err, sizeof(err));
	set = tx_registry_snapshot(reg);
	n = tx_toolset_namespace_range(set, "a", &first);
	assert_int_equal(n, 2);
	assert_string_equal(tx_tool_id(tx_toolset_at(set, first)), "a:x");
	assert_string_equal(tx_tool_id(tx_toolset_at(set, first + 1)), "a:z");
	assert_true(tx_toolset_has_namespace(set, "ab"));
	assert_true(tx_toolset_has_namespace(set, "%2Ehidden"));
	assert_false(tx_toolset_has_namespace(set, ".hidden"));
	assert_false(tx_toolset_has_namespace(set, "b"));
	assert_int_equal(tx_toolset_namespace_range(set, "b", &first), 0);
	text = tx_toolset_index_text(set, "%2Ehidden", &n);
	assert_non_null(text);
	assert_non_null(strstr(text, ".hidden:w\t"));
	assert_null(strstr(text, "a:x"));
	free(text);
	tx_toolset_unref(set);
	for (size_t i = 0; i < 4; i++)
		tx_tool_unref(t[i]);
	tx_registry_free(reg);
	tx_backend_unref(be);
}

/*
 * Sources whose tools come in no order, within a source and across
 * sources, in one update: the set is still in ID order, and in file
 * order by namespace ("ns10:x" sorts before "ns1:y" by ID, after it by
 * namespace).
 */
static void test_order_from_any_order(void **state)
{
	struct tx_registry *reg = tx_registry_new();
	struct tx_backend *be = backend();
	struct tx_tool *s1[] = { test_tool(be, "b", "z", NULL, 0),
				 test_tool(be, "b", "a", NULL, 0) };
	struct tx_tool *s2[] = { test_tool(be, "ns1", "y", NULL, 0),
				 test_tool(be, "a", "m", NULL, 0) };
	struct tx_tool *s3[] = { test_tool(be, "ns10", "x", NULL, 0) };
	struct tx_source_update u[] = {
		{ .source = "s1", .tools = s1, .n = 2 },
		{ .source = "s2", .tools = s2, .n = 2 },
		{ .source = "s3", .tools = s3, .n = 1 },
	};
	static const char *const want[] = { "a:m", "b:a", "b:z", "ns10:x",
					    "ns1:y" };
	struct tx_toolset *set;
	size_t first;

	(void)state;
	assert_int_equal(tx_registry_update(reg, u, 3), 0);
	set = tx_registry_snapshot(reg);
	assert_int_equal(tx_toolset_count(set), 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(tx_tool_id(tx_toolset_at(set, i)), want[i]);
	assert_int_equal(tx_toolset_namespace_range(set, "b", &first), 2);
	assert_int_equal(tx_toolset_namespace_range(set, "ns1", &first), 1);
	assert_int_equal(tx_toolset_namespace_range(set, "ns10", &first), 1);
	assert_true(tx_toolset_has_namespace(set, "ns1"));
	assert_true(tx_toolset_has_namespace(set, "ns10"));
	tx_toolset_unref(set);
	for (size_t i = 0; i < 2; i++) {
		tx_tool_unref(s1[i]);
		tx_tool_unref(s2[i]);
	}
	tx_tool_unref(s3[0]);
	tx_registry_free(reg);
	tx_backend_unref(be);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_is_one_set),
		cmocka_unit_test(test_order_from_any_order),
		cmocka_unit_test(test_change_lists),
		cmocka_unit_test(test_id_index_removals),
		cmocka_unit_test(test_namespace_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
