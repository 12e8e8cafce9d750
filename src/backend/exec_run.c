/*
 * exec_run.c - one exec call on its own thread: start the program
 * through the spawn module (core/spawn.h: a process group of its own,
 * only descriptors 0-2, default signals, the parent-death signal), feed
 * its input, read its output with caps, end the whole group on cancel,
 * and turn what happened into the job's result.
 *
 * The thread that starts the child is the one that waits for it, for
 * two reasons: PR_SET_PDEATHSIG fires when the *thread* that started it
 * ends (so a child started from a short-lived engine thread would be
 * killed early), and the reaping stays in one place.
 */
#include "backend/exec_i.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clock.h"
#include "engine/job.h"
#include "util/jsonu.h"
#include "util/log.h"
#include "util/spawn.h"

#define READ_CHUNK 65536
/* After the program ended, how long processes that left its group may
 * keep its output open before we stop waiting for them. */
#define DRAIN_MS 1000
/* The engine times calls out; this backstop only covers an engine that
 * did not (and never fires first). */
#define BACKSTOP_EXTRA_MS 1000

void tx_exec_call_stop(struct exec_call *call)
{
	uint64_t one = 1;

	atomic_store(&call->stop, true);
	if (call->wake_fd >= 0 && write(call->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already non-zero, so it wakes. */
	}
}

void tx_exec_call_free(struct exec_call *call)
{
	if (!call)
		return;
	for (size_t i = 0; call->argv && call->argv[i]; i++)
		free(call->argv[i]);
	free(call->argv);
	for (size_t i = 0; call->envp && call->envp[i]; i++)
		free(call->envp[i]);
	free(call->envp);
	free(call->path);
	free(call->cwd);
	free(call->input);
	if (call->wake_fd >= 0)
		close(call->wake_fd);
	free(call);
}

/* ------------------------------------------------------------------ */
/* The parent                                                           */

struct run {
	struct exec_call *call;
	pid_t pid;
	int pidfd;
	int in_fd, out_fd, err_fd;
	size_t in_off;
	struct tx_buf out, err;
	bool out_overflow, err_cut;
	bool exited, stopping, killed, timed_out;
	uint64_t kill_at, drain_until, backstop;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/*
 * Signals the whole group.  Safe while the leader is not reaped: its pid
 * (and so the group ID) cannot be reused before waitpid.
 */
static void group_kill(struct run *r, int sig)
{
	if (kill(-r->pid, sig) < 0 && errno == ESRCH)
		kill(r->pid, sig);
	if (sig == SIGKILL)
		r->killed = true;
}

static void begin_stop(struct run *r, bool hard)
{
	if (r->exited) {
		group_kill(r, SIGKILL);
		return;
	}
	if (hard || r->call->kill_grace_ms == 0) {
		group_kill(r, SIGKILL);
	} else if (!r->stopping) {
		group_kill(r, SIGTERM);
		r->kill_at = tx_mono_ms() + r->call->kill_grace_ms;
	}
	r->stopping = true;
}

static void read_out(struct run *r, char *chunk)
{
	ssize_t n = read(r->out_fd, chunk, READ_CHUNK);
	size_t room;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close_fd(&r->out_fd);
		return;
	}
	room = r->call->max_output - r->out.len;
	if ((size_t)n > room) {
		/* Past the cap: keep what fits, stop the program, fail the
		 * call (docs/config.md: max_output_bytes). */
		if (room) {
			tx_buf_add(&r->out, chunk, room);
			tx_job_output(r->call->job, chunk, room);
		}
		r->out_overflow = true;
		close_fd(&r->out_fd);
		begin_stop(r, true);
		return;
	}
	if (tx_buf_add(&r->out, chunk, (size_t)n) == 0)
		tx_job_output(r->call->job, chunk, (size_t)n);
}

static void read_err(struct run *r, char *chunk)
{
	ssize_t n = read(r->err_fd, chunk, READ_CHUNK);
	size_t room;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close_fd(&r->err_fd);
		return;
	}
	/* Diagnostics past the cap are read and dropped, with a note, so
	 * a chatty program never blocks on a full pipe. */
	room = r->call->max_stderr - r->err.len;
	if ((size_t)n > room)
		r->err_cut = true;
	if (room)
		tx_buf_add(&r->err, chunk, (size_t)n < room ? (size_t)n : room);
}

static void write_in(struct run *r)
{
	struct exec_call *call = r->call;
	ssize_t n = write(r->in_fd, call->input + r->in_off,
			  call->input_len - r->in_off);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		/* EPIPE: the program does not read its input; fine. */
		close_fd(&r->in_fd);
		return;
	}
	r->in_off += (size_t)n;
	if (r->in_off >= call->input_len)
		close_fd(&r->in_fd);
}

static void child_exited(struct run *r)
{
	r->exited = true;
	close_fd(&r->pidfd);
	/* The call is over: what the program left running in its group
	 * goes with it. */
	group_kill(r, SIGKILL);
	r->drain_until = tx_mono_ms() + DRAIN_MS;
}

static void io_loop(struct run *r)
{
	struct exec_call *call = r->call;
	char *chunk = malloc(READ_CHUNK);

	if (!chunk) {
		begin_stop(r, true);
		return;
	}
	r->backstop = tx_mono_ms() + call->timeout_ms + BACKSTOP_EXTRA_MS;
	for (;;) {
		struct pollfd p[5];
		int np = 0, ip = -1, op = -1, ep = -1, wp, pp = -1, timeout;
		uint64_t now = tx_mono_ms(), next = UINT64_MAX;

		if (r->out_fd < 0 && r->err_fd < 0 && r->exited)
			break;
		if (r->exited && now >= r->drain_until)
			break;
		if (!r->exited && !r->stopping && now >= r->backstop) {
			r->timed_out = true;
			begin_stop(r, false);
		}
		if (!r->exited && r->stopping && !r->killed && r->kill_at &&
		    now >= r->kill_at)
			group_kill(r, SIGKILL);

		wp = np;
		p[np++] = (struct pollfd){ call->wake_fd, POLLIN, 0 };
		if (r->out_fd >= 0) {
			op = np;
			p[np++] = (struct pollfd){ r->out_fd, POLLIN, 0 };
		}
		if (r->err_fd >= 0) {
			ep = np;
			p[np++] = (struct pollfd){ r->err_fd, POLLIN, 0 };
		}
		if (r->in_fd >= 0) {
			ip = np;
			p[np++] = (struct pollfd){ r->in_fd, POLLOUT, 0 };
		}
		if (r->pidfd >= 0) {
			pp = np;
			p[np++] = (struct pollfd){ r->pidfd, POLLIN, 0 };
		}
		if (r->exited)
			next = r->drain_until;
		else if (r->stopping && !r->killed && r->kill_at)
			next = r->kill_at;
		else if (!r->stopping)
			next = r->backstop;
		if (r->pidfd < 0 && !r->exited && 50 + now < next)
			next = now + 50; /* no pidfd: poll waitid */
		timeout = next == UINT64_MAX ? -1
			  : next <= now      ? 0
					     : (int)(next - now);
		if (poll(p, (nfds_t)np, timeout) < 0 && errno != EINTR)
			break;
		if (p[wp].revents & POLLIN) {
			uint64_t v;

			if (read(call->wake_fd, &v, sizeof(v)) < 0) {
				/* EAGAIN: someone else drained it. */
			}
		}
		if (atomic_load(&call->stop) && !r->stopping)
			begin_stop(r, false);
		if (op >= 0 && p[op].revents)
			read_out(r, chunk);
		if (ep >= 0 && r->err_fd >= 0 && p[ep].revents)
			read_err(r, chunk);
		if (ip >= 0 && r->in_fd >= 0 && p[ip].revents)
			write_in(r);
		if (!r->exited) {
			siginfo_t si = { 0 };

			if ((pp >= 0 && p[pp].revents) || r->pidfd < 0) {
				if (waitid(P_PID, (id_t)r->pid, &si,
					   WEXITED | WNOHANG | WNOWAIT) == 0 &&
				    si.si_pid == r->pid)
					child_exited(r);
			}
		}
	}
	free(chunk);
}

/* Text that is not UTF-8 gets U+FFFD per bad byte: JSON carries only
 * Unicode, and a lossy result is better than none. */
static char *utf8_clean(const char *s, size_t len, size_t *outlen)
{
	struct tx_buf b;

	if (tx_utf8_valid(s, len)) {
		char *d = malloc(len + 1);

		if (!d)
			return NULL;
		memcpy(d, s, len);
		d[len] = '\0';
		*outlen = len;
		return d;
	}
	tx_buf_init(&b, 0);
	for (size_t i = 0; i < len;) {
		size_t n = 1;
		unsigned char c = (unsigned char)s[i];

		if (c >= 0xC2 && c <= 0xF4)
			n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		if (n > 1 && i + n <= len && tx_utf8_valid(s + i, n)) {
			tx_buf_add(&b, s + i, n);
			i += n;
		} else if (c < 0x80) {
			tx_buf_add(&b, s + i, 1);
			i++;
		} else {
			tx_buf_add(&b, "\xEF\xBF\xBD", 3);
			i++;
		}
	}
	return tx_buf_detach(&b, outlen);
}

static int add_text(struct tx_result *res, const char *s, size_t len)
{
	size_t clen;
	char *clean = utf8_clean(s, len, &clen);
	int rc;

	if (!clean)
		return -ENOMEM;
	rc = tx_result_add_text(res, clean, clen);
	free(clean);
	return rc;
}

/* The exit status counts as success ("success_codes", default [0]). */
static bool exit_ok(const struct exec_call *call, int code)
{
	return call->success[code / 64] >> (code % 64) & 1;
}

static void complete(struct run *r, int status)
{
	struct exec_call *call = r->call;
	struct tx_job *job = call->job;
	struct tx_result *res;
	char line[160];

	if (r->out_overflow) {
		tx_job_fail(
			job, EFBIG, "output_too_large",
			"%s wrote more than max_output_bytes (%zu bytes) "
			"to standard output and was stopped; jobs/%s/stream "
			"holds the first %zu bytes",
			call->argv[0], call->max_output, tx_job_id(job),
			call->max_output);
		return;
	}
	if (r->timed_out) {
		tx_job_fail(job, ETIMEDOUT, "timeout",
			    "%s did not finish within %u ms, the timeout of "
			    "%s: its \"timeout_ms\" in the configuration",
			    call->argv[0], call->timeout_ms,
			    tx_job_tool_id(job));
		return;
	}
	if (atomic_load(&call->stop)) {
		/* Cancelled or timed out: the job is final already, unless
		 * the engine is shutting down. */
		tx_job_fail(job, ECANCELED, "cancelled",
			    "the call was stopped before %s finished",
			    call->argv[0]);
		return;
	}
	res = tx_result_new();
	if (!res) {
		tx_job_fail(job, ENOMEM, "no_memory", "out of memory");
		return;
	}
	if (WIFEXITED(status) && exit_ok(call, WEXITSTATUS(status))) {
		struct json_object *v;
		char jerr[64];

		add_text(res, r->out.data ? r->out.data : "", r->out.len);
		v = r->out.len ? tx_json_parse(r->out.data, r->out.len,
					       TX_JSON_DEPTH_MAX, jerr,
					       sizeof(jerr))
			       : NULL;
		if (v && (json_object_is_type(v, json_type_object) ||
			  json_object_is_type(v, json_type_array)))
			tx_result_set_structured(res, v);
		else if (v)
			json_object_put(v);
		tx_job_complete(job, res);
		return;
	}
	/* The program ran and failed: its own words first. */
	tx_result_set_is_error(res, true);
	if (r->err.len)
		add_text(res, r->err.data, r->err.len);
	if (r->err_cut) {
		snprintf(line, sizeof(line),
			 "[standard error cut at max_stderr_bytes (%zu)]",
			 call->max_stderr);
		tx_result_add_text(res, line, strlen(line));
	}
	if (r->out.len)
		add_text(res, r->out.data, r->out.len);
	if (WIFEXITED(status)) {
		snprintf(line, sizeof(line), "%s: exit status %d",
			 call->argv[0], WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		const char *abbrev = sigabbrev_np(sig);

		snprintf(line, sizeof(line), "%s: killed by signal SIG%s (%s)",
			 call->argv[0], abbrev ? abbrev : "?", strsignal(sig));
	} else {
		snprintf(line, sizeof(line), "%s: ended with status 0x%x",
			 call->argv[0], (unsigned)status);
	}
	tx_result_add_text(res, line, strlen(line));
	tx_job_complete(job, res);
}

static void spawn_failed(struct exec_call *call,
			 const struct tx_spawn_error *se)
{
	const char *obj = se->stage == TX_SPAWN_CHDIR ? call->cwd : call->path;

	tx_job_fail(call->job, EIO, "exec_failed", "%s \"%s\": %s",
		    tx_spawn_stage_text(se->stage), obj, strerror(se->err));
}

static void run_call(struct exec_call *call)
{
	struct run r = { .call = call,
			 .pidfd = -1,
			 .in_fd = -1,
			 .out_fd = -1,
			 .err_fd = -1 };
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int status = 0, rc;
	struct tx_spawn_error se;
	struct tx_spawn sp = {
		.path = call->path,
		.argv = call->argv,
		.envp = call->envp,
		.cwd = call->cwd,
	};

	tx_buf_init(&r.out, call->max_output + 1);
	tx_buf_init(&r.err, call->max_stderr + 1);
	if (atomic_load(&call->stop) || tx_job_is_final(call->job)) {
		/* Stopped before it began (dropped when already final). */
		tx_job_fail(call->job, ECANCELED, "cancelled",
			    "the call was stopped before it started");
		return;
	}
	if ((call->input && pipe2(in, O_CLOEXEC)) || pipe2(out, O_CLOEXEC) ||
	    pipe2(err, O_CLOEXEC)) {
		tx_job_fail(call->job, EIO, "exec_failed",
			    "cannot create pipes: %s", strerror(errno));
		goto out_close;
	}
	/* No input: the spawn module gives the child /dev/null.  This
	 * thread waits for the child, so the child may die with it. */
	sp.fd[0] = in[0];
	sp.fd[1] = out[1];
	sp.fd[2] = err[1];
	rc = tx_spawn_start(&sp, &r.pid, &se);
	close_fd(&in[0]);
	close_fd(&out[1]);
	close_fd(&err[1]);
	if (rc) {
		spawn_failed(call, &se);
		goto out_close;
	}

	r.in_fd = in[1];
	in[1] = -1;
	r.out_fd = out[0];
	out[0] = -1;
	r.err_fd = err[0];
	err[0] = -1;
	r.pidfd = (int)syscall(SYS_pidfd_open, r.pid, 0);
	if (r.in_fd >= 0) {
		set_nonblock(r.in_fd);
		if (call->input_len == 0)
			close_fd(&r.in_fd);
	}
	set_nonblock(r.out_fd);
	set_nonblock(r.err_fd);
	io_loop(&r);
	/* Whatever happened, nothing of the group outlives the call. */
	if (!r.exited)
		group_kill(&r, SIGKILL);
	else
		kill(-r.pid, SIGKILL);
	while (waitpid(r.pid, &status, 0) < 0 && errno == EINTR)
		;
	close_fd(&r.pidfd);
	close_fd(&r.in_fd);
	close_fd(&r.out_fd);
	close_fd(&r.err_fd);
	complete(&r, status);

out_close:
	for (int i = 0; i < 2; i++) {
		close_fd(&in[i]);
		close_fd(&out[i]);
		close_fd(&err[i]);
	}
	tx_buf_release(&r.out);
	tx_buf_release(&r.err);
}

void *tx_exec_run(void *arg)
{
	struct exec_call *call = arg;
	struct exec_backend *be = call->be;
	struct tx_job *job = call->job;

	run_call(call);
	tx_job_set_backend_data(job, NULL);
	pthread_mutex_lock(&be->lock);
	/* Under the lock: stop() writes to it only while it is >= 0. */
	close(call->wake_fd);
	call->wake_fd = -1;
	call->job = NULL;
	call->finished = true;
	be->running--;
	pthread_mutex_unlock(&be->lock);
	tx_job_unref(job);
	return NULL;
}
