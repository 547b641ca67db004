/*
 * Responses: the "ok" message and its members, and the answers to
 * "status" and "token".  The caller has already been authorised for the
 * user (dispatch.c) before anything here reads the store.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proto.h"
#include "reason.h"
#include "reply.h"

/* {"v": 1, "ok": true}, or NULL. */
struct json_object *
reply_ok(void)
{
	struct json_object *r = proto_new_msg(NULL);

	if (r != NULL && json_object_object_add(r, "ok",
	    json_object_new_boolean(1)) != 0) {
		json_object_put(r);
		r = NULL;
	}
	return r;
}

/* Add VAL (which may be NULL after a failed allocation) to OBJ. */
bool
reply_add(struct json_object *obj, const char *key,
    struct json_object *val)
{
	if (val == NULL)
		return false;
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return false;
	}
	return true;
}

/* S, or a JSON null (json-c's NULL value: json_object_new_null). */
bool
reply_add_str(struct json_object *obj, const char *key, const char *s)
{
	if (s == NULL)
		return json_object_object_add(obj, key, NULL) == 0;
	return reply_add(obj, key, json_object_new_string(s));
}

static struct json_object *
no_token(void)
{
	return proto_new_error(PROTO_E_NO_TOKEN, "no tokens are stored");
}

struct json_object *
reply_status(struct store *store, const char *user)
{
	struct store_entry *e = store_find(store, user);
	struct json_object *r, *groups;
	size_t i;
	bool ok;

	if (e == NULL)
		return no_token();
	r = reply_ok();
	if (r == NULL)
		return NULL;
	groups = json_object_new_array();
	ok = reply_add_str(r, "user", e->user) &&
	    reply_add_str(r, "issuer", e->issuer) &&
	    reply_add_str(r, "subject", e->subject) &&
	    reply_add(r, "groups", groups);
	for (i = 0; ok && i < e->n_groups; i++)
		ok = json_object_array_add(groups,
		    json_object_new_string(e->groups[i])) == 0;
	ok = ok && reply_add(r, "expires", json_object_new_int64(e->exp)) &&
	    reply_add_str(r, "state", e->login_needed ? "login_needed" :
	    (int64_t)time(NULL) < e->exp ? "valid" : "expired") &&
	    reply_add(r, "stored", json_object_new_int64(e->stored_at)) &&
	    reply_add(r, "renewals", json_object_new_int64(e->renewals)) &&
	    (e->rotated_at > 0 ? reply_add(r, "refresh_rotated_at",
	    json_object_new_int64(e->rotated_at)) :
	    reply_add_str(r, "refresh_rotated_at", NULL)) &&
	    reply_add(r, "refresh_token",
	    json_object_new_boolean(e->refresh_token != NULL)) &&
	    reply_add(r, "id_token",
	    json_object_new_boolean(e->id_token != NULL));
	if (!ok) {
		proto_put(r);
		return NULL;
	}
	return r;
}

/*
 * A token is handed out only when it verifies now (DESIGN.md "Helper"):
 * the key set may have changed, and it may have expired.
 */
struct json_object *
reply_token(struct store *store, struct verifier *verifier,
    const char *user)
{
	struct store_entry *e = store_find(store, user);
	struct json_object *r = NULL;
	struct verdict vd;
	char msg[320];
	int err;

	memset(&vd, 0, sizeof(vd));
	if (e == NULL)
		return no_token();
	if (e->login_needed)
		return proto_new_error(PROTO_E_NO_TOKEN, "login needed: the "
		    "provider refused the refresh token (invalid_grant)");
	err = verifier_verify(verifier, e->access_token,
	    strlen(e->access_token), e->user, (int64_t)time(NULL), NULL, &vd);
	if (err == PJ_ERR_REFUSED || err == PJ_ERR_NOT_TOKEN) {
		/*
		 * Renewal (renew.c) replaces the token before it expires;
		 * one that no longer verifies is not handed out.
		 */
		snprintf(msg, sizeof(msg),
		    "the stored access token no longer verifies: %s",
		    reason_name(vd.reason));
		r = proto_new_error(PROTO_E_NO_TOKEN, msg);
		goto out;
	}
	if (err != PJ_OK) {
		r = proto_new_error(PROTO_E_INTERNAL,
		    "the helper cannot verify tokens now: see its log");
		goto out;
	}
	r = reply_ok();
	if (r == NULL)
		goto out;
	if (!reply_add_str(r, "user", e->user) ||
	    !reply_add_str(r, "access_token", e->access_token) ||
	    !reply_add(r, "expires", json_object_new_int64(vd.claims.exp))) {
		proto_put(r);
		r = NULL;
	}
out:
	verdict_clear(&vd);
	return r;
}
