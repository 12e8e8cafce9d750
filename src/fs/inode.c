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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FS_BUCKETS 16384 /* power of two */

/* ------------------------------------------------------------------ */
/* Blobs and listings                                                   */

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

struct fs_blob *fs_blob_from_buf(struct tx_buf *b)
{
	size_t len;
	char *p = tx_buf_detach(b, &len);

	return p ? fs_blob_take(p, len) : NULL;
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
				     const struct fs_node_ops *ops,
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
	n->ops = ops;
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
static fuse_ino_t pin(struct fs *fs, fuse_ino_t parent,
		      const struct fs_child *c, const char *key)
{
	struct fs_node *n = insert_locked(fs, 0, parent, c->name, c->ops, key);

	if (!n)
		return 0;
	n->pinned = true;
	return n->ino;
}

/*
 * The skeleton: the root, its entries (one per subtree, root.c) and the
 * entries below them flagged FS_CHILD_PIN.  Nodes are made by lookups
 * everywhere else.
 */
int fs_nodes_init(struct fs *fs)
{
	const struct fs_child *c = fs_root_ops.children;
	struct fs_node *root;

	pthread_mutex_init(&fs->nodes_lock, NULL);
	fs->nbuckets = FS_BUCKETS;
	fs->by_ino = calloc(FS_BUCKETS, sizeof(*fs->by_ino));
	fs->by_name = calloc(FS_BUCKETS, sizeof(*fs->by_name));
	if (!fs->by_ino || !fs->by_name)
		return -ENOMEM;
	fs->next_ino = FUSE_ROOT_ID + 1;
	root = insert_locked(fs, FUSE_ROOT_ID, 0, "", &fs_root_ops, NULL);
	if (!root)
		return -ENOMEM;
	root->pinned = true;
	for (size_t i = 0; i < fs_root_ops.nchildren; i++) {
		const struct fs_child *g = c[i].ops->children;
		fuse_ino_t ino = pin(fs, FUSE_ROOT_ID, &c[i], c[i].key);

		if (!ino)
			return -ENOMEM;
		if (c[i].ops == &fs_tools_ops)
			fs->ino_tools = ino;
		for (size_t j = 0; j < c[i].ops->nchildren; j++)
			if ((g[j].flags & FS_CHILD_PIN) &&
			    !pin(fs, ino, &g[j],
				 g[j].key ? g[j].key : c[i].key))
				return -ENOMEM;
	}
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
		  const struct fs_node_ops *ops, const char *key, uint64_t run,
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
	if (n && !n->pinned &&
	    (n->ops != ops || n->run != run ||
	     (key && (!n->key || strcmp(n->key, key))))) {
		/* Detach the stale node from its name; the kernel still
		 * holds its inode until FORGET. */
		struct fs_node **p =
			&fs->by_name[hash_name(n->parent, n->name)];

		while (*p && *p != n)
			p = &(*p)->name_next;
		if (*p)
			*p = n->name_next;
		n->name_next = NULL;
		n->parent = 0; /* no longer reachable by name */
		n = NULL;
	}
	if (!n) {
		n = insert_locked(fs, 0, parent, name, ops, key);
		if (n)
			n->run = run;
	}
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

fuse_ino_t fs_node_child_ino(struct fs *fs, fuse_ino_t parent, const char *name)
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
