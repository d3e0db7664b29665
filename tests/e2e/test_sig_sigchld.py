#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`sigcases sigchld`: 20 children exit together while their parent has a
SIGCHLD handler. Each exit generates one SIGCHLD; those that arrive while
one already pends merge into it. The records: one per child, each handled
or merged, and as many handled as the handler really ran."""

from common import check, check_eq, done, passed, select_events, select_records
from sigcommon import (by_id, check_exact_records, check_fields, check_records_wellformed,
                       check_text, describe, trace_case)

N = 20

t = trace_case('sigchld')
ev, rep = t.events, t.report
pid, children, runs = rep['pid'], rep['children'], rep['handler_runs']
check_eq('report: children', N, len(children))
check_eq('report: distinct children', N, len(set(children)))
check(1 <= runs <= N, 'report: the handler ran %d times for %d children' % (runs, N))
passed('%d children exited, the SIGCHLD handler ran %d times' % (N, runs))

forks = select_events(ev, type='fork', pid=pid)
check_eq('children forked by pid %d' % pid, sorted(children),
         sorted(f.get('child_pid') for f in forks))
for c in children:
    ex = select_events(ev, type='exit', pid=c)
    check_eq('exit codes of child %d' % c, [0], [e.get('exit_code') for e in ex])
gen = select_events(ev, type='signal_generate', sig='SIGCHLD', target_pid=pid)
check_eq('signal_generate SIGCHLD to pid %d: children' % pid, sorted(children),
         sorted(g.get('child_pid') for g in gen))
deliv = select_events(ev, type='signal_deliver', pid=pid, sig='SIGCHLD')
check_eq('signal_deliver SIGCHLD to pid %d (the handler ran %d times)' % (pid, runs),
         runs, len(deliv))
act = [a for a in select_events(ev, type='rt_sigaction', pid=pid, sig='SIGCHLD')
       if a.get('handler') is not None]
check_eq('rt_sigaction SIGCHLD handlers', ['on_chld'], [a.get('handler') for a in act])
passed('raw events: %d forks, %d exits with code 0, %d SIGCHLD generated, %d delivered'
       % (len(forks), N, len(gen), len(deliv)))

check_records_wellformed(t)
recs = by_id(select_records(t.records, sig='SIGCHLD', target_pid=pid))
check_eq('SIGCHLD records to pid %d' % pid, N, len(recs))
check_eq('SIGCHLD records to pid %d with outcome "handled" (the handler ran %d times)'
         % (pid, runs), runs, len([r for r in recs if r['outcome'] == 'handled']))
check_exact_records(t, {pid: [('SIGCHLD', 'handled')] * runs
                        + [('SIGCHLD', 'merged')] * (N - runs)})
passed('%d SIGCHLD records to pid %d: %d handled + %d merged' % (N, pid, runs, N - runs))

check_eq('child_pid of the SIGCHLD records (each child once)', sorted(children),
         sorted(r['child_pid'] for r in recs))
ids = {r['id']: r for r in recs}
for r in recs:
    c = r['child_pid']
    check_fields(r, signo=17, via='kernel', cause='child', code='CLD_EXITED',
                 child_status='exited 0', sender_pid=c, target_comm='sigcases', target_tid=None)
    if r['outcome'] == 'handled':
        check_fields(r, result='queued', action='handler', handler='on_chld',
                     handler_addr=act[0].get('handler_addr'), delivered_tid=pid,
                     merged_into=None)
        check(r['delivered_ns'] is not None and r['returned_ns'] is not None,
              '%s: delivered_ns %r, returned_ns %r'
              % (describe(r), r['delivered_ns'], r['returned_ns']))
    else:
        check_fields(r, result='merged', outcome='merged', delivered_ns=None, action=None)
        into = ids.get(r['merged_into'])
        check(into is not None, '%s: merged_into %r is not a SIGCHLD record to pid %d'
              % (describe(r), r['merged_into'], pid))
        check(into['result'] == 'queued' and into['outcome'] == 'handled' and into['id'] < r['id'],
              '%s: merged into %s, which is not an earlier pending SIGCHLD that was handled'
              % (describe(r), describe(into)))
        check(into['delivered_ns'] >= r['generated_ns'],
              '%s: merged into %s, which was delivered before this one was generated'
              % (describe(r), describe(into)))
        check('pending' in check_text(r, 'explanation').lower(),
              '%s: the explanation does not say one was already pending: %r'
              % (describe(r), r['explanation']))
passed('each child\'s SIGCHLD: cause child, "exited 0"; merged ones name a pending handled one')
done()
