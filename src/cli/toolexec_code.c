/*
 * toolexec_code.c - `toolexec code [-p PROFILE] [--json] [--result FILE]
 * FILE [ARGS...]`: runs a script once in a security profile, as a drop
 * into a mount's code/PROFILE/ does, and passes its stdout and stderr
 * through as they come.
 *
 * It reads the run the way the file system does: through the engine's
 * run readers and one-shot listeners, never by waiting for the script
 * on the engine's side.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "toolexecfs/toolexec.h"
#include "util/buf.h"
#include "util/jsonu.h"

enum {
	EXIT_USAGE = 2,
	EXIT_TIMEOUT = 124,   /* as timeout(1) */
	EXIT_NOT_RUN = 125,   /* the script never ran */
	EXIT_CANCELLED = 130, /* as a shell reports SIGINT */
};

/* Woken by the run's listeners. */
struct waker {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool woken;
};

static void wake(struct tx_run *run, void *ctx)
{
	struct waker *w = ctx;

	(void)run;
	pthread_mutex_lock(&w->lock);
	w->woken = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void usage(void)
{
	fprintf(stderr, "usage: toolexec code [-p PROFILE] [--json] "
			"[--result FILE] SCRIPT [ARGS...]\n");
}

/* Reads the script, at most TX_SCRIPT_MAX bytes.  malloc'd or NULL. */
static char *read_script(const char *path, size_t *len)
{
	struct tx_buf b;
	char chunk[65536];
	ssize_t n;
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;

	if (fd < 0) {
		fprintf(stderr, "toolexec: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	tx_buf_init(&b, TX_SCRIPT_MAX);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || tx_buf_add(&b, chunk, (size_t)n)) {
			fprintf(stderr, "toolexec: %s: %s\n", path,
				n < 0 ? strerror(errno)
				      : "larger than the script limit (4 MiB)");
			tx_buf_release(&b);
			if (fd)
				close(fd);
			return NULL;
		}
	}
	if (fd)
		close(fd);
	return tx_buf_detach(&b, len);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* a closed pipe: the run goes on */
		p += w;
		n -= (size_t)w;
	}
}

/* Copies what is new in a stream; true at its end. */
static bool copy_part(struct tx_run *run, enum tx_run_part part, int fd,
		      uint64_t *off)
{
	char buf[65536];
	bool eof = false;
	size_t n;

	while ((n = tx_run_read(run, part, *off, buf, sizeof(buf), &eof)) > 0) {
		write_all(fd, buf, n);
		*off += n;
	}
	return eof;
}

/* The exit status that stands for the run's result. */
static int exit_status(const char *result, size_t len)
{
	struct json_object *o, *v;
	int code = 1, sig = 0;
	char err[256];

	o = tx_json_parse(result, len, 16, err, sizeof(err));
	if (!o)
		return 1;
	if (json_object_object_get_ex(o, "cancelled", &v) &&
	    json_object_get_boolean(v))
		code = EXIT_CANCELLED;
	else if (json_object_object_get_ex(o, "timed_out", &v) &&
		 json_object_get_boolean(v))
		code = EXIT_TIMEOUT;
	else {
		if (json_object_object_get_ex(o, "signal", &v))
			sig = json_object_get_int(v);
		if (json_object_object_get_ex(o, "exit_code", &v))
			code = json_object_get_int(v);
		if (sig)
			code = 128 + sig;
		else if (code < 0 || code > 255)
			code = EXIT_NOT_RUN;
	}
	json_object_put(o);
	return code;
}

static int follow(struct tx_run *run, volatile sig_atomic_t *interrupted)
{
	struct waker w = { .woken = false };
	uint64_t off_out = 0, off_err = 0;
	int cancels = 0;
	bool done = false;

	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	while (!done) {
		uint64_t ids[3];
		struct timespec ts;
		bool eof_out, eof_err;

		eof_out = copy_part(run, TX_RUN_STDOUT, 1, &off_out);
		eof_err = copy_part(run, TX_RUN_STDERR, 2, &off_err);
		done = eof_out && eof_err;
		if (done)
			break;
		/* A first Ctrl-C stops the script gently, a second at once. */
		if (*interrupted > cancels && cancels < 2) {
			tx_run_cancel(run, cancels == 1);
			cancels++;
		}
		w.woken = false;
		ids[0] = tx_run_listen(run, TX_RUN_STDOUT, off_out, wake, &w);
		ids[1] = tx_run_listen(run, TX_RUN_STDERR, off_err, wake, &w);
		ids[2] =
			tx_run_listen(run, TX_RUN_RESULT, UINT64_MAX, wake, &w);
		pthread_mutex_lock(&w.lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		/* A listener that was not registered (0) found news already. */
		if (ids[0] && ids[1] && ids[2] && !w.woken)
			pthread_cond_timedwait(&w.cond, &w.lock, &ts);
		pthread_mutex_unlock(&w.lock);
		for (int i = 0; i < 3; i++)
			tx_run_unlisten(run, ids[i]);
	}
	pthread_mutex_destroy(&w.lock);
	pthread_cond_destroy(&w.cond);
	return 0;
}

int tx_cli_code(struct tx_engine *e, int argc, char **argv,
		volatile sig_atomic_t *interrupted)
{
	const char *profile = "standard", *result_path = NULL, *path, *name;
	struct tx_caller who = { .uid = getuid(),
				 .pid = getpid(),
				 .sid = getsid(0) };
	struct tx_run *run;
	const char *result;
	bool json = false;
	char err[1024], *script;
	size_t len, rlen;
	int i, rc;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if ((!strcmp(argv[i], "-p") ||
			    !strcmp(argv[i], "--profile")) &&
			   i + 1 < argc) {
			profile = argv[++i];
		} else if (!strncmp(argv[i], "--profile=", 10)) {
			profile = argv[i] + 10;
		} else if (!strcmp(argv[i], "--result") && i + 1 < argc) {
			result_path = argv[++i];
		} else if (!strncmp(argv[i], "--result=", 9)) {
			result_path = argv[i] + 9;
		} else {
			usage();
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage();
		return EXIT_USAGE;
	}
	path = argv[i++];
	name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (!strcmp(path, "-"))
		name = "stdin";
	script = read_script(path, &len);
	if (!script)
		return EXIT_NOT_RUN;
	run = tx_engine_code_start(e, profile, name, script, len,
				   (const char *const *)argv + i,
				   (size_t)(argc - i), &who, NULL, err,
				   sizeof(err));
	free(script);
	if (!run) {
		fprintf(stderr, "toolexec: %s\n", err);
		return EXIT_NOT_RUN;
	}
	follow(run, interrupted);
	result = tx_run_result_text(run, &rlen);
	rc = result ? exit_status(result, rlen) : 1;
	if (result && result_path) {
		FILE *f = fopen(result_path, "we");

		if (!f || fwrite(result, 1, rlen, f) != rlen) {
			fprintf(stderr, "toolexec: %s: %s\n", result_path,
				strerror(errno));
			rc = rc ? rc : 1;
		}
		if (f)
			fclose(f);
	} else if (result) {
		write_all(json ? 1 : 2, result, rlen);
	}
	tx_run_unref(run);
	return rc;
}
