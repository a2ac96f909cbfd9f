#!/usr/bin/env python3
# STAND-IN for weft-runtime (tests only): a component whose relay behaviour a test scripts, for faults the real
# counter never produces (a component that stops reading, or that sends an overlong or non-UTF-8 line). appd starts it
# exactly as the real runtime (`<app_id> <sid> --module M --ipc-socket P …`, WEFT_READY_FD, WEFT_READY_TOKEN; spec
# §3.4 step 9): it connects to the relay socket, reports readiness, then echoes every line back, except these
# commands (whole lines):
#   {"standin":"stop-reading"}  never reads the relay again (appd's relay queue toward it fills up)
#   {"standin":"overlong"}      sends one line of 64 KiB + 1 byte (over the relay's payload limit)
#   {"standin":"not-utf8"}      sends one line that is not UTF-8
# It exits 0 at the relay's EOF; SIGTERM ends it.
import os
import socket
import sys
import time

MAX_PAYLOAD_BYTES = 64 * 1024  # the relay's line limit (weft/core/ipc/bridge.hpp kMaxPayloadBytes)

relay_path = sys.argv[sys.argv.index("--ipc-socket") + 1]
relay = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
relay.connect(relay_path)
ready_fd = int(os.environ["WEFT_READY_FD"])
os.write(ready_fd, ("READY %s\n" % os.environ["WEFT_READY_TOKEN"]).encode())
os.close(ready_fd)

for line in relay.makefile("rb"):
    line = line.rstrip(b"\n")
    if line == b'{"standin":"stop-reading"}':
        while True:
            time.sleep(3600)
    elif line == b'{"standin":"overlong"}':
        relay.sendall(b"x" * (MAX_PAYLOAD_BYTES + 1) + b"\n")
    elif line == b'{"standin":"not-utf8"}':
        relay.sendall(b'{"text":"\xff\xfe"}\n')
    else:
        relay.sendall(line + b"\n")
