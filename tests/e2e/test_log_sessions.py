#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sessions other than `run`, and the log of each (`ipctrace log session=N`):

- `attach -p PID` to a waiting `waitsig`: SIGUSR1 from the test ends it;
  the attach streams its standard streams at the attach (`stdio`), the
  signal's generation and delivery and the exit,
  ends by itself with exit 0, and the log of its session is the same;
- `attach -p PID` to a shell waiting on its stdin: once attached it runs
  `signals 2` in a child, which is traced too (fork, exec, its 2 kills);
- Ctrl-C (SIGINT) on `attach` detaches: exit 0, the process lives on,
  untraced (a signal after it is not logged);
- `attach --background` prints the session id and returns; the session
  goes on into the log and ends when its process exits;
- a process busy with pipe I/O, attached, detached and attached again (its
  threads cache their session in the kernel): its writes are logged in the
  two sessions, exactly, and none from between them;
- `trace --all --background`, then `signals 3` (not started by ipctrace),
  then `detach N`: the log of session N has the program's 3 kills and no
  event of ipctraced; a second `trace --all` meanwhile is refused; after
  the detach nothing more is logged;
- `detach` of a session that does not exist: non-zero, a clear message."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

from common import (IPCTRACE, Daemon, Lines, check, check_eq, done, example, fail, passed, proc_state,
                    run_cli, run_env)
from logcommon import log, parse_json_lines, same_events, stats, wait_stats

TIMEOUT = 60


def waitsig():
    w = subprocess.Popen([example('waitsig')], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    check(Lines(w.stdout).wait_for(lambda ls: 'ready' in ls, TIMEOUT), 'waitsig did not say ready')
    return w


def attach(sock, *args):
    return subprocess.Popen([IPCTRACE, 'attach', '-s', sock, '-o', 'json'] + list(args), env=run_env(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(p, what):
    try:
        out, err = p.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        fail('%s did not end within %d s (stderr %r)' % (what, TIMEOUT, err.decode(errors='replace')))
    out, err = out.decode(errors='replace'), err.decode(errors='replace')
    objs = parse_json_lines('\n'.join(l for l in out.splitlines() if l.startswith('{')), what)
    check(objs and objs[-1].get('type') == 'summary', '%s: no summary at the end: %r' % (what, out[-300:]))
    return p.returncode, objs[:-1], objs[-1], err


# Echoes its stdin to its stdout a byte at a time: a read and a write on pipes per byte.
ECHO = """import os
while True:
    b = os.read(0, 1)
    if not b:
        break
    os.write(1, b)
"""


def round_trips(p, n):
    for _ in range(n):
        p.stdin.write(b'x')
        p.stdin.flush()
        check_eq('byte echoed by pid %d' % p.pid, b'x', p.stdout.read(1))


def attach_background(sock, pid):
    r = run_cli(['attach', '-s', sock, '-p', str(pid), '--background'], timeout=TIMEOUT)
    check(r.returncode == 0 and r.stdout.strip().isdigit(),
          'attach -p %d --background: status %d, stdout %r, stderr %r' % (pid, r.returncode, r.stdout, r.stderr))
    return int(r.stdout.strip())


def wait_logged(sock, pid, session, writes):
    """Until the log has `writes` writes of pid in session (drained every 20 ms or so)."""
    deadline = time.monotonic() + TIMEOUT
    while len(log(sock, 'session=%d' % session, 'pid=%d' % pid, 'type=write')) < writes:
        check(time.monotonic() < deadline, 'the log has not %d writes of pid %d in session %d'
              % (writes, pid, session))
        time.sleep(0.02)


def gone(p):
    if p.poll() is None:
        p.kill()
    p.wait(timeout=TIMEOUT)
    for f in (p.stdin, p.stdout, p.stderr):
        if f:
            f.close()


d = Daemon()
procs = []
try:
    sock = d.socket

    # attach -p to a waiting process; a signal ends it, and the attach with it.
    w = waitsig()
    procs.append(w)
    a = attach(sock, '-p', str(w.pid))
    procs.append(a)
    wait_stats(sock, lambda st: st['sessions'] == 1 and st['traced_processes'] == 1, 'attached to waitsig')
    os.kill(w.pid, signal.SIGUSR1)
    check_eq('waitsig\'s status', -signal.SIGUSR1, w.wait(timeout=TIMEOUT))
    code, events, summary, err = finish(a, 'attach -p %d' % w.pid)
    check_eq('attach exit status (stderr %r)' % err, 0, code)
    # The last: the SIGCHLD waitsig's death sends its parent (this test), after its exit.
    check_eq('event types streamed', ['stdio', 'signal_generate', 'signal_deliver', 'exit', 'signal_generate'],
             [e['type'] for e in events])
    _, gen, _, ex, chld = events
    check_eq('last signal_generate: (sig, target, sender)', ('SIGCHLD', os.getpid(), w.pid),
             (chld.get('sig'), chld.get('target_pid'), chld.get('pid')))
    check_eq('signal_generate: (sig, target, sender, result)', ('SIGUSR1', w.pid, os.getpid(), 'queued'),
             (gen.get('sig'), gen.get('target_pid'), gen.get('sender_pid'), gen.get('result')))
    check_eq('exit: (pid, exit_signal)', (w.pid, 'SIGUSR1'), (ex['pid'], ex.get('exit_signal')))
    check_eq('summary events', 5, summary.get('events'))
    session = gen['session']
    check(all(e['session'] == session for e in events), 'events of several sessions: %r' % events)
    same_events('log session=%d vs what attach streamed' % session, events, log(sock, 'session=%d' % session))
    wait_stats(sock, lambda st: st['sessions'] == 0, 'the session ended')
    passed('attach -p %d (waitsig), SIGUSR1: %s streamed, exit 0; log session=%d the same'
           % (w.pid, [e['type'] for e in events], session))

    # attach to a shell that then starts a child: the child is traced too.
    fd, report = tempfile.mkstemp(prefix='ipctrace-e2e-report-')
    os.close(fd)
    sh = subprocess.Popen(['sh', '-c', 'read x; "$0" 2; echo done', example('signals')], stdin=subprocess.PIPE,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          env=run_env({'IPCTRACE_REPORT': report}))
    procs.append(sh)
    a = attach(sock, '-p', str(sh.pid))
    procs.append(a)
    wait_stats(sock, lambda st: st['sessions'] == 1 and st['traced_processes'] == 1, 'attached to sh')
    sh.stdin.write(b'go\n')
    sh.stdin.close()
    check_eq('sh exit status', 0, sh.wait(timeout=TIMEOUT))
    code, events, summary, err = finish(a, 'attach -p %d (sh)' % sh.pid)
    with open(report) as f:
        rep = json.loads(f.read())
    os.unlink(report)
    check_eq('attach exit status (stderr %r)' % err, 0, code)
    child = rep['pid']
    forks = [e for e in events if e['type'] == 'fork' and e['pid'] == sh.pid]
    check(any(e.get('child_pid') == child for e in forks), 'no fork of %d by sh %d: %r' % (child, sh.pid, forks))
    check(any(e['type'] == 'exec' and e['pid'] == child for e in events), 'no exec of the child %d' % child)
    check_eq('kills of the child %d' % child, rep['kill'],
             len([e for e in events if e['type'] == 'kill' and e['pid'] == child]))
    check_eq('exits: sh and its child', {sh.pid, child}, {e['pid'] for e in events if e['type'] == 'exit'})
    session = events[0]['session']
    same_events('log session=%d (sh and its child)' % session, events, log(sock, 'session=%d' % session))
    same_events('log tree=%d' % sh.pid, [e for e in events if e['pid'] in (sh.pid, child)],
                log(sock, 'tree=%d' % sh.pid))
    passed('attach -p %d (sh), then `signals 2` in a child: fork, exec, %d kills, %d events, all logged'
           % (sh.pid, rep['kill'], len(events)))

    # Ctrl-C detaches: exit 0, the process lives on untraced.
    w = waitsig()
    procs.append(w)
    a = attach(sock, '-p', str(w.pid))
    procs.append(a)
    st = wait_stats(sock, lambda st: st['sessions'] == 1 and st['traced_processes'] == 1, 'attached to waitsig')
    a.send_signal(signal.SIGINT)
    code, events, summary, err = finish(a, 'attach -p %d, then SIGINT' % w.pid)
    check_eq('attach exit status after SIGINT (stderr %r)' % err, 0, code)
    check_eq('events streamed before SIGINT (its streams at the attach)', [('stdio', w.pid)],
             [(e['type'], e['pid']) for e in events])
    st = wait_stats(sock, lambda st: st['sessions'] == 0, 'the session ended by SIGINT')
    check_eq('traced processes after the detach', 0, st['traced_processes'])
    check(w.poll() is None and proc_state(w.pid) not in (None, 'Z'), 'waitsig did not live on after the detach')
    os.kill(w.pid, signal.SIGUSR1)
    check_eq('waitsig\'s status', -signal.SIGUSR1, w.wait(timeout=TIMEOUT))
    check_eq('log pid=%d: only its streams at the attach, nothing after the detach' % w.pid, ['stdio'],
             [e['type'] for e in log(sock, 'pid=%d' % w.pid)])
    check_eq('log target of the signal after the detach', [],
             [e for e in log(sock, 'type=signal_generate') if e.get('target_pid') == w.pid])
    passed('SIGINT on attach: exit 0, waitsig lives on untraced, nothing of it logged')

    # attach --background: the session id, at once; logged until the process ends.
    w = waitsig()
    procs.append(w)
    r = run_cli(['attach', '-s', sock, '-p', str(w.pid), '--background'], timeout=TIMEOUT)
    check_eq('attach --background: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    check(r.stdout.strip().isdigit(), 'attach --background: stdout is not a session id: %r' % r.stdout)
    session = int(r.stdout.strip())
    st = stats(sock)
    check_eq('sessions with the background one', 1, st['sessions'])
    os.kill(w.pid, signal.SIGUSR1)
    check_eq('waitsig\'s status', -signal.SIGUSR1, w.wait(timeout=TIMEOUT))
    wait_stats(sock, lambda st: st['sessions'] == 0, 'the background session ended with its process')
    got = log(sock, 'session=%d' % session)
    check_eq('log session=%d: event types' % session, ['stdio', 'signal_generate', 'signal_deliver', 'exit',
                                                      'signal_generate'],
             [e['type'] for e in got])
    check_eq('log session=%d: the exit' % session, (w.pid, 'SIGUSR1'), (got[3]['pid'], got[3].get('exit_signal')))
    passed('attach --background: session %d printed, logged, ended with waitsig' % session)

    # Attached, detached, attached again, while it works: each write in the right session.
    # (Another session keeps the programs attached in between.)
    w = waitsig()
    procs.append(w)
    attach_background(sock, w.pid)
    echo = subprocess.Popen([sys.executable, '-c', ECHO], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    procs.append(echo)
    s1 = attach_background(sock, echo.pid)
    round_trips(echo, 3)
    wait_logged(sock, echo.pid, s1, 3)
    r = run_cli(['detach', '-s', sock, str(s1)], timeout=TIMEOUT)
    check_eq('detach %d: exit status (stderr %r)' % (s1, r.stderr), 0, r.returncode)
    round_trips(echo, 4)
    s2 = attach_background(sock, echo.pid)
    round_trips(echo, 2)
    wait_logged(sock, echo.pid, s2, 2)
    check_eq('writes of pid %d logged, by session' % echo.pid, [s1] * 3 + [s2] * 2,
             [e['session'] for e in log(sock, 'pid=%d' % echo.pid, 'type=write')])
    echo.stdin.close()
    check_eq('echo\'s exit status', 0, echo.wait(timeout=TIMEOUT))
    os.kill(w.pid, signal.SIGUSR1)
    check_eq('waitsig\'s status', -signal.SIGUSR1, w.wait(timeout=TIMEOUT))
    wait_stats(sock, lambda st: st['sessions'] == 0, 'sessions ended with their processes')
    passed('attach, 3 writes, detach, 4 writes, attach, 2 writes: logged 3 in session %d and 2 in %d'
           % (s1, s2))

    # trace --all --background, a program, detach.
    r = run_cli(['trace', '--all', '--background', '-s', sock], timeout=TIMEOUT)
    check_eq('trace --all --background: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    check(r.stdout.strip().isdigit(), 'trace --all --background: stdout is not a session id: %r' % r.stdout)
    session = int(r.stdout.strip())
    check_eq('sessions with trace --all', 1, stats(sock)['sessions'])
    r = run_cli(['trace', '--all', '--background', '-s', sock], timeout=TIMEOUT)
    check(r.returncode != 0 and 'already' in r.stderr,
          'a second trace --all: status %d, stderr %r' % (r.returncode, r.stderr))
    fd, report = tempfile.mkstemp(prefix='ipctrace-e2e-report-')
    os.close(fd)
    p = subprocess.run([example('signals'), '3'], env=run_env({'IPCTRACE_REPORT': report}),
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=TIMEOUT)
    check_eq('signals 3: exit status', 0, p.returncode)
    with open(report) as f:
        rep = json.loads(f.read())
    pid = rep['pid']
    # Logged once drained (within about 20 ms): wait for its exit in the log.
    deadline = time.monotonic() + TIMEOUT
    while not log(sock, 'session=%d' % session, 'pid=%d' % pid, 'type=exit'):
        check(time.monotonic() < deadline, 'the exit of signals (pid %d) was not logged in session %d'
              % (pid, session))
        time.sleep(0.02)
    r = run_cli(['detach', '-s', sock, str(session)], timeout=TIMEOUT)
    check_eq('detach %d: exit status (stderr %r)' % (session, r.stderr), 0, r.returncode)
    st = stats(sock)
    check_eq('sessions after detach', 0, st['sessions'])
    check_eq('traced processes after detach', 0, st['traced_processes'])
    got = log(sock, 'session=%d' % session)
    kills = [e for e in got if e['type'] == 'kill' and e['pid'] == pid]
    check_eq('log session=%d: kills of signals (pid %d)' % (session, pid), rep['kill'], len(kills))
    check(all(e.get('sig') == 'SIGUSR1' and e.get('target_pid') == pid for e in kills), 'kills: %r' % kills)
    check_eq('log session=%d: events of ipctraced (pid %d)' % (session, d.pid), [],
             [e for e in got if e['pid'] == d.pid])
    p = subprocess.run([example('signals'), '1'], env=run_env({'IPCTRACE_REPORT': report}),
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=TIMEOUT)
    with open(report) as f:
        after = json.loads(f.read())['pid']
    os.unlink(report)
    check_eq('log pid=%d (a program run after the detach)' % after, [], log(sock, 'pid=%d' % after))
    passed('trace --all --background: session %d logged %d events, the 3 kills of pid %d, none of ipctraced; '
           'a second --all refused; nothing after detach' % (session, len(got), pid))

    # detach of a session that does not exist.
    r = run_cli(['detach', '-s', sock, '9999'], timeout=TIMEOUT)
    check(r.returncode != 0, 'detach 9999: exit status 0')
    check('9999' in r.stderr and 'no session' in r.stderr, 'detach 9999: stderr %r' % r.stderr)
    check_eq('detach 9999: stdout', '', r.stdout)
    r = run_cli(['detach', '-s', sock, 'x'], timeout=TIMEOUT)
    check_eq('detach x: exit status (stderr %r)' % r.stderr, 2, r.returncode)
    check(d.alive(), 'the daemon died')
    passed('detach of an unknown session: exit %d, %r' % (1, 'no session 9999'))
finally:
    for p in procs:
        gone(p)
    d.cleanup()
done()
