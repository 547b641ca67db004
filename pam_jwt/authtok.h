/*
 * Getting the token: from PAM_AUTHTOK (use_first_pass, try_first_pass)
 * or through the conversation, with echo off.  DESIGN.md "Prompting,
 * completeness and long tokens": OpenSSH's client cuts an answer at 1023
 * characters and sudo refuses answers of 512 or more, so a long token
 * comes in parts.  The first prompt is "JWT: "; while the input is an
 * incomplete token (verifier_token_state) the module asks
 * "JWT (part N): " for N = 2, 3, ...
 */
#ifndef PJ_AUTHTOK_H
#define PJ_AUTHTOK_H

#include <stddef.h>

#include <security/pam_modules.h>

/*
 * verify.h brings the core's config.h: naming "config.h" here would find
 * the build's own config.h first.
 */
#include "log.h"
#include "reason.h"
#include "verify.h"

#define AUTHTOK_PROMPT "JWT: "
#define AUTHTOK_PART_PROMPT "JWT (part %u): "

/* The input gathered, parts joined; wiped when cleared. */
struct authtok {
	char *buf;		/* NUL-terminated */
	size_t len;
	size_t size;		/* bytes allocated at BUF */
};

/*
 * Get the input for one authentication into TOK (zeroed first).
 *
 * With use_first_pass the input is PAM_AUTHTOK as it stands, never
 * prompted for.  With try_first_pass PAM_AUTHTOK, when set, is the first
 * part, and continuation prompts may follow.  Otherwise the module
 * prompts.  Each part is trimmed of surrounding whitespace (nothing
 * inside a token is whitespace) before the parts are joined.
 *
 * Returns:
 * - PJ_OK: TOK holds the input to verify.  Input the module prompted for
 *   is never left in PAM_AUTHTOK.
 * - PJ_ERR_NOT_TOKEN: not_a_token = ignore and the input is not a token;
 *   the input, exactly as typed, is PAM_AUTHTOK for a module stacked
 *   after this one.  TOK is empty.
 * - PJ_ERR_REFUSED with *REASON and a message in MSG: no input, an empty
 *   answer (REASON_MALFORMED), an answer identical to the previous one
 *   (REASON_MALFORMED: sshd's password authentication repeats one answer
 *   to every prompt), or more than max_token_bytes (REASON_TOO_LARGE).
 * - PJ_ERR_INTERNAL: the conversation failed (the client went away).
 * - PJ_ERR_FILE, PJ_ERR_NOMEM: from verifier_token_state, or memory.
 *
 * Every answer and buffer is wiped.  Logs at LOG_DEBUG only (the part
 * count and lengths, never content).
 */
int authtok_get(pam_handle_t *pamh, const struct config *cfg,
    struct verifier *v, const struct pj_log *log, struct authtok *tok,
    enum reason *reason, char *msg, size_t msgsize);

/* Wipe and free what TOK holds. */
void authtok_clear(struct authtok *tok);

#endif
