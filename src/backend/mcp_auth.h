/*
 * mcp_auth.h - sign-in for remote MCP servers (MCP authorization, OAuth
 * 2.1 with PKCE; docs/mcp.md, "Sign-in").
 *
 * One sign-in state per configured remote server, found by the server's
 * name, shared by its connections, the mount's .ctl/auth/NAME/ files
 * and the toolexec command.  Tokens are kept in a file of mode 0600
 * under the state directory and never handed out except as the
 * Authorization header of a request to that server.
 *
 * Conventions: functions that act return 0 or -errno with a reason in
 * err; every function is thread-safe.
 */
#ifndef TX_MCP_AUTH_H
#define TX_MCP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

struct tx_mcp_spec;
struct tx_mcp_auth;
struct tx_auth_ops;

/* The engine's face of the states below, by server name (the mcp kind's
 * `auth`, engine/backend.h). */
extern const struct tx_auth_ops tx_mcp_auth_ops;

/*
 * The sign-in state of the remote server spec->name, created on first
 * use (its state file read), its settings replaced by spec's otherwise.
 * A new reference (tx_mcp_auth_put), or NULL with errno.
 */
struct tx_mcp_auth *tx_mcp_auth_attach(const struct tx_mcp_spec *spec);
/* A new reference to an attached server's state, or NULL. */
struct tx_mcp_auth *tx_mcp_auth_find(const char *name);
void tx_mcp_auth_put(struct tx_mcp_auth *a);
/* Names of the attached servers, sorted; NULL-terminated, malloc'd (the
 * caller frees each and the vector).  NULL with errno on failure. */
char **tx_mcp_auth_names(void);

/* "ok", "expired", "needs-login", or "none" (the server never asked and
 * we hold no token).  Borrowed, static. */
const char *tx_mcp_auth_status(struct tx_mcp_auth *a);

/*
 * Starts a sign-in: finds the server's authorization server (the
 * protected-resource metadata, then its metadata), registers a client
 * when needed, and returns in *url (malloc'd) the address to open in a
 * browser.  Blocks on the network (bounded timeouts).
 */
int tx_mcp_auth_login(struct tx_mcp_auth *a, char **url, char *err,
		      size_t errlen);
/*
 * Completes the sign-in started last: text is the address the browser
 * was sent back to (its code and state are checked), or the bare code.
 * Exchanges the code for a token and keeps it.
 */
int tx_mcp_auth_code(struct tx_mcp_auth *a, const char *text, char *err,
		     size_t errlen);
/* Keeps a token obtained elsewhere (no refresh). */
int tx_mcp_auth_set_token(struct tx_mcp_auth *a, const char *token, char *err,
			  size_t errlen);

/*
 * fn(ctx) is called (on the signing-in thread, with no lock of ours
 * held but the watch list's) after each sign-in, so the server's
 * backend connects again at once.  unwatch waits out a running call.
 */
int tx_mcp_auth_watch(struct tx_mcp_auth *a, void (*fn)(void *), void *ctx);
void tx_mcp_auth_unwatch(struct tx_mcp_auth *a, void *ctx);

/* For the HTTP connection. */

/*
 * Writes "Authorization: Bearer TOKEN" to out when we hold a token for
 * this server (refreshing one that expired, which may block), else "",
 * and in *gen which token that is (0: none), for tx_mcp_auth_challenge.
 * Returns true when a header was written.
 */
bool tx_mcp_auth_header(struct tx_mcp_auth *a, char *out, size_t outlen,
			unsigned *gen);
/*
 * The server answered a request with HTTP status (401 or 403) and this
 * WWW-Authenticate value (NULL: none); sent: the *gen the request's
 * header had (0: no token).  Returns 1 when the request should be sent
 * again at once (a refreshed token, or one newer than the request's), 0
 * when status is no sign-in matter, or -EACCES with why saying where to
 * sign in.
 */
int tx_mcp_auth_challenge(struct tx_mcp_auth *a, long status, const char *www,
			  unsigned sent, char *why, size_t whylen);
/* Why the last sign-in step (login, code, token) failed; "" when it
 * worked.  Never holds a secret. */
void tx_mcp_auth_error(struct tx_mcp_auth *a, char *out, size_t outlen);
/* A "where to sign in" text for a server that needs it; "" otherwise. */
void tx_mcp_auth_hint(struct tx_mcp_auth *a, char *out, size_t outlen);

#endif
