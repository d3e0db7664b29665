#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`sigcases sigpipe`: a child writes to a pipe whose every read end is
closed. The write fails with EPIPE and the kernel's SIGPIPE kills the child.
The record blames the pipe: via "kernel", cause "pipe", the descriptor and
the pipe's inode."""

from common import check, check_eq, done, one, passed, select_events
from sigcommon import (check_exact_records, check_fields, check_records_wellformed,
                       check_sigchld_ignored, check_text, describe, one_record, trace_case)

t = trace_case('sigpipe')
ev, rep = t.events, t.report
pid, child, fd = rep['pid'], rep['child'], rep['fd']
obj = 'pipe:[%d]' % rep['inode']
check_eq('report: termsig', 13, rep['termsig'])
passed('child %d was killed by SIGPIPE writing to fd %d (%s)' % (child, fd, obj))

w = one(select_events(ev, type='write', pid=child), 'write by child %d' % child)
check_eq('write by the child (fd, object, errno, ret)', (fd, obj, 'EPIPE', -32),
         (w.get('fd'), w.get('object'), w.get('errno'), w.get('ret')))
ex = one(select_events(ev, type='exit', pid=child), 'exit of child %d' % child)
check_eq('exit event of child %d: exit_signal' % child, 'SIGPIPE', ex.get('exit_signal'))
passed('raw events: write(%d) = -EPIPE, then the child exits killed by SIGPIPE' % fd)

check_records_wellformed(t)
check_exact_records(t, {child: [('SIGPIPE', 'terminated')], pid: [('SIGCHLD', 'ignored')]})
r = one_record(t, 'SIGPIPE to child %d' % child, sig='SIGPIPE', target_pid=child)
check_fields(r, signo=13, via='kernel', cause='pipe', sender_pid=child, sender_tid=child,
             sender_comm='sigcases', target_comm='sigcases', result='queued', blocked=False,
             action='default', default_action='Term', outcome='terminated',
             exit_status='killed by SIGPIPE', fd=fd, object=obj, delivered_tid=child,
             handler=None, returned_ns=None, merged_into=None, addr=None, child_pid=None)
check(r['generated_ns'] is not None and r['delivered_ns'] is not None,
      '%s: generated_ns %r, delivered_ns %r' % (describe(r), r['generated_ns'], r['delivered_ns']))
check(r['generated_ns'] <= w['time_ns'],
      '%s: generated at %d, after the write returned at %d'
      % (describe(r), r['generated_ns'], w['time_ns']))
check_text(r, 'explanation')
passed('SIGPIPE record: via kernel (pipe), fd %d, %s, terminated ("%s")'
       % (fd, obj, r['explanation']))

check_sigchld_ignored(t, pid, child, 'killed by SIGPIPE')
passed('the parent\'s SIGCHLD for the child is ignored (SIG_DFL)')
done()
