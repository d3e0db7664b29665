#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Text lines name each object once, and open's flags by name. `unixsrv
PATH 2` (3 clients) traced in text: bind and listen each print the socket on their own
line; its address is told once, by the `object` line after bind (listen
bound nothing), and that line (as those after every connect and accept)
says what the socket is without naming the descriptor and the socket
again. `fifo P writer|reader N`: each openat of the FIFO shows the
flags the program gave open() as open(2) spells them (O_WRONLY, O_RDONLY),
not a number, and its object line is the path alone."""

import os
import re
import tempfile

from common import check, check_eq, done, example, passed
from pipecommon import fifo_pair
from textcommon import run_reported

MODES = {os.O_RDONLY: 'O_RDONLY', os.O_WRONLY: 'O_WRONLY', os.O_RDWR: 'O_RDWR'}


def rows(stdout):
    """Event lines as (process, event, details), without the "[blocked 1.5 ms]" of a call that took 1 ms
    or more: any call may, on a loaded machine (a bind did in CI)."""
    out = []
    for l in stdout.splitlines():
        f = l.split(None, 3)
        if len(f) >= 3 and re.match(r'-?\d+\.\d+$', f[0]):
            out.append((f[1], f[2], re.sub(r'  \[blocked [\d.]+ ms\]$', '', f[3]) if len(f) > 3 else ''))
    return out


def after(lines, i, what):
    """The details of the object line that follows line i: the next line of its process
    (another process's may come between: the two records are not written at once)."""
    nxt = [l for l in lines[i + 1:] if l[0] == lines[i][0]][:1]
    check(nxt and nxt[0][1] == 'object', '%s: no object line after it: %r' % (what, [lines[i]] + nxt))
    return nxt[0][2]


def call_before(lines, i):
    """The call line that an object line i follows: its process's last line that is not an object's."""
    return [l for l in lines[:i] if l[0] == lines[i][0] and l[1] != 'object'][-1]


with tempfile.TemporaryDirectory(prefix='ipctrace-e2e-') as d:
    path = os.path.join(d, 'srv.sock')
    r = run_reported(['run', '--', example('unixsrv'), path, '2'])
check_eq('unixsrv status', 0, r.returncode)
rep = r.report
lines = rows(r.stdout)
lsock, lfd = 'socket:[%d]' % rep['listen_inode'], rep['listen_fd']
for call in ('bind', 'listen'):
    i = next((i for i, l in enumerate(lines) if l[1] == call), None)
    check(i is not None, 'no %s line' % call)
    check_eq('%s line' % call, 'fd=%d %s = 0' % (lfd, lsock), lines[i][2])
    if call == 'bind':
        check_eq('the object line after bind', 'AF_UNIX SOCK_STREAM local=%s' % path, after(lines, i, call))
    else:
        nxt = [l for l in lines[i + 1:] if l[0] == lines[i][0]][:1]
        check(nxt and nxt[0][1] != 'object', 'an object line after listen, which bound nothing: %r' % nxt)
for i, l in enumerate(lines):
    if l[1] == 'object':
        call = call_before(lines, i)
        named = re.search(r'(socket:\[\d+\])', call[2])
        check(named and named.group(1) not in l[2] and 'fd=' not in l[2],
              'an object line that names its call\'s socket again: %r after %r' % (l, call))
objects = sum(1 for l in lines if l[1] == 'object')
n = len(rep['clients'])
check_eq('object lines (bind, %d x connect\'s address and socket, %d accepts)' % (n, n), 1 + 3 * n, objects)
passed('bind and listen each name %s once, its address is told once (after bind); %d object lines say what, '
       'not which' % (lsock, objects))

r, fifo, _, rep = fifo_pair(lambda argv: run_reported(['run', '--'] + argv), 1000)
check_eq('fifo status', 0, r.returncode)
lines = rows(r.stdout)
for role, x in rep.items():
    mine = [i for i, l in enumerate(lines) if l[0] == 'fifo[%d]' % x['pid'] and l[1] == 'openat']
    check_eq('%s: openat lines' % role, 1, len(mine))
    i = mine[0]
    want = 'fd=%d pipe:[%d] (fifo) %s = %d' % (x['fd'], x['inode'], MODES[x['open_flags']], x['fd'])
    check_eq('%s: openat line' % role, want, lines[i][2])
    check_eq('%s: the object line after it' % role, fifo, after(lines, i, role))
    passed('%s: %s' % (role, lines[i][2]))
done()
