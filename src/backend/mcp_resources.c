/*
 * mcp_resources.c - what a server offers besides tools: resources,
 * resource templates and prompts, listed into the engine's catalog
 * (engine/catalog.h) and read on demand; the roots we give it.
 *
 * Only what the server declared is asked for: resources/list and
 * resources/templates/list with "resources", prompts/list with
 * "prompts", resources/subscribe with "resources.subscribe".  Every
 * list is paged to its end (LIST_PAGES_MAX pages at most) and published
 * as a whole, so a reader never sees half a listing; list_changed of
 * either kind lists everything again on the manager thread.
 *
 * The mount's reads (read_start, prompt_get_start) wait for nothing:
 * they are ASYNC requests, queued and sent as calls are, and their
 * answer goes to a function.  toolexec(1)'s reads (read, prompt_get)
 * wait for the answer on the caller's thread (bounded by the server's
 * timeout_ms).  A server that is not connected (a lazy one between
 * calls, one that went down) is started for either as it is for a
 * call, for at most startup_timeout_ms.
 */
#include "backend/mcp_backend_i.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "engine/catalog.h"
#include "engine/registry.h"
#include "util/jsonu.h"
#include "util/log.h"

/* ---- capabilities and initialize ------------------------------------ */

void tx_mcp_extras_caps(struct mcp_backend *be, struct json_object *caps)
{
	struct json_object *res = NULL, *sub = NULL;
	bool is_obj = caps && json_object_is_type(caps, json_type_object);

	/* be->mu held by the caller. */
	be->cap_resources = is_obj &&
			    json_object_object_get_ex(caps, "resources", &res);
	be->cap_res_subscribe =
		be->cap_resources && res &&
		json_object_object_get_ex(res, "subscribe", &sub) &&
		json_object_get_boolean(sub);
	be->cap_prompts = is_obj &&
			  json_object_object_get_ex(caps, "prompts", NULL);
	be->cap_completions =
		is_obj && json_object_object_get_ex(caps, "completions", NULL);
}

int tx_mcp_extras_init_params(struct mcp_backend *be,
			      struct json_object *params)
{
	struct json_object *caps = NULL, *roots;

	if (!json_object_object_get_ex(params, "capabilities", &caps))
		return -EINVAL;
	/* A command answers sampling/createMessage (mcp_sampling.c). */
	if (be->spec->sampling_argv) {
		struct json_object *s = json_object_new_object();

		if (!s || json_object_object_add(caps, "sampling", s)) {
			json_object_put(s);
			return -ENOMEM;
		}
	}
	/* Whether roots are configured at all cannot change without a
	 * restart (tx_mcp_spec_equal); which ones can. */
	if (!be->spec->roots)
		return 0;
	roots = json_object_new_object();
	if (!roots ||
	    json_object_object_add(roots, "listChanged",
				   json_object_new_boolean(1)) ||
	    json_object_object_add(caps, "roots", roots)) {
		json_object_put(roots);
		return -ENOMEM;
	}
	return 0;
}

/* ---- roots ------------------------------------------------------------ */

/* A file:// URI of an absolute path: bytes other than the unreserved
 * ones and '/' percent-encoded (RFC 8089, RFC 3986). */
static char *file_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	struct tx_buf b;

	tx_buf_init(&b, 64 * 1024);
	tx_buf_adds(&b, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
			tx_buf_add(&b, p, 1);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			tx_buf_add(&b, e, 3);
		}
	}
	return tx_buf_detach(&b, NULL);
}

/* The answer to roots/list: {"roots": [{"uri", "name"}]}. */
static struct json_object *roots_result(struct mcp_backend *be)
{
	struct json_object *res = json_object_new_object();
	struct json_object *arr = json_object_new_array();

	if (!res || !arr) {
		json_object_put(res);
		json_object_put(arr);
		return NULL;
	}
	pthread_mutex_lock(&be->mu);
	for (char **r = be->roots; r && *r; r++) {
		struct json_object *o = json_object_new_object();
		char *uri = file_uri(*r);
		const char *base = strrchr(*r, '/');

		if (!o || !uri) {
			json_object_put(o);
			free(uri);
			continue;
		}
		base = base && base[1] ? base + 1 : *r;
		json_object_object_add(o, "uri", json_object_new_string(uri));
		json_object_object_add(o, "name", json_object_new_string(base));
		json_object_array_add(arr, o);
		free(uri);
	}
	pthread_mutex_unlock(&be->mu);
	json_object_object_add(res, "roots", arr);
	return res;
}

char *tx_mcp_extras_request(struct mcp_backend *be, struct tx_mcp_msg *m)
{
	struct json_object *res;
	char *reply;

	if (strcmp(m->method, "roots/list") || !be->spec->roots)
		return NULL;
	res = roots_result(be);
	if (!res)
		return tx_mcp_reply_text(m->id, NULL, -32603, "out of memory");
	reply = tx_mcp_reply_text(m->id, res, 0, NULL);
	json_object_put(res);
	tx_log(TX_LOG_DEBUG, "mcp %s: answered roots/list", be->spec->name);
	return reply;
}

int tx_mcp_extras_set_roots(struct mcp_backend *be, char *const *roots)
{
	char **copy = NULL, **old;
	size_t n = 0;
	struct mcp_conn_ref *r = NULL;

	while (roots && roots[n])
		n++;
	if (roots) {
		copy = calloc(n + 1, sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++)
			if (!(copy[i] = strdup(roots[i]))) {
				for (size_t k = 0; k < i; k++)
					free(copy[k]);
				free(copy);
				return -ENOMEM;
			}
	}
	pthread_mutex_lock(&be->mu);
	old = be->roots;
	be->roots = copy;
	if (be->state == ST_READY && be->conn)
		r = tx_mcp_conn_get(be->conn);
	pthread_mutex_unlock(&be->mu);
	for (char **p = old; p && *p; p++)
		free(*p);
	free(old);
	/* A server that is not connected asks for the list when it next
	 * starts; one that is is told now. */
	if (r) {
		tx_mcp_notify(r, "notifications/roots/list_changed", NULL);
		tx_mcp_conn_put_unlocked(be, r);
		tx_log(TX_LOG_INFO, "mcp %s: roots changed; told the server",
		       be->spec->name);
	}
	return 0;
}

int tx_mcp_extras_update_roots(struct mcp_backend *be, char *const *roots)
{
	bool same = true;
	size_t i = 0;

	pthread_mutex_lock(&be->mu);
	for (; same && roots && roots[i]; i++)
		same = be->roots && be->roots[i] &&
		       !strcmp(be->roots[i], roots[i]);
	same = same && (be->roots ? !be->roots[i] : !roots);
	pthread_mutex_unlock(&be->mu);
	return same ? 0 : tx_mcp_extras_set_roots(be, roots);
}

/* ---- notifications ---------------------------------------------------- */

bool tx_mcp_extras_notification(struct mcp_backend *be, struct tx_mcp_msg *m)
{
	if (!strcmp(m->method, "notifications/resources/list_changed") ||
	    !strcmp(m->method, "notifications/prompts/list_changed")) {
		pthread_mutex_lock(&be->mu);
		be->want_relist_extras = true;
		pthread_cond_broadcast(&be->cond);
		pthread_mutex_unlock(&be->mu);
		return true;
	}
	if (!strcmp(m->method, "notifications/resources/updated")) {
		const char *uri = tx_mcp_str_field(m->params, "uri");

		/* The size the listing gave may be stale now: list again
		 * (one listing answers any number of these). */
		pthread_mutex_lock(&be->mu);
		be->want_relist_extras = true;
		pthread_cond_broadcast(&be->cond);
		pthread_mutex_unlock(&be->mu);
		if (uri)
			tx_catalog_updated(tx_registry_catalog(be->reg),
					   be->spec->name, uri);
		return true;
	}
	return false;
}

/* ---- a connection for a read ------------------------------------------ */

/*
 * The current connection, with a reference, starting the server when
 * it is not connected.  0, or -errno with err.
 */
static int conn_for(struct mcp_backend *be, struct mcp_conn_ref **out,
		    char *err, size_t errlen)
{
	uint64_t deadline = tx_mono_ms() + be->spec->startup_timeout_ms;
	bool asked = false;
	int rc = 0;

	*out = NULL;
	pthread_mutex_lock(&be->mu);
	while (!(be->state == ST_READY && be->conn)) {
		uint64_t now = tx_mono_ms();
		struct timespec ts;

		if (be->stopping || be->state == ST_STOPPED) {
			snprintf(err, errlen, "MCP server %s is stopping",
				 be->spec->name);
			rc = -EIO;
			break;
		}
		if (asked && be->state == ST_DOWN && !be->want_connect) {
			snprintf(err, errlen, "MCP server %s: %s",
				 be->spec->name, be->last_error);
			rc = -EIO;
			break;
		}
		if (!asked && (be->state == ST_IDLE || be->state == ST_DOWN)) {
			be->want_connect = true;
			asked = true;
			pthread_cond_broadcast(&be->cond);
		}
		if (now >= deadline) {
			snprintf(err, errlen,
				 "MCP server %s did not start within %u ms",
				 be->spec->name, be->spec->startup_timeout_ms);
			rc = -ETIMEDOUT;
			break;
		}
		ts = tx_mono_after_ns((deadline - now) * 1000000u);
		pthread_cond_timedwait(&be->cond, &be->mu, &ts);
	}
	if (!rc)
		*out = tx_mcp_conn_get(be->conn);
	pthread_mutex_unlock(&be->mu);
	return rc;
}

/* A JSON-RPC error in reply as -errno with err (reply released), or 0. */
static int reply_error(struct tx_mcp_msg *reply, char *err, size_t errlen)
{
	int rc;

	if (!reply->error)
		return 0;
	snprintf(err, errlen, "mcp_error: %s (JSON-RPC error %d)",
		 reply->error_message ? reply->error_message : "",
		 reply->error_code);
	rc = reply->error_code == -32602 ? -EINVAL : -EIO;
	/* -32002: resource not found (2025-11-25). */
	if (reply->error_code == -32002)
		rc = -ENOENT;
	tx_mcp_msg_release(reply);
	return rc;
}

/* A request a face waits for: 0 with reply->result, or -errno. */
static int ask(struct mcp_backend *be, const char *method,
	       struct json_object *params, struct tx_mcp_msg *reply, char *err,
	       size_t errlen)
{
	struct mcp_conn_ref *r;
	int rc = conn_for(be, &r, err, errlen);

	if (rc)
		return rc;
	rc = tx_mcp_sync_request(be, r, method, params, be->spec->timeout_ms,
				 reply, err, errlen);
	tx_mcp_conn_put_unlocked(be, r);
	if (rc)
		return rc;
	return reply_error(reply, err, errlen);
}

/* ask() with the params {"uri": uri}. */
static int ask_uri(struct mcp_backend *be, const char *method, const char *uri,
		   struct tx_mcp_msg *reply, char *err, size_t errlen)
{
	struct json_object *params = json_object_new_object();
	int rc;

	if (!params)
		return -ENOMEM;
	json_object_object_add(params, "uri", json_object_new_string(uri));
	rc = ask(be, method, params, reply, err, errlen);
	json_object_put(params);
	return rc;
}

/* ---- the catalog's ops ------------------------------------------------ */

static struct mcp_backend *be_of_core(struct tx_backend *b)
{
	return from_core(b);
}

static int b64_val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Appends the bytes of base64 text s (padding and whitespace
 * allowed).  0, -EINVAL (not base64), or the buffer's error. */
static int b64_decode_add(struct tx_buf *b, const char *s)
{
	unsigned acc = 0;
	int bits = 0, rc = 0;

	for (; *s && !rc; s++) {
		int v;

		if (*s == '=' || *s == '\n' || *s == '\r' || *s == ' ')
			continue;
		v = b64_val((unsigned char)*s);
		if (v < 0)
			return -EINVAL;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			char c = (char)((acc >> (bits - 8)) & 0xff);

			bits -= 8;
			rc = tx_buf_add(b, &c, 1);
		}
	}
	return rc;
}

static int res_contents(struct tx_mcp_msg *reply_in, const char *uri,
			char **data, size_t *len, char *err, size_t errlen);

static int res_read(struct tx_backend *b, const char *uri, char **data,
		    size_t *len, char *err, size_t errlen)
{
	struct tx_mcp_msg reply;
	int rc = ask_uri(be_of_core(b), "resources/read", uri, &reply, err,
			 errlen);

	if (rc)
		return rc;
	return res_contents(&reply, uri, data, len, err, errlen);
}

/* The bytes of a resources/read answer (released).  0 or -errno. */
static int res_contents(struct tx_mcp_msg *reply_in, const char *uri,
			char **data, size_t *len, char *err, size_t errlen)
{
	struct tx_mcp_msg reply = *reply_in;
	struct json_object *arr = NULL;
	struct tx_buf out;
	int rc = 0;

	memset(reply_in, 0, sizeof(*reply_in));
	if (!json_object_object_get_ex(reply.result, "contents", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		snprintf(
			err, errlen,
			"resources/read: the answer has no \"contents\" array");
		tx_mcp_msg_release(&reply);
		return -EIO;
	}
	tx_buf_init(&out, TX_RESOURCE_MAX);
	for (size_t i = 0; i < json_object_array_length(arr) && !rc; i++) {
		struct json_object *c = json_object_array_get_idx(arr, i);
		const char *text = tx_mcp_str_field(c, "text");
		const char *blob = tx_mcp_str_field(c, "blob");

		if (text)
			rc = tx_buf_adds(&out, text);
		else if (blob)
			rc = b64_decode_add(&out, blob);
		if (rc == -EINVAL)
			snprintf(err, errlen,
				 "resources/read: contents[%zu].blob is not "
				 "base64",
				 i);
		else if (rc)
			snprintf(err, errlen,
				 "resources/read: %s is larger than %u bytes",
				 uri, TX_RESOURCE_MAX);
	}
	tx_mcp_msg_release(&reply);
	if (rc) {
		tx_buf_release(&out);
		return rc == -EINVAL ? -EIO : rc;
	}
	*data = tx_buf_detach(&out, len);
	if (!*data) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int res_subscribe(struct tx_backend *b, const char *uri, bool on)
{
	struct mcp_backend *be = be_of_core(b);
	struct tx_mcp_msg reply;
	char err[256];
	bool can;
	int rc;

	pthread_mutex_lock(&be->mu);
	can = be->cap_res_subscribe;
	pthread_mutex_unlock(&be->mu);
	if (!can)
		return -EOPNOTSUPP;
	rc = ask_uri(be, on ? "resources/subscribe" : "resources/unsubscribe",
		     uri, &reply, err, sizeof(err));
	if (rc) {
		tx_log(TX_LOG_WARN, "mcp %s: %s %s: %s", be->spec->name,
		       on ? "subscribing to" : "unsubscribing from", uri, err);
		return rc;
	}
	tx_mcp_msg_release(&reply);
	return 0;
}

static int prompt_get(struct tx_backend *b, const char *name,
		      struct json_object *args, char **json, char *err,
		      size_t errlen)
{
	struct mcp_backend *be = be_of_core(b);
	struct json_object *params = json_object_new_object();
	struct tx_mcp_msg reply;
	int rc;

	if (!params)
		return -ENOMEM;
	json_object_object_add(params, "name", json_object_new_string(name));
	json_object_object_add(params, "arguments", json_object_get(args));
	rc = ask(be, "prompts/get", params, &reply, err, errlen);
	json_object_put(params);
	if (rc)
		return rc;
	*json = tx_json_compact(reply.result);
	tx_mcp_msg_release(&reply);
	if (!*json) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* completion/complete for a resource template's variable. */
static int res_complete(struct tx_backend *b, const char *uri, const char *var,
			const char *value, struct json_object *context,
			char ***values, size_t *n, char *err, size_t errlen)
{
	struct mcp_backend *be = be_of_core(b);
	struct json_object *params = NULL, *ref, *arg, *ctx = NULL;
	struct json_object *completion, *arr = NULL;
	struct tx_mcp_msg reply;
	size_t len;
	char **v;
	bool can;
	int rc;

	*values = NULL;
	*n = 0;
	pthread_mutex_lock(&be->mu);
	can = be->cap_completions;
	pthread_mutex_unlock(&be->mu);
	if (!can) {
		snprintf(err, errlen, "MCP server %s does not complete",
			 be->spec->name);
		return -EOPNOTSUPP;
	}
	params = json_object_new_object();
	ref = json_object_new_object();
	arg = json_object_new_object();
	if (context)
		ctx = json_object_new_object();
	if (!params || !ref || !arg || (context && !ctx)) {
		json_object_put(params);
		json_object_put(ref);
		json_object_put(arg);
		json_object_put(ctx);
		return -ENOMEM;
	}
	json_object_object_add(ref, "type",
			       json_object_new_string("ref/resource"));
	json_object_object_add(ref, "uri", json_object_new_string(uri));
	json_object_object_add(arg, "name", json_object_new_string(var));
	json_object_object_add(arg, "value", json_object_new_string(value));
	json_object_object_add(params, "ref", ref);
	json_object_object_add(params, "argument", arg);
	if (ctx) {
		json_object_object_add(ctx, "arguments",
				       json_object_get(context));
		json_object_object_add(params, "context", ctx);
	}
	rc = ask(be, "completion/complete", params, &reply, err, errlen);
	json_object_put(params);
	if (rc)
		return rc;
	if (!json_object_object_get_ex(reply.result, "completion",
				       &completion) ||
	    !json_object_object_get_ex(completion, "values", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		snprintf(err, errlen,
			 "completion/complete: the answer has no "
			 "\"completion.values\" array");
		tx_mcp_msg_release(&reply);
		return -EIO;
	}
	/* The specification caps an answer at 100 values. */
	len = json_object_array_length(arr);
	if (len > 100)
		len = 100;
	v = calloc(len + 1, sizeof(*v));
	for (size_t i = 0; v && i < len; i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(s, json_type_string))
			continue;
		if (!(v[*n] = strdup(json_object_get_string(s)))) {
			tx_strv_free(v, *n);
			v = NULL;
			*n = 0;
			break;
		}
		(*n)++;
	}
	tx_mcp_msg_release(&reply);
	if (!v)
		return -ENOMEM;
	*values = v;
	return 0;
}

/* ---- the same without waiting ----------------------------------------- */

/* What an ASYNC resources/read or prompts/get answers to. */
struct async_ask {
	tx_catalog_answer_fn *fn;
	void *ctx;
	bool prompt;
	char uri[];
};

static void async_answer(void *ctx, int rc, struct tx_mcp_msg *reply,
			 const char *why)
{
	struct async_ask *a = ctx;
	char err[512] = "", *data = NULL;
	size_t len = 0;

	if (rc) {
		snprintf(err, sizeof(err), "%s %s: %s",
			 a->prompt ? "prompts/get" : "resources/read", a->uri,
			 why ? why : strerror(-rc));
	} else if (!(rc = reply_error(reply, err, sizeof(err)))) {
		if (!a->prompt) {
			rc = res_contents(reply, a->uri, &data, &len, err,
					  sizeof(err));
		} else if (!(data = tx_json_compact(reply->result))) {
			snprintf(err, sizeof(err), "out of memory");
			rc = -ENOMEM;
		} else {
			len = strlen(data);
		}
	}
	a->fn(a->ctx, rc, data, len, err);
	free(a);
}

static void async_start(struct mcp_backend *be, const char *method,
			struct json_object *params, const char *what,
			bool prompt, tx_catalog_answer_fn *fn, void *ctx)
{
	size_t len = strlen(what);
	struct async_ask *a = malloc(sizeof(*a) + len + 1);

	if (!a || !params) {
		free(a);
		json_object_put(params);
		fn(ctx, -ENOMEM, NULL, 0, "out of memory");
		return;
	}
	a->fn = fn;
	a->ctx = ctx;
	a->prompt = prompt;
	memcpy(a->uri, what, len + 1);
	tx_mcp_async_request(be, method, params, be->spec->timeout_ms,
			     async_answer, a);
	json_object_put(params);
}

static void res_read_start(struct tx_backend *b, const char *uri,
			   tx_catalog_answer_fn *fn, void *ctx)
{
	struct json_object *params = json_object_new_object();

	if (params)
		json_object_object_add(params, "uri",
				       json_object_new_string(uri));
	async_start(be_of_core(b), "resources/read", params, uri, false, fn,
		    ctx);
}

static void prompt_get_start(struct tx_backend *b, const char *name,
			     struct json_object *args, tx_catalog_answer_fn *fn,
			     void *ctx)
{
	struct json_object *params = json_object_new_object();

	if (params) {
		json_object_object_add(params, "name",
				       json_object_new_string(name));
		json_object_object_add(params, "arguments",
				       json_object_get(args));
	}
	async_start(be_of_core(b), "prompts/get", params, name, true, fn, ctx);
}

static const struct tx_catalog_server_ops catalog_ops = {
	.read_start = res_read_start,
	.prompt_get_start = prompt_get_start,
	.read = res_read,
	.prompt_get = prompt_get,
	.subscribe = res_subscribe,
	.complete = res_complete,
};

/* ---- listing ---------------------------------------------------------- */

/* A page (tx_mcp_page_fn) onto the array ctx. */
static int add_page(void *ctx, struct json_object *arr)
{
	struct json_object *all = ctx;

	for (size_t i = 0; i < json_object_array_length(arr); i++)
		json_object_array_add(
			all,
			json_object_get(json_object_array_get_idx(arr, i)));
	return 0;
}

/*
 * Every page of method into one array of the entries under key (a new
 * reference in *out).  0 or -errno (err).
 */
static int list_all(struct mcp_backend *be, struct mcp_conn_ref *r,
		    const char *method, const char *key,
		    struct json_object **out, char *err, size_t errlen)
{
	struct json_object *all = json_object_new_array();
	int rc;

	*out = NULL;
	if (!all)
		return -ENOMEM;
	rc = tx_mcp_list_pages(be, r, method, key, add_page, all, err, errlen);
	if (rc) {
		json_object_put(all);
		return rc;
	}
	*out = all;
	return 0;
}

int tx_mcp_list_extras(struct mcp_backend *be, struct mcp_conn_ref *r,
		       char *err, size_t errlen)
{
	struct json_object *res = NULL, *tmpl = NULL, *prompts = NULL;
	bool cap_res, cap_prompts;
	int rc = 0;

	pthread_mutex_lock(&be->mu);
	cap_res = be->cap_resources;
	cap_prompts = be->cap_prompts;
	/* What this listing sees is current: an earlier list_changed is
	 * answered by it. */
	be->want_relist_extras = false;
	pthread_mutex_unlock(&be->mu);
	if (cap_res)
		rc = list_all(be, r, "resources/list", "resources", &res, err,
			      errlen);
	/* Templates are optional for a server with resources: one that
	 * refuses the method offers none. */
	if (!rc && cap_res &&
	    list_all(be, r, "resources/templates/list", "resourceTemplates",
		     &tmpl, err, errlen) == -EIO)
		tmpl = NULL;
	if (!rc && cap_prompts)
		rc = list_all(be, r, "prompts/list", "prompts", &prompts, err,
			      errlen);
	if (!rc) {
		struct tx_catalog *cat = tx_registry_catalog(be->reg);

		pthread_mutex_lock(&be->pub_mu);
		if (be->retired) {
			snprintf(err, errlen,
				 "the server was removed from the "
				 "configuration");
			rc = -ECANCELED;
		} else if (!cap_res && !cap_prompts) {
			tx_catalog_remove_server(cat, be->spec->name);
		} else {
			rc = tx_catalog_set_server(cat, be->spec->name,
						   &be->core, &catalog_ops, res,
						   tmpl, prompts, err, errlen);
		}
		pthread_mutex_unlock(&be->pub_mu);
	}
	if (!rc && (cap_res || cap_prompts))
		tx_log(TX_LOG_INFO,
		       "mcp %s: %zu resources, %zu templates, "
		       "%zu prompts",
		       be->spec->name, res ? json_object_array_length(res) : 0,
		       tmpl ? json_object_array_length(tmpl) : 0,
		       prompts ? json_object_array_length(prompts) : 0);
	json_object_put(res);
	json_object_put(tmpl);
	json_object_put(prompts);
	return rc;
}

void tx_mcp_extras_retire(struct mcp_backend *be)
{
	/* pub_mu held by the caller. */
	tx_catalog_remove_server(tx_registry_catalog(be->reg), be->spec->name);
}

void tx_mcp_extras_release(struct mcp_backend *be)
{
	for (char **p = be->roots; p && *p; p++)
		free(*p);
	free(be->roots);
	be->roots = NULL;
}
