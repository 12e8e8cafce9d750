/*
 * code.c - code/: drop a script into code/PROFILE/ and it runs, once.
 *
 *     code/PROFILE/NAME          the drop: writing it and closing starts
 *                                a run (write-only)
 *     code/PROFILE/NAME.out      the script's stdout, as it comes
 *     code/PROFILE/NAME.err      its stderr
 *     code/PROFILE/NAME.result   the result JSON, once the run has ended
 *     code/PROFILE/NAME.work/    what it left in /work (read-only)
 *
 * The engine is the only record: code/PROFILE/ shows, for each name, the
 * newest run of that name, profile and user (tx_engine_run_ids), so a
 * second drop with the same name replaces the files by the new run's,
 * and `rm NAME` removes the runs of that name.  Entries are never cached
 * by the kernel (TTL 0): every path names the newest run.
 *
 * The run starts at the FLUSH of the drop (the close() of `cp` or `>`),
 * so when close() returns the run is listed, NAME.out and the others
 * exist, and the run is a job in jobs/.  Nothing here ever waits for a
 * run: tx_run_start only spawns the sandbox helper, and the helper's
 * first act, binding the run's view (.runs/ID/, runs.c) onto /tools,
 * /search and /jobs, looks the view up through this very mount: a
 * handler that waited for the run (or held a lock a lookup needs while
 * it waited) would deadlock with it.  Reads of the outputs that must
 * wait are deferred (wait.c, fs_wait_defer_run) and hold no thread.
 *
 * Runs hold the mount in their own mount namespaces through those
 * binds, so unmounting it does not end the session while a run goes:
 * a watch on our mount table stops every run when the mount leaves it
 * (fs_code_start), after which the last reference to the mount goes and
 * the daemon exits as after any unmount.
 */
#include "fs/fs_i.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The files beside a drop: NAME + suffix. */
static const struct {
	const char *suffix;
	enum tx_run_part part; /* for the three outputs */
	bool dir;              /* NAME.work/ */
} parts[] = {
	{ ".out", TX_RUN_STDOUT, false },
	{ ".err", TX_RUN_STDERR, false },
	{ ".result", TX_RUN_RESULT, false },
	{ ".work", TX_RUN_STDOUT, true },
};
#define NPARTS (sizeof(parts) / sizeof(parts[0]))

static const struct fs_node_ops profile_ops, drop_ops, work_dir_ops,
	work_file_ops;
static const struct fs_node_ops part_ops[NPARTS - 1];

/* ------------------------------------------------------------------ */
/* Runs by name                                                         */

/* Whether profile names an enabled profile. */
static bool profile_enabled(struct fs *fs, const char *profile)
{
	char **names = NULL;
	size_t n = tx_engine_code_profiles(fs->engine, &names);
	bool found = false;

	for (size_t i = 0; i < n && !found; i++)
		found = !strcmp(names[i], profile);
	tx_strv_free(names, n);
	return found;
}

/* Whether uid may see and touch run: its starter's, and root's. */
static bool may_touch_run(uid_t uid, const struct tx_run *run)
{
	return uid == 0 || tx_run_started_by(run)->uid == uid;
}

/*
 * The newest run named name in profile, with a reference; NULL when
 * there is none.  A name is one name for every user of the mount, as
 * in a shared directory: it shows its newest run, which only its
 * starter (and root) may read, replace or remove.
 */
static struct tx_run *run_newest(struct fs *fs, const char *profile,
				 const char *name)
{
	struct tx_run *best = NULL;
	char **ids = NULL;
	size_t n = tx_engine_run_ids(fs->engine, &ids);

	/* Oldest first: the last match is the newest. */
	for (size_t i = n; i-- > 0 && !best;) {
		struct tx_run *run = tx_engine_run_find(fs->engine, ids[i]);

		if (run && !strcmp(tx_run_profile(run), profile) &&
		    !strcmp(tx_run_name(run), name))
			best = run;
		else
			tx_run_unref(run);
	}
	tx_strv_free(ids, n);
	return best;
}

static struct tx_run *run_by_id(struct fs *fs, const char *key)
{
	char id[32];
	size_t len = strcspn(key, "/");

	if (len == 0 || len >= sizeof(id))
		return NULL;
	memcpy(id, key, len);
	id[len] = '\0';
	return tx_engine_run_find(fs->engine, id);
}

/* A name a drop may not take: it would hide another run's file. */
static int part_of(const char *name, size_t *base_len)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < NPARTS; i++) {
		size_t sl = strlen(parts[i].suffix);

		if (len > sl && !strcmp(name + len - sl, parts[i].suffix)) {
			*base_len = len - sl;
			return (int)i;
		}
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* Starting a run: the drop's FLUSH                                     */

/* The profile's sandbox kind ("dev", "standard", "hardened"); dev runs
 * see the host's files and ignore binds. */
static bool profile_is_dev(struct fs *fs, const char *profile)
{
	char *text = tx_engine_code_profile_text(fs->engine, profile);
	struct json_object *o = text ? json_tokener_parse(text) : NULL, *k;
	bool dev = false;

	if (o && json_object_object_get_ex(o, "kind", &k))
		dev = !strcmp(json_object_get_string(k), "dev");
	json_object_put(o);
	free(text);
	return dev;
}

/*
 * Starts the run of the script written to h.  Its view: .runs/ID/tools,
 * search and jobs bound onto /tools, /search and /jobs (writable: the
 * call files are written; the mount refuses every other write), and
 * resources onto /resources (read-only; where jobs/ID/links/ point),
 * and
 * their paths in the environment, which a dev run (no binds) needs.
 * 0 or -errno; a run that could not start has ended with the reason in
 * its result, which is no error of the drop.
 */
static int drop_start(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	static const char *const dirs[] = { "tools", "search", "jobs",
					    "resources" };
	static const char *const vars[] = { "TOOLEXEC_TOOLS", "TOOLEXEC_SEARCH",
					    "TOOLEXEC_JOBS",
					    "TOOLEXEC_RESOURCES" };
	struct tx_run_bind binds[4];
	char src[4][4096], env[5][4200], profile[TX_NAME_MAX + 1];
	const char *envp[5];
	struct tx_run_view view = { 0 };
	struct tx_caller caller;
	struct tx_run *run;
	const char *name = strchr(h->key, '/') + 1;
	char why[512] = "";
	bool dev;
	int rc;

	snprintf(profile, sizeof(profile), "%.*s", (int)(name - 1 - h->key),
		 h->key);
	fs_caller(fs, req, h, &caller);
	run = tx_engine_code_new(fs->engine, profile, name,
				 h->query.data ? h->query.data : "",
				 h->query.len, NULL, 0, &caller, why,
				 sizeof(why));
	if (!run)
		return errno ? -errno : -ENOMEM;
	dev = profile_is_dev(fs, profile);
	for (size_t i = 0; i < 4; i++) {
		snprintf(src[i], sizeof(src[i]), "%s/.runs/%s/%s",
			 fs->mountpoint, tx_run_id(run), dirs[i]);
		binds[i] = (struct tx_run_bind){ src[i], NULL, true };
	}
	binds[0].dst = "/tools";
	binds[1].dst = "/search";
	binds[2].dst = "/jobs";
	/* Read-only: what jobs/ID/links/ point at (../../../resources). */
	binds[3].dst = "/resources";
	binds[3].writable = false;
	for (size_t i = 0; i < 4; i++) {
		snprintf(env[i], sizeof(env[i]), "%s=%s", vars[i],
			 dev ? src[i] : binds[i].dst);
		envp[i] = env[i];
	}
	snprintf(env[4], sizeof(env[4]), "TOOLEXEC_RUN=%s", tx_run_id(run));
	envp[4] = env[4];
	view.binds = binds;
	view.nbinds = dev ? 0 : 4;
	view.env = envp;
	view.nenv = 5;
	rc = tx_run_start(run, &view);
	tx_run_unref(run);
	return rc == -EALREADY ? 0 : rc;
}

/* ------------------------------------------------------------------ */
/* The drop: code/PROFILE/NAME                                          */

static int drop_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	(void)fs;
	(void)req;
	tx_buf_init(&h->query, TX_SCRIPT_MAX);
	return 0;
}

static void drop_write(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		       const char *buf, size_t size)
{
	int rc;

	(void)fs;
	pthread_mutex_lock(&h->lock);
	/* Once the run started, the script is the run's. */
	rc = h->started ? -EBUSY : tx_buf_add(&h->query, buf, size);
	/* A script cut short is not run: the close fails too. */
	if (rc && !h->started && !h->failed)
		h->failed = -rc;
	pthread_mutex_unlock(&h->lock);
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_write(req, size);
}

/*
 * The first FLUSH after some bytes starts the run (FLUSH is synchronous:
 * close() returns after it, RELEASE comes later); an empty drop starts
 * nothing, as `touch call` calls nothing.
 */
static int drop_flush(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	int failed;
	bool go;

	pthread_mutex_lock(&h->lock);
	failed = h->failed;
	go = !failed && !h->started && h->query.len > 0;
	if (go)
		h->started = true;
	pthread_mutex_unlock(&h->lock);
	if (failed)
		return failed;
	return go ? -drop_start(fs, req, h) : 0;
}

/* A name whose newest run is another user's is theirs to replace. */
static int drop_access(struct fs *fs, fuse_req_t req, const struct fs_node *n)
{
	const char *name = strchr(n->key, '/') + 1;
	char profile[TX_NAME_MAX + 1];
	struct tx_run *run;
	int rc;

	snprintf(profile, sizeof(profile), "%.*s", (int)(name - 1 - n->key),
		 n->key);
	run = run_newest(fs, profile, name);
	rc = run && !may_touch_run(fuse_req_ctx(req)->uid, run) ? -EACCES : 0;
	tx_run_unref(run);
	return rc;
}

static const struct fs_node_ops drop_ops = {
	.mode = S_IFREG | 0222,
	.access = drop_access,
	.open = drop_open,
	.write = drop_write,
	.flush = drop_flush,
};

/* ------------------------------------------------------------------ */
/* NAME.out, NAME.err, NAME.result                                      */

/* Files of a run are its starter's (and root's). */
static int run_access(struct fs *fs, fuse_req_t req, const struct fs_node *n)
{
	struct tx_run *run = run_by_id(fs, n->key);
	uid_t uid = fuse_req_ctx(req)->uid;
	int rc;

	if (!run)
		return -ENOENT;
	rc = may_touch_run(uid, run) ? 0 : -EACCES;
	tx_run_unref(run);
	return rc;
}

static int run_valid(struct fs *fs, const struct fs_node *n)
{
	struct tx_run *run = run_by_id(fs, n->key);

	tx_run_unref(run);
	return run ? 0 : -ENOENT;
}

static int part_getattr(struct fs *fs, const struct fs_node *n, struct stat *st)
{
	struct tx_run *run = run_by_id(fs, n->key);

	if (!run)
		return -ENOENT;
	st->st_uid = tx_run_started_by(run)->uid;
	st->st_size = (off_t)tx_run_size(run, (enum tx_run_part)n->ops->which);
	tx_run_unref(run);
	return 0;
}

static int part_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	(void)req;
	h->run = run_by_id(fs, h->key);
	return h->run ? 0 : -ENOENT;
}

/* poll() is wait.c's for any handle with a run (h->run). */
#define PART(p)                                                           \
	{                                                                 \
		.mode = S_IFREG | 0444, .which = (p), .valid = run_valid, \
		.access = run_access, .getattr = part_getattr,            \
		.open = part_open, .read = fs_read_stream                 \
	}

static const struct fs_node_ops part_ops[NPARTS - 1] = {
	PART(TX_RUN_STDOUT),
	PART(TX_RUN_STDERR),
	PART(TX_RUN_RESULT),
};

/* ------------------------------------------------------------------ */
/* NAME.work/: what the script left in /work                           */

/*
 * Keys are "ID/PATH", PATH relative to the run's /work ("" for NAME.work
 * itself).  Everything is opened through tx_run_work_open: the script
 * made these files, and a symbolic link among them may point anywhere
 * on the host, so none is ever followed out (links are not shown).
 */
static const char *work_path(const char *key)
{
	const char *p = strchr(key, '/');

	return p ? p + 1 : "";
}

/* Opens the node's path beneath /work (flags of open(2)). */
static int work_open_key(struct fs *fs, const char *key, int flags)
{
	struct tx_run *run = run_by_id(fs, key);
	int fd;

	if (!run)
		return -ENOENT;
	fd = tx_run_work_open(run, work_path(key), flags);
	tx_run_unref(run);
	return fd;
}

static int work_getattr(struct fs *fs, const struct fs_node *n, struct stat *st)
{
	int fd = work_open_key(fs, n->key, O_PATH | O_NOFOLLOW);
	struct stat ws;
	int rc = 0;

	if (fd < 0)
		return fd;
	if (fstat(fd, &ws) < 0)
		rc = -errno;
	else if (S_ISDIR(ws.st_mode) != S_ISDIR(n->ops->mode))
		rc = -ENOENT; /* replaced by another kind meanwhile */
	else if (!S_ISDIR(ws.st_mode))
		st->st_size = ws.st_size;
	if (!rc)
		st->st_mtim = ws.st_mtim;
	close(fd);
	if (!rc) {
		struct tx_run *run = run_by_id(fs, n->key);

		if (!run)
			return -ENOENT;
		st->st_uid = tx_run_started_by(run)->uid;
		tx_run_unref(run);
	}
	return rc;
}

static int work_lookup(struct fs *fs, const struct fs_node *dir,
		       const char *name, const struct fs_node_ops **ops,
		       char **key)
{
	const char *rel = work_path(dir->key);
	struct stat st;
	char *k = NULL;
	int fd, rc;

	if (asprintf(&k, "%s%s%s", dir->key, *rel ? "/" : "", name) < 0)
		return -ENOMEM;
	fd = work_open_key(fs, k, O_PATH | O_NOFOLLOW);
	if (fd < 0) {
		free(k);
		return fd == -EXDEV ? -ENOENT : fd;
	}
	rc = fstat(fd, &st) < 0 ? -errno : 0;
	close(fd);
	if (!rc && S_ISDIR(st.st_mode))
		*ops = &work_dir_ops;
	else if (!rc && S_ISREG(st.st_mode))
		*ops = &work_file_ops;
	else if (!rc)
		rc = -ENOENT; /* links, devices, sockets: not shown */
	if (rc)
		free(k);
	else
		*key = k;
	return rc;
}

static int work_readdir(struct fs *fs, fuse_req_t req,
			const struct fs_node *dir, struct fs_dirlist *l)
{
	int fd = work_open_key(fs, dir->key, O_RDONLY | O_DIRECTORY);
	struct dirent *d;
	DIR *dp;
	int rc = 0;

	(void)req;
	if (fd < 0)
		return fd;
	dp = fdopendir(fd);
	if (!dp) {
		close(fd);
		return -errno;
	}
	while (!rc && (d = readdir(dp))) {
		struct stat st;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (fstatat(dirfd(dp), d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))
			rc = fs_dirlist_add(l, d->d_name, st.st_mode & S_IFMT);
	}
	closedir(dp);
	return rc;
}

static int work_file_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	int fd = work_open_key(fs, h->key, O_RDONLY | O_NOFOLLOW);

	(void)req;
	if (fd < 0)
		return fd == -ELOOP ? -ENOENT : fd;
	h->fd = fd;
	return 0;
}

/* A file on the run's /work tmpfs: pread never waits. */
static void work_file_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
			   size_t size, off_t off)
{
	char *buf = malloc(size ? size : 1);
	ssize_t n;

	(void)fs;
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	n = pread(h->fd, buf, size, off);
	if (n < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

#define WORK_NODE \
	.valid = run_valid, .access = run_access, .getattr = work_getattr

static const struct fs_node_ops work_file_ops = {
	.mode = S_IFREG | 0444,
	WORK_NODE,
	.open = work_file_open,
	.read = work_file_read,
};

static const struct fs_node_ops work_dir_ops = {
	.mode = S_IFDIR | 0555,
	WORK_NODE,
	.lookup = work_lookup,
	.readdir = work_readdir,
};

/* ------------------------------------------------------------------ */
/* code/PROFILE/                                                        */

static int profile_valid(struct fs *fs, const struct fs_node *n)
{
	return profile_enabled(fs, n->key) ? 0 : -ENOENT;
}

static int profile_lookup(struct fs *fs, const struct fs_node *dir,
			  const char *name, const struct fs_node_ops **ops,
			  char **key)
{
	size_t base_len = 0;
	struct tx_run *run;
	char *base;
	int i;

	run = run_newest(fs, dir->key, name);
	if (run) {
		*ops = &drop_ops;
		tx_run_unref(run);
		return asprintf(key, "%s/%s", dir->key, name) < 0 ? -ENOMEM : 0;
	}
	i = part_of(name, &base_len);
	if (i < 0)
		return -ENOENT;
	base = strndup(name, base_len);
	if (!base)
		return -ENOMEM;
	run = run_newest(fs, dir->key, base);
	free(base);
	if (!run)
		return -ENOENT;
	*ops = parts[i].dir ? &work_dir_ops : &part_ops[i];
	if (asprintf(key, "%s%s", tx_run_id(run), parts[i].dir ? "/" : "") < 0)
		*key = NULL;
	tx_run_unref(run);
	return *key ? 0 : -ENOMEM;
}

/* Each name's newest run that the caller may see: NAME and its files. */
static int profile_readdir(struct fs *fs, fuse_req_t req,
			   const struct fs_node *dir, struct fs_dirlist *l)
{
	uid_t uid = fuse_req_ctx(req)->uid;
	char **ids = NULL;
	size_t n = tx_engine_run_ids(fs->engine, &ids);
	int rc = 0;

	for (size_t i = n; i-- > 0 && !rc;) {
		struct tx_run *run = tx_engine_run_find(fs->engine, ids[i]);
		struct tx_run *newest = NULL;
		const char *name;

		if (!run || strcmp(tx_run_profile(run), dir->key))
			goto next;
		name = tx_run_name(run);
		/* Newest first: a name listed already was a newer run's. */
		newest = run_newest(fs, dir->key, name);
		if (newest != run || !may_touch_run(uid, run))
			goto next;
		rc = fs_dirlist_add(l, name, S_IFREG);
		for (size_t k = 0; k < NPARTS && !rc; k++) {
			char *p = NULL;

			if (asprintf(&p, "%s%s", name, parts[k].suffix) < 0) {
				rc = -ENOMEM;
				break;
			}
			rc = fs_dirlist_add(l, p,
					    parts[k].dir ? S_IFDIR : S_IFREG);
			free(p);
		}
	next:
		tx_run_unref(newest);
		tx_run_unref(run);
	}
	tx_strv_free(ids, n);
	return rc;
}

/*
 * open(O_CREAT) of a new name: a drop.  Names that end like the files
 * beside a drop (.out, .err, .result, .work) are refused, as they would
 * hide another run's file of that name.
 */
static int profile_create(struct fs *fs, fuse_req_t req,
			  const struct fs_node *dir, const char *name,
			  const struct fs_node_ops **ops, char **key)
{
	size_t base_len;

	(void)fs;
	(void)req;
	if (part_of(name, &base_len) >= 0 || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -EINVAL;
	*ops = &drop_ops;
	return asprintf(key, "%s/%s", dir->key, name) < 0 ? -ENOMEM : 0;
}

/* rm code/PROFILE/NAME: stops its runs and forgets them. */
static int profile_unlink(struct fs *fs, fuse_req_t req,
			  const struct fs_node *dir, const char *name)
{
	uid_t uid = fuse_req_ctx(req)->uid;
	struct tx_run *run = run_newest(fs, dir->key, name);
	size_t base_len;
	int rc = 0;

	if (!run) {
		/* NAME.out of a run that is there: remove NAME instead. */
		if (part_of(name, &base_len) >= 0) {
			char *base = strndup(name, base_len);

			run = base ? run_newest(fs, dir->key, base) : NULL;
			free(base);
		}
		rc = run ? -EPERM : -ENOENT;
		tx_run_unref(run);
		return rc;
	}
	if (!may_touch_run(uid, run)) {
		tx_run_unref(run);
		return -EACCES;
	}
	/* Every run of the name goes, older ones (replaced) included; the
	 * engine keeps at most TX_RUN_KEEP_MAX ended runs. */
	for (size_t k = 0; run && !rc && k < 4 * TX_RUN_KEEP_MAX; k++) {
		rc = tx_engine_run_remove(fs->engine, tx_run_id(run));
		tx_run_unref(run);
		run = rc ? NULL : run_newest(fs, dir->key, name);
		if (run && !may_touch_run(uid, run))
			break;
	}
	tx_run_unref(run);
	return rc == -ENOENT ? 0 : rc;
}

static int profile_rmdir(struct fs *fs, fuse_req_t req,
			 const struct fs_node *dir, const char *name)
{
	const struct fs_node_ops *ops;
	char *key = NULL;
	int rc = profile_lookup(fs, dir, name, &ops, &key);

	(void)req;
	free(key);
	/* NAME.work/ goes with NAME. */
	return rc ? rc : (S_ISDIR(ops->mode) ? -EPERM : -ENOTDIR);
}

/* code/PROFILE/: anyone may drop (the sticky bit: only the starter of
 * a run may remove it, as in /tmp). */
static const struct fs_node_ops profile_ops = {
	.mode = S_IFDIR | 01777,
	.entry_ttl = FS_TTL_JOBS,
	.valid = profile_valid,
	.lookup = profile_lookup,
	.readdir = profile_readdir,
	.create = profile_create,
	.unlink = profile_unlink,
	.rmdir = profile_rmdir,
};

/* ------------------------------------------------------------------ */
/* code/                                                                */

static int code_lookup(struct fs *fs, const struct fs_node *dir,
		       const char *name, const struct fs_node_ops **ops,
		       char **key)
{
	(void)dir;
	if (!profile_enabled(fs, name))
		return -ENOENT;
	*ops = &profile_ops;
	*key = strdup(name);
	return *key ? 0 : -ENOMEM;
}

static int code_readdir(struct fs *fs, fuse_req_t req,
			const struct fs_node *dir, struct fs_dirlist *l)
{
	char **names = NULL;
	size_t n = tx_engine_code_profiles(fs->engine, &names);
	int rc = 0;

	(void)req;
	(void)dir;
	for (size_t i = 0; i < n && !rc; i++)
		rc = fs_dirlist_add(l, names[i], S_IFDIR);
	tx_strv_free(names, n);
	return rc;
}

/* code/: one directory per enabled profile; a reload may change them. */
const struct fs_node_ops fs_code_ops = {
	.mode = S_IFDIR | 0555,
	.entry_ttl = FS_TTL_JOBS,
	.lookup = code_lookup,
	.readdir = code_readdir,
};

/* ------------------------------------------------------------------ */
/* The unmount watch                                                    */

struct fs_code {
	pthread_t thread;
	int stop_pipe[2];
	int mountinfo;
	char mount_id[24]; /* our mount's ID in /proc/self/mountinfo */
};

/* Mount points in mountinfo escape space, tab, newline and backslash as
 * octal; undoes that in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] &&
		    s[3]) {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/*
 * Finds a mount in our mount table: with want_id NULL, the topmost
 * FUSE mount on mountpoint (its ID goes to id); else whether the mount
 * want_id is still there.
 */
static bool mount_find(int fd, const char *mountpoint, const char *want_id,
		       char *id, size_t idlen)
{
	FILE *f;
	char line[8192];
	bool found = false;
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (dup_fd < 0)
		return want_id != NULL; /* unknown: assume still there */
	if (lseek(dup_fd, 0, SEEK_SET) < 0 || !(f = fdopen(dup_fd, "r"))) {
		close(dup_fd);
		return want_id != NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		char mid[24], parent[24], devs[32], root[4096], mp[4096];
		char *sep;

		if (sscanf(line, "%23s %23s %31s %4095s %4095s", mid, parent,
			   devs, root, mp) != 5)
			continue;
		if (want_id) {
			if (!strcmp(mid, want_id)) {
				found = true;
				break;
			}
			continue;
		}
		unescape_octal(mp);
		sep = strstr(line, " - ");
		if (!strcmp(mp, mountpoint) && sep &&
		    !strncmp(sep + 3, "fuse", 4)) {
			snprintf(id, idlen, "%s", mid); /* the last wins */
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* Stops every run at once: they hold the mount that is going away. */
static void runs_stop_all(struct fs *fs)
{
	char **ids = NULL;
	size_t n = tx_engine_run_ids(fs->engine, &ids);

	for (size_t i = 0; i < n; i++) {
		struct tx_run *run = tx_engine_run_find(fs->engine, ids[i]);

		if (run)
			tx_run_cancel(run, true);
		tx_run_unref(run);
	}
	tx_strv_free(ids, n);
}

/*
 * The kernel marks /proc/self/mountinfo with POLLPRI whenever our mount
 * table changes.  When our mount has left it (umount, fusermount -u),
 * runs still hold it through their binds and would keep the session
 * (and this daemon) going until they end by themselves: stop them.
 */
static void *watch_main(void *arg)
{
	struct fs *fs = arg;
	struct fs_code *c = fs->code;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = c->mountinfo, .events = POLLPRI },
			{ .fd = c->stop_pipe[0], .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (p[0].revents &&
		    !mount_find(c->mountinfo, NULL, c->mount_id, NULL, 0)) {
			runs_stop_all(fs);
			break;
		}
	}
	return NULL;
}

int fs_code_start(struct fs *fs)
{
	struct fs_code *c;
	int rc;

	if (!fs->mountpoint)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->stop_pipe[0] = c->stop_pipe[1] = -1;
	c->mountinfo = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (c->mountinfo < 0 ||
	    !mount_find(c->mountinfo, fs->mountpoint, NULL, c->mount_id,
			sizeof(c->mount_id)) ||
	    pipe2(c->stop_pipe, O_CLOEXEC) < 0) {
		/* No watch: runs then end by their timeout after an
		 * unmount; nothing else changes. */
		rc = 0;
		goto out_free;
	}
	fs->code = c;
	rc = -pthread_create(&c->thread, NULL, watch_main, fs);
	if (!rc)
		return 0;
	fs->code = NULL;
out_free:
	if (c->mountinfo >= 0)
		close(c->mountinfo);
	if (c->stop_pipe[0] >= 0) {
		close(c->stop_pipe[0]);
		close(c->stop_pipe[1]);
	}
	free(c);
	return rc;
}

void fs_code_stop(struct fs *fs)
{
	struct fs_code *c = fs->code;

	if (!c)
		return;
	(void)!write(c->stop_pipe[1], "x", 1);
	pthread_join(c->thread, NULL);
	close(c->stop_pipe[0]);
	close(c->stop_pipe[1]);
	close(c->mountinfo);
	free(c);
	fs->code = NULL;
}
