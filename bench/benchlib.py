# SPDX-License-Identifier: MIT
"""What bench/run.py, idle.py, capacity.py and query.py share: paths, the
workloads' reports, tracefs, daemons started for a measurement, /proc
counters, tables. Python 3 standard library only."""

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BENCH_BUILD", os.path.join(ROOT, "build"))
WL_DIR = os.path.join(BUILD, "bench")
IPCTRACE = os.path.join(BUILD, "ipctrace")
IPCTRACED = os.path.join(BUILD, "ipctraced")
FLOOR = os.path.join(WL_DIR, "floor")
BT_SCRIPT = os.path.join(ROOT, "bench", "ipc.bt")
DEFAULT_SOCKET = "/run/ipctrace/ipctrace.sock"

# The syscalls docs/events.md lists, less those that no workload makes
# (open/openat, which ipctrace records only for FIFOs; ioctl, only for
# FIOCLEX and FIONCLEX; close_range, pidfd_getfd, unshare): left out of the
# syscall tracers' sets.
IPC_SYSCALLS = """kill tkill tgkill rt_sigqueueinfo rt_tgsigqueueinfo pidfd_send_signal
rt_sigaction rt_sigprocmask rt_sigreturn rt_sigtimedwait pipe pipe2 read write readv writev
close dup dup2 dup3 fcntl socket socketpair bind listen connect accept accept4 sendto
recvfrom sendmsg recvmsg sendmmsg recvmmsg shutdown splice tee vmsplice sendfile""".split()
NON_SYSCALL_TYPES = {"signal_generate", "signal_deliver", "fork", "exec", "exit", "object"}


def die(msg):
    print("bench: " + msg, file=sys.stderr)
    sys.exit(1)


def note(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def check_ready(need_bpftrace=False, need_strace=False, need_floor=False):
    """Root, a build, tracefs (mounted when missing); the tracers asked for."""
    if os.geteuid() != 0:
        die("needs root (BPF): run it with sudo")
    for p in (IPCTRACE, IPCTRACED, os.path.join(WL_DIR, "pipe_pingpong")) + ((FLOOR,) if need_floor else ()):
        if not os.access(p, os.X_OK):
            die("%s is missing: run bench/setup first" % p)
    if need_bpftrace and not shutil.which("bpftrace"):
        die("bpftrace is missing: run bench/setup first")
    if need_strace and not shutil.which("strace"):
        die("strace is missing: run bench/setup first")
    if not os.path.isdir("/sys/kernel/tracing/events"):
        note("mounting tracefs on /sys/kernel/tracing (bpftrace's tracepoints need it)")
        subprocess.run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"], check=True)


def snapshot_binaries(tmp):
    """Copies build/ipctrace, build/ipctraced and the floor tracer (a build
    of BENCH_BUILD from before it may lack it) into tmp/bin and uses those:
    others may rebuild build/ while a benchmark runs. The CLI starts the
    private daemon that sits beside it, so that is the copy too."""
    global IPCTRACE, IPCTRACED, FLOOR
    d = os.path.join(tmp, "bin")
    os.makedirs(d, exist_ok=True)
    for src in (IPCTRACE, IPCTRACED) + ((FLOOR,) if os.path.exists(FLOOR) else ()):
        shutil.copy2(src, d)
    IPCTRACE = os.path.join(d, "ipctrace")
    IPCTRACED = os.path.join(d, "ipctraced")
    FLOOR = os.path.join(d, "floor")
    return build_identity()


def build_identity():
    """Which ipctrace is measured: the commit, uncommitted changes, build time."""
    def git(*args):
        r = subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True, text=True)
        return r.stdout.rstrip("\n") if r.returncode == 0 else "?"
    dirty = [l[3:] for l in git("status", "--porcelain").splitlines()
             if l[3:] and not l[3:].startswith("bench/")]
    built = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(IPCTRACED)))
    s = "ipctrace: commit %s, binaries built %s" % (git("rev-parse", "--short", "HEAD"), built)
    if dirty:
        s += ", with uncommitted changes in %s" % ", ".join(dirty[:8]) + (" ..." if len(dirty) > 8 else "")
    return s


def run_help_has(option):
    r = subprocess.run([IPCTRACE, "run", "--help"], capture_output=True, text=True)
    return option in r.stdout


def other_tracers():
    """Other ipctraced processes on the machine (their BPF programs may be
    attached while we measure: every syscall pays for them)."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and os.path.basename(argv[0].decode(errors="replace")) in ("ipctraced", "bpftrace", "strace"):
            out.append("%s %s" % (pid, " ".join(a.decode(errors="replace") for a in argv if a)))
    return out


def attached_bpf_links():
    """Raw tracepoint / tracing links attached now, by program name (bpftool)."""
    if not shutil.which("bpftool"):
        return None
    try:
        r = subprocess.run(["bpftool", "-j", "link", "list"], capture_output=True, text=True, timeout=20)
        links = json.loads(r.stdout or "[]")
    except (subprocess.SubprocessError, ValueError):
        return None
    return sum(1 for l in links if l.get("type") in ("raw_tracepoint", "tracing", "perf_event"))


def environment_report():
    others = other_tracers()
    lines = ["machine: %s, %d CPUs, kernel %s" % (
        cpu_model(), os.cpu_count(), os.uname().release)]
    if others:
        lines.append("WARNING: other tracers running during this benchmark (they may skew it):")
        lines += ["  " + o for o in others]
    links = attached_bpf_links()
    if links:
        lines.append("BPF tracing links attached before starting: %d" % links)
    return lines


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for l in f:
                if l.startswith("model name"):
                    return l.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def read_report(path):
    with open(path) as f:
        line = f.read().strip()
    if not line:
        raise ValueError("empty report")
    return json.loads(line.splitlines()[-1])


def run_files(tmp):
    """A run's report and trace output paths in tmp, the last run's removed."""
    paths = os.path.join(tmp, "report.json"), os.path.join(tmp, "trace.out")
    for p in paths:
        if os.path.exists(p):
            os.unlink(p)
    return paths


def root_or_exit_code(test):
    """For a bench test: None as root; else it cannot load BPF programs and
    returns the code to exit with, 77 (skipped), or 1 under CI=true, which
    allows no skip."""
    if os.geteuid() == 0:
        return None
    msg = "needs root to load BPF programs"
    if os.environ.get("CI") == "true":
        print("FAIL: %s: cannot run, and CI=true allows no skip: %s" % (test, msg))
        return 1
    print("SKIP: %s: %s" % (test, msg))
    return 77


def wl_path(name):
    return os.path.join(WL_DIR, name)


def pin_prefix(pinned):
    return ["taskset", "-c", "0"] if pinned else []


def median(xs):
    return statistics.median(xs) if xs else float("nan")


# ---- /proc ----------------------------------------------------------------

def proc_cpu_ns(pid):
    """CPU time of a process, ns: the scheduler's run time of each of its
    threads (/proc/PID/task/*/schedstat, exact to the ns, where utime and
    stime come in 10 ms ticks)."""
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:
            pass  # a thread that just ended
    return total


def proc_status(pid, key):
    """A kB value of /proc/PID/status (VmHWM, VmRSS), in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for l in f:
            if l.startswith(key + ":"):
                return int(l.split()[1])
    return None


# ---- A daemon of our own ----------------------------------------------------

class Daemon:
    """build/ipctraced on a socket of its own, started and stopped by us."""

    def __init__(self, workdir, ring_mib=None, journal=None, journal_max_mib=None,
                 pinned=False, name="ipctraced"):
        self.sock = os.path.join(workdir, name + ".sock")
        self.log = open(os.path.join(workdir, name + ".log"), "ab")
        rfd, wfd = os.pipe()
        argv = pin_prefix(pinned) + [IPCTRACED, "-s", self.sock, "--ready-fd", str(wfd)]
        if ring_mib:
            argv += ["--ring-mib", str(ring_mib)]
        if journal:
            argv += ["--journal", journal]
            if journal_max_mib:
                argv += ["--journal-max-mib", str(journal_max_mib)]
        else:
            argv += ["--no-journal"]
        self.argv = argv
        self.proc = subprocess.Popen(argv, pass_fds=(wfd,), stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL)
        os.close(wfd)
        ready = b""
        deadline = time.time() + 60
        while time.time() < deadline:
            chunk = os.read(rfd, 64)
            if not chunk:
                break
            ready += chunk
        os.close(rfd)
        if b"ready" not in ready:
            self.proc.kill()
            die("ipctraced did not get ready: %s (see %s)" % (" ".join(argv), self.log.name))
        # taskset exec's the daemon: same pid
        self.pid = self.proc.pid

    def cli(self, *args, timeout=600, **kw):
        return subprocess.run([IPCTRACE] + list(args[:1]) + ["-s", self.sock] + list(args[1:]),
                              timeout=timeout, **kw)

    def stats(self):
        r = self.cli("stats", "-o", "json", capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("ipctrace stats failed: " + r.stderr.strip())
        return json.loads(r.stdout)

    def wait_settled(self, quiet_s=0.5, timeout=120):
        """Waits until the daemon's event counter stops moving; returns stats."""
        last = None
        stable_since = time.time()
        deadline = time.time() + timeout
        while time.time() < deadline:
            s = self.stats()
            key = (s.get("events"), s.get("lost"))
            if key != last:
                last = key
                stable_since = time.time()
            elif time.time() - stable_since >= quiet_s:
                return s
            time.sleep(0.1)
        return self.stats()

    def cpu_ns(self):
        return proc_cpu_ns(self.pid)

    def hwm_kib(self):
        return proc_status(self.pid, "VmHWM")

    def rss_kib(self):
        return proc_status(self.pid, "VmRSS")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                note("ipctraced %d did not stop on SIGTERM: killing it" % self.pid)
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def attach_background(daemon, pid):
    """`ipctrace attach -p PID --background`: returns the session id."""
    r = daemon.cli("attach", "-p", str(pid), "--background", capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("ipctrace attach failed (%d): %s" % (r.returncode, r.stderr.strip()))
    m = re.search(r"\d+", r.stdout + r.stderr)
    if not m:
        raise RuntimeError("ipctrace attach printed no session id: %r" % (r.stdout + r.stderr))
    return int(m.group(0))


def detach(daemon, session):
    r = daemon.cli("detach", str(session), capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("ipctrace detach %d failed: %s" % (session, r.stderr.strip()))


class GatedWorkload:
    """A workload started stopped at a gate (FLOOD_GATE_FD: it reads one byte
    before its timed part), so that a session can attach to it first."""

    def __init__(self, argv, report, pinned=False, env_extra=None):
        self.gate_r, self.gate_w = os.pipe()
        env = dict(os.environ, BENCH_REPORT=report, BENCH_GATE_FD=str(self.gate_r))
        env.update(env_extra or {})
        self.report = report
        self.proc = subprocess.Popen(pin_prefix(pinned) + argv, env=env, pass_fds=(self.gate_r,),
                                     stdin=subprocess.DEVNULL)
        os.close(self.gate_r)
        self.pid = self.proc.pid

    def release(self):
        os.write(self.gate_w, b"g")
        os.close(self.gate_w)

    def wait(self, timeout=3600):
        rc = self.proc.wait(timeout=timeout)
        if rc != 0:
            raise RuntimeError("%s exited %d" % (" ".join(self.proc.args), rc))
        return read_report(self.report)


# ---- Tables -----------------------------------------------------------------

def table(headers, rows, right=None):
    """Plain text table; right: set of column indexes to right-align."""
    right = right if right is not None else set(range(1, len(headers)))
    cells = [headers] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    out = []
    for n, r in enumerate(cells):
        out.append("  ".join((c.rjust(w) if i in right else c.ljust(w))
                             for i, (c, w) in enumerate(zip(r, widths))).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def tmpdir(prefix):
    # Not under /dev/shm: its files are POSIX shared memory, which ipctrace
    # records (a workload's report there would add its open, write and close).
    return tempfile.mkdtemp(prefix=prefix)
