/*
 * Renewal of stored token sets with their refresh token (DESIGN.md
 * "Helper"; RFC 6749 section 6) and their revocation at logout (RFC
 * 7009).
 *
 * A user's access token is renewed at exp - renew_margin, or at half its
 * lifetime when that comes later, a little earlier by a random jitter so
 * that users stored together do not renew in the same second.  Only
 * entries with a refresh token whose issuer's policy names a client_id
 * are renewed.  A new access token must verify for the same user (issuer
 * and subject) before it replaces the old one; a rotated refresh token is
 * committed to the store before anything else happens.  Provider errors
 * and timeouts keep the cached token (served while it verifies) and are
 * retried with exponential back-off; invalid_grant means the grant is
 * gone: the user needs a new login.
 */
#ifndef PJ_HELPERD_RENEW_H
#define PJ_HELPERD_RENEW_H

#include <stdint.h>

#include "config.h"
#include "log.h"
#include "store.h"
#include "verify.h"

/* The jitter is at most this share (percent) of the margin. */
#define RENEW_JITTER_PCT 10
/* Back-off after failures: the first wait, and the longest (seconds). */
#define RENEW_RETRY_MIN 1
#define RENEW_RETRY_MAX 300

/*
 * When (Unix milliseconds) to renew a token received at RECEIVED_MS that
 * expires at EXP (Unix seconds), with MARGIN (renew_margin, seconds >= 0)
 * and RND a uniform random number: the later of EXP - MARGIN and the
 * middle of [RECEIVED_MS, EXP], minus a jitter of RND modulo one more
 * than the smaller of RENEW_JITTER_PCT % of MARGIN and of the lifetime
 * (milliseconds), never before RECEIVED_MS.
 */
int64_t renew_at_ms(int64_t received_ms, int64_t exp, long margin,
    uint32_t rnd);

/*
 * Seconds to wait after FAILURES (>= 1) failed renewals in a row:
 * RENEW_RETRY_MIN doubled for each failure after the first, at most
 * RENEW_RETRY_MAX.
 */
long renew_backoff(unsigned failures);

struct renew;

/*
 * The renewal of STORE's entries under CFG (CFG, LOG, STORE and
 * *VERIFIER must outlive it; *VERIFIER is read at each use, as the key
 * set upkeep may replace it).  Returns PJ_OK and *OUT, or PJ_ERR_NOMEM.
 */
int renew_new(const struct config *cfg, const struct pj_log *log,
    struct store *store, struct verifier **verifier, struct renew **out);

/* Free R; NULL is fine. */
void renew_free(struct renew *r);

/*
 * Renew entries due at the Unix time NOW_MS (milliseconds), at most
 * RENEW_BATCH in one call so that clients are served between batches;
 * schedule entries not yet scheduled.  Blocks for the requests (each
 * bounded by the HTTP timeouts).  Returns the milliseconds until the next
 * entry is due (0: more are due now), or -1 when none is to be renewed.
 */
int64_t renew_run_due(struct renew *r, int64_t now_ms);

/*
 * Revoke E's refresh token at its provider's revocation_endpoint (RFC
 * 7009 section 2.1, token_type_hint refresh_token), when E has one,
 * its policy a client_id and discovery a revocation_endpoint.  Best
 * effort: the outcome is logged, never returned.  E is not changed.
 */
void renew_revoke(struct renew *r, const struct store_entry *e);

/* The Unix time in milliseconds. */
int64_t renew_now_ms(void);

#endif
