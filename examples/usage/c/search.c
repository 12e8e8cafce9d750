/*
 * Search for a tool and call the best hit: search/QUERY/ lists the hits
 * as links named 01-NS:NAME, 02-..., each leading to the tool's
 * directory.
 *
 *   cc -o search search.c && ./search [MOUNT] [QUERY]
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *mnt = argc > 1 ? argv[1] : "mnt";
	const char *query = argc > 2 ? argv[2] : "encode text as base64";
	char dir[4096], path[8192], best[256] = "", buf[65536];
	struct dirent *d;
	size_t n;
	DIR *dp;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/search/%s", mnt, query);
	dp = opendir(dir);
	if (!dp) {
		perror(dir);
		return 1;
	}
	while ((d = readdir(dp)))
		if (!strncmp(d->d_name, "01-", 3))
			snprintf(best, sizeof(best), "%s", d->d_name);
	closedir(dp);
	if (!best[0]) {
		fprintf(stderr, "no tool matches \"%s\"\n", query);
		return 1;
	}
	printf("best hit: %s\n", best + 3);
	snprintf(path, sizeof(path), "%s/%s/call", dir, best);
	f = fopen(path, "w");
	if (!f || fputs("{\"text\": \"found by search\"}", f) < 0 ||
	    fclose(f)) {
		perror(path);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s/result", dir, best);
	f = fopen(path, "r");
	if (!f) {
		perror(path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	fwrite(buf, 1, n, stdout);
	return 0;
}
