#!/usr/bin/env python3
"""Answer a PAM program's prompts one at a time, as a person would.

Usage: feed.py ANSWERS PROMPTS -- COMMAND [ARGUMENT]...

Runs COMMAND with its standard input and error on pipes.  Each time its
standard error ends in a pam_jwt prompt ("JWT: ", "JWT (part N): ") the
next line of ANSWERS is written to it; with no answer left, standard input
is closed.  The prompts seen are written to PROMPTS, one a line, and
COMMAND's standard error is passed on.  The exit status is COMMAND's, or
124 when it ran longer than 60 seconds.

pamtester's conversation (libpam_misc) reads an answer with a single
read(2), so answers written all at once would arrive as one; this waits
for each prompt instead.
"""
import os
import re
import select
import subprocess
import sys
import time

PROMPT = re.compile(rb"(JWT(?: \(part [0-9]+\))?: )$")
TIMEOUT = 60


def main():
    answers_path, prompts_path = sys.argv[1], sys.argv[2]
    command = sys.argv[sys.argv.index("--") + 1:]
    with open(answers_path, "rb") as f:
        answers = f.read().split(b"\n")
    if answers and answers[-1] == b"":
        answers.pop()

    child = subprocess.Popen(command, stdin=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    fd = child.stderr.fileno()
    pending = b""
    seen = []
    deadline = time.monotonic() + TIMEOUT
    timed_out = False
    while True:
        left = deadline - time.monotonic()
        ready = select.select([fd], [], [], max(left, 0))[0]
        if not ready:
            timed_out = True
            child.kill()
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        sys.stderr.buffer.write(chunk)
        pending += chunk
        match = PROMPT.search(pending)
        if match is None:
            continue
        seen.append(match.group(1))
        pending = b""
        try:
            if answers:
                child.stdin.write(answers.pop(0) + b"\n")
                child.stdin.flush()
            else:
                child.stdin.close()
        except (BrokenPipeError, ValueError):
            pass
    rc = child.wait()
    with open(prompts_path, "wb") as f:
        f.write(b"".join(p + b"\n" for p in seen))
    sys.exit(124 if timed_out else rc)


if __name__ == "__main__":
    main()
