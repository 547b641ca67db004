/*
 * The module's log callback and its decision line.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "modlog.h"
#include "strutil.h"

/*
 * Longest value of each field, in bytes before escaping.  An escaped byte
 * takes at most four characters, plus "..." and the NUL.
 */
#define MODLOG_MAX_VALUE 128
#define MODLOG_VALUE_SIZE (4 * MODLOG_MAX_VALUE + 4)

static void
modlog_to_syslog(void *arg, int prio, const char *msg)
{
	pam_handle_t *pamh = arg;

	pam_syslog(pamh, prio, "%s", msg);
}

void
modlog_init(struct pj_log *log, pam_handle_t *pamh, bool debug)
{
	log->fn = modlog_to_syslog;
	log->arg = pamh;
	log->debug = debug;
}

/* Escape S (NULL: empty) into OUT of MODLOG_VALUE_SIZE bytes. */
static void
escape_value(const char *s, size_t max, char *out)
{
	if (s == NULL) {
		out[0] = '\0';
		return;
	}
	strutil_escape(s, strlen(s), max, out, MODLOG_VALUE_SIZE);
}

/* True when S holds only what strutil_escape lets through. */
static bool
is_escaped(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s <= ' ' || *s >= 0x7f || *s == '"' || *s == '=')
			return false;
	}
	return true;
}

static const char *
result_name(enum modlog_result result)
{
	switch (result) {
	case MODLOG_ACCEPTED:
		return "accepted";
	case MODLOG_IGNORED:
		return "ignored";
	case MODLOG_REFUSED:
		return "refused";
	case MODLOG_ERROR:
		break;
	}
	return "error";
}

static int
result_prio(enum modlog_result result)
{
	switch (result) {
	case MODLOG_ACCEPTED:
	case MODLOG_IGNORED:
		return LOG_INFO;
	case MODLOG_REFUSED:
		return LOG_NOTICE;
	case MODLOG_ERROR:
		break;
	}
	return LOG_ERR;
}

void
modlog_decision(pam_handle_t *pamh, const struct modlog_decision *d)
{
	const void *item;
	const char *service = NULL;
	const char *rhost = NULL;
	char e_service[MODLOG_VALUE_SIZE];
	char e_user[MODLOG_VALUE_SIZE];
	char e_rhost[MODLOG_VALUE_SIZE];
	char e_iss[MODLOG_VALUE_SIZE];
	char e_kid[MODLOG_VALUE_SIZE];
	char e_jti[MODLOG_VALUE_SIZE];
	char e_reason[MODLOG_VALUE_SIZE];

	if (pam_get_item(pamh, PAM_SERVICE, &item) == PAM_SUCCESS)
		service = item;
	if (pam_get_item(pamh, PAM_RHOST, &item) == PAM_SUCCESS)
		rhost = item;

	escape_value(service, 64, e_service);
	escape_value(d->user, 64, e_user);
	escape_value(rhost, 64, e_rhost);
	escape_value(d->iss, MODLOG_MAX_VALUE, e_iss);
	escape_value(d->jti, 64, e_jti);
	escape_value(d->reason, 64, e_reason);

	/*
	 * The verifier escapes the kid already (struct verdict); escaping
	 * it again would double its backslashes.  Should it ever hold a
	 * byte that could end a field, it is escaped all the same.
	 */
	if (d->kid != NULL && is_escaped(d->kid))
		snprintf(e_kid, sizeof(e_kid), "%.100s", d->kid);
	else
		escape_value(d->kid, 64, e_kid);

	pam_syslog(pamh, result_prio(d->result),
	    "stage=%s result=%s service=%s user=%s rhost=%s iss=%s kid=%s "
	    "jti=%s reason=%s", d->stage, result_name(d->result), e_service,
	    e_user, e_rhost, e_iss, e_kid, e_jti, e_reason);
}
