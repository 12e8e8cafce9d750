/*
 * fs_i.h - private declarations shared by the files of the FUSE adapter.
 *
 * src/fs translates the low-level FUSE protocol into calls on the engine
 * facade (toolexecfs/toolexec.h) and nothing else.  The virtual tree is
 * an inode table (inode.c) whose nodes carry a kind and a key (a tool ID,
 * a job ID, a query); every request is dispatched on the node's kind.
 *
 *   inode.c   the node table, attributes, the fixed children of a dir
 *   wait.c    deferred replies, the wait bound, poll
 *   session.c pid -> session cache, "latest call" index (shell style)
 *   tools.c   tools/, INDEX files, static texts, invalidation on change
 *   call.c    the call file: the three calling ways, outcome files
 *   jobs.c    jobs/ and clone
 *   search.c  search/
 *   ctl.c     .ctl/, README, chain/doc
 *   ops.c     the fuse_lowlevel_ops table
 *   mount.c   mount, serve, unmount (tx_fs_main)
 */
#ifndef TX_FS_I_H
#define TX_FS_I_H

/*
 * 3.12 at least: below it, fuse_session_loop_mt() takes the old
 * fuse_loop_config_v1 struct, and handing it a config made by
 * fuse_loop_cfg_create() reads max_idle_threads as 0, so libfuse creates
 * a thread for every request and ends it after the reply.
 */
#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "fs/fs.h"
#include "toolexecfs/toolexec.h"

/* How long the kernel may cache names and attributes, in seconds. */
#define FS_TTL_STATIC 60.0	/* invalidated by notify when tools change */
#define FS_TTL_JOBS 1.0		/* jobs expire without a notification */
#define FS_TTL_SEARCH 0.0	/* a query's hits follow every change */

#define FS_SEARCH_K_DEFAULT 10
#define FS_SEARCH_K_MAX 1000
#define FS_QUERY_MAX (64 * 1024)	/* bytes written to search/query */
#define FS_WAIT_MAX_DEFAULT 300		/* seconds a read may stay deferred */

enum fs_kind {
	/* directories */
	FS_ROOT,
	FS_TOOLS,
	FS_NS,
	FS_TOOL,
	FS_JOBS,
	FS_JOB,
	FS_SEARCH,
	FS_QUERY,
	FS_CHAIN,
	FS_CTL,
	/* files */
	FS_README,
	FS_INDEX,	/* tools/INDEX */
	FS_NS_INDEX,	/* tools/NS/INDEX */
	FS_SUMMARY,
	FS_DOC,
	FS_SCHEMA,
	FS_OSCHEMA,
	FS_CALL,
	FS_RESULT,
	FS_RESULT_JSON,
	FS_ERROR,
	FS_STATUS,
	FS_CLONE,
	FS_JTOOL,
	FS_JARGS,
	FS_STREAM,
	FS_CANCEL,
	FS_SEARCH_TX,	/* search/query */
	FS_HIT,		/* search/QUERY/NN-ID symlink */
	FS_RESULTS,
	FS_RESULTS_JSON,
	FS_CTL_VERSION,
	FS_CTL_STATUS,
	FS_CTL_STATS,
	FS_CTL_CONFIG,
	FS_CTL_LOG,
	FS_CTL_RELOAD,
	FS_KIND_COUNT
};

static inline bool fs_kind_is_dir(enum fs_kind k)
{
	return k <= FS_CTL;
}

/* Files whose text is fixed per tool definition: kernel-cacheable. */
static inline bool fs_kind_is_static(enum fs_kind k)
{
	return k == FS_README || k == FS_INDEX || k == FS_NS_INDEX ||
	       k == FS_SUMMARY || k == FS_DOC || k == FS_SCHEMA ||
	       k == FS_OSCHEMA;
}

/*
 * A node of the virtual tree.  All fields but nlookup are immutable after
 * creation; nlookup and the hash links are under fs->nodes_lock.
 */
struct fs_node {
	fuse_ino_t ino;
	fuse_ino_t parent;
	enum fs_kind kind;
	enum fs_kind scope;	/* FS_TOOL, FS_CHAIN or FS_JOB for call files */
	bool pinned;		/* part of the fixed skeleton, never freed */
	uint64_t nlookup;	/* kernel references (lookup count) */
	char *name;
	char *key;		/* tool ID, job ID, namespace file, query */
	struct fs_node *ino_next;
	struct fs_node *name_next;
};

/* Immutable, reference-counted bytes: replies read from one of these. */
struct fs_blob {
	atomic_uint refs;
	size_t len;
	char data[];
};

struct fs_blob *fs_blob_new(const char *data, size_t len);
/* Takes ownership of a malloc'd buffer by copying; NULL if out of memory. */
struct fs_blob *fs_blob_take(char *data, size_t len);
struct fs_blob *fs_blob_ref(struct fs_blob *b);
void fs_blob_unref(struct fs_blob *b);

/* A growable text with a cap; -ENOMEM / -EFBIG past it. */
struct fs_text {
	char *p;
	size_t len, cap, max;
};
int fs_text_add(struct fs_text *t, const char *s, size_t len);
int fs_text_printf(struct fs_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int fs_text_json_string(struct fs_text *t, const char *s);
void fs_text_release(struct fs_text *t);

/* A queued kernel notification (tools changed). */
struct fs_notify {
	struct fs_notify *next;
	fuse_ino_t ino;		/* inval_inode when name is NULL */
	char *name;		/* inval_entry(ino, name) otherwise */
};

/* A poll registration on a handle (wait.c). */
struct fs_poll;

/* Per open file (fi->fh).  Fields after `lock` are under it. */
struct fs_handle {
	fuse_ino_t ino;
	enum fs_kind kind;
	enum fs_kind scope;
	char *key;		/* copy of the node's key */
	int accmode;		/* O_RDONLY, O_WRONLY or O_RDWR */
	pthread_mutex_t lock;
	struct fs_blob *blob;	/* snapshot text served by read */
	struct tx_job *job;	/* the job this handle reads or runs */
	struct tx_argbuf *ab;	/* call files: arguments as written */
	struct fs_text query;	/* search/query: the query as written */
	int failed;		/* errno of a refused write; 0 if none */
	bool checked;		/* complete arguments passed the schema */
	bool started;		/* the handle's call was started */
	uint64_t pos;		/* transaction read position */
	struct fs_poll *poll;	/* pending poll notification, or NULL */
	uint64_t poll_lid;	/* its listener on poll_job */
	struct tx_job *poll_job;
	struct fs_handle *prev, *next;	/* fs->handles_lock */
};

/* The mounted file system. */
struct fs {
	struct tx_engine *engine;
	struct fuse_session *se;
	unsigned wait_max;	/* seconds; 0 = FS_WAIT_MAX_DEFAULT */

	pthread_mutex_t nodes_lock;
	struct fs_node **by_ino;	/* nodes_lock */
	struct fs_node **by_name;	/* nodes_lock */
	size_t nbuckets;
	fuse_ino_t next_ino;		/* nodes_lock */
	size_t nnodes;			/* nodes_lock */

	/* Fixed skeleton inodes. */
	fuse_ino_t ino_tools, ino_jobs, ino_search, ino_chain, ino_ctl;

	/* Kernel notifications, sent by their own thread (tools.c). */
	pthread_mutex_t notify_lock;
	pthread_cond_t notify_cond;
	struct fs_notify *notify_head;	/* notify_lock */
	struct fs_notify **notify_tail;	/* notify_lock */
	uint64_t notify_queued, notify_done;	/* notify_lock */
	bool notify_stop;		/* notify_lock */
	bool notify_running;
	pthread_t notify_thread;

	/* Deferred replies (wait.c). */
	pthread_mutex_t waits_lock;
	pthread_cond_t waits_cond;
	struct fs_wait *waits;		/* waits_lock: list for the bound */
	bool waits_stop;		/* waits_lock */
	bool timer_running;
	pthread_t timer_thread;

	/* Open files, freed at unmount when no RELEASE came (ops.c). */
	pthread_mutex_t handles_lock;
	struct fs_handle *handles;	/* handles_lock */

	/* Shell-style scoping (session.c). */
	struct fs_sessions *sessions;

	/* Search results cache (search.c). */
	struct fs_search_cache *search_cache;

	/*
	 * Live objects of this layer, shown in .ctl/stats.  Each holds a
	 * job reference or a job listener, so a count that does not return
	 * to zero once the files are closed and the readers answered is a
	 * leak.
	 */
	atomic_long live_handles;	/* open files */
	atomic_long live_waits;		/* deferred reads (struct fs_wait) */
	atomic_long live_polls;		/* poll registrations on handles */
};

/* ---- mount.c ---- */
/*
 * The life of a struct fs around its session: fs_start (fs->engine and
 * fs->se set) starts the threads and tables, fs_stop answers every
 * deferred reader and stops the threads (before the engine is freed),
 * fs_release frees what is left (after).
 */
int fs_start(struct fs *fs);
void fs_stop(struct fs *fs);
void fs_release(struct fs *fs);

/* ---- inode.c ---- */
int fs_nodes_init(struct fs *fs);
void fs_nodes_release(struct fs *fs);
/* Finds a node; returns a malloc'd copy of name/key in *copy (free with
 * fs_node_copy_free) so callers work without the table lock. */
int fs_node_get(struct fs *fs, fuse_ino_t ino, struct fs_node *copy);
void fs_node_copy_free(struct fs_node *copy);
/* Finds or creates the child and counts one kernel reference on it. */
int fs_node_enter(struct fs *fs, fuse_ino_t parent, const char *name,
		  enum fs_kind kind, enum fs_kind scope, const char *key,
		  fuse_ino_t *ino);
void fs_node_forget(struct fs *fs, fuse_ino_t ino, uint64_t n);
/* The inode of an existing child, 0 if the kernel has none. */
fuse_ino_t fs_node_child_ino(struct fs *fs, fuse_ino_t parent,
			     const char *name);
/* Calls fn for every node with the table locked (fn must not block). */
void fs_nodes_foreach(struct fs *fs,
		      void (*fn)(struct fs *fs, const struct fs_node *n,
				 void *ctx),
		      void *ctx);

/* The fixed children of directory kinds: name, kind, mode. */
struct fs_child {
	const char *name;
	enum fs_kind kind;
	mode_t mode;
};
const struct fs_child *fs_children(enum fs_kind dir, size_t *n);
/* The mode of a node of kind k in a directory of kind scope. */
mode_t fs_kind_mode(enum fs_kind k, enum fs_kind scope);
/* How long the kernel may keep n's name, and n's attributes. */
double fs_node_ttl(const struct fs_node *n);
double fs_node_attr_ttl(const struct fs_node *n);

/* A directory listing being built (readdir snapshot). */
struct fs_dirent {
	char *name;
	mode_t type;	/* S_IFDIR, S_IFREG, S_IFLNK */
};
struct fs_dirlist {
	struct fs_dirent *v;
	size_t n, cap;
};
int fs_dirlist_add(struct fs_dirlist *l, const char *name, mode_t type);
void fs_dirlist_free(struct fs_dirlist *l);

/* ---- tools.c ---- */
/* 0, or -ENOENT when the node's object (tool, namespace, job) is gone. */
int fs_node_valid(struct fs *fs, const struct fs_node *n);
/* Content of a static file (README, INDEX, summary, doc, schemas). */
int fs_static_blob(struct fs *fs, const struct fs_node *n,
		   struct fs_blob **out);
int fs_tools_lookup(struct fs *fs, const struct fs_node *dir,
		    const char *name, enum fs_kind *kind, char **key);
int fs_tools_list(struct fs *fs, const struct fs_node *dir,
		  struct fs_dirlist *l);
int fs_notify_start(struct fs *fs);
void fs_notify_stop(struct fs *fs);
/* Waits (bounded) until queued notifications were sent. */
void fs_notify_drain(struct fs *fs, int timeout_ms);
void fs_tools_changed(void *ctx, const struct tx_toolset *old,
		      const struct tx_toolset *cur);

/* ---- session.c ---- */
int fs_sessions_init(struct fs *fs);
void fs_sessions_release(struct fs *fs);
/* The caller of a request: uid, pid and (cached) session ID. */
void fs_caller(struct fs *fs, fuse_req_t req, struct tx_caller *c);
/* Remembers job as the latest call of tool_id by c's session and uid. */
void fs_latest_set(struct fs *fs, const char *tool_id,
		   const struct tx_caller *c, const char *job_id);
/* The latest job of tool_id for c's session, else c's uid; NULL if none. */
struct tx_job *fs_latest_get(struct fs *fs, const char *tool_id,
			     const struct tx_caller *c);

/* ---- wait.c ---- */
int fs_waits_start(struct fs *fs);
/* Replies EINTR to every deferred request and stops the timer. */
void fs_waits_stop(struct fs *fs);
enum fs_wait_what {
	FS_WAIT_TX,	/* transaction: result text from h->pos */
	FS_WAIT_OUTCOME,/* result, result.json or error at an offset */
	FS_WAIT_STREAM,	/* the job's stream at an offset */
};
/*
 * Defers req until job is final (or its stream grows past off for
 * FS_WAIT_STREAM), then replies as fs_reply_job() would.  Interrupting
 * the request ends the wait with EINTR, or for cancel_on_intr cancels
 * the job and replies its outcome.  Bounded by fs->wait_max (EAGAIN).
 */
void fs_wait_defer(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		   struct tx_job *job, enum fs_wait_what what,
		   enum fs_kind kind, size_t size, off_t off,
		   bool cancel_on_intr);
/* Replies to a read from a job that holds (final, or stream data). */
void fs_reply_job(fuse_req_t req, struct fs_handle *h, struct tx_job *job,
		  enum fs_wait_what what, enum fs_kind kind, size_t size,
		  off_t off);
/* Replies size bytes of b from off; b stays referenced for the reply. */
void fs_reply_blob(fuse_req_t req, struct fs_blob *b, size_t size, off_t off);
/* poll() support: readiness of h now, registering ph for later. */
void fs_poll(struct fs *fs, fuse_req_t req, struct fs_handle *h,
	     struct fuse_pollhandle *ph);
/* Drops h's poll registration, if any (release, unmount). */
void fs_poll_drop(struct fs *fs, struct fs_handle *h);

/* ---- call.c ---- */
void fs_call_write(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		   const char *buf, size_t size);
int fs_call_flush(struct fs *fs, fuse_req_t req, struct fs_handle *h);
void fs_call_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		  size_t size);
/* Resolves the job an outcome file of a tool or chain dir shows. */
int fs_outcome_open(struct fs *fs, fuse_req_t req, struct fs_handle *h);
void fs_outcome_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		     size_t size, off_t off);
void fs_status_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		    size_t size, off_t off);
void fs_call_release(struct fs *fs, struct fs_handle *h);

/* ---- jobs.c ---- */
int fs_jobs_lookup(struct fs *fs, const struct fs_node *dir,
		   const char *name, enum fs_kind *kind, char **key);
/* The jobs uid may see: its own, or every job for root. */
int fs_jobs_list(struct fs *fs, uid_t uid, const struct fs_node *dir,
		 struct fs_dirlist *l);
/* Whether uid may see and touch job: its own, or root. */
bool fs_may_touch_job(uid_t uid, const struct tx_job *job);
/* 0 when the caller of req may touch job id; -EACCES; -ENOENT (gone). */
int fs_job_access(struct fs *fs, fuse_req_t req, const char *id);
void fs_clone_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		   size_t size, off_t off);
int fs_job_open(struct fs *fs, struct fs_handle *h);
/* Reads jobs/ID/stream; a read with nothing new yet waits for more. */
void fs_stream_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		    size_t size, off_t off);
void fs_cancel_write(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		     size_t size);
int fs_jobs_rmdir(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		  const char *name);

/* ---- search.c ---- */
int fs_search_init(struct fs *fs);
void fs_search_release(struct fs *fs);
int fs_search_lookup(struct fs *fs, const struct fs_node *dir,
		     const char *name, enum fs_kind *kind, char **key);
int fs_search_list(struct fs *fs, const struct fs_node *dir,
		   struct fs_dirlist *l);
int fs_search_blob(struct fs *fs, const struct fs_node *n,
		   struct fs_blob **out);
int fs_search_readlink(struct fs *fs, const struct fs_node *n, char **target);
void fs_search_tx_write(struct fs *fs, fuse_req_t req, struct fs_handle *h,
			const char *buf, size_t size);
void fs_search_tx_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		       size_t size);

/* The live counts above as text, for the end of .ctl/stats. */
int fs_live_text(struct fs *fs, struct fs_text *t);

/* ---- ctl.c ---- */
int fs_ctl_blob(struct fs *fs, enum fs_kind kind, struct fs_blob **out);
void fs_ctl_reload_write(struct fs *fs, fuse_req_t req, size_t size);
extern const char fs_readme_text[];
extern const char fs_chain_doc_text[];

/* ---- ops.c ---- */
extern const struct fuse_lowlevel_ops fs_ops;
void fs_handles_free_all(struct fs *fs);

#endif
