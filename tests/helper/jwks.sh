#!/bin/sh
# The helper's key set upkeep against the real test provider on loopback:
# pam_jwt_helperd, running as an unprivileged user of its own, fetches the
# provider's discovery document and jwks_uri and keeps the policy's
# jwks_file in a folder of its own.
#
# What it pins: the file appears (mode 0644, the helper's) and "pam-jwt
# verify" accepts a provider token; after a key rotation at the provider
# "pam-jwt jwks-refresh" (any user may ask) writes the new set, a token of
# the new key verifies and the helper's own checks see it too; the module,
# refusing a login for an unknown kid, asks the helper to refresh (the
# login stays refused, the next one is accepted; no helper: the same
# refusal, under 3 s); a retired
# key's token is refused with unknown_kid; an unchanged fetch only touches
# the file's modification time; on-demand fetches are rate-limited; the
# provider down, answering garbage, an empty key set, HTTP 500, a
# discovery document of another issuer or a plain-http jwks_uri on a
# non-loopback host leaves the good file as it was, and is logged;
# Cache-Control max-age is clamped to jwks_refresh_min/jwks_refresh_max.
#
# Needs root (it creates users), node and npm (the provider), python3.

: "${top_srcdir:?}" "${top_builddir:?}"
# shellcheck source=../e2e/lib-e2e.sh
. "$top_srcdir/tests/e2e/lib-e2e.sh"

e2e_system_test jwks python3 setpriv node npm curl

HELPERD=$top_builddir/pam_jwt_helperd
TOOL=$top_builddir/pam-jwt
[ -x "$HELPERD" ] || e2e_die "$HELPERD is missing: run make"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
# The bounds of this test: fetch at most every 2 s on demand.
MIN=2
MAX=3600

chmod 0755 "$E2E_TMP"
e2e_user_add pjkhelper
e2e_user_add pjkalice

as()
{
	u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"
}

# run_as USER CMD...: sets RC, OUT, ERR.
run_as()
{
	u=$1
	shift
	if [ "$u" = root ]; then
		"$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err" </dev/null
	else
		as "$u" "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err" </dev/null
	fi
	RC=$?
	OUT=$(cat "$E2E_TMP/out")
	ERR=$(cat "$E2E_TMP/err")
}

expect_run()
{
	e2e_expect "$1: exit" "$2" "$RC"
	e2e_expect "$1: stdout" "$3" "$OUT"
	e2e_expect "$1: stderr" "$4" "$ERR"
}

# --- keys made now, three key sets for the provider -----------------------

newkey()
{
	node -e 'const c = require("node:crypto");
const { privateKey } = c.generateKeyPairSync("rsa", { modulusLength: 2048 });
const j = privateKey.export({ format: "jwk" });
console.log(JSON.stringify({ ...j, kid: process.argv[1], alg: "RS256",
    use: "sig" }));' "$1"
}

(umask 077 && newkey k1 >"$E2E_TMP/k1.jwk" && newkey k2 >"$E2E_TMP/k2.jwk") ||
    e2e_die "cannot make the test keys"
K1=$(cat "$E2E_TMP/k1.jwk")
K2=$(cat "$E2E_TMP/k2.jwk")
(umask 077 && printf '{"keys":[%s]}\n' "$K1" >"$E2E_TMP/keys1.json" &&
    printf '{"keys":[%s,%s]}\n' "$K2" "$K1" >"$E2E_TMP/keys2.json" &&
    printf '{"keys":[%s]}\n' "$K2" >"$E2E_TMP/keys3.json")

# --- the provider, on one port across restarts ----------------------------

e2e_idp_install
e2e_idp_users_init
e2e_idp_user pjkalice ssh-users
PORT=$(e2e_free_port) || e2e_die "no free port"
ISS=http://127.0.0.1:$PORT
E2E_IDP_URL=$ISS
DISC=$ISS/.well-known/openid-configuration
E2E_IDP_PID=

# idp_start KEYSFILE: (re)start the provider with that private key set.
idp_start()
{
	e2e_stop_pid "$E2E_IDP_PID"
	node "$E2E_IDP_DIR/server.mjs" --port "$PORT" \
	    --users "$E2E_IDP_USERS" --jwks-out "$E2E_TMP/idp-jwks.json" \
	    --keys "$1" >"$E2E_TMP/idp.out" 2>"$E2E_TMP/idp.err" &
	E2E_IDP_PID=$!
	e2e_on_exit "e2e_stop_pid $E2E_IDP_PID"
	if ! e2e_wait_say 90 "the test provider on $ISS" e2e_idp_discovery ||
	    e2e_pid_gone "$E2E_IDP_PID"; then
		e2e_show "$E2E_TMP/idp.err" 30
		e2e_die "the test provider did not start"
	fi
}

idp_start "$E2E_TMP/keys1.json"
e2e_info "provider: $ISS"

# --- the helper, keeping a jwks_file in a folder of its own ---------------

ETC=$E2E_TMP/etc
e2e_secure_dir "$ETC"
KEYS=$E2E_TMP/keys
install -d -m 0755 -o pjkhelper -g pjkhelper "$KEYS"
JWKS=$KEYS/jwks.json
RUN=$E2E_TMP/run
install -d -m 0755 -o pjkhelper -g pjkhelper "$RUN"
SOCK=$RUN/helper.sock
CONF=$ETC/pam_jwt.conf
e2e_write_conf "$CONF" "issuer=$ISS" audience=pam-jwt "jwks_file=$JWKS" \
    username_claim=preferred_username groups_claim=groups typ=at+jwt \
    helper_user=pjkhelper helper_socket="$SOCK" persist=no \
    jwks_refresh_min=$MIN jwks_refresh_max=$MAX
HLOG=$E2E_TMP/helperd.err

setpriv --reuid=pjkhelper --regid=pjkhelper --init-groups -- \
    "$HELPERD" --foreground --config "$CONF" \
    >"$E2E_TMP/helperd.out" 2>"$HLOG" &
HELPERD_PID=$!
e2e_on_exit "e2e_stop_pid $HELPERD_PID"
e2e_wait 15 test -S "$SOCK" || {
	e2e_show "$HLOG"
	e2e_die "the helper did not start"
}

# log_count REGEX: how many helper log lines match.
log_count()
{
	grep -c -E -- "$1" "$HLOG"
}

# wait_log N REGEX: wait until at least N helper log lines match.
log_at_least()
{
	[ "$(log_count "$2")" -ge "$1" ]
}

FETCHED="pam_jwt_helperd\[[0-9]+\]: key set of $ISS fetched"
if e2e_wait 15 test -s "$JWKS"; then
	e2e_pass "the helper writes the jwks_file at start"
else
	e2e_fail "the helper writes the jwks_file at start" "$(tail "$HLOG")"
fi
e2e_wait 5 log_at_least 1 "$FETCHED"
e2e_expect "start: logged" 1 "$(log_count "$FETCHED: 1 usable keys,\
 written; next in 3600 s$")"
e2e_expect "jwks_file: mode and owner" "644 pjkhelper" \
    "$(stat -c '%a %U' "$JWKS")"
kids()
{
	e2e_json "$JWKS" "','.join(k['kid'] for k in d['keys'])"
}
e2e_expect "jwks_file: the provider's key" k1 "$(kids)"
e2e_expect "jwks_file: no temporary file left" "jwks.json" \
    "$(ls -A "$KEYS" | tr '\n' ' ' | sed 's/ $//')"

# verify TOKENFILE: pam-jwt verify for pjkalice; sets RC, OUT, ERR.
verify()
{
	"$TOOL" verify --config "$CONF" --user pjkalice - <"$1" \
	    >"$E2E_TMP/out" 2>"$E2E_TMP/err"
	RC=$?
	OUT=$(sed 's/ (.*//' "$E2E_TMP/out")
	ERR=$(cat "$E2E_TMP/err")
}

accepted()
{
	exp=$(e2e_jwt_claim "$1" exp)
	printf 'user: pjkalice\nissuer: %s\ngroups: ssh-users\nexpires: %s' \
	    "$ISS" "$exp"
}

e2e_idp_token pjkalice "$E2E_TMP/t1.jwt" || e2e_die "no token"
e2e_expect "token 1: kid" k1 "$(e2e_jwt_part "$E2E_TMP/t1.jwt" 0 |
    "$PY" -c 'import json, sys; print(json.load(sys.stdin)["kid"])')"
verify "$E2E_TMP/t1.jwt"
expect_run "key 1 token verifies" 0 "$(accepted "$E2E_TMP/t1.jwt")" ""

# refresh USER: "pam-jwt jwks-refresh" as USER until it fetches (the
# schedule's own fetches count against the rate limit too).
refresh()
{
	for _ in $(seq 40); do
		run_as "$1" "$TOOL" jwks-refresh --socket "$SOCK"
		if [ "$RC" != 0 ] || [ "$OUT" != "fetched: no
changed: no" ]; then
			return 0
		fi
		sleep 0.25
	done
}

# --- an unchanged fetch touches the file; the rate limit ------------------

INODE=$(stat -c %i "$JWKS")
SUM=$(sha256sum <"$JWKS")
touch -d '2001-01-01 00:00:00 UTC' "$JWKS"
refresh pjkalice
expect_run "jwks-refresh by a user, unchanged" 0 "fetched: yes
changed: no" ""
run_as pjkalice "$TOOL" jwks-refresh --socket "$SOCK"
expect_run "jwks-refresh again at once: rate-limited" 0 "fetched: no
changed: no" ""
age=$(($(date +%s) - $(stat -c %Y "$JWKS")))
e2e_expect "unchanged fetch: mtime touched" yes \
    "$([ "$age" -ge 0 ] && [ "$age" -lt 60 ] && echo yes || echo "no ($age)")"
e2e_expect "unchanged fetch: same file" "$INODE $SUM" \
    "$(stat -c %i "$JWKS") $(sha256sum <"$JWKS")"
e2e_expect "unchanged fetch: logged" 1 "$(log_count "$FETCHED: 1 usable\
 keys, unchanged; next in 3600 s$")"
run_as pjkalice "$TOOL" jwks-refresh --socket "$SOCK" --issuer https://x.test
expect_run "jwks-refresh of an issuer not kept" 1 "" "pam-jwt: jwks-refresh:\
 refused by the helper: no_key_set: the helper keeps no key set for this\
 issuer"

# --- rotation: a new key first, the old one still published ---------------

idp_start "$E2E_TMP/keys2.json"
e2e_idp_token pjkalice "$E2E_TMP/t2.jwt" || e2e_die "no token"
e2e_expect "token 2: kid" k2 "$(e2e_jwt_part "$E2E_TMP/t2.jwt" 0 |
    "$PY" -c 'import json, sys; print(json.load(sys.stdin)["kid"])')"
verify "$E2E_TMP/t2.jwt"
expect_run "key 2 token before the refresh" 1 "" \
    'refused: unknown_kid: no key has kid "k2"'
printf '{"access_token":"%s","expires_in":600}\n' \
    "$(cat "$E2E_TMP/t2.jwt")" >"$E2E_TMP/t2.response"
"$TOOL" store --socket "$SOCK" pjkalice <"$E2E_TMP/t2.response" \
    >"$E2E_TMP/out" 2>"$E2E_TMP/err"
RC=$?
OUT=$(cat "$E2E_TMP/out")
ERR=$(cat "$E2E_TMP/err")
expect_run "helper: key 2 token before the refresh" 1 "" "pam-jwt: store:\
 refused by the helper: bad_token: unknown_kid: no key has kid \"k2\""

# The module meets the unknown kid: the login is refused as before, and
# it asks the helper (as root, within helper_timeout_ms) to refresh the
# key sets; the next attempt finds the new key.  Without a helper the
# refusal is the same, and quick.
SVC=$E2E_TMP/pam.d
mkdir "$SVC"
e2e_write_conf "$ETC/down.conf" "issuer=$ISS" audience=pam-jwt \
    "jwks_file=$JWKS" username_claim=preferred_username \
    groups_claim=groups typ=at+jwt helper_user=pjkhelper \
    helper_socket="$RUN/nothing.sock"
for c in pam_jwt down; do
	printf 'auth required %s config=%s\n' "$top_builddir/.libs/pam_jwt.so" \
	    "$ETC/$c.conf" >"$SVC/$c"
done
cp "$E2E_TMP/t2.jwt" "$E2E_TMP/answers"
# pam SERVICE: authenticate pjkalice with token 2; sets CODE and MS.
pam()
{
	t0=$(e2e_now_ms)
	CODE=$("$top_builddir/tests/pam/pamdriver" -d "$SVC" \
	    -a "$E2E_TMP/answers" "$1" pjkalice authenticate 2>&1 |
	    sed -n 's/^authenticate: //p')
	MS=$(($(e2e_now_ms) - t0))
}
REQ="key set refresh op=jwks_refresh caller_uid=0 caller_pid=[0-9]+ user=-"
e2e_syslog_start
e2e_log_mark
pam down
e2e_expect "module, no helper: refused" PAM_AUTH_ERR "$CODE"
e2e_expect "module, no helper: under 3 s" yes \
    "$([ "$MS" -lt 3000 ] && echo yes || echo "no ($MS ms)")"
for l in "stage=auth result=refused service=down user=pjkalice .* kid=k2\
 .*reason=unknown_kid$" \
    "helper: jwks_refresh not done: the helper is not running"; do
	if e2e_wait_log "$l"; then
		e2e_pass "module, no helper: logged: $l"
	else
		e2e_fail "module, no helper: logged: $l" "$(e2e_log_new)"
	fi
done
e2e_expect "module, no helper: the file is unchanged" k1 "$(kids)"
e2e_expect "module, no helper: the helper was not asked" 0 \
    "$(log_count "$REQ")"
# Past the rate limit of the last on-demand fetch.
sleep $((MIN + 1))
pam pam_jwt
e2e_expect "module, unknown kid: still refused" PAM_AUTH_ERR "$CODE"
if e2e_wait_log "pam_jwt.*helper: asked the helper to refresh the key set\
 \(unknown kid\)$"; then
	e2e_pass "module, unknown kid: logged"
else
	e2e_fail "module, unknown kid: logged" "$(e2e_log_new)"
fi
e2e_wait 10 log_at_least 1 "$REQ"
e2e_expect "module, unknown kid: the helper's log" 1 \
    "$(log_count "$REQ fetched=yes changed=yes$")"
e2e_expect "rotation: the new set" "k2,k1" "$(kids)"
pam pam_jwt
e2e_expect "module, next attempt: accepted" PAM_SUCCESS "$CODE"
run_as pjkalice "$TOOL" jwks-refresh --socket "$SOCK"
expect_run "jwks-refresh at once after the module's" 0 "fetched: no
changed: no" ""
e2e_expect "rotation: mode and owner" "644 pjkhelper" \
    "$(stat -c '%a %U' "$JWKS")"
e2e_expect "rotation: logged" 1 "$(log_count "$FETCHED: 2 usable keys,\
 written; next in 3600 s$")"
verify "$E2E_TMP/t2.jwt"
expect_run "key 2 token after the refresh" 0 "$(accepted "$E2E_TMP/t2.jwt")" ""
verify "$E2E_TMP/t1.jwt"
expect_run "key 1 token still verifies" 0 "$(accepted "$E2E_TMP/t1.jwt")" ""
"$TOOL" store --socket "$SOCK" pjkalice <"$E2E_TMP/t2.response" \
    >"$E2E_TMP/out" 2>"$E2E_TMP/err"
RC=$?
OUT=$(cat "$E2E_TMP/out")
ERR=$(cat "$E2E_TMP/err")
expect_run "helper: key 2 token after the refresh" 0 "stored: pjkalice
expires: $(e2e_jwt_claim "$E2E_TMP/t2.jwt" exp) ($(date -u -d \
    "@$(e2e_jwt_claim "$E2E_TMP/t2.jwt" exp)" +%Y-%m-%dT%H:%M:%SZ))" ""

# --- the old key retired --------------------------------------------------

idp_start "$E2E_TMP/keys3.json"
refresh root
expect_run "jwks-refresh after the retirement" 0 "fetched: yes
changed: yes" ""
e2e_expect "retirement: the new set" k2 "$(kids)"
verify "$E2E_TMP/t1.jwt"
expect_run "retired key's token is refused" 1 "" \
    'refused: unknown_kid: no key has kid "k1"'
verify "$E2E_TMP/t2.jwt"
expect_run "key 2 token verifies" 0 "$(accepted "$E2E_TMP/t2.jwt")" ""

# --- failures leave the good file alone -----------------------------------

GOOD="$(stat -c %i "$JWKS") $(sha256sum <"$JWKS")"
NOTREF="pam_jwt_helperd\[[0-9]+\]: key set of $ISS not refreshed"
KEPT="$JWKS kept; next try in [0-9]+ s$"

# failure NAME REASON: a refresh fails with REASON, the file stays, the
# failure is logged once more.
failure()
{
	before=$(log_count "$NOTREF: $2; $KEPT")
	refresh pjkalice
	expect_run "$1: jwks-refresh" 1 "" "pam-jwt: jwks-refresh: refused\
 by the helper: fetch_failed: $ISS: $2"
	e2e_expect "$1: the file is unchanged" "$GOOD" \
	    "$(stat -c %i "$JWKS") $(sha256sum <"$JWKS")"
	if log_at_least $((before + 1)) "$NOTREF: $2; $KEPT"; then
		e2e_pass "$1: logged"
	else
		e2e_fail "$1: logged" "$(tail -n 5 "$HLOG")"
	fi
}

e2e_stop_pid "$E2E_IDP_PID"
E2E_IDP_PID=
# Discovery was fetched before: the key set is what fails now.
failure "provider down" "fetching $ISS/jwks failed"

# A stand-in provider on the same port; MODE (a file) says how /jwks
# answers: good (the last good set, with Cache-Control from CC), garbage,
# empty, 500; and discovery: wrong issuer, plain http to another host.
MODE=$E2E_TMP/stub.mode
cp "$JWKS" "$E2E_TMP/stub-good.json"
echo good >"$MODE"
: >"$E2E_TMP/stub.cc"
"$PY" - "$PORT" "$ISS" "$MODE" "$E2E_TMP/stub-good.json" \
    "$E2E_TMP/stub.cc" >"$E2E_TMP/stub.log" 2>&1 <<'EOF' &
import http.server, json, sys
port, iss, mode_file, good_file, cc_file = sys.argv[1:6]

class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body, cc=""):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if cc:
            self.send_header("Cache-Control", cc)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        mode = open(mode_file).read().strip()
        if self.path == "/.well-known/openid-configuration":
            doc = {"issuer": iss, "jwks_uri": iss + "/jwks"}
            if mode == "wrong-issuer":
                doc["issuer"] = iss + "/other"
            if mode == "plain-http":
                doc["jwks_uri"] = "http://192.0.2.1/jwks"
            self.answer(200, json.dumps(doc).encode())
        elif self.path == "/jwks" and mode == "good":
            self.answer(200, open(good_file, "rb").read(),
                open(cc_file).read().strip())
        elif self.path == "/jwks" and mode == "garbage":
            self.answer(200, b"<html>not a key set</html>")
        elif self.path == "/jwks" and mode == "empty":
            self.answer(200, b'{"keys": []}')
        else:
            self.answer(500, b'{"error": "server_error"}')

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()
EOF
STUB_PID=$!
e2e_on_exit "e2e_stop_pid $STUB_PID"
e2e_wait 15 e2e_idp_discovery || e2e_die "the stand-in provider did not start"

echo garbage >"$MODE"
failure "garbage" "the answer of $ISS/jwks is not a key set"
echo empty >"$MODE"
failure "empty key set" "the key set of $ISS/jwks has no usable signing key"
echo 500 >"$MODE"
failure "HTTP 500" "HTTP status 500 from $ISS/jwks"
echo wrong-issuer >"$MODE"
failure "discovery of another issuer" "discovery at $DISC failed"
e2e_expect "discovery of another issuer: logged" yes "$(log_at_least 1 \
    "discovery $DISC: refused: its \"issuer\" is not the configured issuer$" &&
    echo yes || echo no)"
echo plain-http >"$MODE"
failure "plain-http jwks_uri on another host" "discovery at $DISC failed"
e2e_expect "plain-http jwks_uri: logged" yes "$(log_at_least 1 \
    "discovery $DISC: refused: no usable \"jwks_uri\" \\(https, or http to\
 loopback\\)$" && echo yes || echo no)"

# --- Cache-Control, clamped to [jwks_refresh_min, jwks_refresh_max] -------

echo good >"$MODE"
for cc in "max-age=0:$MIN" "max-age=600:600" "public, max-age=99999999:$MAX" \
    "no-store:$MIN"; do
	echo "${cc%:*}" >"$E2E_TMP/stub.cc"
	line="$FETCHED: 1 usable keys, unchanged; next in ${cc##*:} s$"
	before=$(log_count "$line")
	refresh pjkalice
	expect_run "Cache-Control: ${cc%:*}" 0 "fetched: yes
changed: no" ""
	# The schedule may fetch too (after max-age=0): at least one more.
	e2e_expect "Cache-Control: ${cc%:*}: next in ${cc##*:} s" yes \
	    "$(log_at_least $((before + 1)) "$line" && echo yes ||
	    echo "no: $(tail -n 3 "$HLOG")")"
done
e2e_expect "after the failures: the file is unchanged" "$GOOD" \
    "$(stat -c %i "$JWKS") $(sha256sum <"$JWKS")"

e2e_finish
