/*
 * Call a tool from C with stdio: fopen("r+"), write the arguments,
 * fflush, fseek back (the C standard asks for it between output and
 * input), read the answer.
 *
 *   cc -o call call.c && ./call [MOUNT]
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	const char *mnt = argc > 1 ? argv[1] : "mnt";
	char path[4096], buf[65536];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tools/builtin/base64/call", mnt);
	f = fopen(path, "r+");
	if (!f) {
		perror(path);
		return 1;
	}
	fputs("{\"text\": \"hello from C\"}", f);
	if (fflush(f) || fseek(f, 0, SEEK_SET)) {
		perror("call"); /* bad arguments fail here: see error */
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	if (ferror(f)) {
		perror("read"); /* the call failed: errno says how */
		return 1;
	}
	fclose(f);
	fwrite(buf, 1, n, stdout);
	return 0;
}
