/*
 * Key set upkeep (DESIGN.md "Helper"): the helper fetches each issuer's
 * jwks_uri (found through discovery), checks it with the core, and
 * replaces the policy's jwks_file atomically, on a schedule bounded by
 * jwks_refresh_min and jwks_refresh_max and on demand (the jwks_refresh
 * op, at most once per jwks_refresh_min).  A failed or invalid fetch
 * never replaces a good file.
 *
 * The helper keeps a jwks_file only when the file's folder belongs to
 * the helper's own user (DESIGN.md "Files"); a key file in a folder of
 * root's is the administrator's and is left alone.
 */
#ifndef PJ_HELPERD_JWKS_H
#define PJ_HELPERD_JWKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "log.h"
#include "verify.h"

/* Results besides PJ_OK and PJ_ERR_NOMEM. */
#define JWKS_ERR_NOT_KEPT (-70)	/* no key set kept for that issuer */
#define JWKS_ERR_FETCH (-71)	/* a fetch failed; the file is kept */

struct jwks;

/*
 * The key sets of CFG's policies the helper keeps (CFG, LOG and
 * *VERIFIER must outlive it).  When a file changes, *VERIFIER is
 * replaced by a new verifier for CFG, so that the helper's own checks
 * see the new keys.  Every key set is due at once.  Returns PJ_OK and
 * *OUT (also when it keeps nothing), or PJ_ERR_NOMEM.  Logs, at
 * LOG_INFO, each jwks_file it keeps or leaves alone.
 */
int jwks_new(const struct config *cfg, const struct pj_log *log,
    struct verifier **verifier, struct jwks **out);

/* Free J; NULL is fine. */
void jwks_free(struct jwks *j);

/*
 * Fetch every key set that is due at NOW_MS (proto_now_ms() time).
 * Returns the milliseconds until the next is due, or -1 when J keeps
 * none.  Blocks for the fetches (each bounded by the HTTP timeouts).
 */
int64_t jwks_run_due(struct jwks *j, int64_t now_ms);

/*
 * The jwks_refresh op: fetch now the key set of ISSUER (NULL: every one
 * kept), except one fetched less than its jwks_refresh_min ago.
 * *FETCHED: at least one fetch was made; *CHANGED: a file changed.
 * Returns PJ_OK, JWKS_ERR_NOT_KEPT, JWKS_ERR_FETCH (MSG says which and
 * why) or PJ_ERR_NOMEM.
 */
int jwks_refresh(struct jwks *j, const char *issuer, int64_t now_ms,
    bool *fetched, bool *changed, char *msg, size_t msg_size);

/*
 * Whether the key set in BUF (LEN bytes) may replace a jwks_file of
 * policy P: the core parses it, and at least one key is usable for
 * signatures with an algorithm P accepts.  Returns the number of such
 * keys (0: refuse), or -1 when the core cannot parse it at all.
 */
long jwks_usable_keys(const char *buf, size_t len, const struct policy *p,
    const struct pj_log *log);

#endif
