#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/breakdown.py measures what it says: a short run of two workloads,
untraced and by `ipctrace run --count` and text. Each traced run saw
exactly the events the workload counts it made, 0 lost, so the margin
that every per-event figure is divided by is the workload's own; an
untraced run charges nothing to the BPF programs or the daemon, a traced
one does; and the table has a row per workload and variant. Needs root
(BPF): exit 77 without it, except under CI=true, where it fails."""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchlib as B  # noqa: E402
CASES = ["pipe_pingpong", "signal_pingpong"]
VARIANTS = ["count", "text"]

failures = []


def check(what, ok, detail=""):
    if not ok:
        failures.append("%s %s" % (what, detail))


def main():
    code = B.root_or_exit_code("test_breakdown")
    if code is not None:
        return code
    with tempfile.TemporaryDirectory(prefix="breakdown-test-") as tmp:
        out = os.path.join(tmp, "runs.json")
        r = subprocess.run([sys.executable, os.path.join(HERE, "breakdown.py"), "--reps", "1", "--ops-scale", "0.02",
                            "--only", ",".join(CASES), "--variants", ",".join(VARIANTS), "--json", out],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            print("FAIL: breakdown.py exited %d: %s" % (r.returncode, r.stderr[-2000:]))
            return 1
        with open(out) as f:
            runs = json.load(f)
    for run in runs:
        what = "%s %s (%d ops)" % (run["workload"], run["variant"], run["ops"])
        if run["variant"] == "untraced":
            check(what + ": nothing charged to tracing", run["bpf"] == 0 and run["daemon"] == 0, str(run))
            continue
        check(what + ": events", run["events"] == run["expected"], "%d seen, %d made" % (run["events"], run["expected"]))
        check(what + ": lost", run["lost"] == 0, str(run["lost"]))
        check(what + ": BPF and daemon time", run["bpf"] > 0 and run["daemon"] > 0, str(run))
    for wl in CASES:
        for v in ["untraced"] + VARIANTS:
            n = sum(1 for run in runs if run["workload"] == wl and run["variant"] == v)
            check("%s %s: two runs (the margin's)" % (wl, v), n == 2, str(n))
            check("%s %s: a row" % (wl, v), any(l.split()[:2] == [wl, v] for l in r.stdout.splitlines()), r.stdout)
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("ok: %d workloads, %d variants, events exact" % (len(CASES), len(VARIANTS)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
