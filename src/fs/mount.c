/*
 * mount.c - mount, serve, unmount.
 *
 * Order matters.  The engine starts threads (config watcher, MCP
 * servers) and threads do not survive fork(), so it is built after
 * fuse_daemonize(); everything that can fail in a way the user must see
 * (bad mount point, unreadable configuration) is checked before, while
 * stderr is still the terminal.  On the way out, deferred readers are
 * answered first, then the engine is freed (it cancels every job and
 * ends every child process), and only then is the session destroyed.
 */
#include "fs/fs_i.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Kernels since 6.15 may abort a connection whose request waits longer
 * than fs.fuse.*_request_timeout: keep every deferred read well below. */
static unsigned kernel_wait_bound(void)
{
	static const char *files[] = {
		"/proc/sys/fs/fuse/default_request_timeout",
		"/proc/sys/fs/fuse/max_request_timeout",
	};
	unsigned bound = 0;

	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "re");
		unsigned v = 0;

		if (!f)
			continue;
		if (fscanf(f, "%u", &v) == 1 && v && (!bound || v < bound))
			bound = v;
		fclose(f);
	}
	if (!bound)
		return 0;
	return bound > 10 ? bound - 5 : (bound > 1 ? bound - 1 : 1);
}

int fs_start(struct fs *fs)
{
	int rc;

	pthread_mutex_init(&fs->handles_lock, NULL);
	pthread_mutex_init(&fs->index_lock, NULL);
	rc = fs_nodes_init(fs);
	if (!rc)
		rc = fs_sessions_init(fs);
	if (!rc)
		rc = fs_search_init(fs);
	if (!rc)
		rc = fs_notify_start(fs);
	if (!rc)
		rc = fs_waits_start(fs);
	if (!rc)
		rc = tx_engine_watch_tools(fs->engine, fs_tools_changed, fs);
	if (!rc)
		rc = tx_engine_watch_resources(fs->engine, fs_resource_updated,
					       fs);
	if (!rc)
		rc = fs_code_start(fs);
	return rc;
}

void fs_stop(struct fs *fs)
{
	fs_code_stop(fs);
	fs_waits_stop(fs);
	fs_notify_stop(fs);
}

void fs_release(struct fs *fs)
{
	fs_handles_free_all(fs);
	fs_search_release(fs);
	fs_sessions_release(fs);
	fs_nodes_release(fs);
	pthread_mutex_destroy(&fs->handles_lock);
	fs_blob_unref(fs->index_blob);
	fs->index_blob = NULL;
	pthread_mutex_destroy(&fs->index_lock);
	free(fs->mountpoint);
	fs->mountpoint = NULL;
}

/* Whether the comma-separated options opts hold the option name. */
static bool has_option(const char *opts, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = opts; p && *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && !strncmp(p, name, n))
			return true;
		p += len;
		if (*p)
			p++;
	}
	return false;
}

int tx_fs_main(const struct tx_fs_options *o)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct tx_engine_options eo = { 0 };
	struct fuse_loop_config *cfg = NULL;
	struct fuse_session *se = NULL;
	char config_abs[PATH_MAX], mount_abs[PATH_MAX], start_dir[PATH_MAX];
	char err[512] = "";
	struct fs fs;
	unsigned kbound;
	int ret = 1, rc;
	DIR *d;

	memset(&fs, 0, sizeof(fs));
	/*
	 * One malloc arena: calls run on short-lived threads, and with an
	 * arena per thread (glibc's default, up to 8 per core) each arena
	 * keeps its own high-water mark; the daemon's RSS crept up for the
	 * whole ten minutes of bench/soak.sh (+14 %; +3 % with one).  So
	 * the configuration is read on one thread too: loaders sharing the
	 * arena wait on its lock (50 000 tools were ready in 3.4 to 4.2 s
	 * with two, 2.2 to 2.8 s with one), and an arena of their own
	 * would serve the call threads afterwards (glibc never lets one
	 * go: with it, the soak's RSS grew 22 % in ten minutes).
	 */
	mallopt(M_ARENA_MAX, 1);
	eo.load_threads = 1;

	eo.job_keep_seconds = o->job_keep_seconds;
	eo.job_keep_max = o->job_keep_max;
	eo.job_new_seconds = o->job_new_seconds;
	eo.audit_log = o->audit_log;
	eo.audit_log_max = o->audit_log_max;
	if (o->config_dir) {
		/* Checked now: after daemonizing nobody would see why. */
		d = opendir(o->config_dir);
		if (!d || !realpath(o->config_dir, config_abs)) {
			fprintf(stderr, "toolexecfs: %s: %s\n", o->config_dir,
				strerror(errno));
			if (d)
				closedir(d);
			return 1;
		}
		closedir(d);
		eo.config_dir = config_abs;
		eo.watch = true;
	}
	eo.log_stderr = o->foreground || o->debug;
	/* Ready before indexed: a search waits for the rest. */
	eo.index_behind = true;
	fs.wait_max = o->wait_max ? o->wait_max : FS_WAIT_MAX_DEFAULT;
	kbound = kernel_wait_bound();
	if (kbound && kbound < fs.wait_max)
		fs.wait_max = kbound;

	/* Named in /proc/mounts, findmnt and df as toolexecfs (type
	 * fuse.toolexecfs), whoever started us; -o may say otherwise. */
	if (fuse_opt_add_arg(&args, o->argv0 ? o->argv0 : "toolexecfs") ||
	    fuse_opt_add_arg(&args, "-o") ||
	    fuse_opt_add_arg(&args, "subtype=toolexecfs,fsname=toolexecfs") ||
	    (o->fuse_opts && *o->fuse_opts &&
	     (fuse_opt_add_arg(&args, "-o") ||
	      fuse_opt_add_arg(&args, o->fuse_opts))) ||
	    (o->debug && fuse_opt_add_arg(&args, "-d"))) {
		fprintf(stderr, "toolexecfs: out of memory\n");
		goto out_args;
	}
	/*
	 * Code runs reach the mount from their own user namespaces, as uids
	 * of their own, and the kernel lets no one but the mount's owner in
	 * without allow_other.  As root we set it ourselves, and ops.c
	 * refuses every uid but root and ours everywhere but the way to a
	 * run's view (fs.gated), so other users get what they got without
	 * it: nothing.  (A user who asks for allow_other gets its meaning.)
	 */
	if (geteuid() == 0 && !has_option(o->fuse_opts, "allow_other")) {
		if (fuse_opt_add_arg(&args, "-o") ||
		    fuse_opt_add_arg(&args, "allow_other")) {
			fprintf(stderr, "toolexecfs: out of memory\n");
			goto out_args;
		}
		fs.gated = true;
	}
	if (realpath(o->mountpoint, mount_abs)) {
		fs.mountpoint = strdup(mount_abs);
	} else {
		fprintf(stderr, "toolexecfs: %s: %s\n", o->mountpoint,
			strerror(errno));
		goto out_args;
	}
	if (!fs.mountpoint) {
		fprintf(stderr, "toolexecfs: out of memory\n");
		goto out_args;
	}
	se = fuse_session_new(&args, &fs_ops, sizeof(fs_ops), &fs);
	if (!se)
		goto out_args; /* libfuse printed why */
	fs.se = se;
	/*
	 * libfuse installs its handlers only over the default disposition,
	 * and a shell starts background jobs with SIGINT ignored: reset it,
	 * so SIGINT unmounts cleanly however we were started (scripts, tests,
	 * `make run`).
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (fuse_set_signal_handlers(se) != 0)
		goto out_destroy;
	if (fuse_session_mount(se, o->mountpoint) != 0)
		goto out_signals;
	if (!getcwd(start_dir, sizeof(start_dir)))
		start_dir[0] = '\0';
	if (fuse_daemonize(o->foreground || o->debug) != 0)
		goto out_unmount;
	/*
	 * fuse_daemonize() moves to "/"; back to where we were started, so
	 * an exec tool without "cwd" takes relative paths from there, as
	 * toolexec does from its own directory: one rule for both faces.
	 */
	if (start_dir[0] && chdir(start_dir) < 0)
		fprintf(stderr, "toolexecfs: cannot go back to %s: %s\n",
			start_dir, strerror(errno));

	fs.engine = tx_engine_new(&eo, err, sizeof(err));
	if (!fs.engine) {
		fprintf(stderr, "toolexecfs: %s\n",
			err[0] ? err : strerror(errno));
		goto out_unmount;
	}
	rc = fs_start(&fs);
	if (rc) {
		fprintf(stderr, "toolexecfs: cannot start: %s\n",
			strerror(-rc));
		goto out_engine;
	}
	cfg = fuse_loop_cfg_create();
	if (!cfg)
		goto out_engine;
	/* Deferred replies hold no thread, so a few threads go far.  Idle
	 * workers are never ended (libfuse's default, and its advice):
	 * creating a thread per request cost more than the rest of a call
	 * (see FUSE_USE_VERSION in fs_i.h). */
	fuse_loop_cfg_set_max_threads(cfg, 64);
	/* A signal ends the loop with its number: a clean unmount too. */
	ret = fuse_session_loop_mt(se, cfg) < 0 ? 1 : 0;
	fuse_loop_cfg_destroy(cfg);
out_engine:
	fs_stop(&fs);
	tx_engine_free(fs.engine);
	fs_release(&fs);
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_destroy:
	fuse_session_destroy(se);
out_args:
	fuse_opt_free_args(&args);
	free(fs.mountpoint);
	return ret;
}
