/*
 * Key sets: keyset_parse() of a JWKS or of PEM public keys, and
 * keyset_select() of the keys a token may be verified with.  Attacks
 * pinned here: a kid that matches a trusted one only up to a NUL
 * ("trusted\0junk" read as "trusted" by C string functions) or only in
 * part or in case; HMAC secrets smuggled into a public key set as kty
 * "oct" (they must never become a key); keys that are not for signing,
 * too weak or for another curve, which stay in the set but are never
 * selected; an encrypted PEM key, which is skipped and never decrypted;
 * trailing data after a key set or a DER key.  Keys are generated at run
 * time; the shared fixture keys are checked when they are present.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "jwk.h"
#include "keyset.h"
#include "sig.h"
#include "testkey.h"
#include "testutil.h"

#define FIXTURES SRCDIR "/tests/vectors/keys"

enum { K_RSA, K_RSA1024, K_EC256, K_EC384, K_EC521, K_ED25519, K_ED448,
    K_COUNT };

static EVP_PKEY *keys[K_COUNT];

static int
setup(void **state)
{
	static const char *const types[K_COUNT] = { "rsa", "rsa1024",
	    "ec256", "ec384", "ec521", "ed25519", "ed448" };

	(void)state;
	return testkey_generate_all(types, K_COUNT, keys);
}

static int
teardown(void **state)
{
	(void)state;
	testkey_free_all(keys, K_COUNT);
	return 0;
}

static const struct alg_info *
A(enum alg_id id)
{
	return alg_by_id(id);
}

/* A JWKS text with the keys of the selection tests, in this order. */
static char *
make_jwks(void)
{
	char *k[8], *text;
	size_t i, size = 1024;

	k[0] = testkey_jwk(keys[K_RSA], "r1", "\"use\":\"sig\"");
	k[1] = testkey_jwk(keys[K_RSA], "r2", NULL);
	k[2] = testkey_jwk(keys[K_EC256], "trusted", NULL);
	k[3] = testkey_jwk(keys[K_EC384], "e384", NULL);
	k[4] = testkey_jwk(keys[K_ED25519], "ed", NULL);
	k[5] = testkey_jwk(keys[K_RSA], "enc", "\"use\":\"enc\"");
	k[6] = testkey_jwk(keys[K_RSA1024], "weak", NULL);
	k[7] = testkey_jwk(keys[K_ED448], "ed448", NULL);
	for (i = 0; i < 8; i++) {
		assert_non_null(k[i]);
		size += strlen(k[i]) + 1;
	}
	text = malloc(size);
	assert_non_null(text);
	snprintf(text, size, "{\"keys\":[%s,%s,{\"kty\":\"oct\",\"kid\":\"hs\","
	    "\"k\":\"c2VjcmV0\"},%s,{\"kty\":\"RSA\",\"kid\":\"bad\"},%s,5,"
	    "%s,%s,%s,%s]}\n", k[0], k[1], k[2], k[3], k[4], k[5], k[6],
	    k[7]);
	for (i = 0; i < 8; i++)
		free(k[i]);
	return text;
}

static void
expect_select(const struct keyset *set, enum alg_id id, const char *kid,
    size_t kid_len, enum reason want, const char *want_kids)
{
	struct jwk *out[8];
	char got[128] = "";
	size_t n = 99, i;
	enum reason r;

	r = keyset_select(set, A(id), kid, kid_len, out, 8, &n);
	if (r != want)
		fail_msg("%s kid %s: %s, expected %s", A(id)->name,
		    kid ? kid : "-", reason_name(r), reason_name(want));
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(got, ",");
		strcat(got, out[i]->kid != NULL ? out[i]->kid : "(pem)");
	}
	assert_string_equal(got, want_kids);
}

#define KID(s) s, sizeof(s) - 1

static void
test_keyset_jwks(void **state)
{
	struct testutil_log cap;
	struct keyset set;
	struct jwk *out[2];
	char *text = make_jwks();
	size_t n, i;

	(void)state;
	testutil_log_init(&cap);
	assert_int_equal(keyset_parse(text, strlen(text), "keys.json", &cap.log,
	    &set), PJ_OK);
	assert_non_null(set.doc);
	assert_int_equal(set.count, 8);
	assert_string_equal(set.keys[0].kid, "r1");
	assert_string_equal(set.keys[2].kid, "trusted");
	assert_string_equal(set.keys[7].kid, "ed448");
	for (i = 0; i < set.count; i++)
		assert_null(set.keys[i].pkey);

	/* Skipped: oct, malformed, non-object; unusable: enc, weak, ed448. */
	assert_int_equal(cap.count, 6);
	for (i = 0; i < 6; i++) {
		assert_int_equal(cap.prios[i], LOG_WARNING);
		assert_memory_equal(cap.lines[i], "keys.json: key #", 16);
	}
	assert_non_null(strstr(cap.lines[0], "#2 kid=hs: kty oct"));
	assert_non_null(strstr(cap.lines[1], "#4 kid=bad: malformed"));
	assert_non_null(strstr(cap.lines[2], "#6 is not a JSON object"));
	assert_non_null(strstr(cap.lines[3], "kid=enc: unusable "
	    "(key_alg_mismatch)"));
	assert_non_null(strstr(cap.lines[4], "kid=weak: unusable (weak_key)"));
	assert_non_null(strstr(cap.lines[5], "kid=ed448: unusable "
	    "(key_alg_mismatch)"));

	expect_select(&set, ALG_RS256, NULL, 0, REASON_NONE, "r1,r2");
	expect_select(&set, ALG_PS512, NULL, 0, REASON_NONE, "r1,r2");
	expect_select(&set, ALG_RS256, KID("r2"), REASON_NONE, "r2");
	expect_select(&set, ALG_RS256, KID("trusted"),
	    REASON_KEY_ALG_MISMATCH, "");
	expect_select(&set, ALG_ES256, KID("trusted"), REASON_NONE,
	    "trusted");
	expect_select(&set, ALG_ES256, KID("trusted\0junk"),
	    REASON_UNKNOWN_KID, "");
	expect_select(&set, ALG_ES256, KID("truste"), REASON_UNKNOWN_KID, "");
	expect_select(&set, ALG_ES256, KID("trustedx"), REASON_UNKNOWN_KID,
	    "");
	expect_select(&set, ALG_ES256, KID("TRUSTED"), REASON_UNKNOWN_KID, "");
	expect_select(&set, ALG_ES256, KID(""), REASON_UNKNOWN_KID, "");
	expect_select(&set, ALG_ES384, KID("trusted"),
	    REASON_KEY_ALG_MISMATCH, "");
	expect_select(&set, ALG_ES256, NULL, 0, REASON_NONE, "trusted");
	expect_select(&set, ALG_ES384, NULL, 0, REASON_NONE, "e384");
	expect_select(&set, ALG_ES512, NULL, 0, REASON_NO_KEY, "");
	expect_select(&set, ALG_EDDSA, NULL, 0, REASON_NONE, "ed");
	expect_select(&set, ALG_EDDSA, KID("ed448"), REASON_KEY_ALG_MISMATCH,
	    "");
	expect_select(&set, ALG_RS256, KID("enc"), REASON_KEY_ALG_MISMATCH,
	    "");
	expect_select(&set, ALG_RS256, KID("weak"), REASON_WEAK_KEY, "");
	expect_select(&set, ALG_ES256, KID("weak"), REASON_KEY_ALG_MISMATCH,
	    "");
	expect_select(&set, ALG_HS256, NULL, 0, REASON_NO_KEY, "");
	expect_select(&set, ALG_HS256, KID("r1"), REASON_KEY_ALG_MISMATCH, "");
	expect_select(&set, ALG_HS256, KID("hs"), REASON_UNKNOWN_KID, "");
	expect_select(&set, ALG_RS256, KID("bad"), REASON_UNKNOWN_KID, "");

	/* Room for one: the first in file order. */
	assert_int_equal(keyset_select(&set, A(ALG_RS256), NULL, 0, out, 1,
	    &n), REASON_NONE);
	assert_int_equal(n, 1);
	assert_ptr_equal(out[0], &set.keys[0]);

	/* The selected key is built on demand and verifies. */
	assert_int_equal(keyset_select(&set, A(ALG_ES256), KID("trusted"),
	    out, 2, &n), REASON_NONE);
	testutil_check_signs(A(ALG_ES256), keys[K_EC256],
	    jwk_pkey(out[0]));
	assert_null(set.keys[0].pkey);

	keyset_clear(&set);
	assert_null(set.keys);
	assert_null(set.doc);
	assert_int_equal(set.count, 0);
	free(text);
}

/* A stored kid with a NUL is matched by exactly those bytes. */
static void
test_keyset_kid_nul(void **state)
{
	char *k = testkey_jwk(keys[K_EC256], "a\\u0000b", NULL), text[512];
	struct keyset set;

	(void)state;
	assert_non_null(k);
	snprintf(text, sizeof(text), "{\"keys\":[%s]}", k);
	free(k);
	assert_int_equal(keyset_parse(text, strlen(text), "k", NULL, &set),
	    PJ_OK);
	assert_int_equal(set.count, 1);
	expect_select(&set, ALG_ES256, KID("a\0b"), REASON_NONE, "a");
	expect_select(&set, ALG_ES256, KID("a"), REASON_UNKNOWN_KID, "");
	expect_select(&set, ALG_ES256, KID("a\0bc"), REASON_UNKNOWN_KID, "");
	keyset_clear(&set);
}

static const struct {
	const char *text;
	int rc;
} set_cases[] = {
	{ "", PJ_ERR_REFUSED },
	{ "   \n", PJ_ERR_REFUSED },
	{ "not a key", PJ_ERR_REFUSED },
	{ "{", PJ_ERR_REFUSED },
	{ "[]", PJ_ERR_REFUSED },
	{ "{\"keys\":{}}", PJ_ERR_REFUSED },
	{ "{\"keys\":null}", PJ_ERR_REFUSED },
	{ "{\"nokeys\":[]}", PJ_ERR_REFUSED },
	{ "{\"keys\":[],\"keys\":[]}", PJ_ERR_REFUSED },
	{ "{\"keys\":[]}x", PJ_ERR_REFUSED },
	{ "{\"keys\":[]}\n-----BEGIN PUBLIC KEY-----\n", PJ_ERR_REFUSED },
	{ "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
	    PJ_ERR_REFUSED },
	{ "-----BEGIN PUBLIC KEY-----\nAAAA\n", PJ_ERR_REFUSED },
	{ "{\"keys\":[]}", PJ_OK },
	{ "\n {\"keys\":[5,{}]} \n", PJ_OK }
};

static void
test_keyset_bad(void **state)
{
	struct keyset set;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(set_cases) / sizeof(set_cases[0]); i++) {
		int r = keyset_parse(set_cases[i].text,
		    strlen(set_cases[i].text), "k", NULL, &set);

		if (r != set_cases[i].rc)
			fail_msg("%s: %d", set_cases[i].text, r);
		if (r != PJ_OK) {
			assert_null(set.keys);
			assert_null(set.doc);
		}
		assert_int_equal(set.count, 0);
		keyset_clear(&set);
	}
	assert_int_equal(keyset_parse(NULL, 0, "k", NULL, &set),
	    PJ_ERR_REFUSED);
}

/* Append PEM block TYPE with LEN bytes of DER to BIO. */
static void
pem_block(BIO *bio, const char *type, const unsigned char *der, long len)
{
	assert_true(PEM_write_bio(bio, type, "", der, len) > 0);
}

static void
test_keyset_pem(void **state)
{
	struct testutil_log cap;
	unsigned char *der = NULL, *junk;
	struct keyset set;
	BIO *bio = BIO_new(BIO_s_mem());
	char *text;
	long len;
	int n;

	(void)state;
	testutil_log_init(&cap);
	assert_non_null(bio);
	BIO_puts(bio, "# the identity provider's keys\n");
	assert_int_equal(PEM_write_bio_PUBKEY(bio, keys[K_RSA]), 1);
	/* PKCS#1 RSAPublicKey: "RSA PUBLIC KEY". */
	n = i2d_PublicKey(keys[K_RSA], &der);
	assert_true(n > 0);
	pem_block(bio, "RSA PUBLIC KEY", der, n);
	OPENSSL_free(der);
	der = NULL;
	BIO_puts(bio, "text between blocks\n");
	assert_int_equal(PEM_write_bio_PUBKEY(bio, keys[K_EC256]), 1);
	assert_int_equal(PEM_write_bio_PUBKEY(bio, keys[K_ED25519]), 1);
	/* A private key has nothing to do in a key set: skipped. */
	assert_int_equal(PEM_write_bio_PrivateKey(bio, keys[K_EC384], NULL,
	    NULL, 0, NULL, NULL), 1);
	assert_int_equal(PEM_write_bio_PUBKEY(bio, keys[K_RSA1024]), 1);
	/* SPKI DER with a byte after it: skipped. */
	n = i2d_PUBKEY(keys[K_EC521], &der);
	assert_true(n > 0);
	junk = malloc((size_t)n + 1);
	assert_non_null(junk);
	memcpy(junk, der, (size_t)n);
	junk[n] = 0;
	pem_block(bio, "PUBLIC KEY", junk, n + 1);
	free(junk);
	OPENSSL_free(der);
	assert_int_equal(PEM_write_bio_PUBKEY(bio, keys[K_ED448]), 1);

	len = BIO_get_mem_data(bio, &text);
	assert_int_equal(keyset_parse(text, (size_t)len, "keys.pem", &cap.log,
	    &set), PJ_OK);
	assert_null(set.doc);
	assert_int_equal(set.count, 6);
	assert_int_equal(set.keys[0].kty, JWK_KTY_RSA);
	assert_int_equal(set.keys[0].modulus_len, 256);
	assert_int_equal(EVP_PKEY_eq(set.keys[0].pkey, keys[K_RSA]), 1);
	assert_int_equal(set.keys[1].kty, JWK_KTY_RSA);
	assert_int_equal(EVP_PKEY_eq(set.keys[1].pkey, keys[K_RSA]), 1);
	assert_int_equal(set.keys[2].curve_nid, NID_X9_62_prime256v1);
	assert_int_equal(EVP_PKEY_eq(set.keys[2].pkey, keys[K_EC256]), 1);
	assert_int_equal(set.keys[3].curve_nid, NID_ED25519);
	assert_int_equal(EVP_PKEY_eq(set.keys[3].pkey, keys[K_ED25519]), 1);
	assert_int_equal(set.keys[4].unusable, REASON_WEAK_KEY);
	assert_int_equal(set.keys[5].unusable, REASON_KEY_ALG_MISMATCH);
	assert_null(set.keys[0].kid);
	assert_null(set.keys[0].json);

	assert_int_equal(cap.count, 4);
	assert_non_null(strstr(cap.lines[0], "keys.pem: PEM block #5 "
	    "(PRIVATE KEY) is no public key"));
	assert_non_null(strstr(cap.lines[1], "keys.pem: PEM key #4: unusable "
	    "(weak_key)"));
	assert_non_null(strstr(cap.lines[2], "keys.pem: PEM block #7 "
	    "(PUBLIC KEY) is no public key"));
	assert_non_null(strstr(cap.lines[3], "keys.pem: PEM key #5: unusable "
	    "(key_alg_mismatch)"));

	/* PEM keys have no kid: candidates for every token that suits. */
	expect_select(&set, ALG_RS256, NULL, 0, REASON_NONE, "(pem),(pem)");
	expect_select(&set, ALG_RS256, KID("any"), REASON_NONE,
	    "(pem),(pem)");
	expect_select(&set, ALG_ES256, KID("x"), REASON_NONE, "(pem)");
	expect_select(&set, ALG_EDDSA, NULL, 0, REASON_NONE, "(pem)");
	expect_select(&set, ALG_ES384, NULL, 0, REASON_NO_KEY, "");
	expect_select(&set, ALG_ES384, KID("x"), REASON_UNKNOWN_KID, "");
	expect_select(&set, ALG_HS256, NULL, 0, REASON_NO_KEY, "");
	testutil_check_signs(A(ALG_PS256), keys[K_RSA],
	    set.keys[1].pkey);
	testutil_check_signs(A(ALG_EDDSA), keys[K_ED25519],
	    set.keys[3].pkey);
	keyset_clear(&set);
	BIO_free(bio);
}

/* An encrypted PEM key (with headers) is skipped, not decrypted. */
static void
test_keyset_pem_headers(void **state)
{
	static const char text[] =
	    "-----BEGIN PUBLIC KEY-----\n"
	    "Proc-Type: 4,ENCRYPTED\n"
	    "DEK-Info: AES-128-CBC,00000000000000000000000000000000\n"
	    "\n"
	    "AAAA\n"
	    "-----END PUBLIC KEY-----\n";
	struct testutil_log cap;
	struct keyset set;

	(void)state;
	testutil_log_init(&cap);
	assert_int_equal(keyset_parse(text, sizeof(text) - 1, "h.pem", &cap.log,
	    &set), PJ_OK);
	assert_int_equal(set.count, 0);
	assert_int_equal(cap.count, 1);
	assert_non_null(strstr(cap.lines[0], "has headers"));
	keyset_clear(&set);
}

/* Read a whole fixture file; NULL when it is absent. */
static char *
read_fixture(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/*
 * The shared fixture keys, when the vectors are in the tree: the JWKS
 * and each PEM file load as the vectors' verdicts assume, and each PEM
 * key is the JWKS key of the same name.
 */
static void
test_fixtures(void **state)
{
	static const struct {
		const char *kid;
		enum jwk_kty kty;
		enum reason unusable;
	} jwks_keys[] = {
		{ "rsa-2048-a", JWK_KTY_RSA, REASON_NONE },
		{ "rsa-2048-rs256only", JWK_KTY_RSA, REASON_NONE },
		{ "rsa-2048-enc", JWK_KTY_RSA, REASON_KEY_ALG_MISMATCH },
		{ "rsa-1024-weak", JWK_KTY_RSA, REASON_WEAK_KEY },
		{ "ec-p256", JWK_KTY_EC, REASON_NONE },
		{ "ec-p384", JWK_KTY_EC, REASON_NONE },
		{ "ec-p521", JWK_KTY_EC, REASON_NONE },
		{ "ed25519", JWK_KTY_OKP, REASON_NONE },
		{ "ed448", JWK_KTY_OKP, REASON_KEY_ALG_MISMATCH }
	};
	static const struct {
		const char *file;
		size_t jwks_index;
		enum reason unusable;
	} pems[] = {
		{ "rsa2048.pub.pem", 0, REASON_NONE },
		{ "rsa2048.pkcs1.pub.pem", 0, REASON_NONE },
		{ "rsa2048-rs256only.pub.pem", 1, REASON_NONE },
		{ "rsa2048-enc.pub.pem", 2, REASON_NONE },
		{ "rsa1024.pub.pem", 3, REASON_WEAK_KEY },
		{ "ec-p256.pub.pem", 4, REASON_NONE },
		{ "ec-p384.pub.pem", 5, REASON_NONE },
		{ "ec-p521.pub.pem", 6, REASON_NONE },
		{ "ed25519.pub.pem", 7, REASON_NONE },
		{ "ed448.pub.pem", 8, REASON_KEY_ALG_MISMATCH }
	};
	struct keyset jwks, pem;
	struct stat st;
	size_t len, i;
	char *buf;

	(void)state;
	if (stat(FIXTURES, &st) != 0) {
		print_message("no %s: fixture checks skipped\n", FIXTURES);
		skip();
	}
	buf = read_fixture("jwks.json", &len);
	assert_non_null(buf);
	assert_int_equal(keyset_parse(buf, len, "jwks.json", NULL, &jwks),
	    PJ_OK);
	free(buf);
	assert_int_equal(jwks.count, 9);
	for (i = 0; i < 9; i++) {
		assert_string_equal(jwks.keys[i].kid, jwks_keys[i].kid);
		assert_int_equal(jwks.keys[i].kty, jwks_keys[i].kty);
		assert_int_equal(jwks.keys[i].unusable, jwks_keys[i].unusable);
	}
	assert_ptr_equal(jwks.keys[1].alg, A(ALG_RS256));
	assert_int_equal(jwk_suits(&jwks.keys[1], A(ALG_PS256)),
	    REASON_KEY_ALG_MISMATCH);

	for (i = 0; i < sizeof(pems) / sizeof(pems[0]); i++) {
		struct jwk *twin = &jwks.keys[pems[i].jwks_index];

		buf = read_fixture(pems[i].file, &len);
		assert_non_null(buf);
		assert_int_equal(keyset_parse(buf, len, pems[i].file, NULL,
		    &pem), PJ_OK);
		free(buf);
		assert_int_equal(pem.count, 1);
		assert_int_equal(pem.keys[0].unusable, pems[i].unusable);
		assert_int_equal(pem.keys[0].kty, twin->kty);
		assert_int_equal(pem.keys[0].curve_nid, twin->curve_nid);
		assert_int_equal(pem.keys[0].modulus_len, twin->modulus_len);
		/* Ed448 is never built from a JWK. */
		if (twin->curve_nid != NID_ED448)
			assert_int_equal(EVP_PKEY_eq(pem.keys[0].pkey,
			    jwk_pkey(twin)), 1);
		keyset_clear(&pem);
	}
	keyset_clear(&jwks);

	buf = read_fixture("jwks-wycheproof.json", &len);
	assert_non_null(buf);
	assert_int_equal(keyset_parse(buf, len, "w", NULL, &jwks), PJ_OK);
	free(buf);
	assert_int_equal(jwks.count, 10);
	for (i = 0; i < jwks.count; i++) {
		assert_int_equal(jwks.keys[i].unusable, REASON_NONE);
		assert_non_null(jwk_pkey(&jwks.keys[i]));
	}
	keyset_clear(&jwks);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keyset_jwks),
		cmocka_unit_test(test_keyset_kid_nul),
		cmocka_unit_test(test_keyset_bad),
		cmocka_unit_test(test_keyset_pem),
		cmocka_unit_test(test_keyset_pem_headers),
		cmocka_unit_test(test_fixtures)
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
