/*
 * tokenize.c - words to search terms (docs/search.md, "Tokens").
 *
 * Tool names are identifiers (read_file, getTinyImage, list-dirs.v2), so
 * the splitter knows identifier conventions as well as prose.  Everything
 * else is plain: no locale, no allocation per word, and bytes that are not
 * valid UTF-8 are treated as spaces, so binary input is harmless.
 */
#include "search/tokenize_i.h"

#include <errno.h>
#include <libstemmer.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Idle stemmers kept for reuse; more may exist while many threads query. */
#define STEMMER_POOL 8
/*
 * Each stemmer remembers recent words (direct-mapped, no eviction
 * policy): tool texts repeat a small vocabulary, and Snowball costs far
 * more than a hash and a compare.  Words longer than STEM_WORD bypass it.
 */
#define STEM_CACHE 2048
#define STEM_WORD  23

struct stem_slot {
	unsigned char wlen, slen; /* wlen 0: empty */
	char word[STEM_WORD];
	char stem[STEM_WORD];
};

struct stemmer {
	struct sb_stemmer *sb;
	struct stem_slot *cache; /* STEM_CACHE slots */
};

/*
 * Snowball's English stop list plus the filler words of requests people
 * and agents type ("please", "want", "need").  Words that name actions
 * on tools (get, set, list, find, read, open, show) are kept on purpose.
 */
static const char *stop_words[] = {
	"a",       "about",     "above",      "after",   "again",
	"against", "all",       "also",       "am",      "an",
	"and",     "any",       "are",        "as",      "at",
	"be",      "because",   "been",       "before",  "being",
	"below",   "between",   "both",       "but",     "by",
	"can",     "could",     "did",        "do",      "does",
	"doing",   "don",       "down",       "during",  "each",
	"few",     "for",       "from",       "further", "had",
	"has",     "have",      "having",     "he",      "her",
	"here",    "hers",      "herself",    "him",     "himself",
	"his",     "how",       "i",          "if",      "in",
	"into",    "is",        "it",         "its",     "itself",
	"just",    "like",      "ll",         "me",      "might",
	"more",    "most",      "must",       "my",      "myself",
	"need",    "needs",     "no",         "nor",     "not",
	"now",     "of",        "off",        "on",      "once",
	"only",    "or",        "other",      "ought",   "our",
	"ours",    "ourselves", "out",        "over",    "own",
	"please",  "re",        "s",          "same",    "shall",
	"she",     "should",    "so",         "some",    "such",
	"t",       "than",      "that",       "the",     "their",
	"theirs",  "them",      "themselves", "then",    "there",
	"these",   "they",      "this",       "those",   "through",
	"to",      "too",       "under",      "until",   "up",
	"ve",      "very",      "want",       "wants",   "was",
	"we",      "were",      "what",       "when",    "where",
	"which",   "while",     "who",        "whom",    "why",
	"will",    "with",      "would",      "you",     "your",
	"yours",   "yourself",  "yourselves",
};

/*
 * Query expansion: words that mean the same to someone looking for a
 * tool.  Each group is general tool vocabulary, not tuned to any one
 * server.  search.c weighs a synonym below the word that was typed.
 */
static const char *const synonym_groups[] = {
	"create make new generate",
	"add insert append",
	"delete remove erase destroy unlink purge",
	"get fetch retrieve obtain download",
	"read load open view",
	"show display print",
	"list enumerate ls",
	"search find lookup locate grep seek query",
	"directory folder dir",
	"edit modify change alter patch",
	"update refresh",
	"write save store persist",
	"rename move mv",
	"run execute invoke launch exec",
	"start begin trigger",
	"stop halt cancel abort kill terminate",
	"copy duplicate clone cp",
	"echo repeat",
	"compress zip gzip archive deflate",
	"decompress unzip extract unpack inflate",
	"size bytes length",
	"time clock timestamp",
	"wait sleep pause delay",
	"environment env",
	"image picture photo",
	"sum total addition",
	"information info metadata details",
	"statistics stats metrics",
	"error failure fault",
	"log logging",
	"url link href uri",
	"relation relationship connection",
	"entity node",
	"observation note fact",
	"memory knowledge remember",
	"tree hierarchy",
	"text string",
	"number integer numeric",
	"compare diff difference",
	"convert transform translate",
	"calculate compute evaluate",
	"multiple many several batch bulk",
	"toggle switch",
	"enable activate",
	"disable deactivate",
	"http web",
	"hash checksum digest",
	"user account",
	"permission access",
	"research investigate study",
	"summary summarize overview",
	"resource asset",
	"sort order",
	"pattern glob wildcard",
	"whole entire complete full",
};

struct synonym {
	char *stem;          /* owned */
	const char **others; /* owned array of borrowed stems */
	size_t nothers;
};

struct tx_tokenizer {
	pthread_mutex_t lock; /* guards pool and npool */
	struct stemmer *pool[STEMMER_POOL];
	size_t npool;
	struct synonym *syn; /* sorted by stem; read-only */
	size_t nsyn;
};

/* Stop words in an open-addressing table: looked up once per word. */
#define STOP_TAB 512
static const char *stop_tab[STOP_TAB];
static pthread_once_t stops_once = PTHREAD_ONCE_INIT;

static uint32_t stop_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static void stops_init(void)
{
	size_t i;

	for (i = 0; i < sizeof(stop_words) / sizeof(stop_words[0]); i++) {
		uint32_t j = stop_hash(stop_words[i], strlen(stop_words[i])) &
			     (STOP_TAB - 1);

		while (stop_tab[j])
			j = (j + 1) & (STOP_TAB - 1);
		stop_tab[j] = stop_words[i];
	}
}

bool tx_tokenizer_is_stop(const char *word, size_t len)
{
	uint32_t j;

	pthread_once(&stops_once, stops_init);
	if (len > 16)
		return false; /* longer than any stop word */
	for (j = stop_hash(word, len) & (STOP_TAB - 1); stop_tab[j];
	     j = (j + 1) & (STOP_TAB - 1))
		if (strncmp(stop_tab[j], word, len) == 0 &&
		    stop_tab[j][len] == '\0')
			return true;
	return false;
}

static void stemmer_free(struct stemmer *st)
{
	if (!st)
		return;
	if (st->sb)
		sb_stemmer_delete(st->sb);
	free(st->cache);
	free(st);
}

static struct stemmer *stemmer_get(struct tx_tokenizer *tk)
{
	struct stemmer *st = NULL;

	pthread_mutex_lock(&tk->lock);
	if (tk->npool > 0)
		st = tk->pool[--tk->npool];
	pthread_mutex_unlock(&tk->lock);
	if (st)
		return st;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->sb = sb_stemmer_new("english", "UTF_8");
	st->cache = calloc(STEM_CACHE, sizeof(*st->cache));
	if (!st->sb || !st->cache) {
		stemmer_free(st);
		return NULL;
	}
	return st;
}

static void stemmer_put(struct tx_tokenizer *tk, struct stemmer *st)
{
	pthread_mutex_lock(&tk->lock);
	if (tk->npool < STEMMER_POOL) {
		tk->pool[tk->npool++] = st;
		st = NULL;
	}
	pthread_mutex_unlock(&tk->lock);
	stemmer_free(st);
}

/*
 * Stems word[0..len) in place; returns the new length, or -ENOMEM.
 * Snowball's English stemmer never lengthens a word.
 */
static int stem(struct stemmer *st, char *word, size_t len)
{
	struct stem_slot *slot = NULL;
	const sb_symbol *out;
	int slen;

	if (len <= STEM_WORD) {
		uint32_t h = 2166136261u;
		size_t i;

		for (i = 0; i < len; i++) {
			h ^= (unsigned char)word[i];
			h *= 16777619u;
		}
		slot = &st->cache[h & (STEM_CACHE - 1)];
		if (slot->wlen == len && memcmp(slot->word, word, len) == 0) {
			memcpy(word, slot->stem, slot->slen);
			word[slot->slen] = '\0';
			return slot->slen;
		}
	}
	out = sb_stemmer_stem(st->sb, (const sb_symbol *)word, (int)len);
	if (!out)
		return -ENOMEM;
	slen = sb_stemmer_length(st->sb);
	if (slen <= 0 || (size_t)slen > len)
		return (int)len; /* keep the word as it is */
	if (slot) {
		slot->wlen = (unsigned char)len;
		memcpy(slot->word, word, len);
		slot->slen = (unsigned char)slen;
		memcpy(slot->stem, out, (size_t)slen);
	}
	memcpy(word, out, (size_t)slen);
	word[slen] = '\0';
	return slen;
}

/* ---------------------------------------------------------------- */
/* Characters                                                        */

enum cclass { C_SEP, C_LOWER, C_UPPER, C_DIGIT, C_OTHER };

/*
 * Decodes one UTF-8 character.  Returns its length, or 0 when the bytes
 * are not valid UTF-8 (overlong forms, surrogates and values past
 * U+10FFFF included), so the caller can step over one byte.
 */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

static size_t utf8_encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

static enum cclass classify(uint32_t c)
{
	if (c < 0x80) {
		if (c >= 'a' && c <= 'z')
			return C_LOWER;
		if (c >= 'A' && c <= 'Z')
			return C_UPPER;
		if (c >= '0' && c <= '9')
			return C_DIGIT;
		return C_SEP;
	}
	/* Punctuation, symbols, spaces and emoji separate words. */
	if (c <= 0xbf || c == 0xd7 || c == 0xf7 ||
	    (c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x303f) ||
	    (c >= 0xe000 && c <= 0xf8ff) || (c >= 0xfe30 && c <= 0xfe4f) ||
	    (c >= 0xff00 && c <= 0xff0f) || (c >= 0xff1a && c <= 0xff20) ||
	    c >= 0xfff0 || (c >= 0x1f000 && c <= 0x1faff))
		return C_SEP;
	return C_OTHER;
}

/* Simple case folding for the scripts tool descriptions mostly use. */
static uint32_t fold(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c < 0xc0)
		return c;
	if (c <= 0xde && c != 0xd7)
		return c + 0x20;
	if (c >= 0x100 && c <= 0x17f) {
		/* Latin Extended-A pairs capital/small, switching parity. */
		if ((c <= 0x137 || (c >= 0x14a && c <= 0x177)) && !(c & 1))
			return c + 1;
		if (((c >= 0x139 && c <= 0x148) ||
		     (c >= 0x179 && c <= 0x17e)) &&
		    (c & 1))
			return c + 1;
		if (c == 0x178) /* Ÿ: its small letter is in Latin-1 */
			return 0xff;
		return c;
	}
	if (c >= 0x391 && c <= 0x3a9 && c != 0x3a2)
		return c + 0x20;
	if (c >= 0x410 && c <= 0x42f)
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40f)
		return c + 0x50;
	return c;
}

/* ---------------------------------------------------------------- */
/* Words                                                             */

struct walk {
	struct tx_tokenizer *tk;
	struct stemmer *st;
	tx_term_fn fn;
	void *ctx;
	size_t max_terms;
	size_t nterms;
	char word[TX_TERM_MAX + 1];
	size_t wlen;
	bool ascii_alpha; /* word is only a-z: worth stemming */
	bool full;        /* cut at TX_TERM_MAX */
};

static void word_add(struct walk *w, uint32_t c, enum cclass cls)
{
	char enc[4];
	size_t n;

	if (w->full)
		return;
	n = utf8_encode(fold(c), enc);
	if (w->wlen + n > TX_TERM_MAX) {
		w->full = true; /* cut at a character boundary */
		return;
	}
	memcpy(w->word + w->wlen, enc, n);
	w->wlen += n;
	if (cls != C_LOWER && cls != C_UPPER)
		w->ascii_alpha = false;
}

static int word_end(struct walk *w)
{
	const char *term = w->word;
	size_t len = w->wlen;
	int rc;

	if (len == 0)
		return 0;
	w->word[len] = '\0';
	w->wlen = 0;
	w->full = false;
	if (tx_tokenizer_is_stop(w->word, len)) {
		w->ascii_alpha = true;
		return 0;
	}
	if (w->ascii_alpha && len > 2) {
		int slen = stem(w->st, w->word, len);

		if (slen < 0)
			return slen;
		len = (size_t)slen;
	}
	w->ascii_alpha = true;
	rc = w->fn(w->ctx, term, len);
	if (rc)
		return rc;
	w->nterms++;
	return 0;
}

int tx_tokenize(struct tx_tokenizer *tk, const char *text, size_t len,
		size_t max_terms, tx_term_fn fn, void *ctx)
{
	const unsigned char *s = (const unsigned char *)text;
	struct walk w = { .tk = tk,
			  .fn = fn,
			  .ctx = ctx,
			  .max_terms = max_terms,
			  .ascii_alpha = true };
	enum cclass prev = C_SEP;
	size_t i = 0;
	int rc = 0;

	if (max_terms == 0 || len == 0)
		return 0;
	w.st = stemmer_get(tk);
	if (!w.st)
		return -ENOMEM;
	while (i < len && w.nterms < max_terms) {
		uint32_t c = 0, next_c = 0;
		size_t n = utf8_decode(s + i, len - i, &c);
		enum cclass cls = n ? classify(c) : C_SEP;
		bool split = false;

		if (n == 0)
			n = 1;
		if (cls == C_SEP) {
			rc = word_end(&w);
			if (rc)
				goto out;
			prev = C_SEP;
			i += n;
			continue;
		}
		if (prev != C_SEP) {
			if ((cls == C_DIGIT) != (prev == C_DIGIT))
				split = true; /* utf8 / v2 / base64 */
			else if (cls == C_UPPER && prev == C_LOWER)
				split = true; /* camelCase */
			else if (cls == C_UPPER && prev == C_UPPER &&
				 i + n < len &&
				 utf8_decode(s + i + n, len - i - n, &next_c) &&
				 classify(next_c) == C_LOWER)
				split = true; /* HTTPServer: HTTP | Server */
		}
		if (split) {
			rc = word_end(&w);
			if (rc)
				goto out;
		}
		word_add(&w, c, cls);
		prev = cls;
		i += n;
	}
	if (w.nterms < max_terms)
		rc = word_end(&w);
out:
	stemmer_put(tk, w.st);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Synonyms                                                          */

static int cmp_syn(const void *a, const void *b)
{
	return strcmp(((const struct synonym *)a)->stem,
		      ((const struct synonym *)b)->stem);
}

struct stem_list {
	char *stems[16];
	size_t n;
};

static int collect_stem(void *ctx, const char *term, size_t len)
{
	struct stem_list *l = ctx;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->stems[i], term) == 0)
			return 0;
	if (l->n == sizeof(l->stems) / sizeof(l->stems[0]))
		return 0;
	l->stems[l->n] = strndup(term, len);
	if (!l->stems[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

/* Stems every group once; a stem in two groups keeps its first. */
static int synonyms_build(struct tx_tokenizer *tk)
{
	size_t g, ngroups = sizeof(synonym_groups) / sizeof(synonym_groups[0]);
	size_t cap = 0;

	for (g = 0; g < ngroups; g++) {
		struct stem_list l = { .n = 0 };
		size_t i, j;
		int rc;

		rc = tx_tokenize(tk, synonym_groups[g],
				 strlen(synonym_groups[g]), 64, collect_stem,
				 &l);
		for (i = 0; i < l.n && rc == 0; i++) {
			struct synonym *sy;

			if (tk->nsyn == cap) {
				size_t ncap = cap ? cap * 2 : 128;
				void *p = realloc(tk->syn, ncap * sizeof(*sy));

				if (!p) {
					rc = -ENOMEM;
					break;
				}
				tk->syn = p;
				cap = ncap;
			}
			sy = &tk->syn[tk->nsyn];
			sy->others = calloc(l.n, sizeof(*sy->others));
			if (!sy->others) {
				rc = -ENOMEM;
				break;
			}
			sy->stem = l.stems[i];
			l.stems[i] = NULL;
			sy->nothers = 0;
			tk->nsyn++;
		}
		/* Others point at the stems now owned by the entries. */
		for (i = 0; rc == 0 && i < l.n; i++) {
			struct synonym *sy = &tk->syn[tk->nsyn - l.n + i];

			for (j = 0; j < l.n; j++)
				if (j != i)
					sy->others[sy->nothers++] =
						tk->syn[tk->nsyn - l.n + j].stem;
		}
		for (i = 0; i < l.n; i++)
			free(l.stems[i]);
		if (rc)
			return rc;
	}
	qsort(tk->syn, tk->nsyn, sizeof(*tk->syn), cmp_syn);
	return 0;
}

size_t tx_tokenizer_synonyms(const struct tx_tokenizer *tk, const char *term,
			     const char *const **out)
{
	size_t lo = 0, hi = tk->nsyn;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(term, tk->syn[mid].stem);

		if (c == 0) {
			/* The first entry of equal stems wins. */
			while (mid > 0 &&
			       strcmp(term, tk->syn[mid - 1].stem) == 0)
				mid--;
			*out = tk->syn[mid].others;
			return tk->syn[mid].nothers;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*out = NULL;
	return 0;
}

struct tx_tokenizer *tx_tokenizer_new(void)
{
	struct tx_tokenizer *tk = calloc(1, sizeof(*tk));
	int rc;

	if (!tk)
		return NULL;
	pthread_mutex_init(&tk->lock, NULL);
	rc = synonyms_build(tk);
	if (rc) {
		tx_tokenizer_free(tk);
		errno = -rc;
		return NULL;
	}
	return tk;
}

void tx_tokenizer_free(struct tx_tokenizer *tk)
{
	size_t i;

	if (!tk)
		return;
	for (i = 0; i < tk->npool; i++)
		stemmer_free(tk->pool[i]);
	for (i = 0; i < tk->nsyn; i++) {
		free(tk->syn[i].stem);
		free(tk->syn[i].others);
	}
	free(tk->syn);
	pthread_mutex_destroy(&tk->lock);
	free(tk);
}
