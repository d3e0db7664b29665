#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`race CASE` (examples/race.c): a child meant to handle SIGUSR1 is killed
by its default action because the signal came before its handler, three
ways, each diagnosed `handler_race` at the child's end: the child, the
sender, who installed the handler that shows the program handles SIGUSR1,
and the events it rests on (the child's fork, that install, the signal's
generation, the child's exit), each at its event's time:

- parent: the parent installed the handler after fork();
- sibling: a first child installed it; the second, still reading a pipe,
  had not yet;
- early: the same, the second child not having made a single traced call."""

from common import (check, check_clean_exit, check_eq, done, example, one, passed, select_events,
                    trace)
from diagcommon import diagnoses_of, roles


def run(case, installer):
    t = trace([example('race'), case])
    check_clean_exit(t, 0)
    rep = t.report
    killed, parent = rep['killed'], rep['pid']
    inst = installer(rep)
    check_eq('%s: the killed child\'s status (killed by SIGUSR1)' % case, 10, rep['killed_status'])
    ds = diagnoses_of(t, 'handler_race')
    check_eq('%s: kinds of diagnosis' % case, ['handler_race'], [d['kind'] for d in t.diagnoses])
    d = ds[0]
    fork = one(select_events(t.events, type='fork', pid=parent, child_pid=killed), 'the fork of %d' % killed)
    act = one(select_events(t.events, type='rt_sigaction', pid=inst, sig='SIGUSR1', handler='on_usr1'),
              'the handler install by %d' % inst)
    gen = one(select_events(t.events, type='signal_generate', pid=parent, sig='SIGUSR1', target_pid=killed),
              'SIGUSR1 to %d' % killed)
    ex = one(select_events(t.events, type='exit', pid=killed), 'the exit of %d' % killed)
    check_eq('%s: the child\'s exit' % case, 'SIGUSR1', ex['exit_signal'])
    check_eq('%s: (pid, sig, time_ns)' % case, (killed, 'SIGUSR1', ex['time_ns']), (d['pid'], d['sig'], d['time_ns']))
    want = {killed: 'killed', parent: 'sender'}
    want.setdefault(inst, 'installer')
    check_eq('%s: processes and roles' % case, want, roles(d))
    check_eq('%s: evidence (event, pid, time_ns), oldest first' % case,
             sorted([('fork', parent, fork['time_ns']), ('rt_sigaction', inst, act['time_ns']),
                     ('signal_generate', parent, gen['time_ns']), ('exit', killed, ex['time_ns'])],
                    key=lambda x: x[2]),
             [(e['event'], e['pid'], e['time_ns']) for e in d['evidence']])
    check('race[%d] was killed by SIGUSR1, sent by race[%d] at ' % (killed, parent) in d['message']
          and 'installed on_usr1 at ' in d['message'] and 'install the handler before fork()' in d['message'],
          '%s: message %r' % (case, d['message']))
    return d, rep


d, rep = run('parent', lambda rep: rep['pid'])
check('its parent race[%d] installed on_usr1 at ' % rep['pid'] in d['message']
      and 'after forking it' in d['message'], 'parent: message %r' % d['message'])
passed('parent: %s' % d['message'])

d, rep = run('sibling', lambda rep: rep['other'])
check_eq('sibling: the first child handled it and exited 0', 0, rep['other_status'])
check('race[%d], running the same code, installed on_usr1' % rep['other'] in d['message']
      and 'single traced system call' not in d['message'], 'sibling: message %r' % d['message'])
passed('sibling: %s' % d['message'])

d, rep = run('early', lambda rep: rep['other'])
check('before it had made a single traced system call' in d['message'], 'early: message %r' % d['message'])
passed('early: %s' % d['message'])
done()
