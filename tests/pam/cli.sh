#!/bin/sh
# pam-jwt, the command-line tool: "verify" (exit codes, the one refusal
# line, --now, --explain, input bounds, the files it trusts) and
# "askpass" (parts of 511 characters for SSH_ASKPASS and SUDO_ASKPASS).
# Keys and tokens are made here.  Runs as any user; as root it also
# checks that another user may try files of their own.  VALGRIND=1 runs
# every pam-jwt call under valgrind.

. "$(dirname "$0")/../lib.sh"
pj_init cli

T=$PJ_TMP
PAMJWT=$top_builddir/pam-jwt

[ -x "$PAMJWT" ] || pj_error "$PAMJWT is not built"
[ -x "$PJ_MKTOKEN" ] || pj_error "$PJ_MKTOKEN is not built"

pj_valgrind_init

chmod 755 "$T"
mkdir "$T/etc"
pj_keyset "$T/keys"
CONF=$T/etc/pam_jwt.conf
cat > "$CONF" <<EOF
issuer = https://idp.test
audience = pam-test
jwks_file = ../keys/jwks.json
EOF
chmod 644 "$CONF"

NOW=$(date +%s)
EXP=$((NOW + 600))
GOOD=$(printf '{"iss":"https://idp.test","aud":"pam-test","sub":"alice",%s' \
    "\"exp\":$EXP,\"iat\":$NOW,\"groups\":[\"wheel\",\"a b\",\"x\\ny\"]}" |
    pj_token)
PAD=$(head -c 1500 /dev/zero | tr '\0' p)
BIG=$(printf '{"iss":"https://idp.test","aud":"pam-test","sub":"alice",%s' \
    "\"exp\":$EXP,\"pad\":\"$PAD\"}" | pj_token)

OUT=$T/out
ERR=$T/err

# verify ARGUMENT... with standard input from $T/in: $RC, $OUT, $ERR.
verify()
{
	$VG "$PAMJWT" verify "$@" < "$T/in" > "$OUT" 2> "$ERR"
	RC=$?
	[ $RC -ne 42 ] || VG_FAILED=1
}

input()
{
	printf '%s\n' "$1" > "$T/in"
}

# --- the command ---------------------------------------------------------

$VG "$PAMJWT" --version > "$OUT" 2>&1
rc=$?
version=$(sed -n 's/^AC_INIT(\[pam_jwt\], \[\([^]]*\)\].*/\1/p' \
    "$top_srcdir/configure.ac")
pj_expect "--version" "0|pam-jwt (pam_jwt) $version" "$rc|$(cat "$OUT")"
$VG "$PAMJWT" --help > "$OUT" 2>&1
pj_expect "--help" "0|Usage: pam-jwt COMMAND [OPTIONS] [ARGUMENTS]" \
    "$?|$(head -1 "$OUT")"
$VG "$PAMJWT" > "$OUT" 2>&1
pj_expect "no command: exit 2" 2 "$?"
$VG "$PAMJWT" frobnicate > "$OUT" 2>&1
pj_expect "unknown command: exit 2" \
    "2|pam-jwt: unknown command \"frobnicate\"" "$?|$(head -1 "$OUT")"

# --- verify: accepted ----------------------------------------------------

when=$(date -u -d "@$EXP" +%Y-%m-%dT%H:%M:%SZ)
accepted="user: alice
issuer: https://idp.test
groups: wheel, a\\x20b, x\\x0ay
expires: $EXP ($when)"

input "$GOOD"
verify --config "$CONF" --user alice -
pj_expect "verify -: accepted, exit 0" 0 "$RC"
pj_expect "verify -: user, groups (escaped), expiry" "$accepted" \
    "$(cat "$OUT")"
pj_expect "verify -: nothing on standard error" "" "$(cat "$ERR")"

verify --config "$CONF"
pj_expect "verify without a token reads standard input" "0|$accepted" \
    "$RC|$(cat "$OUT")"

printf ' \t\r\n%s \r\n\n' "$GOOD" > "$T/in"
verify --config "$CONF" --user alice -
pj_expect "verify: surrounding whitespace trimmed" 0 "$RC"

: > "$T/in"
verify --config "$CONF" --user alice "$GOOD"
pj_expect "verify TOKEN: accepted" 0 "$RC"

# --- verify: refused -----------------------------------------------------

# refused_line NAME REASON [STDOUT]: exit 1, exactly one line on standard
# error, no token in it, and standard output as given (default: empty).
refused_line()
{
	lines=$(wc -l < "$ERR")
	first=$(head -1 "$ERR" | cut -d: -f1-2)
	leak=$(grep -c -F -e "${GOOD##*.}" "$ERR")
	pj_expect "$1" "1|1|refused: $2|0|${3-}" \
	    "$RC|$lines|$first|$leak|$(cat "$OUT")"
}

input "$GOOD"
verify --config "$CONF" --user bob -
refused_line "verify: wrong user" user_mismatch
verify --config "$CONF" --user alice --now $((EXP + 61)) -
refused_line "verify --now after exp + leeway: expired" expired
verify --config "$CONF" --user alice --now $((EXP + 59)) -
pj_expect "verify --now within the leeway: accepted" 0 "$RC"
verify --config "$CONF" --user alice --now $((NOW - 3600)) -
refused_line "verify --now before iat - leeway" iat_in_future

input "hello world"
verify --config "$CONF" -
refused_line "verify: not a token" malformed

input ""
verify --config "$CONF" -
refused_line "verify: empty input" malformed

head -c 20000 /dev/zero | tr '\0' A > "$T/in"
verify --config "$CONF" -
refused_line "verify: over max_token_bytes" too_large

head -c 1100000 /dev/zero | tr '\0' A > "$T/in"
verify --config "$CONF" -
refused_line "verify: input beyond the tool's bound" too_large

sig=${GOOD##*.}
if [ "$(printf '%s' "$sig" | cut -c10)" = A ]; then r=B; else r=A; fi
input "${GOOD%.*}.$(printf '%s' "$sig" | cut -c1-9)$r$(printf '%s' "$sig" |
    cut -c11-)"
verify --config "$CONF" --user alice -
refused_line "verify: tampered signature" bad_signature

# --- verify --explain ----------------------------------------------------

input "$GOOD"
verify --config "$CONF" --user alice --now $NOW --explain -
pj_expect "explain: accepted" 0 "$RC"
pj_expect "explain: the clock and the leeway" \
    "clock: now=$NOW|policy [top level]: leeway=60 s" \
    "$(grep '^clock: now=' "$OUT" | cut -d' ' -f1-2)|$(grep '^policy ' "$OUT" |
    cut -d' ' -f1-5)"
pj_expect "explain: signature passes" 1 "$(grep -c '^pass  signature ' "$OUT")"
pj_expect "explain: no rule fails" 0 "$(grep -c '^FAIL' "$OUT")"
verify --config "$CONF" --user bob --explain -
pj_expect "explain: the failing rule" "1|1" \
    "$RC|$(grep -c '^FAIL  username ' "$OUT")"
refused_line "explain: still one line on standard error" user_mismatch \
    "$(cat "$OUT")"

# --- verify: exit 2 ------------------------------------------------------

input "$GOOD"
verify --config "$T/etc/missing.conf" -
pj_expect "verify: missing configuration: exit 2" 2 "$RC"
cp "$CONF" "$T/etc/gw.conf"
chmod 664 "$T/etc/gw.conf"
verify --config "$T/etc/gw.conf" -
pj_expect "verify: group-writable configuration: exit 2" 2 "$RC"
printf 'issuer = https://idp.test\naudience = x\njwks_file = %s\n' \
    ../keys/missing.json > "$T/etc/nokey.conf"
chmod 644 "$T/etc/nokey.conf"
verify --config "$T/etc/nokey.conf" -
pj_expect "verify: missing key file: exit 2" 2 "$RC"
printf 'issuer = https://idp.test\naudience = x\nbogus_key = 1\n' \
    > "$T/etc/bad.conf"
chmod 644 "$T/etc/bad.conf"
verify --config "$T/etc/bad.conf" -
pj_expect "verify: unknown key: exit 2" 2 "$RC"
verify --config "$CONF" --now yesterday -
pj_expect "verify --now not a number: exit 2" 2 "$RC"
verify --config "$CONF" one two
pj_expect "verify: two tokens: exit 2" 2 "$RC"
verify --config "$CONF" --frobnicate -
pj_expect "verify: unknown option: exit 2" 2 "$RC"
verify --config
pj_expect "verify: --config without a file: exit 2" 2 "$RC"
verify --help
pj_expect "verify --help: exit 0" "0|Usage: pam-jwt verify [--config FILE]" \
    "$RC|$(head -1 "$OUT" | cut -d' ' -f1-5)"

# Another user may try a draft of their own; root still trusts only its
# own files.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
    setpriv --reuid=nobody --regid=nogroup --clear-groups \
    test -x "$PAMJWT" 2>/dev/null; then
	mkdir "$T/draft"
	cp "$CONF" "$T/keys/jwks.json" "$T/draft/"
	sed -i 's|^jwks_file = .*|jwks_file = jwks.json|' \
	    "$T/draft/pam_jwt.conf"
	chown -R nobody "$T/draft"
	input "$GOOD"
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$PAMJWT" verify --config "$T/draft/pam_jwt.conf" - \
	    < "$T/in" > "$OUT" 2> "$ERR"
	pj_expect "verify as another user: their own files trusted" 0 "$?"
	verify --config "$T/draft/pam_jwt.conf" -
	pj_expect "verify as root: another user's files refused" 2 "$RC"
else
	echo "SKIP: verify as another user (needs root and setpriv)"
fi

# --- askpass -------------------------------------------------------------

TOKFILE=$T/token
printf '%s\n' "$BIG" > "$TOKFILE"
chmod 600 "$TOKFILE"
BIG_PARTS=$(((${#BIG} + 510) / 511))
[ "$BIG_PARTS" -ge 3 ] || pj_error "the long token is too short"

askpass()
{
	$VG "$PAMJWT" askpass "$@" > "$OUT" 2> "$ERR"
	RC=$?
	[ $RC -ne 42 ] || VG_FAILED=1
}

printf '%s' "$BIG" | fold -w 511 > "$T/parts"
echo >> "$T/parts"
n=1
joined=
ok=yes
while [ $n -le $BIG_PARTS ]; do
	if [ $n -eq 1 ]; then prompt="JWT: "; else
		prompt="(alice@host) JWT (part $n): "; fi
	askpass --file "$TOKFILE" "$prompt"
	want=$(sed -n "${n}p" "$T/parts")
	if [ $RC -ne 0 ] || [ "$(cat "$OUT")" != "$want" ] ||
	    [ "$(wc -l < "$OUT")" -ne 1 ]; then
		ok="no: part $n"
	fi
	joined=$joined$(cat "$OUT")
	n=$((n + 1))
done
pj_expect "askpass: $BIG_PARTS parts of 511 characters, one line each" yes \
    "$ok"
pj_expect "askpass: the parts join into the token" "$BIG" "$joined"
askpass --file "$TOKFILE" "JWT (part $((BIG_PARTS + 1))): "
pj_expect "askpass: past the end, an empty line" "0|1|" \
    "$RC|$(wc -l < "$OUT")|$(cat "$OUT")"
askpass --file "$TOKFILE" "Password: "
pj_expect "askpass: no part in the prompt is part 1" \
    "$(sed -n 1p "$T/parts")" "$(cat "$OUT")"
askpass --file "$TOKFILE" "JWT (part 0): "
pj_expect "askpass: part 0 is an error" "1|" "$RC|$(cat "$OUT")"
askpass --file "$TOKFILE" "JWT (part 99999999999999999999999): "
pj_expect "askpass: an absurd part number is an error" 1 "$RC"

PAM_JWT_ASKPASS_TEST=$BIG
export PAM_JWT_ASKPASS_TEST
askpass --env PAM_JWT_ASKPASS_TEST "JWT (part 2): "
pj_expect "askpass --env" "0|$(sed -n 2p "$T/parts")" "$RC|$(cat "$OUT")"
unset PAM_JWT_ASKPASS_TEST
askpass --env PAM_JWT_ASKPASS_TEST "JWT: "
pj_expect "askpass --env unset: exit 1 with a message" "1|1" \
    "$RC|$(grep -c '^pam-jwt: ' "$ERR")"

PAM_JWT_TOKEN_FILE=$TOKFILE
export PAM_JWT_TOKEN_FILE
askpass "JWT (part 2): "
pj_expect "askpass: PAM_JWT_TOKEN_FILE by default" \
    "0|$(sed -n 2p "$T/parts")" "$RC|$(cat "$OUT")"
ln -s "$PAMJWT" "$T/pam-jwt-askpass"
"$T/pam-jwt-askpass" "JWT (part 3): " > "$OUT" 2> "$ERR"
pj_expect "askpass: called as pam-jwt-askpass" \
    "0|$(sed -n 3p "$T/parts")" "$?|$(cat "$OUT")"
unset PAM_JWT_TOKEN_FILE
askpass "JWT: "
pj_expect "askpass: no source: exit 1 with a message" "1|1|" \
    "$RC|$(grep -c '^pam-jwt: askpass: no token' "$ERR")|$(cat "$OUT")"

chmod 644 "$TOKFILE"
askpass --file "$TOKFILE" "JWT: "
pj_expect "askpass: a token file others can read is refused" "1|" \
    "$RC|$(cat "$OUT")"
chmod 600 "$TOKFILE"
askpass --file "$T/no-such-file" "JWT: "
pj_expect "askpass: missing file: exit 1" 1 "$RC"
: > "$T/empty"
chmod 600 "$T/empty"
askpass --file "$T/empty" "JWT: "
pj_expect "askpass: empty file: exit 1" 1 "$RC"
askpass --file "$TOKFILE" --env X "JWT: "
pj_expect "askpass: --file and --env together: exit 2" 2 "$RC"
askpass --file "$TOKFILE"
pj_expect "askpass: no prompt: exit 2" 2 "$RC"

pj_valgrind_check "valgrind: no error, no definite leak"

pj_finish
