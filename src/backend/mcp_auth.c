/*
 * mcp_auth.c - the sign-in state of remote MCP servers: a registry by
 * server name, the state file, and what connections, the mount and the
 * toolexec command ask of it.  The OAuth exchanges are in
 * mcp_auth_flow.c, and those without a user in mcp_auth_unattended.c.
 *
 * Tokens are secrets: the state file is created 0600 inside a directory
 * of mode 0700 (written to a temporary file and renamed, so a crash
 * never leaves half a file), and no function here returns a token but
 * as the Authorization header for the server it was issued for.
 */
#include "backend/mcp_auth.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend/mcp_auth_i.h"
#include "engine/backend.h"
#include "util/jsonu.h"
#include "util/log.h"

#define STATE_MAX (256 * 1024)
/* A token this close to its end is refreshed before it is used. */
#define EXPIRY_MARGIN_S 30

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct tx_mcp_auth *reg_head; /* reg_mu */

int tx_auth_set(char **dst, const char *src)
{
	char *c = NULL;

	if (src && !(c = strdup(src)))
		return -ENOMEM;
	free(*dst);
	*dst = c;
	return 0;
}

static void clear_secret(char **s)
{
	if (*s) {
		/* Not left behind in freed memory. */
		explicit_bzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

int tx_auth_set_secret(char **dst, const char *src)
{
	clear_secret(dst);
	return tx_auth_set(dst, src);
}

static void forget_state(struct tx_mcp_auth *a)
{
	clear_secret(&a->token);
	clear_secret(&a->refresh);
	clear_secret(&a->client_secret);
	clear_secret(&a->p_verifier);
	char **plain[] = {
		&a->granted,  &a->client_id,  &a->client_method, &a->client_for,
		&a->authz_ep, &a->token_ep,   &a->reg_ep,        &a->resource,
		&a->p_state,  &a->p_redirect, &a->p_scope,       &a->c_scope,
		&a->c_rmeta,
	};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		free(*plain[i]);
		*plain[i] = NULL;
	}
	a->expires_at = 0;
	a->needs = a->expired = false;
	a->step_ups = 0;
}

static void cfg_release(struct tx_mcp_auth_spec *c)
{
	free(c->client_id);
	clear_secret(&c->client_secret);
	free(c->client_metadata_url);
	free(c->redirect_uri);
	free(c->scope);
	free(c->state_dir);
	free(c->private_key_file);
	free(c->idp_token_endpoint);
	free(c->idp_client_id);
	free(c->id_token_file);
	memset(c, 0, sizeof(*c));
}

static int cfg_copy(struct tx_mcp_auth_spec *d,
		    const struct tx_mcp_auth_spec *s)
{
	memset(d, 0, sizeof(*d));
	if (tx_auth_set(&d->client_id, s->client_id) ||
	    tx_auth_set(&d->client_secret, s->client_secret) ||
	    tx_auth_set(&d->client_metadata_url, s->client_metadata_url) ||
	    tx_auth_set(&d->redirect_uri, s->redirect_uri) ||
	    tx_auth_set(&d->scope, s->scope) ||
	    tx_auth_set(&d->state_dir, s->state_dir) ||
	    tx_auth_set(&d->private_key_file, s->private_key_file) ||
	    tx_auth_set(&d->idp_token_endpoint, s->idp_token_endpoint) ||
	    tx_auth_set(&d->idp_client_id, s->idp_client_id) ||
	    tx_auth_set(&d->id_token_file, s->id_token_file)) {
		cfg_release(d);
		return -ENOMEM;
	}
	d->client_credentials = s->client_credentials;
	d->jwt_bearer = s->jwt_bearer;
	return 0;
}

/* STATE_DIR/auth/NAME.json, NAME with anything but [A-Za-z0-9._-]
 * written %XX (a server name may hold '/'). */
static char *state_path(const char *dir, const char *name)
{
	char base[600];
	const char *x;
	size_t n = 0, cap;
	char *p;

	if (dir) {
		snprintf(base, sizeof(base), "%s", dir);
	} else if ((x = getenv("XDG_STATE_HOME")) && x[0] == '/') {
		snprintf(base, sizeof(base), "%s/toolexecfs", x);
	} else if ((x = getenv("HOME")) && x[0] == '/') {
		snprintf(base, sizeof(base), "%s/.local/state/toolexecfs", x);
	} else {
		errno = ENOENT;
		return NULL;
	}
	cap = strlen(base) + 7 + strlen(name) * 3 + 6;
	p = malloc(cap);
	if (!p)
		return NULL;
	n = (size_t)snprintf(p, cap, "%s/auth/", base);
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' ||
		    (*c == '.' && c != (const unsigned char *)name))
			p[n++] = (char)*c;
		else
			n += (size_t)snprintf(p + n, cap - n, "%%%02X", *c);
	}
	snprintf(p + n, cap - n, ".json");
	return p;
}

/* mkdir -p with mode 0700 for what we create. */
static int make_dirs(const char *file)
{
	char d[1024];

	if (strlen(file) >= sizeof(d))
		return -ENAMETOOLONG;
	snprintf(d, sizeof(d), "%s", file);
	for (char *s = d + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(d, 0700) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

static const struct {
	const char *key;
	size_t off;
} fields[] = {
#define F(k, f)                                    \
	{                                          \
		k, offsetof(struct tx_mcp_auth, f) \
	}
	F("access_token", token),
	F("refresh_token", refresh),
	F("scope", granted),
	F("client_id", client_id),
	F("client_secret", client_secret),
	F("token_endpoint_auth_method", client_method),
	F("client_registered_at", client_for),
	F("authorization_endpoint", authz_ep),
	F("token_endpoint", token_ep),
	F("registration_endpoint", reg_ep),
	F("resource", resource),
	F("pending_code_verifier", p_verifier),
	F("pending_state", p_state),
	F("pending_redirect_uri", p_redirect),
	F("pending_scope", p_scope),
	F("challenge_scope", c_scope),
	F("challenge_resource_metadata", c_rmeta),
#undef F
};

#define FIELD(a, i) ((char **)((char *)(a) + fields[i].off))

/* a->mu held. */
static void publish(struct tx_mcp_auth *a)
{
	a->shown = a->needs     ? AUTH_NEEDS
		   : a->expired ? AUTH_EXPIRED
		   : a->token   ? AUTH_OK
				: AUTH_NONE;
	a->shown_until = a->token && !a->refresh ? a->expires_at : 0;
}

int tx_auth_save(struct tx_mcp_auth *a, char *err, size_t errlen)
{
	struct json_object *o = json_object_new_object();
	char tmp[1100];
	const char *text;
	size_t len;
	int fd = -1, rc;

	publish(a);
	if (!a->path) {
		snprintf(err, errlen,
			 "no state directory (set \"auth\": {\"state_dir\"} "
			 "or HOME)");
		rc = -ENOENT;
		goto out;
	}
	if (!o) {
		rc = -ENOMEM;
		goto out;
	}
	json_object_object_add(o, "server_url", json_object_new_string(a->url));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (*FIELD(a, i))
			json_object_object_add(
				o, fields[i].key,
				json_object_new_string(*FIELD(a, i)));
	json_object_object_add(o, "expires_at",
			       json_object_new_int64(a->expires_at));
	json_object_object_add(o, "needs_login",
			       json_object_new_boolean(a->needs));
	json_object_object_add(o, "expired",
			       json_object_new_boolean(a->expired));
	json_object_object_add(o, "step_ups",
			       json_object_new_int((int)a->step_ups));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
	len = strlen(text);
	if ((rc = make_dirs(a->path))) {
		snprintf(err, errlen, "cannot create the directory of %s: %s",
			 a->path, strerror(-rc));
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", a->path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0 || fchmod(fd, 0600) ||
	    write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
	    fsync(fd)) {
		rc = -errno;
		snprintf(err, errlen, "cannot write %s: %s", tmp,
			 strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, a->path)) {
		rc = -errno;
		snprintf(err, errlen, "cannot rename to %s: %s", a->path,
			 strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	json_object_put(o);
	return rc;
}

static void load_state(struct tx_mcp_auth *a)
{
	char err[256];
	struct json_object *o, *v;
	struct stat st;

	if (!a->path || stat(a->path, &st))
		return;
	if ((st.st_mode & 077) || st.st_uid != geteuid()) {
		tx_log(TX_LOG_WARN,
		       "mcp %s: ignoring %s: it must be ours with mode 0600",
		       a->name, a->path);
		return;
	}
	o = tx_json_parse_file(a->path, STATE_MAX, 8, err, sizeof(err));
	if (!o || !json_object_is_type(o, json_type_object)) {
		tx_log(TX_LOG_WARN, "mcp %s: ignoring %s: %s", a->name, a->path,
		       o ? "not an object" : err);
		json_object_put(o);
		return;
	}
	/* Tokens are for the URL they were issued for. */
	if (!json_object_object_get_ex(o, "server_url", &v) ||
	    strcmp(json_object_get_string(v), a->url)) {
		json_object_put(o);
		return;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (json_object_object_get_ex(o, fields[i].key, &v) &&
		    json_object_is_type(v, json_type_string))
			tx_auth_set(FIELD(a, i), json_object_get_string(v));
	if (json_object_object_get_ex(o, "expires_at", &v))
		a->expires_at = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "needs_login", &v))
		a->needs = json_object_get_boolean(v);
	if (json_object_object_get_ex(o, "expired", &v))
		a->expired = json_object_get_boolean(v);
	if (json_object_object_get_ex(o, "step_ups", &v))
		a->step_ups = (unsigned)json_object_get_int(v);
	json_object_put(o);
}

static void auth_free(struct tx_mcp_auth *a)
{
	forget_state(a);
	cfg_release(&a->cfg);
	free(a->name);
	free(a->url);
	free(a->path);
	free(a->watch);
	pthread_mutex_destroy(&a->mu);
	pthread_mutex_destroy(&a->wmu);
	free(a);
}

/* (Re)configures a from spec, a->mu held.  The state file is read again
 * when the server's URL or state directory changed. */
static int configure(struct tx_mcp_auth *a, const struct tx_mcp_spec *spec)
{
	struct tx_mcp_auth_spec cfg;
	bool moved = !a->url || strcmp(a->url, spec->url) ||
		     !a->cfg.state_dir != !spec->auth.state_dir ||
		     (a->cfg.state_dir &&
		      strcmp(a->cfg.state_dir, spec->auth.state_dir));
	char *path;

	if (cfg_copy(&cfg, &spec->auth))
		return -ENOMEM;
	cfg_release(&a->cfg);
	a->cfg = cfg;
	if (!moved)
		return 0;
	path = state_path(a->cfg.state_dir, a->name);
	if (!path && errno == ENOMEM)
		return -ENOMEM;
	if (tx_auth_set(&a->url, spec->url)) {
		free(path);
		return -ENOMEM;
	}
	free(a->path);
	a->path = path; /* NULL: kept in memory only (no HOME) */
	forget_state(a);
	load_state(a);
	a->gen++;
	publish(a);
	return 0;
}

struct tx_mcp_auth *tx_mcp_auth_attach(const struct tx_mcp_spec *spec)
{
	struct tx_mcp_auth *a;
	int rc;

	if (!spec || !spec->url || !spec->name) {
		errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&reg_mu);
	for (a = reg_head; a; a = a->next)
		if (!strcmp(a->name, spec->name))
			break;
	if (a) {
		a->refs++;
		pthread_mutex_unlock(&reg_mu);
		pthread_mutex_lock(&a->mu);
		rc = configure(a, spec);
		pthread_mutex_unlock(&a->mu);
		if (rc) {
			tx_mcp_auth_put(a);
			errno = -rc;
			return NULL;
		}
		return a;
	}
	a = calloc(1, sizeof(*a));
	if (!a || !(a->name = strdup(spec->name))) {
		free(a);
		pthread_mutex_unlock(&reg_mu);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&a->mu, NULL);
	pthread_mutex_init(&a->wmu, NULL);
	if ((rc = configure(a, spec))) {
		pthread_mutex_unlock(&reg_mu);
		auth_free(a);
		errno = -rc;
		return NULL;
	}
	a->refs = 1;
	a->next = reg_head;
	reg_head = a;
	pthread_mutex_unlock(&reg_mu);
	return a;
}

struct tx_mcp_auth *tx_mcp_auth_find(const char *name)
{
	struct tx_mcp_auth *a;

	pthread_mutex_lock(&reg_mu);
	for (a = reg_head; a; a = a->next)
		if (!strcmp(a->name, name))
			break;
	if (a)
		a->refs++;
	pthread_mutex_unlock(&reg_mu);
	return a;
}

void tx_mcp_auth_put(struct tx_mcp_auth *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&reg_mu);
	if (--a->refs > 0) {
		pthread_mutex_unlock(&reg_mu);
		return;
	}
	for (struct tx_mcp_auth **pp = &reg_head; *pp; pp = &(*pp)->next) {
		if (*pp == a) {
			*pp = a->next;
			break;
		}
	}
	pthread_mutex_unlock(&reg_mu);
	auth_free(a);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

char **tx_mcp_auth_names(void)
{
	size_t n = 0, i = 0;
	char **v;

	pthread_mutex_lock(&reg_mu);
	for (struct tx_mcp_auth *a = reg_head; a; a = a->next)
		n++;
	v = calloc(n + 1, sizeof(*v));
	for (struct tx_mcp_auth *a = reg_head; v && a; a = a->next) {
		if (!(v[i++] = strdup(a->name))) {
			while (i)
				free(v[--i]);
			free(v);
			v = NULL;
		}
	}
	pthread_mutex_unlock(&reg_mu);
	if (!v) {
		errno = ENOMEM;
		return NULL;
	}
	qsort(v, n, sizeof(*v), cmp_str);
	return v;
}

static bool token_ran_out(const struct tx_mcp_auth *a)
{
	return a->token && a->expires_at &&
	       (long long)time(NULL) >= a->expires_at - EXPIRY_MARGIN_S;
}

const char *tx_mcp_auth_status(struct tx_mcp_auth *a)
{
	long long until = a->shown_until;

	switch (a->shown) {
	case AUTH_NEEDS:
		return "needs-login";
	case AUTH_EXPIRED:
		return "expired";
	case AUTH_OK:
		return until && (long long)time(NULL) >= until - EXPIRY_MARGIN_S
			       ? "expired"
			       : "ok";
	default:
		return "none";
	}
}

static void hint_locked(struct tx_mcp_auth *a, char *out, size_t outlen)
{
	snprintf(out, outlen,
		 "sign-in needed: open the address in .ctl/auth/%s/login "
		 "(or run `toolexec login %s`) and write the address you "
		 "are sent back to into .ctl/auth/%s/code (or `toolexec "
		 "login %s ADDRESS`)",
		 a->name, a->name, a->name, a->name);
}

void tx_mcp_auth_error(struct tx_mcp_auth *a, char *out, size_t outlen)
{
	pthread_mutex_lock(&a->mu);
	snprintf(out, outlen, "%s", a->last_error);
	pthread_mutex_unlock(&a->mu);
}

void tx_mcp_auth_hint(struct tx_mcp_auth *a, char *out, size_t outlen)
{
	/* No lock: the name never changes, the status is published. */
	if (a->shown == AUTH_NEEDS || a->shown == AUTH_EXPIRED)
		hint_locked(a, out, outlen);
	else if (outlen)
		out[0] = '\0';
}

static void notify(struct tx_mcp_auth *a)
{
	pthread_mutex_lock(&a->wmu);
	for (size_t i = 0; i < a->nwatch; i++)
		a->watch[i].fn(a->watch[i].ctx);
	pthread_mutex_unlock(&a->wmu);
}

int tx_mcp_auth_login(struct tx_mcp_auth *a, char **url, char *err,
		      size_t errlen)
{
	int rc;

	*url = NULL;
	pthread_mutex_lock(&a->mu);
	rc = tx_auth_flow_begin(a, url, err, errlen);
	if (!rc)
		rc = tx_auth_save(a, err, errlen);
	snprintf(a->last_error, sizeof(a->last_error), "%s", rc ? err : "");
	if (rc) {
		free(*url);
		*url = NULL;
	}
	pthread_mutex_unlock(&a->mu);
	return rc;
}

int tx_mcp_auth_code(struct tx_mcp_auth *a, const char *text, char *err,
		     size_t errlen)
{
	int rc;

	pthread_mutex_lock(&a->mu);
	if (!a->p_verifier) {
		snprintf(err, errlen,
			 "no sign-in is under way for %s: read "
			 ".ctl/auth/%s/login (or run `toolexec login %s`) "
			 "first",
			 a->name, a->name, a->name);
		snprintf(a->last_error, sizeof(a->last_error), "%s", err);
		pthread_mutex_unlock(&a->mu);
		return -EINVAL;
	}
	rc = tx_auth_flow_finish(a, text, err, errlen);
	if (!rc)
		rc = tx_auth_save(a, err, errlen);
	snprintf(a->last_error, sizeof(a->last_error), "%s", rc ? err : "");
	pthread_mutex_unlock(&a->mu);
	if (!rc) {
		tx_log(TX_LOG_INFO, "mcp %s: signed in", a->name);
		notify(a);
	}
	return rc;
}

int tx_mcp_auth_set_token(struct tx_mcp_auth *a, const char *token, char *err,
			  size_t errlen)
{
	size_t n = strlen(token);
	char *t;
	int rc;

	while (n && (token[n - 1] == '\n' || token[n - 1] == '\r' ||
		     token[n - 1] == ' '))
		n--;
	if (!n) {
		snprintf(err, errlen, "empty token");
		return -EINVAL;
	}
	/* RFC 6750 b64token characters: it goes into a header line. */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)token[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("-._~+/=", c))) {
			snprintf(err, errlen,
				 "a token is letters, digits and -._~+/= "
				 "only");
			return -EINVAL;
		}
	}
	if (!(t = strndup(token, n)))
		return -ENOMEM;
	pthread_mutex_lock(&a->mu);
	clear_secret(&a->token);
	clear_secret(&a->refresh);
	a->token = t;
	a->gen++;
	a->expires_at = 0;
	tx_auth_set(&a->granted, NULL);
	a->needs = a->expired = false;
	a->step_ups = 0;
	rc = tx_auth_save(a, err, errlen);
	snprintf(a->last_error, sizeof(a->last_error), "%s", rc ? err : "");
	pthread_mutex_unlock(&a->mu);
	if (!rc)
		notify(a);
	return rc;
}

int tx_mcp_auth_watch(struct tx_mcp_auth *a, void (*fn)(void *), void *ctx)
{
	struct auth_watch *w;

	pthread_mutex_lock(&a->wmu);
	w = realloc(a->watch, (a->nwatch + 1) * sizeof(*w));
	if (!w) {
		pthread_mutex_unlock(&a->wmu);
		return -ENOMEM;
	}
	a->watch = w;
	w[a->nwatch].fn = fn;
	w[a->nwatch].ctx = ctx;
	a->nwatch++;
	pthread_mutex_unlock(&a->wmu);
	return 0;
}

void tx_mcp_auth_unwatch(struct tx_mcp_auth *a, void *ctx)
{
	pthread_mutex_lock(&a->wmu);
	for (size_t i = 0; i < a->nwatch; i++) {
		if (a->watch[i].ctx == ctx) {
			a->watch[i] = a->watch[--a->nwatch];
			break;
		}
	}
	pthread_mutex_unlock(&a->wmu);
}

bool tx_mcp_auth_header(struct tx_mcp_auth *a, char *out, size_t outlen,
			unsigned *gen)
{
	char err[300];
	bool have;

	pthread_mutex_lock(&a->mu);
	if ((a->cfg.client_credentials || a->cfg.jwt_bearer) &&
	    (!a->token || token_ran_out(a)) && !a->needs) {
		/* No user to wait for: the client gets its token itself. */
		if (tx_auth_flow_unattended(a, err, sizeof(err))) {
			tx_log(TX_LOG_WARN, "mcp %s: %s", a->name, err);
			snprintf(a->last_error, sizeof(a->last_error), "%s",
				 err);
			a->needs = true;
		}
		if (tx_auth_save(a, err, sizeof(err)))
			tx_log(TX_LOG_WARN, "mcp %s: %s", a->name, err);
	} else if (token_ran_out(a) && a->refresh && !a->expired) {
		if (tx_auth_flow_refresh(a, err, sizeof(err))) {
			tx_log(TX_LOG_WARN, "mcp %s: token refresh failed: %s",
			       a->name, err);
			a->expired = true;
		}
		if (tx_auth_save(a, err, sizeof(err)))
			tx_log(TX_LOG_WARN, "mcp %s: %s", a->name, err);
	}
	have = a->token && !a->expired && strlen(a->token) + 40 < outlen;
	if (have)
		snprintf(out, outlen, "Authorization: Bearer %s", a->token);
	else if (outlen)
		out[0] = '\0';
	*gen = have ? a->gen : 0;
	pthread_mutex_unlock(&a->mu);
	return have;
}

/* Every scope word of want is in have? */
static bool scopes_cover(const char *have, const char *want)
{
	const char *w = want;

	while (w && *w) {
		size_t n;
		const char *h = have;
		bool found = false;

		while (*w == ' ')
			w++;
		n = strcspn(w, " ");
		if (!n)
			break;
		while (h && *h && !found) {
			size_t m;

			while (*h == ' ')
				h++;
			m = strcspn(h, " ");
			found = m == n && !strncmp(h, w, n);
			h += m;
		}
		if (!found)
			return false;
		w += n;
	}
	return true;
}

/* "a b" + "b c" -> "a b c" (malloc'd). */
static char *scopes_union(const char *a, const char *b)
{
	size_t n = (a ? strlen(a) : 0) + (b ? strlen(b) : 0) + 2;
	char *u = malloc(n);
	const char *w = b;

	if (!u)
		return NULL;
	snprintf(u, n, "%s", a ? a : "");
	while (w && *w) {
		size_t m;
		char one[256];

		while (*w == ' ')
			w++;
		m = strcspn(w, " ");
		if (!m)
			break;
		snprintf(one, sizeof(one), "%.*s", (int)m, w);
		if (m < sizeof(one) && !scopes_cover(u, one)) {
			size_t have = strlen(u);

			snprintf(u + have, n - have, "%s%s", have ? " " : "",
				 one);
		}
		w += m;
	}
	return u;
}

int tx_mcp_auth_challenge(struct tx_mcp_auth *a, long status, const char *www,
			  unsigned sent, char *why, size_t whylen)
{
	char *error = www ? tx_auth_www_param(www, "error") : NULL;
	char *scope = www ? tx_auth_www_param(www, "scope") : NULL;
	char *rmeta = www ? tx_auth_www_param(www, "resource_metadata") : NULL;
	char err[300];
	int rc = -EACCES;

	if (status != 401 &&
	    !(status == 403 && error && !strcmp(error, "insufficient_scope"))) {
		rc = 0;
		goto out;
	}
	pthread_mutex_lock(&a->mu);
	if (a->token && sent != a->gen && !a->needs && !a->expired) {
		/* The request went out before our newest token (a sign-in
		 * or refresh since): it is that token's turn. */
		pthread_mutex_unlock(&a->mu);
		rc = 1;
		goto out;
	}
	if (rmeta)
		tx_auth_set(&a->c_rmeta, rmeta);
	if (status == 401 && (a->cfg.client_credentials || a->cfg.jwt_bearer)) {
		/* A new token, then the request again (once: the
		 * connection does not retry a retried request). */
		tx_auth_set(&a->c_scope, scope);
		if (!tx_auth_flow_unattended(a, err, sizeof(err))) {
			tx_auth_save(a, err, sizeof(err));
			pthread_mutex_unlock(&a->mu);
			rc = 1;
			goto out;
		}
		snprintf(why, whylen, "getting a token failed: %s", err);
		snprintf(a->last_error, sizeof(a->last_error), "%s", why);
		a->needs = true;
	} else if (status == 401) {
		if (sent && a->refresh && !a->expired) {
			/* Revoked or expired early: one refresh, then the
			 * request again. */
			if (!tx_auth_flow_refresh(a, err, sizeof(err))) {
				tx_auth_save(a, err, sizeof(err));
				pthread_mutex_unlock(&a->mu);
				rc = 1;
				goto out;
			}
			tx_log(TX_LOG_WARN, "mcp %s: token refresh failed: %s",
			       a->name, err);
		}
		tx_auth_set(&a->c_scope, scope);
		a->step_ups = 0;
		a->needs = true;
		hint_locked(a, why, whylen);
	} else if (a->granted && scope && scopes_cover(a->granted, scope)) {
		/* We hold every scope it names and it still refuses:
		 * asking again cannot help (the spec's retry limit). */
		snprintf(why, whylen,
			 "the server refuses the request although our "
			 "sign-in holds the scope it names (%s)",
			 scope);
	} else if (a->step_ups >= TX_AUTH_STEP_UPS_MAX) {
		snprintf(why, whylen,
			 "the server asked for a larger scope %u times in a "
			 "row; not signing in again",
			 a->step_ups);
	} else {
		/* Step-up: ask for what we had and what it names. */
		char *u = scopes_union(a->granted, scope);

		if (u) {
			free(a->c_scope);
			a->c_scope = u;
		}
		a->step_ups++;
		a->needs = true;
		hint_locked(a, why, whylen);
		snprintf(why + strlen(why), whylen - strlen(why),
			 " (it asks for scope %s)", scope ? scope : "more");
	}
	if (tx_auth_save(a, err, sizeof(err)))
		tx_log(TX_LOG_WARN, "mcp %s: %s", a->name, err);
	pthread_mutex_unlock(&a->mu);
out:
	free(error);
	free(scope);
	free(rmeta);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The engine's face (engine/backend.h): the same, by server name       */

static const char *ops_status(const char *ns)
{
	struct tx_mcp_auth *a = tx_mcp_auth_find(ns);
	const char *s;

	if (!a)
		return NULL;
	s = tx_mcp_auth_status(a);
	tx_mcp_auth_put(a);
	return s;
}

static struct tx_mcp_auth *ops_find(const char *ns, char *err, size_t errlen)
{
	struct tx_mcp_auth *a = tx_mcp_auth_find(ns);

	if (!a)
		snprintf(err, errlen, "no remote MCP server named \"%s\"", ns);
	return a;
}

static int ops_login(const char *ns, char **url, char *err, size_t errlen)
{
	struct tx_mcp_auth *a = ops_find(ns, err, errlen);
	int rc;

	*url = NULL;
	if (!a)
		return -ENOENT;
	rc = tx_mcp_auth_login(a, url, err, errlen);
	tx_mcp_auth_put(a);
	return rc;
}

static int ops_code(const char *ns, const char *text, char *err, size_t errlen)
{
	struct tx_mcp_auth *a = ops_find(ns, err, errlen);
	int rc;

	if (!a)
		return -ENOENT;
	rc = tx_mcp_auth_code(a, text, err, errlen);
	tx_mcp_auth_put(a);
	return rc;
}

static int ops_token(const char *ns, const char *token, char *err,
		     size_t errlen)
{
	struct tx_mcp_auth *a = ops_find(ns, err, errlen);
	int rc;

	if (!a)
		return -ENOENT;
	rc = tx_mcp_auth_set_token(a, token, err, errlen);
	tx_mcp_auth_put(a);
	return rc;
}

/* One of the texts of a server's state into buf ("" for none). */
static void ops_text(const char *ns, char *buf, size_t len,
		     void (*fn)(struct tx_mcp_auth *, char *, size_t))
{
	struct tx_mcp_auth *a = tx_mcp_auth_find(ns);

	if (len)
		buf[0] = '\0';
	if (a) {
		fn(a, buf, len);
		tx_mcp_auth_put(a);
	}
}

static void ops_hint(const char *ns, char *buf, size_t len)
{
	ops_text(ns, buf, len, tx_mcp_auth_hint);
}

static void ops_error(const char *ns, char *buf, size_t len)
{
	ops_text(ns, buf, len, tx_mcp_auth_error);
}

const struct tx_auth_ops tx_mcp_auth_ops = {
	.names = tx_mcp_auth_names,
	.status = ops_status,
	.login = ops_login,
	.code = ops_code,
	.token = ops_token,
	.hint = ops_hint,
	.error = ops_error,
};
