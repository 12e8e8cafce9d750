/*
 * auth.c - the engine's face of the sign-in states of remote MCP
 * servers (backend/mcp_auth.h), for the mount's .ctl/auth and the
 * toolexec command.  The states live with the servers' backends, found
 * by server name.
 */
#include "toolexecfs/toolexec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "backend/mcp_auth.h"

size_t tx_engine_auth_names(struct tx_engine *engine, char ***names)
{
	size_t n = 0;

	(void)engine;
	*names = tx_mcp_auth_names();
	while (*names && (*names)[n])
		n++;
	return n;
}

const char *tx_engine_auth_status(struct tx_engine *engine, const char *ns)
{
	struct tx_mcp_auth *a = tx_mcp_auth_find(ns);
	const char *s;

	(void)engine;
	if (!a)
		return NULL;
	s = tx_mcp_auth_status(a);
	tx_mcp_auth_put(a);
	return s;
}

static struct tx_mcp_auth *find(const char *ns, char *err, size_t errlen)
{
	struct tx_mcp_auth *a = tx_mcp_auth_find(ns);

	if (!a)
		snprintf(err, errlen, "no remote MCP server named \"%s\"", ns);
	return a;
}

int tx_engine_auth_login(struct tx_engine *engine, const char *ns, char **url,
			 char *err, size_t errlen)
{
	struct tx_mcp_auth *a = find(ns, err, errlen);
	int rc;

	(void)engine;
	*url = NULL;
	if (!a)
		return -ENOENT;
	rc = tx_mcp_auth_login(a, url, err, errlen);
	tx_mcp_auth_put(a);
	return rc;
}

int tx_engine_auth_code(struct tx_engine *engine, const char *ns,
			const char *text, char *err, size_t errlen)
{
	struct tx_mcp_auth *a = find(ns, err, errlen);
	int rc;

	(void)engine;
	if (!a)
		return -ENOENT;
	rc = tx_mcp_auth_code(a, text, err, errlen);
	tx_mcp_auth_put(a);
	return rc;
}

int tx_engine_auth_token(struct tx_engine *engine, const char *ns,
			 const char *token, char *err, size_t errlen)
{
	struct tx_mcp_auth *a = find(ns, err, errlen);
	int rc;

	(void)engine;
	if (!a)
		return -ENOENT;
	rc = tx_mcp_auth_set_token(a, token, err, errlen);
	tx_mcp_auth_put(a);
	return rc;
}

void tx_engine_auth_hint(struct tx_engine *engine, const char *ns, char *buf,
			 size_t len)
{
	struct tx_mcp_auth *a = tx_mcp_auth_find(ns);

	(void)engine;
	if (len)
		buf[0] = '\0';
	if (a) {
		tx_mcp_auth_hint(a, buf, len);
		tx_mcp_auth_put(a);
	}
}

void tx_engine_auth_error(struct tx_engine *engine, const char *ns, char *buf,
			  size_t len)
{
	struct tx_mcp_auth *a = tx_mcp_auth_find(ns);

	(void)engine;
	if (len)
		buf[0] = '\0';
	if (a) {
		tx_mcp_auth_error(a, buf, len);
		tx_mcp_auth_put(a);
	}
}
