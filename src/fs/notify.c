/*
 * notify.c - keeping the kernel's caches honest when the tool set changes.
 *
 * Static files (FS_CACHED: summary, doc, schema, output_schema, the INDEX
 * files) are served with keep_cache and long attribute and entry
 * timeouts: most reads never reach us.  That is only correct because
 * every change of the tool set is pushed to the kernel: fs_tools_changed()
 * asks every node the kernel knows what it needs (its kind's `changed`,
 * which compares the old and new sets) and queues notify_inval_inode (the
 * text changed) or notify_inval_entry (the tool or namespace is gone).
 * The notifications are sent from a thread of their own: the change may
 * happen inside a FUSE request (a write to .ctl/reload), and inval_entry
 * from a request handler can deadlock on the directory lock the kernel
 * holds for that request.  Once a second that thread also drops the
 * entries of nodes whose object is gone (jobs/ID of a removed job).
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void nodes_gone(struct fs *fs);

static void *notify_main(void *arg)
{
	struct fs *fs = arg;
	struct timespec sweep; /* when to look for gone nodes next */

	clock_gettime(CLOCK_REALTIME, &sweep);
	sweep.tv_sec++;
	pthread_mutex_lock(&fs->notify_lock);
	for (;;) {
		struct fs_notify *q;

		while (!fs->notify_head && !fs->notify_stop &&
		       !pthread_cond_timedwait(&fs->notify_cond,
					       &fs->notify_lock, &sweep))
			;
		if (fs->notify_stop)
			break;
		if (!fs->notify_head) { /* a second went by */
			pthread_mutex_unlock(&fs->notify_lock);
			nodes_gone(fs);
			clock_gettime(CLOCK_REALTIME, &sweep);
			sweep.tv_sec++;
			pthread_mutex_lock(&fs->notify_lock);
			continue;
		}
		q = fs->notify_head;
		fs->notify_head = NULL;
		fs->notify_tail = &fs->notify_head;
		pthread_mutex_unlock(&fs->notify_lock);
		while (q) {
			struct fs_notify *next = q->next;

			/* ENOENT: the kernel had already dropped it. */
			if (q->name)
				fuse_lowlevel_notify_inval_entry(
					fs->se, q->ino, q->name,
					strlen(q->name));
			else
				fuse_lowlevel_notify_inval_inode(fs->se, q->ino,
								 0, 0);
			free(q->name);
			free(q);
			pthread_mutex_lock(&fs->notify_lock);
			fs->notify_done++;
			pthread_cond_broadcast(&fs->notify_cond);
			pthread_mutex_unlock(&fs->notify_lock);
			q = next;
		}
		pthread_mutex_lock(&fs->notify_lock);
	}
	pthread_mutex_unlock(&fs->notify_lock);
	return NULL;
}

int fs_notify_start(struct fs *fs)
{
	int rc;

	pthread_mutex_init(&fs->notify_lock, NULL);
	pthread_cond_init(&fs->notify_cond, NULL);
	fs->notify_tail = &fs->notify_head;
	rc = pthread_create(&fs->notify_thread, NULL, notify_main, fs);
	if (rc)
		return -rc;
	fs->notify_running = true;
	return 0;
}

void fs_notify_stop(struct fs *fs)
{
	struct fs_notify *q, *next;

	if (!fs->notify_running)
		return;
	pthread_mutex_lock(&fs->notify_lock);
	fs->notify_stop = true;
	pthread_cond_broadcast(&fs->notify_cond);
	pthread_mutex_unlock(&fs->notify_lock);
	pthread_join(fs->notify_thread, NULL);
	fs->notify_running = false;
	for (q = fs->notify_head; q; q = next) {
		next = q->next;
		free(q->name);
		free(q);
	}
	pthread_cond_destroy(&fs->notify_cond);
	pthread_mutex_destroy(&fs->notify_lock);
}

void fs_notify_drain(struct fs *fs, int timeout_ms)
{
	struct timespec ts;
	uint64_t target;

	if (!fs->notify_running)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&fs->notify_lock);
	target = fs->notify_queued;
	while (fs->notify_done < target && !fs->notify_stop)
		if (pthread_cond_timedwait(&fs->notify_cond, &fs->notify_lock,
					   &ts))
			break;
	pthread_mutex_unlock(&fs->notify_lock);
}

void fs_change_queue(struct fs_change *c, fuse_ino_t ino, const char *name)
{
	struct fs_notify *q = calloc(1, sizeof(*q));

	if (!q)
		return;
	q->ino = ino;
	if (name && !(q->name = strdup(name))) {
		free(q);
		return;
	}
	*c->tail = q;
	c->tail = &q->next;
	c->count++;
}

/* Runs with the node table locked: look at one node the kernel knows. */
static void change_node(struct fs *fs, const struct fs_node *n, void *arg)
{
	(void)fs;
	if (n->ops->changed)
		n->ops->changed(arg, n);
}

/* Hands what c queued to the notify thread. */
static void enqueue(struct fs *fs, struct fs_change *c)
{
	if (!c->head)
		return;
	pthread_mutex_lock(&fs->notify_lock);
	*fs->notify_tail = c->head;
	fs->notify_tail = c->tail;
	fs->notify_queued += c->count;
	pthread_cond_broadcast(&fs->notify_cond);
	pthread_mutex_unlock(&fs->notify_lock);
}

void fs_notify_inode(struct fs *fs, fuse_ino_t ino)
{
	struct fs_change c = { 0 };

	/* After fs_stop nothing is sent any more. */
	if (!fs->notify_running)
		return;
	c.tail = &c.head;
	fs_change_queue(&c, ino, NULL);
	enqueue(fs, &c);
}

void fs_tools_changed(void *ctx, const struct tx_toolset *old,
		      const struct tx_toolset *cur)
{
	struct fs *fs = ctx;
	struct fs_change c = { .old = old, .cur = cur };

	c.tail = &c.head;
	if (!fs->notify_running || !cur)
		return;
	fs_nodes_foreach(fs, change_node, &c);
	enqueue(fs, &c);
}

/* Runs with the node table locked: a node whose object is gone. */
static void gone_node(struct fs *fs, const struct fs_node *n, void *arg)
{
	if (!n->pinned && n->ops->valid && n->ops->valid(fs, n) == -ENOENT)
		fs_change_queue(arg, n->parent, n->name);
}

/*
 * The kernel keeps the entries it looked up (and so we keep their
 * nodes) until memory runs short, long after their object went away: a
 * job removed by the keep policy or `rm -r` would cost memory for good,
 * one node per clone.  Dropping the entries of gone objects lets the
 * kernel forget them, and us their nodes.
 */
static void nodes_gone(struct fs *fs)
{
	struct fs_change c = { 0 };

	c.tail = &c.head;
	fs_nodes_foreach(fs, gone_node, &c);
	enqueue(fs, &c);
}
