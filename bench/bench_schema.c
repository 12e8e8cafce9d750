/*
 * bench_schema - validations per second for the input schemas of real MCP
 * tools, beside json-c's parse time of the same instance in the same run.
 *
 *   bench_schema [SECONDS_PER_MEASUREMENT]
 *
 * The schemas are those of @modelcontextprotocol/server-filesystem's
 * write_file and edit_file (as tools/list returns them), plus a larger
 * schema with nested objects, enums, patterns and formats.  For each:
 * parsing the instance text with json-c (the baseline every call pays
 * anyway), validating the parsed instance, and validating an invalid one
 * (the error path, with its message).  Ratios are validate / parse.
 */
#include "schema/schema.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/tools/fs_server_schemas.h"

/* A richer tool: a search API with nested filters. */
static const char search_schema[] =
	"{\"type\":\"object\",\"additionalProperties\":false,"
	"\"required\":[\"query\"],\"properties\":{"
	"\"query\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":500},"
	"\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100},"
	"\"sort\":{\"enum\":[\"relevance\",\"date\",\"stars\"]},"
	"\"since\":{\"type\":\"string\",\"format\":\"date-time\"},"
	"\"filters\":{\"type\":\"array\",\"maxItems\":20,\"items\":{"
	"\"type\":\"object\",\"required\":[\"field\",\"op\"],"
	"\"properties\":{\"field\":{\"type\":\"string\","
	"\"pattern\":\"^[a-z_][a-z0-9_.]*$\"},"
	"\"op\":{\"enum\":[\"eq\",\"ne\",\"lt\",\"gt\",\"in\"]},"
	"\"value\":{\"type\":[\"string\",\"number\",\"boolean\",\"array\"]}}}},"
	"\"owner\":{\"$ref\":\"#/$defs/user\"}},"
	"\"$defs\":{\"user\":{\"type\":\"object\",\"properties\":{"
	"\"login\":{\"type\":\"string\"},\"email\":{\"type\":\"string\","
	"\"format\":\"email\"}},\"required\":[\"login\"]}}}";

struct bench_case {
	const char *name;
	const char *schema;
	char *good;
	const char *bad;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct json_object *parse(const char *text)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)strlen(text));
	json_tokener_free(tok);
	return o;
}

static volatile size_t sink;

/* Nanoseconds per json-c parse of text, over about secs seconds. */
static double time_parse(const char *text, double secs)
{
	double t0 = now(), t;
	size_t n = 0, len = strlen(text);
	struct json_tokener *tok = json_tokener_new();

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	do {
		for (int i = 0; i < 256; i++) {
			struct json_object *o;

			json_tokener_reset(tok);
			o = json_tokener_parse_ex(tok, text, (int)len);
			sink += (size_t)json_object_object_length(o);
			json_object_put(o);
		}
		n += 256;
		t = now() - t0;
	} while (t < secs);
	json_tokener_free(tok);
	return t * 1e9 / (double)n;
}

static double time_validate(const struct tx_schema *s, struct json_object *inst,
			    double secs, int want)
{
	double t0 = now(), t;
	size_t n = 0;
	char err[512];

	do {
		for (int i = 0; i < 256; i++)
			if (tx_schema_validate(s, inst, err, sizeof(err)) !=
			    want) {
				fprintf(stderr, "unexpected verdict: %s\n",
					err);
				exit(1);
			}
		n += 256;
		t = now() - t0;
	} while (t < secs);
	return t * 1e9 / (double)n;
}

static char *make_write_file_instance(void)
{
	/* A typical source file of ~2 KiB as content. */
	size_t cap = 4096, len = 0;
	char *s = malloc(cap);

	len += (size_t)snprintf(s, cap,
				"{\"path\":\"/home/user/project/src/"
				"main.c\",\"content\":\"");
	while (len < 2100)
		len += (size_t)snprintf(s + len, cap - len,
					"int f%zu(int x) { return x * 2; }\\n",
					len);
	snprintf(s + len, cap - len, "\"}");
	return s;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 0.4;
	struct bench_case cases[] = {
		{ "write_file", write_file_schema, make_write_file_instance(),
		  "{\"path\":\"/home/user/a.txt\",\"content\":7}" },
		{ "edit_file", edit_file_schema,
		  strdup("{\"path\":\"/home/user/project/README.md\",\"edits\":["
			 "{\"oldText\":\"## Install\",\"newText\":\"## "
			 "Installing\"},"
			 "{\"oldText\":\"make\",\"newText\":\"make -j4\"},"
			 "{\"oldText\":\"old line\",\"newText\":\"new line\"}],"
			 "\"dryRun\":true}"),
		  "{\"path\":\"README.md\",\"edits\":[{\"oldText\":\"a\"}],"
		  "\"dryRun\":\"yes\"}" },
		{ "search (rich)", search_schema,
		  strdup("{\"query\":\"json schema validator\",\"limit\":20,"
			 "\"sort\":\"stars\",\"since\":\"2024-01-01T00:00:00Z\","
			 "\"filters\":[{\"field\":\"language\",\"op\":\"eq\","
			 "\"value\":\"c\"},{\"field\":\"repo.size\",\"op\":"
			 "\"lt\","
			 "\"value\":10000}],\"owner\":{\"login\":\"someone\","
			 "\"email\":\"someone@example.com\"}}"),
		  "{\"query\":\"\",\"limit\":0,\"filters\":[{\"field\":\"Bad\"}]"
		  ","
		  "\"extra\":1}" },
	};
	struct tx_schema_options fmt = { .assert_format = true };

	if (secs <= 0)
		secs = 0.4;
	printf("%-14s %6s %10s %12s %10s %12s %8s %10s\n", "schema", "bytes",
	       "parse ns", "parse/s", "valid ns", "validate/s", "v/parse",
	       "invalid ns");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bench_case *c = &cases[i];
		struct json_object *js = parse(c->schema);
		char err[256];
		struct tx_schema *s =
			tx_schema_compile(js, &fmt, err, sizeof(err));
		struct json_object *good = parse(c->good), *bad = parse(c->bad);
		double tp, tv, tb;

		if (!s || !good || !bad) {
			fprintf(stderr, "%s: setup failed: %s\n", c->name, err);
			return 1;
		}
		tp = time_parse(c->good, secs);
		tv = time_validate(s, good, secs, 0);
		tb = time_validate(s, bad, secs, -22);
		printf("%-14s %6zu %10.0f %12.0f %10.0f %12.0f %8.2f %10.0f\n",
		       c->name, strlen(c->good), tp, 1e9 / tp, tv, 1e9 / tv,
		       tv / tp, tb);
		tx_schema_free(s);
		json_object_put(js);
		json_object_put(good);
		json_object_put(bad);
		free(c->good);
	}
	printf("(v/parse: validation time of the parsed instance divided by "
	       "json-c parse time of its text; same run)\n");
	return 0;
}
