/*
 * Reading the files the module trusts: configuration, key sets, secrets.
 * A file is opened without following symlinks and must be a regular file
 * owned by an allowed owner and writable by no one else; so must its
 * folder, and every folder above it up to / (as the path names it and as
 * its real path does), where a sticky folder such as /tmp may be writable
 * by others.  Secret files must not be readable by others either.
 */
#ifndef PJ_SAFEFILE_H
#define PJ_SAFEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "log.h"

#define SAFEFILE_MAX_OWNERS 3

struct safefile_rule {
	uid_t owners[SAFEFILE_MAX_OWNERS];	/* allowed, root first */
	size_t n_owners;
	bool secret;		/* 0600, or 0640 with group SECRET_GID */
	gid_t secret_gid;	/* (gid_t)-1: no group may read */
	size_t max_size;	/* larger files are refused */
};

/*
 * Read the whole file PATH under RULE.  On PJ_OK, *BUF (NUL-terminated,
 * free with wipe_free(*BUF, *LEN) for secrets, free() otherwise) and *LEN
 * are set, and *MTIME when MTIME is not NULL.  On PJ_ERR_FILE a line
 * naming the file and the problem (missing, symlink, not a regular file,
 * owner, group/world writable, readable by others, folder unsafe, naming
 * that folder, too large) has been logged at LOG_ERR.  PJ_ERR_NOMEM
 * otherwise.
 */
int safefile_read(const char *path, const struct safefile_rule *rule,
    const struct pj_log *log, char **buf, size_t *len, time_t *mtime);

#endif
