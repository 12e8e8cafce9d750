/*
 * mcp_backend_i.h - the MCP backend's state, shared by its files:
 *
 *   mcp.c        lifecycle: the manager thread, initialize, restarts, and
 *                the backend ops (start, cancel, shutdown, status);
 *   mcp_rpc.c    requests in flight (the pending table), sending, and the
 *                transport callbacks that complete them;
 *   mcp_tools.c  listings page by page; tools/list into registry tools;
 *   mcp_tasks.c  calls that became tasks, and the keep-alive ping;
 *   mcp_resources.c  resources, templates and prompts into the engine's
 *                catalog, reads of them; the roots we give the server.
 *
 * Everything in struct mcp_backend marked "be->mu" is guarded by be->mu,
 * which is never held across I/O or a call into the engine.
 */
#ifndef TX_MCP_BACKEND_I_H
#define TX_MCP_BACKEND_I_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/mcp_i.h"
#include "engine/backend.h"

struct tx_job;
struct tx_registry;

#define BUCKETS          64
#define STDERR_KEEP      8
#define FAILED_AFTER     3 /* consecutive failures: "failed" */
#define BACKOFF_FIRST_MS 500u
#define BACKOFF_MAX_MS   30000u
#define SHORT_LIFE_MS    10000u /* a crash sooner than this is a failure */
#define LIST_PAGES_MAX   1000
#define TOOLS_MAX        10000
#define GARBAGE_LOGGED   10

enum mcp_state { ST_IDLE, ST_CONNECTING, ST_READY, ST_DOWN, ST_STOPPED };

/* CALL: a job's tools/call; SYNC: a request a thread waits for;
 * ASYNC: a request nobody waits for, whose answer goes to a function
 * (queued and sent as calls are, under the same concurrency limit);
 * PING: our keep-alive ping, which nobody waits for; TASK_RESULT and
 * TASK_GET: tasks/result and tasks/get for the task a CALL became
 * (call_id names that CALL, which stays in the table under its own id,
 * the progress token). */
enum pend_kind {
	PEND_CALL,
	PEND_SYNC,
	PEND_PING,
	PEND_TASK_RESULT,
	PEND_TASK_GET,
	PEND_ASYNC
};

/*
 * The answer to an ASYNC request, called exactly once and never with
 * be->mu held: rc 0 with reply (a result or a JSON-RPC error; the
 * function may take what it wants of it), or -errno with err.  Runs on
 * the I/O thread, the manager or the sender: it must not wait.
 */
typedef void tx_mcp_answer_fn(void *ctx, int rc, struct tx_mcp_msg *reply,
			      const char *err);

/* A tool's backend_data. */
struct mcp_tool_data {
	bool task; /* called as a task (execution.taskSupport) */
	char name[];
};

struct mcp_pending {
	struct mcp_pending *next;  /* bucket chain */
	struct mcp_pending *qnext; /* queue of unsent calls */
	int64_t id;
	enum pend_kind kind;
	bool sent;
	struct mcp_conn_ref *conn; /* where it was sent */
	uint64_t deadline;
	unsigned idle_ms;      /* CALL: its timeout, which progress restarts */
	struct tx_job *job;    /* CALL: a reference */
	char *text;            /* CALL: the request, kept for a resend */
	bool resent;           /* CALL: sent again on a new session */
	bool as_task;          /* CALL: sent with params.task */
	char *task_id;         /* CALL: the task the server made of it */
	int64_t result_id;     /* CALL task: its tasks/result request */
	int64_t call_id;       /* TASK_*: the CALL */
	unsigned poll_ms;      /* CALL task: the server's pollInterval */
	uint64_t next_poll;    /* CALL task: when to send tasks/get */
	bool polling;          /* CALL task: a tasks/get in flight */
	char task_status[32];  /* CALL task: its last status */
	unsigned task_ttl_ms;  /* CALL task: the ttl it was given, or 0 */
	uint64_t task_expires; /* CALL task: when the ttl runs out, or 0 */
	tx_mcp_answer_fn *answer; /* ASYNC */
	void *answer_ctx;         /* ASYNC */
	struct tx_mcp_msg reply;  /* SYNC: the answer */
	bool done;                /* SYNC */
	int err;                  /* SYNC: positive errno */
	char errmsg[400];         /* SYNC */
};

/* A connection with a count of the threads using it; the last put
 * moves it to the graveyard, which the manager (or shutdown) reaps:
 * stop() joins the I/O thread, which must not be the caller's. */
struct mcp_conn_ref {
	struct tx_mcp_conn *c;
	int refs;                  /* be->mu */
	struct mcp_conn_ref *next; /* graveyard */
	uint64_t started;
};

struct mcp_backend {
	struct tx_backend handle;
	struct tx_backend core;
	struct tx_mcp_spec *spec;
	struct tx_registry *reg;
	char source[300];
	char where[400];

	pthread_mutex_t mu;
	pthread_cond_t cond; /* any change below; CLOCK_MONOTONIC */
	pthread_t manager;
	bool manager_started;
	bool shut; /* shutdown ran (handle only) */
	/* Serializes publishing the tools with retiring: once retired, the
	 * registry source may belong to a successor of the same name. */
	pthread_mutex_t pub_mu;
	bool retired; /* pub_mu */

	/* be->mu: */
	enum mcp_state state;
	struct mcp_conn_ref *conn;
	struct mcp_conn_ref *graveyard;
	int live_conns;
	bool stopping, want_connect, want_relist;
	bool first_done;
	int first_rc;
	bool lazy_listed; /* a lazy server listed its tools once */
	struct mcp_pending *buckets[BUCKETS];
	struct mcp_pending *qhead, *qtail;
	size_t inflight;
	int64_t next_id;
	unsigned failures;
	uint64_t next_start_at;
	unsigned starts;
	unsigned closes; /* connections lost (on_closed) */
	uint64_t calls, garbage;
	size_t ntools;
	/* Why the last list's tools that are not in the set were left out
	 * (an ID another source holds), for status; NULL: none was. */
	char *left_out;
	char version[32];
	char server_info[160];
	/* What the server declared in its initialize answer. */
	bool cap_tools;         /* "tools": we may list and call them */
	bool cap_tool_tasks;    /* "tasks.requests.tools.call" */
	uint64_t last_activity; /* a call sent or answered, a ping answered */
	int64_t ping_id;        /* our ping in flight, or 0 */
	char *instructions;     /* its "instructions", or NULL (malloc'd) */
	/* mcp_resources.c: its "resources" (with "subscribe") and
	 * "prompts"; a list_changed of either; the roots we answer
	 * roots/list with (absolute paths, NULL-terminated; malloc'd). */
	bool cap_resources, cap_res_subscribe, cap_prompts;
	bool cap_completions; /* "completions": completion/complete */
	bool want_relist_extras;
	char **roots;
	char last_error[512];
	/* Remote servers: the sign-in state (mcp_auth.h); set at creation,
	 * NULL for stdio. */
	struct tx_mcp_auth *auth;
	char stderr_ring[STDERR_KEEP][TX_MCP_STDERR_LINE_MAX + 4];
	unsigned stderr_next, stderr_count;
};

#define from_handle(b)                                                   \
	((struct mcp_backend *)((char *)(b)-offsetof(struct mcp_backend, \
						     handle)))
#define from_core(b) \
	((struct mcp_backend *)((char *)(b)-offsetof(struct mcp_backend, core)))

/* ---- the pending table and connections (be->mu held) --------------- */

void tx_mcp_pend_insert(struct mcp_backend *be, struct mcp_pending *p);
/* Removes and returns the entry for id, or NULL. */
struct mcp_pending *tx_mcp_pend_take(struct mcp_backend *be, int64_t id);
struct mcp_pending *tx_mcp_pend_find(struct mcp_backend *be, int64_t id);
void tx_mcp_queue_remove(struct mcp_backend *be, struct mcp_pending *p);
/* Frees an entry that is in no table (drops its job reference). */
void tx_mcp_pend_free(struct mcp_pending *p);
struct mcp_conn_ref *tx_mcp_conn_get(struct mcp_conn_ref *r);
void tx_mcp_conn_put(struct mcp_backend *be, struct mcp_conn_ref *r);
void tx_mcp_conn_put_unlocked(struct mcp_backend *be, struct mcp_conn_ref *r);
/* Stops and frees the graveyard's connections; drops be->mu meanwhile. */
void tx_mcp_reap_graveyard(struct mcp_backend *be);
/* r is no longer the current connection. */
void tx_mcp_detach(struct mcp_backend *be, struct mcp_conn_ref *r);
void tx_mcp_note_failure(struct mcp_backend *be, const char *why,
			 bool short_lived);
/* Removes requests sent on r (all sent ones when r is NULL): sync
 * waiters are woken with EIO, calls are returned to fail. */
struct mcp_pending *tx_mcp_take_sent_on(struct mcp_backend *be,
					struct mcp_conn_ref *r,
					const char *reason);
/* Calls past their deadline, removed (with a reference on their conn). */
struct mcp_pending *tx_mcp_take_expired(struct mcp_backend *be, uint64_t now);
/* Keep-alive (be->mu held; may drop it meanwhile): sends a ping when the
 * server has been idle for ping_interval_ms, and takes the connection
 * down when the ping fails or goes unanswered for timeout_ms.  Returns
 * how long until it next needs to run (ms). */
uint64_t tx_mcp_keepalive(struct mcp_backend *be, uint64_t now);
/* Tasks (be->mu held; may drop it): sends tasks/get for every task due
 * a poll, and ends the job of a task whose ttl ran out.  Returns how
 * long until the next one is due (ms). */
uint64_t tx_mcp_task_poll(struct mcp_backend *be, uint64_t now);
/* A call sent as a task got m (a result): when it is a CreateTaskResult,
 * the call waits for tasks/result and true (be->mu released); false
 * otherwise (be->mu still held).  p is out of the table. */
bool tx_mcp_task_created(struct mcp_backend *be, struct mcp_pending *p,
			 struct tx_mcp_msg *m);
/* The answer m to the tasks/get p (out of the table, freed here);
 * be->mu held, released. */
void tx_mcp_task_status(struct mcp_backend *be, struct mcp_pending *p,
			struct tx_mcp_msg *m);
/* tasks/cancel for taskId (fire and forget); drops the reference. */
void tx_mcp_send_task_cancel(struct mcp_backend *be, struct mcp_conn_ref *r,
			     const char *task_id, int64_t result_id);

/* ---- sending ------------------------------------------------------ */

struct mcp_outgoing {
	struct mcp_outgoing *next;
	struct mcp_conn_ref *conn; /* a reference */
	char *text;
	int64_t id;
};

/* Moves queued calls onto the wire (be->mu held); send the result with
 * tx_mcp_send_all once the lock is dropped. */
struct mcp_outgoing *tx_mcp_pump(struct mcp_backend *be);
void tx_mcp_send_all(struct mcp_backend *be, struct mcp_outgoing *o);
/* Queues p (a call or an async request, be->mu held) behind the others,
 * wakes the manager when the server is not up, pumps, drops be->mu and
 * sends what the pump took. */
void tx_mcp_queue_unlock(struct mcp_backend *be, struct mcp_pending *p);
void tx_mcp_notify(struct mcp_conn_ref *r, const char *method,
		   struct json_object *params);
/* notifications/cancelled for id; drops the reference on r. */
void tx_mcp_send_cancelled(struct mcp_backend *be, struct mcp_conn_ref *r,
			   int64_t id, const char *reason);
/* A request the caller waits for.  0 with *reply, or -errno and err. */
int tx_mcp_sync_request(struct mcp_backend *be, struct mcp_conn_ref *r,
			const char *method, struct json_object *params,
			unsigned timeout_ms, struct tx_mcp_msg *reply,
			char *err, size_t errlen);
/*
 * Sends method with params (borrowed) as an ASYNC request: queued until
 * the server is ready (starting it when it is not), answered to fn
 * within startup_timeout_ms + timeout_ms.  fn is called exactly once,
 * possibly before this returns.
 */
void tx_mcp_async_request(struct mcp_backend *be, const char *method,
			  struct json_object *params, unsigned timeout_ms,
			  tx_mcp_answer_fn *fn, void *ctx);
/* Fails p: its job (CALL) or its answer function (ASYNC). */
void tx_mcp_pend_fail(struct mcp_pending *p, int err, const char *code,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Fails every call of the list (EIO etc.) and frees the entries. */
void tx_mcp_fail_calls(struct mcp_pending *list, int err, const char *code,
		       const char *name, const char *reason);
/* Removes every queued (unsent) call (be->mu) and returns them put in
 * front of list, to fail. */
struct mcp_pending *tx_mcp_take_queue(struct mcp_backend *be,
				      struct mcp_pending *list);
/* Fails every queued (unsent) call. */
void tx_mcp_fail_queue(struct mcp_backend *be, const char *reason);

/* ---- transport callbacks (struct tx_mcp_conn_cbs) ------------------ */

void tx_mcp_on_message(void *ctx, struct tx_mcp_conn *c, const char *text,
		       size_t len);
void tx_mcp_on_closed(void *ctx, struct tx_mcp_conn *c, const char *reason);
void tx_mcp_on_stderr(void *ctx, struct tx_mcp_conn *c, const char *line);
void tx_mcp_on_request_failed(void *ctx, struct tx_mcp_conn *c, int64_t id,
			      const char *reason, bool session_gone);
void tx_mcp_on_request_denied(void *ctx, struct tx_mcp_conn *c, int64_t id,
			      const char *reason);
bool tx_mcp_awaiting(void *ctx, int64_t id);

/* ---- tools -------------------------------------------------------- */

/* A string member of o, or NULL. */
const char *tx_mcp_str_field(struct json_object *o, const char *key);
/* One page of a listing: arr is the array under the listing's key
 * (borrowed).  0 to go on, or -errno to end the listing with it. */
typedef int tx_mcp_page_fn(void *ctx, struct json_object *arr);
/* Asks method page after page, following nextCursor (at most
 * LIST_PAGES_MAX pages, and not to a cursor it was just given), and
 * hands each page's array under key to fn.  A refusal, or no array
 * under key, ends it with -EIO.  0 or -errno (err). */
int tx_mcp_list_pages(struct mcp_backend *be, struct mcp_conn_ref *r,
		      const char *method, const char *key, tx_mcp_page_fn *fn,
		      void *ctx, char *err, size_t errlen);
/* Lists every page and publishes the tools (unless the backend is
 * retired: -ECANCELED).  0 or -errno (err). */
int tx_mcp_list_tools(struct mcp_backend *be, struct mcp_conn_ref *r, char *err,
		      size_t errlen);

/* ---- resources, prompts, roots (mcp_resources.c) ------------------ */

/* Notes what caps (the initialize answer's capabilities) offer; be->mu
 * held. */
void tx_mcp_extras_caps(struct mcp_backend *be, struct json_object *caps);
/* Adds our client capabilities (roots) to initialize's params. */
int tx_mcp_extras_init_params(struct mcp_backend *be,
			      struct json_object *params);
/* Lists resources, templates and prompts into the catalog.  0 or
 * -errno (err). */
int tx_mcp_list_extras(struct mcp_backend *be, struct mcp_conn_ref *r,
		       char *err, size_t errlen);
/* A server request we answer (roots/list): the reply text (malloc'd),
 * or NULL when it is not ours. */
char *tx_mcp_extras_request(struct mcp_backend *be, struct tx_mcp_msg *m);
/* mcp_elicit.c: elicitation/create as the configuration says: the reply
 * to send now (malloc'd), or NULL when it goes out later (a question
 * for a person) or out of memory. */
char *tx_mcp_elicit_request(struct mcp_backend *be, struct tx_mcp_conn *c,
			    struct tx_mcp_msg *m);
/* mcp_sampling.c: sampling/createMessage: the reply to send now
 * (malloc'd; an error), or NULL when the configured command answers it
 * later, from a thread of its own. */
char *tx_mcp_sampling_request(struct mcp_backend *be, struct tx_mcp_conn *c,
			      struct tx_mcp_msg *m);
/* A notification of ours (list_changed, resources/updated): true when
 * handled. */
bool tx_mcp_extras_notification(struct mcp_backend *be, struct tx_mcp_msg *m);
/* Replaces the roots (a copy; NULL for none) and tells a connected
 * server.  0 or -ENOMEM. */
int tx_mcp_extras_set_roots(struct mcp_backend *be, char *const *roots);
/* The same, when roots differ from the ones in force. */
int tx_mcp_extras_update_roots(struct mcp_backend *be, char *const *roots);
/* The offer leaves the catalog (pub_mu held). */
void tx_mcp_extras_retire(struct mcp_backend *be);
/* Frees what the extras hold (at destroy). */
void tx_mcp_extras_release(struct mcp_backend *be);

#endif
