#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ipctrace run exits with the traced command's status (128+N for a signal),
127 for a command that is not found, 126 for one that cannot be executed (with
the reason), a script without #! run by /bin/sh,
and 2 for usage errors."""

import os
import tempfile

from common import (check, check_eq, done, example, one, passed, run_cli, select_events, trace)

# A plain exit code.
t = trace([example('exitwith'), '3'])
check(t.report is not None, 'exitwith wrote no report')
check_eq('ipctrace run -- exitwith 3: exit status', 3, t.returncode)
check_eq('summary exit_code', 3, t.summary.get('exit_code'))
check_eq('summary status', 'exited 3', t.summary.get('status'))
check_eq('summary lost', 0, t.summary.get('lost'))
ex = one(select_events(t.events, type='exit', pid=t.report['pid']), 'exit event')
check_eq('exit event exit_code', 3, ex.get('exit_code'))
check_eq('exit event status (wait status)', 3 << 8, ex.get('status'))
passed('exitwith 3 -> 3')

# Death by a signal.
t = term = trace([example('exitwith'), '-s', 'TERM'])
check(t.report is not None, 'exitwith wrote no report')
pid = t.report['pid']
check_eq('ipctrace run -- exitwith -s TERM: exit status', 128 + 15, t.returncode)
check_eq('summary exit_code', 143, t.summary.get('exit_code'))
check_eq('summary status', 'killed by SIGTERM', t.summary.get('status'))
ex = one(select_events(t.events, type='exit', pid=pid), 'exit event')
check_eq('exit event exit_signal', 'SIGTERM', ex.get('exit_signal'))
check_eq('exit event core', False, ex.get('core'))
check('exit_code' not in ex, 'a killed process has an exit_code: %r' % ex)
k = one(select_events(t.events, type='kill', pid=pid), 'kill event')
check_eq('kill (target, sig)', (pid, 'SIGTERM'), (k.get('target_pid'), k.get('sig')))
passed('exitwith -s TERM -> 143, exit event killed by SIGTERM')

# Text mode: the summary goes to stderr.
r = run_cli(['run', '--', example('exitwith'), '5'])
check_eq('text mode: exit status', 5, r.returncode)
check('exited 5' in r.stderr and '0 lost' in r.stderr,
      'text mode: stderr has no "... exited 5; N events, 0 lost" summary: %r' % r.stderr)
passed('text mode: exit status 5 and the summary on stderr')

with tempfile.TemporaryDirectory(prefix='ipctrace-e2e-') as d:
    missing = os.path.join(d, 'nonexistent')
    r = run_cli(['run', '--', missing])
    check_eq('ipctrace run -- %s: exit status' % missing, 127, r.returncode)
    check('%s: command not found' % missing in r.stderr, 'stderr does not say "command not found": %r' % r.stderr)
    r = run_cli(['run', '--', 'ipctrace-e2e-no-such-command'], env={'PATH': d + ':/usr/bin:/bin'})
    check_eq('a command name found nowhere in PATH: exit status', 127, r.returncode)
    check('not found' in r.stderr, 'stderr does not say "not found": %r' % r.stderr)
    passed('a missing command -> 127, "not found"')

    plain = os.path.join(d, 'plain')
    with open(plain, 'w') as f:
        f.write('#!/bin/sh\nexit 0\n')
    os.chmod(plain, 0o644)
    r = run_cli(['run', '--', plain])
    check_eq('ipctrace run -- <a 0644 file>: exit status', 126, r.returncode)
    check(r.stderr.strip() != '', 'no message on stderr for a file that cannot be executed')
    check('%s: cannot execute: Permission denied' % plain in r.stderr, 'a 0644 file: stderr %r' % r.stderr)
    r = run_cli(['run', '--', d])
    check_eq('ipctrace run -- <a directory>: exit status', 126, r.returncode)
    passed('a file that is not executable, and a directory -> 126')

    # As execvp(3) and the shells: a script without #! is sh's; a binary the kernel refuses is 126.
    script = os.path.join(d, 'noshebang')
    with open(script, 'w') as f:
        f.write('echo "$0 $# $1"\nexit 7\n')
    os.chmod(script, 0o755)
    t = trace([script, 'one'])
    check_eq('a script without #!: exit status (its own)', 7, t.returncode)
    check_eq('a script without #!: what it printed (on stderr, -o json)', ['%s 1 one' % script], t.command_lines)
    ex = one(select_events(t.events, type='exec'), 'exec of the script')
    check_eq('a script without #!: the program exec\'d', '/bin/sh', ex.get('filename'))
    passed('a script without #! runs under /bin/sh with its arguments (exit 7)')

    for name, content, why in (('corrupt', b'\x7fELF\x02\x01\x01garbage', 'Exec format error'),
                               ('nul', b'\x00\x01binary\n', 'Exec format error')):
        path = os.path.join(d, name)
        with open(path, 'wb') as f:
            f.write(content)
        os.chmod(path, 0o755)
        r = run_cli(['run', '--', path])
        check_eq('ipctrace run -- <%s>: exit status' % name, 126, r.returncode)
        check('ipctrace: %s: cannot execute: %s' % (path, why) in r.stderr, '%s: stderr %r' % (name, r.stderr))
    passed('a corrupt ELF and a binary with a NUL in its first line -> 126, "Exec format error"')

    # With -s, only that socket: no private daemon, the command never runs.
    marker = os.path.join(d, 'ran')
    r = run_cli(['run', '-s', os.path.join(d, 'nosuch.sock'), '--', 'sh', '-c', 'echo > ' + marker])
    check_eq('ipctrace run -s <a missing socket>: exit status', 1, r.returncode)
    check('nosuch.sock' in r.stderr, 'stderr does not name the socket: %r' % r.stderr)
    check(not os.path.exists(marker), 'the command ran although it could not be traced')
    passed('-s to a missing socket -> 1, no private daemon, command not run')

for args, what in ((['run', '--bogus', '--', 'true'], 'an unknown option'),
                   (['run'], 'no command'),
                   (['run', '--'], 'no command after --'),
                   (['run', '-o', 'yaml', '--', 'true'], 'an unknown output format'),
                   (['run', '--color', 'sometimes', '--', 'true'], 'a bad --color'),
                   (['nosuchverb'], 'an unknown verb'),
                   ([], 'no verb')):
    r = run_cli(args)
    check_eq('ipctrace %s (%s): exit status' % (' '.join(args), what), 2, r.returncode)
    check(r.stderr.strip() != '', 'ipctrace %s: no message on stderr' % ' '.join(args))
    check_eq('ipctrace %s: stdout' % ' '.join(args), '', r.stdout)
passed('usage errors -> 2, with a message on stderr')

r = run_cli(['run', '--help'])
check_eq('ipctrace run --help: exit status', 0, r.returncode)
check('Usage' in r.stdout, 'ipctrace run --help prints no usage on stdout')
passed('run --help -> 0')
# Last, so that the checks above run whatever happens here: the fatal
# delivery (the kernel reports the group exit it starts as SIGKILL).
pid = term.report['pid']
d = one(select_events(term.events, type='signal_deliver', pid=pid), 'signal_deliver to pid %d' % pid)
check(d.get('sig') in ('SIGTERM', 'SIGKILL'), 'the fatal delivery is of %r' % d.get('sig'))
check_eq('fatal delivery action', 'default', d.get('action'))
check_eq('fatal delivery handler', None, d.get('handler', 'missing'))
check_eq('summary events (number of event lines)', len(term.events), term.summary.get('events'))
passed('the fatal signal_deliver (action default, handler null) is in the JSON output')
done()
