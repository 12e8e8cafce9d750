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
	"of the three calling ways (shell style, transaction, `chain/clone`):\n"
	"\n"
	"    {\"steps\": [\n"
	"      {\"tool\": \"builtin:echo\", \"args\": {\"text\": \"one\"}},\n"
	"      {\"tool\": \"builtin:echo\", \"args\": {}, \"use_previous\": true}\n"
	"    ]}\n"
	"\n"
	"Steps run in order and the chain stops at the first failure unless\n"
	"a step says otherwise.  With `use_previous` a step receives the\n"
	"previous step's result under `args.previous`.  `result` is the last\n"
	"step's result; `result.json` holds every step's envelope.\n";

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

/* In the order readdir lists them. */
static const struct fs_child chain_children[] = {
	{ "doc", &chain_doc_ops, 0, NULL },
	{ "call", &fs_tool_call_ops, 0, NULL },
	{ "result", &fs_tool_result_ops, 0, NULL },
	{ "result.json", &fs_tool_result_json_ops, 0, NULL },
	{ "error", &fs_tool_error_ops, 0, NULL },
	{ "status", &fs_tool_status_ops, 0, NULL },
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
