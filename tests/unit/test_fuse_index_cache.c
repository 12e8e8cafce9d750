/*
 * test_fuse_index_cache.c - tools/INDEX is rendered once per tool set:
 * the kernel's requests for its size (GETATTR) and its text (OPEN, READ)
 * share one rendering, which a change of the tool set replaces.  At
 * 50 000 tools the text is 2 MB; it used to be rendered again for each
 * GETATTR and each OPEN.
 */
#include "fuse_harness.h"

static int setup(void **state)
{
	return harness_setup(state, "test_fuse_index_cache");
}

static int teardown(void **state)
{
	return harness_teardown(state);
}

static struct fs_blob *cached(struct harness *t, uint64_t *gen)
{
	struct fs_blob *b;

	pthread_mutex_lock(&t->fs.index_lock);
	b = t->fs.index_blob;
	*gen = t->fs.index_gen;
	pthread_mutex_unlock(&t->fs.index_lock);
	return b;
}

/* GETATTR of ino: its size. */
static uint64_t size_of(struct harness *t, fuse_ino_t ino)
{
	struct fuse_getattr_in gi = { 0 };
	const struct fuse_attr_out *a;

	request(t, FUSE_GETATTR, ino, &gi, sizeof(gi), NULL);
	assert_int_equal(reply_errno(), 0);
	a = (const struct fuse_attr_out *)(k.reply +
					   sizeof(struct fuse_out_header));
	return a->attr.size;
}

/* OPEN, READ of up to 4 KiB at 0 into out (NUL-terminated), RELEASE. */
static void read_start(struct harness *t, fuse_ino_t ino, char *out,
		       size_t outlen)
{
	struct fuse_open_in oi = { .flags = O_RDONLY };
	struct fuse_read_in ri = { .size = 4096 };
	struct fuse_release_in rl = { 0 };
	const struct fuse_open_out *oo;
	size_t n;

	request(t, FUSE_OPEN, ino, &oi, sizeof(oi), NULL);
	assert_int_equal(reply_errno(), 0);
	oo = (const struct fuse_open_out *)(k.reply +
					    sizeof(struct fuse_out_header));
	ri.fh = rl.fh = oo->fh; /* the reply is overwritten next */
	request(t, FUSE_READ, ino, &ri, sizeof(ri), NULL);
	assert_int_equal(reply_errno(), 0);
	n = k.reply_len - sizeof(struct fuse_out_header);
	assert_true(n < outlen);
	memcpy(out, k.reply + sizeof(struct fuse_out_header), n);
	out[n] = '\0';
	request(t, FUSE_RELEASE, ino, &rl, sizeof(rl), NULL);
}

static void test_index_rendered_once_per_set(void **state)
{
	struct harness *t = *state;
	struct fs_blob *first, *b;
	uint64_t gen0, gen, size;
	fuse_ino_t ino = fs_node_child_ino(&t->fs, t->fs.ino_tools, "INDEX");
	char text[4096], path[128];
	FILE *f;

	assert_int_not_equal(ino, 0);
	size = size_of(t, ino);
	first = cached(t, &gen0);
	assert_non_null(first);
	assert_int_equal(first->len, size);
	/* Again, then the text: the same rendering every time. */
	assert_int_equal(size_of(t, ino), size);
	read_start(t, ino, text, sizeof(text));
	assert_int_equal(strlen(text), size);
	assert_non_null(strstr(text, "builtin:echo\t"));
	assert_ptr_equal(cached(t, &gen), first);
	assert_int_equal(gen, gen0);

	/* A new tool: a new set, a new rendering with its line. */
	snprintf(path, sizeof(path), "%s/more.json", t->cfg);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"tools\":[{\"namespace\":\"zz\",\"name\":\"late\","
	      "\"description\":\"Came later.\","
	      "\"input_schema\":{\"type\":\"object\"},"
	      "\"command\":[\"true\"],\"stdin\":\"none\","
	      "\"timeout_ms\":1000}]}",
	      f);
	fclose(f);
	assert_int_equal(tx_engine_reload(t->fs.engine), 0);
	assert_true(size_of(t, ino) > size);
	b = cached(t, &gen);
	assert_ptr_not_equal(b, first);
	assert_true(gen > gen0);
	read_start(t, ino, text, sizeof(text));
	assert_non_null(strstr(text, "zz:late\tCame later.\n"));
	assert_ptr_equal(cached(t, &gen), b);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_index_rendered_once_per_set, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
