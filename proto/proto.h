/*
 * The helper's wire protocol, shared by the daemon and its clients (the
 * command-line tool, later the module).  doc/PROTOCOL.md is the
 * specification; this is its one implementation.
 *
 * A message is a 4-byte big-endian length followed by that many bytes of
 * one strict JSON object (lib/jsonstrict.h) carrying "v": 1.  Requests
 * name an "op"; responses carry "ok" and, when false, "error".  No message
 * is longer than PROTO_MAX_MSG: the length is checked before anything is
 * allocated.  Every read and write has a deadline, so that a slow peer
 * cannot hold the other side.
 *
 * Nothing here knows PAM, HTTP or the store; it depends on json-c and the
 * core's jsonstrict, wipe and strutil only.
 */
#ifndef PJ_PROTO_H
#define PJ_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define PROTO_VERSION 1
#define PROTO_MAX_MSG (64 * 1024)	/* bytes after the length prefix */
#define PROTO_HDR_LEN 4

/*
 * Results of this layer, beside PJ_OK and PJ_ERR_NOMEM (reason.h).  They
 * do not overlap the core's codes.
 */
enum proto_err {
	PROTO_AGAIN = -40,	/* non-blocking step: not finished yet */
	PROTO_ERR_CLOSED = -41,	/* the peer closed, maybe mid-message */
	PROTO_ERR_TOO_LARGE = -42,	/* length prefix over PROTO_MAX_MSG */
	PROTO_ERR_TIMEOUT = -43,	/* the deadline passed */
	PROTO_ERR_IO = -44,	/* a system call failed; errno is kept */
	PROTO_ERR_BAD_MSG = -45,	/* not one strict JSON object, or
					   "v" missing or not an integer */
	PROTO_ERR_VERSION = -46	/* "v" is an integer other than 1 */
};

/*
 * The "error" values of a refusal (doc/PROTOCOL.md "Errors").  Their
 * names are the contract; the order is not.
 */
enum proto_error {
	PROTO_E_FORBIDDEN,
	PROTO_E_UNKNOWN_USER,
	PROTO_E_NO_TOKEN,
	PROTO_E_BAD_REQUEST,
	PROTO_E_TOO_LARGE,
	PROTO_E_UNSUPPORTED_VERSION,
	PROTO_E_BAD_TOKEN,
	PROTO_E_INTERNAL,
	PROTO_E_FETCH_FAILED,
	PROTO_E_NO_KEY_SET,
	PROTO_E_COUNT
};

/* The wire name of E ("forbidden"); "internal" when out of range. */
const char *proto_error_name(enum proto_error e);

/* A monotonic clock in milliseconds, for deadlines. */
int64_t proto_now_ms(void);

/*
 * Reading one message step by step from a non-blocking descriptor: the
 * daemon keeps one per connection.  Zero it (or call proto_in_init)
 * before the first step; proto_in_clear wipes and frees the body.
 */
struct proto_in {
	unsigned char hdr[PROTO_HDR_LEN];
	size_t hdr_got;
	char *body;		/* allocated once the length is known */
	size_t len;		/* the announced length */
	size_t got;
};

void proto_in_init(struct proto_in *in);

/*
 * Read what FD has now.  Returns PJ_OK when the whole message is in
 * (IN->body, IN->len: owned by IN), PROTO_AGAIN when more is to come,
 * PROTO_ERR_TOO_LARGE as soon as the prefix announces more than
 * PROTO_MAX_MSG (nothing allocated), PROTO_ERR_CLOSED when the peer
 * closed before the end, PROTO_ERR_IO or PJ_ERR_NOMEM.  EINTR is retried.
 */
int proto_in_step(struct proto_in *in, int fd);

/* Wipe and free what IN holds; IN can be used again. */
void proto_in_clear(struct proto_in *in);

/* Writing one framed message step by step. */
struct proto_out {
	char *buf;		/* prefix and body */
	size_t len;
	size_t off;
};

/*
 * Frame the LEN bytes at BODY into OUT (a copy).  Returns PJ_OK,
 * PROTO_ERR_TOO_LARGE (LEN over PROTO_MAX_MSG) or PJ_ERR_NOMEM.
 */
int proto_out_set(struct proto_out *out, const char *body, size_t len);

/*
 * Write what FD takes now.  Returns PJ_OK when all is written,
 * PROTO_AGAIN, PROTO_ERR_CLOSED (EPIPE, ECONNRESET) or PROTO_ERR_IO.
 * Never raises SIGPIPE.
 */
int proto_out_step(struct proto_out *out, int fd);

/* Wipe and free what OUT holds. */
void proto_out_clear(struct proto_out *out);

/*
 * Blocking wrappers for clients, over a non-blocking FD: read or write
 * one whole message by DEADLINE (proto_now_ms() time), waiting with
 * poll.  proto_read_msg returns PJ_OK with *BUF (LEN bytes plus a NUL;
 * release with wipe_free(*BUF, *LEN + 1)) or an error of proto_in_step,
 * or PROTO_ERR_TIMEOUT.  proto_write_msg returns PJ_OK or an error of
 * proto_out_set/proto_out_step, or PROTO_ERR_TIMEOUT.
 */
int proto_read_msg(int fd, int64_t deadline, char **buf, size_t *len);
int proto_write_msg(int fd, int64_t deadline, const char *buf,
    size_t len);

/*
 * Parse a message body: one strict JSON object whose "v" is an integer.
 * Returns PJ_OK and *OUT (release with proto_put), PROTO_ERR_VERSION when
 * "v" is another integer than PROTO_VERSION, PROTO_ERR_BAD_MSG otherwise,
 * or PJ_ERR_NOMEM.
 */
int proto_parse(const char *buf, size_t len, struct json_object **out);

/*
 * Serialise OBJ (compact) into a fresh buffer *BUF of *LEN bytes plus a
 * NUL (release with wipe_free(*BUF, *LEN + 1)); json-c's own copy is
 * wiped.  Returns PJ_OK, PROTO_ERR_TOO_LARGE or PJ_ERR_NOMEM.
 */
int proto_serialize(struct json_object *obj, char **buf, size_t *len);

/*
 * Wipe every string inside OBJ (tokens travel in them), then release it.
 * NULL is fine.
 */
void proto_put(struct json_object *obj);

/*
 * A new message object with "v": 1, plus "op": OP when OP is not NULL.
 * Returns NULL when memory ran out.
 */
struct json_object *proto_new_msg(const char *op);

/*
 * A refusal: {"v": 1, "ok": false, "error": NAME, "message": MSG}.
 * Returns NULL when memory ran out.
 */
struct json_object *proto_new_error(enum proto_error e, const char *msg);

/*
 * Member NAME of OBJ as a string: true and *S when it is a JSON string
 * without an embedded NUL.  False when absent or of another type.
 */
bool proto_get_str(struct json_object *obj, const char *name,
    const char **s);

/*
 * Connect to the UNIX socket PATH by DEADLINE.  Returns a non-blocking,
 * close-on-exec descriptor, or -1 with errno set (ENAMETOOLONG for a path
 * that does not fit, ETIMEDOUT).
 */
int proto_connect(const char *path, int64_t deadline);

#endif
