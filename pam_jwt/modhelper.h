/*
 * The module's side of the helper protocol (doc/PROTOCOL.md): after a
 * successful authentication the token is handed to the helper, and the
 * session hooks register and release the login session.
 *
 * Everything here is best effort.  Each exchange (connect, write, read)
 * is bounded by helper_timeout_ms as a whole; a helper that is down,
 * slow or refuses is logged (LOG_INFO or LOG_WARNING, never a token)
 * and changes no PAM result.  No thread, no signal handler.
 */
#ifndef PJ_MODHELPER_H
#define PJ_MODHELPER_H

#include <stddef.h>

#include <security/pam_modules.h>

#include "log.h"
#include "verify.h"

/* The PAM environment variable naming the login session for the helper. */
#define MODHELPER_SESSION_ENV "PAM_JWT_SESSION"

/*
 * After an accepted authentication of USER: set PAM_JWT_SESSION to a
 * fresh random id (32 hex digits), then hand the LEN bytes of TOKEN to
 * the helper at P->helper_socket as op "store" with origin "login".
 * Wipes nothing: the caller wipes TOKEN.  Never fails.
 */
void modhelper_login(pam_handle_t *pamh, const struct policy *p,
    const struct pj_log *log, const char *user, const char *token,
    size_t len);

/* Remove PAM_JWT_SESSION (a failed authentication leaves none). */
void modhelper_clear(pam_handle_t *pamh);

/*
 * The session id PAM_JWT_SESSION names, or NULL when it is unset (a
 * login this module did not authenticate).  PAM's string.
 */
const char *modhelper_session_id(pam_handle_t *pamh);

/*
 * Send op OP ("session_open" or "session_close") for USER and session ID
 * to the helper.  Never fails.
 */
void modhelper_session(const struct policy *p, const struct pj_log *log,
    const char *op, const char *user, const char *id);

/*
 * After a refusal for an unknown kid: ask the helper to fetch every key
 * set it keeps now (op "jwks_refresh" without "issuer": the module reads
 * no payload before a signature holds, so it does not know the token's
 * issuer; the helper rate-limits fetches).  Logged at LOG_INFO when the
 * helper took the request.  Changes no verdict: the next attempt finds
 * the new key.  Never fails.
 */
void modhelper_jwks_refresh(const struct policy *p,
    const struct pj_log *log);

#endif
