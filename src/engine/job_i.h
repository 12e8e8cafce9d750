/*
 * job_i.h - the job struct.  job.c owns it: every change of a job's
 * state (NEW -> RUNNING -> final) and of what comes with it (arguments,
 * times, outcome) happens there, under the job's lock.  The rest of the
 * engine reads it and hears of the changes through hooks (struct
 * tx_job_hooks): the runner takes a finished job off the timer, counts
 * it and writes its audit line.  The job table's fields belong to
 * jobtab.c (jobs_lock), heap_idx to timer.c (timer_lock).
 */
#ifndef TX_JOB_I_H
#define TX_JOB_I_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "engine/args.h"
#include "engine/engine_i.h"
#include "engine/job.h"
#include "util/buf.h"
#include "util/clock.h" /* the *_ns fields are tx_now_ns() readings */

struct tx_engine;
struct tx_job;

/*
 * What the engine hears of a job's transitions: job.c calls them, the
 * runner provides them (runner.c).  Either may be NULL.
 */
struct tx_job_hooks {
	/* Under the job's lock as it turns final, before anyone can see
	 * the outcome: whoever reads a result can find its audit line. */
	void (*finishing)(struct tx_engine *e, struct tx_job *job,
			  enum tx_job_state state);
	/* After it turned final and its listeners ran, outside its lock. */
	void (*finished)(struct tx_engine *e, struct tx_job *job);
};

/* A result (job.h): job_result.c builds and renders it; links.c reads
 * it. */
struct tx_result {
	bool is_error;
	struct json_object *content;    /* array of content blocks */
	struct json_object *structured; /* may be NULL */
};

/* Which collection list a listed job is on (jobtab.c). */
enum job_queue {
	JOB_Q_NONE,  /* running, or not listed */
	JOB_Q_FRESH, /* NEW: expires after job_new_seconds */
	JOB_Q_FINAL, /* final: kept by job_keep_seconds/job_keep_max */
};

struct job_listener {
	uint64_t id;
	uint64_t stream_off;
	tx_job_event_fn fn;
	void *ctx;
};

struct tx_job {
	atomic_int refs;
	struct tx_engine *engine;         /* outlives every non-final job */
	const struct tx_job_hooks *hooks; /* lock; NULL once detached */
	uint64_t num;
	char id[24];
	char *tool_id;
	const struct tx_tool *tool; /* a reference */
	struct tx_caller caller;
	bool has_caller; /* false: made with no caller */

	pthread_mutex_t lock;
	pthread_cond_t cond;     /* final state, listener done */
	enum tx_job_state state; /* lock */
	struct tx_args args;     /* lock: set once, as it turns RUNNING */
	void *backend_data;      /* lock */
	/* The task the backend runs the call as (an MCP task), and the
	 * task's last status ("working", "input_required", ...). */
	char *task_id;           /* lock: set once, then never changed */
	char task_status[32];    /* lock */
	bool cancel_sent;        /* lock */
	struct timespec created; /* CLOCK_REALTIME */
	struct timespec started;
	struct timespec finished;
	uint64_t start_ns;    /* CLOCK_MONOTONIC at start */
	uint64_t deadline_ns; /* CLOCK_MONOTONIC; 0: none */
	size_t heap_idx;      /* engine timer heap; SIZE_MAX: out */
	uint64_t created_ns;  /* CLOCK_MONOTONIC */
	uint64_t finished_ns; /* CLOCK_MONOTONIC; set when final */

	/* The engine's job table (engine jobs_lock). */
	bool listed;
	struct job_link by_age;   /* every listed job, oldest first */
	struct job_link in_queue; /* on the list `queue` names */
	enum job_queue queue;

	/* The outcome: set once under lock when the job turns final. */
	int err;
	struct tx_result *result; /* may be NULL; read under lock */
	char *code;
	char *path;
	char *message;
	/* The texts readers see, rendered under lock on first demand (most
	 * calls never have result.json read) and never changed after, so
	 * a pointer handed out stays valid while the job lives. */
	bool rendered; /* lock */
	char *result_text;
	size_t result_len;
	char *envelope_text;
	size_t envelope_len;
	char *error_text;
	size_t error_len;

	/* Questions the backend asked (elicit.c), oldest first; the list
	 * only grows while the job lives, so a question's number is its
	 * place in it.  open_questions: those not answered yet. */
	struct tx_question *questions; /* lock */
	unsigned nquestions;           /* lock */
	atomic_uint open_questions;

	struct tx_buf stream;           /* lock */
	bool stream_full;               /* lock */
	struct job_listener *listeners; /* lock */
	size_t nlisteners;              /* lock */
	uint64_t next_listener;         /* lock */
	uint64_t *firing;               /* lock: IDs whose fn is running */
	size_t nfiring;                 /* lock */
};

/*
 * Allocates a NEW job holding a reference on tool (may be NULL for
 * pseudo tools) with one reference for the caller.  hooks (may be NULL)
 * hear of its transitions with engine.  job.c.
 */
struct tx_job *tx_job_alloc(struct tx_engine *engine,
			    const struct tx_job_hooks *hooks, uint64_t num,
			    const char *tool_id, const struct tx_tool *tool,
			    const struct tx_caller *caller);

/* elicit.c: the job turned final: its open questions are answered
 * "cancel" (outside its lock). */
void tx_job_questions_end(struct tx_job *job);
/* elicit.c: frees the questions of a job nobody holds any more. */
void tx_job_questions_free(struct tx_job *job);
/* The engine is going: the job calls no more hooks.  job.c */
void tx_job_detach(struct tx_job *job);

/*
 * NEW -> RUNNING, in one step under the job's lock: the job takes the
 * arguments (*a is empty afterwards) and records its start and its
 * deadline, timeout_ms from now.  -EALREADY (and *a untouched) when the
 * job is not NEW: the first start wins.  job.c.
 */
int tx_job_begin(struct tx_job *job, struct tx_args *a, unsigned timeout_ms);

/*
 * True exactly once, for a job that was started: its backend's cancel()
 * is due (the job ended by cancel, timeout or tool removal).  job.c.
 */
bool tx_job_cancel_due(struct tx_job *job);

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

/* job_result.c and job.c: a time in milliseconds, for the timings of
 * result.json and the duration a job's stream ends with. */
static inline double tx_timespec_ms(const struct timespec *a)
{
	return (double)a->tv_sec * 1000.0 + (double)a->tv_nsec / 1e6;
}

/* "fnv1a64:HEX" of the argument text into buf; false while there is
 * none (the job never got arguments).  job_result.c */
bool tx_job_args_digest(const struct tx_job *job, char *buf, size_t len);

/*
 * The result.json envelope of a final job as a new object of the
 * caller's (deep copies: nothing is shared with the job), so that a
 * chain hands its steps' outcomes on without printing and parsing them.
 * NULL while the job is not final, or out of memory.  job_result.c
 */
struct json_object *tx_job_envelope_object(const struct tx_job *job);

#endif
