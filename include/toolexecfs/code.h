/*
 * toolexecfs/code.h - the facade's code runs (DESIGN 2.7, docs/code.md):
 * a script run once in a security profile, its streams, result and
 * tool calls.  Part of the facade: toolexecfs/toolexec.h includes it,
 * and callers include that.
 */
#ifndef TOOLEXECFS_CODE_H
#define TOOLEXECFS_CODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tx_engine;
struct tx_tool;
struct tx_job;
struct tx_caller;
struct tx_search_hit;

/*
 * A run is one script run once in a security profile.  It is a job too:
 * tool ID "code:PROFILE", listed among the jobs, its stream the script's
 * stdout and stderr as they come, tx_job_cancel stops it, and its state
 * ends as ok (exit status 0), error (another status, a signal, a limit,
 * or a run that could not start), timeout or cancelled.  The run adds
 * what the job does not have: the two streams apart, the result JSON,
 * the files the script left in /work, and the tool calls it made.
 *
 * Runs start asynchronously and one engine thread (the reaper) reads
 * their output and reaps them: no call here waits for a script.  That
 * matters because a script's tool calls are served by the same process:
 * a caller that waited for a run while holding what a tool call needs
 * would deadlock.
 *
 * The result JSON (tx_run_result_text), an object with:
 *   job            the run's job ID
 *   profile, name  the profile and the script's file name
 *   language       "shell", "python", "javascript", "perl", "other", or
 *                  null when it could not be told
 *   exit_code      the script's exit status; -1 when it was killed by a
 *                  signal or never ran
 *   signal         the signal that killed it, else 0
 *   duration_ms    from the start of the script to its end
 *   timed_out, cancelled   booleans
 *   limits_hit     names: "timeout", "memory", "pids", "cpu",
 *                  "file_size", "output", "max_tool_calls"
 *   cpu_ms         CPU time of the script's processes (user + system)
 *   tool_wait_ms   wall time during which at least one of its tool calls
 *                  was running (time spent waiting on tools, apart from
 *                  its own CPU time)
 *   tool_calls     [{"job", "tool", "status", "duration_ms", "error"}]
 *                  in the order they were made; status is a job state,
 *                  or "refused" for a call the run was not allowed to
 *                  make (at most TX_RUN_REFUSED_LISTED refused calls are
 *                  listed; tool_calls_refused counts them all)
 *   tool_calls_refused
 *   stdout_bytes, stderr_bytes, max_rss_kb
 *   error          why the run broke or never ran (an unknown language,
 *                  a set-up failure in the sandbox), else null
 */
struct tx_run;

#define TX_SCRIPT_MAX         (4u * 1024 * 1024) /* bytes of one script */
#define TX_SCRIPT_ARGS_MAX    256                /* arguments after it */
#define TX_RUN_REFUSED_LISTED 16

/*
 * The enabled profiles' names, in a stable order (dev, standard,
 * hardened, then the configuration's by name).  *names as for
 * tx_engine_job_ids (free with tx_strv_free).  Returns the count.
 */
size_t tx_engine_code_profiles(struct tx_engine *engine, char ***names);
/*
 * One profile's settings as pretty JSON (malloc'd; the caller frees):
 * name, base kind, enabled, timeout_ms, max_tool_calls and every limit.
 * NULL with errno ENOENT when there is no such profile.
 */
char *tx_engine_code_profile_text(struct tx_engine *engine,
				  const char *profile);
/* Grows with every change of the profiles (a reload that changed
 * "codeProfiles"). */
uint64_t tx_engine_code_generation(struct tx_engine *engine);

/* A host path shown inside a run (the per-run view of a mount). */
struct tx_run_bind {
	const char *src; /* host path; opened as the run's uid */
	const char *dst; /* absolute path inside: "/tools" */
	bool writable;
};

/* What the face that starts a run adds to it. */
struct tx_run_view {
	/* Bound in standard and hardened runs; dev runs see the host's
	 * file system as it is and ignore them (give paths through env). */
	const struct tx_run_bind *binds;
	size_t nbinds;
	/* "NAME=VALUE" entries for the script's environment, after the
	 * profile's own. */
	const char *const *env;
	size_t nenv;
};

/*
 * Creates a run of script (len bytes, at most TX_SCRIPT_MAX) named name
 * (a file name: no '/', not "." or "..", no control characters, at most
 * TX_NAME_MAX bytes) in profile, with args (may be NULL) after the
 * script's path, on behalf of caller.  The run and its job are listed
 * (tx_engine_run_find finds it by its ID), its uid is chosen (standard
 * and hardened: a uid of its own; dev: the caller's) and its /work made;
 * nothing runs until tx_run_start, so a face can prepare the per-run
 * view, which needs the ID and the uid.  Returns a reference
 * (tx_run_unref), or NULL with errno and err: ENOENT (no such profile),
 * EPERM (the profile is not enabled), EINVAL (a bad name), EFBIG (the
 * script or its arguments are too large), EAGAIN (no uid left), ENOMEM.
 */
struct tx_run *tx_engine_code_new(struct tx_engine *engine, const char *profile,
				  const char *name, const void *script,
				  size_t len, const char *const *args,
				  size_t nargs, const struct tx_caller *caller,
				  char *err, size_t errlen);
/*
 * Starts a run made by tx_engine_code_new; view may be NULL.  Never
 * waits for the script.  A run that cannot start (an unknown language,
 * no sandbox helper, a bad bind) has ended when this returns, with the
 * reason in its result's `error` and on its stderr.  Returns 0, or
 * -EALREADY when the run was started, cancelled or removed before.
 */
int tx_run_start(struct tx_run *run, const struct tx_run_view *view);
/* tx_engine_code_new and tx_run_start in one call. */
struct tx_run *tx_engine_code_start(struct tx_engine *engine,
				    const char *profile, const char *name,
				    const void *script, size_t len,
				    const char *const *args, size_t nargs,
				    const struct tx_caller *caller,
				    const struct tx_run_view *view, char *err,
				    size_t errlen);

/*
 * A run by its ID (the ID of its job), with a reference; NULL (ENOENT)
 * when unknown or forgotten.  Runs stay findable after they end, for
 * job_keep_seconds and at most the TX_RUN_KEEP_MAX newest ended runs,
 * then they are forgotten (and their /work goes once the last
 * reference does).
 */
#define TX_RUN_KEEP_MAX 100
struct tx_run *tx_engine_run_find(struct tx_engine *engine, const char *id);
/* The IDs of the listed runs, oldest first; as tx_engine_job_ids. */
size_t tx_engine_run_ids(struct tx_engine *engine, char ***ids);
/* Stops a run that is going (at once, the whole tree) and forgets it:
 * what `rm code/PROFILE/NAME` does.  0 or -ENOENT. */
int tx_engine_run_remove(struct tx_engine *engine, const char *id);

struct tx_run *tx_run_ref(struct tx_run *run);
void tx_run_unref(struct tx_run *run);

const char *tx_run_id(const struct tx_run *run); /* = its job's ID */
/* The run's job; borrowed (take tx_job_ref to keep it). */
struct tx_job *tx_run_job(const struct tx_run *run);
const char *tx_run_profile(const struct tx_run *run);
const char *tx_run_name(const struct tx_run *run);
/* Who started it. */
const struct tx_caller *tx_run_started_by(const struct tx_run *run);
/* The ids the script runs as, outside its namespace. */
uid_t tx_run_uid(const struct tx_run *run);
gid_t tx_run_gid(const struct tx_run *run);
/*
 * The caller of a tool call made by the script: uid = tx_run_uid, run =
 * this run (pid and sid 0).  Pass it to tx_engine_job_new (and so every
 * calling way) for calls that arrive through the run's view.
 */
void tx_run_caller(const struct tx_run *run, struct tx_caller *out);
/* True once the run has ended: its result is there, its streams end. */
bool tx_run_ended(const struct tx_run *run);

/*
 * Stops a run: hard = false sends SIGTERM to the script and SIGKILL
 * after its profile's kill_grace_ms; hard = true kills the whole tree at
 * once.  Its job ends as cancelled at once; the run ends when the
 * sandbox is gone (its result then says "cancelled": true).  A run not
 * started yet ends at once.  0, or -EALREADY when it has ended.
 */
int tx_run_cancel(struct tx_run *run, bool hard);

enum tx_run_part {
	TX_RUN_STDOUT,
	TX_RUN_STDERR,
	TX_RUN_RESULT, /* the result JSON, once the run has ended */
};

/*
 * Reads a part from offset off, like tx_job_stream_read: copies up to
 * len bytes and returns the count; 0 with *eof true when the run has
 * ended and off is at the end; 0 with *eof false when nothing is there
 * yet.  The streams are readable while the run goes; the result only
 * once it has ended.  Each stream keeps at most its profile's
 * stdout_max / stderr_max bytes (the sandbox stops a run that writes
 * more).
 */
size_t tx_run_read(const struct tx_run *run, enum tx_run_part part,
		   uint64_t off, char *buf, size_t len, bool *eof);
/* The part's size so far. */
uint64_t tx_run_size(const struct tx_run *run, enum tx_run_part part);
/* The whole result JSON (pretty, ending in '\n'); NULL while the run
 * goes.  Borrowed; never changes once there. */
const char *tx_run_result_text(const struct tx_run *run, size_t *len);

/*
 * One-shot listener, as tx_job_listen: fn(run, ctx) runs once, on some
 * engine thread, as soon as the run has ended or part grows past off
 * (UINT64_MAX: only the end).  Returns 0 and registers nothing when that
 * holds already; else a listener ID > 0.  fn must not block; it may
 * call any tx_run_* reader.
 */
typedef void (*tx_run_event_fn)(struct tx_run *run, void *ctx);
uint64_t tx_run_listen(struct tx_run *run, enum tx_run_part part, uint64_t off,
		       tx_run_event_fn fn, void *ctx);
/* As tx_job_unlisten. */
bool tx_run_unlisten(struct tx_run *run, uint64_t id);

/*
 * The run's /work, for handing back what the script left there: open
 * files in it only with tx_run_work_open (the script made them: a
 * symbolic link there may point anywhere on the host).  Borrowed,
 * valid while the caller holds a reference; -1 when the run has none.
 */
int tx_run_work_fd(const struct tx_run *run);
/*
 * Opens path (relative, "" or "." for /work itself) beneath the run's
 * /work: no symbolic link or ".." may lead out, no other mount is
 * crossed.  flags as for open(2) (O_CLOEXEC added).  A descriptor or
 * -errno (-EXDEV for a way out, -ENOENT when the run has no /work).
 */
int tx_run_work_open(const struct tx_run *run, const char *path, int flags);

/*
 * The IDs of the jobs made on behalf of the run (its /jobs), in the
 * order they were made, refused ones included; as tx_engine_job_ids.
 */
size_t tx_run_job_ids(const struct tx_run *run, char ***ids);

/*
 * The run's grants: may the run see (TX_RUN_SEE: list, look up, read the
 * doc of) or call (TX_RUN_CALL) tool?  The per-run view asks it for
 * every tool it shows, and the engine asks it again for every job made
 * for the run (a job refused here ends with EACCES).  Every run may use
 * every tool today; profiles that grant some tools only (by ID,
 * namespace or read-only hint) are a filter here.
 */
enum tx_run_access {
	TX_RUN_SEE,
	TX_RUN_CALL,
};
bool tx_run_may_use(const struct tx_run *run, const struct tx_tool *tool,
		    enum tx_run_access access);

/*
 * Run and profile events, for a face that shows runs (code/).  fn runs
 * on the engine thread that made the change, outside any lock of the
 * run; it must not block and must not call tx_engine_watch_code.  run
 * is borrowed for the call; NULL for TX_CODE_PROFILES.
 */
enum tx_code_event {
	TX_CODE_PROFILES,      /* the set of profiles changed (reload) */
	TX_CODE_RUN_ENDED,     /* a run ended: its result is there */
	TX_CODE_RUN_FORGOTTEN, /* a run left the engine (removed, expired) */
};
typedef void (*tx_code_event_fn)(void *ctx, enum tx_code_event ev,
				 struct tx_run *run);
int tx_engine_watch_code(struct tx_engine *engine, tx_code_event_fn fn,
			 void *ctx);

#endif
