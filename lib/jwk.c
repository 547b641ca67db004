/*
 * JWK metadata and key building.
 *
 * jwk_from_json() reads and checks the members a key set carries (RFC
 * 7517 section 4, RFC 7518 section 6, RFC 8037 section 2) without
 * building anything: the OpenSSL key of the one JWK a token selects is
 * built by jwk_pkey() with EVP_PKEY_fromdata() in the default library
 * context.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include "b64url.h"
#include "jsonstrict.h"
#include "jwk.h"
#include "wipe.h"

/* The curves of RFC 7518 section 6.2.1.1 and RFC 8037 section 2. */
struct jwk_curve {
	const char *crv;	/* the JWK "crv" */
	enum jwk_kty kty;
	int nid;
	size_t coord_len;	/* bytes of x (and y for EC) */
	bool supported;
};

static const struct jwk_curve jwk_curves[] = {
	{ "P-256", JWK_KTY_EC, NID_X9_62_prime256v1, 32, true },
	{ "P-384", JWK_KTY_EC, NID_secp384r1, 48, true },
	{ "P-521", JWK_KTY_EC, NID_secp521r1, 66, true },
	{ "Ed25519", JWK_KTY_OKP, NID_ED25519, 32, true },
	/* RFC 8037 knows it, pam_jwt does not verify with it. */
	{ "Ed448", JWK_KTY_OKP, NID_ED448, 57, false }
};

#define JWK_NCURVES (sizeof(jwk_curves) / sizeof(jwk_curves[0]))

/* The largest coordinate: P-521's 66 bytes. */
#define JWK_MAX_COORD 66

/* Whether the LEN bytes at S are the C string LIT. */
static bool
str_is(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

/*
 * Member NAME of OBJ as a string.  Returns 1 with *S and *LEN when it is
 * one, 0 when absent, -1 when present with any other type (null too).
 */
static int
member_string(struct json_object *obj, const char *name, const char **s,
    size_t *len)
{
	if (!jsonstrict_has(obj, name))
		return 0;
	if (!jsonstrict_get_string(jsonstrict_get(obj, name), s, len))
		return -1;
	return 1;
}

/* A required member that must be strict base64url. */
static bool
member_b64(struct json_object *obj, const char *name, const char **s,
    size_t *len)
{
	return member_string(obj, name, s, len) == 1 && *len > 0 &&
	    b64url_is_valid(*s, *len);
}

static const struct jwk_curve *
curve_by_name(const char *crv, size_t len)
{
	size_t i;

	for (i = 0; i < JWK_NCURVES; i++) {
		if (str_is(crv, len, jwk_curves[i].crv))
			return &jwk_curves[i];
	}
	return NULL;
}

static const struct jwk_curve *
curve_by_nid(int nid)
{
	size_t i;

	for (i = 0; i < JWK_NCURVES; i++) {
		if (jwk_curves[i].nid == nid)
			return &jwk_curves[i];
	}
	return NULL;
}

/* Bits of a big-endian number of LEN bytes whose first byte is not 0. */
static size_t
be_bits(const unsigned char *p, size_t len)
{
	size_t bits = (len - 1) * 8;
	unsigned char top = p[0];

	while (top != 0) {
		bits++;
		top >>= 1;
	}
	return bits;
}

/* RFC 7518 section 6.3.1: "n" and "e", base64url of unsigned numbers. */
static int
parse_rsa(struct json_object *obj, struct jwk *key)
{
	const char *n, *e;
	size_t n_len, e_len, bin_len, i;
	unsigned char *bin = NULL;
	int ret = PJ_ERR_REFUSED;

	if (!member_b64(obj, "n", &n, &n_len) ||
	    !member_b64(obj, "e", &e, &e_len))
		goto out;
	ret = b64url_decode_alloc(n, n_len, &bin, &bin_len);
	if (ret != PJ_OK)
		goto out;
	ret = PJ_ERR_REFUSED;

	/* The modulus as OpenSSL sizes signatures: no leading zeros. */
	for (i = 0; i < bin_len && bin[i] == 0; i++)
		;
	if (i == bin_len)
		goto out;
	key->modulus_len = bin_len - i;
	if (be_bits(bin + i, bin_len - i) < JWK_MIN_RSA_BITS)
		key->unusable = REASON_WEAK_KEY;
	ret = PJ_OK;
out:
	free(bin);
	return ret;
}

/*
 * RFC 7518 section 6.2.1 and RFC 8037 section 2: "crv", "x" and, for EC,
 * "y", each coordinate exactly as long as the curve's field.  A curve
 * pam_jwt does not know or use leaves the key unusable.
 */
static int
parse_curve(struct json_object *obj, struct jwk *key)
{
	const struct jwk_curve *curve;
	const char *crv, *x, *y;
	size_t crv_len, x_len, y_len;
	bool ec = key->kty == JWK_KTY_EC;

	if (member_string(obj, "crv", &crv, &crv_len) != 1 ||
	    !member_b64(obj, "x", &x, &x_len))
		return PJ_ERR_REFUSED;
	if (ec && !member_b64(obj, "y", &y, &y_len))
		return PJ_ERR_REFUSED;
	curve = curve_by_name(crv, crv_len);
	if (curve == NULL || curve->kty != key->kty) {
		key->unusable = REASON_KEY_ALG_MISMATCH;
		return PJ_OK;
	}
	if (b64url_decoded_len(x_len) != curve->coord_len ||
	    (ec && b64url_decoded_len(y_len) != curve->coord_len))
		return PJ_ERR_REFUSED;
	key->curve_nid = curve->nid;
	if (!curve->supported)
		key->unusable = REASON_KEY_ALG_MISMATCH;
	return PJ_OK;
}

/* RFC 7517 section 4.3: an array of strings; may it verify? */
static int
parse_key_ops(struct json_object *obj, struct jwk *key)
{
	struct json_object *ops;
	const char *s;
	size_t i, n, len;

	key->ops_verify = true;
	if (!jsonstrict_has(obj, "key_ops"))
		return PJ_OK;
	ops = jsonstrict_get(obj, "key_ops");
	if (!json_object_is_type(ops, json_type_array))
		return PJ_ERR_REFUSED;
	key->ops_verify = false;
	n = json_object_array_length(ops);
	for (i = 0; i < n; i++) {
		if (!jsonstrict_get_string(json_object_array_get_idx(ops, i),
		    &s, &len))
			return PJ_ERR_REFUSED;
		if (str_is(s, len, "verify"))
			key->ops_verify = true;
	}
	return PJ_OK;
}

/* "kid", "use", "alg" and "key_ops": the members every kty shares. */
static int
parse_common(struct json_object *obj, struct jwk *key)
{
	const char *s;
	size_t len;
	int r;

	r = member_string(obj, "kid", &s, &len);
	if (r < 0)
		return PJ_ERR_REFUSED;
	if (r > 0) {
		key->kid = malloc(len + 1);
		if (key->kid == NULL)
			return PJ_ERR_NOMEM;
		memcpy(key->kid, s, len);
		key->kid[len] = '\0';
		key->kid_len = len;
	}

	/* RFC 7517 section 4.2: anything but "sig" is not for us. */
	r = member_string(obj, "use", &s, &len);
	if (r < 0)
		return PJ_ERR_REFUSED;
	key->use_sig = r == 0 || str_is(s, len, "sig");

	/*
	 * RFC 7517 section 4.4.  A name pam_jwt does not verify with
	 * ("RSA-OAEP", "none") still binds the key: to nothing we accept.
	 */
	r = member_string(obj, "alg", &s, &len);
	if (r < 0)
		return PJ_ERR_REFUSED;
	if (r > 0) {
		key->alg = alg_lookup(s, len);
		if (key->alg == NULL || key->alg->family == ALG_FAMILY_HMAC)
			key->unusable = REASON_KEY_ALG_MISMATCH;
	}
	return parse_key_ops(obj, key);
}

int
jwk_from_json(struct json_object *obj, struct jwk *key)
{
	const char *kty;
	size_t kty_len;
	int ret = PJ_ERR_REFUSED;

	memset(key, 0, sizeof(*key));
	if (!json_object_is_type(obj, json_type_object))
		goto out;
	if (member_string(obj, "kty", &kty, &kty_len) != 1)
		goto out;
	ret = parse_common(obj, key);
	if (ret != PJ_OK)
		goto out;

	if (str_is(kty, kty_len, "RSA")) {
		key->kty = JWK_KTY_RSA;
		ret = parse_rsa(obj, key);
	} else if (str_is(kty, kty_len, "EC")) {
		key->kty = JWK_KTY_EC;
		ret = parse_curve(obj, key);
	} else if (str_is(kty, kty_len, "OKP")) {
		key->kty = JWK_KTY_OKP;
		ret = parse_curve(obj, key);
	} else {
		/* "oct" and anything newer: never a verification key here. */
		key->kty = JWK_KTY_OTHER;
		key->unusable = REASON_KEY_ALG_MISMATCH;
		ret = PJ_OK;
	}
	if (ret != PJ_OK)
		goto out;
	if (key->unusable == REASON_NONE && (!key->use_sig || !key->ops_verify))
		key->unusable = REASON_KEY_ALG_MISMATCH;
	key->json = json_object_get(obj);
out:
	if (ret != PJ_OK)
		jwk_clear(key);
	return ret;
}

int
jwk_from_pkey(EVP_PKEY *pkey, struct jwk *key)
{
	const struct jwk_curve *curve;
	char group[64];
	int nid = NID_undef;

	memset(key, 0, sizeof(*key));
	key->pkey = pkey;
	key->use_sig = true;
	key->ops_verify = true;
	key->unusable = REASON_KEY_ALG_MISMATCH;

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
		key->kty = JWK_KTY_RSA;
		key->modulus_len = (size_t)EVP_PKEY_get_size(pkey);
		key->unusable = EVP_PKEY_get_bits(pkey) < JWK_MIN_RSA_BITS ?
		    REASON_WEAK_KEY : REASON_NONE;
		break;
	case EVP_PKEY_EC:
		key->kty = JWK_KTY_EC;
		if (EVP_PKEY_get_group_name(pkey, group, sizeof(group),
		    NULL) == 1)
			nid = OBJ_txt2nid(group);
		break;
	case EVP_PKEY_ED25519:
		key->kty = JWK_KTY_OKP;
		nid = NID_ED25519;
		break;
	case EVP_PKEY_ED448:
		key->kty = JWK_KTY_OKP;
		nid = NID_ED448;
		break;
	default:
		/* RSA-PSS-restricted keys, DSA, X25519...: not for JWS. */
		key->kty = JWK_KTY_OTHER;
		break;
	}
	curve = curve_by_nid(nid);
	if (curve != NULL && curve->kty == key->kty) {
		key->curve_nid = nid;
		if (curve->supported)
			key->unusable = REASON_NONE;
	}
	return PJ_OK;
}

enum reason
jwk_suits(const struct jwk *key, const struct alg_info *alg)
{
	bool family;

	if (key == NULL || alg == NULL)
		return REASON_KEY_ALG_MISMATCH;
	switch (alg->family) {
	case ALG_FAMILY_RSA:
	case ALG_FAMILY_PSS:
		family = key->kty == JWK_KTY_RSA;
		break;
	case ALG_FAMILY_EC:
		family = key->kty == JWK_KTY_EC &&
		    key->curve_nid == alg->curve_nid;
		break;
	case ALG_FAMILY_EDDSA:
		family = key->kty == JWK_KTY_OKP &&
		    key->curve_nid == alg->curve_nid;
		break;
	default:
		/* HMAC never uses a public key (RFC 8725 section 2.1). */
		family = false;
		break;
	}
	if (!family)
		return REASON_KEY_ALG_MISMATCH;
	if (key->unusable != REASON_NONE)
		return key->unusable;
	if (!key->use_sig || !key->ops_verify)
		return REASON_KEY_ALG_MISMATCH;
	/* RFC 7517 section 4.4: a key bound to one algorithm only. */
	if (key->alg != NULL && key->alg != alg)
		return REASON_KEY_ALG_MISMATCH;
	return REASON_NONE;
}

size_t
jwk_sig_len(const struct jwk *key, const struct alg_info *alg)
{
	if (alg->family == ALG_FAMILY_RSA || alg->family == ALG_FAMILY_PSS)
		return key->modulus_len;
	return alg->sig_len;
}

/* Make a public key of type NAME from PARAMS. */
static EVP_PKEY *
pkey_fromdata(const char *name, OSSL_PARAM *params)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;

	ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
	if (ctx == NULL)
		return NULL;
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* Decode member NAME (already checked) into a fresh BIGNUM. */
static BIGNUM *
member_bn(struct json_object *obj, const char *name)
{
	const char *s;
	size_t len, bin_len;
	unsigned char *bin = NULL;
	BIGNUM *bn = NULL;

	if (!member_b64(obj, name, &s, &len) ||
	    b64url_decode_alloc(s, len, &bin, &bin_len) != PJ_OK)
		return NULL;
	if (bin_len <= INT32_MAX)
		bn = BN_bin2bn(bin, (int)bin_len, NULL);
	free(bin);
	return bn;
}

/*
 * An RSA public key.  Cheap sanity checks replace EVP_PKEY_public_check(),
 * whose Miller-Rabin round on the modulus would cost more than the whole
 * signature check: n odd, e odd, 1 < e < n.  OpenSSL itself refuses
 * moduli above 16384 bits and large exponents with large moduli when it
 * verifies.
 */
static EVP_PKEY *
build_rsa(struct json_object *obj)
{
	BIGNUM *n = NULL, *e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;

	n = member_bn(obj, "n");
	e = member_bn(obj, "e");
	if (n == NULL || e == NULL)
		goto out;
	if (!BN_is_odd(n) || !BN_is_odd(e) || BN_is_one(e) ||
	    BN_cmp(e, n) >= 0)
		goto out;
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (params == NULL)
		goto out;
	pkey = pkey_fromdata("RSA", params);
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

/*
 * Decode coordinate NAME (checked at parse time) into exactly LEN bytes
 * at OUT.
 */
static bool
member_coord(struct json_object *obj, const char *name, unsigned char *out,
    size_t len)
{
	const char *s;
	size_t s_len, n;

	if (!member_b64(obj, name, &s, &s_len) ||
	    b64url_decoded_len(s_len) != len)
		return false;
	return b64url_decode(s, s_len, out, &n) == PJ_OK && n == len;
}

/*
 * An EC or Ed25519 key.  The parameters live on the stack: nothing to
 * allocate.  For EC, EVP_PKEY_fromdata() decodes the uncompressed point
 * with EC_POINT_oct2point(), which refuses coordinates outside the field
 * and points not on the curve (the invalid-curve attack).
 */
static EVP_PKEY *
build_curve(const struct jwk *key)
{
	const struct jwk_curve *curve = curve_by_nid(key->curve_nid);
	unsigned char pub[1 + 2 * JWK_MAX_COORD];
	OSSL_PARAM params[3];
	char group[8];
	size_t len;

	if (curve == NULL || !curve->supported)
		return NULL;
	if (key->kty == JWK_KTY_EC) {
		/* OSSL_PARAM wants a mutable string: "P-256" and the like. */
		len = strlen(curve->crv);
		if (len >= sizeof(group))
			return NULL;
		memcpy(group, curve->crv, len + 1);
		/* SEC 1 section 2.3.3: 0x04 || x || y. */
		pub[0] = 0x04;
		if (!member_coord(key->json, "x", pub + 1, curve->coord_len) ||
		    !member_coord(key->json, "y", pub + 1 + curve->coord_len,
		    curve->coord_len))
			return NULL;
		len = 1 + 2 * curve->coord_len;
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
		params[1] = OSSL_PARAM_construct_octet_string(
		    OSSL_PKEY_PARAM_PUB_KEY, pub, len);
		params[2] = OSSL_PARAM_construct_end();
		return pkey_fromdata("EC", params);
	}
	if (!member_coord(key->json, "x", pub, curve->coord_len))
		return NULL;
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    pub, curve->coord_len);
	params[1] = OSSL_PARAM_construct_end();
	return pkey_fromdata("ED25519", params);
}

EVP_PKEY *
jwk_pkey(struct jwk *key)
{
	if (key == NULL)
		return NULL;
	if (key->pkey != NULL || key->json == NULL)
		return key->pkey;

	/* A key that cannot be built leaves no error on the host's queue. */
	ERR_set_mark();
	switch (key->kty) {
	case JWK_KTY_RSA:
		key->pkey = build_rsa(key->json);
		break;
	case JWK_KTY_EC:
	case JWK_KTY_OKP:
		key->pkey = build_curve(key);
		break;
	default:
		break;
	}
	ERR_pop_to_mark();
	return key->pkey;
}

void
jwk_clear(struct jwk *key)
{
	if (key == NULL)
		return;
	free(key->kid);
	json_object_put(key->json);
	EVP_PKEY_free(key->pkey);
	memset(key, 0, sizeof(*key));
}
