#!/bin/bash
# C's habits on a transaction file: stdio fopen("r+") with the positioning
# call the C standard requires between output and input, pread at 0,
# read(2) from the descriptor's offset.  Each prints the answer; the test
# checks it exactly.
. "$(dirname "$0")/lib.sh"
mount_default
cat > "$TMP/idioms.c" <<'C'
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char out[65536];

int main(int argc, char **argv)
{
	const char *call = argv[1], *how = argv[2], *args = argv[3];
	size_t n = 0;
	ssize_t r;
	FILE *f;
	int fd;

	if (argc != 4)
		return 2;
	if (!strcmp(how, "stdio")) {
		if (!(f = fopen(call, "r+")) || fputs(args, f) < 0 ||
		    fflush(f) || fseek(f, 0, SEEK_SET))
			return perror(how), 1;
		n = fread(out, 1, sizeof(out) - 1, f);
		if (ferror(f) || fclose(f))
			return perror(how), 1;
	} else {
		if ((fd = open(call, O_RDWR)) < 0 ||
		    write(fd, args, strlen(args)) != (ssize_t)strlen(args))
			return perror(how), 1;
		while ((r = !strcmp(how, "pread") ?
				    pread(fd, out + n, 100, (off_t)n) :
				    read(fd, out + n, 100)) > 0)
			n += (size_t)r;
		if (r < 0 || close(fd))
			return perror(how), 1;
	}
	fwrite(out, 1, n, stdout);
	return 0;
}
C
gcc -std=c11 -Wall -Werror -o "$TMP/idioms" "$TMP/idioms.c" || fail "compile"
for how in stdio pread read; do
	want="{\"lang\":\"c\",\"how\":\"$how\",\"pad\":\"$(printf '%0300d' 0)\"}"
	"$TMP/idioms" "$MNT/tools/builtin/echo/call" $how "$want" > "$TMP/out" ||
		fail "$how: $(cat "$TMP/out")"
	python3 - "$TMP/out" "$want" <<'PY' || fail "$how: got [$(cat "$TMP/out")]"
import json, sys
sys.exit(json.load(open(sys.argv[1])) != json.loads(sys.argv[2]))
PY
done
unmount_fs
