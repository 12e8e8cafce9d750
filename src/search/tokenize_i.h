/*
 * tokenize_i.h - the search tokenizer (docs/search.md), private to
 * search.c, its tests and benchmarks.
 *
 * Text becomes terms: split on anything that is not a letter or digit,
 * on camelCase and letter/digit boundaries; ASCII, Latin-1, Greek and
 * Cyrillic capitals folded; English stop words dropped; the rest stemmed
 * with Snowball's English stemmer (libstemmer).
 */
#ifndef TX_TOKENIZE_I_H
#define TX_TOKENIZE_I_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes in one term; longer words are cut at a character boundary. */
#define TX_TERM_MAX 64

struct tx_tokenizer;

/*
 * A tokenizer with its stop word and synonym tables.  Thread-safe: each
 * call borrows a Snowball stemmer from a small pool (sb_stemmer keeps
 * state and must not be used by two threads at once).  NULL + errno.
 */
struct tx_tokenizer *tx_tokenizer_new(void);
void tx_tokenizer_free(struct tx_tokenizer *tk);

/*
 * Called once per term, in text order.  term is NUL-terminated, len
 * bytes, valid only during the call.  A non-zero return stops the walk
 * and is returned by tx_tokenize.
 */
typedef int (*tx_term_fn)(void *ctx, const char *term, size_t len);

/*
 * Cuts text[0..len) into terms, at most max_terms of them (the rest of
 * the text is ignored).  Bytes that are not valid UTF-8 separate words.
 * Returns 0, the callback's non-zero value, or -ENOMEM.
 */
int tx_tokenize(struct tx_tokenizer *tk, const char *text, size_t len,
		size_t max_terms, tx_term_fn fn, void *ctx);

/*
 * The stemmed synonyms of a stemmed term (not including the term), or
 * 0 when it has none.  *out points into the tokenizer's table (borrowed,
 * valid until tx_tokenizer_free).
 */
size_t tx_tokenizer_synonyms(const struct tx_tokenizer *tk, const char *term,
			     const char *const **out);

/* True when the folded, unstemmed word is an English stop word. */
bool tx_tokenizer_is_stop(const char *word, size_t len);

#endif
