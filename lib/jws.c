/*
 * JWS compact serialization (RFC 7515 section 7.1) and the protected
 * header's checks that come before any key is chosen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b64url.h"
#include "jsonstrict.h"
#include "jws.h"
#include "strutil.h"
#include "wipe.h"

/* How many bytes of a header value a message shows. */
#define SHOW_MAX 40
#define SHOW_BUF (SHOW_MAX * 4 + 4)

enum reason
jws_split(const char *in, size_t len, struct jws *jws)
{
	size_t i, start = 0, n = 0;

	memset(jws, 0, sizeof(*jws));

	/*
	 * RFC 7515 section 7.1: three segments of base64url separated by
	 * '.'.  Each must be non-empty (an empty signature is an unsecured
	 * JWS, which is never accepted) and strict base64url (RFC 7515
	 * section 2: no padding, no whitespace, one encoding per value).
	 */
	for (i = 0; i <= len; i++) {
		if (i < len && in[i] != '.')
			continue;
		if (n == 3)
			return REASON_MALFORMED;
		jws->seg[n] = in + start;
		jws->seg_len[n] = i - start;
		n++;
		start = i + 1;
	}
	if (n != 3)
		return REASON_MALFORMED;
	for (i = 0; i < 3; i++)
		if (jws->seg_len[i] == 0 ||
		    !b64url_is_valid(jws->seg[i], jws->seg_len[i]))
			return REASON_MALFORMED;
	jws->signing_input_len = jws->seg_len[0] + 1 + jws->seg_len[1];
	return REASON_NONE;
}

int
jws_decode_header(const char *seg, size_t len, struct json_object **header)
{
	unsigned char *buf = NULL;
	size_t blen = 0;
	int ret;

	*header = NULL;
	if (len == 0)
		return PJ_ERR_REFUSED;
	ret = b64url_decode_alloc(seg, len, &buf, &blen);
	if (ret != PJ_OK)
		return ret;
	ret = jsonstrict_parse_object((const char *)buf, blen, header);
	free(buf);
	return ret;
}

/* A "typ" value without a leading "application/" (RFC 7515 4.1.9). */
static void
typ_core(const char *s, size_t len, const char **core, size_t *clen)
{
	static const char prefix[] = "application/";
	size_t plen = sizeof(prefix) - 1;

	if (len >= plen && strncasecmp(s, prefix, plen) == 0) {
		s += plen;
		len -= plen;
	}
	*core = s;
	*clen = len;
}

static bool
typ_matches(const char *typ, size_t len, char *const *typs, size_t n_typs)
{
	const char *a, *b;
	size_t alen, blen, i;

	typ_core(typ, len, &a, &alen);
	for (i = 0; i < n_typs; i++) {
		typ_core(typs[i], strlen(typs[i]), &b, &blen);
		if (alen == blen && memchr(a, '\0', alen) == NULL &&
		    strncasecmp(a, b, alen) == 0)
			return true;
	}
	return false;
}

/*
 * "alg" (RFC 7515 section 4.1.1): a string naming an algorithm of the
 * allow-list.  "none" is never in it (RFC 8725 section 3.1).
 */
static enum reason
check_alg(struct jws *jws, unsigned allowed, const struct explain *ex,
    char *msg, size_t msgsize)
{
	struct json_object *v = jsonstrict_get(jws->header, "alg");
	const struct alg_info *alg = NULL;
	char b[SHOW_BUF];
	const char *s = NULL;
	size_t len = 0;

	if (v != NULL && jsonstrict_get_string(v, &s, &len))
		alg = alg_lookup(s, len);
	if (alg == NULL || (allowed & ALG_BIT(alg->id)) == 0) {
		if (s != NULL)
			strutil_escape(s, len, SHOW_MAX, b, sizeof(b));
		(void)snprintf(msg, msgsize, "alg %s%s%s is not allowed",
		    s != NULL ? "\"" : "", s != NULL ? b : "(not a string)",
		    s != NULL ? "\"" : "");
		explain_rule(ex, "alg", false, "alg=%s", s != NULL ? b :
		    "(not a string)");
		return REASON_ALG_NOT_ALLOWED;
	}
	explain_rule(ex, "alg", true, "alg=%s", alg->name);
	jws->alg = alg;
	return REASON_NONE;
}

/*
 * The other members that matter before a key is chosen: "crit" is
 * refused whatever it holds (RFC 7515 section 4.1.11: we understand no
 * extension), "b64" other than true is refused (RFC 7797), "kid", "typ"
 * and "cty" must be strings.  Keys in the header ("jwk", "jku", "x5u",
 * "x5c") are never looked at: trusting them would let the token choose
 * its own key (RFC 8725 section 3.10).
 */
static enum reason
check_members(struct jws *jws, const struct explain *ex, char *msg,
    size_t msgsize)
{
	static const char *const strings[] = { "kid", "typ", "cty" };
	struct json_object *v;
	size_t i;

	if (json_object_object_get_ex(jws->header, "crit", NULL)) {
		(void)snprintf(msg, msgsize, "the header has crit");
		explain_rule(ex, "crit", false, "crit is present");
		return REASON_CRIT_UNSUPPORTED;
	}
	if (json_object_object_get_ex(jws->header, "b64", &v) &&
	    !(json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v))) {
		(void)snprintf(msg, msgsize, "the header has b64 other than "
		    "true");
		explain_rule(ex, "b64", false, "b64 is not true");
		return REASON_B64_UNSUPPORTED;
	}
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		if (json_object_object_get_ex(jws->header, strings[i], &v) &&
		    !json_object_is_type(v, json_type_string)) {
			(void)snprintf(msg, msgsize, "header %s is not a "
			    "string", strings[i]);
			explain_rule(ex, "header", false, "%s is not a string",
			    strings[i]);
			return REASON_MALFORMED_HEADER;
		}
	}
	v = jsonstrict_get(jws->header, "kid");
	if (v != NULL)
		(void)jsonstrict_get_string(v, &jws->kid, &jws->kid_len);
	return REASON_NONE;
}

static enum reason
check_typ(struct jws *jws, char *const *typs, size_t n_typs,
    const struct explain *ex, char *msg, size_t msgsize)
{
	struct json_object *v;
	char b[SHOW_BUF];
	const char *s = NULL;
	size_t len = 0;
	bool ok;

	if (n_typs == 0)
		return REASON_NONE;
	v = jsonstrict_get(jws->header, "typ");
	ok = v != NULL && jsonstrict_get_string(v, &s, &len) &&
	    typ_matches(s, len, typs, n_typs);
	if (s != NULL)
		strutil_escape(s, len, SHOW_MAX, b, sizeof(b));
	explain_rule(ex, "typ", ok, "typ=%s expected=%.64s%s",
	    s != NULL ? b : "(none)", typs[0], n_typs > 1 ? ",..." : "");
	if (!ok) {
		(void)snprintf(msg, msgsize, "typ %s is not %.64s%s",
		    s != NULL ? b : "(none)", typs[0],
		    n_typs > 1 ? " or another configured typ" : "");
		return REASON_BAD_TYP;
	}
	return REASON_NONE;
}

enum reason
jws_parse(struct jws *jws, unsigned allowed, char *const *typs,
    size_t n_typs, const struct explain *ex, char *msg, size_t msgsize,
    int *err)
{
	enum reason r;
	int ret;

	*err = PJ_OK;
	if (msgsize > 0)
		msg[0] = '\0';

	ret = jws_decode_header(jws->seg[0], jws->seg_len[0], &jws->header);
	if (ret == PJ_ERR_NOMEM) {
		*err = ret;
		return REASON_COUNT;
	}
	if (ret != PJ_OK) {
		/* jws_split already vouched for the base64url. */
		(void)snprintf(msg, msgsize, "the header is not a strict JSON "
		    "object");
		explain_rule(ex, "header", false, "not a strict JSON object");
		return REASON_BAD_JSON;
	}
	explain_rule(ex, "header", true, "a strict JSON object");

	r = check_alg(jws, allowed, ex, msg, msgsize);
	if (r == REASON_NONE)
		r = check_members(jws, ex, msg, msgsize);
	if (r == REASON_NONE)
		r = check_typ(jws, typs, n_typs, ex, msg, msgsize);
	if (r != REASON_NONE)
		return r;

	ret = b64url_decode_alloc(jws->seg[2], jws->seg_len[2], &jws->sig,
	    &jws->sig_len);
	if (ret == PJ_ERR_NOMEM) {
		*err = ret;
		return REASON_COUNT;
	}
	if (ret != PJ_OK) {
		(void)snprintf(msg, msgsize, "the signature is not strict "
		    "base64url");
		return REASON_MALFORMED;
	}
	return REASON_NONE;
}

enum reason
jws_payload(const struct jws *jws, struct json_object **payload, int *err)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	enum reason r = REASON_MALFORMED;
	int ret;

	*payload = NULL;
	*err = PJ_OK;
	ret = b64url_decode_alloc(jws->seg[1], jws->seg_len[1], &buf, &len);
	if (ret == PJ_ERR_NOMEM) {
		*err = ret;
		r = REASON_COUNT;
	}
	if (ret != PJ_OK)
		goto out;

	/* RFC 7519 section 7.2 step 10: the claims are a JSON object. */
	ret = jsonstrict_parse_object((const char *)buf, len, payload);
	if (ret == PJ_OK) {
		r = REASON_NONE;
	} else if (ret == PJ_ERR_NOMEM) {
		*err = ret;
		r = REASON_COUNT;
	} else {
		r = REASON_BAD_JSON;
	}
out:
	if (buf != NULL)
		wipe_free(buf, len);
	return r;
}

void
jws_clear(struct jws *jws)
{
	if (jws == NULL)
		return;
	if (jws->header != NULL)
		json_object_put(jws->header);
	free(jws->sig);
	memset(jws, 0, sizeof(*jws));
}
