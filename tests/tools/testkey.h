/*
 * Test keys made at run time: generation, the public JWK of a key, and
 * JWS signatures (raw r||s for ECDSA).  Used by the token maker and the
 * unit tests; never part of the installed product.
 */
#ifndef PJ_TESTKEY_H
#define PJ_TESTKEY_H

#include <stddef.h>

#include <openssl/evp.h>

#include "alg.h"

/*
 * A fresh private key of TYPE: "rsa" (2048 bits), "rsa1024", "rsa2047",
 * "rsa3072", "ec256", "ec384", "ec521", "ed25519" or "ed448", or one of
 * a kind no JWS algorithm uses: "secp256k1", "x25519".  NULL for an
 * unknown TYPE or a failure.
 */
EVP_PKEY *testkey_generate(const char *type);

/*
 * KEYS[i] := a fresh key of TYPES[i] for i < N.  Returns 0, or -1 with
 * every KEYS[i] NULL.  testkey_free_all() frees them (NULL entries too).
 */
int testkey_generate_all(const char *const *types, size_t n,
    EVP_PKEY **keys);
void testkey_free_all(EVP_PKEY **keys, size_t n);

/*
 * The public JWK of PKEY as JSON text: kty and its members, then "kid"
 * (unless KID is NULL), then EXTRA verbatim (members such as
 * "\"use\":\"sig\"", or NULL).  Returns a malloc'd string, or NULL.
 */
char *testkey_jwk(EVP_PKEY *pkey, const char *kid, const char *extra);

/*
 * Sign the LEN bytes at MSG for ALG (not HMAC) with the private key PKEY
 * as JWS encodes signatures.  Returns 0 and *SIG (malloc'd) and *SIG_LEN,
 * or -1.
 */
int testkey_sign(const struct alg_info *alg, EVP_PKEY *pkey,
    const unsigned char *msg, size_t len, unsigned char **sig,
    size_t *sig_len);

/*
 * HMAC of MSG for the HS* algorithm ALG with SECRET into OUT (room for
 * EVP_MAX_MD_SIZE).  Returns the tag length, or 0.
 */
size_t testkey_hmac(const struct alg_info *alg, const unsigned char *secret,
    size_t secret_len, const unsigned char *msg, size_t len,
    unsigned char *out);

/* Base64url of N bytes in a malloc'd string, or NULL. */
char *testkey_b64(const unsigned char *in, size_t n);

#endif
