/*
 * The claim rules of claims_check(), each at its edges, with the exact
 * reason every refusal must carry.  The time rules are where off-by-one
 * errors hide (RFC 7519 sections 4.1.4-4.1.6: refused when now >= exp +
 * leeway, when now < nbf - leeway, when iat > now + leeway), and the
 * string rules are where C's NUL-terminated comparisons let "alice\0root"
 * pass for "alice": every row below pins one such edge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "claims.h"
#include "jsonstrict.h"
#include "reason.h"
#include "strutil.h"

#define NOW 1700000000LL

/* The claims every row shares unless it says otherwise. */
#define ISS "\"iss\":\"https://idp.test\""
#define AUD "\"aud\":\"pam\""
#define USR "\"preferred_username\":\"alice\""
#define EXP "\"exp\":1700000100"
#define GRP "\"groups\":[\"g0\",\"g1\"]"
#define BASE ISS "," AUD "," USR "," GRP

/* Replace the string *DST by a copy of S (NULL: unset). */
static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s != NULL ? strdup(s) : NULL;
	if (s != NULL)
		assert_non_null(*dst);
}

/* Replace the list *DST (count *N) by the comma-separated S. */
static void
set_list(char ***dst, size_t *n, const char *s)
{
	strutil_free_list(*dst);
	assert_int_equal(strutil_split_list(s, dst, n), PJ_OK);
}

/* The test policy: like a configuration with these keys. */
static void
policy_init(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	set_str(&p->name, "");
	set_str(&p->issuer, "https://idp.test");
	set_list(&p->audience, &p->n_audience, "pam");
	set_str(&p->audience_claim, "aud");
	p->leeway = 60;
	set_str(&p->username_claim, "preferred_username");
	set_str(&p->groups_claim, "groups");
	set_list(&p->require_group, &p->n_require_group, "g1");
	set_list(&p->require_scope, &p->n_require_scope, "");
	set_list(&p->typ, &p->n_typ, "");
}

static void
policy_done(struct policy *p)
{
	free(p->name);
	free(p->issuer);
	strutil_free_list(p->audience);
	free(p->audience_claim);
	free(p->username_claim);
	free(p->username_domain);
	free(p->groups_claim);
	free(p->token_use);
	strutil_free_list(p->require_group);
	strutil_free_list(p->require_scope);
	strutil_free_list(p->typ);
}

/* What a row changes in the test policy, as pam_jwt.conf would say. */
#define LEEWAY0 "leeway=0"
#define MAX_AGE100 "max_token_age=100"
#define ALLOW_ROOT "allow_root=yes"
#define CLIENT_ID "audience_claim=client_id"
#define TOKEN_USE "token_use=access"
#define DOMAIN "username_domain=corp.example"
#define USERNAME_SUB "username_claim=sub"
#define POINTER "groups_claim=/realm_access/roles"
#define POINTER_ESC "groups_claim=/a~1b/c~0d"
#define POINTER_IDX "groups_claim=/arr/1"
#define COLON_CLAIM "groups_claim=cognito:groups"
#define NO_GROUP "require_group="
#define TWO_GROUPS "require_group=x,g1"
#define TWO_AUDIENCES "audience=other,pam"
#define SCOPE "require_scope=openid,ssh"

/* Apply SET ("key=value", a pam_jwt.conf line) to the test policy P. */
static void
tweak(struct policy *p, const char *set)
{
	const char *value;
	size_t klen;

	if (set == NULL)
		return;
	value = strchr(set, '=');
	assert_non_null(value);
	klen = (size_t)(value - set);
	value++;
#define KEY(k) (klen == sizeof(k) - 1 && strncmp(set, k, klen) == 0)
	if (KEY("leeway"))
		p->leeway = strtol(value, NULL, 10);
	else if (KEY("max_token_age"))
		p->max_token_age = strtol(value, NULL, 10);
	else if (KEY("allow_root"))
		p->allow_root = strcmp(value, "yes") == 0;
	else if (KEY("audience_claim"))
		set_str(&p->audience_claim, value);
	else if (KEY("token_use"))
		set_str(&p->token_use, value);
	else if (KEY("username_domain"))
		set_str(&p->username_domain, value);
	else if (KEY("username_claim"))
		set_str(&p->username_claim, value);
	else if (KEY("groups_claim"))
		set_str(&p->groups_claim, value);
	else if (KEY("audience"))
		set_list(&p->audience, &p->n_audience, value);
	else if (KEY("require_group"))
		set_list(&p->require_group, &p->n_require_group, value);
	else if (KEY("require_scope"))
		set_list(&p->require_scope, &p->n_require_scope, value);
	else
		fail_msg("no such key in a tweak: %s", set);
#undef KEY
}

struct row {
	const char *name;
	const char *payload;
	const char *user;	/* NULL: the form only */
	const char *tweak;	/* NULL, or a change to the policy */
	enum reason want;
};

#define A "alice"

static const struct row rows[] = {
	/* exp: RFC 7519 section 4.1.4. */
	{ "exp ok", "{" BASE "," EXP "}", A, NULL, REASON_NONE },
	{ "exp missing", "{" BASE "}", A, NULL, REASON_MISSING_CLAIM },
	{ "now == exp + leeway", "{" BASE ",\"exp\":1699999940}", A, NULL,
	    REASON_EXPIRED },
	{ "now == exp + leeway - 1", "{" BASE ",\"exp\":1699999941}", A, NULL,
	    REASON_NONE },
	{ "now == exp, leeway 0", "{" BASE ",\"exp\":1700000000}", A, LEEWAY0,
	    REASON_EXPIRED },
	{ "now == exp - 1, leeway 0", "{" BASE ",\"exp\":1700000001}", A,
	    LEEWAY0, REASON_NONE },
	{ "exp fraction just inside", "{" BASE ",\"exp\":1699999940.5}", A,
	    NULL, REASON_NONE },
	{ "exp fraction just out", "{" BASE ",\"exp\":1699999939.5}", A, NULL,
	    REASON_EXPIRED },
	{ "exp -1", "{" BASE ",\"exp\":-1}", A, NULL, REASON_EXPIRED },
	{ "exp INT64_MAX", "{" BASE ",\"exp\":9223372036854775807}", A, NULL,
	    REASON_NONE },
	{ "exp 2^63", "{" BASE ",\"exp\":9223372036854775808}", A, NULL,
	    REASON_BAD_CLAIM_TYPE },
	{ "exp 1e30", "{" BASE ",\"exp\":1e30}", A, NULL,
	    REASON_BAD_CLAIM_TYPE },
	{ "exp string", "{" BASE ",\"exp\":\"1700000100\"}", A, NULL,
	    REASON_BAD_CLAIM_TYPE },
	{ "exp null", "{" BASE ",\"exp\":null}", A, NULL,
	    REASON_BAD_CLAIM_TYPE },
	{ "exp array", "{" BASE ",\"exp\":[1700000100]}", A, NULL,
	    REASON_BAD_CLAIM_TYPE },
	{ "exp true", "{" BASE ",\"exp\":true}", A, NULL,
	    REASON_BAD_CLAIM_TYPE },

	/* nbf: RFC 7519 section 4.1.5. */
	{ "nbf == now + leeway", "{" BASE "," EXP ",\"nbf\":1700000060}", A,
	    NULL, REASON_NONE },
	{ "nbf == now + leeway + 1", "{" BASE "," EXP ",\"nbf\":1700000061}",
	    A, NULL, REASON_NOT_YET_VALID },
	{ "nbf fraction inside", "{" BASE "," EXP ",\"nbf\":1700000060.5}", A,
	    NULL, REASON_NOT_YET_VALID },
	{ "nbf == now, leeway 0", "{" BASE "," EXP ",\"nbf\":1700000000}", A,
	    LEEWAY0, REASON_NONE },
	{ "nbf == now + 1, leeway 0", "{" BASE "," EXP ",\"nbf\":1700000001}",
	    A, LEEWAY0, REASON_NOT_YET_VALID },
	{ "nbf string", "{" BASE "," EXP ",\"nbf\":\"0\"}", A, NULL,
	    REASON_BAD_CLAIM_TYPE },
	{ "nbf null", "{" BASE "," EXP ",\"nbf\":null}", A, NULL,
	    REASON_BAD_CLAIM_TYPE },

	/* iat: RFC 7519 section 4.1.6. */
	{ "iat == now + leeway", "{" BASE "," EXP ",\"iat\":1700000060}", A,
	    NULL, REASON_NONE },
	{ "iat == now + leeway + 1", "{" BASE "," EXP ",\"iat\":1700000061}",
	    A, NULL, REASON_IAT_IN_FUTURE },
	{ "iat bool", "{" BASE "," EXP ",\"iat\":false}", A, NULL,
	    REASON_BAD_CLAIM_TYPE },

	/* max_token_age 100: now - iat <= 100. */
	{ "age without iat", "{" BASE "," EXP "}", A, MAX_AGE100,
	    REASON_MISSING_CLAIM },
	{ "age == max", "{" BASE "," EXP ",\"iat\":1699999900}", A,
	    MAX_AGE100, REASON_NONE },
	{ "age == max + 1", "{" BASE "," EXP ",\"iat\":1699999899}", A,
	    MAX_AGE100, REASON_TOO_OLD },
	{ "age max + 0.5", "{" BASE "," EXP ",\"iat\":1699999899.5}", A,
	    MAX_AGE100, REASON_TOO_OLD },
	{ "age max - 0.5", "{" BASE "," EXP ",\"iat\":1699999900.5}", A,
	    MAX_AGE100, REASON_NONE },
	{ "age in the future within leeway", "{" BASE "," EXP
	    ",\"iat\":1700000050}", A, MAX_AGE100, REASON_NONE },
	{ "age iat very old", "{" BASE "," EXP
	    ",\"iat\":-9223372036854775807}", A, MAX_AGE100, REASON_TOO_OLD },

	/* Time before issuer: an expired token of another issuer. */
	{ "expired and bad iss", "{\"iss\":\"x\"," AUD "," USR "," GRP
	    ",\"exp\":1}", A, NULL, REASON_EXPIRED },

	/* iss: exact bytes. */
	{ "iss missing", "{" AUD "," USR "," GRP "," EXP "}", A, NULL,
	    REASON_BAD_ISSUER },
	{ "iss trailing slash", "{\"iss\":\"https://idp.test/\"," AUD "," USR
	    "," GRP "," EXP "}", A, NULL, REASON_BAD_ISSUER },
	{ "iss case", "{\"iss\":\"https://IDP.test\"," AUD "," USR "," GRP
	    "," EXP "}", A, NULL, REASON_BAD_ISSUER },
	{ "iss NUL", "{\"iss\":\"https://idp.test\\u0000x\"," AUD "," USR ","
	    GRP "," EXP "}", A, NULL, REASON_BAD_ISSUER },
	{ "iss prefix", "{\"iss\":\"https://idp.tes\"," AUD "," USR "," GRP
	    "," EXP "}", A, NULL, REASON_BAD_ISSUER },
	{ "iss array", "{\"iss\":[\"https://idp.test\"]," AUD "," USR "," GRP
	    "," EXP "}", A, NULL, REASON_BAD_ISSUER },
	{ "iss null", "{\"iss\":null," AUD "," USR "," GRP "," EXP "}", A,
	    NULL, REASON_BAD_ISSUER },

	/* aud: a string or a non-empty array of strings. */
	{ "aud missing", "{" ISS "," USR "," GRP "," EXP "}", A, NULL,
	    REASON_BAD_AUDIENCE },
	{ "aud array match", "{" ISS ",\"aud\":[\"x\",\"pam\"]," USR "," GRP
	    "," EXP "}", A, NULL, REASON_NONE },
	{ "aud array no match", "{" ISS ",\"aud\":[\"x\",\"y\"]," USR "," GRP
	    "," EXP "}", A, NULL, REASON_BAD_AUDIENCE },
	{ "aud empty array", "{" ISS ",\"aud\":[]," USR "," GRP "," EXP "}",
	    A, NULL, REASON_BAD_AUDIENCE },
	{ "aud array with number", "{" ISS ",\"aud\":[\"pam\",1]," USR ","
	    GRP "," EXP "}", A, NULL, REASON_BAD_AUDIENCE },
	{ "aud nested", "{" ISS ",\"aud\":[[\"pam\"]]," USR "," GRP "," EXP
	    "}", A, NULL, REASON_BAD_AUDIENCE },
	{ "aud number", "{" ISS ",\"aud\":1," USR "," GRP "," EXP "}", A,
	    NULL, REASON_BAD_AUDIENCE },
	{ "aud null", "{" ISS ",\"aud\":null," USR "," GRP "," EXP "}", A,
	    NULL, REASON_BAD_AUDIENCE },
	{ "aud case", "{" ISS ",\"aud\":\"PAM\"," USR "," GRP "," EXP "}", A,
	    NULL, REASON_BAD_AUDIENCE },
	{ "aud NUL", "{" ISS ",\"aud\":\"pam\\u0000\"," USR "," GRP "," EXP
	    "}", A, NULL, REASON_BAD_AUDIENCE },
	{ "aud second configured", "{" ISS ",\"aud\":\"other\"," USR "," GRP
	    "," EXP "}", A, TWO_AUDIENCES, REASON_NONE },
	{ "client_id claim", "{" ISS ",\"client_id\":\"pam\"," USR "," GRP ","
	    EXP "}", A, CLIENT_ID, REASON_NONE },
	{ "client_id claim, aud only", "{" BASE "," EXP "}", A, CLIENT_ID,
	    REASON_BAD_AUDIENCE },

	/* token_use: exact. */
	{ "token_use ok", "{" BASE "," EXP ",\"token_use\":\"access\"}", A,
	    TOKEN_USE, REASON_NONE },
	{ "token_use id", "{" BASE "," EXP ",\"token_use\":\"id\"}", A,
	    TOKEN_USE, REASON_BAD_TOKEN_USE },
	{ "token_use case", "{" BASE "," EXP ",\"token_use\":\"Access\"}", A,
	    TOKEN_USE, REASON_BAD_TOKEN_USE },
	{ "token_use missing", "{" BASE "," EXP "}", A, TOKEN_USE,
	    REASON_BAD_TOKEN_USE },
	{ "token_use number", "{" BASE "," EXP ",\"token_use\":1}", A,
	    TOKEN_USE, REASON_BAD_TOKEN_USE },
	{ "token_use unset", "{" BASE "," EXP ",\"token_use\":\"x\"}", A,
	    NULL, REASON_NONE },

	/* Username: ^[a-z_][a-z0-9_.-]{0,31}$, equal to the PAM user. */
#define U(n) "{" ISS "," AUD "," GRP "," EXP ",\"preferred_username\":" n "}"
	{ "user upper case", U("\"Alice\""), A, NULL, REASON_BAD_USERNAME },
	{ "user other", U("\"bob\""), A, NULL, REASON_USER_MISMATCH },
	{ "user prefix", U("\"alic\""), A, NULL, REASON_USER_MISMATCH },
	{ "user longer", U("\"alicex\""), A, NULL, REASON_USER_MISMATCH },
	{ "user dotdot", U("\"../root\""), "root", NULL,
	    REASON_BAD_USERNAME },
	{ "user NUL", U("\"alice\\u0000root\""), A, NULL,
	    REASON_BAD_USERNAME },
	{ "user cyrillic", U("\"\xd0\xb0lice\""), A, NULL,
	    REASON_BAD_USERNAME },
	{ "user newline", U("\"alice\\n\""), A, NULL, REASON_BAD_USERNAME },
	{ "user digit first", U("\"0\""), "0", NULL, REASON_BAD_USERNAME },
	{ "user dash first", U("\"-alice\""), NULL, NULL,
	    REASON_BAD_USERNAME },
	{ "user 32 chars", U("\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""), NULL,
	    NULL, REASON_NONE },
	{ "user 33 chars", U("\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""), NULL,
	    NULL, REASON_BAD_USERNAME },
	{ "user empty", U("\"\""), A, NULL, REASON_BAD_USERNAME },
	{ "user number", U("0"), A, NULL, REASON_BAD_USERNAME },
	{ "user null", U("null"), A, NULL, REASON_BAD_USERNAME },
	{ "user missing", "{" ISS "," AUD "," GRP "," EXP "}", A, NULL,
	    REASON_BAD_USERNAME },
	{ "user all classes", U("\"_a-b.c_9\""), "_a-b.c_9", NULL,
	    REASON_NONE },
	{ "user email without domain", U("\"alice@corp.example\""), A, NULL,
	    REASON_BAD_USERNAME },
	{ "user form only", U("\"bob\""), NULL, NULL, REASON_NONE },
	{ "uuid sub", "{" BASE "," EXP ",\"sub\":\"8a1d6c0e-3f7b\"}", A,
	    USERNAME_SUB, REASON_BAD_USERNAME },
	{ "root", U("\"root\""), "root", NULL, REASON_ROOT_REFUSED },
	{ "root form only", U("\"root\""), NULL, NULL, REASON_ROOT_REFUSED },
	{ "root allowed", U("\"root\""), "root", ALLOW_ROOT, REASON_NONE },
	{ "root for alice", U("\"root\""), A, NULL, REASON_USER_MISMATCH },

	/* username_domain: "@corp.example" exactly, removed. */
	{ "domain ok", U("\"alice@corp.example\""), A, DOMAIN, REASON_NONE },
	{ "domain other", U("\"alice@evil.example\""), A, DOMAIN,
	    REASON_BAD_USERNAME },
	{ "domain suffix", U("\"alice@corp.example.evil.example\""), A,
	    DOMAIN, REASON_BAD_USERNAME },
	{ "domain as suffix", U("\"alice@xcorp.example\""), A, DOMAIN,
	    REASON_BAD_USERNAME },
	{ "domain double at", U("\"root@x@corp.example\""), "root", DOMAIN,
	    REASON_BAD_USERNAME },
	{ "domain missing", U("\"alice\""), A, DOMAIN, REASON_BAD_USERNAME },
	{ "domain empty local", U("\"@corp.example\""), A, DOMAIN,
	    REASON_BAD_USERNAME },
	{ "domain upper local", U("\"ALICE@corp.example\""), A, DOMAIN,
	    REASON_BAD_USERNAME },
	{ "domain case", U("\"alice@CORP.example\""), A, DOMAIN,
	    REASON_BAD_USERNAME },
	{ "domain other user", U("\"bob@corp.example\""), A, DOMAIN,
	    REASON_USER_MISMATCH },
#undef U

	/* Groups: exact match, never split. */
#define G(g) "{" ISS "," AUD "," USR "," EXP ",\"groups\":" g "}"
	{ "group string", G("\"g1\""), A, NULL, REASON_NONE },
	{ "group in array", G("[\"g0\",\"g1\"]"), A, NULL, REASON_NONE },
	{ "group second required", G("[\"x\"]"), A, TWO_GROUPS, REASON_NONE },
	{ "groups space separated", G("\"g0 g1\""), A, NULL,
	    REASON_MISSING_GROUP },
	{ "group case", G("[\"G1\"]"), A, NULL, REASON_MISSING_GROUP },
	{ "group prefix", G("[\"g1x\"]"), A, NULL, REASON_MISSING_GROUP },
	{ "group substring", G("[\"g\"]"), A, NULL, REASON_MISSING_GROUP },
	{ "group NUL", G("[\"g1\\u0000x\"]"), A, NULL, REASON_MISSING_GROUP },
	{ "groups empty", G("[]"), A, NULL, REASON_MISSING_GROUP },
	{ "groups absent", "{" ISS "," AUD "," USR "," EXP "}", A, NULL,
	    REASON_MISSING_GROUP },
	{ "groups absent, none required", "{" ISS "," AUD "," USR "," EXP
	    "}", A, NO_GROUP, REASON_NONE },
	{ "groups number element", G("[\"g1\",1]"), A, NULL,
	    REASON_BAD_GROUPS },
	{ "groups object", G("{\"g1\":true}"), A, NULL, REASON_BAD_GROUPS },
	{ "groups null", G("null"), A, NULL, REASON_BAD_GROUPS },
	{ "groups number", G("1"), A, NO_GROUP, REASON_BAD_GROUPS },
	{ "group with NUL besides", G("[\"g1\",\"x\\u0000y\"]"), A, NULL,
	    REASON_BAD_GROUPS },
	{ "groups nested array", G("[[\"g1\"]]"), A, NULL,
	    REASON_BAD_GROUPS },
#undef G
	{ "pointer ok", "{" ISS "," AUD "," USR "," EXP
	    ",\"realm_access\":{\"roles\":[\"g1\"]}}", A, POINTER,
	    REASON_NONE },
	{ "pointer through string", "{" ISS "," AUD "," USR "," EXP
	    ",\"realm_access\":\"g1\"}", A, POINTER, REASON_BAD_GROUPS },
	{ "pointer through null", "{" ISS "," AUD "," USR "," EXP
	    ",\"realm_access\":null}", A, POINTER, REASON_BAD_GROUPS },
	{ "pointer parent missing", "{" ISS "," AUD "," USR "," EXP "}", A,
	    POINTER, REASON_MISSING_GROUP },
	{ "pointer leaf missing", "{" ISS "," AUD "," USR "," EXP
	    ",\"realm_access\":{}}", A, POINTER, REASON_MISSING_GROUP },
	{ "pointer not a dotted name", "{" ISS "," AUD "," USR "," EXP
	    ",\"realm_access.roles\":[\"g1\"]}", A, POINTER,
	    REASON_MISSING_GROUP },
	{ "pointer escapes", "{" ISS "," AUD "," USR "," EXP
	    ",\"a/b\":{\"c~d\":[\"g1\"]}}", A, POINTER_ESC, REASON_NONE },
	{ "pointer index", "{" ISS "," AUD "," USR "," EXP
	    ",\"arr\":[\"x\",[\"g1\"]]}", A, POINTER_IDX, REASON_NONE },
	{ "pointer index out", "{" ISS "," AUD "," USR "," EXP
	    ",\"arr\":[\"x\"]}", A, POINTER_IDX, REASON_MISSING_GROUP },
	{ "claim with colon", "{" ISS "," AUD "," USR "," EXP
	    ",\"cognito:groups\":[\"g1\"]}", A, COLON_CLAIM, REASON_NONE },

	/* Scopes: "scope", else "scp"; all required. */
#define S(s) "{" BASE "," EXP "," s "}"
	{ "scope string", S("\"scope\":\"openid ssh\""), A, SCOPE,
	    REASON_NONE },
	{ "scope order", S("\"scope\":\"ssh profile openid\""), A, SCOPE,
	    REASON_NONE },
	{ "scope double space", S("\"scope\":\"openid  ssh\""), A, SCOPE,
	    REASON_NONE },
	{ "scope one missing", S("\"scope\":\"openid\""), A, SCOPE,
	    REASON_MISSING_SCOPE },
	{ "scope glued", S("\"scope\":\"openidssh\""), A, SCOPE,
	    REASON_MISSING_SCOPE },
	{ "scope prefix", S("\"scope\":\"openid ss\""), A, SCOPE,
	    REASON_MISSING_SCOPE },
	{ "scp array", S("\"scp\":[\"ssh\",\"openid\"]"), A, SCOPE,
	    REASON_NONE },
	{ "scp string", S("\"scp\":\"openid ssh\""), A, SCOPE, REASON_NONE },
	{ "scope wins over scp",
	    S("\"scope\":\"openid\",\"scp\":\"openid ssh\""), A, SCOPE,
	    REASON_MISSING_SCOPE },
	{ "scope absent", "{" BASE "," EXP "}", A, SCOPE,
	    REASON_MISSING_SCOPE },
	{ "scope number", S("\"scope\":5"), A, SCOPE, REASON_BAD_CLAIM_TYPE },
	{ "scp array with number", S("\"scp\":[\"openid\",1]"), A, SCOPE,
	    REASON_BAD_CLAIM_TYPE },
	{ "scope not required", S("\"scope\":5"), A, NULL, REASON_NONE },
#undef S
};

static void
test_rows(void **state)
{
	size_t i, failures = 0;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct json_object *payload = NULL;
		struct policy p;
		struct claims out;
		enum reason got;
		char msg[256];
		int err = -99;

		policy_init(&p);
		tweak(&p, r->tweak);
		assert_int_equal(jsonstrict_parse_object(r->payload,
		    strlen(r->payload), &payload), PJ_OK);
		got = claims_check(&p, payload, r->user, NOW, NULL, &out, msg,
		    sizeof(msg), &err);
		assert_int_equal(err, PJ_OK);
		if (got != r->want) {
			print_error("row \"%s\": expected %s, got %s (%s)\n",
			    r->name, reason_name(r->want), reason_name(got),
			    msg);
			failures++;
		}
		if (got == REASON_NONE)
			assert_non_null(out.username);
		else
			assert_null(out.username);
		if (got != REASON_NONE && msg[0] == '\0') {
			print_error("row \"%s\": no message\n", r->name);
			failures++;
		}
		claims_clear(&out);
		json_object_put(payload);
		policy_done(&p);
	}
	assert_int_equal(failures, 0);
}

static enum reason
check(const char *json, const struct policy *p, const char *user,
    struct claims *out, char *msg, size_t size)
{
	struct json_object *payload = NULL;
	enum reason r;
	int err = -99;

	assert_int_equal(jsonstrict_parse_object(json, strlen(json),
	    &payload), PJ_OK);
	r = claims_check(p, payload, user, NOW, NULL, out, msg, size, &err);
	assert_int_equal(err, PJ_OK);
	json_object_put(payload);
	return r;
}

/* An accepted token fills every output. */
static void
test_outputs(void **state)
{
	struct policy p;
	struct claims c;
	char msg[256];

	(void)state;
	policy_init(&p);
	tweak(&p, DOMAIN);
	assert_int_equal(check("{" ISS "," AUD "," EXP ",\"sub\":\"s-1\","
	    "\"jti\":\"j-1\",\"preferred_username\":\"alice@corp.example\","
	    "\"groups\":[\"g0\",\"g1\",\"a b\"]}", &p, "alice", &c, msg,
	    sizeof(msg)), REASON_NONE);
	assert_string_equal(c.iss, "https://idp.test");
	assert_string_equal(c.sub, "s-1");
	assert_string_equal(c.jti, "j-1");
	assert_string_equal(c.username, "alice");
	assert_int_equal(c.exp, 1700000100);
	assert_int_equal(c.n_groups, 3);
	assert_string_equal(c.groups[0], "g0");
	assert_string_equal(c.groups[1], "g1");
	assert_string_equal(c.groups[2], "a b");
	assert_null(c.groups[3]);
	claims_clear(&c);
	assert_null(c.iss);
	assert_null(c.groups);

	/* No groups claim and none required: an empty list, not NULL. */
	tweak(&p, NO_GROUP);
	assert_int_equal(check("{" ISS "," AUD "," EXP ","
	    "\"preferred_username\":\"alice@corp.example\"}", &p, NULL, &c,
	    msg, sizeof(msg)), REASON_NONE);
	assert_non_null(c.groups);
	assert_null(c.groups[0]);
	assert_int_equal(c.n_groups, 0);
	assert_null(c.sub);
	assert_null(c.jti);
	claims_clear(&c);
	policy_done(&p);
}

/* A refusal keeps iss and jti for the log line, nothing else. */
static void
test_refusal_outputs(void **state)
{
	struct policy p;
	struct claims c;
	char msg[256];

	(void)state;
	policy_init(&p);
	assert_int_equal(check("{" BASE ",\"exp\":1,\"jti\":\"j-2\","
	    "\"sub\":\"s\"}", &p, "alice", &c, msg, sizeof(msg)),
	    REASON_EXPIRED);
	assert_string_equal(c.iss, "https://idp.test");
	assert_string_equal(c.jti, "j-2");
	assert_null(c.sub);
	assert_null(c.username);
	assert_null(c.groups);
	assert_int_equal(c.exp, 0);
	assert_string_equal(msg, "the token expired at 1 (now 1700000000, "
	    "leeway 60)");
	claims_clear(&c);

	/* A hostile value is escaped and cut in the message. */
	assert_int_equal(check("{" ISS "," AUD "," EXP "," GRP
	    ",\"preferred_username\":\"bo b\\u0000\\n\\\"=x\"}", &p,
	    "alice", &c, msg, sizeof(msg)), REASON_BAD_USERNAME);
	assert_string_equal(msg, "preferred_username "
	    "\"bo\\x20b\\x00\\x0a\\x22\\x3dx\" is not a valid user name");
	claims_clear(&c);
	policy_done(&p);
}

static void
test_username_form(void **state)
{
	size_t n = 99;

	(void)state;
	assert_int_equal(claims_username_form("alice", 5, NULL, &n),
	    REASON_NONE);
	assert_int_equal(n, 5);
	assert_int_equal(claims_username_form("alice@d.x", 9, "d.x", &n),
	    REASON_NONE);
	assert_int_equal(n, 5);
	assert_int_equal(claims_username_form("a@b@d.x", 7, "d.x", &n),
	    REASON_BAD_USERNAME);
	assert_int_equal(n, 0);
	assert_int_equal(claims_username_form("@d.x", 4, "d.x", &n),
	    REASON_BAD_USERNAME);
	assert_int_equal(claims_username_form("d.x", 3, "d.x", &n),
	    REASON_BAD_USERNAME);
	assert_int_equal(claims_username_form("alice", 3, NULL, &n),
	    REASON_NONE);
	assert_int_equal(n, 3);
	assert_int_equal(claims_username_form("a\0b", 3, NULL, &n),
	    REASON_BAD_USERNAME);
	assert_int_equal(claims_username_form("_", 1, NULL, &n),
	    REASON_NONE);
	assert_int_equal(claims_username_form("", 0, NULL, &n),
	    REASON_BAD_USERNAME);
	assert_int_equal(claims_username_form("a.", 2, NULL, &n),
	    REASON_NONE);
	assert_int_equal(claims_username_form("1a", 2, NULL, &n),
	    REASON_BAD_USERNAME);
	assert_int_equal(claims_username_form(".a", 2, NULL, &n),
	    REASON_BAD_USERNAME);
}

/*
 * claims_expired() alone, which the module's account stage also asks
 * about PAM_JWT_EXP: the edges, and the extremes where exp + leeway
 * would overflow (a sanitizer build reports any).
 */
static void
test_expired(void **state)
{
	(void)state;
	assert_false(claims_expired(NOW, 0, NOW - 1));
	assert_true(claims_expired(NOW, 0, NOW));
	assert_false(claims_expired(NOW, 60, NOW + 59));
	assert_true(claims_expired(NOW, 60, NOW + 60));
	assert_false(claims_expired(INT64_MAX, 300, NOW));
	assert_false(claims_expired(INT64_MAX, 300, INT64_MAX));
	assert_false(claims_expired(INT64_MAX - 300, 300, INT64_MAX - 1));
	assert_true(claims_expired(INT64_MAX - 300, 300, INT64_MAX));
	assert_true(claims_expired(INT64_MAX, 0, INT64_MAX));
	assert_true(claims_expired(INT64_MIN, 300, NOW));
	assert_true(claims_expired(INT64_MIN, 300, INT64_MIN + 300));
	assert_false(claims_expired(INT64_MIN, 300, INT64_MIN + 299));
	assert_true(claims_expired(0, 60, NOW));
}

struct seen {
	char rules[512];
	int fails;
};

static void
record(void *arg, const char *rule, bool ok, const char *detail)
{
	struct seen *s = arg;

	(void)detail;
	strcat(s->rules, rule);
	strcat(s->rules, ok ? "+ " : "- ");
	if (!ok)
		s->fails++;
}

/* Every rule reports to the explainer, with the values it compared. */
static void
test_explain(void **state)
{
	struct seen seen = { "", 0 };
	struct explain ex = { record, &seen };
	struct json_object *payload = NULL;
	const char *json = "{" BASE "," EXP ",\"nbf\":1,\"iat\":2,"
	    "\"token_use\":\"access\",\"scope\":\"openid ssh\"}";
	struct policy p;
	struct claims c;
	char msg[256];
	int err;

	(void)state;
	policy_init(&p);
	tweak(&p, TOKEN_USE);
	tweak(&p, SCOPE);
	assert_int_equal(jsonstrict_parse_object(json, strlen(json),
	    &payload), PJ_OK);
	assert_int_equal(claims_check(&p, payload, "alice", NOW, &ex, &c, msg,
	    sizeof(msg), &err), REASON_NONE);
	assert_string_equal(seen.rules, "exp+ nbf+ iat+ issuer+ audience+ "
	    "token_use+ username+ groups+ scope+ ");
	assert_int_equal(seen.fails, 0);
	claims_clear(&c);

	/* A refusal reports the failing rule last. */
	seen.rules[0] = '\0';
	set_str(&p.issuer, "https://other.test");
	assert_int_equal(claims_check(&p, payload, "alice", NOW, &ex, &c, msg,
	    sizeof(msg), &err), REASON_BAD_ISSUER);
	assert_string_equal(seen.rules, "exp+ nbf+ iat+ issuer- ");
	claims_clear(&c);
	json_object_put(payload);
	policy_done(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_outputs),
		cmocka_unit_test(test_refusal_outputs),
		cmocka_unit_test(test_username_form),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_explain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
