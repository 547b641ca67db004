/*
 * Claim checks (RFC 7519 section 4.1; RFC 9068 for access tokens) against
 * one policy, on a payload whose signature holds.  Order: exp, nbf, iat,
 * max_token_age, issuer, audience, token_use, username, groups, scopes.
 */
#ifndef PJ_CLAIMS_H
#define PJ_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "config.h"
#include "explain.h"
#include "reason.h"

/* What an accepted token says, for the module's environment and logs. */
struct claims {
	char *iss;		/* copies, NULL when absent */
	char *sub;
	char *jti;
	char *username;		/* the local user name, domain removed */
	int64_t exp;
	char **groups;		/* NULL-terminated; empty when none */
	size_t n_groups;
};

/*
 * Check PAYLOAD against POLICY at time NOW.  USER is the PAM user, or
 * NULL to check the username claim's form only.  Returns REASON_NONE and
 * fills OUT (free with claims_clear), or the first failing rule's reason
 * with a human message in MSG (token values bounded and escaped).  On
 * REASON_COUNT, *ERR holds PJ_ERR_NOMEM.  OUT->iss and OUT->jti are set
 * whenever the payload has them, also on a refusal, for the log line.
 */
enum reason claims_check(const struct policy *policy,
    struct json_object *payload, const char *user, int64_t now,
    const struct explain *ex, struct claims *out, char *msg,
    size_t msgsize, int *err);

/*
 * The username rule alone: NAME (LEN bytes) after removing "@DOMAIN"
 * when DOMAIN is set must match ^[a-z_][a-z0-9_.-]{0,31}$.  Returns
 * REASON_NONE and the local name length in *LOCAL_LEN, or
 * REASON_BAD_USERNAME.
 */
enum reason claims_username_form(const char *name, size_t len,
    const char *domain, size_t *local_len);

/*
 * RFC 7519 section 4.1.4: whether a token that expires at EXP is expired
 * at NOW with LEEWAY seconds (0 to 300) of clock skew: NOW >= EXP +
 * LEEWAY, computed without overflow (an EXP + LEEWAY past INT64_MAX lies
 * beyond any NOW).  The verifier and the module's account stage both ask
 * this, so that they agree on every EXP.
 */
bool claims_expired(int64_t exp, long leeway, int64_t now);

/* Free what OUT holds. */
void claims_clear(struct claims *out);

#endif
