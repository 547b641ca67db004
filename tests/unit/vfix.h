/*
 * The verifier's test fixture, shared by test_verify.c and
 * test_attacks.c: keys made by OpenSSL once per test program, a private
 * folder with their key set and an HMAC secret, a configuration and a
 * verifier loaded from text, and compact JWS tokens signed here.  Every
 * helper fails the running test (cmocka) instead of returning an error.
 */
#ifndef PJ_VFIX_H
#define PJ_VFIX_H

#include <stddef.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include "testutil.h"
#include "verify.h"

/* The instant every test verifies at, and the uid of "nobody". */
#define NOW 1700000000LL
#define NOBODY 65534

/* Keys, made once for all tests of a program. */
struct vfix {
	char dir[256];		/* private, removed at the end */
	EVP_PKEY *rsa_a;	/* 2048 bits, kid rsa-a */
	EVP_PKEY *rsa_b;	/* 4096 bits, kid rsa-b */
	EVP_PKEY *rsa_evil;	/* 2048 bits, in no key set */
	EVP_PKEY *ec;		/* P-256, kid ec */
	EVP_PKEY *ed;		/* Ed25519, kid ed */
	unsigned char secret[32];	/* in hmac.key */
	struct testutil_log logs;	/* what was logged since the load */
	struct config *cfg;
	struct verifier *v;
};

/*
 * cmocka group set-up and tear-down: *STATE is a struct vfix with its
 * keys, and its folder holds jwks.json (every key above except rsa_evil)
 * and hmac.key (the secret, mode 0600).  Return 0, or -1.
 */
int vfix_group_setup(void **state);
int vfix_group_teardown(void **state);

/* Per-test tear-down: frees the configuration and the verifier. */
int vfix_teardown(void **state);
void vfix_unload(struct vfix *f);

/* The configuration texts the tests build on. */
#define CONF_CORE \
	"issuer = https://idp.test\n" \
	"audience = pam\n" \
	"username_claim = preferred_username\n" \
	"require_group = g1\n"
#define CONF_BASE CONF_CORE \
	"jwks_file = jwks.json\n" \
	"hmac_secret_file = hmac.key\n"
#define CONF CONF_BASE "algorithms = RS256, PS256, ES256, EdDSA, HS256\n"

/*
 * Write TEXT as the fixture's pam_jwt.conf, load it and make F->v; the
 * log and the warning count start empty.
 */
void vfix_load(struct vfix *f, const char *text);

/* OUT (SIZE bytes) := the path of NAME in the fixture's folder. */
void vfix_path(const struct vfix *f, const char *name, char *out,
    size_t size);

/*
 * Write NAME in the fixture's folder (mode 0644): a JWKS of the keys
 * named in WHICH, in this order: 'a' rsa_a, 'b' rsa_b, 'e' ec, 'd' ed.
 */
void vfix_write_jwks(struct vfix *f, const char *name, const char *which);

/* Base64url of N bytes at IN, malloc'd. */
char *vfix_b64(const unsigned char *in, size_t n);

/*
 * A compact JWS of HEADER and PAYLOAD (JSON texts) signed for ALG
 * ("RS256", "PS256", "ES256", "EdDSA" or "HS256", whatever HEADER says)
 * with KEY, or with the fixture's secret for HS256; free() it.
 */
char *vfix_token(struct vfix *f, const char *header, const char *payload,
    const char *alg, EVP_PKEY *key);

/* A payload of the test policy's issuer form, and one that passes. */
#define PAYLOAD(iss, user, exp) \
	"{\"iss\":\"" iss "\",\"aud\":\"pam\",\"preferred_username\":\"" \
	user "\",\"groups\":[\"g0\",\"g1\"],\"exp\":" exp ",\"iat\":" \
	"1699999990,\"sub\":\"s-1\",\"jti\":\"j-1\"}"
#define GOOD PAYLOAD("https://idp.test", "alice", "1700003600")

/* A header for RS256 with the kid KID. */
#define RS256_KID(kid) "{\"alg\":\"RS256\",\"kid\":\"" kid "\"}"

/* Verify TOK for alice at NOW; returns the result, the verdict in VD. */
int vfix_run(struct vfix *f, const char *tok, struct verdict *vd);

/*
 * TOK is refused with reason R, a message and no user name; a failure
 * names the case WHAT.
 */
void vfix_refused(struct vfix *f, const char *what, const char *tok,
    enum reason r);

/* TOK is accepted for alice; a failure names the case WHAT. */
void vfix_accepted(struct vfix *f, const char *what, const char *tok);

#endif
