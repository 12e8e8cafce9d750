/*
 * test_fuse_args_once.c - through the call files of the FUSE layer, a
 * call's arguments are parsed once and validated once: a shell-style
 * call (write, then close), a transaction (write, then read on the same
 * descriptor) and a chain of three steps.
 *
 * The FUSE layer runs in fuse_harness.h: a real libfuse session on
 * custom I/O, requests written as the kernel would, one at a time on the
 * test's thread.  The counts are the process's json-c parses
 * (tx_json_parses) and schema validations (tx_schema_validations).
 */
#include "fuse_harness.h"

#include "schema/schema.h"
#include "util/jsonu.h"

static int setup(void **state)
{
	return harness_setup(state, "test_fuse_args_once");
}

static int teardown(void **state)
{
	return harness_teardown(state);
}

static fuse_ino_t lookup(struct harness *t, fuse_ino_t parent, const char *name)
{
	const struct fuse_entry_out *e;

	request_tail(t, FUSE_LOOKUP, parent, NULL, 0, name, strlen(name) + 1);
	assert_int_equal(reply_errno(), 0);
	e = (const void *)(k.reply + sizeof(struct fuse_out_header));
	return e->nodeid;
}

static uint64_t open_file(struct harness *t, fuse_ino_t ino, int flags)
{
	struct fuse_open_in oi = { .flags = (uint32_t)flags };
	const struct fuse_open_out *oo;

	request_tail(t, FUSE_OPEN, ino, &oi, sizeof(oi), NULL, 0);
	assert_int_equal(reply_errno(), 0);
	oo = (const void *)(k.reply + sizeof(struct fuse_out_header));
	return oo->fh;
}

/* One write() of text at offset off, accepted whole. */
static void write_file(struct harness *t, fuse_ino_t ino, uint64_t fh,
		       uint64_t off, const char *text, size_t len)
{
	struct fuse_write_in wi = { .fh = fh,
				    .offset = off,
				    .size = (uint32_t)len };
	const struct fuse_write_out *wo;

	request_tail(t, FUSE_WRITE, ino, &wi, sizeof(wi), text, len);
	assert_int_equal(reply_errno(), 0);
	wo = (const void *)(k.reply + sizeof(struct fuse_out_header));
	assert_int_equal(wo->size, len);
}

/* Writes text in pieces of `step` bytes, as a pipe delivers it. */
static void write_pieces(struct harness *t, fuse_ino_t ino, uint64_t fh,
			 const char *text, size_t step)
{
	size_t n = strlen(text);

	for (size_t i = 0; i < n; i += step)
		write_file(t, ino, fh, i, text + i,
			   i + step > n ? n - i : step);
}

static void flush_file(struct harness *t, fuse_ino_t ino, uint64_t fh)
{
	struct fuse_flush_in fi = { .fh = fh };

	request_tail(t, FUSE_FLUSH, ino, &fi, sizeof(fi), NULL, 0);
	assert_int_equal(reply_errno(), 0);
}

static void release_file(struct harness *t, fuse_ino_t ino, uint64_t fh,
			 int flags)
{
	struct fuse_release_in ri = { .fh = fh, .flags = (uint32_t)flags };

	request_tail(t, FUSE_RELEASE, ino, &ri, sizeof(ri), NULL, 0);
}

/* The newest job of tool_id, waited for until it ends. */
static struct tx_job *newest_job(struct harness *t, const char *tool_id)
{
	struct tx_job *job = NULL;
	char **ids;
	size_t n = tx_engine_job_ids(t->fs.engine, &ids);

	for (size_t i = n; i-- > 0 && !job;) {
		job = tx_engine_job_get(t->fs.engine, ids[i]);
		if (job && strcmp(tx_job_tool_id(job), tool_id)) {
			tx_job_unref(job);
			job = NULL;
		}
	}
	tx_strv_free(ids, n);
	assert_non_null(job);
	assert_int_equal(tx_job_wait(job, 30000), 0);
	return job;
}

struct counts {
	unsigned long long parses;
	unsigned long long validations;
};

static struct counts counts_now(void)
{
	return (struct counts){ tx_json_parses(), tx_schema_validations() };
}

static void assert_counted(struct counts before, unsigned long long parses,
			   unsigned long long validations)
{
	struct counts now = counts_now();

	assert_int_equal(now.parses - before.parses, parses);
	assert_int_equal(now.validations - before.validations, validations);
}

static void assert_result(struct tx_job *job, const char *text)
{
	const char *got;
	size_t len;

	assert_int_equal(tx_job_state(job), TX_JOB_OK);
	got = tx_job_result_text(job, &len);
	assert_non_null(got);
	assert_string_equal(got, text);
}

/* echo '{"a": 1}' > tools/builtin/echo/call, in two writes. */
static void test_shell_style_call(void **state)
{
	struct harness *t = *state;
	fuse_ino_t ns = lookup(t, t->fs.ino_tools, "builtin");
	fuse_ino_t tool = lookup(t, ns, "echo");
	fuse_ino_t call = lookup(t, tool, "call");
	struct counts before = counts_now();
	struct tx_job *job;
	uint64_t fh;

	fh = open_file(t, call, O_WRONLY);
	write_pieces(t, call, fh, "{\"a\": 1, \"b\": \"two\"}\n", 9);
	flush_file(t, call, fh);
	release_file(t, call, fh, O_WRONLY);
	job = newest_job(t, "builtin:echo");
	assert_result(job, "{\n  \"a\": 1,\n  \"b\": \"two\"\n}\n");
	assert_counted(before, 1, 1);
	tx_job_unref(job);
}

/* A transaction: write, then read the result on the same descriptor. */
static void test_transaction(void **state)
{
	static const char want[] = "{\n  \"t\": 7\n}\n";
	struct harness *t = *state;
	fuse_ino_t ns = lookup(t, t->fs.ino_tools, "builtin");
	fuse_ino_t tool = lookup(t, ns, "echo");
	fuse_ino_t call = lookup(t, tool, "call");
	struct fuse_read_in ri = { .size = 4096 };
	struct counts before = counts_now();
	uint64_t fh;

	fh = open_file(t, call, O_RDWR);
	write_pieces(t, call, fh, "{\"t\":7}", 3);
	ri.fh = fh;
	request_tail(t, FUSE_READ, call, &ri, sizeof(ri), NULL, 0);
	assert_int_equal(reply_errno(), 0);
	assert_int_equal(k.reply_len - sizeof(struct fuse_out_header),
			 strlen(want));
	assert_memory_equal(k.reply + sizeof(struct fuse_out_header), want,
			    strlen(want));
	release_file(t, call, fh, O_RDWR);
	assert_counted(before, 1, 1);
}

/* A chain of three steps written to chain/call: the chain's arguments
 * are parsed once; the chain and each of its steps validated once. */
static void test_chain_of_three(void **state)
{
	static const char steps[] =
		"{\"steps\":["
		"{\"tool\":\"builtin:echo\",\"args\":{\"step\":1}},"
		"{\"tool\":\"builtin:echo\",\"use_previous\":true},"
		"{\"tool\":\"builtin:echo\",\"args\":{\"step\":3}}]}";
	struct harness *t = *state;
	fuse_ino_t call = lookup(t, lookup(t, FUSE_ROOT_ID, "chain"), "call");
	struct counts before = counts_now();
	struct tx_job *job;
	uint64_t fh;

	fh = open_file(t, call, O_WRONLY);
	write_pieces(t, call, fh, steps, 32);
	flush_file(t, call, fh);
	release_file(t, call, fh, O_WRONLY);
	job = newest_job(t, TX_CHAIN_ID);
	assert_result(job, "{\n  \"step\": 3\n}\n");
	assert_counted(before, 1, 1 + 3);
	tx_job_unref(job);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_shell_style_call, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_transaction, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_chain_of_three, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
