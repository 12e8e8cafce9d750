/*
 * search.c - search/: a query is a directory name.
 *
 * `ls search/'read a file'` looks the name up; every name exists (no
 * mkdir), and its directory holds the hits best first as symbolic links
 * NN-ID -> ../../tools/NS/NAME, plus `results` and `results.json`.  A
 * name ending in " +N" asks for N hits instead of the default 10 (at most
 * 1000): `ls 'search/read a file +50'`.  search/query is the same as a
 * transaction, for queries longer than a file name.
 *
 * One `ls -l` looks every entry up, so results are cached per query and
 * tool-set generation; a change of the tool set makes every cached
 * result stale at once, and the search subtree has no kernel caching.
 */
#include "fs/fs_i.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 32

struct hit {
	char *link;
	char *target;
};

struct sresult {
	atomic_uint refs;
	uint64_t gen;
	char *name;		/* the directory name it answers */
	size_t n;
	struct hit *hits;
	struct fs_blob *text;	/* results */
	struct fs_blob *json;	/* results.json */
};

struct fs_search_cache {
	pthread_mutex_t lock;
	struct sresult *slot[CACHE_SLOTS];	/* lock */
	size_t next;				/* lock */
};

static void sresult_unref(struct sresult *r)
{
	if (!r || atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->hits[i].link);
		free(r->hits[i].target);
	}
	free(r->hits);
	free(r->name);
	fs_blob_unref(r->text);
	fs_blob_unref(r->json);
	free(r);
}

int fs_search_init(struct fs *fs)
{
	fs->search_cache = calloc(1, sizeof(*fs->search_cache));
	if (!fs->search_cache)
		return -ENOMEM;
	pthread_mutex_init(&fs->search_cache->lock, NULL);
	return 0;
}

void fs_search_release(struct fs *fs)
{
	struct fs_search_cache *c = fs->search_cache;

	if (!c)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		sresult_unref(c->slot[i]);
	pthread_mutex_destroy(&c->lock);
	free(c);
	fs->search_cache = NULL;
}

/*
 * Splits "words +N" into the words and N.  The query is copied into q
 * (whitespace, newlines included, folded to single spaces).
 */
static size_t parse_query(const char *in, char *q, size_t qlen)
{
	size_t len = strlen(in), k = FS_SEARCH_K_DEFAULT, o = 0;
	const char *end = in + len, *p;

	while (end > in && isspace((unsigned char)end[-1]))
		end--;
	p = end;
	while (p > in && isdigit((unsigned char)p[-1]))
		p--;
	if (p < end && p > in && p[-1] == '+' &&
	    (p - 1 == in || isspace((unsigned char)p[-2])) && end - p <= 6) {
		k = strtoul(p, NULL, 10);
		if (k < 1)
			k = 1;
		if (k > FS_SEARCH_K_MAX)
			k = FS_SEARCH_K_MAX;
		end = p - 1;
	}
	for (p = in; p < end && o + 1 < qlen; p++) {
		char c = isspace((unsigned char)*p) ? ' ' : *p;

		if (c == ' ' && (o == 0 || q[o - 1] == ' '))
			continue;
		q[o++] = c;
	}
	while (o && q[o - 1] == ' ')
		o--;
	q[o] = '\0';
	return k;
}

static int build(struct fs *fs, const char *name, uint64_t gen,
		 const struct tx_toolset *set, struct sresult **out)
{
	struct fs_text text = { 0 }, json = { 0 };
	struct tx_search_hit *hits = NULL;
	struct sresult *r;
	char *q;
	size_t k;
	int n, width = 2, rc = 0;

	*out = NULL;
	q = malloc(strlen(name) + 1);
	r = calloc(1, sizeof(*r));
	if (!q || !r) {
		free(q);
		free(r);
		return -ENOMEM;
	}
	atomic_init(&r->refs, 1);
	r->gen = gen;
	k = parse_query(name, q, strlen(name) + 1);
	n = tx_engine_search(fs->engine, q, k, &hits);
	free(q);
	if (n < 0) {
		rc = n;
		n = 0;
		goto out_free;
	}
	r->name = strdup(name);
	r->hits = calloc((size_t)n + 1, sizeof(*r->hits));
	if (!r->name || !r->hits) {
		rc = -ENOMEM;
		goto out_free;
	}
	for (int m = n; m >= 100; m /= 10)
		width++;
	rc = fs_text_add(&json, "[", 1);
	for (int i = 0; i < n && !rc; i++) {
		const struct tx_tool *t = tx_toolset_find(set, hits[i].id);
		char enc[TX_NAME_MAX + 1], sum[1024] = "";
		size_t sl;

		/* A hit from a set newer than ours: skip rather than link to
		 * a directory that does not exist (yet) for this reader. */
		if (!t || tx_name_encode(hits[i].id, enc, sizeof(enc)) < 0)
			continue;
		snprintf(sum, sizeof(sum), "%s", tx_tool_summary(t));
		sl = strlen(sum);
		while (sl && sum[sl - 1] == '\n')
			sum[--sl] = '\0';
		if (asprintf(&r->hits[r->n].link, "%0*zu-%s", width, r->n + 1,
			     enc) < 0 ||
		    asprintf(&r->hits[r->n].target, "../../tools/%s/%s",
			     tx_tool_namespace_file(t),
			     tx_tool_name_file(t)) < 0) {
			rc = -ENOMEM;
			break;
		}
		r->n++;
		rc = fs_text_printf(&text, "%zu\t%.4f\t%s\t%s\n", r->n,
				    hits[i].score, hits[i].id, sum);
		if (!rc)
			rc = fs_text_printf(&json,
					    "%s\n  {\"rank\": %zu, \"score\": "
					    "%.6f, \"id\": ",
					    r->n > 1 ? "," : "", r->n,
					    hits[i].score);
		if (!rc)
			rc = fs_text_json_string(&json, hits[i].id);
		if (!rc)
			rc = fs_text_add(&json, ", \"summary\": ", 13);
		if (!rc)
			rc = fs_text_json_string(&json, sum);
		if (!rc)
			rc = fs_text_add(&json, ", \"path\": ", 10);
		if (!rc)
			rc = fs_text_json_string(&json,
						 r->hits[r->n - 1].target + 6);
		if (!rc)
			rc = fs_text_add(&json, "}", 1);
	}
	if (!rc)
		rc = fs_text_add(&json, r->n ? "\n]\n" : "]\n",
				 r->n ? 3 : 2);
	if (!rc) {
		r->text = fs_blob_new(text.p ? text.p : "", text.len);
		r->json = fs_blob_new(json.p, json.len);
		if (!r->text || !r->json)
			rc = -ENOMEM;
	}
out_free:
	tx_search_hits_free(hits, (size_t)n);
	fs_text_release(&text);
	fs_text_release(&json);
	if (rc) {
		sresult_unref(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* The results for a query directory name, from the cache when fresh. */
static int results_get(struct fs *fs, const char *name, struct sresult **out)
{
	struct fs_search_cache *c = fs->search_cache;
	struct tx_toolset *set = tx_engine_tools(fs->engine);
	struct sresult *r = NULL;
	uint64_t gen;
	int rc;

	if (!set)
		return -ENOMEM;
	gen = tx_toolset_generation(set);
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < CACHE_SLOTS && !r; i++)
		if (c->slot[i] && c->slot[i]->gen == gen &&
		    !strcmp(c->slot[i]->name, name)) {
			r = c->slot[i];
			atomic_fetch_add(&r->refs, 1);
		}
	pthread_mutex_unlock(&c->lock);
	if (r) {
		tx_toolset_unref(set);
		*out = r;
		return 0;
	}
	rc = build(fs, name, gen, set, &r);
	tx_toolset_unref(set);
	if (rc)
		return rc;
	pthread_mutex_lock(&c->lock);
	sresult_unref(c->slot[c->next]);
	c->slot[c->next] = r;
	atomic_fetch_add(&r->refs, 1);
	c->next = (c->next + 1) % CACHE_SLOTS;
	pthread_mutex_unlock(&c->lock);
	*out = r;
	return 0;
}

int fs_search_lookup(struct fs *fs, const struct fs_node *dir,
		     const char *name, enum fs_kind *kind, char **key)
{
	struct sresult *r;
	int rc = -ENOENT;

	if (dir->kind == FS_SEARCH) {
		*kind = FS_QUERY;
		*key = strdup(name);
		return *key ? 0 : -ENOMEM;
	}
	if (dir->kind != FS_QUERY)
		return -ENOENT;
	if (results_get(fs, dir->key, &r))
		return -ENOENT;
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->hits[i].link, name)) {
			*kind = FS_HIT;
			*key = strdup(dir->key);
			rc = *key ? 0 : -ENOMEM;
			break;
		}
	sresult_unref(r);
	return rc;
}

int fs_search_list(struct fs *fs, const struct fs_node *dir,
		   struct fs_dirlist *l)
{
	struct sresult *r;
	int rc;

	if (dir->kind != FS_QUERY)
		return fs_dirlist_add(l, "query", S_IFREG);
	rc = results_get(fs, dir->key, &r);
	if (rc)
		return rc;
	for (size_t i = 0; i < r->n && !rc; i++)
		rc = fs_dirlist_add(l, r->hits[i].link, S_IFLNK);
	if (!rc)
		rc = fs_dirlist_add(l, "results", S_IFREG);
	if (!rc)
		rc = fs_dirlist_add(l, "results.json", S_IFREG);
	sresult_unref(r);
	return rc;
}

int fs_search_blob(struct fs *fs, const struct fs_node *n,
		   struct fs_blob **out)
{
	struct sresult *r;
	int rc = results_get(fs, n->key, &r);

	if (rc)
		return rc;
	*out = fs_blob_ref(n->kind == FS_RESULTS_JSON ? r->json : r->text);
	sresult_unref(r);
	return 0;
}

int fs_search_readlink(struct fs *fs, const struct fs_node *n, char **target)
{
	struct sresult *r;
	int rc = results_get(fs, n->key, &r);

	if (rc)
		return rc;
	rc = -ENOENT;
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->hits[i].link, n->name)) {
			*target = strdup(r->hits[i].target);
			rc = *target ? 0 : -ENOMEM;
			break;
		}
	sresult_unref(r);
	return rc;
}

void fs_search_tx_write(struct fs *fs, fuse_req_t req, struct fs_handle *h,
			const char *buf, size_t size)
{
	int rc;

	(void)fs;
	pthread_mutex_lock(&h->lock);
	if (h->started) {	/* a new query on the same descriptor */
		fs_text_release(&h->query);
		fs_blob_unref(h->blob);
		h->blob = NULL;
		h->started = false;
		h->pos = 0;
	}
	h->query.max = FS_QUERY_MAX;
	rc = memchr(buf, '\0', size) ? -EINVAL :
				       fs_text_add(&h->query, buf, size);
	pthread_mutex_unlock(&h->lock);
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_write(req, size);
}

void fs_search_tx_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		       size_t size)
{
	struct sresult *r = NULL;
	struct fs_blob *b;
	size_t start;
	int rc = 0;

	pthread_mutex_lock(&h->lock);
	if (!h->started) {
		h->started = true;
		rc = results_get(fs, h->query.p ? h->query.p : "", &r);
		if (!rc) {
			h->blob = fs_blob_ref(r->text);
			sresult_unref(r);
		}
	}
	b = fs_blob_ref(h->blob);
	start = h->pos;
	if (b && start < b->len)
		h->pos += size < b->len - start ? size : b->len - start;
	pthread_mutex_unlock(&h->lock);
	if (!b) {
		fuse_reply_err(req, rc ? -rc : ENODATA);
		return;
	}
	fs_reply_blob(req, b, size, (off_t)start);
	fs_blob_unref(b);
}
