/*
 * exec_i.h - private parts of the exec backend shared by exec.c (the
 * backend, tools, argument vectors) and exec_run.c (one call's process:
 * spawn, I/O, kill, result).
 */
#ifndef TX_EXEC_I_H
#define TX_EXEC_I_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine/backend.h"

struct tx_exec_spec;
struct tx_job;

/* A default from the input schema, as its text. */
struct exec_default {
	char *text; /* NULL: the argument has none */
	size_t len;
};

/* An exec tool's backend data: built once, with the tool, and only read
 * by calls. */
struct exec_tool {
	struct tx_exec_spec *spec;         /* a copy; params compiled at load */
	struct exec_default *defaults;     /* spec->argc entries */
	struct exec_default stdin_default; /* TX_STDIN_ARG */
};

struct exec_backend {
	struct tx_backend base;
	pthread_mutex_t lock;
	struct exec_call *calls; /* lock: every call not yet joined */
	unsigned running;        /* lock */
	bool shutting_down;      /* lock */
};

/*
 * One call: everything it needs is copied in at start(), so the thread
 * never touches the tool or the job's arguments.
 */
struct exec_call {
	struct exec_call *next; /* be->lock */
	struct exec_backend *be;
	struct tx_job *job; /* a reference */
	pthread_t thread;
	bool finished; /* be->lock: the thread is done */

	char **argv; /* NULL-terminated, owned */
	char **envp; /* NULL-terminated, owned */
	char *path;  /* resolved program */
	char *cwd;   /* may be NULL */
	char *input; /* stdin bytes; NULL: /dev/null */
	size_t input_len;
	size_t max_output;
	size_t max_stderr;
	unsigned timeout_ms; /* backstop; the engine times out */
	unsigned kill_grace_ms;
	uint64_t success[4]; /* exit statuses that mean success (spec) */

	int wake_fd;      /* eventfd: cancel or shutdown */
	atomic_bool stop; /* cancel or shutdown asked */
};

/* The call's thread (exec_run.c). */
void *tx_exec_run(void *arg);
void tx_exec_call_free(struct exec_call *call);
/* Asks the call to stop (any thread). */
void tx_exec_call_stop(struct exec_call *call);

#endif
