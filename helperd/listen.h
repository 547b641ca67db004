/*
 * The helper's listening socket: inherited from systemd (socket
 * activation) or made here.
 */
#ifndef PJ_HELPERD_LISTEN_H
#define PJ_HELPERD_LISTEN_H

#include <stdbool.h>

#include "log.h"

/*
 * The socket systemd passed (LISTEN_PID is this process, LISTEN_FDS is
 * 1: descriptor 3), checked to be a listening UNIX stream socket and made
 * non-blocking and close-on-exec; LISTEN_* are then removed from the
 * environment.  Returns the descriptor, -1 when none was passed, -2 when
 * what was passed is unusable (logged).
 */
int listen_inherited(const struct pj_log *log);

/*
 * Make the socket PATH, mode 0666: its folder must be owned by this user
 * or root and writable by no one else (else another user could replace
 * the socket); a stale socket there is removed, anything else refused.
 * Returns a non-blocking, close-on-exec listening descriptor, or -1
 * (logged).
 */
int listen_path(const char *path, const struct pj_log *log);

#endif
