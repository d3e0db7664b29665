#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The bound on a session's wait for its handlers' names (daemon/records.c,
NAME_WAIT_S: 30 s). The daemon's symbols worker is held in a ptrace stop
(sigcommon.SymbolsStopped) for the whole of `sigcases discard`, as a
worker wedged on a file would be: the session is listed as `ending`, and
30 s after its end was due (not sooner: the test started `run` before
that) the loop's periodic work gives up: `ipctrace run` returns with the
records, their handlers unnamed (their addresses, `handler_addr`: never
a guessed name), stats counts the two, and ipctraced says so on stderr.
Then, the worker still stopped, the daemon is told to quit (SIGTERM) while
another such session is ending: it waits no more, the records go out
unnamed before session_end, and it exits 0 once the worker can be joined."""

import signal
import time

from common import Daemon, check, check_eq, connect, done, passed, request, wait_until
from sigcommon import CaseInThread, SymbolsStopped, describe, discard_handled, session_ending

BOUND_S = 30


def check_unnamed(t):
    """The records of `sigcases discard`, the handled ones with their handlers' addresses, not names."""
    for r in discard_handled(t).values():
        check_eq('%s: handler (unnamed: its address)' % describe(r), r['handler_addr'], r['handler'])


def said(what):
    """ipctraced's lines on stderr that say what."""
    with open(d.log) as f:
        return [l.strip() for l in f if what in l]


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
check_unnamed(t)
check_eq('handlers left unnamed (stats)', 2, request(side, {'cmd': 'stats'})['symbols']['unnamed'])
check_eq('what ipctraced said of it', 1, len(said('were not read within %d s' % BOUND_S)))
passed('after %.1f s, the records went out, their handlers unnamed: "%s"'
       % (waited, said('were not read within')[0]))

# A daemon told to quit waits no more: the session that is ending ends at once.
case = CaseInThread('discard', d.socket)
s = wait_until(lambda: session_ending(side, 'sigcases') or not case.running(),
               'the second sigcases session to be listed as ending', BOUND_S)
check(case.running() and s, 'ipctrace run returned before its session was listed as ending')
start = time.monotonic()
d.proc.send_signal(signal.SIGTERM)
t = case.result(BOUND_S)
check_unnamed(t)
check_eq('what ipctraced said of it', 1, len(said('quitting before a handler\'s symbols were read')))
passed('told to quit while session %d was ending, it ended it %.1f s later, its handlers unnamed'
       % (s['session'], time.monotonic() - start))
# The worker, still stopped, is joined at exit.
stopped.go_on()
check_eq('ipctraced exit status', 0, d.proc.wait(BOUND_S))
side.close()
d.cleanup()
done()
