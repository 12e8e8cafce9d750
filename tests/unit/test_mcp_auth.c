/*
 * test_mcp_auth.c - the sign-in state of remote MCP servers without a
 * network: the "auth" configuration keys and their errors; parameters
 * of WWW-Authenticate; the state file (mode 0600 in a 0700 directory,
 * read back by a new process's state, dropped when the server's URL
 * changes); what 401 and 403 insufficient_scope do to the status,
 * including the step-up limit, and a 401 to a request made with an
 * older token than the newest (sent again, no sign-in); the
 * Authorization header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/mcp_auth.h"
#include "backend/mcp_auth_i.h"
#include "config/config.h"

static int parse(const char *doc, struct tx_config_file **cf, char *err,
		 size_t errlen)
{
	err[0] = '\0';
	return tx_config_parse_buffer("t.json", doc, strlen(doc), cf, err,
				      errlen);
}

static void test_config(void **state)
{
	struct tx_config_file *cf = NULL;
	struct tx_mcp_spec *d;
	char err[512];

	(void)state;
	assert_int_equal(
		parse("{\"mcpServers\":{\"w\":{\"url\":\"http://h/mcp\","
		      "\"auth\":{\"client_id\":\"c\",\"client_secret\":\"s\","
		      "\"client_metadata_url\":\"https://me/c.json\","
		      "\"redirect_uri\":\"http://localhost:1/cb\","
		      "\"scope\":\"a b\",\"state_dir\":\"/tmp/x\"}}}}",
		      &cf, err, sizeof(err)),
		0);
	assert_string_equal(cf->servers[0].auth.client_id, "c");
	assert_string_equal(cf->servers[0].auth.client_secret, "s");
	assert_string_equal(cf->servers[0].auth.client_metadata_url,
			    "https://me/c.json");
	assert_string_equal(cf->servers[0].auth.redirect_uri,
			    "http://localhost:1/cb");
	assert_string_equal(cf->servers[0].auth.scope, "a b");
	assert_string_equal(cf->servers[0].auth.state_dir, "/tmp/x");
	d = tx_mcp_spec_dup(&cf->servers[0]);
	assert_non_null(d);
	assert_true(tx_mcp_spec_equal(d, &cf->servers[0]));
	free(d->auth.scope);
	d->auth.scope = strdup("a");
	assert_false(tx_mcp_spec_equal(d, &cf->servers[0]));
	tx_mcp_spec_free(d);
	tx_config_file_free(cf);

	assert_int_equal(parse("{\"mcpServers\":{\"w\":{\"url\":\"http://h\","
			       "\"auth\":{\"client_secret\":\"s\"}}}}",
			       &cf, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "$.mcpServers.w.auth: \"client_secret\" "
				    "needs \"client_id\""));
	tx_config_file_free(cf);
	assert_int_equal(parse("{\"mcpServers\":{\"w\":{\"url\":\"http://h\","
			       "\"auth\":{\"state_dir\":\"rel\"}}}}",
			       &cf, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "\"state_dir\" must be an absolute path"));
	tx_config_file_free(cf);
	assert_int_equal(
		parse("{\"mcpServers\":{\"w\":{\"url\":\"http://h\","
		      "\"auth\":{\"client_metadata_url\":\"http://me/c\"}}}}",
		      &cf, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "must be an https:// URL"));
	tx_config_file_free(cf);
	assert_int_equal(parse("{\"mcpServers\":{\"w\":{\"command\":\"x\","
			       "\"auth\":{}}}}",
			       &cf, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "applies to remote servers"));
	tx_config_file_free(cf);
	assert_int_equal(parse("{\"mcpServers\":{\"w\":{\"url\":\"http://h\","
			       "\"auth\":{\"grant\":\"client_credentials\","
			       "\"client_id\":\"c\"}}}}",
			       &cf, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err,
			       "needs \"client_id\" and "
			       "\"client_secret\" or \"private_key_file\""));
	tx_config_file_free(cf);
	assert_int_equal(parse("{\"mcpServers\":{\"w\":{\"url\":\"http://h\","
			       "\"auth\":{\"grant\":\"client_credentials\","
			       "\"client_id\":\"c\","
			       "\"private_key_file\":\"/k.pem\"}}}}",
			       &cf, err, sizeof(err)),
			 0);
	assert_true(cf->servers[0].auth.client_credentials);
	assert_string_equal(cf->servers[0].auth.private_key_file, "/k.pem");
	tx_config_file_free(cf);
	assert_int_equal(parse("{\"mcpServers\":{\"w\":{\"url\":\"http://h\","
			       "\"auth\":{\"grant\":\"implicit\"}}}}",
			       &cf, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "\"grant\" must be"));
	tx_config_file_free(cf);
	assert_int_equal(parse("{\"mcpServers\":{\"w\":{\"url\":\"http://h\","
			       "\"auth\":{\"grant\":\"jwt_bearer\","
			       "\"client_id\":\"c\"}}}}",
			       &cf, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "\"jwt_bearer\" needs"));
	tx_config_file_free(cf);
	assert_int_equal(parse("{\"mcpServers\":{\"w\":{\"url\":\"http://h\","
			       "\"auth\":{\"clientid\":\"c\"}}}}",
			       &cf, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "clientid"));
	tx_config_file_free(cf);
}

static void test_www_param(void **state)
{
	static const char www[] =
		"Bearer error=\"insufficient_scope\", error_uri=\"u\", "
		"scope=\"a b\",resource_metadata=\"http://h/.well-known/x\", "
		"realm=plain, quoted=\"say \\\"hi\\\"\"";
	char *v;

	(void)state;
	v = tx_auth_www_param(www, "error");
	assert_string_equal(v, "insufficient_scope");
	free(v);
	v = tx_auth_www_param(www, "scope");
	assert_string_equal(v, "a b");
	free(v);
	v = tx_auth_www_param(www, "resource_metadata");
	assert_string_equal(v, "http://h/.well-known/x");
	free(v);
	v = tx_auth_www_param(www, "realm");
	assert_string_equal(v, "plain");
	free(v);
	v = tx_auth_www_param(www, "quoted");
	assert_string_equal(v, "say \"hi\"");
	free(v);
	assert_null(tx_auth_www_param(www, "missing"));
	assert_null(tx_auth_www_param("Bearer", "scope"));
}

static char dir[64];

static struct tx_mcp_auth *attach(const char *url)
{
	struct tx_mcp_spec spec = { 0 };

	spec.name = "srv/x"; /* a '/' must not make a directory */
	spec.url = (char *)url;
	spec.auth.state_dir = dir;
	return tx_mcp_auth_attach(&spec);
}

static void test_state_file(void **state)
{
	struct tx_mcp_auth *a;
	char err[256], hdr[256], path[128];
	struct stat st;
	unsigned gen;
	char **names;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/txauth.XXXXXX");
	assert_non_null(mkdtemp(dir));
	a = attach("http://h/mcp");
	assert_non_null(a);
	assert_string_equal(tx_mcp_auth_status(a), "none");
	assert_false(tx_mcp_auth_header(a, hdr, sizeof(hdr), &gen));
	assert_string_equal(hdr, "");
	names = tx_mcp_auth_names();
	assert_string_equal(names[0], "srv/x");
	assert_null(names[1]);
	free(names[0]);
	free(names);
	assert_int_equal(tx_mcp_auth_set_token(a, "bad token", err,
					       sizeof(err)),
			 -EINVAL);
	assert_int_equal(tx_mcp_auth_set_token(a, "tok-1\n", err, sizeof(err)),
			 0);
	assert_string_equal(tx_mcp_auth_status(a), "ok");
	assert_true(tx_mcp_auth_header(a, hdr, sizeof(hdr), &gen));
	assert_string_equal(hdr, "Authorization: Bearer tok-1");
	snprintf(path, sizeof(path), "%s/auth/srv%%2Fx.json", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/auth", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	tx_mcp_auth_put(a);

	/* A new state (as in a new process) reads the token back... */
	assert_null(tx_mcp_auth_find("srv/x"));
	a = attach("http://h/mcp");
	assert_string_equal(tx_mcp_auth_status(a), "ok");
	assert_true(tx_mcp_auth_header(a, hdr, sizeof(hdr), &gen));
	assert_string_equal(hdr, "Authorization: Bearer tok-1");
	tx_mcp_auth_put(a);
	/* ...but not for another URL: tokens are for their server. */
	a = attach("http://other/mcp");
	assert_string_equal(tx_mcp_auth_status(a), "none");
	assert_false(tx_mcp_auth_header(a, hdr, sizeof(hdr), &gen));
	tx_mcp_auth_put(a);
}

static void test_challenges(void **state)
{
	struct tx_mcp_auth *a;
	char err[256], why[600], hdr[256];
	unsigned gen, old;

	(void)state;
	a = attach("http://h/mcp");
	/* test_state_file left a token for this URL. */
	assert_true(tx_mcp_auth_header(a, hdr, sizeof(hdr), &gen));
	assert_int_not_equal(gen, 0);
	/* Not a sign-in matter. */
	assert_int_equal(tx_mcp_auth_challenge(a, 403, "Bearer error=\"x\"",
					       gen, why, sizeof(why)),
			 0);
	assert_int_equal(
		tx_mcp_auth_challenge(a, 500, NULL, gen, why, sizeof(why)), 0);
	/* A 401 to a request that went out before a newer token: send it
	 * again with that one, no sign-in. */
	old = gen;
	assert_int_equal(tx_mcp_auth_set_token(a, "tok-new", err, sizeof(err)),
			 0);
	assert_int_equal(tx_mcp_auth_challenge(a, 401, "Bearer", old, why,
					       sizeof(why)),
			 1);
	assert_string_equal(tx_mcp_auth_status(a), "ok");
	assert_true(tx_mcp_auth_header(a, hdr, sizeof(hdr), &gen));
	assert_int_not_equal(gen, old);
	/* 401 to our newest token: sign in, with the scope it named. */
	assert_int_equal(
		tx_mcp_auth_challenge(a, 401,
				      "Bearer scope=\"read\", "
				      "resource_metadata=\"http://h/m\"",
				      gen, why, sizeof(why)),
		-EACCES);
	assert_string_equal(tx_mcp_auth_status(a), "needs-login");
	assert_non_null(strstr(why, "sign-in needed: open the address in "
				    ".ctl/auth/srv/x/login"));
	pthread_mutex_lock(&a->mu);
	assert_string_equal(a->c_scope, "read");
	assert_string_equal(a->c_rmeta, "http://h/m");
	/* As if the sign-in granted "read". */
	tx_auth_set(&a->token, "tok-2");
	a->gen++;
	gen = a->gen;
	tx_auth_set(&a->granted, "read");
	a->needs = false;
	tx_auth_save(a, err, sizeof(err));
	pthread_mutex_unlock(&a->mu);
	assert_string_equal(tx_mcp_auth_status(a), "ok");

	/* 403 for a scope we hold: asking again cannot help. */
	assert_int_equal(
		tx_mcp_auth_challenge(a, 403,
				      "Bearer error=\"insufficient_scope\", "
				      "scope=\"read\"",
				      gen, why, sizeof(why)),
		-EACCES);
	assert_non_null(strstr(why, "refuses the request although"));
	assert_string_equal(tx_mcp_auth_status(a), "ok");

	/* 403 for more: step up to the union, at most twice in a row. */
	for (int i = 0; i < TX_AUTH_STEP_UPS_MAX; i++) {
		char want[80];

		snprintf(want, sizeof(want),
			 "Bearer error=\"insufficient_"
			 "scope\", scope=\"w%d\"",
			 i);
		assert_int_equal(tx_mcp_auth_challenge(a, 403, want, gen, why,
						       sizeof(why)),
				 -EACCES);
		assert_string_equal(tx_mcp_auth_status(a), "needs-login");
		pthread_mutex_lock(&a->mu);
		assert_string_equal(a->c_scope, i ? "read w0 w1" : "read w0");
		/* Granted the larger scope. */
		tx_auth_set(&a->granted, a->c_scope);
		a->gen++;
		gen = a->gen;
		a->needs = false;
		tx_auth_save(a, err, sizeof(err));
		pthread_mutex_unlock(&a->mu);
	}
	assert_int_equal(tx_mcp_auth_challenge(a, 403,
					       "Bearer error=\"insufficient_"
					       "scope\", scope=\"w9\"",
					       gen, why, sizeof(why)),
			 -EACCES);
	assert_non_null(strstr(why, "asked for a larger scope 2 times"));
	assert_string_equal(tx_mcp_auth_status(a), "ok");
	tx_mcp_auth_put(a);
}

static int remove_dir(void **state)
{
	char p[128];

	(void)state;
	snprintf(p, sizeof(p), "%s/auth/srv%%2Fx.json", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/auth", dir);
	rmdir(p);
	rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_www_param),
		cmocka_unit_test(test_state_file),
		cmocka_unit_test(test_challenges),
	};

	return cmocka_run_group_tests(tests, NULL, remove_dir);
}
