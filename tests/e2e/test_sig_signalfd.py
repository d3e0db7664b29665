#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Signals taken without a delivery. `sigcases signalfd` blocks SIGUSR1,
SIGUSR2 and SIGRTMIN+1 and takes them by reading a signalfd: SIGUSR1
alone; SIGUSR1 and SIGUSR2 in one read; 20 queued SIGRTMIN+1 in one read
(more than a read event names); SIGUSR2 by readv (by read on kernels whose
signalfd has no readv). Then a SIGUSR1, unblocked, runs its handler. The
read events carry the signals the program got; the records say `accepted`
by that read (they said "never delivered: blocked until the process
exited", and the last SIGUSR1 was matched to the first one). `sigcases
sigwait`: the same through sigwaitinfo and sigtimedwait."""

import signal

from common import check, check_eq, done, passed, select_events
from sigcommon import (by_id, check_exact_records, check_fields, check_records_wellformed, describe,
                       select_records, signo_of, trace_case)

NAMED = 16              # the signals a read event names (docs/events.md)


def sig_name(n):
    return 'SIGRTMIN+%d' % (n - signal.SIGRTMIN) if n >= signal.SIGRTMIN else signal.Signals(n).name


t = trace_case('signalfd')
ev, rep = t.events, t.report
pid, fd = rep['pid'], rep['fd']
reads = rep['reads']
check_eq('report: handler runs', 1, rep['handled'])
got = [e for e in select_events(ev, pid=pid, type=('read', 'readv')) if e.get('fd') == fd]
check_eq('reads of the signalfd (fd %d): calls' % fd, [r['call'] for r in reads], [e['type'] for e in got])
for r, e in zip(reads, got):
    names = [sig_name(n) for n in r['signals']]
    shape = (e.get('kind'), e.get('object'), e.get('signal_count'), e.get('accepts'))
    check_eq('%s of the signalfd: (kind, object, signal_count, accepts)' % r['call'],
             ('signalfd', 'anon_inode:[signalfd]', len(names), ['SIGUSR1', 'SIGUSR2', 'SIGRTMIN+1']),
             shape)
    check_eq('%s of the signalfd: signals named' % r['call'], names[:NAMED] if r['call'] == 'read' else [],
             e.get('signals'))
    check_eq('%s of the signalfd: bytes' % r['call'], 128 * len(names), e.get('bytes'))
passed('%d reads of signalfd fd %d: the signals the program got, %s'
       % (len(got), fd, [len(r['signals']) for r in reads]))

check_records_wellformed(t)
rt = [r for r in reads if r['signals'] and r['signals'][0] >= signal.SIGRTMIN][0]
check_exact_records(t, {pid: [('SIGUSR1', 'accepted')] * 2 + [('SIGUSR1', 'handled')] +
                        [('SIGUSR2', 'accepted')] * 2 + [('SIGRTMIN+1', 'accepted')] * len(rt['signals'])})
# Each read took, in order, the records of the signals it returned.
taken = by_id(select_records(t.records, target_pid=pid, outcome='accepted'))
for r, e in zip(reads, got):
    for n in r['signals']:
        mine = [x for x in taken if x['delivered_ns'] == e['time_ns'] and x['sig'] == sig_name(n)]
        check(mine, 'no accepted %s record taken by the %s at %d' % (sig_name(n), r['call'], e['time_ns']))
        x = mine[0]
        taken.remove(x)
        check_fields(x, action='signalfd', fd=fd, object='anon_inode:[signalfd]', delivered_tid=pid,
                     blocked=True, handler=None, sa_flags=None, returned_ns=None)
        check(x['generated_ns'] < e['time_ns'], '%s: generated after the read that took it' % describe(x))
check_eq('accepted records no read took', [], [describe(x) for x in taken])
values = [x['value'] for x in by_id(select_records(t.records, target_pid=pid, sig='SIGRTMIN+1'))]
check_eq('SIGRTMIN+1 records: values, in order', rt['values'], values)
last = [x for x in select_records(t.records, target_pid=pid, sig='SIGUSR1') if x['outcome'] == 'handled'][0]
check(last['generated_ns'] > got[-1]['time_ns'], '%s: generated before the last read' % describe(last))
check_fields(last, action='handler', handler='on_usr1', fd=None)
passed('records: every signal read accepted by its read (%d), in order (values %d..%d), the last SIGUSR1 '
       'handled' % (sum(len(r['signals']) for r in reads), values[0], values[-1]))

t = trace_case('sigwait')
ev, rep = t.events, t.report
pid = rep['pid']
check_eq('report: (sigwaitinfo, sigtimedwait, timed out, handled)', (signal.SIGUSR1, signal.SIGUSR2, True, 1),
         (rep['sigwaitinfo'], rep['sigtimedwait'], rep['timed_out'], rep['handled']))
waits = select_events(ev, pid=pid, type='rt_sigtimedwait')
check_eq('rt_sigtimedwait events: (sig, errno)', [('SIGUSR1', None), ('SIGUSR2', None), (None, 'EAGAIN')],
         [(e.get('sig'), e.get('errno')) for e in waits])
check_records_wellformed(t)
check_exact_records(t, {pid: [('SIGUSR1', 'accepted'), ('SIGUSR1', 'handled'), ('SIGUSR2', 'accepted')]})
for e in waits[:2]:
    x = select_records(t.records, target_pid=pid, sig=e['sig'], outcome='accepted')[0]
    check_fields(x, action='wait', delivered_ns=e['time_ns'], delivered_tid=pid, fd=None)
    check_eq('%s: signo' % describe(x), signo_of(e['sig']), x['signo'])
passed('sigwait: SIGUSR1 and SIGUSR2 accepted by the calls that returned them, a timeout took none, '
       'the last SIGUSR1 handled')
done()
