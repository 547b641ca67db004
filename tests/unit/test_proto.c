/*
 * The helper protocol's framing and messages (doc/PROTOCOL.md).  The
 * helper's socket is open to every local user, so this code is the first
 * thing an attacker talks to: a length prefix of 2 GiB must be refused
 * before anything is allocated, a truncated or silent peer must end in an
 * error by the deadline, and a message must be exactly one strict JSON
 * object with "v": 1, so that a duplicate "user" cannot mean one user to
 * the check and another to the store.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto.h"
#include "reason.h"
#include "testutil.h"
#include "wipe.h"

/* A connected non-blocking pair: [0] for the code, [1] for the test. */
static void
pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0, sv), 0);
}

static void
put_all(int fd, const void *p, size_t n)
{
	assert_int_equal(write(fd, p, n), (ssize_t)n);
}

static void
put_prefix(int fd, uint32_t n)
{
	unsigned char h[4] = { n >> 24, n >> 16 & 0xff, n >> 8 & 0xff,
	    n & 0xff };

	put_all(fd, h, 4);
}

static int
read_with(int fd, int ms, char **buf, size_t *len)
{
	return proto_read_msg(fd, proto_now_ms() + ms, buf, len);
}

static void
test_roundtrip(void **state)
{
	const char *msg = "{\"v\":1,\"op\":\"status\"}";
	char *buf = NULL;
	size_t len = 0;
	int sv[2];

	pair(sv);
	assert_int_equal(proto_write_msg(sv[1], proto_now_ms() + 1000, msg,
	    strlen(msg)), PJ_OK);
	assert_int_equal(read_with(sv[0], 1000, &buf, &len), PJ_OK);
	assert_int_equal(len, strlen(msg));
	assert_string_equal(buf, msg);
	wipe_free(buf, len + 1);
	close(sv[0]);
	close(sv[1]);
}

/* The wire form: 4 bytes big-endian, then the body. */
static void
test_wire_form(void **state)
{
	unsigned char got[16];
	int sv[2];

	pair(sv);
	assert_int_equal(proto_write_msg(sv[0], proto_now_ms() + 1000, "{}",
	    2), PJ_OK);
	assert_int_equal(read(sv[1], got, sizeof(got)), 6);
	assert_memory_equal(got, "\0\0\0\2{}", 6);
	close(sv[0]);
	close(sv[1]);
}

/* Exactly the limit passes, one more byte is refused on both sides. */
static void
test_limit(void **state)
{
	struct proto_out out;
	char *big, *buf = NULL;
	size_t len = 0;
	int sv[2];
	pid_t pid;
	int status;

	big = malloc(PROTO_MAX_MSG + 1);
	assert_non_null(big);
	memset(big, 'a', PROTO_MAX_MSG + 1);
	assert_int_equal(proto_out_set(&out, big, PROTO_MAX_MSG + 1),
	    PROTO_ERR_TOO_LARGE);
	assert_null(out.buf);

	/* The limit itself: a child writes while we read. */
	pair(sv);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		_exit(proto_write_msg(sv[1], proto_now_ms() + 5000, big,
		    PROTO_MAX_MSG) == PJ_OK ? 0 : 1);
	}
	close(sv[1]);
	assert_int_equal(read_with(sv[0], 5000, &buf, &len), PJ_OK);
	assert_int_equal(len, PROTO_MAX_MSG);
	assert_memory_equal(buf, big, PROTO_MAX_MSG);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	wipe_free(buf, len + 1);
	close(sv[0]);
	free(big);
}

/* A prefix over the limit is refused as soon as it is read. */
static void
test_prefix_too_large(void **state)
{
	static const uint32_t sizes[] = { PROTO_MAX_MSG + 1, 0x80000000u,
	    0xffffffffu };
	struct proto_in in;
	size_t i;
	int sv[2];

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		pair(sv);
		put_prefix(sv[1], sizes[i]);
		proto_in_init(&in);
		assert_int_equal(proto_in_step(&in, sv[0]),
		    PROTO_ERR_TOO_LARGE);
		/* Nothing was allocated for the body. */
		assert_null(in.body);
		proto_in_clear(&in);
		close(sv[0]);
		close(sv[1]);
	}
}

/* The peer closes in the prefix or in the body. */
static void
test_truncated(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	int sv[2];

	pair(sv);
	put_all(sv[1], "\0\0", 2);
	close(sv[1]);
	assert_int_equal(read_with(sv[0], 1000, &buf, &len),
	    PROTO_ERR_CLOSED);
	assert_null(buf);
	close(sv[0]);

	pair(sv);
	put_prefix(sv[1], 10);
	put_all(sv[1], "{\"v\":", 5);
	close(sv[1]);
	assert_int_equal(read_with(sv[0], 1000, &buf, &len),
	    PROTO_ERR_CLOSED);
	assert_null(buf);
	assert_int_equal(len, 0);
	close(sv[0]);

	pair(sv);
	close(sv[1]);
	assert_int_equal(read_with(sv[0], 1000, &buf, &len),
	    PROTO_ERR_CLOSED);
	close(sv[0]);
}

/* A peer that announces a body and goes silent meets the deadline. */
static void
test_deadline(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	int64_t t0, dt;
	int sv[2];

	pair(sv);
	put_prefix(sv[1], 100);
	put_all(sv[1], "{", 1);
	t0 = proto_now_ms();
	assert_int_equal(read_with(sv[0], 200, &buf, &len),
	    PROTO_ERR_TIMEOUT);
	dt = proto_now_ms() - t0;
	assert_true(dt >= 200);
	assert_true(dt < 2000);
	assert_null(buf);
	close(sv[0]);
	close(sv[1]);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

/* A signal during the wait (EINTR) does not end the read. */
static void
test_eintr(void **state)
{
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	struct sigaction sa, old;
	char *buf = NULL;
	size_t len = 0;
	int sv[2], status;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART */
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	pair(sv);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		usleep(200000);
		_exit(proto_write_msg(sv[1], proto_now_ms() + 1000, "{}", 2)
		    == PJ_OK ? 0 : 1);
	}
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	assert_int_equal(read_with(sv[0], 3000, &buf, &len), PJ_OK);
	assert_int_equal(len, 2);
	assert_string_equal(buf, "{}");
	wipe_free(buf, len + 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	sigaction(SIGALRM, &old, NULL);
	close(sv[0]);
	close(sv[1]);
}

/* One byte at a time: the step says "again" until the last byte. */
static void
test_byte_by_byte(void **state)
{
	const char wire[] = "\0\0\0\x0d{\"v\":1,\"a\":2}";
	struct proto_in in;
	size_t i;
	int sv[2];

	pair(sv);
	proto_in_init(&in);
	assert_int_equal(proto_in_step(&in, sv[0]), PROTO_AGAIN);
	for (i = 0; i < sizeof(wire) - 1; i++) {
		put_all(sv[1], wire + i, 1);
		assert_int_equal(proto_in_step(&in, sv[0]),
		    i + 1 < sizeof(wire) - 1 ? PROTO_AGAIN : PJ_OK);
	}
	assert_int_equal(in.len, 13);
	assert_string_equal(in.body, "{\"v\":1,\"a\":2}");
	proto_in_clear(&in);
	assert_null(in.body);
	close(sv[0]);
	close(sv[1]);
}

struct parse_case {
	const char *in;
	int want;
	const char *why;
};

static const struct parse_case parse_cases[] = {
	{ "{\"v\":1,\"op\":\"token\"}", PJ_OK, "a request" },
	{ "{\"v\":1}", PJ_OK, "only the version" },
	{ " {\"v\":1} ", PJ_OK, "whitespace around" },
	{ "{\"v\":2,\"op\":\"token\"}", PROTO_ERR_VERSION, "version 2" },
	{ "{\"v\":0}", PROTO_ERR_VERSION, "version 0" },
	{ "{\"v\":-1}", PROTO_ERR_VERSION, "negative version" },
	{ "{\"v\":\"1\"}", PROTO_ERR_BAD_MSG, "version as a string" },
	{ "{\"v\":1.0}", PROTO_ERR_BAD_MSG, "version as a fraction" },
	{ "{\"v\":true}", PROTO_ERR_BAD_MSG, "version as a boolean" },
	{ "{\"v\":null}", PROTO_ERR_BAD_MSG, "version null" },
	{ "{\"op\":\"token\"}", PROTO_ERR_BAD_MSG, "no version" },
	{ "{\"v\":1,\"v\":1}", PROTO_ERR_BAD_MSG, "duplicate version" },
	{ "{\"v\":1,\"user\":\"a\",\"user\":\"root\"}", PROTO_ERR_BAD_MSG,
	    "duplicate user" },
	{ "{\"v\":1}x", PROTO_ERR_BAD_MSG, "trailing garbage" },
	{ "{\"v\":1}{}", PROTO_ERR_BAD_MSG, "two objects" },
	{ "[{\"v\":1}]", PROTO_ERR_BAD_MSG, "an array" },
	{ "{\"v\":1,}", PROTO_ERR_BAD_MSG, "trailing comma" },
	{ "{\"v\":1,\"u\":\"\xff\"}", PROTO_ERR_BAD_MSG, "invalid UTF-8" },
	{ "{\"v\":1 /* c */}", PROTO_ERR_BAD_MSG, "a comment" },
	{ "", PROTO_ERR_BAD_MSG, "empty body" },
	{ "{\"v\":1", PROTO_ERR_BAD_MSG, "unterminated" }
};

static void
test_parse(void **state)
{
	struct json_object *obj;
	size_t i;
	int err;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];

		obj = NULL;
		err = proto_parse(c->in, strlen(c->in), &obj);
		if (err != c->want)
			fail_msg("%s: want %d, got %d", c->why, c->want, err);
		if ((err == PJ_OK) != (obj != NULL))
			fail_msg("%s: object and result disagree", c->why);
		proto_put(obj);
	}
}

static void
test_error_names(void **state)
{
	static const char *const want[PROTO_E_COUNT] = {
		"forbidden", "unknown_user", "no_token", "bad_request",
		"too_large", "unsupported_version", "bad_token", "internal",
		"fetch_failed", "no_key_set"
	};
	size_t i;

	for (i = 0; i < PROTO_E_COUNT; i++)
		assert_string_equal(proto_error_name((enum proto_error)i),
		    want[i]);
	assert_string_equal(proto_error_name(PROTO_E_COUNT), "internal");
	assert_string_equal(proto_error_name((enum proto_error)-1),
	    "internal");
}

/* The exact bytes of a refusal and of a request. */
static void
test_messages(void **state)
{
	struct json_object *m, *back = NULL;
	const char *s;
	char *buf = NULL;
	size_t len = 0;

	m = proto_new_error(PROTO_E_FORBIDDEN, "you may only act for "
	    "yourself");
	assert_non_null(m);
	assert_int_equal(proto_serialize(m, &buf, &len), PJ_OK);
	assert_string_equal(buf, "{\"v\":1,\"ok\":false,\"error\":"
	    "\"forbidden\",\"message\":\"you may only act for yourself\"}");
	assert_int_equal(len, strlen(buf));
	assert_int_equal(proto_parse(buf, len, &back), PJ_OK);
	assert_true(proto_get_str(back, "error", &s));
	assert_string_equal(s, "forbidden");
	proto_put(back);
	wipe_free(buf, len + 1);
	proto_put(m);

	m = proto_new_msg("token");
	assert_non_null(m);
	assert_int_equal(proto_serialize(m, &buf, &len), PJ_OK);
	assert_string_equal(buf, "{\"v\":1,\"op\":\"token\"}");
	wipe_free(buf, len + 1);
	proto_put(m);
}

/* A string with an embedded NUL is no user name. */
static void
test_get_str(void **state)
{
	const char *in = "{\"v\":1,\"user\":\"alice\\u0000root\","
	    "\"n\":1,\"ok\":\"bob\"}";
	struct json_object *m = NULL;
	const char *s = "x";

	assert_int_equal(proto_parse(in, strlen(in), &m), PJ_OK);
	assert_false(proto_get_str(m, "user", &s));
	assert_null(s);
	assert_false(proto_get_str(m, "n", &s));
	assert_false(proto_get_str(m, "absent", &s));
	assert_true(proto_get_str(m, "ok", &s));
	assert_string_equal(s, "bob");
	proto_put(m);
}

/* A serialised message over the limit is refused. */
static void
test_serialize_limit(void **state)
{
	struct json_object *m;
	char *big, *buf = NULL;
	size_t len = 0;

	big = malloc(PROTO_MAX_MSG + 1);
	assert_non_null(big);
	memset(big, 'a', PROTO_MAX_MSG);
	big[PROTO_MAX_MSG] = '\0';
	m = proto_new_msg("store");
	assert_non_null(m);
	json_object_object_add(m, "pad", json_object_new_string(big));
	assert_int_equal(proto_serialize(m, &buf, &len),
	    PROTO_ERR_TOO_LARGE);
	assert_null(buf);
	proto_put(m);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_wire_form),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_prefix_too_large),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_eintr),
		cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_error_names),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_get_str),
		cmocka_unit_test(test_serialize_limit)
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
