/*
 * test_reload.c - a reload applies every key of an exec tool: each edit
 * of one key alone (env, inherit_env, cwd, stdin, the output caps,
 * kill_grace_ms, argv past what the doc shows) produces a new tool whose
 * next call shows the change, and an unchanged file keeps the tool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "toolexecfs/toolexec.h"

static char dir[64];
static struct tx_engine *engine;

static int setup(void **state)
{
	struct tx_engine_options opts = { 0 };
	char err[512];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/txreloadXXXXXX");
	if (!mkdtemp(dir))
		return -1;
	setenv("TXR_INHERIT", "inherited", 1);
	opts.config_dir = dir;
	engine = tx_engine_new(&opts, err, sizeof(err));
	if (!engine) {
		fprintf(stderr, "engine: %s\n", err);
		return -1;
	}
	return 0;
}

static void remove_file(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static int teardown(void **state)
{
	(void)state;
	tx_engine_free(engine);
	remove_file("r.json");
	remove_file("term");
	remove_file("pid");
	remove_file("pid.tmp");
	rmdir(dir);
	unsetenv("TXR_INHERIT");
	return 0;
}

/* The version of r:t, 0 when absent. */
static uint64_t version(void)
{
	struct tx_toolset *set = tx_engine_tools(engine);
	const struct tx_tool *t = tx_toolset_find(set, "r:t");
	uint64_t v = t ? tx_tool_version(t) : 0;

	tx_toolset_unref(set);
	return v;
}

static char *doc(void)
{
	struct tx_toolset *set = tx_engine_tools(engine);
	const struct tx_tool *t = tx_toolset_find(set, "r:t");
	char *d = strdup(t ? tx_tool_doc(t) : "");

	tx_toolset_unref(set);
	return d;
}

/* Writes r.json with one tool r:t whose keys (command, stdin, ...) are
 * `keys`, and reloads.  Returns the tool's version afterwards. */
static uint64_t load(unsigned timeout_ms, const char *keys)
{
	char path[256], tmp[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/r.json", dir);
	snprintf(tmp, sizeof(tmp), "%s/.r.json.tmp", dir);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fprintf(f,
		"{\"tools\":[{\"namespace\":\"r\",\"name\":\"t\","
		"\"description\":\"A reload probe.\","
		"\"input_schema\":{\"type\":\"object\",\"properties\":{"
		"\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"string\"}}},"
		"\"timeout_ms\":%u,%s}]}",
		timeout_ms, keys);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
	assert_int_equal(tx_engine_reload(engine), 0);
	assert_true(version() != 0);
	return version();
}

/* "STATE:TEXT": the result, or the error when there is no content. */
static char *outcome(const char *args)
{
	char err[512] = "", *out;
	struct tx_job *job =
		tx_engine_call(engine, "r:t", args, NULL, err, sizeof(err));
	const char *text;

	if (!job)
		fail_msg("call: %s", err);
	assert_int_equal(tx_job_wait(job, 30000), 0);
	text = tx_job_errno(job) ? tx_job_error_text(job, NULL)
				 : tx_job_result_text(job, NULL);
	if (asprintf(&out, "%s:%s", tx_job_state_name(tx_job_state(job)),
		     text) < 0)
		out = NULL;
	assert_non_null(out);
	tx_job_unref(job);
	return out;
}

/* Loads keys1, checks the call, loads keys2, checks again; the tool must
 * be a new one.  want1/want2: exact outcome, or "~TEXT": contains. */
static void edit(const char *what, const char *args, const char *keys1,
		 const char *want1, const char *keys2, const char *want2)
{
	const char *want[2] = { want1, want2 };
	const char *keys[2] = { keys1, keys2 };
	uint64_t v[2];

	for (int i = 0; i < 2; i++) {
		char *got;

		v[i] = load(10000, keys[i]);
		got = outcome(args);
		if (want[i][0] == '~' ? !strstr(got, want[i] + 1)
				      : strcmp(got, want[i]) != 0)
			fail_msg("%s, version %d: expected [%s], got [%s]",
				 what, i + 1, want[i], got);
		free(got);
	}
	if (v[0] == v[1])
		fail_msg("%s: the edit kept the old tool", what);
	/* The same file again keeps the tool (and the kernel's caches). */
	assert_int_equal(load(10000, keys2), v[1]);
}

#define NONE "\"stdin\":\"none\""

static void test_env(void **state)
{
	(void)state;
	edit("env", "{}",
	     "\"command\":[\"printenv\",\"V\"]," NONE
	     ",\"env\":{\"V\":\"one\"}",
	     "ok:one\n",
	     "\"command\":[\"printenv\",\"V\"]," NONE
	     ",\"env\":{\"V\":\"two\"}",
	     "ok:two\n");
	edit("env added", "{}", "\"command\":[\"printenv\",\"V\"]," NONE,
	     "~error:",
	     "\"command\":[\"printenv\",\"V\"]," NONE
	     ",\"env\":{\"V\":\"new\"}",
	     "ok:new\n");
}

static void test_inherit_env(void **state)
{
	(void)state;
	edit("inherit_env", "{}",
	     "\"command\":[\"printenv\",\"TXR_INHERIT\"]," NONE
	     ",\"inherit_env\":false",
	     "~error:",
	     "\"command\":[\"printenv\",\"TXR_INHERIT\"]," NONE
	     ",\"inherit_env\":true",
	     "ok:inherited\n");
}

static void test_cwd(void **state)
{
	(void)state;
	edit("cwd", "{}", "\"command\":[\"pwd\"]," NONE ",\"cwd\":\"/\"",
	     "ok:/\n", "\"command\":[\"pwd\"]," NONE ",\"cwd\":\"/usr\"",
	     "ok:/usr\n");
}

static void test_stdin(void **state)
{
	(void)state;
	edit("stdin none to json", "{\"a\":\"A\"}",
	     "\"command\":[\"cat\"],\"stdin\":\"none\"",
	     "ok:", "\"command\":[\"cat\"],\"stdin\":\"json\"",
	     "ok:{\"a\":\"A\"}\n");
	edit("stdin argument", "{\"a\":\"A\",\"b\":\"B\"}",
	     "\"command\":[\"cat\"],\"stdin\":\"{a}\"", "ok:A\n",
	     "\"command\":[\"cat\"],\"stdin\":\"{b}\"", "ok:B\n");
}

static void test_output_caps(void **state)
{
	(void)state;
	edit("max_output_bytes", "{}",
	     "\"command\":[\"echo\",\"hello\"]," NONE
	     ",\"max_output_bytes\":100",
	     "ok:hello\n",
	     "\"command\":[\"echo\",\"hello\"]," NONE ",\"max_output_bytes\":3",
	     "~error:output_too_large: ");
	edit("max_stderr_bytes", "{}",
	     "\"command\":[\"sh\",\"-c\",\"echo 0123456789abcdef >&2; exit 3\"]," NONE
	     ",\"max_stderr_bytes\":100",
	     "~0123456789abcdef\n",
	     "\"command\":[\"sh\",\"-c\",\"echo 0123456789abcdef >&2; exit 3\"]," NONE
	     ",\"max_stderr_bytes\":5",
	     "~cut at max_stderr_bytes (5)");
}

/* The long argument makes the doc's one-line description of the command
 * stop before the element that changes. */
static void test_argv_past_doc(void **state)
{
	char keys[2][1024], x[231], want[2][300];
	char *doc1, *doc2;

	(void)state;
	memset(x, 'x', sizeof(x) - 1);
	x[sizeof(x) - 1] = '\0';
	for (int i = 0; i < 2; i++) {
		snprintf(keys[i], sizeof(keys[i]),
			 "\"command\":[\"echo\",\"%s\",\"tail-%s\"]," NONE, x,
			 i ? "two" : "one");
		snprintf(want[i], sizeof(want[i]), "ok:%s tail-%s\n", x,
			 i ? "two" : "one");
	}
	load(10000, keys[0]);
	doc1 = doc();
	load(10000, keys[1]);
	doc2 = doc();
	assert_string_equal(doc1, doc2); /* the doc cannot tell */
	free(doc1);
	free(doc2);
	edit("argv past the doc", "{}", keys[0], want[0], keys[1], want[1]);
}

/*
 * Starts a call of r:t, waits (bounded) for the pid file the tool
 * writes, cancels the call and waits until that process is gone.
 */
static void run_and_cancel(void)
{
	char path[256], err[256];
	struct tx_job *job;
	FILE *f = NULL;
	int pid = 0;

	snprintf(path, sizeof(path), "%s/pid", dir);
	unlink(path);
	job = tx_engine_call(engine, "r:t", "{}", NULL, err, sizeof(err));
	assert_non_null(job);
	for (int i = 0; i < 3000 && !(f = fopen(path, "r")); i++)
		usleep(10000);
	assert_non_null(f);
	for (int i = 0; i < 3000 && fscanf(f, "%d", &pid) != 1; i++) {
		usleep(10000); /* the shell may not have written it all yet */
		rewind(f);
	}
	fclose(f);
	assert_true(pid > 0);
	assert_int_equal(tx_job_cancel(job), 0);
	for (int i = 0; i < 3000 && kill(pid, 0) == 0; i++)
		usleep(10000);
	assert_int_equal(kill(pid, 0), -1);
	tx_job_unref(job);
}

/*
 * kill_grace_ms: the tool traps SIGTERM and records it.  With 0 a cancel
 * sends SIGKILL at once and the trap never runs; with a grace period the
 * group gets SIGTERM first.
 */
static void test_kill_grace(void **state)
{
	char keys[2][1024], term[256];
	uint64_t v1, v2;

	(void)state;
	snprintf(term, sizeof(term), "%s/term", dir);
	for (int i = 0; i < 2; i++)
		snprintf(
			keys[i], sizeof(keys[i]),
			"\"command\":[\"sh\",\"-c\",\"trap 'echo TERM > %s; exit 0' TERM; "
			"echo $$ > %s/pid.tmp; mv %s/pid.tmp %s/pid; "
			"while :; do sleep 0.05; done\"]," NONE
			",\"kill_grace_ms\":%d",
			term, dir, dir, dir, i ? 30000 : 0);
	v1 = load(60000, keys[0]);
	run_and_cancel();
	assert_int_equal(access(term, F_OK), -1);
	v2 = load(60000, keys[1]);
	assert_true(v1 != v2);
	run_and_cancel();
	assert_int_equal(access(term, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_inherit_env),
		cmocka_unit_test(test_cwd),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_output_caps),
		cmocka_unit_test(test_argv_past_doc),
		cmocka_unit_test(test_kill_grace),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
