/*
 * The core's only way to report: format a line and hand it to the
 * caller's callback (pam_syslog in the module, stderr in the tool).
 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

/* Longest message passed on; longer ones are cut. */
#define PJ_LOG_MAX 512

void
pj_logf(const struct pj_log *log, int prio, const char *fmt, ...)
{
	char buf[PJ_LOG_MAX + 1];
	va_list ap;

	if (log == NULL || log->fn == NULL)
		return;
	if ((prio & LOG_PRIMASK) == LOG_DEBUG && !log->debug)
		return;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	log->fn(log->arg, prio, buf);
}
