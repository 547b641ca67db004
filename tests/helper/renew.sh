#!/bin/sh
# Renewal with refresh tokens: pam_jwt_helperd, as its own user, renews
# stored token sets at the test provider (tests/idp/server.mjs with the
# helper's client "pam-jwt-helper", 5-second access tokens, rotating
# refresh tokens) and revokes them at logout.
#
# What it pins: a 5-second token is renewed before it expires and the
# new one verifies; the refresh token rotates (the spent one is refused
# by the provider, whose reuse detection then revokes the grant: that
# check comes last for its user); a grant revoked at the provider makes
# the user "login_needed" and "token" says so; logout revokes the refresh
# token at the provider (introspection says inactive, a refresh with it
# is invalid_grant); SIGKILL of the helper while it renews keeps the user;
# with the provider down the cached token is served and the retries back
# off (1 s, 2 s, 4 s).
#
# Needs root (users, setpriv) and node/npm.

: "${top_srcdir:?}" "${top_builddir:?}"
# shellcheck source=../e2e/lib-e2e.sh
. "$top_srcdir/tests/e2e/lib-e2e.sh"

e2e_system_test renew node npm curl python3 setpriv

HELPERD=$top_builddir/pam_jwt_helperd
TOOL=$E2E_TOOL
[ -x "$HELPERD" ] || e2e_die "$HELPERD is missing: run make"

chmod 0755 "$E2E_TMP"
ALICE=pjrn-alice
BOB=pjrn-bob
CAROL=pjrn-carol
DAVE=pjrn-dave
e2e_user_add pjrnhelper
for u in $ALICE $BOB $CAROL $DAVE; do
	e2e_user_add "$u"
done

ETC=$E2E_TMP/etc
e2e_secure_dir "$ETC"
# The helper's client secret: the provider's copy (root's) and the
# helper's (its own, 0600).
python3 -c 'import secrets; print(secrets.token_urlsafe(24))' \
    >"$E2E_TMP/helper-secret"
chmod 0600 "$E2E_TMP/helper-secret"
install -m 0600 -o pjrnhelper -g pjrnhelper "$E2E_TMP/helper-secret" \
    "$ETC/client-secret"
CLIENT_AUTH="pam-jwt-helper:$(cat "$E2E_TMP/helper-secret")"

e2e_idp_install
e2e_idp_users_init
for u in $ALICE $BOB $CAROL $DAVE; do
	e2e_idp_user "$u" dev
done
E2E_IDP_ARGS="--ttl 5 --helper-secret $E2E_TMP/helper-secret"
e2e_idp_start
ISS=$E2E_IDP_URL

KEYS=$E2E_TMP/keys
e2e_secure_dir "$KEYS"
cp "$E2E_IDP_JWKS" "$KEYS/jwks.json" && chmod 0644 "$KEYS/jwks.json" ||
    e2e_die "key set"

RUN=$E2E_TMP/run
install -d -m 0755 -o pjrnhelper -g pjrnhelper "$RUN"
SOCK=$RUN/helper.sock
STATE=$E2E_TMP/state
install -d -m 0700 -o pjrnhelper -g pjrnhelper "$STATE"
CONF=$ETC/pam_jwt.conf
e2e_write_conf "$CONF" "issuer=$ISS" audience=pam-jwt \
    "jwks_file=$KEYS/jwks.json" username_claim=preferred_username \
    typ=at+jwt client_id=pam-jwt-helper \
    "client_secret_file=$ETC/client-secret" renew_margin=60 \
    helper_user=pjrnhelper "helper_socket=$SOCK" "state_dir=$STATE"

start()
{
	rm -f "$SOCK"
	setpriv --reuid=pjrnhelper --regid=pjrnhelper --init-groups -- \
	    "$HELPERD" --foreground --config "$CONF" \
	    >/dev/null 2>>"$E2E_TMP/helperd.err" &
	HELPERD_PID=$!
	e2e_on_exit "e2e_stop_pid $HELPERD_PID"
	e2e_wait 10 test -S "$SOCK" || {
		e2e_show "$E2E_TMP/helperd.err"
		e2e_die "the helper did not start"
	}
}

log_lines()
{
	sed 's/^pam_jwt_helperd\[[0-9]*\]: //' "$E2E_TMP/helperd.err"
}

# login USER [TTL]: the provider's token response for a login of USER
# by the helper's client, in $E2E_TMP/login-USER.json.
login()
{
	curl -sS --max-time 30 -o "$E2E_TMP/login-$1.json" \
	    -d "user=$1" ${2:+-d "ttl=$2"} "$ISS/test/login" ||
	    e2e_die "login $1"
	chmod 0600 "$E2E_TMP/login-$1.json"
}

field()
{
	e2e_json "$1" "d['$2']"
}

# status USER KEY: a member of the helper's raw status answer.
status()
{
	python3 - "$SOCK" "$1" "$2" <<'EOF'
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
body = json.dumps({"v": 1, "op": "status", "user": sys.argv[2]}).encode()
s.sendall(struct.pack(">I", len(body)) + body)
data = b""
while True:
    c = s.recv(65536)
    if not c:
        break
    data += c
print(json.dumps(json.loads(data[4:]).get(sys.argv[3])))
EOF
}

# exp_of TOKEN: its exp claim (not verified), 0 when unreadable.
exp_of()
{
	printf '%s' "$1" | python3 -c 'import base64, json, sys
try:
    p = sys.stdin.read().strip().split(".")[1]
    p = base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))
    print(int(json.loads(p)["exp"]))
except Exception:
    print(0)'
}

renewed()
{
	[ "$(status "$1" renewals)" -ge "$2" ] 2>/dev/null
}

state_is()
{
	[ "$(status "$1" state)" = "\"$2\"" ]
}

held()
{
	"$TOOL" token --socket "$SOCK" --user "$1" 2>&1
}

# refresh RT: the provider's answer to a refresh_token grant with RT.
refresh()
{
	printf 'user = "%s"\n' "$CLIENT_AUTH" |
	    curl -sS --max-time 30 -K - -d grant_type=refresh_token \
	    --data-urlencode "refresh_token=$1" "$ISS/token"
}

# active RT: introspection (RFC 7662) of the refresh token RT.
active()
{
	printf 'user = "%s"\n' "$CLIENT_AUTH" |
	    curl -sS --max-time 30 -K - --data-urlencode "token=$1" \
	    -d token_type_hint=refresh_token "$ISS/token/introspection" |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)["active"])'
}

start

# --- a 5-second token is renewed before it expires ------------------------

login "$ALICE"
e2e_expect "login $ALICE: expires_in" 5 "$(field "$E2E_TMP/login-$ALICE.json" \
    expires_in)"
RT_ALICE=$(field "$E2E_TMP/login-$ALICE.json" refresh_token)
"$TOOL" store --socket "$SOCK" "$ALICE" <"$E2E_TMP/login-$ALICE.json" \
    >/dev/null 2>"$E2E_TMP/store.err"
e2e_expect "store $ALICE" 0 "$?"
T1=$(held "$ALICE")
E1=$(exp_of "$T1")
e2e_expect "stored token handed out" \
    "$(field "$E2E_TMP/login-$ALICE.json" access_token)" "$T1"
e2e_expect "$ALICE: no renewal yet" 0 "$(status "$ALICE" renewals)"
if e2e_wait 4 renewed "$ALICE" 1; then
	e2e_pass "$ALICE: renewed within 4 s of a 5-second token"
else
	e2e_fail "$ALICE: renewed within 4 s of a 5-second token" \
	    "renewals $(status "$ALICE" renewals)"
fi
T2=$(held "$ALICE")
E2=$(exp_of "$T2")
e2e_expect "$ALICE: a different token" yes \
    "$([ -n "$T2" ] && [ "$T2" != "$T1" ] && echo yes)"
e2e_expect "$ALICE: a later exp" yes "$([ "$E2" -gt "$E1" ] && echo yes)"
printf '%s' "$T2" | "$TOOL" verify --config "$CONF" --user "$ALICE" - \
    >/dev/null 2>&1
e2e_expect "$ALICE: the renewed token verifies (pam-jwt verify)" 0 "$?"
e2e_expect "$ALICE: state" '"valid"' "$(status "$ALICE" state)"
e2e_expect "$ALICE: refresh token rotated" yes \
    "$([ "$(status "$ALICE" refresh_rotated_at)" != null ] && echo yes)"
e2e_expect "renewal logged" yes "$(log_lines |
    grep -qE "^renewed user=$ALICE exp=[0-9]+ refresh_token=rotated$" &&
    echo yes)"
if e2e_wait 12 renewed "$ALICE" 3; then
	e2e_pass "$ALICE: renewed again and again"
else
	e2e_fail "$ALICE: renewed again and again"
fi

# --- logout revokes at the provider ---------------------------------------

login "$BOB" 600
RT_BOB=$(field "$E2E_TMP/login-$BOB.json" refresh_token)
"$TOOL" store --socket "$SOCK" "$BOB" <"$E2E_TMP/login-$BOB.json" \
    >/dev/null 2>"$E2E_TMP/store.err"
e2e_expect "store $BOB" 0 "$?"
e2e_expect "$BOB: refresh token active before logout" True \
    "$(active "$RT_BOB")"
"$TOOL" logout --socket "$SOCK" --user "$BOB" >/dev/null 2>&1
e2e_expect "logout $BOB" 0 "$?"
e2e_expect "$BOB: revocation logged" yes "$(log_lines |
    grep -qxF "revocation user=$BOB: done" && echo yes)"
e2e_expect "$BOB: refresh token inactive after logout" False \
    "$(active "$RT_BOB")"
e2e_expect "$BOB: a refresh with it" invalid_grant \
    "$(refresh "$RT_BOB" | python3 -c \
    'import json, sys; print(json.load(sys.stdin)["error"])')"

# --- a grant revoked at the provider: login needed ------------------------

login "$CAROL"
"$TOOL" store --socket "$SOCK" "$CAROL" <"$E2E_TMP/login-$CAROL.json" \
    >/dev/null 2>"$E2E_TMP/store.err"
e2e_expect "store $CAROL" 0 "$?"
e2e_expect "$CAROL: revoked at the provider" '{"revoked": 1}' \
    "$(curl -sS --max-time 30 -d "user=$CAROL" "$ISS/test/revoke" |
    python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)))')"
if e2e_wait 8 state_is "$CAROL" login_needed; then
	e2e_pass "$CAROL: state login_needed"
else
	e2e_fail "$CAROL: state login_needed" "$(status "$CAROL" state)"
fi
e2e_expect "$CAROL: token" "pam-jwt: token: refused by the helper:\
 no_token: login needed: the provider refused the refresh token\
 (invalid_grant)" "$(held "$CAROL")"
e2e_expect "$CAROL: logged" yes "$(log_lines |
    grep -qxF "renewal refused user=$CAROL: invalid_grant, login needed" &&
    echo yes)"

# --- SIGKILL while renewing: the user is intact ----------------------------

# alice renews every 2 to 2.5 s; kill right after a renewal started.
n=$(status "$ALICE" renewals)
e2e_wait 5 renewed "$ALICE" $((n + 1))
sleep 2.2
kill -9 "$HELPERD_PID"
wait "$HELPERD_PID" 2>/dev/null
start
e2e_expect "$ALICE: kept across SIGKILL" "\"$ALICE\"" \
    "$(status "$ALICE" user)"
if e2e_wait 8 renewed "$ALICE" 1; then
	e2e_pass "$ALICE: renewed again after the restart"
else
	e2e_fail "$ALICE: renewed again after the restart" \
	    "state $(status "$ALICE" state)"
fi
e2e_expect "$ALICE: state after the restart" '"valid"' \
    "$(status "$ALICE" state)"
T3=$(held "$ALICE")
printf '%s' "$T3" | "$TOOL" verify --config "$CONF" --user "$ALICE" - \
    >/dev/null 2>&1
e2e_expect "$ALICE: token after the restart verifies" 0 "$?"

# --- rotation: the spent refresh token is refused -------------------------

# Reuse detection revokes alice's grant: this comes last for her.
e2e_expect "$ALICE: the first refresh token, spent" invalid_grant \
    "$(refresh "$RT_ALICE" | python3 -c \
    'import json, sys; print(json.load(sys.stdin)["error"])')"
if e2e_wait 8 state_is "$ALICE" login_needed; then
	e2e_pass "$ALICE: the grant is gone after reuse: login_needed"
else
	e2e_fail "$ALICE: the grant is gone after reuse: login_needed"
fi

# --- provider down: cached token, back-off --------------------------------

login "$DAVE"
"$TOOL" store --socket "$SOCK" "$DAVE" <"$E2E_TMP/login-$DAVE.json" \
    >/dev/null 2>"$E2E_TMP/store.err"
e2e_expect "store $DAVE" 0 "$?"
e2e_wait 5 renewed "$DAVE" 1 || e2e_fail "$DAVE: renewed"
e2e_stop_pid "$E2E_IDP_PID"
fails()
{
	log_lines | sed -n "s/^renewal failed user=$DAVE: .*; next try in //p"
}
e2e_wait 5 sh -c "[ -n \"\$(sed -n '/^.*renewal failed user=$DAVE: /p' \
    '$E2E_TMP/helperd.err')\" ]"
T4=$(held "$DAVE")
E4=$(exp_of "$T4")
e2e_expect "$DAVE: cached token served, provider down" yes \
    "$([ "$E4" -gt "$(date +%s)" ] && echo yes)"
e2e_wait 15 sh -c "[ \$(grep -c 'renewal failed user=$DAVE: ' \
    '$E2E_TMP/helperd.err') -ge 4 ]"
e2e_expect "$DAVE: retries back off" "1 s
2 s
4 s
8 s" "$(fails | head -n 4)"

e2e_finish
