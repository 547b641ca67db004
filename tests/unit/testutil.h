/*
 * Helpers shared by the unit tests: a private temporary folder, files
 * written with a given mode, a log sink that keeps what the core logs,
 * hex decoding and a sign-then-verify round trip.  Helpers that take no
 * cmocka state fail the running test (cmocka) instead of returning an
 * error; the folder helpers return -1 so that a set-up can fail.
 */
#ifndef PJ_TESTUTIL_H
#define PJ_TESTUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include "alg.h"
#include "log.h"

/*
 * An input of LEN bytes (NUL bytes included, no NUL needed after it) and
 * why a table holds it: TESTUTIL_INPUT("a\0b", "NUL inside").
 */
struct testutil_input {
	const char *text;
	size_t len;
	const char *why;
};

#define TESTUTIL_INPUT(s, why) { s, sizeof(s) - 1, why }

/*
 * Make a fresh folder "$TMPDIR/pam_jwt-NAME.XXXXXX" (/tmp without
 * TMPDIR), mode 0700, and put its path in DIR (SIZE bytes).  Returns 0,
 * or -1.
 */
int testutil_tmpdir(const char *name, char *dir, size_t size);

/* Remove DIR and all it holds.  Returns 0, or -1. */
int testutil_rmtree(const char *dir);

/*
 * Write LEN bytes at DATA to PATH, replacing any file there, then give it
 * MODE (the file is never more open than 0600 while it is written).
 */
void testutil_write_file(const char *path, const void *data, size_t len,
    mode_t mode);

#define TESTUTIL_LOG_LINES 16
#define TESTUTIL_LOG_LINE 600

/*
 * A struct pj_log for the code under test that keeps what it logs.  Set
 * it up with testutil_log_init(), hand &t->log to the code, read the
 * fields.  Lines past the first TESTUTIL_LOG_LINES are counted and kept
 * in ALL and LAST only.
 */
struct testutil_log {
	struct pj_log log;
	char all[4096];		/* every line, each ending in "\n" */
	char last[TESTUTIL_LOG_LINE];	/* the last line */
	int prio;		/* the last line's priority, -1 before one */
	int count;		/* lines logged */
	int warnings;		/* of them at LOG_WARNING */
	int prios[TESTUTIL_LOG_LINES];
	char lines[TESTUTIL_LOG_LINES][TESTUTIL_LOG_LINE];
};

/* Point T->log at T, debug off, and empty it. */
void testutil_log_init(struct testutil_log *t);

/* Forget every line logged so far (T->log is kept as it is). */
void testutil_log_reset(struct testutil_log *t);

/*
 * Decode the even-length hex text HEX into a malloc'd buffer with room
 * for at least one byte more than its *LEN bytes.
 */
unsigned char *testutil_unhex(const char *hex, size_t *len);

/*
 * Sign a fixed message for ALG with the private key PRIV (testkey_sign)
 * and check that sig_verify() accepts it with PUB: PUB is PRIV's public
 * key as the code under test built it.
 */
void testutil_check_signs(const struct alg_info *alg, EVP_PKEY *priv,
    EVP_PKEY *pub);

#endif
