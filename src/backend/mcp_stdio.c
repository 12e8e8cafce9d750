/*
 * mcp_stdio.c - the stdio transport: the server is a child process
 * that reads messages on stdin and writes them on stdout, one per line.
 *
 * The child starts through the spawn module (core/spawn.h): no shell,
 * its own process group (so SIGTERM/SIGKILL reach whatever it starts,
 * e.g. npx -> node), only the three pipe ends, default signals, the
 * parent-death signal, and only a safe environment unless the
 * configuration says inherit_env.  One I/O thread polls stdout,
 * stderr, the server's stdin (while messages wait to be written) and a
 * wake-up eventfd.
 *
 * Sending never blocks the caller, who may be a FUSE worker thread (a
 * call starts in a read, a flush or a cancel): send() writes what the
 * pipe takes at once and queues the rest, and the I/O thread writes the
 * queue as the server reads.  The queue has a cap; a server that takes
 * nothing for longer than a call may last is reset.
 */
#include "backend/mcp_i.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"
#include "engine/tool.h"
#include "util/log.h"
#include "util/spawn.h"

/* After stdout ends, how long stderr may still deliver a crash message. */
#define DRAIN_MS 300
/* Grace after closing stdin, and after SIGTERM. */
#define CLOSE_GRACE_MS 500
#define TERM_GRACE_MS  1000
/* A server that reads none of its input for its call timeout plus this
 * is reset: by then every call waiting on it has timed out. */
#define STALL_GRACE_MS 5000u

struct stdio_conn {
	struct tx_mcp_conn base;
	pid_t pid;
	int in_fd;            /* server's stdin; -1 once closed (write_mu) */
	struct tx_buf outq;   /* write_mu: bytes waiting for the server */
	size_t outq_off;      /* write_mu: how many of them are written */
	uint64_t stall_since; /* write_mu: last progress while queued */
	unsigned stall_ms;    /* no progress for this long: reset */
	int out_fd;           /* reader thread only */
	int err_fd;           /* reader thread only */
	int wake_fd;          /* eventfd: stop() wakes the reader */
	int pid_fd;           /* pidfd of the server; -1 on old kernels */
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t write_mu; /* in_fd and the queue */
	pthread_mutex_t mu;       /* reaped, status */
	bool reaped;
	int status;
	atomic_bool stopping;
	atomic_bool stopped;
	struct tx_mcp_lines lines; /* reader thread only */
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
			while (waitpid(c->pid, &c->status, 0) < 0 &&
			       errno == EINTR)
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
		return; /* blank lines are harmless */
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

/* Ends the server's input for good (write_mu held): the stream is
 * beyond repair.  Ending the group makes the reader report closed(). */
static void input_broken(struct stdio_conn *c)
{
	close_fd(&c->in_fd);
	tx_buf_release(&c->outq);
	c->outq_off = 0;
	c->stall_since = 0;
	kill(-c->pid, SIGKILL);
}

static size_t queued(const struct stdio_conn *c)
{
	return c->outq.len - c->outq_off;
}

/* Writes what the pipe takes of the queue (write_mu held).  SIGPIPE is
 * blocked in the calling thread. */
static int flush_queue(struct stdio_conn *c)
{
	while (queued(c) && c->in_fd >= 0) {
		ssize_t n =
			write(c->in_fd, c->outq.data + c->outq_off, queued(c));

		if (n > 0) {
			c->outq_off += (size_t)n;
			c->stall_since = tx_mono_ms();
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		/* EPIPE: the server closed its stdin or died. */
		input_broken(c);
		return -EPIPE;
	}
	if (!queued(c)) {
		c->outq.len = c->outq_off = 0;
		c->stall_since = 0;
	}
	return 0;
}

/* The I/O thread's side of sending: write more of the queue, or reset a
 * server that has read nothing for too long.  Returns the poll timeout
 * the queue needs (-1: none) and whether to wait for POLLOUT. */
static int pump_input(struct stdio_conn *c, bool *want_out)
{
	int timeout = -1;

	*want_out = false;
	pthread_mutex_lock(&c->write_mu);
	if (flush_queue(c) == -EPIPE) {
		struct timespec zero = { 0, 0 };
		sigset_t pipe_set;

		sigemptyset(&pipe_set);
		sigaddset(&pipe_set, SIGPIPE);
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	if (queued(c) && c->in_fd >= 0) {
		uint64_t now = tx_mono_ms();

		if (now - c->stall_since >= c->stall_ms) {
			tx_log(TX_LOG_ERROR,
			       "mcp %s: server read none of its "
			       "input for %u ms (%zu bytes wait); restarting it",
			       c->base.name, c->stall_ms, queued(c));
			input_broken(c);
		} else {
			*want_out = true;
			timeout = (int)(c->stall_since + c->stall_ms - now);
		}
	}
	pthread_mutex_unlock(&c->write_mu);
	return timeout;
}

static void *reader_main(void *arg)
{
	struct stdio_conn *c = arg;
	char buf[65536];
	char reason[256] = "";
	uint64_t out_end = 0;
	sigset_t pipe_set;

	/* Writing to a server that died raises SIGPIPE in this thread;
	 * keep it blocked here (flush_queue swallows a pending one). */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
	for (;;) {
		struct pollfd pfd[5] = {
			{ .fd = c->out_fd, .events = POLLIN },
			{ .fd = c->err_fd, .events = POLLIN },
			{ .fd = c->wake_fd, .events = POLLIN },
			{ .fd = c->pid_fd, .events = POLLIN },
			{ .fd = -1, .events = POLLOUT },
		};
		bool want_out;
		int timeout = pump_input(c, &want_out);
		int rc;

		if (want_out) {
			/* Only this thread and send() (under write_mu) touch
			 * in_fd; a stale number only wakes us once more. */
			pthread_mutex_lock(&c->write_mu);
			pfd[4].fd = c->in_fd;
			pthread_mutex_unlock(&c->write_mu);
		}
		if (c->out_fd < 0) {
			uint64_t now = tx_mono_ms();
			int left;

			if (c->err_fd < 0 || now >= out_end + DRAIN_MS)
				break;
			left = (int)(out_end + DRAIN_MS - now);
			if (timeout < 0 || left < timeout)
				timeout = left;
		}
		rc = poll(pfd, 5, timeout);
		if (rc < 0 && errno != EINTR)
			break;
		if (atomic_load(&c->stopping))
			break;
		if (pfd[2].revents) {
			uint64_t v;

			if (read(c->wake_fd, &v, sizeof(v)) < 0) {
				/* EAGAIN: drained already. */
			}
		}
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
				rc = tx_mcp_lines_feed(&c->lines, buf,
						       (size_t)n, on_line, c);
				if (rc == -EFBIG) {
					tx_log(TX_LOG_ERROR,
					       "mcp %s: a message longer than %u "
					       "bytes; discarded, restarting the "
					       "server",
					       c->base.name, TX_MCP_LINE_MAX);
					snprintf(
						reason, sizeof(reason),
						"server sent a message over %u "
						"bytes",
						TX_MCP_LINE_MAX);
					kill(-c->pid, SIGKILL);
					close_fd(&c->out_fd);
					out_end = tx_mono_ms();
				}
			} else if (n == 0 ||
				   (errno != EINTR && errno != EAGAIN)) {
				close_fd(&c->out_fd);
				out_end = tx_mono_ms();
			}
		}
		if (pfd[1].revents) {
			ssize_t n = read(c->err_fd, buf, sizeof(buf));

			if (n > 0) {
				stderr_feed(c, buf, (size_t)n);
			} else if (n == 0 ||
				   (errno != EINTR && errno != EAGAIN)) {
				stderr_flush(c);
				close_fd(&c->err_fd);
			}
		}
	}
	stderr_flush(c);
	if (atomic_load(&c->stopping))
		return NULL; /* stop() reaps and reports nothing */
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

/*
 * Never waits for the server: writes what the pipe takes now and queues
 * the rest for the I/O thread.  -ENOBUFS when the queue would pass
 * TX_MCP_SEND_QUEUE_MAX (nothing of the message is sent: the stream
 * stays whole), -EPIPE when the server's input is closed.
 */
static int stdio_send(struct tx_mcp_conn *base, const char *text, size_t len,
		      int64_t id)
{
	struct stdio_conn *c = (struct stdio_conn *)base;
	sigset_t pipe_set, old;
	uint64_t one = 1;
	size_t before;
	bool was_empty;
	int rc = 0;

	(void)id;
	/* A server that died makes write() raise SIGPIPE; block it in this
	 * thread and swallow a pending one, so the daemon never dies of it
	 * (curl does the same). */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	pthread_mutex_lock(&c->write_mu);
	if (c->in_fd < 0) {
		rc = -EPIPE;
		goto out_unlock;
	}
	if (len + 1 > TX_MCP_SEND_QUEUE_MAX - queued(c)) {
		rc = -ENOBUFS;
		goto out_unlock;
	}
	was_empty = !queued(c);
	if (c->outq_off) {
		/* Keep the queue's unsent bytes at its start. */
		memmove(c->outq.data, c->outq.data + c->outq_off, queued(c));
		c->outq.len -= c->outq_off;
		c->outq_off = 0;
	}
	before = c->outq.len;
	if (tx_buf_add(&c->outq, text, len) || tx_buf_add(&c->outq, "\n", 1)) {
		/* Out of memory: take back what this message added. */
		c->outq.len = before;
		rc = -ENOMEM;
		goto out_unlock;
	}
	if (was_empty) {
		c->stall_since = tx_mono_ms();
		rc = flush_queue(c);
	}
	/* What the pipe did not take, the I/O thread writes. */
	if (!rc && queued(c) && write(c->wake_fd, &one, sizeof(one)) < 0) {
		/* Cannot fail on an eventfd below its maximum. */
	}
out_unlock:
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
	/* Closing stdin is how stdio servers are asked to leave; what
	 * still waited to be written is dropped. */
	pthread_mutex_lock(&c->write_mu);
	close_fd(&c->in_fd);
	tx_buf_release(&c->outq);
	c->outq_off = 0;
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
	tx_buf_release(&c->outq);
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

/*
 * What a stdio server gets of the daemon's environment unless its
 * configuration says inherit_env: the variables the official MCP SDKs
 * pass (DEFAULT_INHERITED_ENV_VARS on POSIX), so tokens, keys and agent
 * sockets stay behind.  The server's own "env" goes on top.
 */
static const char *const safe_vars[] = {
	"HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", NULL,
};

struct tx_mcp_conn *tx_mcp_stdio_open(const struct tx_mcp_spec *spec,
				      const struct tx_mcp_conn_cbs *cbs,
				      char *err, size_t errlen)
{
	struct stdio_conn *c = NULL;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	struct tx_spawn sp = { .flags = TX_SPAWN_DETACHED };
	struct tx_spawn_error se;
	char **argv = NULL, **env = NULL, *path = NULL;
	size_t argc = 0;
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
	c->stall_ms = (spec->timeout_ms ? spec->timeout_ms
					: TX_TOOL_TIMEOUT_DEFAULT) +
		      STALL_GRACE_MS;
	tx_buf_init(&c->outq, TX_MCP_SEND_QUEUE_MAX);
	pthread_mutex_init(&c->write_mu, NULL);
	pthread_mutex_init(&c->mu, NULL);
	tx_mcp_lines_init(&c->lines, TX_MCP_LINE_MAX);

	for (char *const *a = spec->args; a && *a; a++)
		argc++;
	argv = calloc(argc + 2, sizeof(*argv));
	env = tx_spawn_env(safe_vars, spec->inherit_env, spec->env);
	if (!argv || !env)
		goto out_nomem;
	argv[0] = spec->command;
	for (size_t i = 0; i < argc; i++)
		argv[i + 1] = spec->args[i];
	/* Looked up in the PATH the server gets, before anything starts. */
	rc = -tx_spawn_find(spec->command, tx_spawn_env_get(env, "PATH"),
			    &path);
	if (rc) {
		snprintf(err, errlen, "cannot run \"%s\": %s", spec->command,
			 rc == ENOENT ? "command not found in PATH"
				      : strerror(rc));
		goto out_fail;
	}

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
	/* Our end of stdin is non-blocking: a server that stops reading
	 * makes the queue grow, never a thread wait. */
	fcntl(in[1], F_SETFL, O_NONBLOCK);

	/* Detached: the server outlives the thread that starts it (the
	 * manager restarts servers; a call may start a lazy one). */
	sp.path = path;
	sp.argv = argv;
	sp.envp = env;
	sp.cwd = spec->cwd;
	sp.fd[0] = in[0];
	sp.fd[1] = out[1];
	sp.fd[2] = errp[1];
	rc = -tx_spawn_start(&sp, &c->pid, &se);
	if (rc) {
		c->pid = -1;
		if (se.stage == TX_SPAWN_CHDIR)
			snprintf(err, errlen, "%s \"%s\": %s",
				 tx_spawn_stage_text(se.stage), spec->cwd,
				 strerror(rc));
		else
			snprintf(err, errlen, "%s \"%s\": %s",
				 tx_spawn_stage_text(se.stage), spec->command,
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
	free(argv);
	free(path);
	tx_spawn_env_free(env);
	return &c->base;

out_nomem:
	rc = ENOMEM;
	snprintf(err, errlen, "out of memory");
out_fail:
	for (int i = 0; i < 2; i++) {
		close_fd(&in[i]);
		close_fd(&out[i]);
		close_fd(&errp[i]);
	}
	free(argv);
	free(path);
	tx_spawn_env_free(env);
	stdio_free(c ? &c->base : NULL);
	errno = rc;
	return NULL;
}
