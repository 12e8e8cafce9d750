/*
 * job.h - the job's side that backends and the engine use.  The reader
 * side (state, result, stream, listeners) is in toolexec.h.
 */
#ifndef TX_JOB_H
#define TX_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "toolexecfs/toolexec.h"

struct json_object;
struct tx_tool;

/* Caps on what one job keeps. */
#define TX_STREAM_MAX (4u * 1024 * 1024) /* stream bytes kept */

/*
 * A result under construction.  Backends fill one and hand it to
 * tx_job_complete(), which takes ownership.
 */
struct tx_result;

struct tx_result *tx_result_new(void);
void tx_result_free(struct tx_result *r);
void tx_result_set_is_error(struct tx_result *r, bool is_error);
/* Adds a {"type":"text","text":...} block (copied).  0 or -ENOMEM. */
int tx_result_add_text(struct tx_result *r, const char *text, size_t len);
/* Adds an MCP content block; takes ownership of block. */
int tx_result_add_block(struct tx_result *r, struct json_object *block);
/* Sets structuredContent; takes ownership (NULL clears). */
void tx_result_set_structured(struct tx_result *r, struct json_object *v);

/* The tool the job runs (NULL for a chain); borrowed from the job. */
const struct tx_tool *tx_job_tool(const struct tx_job *job);
/*
 * The parsed arguments.  Owned by the job; once the job is started only
 * the backend reads them (json-c objects are not shared across threads).
 */
struct json_object *tx_job_args(const struct tx_job *job);

/* Per-job backend state, for cancel() to find its work.  */
void tx_job_set_backend_data(struct tx_job *job, void *data);
void *tx_job_backend_data(const struct tx_job *job);

/*
 * The backend runs the call as a task of its own (an MCP task): task_id
 * (copied; only the first non-NULL one is kept) and the task's status as
 * the server last reported it (copied, at most 31 bytes; NULL: unchanged).
 * `status` shows "working" and "input_required" while the job runs.
 */
void tx_job_set_task(struct tx_job *job, const char *task_id,
		     const char *status);

/* Appends output to the stream (capped at TX_STREAM_MAX, then dropped
 * with one note).  Wakes stream listeners. */
void tx_job_output(struct tx_job *job, const char *buf, size_t len);
/* Appends a "progress P/T message" line to the stream. total < 0: none. */
void tx_job_progress(struct tx_job *job, double progress, double total,
		     const char *message);

/*
 * Completes the job with a result (ok, or error when is_error).  Takes
 * ownership of r.  Ignored (r freed) when the job is already final.
 */
void tx_job_complete(struct tx_job *job, struct tx_result *r);
/*
 * Completes the job with a failure without content.  err: positive errno
 * of the table (ETIMEDOUT, ECANCELED, EIO, ...); code: a short word for
 * result.json ("timeout", "backend_failed", ...).  Ignored when final.
 */
void tx_job_fail(struct tx_job *job, int err, const char *code, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

/*
 * A question the backend asks on the job's behalf (MCP elicitation,
 * docs/mcp.md): params is an elicitation/create request's params (only
 * read): "message", and "requestedSchema" (form mode, the default) or
 * "url" ("mode": "url").  The job holds the question open: `status`
 * shows "input_required", the stream says so, and a face answers it
 * (tx_job_question_answer).  fn(ctx, answer) then runs exactly once,
 * outside every lock, on whichever thread resolved it: the answering
 * face's, the engine's timer thread after timeout_ms without an answer
 * (a decline), the thread that made the job final (a cancel), or this
 * one, at once, when the engine has nobody to ask (a decline).  answer
 * is an ElicitResult ({"action": "accept", "content": {...}}, "decline"
 * or "cancel") that fn owns.  fn must not block.
 * Returns 0, or -EINVAL (params unusable: reason in err), -EALREADY
 * (the job is final), -ENOMEM; then fn never runs.
 */
typedef void (*tx_question_fn)(void *ctx, struct json_object *answer);
int tx_job_ask(struct tx_job *job, struct json_object *params,
	       unsigned timeout_ms, tx_question_fn fn, void *ctx, char *err,
	       size_t errlen);

/* True once the job is final (backends may poll it). */
bool tx_job_is_final(const struct tx_job *job);

#endif
