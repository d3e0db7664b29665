#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The idle cost: what an UNtraced process pays per syscall while ipctraced
traces something else. bench/workloads/syscall_loop makes N cheap syscalls
(getppid, read of /dev/null, or a private futex wake) in four states,
interleaved rep by rep:
  none:   no daemon of ours running;
  idle:   our ipctraced running (--no-journal), no trace session;
  traced: the same daemon tracing another process (`ipctrace attach -p
          <a sleeping process> --background`);
  floor:  no daemon, the floor tracer (bench/floor.c) tracing that process:
          what any tracer on the same tracepoints costs the others.
Unpinned and pinned (taskset -c 0 for the loop and the daemon or the floor
tracer). Needs root. See bench/README.md."""

import argparse
import datetime
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

STATES = ["none", "idle", "traced", "floor"]


class World:
    """Moves between the states; everything it starts it stops."""

    def __init__(self, tmp, pinned):
        self.tmp, self.pinned = tmp, pinned
        self.daemon = None
        self.session = None
        self.floor = None
        self.sleeper = subprocess.Popen(["sleep", "100000"])

    def to(self, state):
        if state != "floor":
            self._stop_floor()
        if state in ("none", "floor"):
            self._detach()
            if self.daemon:
                self.daemon.stop()
                self.daemon = None
            if state == "floor" and not self.floor:
                self._start_floor()
            return
        if not self.daemon:
            self.daemon = B.Daemon(self.tmp, pinned=self.pinned, name="idle-ipctraced")
        if state == "idle":
            self._detach()
        elif self.session is None:
            self.session = B.attach_background(self.daemon, self.sleeper.pid)
            st = self.daemon.stats()
            if not st.get("attached") or st.get("traced_processes", 0) < 1:
                B.note("after attach the daemon says attached=%s traced_processes=%s" %
                       (st.get("attached"), st.get("traced_processes")))

    def _start_floor(self):
        """`floor -p <the sleeper>`, pinned as the daemon is; it says "ready" once attached."""
        self.floor = subprocess.Popen(B.pin_prefix(self.pinned) + [B.FLOOR, "-p", str(self.sleeper.pid)],
                                      stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        if self.floor.stdout.readline() != b"ready\n":
            self.floor.kill()
            self.floor.wait()
            B.die("the floor tracer did not get ready: exit %s" % self.floor.returncode)

    def _stop_floor(self):
        if self.floor:
            self.floor.terminate()
            if self.floor.wait(timeout=60) != 0:
                B.die("the floor tracer exited %d" % self.floor.returncode)
            self.floor.stdout.close()
            self.floor = None

    def _detach(self):
        if self.session is not None:
            B.detach(self.daemon, self.session)
            self.session = None

    def close(self):
        self.to("none")
        self.sleeper.kill()
        self.sleeper.wait()


def loop(n, syscall, pinned, tmp):
    report = os.path.join(tmp, "loop.json")
    env = dict(os.environ, BENCH_REPORT=report)
    subprocess.run(B.pin_prefix(pinned) + [B.wl_path("syscall_loop"), str(n), syscall], env=env,
                   check=True, stdin=subprocess.DEVNULL, timeout=600)
    return B.read_report(report)["ns_per_op"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=None, help="default 7 (3 with --quick)")
    ap.add_argument("-n", "--syscalls", type=int, default=None, help="syscalls per run (default 2000000; 500000 with --quick)")
    ap.add_argument("--modes", default="unpinned,pinned")
    ap.add_argument("--syscall", default="getppid,read,futex",
                    help="getppid, read (of /dev/null) and/or futex (a private FUTEX_WAKE)")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    reps = a.reps or (3 if a.quick else 7)
    n = a.syscalls or (500000 if a.quick else 2000000)
    syscalls = [s for s in a.syscall.split(",") if s]
    B.check_ready(need_floor=True)

    print("bench/idle.py: %d reps of %d syscalls, %s" % (reps, n, datetime.datetime.now().isoformat(timespec="seconds")))
    tmp = B.tmpdir("ipctrace-idle-")
    print(B.snapshot_binaries(tmp))
    for l in B.environment_report():
        print(l)
    sys.stdout.flush()
    rows = []
    try:
        for mode in [m for m in a.modes.split(",") if m]:
            pinned = mode == "pinned"
            world = World(tmp, pinned)
            res = {(s, st): [] for s in syscalls for st in STATES}
            try:
                for rep in range(reps):
                    order = STATES[rep % len(STATES):] + STATES[:rep % len(STATES)]
                    for st in order:
                        world.to(st)
                        for s in syscalls:
                            ns = loop(n, s, pinned, tmp)
                            res[(s, st)].append(ns)
                            B.note("%s rep %d/%d %-6s %-7s %.1f ns/syscall" % (mode, rep + 1, reps, st, s, ns))
            finally:
                world.close()
            for s in syscalls:
                base = B.median(res[(s, "none")])
                for st in STATES:
                    xs = res[(s, st)]
                    m = B.median(xs)
                    rows.append([mode, s, st, "%.1f" % m, "%.1f-%.1f" % (min(xs), max(xs)),
                                 "%+.1f" % (m - base) if st != "none" else "-"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(B.table(["mode", "syscall", "state", "ns/syscall", "range", "added ns"], rows, right={3, 4, 5}))
    print("""
ns/syscall: median over reps of the loop's own clock / N. added ns: vs `none` in the same
mode (the idle cost; the target is <= 100 ns with `traced`; `floor`: what any tracer on those
tracepoints costs, bench/floor.c). none still pays for any other
tracer attached on the machine (listed above, if any).""")


if __name__ == "__main__":
    main()
