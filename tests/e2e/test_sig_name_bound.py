#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The bound on a session's wait for its handlers' names (daemon/records.c,
NAME_WAIT_S: 30 s). The daemon's symbols worker is held in a ptrace stop
(sigcommon.SymbolsStopped) for the whole of `sigcases discard`, as a
worker wedged on a file would be: the session is listed as `ending`, and
30 s after its end was due (not sooner: the test started `run` before
that) the loop's periodic work gives up: `ipctrace run` returns with the
records, their handlers unnamed (their addresses, `handler_addr`: never
a guessed name), stats counts the two, and ipctraced says so on stderr."""

import time

from common import Daemon, check, check_eq, connect, done, passed, request, wait_until
from sigcommon import (CaseInThread, SymbolsStopped, by_id, check_exact_records, check_fields, select_records,
                       session_ending)

BOUND_S = 30

d = Daemon()
side = connect(d.socket)
stopped = SymbolsStopped(d.pid)
start = time.monotonic()
case = CaseInThread('discard', d.socket)
s = wait_until(lambda: session_ending(side, 'sigcases') or not case.running(),
               'the sigcases session to be listed as ending', BOUND_S)
check(case.running() and s, 'ipctrace run returned before its session was listed as ending')
passed('session %d is ending, the worker stopped' % s['session'])

t = case.result(BOUND_S * 3)
waited = time.monotonic() - start
check(waited >= BOUND_S, 'ipctrace run returned %.1f s after it started, before the %d s bound on the '
      'names' % (waited, BOUND_S))
pid = t.report['pid']
check_exact_records(t, {pid: [('SIGUSR1', 'discarded'), ('SIGUSR1', 'handled'),
                              ('SIGWINCH', 'discarded'), ('SIGWINCH', 'handled')]})
for sig in ('SIGUSR1', 'SIGWINCH'):
    _, second = by_id(select_records(t.records, sig=sig, target_pid=pid))
    check_fields(second, outcome='handled', action='handler', handler=second['handler_addr'])
check_eq('handlers left unnamed (stats)', 2, request(side, {'cmd': 'stats'})['symbols']['unnamed'])
with open(d.log) as f:
    said = [l for l in f if 'were not read within %d s' % BOUND_S in l]
check_eq('what ipctraced said of it', 1, len(said))
passed('after %.1f s, the records went out, their handlers unnamed (%s): "%s"'
       % (waited, second['handler'], said[0].strip()))
stopped.go_on()
side.close()
d.cleanup()
done()
