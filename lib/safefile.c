/*
 * Reading a trusted file.  Whoever can write the configuration, the key
 * set or the HMAC secret decides who logs in, so such a file is accepted
 * only when no one but its allowed owners can change it: neither the file
 * (owner, mode) nor its folder (someone able to write the folder can
 * replace the file by rename).  A sticky folder such as /tmp is refused
 * too: its owner check is the file's owner, which the attacker can be.
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

static int
check_folder(const char *path, const char *dir, int dfd,
    const struct safefile_rule *rule, const struct pj_log *log)
{
	struct stat st;

	if (fstat(dfd, &st) != 0) {
		pj_logf(log, LOG_ERR, "%.200s: folder %.200s: fstat: %s",
		    path, dir, strerror(errno));
		return PJ_ERR_FILE;
	}
	if (!owner_allowed(rule, st.st_uid)) {
		pj_logf(log, LOG_ERR, "%.200s: unsafe folder %.200s: "
		    "owned by uid %lu", path, dir, (unsigned long)st.st_uid);
		return PJ_ERR_FILE;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		pj_logf(log, LOG_ERR, "%.200s: unsafe folder %.200s: "
		    "writable by group or others (mode %04o)", path, dir,
		    (unsigned)(st.st_mode & 07777));
		return PJ_ERR_FILE;
	}
	return PJ_OK;
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
	return check_folder(path, dir, *dfd, rule, log);
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
