/*
 * resources.c - resources/: what MCP servers publish as resources, as
 * files (docs/mcp.md, "Resources").
 *
 *   resources/INDEX       namespace, URI, title, MIME type, path per line
 *   resources/NS/...      each resource's URI as a path (the rule of
 *                         tx_catalog_uri_path); a name looked up below a
 *                         template's literal parts binds its variable
 *
 * A node's key is its path below resources/ ("NS/demo/a/b"); every
 * request asks the engine's catalog what that path is now, so nothing
 * here is cached by the kernel (TTL 0) and a list_changed shows at the
 * next lookup without a notification.
 *
 * The first read of an open file reads the resource (resources/read)
 * into the text the open file serves, so a reader sees one consistent
 * version however it reads.  Reads wait for the server's answer, bounded
 * by its timeout_ms, holding no thread (ask.c).  A file is
 * 0 bytes long and served with direct_io, unless the server gave the
 * resource's size (FS_SIZED).  While a file is open its resource is
 * subscribed (when the server can); a notifications/resources/updated
 * for it makes the kernel forget the file's pages and the open file
 * read the resource again at its next read from offset 0.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RES_TTL .entry_ttl = 0, .attr_ttl = 0

/* What an open resource file holds besides its text (h->res). */
struct fs_res {
	struct tx_res_file file;
	bool subscribed;
	atomic_bool stale; /* the server said it changed */
};

void fs_res_free(struct fs_res *r)
{
	if (!r)
		return;
	tx_res_file_release(&r->file);
	free(r);
}

static const struct fs_node_ops dir_ops, file_ops, sized_ops;

/* What path is now: a tx_res_kind (file filled for a file), or -errno. */
static int resolve(struct fs *fs, const char *path, struct tx_res_file *file)
{
	struct tx_catalog_set *set = tx_engine_catalog(fs->engine);
	int rc;

	if (!set)
		return -ENOMEM;
	rc = tx_catalog_resolve(set, path, file);
	tx_catalog_set_unref(set);
	return rc;
}

/* The entries list gives for key in the catalog now: 0 with *v and *n,
 * or -errno; *v is freed with tx_cat_entries_free either way. */
static int catalog_entries(struct fs *fs, fs_catalog_list_fn *list,
			   const char *key, struct tx_cat_entry **v, size_t *n)
{
	struct tx_catalog_set *set = tx_engine_catalog(fs->engine);
	int rc;

	*v = NULL;
	*n = 0;
	if (!set)
		return -ENOMEM;
	rc = list(set, key, v, n);
	tx_catalog_set_unref(set);
	return rc;
}

/* 0 when name is one of the n entries of v, else -ENOENT. */
static int entries_find(const struct tx_cat_entry *v, size_t n,
			const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return 0;
	return -ENOENT;
}

int fs_catalog_has(struct fs *fs, fs_catalog_list_fn *list, const char *key,
		   const char *name)
{
	struct tx_cat_entry *v;
	size_t n;
	int rc = catalog_entries(fs, list, key, &v, &n);

	if (!rc)
		rc = entries_find(v, n, name);
	tx_cat_entries_free(v, n);
	return rc;
}

int fs_catalog_readdir(struct fs *fs, fs_catalog_list_fn *list, const char *key,
		       struct fs_dirlist *l)
{
	struct tx_cat_entry *v;
	size_t n;
	int rc = catalog_entries(fs, list, key, &v, &n);

	for (size_t i = 0; !rc && i < n; i++)
		rc = fs_dirlist_add(l, v[i].name, v[i].dir ? S_IFDIR : S_IFREG);
	tx_cat_entries_free(v, n);
	return rc;
}

static int kind_ops(int kind, const struct tx_res_file *f,
		    const struct fs_node_ops **ops)
{
	if (kind == TX_RES_DIR)
		*ops = &dir_ops;
	else if (kind == TX_RES_FILE)
		*ops = f->size >= 0 ? &sized_ops : &file_ops;
	else
		return kind < 0 ? kind : -ENOENT;
	return 0;
}

/* A node is there while its path still resolves to its kind. */
static int res_valid(struct fs *fs, const struct fs_node *n)
{
	struct tx_res_file f;
	const struct fs_node_ops *ops;
	int rc = resolve(fs, n->key, &f);

	rc = kind_ops(rc, &f, &ops);
	tx_res_file_release(&f);
	if (rc)
		return rc;
	/* A file that became a directory, or the other way round. */
	return S_ISDIR(ops->mode) == S_ISDIR(n->ops->mode) ? 0 : -ENOENT;
}

static int lookup_path(struct fs *fs, const char *path,
		       const struct fs_node_ops **ops, char **key)
{
	struct tx_res_file f;
	int rc;

	if (strlen(path) > 4096)
		return -ENAMETOOLONG;
	rc = kind_ops(resolve(fs, path, &f), &f, ops);
	tx_res_file_release(&f);
	if (rc)
		return rc;
	*key = strdup(path);
	return *key ? 0 : -ENOMEM;
}

/* resources/NS */
static int top_lookup(struct fs *fs, const struct fs_node *dir,
		      const char *name, const struct fs_node_ops **ops,
		      char **key)
{
	(void)dir;
	return lookup_path(fs, name, ops, key);
}

/*
 * Completion (completion/complete): below a template's literal parts,
 * "PREFIX*" names a directory of the values the server proposes for the
 * variable there, as typed so far, each a symbolic link to the name it
 * binds (../VALUE).  Only where the server completes; elsewhere the
 * name binds the variable as any other name does.
 */
static int complete_list(struct fs *fs, const char *key,
			 struct tx_cat_entry **v, size_t *n)
{
	char dir[4097], prefix[TX_NAME_MAX + 1], enc[TX_NAME_MAX + 1];
	char err[512];
	const char *slash = strrchr(key, '/');
	size_t len = slash ? (size_t)(slash - key) : 0;
	size_t nlen;

	*v = NULL;
	*n = 0;
	if (!slash || len >= sizeof(dir))
		return -ENOENT;
	memcpy(dir, key, len);
	dir[len] = '\0';
	nlen = strlen(slash + 1);
	if (!nlen || slash[nlen] != '*' || nlen > sizeof(enc))
		return -ENOENT;
	memcpy(enc, slash + 1, nlen - 1);
	enc[nlen - 1] = '\0';
	if (tx_name_decode(enc, prefix, sizeof(prefix)) < 0)
		return -ENOENT;
	return tx_engine_resource_complete(fs->engine, dir, prefix, v, n, err,
					   sizeof(err));
}

static const struct fs_node_ops complete_ops, complete_link_ops;

static int complete_lookup(struct fs *fs, const struct fs_node *dir,
			   const char *name, const struct fs_node_ops **ops,
			   char **key)
{
	struct tx_cat_entry *v;
	size_t n;
	int rc = complete_list(fs, dir->key, &v, &n);

	if (!rc)
		rc = entries_find(v, n, name);
	tx_cat_entries_free(v, n);
	if (rc)
		return rc;
	*ops = &complete_link_ops;
	if (asprintf(key, "%s/%s", dir->key, name) < 0) {
		*key = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int complete_readdir(struct fs *fs, fuse_req_t req,
			    const struct fs_node *dir, struct fs_dirlist *l)
{
	struct tx_cat_entry *v;
	size_t n;
	int rc = complete_list(fs, dir->key, &v, &n);

	(void)req;
	for (size_t i = 0; !rc && i < n; i++)
		rc = fs_dirlist_add(l, v[i].name, S_IFLNK);
	tx_cat_entries_free(v, n);
	return rc;
}

static int complete_readlink(struct fs *fs, const struct fs_node *n,
			     char **target)
{
	(void)fs;
	if (asprintf(target, "../%s", strrchr(n->key, '/') + 1) < 0) {
		*target = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int complete_link_getattr(struct fs *fs, const struct fs_node *n,
				 struct stat *st)
{
	(void)fs;
	st->st_size = (off_t)strlen(strrchr(n->key, '/') + 1) + 3;
	return 0;
}

/* resources/NS/.../NAME */
static int dir_lookup(struct fs *fs, const struct fs_node *dir,
		      const char *name, const struct fs_node_ops **ops,
		      char **key)
{
	size_t len = strlen(dir->key) + 1 + strlen(name) + 1;
	char *path = malloc(len);
	int rc;

	if (!path)
		return -ENOMEM;
	if (name[0] && name[strlen(name) - 1] == '*') {
		struct tx_cat_entry *v;
		size_t n;

		snprintf(path, len, "%s/%s", dir->key, name);
		rc = complete_list(fs, path, &v, &n);
		tx_cat_entries_free(v, n);
		if (!rc) {
			*ops = &complete_ops;
			*key = path;
			return 0;
		}
		if (rc != -ENOENT && rc != -EOPNOTSUPP) {
			free(path);
			return rc;
		}
	}
	snprintf(path, len, "%s/%s", dir->key, name);
	rc = lookup_path(fs, path, ops, key);
	free(path);
	return rc;
}

static int top_readdir(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		       struct fs_dirlist *l)
{
	int rc;

	(void)req;
	rc = fs_list_children(fs, dir, l);
	return rc ? rc : fs_catalog_readdir(fs, tx_catalog_list, "", l);
}

static int dir_readdir(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		       struct fs_dirlist *l)
{
	(void)req;
	return fs_catalog_readdir(fs, tx_catalog_list, dir->key, l);
}

static int index_text(struct fs *fs, const struct fs_node *n,
		      struct fs_blob **out)
{
	struct tx_catalog_set *set = tx_engine_catalog(fs->engine);
	size_t len = 0;
	char *text;

	(void)n;
	if (!set)
		return -ENOMEM;
	text = tx_catalog_resources_index(set, &len);
	tx_catalog_set_unref(set);
	if (!text)
		return -ENOMEM;
	*out = fs_blob_take(text, len);
	return *out ? 0 : -ENOMEM;
}

/* The server's size, for a file that has one. */
static int sized_getattr(struct fs *fs, const struct fs_node *n,
			 struct stat *st)
{
	struct tx_res_file f;
	int rc = resolve(fs, n->key, &f);

	if (rc == TX_RES_FILE && f.size >= 0)
		st->st_size = (off_t)f.size;
	tx_res_file_release(&f);
	return rc < 0 ? rc : 0;
}

/* Sends the resources/read (h->lock held); reads wait in h->ask. */
static int fetch_start(struct fs *fs, struct fs_handle *h)
{
	struct fs_ask *a = fs_ask_new(false);

	if (!a)
		return -ENOMEM;
	fs_ask_unref(h->ask);
	h->ask = a;
	tx_engine_resource_read_start(fs->engine, h->res->file.ns,
				      h->res->file.uri, fs_ask_answer,
				      fs_ask_engine_ref(a));
	return 0;
}

static int file_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	struct fs_res *r = calloc(1, sizeof(*r));
	int rc;

	(void)req;
	if (!r)
		return -ENOMEM;
	atomic_init(&r->stale, false);
	rc = resolve(fs, h->key, &r->file);
	if (rc != TX_RES_FILE) {
		fs_res_free(r);
		return rc < 0 ? rc : -ENOENT;
	}
	/* A server that cannot subscribe is read once per open. */
	r->subscribed = !tx_engine_resource_subscribe(fs->engine, r->file.ns,
						      r->file.uri, true);
	h->res = r;
	return 0;
}

/*
 * The first read sends resources/read, and reads wait for the answer
 * holding no thread (ask.c); the answer is then the text every read of
 * this open file serves, one consistent version.  Changed since (the
 * server said so): a read from the start asks again (tail -f and
 * editors read again from 0).  An answer that fails after a first one
 * leaves the text that was read.
 */
static void file_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		      size_t size, off_t off)
{
	struct fs_blob *b;
	int rc = 0;

	pthread_mutex_lock(&h->lock);
	if (h->ask && fs_ask_take(h->ask, &b, &rc)) {
		if (b) {
			fs_blob_unref(h->blob);
			h->blob = b;
		} else if (!h->blob) {
			h->failed = rc;
		}
		fs_ask_unref(h->ask);
		h->ask = NULL;
	}
	rc = 0;
	if (!h->ask && h->res &&
	    ((!h->blob && !h->failed) ||
	     (off == 0 && atomic_exchange(&h->res->stale, false))))
		rc = fetch_start(fs, h);
	if (!rc && h->ask) {
		struct fs_ask *a = fs_ask_engine_ref(h->ask);

		pthread_mutex_unlock(&h->lock);
		fs_ask_keep(a, req, size, off);
		fs_ask_unref(a);
		return;
	}
	b = fs_blob_ref(h->blob);
	rc = rc ? -rc : h->failed;
	pthread_mutex_unlock(&h->lock);
	if (!b && rc)
		fuse_reply_err(req, rc);
	else
		fs_reply_blob(req, b, size, off);
	fs_blob_unref(b);
}

static void file_release(struct fs *fs, struct fs_handle *h)
{
	if (h->res && h->res->subscribed)
		tx_engine_resource_subscribe(fs->engine, h->res->file.ns,
					     h->res->file.uri, false);
}

/*
 * The engine's resource watcher: the server said uri changed.  Runs on
 * the server's I/O thread: only marks the open files and queues the
 * kernel's invalidation for the notify thread.
 */
void fs_resource_updated(void *ctx, const char *ns, const char *uri)
{
	struct fs *fs = ctx;
	fuse_ino_t inos[64];
	size_t n = 0;

	pthread_mutex_lock(&fs->handles_lock);
	for (struct fs_handle *h = fs->handles; h; h = h->next) {
		if (!h->res || strcmp(h->res->file.ns, ns) ||
		    strcmp(h->res->file.uri, uri))
			continue;
		atomic_store(&h->res->stale, true);
		if (n < sizeof(inos) / sizeof(inos[0]))
			inos[n++] = h->ino;
	}
	pthread_mutex_unlock(&fs->handles_lock);
	for (size_t i = 0; i < n; i++)
		fs_notify_inode(fs, inos[i]);
}

/* ------------------------------------------------------------------ */
/* The kinds                                                            */

/* resources/NS/.../FILE */
#define RES_FILE                                             \
	.mode = S_IFREG | 0444, RES_TTL, .valid = res_valid, \
	.open = file_open, .read = file_read, .release = file_release

/* 0 bytes long, served with direct_io. */
static const struct fs_node_ops file_ops = { RES_FILE };

/* The same for a resource whose size the server gave. */
static const struct fs_node_ops sized_ops = {
	RES_FILE,
	.flags = FS_SIZED,
	.getattr = sized_getattr,
};

/* resources/NS/ and the directories below it. */
static const struct fs_node_ops dir_ops = {
	.mode = S_IFDIR | 0555,
	RES_TTL,
	.valid = res_valid,
	.lookup = dir_lookup,
	.readdir = dir_readdir,
};

/* resources/NS/.../PREFIX* (completion) and its links. */
static const struct fs_node_ops complete_ops = {
	.mode = S_IFDIR | 0555,
	RES_TTL,
	.lookup = complete_lookup,
	.readdir = complete_readdir,
};

static const struct fs_node_ops complete_link_ops = {
	.mode = S_IFLNK | 0777,
	RES_TTL,
	.getattr = complete_link_getattr,
	.readlink = complete_readlink,
};

/* resources/INDEX */
static const struct fs_node_ops index_ops = {
	.mode = S_IFREG | 0444,
	RES_TTL,
	.text = index_text,
	.read = fs_read_text,
};

static const struct fs_child top_children[] = {
	{ "INDEX", &index_ops, 0, NULL },
};

/* resources/ */
const struct fs_node_ops fs_resources_ops = {
	.mode = S_IFDIR | 0555,
	.entry_ttl = FS_TTL_STATIC,
	.attr_ttl = FS_TTL_STATIC,
	.children = top_children,
	.nchildren = sizeof(top_children) / sizeof(top_children[0]),
	.lookup = top_lookup,
	.readdir = top_readdir,
};
