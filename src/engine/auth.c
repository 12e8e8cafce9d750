/*
 * auth.c - the engine's face of the sign-in states of remote servers,
 * for the mount's .ctl/auth and the toolexec command.  The states live
 * with the servers' backends; the engine asks the kinds that sign in
 * (engine/backend.h, struct tx_auth_ops), by server name, and includes
 * no backend's header.
 */
#include "toolexecfs/toolexec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/backend.h"

/* The sign-in of server ns: the first kind that knows it, or NULL. */
static const struct tx_auth_ops *auth_of(const char *ns)
{
	for (const struct tx_backend_kind *const *k = tx_backend_kinds(); *k;
	     k++)
		if ((*k)->auth && (*k)->auth->status(ns))
			return (*k)->auth;
	return NULL;
}

/* Appends the NULL-terminated vector add (taken) to *v of *n names. */
static int names_add(char ***v, size_t *n, char **add)
{
	size_t m = 0;
	char **nv;

	while (add[m])
		m++;
	nv = realloc(*v, (*n + m + 1) * sizeof(*nv));
	if (!nv) {
		for (size_t i = 0; i < m; i++)
			free(add[i]);
		free(add);
		return -ENOMEM;
	}
	memcpy(nv + *n, add, m * sizeof(*nv));
	*n += m;
	nv[*n] = NULL;
	*v = nv;
	free(add);
	return 0;
}

size_t tx_engine_auth_names(struct tx_engine *engine, char ***names)
{
	size_t n = 0;

	(void)engine;
	*names = NULL;
	for (const struct tx_backend_kind *const *k = tx_backend_kinds(); *k;
	     k++) {
		char **add;

		if (!(*k)->auth || !(add = (*k)->auth->names()))
			continue;
		if (names_add(names, &n, add))
			break; /* out of memory: the names so far */
	}
	if (!*names)
		*names = calloc(1, sizeof(**names)); /* none: an empty vector */
	return n;
}

const char *tx_engine_auth_status(struct tx_engine *engine, const char *ns)
{
	const struct tx_auth_ops *a = auth_of(ns);

	(void)engine;
	return a ? a->status(ns) : NULL;
}

/* The sign-in of ns, or NULL with the reason in err. */
static const struct tx_auth_ops *find(const char *ns, char *err, size_t errlen)
{
	const struct tx_auth_ops *a = auth_of(ns);

	if (!a)
		snprintf(err, errlen, "no remote MCP server named \"%s\"", ns);
	return a;
}

int tx_engine_auth_login(struct tx_engine *engine, const char *ns, char **url,
			 char *err, size_t errlen)
{
	const struct tx_auth_ops *a = find(ns, err, errlen);

	(void)engine;
	*url = NULL;
	return a ? a->login(ns, url, err, errlen) : -ENOENT;
}

int tx_engine_auth_code(struct tx_engine *engine, const char *ns,
			const char *text, char *err, size_t errlen)
{
	const struct tx_auth_ops *a = find(ns, err, errlen);

	(void)engine;
	return a ? a->code(ns, text, err, errlen) : -ENOENT;
}

int tx_engine_auth_token(struct tx_engine *engine, const char *ns,
			 const char *token, char *err, size_t errlen)
{
	const struct tx_auth_ops *a = find(ns, err, errlen);

	(void)engine;
	return a ? a->token(ns, token, err, errlen) : -ENOENT;
}

void tx_engine_auth_hint(struct tx_engine *engine, const char *ns, char *buf,
			 size_t len)
{
	const struct tx_auth_ops *a = auth_of(ns);

	(void)engine;
	if (len)
		buf[0] = '\0';
	if (a)
		a->hint(ns, buf, len);
}

void tx_engine_auth_error(struct tx_engine *engine, const char *ns, char *buf,
			  size_t len)
{
	const struct tx_auth_ops *a = auth_of(ns);

	(void)engine;
	if (len)
		buf[0] = '\0';
	if (a)
		a->error(ns, buf, len);
}
