# Shared helpers for the script tests: results, a temporary folder, and
# keys and tokens made at run time (no key is ever committed).
#
# Source it, then:
#   pj_init NAME            temporary folder $PJ_TMP, removed at exit
#   pj_pass NAME / pj_fail NAME [DETAIL]
#   pj_expect NAME EXPECTED ACTUAL
#   pj_finish               exit 1 when any case failed, else 0
#   pj_skip REASON          exit 77
#   pj_error TEXT           the test cannot run: exit 99
#   pj_at_exit COMMAND      run COMMAND when the test ends
#   pj_valgrind_init        $VG: empty, or valgrind with VALGRIND=1
#   pj_valgrind_check NAME  one case: no valgrind error (with VALGRIND=1)
#   pj_genkey FILE          an RSA 2048 private key (PEM)
#   pj_jwks FILE KID        a JWKS with FILE's public key, on stdout
#   pj_sign ALG FILE KID    sign the claims on stdin, token on stdout
#                           (the last three through tests/mktoken)
#   pj_keyset DIR           DIR/key.pem and DIR/jwks.json (kid k1)
#   pj_token                RS256 token of the claims on stdin, with the
#                           key pj_keyset made
#
# The environment names the trees: top_srcdir and top_builddir (set by
# "make check"; default: the folder above this file, and the current
# folder).

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." 2>/dev/null && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir

PJ_PASSED=0
PJ_FAILED=0
PJ_EXIT_HOOKS=

pj_init()
{
	PJ_NAME=$1
	PJ_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pam_jwt-test.XXXXXX") ||
		{ echo "ERROR: $PJ_NAME: no temporary folder" >&2; exit 99; }
	trap pj_cleanup EXIT
	trap 'exit 99' HUP INT PIPE TERM
}

pj_at_exit()
{
	PJ_EXIT_HOOKS="$1
$PJ_EXIT_HOOKS"
}

pj_cleanup()
{
	rc=$?
	printf '%s\n' "$PJ_EXIT_HOOKS" | while IFS= read -r hook; do
		[ -n "$hook" ] && eval "$hook"
	done
	if [ -n "$PJ_TMP" ] && [ -z "$PJ_KEEP" ]; then
		rm -rf "$PJ_TMP"
	fi
	exit $rc
}

pj_pass()
{
	echo "PASS: $1"
	PJ_PASSED=$((PJ_PASSED + 1))
}

pj_fail()
{
	if [ -n "$2" ]; then
		echo "FAIL: $1: $2"
	else
		echo "FAIL: $1"
	fi
	PJ_FAILED=$((PJ_FAILED + 1))
}

# pj_expect NAME EXPECTED ACTUAL: pass when equal, else show both.
pj_expect()
{
	if [ "$2" = "$3" ]; then
		pj_pass "$1"
	else
		pj_fail "$1" "expected [$2], got [$3]"
	fi
}

pj_skip()
{
	echo "SKIP: ${PJ_NAME:-test}: $1"
	exit 77
}

pj_error()
{
	echo "ERROR: $*"
	exit 99
}

pj_finish()
{
	echo "${PJ_NAME:-test}: $PJ_PASSED passed, $PJ_FAILED failed"
	[ "$PJ_FAILED" -eq 0 ] || exit 1
	exit 0
}

# The token maker built with the tests (tests/tools/mktoken.c).
PJ_MKTOKEN=$top_builddir/tests/mktoken

pj_genkey()
{
	"$PJ_MKTOKEN" genkey rsa "$1"
}

pj_jwks()
{
	"$PJ_MKTOKEN" jwks "$1" "$2"
}

pj_sign()
{
	"$PJ_MKTOKEN" sign "$1" "$2" "$3"
}

# pj_keyset DIR: a fresh RSA key DIR/key.pem and the key set
# DIR/jwks.json (mode 0644) with its public key as kid k1.
pj_keyset()
{
	mkdir -p "$1" || pj_error "cannot make $1"
	pj_genkey "$1/key.pem" || pj_error "cannot make a key"
	pj_jwks "$1/key.pem" k1 > "$1/jwks.json" ||
		pj_error "cannot make a key set"
	chmod 644 "$1/jwks.json"
	PJ_KEY=$1/key.pem
}

pj_token()
{
	pj_sign RS256 "$PJ_KEY" k1 || pj_error "cannot sign"
}

# With VALGRIND=1, $VG runs a command under valgrind: no memory error and
# no definite leak allowed; each run logs into $PJ_TMP/vg and exits 42
# on an error (callers set VG_FAILED=1 then).  Otherwise $VG is empty.
pj_valgrind_init()
{
	VG=
	[ "${VALGRIND:-0}" = 1 ] || return 0
	command -v valgrind >/dev/null 2>&1 || pj_error "valgrind is needed"
	mkdir "$PJ_TMP/vg"
	VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite"
	VG="$VG --error-exitcode=42 --log-file=$PJ_TMP/vg/%p.log"
}

# pj_valgrind_check NAME: with valgrind on, the case NAME passes when no
# run logged an error and none set VG_FAILED.
pj_valgrind_check()
{
	[ -n "$VG" ] || return 0
	bad=$(find "$PJ_TMP/vg" -name '*.log' -size +0 | head -1)
	if [ -z "$bad" ] && [ -z "$VG_FAILED" ]; then
		pj_pass "$1"
	else
		pj_fail "valgrind" "$(head -40 "$bad" 2>/dev/null)"
	fi
}
