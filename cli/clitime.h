/*
 * Times as the tool prints them: RFC 3339 in UTC, as the expiry and the
 * clock of pam-jwt verify and the helper's status show them.
 */
#ifndef PJ_CLITIME_H
#define PJ_CLITIME_H

#include <stddef.h>
#include <stdint.h>

/*
 * Format the Unix time T as "YYYY-MM-DDTHH:MM:SSZ" into OUT (SIZE bytes,
 * at least 21 for the whole form); "?" when T cannot be shown.
 */
void clitime_format(int64_t t, char *out, size_t size);

#endif
