/*
 * tools.c - tools/: namespaces, tool directories, the INDEX files and the
 * static texts; and keeping the kernel's caches honest when the tool set
 * changes.
 *
 * Static files (summary, doc, schema, output_schema, the INDEX files) are
 * served with keep_cache and long attribute/entry timeouts: most reads
 * never reach us.  That is only correct because every change of the tool
 * set is pushed to the kernel: fs_tools_changed() compares the old and
 * new sets for every node the kernel knows and queues
 * notify_inval_inode (the text changed) or notify_inval_entry (the tool
 * or namespace is gone).  The notifications are sent from a thread of
 * their own: the change may happen inside a FUSE request (a write to
 * .ctl/reload), and inval_entry from a request handler can deadlock on
 * the directory lock the kernel holds for that request.  Once a second
 * that thread also drops the entries of jobs/ID whose job is gone.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Lookups and listings                                                 */

static bool ns_exists(const struct tx_toolset *set, const char *ns_file)
{
	size_t n = tx_toolset_count(set);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(tx_tool_namespace_file(tx_toolset_at(set, i)),
			    ns_file))
			return true;
	return false;
}

int fs_node_valid(struct fs *fs, const struct fs_node *n)
{
	struct tx_toolset *set;
	const struct tx_tool *t;
	struct tx_job *job;
	int rc = 0;

	if (n->kind == FS_NS || n->kind == FS_NS_INDEX) {
		set = tx_engine_tools(fs->engine);
		if (!set || !ns_exists(set, n->key))
			rc = -ENOENT;
		tx_toolset_unref(set);
	} else if (n->kind == FS_TOOL || n->scope == FS_TOOL) {
		set = tx_engine_tools(fs->engine);
		t = set ? tx_toolset_find(set, n->key) : NULL;
		if (!t || (n->kind == FS_OSCHEMA &&
			   !tx_tool_output_schema_text(t)))
			rc = -ENOENT;
		tx_toolset_unref(set);
	} else if (n->kind == FS_JOB || n->scope == FS_JOB) {
		job = tx_engine_job_get(fs->engine, n->key);
		if (!job)
			rc = -ENOENT;
		tx_job_unref(job);
	}
	return rc;
}

int fs_tools_lookup(struct fs *fs, const struct fs_node *dir,
		    const char *name, enum fs_kind *kind, char **key)
{
	struct tx_toolset *set = tx_engine_tools(fs->engine);
	const struct tx_tool *t;
	int rc = -ENOENT;

	if (!set)
		return -ENOMEM;
	if (dir->kind == FS_TOOLS) {
		if (!strcmp(name, "INDEX")) {
			*kind = FS_INDEX;
			*key = NULL;
			rc = 0;
		} else if (ns_exists(set, name)) {
			*kind = FS_NS;
			*key = strdup(name);
			rc = *key ? 0 : -ENOMEM;
		}
	} else if (dir->kind == FS_NS) {
		if (!strcmp(name, "INDEX")) {
			if (ns_exists(set, dir->key)) {
				*kind = FS_NS_INDEX;
				*key = strdup(dir->key);
				rc = *key ? 0 : -ENOMEM;
			}
		} else {
			t = tx_toolset_find_file(set, dir->key, name);
			if (t) {
				*kind = FS_TOOL;
				*key = strdup(tx_tool_id(t));
				rc = *key ? 0 : -ENOMEM;
			}
		}
	}
	tx_toolset_unref(set);
	return rc;
}

int fs_tools_list(struct fs *fs, const struct fs_node *dir,
		  struct fs_dirlist *l)
{
	struct tx_toolset *set = tx_engine_tools(fs->engine);
	const char *last = NULL;
	size_t n;
	int rc = 0;

	if (!set)
		return -ENOMEM;
	n = tx_toolset_count(set);
	rc = fs_dirlist_add(l, "INDEX", S_IFREG);
	if (dir->kind == FS_NS && !ns_exists(set, dir->key))
		rc = -ENOENT;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct tx_tool *t = tx_toolset_at(set, i);
		const char *ns = tx_tool_namespace_file(t);

		if (dir->kind == FS_TOOLS) {
			/* Sorted by ID keeps a namespace contiguous. */
			if (last && !strcmp(last, ns))
				continue;
			bool seen = false;

			for (size_t k = 0; k < l->n && !seen; k++)
				seen = !strcmp(l->v[k].name, ns);
			last = ns;
			if (!seen)
				rc = fs_dirlist_add(l, ns, S_IFDIR);
		} else if (!strcmp(ns, dir->key)) {
			rc = fs_dirlist_add(l, tx_tool_name_file(t), S_IFDIR);
		}
	}
	tx_toolset_unref(set);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Static texts                                                         */

static int index_text(const struct tx_toolset *set, const char *ns_file,
		      struct fs_text *t)
{
	size_t n = tx_toolset_count(set);
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		const struct tx_tool *tool = tx_toolset_at(set, i);
		const char *sum = tx_tool_summary(tool);
		size_t len = strlen(sum);

		if (ns_file && strcmp(tx_tool_namespace_file(tool), ns_file))
			continue;
		rc = fs_text_printf(t, "%s\t%s", tx_tool_id(tool), sum);
		if (!rc && (!len || sum[len - 1] != '\n'))
			rc = fs_text_add(t, "\n", 1);
	}
	return rc;
}

int fs_static_blob(struct fs *fs, const struct fs_node *n,
		   struct fs_blob **out)
{
	struct tx_toolset *set = NULL;
	const struct tx_tool *tool;
	struct fs_text t = { 0 };
	const char *s = NULL;
	int rc = 0;

	*out = NULL;
	if (n->kind == FS_README) {
		s = fs_readme_text;
	} else if (n->kind == FS_DOC && n->scope == FS_CHAIN) {
		s = fs_chain_doc_text;
	} else {
		set = tx_engine_tools(fs->engine);
		if (!set)
			return -ENOMEM;
		if (n->kind == FS_INDEX || n->kind == FS_NS_INDEX) {
			if (n->kind == FS_NS_INDEX && !ns_exists(set, n->key)) {
				rc = -ENOENT;
				goto out_unref;
			}
			rc = index_text(set, n->kind == FS_NS_INDEX ? n->key :
								      NULL,
					&t);
			if (!rc)
				*out = fs_blob_new(t.p ? t.p : "", t.len);
			fs_text_release(&t);
			goto out_unref;
		}
		tool = tx_toolset_find(set, n->key);
		if (!tool) {
			rc = -ENOENT;
			goto out_unref;
		}
		switch (n->kind) {
		case FS_SUMMARY: s = tx_tool_summary(tool); break;
		case FS_DOC: s = tx_tool_doc(tool); break;
		case FS_SCHEMA: s = tx_tool_schema_text(tool); break;
		case FS_OSCHEMA: s = tx_tool_output_schema_text(tool); break;
		default: break;
		}
		if (!s) {
			rc = -ENOENT;
			goto out_unref;
		}
	}
	*out = fs_blob_new(s, strlen(s));
out_unref:
	tx_toolset_unref(set);
	if (!rc && !*out)
		rc = -ENOMEM;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Invalidation                                                         */

static void jobs_gone(struct fs *fs);

static void *notify_main(void *arg)
{
	struct fs *fs = arg;
	struct timespec sweep;	/* when to look for gone jobs next */

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
		if (!fs->notify_head) {	/* a second went by */
			pthread_mutex_unlock(&fs->notify_lock);
			jobs_gone(fs);
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
				fuse_lowlevel_notify_inval_inode(fs->se,
								 q->ino, 0, 0);
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

struct change_ctx {
	const struct tx_toolset *old, *cur;
	struct fs_notify *head, **tail;
	size_t count;
};

static void queue(struct change_ctx *c, fuse_ino_t ino, const char *name)
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

static bool text_differs(const char *a, const char *b)
{
	if (!a || !b)
		return a != b;
	return strcmp(a, b) != 0;
}

/* Runs with the node table locked: look at one node the kernel knows. */
static void change_node(struct fs *fs, const struct fs_node *n, void *arg)
{
	struct change_ctx *c = arg;
	const struct tx_tool *was, *now;

	(void)fs;
	switch (n->kind) {
	case FS_INDEX:
	case FS_NS_INDEX:
		queue(c, n->ino, NULL);
		break;
	case FS_NS:
		if (n->parent && !ns_exists(c->cur, n->key))
			queue(c, n->parent, n->name);
		break;
	case FS_TOOL:
		was = c->old ? tx_toolset_find(c->old, n->key) : NULL;
		now = tx_toolset_find(c->cur, n->key);
		if (!now) {
			if (n->parent)
				queue(c, n->parent, n->name);
		} else if (!was || tx_tool_version(was) != tx_tool_version(now)) {
			/* The directory's static files are invalidated below;
			 * output_schema may have come or gone. */
			if (text_differs(was ? tx_tool_output_schema_text(was) :
					       NULL,
					 tx_tool_output_schema_text(now)))
				queue(c, n->ino, "output_schema");
		}
		break;
	case FS_SUMMARY:
	case FS_DOC:
	case FS_SCHEMA:
	case FS_OSCHEMA:
		if (n->scope != FS_TOOL)
			break;
		was = c->old ? tx_toolset_find(c->old, n->key) : NULL;
		now = tx_toolset_find(c->cur, n->key);
		if (now && (!was || tx_tool_version(was) != tx_tool_version(now)))
			queue(c, n->ino, NULL);
		break;
	default:
		break;
	}
}

/* Hands what c queued to the notify thread. */
static void enqueue(struct fs *fs, struct change_ctx *c)
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

/* Runs with the node table locked: a jobs/ID whose job is gone. */
static void gone_job(struct fs *fs, const struct fs_node *n, void *arg)
{
	if (n->kind == FS_JOB && n->parent == fs->ino_jobs &&
	    fs_node_valid(fs, n) == -ENOENT)
		queue(arg, n->parent, n->name);
}

/*
 * The kernel keeps the entries of jobs/ID it looked up (and so we keep
 * their nodes) until memory runs short, long after the job was removed
 * (keep policy, rm -r): every clone would cost memory for good.  Drop
 * the entries of jobs that are gone; the kernel then forgets them.
 */
static void jobs_gone(struct fs *fs)
{
	struct change_ctx c = { 0 };

	c.tail = &c.head;
	fs_nodes_foreach(fs, gone_job, &c);
	enqueue(fs, &c);
}

void fs_tools_changed(void *ctx, const struct tx_toolset *old,
		      const struct tx_toolset *cur)
{
	struct fs *fs = ctx;
	struct change_ctx c = { .old = old, .cur = cur };

	c.tail = &c.head;
	if (!fs->notify_running || !cur)
		return;
	fs_nodes_foreach(fs, change_node, &c);
	enqueue(fs, &c);
}
