#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A handler is named for `ipctrace run ./PROG` (a path relative to the
user's directory) even when PROG has exited before the daemon looks at it.

The daemon names handlers from the program's file (lib/symbols.c): from
/proc/PID/exe while the process runs, else from the file its exec record
names. `signals 1` installs a handler, sends itself SIGUSR1 and exits at
once, often before the daemon handles its exec record; the daemon's
directory (/ here, as for the system's daemon) is not the user's, so a
relative name there would be another file, or none, and the handler left
an address. `ipctrace run` execs the command by an absolute path instead
(cli/run.c), and the program still sees argv[0] as typed. For ROUNDS runs
from the examples' directory:
- run: exit 0, the program's report (1 kill, handled once);
- the lifecycle record of the SIGUSR1 (--signals) is handled by
  on_sigusr1, by name (before the fix, an address in about 9 runs of 10);
- the exec event's filename is absolute (the examples' signals), and the
  argv event's argv[0] is "./signals"."""

import os

from common import EXAMPLES, Daemon, check, check_clean_exit, check_eq, done, example, one, passed, select_events, trace

ROUNDS = 10

prog = example('signals')
# The daemon's directory is the system daemon's: not the one the user runs ./signals from.
os.chdir('/')
d = Daemon()
try:
    os.chdir(EXAMPLES)
    for k in range(ROUNDS):
        t = trace(['./signals', '1'], socket=d.socket, opts=['--signals'])
        check_clean_exit(t)
        check_eq('round %d: the report (kill, handled)' % k, (1, 1), (t.report['kill'], t.report['handled']))
        pid = t.report['pid']
        r = one([r for r in t.records if r['sig'] == 'SIGUSR1'], 'round %d: the SIGUSR1 record' % k)
        check_eq('round %d: the SIGUSR1 record (outcome, handler)' % k, ('handled', 'on_sigusr1'),
                 (r['outcome'], r['handler']))
        e = one(select_events(t.events, type='exec', pid=pid), 'round %d: exec' % k)
        check_eq('round %d: the exec\'s filename' % k, os.path.realpath(prog), os.path.realpath(e['filename']))
        check(os.path.isabs(e['filename']), 'round %d: the exec\'s filename %r is relative' % (k, e['filename']))
        a = one(select_events(t.events, type='argv', pid=pid), 'round %d: argv' % k)
        check_eq('round %d: argv' % k, ['./signals', '1'], a['argv'])
    passed('%d runs of `ipctrace run --signals ./signals 1` from its directory, the daemon\'s /: exec by '
           'the absolute path, argv[0] "./signals", the handler named on_sigusr1 every time' % ROUNDS)
finally:
    d.cleanup()
done()
