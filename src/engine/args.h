/*
 * args.h - a call's arguments, parsed once and checked once, then handed
 * along as an object: from the face that parsed them (the argument
 * buffer of a call file, the text a command gave) through the check to
 * the job and its backend, and from one chain step to the next.
 *
 * What a check proved travels with the object: the tool it was validated
 * against.  Tools are immutable, so a start on a job of that very tool
 * has nothing left to validate; a start on another tool (a reload
 * replaced it between the check and the start) validates again.
 */
#ifndef TX_ARGS_H
#define TX_ARGS_H

#include <stddef.h>

struct json_object;
struct tx_engine;
struct tx_tool;

struct tx_args {
	struct json_object *obj; /* the parsed object; owned */
	char *text;              /* its text, NUL-terminated; owned;
				  * NULL: rendered from obj at start */
	size_t len;
	/* The tool obj was validated against (a reference), or NULL. */
	const struct tx_tool *checked;
	/*
	 * A chain's: the tool each step's arguments were validated against
	 * (references; NULL for a step that takes use_previous, whose
	 * arguments are only known when it runs), so that the steps start
	 * without a second validation.
	 */
	const struct tx_tool **steps;
	size_t nsteps;
};

/* Frees the contents; *a is empty afterwards.  No allocation. */
void tx_args_release(struct tx_args *a);
/* Forgets what a check proved (the object changed or is handed on). */
void tx_args_uncheck(struct tx_args *a);

/*
 * Validates a->obj, once, against tool's input schema (and, for the
 * chain, every step against its tool) and records the tool in a.  0, or
 * -EINVAL with "POINTER: what is wrong" in err.
 */
int tx_args_check(struct tx_engine *e, const struct tx_tool *tool,
		  struct tx_args *a, char *err, size_t errlen);

/* The argument buffer's parsed arguments (argbuf.c): NULL until
 * complete.  Borrowed; the check records itself there. */
struct tx_argbuf;
struct tx_args *tx_argbuf_args(struct tx_argbuf *ab);
/* Moves the complete arguments out of ab into *out (text included);
 * ab is empty afterwards.  -EINVAL when ab holds no complete object. */
int tx_argbuf_take(struct tx_argbuf *ab, struct tx_args *out);

#endif
