/*
 * verifier_verify() and verifier_token_state() end to end, with keys made
 * by OpenSSL when the test starts and tokens signed here (vfix.c): every
 * supported family, what an accepted verdict holds, key file rules,
 * multi-issuer selection and which refusal is reported, the explainer's
 * trace, and the completeness rule the module's prompting depends on.
 * The attacks on the verifier are in test_attacks.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "vfix.h"

static void
test_families(void **state)
{
	struct vfix *f = *state;
	struct {
		const char *header, *alg;
		EVP_PKEY *key;
	} t[] = {
		{ RS256_KID("rsa-a"), "RS256", f->rsa_a },
		{ RS256_KID("rsa-b"), "RS256", f->rsa_b },
		{ "{\"alg\":\"PS256\",\"kid\":\"rsa-a\"}", "PS256", f->rsa_a },
		{ "{\"alg\":\"ES256\",\"kid\":\"ec\"}", "ES256", f->ec },
		{ "{\"alg\":\"EdDSA\",\"kid\":\"ed\"}", "EdDSA", f->ed },
		{ "{\"alg\":\"HS256\"}", "HS256", NULL },
		/* Without a kid, every suitable key is tried. */
		{ "{\"alg\":\"RS256\"}", "RS256", f->rsa_b },
		{ "{\"alg\":\"ES256\"}", "ES256", f->ec },
		/* A kid on HS* is ignored: only the secret is used. */
		{ "{\"alg\":\"HS256\",\"kid\":\"rsa-a\"}", "HS256", NULL },
	};
	size_t i;

	vfix_load(f, CONF);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *tok = vfix_token(f, t[i].header, GOOD, t[i].alg,
		    t[i].key);

		vfix_accepted(f, t[i].header, tok);
		free(tok);
	}
}

/* What an accepted verdict holds. */
static void
test_verdict(void **state)
{
	struct vfix *f = *state;
	struct verdict vd;
	char *tok, *padded;

	vfix_load(f, CONF);
	tok = vfix_token(f, RS256_KID("rsa-a"), GOOD, "RS256", f->rsa_a);
	padded = malloc(strlen(tok) + 16);
	assert_non_null(padded);
	(void)sprintf(padded, " \t\r\n%s\r\n ", tok);

	memset(&vd, 0, sizeof(vd));
	assert_int_equal(vfix_run(f, padded, &vd), PJ_OK);
	assert_int_equal(vd.reason, REASON_NONE);
	assert_string_equal(vd.message, "");
	assert_ptr_equal(vd.policy, &f->cfg->policies[0]);
	assert_string_equal(vd.kid, "rsa-a");
	assert_string_equal(vd.claims.iss, "https://idp.test");
	assert_string_equal(vd.claims.sub, "s-1");
	assert_string_equal(vd.claims.jti, "j-1");
	assert_string_equal(vd.claims.username, "alice");
	assert_int_equal(vd.claims.exp, 1700003600);
	assert_int_equal(vd.claims.n_groups, 2);
	assert_string_equal(vd.claims.groups[1], "g1");
	verdict_clear(&vd);
	assert_null(vd.claims.groups);

	/* Without a user, the name's form only. */
	assert_int_equal(verifier_verify(f->v, tok, strlen(tok), NULL, NOW,
	    NULL, &vd), PJ_OK);
	verdict_clear(&vd);
	assert_int_equal(verifier_verify(f->v, tok, strlen(tok), "bob", NOW,
	    NULL, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_USER_MISMATCH);
	/* Past the signature, a refusal still names iss and jti. */
	assert_string_equal(vd.claims.iss, "https://idp.test");
	assert_string_equal(vd.claims.jti, "j-1");
	assert_string_equal(vd.message, "the token is for \"alice\", not for "
	    "\"bob\"");
	verdict_clear(&vd);
	/* The PAM user comes from the client: escaped in the message. */
	assert_int_equal(verifier_verify(f->v, tok, strlen(tok), "bo b\nx=y",
	    NOW, NULL, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_USER_MISMATCH);
	assert_string_equal(vd.message, "the token is for \"alice\", not for "
	    "\"bo\\x20b\\x0ax\\x3dy\"");
	verdict_clear(&vd);
	free(padded);
	free(tok);
}

static void
test_key_files(void **state)
{
	struct vfix *f = *state;
	struct verdict vd;
	struct timeval old[2] = { { NOW - 2 * 86400, 0 },
	    { NOW - 2 * 86400, 0 } };
	char path[512], *tok, *hs;

	memset(&vd, 0, sizeof(vd));
	tok = vfix_token(f, "{\"alg\":\"RS256\"}", GOOD, "RS256", f->rsa_a);
	hs = vfix_token(f, "{\"alg\":\"HS256\"}", GOOD, "HS256", NULL);

	vfix_load(f, CONF_CORE "algorithms = RS256\njwks_file = none.json\n");
	assert_int_equal(vfix_run(f, tok, &vd), PJ_ERR_FILE);
	assert_non_null(strstr(f->logs.all, "none.json: does not exist"));
	/* Only the key set the token needs is read. */
	vfix_load(f, CONF_CORE "algorithms = RS256, HS256\n"
	    "jwks_file = none.json\nhmac_secret_file = hmac.key\n");
	assert_int_equal(vfix_run(f, hs, &vd), PJ_OK);

	/* An old key set is used, with a warning. */
	vfix_path(f, "old.json", path, sizeof(path));
	vfix_write_jwks(f, "old.json", "a");
	assert_int_equal(utimes(path, old), 0);
	vfix_load(f, CONF_CORE "algorithms = RS256\njwks_file = old.json\n");
	assert_int_equal(vfix_run(f, tok, &vd), PJ_OK);
	assert_int_equal(f->logs.warnings, 1);
	assert_non_null(strstr(f->logs.all, "old.json: not refreshed for"));
	/* Read once per verifier: no second warning. */
	assert_int_equal(vfix_run(f, tok, &vd), PJ_OK);
	assert_int_equal(f->logs.warnings, 1);
	vfix_load(f, CONF_CORE "algorithms = RS256\njwks_file = old.json\n"
	    "jwks_max_age = 0\n");
	assert_int_equal(vfix_run(f, tok, &vd), PJ_OK);
	assert_int_equal(f->logs.warnings, 0);

	/* A secret readable by others is refused. */
	vfix_path(f, "open.key", path, sizeof(path));
	testutil_write_file(path, f->secret, sizeof(f->secret), 0644);
	vfix_load(f, CONF_CORE "algorithms = HS256\n"
	    "hmac_secret_file = open.key\n");
	assert_int_equal(vfix_run(f, hs, &vd), PJ_ERR_FILE);
	assert_non_null(strstr(f->logs.all, "open.key: secret readable by "
	    "others"));

	/* RFC 7518 section 3.2: a secret shorter than the digest. */
	vfix_path(f, "short.key", path, sizeof(path));
	testutil_write_file(path, f->secret, 31, 0600);
	vfix_load(f, CONF_CORE "algorithms = HS256\n"
	    "hmac_secret_file = short.key\n");
	assert_int_equal(vfix_run(f, hs, &vd), PJ_ERR_CONFIG);
	assert_non_null(strstr(f->logs.all, "short.key: the HMAC secret has 31 "
	    "bytes, the algorithms listed need at least 32"));
	vfix_load(f, CONF_BASE "algorithms = HS256, HS384\n");
	assert_int_equal(vfix_run(f, hs, &vd), PJ_ERR_CONFIG);

	/* Not a key set at all. */
	vfix_path(f, "junk.json", path, sizeof(path));
	testutil_write_file(path, "junk", 4, 0644);
	vfix_load(f, CONF_CORE "algorithms = RS256\njwks_file = junk.json\n");
	assert_int_equal(vfix_run(f, tok, &vd), PJ_ERR_FILE);

	/* The helper's user may own the key set (root only: chown). */
	if (geteuid() == 0) {
		vfix_path(f, "helper.json", path, sizeof(path));
		vfix_write_jwks(f, "helper.json", "a");
		assert_int_equal(chown(path, NOBODY, (gid_t)-1), 0);
		vfix_load(f, CONF_CORE "algorithms = RS256\n"
		    "jwks_file = helper.json\nhelper_user = root\n");
		assert_int_equal(vfix_run(f, tok, &vd), PJ_ERR_FILE);
		vfix_load(f, CONF_CORE "algorithms = RS256\n"
		    "jwks_file = helper.json\nhelper_user = nobody\n");
		assert_int_equal(vfix_run(f, tok, &vd), PJ_OK);
	}
	verdict_clear(&vd);
	free(tok);
	free(hs);
}

#define TWO_SECTIONS \
	"audience = pam\n" \
	"username_claim = preferred_username\n" \
	"[issuer a]\n" \
	"issuer = https://a\n" \
	"jwks_file = a.json\n" \
	"[issuer b]\n" \
	"issuer = https://b\n" \
	"algorithms = ES256, RS256\n" \
	"jwks_file = b.json\n"

/*
 * Several issuers: the first section whose keys verify and whose policy
 * accepts wins; a refusal reports the failure that got furthest.
 */
static void
test_sections(void **state)
{
	struct vfix *f = *state;
	struct verdict vd;
	char *tok;

	vfix_write_jwks(f, "a.json", "a");
	vfix_write_jwks(f, "b.json", "e");
	vfix_load(f, TWO_SECTIONS);
	memset(&vd, 0, sizeof(vd));

	tok = vfix_token(f, "{\"alg\":\"ES256\"}", PAYLOAD("https://b", "alice",
	    "1700003600"), "ES256", f->ec);
	assert_int_equal(vfix_run(f, tok, &vd), PJ_OK);
	assert_string_equal(vd.policy->name, "b");
	free(tok);

	tok = vfix_token(f, RS256_KID("rsa-a"),
	    PAYLOAD("https://a", "alice", "1700003600"), "RS256", f->rsa_a);
	assert_int_equal(vfix_run(f, tok, &vd), PJ_OK);
	assert_string_equal(vd.policy->name, "a");
	/* a: a policy failure beats b's unknown kid. */
	verdict_clear(&vd);
	assert_int_equal(verifier_verify(f->v, tok, strlen(tok), "bob", NOW,
	    NULL, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_USER_MISMATCH);
	assert_string_equal(vd.policy->name, "a");
	assert_string_equal(vd.message, "[issuer a] the token is for "
	    "\"alice\", not for \"bob\"");
	free(tok);

	/* Signed by a's key for b's issuer: a refuses the issuer. */
	tok = vfix_token(f, RS256_KID("rsa-a"),
	    PAYLOAD("https://b", "alice", "1700003600"), "RS256", f->rsa_a);
	assert_int_equal(vfix_run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_BAD_ISSUER);
	assert_string_equal(vd.policy->name, "a");
	free(tok);

	/* A bad signature under a beats b's unknown kid. */
	tok = vfix_token(f, RS256_KID("rsa-a"),
	    PAYLOAD("https://a", "alice", "1700003600"), "RS256",
	    f->rsa_evil);
	assert_int_equal(vfix_run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_BAD_SIGNATURE);
	assert_string_equal(vd.policy->name, "a");
	free(tok);

	/* ES384 is allowed by neither: header refusals tie, a is first. */
	tok = vfix_token(f, "{\"alg\":\"ES384\"}", GOOD, "ES256", f->ec);
	assert_int_equal(vfix_run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_ALG_NOT_ALLOWED);
	assert_string_equal(vd.policy->name, "a");
	free(tok);

	/*
	 * Both sections share the keys: a refuses b's token for its issuer,
	 * b gets as far as the user name, which is what is reported.
	 */
	vfix_write_jwks(f, "b.json", "ae");
	vfix_load(f, TWO_SECTIONS);
	tok = vfix_token(f, RS256_KID("rsa-a"),
	    PAYLOAD("https://b", "bob", "1700003600"), "RS256", f->rsa_a);
	assert_int_equal(vfix_run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_USER_MISMATCH);
	assert_string_equal(vd.policy->name, "b");
	free(tok);

	/* Equal failures: the first section's is reported. */
	tok = vfix_token(f, RS256_KID("rsa-a"),
	    PAYLOAD("https://b", "alice", "1"), "RS256", f->rsa_a);
	assert_int_equal(vfix_run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_EXPIRED);
	assert_string_equal(vd.policy->name, "a");
	free(tok);
	verdict_clear(&vd);
}

struct seen {
	char rules[1024];
};

static void
record(void *arg, const char *rule, bool ok, const char *detail)
{
	struct seen *s = arg;
	size_t used = strlen(s->rules);

	(void)detail;
	(void)snprintf(s->rules + used, sizeof(s->rules) - used, "%s%c ",
	    rule, ok ? '+' : '-');
}

static void
test_explain(void **state)
{
	struct vfix *f = *state;
	struct seen seen = { "" };
	struct explain ex = { record, &seen };
	struct verdict vd;
	char *tok;

	vfix_load(f, CONF);
	memset(&vd, 0, sizeof(vd));
	tok = vfix_token(f, "{\"alg\":\"ES256\",\"kid\":\"ec\"}", GOOD, "ES256",
	    f->ec);
	assert_int_equal(verifier_verify(f->v, tok, strlen(tok), "alice", NOW,
	    &ex, &vd), PJ_OK);
	assert_string_equal(seen.rules, "structure+ header+ alg+ key+ "
	    "signature+ exp+ iat+ issuer+ audience+ username+ groups+ ");
	verdict_clear(&vd);
	free(tok);

	/* A bad signature: no claim is looked at. */
	seen.rules[0] = '\0';
	tok = vfix_token(f, "{\"alg\":\"ES256\",\"kid\":\"ec\"}", GOOD, "ES256",
	    f->ec);
	tok[strlen(tok) - 2] = tok[strlen(tok) - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(verifier_verify(f->v, tok, strlen(tok), "alice", NOW,
	    &ex, &vd), PJ_ERR_REFUSED);
	assert_string_equal(seen.rules, "structure+ header+ alg+ key+ "
	    "signature- ");
	verdict_clear(&vd);
	free(tok);
}

static enum token_state
state_of(struct vfix *f, const char *in, size_t len)
{
	enum token_state st = (enum token_state)-1;

	assert_int_equal(verifier_token_state(f->v, in, len, &st), PJ_OK);
	return st;
}

/* TOK cut to its header, payload and SIGLEN characters of signature. */
static enum token_state
state_cut(struct vfix *f, const char *tok, size_t siglen)
{
	const char *sig = strrchr(tok, '.') + 1;
	char buf[2048];
	size_t have = strlen(sig);

	assert_true((size_t)(sig - tok) + siglen < sizeof(buf));
	memcpy(buf, tok, (size_t)(sig - tok));
	if (siglen <= have) {
		memcpy(buf + (sig - tok), sig, siglen);
	} else {
		memcpy(buf + (sig - tok), sig, have);
		memset(buf + (sig - tok) + have, 'A', siglen - have);
	}
	return state_of(f, buf, (size_t)(sig - tok) + siglen);
}

/*
 * Completeness, which decides whether the module asks for another part:
 * RS256 signatures are 342 characters with the 2048-bit key and 683 with
 * the 4096-bit one.
 */
static void
test_token_state(void **state)
{
	struct vfix *f = *state;
	char *a, *b, *nokid, *unknown, *es, *hs, *ed;
	char head[1024];
	size_t hlen;

	vfix_load(f, CONF);
	a = vfix_token(f, RS256_KID("rsa-a"), GOOD, "RS256", f->rsa_a);
	b = vfix_token(f, RS256_KID("rsa-b"), GOOD, "RS256", f->rsa_b);
	nokid = vfix_token(f, "{\"alg\":\"RS256\"}", GOOD, "RS256", f->rsa_a);
	unknown = vfix_token(f, RS256_KID("zz"), GOOD, "RS256", f->rsa_a);
	es = vfix_token(f, "{\"alg\":\"ES256\"}", GOOD, "ES256", f->ec);
	hs = vfix_token(f, "{\"alg\":\"HS256\"}", GOOD, "HS256", NULL);
	ed = vfix_token(f, "{\"alg\":\"EdDSA\"}", GOOD, "EdDSA", f->ed);
	assert_int_equal(strlen(strrchr(a, '.') + 1), 342);
	assert_int_equal(strlen(strrchr(b, '.') + 1), 683);

	/* Not a token: the first segment is no JSON object. */
	assert_int_equal(state_of(f, "hunter2", 7), TOKEN_NOT_A_TOKEN);
	assert_int_equal(state_of(f, "", 0), TOKEN_NOT_A_TOKEN);
	assert_int_equal(state_of(f, "  \n", 3), TOKEN_NOT_A_TOKEN);
	assert_int_equal(state_of(f, "bm90IGpzb24.x.y", 15),
	    TOKEN_NOT_A_TOKEN);

	/* Fewer than three segments: more to come. */
	hlen = (size_t)(strchr(a, '.') - a);
	memcpy(head, a, hlen);
	assert_int_equal(state_of(f, head, hlen), TOKEN_INCOMPLETE);
	head[hlen] = '.';
	assert_int_equal(state_of(f, head, hlen + 1), TOKEN_INCOMPLETE);
	assert_int_equal(state_of(f, a, (size_t)(strrchr(a, '.') - a)),
	    TOKEN_INCOMPLETE);

	/* With a kid, that key's length. */
	assert_int_equal(state_of(f, a, strlen(a)), TOKEN_COMPLETE);
	assert_int_equal(state_cut(f, a, 0), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, a, 341), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, a, 343), TOKEN_COMPLETE);
	assert_int_equal(state_of(f, b, strlen(b)), TOKEN_COMPLETE);
	assert_int_equal(state_cut(f, b, 342), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, b, 682), TOKEN_INCOMPLETE);

	/* Without one, any candidate's length, or more than the longest. */
	assert_int_equal(state_cut(f, nokid, 342), TOKEN_COMPLETE);
	assert_int_equal(state_cut(f, nokid, 341), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, nokid, 343), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, nokid, 600), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, nokid, 683), TOKEN_COMPLETE);
	assert_int_equal(state_cut(f, nokid, 684), TOKEN_COMPLETE);

	/* No key can tell: judge it as it stands. */
	assert_int_equal(state_cut(f, unknown, 10), TOKEN_COMPLETE);

	/* Fixed lengths: ES256 and EdDSA 64 bytes, HS256 32. */
	assert_int_equal(state_cut(f, es, 86), TOKEN_COMPLETE);
	assert_int_equal(state_cut(f, es, 85), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, ed, 86), TOKEN_COMPLETE);
	assert_int_equal(state_cut(f, ed, 50), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, hs, 43), TOKEN_COMPLETE);
	assert_int_equal(state_cut(f, hs, 42), TOKEN_INCOMPLETE);

	/* Surrounding whitespace does not count. */
	(void)snprintf(head, sizeof(head), " %s\n", hs);
	assert_int_equal(state_of(f, head, strlen(head)), TOKEN_COMPLETE);

	/* A fourth segment or a foreign character: judge now. */
	(void)snprintf(head, sizeof(head), "%s.x", hs);
	assert_int_equal(state_of(f, head, strlen(head)), TOKEN_COMPLETE);
	(void)snprintf(head, sizeof(head), "%s", hs);
	head[strlen(head) - 5] = '*';
	assert_int_equal(state_of(f, head, strlen(head) - 3), TOKEN_COMPLETE);

	/* The key set a kid needs is missing: no answer. */
	vfix_load(f, CONF_CORE "algorithms = RS256\njwks_file = none.json\n");
	{
		enum token_state st;

		assert_int_equal(verifier_token_state(f->v, a, strlen(a), &st),
		    PJ_ERR_FILE);
	}
	/* Past max_token_bytes: judge (and refuse) it now. */
	vfix_load(f, CONF "max_token_bytes = 100\n");
	assert_int_equal(state_cut(f, hs, 20), TOKEN_COMPLETE);

	free(a);
	free(b);
	free(nokid);
	free(unknown);
	free(es);
	free(hs);
	free(ed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_families, vfix_teardown),
		cmocka_unit_test_teardown(test_verdict, vfix_teardown),
		cmocka_unit_test_teardown(test_key_files, vfix_teardown),
		cmocka_unit_test_teardown(test_sections, vfix_teardown),
		cmocka_unit_test_teardown(test_explain, vfix_teardown),
		cmocka_unit_test_teardown(test_token_state, vfix_teardown),
	};

	return cmocka_run_group_tests(tests, vfix_group_setup,
	    vfix_group_teardown);
}