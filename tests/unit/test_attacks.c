/*
 * Attacks on the verifier, each with a token built for it and the exact
 * refusal it must meet.  Each one is pinned because a verifier that gets
 * it wrong lets someone log in as anybody:
 *
 * - A changed payload under the old signature, and a payload that is not
 *   even JSON under a bad signature: refused for the signature, which
 *   shows that nothing of the payload is read before a signature holds
 *   (a parser bug in the claims must not be reachable without a key).
 * - A trusted kid with a signature of someone else's key, and a kid
 *   naming a key of another size: the kid selects a key, it proves
 *   nothing.
 * - An unknown kid, a kid naming a key of another type, an algorithm not
 *   in the allow-list, "alg": "none" with or without a signature: refused
 *   before any signature check, so a key is never used with an algorithm
 *   it was not made for and no token goes unsigned.
 * - The RSA/HMAC confusion (RFC 8725 section 2.1): an HS256 token whose
 *   MAC key is the RSA public key's PEM text or JWK.  That key is public,
 *   so a verifier that takes the key set's key as an HMAC secret accepts
 *   forged tokens.
 * - Claims checked after the signature (expired, another issuer, another
 *   user), unsupported "crit" and "b64": false (RFC 7515 section 4.1.11,
 *   RFC 7797) and a missing or wrong "typ" when one is required (RFC 8725
 *   section 3.11): a signed token is still refused for what it says.
 * - Oversize input, refused before any decoding, and malformed segments,
 *   each with its reason: no work and no parser for junk.
 * - A kid with spaces, "=", a newline and a NUL: escaped in the verdict,
 *   so that it cannot forge fields or lines in the decision log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "testkey.h"
#include "vfix.h"

/* Which of the fixture's keys signs a row's token. */
enum signer { BY_SECRET, BY_RSA_A, BY_EVIL, BY_EC, BY_ED };

static EVP_PKEY *
signer_key(const struct vfix *f, enum signer by)
{
	switch (by) {
	case BY_RSA_A:
		return f->rsa_a;
	case BY_EVIL:
		return f->rsa_evil;
	case BY_EC:
		return f->ec;
	case BY_ED:
		return f->ed;
	default:
		return NULL;
	}
}

/* A token made for an attack and the verdict it must get. */
struct row {
	const char *what;
	const char *header;
	const char *payload;
	const char *alg;	/* how it is signed, whatever HEADER says */
	enum signer by;
	enum reason want;	/* REASON_NONE: accepted */
};

#define N_ROWS(rows) (sizeof(rows) / sizeof(rows[0]))

static void
check_rows(struct vfix *f, const struct row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		char *tok = vfix_token(f, r->header, r->payload, r->alg,
		    signer_key(f, r->by));

		if (r->want == REASON_NONE)
			vfix_accepted(f, r->what, tok);
		else
			vfix_refused(f, r->what, tok, r->want);
		free(tok);
	}
}

#define HS256 "{\"alg\":\"HS256\"}"

/* Replace the payload segment of TOK by the encoding of PAYLOAD. */
static char *
swap_payload(const char *tok, const char *payload)
{
	const char *d1 = strchr(tok, '.'), *d2 = strrchr(tok, '.');
	char *p = vfix_b64((const unsigned char *)payload, strlen(payload));
	char *out = malloc(strlen(tok) + strlen(p) + 1);

	assert_non_null(out);
	(void)sprintf(out, "%.*s.%s%s", (int)(d1 - tok), tok, p, d2);
	free(p);
	return out;
}

/* Nothing of the payload is read before the signature holds. */
static void
test_payload_after_signature(void **state)
{
	struct vfix *f = *state;
	char *tok, *bad;

	vfix_load(f, CONF);
	tok = vfix_token(f, RS256_KID("rsa-a"), GOOD, "RS256", f->rsa_a);
	bad = swap_payload(tok, PAYLOAD("https://idp.test", "alice",
	    "1800000000"));
	vfix_refused(f, "a changed payload under the old signature", bad,
	    REASON_BAD_SIGNATURE);
	free(bad);

	/*
	 * A payload that is not even JSON under a bad signature: refused
	 * for the signature, which proves the payload was not read first.
	 */
	bad = swap_payload(tok, "not json");
	vfix_refused(f, "no JSON under a bad signature", bad,
	    REASON_BAD_SIGNATURE);
	free(bad);
	free(tok);
}

/* The kid selects a key and proves nothing; the header names no key. */
static const struct row key_rows[] = {
	{ "a trusted kid, someone else's key", RS256_KID("rsa-a"), GOOD,
	    "RS256", BY_EVIL, REASON_BAD_SIGNATURE },
	{ "no kid, someone else's key", "{\"alg\":\"RS256\"}", GOOD, "RS256",
	    BY_EVIL, REASON_BAD_SIGNATURE },
	{ "the kid of a 4096-bit key with a 2048-bit signature",
	    RS256_KID("rsa-b"), GOOD, "RS256", BY_RSA_A,
	    REASON_BAD_SIGNATURE },
	{ "an unknown kid", RS256_KID("rsa-c"), GOOD, "RS256", BY_RSA_A,
	    REASON_UNKNOWN_KID },
	{ "ES256 with the kid of an RSA key",
	    "{\"alg\":\"ES256\",\"kid\":\"rsa-a\"}", GOOD, "ES256", BY_EC,
	    REASON_KEY_ALG_MISMATCH },
	{ "RS384, not in the allow-list",
	    "{\"alg\":\"RS384\",\"kid\":\"rsa-a\"}", GOOD, "RS256", BY_RSA_A,
	    REASON_ALG_NOT_ALLOWED },
	{ "alg none with a signature", "{\"alg\":\"none\"}", GOOD, "HS256",
	    BY_SECRET, REASON_ALG_NOT_ALLOWED },
	{ "signed, but the payload is no JSON object", "{\"alg\":\"ES256\"}",
	    "[1]", "ES256", BY_EC, REASON_BAD_JSON }
};

static void
test_key_selection(void **state)
{
	struct vfix *f = *state;

	vfix_load(f, CONF);
	check_rows(f, key_rows, N_ROWS(key_rows));
}

/*
 * The RSA/HMAC confusion (RFC 8725 section 2.1): an HS256 token whose
 * MAC key is the RSA public key's PEM text, or its JWK, must not verify
 * even with HS256 allowed: HS* only ever uses hmac_secret_file.
 */
#define HS_RSA_HEADER "{\"alg\":\"HS256\",\"kid\":\"rsa-a\"}"

/* An HS_RSA_HEADER token of GOOD with LEN bytes at KEY as MAC key. */
static void
check_mac_key(struct vfix *f, const char *what, const void *key,
    size_t len)
{
	char *h, *p, *s, tok[4096];
	unsigned char mac[32];
	unsigned int mlen = 0;

	h = vfix_b64((const unsigned char *)HS_RSA_HEADER,
	    strlen(HS_RSA_HEADER));
	p = vfix_b64((const unsigned char *)GOOD, strlen(GOOD));
	(void)snprintf(tok, sizeof(tok), "%s.%s", h, p);
	assert_non_null(HMAC(EVP_sha256(), key, (int)len,
	    (const unsigned char *)tok, strlen(tok), mac, &mlen));
	s = vfix_b64(mac, mlen);
	strcat(tok, ".");
	strcat(tok, s);
	vfix_refused(f, what, tok, REASON_BAD_SIGNATURE);
	free(h);
	free(p);
	free(s);
}

static void
test_hmac_confusion(void **state)
{
	struct vfix *f = *state;
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL, *jwk;
	long plen;

	vfix_load(f, CONF);
	assert_non_null(bio);
	assert_int_equal(PEM_write_bio_PUBKEY(bio, f->rsa_a), 1);
	plen = BIO_get_mem_data(bio, &pem);
	assert_true(plen > 0);
	check_mac_key(f, "HMAC keyed with the PEM", pem, (size_t)plen);
	BIO_free(bio);

	/* The JWK exactly as the key set holds it. */
	jwk = testkey_jwk(f->rsa_a, "rsa-a", "\"use\":\"sig\"");
	assert_non_null(jwk);
	check_mac_key(f, "HMAC keyed with the JWK", jwk, strlen(jwk));
	free(jwk);
}

/* Signed tokens refused for what they say, or for a header they carry. */
static const struct row claim_rows[] = {
	{ "expired", "{\"alg\":\"EdDSA\"}", PAYLOAD("https://idp.test",
	    "alice", "1699999940"), "EdDSA", BY_ED, REASON_EXPIRED },
	{ "another issuer", HS256, PAYLOAD("https://other", "alice",
	    "1700003600"), "HS256", BY_SECRET, REASON_BAD_ISSUER },
	{ "another user", HS256, PAYLOAD("https://idp.test", "root",
	    "1700003600"), "HS256", BY_SECRET, REASON_USER_MISMATCH },
	{ "crit", "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", GOOD, "HS256",
	    BY_SECRET, REASON_CRIT_UNSUPPORTED },
	{ "kid not a string", "{\"alg\":\"HS256\",\"kid\":7}", GOOD, "HS256",
	    BY_SECRET, REASON_MALFORMED_HEADER },
	{ "b64 false", "{\"alg\":\"HS256\",\"b64\":false}", GOOD, "HS256",
	    BY_SECRET, REASON_B64_UNSUPPORTED }
};

/* typ, when configured: case-insensitive, "application/" ignored. */
static const struct row typ_rows[] = {
	{ "typ application/AT+JWT",
	    "{\"alg\":\"HS256\",\"typ\":\"application/AT+JWT\"}", GOOD,
	    "HS256", BY_SECRET, REASON_NONE },
	{ "typ JWT", "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", GOOD, "HS256",
	    BY_SECRET, REASON_BAD_TYP },
	{ "no typ", HS256, GOOD, "HS256", BY_SECRET, REASON_BAD_TYP }
};

static void
test_claims_after_signature(void **state)
{
	struct vfix *f = *state;
	struct verdict vd;
	char *tok;

	vfix_load(f, CONF);
	check_rows(f, claim_rows, N_ROWS(claim_rows));

	tok = vfix_token(f, claim_rows[0].header, claim_rows[0].payload,
	    "EdDSA", f->ed);
	memset(&vd, 0, sizeof(vd));
	assert_int_equal(vfix_run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_string_equal(vd.message, "the token expired at 1699999940 "
	    "(now 1700000000, leeway 60)");
	verdict_clear(&vd);
	free(tok);

	vfix_load(f, CONF "typ = at+jwt\n");
	check_rows(f, typ_rows, N_ROWS(typ_rows));
}

/* Input that is refused before a signature is looked at. */
static const struct {
	const char *in;
	int ret;
	enum reason want;
} inputs[] = {
	{ "hunter2", PJ_ERR_NOT_TOKEN, REASON_MALFORMED },
	{ "", PJ_ERR_NOT_TOKEN, REASON_MALFORMED },
	/* base64url of "not json": decodes, but to no JSON object. */
	{ "bm90IGpzb24", PJ_ERR_NOT_TOKEN, REASON_BAD_JSON },
	/* A header ({"a":1}) makes a token, however malformed the rest. */
	{ "eyJhIjoxfQ", PJ_ERR_REFUSED, REASON_MALFORMED },
	{ "eyJhIjoxfQ.e30.", PJ_ERR_REFUSED, REASON_MALFORMED },
	{ "eyJhIjoxfQ.e30.AA.AA", PJ_ERR_REFUSED, REASON_MALFORMED },
	{ "eyJhIjoxfQ.e3 0.AA", PJ_ERR_REFUSED, REASON_MALFORMED },
	{ "eyJhIjoxfQ.e30.AA", PJ_ERR_REFUSED, REASON_ALG_NOT_ALLOWED },
	/* {"alg":"none"} and no signature: three segments are needed. */
	{ "eyJhbGciOiJub25lIn0.e30.", PJ_ERR_REFUSED, REASON_MALFORMED }
};

static void
test_input(void **state)
{
	struct vfix *f = *state;
	struct verdict vd;
	char big[200], *tok;
	size_t i;
	int ret;

	vfix_load(f, CONF "max_token_bytes = 100\n");
	memset(&vd, 0, sizeof(vd));

	/* The limit holds for the trimmed input, before any decoding. */
	memset(big, '*', 101);
	big[101] = '\0';
	assert_int_equal(vfix_run(f, big, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_TOO_LARGE);
	assert_string_equal(vd.message, "the input has 101 bytes, "
	    "max_token_bytes is 100");
	big[100] = ' ';
	assert_int_equal(vfix_run(f, big, &vd), PJ_ERR_NOT_TOKEN);
	assert_int_equal(vd.reason, REASON_MALFORMED);

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		ret = vfix_run(f, inputs[i].in, &vd);
		if (ret != inputs[i].ret || vd.reason != inputs[i].want)
			print_error("input \"%s\": %d %s\n", inputs[i].in, ret,
			    reason_name(vd.reason));
		assert_int_equal(ret, inputs[i].ret);
		assert_int_equal(vd.reason, inputs[i].want);
	}

	/* A section's own, lower limit holds for that section. */
	vfix_load(f, "audience = pam\nusername_claim = preferred_username\n"
	    "algorithms = HS256\nhmac_secret_file = hmac.key\n"
	    "[issuer s]\nissuer = https://idp.test\nmax_token_bytes = 100\n");
	tok = vfix_token(f, HS256, GOOD, "HS256", NULL);
	assert_int_equal(vfix_run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_TOO_LARGE);
	assert_string_equal(vd.message, "[issuer s] the token is longer than "
	    "max_token_bytes 100");
	free(tok);
	verdict_clear(&vd);
}

/* The kid in the verdict is escaped for the log line. */
static void
test_kid_escaped(void **state)
{
	struct vfix *f = *state;
	struct verdict vd;
	char *tok;

	vfix_load(f, CONF);
	memset(&vd, 0, sizeof(vd));
	tok = vfix_token(f, RS256_KID("a b\\n=\\u0000"), GOOD, "RS256",
	    f->rsa_a);
	assert_int_equal(vfix_run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_UNKNOWN_KID);
	assert_string_equal(vd.kid, "a\\x20b\\x0a\\x3d\\x00");
	verdict_clear(&vd);
	free(tok);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_payload_after_signature,
		    vfix_teardown),
		cmocka_unit_test_teardown(test_key_selection, vfix_teardown),
		cmocka_unit_test_teardown(test_hmac_confusion, vfix_teardown),
		cmocka_unit_test_teardown(test_claims_after_signature,
		    vfix_teardown),
		cmocka_unit_test_teardown(test_input, vfix_teardown),
		cmocka_unit_test_teardown(test_kid_escaped, vfix_teardown),
	};

	return cmocka_run_group_tests(tests, vfix_group_setup,
	    vfix_group_teardown);
}
