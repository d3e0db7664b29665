#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A session's end waits for its handlers' names without stopping the
daemon (daemon/records.c). The daemon's symbols worker is held in a ptrace
stop (sigcommon.SymbolsStopped) from before `sigcases discard` installs
its handlers to after the session's end is due: the program's file is
still unread when its signals are delivered and when it exits, as on a
machine too slow to read it in time, however long that lasts here.
Meanwhile:

- the session is listed as `ending` and `ipctrace run` has not returned
  (its session_end notice waits behind the records);
- the daemon serves other clients: `sessions` answers, and a whole other
  session (`pipe 100`, which installs no handler) starts, streams every
  write and read its program counts, and ends;
- once the worker goes on, the records go out named (on_usr1, on_winch,
  the program's own functions) before session_end (`run` prints the
  records it got before that notice), exactly as sig_discard checks them,
  and no handler was left unnamed (stats).

Then the same with a copy of sigcases (another file, unread) whose
`ipctrace run` is killed while its session is ending: nothing waits for
the gone client, and once the worker goes on the session ends as it was to
(`exited`), its records logged named."""

import json
import os
import shutil
import signal
import subprocess
import tempfile

from common import (IPCTRACE, Daemon, check, check_eq, connect, done, example, fail, passed, request, run_cli,
                    run_env, wait_until)
from sigcommon import CaseInThread, SymbolsStopped, discard_handled, ending_meanwhile, session_ending, unnamed

TIMEOUT = 60


def logged_handlers(sock_path, pid):
    """The handlers of pid's handled signals, as the daemon's log has them (`ipctrace signals`)."""
    r = run_cli(['signals', '-s', sock_path, '-o', 'json', 'pid=%d' % pid])
    check_eq('ipctrace signals exit status (%s)' % r.stderr.strip(), 0, r.returncode)
    return sorted(o['handler'] for o in map(json.loads, r.stdout.splitlines()) if o['outcome'] == 'handled')


def ended(sock, session):
    """How the session ended, (state, reason), once the list has it ended."""
    for s in request(sock, {'cmd': 'sessions'})['sessions']:
        if s['session'] == session and s['state'] == 'ended':
            return s['state'], s.get('reason')
    return None


d = Daemon()
side = connect(d.socket)
stopped = SymbolsStopped(d.pid)
passed('the symbols worker (thread %d of ipctraced %d) is stopped' % (stopped.tid, d.pid))

case = CaseInThread('discard', d.socket)
s = ending_meanwhile(d.socket, side, 'sigcases', case.running, TIMEOUT)
check_eq('handlers left unnamed so far (stats)', 0, unnamed(side))

stopped.go_on()
t = case.result(TIMEOUT)
pid = t.report['pid']
check_eq('the handled signals\' handlers', {'SIGUSR1': 'on_usr1', 'SIGWINCH': 'on_winch'},
         {sig: r['handler'] for sig, r in discard_handled(t).items()})
check_eq('handlers left unnamed (stats)', 0, unnamed(side))
check_eq('how the session ended', ('ended', 'exited'), ended(side, s['session']))
check_eq('the logged handlers', ['on_usr1', 'on_winch'], logged_handlers(d.socket, pid))
passed('once the worker went on, the records came named (on_usr1, on_winch) before session_end, '
       'and were logged so')

# The owner gone while its session's end waits.
tmp = tempfile.mkdtemp(prefix='ipctrace-e2e-namewait-')
copy = os.path.join(tmp, 'sigcases')
shutil.copy2(example('sigcases'), copy)
report = os.path.join(tmp, 'report.json')
stopped = SymbolsStopped(d.pid)
run = subprocess.Popen([IPCTRACE, 'run', '-s', d.socket, '-o', 'json', '--signals', '--', copy, 'discard'],
                       env=run_env({'IPCTRACE_REPORT': report}), stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
s = wait_until(lambda: session_ending(side, 'sigcases') or (run.poll() is not None and fail(
    'ipctrace run (of a copy of sigcases) returned, status %d, before its session was listed as ending'
    % run.returncode)), 'the copy\'s session to be listed as ending', TIMEOUT)
run.send_signal(signal.SIGKILL)
run.wait(TIMEOUT)
wait_until(lambda: request(side, {'cmd': 'stats'})['clients'] == 1, 'the daemon to see ipctrace run gone',
           TIMEOUT)
check_eq('the session, its client gone', s['session'], (session_ending(side, 'sigcases') or {}).get('session'))
stopped.go_on()
check_eq('how the session ended, its client gone', ('ended', 'exited'),
         wait_until(lambda: ended(side, s['session']), 'the copy\'s session to end', TIMEOUT))
with open(report) as f:
    pid = json.load(f)['pid']
check_eq('the logged handlers', ['on_usr1', 'on_winch'], logged_handlers(d.socket, pid))
check_eq('handlers left unnamed (stats)', 0, unnamed(side))
check(d.alive(), 'ipctraced died')
passed('its client killed while session %d was ending, it ended "exited" once the names came, '
       'its records logged named' % s['session'])
shutil.rmtree(tmp)
side.close()
d.cleanup()
done()
