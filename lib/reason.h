/*
 * Refusal reasons and the project's return codes.
 *
 * Inner layers return PJ_OK (0) or a negative PJ_ERR_* code.  A refused
 * token is PJ_ERR_REFUSED together with a reason from enum reason, whose
 * names are the contract of DESIGN.md ("refused: REASON: message" from
 * pam-jwt verify, "reason=REASON" in the module's log line).
 */
#ifndef PJ_REASON_H
#define PJ_REASON_H

enum pj_err {
	PJ_OK = 0,
	PJ_ERR_NOMEM = -1,	/* allocation failed */
	PJ_ERR_CONFIG = -2,	/* configuration or argument invalid */
	PJ_ERR_FILE = -3,	/* a file is missing, unreadable or unsafe */
	PJ_ERR_REFUSED = -4,	/* the token is refused: see the reason */
	PJ_ERR_NOT_TOKEN = -5,	/* the input is not a JWT at all */
	PJ_ERR_INTERNAL = -6	/* a library call failed unexpectedly */
};

enum reason {
	REASON_NONE = 0,
	REASON_TOO_LARGE,
	REASON_MALFORMED,
	REASON_BAD_JSON,
	REASON_MALFORMED_HEADER,
	REASON_ALG_NOT_ALLOWED,
	REASON_CRIT_UNSUPPORTED,
	REASON_B64_UNSUPPORTED,
	REASON_BAD_TYP,
	REASON_NO_KEY,
	REASON_UNKNOWN_KID,
	REASON_KEY_ALG_MISMATCH,
	REASON_WEAK_KEY,
	REASON_BAD_SIGNATURE,
	REASON_MISSING_CLAIM,
	REASON_BAD_CLAIM_TYPE,
	REASON_EXPIRED,
	REASON_NOT_YET_VALID,
	REASON_IAT_IN_FUTURE,
	REASON_TOO_OLD,
	REASON_BAD_ISSUER,
	REASON_BAD_AUDIENCE,
	REASON_BAD_TOKEN_USE,
	REASON_BAD_USERNAME,
	REASON_USER_MISMATCH,
	REASON_ROOT_REFUSED,
	REASON_MISSING_GROUP,
	REASON_BAD_GROUPS,
	REASON_MISSING_SCOPE,
	REASON_COUNT
};

/*
 * The DESIGN.md name of a reason ("bad_signature"); "none" for
 * REASON_NONE, "internal" for an out-of-range value.  Never NULL.
 */
const char *reason_name(enum reason r);

/* A short English description of a PJ_ERR_* code.  Never NULL. */
const char *pj_strerror(int err);

#endif
