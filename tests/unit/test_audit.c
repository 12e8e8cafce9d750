/*
 * test_audit.c - the audit log: one line per finished call with every
 * field, none lost under concurrency, rotation at the size cap that
 * loses nothing at the boundary, a rotation that cannot happen keeps
 * every line in the one file, a file that cannot take a line does not
 * stop the calls, and a clear error when the file cannot be opened or
 * is not a regular file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/audit.h"
#include "util/jsonu.h"
#include "toolexecfs/toolexec.h"

static char dir[64], path[128], rotated[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/txauditXXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/audit.log", dir);
	snprintf(rotated, sizeof(rotated), "%s/audit.log.1", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	unlink(rotated);
	rmdir(dir);
	return 0;
}

static struct tx_engine *engine_with_audit(size_t max)
{
	struct tx_engine_options opts = { .audit_log = path,
					  .audit_log_max = max };
	char err[512];
	struct tx_engine *e;

	unlink(path);
	unlink(rotated);
	e = tx_engine_new(&opts, err, sizeof(err));
	if (!e)
		fail_msg("engine: %s", err);
	return e;
}

/* The file's lines, parsed; *n gets the count.  Free with free_lines. */
static struct json_object **read_lines(const char *file, size_t *n)
{
	struct json_object **v = NULL;
	size_t cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	FILE *f = fopen(file, "r");

	*n = 0;
	if (!f)
		return NULL;
	while ((len = getline(&line, &lcap, f)) > 0) {
		char err[256];

		assert_true(line[len - 1] == '\n');
		if ((size_t)*n == cap) {
			cap = cap ? cap * 2 : 256;
			v = realloc(v, cap * sizeof(*v));
			assert_non_null(v);
		}
		v[*n] = tx_json_parse(line, (size_t)len - 1, 8, err,
				      sizeof(err));
		if (!v[*n])
			fail_msg("not JSON: %s (%s)", line, err);
		(*n)++;
	}
	free(line);
	fclose(f);
	return v;
}

static void free_lines(struct json_object **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_object_put(v[i]);
	free(v);
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no key %s in %s", key, json_object_to_json_string(o));
	return v ? json_object_get_string(v) : NULL;
}

static int64_t num(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		fail_msg("no number %s in %s", key,
			 json_object_to_json_string(o));
	return json_object_get_int64(v);
}

static struct json_object *find_job(struct json_object **v, size_t n,
				    const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(str(v[i], "job"), id))
			return v[i];
	fail_msg("job %s is not in the audit log", id);
	return NULL;
}

/* Every field, for calls that end each way. */
static void test_fields(void **state)
{
	struct tx_engine *e = engine_with_audit(0);
	struct tx_caller who = { .uid = 4242, .pid = 77, .sid = 70 };
	struct tx_job *ok, *bad, *cancelled, *clone;
	struct json_object **v, *o, *env;
	char err[256], ids[4][24];
	size_t n;

	(void)state;
	ok = tx_engine_call(e, "builtin:echo", "{\"a\":1}", &who, err,
			    sizeof(err));
	bad = tx_engine_call(e, "builtin:sleep", "{\"seconds\":\"x\"}", &who,
			     err, sizeof(err));
	cancelled = tx_engine_call(e, "builtin:sleep", "{\"seconds\":30}", NULL,
				   err, sizeof(err));
	assert_int_equal(tx_job_cancel(cancelled), 0);
	clone = tx_engine_job_new(e, "builtin:echo", &who, err, sizeof(err));
	snprintf(ids[0], sizeof(ids[0]), "%s", tx_job_id(ok));
	snprintf(ids[1], sizeof(ids[1]), "%s", tx_job_id(bad));
	snprintf(ids[2], sizeof(ids[2]), "%s", tx_job_id(cancelled));
	snprintf(ids[3], sizeof(ids[3]), "%s", tx_job_id(clone));
	env = tx_json_parse(tx_job_envelope_text(ok, NULL),
			    strlen(tx_job_envelope_text(ok, NULL)), 16, err,
			    sizeof(err));
	assert_non_null(env);
	tx_job_unref(ok);
	tx_job_unref(bad);
	tx_job_unref(cancelled);
	tx_job_unref(clone);
	tx_engine_free(e); /* ends the clone: unmount cancels it */

	v = read_lines(path, &n);
	assert_int_equal(n, 4);
	o = find_job(v, n, ids[0]);
	assert_int_equal(num(o, "uid"), 4242);
	assert_int_equal(num(o, "pid"), 77);
	assert_int_equal(num(o, "session"), 70);
	assert_string_equal(str(o, "tool"), "builtin:echo");
	assert_string_equal(str(o, "arguments_digest"),
			    str(env, "arguments_digest"));
	assert_string_equal(str(o, "outcome"), "ok");
	assert_string_equal(str(o, "code"), "ok");
	assert_null(str(o, "errno"));
	assert_true(num(o, "duration_ms") >= 0);
	/* 2024-01-02T03:04:05.678Z */
	assert_int_equal(strlen(str(o, "time")), 24);
	assert_true(str(o, "time")[10] == 'T' && str(o, "time")[23] == 'Z');
	o = find_job(v, n, ids[1]);
	assert_string_equal(str(o, "outcome"), "error");
	assert_string_equal(str(o, "code"), "invalid_arguments");
	assert_string_equal(str(o, "errno"), "EINVAL");
	o = find_job(v, n, ids[2]);
	assert_string_equal(str(o, "outcome"), "cancelled");
	assert_string_equal(str(o, "errno"), "ECANCELED");
	assert_null(str(o, "uid")); /* made without a caller */
	assert_null(str(o, "session"));
	o = find_job(v, n, ids[3]);
	assert_string_equal(str(o, "outcome"), "cancelled");
	assert_null(str(o, "arguments_digest")); /* never had any */
	free_lines(v, n);
	json_object_put(env);
}

struct caller_arg {
	struct tx_engine *e;
	int t;
	int bad;
};

static void *caller_main(void *p)
{
	struct caller_arg *c = p;
	struct tx_caller who = { .uid = 1000, .pid = 100 + c->t, .sid = c->t };
	char err[256], args[64];

	for (int i = 0; i < 200; i++) {
		struct tx_job *job;

		snprintf(args, sizeof(args), "{\"t\":%d,\"i\":%d}", c->t, i);
		job = tx_engine_call(c->e,
				     i % 10 ? "builtin:echo" : "builtin:base64",
				     args, &who, err, sizeof(err));
		if (!job || tx_job_wait(job, 30000))
			c->bad++;
		tx_job_unref(job);
	}
	return NULL;
}

/* 32 threads x 200 calls: exactly one line per call, none twice. */
static void test_concurrent(void **state)
{
	struct tx_engine *e = engine_with_audit(0);
	struct caller_arg c[32];
	pthread_t th[32];
	struct json_object **v;
	unsigned char *seen;
	size_t n;

	(void)state;
	for (int t = 0; t < 32; t++) {
		c[t] = (struct caller_arg){ e, t, 0 };
		assert_int_equal(
			pthread_create(&th[t], NULL, caller_main, &c[t]), 0);
	}
	for (int t = 0; t < 32; t++) {
		pthread_join(th[t], NULL);
		assert_int_equal(c[t].bad, 0);
	}
	tx_engine_free(e);
	v = read_lines(path, &n);
	assert_int_equal(n, 32 * 200);
	seen = calloc(32 * 200 + 1, 1);
	for (size_t i = 0; i < n; i++) {
		long id = atol(str(v[i], "job"));

		assert_true(id >= 1 && id <= 32 * 200);
		assert_int_equal(seen[id], 0);
		seen[id] = 1;
		assert_int_equal(num(v[i], "uid"), 1000);
	}
	free(seen);
	free_lines(v, n);
}

static long long file_size(const char *f)
{
	struct stat st;

	return stat(f, &st) ? -1 : (long long)st.st_size;
}

/*
 * With a 4096-byte cap the file is renamed to PATH.1 when the next line
 * would not fit; PATH.1 ends with the job just before PATH's first.
 */
static void test_rotation(void **state)
{
	struct tx_engine *e = engine_with_audit(4096);
	struct json_object **a, **b;
	char err[256];
	size_t na, nb;

	(void)state;
	for (int i = 0; i < 60; i++)
		tx_job_unref(tx_engine_call(e, "builtin:echo", "{}", NULL, err,
					    sizeof(err)));
	tx_engine_free(e);
	assert_true(file_size(path) > 0 && file_size(path) <= 4096);
	assert_true(file_size(rotated) > 4096 - 300 &&
		    file_size(rotated) <= 4096);
	a = read_lines(rotated, &na);
	b = read_lines(path, &nb);
	assert_true(na > 0 && nb > 0);
	assert_int_equal(atol(str(a[na - 1], "job")) + 1,
			 atol(str(b[0], "job")));
	assert_int_equal(atol(str(b[nb - 1], "job")), 60);
	free_lines(a, na);
	free_lines(b, nb);
}

static void test_open_fails(void **state)
{
	struct tx_engine_options opts = {
		.audit_log = "/nonexistent-dir/audit.log"
	};
	char err[512] = "";

	(void)state;
	assert_null(tx_engine_new(&opts, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent-dir/audit.log"));
	assert_non_null(strstr(err, "No such file"));
}

/* PATH.1 is a directory that is not empty: the file cannot be rotated,
 * so it grows past its cap and keeps every line. */
static void test_rotation_blocked(void **state)
{
	struct tx_engine *e;
	struct json_object **a;
	char err[256], keep[160];
	size_t na;

	(void)state;
	e = engine_with_audit(4096);
	assert_int_equal(mkdir(rotated, 0700), 0);
	snprintf(keep, sizeof(keep), "%s/keep", rotated);
	assert_int_equal(close(open(keep, O_WRONLY | O_CREAT, 0600)), 0);
	for (int i = 0; i < 60; i++)
		tx_job_unref(tx_engine_call(e, "builtin:echo", "{}", NULL, err,
					    sizeof(err)));
	tx_engine_free(e);
	assert_true(file_size(path) > 4096);
	a = read_lines(path, &na);
	assert_int_equal(na, 60);
	assert_int_equal(atol(str(a[0], "job")), 1);
	assert_int_equal(atol(str(a[59], "job")), 60);
	free_lines(a, na);
	assert_int_equal(unlink(keep), 0);
	assert_int_equal(rmdir(rotated), 0);
}

/* A file that takes no more (here the file size limit; a full disk
 * alike): the lines that do not fit are lost, whole, and the calls go
 * on succeeding. */
static void test_write_fails(void **state)
{
	struct rlimit old, lim;
	struct tx_engine *e;
	struct json_object **a;
	char err[256];
	size_t na;

	(void)state;
	e = engine_with_audit(0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 1000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	for (int i = 0; i < 20; i++) {
		struct tx_job *job = tx_engine_call(e, "builtin:echo", "{}",
						    NULL, err, sizeof(err));

		assert_non_null(job);
		tx_job_wait(job, 30000);
		assert_int_equal(tx_job_state(job), TX_JOB_OK);
		tx_job_unref(job);
	}
	tx_engine_free(e);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_true(file_size(path) <= 1000);
	a = read_lines(path, &na);
	assert_true(na > 0 && na < 20);
	for (size_t i = 0; i < na; i++)
		assert_int_equal(atol(str(a[i], "job")), (long)i + 1);
	free_lines(a, na);
}

static void test_not_regular(void **state)
{
	struct tx_engine_options opts = { .audit_log = "/dev/null" };
	char err[512] = "";

	(void)state;
	assert_null(tx_engine_new(&opts, err, sizeof(err)));
	assert_non_null(strstr(err, "audit log /dev/null: not a regular file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_open_fails),
		cmocka_unit_test(test_rotation_blocked),
		cmocka_unit_test(test_write_fails),
		cmocka_unit_test(test_not_regular),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
