/*
 * elicit.c - the questions an MCP server asks during a call
 * (elicitation), the resource links of its result, and .ctl/pending.
 *
 *   jobs/ID/elicit/N/message   what the server asks
 *   jobs/ID/elicit/N/schema    the form it wants filled in (a form)
 *   jobs/ID/elicit/N/url       the URL to open (URL mode): shown, never
 *                              opened
 *   jobs/ID/elicit/N/answer    write a JSON object to accept, or the
 *                              word decline or cancel; reads back the
 *                              answer once given
 *   jobs/ID/elicit/N/error     why the last answer was refused
 *   jobs/ID/links/NAME         a resource_link of the result: a
 *                              relative symbolic link into resources/
 *   .ctl/pending               every open question the reader may
 *                              answer: job, N, tool, message per line
 *
 * The engine holds the questions (src/engine/elicit.c); an answer is
 * checked there against the requested schema and handed to the backend,
 * which replies to the server: writing an answer never waits for the
 * server.  The answer is taken whole when the file is closed (FLUSH of
 * a write-only open; RELEASE otherwise), so `echo ... > answer` sees a
 * refused answer as close()'s error, EINVAL, and `error` says why.
 *
 * Every node here is its job's, as jobs/ID/ is (jobs.c): the job's
 * owner and root only, checked on each request.  Nothing is cached by
 * the kernel: questions come and are answered without a notification.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANSWER_BUF_MAX (1u << 20)

/* Keys: "ID" (elicit/, links/), "ID/N" (a question and its files),
 * "ID/NAME" (a link).  The job's ID into id; the rest returned. */
static const char *split_key(const char *key, char *id, size_t idlen)
{
	const char *slash = strchr(key, '/');
	size_t n = slash ? (size_t)(slash - key) : strlen(key);

	if (n >= idlen)
		n = idlen - 1;
	memcpy(id, key, n);
	id[n] = '\0';
	return slash ? slash + 1 : "";
}

/* A question's number from a name: decimal, no sign or leading zero. */
static unsigned parse_n(const char *s)
{
	char *end;
	unsigned long v;

	if (s[0] < '1' || s[0] > '9')
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v > UINT_MAX)
		return 0;
	return (unsigned)v;
}

/* The job a key names (a reference), NULL when gone. */
static struct tx_job *key_job(struct fs *fs, const char *key)
{
	char id[32];

	split_key(key, id, sizeof(id));
	return tx_engine_job_get(fs->engine, id);
}

static int el_access(struct fs *fs, fuse_req_t req, const struct fs_node *n)
{
	char id[32];

	split_key(n->key, id, sizeof(id));
	return fs_job_access(fs, req, id);
}

static int el_getattr(struct fs *fs, const struct fs_node *n, struct stat *st)
{
	struct tx_job *job = key_job(fs, n->key);

	if (!job)
		return -ENOENT;
	st->st_uid = tx_job_caller(job)->uid;
	tx_job_unref(job);
	return 0;
}

/* elicit/ and links/ are there while their job is. */
static int job_dir_valid(struct fs *fs, const struct fs_node *n)
{
	struct tx_job *job = key_job(fs, n->key);

	tx_job_unref(job);
	return job ? 0 : -ENOENT;
}

/* A question's text: -ENOENT when the job, the question or (for the
 * row's part) the text is not there. */
static int question_text(struct fs *fs, const char *key,
			 enum tx_question_part part, char **out)
{
	char id[32];
	struct tx_job *job;
	unsigned n;
	int rc;

	*out = NULL;
	n = parse_n(split_key(key, id, sizeof(id)));
	job = tx_engine_job_get(fs->engine, id);
	if (!job)
		return -ENOENT;
	rc = n ? tx_job_question_text(job, n, part, out) : -ENOENT;
	tx_job_unref(job);
	return rc;
}

/* elicit/N/ and its files: there while the question is; schema and url
 * only where the question has one (the row's `which`). */
static int question_valid(struct fs *fs, const struct fs_node *n)
{
	char *t = NULL;
	int rc = question_text(fs, n->key, (enum tx_question_part)n->ops->which,
			       &t);

	free(t);
	return rc;
}

/* Every kind below jobs/ID/ here. */
#define EL_NODE                                             \
	.scope = FS_JOB, .entry_ttl = 0.0, .attr_ttl = 0.0, \
	.access = el_access, .getattr = el_getattr

/* ------------------------------------------------------------------ */
/* elicit/N/ files                                                      */

static int question_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	char *t = NULL;
	int rc;

	(void)req;
	rc = question_text(fs, h->key, (enum tx_question_part)h->ops->which,
			   &t);
	if (rc)
		return rc;
	h->blob = fs_blob_take(t, strlen(t));
	return h->blob ? 0 : -ENOMEM;
}

static int answer_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	int rc = question_open(fs, req, h);

	if (rc)
		return rc;
	tx_buf_init(&h->query, ANSWER_BUF_MAX);
	return 0;
}

static void answer_write(struct fs *fs, fuse_req_t req, struct fs_handle *h,
			 const char *buf, size_t size)
{
	int rc;

	(void)fs;
	pthread_mutex_lock(&h->lock);
	rc = h->started ? -EALREADY : tx_buf_add(&h->query, buf, size);
	pthread_mutex_unlock(&h->lock);
	if (rc == -ENOSPC)
		rc = -EFBIG;
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_write(req, size);
}

/* Hands what the descriptor wrote to the engine, once; a positive errno
 * or 0.  Nothing written (a `touch`, an open for O_TRUNC alone) is no
 * answer. */
static int answer_submit(struct fs *fs, struct fs_handle *h)
{
	char id[32], err[700];
	struct tx_job *job;
	unsigned n;
	int rc;

	pthread_mutex_lock(&h->lock);
	if (h->started || !h->query.len) {
		rc = h->failed;
		pthread_mutex_unlock(&h->lock);
		return rc;
	}
	h->started = true;
	n = parse_n(split_key(h->key, id, sizeof(id)));
	job = tx_engine_job_get(fs->engine, id);
	rc = job ? tx_job_question_answer(job, n, h->query.data, h->query.len,
					  err, sizeof(err))
		 : -ENOENT;
	tx_job_unref(job);
	h->failed = -rc;
	pthread_mutex_unlock(&h->lock);
	return -rc;
}

static int answer_flush(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	(void)req;
	return answer_submit(fs, h);
}

static void answer_release(struct fs *fs, struct fs_handle *h)
{
	answer_submit(fs, h); /* an O_RDWR open has no FLUSH */
}

#define QUESTION_FILE(part) EL_NODE, .which = (part), .valid = question_valid

static const struct fs_node_ops message_ops = {
	.mode = S_IFREG | 0400,
	QUESTION_FILE(TX_QUESTION_MESSAGE),
	.open = question_open,
	.read = fs_read_text,
};

static const struct fs_node_ops schema_ops = {
	.mode = S_IFREG | 0400,
	QUESTION_FILE(TX_QUESTION_SCHEMA),
	.open = question_open,
	.read = fs_read_text,
};

static const struct fs_node_ops url_ops = {
	.mode = S_IFREG | 0400,
	QUESTION_FILE(TX_QUESTION_URL),
	.open = question_open,
	.read = fs_read_text,
};

static const struct fs_node_ops error_ops = {
	.mode = S_IFREG | 0400,
	QUESTION_FILE(TX_QUESTION_ERROR),
	.open = question_open,
	.read = fs_read_text,
};

static const struct fs_node_ops answer_ops = {
	.mode = S_IFREG | 0600,
	QUESTION_FILE(TX_QUESTION_ANSWER),
	.open = answer_open,
	.read = fs_read_text,
	.write = answer_write,
	.flush = answer_flush,
	.release = answer_release,
};

static const struct fs_child question_children[] = {
	{ "message", &message_ops, 0, NULL },
	{ "schema", &schema_ops, FS_CHILD_MAYBE, NULL },
	{ "url", &url_ops, FS_CHILD_MAYBE, NULL },
	{ "answer", &answer_ops, 0, NULL },
	{ "error", &error_ops, 0, NULL },
};

/* `rm -r jobs/ID` walks in here first: unlinking a view changes
 * nothing (as in jobs/ID/, jobs.c). */
static int view_unlink(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		       const char *name)
{
	char id[32];

	(void)name;
	split_key(dir->key, id, sizeof(id));
	return fs_job_access(fs, req, id);
}

/* elicit/N/ */
static const struct fs_node_ops question_ops = {
	.mode = S_IFDIR | 0700,
	EL_NODE,
	.which = TX_QUESTION_MESSAGE,
	.valid = question_valid,
	.children = question_children,
	.nchildren = sizeof(question_children) / sizeof(question_children[0]),
	.unlink = view_unlink,
};

/* ------------------------------------------------------------------ */
/* elicit/                                                              */

static int elicit_lookup(struct fs *fs, const struct fs_node *dir,
			 const char *name, const struct fs_node_ops **ops,
			 char **key)
{
	struct tx_job *job = key_job(fs, dir->key);
	unsigned n = parse_n(name);
	bool there = job && n && n <= tx_job_questions(job);

	tx_job_unref(job);
	if (!there)
		return -ENOENT;
	*ops = &question_ops;
	if (asprintf(key, "%s/%u", dir->key, n) < 0) {
		*key = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int elicit_readdir(struct fs *fs, fuse_req_t req,
			  const struct fs_node *dir, struct fs_dirlist *l)
{
	struct tx_job *job = key_job(fs, dir->key);
	unsigned count;
	int rc = 0;

	(void)req;
	if (!job)
		return -ENOENT;
	count = tx_job_questions(job);
	tx_job_unref(job);
	for (unsigned i = 1; i <= count && !rc; i++) {
		char name[16];

		snprintf(name, sizeof(name), "%u", i);
		rc = fs_dirlist_add(l, name, S_IFDIR);
	}
	return rc;
}

static int view_rmdir(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		      const char *name)
{
	return view_unlink(fs, req, dir, name);
}

/* jobs/ID/elicit/ */
const struct fs_node_ops fs_job_elicit_ops = {
	.mode = S_IFDIR | 0700,
	EL_NODE,
	.valid = job_dir_valid,
	.lookup = elicit_lookup,
	.readdir = elicit_readdir,
	.rmdir = view_rmdir,
};

/* ------------------------------------------------------------------ */
/* links/                                                               */

/* The target of link name of the job id; -ENOENT when none. */
static int link_target(struct fs *fs, const char *id, const char *name,
		       char **target)
{
	struct tx_job *job = tx_engine_job_get(fs->engine, id);
	char **names = NULL, **targets = NULL;
	size_t n = 0;
	int rc;

	*target = NULL;
	if (!job)
		return -ENOENT;
	rc = tx_job_links(job, &names, &targets, &n);
	tx_job_unref(job);
	if (rc)
		return rc;
	rc = -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], name))
			continue;
		*target = strdup(targets[i]);
		rc = *target ? 0 : -ENOMEM;
		break;
	}
	tx_strv_free(names, n);
	tx_strv_free(targets, n);
	return rc;
}

static int link_readlink(struct fs *fs, const struct fs_node *n, char **target)
{
	char id[32];
	const char *name = split_key(n->key, id, sizeof(id));

	return link_target(fs, id, name, target);
}

static int link_valid(struct fs *fs, const struct fs_node *n)
{
	char *t = NULL;
	int rc = link_readlink(fs, n, &t);

	free(t);
	return rc;
}

/* A symbolic link's size is its target's length (lstat, ls -l). */
static int link_getattr(struct fs *fs, const struct fs_node *n, struct stat *st)
{
	char *t = NULL;
	int rc = el_getattr(fs, n, st);

	if (!rc && !(rc = link_readlink(fs, n, &t)))
		st->st_size = (off_t)strlen(t);
	free(t);
	return rc;
}

static const struct fs_node_ops link_ops = {
	.mode = S_IFLNK | 0777,
	.scope = FS_JOB,
	.entry_ttl = 0.0,
	.attr_ttl = 0.0,
	.access = el_access,
	.valid = link_valid,
	.getattr = link_getattr,
	.readlink = link_readlink,
};

static int links_lookup(struct fs *fs, const struct fs_node *dir,
			const char *name, const struct fs_node_ops **ops,
			char **key)
{
	char *t = NULL;
	int rc = link_target(fs, dir->key, name, &t);

	free(t);
	if (rc)
		return rc;
	*ops = &link_ops;
	if (asprintf(key, "%s/%s", dir->key, name) < 0) {
		*key = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int links_readdir(struct fs *fs, fuse_req_t req,
			 const struct fs_node *dir, struct fs_dirlist *l)
{
	struct tx_job *job = key_job(fs, dir->key);
	char **names = NULL, **targets = NULL;
	size_t n = 0;
	int rc;

	(void)req;
	if (!job)
		return -ENOENT;
	rc = tx_job_links(job, &names, &targets, &n);
	tx_job_unref(job);
	for (size_t i = 0; i < n && !rc; i++)
		rc = fs_dirlist_add(l, names[i], S_IFLNK);
	tx_strv_free(names, n);
	tx_strv_free(targets, n);
	return rc;
}

/* jobs/ID/links/ */
const struct fs_node_ops fs_job_links_ops = {
	.mode = S_IFDIR | 0700,
	EL_NODE,
	.valid = job_dir_valid,
	.lookup = links_lookup,
	.readdir = links_readdir,
	.rmdir = view_rmdir,
	.unlink = view_unlink,
};

/* ------------------------------------------------------------------ */
/* .ctl/pending                                                         */

/* The reader's open questions (root: everyone's), taken at open. */
static int pending_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	char *t = tx_engine_pending_text(fs->engine, fuse_req_ctx(req)->uid);

	if (!t)
		return -ENOMEM;
	h->blob = fs_blob_take(t, strlen(t));
	return h->blob ? 0 : -ENOMEM;
}

const struct fs_node_ops fs_pending_ops = {
	.mode = S_IFREG | 0444,
	.entry_ttl = FS_TTL_STATIC,
	.attr_ttl = FS_TTL_STATIC,
	.open = pending_open,
	.read = fs_read_text,
};
