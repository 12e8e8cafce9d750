/*
 * Drop a script into code/standard/: it runs once in a sandbox, where the
 * mount's tools are at /tools.  Read what it printed and its result.
 *
 *   cc -o code code.c && ./code [MOUNT]
 */
#include <stdio.h>
#include <string.h>

static const char script[] =
	"echo \"hello from the sandbox\"\n"
	"exec 3<>/tools/builtin/base64/call    # a transaction, from inside\n"
	"printf '{\"text\": \"code in a sandbox\"}' >&3\n"
	"cat <&3\n";

/* Reads all of path into buf (NUL-terminated): its length, or -1. */
static long slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (long)n;
}

int main(int argc, char **argv)
{
	const char *mnt = argc > 1 ? argv[1] : "mnt";
	char path[4096], result[65536], out[65536];
	const char *p;
	int exit_code = -1, calls = 0;
	FILE *f;

	/* Writing a file there and closing it runs it. */
	snprintf(path, sizeof(path), "%s/code/standard/hello-c.sh", mnt);
	f = fopen(path, "w");
	if (!f || fputs(script, f) == EOF || fclose(f)) {
		perror(path);
		return 1;
	}
	/* Reading the result waits for the end of the run. */
	snprintf(path, sizeof(path), "%s/code/standard/hello-c.sh.result", mnt);
	if (slurp(path, result, sizeof(result)) < 0)
		return 1;
	snprintf(path, sizeof(path), "%s/code/standard/hello-c.sh.out", mnt);
	if (slurp(path, out, sizeof(out)) < 0)
		return 1;
	fputs(out, stdout);
	p = strstr(result, "\"exit_code\":");
	if (p)
		sscanf(p, "\"exit_code\": %d", &exit_code);
	for (p = result; (p = strstr(p, "\"tool\":")); p++)
		calls++;
	printf("exit_code: %d\ntool calls: %d\n", exit_code, calls);
	return exit_code == 0 ? 0 : 1;
}
