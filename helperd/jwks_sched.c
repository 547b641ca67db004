/*
 * The refresh schedule.  A provider's Cache-Control is a hint: a
 * max-age of 0 would make the helper hammer it, a year would keep a
 * removed key alive; the administrator's bounds win.
 */
#include "autoconf.h"

#include "jwks_sched.h"

long
sched_interval(long max_age, long min, long max)
{
	long v = max_age >= 0 ? max_age : SCHED_DEFAULT_AGE;

	if (v < min)
		v = min;
	if (v > max)
		v = max;
	return v;
}

long
sched_backoff(unsigned failures, long min, long max)
{
	long cap = max < SCHED_RETRY_MAX ? max : SCHED_RETRY_MAX;
	long v = min;
	unsigned i;

	for (i = 1; i < failures && v < cap; i++)
		v *= 2;
	if (v > cap)
		v = cap;
	if (v < min)
		v = min;
	return v;
}
