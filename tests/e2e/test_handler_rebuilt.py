#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A traced program rebuilt between two runs, in the same daemon run: each
run's records name its own handler.

handlername_alpha and handlername_bravo are one program built twice with
another name for the SIGUSR1 handler, at the same address. A copy of
alpha at one path is traced; then bravo takes that path (a new file
renamed over it, as `gcc -o` and `install` do), and is traced; then alpha
is written over it in place (the same inode, as `cp` does). The daemon
used to key its ELF cache by path: every run after the first was named by
the first file's symbols. Each run's records, in its stream and in
`ipctrace signals`, must name the handler the program itself reports."""

import atexit
import json
import os
import shutil
import tempfile

from common import Daemon, check, check_clean_exit, check_eq, done, example, passed, run_cli, trace

N = 3

d = Daemon()
atexit.register(d.cleanup)
tmp = tempfile.mkdtemp(prefix='ipctrace-e2e-rebuilt-')
atexit.register(shutil.rmtree, tmp, True)
prog = os.path.join(tmp, 'prog')
alpha, bravo = example('handlername_alpha'), example('handlername_bravo')


def rename_over(src):
    """A new file at prog: written beside it, renamed over it."""
    new = prog + '.new'
    shutil.copyfile(src, new)
    os.chmod(new, 0o755)
    os.replace(new, prog)


def write_over(src):
    """src's bytes written over prog's own inode."""
    with open(src, 'rb') as f:
        data = f.read()
    with open(prog, 'r+b') as f:
        f.write(data)
        f.truncate()


def traced_run(what):
    """Traces prog; its SIGUSR1 records name the handler it reports."""
    ino = os.stat(prog).st_ino
    t = trace([prog, str(N)], opts=['-s', d.socket, '--signals'])
    check_clean_exit(t, 0)
    rep = t.report
    check_eq('%s: handler runs' % what, N, rep['handled'])
    recs = [r for r in t.records if r.get('sig') == 'SIGUSR1' and r.get('target_pid') == rep['pid']]
    check_eq('%s: SIGUSR1 records' % what, N, len(recs))
    check_eq('%s: the handler the records name' % what, [rep['handler']] * N, [r.get('handler') for r in recs])
    r = run_cli(['signals', '-s', d.socket, '-o', 'json', 'sig=SIGUSR1', 'target=%d' % rep['pid']])
    check_eq('ipctrace signals exit status (%s)' % r.stderr.strip(), 0, r.returncode)
    queried = [json.loads(l) for l in r.stdout.splitlines() if l.startswith('{')]
    check_eq('%s: the handler ipctrace signals names' % what, [rep['handler']] * N,
             [q.get('handler') for q in queried])
    passed('%s (inode %d): the records name %s' % (what, ino, rep['handler']))
    return rep


shutil.copyfile(alpha, prog)
os.chmod(prog, 0o755)
first = traced_run('alpha')
rename_over(bravo)
second = traced_run('bravo renamed over alpha')
check_eq('the two programs\' handler offsets (the test needs them alike)',
         first['handler_offset'], second['handler_offset'])
write_over(alpha)
traced_run('alpha written over bravo\'s inode')

r = run_cli(['stats', '-s', d.socket, '-o', 'json'])
sym = json.loads(r.stdout).get('symbols') or {}
check_eq('stats: symbol files read (one per program, the daemon\'s own runs of none)', 3, sym.get('loads'))
check_eq('stats: handlers left unnamed', 0, sym.get('unnamed'))
passed('the daemon read each of the three files once: %r' % sym)
done()
