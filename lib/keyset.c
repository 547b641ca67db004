/*
 * Key sets: a JWKS document (RFC 7517 section 5) or PEM public keys, and
 * the choice of candidate keys for one token (RFC 7515 section 4.1.4).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "jsonstrict.h"
#include "keyset.h"
#include "strutil.h"

/* Longest kid shown in a log line, before escaping. */
#define KEYSET_LOG_KID 64

/* The key's kid escaped for a log line, or "-" when it has none. */
static void
log_kid(const char *kid, size_t len, char *out, size_t outsize)
{
	if (kid == NULL) {
		strutil_escape("-", 1, 1, out, outsize);
		return;
	}
	strutil_escape(kid, len, KEYSET_LOG_KID, out, outsize);
}

/* Read one member of the "keys" array into SET; log what is skipped. */
static int
jwks_add(struct json_object *obj, size_t idx, const char *name,
    const struct pj_log *log, struct keyset *set)
{
	struct jwk *key = &set->keys[set->count];
	struct json_object *v;
	const char *s = NULL, *kty = NULL;
	size_t len = 0, kty_len = 0;
	char kid[KEYSET_LOG_KID * 4 + 4];
	int ret;

	if (!json_object_is_type(obj, json_type_object)) {
		pj_logf(log, LOG_WARNING,
		    "%s: key #%zu is not a JSON object; skipped", name, idx);
		return PJ_OK;
	}
	v = jsonstrict_get(obj, "kid");
	if (!jsonstrict_get_string(v, &s, &len))
		s = NULL;
	log_kid(s, len, kid, sizeof(kid));

	/* RFC 7518 section 6.4: a shared secret has no place here. */
	if (jsonstrict_get_string(jsonstrict_get(obj, "kty"), &kty,
	    &kty_len) && kty_len == 3 && memcmp(kty, "oct", 3) == 0) {
		pj_logf(log, LOG_WARNING, "%s: key #%zu kid=%s: kty oct "
		    "(a shared secret) is never used from a key set; skipped",
		    name, idx, kid);
		return PJ_OK;
	}

	ret = jwk_from_json(obj, key);
	if (ret == PJ_ERR_NOMEM)
		return ret;
	if (ret != PJ_OK) {
		pj_logf(log, LOG_WARNING, "%s: key #%zu kid=%s: malformed "
		    "or missing members; skipped", name, idx, kid);
		return PJ_OK;
	}
	if (key->unusable != REASON_NONE)
		pj_logf(log, LOG_WARNING, "%s: key #%zu kid=%s: unusable "
		    "(%s); a token selecting it is refused", name, idx, kid,
		    reason_name(key->unusable));
	set->count++;
	return PJ_OK;
}

static int
parse_jwks(const char *buf, size_t len, const char *name,
    const struct pj_log *log, struct keyset *set)
{
	struct json_object *keys;
	size_t i, n;
	int ret;

	ret = jsonstrict_parse_object(buf, len, &set->doc);
	if (ret != PJ_OK)
		goto out;
	ret = PJ_ERR_REFUSED;
	keys = jsonstrict_get(set->doc, "keys");
	if (!json_object_is_type(keys, json_type_array))
		goto out;
	n = json_object_array_length(keys);
	set->keys = calloc(n > 0 ? n : 1, sizeof(*set->keys));
	if (set->keys == NULL) {
		ret = PJ_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		ret = jwks_add(json_object_array_get_idx(keys, i), i, name,
		    log, set);
		if (ret != PJ_OK)
			goto out;
	}
	ret = PJ_OK;
out:
	return ret;
}

/* Append a key read from PEM; takes PKEY. */
static int
pem_add(EVP_PKEY *pkey, size_t *room, const char *name,
    const struct pj_log *log, struct keyset *set)
{
	struct jwk *keys;
	size_t n;

	if (set->count == *room) {
		n = *room == 0 ? 2 : *room * 2;
		keys = realloc(set->keys, n * sizeof(*keys));
		if (keys == NULL) {
			EVP_PKEY_free(pkey);
			return PJ_ERR_NOMEM;
		}
		set->keys = keys;
		*room = n;
	}
	jwk_from_pkey(pkey, &set->keys[set->count]);
	if (set->keys[set->count].unusable != REASON_NONE)
		pj_logf(log, LOG_WARNING, "%s: PEM key #%zu: unusable (%s); "
		    "never tried", name, set->count,
		    reason_name(set->keys[set->count].unusable));
	set->count++;
	return PJ_OK;
}

/*
 * Decode one PEM block's DER: SubjectPublicKeyInfo (RFC 5280 section
 * 4.1.2.7) for "PUBLIC KEY", PKCS#1 RSAPublicKey (RFC 8017 appendix
 * A.1.1) for "RSA PUBLIC KEY".  The DER must be consumed exactly.
 */
static EVP_PKEY *
pem_decode(const char *type, const unsigned char *der, long len)
{
	const unsigned char *p = der;
	EVP_PKEY *pkey = NULL;

	if (strcmp(type, PEM_STRING_PUBLIC) == 0)
		pkey = d2i_PUBKEY(NULL, &p, len);
	else if (strcmp(type, PEM_STRING_RSA_PUBLIC) == 0)
		pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, len);
	if (pkey != NULL && p != der + len) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	return pkey;
}

static int
parse_pem(const char *buf, size_t len, const char *name,
    const struct pj_log *log, struct keyset *set)
{
	BIO *bio;
	char *type = NULL, *header = NULL;
	unsigned char *der = NULL;
	long der_len = 0;
	size_t blocks = 0, room = 0;
	EVP_PKEY *pkey;
	unsigned long err;
	int ret = PJ_ERR_NOMEM;

	if (len > INT32_MAX)
		return PJ_ERR_REFUSED;
	bio = BIO_new_mem_buf(buf, (int)len);
	if (bio == NULL)
		return PJ_ERR_NOMEM;
	/* Reading to the end leaves "no start line" behind: popped. */
	while (PEM_read_bio(bio, &type, &header, &der, &der_len) == 1) {
		blocks++;
		if (header[0] != '\0') {
			pj_logf(log, LOG_WARNING, "%s: PEM block #%zu has "
			    "headers (encrypted?); skipped", name, blocks);
		} else if ((pkey = pem_decode(type, der, der_len)) != NULL) {
			ret = pem_add(pkey, &room, name, log, set);
			if (ret != PJ_OK)
				goto out;
		} else {
			pj_logf(log, LOG_WARNING, "%s: PEM block #%zu (%.40s) "
			    "is no public key pam_jwt reads; skipped", name,
			    blocks, type);
		}
		OPENSSL_free(type);
		OPENSSL_free(header);
		OPENSSL_free(der);
		type = header = NULL;
		der = NULL;
	}
	/* The loop ends at the end of input, or at a damaged block. */
	err = ERR_peek_last_error();
	if (blocks > 0 && ERR_GET_LIB(err) == ERR_LIB_PEM &&
	    ERR_GET_REASON(err) != PEM_R_NO_START_LINE)
		pj_logf(log, LOG_WARNING, "%s: damaged PEM after block #%zu; "
		    "the rest is ignored", name, blocks);
	ret = blocks > 0 ? PJ_OK : PJ_ERR_REFUSED;
out:
	OPENSSL_free(type);
	OPENSSL_free(header);
	OPENSSL_free(der);
	BIO_free(bio);
	return ret;
}

int
keyset_parse(const char *buf, size_t len, const char *name,
    const struct pj_log *log, struct keyset *set)
{
	size_t i = 0;
	int ret;

	memset(set, 0, sizeof(*set));
	if (buf == NULL)
		return PJ_ERR_REFUSED;
	if (name == NULL)
		name = "key set";
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
	    buf[i] == '\r'))
		i++;

	ERR_set_mark();
	if (i < len && buf[i] == '{')
		ret = parse_jwks(buf, len, name, log, set);
	else
		ret = parse_pem(buf, len, name, log, set);
	ERR_pop_to_mark();
	if (ret != PJ_OK)
		keyset_clear(set);
	return ret;
}

enum reason
keyset_select(const struct keyset *set, const struct alg_info *alg,
    const char *kid, size_t kid_len, struct jwk **out, size_t max,
    size_t *n)
{
	enum reason kid_reason = REASON_UNKNOWN_KID, r;
	struct jwk *key;
	size_t i;

	*n = 0;
	if (set == NULL || alg == NULL)
		return kid != NULL ? REASON_UNKNOWN_KID : REASON_NO_KEY;
	for (i = 0; i < set->count; i++) {
		key = &set->keys[i];
		r = jwk_suits(key, alg);
		/*
		 * A kid selects by exact bytes and length, so that
		 * "trusted\0junk" is not "trusted".  A PEM key has no kid
		 * and stays a candidate for every token (DESIGN.md).
		 */
		if (kid != NULL && key->json != NULL) {
			if (key->kid == NULL || key->kid_len != kid_len ||
			    memcmp(key->kid, kid, kid_len) != 0)
				continue;
			/* Why the first key of that kid does not suit. */
			if (kid_reason == REASON_UNKNOWN_KID)
				kid_reason = r != REASON_NONE ? r :
				    REASON_KEY_ALG_MISMATCH;
		}
		if (r == REASON_NONE && *n < max)
			out[(*n)++] = key;
	}
	if (*n > 0)
		return REASON_NONE;
	return kid != NULL ? kid_reason : REASON_NO_KEY;
}

void
keyset_clear(struct keyset *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->count; i++)
		jwk_clear(&set->keys[i]);
	free(set->keys);
	json_object_put(set->doc);
	memset(set, 0, sizeof(*set));
}
