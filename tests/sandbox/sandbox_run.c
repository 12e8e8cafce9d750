/*
 * sandbox_run.c - runs one script through the daemon's sandbox API
 * (src/sandbox/sandbox.h) exactly as the daemon does: parse profiles,
 * start, read stdout and stderr as they come, wait, print the result.
 * The escape suite and the benchmark drive the sandbox through it.
 *
 *   sandbox_run [-p PROFILE] [-C PROFILES_JSON] [-w DIR | -T]
 *               [-u UID -g GID] [-b SRC:DST[:rw]]... [-e NAME=VALUE]...
 *               [-r RESULT_FILE] [-s WORK_FILE] [-q] [-K|-X]
 *               SCRIPT [ARG...]
 *
 * -T gives the run a private tmpfs /work (the default for standard and
 * hardened), -w a host directory; -s prints a file the script left in
 * the tmpfs /work after the run.  Without -u, standard and hardened get
 * a uid of the reserved range.  -q discards the script's output.  The
 * result (JSON) goes to RESULT_FILE, else to stderr after the output.
 * Exit status: 0 when the run happened (whatever the script did), 2
 * when it could not start.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/sandbox.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

static void copy(int from, int to, bool quiet, bool *open)
{
	char buf[65536];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		*open = false;
		return;
	}
	if (n > 0 && !quiet) {
		ssize_t off = 0;

		while (off < n) {
			ssize_t w = write(to, buf + off, (size_t)(n - off));

			if (w <= 0)
				break;
			off += w;
		}
	}
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void drain(struct tx_sandbox_run *run)
{
	bool o = true, e = true;

	while (o || e) {
		struct pollfd pf[2] = {
			{ .fd = o ? tx_sandbox_run_stdout(run) : -1,
			  .events = POLLIN },
			{ .fd = e ? tx_sandbox_run_stderr(run) : -1,
			  .events = POLLIN },
		};

		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			break;
		if (pf[0].revents)
			copy(pf[0].fd, 1, true, &o);
		if (pf[1].revents)
			copy(pf[1].fd, 2, true, &e);
	}
}

extern char **environ;

/* -n: N runs, one line of figures: median, p90, mean (µs) and the time
 * the seccomp program took to compile.  plain: cmd is a command to
 * spawn, timed to its exit; a sandbox run is timed from making its
 * /work to its result. */
static int bench(int n, bool plain, char **cmd, struct tx_sandbox_run_opts *o,
		 bool tmpfs_work)
{
	uint64_t *t = calloc((size_t)n, sizeof(*t)), sum = 0, c0;
	posix_spawn_file_actions_t fa;
	char err[1024];

	if (!t)
		return 2;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* The first call compiles the program: timed on its own. */
	c0 = now_us();
	if (!plain && o->profile->kind != TX_SANDBOX_DEV &&
	    tx_sandbox_filter_fd(o->profile->kind, err, sizeof(err)) < 0)
		return 2;
	c0 = now_us() - c0;
	/* So are /etc and /dev, once per daemon too: made here, untimed,
	 * as a daemon has them made by its first run. */
	if (!plain && o->profile->kind != TX_SANDBOX_DEV) {
		int e = tx_sandbox_etc_fd(o->hostname, err, sizeof(err));
		int d = e < 0 ? e : tx_sandbox_dev_fd(err, sizeof(err));

		if (e >= 0)
			close(e);
		if (d < 0) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
		close(d);
	}
	for (int i = 0; i < n; i++) {
		uint64_t s = now_us();
		struct tx_sandbox_result res;
		struct tx_sandbox_run *run;
		int st;
		pid_t pid;

		if (plain) {
			if (posix_spawn(&pid, cmd[0], &fa, NULL, cmd,
					environ) ||
			    waitpid(pid, &st, 0) != pid || st != 0) {
				fprintf(stderr, "%s failed\n", cmd[0]);
				return 2;
			}
		} else {
			if (tmpfs_work) {
				o->work_fd = tx_sandbox_work_new(
					o->profile->work_size, o->uid, o->gid);
				if (o->work_fd < 0)
					return 2;
			}
			if (tx_sandbox_start(o, &run, err, sizeof(err)) < 0) {
				fprintf(stderr, "start: %s\n", err);
				return 2;
			}
			drain(run);
			if (tx_sandbox_run_wait(run, &res) < 0 ||
			    res.exit_code != 0) {
				fprintf(stderr, "run failed: %d %s\n",
					res.exit_code, res.error);
				return 2;
			}
			/* The run is over: its result is known.  What the
			 * daemon does later (close its own /work when the run
			 * is forgotten, and with it the last reference to that
			 * tmpfs) is not part of a start. */
			t[i] = now_us() - s;
			tx_sandbox_run_free(run);
			if (tmpfs_work)
				close(o->work_fd);
		}
		if (plain)
			t[i] = now_us() - s;
		sum += t[i];
	}
	qsort(t, (size_t)n, sizeof(*t), cmp_u64);
	printf("%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", t[n / 2],
	       t[(n * 9) / 10], sum / (uint64_t)n, c0);
	free(t);
	posix_spawn_file_actions_destroy(&fa);
	return 0;
}

int main(int argc, char **argv)
{
	const char *pname = "standard", *pjson = NULL, *work = NULL;
	const char *result_path = NULL, *show = NULL;
	struct tx_sandbox_bind binds[16];
	const char *env[16];
	size_t nbinds = 0, nenv = 0;
	bool tmpfs_work = false, quiet = false, uid_given = false;
	int cancel = 0; /* 1 gently, 2 hard, -1 done */
	int repeat = 0, pipe_size = 0;
	bool plain = false;
	struct tx_sandbox_profiles *ps;
	const struct tx_sandbox_profile *p;
	struct tx_sandbox_run_opts o;
	struct tx_sandbox_run *run;
	struct tx_sandbox_result res;
	uid_t uid = 0;
	gid_t gid = 0;
	char err[1024], *script, *pj = NULL;
	size_t slen, pjlen = 0;
	int opt, rc, work_fd = -1;
	bool out_open = true, err_open = true;
	FILE *rf;

	while ((opt = getopt(argc, argv, "+p:C:w:Tu:g:b:e:r:s:qKXn:PZ:")) !=
	       -1) {
		switch (opt) {
		case 'p':
			pname = optarg;
			break;
		case 'C':
			pjson = optarg;
			break;
		case 'w':
			work = optarg;
			break;
		case 'T':
			tmpfs_work = true;
			break;
		case 'u':
			uid = (uid_t)atol(optarg);
			uid_given = true;
			break;
		case 'g':
			gid = (gid_t)atol(optarg);
			break;
		case 'r':
			result_path = optarg;
			break;
		case 's':
			show = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'K':
			cancel = 1;
			break;
		case 'n':
			repeat = atoi(optarg);
			break;
		case 'P':
			plain = true;
			break;
		case 'Z':
			pipe_size = atoi(optarg);
			break;
		case 'X':
			cancel = 2;
			break;
		case 'e':
			if (nenv < 16)
				env[nenv++] = optarg;
			break;
		case 'b': {
			/* Cut in place: argv lives as long as the run. */
			char *s = optarg, *c1 = strchr(s, ':'), *c2;

			if (!c1 || nbinds == 16)
				return 2;
			*c1 = '\0';
			c2 = strchr(c1 + 1, ':');
			if (c2)
				*c2 = '\0';
			binds[nbinds].src = s;
			binds[nbinds].dst = c1 + 1;
			binds[nbinds].writable = c2 && !strcmp(c2 + 1, "rw");
			nbinds++;
			break;
		}
		default:
			fprintf(stderr,
				"usage: see the head of sandbox_run.c\n");
			return 2;
		}
	}
	if (optind >= argc)
		return 2;
	if (plain)
		return repeat > 0
			       ? bench(repeat, true, argv + optind, NULL, false)
			       : 2;
	if (pjson) {
		pj = slurp(pjson, &pjlen);
		if (!pj) {
			perror(pjson);
			return 2;
		}
		ps = tx_sandbox_profiles_parse_text(pj, pjlen, err,
						    sizeof(err));
	} else {
		ps = tx_sandbox_profiles_parse(NULL, err, sizeof(err));
	}
	if (!ps) {
		fprintf(stderr, "profiles: %s\n", err);
		return 2;
	}
	p = tx_sandbox_profiles_get(ps, pname);
	if (!p) {
		fprintf(stderr, "no profile %s\n", pname);
		tx_sandbox_profiles_free(ps);
		return 2;
	}
	script = slurp(argv[optind], &slen);
	if (!script) {
		perror(argv[optind]);
		tx_sandbox_profiles_free(ps);
		return 2;
	}
	if (p->kind != TX_SANDBOX_DEV && !uid_given) {
		if (tx_sandbox_uid_alloc(&uid) < 0)
			return 2;
		gid = (gid_t)uid;
	}
	if (!work && p->kind != TX_SANDBOX_DEV)
		tmpfs_work = true;
	if (tmpfs_work) {
		work_fd = tx_sandbox_work_new(p->work_size, uid, gid);
		if (work_fd < 0) {
			fprintf(stderr, "work tmpfs: %s\n", strerror(-work_fd));
			return 2;
		}
	}
	memset(&o, 0, sizeof(o));
	o.profile = p;
	o.script_name = strrchr(argv[optind], '/')
				? strrchr(argv[optind], '/') + 1
				: argv[optind];
	o.script = script;
	o.script_len = slen;
	o.args = (const char *const *)argv + optind + 1;
	o.nargs = (size_t)(argc - optind - 1);
	o.work_fd = work_fd;
	o.work_dir = tmpfs_work ? NULL : work;
	o.uid = uid;
	o.gid = gid;
	o.binds = binds;
	o.nbinds = nbinds;
	o.env = env;
	o.nenv = nenv;
	o.helper = getenv("TOOLEXEC_SANDBOX_HELPER");
	if (repeat > 0)
		return bench(repeat, false, NULL, &o, tmpfs_work);
	rc = tx_sandbox_start(&o, &run, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "start: %s\n", err);
		if (work_fd >= 0)
			close(work_fd);
		tx_sandbox_profiles_free(ps);
		free(script);
		free(pj);
		return 2;
	}
	if (pipe_size > 0 &&
	    fcntl(tx_sandbox_run_stdout(run), F_SETPIPE_SZ, pipe_size) < 0)
		perror("F_SETPIPE_SZ");
	while (out_open || err_open) {
		struct pollfd pf[2] = {
			{ .fd = out_open ? tx_sandbox_run_stdout(run) : -1,
			  .events = POLLIN },
			{ .fd = err_open ? tx_sandbox_run_stderr(run) : -1,
			  .events = POLLIN },
		};

		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			break;
		if (pf[0].revents) {
			copy(pf[0].fd, 1, quiet, &out_open);
			if (cancel > 0) {
				tx_sandbox_run_cancel(run, cancel == 2);
				cancel = -1;
			}
		}
		if (pf[1].revents)
			copy(pf[1].fd, 2, quiet, &err_open);
	}
	rc = tx_sandbox_run_wait(run, &res);
	rf = result_path ? fopen(result_path, "w") : stderr;
	if (!rf)
		rf = stderr;
	fprintf(rf,
		"{\"exit_code\": %d, \"signal\": %d, \"duration_ms\": %" PRIu64
		", \"timed_out\": %s, \"cancelled\": %s, \"limits_hit\": [",
		res.exit_code, res.signal, res.duration_ms,
		res.timed_out ? "true" : "false",
		res.cancelled ? "true" : "false");
	for (unsigned b = 0, first = 1; b < TX_LIMIT_COUNT; b++)
		if (res.limits_hit & (1u << b)) {
			fprintf(rf, "%s\"%s\"", first ? "" : ", ",
				tx_sandbox_limit_name(1u << b));
			first = 0;
		}
	fprintf(rf,
		"], \"cpu_ms\": %" PRIu64 ", \"stdout_bytes\": %" PRIu64
		", \"stderr_bytes\": %" PRIu64
		", \"landlock_abi\": %d, \"cgroup\": \"%s\", \"error\": \"",
		res.cpu_user_ms + res.cpu_sys_ms, res.stdout_bytes,
		res.stderr_bytes, res.landlock_abi, res.cgroup);
	for (const char *c = res.error; *c; c++)
		fprintf(rf, *c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
	fprintf(rf, "\"}\n");
	if (rf != stderr)
		fclose(rf);
	if (show && work_fd >= 0) {
		int fd = tx_sandbox_work_open(work_fd, show, O_RDONLY);
		char buf[4096];
		ssize_t n;

		if (fd < 0) {
			printf("show %s: %s\n", show, strerror(-fd));
		} else {
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				fwrite(buf, 1, (size_t)n, stdout);
			close(fd);
		}
	}
	tx_sandbox_run_free(run);
	if (work_fd >= 0)
		close(work_fd);
	tx_sandbox_profiles_free(ps);
	free(script);
	free(pj);
	return rc < 0 ? 2 : 0;
}
