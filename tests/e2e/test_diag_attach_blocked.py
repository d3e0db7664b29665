#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A reader blocked before `attach` (docs/diagnoses.md, no_eof): the kernel
side notes only calls entered once traced, so the daemon finds the threads
already asleep when it attaches (/proc) and when they went to sleep (their
last time on a CPU, /proc/PID/task/TID/sched). examples/noeof's child reads
its pipe forever (it holds the write end itself); it is attached to after
it has slept BLOCK seconds, and the no_eof diagnosis says it has waited at
least that long (not the second or so since the attach), and no longer
than noeof has run; attach prints it as it comes (not only at its end)."""

import json
import os
import re
import select
import signal
import subprocess
import tempfile
import time

from common import IPCTRACE, Daemon, check, check_eq, done, example, fail, passed, proc_state, run_cli, run_env

BLOCK = 3.0
TIMEOUT = 60
READ_NR = {'x86_64': '0', 'aarch64': '63'}[os.uname().machine]


def asleep_in_read(pid):
    try:
        with open('/proc/%d/syscall' % pid) as f:
            nr = f.read().split()[0]
    except (OSError, IndexError):
        return False
    return proc_state(pid) == 'S' and nr == READ_NR


d = Daemon()
tmp = tempfile.mkdtemp(prefix='ipctrace-e2e-')
report = os.path.join(tmp, 'report.json')
prog = follower = None
try:
    env = dict(os.environ, IPCTRACE_REPORT=report)
    started = time.monotonic()
    prog = subprocess.Popen([example('noeof')], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    # The report is written before the child blocks (noeof.c): then wait for it to be asleep in read.
    deadline = time.monotonic() + TIMEOUT
    rep = None
    while rep is None or not asleep_in_read(rep['child_pid']):
        if time.monotonic() > deadline:
            fail('noeof\'s child did not block in read within %d s' % TIMEOUT)
        if rep is None and os.path.exists(report) and os.path.getsize(report):
            with open(report) as f:
                rep = json.load(f)
        time.sleep(0.01)
    seen_blocked = time.monotonic()
    # The block the diagnosis is to measure: not a synchronisation, the duration under test.
    time.sleep(BLOCK)
    attached = time.monotonic()
    follower = subprocess.Popen([IPCTRACE, 'attach', '-s', d.socket, '-o', 'json', '-p',
                                 '%d,%d' % (rep['parent_pid'], rep['child_pid'])],
                                env=run_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    # The daemon logs each diagnosis as it makes it: `explain` of the live session shows it.
    session = None
    diag = None
    deadline = time.monotonic() + TIMEOUT
    while diag is None:
        if time.monotonic() > deadline or follower.poll() is not None:
            fail('no no_eof diagnosis within %d s of the attach (attach status %r)' % (TIMEOUT, follower.poll()))
        if session is None:
            r = run_cli(['sessions', '-s', d.socket, '-o', 'json'])
            live = [o for o in map(json.loads, r.stdout.splitlines()) if o['pid'] == rep['parent_pid']]
            session = live[0]['session'] if live else None
        if session is not None:
            r = run_cli(['explain', '-s', d.socket, '-o', 'json', str(session)])
            groups = json.loads(r.stdout)['groups'] if r.returncode == 0 and r.stdout else []
            found = [x for g in groups for x in g if x['kind'] == 'no_eof']
            diag = found[0] if found else None
        if diag is None:
            time.sleep(0.05)
    said = time.monotonic()
    check_eq('the diagnosis: kind, pid, fd, object',
             ('no_eof', rep['child_pid'], rep['read_fd'], 'pipe:[%d]' % rep['inode']),
             (diag['kind'], diag['pid'], diag['fd'], diag['object']))
    m = re.search(r'has waited (\d+\.\d) s in read', diag['message'])
    check(m, 'the diagnosis does not say how long it waited: %r' % diag['message'])
    waited = float(m.group(1))
    # At least what the test saw (less a tenth's rounding and the interrupt time the
    # scheduler's clock leaves out: 0.25 s, far from the second since the attach that
    # it said before), at most noeof's whole life.
    check(waited + 0.25 >= attached - seen_blocked,
          'waited %.1f s, though blocked %.2f s before the attach' % (waited, attached - seen_blocked))
    check(waited - 0.05 <= said - started,
          'waited %.1f s, more than noeof has run (%.2f s)' % (waited, said - started))
    passed('attach to a reader blocked %.1f s: "has waited %.1f s", from the real start of its read'
           % (attached - seen_blocked, waited))
    # attach prints it as it comes, not at its end (read unbuffered: select sees what is left).
    live, buf = None, b''
    deadline = time.monotonic() + TIMEOUT
    while live is None:
        if b'\n' not in buf:
            ready, _, _ = select.select([follower.stdout], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                fail('attach did not print the diagnosis within %d s of its making' % TIMEOUT)
            data = os.read(follower.stdout.fileno(), 65536)
            if not data:
                fail('attach ended without printing the diagnosis (status %r)' % follower.wait())
            buf += data
            continue
        line, buf = buf.split(b'\n', 1)
        o = json.loads(line)
        live = o if o.get('type') == 'diagnosis' else None
    check_eq('attach: the diagnosis it printed live', diag['message'], live['message'])
    follower.send_signal(signal.SIGINT)
    out, err = follower.communicate(timeout=TIMEOUT)
    check_eq('attach: exit status at Ctrl-C (stderr %r)' % err.decode(errors='replace'), 0, follower.returncode)
    passed('attach printed the diagnosis while tracing, then ended at Ctrl-C')
finally:
    for p in (follower, prog):
        if p and p.poll() is None:
            p.kill()
            p.wait()
    if os.path.exists(report):
        with open(report) as f:
            r = json.load(f)
        for pid in (r.get('child_pid'),):
            try:
                os.kill(pid, signal.SIGKILL)
            except (OSError, TypeError):
                pass
    d.cleanup()
done()
