#!/usr/bin/env python3
"""Request round trip of a WEFT app under weft-runtime (issue 12: the todo JS app on AOT code vs the interpreter).
Starts `weft-runtime <id> 3 --module <component> --ipc-socket <sock> <runtime args…>` with a private data directory
preopened at /data, then times request lines over the relay socket: the first reply (launch: decode, instantiate,
the app's start) and N further round trips (median, fastest). Prints, asserts nothing.
Usage: app_round_trip.py <weft-runtime> <app id> <component.wasm> <N> '<request line>' [runtime args…]
e.g.   app_round_trip.py build/debug/bin/weft-runtime org.weft.demo.todo app.wasm 200 '{"op":"list"}' --engine aot"""
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

runtime, app_id, module, count, request = sys.argv[1:6]
extra = sys.argv[6:]
with tempfile.TemporaryDirectory() as tmp:
    os.makedirs(os.path.join(tmp, "data"))
    sock_path = os.path.join(tmp, "relay.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock_path)
    listener.listen(1)
    listener.settimeout(600)
    start = time.monotonic()
    child = subprocess.Popen([runtime, app_id, "3", "--module", module, "--ipc-socket", sock_path,
                              "--preopen", os.path.join(tmp, "data") + "::/data::rw"] + extra,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        conn, _ = listener.accept()
        conn.settimeout(600)
        reader = conn.makefile("rb")

        def ask():
            conn.sendall(request.encode() + b"\n")
            line = reader.readline()
            if not line:
                sys.exit("weft-runtime closed the relay socket")
            return line

        first = ask()
        launch = time.monotonic() - start
        times = []
        for _ in range(int(count)):
            t0 = time.perf_counter()
            ask()
            times.append(time.perf_counter() - t0)
        print(f"{app_id} {' '.join(extra) or '(default engine)'}: first reply {launch * 1000:.0f} ms after start "
              f"({first.decode().strip()[:60]}); {count} round trips: median {statistics.median(times) * 1e6:.0f} us, "
              f"fastest {min(times) * 1e6:.0f} us")
    finally:
        child.terminate()
        child.wait(timeout=30)
