/*
 * backend.h - the one small interface every backend implements
 * (builtin, exec, mcp, plug-ins).
 *
 * The engine sets a job RUNNING and calls ops->start().  The backend
 * then owes the job exactly one completion: tx_job_complete() or
 * tx_job_fail() (job.h), from any thread, possibly before start()
 * returns.  Completions after the job became final (cancelled, timed
 * out) are accepted and dropped, so a backend never needs to race
 * against cancellation.  Backends hold their own job reference
 * (tx_job_ref) for as long as they work on a job.
 */
#ifndef TX_BACKEND_H
#define TX_BACKEND_H

#include <stdatomic.h>

struct tx_backend;
struct tx_job;

struct tx_backend_ops {
	const char *kind;	/* "builtin", "exec", "mcp", ... */
	/*
	 * Starts the call.  0, or -errno: then the engine fails the job
	 * with that errno and the backend owes nothing.
	 */
	int (*start)(struct tx_backend *be, struct tx_job *job);
	/*
	 * The job was cancelled or timed out: stop working on it and
	 * release what it holds (kill its processes, tell the server).
	 * Called at most once per job, from any thread, possibly while
	 * start() still runs on another.  May be NULL.
	 */
	void (*cancel)(struct tx_backend *be, struct tx_job *job);
	/*
	 * Stop all work: end every child process and join every thread.
	 * Idempotent.  After it returns, start() is never called again.
	 * May be NULL.
	 */
	void (*shutdown)(struct tx_backend *be);
	/* Frees the backend; called once, after shutdown. */
	void (*destroy)(struct tx_backend *be);
	/*
	 * Optional: malloc'd text for .ctl/status (one or more lines, each
	 * ending in '\n'), or NULL.
	 */
	char *(*status)(struct tx_backend *be);
};

struct tx_backend {
	const struct tx_backend_ops *ops;
	atomic_int refs;
};

/* Sets ops and one reference.  No allocation. */
void tx_backend_init(struct tx_backend *be, const struct tx_backend_ops *ops);
struct tx_backend *tx_backend_ref(struct tx_backend *be);
/* Drops a reference; the last one calls shutdown (if any) and destroy. */
void tx_backend_unref(struct tx_backend *be);

#endif
