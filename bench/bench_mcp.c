/*
 * bench_mcp.c - one MCP tool call through the mount, against the same
 * call with no file system in between, and against the cheapest
 * possible FUSE round trip; plus mount start-up with three servers.
 *
 *   make bench-build && build/bench/bench_mcp [-n CALLS] [-r STARTUP_RUNS]
 *
 * Run from the repository top (or set TOP); BUILD defaults to TOP/build.
 * Baselines, measured in the same run:
 *   direct  ../shared/anchors/mcp_direct.py: a Python client that spawns
 *           server-everything and times tools/call echo round trips;
 *   floor   ../shared/anchors/fuse_floor.c, compiled here (as given, and
 *           for libfuse's 3.12 loop API: see measure_floor): its echo
 *           file timed with the same open(O_RDWR)/write/read/close loop.
 * Ours is that loop on tools/everything/echo/call (the transaction way).
 * Target: median(ours) <= (median(direct) + median(floor)) * 1.1.
 *
 * Start-up: the time from starting toolexecfs until every server's tools
 * are in the tree, with each of three servers alone and with all three;
 * servers start in parallel, so all three should cost about the slowest.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "toolexecfs/toolexec.h"
#include "bench_util.h"

extern char **environ;

static char top[PATH_MAX], build[PATH_MAX], tmp[PATH_MAX];

static double pct(double *v, size_t n, double p)
{
	size_t i;

	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)((double)(n - 1) * p / 100.0 + 0.5);
	return v[i < n ? i : n - 1];
}

/* Starts argv with stdout (and stderr) to out_fd (-1: /dev/null). */
static pid_t spawn(char *const argv[], int out_fd)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	posix_spawn_file_actions_init(&fa);
	if (out_fd >= 0) {
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	} else {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
						 0);
	}
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		fprintf(stderr, "bench_mcp: cannot run %s: %s\n", argv[0],
			strerror(rc));
		return -1;
	}
	return pid;
}

/* Runs argv to the end; its stdout goes to out (NUL-terminated). */
static int run(char *const argv[], char *out, size_t outlen)
{
	int p[2];
	pid_t pid;
	size_t len = 0;
	ssize_t n;
	int st;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = spawn(argv, p[1]);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	while (out && len + 1 < outlen &&
	       (n = read(p[0], out + len, outlen - len - 1)) > 0)
		len += (size_t)n;
	if (out)
		out[len] = '\0';
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static bool wait_path(const char *path, double timeout_us)
{
	double end = now_us() + timeout_us;
	struct stat st;

	while (now_us() < end) {
		if (stat(path, &st) == 0)
			return true;
		usleep(1000);
	}
	return false;
}

static void unmount(const char *mnt, pid_t daemon)
{
	char *argv[] = { "fusermount3", "-u", (char *)mnt, NULL };
	int st;

	run(argv, NULL, 0);
	if (daemon > 0) {
		for (int i = 0; i < 300; i++) {
			if (waitpid(daemon, &st, WNOHANG) == daemon)
				return;
			usleep(10000);
		}
		kill(daemon, SIGKILL);
		waitpid(daemon, &st, 0);
	}
}

/* open(O_RDWR)/write/read-to-EOF/close per call; per-call times in us. */
static int time_rpc(const char *path, const char *msg, double *lat, size_t n,
		    size_t warmup)
{
	char buf[8192];

	for (size_t i = 0; i < warmup + n; i++) {
		double t = now_us();
		int fd = open(path, O_RDWR);
		ssize_t r, got = 0;

		if (fd < 0) {
			perror(path);
			return -1;
		}
		if (write(fd, msg, strlen(msg)) != (ssize_t)strlen(msg)) {
			perror("write");
			close(fd);
			return -1;
		}
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			got += r;
		close(fd);
		if (r < 0 || got == 0) {
			fprintf(stderr, "bench_mcp: %s: no answer (%s)\n", path,
				r < 0 ? strerror(errno) : "empty");
			return -1;
		}
		if (i >= warmup)
			lat[i - warmup] = now_us() - t;
	}
	return 0;
}

static const char *server_args(const char *which, char *out, size_t outlen)
{
	const char *m = "tests/mcp/node_modules/@modelcontextprotocol";

	if (!strcmp(which, "everything"))
		snprintf(
			out, outlen,
			"\"args\": [\"%s/%s/server-everything/dist/index.js\", \"stdio\"]",
			top, m);
	else if (!strcmp(which, "files"))
		snprintf(
			out, outlen,
			"\"args\": [\"%s/%s/server-filesystem/dist/index.js\", \"%s\"]",
			top, m, tmp);
	else
		snprintf(out, outlen,
			 "\"args\": [\"%s/%s/server-memory/dist/index.js\"], "
			 "\"env\": {\"MEMORY_FILE_PATH\": \"%s/memory.jsonl\"}",
			 top, m, tmp);
	return out;
}

/* Writes DIR/servers.json with the named servers (NULL-terminated). */
static int write_config(const char *dir, const char *const *names)
{
	char path[PATH_MAX + 32], args[PATH_MAX * 2 + 200];
	FILE *f;

	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/servers.json", dir);
	f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f, "{\"mcpServers\": {");
	for (size_t i = 0; names[i]; i++)
		fprintf(f, "%s\"%s\": {\"command\": \"node\", %s}",
			i ? ", " : "", names[i],
			server_args(names[i], args, sizeof(args)));
	fprintf(f, "}}\n");
	return fclose(f);
}

static pid_t mount_fs(const char *cfg, const char *mnt)
{
	char fs[PATH_MAX + 16];
	char *argv[] = { fs, "-f", "-c", (char *)cfg, (char *)mnt, NULL };

	snprintf(fs, sizeof(fs), "%s/toolexecfs", build);
	mkdir(mnt, 0700);
	return spawn(argv, -1);
}

/* Start-up of a mount with these servers: us until all are in the tree. */
static double startup_us(const char *const *names)
{
	char cfg[PATH_MAX], mnt[PATH_MAX], probe[PATH_MAX * 2];
	double t0, t = -1;
	pid_t d;

	snprintf(cfg, sizeof(cfg), "%s/cfg-start", tmp);
	snprintf(mnt, sizeof(mnt), "%s/mnt-start", tmp);
	if (write_config(cfg, names))
		return -1;
	t0 = now_us();
	d = mount_fs(cfg, mnt);
	if (d < 0)
		return -1;
	for (size_t i = 0; names[i]; i++) {
		snprintf(probe, sizeof(probe), "%s/tools/%s/INDEX", mnt,
			 names[i]);
		if (!wait_path(probe, 60e6))
			goto out;
	}
	t = now_us() - t0;
out:
	unmount(mnt, d);
	return t;
}

/*
 * The baseline for start-up: the three servers started at the same time
 * by three mcp_direct.py clients (initialize + tools/list each); the
 * slowest one's start-up.  On a small machine node's own start-up is
 * CPU-bound, so three at once are slower than one alone even with
 * perfect parallelism; this measures what the machine can do.
 */
static double direct_parallel_ms(const char *anchors)
{
	static const char *const tool[] = { "echo", "list_allowed_directories",
					    "read_graph" };
	static const char *const targs[] = { "{\"message\":\"hi\"}", "{}",
					     "{}" };
	static const char *const names[] = { "everything", "files", "memory" };
	char script[PATH_MAX + 64], idx[3][PATH_MAX + 100],
		memenv[PATH_MAX + 64];
	int fds[3] = { -1, -1, -1 };
	pid_t pids[3];
	double worst = -1;

	snprintf(script, sizeof(script), "%s/mcp_direct.py", anchors);
	snprintf(memenv, sizeof(memenv), "MEMORY_FILE_PATH=%s/memory.jsonl",
		 tmp);
	putenv(memenv);
	for (int i = 0; i < 3; i++) {
		const char *m = "tests/mcp/node_modules/@modelcontextprotocol";
		char *argv[16];
		int p[2], k = 0;

		if (i == 0)
			snprintf(idx[i], sizeof(idx[i]),
				 "%s/%s/server-everything/dist/index.js", top,
				 m);
		else if (i == 1)
			snprintf(idx[i], sizeof(idx[i]),
				 "%s/%s/server-filesystem/dist/index.js", top,
				 m);
		else
			snprintf(idx[i], sizeof(idx[i]),
				 "%s/%s/server-memory/dist/index.js", top, m);
		argv[k++] = "python3";
		argv[k++] = script;
		argv[k++] = "--tool";
		argv[k++] = (char *)tool[i];
		argv[k++] = "--args";
		argv[k++] = (char *)targs[i];
		argv[k++] = "--calls";
		argv[k++] = "1";
		argv[k++] = "--warmup";
		argv[k++] = "0";
		argv[k++] = "--";
		argv[k++] = "node";
		argv[k++] = idx[i];
		argv[k++] = i == 0 ? "stdio" : i == 1 ? tmp : NULL;
		argv[k] = NULL;
		if (pipe2(p, O_CLOEXEC))
			return -1;
		pids[i] = spawn(argv, p[1]);
		close(p[1]);
		fds[i] = p[0];
	}
	for (int i = 0; i < 3; i++) {
		char out[512];
		ssize_t n, len = 0;
		const char *q;
		int st;

		while ((n = read(fds[i], out + len,
				 sizeof(out) - 1 - (size_t)len)) > 0)
			len += n;
		out[len] = '\0';
		close(fds[i]);
		if (pids[i] > 0)
			waitpid(pids[i], &st, 0);
		if ((q = strstr(out, "startup_ms="))) {
			double ms = strtod(q + 11, NULL);

			if (ms > worst)
				worst = ms;
		} else {
			fprintf(stderr,
				"bench_mcp: mcp_direct.py on %s failed\n",
				names[i]);
		}
	}
	return worst;
}

/*
 * Compiles ../shared/anchors/fuse_floor.c (never copied), mounts it and
 * times its echo file with the same loop as ours.  The anchor builds
 * against libfuse's 3.12 loop API, so its workers are reused: this is the
 * true floor of a FUSE round trip.
 */
static int measure_floor(const char *anchors, double *lat, size_t n,
			 size_t warm)
{
	char src[PATH_MAX * 2], bin[PATH_MAX + 32], mnt[PATH_MAX + 32];
	char file[PATH_MAX * 2], flags[4096], out[4096], calls[32];
	char *pc[] = { "pkg-config", "--cflags", "--libs", "fuse3", NULL };
	char *cc[64];
	size_t k = 0;
	pid_t d;
	int rc = 0;

	if (run(pc, flags, sizeof(flags))) {
		fprintf(stderr, "bench_mcp: pkg-config fuse3 failed\n");
		return 1;
	}
	snprintf(calls, sizeof(calls), "%zu", n);
	snprintf(src, sizeof(src), "%s/fuse_floor.c", anchors);
	snprintf(bin, sizeof(bin), "%s/fuse_floor", tmp);
	cc[k++] = "cc";
	cc[k++] = "-O2";
	cc[k++] = src;
	char *save = NULL;
	for (char *tok = strtok_r(flags, " \n", &save); tok && k < 60;
	     tok = strtok_r(NULL, " \n", &save))
		cc[k++] = tok;
	cc[k++] = "-o";
	cc[k++] = bin;
	cc[k] = NULL;
	if (run(cc, NULL, 0)) {
		fprintf(stderr, "bench_mcp: cannot compile %s\n", src);
		return 1;
	}
	snprintf(mnt, sizeof(mnt), "%s/floor", tmp);
	mkdir(mnt, 0700);
	{
		char *fa[] = { bin, "mount", mnt, NULL };
		char *rpc[] = { bin, "rpc", file, calls, NULL };

		d = spawn(fa, -1);
		snprintf(file, sizeof(file), "%s/echo", mnt);
		if (d < 0 || !wait_path(file, 10e6) ||
		    time_rpc(file, "{\"x\":1}\n", lat, n, warm)) {
			rc = 1;
		} else if (!run(rpc, out, sizeof(out))) {
			printf("%s", out);
		}
		unmount(mnt, d);
	}
	return rc;
}

int main(int argc, char **argv)
{
	size_t n = 300, runs = 5, warm = 30;
	char anchors[PATH_MAX + 32];
	char mnt[PATH_MAX + 32], cfg[PATH_MAX + 32], file[PATH_MAX * 2];
	char out[4096], calls[32], ev[PATH_MAX * 2];
	double *ours, *floor_lat, direct_med = -1, direct_start = -1;
	double *builtin, *engine, builtin_med = -1, engine_med = -1;
	double ours_med, floor_med;
	pid_t d;
	int opt;

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		if (opt == 'n')
			n = (size_t)strtoul(optarg, NULL, 10);
		else if (opt == 'r')
			runs = (size_t)strtoul(optarg, NULL, 10);
		else {
			fprintf(stderr,
				"usage: bench_mcp [-n CALLS] [-r STARTUP_RUNS]\n");
			return 2;
		}
	}
	if (n < 10)
		n = 10;
	if (!realpath(getenv("TOP") ? getenv("TOP") : ".", top)) {
		perror("TOP");
		return 1;
	}
	snprintf(build, sizeof(build), "%s",
		 getenv("BUILD") ? getenv("BUILD") : "");
	if (!build[0])
		snprintf(build, sizeof(build), "%s/build", top);
	snprintf(anchors, sizeof(anchors), "%s/../shared/anchors", top);
	snprintf(tmp, sizeof(tmp), "/tmp/txbench.XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(ev, sizeof(ev), "%s/tests/mcp/setup.sh", top);
	{
		char *a[] = { ev, NULL };

		if (run(a, NULL, 0)) {
			fprintf(stderr,
				"bench_mcp: tests/mcp/setup.sh failed\n");
			return 1;
		}
	}
	ours = calloc(n, sizeof(double));
	floor_lat = calloc(n, sizeof(double));
	builtin = calloc(n, sizeof(double));
	engine = calloc(n, sizeof(double));
	if (!ours || !floor_lat || !builtin || !engine)
		return 1;
	snprintf(calls, sizeof(calls), "%zu", n);

	/* 1. The floor: fuse_floor compiled and mounted in this run. */
	if (measure_floor(anchors, floor_lat, n, warm))
		return 1;

	/* 2. Ours: the transaction way on server-everything's echo. */
	{
		const char *one[] = { "everything", NULL };

		snprintf(cfg, sizeof(cfg), "%s/cfg", tmp);
		snprintf(mnt, sizeof(mnt), "%s/mnt", tmp);
		if (write_config(cfg, one))
			return 1;
		d = mount_fs(cfg, mnt);
		snprintf(file, sizeof(file), "%s/tools/everything/echo/call",
			 mnt);
		if (d < 0 || !wait_path(file, 60e6) ||
		    time_rpc(file, "{\"message\":\"hi\"}", ours, n, warm)) {
			fprintf(stderr,
				"bench_mcp: calls through the mount failed\n");
			unmount(mnt, d);
			return 1;
		}
		/* The same file protocol on a zero-work built-in tool: what
		 * the mount itself costs. */
		snprintf(file, sizeof(file), "%s/tools/builtin/echo/call", mnt);
		if (!time_rpc(file, "{\"message\":\"hi\"}", builtin, n, warm))
			builtin_med = pct(builtin, n, 50);
		unmount(mnt, d);
	}

	/* 2b. The engine alone, in this process: no FUSE at all. */
	{
		struct tx_engine_options o = { .config_dir = cfg };
		struct tx_caller who = { 0 };
		char err[512];
		struct tx_engine *e = tx_engine_new(&o, err, sizeof(err));

		for (size_t i = 0; e && i < warm + n; i++) {
			double t = now_us();
			struct tx_job *j = tx_engine_call(
				e, "everything:echo", "{\"message\":\"hi\"}",
				&who, err, sizeof(err));

			if (!j)
				break;
			tx_job_wait(j, -1);
			tx_job_unref(j);
			if (i >= warm)
				engine[i - warm] = now_us() - t;
			if (i + 1 == warm + n)
				engine_med = pct(engine, n, 50);
		}
		if (e)
			tx_engine_free(e);
	}

	/* 3. Direct: the same server and call with no file system. */
	{
		char script[PATH_MAX + 64], idx[PATH_MAX + 100];
		char *da[] = { "python3", script,   "--tool",
			       "echo",    "--args", "{\"message\":\"hi\"}",
			       "--calls", calls,    "--",
			       "node",    idx,      "stdio",
			       NULL };
		const char *p;

		snprintf(script, sizeof(script), "%s/mcp_direct.py", anchors);
		snprintf(idx, sizeof(idx),
			 "%s/tests/mcp/node_modules/@modelcontextprotocol/"
			 "server-everything/dist/index.js",
			 top);
		if (run(da, out, sizeof(out))) {
			fprintf(stderr, "bench_mcp: mcp_direct.py failed\n");
			return 1;
		}
		printf("%s", out);
		if ((p = strstr(out, "median_us=")))
			direct_med = strtod(p + 10, NULL);
		if ((p = strstr(out, "startup_ms=")))
			direct_start = strtod(p + 11, NULL);
	}

	ours_med = pct(ours, n, 50);
	floor_med = pct(floor_lat, n, 50);
	printf("\none echo call, %zu calls after %zu warm-up, medians:\n", n,
	       warm);
	printf("  floor  (fuse_floor rpc)        %8.1f us\n", floor_med);
	printf("  direct (mcp_direct.py, stdio)  %8.1f us\n", direct_med);
	printf("  ours   (mount, transaction)    %8.1f us   p90 %.1f us\n",
	       ours_med, pct(ours, n, 90));
	printf("  ours / direct                  %8.2f\n",
	       ours_med / direct_med);
	printf("  decomposition: engine + MCP client alone (no FUSE) %.1f us "
	       "(/direct %.2f);\n    built-in echo through the mount %.1f us "
	       "(/floor %.2f); ours / (engine alone + built-in) %.2f\n",
	       engine_med, engine_med / direct_med, builtin_med,
	       builtin_med / floor_med, ours_med / (engine_med + builtin_med));
	printf("  ours / (direct + floor)        %8.2f   (target <= 1.10: %s)\n",
	       ours_med / (direct_med + floor_med),
	       ours_med <= (direct_med + floor_med) * 1.1 ? "met" : "MISSED");

	/* 4. Start-up: each server alone, then all three at once. */
	if (runs) {
		static const char *const names[] = { "everything", "files",
						     "memory" };
		double single[3], all, *s = calloc(runs, sizeof(double));
		double slowest = 0;

		for (size_t i = 0; i < 3 && s; i++) {
			const char *one[] = { names[i], NULL };

			for (size_t r = 0; r < runs; r++)
				s[r] = startup_us(one);
			single[i] = pct(s, runs, 50);
			if (single[i] > slowest)
				slowest = single[i];
			printf("%s  start-up, %-10s alone   %8.1f ms\n",
			       i ? "" : "\n", names[i], single[i] / 1e3);
		}
		for (size_t r = 0; r < runs && s; r++)
			s[r] = startup_us((const char *const[]){
				"everything", "files", "memory", NULL });
		all = s ? pct(s, runs, 50) : -1;
		printf("  start-up, all three        %8.1f ms   (median of %zu)\n",
		       all / 1e3, runs);
		printf("  all three / slowest alone  %8.2f\n", all / slowest);
		for (size_t r = 0; r < runs && s; r++)
			s[r] = direct_parallel_ms(anchors);
		if (s) {
			double dp = pct(s, runs, 50);

			printf("  baseline: the three started at once by "
			       "mcp_direct.py, slowest %.1f ms\n",
			       dp);
			printf("  all three / that baseline  %8.2f\n",
			       all / 1e3 / dp);
		}
		if (direct_start >= 0)
			printf("  (mcp_direct.py start-up of everything: %.0f ms)\n",
			       direct_start);
		free(s);
	}
	{
		char *rm[] = { "rm", "-rf", tmp, NULL };

		run(rm, NULL, 0);
	}
	free(ours);
	free(floor_lat);
	free(builtin);
	free(engine);
	return 0;
}
