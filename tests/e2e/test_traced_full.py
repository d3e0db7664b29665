#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A full traced set: `holdtree 20` keeps its 20 children alive together,
traced by a daemon whose traced set holds 8 processes (--traced-max 8):
the command and 7 children are traced, 13 children are not. The session
must still end when the traced processes have exited (it waited forever
for the exits of children it had counted but could not trace), and say how
many were left out: the summary, the forks, and stats, exactly. (Before
--traced-max existed, the same hang took a traced set filled to its 65536.)"""

import atexit

from common import Daemon, check, check_clean_exit, check_eq, done, example, passed, select_events, trace
from logcommon import stats

MAX = 8
N = 20

d = Daemon(args=['--traced-max', str(MAX)])
atexit.register(d.cleanup)
t = trace([example('holdtree'), str(N)], opts=['-s', d.socket], timeout=60)
check_clean_exit(t, 0)
rep = t.report
pid, children = rep['pid'], rep['children']
check_eq('children the program forked', N, len(children))

forks = select_events(t.events, type='fork', pid=pid)
check_eq('fork events: the children', sorted(children), sorted(f['child_pid'] for f in forks))
untraced = [f['child_pid'] for f in forks if f.get('untraced') is True]
traced = [f['child_pid'] for f in forks if f.get('untraced') is False]
check_eq('children traced (the set holds %d: the command and %d children)' % (MAX, MAX - 1),
         MAX - 1, len(traced))
check_eq('children not traced', N - (MAX - 1), len(untraced))
check_eq('summary untraced_processes', len(untraced), t.summary.get('untraced_processes'))
passed('%d children traced, %d counted as not traced, and the session ended' % (len(traced), len(untraced)))

for c in traced:
    check_eq('exit events of traced child %d' % c, 1, len(select_events(t.events, type='exit', pid=c)))
for c in untraced:
    # The SIGCHLD its exit sends is an event of the traced parent's, which it targets.
    check_eq('events of untraced child %d' % c, [('signal_generate', 'SIGCHLD', pid)],
             [(e['type'], e.get('sig'), e.get('target_pid')) for e in t.events if e['pid'] == c])
check_eq('exit events of the command', 1, len(select_events(t.events, type='exit', pid=pid)))
passed('each traced process exited in the trace; of the others only the SIGCHLD to the traced parent')

st = stats(d.socket)
check_eq('stats untraced_children', len(untraced), st.get('untraced_children'))
check_eq('stats sessions', 0, st.get('sessions'))
check_eq('stats traced_processes', 0, st.get('traced_processes'))
check(st.get('attached') is False, 'the programs are still attached: %r' % st)
passed('stats: %d children not traced, no session left' % len(untraced))
done()
