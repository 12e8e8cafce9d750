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
 * opendir, rmdir, unlink, setattr, access), never on the kernel's cached entries
 * alone: a name one user looked up is cached for all.  The attributes
 * say the same (owner = the job's user, modes for the owner only), so a
 * mount with default_permissions has the kernel agree.
 */
#include "fs/fs_i.h"

#include <errno.h>
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

int fs_jobs_lookup(struct fs *fs, const struct fs_node *dir,
		   const char *name, enum fs_kind *kind, char **key)
{
	struct tx_job *job;

	(void)dir;
	job = tx_engine_job_get(fs->engine, name);
	if (!job)
		return -ENOENT;
	tx_job_unref(job);
	*kind = FS_JOB;
	*key = strdup(name);
	return *key ? 0 : -ENOMEM;
}

int fs_jobs_list(struct fs *fs, uid_t uid, const struct fs_node *dir,
		 struct fs_dirlist *l)
{
	char **ids = NULL;
	size_t n;
	int rc = 0;

	(void)dir;
	n = tx_engine_job_ids(fs->engine, &ids);
	for (size_t i = 0; i < n && !rc; i++) {
		struct tx_job *job = tx_engine_job_get(fs->engine, ids[i]);

		/* Gone since the list was taken, or someone else's. */
		if (job && fs_may_touch_job(uid, job))
			rc = fs_dirlist_add(l, ids[i], S_IFDIR);
		tx_job_unref(job);
	}
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
		fs_caller(fs, req, &caller);
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

int fs_job_open(struct fs *fs, struct fs_handle *h)
{
	const char *text;
	char *s = NULL;

	h->job = tx_engine_job_get(fs->engine, h->key);
	if (!h->job)
		return -ENOENT;
	if (h->kind == FS_JTOOL) {
		if (asprintf(&s, "%s\n", tx_job_tool_id(h->job)) < 0)
			return -ENOMEM;
		h->blob = fs_blob_take(s, strlen(s));
	} else if (h->kind == FS_JARGS) {
		text = tx_job_args_text(h->job);
		h->blob = fs_blob_new(text ? text : "", text ? strlen(text) : 0);
	} else {
		return 0;
	}
	return h->blob ? 0 : -ENOMEM;
}

void fs_stream_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		    size_t size, off_t off)
{
	struct tx_job *job = h->job;
	char *buf = malloc(size ? size : 1);
	bool eof = false;
	size_t n;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	n = tx_job_stream_read(job, (uint64_t)off, buf, size, &eof);
	pthread_mutex_lock(&h->lock);
	h->pos = (uint64_t)off + n;	/* where poll() looks */
	pthread_mutex_unlock(&h->lock);
	if (!n && !eof)
		fs_wait_defer(fs, req, h, job, FS_WAIT_STREAM, FS_STREAM, size,
			      off, false);
	else
		fuse_reply_buf(req, buf, n);
	free(buf);
}

void fs_cancel_write(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		     size_t size)
{
	(void)fs;
	/* Cancelling a finished job is not an error: it is not running,
	 * which is what the writer asked for.  `status` tells the rest. */
	if (h->job)
		tx_job_cancel(h->job);
	fuse_reply_write(req, size);
}

int fs_jobs_rmdir(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		  const char *name)
{
	int rc;

	if (dir->kind != FS_JOBS)
		return -EPERM;
	rc = fs_job_access(fs, req, name);
	return rc ? rc : tx_engine_job_remove(fs->engine, name);
}
