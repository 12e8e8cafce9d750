/*
 * chain.c - chain/: the chain as a tool directory.
 *
 * chain/ is the pseudo tool TX_CHAIN_ID (its root row gives it that key):
 * it holds a fixed doc and the same call files as a tool directory,
 * served by the same rows (tools.c, call.c), so the three calling ways
 * work on a chain as on any tool.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <string.h>

static const char chain_doc_text[] =
	"# chain\n"
	"\n"
	"Runs tools one after another.  Write the steps to `chain/call` in any\n"
	"of the three calling ways (shell style, transaction, `chain/clone`),\n"
	"as `{\"steps\": [...]}` or as the bare array `[...]` (the same\n"
	"shapes `toolexec chain` takes):\n"
	"\n"
	"    {\"steps\": [\n"
	"      {\"tool\": \"builtin:echo\", \"args\": {\"text\": \"one\"}},\n"
	"      {\"tool\": \"builtin:echo\", \"args\": {}, \"use_previous\": true}\n"
	"    ]}\n"
	"\n"
	"A step is `tool` (its ID), `args` (an object) and these keys:\n"
	"\n"
	"- `continue_on_error`: go on with the next step even if this one\n"
	"  fails.  Without it the chain stops at the first failure.\n"
	"- `previous_to`: a JSON Pointer into `args` where the previous step's\n"
	"  result goes: its structured content when it has one, else its\n"
	"  text.  The arguments are validated after the placement.\n"
	"- `previous_from`: a JSON Pointer into the previous result: only that\n"
	"  part is passed on.\n"
	"- `use_previous`: the same as `\"previous_to\": \"/previous\"`, for\n"
	"  tools whose schema takes `previous`.\n"
	"\n"
	"For example, the size of a file, picked by builtin:json_get:\n"
	"\n"
	"    [{\"tool\": \"builtin:echo\", \"args\": {\"size\": 42}},\n"
	"     {\"tool\": \"builtin:json_get\", \"args\": {\"pointer\": \"/size\"},\n"
	"      \"previous_to\": \"/json\"}]\n"
	"\n"
	"`result` is the last step's result; `result.json` holds every\n"
	"step's envelope under `structuredContent.steps`.  `schema` is the\n"
	"input schema of all this.\n";

/* summary and schema: the chain pseudo tool's own texts. */
static int chain_tool_text(struct fs *fs,
			   const char *(*get)(const struct tx_tool *),
			   struct fs_blob **out)
{
	const struct tx_tool *t = tx_engine_find_tool(fs->engine, TX_CHAIN_ID);
	const char *s = t ? get(t) : NULL;

	*out = s ? fs_blob_new(s, strlen(s)) : NULL;
	tx_tool_unref(t);
	if (!s)
		return -ENOENT;
	return *out ? 0 : -ENOMEM;
}

static int chain_summary(struct fs *fs, const struct fs_node *n,
			 struct fs_blob **out)
{
	(void)n;
	return chain_tool_text(fs, tx_tool_summary, out);
}

static int chain_schema(struct fs *fs, const struct fs_node *n,
			struct fs_blob **out)
{
	(void)n;
	return chain_tool_text(fs, tx_tool_schema_text, out);
}

static int chain_doc(struct fs *fs, const struct fs_node *n,
		     struct fs_blob **out)
{
	(void)fs;
	(void)n;
	*out = fs_blob_new(chain_doc_text, strlen(chain_doc_text));
	return *out ? 0 : -ENOMEM;
}

static const struct fs_node_ops chain_doc_ops = {
	.mode = S_IFREG | 0444,
	.flags = FS_CACHED, /* never changes */
	.entry_ttl = FS_TTL_STATIC,
	.attr_ttl = FS_TTL_STATIC,
	.text = chain_doc,
	.read = fs_read_text,
};

/* The chain tool never changes while mounted. */
static const struct fs_node_ops chain_summary_ops = {
	.mode = S_IFREG | 0444,
	.flags = FS_CACHED,
	.entry_ttl = FS_TTL_STATIC,
	.attr_ttl = FS_TTL_STATIC,
	.text = chain_summary,
	.read = fs_read_text,
};

static const struct fs_node_ops chain_schema_ops = {
	.mode = S_IFREG | 0444,
	.flags = FS_CACHED,
	.entry_ttl = FS_TTL_STATIC,
	.attr_ttl = FS_TTL_STATIC,
	.text = chain_schema,
	.read = fs_read_text,
};

/* In the order readdir lists them, as in a tool's directory. */
static const struct fs_child chain_children[] = {
	{ "summary", &chain_summary_ops, 0, NULL },
	{ "doc", &chain_doc_ops, 0, NULL },
	{ "schema", &chain_schema_ops, 0, NULL },
	{ "call", &fs_tool_call_ops, 0, NULL },
	{ "result", &fs_tool_result_ops, 0, NULL },
	{ "result.json", &fs_tool_result_json_ops, 0, NULL },
	{ "error", &fs_tool_error_ops, 0, NULL },
	{ "status", &fs_tool_status_ops, 0, NULL },
	{ "job", &fs_tool_job_ops, 0, NULL },
	{ "clone", &fs_tool_clone_ops, 0, NULL },
};

/* chain/ */
const struct fs_node_ops fs_chain_ops = {
	.mode = S_IFDIR | 0555,
	.entry_ttl = FS_TTL_STATIC,
	.attr_ttl = FS_TTL_STATIC,
	.children = chain_children,
	.nchildren = sizeof(chain_children) / sizeof(chain_children[0]),
};
