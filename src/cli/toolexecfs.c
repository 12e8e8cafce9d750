/*
 * toolexecfs - mount tools as files.
 *
 *   toolexecfs [-c CONFIG_DIR] [-f] [-d] [-o OPTS] MOUNTPOINT
 *
 * Without -c the embedded default (built-in tools and the shipped
 * examples) is mounted.  fusermount3 -u MOUNTPOINT, SIGINT or SIGTERM
 * unmount cleanly and end every child process.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/fs.h"
#include "toolexecfs/toolexec.h"

#define OPTS_MAX 4096

static void usage(FILE *out)
{
	fprintf(out,
		"usage: toolexecfs [-c CONFIG_DIR] [-f] [-d] [-o OPTS] MOUNTPOINT\n"
		"       toolexecfs CONFIG_DIR|toolexecfs MOUNTPOINT [-o OPTS]\n"
		"                  (the form mount -t fuse.toolexecfs and\n"
		"                  /etc/fstab use)\n"
		"\n"
		"Mounts tools as files: every tool is a directory with its\n"
		"documentation, schema and a call file (see MOUNTPOINT/README).\n"
		"\n"
		"  -c, --config DIR  tool configuration directory (watched for\n"
		"                    changes); default: the embedded default\n"
		"  -f, --foreground  stay in the foreground\n"
		"  -d, --debug       print every FUSE request (implies -f)\n"
		"  -o OPTS           mount options, comma-separated: FUSE options\n"
		"                    (allow_other, ...) and our own:\n"
		"                    wait_max=SECONDS  the longest a read waits\n"
		"                        for a call before EAGAIN (default 300)\n"
		"                    job_keep_seconds=N  how long finished jobs\n"
		"                        stay in jobs/ (default 600)\n"
		"                    job_keep_max=N  how many finished jobs stay\n"
		"                        (default 1000)\n"
		"                    job_new_seconds=N  how long a cloned job\n"
		"                        nobody started waits before it expires\n"
		"                        (default 600)\n"
		"                    audit_log=PATH  append one JSON line per\n"
		"                        finished call to PATH (off by default;\n"
		"                        not inside the mount)\n"
		"                    audit_log_max=BYTES  rotate PATH to PATH.1\n"
		"                        when the next line would pass BYTES\n"
		"                        (default 16777216, at least 4096)\n"
		"                    stack  mount even where a toolexecfs mount\n"
		"                        already is (refused otherwise)\n"
		"  -h, --help        this text\n"
		"  -V, --version     print the version\n"
		"\n"
		"Unmount with: fusermount3 -u MOUNTPOINT (or Ctrl-C with -f).\n");
}

/* Appends one option to a comma-separated list; -1 when it would not fit. */
static int opt_append(char *list, size_t cap, const char *opt, size_t len)
{
	size_t used = strlen(list);

	if (used + (used ? 1 : 0) + len + 1 > cap)
		return -1;
	if (used)
		list[used++] = ',';
	memcpy(list + used, opt, len);
	list[used + len] = '\0';
	return 0;
}

/* Our own -o options: NAME=N with 1 <= N <= max, or, with str set,
 * NAME=TEXT (at most PATH_MAX - 1 bytes, copied into str), or, with max
 * 0 and no str, the bare flag NAME (sets *out to 1). */
struct own_opt {
	const char *name;
	unsigned long max;
	unsigned *out;
	char *str;
};

/* Takes our own options (wait_max=, job_keep_seconds=, job_keep_max=,
 * job_new_seconds=, audit_log=, ...) out of a -o list; the rest is
 * passed to libfuse. */
static int parse_o(const char *arg, char *fuse_opts, const struct own_opt *own)
{
	const char *p = arg;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const struct own_opt *k;

		for (k = own; k->name; k++) {
			size_t n = strlen(k->name);
			char num[16];
			char *stop;
			unsigned long v;

			if (!k->max && !k->str) {
				if (len != n || strncmp(p, k->name, n))
					continue;
				*k->out = 1;
				break;
			}
			if (len <= n + 1 || strncmp(p, k->name, n) ||
			    p[n] != '=')
				continue;
			if (k->str) {
				if (len - n - 1 >= PATH_MAX)
					return -1;
				memcpy(k->str, p + n + 1, len - n - 1);
				k->str[len - n - 1] = '\0';
				break;
			}
			if (len - n - 1 >= sizeof(num))
				return -1;
			memcpy(num, p + n + 1, len - n - 1);
			num[len - n - 1] = '\0';
			v = strtoul(num, &stop, 10);
			if (*stop || !v || v > k->max)
				return -1;
			*k->out = (unsigned)v;
			break;
		}
		if (!k->name && len && opt_append(fuse_opts, OPTS_MAX, p, len))
			return -1;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/*
 * Makes the audit log's path absolute (the daemon leaves the working
 * directory) and checks it now, while someone reads stderr: it must be
 * writable, and not inside the mount, where the daemon's own writes
 * would wait on the daemon.  0, or -1 after printing why.
 */
static int audit_check(char *path, size_t cap, const char *mountpoint)
{
	char abs[PATH_MAX], dir[PATH_MAX], mnt[PATH_MAX], *slash;
	int fd;

	if (path[0] != '/') {
		if (!getcwd(dir, sizeof(dir)) ||
		    (size_t)snprintf(abs, sizeof(abs), "%s/%s", dir, path) >=
			    sizeof(abs)) {
			fprintf(stderr,
				"toolexecfs: audit_log: path too long\n");
			return -1;
		}
		snprintf(path, cap, "%s", abs);
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (realpath(dir, abs) && realpath(mountpoint, mnt)) {
		size_t n = strlen(mnt);

		if (!strncmp(abs, mnt, n) &&
		    (abs[n] == '\0' || abs[n] == '/' || !strcmp(mnt, "/"))) {
			fprintf(stderr,
				"toolexecfs: audit_log %s: cannot be "
				"inside the mount\n",
				path);
			return -1;
		}
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY,
		  0600);
	if (fd < 0) {
		fprintf(stderr, "toolexecfs: audit_log %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* Undoes the octal escapes (\040 for a space, ...) of /proc/self/mountinfo. */
static void unescape_mountinfo(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/*
 * True when mountpoint is already a toolexecfs mount (type
 * fuse.toolexecfs in /proc/self/mountinfo): mounting again would stack a
 * second daemon on it and hide the first.
 */
static bool is_toolexecfs_mount(const char *mountpoint)
{
	char want[PATH_MAX], *line = NULL;
	bool found = false;
	size_t cap = 0;
	FILE *f;

	if (!realpath(mountpoint, want))
		return false;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS] - TYPE ... */
		char *save = NULL, *mp = NULL, *tok, *dash;
		int i = 0;

		dash = strstr(line, " - ");
		if (!dash)
			continue;
		*dash = '\0';
		for (tok = strtok_r(line, " ", &save); tok && i < 4;
		     tok = strtok_r(NULL, " ", &save))
			i++;
		mp = tok;
		tok = strtok_r(dash + 3, " ", &save);
		if (!mp || !tok || strcmp(tok, "fuse.toolexecfs"))
			continue;
		unescape_mountinfo(mp);
		found = !strcmp(mp, want);
	}
	free(line);
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct tx_fs_options o = { .argv0 = argv[0] };
	static char audit_path[PATH_MAX];
	unsigned audit_max = 0, stack = 0;
	const struct own_opt own[] = {
		{ "stack", 0, &stack, NULL },
		{ "wait_max", 86400, &o.wait_max, NULL },
		{ "job_keep_seconds", 30u * 86400, &o.job_keep_seconds, NULL },
		{ "job_keep_max", 1000000, &o.job_keep_max, NULL },
		{ "job_new_seconds", 30u * 86400, &o.job_new_seconds, NULL },
		{ "audit_log_max", 4294967295ul, &audit_max, NULL },
		{ "audit_log", 0, NULL, audit_path },
		{ NULL, 0, NULL, NULL },
	};
	char fuse_opts[OPTS_MAX] = "";
	int c;

	while ((c = getopt_long(argc, argv, "c:fdo:hV", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'c':
			o.config_dir = optarg;
			break;
		case 'f':
			o.foreground = true;
			break;
		case 'd':
			o.debug = true;
			break;
		case 'o':
			if (parse_o(optarg, fuse_opts, own)) {
				fprintf(stderr, "toolexecfs: bad -o %s\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("toolexecfs %s\n", TX_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	/*
	 * mount(8) and /etc/fstab, through mount.fuse3, call us as
	 * `toolexecfs SOURCE MOUNTPOINT -o OPTS`: the source is the
	 * configuration directory, or "toolexecfs" (or "none") for the
	 * embedded default.
	 */
	if (optind == argc - 2) {
		const char *src = argv[optind++];

		if (strcmp(src, "toolexecfs") && strcmp(src, "none")) {
			if (o.config_dir) {
				fprintf(stderr,
					"toolexecfs: both -c %s and the source "
					"%s name a configuration\n",
					o.config_dir, src);
				return 2;
			}
			o.config_dir = src;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	o.mountpoint = argv[optind];
	if (!stack && is_toolexecfs_mount(o.mountpoint)) {
		fprintf(stderr,
			"toolexecfs: %s is already a toolexecfs mount "
			"(fusermount3 -u %s first, or -o stack to mount "
			"another on top of it)\n",
			o.mountpoint, o.mountpoint);
		return 1;
	}
	o.fuse_opts = fuse_opts[0] ? fuse_opts : NULL;
	o.audit_log_max = audit_max;
	if (audit_path[0]) {
		if (audit_check(audit_path, sizeof(audit_path), o.mountpoint))
			return 1;
		o.audit_log = audit_path;
	}
	return tx_fs_main(&o);
}
