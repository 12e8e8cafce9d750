/*
 * builtin.h - tools implemented inside the engine, namespace "builtin".
 */
#ifndef TX_BUILTIN_H
#define TX_BUILTIN_H

#include <stddef.h>

struct tx_backend;
struct tx_backend_kind;
struct tx_tool;

/* The kind "builtin" (engine/backend.h): one backend, its own tools. */
extern const struct tx_backend_kind tx_builtin_kind;

/* The backend, with one reference.  NULL with errno. */
struct tx_backend *tx_builtin_backend_new(void);

/*
 * Builds the built-in tools; *tools is malloc'd, each tool holds one
 * reference the caller owns.  Returns 0 or -errno.
 */
int tx_builtin_tools(struct tx_backend *be, struct tx_tool ***tools, size_t *n);

#endif
