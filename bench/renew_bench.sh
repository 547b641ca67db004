#!/bin/sh
# The helper's renewal benchmark (not a test: it prints figures).
#
# Starts the local test provider (tests/idp/server.mjs) on loopback with
# the helper's confidential client and short access tokens, then runs
# bench/renew_bench.py against it: renewals per second completed by
# pam_jwt_helperd (persist = no and yes) beside the provider's own rate
# for the refresh_token grant, measured directly in the same run.
#
# Needs root (the helper runs as its own uid), node/npm (the provider),
# python3 and libnss_wrapper (the benchmark's users exist only in
# nss_wrapper files).  BENCH_USERS (200), BENCH_TTL (access token
# lifetime, 2 s) and BENCH_SECONDS (measure window, 10 s) change the run.
# Run by "make bench-helper" after the request benchmark.

: "${top_srcdir:?}" "${top_builddir:?}"
# shellcheck source=../tests/e2e/lib-e2e.sh
. "$top_srcdir/tests/e2e/lib-e2e.sh"

E2E_QUIET=${E2E_QUIET:-1}
e2e_init renew-bench
e2e_need_root
e2e_need_build
e2e_need_cmd node npm python3
[ -x "$top_builddir/pam_jwt_helperd" ] ||
    e2e_die "$top_builddir/pam_jwt_helperd is missing: run make"

BENCH_USERS=${BENCH_USERS:-200}
BENCH_TTL=${BENCH_TTL:-2}
BENCH_SECONDS=${BENCH_SECONDS:-10}
export BENCH_USERS BENCH_TTL BENCH_SECONDS

chmod 0755 "$E2E_TMP"
python3 -c 'import secrets; print(secrets.token_urlsafe(24))' \
    >"$E2E_TMP/helper-secret"
chmod 0600 "$E2E_TMP/helper-secret"

e2e_idp_install
e2e_idp_users_init
# The helper's users (pjrbNNNNN) and the users of the direct measure
# (pjrdNNNNN), written at once (e2e_idp_user is one python3 per user).
python3 -c 'import json, secrets, sys
path, n = sys.argv[1], int(sys.argv[2])
doc = json.load(open(path))
for p in ("pjrb", "pjrd"):
    for i in range(n):
        doc["users"].append({"name": "%s%05d" % (p, i),
            "secret": secrets.token_urlsafe(24), "groups": ["dev"]})
json.dump(doc, open(path, "w"), indent=1)' "$E2E_IDP_USERS" "$BENCH_USERS" ||
    e2e_die "the provider's users file"
# shellcheck disable=SC2034 # read by e2e_idp_start
E2E_IDP_ARGS="--ttl $BENCH_TTL --helper-secret $E2E_TMP/helper-secret"
e2e_idp_start

BENCH_IDP_PID=$E2E_IDP_PID python3 "$top_srcdir/bench/renew_bench.py" \
    "$E2E_IDP_URL" "$E2E_IDP_JWKS" "$E2E_TMP/helper-secret" "$E2E_TMP"
