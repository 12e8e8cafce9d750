/*
 * test_code.c - code runs through the engine, with the real sandbox
 * helper: "codeProfiles" in the configuration (parsing, errors, merging
 * across files, reload), runs that print to both streams and exit 3,
 * time out, are cancelled (as jobs and as runs), never start, hand back
 * /work; and the tool calls a run makes: counted against
 * max_tool_calls (the one past it refused with EDQUOT and listed),
 * refused for a run that is gone, and timed apart (tool_wait_ms).
 *
 * Every wait is on an event (a run listener) with a generous bound;
 * nothing sleeps to let a script get somewhere.  standard and hardened
 * runs need root (each run gets a uid and a tmpfs of its own), as in
 * tests/sandbox/lib.sh; the dev run does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "toolexecfs/toolexec.h"
#include "util/jsonu.h"

#define WAIT_MS 60000

static char dir[64];
static char helper[PATH_MAX];

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void remove_file(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static int setup(void **state)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	(void)state;
	if (n < 0)
		return -1;
	self[n] = '\0';
	/* build/tests/test_code -> build/toolexec-sandbox */
	slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(helper, sizeof(helper), "%s/../toolexec-sandbox", self);
	if (access(helper, X_OK) < 0) {
		fprintf(stderr, "the sandbox helper is not built: %s\n",
			helper);
		return -1;
	}
	snprintf(dir, sizeof(dir), "/tmp/txcodeXXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	remove_file("a.json");
	remove_file("b.json");
	rmdir(dir);
	return 0;
}

static struct tx_engine *engine_with(const char *config)
{
	struct tx_engine_options opts = { 0 };
	struct tx_engine *e;
	char err[512];

	remove_file("a.json");
	if (config)
		write_file("a.json", config);
	opts.config_dir = dir;
	opts.sandbox_helper = helper;
	e = tx_engine_new(&opts, err, sizeof(err));
	if (!e)
		fail_msg("engine: %s", err);
	return e;
}

static void need_root(void)
{
	if (geteuid() != 0)
		skip(); /* the sandbox maps runs to uids of their own */
}

struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool woken;
};

static void on_event(struct tx_run *run, void *ctx)
{
	struct waiter *w = ctx;

	(void)run;
	pthread_mutex_lock(&w->lock);
	w->woken = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/*
 * Waits until part of run is longer than off (UINT64_MAX: until the run
 * ends), at most WAIT_MS.  true when that happened.
 */
static bool wait_run(struct tx_run *run, enum tx_run_part part, uint64_t off)
{
	struct waiter w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			    false };
	struct timespec ts;
	uint64_t id;
	bool ok;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += WAIT_MS / 1000;
	id = tx_run_listen(run, part, off, on_event, &w);
	if (id) {
		pthread_mutex_lock(&w.lock);
		while (!w.woken &&
		       pthread_cond_timedwait(&w.cond, &w.lock, &ts) == 0)
			;
		pthread_mutex_unlock(&w.lock);
		tx_run_unlisten(run, id);
	}
	ok = off == UINT64_MAX
		     ? tx_run_ended(run)
		     : tx_run_size(run, part) > off || tx_run_ended(run);
	return ok;
}

/* The whole of a part, NUL-terminated (static buffer). */
static const char *part_text(struct tx_run *run, enum tx_run_part part)
{
	static char buf[65536];
	uint64_t off = 0;
	bool eof;
	size_t n;

	while ((n = tx_run_read(run, part, off, buf + off,
				sizeof(buf) - 1 - off, &eof)) > 0)
		off += n;
	buf[off] = '\0';
	return buf;
}

static struct json_object *result_of(struct tx_run *run)
{
	size_t len;
	const char *t = tx_run_result_text(run, &len);
	struct json_object *o;
	char err[256];

	assert_non_null(t);
	o = tx_json_parse(t, len, 16, err, sizeof(err));
	if (!o)
		fail_msg("result: %s: %s", err, t);
	return o;
}

static struct json_object *field(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("result has no \"%s\"", key);
	return v;
}

static const char *field_text(struct json_object *o, const char *key)
{
	return json_object_to_json_string_ext(field(o, key),
					      JSON_C_TO_STRING_PLAIN);
}

static struct tx_run *start(struct tx_engine *e, const char *profile,
			    const char *name, const char *script)
{
	struct tx_caller who = { .uid = getuid(), .pid = getpid() };
	struct tx_run *run;
	char err[512];

	run = tx_engine_code_start(e, profile, name, script, strlen(script),
				   NULL, 0, &who, NULL, err, sizeof(err));
	if (!run)
		fail_msg("start %s: %s", name, err);
	return run;
}

/* ------------------------------------------------------------------ */
/* "codeProfiles" in the configuration                                  */

static void config_fails(const char *doc, const char *want)
{
	struct tx_config_file *cf = NULL;
	char err[1024];

	if (!tx_config_parse_buffer("c.json", doc, strlen(doc), &cf, err,
				    sizeof(err))) {
		tx_config_file_free(cf);
		fail_msg("parsed: %s", doc);
	}
	if (strcmp(err, want))
		fail_msg("error\n  [%s]\nexpected\n  [%s]", err, want);
}

static void test_config_parse(void **state)
{
	struct tx_config_file *cf = NULL;
	char err[1024];

	(void)state;
	static const char doc[] = "{\"codeProfiles\": {\"ci\": {\"base\": "
				  "\"standard\", \"timeout_ms\": 60000}}}";

	assert_int_equal(tx_config_parse_buffer("c.json", doc, sizeof(doc) - 1,
						&cf, err, sizeof(err)),
			 0);
	assert_string_equal(
		cf->code_profiles,
		"{\"ci\":{\"base\":\"standard\",\"timeout_ms\":60000}}");
	tx_config_file_free(cf);
	/* A file without the key has none. */
	assert_int_equal(tx_config_parse_buffer("c.json", "{}", 2, &cf, err,
						sizeof(err)),
			 0);
	assert_null(cf->code_profiles);
	tx_config_file_free(cf);

	config_fails("{\"codeProfiles\": 5}",
		     "c.json: $.codeProfiles: expected an object of profiles "
		     "(name -> settings), got int");
	config_fails("{\"codeProfiles\": {\"ci\": {\"base\": \"standard\", "
		     "\"timeout_ms\": 0}}}",
		     "c.json: $.codeProfiles.ci.timeout_ms: out of range "
		     "(1 to 86400000)");
	config_fails("{\"codeProfiles\": {\"ci\": {\"timeout_ms\": 5}}}",
		     "c.json: $.codeProfiles.ci: needs a \"base\" (dev, "
		     "standard, hardened or another profile)");
	config_fails("{\"codeProfiles\": {\"standard\": {\"timout_ms\": 5}}}",
		     "c.json: $.codeProfiles.standard: unknown key "
		     "\"timout_ms\"");
	config_fails("{\"codeProfiles\": {\"dev\": {\"enabled\": \"yes\"}}}",
		     "c.json: $.codeProfiles.dev.enabled: expected true or "
		     "false");
	config_fails("{\"codeProfiles\": {\"x\": {\"base\": \"mine\"}}}",
		     "c.json: $.codeProfiles.x.base: no profile \"mine\"");
	config_fails("{\"codeProfile\": {}}",
		     "c.json: $.codeProfile: unknown key (did you mean "
		     "\"codeProfiles\"?)");
}

static void assert_profiles(struct tx_engine *e, const char *want)
{
	char **names, got[512] = "";
	size_t n = tx_engine_code_profiles(e, &names);

	for (size_t i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? " " : "", names[i]);
	tx_strv_free(names, n);
	assert_string_equal(got, want);
}

static void assert_profile_key(struct tx_engine *e, const char *profile,
			       const char *key, const char *want)
{
	char *t = tx_engine_code_profile_text(e, profile), err[256];
	struct json_object *o;

	assert_non_null(t);
	o = tx_json_parse(t, strlen(t), 8, err, sizeof(err));
	assert_non_null(o);
	assert_string_equal(field_text(o, key), want);
	json_object_put(o);
	free(t);
}

static void test_config_engine(void **state)
{
	struct tx_engine *e;
	uint64_t gen;
	char *status, want[512];

	(void)state;
	/* The defaults: standard and hardened, not dev. */
	e = engine_with(NULL);
	assert_profiles(e, "standard hardened");
	assert_profile_key(e, "dev", "enabled", "false");
	assert_null(tx_engine_code_profile_text(e, "nope"));
	assert_int_equal(errno, ENOENT);
	tx_engine_free(e);

	/* Two files: a profile set in both is taken from the first (in
	 * name order); a base is resolved on the merged set. */
	write_file("b.json",
		   "{\"codeProfiles\": {\"ci\": {\"base\": \"hardened\"}, "
		   "\"zz\": {\"base\": \"ci\", \"cpu\": 7}}}");
	e = engine_with(
		"{\"codeProfiles\": {\"dev\": {\"enabled\": true}, "
		"\"ci\": {\"base\": \"standard\", \"timeout_ms\": 60000, "
		"\"max_tool_calls\": 500}}}");
	assert_profiles(e, "dev standard hardened ci zz");
	assert_profile_key(e, "ci", "kind", "\"standard\"");
	assert_profile_key(e, "ci", "max_tool_calls", "500");
	assert_profile_key(e, "zz", "timeout_ms", "60000");
	assert_profile_key(e, "zz", "cpu", "7");

	/* A change applies at the reload; a bad edit keeps the last good. */
	gen = tx_engine_code_generation(e);
	write_file("a.json",
		   "{\"codeProfiles\": {\"hardened\": {\"enabled\": false}}}");
	assert_int_equal(tx_engine_reload(e), 0);
	assert_profiles(e, "standard ci zz");
	assert_true(tx_engine_code_generation(e) > gen);
	assert_profile_key(e, "ci", "kind", "\"hardened\"");
	gen = tx_engine_code_generation(e);
	write_file("a.json",
		   "{\"codeProfiles\": {\"hardened\": {\"enabled\": 1}}}");
	assert_int_equal(tx_engine_reload(e), 0);
	assert_profiles(e, "standard ci zz");
	assert_int_equal(tx_engine_code_generation(e), gen);
	status = tx_engine_status_text(e);
	snprintf(want, sizeof(want),
		 "file a.json error (last good version in "
		 "use): %s/a.json: $.codeProfiles.hardened.enabled: expected "
		 "true or false\n",
		 dir);
	if (!strstr(status, want))
		fail_msg("status\n%s\nhas no line\n%s", status, want);
	free(status);
	/* An unchanged reload changes nothing. */
	assert_int_equal(tx_engine_reload(e), 0);
	assert_int_equal(tx_engine_code_generation(e), gen);
	tx_engine_free(e);
	remove_file("b.json");
}

/* ------------------------------------------------------------------ */
/* Runs                                                                 */

static void test_run_exit3(void **state)
{
	struct tx_engine *e;
	struct tx_run *run, *found;
	struct json_object *o;
	const char *text;
	char id[32];
	size_t len;

	(void)state;
	need_root();
	e = engine_with(NULL);
	run = start(e, "standard", "job.sh",
		    "echo to stdout\necho to stderr >&2\nprintf 'no newline'\n"
		    "exit 3\n");
	snprintf(id, sizeof(id), "%s", tx_run_id(run));
	/* The run is a job, listed, of the pseudo tool code:PROFILE. */
	assert_string_equal(tx_job_id(tx_run_job(run)), id);
	assert_string_equal(tx_job_tool_id(tx_run_job(run)), "code:standard");
	found = tx_engine_run_find(e, id);
	assert_ptr_equal(found, run);
	tx_run_unref(found);
	assert_true(tx_run_uid(run) >= 0x70000000u);

	assert_true(wait_run(run, TX_RUN_RESULT, UINT64_MAX));
	assert_string_equal(part_text(run, TX_RUN_STDOUT),
			    "to stdout\nno newline");
	assert_string_equal(part_text(run, TX_RUN_STDERR), "to stderr\n");
	o = result_of(run);
	assert_string_equal(field_text(o, "exit_code"), "3");
	assert_string_equal(field_text(o, "signal"), "0");
	assert_string_equal(field_text(o, "timed_out"), "false");
	assert_string_equal(field_text(o, "cancelled"), "false");
	assert_string_equal(field_text(o, "limits_hit"), "[]");
	assert_string_equal(field_text(o, "tool_calls"), "[]");
	assert_string_equal(field_text(o, "tool_wait_ms"), "0");
	assert_string_equal(field_text(o, "tool_calls_refused"), "0");
	assert_string_equal(field_text(o, "profile"), "\"standard\"");
	assert_string_equal(field_text(o, "name"), "\"job.sh\"");
	assert_string_equal(field_text(o, "language"), "\"shell\"");
	assert_string_equal(json_object_get_string(field(o, "job")), id);
	assert_string_equal(field_text(o, "stdout_bytes"), "20");
	assert_string_equal(field_text(o, "stderr_bytes"), "10");
	assert_string_equal(field_text(o, "error"), "null");
	assert_true(json_object_get_int(field(o, "duration_ms")) >= 0);
	json_object_put(o);

	/* The job: error (a status other than 0), its result one line, its
	 * stream both outputs, its args what ran. */
	assert_int_equal(tx_job_wait(tx_run_job(run), WAIT_MS), 0);
	assert_int_equal(tx_job_state(tx_run_job(run)), TX_JOB_ERROR);
	text = tx_job_result_text(tx_run_job(run), &len);
	assert_string_equal(text, "exit status 3\n");
	assert_string_equal(tx_job_args_text(tx_run_job(run)),
			    "{\"profile\":\"standard\",\"name\":\"job.sh\","
			    "\"bytes\":61,\"args\":[]}");
	{
		char buf[4096];
		bool eof;
		size_t n = tx_job_stream_read(tx_run_job(run), 0, buf,
					      sizeof(buf) - 1, &eof);

		buf[n] = '\0';
		assert_non_null(strstr(buf, "to stdout\n"));
		assert_non_null(strstr(buf, "to stderr\n"));
	}
	tx_run_unref(run);
	tx_engine_free(e);
}

static void test_run_streams_and_work(void **state)
{
	struct tx_engine *e;
	struct tx_run *run;
	struct json_object *o;
	char buf[64];
	bool eof;
	int fd;
	ssize_t n;

	(void)state;
	need_root();
	e = engine_with(NULL);
	/* The script waits for a file the test makes in its /work once it
	 * has seen the first line: the streams are readable while it runs. */
	run = start(e, "standard", "w.sh",
		    "echo first\nwhile [ ! -e /work/go ]; do sleep 0.05; done\n"
		    "echo handed back > /work/out.txt\n"
		    "ln -s /etc/passwd /work/link\necho second\n");
	assert_true(wait_run(run, TX_RUN_STDOUT, 0));
	assert_false(tx_run_ended(run));
	assert_int_equal(
		tx_run_read(run, TX_RUN_STDOUT, 0, buf, sizeof(buf), &eof), 6);
	assert_false(eof);
	assert_int_equal(
		tx_run_read(run, TX_RUN_RESULT, 0, buf, sizeof(buf), &eof), 0);
	assert_false(eof);
	assert_null(tx_run_result_text(run, NULL));
	fd = tx_run_work_open(run, "go", O_WRONLY | O_CREAT);
	assert_true(fd >= 0);
	close(fd);
	assert_true(wait_run(run, TX_RUN_RESULT, UINT64_MAX));
	assert_string_equal(part_text(run, TX_RUN_STDOUT), "first\nsecond\n");
	assert_int_equal(
		tx_run_read(run, TX_RUN_STDOUT, 13, buf, sizeof(buf), &eof), 0);
	assert_true(eof);
	o = result_of(run);
	assert_string_equal(field_text(o, "exit_code"), "0");
	json_object_put(o);
	/* The job ends right after the run (its readers were woken first). */
	assert_int_equal(tx_job_wait(tx_run_job(run), WAIT_MS), 0);
	assert_int_equal(tx_job_state(tx_run_job(run)), TX_JOB_OK);
	/* /work is handed back, and a link in it leads nowhere outside. */
	fd = tx_run_work_open(run, "out.txt", O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, 12);
	assert_memory_equal(buf, "handed back\n", 12);
	assert_int_equal(tx_run_work_open(run, "link", O_RDONLY), -EXDEV);
	assert_int_equal(tx_run_work_open(run, "../etc/passwd", O_RDONLY),
			 -EXDEV);
	tx_run_unref(run);
	tx_engine_free(e);
}

static void test_run_timeout(void **state)
{
	struct tx_engine *e;
	struct tx_run *run;
	struct json_object *o;

	(void)state;
	need_root();
	e = engine_with(
		"{\"codeProfiles\": {\"short\": {\"base\": \"standard\", "
		"\"timeout_ms\": 300}}}");
	run = start(
		e, "short", "t.py",
		"import time\nprint('started', flush=True)\ntime.sleep(30)\n");
	assert_true(wait_run(run, TX_RUN_RESULT, UINT64_MAX));
	o = result_of(run);
	assert_string_equal(field_text(o, "timed_out"), "true");
	assert_string_equal(field_text(o, "limits_hit"), "[\"timeout\"]");
	assert_string_equal(field_text(o, "exit_code"), "-1");
	assert_string_equal(field_text(o, "cancelled"), "false");
	assert_string_equal(field_text(o, "language"), "\"python\"");
	json_object_put(o);
	assert_int_equal(tx_job_wait(tx_run_job(run), WAIT_MS), 0);
	assert_int_equal(tx_job_state(tx_run_job(run)), TX_JOB_TIMEOUT);
	assert_string_equal(tx_job_error_text(tx_run_job(run), NULL),
			    "timeout: the script ran past its timeout (300 ms) "
			    "and was killed\n");
	tx_run_unref(run);
	tx_engine_free(e);
}

struct seen {
	pthread_mutex_t lock;
	int ended, forgotten, profiles;
};

static void on_code(void *ctx, enum tx_code_event ev, struct tx_run *run)
{
	struct seen *s = ctx;

	(void)run;
	pthread_mutex_lock(&s->lock);
	if (ev == TX_CODE_RUN_ENDED)
		s->ended++;
	else if (ev == TX_CODE_RUN_FORGOTTEN)
		s->forgotten++;
	else
		s->profiles++;
	pthread_mutex_unlock(&s->lock);
}

static void test_run_cancel(void **state)
{
	struct seen seen = { PTHREAD_MUTEX_INITIALIZER, 0, 0, 0 };
	struct tx_caller who = { .uid = getuid() };
	struct tx_engine *e;
	struct tx_run *run;
	struct json_object *o;
	char err[256], id[32];

	(void)state;
	need_root();
	e = engine_with(NULL);
	tx_engine_watch_code(e, on_code, &seen);
	/* Cancelled as a job (jobs/ID/cancel): the job at once, the run
	 * when the sandbox is gone. */
	run = start(e, "standard", "c.sh", "echo ready\nsleep 30\n");
	assert_true(wait_run(run, TX_RUN_STDOUT, 0));
	assert_int_equal(tx_job_cancel(tx_run_job(run)), 0);
	assert_int_equal(tx_job_state(tx_run_job(run)), TX_JOB_CANCELLED);
	assert_true(wait_run(run, TX_RUN_RESULT, UINT64_MAX));
	o = result_of(run);
	assert_string_equal(field_text(o, "cancelled"), "true");
	assert_string_equal(field_text(o, "timed_out"), "false");
	json_object_put(o);
	assert_int_equal(tx_run_cancel(run, true), -EALREADY);
	snprintf(id, sizeof(id), "%s", tx_run_id(run));
	tx_run_unref(run);

	/* Removed (rm code/PROFILE/NAME): stopped and forgotten. */
	run = start(e, "standard", "r.sh", "echo ready\nsleep 30\n");
	assert_true(wait_run(run, TX_RUN_STDOUT, 0));
	assert_int_equal(tx_engine_run_remove(e, tx_run_id(run)), 0);
	assert_null(tx_engine_run_find(e, tx_run_id(run)));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(tx_engine_run_remove(e, tx_run_id(run)), -ENOENT);
	assert_true(wait_run(run, TX_RUN_RESULT, UINT64_MAX));
	o = result_of(run);
	assert_string_equal(field_text(o, "cancelled"), "true");
	json_object_put(o);
	tx_run_unref(run);
	/* The first one is still there to read. */
	run = tx_engine_run_find(e, id);
	assert_non_null(run);
	tx_run_unref(run);

	/* Cancelled before it was started: it ends at once, and a start
	 * afterwards is refused. */
	run = tx_engine_code_new(e, "standard", "n.sh", "echo no\n", 8, NULL, 0,
				 &who, err, sizeof(err));
	assert_non_null(run);
	assert_false(tx_run_ended(run));
	assert_int_equal(tx_run_cancel(run, false), 0);
	assert_true(tx_run_ended(run));
	assert_int_equal(tx_run_start(run, NULL), -EALREADY);
	assert_string_equal(part_text(run, TX_RUN_STDOUT), "");
	tx_run_unref(run);

	/* Counted once the engine is gone: every event has been sent. */
	tx_engine_free(e);
	assert_int_equal(seen.ended, 3);
	assert_int_equal(seen.forgotten, 1);
	assert_int_equal(seen.profiles, 0);
}

static void test_run_not_started(void **state)
{
	struct tx_caller who = { .uid = getuid() };
	struct tx_engine *e;
	struct tx_run *run;
	struct json_object *o;
	char err[256], big[64];
	static char huge[TX_SCRIPT_MAX + 1];

	(void)state;
	need_root();
	e = engine_with(NULL);
	/* An unknown language: ended when start returns, and said where a
	 * reader looks: stderr, the result, the job's error. */
	run = start(e, "standard", "job.xyz", "print 1\n");
	assert_true(tx_run_ended(run));
	assert_string_equal(
		part_text(run, TX_RUN_STDERR),
		"toolexec: cannot tell the language of \"job.xyz\": "
		"no \"#!\" line and not one of .sh, .bash, .py, .js, "
		".mjs, .cjs, .pl\n");
	o = result_of(run);
	assert_string_equal(
		field_text(o, "error"),
		"\"cannot tell the language of \\\"job.xyz\\\": no "
		"\\\"#!\\\" line and not one of .sh, .bash, .py, .js, "
		".mjs, .cjs, .pl\"");
	assert_string_equal(field_text(o, "exit_code"), "-1");
	assert_string_equal(field_text(o, "language"), "null");
	json_object_put(o);
	assert_int_equal(tx_job_state(tx_run_job(run)), TX_JOB_ERROR);
	assert_non_null(strstr(tx_job_error_text(tx_run_job(run), NULL),
			       "tool_error: did not run: cannot tell the "
			       "language"));
	tx_run_unref(run);

	/* Refused before anything exists. */
	assert_null(tx_engine_code_new(e, "standard", "a/b.sh", "", 0, NULL, 0,
				       &who, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_null(tx_engine_code_new(e, "standard", "..", "", 0, NULL, 0,
				       &who, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_null(tx_engine_code_new(e, "nope", "a.sh", "", 0, NULL, 0, &who,
				       err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	assert_string_equal(err, "no profile \"nope\"");
	assert_null(tx_engine_code_new(e, "dev", "a.sh", "", 0, NULL, 0, &who,
				       err, sizeof(err)));
	assert_int_equal(errno, EPERM);
	assert_string_equal(err, "profile dev is not enabled (enable it under "
				 "\"codeProfiles\" in the configuration)");
	assert_null(tx_engine_code_new(e, "standard", "a.sh", huge,
				       sizeof(huge), NULL, 0, &who, err,
				       sizeof(err)));
	assert_int_equal(errno, EFBIG);
	snprintf(big, sizeof(big), "%s", err);
	assert_string_equal(big, "the script is larger than 4194304 bytes");
	tx_engine_free(e);
}

static void test_run_dev(void **state)
{
	struct tx_engine *e;
	struct tx_run *run;
	char path[4096], out[4200];
	struct stat st;
	int fd;

	(void)state;
	e = engine_with("{\"codeProfiles\": {\"dev\": {\"enabled\": true}}}");
	/* dev: as the caller, in a private directory of its own. */
	run = start(e, "dev", "d.sh", "pwd\nid -u\necho kept > made\n");
	assert_true(wait_run(run, TX_RUN_RESULT, UINT64_MAX));
	assert_int_equal(tx_job_wait(tx_run_job(run), WAIT_MS), 0);
	assert_int_equal(tx_job_state(tx_run_job(run)), TX_JOB_OK);
	assert_int_equal(tx_run_uid(run), getuid());
	fd = tx_run_work_open(run, "made", O_RDONLY);
	assert_true(fd >= 0);
	close(fd);
	fd = tx_run_work_open(run, ".", O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	snprintf(out, sizeof(out), "/proc/self/fd/%d", fd);
	memset(path, 0, sizeof(path));
	assert_true(readlink(out, path, sizeof(path) - 1) > 0);
	close(fd);
	snprintf(out, sizeof(out), "%s\n%u\n", path, (unsigned)getuid());
	assert_string_equal(part_text(run, TX_RUN_STDOUT), out);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* Forgotten, its directory goes with the last reference (the
	 * reaper may hold one a moment longer: the engine's end waits for
	 * it). */
	assert_int_equal(tx_engine_run_remove(e, tx_run_id(run)), 0);
	tx_run_unref(run);
	tx_engine_free(e);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

struct gone {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int forgotten;
};

static void on_gone(void *ctx, enum tx_code_event ev, struct tx_run *run)
{
	struct gone *g = ctx;

	(void)run;
	pthread_mutex_lock(&g->lock);
	if (ev == TX_CODE_RUN_FORGOTTEN)
		g->forgotten++;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

static void test_run_expiry(void **state)
{
	struct gone g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			  0 };
	struct tx_engine_options opts = { 0 };
	struct tx_caller who = { .uid = getuid() };
	struct tx_engine *e;
	struct tx_run *run;
	struct json_object *o;
	struct timespec ts;
	char err[256], id[32];

	(void)state;
	need_root();
	opts.sandbox_helper = helper;
	opts.job_new_seconds = 1;
	opts.job_keep_seconds = 1;
	e = tx_engine_new(&opts, err, sizeof(err));
	assert_non_null(e);
	tx_engine_watch_code(e, on_gone, &g);
	/* Made and never started: when its job expires, the run ends as
	 * cancelled (nothing else would ever end it), then it is forgotten
	 * like any ended run. */
	run = tx_engine_code_new(e, "standard", "n.sh", "echo no\n", 8, NULL, 0,
				 &who, err, sizeof(err));
	assert_non_null(run);
	snprintf(id, sizeof(id), "%s", tx_run_id(run));
	assert_true(wait_run(run, TX_RUN_RESULT, UINT64_MAX));
	o = result_of(run);
	assert_string_equal(field_text(o, "cancelled"), "true");
	assert_string_equal(field_text(o, "exit_code"), "-1");
	json_object_put(o);
	assert_int_equal(tx_job_state(tx_run_job(run)), TX_JOB_CANCELLED);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&g.lock);
	while (!g.forgotten &&
	       pthread_cond_timedwait(&g.cond, &g.lock, &ts) == 0)
		;
	pthread_mutex_unlock(&g.lock);
	assert_null(tx_engine_run_find(e, id));
	/* Still readable through the reference we hold. */
	assert_string_equal(part_text(run, TX_RUN_STDOUT), "");
	tx_run_unref(run);
	tx_engine_free(e);
	assert_int_equal(g.forgotten, 1);
}

/* ------------------------------------------------------------------ */
/* Tool calls made on behalf of a run                                   */

static struct tx_job *call_for(struct tx_engine *e, struct tx_run *run,
			       const char *tool, const char *args)
{
	struct tx_caller who;
	struct tx_job *job;
	char err[256];

	tx_run_caller(run, &who);
	assert_int_equal(who.uid, tx_run_uid(run));
	job = tx_engine_call(e, tool, args, &who, err, sizeof(err));
	if (!job)
		fail_msg("call %s: %s", tool, err);
	assert_int_equal(tx_job_wait(job, WAIT_MS), 0);
	return job;
}

static void test_max_tool_calls(void **state)
{
	struct tx_caller ghost = { .uid = 1, .run = 999999 };
	struct tx_engine *e;
	struct tx_run *run;
	struct tx_job *job;
	struct json_object *o, *calls, *k;
	char ids[3][24], err[256], **jids;
	size_t n;

	(void)state;
	need_root();
	e = engine_with("{\"codeProfiles\": {\"two\": {\"base\": \"standard\", "
			"\"max_tool_calls\": 2}}}");
	run = start(e, "two", "m.sh", "echo ready\nsleep 30\n");
	assert_true(wait_run(run, TX_RUN_STDOUT, 0));
	for (int i = 0; i < 2; i++) {
		job = call_for(e, run, "builtin:echo", "{\"i\":1}");
		assert_int_equal(tx_job_state(job), TX_JOB_OK);
		snprintf(ids[i], sizeof(ids[i]), "%s", tx_job_id(job));
		tx_job_unref(job);
	}
	/* The one past the cap: a job that ended at once, EDQUOT. */
	job = call_for(e, run, "builtin:echo", "{\"i\":3}");
	assert_int_equal(tx_job_state(job), TX_JOB_ERROR);
	assert_int_equal(tx_job_errno(job), EDQUOT);
	assert_string_equal(
		tx_job_error_text(job, NULL),
		"max_tool_calls: this run has made its 2 tool calls "
		"(max_tool_calls of profile two); no more are "
		"allowed\n");
	snprintf(ids[2], sizeof(ids[2]), "%s", tx_job_id(job));
	tx_job_unref(job);
	/* Its /jobs: the three, in order. */
	n = tx_run_job_ids(run, &jids);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(jids[i], ids[i]);
	tx_strv_free(jids, n);
	/* A call for a run that does not exist is refused too. */
	job = tx_engine_job_new(e, "builtin:echo", &ghost, err, sizeof(err));
	assert_non_null(job);
	assert_int_equal(tx_job_errno(job), ESRCH);
	assert_int_equal(tx_job_start(job, "{}", 2), -EALREADY);
	tx_job_unref(job);

	assert_int_equal(tx_run_cancel(run, true), 0);
	assert_true(wait_run(run, TX_RUN_RESULT, UINT64_MAX));
	o = result_of(run);
	assert_string_equal(field_text(o, "limits_hit"),
			    "[\"max_tool_calls\"]");
	assert_string_equal(field_text(o, "tool_calls_refused"), "1");
	calls = field(o, "tool_calls");
	assert_int_equal(json_object_array_length(calls), 3);
	for (size_t i = 0; i < 3; i++) {
		k = json_object_array_get_idx(calls, i);
		assert_string_equal(json_object_get_string(field(k, "job")),
				    ids[i]);
		assert_string_equal(field_text(k, "tool"), "\"builtin:echo\"");
		assert_string_equal(field_text(k, "status"),
				    i < 2 ? "\"ok\"" : "\"refused\"");
		assert_string_equal(
			field_text(k, "error"),
			i < 2 ? "null"
			      : "\"max_tool_calls: this run has made "
				"its 2 tool calls (max_tool_calls of "
				"profile two); no more are allowed\"");
	}
	json_object_put(o);
	/* Once the run has ended, calls for it are refused. */
	{
		struct tx_caller who;

		tx_run_caller(run, &who);
		job = tx_engine_job_new(e, "builtin:echo", &who, err,
					sizeof(err));
		assert_non_null(job);
		assert_int_equal(tx_job_errno(job), ESRCH);
		assert_non_null(strstr(tx_job_error_text(job, NULL),
				       "run_ended: code run "));
		tx_job_unref(job);
	}
	tx_run_unref(run);
	tx_engine_free(e);
}

static void test_tool_wait(void **state)
{
	struct tx_caller who;
	struct tx_engine *e;
	struct tx_run *run;
	struct tx_job *jobs[3];
	struct json_object *o, *calls;
	char err[256];
	int wait_ms, d[3];

	(void)state;
	need_root();
	e = engine_with(NULL);
	run = start(e, "standard", "w.sh", "echo ready\nsleep 30\n");
	assert_true(wait_run(run, TX_RUN_STDOUT, 0));
	tx_run_caller(run, &who);
	/* Two calls at once: the run waits on tools while either runs, so
	 * the time counts once, not twice. */
	for (int i = 0; i < 2; i++) {
		jobs[i] = tx_engine_job_new(e, "builtin:sleep", &who, err,
					    sizeof(err));
		assert_non_null(jobs[i]);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(tx_job_start(jobs[i], "{\"seconds\":0.3}", 15),
				 0);
	/* A third still running when the run ends is cancelled with it. */
	jobs[2] = tx_engine_job_new(e, "builtin:sleep", &who, err, sizeof(err));
	for (int i = 0; i < 2; i++) {
		assert_int_equal(tx_job_wait(jobs[i], WAIT_MS), 0);
		assert_int_equal(tx_job_state(jobs[i]), TX_JOB_OK);
	}
	assert_int_equal(tx_job_start(jobs[2], "{\"seconds\":9}", 13), 0);
	assert_int_equal(tx_run_cancel(run, true), 0);
	assert_true(wait_run(run, TX_RUN_RESULT, UINT64_MAX));
	assert_int_equal(tx_job_state(jobs[2]), TX_JOB_CANCELLED);
	o = result_of(run);
	calls = field(o, "tool_calls");
	assert_int_equal(json_object_array_length(calls), 3);
	for (int i = 0; i < 2; i++) {
		struct json_object *k = json_object_array_get_idx(calls, i);

		assert_string_equal(field_text(k, "status"), "\"ok\"");
		d[i] = json_object_get_int(field(k, "duration_ms"));
		assert_true(d[i] >= 300);
	}
	assert_string_equal(field_text(json_object_array_get_idx(calls, 2),
				       "status"),
			    "\"cancelled\"");
	d[2] = json_object_get_int(
		field(json_object_array_get_idx(calls, 2), "duration_ms"));
	wait_ms = json_object_get_int(field(o, "tool_wait_ms"));
	/* The first two overlapped (started together, 300 ms each): their
	 * time counts about once; the third came after them.  Durations
	 * are rounded down to milliseconds, hence the slack of 3. */
	assert_true(wait_ms + 3 >= (d[0] > d[1] ? d[0] : d[1]) + d[2]);
	assert_true(wait_ms < d[0] + d[1] + d[2] - 200);
	assert_true(json_object_get_int(field(o, "cpu_ms")) >= 0);
	json_object_put(o);
	for (int i = 0; i < 3; i++)
		tx_job_unref(jobs[i]);
	tx_run_unref(run);
	tx_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_parse),
		cmocka_unit_test(test_config_engine),
		cmocka_unit_test(test_run_exit3),
		cmocka_unit_test(test_run_streams_and_work),
		cmocka_unit_test(test_run_timeout),
		cmocka_unit_test(test_run_cancel),
		cmocka_unit_test(test_run_not_started),
		cmocka_unit_test(test_run_dev),
		cmocka_unit_test(test_run_expiry),
		cmocka_unit_test(test_max_tool_calls),
		cmocka_unit_test(test_tool_wait),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
