/*
 * Requests of the helper protocol (doc/PROTOCOL.md): parsing, the
 * authorisation by the caller's uid, and the operations on the store.
 *
 * DESIGN.md "Trust boundaries": root may hand over a user's tokens and
 * act for any user; any other uid may only read or drop its own.  The
 * caller is whoever SO_PEERCRED names for the connection the request came
 * on, looked up again for every request.
 */
#ifndef PJ_HELPERD_DISPATCH_H
#define PJ_HELPERD_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "jwks.h"
#include "log.h"
#include "proto.h"
#include "renew.h"
#include "store.h"
#include "verify.h"

struct dispatch_ctx {
	const struct config *cfg;	/* the helper's configuration */
	struct store *store;
	struct verifier *verifier;	/* the core's, same configuration */
	const struct pj_log *log;	/* syslog */
	struct jwks *jwks;		/* key set upkeep; replaces verifier
					   when a key file changes */
	bool keep_after_logout;		/* the last session's close keeps
					   a login's tokens */
	struct renew *renew;		/* renewal, revocation at logout;
					   NULL: none */
};

/* Who sent a request, from SO_PEERCRED. */
struct dispatch_caller {
	uid_t uid;
	pid_t pid;
};

/*
 * Answer the request BODY (LEN bytes) of CALLER.  Returns the response
 * (release with proto_put), or NULL when memory ran out (the connection
 * is then closed without an answer).  Refusals of another user's data
 * are logged at LOG_NOTICE with the caller's uid and pid; stores and
 * drops at LOG_INFO.  Tokens are never logged.
 */
struct json_object *dispatch_request(struct dispatch_ctx *ctx,
    const struct dispatch_caller *caller, const char *body, size_t len);

/*
 * The refusal sent for a message that could not be read whole: E is
 * PROTO_E_TOO_LARGE for a length prefix over the limit.  NULL when
 * memory ran out.
 */
struct json_object *dispatch_error(enum proto_error e);

#endif
