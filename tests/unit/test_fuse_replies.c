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
#include "fuse_harness.h"

static int setup(void **state)
{
	return harness_setup(state, "test_fuse_replies");
}

static int teardown(void **state)
{
	return harness_teardown(state);
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
