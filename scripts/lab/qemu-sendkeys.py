#!/usr/bin/env python3
"""Send keys to a QEMU human monitor on a unix socket: qemu-sendkeys.py SOCKET KEY [KEY...]."""
import socket, sys, time

def until_prompt(s):
    buf = b""
    while not buf.rstrip().endswith(b"(qemu)"):
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf.decode(errors="replace")

s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
until_prompt(s)
for key in sys.argv[2:]:
    s.sendall(f"sendkey {key}\n".encode())
    print(repr(until_prompt(s)))
    time.sleep(0.5)
s.close()
