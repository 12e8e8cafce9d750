/*
 * test_sandbox_skel.c - the parts of the sandbox's root built once per
 * process (src/sandbox/skel.c).  /etc: shared, built again for another
 * host name, read-only, the host's small files as they are, fresh user
 * and host files, never shadow.  /dev: the host's five harmless nodes
 * with their numbers and modes, the usual links, nothing else,
 * read-only, shared.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sandbox/sandbox.h"

/* The whole of a (small) file under dir, or NULL. */
static char *read_at(int dir, const char *name)
{
	static char buf[65536];
	int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

static int etc(const char *host)
{
	char err[256] = "";
	int fd = tx_sandbox_etc_fd(host, err, sizeof(err));

	if (fd < 0)
		fail_msg("tx_sandbox_etc_fd(%s): %s", host ? host : "NULL",
			 err);
	return fd;
}

static dev_t dev_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_dev;
}

static void test_content(void **state)
{
	int fd;
	char *s;

	(void)state;
	if (geteuid() != 0)
		skip();
	fd = etc(NULL);
	assert_string_equal(read_at(fd, "hostname"), "toolexec");
	assert_string_equal(read_at(fd, "hosts"),
			    "127.0.0.1\tlocalhost toolexec\n"
			    "::1\tlocalhost ip6-localhost\n");
	assert_string_equal(read_at(fd, "passwd"),
			    "root:x:0:0:root:/work:/bin/sh\n"
			    "nobody:x:65534:65534:nobody:/nonexistent:"
			    "/usr/sbin/nologin\n");
	assert_string_equal(read_at(fd, "group"),
			    "root:x:0:\nnogroup:x:65534:\n");
	assert_string_equal(read_at(fd, "resolv.conf"), "");
	assert_null(read_at(fd, "shadow"));
	assert_null(read_at(fd, "gshadow"));
	if (access("/etc/nsswitch.conf", R_OK) == 0) {
		int host = open("/etc", O_PATH | O_DIRECTORY | O_CLOEXEC);
		char *mine;

		assert_true(host >= 0);
		s = strdup(read_at(host, "nsswitch.conf"));
		mine = read_at(fd, "nsswitch.conf");
		assert_non_null(mine);
		assert_string_equal(mine, s);
		free(s);
		close(host);
	}
	close(fd);
}

static void test_read_only(void **state)
{
	int fd;

	(void)state;
	if (geteuid() != 0)
		skip();
	fd = etc(NULL);
	assert_int_equal(openat(fd, "passwd", O_WRONLY | O_CLOEXEC), -1);
	assert_int_equal(errno, EROFS);
	assert_int_equal(
		openat(fd, "new", O_WRONLY | O_CREAT | O_CLOEXEC, 0644), -1);
	assert_int_equal(errno, EROFS);
	assert_int_equal(unlinkat(fd, "hosts", 0), -1);
	assert_int_equal(errno, EROFS);
	close(fd);
}

static void test_shared_and_rebuilt(void **state)
{
	int a, b, c, d;

	(void)state;
	if (geteuid() != 0)
		skip();
	/* The same host name: one tmpfs for both (built once). */
	a = etc("alpha");
	b = etc("alpha");
	assert_true(a != b);
	assert_true(dev_of(a) == dev_of(b));
	assert_string_equal(read_at(b, "hostname"), "alpha");
	/* Another: a new one; the holder of the old keeps it intact. */
	c = etc("beta");
	assert_true(dev_of(c) != dev_of(a));
	assert_string_equal(read_at(c, "hostname"), "beta");
	assert_string_equal(read_at(a, "hostname"), "alpha");
	d = etc("alpha");
	assert_string_equal(read_at(d, "hostname"), "alpha");
	close(a);
	close(b);
	close(c);
	close(d);
}

static void test_bad_name(void **state)
{
	char err[256] = "", name[200];

	(void)state;
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(tx_sandbox_etc_fd(name, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "host name too long");
}

static void test_dev(void **state)
{
	static const char *const nodes[] = { "null",   "zero",    "full",
					     "random", "urandom", NULL };
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
		{ "shm", "/tmp" },
	};
	char err[256] = "", target[64];
	struct statvfs sv;
	int fd, again, dir, n = 0;
	struct stat st, host;
	ssize_t len;

	(void)state;
	if (geteuid() != 0)
		skip();
	fd = tx_sandbox_dev_fd(err, sizeof(err));
	if (fd < 0)
		fail_msg("tx_sandbox_dev_fd: %s", err);
	for (size_t i = 0; nodes[i]; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/dev/%s", nodes[i]);
		assert_int_equal(stat(path, &host), 0);
		assert_int_equal(fstatat(fd, nodes[i], &st, 0), 0);
		assert_true(S_ISCHR(st.st_mode));
		assert_true(st.st_rdev == host.st_rdev);
		assert_int_equal(st.st_mode & 07777, host.st_mode & 07777);
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		len = readlinkat(fd, links[i][0], target, sizeof(target) - 1);
		assert_true(len > 0);
		target[len] = '\0';
		assert_string_equal(target, links[i][1]);
	}
	/* Nothing else: 5 nodes, 5 links, "." and "..". */
	dir = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dir >= 0);
	{
		DIR *d = fdopendir(dir);
		struct dirent *de;

		assert_non_null(d);
		while ((de = readdir(d)))
			n++;
		closedir(d);
	}
	assert_int_equal(n, 12);
	/* Read-only, nosuid, noexec; device nodes work there. */
	assert_int_equal(fstatvfs(fd, &sv), 0);
	assert_true(sv.f_flag & ST_RDONLY);
	assert_true(sv.f_flag & ST_NOSUID);
	assert_true(sv.f_flag & ST_NOEXEC);
	assert_false(sv.f_flag & ST_NODEV);
	assert_int_equal(mknodat(fd, "mem", S_IFCHR | 0600, makedev(1, 1)), -1);
	assert_int_equal(errno, EROFS);
	/* Shared: built once. */
	again = tx_sandbox_dev_fd(err, sizeof(err));
	assert_true(again >= 0);
	assert_true(dev_of(again) == dev_of(fd));
	close(again);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_shared_and_rebuilt),
		cmocka_unit_test(test_bad_name),
		cmocka_unit_test(test_dev),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
