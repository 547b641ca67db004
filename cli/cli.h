/*
 * pam-jwt, the command-line tool: shared pieces of its subcommands.
 */
#ifndef PJ_CLI_H
#define PJ_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

/* Exit codes (DESIGN.md "Command-line check"). */
#define CLI_EXIT_OK 0		/* accepted; askpass: printed */
#define CLI_EXIT_REFUSED 1	/* refused; askpass: no token */
#define CLI_EXIT_USAGE 2	/* command line, configuration or files */

/* The most a token source (standard input, a file) may hold. */
#define CLI_MAX_INPUT (1024 * 1024)

/*
 * The longest part askpass prints: sudo refuses answers of 512 bytes or
 * more (DESIGN.md "Prompting, completeness and long tokens").
 */
#define CLI_PART_LEN 511

/*
 * Point LOG at standard error, each message on one line after
 * "pam-jwt: ".  Messages of priority LOG_ERR and more severe always
 * pass; LOG_WARNING to LOG_INFO only with VERBOSE; LOG_DEBUG never.
 */
void cli_log_init(struct pj_log *log, bool verbose);

/* Print "pam-jwt: MSG" to standard error. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The subcommands.  ARGV[0] is the subcommand's name; the return value
 * is the process's exit code.
 */
int cmd_verify(int argc, char **argv);
int cmd_askpass(int argc, char **argv);

/*
 * The helper daemon's client (cmd_helper.c, doc/PROTOCOL.md): exit 0
 * done, 1 refused by the helper, 2 command line, configuration or the
 * helper unreachable.
 */
int cmd_store(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_logout(int argc, char **argv);
int cmd_drop(int argc, char **argv);
int cmd_jwks_refresh(int argc, char **argv);

#endif
