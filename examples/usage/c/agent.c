/*
 * An agent's walk through a mounted workspace: read the README, search
 * for a tool, read its doc, call tools, then hand a script to the sandbox
 * that calls tools from inside and leaves a report in /work, read back
 * from code/standard/NAME.work/.
 *
 *   cc -o agent agent.c && ./agent [MOUNT]
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT "the quick brown fox jumps over the lazy dog"

static const char *mnt;

/* Reads all of MOUNT/rel into buf (NUL-terminated); -1 after saying why. */
static int slurp(const char *rel, char *buf, size_t size)
{
	char path[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", mnt, rel);
	f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

/* The first line of MOUNT/rel, printed. */
static int first_line(const char *rel)
{
	char buf[65536];

	if (slurp(rel, buf, sizeof(buf)))
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	puts(buf);
	return 0;
}

/* One call on one descriptor: fopen("r+"), write, fflush, fseek back,
 * read the answer into buf. */
static int call(const char *tool_dir, const char *args, char *buf, size_t size)
{
	char path[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/call", mnt, tool_dir);
	f = fopen(path, "r+");
	if (!f) {
		perror(path);
		return -1;
	}
	fputs(args, f);
	if (fflush(f) || fseek(f, 0, SEEK_SET)) {
		perror(path);
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

/* What runs in the sandbox: /search, /tools, a private /work. */
static const char script[] =
	"TEXT='" TEXT "'\n"
	"hit=$(ls '/search/sha256 digest of a text' | head -n 1)\n"
	"dir=/tools/$(echo \"${hit#*-}\" | tr : /)\n"
	"echo \"{\\\"text\\\": \\\"$TEXT\\\"}\" > \"$dir/call\"\n"
	"digest=$(cut -d' ' -f1 \"$dir/result\")\n"
	"echo \"{\\\"text\\\": \\\"$TEXT\\\"}\" > /tools/local/word_count/call\n"
	"words=$(awk '{ print $2 }' /tools/local/word_count/result)\n"
	"{ echo '# Report'; echo \"text: $TEXT\"; echo \"tool: ${hit#*-}\"\n"
	"  echo \"sha256: $digest\"; echo \"words: $words\"; } > /work/report.md\n"
	"echo 'report written'\n";

int main(int argc, char **argv)
{
	char best[256] = "", dir[512], buf[65536], path[4096];
	int lines, words, chars, exit_code = -1, calls = 0;
	struct dirent *e;
	const char *p;
	DIR *d;
	FILE *f;

	mnt = argc > 1 ? argv[1] : "mnt";
	if (first_line("README")) /* what is this place? */
		return 1;
	/* search/QUERY/ lists the hits by rank: 01-NS:NAME first. */
	snprintf(path, sizeof(path), "%s/search/count words", mnt);
	d = opendir(path);
	if (!d) {
		perror(path);
		return 1;
	}
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "01-", 3))
			snprintf(best, sizeof(best), "%s", e->d_name);
	closedir(d);
	if (!best[0])
		return 1;
	printf("best hit: %s\n", best + 3);
	snprintf(dir, sizeof(dir), "search/count words/%s", best);
	snprintf(path, sizeof(path), "%s/doc", dir);
	if (first_line(path)) /* what it does */
		return 1;
	if (call(dir, "{\"text\": \"" TEXT "\"}", buf, sizeof(buf)) ||
	    sscanf(buf, "%d %d %d", &lines, &words, &chars) != 3)
		return 1;
	printf("counted: %d lines, %d words, %d characters\n", lines, words,
	       chars);
	if (call("tools/local/sort_lines",
		 "{\"text\": \"the\\nquick\\nbrown\\nfox\\njumps\\nover\\nthe"
		 "\\nlazy\\ndog\"}",
		 buf, sizeof(buf)))
		return 1;
	for (char *c = buf; *c; c++)
		if (*c == '\n')
			*c = c[1] ? ' ' : '\0';
	printf("sorted: %s\n", buf);

	/* Writing the script there and closing it starts the run. */
	snprintf(path, sizeof(path), "%s/code/standard/report-c.sh", mnt);
	f = fopen(path, "w");
	if (!f || fputs(script, f) == EOF || fclose(f)) {
		perror(path);
		return 1;
	}
	/* Reading the result waits for the end of the run. */
	if (slurp("code/standard/report-c.sh.result", buf, sizeof(buf)))
		return 1;
	p = strstr(buf, "\"exit_code\":");
	if (p)
		sscanf(p, "\"exit_code\": %d", &exit_code);
	for (p = buf; (p = strstr(p, "\"tool\":")); p++)
		calls++;
	if (slurp("code/standard/report-c.sh.out", buf, sizeof(buf)))
		return 1;
	fputs(buf, stdout);
	printf("run: exit_code %d, %d tool calls\n", exit_code, calls);
	if (slurp("code/standard/report-c.sh.work/report.md", buf, sizeof(buf)))
		return 1;
	fputs(buf, stdout);
	return exit_code == 0 ? 0 : 1;
}
