#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A handler_race diagnosis waits for its handler's name without stopping
the daemon (lib/diagnose.c, daemon/records.c). The daemon's symbols worker
is held in a ptrace stop (sigcommon.SymbolsStopped) from before `race
parent` (a fresh copy of examples/race, a file the daemon has not read)
installs its handler to after the session's end is due: the program's file
is still unread when the child is killed, as on a machine too slow to
read it in time, however long that lasts here. Meanwhile:

- the session is listed as `ending` and `ipctrace run` has not returned
  (its session_end notice waits behind the diagnosis);
- the daemon serves other clients: `sessions` answers, and a whole other
  session (`pipe 100`, which installs no handler) starts, streams every
  write and read its program counts, and ends;
- once the worker goes on, the diagnosis comes before session_end (`run`
  prints what it got before that notice) with the handler's name
  ("installed on_usr1 at", not its address), exactly as diag_handler_race
  checks it, is logged so (`explain`), and no handler was left unnamed
  (stats)."""

import os
import shutil
import tempfile

from common import Daemon, check, check_eq, connect, done, example, passed, request, trace
from diagcommon import check_handler_race
from sigcommon import SymbolsStopped, TraceInThread, ending_meanwhile, unnamed

TIMEOUT = 60


d = Daemon()
side = connect(d.socket)
# The daemon keeps the files it has read: a copy is one it has not.
tmp = tempfile.mkdtemp(prefix='ipctrace-e2e-diagnamewait-')
prog = os.path.join(tmp, 'race')
shutil.copy2(example('race'), prog)
before = unnamed(side)
stopped = SymbolsStopped(d.pid)
passed('the symbols worker (thread %d of ipctraced %d) is stopped' % (stopped.tid, d.pid))

race = TraceInThread(lambda: trace([prog, 'parent'], socket=d.socket, timeout=TIMEOUT), 'race parent')

s = ending_meanwhile(d.socket, side, 'race', race.running, TIMEOUT)
check_eq('handlers left unnamed so far (stats)', before, unnamed(side))

stopped.go_on()
diag, rep = check_handler_race(race.result(TIMEOUT), 'parent', lambda rep: rep['pid'])
check('its parent race[%d] installed on_usr1 at ' % rep['pid'] in diag['message']
      and 'after forking it' in diag['message'], 'parent: message %r' % diag['message'])
check_eq('the diagnosis\'s session', s['session'], diag['session'])
check_eq('handlers left unnamed (stats)', before, unnamed(side))
logged = request(connect(d.socket), {'cmd': 'explain', 'session': s['session']})
check_eq('the logged diagnoses\' messages', [diag['message']], [x['message'] for x in logged['diagnoses']])
check(d.alive(), 'ipctraced died')
passed('once the worker went on, the diagnosis came named before session_end, and was logged so: %s'
       % diag['message'])
shutil.rmtree(tmp)
side.close()
d.cleanup()
done()
