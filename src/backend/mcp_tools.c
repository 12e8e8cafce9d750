/*
 * mcp_tools.c - an MCP server's tools/list, every page, into registry
 * tools under the source "mcp:NAME".  Invalid entries are left out and
 * logged; they never stop the others.
 */
#include "backend/mcp_backend_i.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "engine/job.h"
#include "util/jsonu.h"
#include "util/log.h"
#include "engine/registry.h"
#include "engine/tool.h"

const char *tx_mcp_str_field(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/*
 * The tool's own word on what it does (MCP annotations): readOnlyHint
 * true is read-only; otherwise destructiveHint true or false is
 * destructive or additive.  Anything else declares nothing, and the tool
 * is taken at its name (tool.c): MCP's default for a missing
 * destructiveHint (true) is meant for confirmation prompts, and would
 * mark every unannotated tool alike.
 */
static enum tx_tool_hint annotations_hint(struct json_object *ann)
{
	struct json_object *v;

	if (!ann || !json_object_is_type(ann, json_type_object))
		return TX_HINT_NONE;
	if (json_object_object_get_ex(ann, "readOnlyHint", &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v))
		return TX_HINT_READ_ONLY;
	if (json_object_object_get_ex(ann, "destructiveHint", &v) &&
	    json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v) ? TX_HINT_DESTRUCTIVE
						  : TX_HINT_ADDITIVE;
	return TX_HINT_NONE;
}

/* Builds a tool from one tools/list entry; NULL (logged) when invalid. */
static struct tx_tool *tool_from(struct mcp_backend *be, struct json_object *t)
{
	struct tx_tool_def def;
	struct json_object *in = NULL, *out = NULL, *ann = NULL;
	const char *name;
	char err[512];
	struct tx_tool *tool;
	struct mcp_tool_data *data;
	size_t len;
	bool tasks;

	if (tx_mcp_tool_check(t, &name, err, sizeof(err))) {
		tx_log(TX_LOG_WARN, "mcp %s: skipping a tool: %s",
		       be->spec->name, err);
		return NULL;
	}
	pthread_mutex_lock(&be->mu);
	tasks = be->cap_tool_tasks;
	pthread_mutex_unlock(&be->mu);
	if (tx_mcp_tool_task_required(t) && !tasks) {
		/* A plain tools/call of it always fails, and without the
		 * server's tasks capability we must not make it a task. */
		tx_log(TX_LOG_WARN,
		       "mcp %s: skipping tool \"%s\": it must be called "
		       "as a task (execution.taskSupport \"required\"), "
		       "but the server declared no tasks for tools/call",
		       be->spec->name, name);
		return NULL;
	}
	json_object_object_get_ex(t, "inputSchema", &in);
	json_object_object_get_ex(t, "outputSchema", &out);
	json_object_object_get_ex(t, "annotations", &ann);
	memset(&def, 0, sizeof(def));
	def.ns = be->spec->name;
	def.name = name;
	def.title = tx_mcp_str_field(t, "title");
	if (!def.title)
		def.title = tx_mcp_str_field(ann, "title");
	def.description = tx_mcp_str_field(t, "description");
	def.hint = annotations_hint(ann);
	def.input_schema = in;
	def.output_schema = out;
	{
		unsigned idle;

		/* The engine enforces the hard cap; the idle timeout, which
		 * progress restarts, is ours (mcp_rpc.c). */
		tx_mcp_spec_tool_timeouts(be->spec, name, &idle,
					  &def.timeout_ms);
	}
	def.origin = be->source;
	def.where = be->where;
	def.backend = &be->core;
	len = strlen(name);
	data = malloc(sizeof(*data) + len + 1);
	if (!data)
		return NULL;
	data->task = tasks && tx_mcp_tool_task_capable(t);
	memcpy(data->name, name, len + 1);
	def.backend_data = data;
	def.backend_data_free = free;
	tool = tx_tool_new(&def, err, sizeof(err));
	if (!tool)
		tx_log(TX_LOG_WARN, "mcp %s: skipping tool \"%s\": %s",
		       be->spec->name, name, err);
	return tool;
}

static int tool_cmp(const void *a, const void *b)
{
	const struct tx_tool *x = *(struct tx_tool *const *)a;
	const struct tx_tool *y = *(struct tx_tool *const *)b;

	return strcmp(x->name, y->name);
}

int tx_mcp_list_pages(struct mcp_backend *be, struct mcp_conn_ref *r,
		      const char *method, const char *key, tx_mcp_page_fn *fn,
		      void *ctx, char *err, size_t errlen)
{
	char *cursor = NULL;
	int rc = 0;

	for (int page = 0; page < LIST_PAGES_MAX; page++) {
		struct json_object *params = json_object_new_object();
		struct json_object *arr = NULL;
		struct tx_mcp_msg reply;
		const char *next;

		if (!params) {
			rc = -ENOMEM;
			break;
		}
		if (cursor)
			json_object_object_add(params, "cursor",
					       json_object_new_string(cursor));
		rc = tx_mcp_sync_request(be, r, method, params,
					 be->spec->timeout_ms, &reply, err,
					 errlen);
		json_object_put(params);
		if (rc)
			break;
		if (reply.error) {
			snprintf(err, errlen, "%s refused: %s (code %d)",
				 method, reply.error_message, reply.error_code);
			tx_mcp_msg_release(&reply);
			rc = -EIO;
			break;
		}
		if (!json_object_object_get_ex(reply.result, key, &arr) ||
		    !json_object_is_type(arr, json_type_array)) {
			snprintf(err, errlen, "%s: \"%s\" is not an array",
				 method, key);
			tx_mcp_msg_release(&reply);
			rc = -EIO;
			break;
		}
		rc = fn(ctx, arr);
		next = tx_mcp_str_field(reply.result, "nextCursor");
		if (rc || !next || !next[0] ||
		    (cursor && !strcmp(next, cursor))) {
			tx_mcp_msg_release(&reply);
			break;
		}
		free(cursor);
		cursor = strdup(next);
		tx_mcp_msg_release(&reply);
		if (!cursor) {
			rc = -ENOMEM;
			break;
		}
	}
	free(cursor);
	return rc;
}

/* The tools of the pages so far (owned references). */
struct tool_list {
	struct mcp_backend *be;
	struct tx_tool **tools;
	size_t n, cap;
};

/* A page of tools/list (tx_mcp_page_fn) into the tool_list ctx. */
static int add_tools(void *ctx, struct json_object *arr)
{
	struct tool_list *l = ctx;

	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct tx_tool *t;

		if (l->n >= TOOLS_MAX) {
			tx_log(TX_LOG_WARN,
			       "mcp %s: more than %d tools; "
			       "the rest are left out",
			       l->be->spec->name, TOOLS_MAX);
			break;
		}
		t = tool_from(l->be, json_object_array_get_idx(arr, i));
		if (!t)
			continue;
		if (l->n == l->cap) {
			size_t nc = l->cap ? l->cap * 2 : 32;
			struct tx_tool **nt =
				realloc(l->tools, nc * sizeof(*nt));

			if (!nt) {
				tx_tool_unref(t);
				return -ENOMEM;
			}
			l->tools = nt;
			l->cap = nc;
		}
		l->tools[l->n++] = t;
	}
	return 0;
}

/* Lists every page and publishes the tools.  0 or -errno (err). */
int tx_mcp_list_tools(struct mcp_backend *be, struct mcp_conn_ref *r, char *err,
		      size_t errlen)
{
	struct tool_list l = { .be = be };
	struct tx_tool **tools;
	size_t n;
	char regerr[1024] = "";
	bool cap_tools;
	int rc = 0;

	pthread_mutex_lock(&be->mu);
	cap_tools = be->cap_tools;
	pthread_mutex_unlock(&be->mu);
	/* No "tools" capability: nothing to list (the server would refuse);
	 * publishing the empty set keeps the server ready, not restarting. */
	if (cap_tools)
		rc = tx_mcp_list_pages(be, r, "tools/list", "tools", add_tools,
				       &l, err, errlen);
	tools = l.tools;
	n = l.n;
	if (!rc) {
		/* Same name twice: keep the first, say so. */
		size_t k = 0;

		if (n)
			qsort(tools, n, sizeof(*tools), tool_cmp);
		for (size_t i = 0; i < n; i++) {
			if (k && !strcmp(tools[k - 1]->name, tools[i]->name)) {
				tx_log(TX_LOG_WARN,
				       "mcp %s: tool \"%s\" listed "
				       "twice; keeping the first",
				       be->spec->name, tools[i]->name);
				tx_tool_unref(tools[i]);
				continue;
			}
			tools[k++] = tools[i];
		}
		n = k;
		pthread_mutex_lock(&be->pub_mu);
		if (be->retired) {
			snprintf(regerr, sizeof(regerr),
				 "the server was "
				 "removed from the configuration");
			rc = -ECANCELED;
		} else {
			rc = tx_registry_set_source(
				be->reg, be->source,
				(struct tx_tool *const *)tools, n, regerr,
				sizeof(regerr));
		}
		pthread_mutex_unlock(&be->pub_mu);
		if (rc > 0)
			tx_log(TX_LOG_WARN, "mcp %s: %s", be->spec->name,
			       regerr);
		if (rc >= 0) {
			char *left_out = rc > 0 ? strdup(regerr) : NULL;

			pthread_mutex_lock(&be->mu);
			be->ntools = n - (size_t)rc;
			free(be->left_out);
			be->left_out = left_out;
			pthread_mutex_unlock(&be->mu);
			tx_log(TX_LOG_INFO, "mcp %s: %zu tools", be->spec->name,
			       n - (size_t)rc);
			rc = 0;
		} else {
			snprintf(err, errlen, "publishing tools: %s", regerr);
		}
	}
	for (size_t i = 0; i < n; i++)
		tx_tool_unref(tools[i]);
	free(tools);
	return rc;
}
