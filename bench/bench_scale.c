/*
 * bench_scale - the engine and the mount at tens of thousands of tools
 * (bench/bench-scale.sh generates the catalogues and runs this).
 *
 *   bench_scale mem DIR
 *
 * Starts the engine on the configuration directory DIR (no watch) and
 * measures the allocator's in-use bytes (mallinfo2) before and after;
 * then builds a search index of the same tools on its own, measured the
 * same way, so that what a tool costs beyond the index's postings shows.
 * Prints one line:
 *   "tools=N load_ms=T heap_per_tool=B index_per_tool=I beyond_index=X"
 * (bytes per tool).
 *
 *   bench_scale run TOOLEXEC TOOLEXECFS DIR MNT QUERY
 *
 * In one run, on the catalogue in DIR (files tools-0000.json, ... whose
 * namespaces are ns0000, ...):
 *   list_s, list_rss_kb  `TOOLEXEC -c DIR list`, best wall time of 3 and
 *                        its peak RSS;
 *   ready_s              from starting `TOOLEXECFS -f -c DIR MNT` until
 *                        MNT/README is there (the first load is done
 *                        before the mount appears);
 *   index_s, index_kb    reading MNT/tools/INDEX once, cold;
 *   searchable_s         from the same start until reading
 *                        MNT/search/QUERY/results returns (the mount
 *                        indexes its tools after it is ready; the first
 *                        search waits for that);
 *   search_ms            then reading MNT/search/QUERY again/results, a
 *                        query not asked before;
 *   reload_ms            median of 5: rewriting tools-0000.json (rename
 *                        over it; every tool's title changes), writing
 *                        MNT/.ctl/reload, reading MNT/tools/ns0000/INDEX
 *                        with the new titles;
 *   watch_ms             median of 3: the same through the directory
 *                        watcher alone (its 150 ms debounce included),
 *                        polling the INDEX every 0.2 ms;
 *   fs_rss_kb            the daemon's peak RSS (VmHWM) at the end.
 * Prints them on one line as NAME=VALUE.
 */
#include <errno.h>
#include <json-c/json.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "engine/engine_i.h"
#include "engine/tool.h"
#include "search/search.h"
#include "toolexecfs/toolexec.h"

static size_t in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static int mem_main(int argc, char **argv)
{
	struct tx_engine_options opts = { 0 };
	struct tx_search_index *idx;
	struct json_tokener *tok;
	struct tx_search_hit *hits = NULL;
	struct tx_toolset *set;
	struct tx_engine *e;
	size_t before, engine_bytes, index_bytes, n;
	char err[1024];
	double t0, t1;
	int rc;

	if (argc != 1) {
		fprintf(stderr, "usage: bench_scale mem DIR\n");
		return 2;
	}
	opts.config_dir = argv[0];
	before = in_use();
	t0 = now_us();
	e = tx_engine_new(&opts, err, sizeof(err));
	t1 = now_us();
	if (!e) {
		fprintf(stderr, "bench_scale: %s\n", err);
		return 1;
	}
	/* A search builds the index (the engine queues it until one). */
	rc = tx_engine_search(e, "index", 1, &hits);
	if (rc < 0) {
		fprintf(stderr, "bench_scale: search: %s\n", strerror(-rc));
		tx_engine_free(e);
		return 1;
	}
	tx_search_hits_free(hits, (size_t)rc);
	engine_bytes = in_use() - before;
	set = tx_engine_tools(e);
	n = tx_toolset_count(set);
	before = in_use();
	idx = tx_search_index_new();
	tok = json_tokener_new_ex(TX_TOOL_SCHEMA_DEPTH);
	/* As the engine indexes its tools. */
	for (size_t i = 0; idx && tok && i < n; i++)
		tx_indexer_put_tool(idx, tx_toolset_at(set, i), tok);
	if (tok)
		json_tokener_free(tok);
	index_bytes = in_use() - before;
	printf("tools=%zu load_ms=%.0f heap_per_tool=%zu index_per_tool=%zu "
	       "beyond_index=%zu\n",
	       n, (t1 - t0) / 1e3, n ? engine_bytes / n : 0,
	       n ? index_bytes / n : 0,
	       n && engine_bytes > index_bytes
		       ? (engine_bytes - index_bytes) / n
		       : 0);
	tx_search_index_free(idx);
	tx_toolset_unref(set);
	tx_engine_free(e);
	return 0;
}

extern char **environ;

/* Starts argv with stdout (and stderr when quiet) on /dev/null. */
static pid_t spawn(char *const argv[], bool quiet)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (quiet)
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY,
						 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		errno = rc;
		return -1;
	}
	return pid;
}

/* Reads path to the end: the byte count, or -1. */
static ssize_t slurp(const char *path, char **out)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((r = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)r;
		if (len + 1 == cap) {
			char *g = realloc(buf, cap * 2);

			if (!g)
				break;
			buf = g;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	if (out)
		*out = buf;
	else
		free(buf);
	return r < 0 ? -1 : (ssize_t)len;
}

static int write_file(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	close(fd);
	return rename(tmp, path);
}

/* text with every `"title": "` followed by marker and a space. */
static char *with_marker(const char *text, const char *marker)
{
	static const char key[] = "\"title\": \"";
	size_t n = 0, ml = strlen(marker) + 1;
	const char *p;
	char *out, *o;

	for (p = text; (p = strstr(p, key)); p += sizeof(key) - 1)
		n++;
	out = malloc(strlen(text) + n * ml + 1);
	if (!out)
		return NULL;
	o = out;
	for (p = text;;) {
		const char *k = strstr(p, key);

		if (!k) {
			memcpy(o, p, strlen(p) + 1); /* sized above */
			break;
		}
		k += sizeof(key) - 1;
		memcpy(o, p, (size_t)(k - p));
		o += k - p;
		memcpy(o, marker, ml - 1);
		o += ml - 1;
		*o++ = ' ';
		p = k;
	}
	return out;
}

static long vm_hwm_kb(pid_t pid)
{
	char path[64], *text = NULL, *p;
	long kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (slurp(path, &text) < 0)
		return -1;
	p = strstr(text, "VmHWM:");
	if (p)
		kb = strtol(p + 6, NULL, 10);
	free(text);
	return kb;
}

static void sleep_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

static int run_main(int argc, char **argv)
{
	char *toolexec, *toolexecfs, *dir, *mnt, *query;
	char path[4096], file0[4096], *orig = NULL;
	double best_list = 1e300, t0, t_start, ready_s, index_s, search_ms;
	double searchable_s;
	double reload[5], watch[3];
	char ctl[4096];
	long list_rss = 0, fs_rss;
	ssize_t index_len;
	pid_t fs;
	int rc = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: bench_scale run TOOLEXEC TOOLEXECFS "
				"DIR MNT QUERY\n");
		return 2;
	}
	toolexec = argv[0];
	toolexecfs = argv[1];
	dir = argv[2];
	mnt = argv[3];
	query = argv[4];
	for (int r = 0; r < 3; r++) {
		char *av[] = { toolexec, "-c", dir, "list", NULL };
		struct rusage ru;
		int st;
		pid_t pid;

		t0 = now_us();
		pid = spawn(av, false);
		if (pid < 0 || wait4(pid, &st, 0, &ru) != pid ||
		    !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "bench_scale: %s list failed\n",
				toolexec);
			return 1;
		}
		if ((now_us() - t0) / 1e6 < best_list)
			best_list = (now_us() - t0) / 1e6;
		list_rss = ru.ru_maxrss;
	}
	{
		char *av[] = { toolexecfs, "-f", "-c", dir, mnt, NULL };
		struct stat st;

		snprintf(path, sizeof(path), "%s/README", mnt);
		t0 = t_start = now_us();
		fs = spawn(av, true);
		if (fs < 0)
			return 1;
		while (stat(path, &st)) {
			if (waitpid(fs, NULL, WNOHANG) == fs ||
			    now_us() - t0 > 300e6) {
				fprintf(stderr, "bench_scale: no mount\n");
				return 1;
			}
			sleep_us(1000);
		}
		ready_s = (now_us() - t0) / 1e6;
	}
	snprintf(path, sizeof(path), "%s/tools/INDEX", mnt);
	t0 = now_us();
	index_len = slurp(path, NULL);
	index_s = (now_us() - t0) / 1e6;
	/* The first search waits for the index the mount builds after
	 * it is ready: how long after the start search works. */
	snprintf(path, sizeof(path), "%s/search/%s/results", mnt, query);
	if (slurp(path, NULL) < 0)
		goto out_unmount;
	searchable_s = (now_us() - t_start) / 1e6;
	/* Another query, on the index now complete. */
	snprintf(path, sizeof(path), "%s/search/%s again/results", mnt, query);
	t0 = now_us();
	if (slurp(path, NULL) < 0)
		goto out_unmount;
	search_ms = (now_us() - t0) / 1e3;
	snprintf(file0, sizeof(file0), "%s/tools-0000.json", dir);
	snprintf(path, sizeof(path), "%s/tools/ns0000/INDEX", mnt);
	if (slurp(file0, &orig) < 0 || slurp(path, NULL) < 0)
		goto out_unmount;
	snprintf(ctl, sizeof(ctl), "%s/.ctl/reload", mnt);
	for (int r = 0; r < 8; r++) {
		char marker[32], *text, *seen = NULL;
		bool via_ctl = r < 5;

		/* Let the watcher finish with the previous edit first. */
		sleep_us(500000);
		snprintf(marker, sizeof(marker), "zqmark%d", r);
		text = with_marker(orig, marker);
		t0 = now_us();
		if (!text || write_file(file0, text, strlen(text)))
			goto out_unmount;
		free(text);
		if (via_ctl) {
			int fd = open(ctl, O_WRONLY | O_CLOEXEC);

			if (fd < 0 || write(fd, "1\n", 2) != 2) {
				fprintf(stderr, "bench_scale: %s: %s\n", ctl,
					strerror(errno));
				goto out_unmount;
			}
			close(fd);
		}
		for (;;) {
			bool ok = slurp(path, &seen) > 0 &&
				  strstr(seen, marker);

			free(seen);
			seen = NULL;
			if (ok)
				break;
			if (now_us() - t0 > 60e6) {
				char log[4096], *l = NULL;

				fprintf(stderr,
					"bench_scale: %s never shows "
					"%s\n",
					path, marker);
				if (slurp(path, &l) >= 0)
					fprintf(stderr, "%.300s\n", l);
				free(l);
				l = NULL;
				snprintf(log, sizeof(log), "%s/.ctl/log", mnt);
				if (slurp(log, &l) >= 0)
					fprintf(stderr, "%s\n",
						strlen(l) > 3000
							? l + strlen(l) - 3000
							: l);
				free(l);
				goto out_unmount;
			}
			sleep_us(200);
		}
		if (via_ctl)
			reload[r] = (now_us() - t0) / 1e3;
		else
			watch[r - 5] = (now_us() - t0) / 1e3;
	}
	qsort(reload, 5, sizeof(reload[0]), cmp_double);
	qsort(watch, 3, sizeof(watch[0]), cmp_double);
	fs_rss = vm_hwm_kb(fs);
	printf("list_s=%.3f list_rss_kb=%ld ready_s=%.3f index_s=%.3f "
	       "index_kb=%zd searchable_s=%.3f search_ms=%.1f reload_ms=%.1f "
	       "watch_ms=%.1f fs_rss_kb=%ld\n",
	       best_list, list_rss, ready_s, index_s, index_len / 1024,
	       searchable_s, search_ms, reload[2], watch[1], fs_rss);
	rc = 0;
out_unmount:
	if (orig)
		write_file(file0, orig, strlen(orig));
	free(orig);
	{
		char *av[] = { "fusermount3", "-u", mnt, NULL };
		pid_t u = spawn(av, true);

		int st = 1;

		if (u > 0)
			waitpid(u, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			kill(fs, SIGTERM); /* it unmounts on the way out */
		waitpid(fs, NULL, 0);
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "mem"))
		return mem_main(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return run_main(argc - 2, argv + 2);
	fprintf(stderr, "usage: bench_scale mem DIR | run TOOLEXEC TOOLEXECFS "
			"DIR MNT QUERY\n");
	return 2;
}
