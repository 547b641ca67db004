/*
 * pam_jwt_helperd: the helper daemon (DESIGN.md "Helper").  This file
 * holds the start-up: command line, refusal to run as root, no core
 * dumps, the configuration, the verifier, the socket, the token store
 * (store.h: on disk in state_dir unless persist = no), the key set
 * upkeep (jwks.h), the renewal with refresh tokens (renew.h); then the
 * server loop (server.c) until SIGTERM or SIGINT, and a wiping
 * shut-down.
 */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "dispatch.h"
#include "http.h"
#include "jwks.h"
#include "listen.h"
#include "log.h"
#include "reason.h"
#include "renew.h"
#include "server.h"
#include "store.h"
#include "verify.h"

#define HELPERD_NAME "pam_jwt_helperd"

struct helperd_opts {
	const char *config;	/* NULL: the default path */
	const char *socket;	/* NULL: helper_socket */
	bool foreground;
	bool debug;
};

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void
log_to_syslog(void *arg, int prio, const char *msg)
{
	(void)arg;
	syslog(prio, "%s", msg);
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "Usage: " HELPERD_NAME " [--config FILE] [--socket PATH] "
	    "[--foreground] [--debug]\n"
	    "\n"
	    "  --config FILE   configuration (default %s)\n"
	    "  --socket PATH   listen here instead of helper_socket; a "
	    "socket passed\n"
	    "                  by systemd (LISTEN_FDS) takes precedence\n"
	    "  --foreground    do not detach; also log to standard error\n"
	    "  --debug         log debug messages\n",
	    CONFIG_DEFAULT_PATH);
}

/* Returns 0, 1 for --help, or 2 for a wrong command line. */
static int
parse_args(int argc, char **argv, struct helperd_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'd':
			o->debug = true;
			break;
		case 'h':
			return 1;
		default:
			fprintf(stderr, HELPERD_NAME ": unknown or incomplete "
			    "option \"%.64s\"\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, HELPERD_NAME ": unexpected argument "
		    "\"%.64s\"\n", argv[optind]);
		return 2;
	}
	return 0;
}

/*
 * The helper holds every user's tokens: a core dump or a ptrace attach
 * by its own uid must not reveal them.
 */
static int
harden(void)
{
	struct rlimit rl = { 0, 0 };

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return -1;
	return setrlimit(RLIMIT_CORE, &rl);
}

/* SIGTERM, SIGINT and SIGHUP stop; they are blocked except in ppoll. */
static int
setup_signals(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0 ||
	    sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGHUP, &sa, NULL) != 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* The listening socket; *OWNED when we made the file (and remove it). */
static int
open_socket(const struct helperd_opts *o, const struct config *cfg,
    const struct pj_log *log, bool *owned)
{
	int fd;

	*owned = false;
	fd = listen_inherited(log);
	if (fd != -1)
		return fd >= 0 ? fd : -1;
	fd = listen_path(o->socket != NULL ? o->socket :
	    cfg->top.helper_socket, log);
	*owned = fd >= 0;
	return fd;
}

/* The store as the configuration says: state_dir, or memory only. */
static int
open_store(const struct config *cfg, struct store *store,
    const struct pj_log *log)
{
	struct store_options so;
	int rc;

	so.persist = cfg->top.persist;
	so.state_dir = cfg->top.state_dir;
	so.token_key_file = cfg->top.token_key_file;
	rc = store_open(store, &so, log);
	if (rc == PJ_OK && so.persist)
		pj_logf(log, LOG_INFO, "store %.200s/" STORE_DB_NAME
		    ": %zu users' tokens", so.state_dir, store->n);
	else if (rc == PJ_OK)
		pj_logf(log, LOG_INFO, "persist = no: tokens are kept in "
		    "memory only");
	return rc;
}

/* Everything after the command line; returns the exit code. */
static int
run(const struct helperd_opts *o, const struct pj_log *log)
{
	struct config *cfg = NULL;
	struct verifier *v = NULL;
	struct store store;
	struct dispatch_ctx ctx;
	struct jwks *jwks = NULL;
	bool owned = false;
	int lfd = -1, rc = 1;

	store_init(&store);
	if (config_load(o->config, 0, NULL, (uid_t)-1, log, &cfg) != PJ_OK) {
		cfg = NULL;
		goto out;
	}
	config_dump(cfg, log);
	if (verifier_new(cfg, log, &v) != PJ_OK) {
		v = NULL;
		pj_logf(log, LOG_CRIT, "out of memory");
		goto out;
	}
	lfd = open_socket(o, cfg, log, &owned);
	if (lfd < 0)
		goto out;
	if (!o->foreground && daemon(0, 0) != 0) {
		pj_logf(log, LOG_ERR, "cannot detach: %s", strerror(errno));
		goto out;
	}
	/*
	 * After daemon(): SQLite's locks belong to the process that took
	 * them and do not pass to a forked child.
	 */
	if (open_store(cfg, &store, log) != PJ_OK)
		goto out;
	pj_logf(log, LOG_INFO, "serving on %.200s%s", o->socket != NULL ?
	    o->socket : owned ? cfg->top.helper_socket : "(inherited)",
	    owned ? "" : " (socket activation)");

	ctx.cfg = cfg;
	ctx.store = &store;
	ctx.verifier = v;
	ctx.log = log;
	ctx.keep_after_logout = cfg->top.keep_after_logout;
	/* The key set upkeep may replace the verifier: it owns it now. */
	v = NULL;
	ctx.jwks = NULL;
	ctx.renew = NULL;
	if (http_global_init() != PJ_OK ||
	    jwks_new(cfg, log, &ctx.verifier, &jwks) != PJ_OK) {
		pj_logf(log, LOG_CRIT, "out of memory");
		verifier_free(ctx.verifier);
		goto out;
	}
	ctx.jwks = jwks;
	if (renew_new(cfg, log, &store, &ctx.verifier, &ctx.renew) !=
	    PJ_OK) {
		pj_logf(log, LOG_CRIT, "out of memory");
		jwks_free(jwks);
		verifier_free(ctx.verifier);
		goto out;
	}
	if (server_run(lfd, &ctx, &stop_flag) == 0)
		rc = 0;
	pj_logf(log, LOG_INFO, "stopping; %zu users' tokens wiped",
	    store.n);
	renew_free(ctx.renew);
	jwks_free(jwks);
	verifier_free(ctx.verifier);
	http_global_cleanup();
out:
	store_clear(&store);
	if (lfd >= 0)
		close(lfd);
	if (owned)
		unlink(o->socket != NULL ? o->socket :
		    cfg->top.helper_socket);
	verifier_free(v);
	config_free(cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	struct helperd_opts o;
	struct pj_log log;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc != 0) {
		usage(rc == 1 ? stdout : stderr);
		return rc == 1 ? 0 : 2;
	}
	/*
	 * Never as root: the daemon parses what any local user sends, and
	 * it talks to the network later; it needs no privilege at all.
	 */
	if (getuid() == 0 || geteuid() == 0 || getgid() == 0 ||
	    getegid() == 0) {
		fprintf(stderr, HELPERD_NAME ": refusing to run as root; "
		    "start it as its own system user (helper_user)\n");
		return 1;
	}
	/* Its store and key file are for its own user alone. */
	umask(077);
	if (harden() != 0 || setup_signals() != 0) {
		fprintf(stderr, HELPERD_NAME ": cannot set up: %s\n",
		    strerror(errno));
		return 1;
	}
	openlog(HELPERD_NAME, LOG_PID | (o.foreground ? LOG_PERROR : 0),
	    LOG_DAEMON);
	log.fn = log_to_syslog;
	log.arg = NULL;
	log.debug = o.debug;
	rc = run(&o, &log);
	closelog();
	return rc;
}
