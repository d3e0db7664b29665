#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`detach` is exact: a session that is detached while its program waits at
a gate has every event the program made before the detach, in its stream
and in the log, and none after.

`gated N` (examples/gated.c) writes N messages into a pipe and sends itself
SIGUSR1 N times, writes its report once those calls have returned (the
handshake), then waits until its stdin is readable and makes as many calls
again. The test attaches to a process that execs it when told (`ipctrace
attach -o json`), waits for the report, detaches the session with `ipctrace
detach` from another client, opens the gate, and compares with the report,
for a few rounds:
- attach: exit 0, the summary says "ended (detached)", nothing lost;
- the stream: the program's writes (count and bytes), kills, deliveries to
  its handler and handler returns, exactly as the report counts them;
- the log (`ipctrace log session=S`): the same events as the stream;
- `sessions` right after the detach's reply: the session ended, "detached".
And `ipctrace run -- gated N` detached so by another client: it says so (not
as a lost connection), waits for its command untraced, and exits with its
status; its stream and log have the events before the gate, exactly.

What the fix is about, a record another CPU is still writing when the
daemon drains at the detach, cannot be brought about from outside: the
handshake makes every counted call return first. These rounds check that
the detach waits for nothing it should not and loses nothing it has."""

import json
import os
import re
import subprocess
import sys
import tempfile

from common import (IPCTRACE, Daemon, _context, check, check_eq, connect, done, example, fail, parse_report,
                    passed, request, run_cli, run_env, select_events, total_bytes, wait_until)
from logcommon import log, same_events, wait_stats
from textcommon import stop

N, ROUNDS, TIMEOUT = 300, 3, 60
# Says it is ready by closing a pipe (before the attach), waits until its second pipe is readable
# (select: not traced), then becomes gated, whose stdin is the gate.
HOLD = ('import os, select, sys\nos.close(int(sys.argv[1]))\nselect.select([int(sys.argv[2])], [], [])\n'
        'os.execv(sys.argv[3], sys.argv[3:])')


def report_when_written(path, p):
    """The report once its line is whole; None while it is not (fails if run exited first)."""
    with open(path) as f:
        text = f.read()
    if p.poll() is not None:
        fail('the held process exited %r before gated reached its gate' % p.returncode)
    return parse_report(text) if text.endswith('\n') else None


def ended(cli, what):
    """Waits for cli to exit (fails after TIMEOUT)."""
    try:
        cli.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        fail('%s did not end within %d s' % (what, TIMEOUT))


def outputs(out, err):
    """What the temporary files out and err hold, as text; also kept for a failure's context."""
    out.seek(0)
    err.seek(0)
    _context['stdout'], _context['stderr'] = out.read().decode(errors='replace'), err.read().decode(errors='replace')
    return _context['stdout'], _context['stderr']


def sessions_of(sock, pid):
    """The daemon's list of sessions (live and ended) whose first process is pid."""
    s = connect(sock)
    try:
        r = request(s, {'cmd': 'sessions'})
    finally:
        s.close()
    check(r.get('ok'), 'sessions: %r' % r)
    return [x for x in r['sessions'] if x['pid'] == pid]


def one_round(sock, k):
    fd, report_path = tempfile.mkstemp(prefix='ipctrace-e2e-report-', suffix='.json')
    os.close(fd)
    ready_r, ready_w = os.pipe()
    hold_r, hold_w = os.pipe()
    held = subprocess.Popen([sys.executable, '-c', HOLD, str(ready_w), str(hold_r), example('gated'), str(N)],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            pass_fds=(ready_w, hold_r), env=run_env({'IPCTRACE_REPORT': report_path}))
    os.close(ready_w)
    os.close(hold_r)
    with os.fdopen(ready_r, 'rb') as f:
        check_eq('the held process\'s ready pipe', b'', f.read())
    cmd = [IPCTRACE, 'attach', '-s', sock, '-p', str(held.pid), '-o', 'json']
    _context.clear()
    _context['cmd'] = ' '.join(cmd)
    try:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            cli = subprocess.Popen(cmd, env=run_env(), stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            try:
                wait_stats(sock, lambda s: s['traced_processes'] == 1 and s['sessions'] == 1 or
                           cli.poll() is not None, 'attach -p %d traced' % held.pid)
                check(cli.poll() is None, 'round %d: attach exited %r before gated ran' % (k, cli.poll()))
                os.close(hold_w)
                hold_w = -1
                rep = wait_until(lambda: report_when_written(report_path, held), 'gated %d: its report' % N)
                mine = sessions_of(sock, held.pid)
                check_eq('round %d: live sessions of pid %d' % (k, held.pid), 1, len(mine))
                sid = mine[0]['session']
                r = run_cli(['detach', '-s', sock, str(sid)])
                check_eq('round %d: ipctrace detach %d: exit status (stderr %r)' % (k, sid, r.stderr),
                         0, r.returncode)
                # The reply came after the end: the session is over already.
                check_eq('round %d: session %d after the detach\'s reply: (state, reason)' % (k, sid),
                         [('ended', 'detached')], [(x['state'], x.get('reason')) for x in sessions_of(sock, held.pid)])
                held.stdin.close()
                check_eq('round %d: gated: exit status' % k, 0, held.wait(timeout=TIMEOUT))
                ended(cli, 'round %d: attach, after the detach,' % k)
            finally:
                stop(cli)
                stop(held)
            stdout, stderr = outputs(out, err)
    finally:
        if hold_w >= 0:
            os.close(hold_w)
        os.unlink(report_path)
    check_eq('round %d: attach: exit status (stderr %r)' % (k, stderr), 0, cli.returncode)
    objs = [json.loads(line) for line in stdout.splitlines() if line.startswith('{')]
    check(objs and objs[-1].get('type') == 'summary', 'round %d: no summary last' % k)
    ev, summary = objs[:-1], objs[-1]
    check(re.fullmatch(r'session %d ended \(detached\)' % sid, summary['status']),
          'round %d: summary status %r' % (k, summary['status']))
    check_eq('round %d: summary (events, lost)' % k, (len(ev), 0), (summary['events'], summary['lost']))
    check_eq('round %d: the report\'s pid' % k, held.pid, rep['pid'])
    check_stream('round %d' % k, ev, rep, sock, sid)
    return len(ev)


def check_stream(what, ev, rep, sock, sid):
    """The events of gated before its gate, exactly as its report counts them, in the stream and the log."""
    pid = rep['pid']
    w = select_events(ev, type='write', pid=pid, fd=rep['write_fd'])
    check_eq('%s: writes, bytes before the detach' % what, (rep['writes'], rep['bytes_written']),
             (len(w), total_bytes(w)))
    check_eq('%s: kills before the detach' % what, rep['kill'],
             len(select_events(ev, type='kill', pid=pid, sig='SIGUSR1', ret=0)))
    check_eq('%s: deliveries to on_sigusr1' % what, rep['handled'],
             len(select_events(ev, type='signal_deliver', pid=pid, sig='SIGUSR1', handler='on_sigusr1')))
    check_eq('%s: handler returns' % what, rep['handled'], len(select_events(ev, type='rt_sigreturn', pid=pid)))
    same_events('%s: the log of session %d vs its stream' % (what, sid), ev, log(sock, 'session=%d' % sid))


def run_round(sock):
    """`ipctrace run` detached by another client: it says so, waits for its command untraced, exits with its status."""
    fd, report_path = tempfile.mkstemp(prefix='ipctrace-e2e-report-', suffix='.json')
    os.close(fd)
    cmd = [IPCTRACE, 'run', '-s', sock, '-o', 'json', '--', example('gated'), str(N)]
    _context.clear()
    _context['cmd'] = ' '.join(cmd)
    try:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            cli = subprocess.Popen(cmd, env=run_env({'IPCTRACE_REPORT': report_path}), stdin=subprocess.PIPE,
                                   stdout=out, stderr=err)
            try:
                rep = wait_until(lambda: report_when_written(report_path, cli), 'run gated %d: its report' % N)
                mine = sessions_of(sock, rep['pid'])
                check_eq('run: live sessions of pid %d' % rep['pid'], 1, len(mine))
                sid = mine[0]['session']
                r = run_cli(['detach', '-s', sock, str(sid)])
                check_eq('run: ipctrace detach %d: exit status (stderr %r)' % (sid, r.stderr), 0, r.returncode)
                cli.stdin.close()
                ended(cli, 'run, after its command\'s gate,')
            finally:
                stop(cli)
            stdout, stderr = outputs(out, err)
    finally:
        os.unlink(report_path)
    check_eq('run: exit status, gated\'s own (stderr %r)' % stderr, 0, cli.returncode)
    check(re.search(r'^ipctrace: session %d was detached by `ipctrace detach`; %s \(pid %d\) goes on untraced, '
                    r'and is waited for$' % (sid, re.escape(example('gated')), rep['pid']), stderr, re.M),
          'run: stderr %r' % stderr)
    check('lost the connection' not in stderr, 'run: a detach said as a lost connection: %r' % stderr)
    objs = [json.loads(line) for line in stdout.splitlines() if line.startswith('{')]
    check(objs and objs[-1].get('type') == 'summary', 'run: no summary last')
    ev, summary = objs[:-1], objs[-1]
    check_eq('run: summary (events, lost, exit_code, status)', (len(ev), 0, 0, 'exited 0'),
             (summary['events'], summary['lost'], summary['exit_code'], summary['status']))
    check_stream('run', ev, rep, sock, sid)
    return len(ev)


d = Daemon()
try:
    n = run_round(d.socket)
    passed('run detached by another client: said, its command waited for (exit 0), %d events exactly' % n)
    for k in range(ROUNDS):
        n = one_round(d.socket, k)
        passed('round %d: detached at the gate: %d events, the program\'s %d writes and %d kills exactly, '
               'in the stream and the log; none after' % (k, n, N, N))
    check(d.alive(), 'the daemon died')
finally:
    d.cleanup()
done()
