/*
 * schema.h - JSON Schema validation (draft-04 to 2020-12 keywords; see
 * docs/schema.md for what is supported).
 *
 * A schema is compiled once and then validates any number of instances,
 * concurrently: a compiled schema is immutable.  Remote references are
 * refused, never fetched.
 */
#ifndef TX_SCHEMA_H
#define TX_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;
struct tx_schema;

struct tx_schema_options {
	bool assert_format;  /* format keywords fail validation */
	unsigned max_errors; /* errors reported per validation; 0: 8 */
};

/*
 * Compiles schema (only read; the compiled form keeps no pointer into
 * it).  opts may be NULL.  Returns NULL with errno EINVAL and the reason
 * in err when the schema is unusable (not an object or boolean, a bad
 * keyword value, an unresolvable or remote $ref, an invalid pattern).
 */
struct tx_schema *tx_schema_compile(struct json_object *schema,
				    const struct tx_schema_options *opts,
				    char *err, size_t errlen);
void tx_schema_free(struct tx_schema *s);

/*
 * Validates instance (only read; NULL is JSON null).  Returns 0 when
 * valid, -EINVAL when not, with one line per error in err, e.g.
 * "/count: expected integer, got string \"3\"", joined by "\n", capped
 * at max_errors lines and errlen bytes.  Thread-safe.
 */
int tx_schema_validate(const struct tx_schema *s, struct json_object *instance,
		       char *err, size_t errlen);

/* Validations this process has run (tests show with it that a call's
 * arguments are validated once). */
unsigned long long tx_schema_validations(void);

#endif
