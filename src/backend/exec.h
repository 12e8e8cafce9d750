/*
 * exec.h - local commands as tools: fork/exec of an argument vector,
 * never through a shell.  Each call runs in its own process group, which
 * a timeout or cancel ends as a whole (SIGTERM, then SIGKILL).
 */
#ifndef TX_EXEC_H
#define TX_EXEC_H

#include <stddef.h>

struct tx_backend;
struct tx_backend_kind;
struct tx_tool;
struct tx_tool_spec;

/* The kind "exec" (engine/backend.h): one backend, the tools of the
 * configuration files. */
extern const struct tx_backend_kind tx_exec_kind;

/* The backend, with one reference.  NULL with errno. */
struct tx_backend *tx_exec_backend_new(void);

/*
 * Builds the tool a config spec describes, run by be.  origin is the
 * config file.  NULL with errno and err on a bad spec.
 */
struct tx_tool *tx_exec_tool_new(struct tx_backend *be,
				 const struct tx_tool_spec *spec,
				 const char *origin, char *err, size_t errlen);

#endif
