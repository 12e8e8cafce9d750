/*
 * test_sandbox_protocol.c - the daemon's side of the helper protocol
 * (src/sandbox/spawn.c, src/sandbox/helper_i.h) against stand-in
 * helpers: small shell scripts that read the run description, write a
 * report, write none, write nonsense, die, or never end; a helper that
 * is no program; profile refusals that bound what reaches the helper.
 * What the real helper does with a description is tested by the
 * integration suite.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <json-c/json.h>

#include "sandbox/sandbox.h"

static char dir[] = "/tmp/test_sandbox_protocol.XXXXXX";
static struct tx_sandbox_profiles *ps;

/* Writes an executable stand-in helper named name; returns its path. */
static const char *helper(const char *name, const char *body)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

static void opts(struct tx_sandbox_run_opts *o, const char *helper_path)
{
	memset(o, 0, sizeof(*o));
	o->profile = tx_sandbox_profiles_get(ps, "standard");
	o->script_name = "job.sh";
	o->script = "echo hi\n";
	o->script_len = 8;
	o->work_fd = -1;
	o->work_dir = "/tmp";
	o->uid = o->gid = TX_SANDBOX_UID_BASE;
	o->helper = helper_path;
}

/* Starts a run of helper_path and waits for it; returns wait's result. */
static int run(const struct tx_sandbox_run_opts *o,
	       struct tx_sandbox_result *res)
{
	struct tx_sandbox_run *r = NULL;
	char err[512];
	int rc;

	assert_int_equal(tx_sandbox_start(o, &r, err, sizeof(err)), 0);
	assert_non_null(r);
	rc = tx_sandbox_run_wait(r, res);
	tx_sandbox_run_free(r);
	return rc;
}

static int setup(void **state)
{
	char err[256];

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	ps = tx_sandbox_profiles_parse(NULL, err, sizeof(err));
	return ps ? 0 : -1;
}

static int teardown(void **state)
{
	char path[160];
	static const char *const names[] = { "report",    "silent", "killed",
					     "nonsense",  "spec",   "slow",
					     "spec.json", NULL };

	(void)state;
	for (size_t i = 0; names[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	tx_sandbox_profiles_free(ps);
	return 0;
}

/* The report's fields arrive in the result; unknown limit names are
 * ignored, not misread. */
static void test_report_read(void **state)
{
	struct tx_sandbox_run_opts o;
	struct tx_sandbox_result res;

	(void)state;
	opts(&o, helper("report",
			"printf '{\"exit_code\": 5, \"signal\": 0, "
			"\"duration_ms\": 12, \"timed_out\": true, "
			"\"cancelled\": false, \"limits_hit\": [\"memory\", "
			"\"bogus\", \"pids\"], \"cpu_user_ms\": 3, "
			"\"stdout_bytes\": 7, \"landlock_abi\": 4, "
			"\"cgroup\": \"v2\", \"error\": \"said so\"}' >&4"));
	assert_int_equal(run(&o, &res), 0);
	assert_int_equal(res.exit_code, 5);
	assert_int_equal(res.duration_ms, 12);
	assert_true(res.timed_out);
	assert_false(res.cancelled);
	assert_int_equal(res.limits_hit, TX_LIMIT_MEMORY | TX_LIMIT_PIDS);
	assert_int_equal(res.cpu_user_ms, 3);
	assert_int_equal(res.stdout_bytes, 7);
	assert_int_equal(res.landlock_abi, 4);
	assert_string_equal(res.cgroup, "v2");
	assert_string_equal(res.error, "said so");
}

/* A helper that ends without a report, dies, or writes nonsense: the
 * run fails with -EPROTO and says which. */
static void test_report_missing(void **state)
{
	struct tx_sandbox_run_opts o;
	struct tx_sandbox_result res;

	(void)state;
	opts(&o, helper("silent", "exit 3"));
	assert_int_equal(run(&o, &res), -EPROTO);
	assert_int_equal(res.exit_code, -1);
	assert_string_equal(res.error,
			    "the sandbox helper exited (3) without a report");

	opts(&o, helper("killed", "kill -9 $$"));
	assert_int_equal(run(&o, &res), -EPROTO);
	assert_string_equal(res.error, "the sandbox helper died of signal 9");

	opts(&o, helper("nonsense", "echo 'exit_code: 0' >&4"));
	assert_int_equal(run(&o, &res), -EPROTO);
	assert_non_null(
		strstr(res.error, "the sandbox helper's report is unreadable"));
}

/* What the daemon describes: the caller's environment entries after the
 * profile's, a later NAME replacing an earlier one; binds with their
 * mode; the script at its fixed place inside. */
static void test_description(void **state)
{
	static const char *const env[] = { "LANG=fr_FR.UTF-8", "ONE=1" };
	struct tx_sandbox_bind binds[] = {
		{ "/usr/share", "/data/share", false },
		{ "/var/tmp", "/data/out", true },
	};
	struct tx_sandbox_run_opts o;
	struct tx_sandbox_result res;
	struct json_object *d, *v, *b;
	char path[160], cmd[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/spec.json", dir);
	/* Reopened: the helper reads fd 3 with pread, from offset 0. */
	snprintf(cmd, sizeof(cmd), "/bin/cat /proc/self/fd/3 > %s; exit 0",
		 path);
	opts(&o, helper("spec", cmd));
	o.env = env;
	o.nenv = 2;
	o.binds = binds;
	o.nbinds = 2;
	o.hostname = "box";
	assert_int_equal(run(&o, &res), -EPROTO);
	d = json_object_from_file(path);
	assert_non_null(d);
	assert_true(json_object_object_get_ex(d, "env", &v));
	{
		int lang = 0, one = 0;

		for (size_t i = 0; i < json_object_array_length(v); i++) {
			const char *e = json_object_get_string(
				json_object_array_get_idx(v, i));

			if (!strncmp(e, "LANG=", 5)) {
				lang++;
				assert_string_equal(e, "LANG=fr_FR.UTF-8");
			}
			one += !strcmp(e, "ONE=1");
		}
		assert_int_equal(lang, 1);
		assert_int_equal(one, 1);
	}
	assert_true(json_object_object_get_ex(d, "binds", &v));
	assert_int_equal(json_object_array_length(v), 2);
	b = json_object_array_get_idx(v, 1);
	assert_string_equal(
		json_object_get_string(json_object_object_get(b, "src")),
		"/var/tmp");
	assert_string_equal(
		json_object_get_string(json_object_object_get(b, "dst")),
		"/data/out");
	assert_true(json_object_get_boolean(json_object_object_get(b, "rw")));
	b = json_object_array_get_idx(v, 0);
	assert_false(json_object_get_boolean(json_object_object_get(b, "rw")));
	assert_string_equal(
		json_object_get_string(json_object_object_get(d, "hostname")),
		"box");
	assert_true(json_object_object_get_ex(d, "argv", &v));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
				    v, json_object_array_length(v) - 1)),
			    "/run/code/job.sh");
	json_object_put(d);
}

/* Refusals before anything is spawned, beyond those of test_sandbox. */
static void test_start_refusals(void **state)
{
	static const char *const bad_env[] = { "=x" };
	struct tx_sandbox_bind bind = { "/usr", "/dev/x", false };
	struct tx_sandbox_run_opts o;
	struct tx_sandbox_run *r = NULL;
	char err[512];

	(void)state;
	opts(&o, "/bin/true");
	o.profile = NULL;
	assert_int_equal(tx_sandbox_start(&o, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no profile");
	opts(&o, "/bin/true");
	o.script = NULL;
	assert_int_equal(tx_sandbox_start(&o, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no script");
	opts(&o, "/bin/true");
	o.env = bad_env;
	o.nenv = 1;
	assert_int_equal(tx_sandbox_start(&o, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad environment entry \"=x\"");
	/* Binds never cover the device nodes or the script's directory. */
	opts(&o, "/bin/true");
	o.binds = &bind;
	o.nbinds = 1;
	assert_int_equal(tx_sandbox_start(&o, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad bind \"/usr\" -> \"/dev/x\"");
	bind.dst = "/run/code/x";
	assert_int_equal(tx_sandbox_start(&o, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad bind \"/usr\" -> \"/run/code/x\"");
	/* A mount point longer than half of PATH_MAX. */
	{
		static char longdst[PATH_MAX / 2 + 8];

		memset(longdst, 'd', sizeof(longdst) - 1);
		longdst[0] = '/';
		bind.dst = longdst;
		assert_int_equal(tx_sandbox_start(&o, &r, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "bad bind \"/usr\" -> \"/ddd"));
	}
	assert_null(r);
}

/* A run freed before it ended: its helper is stopped and reaped, and a
 * waited-for run is neither waited for nor cancelled twice. */
static void test_free_and_twice(void **state)
{
	struct tx_sandbox_run_opts o;
	struct tx_sandbox_result res;
	struct tx_sandbox_run *r = NULL;
	char err[512];
	pid_t pid;

	(void)state;
	opts(&o, helper("slow", "exec /bin/sleep 600"));
	assert_int_equal(tx_sandbox_start(&o, &r, err, sizeof(err)), 0);
	pid = tx_sandbox_run_pid(r);
	assert_true(pid > 0);
	assert_int_equal(kill(pid, 0), 0);
	tx_sandbox_run_free(r);
	/* Reaped by the free: the pid names no process of ours any more. */
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);

	opts(&o, helper("silent", "exit 3"));
	assert_int_equal(tx_sandbox_start(&o, &r, err, sizeof(err)), 0);
	assert_int_equal(tx_sandbox_run_wait(r, &res), -EPROTO);
	assert_int_equal(tx_sandbox_run_wait(r, &res), -ECHILD);
	assert_string_equal(res.error, "already waited for");
	assert_int_equal(tx_sandbox_run_cancel(r, false), -ESRCH);
	tx_sandbox_run_free(r);
}

/* A helper file that is executable but no program: the start fails,
 * says why, and leaves no descriptor of the run open. */
static void test_helper_not_a_program(void **state)
{
	struct tx_sandbox_run_opts o;
	struct tx_sandbox_run *r = NULL;
	char path[160], err[512], want[256];
	int before, after;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/garbage", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("not a program\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
	opts(&o, path);
	before = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(before);
	assert_int_equal(tx_sandbox_start(&o, &r, err, sizeof(err)), -ENOEXEC);
	assert_null(r);
	snprintf(want, sizeof(want), "cannot start %s: Exec format error",
		 path);
	assert_string_equal(err, want);
	/* The lowest free descriptor is the same as before the start. */
	after = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(after);
	assert_int_equal(after, before);
	unlink(path);
}

/* Profile refusals that reach what the daemon may hand the helper. */
static void test_profile_refusals(void **state)
{
	char json[8192], err[512];
	size_t n = 0;

	(void)state;
	struct {
		const char *json, *want;
	} cases[] = {
		{ "{\"standard\": {\"env\": {\"A\": \"%4097s\"}}}",
		  "codeProfiles.standard.env.A: longer than 4096" },
		{ "{\"mine\": {\"base\": 3}}",
		  "codeProfiles.mine.base: expected a profile name" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(json, sizeof(json), cases[i].json, "x");
		assert_null(tx_sandbox_profiles_parse_text(json, strlen(json),
							   err, sizeof(err)));
		assert_string_equal(err, cases[i].want);
	}
	/* A bad name; an error in a base reached through another profile. */
	snprintf(json, sizeof(json), "{\"a b\": {}}");
	assert_null(tx_sandbox_profiles_parse_text(json, strlen(json), err,
						   sizeof(err)));
	assert_non_null(strstr(err, "codeProfiles: bad profile name \"a b\""));
	snprintf(json, sizeof(json),
		 "{\"a\": {\"base\": \"b\"}, \"b\": {\"base\": 3}}");
	assert_null(tx_sandbox_profiles_parse_text(json, strlen(json), err,
						   sizeof(err)));
	assert_string_equal(err,
			    "codeProfiles.b.base: expected a profile name");
	/* More profiles than the table holds (61 besides the three). */
	n = (size_t)snprintf(json, sizeof(json), "{");
	for (int i = 0; i < 62; i++)
		n += (size_t)snprintf(json + n, sizeof(json) - n,
				      "%s\"p%d\": {}", i ? ", " : "", i);
	snprintf(json + n, sizeof(json) - n, "}");
	assert_null(tx_sandbox_profiles_parse_text(json, strlen(json), err,
						   sizeof(err)));
	assert_string_equal(err, "codeProfiles: more than 61 profiles");
	/* More variables than a profile may carry. */
	n = (size_t)snprintf(json, sizeof(json), "{\"standard\": {\"env\": {");
	for (int i = 0; i <= TX_SANDBOX_ENV_MAX; i++)
		n += (size_t)snprintf(json + n, sizeof(json) - n,
				      "%s\"V%d\": \"x\"", i ? ", " : "", i);
	snprintf(json + n, sizeof(json) - n, "}}}");
	assert_null(tx_sandbox_profiles_parse_text(json, strlen(json), err,
						   sizeof(err)));
	snprintf(json, sizeof(json),
		 "codeProfiles.standard.env: more than %d variables",
		 TX_SANDBOX_ENV_MAX);
	assert_string_equal(err, json);
}

/* A shebang argument longer than the interpreter field is refused like
 * a long interpreter; an unknown kind has no name. */
static void test_shebang_argument_and_kind(void **state)
{
	struct tx_sandbox_lang lang;
	char head[TX_SANDBOX_INTERP_MAX + 32], err[256];

	(void)state;
	snprintf(head, sizeof(head), "#!/bin/sh ");
	memset(head + 10, 'x', TX_SANDBOX_INTERP_MAX + 1);
	head[10 + TX_SANDBOX_INTERP_MAX + 1] = '\n';
	assert_int_equal(tx_sandbox_detect_language("job", head,
						    TX_SANDBOX_INTERP_MAX + 12,
						    &lang, err, sizeof(err)),
			 -ENOEXEC);
	assert_string_equal(err, "the shebang line is too long");
	assert_string_equal(tx_sandbox_kind_name((enum tx_sandbox_kind)99),
			    "?");
	assert_string_equal(tx_sandbox_kind_name(TX_SANDBOX_HARDENED),
			    "hardened");
}

/* A private /work for an owner the kernel cannot represent is refused,
 * with no descriptor left behind; a good one is a tmpfs of that size. */
static void test_work_new(void **state)
{
	struct statfs sf;
	struct stat st;
	int before, after, fd;

	(void)state;
	before = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(before);
	assert_int_equal(tx_sandbox_work_new(1 << 20, (uid_t)-1, 1000),
			 -EINVAL);
	assert_int_equal(tx_sandbox_work_new(1 << 20, 1000, (gid_t)-1),
			 -EINVAL);
	after = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(after);
	assert_int_equal(after, before);
	fd = tx_sandbox_work_new(1 << 20, 1000, 1001);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_gid, 1001);
	assert_int_equal(fstatfs(fd, &sf), 0);
	assert_int_equal((uint64_t)sf.f_blocks * (uint64_t)sf.f_bsize, 1 << 20);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_read),
		cmocka_unit_test(test_report_missing),
		cmocka_unit_test(test_description),
		cmocka_unit_test(test_start_refusals),
		cmocka_unit_test(test_free_and_twice),
		cmocka_unit_test(test_helper_not_a_program),
		cmocka_unit_test(test_profile_refusals),
		cmocka_unit_test(test_shebang_argument_and_kind),
		cmocka_unit_test(test_work_new),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
