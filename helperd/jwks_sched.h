/*
 * When the helper fetches a key set again (DESIGN.md "Helper",
 * jwks_refresh_min and jwks_refresh_max): pure arithmetic, kept apart
 * so that the unit tests pin it.
 */
#ifndef PJ_HELPERD_JWKS_SCHED_H
#define PJ_HELPERD_JWKS_SCHED_H

/* The interval used when the provider names no max-age. */
#define SCHED_DEFAULT_AGE 3600
/* The longest wait between retries after failures. */
#define SCHED_RETRY_MAX 3600

/*
 * Seconds until the next fetch after a good one whose Cache-Control
 * max-age was MAX_AGE (-1: none, SCHED_DEFAULT_AGE then), clamped to
 * [MIN, MAX] whatever the provider says.  MIN <= MAX, both >= 1.
 */
long sched_interval(long max_age, long min, long max);

/*
 * Seconds until the next try after FAILURES (>= 1) failed fetches in a
 * row: MIN doubled for each failure after the first, at most the
 * smaller of MAX and SCHED_RETRY_MAX, never under MIN.
 */
long sched_backoff(unsigned failures, long min, long max);

#endif
