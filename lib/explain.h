/*
 * "--explain": each rule of the policy reports pass or fail with the
 * values it compared.  The verifier calls explain_rule() at every check;
 * with no explainer set it does no formatting at all.
 */
#ifndef PJ_EXPLAIN_H
#define PJ_EXPLAIN_H

#include <stdbool.h>

struct explain {
	/* RULE is a short name ("signature", "exp", "audience"). */
	void (*rule)(void *arg, const char *rule, bool ok, const char *detail);
	void *arg;
};

/*
 * Report one rule.  EX may be NULL (nothing happens).  Token-derived
 * values in FMT's arguments must be bounded and escaped.
 */
void explain_rule(const struct explain *ex, const char *rule, bool ok,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
