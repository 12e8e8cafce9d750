/*
 * cli.h - subcommands of the toolexec program.  Each takes the engine
 * and its own argv (argv[0] is the subcommand's name) and returns the
 * process exit status.
 */
#ifndef TX_CLI_H
#define TX_CLI_H

#include <signal.h>

struct tx_engine;

/* toolexec search [-n N] [--json] QUERY... (toolexec_search.c) */
int tx_cli_search(struct tx_engine *engine, int argc, char **argv);

/* toolexec validate SCHEMA.json [INSTANCE.json | -] (toolexec_validate.c) */
int tx_cli_validate(int argc, char **argv);

/* toolexec code [-p PROFILE] [--json] [--result FILE] SCRIPT [ARGS...]
 * (toolexec_code.c).  *interrupted counts SIGINT/SIGTERM: the first
 * stops the run gently, the second at once. */
int tx_cli_code(struct tx_engine *engine, int argc, char **argv,
		volatile sig_atomic_t *interrupted);

/* toolexec login NS [ADDRESS | -], toolexec auth NS, toolexec token NS
 * [TOKEN | -] (toolexec_auth.c): sign-in for remote MCP servers. */
int tx_cli_auth(struct tx_engine *engine, int argc, char **argv);

#endif
