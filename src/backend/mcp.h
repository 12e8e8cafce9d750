/*
 * mcp.h - MCP servers as tool namespaces (docs/mcp.md).
 *
 * One backend per configured server: it connects (stdio or Streamable
 * HTTP), lists the server's tools and publishes them into the registry
 * as source "mcp:NAME", and keeps them current on list_changed.
 */
#ifndef TX_MCP_H
#define TX_MCP_H

#include <stddef.h>

struct tx_backend;
struct tx_backend_kind;
struct tx_registry;
struct tx_mcp_spec;

/* The kind "mcp" (engine/backend.h): a backend per configured server. */
extern const struct tx_backend_kind tx_mcp_kind;

/*
 * Creates the backend for one server (spec is copied) and, unless the
 * spec is lazy, starts connecting in the background: tools appear in reg
 * when the server has listed them.  NULL with errno and err.
 * Dropping the last reference shuts the server down and removes its
 * tools from reg.
 */
struct tx_backend *tx_mcp_backend_new(const struct tx_mcp_spec *spec,
				      struct tx_registry *reg, char *err,
				      size_t errlen);

/*
 * Blocks until the server's first tool listing is published or failed,
 * or timeout_ms passes.  0, or -errno.  (Mount start-up uses it so the
 * tree is complete when the mount appears.)
 */
int tx_mcp_backend_wait_ready(struct tx_backend *be, int timeout_ms);
/* A server that is down starts again now, not after its back-off. */
void tx_mcp_backend_retry(struct tx_backend *be);

/*
 * The first, quick half of a shutdown: removes the server's tools from
 * the registry and keeps it from publishing any again (a tools/list in
 * flight is dropped), without waiting for the server.  So a reload can
 * start a successor of the same name at once and leave the slow half
 * (ops->shutdown: the process's exit) to another thread, whose end can
 * no longer touch the successor's tools.  Idempotent; any thread.
 */
void tx_mcp_backend_retire(struct tx_backend *be);

#endif
