#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Queries over a big event log. Starts ipctraced with --journal DIR
(--journal-max-mib 4096), fills the journal with >= 10 million events
(bench/workloads/flood paced to spread them over --span seconds, attached
with `ipctrace attach --background`, and a signal_pingpong traced with
`ipctrace run` half way through, for signal events), then times

  ipctrace log -s SOCK -o json FILTER > /dev/null

for: pid=P (a small process, and one flood process), sig=SIGUSR1, a
--since/--until window of 10% of the span (whole seconds: the CLI's @EPOCH
takes seconds), and no filter with -n 10. Prints the wall time per query
(median of --reps) and the events it returned (counted in a separate,
untimed run). With --reuse the journal stays in --journal-dir after the
run, and a later --reuse queries it instead of filling a new one (the
fill takes minutes; the binaries may differ between the runs, the journal's
format may not). Needs root. See bench/README.md."""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402


def log_json(d, args, timeout=600):
    r = d.cli("log", "-o", "json", *args, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError("ipctrace log %s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr.strip()))
    return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]


def timed(d, args, reps):
    times = []
    for _ in range(reps):
        t0 = time.monotonic()
        r = d.cli("log", "-o", "json", *args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=3600)
        times.append(time.monotonic() - t0)
        if r.returncode != 0:
            raise RuntimeError("ipctrace log %s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr.decode().strip()))
    # events returned: one more run, untimed, its lines counted
    p = subprocess.Popen([B.IPCTRACE, "log", "-s", d.sock, "-o", "json"] + list(args), stdout=subprocess.PIPE)
    n = 0
    for chunk in iter(lambda: p.stdout.read(1 << 20), b""):
        n += chunk.count(b"\n")
    p.wait()
    return times, n


def fill(d, a, tmp):
    """One flood, paced to span --span seconds; signals in the middle."""
    ops = max(1, a.events // 2 // a.procs)
    rate = max(1, int(ops / a.span))
    report = os.path.join(tmp, "flood.json")
    g = B.GatedWorkload([B.wl_path("flood"), str(ops), str(a.procs), "0", str(rate)], report)
    try:
        B.attach_background(d, g.pid)
    finally:
        g.release()
    time.sleep(a.span / 2)
    r = subprocess.run([B.IPCTRACE, "run", "-s", d.sock, "-o", "json", "--",
                        B.wl_path("signal_pingpong"), "20000"],
                       env=dict(os.environ, BENCH_REPORT=os.path.join(tmp, "sig.json")),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    if r.returncode != 0:
        raise RuntimeError("ipctrace run signal_pingpong exited %d" % r.returncode)
    rep = g.wait()
    B.note("fill: flood made %d events" % sum(rep["counts"].values()))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=10000000, help="flood events to log (default 10000000)")
    ap.add_argument("--procs", type=int, default=2, help="flood processes (default 2)")
    ap.add_argument("--span", type=float, default=40, help="seconds the flood is paced to last (default 40)")
    ap.add_argument("--journal-dir", default="/var/tmp", help="where the journal goes (default /var/tmp)")
    ap.add_argument("--reps", type=int, default=3, help="timed runs per query (default 3)")
    ap.add_argument("--quick", action="store_true", help="same events (the point), 1 timed run per query")
    ap.add_argument("--reuse", action="store_true",
                    help="keep the journal after the run; query the one kept by an earlier --reuse if there is one")
    a = ap.parse_args()
    reps = 1 if a.quick else a.reps
    B.check_ready()

    print("bench/query.py: %d flood events paced over %.0f s, %s" % (
        a.events, a.span, datetime.datetime.now().isoformat(timespec="seconds")))
    tmp = B.tmpdir("ipctrace-query-")
    print(B.snapshot_binaries(tmp))
    for l in B.environment_report():
        print(l)
    sys.stdout.flush()
    jdir = os.path.join(a.journal_dir, "ipctrace-bench-query-journal")
    reused = a.reuse and os.path.isdir(jdir) and any(f.endswith(".ipj") for f in os.listdir(jdir))
    if not reused:
        shutil.rmtree(jdir, ignore_errors=True)
        os.makedirs(jdir)
    d = B.Daemon(tmp, journal=jdir, journal_max_mib=4096, name="query-ipctraced")
    rows = []
    try:
        # ---- fill (or reuse) ----
        t_fill = time.monotonic()
        if reused:
            B.note("reusing the journal in %s" % jdir)
        else:
            fill(d, a, tmp)
        st = d.wait_settled(quiet_s=1.0)
        fill_s = time.monotonic() - t_fill
        j = st.get("journal") or {}
        span_s = (j.get("last_ns", 0) - j.get("first_ns", 0)) / 1e9
        print("journal: %d events (%d lost), %d records, %.0f MiB in %d segments, spanning %.1f s; %s in %.0f s" % (
            st["events"], st["lost"], j.get("records", 0), j.get("bytes", 0) / 2**20, j.get("segments", 0), span_s,
            "reopened" if reused else "filled", fill_s))
        sys.stdout.flush()
        if j.get("records", 0) < 10000000 and a.events >= 10000000:
            B.note("WARNING: fewer than 10 million events logged")

        # ---- what to ask ----
        forks = log_json(d, ["type=fork", "comm=signal_pingpong"])
        small_pid = forks[0]["child_pid"] if forks else None
        flood_forks = log_json(d, ["type=fork", "comm=flood", "-n", "1"])
        big_pid = flood_forks[0]["child_pid"] if flood_forks else None
        first_s = j["first_ns"] // 1000000000
        last_s = -(-j["last_ns"] // 1000000000)
        width = max(1, round((last_s - first_s) * 0.10))
        mid = (first_s + last_s) // 2
        since, until = mid - width // 2, mid - width // 2 + width
        queries = []
        if small_pid:
            queries.append(("pid (small: signal_pingpong child)", ["pid=%d" % small_pid]))
        if big_pid:
            queries.append(("pid (big: one flood process)", ["pid=%d" % big_pid]))
        queries += [
            ("sig=SIGUSR1", ["sig=SIGUSR1"]),
            ("window of 10%% (%d s of %d)" % (width, last_s - first_s), ["--since", "@%d" % since, "--until", "@%d" % until]),
            ("no filter, -n 10", ["-n", "10"]),
        ]
        for name, args in queries:
            times, n = timed(d, args, reps)
            B.note("%s: %s s, %d events" % (name, " ".join("%.3f" % t for t in times), n))
            rows.append([name, "ipctrace log -o json " + " ".join(args), "%.3f" % B.median(times),
                         "%.3f" % min(times), n, "%.0f" % (n / B.median(times)) if n else "-"])
    finally:
        d.stop()
        if not a.reuse:
            shutil.rmtree(jdir, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(B.table(["query", "command (-s SOCK, > /dev/null)", "median s", "min s", "events", "events/s"], rows,
                  right={2, 3, 4, 5}))
    print("""
median/min s: wall time of the whole command (connect, filter in the daemon, JSON out to /dev/null)
over %d run(s). events: lines it printed (an untimed run). Target: under 1 s over 10M events.""" % reps)


if __name__ == "__main__":
    main()
