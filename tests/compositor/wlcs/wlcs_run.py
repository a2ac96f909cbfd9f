#!/usr/bin/env python3
"""Runs the WLCS conformance suite against one integration module and reports per-test results.

Every test ends as pass, fail or skip. A module that crashes or hangs costs only the test that was running: that test
counts as failed (with the reason) and the runner starts again with the tests not yet run. Suites run as separate
runner processes (in parallel with --jobs) because one compositor per process is what WLCS expects, and because
Mir's module cannot run the whole suite in one process (its event loop runs out of signal fds).

  wlcs_run.py --module M [--filter 'A.*:B.*'] [--shard I/N] [--jobs N] [--timeout S] [--json OUT]
              [--expected FILE --check]   # fail on any failure not listed, and on any listed test that passes

Each runner gets a private XDG_RUNTIME_DIR (the compositor opens its listening socket there).
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
import time

RUNNER = "/usr/lib/x86_64-linux-gnu/wlcs/wlcs"
RESULT_LINE = re.compile(r"^\[\s*(OK|FAILED|SKIPPED|SKIP)\s*\] ([^\s,]+)")
NOISE = re.compile(r"drmGetDevices2|output HEADLESS|^unknown file: Failure$|^\[\s*\]\s*$")
RUN_LINE = re.compile(r"^\[ RUN\s*\] (\S+)")


def list_tests(runner, module, gtest_filter):
    out = subprocess.run([runner, module, "--gtest_list_tests", "--gtest_filter=" + gtest_filter],
                         capture_output=True, text=True, timeout=60).stdout
    tests, suite = [], None
    for line in out.splitlines():
        if not line.strip() or line.startswith("Running main"):
            continue
        name = line.split("#")[0].strip()
        if not line.startswith(" "):
            suite = name
        elif suite and "DISABLED_" not in suite + name:  # gtest runs disabled tests only on request
            tests.append(suite + name)
    return tests


def run_once(runner, module, tests, timeout):
    """Runs `tests` in one process; returns ({test: (result, detail)}, the test that was running when it died)."""
    env = dict(os.environ)
    runtime_dir = tempfile.mkdtemp(prefix="wlcs-xdg-")  # 0700, as libwayland requires
    env["XDG_RUNTIME_DIR"] = runtime_dir
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("DISPLAY", None)
    proc = subprocess.Popen([runner, module, "--gtest_filter=" + ":".join(tests)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        died = proc.returncode not in (0, 1)
        why = f"runner exited with {proc.returncode}"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out, _ = proc.communicate()
        died, why = True, f"timed out after {timeout} s"
    finally:
        subprocess.run(["rm", "-rf", runtime_dir])
    results, running, said = {}, None, []
    for line in out.splitlines():
        if m := RUN_LINE.match(line):
            running, said = m.group(1), []
        elif (m := RESULT_LINE.match(line)) and m.group(2) == running:
            result = {"OK": "pass", "FAILED": "fail", "SKIPPED": "skip", "SKIP": "skip"}[m.group(1)]
            # The first thing the test said about itself: the failure, or why it was skipped.
            results[running] = (result, said[0][:200] if said and result != "pass" else "")
            running = None
        elif running and line.strip() and not NOISE.search(line):
            said.append(line.strip())
    if died and running:
        results[running] = ("fail", why)
    elif died and not results:
        results[tests[0]] = ("fail", why)
    return results


def run_suite(runner, module, tests, timeout):
    results, remaining = {}, list(tests)
    while remaining:
        # WLCS waits up to 10 s for an event before failing a test: a runner process may take that long per test
        # before it counts as hung.
        got = run_once(runner, module, remaining, timeout + 11 * len(remaining))
        if not got:  # nothing ran at all: give up on the rest
            for t in remaining:
                results[t] = ("fail", "runner produced no result")
            break
        results.update(got)
        remaining = [t for t in remaining if t not in results]
    return results


def read_expected(path):
    """The expected-failures list: {test: reason}."""
    expected = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.partition("#")
            expected[name.strip()] = reason.strip()
    return expected


def suite_of(test):
    return test.rsplit(".", 1)[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", default=RUNNER)
    ap.add_argument("--module", required=True)
    ap.add_argument("--filter", default="*")
    ap.add_argument("--shard", default="1/1", help="I/N: the I-th of N shards of about equal size")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=60,
                    help="seconds a runner process may take beyond 11 s per test before it counts as hung")
    ap.add_argument("--json", help="write {test: [result, detail]} here")
    ap.add_argument("--expected", help="expected-failures list: one test per line, then ' # reason'")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--skip-listed-timeouts", action="store_true",
                    help="leave out listed tests whose reason starts with 'times out' (each costs WLCS's 10 s wait; "
                         "the CI check uses this, scripts/wlcs-compare runs everything)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()

    started = time.monotonic()
    expected = read_expected(args.expected) if args.expected else {}
    tests = list_tests(args.runner, args.module, args.filter)
    left_out = []
    if args.skip_listed_timeouts:
        left_out = [t for t in tests if expected.get(t, "").startswith("times out")]
        tests = [t for t in tests if t not in set(left_out)]
    if not tests:
        print(f"no WLCS tests match {args.filter}", file=sys.stderr)
        return 2
    # One runner process per suite, but a suite of more than 60 tests is cut into even pieces (the 224 layer-layout
    # cases would otherwise make their shard as long as the other three together); pieces go to the shard with the
    # fewest tests so far, largest first, so every shard gets about a quarter.
    index, count = (int(x) for x in args.shard.split("/"))
    by_suite = {}
    for t in sorted(tests):
        by_suite.setdefault(suite_of(t), []).append(t)
    pieces = []
    for name, members in sorted(by_suite.items()):
        parts = -(-len(members) // 60)
        pieces += [members[i::parts] for i in range(parts)]
    shards = [[] for _ in range(count)]
    for piece in sorted(pieces, key=lambda p: (-len(p), p[0])):
        min(shards, key=lambda sh: (sum(map(len, sh)), shards.index(sh))).append(piece)
    suites = {piece[0]: piece for piece in shards[index - 1]}
    tests = [t for piece in suites.values() for t in piece]
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for got in pool.map(lambda ts: run_suite(args.runner, args.module, ts, args.timeout), suites.values()):
            results.update(got)
    elapsed = time.monotonic() - started

    counts = {"pass": 0, "fail": 0, "skip": 0}
    for result, _ in results.values():
        counts[result] += 1
    print(f"WLCS {os.path.basename(args.module)} [{args.filter}, shard {args.shard}]: {len(results)} tests, {counts['pass']} passed, "
          f"{counts['fail']} failed, {counts['skip']} skipped in {elapsed:.1f} s")
    if left_out:
        print(f"left out {len(left_out)} listed tests that time out (scripts/wlcs-compare runs them)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)

    if not args.check:
        return 0
    problems = []
    for test, (result, detail) in sorted(results.items()):
        if result == "fail" and test not in expected:
            problems.append(f"NEW FAILURE  {test} {detail}")
        elif result == "pass" and test in expected:
            problems.append(f"NOW PASSES   {test} (remove it from {os.path.basename(args.expected)})")
    listed_here = [t for t in expected if t in results]
    if not args.quiet:
        for test in listed_here:
            if results[test][0] == "fail":
                print(f"expected failure  {test}  # {expected[test]}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
