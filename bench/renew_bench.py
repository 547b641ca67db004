#!/usr/bin/env python3
"""The helper's renewal benchmark (not a test: it prints figures).

Run by bench/renew_bench.sh, which starts the test provider:
    renew_bench.py ISSUER JWKS HELPER-SECRET-FILE WORKDIR

For persist = no and persist = yes: starts pam_jwt_helperd as an
unprivileged user, logs in BENCH_USERS users at the provider (its
loopback-only POST /test/login route, BENCH_TTL-second access tokens with
rotating refresh tokens) and stores each token set in the helper as root
through the socket.  Every token then comes due after at most half its
lifetime (the helper counts from the whole second it stored the set), so
with 200 users and 2-second tokens more renewals are asked for than the
helper completes; "renewed user=" lines in its log over BENCH_SECONDS
give its renewals per second, and its CPU and the provider's over the
same window show where the time goes.  The users' status counters, read
after the window, are checked against the log.  Then, with the helper
stopped, the same number of refresh_token grants sent one after another
to the provider's token endpoint (a new connection each, as the helper
does) give the provider's own ceiling.  The ratio is the helper's share
of that ceiling.

The users and the helper's user exist only in the helper's nss_wrapper
files, never in the system's /etc/passwd.
"""

import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helper_bench  # noqa: E402  the helper's wire format, shared

USERS = int(os.environ.get("BENCH_USERS", "200"))
TTL = int(os.environ.get("BENCH_TTL", "2"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = 2.0
HELPER_UID = 64989
HELPER_USER = "pjrbhelper"
FIRST_UID = 80000
IDP_PID = int(os.environ.get("BENCH_IDP_PID", "0"))
NSS_WRAPPER = "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so"
CLIENT_ID = "pam-jwt-helper"
KEYS = ("access_token", "refresh_token", "id_token", "expires_in")


def die(msg):
    print("bench-renew: " + msg, file=sys.stderr)
    sys.exit(1)


def helper_user(i):
    return "pjrb%05d" % i


def direct_user(i):
    return "pjrd%05d" % i


def exchange(path, req):
    """One request to the helper, with a timeout: renewals may hold it."""
    return helper_bench.exchange(path, req, timeout=30)


def post(url, form, auth=None):
    """POST FORM to URL on a new connection: (status, JSON answer)."""
    u = urllib.parse.urlsplit(url)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if auth is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(
            auth.encode()).decode()
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        c.request("POST", u.path, urllib.parse.urlencode(form), headers)
        r = c.getresponse()
        return r.status, json.loads(r.read())
    finally:
        c.close()


def login(iss, user):
    status, doc = post(iss + "/test/login", {"user": user, "ttl": TTL})
    if status != 200 or "refresh_token" not in doc:
        die("login %s: HTTP %d %r" % (user, status, doc.get("error")))
    return doc


def cpu_s(pid):
    """User plus system CPU seconds of process PID so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def renewed_lines(path):
    with open(path, "rb") as f:
        data = f.read()
    return data.count(b": renewed user="), data.count(b"renewal failed")


def helper_rate(iss, jwks, secret, work, persist):
    """The helper's renewals per second, and notes on the run."""
    helperd = os.path.join(os.environ["top_builddir"], "pam_jwt_helperd")
    base = os.path.join(work, "persist-" + persist)
    etc = os.path.join(base, "etc")
    run_dir = os.path.join(base, "run")
    state = os.path.join(base, "state")
    os.makedirs(etc, 0o755)
    os.chmod(base, 0o755)
    os.chmod(etc, 0o755)
    shutil.copy(jwks, os.path.join(etc, "jwks.json"))
    os.chmod(os.path.join(etc, "jwks.json"), 0o644)
    csecret = os.path.join(etc, "client-secret")
    shutil.copy(secret, csecret)
    os.chown(csecret, HELPER_UID, HELPER_UID)
    os.chmod(csecret, 0o600)
    for d, mode in ((run_dir, 0o755), (state, 0o700)):
        os.mkdir(d, mode)
        os.chown(d, HELPER_UID, HELPER_UID)
    sock = os.path.join(run_dir, "helper.sock")
    conf = os.path.join(etc, "pam_jwt.conf")
    with open(conf, "w") as f:
        f.write("issuer = %s\naudience = pam-jwt\n"
                "jwks_file = %s\nusername_claim = preferred_username\n"
                "typ = at+jwt\nclient_id = %s\nclient_secret_file = %s\n"
                "renew_margin = 60\nhelper_user = %s\n"
                "helper_socket = %s\nstate_dir = %s\npersist = %s\n"
                % (iss, os.path.join(etc, "jwks.json"), CLIENT_ID, csecret,
                   HELPER_USER, sock, state, persist))
    os.chmod(conf, 0o644)

    env = dict(os.environ)
    env.update(LD_PRELOAD=NSS_WRAPPER,
               NSS_WRAPPER_PASSWD=os.path.join(work, "passwd"),
               NSS_WRAPPER_GROUP=os.path.join(work, "group"))

    def drop():
        os.setgroups([])
        os.setgid(HELPER_UID)
        os.setuid(HELPER_UID)

    errlog = os.path.join(base, "helperd.err")
    log = open(errlog, "w")
    proc = subprocess.Popen([helperd, "--foreground", "--config", conf],
                            env=env, preexec_fn=drop, stdout=log,
                            stderr=log)
    try:
        for _ in range(200):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        else:
            die("the helper did not start: see " + errlog)
        t0 = time.perf_counter()
        for i in range(USERS):
            doc = login(iss, helper_user(i))
            r = exchange(sock, {"v": 1, "op": "store",
                                "user": helper_user(i),
                                "tokens": {k: doc[k] for k in KEYS
                                           if k in doc}})
            if r.get("ok") is not True:
                die("store %s: %r (see %s)" % (helper_user(i), r, errlog))
        store_s = time.perf_counter() - t0
        time.sleep(WARMUP)
        n0, f0 = renewed_lines(errlog)
        c0 = (cpu_s(proc.pid), cpu_s(IDP_PID))
        t0 = time.perf_counter()
        time.sleep(SECONDS)
        n1, f1 = renewed_lines(errlog)
        c1 = (cpu_s(proc.pid), cpu_s(IDP_PID))
        window = time.perf_counter() - t0
        before, _ = renewed_lines(errlog)
        counted = 0
        for i in range(USERS):
            r = exchange(sock, {"v": 1, "op": "status",
                                "user": helper_user(i)})
            counted += int(r.get("renewals") or 0)
        after, _ = renewed_lines(errlog)
        if proc.poll() is not None:
            die("the helper stopped: see " + errlog)
        if not before <= counted <= after:
            die("the status counters (%d renewals) disagree with the log "
                "(%d to %d)" % (counted, before, after))
        return ((n1 - n0) / window, f1 - f0,
                [100 * (c1[k] - c0[k]) / window for k in (0, 1)],
                "persist=%s: %d logins+stores in %.1f s; %d renewals by "
                "the users' status counters, %d to %d logged meanwhile"
                % (persist, USERS, store_s, counted, before, after))
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def direct_rate(iss, secret_value):
    """Sequential refresh_token grants per second at the token endpoint."""
    rts = [login(iss, direct_user(i))["refresh_token"]
           for i in range(USERS)]
    auth = CLIENT_ID + ":" + secret_value
    t0 = time.perf_counter()
    for i, rt in enumerate(rts):
        status, doc = post(iss + "/token", {"grant_type": "refresh_token",
                                            "refresh_token": rt}, auth)
        if status != 200 or "access_token" not in doc:
            die("refresh grant %s: HTTP %d %r" % (direct_user(i), status,
                                                  doc.get("error")))
    return USERS / (time.perf_counter() - t0)


def main():
    if len(sys.argv) != 5:
        die("usage: renew_bench.py ISSUER JWKS HELPER-SECRET-FILE WORKDIR")
    iss, jwks, secret, work = sys.argv[1:]
    if os.geteuid() != 0:
        die("needs root: the helper runs as its own uid")
    if not os.path.exists(NSS_WRAPPER):
        die(NSS_WRAPPER + " is missing (package libnss-wrapper)")
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(1))
    with open(secret) as f:
        secret_value = f.readline().strip()
    with open(os.path.join(work, "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n")
        f.write("%s:x:%d:%d::/nonexistent:/bin/false\n"
                % (HELPER_USER, HELPER_UID, HELPER_UID))
        for i in range(USERS):
            f.write("%s:x:%d:%d::/nonexistent:/bin/false\n"
                    % (helper_user(i), FIRST_UID + i, FIRST_UID + i))
    with open(os.path.join(work, "group"), "w") as f:
        f.write("root:x:0:\n%s:x:%d:\n" % (HELPER_USER, HELPER_UID))
        for i in range(USERS):
            f.write("%s:x:%d:\n" % (helper_user(i), FIRST_UID + i))
    for name in ("passwd", "group"):
        os.chmod(os.path.join(work, name), 0o644)

    print("pam_jwt_helperd renewals: %d users, %d-second access tokens "
          "(each due at most %g s after it was received: over %.0f "
          "renewals/s asked), %g s window; direct: %d sequential refresh "
          "grants" % (USERS, TTL, TTL / 2.0, USERS / (TTL / 2.0), SECONDS,
                      USERS))
    rows = []
    notes = []
    for persist in ("no", "yes"):
        rate, failed, cpu, note = helper_rate(iss, jwks, secret, work,
                                              persist)
        direct = direct_rate(iss, secret_value)
        rows.append((persist, rate, direct, failed, cpu))
        notes.append(note)
    print("%-8s %6s %12s %12s %6s %9s %10s %10s" %
          ("persist", "users", "helper r/s", "direct g/s", "ratio",
           "failures", "helper CPU", "idp CPU"))
    for persist, rate, direct, failed, cpu in rows:
        print("%-8s %6d %12.1f %12.1f %6.2f %9d %9.0f%% %9.0f%%" %
              (persist, USERS, rate, direct, rate / direct, failed,
               cpu[0], cpu[1]))
    print("(CPU: share of one core over the window, the helper's and the "
          "provider's)")
    for n in notes:
        print(n)


if __name__ == "__main__":
    main()
