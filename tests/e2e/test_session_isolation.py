#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""One user's flood does not cost another user's trace anything
(ipctraced(8), "LIMITS"; docs/protocol.md, session_end). Through one
daemon with a 4 MiB ring and --session-processes 50:

- user A (nobody) traces a shell that runs `holdtree 200` (200 children
  alive at once, past its session's cap of 50 processes) and then `pipe
  1000000` (a million writes and their reads);
- user B (a fresh user) traces a shell held on its stdin that then runs
  `pipe 1000`;
- the daemon is stopped (SIGSTOP) while A's writer makes twice as many
  traced writes as the ring holds records: the ring fills up, and A's
  records past its share are lost. B's program runs to its end in that
  time, then the daemon goes on (SIGCONT);
- B's trace is exact (every write and read as the program counts them)
  with 0 lost; A's trace reports its losses (lost_ring > 0) and the
  processes the cap kept out (untraced_processes 152: the shell and
  holdtree are 2 of the 50)."""

import json
import os
import shutil
import signal
import subprocess

from common import (IPCTRACE, NOBODY, Daemon, Trace, check, check_eq, check_pipe_counts, done, example, fail,
                    passed, wait_until)
from logcommon import parse_json_lines, public_copy, public_tmpdir, useradd, userdel

TIMEOUT = 60
RING_MIB = 4
RECORD = 144 + 8        # an event and the ring's header


def popen_as(uid, gid, args, env=None):
    e = dict(os.environ)
    e.pop('IPCTRACE_REPORT', None)
    e.update(env or {})
    return subprocess.Popen(['setpriv', '--reuid=%d' % uid, '--regid=%d' % gid, '--clear-groups'] + args,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, cwd='/', env=e)


def read_file(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ''


def report(path):
    """The program's JSON report once it is whole, else None."""
    try:
        return json.loads(read_file(path))
    except ValueError:
        return None


def child_of(pid):
    """A child of pid's, or None (the parent field of /proc/*/stat)."""
    for name in os.listdir('/proc'):
        if name.isdigit():
            stat = read_file('/proc/%s/stat' % name).rsplit(')', 1)
            if len(stat) == 2 and int(stat[1].split()[1]) == pid:
                return int(name)
    return None


def writes_of(pid):
    """The write calls pid has made (/proc/PID/io syscw)."""
    for line in read_file('/proc/%d/io' % pid).splitlines():
        if line.startswith('syscw:'):
            return int(line.split()[1])
    fail('no /proc/%d/io' % pid)


def finish(p, what):
    """The outcome of an `ipctrace run -o json` started with popen_as, as a Trace."""
    try:
        out, err = p.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        fail('%s did not finish within %d s' % (what, TIMEOUT))
    lines = parse_json_lines('\n'.join(x for x in out.splitlines() if x.startswith('{')), what)
    check(lines and lines[-1].get('type') == 'summary', '%s: no summary (stderr %r)' % (what, err))
    return Trace(lines[:-1], lines[-1], None, p.returncode, err, out, [])


tmp = public_tmpdir()
user, uid, gid = useradd()
d = Daemon(args=['--ring-mib', str(RING_MIB), '--session-processes', '50'])
a = b = None
stopped = False
try:
    ipctrace, pipe, holdtree = public_copy([IPCTRACE, example('pipe'), example('holdtree')], tmp)
    pidfile, b_report = os.path.join(tmp, 'a.pid'), os.path.join(tmp, 'b.json')

    b = popen_as(uid, gid, [ipctrace, 'run', '-s', d.socket, '-o', 'json', '--', 'sh', '-c',
                            'read x; exec "$0" 1000', pipe], env={'IPCTRACE_REPORT': b_report})
    # A's events are records (-c --signals: counted by the daemon, every one through the ring).
    a = popen_as(NOBODY, NOBODY, [ipctrace, 'run', '-s', d.socket, '-c', '--signals', '-o', 'json', '--', 'sh', '-c',
                                  '"$0" 200 && echo $$ > "$2" && exec "$1" 1000000', holdtree, pipe, pidfile])
    a_pid = int(wait_until(lambda: read_file(pidfile).strip() or (a.poll() is not None and fail(
        'A\'s trace ended early (status %r): %r' % (a.returncode, a.communicate()))), 'A\'s flood starts'))
    writer = wait_until(lambda: child_of(a_pid), 'A\'s pipe forks its writer')
    passed('A\'s holdtree 200 done, its pipe %d writing (writer %d); B\'s shell held' % (a_pid, writer))

    os.kill(d.pid, signal.SIGSTOP)
    stopped = True
    ring_records = (RING_MIB << 20) // RECORD
    start = writes_of(writer)
    wait_until(lambda: writes_of(writer) - start >= 2 * ring_records, 'A writes twice what the ring holds')
    b.stdin.write('go\n')
    b.stdin.flush()
    b_rep = wait_until(lambda: report(b_report), 'B\'s pipe 1000 runs to its end')
    flooded = writes_of(writer) - start
    os.kill(d.pid, signal.SIGCONT)
    stopped = False

    t = finish(b, 'B\'s trace')
    t.report = b_rep
    check_pipe_counts(t, 'B\'s trace while A floods')
    check_eq('B\'s lost_ring', 0, t.summary.get('lost_ring'))
    passed('B\'s pipe 1000, run while the daemon was stopped and A made %d writes (the ring holds %d '
           'records): exact, %d writes and %d reads, 0 lost' % (flooded, ring_records, b_rep['writes'],
                                                                 b_rep['reads']))

    # Its million writes may be over by now; if not, they need not be.
    for pid in (writer, a_pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    ta = finish(a, 'A\'s trace')
    lost = ta.summary.get('lost_ring')
    check(lost and lost > 0, 'A\'s trace: lost_ring %r: the ring never filled, so this proved nothing' % lost)
    # The shell and holdtree are 2 of the 50: 48 of holdtree's children are traced.
    check_eq('A\'s untraced_processes (holdtree 200 past the cap of 50)', 152,
             ta.summary.get('untraced_processes'))
    passed('A\'s trace: %d records lost, its own; %d of holdtree\'s children kept out by the cap of 50'
           % (lost, ta.summary.get('untraced_processes')))
finally:
    if stopped:
        os.kill(d.pid, signal.SIGCONT)
    for p in (a, b):
        if p and p.poll() is None:
            p.kill()
            p.wait()
    d.cleanup()
    userdel(user)
    shutil.rmtree(tmp, ignore_errors=True)
done()
