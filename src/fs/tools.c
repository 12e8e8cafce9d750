/*
 * tools.c - tools/: namespaces, tool directories, the INDEX files and the
 * static texts of a tool, and the files one calls a tool through.
 *
 * Every kind here stands for something of the current tool set, named
 * by the node's key (a namespace file name, a tool ID): `valid` checks
 * it is still there on every request, and `changed` tells the kernel
 * what to forget when the set changes (notify.c), since the static texts
 * are cached by the kernel (FS_CACHED).  The call files are call.c's;
 * chain/ uses the same rows (chain.c).
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel may keep every name and attribute here until notify.c
 * says otherwise. */
#define TOOLS_TTL .entry_ttl = FS_TTL_STATIC, .attr_ttl = FS_TTL_STATIC

static const struct fs_node_ops ns_ops, ns_index_ops, tool_ops;

/* ------------------------------------------------------------------ */
/* Is the key's object still there?                                     */

static bool ns_exists(const struct tx_toolset *set, const char *ns_file)
{
	return tx_toolset_has_namespace(set, ns_file);
}

/* tools/NS/ and tools/NS/INDEX. */
static int ns_valid(struct fs *fs, const struct fs_node *n)
{
	struct tx_toolset *set = tx_engine_tools(fs->engine);
	int rc = set && ns_exists(set, n->key) ? 0 : -ENOENT;

	tx_toolset_unref(set);
	return rc;
}

/*
 * A tool's directory and files.  chain/ holds the same call files with
 * the key TX_CHAIN_ID, the pseudo tool the engine always has.
 */
static int tool_valid(struct fs *fs, const struct fs_node *n)
{
	struct tx_toolset *set;
	int rc;

	if (!strcmp(n->key, TX_CHAIN_ID))
		return 0;
	set = tx_engine_tools(fs->engine);
	rc = set && tx_toolset_find(set, n->key) ? 0 : -ENOENT;
	tx_toolset_unref(set);
	return rc;
}

/* output_schema exists only for a tool that declares one. */
static int oschema_valid(struct fs *fs, const struct fs_node *n)
{
	struct tx_toolset *set = tx_engine_tools(fs->engine);
	const struct tx_tool *t = set ? tx_toolset_find(set, n->key) : NULL;
	int rc = t && tx_tool_output_schema_text(t) ? 0 : -ENOENT;

	tx_toolset_unref(set);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Lookups and listings                                                 */

static int tools_lookup(struct fs *fs, const struct fs_node *dir,
			const char *name, const struct fs_node_ops **ops,
			char **key)
{
	struct tx_toolset *set = tx_engine_tools(fs->engine);
	int rc = -ENOENT;

	(void)dir;
	if (!set)
		return -ENOMEM;
	if (ns_exists(set, name)) {
		*ops = &ns_ops;
		*key = strdup(name);
		rc = *key ? 0 : -ENOMEM;
	}
	tx_toolset_unref(set);
	return rc;
}

/* INDEX, then every namespace once. */
static int tools_readdir(struct fs *fs, fuse_req_t req,
			 const struct fs_node *dir, struct fs_dirlist *l)
{
	struct tx_toolset *set = tx_engine_tools(fs->engine);
	size_t n, nfixed;
	int rc;

	(void)req;
	if (!set)
		return -ENOMEM;
	n = tx_toolset_count(set);
	rc = fs_list_children(fs, dir, l);
	nfixed = l->n;
	for (size_t i = 0; i < n && !rc;) {
		const char *ns = tx_tool_namespace_file(tx_toolset_at(set, i));
		size_t first, k = tx_toolset_namespace_range(set, ns, &first);
		bool seen = false;

		/* Sorted by ID keeps a namespace contiguous: one step per
		 * namespace, so 500 of them cost 500 binary searches. */
		i += k ? k : 1;
		for (size_t j = 0; j < nfixed && !seen; j++)
			seen = !strcmp(l->v[j].name, ns);
		if (!seen)
			rc = fs_dirlist_add(l, ns, S_IFDIR);
	}
	tx_toolset_unref(set);
	return rc;
}

static int ns_lookup(struct fs *fs, const struct fs_node *dir, const char *name,
		     const struct fs_node_ops **ops, char **key)
{
	struct tx_toolset *set = tx_engine_tools(fs->engine);
	const struct tx_tool *t;
	int rc = -ENOENT;

	if (!set)
		return -ENOMEM;
	t = tx_toolset_find_file(set, dir->key, name);
	if (t) {
		*ops = &tool_ops;
		*key = strdup(tx_tool_id(t));
		rc = *key ? 0 : -ENOMEM;
	}
	tx_toolset_unref(set);
	return rc;
}

/* INDEX, then the namespace's tools. */
static int ns_readdir(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		      struct fs_dirlist *l)
{
	struct tx_toolset *set = tx_engine_tools(fs->engine);
	size_t n, first;
	int rc;

	(void)req;
	if (!set)
		return -ENOMEM;
	rc = fs_list_children(fs, dir, l);
	n = tx_toolset_namespace_range(set, dir->key, &first);
	if (!n)
		rc = -ENOENT;
	for (size_t i = first; i < first + n && !rc; i++) {
		const struct tx_tool *t = tx_toolset_at(set, i);

		rc = fs_dirlist_add(l, tx_tool_name_file(t), S_IFDIR);
	}
	tx_toolset_unref(set);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Static texts                                                         */

/* The engine's index of the tools of ns_file (NULL: all), as a blob. */
static int index_blob(const struct tx_toolset *set, const char *ns_file,
		      struct fs_blob **out)
{
	size_t len;
	char *text = tx_toolset_index_text(set, ns_file, &len);

	if (!text)
		return -ENOMEM;
	*out = fs_blob_take(text, len);
	return *out ? 0 : -ENOMEM;
}

/*
 * tools/INDEX: every tool ID with its summary (as `toolexec list`).
 * Rendered once per tool set, not per request: at 50 000 tools it is
 * 2 MB, and the kernel asks for its size (a stat, a lookup whose
 * attributes expired) as well as for its text (each open).
 */
static int tools_index_text(struct fs *fs, const struct fs_node *n,
			    struct fs_blob **out)
{
	struct tx_toolset *set = tx_engine_tools(fs->engine);
	uint64_t gen;
	int rc = 0;

	(void)n;
	if (!set)
		return -ENOMEM;
	gen = tx_toolset_generation(set);
	pthread_mutex_lock(&fs->index_lock);
	if (fs->index_blob && fs->index_gen == gen) {
		*out = fs_blob_ref(fs->index_blob);
	} else {
		rc = index_blob(set, NULL, out);
		/* Never replace a newer set's text with an older one's. */
		if (!rc && (!fs->index_blob || gen > fs->index_gen)) {
			fs_blob_unref(fs->index_blob);
			fs->index_blob = fs_blob_ref(*out);
			fs->index_gen = gen;
		}
	}
	pthread_mutex_unlock(&fs->index_lock);
	tx_toolset_unref(set);
	return rc;
}

/* tools/NS/INDEX: the namespace's lines of tools/INDEX. */
static int ns_index_text(struct fs *fs, const struct fs_node *n,
			 struct fs_blob **out)
{
	struct tx_toolset *set = tx_engine_tools(fs->engine);
	int rc;

	if (!set)
		return -ENOMEM;
	rc = ns_exists(set, n->key) ? index_blob(set, n->key, out) : -ENOENT;
	tx_toolset_unref(set);
	return rc;
}

/* One text of the tool n names, which the tool rendered when built. */
static int tool_text(struct fs *fs, const struct fs_node *n,
		     const char *(*get)(const struct tx_tool *),
		     struct fs_blob **out)
{
	struct tx_toolset *set = tx_engine_tools(fs->engine);
	const struct tx_tool *t;
	const char *s;
	int rc = 0;

	*out = NULL;
	if (!set)
		return -ENOMEM;
	t = tx_toolset_find(set, n->key);
	s = t ? get(t) : NULL;
	if (!s)
		rc = -ENOENT;
	else if (!(*out = fs_blob_new(s, strlen(s))))
		rc = -ENOMEM;
	tx_toolset_unref(set);
	return rc;
}

static int summary_text(struct fs *fs, const struct fs_node *n,
			struct fs_blob **out)
{
	return tool_text(fs, n, tx_tool_summary, out);
}

static int doc_text(struct fs *fs, const struct fs_node *n,
		    struct fs_blob **out)
{
	return tool_text(fs, n, tx_tool_doc, out);
}

static int schema_text(struct fs *fs, const struct fs_node *n,
		       struct fs_blob **out)
{
	return tool_text(fs, n, tx_tool_schema_text, out);
}

static int oschema_text(struct fs *fs, const struct fs_node *n,
			struct fs_blob **out)
{
	return tool_text(fs, n, tx_tool_output_schema_text, out);
}

/* ------------------------------------------------------------------ */
/* What the kernel must forget when the tool set changes               */

/* Asked only when a tool of the file's namespace (tools/INDEX: any
 * tool) changed (notify.c). */
static void index_changed(struct fs_change *c, const struct fs_node *n)
{
	fs_change_queue(c, n->ino, NULL);
}

static void ns_changed(struct fs_change *c, const struct fs_node *n)
{
	if (n->parent && !ns_exists(c->cur, n->key))
		fs_change_queue(c, n->parent, n->name);
}

static bool text_differs(const char *a, const char *b)
{
	if (!a || !b)
		return a != b;
	return strcmp(a, b) != 0;
}

static bool tool_redefined(const struct fs_change *c, const char *id)
{
	const struct tx_tool *was = c->old ? tx_toolset_find(c->old, id) : NULL;
	const struct tx_tool *now = tx_toolset_find(c->cur, id);

	return now && (!was || tx_tool_version(was) != tx_tool_version(now));
}

static void tool_changed(struct fs_change *c, const struct fs_node *n)
{
	const struct tx_tool *was, *now;

	was = c->old ? tx_toolset_find(c->old, n->key) : NULL;
	now = tx_toolset_find(c->cur, n->key);
	if (!now) {
		if (n->parent)
			fs_change_queue(c, n->parent, n->name);
	} else if (tool_redefined(c, n->key)) {
		/* The directory's static files are invalidated by their own
		 * `changed`; output_schema may have come or gone. */
		if (text_differs(was ? tx_tool_output_schema_text(was) : NULL,
				 tx_tool_output_schema_text(now)))
			fs_change_queue(c, n->ino, "output_schema");
	}
}

/* summary, doc, schema, output_schema. */
static void text_changed(struct fs_change *c, const struct fs_node *n)
{
	if (tool_redefined(c, n->key))
		fs_change_queue(c, n->ino, NULL);
}

/* ------------------------------------------------------------------ */
/* The kinds                                                            */

static const struct fs_node_ops tools_index_ops = {
	.mode = S_IFREG | 0444,
	.flags = FS_CACHED,
	TOOLS_TTL,
	.text = tools_index_text,
	.read = fs_read_text,
	.changed = index_changed,
};

static const struct fs_child tools_children[] = {
	{ "INDEX", &tools_index_ops, FS_CHILD_PIN, NULL },
};

/* tools/ */
const struct fs_node_ops fs_tools_ops = {
	.mode = S_IFDIR | 0555,
	TOOLS_TTL,
	.children = tools_children,
	.nchildren = sizeof(tools_children) / sizeof(tools_children[0]),
	.lookup = tools_lookup,
	.readdir = tools_readdir,
};

static const struct fs_child ns_children[] = {
	{ "INDEX", &ns_index_ops, 0, NULL },
};

/* tools/NS/ */
static const struct fs_node_ops ns_ops = {
	.mode = S_IFDIR | 0555,
	TOOLS_TTL,
	.valid = ns_valid,
	.children = ns_children,
	.nchildren = sizeof(ns_children) / sizeof(ns_children[0]),
	.lookup = ns_lookup,
	.readdir = ns_readdir,
	.changed = ns_changed,
};

static const struct fs_node_ops ns_index_ops = {
	.mode = S_IFREG | 0444,
	.flags = FS_CACHED,
	TOOLS_TTL,
	.valid = ns_valid,
	.text = ns_index_text,
	.read = fs_read_text,
	.changed = index_changed,
};

/* A static text of a tool. */
#define TOOL_TEXT(text_fn)                                            \
	.mode = S_IFREG | 0444, .flags = FS_CACHED, TOOLS_TTL,        \
	.valid = tool_valid, .text = (text_fn), .read = fs_read_text, \
	.changed = text_changed

static const struct fs_node_ops summary_ops = { TOOL_TEXT(summary_text) };
static const struct fs_node_ops doc_ops = { TOOL_TEXT(doc_text) };
static const struct fs_node_ops schema_ops = { TOOL_TEXT(schema_text) };
static const struct fs_node_ops oschema_ops = {
	.mode = S_IFREG | 0444,
	.flags = FS_CACHED,
	TOOLS_TTL,
	.valid = oschema_valid,
	.text = oschema_text,
	.read = fs_read_text,
	.changed = text_changed,
};

/* The files one calls a tool through: call.c. */
const struct fs_node_ops fs_tool_call_ops = {
	.mode = S_IFREG | 0666,
	.scope = FS_TOOL,
	TOOLS_TTL,
	.valid = tool_valid,
	.read = fs_call_read,
	.write = fs_call_write,
	.flush = fs_call_flush,
	.release = fs_call_release,
	.poll = fs_call_poll,
};

/* result, result.json and error: the outcome of the caller's latest
 * call (session.c). */
#define TOOL_OUTCOME(what)                                                     \
	.mode = S_IFREG | 0444, .scope = FS_TOOL, .which = (what), TOOLS_TTL,  \
	.valid = tool_valid, .open = fs_outcome_open, .read = fs_outcome_read, \
	.poll = fs_outcome_poll

const struct fs_node_ops fs_tool_result_ops = { TOOL_OUTCOME(FS_WAIT_RESULT) };
const struct fs_node_ops fs_tool_result_json_ops = { TOOL_OUTCOME(
	FS_WAIT_RESULT_JSON) };
const struct fs_node_ops fs_tool_error_ops = { TOOL_OUTCOME(FS_WAIT_ERROR) };

const struct fs_node_ops fs_tool_status_ops = {
	.mode = S_IFREG | 0444,
	.scope = FS_TOOL,
	TOOLS_TTL,
	.valid = tool_valid,
	.open = fs_outcome_open,
	.read = fs_status_read,
};

/*
 * job: the ID of the caller's latest call of this tool (as `result`
 * shows it), so that a shell-style call can be followed or cancelled:
 * `echo > jobs/$(cat job)/cancel`.  Never waits.
 */
static int tool_job_open(struct fs *fs, fuse_req_t req, struct fs_handle *h)
{
	char line[64];
	int n;

	fs_outcome_open(fs, req, h);
	if (!h->job)
		return 0; /* reads answer ENODATA, as result does */
	n = snprintf(line, sizeof(line), "%s\n", tx_job_id(h->job));
	h->blob = fs_blob_new(line, (size_t)n);
	return h->blob ? 0 : -ENOMEM;
}

static void tool_job_read(struct fs *fs, fuse_req_t req, struct fs_handle *h,
			  size_t size, off_t off)
{
	if (!h->blob)
		fuse_reply_err(req, ENODATA);
	else
		fs_read_text(fs, req, h, size, off);
}

const struct fs_node_ops fs_tool_job_ops = {
	.mode = S_IFREG | 0444,
	.scope = FS_TOOL,
	TOOLS_TTL,
	.valid = tool_valid,
	.open = tool_job_open,
	.read = tool_job_read,
};

const struct fs_node_ops fs_tool_clone_ops = {
	.mode = S_IFREG | 0444,
	.scope = FS_TOOL,
	TOOLS_TTL,
	.valid = tool_valid,
	.read = fs_clone_read,
};

/* In the order readdir lists them. */
static const struct fs_child tool_children[] = {
	{ "summary", &summary_ops, 0, NULL },
	{ "doc", &doc_ops, 0, NULL },
	{ "schema", &schema_ops, 0, NULL },
	{ "output_schema", &oschema_ops, FS_CHILD_MAYBE, NULL },
	{ "call", &fs_tool_call_ops, 0, NULL },
	{ "result", &fs_tool_result_ops, 0, NULL },
	{ "result.json", &fs_tool_result_json_ops, 0, NULL },
	{ "error", &fs_tool_error_ops, 0, NULL },
	{ "status", &fs_tool_status_ops, 0, NULL },
	{ "job", &fs_tool_job_ops, 0, NULL },
	{ "clone", &fs_tool_clone_ops, 0, NULL },
};

/* tools/NS/NAME/ */
static const struct fs_node_ops tool_ops = {
	.mode = S_IFDIR | 0555,
	TOOLS_TTL,
	.valid = tool_valid,
	.children = tool_children,
	.nchildren = sizeof(tool_children) / sizeof(tool_children[0]),
	.changed = tool_changed,
};
