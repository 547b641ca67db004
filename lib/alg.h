/*
 * The JWS algorithms pam_jwt knows (RFC 7518 section 3, RFC 8037 for
 * EdDSA).  "none" is not one of them: it can never be looked up, listed or
 * accepted.
 */
#ifndef PJ_ALG_H
#define PJ_ALG_H

#include <stddef.h>

enum alg_family {
	ALG_FAMILY_RSA,		/* RSASSA-PKCS1-v1_5 */
	ALG_FAMILY_PSS,		/* RSASSA-PSS, MGF1, digest-long salt */
	ALG_FAMILY_EC,		/* ECDSA, raw r||s */
	ALG_FAMILY_EDDSA,	/* Ed25519 only */
	ALG_FAMILY_HMAC
};

enum alg_id {
	ALG_RS256, ALG_RS384, ALG_RS512,
	ALG_PS256, ALG_PS384, ALG_PS512,
	ALG_ES256, ALG_ES384, ALG_ES512,
	ALG_EDDSA,
	ALG_HS256, ALG_HS384, ALG_HS512,
	ALG_COUNT
};

struct alg_info {
	enum alg_id id;
	const char *name;	/* "RS256" */
	enum alg_family family;
	const char *digest;	/* OpenSSL digest name, NULL for EdDSA */
	size_t digest_len;	/* bytes; 0 for EdDSA */
	int curve_nid;		/* EC, EdDSA: the key's curve; else 0 */
	size_t sig_len;		/* exact signature bytes; 0 for RSA/PSS,
				   whose length is the key's modulus */
};

/*
 * Look up an algorithm by its exact, case-sensitive name of LEN bytes.
 * Returns NULL for anything unknown, "none" included.
 */
const struct alg_info *alg_lookup(const char *name, size_t len);

/* The entry for ID; never NULL for a valid id. */
const struct alg_info *alg_by_id(enum alg_id id);

/* A bit for each algorithm, for allow-lists. */
#define ALG_BIT(id) (1u << (id))
#define ALG_HMAC_MASK \
	(ALG_BIT(ALG_HS256) | ALG_BIT(ALG_HS384) | ALG_BIT(ALG_HS512))

#endif
