/*
 * backend.h - the one small interface every backend implements
 * (builtin, exec, mcp, plug-ins), and the kinds through which the
 * engine finds them.
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
#include <stddef.h>

struct tx_backend;
struct tx_job;

struct tx_backend_ops {
	const char *kind; /* "builtin", "exec", "mcp", ... */
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
	/*
	 * Optional, for backends that publish their own tools (a server):
	 * its tools leave the tool set now and it never publishes again,
	 * although its process may take a while to end (shutdown).  Without
	 * it, the engine removes the backend's tool source itself.
	 */
	void (*retire)(struct tx_backend *be);
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

/* ------------------------------------------------------------------ */
/* Kinds: how the engine finds its backends                             */

struct tx_mcp_spec;
struct tx_registry;
struct tx_tool;
struct tx_tool_spec;

/*
 * A kind of backend, as the engine finds it by name.  The engine knows
 * no backend: it asks the table of kinds (tx_backend_kinds) at start-up
 * and whenever the configuration names a kind.  Every member but kind
 * may be NULL; a kind fills in the ways it has of bringing tools.
 */
/*
 * Sign-in of a kind's servers (mcp: MCP authorization), by server name,
 * for the engine's tx_engine_auth_* (the mount's .ctl/auth/ and the
 * toolexec command).  Every function is thread-safe; texts never hold a
 * secret.
 */
struct tx_auth_ops {
	/* The servers that can sign in, sorted; NULL-terminated and
	 * malloc'd (each and the vector), or NULL with errno. */
	char **(*names)(void);
	/* "ok", "expired", "needs-login" or "none"; NULL: no such server. */
	const char *(*status)(const char *ns);
	/* 0 or -errno with err: -ENOENT for no such server. */
	int (*login)(const char *ns, char **url, char *err, size_t errlen);
	int (*code)(const char *ns, const char *text, char *err, size_t errlen);
	int (*token)(const char *ns, const char *token, char *err,
		     size_t errlen);
	/* Where to sign in; why the last step failed ("" when none). */
	void (*hint)(const char *ns, char *buf, size_t len);
	void (*error)(const char *ns, char *buf, size_t len);
};

struct tx_backend_kind {
	const char *kind; /* "builtin", "exec", "mcp", ... */
	/*
	 * The kind's one backend for the engine's life (builtin, exec),
	 * with one reference.  NULL with errno.  The engine shuts it down
	 * and drops it when it goes.
	 */
	struct tx_backend *(*backend_new)(void);
	/*
	 * Tools the backend brings itself (builtin), registered as the
	 * source named after the kind.  *tools is malloc'd, each tool one
	 * reference of the caller's.  0 or -errno.
	 */
	int (*tools)(struct tx_backend *be, struct tx_tool ***tools, size_t *n);
	/*
	 * A tool of a configuration file whose spec names this kind
	 * (exec), run by the kind's backend.  origin: the file.  NULL with
	 * errno and err on a bad spec.
	 */
	struct tx_tool *(*tool_new)(struct tx_backend *be,
				    const struct tx_tool_spec *spec,
				    const char *origin, char *err,
				    size_t errlen);
	/*
	 * A backend per configured server (mcp): it connects on its own
	 * and publishes the server's tools into reg as source
	 * "KIND:NAME".  NULL with errno and err.
	 */
	struct tx_backend *(*server_new)(const struct tx_mcp_spec *spec,
					 struct tx_registry *reg, char *err,
					 size_t errlen);
	/* Waits until a server's first tool listing is in (or failed), at
	 * most timeout_ms.  0 or -errno. */
	int (*server_wait_ready)(struct tx_backend *be, int timeout_ms);
	/* A reload kept the server (its spec is equal as
	 * tx_mcp_spec_equal compares) but spec may differ in what applies
	 * without a restart (roots).  0 or -errno. */
	int (*server_update)(struct tx_backend *be,
			     const struct tx_mcp_spec *spec);
	/* A server that is down (a start failed, or it died) starts again
	 * now instead of after its back-off: an explicit reload asks. */
	void (*server_retry)(struct tx_backend *be);
	/* Sign-in of the kind's servers, or NULL. */
	const struct tx_auth_ops *auth;
};

/*
 * The kinds linked into this program, NULL-terminated, in the order the
 * engine starts them.  Defined outside the engine, by the list of
 * backends (adding a backend is a file of its own and a row there).
 */
const struct tx_backend_kind *const *tx_backend_kinds(void);
/* The kind named kind, or NULL. */
const struct tx_backend_kind *tx_backend_kind_find(const char *kind);

#endif
