/*
 * search.c - the search index: documents in, postings out.
 *
 * Each tool is one document with seven fields.  A put() tokenizes the
 * tool with no lock held, then under the write lock reserves every byte
 * it needs before it changes anything, so a put that fails for memory
 * leaves the index as it was.  Document numbers only grow (a replaced
 * tool gets a new number), which keeps every posting list sorted by
 * appending; compaction renumbers when removed numbers pile up.
 * Queries are in search_query.c.
 */
#include "search/search.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "search/search_i.h"

/*
 * Field weights, chosen on tests/search/ (docs/search.md): a word in the
 * name says most about what a tool does; parameter descriptions are long
 * and mention many things in passing.
 */
const double tx_search_field_weight[TX_SF_COUNT] = {
	[TX_SF_NAME] = 3.0,       [TX_SF_NAMESPACE] = 1.0,
	[TX_SF_TITLE] = 2.0,      [TX_SF_DESCRIPTION] = 1.0,
	[TX_SF_TAGS] = 1.5,       [TX_SF_PARAM_NAME] = 1.0,
	[TX_SF_PARAM_DESC] = 0.5,
};

const char *const tx_search_field_name[TX_SF_COUNT] = {
	"name",
	"namespace",
	"title",
	"description",
	"tags",
	"parameter names",
	"parameter descriptions",
};

/* Schema walk limits: deeper or wider schemas are indexed in part. */
#define SCHEMA_DEPTH_MAX 16
#define SCHEMA_PROPS_MAX 1024

uint32_t tx_search_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

uint32_t tx_search_term_find(const struct tx_search_index *idx,
			     const char *text, size_t len, uint32_t hash)
{
	uint32_t mask = idx->term_tab_size - 1, i;

	if (idx->term_tab_size == 0)
		return UINT32_MAX;
	for (i = hash & mask; idx->term_tab[i]; i = (i + 1) & mask) {
		const struct tx_sterm *t = &idx->terms[idx->term_tab[i] - 1];

		if (t->hash == hash && strncmp(t->text, text, len) == 0 &&
		    t->text[len] == '\0')
			return idx->term_tab[i] - 1;
	}
	return UINT32_MAX;
}

/* ---------------------------------------------------------------- */
/* A document's terms, gathered before the lock is taken             */

struct dterm {
	uint32_t off; /* into dtab.arena */
	uint32_t len;
	uint32_t hash;
	uint32_t term; /* index term, filled under the lock */
	uint8_t tf[TX_SF_COUNT];
};

struct dtab {
	struct dterm *e;
	uint32_t n;
	uint32_t *slot; /* open addressing: entry + 1 */
	uint32_t nslot; /* power of two */
	char *arena;
	size_t alen, acap;
	uint32_t len[TX_SF_COUNT];
	size_t field_terms;
	int field;
};

static void dtab_release(struct dtab *d)
{
	free(d->e);
	free(d->slot);
	free(d->arena);
}

static int dtab_grow(struct dtab *d)
{
	uint32_t nslot = d->nslot ? d->nslot * 2 : 64, i;
	uint32_t *slot = calloc(nslot, sizeof(*slot));
	void *e;

	if (!slot)
		return -ENOMEM;
	e = realloc(d->e, nslot / 2 * sizeof(*d->e));
	if (!e) {
		free(slot);
		return -ENOMEM;
	}
	d->e = e;
	for (i = 0; i < d->n; i++) {
		uint32_t j = d->e[i].hash & (nslot - 1);

		while (slot[j])
			j = (j + 1) & (nslot - 1);
		slot[j] = i + 1;
	}
	free(d->slot);
	d->slot = slot;
	d->nslot = nslot;
	return 0;
}

static int dtab_add(void *ctx, const char *term, size_t len)
{
	struct dtab *d = ctx;
	uint32_t h = tx_search_hash(term, len), j;
	struct dterm *e;

	if (d->field_terms >= TX_SEARCH_FIELD_TERMS)
		return 1; /* stops this field's walk */
	d->field_terms++;
	if (d->len[d->field] < UINT32_MAX)
		d->len[d->field]++;
	if (d->nslot) {
		for (j = h & (d->nslot - 1); d->slot[j];
		     j = (j + 1) & (d->nslot - 1)) {
			e = &d->e[d->slot[j] - 1];
			if (e->hash == h && e->len == len &&
			    memcmp(d->arena + e->off, term, len) == 0) {
				if (e->tf[d->field] < UINT8_MAX)
					e->tf[d->field]++;
				return 0;
			}
		}
	}
	if (d->n + 1 > d->nslot / 2) {
		if (dtab_grow(d))
			return -ENOMEM;
	}
	if (d->alen + len + 1 > d->acap) {
		size_t cap = d->acap ? d->acap * 2 : 1024;
		char *a;

		while (cap < d->alen + len + 1)
			cap *= 2;
		a = realloc(d->arena, cap);
		if (!a)
			return -ENOMEM;
		d->arena = a;
		d->acap = cap;
	}
	memcpy(d->arena + d->alen, term, len);
	d->arena[d->alen + len] = '\0';
	e = &d->e[d->n];
	memset(e, 0, sizeof(*e));
	e->off = (uint32_t)d->alen;
	e->len = (uint32_t)len;
	e->hash = h;
	e->tf[d->field] = 1;
	d->alen += len + 1;
	for (j = h & (d->nslot - 1); d->slot[j]; j = (j + 1) & (d->nslot - 1))
		;
	d->slot[j] = ++d->n;
	return 0;
}

static int field_text(struct tx_tokenizer *tk, struct dtab *d, int field,
		      const char *text, size_t field_terms)
{
	int rc;

	d->field = field;
	d->field_terms = field_terms;
	if (!text || !*text)
		return 0;
	rc = tx_tokenize(tk, text, strnlen(text, TX_SEARCH_FIELD_BYTES),
			 TX_SEARCH_FIELD_TERMS, dtab_add, d);
	return rc < 0 ? rc : 0;
}

struct schema_walk {
	struct tx_tokenizer *tk;
	struct dtab *d;
	size_t props;
	size_t name_terms, desc_terms; /* per-field caps across params */
};

static int walk_text(struct schema_walk *w, int field, const char *text)
{
	size_t *used = field == TX_SF_PARAM_NAME ? &w->name_terms
						 : &w->desc_terms;
	int rc;

	rc = field_text(w->tk, w->d, field, text, *used);
	*used = w->d->field_terms;
	return rc;
}

static const char *str_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/*
 * Parameter names and descriptions, nested ones included.  Only read
 * accessors are used: the schema belongs to a tool other threads read,
 * and json_object_to_json_string() would write its print cache.
 */
static int walk_schema(struct schema_walk *w, struct json_object *s, int depth)
{
	static const char *const nested[] = { "items", "additionalProperties",
					      "anyOf", "oneOf", "allOf" };
	struct json_object *v;
	size_t i;
	int rc;

	if (!s || depth > SCHEMA_DEPTH_MAX)
		return 0;
	if (json_object_is_type(s, json_type_array)) {
		size_t n = json_object_array_length(s);

		for (i = 0; i < n && w->props < SCHEMA_PROPS_MAX; i++) {
			rc = walk_schema(w, json_object_array_get_idx(s, i),
					 depth + 1);
			if (rc)
				return rc;
		}
		return 0;
	}
	if (!json_object_is_type(s, json_type_object))
		return 0;
	if (depth > 0) {
		const char *fields[] = { str_member(s, "title"),
					 str_member(s, "description") };

		for (i = 0; i < 2; i++) {
			rc = walk_text(w, TX_SF_PARAM_DESC, fields[i]);
			if (rc)
				return rc;
		}
		if (json_object_object_get_ex(s, "enum", &v) &&
		    json_object_is_type(v, json_type_array)) {
			size_t n = json_object_array_length(v);

			for (i = 0; i < n && i < 64; i++) {
				struct json_object *e =
					json_object_array_get_idx(v, i);

				if (!json_object_is_type(e, json_type_string))
					continue;
				rc = walk_text(w, TX_SF_PARAM_DESC,
					       json_object_get_string(e));
				if (rc)
					return rc;
			}
		}
	}
	if (json_object_object_get_ex(s, "properties", &v) &&
	    json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, sub)
		{
			if (w->props++ >= SCHEMA_PROPS_MAX)
				break;
			rc = walk_text(w, TX_SF_PARAM_NAME, key);
			if (!rc)
				rc = walk_schema(w, sub, depth + 1);
			if (rc)
				return rc;
		}
	}
	for (i = 0; i < sizeof(nested) / sizeof(nested[0]); i++) {
		if (json_object_object_get_ex(s, nested[i], &v)) {
			rc = walk_schema(w, v, depth + 1);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int doc_gather(struct tx_tokenizer *tk, const struct tx_search_doc *doc,
		      struct dtab *d)
{
	struct schema_walk w = { .tk = tk, .d = d };
	size_t i, tag_terms = 0;
	int rc;

	rc = field_text(tk, d, TX_SF_NAME, doc->name, 0);
	if (!rc)
		rc = field_text(tk, d, TX_SF_NAMESPACE, doc->ns, 0);
	if (!rc)
		rc = field_text(tk, d, TX_SF_TITLE, doc->title, 0);
	if (!rc)
		rc = field_text(tk, d, TX_SF_DESCRIPTION, doc->description, 0);
	for (i = 0; !rc && i < doc->ntags; i++) {
		rc = field_text(tk, d, TX_SF_TAGS, doc->tags[i], tag_terms);
		tag_terms = d->field_terms;
	}
	if (!rc)
		rc = walk_schema(&w, doc->input_schema, 0);
	return rc;
}

/* ---------------------------------------------------------------- */
/* The index under the write lock                                    */

static int term_tab_rebuild(struct tx_search_index *idx, uint32_t size)
{
	uint32_t *tab = calloc(size, sizeof(*tab)), i;

	if (!tab)
		return -ENOMEM;
	for (i = 0; i < idx->nterms; i++) {
		uint32_t j = idx->terms[i].hash & (size - 1);

		while (tab[j])
			j = (j + 1) & (size - 1);
		tab[j] = i + 1;
	}
	free(idx->term_tab);
	idx->term_tab = tab;
	idx->term_tab_size = size;
	return 0;
}

static uint32_t term_get(struct tx_search_index *idx, const char *text,
			 uint32_t len, uint32_t hash)
{
	uint32_t t = tx_search_term_find(idx, text, len, hash), j;
	struct tx_sterm *term;

	if (t != UINT32_MAX)
		return t;
	if (idx->nterms == UINT32_MAX - 1)
		return UINT32_MAX;
	if ((idx->nterms + 1) * 2 > idx->term_tab_size &&
	    term_tab_rebuild(idx, idx->term_tab_size ? idx->term_tab_size * 2
						     : 1024))
		return UINT32_MAX;
	if (idx->nterms == idx->capterms) {
		uint32_t cap = idx->capterms ? idx->capterms * 2 : 512;
		void *p = realloc(idx->terms, cap * sizeof(*idx->terms));

		if (!p)
			return UINT32_MAX;
		idx->terms = p;
		idx->capterms = cap;
	}
	term = &idx->terms[idx->nterms];
	memset(term, 0, sizeof(*term));
	term->text = strndup(text, len);
	if (!term->text)
		return UINT32_MAX;
	term->hash = hash;
	memset(term->min_len, 0xff, sizeof(term->min_len));
	for (j = hash & (idx->term_tab_size - 1); idx->term_tab[j];
	     j = (j + 1) & (idx->term_tab_size - 1))
		;
	idx->term_tab[j] = idx->nterms + 1;
	idx->empty_terms++; /* until a posting arrives */
	return idx->nterms++;
}

static void bound_update(struct tx_sterm *t, const struct tx_posting *p,
			 const uint32_t *len)
{
	int f;

	for (f = 0; f < TX_SF_COUNT; f++) {
		if (!p->tf[f])
			continue;
		if (p->tf[f] > t->max_tf[f])
			t->max_tf[f] = p->tf[f];
		if (len[f] < t->min_len[f])
			t->min_len[f] = len[f];
	}
}

static struct tx_sdoc **id_slot(struct tx_search_index *idx, const char *id)
{
	struct tx_sdoc **pp;

	if (!idx->id_tab_size)
		return NULL;
	pp = &idx->id_tab[tx_search_hash(id, strlen(id)) &
			  (idx->id_tab_size - 1)];
	while (*pp && strcmp((*pp)->id, id) != 0)
		pp = &(*pp)->next;
	return pp;
}

static int id_tab_grow(struct tx_search_index *idx)
{
	uint32_t size = idx->id_tab_size ? idx->id_tab_size * 2 : 256, i;
	struct tx_sdoc **tab = calloc(size, sizeof(*tab));

	if (!tab)
		return -ENOMEM;
	for (i = 0; i < idx->id_tab_size; i++) {
		struct tx_sdoc *d = idx->id_tab[i], *next;

		for (; d; d = next) {
			uint32_t j = tx_search_hash(d->id, strlen(d->id)) &
				     (size - 1);

			next = d->next;
			d->next = tab[j];
			tab[j] = d;
		}
	}
	free(idx->id_tab);
	idx->id_tab = tab;
	idx->id_tab_size = size;
	return 0;
}

static void doc_unindex(struct tx_search_index *idx, struct tx_sdoc *d)
{
	struct tx_sdoc **pp = id_slot(idx, d->id);
	uint32_t i;
	int f;

	for (i = 0; i < d->nterms; i++) {
		struct tx_sterm *t = &idx->terms[d->terms[i]];
		uint32_t at = tx_sterm_lower_bound(t, 0, t->npost, d->num);

		/*
		 * The posting stays, scoring nothing, until compaction: taking
		 * it out would move every later posting, and a common term
		 * has one per document, so removing a tool would cost the
		 * size of the index instead of the size of the tool.
		 */
		if (at < t->npost && t->post[at].doc == d->num) {
			memset(t->post[at].tf, 0, sizeof(t->post[at].tf));
			if (--t->nlive == 0)
				idx->empty_terms++;
		}
	}
	for (f = 0; f < TX_SF_COUNT; f++)
		idx->field_total[f] -= d->len[f];
	if (pp && *pp == d)
		*pp = d->next;
	idx->docs[d->num] = NULL;
	idx->live--;
}

static void doc_free(struct tx_sdoc *d)
{
	if (!d)
		return;
	free(d->id);
	free(d->terms);
	free(d);
}

/*
 * Renumbers documents densely and drops terms no document uses.  Runs
 * when removed numbers or emptied terms outweigh live ones.  It needs
 * memory for the maps; without it nothing changes and the next update
 * tries again.
 */
static void index_compact(struct tx_search_index *idx)
{
	uint32_t *dmap, *tmap = NULL, *tab = NULL, n = 0, nt = 0, i, j;

	dmap = malloc((idx->ndocs ? idx->ndocs : 1) * sizeof(*dmap));
	if (!dmap)
		return;
	if (idx->empty_terms > 0 && idx->nterms > 0) {
		tmap = malloc(idx->nterms * sizeof(*tmap));
		tab = calloc(idx->term_tab_size, sizeof(*tab));
		if (!tmap || !tab) {
			free(tmap);
			free(tab);
			tmap = tab = NULL;
		}
	}
	for (i = 0; i < idx->ndocs; i++) {
		if (!idx->docs[i]) {
			dmap[i] = UINT32_MAX; /* its postings go */
			continue;
		}
		dmap[i] = n;
		idx->docs[n] = idx->docs[i];
		idx->docs[n]->num = n;
		memcpy(idx->lens[n], idx->docs[n]->len, sizeof(idx->lens[n]));
		n++;
	}
	idx->ndocs = n;
	for (i = 0; i < idx->nterms; i++) {
		struct tx_sterm *t = &idx->terms[i];

		/* Old numbers map monotonically: lists stay sorted. */
		uint32_t kept = 0;

		memset(t->max_tf, 0, sizeof(t->max_tf));
		memset(t->min_len, 0xff, sizeof(t->min_len));
		for (j = 0; j < t->npost; j++) {
			uint32_t d = dmap[t->post[j].doc];

			if (d == UINT32_MAX)
				continue;
			t->post[kept] = t->post[j];
			t->post[kept].doc = d;
			bound_update(t, &t->post[kept], idx->docs[d]->len);
			kept++;
		}
		t->npost = kept;
		if (!tmap)
			continue;
		if (t->npost == 0) {
			free(t->text);
			free(t->post);
			tmap[i] = UINT32_MAX;
			continue;
		}
		tmap[i] = nt;
		if (nt != i)
			idx->terms[nt] = *t;
		nt++;
	}
	if (tmap) {
		uint32_t mask = idx->term_tab_size - 1;

		idx->nterms = nt;
		idx->empty_terms = 0;
		for (i = 0; i < n; i++) {
			struct tx_sdoc *d = idx->docs[i];

			for (j = 0; j < d->nterms; j++)
				d->terms[j] = tmap[d->terms[j]];
		}
		for (i = 0; i < nt; i++) {
			j = idx->terms[i].hash & mask;
			while (tab[j])
				j = (j + 1) & mask;
			tab[j] = i + 1;
		}
		free(idx->term_tab);
		idx->term_tab = tab;
	}
	free(tmap);
	free(dmap);
}

static void maybe_compact(struct tx_search_index *idx)
{
	uint32_t dead = idx->ndocs - idx->live;

	if ((dead > 1024 && dead > idx->live) ||
	    (idx->empty_terms > 1024 && idx->empty_terms > idx->nterms / 2))
		index_compact(idx);
}

int tx_search_index_put(struct tx_search_index *idx,
			const struct tx_search_doc *doc)
{
	struct dtab d = { 0 };
	struct tx_sdoc *sd = NULL, **pp;
	uint32_t i;
	int f, rc;

	if (!idx || !doc || !doc->id || !*doc->id)
		return -EINVAL;
	rc = doc_gather(idx->tk, doc, &d);
	if (rc)
		goto out_dtab;
	sd = calloc(1, sizeof(*sd));
	if (!sd)
		goto out_nomem;
	sd->id = strdup(doc->id);
	sd->terms = malloc((d.n ? d.n : 1) * sizeof(*sd->terms));
	if (!sd->id || !sd->terms)
		goto out_nomem;
	memcpy(sd->len, d.len, sizeof(sd->len));
	sd->destructive = doc->destructive;

	pthread_rwlock_wrlock(&idx->lock);
	/* Reserve everything first: nothing below the commit line fails. */
	if (idx->live + 1 > idx->id_tab_size && id_tab_grow(idx))
		goto out_unlock_nomem;
	if (idx->ndocs == UINT32_MAX - 1)
		index_compact(idx);
	if (idx->ndocs == UINT32_MAX - 1)
		goto out_unlock_nomem;
	if (idx->ndocs == idx->capdocs) {
		uint32_t cap = idx->capdocs ? idx->capdocs * 2 : 256;
		void *p = realloc(idx->docs, cap * sizeof(*idx->docs));

		if (!p)
			goto out_unlock_nomem;
		idx->docs = p;
		p = realloc(idx->lens, cap * sizeof(*idx->lens));
		if (!p)
			goto out_unlock_nomem; /* docs stays larger: harmless */
		idx->lens = p;
		idx->capdocs = cap;
	}
	for (i = 0; i < d.n; i++) {
		struct dterm *e = &d.e[i];
		struct tx_sterm *t;

		e->term = term_get(idx, d.arena + e->off, e->len, e->hash);
		if (e->term == UINT32_MAX)
			goto out_unlock_nomem;
		t = &idx->terms[e->term];
		if (t->npost == t->cappost) {
			uint32_t cap = t->cappost + t->cappost / 2 + 4;
			void *p = realloc(t->post, cap * sizeof(*t->post));

			if (!p)
				goto out_unlock_nomem;
			t->post = p;
			t->cappost = cap;
		}
	}

	/* Commit. */
	pp = id_slot(idx, doc->id);
	if (*pp) {
		struct tx_sdoc *old = *pp;

		doc_unindex(idx, old);
		doc_free(old);
		pp = id_slot(idx, doc->id);
	}
	sd->num = idx->ndocs++;
	idx->docs[sd->num] = sd;
	memcpy(idx->lens[sd->num], sd->len, sizeof(sd->len));
	for (i = 0; i < d.n; i++) {
		struct tx_sterm *t = &idx->terms[d.e[i].term];
		struct tx_posting *p = &t->post[t->npost];

		t->npost++;
		if (t->nlive++ == 0)
			idx->empty_terms--;
		p->doc = sd->num;
		memcpy(p->tf, d.e[i].tf, sizeof(p->tf));
		bound_update(t, p, sd->len);
		sd->terms[i] = d.e[i].term;
	}
	sd->nterms = d.n;
	for (f = 0; f < TX_SF_COUNT; f++)
		idx->field_total[f] += sd->len[f];
	sd->next = NULL;
	*pp = sd;
	idx->live++;
	atomic_store(&idx->norm_stale, true);
	maybe_compact(idx);
	pthread_rwlock_unlock(&idx->lock);
	dtab_release(&d);
	return 0;

out_unlock_nomem:
	pthread_rwlock_unlock(&idx->lock);
out_nomem:
	rc = -ENOMEM;
	doc_free(sd);
out_dtab:
	dtab_release(&d);
	return rc;
}

int tx_search_index_remove(struct tx_search_index *idx, const char *id)
{
	struct tx_sdoc **pp, *d;
	int rc = -ENOENT;

	if (!idx || !id)
		return -EINVAL;
	pthread_rwlock_wrlock(&idx->lock);
	pp = id_slot(idx, id);
	if (pp && *pp) {
		d = *pp;
		doc_unindex(idx, d);
		doc_free(d);
		atomic_store(&idx->norm_stale, true);
		maybe_compact(idx);
		rc = 0;
	}
	pthread_rwlock_unlock(&idx->lock);
	return rc;
}

size_t tx_search_index_count(struct tx_search_index *idx)
{
	size_t n;

	pthread_rwlock_rdlock(&idx->lock);
	n = idx->live;
	pthread_rwlock_unlock(&idx->lock);
	return n;
}

/*
 * A query with one of these verbs asks to destroy or change what exists
 * (the tools MCP calls destructive include those that overwrite: edit,
 * write, move), and then a destructive tool ranks by its score alone.
 * Stemmed by the tokenizer, so "deleting" and "removed" count.
 */
static const char destructive_verbs[] =
	"delete remove drop destroy erase purge wipe clear reset unlink "
	"truncate kill modify edit overwrite update replace rename move "
	"write";

static int verb_add(void *ctx, const char *term, size_t len)
{
	struct tx_search_index *idx = ctx;

	if (idx->nverbs < TX_SEARCH_VERBS) {
		memcpy(idx->verbs[idx->nverbs], term, len + 1);
		idx->nverbs++;
	}
	return 0;
}

struct tx_search_index *tx_search_index_new(void)
{
	struct tx_search_index *idx = calloc(1, sizeof(*idx));

	if (!idx)
		return NULL;
	idx->tk = tx_tokenizer_new();
	if (!idx->tk) {
		free(idx);
		errno = ENOMEM;
		return NULL;
	}
	if (tx_tokenize(idx->tk, destructive_verbs, strlen(destructive_verbs),
			TX_SEARCH_VERBS, verb_add, idx) < 0) {
		tx_tokenizer_free(idx->tk);
		free(idx);
		errno = ENOMEM;
		return NULL;
	}
	pthread_rwlock_init(&idx->lock, NULL);
	pthread_mutex_init(&idx->norm_lock, NULL);
	atomic_init(&idx->norm_stale, true);
	return idx;
}

void tx_search_index_free(struct tx_search_index *idx)
{
	uint32_t i;

	if (!idx)
		return;
	for (i = 0; i < idx->ndocs; i++)
		doc_free(idx->docs[i]);
	for (i = 0; i < idx->nterms; i++) {
		free(idx->terms[i].text);
		free(idx->terms[i].post);
	}
	free(idx->docs);
	free(idx->lens);
	free(idx->terms);
	free(idx->term_tab);
	free(idx->id_tab);
	tx_tokenizer_free(idx->tk);
	pthread_rwlock_destroy(&idx->lock);
	pthread_mutex_destroy(&idx->norm_lock);
	free(idx);
}
