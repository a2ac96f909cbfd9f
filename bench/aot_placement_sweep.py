#!/usr/bin/env python3
"""AOT code vs native on runtime_compute under extra compile flags and shifted code placement (issue 12).
Each configuration is a set of flags added to every compile of the generated C (a `cc` wrapper first in PATH, a
private AOT cache per configuration); `pad:N` in a configuration puts an N-byte function at the top of every
translation unit, which moves the functions gcc emits after it by N bytes without changing their code. The native
program and every configuration run in turn, ROUNDS times (load on a shared machine comes in bursts); each run is the
fastest of 20 inside the program, and the figures are the fastest over the rounds (median in brackets), as ratios to
native. Prints, asserts nothing.
Usage: aot_placement_sweep.py <build dir> <rounds> 'label=flags' …
e.g.   aot_placement_sweep.py build/release 8 base= pad32=pad:32 af64=-falign-functions=64 'af64+pad32=-falign-functions=64 pad:32'"""
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

build, rounds = sys.argv[1], int(sys.argv[2])
configs = [arg.split("=", 1) for arg in sys.argv[3:]]
fixtures = os.path.join(build, "tests/runtime/fixtures")
native = os.path.join(fixtures, "runtime_compute_native")
runtime = os.path.join(build, "bin/weft-runtime")
workloads = ("sha256", "fib", "nbody", "json")
cc = shutil.which("cc")


def parse(out):
    times = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[0] in workloads: times[fields[0]] = int(fields[2])  # ns
    if set(times) != set(workloads): sys.exit("runtime_compute printed no figures:\n" + out)
    return times


with tempfile.TemporaryDirectory() as tmp:
    os.makedirs(os.path.join(tmp, "ro"))
    with open(os.path.join(tmp, "ro/bench.txt"), "w") as f: f.write("4 27 50000 0 20\n")
    wrapper_dir = os.path.join(tmp, "bin")
    os.makedirs(wrapper_dir)
    with open(os.path.join(wrapper_dir, "cc"), "w") as f: f.write(f'#!/bin/sh\nexec {cc} "$@" $SWEEP_EXTRA_FLAGS\n')
    os.chmod(os.path.join(wrapper_dir, "cc"), 0o755)

    def flags_of(config):
        out = []
        for flag in config.split():
            if flag.startswith("pad:"):
                size = int(flag[4:])
                header = os.path.join(tmp, f"pad{size}.h")
                with open(header, "w") as f:  # `ret` is the function's last byte: size - 1 bytes of nop before it
                    f.write(f'__attribute__((used, noinline)) void sweep_pad(void) {{ __asm__ volatile(".skip {size - 1}, 0x90"); }}\n')
                out += ["-include", header]
            else:
                out.append(flag)
        return " ".join(out)

    def run_aot(config):
        flags = flags_of(config)
        cache = os.path.join(tmp, "cache-" + hashlib.sha256(flags.encode()).hexdigest()[:12])
        env = dict(os.environ, PATH=wrapper_dir + ":" + os.environ["PATH"], SWEEP_EXTRA_FLAGS=flags)
        result = subprocess.run([runtime, "org.bench.app", "s1", "--module", os.path.join(fixtures, "runtime_compute.wasm"),
                                 "--preopen", os.path.join(tmp, "ro") + "::/ro::ro", "--engine", "aot", "--aot-cache", cache],
                                capture_output=True, text=True, env=env, timeout=600)
        return parse(result.stdout + result.stderr)

    for _, config in configs: run_aot(config)  # compiles each configuration once, outside the rounds
    runs = {"native": []} | {label: [] for label, _ in configs}
    for _ in range(rounds):
        runs["native"].append(parse(subprocess.run([native, "4", "27", "50000", "0", "20"], capture_output=True,
                                                   text=True, timeout=600).stdout))
        for label, config in configs: runs[label].append(run_aot(config))
    fastest_native = {w: min(r[w] for r in runs["native"]) for w in workloads}
    median_native = {w: statistics.median(r[w] for r in runs["native"]) for w in workloads}
    with open("/proc/loadavg") as f: load = " ".join(f.read().split()[:3])
    print(f"load {load}; native fastest: " + ", ".join(f"{w} {fastest_native[w] / 1e6:.3f} ms" for w in workloads))
    for label, _ in configs:
        cells = [f"{w} {min(r[w] for r in runs[label]) / fastest_native[w]:.3f}x "
                 f"({statistics.median(r[w] for r in runs[label]) / median_native[w]:.2f})" for w in workloads]
        print(f"{label:24s} " + "  ".join(cells), flush=True)
