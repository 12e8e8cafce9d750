/*
 * mcp_auth_unattended.c - tokens without a user (mcp_auth_flow.c has
 * the sign-in a person completes):
 *
 *   - the client_credentials grant (an extension, SEP-1046), the client
 *     authenticated with its secret or with a private_key_jwt assertion
 *     (RFC 7523) signed with its key;
 *   - enterprise-managed (SEP-990): the identity provider exchanges our
 *     ID token for an ID-JAG (RFC 8693), which we present with the
 *     jwt-bearer grant (RFC 7523).
 *
 * Discovery and the token request are mcp_auth_flow.c's.  All of it
 * runs with the state's lock held (mcp_auth.c) and blocks on the
 * network with bounded timeouts.  Signatures come from OpenSSL.
 */
#include "backend/mcp_auth_i.h"

#include <errno.h>
#include <json-c/json.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"

/* A JWS of header and claims (JSON texts) signed with key: ES256 for an
 * EC P-256 key (the signature as r || s, RFC 7518 3.4), else RS256.
 * malloc'd, or NULL with err. */
static char *sign_jwt(EVP_PKEY *key, const char *claims, char *err,
		      size_t errlen)
{
	bool ec = EVP_PKEY_base_id(key) == EVP_PKEY_EC;
	const char *header = ec ? "{\"alg\":\"ES256\",\"typ\":\"JWT\"}"
				: "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
	size_t hl = strlen(header), cl = strlen(claims);
	char *h64 = malloc(hl * 4 / 3 + 4), *c64 = malloc(cl * 4 / 3 + 4);
	char *input = NULL, *out = NULL, *s64 = NULL;
	unsigned char *sig = NULL, raw[64];
	size_t siglen = 0, len;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (!h64 || !c64 || !md)
		goto out_nomem;
	tx_auth_b64url((const unsigned char *)header, hl, h64);
	tx_auth_b64url((const unsigned char *)claims, cl, c64);
	len = strlen(h64) + strlen(c64) + 2;
	if (!(input = malloc(len)))
		goto out_nomem;
	snprintf(input, len, "%s.%s", h64, c64);
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)input,
			   strlen(input)) != 1 ||
	    !(sig = malloc(siglen)) ||
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)input,
			   strlen(input)) != 1) {
		snprintf(err, errlen, "signing the client assertion failed");
		goto out;
	}
	if (ec) {
		/* DER (r, s) -> two 32-byte big-endian numbers. */
		const unsigned char *p = sig;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)siglen);

		if (!es || BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32) != 32 ||
		    BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32) != 32) {
			ECDSA_SIG_free(es);
			snprintf(err, errlen,
				 "the EC key is not P-256 (ES256)");
			goto out;
		}
		ECDSA_SIG_free(es);
		memcpy(sig, raw, 64);
		siglen = 64;
	}
	if (!(s64 = malloc(siglen * 4 / 3 + 4)))
		goto out_nomem;
	tx_auth_b64url(sig, siglen, s64);
	len = strlen(input) + strlen(s64) + 2;
	if (!(out = malloc(len)))
		goto out_nomem;
	snprintf(out, len, "%s.%s", input, s64);
	goto out;
out_nomem:
	snprintf(err, errlen, "out of memory");
out:
	EVP_MD_CTX_free(md);
	free(h64);
	free(c64);
	free(input);
	free(sig);
	free(s64);
	return out;
}

/* The private_key_jwt assertion for the token endpoint (RFC 7523 2.2):
 * iss and sub are the client, aud the authorization server.  malloc'd,
 * or NULL with err. */
static char *client_assertion(struct tx_mcp_auth *a, const char *aud, char *err,
			      size_t errlen)
{
	struct json_object *c = json_object_new_object();
	char jti[32];
	long long now = (long long)time(NULL);
	EVP_PKEY *key = NULL;
	FILE *f;
	char *jwt = NULL;

	f = fopen(a->cfg.private_key_file, "re");
	if (f) {
		key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (!key) {
		snprintf(err, errlen, "cannot read a private key from %s",
			 a->cfg.private_key_file);
		goto out;
	}
	if (tx_auth_random_b64url(16, jti)) {
		snprintf(err, errlen, "no random bytes");
		goto out;
	}
	json_object_object_add(c, "iss", json_object_new_string(a->client_id));
	json_object_object_add(c, "sub", json_object_new_string(a->client_id));
	json_object_object_add(c, "aud", json_object_new_string(aud));
	json_object_object_add(c, "iat", json_object_new_int64(now));
	json_object_object_add(c, "exp", json_object_new_int64(now + 300));
	json_object_object_add(c, "jti", json_object_new_string(jti));
	jwt = sign_jwt(
		key, json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN),
		err, errlen);
out:
	EVP_PKEY_free(key);
	json_object_put(c);
	return jwt;
}

/* The identity provider's token exchange: our ID token for an ID-JAG
 * naming aud (the authorization server) and our resource.  malloc'd, or
 * NULL with err. */
static char *exchange_id_token(struct tx_mcp_auth *a, const char *aud,
			       const char *scope, char *err, size_t errlen)
{
	char idt[16384];
	struct tx_buf form;
	struct json_object *o = NULL;
	char *jag = NULL;
	struct tx_auth_resp r;
	FILE *f;
	size_t n = 0;

	f = fopen(a->cfg.id_token_file, "re");
	if (f) {
		n = fread(idt, 1, sizeof(idt) - 1, f);
		fclose(f);
	}
	while (n &&
	       (idt[n - 1] == '\n' || idt[n - 1] == '\r' || idt[n - 1] == ' '))
		n--;
	idt[n] = '\0';
	if (!n) {
		snprintf(err, errlen, "no ID token in %s",
			 a->cfg.id_token_file);
		return NULL;
	}
	tx_buf_init(&form, 65536);
	tx_auth_add_param(&form, "grant_type",
			  "urn:ietf:params:oauth:grant-type:token-exchange");
	tx_auth_add_param(&form, "subject_token", idt);
	tx_auth_add_param(&form, "subject_token_type",
			  "urn:ietf:params:oauth:token-type:id_token");
	tx_auth_add_param(&form, "requested_token_type",
			  "urn:ietf:params:oauth:token-type:id-jag");
	tx_auth_add_param(&form, "audience", aud);
	tx_auth_add_param(&form, "resource", a->resource);
	tx_auth_add_param(&form, "scope", scope);
	tx_auth_add_param(&form, "client_id", a->cfg.idp_client_id);
	explicit_bzero(idt, sizeof(idt));
	if (!form.data || tx_auth_http(a->cfg.idp_token_endpoint,
				       "application/x-www-form-urlencoded",
				       form.data, NULL, &r, err, errlen)) {
		if (!form.data)
			snprintf(err, errlen, "out of memory");
		tx_buf_release(&form);
		return NULL;
	}
	explicit_bzero(form.data, form.len);
	tx_buf_release(&form);
	o = tx_auth_resp_json(&r);
	if (r.status == 200 && tx_auth_jstr(o, "access_token"))
		jag = strdup(tx_auth_jstr(o, "access_token"));
	else
		snprintf(err, errlen,
			 "the identity provider's token exchange at %s "
			 "refused (HTTP %ld)%s%s",
			 a->cfg.idp_token_endpoint, r.status,
			 tx_auth_jstr(o, "error") ? ": " : "",
			 tx_auth_jstr(o, "error") ? tx_auth_jstr(o, "error")
						  : "");
	json_object_put(o);
	if (r.body.data)
		explicit_bzero(r.body.data, r.body.len);
	tx_buf_release(&r.body);
	return jag;
}

int tx_auth_flow_unattended(struct tx_mcp_auth *a, char *err, size_t errlen)
{
	struct json_object *as = NULL;
	char *prm_scopes = NULL, *jwt = NULL;
	const char *scope;
	struct tx_buf form;
	int rc;

	if ((rc = tx_auth_discover(a, &prm_scopes, &as, err, errlen)))
		goto out;
	tx_auth_set(&a->client_id, a->cfg.client_id);
	tx_auth_set_secret(&a->client_secret, a->cfg.client_secret);
	tx_auth_set(&a->client_for, a->token_ep);
	scope = a->c_scope                    ? a->c_scope
		: prm_scopes && prm_scopes[0] ? prm_scopes
					      : a->cfg.scope;
	tx_buf_init(&form, 65536);
	if (a->cfg.jwt_bearer) {
		/* The ID-JAG is for the authorization server: its issuer,
		 * else its origin. */
		char origin[1024];
		const char *aud = tx_auth_jstr(as, "issuer");

		if (!aud) {
			snprintf(origin, sizeof(origin), "%.*s",
				 (int)tx_auth_origin_len(a->token_ep),
				 a->token_ep);
			aud = origin;
		}
		jwt = exchange_id_token(a, aud, scope, err, errlen);
		if (!jwt) {
			tx_buf_release(&form);
			rc = -EACCES;
			goto out;
		}
		tx_auth_add_param(
			&form, "grant_type",
			"urn:ietf:params:oauth:grant-type:jwt-bearer");
		tx_auth_add_param(&form, "assertion", jwt);
		tx_auth_add_param(&form, "scope", scope);
		tx_auth_set(&a->client_method,
			    a->client_secret ? tx_auth_secret_method(as)
					     : "none");
	} else if (a->cfg.private_key_file) {
		tx_auth_add_param(&form, "grant_type", "client_credentials");
		tx_auth_add_param(&form, "scope", scope);
		/* The audience is the authorization server: its issuer,
		 * else its token endpoint. */
		const char *aud = tx_auth_jstr(as, "issuer")
					  ? tx_auth_jstr(as, "issuer")
					  : a->token_ep;

		jwt = client_assertion(a, aud, err, errlen);
		if (!jwt) {
			tx_buf_release(&form);
			rc = -EINVAL;
			goto out;
		}
		tx_auth_set(&a->client_method, "private_key_jwt");
		tx_auth_add_param(&form, "client_assertion_type",
				  "urn:ietf:params:oauth:client-assertion-type:"
				  "jwt-bearer");
		tx_auth_add_param(&form, "client_assertion", jwt);
	} else {
		tx_auth_add_param(&form, "grant_type", "client_credentials");
		tx_auth_add_param(&form, "scope", scope);
		tx_auth_set(&a->client_method, tx_auth_secret_method(as));
	}
	rc = tx_auth_token_request(a, &form, scope, err, errlen);
	if (form.data)
		explicit_bzero(form.data, form.len);
	tx_buf_release(&form);
out:
	free(jwt);
	free(prm_scopes);
	json_object_put(as);
	return rc;
}
