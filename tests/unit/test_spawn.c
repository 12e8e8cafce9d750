/*
 * test_spawn.c - the spawn module (src/core/spawn.c) with real children:
 * what a child inherits (descriptors, environment, signal state,
 * process group), the parent-death signal with and without
 * TX_SPAWN_DETACHED, and how failures are reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/spawn.h"

static char *const no_env[] = { "PATH=/usr/bin:/bin", NULL };

/* Runs argv with stdout on a pipe; returns what it wrote (malloc'd)
 * and its wait status in *status. */
static char *run(char *const *argv, char *const *envp, const char *cwd,
		 int *status)
{
	struct tx_spawn s = { .path = argv[0],
			      .argv = argv,
			      .envp = envp,
			      .cwd = cwd,
			      .fd = { -1, -1, -1 } };
	struct tx_spawn_error fail;
	char *out = calloc(1, 65536);
	size_t len = 0;
	int p[2];
	pid_t pid;
	ssize_t n;

	assert_non_null(out);
	assert_int_equal(0, pipe2(p, O_CLOEXEC));
	s.fd[1] = p[1];
	assert_int_equal(0, tx_spawn_start(&s, &pid, &fail));
	close(p[1]);
	while ((n = read(p[0], out + len, 65535 - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	assert_int_equal(pid, waitpid(pid, status, 0));
	return out;
}

static void test_only_three_descriptors(void **state)
{
	char *const argv[] = { "/bin/sh", "-c", "ls -1 /proc/$$/fd", NULL };
	int leak[2], status;
	char *out;

	(void)state;
	/* A descriptor without O_CLOEXEC, as a library might open one. */
	assert_int_equal(0, pipe(leak));
	out = run(argv, no_env, NULL, &status);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal("0\n1\n2\n", out);
	free(out);
	close(leak[0]);
	close(leak[1]);
}

static void test_exact_environment(void **state)
{
	char *const argv[] = { "/usr/bin/env", NULL };
	char *const envp[] = { "A=1", "B=two words", NULL };
	int status;
	char *out;

	(void)state;
	setenv("TX_SECRET_TOKEN", "do-not-pass", 1);
	out = run(argv, envp, NULL, &status);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal("A=1\nB=two words\n", out);
	free(out);
	unsetenv("TX_SECRET_TOKEN");
}

static void ignore_internal(bool on)
{
#if defined(__x86_64__) || defined(__aarch64__)
	unsigned long ksa[8] = { on ? (unsigned long)SIG_IGN : 0 };

	for (int sig = 32; sig <= 33; sig++)
		assert_int_equal(0, syscall(SYS_rt_sigaction, sig, ksa, NULL,
					    _NSIG / 8));
#else
	(void)on;
#endif
}

static void test_signal_state_reset(void **state)
{
	char *const argv[] = { "/bin/grep", "-E",
			       "^(SigBlk|SigIgn):", "/proc/self/status", NULL };
	sigset_t set, old;
	int status;
	char *out;

	(void)state;
	/* The daemon ignores some signals and blocks others in threads. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	/* It may also have inherited glibc's two internal signals (32, 33)
	 * ignored, which glibc's sigaction() cannot change back.  The
	 * kernel's struct sigaction starts with the handler here. */
	ignore_internal(true);
	out = run(argv, no_env, NULL, &status);
	ignore_internal(false);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal("SigBlk:\t0000000000000000\n"
			    "SigIgn:\t0000000000000000\n",
			    out);
	free(out);
}

static void test_group_and_cwd(void **state)
{
	/* Fields 1 and 5 of stat: the pid and the process group. */
	char *const argv[] = { "/bin/sh", "-c",
			       "cut -d' ' -f1,5 /proc/$$/stat; pwd", NULL };
	int status;
	char *out, expect[64];
	unsigned pid = 0, pgrp = 1;

	(void)state;
	out = run(argv, no_env, "/tmp", &status);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(2, sscanf(out, "%u %u", &pid, &pgrp));
	assert_int_equal(pid, pgrp);
	snprintf(expect, sizeof(expect), "%u %u\n/tmp\n", pid, pgrp);
	assert_string_equal(expect, out);
	free(out);
}

static int hook_fails(void *ctx)
{
	(void)ctx;
	return EPERM;
}

static int hook_writes(void *ctx)
{
	(void)ctx;
	/* Async-signal-safe only: write(2). */
	return write(1, "hook\n", 5) == 5 ? 0 : EIO;
}

static void test_failures_say_where(void **state)
{
	char *const nope[] = { "/nonexistent/program", NULL };
	char *const sh[] = { "/bin/sh", "-c", "echo ran", NULL };
	struct tx_spawn s = { .path = nope[0],
			      .argv = nope,
			      .envp = no_env,
			      .fd = { -1, -1, -1 } };
	struct tx_spawn_error fail = { TX_SPAWN_SETUP, 0 };
	pid_t pid = -1;

	(void)state;
	assert_int_equal(-ENOENT, tx_spawn_start(&s, &pid, &fail));
	assert_int_equal(TX_SPAWN_EXEC, fail.stage);
	assert_int_equal(ENOENT, fail.err);
	assert_string_equal("cannot run", tx_spawn_stage_text(fail.stage));

	s.path = sh[0];
	s.argv = sh;
	s.cwd = "/nonexistent/dir";
	assert_int_equal(-ENOENT, tx_spawn_start(&s, &pid, &fail));
	assert_int_equal(TX_SPAWN_CHDIR, fail.stage);
	assert_int_equal(ENOENT, fail.err);

	s.cwd = NULL;
	s.child_fn = hook_fails;
	assert_int_equal(-EPERM, tx_spawn_start(&s, &pid, &fail));
	assert_int_equal(TX_SPAWN_SETUP, fail.stage);
	assert_int_equal(EPERM, fail.err);
	assert_int_equal(-1, pid);
	/* Failed children are reaped already. */
	assert_int_equal(-1, waitpid(-1, NULL, WNOHANG));
	assert_int_equal(ECHILD, errno);
}

static void test_child_hook_runs(void **state)
{
	char *const sh[] = { "/bin/sh", "-c", "echo ran", NULL };
	struct tx_spawn s = { .path = sh[0],
			      .argv = sh,
			      .envp = no_env,
			      .fd = { -1, -1, -1 },
			      .child_fn = hook_writes };
	char buf[64] = "";
	int p[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	(void)state;
	assert_int_equal(0, pipe2(p, O_CLOEXEC));
	s.fd[1] = p[1];
	assert_int_equal(0, tx_spawn_start(&s, &pid, NULL));
	close(p[1]);
	while ((n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	assert_int_equal(pid, waitpid(pid, &status, 0));
	assert_string_equal("hook\nran\n", buf);
}

/* ---- the parent-death signal ---------------------------------------- */

struct starter {
	unsigned flags;
	pid_t child;
	pid_t tid;
};

static void *start_and_leave(void *arg)
{
	struct starter *st = arg;
	char *const argv[] = { "/bin/sleep", "60", NULL };
	struct tx_spawn s = { .path = argv[0],
			      .argv = argv,
			      .envp = no_env,
			      .fd = { -1, -1, -1 },
			      .flags = st->flags };

	st->tid = (pid_t)syscall(SYS_gettid);
	assert_int_equal(0, tx_spawn_start(&s, &st->child, NULL));
	return NULL;
}

/* Starts a child from a thread that then ends, and waits until the
 * thread is gone from the kernel too (pthread_join returns before the
 * kernel sends the parent-death signal). */
static pid_t child_of_ended_thread(unsigned flags)
{
	struct starter st = { .flags = flags };
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	char task[64];
	pthread_t th;

	assert_int_equal(0, pthread_create(&th, NULL, start_and_leave, &st));
	assert_int_equal(0, pthread_join(th, NULL));
	snprintf(task, sizeof(task), "/proc/self/task/%d", (int)st.tid);
	for (int i = 0; i < 6000 && access(task, F_OK) == 0; i++)
		nanosleep(&tick, NULL);
	assert_int_not_equal(0, access(task, F_OK));
	return st.child;
}

static void test_dies_with_its_thread(void **state)
{
	pid_t pid = child_of_ended_thread(0);
	int status;

	(void)state;
	assert_int_equal(pid, waitpid(pid, &status, 0));
	assert_true(WIFSIGNALED(status));
	assert_int_equal(SIGKILL, WTERMSIG(status));
}

static void test_detached_outlives_its_thread(void **state)
{
	pid_t pid = child_of_ended_thread(TX_SPAWN_DETACHED);
	int status;

	(void)state;
	assert_int_equal(0, waitpid(pid, &status, WNOHANG));
	assert_int_equal(0, kill(pid, SIGTERM));
	assert_int_equal(pid, waitpid(pid, &status, 0));
	assert_true(WIFSIGNALED(status));
	assert_int_equal(SIGTERM, WTERMSIG(status));
}

/* ---- programs and environments -------------------------------------- */

static void test_find(void **state)
{
	char *p = NULL;

	(void)state;
	assert_int_equal(0, tx_spawn_find("sh", "/nonexistent::/bin", &p));
	assert_string_equal("/bin/sh", p);
	free(p);
	assert_int_equal(-ENOENT, tx_spawn_find("no-such-program-here",
						"/bin:/usr/bin", &p));
	assert_null(p);
	/* A directory of that name is not a program. */
	assert_int_equal(-ENOENT, tx_spawn_find("tmp", "/", &p));
	assert_int_equal(0, tx_spawn_find("./x/y", "/bin", &p));
	assert_string_equal("./x/y", p);
	free(p);
	/* No PATH (or an empty one): the default, which has sh. */
	assert_int_equal(0, tx_spawn_find("sh", NULL, &p));
	assert_non_null(strstr(p, "/sh"));
	free(p);
	assert_int_equal(0, tx_spawn_find("sh", "", &p));
	free(p);
	/* An empty name is no program. */
	assert_int_equal(-ENOENT, tx_spawn_find("", "/bin", &p));
	assert_null(p);
}

/* What cannot be started is refused before anything is forked. */
static void test_start_refuses(void **state)
{
	char *argv[] = { "/bin/true", NULL };
	char *envp[] = { NULL };
	struct tx_spawn s = { .path = "/bin/true", .argv = argv, .envp = envp };
	char *none[] = { NULL };
	pid_t pid;

	(void)state;
	assert_int_equal(-EINVAL, tx_spawn_start(NULL, &pid, NULL));
	assert_int_equal(-EINVAL, tx_spawn_start(&s, NULL, NULL));
	s.argv = none;
	assert_int_equal(-EINVAL, tx_spawn_start(&s, &pid, NULL));
	s.argv = argv;
	s.envp = NULL;
	assert_int_equal(-EINVAL, tx_spawn_start(&s, &pid, NULL));
	s.envp = envp;
	s.path = NULL;
	assert_int_equal(-EINVAL, tx_spawn_start(&s, &pid, NULL));
	assert_string_equal("cannot set up",
			    tx_spawn_stage_text(TX_SPAWN_SETUP));
	assert_string_equal("cannot change to directory",
			    tx_spawn_stage_text(TX_SPAWN_CHDIR));
}

static bool has(char **env, const char *kv)
{
	for (size_t i = 0; env && env[i]; i++)
		if (!strcmp(env[i], kv))
			return true;
	return false;
}

static void test_env_build(void **state)
{
	static const char *const keep[] = { "HOME", "PATH", "TX_T_FN",
					    "TX_T_UNSET", NULL };
	char *const over[] = { "HOME=/over", "X=1", NULL };
	char **env;
	size_t n = 0;

	(void)state;
	setenv("TX_SECRET_TOKEN", "secret", 1);
	setenv("HOME", "/home/t", 1);
	setenv("PATH", "/p", 1);
	setenv("TX_T_FN", "() { echo pwned; }", 1);
	unsetenv("TX_T_UNSET");

	env = tx_spawn_env(keep, false, NULL);
	assert_non_null(env);
	for (n = 0; env[n]; n++)
		;
	assert_int_equal(2, n);
	assert_true(has(env, "HOME=/home/t"));
	assert_true(has(env, "PATH=/p"));
	tx_spawn_env_free(env);

	env = tx_spawn_env(keep, false, over);
	assert_non_null(env);
	assert_true(has(env, "HOME=/over"));
	assert_false(has(env, "HOME=/home/t"));
	assert_true(has(env, "X=1"));
	assert_false(has(env, "TX_SECRET_TOKEN=secret"));
	assert_string_equal("1", tx_spawn_env_get(env, "X"));
	assert_null(tx_spawn_env_get(env, "TX_SECRET_TOKEN"));
	tx_spawn_env_free(env);

	env = tx_spawn_env(keep, true, over);
	assert_non_null(env);
	assert_true(has(env, "TX_SECRET_TOKEN=secret"));
	assert_true(has(env, "HOME=/over"));
	tx_spawn_env_free(env);

	/* An entry without '=' sets nothing. */
	{
		char *const odd[] = { "NOEQUALS", "Y=2", NULL };

		env = tx_spawn_env(NULL, false, odd);
		assert_non_null(env);
		assert_null(env[1]);
		assert_string_equal("Y=2", env[0]);
		tx_spawn_env_free(env);
	}
	unsetenv("TX_SECRET_TOKEN");
	unsetenv("TX_T_FN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_three_descriptors),
		cmocka_unit_test(test_start_refuses),
		cmocka_unit_test(test_exact_environment),
		cmocka_unit_test(test_signal_state_reset),
		cmocka_unit_test(test_group_and_cwd),
		cmocka_unit_test(test_failures_say_where),
		cmocka_unit_test(test_child_hook_runs),
		cmocka_unit_test(test_dies_with_its_thread),
		cmocka_unit_test(test_detached_outlives_its_thread),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_env_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
