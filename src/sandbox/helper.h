/*
 * helper.h - what the pieces of the `toolexec-sandbox` helper share:
 * the parsed run description, and the steps of a run, one file each
 * (helper_ns.c: identity, namespaces, the root; helper_confine.c:
 * limits, capabilities, no_new_privs, seccomp, Landlock;
 * helper_cgroup.c: cgroups).  Single-threaded; nothing here is for the
 * daemon, which talks to the helper through helper_i.h only.
 */
#ifndef TX_SANDBOX_HELPER_H
#define TX_SANDBOX_HELPER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox/helper_i.h"
#include "sandbox/sandbox.h"

#ifdef TX_GCOV
/* Coverage builds only (helper_gcov.c): where the processes inside a
 * run's namespaces write their coverage counts. */
#define HELPER_GCOV_DIR   TX_GCOV "/gcov-sandbox"
#define HELPER_GCOV_INNER "/run/gcov"
void hgcov_inside(void);
#endif

struct hbind {
	char *src;
	char *dst;
	bool rw;
};

struct hspec {
	enum tx_sandbox_kind mode;
	uid_t uid;
	gid_t gid;
	char hostname[65];
	uint64_t timeout_ms, kill_grace_ms;
	uint64_t as, nproc, cpu, fsize, nofile;
	uint64_t out_max, err_max, tmp_size, memory, pids;
	int seccomp_fd; /* -1 when none */
	int work_fd;    /* -1 when work_dir */
	char *work_dir;
	int script_fd;
	int etc_fd, dev_fd; /* -1 for dev */
	char script_name[NAME_MAX + 1];
	char **argv; /* NULL-terminated */
	char **env;  /* NULL-terminated */
	struct hbind *binds;
	size_t nbinds;
	bool landlock, cgroup;
};

/* What the report says (helper_i.h). */
struct hreport {
	int exit_code;
	int signal;
	uint64_t duration_ms;
	bool timed_out, cancelled;
	unsigned limits_hit;
	uint64_t cpu_user_ms, cpu_sys_ms, max_rss_kb;
	uint64_t stdout_bytes, stderr_bytes;
	int landlock_abi;
	char cgroup[8];
};

/* helper_run.c: runs the described script; fills rep, and err when the
 * script could not run or the run broke. */
void hrun(const struct hspec *s, struct hreport *rep, char *err, size_t len);

/* Inode numbers of the namespaces the helper started in: the set-up
 * routines refuse to act unless they run in different ones. */
struct host_ns {
	ino_t user, mnt, pid, net, uts;
};

/*
 * An error for humans: the stage and errno, formatted into the buffer
 * that ends up in the report's "error".  Always returns -1 (or -errno
 * in the functions that pass errno on), so callers can `return
 * herr(...)`.
 */
int herr(char *err, size_t len, int e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* helper_ns.c */
int hns_record(struct host_ns *h);
/* 0 when this process is PID 1 of a new PID namespace and in new user,
 * mount, network and UTS namespaces; -EPERM otherwise.  Every routine
 * that changes anything global calls it first. */
int hns_check(const struct host_ns *h, char *err, size_t len);
/* Writes the child's setgroups, uid_map and gid_map (from outside). */
int hns_write_maps(pid_t child, uid_t uid, gid_t gid, char *err, size_t len);
/* Inside: become root of the namespace (the outside uid). */
int hns_become_root(const struct host_ns *h, char *err, size_t len);
/* Inside: the fresh root, pivoted into; cwd is /work afterwards. */
int hns_setup_root(const struct host_ns *h, const struct hspec *s, char *err,
		   size_t len);
/* Inside: hostname and the loopback interface. */
int hns_setup_uts_net(const struct host_ns *h, const struct hspec *s, char *err,
		      size_t len);
/* Looks cmd up along the PATH of env (argv[0] rules of execvp). */
int hns_find_program(const char *cmd, char *const *env, char *out,
		     size_t outlen, char *err, size_t len);

/* helper_confine.c */
int hconf_rlimits(const struct hspec *s, char *err, size_t len);
/* The current kernel's Landlock ABI, 0 when it has none. */
int hconf_landlock_abi(void);
int hconf_landlock(const struct hspec *s, int abi, char *err, size_t len);
int hconf_drop_caps(char *err, size_t len);
int hconf_no_new_privs(char *err, size_t len);
/* Loads an exported BPF program (struct sock_filter[]). */
int hconf_seccomp_prog(const void *bpf, size_t len, char *err, size_t errlen);
/* Default dispositions and an empty mask, as a fresh program expects. */
void hconf_reset_signals(void);

/* helper_cgroup.c */
struct hcgroup {
	int version;         /* 0 none, 1, 2 */
	char mem[PATH_MAX];  /* v1 memory dir, or the v2 dir */
	char pids[PATH_MAX]; /* v1 pids dir */
};
int hcg_setup(struct hcgroup *cg, uint64_t memory, uint64_t pids, char *err,
	      size_t len);
int hcg_attach(const struct hcgroup *cg, pid_t pid, char *err, size_t len);
void hcg_events(const struct hcgroup *cg, bool *memory_hit, bool *pids_hit);
void hcg_destroy(struct hcgroup *cg);

#endif
