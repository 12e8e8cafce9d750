/*
 * session.c - who is calling: the session of a request's process, and
 * the "latest call" index that scopes shell-style results.
 *
 * Shell style (`echo ARGS > call; cat result`) runs the write and the
 * read in two different processes, so the key that joins them is the
 * session (one terminal, one script run by setsid): `result` shows the
 * latest call of that tool made from the reader's session, else from the
 * reader's user.  FUSE gives us only the pid of each request, so the
 * session comes from getsid(pid), asked at each request: a system call,
 * cheaper than the request itself, and never stale (a process that
 * called setsid() a moment ago is in its new session).
 *
 * The index remembers job IDs, not job references: it never keeps a job
 * alive past the engine's retention, and a forgotten job reads as "no
 * call" (ENODATA).  It is capped; the least recently set entries go.
 *
 * Every key holds the uid: a session is not a user (`sudo -u other cat
 * result`, or `su`, keeps the terminal's session), and one user must
 * never be shown another's result (docs/security.md).  A job found
 * through the index is checked to be the reader's own all the same.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LATEST_BUCKETS 4096
#define LATEST_MAX     16384 /* entries kept (sessions x tools) */

/* The key of an entry: a session of a user, or (sid -1) the user; and
 * the code run the calls are made for (0: none), so a run's calls are
 * never another caller's latest, even a dev run's of its own user. */
struct latest_key {
	uid_t uid;
	pid_t sid;
	uint64_t run;
};

struct latest {
	struct latest *hnext;
	struct latest *older, *newer; /* LRU list, newest at head */
	struct latest_key key;
	char *tool;
	char job[32];
};

struct fs_sessions {
	pthread_mutex_t lock;
	struct latest *buckets[LATEST_BUCKETS]; /* lock */
	struct latest *newest, *oldest;         /* lock */
	size_t count;                           /* lock */
};

int fs_sessions_init(struct fs *fs)
{
	struct fs_sessions *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	fs->sessions = s;
	return 0;
}

void fs_sessions_release(struct fs *fs)
{
	struct fs_sessions *s = fs->sessions;
	struct latest *e, *next;

	if (!s)
		return;
	for (e = s->newest; e; e = next) {
		next = e->older;
		free(e->tool);
		free(e);
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
	fs->sessions = NULL;
}

/* The session of pid as the daemon's PID namespace sees it, or -1 (the
 * process is gone).  0 is a session like any other: the one of
 * processes that never called setsid(), and the one every process shows
 * whose session leader lies outside the daemon's PID namespace (a
 * container's, a CI runner's).  pid may be a thread's ID: FUSE gives
 * the calling thread's. */
static pid_t sid_of(pid_t pid)
{
	pid_t sid = getsid(pid);

	return sid < 0 ? -1 : sid;
}

/*
 * A request on a code run's view (.runs/ID/, which the run sees as
 * /tools, /search and /jobs) is that run's, told by the inode it names
 * and never by the pid (a thread ID in our namespace, reused at will).
 * A run that is gone still names itself, so the engine refuses the call
 * (ESRCH) instead of taking it as an ordinary one.
 */
static void run_caller(struct fs *fs, fuse_req_t req, uint64_t id,
		       struct tx_caller *c)
{
	struct tx_run *run;
	char num[32];

	snprintf(num, sizeof(num), "%" PRIu64, id);
	run = tx_engine_run_find(fs->engine, num);
	memset(c, 0, sizeof(*c));
	if (run) {
		tx_run_caller(run, c);
		tx_run_unref(run);
		return;
	}
	c->uid = fuse_req_ctx(req)->uid;
	c->run = id;
}

void fs_caller(struct fs *fs, fuse_req_t req, const struct fs_handle *h,
	       struct tx_caller *c)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	if (h && h->view_run) {
		run_caller(fs, req, h->view_run, c);
		return;
	}
	c->uid = ctx->uid;
	c->pid = ctx->pid;
	c->sid = -1;
	c->run = 0;
	/* pid 0: the caller is in another pid namespace; scope by uid. */
	if (ctx->pid <= 0)
		return;
	c->sid = sid_of(ctx->pid);
}

static size_t latest_hash(const char *tool, struct latest_key k)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)k.uid ^
		     ((uint64_t)(uint32_t)k.sid << 32) ^ (k.run * 31);

	for (; *tool; tool++)
		h = (h ^ (unsigned char)*tool) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29)) % LATEST_BUCKETS;
}

static struct latest *latest_find_locked(struct fs_sessions *s,
					 const char *tool, struct latest_key k)
{
	struct latest *e = s->buckets[latest_hash(tool, k)];

	while (e && (e->key.uid != k.uid || e->key.sid != k.sid ||
		     e->key.run != k.run || strcmp(e->tool, tool)))
		e = e->hnext;
	return e;
}

static void lru_unlink(struct fs_sessions *s, struct latest *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		s->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		s->oldest = e->newer;
	e->older = e->newer = NULL;
}

static void lru_push(struct fs_sessions *s, struct latest *e)
{
	e->older = s->newest;
	e->newer = NULL;
	if (s->newest)
		s->newest->newer = e;
	s->newest = e;
	if (!s->oldest)
		s->oldest = e;
}

static void evict_oldest_locked(struct fs_sessions *s)
{
	struct latest *e = s->oldest, **p;

	if (!e)
		return;
	lru_unlink(s, e);
	p = &s->buckets[latest_hash(e->tool, e->key)];
	while (*p && *p != e)
		p = &(*p)->hnext;
	if (*p)
		*p = e->hnext;
	free(e->tool);
	free(e);
	s->count--;
}

static void latest_put_locked(struct fs_sessions *s, const char *tool,
			      struct latest_key k, const char *job_id)
{
	struct latest *e = latest_find_locked(s, tool, k);
	size_t h;

	if (!e) {
		if (s->count >= LATEST_MAX)
			evict_oldest_locked(s);
		e = calloc(1, sizeof(*e));
		if (!e)
			return;
		e->tool = strdup(tool);
		if (!e->tool) {
			free(e);
			return;
		}
		e->key = k;
		h = latest_hash(tool, k);
		e->hnext = s->buckets[h];
		s->buckets[h] = e;
		s->count++;
	} else {
		lru_unlink(s, e);
	}
	snprintf(e->job, sizeof(e->job), "%s", job_id);
	lru_push(s, e);
}

void fs_latest_set(struct fs *fs, const char *tool_id,
		   const struct tx_caller *c, const char *job_id)
{
	struct fs_sessions *s = fs->sessions;
	struct latest_key by_sid = { c->uid, c->sid, c->run },
			  by_uid = { c->uid, -1, c->run };

	pthread_mutex_lock(&s->lock);
	if (c->sid >= 0)
		latest_put_locked(s, tool_id, by_sid, job_id);
	latest_put_locked(s, tool_id, by_uid, job_id);
	pthread_mutex_unlock(&s->lock);
}

struct tx_job *fs_latest_get(struct fs *fs, const char *tool_id,
			     const struct tx_caller *c)
{
	struct fs_sessions *s = fs->sessions;
	struct latest_key by_sid = { c->uid, c->sid, c->run },
			  by_uid = { c->uid, -1, c->run };
	struct latest *e = NULL;
	struct tx_job *job;
	char id[32] = "";

	pthread_mutex_lock(&s->lock);
	if (c->sid >= 0)
		e = latest_find_locked(s, tool_id, by_sid);
	if (!e)
		e = latest_find_locked(s, tool_id, by_uid);
	if (e)
		memcpy(id, e->job, sizeof(id));
	pthread_mutex_unlock(&s->lock);
	job = id[0] ? tx_engine_job_get(fs->engine, id) : NULL;
	if (job && (tx_job_caller(job)->uid != c->uid ||
		    tx_job_caller(job)->run != c->run)) {
		tx_job_unref(job);
		job = NULL;
	}
	return job;
}
