/*
 * test_mcp_resources_bad.c - resources and prompts of an MCP server
 * whose answers are odd (tests/mcp/bad_res_server.py), through the
 * engine: the errno and the error text of each bad answer, contents
 * joined and decoded, what a server that declares neither
 * completions nor subscriptions answers; odd completion answers, their
 * cap of 100, and subscriptions counted per URI with a refused one
 * not counted (a second server, "cmp"); and a server that exits
 * mid-read and cannot start again.  Run from the top of the
 * source tree (as `make unit` does); needs python3.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

static char dir[64];
static struct tx_engine *engine;

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* True once server ns offers its prompts (its lists are in). */
static bool listed_ns(const char *ns)
{
	struct tx_catalog_set *set = tx_engine_catalog(engine);
	struct tx_cat_entry *v = NULL;
	size_t n = 0;
	bool ok = tx_catalog_prompts_list(set, ns, &v, &n) == 0 && n == 2;

	tx_cat_entries_free(v, n);
	tx_catalog_set_unref(set);
	return ok;
}

static bool listed(void)
{
	return listed_ns("bad") && listed_ns("cmp");
}

static int setup(void **state)
{
	struct tx_engine_options opts = { 0 };
	char cwd[512], cfg[1024], err[512];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/txbadresXXXXXX");
	if (!mkdtemp(dir) || !getcwd(cwd, sizeof(cwd)))
		return -1;
	snprintf(cfg, sizeof(cfg),
		 "{\"mcpServers\": {\"bad\": {\"command\": \"python3\", "
		 "\"args\": [\"%s/tests/mcp/bad_res_server.py\", "
		 "\"%s/flag\"]}, \"cmp\": {\"command\": \"python3\", "
		 "\"args\": [\"%s/tests/mcp/bad_res_server.py\", "
		 "\"%s/noflag\", \"complete\"]}}}",
		 cwd, dir, cwd, dir);
	write_file("servers.json", cfg);
	opts.config_dir = dir;
	engine = tx_engine_new(&opts, err, sizeof(err));
	if (!engine) {
		fprintf(stderr, "engine: %s\n", err);
		return -1;
	}
	/* Waits for the server's lists: at most 30 s. */
	for (int i = 0; i < 3000 && !listed(); i++)
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	return listed() ? 0 : -1;
}

static int teardown(void **state)
{
	char path[256];

	(void)state;
	tx_engine_free(engine);
	snprintf(path, sizeof(path), "%s/servers.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/flag", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/noflag", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}

/* Reads mem://bad/NAME: rc, and err or the bytes in out. */
static int read_res(const char *name, char *out, size_t outlen, size_t *len)
{
	char uri[128], *data = NULL;
	int rc;

	snprintf(uri, sizeof(uri), "mem://bad/%s", name);
	*len = 0;
	rc = tx_engine_resource_read(engine, "bad", uri, &data, len, out,
				     outlen);
	if (!rc) {
		assert_true(*len < outlen);
		memcpy(out, data, *len);
		out[*len] = '\0';
		free(data);
	}
	return rc;
}

static void test_bad_reads(void **state)
{
	static const struct {
		const char *name;
		int rc;
		const char *err;
	} cases[] = {
		{ "noarray", -EIO,
		  "resources/read: the answer has no \"contents\" array" },
		{ "notarray", -EIO,
		  "resources/read: the answer has no \"contents\" array" },
		{ "notb64", -EIO,
		  "resources/read: contents[0].blob is not base64" },
		{ "invalid", -EINVAL,
		  "mcp_error: bad uri (JSON-RPC error -32602)" },
		{ "internal", -EIO,
		  "mcp_error: it broke (JSON-RPC error -32603)" },
		{ "gone", -ENOENT,
		  "mcp_error: Resource not found (JSON-RPC error -32002)" },
	};
	char err[512];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(read_res(cases[i].name, err, sizeof(err),
					  &len),
				 cases[i].rc);
		assert_string_equal(err, cases[i].err);
	}
}

static void test_contents_joined(void **state)
{
	char out[512];
	size_t len;

	(void)state;
	/* Text, a blob, an entry with neither (skipped), text. */
	assert_int_equal(read_res("mixed", out, sizeof(out), &len), 0);
	assert_int_equal(len, 3);
	assert_string_equal(out, "ABC");
	/* The URL-safe alphabet, without padding. */
	assert_int_equal(read_res("urlsafe", out, sizeof(out), &len), 0);
	assert_int_equal(len, 2);
	assert_memory_equal(out, "\xfb\xff", 2);
	/* A template's bound URI. */
	assert_int_equal(read_res("t/42", out, sizeof(out), &len), 0);
	assert_string_equal(out, "id=42");
}

static void test_no_server(void **state)
{
	char err[512], *data = (char *)"x";
	size_t len = 7;

	(void)state;
	assert_int_equal(tx_engine_resource_read(engine, "nope", "mem://x",
						 &data, &len, err, sizeof(err)),
			 -ENOENT);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_string_equal(err, "no server nope offers resources");
}

static void test_prompts(void **state)
{
	char err[512] = "", *text = NULL, *json = NULL;

	(void)state;
	assert_int_equal(tx_engine_prompt_get(engine, "bad", "broken", NULL,
					      &text, &json, err, sizeof(err)),
			 -EIO);
	assert_null(text);
	assert_null(json);
	assert_string_equal(
		err, "mcp_error: no prompt today (JSON-RPC error -32603)");
	assert_int_equal(tx_engine_prompt_get(engine, "bad", "fine", NULL,
					      &text, &json, err, sizeof(err)),
			 0);
	assert_string_equal(text, "user:\nfine\n");
	assert_non_null(strstr(json, "\"text\": \"fine\""));
	free(text);
	free(json);
}

static void test_no_completions_no_subscribe(void **state)
{
	struct tx_cat_entry *v = NULL;
	size_t n = 5;
	char err[512] = "";

	(void)state;
	assert_int_equal(tx_engine_resource_complete(engine, "bad/mem/bad/t",
						     "4", &v, &n, err,
						     sizeof(err)),
			 -EOPNOTSUPP);
	assert_string_equal(err, "MCP server bad does not complete");
	tx_cat_entries_free(v, n);
	assert_int_equal(tx_engine_resource_subscribe(engine, "bad",
						      "mem://bad/mixed", true),
			 -EOPNOTSUPP);
}

/* An answer without waiting. */
struct answer {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int rc;
	char err[512];
};

static void answered(void *ctx, int rc, char *text, size_t len, char *json,
		     const char *err)
{
	struct answer *a = ctx;

	(void)len;
	free(text);
	free(json);
	pthread_mutex_lock(&a->lock);
	a->rc = rc;
	snprintf(a->err, sizeof(a->err), "%s", err ? err : "");
	a->done = true;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

static void test_async_bad_reads(void **state)
{
	static const struct {
		const char *uri;
		int rc;
		const char *err;
	} cases[] = {
		{ "mem://bad/notb64", -EIO,
		  "resources/read: contents[0].blob is not base64" },
		{ "mem://bad/noarray", -EIO,
		  "resources/read: the answer has no \"contents\" array" },
		{ "mem://bad/invalid", -EINVAL,
		  "mcp_error: bad uri (JSON-RPC error -32602)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct answer a = { .lock = PTHREAD_MUTEX_INITIALIZER,
				    .cond = PTHREAD_COND_INITIALIZER };
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 30;
		tx_engine_resource_read_start(engine, "bad", cases[i].uri,
					      answered, &a);
		pthread_mutex_lock(&a.lock);
		while (!a.done &&
		       pthread_cond_timedwait(&a.cond, &a.lock, &ts) == 0)
			;
		pthread_mutex_unlock(&a.lock);
		assert_true(a.done);
		assert_int_equal(a.rc, cases[i].rc);
		assert_string_equal(a.err, cases[i].err);
	}
}

/* Completions: odd answers, the cap of 100, values that cannot be
 * names. */
static void test_complete_answers(void **state)
{
	struct tx_cat_entry *v = NULL;
	size_t n = 0;
	char err[512] = "";

	(void)state;
	assert_int_equal(tx_engine_resource_complete(engine, "cmp/mem/bad/t",
						     "bad", &v, &n, err,
						     sizeof(err)),
			 -EIO);
	assert_string_equal(err, "completion/complete: the answer has no "
				 "\"completion.values\" array");
	assert_null(v);
	assert_int_equal(n, 0);
	assert_int_equal(tx_engine_resource_complete(engine, "cmp/mem/bad/t",
						     "err", &v, &n, err,
						     sizeof(err)),
			 -EINVAL);
	assert_string_equal(
		err, "mcp_error: no such variable (JSON-RPC error -32602)");
	/* Of the first 100 values: 1 and null are not strings, "" cannot
	 * be a name, "v/x" is encoded; 96 "vNNN" follow. */
	assert_int_equal(tx_engine_resource_complete(engine, "cmp/mem/bad/t",
						     "v", &v, &n, err,
						     sizeof(err)),
			 0);
	assert_int_equal(n, 97);
	assert_string_equal(v[0].name, "v%2Fx");
	assert_string_equal(v[1].name, "v000");
	assert_string_equal(v[96].name, "v095");
	assert_false(v[1].dir);
	tx_cat_entries_free(v, n);
	/* Not a template's variable. */
	assert_int_equal(tx_engine_resource_complete(engine, "cmp/mem/bad", "v",
						     &v, &n, err, sizeof(err)),
			 -ENOENT);
}

/* What the server says is subscribed. */
static void subs(char *out, size_t outlen)
{
	char *data = NULL;
	size_t len = 0;

	assert_int_equal(tx_engine_resource_read(engine, "cmp",
						 "mem://bad/subs", &data, &len,
						 out, outlen),
			 0);
	assert_true(len < outlen);
	memcpy(out, data, len);
	out[len] = '\0';
	free(data);
}

static void test_subscriptions(void **state)
{
	char got[256];

	(void)state;
	/* Refused: not counted, so the next subscribe asks again. */
	assert_int_equal(tx_engine_resource_subscribe(engine, "cmp",
						      "mem://bad/refuse", true),
			 -EIO);
	subs(got, sizeof(got));
	assert_string_equal(got, "");
	assert_int_equal(tx_engine_resource_subscribe(engine, "cmp",
						      "mem://bad/refuse", true),
			 0);
	subs(got, sizeof(got));
	assert_string_equal(got, "mem://bad/refuse");
	/* Counted: only the first subscribe and the last unsubscribe
	 * reach the server (which refuses repeats). */
	assert_int_equal(tx_engine_resource_subscribe(engine, "cmp",
						      "mem://bad/mixed", true),
			 0);
	assert_int_equal(tx_engine_resource_subscribe(engine, "cmp",
						      "mem://bad/mixed", true),
			 0);
	subs(got, sizeof(got));
	assert_string_equal(got, "mem://bad/mixed mem://bad/refuse");
	assert_int_equal(tx_engine_resource_subscribe(engine, "cmp",
						      "mem://bad/mixed", false),
			 0);
	subs(got, sizeof(got));
	assert_string_equal(got, "mem://bad/mixed mem://bad/refuse");
	assert_int_equal(tx_engine_resource_subscribe(engine, "cmp",
						      "mem://bad/mixed", false),
			 0);
	assert_int_equal(tx_engine_resource_subscribe(
				 engine, "cmp", "mem://bad/refuse", false),
			 0);
	subs(got, sizeof(got));
	assert_string_equal(got, "");
	/* One more unsubscribe than subscribes: nothing is sent. */
	assert_int_equal(tx_engine_resource_subscribe(engine, "cmp",
						      "mem://bad/mixed", false),
			 0);
	assert_int_equal(tx_engine_resource_subscribe(engine, "nope",
						      "mem://bad/mixed", true),
			 -ENOENT);
}

/* The server exits in the middle of a read, and cannot start again. */
static void test_server_gone(void **state)
{
	char err[512] = "";
	size_t len;

	(void)state;
	assert_int_equal(read_res("exit", err, sizeof(err), &len), -EIO);
	assert_string_equal(err, "resources/read: server exited with status 0");
	/* The next read starts it again, and says why that failed (with
	 * "failed to start: initialize: " between when the exit is seen
	 * while initialize is under way, which depends on timing). */
	err[0] = '\0';
	assert_int_equal(read_res("mixed", err, sizeof(err), &len), -EIO);
	assert_int_equal(strncmp(err, "MCP server bad: ", 16), 0);
	assert_string_equal(err + strlen(err) - 27,
			    "server exited with status 3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_reads),
		cmocka_unit_test(test_contents_joined),
		cmocka_unit_test(test_no_server),
		cmocka_unit_test(test_prompts),
		cmocka_unit_test(test_no_completions_no_subscribe),
		cmocka_unit_test(test_async_bad_reads),
		cmocka_unit_test(test_complete_answers),
		cmocka_unit_test(test_subscriptions),
		cmocka_unit_test(test_server_gone),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
