/*
 * test_fuse_replies.c - the FUSE layer (src/fs) driven without a kernel.
 *
 * A real libfuse session runs on custom I/O (fuse_session_custom_io):
 * the test writes FUSE requests as the kernel would and reads the
 * replies, one request at a time on the test's own thread.  That makes
 * a reply that the kernel refuses something a test can ask for: the
 * kernel refuses a reply to a request it no longer waits for (an aborted
 * connection, an interrupted open), and whatever the reply handed over
 * (a lookup count, an open file) must then be taken back by us, since
 * no FORGET or RELEASE will ever come for it.
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

/* Sends one request (header + args) through the session and processes
 * it on this thread. */
static void request(struct harness *t, uint32_t opcode, uint64_t nodeid,
		    const void *arg, size_t arglen, const char *name)
{
	struct fuse_in_header h = { 0 };
	size_t namelen = name ? strlen(name) + 1 : 0;
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

static const struct fuse_out_header *reply_header(void)
{
	assert_true(k.reply_len >= sizeof(struct fuse_out_header));
	return (const struct fuse_out_header *)k.reply;
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
	assert_int_equal(fuse_opt_add_arg(&args, "test_fuse_replies"), 0);
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

/* LOOKUP name in parent; returns the reply's errno (0 or positive) and
 * the node ID in *ino. */
static int lookup(struct harness *t, fuse_ino_t parent, const char *name,
		  fuse_ino_t *ino)
{
	const struct fuse_out_header *oh;
	const struct fuse_entry_out *e;

	request(t, FUSE_LOOKUP, parent, NULL, 0, name);
	oh = reply_header();
	if (oh->error)
		return -oh->error;
	assert_true(k.reply_len >= sizeof(*oh) + sizeof(*e));
	e = (const struct fuse_entry_out *)(k.reply + sizeof(*oh));
	*ino = e->nodeid;
	return 0;
}

static size_t nnodes(struct harness *t)
{
	size_t n;

	pthread_mutex_lock(&t->fs.nodes_lock);
	n = t->fs.nnodes;
	pthread_mutex_unlock(&t->fs.nodes_lock);
	return n;
}

static uint64_t node_nlookup(struct harness *t, fuse_ino_t ino)
{
	struct fs_node n;
	uint64_t count;

	if (fs_node_get(&t->fs, ino, &n))
		return 0;
	count = n.nlookup;
	fs_node_copy_free(&n);
	return count;
}

/* A lookup whose reply the kernel refuses leaves no lookup count: the
 * kernel will never FORGET an entry it did not receive. */
static void test_refused_lookup_reply(void **state)
{
	struct harness *t = *state;
	size_t before = nnodes(t);
	fuse_ino_t ino = 0;
	int replies = k.replies;

	k.refuse_errno = ENOENT;
	request(t, FUSE_LOOKUP, t->fs.ino_tools, NULL, 0, "builtin");
	assert_int_equal(k.replies, replies + 1);
	assert_int_equal(fs_node_child_ino(&t->fs, t->fs.ino_tools, "builtin"),
			 0);
	assert_int_equal(nnodes(t), before);

	/* Answered: one count, which one FORGET takes back. */
	assert_int_equal(lookup(t, t->fs.ino_tools, "builtin", &ino), 0);
	assert_int_equal(fs_node_child_ino(&t->fs, t->fs.ino_tools, "builtin"),
			 ino);
	assert_int_equal(node_nlookup(t, ino), 1);
	assert_int_equal(nnodes(t), before + 1);

	/* A refused reply for a node the kernel already holds takes back
	 * only its own count. */
	k.refuse_errno = ENOENT;
	request(t, FUSE_LOOKUP, t->fs.ino_tools, NULL, 0, "builtin");
	assert_int_equal(node_nlookup(t, ino), 1);
	assert_int_equal(lookup(t, t->fs.ino_tools, "builtin", &ino), 0);
	assert_int_equal(node_nlookup(t, ino), 2);

	struct fuse_forget_in fg = { .nlookup = 2 };

	request(t, FUSE_FORGET, ino, &fg, sizeof(fg), NULL);
	assert_int_equal(fs_node_child_ino(&t->fs, t->fs.ino_tools, "builtin"),
			 0);
	assert_int_equal(nnodes(t), before);
}

/* An open whose reply is refused (any errno) frees its open file. */
static void test_refused_open_reply(void **state)
{
	struct harness *t = *state;
	struct fuse_open_in oi = { .flags = O_RDONLY };
	fuse_ino_t ns = 0, tool = 0, doc = 0;
	const int errnos[] = { ENOENT, EINVAL };

	assert_int_equal(lookup(t, t->fs.ino_tools, "builtin", &ns), 0);
	assert_int_equal(lookup(t, ns, "echo", &tool), 0);
	assert_int_equal(lookup(t, tool, "doc", &doc), 0);
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
		k.refuse_errno = errnos[i];
		request(t, FUSE_OPEN, doc, &oi, sizeof(oi), NULL);
		assert_int_equal(atomic_load(&t->fs.live_handles), 0);
	}
	request(t, FUSE_OPEN, doc, &oi, sizeof(oi), NULL);
	assert_int_equal(reply_header()->error, 0);
	assert_int_equal(atomic_load(&t->fs.live_handles), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_lookup_reply,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_open_reply, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
