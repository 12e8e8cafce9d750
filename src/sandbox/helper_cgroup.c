/*
 * helper_cgroup.c - memory and process limits for a hardened run
 * through cgroups: v2 where the memory and pids controllers are
 * delegated to our cgroup's children, else v1 (where the machine has
 * both hierarchies).  One cgroup per run, beneath the helper's own, so
 * whatever limits already hold above us keep holding.  When neither
 * works, the run does not start: a hardened run never runs weaker than
 * it promises.
 */
#include "sandbox/helper.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Where the hierarchy with `want` is mounted ("" for cgroup2), from
 * /proc/self/mountinfo. */
static int find_mount(const char *want, char *out, size_t outlen)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char mnt[PATH_MAX], *sep, fstype[64], source[256], opts[1024];

		/* id parent maj:min root mountpoint opts [tags] - type src so */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s %255s %1023s", fstype, source,
				   opts) != 3)
			continue;
		if (!want[0] && !strcmp(fstype, "cgroup2")) {
			snprintf(out, outlen, "%s", mnt);
			rc = 0;
			break;
		}
		if (want[0] && !strcmp(fstype, "cgroup")) {
			char *tok, *save = NULL;

			for (tok = strtok_r(opts, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save))
				if (!strcmp(tok, want))
					break;
			if (tok) {
				snprintf(out, outlen, "%s", mnt);
				rc = 0;
				break;
			}
		}
	}
	fclose(f);
	return rc;
}

/* Our cgroup in the hierarchy with controller `want` ("" for v2). */
static int own_path(const char *want, char *out, size_t outlen)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2, *nl;

		if (!c1)
			continue;
		c2 = strchr(c1 + 1, ':');
		if (!c2)
			continue;
		*c2 = '\0';
		nl = strchr(c2 + 1, '\n');
		if (nl)
			*nl = '\0';
		/* v2: hierarchy "0" with no controllers, "0::PATH". */
		if (!want[0] && c1 == line + 1 && line[0] == '0' &&
		    c2 == c1 + 1) {
			snprintf(out, outlen, "%s", c2 + 1);
			rc = 0;
			break;
		}
		if (want[0]) {
			char *tok, *save = NULL;

			for (tok = strtok_r(c1 + 1, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save))
				if (!strcmp(tok, want))
					break;
			if (tok) {
				snprintf(out, outlen, "%s", c2 + 1);
				rc = 0;
				break;
			}
		}
	}
	fclose(f);
	return rc;
}

static int put(const char *dir, const char *file, const char *val)
{
	char p[PATH_MAX + 64];
	int fd;
	ssize_t n;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

static bool has_word(const char *dir, const char *file, const char *word)
{
	char p[PATH_MAX + 64], buf[1024];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *save = NULL;
	for (char *t = strtok_r(buf, " \n", &save); t;
	     t = strtok_r(NULL, " \n", &save))
		if (!strcmp(t, word))
			return true;
	return false;
}

/* The value of `key` in a flat-keyed file (memory.events, ...). */
static long long keyed(const char *dir, const char *file, const char *key)
{
	char p[PATH_MAX + 64], line[256];
	long long v = 0;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	f = fopen(p, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char k[128];
		long long x;

		if (sscanf(line, "%127s %lld", k, &x) == 2 && !strcmp(k, key))
			v = x;
	}
	fclose(f);
	return v;
}

static int make_dir(char *out, size_t outlen, const char *mnt, const char *own)
{
	if ((size_t)snprintf(out, outlen, "%s%s/toolexec-run-%d", mnt,
			     strcmp(own, "/") ? own : "",
			     (int)getpid()) >= outlen)
		return -ENAMETOOLONG;
	if (mkdir(out, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int setup_v2(struct hcgroup *cg, uint64_t memory, uint64_t pids)
{
	char mnt[PATH_MAX], own[PATH_MAX], dir[PATH_MAX + 8], num[32];
	int rc;

	if (find_mount("", mnt, sizeof(mnt)) < 0 ||
	    own_path("", own, sizeof(own)) < 0)
		return -ENOENT;
	snprintf(dir, sizeof(dir), "%s%s", mnt, strcmp(own, "/") ? own : "");
	/* Delegated to our children: both in our subtree_control. */
	if (!has_word(dir, "cgroup.subtree_control", "memory") ||
	    !has_word(dir, "cgroup.subtree_control", "pids"))
		return -ENOTSUP;
	rc = make_dir(cg->mem, sizeof(cg->mem), mnt, own);
	if (rc < 0)
		return rc;
	cg->version = 2;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)memory);
	rc = put(cg->mem, "memory.max", num);
	if (rc == 0)
		put(cg->mem, "memory.swap.max", "0");
	snprintf(num, sizeof(num), "%llu", (unsigned long long)pids);
	if (rc == 0)
		rc = put(cg->mem, "pids.max", num);
	return rc;
}

static int setup_v1(struct hcgroup *cg, uint64_t memory, uint64_t pids,
		    char *err, size_t len)
{
	char mmnt[PATH_MAX], mown[PATH_MAX], pmnt[PATH_MAX], pown[PATH_MAX];
	char num[32];
	int rc;

	if (find_mount("memory", mmnt, sizeof(mmnt)) < 0 ||
	    own_path("memory", mown, sizeof(mown)) < 0)
		return herr(err, len, 0,
			    "hardened: no cgroup memory controller (cgroup2 "
			    "does not delegate one and there is no v1 memory "
			    "hierarchy)");
	if (find_mount("pids", pmnt, sizeof(pmnt)) < 0 ||
	    own_path("pids", pown, sizeof(pown)) < 0)
		return herr(err, len, 0,
			    "hardened: no cgroup pids controller (cgroup2 "
			    "does not delegate one and there is no v1 pids "
			    "hierarchy)");
	cg->version = 1;
	rc = make_dir(cg->mem, sizeof(cg->mem), mmnt, mown);
	if (rc < 0) {
		cg->mem[0] = '\0';
		return herr(err, len, -rc, "hardened: memory cgroup");
	}
	rc = make_dir(cg->pids, sizeof(cg->pids), pmnt, pown);
	if (rc < 0) {
		cg->pids[0] = '\0';
		return herr(err, len, -rc, "hardened: pids cgroup");
	}
	snprintf(num, sizeof(num), "%llu", (unsigned long long)memory);
	rc = put(cg->mem, "memory.limit_in_bytes", num);
	if (rc < 0)
		return herr(err, len, -rc, "hardened: memory.limit_in_bytes");
	/* No way around the limit through swap (absent without swap
	 * accounting; then there is nothing to go around). */
	rc = put(cg->mem, "memory.memsw.limit_in_bytes", num);
	if (rc < 0 && rc != -ENOENT)
		return herr(err, len, -rc,
			    "hardened: memory.memsw.limit_in_bytes");
	snprintf(num, sizeof(num), "%llu", (unsigned long long)pids);
	rc = put(cg->pids, "pids.max", num);
	if (rc < 0)
		return herr(err, len, -rc, "hardened: pids.max");
	return 0;
}

int hcg_setup(struct hcgroup *cg, uint64_t memory, uint64_t pids, char *err,
	      size_t len)
{
	int rc;

	memset(cg, 0, sizeof(*cg));
	rc = setup_v2(cg, memory, pids);
	if (rc == 0)
		return 0;
	if (cg->version == 2) {
		herr(err, len, -rc, "hardened: cgroup v2 limits");
		return rc;
	}
	return setup_v1(cg, memory, pids, err, len);
}

int hcg_attach(const struct hcgroup *cg, pid_t pid, char *err, size_t len)
{
	char num[32];
	int rc;

	snprintf(num, sizeof(num), "%d", (int)pid);
	rc = put(cg->mem, "cgroup.procs", num);
	if (rc == 0 && cg->version == 1)
		rc = put(cg->pids, "cgroup.procs", num);
	if (rc < 0)
		return herr(err, len, -rc,
			    "hardened: joining the run's cgroup");
	return 0;
}

void hcg_events(const struct hcgroup *cg, bool *memory_hit, bool *pids_hit)
{
	if (cg->version == 2) {
		*memory_hit = keyed(cg->mem, "memory.events", "oom_kill") > 0;
		*pids_hit = keyed(cg->mem, "pids.events", "max") > 0;
	} else if (cg->version == 1) {
		*memory_hit = keyed(cg->mem, "memory.oom_control", "oom_kill") >
			      0;
		*pids_hit = keyed(cg->pids, "pids.events", "max") > 0;
	}
}

/* The processes are gone (their PID 1 was reaped), but the kernel may
 * take a moment to let go of the cgroup: bounded retries. */
static void rmdir_retry(const char *dir)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	if (!dir[0])
		return;
	for (int i = 0; i < 200; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return;
		if (errno != EBUSY)
			return;
		nanosleep(&ts, NULL);
	}
}

void hcg_destroy(struct hcgroup *cg)
{
	rmdir_retry(cg->mem);
	if (cg->version == 1)
		rmdir_retry(cg->pids);
	cg->version = 0;
}
