/*
 * audit.h - the audit log: one JSON line per finished call, appended to
 * a file that rotates at a size cap (docs/audit.md).
 */
#ifndef TX_AUDIT_H
#define TX_AUDIT_H

#include <stddef.h>

#include "toolexecfs/toolexec.h"

struct tx_audit;
struct tx_job;

#define TX_AUDIT_MAX_DEFAULT (16u * 1024 * 1024) /* bytes per file */
#define TX_AUDIT_MAX_MIN     4096u

/*
 * Opens path for appending (created 0600 when missing, O_CLOEXEC).
 * max: bytes one file may hold before it rotates to PATH.1; 0 means
 * TX_AUDIT_MAX_DEFAULT, less than TX_AUDIT_MAX_MIN means that.  Returns
 * the log, or NULL with errno and a reason in err.
 */
struct tx_audit *tx_audit_open(const char *path, size_t max, char *err,
			       size_t errlen);
/* Closes the file and frees the log.  NULL is ignored. */
void tx_audit_close(struct tx_audit *a);

/*
 * Appends the line of a job turning final with `state`; its outcome
 * fields (finished, code, err) are set.  Called under the job's lock,
 * before the state is published.  Thread-safe: lines are written whole,
 * one at a time, in the order calls end.  A write error is logged
 * (tx_log) and counted, never fatal.
 */
void tx_audit_job(struct tx_audit *a, const struct tx_job *job,
		  enum tx_job_state state);

/* Lines written and write errors so far (for status and tests). */
void tx_audit_counts(struct tx_audit *a, unsigned long long *lines,
		     unsigned long long *errors);

#endif
