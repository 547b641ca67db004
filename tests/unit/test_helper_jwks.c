/*
 * The helper's key set upkeep, the parts that need no network: which
 * URLs it may fetch (https, plain http only to a loopback address), how
 * it reads Cache-Control (RFC 9111 section 5.2.2.1), the schedule
 * clamped to jwks_refresh_min and jwks_refresh_max, and which key sets
 * may replace a jwks_file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alg.h"
#include "config.h"
#include "http.h"
#include "jwks.h"
#include "reason.h"
#include "jwks_sched.h"
#include "testkey.h"
#include "testutil.h"

static void
test_loopback(void **state)
{
	static const char *const yes[] = {
		"127.0.0.1", "127.0.0.2", "127.255.255.254", "127.1.2.3",
		"::1", "[::1]", "0:0:0:0:0:0:0:1", "[0:0::1]"
	};
	static const char *const no[] = {
		"128.0.0.1", "126.255.255.255", "10.0.0.1", "0.0.0.0",
		"localhost", "127.0.0.1.example.com", "example.com", "::",
		"::2", "[::2]", "::ffff:127.0.0.1", "[::1", "::1]", "",
		"127.0.0.1 ", " 127.0.0.1", "0x7f.0.0.1", "2130706433",
		"fe80::1", "[127.0.0.1]"
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!http_is_loopback(yes[i]))
			fail_msg("%s: want loopback", yes[i]);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (http_is_loopback(no[i]))
			fail_msg("%s: want not loopback", no[i]);
	}
	assert_false(http_is_loopback(NULL));
}

static void
test_check_url(void **state)
{
	static const char *const yes[] = {
		"https://idp.example.com/jwks",
		"https://10.0.0.1:8443/x",
		"http://127.0.0.1:8080/.well-known/openid-configuration",
		"http://127.9.9.9/jwks",
		"http://[::1]:9000/jwks",
		"HTTPS://idp.example.com/"
	};
	static const char *const no[] = {
		"http://idp.example.com/jwks",
		"http://10.0.0.1/jwks",
		"http://localhost:8080/jwks",
		"http://[::2]/jwks",
		"ftp://127.0.0.1/jwks",
		"file:///etc/passwd",
		"gopher://127.0.0.1/",
		"ldap://127.0.0.1/",
		"/relative/path",
		"idp.example.com/jwks",
		"",
		"https://",
		"http://128.0.0.1/"
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (http_check_url(yes[i]) != PJ_OK)
			fail_msg("%s: want allowed", yes[i]);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (http_check_url(no[i]) != HTTP_ERR_URL)
			fail_msg("%s: want HTTP_ERR_URL", no[i]);
	}
}

/* A fetch of a refused URL fails before any connection, and says so. */
static void
test_get_refused(void **state)
{
	struct testutil_log t;
	struct http_opts o = { NULL, 0, 0, 0 };
	struct http_response r;

	(void)state;
	testutil_log_init(&t);
	assert_int_equal(http_get("http://192.0.2.1/jwks", &o, &t.log, &r),
	    HTTP_ERR_URL);
	assert_null(r.body);
	assert_int_equal(t.count, 1);
	assert_string_equal(t.last, "refusing to fetch http://192.0.2.1/jwks:"
	    " only https, or http to a loopback address");
	http_response_clear(&r);
}

static void
test_max_age(void **state)
{
	static const struct {
		const char *v;
		long want;
	} cases[] = {
		{ "max-age=300", 300 },
		{ "public, max-age=3600", 3600 },
		{ "max-age=0", 0 },
		{ "MAX-AGE=60", 60 },
		{ "max-age=\"120\"", 120 },
		{ " max-age=5 ,must-revalidate", 5 },
		{ "s-maxage=100", -1 },
		{ "s-maxage=100, max-age=7", 7 },
		{ "x-max-age=9", -1 },
		{ "max-age=10, max-age=20", 10 },
		{ "no-cache", 0 },
		{ "no-store, max-age=600", 0 },
		{ "private, no-cache=\"set-cookie\", max-age=50", 50 },
		{ "No-Store", 0 },
		{ "public, ext=\"a, b\", max-age=42", 42 },
		{ "max-age=99999999999999999999", HTTP_AGE_MAX },
		{ "max-age=", -1 },
		{ "max-age=-1", -1 },
		{ "max-age=1x", -1 },
		{ "max-age=\"12", -1 },
		{ "max-age 60", -1 },
		{ "public", -1 },
		{ "", -1 },
		{ ",", -1 },
		{ "max-age=60,", -1 }
	};
	size_t i;
	long got;

	(void)state;
	assert_int_equal(http_parse_max_age(NULL), -1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = http_parse_max_age(cases[i].v);
		if (got != cases[i].want)
			fail_msg("\"%s\": want %ld, got %ld", cases[i].v,
			    cases[i].want, got);
	}
}

static void
test_interval(void **state)
{
	(void)state;
	/* Within the bounds: the provider's word. */
	assert_int_equal(sched_interval(600, 300, 86400), 600);
	/* Below the floor, zero or no-cache included. */
	assert_int_equal(sched_interval(10, 300, 86400), 300);
	assert_int_equal(sched_interval(0, 300, 86400), 300);
	/* Above the ceiling. */
	assert_int_equal(sched_interval(31536000, 300, 86400), 86400);
	/* No max-age: SCHED_DEFAULT_AGE, clamped too. */
	assert_int_equal(sched_interval(-1, 300, 86400), 3600);
	assert_int_equal(sched_interval(-1, 1, 60), 60);
	assert_int_equal(sched_interval(-1, 7200, 86400), 7200);
	/* The bounds themselves. */
	assert_int_equal(sched_interval(300, 300, 86400), 300);
	assert_int_equal(sched_interval(86400, 300, 86400), 86400);
	assert_int_equal(sched_interval(5, 1, 1), 1);
}

static void
test_backoff(void **state)
{
	(void)state;
	assert_int_equal(sched_backoff(1, 300, 86400), 300);
	assert_int_equal(sched_backoff(2, 300, 86400), 600);
	assert_int_equal(sched_backoff(3, 300, 86400), 1200);
	assert_int_equal(sched_backoff(4, 300, 86400), 2400);
	assert_int_equal(sched_backoff(5, 300, 86400), 3600);
	assert_int_equal(sched_backoff(500, 300, 86400), 3600);
	assert_int_equal(sched_backoff(1, 1, 3600), 1);
	assert_int_equal(sched_backoff(4, 1, 3600), 8);
	assert_int_equal(sched_backoff(40, 1, 3600), 3600);
	/* A ceiling under an hour caps the retries too. */
	assert_int_equal(sched_backoff(9, 1, 60), 60);
	/* Never under the floor, even with a floor above an hour. */
	assert_int_equal(sched_backoff(3, 7200, 86400), 7200);
}

/* A policy accepting ALGS (ALG_BIT mask). */
static void
policy_init(struct policy *p, unsigned algs)
{
	static char file[] = "/var/lib/pam_jwt/jwks.json";

	memset(p, 0, sizeof(*p));
	p->jwks_file = file;
	p->algorithms = algs;
}

/* {"keys": [JWK of KEY with KID and EXTRA]} */
static char *
set_of(EVP_PKEY *key, const char *kid, const char *extra)
{
	char *jwk = testkey_jwk(key, kid, extra), *doc;
	size_t n;

	assert_non_null(jwk);
	n = strlen(jwk) + 16;
	doc = malloc(n);
	assert_non_null(doc);
	snprintf(doc, n, "{\"keys\":[%s]}", jwk);
	free(jwk);
	return doc;
}

static long
usable(const char *doc, unsigned algs)
{
	struct testutil_log t;
	struct policy p;

	testutil_log_init(&t);
	policy_init(&p, algs);
	return jwks_usable_keys(doc, strlen(doc), &p, &t.log);
}

static void
test_usable_keys(void **state)
{
	static const char *const types[] = { "rsa", "rsa1024", "ec256" };
	EVP_PKEY *k[3];
	unsigned rs = ALG_BIT(ALG_RS256);
	char *good, *weak, *ec, *enc, *two;
	char *g, *e;

	(void)state;
	assert_int_equal(testkey_generate_all(types, 3, k), 0);
	good = set_of(k[0], "a", "\"use\":\"sig\",\"alg\":\"RS256\"");
	weak = set_of(k[1], "w", NULL);
	ec = set_of(k[2], "e", NULL);
	enc = set_of(k[0], "x", "\"use\":\"enc\"");
	g = testkey_jwk(k[0], "a", NULL);
	e = testkey_jwk(k[2], "e", NULL);
	assert_non_null(g);
	assert_non_null(e);
	two = malloc(strlen(g) + strlen(e) + 32);
	assert_non_null(two);
	sprintf(two, "{\"keys\":[%s,%s]}", g, e);

	assert_int_equal(usable(good, rs), 1);
	assert_int_equal(usable(two, rs), 1);
	assert_int_equal(usable(two, rs | ALG_BIT(ALG_ES256)), 2);
	/* Nothing a token of an accepted algorithm could be verified with. */
	assert_int_equal(usable(weak, rs), 0);
	assert_int_equal(usable(ec, rs), 0);
	assert_int_equal(usable(enc, rs), 0);
	assert_int_equal(usable(good, ALG_BIT(ALG_ES256)), 0);
	assert_int_equal(usable("{\"keys\":[]}", rs), 0);
	assert_int_equal(usable("{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\"}]}",
	    rs | ALG_BIT(ALG_HS256)), 0);
	/* Not a key set at all: an error page, garbage, nothing. */
	assert_int_equal(usable("<html>Internal Server Error</html>", rs),
	    -1);
	assert_int_equal(usable("", rs), -1);
	assert_int_equal(usable("{\"keys\":[]} trailing", rs), -1);

	free(good);
	free(weak);
	free(ec);
	free(enc);
	free(two);
	free(g);
	free(e);
	testkey_free_all(k, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_check_url),
		cmocka_unit_test(test_get_refused),
		cmocka_unit_test(test_max_age),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_usable_keys)
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
