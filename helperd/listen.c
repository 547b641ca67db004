/*
 * The listening socket.  No libsystemd: the socket activation protocol
 * is three environment variables and descriptor 3 (sd_listen_fds(3)).
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen.h"
#include "strutil.h"

#define LISTEN_FD_START 3
#define LISTEN_BACKLOG 64

/* Descriptor FD is a listening UNIX stream socket. */
static bool
is_unix_listener(int fd)
{
	int type = 0, domain = 0, acc = 0;
	socklen_t len;

	len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
		return false;
	len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0)
		return false;
	len = sizeof(acc);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) != 0)
		return false;
	return type == SOCK_STREAM && domain == AF_UNIX && acc != 0;
}

static int
set_flags(int fd)
{
	int fl;

	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int
listen_inherited(const struct pj_log *log)
{
	const char *pid_s = getenv("LISTEN_PID");
	const char *fds_s = getenv("LISTEN_FDS");
	long pid, n;

	if (pid_s == NULL || fds_s == NULL)
		return -1;
	if (!strutil_parse_long(pid_s, 1, LONG_MAX, &pid) ||
	    (pid_t)pid != getpid())
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (!strutil_parse_long(fds_s, 0, INT_MAX, &n) || n != 1) {
		pj_logf(log, LOG_ERR, "socket activation: LISTEN_FDS must "
		    "be 1 (one socket), not %.16s", fds_s);
		return -2;
	}
	if (!is_unix_listener(LISTEN_FD_START) ||
	    set_flags(LISTEN_FD_START) != 0) {
		pj_logf(log, LOG_ERR, "socket activation: descriptor 3 is "
		    "not a listening UNIX stream socket");
		return -2;
	}
	return LISTEN_FD_START;
}

/* The folder of PATH may hold our socket: see listen.h. */
static bool
folder_safe(const char *path, const struct pj_log *log)
{
	char copy[PATH_MAX];
	struct stat st;
	const char *dir;

	if (strlen(path) >= sizeof(copy))
		return false;
	memcpy(copy, path, strlen(path) + 1);
	dir = dirname(copy);
	if (lstat(dir, &st) != 0) {
		pj_logf(log, LOG_ERR, "socket folder %.200s: %s", dir,
		    strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode) ||
	    (st.st_uid != geteuid() && st.st_uid != 0) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		pj_logf(log, LOG_ERR, "socket folder %.200s must be a folder "
		    "owned by this user or root and writable by no one else",
		    dir);
		return false;
	}
	return true;
}

/* Remove a socket left by an earlier run; refuse anything else. */
static bool
clear_stale(const char *path, const struct pj_log *log)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT;
	if (!S_ISSOCK(st.st_mode)) {
		pj_logf(log, LOG_ERR, "%.200s exists and is not a socket",
		    path);
		return false;
	}
	return unlink(path) == 0;
}

int
listen_path(const char *path, const struct pj_log *log)
{
	struct sockaddr_un sa;
	int fd = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (path[0] != '/' || strlen(path) >= sizeof(sa.sun_path)) {
		pj_logf(log, LOG_ERR, "socket path must be absolute and "
		    "shorter than %zu bytes", sizeof(sa.sun_path));
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (!folder_safe(path, log) || !clear_stale(path, log))
		goto fail;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto fail;
	/* Anyone may connect: the peer's uid is the gate (DESIGN.md). */
	if (chmod(path, 0666) != 0 || listen(fd, LISTEN_BACKLOG) != 0)
		goto fail;
	return fd;
fail:
	pj_logf(log, LOG_ERR, "cannot listen on %.200s: %s", path,
	    strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}
