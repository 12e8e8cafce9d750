/*
 * engine_i.h - the engine struct, shared by engine.c (life cycle,
 * configuration), runner.c (calls, timer, stats) and chain.c.
 */
#ifndef TX_ENGINE_I_H
#define TX_ENGINE_I_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "toolexecfs/toolexec.h"

struct json_object;
struct tx_audit;
struct tx_code;
struct tx_backend;
struct tx_config_file;
struct tx_config_watch;
struct tx_registry;
struct tx_search_index;
struct tx_tool;

/* One loaded configuration file: its last good plan and what it made. */
struct engine_file {
	char *name;			/* base name, "tools.json" */
	char *path;			/* NULL for embedded files */
	struct tx_config_file *plan;	/* last good parse; may be NULL */
	char *error;			/* last error, or NULL */
};

/* One MCP server, running. */
struct engine_server {
	char *name;
	char *file;			/* the file that defines it */
	struct tx_mcp_spec *spec;
	struct tx_backend *backend;
};

/* A link of the job table's lists (jobtab.c). */
struct job_link {
	struct job_link *prev, *next;	/* NULL when not on a list */
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
	struct tx_job **slots;		/* open addressing by num; NULL: free */
	size_t nslots;			/* a power of two, or 0 */
	size_t n;			/* jobs listed */
	struct job_list by_age;		/* every job, oldest first */
	struct job_list fresh;		/* NEW jobs, oldest first */
	struct job_list final;		/* final jobs, in the order they ended */
	uint64_t visits;		/* jobs collection looked at (tests) */
};

struct tool_stats {
	char *id;
	uint64_t calls;
	uint64_t errors;
	uint32_t lat_us[1024];		/* ring of the latest latencies */
	size_t nlat;
};

struct tx_engine {
	struct tx_engine_options opts;
	char *config_dir;			/* NULL: embedded */
	struct tx_registry *registry;
	struct tx_search_index *search;
	struct tx_backend *builtin;
	struct tx_backend *exec;
	struct tx_backend *chain;
	const struct tx_tool *chain_tool;
	struct tx_code *code;			/* code runs (code.c) */

	pthread_mutex_t config_lock;		/* serializes reloads */
	struct engine_file *files;		/* config_lock */
	size_t nfiles;				/* config_lock */
	struct engine_server *servers;		/* config_lock */
	size_t nservers;			/* config_lock */
	struct tx_config_watch *watch;
	struct tx_audit *audit;			/* NULL: none */

	pthread_mutex_t jobs_lock;
	struct tx_jobtab jobs;			/* jobs_lock */
	uint64_t next_job;			/* jobs_lock */

	pthread_mutex_t timer_lock;
	pthread_cond_t timer_cond;
	struct tx_job **heap;			/* timer_lock; by deadline */
	size_t nheap;				/* timer_lock */
	size_t heap_cap;			/* timer_lock */
	bool stopping;				/* timer_lock */
	uint64_t timer_wake_ns;			/* timer_lock; 0: awake */
	pthread_t timer;
	bool timer_started;

	pthread_mutex_t stats_lock;
	struct tool_stats *stats;		/* stats_lock */
	size_t nstats;				/* stats_lock */
	uint64_t calls_total;			/* stats_lock */
	uint64_t started_ns;
};

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
struct tx_job *tx_jobtab_next_by_age(struct tx_jobtab *t,
				     struct tx_job *job);

/* runner.c */
int tx_runner_init(struct tx_engine *e);
void tx_runner_stop(struct tx_engine *e);
void tx_runner_release(struct tx_engine *e);
/* Makes and lists a NEW job of tool under the ID tool_id, for a tool
 * that is not in the tool set (code runs).  NULL when out of memory. */
struct tx_job *tx_runner_job_new(struct tx_engine *e,
				 const struct tx_tool *tool,
				 const char *tool_id,
				 const struct tx_caller *caller);
/* A job turned final: take it off the timer, count it. */
void tx_runner_job_done(struct tx_engine *e, struct tx_job *job);
/* Drops finished jobs past the keep limits and expires NEW jobs older
 * than job_new_seconds.  Costs what it removes. */
void tx_runner_gc(struct tx_engine *e);
/* Jobs listed, and of those the ones not final. */
void tx_runner_job_counts(struct tx_engine *e, size_t *jobs, size_t *active);
/* Fails the non-final jobs of tools that left the tool set. */
void tx_runner_tools_removed(struct tx_engine *e,
			     const struct tx_toolset *old,
			     const struct tx_toolset *cur);

/* chain.c */
struct tx_backend *tx_chain_backend_new(struct tx_engine *e);
const struct tx_tool *tx_chain_tool_new(struct tx_backend *be);
int tx_chain_check(struct tx_engine *e, struct json_object *args, char *err,
		   size_t errlen);

#endif
