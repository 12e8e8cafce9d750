/*
 * mcp_auth_i.h - what mcp_auth.c (the state, its file, the API) and
 * mcp_auth_flow.c (the OAuth exchanges on the network) share.
 */
#ifndef TX_MCP_AUTH_I_H
#define TX_MCP_AUTH_I_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "backend/mcp_auth.h"
#include "config/config.h"

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
/* A token without a user: the client_credentials grant (the client
 * authenticated with its secret or a private_key_jwt assertion), or the
 * jwt_bearer grant of an ID-JAG the identity provider exchanged for our
 * ID token.  0 or -errno. */
int tx_auth_flow_unattended(struct tx_mcp_auth *a, char *err, size_t errlen);
/* The refresh grant.  0 or -errno. */
int tx_auth_flow_refresh(struct tx_mcp_auth *a, char *err, size_t errlen);
/* One parameter of a WWW-Authenticate value (malloc'd) or NULL. */
char *tx_auth_www_param(const char *www, const char *key);

#endif
