#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Event lines say what the lifecycle says (issue #20, point 4).

- `sigcases term`: the parent kills its child with SIGTERM, whose default
  action ends it; the kernel reports that delivery as SIGKILL. The text
  line of the delivery names SIGTERM and says the kernel ended the
  process (delivered as SIGKILL); no other line says SIGKILL; `log sig=SIGKILL` finds
  nothing of the child and `log sig=SIGTERM` its generation and delivery.
- `mtexit group`: each of N children's threads is ended by an exit_group:
  deliveries of SIGKILL that nobody sent (group_exit in JSON); `log
  sig=SIGKILL` finds none of them.
- A Python program stops a child (SIGSTOP), waits until it is stopped,
  continues it (SIGCONT) and waits until it is continued: the SIGCONT's
  event says `continued` (JSON: result "ignored", the kernel's word, and
  continued true), as its lifecycle record (outcome continued) and the
  --view do."""

import json
import os
import subprocess

from common import Daemon, check, check_eq, done, example, passed, run_cli, run_env, IPCTRACE
from logcommon import log, wait_stats
from textcommon import run_reported

STOPCONT = r'''
import json, os, signal, sys
r, w = os.pipe()
child = os.fork()
if child == 0:
    os.close(w)
    os.read(r, 1)
    os._exit(0)
os.close(r)
os.kill(child, signal.SIGSTOP)
_, st = os.waitpid(child, os.WUNTRACED)
assert os.WIFSTOPPED(st)
os.kill(child, signal.SIGCONT)
_, st = os.waitpid(child, os.WCONTINUED)
assert os.WIFCONTINUED(st)
os.close(w)
os.waitpid(child, 0)
with open(os.environ['IPCTRACE_REPORT'], 'w') as f:
    json.dump({'pid': os.getpid(), 'child': child, 'stops': 1, 'conts': 1}, f)
'''

d = Daemon()
sock = d.socket
try:
    r = run_reported(['run', '-s', sock, '--', example('sigcases'), 'term'])
    check_eq('sigcases term: exit status (%s)' % r.stderr[-300:], 0, r.returncode)
    child = r.report['child']
    delivers = [line for line in r.stdout.splitlines() if '[%d]' % child in line and ' signal_deliver ' in line]
    check_eq('delivery lines of child %d' % child, 1, len(delivers))
    check(delivers[0].split(' signal_deliver ')[1].strip().startswith('SIGTERM default (Term): the kernel ends'),
          'the delivery line does not name SIGTERM: %r' % delivers)
    # Only as how the kernel delivered SIGTERM's end.
    check_eq('lines of the term run that say SIGKILL but the delivery\'s', [],
             [line for line in r.stdout.splitlines() if 'SIGKILL' in line and line not in delivers])
    wait_stats(sock, lambda s: log(sock, 'pid=%d' % child, 'type=exit'), 'the child\'s exit logged')
    check_eq('log sig=SIGKILL pid=%d' % child, [], log(sock, 'sig=SIGKILL', 'pid=%d' % child))
    check_eq('log sig=SIGTERM tree=%d: (type, pid)' % r.report['pid'],
             [('signal_generate', r.report['pid']), ('signal_deliver', child)],
             [(e['type'], e['pid']) for e in log(sock, 'sig=SIGTERM', 'tree=%d' % r.report['pid'])
              if e['type'].startswith('signal_')])
    passed('term: the delivery names SIGTERM, no SIGKILL in the text, log sig=SIGKILL finds nothing')

    r = run_reported(['run', '-s', sock, '-o', 'json', '-e', 'type=signal_deliver', '--', example('mtexit'),
                      'group', '5'])
    check_eq('mtexit group: exit status (%s)' % r.stderr[-300:], 0, r.returncode)
    kids = [c['pid'] for c in r.report['children']]
    check_eq('mtexit: children that exited 3 (report)', [3 << 8] * len(kids),
             [c['status'] for c in r.report['children']])
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    zaps = [o for o in objs if o.get('type') == 'signal_deliver' and o['pid'] in kids]
    check(zaps, 'mtexit group: no delivery to the exiting threads')
    check_eq('mtexit group: deliveries that are not group exits', [], [o for o in zaps if not o.get('group_exit')])
    wait_stats(sock, lambda s: all(log(sock, 'pid=%d' % k, 'type=exit') for k in kids), 'the exits logged')
    for k in kids:
        check_eq('log sig=SIGKILL pid=%d (exit_group sends no signal)' % k, [], log(sock, 'sig=SIGKILL', 'pid=%d' % k))
    passed('mtexit group: %d deliveries of exit_group\'s SIGKILL, marked group_exit; log sig=SIGKILL finds none'
           % len(zaps))

    r = run_reported(['run', '-s', sock, '--signals', '--', 'python3', '-c', STOPCONT])
    check_eq('stop/cont: exit status (%s)' % r.stderr[-300:], 0, r.returncode)
    child = r.report['child']
    conts = [line for line in r.stdout.splitlines() if 'signal_generate' in line and 'SIGCONT' in line]
    check_eq('SIGCONT generation lines', r.report['conts'], len(conts))
    check(all(' continued ' in line and ' ignored' not in line for line in conts),
          'the SIGCONT line does not say continued: %r' % conts)
    q = run_cli(['signals', '-s', sock, '-o', 'json', 'sig=SIGCONT', 'target=%d' % child])
    check_eq('SIGCONT records (outcome)', ['continued'], [json.loads(x)['outcome'] for x in q.stdout.splitlines()])
    wait_stats(sock, lambda s: log(sock, 'pid=%d' % child, 'type=exit'), 'the stopped child\'s exit logged')
    g = log(sock, 'sig=SIGCONT', 'type=signal_generate', 'tree=%d' % r.report['pid'])
    check_eq('log -o json: the SIGCONT (result, continued)', [('ignored', True)],
             [(e['result'], e.get('continued')) for e in g])

    report = os.path.join(d.dir, 'view.json')
    p = subprocess.run([IPCTRACE, 'run', '-s', sock, '--view', '--', 'python3', '-c', STOPCONT],
                       env=run_env({'IPCTRACE_REPORT': report}), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    check_eq('--view: exit status', 0, p.returncode)
    view = p.stdout.decode()
    check_eq('--view: SIGCONT lines that say continued', 1, view.count('SIGCONT continued'))
    check('SIGCONT ignored' not in view, '--view says SIGCONT ignored')
    passed('SIGCONT: continued in the event line, the record, JSON (continued true) and the view')
finally:
    d.cleanup()
done()
