/*
 * test_tool_memory.c - what a tool keeps, and what it shares: tools with
 * the same input schema share one compiled validator and its text, and
 * each still validates after the others are gone; a backend spec kept as
 * a digest still tells a changed tool from the same one; the file names
 * of a tool are its names unless encoding changes them; and the engine
 * still lists a file's tool IDs once the plan's tools are dropped.
 * And the buffer that renders texts: a print formatted straight into
 * the room left, or grown when it does not fit, or refused past the cap
 * with the text before it intact.
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
#include <unistd.h>

#include <json-c/json.h>

#include "engine/tool.h"
#include "schema/schema.h"
#include "util/buf.h"
#include "toolexecfs/toolexec.h"

static struct tx_tool *tool(const char *ns, const char *name,
			    const char *schema, const char *spec)
{
	struct tx_tool_def d = { 0 };
	struct tx_tool *t;
	char err[512];

	d.ns = ns;
	d.name = name;
	d.description = "Does things.";
	d.input_schema = json_tokener_parse(schema);
	d.origin = "test";
	d.where = "here";
	d.backend_spec = spec;
	t = tx_tool_new(&d, err, sizeof(err));
	json_object_put(d.input_schema);
	if (!t)
		fail_msg("%s", err);
	return t;
}

/* 0 when instance is valid for t's input schema. */
static int validate(const struct tx_tool *t, const char *instance)
{
	struct json_object *o = json_tokener_parse(instance);
	char err[512];
	int rc = tx_schema_validate(t->input_validator, o, err, sizeof(err));

	json_object_put(o);
	return rc;
}

#define SCHEMA_A                                                           \
	"{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"," \
	"\"maxLength\":3}},\"required\":[\"q\"],"                          \
	"\"additionalProperties\":false}"
#define SCHEMA_B                                                           \
	"{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"," \
	"\"maxLength\":4}},\"required\":[\"q\"]}"

static void test_same_schema_shared(void **state)
{
	struct tx_tool *a, *b, *c;

	(void)state;
	a = tool("m", "one", SCHEMA_A, NULL);
	b = tool("m", "two", SCHEMA_A, NULL);
	c = tool("m", "three", SCHEMA_B, NULL);
	assert_ptr_equal(a->input_validator, b->input_validator);
	assert_ptr_equal(a->schema_json, b->schema_json);
	assert_ptr_not_equal(a->input_validator, c->input_validator);
	assert_string_not_equal(a->schema_json, c->schema_json);
	/* The first owner gone, the second's validator is whole. */
	tx_tool_unref(a);
	assert_int_equal(validate(b, "{\"q\":\"abc\"}"), 0);
	assert_int_not_equal(validate(b, "{\"q\":\"abcd\"}"), 0);
	assert_int_not_equal(validate(b, "{\"q\":\"a\",\"x\":1}"), 0);
	assert_int_equal(validate(c, "{\"q\":\"abcd\",\"x\":1}"), 0);
	/* The doc renders from the shared text. */
	assert_non_null(strstr(tx_tool_schema_text(b), "\"maxLength\": 3"));
	tx_tool_unref(b);
	/* Interned again from nothing once every owner is gone. */
	a = tool("m", "four", SCHEMA_A, NULL);
	assert_int_not_equal(validate(a, "{}"), 0);
	assert_int_equal(validate(a, "{\"q\":\"\"}"), 0);
	tx_tool_unref(a);
	tx_tool_unref(c);
}

static void test_backend_spec_digest(void **state)
{
	struct tx_tool *a, *b, *c, *d;

	(void)state;
	a = tool("m", "t", SCHEMA_A, "argv=echo\n1\n");
	b = tool("m", "t", SCHEMA_A, "argv=echo\n1\n");
	c = tool("m", "t", SCHEMA_A, "argv=echo\n2\n");
	d = tool("m", "t", SCHEMA_A, NULL);
	assert_true(tx_tool_same(a, b));
	assert_false(tx_tool_same(a, c));
	assert_false(tx_tool_same(a, d));
	assert_false(tx_tool_same(d, a));
	tx_tool_unref(a);
	tx_tool_unref(b);
	tx_tool_unref(c);
	tx_tool_unref(d);
}

static void test_names(void **state)
{
	struct tx_tool *a, *b;

	(void)state;
	a = tool("ns", "plain", SCHEMA_A, NULL);
	b = tool(".hidden", "a/b%c", SCHEMA_A, NULL);
	assert_string_equal(a->id, "ns:plain");
	assert_string_equal(a->ns, "ns");
	assert_string_equal(a->name, "plain");
	assert_string_equal(a->ns_file, "ns");
	assert_string_equal(a->name_file, "plain");
	assert_string_equal(b->id, ".hidden:a/b%c");
	assert_string_equal(b->ns, ".hidden");
	assert_string_equal(b->name, "a/b%c");
	assert_string_equal(b->ns_file, "%2Ehidden");
	assert_string_equal(b->name_file, "a%2Fb%25c");
	tx_tool_unref(a);
	tx_tool_unref(b);
}

/* A tool whose ID is not "ns:name" (the chain tool) keeps its names,
 * which share the ID's allocation; its doc names them. */
static void test_set_id(void **state)
{
	struct tx_tool *t;

	(void)state;
	t = tool("a/b", "c", SCHEMA_A, NULL);
	assert_int_equal(tx_tool_set_id(t, "chain"), 0);
	assert_string_equal(t->id, "chain");
	assert_string_equal(t->ns, "a/b");
	assert_string_equal(t->name, "c");
	assert_string_equal(t->ns_file, "a%2Fb");
	assert_string_equal(t->name_file, "c");
	assert_non_null(strstr(tx_tool_doc(t), "tools/a%2Fb/c/call"));
	assert_non_null(strstr(tx_tool_doc(t), "toolexec call chain '"));
	tx_tool_unref(t);
}

static void test_config_lists_ids(void **state)
{
	struct tx_engine_options opts = { 0 };
	char dir[] = "/tmp/txtoolmemXXXXXX", path[64], err[512];
	struct tx_engine *e;
	char *text;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"tools\":[{\"namespace\":\"k\",\"name\":\"one\","
	      "\"description\":\"d\",\"input_schema\":{\"type\":\"object\"},"
	      "\"command\":[\"true\"],\"stdin\":\"none\","
	      "\"timeout_ms\":1000},{\"namespace\":\"k\",\"name\":\"two\","
	      "\"description\":\"d\",\"input_schema\":{\"type\":\"object\"},"
	      "\"command\":[\"true\"],\"stdin\":\"none\","
	      "\"timeout_ms\":1000}]}",
	      f);
	fclose(f);
	opts.config_dir = dir;
	e = tx_engine_new(&opts, err, sizeof(err));
	if (!e)
		fail_msg("%s", err);
	text = tx_engine_config_text(e);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"k:one\""));
	assert_non_null(strstr(text, "\"k:two\""));
	free(text);
	tx_engine_free(e);
	unlink(path);
	rmdir(dir);
}

static void test_buf_printf(void **state)
{
	struct tx_buf b;
	char big[300];

	(void)state;
	tx_buf_init(&b, 200);
	assert_int_equal(tx_buf_printf(&b, "%s=%d", "a", 1), 0);
	assert_string_equal(b.data, "a=1");
	/* Fits the room left (64 bytes allocated first). */
	assert_int_equal(tx_buf_printf(&b, ";%s", "b"), 0);
	assert_string_equal(b.data, "a=1;b");
	assert_int_equal(b.len, 5);
	/* Does not fit: grown, formatted whole. */
	memset(big, 'x', 100);
	big[100] = '\0';
	assert_int_equal(tx_buf_printf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 107);
	assert_int_equal(b.data[5], '[');
	assert_int_equal(b.data[106], ']');
	assert_int_equal(b.data[107], '\0');
	/* Past the cap of 200: refused, what was there is whole. */
	assert_int_equal(tx_buf_printf(&b, "%s", big), -EFBIG);
	assert_int_equal(b.len, 107);
	assert_int_equal(strlen(b.data), 107);
	/* Within the room but past the cap: refused too. */
	assert_int_equal(tx_buf_add(&b, big, 90), 0);
	assert_true(b.cap - b.len > 10);
	assert_int_equal(tx_buf_printf(&b, "%s", "0123456789"), -EFBIG);
	assert_int_equal(b.len, 197);
	assert_int_equal(strlen(b.data), 197);
	assert_int_equal(tx_buf_printf(&b, "%s", "012"), 0);
	assert_int_equal(b.len, 200);
	tx_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_schema_shared),
		cmocka_unit_test(test_backend_spec_digest),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_set_id),
		cmocka_unit_test(test_config_lists_ids),
		cmocka_unit_test(test_buf_printf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
