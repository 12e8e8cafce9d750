/*
 * backend.c - reference counting shared by every backend, and finding a
 * kind by name in the table of kinds.
 */
#include "engine/backend.h"

#include <stddef.h>
#include <string.h>

void tx_backend_init(struct tx_backend *be, const struct tx_backend_ops *ops)
{
	be->ops = ops;
	atomic_init(&be->refs, 1);
}

struct tx_backend *tx_backend_ref(struct tx_backend *be)
{
	atomic_fetch_add(&be->refs, 1);
	return be;
}

void tx_backend_unref(struct tx_backend *be)
{
	if (!be || atomic_fetch_sub(&be->refs, 1) != 1)
		return;
	if (be->ops->shutdown)
		be->ops->shutdown(be);
	be->ops->destroy(be);
}

const struct tx_backend_kind *tx_backend_kind_find(const char *kind)
{
	for (const struct tx_backend_kind *const *k = tx_backend_kinds(); *k;
	     k++)
		if (!strcmp((*k)->kind, kind))
			return *k;
	return NULL;
}
