/*
 * backends.c - the backends linked into this program: the table of
 * kinds the engine asks (engine/backend.h).  The engine includes no
 * backend's header; it finds them here, by kind.  A new backend is a
 * file of its own in this folder, its struct tx_backend_kind, and a row
 * below.
 */
#include "engine/backend.h"

#include "backend/builtin.h"
#include "backend/exec.h"
#include "backend/mcp.h"

/* In the order the engine starts them (and shuts them down). */
static const struct tx_backend_kind *const kinds[] = {
	&tx_builtin_kind,
	&tx_exec_kind,
	&tx_mcp_kind,
	NULL,
};

const struct tx_backend_kind *const *tx_backend_kinds(void)
{
	return kinds;
}
