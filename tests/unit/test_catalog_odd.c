/*
 * test_catalog_odd.c - what the catalog makes of odd lists a server
 * may send: templates whose braces are not whole path parts, that bind
 * nothing, or name variables with operator characters are listed in
 * INDEX without a path; resources whose URI has no valid scheme have
 * no path either; over-long URI parts cut to a file name; prompts
 * without a usable name are skipped, arguments without a name ignored,
 * and "arguments" that is not an array means none.
 */
#include <errno.h>

#include "testlib.h"
#include "engine/catalog.h"

static int no_read(struct tx_backend *be, const char *uri, char **data,
		   size_t *len, char *err, size_t errlen)
{
	(void)be;
	(void)uri;
	(void)data;
	(void)len;
	snprintf(err, errlen, "not here");
	return -EIO;
}

static const struct tx_catalog_server_ops ops = { .read = no_read };

static struct json_object *parse(const char *text)
{
	char err[256];
	struct json_object *o =
		tx_json_parse(text, strlen(text), 64, err, sizeof(err));

	assert_non_null(o);
	return o;
}

static void test_odd_lists(void **state)
{
	struct tx_catalog *cat = tx_catalog_new();
	struct tx_backend *be = &test_backend_new()->base;
	struct json_object *res =
		parse("[{\"uri\":\"no scheme\",\"name\":\"ns\"},"
		      "{\"uri\":\"1x://a\",\"name\":\"digit\"},"
		      "{\"uri\":\"mem://ok\",\"name\":\"ok\"}]");
	struct json_object *tmpl =
		parse("[{\"uriTemplate\":\"mem://a/x{id}\",\"name\":\"half\"},"
		      "{\"uriTemplate\":\"mem://fixed/b\",\"name\":\"novar\"},"
		      "{\"uriTemplate\":\"mem://c/{a.b}\",\"name\":\"dot\"},"
		      "{\"uriTemplate\":\"mem://d/{}\",\"name\":\"empty\"},"
		      "{\"uriTemplate\":\"{s}://e\",\"name\":\"scheme\"},"
		      "{\"uriTemplate\":\"mem://f/{id}\",\"name\":\"good\"}]");
	struct json_object *prompts =
		parse("[{\"description\":\"nameless\"},{\"name\":\"\"},"
		      "{\"name\":\"plain\",\"arguments\":{\"who\":1}},"
		      "{\"name\":\"some\",\"arguments\":[{\"required\":true},"
		      "{\"name\":\"x\"}]}]");
	struct tx_catalog_set *set;
	struct tx_cat_entry *v;
	const struct tx_prompt *p;
	size_t n, len;
	char err[256], *index;

	(void)state;
	assert_int_equal(tx_catalog_set_server(cat, "srv", be, &ops, res, tmpl,
					       prompts, err, sizeof(err)),
			 0);
	set = tx_catalog_snapshot(cat);
	index = tx_catalog_resources_index(set, &len);
	assert_non_null(index);
	assert_string_equal(index,
			    "srv\t1x://a\tdigit\t-\t-\n"
			    "srv\tmem://a/x{id}\thalf\t-\t-\n"
			    "srv\tmem://c/{a.b}\tdot\t-\t-\n"
			    "srv\tmem://d/{}\tempty\t-\t-\n"
			    "srv\tmem://f/{id}\tgood\t-\tsrv/mem/f/{id}\n"
			    "srv\tmem://fixed/b\tnovar\t-\t-\n"
			    "srv\tmem://ok\tok\t-\tsrv/mem/ok\n"
			    "srv\tno scheme\tns\t-\t-\n"
			    "srv\t{s}://e\tscheme\t-\t-\n");
	assert_int_equal(len, strlen(index));
	free(index);
	/* Only what has a path is in the tree. */
	assert_int_equal(tx_catalog_list(set, "srv/mem", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "f");
	assert_string_equal(v[1].name, "ok");
	tx_cat_entries_free(v, n);

	/* Prompts: the two without a name are skipped. */
	assert_int_equal(tx_catalog_prompts_list(set, "srv", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "plain");
	assert_string_equal(v[1].name, "some");
	tx_cat_entries_free(v, n);
	p = tx_catalog_prompt_find(set, "srv", "plain");
	assert_non_null(p);
	assert_non_null(strstr(tx_prompt_doc(p), "No arguments.\n"));
	p = tx_catalog_prompt_find(set, "srv", "some");
	assert_non_null(p);
	assert_non_null(strstr(tx_prompt_doc(p), "| x | no |"));
	assert_null(strstr(tx_prompt_doc(p), "| yes |"));
	assert_non_null(strstr(tx_prompt_schema_text(p), "\"x\""));

	tx_catalog_set_unref(set);
	json_object_put(res);
	json_object_put(tmpl);
	json_object_put(prompts);
	tx_catalog_free(cat);
	tx_backend_unref(be);
}

static void test_long_part(void **state)
{
	char uri[1200], *p;

	(void)state;
	/* A part longer than a file name may be (here longer than four
	 * times one) is cut as tx_name_encode cuts: 237 bytes, "%~" and
	 * 16 hex digits of a hash. */
	memcpy(uri, "x://", 4);
	memset(uri + 4, 'a', 1100);
	memcpy(uri + 1104, "/b", sizeof("/b"));
	p = tx_catalog_uri_path(uri);
	assert_non_null(p);
	assert_int_equal(strlen(p), 2 + TX_NAME_MAX + 2);
	assert_int_equal(strspn(p + 2, "a"), 237);
	assert_memory_equal(p + 2 + 237, "%~", 2);
	assert_int_equal(strspn(p + 2 + 239, "0123456789abcdefABCDEF"), 16);
	assert_string_equal(p + 2 + TX_NAME_MAX, "/b");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odd_lists),
		cmocka_unit_test(test_long_part),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
