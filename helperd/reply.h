/*
 * Responses of the helper protocol (doc/PROTOCOL.md): the "ok" message,
 * adding members to it, and the answers to "status" and "token", which
 * read the store and hand out what it holds.
 *
 * Every function here returns NULL (or false) when memory ran out; the
 * connection is then closed without an answer.  Nothing here logs, and
 * no token is ever logged.
 */
#ifndef PJ_HELPERD_REPLY_H
#define PJ_HELPERD_REPLY_H

#include <stdbool.h>

#include <json-c/json.h>

#include "store.h"
#include "verify.h"

/* {"v": 1, "ok": true} (release with proto_put), or NULL. */
struct json_object *reply_ok(void);

/*
 * Add VAL (which may be NULL after a failed allocation) to OBJ as KEY.
 * OBJ owns VAL afterwards; on failure VAL is released.  False when VAL
 * was NULL or could not be added.
 */
bool reply_add(struct json_object *obj, const char *key,
    struct json_object *val);

/*
 * Add S as the string KEY to OBJ, or a JSON null when S is NULL.  False
 * when memory ran out.
 */
bool reply_add_str(struct json_object *obj, const char *key,
    const char *s);

/*
 * The answer to "status" about USER in STORE: what is stored, never the
 * tokens themselves, or the no_token refusal.  Release with proto_put.
 */
struct json_object *reply_status(struct store *store, const char *user);

/*
 * The answer to "token" about USER in STORE: the access token, only when
 * VERIFIER accepts it now (DESIGN.md "Helper"), else the no_token or
 * internal refusal.  Release with proto_put.
 */
struct json_object *reply_token(struct store *store,
    struct verifier *verifier, const char *user);

#endif
