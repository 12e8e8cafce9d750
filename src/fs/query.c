/*
 * query.c - query transactions: search/query and prompts/NS/NAME/get.
 *
 * What one descriptor writes is its own query, in as many writes as it
 * takes; the first read answers it, from the answer's first byte
 * whatever the descriptor's offset (fs_tx_offset_locked), and a write
 * after that starts a new query on the same descriptor.  Concurrent
 * callers never see each other's answers.  A query a server answers
 * (prompts' get) is sent by the first read, and reads are kept until
 * the answer comes (ask.c), holding no thread; poll says ready at once
 * (a read is answered, if later).
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

int fs_query_open(struct fs_handle *h, size_t max)
{
	tx_buf_init(&h->query, max);
	return 0;
}

void fs_query_write(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		    const char *buf, size_t size)
{
	int rc;

	(void)fs;
	pthread_mutex_lock(&h->lock);
	if (h->started) { /* a new query on the same descriptor */
		tx_buf_release(&h->query);
		fs_blob_unref(h->blob);
		h->blob = NULL;
		fs_ask_unref(h->ask); /* its kept reads still get it */
		h->ask = NULL;
		h->started = false;
		h->failed = 0;
		h->base = -1;
	}
	rc = memchr(buf, '\0', size) ? -EINVAL
				     : tx_buf_add(&h->query, buf, size);
	pthread_mutex_unlock(&h->lock);
	if (rc) /* -EFBIG past the handle's cap */
		fuse_reply_err(req, -rc);
	else
		fuse_reply_write(req, size);
}

/* Replies the answer h holds from off, else its error; called with
 * h->lock held, which it drops before replying. */
static void reply_unlock(fuse_req_t req, struct fs_handle *h, size_t size,
			 off_t off)
{
	struct fs_blob *b = fs_blob_ref(h->blob);
	int err = h->failed;

	pthread_mutex_unlock(&h->lock);
	if (!b) {
		fuse_reply_err(req, err ? err : ENODATA);
		return;
	}
	fs_reply_blob(req, b, size, off);
	fs_blob_unref(b);
}

void fs_query_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		   size_t size, off_t off, fs_query_answer_fn *answer)
{
	pthread_mutex_lock(&h->lock);
	off = fs_tx_offset_locked(h, off);
	if (!h->started) {
		int rc;

		h->started = true;
		rc = answer(fs, h, &h->blob);
		if (rc)
			h->blob = NULL;
		h->failed = -rc;
	}
	reply_unlock(req, h, size, off);
}

void fs_query_read_async(struct fs *fs, fuse_req_t req, struct fs_handle *h,
			 size_t size, off_t off, fs_query_start_fn *start)
{
	pthread_mutex_lock(&h->lock);
	off = fs_tx_offset_locked(h, off);
	if (!h->started) {
		h->started = true;
		h->ask = fs_ask_new(h->ops->which);
		if (h->ask)
			start(fs, h, fs_ask_engine_ref(h->ask));
		else
			h->failed = ENOMEM;
	}
	if (h->ask) {
		if (!fs_ask_take(h->ask, &h->blob, &h->failed)) {
			struct fs_ask *a = fs_ask_engine_ref(h->ask);

			pthread_mutex_unlock(&h->lock);
			fs_ask_keep(a, req, size, (off_t)off);
			fs_ask_unref(a);
			return;
		}
		fs_ask_unref(h->ask);
		h->ask = NULL;
	}
	reply_unlock(req, h, size, off);
}

unsigned fs_query_poll(struct tx_job *job, uint64_t pos, uint64_t *off)
{
	(void)job;
	(void)pos;
	(void)off;
	return POLLIN | POLLOUT;
}
