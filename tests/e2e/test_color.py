#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--color (ipctrace(1) "OPTIONS", "ENVIRONMENT"): `auto`, the default,
colours only a terminal, and not when NO_COLOR is set (to anything, even
empty) or TERM is unset or `dumb`; `never` never does, `always` always does,
a pipe too. For run, log, signals and pipes (text), each on a
pseudo-terminal, with each environment; colour only adds escape sequences:
without them the output is the plain one, word for word."""

import fcntl
import os
import pty
import re
import select
import termios
import time

from common import IPCTRACE, Daemon, check, check_eq, done, example, fail, passed, run_cli, run_env, trace

TIMEOUT = 60
ESC = re.compile(r'\x1b\[[0-9;]*m')


def on_terminal(args, env):
    """Runs ipctrace with args on a new pseudo-terminal; its exit status and output (\\n line ends).

    The test keeps its own copy of the terminal's slave side open: when the
    last holder closes it, Linux hangs the master up (EIO), and what was
    still on its way through the pty's buffers may be lost. So the reader
    drains the master while ipctrace runs, and again, to the end (EAGAIN:
    the kernel pushes its buffers first), once ipctrace has exited."""
    master, slave = pty.openpty()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(master)
        os.close(slave)
        os.execve(IPCTRACE, [IPCTRACE] + args, env)
    os.set_blocking(master, False)
    exited = os.pidfd_open(pid)
    out = b''
    status = None
    deadline = time.monotonic() + TIMEOUT
    try:
        while True:
            if not select.select([master, exited], [], [], max(deadline - time.monotonic(), 0))[0]:
                os.kill(pid, 9)
                fail('ipctrace %s on a terminal did not end within %d s' % (' '.join(args), TIMEOUT))
            while True:
                try:
                    data = os.read(master, 65536)
                except BlockingIOError:
                    break
                out += data
            if status is not None:
                break
            done_pid, st = os.waitpid(pid, os.WNOHANG)
            if done_pid:
                status = st            # one more drain: what it wrote last
    finally:
        if status is None:
            os.waitpid(pid, 0)
        for fd in (master, slave, exited):
            os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode(errors='replace').replace('\r\n', '\n')


def environment(term, no_color):
    e = run_env()
    e.pop('NO_COLOR', None)
    e.pop('TERM', None)
    if term is not None:
        e['TERM'] = term
    if no_color is not None:
        e['NO_COLOR'] = no_color
    return e


d = Daemon()
try:
    sock = d.socket
    # Something for each verb to show: signals, and a pipe.
    t = trace([example('sigcases'), 'merge'], opts=['-s', sock], to_files=True)
    check_eq('sigcases merge: exit status', 0, t.returncode)
    check_eq('pipe 5: exit status', 0, trace([example('pipe'), '5'], opts=['-s', sock], to_files=True).returncode)
    # run last: each of its runs adds to what signals and pipes show.
    verbs = {'log': ['log', '-s', sock, 'session=%d' % t.events[0]['session']],
             'signals': ['signals', '-s', sock],
             'pipes': ['pipes', '-s', sock],
             'run': ['run', '-s', sock, '--', example('signals'), '2']}
    cases = (('auto', 'xterm', None, True), ('auto', 'xterm', '1', False), ('auto', 'xterm', '', False),
             ('auto', 'dumb', None, False), ('auto', None, None, False), ('never', 'xterm', None, False),
             ('always', 'dumb', '1', True))
    for verb, args in verbs.items():
        # What it prints without colour, on a pipe: the reference (but for run, whose times differ).
        r = run_cli(args)
        check_eq('%s: exit status (stderr %r)' % (verb, r.stderr), 0, r.returncode)
        check(r.stdout and not ESC.search(r.stdout), '%s on a pipe: %r' % (verb, r.stdout[:200]))
        plain = r.stdout
        r = run_cli(args[:1] + ['--color', 'always'] + args[1:])
        check_eq('%s --color always: exit status' % verb, 0, r.returncode)
        check(ESC.search(r.stdout), '%s --color always on a pipe: no escape sequence' % verb)
        outputs = [('%s --color always on a pipe' % verb, r.stdout)]
        for when, term, no_color, coloured in cases:
            what = '%s --color %s, TERM=%s, NO_COLOR=%s' % (verb, when, term, no_color)
            code, out = on_terminal(args[:1] + ['--color=' + when] + args[1:], environment(term, no_color))
            check_eq('%s: exit status (output %r)' % (what, out[-300:]), 0, code)
            check_eq('%s: coloured' % what, coloured, bool(ESC.search(out)))
            outputs.append((what, out))
        for what, out in outputs:
            if verb != 'run':
                check_eq('%s: without escapes vs plain' % what, plain, ESC.sub('', out))
            else:
                # On a terminal, stderr's "ipctrace: session N" comes first.
                check(re.sub(r'^ipctrace: session \d+\r?\n', '', ESC.sub('', out)).startswith(
                    plain.split('\n', 1)[0] + '\n'),
                      '%s: not the event table: %r' % (what, out[:200]))
        passed('%s: colour with --color always (a pipe too), or auto on a terminal with TERM and no NO_COLOR; '
               'none with NO_COLOR (even empty), TERM dumb or unset, or never; only escapes added' % verb)
finally:
    d.cleanup()
done()
