#!/usr/bin/env python3
"""The helper daemon's benchmark (not a test: it prints figures).

For persist = no and persist = yes: starts pam_jwt_helperd as an
unprivileged user, stores a token set for each of 10,000 users as root
through the socket, then measures "my current token" (op "token", each
client as its own user) from 1, 8 and 64 concurrent clients: requests per
second, p50 and p99 latency, and the daemon's resident memory (VmRSS,
VmHWM from /proc).

Needs root (it switches uids) and libnss_wrapper (package libnss-wrapper):
the 10,000 users and the helper's user exist only in the daemon's
nss_wrapper files, never in the system's /etc/passwd.  The clients run as
those uids (the helper reads them from SO_PEERCRED).  Tokens are RS256,
signed here with python3-cryptography under a key made by tests/mktoken.

Run by "make bench-helper"; BENCH_USERS and BENCH_SECONDS change the size.
"""

import base64
import json
import multiprocessing
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

USERS = int(os.environ.get("BENCH_USERS", "10000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CONCURRENCY = (1, 8, 64)
HELPER_UID = 64990
FIRST_UID = 70000
NSS_WRAPPER = "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so"


def die(msg):
    print("bench-helper: " + msg, file=sys.stderr)
    sys.exit(1)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def user_name(i):
    return "pjb%05d" % i


def exchange(path, req, timeout=None):
    """One request on a new connection; the answer as a dict."""
    body = json.dumps(req, separators=(",", ":")).encode()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall(struct.pack(">I", len(body)) + body)
        buf = b""
        want = 4
        while len(buf) < want:
            chunk = s.recv(65536)
            if not chunk:
                raise RuntimeError("the helper closed without an answer")
            buf += chunk
            if want == 4 and len(buf) >= 4:
                want = 4 + struct.unpack(">I", buf[:4])[0]
    finally:
        s.close()
    return json.loads(buf[4:want])


def make_tokens(key_pem, now):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    with open(key_pem, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    head = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "k1"},
                          separators=(",", ":")).encode())
    tokens = []
    for i in range(USERS):
        claims = {"iss": "https://idp.test", "aud": "pam-test",
                  "sub": user_name(i), "groups": ["dev"], "iat": now,
                  "exp": now + 7200}
        inp = head + "." + b64(json.dumps(claims,
                                          separators=(",", ":")).encode())
        sig = key.sign(inp.encode(), padding.PKCS1v15(), hashes.SHA256())
        tokens.append(inp + "." + b64(sig))
    return tokens


def vm(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])
    return out


def client(args):
    """A worker: as user I, ask for its token until END; latencies."""
    path, i, token, start, end = args
    os.setgroups([])
    os.setgid(FIRST_UID + i)
    os.setuid(FIRST_UID + i)
    lat = []
    while time.time() < start:
        time.sleep(0.001)
    req = {"v": 1, "op": "token"}
    while True:
        if time.time() > end:
            break
        t0 = time.perf_counter()
        r = exchange(path, req)
        lat.append(time.perf_counter() - t0)
        if r.get("ok") is not True or r.get("access_token") != token:
            raise RuntimeError("wrong answer for %s: %r" %
                               (user_name(i), r.get("error")))
    return lat


def measure(path, tokens, n):
    now = time.time()
    start = now + 0.5 + n * 0.02
    end = start + SECONDS
    args = [(path, i, tokens[i], start, end) for i in range(n)]
    with multiprocessing.Pool(n) as pool:
        results = pool.map(client, args)
    lat = sorted(x for r in results for x in r)
    count = len(lat)
    p50 = lat[count // 2] * 1000
    p99 = lat[min(count - 1, (count * 99) // 100)] * 1000
    return count / SECONDS, p50, p99


def run(top_builddir, tmp, persist, tokens):
    helperd = os.path.join(top_builddir, "pam_jwt_helperd")
    base = os.path.join(tmp, "persist-" + persist)
    etc = os.path.join(base, "etc")
    run_dir = os.path.join(base, "run")
    state = os.path.join(base, "state")
    os.makedirs(etc, 0o755)
    os.chmod(base, 0o755)
    os.chmod(etc, 0o755)
    shutil.copy(os.path.join(tmp, "jwks.json"), os.path.join(etc,
                                                             "jwks.json"))
    os.chmod(os.path.join(etc, "jwks.json"), 0o644)
    for d, mode in ((run_dir, 0o755), (state, 0o700)):
        os.mkdir(d, mode)
        os.chown(d, HELPER_UID, HELPER_UID)
    sock = os.path.join(run_dir, "helper.sock")
    conf = os.path.join(etc, "pam_jwt.conf")
    with open(conf, "w") as f:
        f.write("issuer = https://idp.test\naudience = pam-test\n"
                "jwks_file = jwks.json\nhelper_user = pjbench\n"
                "helper_socket = %s\nstate_dir = %s\npersist = %s\n"
                % (sock, state, persist))
    os.chmod(conf, 0o644)

    env = dict(os.environ)
    env.update(LD_PRELOAD=NSS_WRAPPER,
               NSS_WRAPPER_PASSWD=os.path.join(tmp, "passwd"),
               NSS_WRAPPER_GROUP=os.path.join(tmp, "group"))

    def drop():
        os.setgroups([])
        os.setgid(HELPER_UID)
        os.setuid(HELPER_UID)

    log = open(os.path.join(base, "helperd.err"), "w")
    proc = subprocess.Popen([helperd, "--foreground", "--config", conf],
                            env=env, preexec_fn=drop, stdout=log,
                            stderr=log)
    try:
        for _ in range(200):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        else:
            die("the helper did not start: see " + log.name)
        rows = []
        idle = vm(proc.pid)
        t0 = time.perf_counter()
        for i in range(USERS):
            r = exchange(sock, {"v": 1, "op": "store",
                                "user": user_name(i),
                                "tokens": {"access_token": tokens[i],
                                           "refresh_token": "r-%d" % i,
                                           "expires_in": 7200}})
            if r.get("ok") is not True:
                die("store %s: %r" % (user_name(i), r))
        store_rate = USERS / (time.perf_counter() - t0)
        stored = vm(proc.pid)
        for n in CONCURRENCY:
            rps, p50, p99 = measure(sock, tokens, n)
            rows.append((persist, n, rps, p50, p99, vm(proc.pid)))
        return idle, stored, store_rate, rows
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def main():
    top_builddir = os.environ.get("top_builddir", os.getcwd())
    if os.geteuid() != 0:
        die("needs root: it runs clients as 10,000 uids")
    if not os.path.exists(NSS_WRAPPER):
        die(NSS_WRAPPER + " is missing (package libnss-wrapper)")
    # A stop (SIGTERM, SIGHUP) still stops the daemon and cleans up.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(1))
    mktoken = os.path.join(top_builddir, "tests", "mktoken")
    tmp = tempfile.mkdtemp(prefix="pam_jwt-bench.")
    try:
        os.chmod(tmp, 0o755)
        key = os.path.join(tmp, "key.pem")
        subprocess.run([mktoken, "genkey", "rsa", key], check=True)
        with open(os.path.join(tmp, "jwks.json"), "w") as f:
            subprocess.run([mktoken, "jwks", key, "k1"], stdout=f,
                           check=True)
        with open(os.path.join(tmp, "passwd"), "w") as f:
            f.write("root:x:0:0:root:/root:/bin/sh\n")
            f.write("pjbench:x:%d:%d::/nonexistent:/bin/false\n"
                    % (HELPER_UID, HELPER_UID))
            for i in range(USERS):
                f.write("%s:x:%d:%d::/nonexistent:/bin/false\n"
                        % (user_name(i), FIRST_UID + i, FIRST_UID + i))
        with open(os.path.join(tmp, "group"), "w") as f:
            f.write("root:x:0:\npjbench:x:%d:\n" % HELPER_UID)
            for i in range(USERS):
                f.write("%s:x:%d:\n" % (user_name(i), FIRST_UID + i))
        for name in ("passwd", "group"):
            os.chmod(os.path.join(tmp, name), 0o644)
        t0 = time.perf_counter()
        tokens = make_tokens(key, int(time.time()))
        sign_s = time.perf_counter() - t0

        print("pam_jwt_helperd: %d users, RS256 tokens (made in %.1f s), "
              "%g s per measure, one request per connection"
              % (USERS, sign_s, SECONDS))
        print("%-8s %7s %11s %9s %9s %10s %10s" %
              ("persist", "clients", "requests/s", "p50 ms", "p99 ms",
               "VmRSS kB", "VmHWM kB"))
        notes = []
        for persist in ("no", "yes"):
            idle, stored, store_rate, rows = run(top_builddir, tmp,
                                                 persist, tokens)
            for p, n, rps, p50, p99, mem in rows:
                print("%-8s %7d %11.0f %9.2f %9.2f %10d %10d" %
                      (p, n, rps, p50, p99, mem["VmRSS"], mem["VmHWM"]))
            notes.append("persist=%s: VmRSS %d kB at start, %d kB with "
                         "%d users stored; stores: %.0f/s (one at a "
                         "time, as root)" % (persist, idle["VmRSS"],
                                             stored["VmRSS"], USERS,
                                             store_rate))
        for n in notes:
            print(n)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
