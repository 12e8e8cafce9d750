#!/bin/bash
# C's habits on jobs and search (lib-matrix.sh says what each case
# checks): stdio (buffered: fopen, fgets, fputs, fread) and read(2)
# (unbuffered); "rb" and "r" are the same bytes on POSIX, so one of each
# way; three jobs waited for with poll(2); search/query through stdio
# "r+" with the fseek the C standard asks for, and through read(2).
# Exact answers.
. "$(dirname "$0")/lib.sh"
. "$here/lib-matrix.sh"
cat > "$TMP/m.c" <<'C'
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *M, *W, *Q;

static void die(const char *what)
{
	perror(what);
	exit(1);
}
static void same(const char *got, size_t n, const char *want, const char *what)
{
	if (n != strlen(want) || memcmp(got, want, n)) {
		fprintf(stderr, "%s: got [%.*s], want [%s]\n", what, (int)n, got, want);
		exit(1);
	}
}
/* Reads PATH to end of file with stdio (buffered) or read(2). */
static size_t slurp(const char *path, int buffered, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	FILE *f;
	int fd;

	if (buffered) {
		if (!(f = fopen(path, "rb")))
			die(path);
		n = fread(buf, 1, cap - 1, f);
		if (ferror(f) || fclose(f))
			die(path);
	} else {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			die(path);
		while ((r = read(fd, buf + n, 100)) > 0)
			n += (size_t)r;
		if (r < 0 || close(fd))
			die(path);
	}
	buf[n] = '\0';
	return n;
}
/* clone of tools/builtin/TOOL: the new job's directory in DIR. */
static void clone(const char *tool, char *dir, size_t cap)
{
	char path[4096], id[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tools/builtin/%s/clone", M, tool);
	if (!(f = fopen(path, "r")) || !fgets(id, sizeof(id), f) || fclose(f))
		die(path);
	id[strcspn(id, "\n")] = '\0';
	snprintf(dir, cap, "%s/jobs/%s", M, id);
}
static void call(const char *dir, const char *args)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/call", dir);
	if (!(f = fopen(path, "w")) || fputs(args, f) < 0 || fclose(f))
		die(path);
}

int main(int argc, char **argv)
{
	static char buf[65536], want[65536], want_json[65536];
	char dir[4096], path[4200], args[256], exp[256];
	const char *secs[3] = { "0.3", "0.1", "0.2" };
	struct pollfd pf[3];
	size_t n;

	if (argc != 4)
		return 2;
	M = argv[1], W = argv[2], Q = argv[3];
	/* jobs: stdio and read(2) */
	for (int buffered = 1; buffered >= 0; buffered--) {
		const char *t = buffered ? "héllo ✓ c stdio" : "héllo ✓ c read";

		clone("echo", dir, sizeof(dir));
		snprintf(args, sizeof(args), "{\"text\": \"%s\"}", t);
		call(dir, args);
		snprintf(path, sizeof(path), "%s/result", dir);
		n = slurp(path, buffered, buf, sizeof(buf));
		snprintf(exp, sizeof(exp), "{\n  \"text\": \"%s\"\n}\n", t);
		same(buf, n, exp, buffered ? "jobs stdio" : "jobs read(2)");
	}
	/* three jobs at once, waited for with poll(2) */
	for (int i = 0; i < 3; i++) {
		clone("sleep", dir, sizeof(dir));
		snprintf(args, sizeof(args), "{\"seconds\": %s}", secs[i]);
		call(dir, args);
		snprintf(path, sizeof(path), "%s/result", dir);
		pf[i].fd = open(path, O_RDONLY | O_CLOEXEC);
		pf[i].events = POLLIN;
		if (pf[i].fd < 0)
			die(path);
	}
	for (int left = 3; left > 0;) {
		int r = poll(pf, 3, 30000);

		if (r <= 0) {
			fprintf(stderr, "poll: %s\n", r ? "failed" : "no job ended in 30 s");
			return 1;
		}
		for (int i = 0; i < 3; i++) {
			ssize_t k;

			if (pf[i].fd < 0 || !(pf[i].revents & POLLIN))
				continue;
			if ((k = read(pf[i].fd, buf, sizeof(buf))) < 0)
				die("read");
			snprintf(exp, sizeof(exp), "slept %s s\n", secs[i]);
			same(buf, (size_t)k, exp, "poll");
			close(pf[i].fd);
			pf[i].fd = -1;
			left--;
		}
	}
	/* search: the files, buffered and not */
	slurp((snprintf(path, sizeof(path), "%s/results", W), path), 1, want, sizeof(want));
	slurp((snprintf(path, sizeof(path), "%s/results.json", W), path), 1, want_json,
	      sizeof(want_json));
	for (int buffered = 1; buffered >= 0; buffered--) {
		snprintf(path, sizeof(path), "%s/search/%s/results", M, Q);
		n = slurp(path, buffered, buf, sizeof(buf));
		same(buf, n, want, "search/Q/results");
		snprintf(path, sizeof(path), "%s/search/%s/results.json", M, Q);
		n = slurp(path, buffered, buf, sizeof(buf));
		same(buf, n, want_json, "search/Q/results.json");
	}
	/* search/query as a transaction: stdio "r+" and read(2) */
	snprintf(path, sizeof(path), "%s/search/query", M);
	{
		FILE *f = fopen(path, "r+");

		if (!f || fputs(Q, f) < 0 || fflush(f) || fseek(f, 0, SEEK_SET))
			die("search/query stdio");
		n = fread(buf, 1, sizeof(buf) - 1, f);
		if (ferror(f) || fclose(f))
			die("search/query stdio");
		same(buf, n, want, "search/query stdio");
	}
	{
		int fd = open(path, O_RDWR | O_CLOEXEC);
		ssize_t r;

		if (fd < 0 || write(fd, Q, strlen(Q)) != (ssize_t)strlen(Q))
			die("search/query read(2)");
		n = 0;
		while ((r = read(fd, buf + n, 100)) > 0)
			n += (size_t)r;
		if (r < 0 || close(fd))
			die("search/query read(2)");
		same(buf, n, want, "search/query read(2)");
	}
	puts("c jobs and search ok");
	return 0;
}
C
gcc -std=c11 -Wall -Werror -o "$TMP/m" "$TMP/m.c" || fail "compile"
"$TMP/m" "$MNT" "$WANT" "$Q" > "$TMP/out" 2>&1 || fail "c: $(cat "$TMP/out")"
assert_eq "c jobs and search ok" "$(cat "$TMP/out")"
unmount_fs
