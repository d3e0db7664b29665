# SPDX-License-Identifier: MIT
"""Helpers shared by the end-to-end tests (Python 3 standard library only).

Each test script traces one of the example programs (examples/*.c) with the
real ipctrace and ipctraced, and compares what ipctrace reports with the
program's own account of what it did (the JSON report it writes to
$IPCTRACE_REPORT). Exit status: 0 pass, 1 fail, 77 skip (meson's convention).

Paths come from the environment that tests/e2e/meson.build sets; run by
hand, they default to the build/ directory beside the source tree.
"""

import atexit
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.normpath(os.path.join(HERE, '..', '..', 'build'))

IPCTRACE = os.environ.get('IPCTRACE') or os.path.join(BUILD, 'ipctrace')
IPCTRACED = os.environ.get('IPCTRACED') or os.path.join(BUILD, 'ipctraced')
EXAMPLES = os.environ.get('IPCTRACE_EXAMPLES') or os.path.join(BUILD, 'examples')

DEFAULT_SOCKET = '/run/ipctrace/ipctrace.sock'
NOBODY = 65534

# Frame types of the daemon protocol (include/ipctrace/proto.h).
MSG_JSON = 1
MSG_EVENT = 2

# Every event type (docs/events.md).
SYSCALL_TYPES = frozenset('''kill tkill tgkill rt_sigqueueinfo rt_tgsigqueueinfo pidfd_send_signal
    rt_sigaction rt_sigprocmask rt_sigreturn pipe pipe2 read write readv writev close dup dup2
    dup3 fcntl socket socketpair bind listen connect accept accept4 sendto recvfrom sendmsg
    recvmsg shutdown'''.split())
EVENT_TYPES = SYSCALL_TYPES | {'signal_generate', 'signal_deliver', 'fork', 'exec', 'exit'}

TEST = os.path.splitext(os.path.basename(sys.argv[0]))[0]

# What fail() prints to explain a failure: the last trace's output and stderr.
_context = {}


def require_root():
    if os.geteuid() != 0:
        if os.environ.get('CI') == 'true':
            print('FAIL: end-to-end tests need root (CI runs as root)')
            sys.exit(1)
        print('SKIP: needs root to load BPF programs')
        sys.exit(77)


require_root()


def example(name):
    path = os.path.join(EXAMPLES, name)
    if not os.access(path, os.X_OK):
        fail('example program %s is missing (build with: ninja -C build)' % path)
    return path


# ---------------------------------------------------------------------------
# Outcomes

def _dump_context():
    out = _context.get('stdout')
    if out is not None:
        fd, path = tempfile.mkstemp(prefix='ipctrace-e2e-%s-' % TEST, suffix='.out')
        with os.fdopen(fd, 'w') as f:
            f.write(out)
        print('  (the last traced run: %s; its full stdout is in %s)' % (_context.get('cmd'), path))
    err = _context.get('stderr')
    if err:
        print('  its stderr:')
        for line in err.splitlines()[-30:]:
            print('    ' + line)
    for name, path in _context.get('files', {}).items():
        try:
            with open(path, errors='replace') as f:
                text = f.read()
        except OSError:
            continue
        if text:
            print('  %s:' % name)
            for line in text.splitlines()[-30:]:
                print('    ' + line)


def fail(msg):
    print('FAIL: %s: %s' % (TEST, msg))
    _dump_context()
    sys.stdout.flush()
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def check_eq(what, expected, got):
    if expected != got:
        fail('%s: expected %r, got %r' % (what, expected, got))


def passed(msg):
    print('PASS %s: %s' % (TEST, msg))
    sys.stdout.flush()


def done():
    print('PASS %s: all checks passed' % TEST)
    sys.exit(0)


def skip(msg):
    print('SKIP: %s: %s' % (TEST, msg))
    sys.exit(77)


# ---------------------------------------------------------------------------
# Tracing a command

class Trace:
    """The outcome of one `ipctrace run -o json`. Unpacks as
    (events, summary, report, returncode, stderr). `records` holds the
    signal lifecycle records (docs/signals.md) that `--signals` adds after
    the events; `objects` the graph entries ("ipc_object") that `--pipes`
    adds after the events, and `diagnoses` the "diagnosis" lines that it
    mixes into them (docs/pipes.md). None of these is in `events`."""

    def __init__(self, events, summary, report, returncode, stderr, stdout, other_lines,
                 records=(), objects=(), diagnoses=()):
        self.events = events
        self.records = list(records)
        self.objects = list(objects)
        self.diagnoses = list(diagnoses)
        self.summary = summary
        self.report = report
        self.returncode = returncode
        self.stderr = stderr
        self.stdout = stdout
        self.other_lines = other_lines      # stdout lines that are not JSON (the command's own)

    def __iter__(self):
        return iter((self.events, self.summary, self.report, self.returncode, self.stderr))


def run_env(env=None):
    e = dict(os.environ)
    e.pop('IPCTRACE_REPORT', None)
    if env:
        e.update(env)
    return e


_shared_daemon = None


def daemon_opts():
    """With IPCTRACE_E2E_DAEMON_ARGS set (meson runs some tests again so,
    with --core-reads), every trace goes through one private daemon started
    with those arguments instead of `ipctrace run`'s own."""
    global _shared_daemon
    args = os.environ.get('IPCTRACE_E2E_DAEMON_ARGS')
    if not args:
        return []
    if _shared_daemon is None:
        _shared_daemon = Daemon(args=args.split())
        atexit.register(_shared_daemon.cleanup)
        if '--core-reads' in args.split():
            r = run_cli(['stats', '-s', _shared_daemon.socket, '-o', 'json'])
            check(r.returncode == 0 and json.loads(r.stdout).get('bpf_reads') == 'core',
                  'ipctraced --core-reads: stats says %r (%s)' % (r.stdout, r.stderr.strip()))
    return ['-s', _shared_daemon.socket]


def trace(args, env=None, timeout=60, opts=(), want_summary=True, to_files=False):
    """Runs `ipctrace run -o json [opts] -- args` with IPCTRACE_REPORT set to a
    fresh file. Parses the lines that start with '{'; the last one must be the
    summary (when want_summary). With to_files, ipctrace's stdout and stderr
    (which the command inherits) are regular files instead of pipes, so that
    the command's own output is not IPC."""
    fd, report_path = tempfile.mkstemp(prefix='ipctrace-e2e-report-', suffix='.json')
    os.close(fd)
    cmd = [IPCTRACE, 'run', '-o', 'json'] + daemon_opts() + list(opts) + ['--'] + list(args)
    e = run_env(env)
    e['IPCTRACE_REPORT'] = report_path
    _context.clear()
    _context['cmd'] = ' '.join(cmd)
    outf = tempfile.TemporaryFile() if to_files else subprocess.PIPE
    errf = tempfile.TemporaryFile() if to_files else subprocess.PIPE
    try:
        try:
            p = subprocess.run(cmd, env=e, stdin=subprocess.DEVNULL, stdout=outf,
                               stderr=errf, timeout=timeout)
        except subprocess.TimeoutExpired as ex:
            _context['stdout'] = (ex.stdout or b'').decode(errors='replace')
            _context['stderr'] = (ex.stderr or b'').decode(errors='replace')
            fail('%s did not finish within %d s' % (' '.join(cmd), timeout))
        with open(report_path) as f:
            text = f.read()
        if to_files:
            outf.seek(0)
            errf.seek(0)
            p.stdout, p.stderr = outf.read(), errf.read()
    finally:
        os.unlink(report_path)
        if to_files:
            outf.close()
            errf.close()
    stdout = p.stdout.decode(errors='replace')
    stderr = p.stderr.decode(errors='replace')
    _context['stdout'] = stdout
    _context['stderr'] = stderr

    events, records, objs, other = [], [], [], []
    objects, diagnoses = [], []
    for n, line in enumerate(stdout.splitlines(), 1):
        if not line.startswith('{'):
            other.append(line)
            continue
        try:
            o = json.loads(line)
        except ValueError as ex:
            fail('stdout line %d is not valid JSON (%s): %r' % (n, ex, line))
        if not isinstance(o, dict):
            fail('stdout line %d is not a JSON object: %r' % (n, line))
        objs.append(o)
    summary = None
    if objs and objs[-1].get('type') == 'summary':
        summary = objs.pop()
    for o in objs:
        if o.get('type') == 'summary':
            fail('a summary line that is not the last JSON line: %r' % o)
        if o.get('type') == 'ipc_object':
            objects.append(o)
        elif o.get('type') == 'diagnosis':
            diagnoses.append(o)
        elif is_record(o):
            records.append(o)
        elif records:
            fail('an event after the lifecycle records: %r' % o)
        elif objects:
            fail('an event after the ipc_object entries: %r' % o)
        else:
            events.append(o)
    if want_summary and summary is None:
        fail('no summary line at the end of the JSON output (exit status %d)' % p.returncode)

    report = None
    if text.strip():
        try:
            report = json.loads(text)
        except ValueError as ex:
            fail('the program\'s report is not valid JSON (%s): %r' % (ex, text))
    return Trace(events, summary, report, p.returncode, stderr, stdout, other, records,
                 objects, diagnoses)


def run_cli(args, timeout=60, env=None, **kw):
    """Runs ipctrace with args (no tracing helpers); returns CompletedProcess with text."""
    cmd = [IPCTRACE] + list(args)
    try:
        return subprocess.run(cmd, env=run_env(env), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, universal_newlines=True, **kw)
    except subprocess.TimeoutExpired:
        fail('%s did not finish within %d s' % (' '.join(cmd), timeout))


def as_nobody(args, timeout=30):
    """Runs args as the unprivileged user nobody (no groups), in /; text output."""
    if shutil.which('setpriv'):
        cmd = ['setpriv', '--reuid=%d' % NOBODY, '--regid=%d' % NOBODY, '--clear-groups'] + list(args)
        pre = None
    else:
        cmd = list(args)

        def pre():
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
    try:
        return subprocess.run(cmd, env=run_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout, universal_newlines=True,
                              preexec_fn=pre, cwd='/')
    except subprocess.TimeoutExpired:
        fail('%s did not finish within %d s' % (' '.join(cmd), timeout))


def check_clean_exit(t, code=0):
    """The run's status, and a summary that says so with nothing lost."""
    check_eq('ipctrace exit status', code, t.returncode)
    check_eq('summary exit_code', code, t.summary.get('exit_code'))
    check_eq('summary lost', 0, t.summary.get('lost'))
    check_eq('summary events (number of event lines)', len(t.events), t.summary.get('events'))


# ---------------------------------------------------------------------------
# Selecting events

def is_restart(e):
    """A call the kernel restarts after a signal shows up twice; the program made it once."""
    return str(e.get('errno', '')).startswith('ERESTART')


def select_events(events, restarts=False, **conds):
    """Events whose fields equal every keyword (type=... pid=...); a tuple or
    set value matches any of its members. ERESTART* events are left out
    unless restarts=True."""
    out = []
    for e in events:
        if not restarts and is_restart(e):
            continue
        ok = True
        for k, v in conds.items():
            if k not in e:
                ok = False
            elif isinstance(v, (tuple, set, frozenset)):
                ok = e[k] in v
            else:
                ok = e[k] == v
            if not ok:
                break
        if ok:
            out.append(e)
    return out


def is_record(o):
    """A signal lifecycle record (docs/signals.md): any object with `outcome`."""
    return o.get('type') == 'lifecycle' or 'outcome' in o


def select_records(records, **conds):
    """Lifecycle records whose fields equal every keyword (sig=... target_pid=...);
    a tuple or set value matches any of its members."""
    return select_events(records, restarts=True, **conds)


def by_time(events):
    return sorted(events, key=lambda e: e['time_ns'])


def total_bytes(events):
    return sum(e.get('bytes', 0) for e in events)


def one(events, what):
    if len(events) != 1:
        fail('%s: expected exactly 1 event, got %d: %r' % (what, len(events), events[:5]))
    return events[0]


# ---------------------------------------------------------------------------
# A private daemon and reading child processes' output with deadlines

class Lines:
    """Reads lines from a pipe with a deadline, without blocking forever."""

    def __init__(self, f):
        self.fd = f.fileno()
        os.set_blocking(self.fd, False)
        self.buf = b''
        self.lines = []
        self.eof = False

    def _fill(self, timeout):
        if self.eof:
            return False
        r, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not r:
            return False
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return False
        if not data:
            self.eof = True
            if self.buf:
                self.lines.append(self.buf.decode(errors='replace'))
                self.buf = b''
            return True
        self.buf += data
        while b'\n' in self.buf:
            line, self.buf = self.buf.split(b'\n', 1)
            self.lines.append(line.decode(errors='replace'))
        return True

    def wait_for(self, pred, timeout):
        """Reads until pred(lines) is true (returns True) or the deadline or EOF (False)."""
        deadline = time.monotonic() + timeout
        while True:
            if pred(self.lines):
                return True
            left = deadline - time.monotonic()
            if left <= 0 or self.eof:
                return pred(self.lines)
            self._fill(left)

    def text(self):
        return '\n'.join(self.lines) + ('\n' + self.buf.decode(errors='replace') if self.buf else '')


class Daemon:
    """A private ipctraced on a socket in a fresh directory; ready once started.
    wrapper: a command that execs the daemon's (nice, unshare ...), keeping its pid."""

    def __init__(self, timeout=30, journal=None, args=(), wrapper=()):
        self.dir = tempfile.mkdtemp(prefix='ipctrace-e2e-')
        # Its own event log, unless the test gives one (to restart on it).
        self.journal = journal or os.path.join(self.dir, 'journal')
        os.chmod(self.dir, 0o755)           # so that an unprivileged client reaches the socket
        self.socket = os.path.join(self.dir, 's')
        self.log = os.path.join(self.dir, 'ipctraced.log')
        _context.setdefault('files', {})['ipctraced stderr'] = self.log
        r, w = os.pipe()
        with open(self.log, 'wb') as logf:
            self.proc = subprocess.Popen(
                list(wrapper) + [IPCTRACED, '--socket', self.socket, '--ready-fd', str(w),
                 '--journal', self.journal] + list(args),
                pass_fds=(w,), stdin=subprocess.DEVNULL, stdout=logf, stderr=logf)
        os.close(w)
        got = b''
        deadline = time.monotonic() + timeout
        try:
            while b'\n' not in got:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.kill()
                    fail('ipctraced did not say "ready" within %d s' % timeout)
                rr, _, _ = select.select([r], [], [], left)
                if not rr:
                    continue
                data = os.read(r, 64)
                if not data:
                    break
                got += data
        finally:
            os.close(r)
        if got != b'ready\n':
            self.kill()
            fail('ipctraced wrote %r to its --ready-fd instead of "ready\\n" (status %r)'
                 % (got, self.proc.poll()))

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def kill(self, sig=signal.SIGKILL, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=timeout)
            fail('ipctraced did not exit within %d s of signal %d' % (timeout, sig))

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


def frame(payload, type_=MSG_JSON, length=None):
    if isinstance(payload, str):
        payload = payload.encode()
    return struct.pack('<IHH', len(payload) if length is None else length, type_, 0) + payload


def recv_exact(sock, n):
    """n bytes, or fewer when the peer closed the connection first."""
    buf = b''
    while len(buf) < n:
        data = sock.recv(n - len(buf))
        if not data:
            break
        buf += data
    return buf


def recv_frame(sock):
    """(type, payload bytes), or None at end of stream."""
    hdr = recv_exact(sock, 8)
    if not hdr:
        return None
    if len(hdr) != 8:
        fail('the daemon closed the connection in the middle of a frame header')
    length, type_, flags = struct.unpack('<IHH', hdr)
    check_eq('frame header flags', 0, flags)
    payload = recv_exact(sock, length)
    if len(payload) != length:
        fail('the daemon closed the connection in the middle of a frame')
    return type_, payload


def recv_json(sock):
    """The next JSON frame (events before it are skipped), or None at end of stream."""
    while True:
        f = recv_frame(sock)
        if f is None:
            return None
        if f[0] == MSG_JSON:
            try:
                return json.loads(f[1])
            except ValueError:
                fail('the daemon sent a JSON frame that is not JSON: %r' % f[1][:200])


def connect(path, timeout=20):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def request(sock, obj):
    sock.sendall(frame(json.dumps(obj) if not isinstance(obj, (bytes, str)) else obj))
    reply = recv_json(sock)
    if reply is None:
        fail('the daemon closed the connection instead of answering %r' % (obj,))
    return reply


def proc_state(pid):
    """The state letter in /proc/PID/stat, or None when the process is gone."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
    except OSError:
        return None
    return stat[stat.rindex(')') + 2]
