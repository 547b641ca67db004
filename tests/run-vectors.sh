#!/bin/sh
#
# Every case of tests/vectors/cases.jsonl through "pam-jwt verify", as
# tests/vectors/README.md says: the token on standard input, the case's
# configuration written beside a copy of the keys, --now and --user from
# the case.  Exit 0 is accept, 1 reject; 2 (configuration refused) counts
# as reject only where the case sets config_error_ok, so a harness whose
# key paths are wrong cannot pass.  Anything else is a failure.
#
# A verdict that differs from "expect" (and "also_ok") is a failure.  A
# refusal whose reason differs from the case's "reason" is only reported:
# the README asks reasons to match in spirit.

set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
tool=$top_builddir/pam-jwt
vectors=$top_srcdir/tests/vectors

if ! command -v python3 >/dev/null 2>&1; then
	echo "vectors: python3 is needed to read the cases; skipped"
	exit 77
fi
if [ ! -x "$tool" ]; then
	echo "vectors: $tool is not built"
	exit 99
fi

umask 022
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pam_jwt-vectors.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# The key files as a deployment would hold them: the folder and public
# keys writable by their owner only, the HMAC secrets readable by him only.
mkdir "$tmp/keys" || exit 99
cp "$vectors"/keys/* "$tmp/keys/" || exit 99
chmod 0755 "$tmp" "$tmp/keys"
chmod 0644 "$tmp"/keys/*
chmod 0600 "$tmp"/keys/*.key

python3 - "$tool" "$vectors/cases.jsonl" "$tmp" <<'EOF'
import json
import os
import subprocess
import sys

tool, cases_path, tmp = sys.argv[1:4]
conf = os.path.join(tmp, "pam_jwt.conf")

with open(cases_path, encoding="utf-8") as f:
    cases = [json.loads(line) for line in f if line.strip()]

right = 0
notes = 0
for c in cases:
    with open(conf, "w", encoding="utf-8") as f:
        f.write(c["config"])
    os.chmod(conf, 0o644)
    argv = [tool, "verify", "--config", conf, "--now", str(c["now"])]
    if c["user"] is not None:
        argv += ["--user", c["user"]]
    argv.append("-")
    try:
        p = subprocess.run(argv, input=c["token"].encode("utf-8"),
                           capture_output=True, timeout=60)
        rc = p.returncode
        err = p.stderr.decode("utf-8", "replace").strip()
    except subprocess.TimeoutExpired:
        rc, err = "timeout", ""

    if rc == 0:
        verdict = "accept"
    elif rc == 1:
        verdict = "reject"
    elif rc == 2 and c.get("config_error_ok"):
        verdict = "reject"
    else:
        verdict = "exit %s" % rc

    wanted = [c["expect"]] + ([c["also_ok"]] if c.get("also_ok") else [])
    if verdict not in wanted:
        print("MISMATCH %s: expected %s, got %s (%s)" %
              (c["id"], " or ".join(wanted), verdict, err[:300]))
        continue
    right += 1

    if rc == 1 and c.get("reason"):
        got = err.split(":")[1].strip() if err.startswith("refused:") \
            else ""
        if got != c["reason"]:
            notes += 1
            print("note %s: reason %s, the case says %s" %
                  (c["id"], got or "(none)", c["reason"]))

print("vectors: %d of %d right" % (right, len(cases)))
if notes:
    print("vectors: %d refusal(s) with another reason than the case's" %
          notes)
sys.exit(0 if cases and right == len(cases) else 1)
EOF
