/*
 * The helper's server loop: one thread, poll over the listening socket
 * and at most SERVER_MAX_CONN connections.  Each connection carries one
 * request and one response, then closes; it has SERVER_CONN_MS in all,
 * so a slow or silent client holds a slot for that long at most and never
 * stops the others being served.
 */
#ifndef PJ_HELPERD_SERVER_H
#define PJ_HELPERD_SERVER_H

#include <signal.h>

#include "dispatch.h"

#define SERVER_MAX_CONN 16
#define SERVER_CONN_MS 2000

/*
 * Serve LFD (a non-blocking listening socket) until *STOP is set by a
 * signal handler.  The signals that set it must be blocked by the
 * caller: they are let through only while waiting (ppoll), so none is
 * missed.  Returns 0 after a stop, -1 when poll or accept fails for good
 * (logged).
 */
int server_run(int lfd, struct dispatch_ctx *ctx,
    volatile sig_atomic_t *stop);

#endif
