/*
 * One call into the module: configuration, user, verification, the
 * account check, the PAM code and the decision line (see modctx.h).
 */
#include "autoconf.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "claims.h"
#include "modctx.h"
#include "modhelper.h"
#include "modlog.h"

/* getpwnam_r's buffer: start here, double on ERANGE up to the cap. */
#define MODCTX_PW_BUF 1024
#define MODCTX_PW_BUF_MAX (1024 * 1024)

void
modctx_init(struct modctx *ctx, pam_handle_t *pamh,
    enum modctx_stage stage)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->pamh = pamh;
	ctx->stage = stage;
	modlog_init(&ctx->log, pamh, false);
}

int
modctx_load(struct modctx *ctx, int argc, const char **argv)
{
	int err;

	err = config_load(NULL, argc, argv, (uid_t)-1, &ctx->log, &ctx->cfg);
	if (err != PJ_OK) {
		ctx->cfg = NULL;
		goto out;
	}
	ctx->log.debug = ctx->cfg->debug;
	if (ctx->cfg->debug && ctx->stage == MODCTX_AUTH)
		config_dump(ctx->cfg, &ctx->log);

	if (ctx->stage == MODCTX_AUTH) {
		err = verifier_new(ctx->cfg, &ctx->log, &ctx->ver);
		if (err != PJ_OK) {
			ctx->ver = NULL;
			goto out;
		}
	}
	err = PJ_OK;
out:
	return err;
}

/*
 * Whether NAME exists locally, and its uid in *UID.  A failed lookup (an
 * unreachable directory, say) counts as unknown: the token is then
 * refused.
 */
static bool
user_exists(const struct modctx *ctx, const char *name, uid_t *uid)
{
	struct passwd pw;
	struct passwd *result = NULL;
	size_t size = MODCTX_PW_BUF;
	char *buf = NULL;
	bool found = false;
	int rc;

	for (;;) {
		free(buf);
		buf = malloc(size);
		if (buf == NULL)
			goto out;
		rc = getpwnam_r(name, &pw, buf, size, &result);
		if (rc != ERANGE || size >= MODCTX_PW_BUF_MAX)
			break;
		size *= 2;
	}
	if (rc != 0) {
		/* %m, not strerror(): the module may run in threads. */
		errno = rc;
		pj_logf(&ctx->log, LOG_ERR, "user lookup failed: %m");
		goto out;
	}
	found = result != NULL;
	if (found)
		*uid = pw.pw_uid;
out:
	free(buf);
	return found;
}

int
modctx_get_user(struct modctx *ctx)
{
	const char *user = NULL;
	int err = PJ_ERR_REFUSED;

	if (pam_get_user(ctx->pamh, &user, NULL) != PAM_SUCCESS ||
	    user == NULL || user[0] == '\0') {
		ctx->why = "no_user";
		goto out;
	}
	ctx->user = user;
	ctx->user_known = user_exists(ctx, user, &ctx->uid);
	err = PJ_OK;
out:
	return err;
}

int
modctx_get_token(struct modctx *ctx)
{
	int err;

	err = authtok_get(ctx->pamh, ctx->cfg, ctx->ver, &ctx->log,
	    &ctx->tok, &ctx->reason, ctx->message, sizeof(ctx->message));
	if (err == PJ_ERR_INTERNAL)
		ctx->why = "conversation_failed";
	return err;
}

/*
 * Whether the user is an account of uid 0 that policy P does not let in,
 * with the reason set in CTX.  The verifier refuses the name "root", but
 * any name of uid 0 (a "toor" alias) is root all the same.
 */
static bool
is_refused_root(struct modctx *ctx, const struct policy *p)
{
	if (!ctx->user_known || ctx->uid != 0 || (p != NULL && p->allow_root))
		return false;
	ctx->reason = REASON_ROOT_REFUSED;
	snprintf(ctx->message, sizeof(ctx->message), "the user has uid 0 "
	    "and allow_root is off");
	return true;
}

int
modctx_verify(struct modctx *ctx)
{
	int err;

	err = verifier_verify(ctx->ver, ctx->tok.buf, ctx->tok.len,
	    ctx->user, (int64_t)time(NULL), NULL, &ctx->vd);
	/* An accepted token stays for the helper: modctx_handoff. */
	if (err != PJ_OK)
		authtok_clear(&ctx->tok);
	ctx->iss = ctx->vd.claims.iss;
	ctx->jti = ctx->vd.claims.jti;
	ctx->reason = ctx->vd.reason;
	snprintf(ctx->message, sizeof(ctx->message), "%s",
	    ctx->vd.message);
	if (err != PJ_OK)
		goto out;

	/*
	 * The token names this user, but the user must also exist here:
	 * the module creates no accounts.
	 */
	err = PJ_ERR_REFUSED;
	if (!ctx->user_known) {
		ctx->why = "unknown_user";
		snprintf(ctx->message, sizeof(ctx->message),
		    "no local user of that name");
		goto out;
	}
	if (is_refused_root(ctx, ctx->vd.policy))
		goto out;
	err = PJ_OK;
out:
	if (err != PJ_OK)
		authtok_clear(&ctx->tok);
	return err;
}

void
modctx_handoff(struct modctx *ctx)
{
	modhelper_login(ctx->pamh, &ctx->cfg->top, &ctx->log, ctx->user,
	    ctx->tok.buf, ctx->tok.len);
	authtok_clear(&ctx->tok);
}

/* The policy named NAME ("" is the top level). */
static const struct policy *
find_policy(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_policies; i++) {
		if (strcmp(cfg->policies[i].name, name) == 0)
			return &cfg->policies[i];
	}
	return NULL;
}

static bool
has_required_group(const struct policy *p, const struct modenv *env)
{
	size_t i, j;

	if (p->n_require_group == 0)
		return true;
	for (i = 0; i < p->n_require_group; i++) {
		for (j = 0; j < env->n_groups; j++) {
			if (strcmp(p->require_group[i], env->groups[j]) == 0)
				return true;
		}
	}
	return false;
}

int
modctx_check_account(struct modctx *ctx, const struct modenv *env,
    enum modenv_state state, int64_t now)
{
	const struct policy *p;
	int err = PJ_ERR_REFUSED;

	if (state != MODENV_PRESENT) {
		ctx->why = "bad_environment";
		goto out;
	}
	ctx->iss = env->iss;
	ctx->jti = env->jti;
	p = find_policy(ctx->cfg, env->section);
	if (p == NULL) {
		ctx->why = "unknown_section";
		goto out;
	}
	/* The section that accepted the token takes only its issuer's. */
	if (p->issuer == NULL || strcmp(env->iss, p->issuer) != 0) {
		ctx->why = "bad_environment";
		goto out;
	}
	/* Unknown, the user's uid cannot be checked: fail closed. */
	if (!ctx->user_known) {
		ctx->why = "unknown_user";
		goto out;
	}
	if (is_refused_root(ctx, p))
		goto out;
	if (claims_expired(env->exp, p->leeway, now)) {
		ctx->reason = REASON_EXPIRED;
		goto out;
	}
	if (!has_required_group(p, env)) {
		ctx->reason = REASON_MISSING_GROUP;
		goto out;
	}
	err = PJ_OK;
out:
	return err;
}

int
modctx_pam_code(const struct modctx *ctx, int err)
{
	switch (err) {
	case PJ_ERR_REFUSED:
		if (ctx->stage == MODCTX_ACCOUNT &&
		    ctx->reason == REASON_MISSING_GROUP)
			return PAM_PERM_DENIED;
		return PAM_AUTH_ERR;
	case PJ_ERR_NOT_TOKEN:
		if (ctx->cfg != NULL &&
		    ctx->cfg->top.not_a_token == NOT_A_TOKEN_IGNORE)
			return PAM_IGNORE;
		return PAM_AUTH_ERR;
	case PJ_ERR_FILE:
		/* Before the configuration loaded, it was its own file. */
		if (ctx->cfg == NULL)
			return PAM_SERVICE_ERR;
		return PAM_AUTHINFO_UNAVAIL;
	case PJ_ERR_CONFIG:
		return PAM_SERVICE_ERR;
	case PJ_ERR_NOMEM:
		return PAM_BUF_ERR;
	default:
		break;
	}
	return PAM_AUTH_ERR;
}

/* The reason name for the log line. */
static const char *
log_reason(const struct modctx *ctx, int err, int rc)
{
	if (rc == PAM_SUCCESS)
		return "none";
	if (ctx->why != NULL)
		return ctx->why;
	if (ctx->reason != REASON_NONE)
		return reason_name(ctx->reason);
	switch (err) {
	case PJ_ERR_NOT_TOKEN:
		return "not_a_token";
	case PJ_ERR_FILE:
		return ctx->cfg == NULL ? "config_file" : "key_file";
	case PJ_ERR_CONFIG:
		return "config_error";
	case PJ_ERR_NOMEM:
		return "out_of_memory";
	default:
		break;
	}
	return "internal_error";
}

static enum modlog_result
log_result(int rc)
{
	switch (rc) {
	case PAM_SUCCESS:
		return MODLOG_ACCEPTED;
	case PAM_IGNORE:
		return MODLOG_IGNORED;
	case PAM_AUTH_ERR:
	case PAM_PERM_DENIED:
		return MODLOG_REFUSED;
	default:
		break;
	}
	return MODLOG_ERROR;
}

void
modctx_log(const struct modctx *ctx, int err, int rc)
{
	struct modlog_decision d;
	bool audit = ctx->cfg != NULL && ctx->cfg->audit;
	/*
	 * A name that is no local user may be a password typed into the
	 * user prompt: it is logged only with "audit".
	 */
	bool withhold = ctx->user != NULL && !ctx->user_known && !audit;

	memset(&d, 0, sizeof(d));
	d.stage = ctx->stage == MODCTX_AUTH ? "auth" : "account";
	d.result = log_result(rc);
	d.reason = log_reason(ctx, err, rc);
	if (withhold)
		d.user = "(unknown)";
	else
		d.user = ctx->user;

	d.iss = ctx->iss;
	d.jti = ctx->jti;
	d.kid = ctx->vd.kid[0] != '\0' ? ctx->vd.kid : NULL;
	modlog_decision(ctx->pamh, &d);

	/*
	 * The message may hold token values, bounded and escaped, and the
	 * user name (user_mismatch): withheld as the decision line does.
	 */
	if (rc == PAM_SUCCESS || ctx->message[0] == '\0')
		return;
	if (withhold)
		pj_logf(&ctx->log, LOG_DEBUG, "refusal details withheld: "
		    "unknown user (set audit to log them)");
	else
		pj_logf(&ctx->log, LOG_DEBUG, "%s", ctx->message);
}

void
modctx_unknown_kid(const struct modctx *ctx)
{
	if (ctx->cfg == NULL || ctx->why != NULL ||
	    ctx->reason != REASON_UNKNOWN_KID)
		return;
	modhelper_jwks_refresh(&ctx->cfg->top, &ctx->log);
}

void
modctx_free(struct modctx *ctx)
{
	authtok_clear(&ctx->tok);
	verdict_clear(&ctx->vd);
	verifier_free(ctx->ver);
	config_free(ctx->cfg);
	ctx->ver = NULL;
	ctx->cfg = NULL;
	ctx->user = NULL;
}
