/*
 * search_query.c - BM25F top-k with MaxScore pruning (docs/search.md).
 *
 * Score of a document d for a query:
 *
 *   sum over query terms t of  qw(t) * idf(t) * tf~ / (k1 + tf~)
 *   tf~ = sum over fields f of  w_f * tf(t,d,f) / (1 - b + b * len(d,f) /
 * avg_f) idf(t) = ln(1 + (N - n(t) + 0.5) / (n(t) + 0.5))       (Lucene)
 *
 * Per-field length normalisation before one saturation is BM25F
 * (Robertson, Zaragoza, Taylor 2004): a word in the name and again in the
 * description counts more than once, but never without bound.
 *
 * Long queries (agents paste whole task descriptions) have many terms
 * that cannot change the top k; MaxScore (Turtle and Flood 1995), in its
 * term-at-a-time form, stops adding new candidates once the bounds of the
 * remaining terms cannot lift an unseen document into the top k, and
 * drops candidates that can no longer make it.  The per-term upper
 * bounds cost O(fields) to compute (see struct tx_sterm).
 *
 * Hits are rescored in one fixed term order at the end, so equal tools
 * get bit-identical scores and ties always fall to the smaller ID.
 */
#include "search/search.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "search/search_i.h"

/* A synonym counts this much of the word it stands in for. */
#define SYNONYM_WEIGHT 0.3
/* A word repeated in a query counts more, up to this many times. */
#define QTF_MAX 3

struct qterm {
	char text[TX_TERM_MAX + 1];
	size_t len;
	double weight;
	bool synonym;
	/* Filled under the lock. */
	const struct tx_sterm *t;
	double idf;
	double ub; /* upper bound of this term's contribution */
};

struct qlist {
	struct qterm *q;
	size_t n, cap;
	bool destroys; /* the query has a destructive verb */
};

static struct qterm *qlist_find(struct qlist *l, const char *term, size_t len)
{
	size_t i;

	/* Queries are short; a linear scan beats a hash here. */
	for (i = 0; i < l->n; i++)
		if (l->q[i].len == len && memcmp(l->q[i].text, term, len) == 0)
			return &l->q[i];
	return NULL;
}

static int qlist_add(struct qlist *l, const char *term, size_t len,
		     double weight, bool synonym)
{
	struct qterm *q = qlist_find(l, term, len);

	if (q) {
		if (!synonym) {
			if (q->synonym) {
				q->synonym = false;
				q->weight = 0;
			}
			if (q->weight < QTF_MAX)
				q->weight += 1;
		} else if (q->synonym && weight > q->weight) {
			q->weight = weight;
		}
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		void *p = realloc(l->q, cap * sizeof(*l->q));

		if (!p)
			return -ENOMEM;
		l->q = p;
		l->cap = cap;
	}
	q = &l->q[l->n++];
	memset(q, 0, sizeof(*q));
	memcpy(q->text, term, len);
	q->text[len] = '\0';
	q->len = len;
	q->weight = weight;
	q->synonym = synonym;
	return 0;
}

static int query_term(void *ctx, const char *term, size_t len)
{
	return qlist_add(ctx, term, len, 1, false);
}

/* Tokenizes and expands the query; no index lock is needed for this. */
static int query_parse(const struct tx_search_index *idx, const char *query,
		       struct qlist *l)
{
	struct tx_tokenizer *tk = idx->tk;
	size_t n, i, j;
	int rc;

	rc = tx_tokenize(tk, query, strlen(query), TX_SEARCH_QUERY_TERMS,
			 query_term, l);
	if (rc)
		return rc < 0 ? rc : -EIO;
	n = l->n;
	for (i = 0; i < n; i++)
		for (j = 0; j < idx->nverbs; j++)
			if (strcmp(l->q[i].text, idx->verbs[j]) == 0)
				l->destroys = true;
	for (i = 0; i < n; i++) {
		const char *const *syn;
		size_t ns = tx_tokenizer_synonyms(tk, l->q[i].text, &syn);
		double w = l->q[i].weight * SYNONYM_WEIGHT;

		for (j = 0; j < ns; j++) {
			rc = qlist_add(l, syn[j], strlen(syn[j]), w, true);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* Scoring                                                           */

struct scorer {
	double wf[TX_SF_COUNT];                    /* field weight */
	double bf[TX_SF_COUNT];                    /* b / avg field length */
	const uint32_t (*lens)[TX_SF_COUNT];       /* idx->lens */
	const double (*norm)[TX_SEARCH_NORM_LENS]; /* idx->norm */
};

static inline double field_norm(const struct scorer *s, int f, uint32_t len)
{
	return s->wf[f] / (1 - TX_BM25_B + s->bf[f] * len);
}

/* Called with the read lock held: the averages cannot move meanwhile. */
static void scorer_init(struct scorer *s, struct tx_search_index *idx)
{
	uint32_t len;
	int f;

	for (f = 0; f < TX_SF_COUNT; f++) {
		double avg = idx->live ? (double)idx->field_total[f] / idx->live
				       : 0;

		s->wf[f] = tx_search_field_weight[f];
		s->bf[f] = avg > 0 ? TX_BM25_B / avg : 0;
	}
	s->lens = (const uint32_t(*)[TX_SF_COUNT])idx->lens;
	s->norm = (const double(*)[TX_SEARCH_NORM_LENS])idx->norm;
	if (!atomic_load(&idx->norm_stale))
		return;
	pthread_mutex_lock(&idx->norm_lock);
	if (atomic_load(&idx->norm_stale)) {
		for (f = 0; f < TX_SF_COUNT; f++)
			for (len = 0; len < TX_SEARCH_NORM_LENS; len++)
				idx->norm[f][len] = field_norm(s, f, len);
		atomic_store(&idx->norm_stale, false);
	}
	pthread_mutex_unlock(&idx->norm_lock);
}

static inline double tf_norm(const struct scorer *s, const uint8_t *tf,
			     const uint32_t *len)
{
	double x = 0;
	int f;

	/*
	 * Branch-free over the fields: most postings have one or two of
	 * them, in no pattern a branch predictor could learn.
	 */
	for (f = 0; f < TX_SF_COUNT; f++)
		x += tf[f] * (len[f] < TX_SEARCH_NORM_LENS
				      ? s->norm[f][len[f]]
				      : field_norm(s, f, len[f]));
	return x;
}

static inline double contribution(const struct qterm *q, double x)
{
	return q->weight * q->idf * x / (TX_BM25_K1 + x);
}

static double term_bound(const struct scorer *s, const struct qterm *q)
{
	const struct tx_sterm *t = q->t;
	double x = 0;
	int f;

	for (f = 0; f < TX_SF_COUNT; f++)
		if (t->max_tf[f])
			x += t->max_tf[f] * field_norm(s, f, t->min_len[f]);
	/* A hair above, so rounding never prunes a document that ties. */
	return contribution(q, x) * (1 + 1e-9) + 1e-12;
}

/* First posting at or after pos whose doc >= target (galloping). */
static uint32_t advance(const struct tx_sterm *t, uint32_t pos, uint32_t target)
{
	uint32_t step = 1, lo = pos, hi;

	if (pos >= t->npost || t->post[pos].doc >= target)
		return pos;
	while (lo + step < t->npost && t->post[lo + step].doc < target) {
		lo += step;
		step *= 2;
	}
	hi = lo + step < t->npost ? lo + step : t->npost;
	return tx_sterm_lower_bound(t, lo + 1, hi, target);
}

/* ---------------------------------------------------------------- */
/* Ranking key                                                       */

/*
 * Hits are ranked by key, not by score: a destructive tool's key is its
 * score less TX_SEARCH_NEAR_TIE, unless the query itself asks to
 * destroy.  So a non-destructive tool scoring at least 95 % of a
 * destructive one ranks above it (a near tie), and further apart the
 * scores decide; among tools of one kind the order is the score's.  A
 * key is never above its score, so the score bounds MaxScore prunes with
 * stay bounds of the key.
 */
static inline double rank_key(const struct tx_search_index *idx, bool destroys,
			      uint32_t doc, double score)
{
	if (!destroys && idx->docs[doc]->destructive)
		return score * (1 - TX_SEARCH_NEAR_TIE);
	return score;
}

/* ---------------------------------------------------------------- */
/* Top k: a heap with the worst hit on top                           */

struct cand {
	double score;
	uint32_t doc;
};

struct topk {
	struct cand *h; /* score: the rank key */
	size_t n, k;
	const struct tx_search_index *idx;
};

/* a ranks below b: lower key; on equal keys destructive, or a later ID. */
static bool worse(const struct topk *tk, const struct cand *a,
		  const struct cand *b)
{
	bool da = tk->idx->docs[a->doc]->destructive;
	bool db = tk->idx->docs[b->doc]->destructive;

	if (a->score != b->score)
		return a->score < b->score;
	if (da != db)
		return da;
	return strcmp(tk->idx->docs[a->doc]->id, tk->idx->docs[b->doc]->id) > 0;
}

static void sift_down(struct topk *tk, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct cand tmp;

		if (l < tk->n && worse(tk, &tk->h[l], &tk->h[m]))
			m = l;
		if (r < tk->n && worse(tk, &tk->h[r], &tk->h[m]))
			m = r;
		if (m == i)
			return;
		tmp = tk->h[i];
		tk->h[i] = tk->h[m];
		tk->h[m] = tmp;
		i = m;
	}
}

static void topk_offer(struct topk *tk, double score, uint32_t doc)
{
	struct cand c = { score, doc };
	size_t i;

	if (tk->n < tk->k) {
		i = tk->n++;
		tk->h[i] = c;
		while (i > 0 && worse(tk, &tk->h[i], &tk->h[(i - 1) / 2])) {
			struct cand tmp = tk->h[i];

			tk->h[i] = tk->h[(i - 1) / 2];
			tk->h[(i - 1) / 2] = tmp;
			i = (i - 1) / 2;
		}
		return;
	}
	if (!worse(tk, &tk->h[0], &c))
		return;
	tk->h[0] = c;
	sift_down(tk, 0);
}

/* ---------------------------------------------------------------- */
/* MaxScore, term at a time                                          */

static int cmp_ub_desc(const void *a, const void *b)
{
	const struct qterm *x = *(const struct qterm *const *)a;
	const struct qterm *y = *(const struct qterm *const *)b;

	if (x->ub != y->ub)
		return x->ub > y->ub ? -1 : 1;
	return strcmp(x->text, y->text);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The k-th largest of v[0..n) (n >= k >= 1); v is reordered. */
static double kth_largest(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1, want = k - 1;

	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;

		while (i <= j) {
			while (v[i] > pivot)
				i++;
			while (v[j] < pivot)
				j--;
			if (i <= j) {
				double t = v[i];

				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (want <= j)
			hi = j;
		else if (want >= i)
			lo = i;
		else
			break;
	}
	return v[want];
}

struct accum {
	const struct tx_search_index *idx;
	bool destroys;  /* the query's: see rank_key */
	double *acc;    /* by document number; 0 untouched, <0 pruned */
	uint32_t *cand; /* documents touched, in touch order */
	size_t ncand;
	double *scratch; /* for kth_largest */
};

/* The k-th best key so far: a lower bound of the final k-th key. */
static double threshold(struct accum *a, size_t k)
{
	size_t i, n = 0;

	for (i = 0; i < a->ncand; i++)
		if (a->acc[a->cand[i]] > 0)
			a->scratch[n++] = rank_key(a->idx, a->destroys,
						   a->cand[i],
						   a->acc[a->cand[i]]);
	return n >= k ? kth_largest(a->scratch, n, k) : -1;
}

/*
 * Term-at-a-time MaxScore (Turtle and Flood 1995).  Terms go in order of
 * falling upper bound, adding every posting to an accumulator ("OR
 * mode").  Once the bounds of the terms still to come add up to less
 * than the k-th best score so far (theta), no untouched document can
 * reach the top k: the rest only update documents already touched
 * ("AND mode"), and a document whose score plus the remaining bounds
 * falls below theta is dropped.  Common words, whose bounds are small,
 * are the ones that end up in AND mode, so long queries stay cheap.
 */
static void maxscore(const struct scorer *s, struct qterm **q, size_t m,
		     double *rem, struct accum *a, size_t k)
{
	double theta = -1, maxacc = 0;
	bool sorted = false;
	size_t next_check = 0;
	size_t i, j;

	rem[m] = 0;
	for (i = m; i-- > 0;)
		rem[i] = rem[i + 1] + q[i]->ub;
	for (i = 0; i < m; i++) {
		const struct tx_sterm *t = q[i]->t;

		/*
		 * theta costs a pass over the candidates: look when it may
		 * have passed the remaining bounds, and then only every few
		 * terms, or at once where the last theta alone would do.
		 */
		if (a->ncand >= k && maxacc >= rem[i] &&
		    (i >= next_check || rem[i] < theta)) {
			theta = threshold(a, k);
			if (rem[i] < theta)
				break;
			next_check = i + 3;
		}
		for (j = 0; j < t->npost; j++) {
			const struct tx_posting *p = &t->post[j];
			double *acc = &a->acc[p->doc];
			double c = contribution(q[i], tf_norm(s, p->tf,
							      s->lens[p->doc]));

			/* A live posting always scores: 0 is a removed
			 * document's (search_i.h). */
			if (c <= 0)
				continue;
			if (*acc == 0)
				a->cand[a->ncand++] = p->doc;
			*acc += c;
			if (*acc > maxacc)
				maxacc = *acc;
		}
	}
	for (; i < m; i++) {
		const struct tx_sterm *t = q[i]->t;
		size_t alive = 0;

		for (j = 0; j < a->ncand; j++) {
			double *acc = &a->acc[a->cand[j]];

			if (*acc <= 0)
				continue;
			if (*acc + rem[i] < theta)
				*acc = -1; /* cannot make the top k */
			else
				a->cand[alive++] = a->cand[j];
		}
		a->ncand = alive;
		if ((size_t)alive * 16 < t->npost) {
			/* Few survivors, a long list: look each one up. */
			uint32_t pos = 0;

			if (!sorted) {
				qsort(a->cand, a->ncand, sizeof(*a->cand),
				      cmp_u32);
				sorted = true;
			}
			for (j = 0; j < a->ncand; j++) {
				uint32_t d = a->cand[j];

				pos = advance(t, pos, d);
				if (pos >= t->npost)
					break;
				if (t->post[pos].doc == d)
					a->acc[d] += contribution(
						q[i],
						tf_norm(s, t->post[pos].tf,
							s->lens[d]));
			}
			continue;
		}
		for (j = 0; j < t->npost; j++) {
			const struct tx_posting *p = &t->post[j];
			double *acc = &a->acc[p->doc];

			if (*acc > 0)
				*acc += contribution(q[i],
						     tf_norm(s, p->tf,
							     s->lens[p->doc]));
		}
		/*
		 * Scores only grow, so an old theta stays a valid bound;
		 * refreshing it costs a pass over the survivors, worth it
		 * only while there are many.
		 */
		if (a->ncand > 4 * k && i >= next_check) {
			theta = threshold(a, k);
			next_check = i + 3;
		}
	}
}

/*
 * The final score of a hit, summed in one fixed term order so equal
 * documents get bit-identical scores whatever path found them.
 */
static double rescore(const struct scorer *s, struct qterm *q, size_t m,
		      const struct tx_sdoc *doc)
{
	double score = 0;
	size_t i;

	for (i = 0; i < m; i++) {
		uint32_t at;

		if (!q[i].t)
			continue;
		at = advance(q[i].t, 0, doc->num);
		if (at < q[i].t->npost && q[i].t->post[at].doc == doc->num)
			score += contribution(&q[i],
					      tf_norm(s, q[i].t->post[at].tf,
						      doc->len));
	}
	return score;
}

/* A final hit with its rank key (the order of worse(), best first). */
struct keyed {
	struct tx_search_hit *hit;
	double key;
	bool destructive;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->key != y->key)
		return x->key > y->key ? -1 : 1;
	if (x->destructive != y->destructive)
		return x->destructive ? 1 : -1;
	return strcmp(x->hit->id, y->hit->id);
}

int tx_search_index_query(struct tx_search_index *idx, const char *query,
			  size_t k, struct tx_search_hit **hits)
{
	struct qlist l = { 0 };
	struct qterm **order = NULL;
	struct tx_search_hit *out = NULL;
	struct keyed *keyed = NULL;
	struct accum a = { 0 };
	struct topk tk = { 0 };
	struct scorer s;
	double *rem = NULL;
	size_t m = 0, i;
	int rc;

	if (!idx || !query || !hits)
		return -EINVAL;
	*hits = NULL;
	if (strnlen(query, TX_SEARCH_QUERY_MAX + 1) > TX_SEARCH_QUERY_MAX)
		return -E2BIG;
	rc = query_parse(idx, query, &l);
	if (rc)
		goto out;
	order = malloc((l.n ? l.n : 1) * sizeof(*order));
	rem = malloc((l.n + 1) * sizeof(*rem));
	if (!order || !rem) {
		rc = -ENOMEM;
		goto out;
	}

	pthread_rwlock_rdlock(&idx->lock);
	if (k > idx->live)
		k = idx->live;
	if (k > INT32_MAX)
		k = INT32_MAX;
	if (k == 0 || l.n == 0)
		goto out_unlock;
	scorer_init(&s, idx);
	for (i = 0; i < l.n; i++) {
		struct qterm *q = &l.q[i];
		uint32_t t = tx_search_term_find(
			idx, q->text, q->len, tx_search_hash(q->text, q->len));
		double n;

		if (t == UINT32_MAX || idx->terms[t].nlive == 0)
			continue;
		q->t = &idx->terms[t];
		n = q->t->nlive;
		q->idf = log(1 + (idx->live - n + 0.5) / (n + 0.5));
		q->ub = term_bound(&s, q);
		order[m++] = q;
	}
	if (m == 0)
		goto out_unlock;
	qsort(order, m, sizeof(*order), cmp_ub_desc);
	/* Per query, so queries never share writable state. */
	a.acc = calloc(idx->ndocs, sizeof(*a.acc));
	a.cand = malloc(idx->ndocs * sizeof(*a.cand));
	a.scratch = malloc(idx->ndocs * sizeof(*a.scratch));
	tk.k = k;
	tk.idx = idx;
	tk.h = malloc(k * sizeof(*tk.h));
	if (!a.acc || !a.cand || !a.scratch || !tk.h) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	a.idx = idx;
	a.destroys = l.destroys;
	maxscore(&s, order, m, rem, &a, k);
	for (i = 0; i < a.ncand; i++)
		if (a.acc[a.cand[i]] > 0)
			topk_offer(&tk,
				   rank_key(idx, l.destroys, a.cand[i],
					    a.acc[a.cand[i]]),
				   a.cand[i]);
	out = calloc(tk.n ? tk.n : 1, sizeof(*out));
	keyed = calloc(tk.n ? tk.n : 1, sizeof(*keyed));
	if (!out || !keyed) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	for (i = 0; i < tk.n; i++) {
		const struct tx_sdoc *doc = idx->docs[tk.h[i].doc];

		out[i].id = strdup(doc->id);
		if (!out[i].id) {
			rc = -ENOMEM;
			goto out_unlock;
		}
		out[i].score = rescore(&s, l.q, l.n, doc);
		keyed[i].hit = &out[i];
		keyed[i].key =
			rank_key(idx, l.destroys, doc->num, out[i].score);
		keyed[i].destructive = doc->destructive;
	}
	rc = (int)tk.n;
out_unlock:
	pthread_rwlock_unlock(&idx->lock);
	if (rc > 0) {
		struct tx_search_hit *sorted =
			malloc((size_t)rc * sizeof(*out));

		if (!sorted) {
			rc = -ENOMEM;
			goto out;
		}
		qsort(keyed, (size_t)rc, sizeof(*keyed), cmp_keyed);
		for (i = 0; i < (size_t)rc; i++)
			sorted[i] = *keyed[i].hit;
		free(out);
		out = NULL;
		*hits = sorted;
	}
out:
	if (out)
		tx_search_hits_free(out, tk.n);
	free(a.acc);
	free(a.cand);
	free(a.scratch);
	free(tk.h);
	free(keyed);
	free(rem);
	free(order);
	free(l.q);
	return rc;
}

size_t tx_search_cutoff(const struct tx_search_hit *hits, size_t n)
{
	double best = 0;
	size_t i, kept = 0;

	/* The best score need not be the first hit's (rank_key). */
	for (i = 0; i < n; i++)
		if (hits[i].score > best)
			best = hits[i].score;
	/* Hits are in rank order, not score order: cut at the first one
	 * that falls short, so what stays is a prefix of the ranking. */
	for (i = 0; i < n; i++) {
		if (hits[i].score < best * TX_SEARCH_CUTOFF)
			break;
		kept++;
	}
	return kept;
}

void tx_search_hits_free(struct tx_search_hit *hits, size_t n)
{
	size_t i;

	if (!hits)
		return;
	for (i = 0; i < n; i++)
		free(hits[i].id);
	free(hits);
}
