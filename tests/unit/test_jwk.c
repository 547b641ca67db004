/*
 * Keys and key selection.  Attacks pinned here: a kid that matches a
 * trusted one only up to a NUL ("trusted\0junk" read as "trusted" by C
 * string functions), a key used for another algorithm than its own (an
 * RSA key for ES256, a P-256 key for ES384, an encryption key or a key
 * whose "alg" or "key_ops" forbid it), RSA keys under 2048 bits, EC
 * points not on the curve (the invalid-curve attack), and HMAC secrets
 * smuggled into a public key set as kty "oct".  Keys are generated at
 * run time; the shared fixture keys are checked when they are present.
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
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "b64url.h"
#include "jsonstrict.h"
#include "jwk.h"
#include "keyset.h"
#include "sig.h"
#include "testkey.h"

#define FIXTURES SRCDIR "/tests/vectors/keys"

enum { K_RSA, K_RSA1024, K_RSA2047, K_EC256, K_EC384, K_EC521, K_ED25519,
    K_ED448, K_K256, K_X25519, K_COUNT };

static EVP_PKEY *keys[K_COUNT];

static int
setup(void **state)
{
	static const char *const types[] = { "rsa", "rsa1024", NULL, "ec256",
	    "ec384", "ec521", "ed25519", "ed448" };
	int i;

	(void)state;
	for (i = 0; i <= K_ED448; i++) {
		if (i == K_RSA2047)
			keys[i] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
			    (size_t)2047);
		else
			keys[i] = testkey_generate(types[i]);
		if (keys[i] == NULL)
			return -1;
	}
	keys[K_K256] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	keys[K_X25519] = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	return keys[K_K256] != NULL && keys[K_X25519] != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < K_COUNT; i++)
		EVP_PKEY_free(keys[i]);
	return 0;
}

/* Messages the key set code logs, for exact checks. */
struct logcap {
	int count;
	int prio[16];
	char msg[16][600];
};

static void
log_capture(void *arg, int prio, const char *msg)
{
	struct logcap *cap = arg;

	if (cap->count < 16) {
		cap->prio[cap->count] = prio;
		snprintf(cap->msg[cap->count], sizeof(cap->msg[0]), "%s", msg);
	}
	cap->count++;
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

/* Sign with key K for ALG and verify with PKEY: the key round-trips. */
static void
check_signs(int k, enum alg_id id, EVP_PKEY *pkey)
{
	static const unsigned char m[] = "aGVhZGVy.cGF5bG9hZA";
	unsigned char *sig;
	size_t len;

	assert_int_equal(testkey_sign(A(id), keys[k], m, sizeof(m) - 1, &sig,
	    &len), 0);
	assert_int_equal(sig_verify(A(id), pkey, m, sizeof(m) - 1, sig, len),
	    PJ_OK);
	free(sig);
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
	check_signs(K_RSA, ALG_RS256, pkey);
	check_signs(K_RSA, ALG_PS384, pkey);
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
		check_signs(curves[i].k, curves[i].id, jwk_pkey(&key));
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
	check_signs(K_ED25519, ALG_EDDSA, jwk_pkey(&key));
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

/* Numbers that parse but make no valid key: built as nothing. */
static void
test_build_failures(void **state)
{
	struct json_object *obj;
	unsigned char buf[300];
	struct jwk key;
	size_t n;

	(void)state;
	ERR_clear_error();

	/* A point off the curve. */
	obj = jwk_obj(K_EC256, "off", NULL);
	n = get_b64(obj, "y", buf);
	buf[n - 1] ^= 0x01;
	set_b64(obj, "y", buf, n);
	assert_int_equal(from_obj(obj, &key), PJ_OK);
	assert_int_equal(key.unusable, REASON_NONE);
	assert_null(jwk_pkey(&key));
	assert_null(key.pkey);
	jwk_clear(&key);

	/* A coordinate at or above the field prime: all ones. */
	obj = jwk_obj(K_EC384, "big", NULL);
	memset(buf, 0xff, 48);
	set_b64(obj, "x", buf, 48);
	assert_int_equal(from_obj(obj, &key), PJ_OK);
	assert_null(jwk_pkey(&key));
	jwk_clear(&key);

	/* An even modulus. */
	obj = jwk_obj(K_RSA, "even", NULL);
	n = get_b64(obj, "n", buf);
	buf[n - 1] &= 0xfe;
	set_b64(obj, "n", buf, n);
	assert_int_equal(from_obj(obj, &key), PJ_OK);
	assert_null(jwk_pkey(&key));
	jwk_clear(&key);

	/* e = 1, e even, e = n. */
	assert_int_equal(edited(K_RSA, "e", "\"AQ\"", &key), PJ_OK);
	assert_null(jwk_pkey(&key));
	jwk_clear(&key);
	assert_int_equal(edited(K_RSA, "e", "\"AQAC\"", &key), PJ_OK);
	assert_null(jwk_pkey(&key));
	jwk_clear(&key);
	obj = jwk_obj(K_RSA, "e=n", NULL);
	n = get_b64(obj, "n", buf);
	set_b64(obj, "e", buf, n);
	assert_int_equal(from_obj(obj, &key), PJ_OK);
	assert_null(jwk_pkey(&key));
	jwk_clear(&key);

	/* e = 3 is odd and small: a valid, if unusual, key. */
	assert_int_equal(edited(K_RSA, "e", "\"Aw\"", &key), PJ_OK);
	assert_non_null(jwk_pkey(&key));
	jwk_clear(&key);

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
	struct logcap cap;
	struct pj_log log = { log_capture, &cap, false };
	struct keyset set;
	struct jwk *out[2];
	char *text = make_jwks();
	size_t n, i;

	(void)state;
	memset(&cap, 0, sizeof(cap));
	assert_int_equal(keyset_parse(text, strlen(text), "keys.json", &log,
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
		assert_int_equal(cap.prio[i], LOG_WARNING);
		assert_memory_equal(cap.msg[i], "keys.json: key #", 16);
	}
	assert_non_null(strstr(cap.msg[0], "#2 kid=hs: kty oct"));
	assert_non_null(strstr(cap.msg[1], "#4 kid=bad: malformed"));
	assert_non_null(strstr(cap.msg[2], "#6 is not a JSON object"));
	assert_non_null(strstr(cap.msg[3], "kid=enc: unusable "
	    "(key_alg_mismatch)"));
	assert_non_null(strstr(cap.msg[4], "kid=weak: unusable (weak_key)"));
	assert_non_null(strstr(cap.msg[5], "kid=ed448: unusable "
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
	check_signs(K_EC256, ALG_ES256, jwk_pkey(out[0]));
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
	struct logcap cap;
	struct pj_log log = { log_capture, &cap, false };
	unsigned char *der = NULL, *junk;
	struct keyset set;
	BIO *bio = BIO_new(BIO_s_mem());
	char *text;
	long len;
	int n;

	(void)state;
	memset(&cap, 0, sizeof(cap));
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
	assert_int_equal(keyset_parse(text, (size_t)len, "keys.pem", &log,
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
	assert_non_null(strstr(cap.msg[0], "keys.pem: PEM block #5 "
	    "(PRIVATE KEY) is no public key"));
	assert_non_null(strstr(cap.msg[1], "keys.pem: PEM key #4: unusable "
	    "(weak_key)"));
	assert_non_null(strstr(cap.msg[2], "keys.pem: PEM block #7 "
	    "(PUBLIC KEY) is no public key"));
	assert_non_null(strstr(cap.msg[3], "keys.pem: PEM key #5: unusable "
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
	check_signs(K_RSA, ALG_PS256, set.keys[1].pkey);
	check_signs(K_ED25519, ALG_EDDSA, set.keys[3].pkey);
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
	struct logcap cap;
	struct pj_log log = { log_capture, &cap, false };
	struct keyset set;

	(void)state;
	memset(&cap, 0, sizeof(cap));
	assert_int_equal(keyset_parse(text, sizeof(text) - 1, "h.pem", &log,
	    &set), PJ_OK);
	assert_int_equal(set.count, 0);
	assert_int_equal(cap.count, 1);
	assert_non_null(strstr(cap.msg[0], "has headers"));
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
		cmocka_unit_test(test_rsa),
		cmocka_unit_test(test_rsa_leading_zero),
		cmocka_unit_test(test_rsa_weak),
		cmocka_unit_test(test_ec),
		cmocka_unit_test(test_okp),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_kid),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_build_failures),
		cmocka_unit_test(test_from_pkey),
		cmocka_unit_test(test_keyset_jwks),
		cmocka_unit_test(test_keyset_kid_nul),
		cmocka_unit_test(test_keyset_bad),
		cmocka_unit_test(test_keyset_pem),
		cmocka_unit_test(test_keyset_pem_headers),
		cmocka_unit_test(test_fixtures)
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
