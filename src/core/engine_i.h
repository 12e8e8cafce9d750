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

/* A server removed by a reload, whose process is still ending on a
 * thread of its own (engine.c: no reload waits for a server). */
struct engine_retiring;

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

	pthread_mutex_t config_lock;		/* serializes reloads */
	struct engine_file *files;		/* config_lock */
	size_t nfiles;				/* config_lock */
	struct engine_server *servers;		/* config_lock */
	size_t nservers;			/* config_lock */
	pthread_mutex_t retire_lock;
	struct engine_retiring *retiring;	/* retire_lock */
	struct tx_config_watch *watch;

	pthread_mutex_t jobs_lock;
	struct tx_job **jobs;			/* jobs_lock; sorted by num */
	size_t njobs;				/* jobs_lock */
	size_t jobs_cap;			/* jobs_lock */
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

/* runner.c */
int tx_runner_init(struct tx_engine *e);
void tx_runner_stop(struct tx_engine *e);
void tx_runner_release(struct tx_engine *e);
/* A job turned final: take it off the timer, count it. */
void tx_runner_job_done(struct tx_engine *e, struct tx_job *job);
/* Drops finished jobs past the keep limits. */
void tx_runner_gc(struct tx_engine *e);
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
