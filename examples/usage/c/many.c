/*
 * Run many calls at once and take each answer when it is ready: each
 * call is a job (clone, then write its call file, which starts it), and
 * poll() tells which results are ready.
 *
 *   cc -o many many.c && ./many [MOUNT] [COUNT]
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX 64

/* Reads a small file whole; -1 on error. */
static ssize_t slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

int main(int argc, char **argv)
{
	const char *mnt = argc > 1 ? argv[1] : "mnt";
	int count = argc > 2 ? atoi(argv[2]) : 5, left;
	char path[4096], buf[4096], id[MAX][32];
	struct pollfd pfd[MAX];

	if (count < 1 || count > MAX)
		return 2;
	for (int i = 0; i < count; i++) {
		int fd, len;

		snprintf(path, sizeof(path), "%s/tools/builtin/sleep/clone",
			 mnt);
		if (slurp(path, id[i], sizeof(id[i])) <= 0) {
			perror(path);
			return 1;
		}
		id[i][strcspn(id[i], "\n")] = '\0';
		snprintf(path, sizeof(path), "%s/jobs/%s/call", mnt, id[i]);
		len = snprintf(buf, sizeof(buf), "{\"seconds\": %.1f}",
			       0.5 + i * 0.1);
		fd = open(path, O_WRONLY);
		/* close() starts the call; it fails if the arguments do. */
		if (fd < 0 || write(fd, buf, len) != len || close(fd)) {
			perror(path);
			return 1;
		}
		snprintf(path, sizeof(path), "%s/jobs/%s/result", mnt, id[i]);
		pfd[i].fd = open(path, O_RDONLY);
		pfd[i].events = POLLIN; /* readable once the call ended */
		if (pfd[i].fd < 0) {
			perror(path);
			return 1;
		}
	}
	for (left = count; left > 0;) {
		if (poll(pfd, count, 60000) <= 0) {
			perror("poll");
			return 1;
		}
		for (int i = 0; i < count; i++) {
			ssize_t n;

			if (pfd[i].fd < 0 || !(pfd[i].revents & POLLIN))
				continue;
			n = read(pfd[i].fd, buf, sizeof(buf) - 1);
			buf[n > 0 ? n : 0] = '\0';
			printf("job %s: %s", id[i], buf);
			close(pfd[i].fd);
			pfd[i].fd = -1; /* poll skips it from now on */
			left--;
		}
	}
	return 0;
}
