/*
 * PAM_JWT_* variables: written after a successful authentication, read
 * back by the account stage (see modenv.h for why the environment).
 */
#include "autoconf.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_modules.h>

#include "modenv.h"
#include "reason.h"
#include "strutil.h"

#define MODENV_ISS "PAM_JWT_ISS"
#define MODENV_SECTION "PAM_JWT_SECTION"
#define MODENV_SUB "PAM_JWT_SUB"
#define MODENV_JTI "PAM_JWT_JTI"
#define MODENV_EXP "PAM_JWT_EXP"
#define MODENV_GROUPS "PAM_JWT_GROUPS"

static const char *const modenv_names[] = {
	MODENV_ISS, MODENV_SECTION, MODENV_SUB, MODENV_JTI, MODENV_EXP,
	MODENV_GROUPS
};
#define MODENV_COUNT (sizeof(modenv_names) / sizeof(modenv_names[0]))

static bool
needs_encoding(unsigned char c, int comma)
{
	return c < 0x20 || c == 0x7f || c == '%' || (comma && c == ',');
}

size_t
modenv_encode(const char *s, size_t len, int comma, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (needs_encoding(c, comma)) {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 0x0f];
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
	return n;
}

int
modenv_decode(const char *s, size_t len, char **out)
{
	char *buf;
	size_t i;
	size_t n = 0;
	int err = PJ_ERR_NOMEM;

	*out = NULL;
	buf = malloc(len + 1);
	if (buf == NULL)
		goto out;

	err = PJ_ERR_REFUSED;
	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] != '%') {
			buf[n++] = s[i];
			continue;
		}
		if (len - i < 3)
			goto out;
		hi = strutil_hex_value(s[i + 1]);
		lo = strutil_hex_value(s[i + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			goto out;
		buf[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	buf[n] = '\0';

	*out = buf;
	buf = NULL;
	err = PJ_OK;
out:
	free(buf);
	return err;
}

/* "NAME=VALUE" with VALUE (NULL: empty) encoded; NULL: out of memory. */
static char *
make_one(const char *name, const char *value)
{
	size_t vlen = value != NULL ? strlen(value) : 0;
	size_t nlen = strlen(name);
	char *buf;

	if (vlen > (SIZE_MAX - nlen - 2) / 3)
		return NULL;
	buf = malloc(nlen + 1 + 3 * vlen + 1);
	if (buf == NULL)
		return NULL;
	memcpy(buf, name, nlen);
	buf[nlen] = '=';
	modenv_encode(value != NULL ? value : "", vlen, 0, buf + nlen + 1);
	return buf;
}

/*
 * "PAM_JWT_GROUPS=" and the groups, each encoded, comma-separated; NULL
 * when out of memory.
 */
static char *
make_groups(char *const *groups, size_t n_groups)
{
	size_t prefix = strlen(MODENV_GROUPS) + 1;
	size_t size = prefix + 1;
	size_t pos;
	size_t i;
	char *buf;

	for (i = 0; i < n_groups; i++) {
		size_t glen = strlen(groups[i]);

		if (glen > (SIZE_MAX - size) / 3 - 1)
			return NULL;
		size += 3 * glen + 1;
	}
	buf = malloc(size);
	if (buf == NULL)
		return NULL;

	memcpy(buf, MODENV_GROUPS "=", prefix);
	pos = prefix;
	for (i = 0; i < n_groups; i++) {
		if (i > 0)
			buf[pos++] = ',';
		pos += modenv_encode(groups[i], strlen(groups[i]), 1,
		    buf + pos);
	}
	buf[pos] = '\0';
	return buf;
}

/* pam_putenv BUF, one of the above (NULL: out of memory), and free it. */
static int
put(pam_handle_t *pamh, char *buf)
{
	int err = PJ_ERR_NOMEM;

	if (buf == NULL)
		goto out;
	err = PJ_ERR_INTERNAL;
	if (pam_putenv(pamh, buf) != PAM_SUCCESS)
		goto out;
	err = PJ_OK;
out:
	free(buf);
	return err;
}

int
modenv_set(pam_handle_t *pamh, const struct verdict *vd)
{
	const struct claims *c = &vd->claims;
	char exp[24];
	const struct {
		const char *name;
		const char *value;	/* NULL: empty */
	} vars[] = {
		{ MODENV_ISS, c->iss },
		{ MODENV_SECTION,
		    vd->policy != NULL ? vd->policy->name : NULL },
		{ MODENV_SUB, c->sub },
		{ MODENV_JTI, c->jti },
		{ MODENV_EXP, exp },
	};
	size_t i;
	int err;

	snprintf(exp, sizeof(exp), "%" PRId64, c->exp);
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		err = put(pamh, make_one(vars[i].name, vars[i].value));
		if (err != PJ_OK)
			goto out;
	}
	err = put(pamh, make_groups(c->groups, c->n_groups));
out:
	if (err != PJ_OK)
		modenv_clear(pamh);
	return err;
}

void
modenv_clear(pam_handle_t *pamh)
{
	size_t i;

	/* pam_putenv with a bare name removes the variable. */
	for (i = 0; i < MODENV_COUNT; i++) {
		if (pam_getenv(pamh, modenv_names[i]) != NULL)
			(void)pam_putenv(pamh, modenv_names[i]);
	}
}

/* Decode variable NAME into *OUT; PJ_ERR_REFUSED when unset. */
static int
get_decoded(pam_handle_t *pamh, const char *name, char **out)
{
	const char *value = pam_getenv(pamh, name);

	*out = NULL;
	if (value == NULL)
		return PJ_ERR_REFUSED;
	return modenv_decode(value, strlen(value), out);
}

/* Split "a,b%2Cc" into decoded groups. */
static int
split_groups(const char *value, struct modenv *env)
{
	const char *p;
	size_t n = 0;
	size_t i = 0;
	int err = PJ_ERR_NOMEM;

	if (value[0] != '\0') {
		n = 1;
		for (p = value; *p != '\0'; p++)
			n += *p == ',';
	}
	env->groups = calloc(n + 1, sizeof(*env->groups));
	if (env->groups == NULL)
		goto out;

	p = value;
	for (i = 0; i < n; i++) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		err = modenv_decode(p, len, &env->groups[i]);
		if (err != PJ_OK)
			goto out;
		env->n_groups++;
		p += len + 1;
	}
	err = PJ_OK;
out:
	return err;
}

static int
parse_exp(const char *s, int64_t *out)
{
	long v;

	if (s == NULL || !strutil_parse_long(s, 0, LONG_MAX, &v))
		return PJ_ERR_REFUSED;
	*out = v;
	return PJ_OK;
}

int
modenv_read(pam_handle_t *pamh, struct modenv *env,
    enum modenv_state *state)
{
	const struct {
		const char *name;
		char **dst;
	} vars[] = {
		{ MODENV_ISS, &env->iss },
		{ MODENV_SECTION, &env->section },
		{ MODENV_SUB, &env->sub },
		{ MODENV_JTI, &env->jti },
	};
	const char *groups;
	size_t i;
	size_t found = 0;
	int err = PJ_OK;

	memset(env, 0, sizeof(*env));
	*state = MODENV_INVALID;

	for (i = 0; i < MODENV_COUNT; i++)
		found += pam_getenv(pamh, modenv_names[i]) != NULL;
	if (found == 0) {
		*state = MODENV_ABSENT;
		goto out;
	}
	if (found != MODENV_COUNT)
		goto out;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		err = get_decoded(pamh, vars[i].name, vars[i].dst);
		if (err != PJ_OK)
			goto out;
	}
	err = parse_exp(pam_getenv(pamh, MODENV_EXP), &env->exp);
	if (err != PJ_OK)
		goto out;
	groups = pam_getenv(pamh, MODENV_GROUPS);
	err = split_groups(groups != NULL ? groups : "", env);
	if (err != PJ_OK)
		goto out;

	*state = MODENV_PRESENT;
out:
	/* A malformed value is MODENV_INVALID, not an error. */
	if (err == PJ_ERR_REFUSED)
		err = PJ_OK;
	return err;
}

void
modenv_free(struct modenv *env)
{
	size_t i;

	free(env->iss);
	free(env->section);
	free(env->sub);
	free(env->jti);
	if (env->groups != NULL) {
		for (i = 0; env->groups[i] != NULL; i++)
			free(env->groups[i]);
		free(env->groups);
	}
	memset(env, 0, sizeof(*env));
}
