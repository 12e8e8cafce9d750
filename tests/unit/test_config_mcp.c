/*
 * test_config_mcp.c - "mcpServers" values from the environment: ${VAR}
 * and ${VAR:-default} in url, headers, args, command and env; the error
 * for an unset variable names the file, the JSON path and the variable;
 * headersFile is read only when nobody else may read it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
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
	return tx_config_parse_buffer("t.json", doc, strlen(doc), cf, err,
				      errlen);
}

static void test_expanded(void **state)
{
	static const char doc[] =
		"{\"mcpServers\":{"
		"\"web\":{\"url\":\"http://h:${TXT_PORT}/mcp\","
		"\"headers\":{\"Authorization\":\"Bearer ${TXT_TOKEN}\","
		"\"X-Other\":\"${TXT_UNSET:-fallback}\","
		"\"X-Empty\":\"${TXT_EMPTY:-was empty}\","
		"\"X-Plain\":\"$HOME and ${TXT_EMPTY}.\"}},"
		"\"loc\":{\"command\":\"${TXT_DIR}/server\","
		"\"args\":[\"--token=${TXT_TOKEN}\",\"${TXT_UNSET:-}x\"],"
		"\"env\":{\"K\":\"${TXT_TOKEN}${TXT_TOKEN}\"}}}}";
	struct tx_config_file *cf = NULL;
	const struct tx_mcp_spec *web, *loc;
	char err[512];

	(void)state;
	setenv("TXT_PORT", "8080", 1);
	setenv("TXT_TOKEN", "s3cret", 1);
	setenv("TXT_EMPTY", "", 1);
	setenv("TXT_DIR", "/opt/x", 1);
	unsetenv("TXT_UNSET");
	assert_int_equal(parse(doc, &cf, err, sizeof(err)), 0);
	assert_int_equal(cf->nservers, 2);
	web = !strcmp(cf->servers[0].name, "web") ? &cf->servers[0]
						  : &cf->servers[1];
	loc = web == &cf->servers[0] ? &cf->servers[1] : &cf->servers[0];
	assert_string_equal(web->url, "http://h:8080/mcp");
	assert_string_equal(web->url_shown, "http://h:${TXT_PORT}/mcp");
	assert_string_equal(web->headers[0], "Authorization: Bearer s3cret");
	assert_string_equal(web->headers[1], "X-Other: fallback");
	assert_string_equal(web->headers[2], "X-Empty: was empty");
	assert_string_equal(web->headers[3], "X-Plain: $HOME and .");
	assert_string_equal(loc->command, "/opt/x/server");
	assert_string_equal(loc->args[0], "--token=s3cret");
	assert_string_equal(loc->args[1], "x");
	assert_string_equal(loc->env[0], "K=s3crets3cret");
	assert_null(loc->url_shown);
	tx_config_file_free(cf);
}

static void test_unset_and_malformed(void **state)
{
	static const struct {
		const char *doc, *err;
	} cases[] = {
		{ "{\"mcpServers\":{\"w\":{\"url\":\"http://h/\","
		  "\"headers\":{\"Authorization\":\"Bearer ${TXT_NONE}\"}}}}",
		  "t.json: $.mcpServers.w.headers.Authorization: environment "
		  "variable TXT_NONE is not set (write ${TXT_NONE:-DEFAULT} to "
		  "give a default)" },
		{ "{\"mcpServers\":{\"w\":{\"command\":\"x\","
		  "\"args\":[\"a\",\"${TXT_NONE}\"]}}}",
		  "t.json: $.mcpServers.w.args[1]: environment variable "
		  "TXT_NONE is not set (write ${TXT_NONE:-DEFAULT} to give a "
		  "default)" },
		{ "{\"mcpServers\":{\"w\":{\"command\":\"x\","
		  "\"env\":{\"A\":\"${TXT_NONE}\"}}}}",
		  "t.json: $.mcpServers.w.env.A: environment variable TXT_NONE "
		  "is not set" },
		{ "{\"mcpServers\":{\"w\":{\"url\":\"http://${TXT_NONE}/\"}}}",
		  "t.json: $.mcpServers.w.url: environment variable TXT_NONE" },
		{ "{\"mcpServers\":{\"w\":{\"command\":\"${TXT_NONE}\"}}}",
		  "t.json: $.mcpServers.w.command: environment variable "
		  "TXT_NONE" },
		{ "{\"mcpServers\":{\"w\":{\"command\":\"${1A}\"}}}",
		  "t.json: $.mcpServers.w.command: \"${\" must start ${NAME} or "
		  "${NAME:-default}" },
		{ "{\"mcpServers\":{\"w\":{\"command\":\"${A\"}}}",
		  "t.json: $.mcpServers.w.command: \"${\" must start" },
		{ "{\"mcpServers\":{\"w\":{\"command\":\"${A:-x\"}}}",
		  "t.json: $.mcpServers.w.command: ${A:- has no closing '}'" },
		/* An expanded value is checked like a literal one. */
		{ "{\"mcpServers\":{\"w\":{\"url\":\"${TXT_NL:-ftp://x}\"}}}",
		  "t.json: $.mcpServers.w.url: must start with http://" },
		{ "{\"mcpServers\":{\"w\":{\"url\":\"http://h/\","
		  "\"headers\":{\"A\":\"${TXT_NL}\"}}}}",
		  "t.json: $.mcpServers.w.headers: header values must not "
		  "contain line breaks" },
	};
	char err[512];

	(void)state;
	unsetenv("TXT_NONE");
	setenv("TXT_NL", "a\r\nX-Evil: 1", 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tx_config_file *cf = NULL;

		assert_int_equal(parse(cases[i].doc, &cf, err, sizeof(err)),
				 -EINVAL);
		if (!strstr(err, cases[i].err))
			fail_msg("case %zu: [%s] not in [%s]", i, cases[i].err,
				 err);
		/* The value of a set variable is never quoted. */
		assert_null(strstr(err, "X-Evil"));
	}
}

static void test_headers_file(void **state)
{
	char dir[] = "/tmp/txhdrXXXXXX", path[64], doc[256], err[512];
	struct tx_config_file *cf = NULL;
	char **v = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/h", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# rotated by another tool\n\nAuthorization: Bearer t1\r\n"
	      "X-A:b\n",
	      f);
	fclose(f);
	setenv("TXT_HDIR", dir, 1);
	snprintf(doc, sizeof(doc),
		 "{\"mcpServers\":{\"w\":{\"url\":\"http://h/\","
		 "\"headersFile\":\"${TXT_HDIR}/h\"}}}");

	/* Readable by others: refused, naming the mode. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(parse(doc, &cf, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.json: $.mcpServers.w.headersFile: "
				    "headersFile "));
	assert_non_null(strstr(err, "mode 0644"));
	assert_null(strstr(err, "Bearer"));

	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(parse(doc, &cf, err, sizeof(err)), 0);
	assert_string_equal(cf->servers[0].headers_file, path);
	tx_config_file_free(cf);
	assert_int_equal(tx_mcp_read_headers_file(path, &v, err, sizeof(err)),
			 0);
	assert_string_equal(v[0], "Authorization: Bearer t1");
	assert_string_equal(v[1], "X-A: b");
	assert_null(v[2]);
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);

	f = fopen(path, "w");
	fputs("no colon here\n", f);
	fclose(f);
	assert_int_equal(tx_mcp_read_headers_file(path, &v, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "line 1: expected \"Name: value\""));
	assert_int_equal(tx_mcp_read_headers_file("rel/h", &v, err,
						  sizeof(err)),
			 -EINVAL);
	unlink(path);
	assert_int_equal(parse(doc, &cf, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "No such file or directory"));
	rmdir(dir);
}

static void test_timeouts(void **state)
{
	static const char doc[] =
		"{\"mcpServers\":{\"w\":{\"command\":\"x\",\"timeout_ms\":2000,"
		"\"tool_timeouts\":{\"slow\":{\"timeout_ms\":9000},"
		"\"capped\":{\"max_timeout_ms\":3000}}}}}";
	struct tx_config_file *cf = NULL;
	unsigned idle, cap;
	char err[512];

	(void)state;
	assert_int_equal(parse(doc, &cf, err, sizeof(err)), 0);
	/* Default cap: ten times the idle timeout. */
	assert_int_equal(cf->servers[0].max_timeout_ms, 20000);
	tx_mcp_spec_tool_timeouts(&cf->servers[0], "other", &idle, &cap);
	assert_int_equal(idle, 2000);
	assert_int_equal(cap, 20000);
	tx_mcp_spec_tool_timeouts(&cf->servers[0], "slow", &idle, &cap);
	assert_int_equal(idle, 9000);
	assert_int_equal(cap, 20000);
	tx_mcp_spec_tool_timeouts(&cf->servers[0], "capped", &idle, &cap);
	assert_int_equal(idle, 2000);
	assert_int_equal(cap, 3000);
	tx_config_file_free(cf);

	assert_int_equal(parse("{\"mcpServers\":{\"w\":{\"command\":\"x\","
			       "\"timeout_ms\":2000,\"max_timeout_ms\":1000}}}",
			       &cf, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "t.json: $.mcpServers.w.max_timeout_ms: must "
				 "not be less than \"timeout_ms\" (2000)");
	assert_int_equal(parse("{\"mcpServers\":{\"w\":{\"command\":\"x\","
			       "\"tool_timeouts\":{\"t\":{\"timeout\":1}}}}}",
			       &cf, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "t.json: $.mcpServers.w.tool_timeouts.t"));
}

static void test_elicitation(void **state)
{
	static const char *const words[] = { "none", "defaults", "ask",
					     "decline" };
	static const enum tx_elicit_mode modes[] = { TX_ELICIT_NONE,
						     TX_ELICIT_DEFAULTS,
						     TX_ELICIT_ASK,
						     TX_ELICIT_DECLINE };
	struct tx_config_file *cf = NULL;
	char doc[256], err[512];

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		snprintf(doc, sizeof(doc),
			 "{\"mcpServers\":{\"w\":{\"command\":\"x\","
			 "\"elicitation\":\"%s\"}}}",
			 words[i]);
		assert_int_equal(parse(doc, &cf, err, sizeof(err)), 0);
		assert_int_equal(cf->servers[0].elicit, modes[i]);
		tx_config_file_free(cf);
	}
	assert_int_equal(parse("{\"mcpServers\":{\"w\":{\"command\":\"x\"}}}",
			       &cf, err, sizeof(err)),
			 0);
	assert_int_equal(cf->servers[0].elicit, TX_ELICIT_NONE);
	tx_config_file_free(cf);
	assert_int_equal(parse("{\"mcpServers\":{\"w\":{\"command\":\"x\","
			       "\"elicitation\":\"prompt\"}}}",
			       &cf, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "t.json: $.mcpServers.w.elicitation: must be "
				 "\"ask\", \"decline\", \"defaults\" or "
				 "\"none\"");
}

/* The top-level "roots": parsed, refused when relative, taken by the
 * servers without their own, replaced on a change, never over a
 * server's own. */
static void test_global_roots(void **state)
{
	static const char doc[] =
		"{\"roots\":[\"/a\",\"/b c\"],\"mcpServers\":{"
		"\"x\":{\"command\":\"x\"},"
		"\"y\":{\"command\":\"y\",\"roots\":[\"/own\"]}}}";
	char *const other[] = { "/c", NULL };
	struct tx_config_file *cf = NULL;
	struct tx_mcp_spec *x, *y, *d;
	char err[512];

	(void)state;
	assert_int_equal(parse(doc, &cf, err, sizeof(err)), 0);
	assert_non_null(cf->roots);
	assert_string_equal(cf->roots[0], "/a");
	assert_string_equal(cf->roots[1], "/b c");
	assert_null(cf->roots[2]);
	x = !strcmp(cf->servers[0].name, "x") ? &cf->servers[0]
					      : &cf->servers[1];
	y = x == &cf->servers[0] ? &cf->servers[1] : &cf->servers[0];
	assert_null(x->roots);
	assert_int_equal(tx_mcp_spec_inherit_roots(x, cf->roots), 0);
	assert_int_equal(tx_mcp_spec_inherit_roots(y, cf->roots), 0);
	assert_string_equal(x->roots[1], "/b c");
	assert_true(x->roots_inherited);
	assert_string_equal(y->roots[0], "/own");
	assert_null(y->roots[1]);
	assert_false(y->roots_inherited);
	d = tx_mcp_spec_dup(x);
	assert_non_null(d);
	assert_true(d->roots_inherited);
	assert_true(tx_mcp_spec_equal(d, x));
	tx_mcp_spec_free(d);
	assert_int_equal(tx_mcp_spec_inherit_roots(x, other), 0);
	assert_string_equal(x->roots[0], "/c");
	assert_null(x->roots[1]);
	assert_int_equal(tx_mcp_spec_inherit_roots(x, NULL), 0);
	assert_null(x->roots);
	assert_false(x->roots_inherited);
	tx_config_file_free(cf);

	assert_int_equal(parse("{\"roots\":[\"rel\"]}", &cf, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err,
			    "t.json: $.roots: [0]: a root is an absolute path");
	assert_int_equal(parse("{\"roots\":\"/a\"}", &cf, err, sizeof(err)),
			 -EINVAL);
}

/* "sampling": the command and its timeout (default: timeout_ms), a
 * change of either makes another server; bad values are refused. */
static void test_sampling(void **state)
{
	struct tx_config_file *cf = NULL, *cf2 = NULL;
	char err[512];

	(void)state;
	assert_int_equal(parse("{\"mcpServers\":{\"s\":{\"command\":\"x\","
			       "\"timeout_ms\":1234,"
			       "\"sampling\":{\"command\":[\"llm\",\"-q\"]}}}}",
			       &cf, err, sizeof(err)),
			 0);
	assert_string_equal(cf->servers[0].sampling_argv[0], "llm");
	assert_string_equal(cf->servers[0].sampling_argv[1], "-q");
	assert_null(cf->servers[0].sampling_argv[2]);
	assert_int_equal(cf->servers[0].sampling_timeout_ms, 1234);
	assert_int_equal(parse("{\"mcpServers\":{\"s\":{\"command\":\"x\","
			       "\"timeout_ms\":1234,"
			       "\"sampling\":{\"command\":[\"llm\",\"-q\"],"
			       "\"timeout_ms\":50}}}}",
			       &cf2, err, sizeof(err)),
			 0);
	assert_int_equal(cf2->servers[0].sampling_timeout_ms, 50);
	assert_false(tx_mcp_spec_equal(&cf->servers[0], &cf2->servers[0]));
	tx_config_file_free(cf2);
	assert_int_equal(parse("{\"mcpServers\":{\"s\":{\"command\":\"x\"}}}",
			       &cf2, err, sizeof(err)),
			 0);
	assert_null(cf2->servers[0].sampling_argv);
	tx_config_file_free(cf2);
	tx_config_file_free(cf);

	assert_int_equal(parse("{\"mcpServers\":{\"s\":{\"command\":\"x\","
			       "\"sampling\":{\"command\":[]}}}}",
			       &cf, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "t.json: $.mcpServers.s.sampling.command: "
				 "expected a program to run");
	assert_int_equal(parse("{\"mcpServers\":{\"s\":{\"command\":\"x\","
			       "\"sampling\":{\"cmd\":[\"a\"]}}}}",
			       &cf, err, sizeof(err)),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expanded),
		cmocka_unit_test(test_unset_and_malformed),
		cmocka_unit_test(test_headers_file),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_elicitation),
		cmocka_unit_test(test_global_roots),
		cmocka_unit_test(test_sampling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
