/*
 * config_expand.c - what a server entry of "mcpServers" takes from
 * outside its file, so that a secret need not sit in it: ${VAR} from
 * the daemon's environment, expanded once when the file is loaded, and
 * the headers of "headersFile", checked then and read again by each
 * new HTTP session (mcp_http.c).
 */
#include "config/config_i.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXPAND_MAX         (64u * 1024) /* one value after ${VAR} */
#define VAR_NAME_MAX       255
#define HEADERS_FILE_MAX   (64u * 1024)
#define HEADERS_FILE_LINES 256

/* ---- ${VAR} expansion ------------------------------------------------ */

/*
 * Expands ${VAR} and ${VAR:-default} (default when VAR is unset or
 * empty, as in the shell) from the daemon's environment, so a token
 * need not sit in the file.  A '$' not followed by '{' stays as it is.
 * 0 with *out NULL when in holds no "${" (nothing to do), or a malloc'd
 * expansion; -EINVAL naming the variable (never its value), -ENOMEM.
 */
static int expand_text(struct tx_cfg *c, const char *in, char **out)
{
	size_t cap = strlen(in) + 64, len = 0;
	char *o;
	const char *p = in;

	*out = NULL;
	if (!strstr(in, "${"))
		return 0;
	if (!(o = malloc(cap)))
		return -ENOMEM;
	while (*p) {
		const char *name, *e, *val = NULL, *def = NULL;
		char var[VAR_NAME_MAX + 1];
		size_t nlen, vlen, dlen = 0;

		if (p[0] != '$' || p[1] != '{') {
			val = p++;
			vlen = 1;
			goto append;
		}
		name = p + 2;
		for (e = name; isalnum((unsigned char)*e) || *e == '_'; e++)
			;
		nlen = (size_t)(e - name);
		if (!nlen || isdigit((unsigned char)name[0]) ||
		    nlen > VAR_NAME_MAX ||
		    (*e != '}' && (e[0] != ':' || e[1] != '-'))) {
			free(o);
			return tx_cfg_error(c,
					    "\"${\" must start ${NAME} or "
					    "${NAME:-default} (NAME: letters, "
					    "digits and '_')");
		}
		if (*e == ':') {
			const char *close = strchr(e + 2, '}');

			if (!close) {
				free(o);
				return tx_cfg_error(c,
						    "${%.*s:- has no closing "
						    "'}'",
						    (int)nlen, name);
			}
			def = e + 2;
			dlen = (size_t)(close - def);
			e = close;
		}
		memcpy(var, name, nlen);
		var[nlen] = '\0';
		val = getenv(var);
		if (def && (!val || !*val)) {
			val = def;
			vlen = dlen;
		} else if (!val) {
			free(o);
			return tx_cfg_error(c,
					    "environment variable %s is not "
					    "set (write ${%s:-DEFAULT} to give "
					    "a default)",
					    var, var);
		} else {
			vlen = strlen(val);
		}
		p = e + 1;
	append:
		if (len + vlen + 1 > EXPAND_MAX) {
			free(o);
			return tx_cfg_error(c,
					    "longer than %u bytes once "
					    "${...} is expanded",
					    EXPAND_MAX);
		}
		if (len + vlen + 1 > cap) {
			char *n;

			cap = (len + vlen + 1) * 2;
			if (!(n = realloc(o, cap))) {
				free(o);
				return -ENOMEM;
			}
			o = n;
		}
		memcpy(o + len, val, vlen);
		len += vlen;
	}
	o[len] = '\0';
	if (memchr(o, '\0', len)) { /* cannot happen: getenv has none */
		free(o);
		return -EINVAL;
	}
	*out = o;
	return 0;
}

/* Expands *s in place (path: the current one). */
static int expand_str(struct tx_cfg *c, char **s)
{
	char *x;
	int rc;

	if (!*s)
		return 0;
	rc = expand_text(c, *s, &x);
	if (!rc && x) {
		free(*s);
		*s = x;
	}
	return rc;
}

/* Expands the value part of each "KEY<sep>VALUE" of a pairs vector,
 * the path naming key and KEY. */
static int expand_pairs(struct tx_cfg *c, const char *key, const char *sep,
			char **v)
{
	size_t mark = tx_cfg_push_key(c, key);
	size_t seplen = strlen(sep);
	int rc = 0;

	for (size_t i = 0; !rc && v && v[i]; i++) {
		char *at = strstr(v[i], sep), *x = NULL, *k;
		size_t m;

		if (!at)
			continue;
		if (!(k = strndup(v[i], (size_t)(at - v[i])))) {
			rc = -ENOMEM;
			break;
		}
		m = tx_cfg_push_key(c, k);
		rc = expand_text(c, at + seplen, &x);
		tx_cfg_pop(c, m);
		if (!rc && x) {
			char *n = NULL;

			if (asprintf(&n, "%s%s%s", k, sep, x) < 0)
				rc = -ENOMEM;
			else {
				free(v[i]);
				v[i] = n;
			}
		}
		free(x);
		free(k);
	}
	tx_cfg_pop(c, mark);
	return rc;
}

int tx_cfg_expand_server(struct tx_cfg *c, struct tx_mcp_spec *s)
{
	size_t mark;
	int rc = 0;

	if (s->url) {
		char *x = NULL;

		mark = tx_cfg_push_key(c, "url");
		rc = expand_text(c, s->url, &x);
		tx_cfg_pop(c, mark);
		if (rc)
			return rc;
		if (x) {
			/* Messages show the url as written. */
			s->url_shown = s->url;
			s->url = x;
		}
	}
	mark = tx_cfg_push_key(c, "command");
	rc = expand_str(c, &s->command);
	tx_cfg_pop(c, mark);
	mark = tx_cfg_push_key(c, "args");
	for (size_t i = 0; !rc && s->args && s->args[i]; i++) {
		size_t m = tx_cfg_push_index(c, i);

		rc = expand_str(c, &s->args[i]);
		tx_cfg_pop(c, m);
	}
	tx_cfg_pop(c, mark);
	if (!rc)
		rc = expand_pairs(c, "env", "=", s->env);
	if (!rc)
		rc = expand_pairs(c, "headers", ": ", s->headers);
	if (!rc && s->headers_file) {
		mark = tx_cfg_push_key(c, "headersFile");
		rc = expand_str(c, &s->headers_file);
		tx_cfg_pop(c, mark);
	}
	return rc;
}

/* ---- headersFile ---------------------------------------------------- */

int tx_mcp_read_headers_file(const char *path, char ***out, char *err,
			     size_t errlen)
{
	char buf[HEADERS_FILE_MAX + 1];
	char **v = NULL;
	size_t n = 0, len = 0, line = 0;
	struct stat st;
	ssize_t r;
	int fd, rc = 0;
	char *p, *next;

	*out = NULL;
	if (path[0] != '/') {
		snprintf(err, errlen, "headersFile must be an absolute path");
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "headersFile %s: %s", path,
			 strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "headersFile %s: not a regular file",
			 path);
		rc = -EINVAL;
		goto out_close;
	}
	/* It holds secrets: nobody else may read or change it. */
	if ((st.st_mode & 077) || st.st_uid != geteuid()) {
		snprintf(err, errlen,
			 "headersFile %s: mode %04o, owner %u: must be ours "
			 "and not readable or writable by others (chmod 600)",
			 path, (unsigned)(st.st_mode & 07777),
			 (unsigned)st.st_uid);
		rc = -EPERM;
		goto out_close;
	}
	while ((r = read(fd, buf + len, sizeof(buf) - len)) > 0) {
		len += (size_t)r;
		if (len == sizeof(buf))
			break;
	}
	if (r < 0 || len > HEADERS_FILE_MAX) {
		snprintf(err, errlen, "headersFile %s: %s", path,
			 r < 0 ? strerror(errno) : "over 64 KiB");
		rc = r < 0 ? -EIO : -EFBIG;
		goto out_close;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len)) {
		snprintf(err, errlen, "headersFile %s: holds a NUL byte", path);
		rc = -EINVAL;
		goto out_close;
	}
	v = calloc(HEADERS_FILE_LINES + 1, sizeof(*v));
	if (!v) {
		rc = -ENOMEM;
		goto out_close;
	}
	/* "Name: value" lines, as curl -H @file reads; blank lines and
	 * lines starting with '#' are skipped. */
	for (p = buf; p && *p; p = next) {
		char *colon, *val, *end;

		line++;
		next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		end = p + strlen(p);
		while (end > p &&
		       (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*p || *p == '#')
			continue;
		colon = strchr(p, ':');
		if (colon)
			*colon = '\0';
		if (!colon || !tx_cfg_header_name_ok(p) ||
		    strchr(colon + 1, '\r')) {
			snprintf(err, errlen,
				 "headersFile %s: line %zu: expected "
				 "\"Name: value\"",
				 path, line);
			rc = -EINVAL;
			goto out_close;
		}
		if (n == HEADERS_FILE_LINES) {
			snprintf(err, errlen,
				 "headersFile %s: more than %d headers", path,
				 HEADERS_FILE_LINES);
			rc = -EINVAL;
			goto out_close;
		}
		for (val = colon + 1; *val == ' ' || *val == '\t'; val++)
			;
		if (asprintf(&v[n], "%s: %s", p, val) < 0) {
			v[n] = NULL;
			rc = -ENOMEM;
			goto out_close;
		}
		n++;
	}
	*out = v;
	v = NULL;
out_close:
	tx_cfg_strv_free(v);
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

int tx_cfg_check_headers_file(struct tx_cfg *c, const char *path)
{
	char err[600];
	char **v = NULL;
	int rc = tx_mcp_read_headers_file(path, &v, err, sizeof(err));

	tx_cfg_strv_free(v);
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		size_t mark = tx_cfg_push_key(c, "headersFile");

		rc = tx_cfg_error(c, "%s", err);
		tx_cfg_pop(c, mark);
	}
	return rc;
}
