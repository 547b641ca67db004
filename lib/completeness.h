/*
 * Token completeness (internal to the verifier): whether the input typed
 * so far is a whole token, so that the module knows when to stop asking
 * for parts.  DESIGN.md "Prompting, completeness and long tokens" is the
 * contract; verifier_token_state() in verify.h is the public entry.
 */
#ifndef PJ_COMPLETENESS_H
#define PJ_COMPLETENESS_H

#include <stddef.h>

#include "config.h"
#include "keyfiles.h"
#include "log.h"
#include "verify.h"

/*
 * Classify the LEN bytes at INPUT (untrimmed) under CFG, whose policies'
 * key files are KEYS (one per policy; the key sets are read here when an
 * RSA length depends on them).  Never decides whether the token is good:
 * input over max_token_bytes, a fourth segment or a stray character is
 * TOKEN_COMPLETE, to be judged (and refused) as it stands.
 * Returns PJ_OK and *STATE, PJ_ERR_FILE (a key file the answer depends on
 * is missing or unsafe; logged) or PJ_ERR_NOMEM.
 */
int completeness_state(const struct config *cfg, struct keyfiles *keys,
    const struct pj_log *log, const char *input, size_t len,
    enum token_state *state);

#endif
