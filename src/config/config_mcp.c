/*
 * config_mcp.c - "mcpServers": the shape common MCP clients use, so an
 * existing client configuration can be dropped into the directory, plus
 * the MCP spec copy/compare helpers.
 *
 *   "mcpServers": {
 *     "NAME": { "command": "...", "args": [...], "env": {...}, "cwd": "...",
 *               "inherit_env": false },
 *     "NAME": { "url": "https://...", "headers": {...} }
 *   }
 *
 * Keys that other clients put there and that mean nothing here are
 * accepted and ignored (ignored_keys below), so that such files load;
 * "disabled": true leaves the server out.
 */
#include "config/config_i.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MCP_TIMEOUT_DEFAULT 60000u
#define MCP_STARTUP_DEFAULT 30000u
#define MCP_TIMEOUT_MAX     (24u * 3600 * 1000)
#define MCP_STARTUP_MAX     (10u * 60 * 1000)
#define MCP_CONCURRENCY_MAX 1024u
#define MCP_ARGS_MAX        4096
#define MCP_SERVERS_MAX     1000

static const char *const server_keys[] = {
	"command",
	"args",
	"env",
	"cwd",
	"url",
	"headers",
	"timeout_ms",
	"startup_timeout_ms",
	"max_concurrency",
	"lazy",
	"type",
	"disabled",
	"serverUrl",
	"httpUrl",
	"comment",
	"inherit_env",
	NULL,
};

/* Used by other clients (Claude, Cursor, Cline, Roo, Gemini, VS Code):
 * tool approval lists, descriptions, and their own timeout units. */
static const char *const ignored_keys[] = {
	"autoApprove",
	"alwaysAllow",
	"disabledTools",
	"description",
	"transportType",
	"timeout",
	"trust",
	"includeTools",
	"excludeTools",
	"name",
	NULL,
};

void tx_mcp_spec_release(struct tx_mcp_spec *s)
{
	free(s->name);
	free(s->command);
	tx_cfg_strv_free(s->args);
	tx_cfg_strv_free(s->env);
	free(s->cwd);
	free(s->url);
	free(s->url_shown);
	tx_cfg_strv_free(s->headers);
	memset(s, 0, sizeof(*s));
}

void tx_mcp_spec_free(struct tx_mcp_spec *spec)
{
	if (!spec)
		return;
	tx_mcp_spec_release(spec);
	free(spec);
}

static int dup_str(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

static int dup_strv(char ***dst, char *const *src)
{
	*dst = tx_cfg_strv_dup(src);
	return (src && !*dst) ? -ENOMEM : 0;
}

struct tx_mcp_spec *tx_mcp_spec_dup(const struct tx_mcp_spec *spec)
{
	struct tx_mcp_spec *d = calloc(1, sizeof(*d));

	if (!d)
		goto out_nomem;
	d->timeout_ms = spec->timeout_ms;
	d->startup_timeout_ms = spec->startup_timeout_ms;
	d->max_concurrency = spec->max_concurrency;
	d->lazy = spec->lazy;
	d->inherit_env = spec->inherit_env;
	if (dup_str(&d->name, spec->name) ||
	    dup_str(&d->command, spec->command) ||
	    dup_strv(&d->args, spec->args) || dup_strv(&d->env, spec->env) ||
	    dup_str(&d->cwd, spec->cwd) || dup_str(&d->url, spec->url) ||
	    dup_str(&d->url_shown, spec->url_shown) ||
	    dup_strv(&d->headers, spec->headers))
		goto out_nomem;
	return d;
out_nomem:
	tx_mcp_spec_free(d);
	errno = ENOMEM;
	return NULL;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

bool tx_mcp_spec_equal(const struct tx_mcp_spec *a, const struct tx_mcp_spec *b)
{
	if (!a || !b)
		return a == b;
	return str_eq(a->name, b->name) && str_eq(a->command, b->command) &&
	       tx_cfg_strv_equal(a->args, b->args) &&
	       tx_cfg_strv_equal(a->env, b->env) &&
	       a->inherit_env == b->inherit_env && str_eq(a->cwd, b->cwd) &&
	       str_eq(a->url, b->url) &&
	       tx_cfg_strv_equal(a->headers, b->headers) &&
	       a->timeout_ms == b->timeout_ms &&
	       a->startup_timeout_ms == b->startup_timeout_ms &&
	       a->max_concurrency == b->max_concurrency && a->lazy == b->lazy;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                              */

/* RFC 9110 token characters. */
static bool header_name_ok(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) &&
		    !strchr("!#$%&'*+-.^_`|~", *k))
			return false;
	return true;
}

static int check_url(struct tx_cfg *c, const char *url)
{
	size_t mark = tx_cfg_push_key(c, "url");
	int rc = 0;

	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		rc = tx_cfg_error(c, "must start with http:// or https://");
	for (const unsigned char *p = (const unsigned char *)url; !rc && *p;
	     p++)
		if (*p <= 0x20 || *p == 0x7f)
			rc = tx_cfg_error(c, "must not contain spaces or "
					     "control characters");
	tx_cfg_pop(c, mark);
	return rc;
}

static int check_header_values(struct tx_cfg *c, char **headers)
{
	for (size_t i = 0; headers && headers[i]; i++) {
		/* CR or LF in a value would start a header of its own. */
		if (!strpbrk(headers[i], "\r\n"))
			continue;
		tx_cfg_push_key(c, "headers");
		return tx_cfg_error(c, "header values must not contain line "
				       "breaks");
	}
	return 0;
}

static int parse_url_key(struct tx_cfg *c, struct json_object *o,
			 struct tx_mcp_spec *s)
{
	static const char *const url_keys[] = { "url", "serverUrl", "httpUrl" };
	const char *found = NULL;
	int rc;

	for (size_t i = 0; i < 3; i++) {
		if (!json_object_object_get_ex(o, url_keys[i], NULL))
			continue;
		if (found) {
			tx_cfg_push_key(c, url_keys[i]);
			return tx_cfg_error(c,
					    "give one of \"%s\" and \"%s\", "
					    "not both",
					    found, url_keys[i]);
		}
		found = url_keys[i];
		rc = tx_cfg_get_string(c, o, found, true, true, &s->url);
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_type(struct tx_cfg *c, struct json_object *o,
		      const struct tx_mcp_spec *s)
{
	char *type = NULL;
	int rc = tx_cfg_get_string(c, o, "type", false, false, &type);
	bool stdio;

	if (rc || !type)
		return rc;
	tx_cfg_push_key(c, "type");
	if (!strcmp(type, "stdio")) {
		stdio = true;
	} else if (!strcmp(type, "http") || !strcmp(type, "streamable-http") ||
		   !strcmp(type, "streamableHttp")) {
		stdio = false;
	} else if (!strcmp(type, "sse")) {
		/* Taking it for Streamable HTTP would fail later, and
		 * obscurely: the legacy transport answers POSTs on its GET
		 * stream. */
		free(type);
		return tx_cfg_error(c, "\"sse\" is the deprecated HTTP+SSE "
				       "transport (MCP 2024-11-05), which "
				       "toolexecfs does not speak; give the "
				       "server's Streamable HTTP endpoint "
				       "(often /mcp) with \"type\": \"http\"");
	} else {
		free(type);
		return tx_cfg_error(c, "must be \"stdio\", \"http\", "
				       "\"streamable-http\" or \"sse\"");
	}
	free(type);
	if (stdio && !s->command)
		return tx_cfg_error(c, "\"stdio\" needs \"command\"");
	if (!stdio && !s->url)
		return tx_cfg_error(c, "an HTTP server needs \"url\"");
	return 0;
}

static int parse_server(struct tx_cfg *c, const char *name,
			struct json_object *o, struct tx_mcp_spec *s,
			bool *disabled)
{
	unsigned long long u;
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return tx_cfg_error(
			c, "expected an object (one server), got %s",
			o ? json_type_to_name(json_object_get_type(o))
			  : "null");
	if ((rc = tx_cfg_check_keys(c, o, server_keys, ignored_keys)))
		return rc;
	if (!*name)
		return tx_cfg_error(c, "a server needs a non-empty name");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == ':')
			return tx_cfg_error(c, "a server name is its tools' "
					       "namespace: no ':' or control "
					       "characters");
	if (!(s->name = strdup(name)))
		return -ENOMEM;
	s->timeout_ms = MCP_TIMEOUT_DEFAULT;
	s->startup_timeout_ms = MCP_STARTUP_DEFAULT;

	if ((rc = tx_cfg_get_bool(c, o, "disabled", disabled)) ||
	    (rc = tx_cfg_get_string(c, o, "command", false, true,
				    &s->command)) ||
	    (rc = tx_cfg_get_strv(c, o, "args", false, MCP_ARGS_MAX, &s->args,
				  NULL)) ||
	    (rc = tx_cfg_get_pairs(c, o, "env", "=", NULL, &s->env)) ||
	    (rc = tx_cfg_get_bool(c, o, "inherit_env", &s->inherit_env)) ||
	    (rc = tx_cfg_get_string(c, o, "cwd", false, true, &s->cwd)) ||
	    (rc = parse_url_key(c, o, s)) ||
	    (rc = tx_cfg_get_pairs(c, o, "headers", ": ", header_name_ok,
				   &s->headers)) ||
	    (rc = check_header_values(c, s->headers)))
		return rc;
	if (s->command && s->url)
		return tx_cfg_error(c, "give either \"command\" (a local "
				       "server) or \"url\" (a remote one), "
				       "not both");
	if (!s->command && !s->url)
		return tx_cfg_error(c, "missing required key \"command\" (a "
				       "local server) or \"url\" (a remote "
				       "one)");
	if (s->url && (rc = check_url(c, s->url)))
		return rc;
	if (s->url && (s->args || s->env || s->cwd))
		return tx_cfg_error(c, "\"args\", \"env\" and \"cwd\" apply "
				       "to local servers (\"command\") only");
	if (s->url && s->inherit_env)
		return tx_cfg_error(c, "\"inherit_env\" applies to local "
				       "servers (\"command\") only");
	if (s->command && s->headers)
		return tx_cfg_error(c, "\"headers\" apply to remote servers "
				       "(\"url\") only");
	if ((rc = parse_type(c, o, s)))
		return rc;

	u = s->timeout_ms;
	if ((rc = tx_cfg_get_uint(c, o, "timeout_ms", 1, MCP_TIMEOUT_MAX, &u)))
		return rc;
	s->timeout_ms = (unsigned)u;
	u = s->startup_timeout_ms;
	if ((rc = tx_cfg_get_uint(c, o, "startup_timeout_ms", 1,
				  MCP_STARTUP_MAX, &u)))
		return rc;
	s->startup_timeout_ms = (unsigned)u;
	u = s->max_concurrency;
	if ((rc = tx_cfg_get_uint(c, o, "max_concurrency", 0,
				  MCP_CONCURRENCY_MAX, &u)))
		return rc;
	s->max_concurrency = (unsigned)u;
	return tx_cfg_get_bool(c, o, "lazy", &s->lazy);
}

int tx_cfg_parse_servers(struct tx_cfg *c, struct json_object *servers,
			 struct tx_config_file *cf)
{
	size_t mark = tx_cfg_push_key(c, "mcpServers");
	size_t n;
	int rc = 0;

	if (!json_object_is_type(servers, json_type_object)) {
		rc = tx_cfg_error(
			c,
			"expected an object mapping server names "
			"to servers, got %s",
			servers ? json_type_to_name(
					  json_object_get_type(servers))
				: "null");
		goto out;
	}
	n = (size_t)json_object_object_length(servers);
	if (n > MCP_SERVERS_MAX) {
		rc = tx_cfg_error(c, "too many servers (%zu; at most %d)", n,
				  MCP_SERVERS_MAX);
		goto out;
	}
	cf->servers = calloc(n ? n : 1, sizeof(*cf->servers));
	if (!cf->servers) {
		rc = -ENOMEM;
		goto out;
	}
	json_object_object_foreach(servers, name, o)
	{
		size_t m = tx_cfg_push_key(c, name);
		bool disabled = false;

		cf->nservers++;
		rc = parse_server(c, name, o, &cf->servers[cf->nservers - 1],
				  &disabled);
		tx_cfg_pop(c, m);
		if (rc)
			goto out;
		if (disabled)
			tx_mcp_spec_release(&cf->servers[--cf->nservers]);
	}
out:
	tx_cfg_pop(c, mark);
	return rc;
}
