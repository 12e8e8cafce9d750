/*
 * call.c - the call file and the files that show a call's outcome.
 *
 * Every open of `call` gets its own argument buffer, so concurrent
 * writers never see each other's bytes.  The three calling ways differ
 * only in when the job starts and how its caller finds it again:
 *
 *  - transaction (O_RDWR): at the first read on the same descriptor; the
 *    read is deferred until the job ends and returns the result from its
 *    first byte, whatever the descriptor's offset.  FLUSH does nothing
 *    here: shells send one whenever they close a dup of the descriptor
 *    (`echo ... >&3`), long before the read.
 *  - shell style (O_WRONLY): at the first FLUSH after complete
 *    arguments.  FLUSH is synchronous with close(), RELEASE is not, so
 *    the call is registered before the writer's close() returns and the
 *    next command (`cat result`) finds it.
 *  - jobs/ID/call: the same, on a job made by `clone`.
 *
 * Arguments are checked as they arrive: malformed JSON fails the write
 * that brought it, and the write that completes the object is checked
 * against the input schema.  A refused write still leaves a trace: a job
 * is created and rejected with the reason, so `error` and `result.json`
 * explain it to the next reader.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR_MAX 1024

static const char *call_tool_id(const struct fs_handle *h)
{
	if (h->scope == FS_JOB)
		return h->job ? tx_job_tool_id(h->job) : "";
	return h->key;
}

/* Records a refused call so `error` and `result.json` can explain it.
 * -EALREADY when another writer started the cloned job first. */
static int call_reject(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		       int err, const char *msg)
{
	struct tx_caller caller;
	struct tx_job *job;
	char why[ERR_MAX];

	if (h->scope == FS_JOB)
		return h->job ? tx_job_reject(h->job, err, msg) : 0;
	fs_caller(fs, req, &caller);
	job = tx_engine_job_new(fs->engine, h->key, &caller, why, sizeof(why));
	if (!job)
		return 0;
	tx_job_reject(job, err, msg);
	fs_latest_set(fs, h->key, &caller, tx_job_id(job));
	tx_job_unref(job);
	return 0;
}

/*
 * Creates (or, for jobs/ID/call, takes) the job and starts it.  *out gets
 * a reference whenever a job exists, even when starting it failed (its
 * state then says why).  0 or -errno.
 */
static int call_start(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		      const char *text, size_t len, struct tx_job **out)
{
	struct tx_caller caller;
	struct tx_job *job;
	char why[ERR_MAX];

	*out = NULL;
	fs_caller(fs, req, &caller);
	if (h->scope == FS_JOB) {
		job = tx_job_ref(h->job);
	} else {
		job = tx_engine_job_new(fs->engine, h->key, &caller, why,
					sizeof(why));
		if (!job)
			return errno ? -errno : -ENOMEM;
	}
	/* Before starting: a builtin may finish before tx_job_start returns,
	 * and the writer's next command must find the call. */
	fs_latest_set(fs, tx_job_tool_id(job), &caller, tx_job_id(job));
	*out = job;
	return tx_job_start(job, text, len);
}

static void call_reset_locked(struct fs_handle *h)
{
	tx_argbuf_free(h->ab);
	h->ab = NULL;
	h->failed = 0;
	h->checked = false;
	h->started = false;
	h->pos = 0;
	if (h->scope != FS_JOB) {
		tx_job_unref(h->job);
		h->job = NULL;
	}
}

void fs_call_write(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		   const char *buf, size_t size)
{
	char err[ERR_MAX] = "";
	int rc = 0;
	bool reject = false;

	pthread_mutex_lock(&h->lock);
	if (h->started) {
		if (h->scope == FS_JOB) {
			rc = -EALREADY;
			goto out_unlock;
		}
		/* A new call on the same descriptor once the last one ended
		 * (one call per `echo >&3`, or a reused transaction fd). */
		if (h->job && !tx_job_state_final(tx_job_state(h->job))) {
			rc = -EBUSY;
			goto out_unlock;
		}
		call_reset_locked(h);
	}
	if (h->scope == FS_JOB && tx_job_state(h->job) != TX_JOB_NEW) {
		rc = -EALREADY;
		goto out_unlock;
	}
	if (h->failed) {
		rc = -h->failed;
		goto out_unlock;
	}
	if (!h->ab && !(h->ab = tx_argbuf_new())) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	rc = tx_argbuf_feed(h->ab, buf, size, err, sizeof(err));
	if (!rc && !h->checked && tx_argbuf_complete(h->ab)) {
		rc = tx_engine_check_args(fs->engine, call_tool_id(h),
					  tx_argbuf_text(h->ab), err,
					  sizeof(err));
		h->checked = rc == 0;
	}
	if (rc) {
		h->failed = -rc;
		reject = true;
		if (!err[0])
			snprintf(err, sizeof(err), "%s", strerror(-rc));
	}
out_unlock:
	pthread_mutex_unlock(&h->lock);
	/* Outside the handle's lock: rejecting ends a job, which runs its
	 * listeners, and those may take handle locks. */
	if (reject && call_reject(fs, req, h, -rc, err) == -EALREADY)
		rc = -EALREADY;
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_write(req, size);
}

/*
 * Takes the arguments written so far for the call and marks it started.
 * Called with h->lock held and a non-empty argument buffer; drops the
 * lock.  Arguments that end before the object closes fail the handle
 * instead: EINVAL.  *ab is the caller's to free.
 */
static int call_take_args_unlock(struct fs *fs, fuse_req_t req,
				 struct fs_handle *h, struct tx_argbuf **ab)
{
	if (!tx_argbuf_complete(h->ab)) {
		h->failed = EINVAL;
		pthread_mutex_unlock(&h->lock);
		if (call_reject(fs, req, h, EINVAL,
				"incomplete JSON: the arguments ended before "
				"the object was closed") == -EALREADY)
			return EALREADY;
		return EINVAL;
	}
	*ab = h->ab;
	h->ab = NULL;
	h->started = true;
	pthread_mutex_unlock(&h->lock);
	return 0;
}

int fs_call_flush(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	struct tx_argbuf *ab = NULL;
	struct tx_job *job = NULL;
	int rc = 0;

	if (h->accmode != O_WRONLY)
		return 0;
	pthread_mutex_lock(&h->lock);
	if (h->started || h->failed || !h->ab || tx_argbuf_empty(h->ab)) {
		pthread_mutex_unlock(&h->lock);
		return 0;	/* `touch call`, or nothing new */
	}
	rc = call_take_args_unlock(fs, req, h, &ab);
	if (rc)
		return rc;

	rc = call_start(fs, req, h, tx_argbuf_text(ab), tx_argbuf_size(ab),
			&job);
	tx_argbuf_free(ab);
	pthread_mutex_lock(&h->lock);
	if (h->scope != FS_JOB) {
		tx_job_unref(h->job);
		h->job = job;
		job = NULL;
	}
	pthread_mutex_unlock(&h->lock);
	tx_job_unref(job);
	return rc < 0 ? -rc : 0;
}

void fs_call_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		  size_t size)
{
	struct tx_argbuf *ab = NULL;
	struct tx_job *job = NULL;
	int rc;

	pthread_mutex_lock(&h->lock);
	if (h->failed) {
		rc = h->failed;
		pthread_mutex_unlock(&h->lock);
		fuse_reply_err(req, rc);
		return;
	}
	if (h->started) {
		job = tx_job_ref(h->job);
		pthread_mutex_unlock(&h->lock);
		goto out_reply;
	}
	if (!h->ab || tx_argbuf_empty(h->ab)) {
		pthread_mutex_unlock(&h->lock);
		fuse_reply_err(req, ENODATA);	/* no arguments, no call */
		return;
	}
	rc = call_take_args_unlock(fs, req, h, &ab);
	if (rc) {
		fuse_reply_err(req, rc);
		return;
	}

	rc = call_start(fs, req, h, tx_argbuf_text(ab), tx_argbuf_size(ab),
			&job);
	tx_argbuf_free(ab);
	pthread_mutex_lock(&h->lock);
	if (h->scope != FS_JOB) {
		tx_job_unref(h->job);
		h->job = tx_job_ref(job);
	}
	if (rc == -EALREADY)
		h->failed = EALREADY;
	pthread_mutex_unlock(&h->lock);
	if (!job || rc == -EALREADY) {
		tx_job_unref(job);
		fuse_reply_err(req, rc ? -rc : EIO);
		return;
	}
out_reply:
	if (!job) {
		fuse_reply_err(req, ENODATA);
	} else if (tx_job_state_final(tx_job_state(job))) {
		fs_reply_job(req, h, job, FS_WAIT_TX, FS_RESULT, size, 0);
	} else {
		/* Ctrl-C on this read cancels the call. */
		fs_wait_defer(fs, req, h, job, FS_WAIT_TX, FS_RESULT, size, 0,
			      true);
	}
	tx_job_unref(job);
}

void fs_call_release(struct fs *fs, struct fs_handle *h)
{
	(void)fs;
	/*
	 * A transaction owns its job: nobody can read its answer once the
	 * descriptor is gone (a read that hit the wait bound, a killed
	 * reader), so stop it.  Shell-style and cloned jobs live on.
	 */
	if (h->accmode == O_RDWR && h->scope != FS_JOB && h->started &&
	    h->job && !tx_job_state_final(tx_job_state(h->job)))
		tx_job_cancel(h->job);
}

/* ------------------------------------------------------------------ */
/* result, result.json, error, status                                   */

int fs_outcome_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	struct tx_caller caller;

	fs_caller(fs, req, &caller);
	h->job = fs_latest_get(fs, h->key, &caller);
	return 0;
}

void fs_outcome_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		     size_t size, off_t off)
{
	struct tx_job *job = h->job;	/* fixed at open */

	/*
	 * A cloned job that nobody started yet is waited for like a running
	 * one: the reader of jobs/ID/result may well be up before the writer
	 * of jobs/ID/call.  (The wait is bounded; `status` says "new".)
	 */
	if (!job) {
		fuse_reply_err(req, ENODATA);
	} else if (tx_job_state_final(tx_job_state(job))) {
		fs_reply_job(req, h, job, FS_WAIT_OUTCOME, h->kind, size, off);
	} else {
		/* Interrupting a result reader only stops its wait. */
		fs_wait_defer(fs, req, h, job, FS_WAIT_OUTCOME, h->kind, size,
			      off, false);
	}
}

void fs_status_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		    size_t size, off_t off)
{
	struct fs_blob *b = NULL, *old = NULL;
	char line[32];
	int n;

	(void)fs;
	if (!h->job) {
		fuse_reply_err(req, ENODATA);
		return;
	}
	pthread_mutex_lock(&h->lock);
	/* Fresh at offset 0, so pread(fd, ..., 0) in a loop follows it. */
	if (off == 0 || !h->blob) {
		n = snprintf(line, sizeof(line), "%s\n",
			     tx_job_state_name(tx_job_state(h->job)));
		b = fs_blob_new(line, (size_t)n);
		if (b) {
			old = h->blob;
			h->blob = b;
		}
	}
	b = fs_blob_ref(h->blob);
	pthread_mutex_unlock(&h->lock);
	fs_blob_unref(old);
	if (!b) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fs_reply_blob(req, b, size, off);
	fs_blob_unref(b);
}
