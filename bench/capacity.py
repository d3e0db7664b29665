#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The daemon's capacity: bench/workloads/flood (P processes, each writing
and reading back one byte on its own pipe as fast as it can: two events per
op) traced by a daemon this script starts (fresh for every run, with
--ring-mib R, and --no-journal or --journal DIR), for P = 1, 2, 3, ... until
events are lost. Per run: the events/s reached (events the daemon counted /
the flood's elapsed time), lost, the daemon's CPU time per event (utime+stime
from /proc/PID/stat, before and after), its peak RSS (VmHWM).

Two ways to trace the flood:
  attach: the flood waits at a gate, `ipctrace attach -p PID --background`
          starts a session, the gate opens; no client reads the events (they
          go to the journal, or nowhere with --no-journal): the daemon alone.
  count:  `ipctrace run -s SOCK --count -o json -- flood ...`: a live client
          that receives every event and counts it by type.
  json:   `ipctrace run -s SOCK -o json -- flood ... > /dev/null`: a live
          client that formats every event as JSON.
          (The CLI's CPU time is not in the daemon's; what it fails to keep
          up with shows as "client" losses.)
Needs root. See bench/README.md."""

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402


def flood_argv(events, procs):
    ops = max(1, events // 2 // procs)
    return [B.wl_path("flood"), str(ops), str(procs)]


def expected_events(rep, how):
    n = sum(rep["counts"].values())
    if how == "attach":
        n -= 1  # its exec came before the session (the gate's read comes after: counted)
    return n


def run_flood(events, procs, how, ring_mib, journal_dir, pinned, tmp):
    jdir = None
    if journal_dir:
        jdir = os.path.join(journal_dir, "capacity-journal")
        shutil.rmtree(jdir, ignore_errors=True)
        os.makedirs(jdir)
    d = B.Daemon(tmp, ring_mib=ring_mib, journal=jdir, journal_max_mib=65536 if jdir else None,
                 pinned=pinned, name="cap-ipctraced")
    report = os.path.join(tmp, "flood.json")
    res = {"procs": procs, "how": how, "journal": bool(jdir), "ring_mib": ring_mib, "pinned": pinned}
    try:
        cpu0 = d.cpu_ns()
        if how == "attach":
            g = B.GatedWorkload(flood_argv(events, procs), report, pinned=pinned)
            try:
                B.attach_background(d, g.pid)
            finally:
                g.release()
            rep = g.wait()
        else:
            err = os.path.join(tmp, "run.err")
            out = os.path.join(tmp, "run.out")
            opts = ["--count", "-o", "json"] if how == "count" else ["-o", "json"]
            with open(err, "wb") as ef, open(out if how == "count" else os.devnull, "wb") as of:
                r = subprocess.run(B.pin_prefix(pinned) + [B.IPCTRACE, "run", "-s", d.sock] + opts + ["--"]
                                   + flood_argv(events, procs),
                                   env=dict(os.environ, BENCH_REPORT=report), stdout=of,
                                   stderr=ef, stdin=subprocess.DEVNULL, timeout=3600)
            with open(err, errors="replace") as f:
                res["cli_stderr"] = f.read()[-500:]
            if r.returncode != 0:
                raise RuntimeError("ipctrace run exited %d: %s" % (r.returncode, res["cli_stderr"]))
            rep = B.read_report(report)
            # the CLI's summary: events lost, by the kernel ring or by this client
            # ("ipctrace: N events lost: this output could not keep up" in json mode)
            m = re.search(r"(\d+) events, (\d+) lost", res["cli_stderr"])
            m2 = re.search(r"(\d+) events lost", res["cli_stderr"])
            if m2 and not m:
                res["summary_lost"] = int(m2.group(1))
            if how == "count":
                with open(out) as f:
                    for line in f:
                        if '"summary"' in line:
                            summ = json.loads(line)
                            m = None
                            res["summary_lost"] = summ.get("lost", 0)
            if m:
                res["summary_lost"] = int(m.group(2))
        st = d.wait_settled()
        cpu1 = d.cpu_ns()
        res.update({
            "elapsed_s": rep["elapsed_ns"] / 1e9,
            "expected": expected_events(rep, how),
            "events": st["events"],
            "lost": st["lost"],
            "client_lost": max(0, res.get("summary_lost", 0) - st["lost"]),
            "cpu_ns": cpu1 - cpu0,
            "hwm_kib": d.hwm_kib(),
            "journal_bytes": (st.get("journal") or {}).get("bytes"),
            "flood_ns_per_op": rep["ns_per_op"],
        })
        res["events_per_s"] = st["events"] / res["elapsed_s"]
        res["cpu_ns_per_event"] = res["cpu_ns"] / max(1, st["events"])
    finally:
        d.stop()
        if jdir:
            shutil.rmtree(jdir, ignore_errors=True)
    return res


def untraced_rate(events, procs, pinned, tmp):
    report = os.path.join(tmp, "flood-untraced.json")
    subprocess.run(B.pin_prefix(pinned) + flood_argv(events, procs), env=dict(os.environ, BENCH_REPORT=report),
                   check=True, stdin=subprocess.DEVNULL, timeout=3600)
    rep = B.read_report(report)
    return sum(rep["counts"].values()) / (rep["elapsed_ns"] / 1e9)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=None, help="events per run (default 10000000; 2000000 with --quick)")
    ap.add_argument("--procs", default="1,2,3,4,6,8", help="P values to step through (stops after the first with losses)")
    ap.add_argument("--ring-mib", type=int, default=16, help="the daemon's --ring-mib (default 16, its default)")
    ap.add_argument("--journal", default="off,on", help="off (--no-journal) and/or on (--journal DIR)")
    ap.add_argument("--journal-dir", default="/var/tmp", help="where the journal goes (default /var/tmp: the disk)")
    ap.add_argument("--how", default="attach,count,json", help="attach, count and/or json (see above)")
    ap.add_argument("--pinned", action="store_true", help="taskset -c 0 for flood and daemon (default: unpinned)")
    ap.add_argument("--keep-going", action="store_true", help="do every P even after losses")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", help="results file (default build/bench/capacity-results.json)")
    a = ap.parse_args()
    events = a.events or (2000000 if a.quick else 10000000)
    procs_list = [int(p) for p in a.procs.split(",") if p]
    B.check_ready()

    print("bench/capacity.py: %d events per run, ring %d MiB, %s, %s" % (
        events, a.ring_mib, "pinned" if a.pinned else "unpinned", datetime.datetime.now().isoformat(timespec="seconds")))
    tmp = B.tmpdir("ipctrace-cap-")
    print(B.snapshot_binaries(tmp))
    for l in B.environment_report():
        print(l)
    sys.stdout.flush()
    results = []
    rows = []
    try:
        base = {}
        for p in procs_list:
            base[p] = untraced_rate(min(events, 4000000), p, a.pinned, tmp)
            B.note("untraced flood P=%d: %.2f M events/s" % (p, base[p] / 1e6))
        for how in [h for h in a.how.split(",") if h]:
            for jr in [j for j in a.journal.split(",") if j]:
                for p in procs_list:
                    try:
                        r = run_flood(events, p, how, a.ring_mib, a.journal_dir if jr == "on" else None, a.pinned, tmp)
                    except (RuntimeError, subprocess.SubprocessError, OSError) as e:
                        B.note("%s journal=%s P=%d: ERROR %s" % (how, jr, p, e))
                        rows.append([how, jr, p, "-", "-", "-", "ERROR", "-", "-", "-", str(e)[:120]])
                        results.append({"how": how, "journal": jr, "procs": p, "error": str(e)})
                        break
                    results.append(r)
                    lost = r["lost"] + r["client_lost"]
                    B.note("%s journal=%s P=%d: %.2f M events/s, %d/%d events, lost %d (+%d by the client), "
                           "%.0f ns CPU/event, VmHWM %.1f MiB" % (
                               how, jr, p, r["events_per_s"] / 1e6, r["events"], r["expected"], r["lost"],
                               r["client_lost"], r["cpu_ns_per_event"], r["hwm_kib"] / 1024))
                    rows.append([how, jr, p, "%.2f" % (base[p] / 1e6), "%.2f" % (r["events_per_s"] / 1e6),
                                 "%d/%d" % (r["events"], r["expected"]),
                                 str(r["lost"]) + ("+%d client" % r["client_lost"] if r["client_lost"] else ""),
                                 "%.0f" % r["cpu_ns_per_event"], "%.1f" % (r["hwm_kib"] / 1024),
                                 "%.0f" % (r["journal_bytes"] / 2**20) if r.get("journal_bytes") else "-", ""])
                    if lost and not a.keep_going:
                        break
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        path = a.json or os.path.join(B.WL_DIR, "capacity-results.json")
        with open(path, "w") as f:
            json.dump(results, f, indent=1)
    print()
    print(B.table(["how", "journal", "P", "untraced M ev/s", "traced M ev/s", "events (daemon/expected)",
                   "lost", "CPU ns/event", "VmHWM MiB", "journal MiB", "notes"], rows, right={2, 3, 4, 5, 6, 7, 8, 9}))
    print("""
untraced M ev/s: the rate the flood reaches untraced (events it would produce / s).
traced M ev/s: events the daemon counted / the flood's elapsed time. expected: the flood's own count
(attach: less its exec, which came before the session). lost: the daemon's counter (+ those the
client of count/json dropped). CPU ns/event: the daemon's CPU time over the run (schedstat) / its
events. VmHWM: the daemon's peak resident memory. every run: %s""" % path)


if __name__ == "__main__":
    main()
