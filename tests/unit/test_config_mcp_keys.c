/*
 * test_config_mcp_keys.c - an "mcpServers" entry's keys that are wrong
 * each give one error naming the file, the JSON path and what is
 * wrong; a headersFile that is no file, too long, binary or too many
 * lines is refused without quoting it; a long ${VAR} expansion is
 * whole, a longer one refused; and a reload keeps a server whose
 * definition, per-tool timeouts included, did not change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"

static int parse(const char *doc, struct tx_config_file **cf, char *err,
		 size_t errlen)
{
	err[0] = '\0';
	*cf = NULL;
	return tx_config_parse_buffer("t.json", doc, strlen(doc), cf, err,
				      errlen);
}

/* doc (one server "s" unless it says otherwise) is refused with
 * exactly want. */
static void refused(const char *doc, const char *want)
{
	struct tx_config_file *cf;
	char err[1024];

	if (parse(doc, &cf, err, sizeof(err)) != -EINVAL)
		fail_msg("accepted: %s", doc);
	assert_null(cf);
	if (strcmp(err, want))
		fail_msg("for %s\n got [%s]\nwant [%s]", doc, err, want);
}

static void test_server_keys(void **state)
{
	(void)state;
	refused("{\"mcpServers\":{\"s\":{\"url\":\"http://h/a b\"}}}",
		"t.json: $.mcpServers.s.url: must not contain spaces or "
		"control characters");
	refused("{\"mcpServers\":{\"s\":{\"url\":\"http://h/\","
		"\"serverUrl\":\"http://h/\"}}}",
		"t.json: $.mcpServers.s.serverUrl: give one of \"url\" and "
		"\"serverUrl\", not both");
	refused("{\"mcpServers\":{\"s\":{\"command\":\"x\","
		"\"type\":\"http\"}}}",
		"t.json: $.mcpServers.s.type: an HTTP server needs \"url\"");
	refused("{\"mcpServers\":{\"s\":{\"command\":\"x\","
		"\"tool_timeouts\":5}}}",
		"t.json: $.mcpServers.s.tool_timeouts: expected an object "
		"mapping tool names to timeouts");
	refused("{\"mcpServers\":{\"s\":{\"command\":\"x\","
		"\"tool_timeouts\":{\"t\":5}}}}",
		"t.json: $.mcpServers.s.tool_timeouts.t: expected an object "
		"with \"timeout_ms\" and/or \"max_timeout_ms\"");
	refused("{\"mcpServers\":{\"s\":{\"command\":\"x\","
		"\"elicitation\":\"maybe\"}}}",
		"t.json: $.mcpServers.s.elicitation: must be \"ask\", "
		"\"decline\", \"defaults\" or \"none\"");
	refused("{\"mcpServers\":{\"s\":{\"command\":\"x\","
		"\"roots\":[\"/srv\",\"srv\"]}}}",
		"t.json: $.mcpServers.s.roots: [1]: a root is an absolute "
		"path");
	refused("{\"mcpServers\":{\"\":{\"command\":\"x\"}}}",
		"t.json: $.mcpServers[\"\"]: a server needs a non-empty name");
	refused("{\"mcpServers\":{\"s\":{\"command\":\"x\","
		"\"headers\":{\"A\":\"b\"}}}}",
		"t.json: $.mcpServers.s: \"headers\" and \"headersFile\" "
		"apply to remote servers (\"url\") only");
	refused("{\"mcpServers\":{\"s\":{\"command\":\"x\","
		"\"ping_interval_ms\":1000}}}",
		"t.json: $.mcpServers.s.ping_interval_ms: applies to remote "
		"servers (\"url\") only: a stdio server's exit is seen at "
		"once");
}

/* At most 1000 servers in one file. */
static void test_too_many_servers(void **state)
{
	size_t cap = 1001 * 40 + 64, len = 0;
	char *doc = malloc(cap);

	(void)state;
	assert_non_null(doc);
	len += (size_t)snprintf(doc + len, cap - len, "{\"mcpServers\":{");
	for (int i = 0; i < 1001; i++)
		len += (size_t)snprintf(doc + len, cap - len,
					"%s\"s%d\":{\"command\":\"x\"}",
					i ? "," : "", i);
	snprintf(doc + len, cap - len, "}}");
	refused(doc, "t.json: $.mcpServers: too many servers (1001; at most "
		     "1000)");
	free(doc);
}

/* One value may grow to 64 KiB once ${...} is expanded, no more. */
static void test_long_expansion(void **state)
{
	char *val = malloc(40001), doc[256], err[1024];
	struct tx_config_file *cf;

	(void)state;
	assert_non_null(val);
	memset(val, 'v', 40000);
	val[40000] = '\0';
	setenv("TXT_LONG", val, 1);
	snprintf(doc, sizeof(doc),
		 "{\"mcpServers\":{\"s\":{\"command\":\"x\","
		 "\"args\":[\"a${TXT_LONG}b\"]}}}");
	assert_int_equal(parse(doc, &cf, err, sizeof(err)), 0);
	assert_int_equal(strlen(cf->servers[0].args[0]), 40002);
	assert_int_equal(cf->servers[0].args[0][0], 'a');
	assert_int_equal(cf->servers[0].args[0][40001], 'b');
	assert_int_equal(strspn(cf->servers[0].args[0] + 1, "v"), 40000);
	tx_config_file_free(cf);
	snprintf(doc, sizeof(doc),
		 "{\"mcpServers\":{\"s\":{\"command\":\"x\","
		 "\"args\":[\"${TXT_LONG}${TXT_LONG}\"]}}}");
	refused(doc, "t.json: $.mcpServers.s.args[0]: longer than 65536 "
		     "bytes once ${...} is expanded");
	unsetenv("TXT_LONG");
	free(val);
}

static void test_headers_file_refused(void **state)
{
	char dir[] = "/tmp/txhdr2XXXXXX", path[64], want[256], err[512];
	char **v = (char **)1;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* A directory. */
	assert_int_equal(tx_mcp_read_headers_file(dir, &v, err, sizeof(err)),
			 -EINVAL);
	assert_null(v);
	snprintf(want, sizeof(want), "headersFile %s: not a regular file", dir);
	assert_string_equal(err, want);

	snprintf(path, sizeof(path), "%s/h", dir);
	/* Over 64 KiB. */
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 3000; i++)
		fprintf(f, "X-Header-%04d: %s\n", i, "0123456789abcdef");
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(tx_mcp_read_headers_file(path, &v, err, sizeof(err)),
			 -EFBIG);
	snprintf(want, sizeof(want), "headersFile %s: over 64 KiB", path);
	assert_string_equal(err, want);
	/* A NUL byte. */
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite("A: secret\0x\n", 1, 12, f), 12);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(tx_mcp_read_headers_file(path, &v, err, sizeof(err)),
			 -EINVAL);
	snprintf(want, sizeof(want), "headersFile %s: holds a NUL byte", path);
	assert_string_equal(err, want);
	/* 257 headers. */
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 257; i++)
		fprintf(f, "X-H%d: v\n", i);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(tx_mcp_read_headers_file(path, &v, err, sizeof(err)),
			 -EINVAL);
	snprintf(want, sizeof(want), "headersFile %s: more than 256 headers",
		 path);
	assert_string_equal(err, want);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* A reload restarts a server only when its definition changed; the
 * per-tool timeouts are part of it. */
static void test_equal_with_tool_timeouts(void **state)
{
	static const char *const docs[] = {
		"{\"mcpServers\":{\"s\":{\"command\":\"x\",\"tool_timeouts\":"
		"{\"a\":{\"timeout_ms\":9000},\"b\":{\"max_timeout_ms\":"
		"90000}}}}}",
		/* the same */
		"{\"mcpServers\":{\"s\":{\"command\":\"x\",\"tool_timeouts\":"
		"{\"a\":{\"timeout_ms\":9000},\"b\":{\"max_timeout_ms\":"
		"90000}}}}}",
		/* a's timeout */
		"{\"mcpServers\":{\"s\":{\"command\":\"x\",\"tool_timeouts\":"
		"{\"a\":{\"timeout_ms\":8000},\"b\":{\"max_timeout_ms\":"
		"90000}}}}}",
		/* b's cap */
		"{\"mcpServers\":{\"s\":{\"command\":\"x\",\"tool_timeouts\":"
		"{\"a\":{\"timeout_ms\":9000},\"b\":{\"max_timeout_ms\":"
		"80000}}}}}",
		/* another tool */
		"{\"mcpServers\":{\"s\":{\"command\":\"x\",\"tool_timeouts\":"
		"{\"a\":{\"timeout_ms\":9000},\"c\":{\"max_timeout_ms\":"
		"90000}}}}}",
		/* one tool fewer */
		"{\"mcpServers\":{\"s\":{\"command\":\"x\",\"tool_timeouts\":"
		"{\"a\":{\"timeout_ms\":9000}}}}}",
	};
	struct tx_config_file *cf[6];
	char err[512];

	(void)state;
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(parse(docs[i], &cf[i], err, sizeof(err)), 0);
	assert_true(tx_mcp_spec_equal(&cf[0]->servers[0], &cf[1]->servers[0]));
	for (size_t i = 2; i < 6; i++)
		if (tx_mcp_spec_equal(&cf[0]->servers[0], &cf[i]->servers[0]))
			fail_msg("doc %zu taken as unchanged", i);
	assert_false(tx_mcp_spec_equal(&cf[0]->servers[0], NULL));
	assert_true(tx_mcp_spec_equal(NULL, NULL));
	for (size_t i = 0; i < 6; i++)
		tx_config_file_free(cf[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_keys),
		cmocka_unit_test(test_too_many_servers),
		cmocka_unit_test(test_long_expansion),
		cmocka_unit_test(test_headers_file_refused),
		cmocka_unit_test(test_equal_with_tool_timeouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
