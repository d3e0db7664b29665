#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`sigcases merge`: a process blocks SIGUSR1, sends it to itself 5 times,
sends itself a SIGUSR2 it ignores, and unblocks SIGUSR1. One SIGUSR1
pends and is handled once; the other 4 merge into it and are lost; the
SIGUSR2 is ignored. Each gets its own lifecycle record."""

from common import check, check_eq, done, one, passed, select_events, select_records
from sigcommon import (by_id, check_exact_records, check_fields, check_ignored_at_generation,
                       check_records_wellformed, check_text, describe, one_record, trace_case)

t = trace_case('merge')
ev, rep = t.events, t.report
pid = rep['pid']
check_eq('report: kills', 5, rep['kills'])
check_eq('report: SIGUSR2 kills', 1, rep['ignored_kills'])
check_eq('report: handler runs', 1, rep['handled'])
passed('exit status 0, summary consistent, 0 lost; the handler ran once for 5 kills')

# The raw events say the same.
gen = select_events(ev, type='signal_generate', sig='SIGUSR1', target_pid=pid)
check_eq('signal_generate SIGUSR1 results', ['queued'] + ['merged'] * 4,
         [g.get('result') for g in gen])
check_eq('signal_generate SIGUSR1 blocked', [True] * 5, [g.get('blocked') for g in gen])
g2 = one(select_events(ev, type='signal_generate', sig='SIGUSR2', target_pid=pid),
         'signal_generate SIGUSR2')
check_eq('signal_generate SIGUSR2 result', 'ignored', g2.get('result'))
deliv = select_events(ev, type='signal_deliver', pid=pid)
check_eq('signal_deliver to pid %d (signals)' % pid, ['SIGUSR1'], [d.get('sig') for d in deliv])
act = one(select_events(ev, type='rt_sigaction', pid=pid, sig='SIGUSR1'), 'rt_sigaction SIGUSR1')
check_eq('rt_sigaction SIGUSR1 handler', 'on_usr1', act.get('handler'))
passed('raw events: 1 queued + 4 merged SIGUSR1, 1 ignored SIGUSR2, 1 delivery')

check_records_wellformed(t)
check_exact_records(t, {pid: [('SIGUSR1', 'handled')] + [('SIGUSR1', 'merged')] * 4
                        + [('SIGUSR2', 'ignored')]})
passed('records for pid %d: SIGUSR1 handled x1, merged x4; SIGUSR2 ignored x1' % pid)

usr1 = by_id(select_records(t.records, sig='SIGUSR1', target_pid=pid))
check_eq('SIGUSR1 records for pid %d' % pid, rep['kills'], len(usr1))
for r in usr1:
    check_fields(r, via='kill', cause=None, code='SI_USER', sender_pid=pid, sender_tid=pid,
                 sender_comm='sigcases', target_pid=pid, target_comm='sigcases',
                 target_tid=None, blocked=True, signo=10)
    check(r['generated_ns'] is not None, '%s: generated_ns is null' % describe(r))
check_eq('SIGUSR1 generated_ns in id order', sorted(r['generated_ns'] for r in usr1),
         [r['generated_ns'] for r in usr1])

queued = one_record(t, 'SIGUSR1 record with result "queued"', sig='SIGUSR1', target_pid=pid,
                    result='queued')
check_eq('the queued SIGUSR1 is the first one generated', usr1[0]['id'], queued['id'])
check_fields(queued, outcome='handled', action='handler', handler='on_usr1',
             handler_addr=act.get('handler_addr'), sa_flags=act.get('sa_flags'),
             delivered_tid=pid, merged_into=None, default_action=None)
check(queued['delivered_ns'] is not None, '%s: delivered_ns is null' % describe(queued))
check(queued['returned_ns'] is not None, '%s: returned_ns is null' % describe(queued))
delivered = [r for r in usr1 if r['delivered_ns'] is not None]
check_eq('delivered SIGUSR1 records (the handler ran %d times)' % rep['handled'],
         rep['handled'], len(delivered))
passed('SIGUSR1 #%d: queued, blocked, handled by on_usr1 after %.3f ms, returned'
       % (queued['id'], queued['pending_ns'] / 1e6))

merged = [r for r in usr1 if r is not queued]
for r in merged:
    check_fields(r, result='merged', outcome='merged', merged_into=queued['id'],
                 delivered_ns=None, pending_ns=None, action=None, returned_ns=None)
    check(r['generated_ns'] > queued['generated_ns'],
          '%s: merged into #%d, which was generated later' % (describe(r), queued['id']))
    text = check_text(r, 'explanation')
    check('pending' in text.lower(),
          '%s: the explanation does not say the signal was already pending: %r'
          % (describe(r), text))
passed('4 SIGUSR1 merged into #%d, not delivered, explained ("%s")'
       % (queued['id'], merged[0]['explanation']))

usr2 = one_record(t, 'SIGUSR2 record', sig='SIGUSR2', target_pid=pid)
check_fields(usr2, via='kill', cause=None, code='SI_USER', sender_pid=pid, target_pid=pid,
             target_tid=None, blocked=False)
check_ignored_at_generation(usr2, 'SIG_IGN')
passed('SIGUSR2 ignored at generation, explained ("%s")' % usr2['explanation'])
done()
