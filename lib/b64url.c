/*
 * Strict base64url (RFC 4648 section 5 without padding, as RFC 7515
 * section 2 uses it).  Decoding is table-driven: every input byte maps to
 * its 6-bit value or to B64_BAD, and the bad marks of a whole run are
 * OR-ed together and tested once, so the loop has no branch per character.
 */
#include <stdlib.h>

#include "b64url.h"
#include "reason.h"
#include "wipe.h"

#define B64_BAD 0x80

static const char b64url_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The value of each byte; B64_BAD for '=', '+', '/', whitespace, NUL... */
static const unsigned char b64url_value[256] = {
#define X B64_BAD
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,	/* 0x00 */
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,	/* 0x10 */
	X, X, X, X, X, X, X, X, X, X, X, X, X, 62, X, X,	/* 0x20 - */
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, X, X, X, /* 0-9 */
	X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,	/* A-O */
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, 63, /* _ */
	X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,	/* 0x80 */
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X
#undef X
};

size_t
b64url_decoded_len(size_t len)
{
	size_t rem = len % 4;

	return len / 4 * 3 + (rem > 1 ? rem - 1 : 0);
}

size_t
b64url_encoded_len(size_t n)
{
	size_t rem = n % 3;

	return n / 3 * 4 + (rem > 0 ? rem + 1 : 0);
}

/*
 * The one decoder behind b64url_is_valid() (OUT NULL) and
 * b64url_decode().  Returns false for any deviation from strict
 * base64url; what it wrote to OUT is then garbage for the caller to wipe.
 */
static bool
b64url_run(const unsigned char *in, size_t len, unsigned char *out)
{
	size_t full = len / 4 * 4, rem = len % 4, i;
	unsigned bad = 0, a, b, c, d;

	/* A single character left over carries 6 bits: never a byte. */
	if (rem == 1)
		return false;
	for (i = 0; i < full; i += 4) {
		a = b64url_value[in[i]];
		b = b64url_value[in[i + 1]];
		c = b64url_value[in[i + 2]];
		d = b64url_value[in[i + 3]];
		bad |= a | b | c | d;
		if (out != NULL) {
			*out++ = (unsigned char)(a << 2 | b >> 4);
			*out++ = (unsigned char)(b << 4 | c >> 2);
			*out++ = (unsigned char)(c << 6 | d);
		}
	}
	if (rem >= 2) {
		a = b64url_value[in[i]];
		b = b64url_value[in[i + 1]];
		bad |= a | b;
		if (rem == 2) {
			/* 12 bits for one byte: the low 4 must be zero. */
			bad |= (b & 0x0f) != 0 ? B64_BAD : 0;
			if (out != NULL)
				*out = (unsigned char)(a << 2 | b >> 4);
		} else {
			/* 18 bits for two bytes: the low 2 must be zero. */
			c = b64url_value[in[i + 2]];
			bad |= c;
			bad |= (c & 0x03) != 0 ? B64_BAD : 0;
			if (out != NULL) {
				out[0] = (unsigned char)(a << 2 | b >> 4);
				out[1] = (unsigned char)(b << 4 | c >> 2);
			}
		}
	}
	return (bad & B64_BAD) == 0;
}

bool
b64url_is_valid(const char *in, size_t len)
{
	if (in == NULL)
		return len == 0;
	return b64url_run((const unsigned char *)in, len, NULL);
}

int
b64url_decode(const char *in, size_t len, unsigned char *out,
    size_t *outlen)
{
	int ret = PJ_ERR_REFUSED;

	*outlen = 0;
	if (len == 0) {
		ret = PJ_OK;
		goto out;
	}
	if (in == NULL || out == NULL)
		goto out;
	if (!b64url_run((const unsigned char *)in, len, out)) {
		wipe(out, b64url_decoded_len(len));
		goto out;
	}
	*outlen = b64url_decoded_len(len);
	ret = PJ_OK;
out:
	return ret;
}

int
b64url_decode_alloc(const char *in, size_t len, unsigned char **out,
    size_t *outlen)
{
	unsigned char *buf = NULL;
	size_t n = 0;
	int ret = PJ_ERR_REFUSED;

	*out = NULL;
	*outlen = 0;
	/* Refuse early: nothing is allocated for input that cannot decode. */
	if (len % 4 == 1)
		goto out;
	buf = malloc(b64url_decoded_len(len) + 1);
	if (buf == NULL) {
		ret = PJ_ERR_NOMEM;
		goto out;
	}
	ret = b64url_decode(in, len, buf, &n);
	if (ret != PJ_OK)
		goto out;
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	buf = NULL;
out:
	wipe_free(buf, b64url_decoded_len(len) + 1);
	return ret;
}

size_t
b64url_encode(const unsigned char *in, size_t n, char *out)
{
	size_t i, o = 0;
	unsigned v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = b64url_alphabet[v >> 18];
		out[o++] = b64url_alphabet[v >> 12 & 0x3f];
		out[o++] = b64url_alphabet[v >> 6 & 0x3f];
		out[o++] = b64url_alphabet[v & 0x3f];
	}
	if (n - i == 1) {
		v = (unsigned)in[i] << 16;
		out[o++] = b64url_alphabet[v >> 18];
		out[o++] = b64url_alphabet[v >> 12 & 0x3f];
	} else if (n - i == 2) {
		v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
		out[o++] = b64url_alphabet[v >> 18];
		out[o++] = b64url_alphabet[v >> 12 & 0x3f];
		out[o++] = b64url_alphabet[v >> 6 & 0x3f];
	}
	out[o] = '\0';
	return o;
}
