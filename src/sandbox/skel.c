/*
 * skel.c - the parts of a sandbox's root that are the same for every
 * run, /etc and /dev, each built once per process as a detached,
 * read-only tmpfs that every run's helper binds.
 *
 * Why not a copy per run: creating twenty small files in each run's
 * root was the largest single step of a start (about 0.7 ms of 8).  The
 * content is the same for every run with the same host name, so the
 * daemon builds it once and each run pays one bind.  It is built again
 * when the host's /etc changes (its directory's mtime or ctime: package
 * managers and ldconfig replace files by renaming) or a run asks for
 * another host name.  Files are owned by root outside, so nobody inside
 * (no run can change them, and the mount is read-only besides).
 */
#include "sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The part of /etc that interpreters and the usual tools read; never
 * shadow, never the host's users or hosts (those are written fresh).
 * A directory becomes an empty directory here: the helper binds the
 * host's (alternatives: the targets of /usr/bin/awk and friends) onto
 * it.  No TLS trust store: there is no network to use it on. */
static const char *const etc_names[] = {
	"ld.so.cache", "ld.so.conf",    "alternatives",   "localtime",
	"timezone",    "nsswitch.conf", "protocols",      "services",
	"mime.types",  "os-release",    "debian_version", "inputrc",
	"gai.conf",    "host.conf",     "magic",          "bash.bashrc",
	"profile",     "environment",   "locale.alias",   NULL,
};

/* A file larger than this is left out rather than copied. */
#define ETC_FILE_MAX (256 * 1024)
#define ETC_FS_SIZE  "8388608"

static pthread_mutex_t etc_lock = PTHREAD_MUTEX_INITIALIZER;
static int etc_fd = -1;           /* etc_lock */
static char etc_host[72];         /* etc_lock: built for this name */
static struct timespec etc_mtime; /* etc_lock: of the host's /etc */
static struct timespec etc_ctime; /* etc_lock */

static int write_at(int dir, const char *name, const char *text)
{
	int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			0644);
	size_t n = strlen(text);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, text, n);
	close(fd);
	if (w != (ssize_t)n)
		return w < 0 ? -errno : -EIO;
	return 0;
}

static int copy_file(int from_dir, int to_dir, const char *name, off_t size)
{
	int in, out, rc = 0;

	in = openat(from_dir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		return -errno;
	out = openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		     0644);
	if (out < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	/* To end of file, even if it grew since it was looked at. */
	for (;;) {
		ssize_t n = sendfile(out, in, NULL,
				     size > 0 ? (size_t)size : 65536);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		size = 65536;
	}
	close(in);
	close(out);
	return rc;
}

/* One entry of the host's /etc (dir) into the new one (to). */
static int copy_entry(int dir, int to, const char *name)
{
	char link[4096];
	struct stat st;
	ssize_t n;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(dir, name, link, sizeof(link) - 1);
		if (n < 0)
			return -errno;
		link[n] = '\0';
		return symlinkat(link, to, name) < 0 ? -errno : 0;
	}
	if (S_ISDIR(st.st_mode))
		return mkdirat(to, name, 0755) < 0 ? -errno : 0;
	if (S_ISREG(st.st_mode) && st.st_size <= ETC_FILE_MAX)
		return copy_file(dir, to, name, st.st_size);
	return 0;
}

static int build(const char *hostname, char *err, size_t errlen)
{
	char hosts[256];
	int fs, mnt = -1, dir = -1, rc;
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0) {
		rc = -errno;
		snprintf(err, errlen, "the sandbox's /etc: fsopen: %s",
			 strerror(errno));
		return rc;
	}
	if (fsconfig(fs, FSCONFIG_SET_STRING, "size", ETC_FS_SIZE, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		rc = -errno;
		snprintf(err, errlen, "the sandbox's /etc: tmpfs: %s",
			 strerror(errno));
		close(fs);
		return rc;
	}
	/* Never attached here: no mount table entry on the host. */
	mnt = fsmount(fs, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	rc = mnt < 0 ? -errno : 0;
	close(fs);
	if (rc < 0) {
		snprintf(err, errlen, "the sandbox's /etc: fsmount: %s",
			 strerror(-rc));
		return rc;
	}
	dir = open("/etc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; dir >= 0 && etc_names[i]; i++) {
		rc = copy_entry(dir, mnt, etc_names[i]);
		if (rc < 0) {
			snprintf(err, errlen, "the sandbox's /etc: %s: %s",
				 etc_names[i], strerror(-rc));
			goto out_fail;
		}
	}
	snprintf(hosts, sizeof(hosts),
		 "127.0.0.1\tlocalhost %s\n::1\tlocalhost ip6-localhost\n",
		 hostname);
	rc = write_at(mnt, "passwd",
		      "root:x:0:0:root:/work:/bin/sh\n"
		      "nobody:x:65534:65534:nobody:/nonexistent:"
		      "/usr/sbin/nologin\n");
	if (rc == 0)
		rc = write_at(mnt, "group", "root:x:0:\nnogroup:x:65534:\n");
	if (rc == 0)
		rc = write_at(mnt, "hosts", hosts);
	if (rc == 0)
		rc = write_at(mnt, "hostname", hostname);
	if (rc == 0)
		rc = write_at(mnt, "resolv.conf", "");
	if (rc == 0 &&
	    mount_setattr(mnt, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		rc = -errno;
	if (rc < 0) {
		snprintf(err, errlen, "the sandbox's /etc: %s", strerror(-rc));
		goto out_fail;
	}
	if (dir >= 0)
		close(dir);
	return mnt;
out_fail:
	if (dir >= 0)
		close(dir);
	close(mnt);
	return rc;
}

int tx_sandbox_etc_fd(const char *hostname, char *err, size_t errlen)
{
	struct stat st;
	int fd = -1;

	if (!hostname)
		hostname = "toolexec";
	if (strlen(hostname) >= sizeof(etc_host)) {
		snprintf(err, errlen, "host name too long");
		return -EINVAL;
	}
	if (stat("/etc", &st) < 0)
		memset(&st, 0, sizeof(st));
	pthread_mutex_lock(&etc_lock);
	if (etc_fd >= 0 && (strcmp(etc_host, hostname) ||
			    st.st_mtim.tv_sec != etc_mtime.tv_sec ||
			    st.st_mtim.tv_nsec != etc_mtime.tv_nsec ||
			    st.st_ctim.tv_sec != etc_ctime.tv_sec ||
			    st.st_ctim.tv_nsec != etc_ctime.tv_nsec)) {
		/* Runs that hold a duplicate keep the old one. */
		close(etc_fd);
		etc_fd = -1;
	}
	if (etc_fd < 0) {
		int b = build(hostname, err, errlen);

		if (b < 0) {
			pthread_mutex_unlock(&etc_lock);
			return b;
		}
		etc_fd = b;
		snprintf(etc_host, sizeof(etc_host), "%s", hostname);
		etc_mtime = st.st_mtim;
		etc_ctime = st.st_ctim;
	}
	fd = fcntl(etc_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		fd = -errno;
		snprintf(err, errlen, "the sandbox's /etc: %s",
			 strerror(errno));
	}
	pthread_mutex_unlock(&etc_lock);
	return fd;
}

/* ------------------------------------------------------------------ */
/* /dev                                                                 */

/*
 * Device nodes cannot be made in a user namespace, so each run used to
 * bind the host's five one by one (five mount operations at the start,
 * five unmounts at the end).  The daemon, root outside, makes them once
 * here instead, with the host's numbers and modes: no tty, no ptmx,
 * nothing to type into.  This one mount is read-only, nosuid and
 * noexec but not nodev (its nodes are the point); nothing can be added
 * to it.
 */
static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;
static int dev_fd = -1; /* dev_lock */

static int build_dev(char *err, size_t errlen)
{
	static const char *const nodes[] = { "null",   "zero",    "full",
					     "random", "urandom", NULL };
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" },
		/* POSIX shared memory and semaphores: the private /tmp. */
		{ "/tmp", "shm" },
	};
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	const char *what = "tmpfs";
	int fs, mnt, rc = 0;

	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0) {
		rc = -errno;
		snprintf(err, errlen, "the sandbox's /dev: fsopen: %s",
			 strerror(errno));
		return rc;
	}
	if (fsconfig(fs, FSCONFIG_SET_STRING, "size", "65536", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		rc = -errno;
		snprintf(err, errlen, "the sandbox's /dev: tmpfs: %s",
			 strerror(errno));
		close(fs);
		return rc;
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	rc = mnt < 0 ? -errno : 0;
	close(fs);
	if (rc < 0) {
		snprintf(err, errlen, "the sandbox's /dev: fsmount: %s",
			 strerror(-rc));
		return rc;
	}
	for (size_t i = 0; rc == 0 && nodes[i]; i++) {
		char path[32];
		struct stat st;

		what = nodes[i];
		snprintf(path, sizeof(path), "/dev/%s", nodes[i]);
		if (stat(path, &st) < 0)
			rc = -errno;
		else if (!S_ISCHR(st.st_mode))
			rc = -ENODEV;
		else if (mknodat(mnt, nodes[i], S_IFCHR | 0600, st.st_rdev) <
				 0 ||
			 fchmodat(mnt, nodes[i], st.st_mode & 0777, 0) < 0)
			rc = -errno;
	}
	for (size_t i = 0; rc == 0 && i < sizeof(links) / sizeof(links[0]);
	     i++) {
		what = links[i][1];
		if (symlinkat(links[i][0], mnt, links[i][1]) < 0)
			rc = -errno;
	}
	if (rc == 0 &&
	    mount_setattr(mnt, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0) {
		what = "read-only";
		rc = -errno;
	}
	if (rc < 0) {
		snprintf(err, errlen, "the sandbox's /dev: %s: %s", what,
			 strerror(-rc));
		close(mnt);
		return rc;
	}
	return mnt;
}

int tx_sandbox_dev_fd(char *err, size_t errlen)
{
	int fd;

	pthread_mutex_lock(&dev_lock);
	if (dev_fd < 0) {
		fd = build_dev(err, errlen);
		if (fd < 0) {
			pthread_mutex_unlock(&dev_lock);
			return fd;
		}
		dev_fd = fd;
	}
	fd = fcntl(dev_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		fd = -errno;
		snprintf(err, errlen, "the sandbox's /dev: %s",
			 strerror(errno));
	}
	pthread_mutex_unlock(&dev_lock);
	return fd;
}
