# SPDX-License-Identifier: MIT
"""Helpers for the event-log tests (test_log_*.py): `ipctrace log` and
`ipctrace stats` against a private daemon, comparing the logged events with
what a run streamed, and running the CLI as another user.

Times: a run prints wall-clock times with the clock offset of its trace
reply, `ipctrace log` with the offset of its log reply (the journal keeps
each block's own offset). The two offsets are two readings of
CLOCK_REALTIME - CLOCK_BOOTTIME, which differ by the time between the two
clock_gettime() calls: `time_ns` is compared within TIME_SLACK_NS, every
other field exactly."""

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time

from common import Daemon, check, check_eq, fail, run_cli, run_env

TIME_SLACK_NS = 2000000

# The journal's layout (lib/journal.c, docs/journal.md): a segment is a
# 32-byte header and blocks; a block is a 48-byte header (magic, len,
# nrec, pad, realtime_off, min_ns, max_ns, hash) and its records, each a
# 16-byte header (type, len, pad, ts_ns) and len bytes; record type 1 is
# an event, 2 a lifecycle record, 3 a loss marker, 4 a session's start, 5
# a diagnosis.
SEG_HDR = 32
BLK_HDR = struct.Struct('<IIIIqqqQ')
REC_HDR = struct.Struct('<HHIQ')
BLK_MAGIC = 0x4b4c4249


def parse_json_lines(text, what):
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        try:
            o = json.loads(line)
        except ValueError as ex:
            fail('%s: line %d is not JSON (%s): %r' % (what, n, ex, line))
        if not isinstance(o, dict):
            fail('%s: line %d is not a JSON object: %r' % (what, n, line))
        out.append(o)
    return out


def log(sock, *matches, opts=(), code=0, timeout=60):
    """`ipctrace log -s sock -o json [opts] matches`: the events (dicts)."""
    args = ['log', '-s', sock, '-o', 'json'] + list(opts) + list(matches)
    r = run_cli(args, timeout=timeout)
    check_eq('ipctrace %s: exit status (stderr %r)' % (' '.join(args[1:]), r.stderr), code, r.returncode)
    return parse_json_lines(r.stdout, 'ipctrace ' + ' '.join(args[1:]))


def log_run(sock, *matches, opts=(), timeout=60):
    """The CompletedProcess of `ipctrace log -s sock matches` (any output format in opts)."""
    return run_cli(['log', '-s', sock] + list(opts) + list(matches), timeout=timeout)


def stats(sock, timeout=30):
    r = run_cli(['stats', '-s', sock, '-o', 'json'], timeout=timeout)
    check_eq('ipctrace stats -o json: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    try:
        return json.loads(r.stdout)
    except ValueError:
        fail('ipctrace stats -o json is not JSON: %r' % r.stdout[:500])


def wait_stats(sock, pred, what, timeout=30):
    """Asks for stats until pred(stats) holds; fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        st = stats(sock)
        if pred(st):
            return st
        if time.monotonic() > deadline:
            fail('%s: not within %d s; the last stats: %r' % (what, timeout, st))
        time.sleep(0.02)


def strip_time(e):
    return {k: v for k, v in e.items() if k != 'time_ns'}


def brief(e):
    """An event in a few words, for messages."""
    return '%s pid=%s tid=%s ret=%s t=%s' % (e.get('type'), e.get('pid'), e.get('tid'), e.get('ret'),
                                              e.get('time_ns'))


def same_events(what, expected, got):
    """The same events in the same order: every field equal, time_ns within
    TIME_SLACK_NS. Returns the largest time difference seen."""
    worst = 0
    for i, (a, b) in enumerate(zip(expected, got)):
        if strip_time(a) != strip_time(b):
            diff = sorted(k for k in set(a) | set(b) if k != 'time_ns' and a.get(k, '(absent)') != b.get(k, '(absent)'))
            fail('%s: event %d of %d differs in %s: expected %r, got %r'
                 % (what, i, len(expected), diff, a, b))
        d = abs(a['time_ns'] - b['time_ns'])
        if d > TIME_SLACK_NS:
            fail('%s: event %d (%s): time_ns %d vs %d, %d ns apart'
                 % (what, i, brief(a), a['time_ns'], b['time_ns'], d))
        worst = max(worst, d)
    if len(expected) != len(got):
        extra = got[len(expected):] if len(got) > len(expected) else expected[len(got):]
        fail('%s: expected %d events, got %d; the first of the %s: %s'
             % (what, len(expected), len(got), 'extra' if len(got) > len(expected) else 'missing',
                [brief(e) for e in extra[:5]]))
    return worst


def signals(sock, *matches, timeout=60):
    """`ipctrace signals -s sock -o json matches`: the lifecycle records (dicts)."""
    args = ['signals', '-s', sock, '-o', 'json'] + list(matches)
    r = run_cli(args, timeout=timeout)
    check_eq('ipctrace %s: exit status (stderr %r)' % (' '.join(args[1:]), r.stderr), 0, r.returncode)
    return parse_json_lines(r.stdout, 'ipctrace ' + ' '.join(args[1:]))


def check_uid(events, uid, what):
    for e in events:
        check(e.get('uid') == uid, '%s: an event without uid %d: %r' % (what, uid, e))


# ---------------------------------------------------------------------------
# Other users

def useradd(prefix='ipct-e2e'):
    """A fresh system user (no home); returns (name, uid, gid)."""
    import pwd
    name = '%s-%d' % (prefix, os.getpid())
    r = subprocess.run(['useradd', '--system', '--no-create-home', '--shell', '/usr/sbin/nologin',
                        '--user-group', name], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=60)
    if r.returncode != 0:
        fail('useradd %s failed (%d): %s' % (name, r.returncode, r.stderr.strip()))
    pw = pwd.getpwnam(name)
    return name, pw.pw_uid, pw.pw_gid


def userdel(name):
    subprocess.run(['userdel', name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    # --user-group made a group of the same name; userdel removes it unless it is in use.
    subprocess.run(['groupdel', name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)


def ipctrace_group(cleanup):
    """The gid of the group ipctrace, created (and its removal appended to
    cleanup) when the machine has none: before a daemon starts, since the
    daemon looks it up then."""
    import grp
    try:
        return grp.getgrnam('ipctrace').gr_gid
    except KeyError:
        pass
    r = subprocess.run(['groupadd', '--system', 'ipctrace'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=60)
    if r.returncode == 9:           # "already exists": another test made it meanwhile, and removes it
        return grp.getgrnam('ipctrace').gr_gid
    if r.returncode != 0:
        fail('groupadd ipctrace failed: %s' % r.stderr.strip())
    cleanup.append(lambda: subprocess.run(['groupdel', 'ipctrace'], stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, timeout=60))
    return grp.getgrnam('ipctrace').gr_gid


def as_user(uid, gid, args, groups=(), env=None, timeout=60, stdin=subprocess.DEVNULL, cwd='/'):
    """Runs args as uid:gid with exactly the supplementary groups given (setpriv); text output."""
    grp = '--groups=%s' % ','.join(str(g) for g in groups) if groups else '--clear-groups'
    cmd = ['setpriv', '--reuid=%d' % uid, '--regid=%d' % gid, grp] + list(args)
    try:
        return subprocess.run(cmd, env=run_env(env), stdin=stdin, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout, universal_newlines=True, cwd=cwd)
    except subprocess.TimeoutExpired:
        fail('%s did not finish within %d s' % (' '.join(cmd), timeout))


def readable_by_all(path):
    """Whether every directory up to path is searchable and path is readable and executable by others."""
    p = os.path.abspath(path)
    st = os.stat(p)
    if not (st.st_mode & 0o005) == 0o005:
        return False
    d = os.path.dirname(p)
    while True:
        if not os.stat(d).st_mode & 0o001:
            return False
        if d == '/':
            return True
        d = os.path.dirname(d)


def public_copy(paths, tmpdir):
    """paths as others may run them: themselves when reachable, else copies in tmpdir."""
    out = []
    for p in paths:
        if readable_by_all(p):
            out.append(p)
            continue
        dst = os.path.join(tmpdir, os.path.basename(p))
        shutil.copy(p, dst)
        os.chmod(dst, 0o755)
        out.append(dst)
    return out


def public_tmpdir():
    d = tempfile.mkdtemp(prefix='ipctrace-e2e-')
    os.chmod(d, 0o1777)
    return d


# ---------------------------------------------------------------------------
# System-wide tracing

class SystemWide:
    """A private daemon with a `trace --all --background` session: programs
    that the test runs itself are traced, and read back from the log."""

    def __init__(self, timeout=60):
        self.timeout = timeout
        # The daemon arguments of the run (--core-reads), as for the traces of common.trace().
        self.daemon = Daemon(args=os.environ.get('IPCTRACE_E2E_DAEMON_ARGS', '').split())
        self.socket = self.daemon.socket
        r = run_cli(['trace', '--all', '--background', '-s', self.socket], timeout=timeout)
        if r.returncode != 0 or not r.stdout.strip().isdigit():
            self.daemon.cleanup()
            fail('trace --all --background: status %d, stdout %r, stderr %r'
                 % (r.returncode, r.stdout, r.stderr))
        self.session = int(r.stdout.strip())

    def log(self, *matches):
        return log(self.socket, 'session=%d' % self.session, *matches)

    def records(self, *matches):
        return signals(self.socket, 'session=%d' % self.session, *matches)

    def wait_for(self, what, fetch):
        """What fetch() returns, once it is not empty (the daemon drains the
        kernel's ring every 20 ms or so)."""
        deadline = time.monotonic() + self.timeout
        while True:
            got = fetch()
            if got:
                return got
            check(time.monotonic() < deadline, '%s: not there within %d s' % (what, self.timeout))
            time.sleep(0.02)

    def wait_logged(self, what, *matches):
        """The events of the session that match, once there are some."""
        return self.wait_for(what, lambda: self.log(*matches))

    def run(self, args):
        """Runs args (from this test, not through ipctrace) with a report
        file; its report once the program has exited 0 and its exit is logged."""
        fd, path = tempfile.mkstemp(prefix='ipctrace-e2e-report-', suffix='.json')
        os.close(fd)
        try:
            p = subprocess.run(args, env=run_env({'IPCTRACE_REPORT': path}), stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=self.timeout,
                               universal_newlines=True)
            with open(path) as f:
                text = f.read()
        finally:
            os.unlink(path)
        check_eq('%s: exit status (stderr %r)' % (' '.join(args), p.stderr), 0, p.returncode)
        try:
            rep = json.loads(text)
        except ValueError:
            fail('%s: the report is not JSON: %r' % (' '.join(args), text))
        self.wait_logged('the exit of %s (pid %d)' % (args[0], rep['pid']), 'pid=%d' % rep['pid'], 'type=exit')
        return rep

    def close(self):
        self.daemon.cleanup()


def blocks(path):
    """[(offset, size, {record type: count})] of a segment's blocks."""
    with open(path, 'rb') as f:
        data = f.read()
    out, off = [], SEG_HDR
    while off + BLK_HDR.size <= len(data):
        magic, length, nrec, _, _, _, _, _ = BLK_HDR.unpack_from(data, off)
        check_eq('block magic at offset %d of %s' % (off, path), BLK_MAGIC, magic)
        check(off + BLK_HDR.size + length <= len(data), 'block at %d of %s runs past the end' % (off, path))
        types, p = {}, off + BLK_HDR.size
        for _ in range(nrec):
            t, ln, _, _ = REC_HDR.unpack_from(data, p)
            types[t] = types.get(t, 0) + 1
            p += REC_HDR.size + ln
        check_eq('the records of the block at %d of %s end with it' % (off, path), off + BLK_HDR.size + length, p)
        out.append((off, BLK_HDR.size + length, types))
        off += BLK_HDR.size + length
    check_eq('%s: blocks up to its end' % path, len(data), off)
    return out


def segments(journal):
    return sorted(n for n in os.listdir(journal) if re.fullmatch(r'[0-9a-f]{16}\.ipj', n))


def daemon_stderr(d):
    with open(d.log, errors='replace') as f:
        return f.read()
