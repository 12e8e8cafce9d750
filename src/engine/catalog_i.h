/*
 * catalog_i.h - the structs of the catalog, shared by catalog.c (offers,
 * snapshots and listeners), catalog_resources.c (resources and resource
 * templates) and catalog_prompts.c (prompts).
 */
#ifndef TX_CATALOG_I_H
#define TX_CATALOG_I_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "engine/catalog.h"

#define CAT_TEXT_MAX      (64u << 20)
#define CAT_LISTENERS_MAX 8

/* One resource, or a template (vars[i] names the variable of part i). */
struct cat_res {
	char *uri; /* the template's uriTemplate for a template */
	char *name, *title, *description, *mime;
	int64_t size;
	bool is_template;
	char *path;   /* below the namespace; NULL: not in the tree */
	char **parts; /* path split at '/' */
	char **vars;  /* templates: per part, a variable's name or NULL */
	size_t nparts;
};

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

struct cat_listener {
	void (*fn)(void *ctx);
	void *ctx;
};

struct cat_watcher {
	tx_resource_updated_fn fn;
	void *ctx;
};

struct cat_sub {
	struct cat_sub *next;
	char *ns, *uri;
	unsigned count;
};

/* catalog.c swaps the snapshots in and tells the listeners;
 * catalog_resources.c counts the subscriptions. */
struct tx_catalog {
	pthread_mutex_t lock;       /* cur, generation */
	struct tx_catalog_set *cur; /* lock */
	pthread_mutex_t write_lock; /* serializes writers and listeners */
	struct cat_listener listeners[CAT_LISTENERS_MAX]; /* write_lock */
	size_t nlisteners;                                /* write_lock */
	pthread_mutex_t watch_lock;
	struct cat_watcher watchers[CAT_LISTENERS_MAX]; /* watch_lock */
	size_t nwatchers;                               /* watch_lock */
	struct cat_sub *subs;                           /* watch_lock */
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

/* catalog_resources.c */
/* One resources/list or resourceTemplates entry into *r (tmpl: a
 * template): 0, 1 when it is left out (logged), or -ENOMEM.  The caller
 * releases *r (cat_res_release) whatever it returns. */
int cat_res_from(const char *ns, struct json_object *o, bool tmpl,
		 struct cat_res *r);
void cat_res_release(struct cat_res *r);
/* qsort order of resources: by path, NULL paths last. */
int cat_res_cmp(const void *a, const void *b);

/* catalog_prompts.c */
/* One prompts/list entry into *p: 0, 1 when it is left out (logged),
 * or -ENOMEM.  The caller releases *p (cat_prompt_release) whatever it
 * returns. */
int cat_prompt_from(const char *ns, struct json_object *o, struct tx_prompt *p);
void cat_prompt_release(struct tx_prompt *p);
/* qsort order of prompts: by name_file. */
int cat_prompt_cmp(const void *a, const void *b);

#endif
