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
#include "toolexecfs/toolexec.h"

/* "Within a second", with some room for a loaded test machine. */
#define APPLY_MS 1000
#define SLACK_MS 500

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

struct seen {
	pthread_mutex_t lock;
	char paths[16][256];
	size_t n;
};

static void on_change(void *ctx, const char *path)
{
	struct seen *s = ctx;

	pthread_mutex_lock(&s->lock);
	if (s->n < 16)
		snprintf(s->paths[s->n++], 256, "%s", path);
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

static void test_watcher_debounces_and_filters(void **state)
{
	struct seen s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct tx_config_watch *w;
	char err[256], want[256];
	uint64_t t0;

	(void)state;
	w = tx_config_watch_new(dir, on_change, &s, err, sizeof(err));
	assert_non_null(w);

	/* Scratch files and other names: nothing. */
	write_file("notes.txt", "x");
	write_file(".hidden.json", "{}");
	write_file("b.json~", "{}");
	write_file("#b.json#", "{}");
	usleep(500 * 1000);
	assert_int_equal(seen_count(&s), 0);

	/* A burst of writes and an editor's rename: one report. */
	t0 = now_ms();
	for (int i = 0; i < 10; i++) {
		write_file("b.json", "{}");
		usleep(5000);
	}
	save_like_editor("b.json", "{\"tools\":[]}");
	while (seen_count(&s) == 0 && now_ms() - t0 < APPLY_MS + SLACK_MS)
		usleep(10000);
	assert_true(now_ms() - t0 < APPLY_MS + SLACK_MS);
	usleep(400 * 1000);
	assert_int_equal(seen_count(&s), 1);
	snprintf(want, sizeof(want), "%s/b.json", dir);
	assert_string_equal(s.paths[0], want);

	/* A removal is reported too (the file is gone). */
	remove_file("b.json");
	t0 = now_ms();
	while (seen_count(&s) < 2 && now_ms() - t0 < APPLY_MS + SLACK_MS)
		usleep(10000);
	assert_int_equal(seen_count(&s), 2);
	assert_string_equal(s.paths[1], want);

	/* A ConfigMap-style update: "..data" swapped to a new directory. */
	{
		char a[160], b[160];
		size_t before;

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
		usleep((APPLY_MS + SLACK_MS) * 1000);
		before = seen_count(&s);
		assert_true(before >= 3);
		{
			bool c_seen = false;

			for (size_t i = 2; i < before && i < 16; i++)
				c_seen |= strstr(s.paths[i], "/c.json") != NULL;
			assert_true(c_seen);
		}
		snprintf(a, sizeof(a), "%s/..data_tmp", dir);
		assert_int_equal(symlink("..v2", a), 0);
		snprintf(b, sizeof(b), "%s/..data", dir);
		assert_int_equal(rename(a, b), 0);
		t0 = now_ms();
		while (seen_count(&s) == before &&
		       now_ms() - t0 < APPLY_MS + SLACK_MS)
			usleep(10000);
		assert_true(seen_count(&s) > before);
	}

	tx_config_watch_free(w);
	remove_file("notes.txt");
	remove_file(".hidden.json");
	remove_file("b.json~");
	remove_file("#b.json#");

	assert_null(tx_config_watch_new("/nonexistent/dir", on_change, &s,
					err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/dir"));
}

/* ------------------------------------------------------------------ */
/* The engine                                                           */

static const char *tool_doc(const char *desc)
{
	static char buf[512];

	snprintf(buf, sizeof(buf),
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
		if (*elapsed > APPLY_MS + SLACK_MS + 1000)
			return false;
		usleep(10000);
	}
}

static void test_engine_hot_reload(void **state)
{
	struct tx_engine_options opts = { .config_dir = dir, .watch = true };
	struct tx_engine *e;
	struct tx_job *job;
	char err[512], *log;
	uint64_t ms;

	(void)state;
	e = tx_engine_new(&opts, err, sizeof(err));
	assert_non_null(e);

	/* Added. */
	write_file("a.json", tool_doc("first"));
	assert_true(wait_for(e, "w:one", "first", &ms));
	assert_true(ms < APPLY_MS + SLACK_MS);

	/* Changed, the way an editor saves. */
	save_like_editor("a.json", tool_doc("second"));
	assert_true(wait_for(e, "w:one", "second", &ms));
	assert_true(ms < APPLY_MS + SLACK_MS);
	job = tx_engine_call(e, "w:one", "{}", NULL, err, sizeof(err));
	assert_non_null(job);
	assert_int_equal(tx_job_wait(job, 5000), 0);
	assert_string_equal(tx_job_result_text(job, NULL), "second\n");
	tx_job_unref(job);

	/* A bad edit: the last good version stays, and the log says why. */
	write_file("a.json", "{\"tools\":[{\"namespace\":\"w\"}]");
	usleep((APPLY_MS + SLACK_MS) * 1000);
	assert_true(wait_for(e, "w:one", "second", &ms));
	log = tx_engine_log_text(e);
	assert_non_null(log);
	assert_non_null(strstr(log, "a.json"));
	assert_non_null(strstr(log, "keeping the last good version"));
	free(log);

	/* Fixed again: applies. */
	write_file("a.json", tool_doc("third"));
	assert_true(wait_for(e, "w:one", "third", &ms));

	/* A second file with a schema error does not hide the first. */
	write_file("b.json", "{\"tools\":[{\"namespace\":\"w\",\"name\":\"two\","
			     "\"description\":\"d\",\"input_schema\":{},"
			     "\"command\":[\"true\"],\"timeout_ms\":500,"
			     "\"stdin\":\"bogus\"}]}");
	usleep((APPLY_MS + SLACK_MS) * 1000);
	assert_true(wait_for(e, "w:one", "third", &ms));
	assert_true(wait_for(e, "w:two", NULL, &ms));
	log = tx_engine_log_text(e);
	assert_non_null(log);
	assert_non_null(strstr(log, "b.json: $.tools[0].stdin: must be"));
	free(log);

	/* An edit that drops a required key is a bad edit too. */
	{
		char doc[512];

		snprintf(doc, sizeof(doc), "%s", tool_doc("fourth"));
		memmove(strstr(doc, ",\"timeout_ms\""), "}]}", 4);
		write_file("a.json", doc);
	}
	usleep((APPLY_MS + SLACK_MS) * 1000);
	assert_true(wait_for(e, "w:one", "third", &ms));
	log = tx_engine_log_text(e);
	assert_non_null(log);
	assert_non_null(strstr(log, "a.json: $.tools[0]: missing required "
				    "key \"timeout_ms\""));
	free(log);

	/* Removed. */
	remove_file("a.json");
	assert_true(wait_for(e, "w:one", NULL, &ms));
	assert_true(ms < APPLY_MS + SLACK_MS);
	remove_file("b.json");
	tx_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_watcher_debounces_and_filters,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_engine_hot_reload, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
