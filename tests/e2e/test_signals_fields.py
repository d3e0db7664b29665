#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace signals MATCH...` with the fields that test_signals_verb does
not cover: sender, result, cause, action, session, and comm and pid on
senders and targets of every kind (ipctrace(1) "Fields of signals").

A private daemon traces five `sigcases` scenarios, one session each:
merge (handled, merged, ignored), sigpipe (cause pipe, a default action
that terminates), alarm (cause timer, no sender), rtqueue (10 real-time
signals via rt_sigqueueinfo) and segv (cause fault). From their reports
alone the test builds every record the daemon must hold (with the SIGCHLD
each exit sends its parent: ignored by a sigcases parent; none when the
parent is ipctrace, which launched it: that SIGCHLD is ipctrace's own
business), checks that the unfiltered query is exactly that,
then that each match returns what the same match selects from the model:
each field alone, twice (OR) and with another (AND). Bad values of each
field: exit 2, the error names the field and the value, lists the valid
values where there is a list; the daemon still answers."""

import collections
import json

from common import Daemon, check, check_eq, done, example, passed, run_cli
from textcommon import run_reported

Rec = collections.namedtuple('Rec', 'session sig sender target sender_comm target_comm result cause action '
                                    'outcome')


def model(case, r, session):
    """The records a `sigcases CASE` run must leave, from its report."""
    rep, me = r.report, r.report['pid']

    def rec(sig, sender, target, result, cause, action, outcome):
        return Rec(session, sig, sender, target, 'sigcases' if sender else None, 'sigcases', result, cause,
                   action, outcome)

    out = []
    if case == 'merge':
        out += [rec('SIGUSR1', me, me, 'queued', None, 'handler', 'handled')] * rep['handled']
        out += [rec('SIGUSR1', me, me, 'merged', None, None, 'merged')] * (rep['kills'] - rep['handled'])
        out += [rec('SIGUSR2', me, me, 'ignored', None, 'ignore', 'ignored')] * rep['ignored_kills']
    elif case in ('sigpipe', 'segv'):
        sig, cause = ('SIGPIPE', 'pipe') if case == 'sigpipe' else ('SIGSEGV', 'fault')
        check_eq('%s: the child\'s termination signal' % case, 13 if case == 'sigpipe' else 11, rep['termsig'])
        out.append(rec(sig, rep['child'], rep['child'], 'queued', cause, 'default', 'terminated'))
        # No handler for SIGCHLD in the parent: its default action ignores it.
        out.append(rec('SIGCHLD', rep['child'], me, 'ignored', 'child', 'default', 'ignored'))
    elif case == 'alarm':
        out += [rec('SIGALRM', None, me, 'queued', 'timer', 'handler', 'handled')] * rep['handled']
    elif case == 'rtqueue':
        check_eq('rtqueue: values received', rep['sent'], rep['received'])
        out += [rec(rep['sig'], me, me, 'queued', None, 'handler', 'handled')] * rep['handled']
    # Its exit tells ipctrace, which launched it: no record.
    return out


def selects(rec, matches):
    """Whether the match terms select rec (docs: same field ORs, different fields AND)."""
    by = collections.defaultdict(list)
    for m in matches:
        k, v = m.split('=', 1)
        by[k].append(v)

    def one(k, v):
        if k in ('sender', 'target'):
            return getattr(rec, k) == int(v)
        if k == 'pid':
            return int(v) in (rec.sender, rec.target)
        if k == 'comm':
            return v in (rec.sender_comm, rec.target_comm)
        if k == 'session':
            return rec.session == int(v)
        return getattr(rec, k) == v

    return all(any(one(k, v) for v in vs) for k, vs in by.items())


d = Daemon()
try:
    sock = d.socket
    want, runs = [], {}
    for case in ('merge', 'sigpipe', 'alarm', 'rtqueue', 'segv'):
        r = run_reported(['run', '-s', sock, '-o', 'json', '--', example('sigcases'), case])
        check_eq('sigcases %s: exit status (stderr %r)' % (case, r.stderr), 0, r.returncode)
        check(r.report is not None, 'sigcases %s wrote no report' % case)
        sessions = {json.loads(line)['session'] for line in r.stdout.splitlines()[:-1]}
        check_eq('sigcases %s: sessions' % case, 1, len(sessions))
        runs[case] = (r, sessions.pop())
        want += model(case, r, runs[case][1])

    def query(*matches, code=0):
        r = run_cli(['signals', '-s', sock, '-o', 'json'] + list(matches))
        check_eq('signals %s: exit status (stderr %r)' % (' '.join(matches), r.stderr), code, r.returncode)
        if code:
            return r
        return sorted(Rec(o['session'], o['sig'], o['sender_pid'], o['target_pid'], o['sender_comm'],
                          o['target_comm'], o['result'], o['cause'], o['action'], o['outcome'])
                      for o in map(json.loads, r.stdout.splitlines()))

    check_eq('every record (no match) vs the reports', sorted(want), query())
    passed('no match: the %d records the 5 reports call for' % len(want))

    ss = {case: s for case, (_, s) in runs.items()}
    rep = {case: r.report for case, (r, _) in runs.items()}
    ipctrace_pid = runs['merge'][0].pid
    cases = [
        ['sender=%d' % rep['merge']['pid']],
        ['sender=%d' % rep['sigpipe']['child']],
        ['sender=%d' % rep['merge']['pid'], 'sender=%d' % rep['rtqueue']['pid']],
        ['sender=%d' % rep['alarm']['pid'], 'sig=SIGALRM'],
        ['sender=%d' % rep['alarm']['pid'], 'sig=SIGCHLD'],
        ['target=%d' % ipctrace_pid],
        ['target=%d' % rep['sigpipe']['pid']],
        ['pid=%d' % rep['sigpipe']['child']],
        ['pid=%d' % rep['segv']['pid'], 'cause=child'],
        ['comm=ipctrace'],
        ['comm=sigcases'],
        ['comm=ipctrace', 'comm=sigcases', 'result=ignored'],
        ['result=queued'],
        ['result=merged'],
        ['result=ignored'],
        ['result=merged', 'result=ignored'],
        ['result=queued', 'session=%d' % ss['rtqueue']],
        ['result=overflow'],
        ['cause=pipe'],
        ['cause=timer'],
        ['cause=fault'],
        ['cause=child'],
        ['cause=child', 'result=ignored'],
        ['cause=pipe', 'cause=fault'],
        ['cause=terminal'],
        ['action=handler'],
        ['action=default'],
        ['action=ignore'],
        ['action=default', 'cause=fault'],
        ['action=handler', 'action=ignore', 'session=%d' % ss['merge']],
        ['session=%d' % ss['alarm']],
        ['session=%d' % ss['sigpipe'], 'session=%d' % ss['segv']],
        ['session=%d' % ss['segv'], 'outcome=terminated'],
    ]
    # The matches that select nothing: the runs made no such record (SIGALRM has no sender, and
    # the SIGCHLD that each run's exit sends ipctrace has none).
    empty = (['result=overflow'], ['cause=terminal'], ['sender=%d' % rep['alarm']['pid'], 'sig=SIGALRM'],
             ['sender=%d' % rep['alarm']['pid'], 'sig=SIGCHLD'], ['target=%d' % ipctrace_pid], ['comm=ipctrace'])
    for matches in cases:
        exp = sorted(x for x in want if selects(x, matches))
        check(bool(exp) != (matches in empty), 'signals %s: the model selects %d records' % (matches, len(exp)))
        check_eq('signals %s' % ' '.join(matches), exp, query(*matches))
    passed('%d matches on sender, target, pid, comm, result, cause, action, session: what the model selects'
           % len(cases))

    for bad, words in (('sender=x', ['sender', "'x'", 'not a number']),
                       ('target=-5', ['target', "'-5'"]),
                       ('session=1.5', ['session', "'1.5'"]),
                       ('result=lost', ['result', "'lost'", 'queued', 'merged', 'lose_info']),
                       ('cause=user', ['cause', "'user'", 'child', 'pipe', 'fault', 'timer', 'terminal']),
                       ('action=catch', ['action', "'catch'", 'handler', 'default', 'ignore', 'wait']),
                       ('signal=SIGUSR1', ["unknown field 'signal'", 'sender', 'cause', 'action'])):
        r = query(bad, code=2)
        for w in words:
            check(w in r.stderr, 'signals %s: the error does not say %r: %r' % (bad, w, r.stderr))
        check_eq('signals %s: stdout' % bad, '', r.stdout)
    check_eq('after the bad matches: every record', sorted(want), query())
    check(d.alive(), 'the daemon died')
    passed('bad values: exit 2, the field, the value and the valid values named; the daemon answers as before')
finally:
    d.cleanup()
done()
