/*
 * Strict JSON over json-c.
 *
 * json-c's JSON_TOKENER_STRICT is not strict enough for a security
 * boundary: json-c 0.16 accepts single-quoted strings, NaN and Infinity
 * inside objects, raw control characters in strings, overlong and
 * surrogate UTF-8 sequences even with JSON_TOKENER_VALIDATE_UTF8, turns a
 * lone surrogate escape into U+FFFD, cuts member names at an escaped NUL
 * and silently keeps the last of two members with the same name.  So the
 * input is first checked by the validator below against the grammar of
 * RFC 8259 sections 2-8 (UTF-8 per RFC 3629), which also counts the
 * members it sees.  json-c then builds the tree, and the tree is walked:
 * a duplicate name makes json-c drop at least one member (itself, and the
 * members nested in the value it replaced), so the tree holding fewer
 * members than the text proves a duplicate; the walk also refuses numbers
 * that overflowed to infinity (1e400).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstrict.h"
#include "reason.h"
#include "strutil.h"

struct scan {
	const unsigned char *p;
	const unsigned char *end;
	size_t members;		/* name/value pairs seen, all depths */
};

static bool scan_value(struct scan *s, int depth);

static void
scan_ws(struct scan *s)
{
	/* RFC 8259 section 2: space, tab, LF and CR only. */
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* Read the 4 hex digits of a \u escape (S->p after the 'u'). */
static bool
scan_hex4(struct scan *s, unsigned *out)
{
	unsigned v = 0;
	int i, h;

	if (s->end - s->p < 4)
		return false;
	for (i = 0; i < 4; i++) {
		h = strutil_hex_value(s->p[i]);
		if (h < 0)
			return false;
		v = v << 4 | (unsigned)h;
	}
	s->p += 4;
	*out = v;
	return true;
}

/*
 * One escape sequence, S->p on the character after the backslash.  A high
 * surrogate must be followed at once by an escaped low surrogate; a low
 * one alone is refused: neither encodes a character (RFC 8259 section 8.2).
 * *NUL is set for \u0000.
 */
static bool
scan_escape(struct scan *s, bool *nul)
{
	unsigned cp, low;

	switch (*s->p++) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r':
	case 't':
		return true;
	case 'u':
		break;
	default:
		return false;
	}
	if (!scan_hex4(s, &cp))
		return false;
	if (cp == 0)
		*nul = true;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return false;
	if (cp < 0xd800 || cp > 0xdbff)
		return true;
	if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
		return false;
	s->p += 2;
	if (!scan_hex4(s, &low))
		return false;
	return low >= 0xdc00 && low <= 0xdfff;
}

/*
 * One UTF-8 sequence of 2 to 4 bytes starting with lead byte C (S->p after
 * it): RFC 3629 section 4, which excludes overlong forms, surrogates and
 * anything above U+10FFFF.
 */
static bool
scan_utf8(struct scan *s, unsigned char c)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n, i;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return false;
	}
	if (s->end - s->p < n)
		return false;
	/* Only the first continuation byte has a narrower range. */
	if (s->p[0] < lo || s->p[0] > hi)
		return false;
	for (i = 1; i < n; i++) {
		if (s->p[i] < 0x80 || s->p[i] > 0xbf)
			return false;
	}
	s->p += n;
	return true;
}

/*
 * A string, S->p on the opening quote.  Member names may not hold an
 * escaped NUL: json-c would cut the name there, so that "alg\u0000x"
 * would read as "alg".
 */
static bool
scan_string(struct scan *s, bool is_name)
{
	bool nul = false;
	unsigned char c;

	s->p++;
	while (s->p < s->end) {
		c = *s->p++;
		if (c == '"')
			return !(is_name && nul);
		if (c == '\\') {
			if (s->p == s->end || !scan_escape(s, &nul))
				return false;
		} else if (c < 0x20) {
			return false;
		} else if (c >= 0x80) {
			if (!scan_utf8(s, c))
				return false;
		}
	}
	return false;
}

static bool
scan_digits(struct scan *s)
{
	const unsigned char *start = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start;
}

/* RFC 8259 section 6: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)? */
static bool
scan_number(struct scan *s)
{
	if (*s->p == '-')
		s->p++;
	if (s->p == s->end)
		return false;
	if (*s->p == '0')
		s->p++;
	else if (!scan_digits(s))
		return false;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (!scan_digits(s))
			return false;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!scan_digits(s))
			return false;
	}
	return true;
}

static bool
scan_literal(struct scan *s, const char *lit, size_t len)
{
	if ((size_t)(s->end - s->p) < len || memcmp(s->p, lit, len) != 0)
		return false;
	s->p += len;
	return true;
}

static bool
scan_object(struct scan *s, int depth)
{
	s->p++;
	scan_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return true;
	}
	for (;;) {
		if (s->p == s->end || *s->p != '"' || !scan_string(s, true))
			return false;
		scan_ws(s);
		if (s->p == s->end || *s->p != ':')
			return false;
		s->p++;
		s->members++;
		if (!scan_value(s, depth))
			return false;
		if (s->p == s->end)
			return false;
		if (*s->p == '}') {
			s->p++;
			return true;
		}
		if (*s->p != ',')
			return false;
		s->p++;
		scan_ws(s);
	}
}

static bool
scan_array(struct scan *s, int depth)
{
	s->p++;
	scan_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return true;
	}
	for (;;) {
		if (!scan_value(s, depth))
			return false;
		if (s->p == s->end)
			return false;
		if (*s->p == ']') {
			s->p++;
			return true;
		}
		if (*s->p != ',')
			return false;
		s->p++;
	}
}

/* A value with the whitespace around it; DEPTH containers enclose it. */
static bool
scan_value(struct scan *s, int depth)
{
	bool ok = false;

	scan_ws(s);
	if (s->p == s->end)
		return false;
	switch (*s->p) {
	case '{':
		ok = depth < JSONSTRICT_MAX_DEPTH && scan_object(s, depth + 1);
		break;
	case '[':
		ok = depth < JSONSTRICT_MAX_DEPTH && scan_array(s, depth + 1);
		break;
	case '"':
		ok = scan_string(s, false);
		break;
	case 't':
		ok = scan_literal(s, "true", 4);
		break;
	case 'f':
		ok = scan_literal(s, "false", 5);
		break;
	case 'n':
		ok = scan_literal(s, "null", 4);
		break;
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			ok = scan_number(s);
		break;
	}
	if (ok)
		scan_ws(s);
	return ok;
}

/*
 * Count the members of the tree at V and check its numbers.  Returns
 * false for a number json-c could not hold (infinity).
 */
static bool
tree_walk(struct json_object *v, size_t *members)
{
	size_t i, n;

	switch (json_object_get_type(v)) {
	case json_type_object: {
		json_object_object_foreach(v, name, child) {
			(void)name;
			(*members)++;
			if (!tree_walk(child, members))
				return false;
		}
		return true;
	}
	case json_type_array:
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			if (!tree_walk(json_object_array_get_idx(v, i),
			    members))
				return false;
		}
		return true;
	case json_type_double:
		return isfinite(json_object_get_double(v)) != 0;
	default:
		return true;
	}
}

int
jsonstrict_parse_object(const char *buf, size_t len,
    struct json_object **out)
{
	struct scan s;
	struct json_tokener *tok = NULL;
	struct json_object *obj = NULL;
	size_t tree_members = 0;
	int ret = PJ_ERR_REFUSED;

	*out = NULL;
	if (buf == NULL || len == 0 || len > INT32_MAX)
		goto out;

	/* The grammar, and the members the text holds. */
	s.p = (const unsigned char *)buf;
	s.end = s.p + len;
	s.members = 0;
	scan_ws(&s);
	if (s.p == s.end || *s.p != '{')
		goto out;
	if (!scan_value(&s, 0) || s.p != s.end)
		goto out;

	/* The tree. */
	tok = json_tokener_new_ex(JSONSTRICT_MAX_DEPTH);
	if (tok == NULL) {
		ret = PJ_ERR_NOMEM;
		goto out;
	}
	json_tokener_set_flags(tok,
	    JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	if (obj == NULL ||
	    json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(obj, json_type_object))
		goto out;

	/* Fewer members in the tree than in the text: a duplicate name. */
	if (!tree_walk(obj, &tree_members) || tree_members != s.members)
		goto out;
	*out = obj;
	obj = NULL;
	ret = PJ_OK;
out:
	json_object_put(obj);
	if (tok != NULL)
		json_tokener_free(tok);
	return ret;
}

struct json_object *
jsonstrict_get(struct json_object *obj, const char *name)
{
	struct json_object *v = NULL;

	if (obj == NULL || name == NULL ||
	    !json_object_object_get_ex(obj, name, &v))
		return NULL;
	return v;
}

bool
jsonstrict_has(struct json_object *obj, const char *name)
{
	if (obj == NULL || name == NULL)
		return false;
	return json_object_object_get_ex(obj, name, NULL) != 0;
}

/*
 * An array index token (RFC 6901 section 4): "0" or digits without a
 * leading zero, below N.  "-" (past the end) never resolves.
 */
static bool
pointer_index(const char *tok, size_t len, size_t n, size_t *idx)
{
	size_t v = 0, i;

	if (len == 0 || len > 9 || (len > 1 && tok[0] == '0'))
		return false;
	for (i = 0; i < len; i++) {
		if (tok[i] < '0' || tok[i] > '9')
			return false;
		v = v * 10 + (size_t)(tok[i] - '0');
	}
	if (v >= n)
		return false;
	*idx = v;
	return true;
}

/*
 * Unescape the reference token of LEN bytes at SRC into DST (room for LEN
 * + 1): "~1" is '/', "~0" is '~', any other '~' is an error (RFC 6901
 * section 3).  Returns the length, or -1.
 */
static long
pointer_unescape(const char *src, size_t len, char *dst)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (src[i] != '~') {
			dst[o++] = src[i];
			continue;
		}
		if (i + 1 == len || (src[i + 1] != '0' && src[i + 1] != '1'))
			return -1;
		dst[o++] = src[i + 1] == '0' ? '~' : '/';
		i++;
	}
	dst[o] = '\0';
	return (long)o;
}

enum jsonstrict_found
jsonstrict_resolve(struct json_object *doc, const char *ptr,
    struct json_object **v)
{
	struct json_object *cur = doc;
	enum jsonstrict_found ret = JSONSTRICT_ABSENT;
	const char *p, *next;
	char *tok = NULL;
	size_t idx;
	long n;

	*v = NULL;
	if (*ptr == '\0') {
		*v = doc;
		return JSONSTRICT_FOUND;
	}
	if (*ptr != '/')
		return JSONSTRICT_ABSENT;
	tok = malloc(strlen(ptr) + 1);
	if (tok == NULL)
		return JSONSTRICT_NOMEM;
	for (p = ptr; *p == '/'; p = next) {
		p++;
		next = strchr(p, '/');
		if (next == NULL)
			next = p + strlen(p);
		n = pointer_unescape(p, (size_t)(next - p), tok);
		if (n < 0)
			goto out;
		if (json_object_is_type(cur, json_type_object)) {
			/* A name with a NUL cannot be in a json-c tree. */
			if ((size_t)n != strlen(tok) ||
			    !json_object_object_get_ex(cur, tok, &cur))
				goto out;
		} else if (json_object_is_type(cur, json_type_array)) {
			if (!pointer_index(tok, (size_t)n,
			    json_object_array_length(cur), &idx))
				goto out;
			cur = json_object_array_get_idx(cur, idx);
		} else {
			/* A JSON null is NULL in json-c: not a container. */
			ret = JSONSTRICT_SCALAR;
			goto out;
		}
	}
	*v = cur;
	ret = JSONSTRICT_FOUND;
out:
	free(tok);
	return ret;
}

struct json_object *
jsonstrict_pointer(struct json_object *doc, const char *ptr)
{
	struct json_object *v = NULL;

	if (doc == NULL || ptr == NULL)
		return NULL;
	if (jsonstrict_resolve(doc, ptr, &v) != JSONSTRICT_FOUND)
		return NULL;
	return v;
}

/* 2^63 as a double: exact.  NaN fails both comparisons with it. */
#define TIME_LIMIT 9223372036854775808.0

bool
jsonstrict_get_time(struct json_object *v, int64_t *out)
{
	double d;
	int64_t i;

	if (json_object_is_type(v, json_type_int)) {
		/*
		 * json-c keeps integers above INT64_MAX as uint64 and
		 * saturates beyond, at UINT64_MAX or INT64_MIN; a clamped
		 * INT64_MAX is told from a real one by its uint64 reading.
		 * INT64_MIN is refused, |INT64_MIN| being 2^63.
		 */
		i = json_object_get_int64(v);
		if (i == INT64_MIN)
			return false;
		if (i == INT64_MAX &&
		    json_object_get_uint64(v) != (uint64_t)INT64_MAX)
			return false;
		*out = i;
		return true;
	}
	if (!json_object_is_type(v, json_type_double))
		return false;
	d = json_object_get_double(v);
	if (!(d > -TIME_LIMIT && d < TIME_LIMIT))
		return false;
	/*
	 * Round up: exp 100.5 expires at 101, so now = 100 still passes and
	 * the comparisons with an integer now stay exact.  The conversion
	 * truncates toward zero, which rounds a negative fraction up
	 * already; a positive one gets one more.  The largest double below
	 * 2^63 is an integer, so the result stays below 2^63.
	 */
	i = (int64_t)d;
	if ((double)i < d)
		i++;
	*out = i;
	return true;
}

bool
jsonstrict_get_string(struct json_object *v, const char **s, size_t *len)
{
	int n;

	if (!json_object_is_type(v, json_type_string))
		return false;
	n = json_object_get_string_len(v);
	if (n < 0)
		return false;
	*s = json_object_get_string(v);
	*len = (size_t)n;
	return true;
}
