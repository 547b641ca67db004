/*
 * The signature layer.  Attacks pinned here: algorithm confusion (a
 * signature of one algorithm or key type accepted as another, HMAC keyed
 * with a public key), signatures of the wrong length (DER instead of raw
 * r||s, truncated HMAC tags), the ECDSA zero signature of CVE-2022-21449
 * and r or s not below the group order, PSS with another salt length or
 * MGF1 hash.  Keys are generated at run time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "reason.h"
#include "sig.h"
#include "testkey.h"
#include "testutil.h"

enum { K_RSA, K_RSA1024, K_EC256, K_EC384, K_EC521, K_ED25519, K_ED448,
    K_COUNT };

static const char *const key_types[K_COUNT] = {
	"rsa", "rsa1024", "ec256", "ec384", "ec521", "ed25519", "ed448"
};

static EVP_PKEY *keys[K_COUNT];

static const unsigned char msg[] =
    "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9";
#define MSG_LEN (sizeof(msg) - 1)

/* The key each signature algorithm is tested with. */
static int
key_for(enum alg_id id)
{
	switch (id) {
	case ALG_ES256:
		return K_EC256;
	case ALG_ES384:
		return K_EC384;
	case ALG_ES512:
		return K_EC521;
	case ALG_EDDSA:
		return K_ED25519;
	default:
		return K_RSA;
	}
}

static int
setup(void **state)
{
	(void)state;
	return testkey_generate_all(key_types, K_COUNT, keys);
}

static int
teardown(void **state)
{
	(void)state;
	testkey_free_all(keys, K_COUNT);
	return 0;
}

static unsigned char *
sign(enum alg_id id, int k, const unsigned char *m, size_t len,
    size_t *sig_len)
{
	unsigned char *sig = NULL;

	assert_int_equal(testkey_sign(alg_by_id(id), keys[k], m, len, &sig,
	    sig_len), 0);
	return sig;
}

/* Expected signature length for ID with its test key. */
static size_t
expected_len(enum alg_id id)
{
	const struct alg_info *alg = alg_by_id(id);

	return alg->sig_len != 0 ? alg->sig_len : 256;
}

static void
test_valid(void **state)
{
	unsigned char *sig;
	size_t len;
	int id;

	(void)state;
	for (id = ALG_RS256; id <= ALG_EDDSA; id++) {
		const struct alg_info *alg = alg_by_id((enum alg_id)id);

		sig = sign((enum alg_id)id, key_for(id), msg, MSG_LEN, &len);
		assert_int_equal(len, expected_len((enum alg_id)id));
		assert_int_equal(sig_verify(alg, keys[key_for(id)], msg,
		    MSG_LEN, sig, len), PJ_OK);
		free(sig);

		/* The empty message, given as NULL. */
		sig = sign((enum alg_id)id, key_for(id), msg, 0, &len);
		assert_int_equal(sig_verify(alg, keys[key_for(id)], NULL, 0,
		    sig, len), PJ_OK);
		free(sig);
	}
}

static void
test_tampered(void **state)
{
	unsigned char *sig, m[MSG_LEN];
	size_t len, i;
	int id;

	(void)state;
	for (id = ALG_RS256; id <= ALG_EDDSA; id++) {
		const struct alg_info *alg = alg_by_id((enum alg_id)id);
		EVP_PKEY *k = keys[key_for(id)];

		sig = sign((enum alg_id)id, key_for(id), msg, MSG_LEN, &len);
		memcpy(m, msg, MSG_LEN);
		m[MSG_LEN - 1] ^= 0x01;
		assert_int_equal(sig_verify(alg, k, m, MSG_LEN, sig, len),
		    PJ_ERR_REFUSED);
		assert_int_equal(sig_verify(alg, k, msg, MSG_LEN - 1, sig,
		    len), PJ_ERR_REFUSED);
		for (i = 0; i < len; i += len / 4) {
			sig[i] ^= 0x40;
			assert_int_equal(sig_verify(alg, k, msg, MSG_LEN, sig,
			    len), PJ_ERR_REFUSED);
			sig[i] ^= 0x40;
		}
		sig[len - 1] ^= 0x01;
		assert_int_equal(sig_verify(alg, k, msg, MSG_LEN, sig, len),
		    PJ_ERR_REFUSED);
		free(sig);
	}
}

/* Any other length is refused, a trailing or a missing byte too. */
static void
test_lengths(void **state)
{
	unsigned char *sig, *longer;
	size_t len;
	int id;

	(void)state;
	for (id = ALG_RS256; id <= ALG_EDDSA; id++) {
		const struct alg_info *alg = alg_by_id((enum alg_id)id);
		EVP_PKEY *k = keys[key_for(id)];

		sig = sign((enum alg_id)id, key_for(id), msg, MSG_LEN, &len);
		longer = calloc(1, len + 1);
		assert_non_null(longer);
		memcpy(longer, sig, len);
		assert_int_equal(sig_verify(alg, k, msg, MSG_LEN, longer,
		    len + 1), PJ_ERR_REFUSED);
		assert_int_equal(sig_verify(alg, k, msg, MSG_LEN, sig,
		    len - 1), PJ_ERR_REFUSED);
		assert_int_equal(sig_verify(alg, k, msg, MSG_LEN, sig, 0),
		    PJ_ERR_REFUSED);
		assert_int_equal(sig_verify(alg, k, msg, MSG_LEN, NULL, len),
		    PJ_ERR_REFUSED);
		assert_int_equal(sig_verify(alg, NULL, msg, MSG_LEN, sig, len),
		    PJ_ERR_REFUSED);
		assert_int_equal(sig_verify(NULL, k, msg, MSG_LEN, sig, len),
		    PJ_ERR_REFUSED);
		free(longer);
		free(sig);
	}
}

/*
 * RFC 7518 section 3.3: an RSA signature is exactly as long as the
 * modulus.  OpenSSL takes a shorter input as the same number, so a
 * signature whose first byte is zero, sent without it, must be refused
 * here.  About one signature in 256 starts with a zero byte.
 */
static void
test_rsa_short_form(void **state)
{
	unsigned char m[16], *sig = NULL;
	size_t len = 0;
	int i, found = 0;

	(void)state;
	memset(m, 'm', sizeof(m));
	for (i = 0; i < 8192 && !found; i++) {
		memcpy(m, &i, sizeof(i));
		free(sig);
		sig = sign(ALG_RS256, K_RSA, m, sizeof(m), &len);
		found = sig[0] == 0;
	}
	assert_true(found);
	assert_int_equal(sig_verify(alg_by_id(ALG_RS256), keys[K_RSA], m,
	    sizeof(m), sig, len), PJ_OK);
	assert_int_equal(sig_verify(alg_by_id(ALG_RS256), keys[K_RSA], m,
	    sizeof(m), sig + 1, len - 1), PJ_ERR_REFUSED);
	free(sig);
}

/* A DER ECDSA signature, valid for OpenSSL, is not a JWS signature. */
static void
test_ecdsa_der_refused(void **state)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char der[80];
	size_t len = sizeof(der);

	(void)state;
	assert_non_null(md);
	assert_int_equal(EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL,
	    keys[K_EC256], NULL), 1);
	assert_int_equal(EVP_DigestSign(md, der, &len, msg, MSG_LEN), 1);
	assert_int_equal(der[0], 0x30);
	assert_int_equal(sig_verify(alg_by_id(ALG_ES256), keys[K_EC256], msg,
	    MSG_LEN, der, len), PJ_ERR_REFUSED);
	EVP_MD_CTX_free(md);
}

/*
 * Every algorithm with every key it does not go with, given a signature
 * of the length the algorithm expects: always refused.
 */
static void
test_wrong_key(void **state)
{
	unsigned char buf[600];
	int id, k;

	(void)state;
	memset(buf, 0x5a, sizeof(buf));
	for (id = ALG_RS256; id <= ALG_EDDSA; id++) {
		const struct alg_info *alg = alg_by_id((enum alg_id)id);
		size_t len = expected_len((enum alg_id)id);

		for (k = 0; k < K_COUNT; k++) {
			if (k == key_for(id) ||
			    (k == K_RSA1024 && alg->sig_len == 0))
				continue;
			assert_int_equal(sig_verify(alg, keys[k], msg, MSG_LEN,
			    buf, len), PJ_ERR_REFUSED);
		}
	}
}

/* Write N into OUT as LEN big-endian bytes. */
static void
put_bn(const BIGNUM *n, unsigned char *out, size_t len)
{
	assert_int_equal(BN_bn2binpad(n, out, (int)len), (int)len);
}

/*
 * Curve confusion: a P-256 key signs with SHA-384 and its r and s, padded
 * to 48 bytes, make a well-formed ES384 signature that OpenSSL would
 * accept with that key.  ES384 requires P-384, so it is refused; the same
 * for ES512 with a P-384 key and SHA-512.
 */
static void
test_curve_confusion(void **state)
{
	static const struct {
		int k;
		const char *md;
		enum alg_id as;
		size_t coord;
	} cases[] = {
		{ K_EC256, "SHA384", ALG_ES384, 48 },
		{ K_EC384, "SHA512", ALG_ES512, 66 },
		{ K_EC256, "SHA512", ALG_ES512, 66 }
	};
	unsigned char der[160], raw[132];
	const unsigned char *p;
	const BIGNUM *r, *s;
	EVP_MD_CTX *md;
	ECDSA_SIG *es;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		md = EVP_MD_CTX_new();
		assert_non_null(md);
		len = sizeof(der);
		assert_int_equal(EVP_DigestSignInit_ex(md, NULL, cases[i].md,
		    NULL, NULL, keys[cases[i].k], NULL), 1);
		assert_int_equal(EVP_DigestSign(md, der, &len, msg, MSG_LEN),
		    1);
		EVP_MD_CTX_free(md);
		p = der;
		es = d2i_ECDSA_SIG(NULL, &p, (long)len);
		assert_non_null(es);
		ECDSA_SIG_get0(es, &r, &s);
		put_bn(r, raw, cases[i].coord);
		put_bn(s, raw + cases[i].coord, cases[i].coord);
		ECDSA_SIG_free(es);
		assert_int_equal(sig_verify(alg_by_id(cases[i].as),
		    keys[cases[i].k], msg, MSG_LEN, raw, 2 * cases[i].coord),
		    PJ_ERR_REFUSED);
	}
}

/* A valid signature presented under another algorithm. */
static void
test_cross_alg(void **state)
{
	unsigned char *sig;
	size_t len;
	int from, to;

	(void)state;
	for (from = ALG_RS256; from <= ALG_EDDSA; from++) {
		sig = sign((enum alg_id)from, key_for(from), msg, MSG_LEN,
		    &len);
		for (to = ALG_RS256; to <= ALG_EDDSA; to++) {
			if (to == from)
				continue;
			assert_int_equal(sig_verify(alg_by_id((enum alg_id)to),
			    keys[key_for(from)], msg, MSG_LEN, sig, len),
			    PJ_ERR_REFUSED);
		}
		/* HMAC is never verified with a public key. */
		assert_int_equal(sig_verify(alg_by_id(ALG_HS256),
		    keys[key_for(from)], msg, MSG_LEN, sig, len),
		    PJ_ERR_REFUSED);
		free(sig);
	}
}

/* An RSA-PSS signature with chosen salt length and MGF1 hash. */
static unsigned char *
pss_sign(const char *md_name, int saltlen, const char *mgf1,
    size_t *len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *sig = malloc(256);

	assert_non_null(md);
	assert_non_null(sig);
	*len = 256;
	assert_int_equal(EVP_DigestSignInit_ex(md, &pctx, md_name, NULL, NULL,
	    keys[K_RSA], NULL), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, saltlen), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, mgf1, NULL),
	    1);
	assert_int_equal(EVP_DigestSign(md, sig, len, msg, MSG_LEN), 1);
	EVP_MD_CTX_free(md);
	return sig;
}

/*
 * RFC 7518 section 3.5: PS* use MGF1 with the same hash and a salt as
 * long as the hash; any other choice is refused.
 */
static const struct {
	enum alg_id id;
	const char *md;
	int saltlen;
	const char *mgf1;
	int want;
} pss_cases[] = {
	/* The control: salt 32, MGF1 with SHA-256. */
	{ ALG_PS256, "SHA256", 32, "SHA256", PJ_OK },
	{ ALG_PS256, "SHA256", 0, "SHA256", PJ_ERR_REFUSED },
	{ ALG_PS256, "SHA256", 20, "SHA256", PJ_ERR_REFUSED },
	{ ALG_PS256, "SHA256", 33, "SHA256", PJ_ERR_REFUSED },
	{ ALG_PS256, "SHA256", RSA_PSS_SALTLEN_MAX, "SHA256", PJ_ERR_REFUSED },
	{ ALG_PS256, "SHA256", 32, "SHA1", PJ_ERR_REFUSED },
	{ ALG_PS512, "SHA512", 64, "SHA256", PJ_ERR_REFUSED },
	{ ALG_PS512, "SHA512", 64, "SHA512", PJ_OK }
};

static void
test_pss_params(void **state)
{
	unsigned char *sig;
	size_t i, len;
	int r;

	(void)state;
	for (i = 0; i < sizeof(pss_cases) / sizeof(pss_cases[0]); i++) {
		sig = pss_sign(pss_cases[i].md, pss_cases[i].saltlen,
		    pss_cases[i].mgf1, &len);
		r = sig_verify(alg_by_id(pss_cases[i].id), keys[K_RSA], msg,
		    MSG_LEN, sig, len);
		if (r != pss_cases[i].want)
			print_error("case %zu: %s, salt %d, MGF1 %s\n", i,
			    pss_cases[i].md, pss_cases[i].saltlen,
			    pss_cases[i].mgf1);
		assert_int_equal(r, pss_cases[i].want);
		free(sig);
	}
}

static void
check_range(enum alg_id id, int k, int nid)
{
	const struct alg_info *alg = alg_by_id(id);
	size_t coord = alg->sig_len / 2, len;
	unsigned char *sig, bad[132];
	EC_GROUP *group = EC_GROUP_new_by_curve_name(nid);
	const BIGNUM *order;
	BIGNUM *s = BN_new(), *t = BN_new();

	assert_non_null(group);
	assert_non_null(s);
	assert_non_null(t);
	order = EC_GROUP_get0_order(group);
	sig = sign(id, k, msg, MSG_LEN, &len);
	assert_int_equal(len, alg->sig_len);

	/* The zero signature: r = s = 0. */
	memset(bad, 0, len);
	assert_int_equal(sig_verify(alg, keys[k], msg, MSG_LEN, bad, len),
	    PJ_ERR_REFUSED);
	/* r = 0 with a real s; a real r with s = 0. */
	memcpy(bad, sig, len);
	memset(bad, 0, coord);
	assert_int_equal(sig_verify(alg, keys[k], msg, MSG_LEN, bad, len),
	    PJ_ERR_REFUSED);
	memcpy(bad, sig, len);
	memset(bad + coord, 0, coord);
	assert_int_equal(sig_verify(alg, keys[k], msg, MSG_LEN, bad, len),
	    PJ_ERR_REFUSED);
	/* r = n, s = n, both all ones. */
	memcpy(bad, sig, len);
	put_bn(order, bad, coord);
	assert_int_equal(sig_verify(alg, keys[k], msg, MSG_LEN, bad, len),
	    PJ_ERR_REFUSED);
	memcpy(bad, sig, len);
	put_bn(order, bad + coord, coord);
	assert_int_equal(sig_verify(alg, keys[k], msg, MSG_LEN, bad, len),
	    PJ_ERR_REFUSED);
	memset(bad, 0xff, len);
	assert_int_equal(sig_verify(alg, keys[k], msg, MSG_LEN, bad, len),
	    PJ_ERR_REFUSED);

	/* r + n where it still fits the field: the same r modulo n. */
	assert_non_null(BN_bin2bn(sig, (int)coord, t));
	assert_int_equal(BN_add(t, t, order), 1);
	if ((size_t)BN_num_bytes(t) <= coord) {
		memcpy(bad, sig, len);
		put_bn(t, bad, coord);
		assert_int_equal(sig_verify(alg, keys[k], msg, MSG_LEN, bad,
		    len), PJ_ERR_REFUSED);
	}

	/* High S, n - s, is as valid as s: no malleability rule in JWS. */
	assert_non_null(BN_bin2bn(sig + coord, (int)coord, s));
	assert_int_equal(BN_sub(t, order, s), 1);
	memcpy(bad, sig, len);
	put_bn(t, bad + coord, coord);
	assert_int_equal(sig_verify(alg, keys[k], msg, MSG_LEN, bad, len),
	    PJ_OK);
	/* n - r is not. */
	assert_non_null(BN_bin2bn(sig, (int)coord, s));
	assert_int_equal(BN_sub(t, order, s), 1);
	memcpy(bad, sig, len);
	put_bn(t, bad, coord);
	assert_int_equal(sig_verify(alg, keys[k], msg, MSG_LEN, bad, len),
	    PJ_ERR_REFUSED);

	/* The original still verifies. */
	assert_int_equal(sig_verify(alg, keys[k], msg, MSG_LEN, sig, len),
	    PJ_OK);
	BN_free(s);
	BN_free(t);
	EC_GROUP_free(group);
	free(sig);
}

static void
test_ecdsa_range(void **state)
{
	int i;

	(void)state;
	/* Several signatures: some r and s have a leading zero byte. */
	for (i = 0; i < 8; i++) {
		check_range(ALG_ES256, K_EC256, NID_X9_62_prime256v1);
		check_range(ALG_ES384, K_EC384, NID_secp384r1);
		check_range(ALG_ES512, K_EC521, NID_secp521r1);
	}
}

/* Many signatures: r and s of every shape go through the DER encoding. */
static void
test_ecdsa_many(void **state)
{
	unsigned char *sig, m[8];
	size_t len;
	int i, id;

	(void)state;
	for (id = ALG_ES256; id <= ALG_ES512; id++) {
		for (i = 0; i < 200; i++) {
			memcpy(m, &i, sizeof(i));
			memcpy(m + 4, &id, sizeof(id));
			sig = sign((enum alg_id)id, key_for(id), m, sizeof(m),
			    &len);
			assert_int_equal(sig_verify(alg_by_id((enum alg_id)id),
			    keys[key_for(id)], m, sizeof(m), sig, len), PJ_OK);
			free(sig);
		}
	}
}

/* The signature layer judges signatures, not key sizes. */
static void
test_rsa1024_layering(void **state)
{
	unsigned char *sig;
	size_t len;

	(void)state;
	sig = sign(ALG_RS256, K_RSA1024, msg, MSG_LEN, &len);
	assert_int_equal(len, 128);
	assert_int_equal(sig_verify(alg_by_id(ALG_RS256), keys[K_RSA1024], msg,
	    MSG_LEN, sig, len), PJ_OK);
	/* 256 bytes for a 128-byte modulus: refused. */
	assert_int_equal(sig_verify(alg_by_id(ALG_RS256), keys[K_RSA1024], msg,
	    MSG_LEN, sig, 256), PJ_ERR_REFUSED);
	free(sig);
}

struct hmac_case {
	enum alg_id id;
	const char *key;
	const char *data;
	const char *tag;
};

/* RFC 4231 test case 2, and an empty key. */
static const struct hmac_case hmac_cases[] = {
	{ ALG_HS256, "Jefe", "what do ya want for nothing?",
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec38"
	    "43" },
	{ ALG_HS384, "Jefe", "what do ya want for nothing?",
	    "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec373632244"
	    "5e8e2240ca5e69e2c78b3239ecfab21649" },
	{ ALG_HS512, "Jefe", "what do ya want for nothing?",
	    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505"
	    "549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bc"
	    "e737" },
	{ ALG_HS256, "", "abc",
	    "fd7adb152c05ef80dccf50a1fa4c05d5a3ec6da95575fc312ae7c5d091836351" }
};

static void
test_hmac(void **state)
{
	unsigned char *tag;
	size_t i, n, klen, dlen;
	const unsigned char *key, *data;

	(void)state;
	for (i = 0; i < sizeof(hmac_cases) / sizeof(hmac_cases[0]); i++) {
		const struct hmac_case *c = &hmac_cases[i];
		const struct alg_info *alg = alg_by_id(c->id);

		key = (const unsigned char *)c->key;
		data = (const unsigned char *)c->data;
		klen = strlen(c->key);
		dlen = strlen(c->data);
		tag = testutil_unhex(c->tag, &n);
		assert_int_equal(n, alg->digest_len);
		assert_int_equal(sig_verify_hmac(alg, key, klen, data, dlen,
		    tag, n), PJ_OK);
		if (klen == 0)
			assert_int_equal(sig_verify_hmac(alg, NULL, 0, data,
			    dlen, tag, n), PJ_OK);

		/* Truncated, extended, flipped, other key, other alg. */
		assert_int_equal(sig_verify_hmac(alg, key, klen, data, dlen,
		    tag, n - 1), PJ_ERR_REFUSED);
		assert_int_equal(sig_verify_hmac(alg, key, klen, data, dlen,
		    tag, 16), PJ_ERR_REFUSED);
		assert_int_equal(sig_verify_hmac(alg, key, klen, data, dlen,
		    tag, 0), PJ_ERR_REFUSED);
		tag[n] = 0;
		assert_int_equal(sig_verify_hmac(alg, key, klen, data, dlen,
		    tag, n + 1), PJ_ERR_REFUSED);
		tag[n - 1] ^= 0x01;
		assert_int_equal(sig_verify_hmac(alg, key, klen, data, dlen,
		    tag, n), PJ_ERR_REFUSED);
		tag[n - 1] ^= 0x01;
		assert_int_equal(sig_verify_hmac(alg, (const unsigned char *)
		    "Jeff", 4, data, dlen, tag, n), PJ_ERR_REFUSED);
		assert_int_equal(sig_verify_hmac(alg, key, klen, data,
		    dlen - 1, tag, n), PJ_ERR_REFUSED);
		assert_int_equal(sig_verify_hmac(alg_by_id(ALG_RS256), key,
		    klen, data, dlen, tag, n), PJ_ERR_REFUSED);
		assert_int_equal(sig_verify_hmac(NULL, key, klen, data, dlen,
		    tag, n), PJ_ERR_REFUSED);
		assert_int_equal(sig_verify_hmac(alg, key, klen, data, dlen,
		    NULL, n), PJ_ERR_REFUSED);
		free(tag);
	}
}

/* The HS384 tag of a message is no HS256 or HS512 tag: lengths differ. */
static void
test_hmac_cross(void **state)
{
	unsigned char tag[EVP_MAX_MD_SIZE];
	size_t n;

	(void)state;
	n = testkey_hmac(alg_by_id(ALG_HS384), (const unsigned char *)"k", 1,
	    msg, MSG_LEN, tag);
	assert_int_equal(n, 48);
	assert_int_equal(sig_verify_hmac(alg_by_id(ALG_HS384),
	    (const unsigned char *)"k", 1, msg, MSG_LEN, tag, n), PJ_OK);
	assert_int_equal(sig_verify_hmac(alg_by_id(ALG_HS256),
	    (const unsigned char *)"k", 1, msg, MSG_LEN, tag, 32),
	    PJ_ERR_REFUSED);
	assert_int_equal(sig_verify_hmac(alg_by_id(ALG_HS512),
	    (const unsigned char *)"k", 1, msg, MSG_LEN, tag, n),
	    PJ_ERR_REFUSED);
}

/* A refused signature leaves no error on the host's OpenSSL queue. */
static void
test_error_queue(void **state)
{
	unsigned char junk[256];

	(void)state;
	memset(junk, 0x33, sizeof(junk));
	ERR_clear_error();
	assert_int_equal(sig_verify(alg_by_id(ALG_RS256), keys[K_RSA], msg,
	    MSG_LEN, junk, sizeof(junk)), PJ_ERR_REFUSED);
	assert_int_equal(sig_verify(alg_by_id(ALG_ES256), keys[K_EC256], msg,
	    MSG_LEN, junk, 64), PJ_ERR_REFUSED);
	assert_int_equal(sig_verify(alg_by_id(ALG_EDDSA), keys[K_ED25519],
	    msg, MSG_LEN, junk, 64), PJ_ERR_REFUSED);
	assert_int_equal(ERR_peek_error(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_rsa_short_form),
		cmocka_unit_test(test_ecdsa_der_refused),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_cross_alg),
		cmocka_unit_test(test_curve_confusion),
		cmocka_unit_test(test_pss_params),
		cmocka_unit_test(test_ecdsa_range),
		cmocka_unit_test(test_ecdsa_many),
		cmocka_unit_test(test_rsa1024_layering),
		cmocka_unit_test(test_hmac),
		cmocka_unit_test(test_hmac_cross),
		cmocka_unit_test(test_error_queue)
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
