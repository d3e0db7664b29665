#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`sigcases term`, `kill` and `segv`: a child dies of SIGTERM or SIGKILL
sent by its parent, or of a SIGSEGV from a write through a null pointer.
The kernel reports the delivery of a signal that kills at generation as
SIGKILL (the group exit it starts); the event names the real signal (the
kernel's SIGKILL kept in kernel_sig), the lifecycle record names it too,
takes its end from the exit status, and there is no event or record of a
SIGKILL nobody sent."""

import re

from common import check, check_eq, done, one, passed, select_events, select_records
from sigcommon import (check_exact_records, check_field, check_fields, check_records_wellformed,
                       check_sigchld_ignored, check_text, describe, one_record, trace_case)


def check_child_exit(t, child, sig, core=False):
    ex = one(select_events(t.events, type='exit', pid=child), 'exit of child %d' % child)
    check_eq('exit event of child %d: exit_signal' % child, sig, ex.get('exit_signal'))
    check_eq('exit event of child %d: core' % child, core, ex.get('core'))


def check_fatal_delivery(t, child, sig, group_exit):
    """The delivery event to the child names the signal that killed it; when the
    kernel delivered a group exit (a SIGKILL), that stays in kernel_sig."""
    got = [(e['sig'], e.get('kernel_sig'), e.get('group_exit'))
           for e in select_events(t.events, type='signal_deliver', pid=child)]
    check_eq('deliveries to child %d: (sig, kernel_sig, group_exit)' % child,
             [(sig, 'SIGKILL', True) if group_exit else (sig, None, None)], got)
    if sig != 'SIGKILL':
        check_eq('signal events of child %d that say SIGKILL (nobody sent one)' % child, [],
                 [e for e in t.events if e.get('sig') == 'SIGKILL' and child in (e['pid'], e.get('target_pid'))])


def check_death(t, r, child, sig, default_action, core=False):
    """What every record of a fatal signal says."""
    check_fields(r, sig=sig, target_pid=child, target_comm='sigcases', result='queued',
                 blocked=False, action='default', default_action=default_action,
                 outcome='core' if core else 'terminated', handler=None, handler_addr=None,
                 returned_ns=None, merged_into=None, delivered_tid=child)
    check(r['generated_ns'] is not None, '%s: generated_ns is null' % describe(r))
    check(r['delivered_ns'] is not None, '%s: delivered_ns is null' % describe(r))
    status = r['exit_status']
    if core:
        check(isinstance(status, str) and status.startswith('killed by ' + sig),
              '%s: exit_status %r does not start with "killed by %s"' % (describe(r), status, sig))
    else:
        check_field(r, 'exit_status', 'killed by ' + sig)
    check_text(r, 'explanation')
    if sig != 'SIGKILL':
        check_eq('records of a SIGKILL to child %d (nobody sent one)' % child, [],
                 [describe(x) for x in select_records(t.records, sig='SIGKILL', target_pid=child)])


def fatal_from_parent(case, sig, signo):
    t = trace_case(case)
    rep = t.report
    pid, child = rep['pid'], rep['child']
    check_eq('%s report: termsig' % case, signo, rep['termsig'])
    k = one(select_events(t.events, type='kill', pid=pid), 'kill from the parent')
    check_eq('kill (target_pid, sig, ret)', (child, sig, 0),
             (k.get('target_pid'), k.get('sig'), k.get('ret')))
    check_child_exit(t, child, sig)
    check_fatal_delivery(t, child, sig, True)
    passed('%s: the parent %d killed child %d with %s; its delivery says %s' % (case, pid, child, sig, sig))

    check_records_wellformed(t)
    check_exact_records(t, {child: [(sig, 'terminated')], pid: [('SIGCHLD', 'ignored')]})
    r = one_record(t, '%s to child %d' % (sig, child), target_pid=child)
    check_fields(r, signo=signo, via='kill', cause=None, code='SI_USER', sender_pid=pid,
                 sender_tid=pid, sender_comm='sigcases', target_tid=None)
    check_death(t, r, child, sig, 'Term')
    check_sigchld_ignored(t, pid, child, 'killed by ' + sig)
    return r


r = fatal_from_parent('term', 'SIGTERM', 15)
passed('term: one SIGTERM record, terminated, "killed by SIGTERM", no SIGKILL record ("%s")'
       % r['explanation'])

r = fatal_from_parent('kill', 'SIGKILL', 9)
text = r['explanation']
check(re.search(r"\b(cannot|can't|can not)\b.*\bcaught\b", text, re.I),
      '%s: the explanation does not say that SIGKILL cannot be caught: %r' % (describe(r), text))
passed('kill: one SIGKILL record, terminated, explained ("%s")' % text)

t = trace_case('segv')
rep = t.report
pid, child, core = rep['pid'], rep['child'], rep['core']
check_eq('segv report: termsig', 11, rep['termsig'])
g = one(select_events(t.events, type='signal_generate', sig='SIGSEGV'), 'signal_generate SIGSEGV')
check_eq('signal_generate SIGSEGV (pid, target_pid, code, addr)',
         (child, child, 'SEGV_MAPERR', '0x0'),
         (g.get('pid'), g.get('target_pid'), g.get('code'), g.get('addr')))
check_child_exit(t, child, 'SIGSEGV', core)
# A core-dumping signal is not turned into a group exit at generation: its own delivery shows.
check_fatal_delivery(t, child, 'SIGSEGV', False)
passed('segv: child %d faulted at 0x0 (core dumped: %s)' % (child, core))

check_records_wellformed(t)
check_exact_records(t, {child: [('SIGSEGV', 'core' if core else 'terminated')],
                        pid: [('SIGCHLD', 'ignored')]})
r = one_record(t, 'SIGSEGV to child %d' % child, target_pid=child)
check_fields(r, signo=11, via='kernel', cause='fault', code='SEGV_MAPERR', addr='0x0',
             sender_pid=child, sender_tid=child, target_tid=child, value=None, fd=None)
check_death(t, r, child, 'SIGSEGV', 'Core', core)
check_sigchld_ignored(t, pid, child, 'killed by SIGSEGV', core)
passed('segv: one SIGSEGV record, via kernel (fault at 0x0), %s ("%s")'
       % (r['outcome'], r['explanation']))
done()
