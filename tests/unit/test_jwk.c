/*
 * Single keys: jwk_from_json() of one JWK, jwk_from_pkey(), and which
 * algorithms a key suits.  Attacks pinned here: a key used for another
 * algorithm than its own (an RSA key for ES256, a P-256 key for ES384,
 * an encryption key or a key whose "alg" or "key_ops" forbid it), RSA
 * keys under 2048 bits (judged by bits, not bytes), EC points not on the
 * curve (the invalid-curve attack), an HMAC secret given as kty "oct", a
 * kid holding a NUL (kept with its length, never cut), and malformed
 * members, which refuse the JWK and leave nothing behind.  Key sets and
 * key selection are in test_keyset.c.  Keys are generated at run time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "b64url.h"
#include "jsonstrict.h"
#include "jwk.h"
#include "sig.h"
#include "testkey.h"
#include "testutil.h"

enum { K_RSA, K_RSA1024, K_RSA2047, K_EC256, K_EC384, K_EC521, K_ED25519,
    K_ED448, K_K256, K_X25519, K_COUNT };

static EVP_PKEY *keys[K_COUNT];

static int
setup(void **state)
{
	static const char *const types[K_COUNT] = { "rsa", "rsa1024",
	    "rsa2047", "ec256", "ec384", "ec521", "ed25519", "ed448",
	    "secp256k1", "x25519" };

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

/* The JWK object of key K with KID and EXTRA members. */
static struct json_object *
jwk_obj(int k, const char *kid, const char *extra)
{
	struct json_object *obj;
	char *text = testkey_jwk(keys[k], kid, extra);

	assert_non_null(text);
	assert_int_equal(jsonstrict_parse_object(text, strlen(text), &obj),
	    PJ_OK);
	free(text);
	return obj;
}

/* Parse JWK text into KEY; returns jwk_from_json()'s result. */
static int
from_text(const char *text, struct jwk *key)
{
	struct json_object *obj;
	int r;

	assert_int_equal(jsonstrict_parse_object(text, strlen(text), &obj),
	    PJ_OK);
	r = jwk_from_json(obj, key);
	json_object_put(obj);
	return r;
}

static int
from_obj(struct json_object *obj, struct jwk *key)
{
	int r = jwk_from_json(obj, key);

	json_object_put(obj);
	return r;
}

/* jwk_suits() for every algorithm: exactly ALLOWED (ALG_BIT mask) fit. */
static void
check_suits(const struct jwk *key, unsigned allowed)
{
	enum reason got, want;
	int id;

	for (id = 0; id < ALG_COUNT; id++) {
		want = (allowed & ALG_BIT(id)) ? REASON_NONE :
		    REASON_KEY_ALG_MISMATCH;
		got = jwk_suits(key, A((enum alg_id)id));
		if (got != want)
			fail_msg("%s: %s, expected %s",
			    A((enum alg_id)id)->name, reason_name(got),
			    reason_name(want));
	}
}

#define RSA_ALGS (ALG_BIT(ALG_RS256) | ALG_BIT(ALG_RS384) | \
    ALG_BIT(ALG_RS512) | ALG_BIT(ALG_PS256) | ALG_BIT(ALG_PS384) | \
    ALG_BIT(ALG_PS512))

static void
test_rsa(void **state)
{
	struct jwk key;
	EVP_PKEY *pkey;

	(void)state;
	assert_int_equal(from_obj(jwk_obj(K_RSA, "r1", "\"use\":\"sig\""),
	    &key), PJ_OK);
	assert_int_equal(key.kty, JWK_KTY_RSA);
	assert_int_equal(key.kid_len, 2);
	assert_memory_equal(key.kid, "r1", 3);
	assert_int_equal(key.curve_nid, 0);
	assert_null(key.alg);
	assert_true(key.use_sig);
	assert_true(key.ops_verify);
	assert_int_equal(key.modulus_len, 256);
	assert_int_equal(key.unusable, REASON_NONE);
	assert_non_null(key.json);
	/* Nothing is built when the key set is read. */
	assert_null(key.pkey);

	check_suits(&key, RSA_ALGS);
	assert_int_equal(jwk_sig_len(&key, A(ALG_RS256)), 256);
	assert_int_equal(jwk_sig_len(&key, A(ALG_PS512)), 256);
	assert_int_equal(jwk_sig_len(&key, A(ALG_ES256)), 64);

	pkey = jwk_pkey(&key);
	assert_non_null(pkey);
	assert_ptr_equal(jwk_pkey(&key), pkey);
	assert_int_equal(EVP_PKEY_eq(pkey, keys[K_RSA]), 1);
	testutil_check_signs(A(ALG_RS256), keys[K_RSA], pkey);
	testutil_check_signs(A(ALG_PS384), keys[K_RSA], pkey);
	jwk_clear(&key);
	assert_null(key.kid);
	assert_null(key.json);
	assert_null(key.pkey);
}

/* Replace member NAME of OBJ by the base64url of LEN bytes at P. */
static void
set_b64(struct json_object *obj, const char *name, const unsigned char *p,
    size_t len)
{
	char *s = testkey_b64(p, len);

	assert_non_null(s);
	json_object_object_add(obj, name, json_object_new_string(s));
	free(s);
}

/* Decode member NAME of OBJ into BUF; returns its length. */
static size_t
get_b64(struct json_object *obj, const char *name, unsigned char *buf)
{
	const char *s;
	size_t len, n;

	assert_true(jsonstrict_get_string(jsonstrict_get(obj, name), &s,
	    &len));
	assert_int_equal(b64url_decode(s, len, buf, &n), PJ_OK);
	return n;
}

static void
test_rsa_leading_zero(void **state)
{
	struct json_object *obj = jwk_obj(K_RSA, "z", NULL);
	unsigned char n[300];
	size_t len;
	struct jwk key;

	(void)state;
	n[0] = 0;
	len = get_b64(obj, "n", n + 1);
	assert_int_equal(len, 256);
	set_b64(obj, "n", n, len + 1);
	assert_int_equal(from_obj(obj, &key), PJ_OK);
	assert_int_equal(key.modulus_len, 256);
	assert_int_equal(key.unusable, REASON_NONE);
	assert_int_equal(EVP_PKEY_eq(jwk_pkey(&key), keys[K_RSA]), 1);
	jwk_clear(&key);
}

static void
test_rsa_weak(void **state)
{
	struct jwk key;

	(void)state;
	assert_int_equal(from_obj(jwk_obj(K_RSA1024, "w", NULL), &key), PJ_OK);
	assert_int_equal(key.modulus_len, 128);
	assert_int_equal(key.unusable, REASON_WEAK_KEY);
	assert_int_equal(jwk_suits(&key, A(ALG_RS256)), REASON_WEAK_KEY);
	assert_int_equal(jwk_suits(&key, A(ALG_PS256)), REASON_WEAK_KEY);
	assert_int_equal(jwk_suits(&key, A(ALG_ES256)),
	    REASON_KEY_ALG_MISMATCH);
	assert_int_equal(jwk_suits(&key, A(ALG_HS256)),
	    REASON_KEY_ALG_MISMATCH);
	jwk_clear(&key);

	/* 2047 bits fill 256 bytes: the bits decide, not the bytes. */
	assert_int_equal(from_obj(jwk_obj(K_RSA2047, "w", NULL), &key), PJ_OK);
	assert_int_equal(key.modulus_len, 256);
	assert_int_equal(key.unusable, REASON_WEAK_KEY);
	jwk_clear(&key);
}

static void
test_ec(void **state)
{
	static const struct {
		int k;
		int nid;
		enum alg_id id;
		size_t sig_len;
	} curves[] = {
		{ K_EC256, NID_X9_62_prime256v1, ALG_ES256, 64 },
		{ K_EC384, NID_secp384r1, ALG_ES384, 96 },
		{ K_EC521, NID_secp521r1, ALG_ES512, 132 }
	};
	struct jwk key;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(from_obj(jwk_obj(curves[i].k, "e", NULL),
		    &key), PJ_OK);
		assert_int_equal(key.kty, JWK_KTY_EC);
		assert_int_equal(key.curve_nid, curves[i].nid);
		assert_int_equal(key.modulus_len, 0);
		assert_int_equal(key.unusable, REASON_NONE);
		assert_null(key.pkey);
		check_suits(&key, ALG_BIT(curves[i].id));
		assert_int_equal(jwk_sig_len(&key, A(curves[i].id)),
		    curves[i].sig_len);
		assert_int_equal(EVP_PKEY_eq(jwk_pkey(&key),
		    keys[curves[i].k]), 1);
		testutil_check_signs(A(curves[i].id), keys[curves[i].k],
		    jwk_pkey(&key));
		jwk_clear(&key);
	}
}

static void
test_okp(void **state)
{
	struct jwk key;

	(void)state;
	assert_int_equal(from_obj(jwk_obj(K_ED25519, "d", NULL), &key), PJ_OK);
	assert_int_equal(key.kty, JWK_KTY_OKP);
	assert_int_equal(key.curve_nid, NID_ED25519);
	assert_int_equal(key.unusable, REASON_NONE);
	check_suits(&key, ALG_BIT(ALG_EDDSA));
	assert_int_equal(jwk_sig_len(&key, A(ALG_EDDSA)), 64);
	assert_int_equal(EVP_PKEY_eq(jwk_pkey(&key), keys[K_ED25519]), 1);
	testutil_check_signs(A(ALG_EDDSA), keys[K_ED25519],
	    jwk_pkey(&key));
	jwk_clear(&key);

	/* Ed448 is a JWK curve, but not one pam_jwt verifies with. */
	assert_int_equal(from_obj(jwk_obj(K_ED448, "d448", NULL), &key),
	    PJ_OK);
	assert_int_equal(key.kty, JWK_KTY_OKP);
	assert_int_equal(key.curve_nid, NID_ED448);
	assert_int_equal(key.unusable, REASON_KEY_ALG_MISMATCH);
	check_suits(&key, 0);
	assert_null(jwk_pkey(&key));
	jwk_clear(&key);
}

struct member_case {
	const char *extra;	/* members added to an RSA 2048 JWK */
	int rc;
	enum reason unusable;
	unsigned suits;		/* algorithms it suits */
};

static const struct member_case member_cases[] = {
	{ "\"use\":\"sig\"", PJ_OK, REASON_NONE, RSA_ALGS },
	{ "\"use\":\"enc\"", PJ_OK, REASON_KEY_ALG_MISMATCH, 0 },
	{ "\"use\":\"SIG\"", PJ_OK, REASON_KEY_ALG_MISMATCH, 0 },
	{ "\"use\":\"\"", PJ_OK, REASON_KEY_ALG_MISMATCH, 0 },
	{ "\"use\":5", PJ_ERR_REFUSED, REASON_NONE, 0 },
	{ "\"use\":null", PJ_ERR_REFUSED, REASON_NONE, 0 },
	{ "\"use\":[\"sig\"]", PJ_ERR_REFUSED, REASON_NONE, 0 },
	{ "\"key_ops\":[\"verify\"]", PJ_OK, REASON_NONE, RSA_ALGS },
	{ "\"key_ops\":[\"sign\",\"verify\"]", PJ_OK, REASON_NONE, RSA_ALGS },
	{ "\"key_ops\":[\"sign\"]", PJ_OK, REASON_KEY_ALG_MISMATCH, 0 },
	{ "\"key_ops\":[\"encrypt\",\"wrapKey\"]", PJ_OK,
	    REASON_KEY_ALG_MISMATCH, 0 },
	{ "\"key_ops\":[\"Verify\"]", PJ_OK, REASON_KEY_ALG_MISMATCH, 0 },
	{ "\"key_ops\":[]", PJ_OK, REASON_KEY_ALG_MISMATCH, 0 },
	{ "\"key_ops\":\"verify\"", PJ_ERR_REFUSED, REASON_NONE, 0 },
	{ "\"key_ops\":[\"verify\",1]", PJ_ERR_REFUSED, REASON_NONE, 0 },
	{ "\"key_ops\":null", PJ_ERR_REFUSED, REASON_NONE, 0 },
	{ "\"use\":\"sig\",\"key_ops\":[\"sign\"]", PJ_OK,
	    REASON_KEY_ALG_MISMATCH, 0 },
	{ "\"alg\":\"RS256\"", PJ_OK, REASON_NONE, ALG_BIT(ALG_RS256) },
	{ "\"alg\":\"PS512\"", PJ_OK, REASON_NONE, ALG_BIT(ALG_PS512) },
	{ "\"alg\":\"RSA-OAEP\"", PJ_OK, REASON_KEY_ALG_MISMATCH, 0 },
	{ "\"alg\":\"none\"", PJ_OK, REASON_KEY_ALG_MISMATCH, 0 },
	{ "\"alg\":\"HS256\"", PJ_OK, REASON_KEY_ALG_MISMATCH, 0 },
	{ "\"alg\":\"rs256\"", PJ_OK, REASON_KEY_ALG_MISMATCH, 0 },
	{ "\"alg\":\"ES256\"", PJ_OK, REASON_NONE, 0 },
	{ "\"alg\":1", PJ_ERR_REFUSED, REASON_NONE, 0 },
	{ "\"alg\":null", PJ_ERR_REFUSED, REASON_NONE, 0 },
	{ "\"kid\":5", PJ_ERR_REFUSED, REASON_NONE, 0 },
	{ "\"kid\":null", PJ_ERR_REFUSED, REASON_NONE, 0 },
	{ "\"kid\":[\"a\"]", PJ_ERR_REFUSED, REASON_NONE, 0 },
	{ "\"x5c\":[\"MIIB\"],\"x5t\":\"abc\",\"d\":\"AQAB\"", PJ_OK,
	    REASON_NONE, RSA_ALGS }
};

static void
test_members(void **state)
{
	struct jwk key;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(member_cases) / sizeof(member_cases[0]); i++) {
		const struct member_case *c = &member_cases[i];

		r = from_obj(jwk_obj(K_RSA, NULL, c->extra), &key);
		if (r != c->rc)
			fail_msg("%s: %d, expected %d", c->extra, r, c->rc);
		if (r != PJ_OK) {
			/* A refused JWK leaves nothing behind. */
			assert_null(key.kid);
			assert_null(key.json);
			continue;
		}
		if (key.unusable != c->unusable)
			fail_msg("%s: %s", c->extra,
			    reason_name(key.unusable));
		check_suits(&key, c->suits);
		jwk_clear(&key);
	}
}

static void
test_kid(void **state)
{
	struct jwk key;

	(void)state;
	assert_int_equal(from_obj(jwk_obj(K_EC256, "a\\u0000b", NULL), &key),
	    PJ_OK);
	assert_int_equal(key.kid_len, 3);
	assert_memory_equal(key.kid, "a\0b", 4);
	jwk_clear(&key);

	assert_int_equal(from_obj(jwk_obj(K_EC256, "", NULL), &key), PJ_OK);
	assert_non_null(key.kid);
	assert_int_equal(key.kid_len, 0);
	jwk_clear(&key);

	assert_int_equal(from_obj(jwk_obj(K_EC256, NULL, NULL), &key), PJ_OK);
	assert_null(key.kid);
	assert_int_equal(key.kid_len, 0);
	jwk_clear(&key);
}

/* Edit K's JWK: NAME set to the JSON VALUE, or removed when NULL. */
static int
edited(int k, const char *name, const char *value, struct jwk *key)
{
	struct json_object *obj = jwk_obj(k, "m", NULL), *v = NULL;

	if (value == NULL) {
		json_object_object_del(obj, name);
	} else {
		v = json_tokener_parse(value);
		assert_true(v != NULL || strcmp(value, "null") == 0);
		json_object_object_add(obj, name, v);
	}
	return from_obj(obj, key);
}

struct edit_case {
	int k;
	const char *name;
	const char *value;	/* JSON; NULL removes the member */
	int rc;
	enum reason unusable;
};

static const struct edit_case edit_cases[] = {
	{ K_RSA, "kty", NULL, PJ_ERR_REFUSED, REASON_NONE },
	{ K_RSA, "kty", "1", PJ_ERR_REFUSED, REASON_NONE },
	{ K_RSA, "kty", "\"rsa\"", PJ_OK, REASON_KEY_ALG_MISMATCH },
	{ K_RSA, "kty", "\"oct\"", PJ_OK, REASON_KEY_ALG_MISMATCH },
	{ K_RSA, "kty", "\"EC\"", PJ_ERR_REFUSED, REASON_NONE },
	{ K_RSA, "n", NULL, PJ_ERR_REFUSED, REASON_NONE },
	{ K_RSA, "e", NULL, PJ_ERR_REFUSED, REASON_NONE },
	{ K_RSA, "n", "\"\"", PJ_ERR_REFUSED, REASON_NONE },
	{ K_RSA, "e", "\"\"", PJ_ERR_REFUSED, REASON_NONE },
	{ K_RSA, "n", "5", PJ_ERR_REFUSED, REASON_NONE },
	{ K_RSA, "n", "\"AAAA\"", PJ_ERR_REFUSED, REASON_NONE },
	{ K_RSA, "n", "\"AQAB==\"", PJ_ERR_REFUSED, REASON_NONE },
	{ K_RSA, "n", "\"AQ+B\"", PJ_ERR_REFUSED, REASON_NONE },
	{ K_RSA, "n", "\"AQ B\"", PJ_ERR_REFUSED, REASON_NONE },
	{ K_RSA, "e", "\"AQAB=\"", PJ_ERR_REFUSED, REASON_NONE },
	{ K_RSA, "e", "\"AQAC\"", PJ_OK, REASON_NONE },
	{ K_EC256, "x", NULL, PJ_ERR_REFUSED, REASON_NONE },
	{ K_EC256, "y", NULL, PJ_ERR_REFUSED, REASON_NONE },
	{ K_EC256, "crv", NULL, PJ_ERR_REFUSED, REASON_NONE },
	{ K_EC256, "crv", "256", PJ_ERR_REFUSED, REASON_NONE },
	/* 31, 33 and 51 bytes for a 32-byte coordinate. */
	{ K_EC256, "x", "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"",
	    PJ_ERR_REFUSED, REASON_NONE },
	{ K_EC256, "y", "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"",
	    PJ_ERR_REFUSED, REASON_NONE },
	{ K_EC256, "x", "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAA\"", PJ_ERR_REFUSED, REASON_NONE },
	{ K_EC256, "x", "7", PJ_ERR_REFUSED, REASON_NONE },
	{ K_EC256, "crv", "\"P-192\"", PJ_OK, REASON_KEY_ALG_MISMATCH },
	{ K_EC256, "crv", "\"secp256k1\"", PJ_OK, REASON_KEY_ALG_MISMATCH },
	{ K_EC256, "crv", "\"p-256\"", PJ_OK, REASON_KEY_ALG_MISMATCH },
	{ K_EC256, "crv", "\"Ed25519\"", PJ_OK, REASON_KEY_ALG_MISMATCH },
	{ K_EC256, "crv", "\"P-384\"", PJ_ERR_REFUSED, REASON_NONE },
	{ K_ED25519, "x", NULL, PJ_ERR_REFUSED, REASON_NONE },
	{ K_ED25519, "x", "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"",
	    PJ_ERR_REFUSED, REASON_NONE },
	{ K_ED25519, "x", "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"",
	    PJ_ERR_REFUSED, REASON_NONE },
	{ K_ED25519, "crv", "\"X25519\"", PJ_OK, REASON_KEY_ALG_MISMATCH },
	{ K_ED25519, "crv", "\"P-256\"", PJ_OK, REASON_KEY_ALG_MISMATCH },
	{ K_ED25519, "crv", NULL, PJ_ERR_REFUSED, REASON_NONE }
};

static void
test_malformed(void **state)
{
	struct jwk key;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(edit_cases) / sizeof(edit_cases[0]); i++) {
		const struct edit_case *c = &edit_cases[i];

		r = edited(c->k, c->name, c->value, &key);
		if (r != c->rc)
			fail_msg("#%zu %s=%s: %d, expected %d", i, c->name,
			    c->value ? c->value : "(removed)", r, c->rc);
		if (r == PJ_OK) {
			assert_int_equal(key.unusable, c->unusable);
			jwk_clear(&key);
		} else {
			assert_null(key.kid);
			assert_null(key.json);
		}
	}

	assert_int_equal(from_text("{\"kty\":\"RSA\",\"n\":\"AQAB\"}", &key),
	    PJ_ERR_REFUSED);
	assert_int_equal(jwk_from_json(NULL, &key), PJ_ERR_REFUSED);
	assert_int_equal(from_obj(json_object_new_array(), &key),
	    PJ_ERR_REFUSED);
	assert_int_equal(from_obj(json_object_new_string("RSA"), &key),
	    PJ_ERR_REFUSED);
}

/* How a build row changes one member of a fresh JWK. */
enum change { SET, FLIP_LOW_BIT, ALL_ONES, COPY_N };

/* Numbers that parse but make no valid key: built as nothing. */
static const struct {
	const char *what;
	int k;
	const char *name;
	enum change how;
	const char *value;	/* base64url, for SET */
	bool builds;
} build_cases[] = {
	{ "a point off the curve", K_EC256, "y", FLIP_LOW_BIT, NULL, false },
	{ "a coordinate at or above the field prime", K_EC384, "x", ALL_ONES,
	    NULL, false },
	/* The modulus is odd: its low bit flipped, it is even. */
	{ "an even modulus", K_RSA, "n", FLIP_LOW_BIT, NULL, false },
	{ "e = 1", K_RSA, "e", SET, "AQ", false },
	{ "e even", K_RSA, "e", SET, "AQAC", false },
	{ "e = n", K_RSA, "e", COPY_N, NULL, false },
	/* e = 3 is odd and small: a valid, if unusual, key. */
	{ "e = 3", K_RSA, "e", SET, "Aw", true }
};

static void
test_build_failures(void **state)
{
	unsigned char buf[300];
	struct json_object *obj;
	struct jwk key;
	size_t i, n;

	(void)state;
	ERR_clear_error();
	for (i = 0; i < sizeof(build_cases) / sizeof(build_cases[0]); i++) {
		const char *name = build_cases[i].name;

		obj = jwk_obj(build_cases[i].k, "m", NULL);
		switch (build_cases[i].how) {
		case SET:
			json_object_object_add(obj, name,
			    json_object_new_string(build_cases[i].value));
			break;
		case FLIP_LOW_BIT:
			n = get_b64(obj, name, buf);
			buf[n - 1] ^= 0x01;
			set_b64(obj, name, buf, n);
			break;
		case ALL_ONES:
			n = get_b64(obj, name, buf);
			memset(buf, 0xff, n);
			set_b64(obj, name, buf, n);
			break;
		case COPY_N:
			n = get_b64(obj, "n", buf);
			set_b64(obj, name, buf, n);
			break;
		}
		assert_int_equal(from_obj(obj, &key), PJ_OK);
		assert_int_equal(key.unusable, REASON_NONE);
		if ((jwk_pkey(&key) != NULL) != build_cases[i].builds)
			print_error("%s: %s\n", build_cases[i].what,
			    build_cases[i].builds ? "not built" : "built");
		assert_int_equal(jwk_pkey(&key) != NULL, build_cases[i].builds);
		if (!build_cases[i].builds)
			assert_null(key.pkey);
		jwk_clear(&key);
	}

	assert_null(jwk_pkey(NULL));
	/* Failed builds leave the host's error queue as it was. */
	assert_int_equal(ERR_peek_error(), 0);
}

static void
test_from_pkey(void **state)
{
	static const struct {
		int k;
		enum jwk_kty kty;
		int nid;
		size_t modulus_len;
		enum reason unusable;
	} cases[] = {
		{ K_RSA, JWK_KTY_RSA, 0, 256, REASON_NONE },
		{ K_RSA1024, JWK_KTY_RSA, 0, 128, REASON_WEAK_KEY },
		{ K_RSA2047, JWK_KTY_RSA, 0, 256, REASON_WEAK_KEY },
		{ K_EC256, JWK_KTY_EC, NID_X9_62_prime256v1, 0, REASON_NONE },
		{ K_EC384, JWK_KTY_EC, NID_secp384r1, 0, REASON_NONE },
		{ K_EC521, JWK_KTY_EC, NID_secp521r1, 0, REASON_NONE },
		{ K_ED25519, JWK_KTY_OKP, NID_ED25519, 0, REASON_NONE },
		{ K_ED448, JWK_KTY_OKP, NID_ED448, 0,
		    REASON_KEY_ALG_MISMATCH },
		{ K_K256, JWK_KTY_EC, 0, 0, REASON_KEY_ALG_MISMATCH },
		{ K_X25519, JWK_KTY_OTHER, 0, 0, REASON_KEY_ALG_MISMATCH }
	};
	struct jwk key;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EVP_PKEY *pkey = keys[cases[i].k];

		assert_int_equal(EVP_PKEY_up_ref(pkey), 1);
		assert_int_equal(jwk_from_pkey(pkey, &key), PJ_OK);
		assert_int_equal(key.kty, cases[i].kty);
		assert_int_equal(key.curve_nid, cases[i].nid);
		assert_int_equal(key.modulus_len, cases[i].modulus_len);
		assert_int_equal(key.unusable, cases[i].unusable);
		assert_null(key.kid);
		assert_null(key.json);
		assert_null(key.alg);
		assert_true(key.use_sig);
		assert_true(key.ops_verify);
		assert_ptr_equal(jwk_pkey(&key), pkey);
		jwk_clear(&key);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsa),
		cmocka_unit_test(test_rsa_leading_zero),
		cmocka_unit_test(test_rsa_weak),
		cmocka_unit_test(test_ec),
		cmocka_unit_test(test_okp),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_kid),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_build_failures),
		cmocka_unit_test(test_from_pkey)
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
