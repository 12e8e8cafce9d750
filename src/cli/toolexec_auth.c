/*
 * toolexec_auth.c - toolexec login, auth and token: the mount's
 * .ctl/auth/NS/{login,code,status,token} as commands, for machines
 * without a mount and for scripts.  The sign-in state is shared with the
 * mount through the state directory.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "toolexecfs/toolexec.h"

#define LINE_MAX_AUTH 16384

/* One line of stdin (the address or the token), without its newline;
 * malloc'd or NULL. */
static char *read_line(void)
{
	char *line = malloc(LINE_MAX_AUTH);
	size_t n;

	if (!line)
		return NULL;
	if (!fgets(line, LINE_MAX_AUTH, stdin)) {
		free(line);
		return NULL;
	}
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	return line;
}

static int done(int rc, const char *err)
{
	if (rc) {
		fprintf(stderr, "toolexec: %s\n", err);
		return 1;
	}
	return 0;
}

int tx_cli_auth(struct tx_engine *e, int argc, char **argv)
{
	const char *cmd = argv[0], *ns, *st;
	char err[1024] = "";
	char *text = NULL, *url = NULL;
	int rc;

	if (argc < 2 || argc > 3 || (!strcmp(cmd, "auth") && argc != 2)) {
		fprintf(stderr, "usage: toolexec %s NS%s\n", cmd,
			!strcmp(cmd, "login")   ? " [ADDRESS|-]"
			: !strcmp(cmd, "token") ? " [TOKEN|-]"
						: "");
		return 2;
	}
	ns = argv[1];
	st = tx_engine_auth_status(e, ns);
	if (!st) {
		fprintf(stderr, "toolexec: no remote MCP server named \"%s\"\n",
			ns);
		return 3;
	}
	if (!strcmp(cmd, "auth")) {
		printf("%s\n", st);
		return 0;
	}
	if (argc == 3)
		text = strcmp(argv[2], "-") ? strdup(argv[2]) : read_line();
	if (!strcmp(cmd, "token")) {
		if (!text && argc == 2)
			text = read_line();
		if (!text)
			return done(-EINVAL, "no token given");
		rc = tx_engine_auth_token(e, ns, text, err, sizeof(err));
		explicit_bzero(text, strlen(text));
		free(text);
		return done(rc, err);
	}
	if (!text) {
		rc = tx_engine_auth_login(e, ns, &url, err, sizeof(err));
		if (rc)
			return done(rc, err);
		printf("%s\n", url);
		fflush(stdout);
		free(url);
		if (!isatty(STDIN_FILENO))
			return 0;
		fprintf(stderr, "Open that address, sign in, then paste the "
				"address you are sent back to: ");
		if (!(text = read_line()))
			return done(-EINVAL, "nothing read");
	}
	rc = tx_engine_auth_code(e, ns, text, err, sizeof(err));
	free(text);
	if (!rc)
		printf("signed in to %s\n", ns);
	return done(rc, err);
}
