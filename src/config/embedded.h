/*
 * embedded.h - the default configuration compiled into the binaries
 * (the JSON files of mountpoint-examples/default, see scripts/embed.sh).
 */
#ifndef TX_EMBEDDED_H
#define TX_EMBEDDED_H

#include <stddef.h>

struct tx_embedded_file {
	const char *name;
	const char *data; /* NUL-terminated */
	size_t len;
};

/* Ends with an entry whose name is NULL. */
extern const struct tx_embedded_file tx_default_config[];

#endif
