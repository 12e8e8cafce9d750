/*
 * log.c - a bounded ring of recent log lines.
 *
 * The ring is what .ctl/log serves; it holds the last LOG_LINES lines so
 * that a busy daemon's memory stays flat.
 */
#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"

#define LOG_LINES    1024
#define LOG_LINE_MAX 1024

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_ring[LOG_LINES]; /* log_lock */
static size_t log_next;           /* log_lock */
static bool log_stderr;           /* log_lock */
static enum tx_log_level log_stderr_level = TX_LOG_WARN;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void tx_log_set_stderr(bool on, enum tx_log_level level)
{
	pthread_mutex_lock(&log_lock);
	log_stderr = on;
	log_stderr_level = level;
	pthread_mutex_unlock(&log_lock);
}

void tx_log(enum tx_log_level level, const char *fmt, ...)
{
	static _Thread_local time_t last_sec = -1;
	static _Thread_local char last_text[32];
	char line[LOG_LINE_MAX];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	size_t n;
	char *copy;

	clock_gettime(CLOCK_REALTIME, &ts);
	/* Formatting the date is the costly part; do it once a second. */
	if (ts.tv_sec != last_sec) {
		gmtime_r(&ts.tv_sec, &tm);
		strftime(last_text, sizeof(last_text), "%Y-%m-%dT%H:%M:%S",
			 &tm);
		last_sec = ts.tv_sec;
	}
	n = (size_t)snprintf(line, sizeof(line), "%s.%03ldZ %s ", last_text,
			     ts.tv_nsec / 1000000, level_names[level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	/* One entry is one line: fold the newlines a message may carry. */
	for (char *p = line + n; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	copy = strdup(line);

	pthread_mutex_lock(&log_lock);
	if (copy) {
		free(log_ring[log_next]);
		log_ring[log_next] = copy;
		log_next = (log_next + 1) % LOG_LINES;
	}
	if (log_stderr && level <= log_stderr_level)
		fprintf(stderr, "%s\n", line);
	pthread_mutex_unlock(&log_lock);
}

char *tx_log_text(void)
{
	struct tx_buf b;

	tx_buf_init(&b, 0);
	pthread_mutex_lock(&log_lock);
	for (size_t i = 0; i < LOG_LINES; i++) {
		const char *l = log_ring[(log_next + i) % LOG_LINES];

		if (l && (tx_buf_adds(&b, l) || tx_buf_add(&b, "\n", 1)))
			break;
	}
	pthread_mutex_unlock(&log_lock);
	return tx_buf_detach(&b, NULL);
}
