/* Names of refusal reasons and descriptions of return codes. */
#include <stddef.h>

#include "reason.h"

/*
 * Indexed by enum reason.  These strings are a published contract
 * (DESIGN.md "Refusal reasons"): log scanners and scripts match them.
 */
static const char *const reason_names[REASON_COUNT] = {
	[REASON_NONE] = "none",
	[REASON_TOO_LARGE] = "too_large",
	[REASON_MALFORMED] = "malformed",
	[REASON_BAD_JSON] = "bad_json",
	[REASON_MALFORMED_HEADER] = "malformed_header",
	[REASON_ALG_NOT_ALLOWED] = "alg_not_allowed",
	[REASON_CRIT_UNSUPPORTED] = "crit_unsupported",
	[REASON_B64_UNSUPPORTED] = "b64_unsupported",
	[REASON_BAD_TYP] = "bad_typ",
	[REASON_NO_KEY] = "no_key",
	[REASON_UNKNOWN_KID] = "unknown_kid",
	[REASON_KEY_ALG_MISMATCH] = "key_alg_mismatch",
	[REASON_WEAK_KEY] = "weak_key",
	[REASON_BAD_SIGNATURE] = "bad_signature",
	[REASON_MISSING_CLAIM] = "missing_claim",
	[REASON_BAD_CLAIM_TYPE] = "bad_claim_type",
	[REASON_EXPIRED] = "expired",
	[REASON_NOT_YET_VALID] = "not_yet_valid",
	[REASON_IAT_IN_FUTURE] = "iat_in_future",
	[REASON_TOO_OLD] = "too_old",
	[REASON_BAD_ISSUER] = "bad_issuer",
	[REASON_BAD_AUDIENCE] = "bad_audience",
	[REASON_BAD_TOKEN_USE] = "bad_token_use",
	[REASON_BAD_USERNAME] = "bad_username",
	[REASON_USER_MISMATCH] = "user_mismatch",
	[REASON_ROOT_REFUSED] = "root_refused",
	[REASON_MISSING_GROUP] = "missing_group",
	[REASON_BAD_GROUPS] = "bad_groups",
	[REASON_MISSING_SCOPE] = "missing_scope"
};

const char *
reason_name(enum reason r)
{
	const char *name = "internal";

	if ((unsigned)r < REASON_COUNT && reason_names[r] != NULL)
		name = reason_names[r];
	return name;
}

const char *
pj_strerror(int err)
{
	switch (err) {
	case PJ_OK:
		return "success";
	case PJ_ERR_NOMEM:
		return "out of memory";
	case PJ_ERR_CONFIG:
		return "invalid configuration";
	case PJ_ERR_FILE:
		return "file missing, unreadable or unsafe";
	case PJ_ERR_REFUSED:
		return "token refused";
	case PJ_ERR_NOT_TOKEN:
		return "not a token";
	case PJ_ERR_INTERNAL:
		return "internal error";
	default:
		return "unknown error";
	}
}
