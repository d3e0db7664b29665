#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Without a daemon, an unprivileged user cannot get a private one: `ipctrace
run` exits 1, runs nothing, and says how to start ipctraced."""

import os
import socket
import tempfile

from common import (DEFAULT_SOCKET, IPCTRACE, NOBODY, as_nobody, check, check_eq, done, passed, skip)


def answers(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


if answers(DEFAULT_SOCKET):
    skip('an ipctraced answers at %s, so there is a daemon to use' % DEFAULT_SOCKET)

with tempfile.TemporaryDirectory(prefix='ipctrace-e2e-') as d:
    os.chmod(d, 0o777)
    marker = os.path.join(d, 'ran')
    r = as_nobody([IPCTRACE, 'run', '--', 'sh', '-c', 'echo > %s' % marker])
    check_eq('uid %d, no daemon: ipctrace run exit status' % NOBODY, 1, r.returncode)
    check('ipctraced' in r.stderr, 'stderr does not tell how to start ipctraced: %r' % r.stderr)
    check(not os.path.exists(marker), 'the command ran although it could not be traced')
    check_eq('stdout', '', r.stdout)
    passed('uid %d without a daemon: exit 1, %r' % (NOBODY, r.stderr.strip().splitlines()[0]))

    r = as_nobody([IPCTRACE, 'run', '-s', os.path.join(d, 'nosuch.sock'), '--', 'true'])
    check_eq('uid %d, -s to a missing socket: exit status' % NOBODY, 1, r.returncode)
    check('nosuch.sock' in r.stderr, 'stderr does not name the socket: %r' % r.stderr)
    passed('uid %d with -s to a missing socket: exit 1' % NOBODY)
done()
