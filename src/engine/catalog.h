/*
 * catalog.h - what servers offer besides tools: resources, resource
 * templates and prompts (docs/mcp.md), as immutable snapshots.
 *
 * A server's backend publishes its whole offer at once
 * (tx_catalog_set_server) after listing it, and again on list_changed;
 * the catalog swaps in a new snapshot, as the registry does for tools.
 * The faces read snapshots (toolexec.h: tx_engine_catalog) and reach the
 * server through the engine (tx_engine_resource_read,
 * tx_engine_prompt_get), which calls the ops the server published with
 * its offer.
 */
#ifndef TX_CATALOG_H
#define TX_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "toolexecfs/toolexec.h"

struct json_object;
struct tx_backend;
struct tx_catalog;

/*
 * The answer of a request that nobody waits for: rc 0 with data (malloc'd,
 * the callee's) and len, or -errno with err.  Called exactly once,
 * possibly before the call that started it returns, else on a thread of
 * the server's: it must not wait.
 */
typedef void tx_catalog_answer_fn(void *ctx, int rc, char *data, size_t len,
				  const char *err);

/* How the engine reaches a server for what its offer lists.  Each runs
 * on the caller's thread and may wait for the server (bounded by the
 * server's timeout). */
struct tx_catalog_server_ops {
	/* resources/read: the contents' bytes (text as is, blobs decoded)
	 * in *data (malloc'd) and *len.  0 or -errno with err. */
	int (*read)(struct tx_backend *be, const char *uri, char **data,
		    size_t *len, char *err, size_t errlen);
	/* prompts/get with args (borrowed, an object): the
	 * GetPromptResult, compact JSON, in *json (malloc'd).  0 or -errno
	 * with err. */
	int (*prompt_get)(struct tx_backend *be, const char *name,
			  struct json_object *args, char **json, char *err,
			  size_t errlen);
	/* read and prompt_get without waiting: the answer goes to fn
	 * (for prompt_get_start, data is the GetPromptResult's JSON). */
	void (*read_start)(struct tx_backend *be, const char *uri,
			   tx_catalog_answer_fn *fn, void *ctx);
	void (*prompt_get_start)(struct tx_backend *be, const char *name,
				 struct json_object *args,
				 tx_catalog_answer_fn *fn, void *ctx);
	/* Optional: resources/subscribe (on true) or unsubscribe for uri.
	 * 0 or -errno. */
	int (*subscribe)(struct tx_backend *be, const char *uri, bool on);
	/* Optional: completion/complete of variable var of resource
	 * template uri (its uriTemplate) for the partly typed value, with
	 * the template's variables bound before it in context (borrowed,
	 * an object, may be NULL): the values (at most 100) in *values,
	 * malloc'd strings (tx_strv_free).  0; -EOPNOTSUPP when the
	 * server does not complete; -errno with err. */
	int (*complete)(struct tx_backend *be, const char *uri, const char *var,
			const char *value, struct json_object *context,
			char ***values, size_t *n, char *err, size_t errlen);
};

struct tx_catalog *tx_catalog_new(void);
void tx_catalog_free(struct tx_catalog *cat);

/* A reference on the current snapshot (tx_catalog_set_unref). */
struct tx_catalog_set *tx_catalog_snapshot(struct tx_catalog *cat);

/*
 * Replaces the offer of server ns: the entries of resources (a
 * resources/list "resources" array), templates ("resourceTemplates")
 * and prompts ("prompts"), each borrowed and may be NULL.  be (a
 * reference is taken, for as long as a snapshot holds the offer) and
 * ops serve the reads.  Invalid entries are left out and logged.  0 or
 * -errno (err).
 */
int tx_catalog_set_server(struct tx_catalog *cat, const char *ns,
			  struct tx_backend *be,
			  const struct tx_catalog_server_ops *ops,
			  struct json_object *resources,
			  struct json_object *templates,
			  struct json_object *prompts, char *err,
			  size_t errlen);
/* Removes server ns's offer (no-op when it has none). */
void tx_catalog_remove_server(struct tx_catalog *cat, const char *ns);

/* fn runs after each swap, on the writer's thread. */
typedef void (*tx_catalog_changed_fn)(void *ctx);
int tx_catalog_listen(struct tx_catalog *cat, tx_catalog_changed_fn fn,
		      void *ctx);

/* A resource of server ns changed (notifications/resources/updated):
 * tells the listeners of tx_catalog_listen_updated. */
void tx_catalog_updated(struct tx_catalog *cat, const char *ns,
			const char *uri);
int tx_catalog_listen_updated(struct tx_catalog *cat, tx_resource_updated_fn fn,
			      void *ctx);

/*
 * The path of uri below a namespace's directory (docs/mcp.md, "From
 * URI to path"): malloc'd, or NULL with errno (EINVAL: no scheme).
 */
char *tx_catalog_uri_path(const char *uri);

#endif
