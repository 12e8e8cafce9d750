/*
 * bench_fs - times the calling ways of a mounted toolexecfs against the
 * floor file system (../shared/anchors/fuse_floor.c) in the same run.
 *
 *   bench_fs rpc   CALLFILE N        transaction: open(O_RDWR), write,
 *                                    read to EOF, close
 *   bench_fs shell CALLFILE READFILE N
 *                                    shell style: open(O_WRONLY), write,
 *                                    close; open READFILE, read to EOF,
 *                                    close
 *   bench_fs job   TOOLDIR JOBSDIR N clone, write jobs/ID/call, read
 *                                    jobs/ID/result
 *   bench_fs par   CALLFILE N K      rpc with K concurrent processes:
 *                                    calls per second
 *
 * Prints one line: "MODE n=N median_us=M p99_us=P" (or "calls_per_s=").
 * For the floor, CALLFILE and READFILE are both MNT/echo.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

static const char args[] = "{\"text\":\"bench\"}\n";

static int die(const char *what)
{
	fprintf(stderr, "bench_fs: %s: %s\n", what, strerror(errno));
	return -1;
}

/* Reads fd to EOF; the byte count or -1. */
static ssize_t drain(int fd, char *buf, size_t len)
{
	ssize_t got = 0, r;

	while ((r = read(fd, buf, len)) > 0)
		got += r;
	return r < 0 ? -1 : got;
}

/* Opens call (accmode O_RDWR or O_WRONLY) and writes the arguments:
 * the descriptor, or -1 after saying why. */
static int open_call(const char *call, int accmode)
{
	int fd = open(call, accmode | O_CLOEXEC);

	if (fd < 0)
		return die(call);
	if (write(fd, args, sizeof(args) - 1) != (ssize_t)sizeof(args) - 1) {
		close(fd);
		return die("write");
	}
	return fd;
}

static int one_rpc(const char *call)
{
	char buf[4096];
	int fd = open_call(call, O_RDWR);
	ssize_t got;

	if (fd < 0)
		return -1;
	got = drain(fd, buf, sizeof(buf));
	close(fd);
	if (got <= 0)
		return die("read");
	return 0;
}

static int one_shell(const char *call, const char *result)
{
	char buf[4096];
	int fd = open_call(call, O_WRONLY);
	ssize_t got;

	if (fd < 0)
		return -1;
	if (close(fd))
		return die("close");
	fd = open(result, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return die(result);
	got = drain(fd, buf, sizeof(buf));
	close(fd);
	return got > 0 ? 0 : die("read result");
}

static int one_job(const char *tooldir, const char *jobsdir)
{
	char path[4096], id[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/clone", tooldir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return die(path);
	n = drain(fd, id, sizeof(id) - 1);
	close(fd);
	if (n < 2)
		return die("clone");
	id[n - 1] = '\0';
	snprintf(path, sizeof(path), "%s/%s/call", jobsdir, id);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, args, sizeof(args) - 1) < 0 || close(fd))
		return die(path);
	snprintf(path, sizeof(path), "%s/%s/result", jobsdir, id);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return die(path);
	n = drain(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 ? 0 : die("read job result");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	double *lat = NULL, t0;
	long n, k;
	int rc = 0;

	if (!strcmp(mode, "par") && argc == 5) {
		n = atol(argv[3]);
		k = atol(argv[4]);
		t0 = now_us();
		for (long c = 0; c < k; c++) {
			pid_t pid = fork();

			if (pid == 0) {
				for (long i = 0; i < n / k; i++)
					if (one_rpc(argv[2]))
						_exit(1);
				_exit(0);
			}
		}
		for (long c = 0; c < k; c++) {
			int st;

			if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
				rc = 1;
		}
		printf("par clients=%ld n=%ld calls_per_s=%.0f\n", k,
		       (n / k) * k,
		       (double)((n / k) * k) * 1e6 / (now_us() - t0));
		return rc;
	}
	if (!((!strcmp(mode, "rpc") && argc == 4) ||
	      (!strcmp(mode, "shell") && argc == 5) ||
	      (!strcmp(mode, "job") && argc == 5))) {
		fprintf(stderr,
			"usage: bench_fs rpc CALL N | shell CALL READ N | "
			"job TOOLDIR JOBSDIR N | par CALL N K\n");
		return 2;
	}
	n = atol(argv[argc - 1]);
	if (n < 1 || !(lat = calloc((size_t)n, sizeof(*lat))))
		return 2;
	for (long i = 0; i < n && !rc; i++) {
		t0 = now_us();
		if (!strcmp(mode, "rpc"))
			rc = one_rpc(argv[2]);
		else if (!strcmp(mode, "shell"))
			rc = one_shell(argv[2], argv[3]);
		else
			rc = one_job(argv[2], argv[3]);
		lat[i] = now_us() - t0;
	}
	if (!rc) {
		qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
		printf("%s n=%ld median_us=%.1f p99_us=%.1f\n", mode, n,
		       lat[n / 2],
		       lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1]);
	}
	free(lat);
	return rc ? 1 : 0;
}
