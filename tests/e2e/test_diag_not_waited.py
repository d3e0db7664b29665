#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`zombies CASE` with --signals (examples/zombies.c): parents that exit
without waiting for children that have ended, three ways, each diagnosed
`not_waited` once the parent exits: the parent, every child it left a
zombie (and no other), each child's end and how long it was a zombie (from
the exit events), and who adopted it, which is the target of the SIGCHLD
that the parent's exit sent for it; that SIGCHLD's record says so instead
of "the target is not traced". A child that outlives its parent (orphan) is
no zombie of it (traced to its end: --follow-orphans): no diagnosis, but its
SIGCHLD's record tells the adoption.

- never: three children exit 0, 1 and 2; the parent never waits;
- first: two children; the parent waits for the first only;
- handler: a SIGCHLD handler that counts the child's end but never waits."""

from common import (check, check_clean_exit, check_eq, done, example, one, passed, select_events,
                    select_records, trace)
from diagcommon import diagnoses_of, roles

ADOPTED = 'the child\'s parent exited without waiting for it, so %s[%d] adopted it'


def exits(t):
    return {e['pid']: e for e in select_events(t.events, type='exit')}


def run(case, zombies):
    """Traces `zombies CASE`; zombies(report) names the children left unwaited."""
    t = trace([example('zombies'), case], opts=['--signals'])
    check_clean_exit(t, 0)
    rep = t.report
    parent, kids = rep['pid'], zombies(rep)
    ds = diagnoses_of(t, 'not_waited')
    check_eq('%s: kinds of diagnosis' % case, ['not_waited'], [d['kind'] for d in t.diagnoses])
    d = ds[0]
    ex = exits(t)
    check_eq('%s: (pid, comm)' % case, (parent, 'zombies'), (d['pid'], d['comm']))
    check_eq('%s: time (the parent\'s exit)' % case, ex[parent]['time_ns'], d['time_ns'])
    want = {parent: 'parent'}
    want.update((k, 'child') for k in kids)
    check_eq('%s: processes and roles' % case, want, roles(d))
    check_eq('%s: children' % case, kids, [c['pid'] for c in d['children']])
    for c in d['children']:
        pid = c['pid']
        handover = one(select_events(t.events, type='signal_generate', pid=parent, sig='SIGCHLD', child_pid=pid),
                       'the SIGCHLD that hands %d over' % pid)
        check(handover['target_pid'] != parent, '%s: %d handed over to its own parent' % (case, pid))
        check_eq('%s: child %d (status, exited_ns, zombie_ns, adopted_by)' % (case, pid),
                 ('exited %d' % ex[pid]['exit_code'], ex[pid]['time_ns'],
                  ex[parent]['time_ns'] - ex[pid]['time_ns'], handover['target_pid']),
                 (c['status'], c['exited_ns'], c['zombie_ns'], c['adopted_by']))
        check(c['zombie_ns'] > 0, '%s: %d was never a zombie' % (case, pid))
        r = one(select_records(t.records, sig='SIGCHLD', child_pid=pid, target_pid=handover['target_pid']),
                'the record of the SIGCHLD that hands %d over' % pid)
        check_eq('%s: that record\'s explanation' % case,
                 ADOPTED % (handover['target_comm'], handover['target_pid']),
                 r['explanation'][:len(ADOPTED % (handover['target_comm'], handover['target_pid']))])
        check('zombies[%d] (exited %d at ' % (pid, ex[pid]['exit_code']) in d['message'],
              '%s: the message does not tell %d: %r' % (case, pid, d['message']))
    check_eq('%s: evidence (event, pid)' % case,
             sorted([('exit', k) for k in kids] + [('exit', parent), ('signal_generate', parent)]),
             sorted((e['event'], e['pid']) for e in d['evidence']))
    check('zombies[%d] never waited for %d of its children' % (parent, len(kids)) in d['message']
          and 'call wait() or waitpid()' in d['message'], '%s: message %r' % (case, d['message']))
    return d, rep


d, rep = run('never', lambda rep: rep['children'])
check_eq('never: exit codes', [0, 1, 2], [int(c['status'].split()[-1]) for c in d['children']])
passed('never: %s' % d['message'])

d, rep = run('first', lambda rep: rep['children'][1:])
passed('first: %s' % d['message'])

d, rep = run('handler', lambda rep: rep['children'])
passed('handler: %s' % d['message'])

# A child that outlives its parent: adopted, and no zombie of it.
t = trace([example('zombies'), 'orphan'], opts=['--signals', '--follow-orphans'])
check_clean_exit(t, 0)
parent, child = t.report['pid'], t.report['children'][0]
check_eq('orphan: diagnoses', [], t.diagnoses)
sent = one(select_events(t.events, type='signal_generate', pid=child, sig='SIGCHLD'), 'the orphan\'s SIGCHLD')
check(sent['target_pid'] != parent, 'orphan: its SIGCHLD went to its parent %d, which had exited' % parent)
r = one(select_records(t.records, sig='SIGCHLD', child_pid=child), 'the orphan\'s SIGCHLD record')
check_eq('orphan: the record\'s (target, outcome)', (sent['target_pid'], 'unobserved'), (r['target_pid'], r['outcome']))
check(r['explanation'].startswith(ADOPTED % (sent['target_comm'], sent['target_pid'])),
      'orphan: explanation %r' % r['explanation'])
check_eq('orphan: no record for the SIGCHLD to ipctrace, which launched it', [],
         select_records(t.records, sig='SIGCHLD', child_pid=parent))
passed('orphan: no diagnosis; %r' % r['explanation'])
done()
