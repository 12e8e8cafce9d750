/*
 * watch.c - follows the configuration directory with inotify.
 *
 * Editors save in bursts (write a temporary file, rename it over the old
 * one, touch a backup), so a file's events are collected and reported
 * once, DEBOUNCE_MS after the last of them, and at the latest
 * MAX_DELAY_MS after the first, which keeps "applies within a second"
 * even for a file that is written continuously.
 *
 * Only NAME.json files count; dotfiles (".#x.json", ".x.json.swp") and
 * other names (x.json~, 4913, #x.json#) are editors' scratch files.
 */
#include "config/config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/log.h"

#define DEBOUNCE_MS  150
#define MAX_DELAY_MS 600
#define EVENT_BUF    (64 * 1024)

#define WATCH_MASK                                                  \
	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | \
	 IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR |   \
	 IN_EXCL_UNLINK)

struct pending {
	char *name;
	uint64_t first; /* first event, ms */
	uint64_t last;  /* latest event, ms */
};

struct tx_config_watch {
	char *dir; /* absolute */
	tx_config_changed_fn fn;
	void *ctx;
	int ifd;
	int stop_fd;
	pthread_t thread;
	/* Only the watch thread touches the rest.  pending grows to what
	 * one burst (or one rescan) names: at most the directory's
	 * NAME.json files and the ones that went since the last report. */
	struct pending *pending;
	size_t npending, pending_cap;
	char **known; /* *.json names seen, for rescans */
	size_t nknown, known_cap;
	bool overflow;
};

static bool is_config_name(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && name[0] != '.' && !strcmp(name + n - 5, ".json");
}

static void remember(struct tx_config_watch *w, const char *name)
{
	char **k;

	for (size_t i = 0; i < w->nknown; i++)
		if (!strcmp(w->known[i], name))
			return;
	if (w->nknown == w->known_cap) {
		size_t cap = w->known_cap ? w->known_cap * 2 : 16;

		k = realloc(w->known, cap * sizeof(*k));
		if (!k)
			return;
		w->known = k;
		w->known_cap = cap;
	}
	if ((w->known[w->nknown] = strdup(name)))
		w->nknown++;
}

static void add_pending(struct tx_config_watch *w, const char *name,
			uint64_t now)
{
	for (size_t i = 0; i < w->npending; i++) {
		if (!strcmp(w->pending[i].name, name)) {
			w->pending[i].last = now;
			return;
		}
	}
	if (w->npending == w->pending_cap) {
		size_t cap = w->pending_cap ? w->pending_cap * 2 : 64;
		struct pending *p = realloc(w->pending, cap * sizeof(*p));

		if (!p) {
			/* Look at everything at the next event instead. */
			w->overflow = true;
			return;
		}
		w->pending = p;
		w->pending_cap = cap;
	}
	w->pending[w->npending].name = strdup(name);
	if (!w->pending[w->npending].name) {
		w->overflow = true;
		return;
	}
	w->pending[w->npending].first = now;
	w->pending[w->npending].last = now;
	w->npending++;
	remember(w, name);
}

/* After a lost event queue: every file we knew and every file there is. */
static void rescan(struct tx_config_watch *w, uint64_t now)
{
	DIR *d = opendir(w->dir);
	struct dirent *de;

	w->overflow = false;
	for (size_t i = 0; i < w->nknown; i++)
		add_pending(w, w->known[i], now);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (is_config_name(de->d_name))
			add_pending(w, de->d_name, now);
	closedir(d);
}

static uint64_t due(const struct pending *p)
{
	uint64_t a = p->last + DEBOUNCE_MS, b = p->first + MAX_DELAY_MS;

	return a < b ? a : b;
}

/* Reports the files whose burst is over. */
static void fire_due(struct tx_config_watch *w, uint64_t now)
{
	size_t i = 0;

	while (i < w->npending) {
		struct pending p = w->pending[i];
		char path[PATH_MAX];

		if (due(&p) > now) {
			i++;
			continue;
		}
		w->pending[i] = w->pending[--w->npending];
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", w->dir,
				     p.name) < sizeof(path))
			w->fn(w->ctx, path);
		free(p.name);
	}
}

static bool read_events(struct tx_config_watch *w, char *buf)
{
	uint64_t now = tx_mono_ms();
	ssize_t n = read(w->ifd, buf, EVENT_BUF);

	if (n <= 0)
		return errno == EAGAIN || errno == EINTR;
	for (char *p = buf; p < buf + n;) {
		const struct inotify_event *ev = (const void *)p;

		p += sizeof(*ev) + ev->len;
		if (ev->mask & IN_Q_OVERFLOW) {
			w->overflow = true;
			continue;
		}
		if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
			tx_log(TX_LOG_WARN,
			       "config: %s was removed or moved; no longer "
			       "watching it",
			       w->dir);
			return false;
		}
		if (ev->len && is_config_name(ev->name))
			add_pending(w, ev->name, now);
		/* Kubernetes ConfigMap volumes update by swapping a "..data"
		 * symlink that every NAME.json points through. */
		else if (ev->len && !strncmp(ev->name, "..", 2) &&
			 (ev->mask & (IN_MOVED_TO | IN_CREATE)))
			w->overflow = true;
	}
	if (w->overflow)
		rescan(w, now);
	return true;
}

static void *watch_thread(void *arg)
{
	struct tx_config_watch *w = arg;
	char *buf = malloc(EVENT_BUF);
	bool watching = buf != NULL;

	for (;;) {
		struct pollfd p[2] = {
			{ w->stop_fd, POLLIN, 0 },
			{ watching ? w->ifd : -1, POLLIN, 0 },
		};
		uint64_t now = tx_mono_ms(), next = UINT64_MAX;
		int timeout = -1;

		for (size_t i = 0; i < w->npending; i++)
			if (due(&w->pending[i]) < next)
				next = due(&w->pending[i]);
		if (next != UINT64_MAX)
			timeout = next <= now ? 0 : (int)(next - now);
		if (poll(p, 2, timeout) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (watching && p[1].revents)
			watching = read_events(w, buf);
		fire_due(w, tx_mono_ms());
	}
	free(buf);
	return NULL;
}

struct tx_config_watch *tx_config_watch_new(const char *dir,
					    tx_config_changed_fn fn, void *ctx,
					    char *err, size_t errlen)
{
	struct tx_config_watch *w = calloc(1, sizeof(*w));
	sigset_t all, old;
	DIR *d;
	int rc;

	if (!w) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	w->ifd = -1;
	w->stop_fd = -1;
	w->fn = fn;
	w->ctx = ctx;
	w->dir = realpath(dir, NULL);
	if (!w->dir) {
		rc = errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(rc));
		goto out_free;
	}
	w->ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	w->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->ifd < 0 || w->stop_fd < 0) {
		rc = errno;
		snprintf(err, errlen, "inotify: %s", strerror(rc));
		goto out_free;
	}
	if (inotify_add_watch(w->ifd, w->dir, WATCH_MASK) < 0) {
		rc = errno;
		snprintf(err, errlen, "%s: cannot watch: %s", w->dir,
			 strerror(rc));
		goto out_free;
	}
	d = opendir(w->dir);
	if (d) {
		struct dirent *de;

		while ((de = readdir(d)))
			if (is_config_name(de->d_name))
				remember(w, de->d_name);
		closedir(d);
	}
	/* The watch thread takes none of the engine's signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, watch_thread, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		snprintf(err, errlen, "cannot start the watch thread: %s",
			 strerror(rc));
		goto out_free;
	}
	return w;

out_free:
	if (w->ifd >= 0)
		close(w->ifd);
	if (w->stop_fd >= 0)
		close(w->stop_fd);
	for (size_t i = 0; i < w->nknown; i++)
		free(w->known[i]);
	free(w->known);
	free(w->dir);
	free(w);
	errno = rc;
	return NULL;
}

void tx_config_watch_free(struct tx_config_watch *w)
{
	uint64_t one = 1;

	if (!w)
		return;
	if (write(w->stop_fd, &one, sizeof(one)) < 0) {
		/* Cannot fail on a fresh eventfd; the counter is ours. */
	}
	pthread_join(w->thread, NULL);
	close(w->ifd);
	close(w->stop_fd);
	for (size_t i = 0; i < w->npending; i++)
		free(w->pending[i].name);
	free(w->pending);
	for (size_t i = 0; i < w->nknown; i++)
		free(w->known[i]);
	free(w->known);
	free(w->dir);
	free(w);
}
