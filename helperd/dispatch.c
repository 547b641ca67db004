/*
 * Requests: read the message, decide who may do what, act on the store.
 *
 * The order matters for privacy: the authorisation check comes before any
 * lookup of the named user, so that a user cannot learn whether another
 * account exists or has tokens from the kind of refusal they get.
 */
#include "autoconf.h"

#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dispatch.h"
#include "idtoken.h"
#include "jsonstrict.h"
#include "reason.h"
#include "reply.h"
#include "strutil.h"
#include "wipe.h"

/* Longest user name a request may carry (useradd allows 32). */
#define DISPATCH_MAX_USER 256
/* Longest value of a log line field, before escaping. */
#define DISPATCH_LOG_MAX 64
#define DISPATCH_LOG_SIZE (4 * DISPATCH_LOG_MAX + 4)
/* A session id: 1 to 64 of [A-Za-z0-9._-]. */
#define DISPATCH_MAX_SESSION 64
/* Buffer for getpwuid_r and getpwnam_r. */
#define DISPATCH_PW_BUF 16384

enum op {
	OP_STATUS, OP_TOKEN, OP_STORE, OP_LOGOUT, OP_DROP, OP_JWKS_REFRESH,
	OP_SESSION_OPEN, OP_SESSION_CLOSE
};

struct op_info {
	const char *name;
	enum op op;
	bool root_only;		/* store and drop */
	bool needs_user;	/* "user" required, not the caller's own */
	bool anyone;		/* about no user: any uid, no lookup */
	const char *members[3];	/* allowed besides "v" and "op" */
};

static const struct op_info ops[] = {
	{ "status", OP_STATUS, false, false, false, { "user", NULL } },
	{ "token", OP_TOKEN, false, false, false, { "user", NULL } },
	{ "store", OP_STORE, true, true, false,
	    { "user", "tokens", "origin" } },
	{ "logout", OP_LOGOUT, false, false, false, { "user", NULL } },
	{ "drop", OP_DROP, true, true, false, { "user", NULL } },
	{ "jwks_refresh", OP_JWKS_REFRESH, false, false, true,
	    { "issuer", NULL } },
	{ "session_open", OP_SESSION_OPEN, true, true, false,
	    { "user", "session" } },
	{ "session_close", OP_SESSION_CLOSE, true, true, false,
	    { "user", "session" } }
};

/* One request as it is being answered. */
struct request {
	struct dispatch_ctx *ctx;
	const struct dispatch_caller *caller;
	const struct op_info *op;
	struct json_object *msg;
	const char *user;	/* the user the request is about */
	char caller_name[DISPATCH_MAX_USER + 1];
};

struct json_object *
dispatch_error(enum proto_error e)
{
	switch (e) {
	case PROTO_E_TOO_LARGE:
		return proto_new_error(e, "a message is at most 65536 bytes");
	case PROTO_E_UNSUPPORTED_VERSION:
		return proto_new_error(e, "this helper speaks version 1");
	case PROTO_E_BAD_REQUEST:
		return proto_new_error(e,
		    "a request is one strict JSON object with \"v\" and "
		    "\"op\"");
	default:
		break;
	}
	return proto_new_error(e, "");
}

static const struct op_info *
find_op(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	}
	return NULL;
}

/* Every member of MSG is "v", "op" or one that OP allows. */
static bool
members_allowed(struct json_object *msg, const struct op_info *op)
{
	size_t i;
	bool ok;

	json_object_object_foreach(msg, key, val) {
		(void)val;
		ok = strcmp(key, "v") == 0 || strcmp(key, "op") == 0;
		for (i = 0; i < 3 && !ok; i++)
			ok = op->members[i] != NULL &&
			    strcmp(key, op->members[i]) == 0;
		if (!ok)
			return false;
	}
	return true;
}

/* The name of UID into OUT; false when it has no account. */
static bool
name_of_uid(uid_t uid, char *out, size_t size)
{
	struct passwd pw, *res = NULL;
	char buf[DISPATCH_PW_BUF];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 ||
	    res == NULL || strlen(res->pw_name) >= size)
		return false;
	memcpy(out, res->pw_name, strlen(res->pw_name) + 1);
	return true;
}

static bool
user_exists(const char *name)
{
	struct passwd pw, *res = NULL;
	char buf[DISPATCH_PW_BUF];

	return getpwnam_r(name, &pw, buf, sizeof(buf), &res) == 0 &&
	    res != NULL;
}

static const char *
esc(const char *s, char *buf)
{
	strutil_escape(s, strlen(s), DISPATCH_LOG_MAX, buf,
	    DISPATCH_LOG_SIZE);
	return buf;
}

/* One log line for a decision about REQ. */
static void
log_decision(const struct request *req, int prio, const char *what,
    const char *detail)
{
	char u[DISPATCH_LOG_SIZE];

	pj_logf(req->ctx->log, prio,
	    "%s op=%s caller_uid=%lu caller_pid=%ld user=%s%s%s", what,
	    req->op->name, (unsigned long)req->caller->uid,
	    (long)req->caller->pid,
	    req->user != NULL ? esc(req->user, u) : "-",
	    detail != NULL ? " " : "", detail != NULL ? detail : "");
}

/*
 * Read "user" and decide.  Returns PJ_OK when REQ may go on (REQ->user
 * set), else PJ_ERR_REFUSED with *R the refusal (NULL when memory ran
 * out: the connection then closes without an answer).
 */
static int
authorise(struct request *req, struct json_object **r)
{
	const char *named = NULL;
	bool is_root = req->caller->uid == 0;

	*r = NULL;
	if (jsonstrict_has(req->msg, "user")) {
		if (!proto_get_str(req->msg, "user", &named) ||
		    named[0] == '\0' || strlen(named) > DISPATCH_MAX_USER) {
			*r = proto_new_error(PROTO_E_BAD_REQUEST,
			    "\"user\" must be a user name");
			return PJ_ERR_REFUSED;
		}
	} else if (req->op->needs_user) {
		*r = proto_new_error(PROTO_E_BAD_REQUEST,
		    "this op needs \"user\"");
		return PJ_ERR_REFUSED;
	}
	if (!name_of_uid(req->caller->uid, req->caller_name,
	    sizeof(req->caller_name))) {
		req->user = named;
		log_decision(req, LOG_NOTICE, "refused",
		    "reason=unknown_user (the caller has no account)");
		*r = proto_new_error(PROTO_E_UNKNOWN_USER,
		    "your uid has no account on this host");
		return PJ_ERR_REFUSED;
	}
	req->user = named != NULL ? named : req->caller_name;

	/* The gate: root for anyone, everyone else for themselves. */
	if (!is_root && (req->op->root_only ||
	    strcmp(req->user, req->caller_name) != 0)) {
		log_decision(req, LOG_NOTICE, "refused", "reason=forbidden");
		*r = proto_new_error(PROTO_E_FORBIDDEN, req->op->root_only ?
		    "only root may do this" :
		    "you may only act for yourself");
		return PJ_ERR_REFUSED;
	}
	if (is_root && !user_exists(req->user)) {
		*r = proto_new_error(PROTO_E_UNKNOWN_USER,
		    "no such user on this host");
		return PJ_ERR_REFUSED;
	}
	return PJ_OK;
}

/* Optional string member NAME of TOKENS into *OUT (a copy). */
static int
copy_opt_str(struct json_object *tokens, const char *name, char **out)
{
	const char *s;

	*out = NULL;
	if (!jsonstrict_has(tokens, name))
		return PJ_OK;
	if (!proto_get_str(tokens, name, &s) || s[0] == '\0')
		return PJ_ERR_REFUSED;
	*out = strdup(s);
	return *out != NULL ? PJ_OK : PJ_ERR_NOMEM;
}

/* Move what the verifier found out of VD into E. */
static void
take_claims(struct store_entry *e, struct verdict *vd)
{
	e->issuer = vd->claims.iss;
	vd->claims.iss = NULL;
	e->subject = vd->claims.sub;
	vd->claims.sub = NULL;
	e->groups = vd->claims.groups;
	e->n_groups = vd->claims.n_groups;
	vd->claims.groups = NULL;
	vd->claims.n_groups = 0;
	e->exp = vd->claims.exp;
}

/*
 * The token endpoint response in "tokens": access_token (required),
 * refresh_token and id_token (optional, opaque), expires_in (optional,
 * checked for type); anything else a provider adds (token_type, scope)
 * is ignored.  Returns PJ_OK, PJ_ERR_REFUSED with *R (the refusal, NULL
 * when memory ran out) or PJ_ERR_NOMEM.
 */
static int
read_tokens(struct request *req, struct store_entry *e,
    struct json_object **r)
{
	struct json_object *t = jsonstrict_get(req->msg, "tokens");
	struct json_object *ei;
	int err = PJ_ERR_REFUSED;

	*r = NULL;
	if (t == NULL || !json_object_is_type(t, json_type_object)) {
		*r = proto_new_error(PROTO_E_BAD_REQUEST,
		    "\"tokens\" must be a token endpoint response object");
		return PJ_ERR_REFUSED;
	}
	err = copy_opt_str(t, "access_token", &e->access_token);
	if (err == PJ_OK && e->access_token == NULL)
		err = PJ_ERR_REFUSED;
	if (err == PJ_OK)
		err = copy_opt_str(t, "refresh_token", &e->refresh_token);
	/* Verified in verify_for_store; never handed out. */
	if (err == PJ_OK)
		err = copy_opt_str(t, "id_token", &e->id_token);
	ei = jsonstrict_get(t, "expires_in");
	if (err == PJ_OK && jsonstrict_has(t, "expires_in") &&
	    (ei == NULL || !json_object_is_type(ei, json_type_int) ||
	    json_object_get_int64(ei) < 0))
		err = PJ_ERR_REFUSED;
	if (err == PJ_ERR_REFUSED)
		*r = proto_new_error(PROTO_E_BAD_REQUEST,
		    "\"tokens\" needs \"access_token\"; \"refresh_token\" "
		    "and \"id_token\" are strings, \"expires_in\" an "
		    "integer");
	return err;
}

/*
 * E's ID token, when it has one, after its access token verified: with
 * the issuer's client_id as audience (idtoken.h).  Without a client_id
 * it cannot be verified: it is dropped, and the set stored without it.
 * Returns PJ_OK, PJ_ERR_REFUSED with *R (the refusal, NULL when memory
 * ran out).
 */
static int
verify_id_token(struct request *req, struct store_entry *e,
    struct json_object **r)
{
	enum reason why;
	char msg[300], full[320];
	int err;

	if (e->id_token == NULL)
		return PJ_OK;
	if (!idtoken_can_verify(req->ctx->cfg, e->issuer)) {
		wipe_free(e->id_token, strlen(e->id_token));
		e->id_token = NULL;
		log_decision(req, LOG_NOTICE, "dropped the ID token",
		    "(no client_id: it cannot be verified)");
		return PJ_OK;
	}
	err = idtoken_verify(req->ctx->cfg, req->ctx->log, e->id_token,
	    req->user, e->issuer, e->subject, (int64_t)time(NULL), &why,
	    msg, sizeof(msg));
	if (err == PJ_OK)
		return PJ_OK;
	if (err == PJ_ERR_REFUSED) {
		snprintf(full, sizeof(full), "id_token: %s: %s",
		    reason_name(why), msg);
		*r = proto_new_error(PROTO_E_BAD_TOKEN, full);
		snprintf(full, sizeof(full), "id_token reason=%s",
		    reason_name(why));
		log_decision(req, LOG_NOTICE, "refused token", full);
	} else {
		*r = proto_new_error(PROTO_E_INTERNAL, msg);
	}
	return PJ_ERR_REFUSED;
}

/*
 * Verify E's access token for the request's user now, then its ID token
 * (verify_id_token); on PJ_OK E holds what the access token says.
 * Returns PJ_OK, PJ_ERR_REFUSED with *R (the refusal, NULL when memory
 * ran out).
 */
static int
verify_for_store(struct request *req, struct store_entry *e,
    struct json_object **r)
{
	struct verdict vd;
	enum reason why;
	char msg[320];
	int err, rc = PJ_ERR_REFUSED;

	*r = NULL;
	memset(&vd, 0, sizeof(vd));
	err = verifier_verify(req->ctx->verifier, e->access_token,
	    strlen(e->access_token), req->user, (int64_t)time(NULL), NULL,
	    &vd);
	if (err == PJ_ERR_REFUSED || err == PJ_ERR_NOT_TOKEN) {
		why = vd.reason != REASON_NONE ? vd.reason : REASON_MALFORMED;
		snprintf(msg, sizeof(msg), "%s: %s", reason_name(why),
		    vd.message[0] != '\0' ? vd.message : "not a JWT");
		*r = proto_new_error(PROTO_E_BAD_TOKEN, msg);
		snprintf(msg, sizeof(msg), "reason=%s", reason_name(why));
		log_decision(req, LOG_NOTICE, "refused token", msg);
		goto out;
	}
	if (err != PJ_OK) {
		*r = proto_new_error(PROTO_E_INTERNAL,
		    "the helper cannot verify tokens now: see its log");
		goto out;
	}
	take_claims(e, &vd);
	rc = verify_id_token(req, e, r);
out:
	verdict_clear(&vd);
	return rc;
}

/* The store's database could not take a change (logged by the store). */
static struct json_object *
cannot_store(void)
{
	return proto_new_error(PROTO_E_INTERNAL,
	    "the helper cannot write its store now: see its log");
}

/*
 * "origin": "admin" (the default: "pam-jwt store") or "login" (the
 * module, after an authentication).  Returns PJ_OK or PJ_ERR_REFUSED.
 */
static int
read_origin(struct request *req, enum store_origin *origin)
{
	const char *s;

	*origin = STORE_ORIGIN_ADMIN;
	if (!jsonstrict_has(req->msg, "origin"))
		return PJ_OK;
	if (!proto_get_str(req->msg, "origin", &s))
		return PJ_ERR_REFUSED;
	if (strcmp(s, "login") == 0)
		*origin = STORE_ORIGIN_LOGIN;
	else if (strcmp(s, "admin") != 0)
		return PJ_ERR_REFUSED;
	return PJ_OK;
}

/*
 * A login's hand-off does not replace a set root stored: that one may
 * hold a refresh token the login does not bring, and root's set is kept
 * until logout or drop.  Answers ok with "kept": true.
 */
static struct json_object *
kept_admin_set(struct request *req)
{
	struct json_object *r = reply_ok();

	log_decision(req, LOG_INFO, "kept", "origin=admin");
	if (r != NULL && (!reply_add_str(r, "user", req->user) ||
	    !reply_add(r, "kept", json_object_new_boolean(1)))) {
		proto_put(r);
		r = NULL;
	}
	return r;
}

static struct json_object *
op_store(struct request *req)
{
	struct store_entry *e, *old;
	struct json_object *r = NULL;
	enum store_origin origin;
	char detail[64];
	int64_t exp;
	int err;

	if (read_origin(req, &origin) != PJ_OK)
		return proto_new_error(PROTO_E_BAD_REQUEST,
		    "\"origin\" is \"admin\" or \"login\"");
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	if (read_tokens(req, e, &r) != PJ_OK)
		goto out;
	if (verify_for_store(req, e, &r) != PJ_OK)
		goto out;
	old = store_find(req->ctx->store, req->user);
	if (origin == STORE_ORIGIN_LOGIN && old != NULL &&
	    old->origin == STORE_ORIGIN_ADMIN) {
		r = kept_admin_set(req);
		goto out;
	}
	e->origin = origin;
	e->user = strdup(req->user);
	if (e->user == NULL)
		goto out;
	e->stored_at = (int64_t)time(NULL);
	exp = e->exp;
	err = store_put(req->ctx->store, e);
	e = NULL;
	if (err != PJ_OK) {
		r = cannot_store();
		goto out;
	}
	snprintf(detail, sizeof(detail), "exp=%" PRId64 " origin=%s", exp,
	    origin == STORE_ORIGIN_LOGIN ? "login" : "admin");
	log_decision(req, LOG_INFO, "stored", detail);
	r = reply_ok();
	if (r != NULL && (!reply_add_str(r, "user", req->user) ||
	    !reply_add(r, "expires", json_object_new_int64(exp)))) {
		proto_put(r);
		r = NULL;
	}
out:
	store_entry_free(e);
	return r;
}

/*
 * logout and drop both forget the user's tokens now, after revoking the
 * refresh token at the provider (renew_revoke: best effort).
 */
static struct json_object *
op_drop(struct request *req)
{
	struct store_entry *e = store_find(req->ctx->store, req->user);
	struct json_object *r;
	bool dropped;

	if (e != NULL && req->ctx->renew != NULL)
		renew_revoke(req->ctx->renew, e);
	if (store_drop(req->ctx->store, req->user, &dropped) != PJ_OK)
		return cannot_store();
	if (dropped)
		log_decision(req, LOG_INFO, "dropped", NULL);
	r = reply_ok();
	if (r != NULL && (!reply_add_str(r, "user", req->user) ||
	    !reply_add(r, "dropped", json_object_new_boolean(dropped)))) {
		proto_put(r);
		r = NULL;
	}
	return r;
}

/*
 * Fetch the key sets now (DESIGN.md "Helper"): anyone may ask, as the
 * module does when it meets an unknown kid; the rate limit in jwks.c,
 * not the caller, decides whether a fetch is made.
 */
static struct json_object *
op_jwks_refresh(struct request *req)
{
	struct json_object *r;
	const char *issuer = NULL;
	bool fetched, changed;
	char msg[320];
	int err;

	if (jsonstrict_has(req->msg, "issuer") &&
	    (!proto_get_str(req->msg, "issuer", &issuer) ||
	    issuer[0] == '\0'))
		return proto_new_error(PROTO_E_BAD_REQUEST,
		    "\"issuer\" must be a string");
	err = jwks_refresh(req->ctx->jwks, issuer, proto_now_ms(), &fetched,
	    &changed, msg, sizeof(msg));
	if (err == JWKS_ERR_NOT_KEPT || err == JWKS_ERR_FETCH)
		log_decision(req, LOG_INFO, "key set refresh",
		    err == JWKS_ERR_NOT_KEPT ? "error=no_key_set" :
		    "error=fetch_failed");
	if (err == JWKS_ERR_NOT_KEPT)
		return proto_new_error(PROTO_E_NO_KEY_SET, msg);
	if (err == JWKS_ERR_FETCH)
		return proto_new_error(PROTO_E_FETCH_FAILED, msg);
	if (err != PJ_OK)
		return NULL;
	log_decision(req, LOG_INFO, "key set refresh", fetched ?
	    (changed ? "fetched=yes changed=yes" : "fetched=yes changed=no") :
	    "fetched=no changed=no");
	r = reply_ok();
	if (r != NULL && (!reply_add(r, "fetched",
	    json_object_new_boolean(fetched)) || !reply_add(r, "changed",
	    json_object_new_boolean(changed)))) {
		proto_put(r);
		r = NULL;
	}
	return r;
}

/*
 * "session": 1 to DISPATCH_MAX_SESSION characters of [A-Za-z0-9._-].
 * NULL when absent or malformed.
 */
static const char *
read_session(struct request *req)
{
	const char *s;
	size_t i, n;

	if (!proto_get_str(req->msg, "session", &s))
		return NULL;
	n = strlen(s);
	if (n == 0 || n > DISPATCH_MAX_SESSION)
		return NULL;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return NULL;
	}
	return s;
}

static struct json_object *
bad_session(void)
{
	return proto_new_error(PROTO_E_BAD_REQUEST,
	    "\"session\" is 1 to 64 of A-Z a-z 0-9 . _ -");
}

/* {"ok": true, "user": ..., "sessions": N}, or NULL. */
static struct json_object *
sessions_ok(struct request *req, size_t n)
{
	struct json_object *r = reply_ok();

	if (r != NULL && (!reply_add_str(r, "user", req->user) ||
	    !reply_add(r, "sessions", json_object_new_int64((int64_t)n)))) {
		proto_put(r);
		r = NULL;
	}
	return r;
}

static struct json_object *
op_session_open(struct request *req)
{
	const char *id = read_session(req);
	char detail[32];
	size_t n;
	int err;

	if (id == NULL)
		return bad_session();
	err = store_session_open(req->ctx->store, req->user, id, &n);
	if (err == PJ_ERR_NOMEM)
		return NULL;
	if (err != PJ_OK) {
		log_decision(req, LOG_WARNING, "refused",
		    "reason=too_many_sessions");
		return proto_new_error(PROTO_E_INTERNAL,
		    "the helper counts no more sessions now");
	}
	snprintf(detail, sizeof(detail), "sessions=%zu", n);
	log_decision(req, LOG_INFO, "session opened", detail);
	return sessions_ok(req, n);
}

/*
 * The last session of a user closed: a set a login handed over is
 * forgotten as logout forgets it (op_drop, which also revokes the
 * refresh token once the renewal does), unless keep_after_logout is set
 * or root stored the set.
 */
static struct json_object *
op_session_close(struct request *req)
{
	const char *id = read_session(req);
	struct store_entry *e;
	struct json_object *r;
	char detail[48];
	bool was_open;
	size_t n;

	if (id == NULL)
		return bad_session();
	store_session_close(req->ctx->store, req->user, id, &was_open, &n);
	snprintf(detail, sizeof(detail), "sessions=%zu%s", n,
	    was_open ? "" : " unknown_session");
	log_decision(req, LOG_INFO, "session closed", detail);
	e = store_find(req->ctx->store, req->user);
	if (n > 0 || e == NULL || e->origin != STORE_ORIGIN_LOGIN ||
	    req->ctx->keep_after_logout)
		return sessions_ok(req, n);
	r = op_drop(req);
	if (r != NULL && json_object_get_boolean(
	    json_object_object_get(r, "ok")) &&
	    !reply_add(r, "sessions", json_object_new_int64(0))) {
		proto_put(r);
		r = NULL;
	}
	return r;
}

static struct json_object *
run_op(struct request *req)
{
	switch (req->op->op) {
	case OP_STATUS:
		return reply_status(req->ctx->store, req->user);
	case OP_TOKEN:
		return reply_token(req->ctx->store, req->ctx->verifier,
		    req->user);
	case OP_STORE:
		return op_store(req);
	case OP_LOGOUT:
	case OP_DROP:
		return op_drop(req);
	case OP_JWKS_REFRESH:
		return op_jwks_refresh(req);
	case OP_SESSION_OPEN:
		return op_session_open(req);
	case OP_SESSION_CLOSE:
		return op_session_close(req);
	}
	return proto_new_error(PROTO_E_INTERNAL, "unknown op");
}

struct json_object *
dispatch_request(struct dispatch_ctx *ctx,
    const struct dispatch_caller *caller, const char *body, size_t len)
{
	struct request req;
	struct json_object *r = NULL;
	const char *opname;
	int err;

	memset(&req, 0, sizeof(req));
	req.ctx = ctx;
	req.caller = caller;
	err = proto_parse(body, len, &req.msg);
	if (err == PJ_ERR_NOMEM)
		goto out;
	if (err == PROTO_ERR_VERSION) {
		r = dispatch_error(PROTO_E_UNSUPPORTED_VERSION);
		goto out;
	}
	if (err != PJ_OK || !proto_get_str(req.msg, "op", &opname)) {
		r = dispatch_error(PROTO_E_BAD_REQUEST);
		goto out;
	}
	req.op = find_op(opname);
	if (req.op == NULL || !members_allowed(req.msg, req.op)) {
		r = proto_new_error(PROTO_E_BAD_REQUEST, req.op == NULL ?
		    "unknown op" : "unknown member for this op");
		goto out;
	}
	if (!req.op->anyone && authorise(&req, &r) != PJ_OK)
		goto out;
	r = run_op(&req);
out:
	proto_put(req.msg);
	return r;
}
