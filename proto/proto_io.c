/*
 * The helper protocol's framing: a 4-byte big-endian length, then the
 * body.  The length is checked against PROTO_MAX_MSG before anything is
 * allocated, so that a client announcing 2 GiB costs nothing.  Reads and
 * writes go step by step on non-blocking descriptors: the daemon drives
 * many connections from one poll loop, the clients wrap the same steps
 * in a loop with a deadline.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "reason.h"
#include "wipe.h"

int64_t
proto_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
proto_in_init(struct proto_in *in)
{
	memset(in, 0, sizeof(*in));
}

void
proto_in_clear(struct proto_in *in)
{
	if (in->body != NULL)
		wipe_free(in->body, in->len + 1);
	proto_in_init(in);
}

/* read() without EINTR; 0 at end of file. */
static ssize_t
read_some(int fd, void *p, size_t n)
{
	ssize_t r;

	do {
		r = read(fd, p, n);
	} while (r < 0 && errno == EINTR);
	return r;
}

/* The result of a read that returned R (< 1). */
static int
read_failure(ssize_t r)
{
	if (r == 0)
		return PROTO_ERR_CLOSED;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return PROTO_AGAIN;
	if (errno == ECONNRESET)
		return PROTO_ERR_CLOSED;
	return PROTO_ERR_IO;
}

/* The prefix is in: check the length, then allocate the body. */
static int
start_body(struct proto_in *in)
{
	uint32_t n;

	n = (uint32_t)in->hdr[0] << 24 | (uint32_t)in->hdr[1] << 16 |
	    (uint32_t)in->hdr[2] << 8 | (uint32_t)in->hdr[3];
	if (n > PROTO_MAX_MSG)
		return PROTO_ERR_TOO_LARGE;
	in->len = n;
	in->body = malloc(in->len + 1);
	if (in->body == NULL)
		return PJ_ERR_NOMEM;
	in->body[in->len] = '\0';
	return PJ_OK;
}

int
proto_in_step(struct proto_in *in, int fd)
{
	ssize_t r;
	int err;

	while (in->hdr_got < PROTO_HDR_LEN) {
		r = read_some(fd, in->hdr + in->hdr_got,
		    PROTO_HDR_LEN - in->hdr_got);
		if (r <= 0)
			return read_failure(r);
		in->hdr_got += (size_t)r;
		if (in->hdr_got == PROTO_HDR_LEN) {
			err = start_body(in);
			if (err != PJ_OK)
				return err;
		}
	}
	while (in->got < in->len) {
		r = read_some(fd, in->body + in->got, in->len - in->got);
		if (r <= 0)
			return read_failure(r);
		in->got += (size_t)r;
	}
	return PJ_OK;
}

int
proto_out_set(struct proto_out *out, const char *body, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (len > PROTO_MAX_MSG)
		return PROTO_ERR_TOO_LARGE;
	out->buf = malloc(PROTO_HDR_LEN + len);
	if (out->buf == NULL)
		return PJ_ERR_NOMEM;
	out->buf[0] = (char)(len >> 24 & 0xff);
	out->buf[1] = (char)(len >> 16 & 0xff);
	out->buf[2] = (char)(len >> 8 & 0xff);
	out->buf[3] = (char)(len & 0xff);
	if (len > 0)
		memcpy(out->buf + PROTO_HDR_LEN, body, len);
	out->len = PROTO_HDR_LEN + len;
	return PJ_OK;
}

int
proto_out_step(struct proto_out *out, int fd)
{
	ssize_t r;

	while (out->off < out->len) {
		/* send(), not write(): MSG_NOSIGNAL spares us SIGPIPE. */
		r = send(fd, out->buf + out->off, out->len - out->off,
		    MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return PROTO_AGAIN;
		if (r < 0 && (errno == EPIPE || errno == ECONNRESET))
			return PROTO_ERR_CLOSED;
		if (r <= 0)
			return PROTO_ERR_IO;
		out->off += (size_t)r;
	}
	return PJ_OK;
}

void
proto_out_clear(struct proto_out *out)
{
	if (out->buf != NULL)
		wipe_free(out->buf, out->len);
	memset(out, 0, sizeof(*out));
}

/*
 * Wait until FD is ready for EVENTS or DEADLINE passes.  Returns PJ_OK,
 * PROTO_ERR_TIMEOUT or PROTO_ERR_IO.  A signal only shortens the wait.
 */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p;
	int64_t left;
	int r;

	for (;;) {
		left = deadline - proto_now_ms();
		if (left <= 0)
			return PROTO_ERR_TIMEOUT;
		p.fd = fd;
		p.events = events;
		p.revents = 0;
		r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return PJ_OK;
		if (r < 0 && errno != EINTR)
			return PROTO_ERR_IO;
	}
}

int
proto_read_msg(int fd, int64_t deadline, char **buf, size_t *len)
{
	struct proto_in in;
	int err;

	*buf = NULL;
	*len = 0;
	proto_in_init(&in);
	for (;;) {
		err = proto_in_step(&in, fd);
		if (err != PROTO_AGAIN)
			break;
		err = wait_fd(fd, POLLIN, deadline);
		if (err != PJ_OK)
			break;
	}
	if (err != PJ_OK)
		goto out;
	*buf = in.body;
	*len = in.len;
	in.body = NULL;
out:
	proto_in_clear(&in);
	return err;
}

int
proto_write_msg(int fd, int64_t deadline, const char *buf, size_t len)
{
	struct proto_out out;
	int err;

	err = proto_out_set(&out, buf, len);
	if (err != PJ_OK)
		goto out;
	for (;;) {
		err = proto_out_step(&out, fd);
		if (err != PROTO_AGAIN)
			break;
		err = wait_fd(fd, POLLOUT, deadline);
		if (err != PJ_OK)
			break;
	}
out:
	proto_out_clear(&out);
	return err;
}

int
proto_connect(const char *path, int64_t deadline)
{
	struct sockaddr_un sa;
	socklen_t salen;
	int fd, err, r;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	salen = (socklen_t)sizeof(sa);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	do {
		r = connect(fd, (struct sockaddr *)&sa, salen);
	} while (r < 0 && errno == EINTR);
	/*
	 * A UNIX socket connects at once or fails, except with a full
	 * backlog (EAGAIN): then wait for room until the deadline.
	 */
	while (r < 0 && errno == EAGAIN) {
		if (proto_now_ms() >= deadline) {
			errno = ETIMEDOUT;
			break;
		}
		usleep(10000);
		r = connect(fd, (struct sockaddr *)&sa, salen);
	}
	if (r < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}
