/*
 * test_schema.c - the JSON Schema validator: error messages and their
 * JSON Pointers, compile errors, hostile schemas (reference loops, deep
 * nesting, huge enums, catastrophic patterns, exponential fan-out),
 * integer/number and Unicode length edge cases, draft differences, and
 * the schemas of real MCP tools.
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
#include <time.h>

#include <json-c/json.h>

#include "schema/schema.h"

#include "../tools/fs_server_schemas.h"

static struct json_object *parse(const char *text)
{
	struct json_tokener *tok = json_tokener_new_ex(30000);
	struct json_object *o;

	assert_non_null(tok);
	/* The NUL ends a bare number at the end of the text. */
	o = json_tokener_parse_ex(tok, text, (int)strlen(text) + 1);
	assert_int_equal(json_tokener_get_error(tok), json_tokener_success);
	json_tokener_free(tok);
	return o;
}

static struct tx_schema *compile_opts(const char *text,
				      const struct tx_schema_options *o)
{
	struct json_object *j = parse(text);
	char err[512];
	struct tx_schema *s = tx_schema_compile(j, o, err, sizeof(err));

	if (!s)
		fail_msg("compile failed: %s", err);
	json_object_put(j);
	return s;
}

static struct tx_schema *compile(const char *text)
{
	return compile_opts(text, NULL);
}

/* Validates instance text; returns the rc and copies the message. */
static int check(const struct tx_schema *s, const char *inst, char *err,
		 size_t errlen)
{
	struct json_object *j = parse(inst);
	int rc = tx_schema_validate(s, j, err, errlen);

	json_object_put(j);
	return rc;
}

static void expect_valid(const char *schema, const char *inst)
{
	struct tx_schema *s = compile(schema);
	char err[1024];

	if (check(s, inst, err, sizeof(err)) != 0)
		fail_msg("%s against %s: %s", inst, schema, err);
	tx_schema_free(s);
}

/* Invalid, and the message must be exactly msg (when msg is not NULL). */
static void expect_invalid(const char *schema, const char *inst,
			   const char *msg)
{
	struct tx_schema *s = compile(schema);
	char err[2048];

	if (check(s, inst, err, sizeof(err)) != -EINVAL)
		fail_msg("%s against %s: accepted", inst, schema);
	if (msg && strcmp(err, msg) != 0)
		fail_msg("message\n  got  [%s]\n  want [%s]", err, msg);
	tx_schema_free(s);
}

static void expect_compile_error(const char *schema, const char *needle)
{
	struct json_object *j = parse(schema);
	char err[512] = "";
	struct tx_schema *s;

	errno = 0;
	s = tx_schema_compile(j, NULL, err, sizeof(err));
	json_object_put(j);
	if (s) {
		tx_schema_free(s);
		fail_msg("schema %s compiled", schema);
	}
	assert_int_equal(errno, EINVAL);
	if (!strstr(err, needle))
		fail_msg("compile error [%s] lacks [%s]", err, needle);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* Messages and pointers                                                */

static void test_messages(void **state)
{
	(void)state;
	expect_invalid("{\"properties\":{\"count\":{\"type\":\"integer\"}}}",
		       "{\"count\":\"3\"}",
		       "/count: expected integer, got string \"3\"");
	expect_invalid("{\"type\":[\"string\",\"null\"]}", "12",
		       "/: expected string or null, got integer 12");
	expect_invalid("{\"required\":[\"path\"]}", "{}",
		       "/: missing required property \"path\"");
	expect_invalid("{\"properties\":{\"a\":{\"items\":{\"properties\":"
		       "{\"b\":{\"minimum\":5}}}}}}",
		       "{\"a\":[{\"b\":5},{\"b\":4.5}]}",
		       "/a/1/b: 4.5 is less than minimum 5");
	/* RFC 6901 escaping of ~ and / in the pointer. */
	expect_invalid("{\"additionalProperties\":false}", "{\"a/b~c\":1}",
		       "/a~1b~0c: property \"a/b~c\" is not allowed "
		       "(additionalProperties)");
	expect_invalid("{\"enum\":[\"red\",\"green\"]}", "\"blue\"", NULL);
	expect_invalid("{\"const\":{\"a\":[1,2]}}", "{\"a\":[1,3]}",
		       "/: must be the constant {\"a\":[1,2]}");
	expect_invalid("{\"maxLength\":2}", "\"abc\"",
		       "/: string is longer than maxLength 2 (3 characters)");
	expect_invalid("{\"uniqueItems\":true}", "[1,{\"a\":1},1.0]",
		       "/: items 0 and 2 are equal (uniqueItems)");
	expect_invalid("{\"anyOf\":[{\"type\":\"string\"},{\"minimum\":3}]}",
		       "1", "/: 1 is less than minimum 3");
	expect_invalid("{\"anyOf\":[{\"maximum\":0},{\"minimum\":3}]}", "1",
		       "/: matches none of the 2 schemas in anyOf");
	/* anyOf/oneOf: the branch the value was meant for speaks. */
	expect_invalid(
		"{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}]}", "3",
		"/: expected string or null, got integer 3 (anyOf)");
	expect_invalid("{\"properties\":{\"p\":{\"oneOf\":[{\"type\":\"null\"},"
		       "{\"type\":\"object\",\"required\":[\"id\"]}]}}}",
		       "{\"p\":{}}", "/p: missing required property \"id\"");
	expect_invalid("{\"oneOf\":[{\"minimum\":1},{\"maximum\":5}]}", "3",
		       "/: matches both schema 0 and schema 1 of oneOf, "
		       "expected exactly one");
	expect_invalid("{\"dependencies\":{\"a\":[\"b\"]}}", "{\"a\":1}",
		       "/: property \"a\" requires property \"b\" "
		       "(dependencies)");
	expect_invalid("{\"multipleOf\":0.01}", "0.015",
		       "/: 0.015 is not a multiple of 0.01");
}

static void test_several_errors_capped(void **state)
{
	struct tx_schema_options o = { .max_errors = 2 };
	struct tx_schema *s;
	char err[1024], small[24];
	const char *schema =
		"{\"properties\":{\"a\":{\"type\":\"string\"},"
		"\"b\":{\"type\":\"string\"},\"c\":{\"type\":\"string\"}}}";
	const char *inst = "{\"a\":1,\"b\":2,\"c\":3}";

	(void)state;
	s = compile(schema);
	assert_int_equal(check(s, inst, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/a: expected string, got integer 1"));
	assert_non_null(strstr(err, "/c: expected string, got integer 3"));
	assert_int_equal(strchr(strchr(err, '\n') + 1, '\n') != NULL, 1);
	/* A tiny buffer is filled and terminated, never overrun. */
	memset(small, 'x', sizeof(small));
	assert_int_equal(check(s, inst, small, sizeof(small)), -EINVAL);
	assert_true(strlen(small) < sizeof(small));
	assert_int_equal(check(s, inst, NULL, 0), -EINVAL);
	tx_schema_free(s);

	s = compile_opts(schema, &o);
	assert_int_equal(check(s, inst, err, sizeof(err)), -EINVAL);
	assert_non_null(strchr(err, '\n'));
	assert_null(strchr(strchr(err, '\n') + 1, '\n'));
	tx_schema_free(s);
}

static void test_compile_errors(void **state)
{
	struct tx_schema *s;
	char err[256];

	(void)state;
	{
		struct json_object *three = json_object_new_int(3);

		s = tx_schema_compile(three, NULL, err, sizeof(err));
		assert_null(s);
		assert_non_null(strstr(err, "must be an object or a boolean"));
		json_object_put(three);
	}
	expect_compile_error("{\"type\":\"strin\"}", "unknown type");
	expect_compile_error("{\"minLength\":-1}", "minLength");
	expect_compile_error("{\"minLength\":1.5}", "minLength");
	expect_compile_error("{\"multipleOf\":0}", "multipleOf");
	expect_compile_error("{\"pattern\":\"(\"}", "invalid pattern");
	expect_compile_error("{\"patternProperties\":{\"[\":{}}}",
			     "invalid pattern");
	expect_compile_error("{\"properties\":{\"a\":3}}",
			     "#/properties/a: a schema must be");
	expect_compile_error("{\"$ref\":\"http://example.com/s.json\"}",
			     "remote $ref");
	expect_compile_error("{\"$ref\":\"other.json#/a\"}", "unresolvable");
	expect_compile_error("{\"$ref\":\"#/definitions/nope\"}",
			     "no such location");
	expect_compile_error("{\"allOf\":[]}", "allOf");
}

/* ------------------------------------------------------------------ */
/* Hostile schemas                                                      */

static void test_ref_loops(void **state)
{
	static const char *const loops[] = {
		"{\"$ref\":\"#\"}",
		"{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":"
		"\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"}",
		"{\"anyOf\":[{\"$ref\":\"#\"},{\"type\":\"string\"}]}",
		"{\"not\":{\"$ref\":\"#\"}}",
	};
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(loops) / sizeof(loops[0]); i++) {
		struct tx_schema *s = compile(loops[i]);

		assert_int_equal(check(s, "\"x\"", err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "loops back"));
		tx_schema_free(s);
	}
	/* Recursion that consumes input is fine. */
	expect_valid("{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}}",
		     "[[[],[[[]]]],[]]");
	expect_invalid("{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}}",
		       "[[[],[[1]]]]",
		       "/0/1/0/0: expected array, got integer 1");
}

static char *nested(const char *open, const char *mid, const char *close,
		    int depth)
{
	size_t lo = strlen(open), lm = strlen(mid), lc = strlen(close);
	char *s = malloc((lo + lc) * (size_t)depth + lm + 1), *p = s;
	int i;

	assert_non_null(s);
	for (i = 0; i < depth; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, mid, lm);
	p += lm;
	for (i = 0; i < depth; i++, p += lc)
		memcpy(p, close, lc);
	*p = '\0';
	return s;
}

static void test_deep_nesting(void **state)
{
	struct json_object *j;
	struct tx_schema *s;
	char err[256];
	char *text;

	(void)state;
	/* 10,000 nested subschemas: refused at compile, no stack overflow. */
	text = nested("{\"properties\":{\"a\":", "{}", "}}", 10000);
	j = parse(text);
	assert_null(tx_schema_compile(j, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "nested deeper"));
	json_object_put(j);
	free(text);
	text = nested("{\"not\":", "{}", "}", 10000);
	j = parse(text);
	assert_null(tx_schema_compile(j, NULL, err, sizeof(err)));
	json_object_put(j);
	free(text);

	/* A 10,000-deep instance against a recursive schema: capped. */
	s = compile("{\"items\":{\"$ref\":\"#\"}}");
	text = nested("[", "", "]", 10000);
	assert_int_equal(check(s, text, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "nested deeper"));
	free(text);
	/* ... while a reasonable depth validates. */
	text = nested("[", "", "]", 100);
	assert_int_equal(check(s, text, err, sizeof(err)), 0);
	free(text);
	tx_schema_free(s);
}

static void test_exponential_fanout(void **state)
{
	char buf[8192], *p = buf;
	struct tx_schema *s;
	char err[512];
	int i;

	(void)state;
	/* d_i = allOf [d_{i-1}, d_{i-1}]: 2^40 evaluations unless capped. */
	p += snprintf(p, buf + sizeof(buf) - p,
		      "{\"$defs\":{\"d0\":{\"type\":\"string\"}");
	for (i = 1; i <= 40; i++)
		p += snprintf(p, buf + sizeof(buf) - p,
			      ",\"d%d\":{\"allOf\":[{\"$ref\":\"#/$defs/d%d\"},"
			      "{\"$ref\":\"#/$defs/d%d\"}]}",
			      i, i - 1, i - 1);
	snprintf(p, buf + sizeof(buf) - p, "},\"$ref\":\"#/$defs/d40\"}");
	s = compile(buf);
	/* Uncapped, this would never finish: the step cap's own error
	 * says the cap, not the clock, ended it. */
	assert_int_equal(check(s, "\"x\"", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "steps"));
	tx_schema_free(s);
}

static void test_huge_enum(void **state)
{
	struct json_object *schema = json_object_new_object();
	struct json_object *e = json_object_new_array();
	struct tx_schema *s, *small;
	char err[512], name[32];
	double t0, t_small, t_huge;
	int i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "value-%d", i);
		json_object_array_add(e, json_object_new_string(name));
	}
	json_object_array_add(e, json_object_new_int(7));
	json_object_object_add(schema, "enum", e);
	s = tx_schema_compile(schema, NULL, err, sizeof(err));
	assert_non_null(s);
	json_object_put(schema); /* the compiled form owns its copies */
	/* Hashed, not scanned: a look-up among 100001 values costs about
	 * what it costs among one, measured in the same run (a scan would
	 * be thousands of times slower; the bound leaves room for a busy
	 * machine). */
	small = compile("{\"enum\":[\"value-99999\",7]}");
	t0 = now();
	for (i = 0; i < 2000; i++) {
		assert_int_equal(
			check(small, "\"value-99999\"", err, sizeof(err)), 0);
		assert_int_equal(check(small, "7.0", err, sizeof(err)), 0);
	}
	t_small = now() - t0;
	t0 = now();
	for (i = 0; i < 2000; i++) {
		assert_int_equal(check(s, "\"value-99999\"", err, sizeof(err)),
				 0);
		assert_int_equal(check(s, "7.0", err, sizeof(err)), 0);
	}
	t_huge = now() - t0;
	tx_schema_free(small);
	assert_true(t_huge < 50 * t_small + 0.05);
	assert_int_equal(check(s, "\"value-100000\"", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "(100001 values)"));
	tx_schema_free(s);
}

static void test_catastrophic_regex(void **state)
{
	static const char *const patterns[] = {
		"^(a+)+$",  "^(a|aa)+$",         "^(a|a?)+$",
		"(x+x+)+y", "^(\\\\w+\\\\s?)*$",
	};
	char schema[256], err[512];
	char *inst;
	size_t i;

	(void)state;
	inst = malloc(5000 + 4);
	inst[0] = '"';
	memset(inst + 1, 'a', 5000);
	memcpy(inst + 5001, "!\"", 3);
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		struct tx_schema *s;

		snprintf(schema, sizeof(schema), "{\"pattern\":\"%s\"}",
			 patterns[i]);
		s = compile(schema);
		/* Either no match or the match limit: rejected.  Without
		 * the limit these backtrack for ever and the test hangs. */
		assert_int_equal(check(s, inst, err, sizeof(err)), -EINVAL);
		tx_schema_free(s);
	}
	/* The limit is a failure even under "not", never a pass. */
	{
		struct tx_schema *s = compile(
			"{\"not\":{\"pattern\":\"^(\\\\w+\\\\s?)*$\"}}");

		assert_int_equal(check(s, inst, err, sizeof(err)), -EINVAL);
		tx_schema_free(s);
	}
	free(inst);
}

/* ------------------------------------------------------------------ */
/* Numbers and strings                                                  */

static void test_integer_number(void **state)
{
	(void)state;
	expect_valid("{\"type\":\"integer\"}", "1.0");
	expect_valid("{\"type\":\"integer\"}", "1e2");
	expect_valid("{\"type\":\"integer\"}", "-0");
	expect_valid("{\"type\":\"integer\"}", "18446744073709551615");
	expect_valid("{\"type\":\"integer\"}",
		     "12345678910111213141516171819202122232425262728293031");
	expect_invalid("{\"type\":\"integer\"}", "1.5",
		       "/: expected integer, got number 1.5");
	expect_invalid("{\"type\":\"integer\"}", "true",
		       "/: expected integer, got boolean true");
	expect_valid("{\"type\":\"number\"}", "3");
	expect_valid("{\"maximum\":18446744073709551615}",
		     "18446744073709551600");
	expect_invalid("{\"maximum\":9007199254740992}", "9007199254740993",
		       NULL); /* 64-bit exact, not rounded to double */
	expect_valid("{\"enum\":[1]}", "1.0");
	expect_valid("{\"const\":1.0}", "1");
	expect_invalid("{\"enum\":[1]}", "true", NULL);
	expect_invalid("{\"exclusiveMinimum\":0}", "0",
		       "/: 0 is not greater than exclusiveMinimum 0");
	/* draft-04 boolean form */
	expect_invalid(
		"{\"$schema\":\"http://json-schema.org/draft-04/schema#\","
		"\"minimum\":5,\"exclusiveMinimum\":true}",
		"5", "/: 5 is not greater than exclusiveMinimum 5");
	/* multipleOf with fractions */
	expect_valid("{\"multipleOf\":0.0001}", "0.0075");
	expect_invalid("{\"multipleOf\":0.0001}", "0.00751", NULL);
	expect_valid("{\"multipleOf\":0.1}", "0.3");
	expect_valid("{\"multipleOf\":0.01}", "19.99");
	expect_valid("{\"multipleOf\":1e-8}", "12391239123");
	expect_invalid("{\"type\":\"integer\",\"multipleOf\":0.123456789}",
		       "1e308", NULL);
	expect_valid("{\"multipleOf\":3}", "9223372036854775806");
	expect_invalid("{\"multipleOf\":3}", "9223372036854775807", NULL);
}

static void test_unicode_length(void **state)
{
	(void)state;
	/* Code points, not bytes and not UTF-16 units. */
	expect_valid("{\"maxLength\":1}", "\"\xf0\x9f\x92\xa9\"");
	expect_valid("{\"maxLength\":1}", "\"\\ud83d\\udca9\"");
	expect_invalid("{\"minLength\":2}", "\"\xf0\x9f\x92\xa9\"",
		       "/: string is shorter than minLength 2 (1 character)");
	expect_valid("{\"minLength\":2,\"maxLength\":2}", "\"e\xcc\x81\"");
	expect_valid("{\"maxLength\":3}", "\"\xc3\xa9t\xc3\xa9\"");
	/* Patterns see code points too. */
	expect_valid("{\"pattern\":\"^.$\"}", "\"\xf0\x9f\x92\xa9\"");
	expect_valid("{\"pattern\":\"^\\\\u00e9$\"}", "\"\xc3\xa9\"");
	/* ECMA-262: \d is ASCII; $ does not match before a final newline. */
	expect_invalid("{\"pattern\":\"^\\\\d$\"}", "\"\xd9\xa3\"", NULL);
	expect_invalid("{\"pattern\":\"^a$\"}", "\"a\\n\"", NULL);
}

/* ------------------------------------------------------------------ */
/* Drafts, references, formats                                          */

static void test_drafts_and_refs(void **state)
{
	const char *sib = "\"$defs\":{\"arr\":{\"type\":\"array\"}},"
			  "\"properties\":{\"foo\":{\"$ref\":\"#/$defs/arr\","
			  "\"maxItems\":2}}}";
	char schema[512];

	(void)state;
	/* draft-07: siblings of $ref are ignored; 2019+ and default apply. */
	snprintf(schema, sizeof(schema),
		 "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",%s",
		 sib);
	expect_valid(schema, "{\"foo\":[1,2,3]}");
	snprintf(schema, sizeof(schema), "{%s", sib);
	expect_invalid(schema, "{\"foo\":[1,2,3]}",
		       "/foo: array has more than maxItems 2 (3 items)");
	/* Keywords born in 2019-09 are not keywords in a draft-07 schema. */
	expect_valid("{\"$schema\":\"http://json-schema.org/draft-07/schema#\","
		     "\"dependentRequired\":{\"a\":[\"b\"]},\"prefixItems\":"
		     "[{\"type\":\"string\"}]}",
		     "{\"a\":1}");
	/* $anchor, $id-relative references, escaped pointers. */
	expect_invalid(
		"{\"$defs\":{\"n\":{\"$anchor\":\"num\",\"type\":"
		"\"number\"}},\"properties\":{\"a\":{\"$ref\":\"#num\"}}}",
		"{\"a\":\"x\"}", "/a: expected number, got string \"x\"");
	expect_invalid("{\"$id\":\"http://example.com/root.json\",\"$defs\":"
		       "{\"b\":{\"$id\":\"other.json\",\"type\":\"integer\"}},"
		       "\"$ref\":\"other.json\"}",
		       "\"x\"", NULL);
	expect_invalid(
		"{\"$defs\":{\"a/b\":{\"type\":\"integer\"},\"c%d\":"
		"{\"type\":\"integer\"}},\"properties\":{\"x\":{\"$ref\":"
		"\"#/$defs/a~1b\"},\"y\":{\"$ref\":\"#/$defs/c%25d\"}}}",
		"{\"x\":1,\"y\":\"s\"}", NULL);
	/* 2020-12 prefixItems + items; older items array + additionalItems */
	expect_invalid("{\"prefixItems\":[{\"type\":\"string\"}],\"items\":"
		       "{\"type\":\"integer\"}}",
		       "[\"a\",1,\"b\"]",
		       "/2: expected integer, got string \"b\"");
	expect_invalid("{\"items\":[{\"type\":\"string\"}],\"additionalItems\":"
		       "false}",
		       "[\"a\",1]",
		       "/1: no value is allowed here (false schema)");
	expect_invalid("{\"dependentRequired\":{\"a\":[\"b\"]}}", "{\"a\":1}",
		       NULL);
	expect_invalid("{\"dependentSchemas\":{\"a\":{\"required\":[\"c\"]}}}",
		       "{\"a\":1}", "/: missing required property \"c\"");
	expect_invalid("{\"contains\":{\"type\":\"string\"},\"minContains\":2}",
		       "[\"a\",1]", NULL);
	expect_valid("{\"contains\":{\"type\":\"string\"},\"maxContains\":1}",
		     "[\"a\",1]");
	expect_invalid("{\"if\":{\"properties\":{\"k\":{\"const\":\"a\"}}},"
		       "\"then\":{\"required\":[\"x\"]}}",
		       "{\"k\":\"a\"}", "/: missing required property \"x\"");
	/* The draft-07 meta-schema is built in, never fetched. */
	expect_valid("{\"$ref\":\"http://json-schema.org/draft-07/schema#\"}",
		     "{\"type\":\"string\"}");
	expect_invalid("{\"$ref\":\"http://json-schema.org/draft-07/schema#\"}",
		       "{\"type\":7}", NULL);
}

static void test_formats(void **state)
{
	struct tx_schema_options assert_fmt = { .assert_format = true };
	struct tx_schema *s;
	char err[256];

	(void)state;
	/* Annotations by default... */
	expect_valid("{\"format\":\"date\"}", "\"yesterday\"");
	/* ...assertions when asked; unknown formats always pass. */
	s = compile_opts(
		"{\"properties\":{\"d\":{\"format\":\"date\"},"
		"\"u\":{\"format\":\"uuid\"},\"x\":{\"format\":\"x-new\"}}}",
		&assert_fmt);
	assert_int_equal(check(s,
			       "{\"d\":\"2024-02-29\",\"u\":"
			       "\"123e4567-e89b-12d3-a456-426614174000\","
			       "\"x\":\"?\"}",
			       err, sizeof(err)),
			 0);
	assert_int_equal(check(s, "{\"d\":\"2023-02-29\"}", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err,
			    "/d: \"2023-02-29\" is not a valid date (format)");
	assert_int_equal(check(s, "{\"u\":\"123e4567\"}", err, sizeof(err)),
			 -EINVAL);
	tx_schema_free(s);
}

/* ------------------------------------------------------------------ */
/* Real MCP schemas, shared between threads                              */

static void test_mcp_filesystem(void **state)
{
	(void)state;
	expect_valid(write_file_schema,
		     "{\"path\":\"/tmp/a.txt\",\"content\":\"hello\"}");
	expect_invalid(write_file_schema, "{\"path\":\"/tmp/a.txt\"}",
		       "/: missing required property \"content\"");
	expect_invalid(write_file_schema, "{\"path\":1,\"content\":[]}",
		       "/path: expected string, got integer 1\n"
		       "/content: expected string, got array");
	expect_valid(edit_file_schema,
		     "{\"path\":\"a\",\"edits\":[{\"oldText\":\"x\","
		     "\"newText\":\"y\"}],\"dryRun\":true}");
	expect_invalid(
		edit_file_schema,
		"{\"path\":\"a\",\"edits\":[{\"oldText\":\"x\","
		"\"newText\":\"y\"},{\"oldText\":\"z\"}],\"dryRun\":\"yes\"}",
		"/edits/1: missing required property \"newText\"\n"
		"/dryRun: expected boolean, got string \"yes\"");
}

struct thread_arg {
	const struct tx_schema *s;
	struct json_object *good, *bad;
	int failures;
};

static void *validate_many(void *p)
{
	struct thread_arg *a = p;
	char err[256];
	int i;

	for (i = 0; i < 20000; i++) {
		if (tx_schema_validate(a->s, a->good, err, sizeof(err)) != 0)
			a->failures++;
		if (tx_schema_validate(a->s, a->bad, err, sizeof(err)) !=
			    -EINVAL ||
		    strcmp(err,
			   "/edits/0: missing required property \"newText\""))
			a->failures++;
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct thread_arg a[4];
	pthread_t t[4];
	struct tx_schema *s = compile(edit_file_schema);
	struct json_object *good =
		parse("{\"path\":\"a\",\"edits\":[{\"oldText\":\"x\","
		      "\"newText\":\"y\"}]}");
	struct json_object *bad =
		parse("{\"path\":\"a\",\"edits\":[{\"oldText\":\"x\"}]}");
	int i;

	(void)state;
	/* One schema and one instance shared by every thread: nothing in
	 * validation may write to either. */
	for (i = 0; i < 4; i++) {
		a[i] = (struct thread_arg){ s, good, bad, 0 };
		assert_int_equal(
			pthread_create(&t[i], NULL, validate_many, &a[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(a[i].failures, 0);
	}
	json_object_put(good);
	json_object_put(bad);
	tx_schema_free(s);
}

/*
 * The compiler remembers which keys the last object it read holds; a
 * schema freed and another parsed in its place (same addresses, other
 * keys) must not be read through what the first one held.  Each pair
 * is compiled in turn, many times, so that malloc hands the second the
 * first's memory.
 */
static void test_keys_of_a_freed_schema(void **state)
{
	static const char *const pairs[][2] = {
		{ "{\"type\":\"string\"}", "{\"maxLength\":1}" },
		{ "{\"minimum\":5}", "{\"required\":[\"a\"]}" },
		{ "{\"const\":1}", "{\"enum\":[2]}" },
	};
	char err[256];

	(void)state;
	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < 3; i++) {
			struct tx_schema *a = compile(pairs[i][0]);
			struct tx_schema *b = compile(pairs[i][1]);

			tx_schema_free(a);
			switch (i) {
			case 0:
				assert_int_equal(check(b, "\"x\"", err, 256),
						 0);
				assert_int_not_equal(
					check(b, "\"xy\"", err, 256), 0);
				assert_int_equal(check(b, "5", err, 256), 0);
				break;
			case 1:
				assert_int_equal(
					check(b, "{\"a\":1}", err, 256), 0);
				assert_int_not_equal(check(b, "{}", err, 256),
						     0);
				assert_int_equal(check(b, "1", err, 256), 0);
				break;
			default:
				assert_int_equal(check(b, "2", err, 256), 0);
				assert_int_not_equal(check(b, "1", err, 256),
						     0);
			}
			tx_schema_free(b);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_several_errors_capped),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_ref_loops),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_exponential_fanout),
		cmocka_unit_test(test_huge_enum),
		cmocka_unit_test(test_catastrophic_regex),
		cmocka_unit_test(test_integer_number),
		cmocka_unit_test(test_unicode_length),
		cmocka_unit_test(test_drafts_and_refs),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_mcp_filesystem),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_keys_of_a_freed_schema),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
