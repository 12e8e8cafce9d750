/*
 * catalog_prompts.c - the prompts of the servers' offers (catalog_i.h):
 * parsed once, when an offer is published, with their doc and schema
 * rendered then; listed and found in a snapshot; and the engine's calls
 * that get a prompt from its server (toolexec.h), its arguments checked
 * first and its messages rendered as text.
 */
#include "engine/catalog_i.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util/buf.h"
#include "util/jsonu.h"
#include "util/log.h"

/* ------------------------------------------------------------------ */
/* Offers                                                               */

void cat_prompt_release(struct tx_prompt *p)
{
	free(p->name);
	free(p->name_file);
	free(p->title);
	free(p->description);
	tx_strv_free(p->args, p->nargs);
	free(p->required);
	free(p->doc);
	free(p->schema);
}

static int prompt_texts(struct tx_prompt *p)
{
	struct json_object *schema = json_object_new_object();
	struct json_object *props = json_object_new_object();
	struct json_object *req = json_object_new_array();
	struct tx_buf d;
	int rc = 0;

	tx_buf_init(&d, CAT_TEXT_MAX);
	tx_buf_printf(&d, "# %s\n\n", p->title ? p->title : p->name);
	if (p->description)
		tx_buf_printf(&d, "%s\n\n", p->description);
	tx_buf_adds(&d, "Write the arguments as a JSON object of strings to "
			"`get`, then read it: the rendered messages "
			"(`get.json`: the whole result).\n\n");
	if (p->nargs)
		tx_buf_adds(&d, "## Arguments\n\n| name | required | "
				"description |\n|---|---|---|\n");
	else
		tx_buf_adds(&d, "No arguments.\n");
	if (!schema || !props || !req) {
		rc = -ENOMEM;
		goto out;
	}
	json_object_object_add(schema, "type",
			       json_object_new_string("object"));
	for (size_t i = 0; i < p->nargs; i++) {
		struct json_object *a = json_object_new_object();

		json_object_object_add(a, "type",
				       json_object_new_string("string"));
		json_object_object_add(props, p->args[i], a);
		if (p->required[i])
			json_object_array_add(
				req, json_object_new_string(p->args[i]));
	}
	json_object_object_add(schema, "properties", json_object_get(props));
	if (json_object_array_length(req))
		json_object_object_add(schema, "required",
				       json_object_get(req));
	json_object_object_add(schema, "additionalProperties",
			       json_object_new_boolean(false));
	p->schema = tx_json_pretty(schema);
	p->doc = tx_buf_detach(&d, NULL);
	if (!p->schema || !p->doc)
		rc = -ENOMEM;
out:
	json_object_put(schema);
	json_object_put(props);
	json_object_put(req);
	tx_buf_release(&d);
	return rc;
}

int cat_prompt_from(const char *ns, struct json_object *o, struct tx_prompt *p)
{
	const char *name = jstr(o, "name");
	char enc[TX_NAME_MAX + 1];
	struct json_object *args = NULL;
	struct tx_buf rows;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!name || !name[0] || tx_name_encode(name, enc, sizeof(enc)) < 0) {
		tx_log(TX_LOG_WARN,
		       "mcp %s: skipping a prompt without a "
		       "valid \"name\"",
		       ns);
		return 1;
	}
	p->name = strdup(name);
	p->name_file = strdup(enc);
	p->title = dup_or_null(jstr(o, "title"));
	p->description = dup_or_null(jstr(o, "description"));
	if (!p->name || !p->name_file)
		return -ENOMEM;
	if (json_object_object_get_ex(o, "arguments", &args) &&
	    json_object_is_type(args, json_type_array)) {
		size_t n = json_object_array_length(args);

		p->args = calloc(n + 1, sizeof(*p->args));
		p->required = calloc(n + 1, sizeof(*p->required));
		if (!p->args || !p->required)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			struct json_object *a =
				json_object_array_get_idx(args, i);
			struct json_object *rq = NULL;
			const char *an = jstr(a, "name");

			if (!an)
				continue;
			p->args[p->nargs] = strdup(an);
			if (!p->args[p->nargs])
				return -ENOMEM;
			p->required[p->nargs++] =
				json_object_object_get_ex(a, "required", &rq) &&
				json_object_get_boolean(rq);
		}
	}
	rc = prompt_texts(p);
	if (rc || !p->nargs)
		return rc;
	/* The argument rows of the doc. */
	tx_buf_init(&rows, CAT_TEXT_MAX);
	tx_buf_adds(&rows, p->doc);
	for (size_t i = 0; i < p->nargs; i++) {
		const char *desc = NULL;

		for (size_t k = 0; k < json_object_array_length(args); k++) {
			struct json_object *a =
				json_object_array_get_idx(args, k);

			if (jstr(a, "name") &&
			    !strcmp(jstr(a, "name"), p->args[i]))
				desc = jstr(a, "description");
		}
		tx_buf_printf(&rows, "| %s | %s | %s |\n", p->args[i],
			      p->required[i] ? "yes" : "no", desc ? desc : "");
	}
	free(p->doc);
	p->doc = tx_buf_detach(&rows, NULL);
	return p->doc ? 0 : -ENOMEM;
}

int cat_prompt_cmp(const void *a, const void *b)
{
	const struct tx_prompt *x = a, *y = b;

	return strcmp(x->name_file, y->name_file);
}

/* ------------------------------------------------------------------ */
/* Prompts                                                              */

int tx_catalog_prompts_list(const struct tx_catalog_set *set,
			    const char *ns_file, struct tx_cat_entry **v,
			    size_t *n)
{
	struct cat_entries e = { 0 };
	const struct cat_server *s = NULL;
	int rc = 0;

	*v = NULL;
	*n = 0;
	if (ns_file) {
		s = cat_server_by_file(set, ns_file, strlen(ns_file));
		if (!s || !s->nprompts)
			return -ENOENT;
	}
	for (size_t i = 0; !ns_file && i < set->n && !rc; i++)
		if (set->servers[i]->nprompts)
			rc = cat_entries_add(&e, set->servers[i]->ns_file,
					     true);
	for (size_t i = 0; s && i < s->nprompts && !rc; i++)
		rc = cat_entries_add(&e, s->prompts[i].name_file, true);
	if (rc) {
		tx_cat_entries_free(e.v, e.n);
		return rc;
	}
	*v = e.v;
	*n = e.n;
	return 0;
}

static const struct cat_server *prompt_server(const struct tx_catalog_set *set,
					      const char *ns_file,
					      const char *name_file,
					      const struct tx_prompt **out)
{
	const struct cat_server *s =
		cat_server_by_file(set, ns_file, strlen(ns_file));

	*out = NULL;
	for (size_t i = 0; s && i < s->nprompts; i++)
		if (!strcmp(s->prompts[i].name_file, name_file)) {
			*out = &s->prompts[i];
			return s;
		}
	return NULL;
}

const struct tx_prompt *tx_catalog_prompt_find(const struct tx_catalog_set *set,
					       const char *ns_file,
					       const char *name_file)
{
	const struct tx_prompt *p;

	prompt_server(set, ns_file, name_file, &p);
	return p;
}

const char *tx_prompt_doc(const struct tx_prompt *p)
{
	return p->doc;
}

const char *tx_prompt_schema_text(const struct tx_prompt *p)
{
	return p->schema;
}

/* ------------------------------------------------------------------ */
/* The engine's calls                                                   */

/* Checks prompt arguments: an object of strings, every required one
 * there, no other. */
static int prompt_args_check(const struct tx_prompt *p, struct json_object *a,
			     char *err, size_t errlen)
{
	if (!json_object_is_type(a, json_type_object)) {
		snprintf(err, errlen, "arguments: expected a JSON object");
		return -EINVAL;
	}
	json_object_object_foreach(a, k, v)
	{
		bool known = false;

		for (size_t i = 0; i < p->nargs && !known; i++)
			known = !strcmp(p->args[i], k);
		if (!known) {
			snprintf(err, errlen,
				 "/%.100s: prompt %.100s has no argument "
				 "\"%.100s\"",
				 k, p->name, k);
			return -EINVAL;
		}
		if (!json_object_is_type(v, json_type_string)) {
			snprintf(err, errlen,
				 "/%.100s: expected a string (prompt "
				 "arguments are strings)",
				 k);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < p->nargs; i++)
		if (p->required[i] &&
		    !json_object_object_get_ex(a, p->args[i], NULL)) {
			snprintf(err, errlen,
				 ": required argument \"%.100s\" is missing",
				 p->args[i]);
			return -EINVAL;
		}
	return 0;
}

/* One content block of a prompt message, as text. */
static void content_text(struct tx_buf *b, struct json_object *c)
{
	const char *type = jstr(c, "type");
	struct json_object *res = NULL;

	if (!type) {
		tx_buf_adds(b, "[content without a type]\n");
	} else if (!strcmp(type, "text") && jstr(c, "text")) {
		tx_buf_adds(b, jstr(c, "text"));
		tx_buf_adds(b, "\n");
	} else if (!strcmp(type, "resource") &&
		   json_object_object_get_ex(c, "resource", &res) &&
		   jstr(res, "text")) {
		tx_buf_printf(b, "[resource %s]\n%s\n",
			      jstr(res, "uri") ? jstr(res, "uri") : "?",
			      jstr(res, "text"));
	} else if (!strcmp(type, "resource")) {
		tx_buf_printf(b, "[resource %s, binary]\n",
			      jstr(res, "uri") ? jstr(res, "uri") : "?");
	} else if (!strcmp(type, "resource_link")) {
		tx_buf_printf(b, "[resource_link %s]\n",
			      jstr(c, "uri") ? jstr(c, "uri") : "?");
	} else {
		tx_buf_printf(b, "[%s%s%s]\n", type,
			      jstr(c, "mimeType") ? " " : "",
			      jstr(c, "mimeType") ? jstr(c, "mimeType") : "");
	}
}

static int prompt_render(struct json_object *res, char **text, char **json,
			 char *err, size_t errlen)
{
	struct json_object *msgs = NULL;
	struct tx_buf b;

	if (!json_object_object_get_ex(res, "messages", &msgs) ||
	    !json_object_is_type(msgs, json_type_array)) {
		snprintf(err, errlen,
			 "prompts/get: the answer has no \"messages\" array");
		return -EIO;
	}
	tx_buf_init(&b, CAT_TEXT_MAX);
	for (size_t i = 0; i < json_object_array_length(msgs); i++) {
		struct json_object *m = json_object_array_get_idx(msgs, i);
		struct json_object *c = NULL;

		if (i)
			tx_buf_adds(&b, "\n");
		tx_buf_printf(&b, "%s:\n",
			      jstr(m, "role") ? jstr(m, "role") : "?");
		if (json_object_object_get_ex(m, "content", &c) &&
		    json_object_is_type(c, json_type_array))
			for (size_t k = 0; k < json_object_array_length(c); k++)
				content_text(&b,
					     json_object_array_get_idx(c, k));
		else
			content_text(&b, c);
	}
	*text = tx_buf_detach(&b, NULL);
	*json = tx_json_pretty(res);
	if (!*text || !*json) {
		free(*text);
		free(*json);
		*text = *json = NULL;
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int tx_engine_prompt_get(struct tx_engine *e, const char *ns_file,
			 const char *name_file, const char *args_json,
			 char **text, char **json, char *err, size_t errlen)
{
	struct tx_catalog_set *set = tx_engine_catalog(e);
	const struct tx_prompt *p;
	const struct cat_server *found;
	struct cat_server *s = NULL;
	struct json_object *args = NULL, *res = NULL;
	char *out = NULL, *name = NULL;
	int rc;

	*text = *json = NULL;
	found = prompt_server(set, ns_file, name_file, &p);
	if (found) {
		s = (struct cat_server *)found;
		atomic_fetch_add(&s->refs, 1);
		name = strdup(p->name);
	}
	if (!s) {
		tx_catalog_set_unref(set);
		snprintf(err, errlen, "no prompt %s in %s", name_file, ns_file);
		return -ENOENT;
	}
	args = args_json && args_json[strspn(args_json, " \t\r\n")]
		       ? tx_json_parse(args_json, strlen(args_json),
				       TX_JSON_DEPTH_MAX, err, errlen)
		       : json_object_new_object();
	if (!args) {
		if (!err[0])
			snprintf(err, errlen,
				 "arguments: expected a JSON object");
		rc = -EINVAL;
		goto out;
	}
	rc = prompt_args_check(p, args, err, errlen);
	if (rc || !name) {
		rc = rc ? rc : -ENOMEM;
		goto out;
	}
	rc = s->ops->prompt_get(s->be, name, args, &out, err, errlen);
	if (rc)
		goto out;
	res = tx_json_parse(out, strlen(out), 1000, err, errlen);
	rc = res ? prompt_render(res, text, json, err, errlen) : -EIO;
out:
	json_object_put(args);
	json_object_put(res);
	free(out);
	free(name);
	cat_server_unref(s);
	tx_catalog_set_unref(set);
	return rc;
}

/* A prompt's answer, rendered and passed on. */
static void prompt_answered(void *ctx, int rc, char *data, size_t len,
			    const char *why)
{
	struct cat_read_ask *a = ctx;
	struct json_object *res = NULL;
	char err[512] = "", *text = NULL, *json = NULL;

	if (rc) {
		snprintf(err, sizeof(err), "%s", why ? why : "");
	} else {
		res = tx_json_parse(data, len, 1000, err, sizeof(err));
		rc = res ? prompt_render(res, &text, &json, err, sizeof(err))
			 : -EIO;
		json_object_put(res);
	}
	free(data);
	a->fn(a->ctx, rc, text, text ? strlen(text) : 0, json, err);
	free(a);
}

void tx_engine_prompt_get_start(struct tx_engine *e, const char *ns_file,
				const char *name_file, const char *args_json,
				tx_engine_answer_fn *fn, void *ctx)
{
	struct tx_catalog_set *set = tx_engine_catalog(e);
	const struct tx_prompt *p = NULL;
	const struct cat_server *found =
		set ? prompt_server(set, ns_file, name_file, &p) : NULL;
	struct json_object *args = NULL;
	struct cat_read_ask *a = NULL;
	char err[512] = "";
	int rc;

	if (!found) {
		snprintf(err, sizeof(err), "no prompt %s in %s", name_file,
			 ns_file);
		rc = -ENOENT;
		goto fail;
	}
	if (!found->ops->prompt_get_start) {
		snprintf(err, sizeof(err),
			 "the server's prompts cannot be got without waiting");
		rc = -EOPNOTSUPP;
		goto fail;
	}
	args = args_json && args_json[strspn(args_json, " \t\r\n")]
		       ? tx_json_parse(args_json, strlen(args_json),
				       TX_JSON_DEPTH_MAX, err, sizeof(err))
		       : json_object_new_object();
	if (!args) {
		if (!err[0])
			snprintf(err, sizeof(err),
				 "arguments: expected a JSON object");
		rc = -EINVAL;
		goto fail;
	}
	rc = prompt_args_check(p, args, err, sizeof(err));
	if (rc)
		goto fail;
	a = malloc(sizeof(*a));
	if (!a) {
		snprintf(err, sizeof(err), "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	a->fn = fn;
	a->ctx = ctx;
	/* The snapshot keeps the server and the prompt's name alive
	 * until the request is sent. */
	found->ops->prompt_get_start(found->be, p->name, args, prompt_answered,
				     a);
	json_object_put(args);
	tx_catalog_set_unref(set);
	return;
fail:
	json_object_put(args);
	if (set)
		tx_catalog_set_unref(set);
	fn(ctx, rc, NULL, 0, NULL, err);
}
