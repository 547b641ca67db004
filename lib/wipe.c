/*
 * Wiping secrets.  explicit_bzero() where the C library has it (configure
 * probes for it), OPENSSL_cleanse() otherwise: both are documented never
 * to be optimised away, unlike a plain memset() before free().
 */
#ifdef HAVE_CONFIG_H
/*
 * Angle brackets on purpose: lib/config.h (the configuration file's
 * interface) would shadow the build's config.h for "config.h".
 */
#include "autoconf.h"
#endif

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "wipe.h"

void
wipe(void *p, size_t len)
{
	if (p == NULL || len == 0)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, len);
#else
	OPENSSL_cleanse(p, len);
#endif
}

void
wipe_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	wipe(p, len);
	free(p);
}

void
wipe_free_str(char *s)
{
	if (s == NULL)
		return;
	wipe_free(s, strlen(s));
}
