/*
 * A key set: the keys of one jwks_file, a JWKS document or one or more
 * PEM public keys, and key selection for a token (RFC 7515 section 4.1.4;
 * RFC 7517 section 5).  Unusable keys stay in the set so that a token
 * selecting one is refused with the precise reason.
 */
#ifndef PJ_KEYSET_H
#define PJ_KEYSET_H

#include <stddef.h>

#include "alg.h"
#include "jwk.h"
#include "log.h"

struct keyset {
	struct jwk *keys;
	size_t count;
	struct json_object *doc;	/* the parsed JWKS, NULL for PEM */
};

/*
 * Parse LEN bytes of a key file: a JWKS ({"keys": [...]}) or PEM
 * "PUBLIC KEY" / "RSA PUBLIC KEY" blocks.  Keys of kty "oct", malformed
 * members or unusable keys are logged at LOG_WARNING (naming the kid) and
 * skipped ("oct", malformed) or kept but marked unusable.  NAME is the
 * file name for log lines.  Returns PJ_OK with *SET filled (it may hold no
 * key), PJ_ERR_REFUSED when the content is neither a JWKS nor PEM, or
 * PJ_ERR_NOMEM.
 */
int keyset_parse(const char *buf, size_t len, const char *name,
    const struct pj_log *log, struct keyset *set);

/*
 * Candidates for a token with algorithm ALG and the header's KID (KID_LEN
 * exact bytes; KID NULL when the header has none).  With a kid: the one
 * key whose kid is byte-for-byte equal, which must suit ALG (should a set
 * repeat a kid, each key of that kid that suits, in file order).  Without:
 * each key that suits ALG, in file order (a PEM key has no kid and is
 * always a candidate when it suits, with or without a kid).
 *
 * Fills OUT (room for MAX pointers) and *N.  Returns REASON_NONE when
 * there is at least one candidate; else REASON_UNKNOWN_KID (no key has
 * that kid), REASON_KEY_ALG_MISMATCH or REASON_WEAK_KEY (the kid's key
 * does not suit), or REASON_NO_KEY (no kid and no suitable key).
 */
enum reason keyset_select(const struct keyset *set,
    const struct alg_info *alg, const char *kid, size_t kid_len,
    struct jwk **out, size_t max, size_t *n);

/* Free what SET holds (not SET itself). */
void keyset_clear(struct keyset *set);

#endif
