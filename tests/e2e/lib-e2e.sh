# Shell library for the system tests (tests/idp/idp.sh, tests/e2e/sshd.sh)
# and scripts/demo: the local OpenID provider, a real sshd on a loopback
# port, a syslog listener, test users and the ssh client that logs in with
# a token.  POSIX sh; sourced, not run.
#
# The caller sets top_srcdir and top_builddir (absolute), then calls
# e2e_init NAME.  Everything e2e_* starts or creates is undone when the
# script exits, also on failure or interruption; E2E_KEEP=1 keeps the work
# folder (configuration, logs, sshd's output) for a look afterwards.

# shellcheck disable=SC2034 # E2E_* results are read by the callers
# shellcheck disable=SC2154 # top_srcdir, top_builddir: set by the caller

E2E_NPASS=0
E2E_NFAIL=0
E2E_LOG_MODE=
E2E_CLEANUP=
E2E_QUIET=${E2E_QUIET:-0}
# How long to wait for a /dev/log listener this script cannot read to go.
E2E_SYSLOG_WAIT=${E2E_SYSLOG_WAIT:-60}
E2E_GECOS="pam_jwt test user"
E2E_PAM_MARK="# pam_jwt system test service: removed when the test ends"

# --- reporting ------------------------------------------------------------

# e2e_info TEXT...: a progress line, hidden when E2E_QUIET=1.
e2e_info()
{
	if [ "$E2E_QUIET" != 1 ]; then
		echo "$*"
	fi
}

# e2e_note TEXT...: a line shown even when E2E_QUIET=1, on standard error:
# what the script is waiting for, so that no wait is a silent one.
e2e_note()
{
	echo "$*" >&2
}

# e2e_die TEXT...: give up: the cleanup still runs.
e2e_die()
{
	echo "error: $*" >&2
	exit 1
}

# e2e_expect NAME WANT GOT: pass when equal, else fail showing both.
e2e_expect()
{
	if [ "$2" = "$3" ]; then
		e2e_pass "$1"
	else
		e2e_fail "$1" "want $2" "got  $3"
	fi
}

e2e_pass()
{
	E2E_NPASS=$((E2E_NPASS + 1))
	echo "PASS: $1"
}

# e2e_fail NAME [DETAIL...]: a failed case, with one line per detail.
e2e_fail()
{
	E2E_NFAIL=$((E2E_NFAIL + 1))
	echo "FAIL: $1"
	shift
	for d in "$@"; do
		echo "    $d"
	done
}

# e2e_show FILE [LINES]: the end of FILE, indented, for a failure report.
e2e_show()
{
	if [ -s "$1" ]; then
		echo "    --- $(basename "$1"):"
		tail -n "${2:-15}" "$1" | sed 's/^/    | /'
	fi
}

# e2e_finish: the summary line; exits 1 when a case failed.
e2e_finish()
{
	if [ "$E2E_LOG_MODE" = listener ] &&
	    [ "$(stat -c %i /dev/log 2>/dev/null)" != "$E2E_LOG_INODE" ]; then
		echo "note: another process replaced /dev/log during the" \
		    "test: its log checks could not see the module's lines"
	fi
	echo "$E2E_NAME: $E2E_NPASS passed, $E2E_NFAIL failed"
	if [ "$E2E_NFAIL" != 0 ] || [ "$E2E_NPASS" = 0 ]; then
		exit 1
	fi
	exit 0
}

# --- set-up and clean-up --------------------------------------------------

# e2e_on_exit COMMAND: run COMMAND (eval'd) at exit; the last registered
# runs first.
e2e_on_exit()
{
	E2E_CLEANUP="$1
$E2E_CLEANUP"
}

e2e_cleanup()
{
	rc=$?
	trap - EXIT INT TERM HUP
	ifs_saved=$IFS
	IFS='
'
	set -f
	for cmd in $E2E_CLEANUP; do
		IFS=$ifs_saved
		eval "$cmd" </dev/null >/dev/null 2>&1
		IFS='
'
	done
	set +f
	IFS=$ifs_saved
	exit "$rc"
}

# e2e_need_root: the system tests create users and start sshd.
e2e_need_root()
{
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: $E2E_NAME needs root (test users, sshd, /etc/pam.d)"
		exit 77
	fi
}

# e2e_need_build: the module and the tool must have been built.
e2e_need_build()
{
	[ -n "$top_builddir" ] || e2e_die "top_builddir is not set"
	E2E_MODULE=$top_builddir/.libs/pam_jwt.so
	E2E_TOOL=$top_builddir/pam-jwt
	[ -f "$E2E_MODULE" ] || e2e_die "$E2E_MODULE is missing: run make"
	[ -x "$E2E_TOOL" ] || e2e_die "$E2E_TOOL is missing: run make"
}

# e2e_need_cmd CMD...: fail (not skip) when a command is missing.
e2e_need_cmd()
{
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
		    e2e_die "$c not found (scripts/test-all installs it)"
	done
}

# e2e_init NAME: traps and a private work folder, $E2E_TMP.
e2e_init()
{
	E2E_NAME=$1
	trap e2e_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	umask 022
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pam_jwt-$1.XXXXXX") ||
	    e2e_die "mktemp failed"
	if [ "${E2E_KEEP:-0}" = 1 ]; then
		echo "work folder (kept): $E2E_TMP"
	else
		e2e_on_exit "rm -rf '$E2E_TMP'"
	fi
}

# e2e_system_test NAME CMD...: e2e_init NAME for a system test, which
# needs root, the build and the commands CMD.
e2e_system_test()
{
	e2e_init "$1"
	shift
	e2e_need_root
	e2e_need_build
	e2e_need_cmd "$@"
}

# --- small tools ----------------------------------------------------------

e2e_now_ms()
{
	echo $(($(date +%s%N) / 1000000))
}

# e2e_wait SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds
# (0) or SECONDS have passed (1).  No fixed sleeps: a busy machine just
# takes longer.
e2e_wait()
{
	deadline=$(($(date +%s) + $1))
	shift
	while :; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			return 1
		fi
		sleep 0.1
	done
}

# e2e_wait_say SECONDS WHAT COMMAND...: e2e_wait, for waits that may be
# long: once 3 s have gone by, say (always, see e2e_note) what it is
# waiting for and how long it will wait at most.
e2e_wait_say()
{
	ws_secs=$1
	ws_what=$2
	shift 2
	if [ "$ws_secs" -le 3 ]; then
		e2e_wait "$ws_secs" "$@"
		return
	fi
	if e2e_wait 3 "$@"; then
		return 0
	fi
	e2e_note "waiting for $ws_what (up to $((ws_secs - 3)) s more)..."
	e2e_wait "$((ws_secs - 3))" "$@"
}

# e2e_free_port: a TCP port free on 127.0.0.1 right now.
e2e_free_port()
{
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# e2e_port_open PORT: something accepts connections on 127.0.0.1:PORT.
e2e_port_open()
{
	python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2).close()' "$1"
}

# e2e_stop_pid PID: TERM, wait up to 10 s, then KILL.
e2e_stop_pid()
{
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || return 0
	e2e_wait_say 10 "process $1 to stop" e2e_pid_gone "$1" ||
	    kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

e2e_pid_gone()
{
	! kill -0 "$1" 2>/dev/null
}

# e2e_json FILE EXPR: print EXPR evaluated by python3 on the JSON document
# in FILE (bound to d); strings bare, anything else as JSON.
e2e_json()
{
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2], {"d": d})
print(v if isinstance(v, str) else json.dumps(v))' "$1" "$2"
}

# e2e_jwt_part TOKENFILE 0|1: the decoded header (0) or payload (1) of
# the JWT in TOKENFILE, as JSON on standard output (not verified).
e2e_jwt_part()
{
	python3 -c 'import base64, sys
t = open(sys.argv[1]).read().strip()
s = t.split(".")[int(sys.argv[2])]
sys.stdout.write(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)).decode())
' "$1" "$2"
}

# e2e_jwt_claim TOKENFILE NAME: one claim of the payload (see e2e_json).
e2e_jwt_claim()
{
	e2e_jwt_part "$1" 1 >"$E2E_TMP/claims.json" &&
	    e2e_json "$E2E_TMP/claims.json" "d.get('$2')"
}

# e2e_jwt_tamper IN OUT: the token with one payload claim changed and the
# signature kept, so only the signature check can refuse it.
e2e_jwt_tamper()
{
	(umask 077 && python3 -c 'import base64, json, sys
h, p, s = open(sys.argv[1]).read().strip().split(".")
claims = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
claims["exp"] = claims["exp"] + 3600
p = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":"))
    .encode()).decode().rstrip("=")
open(sys.argv[2], "w").write(h + "." + p + "." + s + "\n")' "$1" "$2")
}

# --- root-owned files the module trusts -----------------------------------

# e2e_secure_dir DIR: a root-owned 0755 folder.
e2e_secure_dir()
{
	install -d -m 0755 -o root -g root "$1"
}

# e2e_write_conf FILE KEY=VALUE...: a pam_jwt configuration, root 0644.
e2e_write_conf()
{
	f=$1
	shift
	{
		echo "# written by the pam_jwt system tests"
		for kv in "$@"; do
			echo "${kv%%=*} = ${kv#*=}"
		done
	} >"$f.tmp" &&
	    chown root:root "$f.tmp" && chmod 0644 "$f.tmp" &&
	    mv -f "$f.tmp" "$f"
}

# --- syslog ---------------------------------------------------------------

# e2e_syslog_start: make the module's log lines readable by e2e_log_new.
# Without a syslog daemon, a listener on /dev/log writes them to a file
# (and goes away at exit); with journald or /var/log/auth.log, those are
# read instead.
e2e_syslog_start()
{
	E2E_LOG_FILE=$E2E_TMP/syslog.txt
	: >"$E2E_LOG_FILE"
	if e2e_syslog_taken; then
		if command -v journalctl >/dev/null 2>&1 &&
		    journalctl -q -n 0 >/dev/null 2>&1 &&
		    [ "$(readlink -f /dev/log)" = \
		    /run/systemd/journal/dev-log ]; then
			E2E_LOG_MODE=journal
		elif [ -r /var/log/auth.log ] &&
		    pidof rsyslogd syslog-ng >/dev/null 2>&1; then
			E2E_LOG_MODE=authlog
		fi
	fi
	if [ -n "${E2E_LOG_MODE:-}" ]; then
		e2e_info "syslog: reading the running daemon's log" \
		    "($E2E_LOG_MODE)"
		return 0
	fi
	# Some other listener we cannot read (another test's, most likely):
	# wait a while for it to go, saying so even in quiet mode.
	if e2e_syslog_taken; then
		e2e_note "syslog: /dev/log has a listener whose output this" \
		    "script cannot read (not journald, nor rsyslogd or" \
		    "syslog-ng writing /var/log/auth.log); waiting up to" \
		    "$E2E_SYSLOG_WAIT s for it to go..."
		e2e_wait "$E2E_SYSLOG_WAIT" e2e_syslog_free ||
		    e2e_die "/dev/log still has a listener whose output" \
		    "this script cannot read, after $E2E_SYSLOG_WAIT s." \
		    "Find it with: ss -xap | grep /dev/log  (another" \
		    "pam_jwt test still running, most likely: let it" \
		    "finish), stop it or run journald or rsyslogd instead," \
		    "then run this again (E2E_SYSLOG_WAIT=SECONDS waits" \
		    "longer)."
		e2e_note "syslog: /dev/log is free now"
	fi

	# Nothing listens: put a listener there for the test's duration
	# (a dangling symlink, say journald's while it is stopped, comes
	# back afterwards).
	E2E_LOG_MODE=listener
	if [ -L /dev/log ]; then
		e2e_on_exit "ln -sfn '$(readlink /dev/log)' /dev/log"
	fi
	rm -f /dev/log
	python3 -c 'import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
with open(sys.argv[1], "ab", buffering=0) as out:
    while True:
        data = s.recv(65536)
        out.write(data.rstrip(b"\0\n").replace(b"\n", b" ") + b"\n")
' "$E2E_LOG_FILE" &
	E2E_LOG_PID=$!
	e2e_on_exit "e2e_stop_pid $E2E_LOG_PID; rm -f /dev/log"
	e2e_wait_say 30 "the syslog listener on /dev/log" e2e_syslog_ready ||
	    e2e_die "the syslog listener on /dev/log did not start"
	E2E_LOG_INODE=$(stat -c %i /dev/log)
}

# e2e_syslog_taken: something receives on /dev/log.
e2e_syslog_taken()
{
	[ -S /dev/log ] && python3 -c 'import socket
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).connect("/dev/log")' \
	    2>/dev/null
}

e2e_syslog_free()
{
	! e2e_syslog_taken
}

e2e_syslog_ready()
{
	logger -u /dev/log "pam_jwt-e2e syslog ready" 2>/dev/null &&
	    grep -q 'pam_jwt-e2e syslog ready' "$E2E_LOG_FILE"
}

# e2e_log_mark: remember where the log is now; e2e_log_new prints what
# came after.
e2e_log_mark()
{
	case $E2E_LOG_MODE in
	listener)
		E2E_LOG_AT=$(wc -c <"$E2E_LOG_FILE")
		;;
	authlog)
		E2E_LOG_AT=$(wc -c </var/log/auth.log)
		;;
	journal)
		E2E_LOG_AT=$(journalctl -q -n 0 --show-cursor |
		    sed -n 's/^-- cursor: //p')
		;;
	esac
}

e2e_log_new()
{
	case $E2E_LOG_MODE in
	listener)
		tail -c "+$((E2E_LOG_AT + 1))" "$E2E_LOG_FILE"
		;;
	authlog)
		tail -c "+$((E2E_LOG_AT + 1))" /var/log/auth.log
		;;
	journal)
		journalctl -q --no-pager -o short \
		    --after-cursor="$E2E_LOG_AT"
		;;
	esac
}

e2e_log_has()
{
	e2e_log_new | grep -E -q -- "$1"
}

# e2e_wait_log REGEX: wait (up to 15 s) for a new log line matching REGEX
# (grep -E); sets E2E_LOG_LINE to the first such line.
e2e_wait_log()
{
	E2E_LOG_LINE=
	e2e_wait_say 15 "the module's log line" e2e_log_has "$1" || return 1
	E2E_LOG_LINE=$(e2e_log_new | grep -E -m 1 -- "$1")
}

# --- local test users -----------------------------------------------------

# e2e_user_add NAME: a local user for the test, removed at exit.  A
# leftover of an interrupted run (marked by its GECOS) is replaced; any
# other user of that name stops the test.
e2e_user_add()
{
	if getent passwd "$1" >/dev/null; then
		if [ "$(getent passwd "$1" | cut -d: -f5)" != "$E2E_GECOS" ]
		then
			e2e_die "user $1 exists and is not a test user"
		fi
		userdel -f -r "$1" >/dev/null 2>&1
	fi
	useradd -m -s /bin/sh -c "$E2E_GECOS" "$1" ||
	    e2e_die "useradd $1 failed"
	e2e_on_exit "e2e_user_del $1"
}

e2e_user_del()
{
	if [ "$(getent passwd "$1" | cut -d: -f5)" = "$E2E_GECOS" ]; then
		userdel -f -r "$1" >/dev/null 2>&1
	fi
	return 0
}

# --- the local OpenID provider --------------------------------------------

# e2e_idp_install: the provider's npm packages in the build tree (never
# the source tree), from the committed lock file; npm ci only when the
# lock file changed.
e2e_idp_install()
{
	E2E_IDP_DIR=$top_builddir/tests/idp-node
	mkdir -p "$E2E_IDP_DIR" || e2e_die "cannot create $E2E_IDP_DIR"
	for f in package.json package-lock.json server.mjs; do
		if ! cmp -s "$top_srcdir/tests/idp/$f" "$E2E_IDP_DIR/$f"; then
			cp "$top_srcdir/tests/idp/$f" "$E2E_IDP_DIR/$f" ||
			    e2e_die "cannot copy tests/idp/$f"
		fi
	done
	stamp=$E2E_IDP_DIR/node_modules/.pam_jwt-lock
	if cmp -s "$E2E_IDP_DIR/package-lock.json" "$stamp"; then
		return 0
	fi
	t0=$(e2e_now_ms)
	e2e_note "provider: installing its npm packages (npm ci, once;" \
	    "this can take a minute)..."
	if ! (cd "$E2E_IDP_DIR" && npm ci --no-audit --no-fund \
	    --loglevel=error >npm-ci.log 2>&1); then
		e2e_show "$E2E_IDP_DIR/npm-ci.log" 30
		e2e_die "npm ci of the test provider failed"
	fi
	cp "$E2E_IDP_DIR/package-lock.json" "$stamp"
	e2e_info "provider: npm ci took $(($(e2e_now_ms) - t0)) ms" \
	    "(node $(node --version))"
}

# e2e_idp_users_init: start the provider's users file.
e2e_idp_users_init()
{
	E2E_IDP_USERS=$E2E_TMP/idp-users.json
	(umask 077 && echo '{"users": []}' >"$E2E_IDP_USERS")
}

# e2e_idp_user NAME [GROUP,GROUP...]: a provider user with a fresh client
# secret.
e2e_idp_user()
{
	python3 -c 'import json, secrets, sys
path, name, groups = sys.argv[1], sys.argv[2], sys.argv[3]
doc = json.load(open(path))
doc["users"].append({"name": name, "secret": secrets.token_urlsafe(24),
    "groups": [g for g in groups.split(",") if g]})
json.dump(doc, open(path, "w"), indent=1)' "$E2E_IDP_USERS" "$1" "${2:-}"
}

# e2e_idp_start: start the provider on a free loopback port; sets
# E2E_IDP_URL, E2E_IDP_PID and E2E_IDP_JWKS (the public key set it wrote).
# A port taken in the meantime means another try on another port.
# E2E_IDP_ARGS: more options for server.mjs (words split on blanks).
e2e_idp_start()
{
	E2E_IDP_JWKS=$E2E_TMP/idp-jwks.json
	for _ in 1 2 3; do
		port=$(e2e_free_port) || e2e_die "no free port"
		E2E_IDP_URL=http://127.0.0.1:$port
		t0=$(e2e_now_ms)
		node "$E2E_IDP_DIR/server.mjs" --port "$port" \
		    --users "$E2E_IDP_USERS" --jwks-out "$E2E_IDP_JWKS" \
		    ${E2E_IDP_ARGS:-} \
		    >"$E2E_TMP/idp.out" 2>"$E2E_TMP/idp.err" &
		E2E_IDP_PID=$!
		e2e_on_exit "e2e_stop_pid $E2E_IDP_PID"
		if e2e_wait_say 90 "the test provider on $E2E_IDP_URL" \
		    e2e_idp_up_or_dead; then
			if e2e_idp_discovery >/dev/null 2>&1; then
				ms=$(e2e_json "$E2E_TMP/idp.out" \
				    "d['startup_ms']" 2>/dev/null)
				e2e_info "provider: $E2E_IDP_URL answered" \
				    "after $(($(e2e_now_ms) - t0)) ms" \
				    "(listening after ${ms:-?} ms)"
				return 0
			fi
		fi
		e2e_stop_pid "$E2E_IDP_PID"
		if ! grep -q EADDRINUSE "$E2E_TMP/idp.err"; then
			break
		fi
	done
	e2e_show "$E2E_TMP/idp.err" 30
	e2e_die "the test provider did not start"
}

e2e_idp_discovery()
{
	curl -fsS --max-time 10 \
	    "$E2E_IDP_URL/.well-known/openid-configuration"
}

e2e_idp_up_or_dead()
{
	e2e_pid_gone "$E2E_IDP_PID" || e2e_idp_discovery
}

# e2e_idp_token USER OUTFILE [TTL]: an access token for USER from the
# provider's token endpoint, written to OUTFILE (mode 0600).  The client
# secret goes to curl on standard input, never in its arguments.  The
# token response is kept in OUTFILE.response.
e2e_idp_token()
{
	secret=$(e2e_json "$E2E_IDP_USERS" \
	    "[u['secret'] for u in d['users'] if u['name'] == '$1'][0]") ||
	    return 1
	(
		umask 077
		{
			echo "user = \"login-$1:$secret\""
			echo 'data = "grant_type=client_credentials"'
			echo 'data = "scope=login"'
			if [ -n "${3:-}" ]; then
				echo "data = \"ttl=$3\""
			fi
		} | curl -sS --max-time 30 -K - -o "$2.response" \
		    -w '%{http_code}' "$E2E_IDP_URL/token" >"$2.status"
	) || return 1
	if [ "$(cat "$2.status")" != 200 ]; then
		echo "token endpoint: HTTP $(cat "$2.status"):" \
		    "$(cat "$2.response")" >&2
		return 1
	fi
	(umask 077 && e2e_json "$2.response" "d['access_token']" >"$2")
}

# --- sshd -----------------------------------------------------------------

# e2e_pam_service NAME: write /etc/pam.d/NAME from standard input, marked
# as the test's and removed at exit (call it in the script's own shell,
# not at the end of a pipeline, or the removal is lost).  A leftover of an
# interrupted run is replaced; any other file of that name stops the test.
e2e_pam_service()
{
	E2E_PAM_FILE=/etc/pam.d/$1
	if [ -e "$E2E_PAM_FILE" ] &&
	    [ "$(head -n 1 "$E2E_PAM_FILE")" != "$E2E_PAM_MARK" ]; then
		e2e_die "$E2E_PAM_FILE exists and is not a test service"
	fi
	e2e_on_exit "e2e_pam_service_del '$E2E_PAM_FILE'"
	{
		echo "$E2E_PAM_MARK"
		cat
	} >"$E2E_PAM_FILE.tmp" || e2e_die "cannot write $E2E_PAM_FILE"
	chmod 0644 "$E2E_PAM_FILE.tmp"
	mv -f "$E2E_PAM_FILE.tmp" "$E2E_PAM_FILE" ||
	    e2e_die "cannot write $E2E_PAM_FILE"
}

e2e_pam_service_del()
{
	if [ "$(head -n 1 "$1" 2>/dev/null)" = "$E2E_PAM_MARK" ]; then
		rm -f "$1"
	fi
}

# e2e_pam_stack CONF: the PAM stack of the sshd tests: pam_jwt in every
# stage (the build's module, by absolute path), pam_unix for the session.
e2e_pam_stack()
{
	cat <<EOF
auth	required	$E2E_MODULE config=$1
account	required	$E2E_MODULE config=$1
session	required	pam_unix.so
session	required	$E2E_MODULE config=$1
EOF
}

# e2e_sshd_start SERVICE USER...: a real sshd on a free loopback port,
# keyboard-interactive through PAM only, letting in only USERs.  It runs
# from a symlink named SERVICE, since sshd takes its PAM service name from
# the name it was started as.  Sets E2E_SSHD_PORT and E2E_SSHD_PID.
e2e_sshd_start()
{
	service=$1
	shift
	d=$E2E_TMP/sshd
	mkdir -p "$d" && chmod 0700 "$d"
	if [ ! -d /run/sshd ]; then
		install -d -m 0755 -o root -g root /run/sshd
		e2e_on_exit "rmdir /run/sshd"
	fi
	ssh-keygen -q -t ed25519 -N '' -C e2e -f "$d/host_ed25519" ||
	    e2e_die "ssh-keygen failed"
	ln -sf /usr/sbin/sshd "$d/$service"
	for _ in 1 2 3; do
		E2E_SSHD_PORT=$(e2e_free_port) || e2e_die "no free port"
		cat >"$d/sshd_config" <<EOF
ListenAddress 127.0.0.1:$E2E_SSHD_PORT
HostKey $d/host_ed25519
PidFile $d/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
HostbasedAuthentication no
GSSAPIAuthentication no
AuthenticationMethods keyboard-interactive
AuthorizedKeysFile none
PermitRootLogin no
AllowUsers $*
MaxAuthTries 3
LoginGraceTime 60
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
LogLevel VERBOSE
EOF
		"$d/$service" -t -f "$d/sshd_config" >"$d/sshd-t.log" 2>&1 || {
			e2e_show "$d/sshd-t.log"
			e2e_die "sshd -t refused the test configuration"
		}
		"$d/$service" -D -e -f "$d/sshd_config" >"$d/sshd.log" 2>&1 &
		E2E_SSHD_PID=$!
		e2e_on_exit "e2e_stop_pid $E2E_SSHD_PID"
		if e2e_wait_say 60 "sshd on 127.0.0.1:$E2E_SSHD_PORT" \
		    e2e_sshd_up_or_dead &&
		    ! e2e_pid_gone "$E2E_SSHD_PID"; then
			e2e_info "sshd: listening on" \
			    "127.0.0.1:$E2E_SSHD_PORT (PAM service $service)"
			return 0
		fi
		e2e_stop_pid "$E2E_SSHD_PID"
		if ! grep -q 'Address already in use' "$d/sshd.log"; then
			break
		fi
	done
	e2e_show "$d/sshd.log" 30
	e2e_die "sshd did not start"
}

e2e_sshd_up_or_dead()
{
	e2e_pid_gone "$E2E_SSHD_PID" || e2e_port_open "$E2E_SSHD_PORT"
}

# e2e_prompts USER TOKENFILE: the prompts a login with the token in
# TOKENFILE must see, one a line: "JWT: ", then "JWT (part N): " for each
# further part of at most 511 characters, as the ssh client shows them.
e2e_prompts()
{
	len=$(tr -d ' \t\r\n' <"$2" | wc -c)
	echo "($1@127.0.0.1) JWT: "
	n=2
	while [ $(((n - 1) * 511)) -lt "$len" ]; do
		echo "($1@127.0.0.1) JWT (part $n): "
		n=$((n + 1))
	done
}

# e2e_ssh USER TOKENFILE COMMAND...: log in as USER through the test
# sshd by keyboard-interactive, the real ssh client answering each prompt
# through SSH_ASKPASS = pam-jwt askpass --file TOKENFILE; run COMMAND.
# Sets E2E_SSH_RC, E2E_SSH_OUT and E2E_SSH_ERR (files), and
# E2E_SSH_PROMPTS (a file: one prompt per line, as askpass saw them).
e2e_ssh()
{
	user=$1
	tokenfile=$2
	shift 2
	E2E_SSH_OUT=$E2E_TMP/ssh.out
	E2E_SSH_ERR=$E2E_TMP/ssh.err
	E2E_SSH_PROMPTS=$E2E_TMP/ssh.prompts
	: >"$E2E_SSH_PROMPTS"
	askpass=$E2E_TMP/askpass
	cat >"$askpass" <<EOF
#!/bin/sh
# SSH_ASKPASS for the tests: note the prompt, answer from the token file.
for last; do :; done
printf '%s\n' "\$last" >>'$E2E_SSH_PROMPTS'
exec '$E2E_TOOL' askpass --file '$tokenfile' "\$@"
EOF
	chmod 0700 "$askpass"
	SSH_ASKPASS=$askpass SSH_ASKPASS_REQUIRE=force DISPLAY=${DISPLAY:-:0} \
	    timeout 120 ssh -F /dev/null -p "$E2E_SSHD_PORT" -l "$user" \
	    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	    -o GlobalKnownHostsFile=/dev/null \
	    -o PreferredAuthentications=keyboard-interactive \
	    -o BatchMode=no -o NumberOfPasswordPrompts=1 \
	    -o ConnectTimeout=30 -o LogLevel=ERROR \
	    127.0.0.1 "$@" </dev/null >"$E2E_SSH_OUT" 2>"$E2E_SSH_ERR"
	E2E_SSH_RC=$?
}
