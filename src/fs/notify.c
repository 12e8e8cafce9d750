/*
 * notify.c - keeping the kernel's caches honest when the tool set changes.
 *
 * Static files (FS_CACHED: summary, doc, schema, output_schema, the INDEX
 * files) are served with keep_cache and long attribute and entry
 * timeouts: most reads never reach us.  That is only correct because
 * every change of the tool set is pushed to the kernel: fs_tools_changed()
 * asks the nodes the kernel knows of the tools that changed (and their
 * namespaces, and tools/INDEX) what they need (their kind's `changed`,
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

/*
 * Asks the node parent/name, if the kernel knows it, and depth levels of
 * its fixed children (a tool's summary, doc, ...) what they need.
 */
static void change_named(struct fs *fs, struct fs_change *c, fuse_ino_t parent,
			 const char *name, int depth)
{
	fuse_ino_t ino = fs_node_child_ino(fs, parent, name);
	struct fs_node n;

	if (!ino || fs_node_get(fs, ino, &n))
		return;
	if (n.ops->changed)
		n.ops->changed(c, &n);
	for (size_t i = 0; depth > 0 && i < n.ops->nchildren; i++)
		change_named(fs, c, ino, n.ops->children[i].name, depth - 1);
	fs_node_copy_free(&n);
}

/* A namespace's node and INDEX, and the tool's directory and files. */
static void change_tool(struct fs *fs, struct fs_change *c, fuse_ino_t tools,
			const struct tx_tool *t, const char **last_ns)
{
	const char *ns = tx_tool_namespace_file(t);
	fuse_ino_t ns_ino = fs_node_child_ino(fs, tools, ns);

	if (!ns_ino)
		return; /* the kernel knows nothing below it */
	/* Sorted by ID: a namespace's tools come together. */
	if (!*last_ns || strcmp(*last_ns, ns)) {
		change_named(fs, c, tools, ns, 1);
		*last_ns = ns;
	}
	change_named(fs, c, ns_ino, tx_tool_name_file(t), 1);
}

/*
 * Only what the change names is looked at: the nodes of the tools that
 * came, went or were redefined, their namespaces, and tools/INDEX.  A
 * reload of one file of 100 tools costs those 100 however many tools
 * and nodes there are, and the kernel keeps everything else it cached.
 */
void fs_tools_changed(void *ctx, const struct tx_toolset *old,
		      const struct tx_toolset *cur)
{
	struct fs *fs = ctx;
	struct fs_change c = { .old = old, .cur = cur };
	size_t nadded, nremoved;
	const char *last_ns = NULL;
	fuse_ino_t tools;

	c.tail = &c.head;
	if (!fs->notify_running || !cur)
		return;
	if (!old) { /* no change to go by: ask every node */
		fs_nodes_foreach(fs, change_node, &c);
		enqueue(fs, &c);
		return;
	}
	nadded = tx_toolset_added_count(cur);
	nremoved = tx_toolset_removed_count(cur);
	tools = fs_node_child_ino(fs, FUSE_ROOT_ID, "tools");
	if (!tools || (!nadded && !nremoved))
		return;
	change_named(fs, &c, tools, "INDEX", 0);
	for (size_t i = 0; i < nremoved; i++)
		change_tool(fs, &c, tools, tx_toolset_removed(cur, i),
			    &last_ns);
	last_ns = NULL;
	for (size_t i = 0; i < nadded; i++)
		change_tool(fs, &c, tools, tx_toolset_added(cur, i), &last_ns);
	enqueue(fs, &c);
}

uint64_t fs_tools_generation(struct fs *fs)
{
	struct tx_toolset *set = tx_engine_tools(fs->engine);
	uint64_t gen = set ? tx_toolset_generation(set) : 0;

	tx_toolset_unref(set);
	return gen;
}

/*
 * A handle keeps the text of the set it was opened on.  Opened before a
 * change and read after the change's invalidation reached the kernel,
 * its old text would fill the page cache again, and keep_cache would
 * serve it to every later open until the next change.  The reply is
 * written to the device before this runs, so an invalidation queued now
 * reaches the kernel after those pages and drops them.
 */
void fs_cached_read_done(struct fs *fs, fuse_ino_t ino, uint64_t blob_gen)
{
	struct fs_change c = { 0 };

	if (!fs->notify_running || fs_tools_generation(fs) == blob_gen)
		return;
	c.tail = &c.head;
	fs_change_queue(&c, ino, NULL);
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
