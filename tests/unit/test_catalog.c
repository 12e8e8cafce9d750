/*
 * test_catalog.c - the catalog of resources, templates and prompts: the
 * rule that maps a URI to a path, what a path resolves to (listed
 * resources, template variables bound by a name), directory listings,
 * INDEX lines, prompt schemas, and snapshots that outlive a change.
 */
#include <errno.h>

#include "testlib.h"
#include "engine/catalog.h"

static void test_uri_path(void **state)
{
	static const char *const cases[][2] = {
		{ "demo://resource/static/a.md", "demo/resource/static/a.md" },
		{ "urn:x:plain", "urn:/x:plain" },
		{ "file:///srv/ws/", "file/%/srv/ws/%" },
		{ "x://a/../.hidden/b%c", "x/a/%2E./%2Ehidden/b%25c" },
		{ "mailto:a@b.c", "mailto:/a@b.c" },
	};
	char *p;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = tx_catalog_uri_path(cases[i][0]);
		assert_non_null(p);
		assert_string_equal(p, cases[i][1]);
		free(p);
	}
	errno = 0;
	assert_null(tx_catalog_uri_path("no scheme here"));
	assert_int_equal(errno, EINVAL);
	assert_null(tx_catalog_uri_path("1x://a"));
}

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

static int kind_of(struct tx_catalog_set *set, const char *path,
		   struct tx_res_file *f)
{
	int k = tx_catalog_resolve(set, path, f);

	if (k != TX_RES_FILE)
		tx_res_file_release(f);
	return k;
}

static void test_resolve_and_list(void **state)
{
	struct tx_catalog *cat = tx_catalog_new();
	struct tx_backend *be = &test_backend_new()->base;
	struct json_object *res = parse(
		"[{\"uri\":\"mem://notes/a.txt\",\"name\":\"a\",\"size\":3},"
		"{\"uri\":\"mem://notes/sub/b\",\"name\":\"b\","
		"\"title\":\"Bee\\tx\",\"mimeType\":\"text/plain\"},"
		"{\"name\":\"no uri\"}]");
	struct json_object *tmpl = parse(
		"[{\"uriTemplate\":\"mem://users/{id}/profile\",\"name\":\"p\"},"
		"{\"uriTemplate\":\"mem://q{?x}\",\"name\":\"query\"}]");
	struct json_object *prompts = parse(
		"[{\"name\":\"hi/there\",\"arguments\":[{\"name\":\"who\","
		"\"required\":true},{\"name\":\"how\"}]}]");
	struct tx_catalog_set *s0 = tx_catalog_snapshot(cat), *s1;
	struct tx_res_file f;
	struct tx_cat_entry *v;
	size_t n, len;
	char err[256], *index;
	const struct tx_prompt *p;

	(void)state;
	assert_int_equal(tx_catalog_set_server(cat, "srv", be, &ops, res, tmpl,
					       prompts, err, sizeof(err)),
			 0);
	s1 = tx_catalog_snapshot(cat);
	assert_true(tx_catalog_set_generation(s1) >
		    tx_catalog_set_generation(s0));
	assert_int_equal(kind_of(s0, "srv", &f), TX_RES_NONE);

	assert_int_equal(kind_of(s1, "srv", &f), TX_RES_DIR);
	assert_int_equal(kind_of(s1, "srv/mem/notes", &f), TX_RES_DIR);
	assert_int_equal(kind_of(s1, "srv/mem/notes/a.txt", &f), TX_RES_FILE);
	assert_string_equal(f.ns, "srv");
	assert_string_equal(f.uri, "mem://notes/a.txt");
	assert_int_equal(f.size, 3);
	tx_res_file_release(&f);
	assert_int_equal(kind_of(s1, "srv/mem/notes/c", &f), TX_RES_NONE);
	/* A template: the name binds {id}, percent-encoded. */
	assert_int_equal(kind_of(s1, "srv/mem/users/a b", &f), TX_RES_DIR);
	assert_int_equal(kind_of(s1, "srv/mem/users/a b/profile", &f),
			 TX_RES_FILE);
	assert_string_equal(f.uri, "mem://users/a%20b/profile");
	assert_int_equal(f.size, -1);
	tx_res_file_release(&f);
	assert_int_equal(kind_of(s1, "srv/mem/users/x/other", &f), TX_RES_NONE);

	assert_int_equal(tx_catalog_list(s1, "srv/mem", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "notes");
	assert_string_equal(v[1].name, "users");
	assert_true(v[0].dir && v[1].dir);
	tx_cat_entries_free(v, n);
	assert_int_equal(tx_catalog_list(s1, "srv/mem/users", &v, &n), 0);
	assert_int_equal(n, 0); /* a variable lists nothing */
	tx_cat_entries_free(v, n);
	assert_int_equal(tx_catalog_list(s1, "srv/mem/notes/a.txt", &v, &n),
			 -ENOENT);
	assert_int_equal(tx_catalog_list(s1, "", &v, &n), 0);
	assert_int_equal(n, 1);
	tx_cat_entries_free(v, n);

	/* INDEX: by URI; a tab in a title is a space; templates with
	 * other expressions have no path. */
	index = tx_catalog_resources_index(s1, &len);
	assert_non_null(index);
	assert_string_equal(
		index,
		"srv\tmem://notes/a.txt\ta\t-\tsrv/mem/notes/a.txt\n"
		"srv\tmem://notes/sub/b\tBee x\ttext/plain\tsrv/mem/notes/sub/b\n"
		"srv\tmem://q{?x}\tquery\t-\t-\n"
		"srv\tmem://users/{id}/profile\tp\t-\tsrv/mem/users/{id}/profile\n");
	free(index);

	/* Prompts: by name as a file name; the schema from arguments. */
	p = tx_catalog_prompt_find(s1, "srv", "hi%2Fthere");
	assert_non_null(p);
	assert_non_null(strstr(tx_prompt_schema_text(p), "\"required\""));
	assert_non_null(strstr(tx_prompt_doc(p), "| who | yes |"));

	/* Removing the server: the old snapshot still reads. */
	tx_catalog_remove_server(cat, "srv");
	assert_int_equal(kind_of(s1, "srv/mem/notes/a.txt", &f), TX_RES_FILE);
	tx_res_file_release(&f);
	tx_catalog_set_unref(s1);
	s1 = tx_catalog_snapshot(cat);
	assert_int_equal(kind_of(s1, "srv", &f), TX_RES_NONE);
	tx_catalog_set_unref(s1);
	tx_catalog_set_unref(s0);
	json_object_put(res);
	json_object_put(tmpl);
	json_object_put(prompts);
	tx_catalog_free(cat);
	tx_backend_unref(be);
}

/* A server that completes: every value that starts with what was typed
 * among three, and it records the context it was given. */
static char last_ctx[256];

static int fake_complete(struct tx_backend *be, const char *uri,
			 const char *var, const char *value,
			 struct json_object *context, char ***values, size_t *n,
			 char *err, size_t errlen)
{
	static const char *const all[] = { "alice", "al/ex", "bob", "" };
	char **v = calloc(5, sizeof(*v));

	(void)be;
	(void)err;
	(void)errlen;
	snprintf(last_ctx, sizeof(last_ctx), "%s %s %s", uri, var,
		 context ? json_object_to_json_string_ext(
				   context,
				   JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE)
			 : "-");
	*n = 0;
	for (size_t i = 0; i < 4; i++)
		if (!strncmp(all[i], value, strlen(value)))
			v[(*n)++] = strdup(all[i]);
	*values = v;
	return 0;
}

static const struct tx_catalog_server_ops completing = {
	.read = no_read,
	.complete = fake_complete,
};

static void test_complete(void **state)
{
	struct test_backend *tb;
	struct tx_engine *e = test_engine(&tb);
	struct tx_catalog *cat = tx_registry_catalog(e->registry);
	struct json_object *tmpl = parse(
		"[{\"uriTemplate\":\"mem://users/{id}/profile\",\"name\":\"p\"},"
		"{\"uriTemplate\":\"mem://t/{a}/{b}\",\"name\":\"two\"}]");
	struct tx_cat_entry *v;
	size_t n;
	char err[256];

	(void)state;
	assert_int_equal(tx_catalog_set_server(cat, "srv", &tb->base,
					       &completing, NULL, tmpl, NULL,
					       err, sizeof(err)),
			 0);
	assert_int_equal(tx_engine_resource_complete(e, "srv/mem/users", "al",
						     &v, &n, err, sizeof(err)),
			 0);
	/* Encoded as names, sorted; the template goes on: directories.
	 * The empty value is left out. */
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "al%2Fex");
	assert_string_equal(v[1].name, "alice");
	assert_true(v[0].dir && v[1].dir);
	assert_string_equal(last_ctx, "mem://users/{id}/profile id -");
	tx_cat_entries_free(v, n);

	/* The second variable: the first one bound is the context. */
	assert_int_equal(tx_engine_resource_complete(e, "srv/mem/t/x%2Fy", "b",
						     &v, &n, err, sizeof(err)),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "bob");
	assert_false(v[0].dir);
	assert_string_equal(last_ctx, "mem://t/{a}/{b} b {\"a\":\"x/y\"}");
	tx_cat_entries_free(v, n);

	/* No variable there, no such server. */
	assert_int_equal(tx_engine_resource_complete(e, "srv/mem", "", &v, &n,
						     err, sizeof(err)),
			 -ENOENT);
	assert_int_equal(tx_engine_resource_complete(e, "nope/mem/users", "",
						     &v, &n, err, sizeof(err)),
			 -ENOENT);
	/* A server that does not complete. */
	assert_int_equal(tx_catalog_set_server(cat, "srv", &tb->base, &ops,
					       NULL, tmpl, NULL, err,
					       sizeof(err)),
			 0);
	assert_int_equal(tx_engine_resource_complete(e, "srv/mem/users", "al",
						     &v, &n, err, sizeof(err)),
			 -EOPNOTSUPP);
	tx_catalog_remove_server(cat, "srv");
	json_object_put(tmpl);
	tx_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_path),
		cmocka_unit_test(test_resolve_and_list),
		cmocka_unit_test(test_complete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
