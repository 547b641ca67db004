/*
 * pam-jwt store, token, status, logout, drop, jwks-refresh: the helper
 * daemon's client
 * (DESIGN.md "Helper", doc/PROTOCOL.md).  The helper decides who may do
 * what from the caller's uid; this side only builds the request and
 * prints the answer.
 *
 *   exit 0  done
 *   exit 1  the helper refused (its error name and message on stderr)
 *   exit 2  wrong command line, configuration, or the helper unreachable
 */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clitime.h"
#include "config.h"
#include "jsonstrict.h"
#include "proto.h"
#include "readtoken.h"
#include "reason.h"
#include "strutil.h"
#include "wipe.h"

/* How long the tool waits for the helper, in all. */
#define HELPER_WAIT_MS 10000
/* Longest helper-given value printed, before escaping. */
#define HELPER_MAX_VALUE 256
#define HELPER_VALUE_SIZE (4 * HELPER_MAX_VALUE + 4)

struct helper_cmd {
	const char *name;
	const char *op;		/* the protocol's name of the command */
	bool root_only;		/* store, drop: USER is an argument */
	bool reads_stdin;	/* store */
	bool about_issuer;	/* jwks-refresh: --issuer, no --user */
	bool has_format;	/* token: --format k8s */
	bool (*print)(struct json_object *r);	/* false: malformed */
};

struct helper_opts {
	const char *config;
	const char *socket;
	const char *user;
	const char *issuer;
	bool k8s;		/* --format k8s */
};

static void
print_value(const char *label, struct json_object *r, const char *name)
{
	const char *s = NULL;
	char e[HELPER_VALUE_SIZE];

	if (!proto_get_str(r, name, &s))
		s = "";
	strutil_escape(s, strlen(s), HELPER_MAX_VALUE, e, sizeof(e));
	printf("%s: %s\n", label, e);
}

/*
 * The helper's refusal message for a terminal: printable ASCII as it is
 * (it is the helper's prose, with spaces and quotes), any other byte as
 * \xHH, at most HELPER_MAX_VALUE bytes, so that nothing can move the
 * cursor or forge a second line.
 */
static void
readable(const char *s, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; s[i] != '\0' && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == HELPER_MAX_VALUE) {
			snprintf(out + o, size - o, "...");
			return;
		}
		if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, size - o, "\\x%02x",
			    c);
	}
	out[o] = '\0';
}

static void
print_time(const char *label, struct json_object *r, const char *name)
{
	struct json_object *v = jsonstrict_get(r, name);
	char when[32];
	int64_t t;

	if (v == NULL || !json_object_is_type(v, json_type_int))
		return;
	t = json_object_get_int64(v);
	clitime_format(t, when, sizeof(when));
	printf("%s: %" PRId64 " (%s)\n", label, t, when);
}

static void
print_bool(const char *label, struct json_object *r, const char *name)
{
	struct json_object *v = jsonstrict_get(r, name);

	printf("%s: %s\n", label, v != NULL && json_object_get_boolean(v) ?
	    "yes" : "no");
}

/*
 * The answer's access token in *S when it is a compact JWS's alphabet:
 * base64url and dots, nothing else goes out (nor needs escaping in JSON).
 */
static bool
get_token(struct json_object *r, const char **s)
{
	size_t i;

	*s = NULL;
	if (!proto_get_str(r, "access_token", s))
		return false;
	for (i = 0; (*s)[i] != '\0'; i++) {
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_.", (*s)[i]) ==
		    NULL) {
			cli_error("the helper sent a malformed token");
			return false;
		}
	}
	return true;
}

/* The access token alone: what scripts read. */
static bool
print_token(struct json_object *r)
{
	const char *s;

	if (!get_token(r, &s))
		return false;
	printf("%s\n", s);
	return true;
}

/*
 * The access token as a Kubernetes ExecCredential (client.authentication
 * .k8s.io/v1), what kubectl reads from an exec credential plugin: the
 * token and its expiry, after which kubectl runs the plugin again.
 */
static bool
print_k8s(struct json_object *r)
{
	struct json_object *v = jsonstrict_get(r, "expires");
	char when[32];
	const char *s;

	if (!get_token(r, &s))
		return false;
	if (v == NULL || !json_object_is_type(v, json_type_int))
		return false;
	clitime_format(json_object_get_int64(v), when, sizeof(when));
	if (when[0] == '?')
		return false;
	printf("{\"apiVersion\":\"client.authentication.k8s.io/v1\","
	    "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\","
	    "\"expirationTimestamp\":\"%s\"}}\n", s, when);
	return true;
}

static bool
print_status(struct json_object *r)
{
	struct json_object *g = jsonstrict_get(r, "groups");
	char e[HELPER_VALUE_SIZE];
	const char *s;
	size_t i, n;

	print_value("user", r, "user");
	print_value("issuer", r, "issuer");
	print_value("subject", r, "subject");
	fputs("groups:", stdout);
	n = g != NULL && json_object_is_type(g, json_type_array) ?
	    json_object_array_length(g) : 0;
	for (i = 0; i < n; i++) {
		s = json_object_get_string(json_object_array_get_idx(g, i));
		if (s == NULL)
			s = "";
		strutil_escape(s, strlen(s), HELPER_MAX_VALUE, e, sizeof(e));
		printf("%s %s", i > 0 ? "," : "", e);
	}
	fputc('\n', stdout);
	print_time("expires", r, "expires");
	print_value("state", r, "state");
	print_time("stored", r, "stored");
	print_bool("refresh_token", r, "refresh_token");
	print_bool("id_token", r, "id_token");
	return true;
}

static bool
print_stored(struct json_object *r)
{
	print_value("stored", r, "user");
	print_time("expires", r, "expires");
	return true;
}

static bool
print_dropped(struct json_object *r)
{
	struct json_object *d = jsonstrict_get(r, "dropped");

	print_value(d != NULL && json_object_get_boolean(d) ? "dropped" :
	    "nothing stored", r, "user");
	return true;
}

static bool
print_refreshed(struct json_object *r)
{
	print_bool("fetched", r, "fetched");
	print_bool("changed", r, "changed");
	return true;
}

static const struct helper_cmd helper_cmds[] = {
	{ "store", "store", true, true, false, false, print_stored },
	{ "token", "token", false, false, false, true, print_token },
	{ "status", "status", false, false, false, false, print_status },
	{ "logout", "logout", false, false, false, false, print_dropped },
	{ "drop", "drop", true, false, false, false, print_dropped },
	{ "jwks-refresh", "jwks_refresh", false, false, true, false,
	    print_refreshed }
};

static void
helper_usage(FILE *out, const struct helper_cmd *c)
{
	if (c->root_only)
		fprintf(out, "Usage: pam-jwt %s [--socket PATH] "
		    "[--config FILE] USER%s\n", c->name,
		    c->reads_stdin ? " < token-response.json" : "");
	else if (c->about_issuer)
		fprintf(out, "Usage: pam-jwt %s [--socket PATH] "
		    "[--config FILE] [--issuer ISSUER]\n", c->name);
	else
		fprintf(out, "Usage: pam-jwt %s [--socket PATH] "
		    "[--config FILE] [--user NAME]%s\n", c->name,
		    c->has_format ? " [--format k8s]" : "");
}

/* Returns 0, -1 for --help, or CLI_EXIT_USAGE after a message. */
static int
parse_args(int argc, char **argv, const struct helper_cmd *c,
    struct helper_opts *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "issuer", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (ch == 's')
			o->socket = optarg;
		else if (ch == 'c')
			o->config = optarg;
		else if (ch == 'u' && !c->root_only && !c->about_issuer &&
		    optarg[0] != '\0')
			o->user = optarg;
		else if (ch == 'i' && c->about_issuer && optarg[0] != '\0')
			o->issuer = optarg;
		else if (ch == 'f' && c->has_format) {
			if (strcmp(optarg, "k8s") != 0) {
				cli_error("%s: --format: only \"k8s\" is "
				    "known", c->name);
				return CLI_EXIT_USAGE;
			}
			o->k8s = true;
		}
		else if (ch == 'h')
			return -1;
		else {
			cli_error("%s: unknown or incomplete option "
			    "\"%.64s\"", c->name, argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
	}
	if (c->root_only && argc - optind == 1 && argv[optind][0] != '\0') {
		o->user = argv[optind];
		return 0;
	}
	if (c->root_only || argc - optind != 0) {
		cli_error("%s: %s", c->name, c->root_only ?
		    "one USER needed" : "no arguments expected");
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* The socket: --socket, else helper_socket of the configuration. */
static int
socket_path(const struct helper_opts *o, struct config **cfg,
    const char **path)
{
	struct pj_log log;
	uid_t owner;

	*cfg = NULL;
	*path = o->socket;
	if (*path != NULL)
		return 0;
	cli_log_init(&log, false);
	owner = getuid() != 0 ? getuid() : (uid_t)-1;
	if (config_load(o->config, 0, NULL, owner, &log, cfg) != PJ_OK) {
		*cfg = NULL;
		return CLI_EXIT_USAGE;
	}
	*path = (*cfg)->top.helper_socket;
	return 0;
}

/* The token endpoint response on standard input into REQ's "tokens". */
static int
add_tokens(struct json_object *req)
{
	struct token_buf t = { NULL, 0, 0 };
	struct json_object *tokens = NULL;
	int err, rc = CLI_EXIT_USAGE;

	err = readtoken_fd(STDIN_FILENO, PROTO_MAX_MSG, &t);
	if (err != PJ_OK) {
		cli_error("store: cannot read standard input%s",
		    err == PJ_ERR_REFUSED ? ": too large" : "");
		goto out;
	}
	err = jsonstrict_parse_object(t.buf != NULL ? t.buf : "", t.len,
	    &tokens);
	if (err != PJ_OK) {
		cli_error("store: standard input is not one strict JSON "
		    "object (a token endpoint response)");
		goto out;
	}
	if (json_object_object_add(req, "tokens", tokens) != 0)
		goto out;
	tokens = NULL;
	rc = 0;
out:
	proto_put(tokens);
	readtoken_free(&t);
	return rc;
}

/* Build the request of C for O; 0 or an exit code. */
static int
build_request(const struct helper_cmd *c, const struct helper_opts *o,
    struct json_object **req)
{
	*req = proto_new_msg(c->op);
	if (*req == NULL)
		goto nomem;
	if (o->user != NULL && json_object_object_add(*req, "user",
	    json_object_new_string(o->user)) != 0)
		goto nomem;
	if (o->issuer != NULL && json_object_object_add(*req, "issuer",
	    json_object_new_string(o->issuer)) != 0)
		goto nomem;
	if (c->reads_stdin)
		return add_tokens(*req);
	return 0;
nomem:
	cli_error("out of memory");
	return CLI_EXIT_USAGE;
}

/* Send REQ to PATH and read the answer into *RESP; 0 or an exit code. */
static int
exchange(const char *path, struct json_object *req,
    struct json_object **resp)
{
	int64_t deadline = proto_now_ms() + HELPER_WAIT_MS;
	char *out = NULL, *in = NULL;
	size_t outlen = 0, inlen = 0;
	int fd, err, rc = CLI_EXIT_USAGE;

	*resp = NULL;
	err = proto_serialize(req, &out, &outlen);
	if (err != PJ_OK) {
		cli_error("the request is too large");
		return rc;
	}
	fd = proto_connect(path, deadline);
	if (fd < 0) {
		cli_error("cannot reach the helper at %.200s: %s", path,
		    strerror(errno));
		goto out;
	}
	err = proto_write_msg(fd, deadline, out, outlen);
	if (err == PJ_OK)
		err = proto_read_msg(fd, deadline, &in, &inlen);
	close(fd);
	if (err == PJ_OK)
		err = proto_parse(in, inlen, resp);
	if (err != PJ_OK) {
		*resp = NULL;
		cli_error("no valid answer from the helper at %.200s (%s)",
		    path, err == PROTO_ERR_TIMEOUT ? "timed out" :
		    err == PROTO_ERR_CLOSED ? "connection closed" :
		    "malformed");
		goto out;
	}
	rc = 0;
out:
	if (out != NULL)
		wipe_free(out, outlen + 1);
	if (in != NULL)
		wipe_free(in, inlen + 1);
	return rc;
}

/* The answer: printed, or the refusal on stderr; the exit code. */
static int
report(const struct helper_cmd *c, const struct helper_opts *o,
    struct json_object *resp)
{
	struct json_object *ok = jsonstrict_get(resp, "ok");
	const char *error = NULL, *msg = NULL;
	char e1[HELPER_VALUE_SIZE], e2[HELPER_VALUE_SIZE];

	if (ok != NULL && json_object_is_type(ok, json_type_boolean) &&
	    json_object_get_boolean(ok)) {
		if (!(o->k8s ? print_k8s(resp) : c->print(resp))) {
			cli_error("malformed answer from the helper");
			return CLI_EXIT_USAGE;
		}
		return CLI_EXIT_OK;
	}
	if (!proto_get_str(resp, "error", &error)) {
		cli_error("malformed answer from the helper");
		return CLI_EXIT_USAGE;
	}
	if (!proto_get_str(resp, "message", &msg))
		msg = "";
	strutil_escape(error, strlen(error), 64, e1, sizeof(e1));
	readable(msg, e2, sizeof(e2));
	fprintf(stderr, "pam-jwt: %s: refused by the helper: %s: %s\n",
	    c->name, e1, e2);
	return CLI_EXIT_REFUSED;
}

static int
run_helper_cmd(const struct helper_cmd *c, int argc, char **argv)
{
	struct helper_opts o;
	struct config *cfg = NULL;
	struct json_object *req = NULL, *resp = NULL;
	const char *path;
	int rc;

	rc = parse_args(argc, argv, c, &o);
	if (rc != 0) {
		helper_usage(rc < 0 ? stdout : stderr, c);
		return rc < 0 ? CLI_EXIT_OK : rc;
	}
	rc = socket_path(&o, &cfg, &path);
	if (rc != 0)
		goto out;
	rc = build_request(c, &o, &req);
	if (rc != 0)
		goto out;
	rc = exchange(path, req, &resp);
	if (rc != 0)
		goto out;
	rc = report(c, &o, resp);
out:
	fflush(stdout);
	proto_put(req);
	proto_put(resp);
	config_free(cfg);
	return rc;
}

int
cmd_store(int argc, char **argv)
{
	return run_helper_cmd(&helper_cmds[0], argc, argv);
}

int
cmd_token(int argc, char **argv)
{
	return run_helper_cmd(&helper_cmds[1], argc, argv);
}

int
cmd_status(int argc, char **argv)
{
	return run_helper_cmd(&helper_cmds[2], argc, argv);
}

int
cmd_logout(int argc, char **argv)
{
	return run_helper_cmd(&helper_cmds[3], argc, argv);
}

int
cmd_drop(int argc, char **argv)
{
	return run_helper_cmd(&helper_cmds[4], argc, argv);
}

int
cmd_jwks_refresh(int argc, char **argv)
{
	return run_helper_cmd(&helper_cmds[5], argc, argv);
}
