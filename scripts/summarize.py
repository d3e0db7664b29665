#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Counts test results and prints the one line CI reads: "N passed, N failed".

Usage: summarize.py [--status N] [--incomplete LOG...] LOG [LOG...]

Each LOG holds one JSON object per line, as meson writes testlog.json:
{"name": ..., "result": "OK" | "FAIL" | "SKIP" | ..., "stdout": ...}; other
runners (tests run inside a virtual machine) write the same. OK and
EXPECTEDFAIL pass; every other result fails, and so does a LOG that is
missing, empty or not JSON lines. A SKIP (exit 77) is allowed only outside
CI: with CI=true it counts as failed. Each skipped or failed test is named,
with the reason a skip gave, on a line before the last.

--status is the exit status of what ran the tests: non-zero while no test
failed counts as one failure (it failed outside any test). --incomplete
LOG (repeatable) says that the runner of LOG stopped before its end (a
guest of the kernel matrix that hung or died): the tests it did not run are
in no log, so it counts as one failure, whatever LOG holds.
Exits 1 when anything failed, else 0.
"""
import argparse
import json
import os
import sys

PASS = ("OK", "EXPECTEDFAIL")


def skip_reason(result):
    """The SKIP line the test printed (e2e tests print "SKIP: test: why"), else its last line."""
    lines = [line.strip() for key in ("stdout", "stderr") for line in (result.get(key) or "").splitlines()]
    lines = [line for line in lines if line]
    for line in reversed(lines):
        if line.startswith("SKIP"):
            return line[4:].lstrip(": ") or "no reason given"
    return lines[-1] if lines else "no reason given"


def read_results(path):
    """The results in one log, and the problems that make it untrustworthy (each a failure)."""
    results, problems = [], []
    try:
        with open(path) as f:
            text = f.read()
    except OSError as ex:
        return [], [f"{path}: no results ({ex.strerror})"]
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except ValueError:
            r = None
        if not isinstance(r, dict) or not isinstance(r.get("name"), str) or not isinstance(r.get("result"), str):
            problems.append(f"{path}:{n}: not a result object")
            continue
        results.append(r)
    if not results and not problems:
        problems.append(f"{path}: no results")
    return results, problems


def main(argv):
    ap = argparse.ArgumentParser(description="Count test results: N passed, N failed.")
    ap.add_argument("--status", type=int, default=0, help="exit status of the test runner")
    ap.add_argument("--incomplete", action="append", default=[], metavar="LOG",
                    help="a log whose runner stopped before its end (one failure)")
    ap.add_argument("logs", nargs="+", metavar="LOG")
    a = ap.parse_args(argv)
    ci = os.environ.get("CI") == "true"

    passed, failed, notes = 0, 0, []
    for path in a.logs:
        results, problems = read_results(path)
        failed += len(problems)
        notes += [f"FAIL {p}" for p in problems]
        for r in results:
            if r["result"] in PASS:
                passed += 1
            elif r["result"] == "SKIP" and not ci:
                notes.append(f"SKIP {r['name']}: {skip_reason(r)}")
            elif r["result"] == "SKIP":
                failed += 1
                notes.append(f"FAIL {r['name']}: skipped, and CI=true allows no skip: {skip_reason(r)}")
            else:
                failed += 1
                notes.append(f"FAIL {r['name']}: {r['result']}")
    for path in a.incomplete:
        failed += 1
        notes.append(f"FAIL {path}: its runner stopped before the end; the tests it did not run are not counted")
    if a.status and not failed:
        failed = 1
        notes.append(f"FAIL the test runner exited {a.status} although no test failed")
    for line in notes:
        print(line)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
