/*
 * render.c - the texts both faces show, rendered once here: search
 * results (search/QUERY/results and results.json in the mount, `toolexec
 * search [--json]`) and the tool index (tools/INDEX, `toolexec list`).
 * A face prints or serves these bytes as they are, so the mount and the
 * command cannot drift apart (docs/search.md).
 */
#include "toolexecfs/toolexec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util/buf.h"
#include "util/jsonu.h"
#include "search/search.h"

struct tx_search_result {
	struct tx_toolset *set; /* the hits' tools are borrowed from it */
	size_t n;
	const struct tx_tool **tools;
	char *text, *json;
	size_t text_len, json_len;
};

/* A summary without its closing newline: its length. */
static int summary_len(const char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return (int)n;
}

/* What a hit's HINT column and "hint" say. */
static const char *hint_text(const struct tx_tool *t)
{
	const char *h = tx_tool_hint_name(tx_tool_hint(t));

	return h ? h : "-";
}

/* "RANK<TAB>SCORE<TAB>ID<TAB>HINT<TAB>SUMMARY\n" per hit. */
static int render_text(struct tx_search_result *r, const double *scores)
{
	struct tx_buf b;
	int rc = 0;

	tx_buf_init(&b, 0);
	for (size_t i = 0; i < r->n && !rc; i++) {
		const char *sum = tx_tool_summary(r->tools[i]);

		rc = tx_buf_printf(&b, "%zu\t%.4f\t%s\t%s\t%.*s\n", i + 1,
				   scores[i], tx_tool_id(r->tools[i]),
				   hint_text(r->tools[i]), summary_len(sum),
				   sum);
	}
	if (rc) {
		tx_buf_release(&b);
		return rc;
	}
	r->text = tx_buf_detach(&b, &r->text_len);
	return r->text ? 0 : -ENOMEM;
}

/* One hit as JSON; NULL when out of memory. */
static struct json_object *hit_json(const struct tx_tool *t, size_t rank,
				    double score)
{
	struct json_object *h = json_object_new_object();
	const char *sum = tx_tool_summary(t);
	const char *hint = tx_tool_hint_name(tx_tool_hint(t));
	char num[64], *path = NULL;

	if (!h)
		return NULL;
	/* Six decimals, written as they are: the same bytes everywhere, and
	 * more than the text's four for whoever compares scores. */
	snprintf(num, sizeof(num), "%.6f", score);
	if (asprintf(&path, "tools/%s/%s", tx_tool_namespace_file(t),
		     tx_tool_name_file(t)) < 0)
		path = NULL;
	if (!path ||
	    json_object_object_add(h, "rank",
				   json_object_new_int64((int64_t)rank)) ||
	    json_object_object_add(h, "score",
				   json_object_new_double_s(score, num)) ||
	    json_object_object_add(h, "id",
				   json_object_new_string(tx_tool_id(t))) ||
	    json_object_object_add(
		    h, "hint", hint ? json_object_new_string(hint) : NULL) ||
	    json_object_object_add(
		    h, "summary",
		    json_object_new_string_len(sum, summary_len(sum))) ||
	    json_object_object_add(h, "path", json_object_new_string(path))) {
		json_object_put(h);
		h = NULL;
	}
	free(path);
	return h;
}

/* {"query": ..., "hits": [{rank, score, id, hint, summary, path}, ...]} */
static int render_json(struct tx_search_result *r, const char *query,
		       const double *scores)
{
	struct json_object *root = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	int rc = -ENOMEM;

	if (!root || !arr ||
	    json_object_object_add(root, "query",
				   json_object_new_string(query)) ||
	    json_object_object_add(root, "hits", arr)) {
		json_object_put(arr);
		goto out_put;
	}
	/* From here arr is root's. */
	for (size_t i = 0; i < r->n; i++) {
		struct json_object *h = hit_json(r->tools[i], i + 1, scores[i]);

		if (!h || json_object_array_add(arr, h)) {
			json_object_put(h);
			goto out_put;
		}
	}
	r->json = tx_json_pretty(root);
	if (r->json) {
		r->json_len = strlen(r->json);
		rc = 0;
	}
out_put:
	json_object_put(root);
	return rc;
}

struct tx_search_result *tx_engine_search_result(struct tx_engine *engine,
						 const char *query, size_t k,
						 bool exact)
{
	struct tx_search_result *r = calloc(1, sizeof(*r));
	struct tx_search_hit *hits = NULL;
	double *scores = NULL;
	size_t nshow;
	int n = 0, rc = -ENOMEM;

	if (!r)
		return NULL;
	/* The set before the search: the index is updated just before a set
	 * is published, so it knows every tool of this set. */
	r->set = tx_engine_tools(engine);
	if (!r->set)
		goto out_fail;
	n = tx_engine_search(engine, query, k, &hits);
	if (n < 0) {
		rc = n;
		n = 0;
		goto out_fail;
	}
	/* The hits of an ordinary search stop where they fall far below
	 * the best; whoever asked for k by number gets k. */
	nshow = exact ? (size_t)n : tx_search_cutoff(hits, (size_t)n);
	r->tools = calloc((size_t)n + 1, sizeof(*r->tools));
	scores = calloc((size_t)n + 1, sizeof(*scores));
	if (!r->tools || !scores)
		goto out_fail;
	for (size_t i = 0; i < nshow; i++) {
		const struct tx_tool *t = tx_toolset_find(r->set, hits[i].id);

		/* A tool of a newer set than ours: left out rather than
		 * shown with nothing behind it (no directory in the mount
		 * for this reader yet). */
		if (!t)
			continue;
		r->tools[r->n] = t;
		scores[r->n++] = hits[i].score;
	}
	rc = render_text(r, scores);
	if (!rc)
		rc = render_json(r, query, scores);
	if (rc)
		goto out_fail;
	free(scores);
	tx_search_hits_free(hits, (size_t)n);
	return r;
out_fail:
	free(scores);
	tx_search_hits_free(hits, (size_t)n);
	tx_search_result_free(r);
	errno = -rc;
	return NULL;
}

void tx_search_result_free(struct tx_search_result *r)
{
	if (!r)
		return;
	free(r->text);
	free(r->json);
	free(r->tools);
	if (r->set)
		tx_toolset_unref(r->set);
	free(r);
}

uint64_t tx_search_result_generation(const struct tx_search_result *r)
{
	return tx_toolset_generation(r->set);
}

size_t tx_search_result_count(const struct tx_search_result *r)
{
	return r->n;
}

const struct tx_tool *tx_search_result_tool(const struct tx_search_result *r,
					    size_t i)
{
	return i < r->n ? r->tools[i] : NULL;
}

const char *tx_search_result_text(const struct tx_search_result *r, size_t *len)
{
	if (len)
		*len = r->text_len;
	return r->text;
}

const char *tx_search_result_json(const struct tx_search_result *r, size_t *len)
{
	if (len)
		*len = r->json_len;
	return r->json;
}

char *tx_toolset_index_text(const struct tx_toolset *set, const char *ns_file,
			    size_t *len)
{
	size_t first = 0, n = tx_toolset_count(set);
	struct tx_buf b;
	int rc = 0;
	char *text;

	/* A namespace's tools are contiguous: only they are looked at. */
	if (ns_file)
		n = tx_toolset_namespace_range(set, ns_file, &first);
	tx_buf_init(&b, 0);
	for (size_t i = first; i < first + n && !rc; i++) {
		const struct tx_tool *t = tx_toolset_at(set, i);
		const char *sum = tx_tool_summary(t);
		size_t sl = strlen(sum);

		rc = tx_buf_printf(&b, "%s\t%s%s", tx_tool_id(t), sum,
				   sl && sum[sl - 1] == '\n' ? "" : "\n");
	}
	if (rc) {
		tx_buf_release(&b);
		errno = -rc;
		return NULL;
	}
	text = tx_buf_detach(&b, len);
	if (!text)
		errno = ENOMEM;
	return text;
}
