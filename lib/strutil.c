/*
 * Small string helpers: trimming, escaping for log lines, hex digits,
 * comma lists, strict numbers and booleans, constant-time comparison.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reason.h"
#include "strutil.h"

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void
strutil_trim(const char *s, size_t len, const char **start, size_t *outlen)
{
	while (len > 0 && is_blank(s[0])) {
		s++;
		len--;
	}
	while (len > 0 && is_blank(s[len - 1]))
		len--;
	*start = s;
	*outlen = len;
}

/* True when byte C may appear in a log value as it is. */
static bool
is_plain(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '=';
}

int
strutil_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
strutil_escape(const char *s, size_t len, size_t max, char *out,
    size_t outsize)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0, n = len > max ? max : len;
	bool cut = len > max;

	if (outsize == 0)
		return;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t need = is_plain(c) ? 1 : 4;

		if (o + need >= outsize) {
			cut = true;
			break;
		}
		if (need == 1) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		}
	}

	/*
	 * Make room for "..." by dropping whole pieces: a backslash in the
	 * output only ever starts a four-byte \xHH piece.
	 */
	if (cut && outsize > 3) {
		while (o + 3 >= outsize) {
			if (o >= 4 && out[o - 4] == '\\')
				o -= 4;
			else
				o--;
		}
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

void
strutil_free_list(char **items)
{
	size_t i;

	if (items == NULL)
		return;
	for (i = 0; items[i] != NULL; i++)
		free(items[i]);
	free(items);
}

int
strutil_split_list(const char *s, char ***items, size_t *count)
{
	char **list = NULL;
	size_t n = 0, cap = 1;
	const char *p;
	int ret = PJ_ERR_NOMEM;

	*items = NULL;
	*count = 0;

	/* Each comma adds at most one item. */
	for (p = s; *p != '\0'; p++)
		if (*p == ',')
			cap++;
	list = calloc(cap + 1, sizeof(*list));
	if (list == NULL)
		goto out;

	p = s;
	for (;;) {
		const char *end = strchr(p, ',');
		const char *item;
		size_t len;

		if (end == NULL)
			end = p + strlen(p);
		strutil_trim(p, (size_t)(end - p), &item, &len);
		if (len > 0) {
			list[n] = strndup(item, len);
			if (list[n] == NULL)
				goto out;
			n++;
		}
		if (*end == '\0')
			break;
		p = end + 1;
	}

	*items = list;
	*count = n;
	list = NULL;
	ret = PJ_OK;
out:
	strutil_free_list(list);
	return ret;
}

bool
strutil_parse_long(const char *s, long min, long max, long *out)
{
	const char *digits = s;
	char *end = NULL;
	long v;

	/* strtol would skip blanks and accept "+": a number is digits. */
	if (*digits == '-')
		digits++;
	if (*digits < '0' || *digits > '9')
		return false;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return false;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool
strutil_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "1", "on" };
	static const char *const no[] = { "no", "false", "0", "off" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

bool
strutil_ct_equal(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *x = a;
	const volatile unsigned char *y = b;
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}
