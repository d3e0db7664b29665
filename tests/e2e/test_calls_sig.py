#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`sigcalls 4` with --signals: the process signals itself four times by each
of kill, tkill, tgkill, sigqueue (rt_sigqueueinfo), rt_tgsigqueueinfo and
pidfd_send_signal, every one handled before the call returns; blocks
SIGUSR1 and SIGUSR2 (rt_sigprocmask), sends SIGUSR1 once more, handled when
it unblocks it; then a child born with SIGRTMIN+2 blocked takes four of them
with sigwait (rt_sigtimedwait) as the parent queues them through the child's
pidfd. Every syscall event of both processes is, in order, a call it logged
(handlers, masks, senders, targets, values, results); the handler returns
(rt_sigreturn) and deliveries are the handler runs it counted; and the
lifecycle records say how each signal was sent and that each was handled,
or taken by sigwait."""

import collections

from common import (check, check_calls, check_count, check_eq, covers, done, one, passed,
                    select_events, select_records, trace_calls)
from sigcommon import check_exact_records, check_records_wellformed, describe

covers('kill', 'tkill', 'tgkill', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'pidfd_send_signal',
       'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigtimedwait', 'waitid')

N = 4
RT, WAIT = 'SIGRTMIN+1', 'SIGRTMIN+2'

t = trace_calls('sigcalls', N, opts=['--signals'])
rep = t.report
pid, tid, child = rep['pid'], rep['tid'], rep['child_pid']
handled = rep['handled']
check_eq('report: handler runs', {'SIGUSR1': 2 * N + 1, 'SIGUSR2': 2 * N, RT: 2 * N}, handled)
check_eq('report: values the handler got, in order',
         list(range(100, 100 + N)) + list(range(200, 200 + N)), rep['values'])
check_eq('report: signals the child took', N, rep['waited'])
passed('pid %d handled %s; child %d took %d %s' % (pid, handled, child, N, WAIT))

# The calls, as each process logged them; a handler's return is not a call it made.
pev = check_calls(t.events, pid, rep['calls'], 'sigcalls %d' % pid, ignore=('rt_sigreturn',))
cev = check_calls(t.events, child, rep['child_calls'], 'sigcalls child %d' % child)
mask_calls = [c for c in rep['calls'] if c['type'] == 'rt_sigprocmask']
for c, e in zip(mask_calls, select_events(pev, type='rt_sigprocmask')):
    check_eq('rt_sigprocmask %s %s: oldset given iff asked for' % (c['how'], c['set']),
             'oldset' in c, 'oldset' in e)
counts = collections.Counter(e['type'] for e in pev + cev)
passed('%d events of the parent and %d of the child, each one of the calls they logged: %s'
       % (len(pev), len(cev), ', '.join('%s %d' % kv for kv in sorted(counts.items()))))

check_count('rt_sigreturn of the parent: one per handler run', sum(handled.values()),
            select_events(t.events, type='rt_sigreturn', pid=pid))
check_eq('rt_sigreturn of the child', [], select_events(t.events, type='rt_sigreturn', pid=child))
act = {a['sig']: a for a in select_events(pev, type='rt_sigaction')}
for sig, n in handled.items():
    d = select_events(t.events, type='signal_deliver', pid=pid, sig=sig)
    check_eq('deliveries of %s (handler runs)' % sig, n, len(d))
    check_eq('%s deliveries: (action, handler, sa_flags)' % sig,
             {('handler', act[sig]['handler'], tuple(act[sig]['sa_flags']))},
             {(e['action'], e['handler'], tuple(e['sa_flags'])) for e in d})
check_eq('%s delivered values' % RT, rep['values'],
         [e.get('value') for e in select_events(t.events, type='signal_deliver', pid=pid, sig=RT)])
check_eq('deliveries in the child (sigwait takes its signals without one)', [],
         select_events(t.events, type='signal_deliver', pid=child))
passed('%d handler runs: as many deliveries and rt_sigreturn, %s values in order'
       % (sum(handled.values()), RT))

# Process-directed (kill, sigqueue, pidfd) or thread-directed (tkill, tgkill, rt_tgsigqueueinfo).
gens = [g for g in select_events(t.events, type='signal_generate') if g['sig'] != 'SIGCHLD']
check_eq('signals generated (one per call that sent one)',
         sum(counts[c] for c in ('kill', 'tkill', 'tgkill', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo',
                                 'pidfd_send_signal')), len(gens))
check_eq('thread-directed generations (tkill, tgkill, rt_tgsigqueueinfo) to tid %d' % tid, 3 * N,
         len([g for g in gens if not g['group'] and g['target_tid'] == tid]))
check_eq('generations while blocked: the last SIGUSR1 and the %d %s' % (N, WAIT),
         [('SIGUSR1', pid)] + [(WAIT, child)] * N,
         [(g['sig'], g['target_pid']) for g in gens if g['blocked']])
passed('%d generations: %d to the thread, the blocked ones as blocked' % (len(gens), 3 * N))

check_records_wellformed(t)
check_exact_records(t, {
    pid: ([('SIGUSR1', 'handled')] * handled['SIGUSR1'] + [('SIGUSR2', 'handled')] * handled['SIGUSR2']
          + [(RT, 'handled')] * handled[RT] + [('SIGCHLD', 'ignored')]),
    child: [(WAIT, 'accepted')] * N,
})
recs = [r for r in select_records(t.records, target_pid=pid) if r['sig'] != 'SIGCHLD']
check_eq('records by the call that sent them',
         {'kill': N + 1, 'tkill': N, 'tgkill': N, 'rt_sigqueueinfo': N, 'rt_tgsigqueueinfo': N,
          'pidfd_send_signal': N},
         dict(collections.Counter(r['via'] for r in recs)))
for r in recs:
    check_eq('%s: (sender, delivered_tid, action)' % describe(r), (pid, tid, 'handler'),
             (r['sender_pid'], r['delivered_tid'], r['action']))
    check(r['returned_ns'] is not None, '%s: the handler never returned' % describe(r))
blocked = one([r for r in recs if r['blocked']], 'the record of the blocked SIGUSR1')
unblock = one([e for e in select_events(pev, type='rt_sigprocmask') if e.get('how') == 'SIG_UNBLOCK'],
              'SIG_UNBLOCK')
check_eq('blocked record: (sig, via)', ('SIGUSR1', 'kill'), (blocked['sig'], blocked['via']))
check(blocked['generated_ns'] < unblock['time_ns'] < blocked['delivered_ns'],
      '%s: generated at %d, delivered at %d: not around SIG_UNBLOCK at %d'
      % (describe(blocked), blocked['generated_ns'], blocked['delivered_ns'], unblock['time_ns']))
for r in select_records(t.records, target_pid=child):
    check_eq('%s: (via, sender, action, delivered_tid, blocked)' % describe(r),
             ('pidfd_send_signal', pid, 'wait', child, True),
             (r['via'], r['sender_pid'], r['action'], r['delivered_tid'], r['blocked']))
passed('records: %d handled, by the call that sent each; the blocked SIGUSR1 handled at SIG_UNBLOCK; '
       '%d %s accepted by sigwait' % (len(recs), N, WAIT))
done()
