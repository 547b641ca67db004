/*
 * config_load(): pam_jwt.conf and module arguments.  An ignored key or
 * argument could silently drop an issuer or audience check, so every
 * malformed input must fail with PJ_ERR_CONFIG and a log line naming the
 * file, the line and the key; the tables below plant one each.  The
 * accepted side pins the defaults of DESIGN.md, section inheritance,
 * argument overrides and relative paths.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "alg.h"
/*
 * By its path: a plain "config.h" finds autoconf's header in the build
 * folder first.
 */
#include "config.h"
#include "reason.h"
#include "testutil.h"

#define NOBODY 65534

/* The keys every valid configuration below needs. */
#define MIN "issuer = https://idp.test\naudience = pam\njwks_file = k.json\n"

struct fixture {
	char dir[256];
	char path[512];
	struct testutil_log logs;
	struct config *cfg;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || testutil_tmpdir("config", f->dir, sizeof(f->dir)) != 0)
		return -1;
	(void)snprintf(f->path, sizeof(f->path), "%s/pam_jwt.conf", f->dir);
	testutil_log_init(&f->logs);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	config_free(f->cfg);
	if (testutil_rmtree(f->dir) != 0)
		return -1;
	free(f);
	return 0;
}

static void
write_conf(struct fixture *f, const char *text, size_t len)
{
	testutil_write_file(f->path, text, len, 0644);
}

/* The files of the test user are trusted when it is not root. */
static uid_t
owner(void)
{
	return getuid() != 0 ? getuid() : (uid_t)-1;
}

/* Load TEXT with arguments ARGV; F->cfg is replaced. */
static int
load(struct fixture *f, const char *text, int argc, const char **argv)
{
	config_free(f->cfg);
	f->cfg = NULL;
	testutil_log_reset(&f->logs);
	write_conf(f, text, strlen(text));
	return config_load(f->path, argc, argv, owner(), &f->logs.log, &f->cfg);
}

static const struct policy *
only(struct fixture *f)
{
	assert_non_null(f->cfg);
	assert_int_equal(f->cfg->n_policies, 1);
	return &f->cfg->policies[0];
}

static void
test_defaults(void **state)
{
	struct fixture *f = *state;
	const struct policy *p;
	char want[600];

	assert_int_equal(load(f, MIN, 0, NULL), PJ_OK);
	assert_string_equal(f->logs.all, "");
	p = only(f);
	assert_string_equal(f->cfg->path, f->path);
	assert_string_equal(p->name, "");
	assert_string_equal(p->issuer, "https://idp.test");
	assert_int_equal(p->n_audience, 1);
	assert_string_equal(p->audience[0], "pam");
	assert_null(p->audience[1]);
	assert_string_equal(p->audience_claim, "aud");
	(void)snprintf(want, sizeof(want), "%s/k.json", f->dir);
	assert_string_equal(p->jwks_file, want);
	assert_null(p->hmac_secret_file);
	assert_int_equal(p->algorithms, ALG_BIT(ALG_RS256));
	assert_int_equal(p->leeway, 60);
	assert_int_equal(p->max_token_age, 0);
	assert_string_equal(p->username_claim, "sub");
	assert_null(p->username_domain);
	assert_false(p->allow_root);
	assert_string_equal(p->groups_claim, "groups");
	assert_int_equal(p->n_require_group, 0);
	assert_non_null(p->require_group);
	assert_null(p->require_group[0]);
	assert_int_equal(p->n_require_scope, 0);
	assert_null(p->token_use);
	assert_int_equal(p->n_typ, 0);
	assert_int_equal(p->max_token_bytes, 16384);
	assert_int_equal(p->not_a_token, NOT_A_TOKEN_DENY);
	assert_int_equal(p->jwks_max_age, 86400);

	assert_null(p->client_id);
	assert_null(p->client_secret_file);
	assert_string_equal(p->discovery_url,
	    "https://idp.test/.well-known/openid-configuration");
	assert_null(p->ca_file);
	assert_int_equal(p->renew_margin, 60);
	assert_false(p->keep_after_logout);
	assert_int_equal(p->jwks_refresh_min, 300);
	assert_int_equal(p->jwks_refresh_max, 86400);
	assert_string_equal(p->helper_socket, "/run/pam_jwt/helper.sock");
	assert_int_equal(p->helper_timeout_ms, 500);
	assert_string_equal(p->state_dir, "/var/lib/pam_jwt");
	assert_true(p->persist);
	assert_null(p->token_key_file);
	assert_string_equal(p->helper_user, "pam-jwt");

	/* The top level is the policy and is also kept as "top". */
	assert_string_equal(f->cfg->top.issuer, "https://idp.test");
	assert_false(f->cfg->debug);
	assert_false(f->cfg->audit);
	assert_false(f->cfg->use_first_pass);
	assert_false(f->cfg->try_first_pass);
	assert_int_equal(f->cfg->extra_owner, owner());
}

static void
test_every_key(void **state)
{
	struct fixture *f = *state;
	const struct policy *p;

	assert_int_equal(load(f,
	    "issuer = https://idp.test/\n"
	    "audience = a, b ,c\n"
	    "audience_claim = client_id\n"
	    "jwks_file = /etc/keys.json\n"
	    "hmac_secret_file = /etc/hmac\n"
	    "algorithms = RS256, RS384, RS512, PS256, PS384, PS512, ES256, "
	    "ES384\n"
	    "algorithms = ES512, EdDSA, HS256, HS384, HS512\n"
	    "leeway = 300\n"
	    "max_token_age = 3600\n"
	    "username_claim = upn\n"
	    "username_domain = corp.example\n"
	    "allow_root = yes\n"
	    "groups_claim = /realm_access/roles\n"
	    "require_group = g1, g2\n"
	    "require_scope = openid\n"
	    "token_use = access\n"
	    "typ = at+jwt, application/jwt\n"
	    "max_token_bytes = 8192\n"
	    "not_a_token = ignore\n"
	    "jwks_max_age = 0\n"
	    "client_id = cid\n"
	    "client_secret_file = /etc/cs\n"
	    "discovery_url = https://idp.test/disc\n"
	    "ca_file = /etc/ca.pem\n"
	    "renew_margin = 120\n"
	    "keep_after_logout = true\n"
	    "jwks_refresh_min = 60\n"
	    "jwks_refresh_max = 600\n"
	    "helper_socket = /run/x.sock\n"
	    "helper_timeout_ms = 0\n"
	    "state_dir = /var/lib/x\n"
	    "persist = off\n"
	    "token_key_file = /var/lib/x/key\n"
	    "helper_user = root\n", 0, NULL), PJ_OK);
	p = only(f);
	assert_string_equal(p->issuer, "https://idp.test/");
	assert_int_equal(p->n_audience, 3);
	assert_string_equal(p->audience[0], "a");
	assert_string_equal(p->audience[1], "b");
	assert_string_equal(p->audience[2], "c");
	assert_string_equal(p->audience_claim, "client_id");
	assert_string_equal(p->jwks_file, "/etc/keys.json");
	assert_string_equal(p->hmac_secret_file, "/etc/hmac");
	assert_int_equal(p->algorithms, (1u << ALG_COUNT) - 1);
	assert_int_equal(p->leeway, 300);
	assert_int_equal(p->max_token_age, 3600);
	assert_string_equal(p->username_claim, "upn");
	assert_string_equal(p->username_domain, "corp.example");
	assert_true(p->allow_root);
	assert_string_equal(p->groups_claim, "/realm_access/roles");
	assert_int_equal(p->n_require_group, 2);
	assert_string_equal(p->require_group[1], "g2");
	assert_int_equal(p->n_require_scope, 1);
	assert_string_equal(p->require_scope[0], "openid");
	assert_string_equal(p->token_use, "access");
	assert_int_equal(p->n_typ, 2);
	assert_string_equal(p->typ[1], "application/jwt");
	assert_int_equal(p->max_token_bytes, 8192);
	assert_int_equal(p->not_a_token, NOT_A_TOKEN_IGNORE);
	assert_int_equal(p->jwks_max_age, 0);
	assert_string_equal(p->client_id, "cid");
	assert_string_equal(p->client_secret_file, "/etc/cs");
	assert_string_equal(p->discovery_url, "https://idp.test/disc");
	assert_string_equal(p->ca_file, "/etc/ca.pem");
	assert_int_equal(p->renew_margin, 120);
	assert_true(p->keep_after_logout);
	assert_int_equal(p->jwks_refresh_min, 60);
	assert_int_equal(p->jwks_refresh_max, 600);
	assert_string_equal(p->helper_socket, "/run/x.sock");
	assert_int_equal(p->helper_timeout_ms, 0);
	assert_string_equal(p->state_dir, "/var/lib/x");
	assert_false(p->persist);
	assert_string_equal(p->token_key_file, "/var/lib/x/key");
	assert_string_equal(p->helper_user, "root");
	assert_int_equal(f->cfg->helper_uid, 0);
}

/* Relative paths start from the configuration file's folder. */
static void
test_relative_paths(void **state)
{
	struct fixture *f = *state;
	const struct policy *p;
	char want[600];
	char cwd[PATH_MAX];

	assert_int_equal(load(f, "issuer = i\naudience = a\n"
	    "jwks_file = keys/jwks.json\nhmac_secret_file = ../s.key\n"
	    "algorithms = RS256, HS256\nstate_dir = st\n", 0, NULL), PJ_OK);
	p = only(f);
	(void)snprintf(want, sizeof(want), "%s/keys/jwks.json", f->dir);
	assert_string_equal(p->jwks_file, want);
	(void)snprintf(want, sizeof(want), "%s/../s.key", f->dir);
	assert_string_equal(p->hmac_secret_file, want);
	(void)snprintf(want, sizeof(want), "%s/st", f->dir);
	assert_string_equal(p->state_dir, want);

	/* An argument's relative path too; a relative file name as well. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	config_free(f->cfg);
	f->cfg = NULL;
	{
		const char *argv[] = { "jwks_file=other.json" };

		assert_int_equal(config_load("pam_jwt.conf", 1, argv, owner(),
		    &f->logs.log, &f->cfg), PJ_OK);
	}
	assert_int_equal(chdir(cwd), 0);
	p = only(f);
	(void)snprintf(want, sizeof(want), "%s/other.json", f->dir);
	assert_string_equal(p->jwks_file, want);
	assert_string_equal(f->cfg->path, f->path);
}

static void
test_sections(void **state)
{
	struct fixture *f = *state;
	const struct policy *a, *b;
	char want[600];

	/* No issuer at the top: the top level only gives defaults. */
	assert_int_equal(load(f,
	    "audience = pam\nleeway = 30\njwks_file = top.json\n"
	    "require_group = admins\n"
	    "\n[issuer corp]\nissuer = https://corp\nleeway = 10\n"
	    "  [ issuer  b-2.x_y ]  \nissuer = https://b\naudience = b1, b2\n"
	    "require_group =\n", 0, NULL), PJ_OK);
	assert_int_equal(f->cfg->n_policies, 2);
	assert_null(f->cfg->top.issuer);
	assert_int_equal(f->cfg->top.leeway, 30);
	a = &f->cfg->policies[0];
	b = &f->cfg->policies[1];
	assert_string_equal(a->name, "corp");
	assert_string_equal(a->issuer, "https://corp");
	assert_int_equal(a->leeway, 10);
	assert_int_equal(a->n_audience, 1);
	assert_string_equal(a->audience[0], "pam");
	(void)snprintf(want, sizeof(want), "%s/top.json", f->dir);
	assert_string_equal(a->jwks_file, want);
	assert_int_equal(a->n_require_group, 1);
	assert_string_equal(b->name, "b-2.x_y");
	assert_string_equal(b->issuer, "https://b");
	assert_int_equal(b->leeway, 30);
	assert_int_equal(b->n_audience, 2);
	assert_string_equal(b->audience[1], "b2");
	assert_string_equal(b->jwks_file, want);
	/* An empty list in a section clears the inherited one. */
	assert_int_equal(b->n_require_group, 0);
	assert_string_equal(b->discovery_url,
	    "https://b/.well-known/openid-configuration");

	/* An issuer at the top makes it the first policy. */
	assert_int_equal(load(f, MIN "[issuer z]\nissuer = https://z\n"
	    "[issuer a]\nissuer = https://a\n", 0, NULL), PJ_OK);
	assert_int_equal(f->cfg->n_policies, 3);
	assert_string_equal(f->cfg->policies[0].name, "");
	assert_string_equal(f->cfg->policies[0].issuer, "https://idp.test");
	assert_string_equal(f->cfg->policies[1].name, "z");
	assert_string_equal(f->cfg->policies[2].name, "a");
	assert_string_equal(f->cfg->policies[2].issuer, "https://a");
}

static void
test_arguments(void **state)
{
	struct fixture *f = *state;
	const char *argv[] = { "debug", "leeway=5", "audit", "use_first_pass",
	    "try_first_pass", "require_group=a b, c", "audience= x " };
	const struct policy *p;

	assert_int_equal(load(f, MIN "leeway = 20\n[issuer s]\n"
	    "issuer = https://s\nleeway = 40\naudience = s\n", 7, argv),
	    PJ_OK);
	assert_true(f->cfg->debug);
	assert_true(f->cfg->audit);
	assert_true(f->cfg->use_first_pass);
	assert_true(f->cfg->try_first_pass);
	assert_int_equal(f->cfg->n_policies, 2);
	assert_int_equal(f->cfg->top.leeway, 5);
	p = &f->cfg->policies[0];
	assert_int_equal(p->leeway, 5);
	assert_int_equal(p->n_require_group, 2);
	assert_string_equal(p->require_group[0], "a b");
	assert_string_equal(p->audience[0], "x");
	p = &f->cfg->policies[1];
	assert_int_equal(p->leeway, 5);
	assert_int_equal(p->n_audience, 1);
	assert_string_equal(p->audience[0], "x");
	assert_string_equal(p->require_group[1], "c");
}

/* config=FILE wins over the path given by the caller. */
static void
test_config_argument(void **state)
{
	struct fixture *f = *state;
	char arg[600];
	const char *argv[1];

	write_conf(f, MIN "leeway = 7\n", strlen(MIN "leeway = 7\n"));
	(void)snprintf(arg, sizeof(arg), "config=%s", f->path);
	argv[0] = arg;
	assert_int_equal(config_load("/nonexistent/pam_jwt.conf", 1, argv,
	    owner(), &f->logs.log, &f->cfg), PJ_OK);
	assert_int_equal(only(f)->leeway, 7);
}

static void
test_syntax(void **state)
{
	struct fixture *f = *state;
	const struct policy *p;
	static const char text[] =
	    "\xef\xbb\xbf# comment\r\n"
	    "; another comment\r\n"
	    "   issuer = https://idp.test/#frag   # the issuer\r\n"
	    "\taudience = a;b ; two? no: one\r\n"
	    "audience = c#d\r\n"
	    "jwks_file = k.json\t# keys\r\n"
	    "typ=at+jwt\r\n"
	    "\r\n"
	    "username_claim    =    upn";

	assert_int_equal(load(f, text, 0, NULL), PJ_OK);
	p = only(f);
	assert_string_equal(p->issuer, "https://idp.test/#frag");
	assert_int_equal(p->n_audience, 2);
	assert_string_equal(p->audience[0], "a;b");
	assert_string_equal(p->audience[1], "c#d");
	assert_string_equal(p->typ[0], "at+jwt");
	assert_string_equal(p->username_claim, "upn");

	/* Only HS* listed: no jwks_file needed. */
	assert_int_equal(load(f, "issuer = i\naudience = a\nalgorithms = HS256"
	    "\nhmac_secret_file = /etc/s\n", 0, NULL), PJ_OK);
	p = only(f);
	assert_null(p->jwks_file);
	assert_int_equal(p->algorithms, ALG_BIT(ALG_HS256));
}

struct bad {
	const char *text;
	const char *argv[2];
	int argc;
	const char *log;	/* expected in the log, after "FILE" */
};

#define TEN "0123456789"
#define LONG_VALUE TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN \
	TEN TEN TEN TEN TEN TEN

static const struct bad bad[] = {
	{ MIN "foo = 1\n", { 0 }, 0, ":4: unknown key \"foo\"" },
	{ MIN "Issuer = x\n", { 0 }, 0, ":4: unknown key \"Issuer\"" },
	{ MIN "[issuer a]\nconfig = x\n", { 0 }, 0,
	    ":5: unknown key \"config\"" },
	{ MIN "[global]\n", { 0 }, 0, ":4: unknown section [global]" },
	{ MIN "[issuer]\n", { 0 }, 0, ":4: unknown section [issuer]" },
	{ MIN "[issuer a b]\n", { 0 }, 0, ":4: unknown section [issuer a b]" },
	{ MIN "[issuer a/b]\n", { 0 }, 0, ":4: unknown section" },
	{ MIN "[issuerx]\n", { 0 }, 0, ":4: unknown section [issuerx]" },
	{ MIN "[Issuer a]\n", { 0 }, 0, ":4: unknown section" },
	{ MIN "[issuer " "abcdefghijabcdefghijabcdefghijabc" "]\n", { 0 }, 0,
	    ":4: unknown section" },
	{ MIN "[issuer a\n", { 0 }, 0, ":4: malformed section header" },
	{ MIN "[issuer a] x\n", { 0 }, 0, ":4: malformed section header" },
	{ MIN "[issuer a]\nissuer = x\n[issuer a]\n", { 0 }, 0,
	    ":6: section [issuer a] repeated (first on line 4)" },
	{ MIN "leeway = 1\nleeway = 2\n", { 0 }, 0,
	    ":5: leeway set twice (first on line 4)" },
	{ MIN "algorithms = RS256, none\n", { 0 }, 0,
	    ":4: algorithms = RS256, none: \"none\" is never accepted" },
	{ MIN "algorithms = None\n", { 0 }, 0, "\"none\" is never accepted" },
	{ MIN "algorithms = RS1\n", { 0 }, 0,
	    ":4: algorithms = RS1: unknown algorithm" },
	{ MIN "algorithms = rs256\n", { 0 }, 0, "unknown algorithm" },
	{ MIN "algorithms =\n", { 0 }, 0, ":4: algorithms = : no algorithm" },
	{ MIN "leeway = 301\n", { 0 }, 0,
	    ":4: leeway = 301: not a number in range" },
	{ MIN "leeway = -1\n", { 0 }, 0, ":4: leeway = -1: not a number" },
	{ MIN "leeway = 60s\n", { 0 }, 0, ":4: leeway = 60s: not a number" },
	{ MIN "leeway = +5\n", { 0 }, 0, ":4: leeway = +5: not a number" },
	{ MIN "leeway =\n", { 0 }, 0, ":4: leeway = : not a number" },
	{ MIN "max_token_bytes = 0\n", { 0 }, 0, "max_token_bytes = 0" },
	{ MIN "allow_root = maybe\n", { 0 }, 0,
	    ":4: allow_root = maybe: not yes or no" },
	{ MIN "not_a_token = allow\n", { 0 }, 0,
	    ":4: not_a_token = allow: not deny or ignore" },
	{ MIN "audience_claim =\n", { 0 }, 0,
	    ":4: audience_claim = : must not be empty" },
	{ MIN "state_dir =\n", { 0 }, 0,
	    ":4: state_dir = : must not be empty" },
	{ MIN "username_domain = @corp\n", { 0 }, 0,
	    "username_domain is written without '@'" },
	{ MIN "jwks_refresh_min = 500\njwks_refresh_max = 400\n", { 0 }, 0,
	    "jwks_refresh_min is above jwks_refresh_max" },
	{ MIN "issuer: x\n", { 0 }, 0, ":4: expected \"key = value\"" },
	{ MIN "just words\n", { 0 }, 0, ":4: expected \"key = value\"" },
	{ MIN "= value\n", { 0 }, 0, ":4: unknown key \"\"" },
	{ MIN "audience = " LONG_VALUE "\n", { 0 }, 0,
	    ":4: line longer than 198 characters" },
	{ "audience = a\njwks_file = k\n", { 0 }, 0,
	    ": no issuer: set issuer or add an [issuer NAME] section" },
	{ "audience = a\njwks_file = k\n[issuer s]\nleeway = 1\n", { 0 }, 0,
	    ": [issuer s] (line 3): issuer is required" },
	{ "issuer = i\njwks_file = k\n", { 0 }, 0,
	    ": top level: audience is required" },
	{ "issuer = i\naudience = a\n", { 0 }, 0,
	    ": top level: jwks_file is required for the algorithms listed" },
	{ MIN "algorithms = RS256, HS256\n", { 0 }, 0,
	    ": top level: an HS* algorithm is listed without "
	    "hmac_secret_file" },
	{ "audience = a\nalgorithms = HS512\n[issuer h]\nissuer = h\n",
	    { 0 }, 0, ": [issuer h] (line 3): an HS* algorithm" },
	{ MIN, { "foo=bar" }, 1, "unknown argument \"foo\"" },
	{ MIN, { "bogus" }, 1, "unknown argument \"bogus\"" },
	{ MIN, { "Debug" }, 1, "unknown argument \"Debug\"" },
	{ MIN, { "leeway=301" }, 1,
	    "argument leeway=301: not a number in range" },
	{ MIN, { "algorithms=none" }, 1,
	    "argument algorithms=none: \"none\" is never accepted" },
	{ MIN, { "leeway=1", "leeway=2" }, 2, "argument leeway given twice" },
	{ MIN, { "config=/a", "config=/b" }, 2,
	    "argument config= given twice" },
};

static void
test_errors(void **state)
{
	struct fixture *f = *state;
	size_t i, failures = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad *b = &bad[i];
		const char *argv[2] = { b->argv[0], b->argv[1] };
		int ret = load(f, b->text, b->argc, argv);
		const char *at = strstr(f->logs.all, b->log);

		size_t plen = strlen(f->path);
		bool named = b->argc > 0 || (strstr(f->logs.all, f->path) !=
		    NULL && (b->log[0] != ':' || (at != NULL &&
		    at >= f->logs.all + plen &&
		    strncmp(at - plen, f->path, plen) == 0)));

		/* File errors name the file, and "FILE:LINE:" when given. */
		if (ret != PJ_ERR_CONFIG || f->cfg != NULL || at == NULL ||
		    !named) {
			print_error("case %zu: ret %d, log \"%s\", expected "
			    "\"FILE%s\"\n", i, ret, f->logs.all, b->log);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void
test_nul_byte(void **state)
{
	struct fixture *f = *state;
	static const char text[] = MIN "leeway = 6\0000\n";

	write_conf(f, text, sizeof(text) - 1);
	assert_int_equal(config_load(f->path, 0, NULL, owner(), &f->logs.log,
	    &f->cfg), PJ_ERR_CONFIG);
	assert_non_null(strstr(f->logs.all, "contains a NUL byte"));
}

static void
test_file_errors(void **state)
{
	struct fixture *f = *state;
	char p[600];

	(void)snprintf(p, sizeof(p), "%s/none.conf", f->dir);
	assert_int_equal(config_load(p, 0, NULL, owner(), &f->logs.log,
	    &f->cfg), PJ_ERR_FILE);
	assert_null(f->cfg);
	assert_non_null(strstr(f->logs.all, "none.conf: does not exist"));

	write_conf(f, MIN, strlen(MIN));
	assert_int_equal(chmod(f->path, 0664), 0);
	testutil_log_reset(&f->logs);
	assert_int_equal(config_load(f->path, 0, NULL, owner(), &f->logs.log,
	    &f->cfg), PJ_ERR_FILE);
	assert_non_null(strstr(f->logs.all, "writable by group or others"));

	/* Another user's file: trusted only as the extra owner. */
	if (geteuid() != 0)
		return;
	assert_int_equal(chmod(f->path, 0644), 0);
	assert_int_equal(chown(f->path, NOBODY, (gid_t)-1), 0);
	testutil_log_reset(&f->logs);
	assert_int_equal(config_load(f->path, 0, NULL, (uid_t)-1, &f->logs.log,
	    &f->cfg), PJ_ERR_FILE);
	assert_non_null(strstr(f->logs.all, "owned by uid 65534"));
	assert_int_equal(config_load(f->path, 0, NULL, NOBODY, &f->logs.log,
	    &f->cfg), PJ_OK);
	assert_int_equal(f->cfg->extra_owner, NOBODY);
}

static void
test_helper_user(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, MIN "helper_user = root\n", 0, NULL), PJ_OK);
	assert_int_equal(f->cfg->helper_uid, 0);
	assert_int_equal(load(f, MIN "helper_user = no-such-user-pj\n", 0,
	    NULL), PJ_OK);
	assert_int_equal(f->cfg->helper_uid, (uid_t)-1);
}

static void
test_dump(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, MIN "[issuer s]\nissuer = https://s\n"
	    "algorithms = ES256, RS256\nrequire_group = a, b\n", 0, NULL),
	    PJ_OK);

	/* Without debug, nothing. */
	config_dump(f->cfg, &f->logs.log);
	assert_string_equal(f->logs.all, "");

	f->logs.log.debug = true;
	config_dump(f->cfg, &f->logs.log);
	assert_non_null(strstr(f->logs.all, "2 policies"));
	assert_non_null(strstr(f->logs.all,
	    "config [top] issuer = https://idp.test\n"));
	assert_non_null(strstr(f->logs.all, "config [s] issuer = https://s\n"));
	assert_non_null(strstr(f->logs.all,
	    "config [s] algorithms = RS256, ES256\n"));
	assert_non_null(strstr(f->logs.all,
	    "config [s] require_group = a, b\n"));
	assert_non_null(strstr(f->logs.all, "config [s] leeway = 60\n"));
	assert_non_null(strstr(f->logs.all, "config [s] allow_root = no\n"));
	assert_non_null(strstr(f->logs.all, "config [s] not_a_token = deny\n"));
	f->logs.log.debug = false;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_relative_paths, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arguments, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_config_argument, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_helper_user, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dump, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
