/*
 * config.c - one configuration document into an immutable plan: the
 * document's top level and its exec tools (config_mcp.c does
 * "mcpServers", config_code.c "codeProfiles").  docs/config.md is the user's
 * side of this file.
 *
 * Everything is checked here, once, so the engine and the exec backend
 * never look at raw JSON: wrong types, unknown keys, placeholders that
 * name no argument, duplicate IDs.  The first problem found is reported
 * as "NAME: $.json.path: what is wrong".
 */
#include "config/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config_i.h"
#include "util/jsonu.h"
#include "engine/tool.h"

/* Defaults and bounds of exec tool keys (docs/config.md). */
#define EXEC_TIMEOUT_MAX    (24u * 3600 * 1000)
#define EXEC_OUTPUT_DEFAULT (1024u * 1024)
#define EXEC_OUTPUT_MAX     (64u * 1024 * 1024)
#define EXEC_STDERR_DEFAULT (64u * 1024)
#define EXEC_STDERR_MAX     (16u * 1024 * 1024)
#define EXEC_GRACE_DEFAULT  2000u
#define EXEC_GRACE_MAX      60000u
#define EXEC_ARGV_MAX       4096
#define TAGS_MAX            64
#define TOOLS_MAX           10000
/* Ends the message of a file over TX_CONFIG_FILE_MAX: what to do about it
 * (docs/config.md, "Large catalogues"). */
#define SPLIT_HINT ": split its tools over files of about 100 each"

static const char *const top_keys[] = { "tools", "mcpServers", "codeProfiles",
					"roots", "$schema",    "comment",
					NULL };

static const char *const tool_keys[] = {
	"namespace",
	"name",
	"title",
	"description",
	"tags",
	"read_only",
	"destructive",
	"input_schema",
	"output_schema",
	"command",
	"stdin",
	"timeout_ms",
	"env",
	"inherit_env",
	"cwd",
	"max_output_bytes",
	"max_stderr_bytes",
	"kill_grace_ms",
	"success_codes",
	"comment",
	NULL,
};

/* ------------------------------------------------------------------ */
/* Specs: release, copy                                                 */

static void params_free(char **params, size_t argc)
{
	for (size_t i = 0; params && i < argc; i++)
		free(params[i]);
	free(params);
}

static void exec_spec_release(struct tx_exec_spec *e)
{
	params_free(e->params, e->argc);
	tx_cfg_strv_free(e->argv);
	tx_cfg_strv_free(e->env);
	free(e->cwd);
	free(e->stdin_arg);
	memset(e, 0, sizeof(*e));
}

static void tool_spec_release(struct tx_tool_spec *t)
{
	free(t->ns);
	free(t->name);
	free(t->title);
	free(t->description);
	tx_cfg_strv_free(t->tags);
	if (t->input_schema)
		json_object_put(t->input_schema);
	if (t->output_schema)
		json_object_put(t->output_schema);
	exec_spec_release(&t->exec);
	memset(t, 0, sizeof(*t));
}

void tx_exec_spec_free(struct tx_exec_spec *spec)
{
	if (!spec)
		return;
	exec_spec_release(spec);
	free(spec);
}

struct tx_exec_spec *tx_exec_spec_dup(const struct tx_exec_spec *spec)
{
	struct tx_exec_spec *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	*d = *spec;
	d->argv = NULL;
	d->params = NULL;
	d->env = NULL;
	d->cwd = NULL;
	d->stdin_arg = NULL;
	d->argv = tx_cfg_strv_dup(spec->argv);
	if (spec->argv && !d->argv)
		goto out_nomem;
	if (spec->params) {
		d->params =
			calloc(spec->argc ? spec->argc : 1, sizeof(*d->params));
		if (!d->params)
			goto out_nomem;
		for (size_t i = 0; i < spec->argc; i++)
			if (spec->params[i] &&
			    !(d->params[i] = strdup(spec->params[i])))
				goto out_nomem;
	}
	d->env = tx_cfg_strv_dup(spec->env);
	if (spec->env && !d->env)
		goto out_nomem;
	if (spec->cwd && !(d->cwd = strdup(spec->cwd)))
		goto out_nomem;
	if (spec->stdin_arg && !(d->stdin_arg = strdup(spec->stdin_arg)))
		goto out_nomem;
	return d;
out_nomem:
	tx_exec_spec_free(d);
	errno = ENOMEM;
	return NULL;
}

void tx_config_file_drop_tools(struct tx_config_file *cf)
{
	for (size_t i = 0; i < cf->ntools; i++)
		tool_spec_release(&cf->tools[i]);
	free(cf->tools);
	cf->tools = NULL;
	cf->ntools = 0;
}

void tx_config_file_free(struct tx_config_file *cf)
{
	if (!cf)
		return;
	for (size_t i = 0; i < cf->ntools; i++)
		tool_spec_release(&cf->tools[i]);
	free(cf->tools);
	for (size_t i = 0; i < cf->nservers; i++)
		tx_mcp_spec_release(&cf->servers[i]);
	free(cf->servers);
	free(cf->code_profiles);
	tx_cfg_strv_free(cf->roots);
	free(cf->path);
	free(cf);
}

/* ------------------------------------------------------------------ */
/* Exec tools                                                           */

/* Joins a relative path onto the configuration file's directory. */
static int resolve_relative(char **path, const char *dir)
{
	char *joined;

	if (!dir || (*path)[0] == '/')
		return 0;
	if (asprintf(&joined, "%s/%s", dir, *path) < 0)
		return -ENOMEM;
	free(*path);
	*path = joined;
	return 0;
}

static int check_name(struct tx_cfg *c, const char *key, const char *s)
{
	size_t mark = tx_cfg_push_key(c, key);
	int rc = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			rc = tx_cfg_error(c,
					  "control characters are not "
					  "allowed in a %s",
					  key);
			break;
		}
		if (*p == ':' && !strcmp(key, "namespace")) {
			rc = tx_cfg_error(c, "a namespace must not contain "
					     "':' (IDs are NAMESPACE:NAME)");
			break;
		}
	}
	if (!rc && strlen(s) > 1024)
		rc = tx_cfg_error(c, "longer than 1024 bytes");
	tx_cfg_pop(c, mark);
	return rc;
}

/*
 * "read_only": true, or "destructive": true / false: what calling the
 * tool does, for search (docs/search.md).  Both true contradict.
 */
static int parse_hint(struct tx_cfg *c, struct json_object *o,
		      struct tx_tool_spec *t)
{
	bool ro = false, de = false;
	int rc;

	rc = tx_cfg_get_bool(c, o, "read_only", &ro);
	if (rc)
		return rc;
	rc = tx_cfg_get_bool(c, o, "destructive", &de);
	if (rc)
		return rc;
	if (ro && de) {
		size_t mark = tx_cfg_push_key(c, "destructive");

		rc = tx_cfg_error(c, "a tool cannot be both read_only and "
				     "destructive");
		tx_cfg_pop(c, mark);
		return rc;
	}
	if (ro)
		t->hint = TX_HINT_READ_ONLY;
	else if (de)
		t->hint = TX_HINT_DESTRUCTIVE;
	else if (json_object_object_get_ex(o, "destructive", NULL))
		t->hint = TX_HINT_ADDITIVE; /* "destructive": false */
	return 0;
}
static int parse_input_schema(struct tx_cfg *c, struct json_object *o,
			      struct tx_tool_spec *t)
{
	struct json_object *v, *type, *props;
	size_t mark;
	int rc = 0;

	if (!json_object_object_get_ex(o, "input_schema", &v))
		return tx_cfg_error(c, "missing required key \"input_schema\" "
				       "(a tool without arguments says "
				       "{\"type\": \"object\"})");
	mark = tx_cfg_push_key(c, "input_schema");
	if (!json_object_is_type(v, json_type_object)) {
		rc = tx_cfg_error(c, "expected a JSON Schema object, got %s",
				  v ? json_type_to_name(json_object_get_type(v))
				    : "null");
		goto out;
	}
	if (json_object_object_get_ex(v, "type", &type) &&
	    !(json_object_is_type(type, json_type_string) &&
	      !strcmp(json_object_get_string(type), "object"))) {
		tx_cfg_push_key(c, "type");
		rc = tx_cfg_error(c, "arguments are a JSON object: \"type\" "
				     "must be \"object\"");
		goto out;
	}
	if (json_object_object_get_ex(v, "properties", &props) &&
	    !json_object_is_type(props, json_type_object)) {
		tx_cfg_push_key(c, "properties");
		rc = tx_cfg_error(c, "expected an object");
		goto out;
	}
	t->input_schema = json_object_get(v);
out:
	tx_cfg_pop(c, mark);
	return rc;
}

/*
 * Compiles the command: every "{NAME}" element must name a property of
 * the input schema, and is recorded as standing for that argument.
 */
static int compile_command(struct tx_cfg *c, struct tx_tool_spec *t)
{
	struct json_object *props = NULL;
	size_t mark = tx_cfg_push_key(c, "command");
	int rc = 0;

	t->exec.params = calloc(t->exec.argc, sizeof(*t->exec.params));
	if (!t->exec.params) {
		rc = tx_cfg_error(c, "out of memory");
		goto out;
	}
	json_object_object_get_ex(t->input_schema, "properties", &props);
	for (size_t i = 0; i < t->exec.argc && !rc; i++) {
		const char *name;
		size_t len, m;
		char key[256];

		if (!tx_cfg_placeholder(t->exec.argv[i], &name, &len))
			continue;
		m = tx_cfg_push_index(c, i);
		if (i == 0) {
			/* The program itself never comes from a caller. */
			rc = tx_cfg_error(c, "the program (first element) "
					     "cannot be a placeholder");
		} else if (len >= sizeof(key)) {
			rc = tx_cfg_error(c, "placeholder name too long");
		} else {
			memcpy(key, name, len);
			key[len] = '\0';
			if (!props ||
			    !json_object_object_get_ex(props, key, NULL))
				rc = tx_cfg_error(
					c,
					"placeholder \"{%s}\" names no property "
					"of input_schema",
					key);
			else if (!(t->exec.params[i] = strdup(key)))
				rc = tx_cfg_error(c, "out of memory");
		}
		tx_cfg_pop(c, m);
	}
out:
	tx_cfg_pop(c, mark);
	return rc;
}

/* "json", "none", or "{NAME}": that argument's value as the input. */
/* "success_codes": [0, 1]: the exit statuses that mean the call
 * succeeded (grep -c exits 1 when nothing matches).  Default [0]. */
static int parse_success_codes(struct tx_cfg *c, struct json_object *o,
			       struct tx_exec_spec *spec)
{
	struct json_object *a;
	size_t mark, n;

	if (!json_object_object_get_ex(o, "success_codes", &a))
		return 0;
	mark = tx_cfg_push_key(c, "success_codes");
	if (!json_object_is_type(a, json_type_array) ||
	    !(n = json_object_array_length(a)))
		return tx_cfg_error(c, "expected a non-empty array of exit "
				       "statuses (0 ... 255)");
	memset(spec->success, 0, sizeof(spec->success));
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(a, i);
		size_t at = tx_cfg_push_index(c, i);
		int64_t code;

		if (!json_object_is_type(v, json_type_int) ||
		    (code = json_object_get_int64(v)) < 0 || code > 255)
			return tx_cfg_error(c, "expected an exit status, an "
					       "integer 0 ... 255");
		spec->success[code / 64] |= 1ull << (code % 64);
		tx_cfg_pop(c, at);
	}
	tx_cfg_pop(c, mark);
	return 0;
}

static int parse_stdin(struct tx_cfg *c, struct tx_tool_spec *t, char *mode)
{
	struct json_object *props = NULL;
	const char *name;
	size_t len;
	int rc = 0;

	if (!strcmp(mode, "json")) {
		t->exec.stdin_mode = TX_STDIN_JSON;
	} else if (tx_cfg_placeholder(mode, &name, &len)) {
		memmove(mode, name, len);
		mode[len] = '\0';
		json_object_object_get_ex(t->input_schema, "properties",
					  &props);
		if (!props || !json_object_object_get_ex(props, mode, NULL)) {
			tx_cfg_push_key(c, "stdin");
			rc = tx_cfg_error(c,
					  "placeholder \"{%s}\" names no "
					  "property of input_schema",
					  mode);
			goto out;
		}
		t->exec.stdin_mode = TX_STDIN_ARG;
		t->exec.stdin_arg = mode;
		return 0;
	} else if (strcmp(mode, "none")) {
		tx_cfg_push_key(c, "stdin");
		rc = tx_cfg_error(c, "must be \"json\", \"none\" or \"{ARG}\" "
				     "(an argument's value)");
	}
out:
	free(mode);
	return rc;
}

/*
 * One step of a tool's parse: an error is recorded and the parse goes on
 * with the next key, so that a file's errors come all at once (only
 * running out of memory ends it).  The path goes back to the tool's
 * after every step, whatever the step left pushed.
 */
#define STEP(expr)                       \
	do {                             \
		int step_rc_ = (expr);   \
		tx_cfg_pop(c, base);     \
		if (step_rc_ == -ENOMEM) \
			return step_rc_; \
		if (step_rc_)            \
			bad = step_rc_;  \
	} while (0)

static int parse_tool(struct tx_cfg *c, struct json_object *o,
		      struct tx_tool_spec *t, const char *dir)
{
	size_t base = c->pathlen;
	unsigned long long u;
	struct json_object *v;
	char *mode = NULL;
	int bad = 0;

	if (!json_object_is_type(o, json_type_object))
		return tx_cfg_error(
			c, "expected an object (one tool), got %s",
			o ? json_type_to_name(json_object_get_type(o))
			  : "null");
	STEP(tx_cfg_check_keys(c, o, tool_keys, NULL));

	t->kind = "exec";
	t->exec.timeout_ms = TX_TOOL_TIMEOUT_DEFAULT;
	t->exec.max_output = EXEC_OUTPUT_DEFAULT;
	t->exec.max_stderr = EXEC_STDERR_DEFAULT;
	t->exec.kill_grace_ms = EXEC_GRACE_DEFAULT;
	t->exec.success[0] = 1; /* exit status 0 */
	t->exec.stdin_mode = TX_STDIN_NONE;

	STEP(tx_cfg_get_string(c, o, "namespace", true, true, &t->ns));
	if (t->ns)
		STEP(check_name(c, "namespace", t->ns));
	STEP(tx_cfg_get_string(c, o, "name", true, true, &t->name));
	if (t->name)
		STEP(check_name(c, "name", t->name));
	STEP(tx_cfg_get_string(c, o, "title", false, false, &t->title));
	STEP(tx_cfg_get_string(c, o, "description", true, true,
			       &t->description));
	STEP(tx_cfg_get_strv(c, o, "tags", false, TAGS_MAX, &t->tags,
			     &t->ntags));
	for (size_t i = 0; i < t->ntags; i++) {
		if (t->tags[i][0])
			continue;
		tx_cfg_push_key(c, "tags");
		tx_cfg_push_index(c, i);
		STEP(tx_cfg_error(c, "must not be empty"));
	}
	STEP(parse_hint(c, o, t));
	STEP(parse_input_schema(c, o, t));
	if (json_object_object_get_ex(o, "output_schema", &v)) {
		if (!json_object_is_type(v, json_type_object)) {
			tx_cfg_push_key(c, "output_schema");
			STEP(tx_cfg_error(
				c,
				"expected a JSON Schema object, "
				"got %s",
				v ? json_type_to_name(json_object_get_type(v))
				  : "null"));
		} else {
			t->output_schema = json_object_get(v);
		}
	}

	STEP(tx_cfg_get_strv(c, o, "command", true, EXEC_ARGV_MAX,
			     &t->exec.argv, &t->exec.argc));
	if (t->exec.argv && (t->exec.argc == 0 || !t->exec.argv[0][0])) {
		tx_cfg_push_key(c, "command");
		if (t->exec.argc)
			tx_cfg_push_index(c, 0);
		STEP(tx_cfg_error(c, t->exec.argc
					     ? "the program must not be empty"
					     : "must name at least the "
					       "program to run"));
	} else if (t->exec.argv) {
		/* Placeholders name properties: only a good input_schema
		 * can tell (its own error is reported already). */
		if (t->input_schema)
			STEP(compile_command(c, t));
		/* "dir/prog" is relative to the file; "prog" is looked up
		 * in PATH. */
		if (strchr(t->exec.argv[0], '/'))
			STEP(resolve_relative(&t->exec.argv[0], dir));
	}

	STEP(tx_cfg_get_string(c, o, "stdin", true, false, &mode));
	if (mode && !t->input_schema && mode[0] == '{')
		free(mode); /* as for the command's placeholders */
	else if (mode)
		STEP(parse_stdin(c, t, mode));

	if (!json_object_object_get_ex(o, "timeout_ms", NULL)) {
		STEP(tx_cfg_error(c, "missing required key \"timeout_ms\""));
	} else {
		u = t->exec.timeout_ms;
		STEP(tx_cfg_get_uint(c, o, "timeout_ms", 1, EXEC_TIMEOUT_MAX,
				     &u));
		t->exec.timeout_ms = (unsigned)u;
	}
	u = t->exec.max_output;
	STEP(tx_cfg_get_uint(c, o, "max_output_bytes", 1, EXEC_OUTPUT_MAX, &u));
	t->exec.max_output = (size_t)u;
	u = t->exec.max_stderr;
	STEP(tx_cfg_get_uint(c, o, "max_stderr_bytes", 0, EXEC_STDERR_MAX, &u));
	t->exec.max_stderr = (size_t)u;
	u = t->exec.kill_grace_ms;
	STEP(tx_cfg_get_uint(c, o, "kill_grace_ms", 0, EXEC_GRACE_MAX, &u));
	t->exec.kill_grace_ms = (unsigned)u;

	STEP(parse_success_codes(c, o, &t->exec));
	STEP(tx_cfg_get_pairs(c, o, "env", "=", NULL, &t->exec.env));
	STEP(tx_cfg_get_bool(c, o, "inherit_env", &t->exec.inherit_env));
	STEP(tx_cfg_get_string(c, o, "cwd", false, true, &t->exec.cwd));
	if (t->exec.cwd)
		STEP(resolve_relative(&t->exec.cwd, dir));
	if (json_object_object_get_ex(o, "comment", &v) &&
	    !json_object_is_type(v, json_type_string)) {
		tx_cfg_push_key(c, "comment");
		STEP(tx_cfg_error(c, "expected a string"));
	}
	return bad;
}

#undef STEP

/* Sorting tools by ID finds duplicates in n log n. */
struct id_ref {
	const struct tx_tool_spec *t;
	size_t index;
};

static int id_cmp(const void *pa, const void *pb)
{
	const struct id_ref *a = pa, *b = pb;
	int r = strcmp(a->t->ns, b->t->ns);

	if (!r)
		r = strcmp(a->t->name, b->t->name);
	if (!r)
		r = a->index < b->index ? -1 : a->index > b->index;
	return r;
}

static int check_duplicates(struct tx_cfg *c, struct tx_config_file *cf)
{
	struct id_ref *refs;
	int rc = 0;

	if (cf->ntools < 2)
		return 0;
	refs = calloc(cf->ntools, sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	for (size_t i = 0; i < cf->ntools; i++) {
		refs[i].t = &cf->tools[i];
		refs[i].index = i;
	}
	qsort(refs, cf->ntools, sizeof(*refs), id_cmp);
	for (size_t i = 1; i < cf->ntools && !rc; i++) {
		if (strcmp(refs[i].t->ns, refs[i - 1].t->ns) ||
		    strcmp(refs[i].t->name, refs[i - 1].t->name))
			continue;
		tx_cfg_push_key(c, "tools");
		tx_cfg_push_index(c, refs[i].index);
		rc = tx_cfg_error(c,
				  "duplicate tool ID \"%s:%s\" (also at "
				  "$.tools[%zu])",
				  refs[i].t->ns, refs[i].t->name,
				  refs[i - 1].index);
	}
	free(refs);
	return rc;
}

static int parse_tools(struct tx_cfg *c, struct json_object *arr,
		       struct tx_config_file *cf, const char *dir)
{
	size_t mark = tx_cfg_push_key(c, "tools");
	size_t n;
	int rc = 0;

	if (!json_object_is_type(arr, json_type_array)) {
		rc = tx_cfg_error(
			c, "expected an array of tools, got %s",
			arr ? json_type_to_name(json_object_get_type(arr))
			    : "null");
		goto out;
	}
	n = json_object_array_length(arr);
	if (n > TOOLS_MAX) {
		rc = tx_cfg_error(c,
				  "too many tools (%zu; at most %d per file)",
				  n, TOOLS_MAX);
		goto out;
	}
	cf->tools = calloc(n ? n : 1, sizeof(*cf->tools));
	if (!cf->tools) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t m = tx_cfg_push_index(c, i);
		int trc;

		/* Counted first so that a half-parsed tool is released. */
		cf->ntools = i + 1;
		trc = parse_tool(c, json_object_array_get_idx(arr, i),
				 &cf->tools[i], dir);
		tx_cfg_pop(c, m);
		/* A bad tool does not hide the next one's errors. */
		if (trc == -ENOMEM) {
			rc = trc;
			goto out;
		}
		if (trc)
			rc = trc;
	}
out:
	tx_cfg_pop(c, mark);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Documents                                                            */

/*
 * Finds the first invalid UTF-8 sequence (overlong forms, surrogates and
 * code points past U+10FFFF included) and reports its line and column:
 * json-c would accept some of these bytes inside strings.
 */
static int check_utf8(struct tx_cfg *c, const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0, line = 1, col = 1;

	/* The same rules, without counting lines: the common case. */
	if (tx_utf8_valid(buf, len))
		return 0;
	while (i < len) {
		unsigned char b = s[i];
		size_t n;
		uint32_t cp;

		if (b < 0x80) {
			if (b == '\n') {
				line++;
				col = 0;
			}
			i++;
			col++;
			continue;
		}
		if (b >= 0xC2 && b <= 0xDF) {
			n = 2;
			cp = b & 0x1F;
		} else if (b >= 0xE0 && b <= 0xEF) {
			n = 3;
			cp = b & 0x0F;
		} else if (b >= 0xF0 && b <= 0xF4) {
			n = 4;
			cp = b & 0x07;
		} else {
			goto bad;
		}
		if (len - i < n)
			goto bad;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				goto bad;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			goto bad;
		i += n;
		col++;
	}
	return 0;
bad:
	return tx_cfg_error(c,
			    "invalid UTF-8 at line %zu, column %zu "
			    "(byte offset %zu)",
			    line, col, i);
}

/* The parser counts bytes; people count lines: add both. */
static int json_error(struct tx_cfg *c, const char *buf, size_t len,
		      const char *jerr)
{
	const char *at = strstr(jerr, "at byte ");
	size_t off, line = 1, col = 1;

	if (!at || sscanf(at, "at byte %zu", &off) != 1 || off > len)
		return tx_cfg_error(c, "%s", jerr);
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
			col++;
		}
	}
	return tx_cfg_error(c, "%s (line %zu, column %zu)", jerr, line, col);
}

static int parse_doc(struct tx_cfg *c, const char *buf, size_t len,
		     const char *dir, struct tx_config_file *cf)
{
	struct json_object *root, *v;
	char jerr[256] = "";
	int rc, bad;

	if (len > TX_CONFIG_FILE_MAX)
		return tx_cfg_error(c,
				    "file is %zu bytes, more than the limit "
				    "of %u" SPLIT_HINT,
				    len, TX_CONFIG_FILE_MAX);
	if ((rc = check_utf8(c, buf, len)))
		return rc;
	root = tx_json_parse(buf, len, TX_CONFIG_DEPTH_MAX, jerr, sizeof(jerr));
	if (!root && !jerr[0])
		return tx_cfg_error(c, "expected an object at the top level, "
				       "got null");
	if (!root)
		return json_error(c, buf, len, jerr);
	if (!json_object_is_type(root, json_type_object)) {
		rc = tx_cfg_error(
			c,
			"expected an object at the top level, "
			"got %s",
			json_type_to_name(json_object_get_type(root)));
		goto out;
	}
	/* Each part is checked even when one before it is bad: the file's
	 * errors are reported together (bad keeps the last error). */
	bad = tx_cfg_check_keys(c, root, top_keys, NULL);
	if (json_object_object_get_ex(root, "$schema", &v) &&
	    !json_object_is_type(v, json_type_string)) {
		size_t m = tx_cfg_push_key(c, "$schema");

		bad = tx_cfg_error(c, "expected a string");
		tx_cfg_pop(c, m);
	}
	if (json_object_object_get_ex(root, "comment", &v) &&
	    !json_object_is_type(v, json_type_string)) {
		size_t m = tx_cfg_push_key(c, "comment");

		bad = tx_cfg_error(c, "expected a string");
		tx_cfg_pop(c, m);
	}
	if (json_object_object_get_ex(root, "tools", &v)) {
		rc = parse_tools(c, v, cf, dir);
		/* Duplicates only among tools that parsed. */
		if (!rc)
			rc = check_duplicates(c, cf);
		if (rc == -ENOMEM)
			goto out;
		if (rc)
			bad = rc;
	}
	if (json_object_object_get_ex(root, "mcpServers", &v)) {
		rc = tx_cfg_parse_servers(c, v, cf);
		if (rc == -ENOMEM)
			goto out;
		if (rc)
			bad = rc;
	}
	if (json_object_object_get_ex(root, "roots", NULL)) {
		rc = tx_cfg_parse_top_roots(c, root, cf);
		if (rc == -ENOMEM)
			goto out;
		if (rc)
			bad = rc;
	}
	if (json_object_object_get_ex(root, "codeProfiles", &v)) {
		rc = tx_cfg_parse_code_profiles(c, v, cf);
		if (rc == -ENOMEM)
			goto out;
		if (rc)
			bad = rc;
	}
	rc = bad;
out:
	json_object_put(root);
	return rc;
}

static int parse_common(const char *name, const char *buf, size_t len,
			const char *dir, struct tx_config_file **out, char *err,
			size_t errlen)
{
	struct tx_cfg c = { .name = name,
			    .err = err,
			    .errlen = errlen,
			    .path = "$",
			    .pathlen = 1 };
	struct tx_config_file *cf;
	int rc;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	cf = calloc(1, sizeof(*cf));
	if (!cf || !(cf->path = strdup(name))) {
		free(cf);
		goto out_nomem;
	}
	rc = parse_doc(&c, buf, len, dir, cf);
	tx_cfg_finish(&c);
	if (rc) {
		tx_config_file_free(cf);
		if (rc == -ENOMEM)
			goto out_nomem;
		return rc;
	}
	*out = cf;
	return 0;
out_nomem:
	if (err && errlen)
		snprintf(err, errlen, "%s: out of memory", name);
	return -ENOMEM;
}

int tx_config_parse_buffer(const char *name, const char *buf, size_t len,
			   struct tx_config_file **out, char *err,
			   size_t errlen)
{
	return parse_common(name, buf, len, NULL, out, err, errlen);
}

int tx_config_parse_file(const char *path, struct tx_config_file **out,
			 char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL, *dir = NULL, *abs, *slash;
	size_t len = 0, cap;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out_close;
	}
	if ((unsigned long long)st.st_size > TX_CONFIG_FILE_MAX) {
		rc = -EINVAL;
		snprintf(err, errlen,
			 "%s: $: file is %lld bytes, more than "
			 "the limit of %u" SPLIT_HINT,
			 path, (long long)st.st_size, TX_CONFIG_FILE_MAX);
		goto out_close;
	}
	/*
	 * The file's size and a little more, grown up to one byte more than
	 * the cap (a file that grew meanwhile is seen): not the cap itself,
	 * which 500 files of 40 KB would each allocate and fault in.
	 */
	cap = (size_t)st.st_size + 4096;
	if (cap > TX_CONFIG_FILE_MAX + 1)
		cap = TX_CONFIG_FILE_MAX + 1;
	buf = malloc(cap);
	if (!buf) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out_close;
	}
	for (;;) {
		ssize_t r;

		if (len == cap && cap < TX_CONFIG_FILE_MAX + 1) {
			size_t grown = cap * 2 < TX_CONFIG_FILE_MAX + 1
					       ? cap * 2
					       : TX_CONFIG_FILE_MAX + 1;
			char *g = realloc(buf, grown);

			if (!g) {
				rc = -ENOMEM;
				snprintf(err, errlen, "%s: out of memory",
					 path);
				goto out_free;
			}
			buf = g;
			cap = grown;
		}
		r = read(fd, buf + len, cap - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			snprintf(err, errlen, "%s: cannot read: %s", path,
				 strerror(errno));
			goto out_free;
		}
		if (r == 0 || (len += (size_t)r) > TX_CONFIG_FILE_MAX)
			break;
	}
	if (len > TX_CONFIG_FILE_MAX) {
		rc = -EINVAL;
		snprintf(err, errlen,
			 "%s: $: file is larger than the limit "
			 "of %u bytes" SPLIT_HINT,
			 path, TX_CONFIG_FILE_MAX);
		goto out_free;
	}
	dir = strdup(path);
	if (!dir) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out_free;
	}
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, strlen(dir) + 1, ".");
	/* Absolute, so that a daemon that changed directory still finds
	 * what the file names relative to itself. */
	abs = realpath(dir, NULL);
	if (abs) {
		free(dir);
		dir = abs;
	}
	rc = parse_common(path, buf, len, dir, out, err, errlen);
out_free:
	free(dir);
	free(buf);
out_close:
	close(fd);
	return rc;
}
