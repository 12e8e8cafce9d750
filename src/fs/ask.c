/*
 * ask.c - reads that wait for a server's answer to one request (a
 * resource's resources/read, a prompt's prompts/get) without holding a
 * thread: the request is sent, the reads are kept in the ask's list, and
 * the answer (or the server's timeout, or a failure) replies to them.
 *
 * An ask belongs to one open file (h->ask) and is referenced by it, by
 * the engine until the answer came, and by each kept read.  It never
 * points back at the handle: a read that comes after the answer takes
 * it from the ask under h->lock (fs_ask_take).  So the engine's answer
 * touches nothing that RELEASE may free.
 *
 * A kept read may be interrupted: the INTERRUPT callback takes it out of
 * the list and answers EINTR; the server's answer still comes and is
 * kept for the next read.  Exactly one party answers a kept read, the
 * one that takes it out of the list under a->lock; the answer's side
 * then calls fuse_req_interrupt_func(req, NULL, NULL) to wait out a
 * callback already running (wait.c explains why) before replying.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fs_ask_read {
	struct fs_ask *a; /* a reference */
	fuse_req_t req;
	size_t size;
	off_t off;
	bool interrupted; /* a->lock: INTERRUPT came before it was listed */
	struct fs_ask_read *next;
};

struct fs_ask {
	pthread_mutex_t lock;
	unsigned refs;            /* lock */
	bool done;                /* lock */
	struct fs_ask_read *kept; /* lock */
	bool which_json;          /* answer with json, not text */
	struct fs_blob *blob;     /* done: the answer, or NULL */
	int err;                  /* done: positive errno, or 0 */
};

struct fs_ask *fs_ask_new(bool which_json)
{
	struct fs_ask *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	pthread_mutex_init(&a->lock, NULL);
	a->refs = 1;
	a->which_json = which_json;
	return a;
}

static struct fs_ask *ask_ref(struct fs_ask *a)
{
	pthread_mutex_lock(&a->lock);
	a->refs++;
	pthread_mutex_unlock(&a->lock);
	return a;
}

void fs_ask_unref(struct fs_ask *a)
{
	unsigned left;

	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	left = --a->refs;
	pthread_mutex_unlock(&a->lock);
	if (left)
		return;
	fs_blob_unref(a->blob);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static void reply_read(struct fs_ask_read *r, struct fs_blob *b, int err)
{
	if (err)
		fuse_reply_err(r->req, err);
	else
		fs_reply_blob(r->req, b, r->size, r->off);
	fs_ask_unref(r->a);
	free(r);
}

static void read_interrupted(fuse_req_t req, void *data)
{
	struct fs_ask_read *r = data;
	struct fs_ask *a = r->a;
	bool mine = false;

	(void)req;
	pthread_mutex_lock(&a->lock);
	for (struct fs_ask_read **pp = &a->kept; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			mine = true;
			break;
		}
	if (!mine)
		r->interrupted = true;
	pthread_mutex_unlock(&a->lock);
	/* Not listed yet: fs_ask_keep answers it.  Taken by the answer:
	 * that side replies once this callback returns. */
	if (!mine)
		return;
	fuse_reply_err(r->req, EINTR);
	fs_ask_unref(a);
	free(r);
}

void fs_ask_answer(void *ctx, int rc, char *text, size_t len, char *json,
		   const char *err)
{
	struct fs_ask *a = ctx;
	struct fs_ask_read *kept;
	struct fs_blob *b = NULL;
	int e = 0;

	(void)err; /* the caller's error file is the engine's business */
	if (!rc && a->which_json) {
		b = json ? fs_blob_take(json, strlen(json)) : NULL;
		json = NULL;
	} else if (!rc) {
		b = fs_blob_take(text, len);
		text = NULL;
	}
	free(text);
	free(json);
	if (rc)
		e = -rc;
	else if (!b)
		e = ENOMEM;
	pthread_mutex_lock(&a->lock);
	a->done = true;
	a->blob = b;
	a->err = e;
	kept = a->kept;
	a->kept = NULL;
	pthread_mutex_unlock(&a->lock);
	while (kept) {
		struct fs_ask_read *next = kept->next;

		fuse_req_interrupt_func(kept->req, NULL, NULL);
		reply_read(kept, b, e);
		kept = next;
	}
	fs_ask_unref(a); /* the engine's */
}

struct fs_ask *fs_ask_engine_ref(struct fs_ask *a)
{
	return ask_ref(a);
}

void fs_ask_keep(struct fs_ask *a, fuse_req_t req, size_t size, off_t off)
{
	struct fs_ask_read *r = calloc(1, sizeof(*r));
	bool now;

	if (!r) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	r->a = ask_ref(a);
	r->req = req;
	r->size = size;
	r->off = off;
	/* Before it is listed: once listed, the answer may reply (and
	 * the request be gone) at any moment. */
	fuse_req_interrupt_func(req, read_interrupted, r);
	pthread_mutex_lock(&a->lock);
	now = a->done || r->interrupted;
	if (!now) {
		r->next = a->kept;
		a->kept = r;
	}
	pthread_mutex_unlock(&a->lock);
	if (!now)
		return;
	fuse_req_interrupt_func(req, NULL, NULL);
	if (r->interrupted)
		reply_read(r, NULL, EINTR);
	else
		reply_read(r, a->blob, a->err);
}

bool fs_ask_take(struct fs_ask *a, struct fs_blob **blob, int *err)
{
	bool done;

	pthread_mutex_lock(&a->lock);
	done = a->done;
	if (done) {
		*blob = fs_blob_ref(a->blob);
		*err = a->err;
	}
	pthread_mutex_unlock(&a->lock);
	return done;
}
