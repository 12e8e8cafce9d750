/*
 * test_tokenize_fold.c - case folding in the search tokenizer beyond
 * ASCII: Latin-1, every capital/small pair of Latin Extended-A (Czech,
 * Polish, Croatian, French words), Greek, Cyrillic with its Ѐ-Џ block;
 * scripts without case (CJK) pass through unchanged.  A query in small
 * letters must find a description in capitals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "search/tokenize_i.h"

struct terms {
	char buf[512];
	size_t len;
};

static int join(void *ctx, const char *term, size_t len)
{
	struct terms *t = ctx;

	if (t->len + len + 2 >= sizeof(t->buf))
		return 1;
	if (t->len)
		t->buf[t->len++] = ' ';
	memcpy(t->buf + t->len, term, len);
	t->len += len;
	t->buf[t->len] = '\0';
	return 0;
}

static void folds(struct tx_tokenizer *tk, const char *in, const char *want)
{
	struct terms t = { .len = 0 };

	t.buf[0] = '\0';
	assert_int_equal(tx_tokenize(tk, in, strlen(in), 100, join, &t), 0);
	assert_string_equal(t.buf, want);
}

static void test_fold(void **state)
{
	struct tx_tokenizer *tk = tx_tokenizer_new();

	(void)state;
	assert_non_null(tk);
	/* Czech: Ž, Ť, Č, Ý, Ů, Ň. */
	folds(tk, "ŽLUŤOUČKÝ KŮŇ", "žluťoučký kůň");
	/* Polish: Ź, Ż, Ó, Ł, Ś, Ć, Ę, Ą, Ń. */
	folds(tk, "ŹRÓDŁO ŻÓŁĆ ŚĘĄŃ", "źródło żółć śęąń");
	/* Croatian and the rest of the block's odd-capital run. */
	folds(tk, "ĐURĐEVAC ĹĽĿ", "đurđevac ĺľŀ");
	/* French: Ÿ's small letter is ÿ, outside the block. */
	folds(tk, "HAŸ", "haÿ");
	folds(tk, "ÀÉÎÕÜ", "àéîõü");
	folds(tk, "ΑΒΓ ЀЁЂЏ ЖУК", "αβγ ѐёђџ жук");
	folds(tk, "漢字 テスト", "漢字 テスト");
	tx_tokenizer_free(tk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
