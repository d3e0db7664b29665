#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Under `trace --all`, a process that was running before the trace began
is traced like any other: `waitsig --handle`, started first, waits for
SIGUSR1 with a handler; once the system-wide session runs, this test sends
it SIGUSR1. Its record is `handled` by on_usr1 (it was `unobserved`: the
correlator knew only the processes it saw start), named while the process
lives (it exits when told, once the record is there)."""

import json
import os
import signal
import subprocess
import tempfile

from common import Lines, check, check_eq, done, example, one, passed, run_env
from logcommon import TIME_SLACK_NS, SystemWide
from sigcommon import check_fields, describe

TIMEOUT = 60

fd, report = tempfile.mkstemp(prefix='ipctrace-e2e-report-', suffix='.json')
os.close(fd)
w = subprocess.Popen([example('waitsig'), '--handle'], env=run_env({'IPCTRACE_REPORT': report}),
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
sw = None
try:
    out = Lines(w.stdout)
    check(out.wait_for(lambda ls: 'ready' in ls, TIMEOUT), 'waitsig --handle did not say ready')
    sw = SystemWide()
    os.kill(w.pid, signal.SIGUSR1)
    check(out.wait_for(lambda ls: 'handled' in ls, TIMEOUT), 'waitsig --handle did not say handled')
    recs = sw.wait_for('the record of SIGUSR1 to waitsig', lambda: sw.records('target=%d' % w.pid))
    w.stdin.close()
    check_eq('waitsig --handle: exit status', 0, w.wait(timeout=TIMEOUT))
    with open(report) as f:
        rep = json.load(f)
    check_eq('waitsig report: (pid, handler runs)', (w.pid, 1), (rep['pid'], rep['handled']))
    sw.wait_logged('the exit of waitsig (pid %d)' % w.pid, 'pid=%d' % w.pid, 'type=exit')
    gen = one([e for e in sw.log('type=signal_generate', 'sig=SIGUSR1') if e['target_pid'] == w.pid],
              'signal_generate SIGUSR1 to waitsig')
    dlv = one(sw.log('type=signal_deliver', 'pid=%d' % w.pid), 'signal_deliver to waitsig')
    ret = one(sw.log('type=rt_sigreturn', 'pid=%d' % w.pid), 'rt_sigreturn of waitsig')
    check_eq('signal_generate: sender', os.getpid(), gen['pid'])
    passed('trace --all: waitsig (pid %d, started before the trace) got SIGUSR1 from pid %d, handled it'
           % (w.pid, os.getpid()))

    r = one(recs, 'records for waitsig (pid %d)' % w.pid)
    check_fields(r, sig='SIGUSR1', outcome='handled', action='handler', handler='on_usr1', via='kill',
                 sender_pid=os.getpid(), result='queued', session=sw.session, delivered_tid=w.pid)
    # Two replies, two readings of the clock offset (logcommon): times agree within TIME_SLACK_NS.
    for field, e in (('generated_ns', gen), ('delivered_ns', dlv), ('returned_ns', ret)):
        check(r[field] is not None and abs(r[field] - e['time_ns']) <= TIME_SLACK_NS,
              '%s: %s %r, the %s event at %d' % (describe(r), field, r[field], e['type'], e['time_ns']))
    passed('%s: handled by on_usr1, its generation, delivery and return those of the log' % describe(r))
finally:
    w.stdin.close()
    if w.poll() is None:
        w.kill()
        w.wait(timeout=TIMEOUT)
    w.stdout.close()
    os.unlink(report)
    if sw:
        sw.close()
done()
