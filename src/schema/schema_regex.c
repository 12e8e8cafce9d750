/*
 * schema_regex.c - `pattern` and `patternProperties` on PCRE2.
 *
 * JSON Schema patterns are ECMA-262 regular expressions.  PCRE2 is close;
 * the options below move it closer (docs/schema.md lists what remains):
 *   PCRE2_UTF              patterns and subjects are code points
 *   (no PCRE2_UCP)         \d \w \b stay ASCII as in ECMA-262
 *   PCRE2_ALT_BSUX + EXTRA_ALT_BSUX   \uHHHH, \u{H...} and \xHH as ECMA
 *   PCRE2_DOLLAR_ENDONLY   $ does not match before a final newline
 *   PCRE2_ALLOW_EMPTY_CLASS [] matches nothing, [^] anything
 *   PCRE2_MATCH_UNSET_BACKREF  a backreference to an unset group is empty
 *   newline ANYCRLF        . matches neither \r nor \n
 *
 * Patterns come from tool authors and subjects from callers, so a
 * catastrophic pattern such as ^(a+)+$ must not hang a worker: every
 * match runs under match, depth and heap limits, and hitting one is
 * reported (the validator turns it into a validation failure).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "schema/schema_i.h"

#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sx_regex {
	pcre2_code *code;
	pcre2_match_context *mctx; /* only read after compile */
	char *source;
};

static pcre2_compile_context *new_ccontext(void)
{
	pcre2_compile_context *cc = pcre2_compile_context_create(NULL);

	if (!cc)
		return NULL;
	pcre2_set_newline(cc, PCRE2_NEWLINE_ANYCRLF);
	pcre2_set_compile_extra_options(cc, PCRE2_EXTRA_ALT_BSUX);
	/* Bound the compiled size and parenthesis nesting of hostile
	 * patterns as well. */
	pcre2_set_parens_nest_limit(cc, 250);
	pcre2_set_max_pattern_length(cc, 64 * 1024);
	return cc;
}

struct sx_regex *sx_regex_compile(const char *pattern, char *err, size_t errlen)
{
	struct sx_regex *re = NULL;
	pcre2_compile_context *cc = NULL;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off = 0;
	int rc = 0;

	re = calloc(1, sizeof(*re));
	if (!re)
		goto out_nomem;
	re->source = strdup(pattern);
	cc = new_ccontext();
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->source || !cc || !re->mctx)
		goto out_nomem;
	pcre2_set_match_limit(re->mctx, SX_REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, SX_REGEX_DEPTH_LIMIT);
	pcre2_set_heap_limit(re->mctx, SX_REGEX_HEAP_LIMIT);

	re->code = pcre2_compile(
		(PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
		PCRE2_UTF | PCRE2_ALT_BSUX | PCRE2_DOLLAR_ENDONLY |
			PCRE2_ALLOW_EMPTY_CLASS | PCRE2_MATCH_UNSET_BACKREF,
		&rc, &off, cc);
	if (!re->code) {
		pcre2_get_error_message(rc, msg, sizeof(msg));
		snprintf(err, errlen,
			 "invalid pattern \"%.80s\" at offset %zu: %s", pattern,
			 (size_t)off, (char *)msg);
		goto out_fail;
	}
	/* JIT is an optimisation only: where it is unavailable (no
	 * executable memory), the interpreter runs under the same limits. */
	(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
	pcre2_compile_context_free(cc);
	return re;

out_nomem:
	snprintf(err, errlen, "out of memory compiling a pattern");
	errno = ENOMEM;
	pcre2_compile_context_free(cc);
	sx_regex_free(re);
	return NULL;
out_fail:
	errno = EINVAL;
	pcre2_compile_context_free(cc);
	sx_regex_free(re);
	return NULL;
}

int sx_regex_match(const struct sx_regex *re, const char *s, size_t len)
{
	pcre2_match_data *md;
	int rc;

	/* Match data is per call: the compiled pattern is shared between
	 * threads and must stay read-only. */
	md = pcre2_match_data_create(1, NULL);
	if (!md)
		return -ENOMEM;
	rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, re->mctx);
	if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
		/* The JIT stack is small; the interpreter has the limits. */
		rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, PCRE2_NO_JIT,
				 md, re->mctx);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return -E2BIG;
	if (rc == PCRE2_ERROR_NOMEMORY)
		return -ENOMEM;
	if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
		return -EILSEQ;
	return -EINVAL;
}

const char *sx_regex_source(const struct sx_regex *re)
{
	return re->source;
}

void sx_regex_free(struct sx_regex *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	pcre2_match_context_free(re->mctx);
	free(re->source);
	free(re);
}

bool sx_regex_is_ecma(const char *pattern, size_t len)
{
	struct sx_regex *re;
	char err[256];
	size_t i;
	bool in_class = false;

	if (memchr(pattern, '\0', len))
		return false;
	/* Escapes that PCRE2 knows but ECMA-262 does not (\Z from .NET and
	 * Perl, \A, \z, \G, \Q..\E, \K, ...): refuse them for the `regex`
	 * format even though `pattern` would accept them. */
	for (i = 0; i + 1 < len; i++) {
		char c = pattern[i];

		if (c == '\\') {
			if (!in_class &&
			    strchr("AZzGQEKRXhHVNCgo", pattern[i + 1]))
				return false;
			i++;
			continue;
		}
		if (c == '[')
			in_class = true;
		else if (c == ']')
			in_class = false;
	}
	re = sx_regex_compile(pattern, err, sizeof(err));
	if (!re)
		return false;
	sx_regex_free(re);
	return true;
}
