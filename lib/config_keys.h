/*
 * The configuration keys (internal to config.c): the table of DESIGN.md's
 * keys with their types and defaults, the conversion of a key's text into
 * the field of struct policy, and the rules a whole policy must meet.
 * config.c reads the text (file, sections, arguments) and decides which
 * text each key of each policy gets; this part gives it a meaning.
 *
 * Every function that finds a problem logs it at LOG_ERR through the
 * source's log, naming the file and line (or the module argument).
 */
#ifndef PJ_CONFIG_KEYS_H
#define PJ_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "log.h"

/* The number of keys; key indexes run from 0 to CONFIG_KEYS_N - 1. */
#define CONFIG_KEYS_N 33

/* The text of one key in one scope and where it came from. */
struct config_raw {
	char *value;		/* NULL: not set in this scope */
	int line;		/* of the file; 0 for a module argument */
};

/* What conversion needs to know of the file, for paths and messages. */
struct config_src {
	const char *path;	/* the file, for messages */
	const char *dir;	/* its folder, for relative paths */
	const struct pj_log *log;
};

/* The index of the key NAME, or -1 when there is no such key. */
int config_keys_find(const char *name);

/* The name of key K. */
const char *config_keys_name(int k);

/* The default of key K as text, or NULL when it has none. */
const char *config_keys_default(int k);

/*
 * True when key K may be given more than once in a scope, its values
 * adding up: the lists and algorithms.
 */
bool config_keys_repeatable(int k);

/*
 * Convert the text of key K into its field of P: RAW's value, or the
 * key's default when RAW is NULL.  Relative paths are taken from SRC's
 * folder.  Returns PJ_OK, PJ_ERR_CONFIG (logged: empty where a value is
 * needed, out of range, "none" or an unknown name in algorithms...) or
 * PJ_ERR_NOMEM.  What was set is freed by config_keys_clear.
 */
int config_keys_convert(const struct config_src *src, struct policy *p,
    int k, const struct config_raw *raw);

/*
 * After every key of P is converted: apply the defaults that depend on
 * other keys (discovery_url from issuer) and check the keys against each
 * other that every policy, the top level included, must respect.  Returns
 * PJ_OK, PJ_ERR_CONFIG (logged) or PJ_ERR_NOMEM.
 */
int config_keys_complete(const struct config_src *src, struct policy *p);

/*
 * The rules of a policy a token is tried against: issuer and audience
 * set, key files for the algorithms listed, username_domain without '@'.
 * LABEL names the policy in the message.  Returns PJ_OK or PJ_ERR_CONFIG
 * (logged).
 */
int config_keys_validate(const struct config_src *src, const char *label,
    const struct policy *p);

/* Free every field of P and zero it; a zeroed P is fine. */
void config_keys_clear(struct policy *p);

/* Key K of P as text into BUF (SIZE bytes), for the debug dump. */
void config_keys_format(const struct policy *p, int k, char *buf,
    size_t size);

/*
 * S for a log line into BUF (SIZE bytes), which is returned: the
 * administrator's own text, so spaces and quotes stay readable, but
 * control and non-ASCII bytes become \xHH and the length is bounded, so
 * that no value can forge a second line.
 */
const char *config_keys_esc(const char *s, char *buf, size_t size);

#endif
