/*
 * fs.h - the FUSE adapter's entry point, used by the toolexecfs command.
 */
#ifndef TX_FS_H
#define TX_FS_H

#include <stdbool.h>

struct tx_fs_options {
	const char *mountpoint;
	const char *config_dir; /* NULL: the embedded default */
	const char *fuse_opts;  /* comma-separated -o options, or NULL */
	const char *argv0;
	bool foreground;   /* -f: stay in the foreground */
	bool debug;        /* -d: libfuse's request trace, implies -f */
	unsigned wait_max; /* seconds a read may stay deferred; 0: default */
	unsigned job_keep_seconds; /* finished jobs kept; 0: default */
	unsigned job_keep_max;     /* finished jobs kept; 0: default */
	unsigned job_new_seconds;  /* unstarted jobs expire; 0: default */
	const char *audit_log;     /* absolute path, or NULL: none */
	size_t audit_log_max;      /* bytes per file; 0: default */
};

/*
 * Mounts, serves until unmounted or SIGINT/SIGTERM, unmounts, frees the
 * engine (which ends every child process).  Returns the process exit
 * status; errors before the mount are printed on stderr.
 */
int tx_fs_main(const struct tx_fs_options *opts);

#endif
