/*
 * test_mcp_stdio.c - the MCP stdio transport's sending side with real
 * child processes as the "server": sending never waits for a server
 * that reads slowly or not at all, the queue is written out as the
 * server reads, and past its cap a send fails at once with -ENOBUFS
 * while the connection stays usable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/mcp_i.h"
#include "config/config.h"

#define MIB (1024u * 1024)

/* What the transport reported, for the test thread to wait on. */
struct seen {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	size_t lines;
	size_t bytes;
	bool lines_ok;   /* every line was the expected one */
	size_t line_len; /* expected length of each line */
	bool closed;
};

static void on_message(void *ctx, struct tx_mcp_conn *c, const char *text,
		       size_t len)
{
	struct seen *s = ctx;

	(void)c;
	pthread_mutex_lock(&s->mu);
	s->lines++;
	s->bytes += len;
	if (len != s->line_len || text[0] != '{' || text[len - 1] != '}')
		s->lines_ok = false;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->mu);
}

static void on_closed(void *ctx, struct tx_mcp_conn *c, const char *reason)
{
	struct seen *s = ctx;

	(void)c;
	(void)reason;
	pthread_mutex_lock(&s->mu);
	s->closed = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->mu);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct tx_mcp_conn *open_server(char **argv, struct seen *s)
{
	struct tx_mcp_spec spec = {
		.name = "t",
		.command = argv[0],
		.args = argv + 1,
		.timeout_ms = 60000,
	};
	struct tx_mcp_conn_cbs cbs = {
		.ctx = s,
		.message = on_message,
		.closed = on_closed,
	};
	struct tx_mcp_conn *c;
	char err[256];

	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->lines_ok = true;
	c = tx_mcp_stdio_open(&spec, &cbs, err, sizeof(err));
	if (!c)
		fail_msg("cannot start %s: %s", argv[0], err);
	return c;
}

static void close_server(struct tx_mcp_conn *c, struct seen *s)
{
	c->ops->stop(c);
	c->ops->free(c);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cond);
}

/* A message of len bytes: "{xxx...x}". */
static char *message(size_t len)
{
	char *m = malloc(len);

	assert_non_null(m);
	memset(m, 'x', len);
	m[0] = '{';
	m[len - 1] = '}';
	return m;
}

static void test_send_never_waits_and_has_a_cap(void **state)
{
	/* A server that never reads its input: the pipe (64 KiB) fills
	 * with the first message, the rest must queue. */
	char *argv[] = { "/bin/sleep", "60", NULL };
	struct seen s = { .line_len = MIB };
	struct tx_mcp_conn *c = open_server(argv, &s);
	char *m = message(MIB);
	uint64_t start = now_ms();
	int rc = 0, sent = 0;

	(void)state;
	while (sent < 64 && (rc = c->ops->send(c, m, MIB, sent)) == 0)
		sent++;
	/* 16 MiB fit: the pipe holds some of the first, the queue the rest. */
	assert_int_equal(-ENOBUFS, rc);
	assert_in_range(sent, TX_MCP_SEND_QUEUE_MAX / (MIB + 1),
			TX_MCP_SEND_QUEUE_MAX / (MIB + 1) + 1);
	/* Not one of them waited for the server (the old bound was 10 s
	 * per send). */
	assert_true(now_ms() - start < 5000);
	/* Over the cap only this message is refused; a small one still
	 * fits. */
	assert_int_equal(0, c->ops->send(c, "{}", 2, -1));
	pthread_mutex_lock(&s.mu);
	assert_false(s.closed);
	pthread_mutex_unlock(&s.mu);
	free(m);
	close_server(c, &s);
}

static void test_queue_is_written_as_the_server_reads(void **state)
{
	/* cat echoes every line back: all must arrive, whole and in
	 * order, although together they are far more than the pipe holds. */
	char *argv[] = { "/bin/cat", NULL };
	struct seen s = { .line_len = MIB / 2 };
	struct tx_mcp_conn *c = open_server(argv, &s);
	char *m = message(MIB / 2);
	struct timespec until;

	(void)state;
	for (int i = 0; i < 8; i++)
		assert_int_equal(0, c->ops->send(c, m, MIB / 2, i));
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 30;
	pthread_mutex_lock(&s.mu);
	while (s.lines < 8 && !s.closed &&
	       pthread_cond_timedwait(&s.cond, &s.mu, &until) == 0)
		;
	assert_int_equal(8, s.lines);
	assert_int_equal(8 * (MIB / 2), s.bytes);
	assert_true(s.lines_ok);
	assert_false(s.closed);
	pthread_mutex_unlock(&s.mu);
	free(m);
	close_server(c, &s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_never_waits_and_has_a_cap),
		cmocka_unit_test(test_queue_is_written_as_the_server_reads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
