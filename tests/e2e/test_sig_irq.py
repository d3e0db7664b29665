#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A signal that the kernel raises from an interrupt belongs to its target,
not to whatever task the interrupt happened to stop. A busy loop of user
nobody runs traced (session S), pinned to CPU 0; `sigcases alarms`, pinned
to CPU 0 too, waits for 50 one-shot ITIMER_REAL timers in a row, once
untraced and once traced (session T). The timer interrupt finds the busy
loop running, and SIGALRM used to take its pid, comm, uid and session:
T's generations named the busy loop, and S was given the untraced
program's signals. Now T's SIGALRMs are the target's (its pid, comm, uid),
from the kernel (timer), and S has none."""

import os
import signal
import subprocess

from common import (IPCTRACE, NOBODY, Daemon, Lines, check, check_eq, done, example, fail, passed, run_env,
                    select_events, select_records, trace)
from logcommon import log, parse_json_lines
from sigcommon import check_fields, check_records_wellformed, describe

TIMEOUT = 60
ON_CPU0 = ['taskset', '-c', '0']
SPIN = ['setpriv', '--reuid=%d' % NOBODY, '--regid=%d' % NOBODY, '--clear-groups'] + ON_CPU0 + \
    ['sh', '-c', 'while :; do :; done']
ALARMS = ON_CPU0 + [example('sigcases'), 'alarms']


def run_alarms_untraced():
    r = subprocess.run(ALARMS, env=run_env({'IPCTRACE_REPORT': '/dev/null'}), stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=TIMEOUT,
                       universal_newlines=True)
    check_eq('untraced sigcases alarms: exit status (stderr %r)' % r.stderr, 0, r.returncode)


d = Daemon(args=os.environ.get('IPCTRACE_E2E_DAEMON_ARGS', '').split())
spin = None
try:
    spin = subprocess.Popen([IPCTRACE, 'run', '-s', d.socket, '-o', 'json', '--'] + SPIN, env=run_env(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = Lines(spin.stdout)
    check(out.wait_for(lambda ls: any('"type":"exec"' in l and '"comm":"sh"' in l for l in ls), TIMEOUT),
          'the busy loop (sh) was not exec\'d: %r' % out.text()[-500:])
    busy = [e for e in parse_json_lines('\n'.join(out.lines), 'busy loop') if e['type'] == 'exec'][-1]
    check_eq('the busy loop\'s uid', NOBODY, busy['uid'])

    run_alarms_untraced()
    t = trace(ALARMS, opts=['--signals'], socket=d.socket)
    os.kill(busy['pid'], signal.SIGTERM)
    out.wait_for(lambda ls: False, TIMEOUT)     # to the end of its output
    check(out.eof, 'ipctrace run of the busy loop did not end after its SIGTERM')
    check_eq('ipctrace run of the busy loop: exit status (stderr %r)' % spin.stderr.read(),
             128 + signal.SIGTERM, spin.wait(timeout=TIMEOUT))
    spun = parse_json_lines('\n'.join(out.lines), 'busy loop')
    check_eq('the busy loop\'s summary: lost', 0, spun[-1].get('lost'))
    session_s = busy['session']

    rep = t.report
    pid = rep['pid']
    check_eq('sigcases alarms: exit status', 0, t.returncode)
    check_eq('sigcases alarms report: (timers, handler runs)', (50, 50), (rep['timers'], rep['handled']))
    session_t = t.events[0]['session']
    check(session_t != session_s, 'one session for both runs')
    gens = select_events(t.events, type='signal_generate', sig='SIGALRM')
    check_eq('SIGALRM generations in session %d' % session_t, rep['timers'], len(gens))
    for g in gens:
        got = (g['pid'], g['tid'], g['comm'], g['uid'], g['session'], g['target_pid'])
        want = (pid, pid, 'sigcases', rep['uid'], session_t, pid)
        if got != want:
            fail('a SIGALRM generation: (pid, tid, comm, uid, session, target_pid) %r, expected %r' % (got, want))
    # The target sleeps when its timers fire: the interrupt stops another task (the busy loop, mostly).
    stopped_other = len([g for g in gens if g.get('kernel_context') is True])
    check(stopped_other > 0, 'no SIGALRM generation says kernel_context: %r' % gens[:3])
    passed('session %d: %d SIGALRM generations, each the target\'s (pid %d, uid %d); %d raised while '
           'another task ran' % (session_t, len(gens), pid, rep['uid'], stopped_other))

    check_records_wellformed(t)
    recs = select_records(t.records, sig='SIGALRM')
    check_eq('SIGALRM records', rep['timers'], len(recs))
    for r in recs:
        check_fields(r, outcome='handled', handler='on_alrm', via='kernel', cause='timer', sender_pid=None,
                     sender_comm=None, target_pid=pid, session=session_t)
    passed('session %d: %d SIGALRM records, handled, sent by kernel (timer)' % (session_t, len(recs)))

    check_eq('SIGALRM events in the busy loop\'s session %d' % session_s, [],
             [e for e in spun if e.get('sig') == 'SIGALRM'])
    check_eq('SIGALRM generations logged for other targets than pid %d' % pid, [],
             [e for e in log(d.socket, 'type=signal_generate', 'sig=SIGALRM') if e['target_pid'] != pid])
    passed('session %d (the busy loop, uid %d) has no SIGALRM; the untraced program\'s are nowhere'
           % (session_s, NOBODY))
finally:
    if spin and spin.poll() is None:
        spin.kill()
        spin.wait(timeout=TIMEOUT)
    d.cleanup()
done()
