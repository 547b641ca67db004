/*
 * The claim checks of one policy, run only on a payload whose signature
 * holds.  Every comparison is on exact bytes and lengths, so a value with
 * an embedded NUL never matches a configured string by its prefix.
 *
 * JSON null: json-c returns NULL for a member whose value is null, which
 * would make {"exp": null} look like a token without exp.  Members are
 * therefore looked up with json_object_object_get_ex(), and JSON Pointers
 * with jsonstrict_resolve(), which tell a present null from an absent
 * member.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "jsonstrict.h"
#include "strutil.h"

/* How many bytes of a token value a message or explanation shows. */
#define SHOW_MAX 64
/* Room for one escaped value. */
#define SHOW_BUF (SHOW_MAX * 4 + 4)

struct ctx {
	const struct policy *policy;
	struct json_object *payload;
	const char *user;
	int64_t now;
	const struct explain *ex;
	struct claims *out;
	char *msg;
	size_t msgsize;
	int *err;
};

static const char *
show(const char *s, size_t len, char *buf)
{
	strutil_escape(s, len, SHOW_MAX, buf, SHOW_BUF);
	return buf;
}

/* Member NAME of OBJ, telling a JSON null from an absent member. */
static enum jsonstrict_found
member(struct json_object *obj, const char *name, struct json_object **v)
{
	*v = NULL;
	if (!json_object_is_type(obj, json_type_object))
		return JSONSTRICT_SCALAR;
	return json_object_object_get_ex(obj, name, v) ? JSONSTRICT_FOUND :
	    JSONSTRICT_ABSENT;
}

/*
 * Resolve the claim NAME: a JSON Pointer when it starts with '/', else a
 * top-level member.  A step through a string, number or null is
 * JSONSTRICT_SCALAR, which the groups rule refuses as malformed rather
 * than as absent.
 */
static enum jsonstrict_found
claim(struct json_object *payload, const char *name, struct json_object **v)
{
	if (name[0] == '/')
		return jsonstrict_resolve(payload, name, v);
	return member(payload, name, v);
}

static bool
equals(const char *a, size_t alen, const char *b)
{
	return strlen(b) == alen && memcmp(a, b, alen) == 0;
}

/* Copy the string member NAME of the payload, if it is one. */
static int
copy_member(struct json_object *payload, const char *name, char **dst)
{
	struct json_object *v;
	const char *s;
	size_t len;

	if (member(payload, name, &v) != JSONSTRICT_FOUND ||
	    !jsonstrict_get_string(v, &s, &len))
		return PJ_OK;
	*dst = malloc(len + 1);
	if (*dst == NULL)
		return PJ_ERR_NOMEM;
	memcpy(*dst, s, len);
	(*dst)[len] = '\0';
	return PJ_OK;
}

/*
 * A time claim (RFC 7519 section 2 NumericDate).  Returns REASON_NONE
 * with *PRESENT and *T, or REASON_BAD_CLAIM_TYPE.
 */
static enum reason
time_claim(struct ctx *c, const char *name, bool *present, int64_t *t)
{
	struct json_object *v;

	*present = member(c->payload, name, &v) == JSONSTRICT_FOUND;
	if (!*present)
		return REASON_NONE;
	if (!jsonstrict_get_time(v, t)) {
		(void)snprintf(c->msg, c->msgsize, "%s is not a number in "
		    "range", name);
		explain_rule(c->ex, name, false, "not a number in range");
		return REASON_BAD_CLAIM_TYPE;
	}
	return REASON_NONE;
}

/* A - B, saturated: how far a time claim is from now, for --explain. */
static long long
skew(int64_t a, int64_t b)
{
	int64_t d;

	if (__builtin_sub_overflow(a, b, &d))
		return a > b ? INT64_MAX : INT64_MIN;
	return (long long)d;
}

/* --explain for the time claim NAME of value T, against now and leeway. */
static void
explain_time(struct ctx *c, const char *name, bool ok, int64_t t)
{
	explain_rule(c->ex, name, ok, "%s=%lld now=%lld leeway=%ld (%s - now "
	    "= %lld s)", name, (long long)t, (long long)c->now,
	    c->policy->leeway, name, skew(t, c->now));
}

bool
claims_expired(int64_t exp, long leeway, int64_t now)
{
	return exp <= INT64_MAX - leeway && now >= exp + leeway;
}

/* RFC 7519 section 4.1.4: refused when now >= exp + leeway. */
static enum reason
check_exp(struct ctx *c)
{
	long leeway = c->policy->leeway;
	enum reason r;
	int64_t exp = 0;
	bool present, expired;

	r = time_claim(c, "exp", &present, &exp);
	if (r != REASON_NONE)
		return r;
	if (!present) {
		(void)snprintf(c->msg, c->msgsize, "the token has no exp");
		explain_rule(c->ex, "exp", false, "missing");
		return REASON_MISSING_CLAIM;
	}
	expired = claims_expired(exp, leeway, c->now);
	explain_time(c, "exp", !expired, exp);
	if (expired) {
		(void)snprintf(c->msg, c->msgsize, "the token expired at %lld "
		    "(now %lld, leeway %ld)", (long long)exp,
		    (long long)c->now, leeway);
		return REASON_EXPIRED;
	}
	c->out->exp = exp;
	return REASON_NONE;
}

/* RFC 7519 section 4.1.5: refused when now < nbf - leeway. */
static enum reason
check_nbf(struct ctx *c)
{
	long leeway = c->policy->leeway;
	enum reason r;
	int64_t nbf = 0;
	bool present, early;

	r = time_claim(c, "nbf", &present, &nbf);
	if (r != REASON_NONE || !present)
		return r;
	early = nbf >= INT64_MIN + leeway && c->now < nbf - leeway;
	explain_time(c, "nbf", !early, nbf);
	if (early) {
		(void)snprintf(c->msg, c->msgsize, "the token is not valid "
		    "before %lld (now %lld, leeway %ld)", (long long)nbf,
		    (long long)c->now, leeway);
		return REASON_NOT_YET_VALID;
	}
	return REASON_NONE;
}

/*
 * RFC 7519 section 4.1.6: iat later than now + leeway is refused; with
 * max_token_age, iat is required and now - iat may not exceed it.
 */
static enum reason
check_iat(struct ctx *c)
{
	long leeway = c->policy->leeway, max_age = c->policy->max_token_age;
	struct json_object *v = NULL;
	enum reason r;
	int64_t iat = 0, age;
	bool present, future, old;

	r = time_claim(c, "iat", &present, &iat);
	if (r != REASON_NONE)
		return r;
	if (present) {
		future = c->now <= INT64_MAX - leeway &&
		    iat > c->now + leeway;
		explain_time(c, "iat", !future, iat);
		if (future) {
			(void)snprintf(c->msg, c->msgsize, "the token was "
			    "issued in the future, at %lld (now %lld, leeway "
			    "%ld)", (long long)iat, (long long)c->now, leeway);
			return REASON_IAT_IN_FUTURE;
		}
	}
	if (max_age == 0)
		return REASON_NONE;
	if (!present) {
		(void)snprintf(c->msg, c->msgsize, "max_token_age is set and "
		    "the token has no iat");
		explain_rule(c->ex, "max_token_age", false, "no iat");
		return REASON_MISSING_CLAIM;
	}

	/* The time claim was rounded up; the age counts from the floor. */
	(void)member(c->payload, "iat", &v);
	if (json_object_is_type(v, json_type_double) &&
	    (double)iat != json_object_get_double(v))
		iat--;
	old = __builtin_sub_overflow(c->now, iat, &age) || age > max_age;
	explain_rule(c->ex, "max_token_age", !old, "iat=%lld now=%lld "
	    "max_token_age=%ld", (long long)iat, (long long)c->now, max_age);
	if (old) {
		(void)snprintf(c->msg, c->msgsize, "the token was issued at "
		    "%lld, more than max_token_age %ld seconds before %lld",
		    (long long)iat, max_age, (long long)c->now);
		return REASON_TOO_OLD;
	}
	return REASON_NONE;
}

/*
 * Whether the member NAME is a string equal to WANT.  *S and *LEN are its
 * value when it is a string, else *S is NULL.
 */
static bool
string_is(struct ctx *c, const char *name, const char *want, const char **s,
    size_t *len)
{
	struct json_object *v;

	*s = NULL;
	*len = 0;
	return member(c->payload, name, &v) == JSONSTRICT_FOUND &&
	    jsonstrict_get_string(v, s, len) && equals(*s, *len, want);
}

/* RFC 7519 section 4.1.1, OIDC Core 3.1.3.7: exact issuer. */
static enum reason
check_issuer(struct ctx *c)
{
	char b[SHOW_BUF];
	const char *s;
	size_t len;
	bool ok;

	ok = string_is(c, "iss", c->policy->issuer, &s, &len);
	if (c->ex != NULL)
		explain_rule(c->ex, "issuer", ok, "iss=\"%s\" "
		    "expected=\"%.200s\"", s != NULL ? show(s, len, b) :
		    "(none)", c->policy->issuer);
	if (!ok) {
		if (s != NULL)
			(void)snprintf(c->msg, c->msgsize, "iss \"%s\" is not "
			    "the configured issuer", show(s, len, b));
		else
			(void)snprintf(c->msg, c->msgsize, "iss is missing or "
			    "not a string");
		return REASON_BAD_ISSUER;
	}
	return REASON_NONE;
}

static bool
audience_listed(const struct policy *p, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < p->n_audience; i++)
		if (equals(s, len, p->audience[i]))
			return true;
	return false;
}

/*
 * RFC 7519 section 4.1.3: a string, or a non-empty array of strings, of
 * which one must equal a configured audience.
 */
static enum reason
check_audience(struct ctx *c)
{
	const char *claim_name = c->policy->audience_claim;
	char b[SHOW_BUF];
	struct json_object *v, *e;
	const char *s = NULL, *why = NULL;
	size_t len, i, n;
	bool ok = false;

	if (member(c->payload, claim_name, &v) != JSONSTRICT_FOUND) {
		why = "missing";
	} else if (jsonstrict_get_string(v, &s, &len)) {
		ok = audience_listed(c->policy, s, len);
	} else if (json_object_is_type(v, json_type_array) &&
	    (n = json_object_array_length(v)) > 0) {
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(v, i);
			if (!jsonstrict_get_string(e, &s, &len)) {
				why = "an array holding a non-string";
				ok = false;
				s = NULL;
				break;
			}
			if (audience_listed(c->policy, s, len))
				ok = true;
		}
		if (why == NULL && !ok)
			s = NULL;
	} else {
		why = "neither a string nor a non-empty array of strings";
	}
	if (c->ex != NULL)
		explain_rule(c->ex, "audience", ok, "%.64s=%s "
		    "expected=%.200s%s",
		    claim_name, why != NULL ? why : s != NULL ?
		    show(s, len, b) : "(array)", c->policy->audience[0],
		    c->policy->n_audience > 1 ? ",..." : "");
	if (ok)
		return REASON_NONE;
	if (why != NULL)
		(void)snprintf(c->msg, c->msgsize, "%.64s is %s", claim_name,
		    why);
	else if (s != NULL)
		(void)snprintf(c->msg, c->msgsize, "%.64s \"%s\" is not a "
		    "configured audience", claim_name, show(s, len, b));
	else
		(void)snprintf(c->msg, c->msgsize, "%.64s holds no configured "
		    "audience", claim_name);
	return REASON_BAD_AUDIENCE;
}

/* Cognito's token_use, when configured: exact. */
static enum reason
check_token_use(struct ctx *c)
{
	char b[SHOW_BUF];
	const char *s;
	size_t len;
	bool ok;

	if (c->policy->token_use == NULL)
		return REASON_NONE;
	ok = string_is(c, "token_use", c->policy->token_use, &s, &len);
	if (c->ex != NULL)
		explain_rule(c->ex, "token_use", ok, "token_use=%s "
		    "expected=%.64s", s != NULL ? show(s, len, b) : "(none)",
		    c->policy->token_use);
	if (!ok) {
		(void)snprintf(c->msg, c->msgsize, "token_use %s is not "
		    "\"%.64s\"", s != NULL ? show(s, len, b) : "missing",
		    c->policy->token_use);
		return REASON_BAD_TOKEN_USE;
	}
	return REASON_NONE;
}

static bool
is_user_char(char ch, bool first)
{
	if ((ch >= 'a' && ch <= 'z') || ch == '_')
		return true;
	return !first && ((ch >= '0' && ch <= '9') || ch == '.' || ch == '-');
}

enum reason
claims_username_form(const char *name, size_t len, const char *domain,
    size_t *local_len)
{
	size_t dlen, n = len, i;

	*local_len = 0;
	if (domain != NULL) {
		/* "alice@DOMAIN" exactly; the local part may hold no '@'. */
		dlen = strlen(domain);
		if (len < dlen + 2 || name[len - dlen - 1] != '@' ||
		    memcmp(name + len - dlen, domain, dlen) != 0)
			return REASON_BAD_USERNAME;
		n = len - dlen - 1;
	}
	/* ^[a-z_][a-z0-9_.-]{0,31}$ */
	if (n == 0 || n > 32)
		return REASON_BAD_USERNAME;
	for (i = 0; i < n; i++)
		if (!is_user_char(name[i], i == 0))
			return REASON_BAD_USERNAME;
	*local_len = n;
	return REASON_NONE;
}

static enum reason
check_username(struct ctx *c)
{
	const struct policy *p = c->policy;
	char b[SHOW_BUF], u[SHOW_BUF];
	struct json_object *v;
	const char *s = NULL;
	size_t len = 0, local = 0;
	enum reason r = REASON_BAD_USERNAME;

	/* The PAM user comes from the client too: escaped like a claim. */
	if (c->user != NULL)
		show(c->user, strlen(c->user), u);
	else
		(void)snprintf(u, sizeof(u), "(any)");

	if (member(c->payload, p->username_claim, &v) != JSONSTRICT_FOUND ||
	    !jsonstrict_get_string(v, &s, &len)) {
		(void)snprintf(c->msg, c->msgsize, "the username claim %.64s "
		    "is missing or not a string", p->username_claim);
		explain_rule(c->ex, "username", false, "%.64s missing or not "
		    "a string", p->username_claim);
		return r;
	}
	if (claims_username_form(s, len, p->username_domain, &local) !=
	    REASON_NONE) {
		(void)snprintf(c->msg, c->msgsize, "%.64s \"%s\" is not a "
		    "valid user name%s%.64s", p->username_claim,
		    show(s, len, b), p->username_domain != NULL ?
		    " at @" : "", p->username_domain != NULL ?
		    p->username_domain : "");
		explain_rule(c->ex, "username", false, "%.64s=\"%s\" not a "
		    "valid name", p->username_claim, b);
		return r;
	}
	if (c->user != NULL && !equals(s, local, c->user)) {
		(void)snprintf(c->msg, c->msgsize, "the token is for \"%s\", "
		    "not for \"%s\"", show(s, local, b), u);
		explain_rule(c->ex, "username", false, "%.64s=\"%s\" "
		    "user=\"%s\"", p->username_claim, b, u);
		return REASON_USER_MISMATCH;
	}
	if (equals(s, local, "root") && !p->allow_root) {
		(void)snprintf(c->msg, c->msgsize, "root may not log in with "
		    "a token (allow_root is off)");
		explain_rule(c->ex, "username", false, "root refused");
		return REASON_ROOT_REFUSED;
	}
	if (c->ex != NULL)
		explain_rule(c->ex, "username", true, "%.64s=\"%s\" "
		    "user=\"%s\"", p->username_claim, show(s, local, b), u);
	c->out->username = strndup(s, local);
	if (c->out->username == NULL) {
		*c->err = PJ_ERR_NOMEM;
		return REASON_COUNT;
	}
	return REASON_NONE;
}

/*
 * The groups value V, one string or an array of strings, as byte strings
 * in fresh arrays *STR and *LENS of *N.  Returns REASON_NONE,
 * REASON_BAD_GROUPS for any other shape, or REASON_COUNT (memory).
 */
static enum reason
group_values(struct json_object *v, const char ***str, size_t **lens,
    size_t *n)
{
	size_t i;

	*n = 0;
	if (json_object_is_type(v, json_type_string))
		*n = 1;
	else if (json_object_is_type(v, json_type_array))
		*n = json_object_array_length(v);
	else
		return REASON_BAD_GROUPS;

	*str = calloc(*n + 1, sizeof(**str));
	*lens = calloc(*n + 1, sizeof(**lens));
	if (*str == NULL || *lens == NULL)
		return REASON_COUNT;
	if (json_object_is_type(v, json_type_string))
		return jsonstrict_get_string(v, &(*str)[0], &(*lens)[0]) ?
		    REASON_NONE : REASON_BAD_GROUPS;
	for (i = 0; i < *n; i++)
		if (!jsonstrict_get_string(json_object_array_get_idx(v, i),
		    &(*str)[i], &(*lens)[i]))
			return REASON_BAD_GROUPS;
	return REASON_NONE;
}

static bool
group_required(const struct policy *p, const char **str, const size_t *lens,
    size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < p->n_require_group; j++)
			if (equals(str[i], lens[i], p->require_group[j]))
				return true;
	return p->n_require_group == 0;
}

static int
copy_groups(struct claims *out, const char **str, const size_t *lens,
    size_t n)
{
	size_t i;

	out->groups = calloc(n + 1, sizeof(*out->groups));
	if (out->groups == NULL)
		return PJ_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		out->groups[i] = strndup(str[i], lens[i]);
		if (out->groups[i] == NULL)
			return PJ_ERR_NOMEM;
		out->n_groups++;
	}
	return PJ_OK;
}

static void
groups_explain(struct ctx *c, enum reason r, size_t n)
{
	const struct policy *p = c->policy;

	explain_rule(c->ex, "groups", r == REASON_NONE, "%.64s: %zu "
	    "group(s)%s, required: %.64s%s", p->groups_claim, n,
	    r == REASON_BAD_GROUPS ? " (malformed)" : "",
	    p->n_require_group > 0 ? p->require_group[0] : "none",
	    p->n_require_group > 1 ? ",..." : "");
	if (r == REASON_MISSING_GROUP)
		(void)snprintf(c->msg, c->msgsize, "%.64s holds none of the "
		    "required groups", p->groups_claim);
	else if (r == REASON_BAD_GROUPS)
		(void)snprintf(c->msg, c->msgsize, "%.64s is not a string or "
		    "an array of strings", p->groups_claim);
}

/*
 * Groups: an array of strings, or one string naming one group (never
 * split on spaces); a required group must match one exactly.
 */
static enum reason
check_groups(struct ctx *c)
{
	const struct policy *p = c->policy;
	struct json_object *v = NULL;
	const char **str = NULL;
	size_t *lens = NULL, n = 0, i;
	enum jsonstrict_found lk;
	enum reason r = REASON_BAD_GROUPS;

	lk = claim(c->payload, p->groups_claim, &v);
	if (lk == JSONSTRICT_NOMEM) {
		*c->err = PJ_ERR_NOMEM;
		return REASON_COUNT;
	}
	if (lk == JSONSTRICT_ABSENT)
		r = p->n_require_group > 0 ? REASON_MISSING_GROUP :
		    REASON_NONE;
	else if (lk == JSONSTRICT_FOUND)
		r = group_values(v, &str, &lens, &n);
	if (r == REASON_NONE && lk == JSONSTRICT_FOUND &&
	    !group_required(p, str, lens, n))
		r = REASON_MISSING_GROUP;

	/* A group name with a NUL in it would be cut in the environment. */
	for (i = 0; r == REASON_NONE && i < n; i++)
		if (memchr(str[i], '\0', lens[i]) != NULL)
			r = REASON_BAD_GROUPS;

	if (r == REASON_NONE && copy_groups(c->out, str, lens, n) != PJ_OK)
		r = REASON_COUNT;
	if (r == REASON_COUNT)
		*c->err = PJ_ERR_NOMEM;
	else
		groups_explain(c, r, n);
	free(str);
	free(lens);
	return r;
}

/* Whether the space-separated list S (LEN bytes) holds WANT. */
static bool
scope_in_string(const char *s, size_t len, const char *want)
{
	size_t i = 0, start;

	while (i < len) {
		start = i;
		while (i < len && s[i] != ' ')
			i++;
		if (equals(s + start, i - start, want))
			return true;
		i++;
	}
	return false;
}

/* Whether scope value V holds WANT; *BAD when V has the wrong shape. */
static bool
scope_has(struct json_object *v, const char *want, bool *bad)
{
	const char *s;
	size_t len, i, n;
	bool found = false;

	if (jsonstrict_get_string(v, &s, &len))
		return scope_in_string(s, len, want);
	if (!json_object_is_type(v, json_type_array)) {
		*bad = true;
		return false;
	}
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		if (!jsonstrict_get_string(json_object_array_get_idx(v, i),
		    &s, &len)) {
			*bad = true;
			return false;
		}
		if (equals(s, len, want))
			found = true;
	}
	return found;
}

/*
 * RFC 8693 section 4.2 / RFC 9068 section 2.2.3: "scope" (space-separated
 * string), else Entra's "scp"; each may also be an array of strings.
 */
static enum reason
check_scopes(struct ctx *c)
{
	const struct policy *p = c->policy;
	struct json_object *v;
	const char *name = "scope";
	size_t i;
	bool bad = false;

	if (p->n_require_scope == 0)
		return REASON_NONE;
	if (member(c->payload, name, &v) != JSONSTRICT_FOUND) {
		name = "scp";
		if (member(c->payload, name, &v) != JSONSTRICT_FOUND) {
			(void)snprintf(c->msg, c->msgsize, "the token has no "
			    "scope");
			explain_rule(c->ex, "scope", false, "no scope or scp");
			return REASON_MISSING_SCOPE;
		}
	}
	for (i = 0; i < p->n_require_scope; i++) {
		if (scope_has(v, p->require_scope[i], &bad))
			continue;
		if (bad) {
			(void)snprintf(c->msg, c->msgsize, "%s is not a string "
			    "or an array of strings", name);
			explain_rule(c->ex, "scope", false, "%s malformed",
			    name);
			return REASON_BAD_CLAIM_TYPE;
		}
		(void)snprintf(c->msg, c->msgsize, "scope \"%.64s\" is "
		    "missing", p->require_scope[i]);
		explain_rule(c->ex, "scope", false, "%s lacks %.64s", name,
		    p->require_scope[i]);
		return REASON_MISSING_SCOPE;
	}
	explain_rule(c->ex, "scope", true, "%s holds every required scope",
	    name);
	return REASON_NONE;
}

void
claims_clear(struct claims *out)
{
	size_t i;

	if (out == NULL)
		return;
	free(out->iss);
	free(out->sub);
	free(out->jti);
	free(out->username);
	if (out->groups != NULL)
		for (i = 0; out->groups[i] != NULL; i++)
			free(out->groups[i]);
	free(out->groups);
	memset(out, 0, sizeof(*out));
}

/* Keep only what a refusal reports: iss and jti. */
static void
keep_ids(struct claims *out)
{
	char *iss = out->iss, *jti = out->jti;

	out->iss = NULL;
	out->jti = NULL;
	claims_clear(out);
	out->iss = iss;
	out->jti = jti;
}

enum reason
claims_check(const struct policy *policy, struct json_object *payload,
    const char *user, int64_t now, const struct explain *ex,
    struct claims *out, char *msg, size_t msgsize, int *err)
{
	static enum reason (*const checks[])(struct ctx *) = {
		check_exp, check_nbf, check_iat, check_issuer,
		check_audience, check_token_use, check_username,
		check_groups, check_scopes
	};
	struct ctx c = { policy, payload, user, now, ex, out, msg, msgsize,
	    err };
	enum reason r = REASON_COUNT;
	size_t i;

	memset(out, 0, sizeof(*out));
	*err = PJ_OK;
	if (msgsize > 0)
		msg[0] = '\0';

	if (copy_member(payload, "iss", &out->iss) != PJ_OK ||
	    copy_member(payload, "jti", &out->jti) != PJ_OK)
		goto nomem;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		r = checks[i](&c);
		if (*err != PJ_OK)
			goto nomem;
		if (r != REASON_NONE)
			goto refused;
	}

	if (copy_member(payload, "sub", &out->sub) != PJ_OK)
		goto nomem;
	if (out->groups == NULL) {
		out->groups = calloc(1, sizeof(*out->groups));
		if (out->groups == NULL)
			goto nomem;
	}
	return REASON_NONE;

nomem:
	*err = PJ_ERR_NOMEM;
	r = REASON_COUNT;
refused:
	keep_ids(out);
	return r;
}
