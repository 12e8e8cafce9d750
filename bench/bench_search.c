/*
 * bench_search - our search index against SQLite FTS5 on synthetic tools.
 *
 *   bench_search [--quick] [--no-fts] [--seed N] [--sizes 1000,10000,50000]
 *
 * For each corpus size: build time, memory, and the median and p99
 * latency of 3-, 12- and 40-word queries (top 10), ours and FTS5's in the
 * same run, with the ratio FTS5 / ours.  Corpora are generated from the
 * seed: tools have a verb_noun name, a title, a 10-60 word description,
 * tags and 1-6 parameters with descriptions, in words drawn from a
 * Zipf-distributed vocabulary of 20 000 words (real API words first, then
 * made-up ones) -- the shape of real MCP tool lists.  Memory is the
 * allocator's in-use bytes (mallinfo2) for ours and
 * sqlite3_memory_used() for FTS5.
 */
#include <malloc.h>
#include <math.h>
#include <stdbool.h>

#include "../tests/tools/search_corpus.h"
#include "bench_util.h"

#define VOCAB 20000

static const char *const real_words[] = {
	"file",        "read",         "write",      "list",
	"directory",   "create",       "delete",     "update",
	"get",         "set",          "search",     "find",
	"query",       "user",         "account",    "message",
	"send",        "email",        "channel",    "issue",
	"pull",        "request",      "repository", "branch",
	"commit",      "merge",        "review",     "comment",
	"image",       "video",        "audio",      "text",
	"document",    "page",         "table",      "row",
	"column",      "database",     "record",     "field",
	"value",       "key",          "index",      "cache",
	"log",         "event",        "calendar",   "meeting",
	"task",        "project",      "ticket",     "status",
	"report",      "metric",       "chart",      "dashboard",
	"alert",       "monitor",      "server",     "service",
	"cluster",     "container",    "deploy",     "build",
	"test",        "run",          "job",        "schedule",
	"time",        "date",         "zone",       "weather",
	"forecast",    "city",         "location",   "map",
	"route",       "price",        "stock",      "order",
	"payment",     "invoice",      "customer",   "product",
	"catalog",     "inventory",    "shipment",   "address",
	"phone",       "contact",      "note",       "folder",
	"upload",      "download",     "share",      "permission",
	"role",        "group",        "team",       "member",
	"invite",      "token",        "secret",     "config",
	"setting",     "option",       "parameter",  "format",
	"json",        "csv",          "xml",        "html",
	"markdown",    "url",          "link",       "http",
	"api",         "endpoint",     "response",   "error",
	"retry",       "timeout",      "limit",      "page",
	"cursor",      "filter",       "sort",       "order",
	"field",       "name",         "id",         "type",
	"size",        "count",        "total",      "summary",
	"detail",      "description",  "title",      "tag",
	"label",       "category",     "version",    "release",
	"package",     "dependency",   "license",    "vulnerability",
	"scan",        "translate",    "language",   "convert",
	"parse",       "validate",     "schema",     "transform",
	"compress",    "archive",      "extract",    "encrypt",
	"decrypt",     "hash",         "sign",       "verify",
	"random",      "generate",     "sample",     "model",
	"predict",     "embed",        "vector",     "graph",
	"node",        "edge",         "entity",     "relation",
	"observation", "memory",       "note",       "snippet",
	"code",        "function",     "class",      "symbol",
	"reference",   "definition",   "diagnostic", "format",
	"lint",        "refactor",     "rename",     "move",
	"copy",        "sync",         "backup",     "restore",
	"snapshot",    "volume",       "disk",       "network",
	"port",        "process",      "thread",     "signal",
	"kill",        "start",        "stop",       "restart",
	"health",      "check",        "ping",       "trace",
	"span",        "latency",      "throughput", "quota",
	"usage",       "billing",      "plan",       "subscription",
	"webhook",     "notification", "push",       "pull",
	"queue",       "topic",        "stream",     "batch",
	"window",      "aggregate",    "join",       "select",
};

struct gen {
	uint64_t s;
	char *words[VOCAB];
	double cdf[VOCAB];
};

static uint64_t next(struct gen *g)
{
	g->s ^= g->s >> 12; /* xorshift64* */
	g->s ^= g->s << 25;
	g->s ^= g->s >> 27;
	return g->s * 2685821657736338717ull;
}

static double unif(struct gen *g)
{
	return (next(g) >> 11) * (1.0 / 9007199254740992.0);
}

static void gen_init(struct gen *g, uint64_t seed)
{
	static const char *const syl[] = { "ka",  "lo",  "mi",  "ten", "ra",
					   "sul", "vo",  "dex", "pin", "gra",
					   "tor", "bel", "qui", "nar", "sto",
					   "fen", "ix",  "zu",  "mon", "ple" };
	size_t nreal = sizeof(real_words) / sizeof(real_words[0]), i;
	double sum = 0;

	g->s = seed ? seed : 1;
	for (i = 0; i < VOCAB; i++) {
		char w[32];

		if (i < nreal) {
			g->words[i] = corpus_strdup(real_words[i]);
		} else {
			size_t n = 2 + next(g) % 3, j, len = 0;

			for (j = 0; j < n; j++)
				len += (size_t)snprintf(w + len,
							sizeof(w) - len, "%s",
							syl[next(g) % 20]);
			g->words[i] = corpus_strdup(w);
		}
		sum += 1.0 / pow(i + 1.0, 1.0); /* Zipf, s = 1 */
		g->cdf[i] = sum;
	}
	for (i = 0; i < VOCAB; i++)
		g->cdf[i] /= sum;
}

static const char *word(struct gen *g)
{
	double u = unif(g);
	size_t lo = 0, hi = VOCAB - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (g->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return g->words[lo];
}

static void words(struct gen *g, struct tx_buf *b, size_t n, const char *sep)
{
	size_t i;

	for (i = 0; i < n; i++)
		tx_buf_printf(b, "%s%s", i ? sep : "", word(g));
}

static void make_corpus(struct gen *g, struct corpus *c, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct tx_buf ns, name, title, desc, tag[3];
		struct json_object *schema = json_object_new_object();
		struct json_object *props = json_object_new_object();
		const char *tags[3];
		size_t ntags = next(g) % 4, nparams = 1 + next(g) % 6;

		tx_buf_init(&ns, 0);
		tx_buf_init(&name, 0);
		tx_buf_init(&title, 0);
		tx_buf_init(&desc, 0);
		tx_buf_printf(&ns, "%s%zu", g->words[next(g) % 40], i % 50);
		words(g, &name, 2 + next(g) % 2, "_");
		tx_buf_printf(&name, "_%zu", i); /* IDs are unique */
		words(g, &title, 2 + next(g) % 3, " ");
		/* 10-60 words, most near 35: the sum of two uniforms. */
		words(g, &desc, 10 + (next(g) % 26 + next(g) % 26), " ");
		for (j = 0; j < ntags; j++) {
			tx_buf_init(&tag[j], 0);
			words(g, &tag[j], 1, " ");
			tags[j] = tag[j].data;
		}
		json_object_object_add(schema, "type",
				       json_object_new_string("object"));
		for (j = 0; j < nparams; j++) {
			struct tx_buf pn, pd;
			struct json_object *p = json_object_new_object();

			tx_buf_init(&pn, 0);
			tx_buf_init(&pd, 0);
			words(g, &pn, 1 + next(g) % 2, "_");
			words(g, &pd, 4 + next(g) % 12, " ");
			json_object_object_add(
				p, "type", json_object_new_string("string"));
			json_object_object_add(p, "description",
					       json_object_new_string(pd.data));
			json_object_object_add(props, pn.data, p);
			tx_buf_release(&pn);
			tx_buf_release(&pd);
		}
		json_object_object_add(schema, "properties", props);
		corpus_add(c, ns.data, name.data, title.data, desc.data, tags,
			   ntags, schema);
		for (j = 0; j < ntags; j++)
			tx_buf_release(&tag[j]);
		tx_buf_release(&ns);
		tx_buf_release(&name);
		tx_buf_release(&title);
		tx_buf_release(&desc);
	}
}

struct lat {
	double median, p99;
};

static struct lat summarize(double *t, size_t n)
{
	struct lat l;

	qsort(t, n, sizeof(*t), cmp_double);
	l.median = t[n / 2];
	l.p99 = t[(size_t)((n - 1) * 0.99)];
	return l;
}

static size_t heap_used(void)
{
	return mallinfo2().uordblks;
}

static bool no_fts;

static void bench_size(uint64_t seed, size_t n, size_t nq)
{
	static const size_t qlens[] = { 3, 12, 40 };
	struct gen *g = calloc(1, sizeof(*g));
	struct corpus c = { 0 };
	struct tx_search_index *idx;
	sqlite3 *db;
	sqlite3_stmt *st;
	double t0, build_ours, build_fts, *tours, *tfts;
	size_t mem0, mem_ours, mem_fts, i, qi;
	char **queries;

	gen_init(g, seed);
	make_corpus(g, &c, n);
	/* Queries come from the same vocabulary (and mostly hit). */
	queries = calloc(nq * 3, sizeof(*queries));
	for (qi = 0; qi < 3; qi++)
		for (i = 0; i < nq; i++) {
			struct tx_buf b;

			tx_buf_init(&b, 0);
			words(g, &b, qlens[qi], " ");
			queries[qi * nq + i] = tx_buf_detach(&b, NULL);
		}

	mem0 = heap_used();
	t0 = corpus_now();
	idx = tx_search_index_new();
	if (!idx || corpus_index(&c, idx)) {
		fprintf(stderr, "indexing failed\n");
		exit(2);
	}
	build_ours = corpus_now() - t0;
	mem_ours = heap_used() - mem0;

	mem0 = (size_t)sqlite3_memory_used();
	t0 = corpus_now();
	db = fts_open(&c);
	if (!db)
		exit(2);
	build_fts = corpus_now() - t0;
	mem_fts = (size_t)sqlite3_memory_used() - mem0;
	st = fts_prepare(db);
	if (!st)
		exit(2);

	printf("\n%zu tools (seed %llu, %zu queries per length)\n", n,
	       (unsigned long long)seed, nq);
	printf("  build      ours %8.1f ms   fts5 %8.1f ms   ratio %5.1fx\n",
	       build_ours * 1e3, build_fts * 1e3, build_fts / build_ours);
	printf("  memory     ours %8.1f MB   fts5 %8.1f MB   ratio %5.1fx\n",
	       mem_ours / 1048576.0, mem_fts / 1048576.0,
	       (double)mem_fts / (double)(mem_ours ? mem_ours : 1));

	tours = calloc(nq, sizeof(double));
	tfts = calloc(nq, sizeof(double));
	for (qi = 0; qi < 3; qi++) {
		struct lat lo, lf;
		size_t hits_ours = 0, hits_fts = 0;

		for (i = 0; i < nq; i++) {
			const char *q = queries[qi * nq + i];
			struct tx_search_hit *hits;
			char *ids[10];
			int k, m;

			t0 = corpus_now();
			k = tx_search_index_query(idx, q, 10, &hits);
			tours[i] = corpus_now() - t0;
			if (k < 0)
				exit(2);
			hits_ours += (size_t)k;
			tx_search_hits_free(hits, (size_t)k);

			t0 = corpus_now();
			m = no_fts ? 0 : fts_search(st, q, 10, ids);
			tfts[i] = corpus_now() - t0;
			hits_fts += m > 0 ? (size_t)m : 0;
			for (k = 0; k < m; k++)
				free(ids[k]);
		}
		lo = summarize(tours, nq);
		lf = summarize(tfts, nq);
		printf("  %2zu words   median ours %8.3f ms  fts5 %8.3f ms  "
		       "ratio %6.1fx | p99 ours %8.3f ms  fts5 %8.3f ms  "
		       "ratio %6.1fx\n",
		       qlens[qi], lo.median * 1e3, lf.median * 1e3,
		       lf.median / lo.median, lo.p99 * 1e3, lf.p99 * 1e3,
		       lf.p99 / lo.p99);
		(void)hits_ours;
		(void)hits_fts;
	}

	sqlite3_finalize(st);
	sqlite3_close(db);
	tx_search_index_free(idx);
	corpus_free(&c);
	for (i = 0; i < nq * 3; i++)
		free(queries[i]);
	free(queries);
	free(tours);
	free(tfts);
	for (i = 0; i < VOCAB; i++)
		free(g->words[i]);
	free(g);
}

int main(int argc, char **argv)
{
	size_t sizes[8] = { 1000, 10000, 50000 }, nsizes = 3, i;
	uint64_t seed = 42;
	bool quick = false;

	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			quick = true;
		} else if (strcmp(argv[i], "--no-fts") == 0) {
			no_fts = true; /* for profiling our side alone */
		} else if (strcmp(argv[i], "--seed") == 0 &&
			   i + 1 < (size_t)argc) {
			seed = strtoull(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--sizes") == 0 &&
			   i + 1 < (size_t)argc) {
			char *s = argv[++i], *end;

			nsizes = 0;
			while (*s && nsizes < 8) {
				sizes[nsizes++] = strtoul(s, &end, 10);
				s = *end == ',' ? end + 1 : end;
				if (end == s && *s)
					break;
			}
		} else {
			fprintf(stderr, "usage: bench_search [--quick] "
					"[--seed N] [--sizes N,N,...]\n");
			return 2;
		}
	}
	if (quick) {
		sizes[0] = 1000;
		nsizes = 1;
	}
	printf("bench_search: top-10 queries, ours (BM25F + MaxScore) vs "
	       "SQLite %s FTS5 (porter, bm25 with the same weights)\n",
	       sqlite3_libversion());
	for (i = 0; i < nsizes; i++)
		bench_size(seed, sizes[i],
			   quick ? 50 : (sizes[i] >= 50000 ? 200 : 400));
	return 0;
}
