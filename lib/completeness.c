/*
 * Token completeness: DESIGN.md "Prompting, completeness and long
 * tokens".  A client may cut a long token into parts typed at successive
 * prompts; the input is complete when its signature segment has the
 * length the algorithm and key call for (RFC 7518 sections 3.2 to 3.5,
 * RFC 8037 section 3.1).  Only the header is decoded; nothing here
 * accepts or refuses a token.
 */
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "completeness.h"
#include "jsonstrict.h"
#include "jws.h"
#include "reason.h"
#include "strutil.h"

/* What the length rules need: the policies and their key sets. */
struct ctx {
	const struct config *cfg;
	struct keyfiles *keys;		/* one per policy */
	const struct pj_log *log;
};

static bool
is_b64url_chars(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/*
 * The encoded signature lengths the keys of every policy that allows ALG
 * admit for KID, into LENS (room for MAX) and *N.
 */
static int
rsa_lengths(const struct ctx *c, const struct alg_info *alg, const char *kid,
    size_t kid_len, size_t *lens, size_t max, size_t *n)
{
	const struct config *cfg = c->cfg;
	struct jwk **cands = NULL;
	size_t i, j, nc;
	int ret = PJ_OK;

	*n = 0;
	for (i = 0; i < cfg->n_policies; i++) {
		const struct keyset *set = &c->keys[i].set;

		if ((cfg->policies[i].algorithms & ALG_BIT(alg->id)) == 0)
			continue;
		ret = keyfiles_jwks(&c->keys[i], cfg, &cfg->policies[i],
		    c->log);
		if (ret != PJ_OK)
			goto out;
		free(cands);
		cands = calloc(set->count > 0 ? set->count : 1,
		    sizeof(*cands));
		if (cands == NULL) {
			ret = PJ_ERR_NOMEM;
			goto out;
		}
		if (keyset_select(set, alg, kid, kid_len, cands, set->count,
		    &nc) != REASON_NONE)
			continue;
		for (j = 0; j < nc && *n < max; j++)
			lens[(*n)++] = b64url_encoded_len(jwk_sig_len(cands[j],
			    alg));
	}
out:
	free(cands);
	return ret;
}

/* Complete when SIGLEN is one of LENS or longer than all (none: judge). */
static enum token_state
by_lengths(size_t siglen, const size_t *lens, size_t n)
{
	size_t i, longest = 0;

	if (n == 0)
		return TOKEN_COMPLETE;
	for (i = 0; i < n; i++) {
		if (siglen == lens[i])
			return TOKEN_COMPLETE;
		if (lens[i] > longest)
			longest = lens[i];
	}
	return siglen > longest ? TOKEN_COMPLETE : TOKEN_INCOMPLETE;
}

#define MAX_LENGTHS 64

/*
 * The encoded signature lengths HEADER's algorithm admits, into LENS
 * (room for MAX_LENGTHS) and *N; none when the algorithm is unknown.
 */
static int
expected_lengths(const struct ctx *c, struct json_object *header,
    size_t *lens, size_t *n)
{
	struct json_object *jalg, *jkid;
	const struct alg_info *alg = NULL;
	const char *s, *kid = NULL;
	size_t len, kid_len = 0;

	*n = 0;
	jalg = jsonstrict_get(header, "alg");
	if (jalg != NULL && jsonstrict_get_string(jalg, &s, &len))
		alg = alg_lookup(s, len);
	if (alg == NULL)
		return PJ_OK;
	jkid = jsonstrict_get(header, "kid");
	if (jkid != NULL)
		(void)jsonstrict_get_string(jkid, &kid, &kid_len);

	if (alg->family == ALG_FAMILY_RSA || alg->family == ALG_FAMILY_PSS)
		return rsa_lengths(c, alg, kid, kid_len, lens, MAX_LENGTHS, n);
	lens[(*n)++] = b64url_encoded_len(alg->family == ALG_FAMILY_HMAC ?
	    alg->digest_len : alg->sig_len);
	return PJ_OK;
}

int
completeness_state(const struct config *cfg, struct keyfiles *keys,
    const struct pj_log *log, const char *input, size_t len,
    enum token_state *state)
{
	const struct ctx c = { cfg, keys, log };
	struct json_object *header = NULL;
	const char *tok, *s, *d1, *d2;
	size_t tlen, flen, slen, n = 0;
	size_t lens[MAX_LENGTHS];
	int ret;

	*state = TOKEN_COMPLETE;
	strutil_trim(input, len, &tok, &tlen);
	if (tlen > (size_t)cfg->top.max_token_bytes)
		return PJ_OK;

	d1 = memchr(tok, '.', tlen);
	flen = d1 != NULL ? (size_t)(d1 - tok) : tlen;
	ret = flen == 0 ? PJ_ERR_REFUSED :
	    jws_decode_header(tok, flen, &header);
	if (ret == PJ_ERR_NOMEM)
		return ret;
	if (ret != PJ_OK) {
		*state = TOKEN_NOT_A_TOKEN;
		return PJ_OK;
	}

	/* Fewer than three segments: more is to come. */
	d2 = d1 != NULL ? memchr(d1 + 1, '.', tlen - flen - 1) : NULL;
	if (d2 == NULL) {
		*state = TOKEN_INCOMPLETE;
		goto out;
	}
	/* A fourth segment or a stray character: judge it now. */
	s = d2 + 1;
	slen = (size_t)(tok + tlen - s);
	if (memchr(s, '.', slen) != NULL || !is_b64url_chars(s, slen))
		goto out;

	ret = expected_lengths(&c, header, lens, &n);
	if (ret == PJ_OK)
		*state = by_lengths(slen, lens, n);
out:
	json_object_put(header);
	return ret;
}
