/*
 * runs.c - .runs/ID/: a code run's own view of the mount.
 *
 * A script's tool calls come back to this daemon through the mount, and
 * each must count against its run (max_tool_calls, the result's
 * tool_calls) and see only that run's jobs.  FUSE tells us the uid and
 * a pid of each request, and neither names a run: a pid is a thread ID
 * in our namespace, reused at will.  The inode does.  Each run gets a
 * directory here, .runs/ID/, holding tools/, search/, jobs/ and
 * resources/; the sandbox binds those onto /tools, /search, /jobs and
 * /resources (code.c), so
 * every request a script makes names a node below .runs/ID/, and every
 * node below it carries the run's number (struct fs_node's `run`, set
 * once when the node is made).  fs_caller turns that number into the
 * run's caller (tx_run_caller), whatever the process, thread or calling
 * way.
 *
 * tools/, search/ and resources/ are the mount's own kinds: the same
 * files, the same three calling ways, the same texts (resources/ is
 * there for the links of jobs/ID/links/, which point at
 * ../../../resources/ in any view).  jobs/ lists the run's jobs
 * only (tx_run_job_ids) and shows each with the kinds of jobs/ID/.
 *
 * Who may enter: the run's uid (a uid of its own for standard and
 * hardened runs) and root, checked by ops.c on every request that names
 * a node with a `run`, whatever the kernel cached.  A run's uid reaches
 * nothing else of the mount (struct fs's `gated`): it may only walk the
 * root and .runs/ on its way here.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tx_run *run_by_num(struct fs *fs, uint64_t num)
{
	char id[32];

	snprintf(id, sizeof(id), "%" PRIu64, num);
	return tx_engine_run_find(fs->engine, id);
}

static bool may_view(uid_t uid, const struct tx_run *run)
{
	return uid == 0 || uid == tx_run_uid(run);
}

int fs_run_view_access(struct fs *fs, fuse_req_t req, uint64_t num)
{
	struct tx_run *run = run_by_num(fs, num);
	int rc;

	if (!run)
		return -ENOENT;
	rc = may_view(fuse_req_ctx(req)->uid, run) ? 0 : -EACCES;
	tx_run_unref(run);
	return rc;
}

/* The view's own directories belong to the run's uid (for a mount with
 * default_permissions, whose kernel checks the modes). */
static int view_getattr(struct fs *fs, const struct fs_node *n, struct stat *st)
{
	struct tx_run *run = run_by_num(fs, n->run);

	if (!run)
		return -ENOENT;
	st->st_uid = tx_run_uid(run);
	st->st_gid = tx_run_gid(run);
	tx_run_unref(run);
	return 0;
}

static int view_valid(struct fs *fs, const struct fs_node *n)
{
	struct tx_run *run = run_by_num(fs, n->run);

	tx_run_unref(run);
	return run ? 0 : -ENOENT;
}

/* ------------------------------------------------------------------ */
/* .runs/ID/jobs/: the run's jobs                                       */

/* Whether job id was made for the run. */
static bool run_has_job(struct fs *fs, uint64_t num, const char *id)
{
	struct tx_run *run = run_by_num(fs, num);
	char **ids = NULL;
	size_t n;
	bool found = false;

	if (!run)
		return false;
	n = tx_run_job_ids(run, &ids);
	for (size_t i = 0; i < n && !found; i++)
		found = !strcmp(ids[i], id);
	tx_strv_free(ids, n);
	tx_run_unref(run);
	return found;
}

static int run_jobs_lookup(struct fs *fs, const struct fs_node *dir,
			   const char *name, const struct fs_node_ops **ops,
			   char **key)
{
	if (!run_has_job(fs, dir->run, name))
		return -ENOENT;
	return fs_jobs_lookup(fs, dir, name, ops, key);
}

static int run_jobs_readdir(struct fs *fs, fuse_req_t req,
			    const struct fs_node *dir, struct fs_dirlist *l)
{
	struct tx_run *run = run_by_num(fs, dir->run);
	char **ids = NULL;
	size_t n;
	int rc;

	(void)req;
	if (!run)
		return -ENOENT;
	n = tx_run_job_ids(run, &ids);
	/* Every job the run made, as root sees them: the caller passed the
	 * view's check (ops.c), and these jobs are all the run's. */
	rc = fs_jobs_list(fs, ids, n, 0, l);
	tx_strv_free(ids, n);
	tx_run_unref(run);
	return rc;
}

/* rm -r /jobs/ID inside the run. */
static int run_jobs_rmdir(struct fs *fs, fuse_req_t req,
			  const struct fs_node *dir, const char *name)
{
	int rc;

	if (!run_has_job(fs, dir->run, name))
		return -ENOENT;
	rc = fs_job_access(fs, req, name);
	return rc ? rc : tx_engine_job_remove(fs->engine, name);
}

static const struct fs_node_ops run_jobs_ops = {
	.mode = S_IFDIR | 0700,
	.entry_ttl = FS_TTL_JOBS,
	.valid = view_valid,
	.getattr = view_getattr,
	.lookup = run_jobs_lookup,
	.readdir = run_jobs_readdir,
	.rmdir = run_jobs_rmdir,
};

/* ------------------------------------------------------------------ */
/* .runs/ID/ and .runs/                                                 */

static const struct fs_child view_children[] = {
	{ "tools", &fs_tools_ops, 0, NULL },
	{ "search", &fs_search_ops, 0, NULL },
	{ "jobs", &run_jobs_ops, 0, NULL },
	/* Where jobs/ID/links/ point (../../../resources/...). */
	{ "resources", &fs_resources_ops, 0, NULL },
};

/* .runs/ID/: its key is the run's ID, its `run` the same number. */
static const struct fs_node_ops view_ops = {
	.mode = S_IFDIR | 0500,
	.flags = FS_RUN_VIEW,
	.entry_ttl = FS_TTL_JOBS,
	.valid = view_valid,
	.getattr = view_getattr,
	.children = view_children,
	.nchildren = sizeof(view_children) / sizeof(view_children[0]),
};

static bool is_number(const char *s)
{
	if (!*s || *s == '0' || strlen(s) > 20)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int runs_lookup(struct fs *fs, const struct fs_node *dir,
		       const char *name, const struct fs_node_ops **ops,
		       char **key)
{
	struct tx_run *run;

	(void)dir;
	if (!is_number(name))
		return -ENOENT;
	run = tx_engine_run_find(fs->engine, name);
	if (!run)
		return -ENOENT;
	tx_run_unref(run);
	*ops = &view_ops;
	*key = strdup(name);
	return *key ? 0 : -ENOMEM;
}

/* The views the caller may enter: its runs' (every run's for root). */
static int runs_readdir(struct fs *fs, fuse_req_t req,
			const struct fs_node *dir, struct fs_dirlist *l)
{
	uid_t uid = fuse_req_ctx(req)->uid;
	char **ids = NULL;
	size_t n;
	int rc = 0;

	(void)dir;
	n = tx_engine_run_ids(fs->engine, &ids);
	for (size_t i = 0; i < n && !rc; i++) {
		struct tx_run *run = tx_engine_run_find(fs->engine, ids[i]);

		if (run && may_view(uid, run))
			rc = fs_dirlist_add(l, ids[i], S_IFDIR);
		tx_run_unref(run);
	}
	tx_strv_free(ids, n);
	return rc;
}

/* .runs/ */
const struct fs_node_ops fs_runs_ops = {
	.mode = S_IFDIR | 0555,
	.flags = FS_GATE_OPEN,
	.entry_ttl = FS_TTL_STATIC,
	.attr_ttl = FS_TTL_STATIC,
	.lookup = runs_lookup,
	.readdir = runs_readdir,
};
