#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Where a traced event's cost goes, pinned to one CPU (issue 13): each
workload run untraced and by `ipctrace run` (--count, text to a file,
-o json to a file) against a daemon of ours, everything on CPU 0, so that
the time added per op is the CPU the tracing took there. Each run's CPU
is split by who spent it:

- bpf: the BPF programs (kernel.bpf_stats_enabled=1 for the run, restored
  after: run_time_ns of the daemon's programs; the stats add 20-30 ns to
  each run, counted here too);
- daemon: ipctraced's threads (/proc/PID/task/*/schedstat);
- cli: `ipctrace run` itself (its rusage, less the workload's);
- workload: the workload's own CPU (its report's cpu_ns: its rusage and
  its children's) less the BPF programs' and less its untraced CPU: the
  tracepoints' slow path and whatever tracing makes its own calls cost.

Each is per event, at the margin: a run of the workload's ops less a run
of a quarter of them, CPU and events alike, which cancels what a run
costs whatever its length (the CLI's and the workload's start, the
session's set-up and end); the median over reps. `other` is the rest of
the time added per op: switches between the three, idle, what no process
is charged for. Needs root. See
bench/README.md, "Where the time goes (session 11)"."""

import argparse
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
import progstats as P  # noqa: E402
import run as R  # noqa: E402

VARIANTS = {
    "count": ["--count", "-o", "json"],
    "text": [],
    "json": ["-o", "json"],
}


def cpu_of(rusage):
    return int((rusage.ru_utime + rusage.ru_stime) * 1e9)


def bpf_ns(progs):
    return sum(t for _, t in progs.values())


def run_one(name, ops, variant, daemon, tmp):
    """One run: its report, events and the CPU of each party, ns."""
    report, out = B.run_files(tmp)
    errf = os.path.join(tmp, "stderr")
    argv = [B.wl_path(name), str(ops)]
    env = dict(os.environ, BENCH_REPORT=report, LC_ALL="C")
    if variant != "untraced":
        argv = [B.IPCTRACE, "run", "-s", daemon.sock] + VARIANTS[variant] + ["--"] + argv
    bpf0, dcpu0 = bpf_ns(P.daemon_progs(daemon.pid)), daemon.cpu_ns()
    with open(out, "wb") as stdout, open(errf, "wb") as stderr:
        p = subprocess.Popen(B.pin_prefix(True) + argv, env=env, stdout=stdout, stderr=stderr,
                             stdin=subprocess.DEVNULL)
        _, status, rusage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    with open(errf, errors="replace") as f:
        err = f.read()
    if p.returncode != 0:
        B.die("exit %d: %s: %s" % (p.returncode, " ".join(argv), err[-500:]))
    rep = B.read_report(report)
    if "cpu_ns" not in rep:
        B.die("%s reports no cpu_ns: rebuild bench/workloads" % name)
    r = {"workload": name, "variant": variant, "ops": ops, "ns_per_op": rep["ns_per_op"],
         "workload_cpu": rep["cpu_ns"], "bpf": bpf_ns(P.daemon_progs(daemon.pid)) - bpf0,
         "daemon": daemon.cpu_ns() - dcpu0, "cli": cpu_of(rusage) - rep["cpu_ns"],
         "expected": sum(rep["counts"].values())}
    if variant == "untraced":
        return r
    _, summary = R.count_ipctrace_text(out, err) if variant == "text" else R.count_ipctrace(out)
    if not summary:
        B.die("no summary from %s" % " ".join(argv))
    r["events"], r["lost"] = summary["events"], summary["lost"]
    return r


KEYS = ("workload_cpu", "bpf", "daemon", "cli", "events", "expected")


def margin(runs, name, variant):
    """Each rep's big run less its small one (KEYS), and the big runs' ns/op."""
    out = []
    for big in (r for r in runs if r["workload"] == name and r["variant"] == variant and not r["small"]):
        small = next(r for r in runs if r["workload"] == name and r["variant"] == variant and r["small"]
                     and r["rep"] == big["rep"])
        d = {k: big[k] - small[k] for k in KEYS if k in big}
        d.update(ns_per_op=big["ns_per_op"], ops=big["ops"] - small["ops"], lost=big.get("lost", 0))
        out.append(d)
    return out


def per_event(sel, base):
    """One workload and variant: medians over reps of the margins, per event."""
    m = {k: B.median([r[k] for r in sel]) for k in KEYS + ("ns_per_op", "ops")}
    ev = m["events"]
    added = m["ns_per_op"] - base["ns_per_op"]
    parts = {"bpf": m["bpf"] / ev, "daemon": m["daemon"] / ev, "cli": m["cli"] / ev,
             "workload": (m["workload_cpu"] - m["bpf"] - base["workload_cpu"]) / ev}
    parts["other"] = added * m["ops"] / ev - sum(parts.values())
    return m, added, parts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="pipe_pingpong,pipe_stream,signal_pingpong,unix_pingpong,pipeline",
                    help="workloads, comma-separated")
    ap.add_argument("--ops-scale", type=float, default=1.0, help="multiplies run.py's ops per workload")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--variants", default="count,text,json", help="of count, text, json")
    ap.add_argument("--journal", action="store_true", help="the daemon keeps its journal (in a temporary directory)")
    ap.add_argument("--json", dest="json_out", help="every run's numbers to this file")
    a = ap.parse_args()
    names = [w for w in a.only.split(",") if w]
    variants = [v for v in a.variants.split(",") if v]
    for n in names:
        if n not in R.WORKLOADS:
            B.die("unknown workload %r (%s)" % (n, ", ".join(R.WORKLOADS)))
    for v in variants:
        if v not in VARIANTS:
            B.die("unknown variant %r (%s)" % (v, ", ".join(VARIANTS)))
    B.check_ready()
    if not shutil.which("bpftool"):
        B.die("bpftool is missing: run bench/setup first")
    tmp = B.tmpdir("ipctrace-breakdown-")
    print(B.snapshot_binaries(tmp))
    for l in B.environment_report():
        print(l)
    with open(P.STATS) as f:
        old = f.read().strip()
    runs = []
    daemon = None
    try:
        with open(P.STATS, "w") as f:
            f.write("1")
        jdir = os.path.join(tmp, "journal") if a.journal else None
        daemon = B.Daemon(tmp, journal=jdir, pinned=True, name="breakdown")
        print("daemon: %s" % " ".join(daemon.argv))
        for rep in range(a.reps):
            for n in names:
                ops = max(4, int(R.WORKLOADS[n] * a.ops_scale))
                for v in ["untraced"] + variants:
                    for small in (False, True):
                        r = run_one(n, ops // 4 if small else ops, v, daemon, tmp)
                        r.update(rep=rep, small=small)
                        runs.append(r)
                    B.note("rep %d/%d %-16s %-8s %.0f ns/op" % (rep + 1, a.reps, n, v, runs[-2]["ns_per_op"]))
    finally:
        if daemon:
            daemon.stop()
        with open(P.STATS, "w") as f:
            f.write(old)
        shutil.rmtree(tmp, ignore_errors=True)
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(runs, f, indent=1)
    rows = []
    for n in names:
        un = margin(runs, n, "untraced")
        base = {k: B.median([r[k] for r in un]) for k in ("ns_per_op", "workload_cpu")}
        rows.append([n, "untraced", "%.0f" % base["ns_per_op"], "1.00x", "", "", "", "", "", "", "", ""])
        for v in variants:
            sel = margin(runs, n, v)
            m, added, parts = per_event(sel, base)
            # Per event of the margin: the untraced CPU it is compared with is the margin's too.
            rows.append([n, v, "%.0f" % m["ns_per_op"], "%.2fx" % (m["ns_per_op"] / base["ns_per_op"]),
                         "%+.0f" % added, "%.0f" % m["events"], max(r["lost"] for r in sel)]
                        + ["%.0f" % parts[k] for k in ("bpf", "workload", "daemon", "cli", "other")])
    print()
    print("pinned (taskset -c 0: workload, daemon and CLI on CPU 0), %s journal, median of %d"
          % ("with its" if a.journal else "no", a.reps))
    print(B.table(["workload", "variant", "ns/op", "overhead", "+ns/op", "events (margin)", "lost",
                   "bpf/ev", "workload/ev", "daemon/ev", "cli/ev", "other/ev"], rows))
    print("""
ns per event, of the time added per op: bpf, the programs (stats on: +20-30 ns a run); workload,
its own CPU beyond its untraced run less bpf (the tracepoints' slow path); daemon; cli (`ipctrace
run`: receiving, formatting, writing); other, the rest of the added time (switches, idle).""")


if __name__ == "__main__":
    main()
