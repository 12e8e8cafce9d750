/*
 * log.h - the engine's log: a bounded ring of recent lines (served as
 * .ctl/log), optionally echoed to stderr.  Process-wide; thread-safe.
 */
#ifndef TX_LOG_H
#define TX_LOG_H

#include <stdbool.h>

enum tx_log_level {
	TX_LOG_ERROR,
	TX_LOG_WARN,
	TX_LOG_INFO,
	TX_LOG_DEBUG,
};

/* Appends one line (a trailing newline is added) with time and level. */
void tx_log(enum tx_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Echo lines of at most `level` to stderr. */
void tx_log_set_stderr(bool on, enum tx_log_level level);

/* The ring's content, oldest first; malloc'd, the caller frees. */
char *tx_log_text(void);

#endif
