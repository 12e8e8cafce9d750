/*
 * test_watch.c - hot reload: the watcher reports each changed *.json
 * once per burst, ignores editors' scratch files, and the engine applies
 * an added, changed or removed file within a second, keeping the last
 * good version of a file that turned bad.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "testlib.h"
#include "toolexecfs/toolexec.h"

/*
 * A change applies "within a second" (a few hundred milliseconds on a
 * quiet machine); the tests allow ten, so that a loaded machine passes
 * and a watcher that waits for some periodic rescan still fails.
 */
#define APPLY_MAX_MS 10000
/* Writes closer together than this are one burst for the watcher
 * (it reports a file 150 ms after the file's last event). */
#define BURST_GAP_MS 75

static char dir[64];

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The way editors save: a temporary file renamed over the old one. */
static void save_like_editor(const char *name, const char *text)
{
	char tmp[128], path[128];

	snprintf(tmp, sizeof(tmp), ".%s.swp", name);
	write_file(tmp, text);
	snprintf(tmp, sizeof(tmp), "%s/.%s.swp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(rename(tmp, path), 0);
}

static void remove_file(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(unlink(path), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/txwatchXXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *argv[] = { "rm", "-rf", dir, NULL };
	pid_t pid = fork();

	(void)state;
	if (pid == 0) {
		execvp("rm", argv);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The watcher alone                                                    */

#define SEEN_MAX 256

struct seen {
	pthread_mutex_t lock;
	char paths[SEEN_MAX][128];
	size_t n;
};

static void on_change(void *ctx, const char *path)
{
	struct seen *s = ctx;

	pthread_mutex_lock(&s->lock);
	if (s->n < SEEN_MAX)
		snprintf(s->paths[s->n], sizeof(s->paths[0]), "%s", path);
	s->n++;
	pthread_mutex_unlock(&s->lock);
}

static size_t seen_count(struct seen *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->n;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* How many reports from the from-th on name the file name. */
static size_t seen_name(struct seen *s, size_t from, const char *name)
{
	char want[160];
	size_t n = 0;

	snprintf(want, sizeof(want), "%s/%s", dir, name);
	pthread_mutex_lock(&s->lock);
	for (size_t i = from; i < s->n && i < SEEN_MAX; i++)
		n += !strcmp(s->paths[i], want);
	pthread_mutex_unlock(&s->lock);
	return n;
}

/*
 * Writes a new sentinel file and waits for its report.  Every event
 * that came before it has been reported by then (a report is due a
 * fixed time after a file's last event, and the sentinel's came last):
 * the way to know that nothing else is coming, without sleeping.
 */
static void flush_reports(struct seen *s)
{
	static int k;
	char name[32];
	size_t from = seen_count(s);

	snprintf(name, sizeof(name), "sentinel%d.json", k++);
	write_file(name, "{}");
	assert_eventually(seen_name(s, from, name) == 1);
}

static void test_watcher_debounces_and_filters(void **state)
{
	struct seen s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct tx_config_watch *w;
	char err[256];
	size_t base;

	(void)state;
	w = tx_config_watch_new(dir, on_change, &s, err, sizeof(err));
	assert_non_null(w);

	/* Scratch files and other names: nothing (the sentinel's report
	 * is the only one). */
	write_file("notes.txt", "x");
	write_file(".hidden.json", "{}");
	write_file("b.json~", "{}");
	write_file("#b.json#", "{}");
	flush_reports(&s);
	assert_int_equal(seen_count(&s), 1);

	/*
	 * A burst of writes and an editor's rename: one report.  A burst
	 * it is only if no write came long after the one before; should
	 * the machine stall the test mid-burst, the burst is written again.
	 */
	for (int attempt = 0;; attempt++) {
		uint64_t prev = now_ms(), gap = 0;

		base = seen_count(&s);
		for (int i = 0; i < 10; i++) {
			uint64_t t;

			write_file("b.json", "{}");
			t = now_ms();
			gap = t - prev > gap ? t - prev : gap;
			prev = t;
		}
		save_like_editor("b.json", "{\"tools\":[]}");
		gap = now_ms() - prev > gap ? now_ms() - prev : gap;
		assert_eventually(seen_name(&s, base, "b.json") >= 1);
		flush_reports(&s);
		if (gap < BURST_GAP_MS) {
			assert_int_equal(seen_name(&s, base, "b.json"), 1);
			/* The burst's report and the sentinel's: nothing else. */
			assert_int_equal(seen_count(&s), base + 2);
			break;
		}
		assert_true(attempt < 5);
	}

	/* A removal is reported too (the file is gone). */
	base = seen_count(&s);
	remove_file("b.json");
	assert_eventually(seen_name(&s, base, "b.json") == 1);

	/* A ConfigMap-style update: "..data" swapped to a new directory. */
	{
		char a[160], b[160];

		base = seen_count(&s);
		snprintf(a, sizeof(a), "%s/..v1", dir);
		assert_int_equal(mkdir(a, 0755), 0);
		snprintf(a, sizeof(a), "%s/..v2", dir);
		assert_int_equal(mkdir(a, 0755), 0);
		write_file("..v1/c.json", "{}");
		write_file("..v2/c.json", "{\"tools\":[]}");
		snprintf(a, sizeof(a), "%s/..data", dir);
		assert_int_equal(symlink("..v1", a), 0);
		snprintf(a, sizeof(a), "%s/c.json", dir);
		assert_int_equal(symlink("..data/c.json", a), 0);
		/* Creating "..data" already looks at everything again. */
		assert_eventually(seen_name(&s, base, "c.json") >= 1);
		flush_reports(&s);
		base = seen_count(&s);
		snprintf(a, sizeof(a), "%s/..data_tmp", dir);
		assert_int_equal(symlink("..v2", a), 0);
		snprintf(b, sizeof(b), "%s/..data", dir);
		assert_int_equal(rename(a, b), 0);
		/* The swap changes c.json without an event on it. */
		assert_eventually(seen_name(&s, base, "c.json") >= 1);
	}

	tx_config_watch_free(w);
	remove_file("notes.txt");
	remove_file(".hidden.json");
	remove_file("b.json~");
	remove_file("#b.json#");

	assert_null(tx_config_watch_new("/nonexistent/dir", on_change, &s, err,
					sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/dir"));
}

/* ------------------------------------------------------------------ */
/* The engine                                                           */

static const char *tool_doc(const char *desc)
{
	static char buf[512];

	snprintf(
		buf, sizeof(buf),
		"{\"tools\":[{\"namespace\":\"w\",\"name\":\"one\","
		"\"description\":\"%s\",\"input_schema\":{\"type\":\"object\"},"
		"\"command\":[\"echo\",\"%s\"],\"stdin\":\"none\","
		"\"timeout_ms\":5000}]}",
		desc, desc);
	return buf;
}

/* Waits until tool `id` has description want (NULL: is absent). */
static bool wait_for(struct tx_engine *e, const char *id, const char *want,
		     uint64_t *elapsed)
{
	uint64_t t0 = now_ms();

	for (;;) {
		struct tx_toolset *set = tx_engine_tools(e);
		const struct tx_tool *t = tx_toolset_find(set, id);
		bool ok = want ? t && !strcmp(tx_tool_description(t), want)
			       : t == NULL;

		tx_toolset_unref(set);
		*elapsed = now_ms() - t0;
		if (ok)
			return true;
		if (*elapsed > TEST_WAIT_MS)
			return false;
		usleep(10000);
	}
}

/* The engine's log holds text. */
static bool log_has(struct tx_engine *e, const char *text)
{
	char *log = tx_engine_log_text(e);
	bool yes = log && strstr(log, text);

	free(log);
	return yes;
}

static void test_engine_hot_reload(void **state)
{
	struct tx_engine_options opts = { .config_dir = dir, .watch = true };
	struct tx_engine *e;
	struct tx_job *job;
	char err[512];
	uint64_t ms;

	(void)state;
	e = tx_engine_new(&opts, err, sizeof(err));
	assert_non_null(e);

	/* Added. */
	write_file("a.json", tool_doc("first"));
	assert_true(wait_for(e, "w:one", "first", &ms));
	assert_true(ms < APPLY_MAX_MS);

	/* Changed, the way an editor saves. */
	save_like_editor("a.json", tool_doc("second"));
	assert_true(wait_for(e, "w:one", "second", &ms));
	assert_true(ms < APPLY_MAX_MS);
	job = tx_engine_call(e, "w:one", "{}", NULL, err, sizeof(err));
	assert_non_null(job);
	assert_int_equal(tx_job_wait(job, TEST_WAIT_MS), 0);
	assert_string_equal(tx_job_result_text(job, NULL), "second\n");
	tx_job_unref(job);

	/* A bad edit: the last good version stays, and the log says why
	 * (the log line is how the test knows the edit was looked at). */
	write_file("a.json", "{\"tools\":[{\"namespace\":\"w\"}]");
	assert_eventually(log_has(e, "keeping the last good version"));
	assert_true(wait_for(e, "w:one", "second", &ms));
	assert_true(log_has(e, "a.json"));

	/* Fixed again: applies. */
	write_file("a.json", tool_doc("third"));
	assert_true(wait_for(e, "w:one", "third", &ms));

	/* A second file with a schema error does not hide the first. */
	write_file("b.json",
		   "{\"tools\":[{\"namespace\":\"w\",\"name\":\"two\","
		   "\"description\":\"d\",\"input_schema\":{},"
		   "\"command\":[\"true\"],\"timeout_ms\":500,"
		   "\"stdin\":\"bogus\"}]}");
	assert_eventually(log_has(e, "b.json: $.tools[0].stdin: must be"));
	assert_true(wait_for(e, "w:one", "third", &ms));
	assert_true(wait_for(e, "w:two", NULL, &ms));

	/* An edit that drops a required key is a bad edit too. */
	{
		char doc[512];

		snprintf(doc, sizeof(doc), "%s", tool_doc("fourth"));
		memmove(strstr(doc, ",\"timeout_ms\""), "}]}", 4);
		write_file("a.json", doc);
	}
	assert_eventually(log_has(e, "a.json: $.tools[0]: missing required "
				     "key \"timeout_ms\""));
	assert_true(wait_for(e, "w:one", "third", &ms));

	/* Removed. */
	remove_file("a.json");
	assert_true(wait_for(e, "w:one", NULL, &ms));
	assert_true(ms < APPLY_MAX_MS);
	remove_file("b.json");
	tx_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_watcher_debounces_and_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_engine_hot_reload, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
