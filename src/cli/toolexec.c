/*
 * toolexec.c - the engine without FUSE: list, doc, call, chain, search,
 * validate, code.  For scripts, tests, and machines without /dev/fuse.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/buf.h"
#include "toolexecfs/toolexec.h"

enum {
	EXIT_TOOL_FAILED = 1, /* the call ran and failed, or isError */
	EXIT_USAGE = 2,       /* bad command line or bad arguments */
	EXIT_NO_TOOL = 3,
	EXIT_TIMEOUT = 124,   /* as timeout(1) */
	EXIT_CANCELLED = 130, /* as a shell reports SIGINT */
};

static volatile sig_atomic_t interrupted;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: toolexec [-c DIR] [-v] COMMAND [ARGS]\n"
		"\n"
		"The toolexecfs engine without a mount.\n"
		"\n"
		"Commands:\n"
		"  list                      every tool: ID, a tab, its summary\n"
		"  doc ID                    the tool's documentation (Markdown)\n"
		"  schema ID                 the tool's input schema\n"
		"  call [--json] [-q] ID [JSON|-]\n"
		"                            call a tool; JSON defaults to {}, - reads stdin;\n"
		"                            prints what `result` would show (--json: the\n"
		"                            whole envelope); on a terminal, the call's\n"
		"                            progress on one stderr line (-q, --quiet: not)\n"
		"  chain [--json] [-q] [STEPS|-]\n"
		"                            run a chain: {\"steps\":[...]} or just [...]\n"
		"  search [-n N] [--json] QUERY...\n"
		"                            rank tools for a query (BM25)\n"
		"  code [-p PROFILE] [--json] [--result FILE] SCRIPT [ARGS...]\n"
		"                            run a script once in a security profile\n"
		"                            (default standard); its stdout and stderr\n"
		"                            pass through, then the result JSON goes to\n"
		"                            stderr (--json: stdout; --result: FILE)\n"
		"  validate SCHEMA.json [INSTANCE.json|-]\n"
		"                            check an instance against a JSON Schema\n"
		"  login NS [ADDRESS|-]      sign in to remote MCP server NS: without\n"
		"                            ADDRESS, print the address to open in a\n"
		"                            browser (on a terminal, then read the\n"
		"                            address it sends you back to); with it\n"
		"                            (- reads it from stdin), complete the\n"
		"                            sign-in with it (or with the bare code)\n"
		"  auth NS                   NS's sign-in: ok, expired, needs-login, none\n"
		"  token NS [TOKEN|-]        keep a token obtained elsewhere for NS\n"
		"  status | stats | config   what .ctl/ would show\n"
		"  check                     check the configuration: each bad file's\n"
		"                            errors and each tool left out on stderr;\n"
		"                            exit 1 if any, else 0\n"
		"\n"
		"Options:\n"
		"  -c, --config DIR  configuration directory (default: the embedded\n"
		"                    default: built-in tools and example local tools)\n"
		"  -v, --verbose     log to stderr\n"
		"  -h, --help        this text\n"
		"  -V, --version     the version\n"
		"\n"
		"Every command prints the configuration's errors on stderr, one a\n"
		"line (file, JSON path, what is wrong), and works with the good files.\n"
		"\n"
		"Exit status of call and chain: 0 ok; 1 the tool failed or reported\n"
		"an error; 2 bad usage or invalid arguments; 3 no such tool;\n"
		"124 timeout; 130 interrupted (the call is cancelled).\n"
		"Exit status of code: the script's; 128+N killed by signal N;\n"
		"124 timeout; 125 the script did not run (unknown profile or\n"
		"language, sandbox set-up failed: the result's error says why);\n"
		"130 interrupted (the run is stopped).\n");
}

static void on_sigint(int sig)
{
	(void)sig;
	if (interrupted < 2)
		interrupted++;
}

/* Reads all of stdin, at most TX_ARGS_MAX bytes.  malloc'd or NULL. */
static char *read_stdin(void)
{
	struct tx_buf b;
	char chunk[65536];
	ssize_t n;

	tx_buf_init(&b, TX_ARGS_MAX);
	while ((n = read(STDIN_FILENO, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || tx_buf_add(&b, chunk, (size_t)n)) {
			fprintf(stderr, "toolexec: %s\n",
				n < 0 ? strerror(errno)
				      : "standard input is larger than the argument limit");
			tx_buf_release(&b);
			return NULL;
		}
	}
	return tx_buf_detach(&b, NULL);
}

/* The same text as tools/INDEX in the mount. */
static int cmd_list(struct tx_engine *e)
{
	struct tx_toolset *set = tx_engine_tools(e);
	size_t len = 0;
	char *text = set ? tx_toolset_index_text(set, NULL, &len) : NULL;
	int rc = text && fwrite(text, 1, len, stdout) == len ? 0 : 1;

	if (!text)
		fprintf(stderr, "toolexec: %s\n", strerror(ENOMEM));
	free(text);
	if (set)
		tx_toolset_unref(set);
	return rc;
}

static int cmd_doc(struct tx_engine *e, int argc, char **argv, bool schema)
{
	struct tx_toolset *set;
	const struct tx_tool *t;

	if (argc != 2) {
		fprintf(stderr, "usage: toolexec %s ID\n", argv[0]);
		return EXIT_USAGE;
	}
	set = tx_engine_tools(e);
	t = tx_toolset_find(set, argv[1]);
	if (!t) {
		fprintf(stderr,
			"toolexec: no tool \"%s\" (toolexec list shows them)\n",
			argv[1]);
		tx_toolset_unref(set);
		return EXIT_NO_TOOL;
	}
	fputs(schema ? tx_tool_schema_text(t) : tx_tool_doc(t), stdout);
	tx_toolset_unref(set);
	return 0;
}

/*
 * The progress line: while a call runs, the last line of its stream
 * (MCP progress, a program's output) on one terminal line, redrawn in
 * place and erased at the end.  Only on a terminal: a pipe or a file
 * never gets it.  Control characters are shown as '?', so a tool's
 * output cannot move the cursor or retitle the terminal.
 */
struct progress {
	uint64_t off;  /* read up to here */
	char cur[256]; /* the line being read */
	size_t ncur;
	char shown[256]; /* the line on the terminal */
	bool on;
};

static void progress_draw(struct progress *p, const char *line)
{
	struct winsize ws;
	size_t cols = 80;

	if (!strcmp(line, p->shown) && p->on)
		return;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		cols = ws.ws_col;
	snprintf(p->shown, sizeof(p->shown), "%s", line);
	fprintf(stderr, "\r\033[K%.*s", (int)(cols - 1), p->shown);
	fflush(stderr);
	p->on = true;
}

static void progress_update(struct tx_job *job, struct progress *p)
{
	char buf[4096], last[sizeof(p->cur)] = "";
	bool eof = false;
	size_t n;

	while ((n = tx_job_stream_read(job, p->off, buf, sizeof(buf), &eof)) >
	       0) {
		p->off += n;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)buf[i];

			if (c == '\n') {
				if (p->ncur) {
					memcpy(last, p->cur, p->ncur);
					last[p->ncur] = '\0';
				}
				p->ncur = 0;
			} else if (p->ncur < sizeof(p->cur) - 1) {
				p->cur[p->ncur++] =
					c < 0x20 || c == 0x7f ? '?' : (char)c;
			}
		}
	}
	if (last[0])
		progress_draw(p, last);
}

static void progress_end(struct progress *p)
{
	if (p->on)
		fputs("\r\033[K", stderr);
	p->on = false;
}

/* Waits for a job, cancelling it on SIGINT; p, when not NULL, shows
 * its progress. */
static void wait_job(struct tx_job *job, struct progress *p)
{
	while (tx_job_wait(job, 100) == -ETIMEDOUT) {
		if (interrupted) {
			tx_job_cancel(job);
			break;
		}
		if (p)
			progress_update(job, p);
	}
	if (p)
		progress_end(p);
}

static int run_call(struct tx_engine *e, const char *tool, const char *args,
		    bool json, bool quiet)
{
	struct progress prog = { 0 };
	struct tx_caller who = { .uid = getuid(),
				 .pid = getpid(),
				 .sid = getsid(0) };
	struct tx_job *job;
	const char *text;
	char err[1024];
	size_t len;
	int rc, eno;

	job = tx_engine_job_new(e, tool, &who, err, sizeof(err));
	if (!job) {
		char ns[256], hint[800] = "";
		const char *colon = strchr(tool, ':');

		eno = errno; /* before fprintf, which may change it */
		fprintf(stderr, "toolexec: %s\n", err);
		/* A remote server that lists no tools before we sign in. */
		if (eno == ENOENT && colon &&
		    (size_t)(colon - tool) < sizeof(ns)) {
			memcpy(ns, tool, (size_t)(colon - tool));
			ns[colon - tool] = '\0';
			tx_engine_auth_hint(e, ns, hint, sizeof(hint));
			if (hint[0]) {
				fprintf(stderr, "toolexec: MCP server %s: %s\n",
					ns, hint);
				return EXIT_TOOL_FAILED;
			}
		}
		return eno == ENOENT ? EXIT_NO_TOOL : EXIT_TOOL_FAILED;
	}
	/* Out of memory leaves the job new: end it, or nothing would. */
	if (tx_job_start(job, args, strlen(args)) == -ENOMEM &&
	    tx_job_state(job) == TX_JOB_NEW)
		tx_job_reject(job, ENOMEM,
			      "out of memory: the call could not "
			      "start");
	wait_job(job, !quiet && isatty(STDERR_FILENO) ? &prog : NULL);
	eno = tx_job_errno(job);
	if (json) {
		text = tx_job_envelope_text(job, &len);
		fwrite(text, 1, len, stdout);
	} else if (eno == 0) {
		text = tx_job_result_text(job, &len);
		fwrite(text, 1, len, stdout);
	}
	switch (tx_job_state(job)) {
	case TX_JOB_OK:
		rc = 0;
		break;
	case TX_JOB_TIMEOUT:
		rc = EXIT_TIMEOUT;
		break;
	case TX_JOB_CANCELLED:
		rc = EXIT_CANCELLED;
		break;
	default:
		rc = eno == EINVAL || eno == EFBIG ? EXIT_USAGE
						   : EXIT_TOOL_FAILED;
	}
	if (rc) {
		text = tx_job_error_text(job, &len);
		fprintf(stderr, "toolexec: %s: %.*s", tool, (int)len, text);
		if (!len || text[len - 1] != '\n')
			fputc('\n', stderr);
	}
	tx_job_unref(job);
	return rc;
}

static int cmd_call(struct tx_engine *e, int argc, char **argv, bool chain)
{
	const char *tool = chain ? TX_CHAIN_ID : NULL;
	const char *args = NULL;
	char *owned = NULL;
	bool json = false, quiet = false;
	int rc, pos = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--quiet") ||
			   !strcmp(argv[i], "-q")) {
			quiet = true;
		} else if (!chain && pos == 0) {
			tool = argv[i];
			pos++;
		} else if (!args) {
			args = argv[i];
			pos++;
		} else {
			goto out_usage;
		}
	}
	if (!tool)
		goto out_usage;
	if (!args)
		args = chain ? "-" : "{}";
	if (!strcmp(args, "-")) {
		owned = read_stdin();
		if (!owned)
			return EXIT_USAGE;
		args = owned;
	}
	if (chain) {
		/* A bare array of steps is a chain too. */
		const char *p = args + strspn(args, " \t\r\n");

		if (*p == '[') {
			char *wrapped;

			if (asprintf(&wrapped, "{\"steps\":%s}", p) < 0) {
				free(owned);
				return EXIT_TOOL_FAILED;
			}
			free(owned);
			owned = wrapped;
			args = owned;
		}
	}
	rc = run_call(e, tool, args, json, quiet);
	free(owned);
	return rc;
out_usage:
	fprintf(stderr, "usage: toolexec %s\n",
		chain ? "chain [--json] [-q] [STEPS_JSON | -]"
		      : "call [--json] [-q] ID [JSON | -]");
	return EXIT_USAGE;
}

/*
 * Prints each configuration error once on stderr; returns their number.
 * Every command does this first, so a broken file never fails silently.
 */
static size_t print_config_errors(struct tx_engine *e)
{
	size_t n = 0;
	char *t = tx_engine_config_errors_text(e, &n);
	char *line, *save = NULL;

	if (!t) {
		fprintf(stderr, "toolexec: %s\n", strerror(ENOMEM));
		return 1;
	}
	for (line = strtok_r(t, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		fprintf(stderr, "toolexec: %s\n", line);
	free(t);
	return n;
}

static int cmd_text(struct tx_engine *e, const char *what)
{
	char *t = !strcmp(what, "status")  ? tx_engine_status_text(e)
		  : !strcmp(what, "stats") ? tx_engine_stats_text(e)
					   : tx_engine_config_text(e);

	if (!t)
		return EXIT_TOOL_FAILED;
	fputs(t, stdout);
	free(t);
	return 0;
}

/*
 * The namespace of the one tool a command names (call, doc, schema), in
 * buf; "" for a tool ID with no namespace (no server has it).  NULL when
 * the command may reach any tool (list, search, chain, code, status...).
 */
static const char *cli_one_namespace(const char *cmd, int argc, char **argv,
				     char *buf, size_t len)
{
	const char *id = NULL, *colon;

	if (!strcmp(cmd, "doc") || !strcmp(cmd, "schema")) {
		id = argc == 2 ? argv[1] : NULL;
	} else if (!strcmp(cmd, "call")) {
		/* As cmd_call reads it: the first word that is no option. */
		for (int i = 1; i < argc && !id; i++)
			if (strcmp(argv[i], "--json") &&
			    strcmp(argv[i], "--quiet") && strcmp(argv[i], "-q"))
				id = argv[i];
	} else if ((!strcmp(cmd, "login") || !strcmp(cmd, "auth") ||
		    !strcmp(cmd, "token")) &&
		   argc >= 2) {
		/* Its server only: it needs that server's sign-in state. */
		snprintf(buf, len, "%s", argv[1]);
		return buf;
	}
	/* A chain's steps may call any tool. */
	if (!id || !strcmp(id, TX_CHAIN_ID))
		return NULL;
	colon = strchr(id, ':');
	if (!colon || (size_t)(colon - id) >= len) {
		buf[0] = '\0';
		return buf;
	}
	memcpy(buf, id, (size_t)(colon - id));
	buf[colon - id] = '\0';
	return buf;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct tx_engine_options opts = { .wait_lazy = true,
					  .nobody_to_ask = true };
	const char *only[2] = { NULL, NULL };
	char ns_buf[256];
	const char *ns;
	struct sigaction sa = { 0 };
	struct tx_engine *e;
	const char *cmd;
	char err[1024];
	size_t nbad;
	int c, rc;

	/* "+": options stop at the command; its own options follow it. */
	while ((c = getopt_long(argc, argv, "+c:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			opts.config_dir = optarg;
			break;
		case 'v':
			opts.log_stderr = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("toolexec %s\n", TX_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	if (!strcmp(cmd, "validate"))
		return tx_cli_validate(argc, argv);
	if (strcmp(cmd, "list") && strcmp(cmd, "doc") &&
	    strcmp(cmd, "schema") && strcmp(cmd, "call") &&
	    strcmp(cmd, "chain") && strcmp(cmd, "search") &&
	    strcmp(cmd, "status") && strcmp(cmd, "stats") &&
	    strcmp(cmd, "config") && strcmp(cmd, "code") &&
	    strcmp(cmd, "check") && strcmp(cmd, "login") &&
	    strcmp(cmd, "auth") && strcmp(cmd, "token")) {
		fprintf(stderr, "toolexec: unknown command \"%s\"\n", cmd);
		usage(stderr);
		return EXIT_USAGE;
	}

	/* One tool named: only its server (its namespace) is started, so
	 * `call builtin:echo` waits for none. */
	ns = cli_one_namespace(cmd, argc, argv, ns_buf, sizeof(ns_buf));
	if (ns) {
		only[0] = ns;
		opts.start_servers = only;
	}
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	e = tx_engine_new(&opts, err, sizeof(err));
	if (!e) {
		fprintf(stderr, "toolexec: %s\n", err);
		return EXIT_TOOL_FAILED;
	}
	nbad = print_config_errors(e);
	if (!strcmp(cmd, "check"))
		rc = nbad ? EXIT_TOOL_FAILED : 0;
	else if (!strcmp(cmd, "list"))
		rc = cmd_list(e);
	else if (!strcmp(cmd, "doc") || !strcmp(cmd, "schema"))
		rc = cmd_doc(e, argc, argv, !strcmp(cmd, "schema"));
	else if (!strcmp(cmd, "call") || !strcmp(cmd, "chain"))
		rc = cmd_call(e, argc, argv, !strcmp(cmd, "chain"));
	else if (!strcmp(cmd, "search"))
		rc = tx_cli_search(e, argc, argv);
	else if (!strcmp(cmd, "code"))
		rc = tx_cli_code(e, argc, argv, &interrupted);
	else if (!strcmp(cmd, "login") || !strcmp(cmd, "auth") ||
		 !strcmp(cmd, "token"))
		rc = tx_cli_auth(e, argc, argv);
	else
		rc = cmd_text(e, cmd);
	/* Output that could not be written (a full disk) is a failure; a
	 * reader that stopped early (| head) is not worth a message. */
	if ((fflush(stdout) != 0 || ferror(stdout)) && errno != EPIPE) {
		fprintf(stderr, "toolexec: writing the output: %s\n",
			strerror(errno));
		if (!rc)
			rc = EXIT_TOOL_FAILED;
	}
	tx_engine_free(e);
	return rc;
}
