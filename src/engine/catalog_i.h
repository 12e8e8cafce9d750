/*
 * catalog_i.h - the structs of the catalog, shared by catalog.c (offers,
 * snapshots and listeners; resources and resource templates) and
 * catalog_prompts.c (prompts).
 */
#ifndef TX_CATALOG_I_H
#define TX_CATALOG_I_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "engine/catalog.h"

#define CAT_TEXT_MAX (64u << 20)

struct cat_res; /* catalog.c */

struct tx_prompt {
	char *name, *name_file, *title, *description;
	char **args; /* argument names */
	bool *required;
	size_t nargs;
	char *doc, *schema;
};

/* A server's offer; immutable, shared by snapshots. */
struct cat_server {
	atomic_int refs;
	char *ns, *ns_file;
	struct tx_backend *be;
	const struct tx_catalog_server_ops *ops;
	struct cat_res *res; /* sorted by path (NULL paths last) */
	size_t nres;
	struct tx_prompt *prompts; /* sorted by name_file */
	size_t nprompts;
};

struct tx_catalog_set {
	atomic_int refs;
	uint64_t generation;
	struct cat_server **servers; /* sorted by ns_file */
	size_t n;
};

/* Names for a directory listing, gathered by cat_entries_add. */
struct cat_entries {
	struct tx_cat_entry *v;
	size_t n, cap;
};

/* A resource read's or a prompt's answer, passed on. */
struct cat_read_ask {
	tx_engine_answer_fn *fn;
	void *ctx;
};

static inline const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static inline char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* catalog.c */
void cat_server_unref(struct cat_server *s);
/* The server whose ns_file is the len bytes at ns_file, or NULL;
 * borrowed from set. */
const struct cat_server *cat_server_by_file(const struct tx_catalog_set *set,
					    const char *ns_file, size_t len);
/* Adds name (as a directory when dir); a directory wins over a file. */
int cat_entries_add(struct cat_entries *e, const char *name, bool dir);

/* catalog_prompts.c */
/* One prompts/list entry into *p: 0, 1 when it is left out (logged),
 * or -ENOMEM.  The caller releases *p (cat_prompt_release) whatever it
 * returns. */
int cat_prompt_from(const char *ns, struct json_object *o, struct tx_prompt *p);
void cat_prompt_release(struct tx_prompt *p);
/* qsort order of prompts: by name_file. */
int cat_prompt_cmp(const void *a, const void *b);

#endif
