/*
 * Strict base64url (RFC 7515 section 2, RFC 4648 section 5): alphabet
 * A-Z a-z 0-9 - _, no padding, no whitespace, no length of 1 mod 4, and
 * the unused bits of the last character zero, so that every byte string
 * has exactly one encoding.
 */
#ifndef PJ_B64URL_H
#define PJ_B64URL_H

#include <stdbool.h>
#include <stddef.h>

/* The number of bytes LEN characters of valid base64url decode to. */
size_t b64url_decoded_len(size_t len);

/* The number of characters N bytes encode to (no padding). */
size_t b64url_encoded_len(size_t n);

/* True when the LEN characters at IN are valid strict base64url. */
bool b64url_is_valid(const char *in, size_t len);

/*
 * Decode the LEN characters at IN into OUT, which has room for
 * b64url_decoded_len(LEN) bytes; sets *OUTLEN.  Returns PJ_OK, or
 * PJ_ERR_REFUSED for any deviation from strict base64url (OUT is then
 * wiped).  LEN 0 decodes to nothing.
 */
int b64url_decode(const char *in, size_t len, unsigned char *out,
    size_t *outlen);

/*
 * Decode into a fresh buffer (*OUT, NUL-terminated for convenience, free
 * with free() or wipe_free()).  Returns PJ_OK, PJ_ERR_REFUSED or
 * PJ_ERR_NOMEM.
 */
int b64url_decode_alloc(const char *in, size_t len, unsigned char **out,
    size_t *outlen);

/*
 * Encode N bytes into OUT, which has room for b64url_encoded_len(N) + 1
 * characters; NUL-terminates.  Returns the number of characters.
 */
size_t b64url_encode(const unsigned char *in, size_t n, char *out);

#endif
