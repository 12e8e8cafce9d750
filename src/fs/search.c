/*
 * search.c - search/: a query is a directory name.
 *
 * `ls search/'read a file'` looks the name up; every name exists (no
 * mkdir), and its directory holds the hits best first as symbolic links
 * NN-ID -> ../../tools/NS/NAME, plus `results` and `results.json`.  A
 * name ending in " +N" asks for N hits (at most 1000) instead of the
 * default, up to 10 without those far below the best (docs/search.md):
 * `ls 'search/read a file +50'`.  search/query is the same as a
 * transaction, for queries longer than a file name.
 *
 * `results` and `results.json` are the engine's rendering of the search
 * (tx_engine_search_result), the same bytes `toolexec search [--json]`
 * prints for the same query.
 *
 * One `ls -l` looks every entry up, so results are cached per query and
 * tool-set generation; a change of the tool set makes every cached
 * result stale at once, and the search subtree has no kernel caching.
 */
#include "fs/fs_i.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nothing here is cached by the kernel but the names search/ and
 * search/query. */
#define SEARCH_TTL .entry_ttl = FS_TTL_SEARCH, .attr_ttl = FS_TTL_SEARCH

#define CACHE_SLOTS 32

struct hit {
	char *link;
	char *target;
};

struct sresult {
	atomic_uint refs;
	uint64_t gen;
	char *name; /* the directory name it answers */
	size_t n;
	struct hit *hits;
	struct fs_blob *text; /* results */
	struct fs_blob *json; /* results.json */
};

struct fs_search_cache {
	pthread_mutex_t lock;
	struct sresult *slot[CACHE_SLOTS]; /* lock */
	size_t next;                       /* lock */
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
 * Splits "words +N" into the words and N (*exact: N was given, so the
 * relative cut-off does not apply).  The query is copied into q
 * (whitespace, newlines included, folded to single spaces).
 */
static size_t parse_query(const char *in, char *q, size_t qlen, bool *exact)
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
		*exact = true;
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

static int build(struct fs *fs, const char *name, struct sresult **out)
{
	struct tx_search_result *res;
	struct sresult *r;
	const char *text;
	size_t k, n, len;
	char *q;
	int width = 2, rc = 0;
	bool exact = false;

	*out = NULL;
	q = malloc(strlen(name) + 1);
	r = calloc(1, sizeof(*r));
	if (!q || !r) {
		free(q);
		free(r);
		return -ENOMEM;
	}
	atomic_init(&r->refs, 1);
	k = parse_query(name, q, strlen(name) + 1, &exact);
	res = tx_engine_search_result(fs->engine, q, k, exact);
	free(q);
	if (!res) {
		rc = errno ? -errno : -ENOMEM;
		goto out_free;
	}
	r->gen = tx_search_result_generation(res);
	n = tx_search_result_count(res);
	r->name = strdup(name);
	r->hits = calloc(n + 1, sizeof(*r->hits));
	if (!r->name || !r->hits) {
		rc = -ENOMEM;
		goto out_free;
	}
	for (size_t m = n; m >= 100; m /= 10)
		width++;
	for (size_t i = 0; i < n; i++) {
		const struct tx_tool *t = tx_search_result_tool(res, i);
		char enc[TX_NAME_MAX + 1];

		if (tx_name_encode(tx_tool_id(t), enc, sizeof(enc)) < 0 ||
		    asprintf(&r->hits[r->n].link, "%0*zu-%s", width, i + 1,
			     enc) < 0 ||
		    asprintf(&r->hits[r->n].target, "../../tools/%s/%s",
			     tx_tool_namespace_file(t),
			     tx_tool_name_file(t)) < 0) {
			rc = -ENOMEM;
			break;
		}
		r->n++;
	}
	if (!rc) {
		text = tx_search_result_text(res, &len);
		r->text = fs_blob_new(text, len);
		text = tx_search_result_json(res, &len);
		r->json = fs_blob_new(text, len);
		if (!r->text || !r->json)
			rc = -ENOMEM;
	}
out_free:
	tx_search_result_free(res);
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
	tx_toolset_unref(set);
	rc = build(fs, name, &r);
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

/* ------------------------------------------------------------------ */
/* The kinds' operations                                                */

static const struct fs_node_ops query_ops, hit_ops;

/* search/QUERY: every name is a query. */
static int search_lookup(struct fs *fs, const struct fs_node *dir,
			 const char *name, const struct fs_node_ops **ops,
			 char **key)
{
	(void)fs;
	(void)dir;
	*ops = &query_ops;
	*key = strdup(name);
	return *key ? 0 : -ENOMEM;
}

/* search/QUERY/NN-ID: a hit of the query; the key is the query. */
static int query_lookup(struct fs *fs, const struct fs_node *dir,
			const char *name, const struct fs_node_ops **ops,
			char **key)
{
	struct sresult *r;
	int rc = -ENOENT;

	if (results_get(fs, dir->key, &r))
		return -ENOENT;
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->hits[i].link, name)) {
			*ops = &hit_ops;
			*key = strdup(dir->key);
			rc = *key ? 0 : -ENOMEM;
			break;
		}
	sresult_unref(r);
	return rc;
}

/* The hits best first, then results and results.json. */
static int query_readdir(struct fs *fs, fuse_req_t req,
			 const struct fs_node *dir, struct fs_dirlist *l)
{
	struct sresult *r;
	int rc;

	(void)req;
	rc = results_get(fs, dir->key, &r);
	if (rc)
		return rc;
	for (size_t i = 0; i < r->n && !rc; i++)
		rc = fs_dirlist_add(l, r->hits[i].link, S_IFLNK);
	if (!rc)
		rc = fs_list_children(fs, dir, l);
	sresult_unref(r);
	return rc;
}

/* One text of the query's results: `results` (json false) or
 * `results.json`. */
static int query_text(struct fs *fs, const char *query, bool json,
		      struct fs_blob **out)
{
	struct sresult *r;
	int rc = results_get(fs, query, &r);

	if (rc)
		return rc;
	*out = fs_blob_ref(json ? r->json : r->text);
	sresult_unref(r);
	return 0;
}

static int results_text(struct fs *fs, const struct fs_node *n,
			struct fs_blob **out)
{
	return query_text(fs, n->key, false, out);
}

static int results_json(struct fs *fs, const struct fs_node *n,
			struct fs_blob **out)
{
	return query_text(fs, n->key, true, out);
}

static int hit_readlink(struct fs *fs, const struct fs_node *n, char **target)
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

/* A link's size is the length of its target. */
static int hit_getattr(struct fs *fs, const struct fs_node *n, struct stat *st)
{
	char *target = NULL;
	int rc = hit_readlink(fs, n, &target);

	if (rc)
		return rc;
	st->st_size = (off_t)strlen(target);
	free(target);
	return 0;
}

static int tx_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	(void)fs;
	(void)req;
	return fs_query_open(h, FS_QUERY_MAX);
}

/* The `results` of the query written (h->lock held). */
static int tx_answer(struct fs *fs, struct fs_handle *h, struct fs_blob **out)
{
	return query_text(fs, h->query.data ? h->query.data : "", false, out);
}

/* search/query: the `results` of the query written, from byte 0
 * at the first read, whatever its offset (a transaction). */
static void tx_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		    size_t size, off_t off)
{
	fs_query_read(fs, req, h, size, off, tx_answer);
}

/* ------------------------------------------------------------------ */
/* The kinds                                                            */

static const struct fs_node_ops results_ops = {
	.mode = S_IFREG | 0444,
	SEARCH_TTL,
	.text = results_text,
	.read = fs_read_text,
};

static const struct fs_node_ops results_json_ops = {
	.mode = S_IFREG | 0444,
	SEARCH_TTL,
	.text = results_json,
	.read = fs_read_text,
};

static const struct fs_node_ops hit_ops = {
	.mode = S_IFLNK | 0777,
	SEARCH_TTL,
	.getattr = hit_getattr,
	.readlink = hit_readlink,
};

static const struct fs_child query_children[] = {
	{ "results", &results_ops, 0, NULL },
	{ "results.json", &results_json_ops, 0, NULL },
};

/* search/QUERY/ */
static const struct fs_node_ops query_ops = {
	.mode = S_IFDIR | 0555,
	SEARCH_TTL,
	.children = query_children,
	.nchildren = sizeof(query_children) / sizeof(query_children[0]),
	.lookup = query_lookup,
	.readdir = query_readdir,
};

/* search/query */
static const struct fs_node_ops tx_ops = {
	.mode = S_IFREG | 0666,
	.entry_ttl = FS_TTL_STATIC,
	.attr_ttl = FS_TTL_STATIC,
	.open = tx_open,
	.read = tx_read,
	.write = fs_query_write,
	.poll = fs_query_poll,
};

static const struct fs_child search_children[] = {
	{ "query", &tx_ops, 0, NULL },
};

/* search/ */
const struct fs_node_ops fs_search_ops = {
	.mode = S_IFDIR | 0555,
	.entry_ttl = FS_TTL_STATIC,
	.attr_ttl = FS_TTL_STATIC,
	.children = search_children,
	.nchildren = sizeof(search_children) / sizeof(search_children[0]),
	.lookup = search_lookup,
};
