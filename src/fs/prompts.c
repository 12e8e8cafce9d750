/*
 * prompts.c - prompts/: MCP servers' prompts (docs/mcp.md, "Prompts").
 *
 *   prompts/NS/NAME/doc        the prompt's title, description, arguments
 *   prompts/NS/NAME/schema     its arguments as a JSON Schema
 *   prompts/NS/NAME/get        transaction: write the arguments (a JSON
 *                              object of strings), read the rendered
 *                              messages, each as "ROLE:" and its text
 *   prompts/NS/NAME/get.json   the same, reading the whole result
 *
 * Like search/query, `get` holds what one descriptor wrote: concurrent
 * callers never see each other's answers.  The first read asks the
 * server (prompts/get), waiting at most the server's timeout_ms, as a
 * resource read does (resources.c says why that is not a job).  A read
 * with nothing written gets the prompt without arguments.
 *
 * Keys: "NS" for prompts/NS/, "NS/NAME" below (both file names, and an
 * encoded name holds no '/').  Nothing is cached by the kernel: the
 * catalog is asked on every lookup, so list_changed shows at once.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROMPT_TTL .entry_ttl = 0, .attr_ttl = 0

static const struct fs_node_ops ns_ops, prompt_ops;

/* Splits "NS/NAME" into its parts (copies into ns, returns NAME). */
static const char *split_key(const char *key, char *ns, size_t nslen)
{
	const char *slash = strchr(key, '/');
	size_t n = slash ? (size_t)(slash - key) : strlen(key);

	if (n >= nslen)
		n = nslen - 1;
	memcpy(ns, key, n);
	ns[n] = '\0';
	return slash ? slash + 1 : "";
}

static int top_lookup(struct fs *fs, const struct fs_node *dir,
		      const char *name, const struct fs_node_ops **ops,
		      char **key)
{
	int rc = fs_catalog_has(fs, tx_catalog_prompts_list, NULL, name);

	(void)dir;
	if (rc)
		return rc;
	*ops = &ns_ops;
	*key = strdup(name);
	return *key ? 0 : -ENOMEM;
}

static int top_readdir(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		       struct fs_dirlist *l)
{
	(void)req;
	(void)dir;
	return fs_catalog_readdir(fs, tx_catalog_prompts_list, NULL, l);
}

static int ns_valid(struct fs *fs, const struct fs_node *n)
{
	return fs_catalog_has(fs, tx_catalog_prompts_list, NULL, n->key);
}

static int ns_lookup(struct fs *fs, const struct fs_node *dir, const char *name,
		     const struct fs_node_ops **ops, char **key)
{
	size_t len = strlen(dir->key) + strlen(name) + 2;
	int rc = fs_catalog_has(fs, tx_catalog_prompts_list, dir->key, name);

	if (rc)
		return rc;
	*ops = &prompt_ops;
	*key = malloc(len);
	if (!*key)
		return -ENOMEM;
	snprintf(*key, len, "%s/%s", dir->key, name);
	return 0;
}

static int ns_readdir(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		      struct fs_dirlist *l)
{
	(void)req;
	return fs_catalog_readdir(fs, tx_catalog_prompts_list, dir->key, l);
}

/* The prompt a key names, in set (borrowed), or NULL. */
static const struct tx_prompt *prompt_of(const struct tx_catalog_set *set,
					 const char *key)
{
	char ns[TX_NAME_MAX + 1];
	const char *name = split_key(key, ns, sizeof(ns));

	return tx_catalog_prompt_find(set, ns, name);
}

static int prompt_valid(struct fs *fs, const struct fs_node *n)
{
	struct tx_catalog_set *set = tx_engine_catalog(fs->engine);
	int rc;

	if (!set)
		return -ENOMEM;
	rc = prompt_of(set, n->key) ? 0 : -ENOENT;
	tx_catalog_set_unref(set);
	return rc;
}

/* doc (which 0) and schema (1). */
static int prompt_text(struct fs *fs, const struct fs_node *n,
		       struct fs_blob **out)
{
	struct tx_catalog_set *set = tx_engine_catalog(fs->engine);
	const struct tx_prompt *p;
	const char *t;
	int rc = 0;

	if (!set)
		return -ENOMEM;
	p = prompt_of(set, n->key);
	if (!p) {
		rc = -ENOENT;
	} else {
		t = n->ops->which ? tx_prompt_schema_text(p) : tx_prompt_doc(p);
		*out = fs_blob_new(t, strlen(t));
		rc = *out ? 0 : -ENOMEM;
	}
	tx_catalog_set_unref(set);
	return rc;
}

static int get_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	(void)fs;
	(void)req;
	return fs_query_open(h, TX_ARGS_MAX);
}

/* Sends the prompts/get (h->lock held); the answer goes to a: the
 * messages, or the whole result (get.json). */
static void get_start(struct fs *fs, struct fs_handle *h, struct fs_ask *a)
{
	char ns[TX_NAME_MAX + 1];
	const char *name = split_key(h->key, ns, sizeof(ns));

	tx_engine_prompt_get_start(fs->engine, ns, name, h->query.data,
				   fs_ask_answer, a);
}

/* The first read asks the server and the reads wait for its answer,
 * holding no thread; the answer is then read from byte 0 whatever the
 * descriptor's offset (a transaction, as search/query). */
static void get_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		     size_t size, off_t off)
{
	fs_query_read_async(fs, req, h, size, off, get_start);
}

/* ------------------------------------------------------------------ */
/* The kinds                                                            */

/* doc (which 0) and schema (1). */
#define PROMPT_TEXT(w)                                    \
	.mode = S_IFREG | 0444, PROMPT_TTL, .which = (w), \
	.valid = prompt_valid, .text = prompt_text, .read = fs_read_text

static const struct fs_node_ops doc_ops = { PROMPT_TEXT(0) };
static const struct fs_node_ops schema_ops = { PROMPT_TEXT(1) };

/* get (which 0: the messages) and get.json (1: the whole result). */
#define PROMPT_GET(w)                                              \
	.mode = S_IFREG | 0666, PROMPT_TTL, .which = (w),          \
	.valid = prompt_valid, .open = get_open, .read = get_read, \
	.write = fs_query_write, .poll = fs_query_poll

static const struct fs_node_ops get_ops = { PROMPT_GET(0) };
static const struct fs_node_ops get_json_ops = { PROMPT_GET(1) };

static const struct fs_child prompt_children[] = {
	{ "doc", &doc_ops, 0, NULL },
	{ "schema", &schema_ops, 0, NULL },
	{ "get", &get_ops, 0, NULL },
	{ "get.json", &get_json_ops, 0, NULL },
};

/* prompts/NS/NAME/ */
static const struct fs_node_ops prompt_ops = {
	.mode = S_IFDIR | 0555,
	PROMPT_TTL,
	.valid = prompt_valid,
	.children = prompt_children,
	.nchildren = sizeof(prompt_children) / sizeof(prompt_children[0]),
};

/* prompts/NS/ */
static const struct fs_node_ops ns_ops = {
	.mode = S_IFDIR | 0555,
	PROMPT_TTL,
	.valid = ns_valid,
	.lookup = ns_lookup,
	.readdir = ns_readdir,
};

/* prompts/ */
const struct fs_node_ops fs_prompts_ops = {
	.mode = S_IFDIR | 0555,
	.entry_ttl = FS_TTL_STATIC,
	.attr_ttl = FS_TTL_STATIC,
	.lookup = top_lookup,
	.readdir = top_readdir,
};
