# Abusive clients of the helper's socket, for tests/helper/helper.sh.
#
#   python3 client.py SOCKET CASE
#
# Each CASE opens one misbehaving connection and, while it is still open,
# a well-behaved one (op "status" for the running user), to show that the
# helper keeps serving others.  It prints what it saw, one fact a line:
#   other: served            the well-behaved request got an answer in < 1 s
#   answer: JSON             the helper's answer on the bad connection
#   answer: none             the helper closed without answering
#   then: closed             the helper closed the bad connection
#   slow: closed after N s   (slow) when the helper gave up on the sender
import json
import socket
import struct
import sys
import time

PATH = sys.argv[1]
CASE = sys.argv[2]


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(PATH)
    return s


def frame(body):
    return struct.pack(">I", len(body)) + body


def recv_exact(s, n, timeout):
    s.settimeout(timeout)
    data = b""
    while len(data) < n:
        try:
            chunk = s.recv(n - len(data))
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            return None
        data += chunk
    return data


def recv_msg(s, timeout=5):
    hdr = recv_exact(s, 4, timeout)
    if hdr is None:
        return None
    return recv_exact(s, struct.unpack(">I", hdr)[0], timeout)


def closed(s, timeout=5):
    s.settimeout(max(timeout, 0.01))
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def other():
    t0 = time.monotonic()
    s = connect()
    s.sendall(frame(b'{"v":1,"op":"status"}'))
    body = recv_msg(s)
    dt = time.monotonic() - t0
    s.close()
    if body is not None and dt < 1.0 and json.loads(body)["v"] == 1:
        print("other: served")
    else:
        print("other: NOT served (%.2f s, %r)" % (dt, body))


def answer_then_close(s):
    body = recv_msg(s)
    print("answer: " + (body.decode() if body is not None else "none"))
    if body is None or closed(s):
        print("then: closed")


def case_bad_json():
    s = connect()
    s.sendall(frame(b'{"v":1,"op":'))
    other()
    answer_then_close(s)


def case_huge():
    s = connect()
    s.sendall(struct.pack(">I", 2**31))
    other()
    answer_then_close(s)


def case_truncated():
    s = connect()
    s.sendall(struct.pack(">I", 100) + b'{"v":1,"op"')
    s.shutdown(socket.SHUT_WR)
    other()
    answer_then_close(s)


def case_version():
    s = connect()
    s.sendall(frame(b'{"v":2,"op":"status"}'))
    other()
    answer_then_close(s)


def case_slow():
    data = frame(b'{"v":1,"op":"status"}')
    s = connect()
    t0 = time.monotonic()
    for i in range(len(data)):
        try:
            s.send(data[i:i + 1])
        except (BrokenPipeError, ConnectionResetError):
            break
        if i == 0:
            other()
        if closed(s, t0 + i + 1 - time.monotonic()):
            break
    print("slow: closed after %d s" % round(time.monotonic() - t0))
    s.close()


{"bad_json": case_bad_json, "huge": case_huge, "truncated": case_truncated,
 "version": case_version, "slow": case_slow}[CASE]()
