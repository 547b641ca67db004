/*
 * pam-jwt verify: the module's verification from the command line
 * (DESIGN.md "Command-line check").  The same configuration parser and
 * the same verifier as the module; no network.
 *
 *   exit 0  accepted; standard output names the user, groups and expiry
 *   exit 1  refused; standard error holds one line
 *           "refused: REASON: message"
 *   exit 2  the command line or the configuration is wrong, or a file it
 *           names is missing or unsafe
 */
#include "autoconf.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clitime.h"
#include "readtoken.h"
#include "strutil.h"
#include "verify.h"
#include "wipe.h"

/* Longest token-derived value printed, before escaping. */
#define VERIFY_MAX_VALUE 256
#define VERIFY_VALUE_SIZE (4 * VERIFY_MAX_VALUE + 4)

struct verify_opts {
	const char *config;	/* NULL: the default path */
	const char *user;	/* NULL: the username claim's form only */
	int64_t now;
	bool have_now;
	bool explain;
	char *token;		/* the argument; NULL or "-": stdin */
};

static void
verify_usage(FILE *out)
{
	fprintf(out,
	    "Usage: pam-jwt verify [--config FILE] [--user NAME] "
	    "[--now UNIXTIME]\n"
	    "                      [--explain] [TOKEN | -]\n"
	    "\n"
	    "  --config FILE    configuration file (default %s)\n"
	    "  --user NAME      the PAM user the token must name\n"
	    "  --now UNIXTIME   judge time claims at this instant\n"
	    "  --explain        print every rule with pass or FAIL\n"
	    "  TOKEN | -        the token; \"-\" or none: standard input "
	    "(preferred:\n"
	    "                   an argument shows in the process list)\n",
	    CONFIG_DEFAULT_PATH);
}

/* Option C of getopt_long into O: 0, -1 for --help, or CLI_EXIT_USAGE. */
static int
set_option(struct verify_opts *o, int c, char **argv)
{
	long now;

	switch (c) {
	case 'c':
		o->config = optarg;
		break;
	case 'u':
		if (optarg[0] == '\0') {
			cli_error("--user needs a name");
			return CLI_EXIT_USAGE;
		}
		o->user = optarg;
		break;
	case 'n':
		if (!strutil_parse_long(optarg, 0, LONG_MAX, &now)) {
			cli_error("--now needs Unix seconds");
			return CLI_EXIT_USAGE;
		}
		o->now = now;
		o->have_now = true;
		break;
	case 'e':
		o->explain = true;
		break;
	case 'h':
		return -1;
	default:
		cli_error("verify: unknown or incomplete option \"%.64s\"",
		    argv[optind - 1]);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* Returns 0, or CLI_EXIT_USAGE after a message; -1 for --help. */
static int
parse_args(int argc, char **argv, struct verify_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "now", required_argument, NULL, 'n' },
		{ "explain", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, rc;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		rc = set_option(o, c, argv);
		if (rc != 0)
			return rc;
	}
	if (argc - optind > 1) {
		cli_error("verify: one token at most");
		return CLI_EXIT_USAGE;
	}
	if (optind < argc)
		o->token = argv[optind];
	return 0;
}

/* The input: the argument, or standard input up to CLI_MAX_INPUT. */
static int
read_token(struct verify_opts *o, struct token_buf *t)
{
	int err;

	if (o->token != NULL && strcmp(o->token, "-") != 0) {
		err = readtoken_string(o->token, t);
		/* Shorten the window in which ps shows it. */
		if (err == PJ_OK)
			wipe(o->token, t->len);
		return err;
	}
	err = readtoken_fd(STDIN_FILENO, CLI_MAX_INPUT, t);
	if (err == PJ_ERR_FILE)
		cli_error("cannot read standard input");
	return err;
}

static void
explain_print(void *arg, const char *rule, bool ok, const char *detail)
{
	printf("%-4s  %-16s %s\n", ok ? "pass" : "FAIL", rule,
	    detail != NULL ? detail : "");
}

/* The clock and the skew each policy allows, before the rules. */
static void
explain_clock(const struct config *cfg, const struct verify_opts *o,
    int64_t now)
{
	char when[32];
	size_t i;

	clitime_format(now, when, sizeof(when));
	printf("clock: now=%" PRId64 " (%s, %s)\n", now, when,
	    o->have_now ? "from --now" : "system clock");
	if (o->have_now)
		printf("clock: the system clock is %+" PRId64
		    " s from --now\n", (int64_t)time(NULL) - now);
	for (i = 0; i < cfg->n_policies; i++) {
		const struct policy *p = &cfg->policies[i];

		printf("policy %s%s%s: leeway=%ld s (clock skew allowed on "
		    "exp, nbf, iat)%s\n",
		    p->name[0] != '\0' ? "[issuer " : "[top level",
		    p->name, "]", p->leeway,
		    p->max_token_age > 0 ? ", max_token_age set" : "");
	}
}

static void
print_escaped(const char *label, const char *s)
{
	char e[VERIFY_VALUE_SIZE];

	strutil_escape(s != NULL ? s : "", s != NULL ? strlen(s) : 0,
	    VERIFY_MAX_VALUE, e, sizeof(e));
	printf("%s: %s\n", label, e);
}

/*
 * Accepted: the user, issuer, section, groups and expiry.  Values come
 * from the token: escaped, so that no byte can reach the terminal raw.
 * Groups are separated by ", " (a space inside a group is escaped).
 */
static void
print_accepted(const struct verdict *vd)
{
	const struct claims *c = &vd->claims;
	char e[VERIFY_VALUE_SIZE];
	char when[32];
	size_t i;

	print_escaped("user", c->username);
	print_escaped("issuer", c->iss);
	if (vd->policy != NULL && vd->policy->name[0] != '\0')
		print_escaped("section", vd->policy->name);
	fputs("groups:", stdout);
	for (i = 0; i < c->n_groups; i++) {
		strutil_escape(c->groups[i], strlen(c->groups[i]),
		    VERIFY_MAX_VALUE, e, sizeof(e));
		printf("%s %s", i > 0 ? "," : "", e);
	}
	fputc('\n', stdout);
	clitime_format(c->exp, when, sizeof(when));
	printf("expires: %" PRId64 " (%s)\n", c->exp, when);
}

/* Exit code and output for the verifier's result ERR. */
static int
report(int err, const struct verdict *vd)
{
	enum reason r = vd->reason;

	switch (err) {
	case PJ_OK:
		print_accepted(vd);
		return CLI_EXIT_OK;
	case PJ_ERR_REFUSED:
	case PJ_ERR_NOT_TOKEN:
		/* With not_a_token = ignore the module would step aside. */
		if (r == REASON_NONE)
			r = REASON_MALFORMED;
		fprintf(stderr, "refused: %s: %s\n", reason_name(r),
		    vd->message[0] != '\0' ? vd->message :
		    err == PJ_ERR_NOT_TOKEN ? "the input is not a JWT" :
		    "refused");
		return CLI_EXIT_REFUSED;
	case PJ_ERR_FILE:
	case PJ_ERR_CONFIG:
		/* The cause has been logged. */
		return CLI_EXIT_USAGE;
	case PJ_ERR_NOMEM:
		cli_error("out of memory");
		return CLI_EXIT_USAGE;
	default:
		break;
	}
	cli_error("verification failed: %s", pj_strerror(err));
	return CLI_EXIT_USAGE;
}

/* Load the configuration and make the verifier; 0 or an exit code. */
static int
load(const struct verify_opts *o, const struct pj_log *log,
    struct config **cfg, struct verifier **v)
{
	uid_t owner;
	int err;

	*cfg = NULL;
	*v = NULL;

	/*
	 * Run by another user than root, the tool also trusts that user's
	 * own files, so that an administrator can try a draft.
	 */
	owner = getuid() != 0 ? getuid() : (uid_t)-1;
	err = config_load(o->config, 0, NULL, owner, log, cfg);
	if (err != PJ_OK) {
		*cfg = NULL;
		if (err == PJ_ERR_NOMEM)
			cli_error("out of memory");
		return CLI_EXIT_USAGE;
	}
	err = verifier_new(*cfg, log, v);
	if (err != PJ_OK) {
		*v = NULL;
		cli_error("out of memory");
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* Read the token, verify it and report; returns the exit code. */
static int
run(struct verify_opts *o, const struct config *cfg, struct verifier *v)
{
	struct explain ex = { explain_print, NULL };
	struct verdict vd;
	struct token_buf t = { NULL, 0, 0 };
	int64_t now;
	int rc = CLI_EXIT_USAGE;
	int err;

	memset(&vd, 0, sizeof(vd));
	err = read_token(o, &t);
	if (err == PJ_ERR_REFUSED) {
		fprintf(stderr, "refused: %s: input longer than %d bytes\n",
		    reason_name(REASON_TOO_LARGE), CLI_MAX_INPUT);
		rc = CLI_EXIT_REFUSED;
		goto out;
	}
	if (err != PJ_OK)
		goto out;

	now = o->have_now ? o->now : (int64_t)time(NULL);
	if (o->explain)
		explain_clock(cfg, o, now);
	err = verifier_verify(v, t.buf, t.len, o->user, now,
	    o->explain ? &ex : NULL, &vd);
	readtoken_free(&t);
	rc = report(err, &vd);
out:
	readtoken_free(&t);
	verdict_clear(&vd);
	return rc;
}

int
cmd_verify(int argc, char **argv)
{
	struct verify_opts o;
	struct pj_log log;
	struct config *cfg = NULL;
	struct verifier *v = NULL;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc < 0) {
		verify_usage(stdout);
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (rc != 0) {
		verify_usage(stderr);
		goto out;
	}

	cli_log_init(&log, o.explain);
	rc = load(&o, &log, &cfg, &v);
	if (rc != 0)
		goto out;
	rc = run(&o, cfg, v);
out:
	fflush(stdout);
	verifier_free(v);
	config_free(cfg);
	return rc;
}
