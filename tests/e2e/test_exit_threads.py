#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A process whose threads end together has one exit event, with the
status its parent's waitpid() got. `mtexit CASE 200` (examples/mtexit.c)
forks 200 children in turn; in each, five threads end at once: a worker's
exit_group while the others run (`group`), pthread_exit in main as a
worker calls _exit (`mainexit`), or every thread's own exit syscall with a
code of its own (`raw`). Each thread that found the process dead as it
exited reported an exit, with its own code: under `ipctrace run` the first
of them won (with the wrong code, now and then, in `raw`), and under
`trace --all`, where nothing is removed from a traced set, each of them
did. Both are checked."""

import collections

from common import check_clean_exit, check_eq, done, example, fail, passed, select_events, trace
from logcommon import SystemWide

CHILDREN = 200
CASES = ('group', 'mainexit', 'raw')


def check_exits(what, rep, exits):
    """exits: {pid: [status, ...]} from the exit events."""
    check_eq('%s: report: case' % what, what.split()[0], rep.get('case'))
    kids = rep['children']
    check_eq('%s: children reported' % what, CHILDREN, len(kids))
    for k in kids:
        got = exits.get(k['pid'], [])
        if got != [k['status']]:
            fail('%s: child %d: waitpid said status %d; exit events: %r' % (what, k['pid'], k['status'], got))
    check_eq('%s: exit events of the parent' % what, [0], exits.get(rep['pid']))
    passed('%s: %d children, one exit event each, with the status waitpid got (exit codes %s)'
           % (what, CHILDREN, sorted({k['status'] >> 8 for k in kids})))


def statuses(events):
    exits = collections.defaultdict(list)
    for e in events:
        exits[e['pid']].append(e.get('status'))
    return exits


for case in CASES:
    t = trace([example('mtexit'), case, str(CHILDREN)])
    check_clean_exit(t)
    exits = statuses(select_events(t.events, type='exit'))
    check_eq('%s: processes with exit events' % case, CHILDREN + 1, len(exits))
    check_exits('%s (ipctrace run)' % case, t.report, exits)

sw = SystemWide()
try:
    for case in CASES:
        rep = sw.run([example('mtexit'), case, str(CHILDREN)])
        check_exits('%s (trace --all)' % case, rep, statuses(sw.log('type=exit')))
finally:
    sw.close()
done()
