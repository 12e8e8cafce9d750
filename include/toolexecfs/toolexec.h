/*
 * toolexec.h - the toolexecfs engine facade.
 *
 * Everything a user can do goes through these calls; the FUSE layer
 * (src/fs) and the toolexec command (src/cli) only translate.  No FUSE
 * header is needed to use the engine.
 *
 * Conventions: functions that act return 0 or -errno; constructors return
 * NULL and set errno; predicates return bool.  Text for humans comes back
 * in a caller-provided `err` buffer.  `const char *` returns are borrowed:
 * they stay valid while the caller holds a reference on the object that
 * returned them.  Every function here is thread-safe unless it says not.
 */
#ifndef TOOLEXECFS_TOOLEXEC_H
#define TOOLEXECFS_TOOLEXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TX_VERSION "0.1.0"

/* Limits shared by both faces. */
#define TX_ARGS_MAX       (1024 * 1024) /* bytes of call arguments */
#define TX_JSON_DEPTH_MAX 64            /* nesting of call arguments */
#define TX_NAME_MAX       255           /* bytes in one file name */

/* The pseudo tool that runs chains (DESIGN 2.6). */
#define TX_CHAIN_ID "chain"

struct tx_engine;
struct tx_toolset;
struct tx_tool;
struct tx_job;
struct tx_argbuf;

/* ------------------------------------------------------------------ */
/* Engine                                                               */

struct tx_engine_options {
	const char *config_dir;    /* NULL: the embedded default */
	bool watch;                /* follow config_dir with inotify */
	unsigned job_keep_seconds; /* finished jobs kept; 0: 600 */
	unsigned job_keep_max;     /* finished jobs kept; 0: 1000 */
	/* A job nobody started (a clone) expires after this many seconds:
	 * it ends as cancelled, code "expired", and leaves the table.
	 * 0: 600. */
	unsigned job_new_seconds;
	/* The audit log (docs/audit.md): one JSON line per finished call
	 * appended to this file, which is renamed to PATH.1 when the next
	 * line would take it past audit_log_max bytes (0: 16 MiB; at least
	 * 4096).  NULL: no audit log.  tx_engine_new fails when the file
	 * cannot be opened for appending. */
	const char *audit_log;
	size_t audit_log_max;
	bool log_stderr; /* also print log lines on stderr */
	/* Wait at start-up for lazy MCP servers' tool lists too (a one-shot
	 * command needs them; a mount does not wait). */
	bool wait_lazy;
	/* Start only the MCP servers named here (NULL-terminated; an empty
	 * list starts none): a one-shot command that calls one tool needs
	 * only that tool's server (its namespace).  The others are left out
	 * as if not configured.  Copied.  NULL: start every server. */
	const char *const *start_servers;
	/* The sandbox helper of code runs; NULL: "toolexec-sandbox" beside
	 * the running executable. */
	const char *sandbox_helper;
	/* Nobody can answer the questions of MCP servers whose
	 * "elicitation" is "ask" (a one-shot command): each is declined as
	 * it is asked, with a warning in the log. */
	bool nobody_to_ask;
	/* Index the tools for search on a thread of its own after each
	 * change (a mount): the start or reload is done before its tools
	 * are indexed, and a search waits for what is left.  false: the
	 * first search indexes them (a one-shot command that does not
	 * search never does). */
	bool index_behind;
	/* Threads that read configuration files at a load or reload, this
	 * one among them.  0: one per CPU the process may run on, at most
	 * 8.  A process that keeps to one malloc arena wants 1: loaders
	 * sharing an arena wait on its lock, slower than one alone. */
	unsigned load_threads;
};

/*
 * Builds an engine: loads the configuration (bad files are logged and
 * skipped, never fatal), registers the built-in tools, starts MCP servers
 * that are not lazy, and the config watcher when asked.  Returns NULL and
 * writes a reason into err only when nothing can work (no memory, the
 * configuration directory cannot be read).  Free with tx_engine_free().
 */
struct tx_engine *tx_engine_new(const struct tx_engine_options *opts, char *err,
				size_t errlen);

/* Cancels every job, stops every backend and child process, frees. */
void tx_engine_free(struct tx_engine *engine);

/*
 * Re-reads the configuration directory now (the watcher does this too).
 * Never waits for an MCP server: new ones start in the background and
 * removed ones end in the background; tx_engine_status_text() shows
 * them "starting" and "stopping" meanwhile.  Servers that are down (a
 * failed start, a crash) start again at once instead of after their
 * back-off.
 */
int tx_engine_reload(struct tx_engine *engine);

/* ------------------------------------------------------------------ */
/* Tools                                                                */

/*
 * Tool sets are immutable snapshots: a change of the tool set (reload,
 * MCP list_changed) builds a new set and swaps it in atomically.  Taking
 * a snapshot never blocks another reader.
 */
struct tx_toolset *tx_engine_tools(struct tx_engine *engine); /* ref'd */
void tx_toolset_unref(struct tx_toolset *set);
/* Increases with every change of the tool set. */
uint64_t tx_toolset_generation(const struct tx_toolset *set);
size_t tx_toolset_count(const struct tx_toolset *set);
/* Tools sorted by ID, so a namespace's tools are contiguous. */
const struct tx_tool *tx_toolset_at(const struct tx_toolset *set, size_t i);
/* NULL when absent.  Borrowed from the set. */
const struct tx_tool *tx_toolset_find(const struct tx_toolset *set,
				      const char *id);
/* The tool tool_id names, TX_CHAIN_ID included (the chain is in no
 * set): a reference, or NULL when there is none. */
const struct tx_tool *tx_engine_find_tool(struct tx_engine *engine,
					  const char *tool_id);
/*
 * What changed from the set before: the tools of set that it did not
 * hold (new or redefined), and the tools it held that set does not (gone
 * or redefined), each sorted by ID and borrowed from set.  A listener
 * (tx_engine_watch_tools) reads these to cost what changed.
 */
size_t tx_toolset_added_count(const struct tx_toolset *set);
const struct tx_tool *tx_toolset_added(const struct tx_toolset *set, size_t i);
size_t tx_toolset_removed_count(const struct tx_toolset *set);
const struct tx_tool *tx_toolset_removed(const struct tx_toolset *set,
					 size_t i);
/* True when a tool of set has the namespace whose file name is ns_file. */
bool tx_toolset_has_namespace(const struct tx_toolset *set,
			      const char *ns_file);
/* The tools of that namespace are tx_toolset_at(set, *first + k) for k
 * below the count returned (0 when none). */
size_t tx_toolset_namespace_range(const struct tx_toolset *set,
				  const char *ns_file, size_t *first);
/* Finds by namespace and *encoded* file name (see tx_name_encode). */
const struct tx_tool *tx_toolset_find_file(const struct tx_toolset *set,
					   const char *ns_file,
					   const char *name_file);

/* A tool outlives the set that holds it while referenced. */
const struct tx_tool *tx_tool_ref(const struct tx_tool *tool);
void tx_tool_unref(const struct tx_tool *tool);

const char *tx_tool_id(const struct tx_tool *tool); /* "ns:name" */
const char *tx_tool_namespace(const struct tx_tool *tool);
const char *tx_tool_name(const struct tx_tool *tool);
/* The namespace and name as file names (tx_name_encode). */
const char *tx_tool_namespace_file(const struct tx_tool *tool);
const char *tx_tool_name_file(const struct tx_tool *tool);
const char *tx_tool_title(const struct tx_tool *tool); /* may be "" */
const char *tx_tool_description(const struct tx_tool *tool);
size_t tx_tool_tag_count(const struct tx_tool *tool);
const char *tx_tool_tag(const struct tx_tool *tool, size_t i);
/* One line, ending in '\n'. */
const char *tx_tool_summary(const struct tx_tool *tool);
/*
 * What calling the tool does to the world, as the tool declares it (MCP
 * annotations readOnlyHint / destructiveHint, an exec tool's "read_only"
 * / "destructive" keys) or, without a declaration, as its name says
 * (delete, remove, drop, ...: docs/search.md).  Search ranks a
 * destructive tool below a non-destructive one on a near tie.
 */
enum tx_tool_hint {
	TX_HINT_NONE,        /* nothing declared, nothing in the name */
	TX_HINT_READ_ONLY,   /* changes nothing */
	TX_HINT_ADDITIVE,    /* changes things, destroys nothing */
	TX_HINT_DESTRUCTIVE, /* may delete or overwrite */
};
enum tx_tool_hint tx_tool_hint(const struct tx_tool *tool);
/* True when the hint was declared, false when read from the name. */
bool tx_tool_hint_declared(const struct tx_tool *tool);
/* "read-only", "additive", "destructive", or NULL for TX_HINT_NONE. */
const char *tx_tool_hint_name(enum tx_tool_hint hint);
/* Markdown: description, parameter table, output, example, backend. */
const char *tx_tool_doc(const struct tx_tool *tool);
/* Input schema, pretty-printed, ending in '\n'. */
const char *tx_tool_schema_text(const struct tx_tool *tool);
/* NULL when the tool declares no output schema. */
const char *tx_tool_output_schema_text(const struct tx_tool *tool);

/*
 * The tool index both faces show (tools/INDEX, `toolexec list`): one line
 * "ID<TAB>SUMMARY" per tool of set, in ID order; only the tools of the
 * namespace whose file name is ns_file, unless it is NULL.  Returns
 * malloc'd text ("" when empty; the caller frees) and its length in *len,
 * or NULL with errno ENOMEM.
 */
char *tx_toolset_index_text(const struct tx_toolset *set, const char *ns_file,
			    size_t *len);
/* "builtin", "exec", "mcp", ... */
const char *tx_tool_backend_kind(const struct tx_tool *tool);
/* Unique per definition: changes whenever the tool's definition does. */
uint64_t tx_tool_version(const struct tx_tool *tool);

/*
 * Tool set change notification.  fn runs after each swap, on the thread
 * that made the change, with both sets borrowed for the duration of the
 * call.  It must not call back into tx_engine_watch_tools().
 */
typedef void (*tx_tools_changed_fn)(void *ctx, const struct tx_toolset *old,
				    const struct tx_toolset *cur);
int tx_engine_watch_tools(struct tx_engine *engine, tx_tools_changed_fn fn,
			  void *ctx);

/*
 * File-name encoding for names that cannot be file names.  Bytes '/',
 * '%', NUL and a leading '.' become "%XX" (upper-case hex); everything
 * else is kept.  An encoded name longer than TX_NAME_MAX is cut to 237
 * bytes and followed by "%~" and 16 hex digits of a hash of the whole
 * name; decoding such a name needs the registry (tx_toolset_find_file).
 * Returns the length written (excluding NUL) or -ENAMETOOLONG if out is
 * too small (outlen >= TX_NAME_MAX + 1 always suffices).
 */
int tx_name_encode(const char *name, char *out, size_t outlen);
/* Reverses tx_name_encode for names that were not cut. -EINVAL if bad. */
int tx_name_decode(const char *file, char *out, size_t outlen);

/* ------------------------------------------------------------------ */
/* Arguments, fed as they arrive                                        */

/*
 * An incremental parser for call arguments: a JSON object, fed in as
 * many pieces as the caller writes.  Not thread-safe: one per writer.
 * The object it parses is the call's only parse: tx_engine_check_argbuf
 * checks it in place and tx_job_start_argbuf hands it to the job.
 */
struct tx_argbuf *tx_argbuf_new(void);
void tx_argbuf_free(struct tx_argbuf *ab);
/*
 * Feeds len bytes.  Returns 0 when accepted (JSON so far is well formed,
 * possibly incomplete), -EINVAL with err set on malformed JSON, a
 * top-level value that is not an object, nesting past
 * TX_JSON_DEPTH_MAX or non-whitespace after the object, and -EFBIG past
 * TX_ARGS_MAX bytes.  After an error every later feed fails the same way.
 */
int tx_argbuf_feed(struct tx_argbuf *ab, const char *buf, size_t len, char *err,
		   size_t errlen);
/* True once a whole object has been read. */
bool tx_argbuf_complete(const struct tx_argbuf *ab);
/* True when nothing but whitespace has been fed. */
bool tx_argbuf_empty(const struct tx_argbuf *ab);
size_t tx_argbuf_size(const struct tx_argbuf *ab);
/* The bytes fed so far, NUL-terminated; borrowed. */
const char *tx_argbuf_text(const struct tx_argbuf *ab);

/*
 * Checks complete argument text against the tool's input schema.
 * 0, or -EINVAL with "POINTER: what is wrong" in err, -ENOENT when the
 * tool does not exist.  tool_id may be TX_CHAIN_ID.
 */
int tx_engine_check_args(struct tx_engine *engine, const char *tool_id,
			 const char *args_json, char *err, size_t errlen);
/*
 * The same for the object a complete argument buffer parsed, without
 * parsing it again.  The check is remembered in ab: a start with ab on a
 * job of the same tool does not validate again.  -EINVAL when ab holds
 * no complete object.
 */
int tx_engine_check_argbuf(struct tx_engine *engine, const char *tool_id,
			   struct tx_argbuf *ab, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Jobs                                                                 */

enum tx_job_state {
	TX_JOB_NEW,    /* created (clone), no arguments yet */
	TX_JOB_QUEUED, /* arguments given, not yet running */
	TX_JOB_RUNNING,
	TX_JOB_OK,        /* final */
	TX_JOB_ERROR,     /* final: isError result, or a failure */
	TX_JOB_TIMEOUT,   /* final */
	TX_JOB_CANCELLED, /* final */
};

/* "new", "queued", "running", "ok", "error", "timeout", "cancelled" */
const char *tx_job_state_name(enum tx_job_state state);
static inline bool tx_job_state_final(enum tx_job_state s)
{
	return s >= TX_JOB_OK;
}

/*
 * Who made a call: shell-style results are scoped by session, then uid.
 * sid: the caller's session ID, or -1 when it is not known (0 is a
 * session: that of processes that never called setsid()).  run: the number of
 * the code run on whose behalf the call is made (its job ID as a number; see
 * tx_run_caller), 0 for none.  A job made for a run counts against the run's
 * max_tool_calls and is listed in its result (see "Code runs" below).
 * Zero-initialize callers, so that a field added later is 0.
 */
struct tx_caller {
	uid_t uid;
	pid_t pid;
	pid_t sid;
	uint64_t run;
};

/*
 * Creates a job for tool_id (or TX_CHAIN_ID) in state NEW and lists it
 * among the engine's jobs.  Returns a reference (tx_job_unref), or NULL
 * with errno ENOENT (no such tool) or ENOMEM, and a reason in err.
 * With caller->run set, the job is the run's: when the run may not make
 * it (past max_tool_calls: EDQUOT; the run has ended: ESRCH; the run's
 * view does not grant the tool: EACCES) the job is still returned, but
 * already ended in state ERROR with that errno, and its `error` says
 * why (docs/error-handling.md).
 */
struct tx_job *tx_engine_job_new(struct tx_engine *engine, const char *tool_id,
				 const struct tx_caller *caller, char *err,
				 size_t errlen);

/*
 * Starts a NEW job with complete argument text.  Arguments are parsed
 * and validated first: on failure the job ends in state ERROR with the
 * reason as its error (so `error` explains) and -EINVAL is returned.
 * -EALREADY when the job was started (or ended) before; the first start
 * wins, valid or not, and a loser changes nothing.  A call may complete
 * before this returns (built-in tools do).
 */
int tx_job_start(struct tx_job *job, const char *args_json, size_t len);
/*
 * The same with the complete arguments of ab, which it takes (ab is
 * spent afterwards: free it).  The object ab parsed is handed on, never
 * parsed again, and validated only when tx_engine_check_argbuf did not
 * check it against the job's very tool (a reload replaced the tool in
 * between).
 */
int tx_job_start_argbuf(struct tx_job *job, struct tx_argbuf *ab);

/*
 * Ends a NEW job without running it: state ERROR, errno err, message
 * msg.  Used when arguments were refused while being written.  Returns
 * 0, or -EALREADY (and changes nothing) when the job was started or
 * ended first: a refused write never ends a call that is running.
 */
int tx_job_reject(struct tx_job *job, int err, const char *msg);

/* Convenience: new + start.  Returns a reference or NULL (errno). */
struct tx_job *tx_engine_call(struct tx_engine *engine, const char *tool_id,
			      const char *args_json,
			      const struct tx_caller *caller, char *err,
			      size_t errlen);

/* Takes a reference on a job by ID; NULL (ENOENT) when unknown or gone. */
struct tx_job *tx_engine_job_get(struct tx_engine *engine, const char *id);

/*
 * Lists the IDs of known jobs, oldest first.  *ids is malloc'd, an
 * array of malloc'd strings; free with tx_strv_free().  Returns count.
 */
size_t tx_engine_job_ids(struct tx_engine *engine, char ***ids);
void tx_strv_free(char **v, size_t n);

/* Cancels (when not final) and forgets a job.  -ENOENT when unknown. */
int tx_engine_job_remove(struct tx_engine *engine, const char *id);

struct tx_job *tx_job_ref(struct tx_job *job);
void tx_job_unref(struct tx_job *job);

const char *tx_job_id(const struct tx_job *job); /* decimal */
const char *tx_job_tool_id(const struct tx_job *job);
const struct tx_caller *tx_job_caller(const struct tx_job *job);
enum tx_job_state tx_job_state(const struct tx_job *job);

/*
 * What `status` shows: the state's name, except that a running job its
 * backend runs as a task (an MCP task, 2025-11-25) shows the task's
 * status while that is "working" or "input_required" (the server waits
 * for an answer).  A static string.
 */
const char *tx_job_status_name(const struct tx_job *job);
/*
 * The ID of the task the job's backend runs it as (an MCP task's
 * taskId), malloc'd (the caller frees), or NULL when there is none (yet).
 */
char *tx_job_task_id(const struct tx_job *job);

/*
 * Questions an MCP server asked on a job's behalf (elicitation,
 * docs/mcp.md), numbered from 1 in the order asked; a question stays
 * with its job, answered or not, for as long as the job is kept.
 */
enum tx_question_part {
	TX_QUESTION_MESSAGE, /* the server's message and a newline */
	TX_QUESTION_SCHEMA,  /* the requested schema, pretty JSON */
	TX_QUESTION_URL,     /* URL mode: the URL and a newline */
	TX_QUESTION_ANSWER,  /* "" while open; then the answer given */
	TX_QUESTION_ERROR,   /* why the last answer was refused, or "" */
};
/* How many questions the job was asked. */
unsigned tx_job_questions(const struct tx_job *job);
/* Whether question n is open (not yet answered). */
bool tx_job_question_open(const struct tx_job *job, unsigned n);
/*
 * A text of question n, malloc'd into *out (the caller frees).  0,
 * -ENOENT (no question n; TX_QUESTION_URL of a form, TX_QUESTION_SCHEMA
 * of a URL question), -ENOMEM.
 */
int tx_job_question_text(const struct tx_job *job, unsigned n,
			 enum tx_question_part part, char **out);
/*
 * Answers question n with text: "decline" or "cancel" (surrounding
 * white space ignored), or a JSON object that accepts: the content,
 * which must validate against the requested schema (a URL question
 * takes "accept" or {}).  0; -EINVAL with the reason in err (also kept
 * as the question's TX_QUESTION_ERROR); -EALREADY when the question was
 * answered (or declined by timeout, or cancelled with its job);
 * -ENOENT; -ENOMEM.  Thread-safe; never waits for a backend.
 */
int tx_job_question_answer(struct tx_job *job, unsigned n, const char *text,
			   size_t len, char *err, size_t errlen);
/*
 * Every open question of every job whose caller uid is (all of them for
 * uid 0), oldest first, one line each: "JOB\tN\tTOOL\tMESSAGE\n" (the
 * message's control characters as spaces).  malloc'd; NULL on ENOMEM.
 */
char *tx_engine_pending_text(struct tx_engine *engine, uid_t uid);

/*
 * The resource links of a final job's result (MCP content blocks of type
 * "resource_link"), in the order given: each one's file name (the last
 * part of its URI's path; "~N" added when taken) and the target of a
 * symbolic link in jobs/ID/links/ to the resource's file, relative
 * ("../../../resources/NS/PATH", docs/mcp.md "From URI to path").  Two
 * malloc'd arrays of *count malloc'd strings (tx_strv_free each); none
 * while the job runs.  0 or -ENOMEM.
 */
int tx_job_links(const struct tx_job *job, char ***names, char ***targets,
		 size_t *count);

/* Argument text as given; NULL while NEW.  Borrowed. */
const char *tx_job_args_text(const struct tx_job *job);

/*
 * Cancels a job that is not final: it ends at once as CANCELLED and the
 * backend is asked to stop.  -EALREADY when final.
 */
int tx_job_cancel(struct tx_job *job);

/*
 * Outcome, valid once the state is final (before that: -EAGAIN / NULL).
 * tx_job_errno: 0 when `result` has content to read (OK, or an isError
 * result), else the positive errno of docs/error-handling.md.
 * Texts are borrowed, NUL-terminated, and never change once final.
 */
int tx_job_errno(const struct tx_job *job);
const char *tx_job_result_text(const struct tx_job *job, size_t *len);
const char *tx_job_envelope_text(const struct tx_job *job, size_t *len);
/* "" when there was no error. */
const char *tx_job_error_text(const struct tx_job *job, size_t *len);

/*
 * The job's stream: output as it arrives, progress lines, and a last
 * line when the job ends.  Copies up to len bytes from offset off and
 * returns the count; 0 with *eof true when the job is final and off is
 * at the end, 0 with *eof false when nothing is there yet.
 */
size_t tx_job_stream_read(const struct tx_job *job, uint64_t off, char *buf,
			  size_t len, bool *eof);
/* The stream's length so far: it only grows. */
uint64_t tx_job_stream_size(const struct tx_job *job);

/*
 * One-shot listener: fn(job, ctx) runs once, on some engine thread, as
 * soon as the job is final or its stream grows past stream_off (pass
 * UINT64_MAX to wait for the final state only).  Returns 0 and
 * registers nothing when that already holds; else a listener ID > 0.
 * fn must not block; it may call any tx_job_* reader.
 */
typedef void (*tx_job_event_fn)(struct tx_job *job, void *ctx);
uint64_t tx_job_listen(struct tx_job *job, uint64_t stream_off,
		       tx_job_event_fn fn, void *ctx);
/*
 * Removes a listener.  true when removed before it ran; false when it
 * already ran or is running (then wait for it to finish before freeing
 * ctx: tx_job_unlisten returns only after a running fn has returned).
 */
bool tx_job_unlisten(struct tx_job *job, uint64_t id);

/* Blocks until final or timeout_ms (<0: forever).  0 or -ETIMEDOUT. */
int tx_job_wait(struct tx_job *job, int timeout_ms);

/* Code runs: toolexecfs/code.h */
#include "toolexecfs/code.h"

/* ------------------------------------------------------------------ */
/* Search                                                               */

struct tx_search_hit {
	char *id; /* malloc'd */
	double score;
};

/*
 * Ranks every tool for query; fills up to k hits best first, returns
 * the count (>= 0) or -errno.  Free with tx_search_hits_free().
 */
int tx_engine_search(struct tx_engine *engine, const char *query, size_t k,
		     struct tx_search_hit **hits);
void tx_search_hits_free(struct tx_search_hit *hits, size_t n);

/*
 * A search rendered once for both faces: the mount's search/QUERY/results
 * and results.json are its text and its JSON, and `toolexec search
 * [--json]` prints the same bytes (docs/search.md).  Its hits are tools
 * of one tool set, whose generation it records; a hit of a tool that set
 * does not hold yet is left out.  Returns NULL with errno (E2BIG: the
 * query is too long; ENOMEM).  Immutable once made: any thread may read
 * it.  Free with tx_search_result_free().
 */
struct tx_search_result;
/*
 * k is the most hits wanted.  Unless exact, hits scoring far below the
 * best are dropped (tx_search_cutoff, docs/search.md); exact is
 * for whoever asked for k hits by number (`+N`, `-n N`).
 */
struct tx_search_result *tx_engine_search_result(struct tx_engine *engine,
						 const char *query, size_t k,
						 bool exact);
void tx_search_result_free(struct tx_search_result *r);
uint64_t tx_search_result_generation(const struct tx_search_result *r);
size_t tx_search_result_count(const struct tx_search_result *r);
/* The tool of the hit ranked i + 1; borrowed from r. */
const struct tx_tool *tx_search_result_tool(const struct tx_search_result *r,
					    size_t i);
/* "RANK<TAB>SCORE<TAB>ID<TAB>HINT<TAB>SUMMARY\n" per hit, best first
 * (HINT is tx_tool_hint_name or "-").  Borrowed, NUL-terminated; *len gets its
 * length. */
const char *tx_search_result_text(const struct tx_search_result *r,
				  size_t *len);
/* {"query", "hits": [{"rank", "score", "id", "hint", "summary",
 * "path"}]},
 * pretty-printed, ending in a newline.  Borrowed, NUL-terminated. */
const char *tx_search_result_json(const struct tx_search_result *r,
				  size_t *len);

/* ------------------------------------------------------------------ */
/* Resources and prompts of MCP servers (DESIGN 2.8, docs/mcp.md)       */

/*
 * What the servers offer besides tools, as an immutable snapshot (a
 * list_changed of a server swaps in a new one).  Paths below resources/
 * are "NS/PART/..." where NS is the server's name as a file name
 * (tx_name_encode) and the parts come from the URI by the rule of
 * docs/mcp.md ("From URI to path"); prompts are found by the namespace
 * and the prompt's name as file names.
 */
struct tx_catalog_set;
struct tx_prompt;

struct tx_catalog_set *tx_engine_catalog(struct tx_engine *engine); /* ref'd */
void tx_catalog_set_unref(struct tx_catalog_set *set);
/* Increases with every change. */
uint64_t tx_catalog_set_generation(const struct tx_catalog_set *set);

/*
 * resources/INDEX: "NS<TAB>URI<TAB>TITLE<TAB>MIME<TAB>PATH\n" per
 * resource and resource template (whose URI is its template), by
 * namespace then URI; TITLE is the title, else the name; MIME "-" when
 * not given; PATH below resources/, "-" when the URI has no place in
 * the tree.  malloc'd (the caller frees), or NULL with errno.
 */
char *tx_catalog_resources_index(const struct tx_catalog_set *set, size_t *len);

/* A directory entry of the catalog's trees. */
struct tx_cat_entry {
	char *name; /* a file name */
	bool dir;
};
void tx_cat_entries_free(struct tx_cat_entry *v, size_t n);

/* What a path below resources/ is. */
enum tx_res_kind {
	TX_RES_NONE, /* nothing: ENOENT */
	TX_RES_DIR,
	TX_RES_FILE,
};
/* A file's resource: malloc'd strings (tx_res_file_release). */
struct tx_res_file {
	char *ns;   /* the server */
	char *uri;  /* a listed URI, or a template's with its variables bound */
	char *mime; /* NULL when not given */
	int64_t size; /* the server's "size", -1 when not given */
};
void tx_res_file_release(struct tx_res_file *f);
/*
 * Resolves path ("NS", "NS/demo/a/b"; no leading '/').  A name below a
 * resource template's literal parts binds the template's variable
 * there: any name is a file (or a directory, when the template goes on
 * below it).  Returns a tx_res_kind, *file filled for TX_RES_FILE; or
 * -errno (ENOMEM).
 */
int tx_catalog_resolve(const struct tx_catalog_set *set, const char *path,
		       struct tx_res_file *file);
/* The entries of directory path ("" for the namespaces), sorted by
 * name; names a template binds are not listed.  *v is malloc'd (free
 * with tx_cat_entries_free).  0 or -errno (ENOENT: not a directory). */
int tx_catalog_list(const struct tx_catalog_set *set, const char *path,
		    struct tx_cat_entry **v, size_t *n);

/*
 * The completions of a partly typed variable (completion/complete): path
 * is a directory of resources/ ("NS/demo/a") whose next part a resource
 * template's variable binds; the server is asked for the values that
 * complete prefix (as typed, decoded), and *v gets them as file names
 * (encoded as tx_catalog_list's; a directory where the template goes
 * on), sorted, at most 100 per template.  Waits for the server, at most
 * its timeout_ms.  0; -ENOENT when no template's variable is there;
 * -EOPNOTSUPP when the server does not declare "completions"; -errno
 * with err (EIO, ETIMEDOUT).
 */
int tx_engine_resource_complete(struct tx_engine *engine, const char *path,
				const char *prefix, struct tx_cat_entry **v,
				size_t *n, char *err, size_t errlen);

/*
 * Reads resource uri of server ns (resources/read): text contents as
 * they are, blob contents base64-decoded, several contents one after
 * the other.  Waits for the server, at most its timeout_ms.  0 with
 * *data (malloc'd, the caller frees) and *len, or -errno with err:
 * ENOENT (no such server), EIO (server failed or refused), ETIMEDOUT,
 * EFBIG (past TX_RESOURCE_MAX).
 */
#define TX_RESOURCE_MAX (64u << 20)
int tx_engine_resource_read(struct tx_engine *engine, const char *ns,
			    const char *uri, char **data, size_t *len,
			    char *err, size_t errlen);

/*
 * The answer of a request nobody waits for: rc 0 with text (malloc'd,
 * the callee's) and len, and for a prompt json (malloc'd, the callee's;
 * NULL for a resource); or -errno with err.  Called exactly once,
 * possibly before the call that started it returns, else on a thread of
 * the server's: it must not wait.
 */
typedef void tx_engine_answer_fn(void *ctx, int rc, char *text, size_t len,
				 char *json, const char *err);
/* tx_engine_resource_read without waiting: the answer goes to fn. */
void tx_engine_resource_read_start(struct tx_engine *engine, const char *ns,
				   const char *uri, tx_engine_answer_fn *fn,
				   void *ctx);

/*
 * Subscriptions: on true, asks server ns to tell of changes of uri
 * (resources/subscribe); on false, stops (unsubscribe).  Counted per
 * URI: only the first subscribe and the last unsubscribe reach the
 * server.  0, -EOPNOTSUPP (the server cannot), or another -errno.
 */
int tx_engine_resource_subscribe(struct tx_engine *engine, const char *ns,
				 const char *uri, bool on);
/* fn(ctx, ns, uri) when a server says resource uri changed (any
 * thread; it must not block). */
typedef void (*tx_resource_updated_fn)(void *ctx, const char *ns,
				       const char *uri);
int tx_engine_watch_resources(struct tx_engine *engine,
			      tx_resource_updated_fn fn, void *ctx);

/* The namespaces that offer prompts (ns_file NULL), or the prompts of
 * one (ns_file), as tx_catalog_list (every entry a directory). */
int tx_catalog_prompts_list(const struct tx_catalog_set *set,
			    const char *ns_file, struct tx_cat_entry **v,
			    size_t *n);
/* The prompt by namespace and name as file names; borrowed from set,
 * NULL when absent. */
const struct tx_prompt *tx_catalog_prompt_find(const struct tx_catalog_set *set,
					       const char *ns_file,
					       const char *name_file);
/* Markdown: title, description, arguments. */
const char *tx_prompt_doc(const struct tx_prompt *p);
/* A JSON Schema of the arguments (an object of strings), pretty,
 * ending in '\n'. */
const char *tx_prompt_schema_text(const struct tx_prompt *p);
/*
 * Gets prompt name_file of ns_file (prompts/get) with args_json (an
 * object of strings; "" or NULL: no arguments).  0 with *text (the
 * messages, each as "ROLE:\n" and its content, blocks apart by a blank
 * line) and *json (the whole GetPromptResult, pretty), both malloc'd;
 * or -errno with err: ENOENT (no such prompt), EINVAL (arguments not
 * an object of strings, a required one missing, or refused by the
 * server), EIO, ETIMEDOUT.
 */
int tx_engine_prompt_get(struct tx_engine *engine, const char *ns_file,
			 const char *name_file, const char *args_json,
			 char **text, char **json, char *err, size_t errlen);
/* tx_engine_prompt_get without waiting: the answer (the messages in
 * text, the result in json) goes to fn. */
void tx_engine_prompt_get_start(struct tx_engine *engine, const char *ns_file,
				const char *name_file, const char *args_json,
				tx_engine_answer_fn *fn, void *ctx);

/* ------------------------------------------------------------------ */
/* Sign-in for remote MCP servers (.ctl/auth; docs/mcp.md)              */

/*
 * The remote servers that have a sign-in state, sorted: their count, and
 * *names (NULL-terminated, malloc'd; the caller frees each and the
 * vector).  0 with *names NULL on failure.
 */
size_t tx_engine_auth_names(struct tx_engine *engine, char ***names);
/* "ok", "expired", "needs-login" or "none" (static); NULL when ns is no
 * remote server. */
const char *tx_engine_auth_status(struct tx_engine *engine, const char *ns);
/* Starts a sign-in: *url (malloc'd) is the address to open.  Blocks on
 * the network.  0, -ENOENT (no such remote server) or -errno, with err. */
int tx_engine_auth_login(struct tx_engine *engine, const char *ns, char **url,
			 char *err, size_t errlen);
/* Completes it with the address the browser was sent back to, or the
 * bare code.  As tx_engine_auth_login. */
int tx_engine_auth_code(struct tx_engine *engine, const char *ns,
			const char *text, char *err, size_t errlen);
/* Keeps a token obtained elsewhere.  As tx_engine_auth_login. */
int tx_engine_auth_token(struct tx_engine *engine, const char *ns,
			 const char *token, char *err, size_t errlen);
/* Why the last sign-in step for ns failed, in buf; "" when it worked. */
void tx_engine_auth_error(struct tx_engine *engine, const char *ns, char *buf,
			  size_t len);
/* Where to sign in, for a server that needs it, in buf; "" otherwise. */
void tx_engine_auth_hint(struct tx_engine *engine, const char *ns, char *buf,
			 size_t len);

/* ------------------------------------------------------------------ */
/* Introspection (.ctl)                                                 */

/* Each returns malloc'd text; the caller frees. NULL with errno. */
char *tx_engine_status_text(struct tx_engine *engine);
char *tx_engine_stats_text(struct tx_engine *engine);
char *tx_engine_config_text(struct tx_engine *engine);
/* The last log lines (a ring of bounded size). */
char *tx_engine_log_text(struct tx_engine *engine);
/*
 * The configuration's errors, one line each ("PATH: $.json.path: what is
 * wrong"), and their number in *count: one per file that could not be
 * used as written.  "" when there is none.
 */
char *tx_engine_config_errors_text(struct tx_engine *engine, size_t *count);

#ifdef __cplusplus
}
#endif
#endif
