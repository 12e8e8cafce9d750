/*
 * helper_ns.c - identity and namespaces: the id maps, becoming root of
 * the new user namespace, the fresh root file system, the hostname and
 * the loopback interface.
 *
 * SAFETY.  The helper runs as root on the real host.  Every routine
 * here that mounts, sets a hostname or touches an interface first calls
 * hns_check(), which refuses unless the caller is PID 1 of a new PID
 * namespace and in user, mount, network and UTS namespaces other than
 * the ones the helper started in.  A bug that reached one of them
 * outside the sandbox then fails closed instead of remounting the
 * host.  The tests only ever reach these routines through a run.
 *
 * The root is built with one pivot and one detach (bubblewrap does two
 * of each; every detach waits for an RCU grace period, and pivot_root
 * walks every task of the system): the sources that may lie anywhere
 * (the work directory, the binds) are opened first; then a tmpfs is
 * mounted on /tmp of our private copy of the host's tree and the new
 * root is assembled in it; then pivot_root(".", ".") makes it / and the
 * host's tree, stacked on top of it, is detached as a whole.  Every
 * bind source is opened with openat2(RESOLVE_IN_ROOT) under the host's
 * root, so an absolute symlink on the way resolves in the host's tree
 * and not in the half-built one, and cloned with open_tree(), so its
 * attributes are set before it is attached anywhere.
 */
#include "sandbox/helper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Where the new root is assembled: a tmpfs over /tmp of the private
 * copy of the host's tree, once every source under /tmp is open. */
#define NEWROOT "/tmp"

static const char *const ns_names[] = { "user", "mnt", "pid", "net", "uts" };

static int ns_inodes(ino_t out[5])
{
	for (int i = 0; i < 5; i++) {
		char p[64];
		struct stat st;

		snprintf(p, sizeof(p), "/proc/self/ns/%s", ns_names[i]);
		if (stat(p, &st) < 0)
			return -errno;
		out[i] = st.st_ino;
	}
	return 0;
}

int hns_record(struct host_ns *h)
{
	ino_t v[5];
	int rc = ns_inodes(v);

	if (rc < 0) {
		errno = -rc;
		return rc;
	}
	h->user = v[0];
	h->mnt = v[1];
	h->pid = v[2];
	h->net = v[3];
	h->uts = v[4];
	return 0;
}

int hns_check(const struct host_ns *h, char *err, size_t len)
{
	ino_t v[5];
	const ino_t host[5] = { h->user, h->mnt, h->pid, h->net, h->uts };

	if (getpid() != 1) {
		herr(err, len, 0,
		     "refusing to set up the sandbox: not PID 1 of a new PID "
		     "namespace");
		return -EPERM;
	}
	if (ns_inodes(v) < 0) {
		herr(err, len, errno,
		     "refusing to set up the sandbox: cannot read "
		     "/proc/self/ns");
		return -EPERM;
	}
	for (int i = 0; i < 5; i++)
		if (v[i] == host[i]) {
			herr(err, len, 0,
			     "refusing to set up the sandbox: still in the "
			     "host's %s namespace",
			     ns_names[i]);
			return -EPERM;
		}
	return 0;
}

static int write_file(const char *path, const char *text, char *err, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return herr(err, len, errno, "open %s", path);
	n = write(fd, text, strlen(text));
	if (n != (ssize_t)strlen(text)) {
		int e = n < 0 ? errno : EIO;

		close(fd);
		return herr(err, len, e, "writing %s", path);
	}
	close(fd);
	return 0;
}

int hns_write_maps(pid_t child, uid_t uid, gid_t gid, char *err, size_t len)
{
	char path[64], map[64];
	int rc;

	/* "deny" before gid_map: an unprivileged writer must, and it also
	 * keeps setgroups(2) off inside for good. */
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)child);
	rc = write_file(path, "deny", err, len);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)child);
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	rc = write_file(path, map, err, len);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)child);
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	return write_file(path, map, err, len);
}

int hns_become_root(const struct host_ns *h, char *err, size_t len)
{
	int rc = hns_check(h, err, len);

	if (rc < 0)
		return rc;
	/* Until now the kernel still sees us as the helper's uid (root
	 * outside); only this makes every later check use the mapped,
	 * unprivileged one. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return herr(err, len, errno, "setresuid(0) in the namespace");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Mounts                                                               */

static int mkdirs(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * The legacy way to make a bind read-only, for kernels before
 * mount_setattr: a remount must repeat the flags the mount already has,
 * because the ones inherited from a more privileged namespace (nosuid,
 * nodev, noexec, atime) are locked and a remount without them fails.
 */
static int remount_keeping_locked(const char *dst, unsigned long add)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
		{ ST_NOSUID, MS_NOSUID },         { ST_NODEV, MS_NODEV },
		{ ST_NOEXEC, MS_NOEXEC },         { ST_NOATIME, MS_NOATIME },
		{ ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
		{ ST_RDONLY, MS_RDONLY },
	};
	struct statvfs sv;
	unsigned long fl = MS_REMOUNT | MS_BIND | add;

	if (statvfs(dst, &sv) < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (sv.f_flag & map[i].st)
			fl |= map[i].ms;
	return mount(NULL, dst, NULL, fl, NULL) < 0 ? -errno : 0;
}

static unsigned long attr_to_ms(uint64_t attr)
{
	unsigned long ms = 0;

	if (attr & MOUNT_ATTR_RDONLY)
		ms |= MS_RDONLY;
	if (attr & MOUNT_ATTR_NOSUID)
		ms |= MS_NOSUID;
	if (attr & MOUNT_ATTR_NODEV)
		ms |= MS_NODEV;
	if (attr & MOUNT_ATTR_NOEXEC)
		ms |= MS_NOEXEC;
	return ms;
}

/*
 * Binds the tree at fd (a path opened O_PATH, or a detached mount) onto
 * dst with attributes attr added (never removed: a flag the source
 * carries stays).
 */
static int bind_fd(int fd, const char *dst, uint64_t attr, char *err,
		   size_t len, const char *what)
{
	struct mount_attr ma = { .attr_set = attr };
	int t, rc = 0;

	t = open_tree(fd, "",
		      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
			      AT_EMPTY_PATH);
	if (t < 0)
		return herr(err, len, errno, "cloning %s", what);
	if (attr && mount_setattr(t, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma,
				  sizeof(ma)) < 0) {
		if (errno != ENOSYS) {
			rc = herr(err, len, errno, "attributes of %s", what);
			goto out_close;
		}
		attr = attr | (1ull << 63); /* remount below */
	}
	if (move_mount(t, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		rc = herr(err, len, errno, "mounting %s on %s", what, dst);
		goto out_close;
	}
	if ((attr & (1ull << 63)) &&
	    remount_keeping_locked(dst, attr_to_ms(attr)) < 0)
		rc = herr(err, len, errno, "remounting %s", dst);
out_close:
	close(t);
	return rc;
}

/* Opens src (an absolute host path) in the host's tree at host. */
static int open_host(int host, const char *src)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	while (*src == '/')
		src++;
	if (!*src)
		src = ".";
	fd = (int)syscall(SYS_openat2, host, src, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* Binds fd (an opened host path) onto NEWROOT+dst, creating the mount
 * point as a directory or a file to match the source. */
static int bind_open(int fd, const char *src, const char *dst, uint64_t attr,
		     char *err, size_t len)
{
	char target[PATH_MAX];
	struct stat st;
	int rc;

	if (fstat(fd, &st) < 0)
		return herr(err, len, errno, "stat %s", src);
	snprintf(target, sizeof(target), NEWROOT "%s", dst);
	if (S_ISDIR(st.st_mode)) {
		rc = mkdirs(target, 0755);
	} else {
		char parent[PATH_MAX];
		char *slash;

		snprintf(parent, sizeof(parent), "%s", target);
		slash = strrchr(parent, '/');
		*slash = '\0';
		rc = mkdirs(parent, 0755);
		if (rc == 0)
			rc = touch(target);
	}
	if (rc < 0)
		return herr(err, len, -rc, "creating %s", dst);
	return bind_fd(fd, target, attr, err, len, src);
}

/* Binds host path src onto NEWROOT+dst. */
static int bind_host(int host, const char *src, const char *dst, uint64_t attr,
		     bool missing_ok, char *err, size_t len)
{
	int fd, rc;

	fd = open_host(host, src);
	if (fd < 0) {
		if (missing_ok && fd == -ENOENT)
			return 0;
		return herr(err, len, -fd, "opening %s", src);
	}
	rc = bind_open(fd, src, dst, attr, err, len);
	close(fd);
	return rc;
}

static int mount_tmpfs(const char *dst, unsigned long flags, const char *mode,
		       uint64_t size, char *err, size_t len)
{
	char opts[96];

	snprintf(opts, sizeof(opts), "mode=%s,size=%llu", mode,
		 (unsigned long long)size);
	if (mount("tmpfs", dst, "tmpfs", flags, opts) < 0)
		return herr(err, len, errno, "tmpfs on %s", dst);
	return 0;
}

/* Recreates dir/name of the host (dfd: that directory, opened under
 * host) in the new root: a symlink as a symlink, a directory or a file
 * bound read-only. */
static int system_entry(int host, int dfd, const char *dir, const char *name,
			bool missing_ok, char *err, size_t len)
{
	char src[PATH_MAX], dst[PATH_MAX], link[PATH_MAX];
	struct stat st;
	ssize_t n;

	snprintf(src, sizeof(src), "%s/%s", dir, name);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (missing_ok && errno == ENOENT)
			return 0;
		return herr(err, len, errno, "stat %s", src);
	}
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(dfd, name, link, sizeof(link) - 1);
		if (n < 0)
			return herr(err, len, errno, "readlink %s", src);
		link[n] = '\0';
		snprintf(dst, sizeof(dst), NEWROOT "%s", src);
		if (symlink(link, dst) < 0)
			return herr(err, len, errno, "symlink %s", dst);
		return 0;
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return 0;
	return bind_host(host, src, src,
			 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				 MOUNT_ATTR_NODEV,
			 missing_ok, err, len);
}

/* /etc: the daemon's read-only tmpfs (tx_sandbox_etc_fd: built once,
 * not copied per run), and onto its empty alternatives directory the
 * host's (the targets of /usr/bin/awk and friends). */
static int setup_etc(int host, const struct hspec *s, char *err, size_t len)
{
	struct stat st;
	int rc;

	if (mkdir(NEWROOT "/etc", 0755) < 0)
		return herr(err, len, errno, "mkdir /etc");
	rc = bind_fd(s->etc_fd, NEWROOT "/etc",
		     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
		     err, len, "the /etc tmpfs");
	if (rc < 0)
		return rc;
	if (lstat(NEWROOT "/etc/alternatives", &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	return bind_host(host, "/etc/alternatives", "/etc/alternatives",
			 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				 MOUNT_ATTR_NODEV,
			 true, err, len);
}

/* /dev: the daemon's read-only tmpfs with the host's five harmless
 * device nodes and the usual links (tx_sandbox_dev_fd): one bind
 * instead of five (device nodes cannot be made in a user namespace).
 * Its mount keeps device nodes working, so it is the one place they
 * are. */
static int setup_dev(const struct hspec *s, char *err, size_t len)
{
	if (mkdir(NEWROOT "/dev", 0755) < 0)
		return herr(err, len, errno, "mkdir /dev");
	return bind_fd(s->dev_fd, NEWROOT "/dev",
		       MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
			       MOUNT_ATTR_NOEXEC,
		       err, len, "the /dev tmpfs");
}

static int setup_proc(char *err, size_t len)
{
	static const char *const ro[] = { "sys", "sysrq-trigger", "irq", "bus",
					  NULL };
	char p[64];

	if (mkdir(NEWROOT "/proc", 0555) < 0)
		return herr(err, len, errno, "mkdir /proc");
	/* Mounted by PID 1 of the new PID namespace: it shows that
	 * namespace's processes only. */
	if (mount("proc", NEWROOT "/proc", "proc",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return herr(err, len, errno, "mounting /proc");
	/* The kernel's knobs stay readable, never writable. */
	for (size_t i = 0; ro[i]; i++) {
		int fd;
		int rc;

		snprintf(p, sizeof(p), NEWROOT "/proc/%s", ro[i]);
		fd = open(p, O_PATH | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		rc = bind_fd(fd, p,
			     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				     MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
			     err, len, p);
		close(fd);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int copy_script(const struct hspec *s, char *err, size_t len)
{
	char path[PATH_MAX], buf[65536];
	off_t off = 0;
	int fd;

	if (mkdirs(NEWROOT HELPER_SCRIPT_DIR, 0755) < 0)
		return herr(err, len, errno, "mkdir " HELPER_SCRIPT_DIR);
	snprintf(path, sizeof(path), NEWROOT HELPER_SCRIPT_DIR "/%s",
		 s->script_name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0555);
	if (fd < 0)
		return herr(err, len, errno, "creating the script");
	for (;;) {
		ssize_t n = pread(s->script_fd, buf, sizeof(buf), off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return herr(err, len, errno, "reading the script");
		}
		if (n == 0)
			break;
		if (write(fd, buf, (size_t)n) != n) {
			close(fd);
			return herr(err, len, errno ? errno : ENOSPC,
				    "copying the script");
		}
		off += n;
	}
	close(fd);
	return 0;
}

int hns_setup_root(const struct host_ns *h, const struct hspec *s, char *err,
		   size_t len)
{
	static const char *const sys[] = { "usr",   "bin",   "sbin",   "lib",
					   "lib32", "lib64", "libx32", NULL };
	int host = -1, work = -1, gcov = -1, rc;
	int *bfd = NULL;
	struct stat st;

	rc = hns_check(h, err, len);
	if (rc < 0)
		return rc;
	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return herr(err, len, errno, "making / private");
	host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (host < 0)
		return herr(err, len, errno, "opening the host's root");
	/* The sources that may lie under /tmp, opened before the new root
	 * covers it. */
	bfd = calloc(s->nbinds ? s->nbinds : 1, sizeof(*bfd));
	if (!bfd) {
		rc = herr(err, len, ENOMEM, "binds");
		goto out;
	}
	for (size_t i = 0; i < s->nbinds; i++)
		bfd[i] = -1;
	if (s->work_fd < 0) {
		work = open_host(host, s->work_dir);
		if (work < 0) {
			rc = herr(err, len, -work, "opening %s", s->work_dir);
			goto out;
		}
	}
	for (size_t i = 0; i < s->nbinds; i++) {
		bfd[i] = open_host(host, s->binds[i].src);
		if (bfd[i] < 0) {
			rc = herr(err, len, -bfd[i], "opening %s",
				  s->binds[i].src);
			goto out;
		}
	}
#ifdef TX_GCOV
	/* Coverage builds only (helper_gcov.c): opened now, like the
	 * binds, since the new root may cover where it lies. */
	gcov = open_host(host, HELPER_GCOV_DIR);
	if (gcov < 0) {
		rc = herr(err, len, -gcov, "opening %s", HELPER_GCOV_DIR);
		goto out;
	}
#endif
	/* One tmpfs holds the new root: directories, links, the script,
	 * and the mount points of the binds. */
	if (fstat(s->script_fd, &st) < 0) {
		rc = herr(err, len, errno, "the script");
		goto out;
	}
	rc = mount_tmpfs(NEWROOT, MS_NOSUID | MS_NODEV, "0755",
			 (8u << 20) + (uint64_t)st.st_size, err, len);
	if (rc < 0)
		goto out;
	for (size_t i = 0; sys[i]; i++) {
		rc = system_entry(host, host, "", sys[i], true, err, len);
		if (rc < 0)
			goto out;
	}
	rc = setup_etc(host, s, err, len);
	if (rc < 0)
		goto out;
	rc = setup_dev(s, err, len);
	if (rc < 0)
		goto out;
	rc = setup_proc(err, len);
	if (rc < 0)
		goto out;
	if (mkdir(NEWROOT "/tmp", 01777) < 0) {
		rc = herr(err, len, errno, "mkdir /tmp");
		goto out;
	}
	rc = mount_tmpfs(NEWROOT "/tmp", MS_NOSUID | MS_NODEV, "1777",
			 s->tmp_size ? s->tmp_size : (64u << 20), err, len);
	if (rc < 0)
		goto out;
	if (mkdir(NEWROOT "/work", 0755) < 0) {
		rc = herr(err, len, errno, "mkdir /work");
		goto out;
	}
	if (s->work_fd >= 0)
		rc = bind_fd(s->work_fd, NEWROOT "/work",
			     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err, len,
			     "the work tmpfs");
	else
		rc = bind_open(work, s->work_dir, "/work",
			       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err, len);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < s->nbinds; i++) {
		uint64_t a = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;

		if (!s->binds[i].rw)
			a |= MOUNT_ATTR_RDONLY;
		rc = bind_open(bfd[i], s->binds[i].src, s->binds[i].dst, a, err,
			       len);
		if (rc < 0)
			goto out;
	}
#ifdef TX_GCOV
	/* Coverage builds only: see helper_gcov.c. */
	rc = bind_open(gcov, HELPER_GCOV_DIR, HELPER_GCOV_INNER,
		       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
		       err, len);
	if (rc < 0)
		goto out;
	hgcov_inside();
#endif
	rc = copy_script(s, err, len);
	if (rc < 0)
		goto out;
	if (mkdir(NEWROOT "/root", 0700) < 0 && errno != EEXIST) {
		rc = herr(err, len, errno, "mkdir /root");
		goto out;
	}
	{
		/* Only /work and /tmp stay writable. */
		struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY };

		if (mount_setattr(AT_FDCWD, NEWROOT, 0, &ma, sizeof(ma)) < 0 &&
		    (errno != ENOSYS ||
		     remount_keeping_locked(NEWROOT, MS_RDONLY) < 0)) {
			rc = herr(err, len, errno, "making / read-only");
			goto out;
		}
	}
	/* The new root becomes /, and the host's tree, which pivot_root
	 * stacks on it, goes as a whole. */
	if (chdir(NEWROOT) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0) {
		rc = herr(err, len, errno, "pivot_root into the new root");
		goto out;
	}
	rc = 0;
out:
	if (gcov >= 0)
		close(gcov);
	for (size_t i = 0; bfd && i < s->nbinds; i++)
		if (bfd[i] >= 0)
			close(bfd[i]);
	free(bfd);
	if (work >= 0)
		close(work);
	if (host >= 0)
		close(host);
	return rc;
}

int hns_setup_uts_net(const struct host_ns *h, const struct hspec *s, char *err,
		      size_t len)
{
	struct ifreq ifr;
	int fd, rc;

	rc = hns_check(h, err, len);
	if (rc < 0)
		return rc;
	if (sethostname(s->hostname, strlen(s->hostname)) < 0)
		return herr(err, len, errno, "sethostname");
	/* A new network namespace has only lo, and it is down. */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return herr(err, len, errno, "socket");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		rc = herr(err, len, errno, "lo flags");
		goto out;
	}
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		rc = herr(err, len, errno, "bringing lo up");
out:
	close(fd);
	return rc;
}

int hns_find_program(const char *cmd, char *const *env, char *out,
		     size_t outlen, char *err, size_t len)
{
	const char *path = "/usr/local/bin:/usr/bin:/bin";
	struct stat st;

	if (strchr(cmd, '/')) {
		if (stat(cmd, &st) < 0 || !S_ISREG(st.st_mode) ||
		    access(cmd, X_OK) < 0)
			return herr(err, len, 0,
				    "interpreter %s not found in the sandbox",
				    cmd);
		snprintf(out, outlen, "%s", cmd);
		return 0;
	}
	for (size_t i = 0; env[i]; i++)
		if (!strncmp(env[i], "PATH=", 5))
			path = env[i] + 5;
	for (const char *p = path; *p;) {
		const char *e = strchrnul(p, ':');
		int n = (int)(e - p);

		if (n > 0 &&
		    (size_t)snprintf(out, outlen, "%.*s/%s", n, p, cmd) <
			    outlen &&
		    stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(out, X_OK) == 0)
			return 0;
		p = *e ? e + 1 : e;
	}
	return herr(err, len, 0,
		    "interpreter \"%s\" not found in the sandbox (PATH %s)",
		    cmd, path);
}
