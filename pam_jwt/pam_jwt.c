/*
 * pam_jwt: the PAM entry points.  Each is a short list of named calls;
 * the work is done in modctx.c (configuration, user, verification, PAM
 * codes), authtok.c (getting the token), modenv.c (the PAM_JWT_*
 * environment) and the core library.
 *
 * Return codes (DESIGN.md "Return codes"): PAM_SUCCESS comes from one
 * place in each entry point, after every check has passed; every other
 * outcome goes through modctx_pam_code().  PAM_IGNORE only where
 * documented: non-token input with not_a_token = ignore, and the account
 * stage of a login this module did not authenticate.
 */
#include "autoconf.h"

#include <stdint.h>
#include <time.h>

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#define PAM_SM_PASSWORD
#include <security/pam_modules.h>

#include "modctx.h"
#include "modenv.h"
#include "modhelper.h"

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	struct modctx ctx;
	int rc = PAM_AUTH_ERR;
	int err;

	modctx_init(&ctx, pamh, MODCTX_AUTH);
	/* A failed attempt must leave nothing a later stage could trust. */
	modenv_clear(pamh);
	modhelper_clear(pamh);

	err = modctx_load(&ctx, argc, argv);
	if (err != PJ_OK)
		goto out;
	err = modctx_get_user(&ctx);
	if (err != PJ_OK)
		goto out;
	err = modctx_get_token(&ctx);
	if (err != PJ_OK)
		goto out;
	err = modctx_verify(&ctx);
	if (err != PJ_OK)
		goto out;
	err = modenv_set(pamh, &ctx.vd);
	if (err != PJ_OK)
		goto out;
	/* Best effort, bounded by helper_timeout_ms; cannot fail. */
	modctx_handoff(&ctx);
	rc = PAM_SUCCESS;
out:
	if (rc != PAM_SUCCESS)
		rc = modctx_pam_code(&ctx, err);
	modctx_log(&ctx, err, rc);
	/* After the verdict, which it does not change. */
	if (rc != PAM_SUCCESS)
		modctx_unknown_kid(&ctx);
	modctx_free(&ctx);
	return rc;
}

/*
 * The login is still good: the token has not expired since (sshd may
 * keep a connection waiting) and carries a required group.  A login this
 * module did not authenticate (no PAM_JWT_* variables: a key-based ssh
 * login) is PAM_IGNORE, checked before the configuration is read.
 */
PAM_EXTERN int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	struct modctx ctx;
	struct modenv env;
	enum modenv_state state;
	int rc = PAM_PERM_DENIED;
	int err;

	modctx_init(&ctx, pamh, MODCTX_ACCOUNT);
	err = modenv_read(pamh, &env, &state);
	if (err == PJ_OK && state == MODENV_ABSENT) {
		rc = PAM_IGNORE;
		goto done;
	}
	if (err != PJ_OK)
		goto out;

	err = modctx_load(&ctx, argc, argv);
	if (err != PJ_OK)
		goto out;
	err = modctx_get_user(&ctx);
	if (err != PJ_OK)
		goto out;
	err = modctx_check_account(&ctx, &env, state, (int64_t)time(NULL));
	if (err != PJ_OK)
		goto out;
	rc = PAM_SUCCESS;
out:
	if (rc != PAM_SUCCESS)
		rc = modctx_pam_code(&ctx, err);
	modctx_log(&ctx, err, rc);
done:
	modenv_free(&env);
	modctx_free(&ctx);
	return rc;
}

/* No credentials to set: the helper keeps tokens, not the module. */
PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return PAM_SUCCESS;
}

/*
 * Tell the helper that a session of a login this module authenticated
 * opens or closes (PAM_JWT_SESSION, set at authentication, possibly in
 * another process: DESIGN.md "sshd runs authentication in a child
 * process").  The helper being down, slow or refusing, and even a
 * configuration that no longer loads, never fail a session: always
 * PAM_SUCCESS.  Without PAM_JWT_SESSION there is nothing to do.
 */
static int
session_hook(pam_handle_t *pamh, int argc, const char **argv,
    const char *op)
{
	struct modctx ctx;
	const char *id;
	const void *user = NULL;

	id = modhelper_session_id(pamh);
	if (id == NULL)
		return PAM_SUCCESS;
	modctx_init(&ctx, pamh, MODCTX_SESSION);
	if (pam_get_item(pamh, PAM_USER, &user) != PAM_SUCCESS ||
	    user == NULL || modctx_load(&ctx, argc, argv) != PJ_OK)
		goto out;
	modhelper_session(&ctx.cfg->top, &ctx.log, op, user, id);
out:
	modctx_free(&ctx);
	return PAM_SUCCESS;
}

PAM_EXTERN int
pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	return session_hook(pamh, argc, argv, "session_open");
}

PAM_EXTERN int
pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	return session_hook(pamh, argc, argv, "session_close");
}

/*
 * A token is issued by the identity provider and cannot be changed from
 * here.  PAM_SERVICE_ERR says the module was stacked where it has no
 * meaning; PAM_IGNORE is kept for the two cases DESIGN.md names.
 */
PAM_EXTERN int
pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	return PAM_SERVICE_ERR;
}
