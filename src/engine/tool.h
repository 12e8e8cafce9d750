/*
 * tool.h - the tool model inside the engine.
 *
 * A tool is immutable once built and reference-counted (atomically), so
 * tool sets on many threads can share it.  Its output schema is a
 * private deep copy that is only read after construction; of the input
 * schema it keeps the compact text and the compiled validator, shared by
 * every tool with the same text, not the tree; the summary is rendered
 * here, the doc and schema texts once, on first read.
 */
#ifndef TX_TOOL_H
#define TX_TOOL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "toolexecfs/toolexec.h"

struct json_object;
struct tx_backend;
struct tx_schema;
struct tx_tool_schema;

/* What a backend or the config loader describes; everything is copied. */
struct tx_tool_def {
	const char *ns;
	const char *name;
	const char *title;       /* may be NULL */
	const char *description; /* may be NULL */
	const char *const *tags;
	size_t ntags;
	struct json_object *input_schema;  /* NULL: {"type":"object"} */
	struct json_object *output_schema; /* may be NULL */
	unsigned timeout_ms;               /* 0: TX_TOOL_TIMEOUT_DEFAULT */
	/* As declared; TX_HINT_NONE: guessed from the name (tool.c). */
	enum tx_tool_hint hint;
	const char *origin;         /* "builtin", "FILE.json", "mcp:NAME" */
	const char *where;          /* one line for the doc: where it runs */
	struct tx_backend *backend; /* a reference is taken */
	/* Ownership passes to the tool, even when tx_tool_new fails. */
	void *backend_data;
	void (*backend_data_free)(void *data);
	/*
	 * Canonical text of everything in backend_data that changes how a
	 * call runs (an exec tool's argv, env, cwd, stdin, caps...); copied.
	 * Two definitions are the same tool only when these texts are equal,
	 * so a reload that edits only the backend's spec still produces a
	 * new tool.  NULL when backend_data adds nothing to the fields above
	 * (an MCP tool's name, a built-in's static table).
	 */
	const char *backend_spec;
};

#define TX_TOOL_TIMEOUT_DEFAULT 60000u

struct tx_tool {
	atomic_int refs;
	uint64_t version;
	char *id;        /* "ns:name", then ns and name, one block */
	char *ns;        /* in id's block */
	char *name;      /* in id's block */
	char *ns_file;   /* ns itself when encoding leaves it unchanged */
	char *name_file; /* name itself likewise */
	/* title, description, tags (the pointers and the strings),
	 * origin and where live in the one block `strings`: never free or
	 * assign them one by one. */
	char *strings;
	char *title;
	char *description;
	char **tags;
	size_t ntags;
	/* NULL: a json-c tree costs ten times its text, which the tool
	 * keeps.  The renders of tool.c set it, under their lock, to a
	 * tree parsed again from the text for the time of a render. */
	struct json_object *input_schema;
	/* Tools with the same input schema text share one compiled
	 * validator and the text (tool.c interns them). */
	struct tx_tool_schema *input_shared;
	const char *schema_json; /* compact text of input_schema, shared */
	struct json_object *output_schema;       /* may be NULL */
	const struct tx_schema *input_validator; /* shared */
	struct tx_schema *output_validator;      /* may be NULL */
	/* Rendered on first read (most tools' are never read), under
	 * tool.c's render lock; then never changed. */
	_Atomic(char *) schema_text;
	char *output_schema_text; /* may be NULL */
	char *summary;
	_Atomic(char *) doc;
	char *origin;
	char *where;
	unsigned timeout_ms;
	enum tx_tool_hint hint;
	bool hint_declared;
	struct tx_backend *backend;
	void *backend_data;
	void (*backend_data_free)(void *data);
	/* Digest of the definition's backend_spec (its text is not kept):
	 * tx_tool_same compares these. */
	uint64_t backend_spec[2];
	bool has_backend_spec;
};

/*
 * Builds a tool: checks the namespace and name (non-empty, valid UTF-8,
 * no NUL, namespace without ':'), compiles the schemas (def's trees are
 * only read), renders the texts.  Returns a tool with one reference, or NULL
 * with errno (EINVAL: a bad name or unusable schema, reason in err).
 */
struct tx_tool *tx_tool_new(const struct tx_tool_def *def, char *err,
			    size_t errlen);

/*
 * Gives a tool being built an ID other than "ns:name" (the chain tool,
 * "chain"); the names stay.  0, or -ENOMEM and the tool is unchanged.
 * id, ns and name share one allocation: never free or assign them.
 */
int tx_tool_set_id(struct tx_tool *tool, const char *id);

/* The input schema as a new tree, parsed from its compact text (the
 * caller puts it), or NULL when out of memory. */
struct json_object *tx_tool_schema_parse(const struct tx_tool *tool);
/* The same with the caller's tokener (json_tokener_new_ex with
 * TX_TOOL_SCHEMA_DEPTH), reset first: one tokener for many tools spares
 * each parse the allocation of the tokener's stack. */
struct json_tokener;
#define TX_TOOL_SCHEMA_DEPTH 1024
struct json_object *tx_tool_schema_parse_with(const struct tx_tool *tool,
					      struct json_tokener *tok);

/* True when two tools have the same definition, their backend's spec
 * included (reload detects no-ops). */
/* TX_HINT_DESTRUCTIVE when a word of name says so (tool.c), else
 * TX_HINT_NONE: the hint of a tool that declares none. */
enum tx_tool_hint tx_tool_hint_from_name(const char *name);

bool tx_tool_same(const struct tx_tool *a, const struct tx_tool *b);

#endif
