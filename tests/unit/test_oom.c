/*
 * test_oom.c - out of memory, one allocation at a time.  This program
 * replaces malloc, calloc and realloc (glibc supports replacing them;
 * the real ones are __libc_*) so that the Nth allocation of an
 * operation fails, for N = 1, 2, ... until the operation runs without
 * reaching N.  For every N the operation must fail cleanly and say so,
 * or succeed; never crash, never report a failure without a reason,
 * never leave a half-done change behind; and the next operation, with
 * memory back, must work.  Covered: schema compilation and validation,
 * the search index, strict JSON, tools and their docs, configuration
 * files, code-run profiles, the registry, an engine's start, and calls
 * of a built-in and of an exec tool.
 *
 * Only allocations that json-c makes for itself always succeed: its
 * parser does not survive a failed strdup, and what is tested here is
 * how this project's code handles its own allocations failing.
 *
 * Under AddressSanitizer the replacement is left out (it would bypass
 * ASan's allocator); the loops then run only the N = 1 pass that
 * reaches no failure, which checks the operations' normal results.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "backend/exec.h"
#include "config/config.h"
#include "engine/backend.h"
#include "engine/registry.h"
#include "sandbox/sandbox.h"
#include "engine/tool.h"
#include "schema/schema.h"
#include "search/search.h"
#include "toolexecfs/toolexec.h"
#include "util/jsonu.h"

static long fail_at = -1; /* the allocation that fails; -1: none */
static long count;        /* allocations since arm(), all threads */

#ifndef __SANITIZE_ADDRESS__
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);

static bool in_json_c(void *pc)
{
	Dl_info info;

	if (!dladdr(pc, &info))
		return false;
	return (info.dli_fname && strstr(info.dli_fname, "libjson-c")) ||
	       (info.dli_sname && (!strncmp(info.dli_sname, "json_", 5) ||
				   !strncmp(info.dli_sname, "lh_", 3) ||
				   !strncmp(info.dli_sname, "printbuf", 8) ||
				   !strncmp(info.dli_sname, "array_list", 10)));
}

/* True when json-c makes the allocation, itself or through libc (its
 * strdup): one of the four innermost callers is in json-c. */
static bool from_json_c(void)
{
	void *pc[6];
	int n = backtrace(pc, 6);

	for (int i = 1; i < n; i++)
		if (in_json_c(pc[i]))
			return true;
	return false;
}

static bool fails(void)
{
	if (fail_at >= 0 && !from_json_c() &&
	    __atomic_add_fetch(&count, 1, __ATOMIC_SEQ_CST) == fail_at) {
		errno = ENOMEM;
		return true;
	}
	return false;
}

void *malloc(size_t n)
{
	return fails() ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	return fails() ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	return fails() ? NULL : __libc_realloc(p, n);
}
#endif

static void arm(long n)
{
	count = 0;
	fail_at = n;
}

/* Disarms; true when the Nth allocation was reached (and failed). */
static bool disarm(long n)
{
	fail_at = -1;
	return count >= n;
}

static const char *const schema_text =
	"{\"$id\":\"http://e.com/a.json\",\"type\":\"object\","
	"\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"^a+$\","
	"\"format\":\"date\"},\"b\":{\"$ref\":\"#/$defs/x\"},"
	"\"c\":{\"enum\":[1,\"x\",null]},\"d\":{\"const\":{\"k\":[1]}}},"
	"\"required\":[\"a\"],\"$defs\":{\"x\":{\"type\":\"array\","
	"\"items\":{\"type\":\"integer\"},\"uniqueItems\":true}},"
	"\"patternProperties\":{\"^z\":{}},\"dependencies\":{\"a\":[\"b\"]},"
	"\"if\":{\"required\":[\"c\"]},\"then\":{\"required\":[\"b\"]}}";

/* Compiling and validating: a failure always has a reason. */
static void test_schema(void **state)
{
	struct json_object *sch = json_tokener_parse(schema_text);
	struct json_object *good =
		json_tokener_parse("{\"a\":\"aa\",\"b\":[1,2],\"c\":1}");
	long n;

	(void)state;
	for (n = 1;; n++) {
		char err[512] = "";
		struct tx_schema *s;
		int rc = 0;
		bool reached;

		arm(n);
		s = tx_schema_compile(sch, NULL, err, sizeof(err));
		if (s)
			rc = tx_schema_validate(s, good, err, sizeof(err));
		reached = disarm(n);
		if (!s || rc)
			assert_true(reached);
		if (!s && !err[0])
			fail_msg("allocation %ld: compile failed without a "
				 "reason",
				 n);
		if (s && rc && !err[0])
			fail_msg("allocation %ld: validation failed without a "
				 "reason",
				 n);
		tx_schema_free(s);
		if (!reached)
			break;
	}
#ifndef __SANITIZE_ADDRESS__
	assert_true(n > 20); /* the failures were really injected */
#endif
	json_object_put(sch);
	json_object_put(good);
}

/* A put that fails changes nothing: the index answers as before. */
static void test_search_put(void **state)
{
	struct tx_search_index *idx = tx_search_index_new();
	struct tx_search_doc d = { 0 };
	struct tx_search_hit *h;
	long n;
	int rc, hits;

	(void)state;
	d.id = "t:old";
	d.ns = "t";
	d.name = "old";
	d.description = "reads files from the disk";
	assert_int_equal(tx_search_index_put(idx, &d), 0);
	for (n = 1;; n++) {
		bool reached;

		d.id = "t:new";
		d.name = "fresh";
		d.description = "writes zebra files to the disk";
		arm(n);
		rc = tx_search_index_put(idx, &d);
		reached = disarm(n);
		if (rc == 0) {
			assert_int_equal(tx_search_index_count(idx), 2);
			assert_int_equal(tx_search_index_remove(idx, "t:new"),
					 0);
		} else {
			assert_true(reached);
			assert_int_equal(rc, -ENOMEM);
		}
		/* Either way the index now holds only the old document. */
		assert_int_equal(tx_search_index_count(idx), 1);
		hits = tx_search_index_query(idx, "zebra", 5, &h);
		assert_int_equal(hits, 0);
		tx_search_hits_free(h, 0);
		hits = tx_search_index_query(idx, "files disk", 5, &h);
		assert_int_equal(hits, 1);
		assert_string_equal(h[0].id, "t:old");
		tx_search_hits_free(h, 1);
		if (!reached)
			break;
	}
	tx_search_index_free(idx);
}

/* A query that fails says ENOMEM; it never returns a partial list. */
static void test_search_query(void **state)
{
	struct tx_search_index *idx = tx_search_index_new();
	struct tx_search_doc d = { 0 };
	char id[16], name[16];
	long n;

	(void)state;
	d.ns = "t";
	d.description = "lists the files of a directory";
	for (int i = 0; i < 12; i++) {
		snprintf(id, sizeof(id), "t:%d", i);
		snprintf(name, sizeof(name), "list%c", 'a' + i);
		d.id = id;
		d.name = name;
		assert_int_equal(tx_search_index_put(idx, &d), 0);
	}
	for (n = 1;; n++) {
		struct tx_search_hit *h = NULL;
		int rc;
		bool reached;

		arm(n);
		rc = tx_search_index_query(idx, "files directory", 10, &h);
		reached = disarm(n);
		if (rc >= 0) {
			assert_int_equal(rc, 10);
			tx_search_hits_free(h, (size_t)rc);
		} else {
			assert_true(reached);
			assert_int_equal(rc, -ENOMEM);
		}
		if (!reached)
			break;
	}
	tx_search_index_free(idx);
}

/* Strict parsing: a failure is "out of memory", not a syntax error. */
static void test_json_parse(void **state)
{
	static const char text[] = "{\"a\":[1,2,{\"b\":\"c\"}],\"d\":null}";
	long n;

	(void)state;
	for (n = 1;; n++) {
		char err[256] = "";
		struct json_object *o;
		bool reached;

		arm(n);
		o = tx_json_parse(text, sizeof(text) - 1, 16, err, sizeof(err));
		reached = disarm(n);
		if (o) {
			assert_int_equal(json_object_object_length(o), 2);
			json_object_put(o);
		} else {
			assert_true(reached);
			assert_true(err[0] != '\0');
		}
		if (!reached)
			break;
	}
}

/* A tool: all or nothing, with ENOMEM and a reason on failure. */
static void test_tool_new(void **state)
{
	static const char *const tags[] = { "files", "read" };
	struct json_object *in = json_tokener_parse(
		"{\"type\":\"object\",\"properties\":{\"path\":{\"type\":"
		"\"string\",\"description\":\"Which file.\"}},"
		"\"required\":[\"path\"]}");
	struct json_object *out = json_tokener_parse(
		"{\"type\":\"object\",\"properties\":{\"size\":{\"type\":"
		"\"integer\"}}}");
	long n;

	(void)state;
	for (n = 1;; n++) {
		struct tx_tool_def d = { 0 };
		struct tx_tool *t;
		char err[512] = "";
		bool reached;

		d.ns = "t";
		d.name = "stat";
		d.title = "File size";
		d.description = "Tells the size of a file.";
		d.tags = tags;
		d.ntags = 2;
		d.input_schema = in;
		d.output_schema = out;
		d.origin = "test";
		d.where = "here";
		d.backend_spec = "spec";
		arm(n);
		t = tx_tool_new(&d, err, sizeof(err));
		reached = disarm(n);
		if (t) {
			assert_string_equal(tx_tool_id(t), "t:stat");
			assert_non_null(strstr(tx_tool_doc(t), "| `path` |"));
			tx_tool_unref(t);
		} else {
			assert_true(reached);
			assert_true(err[0] != '\0');
		}
		if (!reached)
			break;
	}
	json_object_put(in);
	json_object_put(out);
}

static const char config_text[] =
	"{\"tools\": [{\"namespace\": \"demo\", \"name\": \"greet\","
	" \"title\": \"Greets\", \"description\": \"Greets someone.\","
	" \"tags\": [\"a\", \"b\"],"
	" \"input_schema\": {\"type\": \"object\", \"properties\":"
	" {\"name\": {\"type\": \"string\", \"default\": \"you\"},"
	" \"text\": {\"type\": \"string\"}}},"
	" \"output_schema\": {\"type\": \"object\"},"
	" \"command\": [\"printf\", \"%s\", \"{name}\"],"
	" \"stdin\": \"{text}\", \"env\": {\"A\": \"1\"},"
	" \"cwd\": \"/tmp\", \"timeout_ms\": 5000}],"
	" \"mcpServers\": {\"srv\": {\"command\": \"srv\","
	" \"args\": [\"-v\"], \"env\": {\"B\": \"2\"}}},"
	" \"codeProfiles\": {\"dev\": {\"enabled\": true},"
	" \"mine\": {\"base\": \"standard\", \"timeout_ms\": 1000,"
	" \"env\": {\"C\": \"3\"}}}}";

/* A configuration document, its copies and the exec tool it defines:
 * each step all or nothing, a failure with its reason. */
static void test_config(void **state)
{
	struct tx_backend *be = tx_exec_backend_new();
	long n;

	(void)state;
	assert_non_null(be);
	for (n = 1;; n++) {
		struct tx_config_file *cf = NULL;
		struct tx_exec_spec *es = NULL;
		struct tx_mcp_spec *ms = NULL;
		struct tx_tool *t = NULL;
		char err[512] = "";
		bool reached;
		int rc;

		arm(n);
		rc = tx_config_parse_buffer("t.json", config_text,
					    sizeof(config_text) - 1, &cf, err,
					    sizeof(err));
		if (rc == 0) {
			es = tx_exec_spec_dup(&cf->tools[0].exec);
			ms = tx_mcp_spec_dup(&cf->servers[0]);
			t = tx_exec_tool_new(be, &cf->tools[0], "t.json", err,
					     sizeof(err));
		}
		reached = disarm(n);
		if (rc) {
			assert_true(reached);
			assert_null(cf);
			assert_true(err[0] != '\0');
		} else {
			assert_int_equal(cf->ntools, 1);
			assert_int_equal(cf->nservers, 1);
			assert_non_null(strstr(cf->code_profiles, "mine"));
			if (!es || !ms || !t)
				assert_true(reached);
			if (!t)
				assert_true(err[0] != '\0');
			if (es)
				assert_string_equal(es->argv[0], "printf");
			if (ms)
				assert_string_equal(ms->name, "srv");
			if (t)
				assert_string_equal(tx_tool_id(t),
						    "demo:greet");
		}
		tx_exec_spec_free(es);
		tx_mcp_spec_free(ms);
		if (t)
			tx_tool_unref(t);
		tx_config_file_free(cf);
		if (!reached)
			break;
	}
	tx_backend_unref(be);
}

/* Code-run profiles: all or nothing, a failure with its reason. */
static void test_sandbox_profiles(void **state)
{
	static const char text[] =
		"{\"dev\": {\"enabled\": true, \"env\": {\"A\": \"1\"}},"
		" \"mine\": {\"base\": \"hardened\", \"env\": {\"B\": \"2\"}},"
		" \"yours\": {\"base\": \"mine\", \"env\": {\"B\": \"3\"}}}";
	long n;

	(void)state;
	for (n = 1;; n++) {
		struct tx_sandbox_profiles *ps;
		char err[512] = "";
		bool reached;

		arm(n);
		ps = tx_sandbox_profiles_parse_text(text, sizeof(text) - 1, err,
						    sizeof(err));
		reached = disarm(n);
		if (ps) {
			const struct tx_sandbox_profile *p =
				tx_sandbox_profiles_get(ps, "yours");

			assert_non_null(p);
			assert_int_equal(p->nenv, 1);
			assert_string_equal(p->env[0], "B=3");
			tx_sandbox_profiles_free(ps);
		} else {
			assert_true(reached);
			assert_true(err[0] != '\0');
		}
		if (!reached)
			break;
	}
}

static struct tx_tool *plain_tool(const char *ns, const char *name)
{
	struct tx_tool_def d = { 0 };
	char err[256];
	struct tx_tool *t;

	d.ns = ns;
	d.name = name;
	d.description = "A tool.";
	d.origin = "test";
	d.where = "here";
	t = tx_tool_new(&d, err, sizeof(err));
	if (!t)
		fail_msg("%s", err);
	return t;
}

/* Replacing a source's tools is all or nothing: a failure leaves the
 * published set as it was, generation included. */
static void test_registry(void **state)
{
	struct tx_registry *reg = tx_registry_new();
	struct tx_tool *x = plain_tool("a", "x"), *y = plain_tool("b", "y");
	struct tx_tool *z = plain_tool("b", "z");
	struct tx_tool *const b_tools[] = { y, z };
	long n;

	(void)state;
	assert_non_null(reg);
	assert_int_equal(tx_registry_set_source(reg, "a", &x, 1, NULL, 0), 0);
	for (n = 1;; n++) {
		struct tx_toolset *before = tx_registry_snapshot(reg), *after;
		char err[256] = "";
		bool reached;
		int rc;

		arm(n);
		rc = tx_registry_set_source(reg, "b", b_tools, 2, err,
					    sizeof(err));
		reached = disarm(n);
		after = tx_registry_snapshot(reg);
		if (rc == 0) {
			assert_int_equal(tx_toolset_count(after), 3);
			assert_non_null(tx_toolset_find(after, "b:z"));
			assert_int_equal(tx_registry_set_source(reg, "b", NULL,
								0, NULL, 0),
					 0);
		} else {
			assert_true(reached);
			assert_int_equal(rc, -ENOMEM);
			assert_int_equal(tx_toolset_count(after), 1);
			assert_int_equal(tx_toolset_generation(after),
					 tx_toolset_generation(before));
		}
		tx_toolset_unref(before);
		tx_toolset_unref(after);
		if (!reached)
			break;
	}
	tx_tool_unref(x);
	tx_tool_unref(y);
	tx_tool_unref(z);
	tx_registry_free(reg);
}

/* Writes text into DIR/NAME, whose path goes to path. */
static void write_config(const char *dir, const char *name, const char *text,
			 char *path, size_t pathlen)
{
	FILE *f;

	snprintf(path, pathlen, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A configuration directory with one exec tool, demo:greet, in t.json,
 * and one more file, u.json, so that a start reads two files, each on
 * a loader thread of its own when there are two CPUs (path2). */
static void config_dir(char *dir, char *path, char *path2, size_t pathlen)
{
	assert_non_null(mkdtemp(dir));
	write_config(dir, "u.json",
		     "{\"tools\": [{\"namespace\": \"demo\", \"name\": "
		     "\"bye\", \"description\": \"Says bye.\", "
		     "\"input_schema\": {\"type\": \"object\"}, \"command\": "
		     "[\"echo\", \"bye\"], \"stdin\": \"none\", "
		     "\"timeout_ms\": 30000}]}",
		     path2, pathlen);
	write_config(dir, "t.json",
		     "{\"tools\": [{\"namespace\": \"demo\", \"name\": "
		     "\"greet\", \"description\": \"Greets.\", "
		     "\"input_schema\": {\"type\": \"object\", \"properties\": "
		     "{\"name\": {\"type\": \"string\"}}}, \"command\": "
		     "[\"printf\", \"%s\", \"{name}\"], \"stdin\": \"none\", "
		     "\"env\": {\"A\": \"1\"}, \"timeout_ms\": 30000}], "
		     "\"codeProfiles\": {\"mine\": {\"base\": \"standard\"}}}",
		     path, pathlen);
}

/* An engine on a configuration directory: it starts, or fails with a
 * reason and leaves nothing running; a started one answers. */
static void test_engine_new(void **state)
{
	char dir[] = "/tmp/test_oom.XXXXXX", path[64], path2[64];
	long n;

	(void)state;
	config_dir(dir, path, path2, sizeof(path));
	for (n = 1;; n++) {
		struct tx_engine_options eo = { .config_dir = dir };
		struct tx_engine *e;
		char err[512] = "";
		bool reached;

		arm(n);
		e = tx_engine_new(&eo, err, sizeof(err));
		reached = disarm(n);
		if (e) {
			char *st = tx_engine_status_text(e);

			assert_non_null(st);
			free(st);
			tx_engine_free(e);
		} else {
			assert_true(reached);
			assert_true(err[0] != '\0');
		}
		if (!reached)
			break;
	}
	unlink(path);
	unlink(path2);
	rmdir(dir);
}

/* A call: no job and a reason, or a job that has ended (a built-in
 * ends within the call), never one left new for nothing to end. */
static void test_engine_call(void **state)
{
	struct tx_engine_options eo = { 0 };
	struct tx_caller c = { .uid = getuid(), .pid = getpid(), .sid = 1 };
	struct tx_engine *e;
	char err[512];
	long n;

	(void)state;
	e = tx_engine_new(&eo, err, sizeof(err));
	assert_non_null(e);
	for (n = 1;; n++) {
		struct tx_job *j;
		bool reached;

		err[0] = '\0';
		arm(n);
		j = tx_engine_call(e, "builtin:echo", "{\"text\": \"hi\"}", &c,
				   err, sizeof(err));
		reached = disarm(n);
		if (j) {
			assert_true(tx_job_state_final(tx_job_state(j)));
			if (!reached)
				assert_int_equal(tx_job_state(j), TX_JOB_OK);
			tx_job_unref(j);
		} else {
			assert_true(reached);
			assert_true(err[0] != '\0');
		}
		if (!reached)
			break;
	}
	tx_engine_free(e);
}

/* A call of an exec tool: no job and a reason, or a job that ends,
 * with the program's output when nothing failed. */
static void test_engine_exec_call(void **state)
{
	char dir[] = "/tmp/test_oom.XXXXXX", path[64], path2[64], err[512];
	struct tx_engine_options eo = { 0 };
	struct tx_caller c = { .uid = getuid(), .pid = getpid(), .sid = 1 };
	struct tx_engine *e;
	long n;

	(void)state;
	config_dir(dir, path, path2, sizeof(path));
	eo.config_dir = dir;
	e = tx_engine_new(&eo, err, sizeof(err));
	assert_non_null(e);
	for (n = 1;; n++) {
		struct tx_job *j;
		bool reached;

		err[0] = '\0';
		arm(n);
		j = tx_engine_call(e, "demo:greet", "{\"name\": \"you\"}", &c,
				   err, sizeof(err));
		reached = disarm(n);
		if (j) {
			assert_int_equal(tx_job_wait(j, 30000), 0);
			if (!reached) {
				size_t len;
				const char *out = tx_job_result_text(j, &len);

				assert_int_equal(tx_job_state(j), TX_JOB_OK);
				assert_non_null(out);
				assert_non_null(strstr(out, "you"));
			}
			tx_job_unref(j);
		} else {
			assert_true(reached);
			assert_true(err[0] != '\0');
		}
		if (!reached)
			break;
	}
	tx_engine_free(e);
	unlink(path);
	unlink(path2);
	rmdir(dir);
}

int main(void)
{
	void *pc[2];

	/* The first backtrace() loads the unwinder (and allocates): not in
	 * the middle of an allocation. */
	backtrace(pc, 2);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_search_put),
		cmocka_unit_test(test_search_query),
		cmocka_unit_test(test_json_parse),
		cmocka_unit_test(test_tool_new),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_sandbox_profiles),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_engine_new),
		cmocka_unit_test(test_engine_call),
		cmocka_unit_test(test_engine_exec_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
