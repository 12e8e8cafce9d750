/*
 * cli.h - subcommands of the toolexec program.  Each takes the engine
 * and its own argv (argv[0] is the subcommand's name) and returns the
 * process exit status.
 */
#ifndef TX_CLI_H
#define TX_CLI_H

struct tx_engine;

/* toolexec search [-n N] [--json] QUERY... (toolexec_search.c) */
int tx_cli_search(struct tx_engine *engine, int argc, char **argv);

/* toolexec validate SCHEMA.json [INSTANCE.json | -] (toolexec_validate.c) */
int tx_cli_validate(int argc, char **argv);

#endif
