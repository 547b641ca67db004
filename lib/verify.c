/*
 * Verification: input in, verdict out.
 *
 * Order (DESIGN.md, RFC 7515 section 5.2, RFC 7519 section 7.2): the
 * size limit on the trimmed input; the first segment must be a header (or
 * the input is not a token); three strict segments; then, for each policy
 * in file order, the header against that policy, key selection, the
 * signature, and only then the payload and its claims.  The first policy
 * that accepts wins.  A refusal reports the failure that got furthest, the
 * first one among equals, so that a token refused by its own issuer's
 * policy is not reported as a bad signature under another issuer's keys.
 *
 * Key files are read the first time a token needs them and kept for the
 * verifier's life (keyfiles.c); only the keys a token selects are built.
 * Whether typed input is a whole token yet is completeness.c's question.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "completeness.h"
#include "jsonstrict.h"
#include "jws.h"
#include "keyfiles.h"
#include "keyset.h"
#include "sig.h"
#include "strutil.h"
#include "verify.h"

struct verifier {
	const struct config *cfg;
	const struct pj_log *log;
	struct keyfiles *keys;		/* one per policy */
};

/* How far a policy got with a token; more is further. */
enum stage {
	STAGE_HEADER = 1,	/* refused by the header checks */
	STAGE_KEY,		/* no key to try */
	STAGE_SIGNATURE,	/* no key verified the signature */
	STAGE_PAYLOAD,		/* signature good, payload malformed */
	STAGE_CLAIMS		/* refused by a claim; + the claim's rank */
};

/* One policy's attempt at a token. */
struct attempt {
	enum reason reason;
	int rank;
	char msg[256];
	struct claims claims;
};

int
verifier_new(const struct config *cfg, const struct pj_log *log,
    struct verifier **out)
{
	struct verifier *v;

	*out = NULL;
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return PJ_ERR_NOMEM;
	v->cfg = cfg;
	v->log = log;
	v->keys = calloc(cfg->n_policies > 0 ? cfg->n_policies : 1,
	    sizeof(*v->keys));
	if (v->keys == NULL) {
		free(v);
		return PJ_ERR_NOMEM;
	}
	*out = v;
	return PJ_OK;
}

void
verifier_free(struct verifier *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->cfg->n_policies; i++)
		keyfiles_clear(&v->keys[i]);
	free(v->keys);
	free(v);
}


/* The rank of a claim refusal, in claims_check()'s order. */
static int
claim_rank(enum reason r)
{
	switch (r) {
	case REASON_BAD_ISSUER:
		return 1;
	case REASON_BAD_AUDIENCE:
		return 2;
	case REASON_BAD_TOKEN_USE:
		return 3;
	case REASON_BAD_USERNAME:
	case REASON_USER_MISMATCH:
	case REASON_ROOT_REFUSED:
		return 4;
	case REASON_MISSING_GROUP:
	case REASON_BAD_GROUPS:
		return 5;
	case REASON_MISSING_SCOPE:
		return 6;
	default:
		return 0;	/* time claims */
	}
}

static void
refuse(struct attempt *a, enum reason r, int rank)
{
	a->reason = r;
	a->rank = rank;
}

/*
 * Verify the signature of JWS with the HMAC secret of policy I.  The kid
 * is ignored: HS* only ever uses hmac_secret_file, never a public key
 * (RFC 8725 section 3.1, the RSA/HMAC confusion).
 */
static int
try_hmac(struct verifier *v, size_t i, const struct jws *jws,
    const struct explain *ex, struct attempt *a, bool *holds)
{
	struct keyfiles *kf = &v->keys[i];
	int ret;

	*holds = false;
	ret = keyfiles_secret(kf, v->cfg, &v->cfg->policies[i], v->log);
	if (ret != PJ_OK)
		return ret;
	explain_rule(ex, "key", true, "hmac_secret_file (kid ignored)");
	ret = sig_verify_hmac(jws->alg, kf->secret, kf->secret_len,
	    (const unsigned char *)jws->seg[0], jws->signing_input_len,
	    jws->sig, jws->sig_len);
	if (ret == PJ_OK) {
		*holds = true;
	} else if (ret == PJ_ERR_REFUSED) {
		(void)snprintf(a->msg, sizeof(a->msg), "the %s signature does "
		    "not verify", jws->alg->name);
		refuse(a, REASON_BAD_SIGNATURE, STAGE_SIGNATURE);
		ret = PJ_OK;
	}
	explain_rule(ex, "signature", *holds, "%s with the HMAC secret",
	    jws->alg->name);
	return ret;
}

static void
key_message(struct attempt *a, enum reason r, const struct jws *jws,
    const char *kid)
{
	switch (r) {
	case REASON_UNKNOWN_KID:
		(void)snprintf(a->msg, sizeof(a->msg), "no key has kid \"%s\"",
		    kid);
		break;
	case REASON_WEAK_KEY:
		(void)snprintf(a->msg, sizeof(a->msg), "key \"%s\" is too weak",
		    kid);
		break;
	case REASON_KEY_ALG_MISMATCH:
		(void)snprintf(a->msg, sizeof(a->msg), "key \"%s\" does not "
		    "suit %s", kid, jws->alg->name);
		break;
	default:
		(void)snprintf(a->msg, sizeof(a->msg), "no key suits %s",
		    jws->alg->name);
		break;
	}
}

/* Verify the signature of JWS with the candidates CANDS (N of them). */
static int
try_candidates(struct verifier *v, const struct jws *jws, struct jwk **cands,
    size_t n, bool *holds)
{
	char kid[80];
	size_t i;
	int ret;

	*holds = false;
	for (i = 0; i < n; i++) {
		EVP_PKEY *pkey;

		/* RFC 7518 section 3.3 / 3.4: the exact length, or nothing. */
		if (jws->sig_len != jwk_sig_len(cands[i], jws->alg))
			continue;
		pkey = jwk_pkey(cands[i]);
		if (pkey == NULL) {
			strutil_escape(cands[i]->kid != NULL ? cands[i]->kid :
			    "", cands[i]->kid_len, 64, kid, sizeof(kid));
			pj_logf(v->log, LOG_WARNING, "key \"%s\" is not a "
			    "valid key", kid);
			continue;
		}
		ret = sig_verify(jws->alg, pkey,
		    (const unsigned char *)jws->seg[0], jws->signing_input_len,
		    jws->sig, jws->sig_len);
		if (ret == PJ_OK) {
			*holds = true;
			return PJ_OK;
		}
		if (ret != PJ_ERR_REFUSED)
			return ret;
	}
	return PJ_OK;
}

/* Select and try the public keys of policy I. */
static int
try_keys(struct verifier *v, size_t i, const struct jws *jws,
    const struct explain *ex, struct attempt *a, bool *holds)
{
	struct keyset *set = &v->keys[i].set;
	struct jwk **cands = NULL;
	char kid[80] = "";
	size_t n = 0;
	enum reason r;
	int ret;

	*holds = false;
	ret = keyfiles_jwks(&v->keys[i], v->cfg, &v->cfg->policies[i],
	    v->log);
	if (ret != PJ_OK)
		return ret;
	if (jws->kid != NULL)
		strutil_escape(jws->kid, jws->kid_len, 64, kid, sizeof(kid));

	cands = calloc(set->count > 0 ? set->count : 1, sizeof(*cands));
	if (cands == NULL)
		return PJ_ERR_NOMEM;
	r = keyset_select(set, jws->alg, jws->kid, jws->kid_len, cands,
	    set->count, &n);
	explain_rule(ex, "key", r == REASON_NONE, "kid=%s: %zu candidate(s)",
	    jws->kid != NULL ? kid : "(none)", n);
	if (r != REASON_NONE) {
		key_message(a, r, jws, kid);
		refuse(a, r, STAGE_KEY);
		goto out;
	}
	ret = try_candidates(v, jws, cands, n, holds);
	if (ret != PJ_OK)
		goto out;
	explain_rule(ex, "signature", *holds, "%s with %zu key(s)",
	    jws->alg->name, n);
	if (!*holds) {
		(void)snprintf(a->msg, sizeof(a->msg), "the %s signature does "
		    "not verify", jws->alg->name);
		refuse(a, REASON_BAD_SIGNATURE, STAGE_SIGNATURE);
	}
out:
	free(cands);
	return ret;
}

/*
 * The signature of JWS holds under policy P: now, and only now, the
 * payload is read and judged.
 */
static int
judge_payload(const struct policy *p, const struct jws *jws,
    const char *user, int64_t now, const struct explain *ex,
    struct attempt *a)
{
	struct json_object *payload = NULL;
	enum reason r;
	int err = PJ_OK;

	r = jws_payload(jws, &payload, &err);
	if (err != PJ_OK)
		return err;
	if (r != REASON_NONE) {
		(void)snprintf(a->msg, sizeof(a->msg), "the payload is not %s",
		    r == REASON_BAD_JSON ? "a strict JSON object" :
		    "strict base64url");
		explain_rule(ex, "payload", false, "%s", a->msg);
		refuse(a, r, STAGE_PAYLOAD);
		return PJ_OK;
	}
	r = claims_check(p, payload, user, now, ex, &a->claims, a->msg,
	    sizeof(a->msg), &err);
	json_object_put(payload);
	if (err != PJ_OK)
		return err;
	refuse(a, r, STAGE_CLAIMS + claim_rank(r));
	return PJ_OK;
}

/*
 * Try policy I on the split token SPLIT.  Returns PJ_OK with A->reason
 * REASON_NONE (accepted, A->claims filled) or a refusal in A; or an error
 * that ends the verification (a key file, memory).
 */
static int
try_policy(struct verifier *v, size_t i, const struct jws *split,
    const char *user, int64_t now, const struct explain *ex,
    struct attempt *a)
{
	const struct policy *p = &v->cfg->policies[i];
	struct jws jws = *split;
	enum reason r;
	bool holds = false;
	int ret = PJ_OK, err = PJ_OK;

	memset(a, 0, sizeof(*a));
	a->reason = REASON_COUNT;

	/* The top level's limit was checked; a section may set a lower one. */
	if (jws.signing_input_len + 1 + jws.seg_len[2] >
	    (size_t)p->max_token_bytes) {
		(void)snprintf(a->msg, sizeof(a->msg), "the token is longer "
		    "than max_token_bytes %ld", p->max_token_bytes);
		refuse(a, REASON_TOO_LARGE, STAGE_HEADER);
		goto out;
	}
	r = jws_parse(&jws, p->algorithms, p->typ, p->n_typ, ex, a->msg,
	    sizeof(a->msg), &err);
	if (err != PJ_OK) {
		ret = err;
		goto out;
	}
	if (r != REASON_NONE) {
		refuse(a, r, STAGE_HEADER);
		goto out;
	}

	if (jws.alg->family == ALG_FAMILY_HMAC)
		ret = try_hmac(v, i, &jws, ex, a, &holds);
	else
		ret = try_keys(v, i, &jws, ex, a, &holds);
	if (ret == PJ_OK && holds)
		ret = judge_payload(p, &jws, user, now, ex, a);
out:
	jws_clear(&jws);
	return ret;
}

/* The header's kid, escaped, for the verdict's log line. */
static void
header_kid(struct json_object *header, char *out, size_t size)
{
	struct json_object *v = jsonstrict_get(header, "kid");
	const char *s;
	size_t len;

	out[0] = '\0';
	if (v != NULL && jsonstrict_get_string(v, &s, &len))
		strutil_escape(s, len, 64, out, size);
}

/*
 * DESIGN.md: input is not a token when its first segment is not
 * base64url of a JSON object.  Returns PJ_OK (a token; its kid copied
 * into OUT), PJ_ERR_NOT_TOKEN with the reason set, or PJ_ERR_NOMEM.
 */
static int
check_is_token(const char *tok, size_t len, const struct explain *ex,
    struct verdict *out)
{
	struct json_object *header = NULL;
	const char *dot = memchr(tok, '.', len);
	size_t flen = dot != NULL ? (size_t)(dot - tok) : len;
	int ret;

	if (flen == 0 || !b64url_is_valid(tok, flen)) {
		out->reason = REASON_MALFORMED;
		(void)snprintf(out->message, sizeof(out->message), "not a "
		    "JWT: the first segment is not base64url");
		explain_rule(ex, "header", false, "not base64url");
		return PJ_ERR_NOT_TOKEN;
	}
	ret = jws_decode_header(tok, flen, &header);
	if (ret == PJ_ERR_NOMEM)
		return ret;
	if (ret != PJ_OK) {
		out->reason = REASON_BAD_JSON;
		(void)snprintf(out->message, sizeof(out->message), "not a "
		    "JWT: the header is not a strict JSON object");
		explain_rule(ex, "header", false, "not a strict JSON object");
		return PJ_ERR_NOT_TOKEN;
	}
	header_kid(header, out->kid, sizeof(out->kid));
	json_object_put(header);
	return PJ_OK;
}

/* Keep BEST or replace it by A when A got further. */
static void
keep_best(struct attempt *best, struct attempt *a, size_t i, size_t *best_i)
{
	if (best->reason != REASON_COUNT && a->rank <= best->rank) {
		claims_clear(&a->claims);
		return;
	}
	claims_clear(&best->claims);
	*best = *a;
	*best_i = i;
	memset(&a->claims, 0, sizeof(a->claims));
}

/* Try every policy in file order; the first acceptance wins. */
static int
try_policies(struct verifier *v, const struct jws *split, const char *user,
    int64_t now, const struct explain *ex, struct verdict *out)
{
	const struct config *cfg = v->cfg;
	struct attempt best, a;
	size_t i, best_i = 0;
	int ret = PJ_ERR_REFUSED;

	memset(&best, 0, sizeof(best));
	best.reason = REASON_COUNT;
	for (i = 0; i < cfg->n_policies; i++) {
		if (cfg->n_policies > 1 && cfg->policies[i].name[0] != '\0')
			explain_rule(ex, "policy", true, "trying [issuer %s]",
			    cfg->policies[i].name);
		else if (cfg->n_policies > 1)
			explain_rule(ex, "policy", true,
			    "trying the top level");
		ret = try_policy(v, i, split, user, now, ex, &a);
		if (ret != PJ_OK) {
			claims_clear(&a.claims);
			goto out;
		}
		if (a.reason == REASON_NONE) {
			claims_clear(&best.claims);
			best = a;
			best_i = i;
			break;
		}
		keep_best(&best, &a, i, &best_i);
	}

	out->policy = &cfg->policies[best_i];
	out->claims = best.claims;
	memset(&best.claims, 0, sizeof(best.claims));
	out->reason = best.reason;
	if (best.reason == REASON_NONE) {
		ret = PJ_OK;
		goto out;
	}
	if (out->policy->name[0] != '\0')
		(void)snprintf(out->message, sizeof(out->message),
		    "[issuer %.32s] %.200s", out->policy->name, best.msg);
	else
		(void)snprintf(out->message, sizeof(out->message), "%s",
		    best.msg);
	ret = PJ_ERR_REFUSED;
out:
	claims_clear(&best.claims);
	return ret;
}

int
verifier_verify(struct verifier *v, const char *input, size_t len,
    const char *user, int64_t now, const struct explain *ex,
    struct verdict *out)
{
	const struct config *cfg = v->cfg;
	struct jws split;
	const char *tok;
	size_t tlen;
	enum reason r;
	int ret = PJ_ERR_REFUSED;

	memset(out, 0, sizeof(*out));
	out->reason = REASON_MALFORMED;
	out->policy = &cfg->top;
	if (cfg->n_policies == 0)
		return PJ_ERR_CONFIG;

	/* The limit comes before any decoding. */
	strutil_trim(input, len, &tok, &tlen);
	if (tlen > (size_t)cfg->top.max_token_bytes) {
		out->reason = REASON_TOO_LARGE;
		(void)snprintf(out->message, sizeof(out->message), "the input "
		    "has %zu bytes, max_token_bytes is %ld", tlen,
		    cfg->top.max_token_bytes);
		explain_rule(ex, "size", false, "%zu bytes > %ld", tlen,
		    cfg->top.max_token_bytes);
		goto out;
	}

	ret = check_is_token(tok, tlen, ex, out);
	if (ret != PJ_OK)
		goto out;

	ret = PJ_ERR_REFUSED;
	r = jws_split(tok, tlen, &split);
	if (r != REASON_NONE) {
		out->reason = r;
		(void)snprintf(out->message, sizeof(out->message), "not three "
		    "non-empty segments of strict base64url");
		explain_rule(ex, "structure", false, "%s", out->message);
		goto out;
	}
	explain_rule(ex, "structure", true, "three segments");

	ret = try_policies(v, &split, user, now, ex, out);
out:
	if (ret != PJ_OK && ret != PJ_ERR_REFUSED && ret != PJ_ERR_NOT_TOKEN)
		(void)snprintf(out->message, sizeof(out->message), "%s",
		    pj_strerror(ret));
	if (ret == PJ_OK)
		out->message[0] = '\0';
	return ret;
}

void
verdict_clear(struct verdict *out)
{
	if (out == NULL)
		return;
	claims_clear(&out->claims);
	memset(out, 0, sizeof(*out));
}

int
verifier_token_state(struct verifier *v, const char *input, size_t len,
    enum token_state *state)
{
	return completeness_state(v->cfg, v->keys, v->log, input, len, state);
}
