#!/usr/bin/env python3
"""Collect syslog datagrams for the PAM tests.

Usage: loglisten.py SOCKET FILE PID

Binds a datagram socket at SOCKET (what syslog(3) writes to), makes it
writable by everyone, and appends each message to FILE, one a line, until
killed or until process PID (the test) is gone.  The module logs through
pam_syslog, so its decision lines arrive here exactly as a syslog daemon
would receive them.
"""
import os
import socket
import sys


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main():
    path, out_path, parent = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)
    sock.settimeout(1.0)
    with open(out_path, "ab", buffering=0) as out:
        while alive(parent):
            try:
                data = sock.recv(65536)
            except socket.timeout:
                continue
            out.write(data.rstrip(b"\0\n") + b"\n")
    if path == "/dev/log":
        os.unlink(path)


if __name__ == "__main__":
    main()
