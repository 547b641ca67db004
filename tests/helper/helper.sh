#!/bin/sh
# The helper daemon against real local users: pam_jwt_helperd runs as an
# unprivileged user of its own, two unprivileged test users and root talk
# to it through "pam-jwt", and abusive clients (tests/helper/client.py)
# talk to its socket directly.
#
# What it pins: the daemon never runs as root; each user gets exactly
# their own token and is refused another's (exit 1, "forbidden", and a
# log line with the caller's uid); only root stores and drops; a token
# that does not verify is refused at store; malformed, oversized,
# truncated, slow and wrong-version messages get an error or a closed
# connection while another client is served; socket activation works;
# without a client_id an ID token is dropped (logged); with one, an ID
# token for another audience, expired or of another subject refuses the
# set, and a valid one is held.
#
# Needs root (it creates the users) and python3; the socket activation
# case needs systemd-socket-activate (package systemd).

: "${top_srcdir:?}" "${top_builddir:?}"
# shellcheck source=../e2e/lib-e2e.sh
. "$top_srcdir/tests/e2e/lib-e2e.sh"

e2e_system_test helper python3 setpriv

HELPERD=$top_builddir/pam_jwt_helperd
TOOL=$top_builddir/pam-jwt
MKTOKEN=$top_builddir/tests/mktoken
CLIENT=$top_srcdir/tests/helper/client.py
[ -x "$HELPERD" ] || e2e_die "$HELPERD is missing: run make"
[ -x "$MKTOKEN" ] || e2e_die "$MKTOKEN is missing: run make check-system"
# The users run python3 too: the system's, not one under root's home.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

# The users can reach the work folder, not write it.
chmod 0755 "$E2E_TMP"
e2e_user_add pjhelper
e2e_user_add pjalice
e2e_user_add pjbob
ALICE_UID=$(id -u pjalice)

# as USER CMD...: run CMD as USER (exec, so a PID is the command's).
as()
{
	u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"
}

# Keys, configuration: root-owned, as the file rules want.
ETC=$E2E_TMP/etc
e2e_secure_dir "$ETC"
"$MKTOKEN" genkey rsa "$E2E_TMP/key.pem" || e2e_die "genkey"
"$MKTOKEN" genkey rsa "$E2E_TMP/other.pem" || e2e_die "genkey"
"$MKTOKEN" jwks "$E2E_TMP/key.pem" k1 >"$ETC/jwks.json" || e2e_die "jwks"
chmod 0644 "$ETC/jwks.json"
RUN=$E2E_TMP/run
install -d -m 0755 -o pjhelper -g pjhelper "$RUN"
SOCK=$RUN/helper.sock
CONF=$ETC/pam_jwt.conf
# Memory only here: tests/helper/durable.sh tests the store on disk.
e2e_write_conf "$CONF" issuer=https://idp.test audience=pam-test \
    jwks_file=jwks.json helper_user=pjhelper helper_socket="$SOCK" \
    persist=no

NOW=$(date +%s)
EXP=$((NOW + 3600))
EXP_ISO=$(date -u -d "@$EXP" +%Y-%m-%dT%H:%M:%SZ)

# token USER [KEY] [EXP]: an access token for USER.
token()
{
	printf '{"iss":"https://idp.test","aud":"pam-test","sub":"%s",%s' \
	    "$1" "\"groups\":[\"dev\",\"ops\"],\"iat\":$NOW,\"exp\":${3:-$EXP}}" |
	    "$MKTOKEN" sign RS256 "${2:-$E2E_TMP/key.pem}" k1
}

# response TOKEN: a token endpoint response around TOKEN.
response()
{
	printf '{"access_token":"%s","refresh_token":"r-%s",%s}\n' "$1" \
	    "$2" '"id_token":"i.d.t","expires_in":3600,"token_type":"Bearer"'
}

# run_as USER CMD...: run CMD as USER (root: as is); sets RC, OUT, ERR.
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

# store_as USER RESPONSEFILE: root's "pam-jwt store USER".
store_as()
{
	"$TOOL" store --socket "$SOCK" "$1" <"$2" >"$E2E_TMP/out" \
	    2>"$E2E_TMP/err"
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

REFUSED="pam-jwt: token: refused by the helper"

# --- never as root --------------------------------------------------------

"$HELPERD" --foreground --config "$CONF" --socket "$SOCK" \
    >"$E2E_TMP/out" 2>"$E2E_TMP/err"
RC=$?
OUT=$(cat "$E2E_TMP/out")
ERR=$(cat "$E2E_TMP/err")
expect_run "helperd as root" 1 "" "pam_jwt_helperd: refusing to run as\
 root; start it as its own system user (helper_user)"
e2e_expect "helperd as root: no socket" no "$([ -e "$SOCK" ] && echo yes ||
    echo no)"

# --- start as the helper's user -------------------------------------------

e2e_syslog_start
setpriv --reuid=pjhelper --regid=pjhelper --init-groups -- \
    "$HELPERD" --foreground --config "$CONF" \
    >"$E2E_TMP/helperd.out" 2>"$E2E_TMP/helperd.err" &
HELPERD_PID=$!
e2e_on_exit "e2e_stop_pid $HELPERD_PID"
e2e_wait 10 test -S "$SOCK" || {
	e2e_show "$E2E_TMP/helperd.err"
	e2e_die "the helper did not start"
}
e2e_expect "socket mode" "666 pjhelper" "$(stat -c '%a %U' "$SOCK")"
# PR_SET_DUMPABLE 0: the kernel gives the process's /proc files to root.
e2e_expect "not dumpable" 0 "$(stat -c %u "/proc/$HELPERD_PID/mem")"

# --- root stores a token set for each user --------------------------------

token pjalice >"$E2E_TMP/alice.jwt" || e2e_die "sign"
token pjbob >"$E2E_TMP/bob.jwt" || e2e_die "sign"
ALICE_AT=$(cat "$E2E_TMP/alice.jwt")
BOB_AT=$(cat "$E2E_TMP/bob.jwt")
response "$ALICE_AT" alice >"$E2E_TMP/alice.json"
response "$BOB_AT" bob >"$E2E_TMP/bob.json"

e2e_log_mark
store_as pjalice "$E2E_TMP/alice.json"
expect_run "store pjalice" 0 "stored: pjalice
expires: $EXP ($EXP_ISO)" ""
store_as pjbob "$E2E_TMP/bob.json"
expect_run "store pjbob" 0 "stored: pjbob
expires: $EXP ($EXP_ISO)" ""
if e2e_wait_log "pam_jwt_helperd\[[0-9]+\]: stored op=store caller_uid=0\
 caller_pid=[0-9]+ user=pjalice exp=$EXP"; then
	e2e_pass "store is logged"
else
	e2e_fail "store is logged" "$(e2e_log_new)"
fi
# No client_id: an ID token cannot be verified, the set is kept without.
if e2e_wait_log "pam_jwt_helperd\[[0-9]+\]: dropped the ID token op=store\
 caller_uid=0 caller_pid=[0-9]+ user=pjalice \(no client_id: it cannot be\
 verified\)"; then
	e2e_pass "unverifiable ID token dropped"
else
	e2e_fail "unverifiable ID token dropped" "$(e2e_log_new)"
fi
if e2e_log_new | grep -q -e "$ALICE_AT" -e r-alice -e i.d.t; then
	e2e_fail "no token in the log"
else
	e2e_pass "no token in the log"
fi

# --- each user gets exactly their own -------------------------------------

run_as pjalice "$TOOL" token --socket "$SOCK"
expect_run "alice's token" 0 "$ALICE_AT" ""
run_as pjbob "$TOOL" token --socket "$SOCK"
expect_run "bob's token" 0 "$BOB_AT" ""
run_as pjalice "$TOOL" token --socket "$SOCK" --user pjalice
expect_run "alice names herself" 0 "$ALICE_AT" ""
run_as root "$TOOL" token --socket "$SOCK" --user pjbob
expect_run "root asks for bob's" 0 "$BOB_AT" ""
# A kubectl exec credential plugin's answer: the token and its exp.
run_as pjalice "$TOOL" token --socket "$SOCK" --format k8s
expect_run "alice's token for kubectl" 0 "{\"apiVersion\":\"client.\
authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\
\":\"$ALICE_AT\",\"expirationTimestamp\":\"$EXP_ISO\"}}" ""
run_as pjalice "$TOOL" token --socket "$SOCK" --format yaml
expect_run "token --format yaml" 2 "" "pam-jwt: token: --format: only\
 \"k8s\" is known
Usage: pam-jwt token [--socket PATH] [--config FILE] [--user NAME]\
 [--format k8s]"

e2e_log_mark
run_as pjalice "$TOOL" token --socket "$SOCK" --user pjbob
expect_run "alice asks for bob's" 1 "" \
    "$REFUSED: forbidden: you may only act for yourself"
if e2e_wait_log "pam_jwt_helperd\[[0-9]+\]: refused op=token\
 caller_uid=$ALICE_UID caller_pid=[0-9]+ user=pjbob reason=forbidden$"
then
	e2e_pass "the refusal is logged with the caller's uid"
else
	e2e_fail "the refusal is logged with the caller's uid" \
	    "$(e2e_log_new)"
fi
run_as pjalice "$TOOL" status --socket "$SOCK" --user pjbob
expect_run "alice asks for bob's status" 1 "" "pam-jwt: status: refused\
 by the helper: forbidden: you may only act for yourself"
run_as pjalice "$TOOL" logout --socket "$SOCK" --user pjbob
expect_run "alice logs bob out" 1 "" "pam-jwt: logout: refused by the\
 helper: forbidden: you may only act for yourself"
run_as pjalice "$TOOL" token --socket "$SOCK" --user nosuchuser
expect_run "alice asks for a missing user" 1 "" \
    "$REFUSED: forbidden: you may only act for yourself"
as pjalice "$TOOL" store --socket "$SOCK" pjalice \
    <"$E2E_TMP/alice.json" >"$E2E_TMP/out" 2>"$E2E_TMP/err"
RC=$?
OUT=$(cat "$E2E_TMP/out")
ERR=$(cat "$E2E_TMP/err")
expect_run "alice stores" 1 "" "pam-jwt: store: refused by the helper:\
 forbidden: only root may do this"
run_as pjalice "$TOOL" drop --socket "$SOCK" pjbob
expect_run "alice drops bob" 1 "" "pam-jwt: drop: refused by the helper:\
 forbidden: only root may do this"

# --- status ---------------------------------------------------------------

run_as pjalice "$TOOL" status --socket "$SOCK"
STORED=$(printf '%s\n' "$OUT" | sed -n 's/^stored: \([0-9]*\) .*/\1/p')
e2e_expect "status: stored time" yes \
    "$([ -n "$STORED" ] && [ "$STORED" -ge "$NOW" ] && echo yes)"
OUT=$(printf '%s\n' "$OUT" | grep -v '^stored: ')
expect_run "alice's status" 0 "user: pjalice
issuer: https://idp.test
subject: pjalice
groups: dev, ops
expires: $EXP ($EXP_ISO)
state: valid
refresh_token: yes
id_token: no" ""

# --- abusive clients, while others are served -----------------------------

for c in bad_json huge truncated version slow; do
	as pjbob "$PY" "$CLIENT" "$SOCK" "$c" >"$E2E_TMP/client.out" \
	    2>&1
	eval "GOT_$c=\$(cat \"\$E2E_TMP/client.out\")"
done
# The helper's answers, as the protocol documents them.
E='{"v":1,"ok":false,"error":'
M_BAD='"a request is one strict JSON object with \"v\" and \"op\""'
M_BIG='"a message is at most 65536 bytes"'
M_VER='"this helper speaks version 1"'
e2e_expect "malformed JSON" "other: served
answer: $E\"bad_request\",\"message\":$M_BAD}
then: closed" "$GOT_bad_json"
e2e_expect "2 GiB length prefix" "other: served
answer: $E\"too_large\",\"message\":$M_BIG}
then: closed" "$GOT_huge"
e2e_expect "truncated message" 'other: served
answer: none
then: closed' "$GOT_truncated"
e2e_expect "wrong version" "other: served
answer: $E\"unsupported_version\",\"message\":$M_VER}
then: closed" "$GOT_version"
e2e_expect "a byte a second" 'other: served
slow: closed after 2 s' "$GOT_slow"
e2e_expect "helper still running" yes \
    "$(kill -0 "$HELPERD_PID" 2>/dev/null && echo yes)"

# --- tokens that do not verify are refused at store -----------------------

# expect_bad_token NAME USER TOKENFILE: store refused with the verifier's
# own reason and message, as "pam-jwt verify" words them.
expect_bad_token()
{
	why=$("$TOOL" verify --config "$CONF" --user "$2" - <"$3" 2>&1 \
	    >/dev/null)
	response "$(cat "$3")" x >"$E2E_TMP/bad.json"
	store_as "$2" "$E2E_TMP/bad.json"
	expect_run "$1" 1 "" "pam-jwt: store: refused by the helper:\
 bad_token: ${why#refused: }"
	e2e_expect "$1: a reason" yes "$(case $why in
	    "refused: $4: "*) echo yes ;; *) echo "$why" ;; esac)"
}
token pjalice "$E2E_TMP/other.pem" >"$E2E_TMP/forged.jwt"
expect_bad_token "store: other key" pjalice "$E2E_TMP/forged.jwt" \
    bad_signature
token pjalice "" $((NOW - 3600)) >"$E2E_TMP/expired.jwt"
expect_bad_token "store: expired" pjalice "$E2E_TMP/expired.jwt" expired
expect_bad_token "store: another user's token" pjalice "$E2E_TMP/bob.jwt" \
    user_mismatch
run_as pjalice "$TOOL" token --socket "$SOCK"
expect_run "alice's token kept after refused stores" 0 "$ALICE_AT" ""
store_as nosuchuser "$E2E_TMP/alice.json"
expect_run "store: unknown user" 1 "" "pam-jwt: store: refused by the\
 helper: unknown_user: no such user on this host"
printf '{"refresh_token":"x"}' >"$E2E_TMP/noat.json"
store_as pjalice "$E2E_TMP/noat.json"
expect_run "store: no access token" 1 "" "pam-jwt: store: refused by the\
 helper: bad_request: \"tokens\" needs \"access_token\"; \"refresh_token\"\
 and \"id_token\" are strings, \"expires_in\" an integer"

# --- logout and drop ------------------------------------------------------

run_as pjalice "$TOOL" logout --socket "$SOCK"
expect_run "alice logs out" 0 "dropped: pjalice" ""
run_as pjalice "$TOOL" token --socket "$SOCK"
expect_run "alice after logout" 1 "" \
    "$REFUSED: no_token: no tokens are stored"
run_as pjalice "$TOOL" logout --socket "$SOCK"
expect_run "alice logs out again" 0 "nothing stored: pjalice" ""
run_as pjbob "$TOOL" token --socket "$SOCK"
expect_run "bob keeps his" 0 "$BOB_AT" ""
run_as root "$TOOL" drop --socket "$SOCK" pjbob
expect_run "root drops bob" 0 "dropped: pjbob" ""
run_as pjbob "$TOOL" status --socket "$SOCK"
expect_run "bob after drop" 1 "" "pam-jwt: status: refused by the helper:\
 no_token: no tokens are stored"

# --- the tool's own errors -----------------------------------------------

run_as pjbob "$TOOL" token --socket "$RUN/nothing.sock"
expect_run "no helper there" 2 "" "pam-jwt: cannot reach the helper at\
 $RUN/nothing.sock: No such file or directory"
run_as root "$TOOL" drop --socket "$SOCK"
expect_run "drop without a user" 2 "" "pam-jwt: drop: one USER needed
Usage: pam-jwt drop [--socket PATH] [--config FILE] USER"

# --- a clean stop ---------------------------------------------------------

kill "$HELPERD_PID"
e2e_wait 10 e2e_pid_gone "$HELPERD_PID"
wait "$HELPERD_PID"
e2e_expect "SIGTERM: exit 0" 0 "$?"
e2e_expect "SIGTERM: socket removed" no \
    "$([ -e "$SOCK" ] && echo yes || echo no)"

# --- socket activation ----------------------------------------------------

if ! command -v systemd-socket-activate >/dev/null 2>&1; then
	echo "SKIP: socket activation: systemd-socket-activate not found" \
	    "(package systemd)"
else
	ASOCK=$RUN/activated.sock
	setpriv --reuid=pjhelper --regid=pjhelper --init-groups -- \
	    sh -c 'umask 0; exec systemd-socket-activate -l "$1" \
	    "$2" --foreground --config "$3"' sh "$ASOCK" "$HELPERD" "$CONF" \
	    >"$E2E_TMP/act.out" 2>"$E2E_TMP/act.err" &
	ACT_PID=$!
	e2e_on_exit "e2e_stop_pid $ACT_PID"
	e2e_wait 10 test -S "$ASOCK" || e2e_die "systemd-socket-activate" \
	    "did not listen"
	# What SocketMode=0666 in the unit does (the tool makes it 0644).
	chmod 0666 "$ASOCK"
	"$TOOL" store --socket "$ASOCK" pjalice <"$E2E_TMP/alice.json" \
	    >"$E2E_TMP/out" 2>"$E2E_TMP/err"
	RC=$?
	OUT=$(cat "$E2E_TMP/out")
	ERR=$(cat "$E2E_TMP/err")
	expect_run "activated: store" 0 "stored: pjalice
expires: $EXP ($EXP_ISO)" ""
	run_as pjalice "$TOOL" token --socket "$ASOCK"
	expect_run "activated: alice's token" 0 "$ALICE_AT" ""
	run_as pjbob "$TOOL" token --socket "$ASOCK" --user pjalice
	expect_run "activated: bob refused" 1 "" \
	    "$REFUSED: forbidden: you may only act for yourself"
	e2e_expect "activated: inherited socket" yes "$(grep -q \
	    'serving on (inherited) (socket activation)' \
	    "$E2E_TMP/act.err" && echo yes)"
fi

# --- ID tokens, with a client_id ------------------------------------------

# idtoken USER AUD EXP: an ID token (OpenID Connect Core 1.0, 2).
idtoken()
{
	printf '{"iss":"https://idp.test","aud":"%s","sub":"%s",%s' "$2" "$1" \
	    "\"iat\":$NOW,\"exp\":$3,\"nonce\":\"n\"}" |
	    "$MKTOKEN" sign RS256 "$E2E_TMP/key.pem" k1
}

# id_response FILE ID_TOKEN: alice's access token with ID_TOKEN.
id_response()
{
	printf '{"access_token":"%s","refresh_token":"r-id",%s' "$ALICE_AT" \
	    "\"id_token\":\"$2\",\"token_type\":\"Bearer\"}" >"$1"
}

IDSOCK=$RUN/id.sock
e2e_write_conf "$ETC/id.conf" issuer=https://idp.test audience=pam-test \
    jwks_file=jwks.json helper_user=pjhelper helper_socket="$IDSOCK" \
    persist=no client_id=pam-helper
setpriv --reuid=pjhelper --regid=pjhelper --init-groups -- \
    "$HELPERD" --foreground --config "$ETC/id.conf" \
    >"$E2E_TMP/id.out" 2>"$E2E_TMP/id.err" &
ID_PID=$!
e2e_on_exit "e2e_stop_pid $ID_PID"
e2e_wait 10 test -S "$IDSOCK" || {
	e2e_show "$E2E_TMP/id.err"
	e2e_die "the helper (client_id) did not start"
}
SOCK_SAVED=$SOCK
SOCK=$IDSOCK

id_response "$E2E_TMP/id-aud.json" "$(idtoken pjalice pam-test "$EXP")"
store_as pjalice "$E2E_TMP/id-aud.json"
expect_run "ID token for another audience" 1 "" "pam-jwt: store: refused\
 by the helper: bad_token: id_token: bad_audience: aud \"pam-test\" is not\
 a configured audience"
id_response "$E2E_TMP/id-exp.json" "$(idtoken pjalice pam-helper \
    $((NOW - 600)))"
store_as pjalice "$E2E_TMP/id-exp.json"
# The helper's clock is read at the store: its second is not known here.
ERR=$(printf '%s\n' "$ERR" | sed 's/(now [0-9][0-9]*,/(now NOW,/')
expect_run "expired ID token" 1 "" "pam-jwt: store: refused by the\
 helper: bad_token: id_token: expired: the token expired at\
 $((NOW - 600)) (now NOW, leeway 60)"
id_response "$E2E_TMP/id-sub.json" "$(idtoken pjbob pam-helper "$EXP")"
store_as pjalice "$E2E_TMP/id-sub.json"
expect_run "ID token of another user" 1 "" "pam-jwt: store: refused by\
 the helper: bad_token: id_token: user_mismatch: the token is for\
 \"pjbob\", not for \"pjalice\""
run_as pjalice "$TOOL" status --socket "$SOCK"
expect_run "refused ID tokens store nothing" 1 "" "pam-jwt: status:\
 refused by the helper: no_token: no tokens are stored"
id_response "$E2E_TMP/id-ok.json" "$(idtoken pjalice pam-helper "$EXP")"
store_as pjalice "$E2E_TMP/id-ok.json"
expect_run "valid ID token" 0 "stored: pjalice
expires: $EXP ($EXP_ISO)" ""
run_as pjalice "$TOOL" status --socket "$SOCK"
OUT=$(printf '%s\n' "$OUT" | grep -v '^stored: ')
expect_run "valid ID token: status" 0 "user: pjalice
issuer: https://idp.test
subject: pjalice
groups: dev, ops
expires: $EXP ($EXP_ISO)
state: valid
refresh_token: yes
id_token: yes" ""
SOCK=$SOCK_SAVED

e2e_finish
