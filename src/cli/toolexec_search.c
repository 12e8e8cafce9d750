/*
 * toolexec_search.c - `toolexec search [-n N] [--json] QUERY...`
 *
 * The words of QUERY are joined with spaces and ranked by the engine's
 * index (docs/search.md).  Output is the engine's rendering of the
 * search, the same bytes as search/QUERY/results in the mount (one hit
 * per line, "RANK<TAB>SCORE<TAB>ID<TAB>HINT<TAB>SUMMARY") or, with --json, as
 * search/QUERY/results.json ({"query", "hits": [{rank, score, id,
 * hint, summary, path}]}).  Exit status: 0 (also with no hits), 1 when the
 * search fails, 2 on a usage error.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "toolexecfs/toolexec.h"

#define SEARCH_DEFAULT_HITS 10
#define SEARCH_MAX_HITS     10000
/* Joined query text; the index refuses more than 16 KiB anyway. */
#define SEARCH_QUERY_BYTES (64 * 1024)

static void search_usage(FILE *f)
{
	fprintf(f,
		"usage: toolexec search [-n N] [--json] QUERY...\n"
		"  -n N     N hits, or as many as match (default: up to %d,\n"
		"           without those far below the best; at most %d)\n"
		"  --json   print the hits as JSON\n",
		SEARCH_DEFAULT_HITS, SEARCH_MAX_HITS);
}

int tx_cli_search(struct tx_engine *engine, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tx_search_result *r = NULL;
	struct tx_buf q;
	long k = SEARCH_DEFAULT_HITS;
	bool json = false, exact = false;
	const char *text;
	size_t len;
	char *end;
	int c, i, rc = 1;

	tx_buf_init(&q, SEARCH_QUERY_BYTES);
	optind = 0; /* reset getopt: the main program may have used it */
	/* '+': options end at the first query word. */
	while ((c = getopt_long(argc, argv, "+n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			errno = 0;
			k = strtol(optarg, &end, 10);
			exact = true;
			if (errno || *end || end == optarg || k < 1 ||
			    k > SEARCH_MAX_HITS) {
				fprintf(stderr,
					"toolexec search: -n wants 1 to %d\n",
					SEARCH_MAX_HITS);
				return 2;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			search_usage(stdout);
			return 0;
		default:
			search_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		search_usage(stderr);
		return 2;
	}
	for (i = optind; i < argc; i++) {
		if ((i > optind && tx_buf_adds(&q, " ")) ||
		    tx_buf_adds(&q, argv[i])) {
			fprintf(stderr, "toolexec search: query too long\n");
			goto out;
		}
	}
	r = tx_engine_search_result(engine, q.data, (size_t)k, exact);
	if (!r) {
		fprintf(stderr, "toolexec search: %s\n",
			errno == E2BIG ? "query too long" : strerror(errno));
		goto out;
	}
	text = json ? tx_search_result_json(r, &len)
		    : tx_search_result_text(r, &len);
	rc = fwrite(text, 1, len, stdout) == len ? 0 : 1;
	if (fflush(stdout) != 0)
		rc = 1;
out:
	tx_search_result_free(r);
	tx_buf_release(&q);
	return rc;
}
