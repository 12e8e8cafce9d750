/*
 * helper_run.c - the processes of a run and the helper's watch over
 * them.
 *
 *   helper (host, root)          parses, makes cgroups, writes the id
 *    |                           maps, copies output with caps, times
 *    |                           out, reports
 *    `- PID 1 (new namespaces)   builds the root; no capabilities,
 *        |                       no_new_privs, seccomp; then only reaps:
 *        |                       a PID 1 ignores every signal it has no
 *        |                       handler for, so a script must not be it
 *        `- the script           inherits that confinement; rlimits,
 *                                Landlock, execve
 *
 * Killing PID 1 kills every process of its namespace at once (the
 * kernel's zap_pid_ns_processes), whatever they did to their groups and
 * sessions: that is how a timeout or a cancel ends the whole tree.  dev
 * has no PID namespace: there the helper is a child subreaper and kills
 * the descendants it finds until none is left.
 *
 * The script's stdout and stderr are pipes to the helper, which passes
 * them on to the daemon's pipes (fds 1 and 2) counting bytes: past a
 * cap the run is killed.  So the cap holds whatever the daemon does.
 */
#include "sandbox/helper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"

#define STREAM_BUF 65536
/* After the tree is gone, how long a writer that escaped our kill may
 * hold a pipe open before we stop reading (dev only, in practice). */
#define DRAIN_MS 2000

struct stream {
	int in, out;
	uint64_t bytes, cap;
	size_t off, len;
	bool eof, over;
	char buf[STREAM_BUF];
};

struct sup {
	const struct hspec *s;
	pid_t child; /* PID 1 of the namespaces, or dev's script */
	int sigfd, errp, statp;
	struct stream out, err;
	uint64_t start, deadline, kill_at, drain_until;
	bool exited, killed, timed_out, cancelled, daemon_gone;
	int status; /* the child's wait status */
	struct rusage ru;
	bool have_script_status;
	int script_status;
	char child_err[512];
	size_t child_err_len;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Reads every byte of fd (a memfd shared with the daemon) into a new
 * buffer, without moving its offset. */
static int slurp(int fd, char **out, size_t *len, size_t max)
{
	struct stat st;
	char *buf;
	size_t got = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size > max)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + got, (size_t)st.st_size - got,
				  (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			free(buf);
			return -e;
		}
		got += (size_t)n;
	}
	*out = buf;
	*len = got;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The script                                                           */

struct exec_plan {
	const struct hspec *s;
	const char *path; /* the interpreter, resolved */
	char **argv;
	const void *bpf;
	size_t bpf_len;
	int landlock_abi;
	int out_w, err_w, errp_w;
};

static void child_report(int fd, const char *msg)
{
	size_t n = strlen(msg);

	while (n > 0) {
		ssize_t w = write(fd, msg, n);

		if (w <= 0)
			break;
		msg += w;
		n -= (size_t)w;
	}
}

/*
 * The script's process, from after fork to execve.  In a sandbox it is
 * born confined: PID 1 dropped every capability, set no_new_privs and
 * loaded the seccomp program before the fork (one program load per run,
 * not two), so what is left here is what both programs allow: a new
 * session, descriptors, limits (they can only be lowered), Landlock
 * (which needs no_new_privs) and execve.
 */
static void run_script(const struct exec_plan *p)
{
	const struct hspec *s = p->s;
	char err[600];
	int a, b, c;

	if (setsid() < 0) {
		herr(err, sizeof(err), errno, "setsid");
		goto fail;
	}
	a = fcntl(p->out_w, F_DUPFD_CLOEXEC, 3);
	b = fcntl(p->err_w, F_DUPFD_CLOEXEC, 3);
	c = fcntl(p->errp_w, F_DUPFD_CLOEXEC, 3);
	if (a < 0 || b < 0 || c < 0 || dup2(a, 1) < 0 || dup2(b, 2) < 0 ||
	    dup2(c, 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0) {
		herr(err, sizeof(err), errno, "setting up descriptors");
		goto fail;
	}
	/* 0 is the daemon's stdin for the script (/dev/null); nothing else
	 * of the helper's (the report pipe, the daemon's own pipes, the
	 * work mount) may reach the script. */
	if (syscall(SYS_close_range, 4u, ~0u, 0u) < 0) {
		for (int fd = 4; fd < 65536; fd++)
			close(fd);
	}
	hconf_reset_signals();
	if (hconf_rlimits(s, err, sizeof(err)) < 0)
		goto fail_3;
	if (s->mode == TX_SANDBOX_DEV) {
		/* The user who dropped the script, without our groups. */
		if (geteuid() == 0 && setgroups(0, NULL) < 0) {
			herr(err, sizeof(err), errno, "setgroups");
			goto fail_3;
		}
		if (setresgid(s->gid, s->gid, s->gid) < 0 ||
		    setresuid(s->uid, s->uid, s->uid) < 0) {
			herr(err, sizeof(err), errno, "becoming uid %u",
			     (unsigned)s->uid);
			goto fail_3;
		}
		/* After the uid change, which clears it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (chdir(s->work_dir) < 0) {
			herr(err, sizeof(err), errno, "chdir %s", s->work_dir);
			goto fail_3;
		}
	} else {
		if (chdir("/work") < 0) {
			herr(err, sizeof(err), errno, "chdir /work");
			goto fail_3;
		}
		if (p->landlock_abi > 0 &&
		    hconf_landlock(s, p->landlock_abi, err, sizeof(err)) < 0)
			goto fail_3;
	}
	execve(p->path, p->argv, s->env);
	herr(err, sizeof(err), errno, "cannot run %s", p->path);
fail_3:
	child_report(3, err);
	_exit(127);
fail:
	child_report(p->errp_w, err);
	_exit(127);
}

/* ------------------------------------------------------------------ */
/* PID 1 of the namespaces                                              */

/*
 * Reaps everything, passes the daemon's stop request (SIGTERM and
 * friends, sent to PID 1 by the helper) on to the script's process
 * group, and writes the script's wait status once it ends.  Exiting
 * then takes down whatever the script left running.
 */
static void reaper(pid_t script, int stat_w)
{
	sigset_t set;
	int fd;

	fd = fcntl(stat_w, F_DUPFD_CLOEXEC, 3);
	if (fd < 0 || dup2(fd, 3) < 0)
		_exit(126);
	close(0);
	close(1);
	close(2);
	if (syscall(SYS_close_range, 4u, ~0u, 0u) < 0) {
		for (int i = 4; i < 65536; i++)
			close(i);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			if (kill(-script, sig) < 0)
				kill(script, sig);
			continue;
		}
		for (;;) {
			int st;
			pid_t p = waitpid(-1, &st, WNOHANG);

			if (p <= 0)
				break;
			if (p == script) {
				ssize_t w = write(3, &st, sizeof(st));

				_exit(w == (ssize_t)sizeof(st) ? 0 : 126);
			}
		}
	}
}

static void ns_child(const struct hspec *s, const struct host_ns *h, int sync_r,
		     struct exec_plan *p, int stat_w, bool cgroup_ns_done)
{
	char err[600], path[PATH_MAX];
	struct pollfd pfd;
	pid_t script;
	char c;

	/* Wait until the helper has written our id maps (and moved us
	 * into the run's cgroups): until then we are nobody here. */
	if (read(sync_r, &c, 1) != 1)
		_exit(127);
	if (hns_become_root(h, err, sizeof(err)) < 0)
		goto fail;
	/* If the helper dies, so does this namespace.  Set after the uid
	 * change, which clears it; then make sure the helper did not die
	 * before it was set (its end of sync stays open while it lives). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pfd.fd = sync_r;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR)))
		_exit(127);
	/* Now that the helper put us in the run's cgroup, it becomes the
	 * root of what the script can see of cgroups.  (Without cgroups of
	 * its own, the run got its cgroup namespace with the others.) */
	if (!cgroup_ns_done && unshare(CLONE_NEWCGROUP) < 0) {
		herr(err, sizeof(err), errno, "unshare(CLONE_NEWCGROUP)");
		goto fail;
	}
	if (hns_setup_root(h, s, err, sizeof(err)) < 0)
		goto fail;
	if (hns_setup_uts_net(h, s, err, sizeof(err)) < 0)
		goto fail;
	if (hns_find_program(s->argv[0], s->env, path, sizeof(path), err,
			     sizeof(err)) < 0)
		goto fail;
	p->path = path;
	/* Confined before the fork, so that the script inherits it and the
	 * reaper, which the script can reach (same user), keeps nothing a
	 * script could borrow.  Nothing below needs a capability: forking,
	 * reaping, signalling our own children, writing a pipe. */
	if (hconf_no_new_privs(err, sizeof(err)) < 0 ||
	    hconf_drop_caps(err, sizeof(err)) < 0 ||
	    hconf_seccomp_prog(p->bpf, p->bpf_len, err, sizeof(err)) < 0)
		goto fail;
	script = fork();
	if (script < 0) {
		herr(err, sizeof(err), errno, "fork");
		goto fail;
	}
	if (script == 0)
		run_script(p);
	close(p->out_w);
	close(p->err_w);
	close(p->errp_w);
	close(sync_r);
	reaper(script, stat_w);
fail:
	child_report(p->errp_w, err);
	_exit(127);
}

/* ------------------------------------------------------------------ */
/* Killing                                                              */

/* dev: SIGKILL every descendant, again until none is left.  We are a
 * child subreaper, so orphans come back to us and are found next round;
 * a killed process forks no more. */
static void kill_descendants(pid_t self)
{
	for (int round = 0; round < 1000; round++) {
		char path[64];
		pid_t stack[4096];
		size_t n = 0;
		bool any = false;
		int st;

		stack[n++] = self;
		while (n > 0) {
			pid_t p = stack[--n];
			DIR *d;
			struct dirent *de;

			snprintf(path, sizeof(path), "/proc/%d/task", (int)p);
			d = opendir(path);
			if (!d)
				continue;
			while ((de = readdir(d))) {
				char cp[128], buf[4096];
				ssize_t len;
				int fd;
				char *q;

				if (de->d_name[0] == '.')
					continue;
				snprintf(cp, sizeof(cp),
					 "/proc/%d/task/%s/children", (int)p,
					 de->d_name);
				fd = open(cp, O_RDONLY | O_CLOEXEC);
				if (fd < 0)
					continue;
				len = read(fd, buf, sizeof(buf) - 1);
				close(fd);
				if (len <= 0)
					continue;
				buf[len] = '\0';
				for (q = buf; *q;) {
					char *e;
					long c = strtol(q, &e, 10);

					if (e == q)
						break;
					q = e;
					if (c <= 0)
						continue;
					kill((pid_t)c, SIGKILL);
					any = true;
					if (n <
					    sizeof(stack) / sizeof(stack[0]))
						stack[n++] = (pid_t)c;
				}
			}
			closedir(d);
		}
		while (waitpid(-1, &st, WNOHANG) > 0)
			any = true;
		if (!any)
			return;
		if (waitpid(-1, &st, 0) < 0 && errno == ECHILD)
			return;
	}
}

static void kill_tree(struct sup *u)
{
	if (u->exited && u->s->mode != TX_SANDBOX_DEV)
		return;
	if (u->s->mode == TX_SANDBOX_DEV) {
		kill(-u->child, SIGKILL);
		if (!u->exited)
			kill(u->child, SIGKILL);
	} else {
		kill(u->child, SIGKILL);
	}
	u->killed = true;
}

static void stop_gently(struct sup *u)
{
	if (u->exited || u->kill_at)
		return;
	/* PID 1 passes it to the script's group; in dev we do. */
	if (u->s->mode == TX_SANDBOX_DEV)
		kill(-u->child, SIGTERM);
	else
		kill(u->child, SIGTERM);
	u->kill_at = tx_mono_ms() + u->s->kill_grace_ms;
	if (u->kill_at == 0)
		u->kill_at = 1;
}

/* ------------------------------------------------------------------ */
/* Watching                                                             */

/* Moves what is buffered, then reads more; a cap that would be passed
 * kills the run (the bytes up to the cap are delivered). */
static void pump(struct sup *u, struct stream *st, bool readable)
{
	for (;;) {
		ssize_t n;

		if (st->len > st->off && st->out >= 0) {
			n = write(st->out, st->buf + st->off,
				  st->len - st->off);
			if (n < 0 && errno == EAGAIN)
				return;
			if (n < 0) {
				/* The daemon stopped reading: drop it. */
				st->off = st->len = 0;
				close_fd(&st->out);
			} else {
				st->off += (size_t)n;
			}
			if (st->off < st->len)
				continue;
		}
		st->off = st->len = 0;
		if (st->eof || !readable)
			return;
		n = read(st->in, st->buf, sizeof(st->buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			st->eof = true;
			close_fd(&st->in);
			return;
		}
		if (st->bytes + (uint64_t)n > st->cap) {
			/* Kill first and keep our read end open: a writer
			 * that got EPIPE could still run a step (and say so)
			 * before the kill lands; one blocked on a full pipe
			 * cannot. */
			n = (ssize_t)(st->cap - st->bytes);
			st->over = true;
			st->eof = true;
			kill_tree(u);
		}
		st->bytes += (uint64_t)n;
		st->len = (size_t)n;
		if (st->out < 0)
			st->len = 0;
	}
}

/* Nothing more will come from this stream, and nothing is left to pass
 * on (or there is no one to pass it to). */
static bool stream_done(const struct stream *st)
{
	return st->eof && (st->len == st->off || st->out < 0);
}

static void read_pipes(struct sup *u)
{
	if (u->statp >= 0) {
		int st;
		ssize_t n = read(u->statp, &st, sizeof(st));

		if (n == (ssize_t)sizeof(st)) {
			u->have_script_status = true;
			u->script_status = st;
		}
		if (n == 0 || (n < 0 && errno != EAGAIN) || n > 0)
			close_fd(&u->statp);
	}
}

static void on_child_exit(struct sup *u)
{
	int st;
	pid_t p = wait4(u->child, &st, WNOHANG, &u->ru);

	if (p != u->child)
		return;
	u->exited = true;
	u->status = st;
	/* PID 1 wrote the script's status before it exited: it is in the
	 * pipe now (watching the pipe as well would wake us twice). */
	read_pipes(u);
	if (u->s->mode == TX_SANDBOX_DEV) {
		u->have_script_status = true;
		u->script_status = st;
		/* The run is over: what it left behind goes too. */
		kill(-u->child, SIGKILL);
		kill_descendants(getpid());
	}
	u->drain_until = tx_mono_ms() + DRAIN_MS;
}

/*
 * What a set-up step or a failed execve said.  Not watched while the
 * run goes (its end of file comes when the script execs, and waking for
 * it is one more hand-over on a busy machine): whoever writes here then
 * exits, and the exit (or PID 1's status) is what wakes us.
 */
static void read_errp(struct sup *u)
{
	while (u->errp >= 0) {
		ssize_t n = read(u->errp, u->child_err + u->child_err_len,
				 sizeof(u->child_err) - 1 - u->child_err_len);

		if (n > 0) {
			u->child_err_len += (size_t)n;
			u->child_err[u->child_err_len] = '\0';
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			if (n == 0 || errno != EAGAIN)
				close_fd(&u->errp);
			break;
		}
	}
}

static void on_signal(struct sup *u)
{
	struct signalfd_siginfo si;

	while (read(u->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			on_child_exit(u);
			break;
		case SIGTERM:
		case SIGINT:
		case SIGHUP:
			u->cancelled = true;
			stop_gently(u);
			break;
		case SIGUSR1:
			u->cancelled = true;
			kill_tree(u);
			break;
		default:
			break;
		}
	}
}

static void supervise(struct sup *u)
{
	for (;;) {
		struct pollfd pf[7];
		int n = 0, i_out = -1, i_err = -1;
		uint64_t now = tx_mono_ms(), next = u->deadline;
		int timeout;

		if (u->exited && stream_done(&u->out) && stream_done(&u->err))
			break;
		if (u->exited && now >= u->drain_until)
			break;
		pf[n].fd = u->sigfd;
		pf[n++].events = POLLIN;
		/* The daemon's end of the report: POLLERR when it is gone. */
		pf[n].fd = HELPER_FD_REPORT;
		pf[n++].events = 0;
		/* A stream with bytes still to pass on waits for its reader,
		 * even once its end is known (the cap was reached): the
		 * bytes up to the cap are delivered. */
		if (!stream_done(&u->out)) {
			i_out = n;
			pf[n].fd = u->out.len ? u->out.out : u->out.in;
			pf[n++].events = u->out.len ? POLLOUT : POLLIN;
		}
		if (!stream_done(&u->err)) {
			i_err = n;
			pf[n].fd = u->err.len ? u->err.out : u->err.in;
			pf[n++].events = u->err.len ? POLLOUT : POLLIN;
		}
		if (u->kill_at && u->kill_at < next)
			next = u->kill_at;
		if (u->exited)
			next = u->drain_until;
		timeout = next > now ? (int)(next - now) : 0;
		if (poll(pf, (nfds_t)n, timeout) < 0 && errno != EINTR)
			break;
		now = tx_mono_ms();
		if (!u->exited && now >= u->deadline) {
			u->timed_out = true;
			kill_tree(u);
		}
		if (!u->exited && u->kill_at && now >= u->kill_at)
			kill_tree(u);
		if (pf[1].revents & (POLLERR | POLLHUP)) {
			if (!u->daemon_gone) {
				u->daemon_gone = true;
				kill_tree(u);
			}
		}
		if (i_out >= 0 && pf[i_out].revents)
			pump(u, &u->out, true);
		if (i_err >= 0 && pf[i_err].revents)
			pump(u, &u->err, true);
		if (pf[0].revents)
			on_signal(u);
		if (u->daemon_gone && u->exited)
			break;
	}
	if (!u->exited) {
		kill_tree(u);
		if (wait4(u->child, &u->status, 0, &u->ru) == u->child)
			u->exited = true;
	}
	read_pipes(u);
	read_errp(u);
	if (u->s->mode == TX_SANDBOX_DEV)
		kill_descendants(getpid());
	close_fd(&u->out.in);
	close_fd(&u->err.in);
}

/* ------------------------------------------------------------------ */
/* The run                                                              */

static int make_pipe(int p[2], bool nonblock_read)
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	if (nonblock_read)
		fcntl(p[0], F_SETFL, O_NONBLOCK);
	return 0;
}

static int dev_script_copy(const struct hspec *s, char *dir, size_t dlen,
			   char *path, size_t plen, char *err, size_t len)
{
	char *data = NULL;
	size_t n = 0;
	int fd, rc;

	rc = slurp(s->script_fd, &data, &n, 64u << 20);
	if (rc < 0)
		return herr(err, len, -rc, "reading the script");
	snprintf(dir, dlen, "/tmp/toolexec-dev.XXXXXX");
	if (!mkdtemp(dir)) {
		free(data);
		return herr(err, len, errno, "mkdtemp");
	}
	snprintf(path, plen, "%s/%s", dir, s->script_name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n ||
	    fchown(fd, s->uid, s->gid) < 0 || chown(dir, s->uid, s->gid) < 0) {
		rc = herr(err, len, errno, "copying the script");
		if (fd >= 0)
			close(fd);
		free(data);
		return rc;
	}
	close(fd);
	free(data);
	return 0;
}

static void fill_report(struct sup *u, struct hreport *rep)
{
	const struct hspec *s = u->s;
	int st = u->script_status;
	uint64_t cpu;

	rep->duration_ms = tx_mono_ms() - u->start;
	rep->timed_out = u->timed_out;
	rep->cancelled = u->cancelled;
	rep->stdout_bytes = u->out.bytes;
	rep->stderr_bytes = u->err.bytes;
	rep->cpu_user_ms = (uint64_t)u->ru.ru_utime.tv_sec * 1000 +
			   (uint64_t)u->ru.ru_utime.tv_usec / 1000;
	rep->cpu_sys_ms = (uint64_t)u->ru.ru_stime.tv_sec * 1000 +
			  (uint64_t)u->ru.ru_stime.tv_usec / 1000;
	rep->max_rss_kb = (uint64_t)u->ru.ru_maxrss;
	if (!u->have_script_status)
		st = u->killed ? SIGKILL : u->status; /* as if killed */
	if (WIFEXITED(st)) {
		rep->exit_code = WEXITSTATUS(st);
		rep->signal = 0;
	} else if (WIFSIGNALED(st)) {
		rep->exit_code = -1;
		rep->signal = WTERMSIG(st);
	}
	if (u->timed_out)
		rep->limits_hit |= TX_LIMIT_TIMEOUT;
	if (u->out.over || u->err.over)
		rep->limits_hit |= TX_LIMIT_OUTPUT;
	cpu = rep->cpu_user_ms + rep->cpu_sys_ms;
	if (rep->signal == SIGXCPU || (rep->signal == SIGKILL && !u->killed &&
				       s->cpu && cpu + 100 >= s->cpu * 1000))
		rep->limits_hit |= TX_LIMIT_CPU;
	if (rep->signal == SIGXFSZ)
		rep->limits_hit |= TX_LIMIT_FILE_SIZE;
}

void hrun(const struct hspec *s, struct hreport *rep, char *err, size_t len)
{
	struct sup *u = calloc(1, sizeof(*u));
	struct exec_plan plan;
	struct host_ns h;
	struct hcgroup cg;
	sigset_t mask;
	int sync_p[2] = { -1, -1 }, errp[2] = { -1, -1 }, statp[2] = { -1, -1 };
	int outp[2] = { -1, -1 }, errs[2] = { -1, -1 };
	char *bpf = NULL;
	size_t bpf_len = 0;
	char devdir[64] = "", devpath[PATH_MAX];
	char path[PATH_MAX];
	bool dev = s->mode == TX_SANDBOX_DEV;
	int rc;

	memset(&cg, 0, sizeof(cg));
	memset(&plan, 0, sizeof(plan));
	if (!u) {
		herr(err, len, ENOMEM, "helper");
		return;
	}
	u->s = s;
	u->sigfd = u->errp = u->statp = -1;
	u->out.in = u->out.out = u->err.in = u->err.out = -1;
	/* The daemon's pipes: never block on them (see pump). */
	fcntl(HELPER_FD_STDOUT, F_SETFL,
	      fcntl(HELPER_FD_STDOUT, F_GETFL) | O_NONBLOCK);
	fcntl(HELPER_FD_STDERR, F_SETFL,
	      fcntl(HELPER_FD_STDERR, F_GETFL) | O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	u->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (u->sigfd < 0) {
		herr(err, len, errno, "signalfd");
		goto out;
	}
	if (s->seccomp_fd >= 0) {
		rc = slurp(s->seccomp_fd, &bpf, &bpf_len, 1u << 20);
		if (rc < 0) {
			herr(err, len, -rc, "reading the seccomp program");
			goto out;
		}
	}
	if (!dev && hns_record(&h) < 0) {
		herr(err, len, errno, "reading /proc/self/ns");
		goto out;
	}
	if (s->mode == TX_SANDBOX_HARDENED) {
		if (s->landlock) {
			rep->landlock_abi = hconf_landlock_abi();
		}
		if (s->cgroup) {
			if (hcg_setup(&cg, s->memory, s->pids, err, len) < 0)
				goto out;
			snprintf(rep->cgroup, sizeof(rep->cgroup), "v%d",
				 cg.version);
		}
	}
	if (make_pipe(sync_p, false) < 0 || make_pipe(errp, true) < 0 ||
	    make_pipe(statp, true) < 0 || make_pipe(outp, true) < 0 ||
	    make_pipe(errs, true) < 0) {
		herr(err, len, errno, "pipe");
		goto out;
	}
	u->out.in = outp[0];
	u->out.out = HELPER_FD_STDOUT;
	u->out.cap = s->out_max;
	u->err.in = errs[0];
	u->err.out = HELPER_FD_STDERR;
	u->err.cap = s->err_max;
	plan.s = s;
	plan.argv = s->argv;
	plan.bpf = bpf;
	plan.bpf_len = bpf_len;
	plan.landlock_abi = rep->landlock_abi;
	plan.out_w = outp[1];
	plan.err_w = errs[1];
	plan.errp_w = errp[1];
	u->start = tx_mono_ms();
	u->deadline = u->start + s->timeout_ms;

	if (dev) {
		if (dev_script_copy(s, devdir, sizeof(devdir), devpath,
				    sizeof(devpath), err, len) < 0)
			goto out;
		for (size_t i = 0; s->argv[i]; i++)
			if (!strcmp(s->argv[i], HELPER_SCRIPT_MARK))
				s->argv[i] = devpath;
		if (hns_find_program(s->argv[0], s->env, path, sizeof(path),
				     err, len) < 0)
			goto out;
		plan.path = path;
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		u->child = fork();
		if (u->child == 0)
			run_script(&plan);
	} else {
		/* Supplementary groups survive into a user namespace (and
		 * keep opening root-group files there): drop them first. */
		if (geteuid() == 0 && setgroups(0, NULL) < 0) {
			herr(err, len, errno, "setgroups");
			goto out;
		}
		/* Every namespace in one clone; the cgroup one too unless
		 * the run has cgroups of its own, which PID 1 must be moved
		 * into before it unshares it. */
		u->child = (pid_t)syscall(
			SYS_clone,
			CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID |
				CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET |
				(cg.version ? 0 : CLONE_NEWCGROUP) | SIGCHLD,
			NULL, NULL, NULL, NULL);
		if (u->child == 0) {
			close(sync_p[1]);
			close(errp[0]);
			close(statp[0]);
			close(outp[0]);
			close(errs[0]);
			ns_child(s, &h, sync_p[0], &plan, statp[1],
				 cg.version == 0);
		}
	}
	if (u->child < 0) {
		herr(err, len, errno, dev ? "fork" : "clone");
		goto out;
	}
	close_fd(&plan.out_w);
	close_fd(&plan.err_w);
	close_fd(&errp[1]);
	close_fd(&statp[1]);
	close_fd(&sync_p[0]);
	u->errp = errp[0];
	u->statp = statp[0];
	errp[0] = statp[0] = -1;
	if (!dev) {
		char c = 1;

		if (hns_write_maps(u->child, s->uid, s->gid, err, len) < 0 ||
		    (cg.version && hcg_attach(&cg, u->child, err, len) < 0) ||
		    write(sync_p[1], &c, 1) != 1) {
			if (!err[0])
				herr(err, len, errno, "starting the sandbox");
			kill(u->child, SIGKILL);
			waitpid(u->child, NULL, 0);
			goto out;
		}
	}
	supervise(u);
	fill_report(u, rep);
	/* A set-up step or execve failed: the script never ran. */
	if (u->child_err_len && (!u->have_script_status ||
				 (WIFEXITED(u->script_status) &&
				  WEXITSTATUS(u->script_status) == 127))) {
		snprintf(err, len, "%s", u->child_err);
		rep->exit_code = -1;
		rep->signal = 0;
	}
	if (cg.version) {
		bool mem = false, pids = false;

		hcg_events(&cg, &mem, &pids);
		if (mem)
			rep->limits_hit |= TX_LIMIT_MEMORY;
		if (pids)
			rep->limits_hit |= TX_LIMIT_PIDS;
	}
out:
	if (cg.version)
		hcg_destroy(&cg);
	if (devdir[0]) {
		unlink(devpath);
		rmdir(devdir);
	}
	close_fd(&sync_p[1]);
	close_fd(&sync_p[0]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	close_fd(&statp[0]);
	close_fd(&statp[1]);
	close_fd(&u->errp);
	close_fd(&u->statp);
	close_fd(&u->sigfd);
	free(bpf);
	free(u);
}
