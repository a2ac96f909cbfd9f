#!/usr/bin/env python3
# Benchmark, not run by ctest: start-to-READY and request round trip of the counter demo under a runtime command, with
# the script playing appd's relay. The p95 is dominated by the component's 10 ms idle sleep between recv polls.
#   tests/sdk/bench_app_roundtrip.py <build>/bin/weft-runtime org.weft.demo.counter 1 \
#       --module <build>/packages/org.weft.demo.counter/app.wasm
import os, socket, subprocess, sys, tempfile, time
path = os.path.join(tempfile.mkdtemp(prefix='weft-bench-'), 'ipc.sock')
s = socket.socket(socket.AF_UNIX); s.bind(path); s.listen(1)
r, w = os.pipe()
t0 = time.monotonic()
p = subprocess.Popen(sys.argv[1:] + ['--ipc-socket', path], pass_fds=(w,), env=dict(os.environ, WEFT_READY_FD=str(w), WEFT_READY_TOKEN='t'))
os.close(w)
c, _ = s.accept()
os.read(r, 64); t_ready = time.monotonic() - t0
f = c.makefile('rwb')
lat = []
for i in range(300):
    a = time.monotonic(); f.write(b'{"op":"increment"}\n'); f.flush(); f.readline(); lat.append(time.monotonic() - a)
p.kill()
lat.sort()
print(f"ready {t_ready*1000:.0f} ms; round trip p50 {lat[150]*1000:.2f} ms p95 {lat[285]*1000:.2f} ms (300 requests)")
