/*
 * engine_i.h - the engine struct and the engine's private interfaces,
 * shared by engine.c (life cycle) and engine_config.c (configuration),
 * runner.c (starting, cancelling), jobs.c and jobtab.c (the job table),
 * timer.c (timeouts), stats.c, args.c (checking arguments) and chain.c.
 */
#ifndef TX_ENGINE_I_H
#define TX_ENGINE_I_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "toolexecfs/toolexec.h"

struct json_object;
struct tx_args;
struct tx_audit;
struct tx_code;
struct tx_backend;
struct tx_backend_kind;
struct tx_config_file;
struct tx_config_watch;
struct tx_registry;
struct tx_search_index;
struct tx_tool;

/* One loaded configuration file: its last good plan and what it made. */
struct engine_file {
	char *name;                  /* base name, "tools.json" */
	char *path;                  /* NULL for embedded files */
	struct tx_config_file *plan; /* last good parse; may be NULL */
	char *error;                 /* last error, or NULL */
	/* "ns:name" of each tool of plan, as written (status lists them):
	 * the plan's tools are dropped once built. */
	char **tool_ids;
	size_t ntool_ids;
	/* Why each tool of the plan that is not in the set was left out
	 * ("ID: why" or "ID already defined by SOURCE"), a line each;
	 * NULL: none was. */
	char *left_out;
	/* Some were left out as duplicates: the file is read again at
	 * each reload, after the others, so that a tool comes in once its
	 * rival has left. */
	bool duplicates;
	/* The file as last read: a reload skips a file that has the same
	 * device, inode, size and modification time, unless it was
	 * modified shortly before it was read (engine_config.c). */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	time_t read_at; /* CLOCK_REALTIME seconds */
};

/* The one backend of a kind that has one for the engine's life. */
struct engine_backend {
	const struct tx_backend_kind *kind;
	struct tx_backend *backend;
};

/* One MCP server, running. */
struct engine_server {
	char *name;
	char *file; /* the file that defines it */
	struct tx_mcp_spec *spec;
	struct tx_backend *backend;
};

/* A link of the job table's lists (jobtab.c). */
struct job_link {
	struct job_link *prev, *next; /* NULL when not on a list */
};

/* A circular list with a sentinel (jobtab.c). */
struct job_list {
	struct job_link head;
	size_t n;
};

/*
 * The engine's jobs (jobtab.c), all under jobs_lock.  Lookup by number
 * is a hash; the lists let collection touch only the jobs it removes:
 * finished jobs in the order they ended (the oldest goes first) and
 * never-started ones in the order they were made (they expire).  So a
 * collection costs what it removes, however many jobs run or wait.
 */
struct tx_jobtab {
	struct tx_job **slots;  /* open addressing by num; NULL: free */
	size_t nslots;          /* a power of two, or 0 */
	size_t n;               /* jobs listed */
	struct job_list by_age; /* every job, oldest first */
	struct job_list fresh;  /* NEW jobs, oldest first */
	struct job_list final;  /* final jobs, in the order they ended */
	uint64_t visits;        /* jobs collection looked at (tests) */
};

/* A server removed by a reload, whose process is still ending on a
 * thread of its own (engine.c: no reload waits for a server). */
struct engine_retiring;

struct tool_stats {
	char *id;
	uint64_t calls;
	uint64_t errors;
	uint32_t lat_us[1024]; /* ring of the latest latencies */
	size_t nlat;
};

struct tx_engine {
	struct tx_engine_options opts;
	char *config_dir; /* NULL: embedded */
	/* opts.start_servers copied; NULL: every server. */
	char **start_servers;
	size_t nstart_servers;
	struct tx_registry *registry;
	struct tx_indexer *indexer;      /* the search index (indexer.c) */
	struct engine_backend *backends; /* by kind, in the table's order */
	size_t nbackends;
	struct tx_backend *chain;
	const struct tx_tool *chain_tool;
	struct tx_code *code; /* code runs (code.c) */

	pthread_mutex_t config_lock;   /* serializes reloads */
	struct engine_file *files;     /* config_lock */
	size_t nfiles;                 /* config_lock */
	struct engine_server *servers; /* config_lock */
	size_t nservers;               /* config_lock */
	pthread_mutex_t retire_lock;
	struct engine_retiring *retiring; /* retire_lock */
	struct tx_config_watch *watch;
	struct tx_audit *audit; /* NULL: none */

	pthread_mutex_t jobs_lock;
	struct tx_jobtab jobs; /* jobs_lock */
	uint64_t next_job;     /* jobs_lock */

	pthread_mutex_t timer_lock;
	pthread_cond_t timer_cond;
	struct tx_job **heap;   /* timer_lock; by deadline */
	size_t nheap;           /* timer_lock */
	size_t heap_cap;        /* timer_lock */
	bool stopping;          /* timer_lock */
	uint64_t timer_wake_ns; /* timer_lock; 0: awake */
	pthread_t timer;
	bool timer_started;

	/* Open questions of every job (elicit.c), for .ctl/pending and
	 * their timeouts; each entry holds a job reference. */
	pthread_mutex_t asked_lock;
	struct tx_asked *asked; /* asked_lock */

	pthread_mutex_t stats_lock;
	struct tool_stats *stats; /* stats_lock */
	size_t nstats;            /* stats_lock */
	uint64_t calls_total;     /* stats_lock */
	uint64_t started_ns;
};

/* engine.c: the backends and the servers' ends */
/* The engine's backend of a kind, NULL when the kind has none. */
struct engine_backend *engine_backend_of(struct tx_engine *e, const char *kind);
/* Stops a server (config_lock): its tools leave at once; its process
 * ends here when wait, else on a thread of its own.  Frees s's fields. */
void engine_server_stop(struct tx_engine *e, struct engine_server *s,
			bool wait);

/* engine_config.c: configuration files and their servers (config_lock) */
/* The kind that runs the servers of "mcpServers". */
#define ENGINE_SERVER_KIND "mcp"
void engine_file_release(struct engine_file *f);
/* Re-reads the configuration directory; waits for new servers only
 * when wait.  0 or -errno. */
int engine_reload_dir(struct tx_engine *e, bool wait);
/* The watcher's callback (ctx is the engine): one file changed. */
void engine_on_config_changed(void *ctx, const char *path);
/* Loads the embedded default configuration, waiting for its servers. */
void engine_load_embedded(struct tx_engine *e);

/* jobtab.c; every function but init/release needs jobs_lock. */
void tx_jobtab_init(struct tx_jobtab *t);
/* Frees the table's memory; the caller has dropped every job first. */
void tx_jobtab_release(struct tx_jobtab *t);
/* Lists a NEW job (the table's reference is the caller's to take). */
int tx_jobtab_add(struct tx_jobtab *t, struct tx_job *job);
struct tx_job *tx_jobtab_find(const struct tx_jobtab *t, uint64_t num);
/* Unlists a job; the caller drops the table's reference. */
void tx_jobtab_del(struct tx_jobtab *t, struct tx_job *job);
/* The job left state NEW: it no longer expires. */
void tx_jobtab_started(struct tx_jobtab *t, struct tx_job *job);
/* The job turned final: it joins the finished jobs, newest last. */
void tx_jobtab_finished(struct tx_jobtab *t, struct tx_job *job);
/* The first job on `fresh` or `final`, NULL when empty. */
struct tx_job *tx_jobtab_first_queued(struct job_list *l);
/* Every listed job, oldest first: next_by_age(t, NULL) is the first. */
struct tx_job *tx_jobtab_next_by_age(struct tx_jobtab *t, struct tx_job *job);

/* indexer.c: the search index, kept in step with the tool set off the
 * path of a start or reload.  With behind, a thread of its own applies
 * each change as it comes; without, the next search does. */
struct tx_indexer *tx_indexer_new(bool behind);
void tx_indexer_free(struct tx_indexer *ix);
/* The registry listener (tx_registry_listen_before) that queues what
 * changed; ctx is the indexer. */
void tx_indexer_changed(void *ctx, const struct tx_toolset *old,
			const struct tx_toolset *cur);
/* Applies what is queued: the index then knows every published tool. */
void tx_indexer_sync(struct tx_indexer *ix);
/* tx_engine_search: what is queued first, then the query. */
int tx_indexer_query(struct tx_indexer *ix, const char *query, size_t k,
		     struct tx_search_hit **hits);
/* Indexes one tool as the engine does (its schema parsed again from its
 * text with tok): what tx_search_index_put returns. */
struct tx_search_index;
struct json_tokener;
int tx_indexer_put_tool(struct tx_search_index *idx, const struct tx_tool *t,
			struct json_tokener *tok);

/* jobs.c: the engine's side of the job table (jobs_lock) */
/* Drops finished jobs past the keep limits and expires NEW jobs older
 * than job_new_seconds.  Costs what it removes. */
void tx_jobs_collect(struct tx_engine *e);
/* Jobs listed, and of those the ones not final. */
/*
 * True when the time `then` lies more than limit ns before now.  A
 * `then` after now (read on another thread a moment later) is never
 * past: an unsigned now - then would wrap and call it ancient.
 */
static inline bool tx_age_past(uint64_t now, uint64_t then, uint64_t limit)
{
	return now > then && now - then > limit;
}

/* All jobs listed, those queued or running, and those new (not started). */
void tx_jobs_count(struct tx_engine *e, size_t *jobs, size_t *active,
		   size_t *fresh);
/* Unlists and drops every job (the engine is going). */
void tx_jobs_release(struct tx_engine *e);

/* timer.c: the timer heap and its thread (timer_lock) */
int tx_timer_init(struct tx_engine *e);
/* Stops and joins the timer thread. */
void tx_timer_stop(struct tx_engine *e);
void tx_timer_release(struct tx_engine *e);
/* Puts a RUNNING job on the heap by its deadline.  0 or -ENOMEM. */
int tx_timer_add(struct tx_engine *e, struct tx_job *job);
/* Takes a job off the heap, if it is there. */
void tx_timer_remove(struct tx_engine *e, struct tx_job *job);

/* elicit.c: questions past their time are declined (the timer thread,
 * once a second). */
void tx_elicit_tick(struct tx_engine *e);
/* elicit.c: drops what is left of the list (the engine is going). */
void tx_elicit_release(struct tx_engine *e);

/* stats.c (stats_lock) */
void tx_stats_init(struct tx_engine *e);
void tx_stats_release(struct tx_engine *e);
/* Counts a finished job that had started: calls, errors, latency. */
void tx_stats_count(struct tx_engine *e, const struct tx_job *job);

/* runner.c */
/* What the runner does when a job ends (every job of the engine's). */
struct tx_job_hooks;
extern const struct tx_job_hooks tx_runner_hooks;
int tx_runner_init(struct tx_engine *e);
void tx_runner_stop(struct tx_engine *e);
void tx_runner_release(struct tx_engine *e);
/*
 * Starts a NEW job with parsed arguments, which it takes (*a is empty
 * afterwards, whatever happens).  Validates them unless a->checked is
 * the job's tool.  As tx_job_start otherwise.
 */
int tx_runner_start(struct tx_job *job, struct tx_args *a);
/*
 * Ends a job that is not final (cancel, timeout, a removed tool) and
 * asks its backend to stop.  false when the job was final already.
 */
bool tx_runner_end(struct tx_job *job, enum tx_job_state state, int err,
		   const char *code, const char *message);
/* Makes and lists a NEW job of tool under the ID tool_id, for a tool
 * that is not in the tool set (code runs).  NULL when out of memory. */
struct tx_job *tx_runner_job_new(struct tx_engine *e,
				 const struct tx_tool *tool,
				 const char *tool_id,
				 const struct tx_caller *caller);
/* Fails the non-final jobs of tools that left the tool set. */
void tx_runner_tools_removed(struct tx_engine *e, const struct tx_toolset *old,
			     const struct tx_toolset *cur);

/* chain.c */
struct tx_backend *tx_chain_backend_new(struct tx_engine *e);
const struct tx_tool *tx_chain_tool_new(struct tx_backend *be);
/* Checks every step of a chain's arguments against its tool, and
 * records the tools in a->steps.  0 or -EINVAL with err. */
int tx_chain_check(struct tx_engine *e, struct tx_args *a, char *err,
		   size_t errlen);

#endif
