/*
 * JWS compact serialization (RFC 7515 sections 3.1, 5.2 and 7.1): three
 * non-empty segments of strict base64url separated by '.', a protected
 * header that is a strict JSON object, and the checks on that header that
 * come before any key is chosen.  The payload is decoded only after a
 * signature has been verified.
 */
#ifndef PJ_JWS_H
#define PJ_JWS_H

#include <stddef.h>

#include <json-c/json.h>

#include "alg.h"
#include "explain.h"
#include "reason.h"

struct jws {
	const char *seg[3];		/* into the caller's input */
	size_t seg_len[3];
	size_t signing_input_len;	/* seg[0] "." seg[1] */
	struct json_object *header;
	const struct alg_info *alg;
	const char *kid;		/* into HEADER; NULL when absent */
	size_t kid_len;
	unsigned char *sig;		/* decoded signature */
	size_t sig_len;
};

/*
 * Split the LEN bytes at IN (already trimmed) into three non-empty
 * segments of base64url characters.  Returns REASON_NONE or
 * REASON_MALFORMED.  JWS is zeroed first; nothing is allocated.
 */
enum reason jws_split(const char *in, size_t len, struct jws *jws);

/*
 * Decode and parse the first LEN bytes at SEG as a header: PJ_OK and
 * *HEADER when they are strict base64url of a strict JSON object;
 * PJ_ERR_REFUSED otherwise (not a token); PJ_ERR_NOMEM.
 */
int jws_decode_header(const char *seg, size_t len,
    struct json_object **header);

/*
 * Parse the header of a split JWS and check it against ALLOWED (an
 * ALG_BIT mask) and TYPS (N_TYPS accepted "typ" values, case-insensitive,
 * "application/" ignored; none: any): "alg" a listed name, "kid", "typ",
 * "cty" strings, no "crit", "b64" absent or true.  Header keys ("jwk",
 * "jku", "x5u", "x5c") are never used.  Decodes the signature too.
 * Returns REASON_NONE, or the refusal's reason with a message in MSG.
 * Failures of memory are REASON_COUNT with *ERR = PJ_ERR_NOMEM.
 */
enum reason jws_parse(struct jws *jws, unsigned allowed,
    char *const *typs, size_t n_typs, const struct explain *ex,
    char *msg, size_t msgsize, int *err);

/*
 * Decode the payload of a JWS whose signature holds: REASON_NONE and
 * *PAYLOAD, REASON_MALFORMED (base64url) or REASON_BAD_JSON (not a strict
 * JSON object).  *ERR as for jws_parse.
 */
enum reason jws_payload(const struct jws *jws, struct json_object **payload,
    int *err);

/* Free what JWS holds. */
void jws_clear(struct jws *jws);

#endif
