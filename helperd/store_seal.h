/*
 * What the helper's store keeps on disk, sealed: a token set encoded as
 * one record, encrypted and authenticated with AES-256-GCM (NIST SP
 * 800-38D) under the key of token_key_file.
 *
 * A record is sealed with a fresh random 12-byte nonce; its additional
 * authenticated data is the record version (4 bytes, big-endian) followed
 * by the user name, so that a record moved to another user's row, or
 * read as another version, fails to open.  The whole token set is
 * sealed, access token included: nothing of a user's tokens or claims is
 * on disk in clear.
 */
#ifndef PJ_HELPERD_STORE_SEAL_H
#define PJ_HELPERD_STORE_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "store.h"

#define STORE_KEY_LEN 32
#define STORE_NONCE_LEN 12
#define STORE_TAG_LEN 16
#define STORE_RECORD_VERSION 1
/* No field of a record is longer (the protocol's message limit). */
#define STORE_FIELD_MAX 65536

/*
 * Read the token key from PATH: a regular file (no symlink) owned by
 * this process's user, mode 0600 or 0400, of exactly 32 bytes (raw, not
 * hex).  When it does not exist and CREATE is set, make it first with
 * 32 bytes from RAND_bytes, mode 0600.  Returns PJ_OK with KEY filled,
 * PJ_ERR_FILE (logged with the path and the problem) or PJ_ERR_NOMEM.
 */
int store_key_load(const char *path, bool create, const struct pj_log *log,
    unsigned char key[STORE_KEY_LEN]);

/*
 * Seal the LEN bytes at PLAIN for USER with KEY under a fresh nonce.
 * Returns PJ_OK with NONCE filled and *SEALED (LEN + STORE_TAG_LEN bytes:
 * ciphertext, then tag; free with free()) and *SEALED_LEN, PJ_ERR_NOMEM,
 * or PJ_ERR_INTERNAL when OpenSSL fails.
 */
int store_seal(const unsigned char key[STORE_KEY_LEN], uint32_t version,
    const char *user, const unsigned char *plain, size_t len,
    unsigned char nonce[STORE_NONCE_LEN], unsigned char **sealed,
    size_t *sealed_len);

/*
 * Open what store_seal made.  Returns PJ_OK with *PLAIN (free with
 * wipe_free(*PLAIN, *LEN)) and *LEN; PJ_ERR_REFUSED when the tag does not
 * hold (another key, user, version or nonce, or altered bytes: nothing is
 * returned); PJ_ERR_NOMEM; PJ_ERR_INTERNAL.
 */
int store_unseal(const unsigned char key[STORE_KEY_LEN], uint32_t version,
    const char *user, const unsigned char nonce[STORE_NONCE_LEN],
    const unsigned char *sealed, size_t sealed_len, unsigned char **plain,
    size_t *len);

/*
 * Encode E's tokens and claims (everything but the user and the link) as
 * one record.  Returns PJ_OK with *BUF (a secret: wipe_free(*BUF, *LEN))
 * and *LEN, or PJ_ERR_NOMEM.
 */
int store_record_encode(const struct store_entry *e, unsigned char **buf,
    size_t *len);

/*
 * Decode the record BUF (LEN bytes) of USER into a new entry.  Returns
 * PJ_OK with *OUT (free with store_entry_free), PJ_ERR_REFUSED when the
 * record is not exactly one well-formed record (no access token or
 * issuer, a NUL inside a string, a field too long, bytes left over), or
 * PJ_ERR_NOMEM.
 */
int store_record_decode(const char *user, const unsigned char *buf,
    size_t len, struct store_entry **out);

#endif
