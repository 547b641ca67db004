/*
 * pam-jwt: the command-line tool.  It dispatches to a subcommand and
 * holds what the subcommands share: the log callback to standard error.
 * Reading a token is readtoken.c's.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "cli.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "verify", cmd_verify },
	{ "askpass", cmd_askpass },
	{ "store", cmd_store },
	{ "token", cmd_token },
	{ "status", cmd_status },
	{ "logout", cmd_logout },
	{ "drop", cmd_drop },
	{ "jwks-refresh", cmd_jwks_refresh },
};

/* Called through a link of this name, the tool is "pam-jwt askpass". */
#define CLI_ASKPASS_NAME "pam-jwt-askpass"

static void
usage(FILE *out)
{
	fprintf(out,
	    "Usage: pam-jwt COMMAND [OPTIONS] [ARGUMENTS]\n"
	    "\n"
	    "Commands:\n"
	    "  verify [--config FILE] [--user NAME] [--now UNIXTIME] "
	    "[--explain]\n"
	    "         [TOKEN | -]\n"
	    "      Verify a token exactly as the PAM module does; read it "
	    "from standard\n"
	    "      input with \"-\" or without TOKEN.  Exit 0 accepted, 1 "
	    "refused,\n"
	    "      2 for a wrong command line, configuration or file.\n"
	    "  askpass [--file FILE | --env VAR] PROMPT\n"
	    "      Print the part of a token that PROMPT asks for: point "
	    "SSH_ASKPASS\n"
	    "      or SUDO_ASKPASS at it.\n"
	    "\n"
	    "Helper commands (all take --socket PATH and --config FILE):\n"
	    "  store USER       (root) hand the helper the token endpoint "
	    "response\n"
	    "                   on standard input\n"
	    "  token [--user NAME]   print the current access token\n"
	    "                   --format k8s: as a kubectl ExecCredential\n"
	    "  status [--user NAME]  issuer, subject, groups, expiry\n"
	    "  logout [--user NAME]  drop the stored tokens\n"
	    "  drop USER        (root) drop a user's tokens\n"
	    "  jwks-refresh [--issuer ISSUER]  fetch the key sets now (at "
	    "most once\n"
	    "                   per jwks_refresh_min)\n"
	    "      Exit 0 done, 1 refused by the helper, 2 usage or "
	    "connection.\n"
	    "\n"
	    "Options:\n"
	    "  -h, --help       show this help\n"
	    "  -V, --version    show the version\n"
	    "\n"
	    "See pam-jwt(1), pam_jwt(8) and pam_jwt.conf(5).\n");
}

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pam-jwt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
log_to_stderr(void *arg, int prio, const char *msg)
{
	const int *verbose = arg;

	if (prio > LOG_ERR && !*verbose)
		return;
	if (prio >= LOG_DEBUG)
		return;
	fprintf(stderr, "pam-jwt: %s\n", msg);
}

void
cli_log_init(struct pj_log *log, bool verbose)
{
	/*
	 * The flag lives in static storage: the tool is a program of its
	 * own, one thread, and the log must not point at a stack frame.
	 */
	static int on = 1;
	static int off = 0;

	log->fn = log_to_stderr;
	log->arg = verbose ? &on : &off;
	log->debug = false;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc > 0 && strcmp(base_name(argv[0]), CLI_ASKPASS_NAME) == 0)
		return cmd_askpass(argc, argv);

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 ||
	    strcmp(argv[1], "--version") == 0) {
		printf("pam-jwt (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return CLI_EXIT_OK;
	}

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	}
	cli_error("unknown command \"%.64s\"", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
