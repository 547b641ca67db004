/* Times as the tool prints them (see clitime.h). */
#include <stdio.h>
#include <time.h>

#include "clitime.h"

void
clitime_format(int64_t t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(out, size, "?");
}
