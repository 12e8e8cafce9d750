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
 * "disabled": true leaves the server out.  ${VAR} and "headersFile"
 * are config_expand.c's.
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
#define MCP_ROOTS_MAX       256
#define MCP_SERVERS_MAX     1000
#define PING_DEFAULT_MS     300000u /* HTTP: idle this long, ping */

static const char *const server_keys[] = {
	"command",
	"args",
	"env",
	"cwd",
	"url",
	"headers",
	"headersFile",
	"timeout_ms",
	"max_timeout_ms",
	"tool_timeouts",
	"startup_timeout_ms",
	"max_concurrency",
	"lazy",
	"type",
	"disabled",
	"serverUrl",
	"httpUrl",
	"comment",
	"inherit_env",
	"elicitation",
	"ping_interval_ms",
	"roots",
	"auth",
	"sampling",
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
	free(s->headers_file);
	tx_cfg_strv_free(s->roots);
	tx_cfg_strv_free(s->sampling_argv);
	free(s->auth.client_id);
	free(s->auth.client_secret);
	free(s->auth.client_metadata_url);
	free(s->auth.redirect_uri);
	free(s->auth.scope);
	free(s->auth.state_dir);
	free(s->auth.private_key_file);
	free(s->auth.idp_token_endpoint);
	free(s->auth.idp_client_id);
	free(s->auth.id_token_file);
	for (size_t i = 0; i < s->ntool_timeouts; i++)
		free(s->tool_timeouts[i].tool);
	free(s->tool_timeouts);
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
	d->max_timeout_ms = spec->max_timeout_ms;
	if (spec->ntool_timeouts) {
		d->tool_timeouts =
			calloc(spec->ntool_timeouts, sizeof(*d->tool_timeouts));
		if (!d->tool_timeouts)
			goto out_nomem;
		for (size_t i = 0; i < spec->ntool_timeouts; i++) {
			d->tool_timeouts[i] = spec->tool_timeouts[i];
			d->tool_timeouts[i].tool = NULL;
			d->ntool_timeouts++;
			if (dup_str(&d->tool_timeouts[i].tool,
				    spec->tool_timeouts[i].tool))
				goto out_nomem;
		}
	}
	d->startup_timeout_ms = spec->startup_timeout_ms;
	d->max_concurrency = spec->max_concurrency;
	d->lazy = spec->lazy;
	d->inherit_env = spec->inherit_env;
	d->elicit = spec->elicit;
	d->legacy_sse = spec->legacy_sse;
	d->ping_interval_ms = spec->ping_interval_ms;
	d->roots_inherited = spec->roots_inherited;
	d->sampling_timeout_ms = spec->sampling_timeout_ms;
	if (dup_str(&d->name, spec->name) ||
	    dup_str(&d->command, spec->command) ||
	    dup_strv(&d->args, spec->args) || dup_strv(&d->env, spec->env) ||
	    dup_str(&d->cwd, spec->cwd) || dup_str(&d->url, spec->url) ||
	    dup_str(&d->url_shown, spec->url_shown) ||
	    dup_strv(&d->headers, spec->headers) ||
	    dup_str(&d->headers_file, spec->headers_file) ||
	    dup_strv(&d->roots, spec->roots) ||
	    dup_strv(&d->sampling_argv, spec->sampling_argv) ||
	    dup_str(&d->auth.client_id, spec->auth.client_id) ||
	    dup_str(&d->auth.client_secret, spec->auth.client_secret) ||
	    dup_str(&d->auth.client_metadata_url,
		    spec->auth.client_metadata_url) ||
	    dup_str(&d->auth.redirect_uri, spec->auth.redirect_uri) ||
	    dup_str(&d->auth.scope, spec->auth.scope) ||
	    dup_str(&d->auth.state_dir, spec->auth.state_dir) ||
	    dup_str(&d->auth.private_key_file, spec->auth.private_key_file) ||
	    dup_str(&d->auth.idp_token_endpoint,
		    spec->auth.idp_token_endpoint) ||
	    dup_str(&d->auth.idp_client_id, spec->auth.idp_client_id) ||
	    dup_str(&d->auth.id_token_file, spec->auth.id_token_file))
		goto out_nomem;
	d->auth.client_credentials = spec->auth.client_credentials;
	d->auth.jwt_bearer = spec->auth.jwt_bearer;
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

static bool tool_timeouts_equal(const struct tx_mcp_spec *a,
				const struct tx_mcp_spec *b)
{
	if (a->ntool_timeouts != b->ntool_timeouts)
		return false;
	for (size_t i = 0; i < a->ntool_timeouts; i++)
		if (!str_eq(a->tool_timeouts[i].tool,
			    b->tool_timeouts[i].tool) ||
		    a->tool_timeouts[i].timeout_ms !=
			    b->tool_timeouts[i].timeout_ms ||
		    a->tool_timeouts[i].max_timeout_ms !=
			    b->tool_timeouts[i].max_timeout_ms)
			return false;
	return true;
}

void tx_mcp_spec_tool_timeouts(const struct tx_mcp_spec *spec, const char *tool,
			       unsigned *timeout_ms, unsigned *max_timeout_ms)
{
	*timeout_ms = spec->timeout_ms;
	*max_timeout_ms = spec->max_timeout_ms;
	for (size_t i = 0; tool && i < spec->ntool_timeouts; i++) {
		if (strcmp(spec->tool_timeouts[i].tool, tool))
			continue;
		if (spec->tool_timeouts[i].timeout_ms)
			*timeout_ms = spec->tool_timeouts[i].timeout_ms;
		if (spec->tool_timeouts[i].max_timeout_ms)
			*max_timeout_ms = spec->tool_timeouts[i].max_timeout_ms;
	}
	if (*max_timeout_ms < *timeout_ms)
		*max_timeout_ms = *timeout_ms;
}

bool tx_mcp_spec_equal(const struct tx_mcp_spec *a, const struct tx_mcp_spec *b)
{
	if (!a || !b)
		return a == b;
	if (a->elicit != b->elicit || a->legacy_sse != b->legacy_sse ||
	    a->ping_interval_ms != b->ping_interval_ms ||
	    a->max_timeout_ms != b->max_timeout_ms ||
	    !tool_timeouts_equal(a, b) ||
	    /* Which roots may change without a restart (the server is
	     * told, tx_mcp_backend_set_roots); whether there are any is
	     * declared at initialize. */
	    !a->roots != !b->roots ||
	    /* "sampling" is declared at initialize. */
	    !tx_cfg_strv_equal(a->sampling_argv, b->sampling_argv) ||
	    a->sampling_timeout_ms != b->sampling_timeout_ms)
		return false;
	if (!str_eq(a->auth.client_id, b->auth.client_id) ||
	    !str_eq(a->auth.client_secret, b->auth.client_secret) ||
	    !str_eq(a->auth.client_metadata_url, b->auth.client_metadata_url) ||
	    !str_eq(a->auth.redirect_uri, b->auth.redirect_uri) ||
	    !str_eq(a->auth.scope, b->auth.scope) ||
	    !str_eq(a->auth.state_dir, b->auth.state_dir) ||
	    !str_eq(a->auth.private_key_file, b->auth.private_key_file) ||
	    a->auth.client_credentials != b->auth.client_credentials ||
	    a->auth.jwt_bearer != b->auth.jwt_bearer ||
	    !str_eq(a->auth.idp_token_endpoint, b->auth.idp_token_endpoint) ||
	    !str_eq(a->auth.idp_client_id, b->auth.idp_client_id) ||
	    !str_eq(a->auth.id_token_file, b->auth.id_token_file))
		return false;
	return str_eq(a->name, b->name) && str_eq(a->command, b->command) &&
	       tx_cfg_strv_equal(a->args, b->args) &&
	       tx_cfg_strv_equal(a->env, b->env) &&
	       a->inherit_env == b->inherit_env && str_eq(a->cwd, b->cwd) &&
	       str_eq(a->url, b->url) &&
	       tx_cfg_strv_equal(a->headers, b->headers) &&
	       str_eq(a->headers_file, b->headers_file) &&
	       a->timeout_ms == b->timeout_ms &&
	       a->startup_timeout_ms == b->startup_timeout_ms &&
	       a->max_concurrency == b->max_concurrency && a->lazy == b->lazy;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                              */

/* RFC 9110 token characters. */
bool tx_cfg_header_name_ok(const char *k)
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
		      struct tx_mcp_spec *s)
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
		/* The deprecated HTTP+SSE transport: not Streamable HTTP,
		 * whose POSTs such a server refuses. */
		stdio = false;
		s->legacy_sse = true;
	} else {
		free(type);
		return tx_cfg_error(c,
				    "must be \"stdio\", \"http\", "
				    "\"streamable-http\", \"streamableHttp\" "
				    "or \"sse\"");
	}
	free(type);
	if (stdio && !s->command)
		return tx_cfg_error(c, "\"stdio\" needs \"command\"");
	if (!stdio && !s->url)
		return tx_cfg_error(c, "an HTTP server needs \"url\"");
	return 0;
}

/* "tool_timeouts": {"TOOL": {"timeout_ms": N, "max_timeout_ms": M}} */
static int parse_tool_timeouts(struct tx_cfg *c, struct json_object *o,
			       struct tx_mcp_spec *s)
{
	static const char *const keys[] = { "timeout_ms", "max_timeout_ms",
					    NULL };
	struct json_object *v;
	size_t mark, n;
	int rc = 0;

	if (!json_object_object_get_ex(o, "tool_timeouts", &v))
		return 0;
	mark = tx_cfg_push_key(c, "tool_timeouts");
	if (!json_object_is_type(v, json_type_object)) {
		rc = tx_cfg_error(c, "expected an object mapping tool names "
				     "to timeouts");
		goto out;
	}
	n = (size_t)json_object_object_length(v);
	s->tool_timeouts = calloc(n ? n : 1, sizeof(*s->tool_timeouts));
	if (!s->tool_timeouts) {
		rc = -ENOMEM;
		goto out;
	}
	json_object_object_foreach(v, tool, t)
	{
		struct tx_mcp_tool_timeout *tt =
			&s->tool_timeouts[s->ntool_timeouts];
		size_t m = tx_cfg_push_key(c, tool);
		unsigned long long u = 0;

		if (!json_object_is_type(t, json_type_object))
			rc = tx_cfg_error(c, "expected an object with "
					     "\"timeout_ms\" and/or "
					     "\"max_timeout_ms\"");
		if (!rc)
			rc = tx_cfg_check_keys(c, t, keys, NULL);
		if (!rc && !(tt->tool = strdup(tool)))
			rc = -ENOMEM;
		if (!rc)
			s->ntool_timeouts++;
		if (!rc)
			rc = tx_cfg_get_uint(c, t, "timeout_ms", 1,
					     MCP_TIMEOUT_MAX, &u);
		tt->timeout_ms = (unsigned)u;
		u = 0;
		if (!rc)
			rc = tx_cfg_get_uint(c, t, "max_timeout_ms", 1,
					     MCP_TIMEOUT_MAX, &u);
		tt->max_timeout_ms = (unsigned)u;
		tx_cfg_pop(c, m);
		if (rc)
			goto out;
	}
out:
	tx_cfg_pop(c, mark);
	return rc;
}

static int parse_elicitation(struct tx_cfg *c, struct json_object *o,
			     struct tx_mcp_spec *s)
{
	char *v = NULL;
	int rc = tx_cfg_get_string(c, o, "elicitation", false, false, &v);

	if (rc || !v)
		return rc;
	if (!strcmp(v, "defaults")) {
		s->elicit = TX_ELICIT_DEFAULTS;
	} else if (!strcmp(v, "ask")) {
		s->elicit = TX_ELICIT_ASK;
	} else if (!strcmp(v, "decline")) {
		s->elicit = TX_ELICIT_DECLINE;
	} else if (strcmp(v, "none")) {
		tx_cfg_push_key(c, "elicitation");
		rc = tx_cfg_error(c, "must be \"ask\", \"decline\", "
				     "\"defaults\" or \"none\"");
	}
	free(v);
	return rc;
}

/* "roots": absolute paths, given to the server as file:// URIs. */
static int get_roots(struct tx_cfg *c, struct json_object *o, char ***roots)
{
	int rc = tx_cfg_get_strv(c, o, "roots", false, MCP_ROOTS_MAX, roots,
				 NULL);

	for (size_t i = 0; !rc && *roots && (*roots)[i]; i++)
		if ((*roots)[i][0] != '/') {
			size_t m = tx_cfg_push_key(c, "roots");

			rc = tx_cfg_error(
				c, "[%zu]: a root is an absolute path", i);
			tx_cfg_pop(c, m);
		}
	return rc;
}

static int parse_roots(struct tx_cfg *c, struct json_object *o,
		       struct tx_mcp_spec *s)
{
	return get_roots(c, o, &s->roots);
}

int tx_cfg_parse_top_roots(struct tx_cfg *c, struct json_object *root,
			   struct tx_config_file *cf)
{
	return get_roots(c, root, &cf->roots);
}

int tx_mcp_spec_inherit_roots(struct tx_mcp_spec *s, char *const *roots)
{
	char **copy;

	if (s->roots && !s->roots_inherited)
		return 0; /* its own */
	copy = tx_cfg_strv_dup(roots);
	if (roots && !copy)
		return -ENOMEM;
	tx_cfg_strv_free(s->roots);
	s->roots = copy;
	s->roots_inherited = copy != NULL;
	return 0;
}

/* "auth": {"client_id", "client_secret", "client_metadata_url",
 * "redirect_uri", "scope", "state_dir", "grant", "private_key_file",
 * "idp_token_endpoint", "idp_client_id", "id_token_file"}, each
 * optional. */
/* "sampling": {"command": [PROGRAM, ARGS...], "timeout_ms": N}. */
static int parse_sampling(struct tx_cfg *c, struct json_object *o,
			  struct tx_mcp_spec *s)
{
	static const char *const keys[] = { "command", "timeout_ms", "comment",
					    NULL };
	struct json_object *v;
	unsigned long long t = s->timeout_ms;
	size_t mark, n = 0;
	int rc;

	if (!json_object_object_get_ex(o, "sampling", &v))
		return 0;
	mark = tx_cfg_push_key(c, "sampling");
	if (!json_object_is_type(v, json_type_object)) {
		rc = tx_cfg_error(c, "expected an object");
		goto out;
	}
	if ((rc = tx_cfg_check_keys(c, v, keys, NULL)) ||
	    (rc = tx_cfg_get_strv(c, v, "command", true, 4096,
				  &s->sampling_argv, &n)) ||
	    (rc = tx_cfg_get_uint(c, v, "timeout_ms", 1, 86400000, &t)))
		goto out;
	if (!n) {
		size_t m = tx_cfg_push_key(c, "command");

		rc = tx_cfg_error(c, "expected a program to run");
		tx_cfg_pop(c, m);
		goto out;
	}
	s->sampling_timeout_ms = (unsigned)t;
out:
	tx_cfg_pop(c, mark);
	return rc;
}

static int parse_auth(struct tx_cfg *c, struct json_object *o,
		      struct tx_mcp_spec *s)
{
	static const char *const keys[] = {
		"client_id",
		"client_secret",
		"client_metadata_url",
		"redirect_uri",
		"scope",
		"state_dir",
		"grant",
		"private_key_file",
		"idp_token_endpoint",
		"idp_client_id",
		"id_token_file",
		NULL,
	};
	struct tx_mcp_auth_spec *a = &s->auth;
	struct json_object *v;
	char *grant = NULL;
	size_t mark;
	int rc;

	if (!json_object_object_get_ex(o, "auth", &v))
		return 0;
	mark = tx_cfg_push_key(c, "auth");
	if (!s->url) {
		rc = tx_cfg_error(c, "applies to remote servers (\"url\") "
				     "only");
		goto out;
	}
	if (!json_object_is_type(v, json_type_object)) {
		rc = tx_cfg_error(c, "expected an object");
		goto out;
	}
	if ((rc = tx_cfg_check_keys(c, v, keys, NULL)) ||
	    (rc = tx_cfg_get_string(c, v, "client_id", false, true,
				    &a->client_id)) ||
	    (rc = tx_cfg_get_string(c, v, "client_secret", false, true,
				    &a->client_secret)) ||
	    (rc = tx_cfg_get_string(c, v, "client_metadata_url", false, true,
				    &a->client_metadata_url)) ||
	    (rc = tx_cfg_get_string(c, v, "redirect_uri", false, true,
				    &a->redirect_uri)) ||
	    (rc = tx_cfg_get_string(c, v, "scope", false, true, &a->scope)) ||
	    (rc = tx_cfg_get_string(c, v, "state_dir", false, true,
				    &a->state_dir)) ||
	    (rc = tx_cfg_get_string(c, v, "private_key_file", false, true,
				    &a->private_key_file)) ||
	    (rc = tx_cfg_get_string(c, v, "idp_token_endpoint", false, true,
				    &a->idp_token_endpoint)) ||
	    (rc = tx_cfg_get_string(c, v, "idp_client_id", false, true,
				    &a->idp_client_id)) ||
	    (rc = tx_cfg_get_string(c, v, "id_token_file", false, true,
				    &a->id_token_file)) ||
	    (rc = tx_cfg_get_string(c, v, "grant", false, true, &grant)))
		goto out;
	if (grant && !strcmp(grant, "client_credentials"))
		a->client_credentials = true;
	else if (grant && !strcmp(grant, "jwt_bearer"))
		a->jwt_bearer = true;
	else if (grant && strcmp(grant, "authorization_code"))
		rc = tx_cfg_error(c,
				  "\"grant\" must be \"authorization_code\", "
				  "\"client_credentials\" or \"jwt_bearer\"");
	if (rc)
		goto out;
	if (a->jwt_bearer &&
	    (!a->client_id || !a->idp_token_endpoint || !a->id_token_file))
		rc = tx_cfg_error(c,
				  "\"grant\": \"jwt_bearer\" needs "
				  "\"client_id\", \"idp_token_endpoint\" and "
				  "\"id_token_file\"");
	else if (!a->jwt_bearer && (a->idp_token_endpoint || a->id_token_file ||
				    a->idp_client_id))
		rc = tx_cfg_error(c,
				  "\"idp_token_endpoint\", \"idp_client_id\" "
				  "and \"id_token_file\" apply to \"grant\": "
				  "\"jwt_bearer\"");
	else if (a->id_token_file && a->id_token_file[0] != '/')
		rc = tx_cfg_error(c, "\"id_token_file\" must be an absolute "
				     "path");
	if (rc)
		goto out;
	if (a->client_credentials &&
	    (!a->client_id || (!a->client_secret && !a->private_key_file)))
		rc = tx_cfg_error(c, "\"grant\": \"client_credentials\" needs "
				     "\"client_id\" and \"client_secret\" or "
				     "\"private_key_file\"");
	else if (a->private_key_file && a->private_key_file[0] != '/')
		rc = tx_cfg_error(c, "\"private_key_file\" must be an absolute "
				     "path");
	else if (a->private_key_file && !a->client_credentials)
		rc = tx_cfg_error(c, "\"private_key_file\" applies to "
				     "\"grant\": \"client_credentials\"");
	else if (a->client_secret && !a->client_id)
		rc = tx_cfg_error(c, "\"client_secret\" needs \"client_id\"");
	else if (a->client_metadata_url &&
		 strncmp(a->client_metadata_url, "https://", 8))
		rc = tx_cfg_error(c, "\"client_metadata_url\" must be an "
				     "https:// URL");
	else if (a->state_dir && a->state_dir[0] != '/')
		rc = tx_cfg_error(c, "\"state_dir\" must be an absolute "
				     "path");
out:
	free(grant);
	tx_cfg_pop(c, mark);
	return rc;
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
	    (rc = tx_cfg_get_pairs(c, o, "headers", ": ", tx_cfg_header_name_ok,
				   &s->headers)) ||
	    (rc = tx_cfg_get_string(c, o, "headersFile", false, true,
				    &s->headers_file)) ||
	    (rc = tx_cfg_expand_server(c, s)) ||
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
	if (s->command && (s->headers || s->headers_file))
		return tx_cfg_error(c, "\"headers\" and \"headersFile\" "
				       "apply to remote servers (\"url\") "
				       "only");
	if (s->headers_file &&
	    (rc = tx_cfg_check_headers_file(c, s->headers_file)))
		return rc;
	if ((rc = parse_type(c, o, s)))
		return rc;

	u = s->timeout_ms;
	if ((rc = tx_cfg_get_uint(c, o, "timeout_ms", 1, MCP_TIMEOUT_MAX, &u)))
		return rc;
	s->timeout_ms = (unsigned)u;
	/* Progress restarts the timeout; without a cap a server that
	 * reports progress forever would hold the call forever. */
	u = (unsigned long long)s->timeout_ms * 10 < MCP_TIMEOUT_MAX
		    ? (unsigned long long)s->timeout_ms * 10
		    : MCP_TIMEOUT_MAX;
	if ((rc = tx_cfg_get_uint(c, o, "max_timeout_ms", 1, MCP_TIMEOUT_MAX,
				  &u)))
		return rc;
	s->max_timeout_ms = (unsigned)u;
	if (s->max_timeout_ms < s->timeout_ms) {
		tx_cfg_push_key(c, "max_timeout_ms");
		return tx_cfg_error(c,
				    "must not be less than \"timeout_ms\" "
				    "(%u)",
				    s->timeout_ms);
	}
	if ((rc = parse_tool_timeouts(c, o, s)))
		return rc;
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
	if ((rc = parse_elicitation(c, o, s)) || (rc = parse_roots(c, o, s)) ||
	    (rc = parse_auth(c, o, s)) || (rc = parse_sampling(c, o, s)))
		return rc;
	u = s->url ? PING_DEFAULT_MS : 0;
	if ((rc = tx_cfg_get_uint(c, o, "ping_interval_ms", 0, MCP_TIMEOUT_MAX,
				  &u)))
		return rc;
	s->ping_interval_ms = (unsigned)u;
	if (s->ping_interval_ms && !s->url) {
		tx_cfg_push_key(c, "ping_interval_ms");
		return tx_cfg_error(c, "applies to remote servers (\"url\") "
				       "only: a stdio server's exit is seen at "
				       "once");
	}
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
		int src;

		cf->nservers++;
		src = parse_server(c, name, o, &cf->servers[cf->nservers - 1],
				   &disabled);
		tx_cfg_pop(c, m);
		/* A bad server does not hide the next one's errors. */
		if (src == -ENOMEM) {
			rc = src;
			goto out;
		}
		if (src) {
			rc = src;
			continue;
		}
		if (disabled)
			tx_mcp_spec_release(&cf->servers[--cf->nservers]);
	}
out:
	tx_cfg_pop(c, mark);
	return rc;
}
