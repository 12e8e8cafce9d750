/*
 * tool.c - building immutable, reference-counted tools, and the
 * reversible file-name encoding of names.
 */
#include "engine/tool.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/backend.h"
#include "engine/doc.h"
#include "util/buf.h"
#include "util/jsonu.h"
#include "schema/schema.h"

static atomic_uint_fast64_t tool_versions = 1;

static uint64_t fnv1a64(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int tx_name_encode(const char *name, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	char tmp[3 * TX_NAME_MAX + 4];
	size_t n = 0, cut;
	bool too_long = false;

	for (size_t i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];
		bool esc = c == '/' || c == '%' || (i == 0 && c == '.');

		if (n + 3 >= sizeof(tmp)) {
			too_long = true;
			break;
		}
		if (esc) {
			tmp[n++] = '%';
			tmp[n++] = hex[c >> 4];
			tmp[n++] = hex[c & 15];
		} else {
			tmp[n++] = (char)c;
		}
	}
	if (!too_long && n <= TX_NAME_MAX) {
		if (n + 1 > outlen)
			return -ENAMETOOLONG;
		memcpy(out, tmp, n);
		out[n] = '\0';
		return (int)n;
	}
	/* Too long for a file name: a prefix, then a hash of the whole. */
	if (outlen < TX_NAME_MAX + 1)
		return -ENAMETOOLONG;
	cut = TX_NAME_MAX - 18; /* room for "%~" and 16 hex digits */
	/* Do not split a %XX escape or a UTF-8 sequence. */
	while (cut > 0 &&
	       (((unsigned char)tmp[cut] & 0xc0) == 0x80 ||
		tmp[cut - 1] == '%' || (cut >= 2 && tmp[cut - 2] == '%')))
		cut--;
	memcpy(out, tmp, cut);
	n = cut + (size_t)snprintf(out + cut, outlen - cut, "%%~%016" PRIx64,
				   fnv1a64(name, strlen(name)));
	return (int)n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int tx_name_decode(const char *file, char *out, size_t outlen)
{
	size_t n = 0;

	for (size_t i = 0; file[i]; i++) {
		char c = file[i];

		if (n + 1 >= outlen)
			return -ENAMETOOLONG;
		if (c == '%') {
			int hi = hexval(file[i + 1]);
			int lo = hi < 0 ? -1 : hexval(file[i + 2]);

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -EINVAL;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return (int)n;
}

static bool name_ok(const char *s, bool is_ns, char *err, size_t errlen)
{
	const char *what = is_ns ? "namespace" : "name";

	if (!s || !*s) {
		snprintf(err, errlen, "the %s is empty", what);
		return false;
	}
	if (!tx_utf8_valid(s, strlen(s))) {
		snprintf(err, errlen, "the %s is not valid UTF-8", what);
		return false;
	}
	if (is_ns && strchr(s, ':')) {
		snprintf(err, errlen, "the namespace \"%s\" contains ':'", s);
		return false;
	}
	if (strlen(s) > 1024) {
		snprintf(err, errlen, "the %s is longer than 1024 bytes", what);
		return false;
	}
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20) {
			snprintf(err, errlen,
				 "the %s contains a control character", what);
			return false;
		}
	return true;
}

/* ------------------------------------------------------------------ */
/* Input schemas, interned                                              */

/*
 * Tools often share their input schema (an MCP server's tools that take
 * the same arguments, the same server configured twice, a catalogue
 * generated from templates): one compiled validator and one text serve
 * every tool whose schema has the same compact text.  Reference-counted
 * under intern_lock; the text and the validator never change.
 */
struct tx_tool_schema {
	struct tx_tool_schema *next; /* intern_lock */
	uint64_t hash;
	size_t refs; /* intern_lock */
	struct tx_schema *schema;
	char text[]; /* compact JSON */
};

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tx_tool_schema **intern_tab; /* intern_lock */
static size_t intern_cap, intern_n;        /* intern_lock */

static struct tx_tool_schema **intern_slot(uint64_t hash, const char *text)
{
	struct tx_tool_schema **pp = &intern_tab[hash & (intern_cap - 1)];

	while (*pp && ((*pp)->hash != hash || strcmp((*pp)->text, text)))
		pp = &(*pp)->next;
	return pp;
}

/* Doubles the table past a load of 1; a failed growth only slows. */
static void intern_grow(void)
{
	size_t cap = intern_cap ? intern_cap * 2 : 1024;
	struct tx_tool_schema **tab = calloc(cap, sizeof(*tab));

	if (!tab)
		return;
	for (size_t i = 0; i < intern_cap; i++) {
		for (struct tx_tool_schema *s = intern_tab[i], *next; s;
		     s = next) {
			next = s->next;
			s->next = tab[s->hash & (cap - 1)];
			tab[s->hash & (cap - 1)] = s;
		}
	}
	free(intern_tab);
	intern_tab = tab;
	intern_cap = cap;
}

/*
 * The compact text of tree (malloc'd, its length in *len), written
 * without touching the tree: it is the caller's, perhaps read by its
 * other threads.  What only json-c can print (doubles) is printed from
 * a private copy, since json-c's printer writes into the object.
 */
static char *compact_text(const struct json_object *tree, size_t *len)
{
	struct json_object *copy;
	struct tx_buf b;
	char *text;
	int rc;

	tx_buf_init(&b, 0);
	rc = tx_json_compact_to(&b, tree);
	if (!rc)
		return tx_buf_detach(&b, len);
	tx_buf_release(&b);
	if (rc != -ENOTSUP)
		return NULL;
	copy = tx_json_copy(tree);
	text = copy ? tx_json_compact(copy) : NULL;
	json_object_put(copy);
	if (text)
		*len = strlen(text);
	return text;
}

/* The shared schema of tree (compiled when it is new), a reference for
 * the caller.  The tree is only read.  0, -EINVAL (err says why) or
 * -ENOMEM. */
static int schema_get(const struct json_object *tree,
		      struct tx_tool_schema **out, char *err, size_t errlen)
{
	struct tx_tool_schema *s, **pp;
	struct tx_schema *compiled;
	size_t len = 0;
	char *text = compact_text(tree, &len);
	uint64_t hash;

	if (!text)
		return -ENOMEM;
	hash = fnv1a64(text, len);
	pthread_mutex_lock(&intern_lock);
	if (intern_cap && (s = *intern_slot(hash, text))) {
		s->refs++;
		pthread_mutex_unlock(&intern_lock);
		free(text);
		*out = s;
		return 0;
	}
	pthread_mutex_unlock(&intern_lock);
	/* Compiled outside the lock: other threads' tools go on. */
	compiled = tx_schema_compile((struct json_object *)tree, NULL, err,
				     errlen);
	if (!compiled) {
		free(text);
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	}
	s = malloc(sizeof(*s) + len + 1);
	if (!s) {
		tx_schema_free(compiled);
		free(text);
		return -ENOMEM;
	}
	s->hash = hash;
	s->refs = 1;
	s->schema = compiled;
	memcpy(s->text, text, len + 1);
	free(text);
	pthread_mutex_lock(&intern_lock);
	if (intern_n >= intern_cap)
		intern_grow();
	if (!intern_cap) {
		/* No table at all: the schema is the tool's alone. */
		s->next = NULL;
		pthread_mutex_unlock(&intern_lock);
		*out = s;
		return 0;
	}
	pp = intern_slot(hash, s->text);
	if (*pp) {
		/* Another thread interned the same text meanwhile. */
		struct tx_tool_schema *mine = s;

		s = *pp;
		s->refs++;
		pthread_mutex_unlock(&intern_lock);
		tx_schema_free(mine->schema);
		free(mine);
		*out = s;
		return 0;
	}
	s->next = NULL;
	*pp = s;
	intern_n++;
	pthread_mutex_unlock(&intern_lock);
	*out = s;
	return 0;
}

static void schema_release(struct tx_tool_schema *s)
{
	struct tx_tool_schema **pp;

	if (!s)
		return;
	pthread_mutex_lock(&intern_lock);
	if (--s->refs) {
		pthread_mutex_unlock(&intern_lock);
		return;
	}
	/* Not in the table when it could not be made. */
	for (pp = intern_cap ? &intern_tab[s->hash & (intern_cap - 1)] : NULL;
	     pp && *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			intern_n--;
			break;
		}
	}
	pthread_mutex_unlock(&intern_lock);
	tx_schema_free(s->schema);
	free(s);
}

static void tool_destroy(struct tx_tool *t)
{
	/* ns and name live in id's block; the file names too unless
	 * encoding changed them. */
	if (t->ns_file != t->ns)
		free(t->ns_file);
	if (t->name_file != t->name)
		free(t->name_file);
	free(t->id);
	free(t->strings);
	json_object_put(t->input_schema);
	schema_release(t->input_shared);
	json_object_put(t->output_schema);
	tx_schema_free(t->output_validator);
	free(t->schema_text);
	free(t->output_schema_text);
	free(t->summary);
	free(t->doc);
	if (t->backend_data_free)
		t->backend_data_free(t->backend_data);
	if (t->backend)
		tx_backend_unref(t->backend);
	free(t);
}

/*
 * The title, description, origin, where and the tags, with the tags'
 * pointers, in one block: 50 000 tools made seven or more allocations
 * each of these, and freed them again at exit.  0 or -ENOMEM.
 */
static int strings_set(struct tx_tool *t, const struct tx_tool_def *def)
{
	const char *one[4] = { def->title, def->description, def->origin,
			       def->where };
	size_t len[4], size = def->ntags * sizeof(char *);
	char *block, *p;

	for (size_t i = 0; i < 4; i++) {
		one[i] = one[i] ? one[i] : "";
		len[i] = strlen(one[i]);
		size += len[i] + 1;
	}
	/* Tags are short: measured twice rather than remembered. */
	for (size_t i = 0; i < def->ntags; i++)
		size += strlen(def->tags[i]) + 1;
	block = malloc(size);
	if (!block)
		return -ENOMEM;
	p = block + def->ntags * sizeof(char *);
	for (size_t i = 0; i < 4; i++) {
		memcpy(p, one[i], len[i] + 1);
		one[i] = p;
		p += len[i] + 1;
	}
	t->tags = def->ntags ? (char **)(void *)block : NULL;
	for (size_t i = 0; i < def->ntags; i++) {
		size_t n = strlen(def->tags[i]) + 1;

		memcpy(p, def->tags[i], n);
		t->tags[i] = p;
		p += n;
	}
	t->ntags = def->ntags;
	t->strings = block;
	t->title = (char *)one[0];
	t->description = (char *)one[1];
	t->origin = (char *)one[2];
	t->where = (char *)one[3];
	return 0;
}

/* The file name of s: s itself when encoding leaves it as it is (the
 * common case, no copy), else a new string.  NULL when out of memory. */
static char *encode_or_same(char *s)
{
	char buf[TX_NAME_MAX + 1];

	if (tx_name_encode(s, buf, sizeof(buf)) < 0)
		return NULL;
	return strcmp(buf, s) ? strdup(buf) : s;
}

/*
 * id, then "ns" and "name", in one block: the three are read for every
 * tool, and one allocation costs a third of three.  The file names are
 * the names when encoding leaves them as they are.  On failure the tool
 * keeps what it had.
 */
static int names_set(struct tx_tool *t, const char *id, const char *ns,
		     const char *name)
{
	size_t il = strlen(id), nl = strlen(ns), ml = strlen(name);
	char *block = malloc(il + nl + ml + 3), *nsp, *namep, *nsf, *namef;

	if (!block)
		return -ENOMEM;
	memcpy(block, id, il + 1);
	nsp = block + il + 1;
	memcpy(nsp, ns, nl + 1);
	namep = nsp + nl + 1;
	memcpy(namep, name, ml + 1);
	nsf = encode_or_same(nsp);
	namef = encode_or_same(namep);
	if (!nsf || !namef) {
		if (nsf != nsp)
			free(nsf);
		if (namef != namep)
			free(namef);
		free(block);
		return -ENOMEM;
	}
	if (t->ns_file != t->ns)
		free(t->ns_file);
	if (t->name_file != t->name)
		free(t->name_file);
	free(t->id);
	t->id = block;
	t->ns = nsp;
	t->name = namep;
	t->ns_file = nsf;
	t->name_file = namef;
	return 0;
}

static int names_new(struct tx_tool *t, const char *ns, const char *name)
{
	char *id;
	int rc;

	if (asprintf(&id, "%s:%s", ns, name) < 0)
		return -ENOMEM;
	rc = names_set(t, id, ns, name);
	free(id);
	return rc;
}

int tx_tool_set_id(struct tx_tool *t, const char *id)
{
	return names_set(t, id, t->ns, t->name);
}

/* Two independent 64-bit hashes of a backend's spec: equal digests are
 * the same spec but with odds of 2^-128 against, and the text (a few
 * hundred bytes a tool) need not be kept. */
static void spec_digest(const char *s, uint64_t out[2])
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	size_t n = strlen(s);

	out[0] = fnv1a64(s, n);
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
	}
	out[1] = h ^ n;
}

/*
 * Words of a tool name that say it destroys something.  A tool that
 * declares nothing is taken at its name: one word of it (split at
 * anything not a letter or digit, and at a lower-to-upper case change:
 * delete_entities, deleteFile, rm-rf) in this list makes it destructive
 * (docs/search.md).  Whole words only, so "dropdown" or "clearance"
 * are not.
 */
static const char *const destructive_words[] = {
	"delete", "deletes", "del",     "remove",   "removes", "rm",
	"drop",   "drops",   "destroy", "destroys", "erase",   "erases",
	"purge",  "purges",  "wipe",    "wipes",    "clear",   "clears",
	"reset",  "resets",  "unlink",  "truncate", "kill",    NULL,
};

static bool destructive_word(const char *w, size_t n)
{
	char low[16];

	if (n >= sizeof(low))
		return false;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)w[i]);
	low[n] = '\0';
	for (size_t i = 0; destructive_words[i]; i++)
		if (strcmp(low, destructive_words[i]) == 0)
			return true;
	return false;
}

enum tx_tool_hint tx_tool_hint_from_name(const char *name)
{
	const char *p = name, *w = NULL;

	for (;; p++) {
		bool alnum = *p && isalnum((unsigned char)*p);
		bool hump = alnum && w && p > w && isupper((unsigned char)*p) &&
			    islower((unsigned char)p[-1]);

		if (w && (!alnum || hump)) {
			if (destructive_word(w, (size_t)(p - w)))
				return TX_HINT_DESTRUCTIVE;
			w = NULL;
		}
		if (!*p)
			return TX_HINT_NONE;
		if (alnum && !w)
			w = p;
	}
}

struct tx_tool *tx_tool_new(const struct tx_tool_def *def, char *err,
			    size_t errlen)
{
	struct json_object *dflt = NULL;
	struct tx_tool *t;
	char serr[512];
	int rc;

	t = calloc(1, sizeof(*t));
	if (!t) {
		if (def->backend_data_free)
			def->backend_data_free(def->backend_data);
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	atomic_init(&t->refs, 1);
	t->backend_data = def->backend_data;
	t->backend_data_free = def->backend_data_free;
	if (def->backend)
		t->backend = tx_backend_ref(def->backend);
	if (!name_ok(def->ns, true, err, errlen) ||
	    !name_ok(def->name, false, err, errlen))
		goto out_inval;
	t->version = atomic_fetch_add(&tool_versions, 1);
	if (names_new(t, def->ns, def->name))
		goto out_nomem;
	if (strings_set(t, def))
		goto out_nomem;
	t->hint_declared = def->hint != TX_HINT_NONE;
	t->hint = t->hint_declared ? def->hint
				   : tx_tool_hint_from_name(def->name);
	t->timeout_ms = def->timeout_ms ? def->timeout_ms
					: TX_TOOL_TIMEOUT_DEFAULT;
	t->has_backend_spec = def->backend_spec != NULL;
	if (def->backend_spec)
		spec_digest(def->backend_spec, t->backend_spec);
	if (!def->input_schema) {
		dflt = json_object_new_object();
		if (!dflt ||
		    json_object_object_add(dflt, "type",
					   json_object_new_string("object")))
			goto out_nomem;
	}
	if (def->output_schema) {
		t->output_schema = tx_json_copy(def->output_schema);
		if (!t->output_schema)
			goto out_nomem;
	}
	/*
	 * No copy of the input schema's tree is kept: the compact text and
	 * the compiled validator hold all a tool needs, and the renders
	 * parse the text again (a tree costs ten times its text, and every
	 * tool's used to be copied only to be dropped before publication).
	 */
	rc = schema_get(def->input_schema ? def->input_schema : dflt,
			&t->input_shared, serr, sizeof(serr));
	json_object_put(dflt);
	dflt = NULL;
	if (rc == -ENOMEM)
		goto out_nomem;
	if (rc) {
		snprintf(err, errlen, "%s: unusable input schema: %s", t->id,
			 serr);
		goto out_inval;
	}
	t->schema_json = t->input_shared->text;
	t->input_validator = t->input_shared->schema;
	if (t->output_schema) {
		t->output_validator = tx_schema_compile(t->output_schema, NULL,
							serr, sizeof(serr));
		if (!t->output_validator) {
			snprintf(err, errlen, "%s: unusable output schema: %s",
				 t->id, serr);
			goto out_inval;
		}
		t->output_schema_text = tx_json_pretty(t->output_schema);
		if (!t->output_schema_text)
			goto out_nomem;
	}
	t->summary = tx_doc_summary(t);
	if (!t->summary)
		goto out_nomem;
	return t;

out_nomem:
	json_object_put(dflt);
	snprintf(err, errlen, "out of memory");
	tool_destroy(t);
	errno = ENOMEM;
	return NULL;
out_inval:
	tool_destroy(t);
	errno = EINVAL;
	return NULL;
}

static bool str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/*
 * The doc and the schema text are rendered when first read, not when
 * the tool is built: of 50 000 tools few are ever read, and rendering
 * them all cost time and most of a tool's memory.  Printing a json-c
 * object writes into it (its print buffer), so renders take one lock;
 * the text, once stored, never changes and is read without it.
 */
static pthread_mutex_t render_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *lazy_text(const struct tx_tool *tool, _Atomic(char *) *slot,
			     char *(*render)(const struct tx_tool *))
{
	struct tx_tool *t = (struct tx_tool *)tool;
	struct json_object *tmp = NULL;
	char *text = atomic_load(slot);

	if (text)
		return text;
	pthread_mutex_lock(&render_lock);
	text = atomic_load(slot);
	if (!text && !t->input_schema) {
		/* Compacted: the tree again, for this render only. */
		tmp = tx_tool_schema_parse(t);
		t->input_schema = tmp;
	}
	if (!text && t->input_schema) {
		text = render(tool);
		atomic_store(slot, text);
	}
	if (tmp) {
		t->input_schema = NULL;
		json_object_put(tmp);
	}
	pthread_mutex_unlock(&render_lock);
	/* Out of memory: an empty text, and the next read tries again. */
	return text ? text : "";
}

static char *render_schema(const struct tx_tool *t)
{
	return tx_json_pretty(t->input_schema);
}

struct json_object *tx_tool_schema_parse_with(const struct tx_tool *t,
					      struct json_tokener *tok)
{
	/* Our own text, checked when the tool was built. */
	json_tokener_reset(tok);
	return json_tokener_parse_ex(tok, t->schema_json,
				     (int)strlen(t->schema_json));
}

struct json_object *tx_tool_schema_parse(const struct tx_tool *t)
{
	struct json_tokener *tok = json_tokener_new_ex(TX_TOOL_SCHEMA_DEPTH);
	struct json_object *o = NULL;

	if (tok) {
		o = tx_tool_schema_parse_with(t, tok);
		json_tokener_free(tok);
	}
	return o;
}

bool tx_tool_same(const struct tx_tool *a, const struct tx_tool *b)
{
	if (a->hint != b->hint || a->hint_declared != b->hint_declared)
		return false;
	if (!str_eq(a->id, b->id) || !str_eq(a->title, b->title) ||
	    !str_eq(a->description, b->description) ||
	    !str_eq(a->schema_json, b->schema_json) ||
	    !str_eq(a->output_schema_text, b->output_schema_text) ||
	    !str_eq(a->where, b->where) || !str_eq(a->origin, b->origin) ||
	    a->timeout_ms != b->timeout_ms || a->ntags != b->ntags ||
	    a->backend != b->backend)
		return false;
	/* Strict: a spec that appears or disappears is a change too. */
	if (a->has_backend_spec != b->has_backend_spec ||
	    memcmp(a->backend_spec, b->backend_spec, sizeof(a->backend_spec)))
		return false;
	for (size_t i = 0; i < a->ntags; i++)
		if (!str_eq(a->tags[i], b->tags[i]))
			return false;
	return true;
}

const struct tx_tool *tx_tool_ref(const struct tx_tool *tool)
{
	struct tx_tool *t = (struct tx_tool *)tool;

	atomic_fetch_add(&t->refs, 1);
	return tool;
}

void tx_tool_unref(const struct tx_tool *tool)
{
	struct tx_tool *t = (struct tx_tool *)tool;

	if (t && atomic_fetch_sub(&t->refs, 1) == 1)
		tool_destroy(t);
}

const char *tx_tool_id(const struct tx_tool *t)
{
	return t->id;
}
const char *tx_tool_namespace(const struct tx_tool *t)
{
	return t->ns;
}
const char *tx_tool_name(const struct tx_tool *t)
{
	return t->name;
}
const char *tx_tool_namespace_file(const struct tx_tool *t)
{
	return t->ns_file;
}
const char *tx_tool_name_file(const struct tx_tool *t)
{
	return t->name_file;
}
const char *tx_tool_title(const struct tx_tool *t)
{
	return t->title;
}
const char *tx_tool_description(const struct tx_tool *t)
{
	return t->description;
}
size_t tx_tool_tag_count(const struct tx_tool *t)
{
	return t->ntags;
}
const char *tx_tool_summary(const struct tx_tool *t)
{
	return t->summary;
}

enum tx_tool_hint tx_tool_hint(const struct tx_tool *t)
{
	return t->hint;
}

bool tx_tool_hint_declared(const struct tx_tool *t)
{
	return t->hint_declared;
}

const char *tx_tool_hint_name(enum tx_tool_hint hint)
{
	switch (hint) {
	case TX_HINT_READ_ONLY:
		return "read-only";
	case TX_HINT_ADDITIVE:
		return "additive";
	case TX_HINT_DESTRUCTIVE:
		return "destructive";
	case TX_HINT_NONE:
		break;
	}
	return NULL;
}
const char *tx_tool_doc(const struct tx_tool *t)
{
	struct tx_tool *w = (struct tx_tool *)t;

	return lazy_text(t, &w->doc, tx_doc_render);
}
const char *tx_tool_schema_text(const struct tx_tool *t)
{
	struct tx_tool *w = (struct tx_tool *)t;

	return lazy_text(t, &w->schema_text, render_schema);
}
uint64_t tx_tool_version(const struct tx_tool *t)
{
	return t->version;
}

const char *tx_tool_tag(const struct tx_tool *t, size_t i)
{
	return i < t->ntags ? t->tags[i] : NULL;
}

const char *tx_tool_output_schema_text(const struct tx_tool *t)
{
	return t->output_schema_text;
}

const char *tx_tool_backend_kind(const struct tx_tool *t)
{
	return t->backend ? t->backend->ops->kind : "none";
}
