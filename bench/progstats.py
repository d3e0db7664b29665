#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The BPF programs' own time: each workload traced pinned to CPU 0 by
ipctrace (`ipctrace run --count` against a daemon of ours, itself pinned)
and by the floor tracer (bench/floor.c), with kernel.bpf_stats_enabled=1
for the run (restored after). Prints each program's runs and average ns
per run: ipctrace's from `bpftool prog show` before and after (its
daemon's programs only), the floor's as it prints them at its end. Every
process's syscalls run the programs while they are attached, so the
averages mix the traced workload's calls with the machine's others. The
stats themselves add about 20-30 ns per run. Needs root. See
bench/README.md, "The floor (issue 13)"."""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
import run as R  # noqa: E402

FLOOR_PROG = re.compile(r"^floor: (\w+): (\d+) runs, ([0-9.]+) ns/run$", re.M)
STATS = "/proc/sys/kernel/bpf_stats_enabled"
# The programs in the order the floor prints them (ipct_NAME, floor_NAME).
ORDER = ["sys_enter", "sys_exit", "signal_generate", "signal_deliver", "process_fork", "process_exec",
         "process_exit"]


def order(prog):
    name = prog.split("_", 1)[-1]
    return (ORDER.index(name) if name in ORDER else len(ORDER), prog)


def prog_ids(pid):
    """The ids of the BPF programs the process pid holds a descriptor of
    (their fdinfo says; Debian's bpftool does not list holders' pids)."""
    ids = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) != "anon_inode:bpf-prog":
                continue
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                m = re.search(r"^prog_id:\s*(\d+)$", f.read(), re.M)
        except OSError:
            continue
        if m:
            ids.add(int(m.group(1)))
    return ids


def daemon_progs(pid):
    """name -> (run_cnt, run_time_ns) of the programs the process pid holds."""
    ids = prog_ids(pid)
    r = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True, check=True, timeout=60)
    return {p["name"]: (p.get("run_cnt", 0), p.get("run_time_ns", 0))
            for p in json.loads(r.stdout or "[]") if p.get("id") in ids}


def workload(name, ops, tmp):
    env = dict(os.environ, BENCH_REPORT=os.path.join(tmp, "report.json"))
    return [B.wl_path(name), str(ops)], env


def ipctrace_rows(name, ops, tmp):
    argv, env = workload(name, ops, tmp)
    daemon = B.Daemon(tmp, pinned=True, name="progstats")
    try:
        before = daemon_progs(daemon.pid)
        subprocess.run(B.pin_prefix(True) + [B.IPCTRACE, "run", "-s", daemon.sock, "--count", "-o", "json", "--"]
                       + argv, env=env, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, timeout=600)
        after = daemon_progs(daemon.pid)
    finally:
        daemon.stop()
    rows = []
    for prog, (n, t) in sorted(after.items(), key=lambda kv: order(kv[0])):
        n0, t0 = before.get(prog, (0, 0))
        if n > n0:
            rows.append([name, "ipctrace", prog, n - n0, "%.1f" % ((t - t0) / (n - n0))])
    return rows


def floor_rows(name, ops, tmp, count_only):
    argv, env = workload(name, ops, tmp)
    r = subprocess.run(B.pin_prefix(True) + [B.FLOOR] + (["--count-only"] if count_only else []) + ["--"] + argv,
                       env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       stdin=subprocess.DEVNULL, timeout=600)
    return [[name, "floor-count" if count_only else "floor", m.group(1), int(m.group(2)), m.group(3)]
            for m in FLOOR_PROG.finditer(r.stderr)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="pipe_pingpong,signal_pingpong", help="workloads, comma-separated")
    ap.add_argument("--ops-scale", type=float, default=1.0, help="multiplies run.py's ops per workload")
    ap.add_argument("--count-only", action="store_true", help="also the floor without its ring (floor --count-only)")
    a = ap.parse_args()
    B.check_ready(need_floor=True)
    if not shutil.which("bpftool"):
        B.die("bpftool is missing: run bench/setup first")
    tmp = B.tmpdir("ipctrace-progstats-")
    print(B.snapshot_binaries(tmp))
    with open(STATS) as f:
        old = f.read().strip()
    rows = []
    try:
        with open(STATS, "w") as f:
            f.write("1")
        for name in [w for w in a.only.split(",") if w]:
            if name not in R.WORKLOADS:
                B.die("unknown workload %r (%s)" % (name, ", ".join(R.WORKLOADS)))
            ops = max(1, int(R.WORKLOADS[name] * a.ops_scale))
            rows += ipctrace_rows(name, ops, tmp)
            rows += floor_rows(name, ops, tmp, False)
            if a.count_only:
                rows += floor_rows(name, ops, tmp, True)
    finally:
        with open(STATS, "w") as f:
            f.write(old)
        shutil.rmtree(tmp, ignore_errors=True)
    print(B.table(["workload", "tracer", "program", "runs", "ns/run"], rows, right={3, 4}))


if __name__ == "__main__":
    main()
