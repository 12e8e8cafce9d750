/*
 * Chain two tools, shell style: write the steps to chain/call and close
 * it (the call starts), then read chain/result.
 *
 *   cc -o chain chain.c && ./chain [MOUNT]
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	const char *mnt = argc > 1 ? argv[1] : "mnt";
	char path[4096], buf[65536];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/chain/call", mnt);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	fputs("[{\"tool\": \"builtin:echo\", \"args\": {\"size\": 42}},"
	      " {\"tool\": \"builtin:json_get\", \"args\": {\"pointer\": \"/size\"},"
	      "  \"previous_to\": \"/json\"}]",
	      f);
	if (fclose(f)) { /* bad steps are refused here */
		perror(path);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/chain/result", mnt);
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
