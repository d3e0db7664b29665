#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The floor tracer (bench/floor.c) sees what the bench workloads count:
each workload under `floor -o FILE --` and `floor --count-only`, its
records by type compared as bench/run.py compares them (expected_for,
count_floor), 0 lost; and `floor -p PID` tracing a flood held at its gate,
as bench/idle.py traces a process that is already running. Needs root
(BPF): exit 77 without it, except under CI=true, where it fails."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
import run as R  # noqa: E402

# Signals (kill, rt_sigreturn at entry), pipes, and fork/exec/exit of exec'd children.
CASES = [("signal_pingpong", 300), ("pipe_pingpong", 300), ("pipeline", 3000)]
# A flood's calls once it has passed its gate: its set-up (exec, the
# counters' memfd and its close) came before `floor -p` attached.
AFTER_GATE = {"read", "write", "pipe2", "wait4", "fork", "exit", "signal_generate"}

failures = []


def check(what, ok, detail=""):
    if not ok:
        failures.append("%s %s" % (what, detail))


def run_floor(tmp, args, argv):
    report, out = os.path.join(tmp, "report.json"), os.path.join(tmp, "counts.json")
    for p in (report, out):
        if os.path.exists(p):
            os.unlink(p)
    r = subprocess.run([B.FLOOR] + args + ["-o", out, "--"] + argv, env=dict(os.environ, BENCH_REPORT=report),
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       timeout=120)
    return r, report, out


def blocked_on(pid, fd):
    """Whether pid sleeps in a call whose first argument is fd (/proc/PID/syscall)."""
    with open("/proc/%d/syscall" % pid) as f:
        fields = f.read().split()
    return len(fields) > 1 and fields[0] != "running" and int(fields[1], 16) == fd


def trace_pid(tmp):
    """A flood of 2 processes held at its gate, traced from there by `floor -p`."""
    report, out = os.path.join(tmp, "flood.json"), os.path.join(tmp, "flood-counts.json")
    flood = B.GatedWorkload([B.wl_path("flood"), "2000", "2"], report)
    # Its set-up is over once it sleeps in the gate's read: a state, not a delay.
    while not blocked_on(flood.pid, flood.gate_r):
        if flood.proc.poll() is not None:
            check("flood", False, "exited %d before its gate" % flood.proc.returncode)
            return
        os.sched_yield()
    floor = subprocess.Popen([B.FLOOR, "-o", out, "-p", str(flood.pid)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    check("floor -p: ready", floor.stdout.readline() == "ready\n")
    flood.release()
    rep = flood.wait(timeout=120)
    # The flood reaped, the floor sees it gone and ends.
    _, err = floor.communicate(timeout=60)
    check("floor -p: exit status", floor.returncode == 0, "%s: %s" % (floor.returncode, err))
    exp = R.expected_for("floor", rep)
    exp = {t: n for t, n in exp.items() if t in AFTER_GATE}
    seen, _, summary = R.count_floor(out, exp, err)
    seen = {t: n for t, n in seen.items() if t in AFTER_GATE}
    check("floor -p flood: counts", seen == exp, R.diff_str(seen, exp))
    check("floor -p flood: summary", summary is not None and summary["lost"] == 0, err)


def main():
    code = B.root_or_exit_code("test_floor")
    if code is not None:
        return code
    tmp = tempfile.mkdtemp(prefix="floor-test-")
    for wl, ops in CASES:
        for args in ([], ["--count-only"]):
            what = "floor %s %s %d" % (" ".join(args), wl, ops)
            r, report, out = run_floor(tmp, args, [B.wl_path(wl), str(ops)])
            if r.returncode != 0:
                check(what, False, "exit %d: %s" % (r.returncode, r.stderr))
                continue
            rep = B.read_report(report)
            exp = R.expected_for("floor", rep)
            seen, extra, summary = R.count_floor(out, exp, r.stderr)
            check(what + ": counts", seen == exp, R.diff_str(seen, exp))
            check(what + ": summary", summary is not None and summary["lost"] == 0 and
                  summary["events"] == sum(seen.values()) + sum(extra.values()), r.stderr)
    trace_pid(tmp)
    # A command that fails gives its status back.
    r, _, _ = run_floor(tmp, [], ["sh", "-c", "exit 3"])
    check("floor: the command's exit status", r.returncode == 3, "%d: %s" % (r.returncode, r.stderr))
    check("floor: a summary", re.search(r"^floor: \d+ records, 0 lost$", r.stderr, re.M) is not None, r.stderr)
    shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("ok: %d workloads in both modes, one traced by pid" % len(CASES))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
