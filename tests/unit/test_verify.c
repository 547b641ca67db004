/*
 * verifier_verify() and verifier_token_state() end to end, with keys made
 * by OpenSSL when the test starts and tokens signed here: every supported
 * family, the RSA/HMAC confusion (an HS256 token keyed with the public
 * key's PEM text must never verify), key selection by kid, the order of
 * checks (nothing of the payload is read before a signature holds), key
 * file rules, multi-issuer selection and which refusal is reported, and
 * the completeness rule the module's prompting depends on.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "b64url.h"
#include "verify.h"

#define NOW 1700000000LL
#define NOBODY 65534

/* Keys, made once for all tests. */
struct fixture {
	char dir[256];
	EVP_PKEY *rsa_a;	/* 2048 bits, kid rsa-a */
	EVP_PKEY *rsa_b;	/* 4096 bits, kid rsa-b */
	EVP_PKEY *rsa_evil;	/* 2048 bits, in no key set */
	EVP_PKEY *ec;		/* P-256, kid ec */
	EVP_PKEY *ed;		/* Ed25519, kid ed */
	unsigned char secret[32];
	char logged[4096];
	int warnings;
	struct pj_log log;
	struct config *cfg;
	struct verifier *v;
};

static void
capture(void *arg, int prio, const char *msg)
{
	struct fixture *f = arg;
	size_t used = strlen(f->logged);

	if (prio == LOG_WARNING)
		f->warnings++;
	(void)snprintf(f->logged + used, sizeof(f->logged) - used, "%s\n",
	    msg);
}

static char *
b64(const unsigned char *in, size_t n)
{
	char *out = malloc(b64url_encoded_len(n) + 1);

	assert_non_null(out);
	(void)b64url_encode(in, n, out);
	return out;
}

static char *
b64_bn(EVP_PKEY *pkey, const char *param, int pad)
{
	BIGNUM *bn = NULL;
	unsigned char buf[1024];
	int n;

	assert_int_equal(EVP_PKEY_get_bn_param(pkey, param, &bn), 1);
	n = pad > 0 ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);
	assert_true(n > 0);
	BN_free(bn);
	return b64(buf, (size_t)n);
}

static void
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void
path_in(const struct fixture *f, const char *name, char *out, size_t size)
{
	(void)snprintf(out, size, "%s/%s", f->dir, name);
}

static size_t
append_rsa(char *out, size_t size, EVP_PKEY *k, const char *kid)
{
	char *n = b64_bn(k, OSSL_PKEY_PARAM_RSA_N, 0);
	char *e = b64_bn(k, OSSL_PKEY_PARAM_RSA_E, 0);
	int r;

	r = snprintf(out, size, "{\"kty\":\"RSA\",\"kid\":\"%s\",\"use\":"
	    "\"sig\",\"n\":\"%s\",\"e\":\"%s\"}", kid, n, e);
	free(n);
	free(e);
	assert_true(r > 0 && (size_t)r < size);
	return (size_t)r;
}

static size_t
append_ec(char *out, size_t size, EVP_PKEY *k)
{
	char *x = b64_bn(k, OSSL_PKEY_PARAM_EC_PUB_X, 32);
	char *y = b64_bn(k, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
	int r;

	r = snprintf(out, size, "{\"kty\":\"EC\",\"kid\":\"ec\",\"crv\":"
	    "\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}", x, y);
	free(x);
	free(y);
	assert_true(r > 0 && (size_t)r < size);
	return (size_t)r;
}

static size_t
append_ed(char *out, size_t size, EVP_PKEY *k)
{
	unsigned char raw[32];
	size_t len = sizeof(raw);
	char *x;
	int r;

	assert_int_equal(EVP_PKEY_get_raw_public_key(k, raw, &len), 1);
	x = b64(raw, len);
	r = snprintf(out, size, "{\"kty\":\"OKP\",\"kid\":\"ed\",\"crv\":"
	    "\"Ed25519\",\"x\":\"%s\"}", x);
	free(x);
	assert_true(r > 0 && (size_t)r < size);
	return (size_t)r;
}

/* Write NAME in the fixture's folder: a JWKS of the keys named in WHICH. */
static void
write_jwks(struct fixture *f, const char *name, const char *which)
{
	char buf[8192], path[512];
	size_t o = 0;

	o += (size_t)snprintf(buf, sizeof(buf), "{\"keys\":[");
	if (strchr(which, 'a') != NULL)
		o += append_rsa(buf + o, sizeof(buf) - o, f->rsa_a, "rsa-a");
	if (strchr(which, 'b') != NULL) {
		if (o > 9)
			buf[o++] = ',';
		o += append_rsa(buf + o, sizeof(buf) - o, f->rsa_b, "rsa-b");
	}
	if (strchr(which, 'e') != NULL) {
		if (o > 9)
			buf[o++] = ',';
		o += append_ec(buf + o, sizeof(buf) - o, f->ec);
	}
	if (strchr(which, 'd') != NULL) {
		if (o > 9)
			buf[o++] = ',';
		o += append_ed(buf + o, sizeof(buf) - o, f->ed);
	}
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "]}\n");
	path_in(f, name, path, sizeof(path));
	write_file(path, buf, o, 0644);
}

static int
group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	char path[512];

	if (f == NULL)
		return -1;
	(void)snprintf(f->dir, sizeof(f->dir), "%s/pam_jwt-verify.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->rsa_a = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	f->rsa_b = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
	f->rsa_evil = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	f->ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	f->ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (f->rsa_a == NULL || f->rsa_b == NULL || f->rsa_evil == NULL ||
	    f->ec == NULL || f->ed == NULL ||
	    RAND_bytes(f->secret, sizeof(f->secret)) != 1)
		return -1;
	f->log.fn = capture;
	f->log.arg = f;

	write_jwks(f, "jwks.json", "abed");
	path_in(f, "hmac.key", path, sizeof(path));
	write_file(path, f->secret, sizeof(f->secret), 0600);
	*state = f;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[600];

	EVP_PKEY_free(f->rsa_a);
	EVP_PKEY_free(f->rsa_b);
	EVP_PKEY_free(f->rsa_evil);
	EVP_PKEY_free(f->ec);
	EVP_PKEY_free(f->ed);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
unload(struct fixture *f)
{
	verifier_free(f->v);
	f->v = NULL;
	config_free(f->cfg);
	f->cfg = NULL;
}

static int
teardown(void **state)
{
	unload(*state);
	return 0;
}

#define CONF_CORE \
	"issuer = https://idp.test\n" \
	"audience = pam\n" \
	"username_claim = preferred_username\n" \
	"require_group = g1\n"
#define CONF_BASE CONF_CORE \
	"jwks_file = jwks.json\n" \
	"hmac_secret_file = hmac.key\n"
#define CONF CONF_BASE "algorithms = RS256, PS256, ES256, EdDSA, HS256\n"

/* A configuration with TEXT and a verifier for it. */
static void
load(struct fixture *f, const char *text)
{
	char path[512];
	uid_t owner = getuid() != 0 ? getuid() : (uid_t)-1;

	unload(f);
	path_in(f, "pam_jwt.conf", path, sizeof(path));
	write_file(path, text, strlen(text), 0644);
	f->logged[0] = '\0';
	f->warnings = 0;
	assert_int_equal(config_load(path, 0, NULL, owner, &f->log, &f->cfg),
	    PJ_OK);
	assert_int_equal(verifier_new(f->cfg, &f->log, &f->v), PJ_OK);
}

/* The JWS signature of ALG over MSG with KEY (or the fixture's secret). */
static size_t
sign(struct fixture *f, const char *alg, EVP_PKEY *key, const char *msg,
    unsigned char *sig, size_t size)
{
	const EVP_MD *md = EVP_sha256();
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char der[512];
	size_t len = sizeof(der);
	unsigned int hlen = 0;

	assert_non_null(ctx);
	if (strcmp(alg, "HS256") == 0) {
		assert_non_null(HMAC(md, f->secret, sizeof(f->secret),
		    (const unsigned char *)msg, strlen(msg), sig, &hlen));
		EVP_MD_CTX_free(ctx);
		return hlen;
	}
	if (strcmp(alg, "EdDSA") == 0)
		md = NULL;
	assert_int_equal(EVP_DigestSignInit(ctx, &pctx, md, NULL, key), 1);
	if (strcmp(alg, "PS256") == 0) {
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx,
		    RSA_PKCS1_PSS_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
		    RSA_PSS_SALTLEN_DIGEST), 1);
	}
	if (strcmp(alg, "ES256") != 0) {
		len = size;
		assert_int_equal(EVP_DigestSign(ctx, sig, &len,
		    (const unsigned char *)msg, strlen(msg)), 1);
	} else {
		/* JWS wants raw r||s (RFC 7518 section 3.4), not DER. */
		const unsigned char *p = der;
		const BIGNUM *r, *s;
		ECDSA_SIG *es;

		assert_int_equal(EVP_DigestSign(ctx, der, &len,
		    (const unsigned char *)msg, strlen(msg)), 1);
		es = d2i_ECDSA_SIG(NULL, &p, (long)len);
		assert_non_null(es);
		ECDSA_SIG_get0(es, &r, &s);
		assert_int_equal(BN_bn2binpad(r, sig, 32), 32);
		assert_int_equal(BN_bn2binpad(s, sig + 32, 32), 32);
		ECDSA_SIG_free(es);
		len = 64;
	}
	EVP_MD_CTX_free(ctx);
	return len;
}

/* A compact JWS of HEADER and PAYLOAD (JSON texts); free() it. */
static char *
token(struct fixture *f, const char *header, const char *payload,
    const char *alg, EVP_PKEY *key)
{
	char *h = b64((const unsigned char *)header, strlen(header));
	char *p = b64((const unsigned char *)payload, strlen(payload));
	unsigned char sig[1024];
	size_t siglen, tlen;
	char *s, *out;

	tlen = strlen(h) + strlen(p) + 2;
	out = malloc(tlen + b64url_encoded_len(sizeof(sig)) + 2);
	assert_non_null(out);
	(void)snprintf(out, tlen, "%s.%s", h, p);
	siglen = sign(f, alg, key, out, sig, sizeof(sig));
	s = b64(sig, siglen);
	strcat(out, ".");
	strcat(out, s);
	free(h);
	free(p);
	free(s);
	return out;
}

#define PAYLOAD(iss, user, exp) \
	"{\"iss\":\"" iss "\",\"aud\":\"pam\",\"preferred_username\":\"" \
	user "\",\"groups\":[\"g0\",\"g1\"],\"exp\":" exp ",\"iat\":" \
	"1699999990,\"sub\":\"s-1\",\"jti\":\"j-1\"}"
#define GOOD PAYLOAD("https://idp.test", "alice", "1700003600")

/* Verify TOK for alice; returns the result, the verdict stays in VD. */
static int
run(struct fixture *f, const char *tok, struct verdict *vd)
{
	verdict_clear(vd);
	return verifier_verify(f->v, tok, strlen(tok), "alice", NOW, NULL,
	    vd);
}

/* Expect TOK to be refused with reason R. */
static void
expect_refused(struct fixture *f, const char *tok, enum reason r)
{
	struct verdict vd;
	int ret;

	memset(&vd, 0, sizeof(vd));
	ret = run(f, tok, &vd);
	if (ret != PJ_ERR_REFUSED || vd.reason != r)
		fail_msg("expected refused: %s, got %d %s: %s", reason_name(r),
		    ret, reason_name(vd.reason), vd.message);
	assert_true(vd.message[0] != '\0');
	assert_null(vd.claims.username);
	verdict_clear(&vd);
}

static void
expect_accepted(struct fixture *f, const char *tok)
{
	struct verdict vd;
	int ret;

	memset(&vd, 0, sizeof(vd));
	ret = run(f, tok, &vd);
	if (ret != PJ_OK)
		fail_msg("expected accepted, got %d %s: %s", ret,
		    reason_name(vd.reason), vd.message);
	assert_int_equal(vd.reason, REASON_NONE);
	assert_string_equal(vd.claims.username, "alice");
	verdict_clear(&vd);
}

static void
test_families(void **state)
{
	struct fixture *f = *state;
	struct {
		const char *header, *alg;
		EVP_PKEY *key;
	} t[] = {
		{ "{\"alg\":\"RS256\",\"kid\":\"rsa-a\"}", "RS256", f->rsa_a },
		{ "{\"alg\":\"RS256\",\"kid\":\"rsa-b\"}", "RS256", f->rsa_b },
		{ "{\"alg\":\"PS256\",\"kid\":\"rsa-a\"}", "PS256", f->rsa_a },
		{ "{\"alg\":\"ES256\",\"kid\":\"ec\"}", "ES256", f->ec },
		{ "{\"alg\":\"EdDSA\",\"kid\":\"ed\"}", "EdDSA", f->ed },
		{ "{\"alg\":\"HS256\"}", "HS256", NULL },
		/* Without a kid, every suitable key is tried. */
		{ "{\"alg\":\"RS256\"}", "RS256", f->rsa_b },
		{ "{\"alg\":\"ES256\"}", "ES256", f->ec },
		/* A kid on HS* is ignored: only the secret is used. */
		{ "{\"alg\":\"HS256\",\"kid\":\"rsa-a\"}", "HS256", NULL },
	};
	size_t i;

	load(f, CONF);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *tok = token(f, t[i].header, GOOD, t[i].alg, t[i].key);

		expect_accepted(f, tok);
		free(tok);
	}
}

/* What an accepted verdict holds. */
static void
test_verdict(void **state)
{
	struct fixture *f = *state;
	struct verdict vd;
	char *tok, *padded;

	load(f, CONF);
	tok = token(f, "{\"alg\":\"RS256\",\"kid\":\"rsa-a\"}", GOOD, "RS256",
	    f->rsa_a);
	padded = malloc(strlen(tok) + 16);
	assert_non_null(padded);
	(void)sprintf(padded, " \t\r\n%s\r\n ", tok);

	memset(&vd, 0, sizeof(vd));
	assert_int_equal(run(f, padded, &vd), PJ_OK);
	assert_int_equal(vd.reason, REASON_NONE);
	assert_string_equal(vd.message, "");
	assert_ptr_equal(vd.policy, &f->cfg->policies[0]);
	assert_string_equal(vd.kid, "rsa-a");
	assert_string_equal(vd.claims.iss, "https://idp.test");
	assert_string_equal(vd.claims.sub, "s-1");
	assert_string_equal(vd.claims.jti, "j-1");
	assert_string_equal(vd.claims.username, "alice");
	assert_int_equal(vd.claims.exp, 1700003600);
	assert_int_equal(vd.claims.n_groups, 2);
	assert_string_equal(vd.claims.groups[1], "g1");
	verdict_clear(&vd);
	assert_null(vd.claims.groups);

	/* Without a user, the name's form only. */
	assert_int_equal(verifier_verify(f->v, tok, strlen(tok), NULL, NOW,
	    NULL, &vd), PJ_OK);
	verdict_clear(&vd);
	assert_int_equal(verifier_verify(f->v, tok, strlen(tok), "bob", NOW,
	    NULL, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_USER_MISMATCH);
	/* Past the signature, a refusal still names iss and jti. */
	assert_string_equal(vd.claims.iss, "https://idp.test");
	assert_string_equal(vd.claims.jti, "j-1");
	assert_string_equal(vd.message, "the token is for \"alice\", not for "
	    "bob");
	verdict_clear(&vd);
	free(padded);
	free(tok);
}

/* Replace the payload segment of TOK by the encoding of PAYLOAD. */
static char *
swap_payload(const char *tok, const char *payload)
{
	const char *d1 = strchr(tok, '.'), *d2 = strrchr(tok, '.');
	char *p = b64((const unsigned char *)payload, strlen(payload));
	char *out = malloc(strlen(tok) + strlen(p) + 1);

	assert_non_null(out);
	(void)sprintf(out, "%.*s.%s%s", (int)(d1 - tok), tok, p, d2);
	free(p);
	return out;
}

static void
test_signatures(void **state)
{
	struct fixture *f = *state;
	char *tok, *bad;

	load(f, CONF);

	/* A changed payload under the old signature. */
	tok = token(f, "{\"alg\":\"RS256\",\"kid\":\"rsa-a\"}", GOOD, "RS256",
	    f->rsa_a);
	bad = swap_payload(tok, PAYLOAD("https://idp.test", "alice",
	    "1800000000"));
	expect_refused(f, bad, REASON_BAD_SIGNATURE);
	free(bad);

	/*
	 * A payload that is not even JSON under a bad signature: refused
	 * for the signature, which proves the payload was not read first.
	 */
	bad = swap_payload(tok, "not json");
	expect_refused(f, bad, REASON_BAD_SIGNATURE);
	free(bad);
	free(tok);

	/* A trusted kid, signed by someone else's key. */
	tok = token(f, "{\"alg\":\"RS256\",\"kid\":\"rsa-a\"}", GOOD, "RS256",
	    f->rsa_evil);
	expect_refused(f, tok, REASON_BAD_SIGNATURE);
	free(tok);
	tok = token(f, "{\"alg\":\"RS256\"}", GOOD, "RS256", f->rsa_evil);
	expect_refused(f, tok, REASON_BAD_SIGNATURE);
	free(tok);

	/* The kid of a 4096-bit key with a 2048-bit signature. */
	tok = token(f, "{\"alg\":\"RS256\",\"kid\":\"rsa-b\"}", GOOD, "RS256",
	    f->rsa_a);
	expect_refused(f, tok, REASON_BAD_SIGNATURE);
	free(tok);

	tok = token(f, "{\"alg\":\"RS256\",\"kid\":\"rsa-c\"}", GOOD, "RS256",
	    f->rsa_a);
	expect_refused(f, tok, REASON_UNKNOWN_KID);
	free(tok);
	tok = token(f, "{\"alg\":\"ES256\",\"kid\":\"rsa-a\"}", GOOD, "ES256",
	    f->ec);
	expect_refused(f, tok, REASON_KEY_ALG_MISMATCH);
	free(tok);
	tok = token(f, "{\"alg\":\"RS384\",\"kid\":\"rsa-a\"}", GOOD, "RS256",
	    f->rsa_a);
	expect_refused(f, tok, REASON_ALG_NOT_ALLOWED);
	free(tok);

	/* Signed, but the payload is no JSON object: read, then refused. */
	tok = token(f, "{\"alg\":\"ES256\"}", "[1]", "ES256", f->ec);
	expect_refused(f, tok, REASON_BAD_JSON);
	free(tok);
}

/*
 * The RSA/HMAC confusion (RFC 8725 section 2.1): an HS256 token whose
 * MAC key is the RSA public key's PEM text, or its JWK, must not verify
 * even with HS256 allowed: HS* only ever uses hmac_secret_file.
 */
#define HS_RSA_HEADER "{\"alg\":\"HS256\",\"kid\":\"rsa-a\"}"

static void
test_hmac_confusion(void **state)
{
	struct fixture *f = *state;
	char *pem = NULL, *h, *p, *s, tok[4096];
	unsigned char mac[32];
	unsigned int mlen = 0;
	BIO *bio = BIO_new(BIO_s_mem());
	long plen;

	load(f, CONF);
	assert_non_null(bio);
	assert_int_equal(PEM_write_bio_PUBKEY(bio, f->rsa_a), 1);
	plen = BIO_get_mem_data(bio, &pem);
	assert_true(plen > 0);

	h = b64((const unsigned char *)HS_RSA_HEADER, strlen(HS_RSA_HEADER));
	p = b64((const unsigned char *)GOOD, strlen(GOOD));
	(void)snprintf(tok, sizeof(tok), "%s.%s", h, p);
	assert_non_null(HMAC(EVP_sha256(), pem, (int)plen,
	    (const unsigned char *)tok, strlen(tok), mac, &mlen));
	s = b64(mac, mlen);
	strcat(tok, ".");
	strcat(tok, s);
	expect_refused(f, tok, REASON_BAD_SIGNATURE);
	free(h);
	free(p);
	free(s);
	BIO_free(bio);
}

static void
test_claims_after_signature(void **state)
{
	struct fixture *f = *state;
	struct verdict vd;
	char *tok;

	load(f, CONF);
	tok = token(f, "{\"alg\":\"EdDSA\"}", PAYLOAD("https://idp.test",
	    "alice", "1699999940"), "EdDSA", f->ed);
	expect_refused(f, tok, REASON_EXPIRED);
	memset(&vd, 0, sizeof(vd));
	assert_int_equal(run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_string_equal(vd.message, "the token expired at 1699999940 "
	    "(now 1700000000, leeway 60)");
	verdict_clear(&vd);
	free(tok);

	tok = token(f, "{\"alg\":\"HS256\"}", PAYLOAD("https://other",
	    "alice", "1700003600"), "HS256", NULL);
	expect_refused(f, tok, REASON_BAD_ISSUER);
	free(tok);
	tok = token(f, "{\"alg\":\"HS256\"}", PAYLOAD("https://idp.test",
	    "root", "1700003600"), "HS256", NULL);
	expect_refused(f, tok, REASON_USER_MISMATCH);
	free(tok);
	tok = token(f, "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", GOOD, "HS256",
	    NULL);
	expect_refused(f, tok, REASON_CRIT_UNSUPPORTED);
	free(tok);
	tok = token(f, "{\"alg\":\"HS256\",\"kid\":7}", GOOD, "HS256", NULL);
	expect_refused(f, tok, REASON_MALFORMED_HEADER);
	free(tok);
	tok = token(f, "{\"alg\":\"HS256\",\"b64\":false}", GOOD, "HS256",
	    NULL);
	expect_refused(f, tok, REASON_B64_UNSUPPORTED);
	free(tok);

	/* typ, when configured: case-insensitive, "application/" ignored. */
	load(f, CONF "typ = at+jwt\n");
	tok = token(f, "{\"alg\":\"HS256\",\"typ\":\"application/AT+JWT\"}",
	    GOOD, "HS256", NULL);
	expect_accepted(f, tok);
	free(tok);
	tok = token(f, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", GOOD, "HS256",
	    NULL);
	expect_refused(f, tok, REASON_BAD_TYP);
	free(tok);
	tok = token(f, "{\"alg\":\"HS256\"}", GOOD, "HS256", NULL);
	expect_refused(f, tok, REASON_BAD_TYP);
	free(tok);
}

static void
test_input(void **state)
{
	struct fixture *f = *state;
	struct verdict vd;
	char big[200], *tok;
	int ret;

	load(f, CONF "max_token_bytes = 100\n");
	memset(&vd, 0, sizeof(vd));

	/* The limit holds for the trimmed input, before any decoding. */
	memset(big, '*', 101);
	big[101] = '\0';
	assert_int_equal(run(f, big, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_TOO_LARGE);
	assert_string_equal(vd.message, "the input has 101 bytes, "
	    "max_token_bytes is 100");
	big[100] = ' ';
	assert_int_equal(run(f, big, &vd), PJ_ERR_NOT_TOKEN);
	assert_int_equal(vd.reason, REASON_MALFORMED);

	ret = run(f, "hunter2", &vd);
	assert_int_equal(ret, PJ_ERR_NOT_TOKEN);
	assert_int_equal(vd.reason, REASON_MALFORMED);
	assert_int_equal(run(f, "", &vd), PJ_ERR_NOT_TOKEN);
	assert_int_equal(vd.reason, REASON_MALFORMED);
	/* base64url of "not json": decodes, but to no JSON object. */
	assert_int_equal(run(f, "bm90IGpzb24", &vd), PJ_ERR_NOT_TOKEN);
	assert_int_equal(vd.reason, REASON_BAD_JSON);

	/* A header ({"a":1}) makes a token, however malformed the rest. */
	assert_int_equal(run(f, "eyJhIjoxfQ", &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_MALFORMED);
	assert_int_equal(run(f, "eyJhIjoxfQ.e30.", &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_MALFORMED);
	assert_int_equal(run(f, "eyJhIjoxfQ.e30.AA.AA", &vd),
	    PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_MALFORMED);
	assert_int_equal(run(f, "eyJhIjoxfQ.e3 0.AA", &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_MALFORMED);
	assert_int_equal(run(f, "eyJhIjoxfQ.e30.AA", &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_ALG_NOT_ALLOWED);

	/* A section's own, lower limit holds for that section. */
	load(f, "audience = pam\nusername_claim = preferred_username\n"
	    "algorithms = HS256\nhmac_secret_file = hmac.key\n"
	    "[issuer s]\nissuer = https://idp.test\nmax_token_bytes = 100\n");
	tok = token(f, "{\"alg\":\"HS256\"}", GOOD, "HS256", NULL);
	assert_int_equal(run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_TOO_LARGE);
	assert_string_equal(vd.message, "[issuer s] the token is longer than "
	    "max_token_bytes 100");
	free(tok);
	verdict_clear(&vd);
}

static void
test_key_files(void **state)
{
	struct fixture *f = *state;
	struct verdict vd;
	struct timeval old[2] = { { NOW - 2 * 86400, 0 },
	    { NOW - 2 * 86400, 0 } };
	char path[512], *tok, *hs;

	memset(&vd, 0, sizeof(vd));
	tok = token(f, "{\"alg\":\"RS256\"}", GOOD, "RS256", f->rsa_a);
	hs = token(f, "{\"alg\":\"HS256\"}", GOOD, "HS256", NULL);

	load(f, CONF_CORE "algorithms = RS256\njwks_file = none.json\n");
	assert_int_equal(run(f, tok, &vd), PJ_ERR_FILE);
	assert_non_null(strstr(f->logged, "none.json: does not exist"));
	/* Only the key set the token needs is read. */
	load(f, CONF_CORE "algorithms = RS256, HS256\njwks_file = none.json\n"
	    "hmac_secret_file = hmac.key\n");
	assert_int_equal(run(f, hs, &vd), PJ_OK);

	/* An old key set is used, with a warning. */
	path_in(f, "old.json", path, sizeof(path));
	write_jwks(f, "old.json", "a");
	assert_int_equal(utimes(path, old), 0);
	load(f, CONF_CORE "algorithms = RS256\njwks_file = old.json\n");
	assert_int_equal(run(f, tok, &vd), PJ_OK);
	assert_int_equal(f->warnings, 1);
	assert_non_null(strstr(f->logged, "old.json: not refreshed for"));
	/* Read once per verifier: no second warning. */
	assert_int_equal(run(f, tok, &vd), PJ_OK);
	assert_int_equal(f->warnings, 1);
	load(f, CONF_CORE "algorithms = RS256\njwks_file = old.json\n"
	    "jwks_max_age = 0\n");
	assert_int_equal(run(f, tok, &vd), PJ_OK);
	assert_int_equal(f->warnings, 0);

	/* A secret readable by others is refused. */
	path_in(f, "open.key", path, sizeof(path));
	write_file(path, f->secret, sizeof(f->secret), 0644);
	load(f, CONF_CORE "algorithms = HS256\nhmac_secret_file = open.key\n");
	assert_int_equal(run(f, hs, &vd), PJ_ERR_FILE);
	assert_non_null(strstr(f->logged, "open.key: secret readable by "
	    "others"));

	/* RFC 7518 section 3.2: a secret shorter than the digest. */
	path_in(f, "short.key", path, sizeof(path));
	write_file(path, f->secret, 31, 0600);
	load(f, CONF_CORE "algorithms = HS256\nhmac_secret_file = short.key\n");
	assert_int_equal(run(f, hs, &vd), PJ_ERR_CONFIG);
	assert_non_null(strstr(f->logged, "short.key: the HMAC secret has 31 "
	    "bytes, the algorithms listed need at least 32"));
	load(f, CONF_BASE "algorithms = HS256, HS384\n");
	assert_int_equal(run(f, hs, &vd), PJ_ERR_CONFIG);

	/* Not a key set at all. */
	path_in(f, "junk.json", path, sizeof(path));
	write_file(path, "junk", 4, 0644);
	load(f, CONF_CORE "algorithms = RS256\njwks_file = junk.json\n");
	assert_int_equal(run(f, tok, &vd), PJ_ERR_FILE);

	/* The helper's user may own the key set (root only: chown). */
	if (geteuid() == 0) {
		path_in(f, "helper.json", path, sizeof(path));
		write_jwks(f, "helper.json", "a");
		assert_int_equal(chown(path, NOBODY, (gid_t)-1), 0);
		load(f, CONF_CORE "algorithms = RS256\n"
		    "jwks_file = helper.json\nhelper_user = root\n");
		assert_int_equal(run(f, tok, &vd), PJ_ERR_FILE);
		load(f, CONF_CORE "algorithms = RS256\n"
		    "jwks_file = helper.json\nhelper_user = nobody\n");
		assert_int_equal(run(f, tok, &vd), PJ_OK);
	}
	verdict_clear(&vd);
	free(tok);
	free(hs);
}

#define TWO_SECTIONS \
	"audience = pam\n" \
	"username_claim = preferred_username\n" \
	"[issuer a]\n" \
	"issuer = https://a\n" \
	"jwks_file = a.json\n" \
	"[issuer b]\n" \
	"issuer = https://b\n" \
	"algorithms = ES256, RS256\n" \
	"jwks_file = b.json\n"

/*
 * Several issuers: the first section whose keys verify and whose policy
 * accepts wins; a refusal reports the failure that got furthest.
 */
static void
test_sections(void **state)
{
	struct fixture *f = *state;
	struct verdict vd;
	char *tok;

	write_jwks(f, "a.json", "a");
	write_jwks(f, "b.json", "e");
	load(f, TWO_SECTIONS);
	memset(&vd, 0, sizeof(vd));

	tok = token(f, "{\"alg\":\"ES256\"}", PAYLOAD("https://b", "alice",
	    "1700003600"), "ES256", f->ec);
	assert_int_equal(run(f, tok, &vd), PJ_OK);
	assert_string_equal(vd.policy->name, "b");
	free(tok);

	tok = token(f, "{\"alg\":\"RS256\",\"kid\":\"rsa-a\"}",
	    PAYLOAD("https://a", "alice", "1700003600"), "RS256", f->rsa_a);
	assert_int_equal(run(f, tok, &vd), PJ_OK);
	assert_string_equal(vd.policy->name, "a");
	/* a: a policy failure beats b's unknown kid. */
	verdict_clear(&vd);
	assert_int_equal(verifier_verify(f->v, tok, strlen(tok), "bob", NOW,
	    NULL, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_USER_MISMATCH);
	assert_string_equal(vd.policy->name, "a");
	assert_string_equal(vd.message, "[issuer a] the token is for "
	    "\"alice\", not for bob");
	free(tok);

	/* Signed by a's key for b's issuer: a refuses the issuer. */
	tok = token(f, "{\"alg\":\"RS256\",\"kid\":\"rsa-a\"}",
	    PAYLOAD("https://b", "alice", "1700003600"), "RS256", f->rsa_a);
	assert_int_equal(run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_BAD_ISSUER);
	assert_string_equal(vd.policy->name, "a");
	free(tok);

	/* A bad signature under a beats b's unknown kid. */
	tok = token(f, "{\"alg\":\"RS256\",\"kid\":\"rsa-a\"}",
	    PAYLOAD("https://a", "alice", "1700003600"), "RS256",
	    f->rsa_evil);
	assert_int_equal(run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_BAD_SIGNATURE);
	assert_string_equal(vd.policy->name, "a");
	free(tok);

	/* ES384 is allowed by neither: header refusals tie, a is first. */
	tok = token(f, "{\"alg\":\"ES384\"}", GOOD, "ES256", f->ec);
	assert_int_equal(run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_ALG_NOT_ALLOWED);
	assert_string_equal(vd.policy->name, "a");
	free(tok);

	/*
	 * Both sections share the keys: a refuses b's token for its issuer,
	 * b gets as far as the user name, which is what is reported.
	 */
	write_jwks(f, "b.json", "ae");
	load(f, TWO_SECTIONS);
	tok = token(f, "{\"alg\":\"RS256\",\"kid\":\"rsa-a\"}",
	    PAYLOAD("https://b", "bob", "1700003600"), "RS256", f->rsa_a);
	assert_int_equal(run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_USER_MISMATCH);
	assert_string_equal(vd.policy->name, "b");
	free(tok);

	/* Equal failures: the first section's is reported. */
	tok = token(f, "{\"alg\":\"RS256\",\"kid\":\"rsa-a\"}",
	    PAYLOAD("https://b", "alice", "1"), "RS256", f->rsa_a);
	assert_int_equal(run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_EXPIRED);
	assert_string_equal(vd.policy->name, "a");
	free(tok);
	verdict_clear(&vd);
}

struct seen {
	char rules[1024];
};

static void
record(void *arg, const char *rule, bool ok, const char *detail)
{
	struct seen *s = arg;
	size_t used = strlen(s->rules);

	(void)detail;
	(void)snprintf(s->rules + used, sizeof(s->rules) - used, "%s%c ",
	    rule, ok ? '+' : '-');
}

static void
test_explain(void **state)
{
	struct fixture *f = *state;
	struct seen seen = { "" };
	struct explain ex = { record, &seen };
	struct verdict vd;
	char *tok;

	load(f, CONF);
	memset(&vd, 0, sizeof(vd));
	tok = token(f, "{\"alg\":\"ES256\",\"kid\":\"ec\"}", GOOD, "ES256",
	    f->ec);
	assert_int_equal(verifier_verify(f->v, tok, strlen(tok), "alice", NOW,
	    &ex, &vd), PJ_OK);
	assert_string_equal(seen.rules, "structure+ header+ alg+ key+ "
	    "signature+ exp+ iat+ issuer+ audience+ username+ groups+ ");
	verdict_clear(&vd);
	free(tok);

	/* A bad signature: no claim is looked at. */
	seen.rules[0] = '\0';
	tok = token(f, "{\"alg\":\"ES256\",\"kid\":\"ec\"}", GOOD, "ES256",
	    f->ec);
	tok[strlen(tok) - 2] = tok[strlen(tok) - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(verifier_verify(f->v, tok, strlen(tok), "alice", NOW,
	    &ex, &vd), PJ_ERR_REFUSED);
	assert_string_equal(seen.rules, "structure+ header+ alg+ key+ "
	    "signature- ");
	verdict_clear(&vd);
	free(tok);
}

/* The kid in the verdict is escaped for the log line. */
static void
test_kid_escaped(void **state)
{
	struct fixture *f = *state;
	struct verdict vd;
	char *tok;

	load(f, CONF);
	memset(&vd, 0, sizeof(vd));
	tok = token(f, "{\"alg\":\"RS256\",\"kid\":\"a b\\n=\\u0000\"}", GOOD,
	    "RS256", f->rsa_a);
	assert_int_equal(run(f, tok, &vd), PJ_ERR_REFUSED);
	assert_int_equal(vd.reason, REASON_UNKNOWN_KID);
	assert_string_equal(vd.kid, "a\\x20b\\x0a\\x3d\\x00");
	verdict_clear(&vd);
	free(tok);
}

static enum token_state
state_of(struct fixture *f, const char *in, size_t len)
{
	enum token_state st = (enum token_state)-1;

	assert_int_equal(verifier_token_state(f->v, in, len, &st), PJ_OK);
	return st;
}

/* TOK cut to its header, payload and SIGLEN characters of signature. */
static enum token_state
state_cut(struct fixture *f, const char *tok, size_t siglen)
{
	const char *sig = strrchr(tok, '.') + 1;
	char buf[2048];
	size_t have = strlen(sig);

	assert_true((size_t)(sig - tok) + siglen < sizeof(buf));
	memcpy(buf, tok, (size_t)(sig - tok));
	if (siglen <= have) {
		memcpy(buf + (sig - tok), sig, siglen);
	} else {
		memcpy(buf + (sig - tok), sig, have);
		memset(buf + (sig - tok) + have, 'A', siglen - have);
	}
	return state_of(f, buf, (size_t)(sig - tok) + siglen);
}

/*
 * Completeness, which decides whether the module asks for another part:
 * RS256 signatures are 342 characters with the 2048-bit key and 683 with
 * the 4096-bit one.
 */
static void
test_token_state(void **state)
{
	struct fixture *f = *state;
	char *a, *b, *nokid, *unknown, *es, *hs, *ed;
	char head[1024];
	size_t hlen;

	load(f, CONF);
	a = token(f, "{\"alg\":\"RS256\",\"kid\":\"rsa-a\"}", GOOD, "RS256",
	    f->rsa_a);
	b = token(f, "{\"alg\":\"RS256\",\"kid\":\"rsa-b\"}", GOOD, "RS256",
	    f->rsa_b);
	nokid = token(f, "{\"alg\":\"RS256\"}", GOOD, "RS256", f->rsa_a);
	unknown = token(f, "{\"alg\":\"RS256\",\"kid\":\"zz\"}", GOOD, "RS256",
	    f->rsa_a);
	es = token(f, "{\"alg\":\"ES256\"}", GOOD, "ES256", f->ec);
	hs = token(f, "{\"alg\":\"HS256\"}", GOOD, "HS256", NULL);
	ed = token(f, "{\"alg\":\"EdDSA\"}", GOOD, "EdDSA", f->ed);
	assert_int_equal(strlen(strrchr(a, '.') + 1), 342);
	assert_int_equal(strlen(strrchr(b, '.') + 1), 683);

	/* Not a token: the first segment is no JSON object. */
	assert_int_equal(state_of(f, "hunter2", 7), TOKEN_NOT_A_TOKEN);
	assert_int_equal(state_of(f, "", 0), TOKEN_NOT_A_TOKEN);
	assert_int_equal(state_of(f, "  \n", 3), TOKEN_NOT_A_TOKEN);
	assert_int_equal(state_of(f, "bm90IGpzb24.x.y", 15),
	    TOKEN_NOT_A_TOKEN);

	/* Fewer than three segments: more to come. */
	hlen = (size_t)(strchr(a, '.') - a);
	memcpy(head, a, hlen);
	assert_int_equal(state_of(f, head, hlen), TOKEN_INCOMPLETE);
	head[hlen] = '.';
	assert_int_equal(state_of(f, head, hlen + 1), TOKEN_INCOMPLETE);
	assert_int_equal(state_of(f, a, (size_t)(strrchr(a, '.') - a)),
	    TOKEN_INCOMPLETE);

	/* With a kid, that key's length. */
	assert_int_equal(state_of(f, a, strlen(a)), TOKEN_COMPLETE);
	assert_int_equal(state_cut(f, a, 0), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, a, 341), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, a, 343), TOKEN_COMPLETE);
	assert_int_equal(state_of(f, b, strlen(b)), TOKEN_COMPLETE);
	assert_int_equal(state_cut(f, b, 342), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, b, 682), TOKEN_INCOMPLETE);

	/* Without one, any candidate's length, or more than the longest. */
	assert_int_equal(state_cut(f, nokid, 342), TOKEN_COMPLETE);
	assert_int_equal(state_cut(f, nokid, 341), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, nokid, 343), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, nokid, 600), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, nokid, 683), TOKEN_COMPLETE);
	assert_int_equal(state_cut(f, nokid, 684), TOKEN_COMPLETE);

	/* No key can tell: judge it as it stands. */
	assert_int_equal(state_cut(f, unknown, 10), TOKEN_COMPLETE);

	/* Fixed lengths: ES256 and EdDSA 64 bytes, HS256 32. */
	assert_int_equal(state_cut(f, es, 86), TOKEN_COMPLETE);
	assert_int_equal(state_cut(f, es, 85), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, ed, 86), TOKEN_COMPLETE);
	assert_int_equal(state_cut(f, ed, 50), TOKEN_INCOMPLETE);
	assert_int_equal(state_cut(f, hs, 43), TOKEN_COMPLETE);
	assert_int_equal(state_cut(f, hs, 42), TOKEN_INCOMPLETE);

	/* Surrounding whitespace does not count. */
	(void)snprintf(head, sizeof(head), " %s\n", hs);
	assert_int_equal(state_of(f, head, strlen(head)), TOKEN_COMPLETE);

	/* A fourth segment or a foreign character: judge now. */
	(void)snprintf(head, sizeof(head), "%s.x", hs);
	assert_int_equal(state_of(f, head, strlen(head)), TOKEN_COMPLETE);
	(void)snprintf(head, sizeof(head), "%s", hs);
	head[strlen(head) - 5] = '*';
	assert_int_equal(state_of(f, head, strlen(head) - 3), TOKEN_COMPLETE);

	/* The key set a kid needs is missing: no answer. */
	load(f, CONF_CORE "algorithms = RS256\njwks_file = none.json\n");
	{
		enum token_state st;

		assert_int_equal(verifier_token_state(f->v, a, strlen(a), &st),
		    PJ_ERR_FILE);
	}
	/* Past max_token_bytes: judge (and refuse) it now. */
	load(f, CONF "max_token_bytes = 100\n");
	assert_int_equal(state_cut(f, hs, 20), TOKEN_COMPLETE);

	free(a);
	free(b);
	free(nokid);
	free(unknown);
	free(es);
	free(hs);
	free(ed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_families, teardown),
		cmocka_unit_test_teardown(test_verdict, teardown),
		cmocka_unit_test_teardown(test_signatures, teardown),
		cmocka_unit_test_teardown(test_hmac_confusion, teardown),
		cmocka_unit_test_teardown(test_claims_after_signature,
		    teardown),
		cmocka_unit_test_teardown(test_input, teardown),
		cmocka_unit_test_teardown(test_key_files, teardown),
		cmocka_unit_test_teardown(test_sections, teardown),
		cmocka_unit_test_teardown(test_explain, teardown),
		cmocka_unit_test_teardown(test_kid_escaped, teardown),
		cmocka_unit_test_teardown(test_token_state, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
