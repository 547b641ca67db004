/*
 * Sealing store records: the token key file, AES-256-GCM through
 * OpenSSL's EVP interface, and the record encoding.
 *
 * A record is a sequence of fields, each a 4-byte big-endian length and
 * its bytes (length 0xffffffff: absent): access_token, refresh_token,
 * id_token, issuer, subject; then the number of groups (4 bytes) and each
 * group as a field; then exp and stored_at (8 bytes each, big-endian, two's
 * complement).  No JSON: json-c would leave copies of the tokens behind
 * in memory that nothing wipes.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "reason.h"
#include "store_seal.h"
#include "wipe.h"

#define ABSENT 0xffffffffu

/* Make PATH with 32 random bytes, mode 0600; O_EXCL never follows. */
static int
key_create(const char *path, const struct pj_log *log)
{
	unsigned char key[STORE_KEY_LEN];
	int fd, rc = PJ_ERR_FILE;

	if (RAND_bytes(key, sizeof(key)) != 1) {
		pj_logf(log, LOG_ERR, "token key %.200s: no random bytes",
		    path);
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0) {
		pj_logf(log, LOG_ERR, "token key %.200s: cannot create: %s",
		    path, strerror(errno));
		goto out;
	}
	if (write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) ||
	    fsync(fd) != 0) {
		pj_logf(log, LOG_ERR, "token key %.200s: cannot write: %s",
		    path, strerror(errno));
		close(fd);
		unlink(path);
		goto out;
	}
	close(fd);
	pj_logf(log, LOG_NOTICE, "token key %.200s: created", path);
	rc = PJ_OK;
out:
	wipe(key, sizeof(key));
	return rc;
}

/* Check the open key file FD (PATH) as store_key_load() says. */
static int
key_check(int fd, const char *path, const struct pj_log *log)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		pj_logf(log, LOG_ERR, "token key %.200s: %s", path,
		    strerror(errno));
		return PJ_ERR_FILE;
	}
	/*
	 * The helper's own file: 0600 or 0400.  A root-owned file is a
	 * credential systemd placed (LoadCredential=), readable by the
	 * service through an ACL, whose mask shows as group read: allowed,
	 * as long as no one else may write or read it.
	 */
	if (!S_ISREG(st.st_mode) ||
	    !((st.st_uid == geteuid() && (st.st_mode & 0177) == 0) ||
	    (st.st_uid == 0 && (st.st_mode & 0137) == 0))) {
		pj_logf(log, LOG_ERR, "token key %.200s: must be a regular "
		    "file owned by the helper's user (uid %u) with mode 0600 "
		    "or 0400, or a root-owned credential no one else may "
		    "write", path, (unsigned)geteuid());
		return PJ_ERR_FILE;
	}
	if (st.st_size != STORE_KEY_LEN) {
		pj_logf(log, LOG_ERR, "token key %.200s: must hold exactly "
		    "%d bytes, holds %lld", path, STORE_KEY_LEN,
		    (long long)st.st_size);
		return PJ_ERR_FILE;
	}
	return PJ_OK;
}

int
store_key_load(const char *path, bool create, const struct pj_log *log,
    unsigned char key[STORE_KEY_LEN])
{
	unsigned char buf[STORE_KEY_LEN + 1];
	ssize_t n;
	int fd = -1, rc = PJ_ERR_FILE;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT && create) {
		if (key_create(path, log) != PJ_OK)
			goto out;
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NOCTTY);
	}
	if (fd < 0) {
		pj_logf(log, LOG_ERR, "token key %.200s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (key_check(fd, path, log) != PJ_OK)
		goto out;
	/* One byte more than needed: a file that grew is refused too. */
	n = read(fd, buf, sizeof(buf));
	if (n != STORE_KEY_LEN) {
		pj_logf(log, LOG_ERR, "token key %.200s: must hold exactly "
		    "%d bytes", path, STORE_KEY_LEN);
		goto out;
	}
	memcpy(key, buf, STORE_KEY_LEN);
	rc = PJ_OK;
out:
	wipe(buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The additional authenticated data: version, then the user name. */
static int
set_aad(EVP_CIPHER_CTX *c, uint32_t version, const char *user)
{
	unsigned char v[4];
	int n;

	v[0] = (unsigned char)(version >> 24);
	v[1] = (unsigned char)(version >> 16);
	v[2] = (unsigned char)(version >> 8);
	v[3] = (unsigned char)version;
	return EVP_CipherUpdate(c, NULL, &n, v, sizeof(v)) == 1 &&
	    EVP_CipherUpdate(c, NULL, &n, (const unsigned char *)user,
	    (int)strlen(user)) == 1;
}

int
store_seal(const unsigned char key[STORE_KEY_LEN], uint32_t version,
    const char *user, const unsigned char *plain, size_t len,
    unsigned char nonce[STORE_NONCE_LEN], unsigned char **sealed,
    size_t *sealed_len)
{
	EVP_CIPHER_CTX *c = NULL;
	unsigned char *out = NULL;
	int n, fin, rc = PJ_ERR_INTERNAL;

	*sealed = NULL;
	*sealed_len = 0;
	if (len > STORE_FIELD_MAX * 16)
		goto out;
	out = malloc(len + STORE_TAG_LEN);
	c = EVP_CIPHER_CTX_new();
	if (out == NULL || c == NULL) {
		rc = PJ_ERR_NOMEM;
		goto out;
	}
	if (RAND_bytes(nonce, STORE_NONCE_LEN) != 1 ||
	    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce) != 1 ||
	    !set_aad(c, version, user) ||
	    EVP_EncryptUpdate(c, out, &n, plain, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(c, out + n, &fin) != 1 ||
	    (size_t)(n + fin) != len ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, STORE_TAG_LEN,
	    out + len) != 1)
		goto out;
	*sealed = out;
	*sealed_len = len + STORE_TAG_LEN;
	out = NULL;
	rc = PJ_OK;
out:
	EVP_CIPHER_CTX_free(c);
	wipe_free(out, out != NULL ? len + STORE_TAG_LEN : 0);
	return rc;
}

int
store_unseal(const unsigned char key[STORE_KEY_LEN], uint32_t version,
    const char *user, const unsigned char nonce[STORE_NONCE_LEN],
    const unsigned char *sealed, size_t sealed_len, unsigned char **plain,
    size_t *len)
{
	EVP_CIPHER_CTX *c = NULL;
	unsigned char *out = NULL, tag[STORE_TAG_LEN];
	size_t clen = 0;
	int n, fin, rc = PJ_ERR_REFUSED;

	*plain = NULL;
	*len = 0;
	if (sealed_len < STORE_TAG_LEN || sealed_len > STORE_FIELD_MAX * 16)
		goto out;
	clen = sealed_len - STORE_TAG_LEN;
	memcpy(tag, sealed + clen, STORE_TAG_LEN);
	/* One byte more: malloc(0) may be NULL. */
	out = malloc(clen + 1);
	c = EVP_CIPHER_CTX_new();
	if (out == NULL || c == NULL) {
		rc = PJ_ERR_NOMEM;
		goto out;
	}
	if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce) != 1 ||
	    !set_aad(c, version, user) ||
	    EVP_DecryptUpdate(c, out, &n, sealed, (int)clen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, STORE_TAG_LEN,
	    tag) != 1) {
		rc = PJ_ERR_INTERNAL;
		goto out;
	}
	/* The tag is checked here: nothing is returned before it holds. */
	if (EVP_DecryptFinal_ex(c, out + n, &fin) != 1 ||
	    (size_t)(n + fin) != clen)
		goto out;
	*plain = out;
	*len = clen;
	out = NULL;
	rc = PJ_OK;
out:
	EVP_CIPHER_CTX_free(c);
	if (out != NULL)
		wipe_free(out, clen + 1);
	return rc;
}

/* The encoder: a growing buffer that wipes what it leaves behind. */
struct enc {
	unsigned char *p;
	size_t len, cap;
	bool fail;
};

static void
enc_bytes(struct enc *b, const void *data, size_t len)
{
	unsigned char *np;
	size_t ncap;

	if (b->fail)
		return;
	if (b->len + len > b->cap) {
		ncap = (b->len + len) * 2 + 64;
		np = malloc(ncap);
		if (np == NULL) {
			b->fail = true;
			return;
		}
		if (b->p != NULL)
			memcpy(np, b->p, b->len);
		wipe_free(b->p, b->cap);
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void
enc_u32(struct enc *b, uint32_t v)
{
	unsigned char x[4];

	x[0] = (unsigned char)(v >> 24);
	x[1] = (unsigned char)(v >> 16);
	x[2] = (unsigned char)(v >> 8);
	x[3] = (unsigned char)v;
	enc_bytes(b, x, sizeof(x));
}

static void
enc_i64(struct enc *b, int64_t v)
{
	enc_u32(b, (uint32_t)((uint64_t)v >> 32));
	enc_u32(b, (uint32_t)(uint64_t)v);
}

static void
enc_str(struct enc *b, const char *s)
{
	size_t n;

	if (s == NULL) {
		enc_u32(b, ABSENT);
		return;
	}
	n = strlen(s);
	if (n > STORE_FIELD_MAX) {
		b->fail = true;
		return;
	}
	enc_u32(b, (uint32_t)n);
	enc_bytes(b, s, n);
}

int
store_record_encode(const struct store_entry *e, unsigned char **buf,
    size_t *len)
{
	struct enc b = { NULL, 0, 0, false };
	size_t i;

	*buf = NULL;
	*len = 0;
	enc_str(&b, e->access_token);
	enc_str(&b, e->refresh_token);
	enc_str(&b, e->id_token);
	enc_str(&b, e->issuer);
	enc_str(&b, e->subject);
	enc_u32(&b, (uint32_t)e->n_groups);
	for (i = 0; i < e->n_groups; i++)
		enc_str(&b, e->groups[i]);
	enc_i64(&b, e->exp);
	enc_i64(&b, e->stored_at);
	enc_u32(&b, (uint32_t)e->origin);
	if (b.fail) {
		wipe_free(b.p, b.cap);
		return PJ_ERR_NOMEM;
	}
	*buf = b.p;
	*len = b.len;
	return PJ_OK;
}

/* The decoder: a cursor; any deviation sets BAD. */
struct dec {
	const unsigned char *p;
	size_t left;
	bool bad;
	bool nomem;
};

static uint32_t
dec_u32(struct dec *d)
{
	uint32_t v;

	if (d->bad || d->left < 4) {
		d->bad = true;
		return 0;
	}
	v = (uint32_t)d->p[0] << 24 | (uint32_t)d->p[1] << 16 |
	    (uint32_t)d->p[2] << 8 | d->p[3];
	d->p += 4;
	d->left -= 4;
	return v;
}

static int64_t
dec_i64(struct dec *d)
{
	uint64_t hi = dec_u32(d);

	return (int64_t)(hi << 32 | dec_u32(d));
}

/* A string field; NULL when absent or on error (see D). */
static char *
dec_str(struct dec *d, bool required)
{
	uint32_t n = dec_u32(d);
	char *s;

	if (d->bad)
		return NULL;
	if (n == ABSENT) {
		d->bad = required;
		return NULL;
	}
	if (n > STORE_FIELD_MAX || n > d->left ||
	    memchr(d->p, '\0', n) != NULL) {
		d->bad = true;
		return NULL;
	}
	s = malloc((size_t)n + 1);
	if (s == NULL) {
		d->bad = d->nomem = true;
		return NULL;
	}
	memcpy(s, d->p, n);
	s[n] = '\0';
	d->p += n;
	d->left -= n;
	return s;
}

static void
dec_groups(struct dec *d, struct store_entry *e)
{
	uint32_t n = dec_u32(d);

	/* Each group takes at least 4 bytes: N is bounded by what is left. */
	if (d->bad || n > d->left / 4) {
		d->bad = true;
		return;
	}
	e->groups = calloc((size_t)n + 1, sizeof(*e->groups));
	if (e->groups == NULL) {
		d->bad = d->nomem = true;
		return;
	}
	for (e->n_groups = 0; e->n_groups < n && !d->bad; e->n_groups++) {
		e->groups[e->n_groups] = dec_str(d, true);
		if (d->bad)
			break;
	}
}

int
store_record_decode(const char *user, const unsigned char *buf,
    size_t len, struct store_entry **out)
{
	struct dec d = { buf, len, false, false };
	struct store_entry *e;
	uint32_t origin;

	*out = NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return PJ_ERR_NOMEM;
	e->user = strdup(user);
	if (e->user == NULL)
		d.bad = d.nomem = true;
	e->access_token = dec_str(&d, true);
	e->refresh_token = dec_str(&d, false);
	e->id_token = dec_str(&d, false);
	e->issuer = dec_str(&d, true);
	e->subject = dec_str(&d, false);
	dec_groups(&d, e);
	e->exp = dec_i64(&d);
	e->stored_at = dec_i64(&d);
	/* The origin came later: a record without it was root's. */
	e->origin = STORE_ORIGIN_ADMIN;
	if (!d.bad && d.left == 4) {
		origin = dec_u32(&d);
		if (origin == STORE_ORIGIN_LOGIN)
			e->origin = STORE_ORIGIN_LOGIN;
		else if (origin != STORE_ORIGIN_ADMIN)
			d.bad = true;
	}
	if (d.bad || d.left != 0) {
		store_entry_free(e);
		return d.nomem ? PJ_ERR_NOMEM : PJ_ERR_REFUSED;
	}
	*out = e;
	return PJ_OK;
}
