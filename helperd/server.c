/*
 * The server loop.  Every connection is a small state machine: reading
 * the request (framing from proto/), then writing the response.  The
 * caller is identified with SO_PEERCRED when its request is complete,
 * for that request only.
 */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "jwks.h"
#include "proto.h"
#include "reason.h"
#include "server.h"
#include "wipe.h"

enum conn_state { CONN_FREE, CONN_READING, CONN_WRITING };

struct conn {
	enum conn_state state;
	int fd;
	int64_t deadline;
	struct proto_in in;
	struct proto_out out;
};

static void
conn_close(struct conn *c)
{
	if (c->state == CONN_FREE)
		return;
	close(c->fd);
	proto_in_clear(&c->in);
	proto_out_clear(&c->out);
	c->state = CONN_FREE;
	c->fd = -1;
}

/* Queue RESPONSE (consumed) on C, or close C when there is none. */
static void
conn_respond(struct conn *c, struct json_object *response)
{
	char *body = NULL;
	size_t len = 0;
	int err;

	proto_in_clear(&c->in);
	if (response == NULL) {
		conn_close(c);
		return;
	}
	err = proto_serialize(response, &body, &len);
	proto_put(response);
	if (err == PJ_OK)
		err = proto_out_set(&c->out, body, len);
	if (body != NULL)
		wipe_free(body, len + 1);
	if (err != PJ_OK) {
		conn_close(c);
		return;
	}
	c->state = CONN_WRITING;
}

/* The whole request is in: who sent it, and the answer. */
static void
conn_request(struct conn *c, struct dispatch_ctx *ctx)
{
	struct dispatch_caller caller;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int64_t t0;

	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    len != sizeof(cred)) {
		pj_logf(ctx->log, LOG_ERR, "SO_PEERCRED: %s",
		    strerror(errno));
		conn_close(c);
		return;
	}
	caller.uid = cred.uid;
	caller.pid = cred.pid;
	t0 = proto_now_ms();
	conn_respond(c, dispatch_request(ctx, &caller, c->in.body,
	    c->in.len));
	/*
	 * The deadline bounds the client's time: a request the helper
	 * took long over (jwks_refresh fetching) still gets its answer.
	 */
	c->deadline += proto_now_ms() - t0;
}

static void
conn_readable(struct conn *c, struct dispatch_ctx *ctx)
{
	int err;

	err = proto_in_step(&c->in, c->fd);
	if (err == PROTO_AGAIN)
		return;
	if (err == PJ_OK)
		conn_request(c, ctx);
	else if (err == PROTO_ERR_TOO_LARGE)
		/* Answer, then close without reading the rest. */
		conn_respond(c, dispatch_error(PROTO_E_TOO_LARGE));
	else
		conn_close(c);
}

static void
conn_writable(struct conn *c)
{
	int err;

	err = proto_out_step(&c->out, c->fd);
	if (err != PROTO_AGAIN)
		conn_close(c);
}

/* Accept every waiting connection there is a slot for. */
static int
accept_all(int lfd, struct conn *conns, const struct pj_log *log)
{
	size_t i;
	int fd;

	for (i = 0; i < SERVER_MAX_CONN; i++) {
		if (conns[i].state != CONN_FREE)
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR || errno == ECONNABORTED)
				return 0;
			/* Out of descriptors or memory: try again later. */
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				return 0;
			pj_logf(log, LOG_ERR, "accept: %s", strerror(errno));
			return -1;
		}
		conns[i].fd = fd;
		conns[i].state = CONN_READING;
		conns[i].deadline = proto_now_ms() + SERVER_CONN_MS;
		proto_in_init(&conns[i].in);
		memset(&conns[i].out, 0, sizeof(conns[i].out));
	}
	return 0;
}

/*
 * Fill PFDS: slot 0 the listener (only while a connection slot is
 * free), then one per connection.  Returns the wait in milliseconds
 * until the nearest deadline (-1: none).  Deadlines already past close
 * their connection here.
 */
static int
prepare(int lfd, struct conn *conns, struct pollfd *pfds)
{
	int64_t now = proto_now_ms(), wait = -1, left;
	bool room = false;
	size_t i;

	for (i = 0; i < SERVER_MAX_CONN; i++) {
		struct conn *c = &conns[i];

		pfds[i + 1].fd = -1;
		pfds[i + 1].revents = 0;
		if (c->state != CONN_FREE && now >= c->deadline)
			conn_close(c);
		if (c->state == CONN_FREE) {
			room = true;
			continue;
		}
		pfds[i + 1].fd = c->fd;
		pfds[i + 1].events = c->state == CONN_READING ? POLLIN :
		    POLLOUT;
		left = c->deadline - now;
		if (wait < 0 || left < wait)
			wait = left;
	}
	pfds[0].fd = room ? lfd : -1;
	pfds[0].events = POLLIN;
	pfds[0].revents = 0;
	return (int)wait;
}

static void
handle(struct conn *conns, struct pollfd *pfds, struct dispatch_ctx *ctx)
{
	size_t i;

	for (i = 0; i < SERVER_MAX_CONN; i++) {
		struct conn *c = &conns[i];
		short ev = pfds[i + 1].revents;

		if (c->state == CONN_FREE || ev == 0)
			continue;
		if (c->state == CONN_READING)
			conn_readable(c, ctx);
		else if (c->state == CONN_WRITING)
			conn_writable(c);
	}
}

/* Move the deadline of every connection MS later. */
static void
shift_deadlines(struct conn *conns, int64_t ms)
{
	size_t i;

	for (i = 0; i < SERVER_MAX_CONN; i++) {
		if (conns[i].state != CONN_FREE)
			conns[i].deadline += ms;
	}
}

int
server_run(int lfd, struct dispatch_ctx *ctx, volatile sig_atomic_t *stop)
{
	struct conn conns[SERVER_MAX_CONN];
	struct pollfd pfds[SERVER_MAX_CONN + 1];
	struct timespec ts, *tsp;
	sigset_t waitmask;
	int64_t due, rdue, t0;
	size_t i;
	int wait, r, rc = -1;

	for (i = 0; i < SERVER_MAX_CONN; i++) {
		memset(&conns[i], 0, sizeof(conns[i]));
		conns[i].state = CONN_FREE;
		conns[i].fd = -1;
	}
	/* The signals the caller blocked come through only in ppoll. */
	sigemptyset(&waitmask);

	while (!*stop) {
		/*
		 * Key sets first.  A fetch may take a while (http.h): that
		 * time is the helper's, not the waiting clients'.
		 */
		t0 = proto_now_ms();
		due = jwks_run_due(ctx->jwks, t0);
		if (ctx->renew != NULL) {
			rdue = renew_run_due(ctx->renew, renew_now_ms());
			if (rdue >= 0 && (due < 0 || rdue < due))
				due = rdue;
		}
		shift_deadlines(conns, proto_now_ms() - t0);
		wait = prepare(lfd, conns, pfds);
		if (due >= 0 && (wait < 0 || due < wait))
			wait = due < INT_MAX ? (int)due : INT_MAX;
		tsp = NULL;
		if (wait >= 0) {
			ts.tv_sec = wait / 1000;
			ts.tv_nsec = (long)(wait % 1000) * 1000000;
			tsp = &ts;
		}
		r = ppoll(pfds, SERVER_MAX_CONN + 1, tsp, &waitmask);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			pj_logf(ctx->log, LOG_ERR, "poll: %s", strerror(errno));
			goto out;
		}
		handle(conns, pfds, ctx);
		if (pfds[0].revents != 0 &&
		    accept_all(lfd, conns, ctx->log) != 0)
			goto out;
	}
	rc = 0;
out:
	for (i = 0; i < SERVER_MAX_CONN; i++)
		conn_close(&conns[i]);
	return rc;
}
