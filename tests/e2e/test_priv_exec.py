#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A user's trace stops where a program gains privileges (README, "Who may
trace what"). A setuid-root copy of `pipe` (its parent forks a child that
writes into a pipe) and of `signals` (which signals itself), in a
directory that is not mounted nosuid:

- run by nobody through the daemon (`ipctrace run`), each is traced up to
  its exec, which is recorded with `privileged_exec` true, and nothing
  after it: no write, read, signal, fork or exit of it or of its child;
  the command still runs to its end (exit 0, its report written) and the
  summary (`privileged_execs` 1) and ipctrace's message say why the trace
  stopped;
- run by nobody from a traced shell, the shell stays traced (its wait for
  the command and its exit are recorded) while the command leaves at its
  exec; a setuid-root copy of `threadkill` (a thread it starts after the
  exec signals the traced shell) leaves with that thread: none of its
  signals to the shell is recorded;
- run by root, the same copy is traced in full: every write and read as
  the program counts them, and its exec is not marked."""

import json
import os
import shutil

from common import (IPCTRACE, NOBODY, Daemon, Trace, check, check_eq, check_pipe_counts, done, example,
                    passed, select_events, trace)
from logcommon import as_user, parse_json_lines, public_copy, public_tmpdir

TIMEOUT = 60
N = 50

tmp = public_tmpdir()
d = Daemon()
try:
    ipctrace, = public_copy([IPCTRACE], tmp)
    suid = {}
    for prog in ('pipe', 'signals', 'threadkill'):
        suid[prog] = os.path.join(tmp, prog + '-suid')
        shutil.copy(example(prog), suid[prog])
        os.chown(suid[prog], 0, 0)
        os.chmod(suid[prog], 0o4755)

    def nobody_run(args, what):
        """`ipctrace run -o json -- args` as nobody: a Trace of it."""
        report = os.path.join(tmp, 'report-%d' % len(os.listdir(tmp)))
        r = as_user(NOBODY, NOBODY, [ipctrace, 'run', '-s', d.socket, '-o', 'json', '--'] + args,
                    env={'IPCTRACE_REPORT': report}, timeout=TIMEOUT)
        lines = parse_json_lines('\n'.join(x for x in r.stdout.splitlines() if x.startswith('{')), what)
        check(lines and lines[-1].get('type') == 'summary', '%s: no summary: %r' % (what, lines[-1:]))
        with open(report) as f:
            rep = json.loads(f.read())
        return Trace(lines[:-1], lines[-1], rep, r.returncode, r.stderr, r.stdout, [])

    def check_left(t, what, pids):
        """One exec of pids[0] with privileged_exec, and nothing else of any of pids."""
        execs = [e for e in t.events if e.get('privileged_exec')]
        check_eq('%s: privileged execs' % what, [pids[0]], [e.get('pid') for e in execs])
        check(execs[0]['filename'].endswith('-suid'), '%s: the exec: %r' % (what, execs[0]))
        # Before it, the process was the shell's child, traced as such.
        rest = [e for e in t.events if e is not execs[0] and e.get('time_ns', 0) >= execs[0]['time_ns'] and
                (e.get('pid') in pids or (e.get('type') == 'fork' and e.get('child_pid') in pids[1:]))]
        check_eq('%s: events of the privileged process and its child after the exec' % what, [], rest)
        check_eq('%s: exit status (stderr %r)' % (what, t.stderr), 0, t.returncode)
        check_eq('%s: summary privileged_execs' % what, 1, t.summary.get('privileged_execs'))
        check_eq('%s: summary exit_code' % what, 0, t.summary.get('exit_code'))
        check('1 process gained privileges when it ran a setuid, setgid or file-capability program: it is '
              'not traced from that exec on, nor its children' in t.stderr,
              '%s: ipctrace does not say why the trace stopped: %r' % (what, t.stderr))

    t = nobody_run([suid['pipe'], str(N)], 'nobody runs pipe-suid')
    rep = t.report
    check_eq('pipe-suid as nobody: the writes it made', N, rep['writes'])
    check_left(t, 'nobody runs pipe-suid', [rep['parent_pid'], rep['child_pid']])
    check_eq('nobody runs pipe-suid: events', ['exec'], [e['type'] for e in t.events])
    passed('nobody runs pipe-suid %d: its exec recorded, privileged_exec true; none of its %d writes, '
           '%d reads, its fork or its child; exit 0; ipctrace says why' % (N, rep['writes'], rep['reads']))

    t = nobody_run([suid['signals'], '5'], 'nobody runs signals-suid')
    check(t.report['kill'] > 0, 'signals-suid sent no signal: %r' % t.report)
    check_eq('nobody runs signals-suid: events', ['exec'], [e['type'] for e in t.events])
    check_eq('nobody runs signals-suid: privileged_exec', True, t.events[0].get('privileged_exec'))
    passed('nobody runs signals-suid 5: its exec only, none of its %d signals' % t.report['kill'])

    t = nobody_run(['/bin/sh', '-c', '"$0" %d; exit 3' % N, suid['pipe']], 'a traced shell runs pipe-suid')
    rep = t.report
    check_eq('the shell\'s status', 3, t.returncode)
    t.returncode = 0
    t.summary['exit_code'] = 0
    check_left(t, 'a traced shell runs pipe-suid', [rep['parent_pid'], rep['child_pid']])
    shell = select_events(t.events, type='fork', child_pid=rep['parent_pid'])
    check_eq('the shell\'s fork of the command', 1, len(shell))
    sh = shell[0]['pid']
    check_eq('the shell\'s exit', 1, len(select_events(t.events, type='exit', pid=sh)))
    check(select_events(t.events, type='signal_generate', pid=sh) or
          select_events(t.events, type='wait4', pid=sh) or select_events(t.events, type='waitid', pid=sh),
          'the shell\'s wait for the command is not recorded')
    passed('a traced shell runs pipe-suid: the shell stays traced to its exit; the command leaves at its exec')

    # The shell ignores the signals, so that it waits for the command to its end.
    kill_cmd = ['/bin/sh', '-c', 'trap "" USR1; "$0" 5', suid['threadkill']]
    t = nobody_run(kill_cmd, 'a traced shell runs threadkill-suid')
    check_eq('threadkill-suid as nobody: the signals its thread sent', 5, t.report['kill'])
    check_eq('threadkill-suid as nobody: privileged execs', [t.report['pid']],
             [e.get('pid') for e in t.events if e.get('privileged_exec')])
    check_eq('threadkill-suid as nobody: signals it sent that were recorded', [],
             select_events(t.events, type='signal_generate', pid=t.report['pid']))
    t = trace(kill_cmd, socket=d.socket)
    check_eq('threadkill-suid as root: the signals its thread sent, as recorded',
             [(t.report['pid'], t.report['parent_pid'], 'SIGUSR1')] * t.report['kill'],
             [(e['pid'], e['target_pid'], e['sig']) for e in
              select_events(t.events, type='signal_generate', pid=t.report['pid'], code='SI_USER')])
    passed('a traced shell runs threadkill-suid 5: as nobody none of the %d signals that its later thread '
           'sent the shell is recorded; as root all are' % t.report['kill'])

    t = trace([suid['pipe'], str(N)], socket=d.socket)
    check_pipe_counts(t, 'root runs pipe-suid')
    check_eq('root runs pipe-suid: privileged_exec', [False],
             [e.get('privileged_exec') for e in select_events(t.events, type='exec')])
    check_eq('root runs pipe-suid: summary privileged_execs', 0, t.summary.get('privileged_execs'))
    passed('root runs pipe-suid %d: traced in full, %d writes and %d reads as the program counts them'
           % (N, t.report['writes'], t.report['reads']))
finally:
    d.cleanup()
    shutil.rmtree(tmp, ignore_errors=True)
done()
