#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What ipctrace(1) says of the CLI's options and verbs that other tests do
not show:

- run: options end at the command (its own options need no --); a command
  whose name begins with a dash needs --; -o dot needs --pipes, --view
  text (exit 2); a command's own exit 1, 2, 126 or 127 comes with no
  message of ipctrace's (which says something whenever the status is its
  own);
- run without -s, as root, with no daemon on the default socket (a mount
  namespace whose /run and /tmp are empty): a private daemon, its socket in
  /tmp/ipctrace.XXXXXX, keeping no journal, gone when the run ends; attach
  --background refuses it (it needs the system daemon), exit 1;
- log: -S/--since, -U/--until, -n/--lines and -o/--output say the same in
  their short and long forms;
- trace --all in the foreground: a program started afterwards, not by
  ipctrace, is traced (its kills and deliveries as it reports them), the
  daemon and the trace's own client are not; Ctrl-C (SIGINT) detaches, exit 0;
- usage errors of trace, detach and explain (exit 2), and help (exit 0, stdout)."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile

from common import (IPCTRACE, Daemon, _context, check, check_eq, done, example, fail, passed, run_cli, run_env,
                    trace)
from logcommon import log, same_events, stats, wait_stats
from textcommon import run_reported, stop

UNSHARE = ['unshare', '--mount', '--propagation', 'private']

d = Daemon(args=['--ring-mib', '64'])
tmp = tempfile.mkdtemp(prefix='ipctrace-e2e-')
try:
    sock = d.socket

    # Options end at the command.
    r = run_reported(['run', '-s', sock, '-o', 'json', 'sh', '-c', 'exit 3', '-o'])
    check_eq('run -o json sh -c "exit 3" -o: exit status (stderr %r)' % r.stderr, 3, r.returncode)
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    check_eq('run -o json sh ...: the summary', ('summary', 3), (objs[-1]['type'], objs[-1]['exit_code']))
    check_eq('run -o json sh ...: the exec', 'exec', objs[0]['type'])
    dash = os.path.join(tmp, '-dash')
    with open(dash, 'w') as f:
        f.write('#!/bin/sh\nexit 4\n')
    os.chmod(dash, 0o755)
    env = {'PATH': tmp + ':' + os.environ.get('PATH', '/usr/bin:/bin')}
    r = run_reported(['run', '-s', sock, '--', '-dash'], env=env)
    check_eq('run -- -dash: exit status (stderr %r)' % r.stderr, 4, r.returncode)
    for args, words in ((['-dash'], ["ipctrace run: invalid option -- 'd'\n"]),
                        (['--bogus=1'], ["ipctrace run: unrecognized option '--bogus=1'\n"]),
                        (['--coun=1', 'true'], ["ipctrace run: option '--count' doesn't allow an argument\n"]),
                        (['--out', 'x', 'true'], ["ipctrace run: option '--out' is ambiguous; possibilities: "
                                                  "'--output' '--output-file'\n"]),
                        (['--output-f'], ["ipctrace run: option '--output-file' requires an argument\n"]),
                        (['-e'], ["ipctrace run: option requires an argument -- 'e'\n"]),
                        (['-o', 'dot', '--', 'true'], ['--pipes']),
                        (['--view', '-o', 'json', '--', 'true'], ['--view', 'json'])):
        r = run_cli(['run', '-s', sock] + args, env=env)
        check_eq('run %s: exit status' % ' '.join(args), 2, r.returncode)
        for w in words:
            check(w in r.stderr, 'run %s: the error does not say %r: %r' % (' '.join(args), w, r.stderr))
    passed('run: options end at the command; -- before a dashed name; -o dot without --pipes, --view -o json: 2')

    # A command's own 1, 2, 126 or 127: no message of ipctrace's but the summary.
    for code in (1, 2, 126, 127):
        r = run_reported(['run', '-s', sock, '--', 'sh', '-c', 'exit %d' % code])
        check_eq('run -- sh -c "exit %d": exit status' % code, code, r.returncode)
        check(re.fullmatch(r'ipctrace: session \d+\nipctrace: sh exited %d; \d+ events, 0 lost\n' % code, r.stderr),
              'run -- sh -c "exit %d": stderr is not the summary alone: %r' % (code, r.stderr))
    passed('a command\'s own exit 1, 2, 126, 127: passed on, with nothing on stderr but the summary')

    # log: short and long forms.
    t = trace([example('signals'), '4'], opts=['-s', sock], to_files=True)
    session = 'session=%d' % t.events[0]['session']
    since = '@%d' % (t.events[0]['time_ns'] // 10**9 - 1)
    want = log(sock, session, opts=['--since', since, '--until', 'now', '--lines', '5'])
    same_events('log --lines 5: the last 5 events of the run', t.events[-5:], want)
    for opts in (['-S', since, '-U', 'now', '-n', '5'], ['--since=' + since, '--until=now', '--lines=5'],
                 ['-S' + since, '-Unow', '-n5']):
        same_events('log %s' % ' '.join(opts), want, log(sock, session, opts=opts))
    r = run_cli(['log', '-s', sock, '--output=json', session])
    same_events('log --output=json', t.events, [json.loads(line) for line in r.stdout.splitlines()])
    passed('log: -S/--since, -U/--until, -n/--lines, -o/--output alike, short, long and attached')

    # trace --all in the foreground.
    out_path = os.path.join(tmp, 'trace.out')
    with open(out_path, 'w') as out, tempfile.TemporaryFile() as err:
        cmd = [IPCTRACE, 'trace', '--all', '-s', sock, '-o', 'json']
        cli = subprocess.Popen(cmd, env=run_env(), stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        try:
            wait_stats(sock, lambda st: st['sessions'] == 1 or cli.poll() is not None, 'trace --all started')
            check(cli.poll() is None, 'trace --all exited %r at once' % cli.poll())
            report = os.path.join(tmp, 'signals.json')
            p = subprocess.run([example('signals'), '6'], env=run_env({'IPCTRACE_REPORT': report}),
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=60)
            check_eq('signals 6 (not started by ipctrace): exit status', 0, p.returncode)
            cli.send_signal(signal.SIGINT)
            cli.wait(timeout=60)
        except subprocess.TimeoutExpired:
            fail('trace --all did not end within 60 s of SIGINT')
        finally:
            stop(cli)
        err.seek(0)
        stderr = err.read().decode(errors='replace')
    _context['cmd'], _context['stderr'] = ' '.join(cmd), stderr
    check_eq('trace --all: exit status after SIGINT (stderr %r)' % stderr, 0, cli.returncode)
    with open(report) as f:
        rep = json.load(f)
    ev, summary = [], None
    with open(out_path) as f:
        for line in f:
            o = json.loads(line)
            if o.get('type') == 'summary':
                summary = o
            else:
                ev.append(o)
    check(summary is not None, 'trace --all -o json: no summary')
    check_eq('trace --all: lost', 0, summary['lost'])
    m = re.fullmatch(r'session (\d+) ended \(detached\)', summary['status'])
    check(m, 'trace --all: the summary does not say it was detached: %r' % summary)
    mine = [e for e in ev if e['pid'] == rep['pid']]
    check_eq('trace --all: sessions of the events', {int(m.group(1))}, {e['session'] for e in ev})
    check_eq('trace --all: signals 6: (kills, deliveries, handler returns)', (rep['kill'], rep['handled'],
             rep['handled']), tuple(len([e for e in mine if e['type'] == x])
                                    for x in ('kill', 'signal_deliver', 'rt_sigreturn')))
    check_eq('trace --all: signals 6: its exec', [example('signals')],
             [e.get('filename') for e in mine if e['type'] == 'exec'])
    check_eq('trace --all: events of the daemon and of the trace\'s client', [],
             [e for e in ev if e['pid'] in (d.pid, cli.pid)][:3])
    passed('trace --all: %d events; signals 6 (pid %d) exactly; none of the daemon or its client; '
           'SIGINT detaches, exit 0' % (len(ev), rep['pid']))

    for args, words in ((['trace'], ['--all']), (['trace', '--all', '-p', '1'], ['-p', 'does not go with']),
                        (['trace', '--all', 'x'], ["unexpected argument 'x'"]), (['detach'], ['Usage']),
                        (['detach', 'x'], ['Usage']), (['detach', '0'], ['Usage']),
                        (['detach', '1', '2'], ['Usage']), (['explain'], ['which session?', 'Usage']),
                        (['explain', 'x'], ["'x' is not a session number"]),
                        (['explain', '0'], ["'0' is not a session number"]),
                        (['explain', '1', '2'], ['one session at a time', 'Usage'])):
        r = run_cli(args[:1] + ['-s', sock] + args[1:])
        check_eq('%s: exit status' % ' '.join(args), 2, r.returncode)
        for w in words:
            check(w in r.stderr, '%s: the error does not say %r: %r' % (' '.join(args), w, r.stderr))
        check_eq('%s: stdout' % ' '.join(args), '', r.stdout)
    for args in (['--help'], ['-h'], ['help'], ['trace', '--help'], ['run', '-h'], ['log', '--help'],
                 ['signals', '--help'], ['pipes', '--help'], ['stats', '--help'], ['attach', '--help'],
                 ['explain', '--help']):
        r = run_cli(args)
        check_eq('ipctrace %s: exit status' % ' '.join(args), 0, r.returncode)
        check(r.stdout.startswith('Usage: ipctrace'), 'ipctrace %s: stdout %r' % (' '.join(args), r.stdout[:80]))
    check_eq('sessions left', 0, stats(sock)['sessions'])
    passed('trace, detach and explain usage errors: exit 2; --help: exit 0, the usage on stdout')
    check(d.alive(), 'the daemon died')
finally:
    d.cleanup()
    shutil.rmtree(tmp, ignore_errors=True)

# No daemon on the default socket: an empty /run (and /tmp) in a mount namespace of our own.
# The build may itself be under /tmp (a clone there): the namespace keeps the
# machine's /tmp at /run/host-tmp, and runs ipctrace from there.
script = r'''mount -t tmpfs ipctrace-e2e /run && mkdir /run/host-tmp && mount --bind /tmp /run/host-tmp &&
mount -t tmpfs ipctrace-e2e /tmp || exit 99
ipct=$0
case $ipct in /tmp/*) ipct=/run/host-tmp/${ipct#/tmp/};; esac
"$ipct" run -- sh -c 'ls -A /tmp /tmp/ipctrace.*; "$0" stats -o json -s /tmp/ipctrace.*/ipctrace.sock' "$ipct"
echo "run: $?"
echo "after: $(ls -A /tmp)"
"$ipct" attach -p $$ --background
echo "attach: $?"
'''
r = subprocess.run(UNSHARE + ['sh', '-c', script, IPCTRACE], env=run_env(), stdin=subprocess.DEVNULL,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
_context['stdout'], _context['stderr'] = r.stdout, r.stderr
lines = r.stdout.splitlines()
check('run: 0' in lines and 'after: ' in lines and 'attach: 1' in lines,
      'without a daemon: %r (stderr %r)' % (lines[-6:], r.stderr))
listed = [line for line in lines if re.fullmatch(r'/tmp(/ipctrace\.\w{6})?:', line)]
check(len(listed) == 2, 'the traced ls did not list /tmp and a private daemon\'s directory: %r' % lines)
check_eq('in /tmp during the run', listed[1][len('/tmp/'):-1], lines[lines.index('/tmp:') + 1])
check_eq('in the private daemon\'s directory', 'ipctrace.sock', lines[lines.index(listed[1]) + 1])
st = [json.loads(line) for line in lines if line.startswith('{')]
check(len(st) == 1 and st[0].get('journal', 'absent') is None, 'the private daemon\'s stats: %r' % st)
check('no ipctrace daemon is running (nothing answers at %s)' % os.environ['IPCTRACE_SOCKET'] in r.stderr,
      'attach --background without a daemon: stderr %r' % r.stderr)
passed('no daemon: run gets a private one in %s (no journal), gone after; attach --background: exit 1'
       % listed[1][:-1])
done()
