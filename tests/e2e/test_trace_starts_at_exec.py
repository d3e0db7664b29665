#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A trace holds only what the command did: ipctrace starts it held before
exec, and what that held process does (its own setup, still ipctrace's code)
must not show up. The command's first event is its exec. Repeated, since
what ipctrace's setup leaves behind depends on timing."""

from common import by_time, check_eq, done, example, fail, passed, trace

RUNS = 50

for i in range(RUNS):
    t = trace([example('exitwith'), '0'])
    check_eq('run %d: exit status' % i, 0, t.returncode)
    pid = t.report['pid']
    mine = by_time([e for e in t.events if e['pid'] == pid])
    if not mine or mine[0]['type'] != 'exec':
        fail('run %d: the first event of the command (pid %d) is not its exec but %r'
             % (i, pid, mine[0] if mine else None))
    before = [e for e in t.events if e['time_ns'] < mine[0]['time_ns']]
    check_eq('run %d: events before the exec' % i, [], before)
passed('%d runs: the first event is the exec' % RUNS)
done()
