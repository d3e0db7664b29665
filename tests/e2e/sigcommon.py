# SPDX-License-Identifier: MIT
"""Helpers for the signal lifecycle tests (test_sig_*.py): each traces one
`sigcases CASE` (examples/sigcases.c) with `ipctrace run --signals` and
checks the lifecycle records (docs/signals.md) field by field against the
program's report and the raw events."""

import collections
import ctypes
import os
import signal
import threading

from common import (check, check_eq, check_pipe_counts, example, fail, passed, request, select_events,
                    select_records, trace, wait_until)

# Every record has every one of these fields (docs/signals.md, "JSON fields").
RECORD_FIELDS = '''type id session sig signo code via cause sender_pid sender_tid sender_comm
    target_pid target_comm target_tid result blocked generated_ns delivered_ns pending_ns
    delivered_tid action default_action handler handler_addr sa_flags returned_ns outcome
    merged_into discarded_by discarded_ns discarded_tid interrupted interrupted_errno restarted
    exit_status child_pid child_status addr value fd object explanation'''.split()

RESULTS = frozenset(['queued', 'ignored', 'merged', 'overflow', 'lose_info'])
ACTIONS = frozenset([None, 'handler', 'default', 'ignore', 'wait', 'signalfd'])
OUTCOMES = frozenset(['handled', 'terminated', 'core', 'stopped', 'continued', 'ignored',
                      'merged', 'never_delivered', 'accepted', 'dropped', 'unobserved', 'discarded'])
# Outcomes that the contract says come with an explanation.
EXPLAINED = frozenset(['merged', 'ignored', 'never_delivered', 'terminated', 'core', 'discarded'])

PROG = 'sigcases'


def signo_of(name):
    """The number of "SIGUSR1" or "SIGRTMIN+1" (the C library's SIGRTMIN, as Python's)."""
    if name.startswith('SIGRTMIN+'):
        return signal.SIGRTMIN + int(name[len('SIGRTMIN+'):])
    if name.startswith('SIGRTMAX-'):
        return signal.SIGRTMAX - int(name[len('SIGRTMAX-'):])
    return int(signal.Signals[name])


def describe(r):
    return '#%s %s %s[%s] -> %s[%s/%s] %s/%s' % (
        r.get('id'), r.get('sig'), r.get('sender_comm'), r.get('sender_pid'),
        r.get('target_comm'), r.get('target_pid'), r.get('target_tid'),
        r.get('result'), r.get('outcome'))


def check_field(r, field, expected):
    check_eq('%s: %s' % (describe(r), field), expected, r.get(field))


def check_fields(r, **fields):
    for k, v in fields.items():
        check_field(r, k, v)


def check_text(r, field):
    v = r.get(field)
    check(isinstance(v, str) and v.strip() != '',
          '%s: %s should be a non-empty string, got %r' % (describe(r), field, v))
    return v


def trace_case(case, socket=None):
    """Traces `sigcases CASE` with --signals (through the daemon at socket when
    given); checks that the program passed its own checks and that the trace
    is complete (0 lost). The records are checked by the callers, after the
    raw events."""
    t = trace([example(PROG), case], opts=['--signals'], socket=socket)
    rep = t.report
    check(rep is not None, '%s %s wrote no report (ipctrace exit status %d)'
          % (PROG, case, t.returncode))
    check_eq('report: case', case, rep.get('case'))
    check_eq('ipctrace exit status (%s %s exits 1 when its own checks fail; report %r)'
             % (PROG, case, rep), 0, t.returncode)
    check_eq('summary exit_code', 0, t.summary.get('exit_code'))
    check_eq('summary lost', 0, t.summary.get('lost'))
    check_eq('summary events (number of event lines)', len(t.events), t.summary.get('events'))
    return t


def traced_pids(t):
    """The traced command's pid (from its report) and every process it forked."""
    pids = {t.report['pid']}
    for f in select_events(t.events, type='fork'):
        pids.add(f.get('child_pid'))
    return pids


def check_records_wellformed(t):
    """What every record must satisfy, whatever the scenario."""
    recs = t.records
    check(recs, 'no lifecycle records in the output (does `ipctrace run` know --signals?)')
    sessions = {e.get('session') for e in t.events}
    check_eq('sessions of the events', 1, len(sessions))
    ids = set()
    for r in recs:
        missing = [f for f in RECORD_FIELDS if f not in r]
        check(not missing, '%s: missing fields %s' % (describe(r), missing))
        check_field(r, 'type', 'lifecycle')
        check(isinstance(r['id'], int), '%s: id is not an integer' % describe(r))
        check(r['id'] not in ids, '%s: a second record with id %r' % (describe(r), r['id']))
        ids.add(r['id'])
        check_field(r, 'session', next(iter(sessions)))
        check(isinstance(r['sig'], str), '%s: sig is not a string' % describe(r))
        check_field(r, 'signo', signo_of(r['sig']))
        check(r['result'] in RESULTS, '%s: unknown result %r' % (describe(r), r['result']))
        check(r['outcome'] in OUTCOMES, '%s: unknown outcome %r' % (describe(r), r['outcome']))
        check(r['action'] in ACTIONS, '%s: unknown action %r' % (describe(r), r['action']))
        check(isinstance(r['blocked'], bool), '%s: blocked is not a boolean' % describe(r))
        gen, dlv = r['generated_ns'], r['delivered_ns']
        if gen is not None and dlv is not None:
            check_field(r, 'pending_ns', dlv - gen)
            check(dlv >= gen, '%s: delivered before generated' % describe(r))
        else:
            check_field(r, 'pending_ns', None)
        if dlv is None:
            check_field(r, 'delivered_tid', None)
            check_field(r, 'returned_ns', None)
            if r['outcome'] != 'ignored':
                check_field(r, 'action', None)
        elif r['outcome'] != 'ignored':
            check(r['action'] is not None, '%s: delivered without an action' % describe(r))
        check((r['handler'] is not None) == (r['action'] == 'handler'),
              '%s: handler %r with action %r' % (describe(r), r['handler'], r['action']))
        check((r['default_action'] is not None) == (r['action'] == 'default'),
              '%s: default_action %r with action %r'
              % (describe(r), r['default_action'], r['action']))
        if r['returned_ns'] is not None:
            check_field(r, 'action', 'handler')
            check(r['returned_ns'] >= dlv, '%s: returned before delivered' % describe(r))
        check((r['merged_into'] is not None) == (r['outcome'] == 'merged'),
              '%s: merged_into %r with outcome %r'
              % (describe(r), r['merged_into'], r['outcome']))
        check((r['discarded_by'] is not None) == (r['outcome'] == 'discarded') ==
              (r['discarded_ns'] is not None),
              '%s: discarded_by %r, discarded_ns %r with outcome %r'
              % (describe(r), r['discarded_by'], r['discarded_ns'], r['outcome']))
        if r['outcome'] in EXPLAINED:
            check_text(r, 'explanation')
        if r['interrupted'] is None:
            check_field(r, 'restarted', None)
    return recs


def check_exact_records(t, expected):
    """The records for traced processes are exactly `expected`: {pid: [(sig,
    outcome), ...]} in any order (a pid left out expects none). There is
    none for an untraced process: the SIGCHLD that the command's own exit
    sends to ipctrace, which launched it, is ipctrace's business, not the
    program's, and has no record."""
    pids = traced_pids(t)
    for pid in sorted(pids):
        got = collections.Counter((r.get('sig'), r.get('outcome'))
                                  for r in select_records(t.records, target_pid=pid))
        want = collections.Counter(expected.get(pid, ()))
        if got != want:
            fail('records for pid %d: expected %s, got %s; all of them: %s'
                 % (pid, sorted(want.items()), sorted(got.items()),
                    [describe(r) for r in select_records(t.records, target_pid=pid)]))
    for pid in expected:
        check(pid in pids, 'expected records for pid %d, which is not traced' % pid)
    others = [r for r in t.records if r.get('target_pid') not in pids]
    if others:
        fail('records for untraced processes (the SIGCHLD to ipctrace is not one): %s'
             % [describe(r) for r in others])


def check_sigchld_ignored(t, parent, child, status, core=False):
    """The SIGCHLD of a child's end ("exited 0", "killed by SIGTERM"), to a
    parent that left SIGCHLD at SIG_DFL. With a core dump, child_status
    only has to start with `status`."""
    r = one_record(t, 'SIGCHLD to pid %d' % parent, sig='SIGCHLD', target_pid=parent)
    if status.startswith('exited'):
        code = 'CLD_EXITED'
    else:
        code = 'CLD_DUMPED' if core else 'CLD_KILLED'
    check_fields(r, via='kernel', cause='child', code=code, sender_pid=child, child_pid=child,
                 target_tid=None)
    if core:
        check(isinstance(r['child_status'], str) and r['child_status'].startswith(status),
              '%s: child_status %r does not start with %r'
              % (describe(r), r['child_status'], status))
    else:
        check_field(r, 'child_status', status)
    check_ignored_at_generation(r, 'SIG_DFL')
    return r


def check_ignored_at_generation(r, disposition):
    """A signal whose action was to ignore it (disposition 'SIG_IGN', or
    'SIG_DFL' for a signal whose default is to ignore it): dropped when
    generated. The target never acts on it. The record may leave the action
    null or name the disposition: "ignore" for SIG_IGN, "default" with
    default_action "Ign" for SIG_DFL."""
    check_fields(r, result='ignored', outcome='ignored', handler=None, returned_ns=None,
                 merged_into=None)
    check(r['generated_ns'] is not None, '%s: generated_ns is null' % describe(r))
    allowed = [(None, None), ('ignore', None) if disposition == 'SIG_IGN' else ('default', 'Ign')]
    check((r['action'], r['default_action']) in allowed,
          '%s (%s): (action, default_action) is %r, expected one of %r'
          % (describe(r), disposition, (r['action'], r['default_action']), allowed))
    check(r['delivered_ns'] in (None, r['generated_ns']),
          '%s: delivered_ns %r for a signal dropped at generation (%r)'
          % (describe(r), r['delivered_ns'], r['generated_ns']))
    check_text(r, 'explanation')


def one_record(t, what, **conds):
    recs = select_records(t.records, **conds)
    if len(recs) != 1:
        fail('%s: expected exactly 1 record, got %d: %s'
             % (what, len(recs), [describe(r) for r in recs]))
    return recs[0]


def by_id(records):
    return sorted(records, key=lambda r: r['id'])


def discard_handled(t):
    """The records of `sigcases discard` (test_sig_discard checks them field
    by field), exactly; returns its handled ones, by signal."""
    pid = t.report['pid']
    check_exact_records(t, {pid: [('SIGUSR1', 'discarded'), ('SIGUSR1', 'handled'),
                                  ('SIGWINCH', 'discarded'), ('SIGWINCH', 'handled')]})
    handled = {}
    for sig in ('SIGUSR1', 'SIGWINCH'):
        handled[sig] = by_id(select_records(t.records, sig=sig, target_pid=pid))[1]
        check_fields(handled[sig], outcome='handled', action='handler')
    return handled


class SymbolsStopped:
    """ipctraced's symbols worker (its thread "ipct-syms", lib/symbols.c)
    held in a ptrace stop: the ELF files it is handed stay unread, as on a
    machine too slow to read them in any time given, while the daemon's loop
    goes on. The test's exit, a failure's included, lets it go on."""

    SEIZE, INTERRUPT, DETACH = 0x4206, 0x4207, 17
    WALL = 0x40000000       # waitpid's __WALL: a thread, of another process

    def __init__(self, daemon_pid):
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._libc.ptrace.restype = ctypes.c_long
        self._libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
        self.tid = None
        for tid in os.listdir('/proc/%d/task' % daemon_pid):
            with open('/proc/%d/task/%s/comm' % (daemon_pid, tid)) as f:
                if f.read().strip() == 'ipct-syms':
                    self.tid = int(tid)
        check(self.tid, 'ipctraced %d has no thread named ipct-syms (its symbols worker)' % daemon_pid)
        self._ptrace(self.SEIZE)
        self._ptrace(self.INTERRUPT)
        _, status = os.waitpid(self.tid, self.WALL)
        check(os.WIFSTOPPED(status), 'the symbols worker %d did not stop (status %#x)' % (self.tid, status))

    def _ptrace(self, req):
        if self._libc.ptrace(req, self.tid, None, None) < 0:
            fail('ptrace(%#x, %d): %s' % (req, self.tid, os.strerror(ctypes.get_errno())))

    def go_on(self):
        self._ptrace(self.DETACH)


def session_ending(sock, command):
    """The live session of `command` listed as ending (its end waits for
    handler names: docs/protocol.md, "sessions") on connection sock, or None."""
    for s in request(sock, {'cmd': 'sessions'})['sessions']:
        if s.get('command') == command and s.get('state') == 'ending':
            return s
    return None


def unnamed(sock):
    """The handlers the daemon has left unnamed so far (stats)."""
    return request(sock, {'cmd': 'stats'}).get('symbols', {}).get('unnamed')


def ending_meanwhile(sock, side, command, running, timeout):
    """With the symbols worker stopped: the session of `command` is listed
    as ending, its processes gone, while running() says that its `ipctrace
    run` has not returned (its session_end notice waits for a handler's
    name); and the daemon serves other clients meanwhile: a whole other
    session (`pipe 100`, which installs no handler) starts, streams every
    write and read its program counts, and ends, the first still ending.
    Returns the first session's entry in the list."""
    def ending():
        check(running(), 'ipctrace run returned before its session was listed as ending '
              '(the daemon did not wait for the handlers\' names)')
        return session_ending(side, command)

    s = wait_until(ending, 'the %s session to be listed as ending' % command, timeout)
    check_eq('the ending session\'s traced processes', 0, s.get('processes'))
    passed('session %d is ending, its end waiting for handlers\' names; ipctrace run waits for it' % s['session'])
    other = trace([example('pipe'), '100'], socket=sock, timeout=timeout)
    rep = check_pipe_counts(other, 'pipe 100, traced while the other session ended')
    check(ending(), 'the %s session stopped waiting while the worker was stopped' % command)
    passed('meanwhile the daemon served another session: pipe 100, %d writes and %d reads as it counts them'
           % (rep['writes'], rep['reads']))
    return s


class TraceInThread:
    """A trace (run(), which returns a Trace) on a thread of its own:
    `ipctrace run` returns only at its session's end, which the test holds
    back meanwhile."""

    def __init__(self, run, what):
        self.trace = None
        self.failed = False
        self._what = what
        self._thread = threading.Thread(target=self._run, args=(run,))
        self._thread.start()

    def _run(self, run):
        try:
            self.trace = run()
        except SystemExit:          # fail() on this thread: said already
            self.failed = True

    def running(self):
        return self._thread.is_alive()

    def result(self, timeout):
        """Its Trace, once `ipctrace run` returned (within timeout s)."""
        self._thread.join(timeout)
        check(not self._thread.is_alive(), 'ipctrace run did not return within %d s' % timeout)
        if self.failed:
            fail('the traced %s failed (above)' % self._what)
        return self.trace


class CaseInThread(TraceInThread):
    """trace_case(case, socket) on a thread of its own."""

    def __init__(self, case, socket):
        super().__init__(lambda: trace_case(case, socket=socket), PROG)
