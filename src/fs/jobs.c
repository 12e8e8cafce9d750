/*
 * jobs.c - jobs/ and clone: calls held by an ID, across processes.
 *
 * Reading `clone` creates a job in state "new" (no arguments yet) and
 * returns its ID and a newline; writing jobs/ID/call starts it.  The
 * job directory shows the engine's job as it is, so any process of the
 * user who made the job may read it, watch its stream, cancel it, or
 * remove it with `rm -r`.
 *
 * Other users' jobs are not listed, and looking one up, opening its
 * files or removing it answers EACCES; root sees every job.  The check
 * is made on every request that names a job (lookup, getattr, open,
 * opendir, rmdir, unlink, setattr, access), never on the kernel's cached
 * entries alone: a name one user looked up is cached for all.  The attributes
 * say the same (owner = the job's user, modes for the owner only), so a
 * mount with default_permissions has the kernel agree.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool fs_may_touch_job(uid_t uid, const struct tx_job *job)
{
	return uid == 0 || tx_job_caller(job)->uid == uid;
}

int fs_job_access(struct fs *fs, fuse_req_t req, const char *id)
{
	struct tx_job *job = tx_engine_job_get(fs->engine, id);
	int rc;

	if (!job)
		return -ENOENT;
	rc = fs_may_touch_job(fuse_req_ctx(req)->uid, job) ? 0 : -EACCES;
	tx_job_unref(job);
	return rc;
}

/* ------------------------------------------------------------------ */
/* jobs/                                                                */

int fs_jobs_lookup(struct fs *fs, const struct fs_node *dir, const char *name,
		   const struct fs_node_ops **ops, char **key)
{
	struct tx_job *job;

	(void)dir;
	job = tx_engine_job_get(fs->engine, name);
	if (!job)
		return -ENOENT;
	tx_job_unref(job);
	*ops = &fs_job_ops;
	*key = strdup(name);
	return *key ? 0 : -ENOMEM;
}

/*
 * Started ones only: a job made by reading `clone` and never started is
 * not listed (jobs/ID/ still answers): `grep -r word tools/` or `head *`
 * read every clone file, and exploring must not look like work.  It
 * expires after job_new_seconds.
 */
int fs_jobs_list(struct fs *fs, char **ids, size_t n, uid_t uid,
		 struct fs_dirlist *l)
{
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		struct tx_job *job = tx_engine_job_get(fs->engine, ids[i]);

		/* Gone since the list was taken, or someone else's. */
		if (job && fs_may_touch_job(uid, job) &&
		    tx_job_state(job) != TX_JOB_NEW)
			rc = fs_dirlist_add(l, ids[i], S_IFDIR);
		tx_job_unref(job);
	}
	return rc;
}

/* The jobs the caller may see: its own, or every job for root. */
static int jobs_readdir(struct fs *fs, fuse_req_t req,
			const struct fs_node *dir, struct fs_dirlist *l)
{
	char **ids = NULL;
	size_t n;
	int rc;

	(void)dir;
	n = tx_engine_job_ids(fs->engine, &ids);
	rc = fs_jobs_list(fs, ids, n, fuse_req_ctx(req)->uid, l);
	tx_strv_free(ids, n);
	return rc;
}

void fs_clone_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		   size_t size, off_t off)
{
	struct tx_caller caller;
	struct fs_blob *b;
	struct tx_job *job;
	char why[512], line[64];
	int n;

	pthread_mutex_lock(&h->lock);
	if (!h->blob) {
		/* One job per open: the first read makes it, later reads
		 * (cat reads again for EOF) see the same ID. */
		fs_caller(fs, req, h, &caller);
		job = tx_engine_job_new(fs->engine, h->key, &caller, why,
					sizeof(why));
		if (!job) {
			int err = errno ? errno : ENOMEM;

			pthread_mutex_unlock(&h->lock);
			fuse_reply_err(req, err);
			return;
		}
		n = snprintf(line, sizeof(line), "%s\n", tx_job_id(job));
		h->blob = fs_blob_new(line, (size_t)n);
		tx_job_unref(job);
	}
	b = fs_blob_ref(h->blob);
	pthread_mutex_unlock(&h->lock);
	if (!b) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fs_reply_blob(req, b, size, off);
	fs_blob_unref(b);
}

/* rm -r jobs/ID */
static int jobs_rmdir(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		      const char *name)
{
	int rc;

	(void)dir;
	rc = fs_job_access(fs, req, name);
	return rc ? rc : tx_engine_job_remove(fs->engine, name);
}

/* ------------------------------------------------------------------ */
/* jobs/ID/: every kind here shares these                               */

static int job_valid(struct fs *fs, const struct fs_node *n)
{
	struct tx_job *job = tx_engine_job_get(fs->engine, n->key);

	tx_job_unref(job);
	return job ? 0 : -ENOENT;
}

static int job_access(struct fs *fs, fuse_req_t req, const struct fs_node *n)
{
	return fs_job_access(fs, req, n->key);
}

/* A job's directory and files belong to the user who made the job. */
static int job_getattr(struct fs *fs, const struct fs_node *n, struct stat *st)
{
	struct tx_job *job = tx_engine_job_get(fs->engine, n->key);

	if (!job)
		return -ENOENT;
	st->st_uid = tx_job_caller(job)->uid;
	tx_job_unref(job);
	return 0;
}

/*
 * `rm -r jobs/ID` unlinks every file before the rmdir that removes the
 * job; the files are views of the job, so unlinking one is accepted (by
 * whoever may touch the job) and changes nothing.
 */
static int job_unlink(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		      const char *name)
{
	(void)name;
	return fs_job_access(fs, req, dir->key);
}

static int job_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	(void)req;
	h->job = tx_engine_job_get(fs->engine, h->key);
	return h->job ? 0 : -ENOENT;
}

/* jobs/ID/tool: the tool's ID and a newline. */
static int job_tool_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	char *s = NULL;
	int rc = job_open(fs, req, h);

	if (rc)
		return rc;
	if (asprintf(&s, "%s\n", tx_job_tool_id(h->job)) < 0)
		return -ENOMEM;
	h->blob = fs_blob_take(s, strlen(s));
	return h->blob ? 0 : -ENOMEM;
}

/* jobs/ID/args: the arguments as given, empty while the job is new. */
static int job_args_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	const char *text;
	int rc = job_open(fs, req, h);

	if (rc)
		return rc;
	text = tx_job_args_text(h->job);
	h->blob = fs_blob_new(text ? text : "", text ? strlen(text) : 0);
	return h->blob ? 0 : -ENOMEM;
}

/* jobs/ID/task: the ID of the task the job runs as (an MCP task) and a
 * newline; empty while there is none (most jobs never have one). */
static int job_task_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	char *id, *s = NULL;
	int rc = job_open(fs, req, h);

	if (rc)
		return rc;
	id = tx_job_task_id(h->job);
	if (id && asprintf(&s, "%s\n", id) < 0)
		s = NULL;
	free(id);
	if (id && !s)
		return -ENOMEM;
	h->blob = s ? fs_blob_take(s, strlen(s)) : fs_blob_new("", 0);
	return h->blob ? 0 : -ENOMEM;
}

/*
 * The stream's size is what it holds so far, and it only grows: `tail -f`
 * stats the file to learn that there is more to read, and takes a size
 * below its position for a truncated file.
 */
static int stream_getattr(struct fs *fs, const struct fs_node *n,
			  struct stat *st)
{
	struct tx_job *job = tx_engine_job_get(fs->engine, n->key);

	if (!job)
		return -ENOENT;
	st->st_uid = tx_job_caller(job)->uid;
	st->st_size = (off_t)tx_job_stream_size(job);
	tx_job_unref(job);
	return 0;
}

/* Readable when the stream has bytes past the reader's position, or
 * ended. */
static unsigned stream_poll(struct tx_job *job, uint64_t pos, uint64_t *off)
{
	char c;
	bool eof = false;

	if (!job)
		return POLLIN;
	*off = pos;
	if (tx_job_stream_read(job, pos, &c, 1, &eof) || eof)
		return POLLIN;
	return 0;
}

static void cancel_write(struct fs *fs, fuse_req_t req, struct fs_handle *h,
			 const char *buf, size_t size)
{
	(void)fs;
	(void)buf; /* any write cancels */
	/* Cancelling a finished job is not an error: it is not running,
	 * which is what the writer asked for.  `status` tells the rest. */
	if (h->job)
		tx_job_cancel(h->job);
	fuse_reply_write(req, size);
}

/* ------------------------------------------------------------------ */
/* The kinds                                                            */

/*
 * What every kind of jobs/ID/ shares: the job's owner and root only.
 * Attributes are never cached: the kernel serves cached attributes to
 * every user alike, and they name the job's owner (docs/security.md), so
 * each stat comes here, where the caller is checked.  Names live
 * FS_TTL_JOBS: jobs expire without a notification.
 */
#define JOB_NODE                                                    \
	.scope = FS_JOB, .entry_ttl = FS_TTL_JOBS, .attr_ttl = 0.0, \
	.valid = job_valid, .access = job_access, .getattr = job_getattr

/*
 * tool and args are read from the text taken at open; like the outcome
 * files they report readable to poll() only once the job ended, though
 * reading them never waits.
 */
static const struct fs_node_ops job_tool_ops = {
	.mode = S_IFREG | 0400,
	JOB_NODE,
	.open = job_tool_open,
	.read = fs_read_text,
	.poll = fs_outcome_poll,
};

static const struct fs_node_ops job_args_ops = {
	.mode = S_IFREG | 0400,
	JOB_NODE,
	.open = job_args_open,
	.read = fs_read_text,
	.poll = fs_outcome_poll,
};

static const struct fs_node_ops job_task_ops = {
	.mode = S_IFREG | 0400,
	JOB_NODE,
	.open = job_task_open,
	.read = fs_read_text,
	.poll = fs_outcome_poll,
};

/* The call file of a job made by clone: call.c, which only starts it. */
static const struct fs_node_ops job_call_ops = {
	.mode = S_IFREG | 0600,
	JOB_NODE,
	.open = job_open,
	.read = fs_call_read,
	.write = fs_call_write,
	.flush = fs_call_flush,
	.release = fs_call_release,
	.poll = fs_call_poll,
};

static const struct fs_node_ops job_status_ops = {
	.mode = S_IFREG | 0400,
	JOB_NODE,
	.open = job_open,
	.read = fs_status_read,
};

#define JOB_OUTCOME(what)                                                    \
	.mode = S_IFREG | 0400, .which = (what), JOB_NODE, .open = job_open, \
	.read = fs_outcome_read, .poll = fs_outcome_poll

static const struct fs_node_ops job_result_ops = { JOB_OUTCOME(
	FS_WAIT_RESULT) };
static const struct fs_node_ops job_result_json_ops = { JOB_OUTCOME(
	FS_WAIT_RESULT_JSON) };
static const struct fs_node_ops job_error_ops = { JOB_OUTCOME(FS_WAIT_ERROR) };

static const struct fs_node_ops job_stream_ops = {
	.mode = S_IFREG | 0400,
	/* JOB_NODE, with the stream's own getattr. */
	.scope = FS_JOB,
	.entry_ttl = FS_TTL_JOBS,
	.attr_ttl = 0.0,
	.valid = job_valid,
	.access = job_access,
	.getattr = stream_getattr,
	.open = job_open,
	.read = fs_read_stream,
	.poll = stream_poll,
};

static const struct fs_node_ops job_cancel_ops = {
	.mode = S_IFREG | 0200,
	JOB_NODE,
	.open = job_open,
	.write = cancel_write,
};

/* In the order readdir lists them. */
static const struct fs_child job_children[] = {
	{ "tool", &job_tool_ops, 0, NULL },
	{ "args", &job_args_ops, 0, NULL },
	{ "call", &job_call_ops, 0, NULL },
	{ "status", &job_status_ops, 0, NULL },
	{ "task", &job_task_ops, 0, NULL },
	{ "result", &job_result_ops, 0, NULL },
	{ "result.json", &job_result_json_ops, 0, NULL },
	{ "error", &job_error_ops, 0, NULL },
	{ "stream", &job_stream_ops, 0, NULL },
	{ "cancel", &job_cancel_ops, 0, NULL },
	{ "elicit", &fs_job_elicit_ops, 0, NULL }, /* elicit.c */
	{ "links", &fs_job_links_ops, 0, NULL },   /* elicit.c */
};

/* jobs/ID/ (and a run's /jobs/ID/: runs.c) */
const struct fs_node_ops fs_job_ops = {
	.mode = S_IFDIR | 0700,
	JOB_NODE,
	.children = job_children,
	.nchildren = sizeof(job_children) / sizeof(job_children[0]),
	.unlink = job_unlink,
	.rmdir = job_unlink, /* elicit/ and links/: views, as the files */
};

/* jobs/: everyone's jobs, each removable by its owner only (as /tmp). */
const struct fs_node_ops fs_jobs_ops = {
	.mode = S_IFDIR | 01777,
	.entry_ttl = FS_TTL_STATIC,
	.attr_ttl = FS_TTL_STATIC,
	.lookup = fs_jobs_lookup,
	.readdir = jobs_readdir,
	.rmdir = jobs_rmdir,
};
