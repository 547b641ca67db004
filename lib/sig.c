/*
 * JWS signature verification over OpenSSL 3 (RFC 7518 section 3, RFC
 * 8037 section 3.1).  Every length is checked before OpenSSL sees the
 * signature; ECDSA's raw r||s (RFC 7518 section 3.4) is range-checked and
 * turned into DER on the stack.  Nothing is fetched but what the one
 * EVP_DigestVerify() needs, and OpenSSL errors of a refused signature are
 * popped so that the host program's error queue is left as it was.
 */
#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "reason.h"
#include "sig.h"
#include "wipe.h"

/* The group orders n (FIPS 186-4 appendix D.1.2), big-endian. */
static const unsigned char p256_order[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51
};

static const unsigned char p384_order[48] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
	0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a,
	0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73
};

static const unsigned char p521_order[66] = {
	0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xfa, 0x51, 0x86, 0x87, 0x83, 0xbf, 0x2f,
	0x96, 0x6b, 0x7f, 0xcc, 0x01, 0x48, 0xf7, 0x09,
	0xa5, 0xd0, 0x3b, 0xb5, 0xc9, 0xb8, 0x89, 0x9c,
	0x47, 0xae, 0xbb, 0x6f, 0xb7, 0x1e, 0x91, 0x38,
	0x64, 0x09
};

/*
 * DER of ECDSA-Sig-Value (RFC 3279 section 2.2.3) for P-521: a SEQUENCE
 * header of 3 bytes and two INTEGERs of at most 2 + 1 + 66 bytes.
 */
#define ECDSA_DER_MAX (3 + 2 * (2 + 1 + 66))

static const unsigned char *
ec_order(const struct alg_info *alg)
{
	switch (alg->id) {
	case ALG_ES256:
		return p256_order;
	case ALG_ES384:
		return p384_order;
	case ALG_ES512:
		return p521_order;
	default:
		return NULL;
	}
}

/* Whether the EC key PKEY lies on the curve ALG names. */
static bool
ec_curve_is(EVP_PKEY *pkey, const struct alg_info *alg)
{
	char name[64];
	int nid;

	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC)
		return false;
	if (EVP_PKEY_get_group_name(pkey, name, sizeof(name), NULL) != 1)
		return false;
	/* OpenSSL's own name ("prime256v1"), or the NIST one ("P-256"). */
	nid = OBJ_sn2nid(name);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(name);
	return nid == alg->curve_nid;
}

/* 0 < V < N, both LEN bytes big-endian (signatures are public). */
static bool
ec_scalar_in_range(const unsigned char *v, const unsigned char *n,
    size_t len)
{
	unsigned char any = 0;
	size_t i;

	for (i = 0; i < len; i++)
		any |= v[i];
	return any != 0 && memcmp(v, n, len) < 0;
}

/* Bytes of the DER INTEGER body for the LEN-byte unsigned V (not 0). */
static size_t
der_int_body(const unsigned char **v, size_t len)
{
	while (len > 1 && **v == 0) {
		(*v)++;
		len--;
	}
	/* A set top bit needs a 0x00 in front to stay positive. */
	return len + ((**v & 0x80) != 0);
}

static unsigned char *
der_put_int(unsigned char *out, const unsigned char *v, size_t body,
    size_t len)
{
	*out++ = 0x02;
	*out++ = (unsigned char)body;
	if (body > len)
		*out++ = 0x00;
	memcpy(out, v, len);
	return out + len;
}

/*
 * Check the raw r||s of SIG (ALG's exact length, already checked) and
 * write its DER form to DER.  Returns the DER length, or 0 when r or s is
 * out of [1, n-1]: the zero "psychic signature" (CVE-2022-21449) and
 * r + n forgeries never reach OpenSSL.
 */
static size_t
ecdsa_to_der(const struct alg_info *alg, const unsigned char *sig,
    unsigned char der[ECDSA_DER_MAX])
{
	const unsigned char *order = ec_order(alg);
	size_t coord = alg->sig_len / 2, r_len, s_len, r_body, s_body, body;
	const unsigned char *r = sig, *s = sig + coord;
	unsigned char *p = der;

	if (order == NULL || !ec_scalar_in_range(r, order, coord) ||
	    !ec_scalar_in_range(s, order, coord))
		return 0;
	r_len = coord;
	s_len = coord;
	r_body = der_int_body(&r, coord);
	s_body = der_int_body(&s, coord);
	r_len -= (size_t)(r - sig);
	s_len -= (size_t)(s - (sig + coord));
	body = 2 + r_body + 2 + s_body;

	*p++ = 0x30;
	if (body >= 0x80)
		*p++ = 0x81;
	*p++ = (unsigned char)body;
	p = der_put_int(p, r, r_body, r_len);
	p = der_put_int(p, s, s_body, s_len);
	return (size_t)(p - der);
}

/*
 * Whether PKEY is a key for ALG and SIG_LEN the length they call for:
 * the modulus for RSA, the fixed length for ECDSA and EdDSA.
 */
static bool
sig_shape_ok(const struct alg_info *alg, EVP_PKEY *pkey, size_t sig_len)
{
	int size;

	switch (alg->family) {
	case ALG_FAMILY_RSA:
	case ALG_FAMILY_PSS:
		size = EVP_PKEY_get_size(pkey);
		return EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA &&
		    size > 0 && (size_t)size == sig_len;
	case ALG_FAMILY_EC:
		return sig_len == alg->sig_len && ec_curve_is(pkey, alg);
	case ALG_FAMILY_EDDSA:
		return sig_len == alg->sig_len &&
		    EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519;
	default:
		return false;
	}
}

/*
 * EVP_DigestVerify() of S (S_LEN bytes, DER for ECDSA) over MSG with
 * PKEY for ALG.  Returns as sig_verify().
 */
static int
digest_verify(const struct alg_info *alg, EVP_PKEY *pkey,
    const unsigned char *msg, size_t msg_len,
    const unsigned char *s, size_t s_len)
{
	EVP_MD_CTX *md;
	EVP_PKEY_CTX *pctx = NULL;
	int ret = PJ_ERR_INTERNAL;

	md = EVP_MD_CTX_new();
	if (md == NULL)
		return PJ_ERR_NOMEM;
	/* EdDSA has no separate digest: ALG->digest is NULL for it. */
	if (EVP_DigestVerifyInit_ex(md, &pctx, alg->digest, NULL, NULL, pkey,
	    NULL) != 1)
		goto out;
	/*
	 * RFC 7518 section 3.5: MGF1 with the same hash (OpenSSL's default
	 * is the signature digest) and a salt exactly the digest's length,
	 * which OpenSSL then requires when verifying.
	 */
	if (alg->family == ALG_FAMILY_PSS &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) !=
	    1))
		goto out;
	/* Anything but 1 (0 or a negative error) is no valid signature. */
	ret = PJ_ERR_REFUSED;
	if (EVP_DigestVerify(md, s, s_len, msg, msg_len) != 1)
		goto out;
	ret = PJ_OK;
out:
	EVP_MD_CTX_free(md);
	return ret;
}

int
sig_verify(const struct alg_info *alg, EVP_PKEY *pkey,
    const unsigned char *msg, size_t msg_len,
    const unsigned char *sig, size_t sig_len)
{
	unsigned char der[ECDSA_DER_MAX];
	const unsigned char *s = sig;
	size_t s_len = sig_len;
	int ret = PJ_ERR_REFUSED;

	ERR_set_mark();
	if (alg == NULL || pkey == NULL || sig == NULL ||
	    (msg == NULL && msg_len != 0))
		goto out;
	if (msg == NULL)
		msg = (const unsigned char *)"";
	if (!sig_shape_ok(alg, pkey, sig_len))
		goto out;
	if (alg->family == ALG_FAMILY_EC) {
		s_len = ecdsa_to_der(alg, sig, der);
		if (s_len == 0)
			goto out;
		s = der;
	}
	ret = digest_verify(alg, pkey, msg, msg_len, s, s_len);
out:
	ERR_pop_to_mark();
	return ret;
}

int
sig_verify_hmac(const struct alg_info *alg,
    const unsigned char *secret, size_t secret_len,
    const unsigned char *msg, size_t msg_len,
    const unsigned char *sig, size_t sig_len)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t mac_len = 0;
	int ret = PJ_ERR_REFUSED;

	ERR_set_mark();
	if (alg == NULL || alg->family != ALG_FAMILY_HMAC || sig == NULL ||
	    (msg == NULL && msg_len != 0) ||
	    (secret == NULL && secret_len != 0))
		goto out;
	/* RFC 7518 section 3.2: the whole tag, never a truncated one. */
	if (sig_len != alg->digest_len)
		goto out;
	if (msg == NULL)
		msg = (const unsigned char *)"";
	if (secret == NULL)
		secret = (const unsigned char *)"";
	if (EVP_Q_mac(NULL, "HMAC", NULL, alg->digest, NULL, secret,
	    secret_len, msg, msg_len, mac, sizeof(mac), &mac_len) == NULL) {
		ret = PJ_ERR_INTERNAL;
		goto out;
	}
	if (mac_len != sig_len || CRYPTO_memcmp(mac, sig, sig_len) != 0)
		goto out;
	ret = PJ_OK;
out:
	wipe(mac, sizeof(mac));
	ERR_pop_to_mark();
	return ret;
}
