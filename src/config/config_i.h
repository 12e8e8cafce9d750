/*
 * config_i.h - private helpers shared by the configuration parser's
 * files (config.c: documents and exec tools; config_mcp.c: MCP servers
 * and the spec copy/compare helpers).
 * config_expand.c: what servers take from outside the file, ${VAR}
 * and "headersFile".
 */
#ifndef TX_CONFIG_I_H
#define TX_CONFIG_I_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

/* Longest JSON path kept for messages; deeper paths end in "...". */
#define TX_CFG_PATH_MAX 384

/*
 * Parsing context: the document's name and the JSON path of the value
 * being looked at ("$.tools[2].command"), so every message can say
 * where it is.  Paths grow and shrink like a stack: a push returns the
 * previous length, which the caller hands back to tx_cfg_pop().
 */
struct tx_cfg {
	const char *name;
	char *err;
	size_t errlen;
	char path[TX_CFG_PATH_MAX];
	size_t pathlen;
	/* Errors found so far: the parse goes on past an error to the next
	 * independent value, so that a file's errors come all at once. */
	unsigned nerrors;
};

/* Errors of one file written out; past this, one line counts the rest. */
#define TX_CFG_ERRORS_MAX 20

size_t tx_cfg_push_key(struct tx_cfg *c, const char *key);
size_t tx_cfg_push_index(struct tx_cfg *c, size_t i);
void tx_cfg_pop(struct tx_cfg *c, size_t mark);

/*
 * Adds "NAME: PATH: message" to the error buffer, one error per line
 * (the first TX_CFG_ERRORS_MAX; then one line says how many more);
 * returns -EINVAL.
 */
int tx_cfg_error(struct tx_cfg *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* After the parse: the line that stands for errors past the first
 * TX_CFG_ERRORS_MAX says how many there were. */
void tx_cfg_finish(struct tx_cfg *c);

/*
 * Checks that obj (a JSON object) has only keys from `known` (used) or
 * `ignored` (accepted for compatibility, not used); both NULL-terminated,
 * ignored may be NULL.  Each unknown key is an error naming it, with
 * "did you mean ...?" when a known key is close.
 */
int tx_cfg_check_keys(struct tx_cfg *c, struct json_object *obj,
		      const char *const *known, const char *const *ignored);

/*
 * Typed getters for obj[key].  Each pushes the key on the path for its
 * messages.  `required`: absence is an error; else *out is left alone.
 * Strings are malloc'd copies (the caller frees) and never contain NUL.
 */
int tx_cfg_get_string(struct tx_cfg *c, struct json_object *obj,
		      const char *key, bool required, bool nonempty,
		      char **out);
int tx_cfg_get_uint(struct tx_cfg *c, struct json_object *obj, const char *key,
		    unsigned long long min, unsigned long long max,
		    unsigned long long *out);
int tx_cfg_get_bool(struct tx_cfg *c, struct json_object *obj, const char *key,
		    bool *out);
/* A JSON array of strings -> NULL-terminated vector (*n without NULL). */
int tx_cfg_get_strv(struct tx_cfg *c, struct json_object *obj, const char *key,
		    bool required, size_t max, char ***out, size_t *n);
/*
 * A JSON object of string values -> NULL-terminated "K<sep>V" vector.
 * Keys are checked by key_ok (NULL: non-empty, no '=').
 */
int tx_cfg_get_pairs(struct tx_cfg *c, struct json_object *obj, const char *key,
		     const char *sep, bool (*key_ok)(const char *k),
		     char ***out);

/* The value's text is a string without NUL bytes? Puts the reason. */
int tx_cfg_check_string(struct tx_cfg *c, struct json_object *v, bool nonempty);

/*
 * Is elem a whole-element placeholder "{NAME}" (NAME: a letter or '_',
 * then letters, digits, '_' or '-')?  Sets *name and *len to NAME inside elem.
 */
bool tx_cfg_placeholder(const char *elem, const char **name, size_t *len);

/* NULL-terminated string vectors. */
char **tx_cfg_strv_dup(char *const *v);
void tx_cfg_strv_free(char **v);
bool tx_cfg_strv_equal(char *const *a, char *const *b);

/* Parses "mcpServers" (config_mcp.c) into cf->servers. */
/* The top-level "roots" of root into cf->roots. */
int tx_cfg_parse_top_roots(struct tx_cfg *c, struct json_object *root,
			   struct tx_config_file *cf);
int tx_cfg_parse_servers(struct tx_cfg *c, struct json_object *servers,
			 struct tx_config_file *cf);
void tx_mcp_spec_release(struct tx_mcp_spec *s);
/* An HTTP header name: RFC 9110 token characters, not empty
 * (config_mcp.c). */
bool tx_cfg_header_name_ok(const char *k);

/* config_expand.c: ${VAR} and ${VAR:-default} in the server's url,
 * command, args, env, headers and headersFile, from the daemon's
 * environment (s->url_shown keeps the url as written).  0 or -errno,
 * the error naming the variable, never its value. */
int tx_cfg_expand_server(struct tx_cfg *c, struct tx_mcp_spec *s);
/* Reads path as tx_mcp_read_headers_file() does and makes what it
 * refuses an error at "headersFile".  0 or -errno. */
int tx_cfg_check_headers_file(struct tx_cfg *c, const char *path);

/* Checks "codeProfiles" (config_code.c) into cf->code_profiles. */
int tx_cfg_parse_code_profiles(struct tx_cfg *c, struct json_object *v,
			       struct tx_config_file *cf);

#endif
