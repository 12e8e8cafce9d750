/*
 * audit.c - one JSON line per finished call, appended to a file that
 * rotates at a size cap.
 *
 * The line is built outside the lock; the lock covers only the size
 * check, a rotation when due and the write.  Lines are written with
 * O_APPEND in one write() each (a short write is finished before the
 * lock is let go), so concurrent calls never interleave or lose a line.
 * The log records who called what and how it ended, never the
 * arguments themselves: their digest is enough to match a call to a
 * record the caller kept, and arguments may hold secrets.
 */
#include "engine/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/job_i.h"
#include "util/log.h"

struct tx_audit {
	pthread_mutex_t lock;
	char *path;
	char *rotated; /* PATH.1 */
	size_t max;
	int fd;                           /* lock */
	size_t size;                      /* lock: bytes in the current file */
	unsigned long long lines;         /* lock */
	unsigned long long errors;        /* lock: lines lost */
	unsigned long long rotate_errors; /* lock */
};

/* Opens the current file; 0 or -errno. */
static int reopen(struct tx_audit *a)
{
	struct stat st;
	int fd;

	fd = open(a->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY,
		  0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		int rc = S_ISREG(st.st_mode) ? -errno : -EINVAL;

		close(fd);
		return rc;
	}
	if (a->fd >= 0)
		close(a->fd);
	a->fd = fd;
	a->size = (size_t)st.st_size;
	return 0;
}

struct tx_audit *tx_audit_open(const char *path, size_t max, char *err,
			       size_t errlen)
{
	struct tx_audit *a = calloc(1, sizeof(*a));
	int rc;

	if (!a || !(a->path = strdup(path)) ||
	    asprintf(&a->rotated, "%s.1", path) < 0) {
		if (a) {
			free(a->path);
			free(a);
		}
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	a->max = max ? max : TX_AUDIT_MAX_DEFAULT;
	if (a->max < TX_AUDIT_MAX_MIN)
		a->max = TX_AUDIT_MAX_MIN;
	a->fd = -1;
	rc = reopen(a);
	if (rc) {
		snprintf(err, errlen, "audit log %s: %s", path,
			 rc == -EINVAL ? "not a regular file" : strerror(-rc));
		free(a->rotated);
		free(a->path);
		free(a);
		errno = -rc;
		return NULL;
	}
	pthread_mutex_init(&a->lock, NULL);
	return a;
}

void tx_audit_close(struct tx_audit *a)
{
	if (!a)
		return;
	if (a->fd >= 0)
		close(a->fd);
	pthread_mutex_destroy(&a->lock);
	free(a->rotated);
	free(a->path);
	free(a);
}

static void add_time(struct json_object *o, const struct timespec *ts)
{
	char buf[64];
	struct tm tm;

	gmtime_r(&ts->tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%03ldZ",
		 ts->tv_nsec / 1000000);
	json_object_object_add(o, "time", json_object_new_string(buf));
}

/* The line for a final job, ending in '\n'; malloc'd, NULL on ENOMEM. */
static char *job_line(const struct tx_job *job, enum tx_job_state state,
		      size_t *len)
{
	struct json_object *o = json_object_new_object();
	const char *name, *text;
	char digest[64];
	double dur = 0;
	char *line = NULL;

	if (!o)
		return NULL;
	add_time(o, &job->finished);
	json_object_object_add(o, "job", json_object_new_string(job->id));
	if (job->has_caller) {
		json_object_object_add(o, "uid",
				       json_object_new_int64(job->caller.uid));
		json_object_object_add(o, "pid",
				       json_object_new_int64(job->caller.pid));
		json_object_object_add(
			o, "session",
			job->caller.sid < 0
				? NULL
				: json_object_new_int64(job->caller.sid));
	} else {
		json_object_object_add(o, "uid", NULL);
		json_object_object_add(o, "pid", NULL);
		json_object_object_add(o, "session", NULL);
	}
	json_object_object_add(o, "tool", json_object_new_string(job->tool_id));
	json_object_object_add(o, "arguments_digest",
			       tx_job_args_digest(job, digest, sizeof(digest))
				       ? json_object_new_string(digest)
				       : NULL);
	json_object_object_add(
		o, "outcome", json_object_new_string(tx_job_state_name(state)));
	json_object_object_add(o, "code",
			       json_object_new_string(job->code ? job->code
								: "error"));
	/* Names, not numbers: errno values differ between architectures. */
	name = job->err ? strerrorname_np(job->err) : NULL;
	if (job->err && !name) {
		snprintf(digest, sizeof(digest), "%d", job->err);
		name = digest;
	}
	json_object_object_add(o, "errno",
			       name ? json_object_new_string(name) : NULL);
	if (job->started.tv_sec)
		dur = ((double)job->finished.tv_sec -
		       (double)job->started.tv_sec) *
			      1000.0 +
		      (double)(job->finished.tv_nsec - job->started.tv_nsec) /
			      1e6;
	json_object_object_add(o, "duration_ms", json_object_new_double(dur));
	text = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text && asprintf(&line, "%s\n", text) < 0)
		line = NULL;
	if (line)
		*len = strlen(line);
	json_object_put(o);
	return line;
}

/* Renames PATH to PATH.1 (replacing it) and starts a new PATH.  Lock. */
static int rotate(struct tx_audit *a)
{
	if (rename(a->path, a->rotated))
		return -errno;
	return reopen(a);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void tx_audit_job(struct tx_audit *a, const struct tx_job *job,
		  enum tx_job_state state)
{
	size_t len = 0;
	char *line = job_line(job, state, &len);
	int rc = -ENOMEM;

	pthread_mutex_lock(&a->lock);
	/* A file holds at most max bytes, but always one line.  A rotation
	 * that fails leaves the file growing rather than lose the line. */
	if (line && a->size > 0 && a->size + len > a->max && (rc = rotate(a)) &&
	    a->rotate_errors++ % 1000 == 0)
		tx_log(TX_LOG_ERROR, "audit log %s: cannot rotate: %s", a->path,
		       strerror(-rc));
	if (line) {
		rc = write_all(a->fd, line, len);
		if (!rc) {
			a->size += len;
		} else if (ftruncate(a->fd, (off_t)a->size) < 0) {
			/* A line written in part would run into the next
			 * one: the file is cut back to its last whole line.
			 * Should that fail too, the write's error is the
			 * one reported below. */
		}
	}
	if (rc) {
		/* Logged at the first error and then every thousandth, so a
		 * full disk does not flood the log. */
		if (a->errors++ % 1000 == 0)
			tx_log(TX_LOG_ERROR,
			       "audit log %s: job %s not recorded: %s "
			       "(%llu lines lost so far)",
			       a->path, job->id, strerror(-rc), a->errors);
	} else {
		a->lines++;
	}
	pthread_mutex_unlock(&a->lock);
	free(line);
}

void tx_audit_counts(struct tx_audit *a, unsigned long long *lines,
		     unsigned long long *errors)
{
	pthread_mutex_lock(&a->lock);
	*lines = a->lines;
	*errors = a->errors;
	pthread_mutex_unlock(&a->lock);
}
