#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`sigcases never`: a process blocks SIGUSR2, sends it to itself and exits
without unblocking it. The signal was queued but never delivered: the
record says so, and why."""

from common import check_eq, done, one, passed, select_events
from sigcommon import (check_exact_records, check_fields, check_records_wellformed, check_text,
                       one_record, trace_case)

t = trace_case('never')
ev, rep = t.events, t.report
pid = rep['pid']

g = one(select_events(ev, type='signal_generate', sig='SIGUSR2', target_pid=pid),
        'signal_generate SIGUSR2')
check_eq('signal_generate SIGUSR2 (result, blocked)', ('queued', True),
         (g.get('result'), g.get('blocked')))
check_eq('signal_deliver events to pid %d' % pid, [],
         select_events(ev, type='signal_deliver', pid=pid))
ex = one(select_events(ev, type='exit', pid=pid), 'exit of pid %d' % pid)
check_eq('exit code', 0, ex.get('exit_code'))
passed('raw events: SIGUSR2 queued while blocked, never delivered, exit 0')

check_records_wellformed(t)
check_exact_records(t, {pid: [('SIGUSR2', 'never_delivered')]})
r = one_record(t, 'SIGUSR2 to pid %d' % pid, sig='SIGUSR2', target_pid=pid)
check_fields(r, signo=12, via='kill', cause=None, code='SI_USER', sender_pid=pid,
             target_tid=None, result='queued', blocked=True, outcome='never_delivered',
             delivered_ns=None, pending_ns=None, delivered_tid=None, action=None,
             handler=None, returned_ns=None, exit_status=None, merged_into=None)
text = check_text(r, 'explanation')
passed('SIGUSR2 record: queued, blocked, never delivered ("%s")' % text)
done()
