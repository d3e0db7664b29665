#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A session's end waits for its handlers' names without stopping the
daemon (daemon/records.c). The daemon's symbols worker (the thread
"ipct-syms", lib/symbols.c) is held in a ptrace stop from before
`sigcases discard` installs its handlers to after the session's end is
due: the program's files are still unread when its signals are delivered
and when it exits, as on a machine too slow to read them in time, however
long that lasts here. Meanwhile:

- the session is listed as `ending` and `ipctrace run` has not returned
  (its session_end notice waits behind the records);
- the daemon serves other clients: `sessions` answers, and a whole other
  session (`pipe 100`, which installs no handler) starts, streams every
  write and read its program counts, and ends;
- once the worker goes on, the records go out named (on_usr1, on_winch,
  the program's own functions) before session_end (`run` prints the
  records it got before that notice), exactly as sig_discard checks them,
  and no handler was left unnamed (stats)."""

import ctypes
import json
import os
import threading
import time

from common import (Daemon, check, check_eq, check_pipe_counts, connect, done, example, fail, passed, request,
                    run_cli, trace)
from sigcommon import by_id, check_exact_records, check_fields, select_records, trace_case

PTRACE_DETACH = 17
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
WALL = 0x40000000           # waitpid's __WALL: a thread of another process
TIMEOUT = 60

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]


def ptrace(req, tid):
    if libc.ptrace(req, tid, None, None) < 0:
        e = ctypes.get_errno()
        fail('ptrace(%d, %d): %s' % (req, tid, os.strerror(e)))


def worker_tid(pid):
    for tid in os.listdir('/proc/%d/task' % pid):
        with open('/proc/%d/task/%s/comm' % (pid, tid)) as f:
            if f.read().strip() == 'ipct-syms':
                return int(tid)
    fail('ipctraced %d has no thread named ipct-syms (its symbols worker)' % pid)


def wait_until(pred, what):
    """Polls a state the daemon reaches (a handshake on state, not a delay)."""
    deadline = time.monotonic() + TIMEOUT
    while not pred():
        if time.monotonic() > deadline:
            fail('timed out waiting for %s' % what)
        time.sleep(0.01)


def unnamed(sock):
    return request(sock, {'cmd': 'stats'}).get('symbols', {}).get('unnamed')


d = Daemon()
side = connect(d.socket)
tid = worker_tid(d.pid)
ptrace(PTRACE_SEIZE, tid)
ptrace(PTRACE_INTERRUPT, tid)
_, status = os.waitpid(tid, WALL)
check(os.WIFSTOPPED(status), 'the symbols worker %d did not stop (status %#x)' % (tid, status))
passed('the symbols worker (thread %d of ipctraced %d) is stopped' % (tid, d.pid))

# `run` in a thread: it returns only at its session's end, which this test holds back.
result = {}


def run_case():
    try:
        result['trace'] = trace_case('discard', socket=d.socket)
    except SystemExit as ex:             # fail() in this thread: said, and told to the main one
        result['exit'] = ex.code


runner = threading.Thread(target=run_case)
runner.start()


def ending():
    """The session of sigcases, once listed as ending (its end waits for names)."""
    for s in request(side, {'cmd': 'sessions'})['sessions']:
        if s.get('command') == 'sigcases' and s.get('state') == 'ending':
            return s
    check(runner.is_alive(), 'ipctrace run returned before its session was listed as ending '
          '(the daemon did not wait for the handlers\' names: %r)' % result)
    return None


wait_until(ending, 'the sigcases session to be listed as ending')
s = ending()
check_eq('the ending session\'s traced processes', 0, s.get('processes'))
check(runner.is_alive(), 'ipctrace run returned while its session was ending: %r' % result)
passed('session %d is ending, its end waiting for its handlers\' names; ipctrace run waits for it'
       % s['session'])

# Another client's whole session, while the first one's end waits.
other = trace([example('pipe'), '100'], socket=d.socket, timeout=TIMEOUT)
rep = check_pipe_counts(other, 'pipe 100, traced while the other session ended')
check(runner.is_alive() and ending(), 'the sigcases session stopped waiting while the worker was stopped')
check_eq('handlers left unnamed so far (stats)', 0, unnamed(side))
passed('meanwhile the daemon served another session: pipe 100, %d writes and %d reads as it counts them'
       % (rep['writes'], rep['reads']))

ptrace(PTRACE_DETACH, tid)
runner.join(TIMEOUT)
check(not runner.is_alive(), 'ipctrace run did not return within %d s of the worker going on' % TIMEOUT)
if 'exit' in result:
    fail('the traced sigcases failed (above)')
t = result['trace']
pid = t.report['pid']
check_exact_records(t, {pid: [('SIGUSR1', 'discarded'), ('SIGUSR1', 'handled'),
                              ('SIGWINCH', 'discarded'), ('SIGWINCH', 'handled')]})
for sig, handler in (('SIGUSR1', 'on_usr1'), ('SIGWINCH', 'on_winch')):
    _, second = by_id(select_records(t.records, sig=sig, target_pid=pid))
    check_fields(second, outcome='handled', action='handler', handler=handler)
check_eq('handlers left unnamed (stats)', 0, unnamed(side))
ended = [x for x in request(side, {'cmd': 'sessions'})['sessions'] if x['session'] == s['session']]
check_eq('the session, once ended', [('ended', 'exited')], [(x['state'], x.get('reason')) for x in ended])
passed('once the worker went on, the records came named (on_usr1, on_winch) before session_end')
r = run_cli(['signals', '-s', d.socket, '-o', 'json', 'pid=%d' % pid])
check_eq('ipctrace signals exit status (%s)' % r.stderr.strip(), 0, r.returncode)
check_eq('the logged handled records\' handlers', ['on_usr1', 'on_winch'],
         sorted(o['handler'] for o in map(json.loads, r.stdout.splitlines()) if o['outcome'] == 'handled'))
passed('the log has them named too')
side.close()
d.cleanup()
done()
