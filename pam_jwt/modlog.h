/*
 * The module's logging: the core's log callback pointed at pam_syslog,
 * and the one decision line each authentication and account check ends
 * with.  pam_syslog adds "pam_jwt(SERVICE:TYPE)" and the authpriv
 * facility; the module never calls openlog, which would change the host
 * program's syslog identity.
 */
#ifndef PJ_MODLOG_H
#define PJ_MODLOG_H

#include <stdbool.h>

#include <security/pam_modules.h>

#include "log.h"

/*
 * Point LOG at pam_syslog for PAMH; LOG_DEBUG lines pass only when DEBUG
 * is set.  Nothing is allocated; LOG is valid as long as PAMH.
 */
void modlog_init(struct pj_log *log, pam_handle_t *pamh, bool debug);

enum modlog_result {
	MODLOG_ACCEPTED,	/* logged at LOG_INFO */
	MODLOG_IGNORED,		/* not a token, ignored: INFO */
	MODLOG_REFUSED,		/* LOG_NOTICE */
	MODLOG_ERROR		/* configuration, files, memory: LOG_ERR */
};

/* One decision; every string may be NULL (logged as an empty value). */
struct modlog_decision {
	const char *stage;	/* "auth" or "account" */
	enum modlog_result result;
	const char *user;	/* the PAM user, or NULL to withhold it */
	const char *iss;	/* raw token values: escaped here */
	const char *kid;	/* already escaped by the verifier */
	const char *jti;
	const char *reason;	/* a reason name of DESIGN.md, or a module
				   one (unknown_user, config_error...) */
};

/*
 * Log D as one line of key=value fields:
 *
 *   stage=auth result=refused service=sshd user=alice rhost=192.0.2.7
 *   iss=https://idp.example kid=k1 jti=4f1c reason=expired
 *
 * Every value (the service, user and rhost too, which a client can
 * choose) is bounded and escaped with strutil_escape, so that no value
 * can end the line or forge another field.  Never logs a token.
 */
void modlog_decision(pam_handle_t *pamh, const struct modlog_decision *d);

#endif
