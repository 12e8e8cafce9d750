/*
 * toolexec_search.c - `toolexec search [-n N] [--json] QUERY...`
 *
 * The words of QUERY are joined with spaces and ranked by the engine's
 * index (docs/search.md).  Plain output is one hit per line,
 * "RANK<TAB>SCORE<TAB>ID<TAB>SUMMARY", the same as search/QUERY/results
 * in the mount; --json prints {"query", "hits": [{rank, score, id,
 * summary}]}.  Exit status: 0 (also with no hits), 1 when the search
 * fails, 2 on a usage error.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util/buf.h"
#include "util/jsonu.h"
#include "toolexecfs/toolexec.h"

#define SEARCH_DEFAULT_HITS 10
#define SEARCH_MAX_HITS     10000
/* Joined query text; the index refuses more than 16 KiB anyway. */
#define SEARCH_QUERY_BYTES (64 * 1024)

static void search_usage(FILE *f)
{
	fprintf(f,
	        "usage: toolexec search [-n N] [--json] QUERY...\n"
	        "  -n N     at most N hits (default %d, at most %d)\n"
	        "  --json   print the hits as JSON\n",
	        SEARCH_DEFAULT_HITS, SEARCH_MAX_HITS);
}

/* The summary without its trailing newline (borrowed from the tool). */
static const char *summary_of(const struct tx_toolset *set, const char *id,
                              int *len)
{
	const struct tx_tool *t = set ? tx_toolset_find(set, id) : NULL;
	const char *s = t ? tx_tool_summary(t) : "";
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	*len = (int)n;
	return s;
}

static int print_json(const char *query, const struct tx_search_hit *hits,
                      int n, const struct tx_toolset *set)
{
	struct json_object *root = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	char *text;
	int i, rc = 1;

	if (!root || !arr)
		goto out;
	json_object_object_add(root, "query", json_object_new_string(query));
	json_object_object_add(root, "hits", arr);
	for (i = 0; i < n; i++) {
		struct json_object *h = json_object_new_object();
		int slen;
		const char *s = summary_of(set, hits[i].id, &slen);

		if (!h)
			goto out;
		json_object_object_add(h, "rank", json_object_new_int(i + 1));
		json_object_object_add(h, "score",
		                       json_object_new_double(hits[i].score));
		json_object_object_add(h, "id",
		                       json_object_new_string(hits[i].id));
		json_object_object_add(h, "summary",
		                       json_object_new_string_len(s, slen));
		json_object_array_add(arr, h);
	}
	text = tx_json_pretty(root);
	if (text) {
		fputs(text, stdout);
		free(text);
		rc = 0;
	}
out:
	if (!root)
		json_object_put(arr);
	json_object_put(root);
	return rc;
}

int tx_cli_search(struct tx_engine *engine, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"json", no_argument, NULL, 'j'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct tx_search_hit *hits = NULL;
	struct tx_toolset *set = NULL;
	struct tx_buf q;
	long k = SEARCH_DEFAULT_HITS;
	bool json = false;
	char *end;
	int c, i, n = 0, rc = 1;

	tx_buf_init(&q, SEARCH_QUERY_BYTES);
	optind = 0; /* reset getopt: the main program may have used it */
	/* '+': options end at the first query word. */
	while ((c = getopt_long(argc, argv, "+n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			errno = 0;
			k = strtol(optarg, &end, 10);
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
	n = tx_engine_search(engine, q.data, (size_t)k, &hits);
	if (n < 0) {
		fprintf(stderr, "toolexec search: %s\n",
		        n == -E2BIG ? "query too long" : strerror(-n));
		goto out;
	}
	set = tx_engine_tools(engine);
	if (json) {
		rc = print_json(q.data, hits, n, set);
	} else {
		for (i = 0; i < n; i++) {
			int slen;
			const char *s = summary_of(set, hits[i].id, &slen);

			printf("%d\t%.4f\t%s\t%.*s\n", i + 1, hits[i].score,
			       hits[i].id, slen, s);
		}
		rc = 0;
	}
	if (fflush(stdout) != 0)
		rc = 1;
out:
	if (set)
		tx_toolset_unref(set);
	tx_search_hits_free(hits, n > 0 ? (size_t)n : 0);
	tx_buf_release(&q);
	return rc;
}
