/*
 * code_i.h - the structs of code runs, shared by code.c (runs and their
 * accounting), code_profiles.c (profiles, watchers), code_read.c (what
 * a face reads), code_run.c (starting and ending a run) and
 * code_reap.c (the reaper thread).
 *
 * Locks, outermost first: tx_code.lock, then a run's lock, then a job's
 * lock.  No lock is held while a listener, a watcher, or anything that
 * can end a job runs (ending a job runs its listeners, and the engine's
 * tx_code_job_done, which takes a run's lock).
 */
#ifndef TX_CODE_I_H
#define TX_CODE_I_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/code.h"
#include "sandbox/sandbox.h"
#include "toolexecfs/toolexec.h"
#include "util/buf.h"

struct tx_backend;
struct tx_tool;

/* An immutable set of profiles; runs hold the set they started with, so
 * a reload never changes a run under way. */
struct code_profiles {
	atomic_int refs;
	struct tx_sandbox_profiles *ps;
};

struct run_listener {
	uint64_t id;
	enum tx_run_part part;
	uint64_t off;
	tx_run_event_fn fn;
	void *ctx;
};

/* One job made on behalf of a run. */
struct run_call {
	char job_id[24];
	uint64_t job_num;
	struct tx_job *job; /* a reference until the job is final */
	char *tool_id;
	const char *status; /* static: a job state's name or "refused" */
	bool refused;
	bool quota;        /* refused for max_tool_calls */
	uint64_t start_ns; /* CLOCK_MONOTONIC; 0: never started */
	uint64_t end_ns;
	char *error; /* "code: message", or NULL */
};

enum run_phase {
	RUN_NEW,      /* made; tx_run_start not called */
	RUN_STARTING, /* its job is starting the sandbox */
	RUN_RUNNING,  /* the reaper watches it */
	RUN_ENDED,    /* result rendered; never changes again */
};

/* What the reaper registers in epoll for one descriptor of a run. */
struct reap_tag {
	struct tx_run *run;
	int kind; /* REAP_PID, REAP_OUT, REAP_ERR (code_reap.c) */
};

struct tx_run {
	atomic_int refs;
	struct tx_code *code;
	struct code_profiles *profiles;           /* a reference */
	const struct tx_sandbox_profile *profile; /* in profiles */
	struct tx_job *job;                       /* a reference */
	uint64_t num;                             /* the job's number */
	char *name;
	char *script; /* freed once started */
	size_t script_len;
	char **args;
	size_t nargs;
	struct tx_caller caller; /* who started it */
	uid_t uid;
	gid_t gid;
	bool uid_owned;    /* from tx_sandbox_uid_alloc */
	int work_fd;       /* -1: none */
	char *work_dir;    /* dev: its private directory */
	char language[16]; /* "" until detected */
	/* The view tx_run_start was given, kept until the sandbox starts. */
	struct tx_sandbox_bind *binds;
	size_t nbinds;
	char **env;
	size_t nenv;

	pthread_mutex_t lock;
	pthread_cond_t cond;            /* listener done */
	enum run_phase phase;           /* lock; read unlocked as a hint */
	bool listed;                    /* code lock */
	struct tx_sandbox_run *sb;      /* lock; NULL unless RUNNING */
	bool ending;                    /* lock: code_run_end claimed it */
	bool cancel_asked;              /* lock */
	bool cancel_hard;               /* lock */
	uint64_t start_ns;              /* lock */
	uint64_t ended_ns;              /* lock */
	struct tx_buf out, err;         /* lock */
	struct run_listener *listeners; /* lock */
	size_t nlisteners;              /* lock */
	uint64_t next_listener;         /* lock */
	uint64_t *firing;               /* lock */
	size_t nfiring;                 /* lock */
	struct run_call *calls;         /* lock */
	size_t ncalls;                  /* lock */
	size_t nadmitted;               /* lock */
	size_t nrefused;                /* lock */
	bool quota_hit;                 /* lock */
	char *result_text;              /* set once, lock, when ENDED */
	size_t result_len;

	/* The reaper's (code_reap.c), touched by its thread only once the
	 * run is registered. */
	struct reap_tag tags[3];
	bool out_open, err_open;
	int backstop; /* stages taken */
	uint64_t backstop_ns;
};

struct code_watcher {
	tx_code_event_fn fn;
	void *ctx;
};

struct tx_code {
	struct tx_engine *engine;
	struct tx_backend *backend; /* runs' jobs: "code" */
	const struct tx_tool *tool; /* their pseudo tool */

	pthread_mutex_t lock;
	struct code_profiles *profiles; /* lock */
	uint64_t generation;            /* lock */
	struct tx_run **runs;           /* lock: listed, oldest first */
	size_t nruns;                   /* lock */
	size_t runs_cap;                /* lock */
	struct code_watcher *watchers;  /* lock; only grows */
	size_t nwatchers;               /* lock */

	/* The reaper (code_reap.c). */
	int epfd;
	int evfd; /* wakes the reaper */
	pthread_t reaper;
	bool reaper_started;    /* lock */
	bool stopping;          /* lock */
	struct tx_run **active; /* lock: RUNNING, each a ref */
	size_t nactive;         /* lock */
	size_t active_cap;      /* lock */
};

/* code_profiles.c */
/* Wraps a parsed set (taken, even on failure); NULL when out of memory. */
struct code_profiles *code_profiles_wrap(struct tx_sandbox_profiles *ps);
/* The set in force, with a reference. */
struct code_profiles *code_profiles_get(struct tx_code *c);
void code_profiles_unref(struct code_profiles *p);

/* code.c, code_read.c */
/* Appends output to a part of a running run (and its job's stream) and
 * wakes its listeners.  Any thread but under no lock. */
void code_run_output(struct tx_run *run, enum tx_run_part part, const char *buf,
		     size_t len);
/* Unlocks run (locked by the caller), then runs its listeners that are
 * due. */
void code_run_wake_unlock(struct tx_run *run);
/* Records a final job's outcome in its entry (run lock held). */
void code_call_record(struct run_call *k, struct tx_job *job);
/* Calls every watcher with ev (no lock held). */
void code_notify(struct tx_code *c, enum tx_code_event ev, struct tx_run *run);
/* Forgets ended runs past the keep limits, and ends runs whose job
 * ended before they were started.  The reaper calls it every second. */
void code_gc(struct tx_code *c);
/* True when some listed run waits for code_gc. */
bool code_gc_pending(struct tx_code *c);

/* code_run.c */
/* The backend of runs' jobs: start launches the sandbox. */
struct tx_backend *code_backend_new(struct tx_code *c);
const struct tx_tool *code_tool_new(struct tx_backend *be);
/*
 * Ends a run once: cancels its outstanding tool calls, renders its
 * result from res (NULL: it never ran; error says why), wakes every
 * listener, ends its job, tells the watchers.  Later calls do nothing.
 */
void code_run_end(struct tx_run *run, const struct tx_sandbox_result *res,
		  const char *error);

/* code_reap.c */
/* Starts the reaper thread if it is not running.  0 or -errno. */
int code_reap_start(struct tx_code *c);
/* Watches a run that has just started (takes a reference).  0, or
 * -errno: then the caller ends the run itself. */
int code_reap_add(struct tx_code *c, struct tx_run *run);
/* Wakes the reaper (a new deadline, a run to forget). */
void code_reap_wake(struct tx_code *c);
/* Kills every run it watches, reaps them, stops (bounded). */
void code_reap_stop(struct tx_code *c);

#endif
