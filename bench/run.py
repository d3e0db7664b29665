#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Traced vs untraced: every IPC workload (bench/workloads) under each
variant (untraced, ipctrace run, the floor tracer, strace, bpftrace), unpinned and pinned to
CPU 0, interleaved rep by rep with a rotating order. Prints one table per
mode. Needs root. See bench/README.md."""

import argparse
import collections
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

# ops per run: about 0.1-2 s untraced, unpinned, on a 2-vCPU VM.
WORKLOADS = collections.OrderedDict([
    ("pipe_pingpong", 30000),    # round trips
    ("pipe_stream", 200000),     # 4 KiB writes
    ("signal_pingpong", 30000),  # round trips (two signals each)
    ("unix_pingpong", 30000),    # round trips
    ("pipeline", 10000000),      # 64-byte lines through 3 exec'd stages, stdio-sized I/O
    ("pipeline_lines", 300000),  # the same, a write per line: a stress case
])
# Workloads outside the budget's targets, and why (bench/README.md).
STRESS = {"pipeline_lines": "stress case, no target"}
VARIANTS = ["untraced", "ipctrace", "floor", "strace", "bpftrace"]
# also available: ipctrace-json (every event as a JSON line, to a file),
# ipctrace-text (every event as a text line, to a file) and floor-count (the
# floor tracer counting in the kernel, no ring buffer)
ALL_VARIANTS = VARIANTS + ["ipctrace-json", "ipctrace-text", "floor-count"]
IPCTRACE_COUNT = None  # set in main: does `ipctrace run` have --count?
MODES = ["unpinned", "pinned"]
RUN_TIMEOUT = 900

# bpftrace -c's child reads a "go" byte from a pipe and closes it before it
# execs the command; the probes are attached by then, so bpftrace counts them.
BPFTRACE_LAUNCHER = {"read": 1, "close": 1}

# The records ipctrace adds after an exec (its descriptors 0-2, its
# arguments): the workloads count them, no other tracer makes them.
IPCTRACE_ONLY = {"stdio", "argv"}

BT_NAMES = {"sched_process_fork": "fork", "sched_process_exec": "exec", "sched_process_exit": "exit",
            "sys_exit_sendfile64": "sendfile"}


def expected_for(variant, rep):
    """What the tracer variant must see, from the workload's own counts."""
    counts = collections.Counter(rep.get("counts", {}))
    other = collections.Counter(rep.get("other", {}))
    if variant.startswith("ipctrace"):
        return counts
    exp = collections.Counter()
    if variant.startswith("floor"):
        # bench/floor.c: every call of ipctrace's set whatever its descriptor
        # (the report's write and close too), one record per signal, fork,
        # exec and exit; but not the SIGCHLD the command's exit sends the
        # floor (untraced): the command has left the traced set by then.
        for t, n in (counts + other).items():
            if t not in IPCTRACE_ONLY:
                exp[t] += n
        exp["signal_generate"] -= 1
        return +exp
    for t, n in (counts + other).items():
        if t in B.IPC_SYSCALLS:
            exp[t] += n
    if variant == "strace":
        # strace prints a line per signal a tracee is stopped for: the
        # handled ones (compared), and SIGCHLD (not compared: a ptraced
        # parent does not ignore it, but several exits may merge into one).
        exp["signals"] = counts["signal_deliver"]
        return +exp
    if variant == "bpftrace":
        for t in ("signal_generate", "signal_deliver", "fork", "exec", "exit"):
            exp[t] += counts[t]
        exp.update(BPFTRACE_LAUNCHER)
        return +exp
    return exp


STRACE_SYSCALL = re.compile(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?([a-z_0-9]+)\(")
STRACE_SIGNAL = re.compile(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?--- (SIG[A-Z0-9]+)")


def count_strace(path):
    seen = collections.Counter()
    with open(path, errors="replace") as f:
        for line in f:
            m = STRACE_SYSCALL.match(line)
            if m:
                seen[m.group(1)] += 1
            else:
                m = STRACE_SIGNAL.match(line)
                if m and m.group(1) != "SIGCHLD":
                    seen["signals"] += 1
    return seen


IPCT_TYPE = re.compile(r'"type":"([a-z_0-9]+)"')
# A text event line: its time, comm[pid] and type; the summary on stderr.
IPCT_TEXT_LINE = re.compile(r"^\s*[0-9.:-]+\s+\S*\[\d+\]\s+([a-z_0-9]+)\s")
IPCT_TEXT_SUMMARY = re.compile(r"; (\d+) events?, (\d+) lost$", re.M)


def count_ipctrace(path):
    """Events by type in `ipctrace run -o json` output (its "counts" object
    with --count, else its event lines), and its summary."""
    seen = collections.Counter()
    counts = summary = None
    with open(path, errors="replace") as f:
        for line in f:
            m = IPCT_TYPE.search(line)
            if not m:
                continue
            if m.group(1) == "summary":
                summary = json.loads(line)
            elif m.group(1) == "counts":
                counts = json.loads(line)
                del counts["type"]
            else:
                seen[m.group(1)] += 1
    return (collections.Counter(counts) if counts is not None else seen), summary


def count_ipctrace_text(path, stderr):
    """Events by type in `ipctrace run`'s text lines, and its summary line (on stderr)."""
    seen = collections.Counter()
    with open(path, errors="replace") as f:
        for line in f:
            m = IPCT_TEXT_LINE.match(line)
            if m:
                seen[m.group(1)] += 1
    m = IPCT_TEXT_SUMMARY.search(stderr)
    return seen, ({"events": int(m.group(1)), "lost": int(m.group(2))} if m else None)


FLOOR_SUMMARY = re.compile(r"^floor: (\d+) records, (\d+) lost$", re.M)


def count_floor(path, exp, stderr):
    """The floor's records by type, split into those compared with exp and
    the calls of ipctrace's set that the workloads do not count (the
    report's openat, the counters' memfd ftruncate and mmap); its summary."""
    with open(path) as f:
        seen = json.load(f)
    compared = {t: n for t, n in seen.items() if t in exp or t in B.IPC_SYSCALLS or t in B.NON_SYSCALL_TYPES}
    extra = {t: n for t, n in seen.items() if t not in compared}
    m = FLOOR_SUMMARY.search(stderr)
    return compared, extra, ({"events": int(m.group(1)), "lost": int(m.group(2))} if m else None)


def count_bpftrace(path):
    seen = collections.Counter()
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"@c\[tracepoint:[a-z_]+:([a-z_0-9]+)\]: (\d+)", line)
            if not m:
                continue
            name = m.group(1)
            name = BT_NAMES.get(name, re.sub(r"^sys_(exit|enter)_", "", name))
            seen[name] += int(m.group(2))
    return seen


def command(variant, argv, pinned, out):
    pin = B.pin_prefix(pinned)
    if variant == "untraced":
        return pin + argv
    if variant == "ipctrace" and IPCTRACE_COUNT:
        return pin + [B.IPCTRACE, "run", "--count", "-o", "json", "--"] + argv
    if variant in ("ipctrace", "ipctrace-json"):
        return pin + [B.IPCTRACE, "run", "-o", "json", "--"] + argv
    if variant == "ipctrace-text":
        return pin + [B.IPCTRACE, "run", "--"] + argv
    if variant == "floor":
        return pin + [B.FLOOR, "-o", out, "--"] + argv
    if variant == "floor-count":
        return pin + [B.FLOOR, "--count-only", "-o", out, "--"] + argv
    if variant == "strace":
        return pin + ["strace", "-f", "-qq", "-e", "trace=" + ",".join(B.IPC_SYSCALLS),
                      "-o", out, "--"] + argv
    if variant == "bpftrace":
        return pin + ["bpftrace", "-o", out, "-c", " ".join(argv), B.BT_SCRIPT]
    raise ValueError(variant)


def run_one(workload, ops, variant, pinned, tmp):
    report, out = B.run_files(tmp)
    argv = [B.wl_path(workload), str(ops)]
    cmd = command(variant, argv, pinned, out)
    env = dict(os.environ, BENCH_REPORT=report, LC_ALL="C")  # the summary line parsed in English
    res = {"workload": workload, "variant": variant, "pinned": pinned, "ops": ops,
           "cmd": " ".join(cmd)}
    t0 = time.monotonic()
    stdout = open(out, "wb") if variant.startswith("ipctrace") else subprocess.DEVNULL
    errf = os.path.join(tmp, "stderr")
    with open(errf, "wb") as stderr:
        p = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        try:
            rc = p.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            res["error"] = "hung: no end after %d s: %s" % (RUN_TIMEOUT, res["cmd"])
            return res
    if stdout is not subprocess.DEVNULL:
        stdout.close()
    res["wall_s"] = time.monotonic() - t0
    with open(errf, errors="replace") as f:
        err = f.read()
    res["stderr"] = "\n".join(l for l in err.splitlines() if "RLIMIT_MEMLOCK" not in l)[-2000:]
    if rc != 0:
        res["error"] = "exit %d: %s: %s" % (rc, res["cmd"], res["stderr"][-500:])
        return res
    try:
        rep = B.read_report(report)
    except (OSError, ValueError) as e:
        res["error"] = "no workload report (%s): %s" % (e, res["cmd"])
        return res
    res["ns_per_op"] = rep["ns_per_op"]
    res["report"] = rep
    if variant == "untraced":
        return res
    exp = expected_for(variant, rep)
    summary = None
    if variant.startswith("ipctrace"):
        seen, summary = count_ipctrace_text(out, err) if variant == "ipctrace-text" else count_ipctrace(out)
    elif variant.startswith("floor"):
        seen, res["extra"], summary = count_floor(out, exp, err)
    elif variant == "strace":
        seen = count_strace(out)
    else:
        seen = count_bpftrace(out)
    if variant.startswith(("ipctrace", "floor")):
        if summary is None:
            res["error"] = "%s printed no summary: %s" % (variant, res["cmd"])
        else:
            res["lost"] = summary.get("lost")
            res["daemon_events"] = summary.get("events")
    res["seen"] = dict(seen)
    res["expected"] = dict(exp)
    return res


def diff_str(seen, exp):
    keys = sorted(set(seen) | set(exp))
    parts = ["%s%+d" % (k, seen.get(k, 0) - exp.get(k, 0)) for k in keys if seen.get(k, 0) != exp.get(k, 0)]
    return " ".join(parts)


def events_cell(runs):
    """'N ok' when every rep saw what it must; else the worst rep's numbers."""
    worst = None
    for r in runs:
        if "seen" not in r:
            continue
        s, e = r["seen"], r["expected"]
        d = sum(abs(s.get(k, 0) - e.get(k, 0)) for k in set(s) | set(e))
        if worst is None or d > worst[0]:
            worst = (d, r)
    if worst is None:
        return "-"
    d, r = worst
    s, e = r["seen"], r["expected"]
    if d == 0:
        return "%d = expected" % sum(e.values())
    return "%d/%d (%s)" % (sum(s.values()), sum(e.values()), diff_str(s, e))


def summarize(results, mode, workloads, variants):
    rows = []
    for w in workloads:
        base = [r["ns_per_op"] for r in results if r["workload"] == w and r["variant"] == "untraced"
                and r["mode"] == mode and "ns_per_op" in r]
        mbase = B.median(base) if base else None
        minbase = min(base) if base else None
        for v in variants:
            runs = [r for r in results if r["workload"] == w and r["variant"] == v and r["mode"] == mode]
            ok = [r for r in runs if "ns_per_op" in r]
            errs = [r for r in runs if "error" in r]
            if not ok:
                rows.append([w, v, "-", "-", "-", "-", "-", "-", "-", "-", "FAILED: %s" % (errs[0]["error"][:200] if errs else "?")])
                continue
            xs = [r["ns_per_op"] for r in ok]
            m = B.median(xs)
            spread = "%.0f%%" % (100.0 * (max(xs) - min(xs)) / m) if m else "-"
            over = "%.2fx" % (m / mbase) if mbase else "-"
            over_min = "%.2fx" % (min(xs) / minbase) if minbase else "-"
            added = "%+.0f" % (m - mbase) if mbase else "-"
            lost = "-"
            if v.startswith(("ipctrace", "floor")):
                ls = [r.get("lost") for r in ok if r.get("lost") is not None]
                lost = str(max(ls)) if ls else "?"
                if ls and max(ls) > 0:
                    lost = "%d (max; %d of %d reps)" % (max(ls), sum(1 for x in ls if x), len(ls))
            wall = "%.1f" % B.median([r["wall_s"] for r in ok])
            note = ("%d of %d reps failed: %s" % (len(errs), len(runs), errs[0]["error"][:160])) if errs else ""
            if v == "untraced" and w in STRESS:
                note = STRESS[w]
            ns = "%.0f" if mbase is None or mbase >= 100 else "%.1f"
            rows.append([w, v, ns % m, ns % min(xs), spread, over, over_min, added, events_cell(ok), lost,
                         wall, note])
    return B.table(["workload", "variant", "ns/op", "min", "spread", "overhead", "of mins", "+ns/op",
                    "events seen vs expected", "lost", "wall s", "notes"], rows,
                   right={2, 3, 4, 5, 6, 7, 9, 10})


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=None, help="repetitions per workload, variant and mode (default 5; 3 with --quick)")
    ap.add_argument("--ops-scale", type=float, default=None, help="multiply every workload's ops (default 1; 0.25 with --quick)")
    ap.add_argument("--only", action="append", default=[], help="a workload (repeat or comma-separate)")
    ap.add_argument("--variants", default=",".join(VARIANTS),
                    help="comma-separated, of %s (default: all but ipctrace-json)" % ",".join(ALL_VARIANTS))
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated: unpinned,pinned")
    ap.add_argument("--quick", action="store_true", help="3 reps, a quarter of the ops")
    ap.add_argument("--system-daemon", action="store_true",
                    help="ipctrace runs against a daemon of this script's with its journal on (as a system daemon "
                    "runs; pinned with the workload in pinned mode), not the private one `run` starts without journal")
    ap.add_argument("--json", help="write every run's results here (default build/bench/run-results.json)")
    ap.add_argument("--from-json", metavar="FILE", help="only print the tables of an earlier run's results file")
    a = ap.parse_args()

    if a.from_json:
        with open(a.from_json) as f:
            results = json.load(f)["results"]
        seen_w = [w for w in WORKLOADS if any(r["workload"] == w for r in results)]
        seen_v = [v for v in ALL_VARIANTS if any(r["variant"] == v for r in results)]
        for mode in MODES:
            if any(r["mode"] == mode for r in results):
                print("== %s ==" % mode)
                print(summarize(results, mode, seen_w, seen_v))
                print()
        print(LEGEND)
        return

    reps = a.reps if a.reps is not None else (3 if a.quick else 5)
    scale = a.ops_scale if a.ops_scale is not None else (0.25 if a.quick else 1.0)
    workloads = [w for o in a.only for w in o.split(",") if w] or list(WORKLOADS)
    for w in workloads:
        if w not in WORKLOADS:
            B.die("unknown workload %r (%s)" % (w, ", ".join(WORKLOADS)))
    variants = [v for v in a.variants.split(",") if v]
    for v in variants:
        if v not in ALL_VARIANTS:
            B.die("unknown variant %r (%s)" % (v, ", ".join(ALL_VARIANTS)))
    if "untraced" not in variants:
        variants.insert(0, "untraced")  # the baseline of every overhead
    modes = [m for m in a.modes.split(",") if m]
    B.check_ready(need_bpftrace="bpftrace" in variants, need_strace="strace" in variants,
                  need_floor=any(v.startswith("floor") for v in variants))
    if "ipctrace" in variants and os.path.exists(B.DEFAULT_SOCKET) and not a.system_daemon:
        B.note("a daemon is listening on %s: `ipctrace run` uses it (with its journal) instead of a private one"
               % B.DEFAULT_SOCKET)

    tmp = B.tmpdir("ipctrace-bench-")
    global IPCTRACE_COUNT
    ident = B.snapshot_binaries(tmp)
    IPCTRACE_COUNT = B.run_help_has("--count")
    print("bench/run.py: %d reps, ops scale %g, %s" % (reps, scale, datetime.datetime.now().isoformat(timespec="seconds")))
    print(ident)
    print("variant ipctrace: `ipctrace run %s`" % ("--count -o json" if IPCTRACE_COUNT else
          "-o json` (no --count in this build: every event formatted as JSON, to a file)"))
    for l in B.environment_report():
        print(l)
    sys.stdout.flush()

    results = []
    try:
        for mode in modes:
            pinned = mode == "pinned"
            daemon = None
            if a.system_daemon:
                jdir = os.path.join(tmp, "journal-" + mode)
                os.makedirs(jdir)
                daemon = B.Daemon(tmp, journal=jdir, journal_max_mib=4096, pinned=pinned, name="run-" + mode)
                os.environ["IPCTRACE_SOCKET"] = daemon.sock
                print("%s: a daemon with its journal (%s)" % (mode, " ".join(daemon.argv)))
            for rep in range(reps):
                order = variants[rep % len(variants):] + variants[:rep % len(variants)]
                for w in workloads:
                    ops = max(1, int(WORKLOADS[w] * scale))
                    for v in order:
                        r = run_one(w, ops, v, pinned, tmp)
                        r["mode"] = mode
                        r["rep"] = rep
                        results.append(r)
                        status = ("%.0f ns/op" % r["ns_per_op"]) if "ns_per_op" in r else "ERROR " + r["error"][:300]
                        extra = ""
                        if "seen" in r and r["seen"] != r["expected"]:
                            extra = " events: " + diff_str(r["seen"], r["expected"])
                        if r.get("lost"):
                            extra += " lost %d" % r["lost"]
                        B.note("%s rep %d/%d %-16s %-9s %s%s" % (mode, rep + 1, reps, w, v, status, extra))
            if daemon:
                daemon.stop()
                del os.environ["IPCTRACE_SOCKET"]
                shutil.rmtree(jdir, ignore_errors=True)
            print()
            print("== %s (%s) ==" % (mode, "taskset -c 0: workload and tracer on CPU 0" if pinned else "any CPU"))
            print(summarize(results, mode, workloads, variants))
            sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        path = a.json or os.path.join(B.WL_DIR, "run-results.json")
        with open(path, "w") as f:
            json.dump({"reps": reps, "ops_scale": scale, "results": results}, f, indent=1)
        print("\nevery run: %s" % path)
    print(LEGEND)


LEGEND = """
ns/op: the workload's own clock around its loop (median of reps; a ping-pong op is one round trip).
min: the fastest rep. spread: (max-min)/median over reps. overhead: median / untraced median; of mins: fastest rep / untraced fastest rep (unpinned runs are
bimodal: the fastest reps are the ones the scheduler placed alike). +ns/op: added per op.
events: what the tracer saw vs what the workload counted it must see (sum; the types that differ).
  ipctrace: `ipctrace run --count -o json`'s counts by type (the daemon counts them and sends
  no event); ipctrace-json: every event as a JSON line to a file, counted by type afterwards (the
  CLI's JSON formatting is part of the measured cost); ipctrace-text: the same as text lines;
  floor: the floor tracer's records by type (bench/floor.c: every call of ipctrace's set whatever
  its descriptor, less the SIGCHLD of the command's exit; the calls the workloads do not count are
  not compared); floor-count: the same counted in the kernel, no ring buffer.
  strace: lines in its output (each IPC syscall, each signal stop but SIGCHLD's); bpftrace: its
  per-type counts (plus the read and close of bpftrace -c's own child before its exec).
lost: ipctrace's summary ("N events, M lost"), the floor's ("N records, M lost"). wall s: whole command incl. tracer start and stop."""


if __name__ == "__main__":
    main()
