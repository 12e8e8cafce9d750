/*
 * test_tool_doc.c - what a tool's `doc` and summary say for schemas
 * beyond the plain ones: type unions, enums of every scalar kind,
 * anyOf and $ref, nested defaults, boolean subschemas, table cells
 * that must not break the table, a summary cut inside a UTF-8 sequence;
 * and the refusal of an unusable output schema.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "engine/tool.h"
#include "toolexecfs/toolexec.h"

static struct tx_tool *tool(const char *title, const char *desc, const char *in,
			    const char *out, char *err, size_t errlen)
{
	struct tx_tool_def d = { 0 };
	struct tx_tool *t;

	d.ns = "t";
	d.name = "n";
	d.title = title;
	d.description = desc;
	d.input_schema = json_tokener_parse(in);
	d.output_schema = out ? json_tokener_parse(out) : NULL;
	d.origin = "test";
	d.where = "here";
	t = tx_tool_new(&d, err, errlen);
	json_object_put(d.input_schema);
	json_object_put(d.output_schema);
	return t;
}

static void has_line(const char *doc, const char *line)
{
	const char *p = doc;
	size_t n = strlen(line);

	while ((p = strstr(p, line))) {
		if ((p == doc || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return;
		p++;
	}
	fail_msg("no line [%s] in\n%s", line, doc);
}

static void test_parameter_table(void **state)
{
	char err[512];
	struct tx_tool *t;
	const char *doc;

	(void)state;
	t = tool(NULL, "Does things.",
		 "{\"type\":\"object\",\"required\":[\"b\",\"e\",\"f\"],"
		 "\"properties\":{"
		 "\"a\":{\"type\":[\"string\",\"null\"],"
		 "\"description\":\"pipe | and\\nnewline\"},"
		 "\"b\":{\"enum\":[1,2.5,null,true,\"s\"]},"
		 "\"c\":{\"anyOf\":[{\"type\":\"string\"}]},"
		 "\"d\":{\"$ref\":\"#/$defs/x\"},"
		 "\"e\":{\"type\":\"boolean\"},"
		 "\"f\":{\"type\":\"object\",\"properties\":{"
		 "\"g\":{\"type\":\"number\",\"default\":1.5}}},"
		 "\"h\":true},"
		 "\"$defs\":{\"x\":{\"type\":\"string\"}}}",
		 NULL, err, sizeof(err));
	if (!t)
		fail_msg("%s", err);
	doc = tx_tool_doc(t);
	has_line(doc, "| `a` | string or null | no | pipe \\| and newline |");
	has_line(doc, "| `b` | enum | yes |  One of: 1, 2.5, null, true, "
		      "\"s\". |");
	has_line(doc, "| `c` | one of several | no |  |");
	has_line(doc, "| `d` | see schema | no |  |");
	has_line(doc, "| `e` | boolean | yes |  |");
	has_line(doc, "| `f` | object | yes |  |");
	has_line(doc, "| `f.g` | number | no |  Default: 1.5. |");
	/* A boolean subschema has no row. */
	assert_null(strstr(doc, "`h`"));
	/* The example fills the required ones: the first enum value, true,
	 * an empty object. */
	has_line(doc, "    toolexec call t:n '{\"b\": 1, \"e\": true, "
		      "\"f\": {}}'");
	assert_string_equal(tx_tool_summary(t), "Does things.\n");
	tx_tool_unref(t);
}

static void test_summary_cut(void **state)
{
	char desc[400], want[200], err[512];
	struct tx_tool *t;

	(void)state;
	/* A tab, 158 more letters, then "é" across bytes 159 and 160: the
	 * summary stops before the sequence, not inside it. */
	desc[0] = 'a';
	desc[1] = '\t';
	memset(desc + 2, 'a', 157);
	snprintf(desc + 159, sizeof(desc) - 159, "\xc3\xa9 and more");
	t = tool(NULL, desc, "{}", NULL, err, sizeof(err));
	assert_non_null(t);
	snprintf(want, sizeof(want), "a %.157s...\n", desc + 2);
	assert_string_equal(tx_tool_summary(t), want);
	tx_tool_unref(t);
}

static void test_unusable_output_schema(void **state)
{
	char err[512];

	(void)state;
	assert_null(tool(NULL, "x", "{}", "{\"type\":5}", err, sizeof(err)));
	assert_string_equal(err, "t:n: unusable output schema: #: \"type\" "
				 "must be a type name or an array of them");
}

/*
 * A tool keeps the compact text of its input schema, not a tree: the
 * text is json-c's byte for byte (a double as it was written, escapes),
 * the schema file renders json-c's pretty text of the definition's
 * tree, the definition's tree is only read, and the tool's strings
 * (title, description, tags, origin, where) are its own.  Two tools of
 * the same definition are the same tool.
 */
static void test_schema_texts(void **state)
{
	static const char in[] =
		"{\"type\":\"object\",\"properties\":{\"r\":{\"type\":"
		"\"number\",\"minimum\":1.50,\"description\":\"a/b \\\"q\\\" "
		"\\u0001\\t\\u00e9\"},\"n\":{\"type\":\"integer\","
		"\"maximum\":-42}},\"required\":[\"r\"]}";
	const char *tags[] = { "one", "two" };
	struct tx_tool_def d = { 0 };
	struct tx_tool *t, *u;
	char err[512], title[] = "Title", desc[] = "Desc.", tag0[] = "one";
	char *compact, *pretty;
	size_t n;

	(void)state;
	tags[0] = tag0;
	d.ns = "t";
	d.name = "n";
	d.title = title;
	d.description = desc;
	d.tags = tags;
	d.ntags = 2;
	d.origin = "test";
	d.where = "here";
	d.input_schema = json_tokener_parse(in);
	assert_non_null(d.input_schema);
	t = tx_tool_new(&d, err, sizeof(err));
	if (!t)
		fail_msg("%s", err);
	u = tx_tool_new(&d, err, sizeof(err));
	assert_non_null(u);
	assert_true(tx_tool_same(t, u));
	assert_null(t->input_schema);
	compact = strdup(json_object_to_json_string_ext(
		d.input_schema,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	pretty = strdup(json_object_to_json_string_ext(
		d.input_schema, JSON_C_TO_STRING_PRETTY |
					JSON_C_TO_STRING_SPACED |
					JSON_C_TO_STRING_NOSLASHESCAPE));
	assert_string_equal(t->schema_json, compact);
	assert_non_null(strstr(t->schema_json, "1.50"));
	n = strlen(pretty);
	pretty = realloc(pretty, n + 2);
	assert_non_null(pretty);
	memcpy(pretty + n, "\n", 2);
	assert_string_equal(tx_tool_schema_text(t), pretty);
	json_object_put(d.input_schema);
	/* The tool's strings are copies. */
	title[0] = desc[0] = tag0[0] = 'X';
	assert_string_equal(tx_tool_title(t), "Title");
	assert_string_equal(tx_tool_description(t), "Desc.");
	assert_string_equal(tx_tool_tag(t, 0), "one");
	assert_string_equal(tx_tool_tag(t, 1), "two");
	assert_null(tx_tool_tag(t, 2));
	assert_string_equal(t->origin, "test");
	assert_string_equal(t->where, "here");
	tx_tool_unref(u);
	tx_tool_unref(t);
	free(compact);
	free(pretty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parameter_table),
		cmocka_unit_test(test_summary_cut),
		cmocka_unit_test(test_unusable_output_schema),
		cmocka_unit_test(test_schema_texts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
