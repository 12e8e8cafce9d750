/*
 * test_config_errors.c - a configuration file's errors come all at
 * once, one per line, in the order of the file; past TX_CFG_ERRORS_MAX
 * one line counts the rest.
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

#include "config/config.h"
#include "config/config_i.h"
#include "util/buf.h"

static size_t count_lines(const char *s)
{
	size_t n = *s ? 1 : 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_three_errors(void **state)
{
	static const char doc[] =
		"{\"tools\": [\n"
		" {\"namespace\": \"d\", \"name\": \"a\", \"description\": "
		"\"a\", \"inputSchema\": {}, \"input_schema\": "
		"{\"type\": \"object\"}, \"command\": [\"true\"], "
		"\"stdin\": \"none\", \"timeout_ms\": 10},\n"
		" {\"namespace\": \"d\", \"name\": \"b\", \"description\": "
		"\"b\", \"input_schema\": {\"type\": \"object\"}, "
		"\"command\": [\"true\"], \"stdin\": \"none\"}],\n"
		" \"mcpServers\": {\"s\": {\"command\": \"x\", "
		"\"timeout_ms\": \"soon\"}}}";
	struct tx_config_file *cf = NULL;
	char err[4096];

	(void)state;
	assert_int_equal(tx_config_parse_buffer("t.json", doc, strlen(doc), &cf,
						err, sizeof(err)),
			 -EINVAL);
	assert_null(cf);
	assert_string_equal(
		err,
		"t.json: $.tools[0].inputSchema: unknown key (did you mean "
		"\"input_schema\"?)\n"
		"t.json: $.tools[1]: missing required key \"timeout_ms\"\n"
		"t.json: $.mcpServers.s.timeout_ms: expected an integer, got "
		"string");
}

/* Errors inside one tool: each key on its own. */
static void test_one_tool_many_keys(void **state)
{
	static const char doc[] =
		"{\"tools\": [{\"namespace\": \"a:b\", \"name\": \"n\", "
		"\"description\": \"\", \"input_schema\": {\"type\": "
		"\"object\"}, \"command\": [\"x\", \"{nope}\"], "
		"\"timeout_ms\": 0}]}";
	struct tx_config_file *cf = NULL;
	char err[4096];

	(void)state;
	assert_int_equal(tx_config_parse_buffer("t.json", doc, strlen(doc), &cf,
						err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "$.tools[0].namespace: a namespace "
				    "must not contain ':'"));
	assert_non_null(strstr(err, "$.tools[0].description: must not be "
				    "empty"));
	assert_non_null(strstr(err, "$.tools[0].command[1]: placeholder "
				    "\"{nope}\" names no property"));
	assert_non_null(strstr(err, "$.tools[0]: missing required key "
				    "\"stdin\""));
	assert_non_null(strstr(err, "$.tools[0].timeout_ms: "));
	assert_int_equal(count_lines(err), 5);
}

/* 25 bad tools: 20 errors, then one line for the other 5. */
static void test_capped(void **state)
{
	struct tx_buf b;
	struct tx_config_file *cf = NULL;
	char err[16384];
	char *doc;
	size_t len;

	(void)state;
	tx_buf_init(&b, 0);
	tx_buf_adds(&b, "{\"tools\": [");
	for (int i = 0; i < 25; i++)
		tx_buf_printf(&b, "%s7", i ? ", " : "");
	tx_buf_adds(&b, "]}");
	doc = tx_buf_detach(&b, &len);
	assert_non_null(doc);
	assert_int_equal(tx_config_parse_buffer("t.json", doc, len, &cf, err,
						sizeof(err)),
			 -EINVAL);
	assert_int_equal(count_lines(err), TX_CFG_ERRORS_MAX + 1);
	assert_non_null(strstr(err, "t.json: $.tools[0]: expected an object "
				    "(one tool), got int\n"));
	assert_non_null(strstr(err, "t.json: $.tools[19]: expected an "
				    "object"));
	assert_null(strstr(err, "$.tools[20]"));
	assert_non_null(strstr(err, "\nt.json: ... and 5 more errors"));
	free(doc);
}

/* A small buffer holds the first errors whole or cut, never overflows. */
static void test_small_buffer(void **state)
{
	static const char doc[] = "{\"tools\": [1, 2, 3], \"x\": 1}";
	struct tx_config_file *cf = NULL;
	char err[40];

	(void)state;
	memset(err, 'Z', sizeof(err));
	assert_int_equal(tx_config_parse_buffer("t.json", doc, strlen(doc), &cf,
						err, sizeof(err)),
			 -EINVAL);
	assert_true(memchr(err, '\0', sizeof(err)) != NULL);
	assert_int_equal(strncmp(err, "t.json: $.x: unknown key", 24), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_errors),
		cmocka_unit_test(test_one_tool_many_keys),
		cmocka_unit_test(test_capped),
		cmocka_unit_test(test_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
