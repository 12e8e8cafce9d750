/*
 * test_sandbox.c - the daemon's side of the sandbox without running
 * anything: profile parsing (defaults, overrides, inheritance, every
 * error), language detection, the seccomp programs, the uid range, and
 * the option checks of tx_sandbox_start.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/sandbox.h"

#define MiB (1024ull * 1024)
#define GiB (1024 * MiB)

static struct tx_sandbox_profiles *parse(const char *json, char *err,
					 size_t errlen)
{
	err[0] = '\0';
	return tx_sandbox_profiles_parse_text(json, strlen(json), err, errlen);
}

static void parse_fails(const char *json, const char *needle)
{
	char err[512];
	struct tx_sandbox_profiles *ps = parse(json, err, sizeof(err));

	if (ps)
		fail_msg("parsed, expected an error with \"%s\": %s", needle,
			 json);
	assert_int_equal(errno, EINVAL);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not say \"%s\"", err, needle);
}

static void test_defaults(void **state)
{
	char err[256];
	struct tx_sandbox_profiles *ps;
	const struct tx_sandbox_profile *d, *s, *h;

	(void)state;
	ps = tx_sandbox_profiles_parse(NULL, err, sizeof(err));
	assert_non_null(ps);
	assert_int_equal(tx_sandbox_profiles_count(ps), 3);
	d = tx_sandbox_profiles_at(ps, 0);
	s = tx_sandbox_profiles_at(ps, 1);
	h = tx_sandbox_profiles_at(ps, 2);
	assert_string_equal(d->name, "dev");
	assert_string_equal(s->name, "standard");
	assert_string_equal(h->name, "hardened");
	assert_false(d->enabled);
	assert_true(s->enabled);
	assert_true(h->enabled);
	assert_int_equal(s->kind, TX_SANDBOX_STANDARD);
	assert_int_equal(s->timeout_ms, 30000);
	assert_int_equal(s->max_tool_calls, 100);
	assert_int_equal(s->pids, 256);
	assert_true(s->memory == 4 * GiB);
	assert_int_equal(h->pids, 64);
	assert_true(h->memory == 512 * MiB);
	assert_true(h->address_space == 2 * GiB);
	assert_int_equal(h->cpu, 10);
	assert_true(h->stdout_max < s->stdout_max);
	assert_ptr_equal(tx_sandbox_profiles_get(ps, "hardened"), h);
	assert_null(tx_sandbox_profiles_get(ps, "nope"));
	assert_string_equal(tx_sandbox_kind_name(TX_SANDBOX_DEV), "dev");
	tx_sandbox_profiles_free(ps);
}

/* The example from the documentation: dev switched on, ci derived. */
static void test_override_and_derive(void **state)
{
	char err[256];
	struct tx_sandbox_profiles *ps;
	const struct tx_sandbox_profile *p;

	(void)state;
	ps = parse(
		"{\"dev\": {\"enabled\": true},"
		" \"ci\": {\"base\": \"standard\", \"timeout_ms\": 60000,"
		"          \"max_tool_calls\": 500},"
		" \"standard\": {\"memory\": \"2G\", \"env\": {\"A\": \"1\"}},"
		" \"big\": {\"base\": \"ci\", \"stdout_max\": \"64MiB\","
		"           \"enabled\": false, \"env\": {\"A\": \"2\","
		"           \"B\": \"x y\"}}}",
		err, sizeof(err));
	if (!ps)
		fail_msg("%s", err);
	assert_int_equal(tx_sandbox_profiles_count(ps), 5);
	assert_true(tx_sandbox_profiles_get(ps, "dev")->enabled);
	/* Built-ins first, then the others by name. */
	assert_string_equal(tx_sandbox_profiles_at(ps, 3)->name, "big");
	assert_string_equal(tx_sandbox_profiles_at(ps, 4)->name, "ci");
	p = tx_sandbox_profiles_get(ps, "ci");
	assert_true(p->enabled);
	assert_int_equal(p->kind, TX_SANDBOX_STANDARD);
	assert_int_equal(p->timeout_ms, 60000);
	assert_int_equal(p->max_tool_calls, 500);
	/* From standard as changed in the same file. */
	assert_true(p->memory == 2 * GiB);
	assert_int_equal(p->nenv, 1);
	assert_string_equal(p->env[0], "A=1");
	p = tx_sandbox_profiles_get(ps, "big");
	assert_false(p->enabled);
	assert_int_equal(p->timeout_ms, 60000);
	assert_true(p->stdout_max == 64 * MiB);
	assert_int_equal(p->nenv, 2);
	assert_string_equal(p->env[0], "A=2");
	assert_string_equal(p->env[1], "B=x y");
	tx_sandbox_profiles_free(ps);
}

static void test_hardened_derived(void **state)
{
	char err[256];
	struct tx_sandbox_profiles *ps;
	const struct tx_sandbox_profile *p;

	(void)state;
	ps = parse("{\"tight\": {\"base\": \"hardened\", \"pids\": 8,"
		   " \"memory\": 67108864, \"cpu\": 1}}",
		   err, sizeof(err));
	if (!ps)
		fail_msg("%s", err);
	p = tx_sandbox_profiles_get(ps, "tight");
	assert_int_equal(p->kind, TX_SANDBOX_HARDENED);
	assert_int_equal(p->pids, 8);
	assert_true(p->memory == 64 * MiB);
	assert_int_equal(p->cpu, 1);
	assert_int_equal(p->nofile, 256);
	tx_sandbox_profiles_free(ps);
}

static void test_errors(void **state)
{
	(void)state;
	parse_fails("[]", "expected an object");
	parse_fails("{\"x\": 1}", "codeProfiles.x: expected an object");
	parse_fails("{\"ci\": {}}", "needs a \"base\"");
	parse_fails("{\"ci\": {\"base\": \"nope\"}}", "no profile \"nope\"");
	parse_fails("{\"a\": {\"base\": \"b\"}, \"b\": {\"base\": \"a\"}}",
		    "base cycle");
	parse_fails("{\"a\": {\"base\": \"a\"}}", "base cycle");
	parse_fails("{\"standard\": {\"base\": \"dev\"}}",
		    "cannot change its base");
	parse_fails("{\"standard\": {\"timeout\": 5}}",
		    "unknown key \"timeout\"");
	parse_fails("{\"standard\": {\"timeout_ms\": \"5\"}}",
		    "standard.timeout_ms: expected an integer");
	parse_fails("{\"standard\": {\"timeout_ms\": 0}}", "out of range");
	parse_fails("{\"standard\": {\"timeout_ms\": -1}}", "out of range");
	parse_fails("{\"standard\": {\"memory\": \"12Q\"}}",
		    "standard.memory: expected an integer or a size");
	parse_fails("{\"standard\": {\"memory\": \"1K\"}}", "out of range");
	parse_fails("{\"standard\": {\"memory\": \"99999999999G\"}}",
		    "out of range");
	parse_fails("{\"standard\": {\"pids\": 1.5}}", "expected an integer");
	parse_fails("{\"standard\": {\"enabled\": 1}}", "true or false");
	parse_fails("{\"standard\": {\"env\": []}}", "env: expected an object");
	parse_fails("{\"standard\": {\"env\": {\"A\": 1}}}",
		    "env.A: expected a string");
	parse_fails("{\"standard\": {\"env\": {\"A=B\": \"x\"}}}",
		    "bad variable name");
	parse_fails("{\"../x\": {\"base\": \"dev\"}}", "bad profile name");
	parse_fails("{\".hidden\": {\"base\": \"dev\"}}", "bad profile name");
	parse_fails("{\"standard\": {\"timeout_ms\": 1,}}", "");
}

static void lang_ok(const char *name, const char *head, const char *language,
		    const char *interp, const char *arg)
{
	struct tx_sandbox_lang l;
	char err[256] = "";
	int rc = tx_sandbox_detect_language(name, head, head ? strlen(head) : 0,
					    &l, err, sizeof(err));

	if (rc < 0)
		fail_msg("%s: %s", name, err);
	assert_string_equal(l.language, language);
	assert_string_equal(l.interp, interp);
	assert_string_equal(l.arg, arg);
}

static void lang_fails(const char *name, const char *head, const char *needle)
{
	struct tx_sandbox_lang l;
	char err[256] = "";
	int rc = tx_sandbox_detect_language(name, head, head ? strlen(head) : 0,
					    &l, err, sizeof(err));

	assert_int_equal(rc, -ENOEXEC);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not say \"%s\"", err, needle);
}

static void test_languages(void **state)
{
	(void)state;
	/* Extensions. */
	lang_ok("job.sh", "echo hi\n", "shell", "/bin/sh", "");
	lang_ok("job.bash", "echo hi\n", "shell", "bash", "");
	lang_ok("job.py", "print(1)\n", "python", "python3", "");
	lang_ok("job.js", "console.log(1)\n", "javascript", "node", "");
	lang_ok("job.mjs", "", "javascript", "node", "");
	lang_ok("job.pl", "print 1;\n", "perl", "perl", "");
	lang_ok("a.b.py", NULL, "python", "python3", "");
	/* The shebang wins over the extension. */
	lang_ok("job.py", "#!/bin/sh\necho\n", "shell", "/bin/sh", "");
	lang_ok("job", "#!/usr/bin/python3 -u\nprint(1)\n", "python",
		"/usr/bin/python3", "-u");
	lang_ok("job", "#! /usr/bin/env  node \r\n", "javascript", "node", "");
	lang_ok("job", "#!/usr/bin/env python3", "python", "python3", "");
	lang_ok("job", "#!/usr/bin/python3.11\n", "python",
		"/usr/bin/python3.11", "");
	lang_ok("job", "#!/bin/bash -e -x\n", "shell", "/bin/bash", "-e -x");
	lang_ok("job", "#!/usr/bin/awk -f\n", "other", "/usr/bin/awk", "-f");
	/* Unknown or malformed. */
	lang_fails("job", "echo hi\n", "cannot tell the language of \"job\"");
	lang_fails("job.rb", "puts 1\n", ".sh, .bash, .py");
	lang_fails(".py", "x", "cannot tell");
	lang_fails("job", "#!\n", "names no interpreter");
	lang_fails("job", "#!python3\n", "must be an absolute path");
	lang_fails("job", "#!/usr/bin/env -S python3 -u\n", "one program name");
	lang_fails("job", "#!/usr/bin/env\n", "one program name");
	lang_fails("job", "#!/usr/bin/env A=1 python3\n", "one program name");
}

static void test_long_shebang(void **state)
{
	char head[600];

	(void)state;
	memcpy(head, "#!/", 3);
	memset(head + 3, 'a', 400);
	head[403] = '\0';
	lang_fails("job", head, "too long");
}

static void test_filters(void **state)
{
	char err[256];
	struct stat st;
	int s, h, again;

	(void)state;
	s = tx_sandbox_filter_fd(TX_SANDBOX_STANDARD, err, sizeof(err));
	if (s < 0)
		fail_msg("%s", err);
	h = tx_sandbox_filter_fd(TX_SANDBOX_HARDENED, err, sizeof(err));
	if (h < 0)
		fail_msg("%s", err);
	assert_int_not_equal(s, h);
	/* Compiled once: the same descriptor again. */
	again = tx_sandbox_filter_fd(TX_SANDBOX_STANDARD, err, sizeof(err));
	assert_int_equal(again, s);
	assert_int_equal(fstat(s, &st), 0);
	assert_true(st.st_size > 0);
	assert_int_equal(st.st_size % sizeof(struct sock_filter), 0);
	/* Sealed: nobody changes what every run loads. */
	assert_int_equal(pwrite(s, "x", 1, 0), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(tx_sandbox_filter_fd(TX_SANDBOX_DEV, err, sizeof(err)),
			 -EINVAL);
}

static void test_uid_range(void **state)
{
	uid_t a, b;

	(void)state;
	assert_int_equal(tx_sandbox_uid_alloc(&a), 0);
	assert_int_equal(tx_sandbox_uid_alloc(&b), 0);
	assert_true(a >= TX_SANDBOX_UID_BASE &&
		    a < TX_SANDBOX_UID_BASE + TX_SANDBOX_UID_COUNT);
	assert_int_not_equal(a, b);
	tx_sandbox_uid_release(a);
	tx_sandbox_uid_release(b);
	tx_sandbox_uid_release(12); /* not ours: ignored */
	for (unsigned i = 0; i < TX_SANDBOX_UID_COUNT; i++)
		assert_int_equal(tx_sandbox_uid_alloc(&a), 0);
	assert_int_equal(tx_sandbox_uid_alloc(&b), -EAGAIN);
	for (unsigned i = 0; i < TX_SANDBOX_UID_COUNT; i++)
		tx_sandbox_uid_release(TX_SANDBOX_UID_BASE + i);
	assert_int_equal(tx_sandbox_uid_alloc(&a), 0);
	tx_sandbox_uid_release(a);
}

static void start_fails(struct tx_sandbox_run_opts *o, int want,
			const char *needle)
{
	struct tx_sandbox_run *r = NULL;
	char err[512] = "";
	int rc = tx_sandbox_start(o, &r, err, sizeof(err));

	assert_null(r);
	assert_int_equal(rc, want);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not say \"%s\"", err, needle);
}

/* Refusals that come before anything is spawned. */
static void test_start_checks(void **state)
{
	char err[256];
	struct tx_sandbox_profiles *ps =
		tx_sandbox_profiles_parse(NULL, err, sizeof(err));
	struct tx_sandbox_bind bind = { "/usr", "/proc/x", false };
	struct tx_sandbox_run_opts o;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.profile = tx_sandbox_profiles_get(ps, "standard");
	o.script_name = "job.rb";
	o.script = "puts 1\n";
	o.script_len = 7;
	o.work_fd = -1;
	o.work_dir = "/tmp";
	o.uid = o.gid = TX_SANDBOX_UID_BASE;
	o.helper = "/bin/true";
	start_fails(&o, -ENOEXEC, "cannot tell the language");
	o.script_name = "a/b.sh";
	start_fails(&o, -EINVAL, "bad script name");
	o.script_name = "job.sh";
	o.uid = 0;
	start_fails(&o, -EINVAL, "never maps to root");
	o.uid = TX_SANDBOX_UID_BASE;
	o.work_dir = NULL;
	start_fails(&o, -EINVAL, "exactly one of work_fd, work_dir");
	o.work_dir = "tmp";
	start_fails(&o, -EINVAL, "work_dir must be absolute");
	o.work_dir = "/tmp";
	o.binds = &bind;
	o.nbinds = 1;
	start_fails(&o, -EINVAL, "bad bind");
	bind.dst = "/tools/../etc";
	start_fails(&o, -EINVAL, "bad bind");
	o.nbinds = 0;
	/* A host name longer than /etc/hostname may hold: refused before
	 * the helper starts. */
	o.hostname = "a-host-name-that-is-far-longer-than-any-that-"
		     "sethostname-or-the-sandbox-etc-would-take";
	start_fails(&o, -EINVAL, "host name too long");
	o.hostname = NULL;
	o.helper = "/nonexistent/toolexec-sandbox";
	start_fails(&o, -ENOENT, "sandbox helper");
	/* dev is off unless enabled; enabled, it has no mount namespace. */
	o.profile = tx_sandbox_profiles_get(ps, "dev");
	o.work_dir = NULL;
	o.work_fd = 0;
	start_fails(&o, -EPERM, "profile dev is not enabled");
	tx_sandbox_profiles_free(ps);
	ps = tx_sandbox_profiles_parse_text("{\"dev\": {\"enabled\": true}}",
					    26, err, sizeof(err));
	assert_non_null(ps);
	o.profile = tx_sandbox_profiles_get(ps, "dev");
	start_fails(&o, -EINVAL, "dev runs have no mount namespace");
	tx_sandbox_profiles_free(ps);
}

/* Handing /work back: a symlink the script left must not lead out. */
static void test_work_open(void **state)
{
	char dir[] = "/tmp/test_sandbox.XXXXXX", path[128];
	int d, fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	d = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(d >= 0);
	snprintf(path, sizeof(path), "%s/report.txt", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "ok", 2), 2);
	close(fd);
	snprintf(path, sizeof(path), "%s/out", dir);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	snprintf(path, sizeof(path), "%s/up", dir);
	assert_int_equal(symlink("../../etc/passwd", path), 0);
	snprintf(path, sizeof(path), "%s/in", dir);
	assert_int_equal(symlink("report.txt", path), 0);

	fd = tx_sandbox_work_open(d, "report.txt", O_RDONLY);
	assert_true(fd >= 0);
	close(fd);
	fd = tx_sandbox_work_open(d, "in", O_RDONLY);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(tx_sandbox_work_open(d, "out", O_RDONLY), -EXDEV);
	assert_int_equal(tx_sandbox_work_open(d, "up", O_RDONLY), -EXDEV);
	assert_int_equal(tx_sandbox_work_open(d, "../etc/passwd", O_RDONLY),
			 -EXDEV);
	assert_int_equal(tx_sandbox_work_open(d, "/etc/passwd", O_RDONLY),
			 -EXDEV);
	close(d);
	unlink(path);
	snprintf(path, sizeof(path), "%s/up", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/out", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/report.txt", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

static void test_limit_names(void **state)
{
	(void)state;
	assert_string_equal(tx_sandbox_limit_name(TX_LIMIT_TIMEOUT), "timeout");
	assert_string_equal(tx_sandbox_limit_name(TX_LIMIT_FILE_SIZE),
			    "file_size");
	assert_string_equal(tx_sandbox_limit_name(TX_LIMIT_OUTPUT), "output");
	assert_string_equal(tx_sandbox_limit_name(3), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_override_and_derive),
		cmocka_unit_test(test_hardened_derived),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_long_shebang),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_uid_range),
		cmocka_unit_test(test_start_checks),
		cmocka_unit_test(test_work_open),
		cmocka_unit_test(test_limit_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
