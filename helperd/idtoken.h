/*
 * ID tokens the helper receives (OpenID Connect Core 1.0, 2 and 3.1.3.7):
 * verified by the core verifier before they are stored, with the issuer's
 * policy but with the helper's client_id as the audience (DESIGN.md
 * "Helper").  Access-token-only rules (typ, token_use, require_scope,
 * require_group) do not apply to them.
 */
#ifndef PJ_IDTOKEN_H
#define PJ_IDTOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "log.h"
#include "reason.h"

/* True when some policy of CFG for ISSUER names a client_id. */
bool idtoken_can_verify(const struct config *cfg, const char *issuer);

/*
 * Verify the ID token TOKEN for the PAM user USER at time NOW against
 * every policy of CFG for ISSUER that names a client_id, each with
 * audience client_id (claim "aud"), no typ, no token_use, no
 * require_scope and no require_group, every other key as configured.
 * The token must also name ISSUER and, when SUBJECT is not NULL, SUBJECT
 * (the access token's).  Key files are read afresh.
 *
 * Returns PJ_OK; PJ_ERR_REFUSED with *WHY and MSG (a reason name's
 * explanation, no token); PJ_ERR_FILE, PJ_ERR_CONFIG or PJ_ERR_NOMEM
 * (MSG says so).
 */
int idtoken_verify(const struct config *cfg, const struct pj_log *log,
    const char *token, const char *user, const char *issuer,
    const char *subject, int64_t now, enum reason *why, char *msg,
    size_t msg_size);

#endif
