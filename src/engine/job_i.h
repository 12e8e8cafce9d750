/*
 * job_i.h - the job struct, shared by job.c (state, result, stream,
 * listeners), runner.c (start, timeouts, stats) and engine.c (the table).
 */
#ifndef TX_JOB_I_H
#define TX_JOB_I_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "util/buf.h"
#include "util/clock.h"
#include "engine/engine_i.h"
#include "engine/job.h"

struct tx_engine;

/* Which collection list a listed job is on (jobtab.c). */
enum job_queue {
	JOB_Q_NONE,	/* running, or not listed */
	JOB_Q_FRESH,	/* NEW: expires after job_new_seconds */
	JOB_Q_FINAL,	/* final: kept by job_keep_seconds/job_keep_max */
};

struct job_listener {
	uint64_t id;
	uint64_t stream_off;
	tx_job_event_fn fn;
	void *ctx;
};

struct tx_job {
	atomic_int refs;
	struct tx_engine *engine;	/* outlives every non-final job */
	uint64_t num;
	char id[24];
	char *tool_id;
	const struct tx_tool *tool;	/* a reference */
	struct tx_caller caller;
	bool has_caller;		/* false: made with no caller */

	pthread_mutex_t lock;
	pthread_cond_t cond;		/* final state, listener done */
	enum tx_job_state state;	/* lock */
	struct json_object *args;	/* set once before RUNNING */
	char *args_text;		/* set once before RUNNING */
	void *backend_data;		/* lock */
	bool cancel_sent;		/* lock */
	struct timespec created;	/* CLOCK_REALTIME */
	struct timespec started;
	struct timespec finished;
	uint64_t start_ns;		/* CLOCK_MONOTONIC at start */
	uint64_t deadline_ns;		/* CLOCK_MONOTONIC; 0: none */
	size_t heap_idx;		/* engine timer heap; SIZE_MAX: out */
	uint64_t created_ns;		/* CLOCK_MONOTONIC */
	uint64_t finished_ns;		/* CLOCK_MONOTONIC; set when final */

	/* The engine's job table (engine jobs_lock). */
	bool listed;
	struct job_link by_age;		/* every listed job, oldest first */
	struct job_link in_queue;	/* on the list `queue` names */
	enum job_queue queue;

	/* The outcome: set once under lock when the job turns final. */
	int err;
	struct tx_result *result;	/* may be NULL; read under lock */
	char *code;
	char *path;
	char *message;
	/* The texts readers see, rendered under lock on first demand (most
	 * calls never have result.json read) and never changed after, so
	 * a pointer handed out stays valid while the job lives. */
	bool rendered;			/* lock */
	char *result_text;
	size_t result_len;
	char *envelope_text;
	size_t envelope_len;
	char *error_text;
	size_t error_len;

	struct tx_buf stream;		/* lock */
	bool stream_full;		/* lock */
	struct job_listener *listeners;	/* lock */
	size_t nlisteners;		/* lock */
	uint64_t next_listener;		/* lock */
	uint64_t *firing;		/* lock: IDs whose fn is running */
	size_t nfiring;			/* lock */
};

/*
 * Allocates a NEW job holding a reference on tool (may be NULL for
 * pseudo tools) with one reference for the caller.  job.c.
 */
struct tx_job *tx_job_alloc(struct tx_engine *engine, uint64_t num,
			    const char *tool_id, const struct tx_tool *tool,
			    const struct tx_caller *caller);

/*
 * Makes a job final.  r may be NULL (a failure without content: err,
 * code and message say why).  Returns false (and frees r) when the job
 * was final already.  Runs listeners; tells the engine (timer, stats,
 * log).  job.c.
 */
bool tx_job_finish(struct tx_job *job, enum tx_job_state state, int err,
		   struct tx_result *r, const char *code, const char *path,
		   const char *message);

/*
 * The same for a job still NEW only (a refusal, an expired clone):
 * false, and nothing changes, once the job was started or is final.
 */
bool tx_job_finish_new(struct tx_job *job, enum tx_job_state state, int err,
		       const char *code, const char *message);

/* "fnv1a64:HEX" of the argument text into buf; false while there is
 * none (the job never got arguments).  job.c */
bool tx_job_args_digest(const struct tx_job *job, char *buf, size_t len);

/* The result's parts, for chains.  job.c */
struct json_object *tx_result_structured(struct tx_result *r);

#endif
