/*
 * "--explain" reporting: one line per rule, formatted only when someone
 * listens, so that the module (which never explains) pays nothing.
 */
#include <stdarg.h>
#include <stdio.h>

#include "explain.h"

/* Longest detail passed on; longer ones are cut. */
#define EXPLAIN_MAX 512

void
explain_rule(const struct explain *ex, const char *rule, bool ok,
    const char *fmt, ...)
{
	char buf[EXPLAIN_MAX];
	va_list ap;

	if (ex == NULL || ex->rule == NULL)
		return;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	ex->rule(ex->arg, rule, ok, buf);
}
