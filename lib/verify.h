/*
 * The verification entry point shared by the module, the command-line
 * tool, the helper and the tests: input in, verdict out.  It reads
 * nothing of a payload before a signature holds, builds only the key the
 * token selects, and keeps no static state (the module may run in several
 * threads).
 */
#ifndef PJ_VERIFY_H
#define PJ_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "claims.h"
#include "config.h"
#include "explain.h"
#include "log.h"
#include "reason.h"

struct verifier;

/*
 * A verifier for CFG (which must outlive it).  Key files are read when a
 * token first needs them.  Returns PJ_OK and *OUT, or PJ_ERR_NOMEM.
 */
int verifier_new(const struct config *cfg, const struct pj_log *log,
    struct verifier **out);

/* Free a verifier, wiping any HMAC secret it read; NULL is fine. */
void verifier_free(struct verifier *v);

enum token_state {
	TOKEN_NOT_A_TOKEN,	/* the first segment is no JSON object */
	TOKEN_INCOMPLETE,	/* a token whose rest has yet to come */
	TOKEN_COMPLETE		/* judge it as it stands */
};

/*
 * Classify the LEN bytes at INPUT (untrimmed) as DESIGN.md "Prompting,
 * completeness and long tokens" says: complete when it has three segments
 * and the signature segment is as long as the algorithm and the selected
 * key (any candidate when there is no kid) call for, or when no key can
 * tell.  Returns PJ_OK and *STATE, PJ_ERR_FILE (a key file the answer
 * depends on is missing or unsafe) or PJ_ERR_NOMEM.
 */
int verifier_token_state(struct verifier *v, const char *input, size_t len,
    enum token_state *state);

struct verdict {
	enum reason reason;	/* REASON_NONE when accepted */
	char message[256];	/* why, for a refusal */
	const struct policy *policy;	/* the accepting (or last) policy */
	char kid[80];		/* the header's kid, escaped, for logs */
	struct claims claims;	/* all set when accepted; iss and jti also
				   after a refusal past the signature */
};

/*
 * Verify the LEN bytes at INPUT (surrounding whitespace is trimmed) for
 * the PAM user USER (NULL: the username claim's form only) at time NOW.
 * EX, when not NULL, receives every rule checked.
 *
 * Returns PJ_OK only when a policy accepted the token (OUT->reason is
 * then REASON_NONE); PJ_ERR_REFUSED with OUT->reason and OUT->message;
 * PJ_ERR_NOT_TOKEN when the input is not a JWT (OUT->reason says how it
 * is refused when not_a_token is deny); PJ_ERR_FILE when a key file is
 * missing or unsafe; PJ_ERR_CONFIG when a key file makes the
 * configuration invalid (an HMAC secret shorter than its digest);
 * PJ_ERR_NOMEM.  Free OUT with verdict_clear() in every case.
 */
int verifier_verify(struct verifier *v, const char *input, size_t len,
    const char *user, int64_t now, const struct explain *ex,
    struct verdict *out);

/* Free what OUT holds. */
void verdict_clear(struct verdict *out);

#endif
