#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Event times are wall-clock times even when CLOCK_MONOTONIC has fallen
behind: the events' clock is CLOCK_BOOTTIME (docs/events.md, "Times").

A suspend stops CLOCK_MONOTONIC while CLOCK_BOOTTIME and the wall clock go
on, so a daemon that stamped events with the one and took the other's
offset to wall-clock time put every event after a suspend that far in the
past. The test machine cannot be suspended; instead the daemon runs in a
time namespace whose CLOCK_MONOTONIC is OFFSET seconds away from the
kernel's (its CLOCK_BOOTTIME is the kernel's). A daemon that turns event
times into wall-clock times through CLOCK_MONOTONIC is then OFFSET seconds
off; one that uses the clock the kernel stamps events with is right.

`signals 5` is traced with --signals; every event's time_ns, every record's
times and the log's times of the session must lie between the wall-clock
times the test read before and after the run."""

import atexit
import json
import shutil
import time

from common import (Daemon, check, check_clean_exit, check_eq, done, example, fail, passed,
                    run_cli, skip, trace)

OFFSET = 100000         # seconds: far more than any run takes
N = 5

if not shutil.which('unshare'):
    skip('unshare (util-linux) is missing')
d = Daemon(wrapper=['unshare', '--time', '--monotonic', str(OFFSET), '--'])
atexit.register(d.cleanup)
try:
    with open('/proc/%d/timens_offsets' % d.pid) as f:
        offsets = {l.split()[0]: tuple(map(int, l.split()[1:])) for l in f.read().splitlines()}
except OSError as ex:
    fail('cannot read the daemon\'s time namespace offsets: %s' % ex)
check_eq('the daemon\'s CLOCK_MONOTONIC offset (s, ns)', (OFFSET, 0), offsets.get('monotonic'))
check_eq('the daemon\'s CLOCK_BOOTTIME offset (s, ns)', (0, 0), offsets.get('boottime'))
passed('ipctraced runs with CLOCK_MONOTONIC %d s away from the kernel\'s, CLOCK_BOOTTIME as the kernel\'s'
       % OFFSET)

before = time.time_ns()
t = trace([example('signals'), str(N)], opts=['-s', d.socket, '--signals'])
after = time.time_ns()
check_clean_exit(t, 0)
check_eq('report: handler runs', N, t.report['handled'])


def check_time(what, ns):
    check(isinstance(ns, int) and before <= ns <= after,
          '%s at %r, outside the run (%d .. %d): %s' %
          (what, ns, before, after, 'off by %+.0f s' % ((ns - before) / 1e9) if isinstance(ns, int) else ''))


for e in t.events:
    check_time('event %s of pid %s' % (e['type'], e.get('pid')), e['time_ns'])
check_eq('events of the run', t.summary['events'], len(t.events))
passed('the %d events\' time_ns lie within the run\'s wall-clock times' % len(t.events))

handled = [r for r in t.records if r.get('outcome') == 'handled']
check_eq('handled SIGUSR1 records', N, len(handled))
for r in t.records:
    for k in ('generated_ns', 'delivered_ns', 'returned_ns'):
        if r.get(k) is not None:
            check_time('record #%s %s' % (r.get('id'), k), r[k])
passed('the %d lifecycle records\' times lie within the run' % len(t.records))

session = t.events[0]['session']
r = run_cli(['log', '-s', d.socket, '-o', 'json', 'session=%d' % session])
check_eq('ipctrace log exit status (%s)' % r.stderr.strip(), 0, r.returncode)
logged = [json.loads(l) for l in r.stdout.splitlines() if l.startswith('{')]
logged = [e for e in logged if e.get('type') != 'summary']
check_eq('events logged for session %d' % session, len(t.events), len(logged))
for e in logged:
    check_time('logged event %s' % e['type'], e['time_ns'])
passed('the log has the session\'s %d events at the same wall-clock times' % len(logged))
done()
