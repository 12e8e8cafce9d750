/*
 * search_eval - ranking quality of our index against SQLite FTS5.
 *
 *   search_eval [-v] [DIR]      DIR defaults to tests/search
 *   search_eval --dump-default  print the embedded default's tools (built-in
 *                               and example exec tools) as a fixture:
 *                               DIR/local-tools.json is made this way
 *
 * Loads the tool fixtures DIR/NAME-tools.json and the judged queries
 * DIR/queries.json ([{"q": TEXT, "kind": KIND, "rel": {ID: 0..3}}]),
 * ranks every query with both engines and prints nDCG@10, Recall@5 and
 * MRR, per kind and overall.  Exits 1 unless ours beats FTS5 on every
 * overall metric, 2 on a broken fixture (a judged ID that no tool has).
 *
 * Gains are graded (2^rel - 1); Recall@5 and MRR count a tool as
 * relevant from grade 2 ("does the job") up.
 */
#include <dirent.h>
#include <math.h>
#include <stdbool.h>

#include "search_corpus.h"

#include "util/jsonu.h"
#include "engine/tool.h"
#include "toolexecfs/toolexec.h"

#define K       10
#define REL_MIN 2

struct judged {
	const char *id;
	int rel;
};

struct query {
	const char *q, *kind;
	struct judged *j;
	size_t nj;
};

struct metrics {
	double ndcg, recall, mrr;
	size_t n;
};

static int rel_of(const struct query *q, const char *id)
{
	size_t i;

	for (i = 0; i < q->nj; i++)
		if (strcmp(q->j[i].id, id) == 0)
			return q->j[i].rel;
	return 0;
}

static int cmp_int_desc(const void *a, const void *b)
{
	return *(const int *)b - *(const int *)a;
}

static void score_query(const struct query *q, char **ids, int n,
			struct metrics *m)
{
	int ideal[256], ni = 0, i, nrel = 0, found = 0;
	double dcg = 0, idcg = 0, rr = 0;

	for (i = 0; i < (int)q->nj && ni < 256; i++) {
		if (q->j[i].rel > 0)
			ideal[ni++] = q->j[i].rel;
		if (q->j[i].rel >= REL_MIN)
			nrel++;
	}
	qsort(ideal, (size_t)ni, sizeof(int), cmp_int_desc);
	for (i = 0; i < ni && i < K; i++)
		idcg += (pow(2, ideal[i]) - 1) / log2(i + 2.0);
	for (i = 0; i < n && i < K; i++) {
		int r = rel_of(q, ids[i]);

		dcg += (pow(2, r) - 1) / log2(i + 2.0);
		if (r >= REL_MIN && i < 5)
			found++;
		if (r >= REL_MIN && rr == 0)
			rr = 1.0 / (i + 1);
	}
	m->ndcg += idcg > 0 ? dcg / idcg : 0;
	m->recall += nrel ? (double)found / (nrel < 5 ? nrel : 5) : 0;
	m->mrr += rr;
	m->n++;
}

static size_t load_queries(const char *path, struct json_object **root,
			   struct query **out)
{
	struct query *qs;
	size_t n, i;

	*root = json_object_from_file(path);
	if (!*root || !json_object_is_type(*root, json_type_array)) {
		fprintf(stderr, "%s: cannot load\n", path);
		exit(2);
	}
	n = json_object_array_length(*root);
	qs = calloc(n, sizeof(*qs));
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(*root, i), *r;
		size_t j = 0;

		qs[i].q = corpus_str(o, "q");
		qs[i].kind = corpus_str(o, "kind");
		if (!json_object_object_get_ex(o, "rel", &r) ||
		    !json_object_is_type(r, json_type_object)) {
			fprintf(stderr, "query %zu: no rel\n", i);
			exit(2);
		}
		qs[i].j = calloc(json_object_object_length(r) + 1,
				 sizeof(*qs[i].j));
		json_object_object_foreach(r, id, g)
		{
			qs[i].j[j].id = id;
			qs[i].j[j].rel = json_object_get_int(g);
			j++;
		}
		qs[i].nj = j;
	}
	*out = qs;
	return n;
}

/* The fixture for the tools every mount has, straight from the engine. */
static int dump_default(void)
{
	struct tx_engine_options opts = { 0 };
	struct json_object *root, *byns = json_object_new_object();
	struct tx_toolset *set;
	struct tx_engine *e;
	char err[512], *text;
	size_t i, j;

	e = tx_engine_new(&opts, err, sizeof(err));
	if (!e) {
		fprintf(stderr, "engine: %s\n", err);
		return 2;
	}
	set = tx_engine_tools(e);
	for (i = 0; i < tx_toolset_count(set); i++) {
		const struct tx_tool *t = tx_toolset_at(set, i);
		struct json_object *o = json_object_new_object(), *tools;
		struct json_object *tags = json_object_new_array();

		if (strcmp(t->backend ? tx_tool_backend_kind(t) : "", "mcp") ==
		    0)
			continue;
		if (!json_object_object_get_ex(byns, t->ns, &tools)) {
			tools = json_object_new_array();
			json_object_object_add(byns, t->ns, tools);
		}
		json_object_object_add(o, "name",
				       json_object_new_string(t->name));
		json_object_object_add(
			o, "title",
			json_object_new_string(t->title ? t->title : ""));
		json_object_object_add(
			o, "description",
			json_object_new_string(t->description ? t->description
							      : ""));
		for (j = 0; j < t->ntags; j++)
			json_object_array_add(
				tags, json_object_new_string(t->tags[j]));
		json_object_object_add(o, "tags", tags);
		json_object_object_add(o, "inputSchema",
				       tx_json_copy(t->input_schema));
		json_object_array_add(tools, o);
	}
	root = json_object_new_array();
	json_object_object_foreach(byns, ns, tools)
	{
		struct json_object *srv = json_object_new_object();

		json_object_object_add(srv, "namespace",
				       json_object_new_string(ns));
		json_object_object_add(srv, "tools", json_object_get(tools));
		json_object_array_add(root, srv);
	}
	text = tx_json_pretty(root);
	fputs(text, stdout);
	free(text);
	json_object_put(root);
	json_object_put(byns);
	tx_toolset_unref(set);
	tx_engine_free(e);
	return 0;
}

static void print_row(const char *label, const struct metrics *a,
		      const struct metrics *b)
{
	double n = a->n ? (double)a->n : 1;

	printf("%-10s %4zu   %.3f  %.3f   %.3f  %.3f   %.3f  %.3f\n", label,
	       a->n, a->ndcg / n, b->ndcg / n, a->recall / n, b->recall / n,
	       a->mrr / n, b->mrr / n);
}

int main(int argc, char **argv)
{
	const char *dir = "tests/search";
	struct corpus c = { 0 };
	struct tx_search_index *idx;
	struct json_object *qroot;
	struct query *qs;
	struct metrics ours = { 0 }, fts = { 0 };
	const char *kinds[32];
	struct metrics kours[32] = { { 0 } }, kfts[32] = { { 0 } };
	size_t nkinds = 0, nq, i, j;
	bool verbose = false;
	char path[4096];
	sqlite3 *db;
	sqlite3_stmt *st;
	DIR *dh;
	struct dirent *de;
	int rc = 0;

	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = true;
		else if (strcmp(argv[i], "--dump-default") == 0)
			return dump_default();
		else
			dir = argv[i];
	}
	dh = opendir(dir);
	if (!dh) {
		perror(dir);
		return 2;
	}
	while ((de = readdir(dh))) {
		size_t l = strlen(de->d_name);

		if (l > 11 && strcmp(de->d_name + l - 11, "-tools.json") == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (corpus_load(&c, path))
				return 2;
		}
	}
	closedir(dh);
	snprintf(path, sizeof(path), "%s/queries.json", dir);
	nq = load_queries(path, &qroot, &qs);

	idx = tx_search_index_new();
	if (!idx || corpus_index(&c, idx)) {
		fprintf(stderr, "indexing failed\n");
		return 2;
	}
	db = fts_open(&c);
	st = db ? fts_prepare(db) : NULL;
	if (!st)
		return 2;

	for (i = 0; i < nq; i++) {
		const struct query *q = &qs[i];
		struct tx_search_hit *hits = NULL;
		char *ours_ids[K], *fts_ids[K];
		int n1, n2, k, nall;
		size_t kind;

		for (j = 0; j < q->nj; j++) {
			size_t t;

			for (t = 0; t < c.n; t++)
				if (strcmp(c.t[t].id, q->j[j].id) == 0)
					break;
			if (t == c.n) {
				fprintf(stderr, "query \"%s\": no tool %s\n",
					q->q, q->j[j].id);
				return 2;
			}
		}
		n1 = tx_search_index_query(idx, q->q, K, &hits);
		if (n1 < 0) {
			fprintf(stderr, "query \"%s\": %s\n", q->q,
				strerror(-n1));
			return 2;
		}
		/* What a search without an explicit count shows: the
		 * relative cut-off is part of the ranking measured. */
		nall = n1;
		n1 = (int)tx_search_cutoff(hits, (size_t)n1);
		for (k = 0; k < n1; k++)
			ours_ids[k] = hits[k].id;
		n2 = fts_search(st, q->q, K, fts_ids);
		if (n2 < 0)
			n2 = 0;
		for (kind = 0; kind < nkinds; kind++)
			if (strcmp(kinds[kind], q->kind) == 0)
				break;
		if (kind == nkinds && nkinds < 32)
			kinds[nkinds++] = q->kind;
		if (kind < 32) {
			score_query(q, ours_ids, n1, &kours[kind]);
			score_query(q, fts_ids, n2, &kfts[kind]);
		}
		score_query(q, ours_ids, n1, &ours);
		score_query(q, fts_ids, n2, &fts);
		if (verbose) {
			printf("Q %s [%s]\n", q->q, q->kind);
			for (k = 0; k < 5; k++)
				printf("   %-40s %d | %-40s %d\n",
				       k < n1 ? ours_ids[k] : "",
				       k < n1 ? rel_of(q, ours_ids[k]) : 0,
				       k < n2 ? fts_ids[k] : "",
				       k < n2 ? rel_of(q, fts_ids[k]) : 0);
		}
		tx_search_hits_free(hits, (size_t)nall);
		for (k = 0; k < n2; k++)
			free(fts_ids[k]);
	}

	printf("%zu tools, %zu queries; ours vs FTS5 (porter, bm25 with the "
	       "same column weights)\n",
	       c.n, nq);
	printf("%-10s %4s   %-13s   %-13s   %-13s\n", "kind", "n", "nDCG@10",
	       "Recall@5", "MRR");
	for (i = 0; i < nkinds; i++)
		print_row(kinds[i], &kours[i], &kfts[i]);
	print_row("all", &ours, &fts);
	if (!(ours.ndcg > fts.ndcg && ours.recall > fts.recall &&
	      ours.mrr > fts.mrr)) {
		printf("FAIL: ours does not beat FTS5 on every metric\n");
		rc = 1;
	} else {
		printf("ok: ours beats FTS5 on nDCG@10, Recall@5 and MRR\n");
	}

	sqlite3_finalize(st);
	sqlite3_close(db);
	tx_search_index_free(idx);
	corpus_free(&c);
	for (i = 0; i < nq; i++)
		free(qs[i].j);
	free(qs);
	json_object_put(qroot);
	return rc;
}
