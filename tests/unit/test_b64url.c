/*
 * Strict base64url (RFC 7515 section 2, RFC 4648 section 5).  A JWS
 * segment must have exactly one encoding: a lenient decoder (padding,
 * '+' and '/', whitespace, non-zero unused bits) lets one token take many
 * forms, which defeats replay caches and lets signature checks and
 * logging see different bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "b64url.h"
#include "reason.h"
#include "testutil.h"

struct vector {
	const char *bytes;
	size_t n;
	const char *text;
};

/* RFC 4648 section 10, unpadded, and bytes that use '-' and '_'. */
static const struct vector vectors[] = {
	{ "", 0, "" },
	{ "f", 1, "Zg" },
	{ "fo", 2, "Zm8" },
	{ "foo", 3, "Zm9v" },
	{ "foob", 4, "Zm9vYg" },
	{ "fooba", 5, "Zm9vYmE" },
	{ "foobar", 6, "Zm9vYmFy" },
	{ "\xfb\xff", 2, "-_8" },
	{ "\xff\xff\xfe", 3, "___-" },
	{ "\x00", 1, "AA" },
	{ "\x00\x00\x00", 3, "AAAA" },
	{ "{\"alg\":\"RS256\"}", 15, "eyJhbGciOiJSUzI1NiJ9" }
};

static void
test_vectors(void **state)
{
	unsigned char out[64];
	char text[64];
	size_t i, n, len;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vector *v = &vectors[i];

		len = strlen(v->text);
		assert_int_equal(b64url_encoded_len(v->n), len);
		assert_int_equal(b64url_decoded_len(len), v->n);
		assert_int_equal(b64url_encode((const unsigned char *)v->bytes,
		    v->n, text), len);
		assert_string_equal(text, v->text);
		assert_true(b64url_is_valid(v->text, len));
		n = 99;
		assert_int_equal(b64url_decode(v->text, len, out, &n), PJ_OK);
		assert_int_equal(n, v->n);
		assert_memory_equal(out, v->bytes, v->n);
	}
}

static void
test_lengths(void **state)
{
	static const size_t dec[] = { 0, 0, 1, 2, 3, 3, 4, 5, 6 };
	static const size_t enc[] = { 0, 2, 3, 4, 6, 7, 8 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dec) / sizeof(dec[0]); i++)
		assert_int_equal(b64url_decoded_len(i), dec[i]);
	for (i = 0; i < sizeof(enc) / sizeof(enc[0]); i++)
		assert_int_equal(b64url_encoded_len(i), enc[i]);
	assert_int_equal(b64url_decoded_len(342), 256);
	assert_int_equal(b64url_encoded_len(256), 342);
}

#define BAD(s, why) TESTUTIL_INPUT(s, why)

static const struct testutil_input bad_inputs[] = {
	BAD("Zg==", "padding"),
	BAD("Zm8=", "padding"),
	BAD("Zg=", "padding, odd length"),
	BAD("Zm+v", "'+' of standard base64"),
	BAD("Zm/v", "'/' of standard base64"),
	BAD("Zm9 v", "space inside"),
	BAD(" Zm9v", "leading space"),
	BAD("Zm9v\n", "trailing newline"),
	BAD("Zm9v\r", "trailing CR"),
	BAD("Zm\tv", "tab"),
	BAD("Z", "one character: 6 bits"),
	BAD("Zm9vY", "length 1 mod 4"),
	BAD("Zh", "unused bits of one byte not zero"),
	BAD("Zm9", "unused bits of two bytes not zero"),
	BAD("Zm\0v", "NUL inside"),
	BAD("Zm9v\0", "NUL after"),
	BAD("Zm\x80v", "high byte"),
	BAD("Zm\xffv", "0xff"),
	BAD("Zm.v", "dot"),
	BAD("Zm9v!", "punctuation"),
	BAD("Zm9v=AAA", "padding inside")
};

static void
test_rejects(void **state)
{
	unsigned char out[16];
	size_t i, n, room;

	(void)state;
	for (i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		const struct testutil_input *b = &bad_inputs[i];

		if (b64url_is_valid(b->text, b->len))
			fail_msg("accepted %s", b->why);
		room = b64url_decoded_len(b->len);
		memset(out, 0xaa, sizeof(out));
		n = 77;
		assert_int_equal(b64url_decode(b->text, b->len, out, &n),
		    PJ_ERR_REFUSED);
		assert_int_equal(n, 0);
		/* What was written is wiped; nothing past the room touched. */
		while (room > 0)
			assert_int_equal(out[--room], 0);
		assert_int_equal(out[b64url_decoded_len(b->len)], 0xaa);
	}
}

static void
test_alloc(void **state)
{
	unsigned char *out = NULL;
	size_t n = 5;

	(void)state;
	assert_int_equal(b64url_decode_alloc("Zm9vYmE", 7, &out, &n), PJ_OK);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "fooba", 6);	/* with its NUL */
	free(out);

	assert_int_equal(b64url_decode_alloc("", 0, &out, &n), PJ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(out[0], '\0');
	free(out);

	assert_int_equal(b64url_decode_alloc("Zg==", 4, &out, &n),
	    PJ_ERR_REFUSED);
	assert_null(out);
	assert_int_equal(n, 0);
	assert_int_equal(b64url_decode_alloc("Zm9vY", 5, &out, &n),
	    PJ_ERR_REFUSED);
	assert_null(out);
}

/* Decoding then encoding gives back the input for every valid string. */
static void
check_canonical(const char *text, size_t len)
{
	unsigned char out[3];
	char again[8];
	size_t n;
	bool valid = b64url_is_valid(text, len);

	assert_int_equal(b64url_decode(text, len, out, &n),
	    valid ? PJ_OK : PJ_ERR_REFUSED);
	if (!valid)
		return;
	b64url_encode(out, n, again);
	assert_memory_equal(again, text, len);
}

/*
 * Every string of 2 and 3 alphabet characters, and every byte value in
 * each position: exactly the canonical encodings are accepted.
 */
static void
test_exhaustive_short(void **state)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	char text[4];
	size_t a, b, c, pos, accepted2 = 0, accepted3 = 0;
	int byte;

	(void)state;
	for (a = 0; a < 64; a++) {
		for (b = 0; b < 64; b++) {
			text[0] = alpha[a];
			text[1] = alpha[b];
			accepted2 += b64url_is_valid(text, 2);
			check_canonical(text, 2);
			for (c = 0; c < 64; c++) {
				text[2] = alpha[c];
				accepted3 += b64url_is_valid(text, 3);
				check_canonical(text, 3);
			}
		}
	}
	/* One byte: 256 encodings; two bytes: 65536. */
	assert_int_equal(accepted2, 256);
	assert_int_equal(accepted3, 65536);

	for (byte = 0; byte < 256; byte++) {
		for (pos = 0; pos < 4; pos++) {
			memcpy(text, "AAAA", 4);
			text[pos] = (char)byte;
			assert_int_equal(b64url_is_valid(text, 4),
			    byte != 0 && strchr(alpha, byte) != NULL);
		}
	}
}

static void
test_round_trip(void **state)
{
	unsigned char in[300], out[300];
	char text[401];
	size_t len, n, i;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 167 + 13);
	for (len = 0; len <= sizeof(in); len++) {
		n = b64url_encode(in, len, text);
		assert_int_equal(n, b64url_encoded_len(len));
		assert_int_equal(strlen(text), n);
		assert_true(b64url_is_valid(text, n));
		assert_int_equal(b64url_decode(text, n, out, &i), PJ_OK);
		assert_int_equal(i, len);
		assert_memory_equal(out, in, len);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_alloc),
		cmocka_unit_test(test_exhaustive_short),
		cmocka_unit_test(test_round_trip)
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
