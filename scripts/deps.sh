# Shell library for scripts/demo and scripts/test-all: installs the Debian
# packages pam_jwt needs to build and test, only those missing.
# Sourced, not run.

PJ_BUILD_DEPS="autoconf automake libtool pkg-config make gcc
	libssl-dev libjson-c-dev libinih-dev libpam0g-dev libsqlite3-dev
	libcurl4-openssl-dev"
PJ_TEST_DEPS="libcmocka-dev pamtester libpam-wrapper openssh-server
	openssh-client sudo valgrind python3 clang curl ca-certificates
	passwd procps systemd"

# pj_install_packages PKG...: apt-get install what is not installed yet.
pj_install_packages()
{
	missing=
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'ok installed'; then
			missing="$missing $p"
		fi
	done
	if [ -z "$missing" ]; then
		return 0
	fi
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null &&
	    apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# pj_install_node: the provider needs node and npm.  Use the ones on the
# PATH; only a machine without node gets Debian's.
pj_install_node()
{
	if ! command -v node >/dev/null 2>&1; then
		pj_install_packages nodejs npm
		return
	fi
	if ! command -v npm >/dev/null 2>&1; then
		echo "node is installed without npm: install the npm that" \
		    "comes with this node" >&2
		return 1
	fi
}

# pj_build DIR [CONFIGURE-ARGS...]: configure and build in DIR.
pj_build()
{
	dir=$1
	shift
	if [ ! -x "$PJ_TOP/configure" ]; then
		(cd "$PJ_TOP" && ./autogen.sh >/dev/null 2>&1) || return 1
	fi
	mkdir -p "$dir" &&
	    (cd "$dir" &&
	    "$PJ_TOP/configure" --sysconfdir=/etc "$@" >configure.out 2>&1 &&
	    make -j2 >make.out 2>&1) || {
		tail -n 30 "$dir/configure.out" "$dir/make.out" 2>/dev/null
		return 1
	}
}
