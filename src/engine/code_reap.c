/*
 * code_reap.c - the reaper: one thread per engine that reads every
 * run's output and reaps every run, with one epoll set over the
 * helpers' pidfds and the runs' stdout and stderr pipes.
 *
 * Why a thread of its own: a script's tool calls are served by this
 * same process.  If the thread that started a run (a FUSE handler) then
 * waited for it, or if reading a run's output depended on a thread that
 * a tool call of that run might occupy, the script and the daemon would
 * wait for each other.  The reaper takes no lock that a tool call holds
 * while it waits, and it never waits for anything but epoll.
 *
 * A run is over when its helper exits (the pidfd turns readable), not
 * when its pipes close: a dev script may leave a process behind that
 * keeps a pipe open.  The helper writes its report and exits only after
 * the script's tree is gone, so what is left in the pipes then is all
 * the script wrote; it is drained, and the run ends.
 *
 * Every run has a backstop: its profile's timeout plus the kill grace
 * plus BACKSTOP_SLACK_MS.  A helper still there then is told to kill
 * the tree at once; one still there BACKSTOP_KILL_MS later is killed
 * (its PID 1 follows it through the parent-death signal).
 */
#include "engine/code_i.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/job_i.h"
#include "util/log.h"

enum { REAP_PID, REAP_OUT, REAP_ERR };

#define BACKSTOP_SLACK_MS 10000u
#define BACKSTOP_KILL_MS  5000u
/* Bytes read from one pipe per wake-up: one chatty run cannot starve
 * the others.  Draining after the helper exited is bounded too: a dev
 * script may leave a writer behind that never stops. */
#define PUMP_MAX    (1024 * 1024)
#define DRAIN_MAX   (64 * PUMP_MAX)
#define GC_EVERY_NS 1000000000u

static int tag_fd(const struct reap_tag *t)
{
	struct tx_sandbox_run *sb = t->run->sb;

	switch (t->kind) {
	case REAP_PID:
		return tx_sandbox_run_pidfd(sb);
	case REAP_OUT:
		return tx_sandbox_run_stdout(sb);
	default:
		return tx_sandbox_run_stderr(sb);
	}
}

/* Reads what a pipe has (up to PUMP_MAX, or all with drain); at end of
 * file the pipe leaves the epoll set. */
static void pump(struct tx_code *c, struct tx_run *run, int kind, bool drain)
{
	bool *open = kind == REAP_OUT ? &run->out_open : &run->err_open;
	int fd = tag_fd(&run->tags[kind]);
	size_t got = 0;
	char buf[65536];

	while (*open && got < (drain ? DRAIN_MAX : PUMP_MAX)) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			epoll_ctl(c->epfd, EPOLL_CTL_DEL, fd, NULL);
			*open = false;
			return;
		}
		got += (size_t)n;
		code_run_output(
			run, kind == REAP_OUT ? TX_RUN_STDOUT : TX_RUN_STDERR,
			buf, (size_t)n);
	}
}

/* The helper has exited: collect the rest of the output and the report,
 * free the sandbox, end the run. */
static void reap(struct tx_code *c, struct tx_run *run)
{
	struct tx_sandbox_result res;
	struct tx_sandbox_run *sb;

	pump(c, run, REAP_OUT, true);
	pump(c, run, REAP_ERR, true);
	if (run->out_open)
		epoll_ctl(c->epfd, EPOLL_CTL_DEL, tag_fd(&run->tags[REAP_OUT]),
			  NULL);
	if (run->err_open)
		epoll_ctl(c->epfd, EPOLL_CTL_DEL, tag_fd(&run->tags[REAP_ERR]),
			  NULL);
	run->out_open = run->err_open = false;
	epoll_ctl(c->epfd, EPOLL_CTL_DEL, tag_fd(&run->tags[REAP_PID]), NULL);
	pthread_mutex_lock(&run->lock);
	sb = run->sb;
	run->sb = NULL;
	pthread_mutex_unlock(&run->lock);
	/* The pidfd is readable: this does not block. */
	tx_sandbox_run_wait(sb, &res);
	tx_sandbox_run_free(sb);
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->nactive; i++)
		if (c->active[i] == run) {
			c->active[i] = c->active[--c->nactive];
			break;
		}
	pthread_mutex_unlock(&c->lock);
	code_run_end(run, &res, NULL);
	tx_run_unref(run); /* the reaper's */
}

/* Takes the backstop's steps that are due; returns the next deadline
 * (UINT64_MAX: none). */
static uint64_t backstops(struct tx_code *c, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->nactive; i++) {
		struct tx_run *run = c->active[i];

		if (run->backstop_ns <= now) {
			pthread_mutex_lock(&run->lock);
			if (run->sb && run->backstop == 0) {
				tx_log(TX_LOG_WARN,
				       "code run %s outlived its "
				       "timeout: killing it",
				       run->job->id);
				tx_sandbox_run_cancel(run->sb, true);
			} else if (run->sb) {
				tx_log(TX_LOG_ERROR,
				       "code run %s: its sandbox "
				       "helper does not exit: SIGKILL",
				       run->job->id);
				syscall(SYS_pidfd_send_signal,
					tx_sandbox_run_pidfd(run->sb), SIGKILL,
					NULL, 0);
			}
			pthread_mutex_unlock(&run->lock);
			run->backstop++;
			run->backstop_ns =
				run->backstop >= 2
					? UINT64_MAX
					: now + BACKSTOP_KILL_MS * 1000000ull;
		}
		if (run->backstop_ns < next)
			next = run->backstop_ns;
	}
	pthread_mutex_unlock(&c->lock);
	return next;
}

static void *reaper_main(void *arg)
{
	struct tx_code *c = arg;
	struct epoll_event evs[32];
	uint64_t last_gc = tx_now_ns();
	sigset_t all;

	/* Signals are for the main thread of whoever embeds the engine. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		uint64_t now = tx_now_ns(), next = backstops(c, now);
		struct tx_run *done[32];
		size_t ndone = 0;
		int timeout = -1, n;
		bool stop, any;

		pthread_mutex_lock(&c->lock);
		stop = c->stopping && c->nactive == 0;
		any = c->nruns > 0 || c->nactive > 0;
		pthread_mutex_unlock(&c->lock);
		if (stop)
			break;
		if (any)
			timeout = 1000;
		if (next != UINT64_MAX) {
			uint64_t ms = next > now ? (next - now) / 1000000u + 1
						 : 0;

			if (timeout < 0 || ms < (uint64_t)timeout)
				timeout = (int)ms;
		}
		n = epoll_wait(c->epfd, evs, 32, timeout);
		for (int i = 0; i < n; i++) {
			struct reap_tag *t = evs[i].data.ptr;
			bool seen = false;

			if (!t) {
				uint64_t v;

				if (read(c->evfd, &v, sizeof(v)) < 0)
					v = 0;
				continue;
			}
			if (t->kind != REAP_PID) {
				pump(c, t->run, t->kind, false);
				continue;
			}
			for (size_t k = 0; k < ndone; k++)
				seen |= done[k] == t->run;
			if (!seen)
				done[ndone++] = t->run;
		}
		/* After the batch: no event of it names a run freed here. */
		for (size_t k = 0; k < ndone; k++)
			reap(c, done[k]);
		now = tx_now_ns();
		if (now - last_gc >= GC_EVERY_NS) {
			code_gc(c);
			last_gc = now;
		}
	}
	return NULL;
}

int code_reap_start(struct tx_code *c)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	int rc = 0;

	pthread_mutex_lock(&c->lock);
	if (c->reaper_started || c->stopping) {
		rc = c->stopping ? -ESHUTDOWN : 0;
		goto out_unlock;
	}
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	c->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->epfd < 0 || c->evfd < 0 ||
	    epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->evfd, &ev) < 0) {
		rc = -errno;
		goto out_close;
	}
	rc = -pthread_create(&c->reaper, NULL, reaper_main, c);
	if (rc)
		goto out_close;
	c->reaper_started = true;
	goto out_unlock;
out_close:
	if (c->epfd >= 0)
		close(c->epfd);
	if (c->evfd >= 0)
		close(c->evfd);
	c->epfd = c->evfd = -1;
out_unlock:
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void code_reap_wake(struct tx_code *c)
{
	uint64_t one = 1;

	if (c->evfd >= 0 && write(c->evfd, &one, sizeof(one)) < 0)
		return; /* already pending: the reaper wakes anyway */
}

int code_reap_add(struct tx_code *c, struct tx_run *run)
{
	static const int order[3] = { REAP_OUT, REAP_ERR, REAP_PID };
	int added = 0, rc = 0, fds[3];

	pthread_mutex_lock(&c->lock);
	if (c->stopping || !c->reaper_started) {
		pthread_mutex_unlock(&c->lock);
		return -ESHUTDOWN;
	}
	if (c->nactive == c->active_cap) {
		size_t cap = c->active_cap ? c->active_cap * 2 : 16;
		struct tx_run **g = realloc(c->active, cap * sizeof(*g));

		if (!g) {
			pthread_mutex_unlock(&c->lock);
			return -ENOMEM;
		}
		c->active = g;
		c->active_cap = cap;
	}
	run->backstop = 0;
	run->backstop_ns = tx_now_ns() +
			   ((uint64_t)run->profile->timeout_ms +
			    run->profile->kill_grace_ms + BACKSTOP_SLACK_MS) *
				   1000000ull;
	run->out_open = run->err_open = true;
	for (int k = REAP_PID; k <= REAP_ERR; k++)
		run->tags[k] = (struct reap_tag){ .run = run, .kind = k };
	c->active[c->nactive++] = tx_run_ref(run);
	/*
	 * Under the lock, so that a stop cannot slip in between and miss
	 * the run; the reaper may see its events at once.  The pidfd goes
	 * in last: once it is in, a script that already ended is reaped
	 * and its sandbox freed on the reaper's thread, so every descriptor
	 * is taken before any is added.
	 */
	for (int k = REAP_PID; k <= REAP_ERR; k++)
		fds[k] = tag_fd(&run->tags[k]);
	for (; added < 3 && !rc; added++) {
		int k = order[added];
		struct epoll_event ev = { .events = EPOLLIN,
					  .data.ptr = &run->tags[k] };

		if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, fds[k], &ev) < 0)
			rc = -errno;
	}
	if (rc) {
		/* The pidfd is last, so the run was never reaped. */
		for (int i = 0; i < added - 1; i++)
			epoll_ctl(c->epfd, EPOLL_CTL_DEL, fds[order[i]], NULL);
		c->nactive--;
		tx_run_unref(run); /* not the last: the caller holds one */
	}
	pthread_mutex_unlock(&c->lock);
	code_reap_wake(c);
	return rc;
}

void code_reap_stop(struct tx_code *c)
{
	struct tx_run **runs = NULL;
	size_t n = 0;
	bool started;

	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	started = c->reaper_started;
	if (c->nactive)
		runs = calloc(c->nactive, sizeof(*runs));
	for (size_t i = 0; runs && i < c->nactive; i++) {
		runs[n++] = tx_run_ref(c->active[i]);
		/* Straight to the last step: SIGKILL if the helper does not
		 * go within BACKSTOP_KILL_MS. */
		c->active[i]->backstop = 1;
		c->active[i]->backstop_ns =
			tx_now_ns() + BACKSTOP_KILL_MS * 1000000ull;
	}
	pthread_mutex_unlock(&c->lock);
	for (size_t i = 0; i < n; i++) {
		tx_run_cancel(runs[i], true);
		tx_run_unref(runs[i]);
	}
	free(runs);
	if (!started)
		return;
	code_reap_wake(c);
	pthread_join(c->reaper, NULL);
	pthread_mutex_lock(&c->lock);
	c->reaper_started = false;
	pthread_mutex_unlock(&c->lock);
	close(c->epfd);
	close(c->evfd);
	c->epfd = c->evfd = -1;
}
