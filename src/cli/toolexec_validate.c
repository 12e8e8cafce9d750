/*
 * toolexec_validate.c - `toolexec validate`: check a JSON document
 * against a JSON Schema with the engine's validator.
 *
 *   toolexec validate [--assert-format] [--max-errors N] SCHEMA.json
 *                     [INSTANCE.json | -]
 *
 * Without an instance only the schema is compiled.  Exit 0 when valid,
 * 1 when not (one error per line on stderr), 2 when the schema is
 * unusable, a file cannot be read or parsed, or the usage is wrong.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/jsonu.h"
#include "schema/schema.h"

#define MAX_DOC_BYTES (64u << 20)
#define MAX_DOC_DEPTH 1000
#define ERR_BYTES     16384

static void usage(void)
{
	fprintf(stderr, "usage: toolexec validate [--assert-format] "
			"[--max-errors N] SCHEMA.json [INSTANCE.json | -]\n");
}

/* Reads all of stdin, at most max bytes.  malloc'd, NULL on error. */
static char *read_stdin(size_t max, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap), *nb;
	ssize_t r;

	while (buf) {
		if (n == cap) {
			if (cap >= max) {
				errno = EFBIG;
				break;
			}
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		r = read(STDIN_FILENO, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == 0) {
			*len = n;
			return buf;
		}
		n += (size_t)r;
	}
	free(buf);
	return NULL;
}

/* Parses a file (or stdin for "-").  *ok is false on failure, with the
 * reason printed; a `null` document is a valid NULL. */
static struct json_object *load(const char *path, bool *ok)
{
	char err[512] = "";
	struct json_object *o;
	size_t len = 0;
	char *buf;

	*ok = true;
	if (strcmp(path, "-") == 0) {
		buf = read_stdin(MAX_DOC_BYTES, &len);
		if (!buf) {
			fprintf(stderr, "toolexec validate: stdin: %s\n",
				strerror(errno));
			*ok = false;
			return NULL;
		}
		o = tx_json_parse(buf, len, MAX_DOC_DEPTH, err, sizeof(err));
		free(buf);
	} else {
		o = tx_json_parse_file(path, MAX_DOC_BYTES, MAX_DOC_DEPTH, err,
				       sizeof(err));
	}
	if (!o && err[0]) {
		fprintf(stderr, "toolexec validate: %s: %s\n", path, err);
		*ok = false;
	}
	return o;
}

int tx_cli_validate(int argc, char **argv)
{
	struct tx_schema_options opts = { .assert_format = false,
					  .max_errors = 20 };
	struct json_object *schema = NULL, *inst = NULL;
	struct tx_schema *s = NULL;
	const char *files[2] = { NULL, NULL };
	char *err = NULL;
	int i, nfiles = 0, rc = 2;
	bool ok;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--assert-format")) {
			opts.assert_format = true;
		} else if (!strcmp(argv[i], "--max-errors") && i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);

			if (*end || n < 1 || n > 10000) {
				usage();
				return 2;
			}
			opts.max_errors = (unsigned)n;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			usage();
			return 2;
		} else if (nfiles < 2) {
			files[nfiles++] = argv[i];
		} else {
			usage();
			return 2;
		}
	}
	for (; i < argc; i++) {
		if (nfiles == 2) {
			usage();
			return 2;
		}
		files[nfiles++] = argv[i];
	}
	if (nfiles < 1) {
		usage();
		return 2;
	}
	err = malloc(ERR_BYTES);
	if (!err)
		return 2;

	schema = load(files[0], &ok);
	if (!ok)
		goto out;
	s = tx_schema_compile(schema, &opts, err, ERR_BYTES);
	if (!s) {
		fprintf(stderr, "toolexec validate: %s: unusable schema: %s\n",
			files[0], err);
		goto out;
	}
	if (nfiles == 1) {
		rc = 0;
		goto out;
	}
	inst = load(files[1], &ok);
	if (!ok)
		goto out;
	if (tx_schema_validate(s, inst, err, ERR_BYTES) == 0) {
		rc = 0;
	} else {
		fprintf(stderr, "%s\n", err);
		rc = 1;
	}
out:
	tx_schema_free(s);
	json_object_put(schema);
	json_object_put(inst);
	free(err);
	return rc;
}
