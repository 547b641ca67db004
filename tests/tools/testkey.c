/*
 * Test keys: OpenSSL generates them, this file shapes them as JWS wants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include "b64url.h"
#include "testkey.h"

EVP_PKEY *
testkey_generate(const char *type)
{
	if (strcmp(type, "rsa") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (strcmp(type, "rsa1024") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	if (strcmp(type, "rsa2047") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2047);
	if (strcmp(type, "rsa3072") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	if (strcmp(type, "ec256") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (strcmp(type, "ec384") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	if (strcmp(type, "ec521") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	if (strcmp(type, "ed25519") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (strcmp(type, "ed448") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
	if (strcmp(type, "secp256k1") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	if (strcmp(type, "x25519") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	return NULL;
}

int
testkey_generate_all(const char *const *types, size_t n, EVP_PKEY **keys)
{
	size_t i;

	for (i = 0; i < n; i++)
		keys[i] = NULL;
	for (i = 0; i < n; i++) {
		keys[i] = testkey_generate(types[i]);
		if (keys[i] == NULL) {
			testkey_free_all(keys, n);
			return -1;
		}
	}
	return 0;
}

void
testkey_free_all(EVP_PKEY **keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		EVP_PKEY_free(keys[i]);
		keys[i] = NULL;
	}
}

char *
testkey_b64(const unsigned char *in, size_t n)
{
	char *out = malloc(b64url_encoded_len(n) + 1);

	if (out != NULL)
		b64url_encode(in, n, out);
	return out;
}

/* Base64url of the BIGNUM parameter NAME, LEN bytes (0: minimal). */
static char *
bn_param_b64(EVP_PKEY *pkey, const char *name, size_t len)
{
	BIGNUM *bn = NULL;
	unsigned char buf[1024];
	char *out = NULL;
	int n;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
		return NULL;
	if (len == 0)
		len = (size_t)BN_num_bytes(bn);
	if (len <= sizeof(buf)) {
		n = BN_bn2binpad(bn, buf, (int)len);
		if (n == (int)len)
			out = testkey_b64(buf, len);
	}
	BN_free(bn);
	return out;
}

char *
testkey_jwk(EVP_PKEY *pkey, const char *kid, const char *extra)
{
	char *json = NULL, *m1 = NULL, *m2 = NULL;
	unsigned char raw[64];
	size_t size, raw_len = sizeof(raw), coord;
	int n, bits = EVP_PKEY_get_bits(pkey), type;

	type = EVP_PKEY_get_base_id(pkey);
	switch (type) {
	case EVP_PKEY_RSA:
		m1 = bn_param_b64(pkey, OSSL_PKEY_PARAM_RSA_N, 0);
		m2 = bn_param_b64(pkey, OSSL_PKEY_PARAM_RSA_E, 0);
		break;
	case EVP_PKEY_EC:
		coord = ((size_t)bits + 7) / 8;
		m1 = bn_param_b64(pkey, OSSL_PKEY_PARAM_EC_PUB_X, coord);
		m2 = bn_param_b64(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, coord);
		break;
	case EVP_PKEY_ED25519:
	case EVP_PKEY_ED448:
		if (EVP_PKEY_get_raw_public_key(pkey, raw, &raw_len) == 1)
			m1 = testkey_b64(raw, raw_len);
		m2 = strdup(type == EVP_PKEY_ED25519 ? "Ed25519" : "Ed448");
		break;
	default:
		goto out;
	}
	if (m1 == NULL || m2 == NULL)
		goto out;
	size = strlen(m1) + strlen(m2) + (kid ? strlen(kid) : 0) +
	    (extra ? strlen(extra) : 0) + 128;
	json = malloc(size);
	if (json == NULL)
		goto out;
	if (type == EVP_PKEY_RSA)
		n = snprintf(json, size, "{\"kty\":\"RSA\",\"n\":\"%s\","
		    "\"e\":\"%s\"", m1, m2);
	else if (type == EVP_PKEY_EC)
		n = snprintf(json, size, "{\"kty\":\"EC\",\"crv\":\"P-%d\","
		    "\"x\":\"%s\",\"y\":\"%s\"", bits, m1, m2);
	else
		n = snprintf(json, size, "{\"kty\":\"OKP\",\"crv\":\"%s\","
		    "\"x\":\"%s\"", m2, m1);
	if (kid != NULL)
		n += snprintf(json + n, size - (size_t)n, ",\"kid\":\"%s\"",
		    kid);
	if (extra != NULL)
		n += snprintf(json + n, size - (size_t)n, ",%s", extra);
	snprintf(json + n, size - (size_t)n, "}");
out:
	free(m1);
	free(m2);
	return json;
}

/* DER ECDSA-Sig-Value to raw r||s of 2 * COORD bytes. */
static int
der_to_raw(const unsigned char *der, size_t der_len, size_t coord,
    unsigned char *out)
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *es;
	int ret = -1;

	es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	if (es == NULL)
		return -1;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, out, (int)coord) == (int)coord &&
	    BN_bn2binpad(s, out + coord, (int)coord) == (int)coord)
		ret = 0;
	ECDSA_SIG_free(es);
	return ret;
}

int
testkey_sign(const struct alg_info *alg, EVP_PKEY *pkey,
    const unsigned char *msg, size_t len, unsigned char **sig,
    size_t *sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *buf = NULL, *raw = NULL;
	size_t n = 0;
	int ret = -1;

	*sig = NULL;
	*sig_len = 0;
	if (md == NULL || EVP_DigestSignInit_ex(md, &pctx, alg->digest, NULL,
	    NULL, pkey, NULL) != 1)
		goto out;
	if (alg->family == ALG_FAMILY_PSS &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) !=
	    1))
		goto out;
	if (EVP_DigestSign(md, NULL, &n, msg, len) != 1)
		goto out;
	buf = malloc(n);
	if (buf == NULL || EVP_DigestSign(md, buf, &n, msg, len) != 1)
		goto out;
	if (alg->family == ALG_FAMILY_EC) {
		raw = malloc(alg->sig_len);
		if (raw == NULL ||
		    der_to_raw(buf, n, alg->sig_len / 2, raw) != 0)
			goto out;
		free(buf);
		buf = raw;
		raw = NULL;
		n = alg->sig_len;
	}
	*sig = buf;
	*sig_len = n;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	free(raw);
	EVP_MD_CTX_free(md);
	return ret;
}

size_t
testkey_hmac(const struct alg_info *alg, const unsigned char *secret,
    size_t secret_len, const unsigned char *msg, size_t len,
    unsigned char *out)
{
	size_t n = 0;

	if (secret == NULL)
		secret = (const unsigned char *)"";
	if (EVP_Q_mac(NULL, "HMAC", NULL, alg->digest, NULL, secret,
	    secret_len, msg, len, out, EVP_MAX_MD_SIZE, &n) == NULL)
		return 0;
	return n;
}
