/*
 * Helpers shared by the unit tests (see testutil.h).
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
#include <unistd.h>

#include <cmocka.h>

#include "reason.h"
#include "sig.h"
#include "testkey.h"
#include "testutil.h"

int
testutil_tmpdir(const char *name, char *dir, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	int n;

	n = snprintf(dir, size, "%s/pam_jwt-%s.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", name);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return mkdtemp(dir) != NULL ? 0 : -1;
}

int
testutil_rmtree(const char *dir)
{
	char cmd[600];
	int n;

	n = snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

void
testutil_write_file(const char *path, const void *data, size_t len,
    mode_t mode)
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
log_line(void *arg, int prio, const char *msg)
{
	struct testutil_log *t = arg;
	size_t used = strlen(t->all);

	(void)snprintf(t->all + used, sizeof(t->all) - used, "%s\n", msg);
	(void)snprintf(t->last, sizeof(t->last), "%s", msg);
	t->prio = prio;
	if (prio == LOG_WARNING)
		t->warnings++;
	if (t->count < TESTUTIL_LOG_LINES) {
		t->prios[t->count] = prio;
		(void)snprintf(t->lines[t->count], sizeof(t->lines[0]), "%s",
		    msg);
	}
	t->count++;
}

void
testutil_log_init(struct testutil_log *t)
{
	memset(t, 0, sizeof(*t));
	t->log.fn = log_line;
	t->log.arg = t;
	t->log.debug = false;
	testutil_log_reset(t);
}

void
testutil_log_reset(struct testutil_log *t)
{
	t->all[0] = '\0';
	t->last[0] = '\0';
	t->prio = -1;
	t->count = 0;
	t->warnings = 0;
	memset(t->prios, 0, sizeof(t->prios));
	memset(t->lines, 0, sizeof(t->lines));
}

unsigned char *
testutil_unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2, i;
	unsigned char *out = malloc(n + 1);
	unsigned v;

	assert_non_null(out);
	assert_int_equal(strlen(hex) % 2, 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
	*len = n;
	return out;
}

void
testutil_check_signs(const struct alg_info *alg, EVP_PKEY *priv,
    EVP_PKEY *pub)
{
	static const unsigned char m[] = "aGVhZGVy.cGF5bG9hZA";
	unsigned char *sig;
	size_t len;

	assert_int_equal(testkey_sign(alg, priv, m, sizeof(m) - 1, &sig,
	    &len), 0);
	assert_int_equal(sig_verify(alg, pub, m, sizeof(m) - 1, sig, len),
	    PJ_OK);
	free(sig);
}
