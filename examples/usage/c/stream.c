/*
 * Follow a long job's stream as it comes: a read at the end of the
 * stream waits for more, and 0 (end of file) means the job ended.
 *
 *   cc -o stream stream.c && ./stream [MOUNT]
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *mnt = argc > 1 ? argv[1] : "mnt";
	char path[4096], id[32], buf[4096];
	const char *args = "{\"seconds\": 3}";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/tools/builtin/sleep/clone", mnt);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, id, sizeof(id) - 1);
	if (n <= 0) {
		perror(path);
		return 1;
	}
	close(fd);
	id[n] = '\0';
	id[strcspn(id, "\n")] = '\0';
	snprintf(path, sizeof(path), "%s/jobs/%s/call", mnt, id);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, args, strlen(args)) < 0 || close(fd)) {
		perror(path);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/jobs/%s/stream", mnt, id);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout), fflush(stdout);
	close(fd);
	return n < 0;
}
