/*
 * inode.c - the inode table of the virtual tree, and small shared types.
 *
 * The kernel names files by inode number; we hand out numbers from a
 * counter that never goes back, so a number is never reused for another
 * file and no generation number is needed.  A node lives while the
 * kernel holds a lookup reference on it (FORGET drops them), except the
 * fixed skeleton, which is pinned.  The same (parent, name) gives the
 * same node for as long as it lives, so a tool that changes keeps its
 * inode and only its cached data is invalidated.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FS_BUCKETS 16384	/* power of two */

/* ------------------------------------------------------------------ */
/* Blobs and texts                                                      */

struct fs_blob *fs_blob_new(const char *data, size_t len)
{
	struct fs_blob *b = malloc(sizeof(*b) + len + 1);

	if (!b)
		return NULL;
	atomic_init(&b->refs, 1);
	b->len = len;
	if (len)
		memcpy(b->data, data, len);
	b->data[len] = '\0';
	return b;
}

struct fs_blob *fs_blob_take(char *data, size_t len)
{
	struct fs_blob *b = fs_blob_new(data, len);

	free(data);
	return b;
}

struct fs_blob *fs_blob_ref(struct fs_blob *b)
{
	if (b)
		atomic_fetch_add(&b->refs, 1);
	return b;
}

void fs_blob_unref(struct fs_blob *b)
{
	if (b && atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

int fs_text_add(struct fs_text *t, const char *s, size_t len)
{
	size_t max = t->max ? t->max : (64u << 20);

	if (len > max || t->len + len > max)
		return -EFBIG;
	if (t->len + len + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		char *p;

		while (cap < t->len + len + 1)
			cap *= 2;
		p = realloc(t->p, cap);
		if (!p)
			return -ENOMEM;
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, len);
	t->len += len;
	t->p[t->len] = '\0';
	return 0;
}

int fs_text_printf(struct fs_text *t, const char *fmt, ...)
{
	char small[512], *big = NULL;
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n < sizeof(small))
		return fs_text_add(t, small, (size_t)n);
	big = malloc((size_t)n + 1);
	if (!big)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = fs_text_add(t, big, (size_t)n);
	free(big);
	return rc;
}

/* A JSON string literal; bytes >= 0x80 pass through (the engine's texts
 * are UTF-8 already). */
int fs_text_json_string(struct fs_text *t, const char *s)
{
	int rc = fs_text_add(t, "\"", 1);

	for (; rc == 0 && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			rc = fs_text_printf(t, "\\%c", c);
		else if (c == '\n')
			rc = fs_text_add(t, "\\n", 2);
		else if (c == '\t')
			rc = fs_text_add(t, "\\t", 2);
		else if (c < 0x20)
			rc = fs_text_printf(t, "\\u%04x", c);
		else
			rc = fs_text_add(t, (const char *)&c, 1);
	}
	return rc ? rc : fs_text_add(t, "\"", 1);
}

void fs_text_release(struct fs_text *t)
{
	free(t->p);
	t->p = NULL;
	t->len = t->cap = 0;
}

int fs_dirlist_add(struct fs_dirlist *l, const char *name, mode_t type)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct fs_dirent *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].name = strdup(name);
	if (!l->v[l->n].name)
		return -ENOMEM;
	l->v[l->n++].type = type;
	return 0;
}

void fs_dirlist_free(struct fs_dirlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* ------------------------------------------------------------------ */
/* The fixed children of each directory kind                           */

static const struct fs_child root_children[] = {
	{ "README", FS_README, S_IFREG | 0444 },
	{ "tools", FS_TOOLS, S_IFDIR | 0555 },
	/* Everyone's jobs, each removable by its owner only (as /tmp). */
	{ "jobs", FS_JOBS, S_IFDIR | 01777 },
	{ "search", FS_SEARCH, S_IFDIR | 0555 },
	{ "chain", FS_CHAIN, S_IFDIR | 0555 },
	{ ".ctl", FS_CTL, S_IFDIR | 0555 },
};

/* The files of every directory one calls through: a tool's and the
 * chain's, in the order readdir lists them. */
#define FS_CALL_CHILDREN                                                 \
	{ "call", FS_CALL, S_IFREG | 0666 },                             \
	{ "result", FS_RESULT, S_IFREG | 0444 },                         \
	{ "result.json", FS_RESULT_JSON, S_IFREG | 0444 },               \
	{ "error", FS_ERROR, S_IFREG | 0444 },                           \
	{ "status", FS_STATUS, S_IFREG | 0444 },                         \
	{ "clone", FS_CLONE, S_IFREG | 0444 },

static const struct fs_child tool_children[] = {
	{ "summary", FS_SUMMARY, S_IFREG | 0444 },
	{ "doc", FS_DOC, S_IFREG | 0444 },
	{ "schema", FS_SCHEMA, S_IFREG | 0444 },
	{ "output_schema", FS_OSCHEMA, S_IFREG | 0444 },
	FS_CALL_CHILDREN
};

static const struct fs_child chain_children[] = {
	{ "doc", FS_DOC, S_IFREG | 0444 },
	FS_CALL_CHILDREN
};

/* A job's files are its owner's only (docs/security.md). */
static const struct fs_child job_children[] = {
	{ "tool", FS_JTOOL, S_IFREG | 0400 },
	{ "args", FS_JARGS, S_IFREG | 0400 },
	{ "call", FS_CALL, S_IFREG | 0600 },
	{ "status", FS_STATUS, S_IFREG | 0400 },
	{ "result", FS_RESULT, S_IFREG | 0400 },
	{ "result.json", FS_RESULT_JSON, S_IFREG | 0400 },
	{ "error", FS_ERROR, S_IFREG | 0400 },
	{ "stream", FS_STREAM, S_IFREG | 0400 },
	{ "cancel", FS_CANCEL, S_IFREG | 0200 },
};

static const struct fs_child ctl_children[] = {
	{ "version", FS_CTL_VERSION, S_IFREG | 0444 },
	{ "status", FS_CTL_STATUS, S_IFREG | 0444 },
	{ "stats", FS_CTL_STATS, S_IFREG | 0444 },
	{ "config", FS_CTL_CONFIG, S_IFREG | 0444 },
	/* The mount's owner's (and root's) only: the log tells of every
	 * user's calls, and reloading acts on the owner's configuration. */
	{ "log", FS_CTL_LOG, S_IFREG | 0400 },
	{ "reload", FS_CTL_RELOAD, S_IFREG | 0200 },
};

static const struct fs_child search_children[] = {
	{ "query", FS_SEARCH_TX, S_IFREG | 0666 },
};

static const struct fs_child query_children[] = {
	{ "results", FS_RESULTS, S_IFREG | 0444 },
	{ "results.json", FS_RESULTS_JSON, S_IFREG | 0444 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const struct fs_child *fs_children(enum fs_kind dir, size_t *n)
{
	switch (dir) {
	case FS_ROOT: *n = N(root_children); return root_children;
	case FS_TOOL: *n = N(tool_children); return tool_children;
	case FS_CHAIN: *n = N(chain_children); return chain_children;
	case FS_JOB: *n = N(job_children); return job_children;
	case FS_CTL: *n = N(ctl_children); return ctl_children;
	case FS_SEARCH: *n = N(search_children); return search_children;
	case FS_QUERY: *n = N(query_children); return query_children;
	default: *n = 0; return NULL;
	}
}

mode_t fs_kind_mode(enum fs_kind k, enum fs_kind scope)
{
	static const enum fs_kind dirs[] = { FS_ROOT, FS_TOOL, FS_CHAIN,
					     FS_JOB, FS_CTL, FS_SEARCH,
					     FS_QUERY };

	if (k == FS_JOBS)
		return S_IFDIR | 01777;
	if (k == FS_JOB)
		return S_IFDIR | 0700;
	if (fs_kind_is_dir(k))
		return S_IFDIR | 0555;
	if (k == FS_HIT)
		return S_IFLNK | 0777;
	if (k == FS_INDEX || k == FS_NS_INDEX)
		return S_IFREG | 0444;
	/* A kind that several directories hold (call, result, ...) has
	 * the mode that its scope's directory gives it. */
	if (scope == FS_JOB || scope == FS_TOOL || scope == FS_CHAIN) {
		size_t n;
		const struct fs_child *c = fs_children(scope, &n);

		for (size_t i = 0; i < n; i++)
			if (c[i].kind == k)
				return c[i].mode;
	}
	for (size_t d = 0; d < N(dirs); d++) {
		size_t n;
		const struct fs_child *c = fs_children(dirs[d], &n);

		for (size_t i = 0; i < n; i++)
			if (c[i].kind == k)
				return c[i].mode;
	}
	return S_IFREG | 0444;
}

double fs_node_attr_ttl(const struct fs_node *n)
{
	/*
	 * The kernel serves cached attributes to every user alike, and a
	 * job's name its owner (docs/security.md): each stat of a job comes
	 * here, where the caller is checked.
	 */
	if (n->kind == FS_JOB || n->scope == FS_JOB)
		return 0.0;
	return fs_node_ttl(n);
}

double fs_node_ttl(const struct fs_node *n)
{
	if (n->kind == FS_QUERY || n->kind == FS_HIT ||
	    n->kind == FS_RESULTS || n->kind == FS_RESULTS_JSON)
		return FS_TTL_SEARCH;
	if (n->kind == FS_JOB || n->scope == FS_JOB)
		return FS_TTL_JOBS;
	return FS_TTL_STATIC;
}

/* ------------------------------------------------------------------ */
/* The table                                                            */

static size_t hash_ino(fuse_ino_t ino)
{
	return (size_t)(ino * 0x9E3779B97F4A7C15ull >> 40) & (FS_BUCKETS - 1);
}

static size_t hash_name(fuse_ino_t parent, const char *name)
{
	uint64_t h = 1469598103934665603ull ^ parent;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ull;
	return (size_t)(h ^ (h >> 32)) & (FS_BUCKETS - 1);
}

static struct fs_node *find_ino_locked(struct fs *fs, fuse_ino_t ino)
{
	struct fs_node *n = fs->by_ino[hash_ino(ino)];

	while (n && n->ino != ino)
		n = n->ino_next;
	return n;
}

static struct fs_node *find_name_locked(struct fs *fs, fuse_ino_t parent,
					const char *name)
{
	struct fs_node *n = fs->by_name[hash_name(parent, name)];

	while (n && (n->parent != parent || strcmp(n->name, name) != 0))
		n = n->name_next;
	return n;
}

static void node_free(struct fs_node *n)
{
	free(n->name);
	free(n->key);
	free(n);
}

static struct fs_node *insert_locked(struct fs *fs, fuse_ino_t ino,
				     fuse_ino_t parent, const char *name,
				     enum fs_kind kind, enum fs_kind scope,
				     const char *key)
{
	struct fs_node *n = calloc(1, sizeof(*n));
	size_t hi, hn;

	if (!n)
		return NULL;
	n->name = strdup(name);
	n->key = key ? strdup(key) : NULL;
	if (!n->name || (key && !n->key)) {
		node_free(n);
		return NULL;
	}
	n->ino = ino ? ino : fs->next_ino++;
	n->parent = parent;
	n->kind = kind;
	n->scope = scope;
	hi = hash_ino(n->ino);
	hn = hash_name(parent, name);
	n->ino_next = fs->by_ino[hi];
	fs->by_ino[hi] = n;
	n->name_next = fs->by_name[hn];
	fs->by_name[hn] = n;
	fs->nnodes++;
	return n;
}

static void unlink_locked(struct fs *fs, struct fs_node *n)
{
	struct fs_node **p = &fs->by_ino[hash_ino(n->ino)];

	while (*p && *p != n)
		p = &(*p)->ino_next;
	if (*p)
		*p = n->ino_next;
	p = &fs->by_name[hash_name(n->parent, n->name)];
	while (*p && *p != n)
		p = &(*p)->name_next;
	if (*p)
		*p = n->name_next;
	fs->nnodes--;
}

/* Pins a skeleton node: a fixed directory or file under one. */
static fuse_ino_t pin(struct fs *fs, fuse_ino_t parent, const char *name,
		      enum fs_kind kind, enum fs_kind scope, const char *key)
{
	struct fs_node *n = insert_locked(fs, 0, parent, name, kind, scope,
					  key);

	if (!n)
		return 0;
	n->pinned = true;
	return n->ino;
}

int fs_nodes_init(struct fs *fs)
{
	struct fs_node *root;
	size_t n;
	const struct fs_child *c;

	pthread_mutex_init(&fs->nodes_lock, NULL);
	fs->nbuckets = FS_BUCKETS;
	fs->by_ino = calloc(FS_BUCKETS, sizeof(*fs->by_ino));
	fs->by_name = calloc(FS_BUCKETS, sizeof(*fs->by_name));
	if (!fs->by_ino || !fs->by_name)
		return -ENOMEM;
	fs->next_ino = FUSE_ROOT_ID + 1;
	root = insert_locked(fs, FUSE_ROOT_ID, 0, "", FS_ROOT, FS_ROOT, NULL);
	if (!root)
		return -ENOMEM;
	root->pinned = true;
	c = fs_children(FS_ROOT, &n);
	for (size_t i = 0; i < n; i++) {
		/* chain/ is the pseudo tool TX_CHAIN_ID: its files carry
		 * that key as a tool directory's carry the tool's ID. */
		fuse_ino_t ino = pin(fs, FUSE_ROOT_ID, c[i].name, c[i].kind,
				     c[i].kind,
				     c[i].kind == FS_CHAIN ? TX_CHAIN_ID : NULL);

		if (!ino)
			return -ENOMEM;
		switch (c[i].kind) {
		case FS_TOOLS: fs->ino_tools = ino; break;
		case FS_JOBS: fs->ino_jobs = ino; break;
		case FS_SEARCH: fs->ino_search = ino; break;
		case FS_CHAIN: fs->ino_chain = ino; break;
		case FS_CTL: fs->ino_ctl = ino; break;
		default: break;
		}
	}
	if (!pin(fs, fs->ino_tools, "INDEX", FS_INDEX, FS_TOOLS, NULL))
		return -ENOMEM;
	return 0;
}

void fs_nodes_release(struct fs *fs)
{
	if (fs->by_ino) {
		for (size_t i = 0; i < FS_BUCKETS; i++) {
			struct fs_node *n = fs->by_ino[i], *next;

			for (; n; n = next) {
				next = n->ino_next;
				node_free(n);
			}
		}
	}
	free(fs->by_ino);
	free(fs->by_name);
	fs->by_ino = fs->by_name = NULL;
	pthread_mutex_destroy(&fs->nodes_lock);
}

int fs_node_get(struct fs *fs, fuse_ino_t ino, struct fs_node *copy)
{
	struct fs_node *n;
	int rc = 0;

	memset(copy, 0, sizeof(*copy));
	pthread_mutex_lock(&fs->nodes_lock);
	n = find_ino_locked(fs, ino);
	if (!n) {
		rc = -ENOENT;
		goto out_unlock;
	}
	*copy = *n;
	copy->ino_next = copy->name_next = NULL;
	copy->name = strdup(n->name);
	copy->key = n->key ? strdup(n->key) : NULL;
	if (!copy->name || (n->key && !copy->key)) {
		fs_node_copy_free(copy);
		rc = -ENOMEM;
	}
out_unlock:
	pthread_mutex_unlock(&fs->nodes_lock);
	return rc;
}

void fs_node_copy_free(struct fs_node *copy)
{
	free(copy->name);
	free(copy->key);
	copy->name = copy->key = NULL;
}

int fs_node_enter(struct fs *fs, fuse_ino_t parent, const char *name,
		  enum fs_kind kind, enum fs_kind scope, const char *key,
		  fuse_ino_t *ino)
{
	struct fs_node *n;
	int rc = 0;

	pthread_mutex_lock(&fs->nodes_lock);
	n = find_name_locked(fs, parent, name);
	/*
	 * A name may come back meaning something else (a job ID reused
	 * after a restart cannot happen, but a tool may come back with a
	 * new definition under the same file name): the key decides.
	 */
	if (n && !n->pinned && (n->kind != kind ||
				(key && (!n->key || strcmp(n->key, key))))) {
		/* Detach the stale node from its name; the kernel still
		 * holds its inode until FORGET. */
		struct fs_node **p = &fs->by_name[hash_name(n->parent,
							    n->name)];

		while (*p && *p != n)
			p = &(*p)->name_next;
		if (*p)
			*p = n->name_next;
		n->name_next = NULL;
		n->parent = 0;	/* no longer reachable by name */
		n = NULL;
	}
	if (!n)
		n = insert_locked(fs, 0, parent, name, kind, scope, key);
	if (!n) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	n->nlookup++;
	*ino = n->ino;
out_unlock:
	pthread_mutex_unlock(&fs->nodes_lock);
	return rc;
}

void fs_node_forget(struct fs *fs, fuse_ino_t ino, uint64_t count)
{
	struct fs_node *n;

	pthread_mutex_lock(&fs->nodes_lock);
	n = find_ino_locked(fs, ino);
	if (n) {
		n->nlookup = n->nlookup > count ? n->nlookup - count : 0;
		if (!n->nlookup && !n->pinned) {
			unlink_locked(fs, n);
			node_free(n);
		}
	}
	pthread_mutex_unlock(&fs->nodes_lock);
}

fuse_ino_t fs_node_child_ino(struct fs *fs, fuse_ino_t parent,
			     const char *name)
{
	struct fs_node *n;
	fuse_ino_t ino = 0;

	pthread_mutex_lock(&fs->nodes_lock);
	n = find_name_locked(fs, parent, name);
	if (n)
		ino = n->ino;
	pthread_mutex_unlock(&fs->nodes_lock);
	return ino;
}

void fs_nodes_foreach(struct fs *fs,
		      void (*fn)(struct fs *fs, const struct fs_node *n,
				 void *ctx),
		      void *ctx)
{
	pthread_mutex_lock(&fs->nodes_lock);
	for (size_t i = 0; i < FS_BUCKETS; i++)
		for (struct fs_node *n = fs->by_ino[i]; n; n = n->ino_next)
			fn(fs, n, ctx);
	pthread_mutex_unlock(&fs->nodes_lock);
}
