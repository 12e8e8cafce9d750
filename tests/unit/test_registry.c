/*
 * test_registry.c - the registry's snapshots, sources, listeners and
 * concurrency; the file-name encoding; the argument parser.
 */
#include <errno.h>
#include <limits.h>

#include "testlib.h"

static struct tx_backend *backend(void)
{
	return &test_backend_new()->base;
}

static void test_sources_and_snapshots(void **state)
{
	struct tx_registry *reg = tx_registry_new();
	struct tx_backend *be = backend();
	struct tx_tool *a = test_tool(be, "ns", "a", NULL, 0);
	struct tx_tool *b = test_tool(be, "ns", "b", NULL, 0);
	struct tx_tool *a2 = test_tool(be, "other", "a", NULL, 0);
	struct tx_tool *dup = test_tool(be, "ns", "a", NULL, 0);
	struct tx_toolset *s0, *s1, *s2;
	struct tx_tool *both[] = { b, a };
	char err[512];

	(void)state;
	s0 = tx_registry_snapshot(reg);
	assert_int_equal(tx_toolset_count(s0), 0);
	assert_int_equal(tx_registry_set_source(reg, "one", both, 2, err,
						sizeof(err)),
			 0);
	s1 = tx_registry_snapshot(reg);
	assert_int_equal(tx_toolset_count(s1), 2);
	assert_int_equal(tx_toolset_count(s0), 0); /* old snapshot intact */
	assert_string_equal(tx_tool_id(tx_toolset_at(s1, 0)),
			    "ns:a"); /* sorted */
	assert_ptr_equal(tx_toolset_find(s1, "ns:b"), b);
	assert_null(tx_toolset_find(s1, "ns:c"));
	assert_ptr_equal(tx_toolset_find_file(s1, "ns", "a"), a);

	/* Another source may not take an ID that one source holds. */
	assert_int_equal(tx_registry_set_source(reg, "two",
						(struct tx_tool *[]){ dup, a2 },
						2, err, sizeof(err)),
			 1);
	assert_non_null(strstr(err, "ns:a already defined by one"));
	s2 = tx_registry_snapshot(reg);
	assert_int_equal(tx_toolset_count(s2), 3);
	assert_true(tx_toolset_generation(s2) > tx_toolset_generation(s1));
	assert_ptr_equal(tx_toolset_find(s2, "ns:a"), a);

	/* Removing a source. */
	assert_int_equal(tx_registry_set_source(reg, "one", NULL, 0, err,
						sizeof(err)),
			 0);
	tx_toolset_unref(s2);
	s2 = tx_registry_snapshot(reg);
	assert_int_equal(tx_toolset_count(s2), 1);
	assert_int_equal(tx_toolset_count(s1), 2);
	tx_toolset_unref(s0);
	tx_toolset_unref(s1);
	tx_toolset_unref(s2);
	tx_tool_unref(a);
	tx_tool_unref(b);
	tx_tool_unref(a2);
	tx_tool_unref(dup);
	tx_registry_free(reg);
	tx_backend_unref(be);
}

static void test_identity_kept(void **state)
{
	struct tx_registry *reg = tx_registry_new();
	struct tx_backend *be = backend();
	struct tx_tool *a = test_tool(be, "ns", "a", NULL, 0);
	struct tx_tool *same = test_tool(be, "ns", "a", NULL, 0);
	struct tx_tool *changed = test_tool(
		be, "ns", "a", "{\"type\":\"object\",\"required\":[\"x\"]}", 0);
	struct tx_toolset *set;
	char err[256];

	(void)state;
	tx_registry_set_source(reg, "s", &a, 1, err, sizeof(err));
	tx_registry_set_source(reg, "s", &same, 1, err, sizeof(err));
	set = tx_registry_snapshot(reg);
	assert_ptr_equal(tx_toolset_find(set, "ns:a"), a); /* unchanged: kept */
	tx_toolset_unref(set);
	tx_registry_set_source(reg, "s", &changed, 1, err, sizeof(err));
	set = tx_registry_snapshot(reg);
	assert_ptr_equal(tx_toolset_find(set, "ns:a"), changed);
	assert_true(tx_tool_version(changed) != tx_tool_version(a));
	tx_toolset_unref(set);
	tx_tool_unref(a);
	tx_tool_unref(same);
	tx_tool_unref(changed);
	tx_registry_free(reg);
	tx_backend_unref(be);
}

static int seen_count;

static void on_change(void *ctx, const struct tx_toolset *old,
		      const struct tx_toolset *cur)
{
	(void)ctx;
	seen_count += (int)tx_toolset_count(cur) - (int)tx_toolset_count(old);
}

static void test_listener(void **state)
{
	struct tx_registry *reg = tx_registry_new();
	struct tx_backend *be = backend();
	struct tx_tool *a = test_tool(be, "ns", "a", NULL, 0);
	char err[256];

	(void)state;
	tx_registry_listen(reg, on_change, NULL);
	tx_registry_set_source(reg, "s", &a, 1, err, sizeof(err));
	assert_int_equal(seen_count, 1);
	tx_registry_set_source(reg, "s", NULL, 0, err, sizeof(err));
	assert_int_equal(seen_count, 0);
	tx_tool_unref(a);
	tx_registry_free(reg);
	tx_backend_unref(be);
}

struct reader_arg {
	struct tx_registry *reg;
	volatile int *stop;
	long reads;
	int bad;
};

static void *reader(void *p)
{
	struct reader_arg *r = p;

	while (!*r->stop) {
		struct tx_toolset *set = tx_registry_snapshot(r->reg);
		size_t n = tx_toolset_count(set);

		/* Every set is whole: 0 or all 10 tools, never a mix. */
		if (n != 0 && n != 10)
			r->bad++;
		for (size_t i = 0; i < n; i++)
			if (!tx_toolset_find(set,
					     tx_tool_id(tx_toolset_at(set, i))))
				r->bad++;
		tx_toolset_unref(set);
		__atomic_add_fetch(&r->reads, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static long min_reads(struct reader_arg *ra, int n)
{
	long min = LONG_MAX;

	for (int i = 0; i < n; i++) {
		long r = __atomic_load_n(&ra[i].reads, __ATOMIC_RELAXED);

		if (r < min)
			min = r;
	}
	return min;
}

static void test_concurrent_readers(void **state)
{
	struct tx_registry *reg = tx_registry_new();
	struct tx_backend *be = backend();
	struct tx_tool *tools[10];
	struct reader_arg ra[4];
	pthread_t th[4];
	volatile int stop = 0;
	char err[256];

	(void)state;
	for (int i = 0; i < 10; i++) {
		char name[8];

		snprintf(name, sizeof(name), "t%d", i);
		tools[i] = test_tool(be, "ns", name, NULL, 0);
	}
	for (int i = 0; i < 4; i++) {
		ra[i] = (struct reader_arg){ .reg = reg, .stop = &stop };
		pthread_create(&th[i], NULL, reader, &ra[i]);
	}
	/* Swap sets until every reader has read many of them: readers
	 * start late on a busy machine, and one that never ran proves
	 * nothing. */
	for (int k = 0; k < 300 || min_reads(ra, 4) < 100; k++)
		tx_registry_set_source(reg, "s", tools, k % 2 ? 0 : 10, err,
				       sizeof(err));
	stop = 1;
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(ra[i].bad, 0);
		assert_true(ra[i].reads > 0);
	}
	for (int i = 0; i < 10; i++)
		tx_tool_unref(tools[i]);
	tx_registry_free(reg);
	tx_backend_unref(be);
}

static void test_bad_names(void **state)
{
	struct tx_backend *be = backend();
	struct tx_tool_def def = { .backend = be, .description = "x" };
	char err[256];

	(void)state;
	def.ns = "a:b";
	def.name = "n";
	assert_null(tx_tool_new(&def, err, sizeof(err)));
	assert_non_null(strstr(err, "':'"));
	def.ns = "";
	assert_null(tx_tool_new(&def, err, sizeof(err)));
	def.ns = "ns";
	def.name = "bad\xff";
	assert_null(tx_tool_new(&def, err, sizeof(err)));
	assert_non_null(strstr(err, "UTF-8"));
	def.name = "tab\there";
	assert_null(tx_tool_new(&def, err, sizeof(err)));
	tx_backend_unref(be);
}

static void roundtrip(const char *name, const char *want)
{
	char enc[TX_NAME_MAX + 1], dec[2048];

	assert_true(tx_name_encode(name, enc, sizeof(enc)) > 0);
	assert_string_equal(enc, want);
	assert_true(tx_name_decode(enc, dec, sizeof(dec)) >= 0);
	assert_string_equal(dec, name);
}

static void test_name_encoding(void **state)
{
	char longname[600], enc[TX_NAME_MAX + 1], enc2[TX_NAME_MAX + 1],
		dec[64];
	struct tx_backend *be = backend();
	struct tx_tool *t;
	struct tx_registry *reg = tx_registry_new();
	struct tx_toolset *set;
	char err[256];

	(void)state;
	roundtrip("read_file", "read_file");
	roundtrip("a/b", "a%2Fb");
	roundtrip(".hidden", "%2Ehidden");
	roundtrip("..", "%2E.");
	roundtrip("50%", "50%25");
	roundtrip("mid.dot", "mid.dot");
	roundtrip("héllo wörld", "héllo wörld");
	assert_int_equal(tx_name_decode("bad%zz", dec, sizeof(dec)), -EINVAL);
	assert_int_equal(tx_name_decode("nul%00", dec, sizeof(dec)), -EINVAL);

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_true(tx_name_encode(longname, enc, sizeof(enc)) <= TX_NAME_MAX);
	assert_non_null(strstr(enc, "%~"));
	longname[500] = 'y'; /* differs past the cut: another name */
	tx_name_encode(longname, enc2, sizeof(enc2));
	assert_string_not_equal(enc, enc2);
	/* A cut name is found through the registry. */
	t = test_tool(be, "ns", longname, NULL, 0);
	tx_registry_set_source(reg, "s", &t, 1, err, sizeof(err));
	set = tx_registry_snapshot(reg);
	assert_ptr_equal(tx_toolset_find_file(set, "ns", enc2), t);
	assert_string_equal(tx_tool_name_file(t), enc2);
	tx_toolset_unref(set);
	tx_tool_unref(t);
	tx_registry_free(reg);
	tx_backend_unref(be);
}

static int feed_all(struct tx_argbuf *ab, const char *s, size_t step, char *err)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i += step) {
		int rc = tx_argbuf_feed(ab, s + i, i + step > n ? n - i : step,
					err, 256);

		if (rc)
			return rc;
	}
	return 0;
}

static void test_argbuf(void **state)
{
	static const char *const good[] = {
		"{\"a\":1}",
		"  {\"a\":[1,2,{\"b\":\"x\\\"y\"}]}\n",
		"{\"t\":true,\"f\":false,\"n\":null,\"e\":1e5,\"u\":\"\\u00e9\"}",
		"{\"s\":\"h\xc3\xa9llo\"}",
		/* Parsed: the chain takes a bare array of steps, and every
		 * other tool's check refuses it (test_chain, t1200). */
		"[1]",
	};
	static const char *const bad[] = {
		"\"x\"",
		"{\"a\":1} x",
		"{\"a\":NaN}",
		"{'a':1}",
		"{\"a\":1,}",
		"{\"a\":\"\x01\"}",
		"{\"a\":\"\xff\"}",
		"{\"a\" 1}",
		"{\"a\":tru }",
		"{\"a\":1}{}",
		"\x01\x02\xfe",
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		for (size_t step = 1; step <= 7; step += 3) {
			struct tx_argbuf *ab = tx_argbuf_new();

			assert_int_equal(feed_all(ab, good[i], step, err), 0);
			assert_true(tx_argbuf_complete(ab));
			assert_string_equal(tx_argbuf_text(ab), good[i]);
			tx_argbuf_free(ab);
		}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		for (size_t step = 1; step <= 7; step += 3) {
			struct tx_argbuf *ab = tx_argbuf_new();
			int rc = feed_all(ab, bad[i], step, err);

			if (rc != -EINVAL)
				fail_msg("accepted: %s (step %zu)", bad[i],
					 step);
			assert_true(err[0] != '\0');
			/* Once failed, always failed. */
			assert_int_equal(tx_argbuf_feed(ab, " ", 1, err,
							sizeof(err)),
					 -EINVAL);
			tx_argbuf_free(ab);
		}
	/* Text after the value is reported at its own byte, in one write
	 * or byte by byte. */
	for (size_t step = 1; step <= 9; step += 8) {
		struct tx_argbuf *ab = tx_argbuf_new();

		assert_int_equal(feed_all(ab, "{\"a\":1} x", step, err),
				 -EINVAL);
		assert_non_null(strstr(err, "at byte 8"));
		tx_argbuf_free(ab);
	}
	{
		struct tx_argbuf *ab = tx_argbuf_new();

		assert_true(tx_argbuf_empty(ab));
		assert_int_equal(
			tx_argbuf_feed(ab, "  \n", 3, err, sizeof(err)), 0);
		assert_true(tx_argbuf_empty(ab));
		assert_false(tx_argbuf_complete(ab));
		tx_argbuf_free(ab);
	}
	{
		/* Too deep, and too big. */
		struct tx_argbuf *ab = tx_argbuf_new();
		char *deep = malloc(20001);

		deep[0] = '{';
		deep[1] = '"';
		deep[2] = 'a';
		deep[3] = '"';
		deep[4] = ':';
		memset(deep + 5, '[', 19995);
		deep[20000] = '\0';
		assert_int_equal(feed_all(ab, deep, 4096, err), -EINVAL);
		assert_non_null(strstr(err, "deep"));
		tx_argbuf_free(ab);
		free(deep);

		ab = tx_argbuf_new();
		char *big = malloc(TX_ARGS_MAX + 100);

		memcpy(big, "{\"a\":\"", 6);
		memset(big + 6, 'x', TX_ARGS_MAX + 93);
		big[TX_ARGS_MAX + 99] = '\0';
		assert_int_equal(feed_all(ab, big, 65536, err), -EFBIG);
		tx_argbuf_free(ab);
		free(big);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sources_and_snapshots),
		cmocka_unit_test(test_identity_kept),
		cmocka_unit_test(test_listener),
		cmocka_unit_test(test_concurrent_readers),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_name_encoding),
		cmocka_unit_test(test_argbuf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
