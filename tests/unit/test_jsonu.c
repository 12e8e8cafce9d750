/*
 * test_jsonu.c - the strict JSON layer (src/util/jsonu.c): what it
 * refuses that json-c alone would take or misreport (NUL bytes, invalid
 * UTF-8 of each kind, raw control characters, single quotes, NaN, a
 * second value, a cut-off document), each with its message; files over
 * the cap or missing; and the type names used in messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include <errno.h>

#include "util/buf.h"
#include "util/jsonu.h"

static void refused(const char *text, size_t len, const char *want)
{
	char err[256];
	struct json_object *o = tx_json_parse(text, len, 32, err, sizeof(err));

	if (o) {
		json_object_put(o);
		fail_msg("accepted: %.*s", (int)len, text);
	}
	assert_string_equal(err, want);
}

static void test_refusals(void **state)
{
	(void)state;
	refused("{\"a\":1}\0", 8, "a NUL byte is not allowed in JSON text");
	refused("\"a\tb\"", 5,
		"invalid JSON at byte 2: control character in a string");
	/* Overlong, surrogate, cut-off sequences; a byte never in UTF-8. */
	refused("\"\xe0\x80\x80\"", 5, "the text is not valid UTF-8");
	refused("\"\xc0\xaf\"", 4, "the text is not valid UTF-8");
	refused("\"\xed\xa0\x80\"", 5, "the text is not valid UTF-8");
	refused("\"\xf4\x90\x80\x80\"", 6, "the text is not valid UTF-8");
	refused("\"\xc3", 2, "the text is not valid UTF-8");
	refused("\"\xc3x\"", 4, "the text is not valid UTF-8");
	refused("\xff", 1, "the text is not valid UTF-8");
	refused(" \n\t", 3, "empty document");
	refused("'a'", 3, "invalid JSON at byte 0: unexpected character");
	refused("NaN", 3, "invalid JSON at byte 0: unexpected character");
	refused("[1] [2]", 7, "invalid JSON at byte 4: unexpected character");
	refused("[1,", 3, "unexpected end of JSON text");
	/* Two values: the second is not part of the document. */
	refused("1 2", 3, "invalid JSON at byte 2: unexpected character");
	refused("true null", 9, "invalid JSON at byte 5: unexpected character");
}

static void test_accepted(void **state)
{
	char err[256];
	struct json_object *o;

	(void)state;
	/* Four-byte UTF-8 and a bare number at the very end. */
	o = tx_json_parse("\"\xf0\x9f\x99\x82\"", 6, 8, err, sizeof(err));
	assert_non_null(o);
	assert_string_equal(json_object_get_string(o), "\xf0\x9f\x99\x82");
	json_object_put(o);
	o = tx_json_parse(" 42 \n", 5, 8, err, sizeof(err));
	assert_non_null(o);
	assert_int_equal(json_object_get_int(o), 42);
	json_object_put(o);
}

static void test_files(void **state)
{
	char path[] = "/tmp/test_jsonu.XXXXXX", err[256];
	struct json_object *o;
	int fd;

	(void)state;
	assert_null(tx_json_parse_file("/nonexistent/x.json", 100, 8, err,
				       sizeof(err)));
	assert_string_equal(err, "cannot open: No such file or directory");
	assert_null(tx_json_parse_file("/tmp", 100, 8, err, sizeof(err)));
	assert_string_equal(err, "cannot read: Is a directory");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[1,2,3,4,5,6]", 13), 13);
	close(fd);
	assert_null(tx_json_parse_file(path, 10, 8, err, sizeof(err)));
	assert_string_equal(err, "file is larger than 10 bytes");
	o = tx_json_parse_file(path, 13, 8, err, sizeof(err));
	assert_non_null(o);
	assert_int_equal(json_object_array_length(o), 6);
	json_object_put(o);
	unlink(path);
}

static void test_type_names(void **state)
{
	static const struct {
		const char *doc, *name;
	} c[] = {
		{ "null", "null" },    { "true", "boolean" },
		{ "1.5", "number" },   { "1", "integer" },
		{ "{}", "object" },    { "[]", "array" },
		{ "\"s\"", "string" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct json_object *o = json_tokener_parse(c[i].doc);

		assert_string_equal(tx_json_type_name(o), c[i].name);
		json_object_put(o);
	}
}

/*
 * tx_json_compact_to writes what json-c's printer writes (flags PLAIN |
 * NOSLASHESCAPE) for every kind of value it takes: each escape, bytes
 * json-c leaves alone (0x7f, UTF-8, '/'), integers at the edges, empty
 * and nested containers, keys that need escaping.  Doubles and integers
 * past INT64_MAX are refused, and the buffer is left as it was.
 */
static void same_as_json_c(const char *doc)
{
	char err[256];
	struct json_object *o =
		tx_json_parse(doc, strlen(doc), 32, err, sizeof(err));
	struct json_object *copy;
	struct tx_buf b;

	if (!o && err[0])
		fail_msg("cannot parse %s: %s", doc, err);
	copy = tx_json_copy(o);
	tx_buf_init(&b, 0);
	assert_int_equal(tx_buf_add(&b, "x", 1), 0);
	assert_int_equal(tx_json_compact_to(&b, o), 0);
	assert_string_equal(b.data + 1,
			    json_object_to_json_string_ext(
				    copy,
				    JSON_C_TO_STRING_PLAIN |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	tx_buf_release(&b);
	json_object_put(copy);
	json_object_put(o);
}

static void test_compact_same_bytes(void **state)
{
	static const char *const docs[] = {
		"null",
		"true",
		"false",
		"0",
		"-0",
		"42",
		"-9223372036854775808",
		"9223372036854775806",
		"\"\"",
		"\"a/b \\\\ \\\" \\/ \\b\\f\\n\\r\\t\"",
		"\"\\u0001\\u001f\\u007f\\u0000z\"",
		"\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
		"[]",
		"{}",
		"[[],{},[{}],null,[1,[2,[3]]]]",
		"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":"
		"\"string\",\"enum\":[\"x\",\"y\",null,true,-1]}},"
		"\"required\":[\"a\"],\"additionalProperties\":false}",
		"{\"k\\\"ey\\n\":1,\"\":{\"\":[]},\"a/b\":\"\\u0000\"}",
	};
	char err[256];
	struct json_object *o;
	struct tx_buf b;

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		same_as_json_c(docs[i]);
	/* Only json-c knows how a double was written. */
	tx_buf_init(&b, 0);
	assert_int_equal(tx_buf_add(&b, "keep", 4), 0);
	o = tx_json_parse("{\"a\":[1,\"s\",1.50]}", 18, 32, err, sizeof(err));
	assert_non_null(o);
	assert_int_equal(tx_json_compact_to(&b, o), -ENOTSUP);
	assert_string_equal(b.data, "keep");
	json_object_put(o);
	o = tx_json_parse("18446744073709551615", 20, 32, err, sizeof(err));
	assert_non_null(o);
	assert_int_equal(tx_json_compact_to(&b, o), -ENOTSUP);
	assert_string_equal(b.data, "keep");
	json_object_put(o);
	tx_buf_release(&b);
}

/*
 * tx_utf8_valid skips ASCII a word at a time: a bad byte is found at
 * every offset from a word boundary, after runs of every length, and a
 * sequence cut by the end of the text after a run is refused.
 */
static void test_utf8_runs(void **state)
{
	static const char *const bad[] = { "\x80",         "\xc0\xaf",
					   "\xed\xa0\x80", "\xf4\x90\x80\x80",
					   "\xff",         "\xe2\x82" };
	char text[64];

	(void)state;
	for (size_t run = 0; run < 24; run++) {
		memset(text, 'a', run);
		memcpy(text + run, "\xe2\x82\xac", 3);
		memset(text + run + 3, 'b', 20);
		assert_true(tx_utf8_valid(text, run + 23));
		for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			size_t n = strlen(bad[k]);

			memset(text, 'a', run);
			memcpy(text + run, bad[k], n);
			/* At the very end, and followed by more ASCII. */
			assert_false(tx_utf8_valid(text, run + n));
			memset(text + run + n, 'b', 20);
			assert_false(tx_utf8_valid(text, run + n + 20));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_compact_same_bytes),
		cmocka_unit_test(test_utf8_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
