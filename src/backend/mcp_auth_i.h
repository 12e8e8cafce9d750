/*
 * mcp_auth_i.h - what mcp_auth.c (the state, its file, the API),
 * mcp_auth_flow.c (the OAuth exchanges on the network) and
 * mcp_auth_unattended.c (the grants without a user) share.
 */
#ifndef TX_MCP_AUTH_I_H
#define TX_MCP_AUTH_I_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "backend/mcp_auth.h"
#include "config/config.h"
#include "util/buf.h"

struct json_object;

/* A challenge may ask for a larger scope this many times in a row (the
 * spec's "retry limits" for 403 insufficient_scope); then we stop. */
#define TX_AUTH_STEP_UPS_MAX 2

struct auth_watch {
	void (*fn)(void *);
	void *ctx;
};

struct tx_mcp_auth {
	struct tx_mcp_auth *next; /* registry list; the registry's lock */
	int refs;                 /* the registry's lock */

	pthread_mutex_t mu; /* every field below; held across a sign-in's
			     * network exchanges (bounded by timeouts) */
	char *name;
	char *url;                   /* the server's URL (the resource) */
	struct tx_mcp_auth_spec cfg; /* our copies */
	char *path;                  /* the state file */

	/* Kept in the state file (mode 0600): */
	char *token, *refresh, *granted; /* granted: the token's scope */
	long long expires_at;            /* wall clock, s; 0: unknown */
	char *client_id, *client_secret, *client_method;
	char *client_for; /* the token endpoint the client is registered at */
	char *authz_ep, *token_ep, *reg_ep, *resource;
	/* the sign-in under way: PKCE verifier, state, redirect, scope */
	char *p_verifier, *p_state, *p_redirect, *p_scope;
	/* what the server asked for last (WWW-Authenticate) */
	char *c_scope, *c_rmeta;
	bool needs;           /* the server refused us: sign in again */
	bool expired;         /* our token ran out and could not be refreshed */
	unsigned step_ups;    /* larger scopes asked in a row */
	char last_error[512]; /* of the last sign-in step; "" if it worked */
	unsigned gen; /* grows at each new token: which one a request had */

	/* The status as of the last change, for readers that must not
	 * wait out a sign-in's network exchanges (a call holding its
	 * backend's lock): AUTH_* below, and the token's end. */
	_Atomic int shown;
	_Atomic long long shown_until;

	pthread_mutex_t wmu; /* the watch list; held while calling it */
	struct auth_watch *watch;
	size_t nwatch;
};

enum { AUTH_NONE, AUTH_OK, AUTH_EXPIRED, AUTH_NEEDS };

/* mcp_auth.c: writes the state file and publishes the status (a->mu
 * held).  0 or -errno. */
int tx_auth_save(struct tx_mcp_auth *a, char *err, size_t errlen);
/* Replaces *dst by a copy of src (NULL clears).  0 or -ENOMEM. */
int tx_auth_set(char **dst, const char *src);
/* The same for a secret: the old value is overwritten before it is
 * freed. */
int tx_auth_set_secret(char **dst, const char *src);

/* mcp_auth_flow.c, each with a->mu held: */
/* Discovery, registration and the authorization URL (*url malloc'd). */
int tx_auth_flow_begin(struct tx_mcp_auth *a, char **url, char *err,
		       size_t errlen);
/* The code exchange; text is the redirect address or the bare code. */
int tx_auth_flow_finish(struct tx_mcp_auth *a, const char *text, char *err,
			size_t errlen);
/* The refresh grant.  0 or -errno. */
int tx_auth_flow_refresh(struct tx_mcp_auth *a, char *err, size_t errlen);
/* One parameter of a WWW-Authenticate value (malloc'd) or NULL. */
char *tx_auth_www_param(const char *www, const char *key);

/* What mcp_auth_flow.c lends mcp_auth_unattended.c: */
/* An HTTP answer: its status, body (capped) and WWW-Authenticate. */
struct tx_auth_resp {
	long status;
	struct tx_buf body;
	char www[1024];
};
/* One request: GET when body is NULL, else POST of body as ctype;
 * auth an Authorization header value or NULL.  0 with r filled (any
 * status; the caller releases r->body), or -errno with err. */
int tx_auth_http(const char *url, const char *ctype, const char *body,
		 const char *auth, struct tx_auth_resp *r, char *err,
		 size_t errlen);
/* The answer as a JSON object (json_object_put), or NULL. */
struct json_object *tx_auth_resp_json(const struct tx_auth_resp *r);
/* o[key] when it is a string (borrowed from o), else NULL. */
const char *tx_auth_jstr(struct json_object *o, const char *key);
/* Adds k=v to the form in b ('&' between pairs, v form-encoded);
 * nothing when v is NULL. */
void tx_auth_add_param(struct tx_buf *b, const char *k, const char *v);
/* in as base64url without padding into out, which holds
 * 4 * ((n + 2) / 3) + 1 bytes. */
void tx_auth_b64url(const unsigned char *in, size_t n, char *out);
/* nbytes (at most 64) random bytes as base64url into out.  0 or -EIO. */
int tx_auth_random_b64url(size_t nbytes, char *out);
/* The length of url's scheme://host[:port], or 0. */
size_t tx_auth_origin_len(const char *url);
/* Discovery, steps 1 and 2: fills a's endpoints and resource;
 * *prm_scopes (free) and *as_meta (json_object_put) are the caller's.
 * 0 or -errno with err. */
int tx_auth_discover(struct tx_mcp_auth *a, char **prm_scopes,
		     struct json_object **as_meta, char *err, size_t errlen);
/* client_secret_basic, unless the server's metadata as lists
 * client_secret_post and not it (a static string). */
const char *tx_auth_secret_method(struct json_object *as);
/* POSTs the grant in form, the client authenticated as a->client_method,
 * and keeps the token it answers.  0 or -errno with err. */
int tx_auth_token_request(struct tx_mcp_auth *a, struct tx_buf *form,
			  const char *scope_asked, char *err, size_t errlen);

/* mcp_auth_unattended.c, with a->mu held: */
/* A token without a user: the client_credentials grant (the client
 * authenticated with its secret or a private_key_jwt assertion), or the
 * jwt_bearer grant of an ID-JAG the identity provider exchanged for our
 * ID token.  0 or -errno. */
int tx_auth_flow_unattended(struct tx_mcp_auth *a, char *err, size_t errlen);

#endif
