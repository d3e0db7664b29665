#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What the daemon costs per second while the processes it traces do
nothing: bench/workloads/idle_tree forks N children that sleep (pause(), no
traced syscall; or with --readers, a read() of a pipe nobody writes to),
traced by a session attached to it (`ipctrace attach -p PID --background`,
on the tree's parent held at a gate; the children are traced from their
fork). The daemon's CPU time (schedstat) is read over --seconds once every
child sleeps, for each N, in two states:
  idle:       as set up;
  after loss: the ring buffer has overflowed once since the session began
              (a flood traced while the daemon was stopped with SIGSTOP, on a
              1 MiB ring): what a daemon that rechecks every session after
              a loss pays from then on.
A daemon of its own (--no-journal, --ring-mib 1) per N. Needs root. See
bench/README.md."""

import argparse
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402


def wait_for(what, pred, timeout=600, every=0.2):
    deadline = time.time() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.time() > deadline:
            raise RuntimeError("%s: not within %d s" % (what, timeout))
        time.sleep(every)


def start_tree(d, n, readers):
    """The tree, attached and with its n children forked; returns the Popen."""
    gate_r, gate_w = os.pipe()
    argv = [B.wl_path("idle_tree"), str(n)] + (["read"] if readers else [])
    p = subprocess.Popen(argv, env=dict(os.environ, BENCH_GATE_FD=str(gate_r)), pass_fds=(gate_r,),
                         stdin=subprocess.DEVNULL, start_new_session=True)
    os.close(gate_r)
    try:
        B.attach_background(d, p.pid)
    finally:
        os.write(gate_w, b"g")
        os.close(gate_w)
    # Every child forked and traced: the kernel's traced set says so.
    wait_for("%d children traced" % n, lambda: d.stats().get("traced_processes", 0) >= n + 1)
    # ... and asleep: no thread of the tree runnable.
    wait_for("the tree asleep", lambda: tree_asleep(p.pid, n))
    return p


def tree_asleep(pid, n):
    kids = 0
    for task in os.listdir("/proc"):
        if not task.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % task) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            kids += 1
            if fields[0] != "S":
                return False
    return kids == n


def stop_tree(d, p):
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    wait_for("the session's end", lambda: d.stats().get("sessions", 1) == 0)


def force_loss(d, tmp):
    """A flood traced while the daemon is stopped: the 1 MiB ring overflows."""
    before = d.stats()["lost"]
    g = B.GatedWorkload([B.wl_path("flood"), "200000", "1"], os.path.join(tmp, "flood.json"))
    try:
        B.attach_background(d, g.pid)
        os.kill(d.pid, signal.SIGSTOP)
    finally:
        g.release()
    try:
        g.wait()
    finally:
        os.kill(d.pid, signal.SIGCONT)
    wait_for("the flood's session to end", lambda: d.stats().get("sessions", 0) == 1)
    lost = d.stats()["lost"] - before
    if not lost:
        raise RuntimeError("the flood lost nothing: no loss to measure after")
    return lost


def cpu_per_s(d, seconds):
    c0, t0 = d.cpu_ns(), time.monotonic()
    time.sleep(seconds)
    return (d.cpu_ns() - c0) / (time.monotonic() - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--procs", default="10,1000,10000", help="N values (default 10,1000,10000)")
    ap.add_argument("--seconds", type=float, default=10, help="measured seconds per state (default 10)")
    ap.add_argument("--readers", action="store_true", help="the children block in read() of a pipe")
    ap.add_argument("--json", help="results file (default build/bench/traced-set-results.json)")
    a = ap.parse_args()
    B.check_ready()
    if not os.access(B.wl_path("idle_tree"), os.X_OK):
        B.die("%s is missing: run bench/setup first" % B.wl_path("idle_tree"))

    print("bench/traced_set.py: %s children, %.0f s per state, %s" % (
        "reading" if a.readers else "sleeping", a.seconds, datetime.datetime.now().isoformat(timespec="seconds")))
    tmp = B.tmpdir("ipctrace-set-")
    print(B.snapshot_binaries(tmp))
    for line in B.environment_report():
        print(line)
    sys.stdout.flush()
    rows, results = [], []
    try:
        for n in [int(x) for x in a.procs.split(",") if x]:
            d = B.Daemon(tmp, ring_mib=1, name="set-ipctraced")
            p = None
            try:
                p = start_tree(d, n, a.readers)
                idle = cpu_per_s(d, a.seconds)
                lost = force_loss(d, tmp)
                after = cpu_per_s(d, a.seconds)
                stop_tree(d, p)
                p = None
            finally:
                if p:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
                d.stop()
            B.note("N=%d: idle %.2f ms CPU/s, after a loss of %d events %.2f ms CPU/s" % (
                n, idle / 1e6, lost, after / 1e6))
            results.append({"procs": n, "readers": a.readers, "idle_cpu_ns_per_s": idle,
                            "after_loss_cpu_ns_per_s": after, "lost": lost})
            rows.append([n, "%.2f" % (idle / 1e6), "%.2f" % (after / 1e6)])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        path = a.json or os.path.join(B.WL_DIR, "traced-set-results.json")
        with open(path, "w") as f:
            json.dump(results, f, indent=1)
    print()
    print(B.table(["traced processes", "idle: ms CPU/s", "after a loss: ms CPU/s"], rows))
    print("""
ms CPU/s: the daemon's CPU time (schedstat, every thread) per second of wall-clock time while the
tree sleeps; 1 ms/s is 0.1%% of a CPU. every run: %s""" % path)


if __name__ == "__main__":
    main()
