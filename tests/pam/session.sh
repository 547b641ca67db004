#!/bin/sh
# The module and the helper together: an accepted token is handed to a
# real pam_jwt_helperd (running as an unprivileged user of its own), and
# the session stages register and release the login session.
#
# What it pins: after authenticate, root's "pam-jwt token --user" gives
# the token the user presented; the session id travels only in
# PAM_JWT_SESSION, so open_session and close_session run in other processes than
# authenticate, as under sshd; the last close_session drops a set a login
# handed over, but not one root stored with "pam-jwt store", nor any
# with keep_after_logout = yes; a helper that is not running, or that
# accepts and never answers, costs at most helper_timeout_ms and changes
# no PAM result; a login the module did not authenticate sends nothing;
# no token reaches any log line.
#
# Needs root (it creates the users) and python3.

: "${top_srcdir:?}" "${top_builddir:?}"
# shellcheck source=../e2e/lib-e2e.sh
. "$top_srcdir/tests/e2e/lib-e2e.sh"

e2e_system_test session python3 setpriv

HELPERD=$top_builddir/pam_jwt_helperd
TOOL=$top_builddir/pam-jwt
MKTOKEN=$top_builddir/tests/mktoken
DRIVER=$top_builddir/tests/pam/pamdriver
MOD=$top_builddir/.libs/pam_jwt.so
[ -x "$HELPERD" ] || e2e_die "$HELPERD is missing: run make"
[ -x "$MKTOKEN" ] || e2e_die "$MKTOKEN is missing: run make check-system"
[ -x "$DRIVER" ] || e2e_die "$DRIVER is missing: run make check-system"
[ -f "$MOD" ] || e2e_die "$MOD is missing: run make"

chmod 0755 "$E2E_TMP"
e2e_user_add pjshelper
e2e_user_add pjsalice

ETC=$E2E_TMP/etc
e2e_secure_dir "$ETC"
"$MKTOKEN" genkey rsa "$E2E_TMP/key.pem" || e2e_die "genkey"
"$MKTOKEN" jwks "$E2E_TMP/key.pem" k1 >"$ETC/jwks.json" || e2e_die "jwks"
chmod 0644 "$ETC/jwks.json"
RUN=$E2E_TMP/run
install -d -m 0755 -o pjshelper -g pjshelper "$RUN"
SOCK=$RUN/helper.sock
KEEP_SOCK=$RUN/keep.sock
DOWN_SOCK=$RUN/nothing.sock
SILENT_SOCK=$RUN/silent.sock

# conf FILE KEY=VALUE...: the test's configuration plus the given keys.
conf()
{
	f=$1
	shift
	e2e_write_conf "$f" issuer=https://idp.test audience=pam-test \
	    jwks_file=jwks.json helper_user=pjshelper persist=no "$@"
}
conf "$ETC/main.conf" helper_socket="$SOCK"
conf "$ETC/keep.conf" helper_socket="$KEEP_SOCK" keep_after_logout=yes
conf "$ETC/down.conf" helper_socket="$DOWN_SOCK"
conf "$ETC/silent.conf" helper_socket="$SILENT_SOCK"

# The PAM services, one per configuration: pamdriver reads them from here.
SVC=$E2E_TMP/pam.d
mkdir "$SVC"
for c in main keep down silent; do
	a="$MOD config=$ETC/$c.conf"
	printf '%s\n' "auth required $a" "account required $a" \
	    "session required $a" >"$SVC/$c"
done
printf '%s\n' "session required $MOD config=$ETC/main.conf" >"$SVC/keyonly"

NOW=$(date +%s)
EXP=$((NOW + 3600))
printf '{"iss":"https://idp.test","aud":"pam-test","sub":"pjsalice",%s' \
    "\"iat\":$NOW,\"exp\":$EXP}" |
    "$MKTOKEN" sign RS256 "$E2E_TMP/key.pem" k1 >"$E2E_TMP/alice.jwt" ||
    e2e_die "sign"
AT=$(cat "$E2E_TMP/alice.jwt")
printf '%s\n' "$AT" >"$E2E_TMP/answers"
printf '{"access_token":"%s","refresh_token":"r-alice-secret",%s}\n' \
    "$AT" '"expires_in":3600' >"$E2E_TMP/admin.json"

# helper CONF SOCK: start a helper as pjshelper; sets HPID.
helper()
{
	setpriv --reuid=pjshelper --regid=pjshelper --init-groups -- \
	    "$HELPERD" --foreground --config "$1" \
	    >>"$E2E_TMP/helperd.out" 2>>"$E2E_TMP/helperd.err" &
	HPID=$!
	e2e_on_exit "e2e_stop_pid $HPID"
	e2e_wait 10 test -S "$2" || {
		e2e_show "$E2E_TMP/helperd.err"
		e2e_die "the helper did not start on $2"
	}
}

# pam SERVICE OPERATION... [-- NAME=VALUE...]: pamdriver for pjsalice in
# a process of its own; output in $OUT, wall time in $MS.
pam()
{
	svc=$1
	shift
	envs=
	ops=
	for a in "$@"; do
		case $a in
		*=*) envs="$envs -e $a" ;;
		*) ops="$ops $a" ;;
		esac
	done
	t0=$(e2e_now_ms)
	# shellcheck disable=SC2086 # word splitting wanted
	OUT=$("$DRIVER" -d "$SVC" -a "$E2E_TMP/answers" $envs "$svc" \
	    pjsalice $ops 2>&1)
	MS=$(($(e2e_now_ms) - t0))
}

code()
{
	printf '%s\n' "$OUT" | sed -n "s/^$1: //p"
}

session_id()
{
	printf '%s\n' "$OUT" | sed -n 's/^env: PAM_JWT_SESSION=//p'
}

# held [SOCK]: root's "pam-jwt token --user pjsalice"; RC, HELD.
held()
{
	HELD=$("$TOOL" token --socket "${1:-$SOCK}" --user pjsalice 2>&1)
	RC=$?
}

e2e_syslog_start
e2e_log_mark
FIRST_MARK=$E2E_LOG_AT
helper "$ETC/main.conf" "$SOCK"

# --- authenticate hands the token over ------------------------------------

e2e_log_mark
pam main authenticate
e2e_expect "authenticate" PAM_SUCCESS "$(code authenticate)"
S1=$(session_id)
e2e_expect "PAM_JWT_SESSION: 32 hex digits" yes \
    "$(printf '%s' "$S1" | grep -qE '^[0-9a-f]{32}$' && echo yes)"
held
e2e_expect "the helper holds the token presented" "0 $AT" "$RC $HELD"
if e2e_wait_log "stored op=store caller_uid=0 caller_pid=[0-9]+\
 user=pjsalice exp=$EXP origin=login"; then
	e2e_pass "the hand-off is logged with origin=login"
else
	e2e_fail "the hand-off is logged with origin=login" "$(e2e_log_new)"
fi

# --- sessions: each stage in a process of its own, as under sshd ----------

pam main authenticate
S2=$(session_id)
e2e_expect "a second login gets another session id" yes \
    "$([ -n "$S2" ] && [ "$S2" != "$S1" ] && echo yes)"
pam main open_session "PAM_JWT_SESSION=$S1"
e2e_expect "open_session 1" PAM_SUCCESS "$(code open_session)"
pam main open_session "PAM_JWT_SESSION=$S2"
e2e_expect "open_session 2" PAM_SUCCESS "$(code open_session)"
e2e_log_mark
pam main close_session "PAM_JWT_SESSION=$S1"
e2e_expect "close_session 1" PAM_SUCCESS "$(code close_session)"
if e2e_wait_log "session closed op=session_close caller_uid=0\
 caller_pid=[0-9]+ user=pjsalice sessions=1$"; then
	e2e_pass "one session still open"
else
	e2e_fail "one session still open" "$(e2e_log_new)"
fi
held
e2e_expect "kept while a session is open" "0 $AT" "$RC $HELD"
pam main close_session "PAM_JWT_SESSION=$S2"
e2e_expect "close_session 2" PAM_SUCCESS "$(code close_session)"
held
e2e_expect "the last close drops a login's tokens" "1 pam-jwt: token:\
 refused by the helper: no_token: no tokens are stored" "$RC $HELD"

# --- a login this module did not authenticate ----------------------------

e2e_log_mark
pam keyonly open_session close_session
e2e_expect "no PAM_JWT_SESSION: open, close" "PAM_SUCCESS PAM_SUCCESS" \
    "$(code open_session) $(code close_session)"
held
if e2e_log_has "op=session_"; then
	e2e_fail "nothing is sent for a login not ours" "$(e2e_log_new)"
else
	e2e_pass "nothing is sent for a login not ours"
fi

# --- a set root stored survives the last close ----------------------------

"$TOOL" store --socket "$SOCK" pjsalice <"$E2E_TMP/admin.json" \
    >/dev/null 2>&1 || e2e_die "pam-jwt store"
e2e_log_mark
pam main authenticate
S3=$(session_id)
e2e_expect "authenticate over root's set" PAM_SUCCESS \
    "$(code authenticate)"
if e2e_wait_log "kept op=store caller_uid=0 caller_pid=[0-9]+\
 user=pjsalice origin=admin$"; then
	e2e_pass "a login does not replace root's set"
else
	e2e_fail "a login does not replace root's set" "$(e2e_log_new)"
fi
pam main open_session "PAM_JWT_SESSION=$S3"
pam main close_session "PAM_JWT_SESSION=$S3"
e2e_expect "close_session (root's set)" PAM_SUCCESS "$(code close_session)"
held
e2e_expect "root's set survives the last close" "0 $AT" "$RC $HELD"
"$TOOL" drop --socket "$SOCK" pjsalice >/dev/null 2>&1

# --- keep_after_logout = yes ------------------------------------------------

helper "$ETC/keep.conf" "$KEEP_SOCK"
pam keep authenticate
e2e_expect "keep: authenticate" PAM_SUCCESS "$(code authenticate)"
S4=$(session_id)
pam keep open_session close_session "PAM_JWT_SESSION=$S4"
e2e_expect "keep: open, close" "PAM_SUCCESS PAM_SUCCESS" \
    "$(code open_session) $(code close_session)"
held "$KEEP_SOCK"
e2e_expect "keep_after_logout keeps the tokens" "0 $AT" "$RC $HELD"

# --- the helper down, or silent ---------------------------------------------

e2e_log_mark
pam down authenticate
e2e_expect "helper not running: authenticate" PAM_SUCCESS \
    "$(code authenticate)"
e2e_expect "helper not running: under 3 s" yes \
    "$([ "$MS" -lt 3000 ] && echo yes)"
S5=$(session_id)
pam down open_session close_session "PAM_JWT_SESSION=$S5"
e2e_expect "helper not running: open, close" "PAM_SUCCESS PAM_SUCCESS" \
    "$(code open_session) $(code close_session)"
if e2e_wait_log "helper: store for user=pjsalice not done: the helper is\
 not running"; then
	e2e_pass "helper not running: logged"
else
	e2e_fail "helper not running: logged" "$(e2e_log_new)"
fi

# A listener that accepts and never answers.
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(16)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
' "$SILENT_SOCK" &
SILENT_PID=$!
e2e_on_exit "e2e_stop_pid $SILENT_PID"
e2e_wait 10 test -S "$SILENT_SOCK" || e2e_die "the silent listener"

e2e_log_mark
pam silent authenticate
e2e_expect "silent helper: authenticate" PAM_SUCCESS "$(code authenticate)"
e2e_expect "silent helper: under 3 s" yes \
    "$([ "$MS" -lt 3000 ] && [ "$MS" -ge 400 ] && echo yes)"
S6=$(session_id)
pam silent open_session close_session "PAM_JWT_SESSION=$S6"
e2e_expect "silent helper: open, close" "PAM_SUCCESS PAM_SUCCESS" \
    "$(code open_session) $(code close_session)"
e2e_expect "silent helper: open and close under 3 s" yes \
    "$([ "$MS" -lt 3000 ] && echo yes)"
if e2e_wait_log "helper: store for user=pjsalice not done: no answer in\
 helper_timeout_ms"; then
	e2e_pass "silent helper: logged"
else
	e2e_fail "silent helper: logged" "$(e2e_log_new)"
fi

# --- no token in any log line ----------------------------------------------

SIG=${AT##*.}
E2E_LOG_AT=$FIRST_MARK
if { e2e_log_new; cat "$E2E_TMP/helperd.err" "$E2E_TMP/helperd.out"; } |
    grep -q -F -e "$SIG" -e r-alice-secret; then
	e2e_fail "no token in the logs"
else
	e2e_pass "no token in the logs"
fi

e2e_finish
