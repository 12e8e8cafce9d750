/*
 * config.h - the configuration: a directory of *.json files, each parsed
 * strictly into an immutable plan (docs/config.md lists every key).
 *
 * One file may hold "tools" (exec tools), "mcpServers" (the shape
 * common MCP clients use) and "codeProfiles" (the security profiles of
 * code runs).  Errors name the file, the JSON path and what
 * is wrong; a bad file never hides the good ones.
 */
#ifndef TX_CONFIG_H
#define TX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "toolexecfs/toolexec.h"

struct json_object;

#define TX_CONFIG_FILE_MAX  (4u * 1024 * 1024) /* bytes per file */
#define TX_CONFIG_DEPTH_MAX 64                 /* JSON nesting */

enum tx_stdin_mode {
	TX_STDIN_NONE, /* /dev/null */
	TX_STDIN_JSON, /* the arguments as one JSON document */
	TX_STDIN_ARG,  /* one argument's value as text (stdin_arg) */
};

/* An exec tool's way of running. */
struct tx_exec_spec {
	char **argv; /* argc elements + NULL; "{arg}" placeholders */
	size_t argc;
	/*
	 * The command compiled when the file is loaded: argc entries, the
	 * argument a "{NAME}" element stands for ("NAME"), NULL for an
	 * element taken literally.  So a call never lexes the template.
	 */
	char **params;
	enum tx_stdin_mode stdin_mode;
	char *stdin_arg; /* TX_STDIN_ARG: the argument's name */
	unsigned timeout_ms;
	char **env;             /* "KEY=VALUE", NULL-terminated; may be NULL */
	bool inherit_env;       /* start from the daemon's environment */
	char *cwd;              /* may be NULL */
	size_t max_output;      /* bytes of stdout kept */
	size_t max_stderr;      /* bytes of stderr kept */
	unsigned kill_grace_ms; /* SIGTERM to SIGKILL */
	/* The exit statuses that mean success: status N is bit N % 64 of
	 * success[N / 64]; {0} unless "success_codes" says otherwise. */
	uint64_t success[4];
};

struct tx_tool_spec {
	const char *kind; /* the backend kind that runs it: "exec" */
	char *ns;
	char *name;
	char *title; /* may be NULL */
	char *description;
	char **tags;
	size_t ntags;
	struct json_object *input_schema;  /* owned */
	struct json_object *output_schema; /* owned; may be NULL */
	/* "read_only" / "destructive"; TX_HINT_NONE: neither declared. */
	enum tx_tool_hint hint;
	struct tx_exec_spec exec;
};

/* Timeouts of one tool of an MCP server ("tool_timeouts"). */
struct tx_mcp_tool_timeout {
	char *tool;
	unsigned timeout_ms;     /* 0: the server's */
	unsigned max_timeout_ms; /* 0: the server's */
};

/* "auth": sign-in for a remote server (MCP authorization, OAuth 2.1;
 * docs/mcp.md).  Every field may be NULL. */
struct tx_mcp_auth_spec {
	char *client_id;     /* pre-registered client; else registration */
	char *client_secret; /* with client_id, for a confidential client */
	/* our client ID metadata document's https URL, used as client_id
	 * where the authorization server supports such documents */
	char *client_metadata_url;
	char *redirect_uri; /* default http://localhost:33418/callback */
	char *scope;        /* asked for when the server names none */
	char *state_dir;    /* where tokens are kept; default XDG state */
	/* "grant": "client_credentials": no user; the client (client_id
	 * with client_secret or private_key_file) gets tokens itself. */
	bool client_credentials;
	char *private_key_file; /* PEM; signs private_key_jwt assertions */
	/* "grant": "jwt_bearer" (enterprise-managed, SEP-990): the
	 * identity provider's ID token (id_token_file) is exchanged at its
	 * token endpoint for an ID-JAG, which the client presents. */
	bool jwt_bearer;
	char *idp_token_endpoint;
	char *idp_client_id;
	char *id_token_file;
};

/* "elicitation" of an MCP server. */
enum tx_elicit_mode {
	TX_ELICIT_NONE,     /* not announced; requests refused */
	TX_ELICIT_DEFAULTS, /* form: accepted with the schema's defaults */
	TX_ELICIT_ASK,      /* form and URL: asked in jobs/ID/elicit/ */
	TX_ELICIT_DECLINE,  /* form and URL: each declined at once */
};

/* One MCP server: stdio (command) or Streamable HTTP (url). */
struct tx_mcp_spec {
	char *name;       /* the namespace */
	char *command;    /* stdio; NULL for HTTP */
	char **args;      /* NULL-terminated; may be NULL */
	char **env;       /* "KEY=VALUE", NULL-terminated; may be NULL */
	bool inherit_env; /* stdio: the daemon's whole environment */
	char *cwd;
	char *url; /* HTTP; NULL for stdio */
	/* url as written, when ${VAR} expansion changed it: what messages
	 * and status show, so an expanded secret never does.  NULL: url. */
	char *url_shown;
	char **headers;     /* "Name: value", NULL-terminated; may be NULL */
	char *headers_file; /* more headers, read at each connection */
	/* A call may go this long without an answer or a progress
	 * notification (each one starts it again); default 60000. */
	unsigned timeout_ms;
	/* and no longer than this in all; default 10 x timeout_ms. */
	unsigned max_timeout_ms;
	struct tx_mcp_tool_timeout *tool_timeouts; /* per tool */
	size_t ntool_timeouts;
	unsigned startup_timeout_ms; /* initialize; default 30000 */
	unsigned max_concurrency;    /* calls in flight; 0: unlimited */
	bool lazy; /* start at first call instead of at mount */
	/* "type": "sse": the deprecated HTTP+SSE transport (2024-11-05):
	 * url is the event stream, which names where to POST. */
	bool legacy_sse;
	/* "elicitation" (docs/mcp.md): what we announce and how we answer
	 * elicitation/create. */
	enum tx_elicit_mode elicit;
	/* HTTP: ping after this long without traffic; 0: never. */
	unsigned ping_interval_ms;
	/* "roots": absolute paths we answer roots/list with;
	 * NULL-terminated, NULL when not configured. */
	char **roots;
	/* roots came from the configuration's top-level "roots"
	 * (tx_mcp_spec_inherit_roots), not the server's own. */
	bool roots_inherited;
	/* "sampling": {"command": [...], "timeout_ms": N}: the program
	 * that answers sampling/createMessage (argv, NULL-terminated;
	 * NULL: requests are declined) and how long it may take. */
	char **sampling_argv;
	unsigned sampling_timeout_ms;
	struct tx_mcp_auth_spec auth; /* remote servers only */
};

/*
 * A server without roots of its own takes roots (the top-level "roots"
 * of the configuration; NULL: none), replacing what it took before.  A
 * server with its own keeps them.  0 or -ENOMEM.
 */
int tx_mcp_spec_inherit_roots(struct tx_mcp_spec *s, char *const *roots);

struct tx_config_file {
	char *path;
	struct tx_tool_spec *tools;
	size_t ntools;
	struct tx_mcp_spec *servers;
	size_t nservers;
	/* "codeProfiles", checked on its own (config_code.c) and kept as
	 * compact JSON text for tx_config_code_profiles; NULL: none. */
	char *code_profiles;
	/* The top-level "roots": every MCP server without its own takes
	 * them (absolute paths, NULL-terminated; NULL: none). */
	char **roots;
};

/*
 * Parses one configuration document.  name is used in error messages
 * ("NAME: $.tools[2].command: expected array of strings").  Returns 0 and
 * *out (free with tx_config_file_free), or -EINVAL with the reason in err.
 */
int tx_config_parse_buffer(const char *name, const char *buf, size_t len,
			   struct tx_config_file **out, char *err,
			   size_t errlen);
/* Reads and parses a file (at most TX_CONFIG_FILE_MAX bytes). */
int tx_config_parse_file(const char *path, struct tx_config_file **out,
			 char *err, size_t errlen);
void tx_config_file_free(struct tx_config_file *cf);
/* Frees the tools of a plan once they are built (ntools becomes 0):
 * their specs would cost several hundred bytes a tool for nothing. */
void tx_config_file_drop_tools(struct tx_config_file *cf);

/* Deep copies, for backends that keep a spec beyond the file's life. */
struct tx_exec_spec *tx_exec_spec_dup(const struct tx_exec_spec *spec);
void tx_exec_spec_free(struct tx_exec_spec *spec);
struct tx_mcp_spec *tx_mcp_spec_dup(const struct tx_mcp_spec *spec);
void tx_mcp_spec_free(struct tx_mcp_spec *spec);
/*
 * Reads a headersFile: "Name: value" lines (blank lines and '#' lines
 * skipped); the file must be a regular file of ours with no access for
 * group or others (it holds secrets).  0 with *out (NULL-terminated;
 * the caller frees each string and the vector), or -errno with the
 * reason in err,
 * which never quotes the file's contents.
 */
int tx_mcp_read_headers_file(const char *path, char ***out, char *err,
			     size_t errlen);
/* A tool's idle timeout and hard cap: its "tool_timeouts" entry, else
 * the server's. */
void tx_mcp_spec_tool_timeouts(const struct tx_mcp_spec *spec, const char *tool,
			       unsigned *timeout_ms, unsigned *max_timeout_ms);
/* Same definition?  Reload restarts only servers whose spec changed. */
bool tx_mcp_spec_equal(const struct tx_mcp_spec *a,
		       const struct tx_mcp_spec *b);

/*
 * The code profiles of a whole configuration: the built-in profiles,
 * then the "codeProfiles" entries of plans[0..n) in that order (name
 * order of the files).  A profile that two files set is taken from the
 * first; the later entry is left out and logged.  NULL entries of plans
 * are skipped.  Returns the parsed set (tx_sandbox_profiles_free), or
 * NULL with errno and a reason in err when the merged set is refused
 * (more profiles than the sandbox allows, say).
 */
struct tx_sandbox_profiles;
struct tx_sandbox_profiles *
tx_config_code_profiles(const struct tx_config_file *const *plans, size_t n,
			char *err, size_t errlen);

/*
 * Watches a directory for *.json files being added, changed, removed or
 * renamed, with inotify, on its own thread.  fn(ctx, path) runs on that
 * thread for every such file (path absolute; the file may be gone),
 * after the burst of events settles (within a second).
 */
struct tx_config_watch;
typedef void (*tx_config_changed_fn)(void *ctx, const char *path);
struct tx_config_watch *tx_config_watch_new(const char *dir,
					    tx_config_changed_fn fn, void *ctx,
					    char *err, size_t errlen);
void tx_config_watch_free(struct tx_config_watch *w);

#endif
