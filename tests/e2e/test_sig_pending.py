#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`sigcases pending`: a process blocks SIGUSR1, sends it to itself, sleeps
200 ms and unblocks it. The record's pending_ns is that time: no shorter
than the interval the program measured between its kill() returning and
its unblocking call, and no longer than the one from before the kill() to
after the unblocking call returned (whatever the machine's speed)."""

from common import check, check_eq, done, passed, select_events
from sigcommon import (check_exact_records, check_fields, check_records_wellformed, describe,
                       one_record, trace_case)

t = trace_case('pending')
ev, rep = t.events, t.report
pid, nominal, measured, outer = rep['pid'], rep['blocked_ns'], rep['measured_ns'], rep['outer_ns']
check_eq('report: nominal blocked time', 200000000, nominal)
check_eq('report: handler runs', 1, rep['handled'])
check(measured >= nominal,
      'report: measured %d ns, less than the %d ns slept' % (measured, nominal))
check(outer >= measured, 'report: outer interval %d ns < inner %d ns' % (outer, measured))
passed('pid %d kept SIGUSR1 blocked for %.3f ms' % (pid, measured / 1e6))

g = select_events(ev, type='signal_generate', sig='SIGUSR1', target_pid=pid)
d = select_events(ev, type='signal_deliver', sig='SIGUSR1', pid=pid)
check_eq('signal_generate and signal_deliver SIGUSR1', (1, 1), (len(g), len(d)))
passed('raw events: one SIGUSR1 generated and delivered %.3f ms later'
       % ((d[0]['time_ns'] - g[0]['time_ns']) / 1e6))

check_records_wellformed(t)
check_exact_records(t, {pid: [('SIGUSR1', 'handled')]})
r = one_record(t, 'SIGUSR1 to pid %d' % pid, sig='SIGUSR1', target_pid=pid)
check_fields(r, via='kill', code='SI_USER', sender_pid=pid, result='queued', blocked=True,
             outcome='handled', action='handler', handler='on_usr1', delivered_tid=pid)
p = r['pending_ns']
check(isinstance(p, int), '%s: pending_ns %r' % (describe(r), p))
check(measured <= p <= outer,
      '%s: pending_ns %d (%.3f ms) is not between the program\'s own bounds, %.3f and %.3f ms'
      % (describe(r), p, p / 1e6, measured / 1e6, outer / 1e6))
passed('SIGUSR1 record: pending %.3f ms (program measured %.3f-%.3f ms), handled'
       % (p / 1e6, measured / 1e6, outer / 1e6))
done()
