/*
 * schema_i.h - private declarations shared by the schema compiler
 * (schema.c, schema_ref.c), the validator (schema_validate.c), the value
 * helpers (schema_value.c), formats (schema_format.c) and regular
 * expressions (schema_regex.c).
 *
 * A compiled schema is a graph of struct sx_node (cycles through $ref are
 * allowed) owned by struct tx_schema.  Nothing in it points into the
 * json-c document it was compiled from: enum and const values are private
 * deep copies that no other code ever sees, so they are only read.
 */
#ifndef TX_SCHEMA_I_H
#define TX_SCHEMA_I_H

#include "schema/schema.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits; docs/schema.md lists them. */
#define SX_MAX_SCHEMA_DEPTH  256        /* JSON nesting of a schema document */
#define SX_MAX_EVAL_DEPTH    512        /* nested subschema evaluations */
#define SX_MAX_STEPS         20000000UL /* subschema evaluations per validation */
#define SX_MAX_NODES         200000     /* subschemas per compiled schema */
#define SX_REGEX_MATCH_LIMIT 1000000    /* PCRE2 match limit per match */
#define SX_REGEX_DEPTH_LIMIT 1000000    /* PCRE2 backtracking depth limit */
#define SX_REGEX_HEAP_LIMIT  16384      /* PCRE2 heap limit, KiB */

enum sx_draft {
	SX_DRAFT4 = 4,
	SX_DRAFT6 = 6,
	SX_DRAFT7 = 7,
	SX_DRAFT2019 = 2019,
	SX_DRAFT2020 = 2020,
};

/* Bits of sx_node.types. */
enum {
	SX_T_NULL = 1 << 0,
	SX_T_BOOLEAN = 1 << 1,
	SX_T_OBJECT = 1 << 2,
	SX_T_ARRAY = 1 << 3,
	SX_T_NUMBER = 1 << 4,
	SX_T_STRING = 1 << 5,
	SX_T_INTEGER = 1 << 6,
};

/* Bits of sx_node.has: which optional keywords are present. */
enum {
	SX_HAS_TYPE = 1u << 0,
	SX_HAS_MINIMUM = 1u << 1,
	SX_HAS_MAXIMUM = 1u << 2,
	SX_HAS_EXMIN = 1u << 3,
	SX_HAS_EXMAX = 1u << 4,
	SX_HAS_MULTIPLE = 1u << 5,
	SX_HAS_MINLEN = 1u << 6,
	SX_HAS_MAXLEN = 1u << 7,
	SX_HAS_MINITEMS = 1u << 8,
	SX_HAS_MAXITEMS = 1u << 9,
	SX_HAS_MINPROPS = 1u << 10,
	SX_HAS_MAXPROPS = 1u << 11,
	SX_HAS_MINCONTAINS = 1u << 12,
	SX_HAS_MAXCONTAINS = 1u << 13,
	SX_HAS_UNIQUE = 1u << 14,
	SX_HAS_CONST = 1u << 15,
	SX_HAS_ENUM = 1u << 16,
};

struct sx_regex;
struct sx_node;

struct sx_prop {
	char *name; /* NUL-terminated copy */
	struct sx_node *schema;
};

struct sx_pattern_prop {
	struct sx_regex *re;
	struct sx_node *schema;
};

/* dependencies / dependentRequired / dependentSchemas, one trigger. */
struct sx_dep {
	char *name;
	char **req; /* required names when the trigger is present */
	size_t nreq;
	struct sx_node *schema; /* or a schema, or both (NULL if none) */
};

/*
 * What few subschemas use: numeric and length limits, formats and
 * patterns, arrays, combinators, dependencies, enums.  A tool's schema
 * is mostly objects of plain typed properties, so a node points here,
 * and every node that uses none of it shares one constant, empty
 * instance (schema.c, sx_more_none): that is three quarters of a
 * node's size, and most of what a compiled tool keeps.
 */
struct sx_more {
	long double minimum, maximum, exmin, exmax, multiple;
	size_t min_len, max_len, min_items, max_items, min_props, max_props,
		min_contains, max_contains;

	struct sx_regex *pattern;
	int format;        /* SX_FMT_*, -1 when absent or unknown */
	char *format_name; /* as written, for messages */
	char *ref_uri;     /* resolved target of ref, for messages */

	struct sx_node **prefix; /* items (array form) or prefixItems */
	size_t nprefix;
	struct sx_node *items_rest; /* items / additionalItems past prefix */
	struct sx_node *contains;

	struct sx_pattern_prop *pprops;
	size_t npprops;
	struct sx_node *property_names;
	struct sx_dep *deps;
	size_t ndeps;

	struct sx_node **all_of, **any_of, **one_of;
	size_t nall_of, nany_of, none_of;
	struct sx_node *not_, *if_, *then_, *else_;

	/* Private deep copies, sorted by hash for lookup. */
	struct json_object **enum_vals;
	uint64_t *enum_hash;
	size_t nenum;
	struct json_object *const_val;
};

struct sx_node {
	bool is_bool; /* boolean schema: only bool_value counts */
	bool bool_value;
	bool ref_only;  /* draft <= 7: $ref siblings are ignored */
	uint32_t has;   /* SX_HAS_* */
	unsigned types; /* SX_T_* when SX_HAS_TYPE */

	struct sx_node *ref; /* $ref, $recursiveRef, $dynamicRef */

	struct sx_prop *props;  /* in schema order, for messages */
	uint32_t *props_sorted; /* indexes into props by strcmp(name) */
	uint32_t nprops;
	uint32_t nrequired;
	struct sx_node *additional_props;
	char **required;

	/* Never NULL; shared and read-only when the node uses none of it
	 * (written only while the schema compiles). */
	struct sx_more *x;
};

struct tx_schema {
	struct sx_node *root;
	struct sx_node **nodes; /* every node, for freeing */
	size_t nnodes, capnodes;
	bool assert_format;
	unsigned max_errors;
};

/* schema_value.c: structural JSON helpers that never write to objects. */
bool sx_is_integer(struct json_object *o);
/* Numeric value of an int or double object as long double. */
long double sx_number(struct json_object *o);
bool sx_json_equal(struct json_object *a, struct json_object *b, int depth);
uint64_t sx_json_hash(struct json_object *o, int depth);
/* Deep copy built only from the public constructors (no cached text). */
struct json_object *sx_json_clone(struct json_object *o, int depth);
/* A short human rendering of a value ("string \"3\"", "object"). */
void sx_describe(struct json_object *o, char *out, size_t outlen);
/* JSON-ish text of o, cut with "..." past outlen. */
void sx_print_value(struct json_object *o, char *out, size_t outlen);
/* Name of a JSON type for humans; "integer" for integral numbers. */
const char *sx_type_name(struct json_object *o);
size_t sx_utf8_length(const char *s, size_t len);

/* schema_regex.c */
struct sx_regex *sx_regex_compile(const char *pattern, char *err,
				  size_t errlen);
/* 1 match, 0 no match, -E2BIG a match limit was hit, -EILSEQ bad UTF-8,
 * -ENOMEM.  Thread-safe: the compiled pattern is only read. */
int sx_regex_match(const struct sx_regex *re, const char *s, size_t len);
const char *sx_regex_source(const struct sx_regex *re);
void sx_regex_free(struct sx_regex *re);
/* True when pattern is an ECMA-262 regular expression we can compile
 * (the "regex" format): PCRE2-only syntax such as \Z is refused. */
bool sx_regex_is_ecma(const char *pattern, size_t len);

/* schema_format.c */
enum {
	SX_FMT_DATE_TIME,
	SX_FMT_DATE,
	SX_FMT_TIME,
	SX_FMT_EMAIL,
	SX_FMT_IDN_EMAIL,
	SX_FMT_HOSTNAME,
	SX_FMT_IPV4,
	SX_FMT_IPV6,
	SX_FMT_URI,
	SX_FMT_URI_REFERENCE,
	SX_FMT_IRI,
	SX_FMT_IRI_REFERENCE,
	SX_FMT_URI_TEMPLATE,
	SX_FMT_UUID,
	SX_FMT_JSON_POINTER,
	SX_FMT_RELATIVE_JSON_POINTER,
	SX_FMT_REGEX,
	SX_FMT_DURATION,
};
/* SX_FMT_* for a format name, -1 when we do not check that format. */
int sx_format_lookup(const char *name);
bool sx_format_check(int fmt, const char *s, size_t len);

/*
 * The compiler's working state (schema.c, schema_ref.c); it lives only
 * during tx_schema_compile().
 */
struct sx_pmap { /* pointer -> pointer, open addressing */
	const void **keys;
	void **vals;
	size_t cap, n;
};

/* Where a subschema sits: its base URI and the document's draft. */
struct sx_scope {
	const char *base; /* owned by sx_cc.strs */
	int draft;
};

/* A resource ($id) or an anchor ($anchor, draft-07 "$id": "#name"). */
struct sx_res {
	char *uri; /* absolute form; anchors include "#name" */
	struct json_object *obj;
	const struct sx_scope *scope;
};

struct sx_cc {
	struct tx_schema *s;
	struct json_object *owned_docs[4]; /* embedded meta-schemas */
	size_t nowned;
	struct sx_res *res;
	size_t nres, capres;
	struct sx_pmap scopes; /* json_object * -> struct sx_scope * */
	struct sx_pmap memo;   /* json_object * -> struct sx_node * */
	void **strs;           /* strings and scopes freed with the cc */
	size_t nstrs, capstrs;
	char *err;
	size_t errlen;
	int depth;
	char loc[256]; /* schema location, for compile errors */
	size_t loclen;
};

void *sx_pmap_get(const struct sx_pmap *m, const void *key);
int sx_pmap_put(struct sx_pmap *m, const void *key, void *val);
void sx_pmap_release(struct sx_pmap *m);

/* schema_ref.c */
/* The draft a document declares with $schema; dflt when none. */
int sx_draft_of(struct json_object *doc, int dflt);
/* Registers the $id / $anchor resources of a document.  0 or -errno
 * with cc->err set. */
int sx_scan_document(struct sx_cc *cc, struct json_object *doc,
		     const char *base, int draft);
/* Resolves a $ref seen in scope: the target schema value and its scope,
 * or NULL with cc->err set (remote, unresolvable, not a schema).
 * *uri receives the resolved reference (owned by cc). */
struct json_object *
sx_resolve_ref(struct sx_cc *cc, const struct sx_scope *scope, const char *ref,
	       const struct sx_scope **target_scope, const char **uri);
/* Keeps p until the cc is released; returns p, or NULL (and frees p)
 * when out of memory. */
void *sx_cc_keep(struct sx_cc *cc, void *p);
void sx_cc_release(struct sx_cc *cc);
void sx_cc_error(struct sx_cc *cc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* schema_meta.c: the built-in copy of a meta-schema, or NULL. */
const char *sx_meta_schema_text(const char *uri_without_fragment);
/* RFC 3986 section 5.2 reference resolution, malloc'd (NULL: ENOMEM). */
char *sx_uri_resolve(const char *base, const char *ref);

#endif
