/*
 * wait.c - deferred replies: a read that must wait for a job holds no
 * thread, only a `struct fs_wait` and a one-shot job listener.
 *
 * Three parties may want to answer a deferred request: the job listener
 * (the job ended or its stream grew), the INTERRUPT callback (the caller
 * got a signal) and the bound timer (the wait took too long).  Exactly
 * one of them "claims" the request by swapping w->req to NULL under
 * w->lock, and only the claimant replies.  Rules that keep this free of
 * use-after-free and deadlock:
 *
 *  - libfuse runs an interrupt callback holding the request's own lock
 *    and may start it just before another thread replies.  A claimant
 *    that is not the interrupt callback therefore calls
 *    fuse_req_interrupt_func(req, NULL, NULL) before replying: it waits
 *    out a running callback and stops later ones, so `w` stays valid for
 *    as long as libfuse may hand it to us.  It never holds w->lock then.
 *  - A listener that loses the claim returns at once, so
 *    tx_job_unlisten() in another claimant never waits for long.
 *  - The handle `h` is valid only until the reply: once the kernel has
 *    the answer the caller may close, and RELEASE frees h on another
 *    thread.  Replies read from a job we hold a reference on.
 *
 * A wait follows a job (its end, or its stream) or, for the files of a
 * code run (code.c), a part of the run: `job` or `run` is set, never
 * both, and the few steps that differ ask which.
 *
 * Every wait is bounded (fs->wait_max): kernels since 6.15 may abort the
 * whole connection when a request outlives fs.fuse.*_request_timeout, so
 * a wait that reaches the bound answers EAGAIN and the caller reads again.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"

struct fs_wait {
	struct fs *fs;
	pthread_mutex_t lock;
	unsigned refs;       /* lock */
	fuse_req_t req;      /* lock; NULL once claimed */
	uint64_t lid;        /* lock */
	bool armed;          /* lock: lid is known */
	bool interrupted;    /* lock: INTERRUPT came before armed */
	struct fs_handle *h; /* valid while req is unclaimed */
	struct tx_job *job;  /* reference, or NULL for a run wait */
	struct tx_run *run;  /* reference, or NULL for a job wait */
	enum tx_run_part part;
	enum fs_wait_what what;
	size_t size;
	off_t off;
	bool cancel_on_intr;
	uint64_t deadline_ns;
	bool listed;                 /* fs->waits_lock */
	struct fs_wait *prev, *next; /* fs->waits_lock */
};

struct fs_poll {
	struct fuse_pollhandle *ph;
};

static void wait_event_job(struct tx_job *job, void *ctx);
static void wait_event_run(struct tx_run *run, void *ctx);

/* ------------------------------------------------------------------ */
/* Replies                                                              */

void fs_reply_blob(fuse_req_t req, struct fs_blob *b, size_t size, off_t off)
{
	size_t start = off < 0 ? 0 : (size_t)off;

	if (!b || start >= b->len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > b->len - start)
		size = b->len - start;
	/* Our own reference: RELEASE may drop the handle's meanwhile. */
	fs_blob_ref(b);
	fuse_reply_buf(req, b->data + start, size);
	fs_blob_unref(b);
}

static void reply_slice(fuse_req_t req, const char *text, size_t len,
			size_t size, size_t start)
{
	if (!text || start >= len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > len - start)
		size = len - start;
	fuse_reply_buf(req, text + start, size);
}

off_t fs_tx_offset_locked(struct fs_handle *h, off_t off)
{
	if (off < 0)
		off = 0;
	if (h->base < 0 || off < h->base)
		h->base = off;
	return off - h->base;
}

/*
 * Replies what job's stream, or part of run, holds from off (job or
 * run, never both).  A read through a handle (h) also tells poll()
 * where its reader is, and one that finds nothing yet before the end
 * waits for more instead (deferred); without h, as when a wait ends,
 * what is there is the answer.
 */
static void stream_reply(struct fs *fs, fuse_req_t req, struct fs_handle *h,
			 struct tx_job *job, struct tx_run *run,
			 enum tx_run_part part, size_t size, off_t off)
{
	uint64_t pos = off < 0 ? 0 : (uint64_t)off;
	char *buf = malloc(size ? size : 1);
	bool eof = false;
	size_t n;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	n = run ? tx_run_read(run, part, pos, buf, size, &eof)
		: tx_job_stream_read(job, pos, buf, size, &eof);
	if (h) {
		pthread_mutex_lock(&h->lock);
		h->pos = pos + n; /* where poll() looks */
		pthread_mutex_unlock(&h->lock);
	}
	if (h && !n && !eof && run)
		fs_wait_defer_run(fs, req, run, part, size, off);
	else if (h && !n && !eof)
		fs_wait_defer(fs, req, h, job, FS_WAIT_STREAM, size, off,
			      false);
	else
		fuse_reply_buf(req, buf, n);
	free(buf);
}

void fs_read_stream(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		    size_t size, off_t off)
{
	stream_reply(fs, req, h, h->run ? NULL : h->job, h->run,
		     (enum tx_run_part)h->ops->which, size, off);
}

void fs_reply_job(fuse_req_t req, struct tx_job *job, enum fs_wait_what what,
		  size_t size, off_t off)
{
	const char *text = NULL;
	size_t len = 0, start = off < 0 ? 0 : (size_t)off;
	int err;

	job = tx_job_ref(job);
	if (what == FS_WAIT_STREAM) {
		stream_reply(NULL, req, NULL, job, NULL, 0, size, off);
		goto out_unref;
	}
	err = tx_job_errno(job);
	if (what == FS_WAIT_TX || what == FS_WAIT_RESULT) {
		if (err) {
			fuse_reply_err(req, err);
			goto out_unref;
		}
		text = tx_job_result_text(job, &len);
	} else if (what == FS_WAIT_RESULT_JSON) {
		text = tx_job_envelope_text(job, &len);
	} else {
		text = tx_job_error_text(job, &len);
	}
	reply_slice(req, text, len, size, start);
out_unref:
	tx_job_unref(job);
}

/* ------------------------------------------------------------------ */
/* Deferred requests                                                    */

static void wait_unref(struct fs_wait *w)
{
	unsigned left;

	pthread_mutex_lock(&w->lock);
	left = --w->refs;
	pthread_mutex_unlock(&w->lock);
	if (left)
		return;
	tx_job_unref(w->job);
	tx_run_unref(w->run);
	pthread_mutex_destroy(&w->lock);
	atomic_fetch_sub(&w->fs->live_waits, 1);
	free(w);
}

/* Takes w off fs->waits (fs->waits_lock held); the list's reference
 * passes to the caller. */
static void wait_unlink_locked(struct fs *fs, struct fs_wait *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		fs->waits = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->listed = false;
}

static void wait_unlist(struct fs_wait *w)
{
	struct fs *fs = w->fs;
	bool was;

	pthread_mutex_lock(&fs->waits_lock);
	was = w->listed;
	if (was)
		wait_unlink_locked(fs, w);
	pthread_mutex_unlock(&fs->waits_lock);
	if (was)
		wait_unref(w); /* the list's reference */
}

/*
 * Puts an armed wait on fs->waits for the bound timer, unless it was
 * answered already (then the list's reference goes).  Only armed waits
 * are listed: the timer claims what it finds due, and a wait claimed
 * before its listener was registered would keep that listener.
 */
static void wait_list(struct fs_wait *w)
{
	struct fs *fs = w->fs;
	bool answered;

	pthread_mutex_lock(&fs->waits_lock);
	pthread_mutex_lock(&w->lock);
	answered = !w->req;
	pthread_mutex_unlock(&w->lock);
	if (!answered) {
		w->listed = true;
		w->prev = NULL;
		w->next = fs->waits;
		if (fs->waits)
			fs->waits->prev = w;
		fs->waits = w;
	}
	pthread_mutex_unlock(&fs->waits_lock);
	if (answered)
		wait_unref(w); /* the list's reference */
}

static fuse_req_t wait_claim(struct fs_wait *w, uint64_t *lid)
{
	fuse_req_t r;

	pthread_mutex_lock(&w->lock);
	r = w->req;
	w->req = NULL;
	if (lid)
		*lid = w->lid;
	pthread_mutex_unlock(&w->lock);
	return r;
}

/*
 * Replies to a claimed request: err != 0 answers that errno, else the
 * job's data.  in_intr: we run inside libfuse's interrupt callback,
 * which already holds the request's lock.
 */
static void wait_finish(struct fs_wait *w, fuse_req_t r, int err, bool in_intr)
{
	if (!in_intr)
		fuse_req_interrupt_func(r, NULL, NULL);
	wait_unlist(w);
	if (err)
		fuse_reply_err(r, err);
	else if (w->run)
		stream_reply(NULL, r, NULL, NULL, w->run, w->part, w->size,
			     w->off);
	else
		fs_reply_job(r, w->job, w->what, w->size, w->off);
	wait_unref(w); /* the request's reference */
}

/* Claims r away from the listener: drops the listener's reference if it
 * had not run yet. */
static void wait_drop_listener(struct fs_wait *w, uint64_t lid)
{
	if (!lid)
		return;
	if (w->run ? tx_run_unlisten(w->run, lid)
		   : tx_job_unlisten(w->job, lid))
		wait_unref(w);
}

static void wait_stop(struct fs_wait *w, bool in_intr)
{
	uint64_t lid;
	fuse_req_t r = wait_claim(w, &lid);

	if (!r)
		return;
	wait_drop_listener(w, lid);
	if (w->cancel_on_intr) {
		/* Ctrl-C on a transaction read cancels that call: the job
		 * ends CANCELLED at once and the read reports it. */
		tx_job_cancel(w->job);
		wait_finish(w, r,
			    tx_job_state_final(tx_job_state(w->job)) ? 0
								     : EINTR,
			    in_intr);
	} else {
		wait_finish(w, r, EINTR, in_intr);
	}
}

static void wait_interrupt(fuse_req_t req, void *data)
{
	struct fs_wait *w = data;
	bool armed;

	(void)req;
	pthread_mutex_lock(&w->lock);
	armed = w->armed;
	if (!armed)
		w->interrupted = true;
	pthread_mutex_unlock(&w->lock);
	if (armed)
		wait_stop(w, true);
}

static bool stream_ready(struct fs_wait *w)
{
	char c;
	bool eof = false;

	if (w->run)
		return tx_run_read(w->run, w->part, (uint64_t)w->off, &c, 1,
				   &eof) ||
		       eof;
	return tx_job_stream_read(w->job, (uint64_t)w->off, &c, 1, &eof) || eof;
}

/* Where a wait's listener fires: the stream (or part) past w->off, else
 * only the end. */
static uint64_t wait_listen_off(const struct fs_wait *w)
{
	if (w->run)
		return w->part == TX_RUN_RESULT ? UINT64_MAX : (uint64_t)w->off;
	return w->what == FS_WAIT_STREAM ? (uint64_t)w->off : UINT64_MAX;
}

static uint64_t wait_listen(struct fs_wait *w)
{
	if (w->run)
		return tx_run_listen(w->run, w->part, wait_listen_off(w),
				     wait_event_run, w);
	return tx_job_listen(w->job, wait_listen_off(w), wait_event_job, w);
}

static void wait_event(struct fs_wait *w)
{
	fuse_req_t r;

	/*
	 * A stream listener fires when the stream grows past our offset or
	 * the job ends; anything else would be spurious, so re-arm.  Only
	 * while the request is unclaimed, and under w->lock: a timer or an
	 * interrupt that claims it meanwhile reads w->lid under the same
	 * lock, so it removes the listener we register here, or we see its
	 * claim and register none.  Otherwise a listener, and the wait it
	 * holds, would stay behind until the job's next event.
	 */
	if ((w->run || w->what == FS_WAIT_STREAM) && !stream_ready(w)) {
		uint64_t lid = 0;

		pthread_mutex_lock(&w->lock);
		if (w->req) {
			lid = wait_listen(w);
			if (lid)
				w->lid = lid;
		}
		pthread_mutex_unlock(&w->lock);
		if (lid)
			return; /* the listener's reference carries over */
	}
	r = wait_claim(w, NULL);
	if (r)
		wait_finish(w, r, 0, false);
	wait_unref(w); /* the listener's reference */
}

static void wait_event_job(struct tx_job *job, void *ctx)
{
	(void)job;
	wait_event(ctx);
}

static void wait_event_run(struct tx_run *run, void *ctx)
{
	(void)run;
	wait_event(ctx);
}

static struct fs_wait *wait_new(struct fs *fs, fuse_req_t req, size_t size,
				off_t off)
{
	struct fs_wait *w = calloc(1, sizeof(*w));
	uint64_t wait_max = fs->wait_max ? fs->wait_max : FS_WAIT_MAX_DEFAULT;

	if (!w) {
		fuse_reply_err(req, ENOMEM);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	atomic_fetch_add(&fs->live_waits, 1);
	w->fs = fs;
	/* setup + request + listener + bound list */
	w->refs = 4;
	w->req = req;
	w->size = size;
	w->off = off;
	w->deadline_ns = tx_now_ns() + wait_max * 1000000000ull;
	return w;
}

static void wait_arm(struct fs_wait *w);

void fs_wait_defer(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		   struct tx_job *job, enum fs_wait_what what, size_t size,
		   off_t off, bool cancel_on_intr)
{
	struct fs_wait *w = wait_new(fs, req, size, off);

	if (!w)
		return;
	w->h = h;
	w->job = tx_job_ref(job);
	w->what = what;
	w->cancel_on_intr = cancel_on_intr;
	wait_arm(w);
}

void fs_wait_defer_run(struct fs *fs, fuse_req_t req, struct tx_run *run,
		       enum tx_run_part part, size_t size, off_t off)
{
	struct fs_wait *w = wait_new(fs, req, size, off);

	if (!w)
		return;
	w->run = tx_run_ref(run);
	w->part = part;
	wait_arm(w);
}

static void wait_arm(struct fs_wait *w)
{
	fuse_req_t req = w->req;
	uint64_t lid;
	bool intr;

	/* Before listening: once the listener may reply, req may be gone. */
	fuse_req_interrupt_func(req, wait_interrupt, w);
	/*
	 * Listen with w->lock held, so w->lid is never older than the
	 * listener: one that fires at once and re-arms (wait_event) waits
	 * for the lock and stores its own ID after ours.
	 */
	pthread_mutex_lock(&w->lock);
	lid = wait_listen(w);
	w->lid = lid;
	w->armed = true;
	intr = w->interrupted;
	pthread_mutex_unlock(&w->lock);
	if (!lid) {
		/* Already there (the job ended meanwhile), or no memory for
		 * a listener: answer now with what the job has. */
		fuse_req_t r;

		wait_unref(w); /* no listener */
		wait_unref(w); /* never on the bound list */
		r = wait_claim(w, NULL);
		if (r) {
			bool ready = w->run || w->what == FS_WAIT_STREAM
					     ? stream_ready(w)
					     : tx_job_state_final(
						       tx_job_state(w->job));

			wait_finish(w, r, ready ? 0 : ENOMEM, false);
		}
	} else {
		wait_list(w);
		if (intr)
			wait_stop(w, false);
	}
	wait_unref(w); /* setup */
}

static void *timer_main(void *arg)
{
	struct fs *fs = arg;

	pthread_mutex_lock(&fs->waits_lock);
	while (!fs->waits_stop) {
		struct timespec ts;
		uint64_t now = tx_now_ns();
		struct fs_wait *w, *due = NULL;

		for (w = fs->waits; w; w = w->next)
			if (w->deadline_ns <= now)
				break;
		if (w) {
			/* Take it off the list; its reference is ours now. */
			wait_unlink_locked(fs, w);
			due = w;
		}
		if (due) {
			uint64_t lid;
			fuse_req_t r;

			pthread_mutex_unlock(&fs->waits_lock);
			/* Listed waits are armed (wait_list): lid is known. */
			pthread_mutex_lock(&due->lock);
			r = due->req;
			due->req = NULL;
			lid = due->lid;
			pthread_mutex_unlock(&due->lock);
			if (r) {
				wait_drop_listener(due, lid);
				wait_finish(due, r, EAGAIN, false);
			}
			wait_unref(due);
			pthread_mutex_lock(&fs->waits_lock);
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&fs->waits_cond, &fs->waits_lock, &ts);
	}
	pthread_mutex_unlock(&fs->waits_lock);
	return NULL;
}

int fs_waits_start(struct fs *fs)
{
	int rc;

	pthread_mutex_init(&fs->waits_lock, NULL);
	pthread_cond_init(&fs->waits_cond, NULL);
	rc = pthread_create(&fs->timer_thread, NULL, timer_main, fs);
	if (rc)
		return -rc;
	fs->timer_running = true;
	return 0;
}

void fs_waits_stop(struct fs *fs)
{
	struct fs_wait *w;

	if (!fs->timer_running)
		return;
	pthread_mutex_lock(&fs->waits_lock);
	fs->waits_stop = true;
	pthread_cond_broadcast(&fs->waits_cond);
	pthread_mutex_unlock(&fs->waits_lock);
	pthread_join(fs->timer_thread, NULL);
	fs->timer_running = false;
	/* Whoever still waits gets EINTR; the session is going away. */
	for (;;) {
		uint64_t lid;
		fuse_req_t r;

		pthread_mutex_lock(&fs->waits_lock);
		w = fs->waits;
		if (w) {
			fs->waits = w->next;
			if (w->next)
				w->next->prev = NULL;
			w->listed = false;
		}
		pthread_mutex_unlock(&fs->waits_lock);
		if (!w)
			break;
		r = wait_claim(w, &lid);
		if (r) {
			wait_drop_listener(w, lid);
			wait_finish(w, r, EINTR, false);
		}
		wait_unref(w);
	}
	pthread_cond_destroy(&fs->waits_cond);
	pthread_mutex_destroy(&fs->waits_lock);
}

/* ------------------------------------------------------------------ */
/* poll()                                                               */

static void poll_fire(struct fs_poll *p)
{
	fuse_lowlevel_notify_poll(p->ph);
	fuse_pollhandle_destroy(p->ph);
	free(p);
}

static void poll_event(struct tx_job *job, void *ctx)
{
	(void)job;
	poll_fire(ctx);
}

static void poll_event_run(struct tx_run *run, void *ctx)
{
	(void)run;
	poll_fire(ctx);
}

/*
 * Ends one registration taken off a handle.  When its listener already
 * ran, the listener freed p itself.
 */
static void poll_release(struct fs *fs, struct fs_poll *p, struct tx_job *job,
			 struct tx_run *run, uint64_t lid)
{
	if (!p)
		return;
	if (run ? tx_run_unlisten(run, lid) : tx_job_unlisten(job, lid)) {
		fuse_pollhandle_destroy(p->ph);
		free(p);
	}
	tx_job_unref(job);
	tx_run_unref(run);
	atomic_fetch_sub(&fs->live_polls, 1);
}

void fs_poll_drop(struct fs *fs, struct fs_handle *h)
{
	struct fs_poll *p;
	struct tx_job *job;
	struct tx_run *run;
	uint64_t lid;

	pthread_mutex_lock(&h->lock);
	p = h->poll;
	job = h->poll_job;
	run = h->poll_run;
	lid = h->poll_lid;
	h->poll = NULL;
	h->poll_job = NULL;
	h->poll_run = NULL;
	h->poll_lid = 0;
	pthread_mutex_unlock(&h->lock);
	poll_release(fs, p, job, run, lid);
}

void fs_poll(struct fs *fs, fuse_req_t req, struct fs_handle *h,
	     struct fuse_pollhandle *ph)
{
	unsigned revents = POLLIN; /* a kind without `poll` never blocks */
	struct tx_job *job = NULL;
	struct tx_run *run = NULL;
	uint64_t pos, off = UINT64_MAX;

	fs_poll_drop(fs, h);
	pthread_mutex_lock(&h->lock);
	if (h->job)
		job = tx_job_ref(h->job);
	pos = h->pos;
	pthread_mutex_unlock(&h->lock);

	if (h->run) {
		/* A code run's file (code.c): ready when its part has bytes
		 * past the reader, or the run has ended. */
		enum tx_run_part part = (enum tx_run_part)h->ops->which;
		bool eof = false;
		char c;

		run = tx_run_ref(h->run);
		off = part == TX_RUN_RESULT ? UINT64_MAX : pos;
		if (!tx_run_read(run, part, pos, &c, 1, &eof) && !eof)
			revents = 0;
	} else if (h->ops->poll) {
		revents = h->ops->poll(job, pos, &off);
	}

	if (!revents && (job || run) && ph) {
		struct fs_poll *p = malloc(sizeof(*p));
		uint64_t lid = 0;

		if (p) {
			p->ph = ph;
			lid = run ? tx_run_listen(
					    run,
					    (enum tx_run_part)h->ops->which,
					    off, poll_event_run, p)
				  : tx_job_listen(job, off, poll_event, p);
		}
		if (lid) {
			struct fs_poll *old_p;
			struct tx_job *old_job;
			struct tx_run *old_run;
			uint64_t old_lid;

			/*
			 * Two poll()s on one descriptor may both have got
			 * here: the registration in place is replaced, and
			 * dropped, not overwritten (that lost its job
			 * reference and left its listener behind).  One
			 * registration is enough: the kernel wakes every
			 * poller of the file on one notification.
			 */
			atomic_fetch_add(&fs->live_polls, 1);
			pthread_mutex_lock(&h->lock);
			old_p = h->poll;
			old_job = h->poll_job;
			old_run = h->poll_run;
			old_lid = h->poll_lid;
			h->poll = p;
			h->poll_lid = lid;
			h->poll_job = job ? tx_job_ref(job) : NULL;
			h->poll_run = run ? tx_run_ref(run) : NULL;
			pthread_mutex_unlock(&h->lock);
			poll_release(fs, old_p, old_job, old_run, old_lid);
			ph = NULL;
		} else {
			free(p);
			revents = POLLIN; /* became ready meanwhile */
		}
	}
	if (ph)
		fuse_pollhandle_destroy(ph);
	tx_job_unref(job);
	tx_run_unref(run);
	fuse_reply_poll(req, revents);
}

int fs_live_text(struct fs *fs, struct tx_buf *t)
{
	return tx_buf_printf(t,
			     "\nmount\tlive\n"
			     "open_files\t%ld\n"
			     "deferred_reads\t%ld\n"
			     "poll_registrations\t%ld\n",
			     atomic_load(&fs->live_handles),
			     atomic_load(&fs->live_waits),
			     atomic_load(&fs->live_polls));
}
