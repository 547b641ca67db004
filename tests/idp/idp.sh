#!/bin/sh
# System test: a real OpenID provider on loopback (tests/idp/server.mjs,
# the npm package oidc-provider) issues an access token; "pam-jwt verify"
# and the PAM module (real libpam through pamtester and pam_wrapper) accept
# it for its user and refuse it for another.  The key set the module reads
# is the one the provider publishes at its jwks_uri.
#
# Needs root (root-owned configuration, local test users) and node/npm.
# Run by "make check-system"; exit 77 only when not root.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/e2e/lib-e2e.sh"

e2e_system_test idp node npm curl python3 pamtester logger

ALICE=pjidp-alice
BOB=pjidp-bob
SERVICE=pam_jwt-idp-test

wrapper=
for d in /usr/lib/*-linux-gnu /usr/lib64 /usr/lib; do
	if [ -f "$d/libpam_wrapper.so" ]; then
		wrapper=$d/libpam_wrapper.so
		break
	fi
done
[ -n "$wrapper" ] || e2e_die "libpam_wrapper.so not found (libpam-wrapper)"

# The provider, with two users.
e2e_idp_install
e2e_idp_users_init
e2e_idp_user "$ALICE" ssh-users,dev
e2e_idp_user "$BOB" dev
e2e_idp_start
ISS=$E2E_IDP_URL

# Discovery names the issuer and the key set.
e2e_idp_discovery >"$E2E_TMP/discovery.json"
got=$(e2e_json "$E2E_TMP/discovery.json" \
    "[d['issuer'], d['jwks_uri'], d['token_endpoint']]")
e2e_expect "discovery: issuer, jwks_uri, token_endpoint" \
    "[\"$ISS\", \"$ISS/jwks\", \"$ISS/token\"]" "$got"

# The module's key set: the provider's jwks_uri, in a root-owned 0755
# folder, 0644; it must be what the provider wrote at start.
KEYS=$E2E_TMP/keys
e2e_secure_dir "$KEYS"
jwks_uri=$(e2e_json "$E2E_TMP/discovery.json" "d['jwks_uri']")
if curl -fsS --max-time 10 -o "$KEYS/jwks.json.tmp" "$jwks_uri" &&
    chmod 0644 "$KEYS/jwks.json.tmp" &&
    mv -f "$KEYS/jwks.json.tmp" "$KEYS/jwks.json" &&
    python3 -c 'import json, sys
a = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
sys.exit(not (a == b and len(a["keys"]) == 1 and
    a["keys"][0]["kty"] == "RSA" and "d" not in a["keys"][0]))' \
    "$KEYS/jwks.json" "$E2E_IDP_JWKS"; then
	e2e_pass "jwks_uri serves the public key set the provider wrote"
else
	e2e_fail "jwks_uri serves the public key set the provider wrote"
fi

CONF=$E2E_TMP/etc/pam_jwt.conf
e2e_secure_dir "$E2E_TMP/etc"
e2e_write_conf "$CONF" "issuer=$ISS" audience=pam-jwt \
    "jwks_file=$KEYS/jwks.json" username_claim=preferred_username \
    groups_claim=groups require_group=ssh-users typ=at+jwt

# The module refuses users that do not exist locally: make them.
e2e_user_add "$ALICE"
e2e_user_add "$BOB"

# A token for alice, as the provider's token endpoint issues it.
TOK=$E2E_TMP/alice.jwt
if e2e_idp_token "$ALICE" "$TOK"; then
	e2e_pass "token endpoint issues a token for $ALICE"
else
	e2e_fail "token endpoint issues a token for $ALICE"
	e2e_finish
fi

# What the token carries (RFC 9068 access token, our claims).
e2e_jwt_part "$TOK" 0 >"$E2E_TMP/header.json"
e2e_jwt_part "$TOK" 1 >"$E2E_TMP/payload.json"
kid=$(e2e_json "$KEYS/jwks.json" "d['keys'][0]['kid']")
got=$(e2e_json "$E2E_TMP/header.json" "[d['alg'], d['typ'], d['kid']]")
e2e_expect "token header: alg, typ, kid of the published key" \
    "[\"RS256\", \"at+jwt\", \"$kid\"]" "$got"
got=$(e2e_json "$E2E_TMP/payload.json" "[d['iss'], d['aud'],
    d['preferred_username'], d['groups'], d['exp'] - d['iat'],
    d['scope'], d['client_id']]")
want="[\"$ISS\", \"pam-jwt\", \"$ALICE\", [\"ssh-users\", \"dev\"], 600,"
want="$want \"login\", \"login-$ALICE\"]"
e2e_expect "token claims: iss, aud, user, groups, lifetime" "$want" "$got"

# pam-jwt verify: accepted for alice, user_mismatch for bob.
"$E2E_TOOL" verify --config "$CONF" --user "$ALICE" - <"$TOK" \
    >"$E2E_TMP/v.out" 2>"$E2E_TMP/v.err"
rc=$?
exp=$(e2e_json "$E2E_TMP/payload.json" "d['exp']")
want="user: $ALICE
issuer: $ISS
groups: ssh-users, dev
expires: $exp"
if [ $rc = 0 ] && [ "$(sed 's/ (.*//' "$E2E_TMP/v.out")" = "$want" ] &&
    [ ! -s "$E2E_TMP/v.err" ]; then
	e2e_pass "pam-jwt verify --user $ALICE: exit 0"
else
	e2e_fail "pam-jwt verify --user $ALICE: exit 0" "exit $rc" \
	    "stdout: $(cat "$E2E_TMP/v.out")" "stderr: $(cat "$E2E_TMP/v.err")"
fi

"$E2E_TOOL" verify --config "$CONF" --user "$BOB" - <"$TOK" \
    >"$E2E_TMP/v.out" 2>"$E2E_TMP/v.err"
rc=$?
if [ $rc = 1 ] && [ "$(wc -l <"$E2E_TMP/v.err")" = 1 ] &&
    grep -q '^refused: user_mismatch: ' "$E2E_TMP/v.err"; then
	e2e_pass "pam-jwt verify --user $BOB: exit 1, refused: user_mismatch"
else
	e2e_fail "pam-jwt verify --user $BOB: exit 1, refused: user_mismatch" \
	    "exit $rc" "stderr: $(cat "$E2E_TMP/v.err")"
fi

# The module through real libpam: pam_wrapper points libpam at a service
# folder of our own (and passes pam_syslog on to syslog), pamtester drives
# it with the token on standard input.
PAMDIR=$E2E_TMP/pam.d
mkdir -p "$PAMDIR"
cat >"$PAMDIR/$SERVICE" <<EOF
auth	required	$E2E_MODULE config=$CONF
account	required	$E2E_MODULE config=$CONF
EOF
printf 'auth\trequired\tpam_deny.so\naccount\trequired\tpam_deny.so\n' \
    >"$PAMDIR/other"

e2e_syslog_start

# pamtester_run USER OPS...: sets rc and the output files.
pamtester_run()
{
	u=$1
	shift
	LD_PRELOAD=$wrapper PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$PAMDIR \
	    PAM_WRAPPER_USE_SYSLOG=1 timeout 60 \
	    pamtester "$SERVICE" "$u" "$@" <"$TOK" \
	    >"$E2E_TMP/p.out" 2>"$E2E_TMP/p.err"
	rc=$?
}

line="pam_jwt\\($SERVICE:auth\\): stage=auth"
e2e_log_mark
pamtester_run "$ALICE" authenticate acct_mgmt
if [ $rc = 0 ] &&
    grep -q '^pamtester: successfully authenticated$' "$E2E_TMP/p.out" &&
    grep -q '^pamtester: account management done.$' "$E2E_TMP/p.out" &&
    e2e_wait_log "$line result=accepted .*user=$ALICE "; then
	e2e_pass "pamtester + pam_wrapper: $ALICE authenticated, account ok"
else
	e2e_fail "pamtester + pam_wrapper: $ALICE authenticated, account ok" \
	    "exit $rc" "$(cat "$E2E_TMP/p.out" "$E2E_TMP/p.err")" \
	    "log: $(e2e_log_new)"
fi

e2e_log_mark
pamtester_run "$BOB" authenticate
if [ $rc != 0 ] &&
    grep -q 'pamtester: Authentication failure$' "$E2E_TMP/p.err" &&
    e2e_wait_log "$line result=refused .*user=$BOB .*reason=user_mismatch$"
then
	e2e_pass "pamtester + pam_wrapper: $ALICE's token refused for $BOB"
else
	e2e_fail "pamtester + pam_wrapper: $ALICE's token refused for $BOB" \
	    "exit $rc" "$(cat "$E2E_TMP/p.out" "$E2E_TMP/p.err")" \
	    "log: $(e2e_log_new)"
fi

e2e_finish
