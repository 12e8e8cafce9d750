/*
 * test_config_file_edges.c - a configuration file at its edges: UTF-8
 * text is accepted and a bad byte is placed by line and column in
 * characters; names, placeholders, schemas and tool counts past their
 * limits are refused with the JSON path; a file that is not a regular
 * file is refused; a file named without a directory resolves its
 * relative program against the directory it is in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"

#define TOOL(extra)                                                       \
	"{\"namespace\": \"n\", \"name\": \"t\", \"description\": \"d\"," \
	" \"input_schema\": {\"type\": \"object\"}, \"command\": "        \
	"[\"true\"], \"stdin\": \"none\", \"timeout_ms\": 1000" extra "}"

static int parse(const char *doc, struct tx_config_file **cf, char *err,
		 size_t errlen)
{
	err[0] = '\0';
	*cf = NULL;
	return tx_config_parse_buffer("t.json", doc, strlen(doc), cf, err,
				      errlen);
}

static void refused(const char *doc, const char *want)
{
	struct tx_config_file *cf;
	char err[2048];

	if (parse(doc, &cf, err, sizeof(err)) != -EINVAL)
		fail_msg("accepted: %.200s", doc);
	assert_null(cf);
	if (strcmp(err, want))
		fail_msg("got [%s]\nwant [%s]", err, want);
}

/* Two-, three- and four-byte characters pass; the column of a bad byte
 * counts characters, not bytes. */
static void test_utf8(void **state)
{
	static const char good[] =
		"{\"comment\": \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
		" \"tools\": [" TOOL(", \"title\": \"Caf\xc3\xa9\"") "]}";
	struct tx_config_file *cf;
	char err[512];

	(void)state;
	assert_int_equal(parse(good, &cf, err, sizeof(err)), 0);
	assert_int_equal(cf->ntools, 1);
	assert_string_equal(cf->tools[0].title, "Caf\xc3\xa9");
	tx_config_file_free(cf);
	/* Line 2: 13 ASCII characters, é, space, €, space, 😀, then 0xF5
	 * (never a lead byte): the 19th character, at byte 14 + 13 + 2 + 1
	 * + 3 + 1 + 4. */
	refused("{\"tools\": [],\n \"comment\": \"\xc3\xa9 \xe2\x82\xac "
		"\xf0\x9f\x98\x80\xf5\"}",
		"t.json: $: invalid UTF-8 at line 2, column 19 (byte offset "
		"38)");
	/* A lead byte without its continuation at the end. */
	refused("{\"comment\": \"\xe2\x82",
		"t.json: $: invalid UTF-8 at line 1, column 14 (byte offset "
		"13)");
}

static void test_limits(void **state)
{
	char name[1100], ph[300], doc[4096];
	size_t cap = 10001 * 4 + 64, len = 0;
	char *many;

	(void)state;
	memset(name, 'x', 1025);
	name[1025] = '\0';
	snprintf(doc, sizeof(doc),
		 "{\"tools\": [{\"namespace\": \"n\", \"name\": \"%s\","
		 " \"description\": \"d\", \"input_schema\": {\"type\": "
		 "\"object\"}, \"command\": [\"true\"], \"stdin\": \"none\","
		 " \"timeout_ms\": 1000}]}",
		 name);
	refused(doc, "t.json: $.tools[0].name: longer than 1024 bytes");

	refused("{\"tools\": [{\"namespace\": \"n\", \"name\": \"t\","
		" \"description\": \"d\", \"input_schema\": {\"type\": "
		"\"object\", \"properties\": []}, \"command\": [\"true\"],"
		" \"stdin\": \"none\", \"timeout_ms\": 1000}]}",
		"t.json: $.tools[0].input_schema.properties: expected an "
		"object");

	memset(ph, 'p', 260);
	ph[260] = '\0';
	snprintf(doc, sizeof(doc),
		 "{\"tools\": [{\"namespace\": \"n\", \"name\": \"t\","
		 " \"description\": \"d\", \"input_schema\": {\"type\": "
		 "\"object\"}, \"command\": [\"echo\", \"{%s}\"], \"stdin\": "
		 "\"none\", \"timeout_ms\": 1000}]}",
		 ph);
	refused(doc, "t.json: $.tools[0].command[1]: placeholder name too "
		     "long");

	refused("{\"$schema\": 5, \"tools\": []}",
		"t.json: $.$schema: expected a string");

	many = malloc(cap);
	assert_non_null(many);
	len += (size_t)snprintf(many, cap, "{\"tools\": [");
	for (int i = 0; i < 10001; i++)
		len += (size_t)snprintf(many + len, cap - len, "%s{}",
					i ? "," : "");
	snprintf(many + len, cap - len, "]}");
	refused(many, "t.json: $.tools: too many tools (10001; at most 10000 "
		      "per file)");
	free(many);
}

/* Where an error is: keys that are not identifiers are quoted with
 * their quotes and backslashes escaped, long ones cut (never inside a
 * character); a number past 64 bits is out of range; an element that
 * only looks like a placeholder is taken literally. */
static void test_error_paths(void **state)
{
	char doc[1024], want[512], name[128];
	struct tx_config_file *cf;
	char err[1024];
	size_t o = 0;

	(void)state;
	refused("{\"mcpServers\": {\"a\\\"b\\\\c\": {\"command\": \"x\","
		" \"bogus\": 1}}}",
		"t.json: $.mcpServers[\"a\\\"b\\\\c\"].bogus: unknown key");
	/* "x" then forty "é": the 48-byte cut would fall inside the 24th. */
	name[o++] = 'x';
	for (int i = 0; i < 40; i++) {
		name[o++] = '\xc3';
		name[o++] = '\xa9';
	}
	name[o] = '\0';
	snprintf(doc, sizeof(doc),
		 "{\"mcpServers\": {\"%s\": {\"command\": \"x\","
		 " \"bogus\": 1}}}",
		 name);
	name[47] = '\0';
	snprintf(want, sizeof(want),
		 "t.json: $.mcpServers[\"%s...\"].bogus: unknown key", name);
	refused(doc, want);
	refused("{\"mcpServers\": {\"s\": {\"command\": \"x\","
		" \"timeout_ms\": 18446744073709551615}}}",
		"t.json: $.mcpServers.s.timeout_ms: must be an integer from 1 "
		"to 86400000");

	assert_int_equal(
		parse("{\"tools\": [{\"namespace\": \"n\", \"name\": \"t\","
		      " \"description\": \"d\", \"input_schema\": {\"type\":"
		      " \"object\", \"properties\": {\"_c-d\": {}}},"
		      " \"command\": [\"echo\", \"{a.b}\", \"{_c-d}\"],"
		      " \"stdin\": \"none\", \"timeout_ms\": 1000}]}",
		      &cf, err, sizeof(err)),
		0);
	assert_int_equal(cf->tools[0].exec.argc, 3);
	assert_null(cf->tools[0].exec.params[1]);
	assert_string_equal(cf->tools[0].exec.params[2], "_c-d");
	tx_config_file_free(cf);
}

static void test_too_many_args(void **state)
{
	size_t cap = 4097 * 4 + 128, len = 0;
	char *doc = malloc(cap);

	(void)state;
	assert_non_null(doc);
	len += (size_t)snprintf(doc, cap,
				"{\"mcpServers\": {\"s\": {\"command\": "
				"\"x\", \"args\": [");
	for (int i = 0; i < 4097; i++)
		len += (size_t)snprintf(doc + len, cap - len, "%s\"a\"",
					i ? "," : "");
	snprintf(doc + len, cap - len, "]}}}");
	refused(doc, "t.json: $.mcpServers.s.args: too many elements (4097; "
		     "at most 4096)");
	free(doc);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/txcfgedgeXXXXXX", real[PATH_MAX],
	     want[PATH_MAX + 64];
	char cwd[PATH_MAX], err[512];
	struct tx_config_file *cf;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_non_null(realpath(dir, real));
	assert_int_equal(tx_config_parse_file(dir, &cf, err, sizeof(err)),
			 -EINVAL);
	assert_null(cf);
	snprintf(want, sizeof(want), "%s: not a regular file", dir);
	assert_string_equal(err, want);
	assert_int_equal(tx_config_parse_file("/dev/null", &cf, err,
					      sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "/dev/null: not a regular file");

	/* "bin/run" is relative to the file's directory, here the working
	 * directory, which the file's name does not spell. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	f = fopen("t.json", "w");
	assert_non_null(f);
	fputs("{\"tools\": [{\"namespace\": \"n\", \"name\": \"t\","
	      " \"description\": \"d\", \"input_schema\": {\"type\": "
	      "\"object\"}, \"command\": [\"bin/run\"], \"stdin\": \"none\","
	      " \"timeout_ms\": 1000}]}",
	      f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(tx_config_parse_file("t.json", &cf, err, sizeof(err)),
			 0);
	snprintf(want, sizeof(want), "%s/bin/run", real);
	assert_string_equal(cf->tools[0].exec.argv[0], want);
	tx_config_file_free(cf);
	assert_int_equal(unlink("t.json"), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_error_paths),
		cmocka_unit_test(test_too_many_args),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
