/*
 * The algorithm table: RFC 7518 section 3.1 names, digests and signature
 * sizes (section 3.4: ECDSA signatures are the raw 2 * coordinate bytes of
 * r and s), RFC 8037 section 3.1 for EdDSA (Ed25519, 64 bytes).
 */
#include <string.h>

#include <openssl/obj_mac.h>

#include "alg.h"

static const struct alg_info alg_table[ALG_COUNT] = {
	{ ALG_RS256, "RS256", ALG_FAMILY_RSA, "SHA256", 32, 0, 0 },
	{ ALG_RS384, "RS384", ALG_FAMILY_RSA, "SHA384", 48, 0, 0 },
	{ ALG_RS512, "RS512", ALG_FAMILY_RSA, "SHA512", 64, 0, 0 },
	{ ALG_PS256, "PS256", ALG_FAMILY_PSS, "SHA256", 32, 0, 0 },
	{ ALG_PS384, "PS384", ALG_FAMILY_PSS, "SHA384", 48, 0, 0 },
	{ ALG_PS512, "PS512", ALG_FAMILY_PSS, "SHA512", 64, 0, 0 },
	{ ALG_ES256, "ES256", ALG_FAMILY_EC, "SHA256", 32,
	    NID_X9_62_prime256v1, 64 },
	{ ALG_ES384, "ES384", ALG_FAMILY_EC, "SHA384", 48, NID_secp384r1, 96 },
	{ ALG_ES512, "ES512", ALG_FAMILY_EC, "SHA512", 64, NID_secp521r1,
	    132 },
	{ ALG_EDDSA, "EdDSA", ALG_FAMILY_EDDSA, NULL, 0, NID_ED25519, 64 },
	{ ALG_HS256, "HS256", ALG_FAMILY_HMAC, "SHA256", 32, 0, 32 },
	{ ALG_HS384, "HS384", ALG_FAMILY_HMAC, "SHA384", 48, 0, 48 },
	{ ALG_HS512, "HS512", ALG_FAMILY_HMAC, "SHA512", 64, 0, 64 }
};

const struct alg_info *
alg_lookup(const char *name, size_t len)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < ALG_COUNT; i++) {
		const char *n = alg_table[i].name;

		/* Exact length and bytes: "rs256" and "RS256\0" are unknown. */
		if (strlen(n) == len && memcmp(n, name, len) == 0)
			return &alg_table[i];
	}
	return NULL;
}

const struct alg_info *
alg_by_id(enum alg_id id)
{
	if ((unsigned)id >= ALG_COUNT)
		return NULL;
	return &alg_table[id];
}
