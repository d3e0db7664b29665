#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Without a daemon, an unprivileged user cannot get a private one: `ipctrace
run` exits 1, runs nothing, and says how to start ipctraced. "Without a
daemon" is where $IPCTRACE_SOCKET points (common.py: a path in this test's
own directory where nothing listens), whatever runs on the default socket;
-s to a missing socket fails the same way."""

import os
import tempfile

from common import IPCTRACE, NOBODY, as_nobody, check, check_eq, done, passed

NO_DAEMON = os.environ['IPCTRACE_SOCKET']
check(not os.path.exists(NO_DAEMON), '$IPCTRACE_SOCKET %s exists' % NO_DAEMON)

with tempfile.TemporaryDirectory(prefix='ipctrace-e2e-') as d:
    os.chmod(d, 0o777)
    marker = os.path.join(d, 'ran')
    r = as_nobody([IPCTRACE, 'run', '--', 'sh', '-c', 'echo > %s' % marker])
    check_eq('uid %d, no daemon: ipctrace run exit status' % NOBODY, 1, r.returncode)
    check('no ipctrace daemon is running (nothing answers at %s)' % NO_DAEMON in r.stderr,
          'stderr does not name $IPCTRACE_SOCKET as where no daemon answers: %r' % r.stderr)
    check("Start it with 'sudo systemctl start ipctraced'" in r.stderr,
          'stderr does not tell how to start ipctraced: %r' % r.stderr)
    check(not os.path.exists(marker), 'the command ran although it could not be traced')
    check_eq('stdout', '', r.stdout)
    passed('uid %d without a daemon at $IPCTRACE_SOCKET: exit 1, %r' % (NOBODY, r.stderr.strip().splitlines()[0]))

    r = as_nobody([IPCTRACE, 'run', '-s', os.path.join(d, 'nosuch.sock'), '--', 'sh', '-c', 'echo > %s' % marker])
    check_eq('uid %d, -s to a missing socket: exit status' % NOBODY, 1, r.returncode)
    check('no ipctrace daemon is running (nothing answers at %s)' % os.path.join(d, 'nosuch.sock') in r.stderr,
          'stderr does not name the socket: %r' % r.stderr)
    check(not os.path.exists(marker), 'the command ran although it could not be traced')
    passed('uid %d with -s to a missing socket: exit 1' % NOBODY)
done()
