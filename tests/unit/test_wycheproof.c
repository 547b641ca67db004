/*
 * Wycheproof vectors (Apache-2.0 test data, see tests/wycheproof/README.md)
 * through the signature layer: every vector of jws_sig_vectors.jsonl,
 * with its key built as pam_jwt builds keys (jwk_from_json and
 * jwk_pkey; the PEM when a vector has no JWK; the raw secret for HMAC),
 * must get the JWS verdict the file states.  They pin the known ways
 * verifiers fail: DigestInfo without its NULL parameter, PSS salts of
 * other lengths, ECDSA r or s out of range or with r + n, truncated HMAC
 * tags, Ed25519 S >= L.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/pem.h>

#include "b64url.h"
#include "jwk.h"
#include "reason.h"
#include "sig.h"
#include "testutil.h"

#define VECTORS SRCDIR "/tests/wycheproof/jws_sig_vectors.jsonl"

struct tally {
	size_t lines;
	size_t checked;
	size_t valid;
	size_t invalid;
	size_t wrong;
	size_t pem_checked;
};

static const char *
member(struct json_object *v, const char *name)
{
	struct json_object *m = NULL;

	if (!json_object_object_get_ex(v, name, &m) ||
	    !json_object_is_type(m, json_type_string))
		return NULL;
	return json_object_get_string(m);
}

static EVP_PKEY *
pem_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *pkey;

	assert_non_null(bio);
	pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return pkey;
}

/*
 * Verify one vector with its public key.  The JWK, when there is one, is
 * the key; the PEM beside it must then be the same key.
 */
static int
verify_public(struct json_object *v, const struct alg_info *alg,
    const unsigned char *msg, size_t msg_len, const unsigned char *sig,
    size_t sig_len, struct tally *t)
{
	struct json_object *jwk_obj = NULL;
	const char *pem = member(v, "public_key_pem");
	EVP_PKEY *pkey = NULL, *from_pem = NULL;
	struct jwk key;
	int r;

	memset(&key, 0, sizeof(key));
	if (json_object_object_get_ex(v, "jwk", &jwk_obj)) {
		assert_int_equal(jwk_from_json(jwk_obj, &key), PJ_OK);
		pkey = jwk_pkey(&key);
		assert_non_null(pkey);
		if (pem != NULL) {
			from_pem = pem_key(pem);
			assert_non_null(from_pem);
			assert_int_equal(EVP_PKEY_eq(pkey, from_pem), 1);
			t->pem_checked++;
		}
	} else {
		assert_non_null(pem);
		from_pem = pem_key(pem);
		assert_non_null(from_pem);
		pkey = from_pem;
	}
	r = sig_verify(alg, pkey, msg, msg_len, sig, sig_len);
	EVP_PKEY_free(from_pem);
	jwk_clear(&key);
	return r;
}

static void
check_vector(const char *line, struct tally *t)
{
	struct json_object *v = json_tokener_parse(line);
	const char *alg_name, *result, *sig_b64, *key_hex, *source;
	const struct alg_info *alg;
	unsigned char *msg, *sig = NULL, *secret;
	size_t msg_len, sig_len = 0, secret_len;
	bool expect_valid;
	int r;

	assert_non_null(v);
	alg_name = member(v, "alg");
	result = member(v, "jws_result");
	sig_b64 = member(v, "sig_b64u");
	source = member(v, "source");
	assert_non_null(alg_name);
	assert_non_null(result);
	assert_non_null(sig_b64);
	assert_non_null(member(v, "msg_hex"));
	alg = alg_lookup(alg_name, strlen(alg_name));
	assert_non_null(alg);
	assert_true(strcmp(result, "valid") == 0 ||
	    strcmp(result, "invalid") == 0);
	expect_valid = strcmp(result, "valid") == 0;
	msg = testutil_unhex(member(v, "msg_hex"), &msg_len);

	/* A signature that is not strict base64url never reaches a check. */
	r = b64url_decode_alloc(sig_b64, strlen(sig_b64), &sig, &sig_len);
	if (r == PJ_OK) {
		key_hex = member(v, "key_hex");
		if (alg->family == ALG_FAMILY_HMAC) {
			assert_non_null(key_hex);
			secret = testutil_unhex(key_hex, &secret_len);
			r = sig_verify_hmac(alg, secret, secret_len, msg,
			    msg_len, sig, sig_len);
			free(secret);
		} else {
			r = verify_public(v, alg, msg, msg_len, sig, sig_len,
			    t);
		}
	}
	if (r != PJ_OK && r != PJ_ERR_REFUSED)
		print_error("%s: error %d (%s)\n", source, r, pj_strerror(r));
	if ((r == PJ_OK) != expect_valid || (r != PJ_OK &&
	    r != PJ_ERR_REFUSED)) {
		print_error("%s (%s): expected %s, got %d\n", source,
		    alg_name, result, r);
		t->wrong++;
	}
	t->checked++;
	if (expect_valid)
		t->valid++;
	else
		t->invalid++;
	free(sig);
	free(msg);
	json_object_put(v);
}

static void
test_wycheproof(void **state)
{
	struct tally t;
	FILE *f = fopen(VECTORS, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	(void)state;
	memset(&t, 0, sizeof(t));
	if (f == NULL)
		fail_msg("cannot open %s", VECTORS);
	while ((n = getline(&line, &cap, f)) > 0) {
		if (n == 1 && line[0] == '\n')
			continue;
		t.lines++;
		check_vector(line, &t);
	}
	free(line);
	fclose(f);

	print_message("wycheproof: %zu vectors checked (%zu valid, "
	    "%zu invalid), %zu JWK/PEM pairs compared, %zu wrong\n",
	    t.checked, t.valid, t.invalid, t.pem_checked, t.wrong);
	assert_true(t.checked > 0);
	assert_int_equal(t.checked, t.lines);
	assert_int_equal(t.wrong, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wycheproof)
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
