#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""scripts/summarize.py, which prints scripts/test's last line, counts right:

- passes (OK, EXPECTEDFAIL) and failures (FAIL, TIMEOUT, ...) over several
  logs; the last line is exactly "N passed, N failed"; exit 1 on a failure;
- a SKIP outside CI counts neither way, and is named with its reason on a
  line before the last; with CI=true it is a failure (exit 1);
- a missing, empty or garbled log, and a runner that failed with no failed
  test, count as failures.

No root, no daemon."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUMMARIZE = os.path.join(ROOT, "scripts", "summarize.py")
failures = []


def check(ok, what, detail=""):
    print(("PASS " if ok else "FAIL ") + what + ("" if ok else f": {detail}"))
    if not ok:
        failures.append(what)


def summarize(args, ci):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "true"
    r = subprocess.run([sys.executable, SUMMARIZE] + args, env=env, capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout.splitlines(), r.stderr


def write_log(d, name, results):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        for r in results:
            f.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
    return path


def expect(what, args, ci, code, last, before=()):
    got_code, lines, err = summarize(args, ci)
    ok = got_code == code and lines[-1:] == [last] and all(b in lines[:-1] for b in before)
    check(ok, what, f"exit {got_code}, stdout {lines!r}, stderr {err!r}")


def main():
    with tempfile.TemporaryDirectory() as d:
        host = write_log(d, "host.json", [
            {"name": "ipctrace:unit / a", "result": "OK", "stdout": "all checks passed\n"},
            {"name": "ipctrace:e2e / b", "result": "EXPECTEDFAIL"},
            {"name": "ipctrace:e2e / c", "result": "OK"},
        ])
        vm = write_log(d, "vm.json", [{"name": "vm / signals", "result": "OK"}, ""])
        skipped = write_log(d, "skip.json", [
            {"name": "ipctrace:e2e / view", "result": "SKIP",
             "stdout": "starting\nSKIP: test_view: tmux is not installed\n"},
        ])
        failing = write_log(d, "fail.json", [
            {"name": "ipctrace:e2e / d", "result": "FAIL"},
            {"name": "ipctrace:e2e / e", "result": "TIMEOUT"},
        ])
        garbled = write_log(d, "garbled.json", ['{"name": "x", "result": "OK"}', "not json", '{"name": 3}'])
        empty = write_log(d, "empty.json", [])

        for ci in (False, True):
            expect(f"CI={ci}: passes over two logs", [host, vm], ci, 0, "4 passed, 0 failed")
        expect("CI unset: a skip is named with its reason, counted neither way", [host, skipped], False, 0,
               "3 passed, 0 failed", ["SKIP ipctrace:e2e / view: test_view: tmux is not installed"])
        expect("CI=true: a skip fails", [host, skipped], True, 1, "3 passed, 1 failed",
               ["FAIL ipctrace:e2e / view: skipped, and CI=true allows no skip: "
                "test_view: tmux is not installed"])
        expect("FAIL and TIMEOUT fail", [host, failing], False, 1, "3 passed, 2 failed",
               ["FAIL ipctrace:e2e / d: FAIL", "FAIL ipctrace:e2e / e: TIMEOUT"])
        expect("lines that are not results fail", [garbled], False, 1, "1 passed, 2 failed")
        expect("an empty log fails", [host, empty], False, 1, "3 passed, 1 failed")
        expect("a missing log fails", [host, os.path.join(d, "missing.json")], False, 1, "3 passed, 1 failed")
        expect("a runner that failed with no failed test fails", ["--status", "125", host], False, 1,
               "3 passed, 1 failed")
        expect("a runner's failure is not counted twice", ["--status", "1", failing], False, 1,
               "0 passed, 2 failed")
        expect("a guest that stopped before its end fails, whatever its log holds", ["--incomplete", vm, host, vm],
               True, 1, "4 passed, 1 failed",
               [f"FAIL {vm}: its runner stopped before the end; the tests it did not run are not counted"])
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
