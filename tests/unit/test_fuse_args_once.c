/*
 * test_fuse_args_once.c - through the call files of the FUSE layer, a
 * call's arguments are parsed once and validated once: a shell-style
 * call (write, then close), a transaction (write, then read on the same
 * descriptor) and a chain of three steps.
 *
 * The FUSE layer runs as in test_fuse_replies.c: a real libfuse session
 * on custom I/O, requests written as the kernel would, one at a time on
 * the test's thread.  The counts are the process's json-c parses
 * (tx_json_parses) and schema validations (tx_schema_validations).
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include <cmocka.h>

#include "schema/schema.h"
#include "util/jsonu.h"

/* The "kernel" side: one request in flight, the last reply kept. */
static struct {
	char req[4096];
	size_t req_len;
	uint64_t unique;
	char reply[8192];
	size_t reply_len;
} k;

static ssize_t io_read(int fd, void *buf, size_t len, void *userdata)
{
	(void)fd;
	(void)userdata;
	if (!k.req_len || len < k.req_len) {
		errno = EIO;
		return -1;
	}
	memcpy(buf, k.req, k.req_len);
	len = k.req_len;
	k.req_len = 0;
	return (ssize_t)len;
}

static ssize_t io_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	size_t n = 0;

	(void)fd;
	(void)userdata;
	for (int i = 0; i < count; i++) {
		assert_true(n + iov[i].iov_len <= sizeof(k.reply));
		memcpy(k.reply + n, iov[i].iov_base, iov[i].iov_len);
		n += iov[i].iov_len;
	}
	k.reply_len = n;
	return (ssize_t)n;
}

struct harness {
	struct fs fs;
	char cfg[64];
};

/* Sends one request (header, args, then name or data) and processes it
 * on this thread. */
static void request(struct harness *t, uint32_t opcode, uint64_t nodeid,
		    const void *arg, size_t arglen, const void *tail,
		    size_t taillen)
{
	struct fuse_in_header h = { 0 };
	struct fuse_buf buf = { 0 };
	int rc;

	h.len = (uint32_t)(sizeof(h) + arglen + taillen);
	h.opcode = opcode;
	h.unique = ++k.unique;
	h.nodeid = nodeid;
	h.uid = getuid();
	h.gid = getgid();
	h.pid = (uint32_t)getpid();
	assert_true(h.len <= sizeof(k.req));
	memcpy(k.req, &h, sizeof(h));
	if (arglen)
		memcpy(k.req + sizeof(h), arg, arglen);
	if (taillen)
		memcpy(k.req + sizeof(h) + arglen, tail, taillen);
	k.req_len = h.len;
	k.reply_len = 0;
	rc = fuse_session_receive_buf(t->fs.se, &buf);
	assert_int_equal(rc, (int)h.len);
	fuse_session_process_buf(t->fs.se, &buf);
	free(buf.mem);
}

/* The errno of the last reply (0 or positive). */
static int reply_errno(void)
{
	const struct fuse_out_header *oh = (const void *)k.reply;

	assert_true(k.reply_len >= sizeof(*oh));
	return -oh->error;
}

static int setup(void **state)
{
	struct harness *t = calloc(1, sizeof(*t));
	struct tx_engine_options eo = { 0 };
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	static const struct fuse_custom_io io = { .writev = io_writev,
						  .read = io_read };
	struct fuse_init_in init = { .major = FUSE_KERNEL_VERSION,
				     .minor = FUSE_KERNEL_MINOR_VERSION,
				     .max_readahead = 65536 };
	char err[512] = "";
	int fd;

	assert_non_null(t);
	memset(&k, 0, sizeof(k));
	/* An empty configuration directory: the built-in tools only. */
	snprintf(t->cfg, sizeof(t->cfg), "/tmp/txfuse.XXXXXX");
	assert_non_null(mkdtemp(t->cfg));
	eo.config_dir = t->cfg;
	t->fs.engine = tx_engine_new(&eo, err, sizeof(err));
	assert_non_null(t->fs.engine);
	assert_int_equal(fuse_opt_add_arg(&args, "test_fuse_args_once"), 0);
	t->fs.se = fuse_session_new(&args, &fs_ops, sizeof(fs_ops), &t->fs);
	fuse_opt_free_args(&args);
	assert_non_null(t->fs.se);
	/* The session closes this descriptor; it is never read. */
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fuse_session_custom_io(t->fs.se, &io, fd), 0);
	assert_int_equal(fs_start(&t->fs), 0);
	request(t, FUSE_INIT, 0, &init, sizeof(init), NULL, 0);
	assert_int_equal(reply_errno(), 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct harness *t = *state;

	fs_stop(&t->fs);
	tx_engine_free(t->fs.engine);
	fs_release(&t->fs);
	fuse_session_destroy(t->fs.se);
	rmdir(t->cfg);
	free(t);
	return 0;
}

static fuse_ino_t lookup(struct harness *t, fuse_ino_t parent, const char *name)
{
	const struct fuse_entry_out *e;

	request(t, FUSE_LOOKUP, parent, NULL, 0, name, strlen(name) + 1);
	assert_int_equal(reply_errno(), 0);
	e = (const void *)(k.reply + sizeof(struct fuse_out_header));
	return e->nodeid;
}

static uint64_t open_file(struct harness *t, fuse_ino_t ino, int flags)
{
	struct fuse_open_in oi = { .flags = (uint32_t)flags };
	const struct fuse_open_out *oo;

	request(t, FUSE_OPEN, ino, &oi, sizeof(oi), NULL, 0);
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

	request(t, FUSE_WRITE, ino, &wi, sizeof(wi), text, len);
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

	request(t, FUSE_FLUSH, ino, &fi, sizeof(fi), NULL, 0);
	assert_int_equal(reply_errno(), 0);
}

static void release_file(struct harness *t, fuse_ino_t ino, uint64_t fh,
			 int flags)
{
	struct fuse_release_in ri = { .fh = fh, .flags = (uint32_t)flags };

	request(t, FUSE_RELEASE, ino, &ri, sizeof(ri), NULL, 0);
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
	request(t, FUSE_READ, call, &ri, sizeof(ri), NULL, 0);
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
