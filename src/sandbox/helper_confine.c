/*
 * helper_confine.c - what the script's process does to itself before
 * execve: resource limits, Landlock, no capabilities, no_new_privs,
 * seccomp.  Each call is a one-way door; helper_run.c calls them in the
 * order their preconditions need.
 */
#include "sandbox/helper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Landlock: Debian 12's <linux/landlock.h> knows ABI 2; the kernels we
 * run on know more (7 here), so the constants and structures are ours. */

#define TX_LL_CREATE_RULESET_VERSION (1u << 0)
#define TX_LL_RULE_PATH_BENEATH      1

#define LL_FS_EXECUTE                 (1ull << 0)
#define LL_FS_WRITE_FILE              (1ull << 1)
#define LL_FS_READ_FILE               (1ull << 2)
#define LL_FS_READ_DIR                (1ull << 3)
#define LL_FS_REMOVE_DIR              (1ull << 4)
#define LL_FS_REMOVE_FILE             (1ull << 5)
#define LL_FS_MAKE_CHAR               (1ull << 6)
#define LL_FS_MAKE_DIR                (1ull << 7)
#define LL_FS_MAKE_REG                (1ull << 8)
#define LL_FS_MAKE_SOCK               (1ull << 9)
#define LL_FS_MAKE_FIFO               (1ull << 10)
#define LL_FS_MAKE_BLOCK              (1ull << 11)
#define LL_FS_MAKE_SYM                (1ull << 12)
#define LL_FS_REFER                   (1ull << 13) /* ABI 2 */
#define LL_FS_TRUNCATE                (1ull << 14) /* ABI 3 */
#define LL_FS_IOCTL_DEV               (1ull << 15) /* ABI 5 */
#define LL_NET_BIND_TCP               (1ull << 0)  /* ABI 4 */
#define LL_NET_CONNECT_TCP            (1ull << 1)  /* ABI 4 */
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ull << 0)  /* ABI 6 */
#define LL_SCOPE_SIGNAL               (1ull << 1)  /* ABI 6 */

/* The rights a rule on a file (not a directory) may carry. */
#define LL_FS_FILE                                                             \
	(LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | \
	 LL_FS_IOCTL_DEV)

struct tx_ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;             /* ABI 6 */
};

struct tx_ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule       445
#define SYS_landlock_restrict_self  446
#endif

int hconf_landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
			   TX_LL_CREATE_RULESET_VERSION);

	return abi < 0 ? 0 : (int)abi;
}

/* Every file-system right the kernel's ABI knows. */
static uint64_t fs_rights(int abi)
{
	uint64_t r = (LL_FS_MAKE_SYM << 1) - 1;

	if (abi >= 2)
		r |= LL_FS_REFER;
	if (abi >= 3)
		r |= LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= LL_FS_IOCTL_DEV;
	return r;
}

static int ll_rule(int ruleset, const char *path, uint64_t access,
		   uint64_t handled, char *err, size_t len)
{
	struct tx_ll_path_beneath_attr pb;
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return errno == ENOENT
			       ? 0
			       : herr(err, len, errno, "landlock: %s", path);
	pb.allowed_access = access & handled;
	/* A bound file: the kernel refuses a directory's rights on it. */
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		pb.allowed_access &= LL_FS_FILE;
	pb.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, ruleset, TX_LL_RULE_PATH_BENEATH,
		    &pb, 0) < 0)
		rc = herr(err, len, errno, "landlock rule for %s", path);
	close(fd);
	return rc;
}

/*
 * The script may read and execute the system, read /proc, use the
 * device nodes, and change only /work, /tmp and the writable
 * binds.  No TCP bind or connect at all (ABI 4), no abstract Unix
 * socket or signal out of its own domain (ABI 6).
 */
int hconf_landlock(const struct hspec *s, int abi, char *err, size_t len)
{
	static const char *const ro_paths[] = {
		"/usr",   "/etc",   "/bin",    "/sbin",           "/lib",
		"/lib32", "/lib64", "/libx32", HELPER_SCRIPT_DIR, NULL,
	};
	const uint64_t handled = fs_rights(abi);
	const uint64_t ro = LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR;
	const uint64_t rw = handled & ~(LL_FS_MAKE_CHAR | LL_FS_MAKE_BLOCK |
					LL_FS_IOCTL_DEV);
	struct tx_ll_ruleset_attr attr;
	size_t attr_size;
	int rs, rc;

	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = handled;
	attr_size = sizeof(attr.handled_access_fs);
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		attr_size = offsetof(struct tx_ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
		attr_size = sizeof(attr);
	}
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
	if (rs < 0)
		return herr(err, len, errno, "landlock_create_ruleset");
	for (size_t i = 0; ro_paths[i]; i++) {
		rc = ll_rule(rs, ro_paths[i], ro, handled, err, len);
		if (rc < 0)
			goto out;
	}
	rc = ll_rule(rs, "/proc",
		     LL_FS_READ_FILE | LL_FS_READ_DIR | LL_FS_WRITE_FILE,
		     handled, err, len);
	if (!rc)
		rc = ll_rule(rs, "/dev",
			     LL_FS_READ_FILE | LL_FS_WRITE_FILE |
				     LL_FS_READ_DIR | LL_FS_TRUNCATE,
			     handled, err, len);
	if (!rc)
		rc = ll_rule(rs, "/work", rw, handled, err, len);
	if (!rc)
		rc = ll_rule(rs, "/tmp", rw, handled, err, len);
	for (size_t i = 0; !rc && i < s->nbinds; i++)
		rc = ll_rule(rs, s->binds[i].dst, s->binds[i].rw ? rw : ro,
			     handled, err, len);
#ifdef TX_GCOV
	/* Coverage builds only: see helper_gcov.c. */
	if (!rc)
		rc = ll_rule(rs, HELPER_GCOV_INNER, rw, handled, err, len);
#endif
	if (rc < 0)
		goto out;
	if (syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		rc = herr(err, len, errno, "landlock_restrict_self");
out:
	close(rs);
	return rc;
}

/* ------------------------------------------------------------------ */

int hconf_rlimits(const struct hspec *s, char *err, size_t len)
{
	struct {
		int res;
		uint64_t soft, hard;
		const char *name;
	} l[] = {
		{ RLIMIT_AS, s->as, s->as, "RLIMIT_AS" },
		{ RLIMIT_NPROC, s->nproc, s->nproc, "RLIMIT_NPROC" },
		/* SIGXCPU at the limit (catchable), SIGKILL a second on. */
		{ RLIMIT_CPU, s->cpu, s->cpu ? s->cpu + 1 : 0, "RLIMIT_CPU" },
		{ RLIMIT_FSIZE, s->fsize, s->fsize, "RLIMIT_FSIZE" },
		{ RLIMIT_NOFILE, s->nofile, s->nofile, "RLIMIT_NOFILE" },
		{ RLIMIT_CORE, 0, 0, "RLIMIT_CORE" },
	};

	for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
		struct rlimit r;

		/* 0 means "no limit" for these, except a core size. */
		if (l[i].soft == 0 && l[i].res != RLIMIT_CORE)
			continue;
		r.rlim_cur = (rlim_t)l[i].soft;
		r.rlim_max = (rlim_t)l[i].hard;
		if (setrlimit(l[i].res, &r) < 0)
			return herr(err, len, errno, "%s", l[i].name);
	}
	return 0;
}

int hconf_drop_caps(char *err, size_t len)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	/* Root inside must not get capabilities back by exec'ing (as uid 0
	 * it would, from the bounding set): lock that off too. */
	if (prctl(PR_SET_SECUREBITS,
		  SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
			  SECBIT_NO_SETUID_FIXUP |
			  SECBIT_NO_SETUID_FIXUP_LOCKED |
			  SECBIT_KEEP_CAPS_LOCKED |
			  SECBIT_NO_CAP_AMBIENT_RAISE |
			  SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED) < 0)
		return herr(err, len, errno, "PR_SET_SECUREBITS");
	/* The running kernel may know more capabilities than our header:
	 * on until it says EINVAL past the ones we know (cheaper than
	 * reading /proc/sys/kernel/cap_last_cap). */
	for (int c = 0; c < 64; c++) {
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0)
			continue;
		if (errno != EINVAL)
			return herr(err, len, errno,
				    "dropping capability %d "
				    "from the bounding set",
				    c);
		if (c > CAP_LAST_CAP)
			break;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		return herr(err, len, errno, "clearing ambient capabilities");
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) < 0)
		return herr(err, len, errno, "capset");
	return 0;
}

int hconf_no_new_privs(char *err, size_t len)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return herr(err, len, errno, "PR_SET_NO_NEW_PRIVS");
	return 0;
}

int hconf_seccomp_prog(const void *bpf, size_t blen, char *err, size_t len)
{
	struct sock_fprog prog;

	if (!bpf || blen == 0 || blen % sizeof(struct sock_filter) ||
	    blen / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return herr(err, len, 0, "bad seccomp program (%zu bytes)",
			    blen);
	prog.len = (unsigned short)(blen / sizeof(struct sock_filter));
	prog.filter = (struct sock_filter *)bpf;
	/* TSYNC is moot (one thread); no_new_privs is set already. */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return herr(err, len, errno, "loading the seccomp program");
	return 0;
}

void hconf_reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	/* Ignored signals survive execve (our SIGPIPE!); handlers do not. */
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}
