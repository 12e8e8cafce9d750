/*
 * test_exec.c - exec tools through the engine facade: results, errors,
 * caps, timeouts and cancels that end whole process groups, arguments
 * that stay inert text, and every shipped example tool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"
#include "toolexecfs/toolexec.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

static char dir[64];
static struct tx_engine *engine;
static int idle_threads; /* this process's threads, engine idle */

/* The tools the tests call.  Each carries every key an exec tool needs:
 * input_schema, command, stdin and timeout_ms.  Only t:sh_short has a
 * timeout a test waits for; the others have timeouts no call reaches,
 * even on a slow machine. */
#define NOARGS "\"input_schema\":{\"type\":\"object\"},"
static const char tools_json[] =
	"{\"tools\":["
	"{\"namespace\":\"t\",\"name\":\"echo\",\"description\":\"echo\","
	" \"input_schema\":{\"type\":\"object\",\"properties\":{"
	"  \"text\":{\"type\":\"string\"}}},"
	" \"command\":[\"echo\",\"{text}\"],\"stdin\":\"none\","
	" \"timeout_ms\":60000},"
	"{\"namespace\":\"t\",\"name\":\"args\",\"description\":\"printf args\","
	" \"input_schema\":{\"type\":\"object\",\"properties\":{"
	"  \"a\":{},\"b\":{},\"c\":{},\"d\":{\"default\":\"dflt\"},"
	"  \"n\":{\"default\":7}}},"
	" \"command\":[\"printf\",\"[%s]\",\"{a}\",\"{b}\",\"{c}\",\"{d}\","
	"  \"{n}\"],\"stdin\":\"none\",\"timeout_ms\":60000},"
	"{\"namespace\":\"t\",\"name\":\"sh\",\"description\":\"a script\","
	" \"input_schema\":{\"type\":\"object\",\"properties\":{"
	"  \"script\":{\"type\":\"string\"},\"x\":{\"type\":\"string\"}},"
	"  \"required\":[\"script\"]},"
	" \"command\":[\"sh\",\"-c\",\"{script}\",\"sh\",\"{x}\"],"
	" \"stdin\":\"none\",\"timeout_ms\":60000,\"kill_grace_ms\":300,"
	" \"max_output_bytes\":1000,\"max_stderr_bytes\":100},"
	"{\"namespace\":\"t\",\"name\":\"sh_short\",\"description\":\"x\","
	" \"input_schema\":{\"type\":\"object\",\"properties\":{"
	"  \"script\":{\"type\":\"string\"},\"x\":{\"type\":\"string\"}},"
	"  \"required\":[\"script\"]},"
	" \"command\":[\"sh\",\"-c\",\"{script}\",\"sh\",\"{x}\"],"
	" \"stdin\":\"none\",\"timeout_ms\":800,\"kill_grace_ms\":300},"
	"{\"namespace\":\"t\",\"name\":\"cat_json\",\"description\":\"cat\","
	" \"input_schema\":{\"type\":\"object\"},"
	" \"command\":[\"cat\"],\"stdin\":\"json\",\"timeout_ms\":60000},"
	"{\"namespace\":\"t\",\"name\":\"cat_text\",\"description\":\"cat\","
	" \"input_schema\":{\"type\":\"object\",\"properties\":{"
	"  \"text\":{\"type\":\"string\"}}},"
	" \"command\":[\"cat\"],\"stdin\":\"{text}\",\"timeout_ms\":60000},"
	"{\"namespace\":\"t\",\"name\":\"env\",\"description\":\"env\"," NOARGS
	" \"command\":[\"env\"],\"stdin\":\"none\",\"timeout_ms\":60000,"
	" \"env\":{\"MINE\":\"yes\"},\"cwd\":\"/\"},"
	"{\"namespace\":\"t\",\"name\":\"env_all\",\"description\":\"env\"," NOARGS
	" \"command\":[\"env\"],\"stdin\":\"none\",\"timeout_ms\":60000,"
	" \"inherit_env\":true},"
	"{\"namespace\":\"t\",\"name\":\"pwd\",\"description\":\"pwd\"," NOARGS
	" \"command\":[\"pwd\"],\"stdin\":\"none\",\"timeout_ms\":60000,"
	" \"cwd\":\"/tmp\"},"
	"{\"namespace\":\"t\",\"name\":\"missing\",\"description\":\"x\"," NOARGS
	" \"command\":[\"no-such-program-tx\"],\"stdin\":\"none\","
	" \"timeout_ms\":60000},"
	"{\"namespace\":\"t\",\"name\":\"missing_path\",\"description\":\"x\"," NOARGS
	" \"command\":[\"/nonexistent/prog\"],\"stdin\":\"none\","
	" \"timeout_ms\":60000},"
	"{\"namespace\":\"t\",\"name\":\"bad_cwd\",\"description\":\"x\"," NOARGS
	" \"command\":[\"true\"],\"stdin\":\"none\",\"timeout_ms\":60000,"
	" \"cwd\":\"/nonexistent/dir\"}"
	"]}";

static int count_entries(const char *path);

static int setup(void **state)
{
	struct tx_engine_options opts = { 0 };
	char path[128], err[512];
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/txexecXXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/tools.json", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(tools_json, f);
	fclose(f);
	opts.config_dir = dir;
	engine = tx_engine_new(&opts, err, sizeof(err));
	if (!engine) {
		fprintf(stderr, "engine: %s\n", err);
		return -1;
	}
	idle_threads = count_entries("/proc/self/task");
	return 0;
}

static void rm_dir(const char *d)
{
	char *argv[] = { "rm", "-rf", NULL, NULL };
	pid_t pid;

	argv[2] = (char *)d;
	pid = fork();
	if (pid == 0) {
		execvp("rm", argv);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static int teardown(void **state)
{
	(void)state;
	tx_engine_free(engine);
	rm_dir(dir);
	return 0;
}

/* Calls and waits; returns the job (unref it). */
static struct tx_job *call_in(struct tx_engine *e, const char *id,
			      const char *args)
{
	char err[512] = "";
	struct tx_job *job =
		tx_engine_call(e, id, args, NULL, err, sizeof(err));

	if (!job)
		fail_msg("call %s: %s", id, err);
	assert_int_equal(tx_job_wait(job, TEST_WAIT_MS), 0);
	return job;
}

static struct tx_job *call(const char *id, const char *args)
{
	return call_in(engine, id, args);
}

/* `result` text; the engine ends it with a newline when the tool's
 * output has none. */
static const char *result(struct tx_job *job)
{
	size_t len;
	const char *r = tx_job_result_text(job, &len);

	return r ? r : "";
}

/* The state letter of pid ('R', 'S', 'Z'...) and its parent, from
 * /proc; 0 when there is no such process. */
static char proc_state(pid_t pid, pid_t *ppid)
{
	char path[64], buf[512];
	char state = 0;
	FILE *f;
	char *p;
	int pp = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL; /* the name may hold spaces */
	if (!p || sscanf(p + 1, " %c %d", &state, &pp) != 2)
		return 0;
	if (ppid)
		*ppid = pp;
	return state;
}

/*
 * A child of ours has been reaped: no such process any more.  A zombie
 * still exists (kill(pid, 0) succeeds on it) until its parent, the
 * engine, collects it with waitpid.
 */
static bool reaped(pid_t pid)
{
	return kill(pid, 0) < 0 && errno == ESRCH;
}

/* A process the program started (a grandchild of ours) has ended: gone,
 * or a zombie that its new parent (init), not the engine, collects. */
static bool ended(pid_t pid)
{
	pid_t ppid = 0;
	char st = proc_state(pid, &ppid);

	return st == 0 || ((st == 'Z' || st == 'X') && ppid != getpid());
}

/* No child of this process is a zombie: every one that ended was
 * collected. */
static bool no_zombie_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	bool none = true;

	if (!d)
		return false;
	while (none && (de = readdir(d))) {
		pid_t ppid = 0;
		char st;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		st = proc_state((pid_t)atoi(de->d_name), &ppid);
		none = !(ppid == getpid() && (st == 'Z' || st == 'X'));
	}
	closedir(d);
	return none;
}

/* pids[0..n-2] were started by the program, pids[n-1] is the program
 * itself (the engine's child): all ended, the program reaped, and no
 * zombie of ours left behind. */
static void assert_all_gone(const pid_t *pids, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		assert_eventually(ended(pids[i]));
	assert_eventually(reaped(pids[n - 1]));
	assert_eventually(no_zombie_children());
}

static size_t read_pids(const char *file, pid_t *pids, size_t max)
{
	FILE *f = fopen(file, "r");
	size_t n = 0;
	int p;

	if (!f)
		return 0;
	while (n < max && fscanf(f, "%d", &p) == 1)
		pids[n++] = p;
	fclose(f);
	return n;
}

/* ------------------------------------------------------------------ */

static void test_success(void **state)
{
	struct tx_job *job;

	(void)state;
	job = call("t:echo", "{\"text\":\"hello world\"}");
	assert_int_equal(tx_job_state(job), TX_JOB_OK);
	assert_int_equal(tx_job_errno(job), 0);
	assert_string_equal(result(job), "hello world\n");
	tx_job_unref(job);
}

static void test_json_stdout_is_structured(void **state)
{
	struct tx_job *job;
	const char *env;
	size_t len;

	(void)state;
	job = call("t:sh", "{\"script\":\"printf '{\\\"a\\\": [1, 2]}'\"}");
	assert_int_equal(tx_job_state(job), TX_JOB_OK);
	env = tx_job_envelope_text(job, &len);
	assert_non_null(strstr(env, "structuredContent"));
	assert_non_null(strstr(result(job), "\"a\""));
	tx_job_unref(job);

	/* Not JSON: text only. */
	job = call("t:echo", "{\"text\":\"{not json\"}");
	env = tx_job_envelope_text(job, &len);
	assert_null(strstr(env, "structuredContent\": {"));
	assert_null(strstr(env, "structuredContent\":{"));
	tx_job_unref(job);
}

static void test_nonzero_exit(void **state)
{
	struct tx_job *job;

	(void)state;
	job = call("t:sh", "{\"script\":\"echo partial; echo oops >&2; "
			   "exit 3\"}");
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	/* It ran and failed: the content is readable. */
	assert_int_equal(tx_job_errno(job), 0);
	assert_non_null(strstr(result(job), "oops"));
	assert_non_null(strstr(result(job), "partial"));
	assert_non_null(strstr(result(job), "exit status 3"));
	assert_non_null(
		strstr(tx_job_envelope_text(job, NULL), "\"isError\": true"));
	tx_job_unref(job);
}

static void test_killed_by_signal(void **state)
{
	struct tx_job *job;

	(void)state;
	job = call("t:sh", "{\"script\":\"kill -SEGV $$\"}");
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	assert_non_null(strstr(result(job), "killed by signal SIGSEGV"));
	tx_job_unref(job);
}

/* A timeout ends the program and what it started, even when it ignores
 * SIGTERM. */
static void test_timeout_kills_group(void **state)
{
	char pidfile[128], args[512];
	struct tx_job *job;
	pid_t pids[4];
	size_t n;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/pids", dir);
	snprintf(
		args, sizeof(args),
		"{\"script\":\"trap '' TERM; sleep 100 & echo $! > \\\"$1\\\"; "
		"sh -c 'trap \\\"\\\" TERM; sleep 100' & echo $! >> \\\"$1\\\"; "
		"echo $$ >> \\\"$1\\\"; wait\",\"x\":\"%s\"}",
		pidfile);
	job = call("t:sh_short", args);
	assert_int_equal(tx_job_state(job), TX_JOB_TIMEOUT);
	assert_int_equal(tx_job_errno(job), ETIMEDOUT);
	n = read_pids(pidfile, pids, 4);
	assert_int_equal(n, 3);
	assert_all_gone(pids, n);
	tx_job_unref(job);
}

static void test_cancel(void **state)
{
	char pidfile[128], args[512], err[256];
	struct tx_job *job;
	pid_t pids[4];
	size_t n = 0;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/cpids", dir);
	snprintf(args, sizeof(args),
		 "{\"script\":\"sleep 100 & echo $! > \\\"$1\\\"; "
		 "echo $$ >> \\\"$1\\\"; wait\",\"x\":\"%s\"}",
		 pidfile);
	job = tx_engine_call(engine, "t:sh", args, NULL, err, sizeof(err));
	assert_non_null(job);
	assert_eventually((n = read_pids(pidfile, pids, 4)) == 2);
	assert_int_equal(tx_job_cancel(job), 0);
	assert_int_equal(tx_job_state(job), TX_JOB_CANCELLED);
	assert_all_gone(pids, n);
	tx_job_unref(job);
}

static void test_output_caps(void **state)
{
	struct tx_job *job;
	char buf[4096];
	bool eof = false;
	size_t got = 0, n;
	const char *e;

	(void)state;
	/* Endless output: stopped at the cap, a clear failure. */
	job = call("t:sh", "{\"script\":\"yes\"}");
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	assert_int_equal(tx_job_errno(job), EFBIG);
	e = tx_job_error_text(job, NULL);
	assert_non_null(strstr(e, "max_output_bytes"));
	while ((n = tx_job_stream_read(job, got, buf, sizeof(buf), &eof)) > 0)
		got += n;
	assert_true(got >= 1000); /* the first 1000 bytes, then a note */
	tx_job_unref(job);

	/* Chatty standard error: cut with a note, never blocking. */
	job = call("t:sh", "{\"script\":\"i=0; while [ $i -lt 200 ]; do "
			   "echo errorline >&2; i=$((i+1)); done; exit 1\"}");
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	assert_non_null(strstr(result(job), "standard error cut"));
	assert_non_null(strstr(result(job), "exit status 1"));
	tx_job_unref(job);
}

/* No shell: these are bytes handed to echo, nothing more. */
static void test_arguments_stay_inert(void **state)
{
	static const char *const evil[] = {
		"$(touch %s/pwned)",   "; touch %s/pwned",
		"`touch %s/pwned`",    "| touch %s/pwned",
		"&& touch %s/pwned #", "'\"; touch %s/pwned",
	};
	char text[256], args[512], want[300], pwned[128];

	(void)state;
	snprintf(pwned, sizeof(pwned), "%s/pwned", dir);
	for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		struct tx_job *job;
		char *q = args;

		snprintf(text, sizeof(text), evil[i], dir);
		q += snprintf(q, sizeof(args), "{\"text\":\"");
		for (const char *p = text; *p; p++) {
			if (*p == '"' || *p == '\\')
				*q++ = '\\';
			*q++ = *p;
		}
		memcpy(q, "\"}", 3);
		job = call("t:echo", args);
		assert_int_equal(tx_job_state(job), TX_JOB_OK);
		snprintf(want, sizeof(want), "%s\n", text);
		assert_string_equal(result(job), want);
		tx_job_unref(job);
	}
	{
		struct tx_job *job =
			call("t:echo", "{\"text\":\"; rm -rf ~\"}");

		assert_string_equal(result(job), "; rm -rf ~\n");
		tx_job_unref(job);
	}
	assert_int_equal(access(pwned, F_OK), -1);
}

static void test_placeholder_values(void **state)
{
	struct tx_job *job;

	(void)state;
	/* Types: strings as-is, other values as compact JSON; an absent
	 * optional argument drops its element; defaults apply. */
	job = call("t:args", "{\"a\":\"x y\",\"b\":5,\"c\":{\"k\":[1,true]}}");
	assert_string_equal(result(job),
			    "[x y][5][{\"k\":[1,true]}][dflt][7]\n");
	tx_job_unref(job);
	job = call("t:args", "{\"b\":false,\"d\":\"given\",\"n\":null}");
	assert_string_equal(result(job), "[false][given][7]\n");
	tx_job_unref(job);
	job = call("t:args", "{\"a\":\"\"}");
	assert_string_equal(result(job), "[][dflt][7]\n");
	tx_job_unref(job);
}

static void test_stdin_modes(void **state)
{
	struct tx_job *job;

	(void)state;
	job = call("t:cat_json", "{\"k\": \"v\"}");
	assert_string_equal(result(job), "{\"k\": \"v\"}\n");
	tx_job_unref(job);
	job = call("t:cat_text", "{\"text\":\"line1\\nline2\\n\"}");
	assert_string_equal(result(job), "line1\nline2\n");
	tx_job_unref(job);
	job = call("t:cat_text", "{}");
	assert_string_equal(result(job), "");
	assert_int_equal(tx_job_state(job), TX_JOB_OK);
	tx_job_unref(job);
}

static void test_env_and_cwd(void **state)
{
	struct tx_job *job;

	(void)state;
	setenv("TX_TEST_SECRET", "s3cret", 1);
	job = call("t:env", "{}");
	assert_non_null(strstr(result(job), "MINE=yes"));
	assert_non_null(strstr(result(job), "PATH="));
	assert_null(strstr(result(job), "TX_TEST_SECRET"));
	tx_job_unref(job);
	job = call("t:env_all", "{}");
	assert_non_null(strstr(result(job), "TX_TEST_SECRET=s3cret"));
	tx_job_unref(job);
	unsetenv("TX_TEST_SECRET");
	job = call("t:pwd", "{}");
	assert_string_equal(result(job), "/tmp\n");
	tx_job_unref(job);
}

static void test_exec_failures(void **state)
{
	struct tx_job *job;

	(void)state;
	job = call("t:missing", "{}");
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	assert_int_equal(tx_job_errno(job), EIO);
	assert_non_null(strstr(tx_job_error_text(job, NULL),
			       "\"no-such-program-tx\": command not found"));
	tx_job_unref(job);
	job = call("t:missing_path", "{}");
	assert_int_equal(tx_job_errno(job), EIO);
	assert_non_null(
		strstr(tx_job_error_text(job, NULL),
		       "cannot run \"/nonexistent/prog\": No such file"));
	tx_job_unref(job);
	job = call("t:bad_cwd", "{}");
	assert_int_equal(tx_job_errno(job), EIO);
	assert_non_null(
		strstr(tx_job_error_text(job, NULL),
		       "cannot change to directory \"/nonexistent/dir\""));
	tx_job_unref(job);
}

static void test_streaming_and_utf8(void **state)
{
	char err[256], buf[256], go[128], args[512];
	struct tx_job *job;
	bool eof = false;
	size_t n = 0;
	FILE *f;

	(void)state;
	/* The program prints "second" only once the test has seen "first"
	 * in the stream and says go. */
	snprintf(go, sizeof(go), "%s/go", dir);
	snprintf(args, sizeof(args),
		 "{\"script\":\"echo first; while [ ! -e \\\"$1\\\" ]; do "
		 "sleep 0.01; done; echo second\",\"x\":\"%s\"}",
		 go);
	job = tx_engine_call(engine, "t:sh", args, NULL, err, sizeof(err));
	assert_non_null(job);
	assert_eventually((n = tx_job_stream_read(job, 0, buf, sizeof(buf) - 1,
						  &eof)) > 0);
	assert_int_equal(n, 6);
	assert_memory_equal(buf, "first\n", 6);
	assert_false(eof);
	assert_false(tx_job_state_final(tx_job_state(job)));
	f = fopen(go, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(tx_job_wait(job, TEST_WAIT_MS), 0);
	assert_string_equal(result(job), "first\nsecond\n");
	tx_job_unref(job);
	unlink(go);

	/* Bytes that are not UTF-8 become U+FFFD. */
	job = call("t:sh", "{\"script\":\"printf 'a\\\\377b'\"}");
	assert_string_equal(result(job), "a\xEF\xBF\xBD"
					 "b\n");
	tx_job_unref(job);
}

/* Many calls at once: each gets its own output, none mixes. */
static void test_concurrent_calls(void **state)
{
	struct tx_job *jobs[24];
	char args[64], want[64], err[256];

	(void)state;
	for (int i = 0; i < 24; i++) {
		snprintf(args, sizeof(args), "{\"text\":\"call %d\"}", i);
		jobs[i] = tx_engine_call(engine, "t:echo", args, NULL, err,
					 sizeof(err));
		assert_non_null(jobs[i]);
	}
	for (int i = 0; i < 24; i++) {
		assert_int_equal(tx_job_wait(jobs[i], TEST_WAIT_MS), 0);
		snprintf(want, sizeof(want), "call %d\n", i);
		assert_string_equal(result(jobs[i]), want);
		tx_job_unref(jobs[i]);
	}
}

static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

#define MAX_TASKS 256

/* The thread IDs of this process; returns how many (at most max). */
static size_t task_ids(pid_t *ids, size_t max)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && n < max)
			ids[n++] = (pid_t)atoi(de->d_name);
	closedir(d);
	return n;
}

/* Every thread of the process is one of base[0..n): any thread started
 * since has ended. */
static bool only_threads_of(const pid_t *base, size_t n)
{
	pid_t now[MAX_TASKS];
	size_t k = task_ids(now, MAX_TASKS);

	for (size_t i = 0; i < k; i++) {
		bool known = false;

		for (size_t j = 0; j < n && !known; j++)
			known = now[i] == base[j];
		if (!known)
			return false;
	}
	return true;
}

/*
 * Waits until every call thread started since base was taken has ended,
 * makes one more call and waits for its thread too.  Then each earlier
 * call has been joined, its descriptors closed, and only the last
 * call's bookkeeping stays until the next start: the same state,
 * whatever ran before.
 */
static void quiesce(struct tx_engine *e, const pid_t *base, size_t n)
{
	char err[256];
	struct tx_job *job;

	assert_eventually(only_threads_of(base, n));
	job = tx_engine_call(e, "t:echo", "{\"text\":\"q\"}", NULL, err,
			     sizeof(err));
	assert_non_null(job);
	assert_int_equal(tx_job_wait(job, TEST_WAIT_MS), 0);
	tx_job_unref(job);
	assert_eventually(only_threads_of(base, n));
}

/* Calls of every kind leave no descriptor open behind them. */
static void test_no_fd_leaks(void **state)
{
	static const char *const calls[][2] = {
		{ "t:echo", "{\"text\":\"x\"}" },
		{ "t:cat_text", "{\"text\":\"x\"}" },
		{ "t:cat_json", "{}" },
		{ "t:missing", "{}" },
		{ "t:bad_cwd", "{}" },
		{ "t:sh", "{\"script\":\"exit 2\"}" },
		{ "t:sh", "{\"script\":\"yes\"}" },
	};
	struct tx_engine_options opts = { .config_dir = dir };
	pid_t base[MAX_TASKS];
	char err[512];
	struct tx_engine *e;
	size_t nbase;
	int before;

	(void)state;
	/* The call threads of earlier tests have ended (they may still
	 * have been closing their descriptors), then an engine of its own:
	 * the threads there are now are all that run when it is idle. */
	assert_eventually(count_entries("/proc/self/task") == idle_threads);
	e = tx_engine_new(&opts, err, sizeof(err));
	assert_non_null(e);
	nbase = task_ids(base, MAX_TASKS);
	/* One round first, so lazily opened descriptors are counted. */
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		tx_job_unref(call_in(e, calls[i][0], calls[i][1]));
	quiesce(e, base, nbase);
	before = count_entries("/proc/self/fd");
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
			tx_job_unref(call_in(e, calls[i][0], calls[i][1]));
	quiesce(e, base, nbase);
	assert_int_equal(count_entries("/proc/self/fd"), before);
	tx_engine_free(e);
}

/* Freeing the engine ends the calls in flight and their children. */
static void test_engine_free_ends_children(void **state)
{
	char pidfile[128], args[512], err[512];
	struct tx_engine_options opts = { .config_dir = dir };
	struct tx_engine *e = tx_engine_new(&opts, err, sizeof(err));
	struct tx_job *job;
	pid_t pids[4];
	size_t n = 0;

	(void)state;
	assert_non_null(e);
	snprintf(pidfile, sizeof(pidfile), "%s/fpids", dir);
	snprintf(args, sizeof(args),
		 "{\"script\":\"sleep 100 & echo $! > \\\"$1\\\"; "
		 "echo $$ >> \\\"$1\\\"; wait\",\"x\":\"%s\"}",
		 pidfile);
	job = tx_engine_call(e, "t:sh", args, NULL, err, sizeof(err));
	assert_non_null(job);
	assert_eventually((n = read_pids(pidfile, pids, 4)) == 2);
	tx_job_unref(job);
	tx_engine_free(e);
	assert_all_gone(pids, n);
}

/* Every shipped example tool runs and says something sensible. */
static void test_default_examples(void **state)
{
	struct tx_engine_options opts = { .config_dir = TOP_SRCDIR
					  "/mountpoint-examples/default" };
	char err[512], path[128], args[256];
	struct tx_engine *e = tx_engine_new(&opts, err, sizeof(err));
	static const struct {
		const char *id, *args, *expect;
	} cases[] = {
		{ "local:date", "{}", "-" },
		{ "local:date", "{\"format\":\"+%Y\"}", "20" },
		{ "local:uname", "{}", "Linux" },
		{ "local:disk_usage", "{\"path\":\"/\"}", "Size" },
		{ "local:word_count", "{\"text\":\"one two\\nthree\\n\"}",
		  "2" },
		{ "local:sha256", "{\"text\":\"abc\"}",
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "local:sort_lines", "{\"text\":\"b\\na\\nC\\n\"}",
		  "C\na\nb\n" },
		{ "local:base64", "{\"text\":\"hello\"}", "aGVsbG8=" },
		{ "local:list_directory", "{\"path\":\"/\"}", "tmp" },
		{ "local:file_info", "{\"path\":\"/tmp\"}", "\"directory\"" },
		{ "local:file_head", "{\"path\":\"%s\",\"lines\":2}",
		  "one\ntwo\n" },
		{ "local:file_head", "{\"path\":\"%s\"}", "three\n" },
	};
	FILE *f;

	(void)state;
	assert_non_null(e);
	snprintf(path, sizeof(path), "%s/lines.txt", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("one\ntwo\nthree\n", f);
	fclose(f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tx_job *job;
		const char *r;

		/* Only the file_head cases take the path ("%s"). */
		if (strstr(cases[i].args, "%s"))
			snprintf(args, sizeof(args), cases[i].args, path);
		else
			snprintf(args, sizeof(args), "%s", cases[i].args);
		job = tx_engine_call(e, cases[i].id, args, NULL, err,
				     sizeof(err));
		if (!job)
			fail_msg("%s: %s", cases[i].id, err);
		assert_int_equal(tx_job_wait(job, TEST_WAIT_MS), 0);
		r = tx_job_result_text(job, NULL);
		if (tx_job_state(job) != TX_JOB_OK || !r ||
		    !strstr(r, cases[i].expect))
			fail_msg("%s %s: state %s, result [%s], error [%s]",
				 cases[i].id, args,
				 tx_job_state_name(tx_job_state(job)),
				 r ? r : "", tx_job_error_text(job, NULL));
		if (!strcmp(cases[i].id, "local:file_info"))
			assert_non_null(strstr(tx_job_envelope_text(job, NULL),
					       "structuredContent"));
		tx_job_unref(job);
	}
	/* An option-like value is an operand after "--", never an option. */
	{
		struct tx_job *job = tx_engine_call(e, "local:list_directory",
						    "{\"path\":\"--version\"}",
						    NULL, err, sizeof(err));

		assert_non_null(job);
		assert_int_equal(tx_job_wait(job, TEST_WAIT_MS), 0);
		assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
		assert_non_null(
			strstr(tx_job_result_text(job, NULL), "--version"));
		tx_job_unref(job);
	}
	tx_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success),
		cmocka_unit_test(test_json_stdout_is_structured),
		cmocka_unit_test(test_nonzero_exit),
		cmocka_unit_test(test_killed_by_signal),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_output_caps),
		cmocka_unit_test(test_arguments_stay_inert),
		cmocka_unit_test(test_placeholder_values),
		cmocka_unit_test(test_stdin_modes),
		cmocka_unit_test(test_env_and_cwd),
		cmocka_unit_test(test_exec_failures),
		cmocka_unit_test(test_streaming_and_utf8),
		cmocka_unit_test(test_concurrent_calls),
		cmocka_unit_test(test_no_fd_leaks),
		cmocka_unit_test(test_engine_free_ends_children),
		cmocka_unit_test(test_default_examples),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
