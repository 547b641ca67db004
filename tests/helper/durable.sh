#!/bin/sh
# The helper's store on disk: pam_jwt_helperd runs as its own user with
# state_dir set, root stores token sets for local users, and the daemon
# is stopped, killed and started again.
#
# What it pins: a restarted helper still holds every user, and a dropped
# user stays dropped; after SIGKILL right after a store, and in a loop of
# 20 stores each cut by SIGKILL at a random moment, every acknowledged
# store is there and the database is intact; no token is on disk in
# clear; the state folder must be the helper's, mode 0700; the key comes
# from $CREDENTIALS_DIRECTORY/token-key as systemd's LoadCredential hands
# it; a wrong key drops the records with a log line, never uses them;
# persist = no writes nothing.
#
# Needs root (it creates the users), setpriv and sqlite3 (the database
# check).

: "${top_srcdir:?}" "${top_builddir:?}"
# shellcheck source=../e2e/lib-e2e.sh
. "$top_srcdir/tests/e2e/lib-e2e.sh"

e2e_system_test durable setpriv sqlite3 od

HELPERD=$top_builddir/pam_jwt_helperd
TOOL=$top_builddir/pam-jwt
MKTOKEN=$top_builddir/tests/mktoken
[ -x "$HELPERD" ] || e2e_die "$HELPERD is missing: run make"
[ -x "$MKTOKEN" ] || e2e_die "$MKTOKEN is missing: run make check-system"

chmod 0755 "$E2E_TMP"
e2e_user_add pjhelper
USERS="pjalice pjbob pjcarol"
for u in $USERS; do
	e2e_user_add "$u"
done
HELPER_UID=$(id -u pjhelper)

ETC=$E2E_TMP/etc
e2e_secure_dir "$ETC"
"$MKTOKEN" genkey rsa "$E2E_TMP/key.pem" || e2e_die "genkey"
"$MKTOKEN" jwks "$E2E_TMP/key.pem" k1 >"$ETC/jwks.json" || e2e_die "jwks"
chmod 0644 "$ETC/jwks.json"
RUN=$E2E_TMP/run
install -d -m 0755 -o pjhelper -g pjhelper "$RUN"
SOCK=$RUN/helper.sock
STATE=$E2E_TMP/state
install -d -m 0700 -o pjhelper -g pjhelper "$STATE"
DB=$STATE/tokens.db
CONF=$ETC/pam_jwt.conf
e2e_write_conf "$CONF" issuer=https://idp.test audience=pam-test \
    jwks_file=jwks.json helper_user=pjhelper helper_socket="$SOCK" \
    state_dir="$STATE" client_id=pam-helper

NOW=$(date +%s)
EXP=$((NOW + 3600))

# token USER N: an access token for USER, the Nth one (its jti).
token()
{
	printf '{"iss":"https://idp.test","aud":"pam-test","sub":"%s",%s' \
	    "$1" "\"jti\":\"n$2\",\"groups\":[\"dev\",\"ops\"],\"iat\":$NOW,\
\"exp\":$EXP}" |
	    "$MKTOKEN" sign RS256 "$E2E_TMP/key.pem" k1
}

# idtoken USER: USER's ID token, audience the client (the same bytes at
# every call: RS256 signatures are deterministic).
idtoken()
{
	printf '{"iss":"https://idp.test","aud":"pam-helper","sub":"%s",%s' \
	    "$1" "\"iat\":$NOW,\"exp\":$EXP}" |
	    "$MKTOKEN" sign RS256 "$E2E_TMP/key.pem" k1
}

# response_file USER N: a token endpoint response for USER's Nth token,
# in a file whose name is printed.
response_file()
{
	f=$E2E_TMP/resp-$1-$2.json
	printf '{"access_token":"%s","refresh_token":"RT-SECRET-%s-%s",%s\n' \
	    "$(token "$1" "$2")" "$1" "$2" \
	    "\"id_token\":\"$(idtoken "$1")\",\"expires_in\":3600}" >"$f" ||
	    e2e_die "token"
	echo "$f"
}

# at_of FILE: the access token in a response file.
at_of()
{
	sed 's/^{"access_token":"\([^"]*\)".*/\1/' "$1"
}

# start [VAR=VALUE...]: the helper as pjhelper with that environment,
# once its socket answers; HELPERD_PID.  The socket a SIGKILL left
# behind is removed first, so that the wait is for the new one.
start()
{
	rm -f "$SOCK"
	setpriv --reuid=pjhelper --regid=pjhelper --init-groups -- \
	    env "$@" "$HELPERD" --foreground --config "${CONF_USE:-$CONF}" \
	    >/dev/null 2>"$E2E_TMP/helperd.err" &
	HELPERD_PID=$!
	e2e_on_exit "e2e_stop_pid $HELPERD_PID"
	e2e_wait 10 test -S "$SOCK" || {
		e2e_show "$E2E_TMP/helperd.err"
		e2e_die "the helper did not start"
	}
}

stop()
{
	kill "$HELPERD_PID"
	e2e_wait 10 e2e_pid_gone "$HELPERD_PID"
	wait "$HELPERD_PID" 2>/dev/null
}

killnow()
{
	kill -9 "$HELPERD_PID"
	wait "$HELPERD_PID" 2>/dev/null
}

# log_lines: what the helper logged, without its name and pid.
log_lines()
{
	sed 's/^pam_jwt_helperd\[[0-9]*\]: //' "$E2E_TMP/helperd.err"
}

# store USER FILE: root's "pam-jwt store"; RC.
store()
{
	"$TOOL" store --socket "$SOCK" "$1" <"$2" >/dev/null \
	    2>"$E2E_TMP/store.err"
	RC=$?
}

# held USER: the access token the helper hands USER, or the refusal.
held()
{
	"$TOOL" token --socket "$SOCK" --user "$1" 2>&1
}

# check_all WHAT: every user holds what ACK_<user> says (a FILE, or
# "none"); a user in INFLIGHT_USER may instead hold INFLIGHT (a store
# that was cut before its answer may or may not have been committed).
check_all()
{
	for u in $USERS; do
		eval "want=\$ACK_$u"
		got=$(held "$u")
		if [ "$want" = none ]; then
			wtok="pam-jwt: token: refused by the helper: no_token:\
 no tokens are stored"
		else
			wtok=$(at_of "$want")
		fi
		if [ "$got" = "$wtok" ]; then
			continue
		fi
		if [ "$u" = "${INFLIGHT_USER:-}" ] &&
		    [ "$got" = "$(at_of "$INFLIGHT")" ]; then
			continue
		fi
		e2e_fail "$1: $u holds what was acknowledged" "got $got"
		return 1
	done
	e2e_pass "$1: every user holds what was acknowledged"
}

integrity()
{
	e2e_expect "$1: database intact" ok \
	    "$(sqlite3 -readonly "$DB" 'PRAGMA integrity_check' 2>&1)"
}

# --- state_dir must be the helper's, mode 0700 ----------------------------

BAD=$E2E_TMP/badstate
MSG="state_dir $BAD: must be a folder owned by the helper's user (uid\
 $HELPER_UID) with mode 0700"
for how in "pjhelper 0750" "root 0700"; do
	install -d -m "${how#* }" -o "${how% *}" "$BAD"
	e2e_write_conf "$ETC/bad.conf" issuer=https://idp.test \
	    audience=pam-test jwks_file=jwks.json helper_user=pjhelper \
	    helper_socket="$SOCK" state_dir="$BAD"
	setpriv --reuid=pjhelper --regid=pjhelper --init-groups -- \
	    "$HELPERD" --foreground --config "$ETC/bad.conf" \
	    >/dev/null 2>"$E2E_TMP/helperd.err"
	e2e_expect "state_dir $how: exit" 1 "$?"
	e2e_expect "state_dir $how: log" yes \
	    "$(log_lines | grep -qxF "$MSG" && echo yes)"
	e2e_expect "state_dir $how: nothing made" "" "$(ls -A "$BAD")"
	rm -rf "$BAD"
done

# --- first start: the key is made ------------------------------------------

start
e2e_expect "token key made" "600 pjhelper 32" \
    "$(stat -c '%a %U %s' "$STATE/token.key")"
e2e_expect "database" "600 pjhelper" "$(stat -c '%a %U' "$DB")"

# --- a restart keeps every user -------------------------------------------

for u in $USERS; do
	f=$(response_file "$u" 0)
	store "$u" "$f"
	e2e_expect "store $u" 0 "$RC"
	eval "ACK_$u=\$f"
done
stop
start
check_all "restart"
"$TOOL" status --socket "$SOCK" --user pjbob | grep -v '^stored: ' \
    >"$E2E_TMP/status"
e2e_expect "restart: status" "user: pjbob
issuer: https://idp.test
subject: pjbob
groups: dev, ops
expires: $EXP ($(date -u -d "@$EXP" +%Y-%m-%dT%H:%M:%SZ))
state: valid
refresh_token: yes
id_token: yes" "$(cat "$E2E_TMP/status")"

"$TOOL" drop --socket "$SOCK" pjbob >/dev/null || e2e_fail "drop pjbob"
ACK_pjbob=none
stop
start
check_all "restart after a drop"

if grep -a -q -e RT-SECRET -e "$(idtoken pjalice)" \
    -e "$(at_of "$ACK_pjalice")" "$STATE"/*; then
	e2e_fail "no token on disk in clear"
else
	e2e_pass "no token on disk in clear"
fi

# --- SIGKILL right after a store ------------------------------------------

f=$(response_file pjcarol 1)
store pjcarol "$f"
e2e_expect "store before SIGKILL" 0 "$RC"
ACK_pjcarol=$f
killnow
start
check_all "SIGKILL after a store"
integrity "SIGKILL after a store"

# --- 20 stores, each cut by SIGKILL at a random moment ---------------------

i=1
while [ $i -le 20 ]; do
	set -- $USERS
	shift $((i % 3))
	u=$1
	f=$(response_file "$u" "k$i")
	store "$u" "$f"
	if [ "$RC" = 0 ]; then
		eval "ACK_$u=\$f"
	else
		e2e_fail "loop $i: store $u" "$(cat "$E2E_TMP/store.err")"
	fi
	# The next store, and SIGKILL 0 to 49 ms into it.
	u2=$(echo "$USERS" | tr ' ' '\n' | sed -n "$((i % 3 + 1))p")
	f2=$(response_file "$u2" "c$i")
	( "$TOOL" store --socket "$SOCK" "$u2" <"$f2" >/dev/null 2>&1 ) &
	CUT_PID=$!
	ms=$(($(od -An -N1 -tu1 /dev/urandom) % 50))
	sleep "0.$(printf '%03d' "$ms")"
	killnow
	wait "$CUT_PID"
	if [ $? = 0 ]; then
		eval "ACK_$u2=\$f2"
		INFLIGHT_USER=
	else
		INFLIGHT_USER=$u2
		INFLIGHT=$f2
	fi
	start
	check_all "loop $i" || break
	integrity "loop $i"
	# What the helper now holds is what was acknowledged.
	if [ -n "$INFLIGHT_USER" ] &&
	    [ "$(held "$u2")" = "$(at_of "$f2")" ]; then
		eval "ACK_$u2=\$f2"
	fi
	INFLIGHT_USER=
	i=$((i + 1))
done

# --- the key from $CREDENTIALS_DIRECTORY (systemd's LoadCredential) ------

stop
CREDS=$E2E_TMP/creds
install -d -m 0500 -o pjhelper -g pjhelper "$CREDS"
install -m 0400 -o pjhelper -g pjhelper "$STATE/token.key" \
    "$CREDS/token-key"
mv "$STATE/token.key" "$E2E_TMP/saved.key"
start CREDENTIALS_DIRECTORY="$CREDS"
check_all "key from CREDENTIALS_DIRECTORY"
e2e_expect "CREDENTIALS_DIRECTORY: no key made in state_dir" no \
    "$([ -e "$STATE/token.key" ] && echo yes || echo no)"

# --- a wrong key drops the records, with a log line ----------------------

stop
head -c 32 /dev/urandom >"$E2E_TMP/wrong.key"
install -m 0400 -o pjhelper -g pjhelper "$E2E_TMP/wrong.key" \
    "$CREDS/token-key"
start CREDENTIALS_DIRECTORY="$CREDS"
e2e_wait 5 grep -q 'serving on' "$E2E_TMP/helperd.err"
EXPECT=
for u in $USERS; do
	eval "want=\$ACK_$u"
	[ "$want" = none ] && continue
	EXPECT="${EXPECT}store: dropping the tokens of user=$u: they do not\
 decrypt with the token key (another key, or altered)
"
	eval "ACK_$u=none"
done
e2e_expect "wrong key: log" "$EXPECT" \
    "$(log_lines | grep '^store: dropping')
"
check_all "wrong key"
stop
start CREDENTIALS_DIRECTORY="$CREDS"
e2e_wait 5 grep -q 'serving on' "$E2E_TMP/helperd.err"
e2e_expect "wrong key: dropped for good" "" \
    "$(log_lines | grep '^store: dropping')"
stop

# --- persist = no writes nothing ------------------------------------------

MEM=$E2E_TMP/memstate
install -d -m 0700 -o pjhelper -g pjhelper "$MEM"
CONF_USE=$ETC/mem.conf
e2e_write_conf "$CONF_USE" issuer=https://idp.test audience=pam-test \
    jwks_file=jwks.json helper_user=pjhelper helper_socket="$SOCK" \
    state_dir="$MEM" persist=no client_id=pam-helper
start
f=$(response_file pjalice m)
store pjalice "$f"
e2e_expect "persist = no: store" 0 "$RC"
e2e_expect "persist = no: held" "$(at_of "$f")" "$(held pjalice)"
e2e_expect "persist = no: no file" "" "$(ls -A "$MEM")"
stop
start
e2e_expect "persist = no: forgotten at restart" "pam-jwt: token: refused\
 by the helper: no_token: no tokens are stored" "$(held pjalice)"
stop

e2e_finish
