/*
 * The key files of one policy (internal to the verifier): its jwks_file
 * and hmac_secret_file, each read the first time a token needs it and kept
 * for the verifier's life.  The outcome of the first read, good or bad, is
 * the answer of every later call, so that a missing file is logged once
 * per verifier and a file replaced meanwhile is not half seen.
 */
#ifndef PJ_KEYFILES_H
#define PJ_KEYFILES_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "keyset.h"
#include "log.h"

/* Zeroed before first use; freed with keyfiles_clear. */
struct keyfiles {
	bool jwks_tried;
	int jwks_err;
	struct keyset set;	/* the policy's public keys */
	bool secret_tried;
	int secret_err;
	unsigned char *secret;	/* the HMAC secret, wiped when freed */
	size_t secret_len;
};

/*
 * Read policy P's jwks_file into KF->set: a JWKS or PEM public keys, in a
 * file owned by root, by the helper (which refreshes it) or by CFG's
 * extra owner.  A file older than jwks_max_age is used, with a warning.
 * Returns PJ_OK, PJ_ERR_FILE (no jwks_file, the file missing, unsafe or
 * neither a JWKS nor PEM; logged) or PJ_ERR_NOMEM.
 */
int keyfiles_jwks(struct keyfiles *kf, const struct config *cfg,
    const struct policy *p, const struct pj_log *log);

/*
 * Read policy P's hmac_secret_file into KF->secret: a secret file of root
 * (or CFG's extra owner), readable by the helper's group at most.
 * Returns PJ_OK, PJ_ERR_FILE (the file missing or unsafe; logged),
 * PJ_ERR_CONFIG (no hmac_secret_file, or a secret shorter than the
 * digest of an HS* algorithm P lists; logged) or PJ_ERR_NOMEM.
 */
int keyfiles_secret(struct keyfiles *kf, const struct config *cfg,
    const struct policy *p, const struct pj_log *log);

/* Free what KF holds, wiping the secret, and zero it. */
void keyfiles_clear(struct keyfiles *kf);

#endif
