/*
 * test_schema_keywords.c - the validator's keyword checks at compile
 * time (each malformed keyword refused with a message that names it),
 * draft-04's boolean exclusive bounds, and the formats the JSON Schema
 * test suite leaves optional: duration, draft-03 names, e-mail quoted
 * local parts and address literals, leap seconds; how $id and $ref
 * resolve (dot segments, queries, anchors, escapes, array indices).
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

#include <json-c/json.h>

#include "schema/schema.h"

static struct json_object *parse(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	if (!o && strcmp(text, "null"))
		fail_msg("test JSON does not parse: %s", text);
	return o;
}

/* Compiling schema fails with EINVAL and a message containing needle. */
static void refused(const char *schema, const char *needle)
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

static void test_malformed_keywords(void **state)
{
	(void)state;
	refused("{\"minimum\":\"1\"}", "\"minimum\" must be a number");
	refused("{\"exclusiveMaximum\":\"x\"}",
		"\"exclusiveMaximum\" must be a number");
	refused("{\"type\":5}",
		"\"type\" must be a type name or an array of them");
	refused("{\"type\":[\"string\",1]}",
		"\"type\" must be a type name or an array of them");
	refused("{\"enum\":{}}", "\"enum\" must be an array");
	refused("{\"required\":\"a\"}",
		"\"required\" must be an array of strings");
	refused("{\"required\":[\"a\",1]}",
		"\"required\" must be an array of strings");
	refused("{\"patternProperties\":[]}",
		"\"patternProperties\" must be an object");
	refused("{\"dependencies\":[]}", "\"dependencies\" must be an object");
	refused("{\"$schema\":\"https://json-schema.org/draft/2020-12/"
		"schema\",\"dependentRequired\":{\"a\":{}}}",
		"\"dependentRequired\" member \"a\" has the wrong type");
	refused("{\"$schema\":\"https://json-schema.org/draft/2020-12/"
		"schema\",\"dependentSchemas\":{\"a\":[\"b\"]}}",
		"\"dependentSchemas\" member \"a\" has the wrong type");
	refused("{\"uniqueItems\":1}", "\"uniqueItems\" must be a boolean");
	refused("{\"pattern\":1}", "\"pattern\" must be a string");
	refused("{\"$ref\":1}", "\"$ref\" must be a string");
	/* A bad subschema inside an array names where it is. */
	refused("{\"anyOf\":[{},{\"minimum\":true}]}",
		"\"minimum\" must be a number");
}

/* Validates instance text against a compiled schema: 0 or -EINVAL. */
static int check(const struct tx_schema *s, const char *inst)
{
	struct json_object *j = parse(inst);
	char err[512];
	int rc = tx_schema_validate(s, j, err, sizeof(err));

	json_object_put(j);
	return rc;
}

static struct tx_schema *compile(const char *text, bool assert_format)
{
	struct tx_schema_options o = { .assert_format = assert_format };
	struct json_object *j = parse(text);
	char err[512];
	struct tx_schema *s = tx_schema_compile(j, &o, err, sizeof(err));

	if (!s)
		fail_msg("compile failed: %s", err);
	json_object_put(j);
	return s;
}

/* draft-04: exclusiveMaximum/-Minimum are booleans on the bound. */
static void test_draft4_exclusive_bounds(void **state)
{
	struct tx_schema *s;

	(void)state;
	s = compile("{\"$schema\":\"http://json-schema.org/draft-04/schema#\","
		    "\"minimum\":1,\"exclusiveMinimum\":true,"
		    "\"maximum\":5,\"exclusiveMaximum\":true}",
		    false);
	assert_int_equal(check(s, "4.5"), 0);
	assert_int_equal(check(s, "1.5"), 0);
	assert_int_equal(check(s, "5"), -EINVAL);
	assert_int_equal(check(s, "1"), -EINVAL);
	tx_schema_free(s);
	/* false leaves the bound inclusive. */
	s = compile("{\"$schema\":\"http://json-schema.org/draft-04/schema#\","
		    "\"maximum\":5,\"exclusiveMaximum\":false}",
		    false);
	assert_int_equal(check(s, "5"), 0);
	assert_int_equal(check(s, "5.5"), -EINVAL);
	tx_schema_free(s);
}

/* Each string against {"format": fmt}, asserted: want 0 or -EINVAL. */
static void formats(const char *fmt, const char *const *good,
		    const char *const *bad)
{
	char schema[128], inst[256];
	struct tx_schema *s;

	snprintf(schema, sizeof(schema), "{\"format\":\"%s\"}", fmt);
	s = compile(schema, true);
	for (size_t i = 0; good[i]; i++) {
		snprintf(inst, sizeof(inst), "\"%s\"", good[i]);
		if (check(s, inst) != 0)
			fail_msg("%s: %s refused", fmt, good[i]);
	}
	for (size_t i = 0; bad[i]; i++) {
		snprintf(inst, sizeof(inst), "\"%s\"", bad[i]);
		if (check(s, inst) != -EINVAL)
			fail_msg("%s: %s accepted", fmt, bad[i]);
	}
	tx_schema_free(s);
}

static void test_duration(void **state)
{
	static const char *const good[] = { "P1D",     "PT1H30M",      "P1W",
					    "P1Y2M3D", "P4DT12H30M5S", NULL };
	static const char *const bad[] = {
		"P",     "PT",
		"1D",    "P1H", /* hours need the T */
		"P1M1Y",        /* units out of order */
		"P1W2D",        /* weeks stand alone */
		"P1DT",  "PTT1H",
		"P1",    "PT0.5S", /* no fractions in RFC 3339's grammar */
		NULL,
	};

	(void)state;
	formats("duration", good, bad);
}

static void test_old_names_and_addresses(void **state)
{
	static const char *const ip_good[] = { "192.168.0.1", NULL };
	static const char *const ip_bad[] = { "256.1.1.1", "1.2.3", NULL };
	static const char *const host_good[] = { "example.com", "a-b.c", NULL };
	static const char *const host_bad[] = { "-a.com", "a..com", "a-.com",
						NULL };
	static const char *const mail_good[] = {
		"\\\"john doe\\\"@example.com",
		"user@[192.168.0.1]",
		"user@[IPv6:::1]",
		NULL,
	};
	static const char *const mail_bad[] = {
		"\\\"a\\\"b\\\"@example.com", /* a quote inside the quotes */
		"\\\"@example.com",           /* one quote only */
		"user@[300.1.1.1]",           "user@[IPv6:1::2::3]",
		"user@[192.168.0.1",          NULL,
	};

	(void)state;
	/* draft-03 spellings of ipv4 and hostname. */
	formats("ip-address", ip_good, ip_bad);
	formats("host-name", host_good, host_bad);
	formats("email", mail_good, mail_bad);
}

static void test_leap_seconds(void **state)
{
	static const char *const good[] = {
		"23:59:60Z",      "15:59:60-08:00", /* 23:59:60 UTC */
		"00:59:60+01:00", "23:59:59.25Z",   NULL,
	};
	static const char *const bad[] = {
		"12:00:60Z",  "23:59:60+01:00", /* 22:59:60 UTC */
		"23:59:61Z",  "23:59:59",       /* no offset */
		"23:59:59.Z", "24:00:00Z",      "23:59:59+24:00", NULL,
	};

	(void)state;
	formats("time", good, bad);
}

/* schema: 1 passes and "x" fails (the reference reached the integer
 * schema, not something else). */
static void ref_reaches_integer(const char *schema)
{
	struct tx_schema *s = compile(schema, false);

	if (check(s, "1") != 0 || check(s, "\"x\"") != -EINVAL)
		fail_msg("%s: the reference did not reach the integer", schema);
	tx_schema_free(s);
}

static void test_reference_resolution(void **state)
{
	(void)state;
	/* Relative ids and references, with dot segments and queries. */
	ref_reaches_integer("{\"$id\":\"http://e.com/r/a/b.json\","
			    "\"$defs\":{\"t\":{\"$id\":\"../c/./t.json\","
			    "\"type\":\"integer\"}},"
			    "\"$ref\":\"./../c/t.json\"}");
	ref_reaches_integer("{\"$id\":\"http://e.com/s?x=1\","
			    "\"$defs\":{\"t\":{\"$id\":\"t?y=2\","
			    "\"type\":\"integer\"},"
			    "\"u\":{\"$id\":\"t?y=3\",\"type\":\"string\"}},"
			    "\"$ref\":\"t?y=2\"}");
	ref_reaches_integer("{\"$id\":\"http://e.com/a/b/\","
			    "\"$defs\":{\"t\":{\"$id\":\"/x/y/../t.json\","
			    "\"type\":\"integer\"}},"
			    "\"$ref\":\"http://e.com/x/t.json\"}");
	/* draft-06 location-independent ids; 2019-09 anchors. */
	ref_reaches_integer("{\"$schema\":\"http://json-schema.org/draft-06/"
			    "schema#\",\"definitions\":{\"f\":{\"$id\":"
			    "\"#foo\",\"type\":\"integer\"}},"
			    "\"$ref\":\"#foo\"}");
	ref_reaches_integer("{\"$schema\":\"https://json-schema.org/draft/"
			    "2019-09/schema\",\"$defs\":{\"a\":{\"$anchor\":"
			    "\"x\",\"type\":\"integer\"}},\"$ref\":\"#x\"}");
	/* Percent-escapes in a pointer, upper and lower case hex. */
	ref_reaches_integer("{\"$defs\":{\"aZb\":{\"type\":\"integer\"}},"
			    "\"$ref\":\"#/$defs/a%5Ab\"}");
	ref_reaches_integer("{\"$defs\":{\"aZb\":{\"type\":\"integer\"}},"
			    "\"$ref\":\"#/$defs/a%5ab\"}");
	/* Array indices in a pointer. */
	ref_reaches_integer("{\"$defs\":{\"l\":[{\"type\":\"string\"},"
			    "{\"type\":\"integer\"}]},"
			    "\"$ref\":\"#/$defs/l/1\"}");
	refused("{\"$ref\":\"#/$defs/a%zzb\",\"$defs\":{}}",
		"bad percent-encoding");
	refused("{\"$defs\":{\"l\":[{}]},\"$ref\":\"#/$defs/l/01\"}",
		"no such location");
	refused("{\"$defs\":{\"l\":[{}]},\"$ref\":\"#/$defs/l/1\"}",
		"no such location");
	refused("{\"$defs\":{\"n\":3},\"$ref\":\"#/$defs/n\"}", "points at a");
	refused("{\"$defs\":{\"n\":\"s\"},\"$ref\":\"#/$defs/n/x\"}",
		"no such location");
	refused("{\"$ref\":\"#nowhere\"}", "unresolvable");
}

/* The message for instance text against schema text. */
static void message(const char *schema, const char *inst, const char *want)
{
	struct tx_schema *s = compile(schema, false);
	struct json_object *j = parse(inst);
	char err[512];

	assert_int_equal(tx_schema_validate(s, j, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	json_object_put(j);
	tx_schema_free(s);
}

/* uniqueItems past 16 items (compared by hash), with values of every
 * kind, equal across json-c's types (1 and 1.0); maxContains. */
static void test_unique_and_contains(void **state)
{
	char inst[4096];
	size_t n = 0;
	struct tx_schema *s;

	(void)state;
	n += (size_t)snprintf(inst + n, sizeof(inst) - n, "[");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(inst + n, sizeof(inst) - n,
				      "%s{\"k\":[%d,\"s\",null,true,0]}",
				      i ? "," : "", i);
	snprintf(inst + n, sizeof(inst) - n, "]");
	s = compile("{\"uniqueItems\":true}", false);
	assert_int_equal(check(s, inst), 0);
	/* A 41st item equal to item 12, though written 12.0. */
	inst[n] = '\0';
	snprintf(inst + n, sizeof(inst) - n,
		 ",{\"k\":[12.0,\"s\",null,true,0]}]");
	assert_int_equal(check(s, inst), -EINVAL);
	tx_schema_free(s);
	message("{\"uniqueItems\":true}", inst,
		"/: items 12 and 40 are equal (uniqueItems)");
	message("{\"$schema\":\"https://json-schema.org/draft/2020-12/"
		"schema\",\"contains\":{\"type\":\"integer\"},"
		"\"maxContains\":2}",
		"[1,\"a\",2,3]",
		"/: 3 items match \"contains\", more than maxContains 2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_keywords),
		cmocka_unit_test(test_draft4_exclusive_bounds),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_old_names_and_addresses),
		cmocka_unit_test(test_leap_seconds),
		cmocka_unit_test(test_reference_resolution),
		cmocka_unit_test(test_unique_and_contains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
