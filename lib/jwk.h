/*
 * One public key: from a JWK (RFC 7517, RFC 7518 section 6, RFC 8037) or a
 * PEM public key.  A JWK's metadata is read when the key set is loaded;
 * the OpenSSL key itself is built (EVP_PKEY_fromdata) only when a token
 * selects the key, because a login is a fresh process and builds at most
 * one key.
 */
#ifndef PJ_JWK_H
#define PJ_JWK_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "alg.h"
#include "reason.h"

#define JWK_MIN_RSA_BITS 2048

enum jwk_kty { JWK_KTY_OTHER, JWK_KTY_RSA, JWK_KTY_EC, JWK_KTY_OKP };

struct jwk {
	char *kid;		/* NULL when the key has none */
	size_t kid_len;		/* exact bytes; kids compare with this */
	enum jwk_kty kty;
	int curve_nid;		/* EC: NID_X9_62_prime256v1...; OKP:
				   NID_ED25519 or NID_ED448; else 0 */
	const struct alg_info *alg;	/* the JWK's "alg", NULL if none */
	bool use_sig;		/* "use" absent or "sig" */
	bool ops_verify;	/* "key_ops" absent or holding "verify" */
	size_t modulus_len;	/* RSA: bytes of n without leading zeros */
	/*
	 * Why the key can never be used (REASON_NONE when it can):
	 * REASON_WEAK_KEY for RSA under 2048 bits, REASON_KEY_ALG_MISMATCH
	 * for an unsupported curve or kty or "use": "enc".
	 */
	enum reason unusable;
	struct json_object *json;	/* the JWK (a reference); NULL: PEM */
	EVP_PKEY *pkey;		/* built on demand; at once for PEM */
};

/*
 * Read a JWK object's metadata into *KEY (zeroed first).  The key is not
 * built.  Returns PJ_OK (KEY->unusable may still be set: the caller skips
 * such keys with a log line), PJ_ERR_REFUSED when OBJ is not a JWK of a
 * known shape (missing or malformed members), or PJ_ERR_NOMEM.
 */
int jwk_from_json(struct json_object *obj, struct jwk *key);

/*
 * Wrap an OpenSSL public key read from PEM: takes ownership of PKEY and
 * fills the metadata from it.  Returns PJ_OK or PJ_ERR_NOMEM.
 */
int jwk_from_pkey(EVP_PKEY *pkey, struct jwk *key);

/*
 * Whether KEY may verify a signature of ALG: family (RSA for RS and PS),
 * curve, the JWK's "alg" when it has one, "use" and "key_ops", and the
 * key's own usability.  Returns REASON_NONE, REASON_KEY_ALG_MISMATCH or
 * REASON_WEAK_KEY.
 */
enum reason jwk_suits(const struct jwk *key, const struct alg_info *alg);

/*
 * The signature length ALG requires with KEY: the modulus for RS and PS,
 * ALG's fixed length otherwise.
 */
size_t jwk_sig_len(const struct jwk *key, const struct alg_info *alg);

/*
 * The OpenSSL key, built from the JWK on first use with
 * EVP_PKEY_fromdata in the default library context.  Returns NULL when
 * the JWK's numbers do not make a valid key (not a point on the curve,
 * even modulus...) or memory ran out.  The key stays owned by KEY.
 */
EVP_PKEY *jwk_pkey(struct jwk *key);

/* Free what KEY holds (not KEY itself). */
void jwk_clear(struct jwk *key);

#endif
