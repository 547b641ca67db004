/*
 * safefile_read(): the gate in front of every file that decides who logs
 * in.  Each test plants one way an attacker could get his own bytes read
 * (a symlink, a FIFO that would hang the login, a file or folder someone
 * else can write, a secret others can read) and checks that it is refused
 * with a log line naming the path and the problem.
 *
 * Tests that hand a file to another owner need root (chown); they skip
 * otherwise.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
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
#include "safefile.h"
#include "testutil.h"
#include "wipe.h"

#define NOBODY 65534

struct fixture {
	char dir[256];
	char cwd[4096];		/* restored at teardown */
	char path[512];
	struct testutil_log logs;
	struct safefile_rule rule;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL ||
	    testutil_tmpdir("safefile", f->dir, sizeof(f->dir)) != 0 ||
	    getcwd(f->cwd, sizeof(f->cwd)) == NULL)
		return -1;
	testutil_log_init(&f->logs);
	f->rule.owners[0] = 0;
	f->rule.owners[1] = getuid();
	f->rule.n_owners = 2;
	f->rule.secret_gid = (gid_t)-1;
	f->rule.max_size = 4096;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (chdir(f->cwd) != 0 || testutil_rmtree(f->dir) != 0)
		return -1;
	free(f);
	return 0;
}

/* Create DIR/NAME with CONTENT and MODE; its path goes to F->path. */
static const char *
plant(struct fixture *f, const char *dir, const char *name,
    const char *content, mode_t mode)
{
	int n = snprintf(f->path, sizeof(f->path), "%s/%s", dir, name);

	assert_true(n > 0 && (size_t)n < sizeof(f->path));
	testutil_write_file(f->path, content, strlen(content), mode);
	return f->path;
}

/* Read PATH and expect a refusal whose log line holds WHAT. */
static void
refused(struct fixture *f, const char *path, const char *what)
{
	char *buf = (char *)1;
	size_t len = 99;

	testutil_log_reset(&f->logs);
	assert_int_equal(safefile_read(path, &f->rule, &f->logs.log, &buf, &len,
	    NULL), PJ_ERR_FILE);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_int_equal(f->logs.prio, LOG_ERR);
	assert_non_null(strstr(f->logs.last, path));
	if (strstr(f->logs.last, what) == NULL)
		fail_msg("log line \"%s\" lacks \"%s\"", f->logs.last, what);
}

static void
accepted(struct fixture *f, const char *path, const char *content)
{
	char *buf = NULL;
	size_t len = 0;

	testutil_log_reset(&f->logs);
	assert_int_equal(safefile_read(path, &f->rule, &f->logs.log, &buf, &len,
	    NULL), PJ_OK);
	assert_string_equal(f->logs.last, "");
	assert_int_equal(len, strlen(content));
	assert_memory_equal(buf, content, len + 1);
	free(buf);
}

static void
test_regular(void **state)
{
	struct fixture *f = *state;
	const char *p = plant(f, f->dir, "conf", "issuer = x\n", 0644);
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	time_t mtime = 0;

	assert_int_equal(safefile_read(p, &f->rule, &f->logs.log, &buf, &len,
	    &mtime), PJ_OK);
	assert_int_equal(len, 11);
	assert_string_equal(buf, "issuer = x\n");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(mtime, st.st_mtime);
	free(buf);

	accepted(f, plant(f, f->dir, "ro", "abc", 0400), "abc");
	accepted(f, plant(f, f->dir, "empty", "", 0644), "");
}

static void
test_missing(void **state)
{
	struct fixture *f = *state;
	char p[600], q[600];

	(void)snprintf(p, sizeof(p), "%s/none", f->dir);
	refused(f, p, "does not exist");
	(void)snprintf(q, sizeof(q), "%s/nodir/file", f->dir);
	refused(f, q, "does not exist");
	(void)snprintf(q, sizeof(q), "%s/", f->dir);
	refused(f, q, "not a file name");
}

static void
test_symlink(void **state)
{
	struct fixture *f = *state;
	char link[600];

	plant(f, f->dir, "target", "x", 0644);
	(void)snprintf(link, sizeof(link), "%s/link", f->dir);
	assert_int_equal(symlink(f->path, link), 0);
	refused(f, link, "symbolic link");

	/* A dangling link is still a link. */
	(void)snprintf(link, sizeof(link), "%s/dangling", f->dir);
	assert_int_equal(symlink("/nonexistent", link), 0);
	refused(f, link, "symbolic link");
}

static void
test_directory(void **state)
{
	struct fixture *f = *state;
	char p[600];

	(void)snprintf(p, sizeof(p), "%s/sub", f->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	refused(f, p, "not a regular file");
}

static void
on_alarm(int sig)
{
	(void)sig;
	/* A FIFO blocked the open: fail loudly rather than hang. */
	_exit(3);
}

static void
test_fifo(void **state)
{
	struct fixture *f = *state;
	char p[600];

	(void)snprintf(p, sizeof(p), "%s/fifo", f->dir);
	assert_int_equal(mkfifo(p, 0644), 0);
	signal(SIGALRM, on_alarm);
	alarm(5);
	refused(f, p, "not a regular file");
	alarm(0);
	signal(SIGALRM, SIG_DFL);

	refused(f, "/dev/null", "not a regular file");
}

static void
test_writable(void **state)
{
	struct fixture *f = *state;

	refused(f, plant(f, f->dir, "gw", "x", 0664),
	    "writable by group or others (mode 0664)");
	refused(f, plant(f, f->dir, "ow", "x", 0646),
	    "writable by group or others (mode 0646)");
	refused(f, plant(f, f->dir, "gw2", "x", 0620),
	    "writable by group or others (mode 0620)");
}

static void
test_owner(void **state)
{
	struct fixture *f = *state;
	const char *p;

	if (geteuid() != 0)
		skip();
	p = plant(f, f->dir, "nobody", "x", 0644);
	assert_int_equal(chown(p, NOBODY, (gid_t)-1), 0);
	refused(f, p, "owned by uid 65534");

	/* The same file is fine once its owner is trusted. */
	f->rule.owners[1] = NOBODY;
	accepted(f, p, "x");
}

static void
test_secret(void **state)
{
	struct fixture *f = *state;
	const char *p;
	struct stat st;

	f->rule.secret = true;
	accepted(f, plant(f, f->dir, "s600", "secret", 0600), "secret");
	accepted(f, plant(f, f->dir, "s400", "secret", 0400), "secret");
	refused(f, plant(f, f->dir, "s604", "secret", 0604),
	    "secret readable by others (mode 0604)");
	refused(f, plant(f, f->dir, "s644", "secret", 0644),
	    "secret readable by others");

	/* Group-readable only by the helper's group. */
	p = plant(f, f->dir, "s640", "secret", 0640);
	assert_int_equal(stat(p, &st), 0);
	refused(f, p, "secret readable by group");
	f->rule.secret_gid = st.st_gid + 1;
	refused(f, p, "secret readable by group");
	f->rule.secret_gid = st.st_gid;
	accepted(f, p, "secret");

	/* Not a secret: group- and world-readable are fine. */
	f->rule.secret = false;
	f->rule.secret_gid = (gid_t)-1;
	accepted(f, plant(f, f->dir, "pub", "key", 0644), "key");
}

static void
test_folder(void **state)
{
	struct fixture *f = *state;
	char sub[600];
	const char *p;

	(void)snprintf(sub, sizeof(sub), "%s/open", f->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	p = plant(f, sub, "conf", "x", 0644);
	accepted(f, p, "x");

	assert_int_equal(chmod(sub, 0777), 0);
	refused(f, p, "writable by group or others (mode 0777)");
	assert_non_null(strstr(f->logs.last, "unsafe folder"));

	/* A sticky folder like /tmp is no better. */
	assert_int_equal(chmod(sub, 01777), 0);
	refused(f, p, "unsafe folder");
	assert_non_null(strstr(f->logs.last, "mode 1777"));

	assert_int_equal(chmod(sub, 0775), 0);
	refused(f, p, "unsafe folder");

	assert_int_equal(chmod(sub, 0755), 0);
	if (geteuid() != 0)
		return;
	assert_int_equal(chown(sub, NOBODY, (gid_t)-1), 0);
	refused(f, p, "owned by uid 65534");
	assert_non_null(strstr(f->logs.last, "unsafe folder"));
	f->rule.owners[1] = NOBODY;
	accepted(f, p, "x");
}

/*
 * F->dir/gp/p/conf: a file two folders below F->dir, in a folder that is
 * safe itself.  Returns the grandparent in GP (600 bytes).
 */
static const char *
plant_deep(struct fixture *f, char *gp)
{
	char parent[700];

	(void)snprintf(gp, 600, "%s/gp", f->dir);
	assert_int_equal(mkdir(gp, 0755), 0);
	(void)snprintf(parent, sizeof(parent), "%s/p", gp);
	assert_int_equal(mkdir(parent, 0755), 0);
	return plant(f, parent, "conf", "x", 0644);
}

/*
 * Read PATH and expect exactly one log line, naming FOLDER as the unsafe
 * one and saying PROBLEM.
 */
static void
unsafe_folder(struct fixture *f, const char *path, const char *folder,
    const char *problem)
{
	char want[2048];

	(void)snprintf(want, sizeof(want), "%s: unsafe folder %s: %s", path,
	    folder, problem);
	refused(f, path, problem);
	assert_string_equal(f->logs.last, want);
	assert_int_equal(f->logs.count, 1);
}

/*
 * Whoever can write any folder above the file can rename the folder
 * below it away and put his own in its place, so every ancestor up to /
 * counts, not only the file's own folder.
 */
static void
test_ancestor_writable(void **state)
{
	struct fixture *f = *state;
	char gp[600];
	const char *p = plant_deep(f, gp);

	accepted(f, p, "x");
	assert_int_equal(chmod(gp, 0777), 0);
	unsafe_folder(f, p, gp, "writable by group or others (mode 0777)");
	assert_int_equal(chmod(gp, 0775), 0);
	unsafe_folder(f, p, gp, "writable by group or others (mode 0775)");
}

/*
 * In a sticky folder (like /tmp) no one can rename the entries of
 * others: a sticky ancestor is fine, so files below a root-owned folder
 * in /tmp are read.  The file's own folder must still not be writable.
 */
static void
test_ancestor_sticky(void **state)
{
	struct fixture *f = *state;
	char gp[600];
	const char *p = plant_deep(f, gp);

	assert_int_equal(chmod(gp, 01777), 0);
	accepted(f, p, "x");
	assert_int_equal(chmod(gp, 01775), 0);
	accepted(f, p, "x");
}

static void
test_ancestor_owner(void **state)
{
	struct fixture *f = *state;
	char gp[600];
	const char *p = plant_deep(f, gp);

	if (geteuid() != 0)
		skip();
	assert_int_equal(chown(gp, NOBODY, (gid_t)-1), 0);
	unsafe_folder(f, p, gp, "owned by uid 65534");

	/* Sticky or not, the owner of an ancestor must be trusted. */
	assert_int_equal(chmod(gp, 01755), 0);
	unsafe_folder(f, p, gp, "owned by uid 65534");

	/* The same folder is fine once its owner is trusted. */
	f->rule.owners[1] = NOBODY;
	accepted(f, p, "x");
}

/*
 * A folder reached through a symbolic link: the folders above the link's
 * target count, not only the link's own folder.  Here the link lies in a
 * safe folder, but the target's parent is world-writable.
 */
static void
test_ancestor_symlink(void **state)
{
	struct fixture *f = *state;
	char gp[600], link[600], p[700];

	(void)plant_deep(f, gp);
	(void)snprintf(link, sizeof(link), "%s/link", f->dir);
	assert_int_equal(symlink("gp/p", link), 0);
	(void)snprintf(p, sizeof(p), "%s/conf", link);
	accepted(f, p, "x");

	assert_int_equal(chmod(gp, 0777), 0);
	unsafe_folder(f, p, gp, "writable by group or others (mode 0777)");
}

/*
 * A relative path: the folders above the working folder count too
 * (teardown goes back to the first working folder).
 */
static void
test_ancestor_relative(void **state)
{
	struct fixture *f = *state;
	char gp[600], parent[700];

	(void)plant_deep(f, gp);
	(void)snprintf(parent, sizeof(parent), "%s/p", gp);
	assert_int_equal(chdir(parent), 0);
	accepted(f, "conf", "x");
	accepted(f, "./conf", "x");

	assert_int_equal(chmod(gp, 0777), 0);
	unsafe_folder(f, "conf", gp,
	    "writable by group or others (mode 0777)");
	unsafe_folder(f, "./conf", gp,
	    "writable by group or others (mode 0777)");
	/* Named by the path: the folder as the path names it. */
	unsafe_folder(f, "../p/conf", "..",
	    "writable by group or others (mode 0777)");
}

static void
test_size(void **state)
{
	struct fixture *f = *state;

	f->rule.max_size = 10;
	accepted(f, plant(f, f->dir, "ten", "0123456789", 0644),
	    "0123456789");
	refused(f, plant(f, f->dir, "eleven", "0123456789a", 0644),
	    "larger than 10 bytes");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ancestor_writable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ancestor_sticky, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ancestor_owner, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ancestor_symlink, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ancestor_relative, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_size, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
