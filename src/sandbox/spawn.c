/*
 * spawn.c - the daemon's side of a run: describe it, posix_spawn the
 * helper, hand over descriptors, read back its report.
 *
 * Why posix_spawn: the daemon has many threads, and a child made by
 * fork() inherits locks that other threads held at that instant (malloc's
 * among them); allocating in that child can hang forever.  glibc's
 * posix_spawn runs the child on a vfork-style clone that only performs
 * the file actions and execs, so nothing between fork and exec touches
 * a lock.  Everything that needs more (namespaces, mounts, maps) is done
 * by the helper, which is single-threaded.
 */
#include "sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/openat2.h>

#include "util/jsonu.h"
#include "sandbox/helper_i.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

extern char **environ;

struct tx_sandbox_run {
	pid_t pid;
	int pidfd;
	int out_fd, err_fd, report_fd;
	bool reaped;
	uint32_t grace_ms;
};

static const char *const limit_names[TX_LIMIT_COUNT] = {
	"timeout", "memory", "pids", "cpu", "file_size", "output",
};

const char *tx_sandbox_limit_name(unsigned bit)
{
	for (unsigned i = 0; i < TX_LIMIT_COUNT; i++)
		if (bit == 1u << i)
			return limit_names[i];
	return "?";
}

/* ------------------------------------------------------------------ */
/* uids for runs                                                        */

static pthread_mutex_t uid_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char uid_used[TX_SANDBOX_UID_COUNT / 8]; /* uid_lock */
static unsigned uid_next;                                /* uid_lock */

int tx_sandbox_uid_alloc(uid_t *uid)
{
	int rc = -EAGAIN;

	pthread_mutex_lock(&uid_lock);
	/* Round-robin, so a uid is not handed out again right away. */
	for (unsigned i = 0; i < TX_SANDBOX_UID_COUNT; i++) {
		unsigned s = (uid_next + i) % TX_SANDBOX_UID_COUNT;

		if (!(uid_used[s / 8] & (1u << (s % 8)))) {
			uid_used[s / 8] |= (unsigned char)(1u << (s % 8));
			uid_next = s + 1;
			*uid = TX_SANDBOX_UID_BASE + s;
			rc = 0;
			break;
		}
	}
	pthread_mutex_unlock(&uid_lock);
	return rc;
}

void tx_sandbox_uid_release(uid_t uid)
{
	unsigned s = uid - TX_SANDBOX_UID_BASE;

	if (uid < TX_SANDBOX_UID_BASE || s >= TX_SANDBOX_UID_COUNT)
		return;
	pthread_mutex_lock(&uid_lock);
	uid_used[s / 8] &= (unsigned char)~(1u << (s % 8));
	pthread_mutex_unlock(&uid_lock);
}

/* ------------------------------------------------------------------ */
/* /work as a detached tmpfs                                            */

int tx_sandbox_work_new(uint64_t size, uid_t uid, gid_t gid)
{
	char num[32];
	int fs, mfd, rc;

	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	snprintf(num, sizeof(num), "%" PRIu64, size);
	rc = fsconfig(fs, FSCONFIG_SET_STRING, "size", num, 0);
	if (rc == 0)
		rc = fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0);
	if (rc == 0) {
		snprintf(num, sizeof(num), "%u", (unsigned)uid);
		rc = fsconfig(fs, FSCONFIG_SET_STRING, "uid", num, 0);
	}
	if (rc == 0) {
		snprintf(num, sizeof(num), "%u", (unsigned)gid);
		rc = fsconfig(fs, FSCONFIG_SET_STRING, "gid", num, 0);
	}
	if (rc == 0)
		rc = fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
	if (rc < 0) {
		rc = -errno;
		close(fs);
		return rc;
	}
	/* Never attached anywhere here: no mount table entry on the host,
	 * nothing to clean up but the descriptor. */
	mfd = fsmount(fs, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	rc = mfd < 0 ? -errno : mfd;
	close(fs);
	return rc;
}

int tx_sandbox_work_open(int work_fd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	int fd;

	if (flags & O_CREAT)
		how.mode = 0644;
	fd = (int)syscall(SYS_openat2, work_fd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* ------------------------------------------------------------------ */
/* Describing a run                                                     */

static bool script_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= NAME_MAX && !strchr(s, '/') && strcmp(s, ".") &&
	       strcmp(s, "..");
}

static bool inside_path_ok(const char *s)
{
	const char *p = s;

	if (!s || s[0] != '/' || strlen(s) > PATH_MAX / 2)
		return false;
	while (*p) {
		const char *e;
		size_t n;

		while (*p == '/')
			p++;
		e = strchrnul(p, '/');
		n = (size_t)(e - p);
		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p = e;
	}
	return strcmp(s, "/") != 0;
}

/* Adds "NAME=VALUE" to an env array, replacing an earlier NAME. */
static int env_set(struct json_object *arr, const char *entry)
{
	const char *eq = strchr(entry, '=');
	size_t n;

	if (!eq || eq == entry)
		return -EINVAL;
	n = (size_t)(eq - entry) + 1;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *e = json_object_get_string(
			json_object_array_get_idx(arr, i));

		if (!strncmp(e, entry, n))
			return json_object_array_put_idx(
				arr, i, json_object_new_string(entry));
	}
	return json_object_array_add(arr, json_object_new_string(entry));
}

static struct json_object *describe(const struct tx_sandbox_run_opts *o,
				    const struct tx_sandbox_lang *lang,
				    char *err, size_t errlen)
{
	const struct tx_sandbox_profile *p = o->profile;
	bool dev = p->kind == TX_SANDBOX_DEV;
	struct json_object *d = json_object_new_object();
	struct json_object *lim = json_object_new_object();
	struct json_object *argv = json_object_new_array();
	struct json_object *env = json_object_new_array();
	struct json_object *binds = json_object_new_array();
	char path[PATH_MAX], home[PATH_MAX + 8];

#define ADD(obj, k, v) json_object_object_add(obj, k, v)
#define I64(x)         json_object_new_int64((int64_t)(x))
	ADD(d, "version", I64(1));
	ADD(d, "mode", json_object_new_string(tx_sandbox_kind_name(p->kind)));
	ADD(d, "uid", I64(o->uid));
	ADD(d, "gid", I64(o->gid));
	ADD(d, "hostname",
	    json_object_new_string(o->hostname ? o->hostname : "toolexec"));
	ADD(d, "timeout_ms", I64(p->timeout_ms));
	ADD(d, "kill_grace_ms", I64(p->kill_grace_ms));
	ADD(lim, "as", I64(p->address_space ? p->address_space : p->memory));
	ADD(lim, "nproc", I64(p->pids));
	ADD(lim, "cpu", I64(p->cpu));
	ADD(lim, "fsize", I64(p->file_size));
	ADD(lim, "nofile", I64(p->nofile));
	ADD(lim, "stdout", I64(p->stdout_max));
	ADD(lim, "stderr", I64(p->stderr_max));
	ADD(lim, "tmp_size", I64(p->tmp_size));
	if (p->kind == TX_SANDBOX_HARDENED) {
		ADD(lim, "memory", I64(p->memory));
		ADD(lim, "pids", I64(p->pids));
	}
	ADD(d, "limits", lim);
	if (!dev)
		ADD(d, "seccomp_fd", I64(HELPER_FD_SECCOMP));
	if (o->work_fd >= 0)
		ADD(d, "work_fd", I64(HELPER_FD_WORK));
	else
		ADD(d, "work_dir", json_object_new_string(o->work_dir));
	ADD(d, "script_fd", I64(HELPER_FD_SCRIPT));
	if (!dev) {
		ADD(d, "etc_fd", I64(HELPER_FD_ETC));
		ADD(d, "dev_fd", I64(HELPER_FD_DEV));
	}
	ADD(d, "script_name", json_object_new_string(o->script_name));

	json_object_array_add(argv, json_object_new_string(lang->interp));
	if (lang->arg[0])
		json_object_array_add(argv, json_object_new_string(lang->arg));
	if (dev)
		snprintf(path, sizeof(path), "%s", HELPER_SCRIPT_MARK);
	else
		snprintf(path, sizeof(path), "%s/%s", HELPER_SCRIPT_DIR,
			 o->script_name);
	json_object_array_add(argv, json_object_new_string(path));
	for (size_t i = 0; i < o->nargs; i++)
		json_object_array_add(argv, json_object_new_string(o->args[i]));
	ADD(d, "argv", argv);

	/* Built from nothing: the daemon's environment never reaches the
	 * script, only these and what the profile and the caller name. */
	snprintf(home, sizeof(home), "HOME=%s", dev ? o->work_dir : "/work");
	env_set(env, "PATH=/usr/local/bin:/usr/bin:/bin");
	env_set(env, home);
	env_set(env, "LANG=C.UTF-8");
	env_set(env, "TMPDIR=/tmp");
	for (size_t i = 0; i < p->nenv; i++)
		env_set(env, p->env[i]);
	for (size_t i = 0; i < o->nenv; i++) {
		if (env_set(env, o->env[i]) < 0) {
			snprintf(err, errlen, "bad environment entry \"%s\"",
				 o->env[i]);
			goto out_fail;
		}
	}
	ADD(d, "env", env);
	env = NULL;
	for (size_t i = 0; i < o->nbinds; i++) {
		struct json_object *b = json_object_new_object();

		ADD(b, "src", json_object_new_string(o->binds[i].src));
		ADD(b, "dst", json_object_new_string(o->binds[i].dst));
		ADD(b, "rw", json_object_new_boolean(o->binds[i].writable));
		json_object_array_add(binds, b);
	}
	ADD(d, "binds", binds);
	binds = NULL;
	if (p->kind == TX_SANDBOX_HARDENED) {
		ADD(d, "landlock", json_object_new_boolean(true));
		ADD(d, "cgroup", json_object_new_boolean(true));
	}
	return d;
#undef ADD
#undef I64
out_fail:
	json_object_put(env);
	json_object_put(binds);
	json_object_put(d);
	return NULL;
}

static int check_opts(const struct tx_sandbox_run_opts *o, char *err,
		      size_t errlen)
{
	const struct tx_sandbox_profile *p = o->profile;

	if (!p) {
		snprintf(err, errlen, "no profile");
		return -EINVAL;
	}
	if (!p->enabled) {
		snprintf(err, errlen, "profile %s is not enabled", p->name);
		return -EPERM;
	}
	if (!script_name_ok(o->script_name)) {
		snprintf(err, errlen, "bad script name");
		return -EINVAL;
	}
	if (!o->script && o->script_len) {
		snprintf(err, errlen, "no script");
		return -EINVAL;
	}
	if ((o->work_fd >= 0) == (o->work_dir != NULL)) {
		snprintf(err, errlen, "give exactly one of work_fd, work_dir");
		return -EINVAL;
	}
	if (o->work_dir && o->work_dir[0] != '/') {
		snprintf(err, errlen, "work_dir must be absolute");
		return -EINVAL;
	}
	if (p->kind == TX_SANDBOX_DEV) {
		if (o->work_fd >= 0 || o->nbinds) {
			snprintf(err, errlen,
				 "dev runs have no mount namespace: a work "
				 "directory, and no binds");
			return -EINVAL;
		}
		return 0;
	}
	if (o->uid == 0 || o->gid == 0) {
		snprintf(err, errlen,
			 "a %s run never maps to root outside: give an "
			 "unprivileged uid and gid",
			 p->name);
		return -EINVAL;
	}
	for (size_t i = 0; i < o->nbinds; i++) {
		const char *dst = o->binds[i].dst;

		if (!o->binds[i].src || o->binds[i].src[0] != '/' ||
		    !inside_path_ok(dst) || !strncmp(dst, "/proc", 5) ||
		    !strncmp(dst, "/dev", 4) || !strncmp(dst, "/run/code", 9)) {
			snprintf(err, errlen, "bad bind \"%s\" -> \"%s\"",
				 o->binds[i].src ? o->binds[i].src : "",
				 dst ? dst : "");
			return -EINVAL;
		}
	}
	return 0;
}

/* The helper beside our own executable. */
static int default_helper(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n < 0)
		return -errno;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	if ((size_t)snprintf(buf, len, "%s/toolexec-sandbox", self) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int memfd_with(const char *name, const void *data, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	const char *p = data;

	if (fd < 0)
		return -errno;
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			close(fd);
			return -e;
		}
		p += w;
		len -= (size_t)w;
	}
	/* The helper reads it after we return: seal it so no one changes
	 * what was checked (the language was detected on these bytes). */
	fcntl(fd, F_ADD_SEALS,
	      F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
	return fd;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int tx_sandbox_start(const struct tx_sandbox_run_opts *o,
		     struct tx_sandbox_run **out, char *err, size_t errlen)
{
	struct tx_sandbox_lang lang;
	struct tx_sandbox_run *r = NULL;
	struct json_object *d = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char helper[PATH_MAX];
	/* Child-side descriptors, each moved above 15 before the spawn so
	 * that no dup2 onto 0..7 overwrites a source still to be used. */
	int src[HELPER_FD_FIRST_FREE];
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, rep[2] = { -1, -1 };
	int seccomp_fd = -1;
	const char *text;
	char *argv[] = { "toolexec-sandbox", NULL };
	char *envp[] = { NULL };
	sigset_t all, none;
	pid_t pid;
	int rc;

	*out = NULL;
	err[0] = '\0';
	for (int i = 0; i < HELPER_FD_FIRST_FREE; i++)
		src[i] = -1;
	rc = check_opts(o, err, errlen);
	if (rc < 0)
		return rc;
	rc = tx_sandbox_detect_language(o->script_name, o->script,
					o->script_len < 1024 ? o->script_len
							     : 1024,
					&lang, err, errlen);
	if (rc < 0)
		return rc;
	if (o->helper)
		snprintf(helper, sizeof(helper), "%s", o->helper);
	else if ((rc = default_helper(helper, sizeof(helper))) < 0) {
		snprintf(err, errlen, "cannot find the sandbox helper: %s",
			 strerror(-rc));
		return rc;
	}
	if (access(helper, X_OK) < 0) {
		rc = -errno;
		snprintf(err, errlen, "sandbox helper %s: %s", helper,
			 strerror(errno));
		return rc;
	}
	if (o->profile->kind != TX_SANDBOX_DEV) {
		seccomp_fd =
			tx_sandbox_filter_fd(o->profile->kind, err, errlen);
		if (seccomp_fd < 0)
			return seccomp_fd;
	}
	d = describe(o, &lang, err, errlen);
	if (!d)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r) {
		rc = -ENOMEM;
		goto out_fail;
	}
	r->pidfd = r->out_fd = r->err_fd = r->report_fd = -1;
	r->grace_ms = o->profile->kill_grace_ms;

	text = json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN);
	rc = memfd_with("tx-sandbox-spec", text, strlen(text));
	if (rc < 0)
		goto out_sys;
	src[HELPER_FD_SPEC] = rc;
	rc = memfd_with("tx-sandbox-script", o->script, o->script_len);
	if (rc < 0)
		goto out_sys;
	src[HELPER_FD_SCRIPT] = rc;
	src[HELPER_FD_STDIN] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (src[HELPER_FD_STDIN] < 0 || pipe2(outp, O_CLOEXEC) < 0 ||
	    pipe2(errp, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
		rc = -errno;
		goto out_sys;
	}
	src[HELPER_FD_STDOUT] = outp[1];
	src[HELPER_FD_STDERR] = errp[1];
	src[HELPER_FD_REPORT] = rep[1];
	outp[1] = errp[1] = rep[1] = -1;
	if (seccomp_fd >= 0) {
		src[HELPER_FD_SECCOMP] = fcntl(seccomp_fd, F_DUPFD_CLOEXEC, 16);
		if (src[HELPER_FD_SECCOMP] < 0) {
			rc = -errno;
			goto out_sys;
		}
	}
	if (o->profile->kind != TX_SANDBOX_DEV) {
		rc = tx_sandbox_etc_fd(o->hostname, err, errlen);
		if (rc < 0)
			goto out_fail;
		src[HELPER_FD_ETC] = rc;
		rc = tx_sandbox_dev_fd(err, errlen);
		if (rc < 0)
			goto out_fail;
		src[HELPER_FD_DEV] = rc;
	}
	if (o->work_fd >= 0) {
		src[HELPER_FD_WORK] = fcntl(o->work_fd, F_DUPFD_CLOEXEC, 16);
		if (src[HELPER_FD_WORK] < 0) {
			rc = -errno;
			goto out_sys;
		}
	}
	for (int i = 0; i < HELPER_FD_FIRST_FREE; i++) {
		int hi;

		if (src[i] < 0 || src[i] >= 16)
			continue;
		hi = fcntl(src[i], F_DUPFD_CLOEXEC, 16);
		if (hi < 0) {
			rc = -errno;
			goto out_sys;
		}
		close(src[i]);
		src[i] = hi;
	}

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	for (int i = 0; i < HELPER_FD_FIRST_FREE; i++)
		if (src[i] >= 0)
			posix_spawn_file_actions_adddup2(&fa, src[i], i);
	/* The helper starts with default dispositions and nothing blocked
	 * (the daemon blocks signals in its threads). */
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF |
						POSIX_SPAWN_SETSIGMASK |
						POSIX_SPAWN_SETSID);
	rc = -posix_spawn(&pid, helper, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc < 0) {
		snprintf(err, errlen, "cannot start %s: %s", helper,
			 strerror(-rc));
		goto out_fail;
	}
	r->pid = pid;
	/* Nobody else reaps this pid, so it cannot be reused before the
	 * pidfd exists. */
	r->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (r->pidfd < 0) {
		rc = -errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		r->reaped = true;
		snprintf(err, errlen, "pidfd_open: %s", strerror(-rc));
		goto out_fail;
	}
	fcntl(r->pidfd, F_SETFD, FD_CLOEXEC);
	r->out_fd = outp[0];
	r->err_fd = errp[0];
	r->report_fd = rep[0];
	outp[0] = errp[0] = rep[0] = -1;
	fcntl(r->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(r->err_fd, F_SETFL, O_NONBLOCK);
	for (int i = 0; i < HELPER_FD_FIRST_FREE; i++)
		close_fd(&src[i]);
	json_object_put(d);
	*out = r;
	return 0;
out_sys:
	snprintf(err, errlen, "setting up the run: %s", strerror(-rc));
out_fail:
	for (int i = 0; i < HELPER_FD_FIRST_FREE; i++)
		close_fd(&src[i]);
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	close_fd(&rep[0]);
	close_fd(&rep[1]);
	if (r)
		close_fd(&r->pidfd);
	free(r);
	json_object_put(d);
	return rc;
}

int tx_sandbox_run_pidfd(const struct tx_sandbox_run *r)
{
	return r->pidfd;
}

int tx_sandbox_run_stdout(const struct tx_sandbox_run *r)
{
	return r->out_fd;
}

int tx_sandbox_run_stderr(const struct tx_sandbox_run *r)
{
	return r->err_fd;
}

pid_t tx_sandbox_run_pid(const struct tx_sandbox_run *r)
{
	return r->pid;
}

/* The helper's signals: SIGTERM asks for a graceful stop (SIGTERM to
 * the script, SIGKILL after the grace), SIGUSR1 for a kill at once. */
int tx_sandbox_run_cancel(struct tx_sandbox_run *r, bool hard)
{
	if (r->reaped)
		return -ESRCH;
	if (syscall(SYS_pidfd_send_signal, r->pidfd, hard ? SIGUSR1 : SIGTERM,
		    NULL, 0) < 0)
		return -errno;
	return 0;
}

static uint64_t num(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	return (uint64_t)json_object_get_int64(v);
}

static int parse_report(const char *buf, size_t len,
			struct tx_sandbox_result *res)
{
	char err[256];
	struct json_object *o = tx_json_parse(buf, len, 8, err, sizeof(err));
	struct json_object *v;

	if (!o || !json_object_is_type(o, json_type_object)) {
		snprintf(res->error, sizeof(res->error),
			 "the sandbox helper's report is unreadable: %s", err);
		json_object_put(o);
		return -EPROTO;
	}
	res->exit_code = (int)json_object_get_int(
		json_object_object_get(o, "exit_code"));
	res->signal = (int)num(o, "signal");
	res->duration_ms = num(o, "duration_ms");
	res->timed_out =
		json_object_get_boolean(json_object_object_get(o, "timed_out"));
	res->cancelled =
		json_object_get_boolean(json_object_object_get(o, "cancelled"));
	res->cpu_user_ms = num(o, "cpu_user_ms");
	res->cpu_sys_ms = num(o, "cpu_sys_ms");
	res->max_rss_kb = num(o, "max_rss_kb");
	res->stdout_bytes = num(o, "stdout_bytes");
	res->stderr_bytes = num(o, "stderr_bytes");
	res->landlock_abi = (int)num(o, "landlock_abi");
	if (json_object_object_get_ex(o, "cgroup", &v))
		snprintf(res->cgroup, sizeof(res->cgroup), "%s",
			 json_object_get_string(v));
	if (json_object_object_get_ex(o, "limits_hit", &v) &&
	    json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			const char *s = json_object_get_string(
				json_object_array_get_idx(v, i));

			for (unsigned b = 0; b < TX_LIMIT_COUNT; b++)
				if (s && !strcmp(s, limit_names[b]))
					res->limits_hit |= 1u << b;
		}
	}
	if (json_object_object_get_ex(o, "error", &v))
		snprintf(res->error, sizeof(res->error), "%s",
			 json_object_get_string(v));
	json_object_put(o);
	return 0;
}

int tx_sandbox_run_wait(struct tx_sandbox_run *r, struct tx_sandbox_result *res)
{
	char buf[HELPER_REPORT_MAX];
	size_t len = 0;
	siginfo_t si;

	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	if (r->reaped) {
		snprintf(res->error, sizeof(res->error), "already waited for");
		return -ECHILD;
	}
	memset(&si, 0, sizeof(si));
	while (waitid((idtype_t)P_PIDFD, (id_t)r->pidfd, &si, WEXITED) < 0) {
		if (errno != EINTR) {
			int e = errno;

			snprintf(res->error, sizeof(res->error),
				 "waiting for the sandbox helper: %s",
				 strerror(e));
			return -e;
		}
	}
	r->reaped = true;
	/* Written just before the helper exited: all of it is in the
	 * pipe now, and our write end is long closed. */
	for (;;) {
		ssize_t n =
			read(r->report_fd, buf + len, sizeof(buf) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;
	}
	if (len == 0) {
		if (si.si_code == CLD_EXITED)
			snprintf(res->error, sizeof(res->error),
				 "the sandbox helper exited (%d) without a "
				 "report",
				 si.si_status);
		else
			snprintf(res->error, sizeof(res->error),
				 "the sandbox helper died of signal %d",
				 si.si_status);
		return -EPROTO;
	}
	return parse_report(buf, len, res);
}

void tx_sandbox_run_free(struct tx_sandbox_run *r)
{
	if (!r)
		return;
	if (!r->reaped && r->pidfd >= 0) {
		struct pollfd pfd = { .fd = r->pidfd, .events = POLLIN };

		/* Ask for the orderly kill (the helper reaps the tree and
		 * removes its cgroups); a helper that does not go within
		 * the bound is killed, and its PID 1 follows it through
		 * the parent-death signal. */
		syscall(SYS_pidfd_send_signal, r->pidfd, SIGUSR1, NULL, 0);
		if (poll(&pfd, 1, 5000) <= 0)
			syscall(SYS_pidfd_send_signal, r->pidfd, SIGKILL, NULL,
				0);
		waitpid(r->pid, NULL, 0);
	}
	close_fd(&r->pidfd);
	close_fd(&r->out_fd);
	close_fd(&r->err_fd);
	close_fd(&r->report_fd);
	free(r);
}
