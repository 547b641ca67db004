/*
 * pam_jwt.conf and the module's arguments.
 *
 * The file is INI as inih reads it, fed one line at a time through our own
 * reader so that the syntax does not depend on how inih was built:
 *
 * - "key = value" only: a line whose first '=' or ':' is a ':' is refused
 *   (inih would take "key: value" too).
 * - A comment starts with '#' or ';' at the beginning of a line, or after
 *   a space or tab anywhere in it ("jwks_file = /x # the IdP keys").  A
 *   '#' or ';' that follows any other character belongs to the value, so
 *   "https://idp/#x" keeps its '#'.
 * - Leading blanks are ignored, so indented lines are ordinary lines
 *   (inih's multi-line continuation never applies).
 * - A line may hold at most INI_MAX_LINE - 2 characters (inih's line
 *   buffer, 198 with Debian's build); a longer line is an error, never cut.
 *   A list key (algorithms too) may be given on several lines of one
 *   section: the values add up.  Any other key given twice in one
 *   section is an error.
 * - The only sections are [issuer NAME], NAME being 1 to 32 of
 *   A-Z a-z 0-9 . _ - and unique in the file.
 *
 * Values: an empty value unsets a key without a default (username_domain
 * =) and empties a list (require_group =, which a section may use to drop
 * an inherited requirement); for any other key it is an error.  Relative
 * paths, in the file or in module arguments, are taken from the file's
 * folder.  token_key_file stays NULL when unset: its default depends on
 * the helper's environment, and only the helper applies it.
 *
 * Every value is kept as text per scope (top level, sections, module
 * arguments) and converted once per policy: argument, else the section's
 * own value, else the top level's, else the default.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "alg.h"
#include "config.h"
#include "reason.h"
#include "safefile.h"
#include "strutil.h"

#define CONFIG_MAX_SIZE (64 * 1024)
#define SECTION_NAME_MAX 32

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

/* Where a value came from: a line of the file, or line 0 for arguments. */
struct raw_value {
	char *value;
	int line;
};

/* The text of one scope: the top level, a section, or the arguments. */
struct scope {
	char *name;		/* "" for the top level */
	int line;		/* of the section header */
	struct raw_value v[N_KEYS];
};

struct parser {
	const char *path;
	const char *dir;	/* the file's folder, for relative paths */
	const struct pj_log *log;
	const char *p, *end;	/* the reader's position */
	int line;
	struct scope *scopes;	/* [0] is the top level */
	size_t n_scopes;
	struct scope args;
	int err;		/* the first error */
};

static int
key_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void
fail(struct parser *ps, int err)
{
	if (ps->err == PJ_OK)
		ps->err = err;
}

static void
scope_clear(struct scope *s)
{
	size_t i;

	free(s->name);
	for (i = 0; i < N_KEYS; i++)
		free(s->v[i].value);
	memset(s, 0, sizeof(*s));
}

/*
 * S for a log line: the administrator's own text, so spaces and quotes
 * stay readable, but control and non-ASCII bytes become \xHH and the
 * length is bounded, so that no value can forge a second line.
 */
static const char *
esc(const char *s, char *buf, size_t size)
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

/*
 * Set key K of scope S to VALUE.  A list given again adds up; any other
 * key given twice in one scope is an error.
 */
static int
scope_set(struct parser *ps, struct scope *s, int k, const char *value,
    int line)
{
	struct raw_value *rv = &s->v[k];
	char *joined;
	size_t a, b;

	if (rv->value == NULL) {
		rv->value = strdup(value);
		rv->line = line;
		return rv->value == NULL ? PJ_ERR_NOMEM : PJ_OK;
	}
	if (keys[k].type != KT_LIST && keys[k].type != KT_ALGS) {
		if (line > 0)
			pj_logf(ps->log, LOG_ERR, "%.200s:%d: %s set twice "
			    "(first on line %d)", ps->path, line,
			    keys[k].name, rv->line);
		else
			pj_logf(ps->log, LOG_ERR, "argument %s given twice",
			    keys[k].name);
		return PJ_ERR_CONFIG;
	}
	a = strlen(rv->value);
	b = strlen(value);
	joined = malloc(a + b + 2);
	if (joined == NULL)
		return PJ_ERR_NOMEM;
	memcpy(joined, rv->value, a);
	joined[a] = ',';
	memcpy(joined + a + 1, value, b + 1);
	free(rv->value);
	rv->value = joined;
	return PJ_OK;
}

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* The NAME of "issuer NAME" (INNER, ILEN bytes), or false. */
static bool
section_name(const char *inner, size_t ilen, const char **name,
    size_t *nlen)
{
	size_t i;

	if (ilen < 7 || memcmp(inner, "issuer", 6) != 0 ||
	    (inner[6] != ' ' && inner[6] != '\t'))
		return false;
	strutil_trim(inner + 6, ilen - 6, name, nlen);
	if (*nlen == 0 || *nlen > SECTION_NAME_MAX)
		return false;
	for (i = 0; i < *nlen; i++)
		if (!is_name_char((*name)[i]))
			return false;
	return true;
}

/* A new scope for section NAME (NLEN bytes), unique in the file. */
static int
scope_add(struct parser *ps, const char *name, size_t nlen)
{
	struct scope *grown;
	size_t i;

	for (i = 1; i < ps->n_scopes; i++) {
		if (strlen(ps->scopes[i].name) == nlen &&
		    memcmp(ps->scopes[i].name, name, nlen) == 0) {
			pj_logf(ps->log, LOG_ERR, "%.200s:%d: section [issuer "
			    "%.*s] repeated (first on line %d)", ps->path,
			    ps->line, (int)nlen, name, ps->scopes[i].line);
			return PJ_ERR_CONFIG;
		}
	}
	grown = reallocarray(ps->scopes, ps->n_scopes + 1, sizeof(*grown));
	if (grown == NULL)
		return PJ_ERR_NOMEM;
	ps->scopes = grown;
	grown += ps->n_scopes;
	memset(grown, 0, sizeof(*grown));
	grown->name = strndup(name, nlen);
	if (grown->name == NULL)
		return PJ_ERR_NOMEM;
	grown->line = ps->line;
	ps->n_scopes++;
	return PJ_OK;
}

/*
 * A section header line LINE (LEN bytes, blanks and comment removed):
 * "[issuer NAME]".  Starts a new scope.
 */
static int
section_start(struct parser *ps, const char *line, size_t len)
{
	const char *inner, *name;
	size_t ilen, nlen;
	char ebuf[300], *copy;

	if (len < 2 || line[len - 1] != ']') {
		pj_logf(ps->log, LOG_ERR, "%.200s:%d: malformed section "
		    "header", ps->path, ps->line);
		return PJ_ERR_CONFIG;
	}
	strutil_trim(line + 1, len - 2, &inner, &ilen);
	if (section_name(inner, ilen, &name, &nlen))
		return scope_add(ps, name, nlen);

	copy = strndup(inner, ilen);
	if (copy == NULL)
		return PJ_ERR_NOMEM;
	pj_logf(ps->log, LOG_ERR, "%.200s:%d: unknown section [%s]: only "
	    "[issuer NAME] sections exist (NAME: 1 to %d of A-Z a-z 0-9 . _ -)",
	    ps->path, ps->line, esc(copy, ebuf, sizeof(ebuf)),
	    SECTION_NAME_MAX);
	free(copy);
	return PJ_ERR_CONFIG;
}

/* The length of LINE (LEN bytes) before its comment, if any. */
static size_t
strip_comment(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (line[i] != '#' && line[i] != ';')
			continue;
		if (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')
			return i;
	}
	return len;
}

/*
 * Check one cleaned line (LEN bytes, NUM the room inih has for it): a
 * section header starts a scope; anything else must be "key = value".
 */
static int
check_line(struct parser *ps, const char *line, size_t len, int num)
{
	const char *sep = line;

	if (len + 2 > (size_t)num) {
		pj_logf(ps->log, LOG_ERR, "%.200s:%d: line longer than %d "
		    "characters (a list may continue on a second line with "
		    "the same key)", ps->path, ps->line, num - 2);
		return PJ_ERR_CONFIG;
	}
	if (len == 0)
		return PJ_OK;
	if (line[0] == '[')
		return section_start(ps, line, len);
	while (sep < line + len && *sep != '=' && *sep != ':')
		sep++;
	if (sep == line + len || *sep == ':') {
		pj_logf(ps->log, LOG_ERR, "%.200s:%d: expected \"key = "
		    "value\"", ps->path, ps->line);
		return PJ_ERR_CONFIG;
	}
	return PJ_OK;
}

/*
 * inih's reader: the next line of the file into STR (NUM bytes), cleaned
 * as the comment at the top of this file says.  Returns NULL at the end or
 * after an error, which ends the parse.
 */
static char *
reader(char *str, int num, void *stream)
{
	struct parser *ps = stream;
	const char *line, *nl;
	size_t len;
	int ret;

	if (ps->err != PJ_OK || ps->p >= ps->end)
		return NULL;
	line = ps->p;
	nl = memchr(line, '\n', (size_t)(ps->end - line));
	len = nl != NULL ? (size_t)(nl - line) : (size_t)(ps->end - line);
	ps->p = nl != NULL ? nl + 1 : ps->end;
	ps->line++;

	/* A UTF-8 byte order mark may open the file. */
	if (ps->line == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	len = strip_comment(line, len);
	strutil_trim(line, len, &line, &len);

	ret = check_line(ps, line, len, num);
	if (ret != PJ_OK) {
		fail(ps, ret);
		return NULL;
	}
	memcpy(str, line, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

/* inih's handler: one "key = value" of the current scope. */
static int
handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct parser *ps = user;
	struct scope *s = &ps->scopes[ps->n_scopes - 1];
	char ebuf[300];
	int k, ret;

	(void)section;	/* the reader keeps track of sections */
	if (ps->err != PJ_OK)
		return 0;

	k = key_find(name);
	if (k < 0) {
		pj_logf(ps->log, LOG_ERR, "%.200s:%d: unknown key \"%s\"",
		    ps->path, ps->line, esc(name, ebuf, sizeof(ebuf)));
		ret = PJ_ERR_CONFIG;
	} else {
		ret = scope_set(ps, s, k, value, ps->line);
	}
	if (ret != PJ_OK) {
		fail(ps, ret);
		return 0;
	}
	return 1;
}

/* Parse the file's text BUF of LEN bytes into PS's scopes. */
static int
parse_text(struct parser *ps, const char *buf, size_t len)
{
	int line;

	if (memchr(buf, '\0', len) != NULL) {
		pj_logf(ps->log, LOG_ERR, "%.200s: contains a NUL byte",
		    ps->path);
		return PJ_ERR_CONFIG;
	}
	ps->p = buf;
	ps->end = buf + len;
	line = ini_parse_stream(reader, ps, handler, ps);
	if (ps->err != PJ_OK)
		return ps->err;
	if (line != 0) {
		/* inih found something the reader let through. */
		pj_logf(ps->log, LOG_ERR, "%.200s:%d: syntax error", ps->path,
		    line);
		return PJ_ERR_CONFIG;
	}
	return PJ_OK;
}

/* A bare module flag: true when A is one (and it is now set). */
static bool
set_flag(struct config *cfg, const char *a)
{
	bool *flag = NULL;

	if (strcmp(a, "debug") == 0)
		flag = &cfg->debug;
	else if (strcmp(a, "audit") == 0)
		flag = &cfg->audit;
	else if (strcmp(a, "use_first_pass") == 0)
		flag = &cfg->use_first_pass;
	else if (strcmp(a, "try_first_pass") == 0)
		flag = &cfg->try_first_pass;
	if (flag != NULL)
		*flag = true;
	return flag != NULL;
}

/*
 * The module's arguments: flags, "config=FILE" (into *FILE) and
 * "key=value" overrides into PS->args.
 */
static int
parse_args(struct parser *ps, int argc, const char **argv,
    struct config *cfg, const char **file)
{
	char ebuf[300], kbuf[64];
	int i, k, ret;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		const char *val;
		size_t klen, vlen;
		char *v;

		if (set_flag(cfg, a))
			continue;

		klen = eq != NULL ? (size_t)(eq - a) : 0;
		if (eq == NULL || klen >= sizeof(kbuf)) {
			pj_logf(ps->log, LOG_ERR, "unknown argument \"%s\"",
			    esc(a, ebuf, sizeof(ebuf)));
			return PJ_ERR_CONFIG;
		}
		memcpy(kbuf, a, klen);
		kbuf[klen] = '\0';
		strutil_trim(eq + 1, strlen(eq + 1), &val, &vlen);

		if (strcmp(kbuf, "config") == 0) {
			if (*file != NULL || vlen == 0) {
				pj_logf(ps->log, LOG_ERR, "argument config= "
				    "given twice or empty");
				return PJ_ERR_CONFIG;
			}
			*file = eq + 1;
			continue;
		}
		k = key_find(kbuf);
		if (k < 0) {
			pj_logf(ps->log, LOG_ERR, "unknown argument \"%s\"",
			    esc(kbuf, ebuf, sizeof(ebuf)));
			return PJ_ERR_CONFIG;
		}
		v = strndup(val, vlen);
		if (v == NULL)
			return PJ_ERR_NOMEM;
		ret = scope_set(ps, &ps->args, k, v, 0);
		free(v);
		if (ret != PJ_OK)
			return ret;
	}
	return PJ_OK;
}

/* Log where key K's value RV came from, with FMT's problem. */
static void
bad_value(struct parser *ps, const struct raw_value *rv, int k,
    const char *what)
{
	char ebuf[300];
	const char *v = rv != NULL ? rv->value : keys[k].def;

	if (rv == NULL)
		pj_logf(ps->log, LOG_ERR, "%.200s: %s: %s", ps->path,
		    keys[k].name, what);
	else if (rv->line == 0)
		pj_logf(ps->log, LOG_ERR, "argument %s=%s: %s", keys[k].name,
		    esc(v, ebuf, sizeof(ebuf)), what);
	else
		pj_logf(ps->log, LOG_ERR, "%.200s:%d: %s = %s: %s", ps->path,
		    rv->line, keys[k].name, esc(v, ebuf, sizeof(ebuf)), what);
}

static int
make_path(struct parser *ps, const char *value, char **out)
{
	size_t dlen, vlen = strlen(value);

	*out = NULL;
	if (vlen == 0)
		return PJ_OK;
	if (value[0] == '/') {
		*out = strdup(value);
	} else {
		dlen = strlen(ps->dir);
		*out = malloc(dlen + vlen + 2);
		if (*out != NULL) {
			memcpy(*out, ps->dir, dlen);
			(*out)[dlen] = '/';
			memcpy(*out + dlen + 1, value, vlen + 1);
		}
	}
	return *out == NULL ? PJ_ERR_NOMEM : PJ_OK;
}

static int
parse_algs(struct parser *ps, const struct raw_value *rv, int k,
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
		bad_value(ps, rv, k, "no algorithm listed");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct alg_info *alg;

		/* RFC 8725 section 3.1: "none" can never be allowed. */
		if (strcasecmp(items[i], "none") == 0) {
			bad_value(ps, rv, k, "\"none\" is never accepted");
			goto out;
		}
		alg = alg_lookup(items[i], strlen(items[i]));
		if (alg == NULL) {
			bad_value(ps, rv, k, "unknown algorithm");
			goto out;
		}
		*mask |= ALG_BIT(alg->id);
	}
	ret = PJ_OK;
out:
	strutil_free_list(items);
	return ret;
}

/* Convert VALUE (from RV, or the default) into key K of policy P. */
static int
convert(struct parser *ps, struct policy *p, int k,
    const struct raw_value *rv, const char *value)
{
	const struct key_def *kd = &keys[k];
	char *base = (char *)p;
	char **sp = (char **)(void *)(base + kd->off);
	int ret = PJ_OK;

	if ((kd->type == KT_STRING || kd->type == KT_PATH) &&
	    *value == '\0' && kd->def != NULL) {
		bad_value(ps, rv, k, "must not be empty");
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
		ret = make_path(ps, value, sp);
		break;
	case KT_LIST:
		ret = strutil_split_list(value, (char ***)(void *)sp,
		    (size_t *)(void *)(base + kd->off_n));
		break;
	case KT_ALGS:
		ret = parse_algs(ps, rv, k, value,
		    (unsigned *)(void *)(base + kd->off));
		break;
	case KT_LONG:
		if (!strutil_parse_long(value, kd->min, kd->max,
		    (long *)(void *)(base + kd->off))) {
			bad_value(ps, rv, k, "not a number in range");
			ret = PJ_ERR_CONFIG;
		}
		break;
	case KT_BOOL:
		if (!strutil_parse_bool(value,
		    (bool *)(void *)(base + kd->off))) {
			bad_value(ps, rv, k, "not yes or no");
			ret = PJ_ERR_CONFIG;
		}
		break;
	case KT_NOT_A_TOKEN:
		if (strcmp(value, "deny") == 0)
			p->not_a_token = NOT_A_TOKEN_DENY;
		else if (strcmp(value, "ignore") == 0)
			p->not_a_token = NOT_A_TOKEN_IGNORE;
		else {
			bad_value(ps, rv, k, "not deny or ignore");
			ret = PJ_ERR_CONFIG;
		}
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

/* A name for log lines: "the top level" or "[issuer NAME]". */
static void
scope_label(const struct scope *s, char *buf, size_t size)
{
	if (s->name[0] == '\0')
		(void)snprintf(buf, size, "top level");
	else
		(void)snprintf(buf, size, "[issuer %s] (line %d)", s->name,
		    s->line);
}

/* The rules a policy must meet beyond each key's own syntax. */
static int
validate(struct parser *ps, const struct scope *s, const struct policy *p)
{
	char label[80];

	scope_label(s, label, sizeof(label));
	if (p->issuer == NULL) {
		pj_logf(ps->log, LOG_ERR, "%.200s: %s: issuer is required",
		    ps->path, label);
		return PJ_ERR_CONFIG;
	}
	if (p->n_audience == 0) {
		pj_logf(ps->log, LOG_ERR, "%.200s: %s: audience is required",
		    ps->path, label);
		return PJ_ERR_CONFIG;
	}
	if ((p->algorithms & ALG_HMAC_MASK) != 0 &&
	    p->hmac_secret_file == NULL) {
		pj_logf(ps->log, LOG_ERR, "%.200s: %s: an HS* algorithm is "
		    "listed without hmac_secret_file", ps->path, label);
		return PJ_ERR_CONFIG;
	}
	if ((p->algorithms & ~ALG_HMAC_MASK) != 0 && p->jwks_file == NULL) {
		pj_logf(ps->log, LOG_ERR, "%.200s: %s: jwks_file is required "
		    "for the algorithms listed", ps->path, label);
		return PJ_ERR_CONFIG;
	}
	if (p->username_domain != NULL &&
	    strchr(p->username_domain, '@') != NULL) {
		pj_logf(ps->log, LOG_ERR, "%.200s: %s: username_domain is "
		    "written without '@'", ps->path, label);
		return PJ_ERR_CONFIG;
	}
	return PJ_OK;
}

static void
policy_clear(struct policy *p)
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

/*
 * Build the policy of scope S (the top level when S is PS->scopes) into
 * *P, and check it when it is one a token is tried against.
 */
static int
build_policy(struct parser *ps, const struct scope *s, bool check,
    struct policy *p)
{
	const struct scope *top = &ps->scopes[0];
	size_t k;
	int ret;

	memset(p, 0, sizeof(*p));
	p->name = strdup(s->name);
	if (p->name == NULL)
		return PJ_ERR_NOMEM;

	for (k = 0; k < N_KEYS; k++) {
		const struct raw_value *rv = NULL;

		if (ps->args.v[k].value != NULL)
			rv = &ps->args.v[k];
		else if (s->v[k].value != NULL)
			rv = &s->v[k];
		else if (top->v[k].value != NULL)
			rv = &top->v[k];
		if (rv == NULL && keys[k].def == NULL)
			continue;
		ret = convert(ps, p, (int)k, rv,
		    rv != NULL ? rv->value : keys[k].def);
		if (ret != PJ_OK)
			return ret;
	}
	ret = default_discovery(p);
	if (ret != PJ_OK)
		return ret;
	if (p->jwks_refresh_min > p->jwks_refresh_max) {
		pj_logf(ps->log, LOG_ERR, "%.200s: jwks_refresh_min is above "
		    "jwks_refresh_max", ps->path);
		return PJ_ERR_CONFIG;
	}
	return check ? validate(ps, s, p) : PJ_OK;
}

static int
build_config(struct parser *ps, struct config *cfg)
{
	size_t i, n;
	int ret;

	ret = build_policy(ps, &ps->scopes[0], false, &cfg->top);
	if (ret != PJ_OK)
		return ret;

	/* The top level is a policy when it names an issuer. */
	n = ps->n_scopes - (cfg->top.issuer != NULL ? 0 : 1);
	if (n == 0) {
		pj_logf(ps->log, LOG_ERR, "%.200s: no issuer: set issuer or "
		    "add an [issuer NAME] section", ps->path);
		return PJ_ERR_CONFIG;
	}
	cfg->policies = calloc(n, sizeof(*cfg->policies));
	if (cfg->policies == NULL)
		return PJ_ERR_NOMEM;

	for (i = cfg->top.issuer != NULL ? 0 : 1; i < ps->n_scopes; i++) {
		ret = build_policy(ps, &ps->scopes[i], true,
		    &cfg->policies[cfg->n_policies]);
		cfg->n_policies++;
		if (ret != PJ_OK)
			return ret;
	}
	return PJ_OK;
}

/* The uid of USER, or (uid_t)-1 when there is no such user. */
static int
lookup_user(const char *user, uid_t *uid)
{
	struct passwd pw, *res = NULL;
	size_t size = 4096;
	char *buf = NULL;
	int ret = PJ_ERR_NOMEM, e;

	*uid = (uid_t)-1;
	if (user == NULL)
		return PJ_OK;
	for (;;) {
		char *nbuf = realloc(buf, size);

		if (nbuf == NULL)
			goto out;
		buf = nbuf;
		e = getpwnam_r(user, &pw, buf, size, &res);
		if (e != ERANGE || size >= 1024 * 1024)
			break;
		size *= 2;
	}
	if (res != NULL)
		*uid = pw.pw_uid;
	ret = PJ_OK;
out:
	free(buf);
	return ret;
}

/* PATH made absolute against the working folder (no symlinks resolved). */
static char *
absolute_path(const char *path)
{
	char cwd[PATH_MAX];
	size_t clen, plen = strlen(path);
	char *out;

	if (path[0] == '/')
		return strdup(path);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	clen = strlen(cwd);
	out = malloc(clen + plen + 2);
	if (out == NULL)
		return NULL;
	memcpy(out, cwd, clen);
	out[clen] = '/';
	memcpy(out + clen + 1, path, plen + 1);
	return out;
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t len = (size_t)(slash - path);

	return strndup(path, len == 0 ? 1 : len);
}

/* Read the file PS->path and parse it into PS's scopes. */
static int
read_file(struct parser *ps, uid_t extra_owner)
{
	struct safefile_rule rule = { .owners = { 0 }, .n_owners = 1,
	    .secret = false, .secret_gid = (gid_t)-1,
	    .max_size = CONFIG_MAX_SIZE };
	char *buf = NULL;
	size_t len = 0;
	int ret;

	if (extra_owner != (uid_t)-1 && extra_owner != 0)
		rule.owners[rule.n_owners++] = extra_owner;
	ret = safefile_read(ps->path, &rule, ps->log, &buf, &len, NULL);
	if (ret != PJ_OK)
		return ret;
	ret = parse_text(ps, buf, len);
	free(buf);
	return ret;
}

static void
parser_clear(struct parser *ps)
{
	size_t i;

	for (i = 0; i < ps->n_scopes; i++)
		scope_clear(&ps->scopes[i]);
	free(ps->scopes);
	scope_clear(&ps->args);
}

int
config_load(const char *path, int argc, const char **argv,
    uid_t extra_owner, const struct pj_log *log, struct config **out)
{
	struct parser ps;
	struct config *cfg = NULL;
	const char *file = NULL;
	char *dir = NULL;
	int ret = PJ_ERR_NOMEM;

	*out = NULL;
	memset(&ps, 0, sizeof(ps));
	ps.log = log;
	cfg = calloc(1, sizeof(*cfg));
	ps.scopes = calloc(1, sizeof(*ps.scopes));
	if (cfg == NULL || ps.scopes == NULL)
		goto out;
	ps.n_scopes = 1;
	ps.scopes[0].name = strdup("");
	if (ps.scopes[0].name == NULL)
		goto out;
	cfg->helper_uid = (uid_t)-1;
	cfg->extra_owner = extra_owner;

	/* Arguments first: they may name the file. */
	ret = parse_args(&ps, argc, argv, cfg, &file);
	if (ret != PJ_OK)
		goto out;
	ret = PJ_ERR_NOMEM;
	cfg->path = absolute_path(file != NULL ? file :
	    path != NULL ? path : CONFIG_DEFAULT_PATH);
	dir = cfg->path != NULL ? dir_of(cfg->path) : NULL;
	if (dir == NULL)
		goto out;
	ps.path = cfg->path;
	ps.dir = dir;

	ret = read_file(&ps, extra_owner);
	if (ret == PJ_OK)
		ret = build_config(&ps, cfg);
	if (ret == PJ_OK)
		ret = lookup_user(cfg->top.helper_user, &cfg->helper_uid);
	if (ret != PJ_OK)
		goto out;
	*out = cfg;
	cfg = NULL;
	ret = PJ_OK;
out:
	if (ret == PJ_ERR_NOMEM)
		pj_logf(log, LOG_CRIT, "configuration: out of memory");
	config_free(cfg);
	parser_clear(&ps);
	free(dir);
	return ret;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_policies; i++)
		policy_clear(&cfg->policies[i]);
	free(cfg->policies);
	policy_clear(&cfg->top);
	free(cfg->path);
	free(cfg);
}

/* One key of P as text into BUF, for the debug dump. */
static void
format_value(const struct policy *p, size_t k, char *buf, size_t size)
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

void
config_dump(const struct config *cfg, const struct pj_log *log)
{
	char buf[400];
	size_t i, k;

	if (cfg == NULL || log == NULL || !log->debug)
		return;
	pj_logf(log, LOG_DEBUG, "config %.200s: %zu polic%s, helper uid %ld",
	    cfg->path, cfg->n_policies, cfg->n_policies == 1 ? "y" : "ies",
	    cfg->helper_uid == (uid_t)-1 ? -1L : (long)cfg->helper_uid);
	/* No key holds a secret itself: secrets live in the files named. */
	for (i = 0; i < cfg->n_policies; i++) {
		const struct policy *p = &cfg->policies[i];

		for (k = 0; k < N_KEYS; k++) {
			format_value(p, k, buf, sizeof(buf));
			pj_logf(log, LOG_DEBUG, "config [%s] %s = %s",
			    p->name[0] != '\0' ? p->name : "top", keys[k].name,
			    buf);
		}
	}
}
