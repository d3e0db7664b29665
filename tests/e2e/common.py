# SPDX-License-Identifier: MIT
"""Helpers shared by the end-to-end tests (Python 3 standard library only).

Each test script traces one of the example programs (examples/*.c) with the
real ipctrace and ipctraced, and compares what ipctrace reports with the
program's own account of what it did (the JSON report it writes to
$IPCTRACE_REPORT). Exit status: 0 pass, 1 fail, 77 skip (meson's convention;
never under CI=true, where a test that cannot run fails).

No test uses the default socket (an installed daemon, and its event log):
importing this module points IPCTRACE_SOCKET, for every command the test
runs, at a path in the test's own directory where nothing listens, so that
`ipctrace run` starts a private daemon; and it sets a trap at the default
socket, in a mount namespace of the test's own, that fails the test when
anything connects to it.

Paths come from the environment that tests/e2e/meson.build sets; run by
hand, they default to the build/ directory beside the source tree.
"""

import atexit
import ctypes
import json
import os
import pty
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

from syscallset import arch_syscalls, traced_syscalls

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

# Every event type (docs/events.md): the traced syscalls, as lib/syscalls.c lists them.
SYSCALL_TYPES = frozenset(traced_syscalls())
EVENT_TYPES = SYSCALL_TYPES | {'signal_generate', 'signal_deliver', 'fork', 'exec', 'exit', 'object', 'fd_received',
                               'stdio', 'argv'}

TEST = os.path.splitext(os.path.basename(sys.argv[0]))[0]

# What fail() prints to explain a failure: the last trace's output and stderr.
_context = {}


def skip(msg):
    """The test cannot run here: exit 77 with the reason, which scripts/test
    names. Under CI=true nothing may skip: the test fails instead."""
    if os.environ.get('CI') == 'true':
        print('FAIL: %s: cannot run, and CI=true allows no skip: %s' % (TEST, msg))
        sys.exit(1)
    print('SKIP: %s: %s' % (TEST, msg))
    sys.exit(77)


def require_root():
    if os.geteuid() != 0:
        skip('needs root to load BPF programs')


require_root()


# ---------------------------------------------------------------------------
# Private daemons only: the default socket is never used, and a trap there says so

def _libc_call(name, *args):
    r = getattr(_libc, name)(*args)
    if r != 0:
        err = ctypes.get_errno()
        raise OSError(err, '%s(%s): %s' % (name, ', '.join(repr(a) for a in args), os.strerror(err)))


def _trap_default_socket():
    """Gives this test (and every process it starts) a mount namespace of its
    own whose /run is the machine's, entry by entry, but for ipctrace/: there
    a socket of ours listens at DEFAULT_SOCKET. Whatever connects to it is
    named at once and fails the test (done()). The machine's /run, and a
    daemon on it, are left alone: nothing of this is visible outside."""
    run_dir, name = os.path.split(os.path.dirname(DEFAULT_SOCKET))     # /run, ipctrace
    _libc_call('unshare', CLONE_NEWNS)
    _libc_call('mount', None, b'/', None, MS_REC | MS_PRIVATE, None)
    _libc_call('mount', b'tmpfs', _STAGING.encode(), b'tmpfs', 0, b'mode=0755')
    for entry in os.listdir(run_dir):
        src, dst = os.path.join(run_dir, entry), os.path.join(_STAGING, entry)
        if entry == name:
            continue
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
            continue
        if os.path.isdir(src):
            os.mkdir(dst)
        else:
            open(dst, 'w').close()
        _libc_call('mount', src.encode(), dst.encode(), None, MS_BIND | MS_REC, None)
    os.mkdir(os.path.join(_STAGING, name), 0o755)
    trap = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    trap.bind(os.path.join(_STAGING, name, os.path.basename(DEFAULT_SOCKET)))
    os.chmod(trap.getsockname(), 0o666)         # unprivileged clients are caught too
    trap.listen(16)
    _libc_call('mount', _STAGING.encode(), run_dir.encode(), None, MS_MOVE, None)
    threading.Thread(target=_trap_accept, args=(trap,), daemon=True).start()


def _trap_accept(trap):
    while True:
        conn, _ = trap.accept()
        if conn.getpeername() == _SENTINEL:
            conn.close()
            _drained.set()
            continue
        pid = struct.unpack('3i', conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]
        try:
            with open('/proc/%d/cmdline' % pid, 'rb') as f:
                who = f.read().replace(b'\0', b' ').decode(errors='replace').strip()
        except OSError:
            who = '(gone)'
        _trapped.append('pid %d: %s' % (pid, who))
        print('FAIL: %s: pid %d connected to the default socket %s: %s'
              % (TEST, pid, DEFAULT_SOCKET, who), flush=True)
        conn.close()


def _trap_drain(timeout=30):
    """Returns once the trap has seen every connection made so far: they are
    accepted in order, and ours (bound to _SENTINEL) comes last."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(_SENTINEL)
        s.connect(DEFAULT_SOCKET)
        if not _drained.wait(timeout):
            fail('the trap at the default socket did not answer within %d s' % timeout)


_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p)
CLONE_NEWNS, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 0x20000, 4096, 8192, 16384, 1 << 18
_trapped = []
_drained = threading.Event()
_SENTINEL = ('\0ipctrace-e2e-trap-%d' % os.getpid()).encode()
# Where the trap's /run is put together before it is moved over /run: empty
# again afterwards, so it is removed with rmdir (never rmtree: it held mounts).
_STAGING = tempfile.mkdtemp(prefix='ipctrace-e2e-run-')
atexit.register(lambda: os.path.ismount(_STAGING) or os.rmdir(_STAGING))
try:
    _trap_default_socket()
except OSError as ex:
    print('FAIL: %s: cannot set the trap at the default socket: %s' % (TEST, ex))
    sys.exit(1)

# The test's own directory. IPCTRACE_SOCKET points into it, where nothing
# listens, for every command the test runs: one without -s starts a private
# daemon, as on a machine where no daemon runs.
PRIVATE_DIR = tempfile.mkdtemp(prefix='ipctrace-e2e-%s-' % TEST)
os.chmod(PRIVATE_DIR, 0o755)        # an unprivileged user finds no socket there (not EACCES)
atexit.register(shutil.rmtree, PRIVATE_DIR, True)
os.environ['IPCTRACE_SOCKET'] = os.path.join(PRIVATE_DIR, 'ipctrace.sock')


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
    _trap_drain()
    if _trapped:
        fail('%d connection(s) to the default socket %s, which no test may use: %s'
             % (len(_trapped), DEFAULT_SOCKET, '; '.join(_trapped)))
    for name, n in sorted(_covered.items()):
        check(n > 0, 'covers(%r) says this test asserts %s events against a program\'s own '
              'account, but check_calls() or check_count() compared none' % (name, name))
    print('PASS %s: all checks passed' % TEST)
    sys.exit(0)


# ---------------------------------------------------------------------------
# Tracing a command

class Trace:
    """The outcome of one `ipctrace run -o json`. Unpacks as
    (events, summary, report, returncode, stderr). `records` holds the
    signal lifecycle records (docs/signals.md) that `--signals` adds after
    the events; `objects` the graph entries ("ipc_object") that `--pipes`
    adds after the events, and `diagnoses` the "diagnosis" lines that it
    mixes into them (docs/pipes.md); `explanation` the object that
    `--explain` ends with (docs/diagnoses.md), or None. None of these is in
    `events`."""

    def __init__(self, events, summary, report, returncode, stderr, stdout, other_lines,
                 records=(), objects=(), diagnoses=(), explanation=None):
        self.events = events
        self.records = list(records)
        self.objects = list(objects)
        self.diagnoses = list(diagnoses)
        self.explanation = explanation
        self.summary = summary
        self.report = report
        self.returncode = returncode
        self.stderr = stderr
        self.stdout = stdout
        self.other_lines = other_lines      # stdout lines that are not JSON (none: see command_lines)
        # What the command printed: `run -o json` sends its stdout to stderr,
        # which it shares with ipctrace's own messages ("ipctrace: ...").
        self.command_lines = [l for l in stderr.splitlines() if not l.startswith('ipctrace: ')]

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


def parse_report(text):
    """A program's JSON report (examples/example.h), or None when it wrote none."""
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError as ex:
        fail('the program\'s report is not valid JSON (%s): %r' % (ex, text))


def _run_on_tty(cmd, env, timeout):
    """cmd with a new terminal (a pty) as its stdout and stderr (stdin
    /dev/null), as in a terminal window: returns (status, what it printed,
    line ends as written). Raises subprocess.TimeoutExpired."""
    master, slave = pty.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.ONLCR       # no "\r\n" for "\n": the output as written
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    chunks = []

    def drain():
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:             # EIO: every writer has closed the terminal
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    try:
        p = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
        os.close(slave)
        slave = -1
        reader.start()
        try:
            status = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise
        reader.join(timeout)
    finally:
        if slave >= 0:
            os.close(slave)
    os.close(master)
    return status, b''.join(chunks)


def trace(args, env=None, timeout=60, opts=(), want_summary=True, to_files=False, socket=None, tty=False):
    """Runs `ipctrace run -o json [opts] -- args` with IPCTRACE_REPORT set to a
    fresh file, through the daemon at `socket` when given. Parses the lines
    that start with '{'; the last one must be the summary (when
    want_summary). With to_files, ipctrace's stdout and stderr (which the
    command inherits) are regular files instead of pipes, so that the
    command's own output is not IPC. With tty, they are one terminal (a
    pty), as in a terminal window: the command writes to /dev/pts/N."""
    fd, report_path = tempfile.mkstemp(prefix='ipctrace-e2e-report-', suffix='.json')
    os.close(fd)
    where = ['-s', socket] if socket else daemon_opts()
    cmd = [IPCTRACE, 'run', '-o', 'json'] + where + list(opts) + ['--'] + list(args)
    e = run_env(env)
    e['IPCTRACE_REPORT'] = report_path
    _context.clear()
    _context['cmd'] = ' '.join(cmd)
    outf = tempfile.TemporaryFile() if to_files else subprocess.PIPE
    errf = tempfile.TemporaryFile() if to_files else subprocess.PIPE
    try:
        try:
            if tty:
                status, out = _run_on_tty(cmd, e, timeout)
                p = subprocess.CompletedProcess(cmd, status, out, b'')
            else:
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
    objects, diagnoses, explanations = [], [], []
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
        elif o.get('type') == 'explanation':
            explanations.append(o)
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

    if len(explanations) > 1 or (explanations and objs[-1] is not explanations[0]):
        fail('the explanation is not the last JSON line before the summary: %r' % explanations)
    return Trace(events, summary, parse_report(text), p.returncode, stderr, stdout, other, records,
                 objects, diagnoses, explanations[0] if explanations else None)


def wait_until(cond, what, timeout=60):
    """Polls cond (a state another process reaches: a handshake on state, not
    a delay) every 10 ms; returns its first true value."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            fail('%s: not within %d s' % (what, timeout))
        time.sleep(0.01)


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


def check_pipe_counts(t, what):
    """A trace of `pipe N`: every write of the child and read of the parent, as the program
    counts them (its report), and nothing lost. Returns the report."""
    check_eq('%s: exit status (stderr %r)' % (what, t.stderr), 0, t.returncode)
    check_eq('%s: lost' % what, 0, t.summary.get('lost'))
    rep = t.report
    check(rep is not None, '%s: pipe wrote no report' % what)
    check_pipe_events(t.events, rep, what)
    return rep


def check_pipe_events(events, rep, what):
    """Among events, the writes of `pipe N`'s child and the reads of its parent: those its report counts."""
    writes = select_events(events, type='write', pid=rep['child_pid'], fd=rep['write_fd'])
    reads = select_events(events, type='read', pid=rep['parent_pid'], fd=rep['read_fd'])
    check_eq('%s: writes' % what, rep['writes'], len(writes))
    check_eq('%s: bytes written' % what, rep['bytes_written'], total_bytes(writes))
    check_eq('%s: reads' % what, rep['reads'], len(reads))
    check_eq('%s: bytes read' % what, rep['bytes_read'], total_bytes(reads))


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


def next_of(events, e):
    """The event after e of the same thread: what follows a call (object, argv) comes
    next from it, though another process's events may come between."""
    rest = [x for x in events[events.index(e) + 1:] if x['tid'] == e['tid']]
    check(rest, 'no event after %r' % e)
    return rest[0]


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


# ---------------------------------------------------------------------------
# Calls against the program's own account

# The syscalls this test declared with covers(): how many events of each it compared.
_covered = {}


def covers(*names):
    """Declares, as string literals at the top of a test, the syscalls whose
    events it compares with a program's own account: test_coverage.py reads
    the declarations of every test to find a syscall that none asserts, and
    done() fails unless check_calls() or check_count() compared at least one
    event of each (one this architecture has)."""
    try:
        arch = arch_syscalls()
    except OSError as ex:
        fail('no table of this architecture\'s syscalls (build with: ninja -C build): %s' % ex)
    for name in names:
        check(name in SYSCALL_TYPES, 'covers(%r): not a traced syscall (lib/syscalls.c)' % name)
        if name in arch:
            _covered.setdefault(name, 0)


def _count_covered(events):
    for e in events:
        if e['type'] in _covered:
            _covered[e['type']] += 1


MISSING = '(missing)'


def check_calls(events, pid, log, what, ignore=()):
    """The syscall events of process `pid` are, in order, the calls of `log`:
    the program's own account (examples/example.h's call log), one object
    per call whose members are named as the event's fields. As many events
    as calls, each of the call's type and with every value the call gives;
    types in `ignore` are left out of both. Returns the events."""
    evs = by_time(e for e in select_events(events, pid=pid)
                  if e['type'] in SYSCALL_TYPES and e['type'] not in ignore)
    calls = [c for c in log if c['type'] not in ignore]
    for i, (c, e) in enumerate(zip(calls, evs)):
        diff = {k: (v, e.get(k, MISSING)) for k, v in c.items() if e.get(k, MISSING) != v}
        if diff:
            fail('%s: call %d of %d, %s: {field: (the program\'s, the event\'s)} %r; the event: %r'
                 % (what, i + 1, len(calls), c['type'], diff, e))
    if len(calls) != len(evs):
        fail('%s: the program made %d calls, the trace has %d events; the first unmatched: %r'
             % (what, len(calls), len(evs), (calls[len(evs):] or evs[len(calls):])[:3]))
    _count_covered(evs)
    return evs


def trace_calls(program, n, opts=()):
    """Traces `program N` (one of the examples that log their calls), which
    must exit 0 with a report and a complete trace (0 lost)."""
    t = trace([example(program), str(n)], opts=opts)
    check(t.report is not None, '%s wrote no report (exit status %d)' % (program, t.returncode))
    check_clean_exit(t, 0)
    check_eq('%s: report n' % program, n, t.report.get('n'))
    return t


def check_count(what, expected, events):
    """As check_eq on the number of events; the events count for covers()."""
    check_eq(what, expected, len(events))
    _count_covered(events)


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
