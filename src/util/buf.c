/*
 * buf.c - a growable byte buffer with a hard cap.
 */
#include "util/buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tx_buf_init(struct tx_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : SIZE_MAX / 2;
}

void tx_buf_release(struct tx_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

static int buf_reserve(struct tx_buf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (n > b->max - b->len)
		return -EFBIG;
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap = cap > SIZE_MAX / 4 ? want : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int tx_buf_add(struct tx_buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int tx_buf_adds(struct tx_buf *b, const char *s)
{
	return tx_buf_add(b, s, strlen(s));
}

int tx_buf_vprintf(struct tx_buf *b, const char *fmt, va_list ap)
{
	size_t room = b->cap - b->len; /* the NUL's byte included */
	va_list cp;
	int n, rc;

	/* Formatted once when it fits the room left (most calls): a
	 * measuring pass first would double the cost of every render. */
	va_copy(cp, ap);
	n = vsnprintf(b->data ? b->data + b->len : NULL, b->data ? room : 0,
		      fmt, cp);
	va_end(cp);
	if (n >= 0 && b->data && (size_t)n < room &&
	    (size_t)n <= b->max - b->len) {
		b->len += (size_t)n;
		return 0;
	}
	if (b->data)
		b->data[b->len] = '\0'; /* what did not fit is not kept */
	if (n < 0)
		return -EINVAL;
	rc = buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int tx_buf_printf(struct tx_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tx_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *tx_buf_detach(struct tx_buf *b, size_t *len)
{
	char *p = b->data;

	if (!p)
		p = strdup("");
	if (len)
		*len = p ? b->len : 0;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
