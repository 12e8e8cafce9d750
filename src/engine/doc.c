/*
 * doc.c - a tool's summary line and its Markdown page.
 */
#include "engine/doc.h"
#include "engine/backend.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/jsonu.h"
#include "engine/tool.h"

#define SUMMARY_MAX   160
#define DOC_DEPTH_MAX 4 /* nesting shown in the parameter table */

char *tx_doc_summary(const struct tx_tool *t)
{
	const char *src = t->title[0] ? t->title : t->description;
	struct tx_buf b;
	char *shrunk;
	size_t n = 0;

	/* First sentence or line, whichever ends first. */
	while (src[n] && src[n] != '\n' && n < SUMMARY_MAX) {
		if (src[n] == '.' &&
		    (src[n + 1] == ' ' || src[n + 1] == '\n' || !src[n + 1])) {
			n++;
			break;
		}
		n++;
	}
	/* Do not cut a UTF-8 sequence in two. */
	while (n > 0 && src[n] && ((unsigned char)src[n] & 0xc0) == 0x80)
		n--;
	tx_buf_init(&b, 0);
	if (n == 0)
		tx_buf_printf(&b, "%s", t->id);
	else
		tx_buf_add(&b, src, n);
	if (src[n] && src[n] != '\n' && src[n - 1] != '.')
		tx_buf_adds(&b, "...");
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '\t' || b.data[i] == '\r')
			b.data[i] = ' ';
	if (tx_buf_add(&b, "\n", 1)) {
		tx_buf_release(&b);
		return NULL;
	}
	/* Kept for the tool's life: no slack. */
	shrunk = realloc(b.data, b.len + 1);
	return shrunk ? shrunk : tx_buf_detach(&b, NULL);
}

static const char *schema_type(struct json_object *s, char *buf, size_t len)
{
	struct json_object *type, *v;

	if (json_object_object_get_ex(s, "type", &type)) {
		if (json_object_is_type(type, json_type_string))
			return json_object_get_string(type);
		if (json_object_is_type(type, json_type_array)) {
			size_t n = 0;

			buf[0] = '\0';
			for (size_t i = 0; i < json_object_array_length(type);
			     i++) {
				v = json_object_array_get_idx(type, i);
				if (!json_object_is_type(v, json_type_string))
					continue;
				n += (size_t)snprintf(
					buf + n, n < len ? len - n : 0, "%s%s",
					i ? " or " : "",
					json_object_get_string(v));
			}
			return buf;
		}
	}
	if (json_object_object_get_ex(s, "enum", &v))
		return "enum";
	if (json_object_object_get_ex(s, "anyOf", &v) ||
	    json_object_object_get_ex(s, "oneOf", &v))
		return "one of several";
	if (json_object_object_get_ex(s, "$ref", &v))
		return "see schema";
	return "any";
}

/* Table cells hold one line; pipes would end the cell. */
static void add_cell(struct tx_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			tx_buf_adds(b, "\\|");
		else if (*s == '\n' || *s == '\r')
			tx_buf_add(b, " ", 1);
		else
			tx_buf_add(b, s, 1);
	}
}

static bool is_required(struct json_object *schema, const char *name)
{
	struct json_object *req;

	if (!json_object_object_get_ex(schema, "required", &req) ||
	    !json_object_is_type(req, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(req); i++) {
		struct json_object *v = json_object_array_get_idx(req, i);

		if (json_object_is_type(v, json_type_string) &&
		    !strcmp(json_object_get_string(v), name))
			return true;
	}
	return false;
}

static void add_value(struct tx_buf *b, struct json_object *v)
{
	/* Only scalars: printing a container would cache text inside it. */
	switch (json_object_get_type(v)) {
	case json_type_string:
		tx_buf_printf(b, "\"%s\"", json_object_get_string(v));
		break;
	case json_type_int:
		tx_buf_printf(b, "%lld", (long long)json_object_get_int64(v));
		break;
	case json_type_double:
		tx_buf_printf(b, "%g", json_object_get_double(v));
		break;
	case json_type_boolean:
		tx_buf_adds(b, json_object_get_boolean(v) ? "true" : "false");
		break;
	case json_type_null:
		tx_buf_adds(b, "null");
		break;
	default:
		tx_buf_adds(b, "...");
	}
}

static void add_params(struct tx_buf *b, struct json_object *schema,
		       const char *prefix, int depth)
{
	struct json_object *props, *v, *items;
	char tbuf[128];

	if (depth > DOC_DEPTH_MAX ||
	    !json_object_object_get_ex(schema, "properties", &props) ||
	    !json_object_is_type(props, json_type_object))
		return;
	json_object_object_foreach(props, name, sub)
	{
		if (!json_object_is_type(sub, json_type_object))
			continue;
		tx_buf_printf(b, "| `%s%s` | ", prefix, name);
		add_cell(b, schema_type(sub, tbuf, sizeof(tbuf)));
		tx_buf_printf(b, " | %s | ",
			      is_required(schema, name) ? "yes" : "no");
		if (json_object_object_get_ex(sub, "description", &v) &&
		    json_object_is_type(v, json_type_string))
			add_cell(b, json_object_get_string(v));
		if (json_object_object_get_ex(sub, "enum", &v) &&
		    json_object_is_type(v, json_type_array)) {
			tx_buf_adds(b, " One of:");
			for (size_t i = 0;
			     i < json_object_array_length(v) && i < 20; i++) {
				tx_buf_adds(b, i ? ", " : " ");
				add_value(b, json_object_array_get_idx(v, i));
			}
			tx_buf_adds(b, ".");
		}
		if (json_object_object_get_ex(sub, "default", &v)) {
			tx_buf_adds(b, " Default: ");
			add_value(b, v);
			tx_buf_adds(b, ".");
		}
		tx_buf_adds(b, " |\n");
		{
			char np[512];

			snprintf(np, sizeof(np), "%s%s.", prefix, name);
			add_params(b, sub, np, depth + 1);
			if (json_object_object_get_ex(sub, "items", &items) &&
			    json_object_is_type(items, json_type_object)) {
				snprintf(np, sizeof(np), "%s%s[].", prefix,
					 name);
				add_params(b, items, np, depth + 1);
			}
		}
	}
}

/* A placeholder value for an example call, from the schema. */
static void add_example_value(struct tx_buf *b, struct json_object *s)
{
	struct json_object *v;
	char tbuf[128];
	const char *type;

	if (json_object_object_get_ex(s, "default", &v) ||
	    (json_object_object_get_ex(s, "examples", &v) &&
	     json_object_is_type(v, json_type_array) &&
	     (v = json_object_array_get_idx(v, 0))) ||
	    (json_object_object_get_ex(s, "enum", &v) &&
	     json_object_is_type(v, json_type_array) &&
	     (v = json_object_array_get_idx(v, 0)))) {
		if (!json_object_is_type(v, json_type_object) &&
		    !json_object_is_type(v, json_type_array)) {
			add_value(b, v);
			return;
		}
	}
	type = schema_type(s, tbuf, sizeof(tbuf));
	if (!strcmp(type, "integer") || !strcmp(type, "number"))
		tx_buf_adds(b, "1");
	else if (!strcmp(type, "boolean"))
		tx_buf_adds(b, "true");
	else if (!strcmp(type, "array"))
		tx_buf_adds(b, "[]");
	else if (!strcmp(type, "object"))
		tx_buf_adds(b, "{}");
	else
		tx_buf_adds(b, "\"...\"");
}

static void add_example_args(struct tx_buf *b, struct json_object *schema)
{
	struct json_object *props;
	bool first = true;

	tx_buf_adds(b, "{");
	if (json_object_object_get_ex(schema, "properties", &props) &&
	    json_object_is_type(props, json_type_object)) {
		json_object_object_foreach(props, name, sub)
		{
			if (!is_required(schema, name) ||
			    !json_object_is_type(sub, json_type_object))
				continue;
			tx_buf_printf(b, "%s\"%s\": ", first ? "" : ", ", name);
			add_example_value(b, sub);
			first = false;
		}
	}
	tx_buf_adds(b, "}");
}

char *tx_doc_render(const struct tx_tool *t)
{
	struct tx_buf b, args;
	struct json_object *props;

	tx_buf_init(&b, 0);
	tx_buf_init(&args, 0);
	tx_buf_printf(&b, "# %s", t->id);
	if (t->title[0])
		tx_buf_printf(&b, " - %s", t->title);
	tx_buf_printf(&b, "\n\n%s\n",
		      t->description[0] ? t->description : "(no description)");
	tx_buf_adds(&b, "\n## Parameters\n\n");
	if (json_object_object_get_ex(t->input_schema, "properties", &props) &&
	    json_object_is_type(props, json_type_object) &&
	    json_object_object_length(props) > 0) {
		tx_buf_adds(&b, "| Name | Type | Required | Description |\n"
				"|------|------|----------|-------------|\n");
		add_params(&b, t->input_schema, "", 0);
	} else {
		tx_buf_adds(&b, "None: call it with `{}`.\n");
	}
	tx_buf_adds(&b, "\nThe full input schema is in `schema`.\n");
	tx_buf_adds(&b, "\n## Output\n\n");
	if (t->output_schema)
		tx_buf_adds(&b,
			    "Structured content that follows the schema in "
			    "`output_schema`; `result` shows it as JSON.\n");
	else
		tx_buf_adds(&b, "`result` shows the tool's text (or its "
				"structured content as JSON); `result.json` "
				"holds the whole envelope.\n");
	add_example_args(&args, t->input_schema);
	tx_buf_printf(&b,
		      "\n## Example\n\n"
		      "    exec 3<>tools/%s/%s/call; echo '%s' >&3; cat <&3\n\n"
		      "    toolexec call %s '%s'\n",
		      t->ns_file, t->name_file, args.data ? args.data : "{}",
		      t->id, args.data ? args.data : "{}");
	tx_buf_adds(&b, "\n## Where it runs\n\n");
	tx_buf_printf(&b, "%s", t->where[0] ? t->where : "backend: ");
	if (!t->where[0] && t->backend)
		tx_buf_adds(&b, t->backend->ops->kind);
	tx_buf_printf(&b, "\nTimeout: %u ms.\n", t->timeout_ms);
	if (t->hint != TX_HINT_NONE)
		tx_buf_printf(&b, "Effect: %s (%s).\n",
			      tx_tool_hint_name(t->hint),
			      t->hint_declared ? "declared by the tool"
					       : "guessed from its name");
	if (t->ntags) {
		tx_buf_adds(&b, "Tags:");
		for (size_t i = 0; i < t->ntags; i++)
			tx_buf_printf(&b, " %s", t->tags[i]);
		tx_buf_adds(&b, ".\n");
	}
	if (t->origin[0])
		tx_buf_printf(&b, "Defined by: %s.\n", t->origin);
	tx_buf_release(&args);
	if (!b.data) {
		tx_buf_release(&b);
		return NULL;
	}
	return tx_buf_detach(&b, NULL);
}
