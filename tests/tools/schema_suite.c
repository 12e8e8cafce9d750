/*
 * schema_suite - runs the official JSON-Schema-Test-Suite through the
 * validator.
 *
 *   schema_suite [DRAFT7_DIR]
 *
 * DRAFT7_DIR defaults to $JSON_SCHEMA_SUITE or the Debian package's
 * /usr/share/json-schema-test-suite/tests/draft7.  Every case of every
 * file is run; the required files and optional/{bignum,
 * zeroTerminatedFloats,ecmascript-regex}.json must pass, the format files
 * run with format assertion on, and the files of keywords we do not
 * support by design are run and counted separately.  Prints per-file
 * counts, every failure, and closes with
 * "schema-suite: N passed, M failed".  Exit 1 when M > 0.
 */
#include "schema/schema.h"

#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DIR "/usr/share/json-schema-test-suite/tests/draft7"

/* Not supported by design; docs/schema.md says why. */
static const struct {
	const char *file;
	const char *why;
} unsupported[] = {
	{ "refRemote.json", "remote $ref is never fetched" },
	{ "optional/content.json",
	  "contentMediaType/contentEncoding are annotations only" },
	{ "optional/format/idn-hostname.json",
	  "IDNA 2008 host names are not checked" },
};

struct counts {
	unsigned pass, fail;
};

static struct counts total, total_unsup;
static unsigned unsup_pass_anyway;

static const char *why_unsupported(const char *rel)
{
	size_t i;

	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (!strcmp(unsupported[i].file, rel))
			return unsupported[i].why;
	return NULL;
}

static struct json_object *load(const char *path)
{
	struct json_tokener *tok = json_tokener_new_ex(1000);
	struct json_object *o = NULL;
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	long len;

	if (!tok || !f)
		goto out;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto out;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
out:
	if (f)
		fclose(f);
	free(buf);
	if (tok)
		json_tokener_free(tok);
	return o;
}

static void run_file(const char *dir, const char *rel, bool formats)
{
	char path[4096], err[1024];
	struct json_object *groups, *g, *schema, *tests, *t, *v;
	struct tx_schema_options opts = { .assert_format = formats,
					  .max_errors = 4 };
	const char *why = why_unsupported(rel);
	struct counts c = { 0, 0 };
	size_t i, j;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	groups = load(path);
	if (!groups || !json_object_is_type(groups, json_type_array)) {
		printf("FAIL %s: cannot read\n", rel);
		total.fail++;
		json_object_put(groups);
		return;
	}
	for (i = 0; i < json_object_array_length(groups); i++) {
		struct tx_schema *s;

		g = json_object_array_get_idx(groups, i);
		json_object_object_get_ex(g, "schema", &schema);
		json_object_object_get_ex(g, "tests", &tests);
		/* The files are draft-07 cases: say so, as a schema would. */
		if (json_object_is_type(schema, json_type_object) &&
		    !json_object_object_get_ex(schema, "$schema", NULL))
			json_object_object_add(schema, "$schema",
					       json_object_new_string(
						       "http://json-schema.org/"
						       "draft-07/schema#"));
		s = tx_schema_compile(schema, &opts, err, sizeof(err));
		for (j = 0; j < json_object_array_length(tests); j++) {
			bool want, got;
			const char *gd, *td;

			t = json_object_array_get_idx(tests, j);
			json_object_object_get_ex(t, "valid", &v);
			want = json_object_get_boolean(v);
			json_object_object_get_ex(t, "data", &v);
			got = s && tx_schema_validate(s, v, NULL, 0) == 0;
			if (want == got) {
				c.pass++;
				continue;
			}
			c.fail++;
			if (why)
				continue;
			json_object_object_get_ex(g, "description", &v);
			gd = json_object_get_string(v);
			json_object_object_get_ex(t, "description", &v);
			td = json_object_get_string(v);
			if (!s)
				printf("  FAIL %s: %s / %s: compile error: "
				       "%s\n",
				       rel, gd, td, err);
			else
				printf("  FAIL %s: %s / %s: expected %s\n", rel,
				       gd, td, want ? "valid" : "invalid");
		}
		tx_schema_free(s);
	}
	json_object_put(groups);
	if (why) {
		printf("%-40s unsupported (%s): %u cases, %u agree anyway\n",
		       rel, why, c.pass + c.fail, c.pass);
		total_unsup.fail += c.pass + c.fail;
		unsup_pass_anyway += c.pass;
		return;
	}
	printf("%-40s %u passed, %u failed\n", rel, c.pass, c.fail);
	total.pass += c.pass;
	total.fail += c.fail;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The *.json files of dir/sub, sorted, each run with run_file. */
static void run_dir(const char *dir, const char *sub, bool formats)
{
	char path[4096], rel[512];
	char *names[256];
	size_t n = 0, i;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s%s%s", dir, *sub ? "/" : "", sub);
	d = opendir(path);
	if (!d) {
		printf("FAIL cannot open %s\n", path);
		total.fail++;
		return;
	}
	while ((e = readdir(d)) && n < 256) {
		size_t l = strlen(e->d_name);

		if (l > 5 && !strcmp(e->d_name + l - 5, ".json"))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "%s%s%s", sub, *sub ? "/" : "",
			 names[i]);
		run_file(dir, rel, formats);
		free(names[i]);
	}
}

int main(int argc, char **argv)
{
	const char *dir = getenv("JSON_SCHEMA_SUITE");
	struct counts required, optional;

	if (argc > 1)
		dir = argv[1];
	if (!dir || !*dir)
		dir = DEFAULT_DIR;

	printf("== required (%s)\n", dir);
	run_dir(dir, "", false);
	required = total;
	printf("== optional\n");
	run_file(dir, "optional/bignum.json", false);
	run_file(dir, "optional/zeroTerminatedFloats.json", false);
	run_file(dir, "optional/ecmascript-regex.json", true);
	run_file(dir, "optional/content.json", false);
	optional.pass = total.pass - required.pass;
	optional.fail = total.fail - required.fail;
	printf("== formats (asserted)\n");
	run_dir(dir, "optional/format", true);

	printf("required: %u passed, %u failed\n", required.pass,
	       required.fail);
	printf("optional: %u passed, %u failed\n", optional.pass,
	       optional.fail);
	printf("formats: %u passed, %u failed\n",
	       total.pass - required.pass - optional.pass,
	       total.fail - required.fail - optional.fail);
	printf("unsupported by design: %u cases (%u agree anyway), not counted "
	       "below\n",
	       total_unsup.fail, unsup_pass_anyway);
	printf("schema-suite: %u passed, %u failed\n", total.pass, total.fail);
	return total.fail ? 1 : 0;
}
