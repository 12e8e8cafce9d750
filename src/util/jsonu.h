/*
 * jsonu.h - strict JSON parsing and printing on top of json-c.
 *
 * json-c objects are not thread-safe to share: reference counts are not
 * atomic and json_object_to_json_string() caches its output inside the
 * object.  Objects reachable from several threads (tool schemas) are
 * therefore read-only after construction, printed once at construction,
 * and never get/put from more than one thread.
 */
#ifndef TX_JSONU_H
#define TX_JSONU_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Parses exactly one JSON value from buf[0..len): strict mode, UTF-8
 * checked, nesting capped at max_depth, only whitespace may follow.
 * Returns a new object (json_object_put), or NULL with err set.  A valid
 * `null` document also returns NULL, with err[0] == '\0'.
 */
struct json_object *tx_json_parse(const char *buf, size_t len, int max_depth,
				  char *err, size_t errlen);

/*
 * Documents parsed by this process: every tx_json_parse, and every
 * document a parser of its own completes (the argument buffer's
 * incremental one calls tx_json_parse_counted).  Tests read it to show
 * that a call's arguments are parsed once.
 */
unsigned long long tx_json_parses(void);
void tx_json_parse_counted(void);

/* Reads and parses a file of at most max_bytes.  As tx_json_parse. */
struct json_object *tx_json_parse_file(const char *path, size_t max_bytes,
				       int max_depth, char *err, size_t errlen);

/* Pretty text with a trailing newline, malloc'd.  Only on owned objects. */
char *tx_json_pretty(struct json_object *o);
/* Compact text, malloc'd.  Only on owned objects. */
char *tx_json_compact(struct json_object *o);
/*
 * Appends the compact text of o to b, the same bytes as tx_json_compact,
 * without writing into o (so on shared objects too).  0; -ENOTSUP when
 * o holds a double or an integer past INT64_MAX (only json-c's printer
 * renders those: use tx_json_compact on an owned copy); -ENOMEM or
 * -EFBIG from the buffer.  On failure b is as it was.
 */
struct tx_buf;
int tx_json_compact_to(struct tx_buf *b, const struct json_object *o);

/* "object", "array", "string", "number", "integer"-less names for humans. */
const char *tx_json_type_name(struct json_object *o);

bool tx_utf8_valid(const char *s, size_t len);

/* Deep copy; NULL on failure. */
struct json_object *tx_json_copy(const struct json_object *o);

#endif
