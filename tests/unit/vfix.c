/*
 * The verifier's test fixture (see vfix.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "b64url.h"
#include "testkey.h"
#include "testutil.h"
#include "vfix.h"

char *
vfix_b64(const unsigned char *in, size_t n)
{
	char *out = testkey_b64(in, n);

	assert_non_null(out);
	return out;
}

void
vfix_path(const struct vfix *f, const char *name, char *out,
    size_t size)
{
	(void)snprintf(out, size, "%s/%s", f->dir, name);
}

/* Append the JWK of K with KID and EXTRA to the key list in BUF. */
static void
add_jwk(char *buf, size_t size, EVP_PKEY *k, const char *kid,
    const char *extra)
{
	char *jwk = testkey_jwk(k, kid, extra);
	size_t used = strlen(buf);

	assert_non_null(jwk);
	assert_true(used + strlen(jwk) + 1 < size);
	(void)snprintf(buf + used, size - used, "%s%s",
	    buf[used - 1] == '[' ? "" : ",", jwk);
	free(jwk);
}

void
vfix_write_jwks(struct vfix *f, const char *name, const char *which)
{
	char buf[8192] = "{\"keys\":[", path[512];

	if (strchr(which, 'a') != NULL)
		add_jwk(buf, sizeof(buf), f->rsa_a, "rsa-a", "\"use\":\"sig\"");
	if (strchr(which, 'b') != NULL)
		add_jwk(buf, sizeof(buf), f->rsa_b, "rsa-b", "\"use\":\"sig\"");
	if (strchr(which, 'e') != NULL)
		add_jwk(buf, sizeof(buf), f->ec, "ec", NULL);
	if (strchr(which, 'd') != NULL)
		add_jwk(buf, sizeof(buf), f->ed, "ed", NULL);
	assert_true(strlen(buf) + 4 < sizeof(buf));
	(void)strcat(buf, "]}\n");
	vfix_path(f, name, path, sizeof(path));
	testutil_write_file(path, buf, strlen(buf), 0644);
}

int
vfix_group_setup(void **state)
{
	struct vfix *f = calloc(1, sizeof(*f));
	char path[512];

	if (f == NULL || testutil_tmpdir("verify", f->dir, sizeof(f->dir)) != 0)
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
	testutil_log_init(&f->logs);

	vfix_write_jwks(f, "jwks.json", "abed");
	vfix_path(f, "hmac.key", path, sizeof(path));
	testutil_write_file(path, f->secret, sizeof(f->secret), 0600);
	*state = f;
	return 0;
}

int
vfix_group_teardown(void **state)
{
	struct vfix *f = *state;
	EVP_PKEY_free(f->rsa_a);
	EVP_PKEY_free(f->rsa_b);
	EVP_PKEY_free(f->rsa_evil);
	EVP_PKEY_free(f->ec);
	EVP_PKEY_free(f->ed);
	if (testutil_rmtree(f->dir) != 0)
		return -1;
	free(f);
	return 0;
}

void
vfix_unload(struct vfix *f)
{
	verifier_free(f->v);
	f->v = NULL;
	config_free(f->cfg);
	f->cfg = NULL;
}

int
vfix_teardown(void **state)
{
	vfix_unload(*state);
	return 0;
}

void
vfix_load(struct vfix *f, const char *text)
{
	char path[512];
	uid_t owner = getuid() != 0 ? getuid() : (uid_t)-1;

	vfix_unload(f);
	vfix_path(f, "pam_jwt.conf", path, sizeof(path));
	testutil_write_file(path, text, strlen(text), 0644);
	testutil_log_reset(&f->logs);
	assert_int_equal(config_load(path, 0, NULL, owner, &f->logs.log,
	    &f->cfg), PJ_OK);
	assert_int_equal(verifier_new(f->cfg, &f->logs.log, &f->v), PJ_OK);
}

/* The JWS signature of ALG over MSG with KEY (or the fixture's secret). */
static size_t
sign(struct vfix *f, const char *alg, EVP_PKEY *key, const char *msg,
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

char *
vfix_token(struct vfix *f, const char *header, const char *payload,
    const char *alg, EVP_PKEY *key)
{
	char *h = vfix_b64((const unsigned char *)header, strlen(header));
	char *p = vfix_b64((const unsigned char *)payload, strlen(payload));
	unsigned char sig[1024];
	size_t siglen, tlen;
	char *s, *out;

	tlen = strlen(h) + strlen(p) + 2;
	out = malloc(tlen + b64url_encoded_len(sizeof(sig)) + 2);
	assert_non_null(out);
	(void)snprintf(out, tlen, "%s.%s", h, p);
	siglen = sign(f, alg, key, out, sig, sizeof(sig));
	s = vfix_b64(sig, siglen);
	strcat(out, ".");
	strcat(out, s);
	free(h);
	free(p);
	free(s);
	return out;
}

int
vfix_run(struct vfix *f, const char *tok, struct verdict *vd)
{
	verdict_clear(vd);
	return verifier_verify(f->v, tok, strlen(tok), "alice", NOW, NULL,
	    vd);
}

void
vfix_refused(struct vfix *f, const char *what, const char *tok,
    enum reason r)
{
	struct verdict vd;
	int ret;

	memset(&vd, 0, sizeof(vd));
	ret = vfix_run(f, tok, &vd);
	if (ret != PJ_ERR_REFUSED || vd.reason != r)
		fail_msg("%s: expected refused: %s, got %d %s: %s", what,
		    reason_name(r), ret, reason_name(vd.reason), vd.message);
	assert_true(vd.message[0] != '\0');
	assert_null(vd.claims.username);
	verdict_clear(&vd);
}

void
vfix_accepted(struct vfix *f, const char *what, const char *tok)
{
	struct verdict vd;
	int ret;

	memset(&vd, 0, sizeof(vd));
	ret = vfix_run(f, tok, &vd);
	if (ret != PJ_OK)
		fail_msg("%s: expected accepted, got %d %s: %s", what, ret,
		    reason_name(vd.reason), vd.message);
	assert_int_equal(vd.reason, REASON_NONE);
	assert_string_equal(vd.claims.username, "alice");
	verdict_clear(&vd);
}
