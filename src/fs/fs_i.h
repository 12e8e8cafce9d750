/*
 * fs_i.h - private declarations shared by the files of the FUSE adapter.
 *
 * src/fs translates the low-level FUSE protocol into calls on the engine
 * facade (toolexecfs/toolexec.h) and nothing else.  The virtual tree is
 * an inode table (inode.c) whose nodes carry an operations table, one per
 * kind of node (struct fs_node_ops, as the kernel has file_operations),
 * and a key (a tool ID, a job ID, a query).  ops.c answers every request
 * through the node's table; each subtree is one file that defines its
 * kinds, and one row of the root's table (root.c) mounts it.
 *
 *   ops.c     the fuse_lowlevel_ops: look up, check, call the node's table
 *   inode.c   the node table, blobs, directory listings
 *   root.c    the root directory: one row per subtree
 *   tools.c   tools/: namespaces, tools, INDEX files, static texts
 *   chain.c   chain/: the chain pseudo tool and its doc
 *   jobs.c    jobs/ and clone
 *   search.c  search/
 *   resources.c  resources/: MCP servers' resources as files
 *   prompts.c prompts/: MCP servers' prompts, a `get` transaction each
 *   elicit.c  jobs/ID/elicit/ and links/, .ctl/pending: the questions
 *             of MCP servers, the resource links of results
 *   ctl.c     .ctl/ and the README
 *   code.c    code/: drop a script to run it; its outputs beside it
 *   runs.c    .runs/ID/: a code run's own view (tools, search, jobs)
 *   call.c    the call file: the three calling ways, outcome files
 *   wait.c    deferred replies, the wait bound, poll
 *   notify.c  kernel cache invalidation when the tool set changes
 *   session.c pid -> session cache, "latest call" index (shell style)
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
#include "util/buf.h"

/* How long the kernel may cache names and attributes, in seconds. */
#define FS_TTL_STATIC 60.0 /* invalidated by notify when tools change */
#define FS_TTL_JOBS   1.0  /* jobs expire without a notification */
#define FS_TTL_SEARCH 0.0  /* a query's hits follow every change */

#define FS_SEARCH_K_DEFAULT 10
#define FS_SEARCH_K_MAX     1000
#define FS_QUERY_MAX        (64 * 1024) /* bytes written to search/query */
#define FS_TEXT_MAX         (64u << 20) /* texts this layer composes */
#define FS_WAIT_MAX_DEFAULT 300         /* seconds a read may stay deferred */

struct fs;
struct fs_node;
struct fs_handle;
struct fs_blob;
struct fs_dirlist;
struct fs_change;

/*
 * What the key of a call file's node names, for call.c: a tool
 * (tools/NS/NAME/, and chain/, the pseudo tool TX_CHAIN_ID), where the
 * call file makes its job, or a job made before by `clone` (jobs/ID/),
 * which the call file only starts.
 */
enum fs_scope {
	FS_TOOL,
	FS_JOB,
};

/* Flags of a kind of node. */
enum {
	/*
	 * A text fixed per tool definition (README, INDEX, summary, doc,
	 * schemas): getattr shows its real size and the kernel keeps its
	 * pages; every other file is 0 bytes long and served with direct_io,
	 * so its size is never guessed.  Needs a `text` op; the subtree
	 * must invalidate it when it changes (`changed`).
	 */
	FS_CACHED = 1u << 0,
	/* Opened by the mount's owner and root only (anyone may see that it
	 * exists): .ctl/log tells of every user's calls, and .ctl/reload
	 * acts on the owner's configuration. */
	FS_OWNER_ONLY = 1u << 2,
	/* The top of a code run's view (.runs/ID/): the node and every
	 * node below it carry the run's number (struct fs_node's `run`),
	 * which names the run the requests on them come from. */
	FS_RUN_VIEW = 1u << 3,
	/* Reachable by any uid on a mount that set allow_other only for
	 * its runs (struct fs's `gated`): the root and .runs/, the way to
	 * a run's view. */
	FS_GATE_OPEN = 1u << 4,
	/* A file whose size its `getattr` knows without reading it (a
	 * resource whose server gave "size"): served without direct_io,
	 * so the kernel reads it through the page cache, which it drops at
	 * every open (no keep_cache). */
	FS_SIZED = 1u << 5,
};

/*
 * The operations of one kind of node.  ops.c handles what every kind
 * shares (the node lookup, the checks in order, the reply, the open
 * file's life) and calls these for what differs; a NULL entry has the
 * default its comment gives.  Handlers follow the layer's conventions:
 * functions returning int give 0 or -errno, void ones reply to req
 * themselves (exactly once, possibly later: wait.c).
 */
struct fs_node_ops {
	/* S_IFDIR, S_IFREG or S_IFLNK and the permission bits.  The bits
	 * say what the ops allow: a file opens for reading when it has
	 * `read`, for writing when it has `write` (t1151 checks). */
	mode_t mode;
	unsigned flags;      /* FS_CACHED, FS_OWNER_ONLY */
	enum fs_scope scope; /* call files: what the key names */
	int which;           /* which of several texts a shared function
				serves (the function says what it means) */
	double entry_ttl;    /* seconds the kernel may keep the name */
	double attr_ttl;     /* ... and the attributes; 0 by default */

	/* ---- every node ---- */
	/* 0, or -ENOENT when the object the key names (a tool, namespace,
	 * job) is gone.  NULL: always there. */
	int (*valid)(struct fs *fs, const struct fs_node *n);
	/* Whether the caller of req may use n at all, checked on every
	 * request that names n whatever the kernel cached: 0 or -EACCES
	 * (-ENOENT: gone).  NULL: anyone. */
	int (*access)(struct fs *fs, fuse_req_t req, const struct fs_node *n);
	/* Adjusts the attributes ops.c filled in from the row (owner,
	 * size).  NULL: nothing to adjust. */
	int (*getattr)(struct fs *fs, const struct fs_node *n, struct stat *st);

	/* ---- directories ---- */
	const struct fs_child *children; /* fixed entries, listing order */
	size_t nchildren;
	/* An entry beyond the fixed ones: its kind and key (malloc'd, or
	 * NULL), or -ENOENT.  NULL: only the fixed entries exist. */
	int (*lookup)(struct fs *fs, const struct fs_node *dir,
		      const char *name, const struct fs_node_ops **ops,
		      char **key);
	/* Every entry but "." and "..", in order.  NULL: the fixed ones
	 * (fs_list_children). */
	int (*readdir)(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		       struct fs_dirlist *l);
	/* Removing an entry of dir.  NULL: EPERM. */
	int (*unlink)(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		      const char *name);
	int (*rmdir)(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		     const char *name);
	/* Creating a file in dir (open with O_CREAT): the kind and key of
	 * the new entry, as `lookup` gives them; ops.c then opens it for
	 * writing through that kind.  NULL: EPERM. */
	int (*create)(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		      const char *name, const struct fs_node_ops **ops,
		      char **key);

	/* ---- symbolic links ---- */
	int (*readlink)(struct fs *fs, const struct fs_node *n, char **target);

	/* ---- files ---- */
	/* The text reads serve, taken once at open (h->blob); with
	 * FS_CACHED also the size getattr shows.  NULL: none. */
	int (*text)(struct fs *fs, const struct fs_node *n,
		    struct fs_blob **out);
	/* More setting up of a new open file, after `text`.  NULL: none. */
	int (*open)(struct fs *fs, fuse_req_t req, struct fs_handle *h);
	/* NULL: not readable (an open for reading fails EACCES). */
	void (*read)(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		     size_t size, off_t off);
	/* NULL: not writable (an open for writing fails EACCES, setattr
	 * EACCES or EPERM). */
	void (*write)(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		      const char *buf, size_t size);
	/* FLUSH, asked for only on write-only opens of a kind that has it
	 * (sparing the round trip elsewhere keeps a transaction cheap).
	 * Returns the errno close() reports, positive as FUSE replies take
	 * it; 0 for none. */
	int (*flush)(struct fs *fs, fuse_req_t req, struct fs_handle *h);
	/* Before the open file is freed.  NULL: nothing to do. */
	void (*release)(struct fs *fs, struct fs_handle *h);
	/*
	 * poll(): POLLIN/POLLOUT ready now, for an open file that holds job
	 * (a reference, or NULL) and has read up to pos; 0 when not ready,
	 * then wait.c wakes the poller when job's stream grows past *off
	 * (UINT64_MAX on entry: when the job ends).  NULL: POLLIN, reading
	 * never blocks.
	 */
	unsigned (*poll)(struct tx_job *job, uint64_t pos, uint64_t *off);

	/* ---- tool set changes ---- */
	/* Queues the kernel notifications that n needs (notify.c), for a
	 * node the kernel knows under tools/ whose tool or namespace the
	 * change names.  NULL: none. */
	void (*changed)(struct fs_change *c, const struct fs_node *n);
};

/* A fixed entry of a directory kind. */
struct fs_child {
	const char *name;
	const struct fs_node_ops *ops;
	unsigned flags; /* FS_CHILD_* */
	/* The key of the entry when its directory has none (chain/ is the
	 * pseudo tool TX_CHAIN_ID); NULL: the directory's key. */
	const char *key;
};

enum {
	/* Part of the fixed skeleton made at mount, never freed (under a
	 * root entry; root entries always are). */
	FS_CHILD_PIN = 1u << 0,
	/* Listed only where its `valid` says it exists (output_schema). */
	FS_CHILD_MAYBE = 1u << 1,
};

/*
 * A node of the virtual tree.  All fields but nlookup are immutable after
 * creation; nlookup and the hash links are under fs->nodes_lock.
 */
struct fs_node {
	fuse_ino_t ino;
	fuse_ino_t parent;
	const struct fs_node_ops *ops; /* its kind */
	bool pinned;      /* part of the fixed skeleton, never freed */
	uint64_t nlookup; /* kernel references (lookup count) */
	char *name;
	char *key; /* tool ID, job ID, namespace file, query */
	/* The code run whose view (.runs/ID/) holds the node, else 0:
	 * requests on it are that run's (FS_RUN_VIEW). */
	uint64_t run;
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
/* The text of b (as tx_buf_detach leaves it: "" when empty) as a blob;
 * b is released.  NULL if out of memory. */
struct fs_blob *fs_blob_from_buf(struct tx_buf *b);

/* A queued kernel notification (tools changed). */
struct fs_notify {
	struct fs_notify *next;
	fuse_ino_t ino; /* inval_inode when name is NULL */
	char *name;     /* inval_entry(ino, name) otherwise */
};

/* A poll registration on a handle (wait.c). */
struct fs_poll;

/* Per open file (fi->fh).  Fields after `lock` are under it. */
struct fs_handle {
	fuse_ino_t ino;
	const struct fs_node_ops *ops; /* the node's kind */
	enum fs_scope scope;           /* ops->scope, for call.c */
	char *key;                     /* copy of the node's key */
	int accmode;                   /* O_RDONLY, O_WRONLY or O_RDWR */
	uint64_t view_run;             /* the node's `run`: calls are its */
	pthread_mutex_t lock;
	struct fs_blob *blob; /* snapshot text served by read */
	bool cached;          /* blob is an FS_CACHED text */
	uint64_t blob_gen;    /* tool-set generation before blob was made */
	struct tx_job *job;   /* the job this handle reads or runs */
	struct tx_argbuf *ab; /* call files: arguments as written */
	struct tx_buf query;  /* search/query: the query as written;
				 code/PROFILE/NAME: the script */
	struct tx_run *run;   /* code/ files: the run they show */
	struct fs_res *res;   /* resources/ files: the resource read */
	struct fs_ask *ask;   /* a server's answer on its way (ask.c) */
	int fd;               /* NAME.work/ files: open beneath /work */
	int failed;           /* errno of a refused write; 0 if none */
	bool checked;         /* complete arguments passed the schema */
	bool started;         /* the handle's call was started */
	uint64_t pos;         /* jobs/ID/stream: read up to here (poll) */
	int64_t base;         /* transaction: the offset read as the answer's
			       * first byte; -1 until the first read */
	struct fs_poll *poll; /* pending poll notification, or NULL */
	uint64_t poll_lid;    /* its listener on poll_job */
	struct tx_job *poll_job;
	struct tx_run *poll_run;       /* ... or on this run (code.c) */
	struct fs_handle *prev, *next; /* fs->handles_lock */
};

/* The mounted file system. */
struct fs {
	struct tx_engine *engine;
	struct fuse_session *se;
	unsigned wait_max; /* seconds; 0 = FS_WAIT_MAX_DEFAULT */
	/*
	 * allow_other was set by the daemon itself, only so that code runs
	 * (other uids) reach their views: every other uid but root and the
	 * owner is refused everywhere else, as without allow_other.
	 */
	bool gated;
	char *mountpoint;     /* absolute; the per-run views are below it */
	struct fs_code *code; /* code.c: the unmount watch */

	pthread_mutex_t nodes_lock;
	struct fs_node **by_ino;  /* nodes_lock */
	struct fs_node **by_name; /* nodes_lock */
	size_t nbuckets;
	fuse_ino_t next_ino; /* nodes_lock */
	size_t nnodes;       /* nodes_lock */

	fuse_ino_t ino_tools; /* tools/, where the tests start */

	/* tools/INDEX as last rendered, and the generation of the tool set
	 * it was rendered from: stat, open and read share one rendering
	 * until the set changes (tools.c). */
	pthread_mutex_t index_lock;
	struct fs_blob *index_blob; /* index_lock */
	uint64_t index_gen;         /* index_lock */

	/* Kernel notifications, sent by their own thread (notify.c). */
	pthread_mutex_t notify_lock;
	pthread_cond_t notify_cond;
	struct fs_notify *notify_head;       /* notify_lock */
	struct fs_notify **notify_tail;      /* notify_lock */
	uint64_t notify_queued, notify_done; /* notify_lock */
	bool notify_stop;                    /* notify_lock */
	bool notify_running;
	pthread_t notify_thread;

	/* Deferred replies (wait.c). */
	pthread_mutex_t waits_lock;
	pthread_cond_t waits_cond;
	struct fs_wait *waits; /* waits_lock: list for the bound */
	bool waits_stop;       /* waits_lock */
	bool timer_running;
	pthread_t timer_thread;

	/* Open files, freed at unmount when no RELEASE came (ops.c). */
	pthread_mutex_t handles_lock;
	struct fs_handle *handles; /* handles_lock */

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
	atomic_long live_handles; /* open files */
	atomic_long live_waits;   /* deferred reads (struct fs_wait) */
	atomic_long live_polls;   /* poll registrations on handles */
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
/* Finds or creates the child and counts one kernel reference on it;
 * run: the node's `run` (fs_node_run_of). */
int fs_node_enter(struct fs *fs, fuse_ino_t parent, const char *name,
		  const struct fs_node_ops *ops, const char *key, uint64_t run,
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

/* A directory listing being built (readdir snapshot). */
struct fs_dirent {
	char *name;
	mode_t type; /* S_IFDIR, S_IFREG, S_IFLNK */
};
struct fs_dirlist {
	struct fs_dirent *v;
	size_t n, cap;
};
int fs_dirlist_add(struct fs_dirlist *l, const char *name, mode_t type);
void fs_dirlist_free(struct fs_dirlist *l);

/* ---- ops.c ---- */
extern const struct fuse_lowlevel_ops fs_ops;
void fs_handles_free_all(struct fs *fs);
/* 0, or what n's `valid` says. */
int fs_node_valid(struct fs *fs, const struct fs_node *n);
/* Lists dir's fixed entries (the default readdir). */
int fs_list_children(struct fs *fs, const struct fs_node *dir,
		     struct fs_dirlist *l);
/* Reads h->blob, the text taken at open (the usual `read`). */
void fs_read_text(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		  size_t size, off_t off);

/* ---- root.c ---- */
extern const struct fs_node_ops fs_root_ops;

/* ---- tools.c ---- */
extern const struct fs_node_ops fs_tools_ops; /* tools/ */
/* The files one calls through in a directory whose key names a tool:
 * tools/NS/NAME/ and chain/. */
extern const struct fs_node_ops fs_tool_call_ops, fs_tool_result_ops,
	fs_tool_result_json_ops, fs_tool_error_ops, fs_tool_status_ops,
	fs_tool_clone_ops, fs_tool_job_ops;

/* ---- chain.c ---- */
extern const struct fs_node_ops fs_chain_ops; /* chain/ */

/* ---- notify.c ---- */
int fs_notify_start(struct fs *fs);
void fs_notify_stop(struct fs *fs);
/* Waits (bounded) until queued notifications were sent. */
void fs_notify_drain(struct fs *fs, int timeout_ms);
/* The engine's tool set listener: asks every node the kernel knows what
 * it needs (its kind's `changed`), then sends that from its thread. */
void fs_tools_changed(void *ctx, const struct tx_toolset *old,
		      const struct tx_toolset *cur);
/* A change of the tool set being looked at. */
struct fs_change {
	const struct tx_toolset *old; /* NULL at the first set */
	const struct tx_toolset *cur;
	struct fs_notify *head, **tail;
	size_t count;
};
/* Queues inval_inode(ino) for the notify thread (any thread). */
void fs_notify_inode(struct fs *fs, fuse_ino_t ino);
/* Queues inval_inode(ino) when name is NULL, else inval_entry. */
void fs_change_queue(struct fs_change *c, fuse_ino_t ino, const char *name);
/* The tool set's generation now. */
uint64_t fs_tools_generation(struct fs *fs);
/* After a read of the cached file ino, served from a blob made at tool-set
 * generation blob_gen: when the set changed since, the kernel forgets
 * what it read.  Takes no handle: RELEASE may have freed it by then. */
void fs_cached_read_done(struct fs *fs, fuse_ino_t ino, uint64_t blob_gen);

/* ---- session.c ---- */
int fs_sessions_init(struct fs *fs);
void fs_sessions_release(struct fs *fs);
/* The caller of a request: uid, pid and (cached) session ID. */
/* The caller of a request on the open file h (NULL: none): a request on
 * a run's view is that run's (tx_run_caller), whoever sends it. */
void fs_caller(struct fs *fs, fuse_req_t req, const struct fs_handle *h,
	       struct tx_caller *c);
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
/* What a read of a job replies. */
enum fs_wait_what {
	FS_WAIT_TX,     /* transaction: result text (fs_tx_offset_locked) */
	FS_WAIT_RESULT, /* result at an offset */
	FS_WAIT_RESULT_JSON, /* result.json at an offset */
	FS_WAIT_ERROR,       /* error at an offset */
	FS_WAIT_STREAM,      /* the job's stream at an offset */
};
/*
 * Defers req until job is final (or its stream grows past off for
 * FS_WAIT_STREAM), then replies as fs_reply_job() would.  Interrupting
 * the request ends the wait with EINTR, or for cancel_on_intr cancels
 * the job and replies its outcome.  Bounded by fs->wait_max (EAGAIN).
 */
void fs_wait_defer(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		   struct tx_job *job, enum fs_wait_what what, size_t size,
		   off_t off, bool cancel_on_intr);
/* Replies to a read from a job that holds (final, or stream data). */
/*
 * A transaction's read at the descriptor offset off: the offset into its
 * answer.  The first read after a call (at whatever offset: N after
 * writing N bytes, 0 after a seek or through pread) reads the answer's
 * first byte; later reads continue from there, and one below that point
 * (a seek back) starts the answer again.  h->lock held.
 */
off_t fs_tx_offset_locked(struct fs_handle *h, off_t off);
/*
 * Query transactions (query.c: search/query, prompts' get): the text one
 * descriptor writes, up to max bytes (EFBIG past it), in as many writes
 * as it takes; the first read calls answer() once, under h->lock, which
 * returns the text to serve in *out or -errno (later reads of the same
 * query get the same errno).  A write after the first read starts anew.
 */
typedef int fs_query_answer_fn(struct fs *fs, struct fs_handle *h,
			       struct fs_blob **out);
int fs_query_open(struct fs_handle *h, size_t max);
/* A query file's `write` (search/query, prompts' get). */
void fs_query_write(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		    const char *buf, size_t size);
void fs_query_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		   size_t size, off_t off, fs_query_answer_fn *answer);
/*
 * The same for a query a server answers (prompts' get): the first read
 * calls start() once, under h->lock, which sends the request with
 * fs_ask_answer as its answer function and a (an fs_ask_engine_ref) as
 * its context; reads until the answer are kept (ask.c), holding no
 * thread.
 */
typedef void fs_query_start_fn(struct fs *fs, struct fs_handle *h,
			       struct fs_ask *a);
void fs_query_read_async(struct fs *fs, fuse_req_t req, struct fs_handle *h,
			 size_t size, off_t off, fs_query_start_fn *start);
unsigned fs_query_poll(struct tx_job *job, uint64_t pos, uint64_t *off);

/*
 * ask.c: reads kept until a server answers one request.  fs_ask_new
 * (which_json: serve the answer's json, not its text) returns the
 * handle's reference; fs_ask_engine_ref another for the engine, which
 * fs_ask_answer (a tx_engine_answer_fn) drops.  fs_ask_keep keeps req
 * (answered at once when the answer is there).  fs_ask_take: whether
 * the answer came, and then it (*blob referenced, or *err).
 */
struct fs_ask;
struct fs_ask *fs_ask_new(bool which_json);
struct fs_ask *fs_ask_engine_ref(struct fs_ask *a);
void fs_ask_unref(struct fs_ask *a);
void fs_ask_answer(void *ctx, int rc, char *text, size_t len, char *json,
		   const char *err);
void fs_ask_keep(struct fs_ask *a, fuse_req_t req, size_t size, off_t off);
bool fs_ask_take(struct fs_ask *a, struct fs_blob **blob, int *err);
void fs_reply_job(fuse_req_t req, struct tx_job *job, enum fs_wait_what what,
		  size_t size, off_t off);
/* Replies size bytes of b from off; b stays referenced for the reply. */
void fs_reply_blob(fuse_req_t req, struct fs_blob *b, size_t size, off_t off);
/*
 * The same for the files of a code run (code.c): defers req until part
 * of run grows past off, or (UINT64_MAX ... the result) the run ends,
 * then replies tx_run_read's bytes from off.  Bounded as above.
 */
void fs_wait_defer_run(struct fs *fs, fuse_req_t req, struct tx_run *run,
		       enum tx_run_part part, size_t size, off_t off);
/*
 * A read of a file that grows (jobs/ID/stream, a code run's outputs):
 * replies what h's run part (h->run, part h->ops->which) or else its
 * job's stream holds from off, or, when there is nothing yet and it has
 * not ended, defers the read until there is (bounded as above).
 */
void fs_read_stream(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		    size_t size, off_t off);
/* poll() support: readiness of h now (its kind's `poll`), registering ph
 * for later. */
void fs_poll(struct fs *fs, fuse_req_t req, struct fs_handle *h,
	     struct fuse_pollhandle *ph);
/* Drops h's poll registration, if any (release, unmount). */
void fs_poll_drop(struct fs *fs, struct fs_handle *h);
/* The live counts of struct fs as text, for the end of .ctl/stats. */
int fs_live_text(struct fs *fs, struct tx_buf *t);

/* ---- call.c: the operations of the files one calls through ---- */
void fs_call_write(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		   const char *buf, size_t size);
int fs_call_flush(struct fs *fs, fuse_req_t req, struct fs_handle *h);
void fs_call_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		  size_t size, off_t off);
unsigned fs_call_poll(struct tx_job *job, uint64_t pos, uint64_t *off);
/* Resolves the job an outcome file of a tool or chain dir shows. */
int fs_outcome_open(struct fs *fs, fuse_req_t req, struct fs_handle *h);
/* result, result.json, error: the row's `which` is an fs_wait_what. */
void fs_outcome_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		     size_t size, off_t off);
unsigned fs_outcome_poll(struct tx_job *job, uint64_t pos, uint64_t *off);
void fs_status_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		    size_t size, off_t off);
void fs_call_release(struct fs *fs, struct fs_handle *h);

/* ---- jobs.c ---- */
extern const struct fs_node_ops fs_jobs_ops; /* jobs/ */
extern const struct fs_node_ops fs_job_ops;  /* jobs/ID/ */
/* Whether uid may see and touch job: its own, or root. */
bool fs_may_touch_job(uid_t uid, const struct tx_job *job);
/* 0 when the caller of req may touch job id; -EACCES; -ENOENT (gone). */
int fs_job_access(struct fs *fs, fuse_req_t req, const char *id);
/* The lookup of jobs/: any job the engine has, as jobs/ID/ (who may
 * touch it is checked on the node); a run's jobs/ uses it too (runs.c),
 * once it knows the run made the job. */
int fs_jobs_lookup(struct fs *fs, const struct fs_node *dir, const char *name,
		   const struct fs_node_ops **ops, char **key);
/* Adds to l the jobs of ids (n of them; the caller frees ids) that a
 * listing shows uid: started ones that uid may touch (0: every one). */
int fs_jobs_list(struct fs *fs, char **ids, size_t n, uid_t uid,
		 struct fs_dirlist *l);
/* Reads `clone` (tools/NS/NAME/ and chain/): one new job per open. */
void fs_clone_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		   size_t size, off_t off);

/* ---- elicit.c ---- */
/* jobs/ID/elicit/ (the questions of MCP servers) and jobs/ID/links/
 * (resource links of the result); .ctl/pending. */
extern const struct fs_node_ops fs_job_elicit_ops, fs_job_links_ops,
	fs_pending_ops;

/* ---- search.c ---- */
extern const struct fs_node_ops fs_search_ops; /* search/ */
int fs_search_init(struct fs *fs);
void fs_search_release(struct fs *fs);

/* ---- resources.c ---- */
extern const struct fs_node_ops fs_resources_ops; /* resources/ */
struct fs_res;
void fs_res_free(struct fs_res *r);
/* The engine's watcher (tx_engine_watch_resources): resource uri of
 * server ns changed. */
void fs_resource_updated(void *ctx, const char *ns, const char *uri);
/*
 * Directories the engine's catalog lists (resources/, prompts/): list is
 * tx_catalog_list or tx_catalog_prompts_list, asked of the catalog as it
 * is now.  fs_catalog_has: 0 when name is an entry of key, -ENOENT when
 * not, or -errno.  fs_catalog_readdir adds key's entries to l, each a
 * directory or a file as the catalog says.
 */
typedef int fs_catalog_list_fn(const struct tx_catalog_set *set,
			       const char *key, struct tx_cat_entry **v,
			       size_t *n);
int fs_catalog_has(struct fs *fs, fs_catalog_list_fn *list, const char *key,
		   const char *name);
int fs_catalog_readdir(struct fs *fs, fs_catalog_list_fn *list, const char *key,
		       struct fs_dirlist *l);

/* ---- prompts.c ---- */
extern const struct fs_node_ops fs_prompts_ops; /* prompts/ */

/* ---- code.c ---- */
extern const struct fs_node_ops fs_code_ops; /* code/ */
/* The unmount watch: runs hold the mount through their binds, so when
 * it leaves our namespace every run is stopped (then the session ends). */
int fs_code_start(struct fs *fs);
void fs_code_stop(struct fs *fs);

/* ---- runs.c ---- */
extern const struct fs_node_ops fs_runs_ops; /* .runs/ */
/* Whether the caller of req may use the view of run `run`: its uid, or
 * root.  0, -EACCES, or -ENOENT (the run is gone). */
int fs_run_view_access(struct fs *fs, fuse_req_t req, uint64_t run);

/* ---- ctl.c ---- */
extern const struct fs_node_ops fs_ctl_ops;    /* .ctl/ */
extern const struct fs_node_ops fs_auth_ops;   /* .ctl/auth/ (auth.c) */
extern const struct fs_node_ops fs_readme_ops; /* README */
void fs_ctl_reload_write(struct fs *fs, fuse_req_t req, size_t size);
extern const char fs_readme_text[];

#endif
