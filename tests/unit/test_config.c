/*
 * test_config.c - the configuration parser: good documents become the
 * expected specs; every bad one is refused with a message naming the
 * file, the JSON path and what is wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "util/jsonu.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

static int parse(const char *doc, struct tx_config_file **cf, char *err,
		 size_t errlen)
{
	return tx_config_parse_buffer("t.json", doc, strlen(doc), cf, err,
				      errlen);
}

/* ------------------------------------------------------------------ */
/* Good documents                                                       */

static void test_full_tool(void **state)
{
	static const char doc[] =
		"{\"$schema\":\"x\",\"comment\":\"c\",\"tools\":[{"
		"\"namespace\":\"local\",\"name\":\"grep\",\"title\":\"Grep\","
		"\"description\":\"Search text\",\"tags\":[\"text\",\"search\"],"
		"\"input_schema\":{\"type\":\"object\",\"properties\":{"
		"\"pattern\":{\"type\":\"string\"},\"path\":{\"type\":\"string\"}},"
		"\"required\":[\"pattern\"]},"
		"\"output_schema\":{\"type\":\"object\"},"
		"\"command\":[\"grep\",\"-n\",\"--\",\"{pattern}\",\"{path}\"],"
		"\"stdin\":\"json\",\"timeout_ms\":5000,"
		"\"env\":{\"A\":\"1\",\"B\":\"x=y\"},\"inherit_env\":true,"
		"\"cwd\":\"/tmp\",\"max_output_bytes\":100,"
		"\"max_stderr_bytes\":0,\"kill_grace_ms\":10}]}";
	struct tx_config_file *cf = NULL;
	struct tx_tool_spec *t;
	char err[512];

	(void)state;
	assert_int_equal(parse(doc, &cf, err, sizeof(err)), 0);
	assert_int_equal(cf->ntools, 1);
	assert_int_equal(cf->nservers, 0);
	t = &cf->tools[0];
	assert_string_equal(t->ns, "local");
	assert_string_equal(t->name, "grep");
	assert_string_equal(t->title, "Grep");
	assert_string_equal(t->description, "Search text");
	assert_int_equal(t->ntags, 2);
	assert_string_equal(t->tags[1], "search");
	assert_non_null(t->input_schema);
	assert_non_null(t->output_schema);
	assert_int_equal(t->exec.argc, 5);
	assert_string_equal(t->exec.argv[3], "{pattern}");
	assert_null(t->exec.argv[5]);
	assert_int_equal(t->exec.stdin_mode, TX_STDIN_JSON);
	assert_int_equal(t->exec.timeout_ms, 5000);
	assert_string_equal(t->exec.env[0], "A=1");
	assert_string_equal(t->exec.env[1], "B=x=y");
	assert_null(t->exec.env[2]);
	assert_true(t->exec.inherit_env);
	assert_string_equal(t->exec.cwd, "/tmp");
	assert_int_equal(t->exec.max_output, 100);
	assert_int_equal(t->exec.max_stderr, 0);
	assert_int_equal(t->exec.kill_grace_ms, 10);
	tx_config_file_free(cf);
}

/* Only the required keys: every optional one takes its default. */
static void test_defaults(void **state)
{
	static const char doc[] =
		"{\"tools\":[{\"namespace\":\"n\",\"name\":\"date\","
		"\"description\":\"d\",\"input_schema\":{\"type\":\"object\"},"
		"\"command\":[\"date\"],\"stdin\":\"none\",\"timeout_ms\":2500}]}";
	struct tx_config_file *cf = NULL;
	struct tx_exec_spec *e;
	char err[512];

	(void)state;
	assert_int_equal(parse(doc, &cf, err, sizeof(err)), 0);
	e = &cf->tools[0].exec;
	assert_null(cf->tools[0].title);
	assert_null(cf->tools[0].output_schema);
	assert_null(cf->tools[0].tags);
	assert_non_null(cf->tools[0].input_schema);
	assert_int_equal(e->stdin_mode, TX_STDIN_NONE);
	assert_null(e->stdin_arg);
	assert_int_equal(e->timeout_ms, 2500);
	assert_int_equal(e->max_output, 1024 * 1024);
	assert_int_equal(e->max_stderr, 64 * 1024);
	assert_int_equal(e->kill_grace_ms, 2000);
	assert_false(e->inherit_env);
	assert_null(e->env);
	assert_null(e->cwd);
	tx_config_file_free(cf);
}

static void test_empty_and_servers(void **state)
{
	static const char doc[] =
		"{\"mcpServers\":{"
		"\"fs\":{\"type\":\"stdio\",\"command\":\"npx\",\"args\":[\"-y\","
		"\"pkg\"],\"env\":{\"K\":\"V\"},\"cwd\":\"/tmp\","
		"\"autoApprove\":[],\"timeout\":5,\"lazy\":true,"
		"\"timeout_ms\":1000,\"startup_timeout_ms\":2000,"
		"\"max_concurrency\":4},"
		"\"web\":{\"type\":\"http\",\"url\":\"https://example.com/mcp\","
		"\"headers\":{\"Authorization\":\"Bearer x\"}},"
		"\"ws\":{\"serverUrl\":\"http://localhost:1/mcp\"},"
		"\"off\":{\"command\":\"x\",\"disabled\":true}}}";
	struct tx_config_file *cf = NULL;
	struct tx_mcp_spec *s, *d;
	char err[512];

	(void)state;
	assert_int_equal(parse("{}", &cf, err, sizeof(err)), 0);
	assert_int_equal(cf->ntools + cf->nservers, 0);
	tx_config_file_free(cf);

	assert_int_equal(parse(doc, &cf, err, sizeof(err)), 0);
	assert_int_equal(cf->nservers, 3);
	s = &cf->servers[0];
	assert_string_equal(s->name, "fs");
	assert_string_equal(s->command, "npx");
	assert_string_equal(s->args[1], "pkg");
	assert_null(s->args[2]);
	assert_string_equal(s->env[0], "K=V");
	assert_true(s->lazy);
	assert_int_equal(s->timeout_ms, 1000);
	assert_int_equal(s->startup_timeout_ms, 2000);
	assert_int_equal(s->max_concurrency, 4);
	assert_string_equal(cf->servers[1].url, "https://example.com/mcp");
	assert_string_equal(cf->servers[1].headers[0],
			    "Authorization: Bearer x");
	assert_null(cf->servers[1].command);
	assert_int_equal(cf->servers[1].timeout_ms, 60000);
	assert_int_equal(cf->servers[1].startup_timeout_ms, 30000);
	assert_string_equal(cf->servers[2].url, "http://localhost:1/mcp");

	d = tx_mcp_spec_dup(s);
	assert_non_null(d);
	assert_true(tx_mcp_spec_equal(s, d));
	d->lazy = false;
	assert_false(tx_mcp_spec_equal(s, d));
	d->lazy = true;
	free(d->args[1]);
	d->args[1] = strdup("other");
	assert_false(tx_mcp_spec_equal(s, d));
	assert_false(tx_mcp_spec_equal(s, &cf->servers[1]));
	tx_mcp_spec_free(d);
	tx_config_file_free(cf);
}

static void test_exec_spec_dup(void **state)
{
	static const char doc[] =
		"{\"tools\":[{\"namespace\":\"n\",\"name\":\"x\","
		"\"description\":\"d\",\"command\":[\"echo\",\"a\"],"
		"\"env\":{\"K\":\"V\"},\"cwd\":\"/\",\"stdin\":\"{t}\","
		"\"timeout_ms\":700,"
		"\"input_schema\":{\"properties\":{\"t\":{}}}}]}";
	struct tx_config_file *cf = NULL;
	struct tx_exec_spec *d;
	char err[512];

	(void)state;
	assert_int_equal(parse(doc, &cf, err, sizeof(err)), 0);
	d = tx_exec_spec_dup(&cf->tools[0].exec);
	tx_config_file_free(cf);
	assert_non_null(d);
	assert_int_equal(d->argc, 2);
	assert_string_equal(d->argv[1], "a");
	assert_string_equal(d->env[0], "K=V");
	assert_string_equal(d->cwd, "/");
	assert_int_equal(d->stdin_mode, TX_STDIN_ARG);
	assert_string_equal(d->stdin_arg, "t");
	assert_int_equal(d->timeout_ms, 700);
	tx_exec_spec_free(d);
	tx_exec_spec_free(NULL);
}

/* The command is compiled when the file is loaded: which elements stand
 * for an argument, and which are taken as they are.  Copies keep it. */
static void test_command_compiled(void **state)
{
	static const char doc[] =
		"{\"tools\":[{\"namespace\":\"n\",\"name\":\"c\","
		"\"description\":\"d\",\"timeout_ms\":700,\"stdin\":\"none\","
		"\"command\":[\"prog\",\"-x\",\"{a}\",\"{b}-x\",\"{b}\","
		"\"{a\",\"{}\"],"
		"\"input_schema\":{\"properties\":{\"a\":{},\"b\":{}}}}]}";
	static const char *const params[] = { NULL, NULL, "a", NULL,
					      "b",  NULL, NULL };
	struct tx_config_file *cf = NULL;
	struct tx_exec_spec *d;
	char err[512];

	(void)state;
	assert_int_equal(parse(doc, &cf, err, sizeof(err)), 0);
	assert_string_equal(cf->tools[0].kind, "exec");
	assert_int_equal(cf->tools[0].exec.argc, 7);
	d = tx_exec_spec_dup(&cf->tools[0].exec);
	assert_non_null(d);
	for (size_t i = 0; i < 7; i++) {
		if (params[i]) {
			assert_string_equal(cf->tools[0].exec.params[i],
					    params[i]);
			assert_string_equal(d->params[i], params[i]);
		} else {
			assert_null(cf->tools[0].exec.params[i]);
			assert_null(d->params[i]);
		}
	}
	tx_config_file_free(cf);
	/* The copy is its own. */
	assert_string_equal(d->params[2], "a");
	assert_string_equal(d->argv[2], "{a}");
	tx_exec_spec_free(d);
}

/* Relative "dir/prog" and cwd are taken from the file's directory. */
static void test_file_relative_paths(void **state)
{
	char dir[] = "/tmp/txcfgXXXXXX", path[256], err[512];
	struct tx_config_file *cf = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"tools\":[{\"namespace\":\"n\",\"name\":\"x\",\"description\":"
	      "\"d\",\"input_schema\":{\"type\":\"object\"},\"stdin\":\"none\","
	      "\"timeout_ms\":1000,\"command\":[\"bin/run.sh\"],\"cwd\":\"data\"},"
	      "{\"namespace\":\"n\",\"name\":\"y\",\"description\":\"d\","
	      "\"input_schema\":{\"type\":\"object\"},\"stdin\":\"json\","
	      "\"timeout_ms\":1000,\"command\":[\"ls\"]}]}",
	      f);
	fclose(f);
	assert_int_equal(tx_config_parse_file(path, &cf, err, sizeof(err)), 0);
	assert_string_equal(cf->path, path);
	snprintf(path, sizeof(path), "%s/bin/run.sh", dir);
	assert_string_equal(cf->tools[0].exec.argv[0], path);
	snprintf(path, sizeof(path), "%s/data", dir);
	assert_string_equal(cf->tools[0].exec.cwd, path);
	assert_string_equal(cf->tools[1].exec.argv[0], "ls");
	tx_config_file_free(cf);

	/* Missing file: -ENOENT, named. */
	snprintf(path, sizeof(path), "%s/none.json", dir);
	assert_int_equal(tx_config_parse_file(path, &cf, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "none.json"));
	assert_null(cf);

	/* Bigger than the cap: refused before parsing. */
	snprintf(path, sizeof(path), "%s/big.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), TX_CONFIG_FILE_MAX + 1), 0);
	fclose(f);
	assert_int_not_equal(tx_config_parse_file(path, &cf, err, sizeof(err)),
			     0);
	assert_non_null(strstr(err, "big.json: $: "));
	assert_non_null(strstr(err, "limit"));
	unlink(path);

	snprintf(path, sizeof(path), "%s/a.json", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

/* Every shipped example parses, and has what a tool needs. */
static void test_default_examples(void **state)
{
	const char *dirpath = TOP_SRCDIR "/mountpoint-examples/default";
	DIR *d = opendir(dirpath);
	struct dirent *de;
	size_t files = 0, tools = 0;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d))) {
		struct tx_config_file *cf = NULL;
		char path[512], err[512];
		size_t n = strlen(de->d_name);

		if (n < 5 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirpath, de->d_name);
		if (tx_config_parse_file(path, &cf, err, sizeof(err)))
			fail_msg("%s", err);
		for (size_t i = 0; i < cf->ntools; i++) {
			assert_true(strlen(cf->tools[i].description) > 20);
			assert_true(cf->tools[i].exec.timeout_ms <= 30000);
		}
		tools += cf->ntools;
		files++;
		tx_config_file_free(cf);
	}
	closedir(d);
	assert_true(files >= 1);
	assert_true(tools >= 5);
}

/* ------------------------------------------------------------------ */
/* Bad documents                                                        */

struct bad {
	const char *doc;
	const char *expect; /* after "t.json: " */
};

/*
 * T0 opens a tool with its names; IS, SI and TM are the other keys every
 * exec tool needs besides CMD.  A case leaves out or replaces exactly the
 * one key it is about, so that the error it expects is the first one.
 */
#define T0 \
	"{\"tools\":[{\"namespace\":\"n\",\"name\":\"x\",\"description\":\"d\","
#define IS  "\"input_schema\":{\"type\":\"object\"},"
#define SI  "\"stdin\":\"none\","
#define TM  "\"timeout_ms\":1000,"
#define CMD "\"command\":[\"echo\"]"
#define T1  T0 IS SI TM
#define TOOL(name)                              \
	"{\"namespace\":\"n\",\"name\":\"" name \
	"\",\"description\":\"d\"," IS SI TM CMD "}"

static const struct bad bad_docs[] = {
	/* invalid JSON, trailing garbage, wrong top level */
	{ "{\"tools\": [}", "$: invalid JSON at byte 11" },
	{ "{\"tools\": []", "$: unexpected end" },
	{ "{} x", "$: " },
	{ "{}{}", "$: invalid JSON at byte 2" },
	{ "{}\n\n  x",
	  "$: invalid JSON at byte 6: unexpected character (line 3, column 3)" },
	{ "", "$: empty document" },
	{ "null", "$: expected an object at the top level, got null" },
	{ "[]", "$: expected an object at the top level, got array" },
	{ "{'tools':[]}", "$: invalid JSON" },
	{ "{\"tools\":[],}", "$: invalid JSON" },
	/* unknown keys, with hints */
	{ "{\"tool\":[]}", "$.tool: unknown key (did you mean \"tools\"?)" },
	{ "{\"servers\":{}}",
	  "$.servers: unknown key (did you mean \"mcpServers\"?)" },
	{ "{\"whatever\":1}", "$.whatever: unknown key" },
	{ T1 CMD ",\"inputSchema\":{}}]}",
	  "$.tools[0].inputSchema: unknown key (did you mean \"input_schema\"?)" },
	{ T1 CMD ",\"timeout\":5}]}",
	  "$.tools[0].timeout: unknown key (did you mean \"timeout_ms\"?)" },
	{ T1 CMD ",\"descripton\":\"x\"}]}",
	  "$.tools[0].descripton: unknown key (did you mean \"description\"?)" },
	/* wrong types */
	{ "{\"tools\":{}}", "$.tools: expected an array of tools, got object" },
	{ "{\"tools\":[1]}", "$.tools[0]: expected an object" },
	{ T1 "\"command\":\"echo hi\"}]}",
	  "$.tools[0].command: expected an array of strings, got string" },
	{ T1 "\"command\":[\"echo\",1]}]}",
	  "$.tools[0].command[1]: expected a string, got int" },
	{ T0 IS SI CMD ",\"timeout_ms\":\"5\"}]}",
	  "$.tools[0].timeout_ms: expected an integer, got string" },
	{ T0 IS SI CMD ",\"timeout_ms\":1.5}]}",
	  "$.tools[0].timeout_ms: expected an integer, got double" },
	{ T0 IS SI CMD ",\"timeout_ms\":-1}]}",
	  "$.tools[0].timeout_ms: must be an integer from 1 to" },
	{ T0 IS SI CMD ",\"timeout_ms\":0}]}",
	  "$.tools[0].timeout_ms: must be" },
	{ T0 IS SI CMD ",\"timeout_ms\":null}]}",
	  "$.tools[0].timeout_ms: expected an integer, got null" },
	{ T1 CMD ",\"max_output_bytes\":99999999999999999999}]}",
	  "$.tools[0].max_output_bytes: " },
	{ T1 CMD ",\"inherit_env\":\"yes\"}]}",
	  "$.tools[0].inherit_env: expected true or false" },
	{ T1 CMD ",\"env\":[\"A=1\"]}]}",
	  "$.tools[0].env: expected an object" },
	{ T1 CMD ",\"env\":{\"A\":1}}]}",
	  "$.tools[0].env.A: expected a string" },
	{ T1 CMD ",\"env\":{\"A=B\":\"1\"}}]}",
	  "$.tools[0].env[\"A=B\"]: not a valid name" },
	{ T1 CMD ",\"tags\":[\"a\",2]}]}",
	  "$.tools[0].tags[1]: expected a string" },
	{ T1 CMD ",\"tags\":[\"\"]}]}",
	  "$.tools[0].tags[0]: must not be empty" },
	{ T0 SI TM CMD ",\"input_schema\":[]}]}",
	  "$.tools[0].input_schema: expected" },
	{ T0 SI TM CMD ",\"input_schema\":null}]}",
	  "$.tools[0].input_schema: expected a JSON Schema object, got null" },
	{ T0 SI TM CMD ",\"input_schema\":{\"type\":\"array\"}}]}",
	  "$.tools[0].input_schema.type: arguments are a JSON object" },
	{ T1 CMD ",\"output_schema\":true}]}",
	  "$.tools[0].output_schema: expected" },
	{ T1 CMD ",\"cwd\":\"\"}]}", "$.tools[0].cwd: must not be empty" },
	{ T1 CMD ",\"comment\":1}]}", "$.tools[0].comment: expected a string" },
	{ "{\"comment\":[]}", "$.comment: expected a string" },
	/* missing fields */
	{ "{\"tools\":[{\"name\":\"x\",\"description\":\"d\"," IS SI TM CMD
	  "}]}",
	  "$.tools[0]: missing required key \"namespace\"" },
	{ "{\"tools\":[{\"namespace\":\"n\",\"description\":\"d\"," IS SI TM CMD
	  "}]}",
	  "$.tools[0]: missing required key \"name\"" },
	{ "{\"tools\":[{\"namespace\":\"n\",\"name\":\"x\"," IS SI TM CMD "}]}",
	  "$.tools[0]: missing required key \"description\"" },
	{ T0 SI TM CMD "}]}",
	  "$.tools[0]: missing required key \"input_schema\" (a tool without "
	  "arguments says {\"type\": \"object\"})" },
	{ T0 IS TM "\"stdin\":\"json\"}]}",
	  "$.tools[0]: missing required key \"command\"" },
	{ T0 IS TM CMD "}]}", "$.tools[0]: missing required key \"stdin\"" },
	{ T0 IS SI CMD "}]}",
	  "$.tools[0]: missing required key \"timeout_ms\"" },
	/* ... named by the path of the tool that lacks them */
	{ "{\"tools\":[" TOOL("a") ",{\"namespace\":\"n\",\"name\":\"b\","
				   "\"description\":\"d\"," SI TM CMD "}]}",
	  "$.tools[1]: missing required key \"input_schema\"" },
	{ "{\"tools\":[" TOOL("a") "," TOOL(
		  "b") ",{\"namespace\":\"n\","
		       "\"name\":\"c\",\"description\":\"d\"," IS TM CMD "}]}",
	  "$.tools[2]: missing required key \"stdin\"" },
	{ "{\"tools\":[" TOOL("a") ",{\"namespace\":\"n\",\"name\":\"b\","
				   "\"description\":\"d\"," IS SI CMD "}]}",
	  "$.tools[1]: missing required key \"timeout_ms\"" },
	{ T1 "\"command\":[]}]}", "$.tools[0].command: must name at least" },
	{ T1 "\"command\":[\"\"]}]}",
	  "$.tools[0].command[0]: the program must not be empty" },
	/* bad values */
	{ "{\"tools\":[{\"namespace\":\"\",\"name\":\"x\",\"description\":\"d\"," IS
		  SI TM CMD "}]}",
	  "$.tools[0].namespace: must not be empty" },
	{ "{\"tools\":[{\"namespace\":\"a:b\",\"name\":\"x\",\"description\":\"d\"," IS
		  SI TM CMD "}]}",
	  "$.tools[0].namespace: a namespace must not contain ':'" },
	{ "{\"tools\":[{\"namespace\":\"a\",\"name\":\"x\\ty\",\"description\":\"d\"," IS
		  SI TM CMD "}]}",
	  "$.tools[0].name: control characters" },
	{ "{\"tools\":[{\"namespace\":\"a\",\"name\":\"x\\u0000y\",\"description\":\"d\"," IS
		  SI TM CMD "}]}",
	  "$.tools[0].name: string contains a NUL byte" },
	{ T0 IS TM CMD ",\"stdin\":\"text\"}]}",
	  "$.tools[0].stdin: must be \"json\", \"none\" or \"{ARG}\"" },
	{ T0 IS TM CMD ",\"stdin\":\"{text}\"}]}",
	  "$.tools[0].stdin: placeholder \"{text}\" names no property" },
	{ T0 IS TM CMD ",\"stdin\":5}]}",
	  "$.tools[0].stdin: expected a string" },
	{ T0 IS TM CMD ",\"stdin\":null}]}",
	  "$.tools[0].stdin: expected a string" },
	{ T1 "\"command\":[\"echo\",\"{nope}\"]}]}",
	  "$.tools[0].command[1]: placeholder \"{nope}\" names no property of input_schema" },
	{ T0 SI TM
	  "\"input_schema\":{\"type\":\"object\",\"properties\":{\"a\":{}}},"
	  "\"command\":[\"echo\",\"{a}\",\"{b}\"]}]}",
	  "$.tools[0].command[2]: placeholder \"{b}\"" },
	{ T0 SI TM
	  "\"input_schema\":{\"properties\":{\"p\":{}}},\"command\":[\"{p}\"]}]}",
	  "$.tools[0].command[0]: the program (first element) cannot be a placeholder" },
	/* duplicate IDs */
	{ "{\"tools\":[" TOOL("x") "," TOOL("y") "," TOOL("x") "]}",
	  "$.tools[2]: duplicate tool ID \"n:x\" (also at $.tools[0])" },
	/* MCP servers */
	{ "{\"mcpServers\":[]}", "$.mcpServers: expected an object" },
	{ "{\"mcpServers\":{\"a\":1}}", "$.mcpServers.a: expected an object" },
	{ "{\"mcpServers\":{\"a\":{}}}",
	  "$.mcpServers.a: missing required key \"command\"" },
	{ "{\"mcpServers\":{\"a\":{\"comand\":\"x\"}}}",
	  "$.mcpServers.a.comand: unknown key (did you mean \"command\"?)" },
	{ "{\"mcpServers\":{\"a\":{\"command\":\"x\",\"url\":\"http://h\"}}}",
	  "$.mcpServers.a: give either \"command\"" },
	{ "{\"mcpServers\":{\"a\":{\"url\":\"ftp://h\"}}}",
	  "$.mcpServers.a.url: must start with http:// or https://" },
	{ "{\"mcpServers\":{\"a\":{\"type\":\"stdio\",\"url\":\"http://h\"}}}",
	  "$.mcpServers.a.type: \"stdio\" needs \"command\"" },
	{ "{\"mcpServers\":{\"a\":{\"type\":\"ws\",\"command\":\"x\"}}}",
	  "$.mcpServers.a.type: must be" },
	{ "{\"mcpServers\":{\"a\":{\"command\":\"x\",\"args\":\"-y\"}}}",
	  "$.mcpServers.a.args: expected an array of strings" },
	{ "{\"mcpServers\":{\"a\":{\"url\":\"http://h\",\"headers\":{\"X\":\"a\\r\\nB: c\"}}}}",
	  "$.mcpServers.a.headers: header values must not contain line breaks" },
	{ "{\"mcpServers\":{\"a\":{\"url\":\"http://h\",\"headers\":{\"X Y\":\"a\"}}}}",
	  "$.mcpServers.a.headers[\"X Y\"]: not a valid name" },
	{ "{\"mcpServers\":{\"a:b\":{\"command\":\"x\"}}}",
	  "$.mcpServers[\"a:b\"]: a server name is its tools' namespace" },
	{ "{\"mcpServers\":{\"a\":{\"command\":\"x\",\"disabled\":\"no\"}}}",
	  "$.mcpServers.a.disabled: expected true or false" },
	{ "{\"mcpServers\":{\"a\":{\"command\":\"x\",\"max_concurrency\":5000}}}",
	  "$.mcpServers.a.max_concurrency: must be an integer from 0 to 1024" },
	{ "{\"mcpServers\":{\"a\":{\"url\":\"http://h\",\"env\":{}}}}",
	  "$.mcpServers.a: \"args\", \"env\" and \"cwd\" apply" },
};

static void test_bad_documents(void **state)
{
	static const char base[] = T1 CMD "}]}";
	static const char three[] =
		"{\"tools\":[" TOOL("a") "," TOOL("b") "," TOOL("c") "]}";
	struct tx_config_file *good = NULL;
	char gerr[512];

	(void)state;
	/* What the cases start from is valid: each fails for its own key. */
	if (parse(base, &good, gerr, sizeof(gerr)))
		fail_msg("%s", gerr);
	tx_config_file_free(good);
	if (parse(three, &good, gerr, sizeof(gerr)))
		fail_msg("%s", gerr);
	assert_int_equal(good->ntools, 3);
	tx_config_file_free(good);
	for (size_t i = 0; i < sizeof(bad_docs) / sizeof(bad_docs[0]); i++) {
		struct tx_config_file *cf = (void *)1;
		char err[512] = "", want[512];
		int rc = parse(bad_docs[i].doc, &cf, err, sizeof(err));

		snprintf(want, sizeof(want), "t.json: %s", bad_docs[i].expect);
		if (rc != -EINVAL || cf != NULL ||
		    strncmp(err, want, strlen(want)))
			fail_msg("doc %zu %s\n  rc %d\n  want: %s\n  got:  %s",
				 i, bad_docs[i].doc, rc, want, err);
	}
}

static void test_bad_utf8(void **state)
{
	static const char *const docs[] = {
		"{\"comment\":\"\xff\"}",
		"{\"comment\":\"\xc0\xaf\"}",     /* overlong '/' */
		"{\"comment\":\"\xed\xa0\x80\"}", /* surrogate */
		"{\n\"comment\":\"ok\xe2\x82\"}", /* cut short */
	};
	struct tx_config_file *cf = NULL;
	char err[512];

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(tx_config_parse_buffer("u.json", docs[i],
							strlen(docs[i]), &cf,
							err, sizeof(err)),
				 -EINVAL);
		assert_non_null(
			strstr(err, "u.json: $: invalid UTF-8 at line"));
	}
	assert_non_null(strstr(err, "line 2, column 14"));
}

static void test_too_big_and_too_deep(void **state)
{
	size_t len = TX_CONFIG_FILE_MAX + 10, depth = 200, o = 0;
	struct tx_config_file *cf = NULL;
	char *doc = malloc(len + 1);
	char err[512];

	(void)state;
	assert_non_null(doc);
	memset(doc, ' ', len);
	doc[0] = '{';
	doc[len - 1] = '}';
	doc[len] = '\0';
	assert_int_equal(tx_config_parse_buffer("big.json", doc, len, &cf, err,
						sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "big.json: $: file is"));

	o = (size_t)snprintf(doc, len + 1, "{\"comment\":\"x\",\"tools\":");
	for (size_t i = 0; i < depth; i++)
		doc[o++] = '[';
	for (size_t i = 0; i < depth; i++)
		doc[o++] = ']';
	doc[o++] = '}';
	assert_int_equal(tx_config_parse_buffer("deep.json", doc, o, &cf, err,
						sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "deep.json: $: "));
	assert_non_null(strstr(err, "too deep"));
	free(doc);
}

/* A message never overruns the caller's buffer. */
static void test_small_error_buffer(void **state)
{
	struct tx_config_file *cf = NULL;
	char err[8];

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(parse("{\"tool\":[]}", &cf, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(err[7], '\0');
	assert_int_equal(parse("{\"tool\":[]}", &cf, NULL, 0), -EINVAL);
}

/* MCP stdio servers' "inherit_env": parsed, copied, compared (a change
 * restarts the server), and refused for a remote server. */
static void test_mcp_inherit_env(void **state)
{
	static const char doc[] =
		"{\"mcpServers\":{"
		"\"a\":{\"command\":\"srv\",\"inherit_env\":true},"
		"\"b\":{\"command\":\"srv\"}}}";
	struct tx_config_file *cf = NULL;
	struct tx_mcp_spec *a, *b, *d;
	char err[512];

	(void)state;
	assert_int_equal(parse(doc, &cf, err, sizeof(err)), 0);
	assert_int_equal(cf->nservers, 2);
	a = !strcmp(cf->servers[0].name, "a") ? &cf->servers[0]
					      : &cf->servers[1];
	b = a == &cf->servers[0] ? &cf->servers[1] : &cf->servers[0];
	assert_true(a->inherit_env);
	assert_false(b->inherit_env);
	d = tx_mcp_spec_dup(a);
	assert_non_null(d);
	assert_true(d->inherit_env);
	assert_true(tx_mcp_spec_equal(a, d));
	d->inherit_env = false;
	assert_false(tx_mcp_spec_equal(a, d));
	tx_mcp_spec_free(d);
	tx_config_file_free(cf);

	cf = NULL;
	assert_int_equal(parse("{\"mcpServers\":{\"r\":{\"url\":"
			       "\"http://x/mcp\",\"inherit_env\":true}}}",
			       &cf, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "$.mcpServers.r: \"inherit_env\" applies "
				    "to local servers"));
	assert_null(cf);
	assert_int_equal(parse("{\"mcpServers\":{\"s\":{\"command\":\"x\","
			       "\"inherit_env\":\"yes\"}}}",
			       &cf, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "inherit_env"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_tool),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_and_servers),
		cmocka_unit_test(test_exec_spec_dup),
		cmocka_unit_test(test_command_compiled),
		cmocka_unit_test(test_file_relative_paths),
		cmocka_unit_test(test_default_examples),
		cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_too_big_and_too_deep),
		cmocka_unit_test(test_small_error_buffer),
		cmocka_unit_test(test_mcp_inherit_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
