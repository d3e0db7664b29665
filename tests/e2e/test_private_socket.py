#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every end-to-end test runs against daemons of its own, never the default
socket; common.py sees to it, and this test checks that it does:

- $IPCTRACE_SOCKET naming a private daemon, and no -s: `ipctrace run
  --signals --pipes` of `sigcases sigpipe` traces through that daemon, and
  log, signals, pipes, stats and detach ask it: log returns the run's
  events, signals its records, pipes its objects; -s wins over the variable;
- $IPCTRACE_SOCKET as common.py sets it for every test (a path in the
  test's own directory where nothing listens): root's `ipctrace run` gets a
  private daemon and a whole trace; `ipctrace stats` fails, naming it;
- the trap common.py sets at the default socket: a test that reaches it (a
  command without $IPCTRACE_SOCKET, -s naming the default socket, or a
  connect of its own) fails and names what connected; one that does not
  passes."""

import json
import os
import subprocess
import sys

from common import (DEFAULT_SOCKET, PRIVATE_DIR, Daemon, check, check_clean_exit, check_eq, done, example,
                    passed, run_cli, run_env, trace)
from logcommon import log, same_events

d = Daemon()
try:
    env = {'IPCTRACE_SOCKET': d.socket}
    t = trace([example('sigcases'), 'sigpipe'], opts=['--signals', '--pipes'], env=env)
    check_clean_exit(t, 0)
    check(t.records and t.objects, 'the run printed no lifecycle records or no objects: %d, %d'
          % (len(t.records), len(t.objects)))
    same_events('log -s (the daemon that $IPCTRACE_SOCKET names) vs the run', t.events, log(d.socket))
    passed('run without -s traced through the daemon at $IPCTRACE_SOCKET: its log holds the %d events'
           % len(t.events))

    def query(verb):
        r = run_cli([verb, '-o', 'json'], env=env)
        check_eq('ipctrace %s without -s: exit status (stderr %r)' % (verb, r.stderr), 0, r.returncode)
        return [json.loads(line) for line in r.stdout.splitlines()]

    same_events('log without -s vs the run', t.events, query('log'))
    check_eq('signals without -s: record ids vs the run\'s', sorted(r['id'] for r in t.records),
             sorted(r['id'] for r in query('signals')))
    check_eq('pipes without -s: objects vs the run\'s', sorted(o['object'] for o in t.objects),
             sorted(o['object'] for o in query('pipes')))
    st = query('stats')[0]
    check_eq('stats without -s: events logged (the run\'s)', len(t.events), st.get('events'))
    r = run_cli(['detach', '9999'], env=env)
    check(r.returncode == 1 and 'no session 9999' in r.stderr,
          'detach 9999 without -s: exit %d, stderr %r (the daemon\'s answer expected)' % (r.returncode, r.stderr))
    missing = os.path.join(d.dir, 'missing.sock')
    r = run_cli(['stats', '-s', missing], env=env)
    check(r.returncode == 1 and 'no ipctrace daemon is running (nothing answers at %s)' % missing in r.stderr,
          'stats -s MISSING with $IPCTRACE_SOCKET set: exit %d, stderr %r' % (r.returncode, r.stderr))
    passed('log, signals, pipes, stats and detach without -s ask the daemon at $IPCTRACE_SOCKET; -s wins')
finally:
    d.cleanup()

# As every test runs: nothing listens at $IPCTRACE_SOCKET.
own = os.environ['IPCTRACE_SOCKET']
check(own.startswith(PRIVATE_DIR + '/') and not os.path.exists(own),
      '$IPCTRACE_SOCKET is %r, not a missing path in this test\'s directory %s' % (own, PRIVATE_DIR))
t = trace([example('signals'), '2'])
check_clean_exit(t, 0)
check_eq('SIGUSR1 deliveries traced by the private daemon', t.report['handled'],
         len([e for e in t.events if e['type'] == 'signal_deliver']))
# Every verb that needs a running daemon says so alike, and how to start one (ipctrace(1), EXIT STATUS).
for args in (['stats'], ['log', '--since', '-10m'], ['signals'], ['pipes'], ['explain', '1'], ['detach', '1']):
    r = run_cli(args)
    check(r.returncode == 1 and 'no ipctrace daemon is running (nothing answers at %s)' % own in r.stderr
          and "Start it with 'sudo systemctl start ipctraced'" in r.stderr
          and "'sudo ipctrace run -- CMD' traces CMD privately" in r.stderr,
          '%s with nothing at $IPCTRACE_SOCKET: exit %d, stderr %r' % (' '.join(args), r.returncode, r.stderr))
    check_eq('%s with nothing at $IPCTRACE_SOCKET: stdout' % ' '.join(args), '', r.stdout)
passed('nothing at $IPCTRACE_SOCKET: run gets a private daemon; stats, log, signals, pipes, explain and '
       'detach exit 1 naming %s and how to start one' % own)

# The trap: a test of its own, importing common.py, that does HOW.
CHILD = '''
import os, socket, subprocess, sys
sys.path.insert(0, sys.argv[1])
from common import DEFAULT_SOCKET, IPCTRACE, done, run_cli
how = sys.argv[2]
if how == 'no-env':
    env = dict(os.environ)
    del env['IPCTRACE_SOCKET']
    subprocess.run([IPCTRACE, 'stats'], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
elif how == '-s':
    run_cli(['stats', '-s', DEFAULT_SOCKET])
elif how == 'connect':
    socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect(DEFAULT_SOCKET)
else:
    run_cli(['stats'])
done()
'''
child = os.path.join(PRIVATE_DIR, 'test_trap.py')
with open(child, 'w') as f:
    f.write(CHILD)
here = os.path.dirname(os.path.abspath(__file__))
for how, caught in (('no-env', 'ipctrace stats'), ('-s', 'ipctrace stats -s ' + DEFAULT_SOCKET),
                    ('connect', 'test_trap.py'), ('nothing', None)):
    r = subprocess.run([sys.executable, child, here, how], env=run_env(), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=60)
    if caught is None:
        check_eq('a test that leaves the default socket alone: exit status (output %r)' % r.stdout, 0, r.returncode)
        continue
    check_eq('a test that reaches the default socket (%s): exit status (output %r)' % (how, r.stdout),
             1, r.returncode)
    check('connected to the default socket %s' % DEFAULT_SOCKET in r.stdout and caught in r.stdout,
          'the trap did not name %r: %r' % (caught, r.stdout))
passed('the trap at %s fails a test that connects to it (without $IPCTRACE_SOCKET, with -s, or itself)'
       % DEFAULT_SOCKET)
done()
