/*
 * The PAM environment the module leaves after a successful
 * authentication, and reads back in the account stage.
 *
 * OpenSSH runs pam_authenticate and pam_acct_mgmt in a forked child and
 * hands the parent only the PAM environment, never PAM data
 * (pam_set_data): DESIGN.md "sshd runs authentication in a child
 * process".  So what later stages need travels as PAM_JWT_ISS,
 * PAM_JWT_SECTION, PAM_JWT_SUB, PAM_JWT_JTI, PAM_JWT_EXP (Unix seconds)
 * and PAM_JWT_GROUPS (comma-separated).  Never a token.
 *
 * In every value '%' and control characters are percent-encoded (%25,
 * %0A...); in PAM_JWT_GROUPS ',' inside a group name is too (%2C), so
 * that the list splits back into exactly the groups the token carried.
 */
#ifndef PJ_MODENV_H
#define PJ_MODENV_H

#include <stddef.h>
#include <stdint.h>

#include <security/pam_modules.h>

#include "verify.h"

/*
 * Set the six variables from an accepted verdict VD (the section is
 * VD->policy->name, "" for the top level).  Returns PJ_OK, PJ_ERR_NOMEM,
 * or PJ_ERR_INTERNAL when pam_putenv fails; on failure the variables
 * already set are removed again.  Does not log.
 */
int modenv_set(pam_handle_t *pamh, const struct verdict *vd);

/*
 * Remove every PAM_JWT_* variable this module sets, so that a failed
 * authentication leaves none behind.
 */
void modenv_clear(pam_handle_t *pamh);

/* What the account stage reads back. */
struct modenv {
	char *iss;		/* decoded copies, owned */
	char *section;
	char *sub;
	char *jti;
	int64_t exp;
	char **groups;		/* NULL-terminated, decoded */
	size_t n_groups;
};

enum modenv_state {
	MODENV_ABSENT,		/* no PAM_JWT_* variable at all */
	MODENV_PRESENT,		/* all of them, well-formed */
	MODENV_INVALID		/* some missing or malformed */
};

/*
 * Read the variables into ENV (zeroed first) and set *STATE.  Returns
 * PJ_OK (also for MODENV_ABSENT and MODENV_INVALID) or PJ_ERR_NOMEM.
 * Free ENV with modenv_free in every case.  Does not log.
 */
int modenv_read(pam_handle_t *pamh, struct modenv *env,
    enum modenv_state *state);

/* Free what ENV holds (not ENV itself). */
void modenv_free(struct modenv *env);

/*
 * Percent-encode the LEN bytes at S into OUT (room for 3 * LEN + 1
 * bytes): '%' and control characters always, ',' too when COMMA is set.
 * Returns the encoded length.  Exposed for the tests.
 */
size_t modenv_encode(const char *s, size_t len, int comma, char *out);

/*
 * Decode the LEN bytes at S into a fresh string (*OUT).  Returns PJ_OK,
 * PJ_ERR_REFUSED for a '%' not followed by two hex digits or encoding a
 * NUL, or PJ_ERR_NOMEM.
 */
int modenv_decode(const char *s, size_t len, char **out);

#endif
