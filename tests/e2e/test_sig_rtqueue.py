#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`sigcases rtqueue`: a process blocks SIGRTMIN+1, queues it to itself 10
times with sigqueue (values 100..109) and unblocks it. Real-time signals
queue: none is merged, each is handled, in the order it was sent, each with
its own value."""

from common import check, check_eq, done, passed, select_events, select_records
from sigcommon import (by_id, check_exact_records, check_fields, check_records_wellformed,
                       describe, trace_case)

N = 10
SIG = 'SIGRTMIN+1'

t = trace_case('rtqueue')
ev, rep = t.events, t.report
pid = rep['pid']
sent = list(range(100, 100 + N))
check_eq('report: sent values', sent, rep['sent'])
check_eq('report: values the handler received, in order', sent, rep['received'])
check_eq('report: signal', SIG, rep['sig'])
passed('pid %d queued %s 10 times and its handler got the values in order' % (pid, SIG))

q = select_events(ev, type='rt_sigqueueinfo', pid=pid)
check_eq('rt_sigqueueinfo values', sent, [e.get('value') for e in q])
for e in q:
    check_eq('rt_sigqueueinfo (target_pid, sig, code, ret)', (pid, SIG, 'SI_QUEUE', 0),
             (e.get('target_pid'), e.get('sig'), e.get('code'), e.get('ret')))
check_eq('signal_deliver %s values' % SIG, sent,
         [d.get('value') for d in select_events(ev, type='signal_deliver', pid=pid, sig=SIG)])
act = [a for a in select_events(ev, type='rt_sigaction', pid=pid, sig=SIG)
       if a.get('handler') is not None]
check_eq('rt_sigaction %s handlers' % SIG, ['on_rt'], [a.get('handler') for a in act])
passed('raw events: 10 rt_sigqueueinfo and 10 deliveries with values 100..109')

check_records_wellformed(t)
check_exact_records(t, {pid: [(SIG, 'handled')] * N})
recs = by_id(select_records(t.records, sig=SIG, target_pid=pid))
check_eq('values of the %s records in id order' % SIG, sent, [r['value'] for r in recs])
for r in recs:
    check_fields(r, signo=rep['signo'], via='rt_sigqueueinfo', cause=None, code='SI_QUEUE',
                 sender_pid=pid, sender_tid=pid, target_tid=None, result='queued', blocked=True,
                 outcome='handled', action='handler', handler='on_rt',
                 handler_addr=act[0].get('handler_addr'), sa_flags=act[0].get('sa_flags'),
                 delivered_tid=pid, merged_into=None)
    check('SA_SIGINFO' in (r['sa_flags'] or []), '%s: sa_flags %r lack SA_SIGINFO'
          % (describe(r), r['sa_flags']))
    check(r['generated_ns'] is not None and r['delivered_ns'] is not None
          and r['returned_ns'] is not None,
          '%s: generated_ns %r, delivered_ns %r, returned_ns %r'
          % (describe(r), r['generated_ns'], r['delivered_ns'], r['returned_ns']))
passed('10 %s records: queued while blocked, handled by on_rt, values 100..109' % SIG)

for a, b in zip(recs, recs[1:]):
    check(a['delivered_ns'] < b['delivered_ns'],
          'delivered out of order: %s at %d, %s at %d'
          % (describe(a), a['delivered_ns'], describe(b), b['delivered_ns']))
    # The handler's mask holds the signal until it returns: one at a time.
    check(a['returned_ns'] <= b['delivered_ns'],
          '%s was delivered at %d, before the handler for %s returned at %d'
          % (describe(b), b['delivered_ns'], describe(a), a['returned_ns']))
    check(a['generated_ns'] <= b['generated_ns'],
          'generated out of id order: %s at %d, %s at %d'
          % (describe(a), a['generated_ns'], describe(b), b['generated_ns']))
last_gen = max(r['generated_ns'] for r in recs)
check(recs[0]['delivered_ns'] >= last_gen,
      '%s delivered at %d, before the last one was generated at %d (they were blocked)'
      % (describe(recs[0]), recs[0]['delivered_ns'], last_gen))
passed('delivered one at a time, in the order sent')
done()
