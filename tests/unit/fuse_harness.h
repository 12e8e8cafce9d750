/*
 * fuse_harness.h - the FUSE layer (src/fs) driven without a kernel, for
 * the unit tests that include it (one test program each).
 *
 * A real libfuse session runs on custom I/O (fuse_session_custom_io):
 * the test writes FUSE requests as the kernel would and reads the
 * replies, one request at a time on the test's own thread, and may ask
 * the "kernel" to refuse the next reply (k.refuse_errno).  The header is
 * included once per program; its functions are static inline so that a
 * test that uses only some of them compiles without warnings.
 */
#ifndef TX_TEST_FUSE_HARNESS_H
#define TX_TEST_FUSE_HARNESS_H

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

/* The "kernel" side: one request in flight, the last reply kept. */
static struct {
	char req[4096];
	size_t req_len;
	uint64_t unique;
	char reply[8192];
	size_t reply_len;
	int replies;      /* replies seen (refused ones too) */
	int refuse_errno; /* refuse the next reply with this errno */
} k;

static inline ssize_t io_read(int fd, void *buf, size_t len, void *userdata)
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

static inline ssize_t io_writev(int fd, struct iovec *iov, int count,
				void *userdata)
{
	size_t n = 0;

	(void)fd;
	(void)userdata;
	k.replies++;
	for (int i = 0; i < count; i++) {
		assert_true(n + iov[i].iov_len <= sizeof(k.reply));
		memcpy(k.reply + n, iov[i].iov_base, iov[i].iov_len);
		n += iov[i].iov_len;
	}
	if (k.refuse_errno) {
		errno = k.refuse_errno;
		k.refuse_errno = 0;
		k.reply_len = 0;
		return -1;
	}
	k.reply_len = n;
	return (ssize_t)n;
}

struct harness {
	struct fs fs;
	char cfg[64];
};

/* Sends one request (header, args, then a name or data) through the
 * session and processes it on this thread. */
static inline void request_tail(struct harness *t, uint32_t opcode,
				uint64_t nodeid, const void *arg, size_t arglen,
				const void *tail, size_t namelen)
{
	struct fuse_in_header h = { 0 };
	const char *name = tail;
	struct fuse_buf buf = { 0 };
	int rc;

	h.len = (uint32_t)(sizeof(h) + arglen + namelen);
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
	if (namelen)
		memcpy(k.req + sizeof(h) + arglen, name, namelen);
	k.req_len = h.len;
	k.reply_len = 0;
	rc = fuse_session_receive_buf(t->fs.se, &buf);
	assert_int_equal(rc, (int)h.len);
	fuse_session_process_buf(t->fs.se, &buf);
	free(buf.mem);
}

/* As request_tail, with a NUL-terminated name (or none) after the args. */
static inline void request(struct harness *t, uint32_t opcode, uint64_t nodeid,
			   const void *arg, size_t arglen, const char *name)
{
	request_tail(t, opcode, nodeid, arg, arglen, name,
		     name ? strlen(name) + 1 : 0);
}

static inline const struct fuse_out_header *reply_header(void)
{
	assert_true(k.reply_len >= sizeof(struct fuse_out_header));
	return (const struct fuse_out_header *)k.reply;
}

/* The errno of the last reply (0 or positive). */
static inline int reply_errno(void)
{
	return -reply_header()->error;
}

/* A mount of the built-in tools, named prog, on the custom I/O. */
static inline int harness_setup(void **state, const char *prog)
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
	assert_int_equal(fuse_opt_add_arg(&args, prog), 0);
	t->fs.se = fuse_session_new(&args, &fs_ops, sizeof(fs_ops), &t->fs);
	fuse_opt_free_args(&args);
	assert_non_null(t->fs.se);
	/* The session closes this descriptor; it is never read. */
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fuse_session_custom_io(t->fs.se, &io, fd), 0);
	assert_int_equal(fs_start(&t->fs), 0);
	request(t, FUSE_INIT, 0, &init, sizeof(init), NULL);
	assert_int_equal(reply_header()->error, 0);
	*state = t;
	return 0;
}

static inline int harness_teardown(void **state)
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

#endif
