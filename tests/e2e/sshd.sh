#!/bin/sh
# System test: logins through a real sshd (OpenSSH, keyboard-interactive,
# UsePAM) with pam_jwt.so from the build tree in every PAM stage, the
# real ssh client answering the module's prompts with "pam-jwt askpass"
# and tokens issued by the local OpenID provider (tests/idp/server.mjs).
#
# Cases: a good token logs in and the session sees the PAM_JWT_*
# environment; another user's token, a tampered token and an expired token
# are refused, each with its reason in the module's log line; a token of
# about 3 KB (a user with many groups) logs in through the continuation
# prompts.
#
# Needs root (sshd, test users, /etc/pam.d), node/npm and openssh-server.
# Run by "make check-system"; exit 77 only when not root.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/e2e/lib-e2e.sh"

e2e_system_test sshd node npm curl python3 ssh ssh-keygen logger timeout
[ -x /usr/sbin/sshd ] || e2e_die "/usr/sbin/sshd not found (openssh-server)"

ALICE=pje2e-alice
BOB=pje2e-bob
CAROL=pje2e-carol
SERVICE=sshd-pam_jwt-e2e
SHORT_TTL=5

# Carol's groups make her token about 3 KB: six parts of 511 characters.
many=$(python3 -c 'print(",".join("pam-jwt-e2e-group-%03d" % i
    for i in range(70)))')

e2e_idp_install
e2e_idp_users_init
e2e_idp_user "$ALICE" ssh-users,dev
e2e_idp_user "$BOB" ssh-users
e2e_idp_user "$CAROL" "$many,ssh-users"
e2e_idp_start

KEYS=$E2E_TMP/keys
e2e_secure_dir "$KEYS"
if ! curl -fsS --max-time 10 -o "$KEYS/jwks.json" "$E2E_IDP_URL/jwks"; then
	e2e_die "cannot fetch the key set"
fi
chmod 0644 "$KEYS/jwks.json"

# leeway = 0: the expired token must fail as soon as it expires.
CONF=$E2E_TMP/etc/pam_jwt.conf
e2e_secure_dir "$E2E_TMP/etc"
e2e_write_conf "$CONF" "issuer=$E2E_IDP_URL" audience=pam-jwt \
    "jwks_file=$KEYS/jwks.json" username_claim=preferred_username \
    groups_claim=groups require_group=ssh-users typ=at+jwt leeway=0

e2e_user_add "$ALICE"
e2e_user_add "$BOB"
e2e_user_add "$CAROL"

e2e_syslog_start
e2e_pam_stack "$CONF" >"$E2E_TMP/pam-stack"
e2e_pam_service "$SERVICE" <"$E2E_TMP/pam-stack"
e2e_sshd_start "$SERVICE" "$ALICE" "$BOB" "$CAROL"

# The short-lived token first: the other cases run while it expires.
SHORT=$E2E_TMP/short.jwt
e2e_idp_token "$ALICE" "$SHORT" "$SHORT_TTL" ||
    e2e_die "no short-lived token"
TOK=$E2E_TMP/alice.jwt
e2e_idp_token "$ALICE" "$TOK" || e2e_die "no token for $ALICE"
BIG=$E2E_TMP/carol.jwt
e2e_idp_token "$CAROL" "$BIG" || e2e_die "no token for $CAROL"

# expect_refused NAME REASON: the last e2e_ssh was refused by the module
# for REASON, and nothing ran.
expect_refused()
{
	refused="pam_jwt\\($SERVICE:auth\\): stage=auth result=refused"
	if [ "$E2E_SSH_RC" = 255 ] && [ ! -s "$E2E_SSH_OUT" ] &&
	    grep -q 'Permission denied (keyboard-interactive)' \
	    "$E2E_SSH_ERR" &&
	    e2e_wait_log "$refused .*reason=$2\$"; then
		e2e_pass "$1"
		echo "    log: pam_jwt(${E2E_LOG_LINE#*pam_jwt(}"
	else
		e2e_fail "$1" "ssh exit $E2E_SSH_RC, want 255 and reason=$2" \
		    "stdout: $(cat "$E2E_SSH_OUT")" \
		    "stderr: $(cat "$E2E_SSH_ERR")"
		e2e_log_new | sed 's/^/    log: /'
		e2e_show "$E2E_TMP/sshd/sshd.log"
	fi
}

# 1. A good token logs in; the module's lines name the service sshd
# took from the name it was started as.  The account stage (sshd's
# parent process) knows the login from the PAM environment.
acct="pam_jwt\\($SERVICE:account\\): stage=account result=accepted"
acct="$acct service=$SERVICE user=$ALICE "
auth="pam_jwt\\($SERVICE:auth\\): stage=auth result=accepted"
auth="$auth service=$SERVICE user=$ALICE "
e2e_log_mark
e2e_ssh "$ALICE" "$TOK" id -un
if [ "$E2E_SSH_RC" = 0 ] && [ "$(cat "$E2E_SSH_OUT")" = "$ALICE" ] &&
    [ "$(cat "$E2E_SSH_PROMPTS")" = "$(e2e_prompts "$ALICE" "$TOK")" ] &&
    e2e_wait_log "$acct" &&
    e2e_wait_log "$auth"; then
	e2e_pass "ssh $ALICE with a provider token: id -un = $ALICE"
	echo "    log: pam_jwt(${E2E_LOG_LINE#*pam_jwt(}"
else
	e2e_fail "ssh $ALICE with a provider token: id -un = $ALICE" \
	    "ssh exit $E2E_SSH_RC" "stdout: $(cat "$E2E_SSH_OUT")" \
	    "stderr: $(cat "$E2E_SSH_ERR")" \
	    "prompts: $(cat "$E2E_SSH_PROMPTS")"
	e2e_log_new | sed 's/^/    log: /'
	e2e_show "$E2E_TMP/sshd/sshd.log"
fi

# 2. The later stages (account, session: in sshd's parent process) get
# the login through the PAM environment, which sshd also hands to the
# session.
# shellcheck disable=SC2016 # expanded by the remote shell
e2e_ssh "$ALICE" "$TOK" \
    'printf "%s|%s|%s\n" "$PAM_JWT_ISS" "$PAM_JWT_SUB" "$PAM_JWT_GROUPS"'
want="$E2E_IDP_URL|$(e2e_jwt_claim "$TOK" sub)|ssh-users,dev"
name="session environment: PAM_JWT_ISS, PAM_JWT_SUB, PAM_JWT_GROUPS"
if [ "$E2E_SSH_RC" = 0 ] && [ "$(cat "$E2E_SSH_OUT")" = "$want" ]; then
	e2e_pass "$name"
else
	e2e_fail "$name" \
	    "want $want" "got  $(cat "$E2E_SSH_OUT")" \
	    "ssh exit $E2E_SSH_RC, stderr: $(cat "$E2E_SSH_ERR")"
fi

# 3. Alice's token does not log in bob.
e2e_log_mark
e2e_ssh "$BOB" "$TOK" id -un
expect_refused "ssh $BOB with $ALICE's token: refused" user_mismatch

# 4. A token whose payload was changed after signing.
e2e_jwt_tamper "$TOK" "$E2E_TMP/tampered.jwt"
e2e_log_mark
e2e_ssh "$ALICE" "$E2E_TMP/tampered.jwt" id -un
expect_refused "ssh $ALICE with a tampered token: refused" bad_signature

# 5. About 3 KB: more than one prompt answer can carry, so the module
# asks for "JWT (part N): " and askpass answers each part.
len=$(tr -d '\n' <"$BIG" | wc -c)
parts=$(e2e_prompts "$CAROL" "$BIG" | wc -l)
e2e_log_mark
e2e_ssh "$CAROL" "$BIG" id -un
if [ "$len" -gt 2800 ] && [ "$parts" -ge 6 ] && [ "$E2E_SSH_RC" = 0 ] &&
    [ "$(cat "$E2E_SSH_OUT")" = "$CAROL" ] &&
    [ "$(cat "$E2E_SSH_PROMPTS")" = "$(e2e_prompts "$CAROL" "$BIG")" ] &&
    e2e_wait_log "stage=auth result=accepted service=$SERVICE user=$CAROL "
then
	e2e_pass "ssh $CAROL with a $len-byte token in $parts parts"
else
	e2e_fail "ssh $CAROL with a $len-byte token in $parts parts" \
	    "ssh exit $E2E_SSH_RC" "stdout: $(cat "$E2E_SSH_OUT")" \
	    "stderr: $(cat "$E2E_SSH_ERR")" \
	    "prompts: $(tr '\n' '/' <"$E2E_SSH_PROMPTS")"
	e2e_log_new | sed 's/^/    log: /'
fi

# 6. The short-lived token: good until its exp (checked with --now), then
# refused once the clock passes it (leeway = 0).
exp=$(e2e_jwt_claim "$SHORT" exp)
life=$(($(e2e_jwt_claim "$SHORT" exp) - $(e2e_jwt_claim "$SHORT" iat)))
"$E2E_TOOL" verify --config "$CONF" --user "$ALICE" --now $((exp - 1)) - \
    <"$SHORT" >/dev/null 2>"$E2E_TMP/v.err"
rc=$?
if [ "$life" = "$SHORT_TTL" ] && [ $rc = 0 ]; then
	e2e_pass "a ${SHORT_TTL}-second token is good one second before exp"
else
	e2e_fail "a ${SHORT_TTL}-second token is good one second before exp" \
	    "lifetime $life, verify exit $rc: $(cat "$E2E_TMP/v.err")"
fi
while [ "$(date +%s)" -le "$exp" ]; do
	sleep 0.2
done
e2e_log_mark
e2e_ssh "$ALICE" "$SHORT" id -un
expect_refused "ssh $ALICE with an expired token: refused" expired

e2e_finish
