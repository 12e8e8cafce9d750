/*
 * mcp_auth_flow.c - the OAuth 2.1 exchanges of MCP authorization
 * (2025-11-25, "Authorization"; 2025-03-26 servers too):
 *
 *   1. the protected-resource metadata (RFC 9728): the URL the server's
 *      401 names in WWW-Authenticate, else the well-known URL with the
 *      server's path, else the one at the root;
 *   2. the authorization server's metadata (RFC 8414 and OpenID
 *      Connect Discovery), in the order the spec gives for issuers with
 *      and without a path; a server without (1) is its own
 *      authorization server (2025-03-26), and one without (2) has its
 *      endpoints at /authorize, /token and /register;
 *   3. the client: the configured one, else our client ID metadata
 *      document's URL where the server supports those, else dynamic
 *      registration (RFC 7591);
 *   4. the authorization code with PKCE S256 and the `resource`
 *      parameter (RFC 8707), then the code exchange and refreshes, the
 *      client authenticated as registered (none, client_secret_basic,
 *      client_secret_post);
 *   5. without a user, the grants of mcp_auth_unattended.c, which
 *      share discovery (steps 1 and 2), the token request and the
 *      pieces below (mcp_auth_i.h).
 *
 * All of it runs with the state's lock held (mcp_auth.c) and blocks on
 * the network with bounded timeouts.  Randomness and SHA-256 come from
 * OpenSSL.
 */
#include "backend/mcp_auth_i.h"

#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/buf.h"
#include "util/jsonu.h"

#define BODY_MAX       (256 * 1024)
#define CONNECT_MS     10000L
#define TOTAL_MS       30000L
#define DEFAULT_REDIR  "http://localhost:33418/callback"
#define PROTOCOL_PROBE "2025-11-25"

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct tx_auth_resp *r = ctx;

	return tx_buf_add(&r->body, p, size * n) ? 0 : size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct tx_auth_resp *r = ctx;
	size_t len = size * n;

	if (len > 17 && !strncasecmp(p, "www-authenticate:", 17)) {
		size_t i = 17;

		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		while (len > i && (p[len - 1] == '\r' || p[len - 1] == '\n'))
			len--;
		snprintf(r->www, sizeof(r->www), "%.*s", (int)(len - i), p + i);
	}
	return size * n;
}

/*
 * One request: GET when body is NULL, else POST of body as ctype.
 * auth: an Authorization header value or NULL.  0 with r filled (any
 * HTTP status), or -EIO with err when there was no answer.
 */
int tx_auth_http(const char *url, const char *ctype, const char *body,
		 const char *auth, struct tx_auth_resp *r, char *err,
		 size_t errlen)
{
	struct curl_slist *h = NULL;
	char line[1200];
	CURL *e = curl_easy_init();
	CURLcode res;

	memset(r, 0, sizeof(*r));
	tx_buf_init(&r->body, BODY_MAX);
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	h = curl_slist_append(h, "Accept: application/json");
	if (ctype) {
		snprintf(line, sizeof(line), "Content-Type: %s", ctype);
		h = curl_slist_append(h, line);
	}
	if (auth) {
		snprintf(line, sizeof(line), "Authorization: %s", auth);
		h = curl_slist_append(h, line);
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_MS);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, TOTAL_MS);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
	if (body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)strlen(body));
	} else {
		/* Metadata may be redirected; secrets never go in a GET. */
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	}
	res = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	if (res != CURLE_OK) {
		snprintf(err, errlen, "%s: %s", url, curl_easy_strerror(res));
		tx_buf_release(&r->body);
		return -EIO;
	}
	return 0;
}

/* The answer as a JSON object (json_object_put), or NULL. */
struct json_object *tx_auth_resp_json(const struct tx_auth_resp *r)
{
	char err[128];
	struct json_object *o;

	if (!r->body.data)
		return NULL;
	o = tx_json_parse(r->body.data, r->body.len, 16, err, sizeof(err));
	if (o && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

const char *tx_auth_jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* The strings of array o[key] joined with spaces (malloc'd), or NULL. */
static char *jwords(struct json_object *o, const char *key)
{
	struct json_object *v;
	struct tx_buf b;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	tx_buf_init(&b, 8192);
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct json_object *x = json_object_array_get_idx(v, i);

		if (json_object_is_type(x, json_type_string))
			tx_buf_printf(&b, "%s%s", b.len ? " " : "",
				      json_object_get_string(x));
	}
	return tx_buf_detach(&b, NULL);
}

static bool jhas_word(struct json_object *o, const char *key, const char *word)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct json_object *x = json_object_array_get_idx(v, i);

		if (json_object_is_type(x, json_type_string) &&
		    !strcmp(json_object_get_string(x), word))
			return true;
	}
	return false;
}

/* RFC 3986 unreserved characters stay, the rest is %XX. */
static void add_escaped(struct tx_buf *b, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr("-._~", *c))
			tx_buf_add(b, c, 1);
		else
			tx_buf_printf(b, "%%%02X", *c);
	}
}

void tx_auth_add_param(struct tx_buf *b, const char *k, const char *v)
{
	if (!v)
		return;
	tx_buf_printf(b, "%s%s=", b->len ? "&" : "", k);
	add_escaped(b, v);
}

static char *unescape(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	size_t j = 0;

	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    strchr("0123456789abcdefABCDEF", s[i + 1]) &&
		    strchr("0123456789abcdefABCDEF", s[i + 2])) {
			char hx[3] = { s[i + 1], s[i + 2], 0 };

			d[j++] = (char)strtol(hx, NULL, 16);
			i += 2;
		} else {
			d[j++] = s[i] == '+' ? ' ' : s[i];
		}
	}
	d[j] = '\0';
	return d;
}

/* The value of parameter key in a query string (malloc'd) or NULL. */
static char *query_param(const char *q, const char *key)
{
	size_t kl = strlen(key);

	while (q && *q) {
		size_t n = strcspn(q, "&#");

		if (n > kl && !strncmp(q, key, kl) && q[kl] == '=')
			return unescape(q + kl + 1, n - kl - 1);
		if (q[n] != '&')
			break;
		q += n + 1;
	}
	return NULL;
}

char *tx_auth_www_param(const char *www, const char *key)
{
	size_t kl = strlen(key);
	const char *p = www;

	/* Bearer k1="v", k2=v, ...: a key starts the value or follows a
	 * space or a comma (so "error" never matches "error_uri"). */
	while ((p = strstr(p, key))) {
		bool start = p == www || p[-1] == ' ' || p[-1] == ',' ||
			     p[-1] == '\t';
		const char *v = p + kl;

		p += kl;
		while (*v == ' ')
			v++;
		if (!start || *v != '=')
			continue;
		v++;
		while (*v == ' ')
			v++;
		if (*v == '"') {
			struct tx_buf b;

			tx_buf_init(&b, 4096);
			for (v++; *v && *v != '"'; v++) {
				if (*v == '\\' && v[1])
					v++;
				tx_buf_add(&b, v, 1);
			}
			return tx_buf_detach(&b, NULL);
		}
		return strndup(v, strcspn(v, " ,"));
	}
	return NULL;
}

/* scheme://host[:port] of url: its length, or 0. */
size_t tx_auth_origin_len(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p)
		return 0;
	p += 3;
	return (size_t)(p - url) + strcspn(p, "/?#");
}

/* url's path without query, fragment or trailing '/' (malloc'd). */
static char *url_path(const char *url)
{
	const char *p = url + tx_auth_origin_len(url);
	size_t n = strcspn(p, "?#");

	while (n && p[n - 1] == '/')
		n--;
	return strndup(p, n);
}

void tx_auth_b64url(const unsigned char *in, size_t n, char *out)
{
	size_t m = (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)n);

	while (m && out[m - 1] == '=')
		m--;
	out[m] = '\0';
	for (char *c = out; *c; c++) {
		if (*c == '+')
			*c = '-';
		else if (*c == '/')
			*c = '_';
	}
}

int tx_auth_random_b64url(size_t nbytes, char *out)
{
	unsigned char r[64];

	if (nbytes > sizeof(r) || RAND_bytes(r, (int)nbytes) != 1)
		return -EIO;
	tx_auth_b64url(r, nbytes, out);
	explicit_bzero(r, sizeof(r));
	return 0;
}

/* "Basic base64(urlenc(id):urlenc(secret))" (RFC 6749, 2.3.1). */
static char *basic_auth(const char *id, const char *secret)
{
	struct tx_buf b;
	char *out;

	tx_buf_init(&b, 4096);
	add_escaped(&b, id);
	tx_buf_adds(&b, ":");
	add_escaped(&b, secret);
	out = b.data ? malloc(6 + 4 * (b.len / 3 + 1) + 1) : NULL;
	if (out) {
		memcpy(out, "Basic ", 6);
		EVP_EncodeBlock((unsigned char *)out + 6,
				(const unsigned char *)b.data, (int)b.len);
	}
	explicit_bzero(b.data, b.len);
	tx_buf_release(&b);
	return out;
}

/* GET url as a JSON object (json_object_put) when it answers 200. */
static struct json_object *get_json(const char *url)
{
	struct tx_auth_resp r;
	char err[300];
	struct json_object *o = NULL;

	if (!tx_auth_http(url, NULL, NULL, NULL, &r, err, sizeof(err))) {
		if (r.status == 200)
			o = tx_auth_resp_json(&r);
		tx_buf_release(&r.body);
	}
	return o;
}

/* The server asks nothing of a client without a token?  Then there is
 * no challenge to learn from; otherwise its 401 names what to ask for. */
static void probe(struct tx_mcp_auth *a)
{
	static const char init[] =
		"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
		"\"params\":{\"protocolVersion\":\"" PROTOCOL_PROBE "\","
		"\"capabilities\":{},\"clientInfo\":{\"name\":\"toolexecfs\","
		"\"version\":\"1\"}}}";
	struct tx_auth_resp r;
	char err[300];
	if (tx_auth_http(a->url, "application/json", init, NULL, &r, err,
			 sizeof(err)))
		return;
	if (r.status == 401 && r.www[0]) {
		char *s = tx_auth_www_param(r.www, "scope");
		char *m = tx_auth_www_param(r.www, "resource_metadata");

		if (s) {
			free(a->c_scope);
			a->c_scope = s;
		}
		if (m) {
			free(a->c_rmeta);
			a->c_rmeta = m;
		}
	}
	tx_buf_release(&r.body);
}

/* The resource names this server?  Same origin, and the server's URL is
 * the resource or below it (RFC 8707 / RFC 9728, section 3.3). */
static bool resource_matches(const char *resource, const char *url)
{
	size_t ro = tx_auth_origin_len(resource), uo = tx_auth_origin_len(url);
	size_t rl = strlen(resource);

	if (!ro || ro != uo || strncasecmp(resource, url, ro))
		return false;
	while (rl > ro && resource[rl - 1] == '/')
		rl--;
	return !strncmp(resource + ro, url + uo, rl - ro) &&
	       (url[rl] == '\0' || url[rl] == '/' || url[rl] == '?');
}

/* Steps 1 and 2: fills a's endpoints and resource; *prm_scopes and
 * *as_meta (json_object_put) are handed to the caller. */
int tx_auth_discover(struct tx_mcp_auth *a, char **prm_scopes,
		     struct json_object **as_meta, char *err, size_t errlen)
{
	struct json_object *prm = NULL, *as = NULL;
	size_t uo = tx_auth_origin_len(a->url);
	char *path = url_path(a->url);
	char *issuer = NULL, *ipath = NULL;
	char u[2048];
	int rc = 0;

	*prm_scopes = NULL;
	*as_meta = NULL;
	if (!path || !uo) {
		rc = -ENOMEM;
		goto out;
	}
	if (a->c_rmeta) {
		prm = get_json(a->c_rmeta);
	} else {
		if (path[0]) {
			snprintf(u, sizeof(u),
				 "%.*s/.well-known/oauth-protected-resource%s",
				 (int)uo, a->url, path);
			prm = get_json(u);
		}
		if (!prm) {
			snprintf(u, sizeof(u),
				 "%.*s/.well-known/oauth-protected-resource",
				 (int)uo, a->url);
			prm = get_json(u);
		}
	}
	if (prm) {
		const char *res = tx_auth_jstr(prm, "resource");
		struct json_object *v, *x;

		if (res && !resource_matches(res, a->url)) {
			snprintf(err, errlen,
				 "the server's protected-resource metadata "
				 "names the resource %s, which is not %s: "
				 "refusing to sign in",
				 res, a->url);
			rc = -EACCES;
			goto out;
		}
		tx_auth_set(&a->resource, res ? res : a->url);
		if (json_object_object_get_ex(prm, "authorization_servers",
					      &v) &&
		    json_object_is_type(v, json_type_array) &&
		    (x = json_object_array_get_idx(v, 0)) &&
		    json_object_is_type(x, json_type_string))
			issuer = strdup(json_object_get_string(x));
		*prm_scopes = jwords(prm, "scopes_supported");
	} else {
		/* 2025-03-26: the server's origin is its authorization
		 * server. */
		tx_auth_set(&a->resource, a->url);
	}
	if (!issuer)
		issuer = strndup(a->url, uo);
	if (!issuer || !(ipath = url_path(issuer))) {
		rc = -ENOMEM;
		goto out;
	}
	{
		size_t io = tx_auth_origin_len(issuer);
		const char *fmt[3];
		int n = 0;

		if (ipath[0]) {
			fmt[n++] =
				"%.*s/.well-known/oauth-authorization-server%s";
			fmt[n++] = "%.*s/.well-known/openid-configuration%s";
			fmt[n++] = "%.*s%s/.well-known/openid-configuration";
		} else {
			fmt[n++] =
				"%.*s/.well-known/oauth-authorization-server%s";
			fmt[n++] = "%.*s/.well-known/openid-configuration%s";
		}
		for (int i = 0; i < n && !as; i++) {
			snprintf(u, sizeof(u), fmt[i], (int)io, issuer, ipath);
			as = get_json(u);
			if (as && !tx_auth_jstr(as, "authorization_endpoint")) {
				json_object_put(as);
				as = NULL;
			}
		}
	}
	if (as) {
		tx_auth_set(&a->authz_ep,
			    tx_auth_jstr(as, "authorization_endpoint"));
		tx_auth_set(&a->token_ep, tx_auth_jstr(as, "token_endpoint"));
		tx_auth_set(&a->reg_ep,
			    tx_auth_jstr(as, "registration_endpoint"));
		if (!a->token_ep) {
			snprintf(err, errlen,
				 "the authorization server's metadata names "
				 "no token_endpoint");
			rc = -EPROTO;
			goto out;
		}
	} else {
		/* 2025-03-26 fallback: the default endpoints at the
		 * issuer's origin. */
		size_t io = tx_auth_origin_len(issuer);

		snprintf(u, sizeof(u), "%.*s/authorize", (int)io, issuer);
		tx_auth_set(&a->authz_ep, u);
		snprintf(u, sizeof(u), "%.*s/token", (int)io, issuer);
		tx_auth_set(&a->token_ep, u);
		snprintf(u, sizeof(u), "%.*s/register", (int)io, issuer);
		tx_auth_set(&a->reg_ep, u);
	}
	*as_meta = as;
	as = NULL;
out:
	json_object_put(prm);
	json_object_put(as);
	free(issuer);
	free(ipath);
	free(path);
	return rc;
}

/* How we authenticate at the token endpoint with a secret: Basic where
 * the server supports it (also its default, RFC 8414), else POST. */
const char *tx_auth_secret_method(struct json_object *as)
{
	struct json_object *v;

	if (!as ||
	    !json_object_object_get_ex(
		    as, "token_endpoint_auth_methods_supported", &v) ||
	    jhas_word(as, "token_endpoint_auth_methods_supported",
		      "client_secret_basic"))
		return "client_secret_basic";
	if (jhas_word(as, "token_endpoint_auth_methods_supported",
		      "client_secret_post"))
		return "client_secret_post";
	return "client_secret_basic";
}

/* Step 3. */
static int choose_client(struct tx_mcp_auth *a, struct json_object *as,
			 const char *redirect, char *err, size_t errlen)
{
	struct json_object *req, *got = NULL, *arr;
	struct tx_auth_resp r;
	const char *method;
	int rc;

	if (a->cfg.client_id) {
		tx_auth_set(&a->client_id, a->cfg.client_id);
		tx_auth_set_secret(&a->client_secret, a->cfg.client_secret);
		tx_auth_set(&a->client_method,
			    a->cfg.client_secret ? tx_auth_secret_method(as)
						 : "none");
		tx_auth_set(&a->client_for, a->token_ep);
		return 0;
	}
	if (a->cfg.client_metadata_url && as) {
		struct json_object *v;

		if (json_object_object_get_ex(
			    as, "client_id_metadata_document_supported", &v) &&
		    json_object_get_boolean(v)) {
			tx_auth_set(&a->client_id, a->cfg.client_metadata_url);
			tx_auth_set_secret(&a->client_secret, NULL);
			tx_auth_set(&a->client_method, "none");
			tx_auth_set(&a->client_for, a->token_ep);
			return 0;
		}
	}
	/* A client registered at this token endpoint before is used
	 * again. */
	if (a->client_id && a->client_for &&
	    !strcmp(a->client_for, a->token_ep))
		return 0;
	if (!a->reg_ep) {
		snprintf(err, errlen,
			 "the authorization server offers no client "
			 "registration: configure \"auth\": {\"client_id\"} "
			 "for server %s",
			 a->name);
		return -EINVAL;
	}
	method =
		!as ||
				jhas_word(
					as,
					"token_endpoint_auth_methods_supported",
					"none") ||
				!json_object_object_get_ex(
					as,
					"token_endpoint_auth_methods_supported",
					NULL)
			? "none"
			: tx_auth_secret_method(as);
	req = json_object_new_object();
	json_object_object_add(req, "client_name",
			       json_object_new_string("toolexecfs"));
	arr = json_object_new_array();
	json_object_array_add(arr, json_object_new_string(redirect));
	json_object_object_add(req, "redirect_uris", arr);
	arr = json_object_new_array();
	json_object_array_add(arr,
			      json_object_new_string("authorization_code"));
	json_object_array_add(arr, json_object_new_string("refresh_token"));
	json_object_object_add(req, "grant_types", arr);
	arr = json_object_new_array();
	json_object_array_add(arr, json_object_new_string("code"));
	json_object_object_add(req, "response_types", arr);
	json_object_object_add(req, "token_endpoint_auth_method",
			       json_object_new_string(method));
	rc = tx_auth_http(
		a->reg_ep, "application/json",
		json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN),
		NULL, &r, err, errlen);
	json_object_put(req);
	if (rc)
		return rc;
	if (r.status < 200 || r.status >= 300 ||
	    !(got = tx_auth_resp_json(&r)) || !tx_auth_jstr(got, "client_id")) {
		snprintf(err, errlen,
			 "client registration at %s failed (HTTP %ld)",
			 a->reg_ep, r.status);
		rc = -EPROTO;
		goto out;
	}
	tx_auth_set(&a->client_id, tx_auth_jstr(got, "client_id"));
	tx_auth_set_secret(&a->client_secret,
			   tx_auth_jstr(got, "client_secret"));
	if (tx_auth_jstr(got, "token_endpoint_auth_method"))
		tx_auth_set(&a->client_method,
			    tx_auth_jstr(got, "token_endpoint_auth_method"));
	else
		tx_auth_set(&a->client_method,
			    tx_auth_jstr(got, "client_secret")
				    ? tx_auth_secret_method(as)
				    : "none");
	tx_auth_set(&a->client_for, a->token_ep);
out:
	json_object_put(got);
	tx_buf_release(&r.body);
	return rc;
}

int tx_auth_flow_begin(struct tx_mcp_auth *a, char **url, char *err,
		       size_t errlen)
{
	struct json_object *as = NULL;
	char *prm_scopes = NULL, *scope = NULL;
	char verifier[64], state[32], challenge[64];
	unsigned char digest[SHA256_DIGEST_LENGTH];
	const char *redirect = a->cfg.redirect_uri ? a->cfg.redirect_uri
						   : DEFAULT_REDIR;
	struct tx_buf b;
	size_t ulen;
	int rc;

	if (!a->c_scope && !a->c_rmeta)
		probe(a);
	if ((rc = tx_auth_discover(a, &prm_scopes, &as, err, errlen)) ||
	    (rc = choose_client(a, as, redirect, err, errlen)))
		goto out;
	if (!a->authz_ep) {
		snprintf(err, errlen,
			 "the authorization server names no "
			 "authorization_endpoint");
		rc = -EPROTO;
		goto out;
	}
	/* Scope: what the challenge named, else what the resource
	 * supports, else the configuration's, else none at all. */
	if (a->c_scope)
		scope = strdup(a->c_scope);
	else if (prm_scopes && prm_scopes[0])
		scope = strdup(prm_scopes);
	else if (a->cfg.scope)
		scope = strdup(a->cfg.scope);
	if (scope && as &&
	    jhas_word(as, "scopes_supported", "offline_access") &&
	    !strstr(scope, "offline_access")) {
		/* We want a refresh token, and the server lists the scope
		 * that asks for one. */
		size_t sl = strlen(scope) + 16;
		char *s = malloc(sl);

		if (s) {
			snprintf(s, sl, "%s offline_access", scope);
			free(scope);
			scope = s;
		}
	}
	if (tx_auth_random_b64url(32, verifier) ||
	    tx_auth_random_b64url(16, state)) {
		snprintf(err, errlen, "no random bytes");
		rc = -EIO;
		goto out;
	}
	SHA256((const unsigned char *)verifier, strlen(verifier), digest);
	tx_auth_b64url(digest, sizeof(digest), challenge);
	tx_buf_init(&b, 16384);
	tx_auth_add_param(&b, "response_type", "code");
	tx_auth_add_param(&b, "client_id", a->client_id);
	tx_auth_add_param(&b, "redirect_uri", redirect);
	tx_auth_add_param(&b, "code_challenge", challenge);
	tx_auth_add_param(&b, "code_challenge_method", "S256");
	tx_auth_add_param(&b, "state", state);
	tx_auth_add_param(&b, "resource", a->resource);
	tx_auth_add_param(&b, "scope", scope);
	if (!b.data) {
		rc = -ENOMEM;
		goto out;
	}
	ulen = strlen(a->authz_ep) + b.len + 2;
	*url = malloc(ulen);
	if (!*url) {
		tx_buf_release(&b);
		rc = -ENOMEM;
		goto out;
	}
	snprintf(*url, ulen, "%s%c%s", a->authz_ep,
		 strchr(a->authz_ep, '?') ? '&' : '?', b.data);
	tx_buf_release(&b);
	if (tx_auth_set_secret(&a->p_verifier, verifier) ||
	    tx_auth_set(&a->p_state, state) ||
	    tx_auth_set(&a->p_redirect, redirect) ||
	    tx_auth_set(&a->p_scope, scope))
		rc = -ENOMEM;
out:
	explicit_bzero(verifier, sizeof(verifier));
	json_object_put(as);
	free(prm_scopes);
	free(scope);
	return rc;
}

/* POSTs the grant in form (without the client's authentication) to the
 * token endpoint and keeps the token it answers.  0 or -errno. */
int tx_auth_token_request(struct tx_mcp_auth *a, struct tx_buf *form,
			  const char *scope_asked, char *err, size_t errlen)
{
	struct json_object *o = NULL;
	char *basic = NULL;
	const char *m = a->client_method ? a->client_method : "none";

	/* private_key_jwt: the assertion in form says who we are. */
	if (!strcmp(m, "private_key_jwt"))
		m = "";
	struct tx_auth_resp r;
	const char *tok, *type;
	struct json_object *v;
	int rc;

	tx_auth_add_param(form, "resource", a->resource);
	if (!strcmp(m, "client_secret_basic") && a->client_secret) {
		if (!(basic = basic_auth(a->client_id, a->client_secret)))
			return -ENOMEM;
	} else if (m[0]) {
		tx_auth_add_param(form, "client_id", a->client_id);
		if (!strcmp(m, "client_secret_post"))
			tx_auth_add_param(form, "client_secret",
					  a->client_secret);
	}
	if (!form->data)
		rc = -ENOMEM;
	else
		rc = tx_auth_http(a->token_ep,
				  "application/x-www-form-urlencoded",
				  form->data, basic, &r, err, errlen);
	if (basic) {
		explicit_bzero(basic, strlen(basic));
		free(basic);
	}
	if (rc)
		return rc;
	o = tx_auth_resp_json(&r);
	tok = tx_auth_jstr(o, "access_token");
	type = tx_auth_jstr(o, "token_type");
	if (r.status != 200 || !tok || (type && strcasecmp(type, "bearer"))) {
		const char *e = tx_auth_jstr(o, "error");
		const char *d = tx_auth_jstr(o, "error_description");

		snprintf(err, errlen,
			 "the token endpoint %s refused (HTTP %ld)%s%s%s%s",
			 a->token_ep, r.status, e ? ": " : "", e ? e : "",
			 d ? " - " : "", d ? d : "");
		rc = -EACCES;
		goto out;
	}
	tx_auth_set_secret(&a->token, tok);
	a->gen++;
	if (tx_auth_jstr(o, "refresh_token"))
		tx_auth_set_secret(&a->refresh,
				   tx_auth_jstr(o, "refresh_token"));
	tx_auth_set(&a->granted, tx_auth_jstr(o, "scope")
					 ? tx_auth_jstr(o, "scope")
					 : scope_asked);
	a->expires_at = 0;
	if (json_object_object_get_ex(o, "expires_in", &v) &&
	    json_object_get_int64(v) > 0)
		a->expires_at =
			(long long)time(NULL) + json_object_get_int64(v);
	a->needs = a->expired = false;
out:
	json_object_put(o);
	if (r.body.data)
		explicit_bzero(r.body.data, r.body.len);
	tx_buf_release(&r.body);
	return rc;
}

int tx_auth_flow_finish(struct tx_mcp_auth *a, const char *text, char *err,
			size_t errlen)
{
	char *code = NULL, *state = NULL, *error = NULL;
	const char *q = strchr(text, '?');
	size_t n = strlen(text);
	struct tx_buf form;
	int rc;

	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' ||
		     text[n - 1] == ' '))
		n--;
	if (q || strstr(text, "code=")) {
		char *t = strndup(q ? q + 1 : text,
				  n - (size_t)(q ? q + 1 - text : 0));

		if (!t)
			return -ENOMEM;
		code = query_param(t, "code");
		state = query_param(t, "state");
		error = query_param(t, "error");
		free(t);
		if (error) {
			snprintf(err, errlen,
				 "the authorization server answered %s", error);
			rc = -EACCES;
			goto out;
		}
		/* A redirect must carry the state we sent: another
		 * sign-in's code is not ours to use (CSRF). */
		if (!state || !a->p_state || strcmp(state, a->p_state)) {
			snprintf(err, errlen,
				 "the address's state does not match the "
				 "sign-in under way; read login again");
			rc = -EINVAL;
			goto out;
		}
	} else {
		code = strndup(text, n);
	}
	if (!code || !code[0]) {
		snprintf(err, errlen, "no code in what was written");
		rc = -EINVAL;
		goto out;
	}
	tx_buf_init(&form, 65536);
	tx_auth_add_param(&form, "grant_type", "authorization_code");
	tx_auth_add_param(&form, "code", code);
	tx_auth_add_param(&form, "redirect_uri", a->p_redirect);
	tx_auth_add_param(&form, "code_verifier", a->p_verifier);
	rc = tx_auth_token_request(a, &form, a->p_scope, err, errlen);
	if (form.data)
		explicit_bzero(form.data, form.len);
	tx_buf_release(&form);
	if (!rc) {
		tx_auth_set_secret(&a->p_verifier, NULL);
		tx_auth_set(&a->p_state, NULL);
		tx_auth_set(&a->p_redirect, NULL);
		tx_auth_set(&a->p_scope, NULL);
	}
out:
	free(code);
	free(state);
	free(error);
	return rc;
}

int tx_auth_flow_refresh(struct tx_mcp_auth *a, char *err, size_t errlen)
{
	struct tx_buf form;
	char *keep;
	int rc;

	if (!a->refresh || !a->token_ep) {
		snprintf(err, errlen, "no refresh token");
		return -EACCES;
	}
	keep = a->granted ? strdup(a->granted) : NULL;
	tx_buf_init(&form, 65536);
	tx_auth_add_param(&form, "grant_type", "refresh_token");
	tx_auth_add_param(&form, "refresh_token", a->refresh);
	rc = tx_auth_token_request(a, &form, keep, err, errlen);
	if (form.data)
		explicit_bzero(form.data, form.len);
	tx_buf_release(&form);
	free(keep);
	return rc;
}
