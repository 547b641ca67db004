/*
 * mktoken: makes keys, key sets and signed tokens for the shell tests.
 * A test program only (check_PROGRAMS): it is never installed.
 *
 *   mktoken genkey rsa|rsa1024|rsa3072|ec256|ec384|ec521|ed25519|ed448 PEM
 *	Write a fresh private key to PEM (mode 0600).
 *   mktoken jwks PEM KID [ALG] [PEM KID [ALG]]...
 *	Print a JWKS with the public JWK of each key ("use": "sig", and
 *	"alg" when ALG is given).
 *   mktoken sign ALG PEM|SECRETFILE KID|- [--typ TYP]
 *	    [--header-json JSON] < CLAIMS
 *	Print a compact JWS of the claims read from standard input (trailing
 *	CR and LF dropped).  The header is {"alg","typ":"JWT","kid"}, without
 *	kid when KID is "-", typ replaced by --typ; --header-json replaces
 *	the whole header verbatim.  HS* algorithms take the whole content
 *	of SECRETFILE as the secret; "none" makes an empty signature.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/pem.h>

#include "alg.h"
#include "b64url.h"
#include "testkey.h"
#include "wipe.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static void
usage(void)
{
	fputs("usage: mktoken genkey TYPE PRIVPEM\n"
	    "       mktoken jwks PRIVPEM KID [ALG] [PRIVPEM KID [ALG]]...\n"
	    "       mktoken sign ALG PRIVPEM|HMACFILE KID|- [--typ TYP] "
	    "[--header-json JSON] < claims.json\n", stderr);
	exit(2);
}

static void
die(const char *what, const char *arg)
{
	fprintf(stderr, "mktoken: %s%s%s\n", what, arg ? ": " : "",
	    arg ? arg : "");
	exit(2);
}

/* Read all of F; the buffer has a NUL after *LEN bytes. */
static unsigned char *
read_all(FILE *f, size_t *len)
{
	unsigned char *buf = NULL, *p;
	size_t size = 0, n = 0, got;

	for (;;) {
		if (n + 1 >= size) {
			size = size ? size * 2 : 4096;
			p = realloc(buf, size);
			if (p == NULL)
				die("out of memory", NULL);
			buf = p;
		}
		got = fread(buf + n, 1, size - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		die("read error", NULL);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static unsigned char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;

	if (f == NULL)
		die(strerror(errno), path);
	buf = read_all(f, len);
	fclose(f);
	return buf;
}

static EVP_PKEY *
read_private(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *pkey;

	if (f == NULL)
		die(strerror(errno), path);
	pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (pkey == NULL)
		die("not a PEM private key", path);
	return pkey;
}

static int
cmd_genkey(int argc, char **argv)
{
	EVP_PKEY *pkey;
	FILE *f;
	int fd;

	if (argc != 2)
		usage();
	pkey = testkey_generate(argv[0]);
	if (pkey == NULL)
		die("unknown key type or generation failed", argv[0]);
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		die(strerror(errno), argv[1]);
	f = fdopen(fd, "w");
	if (f == NULL)
		die(strerror(errno), argv[1]);
	if (PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fclose(f) != 0)
		die("cannot write", argv[1]);
	EVP_PKEY_free(pkey);
	return 0;
}

static int
cmd_jwks(int argc, char **argv)
{
	struct json_object *set = json_object_new_object();
	struct json_object *keys = json_object_new_array(), *jwk;
	EVP_PKEY *pkey;
	char *text;
	int i = 0;

	if (argc < 2 || set == NULL || keys == NULL)
		usage();
	while (i < argc) {
		if (i + 1 >= argc)
			usage();
		pkey = read_private(argv[i]);
		text = testkey_jwk(pkey, NULL, "\"use\":\"sig\"");
		if (text == NULL)
			die("unsupported key", argv[i]);
		jwk = json_tokener_parse(text);
		free(text);
		EVP_PKEY_free(pkey);
		if (jwk == NULL)
			die("internal error", NULL);
		/* Through json-c, so that any kid is escaped properly. */
		json_object_object_add(jwk, "kid",
		    json_object_new_string(argv[i + 1]));
		i += 2;
		if (i < argc && alg_lookup(argv[i], strlen(argv[i])) != NULL) {
			json_object_object_add(jwk, "alg",
			    json_object_new_string(argv[i]));
			i++;
		}
		json_object_array_add(keys, jwk);
	}
	json_object_object_add(set, "keys", keys);
	printf("%s\n", json_object_to_json_string_ext(set, JSON_FLAGS));
	json_object_put(set);
	return 0;
}

/* The default header, built with json-c so that values are escaped. */
static char *
default_header(const char *alg, const char *typ, const char *kid)
{
	struct json_object *h = json_object_new_object();
	char *out;

	if (h == NULL)
		die("out of memory", NULL);
	json_object_object_add(h, "alg", json_object_new_string(alg));
	json_object_object_add(h, "typ", json_object_new_string(typ));
	if (strcmp(kid, "-") != 0)
		json_object_object_add(h, "kid", json_object_new_string(kid));
	out = strdup(json_object_to_json_string_ext(h, JSON_FLAGS));
	json_object_put(h);
	if (out == NULL)
		die("out of memory", NULL);
	return out;
}

/* The signature of INPUT for ALG (NULL: "none") with the key at PATH. */
static unsigned char *
make_signature(const struct alg_info *alg, const char *path,
    const unsigned char *input, size_t len, size_t *sig_len)
{
	unsigned char *sig = NULL, *secret;
	size_t secret_len;
	EVP_PKEY *pkey;

	*sig_len = 0;
	if (alg == NULL)
		return NULL;
	if (alg->family == ALG_FAMILY_HMAC) {
		secret = read_file(path, &secret_len);
		sig = malloc(EVP_MAX_MD_SIZE);
		if (sig == NULL)
			die("out of memory", NULL);
		*sig_len = testkey_hmac(alg, secret, secret_len, input, len,
		    sig);
		wipe_free(secret, secret_len);
		if (*sig_len == 0)
			die("HMAC failed", NULL);
		return sig;
	}
	pkey = read_private(path);
	if (testkey_sign(alg, pkey, input, len, &sig, sig_len) != 0)
		die("signing failed (does the key suit the algorithm?)", path);
	EVP_PKEY_free(pkey);
	return sig;
}

/* Print the base64url of N bytes at P. */
static void
put_b64(const unsigned char *p, size_t n)
{
	char *s = testkey_b64(p, n);

	if (s == NULL)
		die("out of memory", NULL);
	fputs(s, stdout);
	free(s);
}

static int
cmd_sign(int argc, char **argv)
{
	const char *pos[3], *typ = "JWT", *header_json = NULL;
	const struct alg_info *alg = NULL;
	unsigned char *claims, *sig;
	char *header, *input, *h64, *p64;
	size_t claims_len, sig_len, npos = 0;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--typ") == 0 && i + 1 < argc)
			typ = argv[++i];
		else if (strcmp(argv[i], "--header-json") == 0 && i + 1 < argc)
			header_json = argv[++i];
		else if (npos < 3)
			pos[npos++] = argv[i];
		else
			usage();
	}
	if (npos != 3)
		usage();
	if (strcmp(pos[0], "none") != 0) {
		alg = alg_lookup(pos[0], strlen(pos[0]));
		if (alg == NULL)
			die("unknown algorithm", pos[0]);
	}
	header = header_json != NULL ? strdup(header_json) :
	    default_header(pos[0], typ, pos[2]);
	claims = read_all(stdin, &claims_len);
	while (claims_len > 0 && (claims[claims_len - 1] == '\n' ||
	    claims[claims_len - 1] == '\r'))
		claims_len--;

	h64 = testkey_b64((const unsigned char *)header, strlen(header));
	p64 = testkey_b64(claims, claims_len);
	if (header == NULL || h64 == NULL || p64 == NULL)
		die("out of memory", NULL);
	input = malloc(strlen(h64) + strlen(p64) + 2);
	if (input == NULL)
		die("out of memory", NULL);
	sprintf(input, "%s.%s", h64, p64);
	sig = make_signature(alg, pos[1], (const unsigned char *)input,
	    strlen(input), &sig_len);
	fputs(input, stdout);
	putchar('.');
	put_b64(sig, sig_len);
	putchar('\n');
	free(sig);
	free(input);
	free(h64);
	free(p64);
	free(claims);
	free(header);
	return fflush(stdout) == 0 ? 0 : 2;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "genkey") == 0)
		return cmd_genkey(argc - 2, argv + 2);
	if (strcmp(argv[1], "jwks") == 0)
		return cmd_jwks(argc - 2, argv + 2);
	if (strcmp(argv[1], "sign") == 0)
		return cmd_sign(argc - 2, argv + 2);
	usage();
	return 2;
}
