/*
 * registry.h - the set of tools, as immutable snapshots.
 *
 * Tools come from *sources* ("builtin", "file:NAME.json", "mcp:NAME");
 * a source's tools are replaced as a whole and the new set is swapped in
 * atomically.  Readers take a snapshot under a read lock held only to
 * bump a reference count, so they never block each other.
 */
#ifndef TX_REGISTRY_H
#define TX_REGISTRY_H

#include <stddef.h>

#include "toolexecfs/toolexec.h"

struct tx_tool;
struct tx_registry;

struct tx_registry *tx_registry_new(void);
void tx_registry_free(struct tx_registry *reg);

/* A reference on the current set (tx_toolset_unref). */
struct tx_toolset *tx_registry_snapshot(struct tx_registry *reg);

/*
 * Replaces every tool of `source` with tools[0..n) (references taken;
 * n == 0 removes the source).  A tool whose ID another source already
 * holds is left out and named in err ("ID already defined by SOURCE");
 * the rest apply.  Returns the number left out, or -errno.
 * Listeners added with tx_registry_listen_before run before the swap,
 * the others after it, all before this returns.  Tools of the source
 * whose definition did not change keep their identity.
 */
int tx_registry_set_source(struct tx_registry *reg, const char *source,
			   struct tx_tool *const *tools, size_t n, char *err,
			   size_t errlen);

/* One source's new tools, for tx_registry_update. */
struct tx_source_update {
	const char *source;
	struct tx_tool *const *tools; /* references taken */
	size_t n;
	int refused; /* out: tools left out as duplicates */
	char *why;   /* out: malloc'd "ID already defined by SOURCE; ...",
		      * NULL when none was left out; the caller frees */
};

/*
 * tx_registry_set_source for many sources at once, applied in order
 * (a later source's duplicate of an earlier one's ID is left out), and
 * published as one new set: listeners run once, for the whole change.
 * Costs what the sources held and bring plus a copy of the set's
 * pointers, never a pass over every tool.  0 or -errno.
 */
int tx_registry_update(struct tx_registry *reg, struct tx_source_update *u,
		       size_t n);

/* fn(ctx, old, cur) after each swap, on the writer's thread. */
int tx_registry_listen(struct tx_registry *reg, tx_tools_changed_fn fn,
		       void *ctx);
/*
 * fn(ctx, old, next) before each swap, while readers still see old: for
 * state that must be current by the time a reader sees next (the search
 * index).  Writers are serialized, so fn sees every change in order.
 */
int tx_registry_listen_before(struct tx_registry *reg, tx_tools_changed_fn fn,
			      void *ctx);

/* The catalog of the servers' resources and prompts (catalog.h);
 * borrowed, lives as long as reg. */
struct tx_catalog;
struct tx_catalog *tx_registry_catalog(struct tx_registry *reg);

#endif
