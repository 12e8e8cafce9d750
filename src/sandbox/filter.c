/*
 * filter.c - the seccomp programs of standard (a deny-list) and
 * hardened (an allow-list), compiled once per process.
 *
 * Why compile here and not in the helper: libseccomp builds the
 * hardened program in about a millisecond but loading the library and
 * resolving ~300 names is work repeated on every run for the same
 * result.  The daemon compiles each program once, exports the BPF into
 * a sealed memfd, and every run's helper reads those bytes and loads
 * them with the raw seccomp(2) call; the helper does not link
 * libseccomp at all.  (bench/sandbox-start.sh prints the compile time.)
 *
 * Traps that the rules below close, each checked by a probe in
 * tests/sandbox/:
 * - ioctl(TIOCSTI) compared on 64 bits lets TIOCSTI | 1 << 32 through,
 *   and the kernel truncates the command to 32 bits (CVE-2019-10063):
 *   the rule masks the command to its low 32 bits.
 * - With every capability dropped, unshare(CLONE_NEWUSER) still works,
 *   and a new user namespace gives back every capability inside it:
 *   unshare is refused, clone is refused when it asks for any namespace,
 *   and clone3 (whose flags sit in memory, out of BPF's reach) returns
 *   ENOSYS so that libc falls back to clone.
 * - io_uring and the keyring calls need no capability.
 * - The 32-bit (int 0x80) and x32 system call ABIs have their own
 *   numbers: a program for x86_64 only, with the "bad architecture"
 *   action killing the process; libseccomp also sends x32 numbers
 *   (bit 30 set) to that action.
 */
#include "sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Denied in both profiles (standard: EPERM; hardened: not allowed). */
static const char *const deny_always[] = {
	"acct",
	"add_key",
	"adjtimex",
	"bpf",
	"chroot",
	"clock_adjtime",
	"clock_settime",
	"create_module",
	"delete_module",
	"fanotify_init",
	"finit_module",
	"fsconfig",
	"fsmount",
	"fsopen",
	"fspick",
	"get_kernel_syms",
	"init_module",
	"io_uring_enter",
	"io_uring_register",
	"io_uring_setup",
	"ioperm",
	"iopl",
	"kcmp",
	"kexec_file_load",
	"kexec_load",
	"keyctl",
	"lookup_dcookie",
	"mount",
	"mount_setattr",
	"move_mount",
	"name_to_handle_at",
	"nfsservctl",
	"open_by_handle_at",
	"open_tree",
	"perf_event_open",
	"pidfd_getfd",
	"pivot_root",
	"process_madvise",
	"process_vm_readv",
	"process_vm_writev",
	"ptrace",
	"query_module",
	"quotactl",
	"quotactl_fd",
	"reboot",
	"request_key",
	"setdomainname",
	"sethostname",
	"setns",
	"settimeofday",
	"swapoff",
	"swapon",
	"syslog",
	"sysfs",
	"umount",
	"umount2",
	"unshare",
	"uselib",
	"userfaultfd",
	"ustat",
	"vhangup",
	"vm86",
	"vm86old",
	"_sysctl",
	"modify_ldt",
	"lsm_set_self_attr",
	"open_tree_attr",
	NULL,
};

/*
 * The hardened allow-list: what interpreters (sh, python3, perl, node),
 * their children and the usual command-line tools call.  Anything else
 * fails with ENOSYS, so that programs take their fallback paths.
 */
static const char *const allow_hardened[] = {
	"accept",
	"accept4",
	"access",
	"alarm",
	"arch_prctl",
	"bind",
	"brk",
	"capget",
	"chdir",
	"chmod",
	"chown",
	"clock_getres",
	"clock_gettime",
	"clock_nanosleep",
	"close",
	"close_range",
	"connect",
	"copy_file_range",
	"creat",
	"dup",
	"dup2",
	"dup3",
	"epoll_create",
	"epoll_create1",
	"epoll_ctl",
	"epoll_pwait",
	"epoll_pwait2",
	"epoll_wait",
	"eventfd",
	"eventfd2",
	"execve",
	"execveat",
	"exit",
	"exit_group",
	"faccessat",
	"faccessat2",
	"fadvise64",
	"fallocate",
	"fchdir",
	"fchmod",
	"fchmodat",
	"fchmodat2",
	"fchown",
	"fchownat",
	"fcntl",
	"fdatasync",
	"fgetxattr",
	"flistxattr",
	"flock",
	"fork",
	"fstat",
	"fstatfs",
	"fsync",
	"ftruncate",
	"futex",
	"futex_waitv",
	"getcpu",
	"getcwd",
	"getdents",
	"getdents64",
	"getegid",
	"geteuid",
	"getgid",
	"getgroups",
	"getitimer",
	"getpeername",
	"getpgid",
	"getpgrp",
	"getpid",
	"getppid",
	"getpriority",
	"getrandom",
	"getresgid",
	"getresuid",
	"getrlimit",
	"getrusage",
	"getsid",
	"getsockname",
	"getsockopt",
	"gettid",
	"gettimeofday",
	"getuid",
	"getxattr",
	"inotify_add_watch",
	"inotify_init",
	"inotify_init1",
	"inotify_rm_watch",
	"kill",
	"landlock_add_rule",
	"landlock_create_ruleset",
	"landlock_restrict_self",
	"lchown",
	"lgetxattr",
	"link",
	"linkat",
	"listen",
	"listxattr",
	"llistxattr",
	"lseek",
	"lstat",
	"madvise",
	"membarrier",
	"memfd_create",
	"mincore",
	"mkdir",
	"mkdirat",
	"mknod",
	"mknodat",
	"mlock",
	"mlock2",
	"mmap",
	"mprotect",
	"mremap",
	"msync",
	"munlock",
	"munmap",
	"nanosleep",
	"newfstatat",
	"open",
	"openat",
	"openat2",
	"pause",
	"pidfd_open",
	"pidfd_send_signal",
	"pipe",
	"pipe2",
	"poll",
	"ppoll",
	"prctl",
	"pread64",
	"preadv",
	"preadv2",
	"prlimit64",
	"pselect6",
	"pwrite64",
	"pwritev",
	"pwritev2",
	"read",
	"readahead",
	"readlink",
	"readlinkat",
	"readv",
	"recvfrom",
	"recvmmsg",
	"recvmsg",
	"rename",
	"renameat",
	"renameat2",
	"restart_syscall",
	"rmdir",
	"rseq",
	"rt_sigaction",
	"rt_sigpending",
	"rt_sigprocmask",
	"rt_sigqueueinfo",
	"rt_sigreturn",
	"rt_sigsuspend",
	"rt_sigtimedwait",
	"rt_tgsigqueueinfo",
	"sched_get_priority_max",
	"sched_get_priority_min",
	"sched_getaffinity",
	"sched_getattr",
	"sched_getparam",
	"sched_getscheduler",
	"sched_rr_get_interval",
	"sched_setaffinity",
	"sched_yield",
	"seccomp",
	"select",
	"sendfile",
	"sendmmsg",
	"sendmsg",
	"sendto",
	"set_robust_list",
	"set_tid_address",
	"setgid",
	"setitimer",
	"setpgid",
	"setpriority",
	"setregid",
	"setresgid",
	"setresuid",
	"setreuid",
	"setrlimit",
	"setsid",
	"setsockopt",
	"setuid",
	"shutdown",
	"sigaltstack",
	"signalfd",
	"signalfd4",
	"socketpair",
	"splice",
	"stat",
	"statfs",
	"statx",
	"symlink",
	"symlinkat",
	"sync",
	"sync_file_range",
	"syncfs",
	"sysinfo",
	"tee",
	"tgkill",
	"time",
	"timer_create",
	"timer_delete",
	"timer_getoverrun",
	"timer_gettime",
	"timer_settime",
	"timerfd_create",
	"timerfd_gettime",
	"timerfd_settime",
	"times",
	"tkill",
	"truncate",
	"umask",
	"uname",
	"unlink",
	"unlinkat",
	"utime",
	"utimensat",
	"utimes",
	"vfork",
	"wait4",
	"waitid",
	"write",
	"writev",
	"get_robust_list",
	"get_mempolicy",
	"set_mempolicy",
	"shmget",
	"shmat",
	"shmdt",
	"shmctl",
	"semget",
	"semop",
	"semctl",
	"semtimedop",
	"msgget",
	"msgsnd",
	"msgrcv",
	"msgctl",
	"mq_open",
	"mq_unlink",
	"mq_timedsend",
	"mq_timedreceive",
	"mq_notify",
	"mq_getsetattr",
	"setfsuid",
	"setfsgid",
	"capset",
	"getpmsg",
	"fremovexattr",
	"fsetxattr",
	"lremovexattr",
	"lsetxattr",
	"removexattr",
	"setxattr",
	"cachestat",
	"map_shadow_stack",
	NULL,
};

/* The namespace flags that clone must not carry. */
static const unsigned long ns_flags[] = {
	CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,    CLONE_NEWUSER,
	CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME,
};

/*
 * The ioctl commands hardened allows (everything else: ENOSYS).  No
 * TIOCSTI, TIOCLINUX or any terminal-injecting command; no device
 * ioctls beyond asking a descriptor about itself.
 */
static const unsigned long ioctl_ok[] = {
	0x5401,                 /* TCGETS: isatty() */
	0x5402, 0x5403, 0x5404, /* TCSETS, TCSETSW, TCSETSF */
	0x540F, 0x5410,         /* TIOCGPGRP, TIOCSPGRP */
	0x5413, 0x5414,         /* TIOCGWINSZ, TIOCSWINSZ */
	0x541B,                 /* FIONREAD */
	0x5421,                 /* FIONBIO */
	0x5450, 0x5451,         /* FIONCLEX, FIOCLEX */
	0x5452,                 /* FIOASYNC */
	0x5460,                 /* FIOQSIZE */
	0x802c542a,             /* TCGETS2 */
	0x8905,                 /* SIOCATMARK */
	0x8910, 0x8912, 0x8913, 0x8915, 0x8921, 0x8927, 0x8933,
	/* SIOCGIFNAME, CONF, FLAGS, ADDR, MTU, HWADDR, INDEX */
	0x80086601, /* FS_IOC_GETFLAGS */
	0x40049409, /* FICLONE (cp tries it) */
};

/* Personality flags that weaken the address space (ASLR off, page 0,
 * executable data); the top bit keeps the query 0xffffffff apart. */
static const unsigned int bad_persona[] = {
	ADDR_NO_RANDOMIZE, MMAP_PAGE_ZERO,   ADDR_COMPAT_LAYOUT,
	READ_IMPLIES_EXEC, ADDR_LIMIT_32BIT, ADDR_LIMIT_3GB,
	SHORT_INODE,       WHOLE_SECONDS,    STICKY_TIMEOUTS,
};

static int rule(scmp_filter_ctx ctx, uint32_t action, const char *name,
		unsigned n, const struct scmp_arg_cmp *cmp, char *err,
		size_t errlen)
{
	int nr = seccomp_syscall_resolve_name(name);
	int rc;

	if (nr == __NR_SCMP_ERROR)
		return 0; /* not on this architecture */
	rc = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	if (rc < 0) {
		snprintf(err, errlen, "seccomp rule for %s: %s", name,
			 strerror(-rc));
		return rc;
	}
	return 0;
}

/* Rules with arguments, common to both: clone without namespaces,
 * ioctl without TIOCSTI/TIOCLINUX, clone3 -> ENOSYS. */
static int add_arg_rules(scmp_filter_ctx ctx, bool allow_list, char *err,
			 size_t errlen)
{
	uint32_t deny = SCMP_ACT_ERRNO(EPERM);
	struct scmp_arg_cmp c[1];
	int rc;

	/* In the allow-list, ENOSYS is the default already. */
	if (!allow_list) {
		rc = rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL, err,
			  errlen);
		if (rc < 0)
			return rc;
	}
	if (allow_list) {
		unsigned long all = 0;

		for (size_t i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]);
		     i++)
			all |= ns_flags[i];
		/* clone is allowed only with none of the flags set. */
		c[0] = SCMP_A0_64(SCMP_CMP_MASKED_EQ, all, 0);
		rc = rule(ctx, SCMP_ACT_ALLOW, "clone", 1, c, err, errlen);
		if (rc < 0)
			return rc;
		/* ioctl: the commands that interpreters and the usual tools
		 * ask, compared on all 64 bits (any high bit set: refused). */
		for (size_t i = 0; i < sizeof(ioctl_ok) / sizeof(ioctl_ok[0]);
		     i++) {
			c[0] = SCMP_A1_64(SCMP_CMP_EQ, ioctl_ok[i]);
			rc = rule(ctx, SCMP_ACT_ALLOW, "ioctl", 1, c, err,
				  errlen);
			if (rc < 0)
				return rc;
		}
		/* personality: Linux, Linux32 and the query only. */
		static const unsigned int ok[] = { 0, PER_LINUX32,
						   0xffffffffu };
		for (size_t i = 0; i < 3; i++) {
			c[0] = SCMP_A0_32(SCMP_CMP_EQ, ok[i]);
			rc = rule(ctx, SCMP_ACT_ALLOW, "personality", 1, c, err,
				  errlen);
			if (rc < 0)
				return rc;
		}
		/* Sockets: local, IP (only loopback exists) and netlink
		 * (getaddrinfo asks it about interfaces). */
		static const int domains[] = { AF_UNIX, AF_INET, AF_INET6,
					       AF_NETLINK };
		for (size_t i = 0; i < 4; i++) {
			c[0] = SCMP_A0_32(SCMP_CMP_EQ, (unsigned)domains[i]);
			rc = rule(ctx, SCMP_ACT_ALLOW, "socket", 1, c, err,
				  errlen);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++) {
		c[0] = SCMP_A0_64(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]);
		rc = rule(ctx, deny, "clone", 1, c, err, errlen);
		if (rc < 0)
			return rc;
	}
	/* The kernel reads the command as 32 bits: compare the low 32
	 * only.  (libseccomp 2.5.4's SCMP_A1_32 still tests the high word
	 * against 0 on x86_64: measured, TIOCSTI | 1 << 32 went through.) */
	c[0] = SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI);
	rc = rule(ctx, deny, "ioctl", 1, c, err, errlen);
	if (rc < 0)
		return rc;
	c[0] = SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX);
	rc = rule(ctx, deny, "ioctl", 1, c, err, errlen);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < sizeof(bad_persona) / sizeof(bad_persona[0]);
	     i++) {
		/* personality(2) takes an unsigned int: the high word is
		 * ignored by the kernel, so by the rule too. */
		c[0] = SCMP_A0_64(SCMP_CMP_MASKED_EQ,
				  bad_persona[i] | 0x80000000u, bad_persona[i]);
		rc = rule(ctx, deny, "personality", 1, c, err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Builds the program of a kind into a sealed memfd; returns it. */
static int build(enum tx_sandbox_kind k, char *err, size_t errlen)
{
	bool allow_list = k == TX_SANDBOX_HARDENED;
	scmp_filter_ctx ctx;
	int fd = -1, rc;

	ctx = seccomp_init(allow_list ? SCMP_ACT_ERRNO(ENOSYS)
				      : SCMP_ACT_ALLOW);
	if (!ctx) {
		snprintf(err, errlen, "seccomp_init failed");
		return -ENOMEM;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			      SCMP_ACT_KILL_PROCESS);
	/* The helper sets no_new_privs itself, in its own order. */
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc < 0) {
		snprintf(err, errlen, "seccomp attributes: %s", strerror(-rc));
		goto out_release;
	}
	if (allow_list) {
		for (size_t i = 0; allow_hardened[i]; i++) {
			rc = rule(ctx, SCMP_ACT_ALLOW, allow_hardened[i], 0,
				  NULL, err, errlen);
			if (rc < 0)
				goto out_release;
		}
		/* ioctl, clone, personality, socket: by argument below.
		 * Spelled-out denials keep EPERM for the well-known ones. */
		for (size_t i = 0; deny_always[i]; i++) {
			rc = rule(ctx, SCMP_ACT_ERRNO(EPERM), deny_always[i], 0,
				  NULL, err, errlen);
			if (rc < 0)
				goto out_release;
		}
	} else {
		for (size_t i = 0; deny_always[i]; i++) {
			rc = rule(ctx, SCMP_ACT_ERRNO(EPERM), deny_always[i], 0,
				  NULL, err, errlen);
			if (rc < 0)
				goto out_release;
		}
	}
	rc = add_arg_rules(ctx, allow_list, err, errlen);
	if (rc < 0)
		goto out_release;
	fd = memfd_create(allow_list ? "tx-seccomp-hardened"
				     : "tx-seccomp-standard",
			  MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "memfd_create: %s", strerror(errno));
		goto out_release;
	}
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0) {
		snprintf(err, errlen, "seccomp_export_bpf: %s", strerror(-rc));
		goto out_close;
	}
	/* Shared by every run from now on: nobody may change it. */
	if (fcntl(fd, F_ADD_SEALS,
		  F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) <
	    0) {
		rc = -errno;
		snprintf(err, errlen, "sealing the seccomp program: %s",
			 strerror(errno));
		goto out_close;
	}
	seccomp_release(ctx);
	return fd;
out_close:
	close(fd);
out_release:
	seccomp_release(ctx);
	return rc < 0 ? rc : -EINVAL;
}

static pthread_mutex_t filter_lock = PTHREAD_MUTEX_INITIALIZER;
static int filter_fds[3] = { -1, -1, -1 }; /* filter_lock */

int tx_sandbox_filter_fd(enum tx_sandbox_kind k, char *err, size_t errlen)
{
	int fd;

	if (k != TX_SANDBOX_STANDARD && k != TX_SANDBOX_HARDENED) {
		snprintf(err, errlen, "the %s profile has no seccomp program",
			 tx_sandbox_kind_name(k));
		return -EINVAL;
	}
	pthread_mutex_lock(&filter_lock);
	fd = filter_fds[k];
	if (fd < 0) {
		fd = build(k, err, errlen);
		if (fd >= 0)
			filter_fds[k] = fd;
	}
	pthread_mutex_unlock(&filter_lock);
	return fd;
}
