#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace pipes`: the graphs of the sessions a daemon keeps. A private
daemon traces `pipe 100` and then `socketpair 10` with --pipes; `ipctrace
pipes -o json` then returns exactly the ipc_object entries the two runs
printed (both sessions); `-o text` names every object; `-o dot` is accepted
by Graphviz; a bad match is refused with exit 2 and an error naming it."""

import json
import shutil
import subprocess

from common import Daemon, check, check_clean_exit, check_eq, done, example, passed, run_cli, trace
from pipecommon import check_objects, check_object_shape, PIPES

d = Daemon()
try:
    sock = d.socket
    runs = []
    for args in ([example('pipe'), '100'], [example('socketpair'), '10']):
        t = trace(args, opts=['-s', sock] + PIPES, to_files=True)
        check_clean_exit(t, 0)
        runs.append(t)
    sessions = [{e['session'] for e in t.events} for t in runs]
    check(all(len(s) == 1 for s in sessions) and sessions[0] != sessions[1],
          'sessions of the two runs: %r' % sessions)
    passed('two runs through the daemon, sessions %s' % [min(s) for s in sessions])

    for t in runs:
        check_objects(t)
    streamed = sorted((o for t in runs for o in t.objects), key=lambda o: (o['session'], o['object']))
    check_eq('objects the runs printed (1 pipe, 2 sockets)', ['pipe', 'socket', 'socket'],
             [o['kind'] for o in streamed])

    r = run_cli(['pipes', '-s', sock, '-o', 'json'])
    check_eq('ipctrace pipes -o json: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    got = []
    for line in r.stdout.splitlines():
        o = json.loads(line)
        check_object_shape(o)
        got.append(o)
    got.sort(key=lambda o: (o['session'], o['object']))
    check_eq('(session, object) of ipctrace pipes -o json vs of what the runs printed',
             [(o['session'], o['object']) for o in streamed], [(o['session'], o['object']) for o in got])
    for a, b in zip(streamed, got):
        for k in sorted(set(a) | set(b)):
            check_eq('session %d %s: field %r, ipctrace pipes vs run --pipes' % (a['session'], a['object'], k),
                     a.get(k, '(absent)'), b.get(k, '(absent)'))
    passed('`ipctrace pipes -o json` returns the %d objects the runs printed, field for field' % len(got))

    r = run_cli(['pipes', '-s', sock, '-o', 'text'])
    check_eq('ipctrace pipes -o text: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    for o in streamed:
        check(o['object'] in r.stdout, '-o text does not name %s: %r' % (o['object'], r.stdout[:300]))
    passed('-o text names every object')

    r = run_cli(['pipes', '-s', sock, '-o', 'dot'])
    check_eq('ipctrace pipes -o dot: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    for o in streamed:
        check(o['object'] in r.stdout, '-o dot does not name %s' % o['object'])
    if shutil.which('dot'):
        g = subprocess.run(['dot', '-Tsvg'], input=r.stdout.encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        check_eq('dot -Tsvg exit status (stderr %r)' % g.stderr.decode(errors='replace'), 0, g.returncode)
        check(b'<svg' in g.stdout, 'dot -Tsvg gave no SVG')
    passed('-o dot names every object and dot accepts it')

    r = run_cli(['pipes', '-s', sock, 'bogus=1'])
    check_eq('pipes bogus=1: exit status', 2, r.returncode)
    check('bogus' in r.stderr, 'pipes bogus=1: the error does not name the field: %r' % r.stderr)
    check_eq('pipes bogus=1: stdout', '', r.stdout)
    check(d.alive(), 'the daemon died of a bad match')
    passed('a bad match field: exit 2, the error names it')
finally:
    d.cleanup()
done()
