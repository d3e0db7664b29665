#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""False positives are bugs: correct programs traced with `ipctrace run -o
json --signals --pipes` get no diagnosis at all, and end as they do
untraced. The example programs that end by themselves, the bench
workloads (small), a shell pipeline, a make-like loop of forks, execs and
waits, a handler ping-pong done right (sigsuspend with the signal blocked),
and children reaped by the kernel (SIGCHLD set to SIG_IGN). All through
one daemon: what it learnt of a session says nothing in another."""

import os
import shutil
import tempfile

from common import EXAMPLES, Daemon, check, check_eq, done, example, passed, trace

BENCH = os.path.normpath(os.path.join(EXAMPLES, '..', 'bench'))
TMP = tempfile.mkdtemp(prefix='ipctrace-e2e-diag-none-')


def bench(name, ops):
    path = os.path.join(BENCH, name)
    check(os.access(path, os.X_OK), 'bench workload %s is missing (build with: ninja -C build)' % path)
    return [path, str(ops)]


PROGRAMS = [
    [example('signals'), '3'],
    [example('pipe'), '1000'],
    [example('socketpair'), '10'],
    [example('pipeline'), '1000'],
    [example('forkstorm'), '20'],
    [example('exitwith'), '0'],
    [example('unixsrv'), os.path.join(TMP, 'srv.sock'), '4'],
    [example('tcp')],
    [example('demo')],
    [example('sigcalls'), '3'],
    [example('fdcalls'), '3'],
    [example('iocalls'), '3'],
    [example('msgcalls'), '3'],
    [example('sigcases'), 'merge'],
    [example('sigcases'), 'eintr'],
    [example('sigcases'), 'restart'],
    [example('sigcases'), 'alarm'],
    [example('sigcases'), 'sigchld'],
    [example('zombies'), 'ignore'],
    [example('race'), 'pingpong', '50'],
    ['sh', '-c', 'seq 100000 | grep 7 | wc -l'],
    # Standard streams closed or replaced on purpose before the commands run (a shell probes them with fcntl).
    ['sh', '-c', 'exec </dev/null; exec 3>&1 >&-; echo closed >&3; ls / >&3; exec >&3 3>&-; exec 0<&-; /bin/true'],
    # make: each target a command forked, exec'd and waited for, one after the other.
    ['sh', '-c', 'for t in a b c d e f g h; do sh -c "echo $t | tr a-z A-Z > /dev/null"; /bin/true; done'],
    bench('pipe_pingpong', 2000),
    bench('pipe_stream', 2000),
    bench('signal_pingpong', 2000),
    bench('unix_pingpong', 2000),
    bench('pipeline', 100000),
    bench('pipeline_lines', 2000),
]

daemon = Daemon()
for args in PROGRAMS:
    what = ' '.join(os.path.basename(a) if a.startswith('/') else a for a in args)
    t = trace(args, opts=['-s', daemon.socket, '--signals', '--pipes'], to_files=True)
    check_eq('%s: exit status' % what, 0, t.returncode)
    check_eq('%s: lost events' % what, 0, t.summary['lost'])
    check(t.events, '%s: no events at all' % what)
    check_eq('%s: diagnoses' % what, [], [d['message'] for d in t.diagnoses])
    check_eq('%s: warnings on its objects' % what, [], [w for o in t.objects for w in o['warnings']])
    passed('%s: %d events, no diagnosis' % (what, len(t.events)))

check(daemon.alive(), 'the daemon died')
daemon.cleanup()
shutil.rmtree(TMP, True)
done()
