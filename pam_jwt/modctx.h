/*
 * What one call into the module works with: its configuration, the
 * verifier, the PAM user, the input and the verdict, and the outcome the
 * decision line reports.  The pam_sm_* entry points are short lists of
 * calls into this file, authtok.h and modenv.h.  Nothing here is static
 * or shared: a host may call the module from several threads.
 */
#ifndef PJ_MODCTX_H
#define PJ_MODCTX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <security/pam_modules.h>

#include "authtok.h"
#include "log.h"
#include "modenv.h"
#include "reason.h"
#include "verify.h"

enum modctx_stage { MODCTX_AUTH, MODCTX_ACCOUNT, MODCTX_SESSION };

struct modctx {
	pam_handle_t *pamh;
	enum modctx_stage stage;
	struct pj_log log;
	struct config *cfg;
	struct verifier *ver;
	const char *user;	/* PAM's string, not owned */
	bool user_known;	/* the user exists locally */
	uid_t uid;		/* its uid, when USER_KNOWN */
	struct authtok tok;
	struct verdict vd;
	/* The token's iss and jti for the log (not owned), or NULL. */
	const char *iss;
	const char *jti;
	/* Why the call failed, for the decision line. */
	enum reason reason;
	const char *why;	/* a module reason when REASON is NONE */
	char message[256];
};

/* Prepare CTX for a call in STAGE.  Allocates nothing. */
void modctx_init(struct modctx *ctx, pam_handle_t *pamh,
    enum modctx_stage stage);

/*
 * Load the configuration from the module arguments (config_load: errors
 * are logged there), point the log at pam_syslog with the debug flag,
 * dump the effective configuration once with "debug", and in the
 * authentication stage make the verifier.  Returns PJ_OK, PJ_ERR_CONFIG,
 * PJ_ERR_FILE (the configuration file missing or unsafe) or
 * PJ_ERR_NOMEM.
 */
int modctx_load(struct modctx *ctx, int argc, const char **argv);

/*
 * The PAM user (pam_get_user, which may prompt for it), whether that
 * user exists locally (getpwnam_r) and its uid.  Returns PJ_OK, or
 * PJ_ERR_REFUSED when there is no user name.  Logs a failed lookup at
 * LOG_ERR.
 */
int modctx_get_user(struct modctx *ctx);

/*
 * Get the input (authtok_get, whose return codes this passes on) into
 * CTX->tok, keeping a refusal's reason and message in CTX.
 */
int modctx_get_token(struct modctx *ctx);

/*
 * Verify the input in CTX->tok for CTX->user at the current time, and
 * refuse a token that names a user who does not exist
 * locally (reason unknown_user), or whose uid is 0 when the accepting
 * policy has allow_root off (root_refused: allow_root is about the
 * account, whatever its name).  Returns PJ_OK only when the verifier
 * accepted the token and these checks passed; else PJ_ERR_REFUSED or the
 * verifier's code.  The input is wiped when the token is refused; an
 * accepted one stays in CTX->tok until modctx_handoff or modctx_free
 * wipes it.
 */
int modctx_verify(struct modctx *ctx);

/*
 * After every check has passed: set PAM_JWT_SESSION and hand the
 * accepted token to the helper (modhelper_login: best effort, within
 * helper_timeout_ms, never fails), then wipe it.
 */
void modctx_handoff(struct modctx *ctx);

/*
 * The account check on what the authentication left in ENV (read with
 * STATE) at time NOW: the variables must all be there and well-formed
 * (else reason bad_environment), PAM_JWT_SECTION must name a policy of
 * the configuration (unknown_section) whose issuer PAM_JWT_ISS is
 * (bad_environment), the user must exist locally (unknown_user) and its
 * uid may be 0 only when that policy allows root (root_refused),
 * PAM_JWT_EXP plus that policy's leeway must lie ahead (expired), and
 * PAM_JWT_GROUPS must hold one of its require_group (missing_group).
 * Returns PJ_OK or PJ_ERR_REFUSED with the reason in CTX; does not log.
 */
int modctx_check_account(struct modctx *ctx, const struct modenv *env,
    enum modenv_state state, int64_t now);

/*
 * The one place a PJ_ERR_* code becomes a PAM code, for a call that did
 * not succeed (ERR is not PJ_OK; PJ_OK gives PAM_AUTH_ERR all the same,
 * so that no path reaches PAM_SUCCESS through here):
 *   PJ_ERR_REFUSED     PAM_AUTH_ERR; in the account stage PAM_PERM_DENIED
 *                      for missing_group, else PAM_AUTH_ERR
 *   PJ_ERR_NOT_TOKEN   PAM_IGNORE with not_a_token = ignore, else
 *                      PAM_AUTH_ERR
 *   PJ_ERR_FILE        PAM_AUTHINFO_UNAVAIL for a key file; the
 *                      configuration file itself is PAM_SERVICE_ERR
 *   PJ_ERR_CONFIG      PAM_SERVICE_ERR
 *   PJ_ERR_NOMEM       PAM_BUF_ERR
 *   anything else      PAM_AUTH_ERR
 */
int modctx_pam_code(const struct modctx *ctx, int err);

/* Log the decision line for a call that returned RC after ERR. */
void modctx_log(const struct modctx *ctx, int err, int rc);

/*
 * After a refused authentication, logged: when the verifier refused the
 * token for an unknown kid, ask the helper to refresh the key sets
 * (modhelper_jwks_refresh: best effort, within helper_timeout_ms).  The
 * verdict stands.
 */
void modctx_unknown_kid(const struct modctx *ctx);

/* Free and wipe what CTX holds. */
void modctx_free(struct modctx *ctx);

#endif
