#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace run --count` (-c): no event lines, only how many events of each
type there were, at the end (ipctrace(1), README).

`signals N` sends itself SIGUSR1 N times and handles each one, after one
sigaction() and one sigprocmask(): its trace is exactly an exec, 1
rt_sigaction, 1 rt_sigprocmask, N kill, N+1 signal_generate (its N SIGUSR1
and the SIGCHLD its exit sends ipctrace), N signal_deliver, N rt_sigreturn
and 1 exit, N as the program reports. (That SIGCHLD is an event, not a
lifecycle record: ipctrace's own business.)

- text: an EVENT/COUNT table (names left, counts right-aligned under COUNT),
  most frequent first, ties by name; nothing else on stdout; the summary on
  stderr counts the same events;
- -o json: one {"type":"counts", TYPE: N, ...} object, then the summary;
- nothing but counts wanted: the kernel side counts the calls and
  signals, and the session's log has only its process's exec, arguments,
  streams, exit and the exit's SIGCHLD;
- with --signals, the lifecycle records follow the counts (and every call
  is logged);
- -c goes with neither --view nor -o dot: usage errors (exit 2)."""

import collections
import json
import re
import subprocess

from common import IPCTRACE, Daemon, check, check_eq, done, example, passed, run_cli, run_env
from logcommon import log
from textcommon import check_aligned, run_reported, summary_line

N = 9


def expected(rep):
    k, h = rep['kill'], rep['handled']
    return {'exec': 1, 'rt_sigaction': 1, 'rt_sigprocmask': 1, 'kill': k, 'signal_generate': k + 1,
            'signal_deliver': h, 'rt_sigreturn': h, 'exit': 1, 'stdio': 1, 'argv': 1}


d = Daemon()
try:
    sock = d.socket
    for opt in ('--count', '-c'):
        r = run_reported(['run', '-s', sock, opt, '--', example('signals'), str(N)])
        check_eq('run %s: exit status (stderr %r)' % (opt, r.stderr), 0, r.returncode)
        check(r.report is not None, 'signals wrote no report')
        check_eq('report: kills, handler runs', (N, N), (r.report['kill'], r.report['handled']))
        want = expected(r.report)
        lines = r.stdout.splitlines()
        check(lines, 'run %s: no output' % opt)
        header, rows = lines[0], lines[1:]
        check_eq('run %s: header' % opt, ['EVENT', 'COUNT'], header.split())
        check_aligned('run %s' % opt, header, ['EVENT'], rows)
        end = header.index('COUNT') + len('COUNT')
        got = {}
        for row in rows:
            name, count = row.split()
            check(row.startswith(name) and len(row) == end and row.endswith(count),
                  'run %s: the count is not right-aligned under COUNT:\n  %s\n  %s' % (opt, header, row))
            check(name not in got, 'run %s: %s counted twice' % (opt, name))
            got[name] = int(count)
        check_eq('run %s: counts by type' % opt, want, got)
        order = [row.split()[0] for row in rows]
        check_eq('run %s: rows most frequent first, then by name' % opt,
                 sorted(want, key=lambda t: (-want[t], t)), order)
        check_eq('run %s: events in the summary vs the sum of the counts' % opt, sum(want.values()),
                 summary_line('run %s' % opt, r.stderr))
        passed('run %s -- signals %d: the table %s, in order, aligned; the summary agrees'
               % (opt, N, ', '.join('%s %d' % (t, got[t]) for t in order)))

    # Nothing but counts wanted: the kernel side counted the calls and signals, not recorded them;
    # the log has what follows the process (its exec, arguments, streams, exit, and the SIGCHLD
    # that exit sent), no call.
    sid = int(re.search(r'session (\d+)', r.stderr).group(1))
    check_eq('log of the run -c session: its records by type',
             {'exec': 1, 'argv': 1, 'stdio': 1, 'exit': 1, 'signal_generate': 1},
             collections.Counter(e['type'] for e in log(sock, 'session=%d' % sid)))
    passed("run -c: calls and signals counted in the kernel, not logged; the process's life is")

    # Beside a counting session that holds the kernel side's first slot (its shell waits for the
    # test to close its stdin): this one is counted in another slot, and each counts its own.
    holder = subprocess.Popen([IPCTRACE, 'run', '-s', sock, '-c', '--', 'sh', '-c', 'read x || :'],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, env=run_env(None))
    first = holder.stderr.readline()
    check(re.match(r'ipctrace: session \d+$', first), 'the holding run -c: its first line %r' % first)
    r = run_reported(['run', '-s', sock, '-c', '-o', 'json', '--', example('signals'), str(N)])
    held_out, held_err = holder.communicate(input='', timeout=60)
    check_eq('the holding run -c: exit status (stderr %r)' % held_err, 0, holder.returncode)
    held = dict((name, int(n)) for name, n in (row.split() for row in held_out.splitlines()[1:]))
    check_eq("the holding run -c: its shell's exec, exit and no kill",
             (1, 1, None), (held.get('exec'), held.get('exit'), held.get('kill')))
    check_eq('run -c -o json: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    check_eq('run -c -o json: types of the output lines', ['counts', 'summary'], [o.get('type') for o in objs])
    counts, summary = objs
    del counts['type']
    want = expected(r.report)
    check_eq('run -c -o json: counts', want, counts)
    check_eq('run -c -o json: summary', {'type': 'summary', 'events': sum(want.values()), 'lost': 0,
                                         'lost_ring': 0, 'lost_client': 0, 'untraced_processes': 0, 'privileged_execs': 0,
                                         'exit_code': 0,
                                         'status': 'exited 0'}, summary)
    passed('run -c -o json: one counts object, as the program counted, then the summary, beside another '
           'counting session')

    r = run_reported(['run', '-s', sock, '-c', '--signals', '-o', 'json', '--', example('signals'), str(N)])
    check_eq('run -c --signals -o json: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    check_eq('run -c --signals -o json: types of the output lines',
             ['counts'] + ['lifecycle'] * N + ['summary'], [o.get('type') for o in objs])
    pid = r.report['pid']
    check_eq('records: (sig, target, outcome)', [('SIGUSR1', pid, 'handled')] * N,
             [(o['sig'], o['target_pid'], o['outcome']) for o in objs[1:-1]])
    sid = objs[1]['session']
    check_eq('log of the run -c --signals session: its kills', N,
             sum(e['type'] == 'kill' for e in log(sock, 'session=%d' % sid)))
    passed('run -c --signals -o json: the counts, then the %d lifecycle records; every call logged' % N)

    for args, words in ((['-c', '--view'], ['--count', '--view']),
                        (['-c', '--pipes', '-o', 'dot'], ['--count', 'dot'])):
        r = run_cli(['run', '-s', sock] + args + ['--', 'true'])
        check_eq('run %s: exit status' % ' '.join(args), 2, r.returncode)
        for w in words:
            check(w in r.stderr, 'run %s: the error does not say %r: %r' % (' '.join(args), w, r.stderr))
        check_eq('run %s: stdout' % ' '.join(args), '', r.stdout)
    passed('-c with --view or -o dot: exit 2 and an error naming both')
    check(d.alive(), 'the daemon died')
finally:
    d.cleanup()
done()
