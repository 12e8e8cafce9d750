/*
 * spawn.h - the one way the engine starts a child process (exec tools,
 * MCP stdio servers, sandboxes).
 *
 * Every child starts the same way, whoever asks:
 *   - descriptors 0, 1 and 2 are the three given, and nothing else is
 *     open (a library such as libcurl may have opened sockets without
 *     O_CLOEXEC; they stay behind);
 *   - every signal has its default disposition and none is blocked;
 *   - it is the leader of a process group of its own (one kill(-pid)
 *     reaches whatever it starts);
 *   - it gets SIGKILL when the thread that started it ends
 *     (PR_SET_PDEATHSIG), so nothing outlives the engine;
 *   - it runs in the given directory, with exactly the given
 *     environment.
 * No memory is allocated between the clone and the exec (spawn.c says
 * how), so starting a child is safe in a multi-threaded process.
 */
#ifndef TX_SPAWN_H
#define TX_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The child may outlive the calling thread.  PR_SET_PDEATHSIG fires
 * when the *thread* that created the child ends, not the process: a
 * child started from a short-lived thread would be killed when that
 * thread returns.  With this flag the child is started by the spawn
 * module's own thread, which lives as long as the process.
 */
#define TX_SPAWN_DETACHED 0x1u

/* Where a start failed. */
enum tx_spawn_stage {
	TX_SPAWN_SETUP, /* descriptors, signals, the child hook */
	TX_SPAWN_CHDIR, /* the working directory */
	TX_SPAWN_EXEC,  /* the program itself (ENOENT, EACCES...) */
};

struct tx_spawn_error {
	enum tx_spawn_stage stage;
	int err; /* positive errno */
};

struct tx_spawn {
	const char *path;  /* the program: a path, never searched */
	char *const *argv; /* NULL-terminated */
	char *const *envp; /* NULL-terminated; the whole environment */
	const char *cwd;   /* NULL: the engine's own */
	int fd[3];         /* the child's 0, 1, 2; -1: /dev/null */
	unsigned flags;    /* TX_SPAWN_* */
	/*
	 * Optional, for sandboxes: extra clone(2) flags (namespaces), and
	 * a hook that runs in the child after its descriptors and signals
	 * are set and before the chdir.  The hook shares the engine's
	 * memory and must call only async-signal-safe functions; it
	 * returns 0, or a positive errno to fail the start (stage SETUP).
	 */
	unsigned long clone_flags;
	int (*child_fn)(void *ctx);
	void *child_ctx;
};

/*
 * Starts the child.  Returns 0 with *pid set, or -errno; when the child
 * was created but could not become the program, *fail (may be NULL)
 * says which step failed and the child is already reaped.  Thread-safe.
 * The caller reaps the child (waitpid, pidfd) and owns s's descriptors.
 */
int tx_spawn_start(const struct tx_spawn *s, pid_t *pid,
		   struct tx_spawn_error *fail);

/* "cannot run", "cannot change to directory", "cannot set up" */
const char *tx_spawn_stage_text(enum tx_spawn_stage stage);

/*
 * Finds prog in a PATH string (NULL or "": the standard directories):
 * the first regular, executable file.  A prog with a '/' is returned as
 * is.  Returns 0 with *out malloc'd (the caller frees), -ENOENT when
 * nothing fits, -ENOMEM.
 */
int tx_spawn_find(const char *prog, const char *path, char **out);

/*
 * Builds an environment: the variables named in keep (NULL-terminated)
 * that the engine has, or the engine's whole environment when inherit;
 * then over ("KEY=VALUE", may be NULL) on top, replacing a variable of
 * the same name.  Values that start with "()" (exported shell
 * functions) are not kept.  Returns a malloc'd vector of malloc'd
 * strings (free with tx_spawn_env_free), NULL with errno.
 */
char **tx_spawn_env(const char *const *keep, bool inherit, char *const *over);
void tx_spawn_env_free(char **env);
/* The value of KEY in env, or NULL (borrowed). */
const char *tx_spawn_env_get(char *const *env, const char *key);
/*
 * Sets "KEY=VALUE" (copied) in env, a vector of *n entries with room for
 * cap plus the NULL, replacing a variable of the same name.  kv without
 * a '=' is not a variable and is left out.  0, or -ENOMEM (also when
 * the vector is full).
 */
int tx_spawn_env_put(char **env, size_t *n, size_t cap, const char *kv);

#endif
