/*
 * root.c - the top of the mount: one row per subtree.
 *
 * Each entry names the operations table of the subtree's top directory,
 * defined in the subtree's own file; everything below it is found
 * through that table.  Adding a subtree is a file that defines its kinds
 * (see tools.c or search.c) and a row here; the row is pinned at mount
 * (inode.c), so its inode never changes.
 */
#include "fs/fs_i.h"

static const struct fs_child root_children[] = {
	{ "README", &fs_readme_ops, 0, NULL }, /* ctl.c */
	{ "tools", &fs_tools_ops, 0, NULL },   /* tools.c */
	{ "jobs", &fs_jobs_ops, 0, NULL },     /* jobs.c */
	{ "search", &fs_search_ops, 0, NULL }, /* search.c */
	/* chain/ is the pseudo tool TX_CHAIN_ID: its files carry that key
	 * as a tool directory's carry the tool's ID. */
	{ "chain", &fs_chain_ops, 0, TX_CHAIN_ID },  /* chain.c */
	{ "code", &fs_code_ops, 0, NULL },           /* code.c */
	{ "resources", &fs_resources_ops, 0, NULL }, /* resources.c */
	{ "prompts", &fs_prompts_ops, 0, NULL },     /* prompts.c */
	{ ".ctl", &fs_ctl_ops, 0, NULL },            /* ctl.c */
	{ ".runs", &fs_runs_ops, 0, NULL },          /* runs.c */
};

const struct fs_node_ops fs_root_ops = {
	.mode = S_IFDIR | 0555,
	.flags = FS_GATE_OPEN, /* the way to .runs/ID/ */
	.entry_ttl = FS_TTL_STATIC,
	.attr_ttl = FS_TTL_STATIC,
	.children = root_children,
	.nchildren = sizeof(root_children) / sizeof(root_children[0]),
};
