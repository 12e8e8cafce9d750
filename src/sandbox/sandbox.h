/*
 * sandbox.h - running one script in a security profile: profiles,
 * language detection, and runs of the `toolexec-sandbox` helper.
 *
 * The daemon is multi-threaded, and fork() followed by allocation in
 * the child can deadlock on a lock another thread held at fork time.
 * So a run is a posix_spawn() of a small single-threaded helper
 * (build/toolexec-sandbox) that builds the namespaces, the root, the
 * limits and the filters, starts the script behind a tiny PID-1 reaper,
 * enforces the timeout and the output caps, and reports one JSON
 * result.  This module is the daemon's side: it describes the run to
 * the helper, hands it the pre-compiled seccomp program, and turns the
 * report into a struct.  docs/security-profiles.md says what each
 * profile promises and how each promise is tested.
 *
 * Conventions: functions that act return 0 or -errno and write a reason
 * for humans into err; constructors return NULL and set errno.  Nothing
 * here includes FUSE headers.  Profiles are immutable once parsed and
 * may be shared between threads; a run belongs to one thread at a time.
 */
#ifndef TX_SANDBOX_H
#define TX_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct json_object;

/* ------------------------------------------------------------------ */
/* Profiles                                                             */

/* The isolation a profile is built on (its root `base`). */
enum tx_sandbox_kind {
	TX_SANDBOX_DEV,      /* rlimits and the timeout only */
	TX_SANDBOX_STANDARD, /* namespaces, fresh root, deny-list seccomp */
	TX_SANDBOX_HARDENED, /* standard + allow-list, cgroups, Landlock */
};

#define TX_SANDBOX_NAME_MAX 63
#define TX_SANDBOX_ENV_MAX  32

/*
 * One parsed profile.  Every limit is a number; 0 means "no limit" only
 * where the comment says so.  Defaults (dev / standard / hardened):
 *
 *   enabled          false / true / true
 *   timeout_ms       30000 / 30000 / 30000   wall clock, whole tree killed
 *   kill_grace_ms    1000                     SIGTERM before SIGKILL on cancel
 *   max_tool_calls   100 / 100 / 100          enforced by the daemon
 *   memory           4 GiB / 4 GiB / 512 MiB  hardened: the cgroup memory
 *                                             limit (all processes, tmpfs
 *                                             pages included); others:
 *                                             RLIMIT_AS
 *   address_space    0 / 0 / 2 GiB            RLIMIT_AS when not 0 (V8
 *                                             reserves 1 GiB of address
 *                                             space at start: node needs
 *                                             more than the cgroup limit)
 *   pids             512 / 256 / 64           RLIMIT_NPROC; hardened also
 *                                             the cgroup pids limit
 *   cpu              30 / 30 / 10             RLIMIT_CPU seconds
 *   file_size        1 GiB / 256 MiB / 64 MiB RLIMIT_FSIZE
 *   nofile           1024 / 1024 / 256        RLIMIT_NOFILE
 *   stdout_max       16 MiB / 16 MiB / 4 MiB  past it the run is killed
 *   stderr_max       4 MiB / 4 MiB / 1 MiB
 *   work_size        256 MiB / 256 MiB / 64 MiB  /work when it is a tmpfs
 *   tmp_size         64 MiB / 64 MiB / 16 MiB    the private /tmp (not dev)
 *   env              []   extra "NAME=VALUE" entries for the script
 */
struct tx_sandbox_profile {
	char name[TX_SANDBOX_NAME_MAX + 1];
	enum tx_sandbox_kind kind;
	bool enabled;
	uint32_t timeout_ms;
	uint32_t kill_grace_ms;
	uint32_t max_tool_calls;
	uint64_t memory;
	uint64_t address_space;
	uint32_t pids;
	uint32_t cpu;
	uint64_t file_size;
	uint32_t nofile;
	uint64_t stdout_max;
	uint64_t stderr_max;
	uint64_t work_size;
	uint64_t tmp_size;
	size_t nenv;
	char *env[TX_SANDBOX_ENV_MAX]; /* "NAME=VALUE", owned */
};

struct tx_sandbox_profiles;

/*
 * Parses the value of a "codeProfiles" key (an object of name -> object;
 * NULL means "none given") on top of the three built-in profiles.  Keys
 * of an entry: enabled, base, timeout_ms, kill_grace_ms, max_tool_calls,
 * memory, address_space, pids, cpu, file_size, nofile, stdout_max, stderr_max,
 * work_size, tmp_size (integers, or strings with a K, M or G suffix for
 * byte sizes), env (object of string values).  An entry named after a
 * built-in changes it; any other entry needs a base (a built-in or
 * another entry; cycles are an error) and starts from its values.  A
 * new entry is enabled unless it says otherwise.  Unknown keys, wrong
 * types and values out of range are errors: NULL, errno EINVAL, err
 * says which key.  Free with tx_sandbox_profiles_free().
 */
struct tx_sandbox_profiles *
tx_sandbox_profiles_parse(struct json_object *code_profiles, char *err,
			  size_t errlen);
/* The same from JSON text (the object itself, not a whole config). */
struct tx_sandbox_profiles *tx_sandbox_profiles_parse_text(const char *json,
							   size_t len,
							   char *err,
							   size_t errlen);
void tx_sandbox_profiles_free(struct tx_sandbox_profiles *ps);
size_t tx_sandbox_profiles_count(const struct tx_sandbox_profiles *ps);
/* Borrowed; in a stable order: dev, standard, hardened, then by name. */
const struct tx_sandbox_profile *
tx_sandbox_profiles_at(const struct tx_sandbox_profiles *ps, size_t i);
/* Borrowed; NULL when there is no such profile (enabled or not). */
const struct tx_sandbox_profile *
tx_sandbox_profiles_get(const struct tx_sandbox_profiles *ps, const char *name);
const char *tx_sandbox_kind_name(enum tx_sandbox_kind k);

/* ------------------------------------------------------------------ */
/* Languages                                                            */

#define TX_SANDBOX_INTERP_MAX 255

/*
 * How to start a script.  interp is an absolute path or a bare name
 * looked up along the sandbox's PATH *inside* the sandbox (its
 * read-only /usr), never on the host.  arg is the shebang's one
 * optional argument ("" when none).
 */
struct tx_sandbox_lang {
	const char *language; /* "shell", "python", "javascript", "perl",
			       * or "other" for a shebang naming another
			       * interpreter; static */
	char interp[TX_SANDBOX_INTERP_MAX + 1];
	char arg[TX_SANDBOX_INTERP_MAX + 1];
};

/*
 * Detects the language of a script from its first bytes (head, len: at
 * least its first line when it has one) and, failing a shebang, from
 * the extension of name: .sh (sh), .bash (bash), .py (python3), .js,
 * .mjs, .cjs (node), .pl (perl).  `#!/usr/bin/env X` looks X up inside
 * the sandbox.  Returns 0, or -ENOEXEC with err saying why (no shebang
 * and an unknown extension, or a malformed shebang line).
 */
int tx_sandbox_detect_language(const char *name, const char *head, size_t len,
			       struct tx_sandbox_lang *out, char *err,
			       size_t errlen);

/* ------------------------------------------------------------------ */
/* Runs                                                                 */

/* A host path made visible inside the sandbox (the per-run views). */
struct tx_sandbox_bind {
	const char *src; /* host path, opened as the run's uid */
	const char *dst; /* absolute path inside, no "." or ".." */
	bool writable;
};

struct tx_sandbox_run_opts {
	const struct tx_sandbox_profile *profile;
	/* The script: its file name (no '/', shown as /run/code/NAME
	 * inside) and its bytes. */
	const char *script_name;
	const void *script;
	size_t script_len;
	/* Arguments after the script's path; may be NULL. */
	const char *const *args;
	size_t nargs;
	/* /work: a descriptor from tx_sandbox_work_new() (the daemon keeps
	 * its own and reads the files the script left through it), or a
	 * host directory bound read-write (work_fd < 0).  One of the two.
	 * For dev the directory is the working directory as it is; a work
	 * descriptor is not possible there (no mount namespace). */
	int work_fd;
	const char *work_dir;
	/* Who runs it outside: for standard and hardened, the unprivileged
	 * ids that root inside maps to (give each concurrent run its own,
	 * see tx_sandbox_uid_alloc); for dev, the user who dropped the
	 * script.  Root (0) is refused for standard and hardened. */
	uid_t uid;
	gid_t gid;
	const struct tx_sandbox_bind *binds; /* not for dev */
	size_t nbinds;
	/* More "NAME=VALUE" entries after the profile's; may be NULL. */
	const char *const *env;
	size_t nenv;
	const char *hostname; /* NULL: "toolexec" */
	/* The helper; NULL: "toolexec-sandbox" beside /proc/self/exe. */
	const char *helper;
};

struct tx_sandbox_run;

/*
 * Starts a run: detects the language, describes the run, spawns the
 * helper.  Never waits for the script; set-up failures inside the
 * sandbox arrive later, in the result's `error`.  On success *out owns
 * the pidfd of the helper and the read ends of the script's stdout and
 * stderr (see the accessors).  Thread-safe (each call its own run).
 * Returns 0, or -errno with err set (-ENOEXEC: unknown language,
 * -EINVAL: bad options, -EPERM: the profile is not enabled, -ENOENT: no
 * helper).
 */
int tx_sandbox_start(const struct tx_sandbox_run_opts *o,
		     struct tx_sandbox_run **out, char *err, size_t errlen);

/* Borrowed descriptors, valid until tx_sandbox_run_free().  The pidfd
 * becomes readable when the helper has exited (then call
 * tx_sandbox_run_wait, which does not block).  The output ends are
 * non-blocking pipes; read them until EOF. */
int tx_sandbox_run_pidfd(const struct tx_sandbox_run *r);
int tx_sandbox_run_stdout(const struct tx_sandbox_run *r);
int tx_sandbox_run_stderr(const struct tx_sandbox_run *r);
pid_t tx_sandbox_run_pid(const struct tx_sandbox_run *r);

/* Asks the run to stop: hard = false sends SIGTERM to the script's
 * process group and SIGKILL after the profile's kill_grace_ms; hard =
 * true kills the whole tree at once.  Returns 0 or -errno. */
int tx_sandbox_run_cancel(struct tx_sandbox_run *r, bool hard);

enum tx_sandbox_limit {
	TX_LIMIT_TIMEOUT = 1u << 0,
	TX_LIMIT_MEMORY = 1u << 1,
	TX_LIMIT_PIDS = 1u << 2,
	TX_LIMIT_CPU = 1u << 3,
	TX_LIMIT_FILE_SIZE = 1u << 4,
	TX_LIMIT_OUTPUT = 1u << 5,
};
#define TX_LIMIT_COUNT 6

struct tx_sandbox_result {
	int exit_code;        /* -1 when killed by a signal or not run */
	int signal;           /* 0 unless killed by one */
	uint64_t duration_ms; /* start of the script's namespace to end */
	bool timed_out;
	bool cancelled;
	unsigned limits_hit;  /* TX_LIMIT_* */
	uint64_t cpu_user_ms; /* the whole tree, not the daemon */
	uint64_t cpu_sys_ms;
	uint64_t max_rss_kb;
	uint64_t stdout_bytes; /* what the helper passed on */
	uint64_t stderr_bytes;
	int landlock_abi; /* applied (hardened), 0 when not */
	char cgroup[16];  /* "v1", "v2" or "" */
	/* Non-empty when the script never ran or the run broke: set-up
	 * failures ("hardened: no pids controller ..."), a missing
	 * interpreter, a dead helper. */
	char error[512];
};

/*
 * Waits for the helper to exit (immediately when the pidfd is readable)
 * and fills *res.  Call once.  Returns 0 (the result may still carry an
 * error) or -errno when the helper's report could not be had (res->error
 * says why).
 */
int tx_sandbox_run_wait(struct tx_sandbox_run *r,
			struct tx_sandbox_result *res);
/* Kills a run that is still going (hard), reaps the helper, closes
 * everything.  NULL is fine. */
void tx_sandbox_run_free(struct tx_sandbox_run *r);

/* The name of one TX_LIMIT_* bit ("timeout", "memory", ...); static. */
const char *tx_sandbox_limit_name(unsigned bit);

/*
 * A private /work: a detached tmpfs of size bytes (no mount table entry
 * anywhere on the host), owned by uid:gid.  The caller owns the
 * returned descriptor; pass it as work_fd and read what the script left
 * with openat(fd, ...) after the run, for as long as you keep it.
 * Returns the descriptor or -errno.
 */
int tx_sandbox_work_new(uint64_t size, uid_t uid, gid_t gid);

/*
 * Opens path (relative) in a run's /work, as the daemon must when it
 * hands the files back: the script made them, so a symlink there may
 * point anywhere on the host.  No symlink may leave the tree, no magic
 * link, no other mount (openat2 RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS
 * | RESOLVE_NO_XDEV).  flags as for open(2), O_CLOEXEC added.  Returns
 * a descriptor or -errno (-EXDEV for a way out).
 */
int tx_sandbox_work_open(int work_fd, const char *path, int flags);

/*
 * A uid (and the gid of the same number) of the range reserved for
 * sandboxed runs, not used by any other live run of this process.
 * [TX_SANDBOX_UID_BASE, +TX_SANDBOX_UID_COUNT) is assumed to belong to
 * no one on the host.  Returns 0 and *uid, or -EAGAIN when all are
 * taken.  Thread-safe.
 */
#define TX_SANDBOX_UID_BASE  0x70000000u
#define TX_SANDBOX_UID_COUNT 4096u
int tx_sandbox_uid_alloc(uid_t *uid);
void tx_sandbox_uid_release(uid_t uid);

/*
 * The seccomp program of a kind, compiled once per process (libseccomp)
 * and kept in a sealed memfd that every run shares.  Borrowed; -errno
 * when it cannot be built.  Exposed for tests and the benchmark.
 */
int tx_sandbox_filter_fd(enum tx_sandbox_kind k, char *err, size_t errlen);

/*
 * The sandbox's /etc for runs named hostname (NULL: "toolexec"): a
 * detached read-only tmpfs with the small part of the host's /etc that
 * interpreters read and fresh passwd, group, hosts, hostname and
 * resolv.conf.  Built once per process, again when the host's /etc
 * changes or another host name is asked for (skel.c).  Returns a new
 * descriptor that the caller closes, or -errno with err set.
 * Thread-safe.
 */
int tx_sandbox_etc_fd(const char *hostname, char *err, size_t errlen);

/*
 * The sandbox's /dev: a detached read-only tmpfs with the host's null,
 * zero, full, random and urandom nodes and the usual links (fd, stdin,
 * stdout, stderr; shm to /tmp).  Built once per process.  Returns a new
 * descriptor that the caller closes, or -errno with err set.
 */
int tx_sandbox_dev_fd(char *err, size_t errlen);

#endif
