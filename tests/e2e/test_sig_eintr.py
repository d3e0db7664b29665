#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Signals that interrupt a blocking call. `sigcases eintr`: a child sends
SIGUSR1 to its parent while the parent sleeps in read() on an empty pipe;
the handler has no SA_RESTART, so the read fails with EINTR. `restart`:
the same with SA_RESTART; the read is restarted and gets the byte the child
writes afterwards. `alarm`: a one-shot ITIMER_REAL's SIGALRM interrupts
sigsuspend(), whose handler has SA_RESTART: sigsuspend fails with EINTR all
the same. The records name the interrupted call and whether it restarted,
and explain the EINTR rightly: the missing SA_RESTART for read(), none for
sigsuspend(), which returns EINTR after any handler."""

from common import check, check_eq, done, one, passed, select_events
from sigcommon import (check_exact_records, check_fields, check_records_wellformed,
                       check_sigchld_ignored, describe, one_record, trace_case)


def parent_reads(t, pid):
    """The parent's reads of its pipe, restarted calls included."""
    return [e for e in select_events(t.events, restarts=True, type='read', pid=pid)
            if e.get('kind') == 'pipe']


def interrupted_read(case, restart):
    t = trace_case(case)
    ev, rep = t.events, t.report
    pid, child = rep['pid'], rep['child']
    check_eq('%s report: SA_RESTART' % case, restart, rep['sa_restart'])
    check_eq('%s report: handler runs' % case, 1, rep['handled'])
    check_eq('%s report: child status' % case, 0, rep['child_status'])
    if restart:
        check_eq('%s report: (read returned, errno)' % case, (1, None),
                 (rep['read_ret'], rep['read_errno']))
    else:
        check_eq('%s report: (read returned, errno)' % case, (-1, 'EINTR'),
                 (rep['read_ret'], rep['read_errno']))

    k = one(select_events(ev, type='kill', pid=child), 'kill from child %d' % child)
    check_eq('kill (target_pid, sig, ret)', (pid, 'SIGUSR1', 0),
             (k.get('target_pid'), k.get('sig'), k.get('ret')))
    reads = parent_reads(t, pid)
    got = [(e.get('errno'), e.get('bytes')) for e in reads]
    if restart:
        check_eq('%s: the parent\'s pipe reads (errno, bytes)' % case,
                 [('ERESTARTSYS', None), (None, 1)], got)
        w = one(select_events(ev, type='write', pid=child), 'write by child %d' % child)
        check_eq('the child\'s write: bytes', 1, w.get('bytes'))
        check(w['time_ns'] > k['time_ns'], 'the child wrote before it sent SIGUSR1')
    else:
        check_eq('%s: the parent\'s pipe reads (errno, bytes)' % case,
                 [('ERESTARTSYS', None)], got)
        check_eq('writes by the child', [], select_events(ev, type='write', pid=child))
    passed('%s: child %d sent SIGUSR1 while pid %d slept in read(); %s'
           % (case, child, pid, 'restarted, 1 byte' if restart else 'read failed with EINTR'))

    check_records_wellformed(t)
    check_exact_records(t, {pid: [('SIGUSR1', 'handled'), ('SIGCHLD', 'ignored')]})
    r = one_record(t, 'SIGUSR1 to pid %d' % pid, sig='SIGUSR1', target_pid=pid)
    check_fields(r, via='kill', cause=None, code='SI_USER', sender_pid=child, sender_tid=child,
                 target_tid=None, result='queued', blocked=False, outcome='handled',
                 action='handler', handler='on_usr1', delivered_tid=pid,
                 interrupted='read', restarted=restart)
    check(r['delivered_ns'] is not None and r['returned_ns'] is not None,
          '%s: delivered_ns %r, returned_ns %r'
          % (describe(r), r['delivered_ns'], r['returned_ns']))
    check(('SA_RESTART' in (r['sa_flags'] or [])) == restart,
          '%s: sa_flags %r' % (describe(r), r['sa_flags']))
    # What the program saw: EINTR, or nothing when the kernel restarted the call.
    check_eq('%s: interrupted_errno' % describe(r), None if restart else 'EINTR', r['interrupted_errno'])
    check_eq('%s: explanation' % describe(r), None if restart else
             'interrupted read(), which failed with EINTR: the handler has no SA_RESTART', r['explanation'])
    check_sigchld_ignored(t, pid, child, 'exited 0')
    passed('%s: SIGUSR1 record: interrupted read, %s, handled'
           % (case, 'restarted' if restart else 'not restarted (%s)' % r['interrupted_errno']))


interrupted_read('eintr', False)
interrupted_read('restart', True)

t = trace_case('alarm')
ev, rep = t.events, t.report
pid = rep['pid']
check_eq('alarm report: (handler runs, sigsuspend errno)', (1, 'EINTR'),
         (rep['handled'], rep['wait_errno']))
check_eq('signal_generate SIGALRM to pid %d' % pid, 1,
         len(select_events(ev, type='signal_generate', sig='SIGALRM', target_pid=pid)))
d = one(select_events(ev, type='signal_deliver', sig='SIGALRM', pid=pid), 'signal_deliver SIGALRM')
check_eq('signal_deliver SIGALRM: handler', 'on_alrm', d.get('handler'))
passed('alarm: the timer\'s SIGALRM interrupted sigsuspend() and ran on_alrm once')

check_records_wellformed(t)
check_exact_records(t, {pid: [('SIGALRM', 'handled')]})
r = one_record(t, 'SIGALRM to pid %d' % pid, sig='SIGALRM', target_pid=pid)
check_fields(r, signo=14, via='kernel', cause='timer', code='SI_KERNEL', sender_pid=None,
             sender_tid=None, sender_comm=None, target_tid=None, result='queued',
             outcome='handled', action='handler', handler='on_alrm',
             delivered_tid=pid, interrupted='rt_sigsuspend', restarted=False,
             interrupted_errno='EINTR')
check('SA_RESTART' in r['sa_flags'], '%s: sa_flags %r' % (describe(r), r['sa_flags']))
check_eq('%s: explanation' % describe(r), 'interrupted rt_sigsuspend(), which returns EINTR after any handler, '
         'always: SA_RESTART does not apply to it', r['explanation'])
check(r['delivered_ns'] is not None and r['returned_ns'] is not None,
      '%s: delivered_ns %r, returned_ns %r' % (describe(r), r['delivered_ns'], r['returned_ns']))
passed('alarm: SIGALRM record: via kernel (timer), no sender, interrupted sigsuspend, handled')
done()
