#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`sigcases thread`: the main thread blocks SIGUSR1 and starts a worker
thread that unblocks it; then the main thread sends SIGUSR1 to its own
process. A process-directed signal goes to a thread that does not block it:
the record has no target_tid, and delivered_tid is the worker, the thread
that really ran the handler."""

from common import check, check_eq, done, one, passed, select_events, select_records
from sigcommon import (check_exact_records, check_fields, check_records_wellformed, describe,
                       one_record, trace_case)

t = trace_case('thread')
ev, rep = t.events, t.report
pid, worker, handler_tid = rep['pid'], rep['worker_tid'], rep['handler_tid']
check_eq('report: main thread id', pid, rep['main_tid'])
check(worker != pid, 'report: the worker thread id %d is the pid' % worker)
check_eq('report: thread that ran the handler', worker, handler_tid)
passed('pid %d: the worker thread %d ran the SIGUSR1 handler' % (pid, worker))

k = one(select_events(ev, type='kill', pid=pid), 'kill from pid %d' % pid)
check_eq('kill (tid, target_pid, sig, ret)', (pid, pid, 'SIGUSR1', 0),
         (k.get('tid'), k.get('target_pid'), k.get('sig'), k.get('ret')))
d = one(select_events(ev, type='signal_deliver', pid=pid, sig='SIGUSR1'), 'signal_deliver SIGUSR1')
check_eq('signal_deliver SIGUSR1: tid', worker, d.get('tid'))
check_eq('signal_deliver SIGUSR1: handler', 'on_usr1_thread', d.get('handler'))
passed('raw events: the main thread sent SIGUSR1, the worker %d took it' % worker)

check_records_wellformed(t)
check_exact_records(t, {pid: [('SIGUSR1', 'handled')]})
r = one_record(t, 'SIGUSR1 to pid %d' % pid, sig='SIGUSR1', target_pid=pid)
check_fields(r, via='kill', cause=None, code='SI_USER', sender_pid=pid, sender_tid=pid,
             target_tid=None, result='queued', outcome='handled', action='handler',
             handler='on_usr1_thread', delivered_tid=handler_tid)
check(r['delivered_tid'] != pid, '%s: delivered_tid is the main thread' % describe(r))
check(r['delivered_ns'] is not None and r['returned_ns'] is not None,
      '%s: delivered_ns %r, returned_ns %r' % (describe(r), r['delivered_ns'], r['returned_ns']))
check_eq('records naming the worker as target_tid', [],
         [describe(x) for x in select_records(t.records, target_tid=worker)])
passed('SIGUSR1 record: process-directed (target_tid null), delivered to thread %d' % worker)
done()
