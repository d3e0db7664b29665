#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`sigcases discard`: SIGUSR1 and SIGWINCH are blocked and pending when the
program sets SIGUSR1 to SIG_IGN and SIGWINCH to SIG_DFL (whose action is to
ignore it): the kernel discards both (sigpending() says so). With their
handlers back, a second instance of each is delivered and handled once.
The first instances are `discarded`, with the rt_sigaction that did it;
the second ones are the handled ones (they were matched to the stale
first instances, which then looked handled, and the second ones looked
never delivered)."""

from common import check, check_eq, done, one, passed, select_events
from sigcommon import (by_id, check_exact_records, check_fields, check_records_wellformed, check_text,
                       describe, select_records, trace_case)

t = trace_case('discard')
ev, rep = t.events, t.report
pid = rep['pid']
check_eq('report: (pending after the discard, SIGUSR1 handler runs, SIGWINCH handler runs)', (0, 1, 1),
         (rep['pending_after_discard'], rep['usr1_handled'], rep['winch_handled']))

check_records_wellformed(t)
check_exact_records(t, {pid: [('SIGUSR1', 'discarded'), ('SIGUSR1', 'handled'),
                              ('SIGWINCH', 'discarded'), ('SIGWINCH', 'handled')]})
for sig, handler, disposition in (('SIGUSR1', 'on_usr1', 'SIG_IGN'), ('SIGWINCH', 'on_winch', 'SIG_DFL')):
    first, second = by_id(select_records(t.records, sig=sig, target_pid=pid))
    kills = select_events(ev, type='kill', pid=pid, sig=sig)
    check_eq('kills of %s' % sig, 2, len(kills))
    # The rt_sigaction that discarded the first: the one that set the disposition while it pended.
    act = one([e for e in select_events(ev, type='rt_sigaction', pid=pid, sig=sig, handler=disposition)
               if kills[0]['time_ns'] < e['time_ns'] < kills[1]['time_ns']],
              'rt_sigaction(%s, %s) between the kills' % (sig, disposition))
    check_fields(first, outcome='discarded', result='queued', blocked=True, via='kill', sender_pid=pid,
                 delivered_ns=None, action=None, handler=None, returned_ns=None,
                 discarded_by='rt_sigaction', discarded_ns=act['time_ns'], discarded_tid=pid)
    check(first['generated_ns'] < act['time_ns'],
          '%s: generated after the rt_sigaction that discarded it' % describe(first))
    why = check_text(first, 'explanation')
    check(disposition in why, '%s: the explanation does not name %s: %r' % (describe(first), disposition, why))
    check_fields(second, outcome='handled', action='handler', handler=handler, discarded_by=None,
                 discarded_ns=None, discarded_tid=None)
    check(second['generated_ns'] > act['time_ns'], '%s: generated before the discard' % describe(second))
    check(second['returned_ns'] is not None, '%s: the handler did not return' % describe(second))
    passed('%s: the first instance discarded by rt_sigaction(%s) ("%s"), the second handled by %s'
           % (sig, disposition, why, handler))
done()
