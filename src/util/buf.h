/*
 * buf.h - a growable byte buffer with a hard cap (curl's dynbuf).
 * Going past the cap is a defined error, never silent truncation.
 * Not thread-safe.
 */
#ifndef TX_BUF_H
#define TX_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct tx_buf {
	char *data; /* NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	size_t max; /* cap on len; 0 means SIZE_MAX / 2 */
};

/* No allocation. */
void tx_buf_init(struct tx_buf *b, size_t max);
/* Frees the contents; the buffer can be used again. */
void tx_buf_release(struct tx_buf *b);
/* 0, -ENOMEM, or -EFBIG when len would pass max (nothing is appended). */
int tx_buf_add(struct tx_buf *b, const void *p, size_t n);
int tx_buf_adds(struct tx_buf *b, const char *s);
int tx_buf_printf(struct tx_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int tx_buf_vprintf(struct tx_buf *b, const char *fmt, va_list ap);
/* Hands the data to the caller (malloc'd, "" when empty); b is reset. */
char *tx_buf_detach(struct tx_buf *b, size_t *len);

#endif
