/*
 * lang.c - which interpreter runs a script: the shebang first, else the
 * file name's extension.
 *
 * The interpreter is named, not resolved: the helper looks it up inside
 * the sandbox's own read-only /usr, so the host's PATH (a pyenv shim
 * under /root, say) never decides what runs inside.
 */
#include "sandbox/sandbox.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct known {
	const char *base; /* interpreter basename, or extension */
	const char *language;
	const char *interp; /* what to run for the extension */
};

/* Basenames of interpreters a shebang may name, and their language. */
static const struct known interps[] = {
	{ "sh", "shell", NULL },          { "bash", "shell", NULL },
	{ "dash", "shell", NULL },        { "python3", "python", NULL },
	{ "python", "python", NULL },     { "node", "javascript", NULL },
	{ "nodejs", "javascript", NULL }, { "perl", "perl", NULL },
};

static const struct known exts[] = {
	{ "sh", "shell", "/bin/sh" },    { "bash", "shell", "bash" },
	{ "py", "python", "python3" },   { "js", "javascript", "node" },
	{ "mjs", "javascript", "node" }, { "cjs", "javascript", "node" },
	{ "pl", "perl", "perl" },
};

static const char *language_of(const char *interp)
{
	const char *b = strrchr(interp, '/');
	size_t n;

	b = b ? b + 1 : interp;
	for (size_t i = 0; i < sizeof(interps) / sizeof(interps[0]); i++)
		if (!strcmp(b, interps[i].base))
			return interps[i].language;
	/* python3.11 and the like */
	n = strlen("python3.");
	if (!strncmp(b, "python3.", n) && b[n] >= '0' && b[n] <= '9')
		return "python";
	return "other";
}

static int copy_word(char *dst, const char *s, size_t n, char *err,
		     size_t errlen)
{
	if (n > TX_SANDBOX_INTERP_MAX) {
		snprintf(err, errlen, "the shebang line is too long");
		return -ENOEXEC;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/*
 * "#!INTERP [ARG]" as the kernel reads it: one optional argument, the
 * rest of the line.  "#!/usr/bin/env NAME" becomes NAME (looked up
 * inside); env's own options (-S and friends) are not supported.
 */
static int parse_shebang(const char *head, size_t len,
			 struct tx_sandbox_lang *out, char *err, size_t errlen)
{
	const char *p = head + 2, *end, *w;
	const char *nl = memchr(head, '\n', len);
	int rc;

	end = nl ? nl : head + len;
	if (end > p && end[-1] == '\r')
		end--;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	w = p;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	if (p == w) {
		snprintf(err, errlen, "the shebang line names no interpreter");
		return -ENOEXEC;
	}
	if (*w != '/') {
		snprintf(err, errlen,
			 "the shebang's interpreter must be an absolute path");
		return -ENOEXEC;
	}
	rc = copy_word(out->interp, w, (size_t)(p - w), err, errlen);
	if (rc < 0)
		return rc;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	rc = copy_word(out->arg, p, (size_t)(end - p), err, errlen);
	if (rc < 0)
		return rc;
	if (!strcmp(out->interp, "/usr/bin/env") ||
	    !strcmp(out->interp, "/bin/env")) {
		if (!out->arg[0] || strchr(out->arg, ' ') ||
		    strchr(out->arg, '\t') || out->arg[0] == '-' ||
		    strchr(out->arg, '=')) {
			snprintf(err, errlen,
				 "\"#!%s %s\": env takes one program name here",
				 out->interp, out->arg);
			return -ENOEXEC;
		}
		memmove(out->interp, out->arg, strlen(out->arg) + 1);
		out->arg[0] = '\0';
	}
	out->language = language_of(out->interp);
	return 0;
}

int tx_sandbox_detect_language(const char *name, const char *head, size_t len,
			       struct tx_sandbox_lang *out, char *err,
			       size_t errlen)
{
	const char *dot;

	memset(out, 0, sizeof(*out));
	if (head && len >= 2 && head[0] == '#' && head[1] == '!')
		return parse_shebang(head, len, out, err, errlen);
	dot = name ? strrchr(name, '.') : NULL;
	if (dot && dot != name) {
		for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
			if (!strcmp(dot + 1, exts[i].base)) {
				out->language = exts[i].language;
				snprintf(out->interp, sizeof(out->interp), "%s",
					 exts[i].interp);
				return 0;
			}
	}
	snprintf(err, errlen,
		 "cannot tell the language of \"%s\": no \"#!\" line and "
		 "not one of .sh, .bash, .py, .js, .mjs, .cjs, .pl",
		 name ? name : "");
	return -ENOEXEC;
}
