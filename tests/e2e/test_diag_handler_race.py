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

from common import check, check_eq, done, example, passed, trace
from diagcommon import check_handler_race


def run(case, installer):
    return check_handler_race(trace([example('race'), case]), case, installer)


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
