/*
 * The signature layer: one JWS signature over a signing input (RFC 7515
 * section 5.2, RFC 7518 section 3, RFC 8037 section 3.1).  It judges
 * signatures only; key policy (RSA size, HMAC secret length) belongs to
 * key loading and the configuration.
 */
#ifndef PJ_SIG_H
#define PJ_SIG_H

#include <stddef.h>

#include <openssl/evp.h>

#include "alg.h"

/*
 * Verify SIG (SIG_LEN bytes, exactly as JWS encodes it: raw r||s for
 * ECDSA) over MSG with the public key PKEY for ALG, which must not be an
 * HMAC algorithm.  A signature of any other length than the algorithm and
 * key call for is invalid.  PSS uses MGF1 with the same digest and a salt
 * of the digest length.  Returns PJ_OK for a valid signature,
 * PJ_ERR_REFUSED for an invalid one, PJ_ERR_NOMEM or PJ_ERR_INTERNAL.
 */
int sig_verify(const struct alg_info *alg, EVP_PKEY *pkey,
    const unsigned char *msg, size_t msg_len,
    const unsigned char *sig, size_t sig_len);

/*
 * Verify an HMAC tag with SECRET (SECRET_LEN bytes, any length) in
 * constant time.  A tag of any other length than the digest is invalid.
 * Returns as sig_verify().
 */
int sig_verify_hmac(const struct alg_info *alg,
    const unsigned char *secret, size_t secret_len,
    const unsigned char *msg, size_t msg_len,
    const unsigned char *sig, size_t sig_len);

#endif
