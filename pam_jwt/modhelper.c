/*
 * Talking to the helper from inside a PAM stack: one request, one
 * answer, all within helper_timeout_ms, and nothing the host could
 * notice.  The descriptor is non-blocking and close-on-exec, writes never
 * raise SIGPIPE (proto_io.c), and every buffer that held the token is
 * wiped before it is freed.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "modhelper.h"
#include "proto.h"
#include "reason.h"
#include "strutil.h"
#include "wipe.h"

#define MODHELPER_ID_BYTES 16
#define MODHELPER_LOG_MAX 64
#define MODHELPER_LOG_SIZE (4 * MODHELPER_LOG_MAX + 4)
#define MODHELPER_MSG_MAX 120
#define MODHELPER_MSG_SIZE (4 * MODHELPER_MSG_MAX + 4)

/* Why an exchange did not succeed, for the log line. */
static const char *
failure(int err, int sys_errno)
{
	switch (err) {
	case PROTO_ERR_TIMEOUT:
		return "no answer in helper_timeout_ms";
	case PROTO_ERR_CLOSED:
		return "the helper closed the connection";
	case PROTO_ERR_TOO_LARGE:
		return "message too large";
	case PJ_ERR_NOMEM:
		return "out of memory";
	case PROTO_ERR_BAD_MSG:
	case PROTO_ERR_VERSION:
		return "the answer is not a valid message";
	default:
		break;
	}
	if (sys_errno == ENOENT || sys_errno == ECONNREFUSED)
		return "the helper is not running";
	if (sys_errno == ETIMEDOUT)
		return "no answer in helper_timeout_ms";
	return "the helper cannot be reached";
}

/*
 * Send REQ to the helper at P->helper_socket and read the answer, all by
 * one deadline.  Returns PJ_OK with *ANSWER (release with proto_put), or
 * a PROTO_ERR_* / PJ_ERR_* code with *SYS_ERRNO set for a failed connect.
 */
static int
exchange(const struct policy *p, struct json_object *req,
    struct json_object **answer, int *sys_errno)
{
	int64_t deadline;
	char *out = NULL, *in = NULL;
	size_t out_len = 0, in_len = 0;
	int fd = -1;
	int err;

	*answer = NULL;
	*sys_errno = 0;
	deadline = proto_now_ms() + (p->helper_timeout_ms > 0 ?
	    p->helper_timeout_ms : 0);
	err = proto_serialize(req, &out, &out_len);
	if (err != PJ_OK)
		goto out;
	fd = proto_connect(p->helper_socket, deadline);
	if (fd < 0) {
		*sys_errno = errno;
		err = PROTO_ERR_IO;
		goto out;
	}
	err = proto_write_msg(fd, deadline, out, out_len);
	if (err != PJ_OK)
		goto out;
	err = proto_read_msg(fd, deadline, &in, &in_len);
	if (err != PJ_OK)
		goto out;
	err = proto_parse(in, in_len, answer);
out:
	if (fd >= 0)
		close(fd);
	if (out != NULL)
		wipe_free(out, out_len + 1);
	if (in != NULL)
		wipe_free(in, in_len + 1);
	return err;
}

/*
 * Run one request for USER and log its outcome: LOG_DEBUG when the
 * helper said ok, LOG_INFO when it is not running, else LOG_WARNING.
 */
static void
request(const struct policy *p, const struct pj_log *log,
    struct json_object *req, const char *op, const char *user)
{
	struct json_object *answer = NULL, *ok;
	const char *name = NULL, *msg = NULL;
	char u[MODHELPER_LOG_SIZE], e[MODHELPER_LOG_SIZE];
	char m[MODHELPER_MSG_SIZE];
	int err, sys_errno;

	strutil_escape(user, strlen(user), MODHELPER_LOG_MAX, u, sizeof(u));
	err = exchange(p, req, &answer, &sys_errno);
	if (err != PJ_OK) {
		pj_logf(log, sys_errno == ENOENT || sys_errno == ECONNREFUSED ?
		    LOG_INFO : LOG_WARNING,
		    "helper: %s for user=%s not done: %s", op, u,
		    failure(err, sys_errno));
		goto out;
	}
	ok = json_object_object_get(answer, "ok");
	if (ok != NULL && json_object_is_type(ok, json_type_boolean) &&
	    json_object_get_boolean(ok)) {
		pj_logf(log, LOG_DEBUG, "helper: %s for user=%s done", op, u);
		goto out;
	}
	if (!proto_get_str(answer, "error", &name))
		name = "no error given";
	strutil_escape(name, strlen(name), MODHELPER_LOG_MAX, e, sizeof(e));
	if (!proto_get_str(answer, "message", &msg))
		msg = "";
	/* The helper's words: never a token, but bounded and escaped. */
	strutil_escape(msg, strlen(msg), MODHELPER_MSG_MAX, m, sizeof(m));
	pj_logf(log, LOG_WARNING,
	    "helper: %s for user=%s refused: error=%s message=%s", op, u, e,
	    m);
out:
	proto_put(answer);
}

/* Set PAM_JWT_SESSION to a fresh id; false when it could not be set. */
static bool
new_session(pam_handle_t *pamh, const struct pj_log *log)
{
	unsigned char raw[MODHELPER_ID_BYTES];
	char env[sizeof(MODHELPER_SESSION_ENV) + 2 * MODHELPER_ID_BYTES + 1];
	size_t i, off;
	ssize_t r;

	do {
		r = getrandom(raw, sizeof(raw), 0);
	} while (r < 0 && errno == EINTR);
	if (r != (ssize_t)sizeof(raw)) {
		pj_logf(log, LOG_WARNING, "helper: no random session id");
		return false;
	}
	off = (size_t)snprintf(env, sizeof(env), "%s=",
	    MODHELPER_SESSION_ENV);
	for (i = 0; i < sizeof(raw); i++)
		off += (size_t)snprintf(env + off, sizeof(env) - off, "%02x",
		    raw[i]);
	return pam_putenv(pamh, env) == PAM_SUCCESS;
}

void
modhelper_clear(pam_handle_t *pamh)
{
	if (pam_getenv(pamh, MODHELPER_SESSION_ENV) != NULL)
		(void)pam_putenv(pamh, MODHELPER_SESSION_ENV);
}

const char *
modhelper_session_id(pam_handle_t *pamh)
{
	return pam_getenv(pamh, MODHELPER_SESSION_ENV);
}

void
modhelper_login(pam_handle_t *pamh, const struct policy *p,
    const struct pj_log *log, const char *user, const char *token,
    size_t len)
{
	struct json_object *req, *tokens;
	bool ok;

	if (!new_session(pamh, log))
		pj_logf(log, LOG_WARNING,
		    "helper: PAM_JWT_SESSION not set: sessions not counted");
	req = proto_new_msg("store");
	tokens = json_object_new_object();
	ok = req != NULL && tokens != NULL;
	if (ok && json_object_object_add(req, "tokens", tokens) != 0)
		ok = false;
	else if (ok)
		tokens = NULL;
	ok = ok && json_object_object_add(req, "user",
	    json_object_new_string(user)) == 0;
	ok = ok && json_object_object_add(req, "origin",
	    json_object_new_string("login")) == 0;
	ok = ok && json_object_object_add(json_object_object_get(req,
	    "tokens"), "access_token",
	    json_object_new_string_len(token, (int)len)) == 0;
	if (ok)
		request(p, log, req, "store", user);
	else
		pj_logf(log, LOG_WARNING, "helper: store not done: out of "
		    "memory");
	proto_put(tokens);
	proto_put(req);
}

void
modhelper_session(const struct policy *p, const struct pj_log *log,
    const char *op, const char *user, const char *id)
{
	struct json_object *req = proto_new_msg(op);

	if (req != NULL && json_object_object_add(req, "user",
	    json_object_new_string(user)) == 0 &&
	    json_object_object_add(req, "session",
	    json_object_new_string(id)) == 0)
		request(p, log, req, op, user);
	else
		pj_logf(log, LOG_WARNING, "helper: %s not done: out of memory",
		    op);
	proto_put(req);
}

void
modhelper_jwks_refresh(const struct policy *p, const struct pj_log *log)
{
	struct json_object *req, *answer = NULL, *ok;
	const char *name = NULL;
	char e[MODHELPER_LOG_SIZE];
	int err, sys_errno;

	req = proto_new_msg("jwks_refresh");
	if (req == NULL) {
		pj_logf(log, LOG_WARNING, "helper: jwks_refresh not done: "
		    "out of memory");
		return;
	}
	err = exchange(p, req, &answer, &sys_errno);
	if (err != PJ_OK) {
		pj_logf(log, sys_errno == ENOENT || sys_errno == ECONNREFUSED ?
		    LOG_INFO : LOG_WARNING,
		    "helper: jwks_refresh not done: %s",
		    failure(err, sys_errno));
		goto out;
	}
	ok = json_object_object_get(answer, "ok");
	if (ok != NULL && json_object_is_type(ok, json_type_boolean) &&
	    json_object_get_boolean(ok)) {
		pj_logf(log, LOG_INFO, "helper: asked the helper to refresh "
		    "the key set (unknown kid)");
		goto out;
	}
	/* no_key_set, fetch_failed: the helper logs the cause. */
	if (!proto_get_str(answer, "error", &name))
		name = "no error given";
	strutil_escape(name, strlen(name), MODHELPER_LOG_MAX, e, sizeof(e));
	pj_logf(log, LOG_INFO, "helper: asked the helper to refresh the key "
	    "set (unknown kid): error=%s", e);
out:
	proto_put(answer);
	proto_put(req);
}
