#!/bin/sh
# The PAM module through the real libpam.
#
# pamtester under pam_wrapper shows what a PAM application sees; the
# pamdriver program (pam_start_confdir) shows what pamtester cannot: every
# prompt, each PAM code by name and the PAM environment afterwards.  Keys
# and tokens are made here, at run time.  The module's log lines are
# caught on a private /dev/log: the decision line of each attempt is
# compared field by field, and no token may appear in any log line or on
# standard error.
#
# Needs root (the module trusts only files that root owns), pamtester,
# libpam_wrapper and python3.  VALGRIND=1 runs every pamdriver call under
# valgrind: no memory error and no definite leak allowed.

# The module logs through syslog(3), to /dev/log.  When a syslog daemon
# owns it, run in a private mount namespace with our own socket bound
# over it, so that the host's log is neither read nor written.
if [ -e /dev/log ] && [ -z "$PJ_PRIVATE_LOG" ] && [ "$(id -u)" = 0 ] &&
    unshare --mount --propagation private true 2>/dev/null; then
	PJ_PRIVATE_LOG=1 exec unshare --mount --propagation private \
	    /bin/sh "$0" "$@"
fi

. "$(dirname "$0")/../lib.sh"
pj_init pamtester

T=$PJ_TMP
MOD=$top_builddir/.libs/pam_jwt.so
DRIVER=$top_builddir/tests/pam/pamdriver
HERE=$top_srcdir/tests/pam
SVC=$T/svc
USER1=nobody
USER2=daemon
NOUSER=pjwtnosuchuser
# A second account of uid 0, made for the test (see root_alias_add); the
# process id keeps runs side by side apart.
ROOT_ALIAS=pjwt0-$$
TEST_GECOS="pam_jwt test"
RHOST=192.0.2.7

# --- requirements --------------------------------------------------------

command -v pamtester >/dev/null 2>&1 || pj_skip "pamtester is not installed"

find_pam_wrapper()
{
	for d in $(pkg-config --variable=libdir pam_wrapper 2>/dev/null) \
	    /usr/lib/"$(gcc -print-multiarch 2>/dev/null)" /usr/lib64 \
	    /usr/lib /usr/local/lib /usr/local/lib64; do
		if [ -f "$d/libpam_wrapper.so" ]; then
			echo "$d/libpam_wrapper.so"
			return 0
		fi
	done
	return 1
}
PW_LIB=$(find_pam_wrapper) || pj_skip "libpam_wrapper is not installed"
PW_MODS=$(dirname "$PW_LIB")/pam_wrapper

[ "$(id -u)" = 0 ] ||
	pj_skip "the module trusts only files owned by root: run as root"
command -v python3 >/dev/null 2>&1 || pj_error "python3 is needed"
[ -f "$MOD" ] || pj_error "$MOD is not built"
[ -x "$PJ_MKTOKEN" ] || pj_error "$PJ_MKTOKEN is not built"
[ -x "$DRIVER" ] || pj_error "$DRIVER is not built"
for m in pam_get_items.so pam_set_items.so; do
	[ -f "$PW_MODS/$m" ] || pj_error "$PW_MODS/$m is missing"
done
for u in $USER1 $USER2; do
	id -u $u >/dev/null 2>&1 || pj_error "the local user $u is needed"
done
if id -u $NOUSER >/dev/null 2>&1; then
	pj_error "the user $NOUSER must not exist"
fi

# root_alias_add: the user $ROOT_ALIAS with uid 0 (as "toor" on some
# systems), marked by its comment and removed at exit, as are those that
# runs no longer alive left behind.  A user of that name the test did not
# make is left alone: ROOT_ALIAS_OK stays empty, ROOT_ALIAS_WHY says why,
# and its cases fail.
root_alias_is_ours()
{
	[ "$(getent passwd "$1" | cut -d: -f3,5)" = "0:$TEST_GECOS" ]
}
root_alias_del()
{
	# Never -r: its home and mail spool would be root's to lose.
	root_alias_is_ours "$1" && userdel -f "$1" 2>/dev/null
}
root_alias_add()
{
	ROOT_ALIAS_OK=
	getent passwd | sed -n 's/^pjwt0-\([0-9]*\):.*/\1/p' |
	    while read -r pid; do
		kill -0 "$pid" 2>/dev/null || root_alias_del "pjwt0-$pid"
	done
	ROOT_ALIAS_WHY="a user $ROOT_ALIAS exists that the test did not make"
	if ! getent passwd $ROOT_ALIAS >/dev/null; then
		# useradd warns that uid 0 is outside UID_MIN..UID_MAX.
		if ! useradd -o -u 0 -M -N -d /nonexistent \
		    -s /usr/sbin/nologin -c "$TEST_GECOS" $ROOT_ALIAS \
		    2> "$T/useradd.err"; then
			ROOT_ALIAS_WHY="useradd: $(cat "$T/useradd.err")"
			return 0
		fi
	fi
	root_alias_is_ours $ROOT_ALIAS || return 0
	pj_at_exit "root_alias_del $ROOT_ALIAS"
	ROOT_ALIAS_OK=1
}
root_alias_add

pj_valgrind_init

# --- the log listener ----------------------------------------------------

LOG=$T/syslog
: > "$LOG"
if [ -n "$PJ_PRIVATE_LOG" ]; then
	LOGSOCK=$T/log.sock
elif [ ! -e /dev/log ]; then
	LOGSOCK=/dev/log
	pj_at_exit "rm -f /dev/log"
else
	pj_error "/dev/log is in use and no private mount namespace is possible"
fi
python3 "$HERE/loglisten.py" "$LOGSOCK" "$LOG" $$ &
LISTENER=$!
pj_at_exit "kill $LISTENER 2>/dev/null"
i=0
while [ ! -S "$LOGSOCK" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -S "$LOGSOCK" ] || pj_error "the log listener did not start"
if [ -n "$PJ_PRIVATE_LOG" ]; then
	mount --bind "$LOGSOCK" /dev/log || pj_error "cannot bind /dev/log"
fi

# --- keys, configuration, services ---------------------------------------

chmod 755 "$T"
mkdir "$T/etc" "$SVC"
pj_keyset "$T/keys"

CONF=$T/etc/pam_jwt.conf
cat > "$CONF" <<EOF
# The module's test configuration; the key set path is relative.  No
# helper listens on the socket: the tests never reach the host's.
issuer = https://idp.test
audience = pam-test, other-aud
jwks_file = ../keys/jwks.json
helper_socket = $T/no-helper.sock

[issuer second]
issuer = https://second.test
EOF
NOKEY_CONF=$T/etc/nokey.conf
cat > "$NOKEY_CONF" <<EOF
issuer = https://idp.test
audience = pam-test
jwks_file = ../keys/missing.json
helper_socket = $T/no-helper.sock
EOF
mkdir "$T/gw"
GW_CONF=$T/gw/pam_jwt.conf
cp "$CONF" "$GW_CONF"
chmod 664 "$GW_CONF"
chmod 644 "$CONF" "$NOKEY_CONF"

ARGS="config=$CONF"
service()
{
	name=$1
	shift
	printf '%s\n' "$@" > "$SVC/$name"
}
service other "auth required pam_deny.so" "account required pam_deny.so" \
    "password required pam_deny.so" "session required pam_deny.so"
service jwt "auth required $MOD $ARGS" "account required $MOD $ARGS" \
    "password required $MOD $ARGS" "session required $MOD $ARGS"
service jwt-audit "auth required $MOD $ARGS audit"
service jwt-debug "auth required $MOD $ARGS debug"
service jwt-audit-debug "auth required $MOD $ARGS debug audit"
service jwt-root "auth required $MOD $ARGS allow_root=yes" \
    "account required $MOD $ARGS allow_root=yes"
service jwt-small "auth required $MOD $ARGS max_token_bytes=1000"
service jwt-badarg "auth required $MOD $ARGS no_such_option=1"
service jwt-nokey "auth required $MOD config=$NOKEY_CONF"
service jwt-gw "auth required $MOD config=$GW_CONF"
service jwt-nokey-ignore \
    "auth [ignore=ignore default=die] $MOD config=$NOKEY_CONF \
not_a_token=ignore" "auth required pam_permit.so"
# PAM_SUCCESS from these stacks means pam_jwt returned PAM_IGNORE: any
# other code ends the stack with that code ("die").
service jwt-ignore \
    "auth [ignore=ignore default=die] $MOD $ARGS not_a_token=ignore" \
    "auth required pam_permit.so"
service jwt-acct-ignore "account [ignore=ignore default=die] $MOD $ARGS" \
    "account required pam_permit.so"
# What the module leaves in PAM_AUTHTOK, shown as a PAM variable.
service jwt-items "auth [success=ok default=die] $MOD $ARGS" \
    "auth required $PW_MODS/pam_get_items.so"
service jwt-ignore-items \
    "auth [success=ok ignore=ignore default=die] $MOD $ARGS \
not_a_token=ignore" \
    "auth required $PW_MODS/pam_get_items.so"
# PAM_AUTHTOK set by an earlier module (from the variable PAM_AUTHTOK).
service jwt-first "auth required $PW_MODS/pam_set_items.so" \
    "auth required $MOD $ARGS use_first_pass"
service jwt-try "auth required $PW_MODS/pam_set_items.so" \
    "auth required $MOD $ARGS try_first_pass"
service jwt-acct "account required $MOD $ARGS"
service jwt-acct-group "account required $MOD $ARGS require_group=admins"
service jwt-acct-root "account required $MOD $ARGS allow_root=yes"

# --- tokens --------------------------------------------------------------

NOW=$(date +%s)
EXP=$((NOW + 600))
claims()
{
	# claims SUB JTI EXP [AUD [ISS [EXTRA]]]
	printf '{"iss":"%s","aud":"%s","sub":"%s","exp":%s,"iat":%s,' \
	    "${5:-https://idp.test}" "${4:-pam-test}" "$1" "$3" "$NOW"
	printf '"jti":"%s","groups":["wheel","a,b","50%%","x\\ny"]%s}' \
	    "$2" "$6"
}
GOOD=$(claims $USER1 jti-good $EXP | pj_token)
SECOND=$(claims $USER1 jti-second $EXP pam-test https://second.test |
    pj_token)
EXPIRED=$(claims $USER1 jti-expired $((NOW - 3600)) | pj_token)
WRONG_AUD=$(claims $USER1 jti-aud $EXP someone-else | pj_token)
UNKNOWN=$(claims $NOUSER jti-unknown $EXP | pj_token)
TOOR=$(claims $ROOT_ALIAS jti-toor $EXP | pj_token)
EVIL=$(printf '{"iss":"https://idp.test","aud":"pam-test","sub":"%s",' \
    $USER1; printf '"exp":%s,"jti":"a b=c\\"\\nd"}' $((NOW - 3600)))
EVIL=$(printf '%s' "$EVIL" | pj_token)
PAD=$(head -c 2100 /dev/zero | tr '\0' p)
BIG=$(claims $USER1 jti-big $EXP pam-test https://idp.test \
    ",\"pad\":\"$PAD\"" | pj_token)

# Flip one character in the middle of the signature.
sig=${GOOD##*.}
head=${GOOD%.*}
mid=$((${#sig} / 2))
c=$(printf '%s' "$sig" | cut -c$mid)
if [ "$c" = A ]; then r=B; else r=A; fi
TAMPERED=$head.$(printf '%s' "$sig" | cut -c1-$((mid - 1)))$r$(printf '%s' \
    "$sig" | cut -c$((mid + 1))-)

# The token in parts of 511 characters, one a line.
split_parts()
{
	printf '%s' "$1" | fold -w 511
	echo
}
BIG_LEN=${#BIG}
BIG_PARTS=$(((BIG_LEN + 510) / 511))
[ $BIG_LEN -gt 3000 ] || pj_error "the long token is too short ($BIG_LEN)"
split_parts "$BIG" > "$T/big.parts"
PART1=$(sed -n 1p "$T/big.parts")
PART2=$(sed -n 2p "$T/big.parts")

# --- running and looking -------------------------------------------------

OUT=$T/out
ERR=$T/err
ALL_ERR=$T/all-stderr
: > "$ALL_ERR"
VG_RUNS=0

answers()
{
	printf '%s\n' "$@" > "$T/answers"
}

# run SERVICE USER OPERATION...: pamdriver with the answers in
# $T/answers; output in $OUT.
run()
{
	svc=$1
	user=$2
	shift 2
	log_mark
	$VG "$DRIVER" -d "$SVC" -r "$RHOST" -a "$T/answers" "$svc" "$user" \
	    "$@" > "$OUT" 2> "$ERR"
	rc=$?
	cat "$ERR" >> "$ALL_ERR"
	cat "$OUT" >> "$T/all-out"
	VG_RUNS=$((VG_RUNS + 1))
	if [ $rc -ne 0 ]; then
		echo "pamdriver exited with $rc" >> "$ALL_ERR"
		VG_FAILED=1
	fi
}

# pt SERVICE USER OPERATION...: pamtester under pam_wrapper, answers on
# standard input from $T/answers; $PT_RC, $T/pt.out, $T/pt.err.
pt()
{
	svc=$1
	user=$2
	shift 2
	log_mark
	LD_PRELOAD=$PW_LIB PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$SVC \
	    PAM_WRAPPER_USE_SYSLOG=1 pamtester -I rhost=$RHOST \
	    "$svc" "$user" "$@" < "$T/answers" > "$T/pt.out" 2> "$T/pt.err"
	PT_RC=$?
	cat "$T/pt.err" >> "$ALL_ERR"
	cat "$T/pt.out" >> "$T/all-out"
}

code()
{
	sed -n "s/^$1: //p" "$OUT"
}

prompts()
{
	sed -n 's/^prompt: //p' "$OUT" | tr '\n' '|'
}

env_var()
{
	sed -n "s/^env: $1=//p" "$OUT"
}

jwt_env()
{
	grep -c '^env: PAM_JWT_' "$OUT"
}

# log_sync: return once every line logged so far is in $LOG.  The
# listener reads one datagram socket in order, so a marker sent now shows
# up after everything sent before it.
LOG_SYNCS=0
log_sync()
{
	LOG_SYNCS=$((LOG_SYNCS + 1))
	logger -d -u "$LOGSOCK" "pj-log-sync-$LOG_SYNCS" 2>/dev/null
	i=0
	while ! grep -q "pj-log-sync-$LOG_SYNCS\$" "$LOG" && [ $i -lt 100 ]
	do
		sleep 0.05
		i=$((i + 1))
	done
}

# log_mark: what is logged from now on belongs to the next attempt.
log_mark()
{
	log_sync
	LOG_MARK=$(wc -l < "$LOG")
}

# The decision lines of STAGE logged since the last run, as
# "<PRIORITY> pam_jwt(SERVICE:STAGE): FIELDS".
decisions()
{
	log_sync
	tail -n +$((LOG_MARK + 1)) "$LOG" | grep "pam_jwt([^:]*:$1): stage=" |
	    sed -n 's/^\(<[0-9]*>\).*\(pam_jwt(.*\)$/\1 \2/p'
}

expect_decision()
{
	pj_expect "$1" "$3" "$(decisions "$2")"
}

# line PRIORITY SERVICE:STAGE RESULT USER ISS KID JTI REASON [RHOST]: the
# decision line expected, as decisions() shows it.  Priorities: 83
# authpriv.err, 85 authpriv.notice, 86 authpriv.info.
line()
{
	echo "<$1> pam_jwt($2): stage=${2#*:} result=$3 service=${2%%:*}" \
	    "user=$4 rhost=${9-$RHOST} iss=$5 kid=$6 jti=$7 reason=$8"
}

# refused SERVICE USER ISS KID JTI REASON: an authentication refused.
refused()
{
	line 85 "$1:auth" refused "$2" "$3" "$4" "$5" "$6"
}

# --- the module exports its entry points only ----------------------------

if "$DRIVER" --dlsym "$MOD" > "$OUT" 2>&1; then
	pj_pass "dlopen: only pam_sm_* resolve"
else
	pj_fail "dlopen: only pam_sm_* resolve" \
	    "$(grep -v '^exported\|^hidden' "$OUT")"
fi
if command -v nm >/dev/null 2>&1; then
	entry='authenticate\|setcred\|acct_mgmt\|open_session'
	entry="$entry\\|close_session\\|chauthtok"
	extra=$(nm -D --defined-only "$MOD" |
	    awk '$2 ~ /^[TDBRVW]$/ {print $3}' |
	    grep -v "^pam_sm_\\($entry\\)\$" | tr '\n' ' ')
	pj_expect "nm: no other symbol exported" "" "$extra"
fi

# --- accepted ------------------------------------------------------------

answers "$GOOD"
pt jwt $USER1 authenticate
pj_expect "pamtester: accepted token" \
    "0|pamtester: successfully authenticated" "$PT_RC|$(cat "$T/pt.out")"
pj_expect "pamtester: prompt" "JWT: " "$(head -c 5 "$T/pt.err")"

run jwt $USER1 authenticate acct_mgmt setcred open_session close_session
pj_expect "accepted: codes" \
    "PAM_SUCCESS PAM_SUCCESS PAM_SUCCESS PAM_SUCCESS PAM_SUCCESS" \
    "$(code authenticate) $(code acct_mgmt) $(code setcred) \
$(code open_session) $(code close_session)"
pj_expect "accepted: one prompt, echo off" "echo_off JWT: |" "$(prompts)"
pj_expect "accepted: PAM_JWT_ISS" "https://idp.test" "$(env_var PAM_JWT_ISS)"
pj_expect "accepted: PAM_JWT_SECTION (top level)" "" \
    "$(env_var PAM_JWT_SECTION)"
grep -q '^env: PAM_JWT_SECTION=$' "$OUT" &&
	pj_pass "accepted: PAM_JWT_SECTION is set" ||
	pj_fail "accepted: PAM_JWT_SECTION is set"
pj_expect "accepted: PAM_JWT_SUB" "$USER1" "$(env_var PAM_JWT_SUB)"
pj_expect "accepted: PAM_JWT_JTI" "jti-good" "$(env_var PAM_JWT_JTI)"
pj_expect "accepted: PAM_JWT_EXP" "$EXP" "$(env_var PAM_JWT_EXP)"
pj_expect "accepted: PAM_JWT_GROUPS percent-encoded" "wheel,a%2Cb,50%25,x%0Ay" \
    "$(env_var PAM_JWT_GROUPS)"
pj_expect "accepted: no token in the environment" "" \
    "$(grep -F -e "${GOOD##*.}" "$OUT")"
expect_decision "accepted: decision line" auth \
    "$(line 86 jwt:auth accepted $USER1 https://idp.test k1 jti-good none)"
expect_decision "accepted: account decision line" account \
    "$(line 86 jwt:account accepted $USER1 https://idp.test "" jti-good none)"

answers "$SECOND"
run jwt $USER1 authenticate
pj_expect "section: accepted" PAM_SUCCESS "$(code authenticate)"
pj_expect "section: PAM_JWT_SECTION" second "$(env_var PAM_JWT_SECTION)"
pj_expect "section: PAM_JWT_ISS" https://second.test "$(env_var PAM_JWT_ISS)"

run jwt $USER1 chauthtok
pj_expect "chauthtok: PAM_SERVICE_ERR" PAM_SERVICE_ERR "$(code chauthtok)"

# Surrounding whitespace is trimmed; nothing inside a token is.
printf '  \\t%s\\r\\n \n' "$GOOD" > "$T/answers"
run jwt $USER1 authenticate
pj_expect "whitespace around the token: accepted" PAM_SUCCESS \
    "$(code authenticate)"
answers "    $GOOD   "
pt jwt $USER1 authenticate
pj_expect "pamtester: spaces around the token: accepted" 0 "$PT_RC"

# --- refused -------------------------------------------------------------

answers "$GOOD"
run jwt $USER2 authenticate
pj_expect "wrong user: PAM_AUTH_ERR, no PAM_JWT_*" "PAM_AUTH_ERR 0" \
    "$(code authenticate) $(jwt_env)"
expect_decision "wrong user: decision line" auth \
    "$(refused jwt $USER2 https://idp.test k1 jti-good user_mismatch)"
pt jwt $USER2 authenticate
pj_expect "pamtester: wrong user" "1|pamtester: Authentication failure" \
    "$PT_RC|$(sed 's/^JWT: //' "$T/pt.err")"

answers "$EXPIRED"
run jwt $USER1 authenticate
pj_expect "expired: PAM_AUTH_ERR, no PAM_JWT_*" "PAM_AUTH_ERR 0" \
    "$(code authenticate) $(jwt_env)"
expect_decision "expired: decision line" auth \
    "$(refused jwt $USER1 https://idp.test k1 jti-expired expired)"
answers "$GOOD" "$EXPIRED"
run jwt $USER1 authenticate authenticate
pj_expect "a failed attempt removes what an earlier one set" \
    "PAM_SUCCESS PAM_AUTH_ERR 0" "$(code authenticate | tr '\n' ' ')$(jwt_env)"

answers "$WRONG_AUD"
run jwt $USER1 authenticate
pj_expect "wrong audience: PAM_AUTH_ERR" PAM_AUTH_ERR "$(code authenticate)"
expect_decision "wrong audience: decision line" auth \
    "$(refused jwt $USER1 https://idp.test k1 jti-aud bad_audience)"

answers "$TAMPERED"
run jwt $USER1 authenticate
pj_expect "tampered signature: PAM_AUTH_ERR" PAM_AUTH_ERR \
    "$(code authenticate)"
expect_decision "tampered signature: nothing read from the payload" auth \
    "$(refused jwt $USER1 "" k1 "" bad_signature)"

answers "hello world"
run jwt $USER1 authenticate
pj_expect "garbage: PAM_AUTH_ERR, one prompt" "PAM_AUTH_ERR echo_off JWT: |" \
    "$(code authenticate) $(prompts)"
expect_decision "garbage: decision line" auth \
    "$(refused jwt $USER1 "" "" "" malformed)"

answers ""
run jwt $USER1 authenticate
pj_expect "empty answer: PAM_AUTH_ERR" PAM_AUTH_ERR "$(code authenticate)"
expect_decision "empty answer: decision line" auth \
    "$(refused jwt $USER1 "" "" "" malformed)"

answers "$(head -c 20000 /dev/zero | tr '\0' A)"
run jwt $USER1 authenticate
pj_expect "huge input: PAM_AUTH_ERR" PAM_AUTH_ERR "$(code authenticate)"
expect_decision "huge input: decision line" auth \
    "$(refused jwt $USER1 "" "" "" too_large)"
# libpam_misc reads at most 4095 bytes an answer: a smaller limit.
answers "$(head -c 2000 /dev/zero | tr '\0' A)"
pt jwt-small $USER1 authenticate
pj_expect "pamtester: input over max_token_bytes refused" 1 "$PT_RC"
expect_decision "pamtester: too_large decision line" auth \
    "$(refused jwt-small $USER1 "" "" "" too_large)"

# A valid token for a name with no local account.
answers "$UNKNOWN"
run jwt $NOUSER authenticate
pj_expect "unknown local user: PAM_AUTH_ERR" PAM_AUTH_ERR \
    "$(code authenticate)"
expect_decision "unknown local user: name withheld" auth \
    "$(refused jwt "(unknown)" https://idp.test k1 jti-unknown unknown_user)"
run jwt-audit $NOUSER authenticate
expect_decision "unknown local user: name logged with audit" auth \
    "$(refused jwt-audit $NOUSER https://idp.test k1 jti-unknown unknown_user)"

# allow_root is about uid 0, not about the name root: a second account
# of uid 0 is refused too, unless the accepting section sets allow_root.
if [ -n "$ROOT_ALIAS_OK" ]; then
	answers "$TOOR"
	run jwt $ROOT_ALIAS authenticate
	pj_expect "uid 0 alias: PAM_AUTH_ERR, no PAM_JWT_*" "PAM_AUTH_ERR 0" \
	    "$(code authenticate) $(jwt_env)"
	expect_decision "uid 0 alias: decision line" auth \
	    "$(refused jwt $ROOT_ALIAS https://idp.test k1 jti-toor \
	    root_refused)"
	run jwt-root $ROOT_ALIAS authenticate acct_mgmt
	pj_expect "uid 0 alias with allow_root: accepted" \
	    "PAM_SUCCESS PAM_SUCCESS $ROOT_ALIAS" \
	    "$(code authenticate) $(code acct_mgmt) $(env_var PAM_JWT_SUB)"
	expect_decision "uid 0 alias with allow_root: decision line" auth \
	    "$(line 86 jwt-root:auth accepted $ROOT_ALIAS https://idp.test \
	    k1 jti-toor none)"
else
	pj_fail "uid 0 alias" "$ROOT_ALIAS_WHY"
fi

# "debug" dumps the effective configuration once, at authpriv.debug (87).
answers "$GOOD"
run jwt-debug $USER1 authenticate
decisions auth > /dev/null
pj_expect "debug: the configuration dumped once" 1 \
    "$(tail -n +$((LOG_MARK + 1)) "$LOG" |
    grep -c "^<87>.*pam_jwt(jwt-debug:auth): config $CONF: ")"
pj_expect "debug: no debug line from the runs without it" 0 \
    "$(head -n "$LOG_MARK" "$LOG" | grep -c '^<87>')"

# The lines logged at authpriv.debug (87) by SERVICE:auth since the last
# run, other than the configuration dump, as "<87> MESSAGE|" each.
debug_lines()
{
	log_sync
	tail -n +$((LOG_MARK + 1)) "$LOG" |
	    sed -n "s/^<87>.*pam_jwt($1:auth): /<87> /p" |
	    grep -v '^<87> config ' | tr '\n' '|'
}

# With debug, the refusal message follows the decision line.  It may
# name the user, and a name that is no local user may be a password
# typed at the user prompt: withheld as in the decision line, unless
# audit is set.
MARKED_USER='Pjw7Mark-s3cret!'
answers "$GOOD"
run jwt-debug "$MARKED_USER" authenticate
expect_decision "debug, unknown user: decision line" auth \
    "$(refused jwt-debug "(unknown)" https://idp.test k1 jti-good \
    user_mismatch)"
GOOD_READ="<87> input of ${#GOOD} bytes in 1 part(s)|"
pj_expect "debug, unknown user: message withheld" "$GOOD_READ<87> refusal \
details withheld: unknown user (set audit to log them)|" \
    "$(debug_lines jwt-debug)"
pj_expect "debug, unknown user: the name in no log line" 0 \
    "$(tail -n +$((LOG_MARK + 1)) "$LOG" | grep -c -F Pjw7Mark)"
run jwt-audit-debug "$MARKED_USER" authenticate
pj_expect "debug and audit, unknown user: message logged" \
    "$GOOD_READ<87> the token is for \"$USER1\", not for \"$MARKED_USER\"|" \
    "$(debug_lines jwt-audit-debug)"
answers "$GOOD"
run jwt-debug $USER2 authenticate
pj_expect "debug, known user: message logged" \
    "$GOOD_READ<87> the token is for \"$USER1\", not for \"$USER2\"|" \
    "$(debug_lines jwt-debug)"

# Token values are escaped: none can forge a field or a line.
answers "$EVIL"
log_mark
$DRIVER -d "$SVC" -r "evil host=x" -a "$T/answers" jwt $USER1 authenticate \
    > "$OUT" 2>> "$ALL_ERR"
pj_expect "escaping: decision line" \
    "$(line 85 jwt:auth refused $USER1 https://idp.test k1 \
    'a\x20b\x3dc\x22\x0ad' expired 'evil\x20host\x3dx')" \
    "$(decisions auth)"

# --- errors of configuration and files -----------------------------------

answers "$GOOD"
run jwt-badarg $USER1 authenticate
pj_expect "unknown argument: PAM_SERVICE_ERR, no prompt" "PAM_SERVICE_ERR " \
    "$(code authenticate) $(prompts)"
expect_decision "unknown argument: decision line" auth \
    "$(line 83 jwt-badarg:auth error "" "" "" "" config_error)"
pt jwt-badarg $USER1 authenticate
pj_expect "pamtester: unknown argument" 1 "$PT_RC"

run jwt-nokey $USER1 authenticate
pj_expect "missing key file: PAM_AUTHINFO_UNAVAIL" PAM_AUTHINFO_UNAVAIL \
    "$(code authenticate)"
expect_decision "missing key file: decision line" auth \
    "$(line 83 jwt-nokey:auth error $USER1 "" "" "" key_file)"

run jwt-gw $USER1 authenticate
pj_expect "group-writable configuration: PAM_SERVICE_ERR, no prompt" \
    "PAM_SERVICE_ERR " "$(code authenticate) $(prompts)"
expect_decision "group-writable configuration: decision line" auth \
    "$(line 83 jwt-gw:auth error "" "" "" "" config_file)"

# --- not_a_token = ignore ------------------------------------------------

answers "hunter2 two"
run jwt-ignore $USER1 authenticate
pj_expect "ignore: a password is PAM_IGNORE" PAM_SUCCESS \
    "$(code authenticate)"
expect_decision "ignore: decision line" auth \
    "$(line 86 jwt-ignore:auth ignored $USER1 "" "" "" not_a_token)"
answers "$EXPIRED"
run jwt-ignore $USER1 authenticate
pj_expect "ignore: a refused token is still PAM_AUTH_ERR" PAM_AUTH_ERR \
    "$(code authenticate)"
# Passwords still reach the next module while the key set is missing.
answers "hunter2 two"
run jwt-nokey-ignore $USER1 authenticate
pj_expect "ignore: a password is PAM_IGNORE without a key set" PAM_SUCCESS \
    "$(code authenticate)"
answers "$GOOD"
run jwt-nokey-ignore $USER1 authenticate
pj_expect "ignore: a token without a key set is PAM_AUTHINFO_UNAVAIL" \
    PAM_AUTHINFO_UNAVAIL "$(code authenticate)"
answers "hunter2 two"
run jwt-ignore-items $USER1 authenticate
pj_expect "ignore: the password is left in PAM_AUTHTOK, as typed" \
    "hunter2 two" "$(env_var PAM_AUTHTOK)"
answers "$GOOD"
run jwt-items $USER1 authenticate
pj_expect "a token prompted for is not left in PAM_AUTHTOK" \
    "PAM_SUCCESS 0" "$(code authenticate) $(grep -c '^env: PAM_AUTHTOK' "$OUT")"

answers "hunter2 two"
pt jwt-ignore $USER1 authenticate
pj_expect "pamtester: a password is PAM_IGNORE, one prompt" \
    "0|JWT: " "$PT_RC|$(tr -d '\n' < "$T/pt.err")"
answers "$EXPIRED"
pt jwt-ignore $USER1 authenticate
pj_expect "pamtester: a refused token is not PAM_IGNORE" 1 "$PT_RC"

# --- use_first_pass, try_first_pass --------------------------------------

answers
PAM_AUTHTOK=$GOOD
export PAM_AUTHTOK
run jwt-first $USER1 authenticate
pj_expect "use_first_pass: accepted without a prompt" "PAM_SUCCESS " \
    "$(code authenticate) $(prompts)"
PAM_AUTHTOK=$PART1
run jwt-try $USER1 authenticate
pj_expect "try_first_pass: PAM_AUTHTOK is part 1" \
    "echo_off JWT (part 2): |" "$(prompts | cut -d'|' -f1)|"
unset PAM_AUTHTOK
run jwt-first $USER1 authenticate
pj_expect "use_first_pass: nothing to use: refused, no prompt" \
    "PAM_AUTH_ERR " "$(code authenticate) $(prompts)"

# --- long tokens in parts ------------------------------------------------

expected_prompts()
{
	n=1
	printf 'echo_off JWT: |'
	while [ $n -lt $1 ]; do
		n=$((n + 1))
		printf 'echo_off JWT (part %d): |' $n
	done
}
cp "$T/big.parts" "$T/answers"
run jwt $USER1 authenticate
pj_expect "parts: $BIG_LEN characters in $BIG_PARTS prompts" \
    "$(expected_prompts $BIG_PARTS)" "$(prompts)"
pj_expect "parts: accepted" PAM_SUCCESS "$(code authenticate)"
pj_expect "parts: PAM_JWT_JTI" jti-big "$(env_var PAM_JWT_JTI)"

python3 "$HERE/feed.py" "$T/big.parts" "$T/fed" -- env LD_PRELOAD="$PW_LIB" \
    PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$SVC" PAM_WRAPPER_USE_SYSLOG=1 \
    pamtester jwt $USER1 authenticate > "$T/pt.out" 2> "$T/pt.err"
PT_RC=$?
cat "$T/pt.err" >> "$ALL_ERR"
pj_expect "pamtester: parts accepted" 0 "$PT_RC"
pj_expect "pamtester: parts prompted" "$(expected_prompts $BIG_PARTS |
    sed 's/echo_off //g')" "$(tr '\n' '|' < "$T/fed")"

answers "$PART1" "$PART2" "$PART2"
run jwt $USER1 authenticate
pj_expect "parts: a repeated answer ends the attempt" \
    "PAM_AUTH_ERR $(expected_prompts 3)" "$(code authenticate) $(prompts)"
expect_decision "parts: repeated answer decision line" auth \
    "$(refused jwt $USER1 "" "" "" malformed)"

answers "$PART1" ""
run jwt $USER1 authenticate
pj_expect "parts: an empty answer ends the attempt" \
    "PAM_AUTH_ERR $(expected_prompts 2)" "$(code authenticate) $(prompts)"

answers "$PART1"
run jwt $USER1 authenticate
pj_expect "parts: a conversation that ends is refused" \
    "PAM_AUTH_ERR $(expected_prompts 2)(no answer left)|" \
    "$(code authenticate) $(prompts)"

answers "$PART1" "$PART2" "$PART2"
run jwt-small $USER1 authenticate
pj_expect "parts: max_token_bytes counts the parts together" \
    "PAM_AUTH_ERR $(expected_prompts 2)" "$(code authenticate) $(prompts)"

# --- the account stage ---------------------------------------------------

answers
run jwt-acct-ignore $USER1 acct_mgmt
pj_expect "account: no PAM_JWT_* is PAM_IGNORE" PAM_SUCCESS \
    "$(code acct_mgmt)"

acct()
{
	# acct SERVICE EXP GROUPS [SECTION [ISS [USER]]]
	log_mark
	$VG "$DRIVER" -d "$SVC" -r "$RHOST" \
	    -e "PAM_JWT_ISS=${5-https://idp.test}" \
	    -e "PAM_JWT_SECTION=${4-}" -e "PAM_JWT_SUB=${6-$USER1}" \
	    -e PAM_JWT_JTI=j-acct -e "PAM_JWT_EXP=$2" \
	    -e "PAM_JWT_GROUPS=$3" "$1" "${6-$USER1}" acct_mgmt \
	    > "$OUT" 2>> "$ALL_ERR"
	[ $? -eq 0 ] || VG_FAILED=1
	VG_RUNS=$((VG_RUNS + 1))
}
acct jwt-acct $((NOW - 3600)) wheel
pj_expect "account: expired PAM_JWT_EXP is PAM_AUTH_ERR" PAM_AUTH_ERR \
    "$(code acct_mgmt)"
expect_decision "account: expired decision line" account \
    "$(line 85 jwt-acct:account refused $USER1 https://idp.test "" j-acct \
    expired)"
acct jwt-acct $(($(date +%s) - 20)) wheel
pj_expect "account: within the leeway" PAM_SUCCESS "$(code acct_mgmt)"
acct jwt-acct $EXP wheel
pj_expect "account: valid" PAM_SUCCESS "$(code acct_mgmt)"
acct jwt-acct $EXP wheel second https://second.test
pj_expect "account: the section [issuer second]" PAM_SUCCESS \
    "$(code acct_mgmt)"
# PAM_JWT_ISS must be the issuer of the section PAM_JWT_SECTION names.
acct jwt-acct $EXP wheel second https://idp.test
pj_expect "account: PAM_JWT_ISS not the section's issuer is PAM_AUTH_ERR" \
    PAM_AUTH_ERR "$(code acct_mgmt)"
expect_decision "account: PAM_JWT_ISS not the section's issuer, line" \
    account "$(line 85 jwt-acct:account refused $USER1 https://idp.test "" \
    j-acct bad_environment)"
acct jwt-acct $EXP wheel "" https://second.test
pj_expect "account: the top level with another issuer is PAM_AUTH_ERR" \
    PAM_AUTH_ERR "$(code acct_mgmt)"
expect_decision "account: the top level with another issuer, line" \
    account "$(line 85 jwt-acct:account refused $USER1 \
    https://second.test "" j-acct bad_environment)"
acct jwt-acct $EXP wheel "" https://idp.test/
pj_expect "account: PAM_JWT_ISS compared exactly" PAM_AUTH_ERR \
    "$(code acct_mgmt)"

# The extremes of PAM_JWT_EXP: no overflow in exp + leeway.
acct jwt-acct 9223372036854775807 wheel
pj_expect "account: PAM_JWT_EXP at INT64_MAX is valid" PAM_SUCCESS \
    "$(code acct_mgmt)"
expect_decision "account: PAM_JWT_EXP at INT64_MAX, decision line" account \
    "$(line 86 jwt-acct:account accepted $USER1 https://idp.test "" \
    j-acct none)"
acct jwt-acct 0 wheel
pj_expect "account: PAM_JWT_EXP 0 is expired" PAM_AUTH_ERR \
    "$(code acct_mgmt)"
expect_decision "account: PAM_JWT_EXP 0, decision line" account \
    "$(line 85 jwt-acct:account refused $USER1 https://idp.test "" \
    j-acct expired)"
# The module never writes a negative or larger PAM_JWT_EXP.
for e in -9223372036854775808 -1 9223372036854775808; do
	acct jwt-acct $e wheel
	pj_expect "account: PAM_JWT_EXP=$e is PAM_AUTH_ERR" \
	    "PAM_AUTH_ERR|$(line 85 jwt-acct:account refused $USER1 "" "" \
	    "" bad_environment)" "$(code acct_mgmt)|$(decisions account)"
done

# A user who is not there (any more): its uid cannot be checked.
acct jwt-acct $EXP wheel "" https://idp.test $NOUSER
pj_expect "account: unknown local user is PAM_AUTH_ERR" \
    "PAM_AUTH_ERR|$(line 85 jwt-acct:account refused "(unknown)" \
    https://idp.test "" j-acct unknown_user)" \
    "$(code acct_mgmt)|$(decisions account)"

# allow_root in the account stage too: uid 0 under another name.
if [ -n "$ROOT_ALIAS_OK" ]; then
	acct jwt-acct $EXP wheel "" https://idp.test $ROOT_ALIAS
	pj_expect "account: uid 0 alias is PAM_AUTH_ERR" PAM_AUTH_ERR \
	    "$(code acct_mgmt)"
	expect_decision "account: uid 0 alias, decision line" account \
	    "$(line 85 jwt-acct:account refused $ROOT_ALIAS \
	    https://idp.test "" j-acct root_refused)"
	acct jwt-acct-root $EXP wheel "" https://idp.test $ROOT_ALIAS
	pj_expect "account: uid 0 alias with allow_root" PAM_SUCCESS \
	    "$(code acct_mgmt)"
fi
acct jwt-acct $EXP wheel nosuch
pj_expect "account: unknown section is PAM_AUTH_ERR" PAM_AUTH_ERR \
    "$(code acct_mgmt)"
acct jwt-acct not-a-number wheel
pj_expect "account: malformed PAM_JWT_EXP is PAM_AUTH_ERR" PAM_AUTH_ERR \
    "$(code acct_mgmt)"
acct jwt-acct-group $EXP "wheel,adm%2Cins"
pj_expect "account: require_group missing is PAM_PERM_DENIED" \
    PAM_PERM_DENIED "$(code acct_mgmt)"
expect_decision "account: missing group decision line" account \
    "$(line 85 jwt-acct-group:account refused $USER1 https://idp.test "" \
    j-acct missing_group)"
acct jwt-acct-group $EXP "wheel,admins"
pj_expect "account: require_group present" PAM_SUCCESS "$(code acct_mgmt)"
acct jwt-acct-group $EXP "wheel,bad%zzgroup"
pj_expect "account: malformed PAM_JWT_GROUPS is PAM_AUTH_ERR" PAM_AUTH_ERR \
    "$(code acct_mgmt)"
$DRIVER -d "$SVC" -e "PAM_JWT_EXP=$EXP" jwt-acct $USER1 acct_mgmt > "$OUT"
pj_expect "account: PAM_JWT_* incomplete is PAM_AUTH_ERR" PAM_AUTH_ERR \
    "$(code acct_mgmt)"

# --- hygiene -------------------------------------------------------------

log_sync
leaks=
for tok in "$GOOD" "$SECOND" "$EXPIRED" "$WRONG_AUD" "$TAMPERED" "$UNKNOWN" \
    "$BIG" "$EVIL"; do
	payload=${tok#*.}
	payload=${payload%%.*}
	for piece in "${tok##*.}" "$payload"; do
		if grep -q -F -e "$piece" "$LOG" "$ALL_ERR"; then
			leaks="$leaks ${piece%"${piece#????????}"}..."
		fi
	done
done
pj_expect "no token in any log line or on standard error" "" "$leaks"
pj_expect "password never logged" "" "$(grep -F 'hunter2' "$LOG")"
n=$(grep -c 'pam_jwt(' "$LOG")
[ "$n" -gt 30 ] && pj_pass "log lines were caught ($n)" ||
	pj_fail "log lines were caught" "$n"

if [ -n "$VG" ]; then
	pj_valgrind_check "valgrind: $VG_RUNS runs, no error, no definite leak"
elif [ -n "$VG_FAILED" ]; then
	pj_fail "pamdriver exit status" "$(tail -5 "$ALL_ERR")"
fi

pj_finish
