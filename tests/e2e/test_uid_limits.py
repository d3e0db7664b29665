#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A daemon shared by users who may not stop it for each other
(ipctraced(8), "LIMITS"):

- while nobody holds 20,000 connections to it (from as few processes as
  the descriptor limit allows), the daemon keeps 64 of them (the default
  --uid-connections) and answers each of the others with an error that
  names the limit; nobody's `ipctrace stats` says so and exits 1; root's
  `ipctrace stats` answers within 1 s and shows nobody's 64 connections;
  root's `ipctrace run` of `pipe 200` is exact; the daemon's CPU while the
  connections are held stays under 10% of one CPU; once they are closed,
  it serves as before (nobody's stats works, its use is gone);
- with 200 descriptors (prlimit) and --reserve 100, users together get
  100 connections, the 101st is refused with the users' limit, and root is
  still served; root then takes every descriptor left: accept fails with
  EMFILE, and the daemon pauses its listener instead of spinning (its CPU
  under 10%, "paused" in its log); once root lets go, it serves again
  (stats counts the pauses);
- with --uid-sessions 1, nobody's second `ipctrace run` while its first
  runs is refused with the limit named (exit 1); root's run is not;
- with --uid-processes 60, nobody's two sessions, both started while
  small, together never trace more than 60 processes: once the first
  holds 31 (a shell and 30 readers), the second's `holdtree 40` gets 29
  traced and 12 counted as untraced_processes (their forks say so), and
  `stats` shows nobody tracing 60."""

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time

from common import (IPCTRACE, NOBODY, Daemon, check, check_eq, check_pipe_counts, done, example, fail,
                    passed, run_cli, select_events, trace)
from logcommon import public_tmpdir

FLOOD = 20000
TIMEOUT = 60

# Run as nobody: opens N connections, sends each a stats request, reads each answer, prints
# {"accepted": N, "refused": N, "error": the first refusal's message}, and holds them all
# until its stdin closes.
FLOOD_PY = r'''
import json, socket, struct, sys
path, n = sys.argv[1], int(sys.argv[2])
req = json.dumps({"cmd": "stats"}).encode()
req = struct.pack("<IHH", len(req), 1, 0) + req
socks = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)     # blocking: waits while the listen queue is full
    s.settimeout(60)
    socks.append(s)
out = {"accepted": 0, "refused": 0, "error": None}
for s in socks:
    try:
        s.sendall(req)
    except OSError:
        pass            # refused: the daemon has hung up, its answer waits to be read
for s in socks:
    buf = b""
    while len(buf) < 8 or len(buf) < 8 + struct.unpack("<I", buf[:4])[0]:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    r = json.loads(buf[8:8 + struct.unpack("<I", buf[:4])[0]])
    if r.get("ok"):
        out["accepted"] += 1
    else:
        out["refused"] += 1
        out["error"] = out["error"] or r
print(json.dumps(out), flush=True)
sys.stdin.read()
'''


def cpu_seconds(pid):
    """The process's user and system time, all its threads, in seconds."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def flood(sock, n):
    """nobody's processes holding n connections, as many processes as the descriptor limit
    (which root may not raise here) needs; and what the daemon answered on them."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    per = n if hard == resource.RLIM_INFINITY else min(n, hard - 64)

    def pre():
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    procs, got = [], {'accepted': 0, 'refused': 0, 'error': None}
    # The Debian python, which nobody may run (the tests' may be in root's home).
    py = '/usr/bin/python3' if os.path.exists('/usr/bin/python3') else sys.executable
    for k in range(0, n, per):
        p = subprocess.Popen([py, '-c', FLOOD_PY, sock, str(min(per, n - k))], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, preexec_fn=pre, cwd='/', universal_newlines=True)
        procs.append(p)
        line = p.stdout.readline()
        if not line:
            p.wait(TIMEOUT)
            fail('the flood of %d connections failed (status %r)' % (n, p.returncode))
        one = json.loads(line)
        got['accepted'] += one['accepted']
        got['refused'] += one['refused']
        got['error'] = got['error'] or one['error']
    return procs, got


def release(procs):
    for p in procs:
        p.stdin.close()
        check_eq('the flood\'s exit status', 0, p.wait(TIMEOUT))


def stats(sock):
    """root's `ipctrace stats -o json`, and how long it took."""
    t0 = time.monotonic()
    r = run_cli(['stats', '-s', sock, '-o', 'json'], timeout=TIMEOUT)
    took = time.monotonic() - t0
    check_eq('stats: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    return json.loads(r.stdout), took


def users(st):
    return {u['uid']: u for u in st['users']}


def nobody_stats(sock):
    return subprocess.run(['setpriv', '--reuid=%d' % NOBODY, '--regid=%d' % NOBODY, '--clear-groups',
                           IPCTRACE, 'stats', '-s', sock, '-o', 'json'], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=TIMEOUT, cwd='/')


d = Daemon()
try:
    cpu0 = cpu_seconds(d.pid)
    t0 = time.monotonic()
    p, got = flood(d.socket, FLOOD)
    setup_cpu, setup_wall = cpu_seconds(d.pid) - cpu0, time.monotonic() - t0
    try:
        check_eq('connections kept of %d' % FLOOD, 64, got['accepted'])
        check_eq('connections refused', FLOOD - 64, got['refused'])
        check_eq('the refusal', {'ok': False, 'limit': True,
                                 'error': 'connection limit reached: uid 65534 has 64 connections open, the '
                                          'most a user may have (ipctraced --uid-connections)'}, got['error'])
        passed('nobody opened %d connections: 64 kept, %d refused with the limit named (daemon CPU %.2f s '
               'in %.1f s of flood)' % (FLOOD, FLOOD - 64, setup_cpu, setup_wall))

        cpu0, t0 = cpu_seconds(d.pid), time.monotonic()
        st, took = stats(d.socket)
        check(took < 1, 'root\'s stats took %.2f s while nobody holds %d connections' % (took, FLOOD))
        check_eq('nobody\'s use', {'uid': NOBODY, 'connections': 64, 'sessions': 0, 'traced_processes': 0,
                                   'queued_bytes': 0}, users(st).get(NOBODY))
        r = nobody_stats(d.socket)
        check_eq('nobody\'s stats over the limit: exit status', 1, r.returncode)
        check_eq('nobody\'s stats over the limit: message',
                 'ipctrace: connection limit reached: uid 65534 has 64 connections open, the most a user may '
                 'have (ipctraced --uid-connections)', r.stderr.strip())
        rep = check_pipe_counts(trace([example('pipe'), '200'], socket=d.socket),
                                'root\'s run while nobody floods')
        time.sleep(2)       # a spinning daemon shows in its CPU time over any span: this one is long enough to measure
        cpu, wall = cpu_seconds(d.pid) - cpu0, time.monotonic() - t0
        check(cpu < 0.1 * wall, 'the daemon used %.2f s of CPU in %.2f s while the connections were held'
              % (cpu, wall))
        passed('while held: root\'s stats in %.3f s (nobody: 64 connections), nobody told "connection limit '
               'reached" (exit 1), root\'s run exact (%d writes, %d reads), daemon CPU %.1f%% over %.1f s'
               % (took, rep['writes'], rep['reads'], 100 * cpu / wall, wall))
    finally:
        release(p)

    r = nobody_stats(d.socket)
    check_eq('nobody\'s stats after the flood: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    check_eq('nobody sees its own use only', [NOBODY], [u['uid'] for u in json.loads(r.stdout)['users']])
    st, _ = stats(d.socket)
    check_eq('after the flood: users', [0], sorted(users(st)))
    check_pipe_counts(trace([example('pipe'), '200'], socket=d.socket), 'root\'s run after the flood')
    passed('after the flood: nobody served, its connections gone from the use, root\'s run exact')
finally:
    d.cleanup()

# 200 descriptors: users get 100 together, and root the reserve, until root takes them all.
d = Daemon(wrapper=['prlimit', '--nofile=200:200'], args=['--uid-connections', '1000', '--reserve', '100'])
try:
    p, got = flood(d.socket, 101)
    try:
        check_eq('users\' connections kept', 100, got['accepted'])
        check_eq('the 101st', 'connection limit reached: users hold 100 connections, the most all users '
                 'together may; the rest are kept for root and the ipctrace group (ipctraced --reserve)',
                 got['error'] and got['error']['error'])
        st, took = stats(d.socket)
        check_eq('nobody\'s connections', 100, users(st)[NOBODY]['connections'])
        passed('users together held to 100 of 200 descriptors; root served from the reserve (%.3f s)' % took)
    finally:
        release(p)

    # Root may take all that is left: then accept fails for want of descriptors, which the daemon logs.
    def daemon_log():
        with open(d.log) as f:
            return f.read()
    mine = []
    deadline = time.monotonic() + TIMEOUT
    while 'cannot accept connections (Too many open files): paused' not in daemon_log():
        check(time.monotonic() < deadline, 'the daemon did not pause accepting within %d s (%d connections '
              'of root\'s): %r' % (TIMEOUT, len(mine), daemon_log()[-500:]))
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(d.socket)
            mine.append(s)
        except BlockingIOError:
            s.close()       # the listen queue is full: it is accepted from, or the daemon has paused
            time.sleep(0.01)
    cpu0, t0 = cpu_seconds(d.pid), time.monotonic()
    time.sleep(2)           # the span over which a spinning daemon would burn a CPU
    cpu, wall = cpu_seconds(d.pid) - cpu0, time.monotonic() - t0
    check(cpu < 0.1 * wall, 'out of descriptors, the daemon used %.2f s of CPU in %.2f s' % (cpu, wall))
    for s in mine:
        s.close()
    st, took = stats(d.socket)
    check(st['accept_pauses'] > 0, 'stats: accept_pauses %r' % st['accept_pauses'])
    check(took < 5, 'stats took %.2f s once descriptors were free again (the longest pause is 1 s)' % took)
    check_pipe_counts(trace([example('pipe'), '200'], socket=d.socket),
                      'root\'s run after the descriptors came back')
    passed('out of descriptors (%d connections of root\'s): listener paused, daemon CPU %.1f%% over %.1f s; '
           'served again %.3f s after they closed (%d pauses), root\'s run exact'
           % (len(mine), 100 * cpu / wall, wall, took, st['accept_pauses']))
finally:
    d.cleanup()

# One session per user: the second is refused with the limit named; root is held to none.
d = Daemon(args=['--uid-sessions', '1'])
try:
    held = subprocess.Popen(['setpriv', '--reuid=%d' % NOBODY, '--regid=%d' % NOBODY, '--clear-groups',
                             IPCTRACE, 'run', '-s', d.socket, '--', 'sh', '-c', 'read x; exit 0'],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd='/')
    try:
        deadline = time.monotonic() + TIMEOUT
        while users(stats(d.socket)[0]).get(NOBODY, {}).get('sessions') != 1:
            check(time.monotonic() < deadline and held.poll() is None, 'nobody\'s first session did not start')
            time.sleep(0.01)
        r = subprocess.run(['setpriv', '--reuid=%d' % NOBODY, '--regid=%d' % NOBODY, '--clear-groups',
                            IPCTRACE, 'run', '-s', d.socket, '--', 'true'], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=TIMEOUT, cwd='/')
        check_eq('nobody\'s second session: exit status', 1, r.returncode)
        check_eq('nobody\'s second session: message', 'ipctrace: session limit reached: uid 65534 has 1 '
                 'sessions, the most a user may have (ipctraced --uid-sessions)', r.stderr.strip())
        check_pipe_counts(trace([example('pipe'), '200'], socket=d.socket), 'root\'s run beside it')
    finally:
        held.stdin.close()
        check_eq('nobody\'s first session: exit status', 0, held.wait(TIMEOUT))
    passed('--uid-sessions 1: nobody\'s second session refused, the limit named, exit 1; root\'s run exact')
finally:
    d.cleanup()


def nobody_json_run(sock, args, env=None):
    """nobody's `ipctrace run -o json -- args`, held on a pipe to its stdin."""
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.Popen(['setpriv', '--reuid=%d' % NOBODY, '--regid=%d' % NOBODY, '--clear-groups',
                             IPCTRACE, 'run', '-s', sock, '-o', 'json', '--'] + args, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, cwd='/',
                            env=e)


def json_outcome(p, what):
    """The events and the summary of a nobody_json_run that has its input."""
    out, err = p.communicate(timeout=TIMEOUT)
    check_eq('%s: exit status (stderr %r)' % (what, err), 0, p.returncode)
    lines = [json.loads(x) for x in out.splitlines() if x.startswith('{')]
    check(lines and lines[-1].get('type') == 'summary', '%s: no summary: %r' % (what, lines[-1:]))
    return lines[:-1], lines[-1]


def wait_traced(sock, n, what):
    """Until root's stats say nobody's sessions trace n processes."""
    deadline = time.monotonic() + TIMEOUT
    while users(stats(sock)[0]).get(NOBODY, {}).get('traced_processes') != n:
        check(time.monotonic() < deadline, '%s: nobody does not trace %d processes within %d s' % (what, n, TIMEOUT))
        time.sleep(0.01)


# The per-user cap holds across sessions as they grow, not only when each starts.
d = Daemon(args=['--uid-processes', '60'])
tmp = public_tmpdir()
report_path = os.path.join(tmp, 'holdtree.json')
try:
    a = nobody_json_run(d.socket, ['sh', '-c', 'exec 3<&0; read x; for i in $(seq 30); do cat <&3 >/dev/null & done; '
                                   'wait'])
    b = nobody_json_run(d.socket, ['sh', '-c', 'read x; exec "$0" 40', example('holdtree')],
                        env={'IPCTRACE_REPORT': report_path})
    try:
        wait_traced(d.socket, 2, 'both sessions started')
        a.stdin.write('x\n')
        a.stdin.flush()
        wait_traced(d.socket, 32, 'the first session\'s 30 readers started')
        b.stdin.write('x\n')
        events, summary = json_outcome(b, 'holdtree 40 beside 31 processes')
        with open(report_path) as f:
            rep = json.load(f)
        children = rep['children']
        forks = select_events(events, type='fork', pid=rep['pid'])
        check_eq('holdtree\'s forks, as the program counts them', sorted(children),
                 sorted(e['child_pid'] for e in forks))
        check_eq('holdtree\'s untraced children (60 - 31 - holdtree itself = 28 traced)', children[28:],
                 [e['child_pid'] for e in forks if e.get('untraced')])
        check_eq('the summary\'s untraced_processes', 12, summary.get('untraced_processes'))
        # Its readers end at the end of its input.
        events, summary = json_outcome(a, 'the shell with 30 readers')
        check_eq('the first session\'s untraced forks', [], [e for e in events if e.get('untraced')])
        check_eq('the first session\'s untraced_processes', 0, summary.get('untraced_processes'))
        # Each child the fork program let into the traced set was counted in the set's filter, and
        # uncounted at its exit or the session's end; those it kept out were never counted.
        deadline = time.monotonic() + TIMEOUT
        while stats(d.socket)[0]['sessions']:
            check(time.monotonic() < deadline, 'the two sessions have not ended within %d s' % TIMEOUT)
            time.sleep(0.01)
        check_eq('the traced set\'s filter once both sessions ended', 0, stats(d.socket)[0]['traced_filter'])
    finally:
        for p in (a, b):
            if p.poll() is None:
                p.kill()
    passed('--uid-processes 60: nobody\'s first session holds 31, its second (started beside it) traces 29 '
           'of holdtree\'s 41 and counts 12 untraced')
finally:
    d.cleanup()
    shutil.rmtree(tmp, ignore_errors=True)
done()
