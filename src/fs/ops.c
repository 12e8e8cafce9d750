/*
 * ops.c - the low-level FUSE operations: look a node up, make the checks
 * every kind shares, call the node's operations table (struct
 * fs_node_ops), reply.  What a kind does is in its subtree's file; what
 * is the same for every kind (the order of the checks, the attributes,
 * the life of an open file) is here.  Handlers never block on a job: a
 * read that must wait is deferred (wait.c) and its thread goes back to
 * the kernel at once.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct timespec fs_mount_time;

static struct fs *req_fs(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/*
 * Whether the caller of req may use node n at all: a job's directory
 * and files are its owner's (and root's), not even to be looked at.
 * Checked on every request that names the node, whatever the kernel
 * cached: 0 or -EACCES (-ENOENT: the job is gone).
 */
static int node_access(struct fs *fs, fuse_req_t req, const struct fs_node *n)
{
	uid_t uid = fuse_req_ctx(req)->uid;
	int rc;

	/* A run's view is that run's: its uid's (and root's) alone. */
	if (n->run) {
		rc = fs_run_view_access(fs, req, n->run);
		if (rc)
			return rc;
	} else if (fs->gated && uid != 0 && uid != geteuid() &&
		   !(n->ops->flags & FS_GATE_OPEN)) {
		/* allow_other is ours, for runs only: any other user gets
		 * what a mount without it gives, nothing. */
		return -EACCES;
	}
	return n->ops->access ? n->ops->access(fs, req, n) : 0;
}

/* The `run` of a new node of kind ops and key below p: the run its view
 * names at its top (FS_RUN_VIEW, whose key is the run's ID), else p's. */
static uint64_t node_run_of(const struct fs_node *p,
			    const struct fs_node_ops *ops, const char *key)
{
	if ((ops->flags & FS_RUN_VIEW) && key)
		return strtoull(key, NULL, 10);
	return p->run;
}

/* Whether the caller of req may open n: FS_OWNER_ONLY files are the
 * mount owner's and root's (anyone may see that they exist). */
static int node_may_open(fuse_req_t req, const struct fs_node *n)
{
	uid_t uid = fuse_req_ctx(req)->uid;

	if ((n->ops->flags & FS_OWNER_ONLY) && uid != 0 && uid != geteuid())
		return -EACCES;
	return 0;
}

int fs_node_valid(struct fs *fs, const struct fs_node *n)
{
	return n->ops->valid ? n->ops->valid(fs, n) : 0;
}

/*
 * Attributes of a node: what its row says, then what its kind adjusts
 * (a job's owner, a link's length).  FS_CACHED files have their real
 * size (the kernel caches their pages); other files are 0 bytes long and
 * served with direct_io, so their size is never guessed.
 */
static int node_attr(struct fs *fs, const struct fs_node *n, struct stat *st)
{
	const struct fs_node_ops *ops = n->ops;
	struct fs_blob *b = NULL;
	int rc;

	memset(st, 0, sizeof(*st));
	st->st_ino = n->ino;
	st->st_mode = ops->mode;
	st->st_nlink = S_ISDIR(ops->mode) ? 2 : 1;
	st->st_uid = geteuid();
	st->st_gid = getegid();
	st->st_blksize = 4096;
	st->st_atim = st->st_mtim = st->st_ctim = fs_mount_time;
	if (ops->flags & FS_CACHED) {
		rc = ops->text(fs, n, &b);
		if (rc)
			return rc;
		st->st_size = (off_t)b->len;
		fs_blob_unref(b);
	}
	if (ops->getattr) {
		rc = ops->getattr(fs, n, st);
		if (rc)
			return rc;
	}
	st->st_blocks = (st->st_size + 511) / 512;
	return 0;
}

static const struct fs_child *fixed_child(const struct fs_node_ops *dir,
					  const char *name)
{
	for (size_t i = 0; i < dir->nchildren; i++)
		if (!strcmp(dir->children[i].name, name))
			return &dir->children[i];
	return NULL;
}

/* The kind and key of p's entry name: a fixed one, else p's lookup. */
static int child_of(struct fs *fs, const struct fs_node *p, const char *name,
		    const struct fs_node_ops **ops, char **key)
{
	const struct fs_child *c = fixed_child(p->ops, name);
	const char *k;

	if (!c)
		return p->ops->lookup ? p->ops->lookup(fs, p, name, ops, key)
				      : -ENOENT;
	*ops = c->ops;
	k = c->key ? c->key : p->key;
	*key = k ? strdup(k) : NULL;
	return k && !*key ? -ENOMEM : 0;
}

/*
 * Copies the node behind ino and checks it still stands for something.
 * The copy is empty when the lookup fails, so the caller releases it
 * with fs_node_copy_free whatever the result.
 */
static int node_get_valid(struct fs *fs, fuse_ino_t ino, struct fs_node *n)
{
	int rc = fs_node_get(fs, ino, n);

	if (!rc)
		rc = fs_node_valid(fs, n);
	return rc;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs *fs = req_fs(req);
	struct fuse_entry_param e;
	struct fs_node p, n;
	char *key = NULL;
	int rc;

	memset(&n, 0, sizeof(n));
	if (strlen(name) > TX_NAME_MAX) {
		fuse_reply_err(req, ENAMETOOLONG);
		return;
	}
	rc = node_get_valid(fs, parent, &p);
	if (!rc)
		rc = child_of(fs, &p, name, &n.ops, &key);
	if (rc)
		goto out_free;
	n.parent = parent;
	n.name = (char *)name;
	n.key = key;
	n.run = node_run_of(&p, n.ops, key);
	memset(&e, 0, sizeof(e));
	rc = fs_node_valid(fs, &n);
	if (!rc)
		rc = node_access(fs, req, &n);
	if (!rc)
		rc = node_attr(fs, &n, &e.attr);
	if (!rc)
		rc = fs_node_enter(fs, parent, name, n.ops, key, n.run, &e.ino);
	if (rc)
		goto out_free;
	e.attr.st_ino = e.ino;
	e.entry_timeout = n.ops->entry_ttl;
	e.attr_timeout = n.ops->attr_ttl;
	/*
	 * The lookup count is what the kernel will FORGET: an entry it
	 * never received (the reply failed: the request was aborted) is one
	 * it will never forget, so take that count back at once.
	 */
	if (fuse_reply_entry(req, &e))
		fs_node_forget(fs, e.ino, 1);
out_free:
	if (rc)
		fuse_reply_err(req, -rc);
	free(key);
	fs_node_copy_free(&p);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	fs_node_forget(req_fs(req), ino, nlookup);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count,
			    struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		fs_node_forget(req_fs(req), forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

/* Answers a getattr or setattr: n's attributes, or the error rc of an
 * earlier step. */
static void reply_node_attr(fuse_req_t req, struct fs *fs,
			    const struct fs_node *n, int rc)
{
	struct stat st;

	if (!rc)
		rc = node_attr(fs, n, &st);
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_attr(req, &st, n->ops->attr_ttl);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct fs *fs = req_fs(req);
	struct fs_node n;
	int rc;

	(void)fi;
	rc = node_get_valid(fs, ino, &n);
	/* Not even whose job it is: attributes name the owner. */
	if (!rc)
		rc = node_access(fs, req, &n);
	reply_node_attr(req, fs, &n, rc);
	fs_node_copy_free(&n);
}

/* `>` truncates and `touch` sets times: accepted (and ignored) on the
 * files one writes (a kind with `write`); everything else is read-only. */
static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int to_set, struct fuse_file_info *fi)
{
	struct fs *fs = req_fs(req);
	struct fs_node n;
	int rc;

	(void)attr;
	(void)fi;
	rc = node_get_valid(fs, ino, &n);
	if (!rc)
		rc = node_access(fs, req, &n);
	if (!rc && !n.ops->write)
		rc = (to_set & FUSE_SET_ATTR_SIZE) ? -EACCES : -EPERM;
	reply_node_attr(req, fs, &n, rc);
	fs_node_copy_free(&n);
}

/*
 * access(2) when the mount has no default_permissions (with it, the
 * kernel answers from the attributes and never asks): the same answer
 * the modes give, so `test -w` agrees with what open() will do.
 */
static void op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct fs *fs = req_fs(req);
	uid_t uid = fuse_req_ctx(req)->uid;
	struct fs_node n;
	struct stat st;
	mode_t bits;
	int rc;

	rc = node_get_valid(fs, ino, &n);
	if (!rc)
		rc = node_access(fs, req, &n);
	if (!rc)
		rc = node_attr(fs, &n, &st);
	if (!rc) {
		bits = uid == st.st_uid ? (st.st_mode >> 6) & 7
					: st.st_mode & 7;
		if (uid == 0) /* root: anything but running a file */
			bits = 6 | ((st.st_mode & 0111) ? 1 : 0);
		if (((mask & R_OK) && !(bits & 4)) ||
		    ((mask & W_OK) && !(bits & 2)) ||
		    ((mask & X_OK) && !(bits & 1)))
			rc = -EACCES;
	}
	fuse_reply_err(req, -rc);
	fs_node_copy_free(&n);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct fs *fs = req_fs(req);
	struct fs_node n;
	char *target = NULL;
	int rc = fs_node_get(fs, ino, &n);

	if (!rc)
		rc = node_access(fs, req, &n);
	if (!rc)
		rc = n.ops->readlink ? n.ops->readlink(fs, &n, &target)
				     : -EINVAL;
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_readlink(req, target);
	free(target);
	fs_node_copy_free(&n);
}

/* ------------------------------------------------------------------ */
/* Directories                                                          */

int fs_list_children(struct fs *fs, const struct fs_node *dir,
		     struct fs_dirlist *l)
{
	int rc = 0;

	for (size_t i = 0; i < dir->ops->nchildren && !rc; i++) {
		const struct fs_child *c = &dir->ops->children[i];

		if (c->flags & FS_CHILD_MAYBE) {
			struct fs_node e = *dir;

			e.ops = c->ops;
			e.name = (char *)c->name;
			if (c->key)
				e.key = (char *)c->key;
			if (fs_node_valid(fs, &e))
				continue; /* not there for this key */
		}
		rc = fs_dirlist_add(l, c->name, c->ops->mode & S_IFMT);
	}
	return rc;
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct fs *fs = req_fs(req);
	struct fs_dirlist *l = calloc(1, sizeof(*l));
	struct fs_node n;
	int rc = l ? 0 : -ENOMEM;

	memset(&n, 0, sizeof(n));
	if (!rc)
		rc = fs_node_get(fs, ino, &n);
	if (!rc && !S_ISDIR(n.ops->mode))
		rc = -ENOTDIR;
	if (!rc)
		rc = fs_node_valid(fs, &n);
	if (!rc)
		rc = node_access(fs, req, &n);
	if (!rc)
		rc = fs_dirlist_add(l, ".", S_IFDIR);
	if (!rc)
		rc = fs_dirlist_add(l, "..", S_IFDIR);
	if (!rc)
		rc = n.ops->readdir ? n.ops->readdir(fs, req, &n, l)
				    : fs_list_children(fs, &n, l);
	fs_node_copy_free(&n);
	if (rc) {
		if (l)
			fs_dirlist_free(l);
		free(l);
		fuse_reply_err(req, -rc);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)l;
	if (fuse_reply_open(req, fi)) {
		/* The kernel refused the reply (the opendir was interrupted,
		 * the connection aborted): no RELEASEDIR will come. */
		fs_dirlist_free(l);
		free(l);
	}
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct fs_dirlist *l = (struct fs_dirlist *)(uintptr_t)fi->fh;
	struct fs *fs = req_fs(req);
	char *buf = malloc(size ? size : 1);
	size_t used = 0;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (size_t i = off < 0 ? 0 : (size_t)off; i < l->n; i++) {
		struct stat st;
		size_t need;

		memset(&st, 0, sizeof(st));
		st.st_mode = l->v[i].type;
		st.st_ino = fs_node_child_ino(fs, ino, l->v[i].name);
		if (!st.st_ino) /* not looked up yet: any non-zero number */
			st.st_ino = (1ull << 62) | (i + 1);
		need = fuse_add_direntry(req, buf + used, size - used,
					 l->v[i].name, &st, (off_t)(i + 1));
		if (need > size - used)
			break;
		used += need;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	struct fs_dirlist *l = (struct fs_dirlist *)(uintptr_t)fi->fh;

	(void)ino;
	fs_dirlist_free(l);
	free(l);
	fuse_reply_err(req, 0);
}

/* ------------------------------------------------------------------ */
/* Files                                                                */

static void handle_free(struct fs_handle *h)
{
	tx_job_unref(h->job);
	tx_argbuf_free(h->ab);
	fs_blob_unref(h->blob);
	tx_buf_release(&h->query);
	tx_run_unref(h->run);
	fs_res_free(h->res);
	fs_ask_unref(h->ask);
	if (h->fd >= 0)
		close(h->fd);
	free(h->key);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

static void handles_add(struct fs *fs, struct fs_handle *h)
{
	pthread_mutex_lock(&fs->handles_lock);
	h->next = fs->handles;
	h->prev = NULL;
	if (fs->handles)
		fs->handles->prev = h;
	fs->handles = h;
	pthread_mutex_unlock(&fs->handles_lock);
	atomic_fetch_add(&fs->live_handles, 1);
}

static void handles_del(struct fs *fs, struct fs_handle *h)
{
	pthread_mutex_lock(&fs->handles_lock);
	if (h->prev)
		h->prev->next = h->next;
	else
		fs->handles = h->next;
	if (h->next)
		h->next->prev = h->prev;
	pthread_mutex_unlock(&fs->handles_lock);
	atomic_fetch_sub(&fs->live_handles, 1);
}

static int handle_setup(struct fs *fs, fuse_req_t req, struct fs_handle *h,
			const struct fs_node *n, struct fuse_file_info *fi)
{
	const struct fs_node_ops *ops = n->ops;
	int rc = 0;

	fi->direct_io = 1;
	if (ops->flags & FS_CACHED) {
		fi->direct_io = 0;
		fi->keep_cache = 1;
	}
	if (ops->flags & FS_SIZED)
		fi->direct_io = 0;
	if (ops->flags & FS_CACHED) {
		h->cached = true;
		h->blob_gen = fs_tools_generation(fs);
	}
	if (ops->text)
		rc = ops->text(fs, n, &h->blob);
	if (!rc && ops->open)
		rc = ops->open(fs, req, h);
	return rc;
}

/*
 * A new open file of node n (ino 0: a node being created, which the
 * caller numbers), after the checks every open makes.  0 and *out, or
 * -errno.
 */
static int handle_new(struct fs *fs, fuse_req_t req, const struct fs_node *n,
		      struct fuse_file_info *fi, struct fs_handle **out)
{
	struct fs_handle *h = NULL;
	int acc = fi->flags & O_ACCMODE;
	int rc = node_may_open(req, n);

	*out = NULL;
	if (!rc && S_ISDIR(n->ops->mode))
		rc = -EISDIR;
	if (!rc && acc != O_RDONLY && !n->ops->write)
		rc = -EACCES;
	if (!rc && acc != O_WRONLY && !n->ops->read)
		rc = -EACCES;
	if (!rc && !(h = calloc(1, sizeof(*h))))
		rc = -ENOMEM;
	if (rc)
		return rc;
	pthread_mutex_init(&h->lock, NULL);
	h->ino = n->ino;
	h->ops = n->ops;
	h->scope = n->ops->scope;
	h->accmode = acc;
	h->base = -1;
	h->view_run = n->run;
	h->fd = -1;
	if (n->key && !(h->key = strdup(n->key))) {
		handle_free(h);
		return -ENOMEM;
	}
	rc = handle_setup(fs, req, h, n, fi);
	if (rc) {
		handle_free(h);
		return rc;
	}
	/*
	 * Only a write-only open of a kind with `flush` needs FLUSH (a
	 * shell-style `call` starts there); sparing the round trip
	 * everywhere else keeps a transaction as cheap as the floor.
	 */
	fi->noflush = !(n->ops->flush && acc == O_WRONLY);
	fi->fh = (uint64_t)(uintptr_t)h;
	*out = h;
	return 0;
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = req_fs(req);
	struct fs_handle *h = NULL;
	struct fs_node n;
	int rc = node_get_valid(fs, ino, &n);

	if (!rc)
		rc = node_access(fs, req, &n);
	if (!rc)
		rc = handle_new(fs, req, &n, fi, &h);
	if (rc) {
		fuse_reply_err(req, -rc);
		goto out_free;
	}
	handles_add(fs, h);
	if (fuse_reply_open(req, fi)) {
		/* The kernel refused the reply (an interrupted open, an
		 * aborted connection): no RELEASE will come for it. */
		handles_del(fs, h);
		handle_free(h);
	}
out_free:
	fs_node_copy_free(&n);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;

	(void)ino;
	/* Never NULL here: open refused reading. */
	h->ops->read(req_fs(req), req, h, size, off);
}

void fs_read_text(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		  size_t size, off_t off)
{
	/* Taken before the reply: once it is sent, RELEASE may free h on
	 * another thread. */
	bool cached = h->cached;
	uint64_t gen = h->blob_gen;
	fuse_ino_t ino = h->ino;

	fs_reply_blob(req, h->blob, size, off);
	if (cached)
		fs_cached_read_done(fs, ino, gen);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
		     size_t size, off_t off, struct fuse_file_info *fi)
{
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;

	(void)ino;
	(void)off; /* every writable file takes writes in order */
	/* Never NULL here: open refused writing. */
	h->ops->write(req_fs(req), req, h, buf, size);
}

static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;

	(void)ino;
	fuse_reply_err(req,
		       h->ops->flush ? h->ops->flush(req_fs(req), req, h) : 0);
}

static void op_release(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;
	struct fs *fs = req_fs(req);

	(void)ino;
	fs_poll_drop(fs, h);
	if (h->ops->release)
		h->ops->release(fs, h);
	handles_del(fs, h);
	handle_free(h);
	fuse_reply_err(req, 0);
}

static void op_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct fuse_pollhandle *ph)
{
	(void)ino;
	fs_poll(req_fs(req), req, (struct fs_handle *)(uintptr_t)fi->fh, ph);
}

/* ------------------------------------------------------------------ */
/* What the tree does not allow                                         */

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode)
{
	(void)parent;
	(void)name;
	(void)mode;
	/* search/QUERY exists as soon as it is looked up, so mkdir there
	 * never gets here: the kernel answers EEXIST. */
	fuse_reply_err(req, EPERM);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, dev_t rdev)
{
	(void)parent;
	(void)name;
	(void)mode;
	(void)rdev;
	fuse_reply_err(req, EPERM);
}

/*
 * open(O_CREAT) of a name that does not exist: only a directory whose
 * kind has `create` (code/PROFILE/) takes it; the new entry is then
 * opened for writing like any node of its kind.
 */
static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode, struct fuse_file_info *fi)
{
	struct fs *fs = req_fs(req);
	struct fuse_entry_param e;
	struct fs_handle *h = NULL;
	struct fs_node p, n;
	char *key = NULL;
	int rc;

	(void)mode;
	memset(&n, 0, sizeof(n));
	memset(&e, 0, sizeof(e));
	if (strlen(name) > TX_NAME_MAX) {
		fuse_reply_err(req, ENAMETOOLONG);
		return;
	}
	rc = node_get_valid(fs, parent, &p);
	if (!rc)
		rc = node_access(fs, req, &p);
	if (!rc)
		rc = p.ops->create
			     ? p.ops->create(fs, req, &p, name, &n.ops, &key)
			     : -EPERM;
	if (rc)
		goto out_free;
	n.parent = parent;
	n.name = (char *)name;
	n.key = key;
	n.run = node_run_of(&p, n.ops, key);
	rc = node_attr(fs, &n, &e.attr);
	if (!rc)
		rc = handle_new(fs, req, &n, fi, &h);
	if (!rc) {
		rc = fs_node_enter(fs, parent, name, n.ops, key, n.run, &e.ino);
		if (rc) {
			handle_free(h);
			h = NULL;
		}
	}
	if (rc)
		goto out_free;
	h->ino = e.ino;
	e.attr.st_ino = e.ino;
	e.entry_timeout = n.ops->entry_ttl;
	e.attr_timeout = n.ops->attr_ttl;
	handles_add(fs, h);
	if (fuse_reply_create(req, &e, fi)) {
		handles_del(fs, h);
		handle_free(h);
		fs_node_forget(fs, e.ino, 1);
	}
out_free:
	if (rc)
		fuse_reply_err(req, -rc);
	free(key);
	fs_node_copy_free(&p);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		       const char *name)
{
	(void)link;
	(void)parent;
	(void)name;
	fuse_reply_err(req, EPERM);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t parent,
		    const char *name)
{
	(void)ino;
	(void)parent;
	(void)name;
	fuse_reply_err(req, EPERM);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname,
		      unsigned int flags)
{
	(void)parent;
	(void)name;
	(void)newparent;
	(void)newname;
	(void)flags;
	fuse_reply_err(req, EPERM);
}

/* unlink and rmdir: the parent's kind removes the entry (dir picks its
 * `rmdir`, else its `unlink`); a kind without one answers EPERM. */
static void node_remove(fuse_req_t req, fuse_ino_t parent, const char *name,
			bool dir)
{
	struct fs *fs = req_fs(req);
	struct fs_node p;
	int (*rm)(struct fs *, fuse_req_t, const struct fs_node *,
		  const char *);
	int rc = fs_node_get(fs, parent, &p);

	if (!rc)
		rc = node_access(fs, req, &p);
	if (!rc) {
		rm = dir ? p.ops->rmdir : p.ops->unlink;
		rc = rm ? rm(fs, req, &p, name) : -EPERM;
	}
	fuse_reply_err(req, -rc);
	fs_node_copy_free(&p);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	node_remove(req, parent, name, false);
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	node_remove(req, parent, name, true);
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	clock_gettime(CLOCK_REALTIME, &fs_mount_time);
	/* Results are read in one go where possible. */
	if (conn->capable & FUSE_CAP_ASYNC_READ)
		conn->want |= FUSE_CAP_ASYNC_READ;
}

const struct fuse_lowlevel_ops fs_ops = {
	.init = op_init,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.access = op_access,
	.readlink = op_readlink,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_rmdir,
	.symlink = op_symlink,
	.rename = op_rename,
	.link = op_link,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.flush = op_flush,
	.release = op_release,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.releasedir = op_releasedir,
	.create = op_create,
	.poll = op_poll,
};

void fs_handles_free_all(struct fs *fs)
{
	struct fs_handle *h, *next;

	pthread_mutex_lock(&fs->handles_lock);
	h = fs->handles;
	fs->handles = NULL;
	pthread_mutex_unlock(&fs->handles_lock);
	for (; h; h = next) {
		next = h->next;
		fs_poll_drop(fs, h);
		handle_free(h);
		atomic_fetch_sub(&fs->live_handles, 1);
	}
}
