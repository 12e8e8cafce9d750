/*
 * test_tool_model.c - what the public tool model (toolexec.h) says of a
 * configured tool: namespace, title, tags, declared hint, backend kind,
 * as the configuration wrote them; and file names at their edges: a
 * name of escapes too long to hold, an output buffer too small, a cut
 * that must not split an escape or a character, lower-case hex read
 * back.
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

#include "toolexecfs/toolexec.h"

static void test_accessors(void **state)
{
	char dir[] = "/tmp/txtoolmodelXXXXXX", path[64], err[512];
	struct tx_engine_options opts = { 0 };
	const struct tx_tool *t, *b;
	struct tx_toolset *set;
	struct tx_engine *e;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/z.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"tools\": [{\"namespace\": \"zoo\", \"name\": \"feed\","
	      " \"title\": \"Feed the animals\", \"tags\": [\"care\", "
	      "\"daily\"], \"read_only\": true, \"description\": \"Feeds.\","
	      " \"input_schema\": {\"type\": \"object\"}, \"command\": "
	      "[\"true\"], \"stdin\": \"none\", \"timeout_ms\": 1000}]}",
	      f);
	assert_int_equal(fclose(f), 0);
	opts.config_dir = dir;
	e = tx_engine_new(&opts, err, sizeof(err));
	if (!e)
		fail_msg("%s", err);
	set = tx_engine_tools(e);
	assert_non_null(set);
	t = tx_toolset_find_file(set, "zoo", "feed");
	assert_non_null(t);
	assert_string_equal(tx_tool_namespace(t), "zoo");
	assert_string_equal(tx_tool_title(t), "Feed the animals");
	assert_int_equal(tx_tool_tag_count(t), 2);
	assert_string_equal(tx_tool_tag(t, 0), "care");
	assert_string_equal(tx_tool_tag(t, 1), "daily");
	assert_null(tx_tool_tag(t, 2));
	assert_int_equal(tx_tool_hint(t), TX_HINT_READ_ONLY);
	assert_true(tx_tool_hint_declared(t));
	assert_string_equal(tx_tool_backend_kind(t), "exec");
	/* A built-in. */
	b = tx_toolset_find_file(set, "builtin", "echo");
	assert_non_null(b);
	assert_string_equal(tx_tool_namespace(b), "builtin");
	assert_string_equal(tx_tool_backend_kind(b), "builtin");
	tx_toolset_unref(set);
	tx_engine_free(e);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_name_edges(void **state)
{
	char name[1100], enc[TX_NAME_MAX + 1], small[8], dec[TX_NAME_MAX + 1];
	int n;

	(void)state;
	/* 700 slashes: 2100 bytes escaped, more than can be held; the
	 * file name is a prefix of whole escapes and the hash. */
	memset(name, '/', 700);
	name[700] = '\0';
	n = tx_name_encode(name, enc, sizeof(enc));
	assert_true(n > 0 && n <= TX_NAME_MAX);
	assert_non_null(strstr(enc, "%~"));
	for (char *p = enc; p < strstr(enc, "%~"); p += 3)
		assert_memory_equal(p, "%2F", 3);
	/* The same name cut one byte on: the cut moves back over the
	 * escape rather than split it. */
	name[0] = 'a';
	n = tx_name_encode(name, enc, sizeof(enc));
	assert_true(n > 0 && n <= TX_NAME_MAX);
	assert_int_equal(enc[0], 'a');
	for (char *p = enc + 1; p < strstr(enc, "%~"); p += 3)
		assert_memory_equal(p, "%2F", 3);
	/* Two-byte characters: the cut does not split one. */
	for (int i = 0; i < 300; i++) {
		name[2 * i] = '\xc3';
		name[2 * i + 1] = '\xa9';
	}
	name[600] = 'x';
	name[601] = '\0';
	n = tx_name_encode(name, enc, sizeof(enc));
	assert_true(n > 0);
	assert_int_equal((int)(strstr(enc, "%~") - enc) % 2, 0);

	/* Buffers too small. */
	assert_int_equal(tx_name_encode("abcdefghij", small, sizeof(small)),
			 -ENAMETOOLONG);
	assert_int_equal(tx_name_encode(name, small, sizeof(small)),
			 -ENAMETOOLONG);
	assert_int_equal(tx_name_decode("abcdefghij", small, sizeof(small)),
			 -ENAMETOOLONG);
	/* Lower-case hex is read too. */
	assert_int_equal(tx_name_decode("a%2fb%2Ec", dec, sizeof(dec)), 5);
	assert_string_equal(dec, "a/b.c");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accessors),
		cmocka_unit_test(test_name_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
