/*
 * The configuration keys: DESIGN.md's two tables as data, each key's text
 * converted into its field of struct policy, and the rules a policy must
 * meet as a whole.
 *
 * Values: an empty value unsets a key without a default (username_domain
 * =) and empties a list (require_group =, which a section may use to drop
 * an inherited requirement); for any other key it is an error.  Relative
 * paths, in the file or in module arguments, are taken from the file's
 * folder.  token_key_file stays NULL when unset: its default depends on
 * the helper's environment, and only the helper applies it.
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alg.h"
#include "config_keys.h"
#include "reason.h"
#include "strutil.h"

enum key_type {
	KT_STRING,	/* char *; empty: NULL, or an error with a default */
	KT_PATH,	/* char *, made absolute; empty: NULL */
	KT_LIST,	/* char ** and its count */
	KT_ALGS,	/* unsigned ALG_BIT mask */
	KT_LONG,	/* long within [min, max] */
	KT_BOOL,
	KT_NOT_A_TOKEN
};

struct key_def {
	const char *name;
	enum key_type type;
	size_t off;		/* of the field in struct policy */
	size_t off_n;		/* KT_LIST: of its count */
	const char *def;	/* the default as text; NULL: none */
	long min, max;		/* KT_LONG */
};

#define PO(f) offsetof(struct policy, f)
#define STR(k, d) { #k, KT_STRING, PO(k), 0, d, 0, 0 }
#define PATHK(k, d) { #k, KT_PATH, PO(k), 0, d, 0, 0 }
#define LIST(k, n) { #k, KT_LIST, PO(k), PO(n), "", 0, 0 }
#define NUM(k, d, lo, hi) { #k, KT_LONG, PO(k), 0, d, lo, hi }
#define BOOL(k, d) { #k, KT_BOOL, PO(k), 0, d, 0, 0 }

/* DESIGN.md's two tables: the module's keys, then the helper's. */
static const struct key_def keys[] = {
	STR(issuer, NULL),
	LIST(audience, n_audience),
	STR(audience_claim, "aud"),
	PATHK(jwks_file, NULL),
	PATHK(hmac_secret_file, NULL),
	{ "algorithms", KT_ALGS, PO(algorithms), 0, "RS256", 0, 0 },
	NUM(leeway, "60", 0, 300),
	NUM(max_token_age, "0", 0, LONG_MAX),
	STR(username_claim, "sub"),
	STR(username_domain, NULL),
	BOOL(allow_root, "no"),
	STR(groups_claim, "groups"),
	LIST(require_group, n_require_group),
	LIST(require_scope, n_require_scope),
	STR(token_use, NULL),
	LIST(typ, n_typ),
	NUM(max_token_bytes, "16384", 64, 1024 * 1024),
	{ "not_a_token", KT_NOT_A_TOKEN, PO(not_a_token), 0, "deny", 0, 0 },
	NUM(jwks_max_age, "86400", 0, LONG_MAX),

	STR(client_id, NULL),
	PATHK(client_secret_file, NULL),
	STR(discovery_url, NULL),
	PATHK(ca_file, NULL),
	NUM(renew_margin, "60", 0, 7 * 86400),
	BOOL(keep_after_logout, "no"),
	NUM(jwks_refresh_min, "300", 1, 366L * 86400),
	NUM(jwks_refresh_max, "86400", 1, 366L * 86400),
	PATHK(helper_socket, "/run/pam_jwt/helper.sock"),
	NUM(helper_timeout_ms, "500", 0, 60000),
	PATHK(state_dir, "/var/lib/pam_jwt"),
	BOOL(persist, "yes"),
	PATHK(token_key_file, NULL),
	STR(helper_user, "pam-jwt"),
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

/* config.c sizes its arrays of text by CONFIG_KEYS_N. */
_Static_assert(N_KEYS == CONFIG_KEYS_N, "CONFIG_KEYS_N is not the table size");

int
config_keys_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *
config_keys_name(int k)
{
	return keys[k].name;
}

const char *
config_keys_default(int k)
{
	return keys[k].def;
}

bool
config_keys_repeatable(int k)
{
	return keys[k].type == KT_LIST || keys[k].type == KT_ALGS;
}

const char *
config_keys_esc(const char *s, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (; *s != '\0' && o + 8 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			buf[o++] = (char)c;
			continue;
		}
		buf[o++] = '\\';
		buf[o++] = 'x';
		buf[o++] = hex[c >> 4];
		buf[o++] = hex[c & 0xf];
	}
	if (*s != '\0') {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* Log where key K's text RV (NULL: its default) came from, and WHAT. */
static void
bad_value(const struct config_src *src, const struct config_raw *rv, int k,
    const char *what)
{
	char ebuf[300];
	const char *v = rv != NULL ? rv->value : keys[k].def;

	if (rv == NULL)
		pj_logf(src->log, LOG_ERR, "%.200s: %s: %s", src->path,
		    keys[k].name, what);
	else if (rv->line == 0)
		pj_logf(src->log, LOG_ERR, "argument %s=%s: %s", keys[k].name,
		    config_keys_esc(v, ebuf, sizeof(ebuf)), what);
	else
		pj_logf(src->log, LOG_ERR, "%.200s:%d: %s = %s: %s", src->path,
		    rv->line, keys[k].name,
		    config_keys_esc(v, ebuf, sizeof(ebuf)), what);
}

static int
make_path(const struct config_src *src, const char *value, char **out)
{
	size_t dlen, vlen = strlen(value);

	*out = NULL;
	if (vlen == 0)
		return PJ_OK;
	if (value[0] == '/') {
		*out = strdup(value);
	} else {
		dlen = strlen(src->dir);
		*out = malloc(dlen + vlen + 2);
		if (*out != NULL) {
			memcpy(*out, src->dir, dlen);
			(*out)[dlen] = '/';
			memcpy(*out + dlen + 1, value, vlen + 1);
		}
	}
	return *out == NULL ? PJ_ERR_NOMEM : PJ_OK;
}

static int
parse_algs(const struct config_src *src, const struct config_raw *rv, int k,
    const char *value, unsigned *mask)
{
	char **items = NULL;
	size_t n, i;
	int ret;

	*mask = 0;
	ret = strutil_split_list(value, &items, &n);
	if (ret != PJ_OK)
		return ret;
	ret = PJ_ERR_CONFIG;
	if (n == 0) {
		bad_value(src, rv, k, "no algorithm listed");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct alg_info *alg;

		/* RFC 8725 section 3.1: "none" can never be allowed. */
		if (strcasecmp(items[i], "none") == 0) {
			bad_value(src, rv, k, "\"none\" is never accepted");
			goto out;
		}
		alg = alg_lookup(items[i], strlen(items[i]));
		if (alg == NULL) {
			bad_value(src, rv, k, "unknown algorithm");
			goto out;
		}
		*mask |= ALG_BIT(alg->id);
	}
	ret = PJ_OK;
out:
	strutil_free_list(items);
	return ret;
}

static bool
parse_not_a_token(const char *value, enum not_a_token_mode *mode)
{
	if (strcmp(value, "deny") == 0)
		*mode = NOT_A_TOKEN_DENY;
	else if (strcmp(value, "ignore") == 0)
		*mode = NOT_A_TOKEN_IGNORE;
	else
		return false;
	return true;
}

/*
 * A number, a yes/no or not_a_token's word: VALUE (from RV, or the
 * default) into key K of policy P.
 */
static int
convert_word(const struct config_src *src, struct policy *p, int k,
    const struct config_raw *rv, const char *value)
{
	const struct key_def *kd = &keys[k];
	void *field = (char *)p + kd->off;
	const char *what = NULL;

	if (kd->type == KT_LONG) {
		if (!strutil_parse_long(value, kd->min, kd->max, field))
			what = "not a number in range";
	} else if (kd->type == KT_BOOL) {
		if (!strutil_parse_bool(value, field))
			what = "not yes or no";
	} else if (!parse_not_a_token(value, &p->not_a_token)) {
		what = "not deny or ignore";
	}
	if (what == NULL)
		return PJ_OK;
	bad_value(src, rv, k, what);
	return PJ_ERR_CONFIG;
}

int
config_keys_convert(const struct config_src *src, struct policy *p,
    int k, const struct config_raw *rv)
{
	const struct key_def *kd = &keys[k];
	const char *value = rv != NULL ? rv->value : kd->def;
	char *base = (char *)p;
	char **sp = (char **)(void *)(base + kd->off);
	int ret = PJ_OK;

	if ((kd->type == KT_STRING || kd->type == KT_PATH) &&
	    *value == '\0' && kd->def != NULL) {
		bad_value(src, rv, k, "must not be empty");
		return PJ_ERR_CONFIG;
	}
	switch (kd->type) {
	case KT_STRING:
		if (*value != '\0') {
			*sp = strdup(value);
			ret = *sp == NULL ? PJ_ERR_NOMEM : PJ_OK;
		}
		break;
	case KT_PATH:
		ret = make_path(src, value, sp);
		break;
	case KT_LIST:
		ret = strutil_split_list(value, (char ***)(void *)sp,
		    (size_t *)(void *)(base + kd->off_n));
		break;
	case KT_ALGS:
		ret = parse_algs(src, rv, k, value,
		    (unsigned *)(void *)(base + kd->off));
		break;
	case KT_LONG:
	case KT_BOOL:
	case KT_NOT_A_TOKEN:
		ret = convert_word(src, p, k, rv, value);
		break;
	}
	return ret;
}

/* discovery_url's default: RFC 8414 / OIDC Discovery 1.0 section 4. */
static int
default_discovery(struct policy *p)
{
	static const char wk[] = "/.well-known/openid-configuration";
	size_t len;

	if (p->discovery_url != NULL || p->issuer == NULL)
		return PJ_OK;
	len = strlen(p->issuer);
	if (len > 0 && p->issuer[len - 1] == '/')
		len--;
	p->discovery_url = malloc(len + sizeof(wk));
	if (p->discovery_url == NULL)
		return PJ_ERR_NOMEM;
	memcpy(p->discovery_url, p->issuer, len);
	memcpy(p->discovery_url + len, wk, sizeof(wk));
	return PJ_OK;
}

int
config_keys_complete(const struct config_src *src, struct policy *p)
{
	int ret;

	ret = default_discovery(p);
	if (ret != PJ_OK)
		return ret;
	if (p->jwks_refresh_min > p->jwks_refresh_max) {
		pj_logf(src->log, LOG_ERR, "%.200s: jwks_refresh_min is above "
		    "jwks_refresh_max", src->path);
		return PJ_ERR_CONFIG;
	}
	return PJ_OK;
}

int
config_keys_validate(const struct config_src *src, const char *label,
    const struct policy *p)
{
	if (p->issuer == NULL) {
		pj_logf(src->log, LOG_ERR, "%.200s: %s: issuer is required",
		    src->path, label);
		return PJ_ERR_CONFIG;
	}
	if (p->n_audience == 0) {
		pj_logf(src->log, LOG_ERR, "%.200s: %s: audience is required",
		    src->path, label);
		return PJ_ERR_CONFIG;
	}
	if ((p->algorithms & ALG_HMAC_MASK) != 0 &&
	    p->hmac_secret_file == NULL) {
		pj_logf(src->log, LOG_ERR, "%.200s: %s: an HS* algorithm is "
		    "listed without hmac_secret_file", src->path, label);
		return PJ_ERR_CONFIG;
	}
	if ((p->algorithms & ~ALG_HMAC_MASK) != 0 && p->jwks_file == NULL) {
		pj_logf(src->log, LOG_ERR, "%.200s: %s: jwks_file is required "
		    "for the algorithms listed", src->path, label);
		return PJ_ERR_CONFIG;
	}
	if (p->username_domain != NULL &&
	    strchr(p->username_domain, '@') != NULL) {
		pj_logf(src->log, LOG_ERR, "%.200s: %s: username_domain is "
		    "written without '@'", src->path, label);
		return PJ_ERR_CONFIG;
	}
	return PJ_OK;
}

void
config_keys_clear(struct policy *p)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++) {
		void *field = (char *)p + keys[i].off;

		if (keys[i].type == KT_LIST)
			strutil_free_list(*(char ***)field);
		else if (keys[i].type == KT_STRING || keys[i].type == KT_PATH)
			free(*(char **)field);
	}
	free(p->name);
	memset(p, 0, sizeof(*p));
}

void
config_keys_format(const struct policy *p, int k, char *buf, size_t size)
{
	const struct key_def *kd = &keys[k];
	const char *base = (const char *)p;
	const void *field = base + kd->off;
	size_t o = 0, i;

	buf[0] = '\0';
	switch (kd->type) {
	case KT_STRING:
	case KT_PATH:
		if (*(char *const *)field != NULL)
			(void)snprintf(buf, size, "%s",
			    *(char *const *)field);
		break;
	case KT_LIST: {
		char *const *list = *(char **const *)field;

		for (i = 0; list != NULL && list[i] != NULL && o < size; i++)
			o += (size_t)snprintf(buf + o, size - o, "%s%s",
			    i > 0 ? ", " : "", list[i]);
		break;
	}
	case KT_ALGS:
		for (i = 0; i < ALG_COUNT && o < size; i++)
			if (p->algorithms & ALG_BIT(i))
				o += (size_t)snprintf(buf + o, size - o,
				    "%s%s", o > 0 ? ", " : "",
				    alg_by_id((enum alg_id)i)->name);
		break;
	case KT_LONG:
		(void)snprintf(buf, size, "%ld", *(const long *)field);
		break;
	case KT_BOOL:
		(void)snprintf(buf, size, "%s",
		    *(const bool *)field ? "yes" : "no");
		break;
	case KT_NOT_A_TOKEN:
		(void)snprintf(buf, size, "%s",
		    p->not_a_token == NOT_A_TOKEN_IGNORE ? "ignore" : "deny");
		break;
	}
}
