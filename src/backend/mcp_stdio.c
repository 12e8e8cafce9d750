/*
 * mcp_stdio.c - the stdio transport: the server is a child process
 * that reads messages on stdin and writes them on stdout, one per line.
 *
 * The child runs in its own process group (so SIGTERM/SIGKILL reach
 * whatever it starts, e.g. npx -> node), is started with posix_spawnp
 * (no shell, no allocation between fork and exec), and gets only the
 * three pipe ends: every descriptor of ours is O_CLOEXEC.  One reader
 * thread polls stdout, stderr and a wake-up eventfd.
 */
#include "backend/mcp_i.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"
#include "util/log.h"

extern char **environ;

/* After stdout ends, how long stderr may still deliver a crash message. */
#define DRAIN_MS 300
/* Grace after closing stdin, and after SIGTERM. */
#define CLOSE_GRACE_MS 500
#define TERM_GRACE_MS 1000
#define WRITE_TIMEOUT_MAX_MS 10000u

struct stdio_conn {
	struct tx_mcp_conn base;
	pid_t pid;
	int in_fd;		/* server's stdin; -1 once closed (write_mu) */
	int out_fd;		/* reader thread only */
	int err_fd;		/* reader thread only */
	int wake_fd;		/* eventfd: stop() wakes the reader */
	int pid_fd;		/* pidfd of the server; -1 on old kernels */
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t write_mu;	/* in_fd and the bytes written to it */
	pthread_mutex_t mu;		/* reaped, status */
	bool reaped;
	int status;
	atomic_bool stopping;
	atomic_bool stopped;
	unsigned write_timeout_ms;
	struct tx_mcp_lines lines;	/* reader thread only */
	char errline[TX_MCP_STDERR_LINE_MAX + 4];
	size_t errlen;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Reaps the child, waiting up to wait_ms for it to exit.  When it has
 * exited, the rest of its process group is killed before the leader is
 * reaped: the zombie leader keeps the group ID from being reused.
 * Returns true once reaped.
 */
static bool reap(struct stdio_conn *c, unsigned wait_ms)
{
	uint64_t end = tx_mono_ms() + wait_ms;
	bool done;

	pthread_mutex_lock(&c->mu);
	while (!c->reaped) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)c->pid, &si,
			   WEXITED | WNOHANG | WNOWAIT) < 0) {
			if (errno == EINTR)
				continue;
			/* ECHILD: someone else reaped it. */
			c->reaped = true;
			c->status = -1;
			break;
		}
		if (si.si_pid == c->pid) {
			kill(-c->pid, SIGKILL);
			while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
				;
			c->reaped = true;
			break;
		}
		if (tx_mono_ms() >= end)
			break;
		sleep_ms(10);
	}
	done = c->reaped;
	pthread_mutex_unlock(&c->mu);
	return done;
}

static void exit_reason(struct stdio_conn *c, char *out, size_t outlen)
{
	int st;

	pthread_mutex_lock(&c->mu);
	st = c->status;
	pthread_mutex_unlock(&c->mu);
	if (st == -1)
		snprintf(out, outlen, "server exited");
	else if (WIFEXITED(st))
		snprintf(out, outlen, "server exited with status %d",
			 WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(out, outlen, "server exited: killed by signal %d (%s)",
			 WTERMSIG(st), strsignal(WTERMSIG(st)));
	else
		snprintf(out, outlen, "server exited");
}

static void on_line(void *ctx, const char *line, size_t len)
{
	struct stdio_conn *c = ctx;

	if (len == 0)
		return;	/* blank lines are harmless */
	c->base.cbs.message(c->base.cbs.ctx, &c->base, line, len);
}

static void stderr_flush(struct stdio_conn *c)
{
	if (!c->errlen)
		return;
	c->errline[c->errlen] = '\0';
	if (c->base.cbs.stderr_line)
		c->base.cbs.stderr_line(c->base.cbs.ctx, &c->base, c->errline);
	c->errlen = 0;
}

static void stderr_feed(struct stdio_conn *c, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			stderr_flush(c);
			continue;
		}
		if (c->errlen < TX_MCP_STDERR_LINE_MAX) {
			c->errline[c->errlen++] = p[i];
		} else if (c->errlen == TX_MCP_STDERR_LINE_MAX) {
			/* Keep a long line's start, mark the cut once. */
			memcpy(c->errline + c->errlen, "...", 3);
			c->errlen += 3;
		}
	}
}

static void *reader_main(void *arg)
{
	struct stdio_conn *c = arg;
	char buf[65536];
	char reason[256] = "";
	uint64_t out_end = 0;

	for (;;) {
		struct pollfd pfd[4] = {
			{ .fd = c->out_fd, .events = POLLIN },
			{ .fd = c->err_fd, .events = POLLIN },
			{ .fd = c->wake_fd, .events = POLLIN },
			{ .fd = c->pid_fd, .events = POLLIN },
		};
		int timeout = -1;
		int rc;

		if (c->out_fd < 0) {
			uint64_t now = tx_mono_ms();

			if (c->err_fd < 0 || now >= out_end + DRAIN_MS)
				break;
			timeout = (int)(out_end + DRAIN_MS - now);
		}
		rc = poll(pfd, 4, timeout);
		if (rc < 0 && errno != EINTR)
			break;
		if (atomic_load(&c->stopping))
			break;
		if (pfd[3].revents) {
			/* The server itself exited, but something it started
			 * may still hold its stdout open (npx -> node): end
			 * the group so the pipes close.  The unreaped leader
			 * keeps the group ID from being reused meanwhile. */
			kill(-c->pid, SIGKILL);
			close_fd(&c->pid_fd);
		}
		if (pfd[0].revents) {
			ssize_t n = read(c->out_fd, buf, sizeof(buf));

			if (n > 0) {
				rc = tx_mcp_lines_feed(&c->lines, buf, (size_t)n,
						       on_line, c);
				if (rc == -EFBIG) {
					tx_log(TX_LOG_ERROR,
					       "mcp %s: a message longer than %u "
					       "bytes; discarded, restarting the "
					       "server", c->base.name,
					       TX_MCP_LINE_MAX);
					snprintf(reason, sizeof(reason),
						 "server sent a message over %u "
						 "bytes", TX_MCP_LINE_MAX);
					kill(-c->pid, SIGKILL);
					close_fd(&c->out_fd);
					out_end = tx_mono_ms();
				}
			} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				close_fd(&c->out_fd);
				out_end = tx_mono_ms();
			}
		}
		if (pfd[1].revents) {
			ssize_t n = read(c->err_fd, buf, sizeof(buf));

			if (n > 0) {
				stderr_feed(c, buf, (size_t)n);
			} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				stderr_flush(c);
				close_fd(&c->err_fd);
			}
		}
	}
	stderr_flush(c);
	if (atomic_load(&c->stopping))
		return NULL;	/* stop() reaps and reports nothing */
	/* stdout is gone: the server is of no more use.  Give it a moment
	 * to exit by itself (its status says more than a kill), then end
	 * the group. */
	if (!reap(c, 500)) {
		kill(-c->pid, SIGKILL);
		reap(c, 5000);
	}
	if (!reason[0])
		exit_reason(c, reason, sizeof(reason));
	c->base.cbs.closed(c->base.cbs.ctx, &c->base, reason);
	return NULL;
}

static int stdio_send(struct tx_mcp_conn *base, const char *text, size_t len,
		      int64_t id)
{
	struct stdio_conn *c = (struct stdio_conn *)base;
	struct iovec iov[2] = {
		{ (void *)text, len },
		{ (void *)"\n", 1 },
	};
	size_t left = len + 1;
	uint64_t end = tx_mono_ms() + c->write_timeout_ms;
	sigset_t pipe_set, old;
	int rc = 0;
	bool partial = false;

	(void)id;
	/* A server that died makes write() raise SIGPIPE; block it in this
	 * thread and swallow a pending one, so the daemon never dies of it
	 * (curl does the same). */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	pthread_mutex_lock(&c->write_mu);
	while (left) {
		ssize_t n;

		if (c->in_fd < 0) {
			rc = -EPIPE;
			break;
		}
		n = writev(c->in_fd, iov, 2);
		if (n > 0) {
			size_t k = (size_t)n;

			left -= k;
			partial = left > 0;
			for (int i = 0; i < 2 && k; i++) {
				size_t t = k < iov[i].iov_len ? k : iov[i].iov_len;

				iov[i].iov_base = (char *)iov[i].iov_base + t;
				iov[i].iov_len -= t;
				k -= t;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = c->in_fd, .events = POLLOUT };
			uint64_t now = tx_mono_ms();

			if (now >= end) {
				rc = -ETIMEDOUT;
				break;
			}
			poll(&pfd, 1, (int)(end - now));
			continue;
		}
		rc = -errno;
		break;
	}
	if (rc == -EPIPE || rc == -ETIMEDOUT || partial) {
		/* Half a message on the pipe, or a server that stopped
		 * reading: the stream is beyond repair.  Ending the group
		 * makes the reader report closed(). */
		if (rc == -ETIMEDOUT)
			tx_log(TX_LOG_ERROR, "mcp %s: server stopped reading its "
			       "input; restarting it", c->base.name);
		close_fd(&c->in_fd);
		kill(-c->pid, SIGKILL);
		if (!rc)
			rc = -EIO;
	}
	pthread_mutex_unlock(&c->write_mu);
	if (rc == -EPIPE) {
		struct timespec zero = { 0, 0 };

		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static void stdio_stop(struct tx_mcp_conn *base)
{
	struct stdio_conn *c = (struct stdio_conn *)base;
	uint64_t one = 1;

	if (atomic_exchange(&c->stopped, true))
		return;
	atomic_store(&c->stopping, true);
	if (write(c->wake_fd, &one, sizeof(one)) < 0) {
		/* Cannot fail on an eventfd below its maximum. */
	}
	if (c->thread_started)
		pthread_join(c->thread, NULL);
	/* Closing stdin is how stdio servers are asked to leave. */
	pthread_mutex_lock(&c->write_mu);
	close_fd(&c->in_fd);
	pthread_mutex_unlock(&c->write_mu);
	if (!reap(c, CLOSE_GRACE_MS)) {
		kill(-c->pid, SIGTERM);
		if (!reap(c, TERM_GRACE_MS)) {
			kill(-c->pid, SIGKILL);
			reap(c, 5000);
		}
	}
}

static void stdio_free(struct tx_mcp_conn *base)
{
	struct stdio_conn *c = (struct stdio_conn *)base;

	if (!c)
		return;
	close_fd(&c->in_fd);
	close_fd(&c->out_fd);
	close_fd(&c->err_fd);
	close_fd(&c->wake_fd);
	close_fd(&c->pid_fd);
	tx_mcp_lines_release(&c->lines);
	pthread_mutex_destroy(&c->write_mu);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static void stdio_describe(struct tx_mcp_conn *base, char *out, size_t outlen)
{
	struct stdio_conn *c = (struct stdio_conn *)base;

	snprintf(out, outlen, "stdio, pid %ld", (long)c->pid);
}

static const struct tx_mcp_conn_ops stdio_ops = {
	.send = stdio_send,
	.ready = NULL,
	.abort = NULL,
	.stop = stdio_stop,
	.free = stdio_free,
	.describe = stdio_describe,
};

/* environ with spec->env applied ("KEY=VALUE" replaces KEY).  The
 * strings are borrowed; only the array is malloc'd. */
static char **build_env(char *const *over)
{
	size_t n = 0, m = 0, k = 0;
	char **env;

	for (char **e = environ; e && *e; e++)
		n++;
	for (char *const *o = over; o && *o; o++)
		m++;
	env = calloc(n + m + 1, sizeof(*env));
	if (!env)
		return NULL;
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t klen = eq ? (size_t)(eq - *e) : strlen(*e);
		bool replaced = false;

		for (char *const *o = over; o && *o; o++) {
			if (!strncmp(*o, *e, klen) && (*o)[klen] == '=') {
				replaced = true;
				break;
			}
		}
		if (!replaced)
			env[k++] = *e;
	}
	for (char *const *o = over; o && *o; o++)
		env[k++] = *o;
	env[k] = NULL;
	return env;
}

struct tx_mcp_conn *tx_mcp_stdio_open(const struct tx_mcp_spec *spec,
				      const struct tx_mcp_conn_cbs *cbs,
				      char *err, size_t errlen)
{
	struct stdio_conn *c = NULL;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	bool fa_init = false, attr_init = false;
	char **argv = NULL, **env = NULL;
	size_t argc = 0;
	sigset_t none, dfl;
	int rc;

	if (!spec->command || !spec->command[0]) {
		snprintf(err, errlen, "no command");
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		goto out_nomem;
	c->base.ops = &stdio_ops;
	c->base.cbs = *cbs;
	c->base.name = spec->name;
	c->pid = -1;
	c->in_fd = c->out_fd = c->err_fd = c->wake_fd = c->pid_fd = -1;
	c->write_timeout_ms = spec->timeout_ms < WRITE_TIMEOUT_MAX_MS
				      ? spec->timeout_ms
				      : WRITE_TIMEOUT_MAX_MS;
	if (!c->write_timeout_ms)
		c->write_timeout_ms = WRITE_TIMEOUT_MAX_MS;
	pthread_mutex_init(&c->write_mu, NULL);
	pthread_mutex_init(&c->mu, NULL);
	tx_mcp_lines_init(&c->lines, TX_MCP_LINE_MAX);

	for (char *const *a = spec->args; a && *a; a++)
		argc++;
	argv = calloc(argc + 2, sizeof(*argv));
	env = build_env(spec->env);
	if (!argv || !env)
		goto out_nomem;
	argv[0] = spec->command;
	for (size_t i = 0; i < argc; i++)
		argv[i + 1] = spec->args[i];

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) ||
	    pipe2(errp, O_CLOEXEC)) {
		rc = errno;
		snprintf(err, errlen, "pipe: %s", strerror(rc));
		goto out_fail;
	}
	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->wake_fd < 0) {
		rc = errno;
		snprintf(err, errlen, "eventfd: %s", strerror(rc));
		goto out_fail;
	}
	/* Our end of stdin is non-blocking so a server that stops reading
	 * costs a bounded wait, not a stuck thread. */
	fcntl(in[1], F_SETFL, O_NONBLOCK);

	if ((rc = posix_spawn_file_actions_init(&fa)))
		goto out_spawn_err;
	fa_init = true;
	if ((rc = posix_spawnattr_init(&attr)))
		goto out_spawn_err;
	attr_init = true;
	if ((rc = posix_spawn_file_actions_adddup2(&fa, in[0], 0)) ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, out[1], 1)) ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, errp[1], 2)))
		goto out_spawn_err;
	if (spec->cwd &&
	    (rc = posix_spawn_file_actions_addchdir_np(&fa, spec->cwd)))
		goto out_spawn_err;
	/* Own process group; signals back to their defaults (the daemon
	 * may ignore SIGPIPE or block signals in this thread). */
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGCHLD);
	if ((rc = posix_spawnattr_setpgroup(&attr, 0)) ||
	    (rc = posix_spawnattr_setsigmask(&attr, &none)) ||
	    (rc = posix_spawnattr_setsigdefault(&attr, &dfl)) ||
	    (rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
							  POSIX_SPAWN_SETSIGMASK |
							  POSIX_SPAWN_SETSIGDEF)))
		goto out_spawn_err;
	rc = posix_spawnp(&c->pid, spec->command, &fa, &attr, argv, env);
	if (rc) {
		c->pid = -1;
		snprintf(err, errlen, "cannot run \"%s\"%s%s: %s", spec->command,
			 spec->cwd ? " in " : "", spec->cwd ? spec->cwd : "",
			 strerror(rc));
		goto out_fail;
	}
	close_fd(&in[0]);
	close_fd(&out[1]);
	close_fd(&errp[1]);
#ifdef SYS_pidfd_open
	/* pidfds are close-on-exec by default. */
	c->pid_fd = (int)syscall(SYS_pidfd_open, c->pid, 0);
#endif
	c->in_fd = in[1];
	c->out_fd = out[0];
	c->err_fd = errp[0];
	in[1] = out[0] = errp[0] = -1;

	rc = pthread_create(&c->thread, NULL, reader_main, c);
	if (rc) {
		snprintf(err, errlen, "thread: %s", strerror(rc));
		atomic_store(&c->stopped, true);
		atomic_store(&c->stopping, true);
		close_fd(&c->in_fd);
		kill(-c->pid, SIGKILL);
		reap(c, 5000);
		goto out_fail;
	}
	c->thread_started = true;
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(argv);
	free(env);
	return &c->base;

out_spawn_err:
	snprintf(err, errlen, "posix_spawn set-up: %s", strerror(rc));
	goto out_fail;
out_nomem:
	rc = ENOMEM;
	snprintf(err, errlen, "out of memory");
out_fail:
	if (fa_init)
		posix_spawn_file_actions_destroy(&fa);
	if (attr_init)
		posix_spawnattr_destroy(&attr);
	for (int i = 0; i < 2; i++) {
		close_fd(&in[i]);
		close_fd(&out[i]);
		close_fd(&errp[i]);
	}
	free(argv);
	free(env);
	stdio_free(c ? &c->base : NULL);
	errno = rc;
	return NULL;
}
