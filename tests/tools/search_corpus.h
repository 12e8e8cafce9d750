/*
 * search_corpus.h - shared by the search evaluation and benchmark: a
 * corpus of tools, loaded into our index and into an SQLite FTS5 table
 * with the same fields and weights.  Header-only so each program stays
 * one file (each C file under tests/tools and bench builds alone).
 */
#ifndef TX_SEARCH_CORPUS_H
#define TX_SEARCH_CORPUS_H

#include <errno.h>
#include <json-c/json.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "search/search.h"
#include "search/search_i.h"
#include "engine/tool.h"

struct corpus_tool {
	char *id, *ns, *name, *title, *description;
	char **tags;
	size_t ntags;
	struct json_object *schema; /* owned */
	char *pnames, *pdescs;      /* flattened, for FTS5 */
	bool destructive;           /* as the engine would rank it */
};

struct corpus {
	struct corpus_tool *t;
	size_t n, cap;
};

static inline double corpus_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline char *corpus_strdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p) {
		perror("strdup");
		exit(2);
	}
	return p;
}

/* Parameter names and descriptions as plain text, the way FTS5 sees them. */
static inline void corpus_flatten(struct json_object *s, int depth,
				  struct tx_buf *names, struct tx_buf *descs)
{
	static const char *const nested[] = { "items", "additionalProperties",
					      "anyOf", "oneOf", "allOf" };
	struct json_object *v;
	size_t i;

	if (!s || depth > 16)
		return;
	if (json_object_is_type(s, json_type_array)) {
		for (i = 0; i < json_object_array_length(s); i++)
			corpus_flatten(json_object_array_get_idx(s, i),
				       depth + 1, names, descs);
		return;
	}
	if (!json_object_is_type(s, json_type_object))
		return;
	if (depth > 0) {
		if (json_object_object_get_ex(s, "title", &v) &&
		    json_object_is_type(v, json_type_string))
			tx_buf_printf(descs, "%s\n", json_object_get_string(v));
		if (json_object_object_get_ex(s, "description", &v) &&
		    json_object_is_type(v, json_type_string))
			tx_buf_printf(descs, "%s\n", json_object_get_string(v));
		if (json_object_object_get_ex(s, "enum", &v) &&
		    json_object_is_type(v, json_type_array))
			for (i = 0; i < json_object_array_length(v); i++) {
				struct json_object *e =
					json_object_array_get_idx(v, i);

				if (json_object_is_type(e, json_type_string))
					tx_buf_printf(
						descs, "%s\n",
						json_object_get_string(e));
			}
	}
	if (json_object_object_get_ex(s, "properties", &v) &&
	    json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, sub)
		{
			tx_buf_printf(names, "%s\n", key);
			corpus_flatten(sub, depth + 1, names, descs);
		}
	}
	for (i = 0; i < sizeof(nested) / sizeof(nested[0]); i++)
		if (json_object_object_get_ex(s, nested[i], &v))
			corpus_flatten(v, depth + 1, names, descs);
}

static inline const char *corpus_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return "";
}

/* Adds a tool; takes ownership of schema (may be NULL). */
static inline void corpus_add(struct corpus *c, const char *ns,
			      const char *name, const char *title,
			      const char *desc, const char *const *tags,
			      size_t ntags, struct json_object *schema)
{
	struct corpus_tool *t;
	struct tx_buf names, descs;
	size_t i, len;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->t = realloc(c->t, c->cap * sizeof(*c->t));
		if (!c->t) {
			perror("realloc");
			exit(2);
		}
	}
	t = &c->t[c->n++];
	memset(t, 0, sizeof(*t));
	len = strlen(ns) + strlen(name) + 2;
	t->id = malloc(len);
	if (!t->id)
		exit(2);
	snprintf(t->id, len, "%s:%s", ns, name);
	t->ns = corpus_strdup(ns);
	t->name = corpus_strdup(name);
	t->title = corpus_strdup(title);
	t->description = corpus_strdup(desc);
	t->tags = calloc(ntags + 1, sizeof(*t->tags));
	for (i = 0; i < ntags; i++)
		t->tags[i] = corpus_strdup(tags[i]);
	t->ntags = ntags;
	t->schema = schema;
	tx_buf_init(&names, 0);
	tx_buf_init(&descs, 0);
	corpus_flatten(schema, 0, &names, &descs);
	t->pnames = tx_buf_detach(&names, NULL);
	t->pdescs = tx_buf_detach(&descs, NULL);
}

/*
 * Whether the engine ranks the tool as destructive: its MCP annotations
 * (readOnlyHint, destructiveHint), else its name (docs/search.md).
 */
static inline bool corpus_destructive(struct json_object *t)
{
	struct json_object *ann, *v;

	if (json_object_object_get_ex(t, "annotations", &ann)) {
		if (json_object_object_get_ex(ann, "readOnlyHint", &v) &&
		    json_object_get_boolean(v))
			return false;
		if (json_object_object_get_ex(ann, "destructiveHint", &v) &&
		    json_object_is_type(v, json_type_boolean))
			return json_object_get_boolean(v);
	}
	return tx_tool_hint_from_name(corpus_str(t, "name")) ==
	       TX_HINT_DESTRUCTIVE;
}

/*
 * Loads [{"namespace": NS, "tools": [{name, title, description, tags,
 * inputSchema}, ...]}, ...] (the shape tests/search/ fixtures use).
 */
static inline int corpus_load(struct corpus *c, const char *path)
{
	struct json_object *root = json_object_from_file(path);
	size_t i, j, k;

	if (!root || !json_object_is_type(root, json_type_array)) {
		fprintf(stderr, "%s: cannot load\n", path);
		json_object_put(root);
		return -EINVAL;
	}
	for (i = 0; i < json_object_array_length(root); i++) {
		struct json_object *srv = json_object_array_get_idx(root, i);
		struct json_object *tools;
		const char *ns = corpus_str(srv, "namespace");

		if (!json_object_object_get_ex(srv, "tools", &tools))
			continue;
		for (j = 0; j < json_object_array_length(tools); j++) {
			struct json_object *t = json_object_array_get_idx(tools,
									  j),
					   *v;
			const char *tags[32];
			size_t ntags = 0;
			struct json_object *schema = NULL;

			if (json_object_object_get_ex(t, "tags", &v))
				for (k = 0; k < json_object_array_length(v) &&
					    ntags < 32;
				     k++)
					tags[ntags++] = json_object_get_string(
						json_object_array_get_idx(v,
									  k));
			if (json_object_object_get_ex(t, "inputSchema", &v))
				schema = json_object_get(v);
			corpus_add(c, ns, corpus_str(t, "name"),
				   corpus_str(t, "title"),
				   corpus_str(t, "description"), tags, ntags,
				   schema);
			c->t[c->n - 1].destructive = corpus_destructive(t);
		}
	}
	json_object_put(root);
	return 0;
}

static inline void corpus_free(struct corpus *c)
{
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		struct corpus_tool *t = &c->t[i];

		free(t->id);
		free(t->ns);
		free(t->name);
		free(t->title);
		free(t->description);
		for (j = 0; j < t->ntags; j++)
			free(t->tags[j]);
		free(t->tags);
		json_object_put(t->schema);
		free(t->pnames);
		free(t->pdescs);
	}
	free(c->t);
	memset(c, 0, sizeof(*c));
}

static inline int corpus_index(const struct corpus *c,
			       struct tx_search_index *idx)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct corpus_tool *t = &c->t[i];
		struct tx_search_doc d = {
			.id = t->id,
			.ns = t->ns,
			.name = t->name,
			.title = t->title,
			.description = t->description,
			.tags = (const char *const *)t->tags,
			.ntags = t->ntags,
			.input_schema = t->schema,
			.destructive = t->destructive,
		};
		int rc = tx_search_index_put(idx, &d);

		if (rc)
			return rc;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* The baseline: SQLite FTS5, porter stemmer, bm25() with our weights */

static inline sqlite3 *fts_open(const struct corpus *c)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t i;
	int f;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		goto fail;
	if (sqlite3_exec(db,
			 "CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, "
			 "name, namespace, title, description, tags, pnames, "
			 "pdescs, tokenize='porter unicode61');"
			 "BEGIN;",
			 NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?,?,?,?,?,?,?,?)", -1,
			       &st, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < c->n; i++) {
		const struct corpus_tool *t = &c->t[i];
		struct tx_buf tags;
		size_t j;

		tx_buf_init(&tags, 0);
		for (j = 0; j < t->ntags; j++)
			tx_buf_printf(&tags, "%s\n", t->tags[j]);
		sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, t->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, t->ns, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, t->title, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, t->description, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, tags.data ? tags.data : "", -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 7, t->pnames, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, t->pdescs, -1, SQLITE_STATIC);
		tx_buf_release(&tags);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_exec(db, "COMMIT;", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	(void)f;
	return db;
fail:
	fprintf(stderr, "fts5: %s\n", db ? sqlite3_errmsg(db) : "open");
	sqlite3_finalize(st);
	sqlite3_close(db);
	return NULL;
}

/* The prepared ranking statement: bm25() with our field weights. */
static inline sqlite3_stmt *fts_prepare(sqlite3 *db)
{
	const double *w = tx_search_field_weight;
	sqlite3_stmt *st = NULL;
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "SELECT id, -bm25(t, 0, %g, %g, %g, %g, %g, %g, %g) AS s "
		 "FROM t WHERE t MATCH ?1 ORDER BY bm25(t, 0, %g, %g, %g, %g, "
		 "%g, %g, %g) LIMIT ?2",
		 w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[0], w[1], w[2],
		 w[3], w[4], w[5], w[6]);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "fts5: %s\n", sqlite3_errmsg(db));
		return NULL;
	}
	return st;
}

/*
 * A free-text query as FTS5 MATCH syntax: every word quoted (so no word
 * is taken for an operator), joined with OR, as a user would write it
 * to get ranked rather than all-words-must-match results.
 */
static inline char *fts_query(const char *q)
{
	struct tx_buf b;
	const unsigned char *s = (const unsigned char *)q;
	size_t i = 0;

	tx_buf_init(&b, 0);
	while (s[i]) {
		size_t start;

		while (s[i] &&
		       !(s[i] >= 0x80 || (s[i] >= '0' && s[i] <= '9') ||
			 ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')))
			i++;
		start = i;
		while (s[i] && (s[i] >= 0x80 || (s[i] >= '0' && s[i] <= '9') ||
				((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')))
			i++;
		if (i > start)
			tx_buf_printf(&b, "%s\"%.*s\"", b.len ? " OR " : "",
				      (int)(i - start), q + start);
	}
	return tx_buf_detach(&b, NULL);
}

/*
 * Runs one FTS5 query; fills ids[0..k) (borrowed copies in out, caller
 * frees each) and returns the count, or -1 on error.
 */
static inline int fts_search(sqlite3_stmt *st, const char *query, int k,
			     char **ids)
{
	char *m = fts_query(query);
	int n = 0;

	if (!*m) {
		free(m);
		return 0;
	}
	sqlite3_bind_text(st, 1, m, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, k);
	while (sqlite3_step(st) == SQLITE_ROW && n < k)
		ids[n++] =
			corpus_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	free(m);
	return n;
}

#endif
