/*
 * test_search.c - the tokenizer, BM25 ranking and index updates.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "engine/engine_i.h"
#include "engine/job_i.h"
#include "engine/registry.h"
#include "search/search.h"
#include "search/search_i.h"
#include "engine/tool.h"
#include "search/tokenize_i.h"
#include "toolexecfs/toolexec.h"

/* ---------------------------------------------------------------- */
/* Tokenizer                                                         */

struct terms {
	char buf[4096];
	size_t len;
	size_t n;
};

static int join_term(void *ctx, const char *term, size_t len)
{
	struct terms *t = ctx;

	if (t->len + len + 2 >= sizeof(t->buf))
		return 1;
	if (t->len)
		t->buf[t->len++] = ' ';
	memcpy(t->buf + t->len, term, len);
	t->len += len;
	t->buf[t->len] = '\0';
	t->n++;
	return 0;
}

static const char *tok(struct tx_tokenizer *tk, const char *text,
		       struct terms *t)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(
		tx_tokenize(tk, text, strlen(text), 1000, join_term, t), 0);
	return t->buf;
}

static void test_tokenize_split(void **state)
{
	struct tx_tokenizer *tk = tx_tokenizer_new();
	struct terms t;

	(void)state;
	assert_non_null(tk);
	assert_string_equal(tok(tk, "read_file", &t), "read file");
	assert_string_equal(tok(tk, "getTinyImage", &t), "get tini imag");
	assert_string_equal(tok(tk, "HTTPServer", &t), "http server");
	assert_string_equal(tok(tk, "list-dirs.v2", &t), "list dir v 2");
	assert_string_equal(tok(tk, "base64 utf8", &t), "base 64 utf 8");
	assert_string_equal(tok(tk, "READ  The\tFILES!", &t), "read file");
	assert_string_equal(tok(tk, "", &t), "");
	assert_string_equal(tok(tk, "  ..__--  ", &t), "");
	tx_tokenizer_free(tk);
}

static void test_tokenize_stem_stop(void **state)
{
	struct tx_tokenizer *tk = tx_tokenizer_new();
	struct terms t;

	(void)state;
	/* Snowball English: inflections meet at one stem. */
	assert_string_equal(tok(tk, "directories directory", &t),
			    "directori directori");
	assert_string_equal(tok(tk, "running runs", &t), "run run");
	assert_string_equal(tok(tk, "connections connected", &t),
			    "connect connect");
	/* Stop words go, action words stay. */
	assert_string_equal(tok(tk, "I want to get all of the files please",
				&t),
			    "get file");
	assert_true(tx_tokenizer_is_stop("the", 3));
	assert_true(tx_tokenizer_is_stop("yourselves", 10));
	assert_false(tx_tokenizer_is_stop("them", 2)); /* "th" */
	assert_false(tx_tokenizer_is_stop("list", 4));
	assert_false(tx_tokenizer_is_stop("find", 4));
	tx_tokenizer_free(tk);
}

static void test_tokenize_unicode_binary(void **state)
{
	struct tx_tokenizer *tk = tx_tokenizer_new();
	struct terms t;
	char bin[512], longw[200];
	size_t i;

	(void)state;
	assert_string_equal(tok(tk, "Café ÉCOLE Привет—мир ΩMEGA", &t),
			    "café école привет мир ωmega");
	/* Invalid UTF-8 separates words and never reaches the stemmer. */
	assert_string_equal(tok(tk,
				"abc\xff\xfe"
				"def\xc0\xaf"
				"ghi\xed\xa0\x80z",
				&t),
			    "abc def ghi z");
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (char)(i * 37 + 11);
	memset(&t, 0, sizeof(t));
	assert_int_equal(tx_tokenize(tk, bin, sizeof(bin), 1000, join_term, &t),
			 0);
	/* Long words are cut at TX_TERM_MAX bytes. */
	memset(longw, 'q', sizeof(longw) - 1);
	longw[sizeof(longw) - 1] = '\0';
	tok(tk, longw, &t);
	assert_int_equal(t.n, 1);
	assert_true(t.len <= TX_TERM_MAX);
	/* The term cap stops the walk. */
	memset(&t, 0, sizeof(t));
	assert_int_equal(tx_tokenize(tk, "alpha beta gamma delta", 22, 2,
				     join_term, &t),
			 0);
	assert_string_equal(t.buf, "alpha beta");
	tx_tokenizer_free(tk);
}

static void test_synonyms(void **state)
{
	struct tx_tokenizer *tk = tx_tokenizer_new();
	const char *const *syn;
	size_t n, i;
	int found = 0;

	(void)state;
	n = tx_tokenizer_synonyms(tk, "folder", &syn);
	for (i = 0; i < n; i++)
		found += strcmp(syn[i], "directori") == 0;
	assert_int_equal(found, 1);
	assert_int_equal(tx_tokenizer_synonyms(tk, "zzzz", &syn), 0);
	tx_tokenizer_free(tk);
}

/* ---------------------------------------------------------------- */
/* Index                                                             */

static int put(struct tx_search_index *idx, const char *id, const char *name,
	       const char *desc, const char *schema)
{
	struct json_object *s = schema ? json_tokener_parse(schema) : NULL;
	struct tx_search_doc d = { .id = id,
				   .ns = "t",
				   .name = name,
				   .description = desc,
				   .input_schema = s };
	int rc = tx_search_index_put(idx, &d);

	json_object_put(s);
	return rc;
}

static int query(struct tx_search_index *idx, const char *q, size_t k,
		 struct tx_search_hit **hits)
{
	return tx_search_index_query(idx, q, k, hits);
}

static void test_name_beats_description(void **state)
{
	struct tx_search_index *idx = tx_search_index_new();
	struct tx_search_hit *hits;
	int n;

	(void)state;
	assert_int_equal(put(idx, "t:archive", "archive",
			     "Packs files. You may rename them first.", NULL),
			 0);
	assert_int_equal(
		put(idx, "t:rename", "rename", "Gives a new name.", NULL), 0);
	assert_int_equal(put(idx, "t:other", "other", "Something else.", NULL),
			 0);
	n = query(idx, "rename", 10, &hits);
	assert_int_equal(n, 2);
	assert_string_equal(hits[0].id, "t:rename");
	assert_string_equal(hits[1].id, "t:archive");
	assert_true(hits[0].score > hits[1].score);
	tx_search_hits_free(hits, (size_t)n);
	tx_search_index_free(idx);
}

static void test_params_and_nested(void **state)
{
	struct tx_search_index *idx = tx_search_index_new();
	struct tx_search_hit *hits;
	int n;

	(void)state;
	put(idx, "t:a", "a", "first",
	    "{\"type\":\"object\",\"properties\":{\"outer\":{\"type\":"
	    "\"object\",\"properties\":{\"innerThing\":{\"description\":"
	    "\"zebra stripes\"}}},\"list\":{\"type\":\"array\",\"items\":"
	    "{\"enum\":[\"giraffe\"]}}}}");
	put(idx, "t:b", "b", "second", "{\"type\":\"object\"}");
	n = query(idx, "zebra", 10, &hits);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].id, "t:a");
	tx_search_hits_free(hits, (size_t)n);
	n = query(idx, "inner thing", 10, &hits);
	assert_int_equal(n, 1);
	tx_search_hits_free(hits, (size_t)n);
	n = query(idx, "giraffe", 10, &hits);
	assert_int_equal(n, 1);
	tx_search_hits_free(hits, (size_t)n);
	tx_search_index_free(idx);
}

static void test_odd_queries(void **state)
{
	struct tx_search_index *idx = tx_search_index_new();
	struct tx_search_hit *hits = NULL;
	char *big;
	char bin[300];
	size_t i;
	int n;

	(void)state;
	put(idx, "t:read", "read_file", "Reads a file.", NULL);
	put(idx, "t:cafe", "café", "Commande un café crème.", NULL);
	/* Empty, stop words only, unknown words: no hits, no error. */
	assert_int_equal(query(idx, "", 10, &hits), 0);
	assert_null(hits);
	assert_int_equal(query(idx, "the of and", 10, &hits), 0);
	assert_int_equal(query(idx, "xylophone", 10, &hits), 0);
	assert_int_equal(query(idx, "read", 0, &hits), 0);
	/* Non-ASCII. */
	n = query(idx, "CAFÉ", 10, &hits);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].id, "t:cafe");
	tx_search_hits_free(hits, (size_t)n);
	/* Binary. */
	for (i = 0; i < sizeof(bin) - 1; i++)
		bin[i] = (char)(1 + (i * 131) % 255);
	bin[sizeof(bin) - 1] = '\0';
	n = query(idx, bin, 10, &hits);
	assert_true(n >= 0);
	tx_search_hits_free(hits, n > 0 ? (size_t)n : 0);
	/* Huge: up to the cap it works, past it is a defined error. */
	big = malloc(TX_SEARCH_QUERY_MAX + 2);
	assert_non_null(big);
	for (i = 0; i < TX_SEARCH_QUERY_MAX; i++)
		big[i] = "read file "[i % 10];
	big[TX_SEARCH_QUERY_MAX] = '\0';
	n = query(idx, big, 10, &hits);
	assert_int_equal(n, 1);
	tx_search_hits_free(hits, (size_t)n);
	big[TX_SEARCH_QUERY_MAX] = 'x';
	big[TX_SEARCH_QUERY_MAX + 1] = '\0';
	assert_int_equal(query(idx, big, 10, &hits), -E2BIG);
	free(big);
	assert_int_equal(query(idx, NULL, 10, &hits), -EINVAL);
	tx_search_index_free(idx);
}

static void test_put_replace_remove(void **state)
{
	struct tx_search_index *idx = tx_search_index_new();
	struct tx_search_hit *hits;
	int n;

	(void)state;
	assert_int_equal(put(idx, "t:x", "x", "alpha", NULL), 0);
	assert_int_equal(tx_search_index_count(idx), 1);
	n = query(idx, "alpha", 10, &hits);
	assert_int_equal(n, 1);
	tx_search_hits_free(hits, (size_t)n);
	/* Replacing drops the old text at once. */
	assert_int_equal(put(idx, "t:x", "x", "beta", NULL), 0);
	assert_int_equal(tx_search_index_count(idx), 1);
	assert_int_equal(query(idx, "alpha", 10, &hits), 0);
	n = query(idx, "beta", 10, &hits);
	assert_int_equal(n, 1);
	tx_search_hits_free(hits, (size_t)n);
	assert_int_equal(tx_search_index_remove(idx, "t:x"), 0);
	assert_int_equal(tx_search_index_remove(idx, "t:x"), -ENOENT);
	assert_int_equal(tx_search_index_count(idx), 0);
	assert_int_equal(query(idx, "beta", 10, &hits), 0);
	assert_int_equal(put(idx, "", "x", "y", NULL), -EINVAL);
	tx_search_index_free(idx);
}

/* ---------------------------------------------------------------- */
/* Pruning is exact, and churn leaves the same index as a fresh build */

static const char *vocab[] = {
	"file",      "read",   "write",   "list",   "directory", "graph",
	"node",      "entity", "create",  "delete", "search",    "image",
	"log",       "time",   "user",    "email",  "send",      "fetch",
	"http",      "json",   "parse",   "query",  "table",     "row",
	"column",    "commit", "branch",  "merge",  "issue",     "ticket",
	"calendar",  "event",  "weather", "city",   "price",     "stock",
	"translate", "text",   "audio",   "video",
};
#define NVOCAB (sizeof(vocab) / sizeof(vocab[0]))

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void words(uint32_t *s, char *out, size_t cap, unsigned n)
{
	size_t len = 0;
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		/* Skewed: low indexes are common, as in real vocabularies. */
		uint32_t r = rnd(s) % NVOCAB;
		const char *w = vocab[(r * r) / NVOCAB];

		len += (size_t)snprintf(out + len, cap - len, "%s%s",
					i ? " " : "", w);
	}
}

static void put_random(struct tx_search_index *idx, uint32_t *s, unsigned i)
{
	char id[32], name[128], desc[1024];

	snprintf(id, sizeof(id), "r:%05u", i);
	words(s, name, sizeof(name), 1 + rnd(s) % 3);
	words(s, desc, sizeof(desc), 5 + rnd(s) % 40);
	assert_int_equal(put(idx, id, name, desc, NULL), 0);
}

static void same_hits(struct tx_search_index *a, struct tx_search_index *b,
		      const char *q, size_t ka, size_t kb)
{
	struct tx_search_hit *ha = NULL, *hb = NULL;
	int na = query(a, q, ka, &ha), nb = query(b, q, kb, &hb), i;
	int n = na < nb ? na : nb;

	assert_true(na >= 0 && nb >= 0);
	if (ka == kb)
		assert_int_equal(na, nb);
	for (i = 0; i < n && i < (int)ka && i < (int)kb; i++) {
		if (strcmp(ha[i].id, hb[i].id) != 0)
			fail_msg("query \"%s\" rank %d: %s (%.12g) vs %s "
				 "(%.12g)",
				 q, i + 1, ha[i].id, ha[i].score, hb[i].id,
				 hb[i].score);
		assert_true(ha[i].score - hb[i].score < 1e-9 &&
			    hb[i].score - ha[i].score < 1e-9);
	}
	tx_search_hits_free(ha, na > 0 ? (size_t)na : 0);
	tx_search_hits_free(hb, nb > 0 ? (size_t)nb : 0);
}

static void test_maxscore_exact(void **state)
{
	struct tx_search_index *idx = tx_search_index_new();
	uint32_t s = 12345;
	unsigned i;
	char q[2048];

	(void)state;
	for (i = 0; i < 600; i++)
		put_random(idx, &s, i);
	for (i = 0; i < 300; i++) {
		words(&s, q, sizeof(q), 1 + i % 40);
		/* k = all documents scores every match: no pruning. */
		same_hits(idx, idx, q, 1 + i % 12, 600);
	}
	tx_search_index_free(idx);
}

static void test_churn_equals_fresh(void **state)
{
	struct tx_search_index *a = tx_search_index_new();
	struct tx_search_index *b = tx_search_index_new();
	uint32_t s = 777, s2;
	char id[32], q[1024];
	unsigned i;

	(void)state;
	/* a: 3000 puts, most removed or replaced (forces compaction). */
	for (i = 0; i < 3000; i++)
		put_random(a, &s, i);
	for (i = 0; i < 3000; i++) {
		if (i % 5 == 0)
			continue;
		snprintf(id, sizeof(id), "r:%05u", i);
		assert_int_equal(tx_search_index_remove(a, id), 0);
	}
	s2 = 4242;
	for (i = 0; i < 3000; i += 10)
		put_random(a, &s2, i); /* replace or re-add */
	/* b: the same final documents, built fresh. */
	s = 777;
	for (i = 0; i < 3000; i++) {
		if (i % 5 == 0 && i % 10 != 0)
			put_random(b, &s, i);
		else
			put_random(b, &s, 90000 + i); /* keep s in step */
	}
	for (i = 0; i < 3000; i++)
		if (!(i % 5 == 0 && i % 10 != 0)) {
			snprintf(id, sizeof(id), "r:%05u", 90000 + i);
			tx_search_index_remove(b, id);
		}
	s2 = 4242;
	for (i = 0; i < 3000; i += 10)
		put_random(b, &s2, i);
	assert_int_equal(tx_search_index_count(a), tx_search_index_count(b));
	s = 99;
	for (i = 0; i < 100; i++) {
		words(&s, q, sizeof(q), 1 + i % 20);
		same_hits(a, b, q, 10, 10);
	}
	tx_search_index_free(a);
	tx_search_index_free(b);
}

struct race {
	struct tx_search_index *idx;
	int stop;
};

static void *race_reader(void *arg)
{
	struct race *r = arg;
	struct tx_search_hit *hits;
	int n, i;

	for (i = 0; i < 400; i++) {
		n = query(r->idx, "file read directory graph", 5, &hits);
		if (n < 0)
			return (void *)1;
		tx_search_hits_free(hits, (size_t)n);
	}
	return NULL;
}

static void test_concurrent(void **state)
{
	struct race r = { .idx = tx_search_index_new() };
	pthread_t th[3];
	uint32_t s = 5;
	unsigned i;
	void *ret;

	(void)state;
	for (i = 0; i < 200; i++)
		put_random(r.idx, &s, i);
	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&th[i], NULL, race_reader, &r),
				 0);
	for (i = 0; i < 400; i++)
		put_random(r.idx, &s, i % 250);
	for (i = 0; i < 3; i++) {
		pthread_join(th[i], &ret);
		assert_null(ret);
	}
	tx_search_index_free(r.idx);
}

/* ---------------------------------------------------------------- */
/* Through the engine: a reload is searchable at once                */

static void write_tool(const char *dir, const char *name, const char *desc)
{
	char path[512], text[1024];
	int fd, n;

	snprintf(path, sizeof(path), "%s/zoo.json", dir);
	n = snprintf(text, sizeof(text),
		     "{\"tools\": [{\"namespace\": \"zoo\", \"name\": "
		     "\"%s\", \"title\": \"T\", \"description\": \"%s\", "
		     "\"tags\": [], \"input_schema\": {\"type\": "
		     "\"object\"}, \"command\": [\"true\"], \"stdin\": "
		     "\"none\", \"timeout_ms\": 5000, "
		     "\"max_output_bytes\": 4096}]}",
		     name, desc);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, (size_t)n), n);
	close(fd);
}

static int engine_hits(struct tx_engine *e, const char *q, const char *id)
{
	struct tx_search_hit *hits;
	int n = tx_engine_search(e, q, 10, &hits), i, found = 0;

	assert_true(n >= 0);
	for (i = 0; i < n; i++)
		found |= strcmp(hits[i].id, id) == 0;
	tx_search_hits_free(hits, (size_t)n);
	return found;
}

/*
 * Both ways the engine keeps its index: applied by the first search
 * after a change (a one-shot command), and by a thread of its own
 * right after it (a mount), where a search that comes first waits for
 * what is still queued.  Each test that runs both ways gets the way as
 * its initial state (&index_now or &index_behind).
 */
static bool index_now = false, index_behind = true;

static void test_engine_reload(void **state)
{
	bool behind = *(bool *)*state;
	const char *tmp = getenv("TMPDIR");
	char dir[256], path[512], err[256];
	struct tx_engine_options opts = { .index_behind = behind };
	struct tx_engine *e;

	snprintf(dir, sizeof(dir), "%s/test_search.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	write_tool(dir, "feedAnimals", "Feeds the zebras.");
	opts.config_dir = dir;
	e = tx_engine_new(&opts, err, sizeof(err));
	assert_non_null(e);
	assert_true(engine_hits(e, "zebra", "zoo:feedAnimals"));
	/* Changed: the old words are gone, the new ones found. */
	write_tool(dir, "feedAnimals", "Feeds the giraffes.");
	assert_int_equal(tx_engine_reload(e), 0);
	assert_false(engine_hits(e, "zebra", "zoo:feedAnimals"));
	assert_true(engine_hits(e, "giraffe", "zoo:feedAnimals"));
	/* Renamed: the old ID disappears from the index. */
	write_tool(dir, "washAnimals", "Washes the giraffes.");
	assert_int_equal(tx_engine_reload(e), 0);
	assert_false(engine_hits(e, "giraffe", "zoo:feedAnimals"));
	assert_true(engine_hits(e, "giraffe wash", "zoo:washAnimals"));
	/* Removed. */
	snprintf(path, sizeof(path), "%s/zoo.json", dir);
	unlink(path);
	assert_int_equal(tx_engine_reload(e), 0);
	assert_false(engine_hits(e, "giraffe", "zoo:washAnimals"));
	tx_engine_free(e);
	rmdir(dir);
}

/*
 * The index is current by the time a reader can see the tool set it
 * belongs to: a reader that sees a new generation and queries at once
 * finds the change (the FUSE layer caches results per generation, so
 * an answer from the old index would stick until the next change).
 * Many tools make the indexing take long enough for the reader to get
 * in while it runs, if it ran after the swap.
 */
struct gen_watch {
	struct tx_engine *e;
	uint64_t gen0;
	int seen; /* -1: no new generation within the bound */
};

static void *watch_generation(void *p)
{
	struct gen_watch *w = p;
	uint64_t until = tx_now_ns() + 30000000000ull;

	w->seen = -1;
	while (tx_now_ns() < until) {
		struct tx_toolset *set = tx_engine_tools(w->e);
		uint64_t g = tx_toolset_generation(set);

		tx_toolset_unref(set);
		if (g != w->gen0) {
			w->seen = engine_hits(w->e, "zyzzyva", "many:zz_last");
			break;
		}
		sched_yield();
	}
	return NULL;
}

static void test_index_before_publish(void **state)
{
	bool behind = *(bool *)*state;
	enum { N = 3000 };
	struct tx_engine_options opts = { .index_behind = behind };
	struct tx_tool **tools = calloc(N, sizeof(*tools));
	struct gen_watch w = { 0 };
	struct tx_toolset *set;
	char err[256], name[32], desc[96];
	pthread_t th;

	assert_non_null(tools);
	w.e = tx_engine_new(&opts, err, sizeof(err));
	assert_non_null(w.e);
	for (int i = 0; i < N; i++) {
		struct tx_tool_def def = { 0 };

		snprintf(name, sizeof(name), i == N - 1 ? "zz_last" : "t%04d",
			 i);
		snprintf(desc, sizeof(desc),
			 i == N - 1
				 ? "Counts every zyzzyva in the garden."
				 : "Tool number %d reads lines of widget %d.",
			 i, i % 97);
		def.ns = "many";
		def.name = name;
		def.description = desc;
		tools[i] = tx_tool_new(&def, err, sizeof(err));
		assert_non_null(tools[i]);
	}
	set = tx_engine_tools(w.e);
	w.gen0 = tx_toolset_generation(set);
	tx_toolset_unref(set);
	assert_int_equal(pthread_create(&th, NULL, watch_generation, &w), 0);
	assert_int_equal(tx_registry_set_source(w.e->registry, "many", tools, N,
						err, sizeof(err)),
			 0);
	pthread_join(th, NULL);
	assert_int_equal(w.seen, 1);
	for (int i = 0; i < N; i++)
		tx_tool_unref(tools[i]);
	free(tools);
	tx_engine_free(w.e);
}

/*
 * An engine freed while its thread still has thousands of tools to
 * index: the thread stops at the next tool, and every queued reference
 * is dropped (the sanitizer build finds a leak or a use after free).
 * Freed again at once after a search, and after a reload that removes
 * every tool, the queue of removals too.
 */
static void test_free_while_indexing(void **state)
{
	enum { N = 4000 };
	const char *tmp = getenv("TMPDIR");
	struct tx_engine_options opts = { .index_behind = true };
	char dir[256], path[512], err[256];
	struct tx_engine *e;
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/test_search.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/many.json", dir);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs("{\"tools\": [", f);
	for (int i = 0; i < N; i++)
		fprintf(f,
			"%s{\"namespace\": \"many\", \"name\": \"t%04d\", "
			"\"description\": \"%s %d.\", "
			"\"input_schema\": {\"type\": \"object\", "
			"\"properties\": {\"w%d\": {\"type\": "
			"\"string\"}}}, \"command\": [\"true\"], "
			"\"stdin\": \"none\", \"timeout_ms\": 5000}",
			i ? ", " : "", i,
			i == N - 1 ? "Counts every zyzzyva of widget"
				   : "Reads lines of widget",
			i, i % 50);
	fputs("]}", f);
	assert_int_equal(fclose(f), 0);
	opts.config_dir = dir;
	/* Freed at once: most of the queue is still there. */
	e = tx_engine_new(&opts, err, sizeof(err));
	assert_non_null(e);
	tx_engine_free(e);
	/* A search first: it applies what the thread has not. */
	e = tx_engine_new(&opts, err, sizeof(err));
	assert_non_null(e);
	assert_true(engine_hits(e, "zyzzyva", "many:t3999"));
	/* Every tool removed, and freed before the thread is done. */
	unlink(path);
	assert_int_equal(tx_engine_reload(e), 0);
	tx_engine_free(e);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokenize_split),
		cmocka_unit_test(test_tokenize_stem_stop),
		cmocka_unit_test(test_tokenize_unicode_binary),
		cmocka_unit_test(test_synonyms),
		cmocka_unit_test(test_name_beats_description),
		cmocka_unit_test(test_params_and_nested),
		cmocka_unit_test(test_odd_queries),
		cmocka_unit_test(test_put_replace_remove),
		cmocka_unit_test(test_maxscore_exact),
		cmocka_unit_test(test_churn_equals_fresh),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test_prestate(test_engine_reload, &index_now),
		{ "test_engine_reload_behind", test_engine_reload, NULL, NULL,
		  &index_behind },
		cmocka_unit_test_prestate(test_index_before_publish,
					  &index_now),
		{ "test_index_before_publish_behind", test_index_before_publish,
		  NULL, NULL, &index_behind },
		cmocka_unit_test(test_free_while_indexing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
