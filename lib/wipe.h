/*
 * Wiping secrets: tokens, HMAC secrets, conversation replies.  Memory that
 * held a secret is wiped at its last use, and before it is freed.
 */
#ifndef PJ_WIPE_H
#define PJ_WIPE_H

#include <stddef.h>

/* Overwrite LEN bytes at P with zeros; never optimised away. */
void wipe(void *p, size_t len);

/* Wipe LEN bytes at P, then free P.  P may be NULL. */
void wipe_free(void *p, size_t len);

/* Wipe the NUL-terminated string S, then free it.  S may be NULL. */
void wipe_free_str(char *s);

#endif
