#!/bin/sh
# The helper's systemd units, sysusers.d and tmpfiles.d entries, checked
# by systemd's own tools without systemd running: "systemd-analyze verify"
# on the service (as built, its ExecStart pointed at the built daemon) and
# the socket; "systemd-sysusers" and, as root, "systemd-tmpfiles" into a
# scratch root folder.
#
# What it pins: the built service names the installed daemon and has no
# placeholder left; systemd finds nothing to say about the units (no
# unknown key, no bad value), and a unit whose daemon is missing is
# refused (the check can fail); the hardening settings; the socket's path
# and modes; the user "pam-jwt" and its state folder, 0700 and its own.
#
# Skipped (77) without systemd-analyze (package systemd).

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

pj_init units

command -v systemd-analyze >/dev/null 2>&1 ||
	pj_skip "systemd-analyze not found (package systemd)"

UNITS=$top_srcdir/conf/systemd
BUILT=$top_builddir/conf/systemd/pam_jwt_helperd.service
HELPERD=$top_builddir/pam_jwt_helperd
[ -f "$BUILT" ] || pj_error "$BUILT is missing: run make"
[ -x "$HELPERD" ] || pj_error "$HELPERD is missing: run make"

# --- the service as built --------------------------------------------------

EXEC=$(sed -n 's/^ExecStart=//p' "$BUILT")
pj_expect "built: ExecStart" "yes" "$(case $EXEC in
    /*/pam_jwt_helperd\ --foreground) echo yes ;; *) echo "$EXEC" ;;
    esac)"
pj_expect "built: no placeholder left" "" "$(grep -n '@[a-z_]*@' "$BUILT")"

# The units as systemd reads them: in one folder, the daemon the built one.
U=$PJ_TMP/units
mkdir "$U"
sed "s|^ExecStart=[^ ]*|ExecStart=$HELPERD|" "$BUILT" \
    >"$U/pam_jwt_helperd.service"
cp "$UNITS/pam_jwt_helperd.socket" "$U/"
chmod 0755 "$PJ_TMP" "$U"

# verify DIR: systemd-analyze verify on DIR's service and socket; sets RC
# and OUT (standard output and error).
verify()
{
	OUT=$(cd "$1" && systemd-analyze verify --man=no \
	    ./pam_jwt_helperd.service ./pam_jwt_helperd.socket 2>&1)
	RC=$?
}

verify "$U"
pj_expect "verify: exit" 0 "$RC"
pj_expect "verify: nothing to say" "" "$OUT"

# The same check refuses a service whose daemon does not exist.
B=$PJ_TMP/bad
mkdir "$B"
sed "s|^ExecStart=[^ ]*|ExecStart=$PJ_TMP/nothing/pam_jwt_helperd|" \
    "$BUILT" >"$B/pam_jwt_helperd.service"
cp "$UNITS/pam_jwt_helperd.socket" "$B/"
verify "$B"
pj_expect "verify: a missing daemon is refused" "1 yes" "$RC $(case $OUT in
    *"$PJ_TMP/nothing/pam_jwt_helperd is not executable"*) echo yes ;;
    *) echo "$OUT" ;; esac)"

# --- what the units say ----------------------------------------------------

# settings FILE: the KEY=VALUE lines of FILE, comments left out, sorted.
settings()
{
	grep '^[A-Za-z]*=' "$1" | LC_ALL=C sort
}

pj_expect "service: settings" "After=pam_jwt_helperd.socket \
network-online.target
Also=pam_jwt_helperd.socket
AmbientCapabilities=
CapabilityBoundingSet=
Description=pam_jwt helper daemon (token renewal, key set upkeep)
Documentation=man:pam_jwt_helperd(8)
ExecStart=$HELPERD --foreground
Group=pam-jwt
LoadCredentialEncrypted=token-key:/etc/credstore.encrypted/\
pam_jwt.token-key
LockPersonality=yes
MemoryDenyWriteExecute=yes
NoNewPrivileges=yes
PrivateDevices=yes
PrivateTmp=yes
ProtectClock=yes
ProtectControlGroups=yes
ProtectHome=yes
ProtectHostname=yes
ProtectKernelLogs=yes
ProtectKernelModules=yes
ProtectKernelTunables=yes
ProtectSystem=strict
RemoveIPC=yes
Requires=pam_jwt_helperd.socket
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
StateDirectory=pam_jwt
StateDirectoryMode=0700
SystemCallArchitectures=native
SystemCallErrorNumber=EPERM
SystemCallFilter=@system-service
Type=simple
UMask=0077
User=pam-jwt
Wants=network-online.target" "$(settings "$U/pam_jwt_helperd.service")"

pj_expect "socket: settings" "Description=pam_jwt helper daemon socket
DirectoryMode=0755
Documentation=man:pam_jwt_helperd(8)
ListenStream=/run/pam_jwt/helper.sock
RemoveOnStop=yes
SocketMode=0666
WantedBy=sockets.target" "$(settings "$U/pam_jwt_helperd.socket")"

# --- the user and its state folder -----------------------------------------

if ! command -v systemd-sysusers >/dev/null 2>&1; then
	echo "SKIP: sysusers.d: systemd-sysusers not found (package systemd)"
	pj_finish
fi

OUT=$(systemd-sysusers --dry-run --root="$PJ_TMP/dry" \
    "$UNITS/pam_jwt.sysusers" 2>&1)
pj_expect "sysusers: dry run" "0 yes" "$? $(printf '%s\n' "$OUT" |
    grep -q "^Creating user 'pam-jwt' (pam_jwt helper daemon) with UID" &&
    echo yes || echo "$OUT")"

if [ "$(id -u)" != 0 ] || ! command -v systemd-tmpfiles >/dev/null 2>&1
then
	echo "SKIP: tmpfiles.d: needs root and systemd-tmpfiles"
	pj_finish
fi
R=$PJ_TMP/root
mkdir -p "$R/etc"
systemd-sysusers --root="$R" "$UNITS/pam_jwt.sysusers" >/dev/null 2>&1
pj_expect "sysusers: exit" 0 "$?"
ENTRY=$(grep '^pam-jwt:' "$R/etc/passwd")
ID=$(printf '%s\n' "$ENTRY" | cut -d: -f3)
pj_expect "sysusers: the user" "pam-jwt:x:$ID:$ID:pam_jwt helper\
 daemon:/var/lib/pam_jwt:/usr/sbin/nologin" "$ENTRY"
systemd-tmpfiles --create --root="$R" "$UNITS/pam_jwt.tmpfiles" \
    >"$PJ_TMP/tmpfiles.out" 2>&1
pj_expect "tmpfiles: exit" 0 "$?"
pj_expect "tmpfiles: nothing to say" "" "$(cat "$PJ_TMP/tmpfiles.out")"
pj_expect "tmpfiles: state folder" "directory 700 $ID $ID" \
    "$(stat -c '%F %a %u %g' "$R/var/lib/pam_jwt")"

pj_finish
