/*
 * spawn.c - every child process of the engine starts here (spawn.h).
 *
 * How: clone(CLONE_VM | CLONE_VFORK), what glibc's posix_spawn does
 * inside, plus the steps posix_spawn has no attribute for.
 *
 *   - fork() is safe only if the child calls nothing but
 *     async-signal-safe functions, and it copies the page tables of a
 *     daemon that may be large, then makes every page copy-on-write for
 *     the threads that keep running.  A CLONE_VM child copies nothing.
 *   - posix_spawn cannot set PR_SET_PDEATHSIG and cannot say whether
 *     chdir or execve failed.
 *
 * The CLONE_VM child runs on its own small stack in *our* memory while
 * the other threads of the engine keep running; the calling thread is
 * suspended until the child has called execve or exited (CLONE_VFORK).
 * So the child may touch no lock and allocate nothing: it calls only
 * async-signal-safe functions, on data the parent prepared, and reports
 * a failure by writing into the parent's struct (shared memory), which
 * the parent reads once clone() returns.  Signals are all blocked
 * across the clone, so that no handler of ours can run in the child
 * (on our memory) before the child has reset every disposition.
 */
#include "util/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The child's stack: it calls a handful of system call wrappers.  The
 * mapping is lazy, so only the pages it touches cost memory. */
#define CHILD_STACK  (256u * 1024)
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"
/* Fallback when close_range(2) is missing (Linux < 5.9). */
#define CLOSE_FALLBACK_MAX (1u << 20)

/* The kernel's signal set is the first _NSIG / 8 bytes of sigset_t. */
#define KSIGSET_SIZE (_NSIG / 8)

struct child_args {
	const struct tx_spawn *s;
	int fd[3];
	pid_t parent;
	/* Written by the child when it fails (shared memory). */
	volatile int stage; /* -1: no failure */
	volatile int err;
};

/*
 * The raw system call, not pthread_sigmask: glibc refuses to block its
 * own internal signals (thread cancellation, setxid broadcast), and
 * these have handlers that must not run in the child either.
 */
static void mask_set(const sigset_t *set, sigset_t *old)
{
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, set, old, KSIGSET_SIZE);
}

/* ------------------------------------------------------------------ */
/* The child: async-signal-safe calls only, no allocation               */

/*
 * The sanitizers' stack instrumentation would poison shadow memory for
 * a stack that the parent unmaps afterwards; the child's functions go
 * without it.
 */
#define CHILD_FN __attribute__((no_sanitize_address, noinline))

CHILD_FN static void child_fail(struct child_args *a, int stage, int err)
{
	a->err = err ? err : EIO;
	a->stage = stage;
	_exit(127);
}

CHILD_FN static void close_from_3(void)
{
	struct rlimit rl;
	unsigned max = CLOSE_FALLBACK_MAX;

	if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < max)
		max = (unsigned)rl.rlim_cur;
	for (unsigned fd = 3; fd < max; fd++)
		close((int)fd);
}

CHILD_FN static int child_main(void *arg)
{
	struct child_args *a = arg;
	const struct tx_spawn *s = a->s;
	/* The kernel's struct sigaction, all zero: SIG_DFL, no flags, an
	 * empty mask, whatever the architecture's field order. */
	unsigned long ksa[8];
	sigset_t none;
	int tmp[3];
	int rc;

	/*
	 * Every disposition back to the default.  Handlers would not
	 * survive execve anyway, but until then they would run on our
	 * memory, and an ignored signal (SIGPIPE, SIGCHLD, or one the
	 * engine itself inherited ignored) would survive it.  The raw
	 * system call, because glibc's sigaction refuses its two
	 * internal signals, and those may be inherited ignored too.
	 */
	memset(ksa, 0, sizeof(ksa));
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, ksa, NULL, KSIGSET_SIZE);

	/* A group of its own: one kill(-pid) reaches all it starts. */
	if (setpgid(0, 0) < 0)
		child_fail(a, TX_SPAWN_SETUP, errno);
	/* If the engine dies, so does the child.  The engine may have
	 * died before the prctl: then we were re-parented already. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_fail(a, TX_SPAWN_SETUP, errno);
	if (!(s->clone_flags & CLONE_NEWPID) && getppid() != a->parent)
		_exit(127);

	/* Move the three sources above 2 first, so that no dup2 clobbers
	 * another's source; then 0, 1, 2; then nothing else. */
	for (int i = 0; i < 3; i++) {
		tmp[i] = fcntl(a->fd[i], F_DUPFD_CLOEXEC, 3);
		if (tmp[i] < 0)
			child_fail(a, TX_SPAWN_SETUP, errno);
	}
	for (int i = 0; i < 3; i++)
		if (dup2(tmp[i], i) < 0)
			child_fail(a, TX_SPAWN_SETUP, errno);
	/* Close-on-exec is not enough: a library (libcurl, a resolver)
	 * may have opened descriptors without it. */
	close_from_3();

	if (s->child_fn && (rc = s->child_fn(s->child_ctx)) != 0)
		child_fail(a, TX_SPAWN_SETUP, rc);
	if (s->cwd && chdir(s->cwd) < 0)
		child_fail(a, TX_SPAWN_CHDIR, errno);
	/* Nothing blocked for the program.  From here a signal can only
	 * take its default action, which runs no code of ours. */
	memset(&none, 0, sizeof(none));
	mask_set(&none, NULL);
	execve(s->path, s->argv, s->envp);
	child_fail(a, TX_SPAWN_EXEC, errno);
	return 127;
}

/* ------------------------------------------------------------------ */
/* The parent                                                           */

static int spawn_here(const struct tx_spawn *s, pid_t *pidp,
		      struct tx_spawn_error *fail)
{
	struct child_args a = { .s = s, .stage = -1 };
	sigset_t all, old;
	int devnull = -1, cancel_state, err = 0, status;
	void *stack;
	pid_t pid;

	for (int i = 0; i < 3; i++) {
		a.fd[i] = s->fd[i];
		if (a.fd[i] >= 0)
			continue;
		if (devnull < 0)
			devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (devnull < 0)
			return -errno;
		a.fd[i] = devnull;
	}
	stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		err = errno;
		goto out_close;
	}
	a.parent = getpid();

	/* A cancellation between the two mask changes would leave this
	 * thread with every signal blocked. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
	memset(&all, 0xff, sizeof(all));
	mask_set(&all, &old);
	pid = clone(child_main, (char *)stack + CHILD_STACK,
		    (int)(CLONE_VM | CLONE_VFORK | SIGCHLD | s->clone_flags),
		    &a);
	if (pid < 0)
		err = errno;
	mask_set(&old, NULL);
	pthread_setcancelstate(cancel_state, NULL);
	munmap(stack, CHILD_STACK);
	if (pid < 0)
		goto out_close;

	/* CLONE_VFORK: the child has called execve or exited by now. */
	if (a.stage >= 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		err = a.err;
		if (fail) {
			fail->stage = (enum tx_spawn_stage)a.stage;
			fail->err = a.err;
		}
		goto out_close;
	}
	*pidp = pid;

out_close:
	if (devnull >= 0)
		close(devnull);
	if (err && fail && a.stage < 0) {
		fail->stage = TX_SPAWN_SETUP;
		fail->err = err;
	}
	return err ? -err : 0;
}

/* ------------------------------------------------------------------ */
/* The spawner thread (TX_SPAWN_DETACHED)                               */

struct spawn_req {
	struct spawn_req *next;
	const struct tx_spawn *s;
	pid_t pid;
	struct tx_spawn_error fail;
	int rc;
	bool done;
};

static pthread_mutex_t spawner_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t spawner_cond = PTHREAD_COND_INITIALIZER;
static struct spawn_req *spawner_queue; /* spawner_mu */
static bool spawner_started;            /* spawner_mu */

/*
 * Lives as long as the process and only starts children, so that
 * PR_SET_PDEATHSIG of a long-lived child (an MCP server) fires when the
 * engine's process dies, not when the thread that asked for it ends.
 */
static void *spawner_main(void *arg)
{
	sigset_t all;

	(void)arg;
	/* It never handles a signal: they belong to the engine's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&spawner_mu);
	for (;;) {
		struct spawn_req *r;

		while (!spawner_queue)
			pthread_cond_wait(&spawner_cond, &spawner_mu);
		r = spawner_queue;
		spawner_queue = r->next;
		pthread_mutex_unlock(&spawner_mu);
		r->rc = spawn_here(r->s, &r->pid, &r->fail);
		pthread_mutex_lock(&spawner_mu);
		r->done = true;
		pthread_cond_broadcast(&spawner_cond);
	}
	return NULL;
}

static int spawn_detached(const struct tx_spawn *s, pid_t *pidp,
			  struct tx_spawn_error *fail)
{
	struct spawn_req r = { .s = s };
	struct spawn_req **tail;

	pthread_mutex_lock(&spawner_mu);
	if (!spawner_started) {
		pthread_attr_t attr;
		pthread_t th;
		int rc;

		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		rc = pthread_create(&th, &attr, spawner_main, NULL);
		pthread_attr_destroy(&attr);
		if (rc) {
			pthread_mutex_unlock(&spawner_mu);
			if (fail) {
				fail->stage = TX_SPAWN_SETUP;
				fail->err = rc;
			}
			return -rc;
		}
		spawner_started = true;
	}
	for (tail = &spawner_queue; *tail; tail = &(*tail)->next)
		;
	*tail = &r;
	pthread_cond_broadcast(&spawner_cond);
	while (!r.done)
		pthread_cond_wait(&spawner_cond, &spawner_mu);
	pthread_mutex_unlock(&spawner_mu);
	if (r.rc == 0)
		*pidp = r.pid;
	else if (fail)
		*fail = r.fail;
	return r.rc;
}

int tx_spawn_start(const struct tx_spawn *s, pid_t *pid,
		   struct tx_spawn_error *fail)
{
	if (!s || !s->path || !s->argv || !s->argv[0] || !s->envp || !pid)
		return -EINVAL;
	if (s->flags & TX_SPAWN_DETACHED)
		return spawn_detached(s, pid, fail);
	return spawn_here(s, pid, fail);
}

const char *tx_spawn_stage_text(enum tx_spawn_stage stage)
{
	switch (stage) {
	case TX_SPAWN_CHDIR:
		return "cannot change to directory";
	case TX_SPAWN_EXEC:
		return "cannot run";
	case TX_SPAWN_SETUP:
		break;
	}
	return "cannot set up";
}

/* ------------------------------------------------------------------ */
/* Programs and environments                                            */

int tx_spawn_find(const char *prog, const char *path, char **out)
{
	size_t plen = strlen(prog);

	*out = NULL;
	if (!plen)
		return -ENOENT;
	if (strchr(prog, '/')) {
		*out = strdup(prog);
		return *out ? 0 : -ENOMEM;
	}
	if (!path || !*path)
		path = DEFAULT_PATH;
	while (*path) {
		size_t dl = strcspn(path, ":");
		struct stat st;
		char *cand;

		/* An empty entry means the current directory (POSIX). */
		if (asprintf(&cand, "%.*s/%s", dl ? (int)dl : 1,
			     dl ? path : ".", prog) < 0)
			return -ENOMEM;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(cand, X_OK) == 0) {
			*out = cand;
			return 0;
		}
		free(cand);
		path += dl;
		if (*path == ':')
			path++;
	}
	return -ENOENT;
}

const char *tx_spawn_env_get(char *const *env, const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], key, kl) && env[i][kl] == '=')
			return env[i] + kl + 1;
	return NULL;
}

void tx_spawn_env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

int tx_spawn_env_put(char **env, size_t *n, size_t cap, const char *kv)
{
	size_t kl = strcspn(kv, "=");
	char *d;

	if (!kv[kl])
		return 0; /* no '=': not a variable */
	d = strdup(kv);
	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < *n; i++) {
		if (!strncmp(env[i], kv, kl) && env[i][kl] == '=') {
			free(env[i]);
			env[i] = d;
			return 0;
		}
	}
	if (*n >= cap) {
		/* The environment grew while we copied it. */
		free(d);
		return -ENOMEM;
	}
	env[(*n)++] = d;
	env[*n] = NULL;
	return 0;
}

/* A bash function exported through the environment ("() { ...; }"):
 * never passed on by default, as the MCP SDKs do. */
static bool is_function(const char *kv)
{
	const char *v = strchr(kv, '=');

	return v && !strncmp(v + 1, "()", 2);
}

char **tx_spawn_env(const char *const *keep, bool inherit, char *const *over)
{
	size_t cap = 1, n = 0;
	char **env;

	for (size_t i = 0; inherit && environ && environ[i]; i++)
		cap++;
	for (size_t i = 0; !inherit && keep && keep[i]; i++)
		cap++;
	for (size_t i = 0; over && over[i]; i++)
		cap++;
	env = calloc(cap + 1, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; inherit && environ && environ[i] && n < cap; i++)
		if (tx_spawn_env_put(env, &n, cap, environ[i]))
			goto out_nomem;
	for (size_t i = 0; !inherit && keep && keep[i]; i++) {
		size_t kl = strlen(keep[i]);

		for (size_t k = 0; environ && environ[k]; k++) {
			if (strncmp(environ[k], keep[i], kl) ||
			    environ[k][kl] != '=' || is_function(environ[k]))
				continue;
			if (tx_spawn_env_put(env, &n, cap, environ[k]))
				goto out_nomem;
			break;
		}
	}
	for (size_t i = 0; over && over[i]; i++)
		if (tx_spawn_env_put(env, &n, cap, over[i]))
			goto out_nomem;
	return env;

out_nomem:
	tx_spawn_env_free(env);
	errno = ENOMEM;
	return NULL;
}
