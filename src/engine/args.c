/*
 * args.c - checking a call's arguments: once, against the tool's
 * compiled input schema (args.h says how the check travels on).
 */
#include "engine/args.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_i.h"
#include "engine/tool.h"
#include "schema/schema.h"
#include "util/jsonu.h"

void tx_args_uncheck(struct tx_args *a)
{
	if (a->checked)
		tx_tool_unref(a->checked);
	a->checked = NULL;
	for (size_t i = 0; i < a->nsteps; i++)
		if (a->steps[i])
			tx_tool_unref(a->steps[i]);
	free(a->steps);
	a->steps = NULL;
	a->nsteps = 0;
}

void tx_args_release(struct tx_args *a)
{
	tx_args_uncheck(a);
	json_object_put(a->obj);
	free(a->text);
	*a = (struct tx_args){ 0 };
}

int tx_args_check(struct tx_engine *e, const struct tx_tool *tool,
		  struct tx_args *a, char *err, size_t errlen)
{
	int rc;

	tx_args_uncheck(a);
	/* A bare array of steps is a chain too, for every face alike. */
	if (tool == e->chain_tool &&
	    json_object_is_type(a->obj, json_type_array)) {
		struct json_object *o = json_object_new_object();

		if (!o || json_object_object_add(o, "steps", a->obj)) {
			json_object_put(o);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		a->obj = o;
	}
	if (!json_object_is_type(a->obj, json_type_object)) {
		snprintf(err, errlen, "arguments must be a JSON object, got %s",
			 a->obj ? tx_json_type_name(a->obj) : "null");
		return -EINVAL;
	}
	if (tool->input_validator &&
	    tx_schema_validate(tool->input_validator, a->obj, err, errlen))
		return -EINVAL;
	if (tool == e->chain_tool && (rc = tx_chain_check(e, a, err, errlen))) {
		tx_args_uncheck(a);
		return rc;
	}
	a->checked = tx_tool_ref(tool);
	return 0;
}

int tx_engine_check_args(struct tx_engine *e, const char *tool_id,
			 const char *args_json, char *err, size_t errlen)
{
	const struct tx_tool *tool = tx_engine_find_tool(e, tool_id);
	struct tx_args a = { 0 };
	int rc;

	if (!tool) {
		snprintf(err, errlen, "no tool \"%s\"", tool_id);
		return -ENOENT;
	}
	a.obj = tx_json_parse(args_json, strlen(args_json), TX_JSON_DEPTH_MAX,
			      err, errlen);
	rc = err[0] ? -EINVAL : tx_args_check(e, tool, &a, err, errlen);
	tx_args_release(&a);
	tx_tool_unref(tool);
	return rc;
}

int tx_engine_check_argbuf(struct tx_engine *e, const char *tool_id,
			   struct tx_argbuf *ab, char *err, size_t errlen)
{
	struct tx_args *a = tx_argbuf_args(ab);
	const struct tx_tool *tool;
	int rc;

	if (!a) {
		snprintf(err, errlen,
			 "incomplete JSON: the arguments ended "
			 "before the object was closed");
		return -EINVAL;
	}
	tool = tx_engine_find_tool(e, tool_id);
	if (!tool) {
		snprintf(err, errlen, "no tool \"%s\"", tool_id);
		return -ENOENT;
	}
	rc = tx_args_check(e, tool, a, err, errlen);
	tx_tool_unref(tool);
	return rc;
}
