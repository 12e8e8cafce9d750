/*
 * call.c - the call file and the files that show a call's outcome.
 *
 * Every open of `call` gets its own argument buffer, so concurrent
 * writers never see each other's bytes.  The three calling ways differ
 * only in when the job starts and how its caller finds it again:
 *
 *  - transaction (O_RDWR): at the first read on the same descriptor; the
 *    read is deferred until the job ends and returns the result from its
 *    first byte, whatever the descriptor's offset (fs_tx_offset_locked: N after
 *    writing N bytes, 0 after a seek or a pread).  FLUSH does nothing
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
 * against the input schema.  The object the argument buffer parsed is
 * the one the job gets: checked once at that write, it is handed to the
 * start as it is, never printed and parsed again.  A refused write still leaves
 * a trace: a job is created and rejected with the reason, so `error` and
 * `result.json` explain it to the next reader.
 *
 * The job of a call on tools/NS/NAME/call (or chain/call) is created by
 * the first write that brings arguments, not when the call starts: the
 * job holds the tool, so a reload that removes the tool between the
 * write and the start ends the job with "the tool was removed" (ENOENT
 * for the reader, and `error` says so) instead of leaving the start with
 * no tool to run.  A descriptor closed before its call started takes its
 * job away with it.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
	int rc;

	pthread_mutex_lock(&h->lock);
	job = h->job ? tx_job_ref(h->job) : NULL;
	pthread_mutex_unlock(&h->lock);
	if (h->scope == FS_JOB) {
		rc = job ? tx_job_reject(job, err, msg) : 0;
		tx_job_unref(job);
		return rc;
	}
	fs_caller(fs, req, h, &caller);
	if (!job)
		job = tx_engine_job_new(fs->engine, h->key, &caller, why,
					sizeof(why));
	if (!job)
		return 0; /* no tool (gone), or no memory: the errno says it */
	/* A call file's own job: a refusal that comes too late to end it
	 * leaves it alone; the write still fails with its own errno. */
	tx_job_reject(job, err, msg);
	fs_latest_set(fs, h->key, &caller, tx_job_id(job));
	tx_job_unref(job);
	return 0;
}

/*
 * The job for the arguments being written to a tool's or the chain's
 * call file: created by the first write that brings some (see the top of
 * this file).  0, or -ENOENT (the tool is gone) / -ENOMEM.
 */
static int call_job_create(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	struct tx_caller caller;
	struct tx_job *job;
	char why[ERR_MAX];

	fs_caller(fs, req, h, &caller);
	job = tx_engine_job_new(fs->engine, h->key, &caller, why, sizeof(why));
	if (!job)
		return errno == ENOENT ? -ENOENT : -ENOMEM;
	pthread_mutex_lock(&h->lock);
	if (!h->job && !h->started) {
		h->job = job;
		job = NULL;
	}
	pthread_mutex_unlock(&h->lock);
	if (job) {
		/* Another write on the same descriptor made one first. */
		tx_engine_job_remove(fs->engine, tx_job_id(job));
		tx_job_unref(job);
	}
	return 0;
}

/*
 * Creates (or, for jobs/ID/call, takes) the job and starts it.  *out gets
 * a reference whenever a job exists, even when starting it failed (its
 * state then says why).  0 or -errno.
 */
static int call_start(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		      struct tx_argbuf *ab, struct tx_job **out)
{
	struct tx_caller caller;
	struct tx_job *job;
	char why[ERR_MAX];
	int rc;

	*out = NULL;
	fs_caller(fs, req, h, &caller);
	pthread_mutex_lock(&h->lock);
	job = h->job ? tx_job_ref(h->job) : NULL;
	pthread_mutex_unlock(&h->lock);
	if (!job && h->scope != FS_JOB)
		job = tx_engine_job_new(fs->engine, h->key, &caller, why,
					sizeof(why));
	if (!job) /* the tool is gone, or no memory */
		return errno == ENOENT ? -ENOENT : -ENOMEM;
	/* Before starting: a builtin may finish before the start returns,
	 * and the writer's next command must find the call. */
	fs_latest_set(fs, tx_job_tool_id(job), &caller, tx_job_id(job));
	*out = job;
	rc = tx_job_start_argbuf(job, ab);
	if (rc == -ENOMEM && tx_job_state(job) == TX_JOB_NEW) {
		/* Nothing would ever end a job left in state new: readers
		 * would wait for it until their bound, again and again. */
		tx_job_reject(job, ENOMEM,
			      "out of memory: the call could not "
			      "start");
	}
	return rc;
}

/*
 * After call_start: the errno that a failed start stands for, or 0 when
 * the job's own outcome answers.  EALREADY on a tool's call means that
 * the job ended before it could start (its tool was removed, it was
 * removed from jobs/): its outcome says why.  On jobs/ID/call it means
 * that someone else started the job first.
 */
static int call_start_errno(const struct fs_handle *h, int rc,
			    const struct tx_job *job)
{
	if (!job)
		return rc ? -rc : EIO;
	if (rc != -EALREADY)
		return 0;
	if (h->scope != FS_JOB && !tx_job_args_text(job) &&
	    tx_job_state_final(tx_job_state(job)))
		return 0;
	return EALREADY;
}

static void call_reset_locked(struct fs_handle *h)
{
	tx_argbuf_free(h->ab);
	h->ab = NULL;
	h->failed = 0;
	h->checked = false;
	h->started = false;
	h->base = -1;
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
	bool reject = false, need_job = false;

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
		/* Started by someone, or ended before anyone started it (its
		 * tool removed, cancelled): the latter says why. */
		rc = -EALREADY;
		if (!tx_job_args_text(h->job) &&
		    tx_job_state_final(tx_job_state(h->job)))
			rc = -tx_job_errno(h->job);
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
		rc = tx_engine_check_argbuf(fs->engine, call_tool_id(h), h->ab,
					    err, sizeof(err));
		h->checked = rc == 0;
	}
	if (rc) {
		h->failed = -rc;
		reject = true;
		if (!err[0])
			snprintf(err, sizeof(err), "%s", strerror(-rc));
	}
	need_job = !rc && h->scope != FS_JOB && !h->job &&
		   !tx_argbuf_empty(h->ab);
out_unlock:
	pthread_mutex_unlock(&h->lock);
	/* Outside the handle's lock: rejecting ends a job, which runs its
	 * listeners, and those may take handle locks. */
	if (reject && call_reject(fs, req, h, -rc, err) == -EALREADY)
		rc = -EALREADY;
	if (need_job) {
		rc = call_job_create(fs, req, h);
		if (rc) {
			pthread_mutex_lock(&h->lock);
			h->failed = -rc;
			pthread_mutex_unlock(&h->lock);
		}
	}
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

/*
 * Keeps the job call_start made or took as the handle's, and fails the
 * handle when the start failed for a reason the job cannot tell.
 * Returns that errno, 0 when the job's outcome answers.
 */
static int call_started(struct fs_handle *h, int rc, struct tx_job *job)
{
	int err = call_start_errno(h, rc, job);

	pthread_mutex_lock(&h->lock);
	if (h->scope != FS_JOB && job != h->job) {
		tx_job_unref(h->job);
		h->job = job ? tx_job_ref(job) : NULL;
	}
	if (err)
		h->failed = err;
	pthread_mutex_unlock(&h->lock);
	return err;
}

int fs_call_flush(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	struct tx_argbuf *ab = NULL;
	struct tx_job *job = NULL;
	int rc = 0, err;

	if (h->accmode != O_WRONLY)
		return 0;
	pthread_mutex_lock(&h->lock);
	if (h->started || h->failed || !h->ab || tx_argbuf_empty(h->ab)) {
		pthread_mutex_unlock(&h->lock);
		return 0; /* `touch call`, or nothing new */
	}
	rc = call_take_args_unlock(fs, req, h, &ab);
	if (rc)
		return rc;

	rc = call_start(fs, req, h, ab, &job);
	tx_argbuf_free(ab);
	err = call_started(h, rc, job);
	/* Bad arguments, or a job that ended before it could start: the
	 * writer's close() says so. */
	if (!err && rc && job)
		err = tx_job_errno(job);
	tx_job_unref(job);
	return err;
}

void fs_call_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		  size_t size, off_t off)
{
	struct tx_argbuf *ab = NULL;
	struct tx_job *job = NULL;
	int rc;

	pthread_mutex_lock(&h->lock);
	off = fs_tx_offset_locked(h, off); /* into the answer */
	if (h->failed) {
		rc = h->failed;
		pthread_mutex_unlock(&h->lock);
		fuse_reply_err(req, rc);
		return;
	}
	if (h->started) {
		job = h->job ? tx_job_ref(h->job) : NULL;
		pthread_mutex_unlock(&h->lock);
		goto out_reply;
	}
	if (!h->ab || tx_argbuf_empty(h->ab)) {
		pthread_mutex_unlock(&h->lock);
		fuse_reply_err(req, ENODATA); /* no arguments, no call */
		return;
	}
	rc = call_take_args_unlock(fs, req, h, &ab);
	if (rc) {
		fuse_reply_err(req, rc);
		return;
	}

	rc = call_start(fs, req, h, ab, &job);
	tx_argbuf_free(ab);
	rc = call_started(h, rc, job);
	if (rc) {
		tx_job_unref(job);
		fuse_reply_err(req, rc);
		return;
	}
out_reply:
	if (!job) {
		fuse_reply_err(req, ENODATA);
	} else if (tx_job_state_final(tx_job_state(job))) {
		fs_reply_job(req, job, FS_WAIT_TX, size, off);
	} else {
		/* Ctrl-C on this read cancels the call. */
		fs_wait_defer(fs, req, h, job, FS_WAIT_TX, size, off, true);
	}
	tx_job_unref(job);
}

void fs_call_release(struct fs *fs, struct fs_handle *h)
{
	struct tx_job *job = h->job;

	if (h->scope == FS_JOB || !job)
		return;
	/*
	 * Arguments written but never started (a transaction closed before
	 * its read): the job was only a place holder for them, so it goes
	 * without a trace, as if the writes had never happened.
	 */
	if (!h->started && tx_job_state(job) == TX_JOB_NEW) {
		tx_engine_job_remove(fs->engine, tx_job_id(job));
		return;
	}
	/*
	 * A transaction owns its job: nobody can read its answer once the
	 * descriptor is gone (a read that hit the wait bound, a killed
	 * reader), so stop it.  Shell-style and cloned jobs live on.
	 */
	if (h->accmode == O_RDWR && h->started &&
	    !tx_job_state_final(tx_job_state(job)))
		tx_job_cancel(job);
}

/* ------------------------------------------------------------------ */
/* result, result.json, error, status                                   */

int fs_outcome_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	struct tx_caller caller;

	fs_caller(fs, req, h, &caller);
	h->job = fs_latest_get(fs, h->key, &caller);
	return 0;
}

void fs_outcome_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		     size_t size, off_t off)
{
	struct tx_job *job = h->job; /* fixed at open */

	/*
	 * A cloned job that nobody started yet is waited for like a running
	 * one: the reader of jobs/ID/result may well be up before the writer
	 * of jobs/ID/call.  (The wait is bounded; `status` says "new".)
	 */
	if (!job) {
		fuse_reply_err(req, ENODATA);
	} else if (tx_job_state_final(tx_job_state(job))) {
		fs_reply_job(req, job, h->ops->which, size, off);
	} else {
		/* Interrupting a result reader only stops its wait. */
		fs_wait_defer(fs, req, h, job, h->ops->which, size, off, false);
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
			     tx_job_status_name(h->job));
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

/* ------------------------------------------------------------------ */
/* poll()                                                               */

/* call: writable until a call runs; readable once it ended. */
unsigned fs_call_poll(struct tx_job *job, uint64_t pos, uint64_t *off)
{
	(void)pos;
	(void)off;
	if (!job || tx_job_state(job) == TX_JOB_NEW)
		return POLLOUT;
	if (tx_job_state_final(tx_job_state(job)))
		return POLLIN | POLLOUT;
	return 0;
}

/* result, result.json, error: readable once the job ended (or when
 * there is none: the read answers ENODATA at once). */
unsigned fs_outcome_poll(struct tx_job *job, uint64_t pos, uint64_t *off)
{
	(void)pos;
	(void)off;
	if (!job || tx_job_state_final(tx_job_state(job)))
		return POLLIN;
	return 0;
}
