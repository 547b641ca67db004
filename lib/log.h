/*
 * How the core reports: a small callback that the module points at
 * pam_syslog and the command-line tool at stderr.  The core never calls
 * syslog or writes to a stream itself.
 */
#ifndef PJ_LOG_H
#define PJ_LOG_H

#include <stdbool.h>
#include <syslog.h>

struct pj_log {
	/* PRIO is a syslog priority (LOG_ERR, LOG_WARNING, ...). */
	void (*fn)(void *arg, int prio, const char *msg);
	void *arg;
	bool debug;		/* LOG_DEBUG messages are passed on */
};

/*
 * Format and pass a message to LOG.  LOG may be NULL (nothing happens);
 * LOG_DEBUG messages go out only when LOG->debug is set.  Messages are
 * truncated to 512 bytes.  Callers bound every token-derived value with a
 * printf precision and escape it with strutil_escape().
 */
void pj_logf(const struct pj_log *log, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
