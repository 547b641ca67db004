/*
 * Reading a trusted file.  Whoever can write the configuration, the key
 * set or the HMAC secret decides who logs in, so such a file is accepted
 * only when no one but its allowed owners can change it: neither the file
 * (owner, mode) nor its folder (someone able to write the folder can
 * replace the file by rename).  A sticky folder such as /tmp is refused
 * too: its owner check is the file's owner, which the attacker can be.
 *
 * Every folder above goes the same way (someone able to write one can
 * rename the folder below it and put his own in its place), except that
 * a sticky ancestor is fine: there no one renames the entries of others,
 * and the entry below it must be owned by an allowed owner.  Ancestors
 * are checked twice over: as the path names them, with stat() so that a
 * symlinked ancestor (/var/run -> /run) counts as its target, and as the
 * real path of the folder (realpath), which adds the folders above a
 * link's target and above the working folder of a relative path.
 *
 * The folder is opened first and the file is opened relative to it, so
 * the folder checked is the folder the file was read from.  O_NOFOLLOW
 * refuses a symlink as the last component; O_NONBLOCK keeps a FIFO from
 * blocking the open, and fstat() then refuses it as not a regular file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reason.h"
#include "safefile.h"
#include "wipe.h"

static bool
owner_allowed(const struct safefile_rule *rule, uid_t uid)
{
	size_t i;

	for (i = 0; i < rule->n_owners && i < SAFEFILE_MAX_OWNERS; i++)
		if (rule->owners[i] != (uid_t)-1 && rule->owners[i] == uid)
			return true;
	return false;
}

/*
 * Split PATH into its folder and last component (copies in DIR and BASE,
 * of PATH_MAX bytes each).  Returns false for an empty last component.
 */
static bool
split_path(const char *path, char *dir, char *base)
{
	const char *slash = strrchr(path, '/');
	size_t dlen;

	if (strlen(path) >= PATH_MAX)
		return false;
	if (slash == NULL) {
		strcpy(dir, ".");
		strcpy(base, path);
	} else {
		dlen = (size_t)(slash - path);
		if (dlen == 0)
			dlen = 1;	/* "/file": the folder is "/" */
		memcpy(dir, path, dlen);
		dir[dlen] = '\0';
		strcpy(base, slash + 1);
	}
	return base[0] != '\0' && strcmp(base, ".") != 0 &&
	    strcmp(base, "..") != 0;
}

/*
 * The folder DIR (status ST) on the way to PATH: owned by an allowed
 * owner and writable by no one else; an ANCESTOR may be writable by
 * others when it is sticky.
 */
static int
check_folder(const char *path, const char *dir, const struct stat *st,
    bool ancestor, const struct safefile_rule *rule,
    const struct pj_log *log)
{
	if (!owner_allowed(rule, st->st_uid)) {
		pj_logf(log, LOG_ERR, "%.200s: unsafe folder %.200s: "
		    "owned by uid %lu", path, dir, (unsigned long)st->st_uid);
		return PJ_ERR_FILE;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    !(ancestor && (st->st_mode & S_ISVTX) != 0)) {
		pj_logf(log, LOG_ERR, "%.200s: unsafe folder %.200s: "
		    "writable by group or others (mode %04o)", path, dir,
		    (unsigned)(st->st_mode & 07777));
		return PJ_ERR_FILE;
	}
	return PJ_OK;
}

/*
 * Check each folder above DIR as its text names it ("/a/b": "/a" and
 * "/"; "a/b": "a" only), following symlinks.
 */
static int
check_ancestors(const char *path, const char *dir,
    const struct safefile_rule *rule, const struct pj_log *log)
{
	char up[PATH_MAX];
	char *slash;
	struct stat st;
	int ret = PJ_ERR_FILE;

	if (strlen(dir) >= sizeof(up)) {
		pj_logf(log, LOG_ERR, "%.200s: folder name too long", path);
		goto out;
	}
	strcpy(up, dir);
	for (;;) {
		slash = strrchr(up, '/');
		if (slash == NULL || (slash == up && up[1] == '\0'))
			break;
		if (slash == up)
			up[1] = '\0';	/* "/a": then "/" */
		else
			*slash = '\0';
		if (stat(up, &st) != 0) {
			pj_logf(log, LOG_ERR, "%.200s: folder %.200s: %s",
			    path, up, strerror(errno));
			goto out;
		}
		if (check_folder(path, up, &st, true, rule, log) != PJ_OK)
			goto out;
	}
	ret = PJ_OK;
out:
	return ret;
}

/*
 * The folder DIR, open as DFD: the folder itself, the folders above it as
 * DIR names them, and those above its real path.
 */
static int
check_folders(const char *path, const char *dir, int dfd,
    const struct safefile_rule *rule, const struct pj_log *log)
{
	struct stat st, rst;
	char *real = NULL;
	int ret = PJ_ERR_FILE;

	if (fstat(dfd, &st) != 0) {
		pj_logf(log, LOG_ERR, "%.200s: folder %.200s: fstat: %s",
		    path, dir, strerror(errno));
		goto out;
	}
	if (check_folder(path, dir, &st, false, rule, log) != PJ_OK ||
	    check_ancestors(path, dir, rule, log) != PJ_OK)
		goto out;

	real = realpath(dir, NULL);
	if (real == NULL) {
		pj_logf(log, LOG_ERR, "%.200s: folder %.200s: %s", path, dir,
		    strerror(errno));
		goto out;
	}
	/* The real path must lead to the folder that was opened. */
	if (stat(real, &rst) != 0 || rst.st_dev != st.st_dev ||
	    rst.st_ino != st.st_ino) {
		pj_logf(log, LOG_ERR, "%.200s: folder %.200s changed while "
		    "being checked", path, dir);
		goto out;
	}
	if (strcmp(real, dir) != 0 &&
	    check_ancestors(path, real, rule, log) != PJ_OK)
		goto out;
	ret = PJ_OK;
out:
	free(real);
	return ret;
}

static int
check_file(const char *path, const struct stat *st,
    const struct safefile_rule *rule, const struct pj_log *log)
{
	mode_t mode = st->st_mode & 07777;

	if (!S_ISREG(st->st_mode)) {
		pj_logf(log, LOG_ERR, "%.200s: not a regular file", path);
		return PJ_ERR_FILE;
	}
	if (!owner_allowed(rule, st->st_uid)) {
		pj_logf(log, LOG_ERR, "%.200s: owned by uid %lu, which is "
		    "not trusted", path, (unsigned long)st->st_uid);
		return PJ_ERR_FILE;
	}
	if ((mode & (S_IWGRP | S_IWOTH)) != 0) {
		pj_logf(log, LOG_ERR, "%.200s: writable by group or others "
		    "(mode %04o)", path, (unsigned)mode);
		return PJ_ERR_FILE;
	}
	if (!rule->secret)
		return PJ_OK;

	/* A secret: mode 0600, or 0640 with the helper's group. */
	if ((mode & S_IROTH) != 0) {
		pj_logf(log, LOG_ERR, "%.200s: secret readable by others "
		    "(mode %04o)", path, (unsigned)mode);
		return PJ_ERR_FILE;
	}
	if ((mode & S_IRGRP) != 0 && (rule->secret_gid == (gid_t)-1 ||
	    st->st_gid != rule->secret_gid)) {
		pj_logf(log, LOG_ERR, "%.200s: secret readable by group %lu "
		    "(mode %04o)", path, (unsigned long)st->st_gid,
		    (unsigned)mode);
		return PJ_ERR_FILE;
	}
	return PJ_OK;
}

static void
log_open_error(const char *path, int err, const struct pj_log *log)
{
	if (err == ELOOP)
		pj_logf(log, LOG_ERR, "%.200s: is a symbolic link", path);
	else if (err == ENOENT)
		pj_logf(log, LOG_ERR, "%.200s: does not exist", path);
	else
		pj_logf(log, LOG_ERR, "%.200s: cannot open: %s", path,
		    strerror(err));
}

/*
 * Read the open file FD of SIZE bytes (as fstat said) into a fresh,
 * NUL-terminated buffer; a file that grew meanwhile is refused.
 */
static int
read_all(int fd, const char *path, size_t size, const struct pj_log *log,
    char **buf, size_t *len)
{
	char *b = NULL;
	size_t cap = size + 1, n = 0;
	int ret = PJ_ERR_FILE;

	b = malloc(cap + 1);
	if (b == NULL) {
		ret = PJ_ERR_NOMEM;
		goto out;
	}
	/* Read one byte more than expected to notice a file that grew. */
	while (n < cap) {
		ssize_t r = read(fd, b + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			pj_logf(log, LOG_ERR, "%.200s: read: %s", path,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > size) {
		pj_logf(log, LOG_ERR, "%.200s: changed while being read",
		    path);
		goto out;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
	ret = PJ_OK;
out:
	wipe_free(b, cap + 1);
	return ret;
}

/*
 * Open the folder of PATH into *DFD and check it; its last component goes
 * to BASE (PATH_MAX bytes).
 */
static int
open_folder(const char *path, const struct safefile_rule *rule,
    const struct pj_log *log, int *dfd, char *base)
{
	char dir[PATH_MAX];

	*dfd = -1;
	if (!split_path(path, dir, base)) {
		pj_logf(log, LOG_ERR, "%.200s: not a file name", path);
		return PJ_ERR_FILE;
	}
	*dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*dfd < 0) {
		if (errno == ENOENT)
			pj_logf(log, LOG_ERR, "%.200s: folder %.200s does not "
			    "exist", path, dir);
		else
			pj_logf(log, LOG_ERR, "%.200s: folder %.200s: %s",
			    path, dir, strerror(errno));
		return PJ_ERR_FILE;
	}
	return check_folders(path, dir, *dfd, rule, log);
}

int
safefile_read(const char *path, const struct safefile_rule *rule,
    const struct pj_log *log, char **buf, size_t *len, time_t *mtime)
{
	char base[PATH_MAX];
	struct stat st;
	int dfd = -1, fd = -1, ret;

	*buf = NULL;
	*len = 0;
	if (mtime != NULL)
		*mtime = 0;

	ret = open_folder(path, rule, log, &dfd, base);
	if (ret != PJ_OK)
		goto out;
	ret = PJ_ERR_FILE;
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		log_open_error(path, errno, log);
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		pj_logf(log, LOG_ERR, "%.200s: fstat: %s", path,
		    strerror(errno));
		goto out;
	}
	ret = check_file(path, &st, rule, log);
	if (ret != PJ_OK)
		goto out;
	ret = PJ_ERR_FILE;
	if (st.st_size < 0 || (unsigned long long)st.st_size > rule->max_size) {
		pj_logf(log, LOG_ERR, "%.200s: larger than %zu bytes", path,
		    rule->max_size);
		goto out;
	}
	ret = read_all(fd, path, (size_t)st.st_size, log, buf, len);
	if (ret == PJ_OK && mtime != NULL)
		*mtime = st.st_mtime;
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return ret;
}
