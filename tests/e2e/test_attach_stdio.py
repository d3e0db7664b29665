#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace attach -p PID` records the standard streams of a process that
was already running (what the kernel side records at each exec, docs/events.md
"The stdio event"), and a terminal is an object like a pipe: `cat`, its stdin
a pipe from this test and its stdout and stderr a new terminal (a pty), is
attached to; the test writes a line and closes the pipe, and the trace must
begin with a `stdio` event that names the pipe (its inode, as this test sees
it) and the terminal (/dev/pts/N, as ttyname() gives it), then show the
line written to the terminal (6 bytes, kind tty), and end with cat's exit."""

import json
import os
import pty
import subprocess
import tempfile
import threading

from common import IPCTRACE, Daemon, _context, check, check_eq, done, fail, one, passed, run_env
from logcommon import wait_stats
from textcommon import stop

TIMEOUT = 60

d = Daemon()
master, slave = pty.openpty()
tty = os.ttyname(slave)
cat = subprocess.Popen(['cat'], stdin=subprocess.PIPE, stdout=slave, stderr=slave)
os.close(slave)
drained = []
reader = threading.Thread(target=lambda: drained.append(os.read(master, 4096)), daemon=True)
reader.start()
pipe_ino = os.fstat(cat.stdin.fileno()).st_ino
cmd = [IPCTRACE, 'attach', '-s', d.socket, '-o', 'json', '-p', str(cat.pid)]
_context['cmd'] = ' '.join(cmd)
try:
    with tempfile.TemporaryFile() as out:
        cli = subprocess.Popen(cmd, env=run_env(), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE)
        try:
            wait_stats(d.socket, lambda s: s['traced_processes'] == 1 and s['sessions'] == 1 or cli.poll() is not None,
                       'attach -p %d traced' % cat.pid)
            check(cli.poll() is None, 'attach exited %r before cat ran' % cli.poll())
            cat.stdin.write(b'hello\n')
            cat.stdin.close()
            check_eq('cat: exit status', 0, cat.wait(timeout=TIMEOUT))
            try:
                _, err = cli.communicate(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                fail('attach did not end within %d s of cat\'s exit' % TIMEOUT)
        finally:
            stop(cli)
        out.seek(0)
        lines = out.read().decode(errors='replace').splitlines()
    _context['stdout'] = '\n'.join(lines)
    check_eq('attach: exit status (stderr %r)' % err, 0, cli.returncode)
    objs = [json.loads(l) for l in lines]
    events = [o for o in objs if o.get('type') not in ('summary', 'diagnosis')]
    check(events and events[0]['type'] == 'stdio', 'the trace does not begin with a stdio event: %r' % events[:2])
    s = events[0]
    check_eq('the stdio event: pid, streams and their kinds',
             (cat.pid, 'pipe:[%d]' % pipe_ino, 'pipe', tty, 'tty', tty, 'tty'),
             (s['pid'], s['stdin'], s['stdin_kind'], s['stdout'], s['stdout_kind'], s['stderr'], s['stderr_kind']))
    passed('attach -p %d: stdio 0=%s 1=%s 2=%s, as the test made them' % (cat.pid, s['stdin'], s['stdout'],
                                                                        s['stderr']))
    w = one([e for e in events if e['type'] == 'write'], 'cat\'s write')
    check_eq('cat\'s write: fd, object, kind, bytes', (1, tty, 'tty', 6), (w['fd'], w['object'], w['kind'], w['ret']))
    reader.join(TIMEOUT)
    check(drained and drained[0].startswith(b'hello'), 'what the terminal got: %r' % drained)
    check_eq('cat\'s exit events', [0], [e['exit_code'] for e in events if e['type'] == 'exit' and e['pid'] == cat.pid])
    passed('cat wrote 6 bytes to %s (kind tty), as the terminal read them' % tty)
finally:
    stop(cat)
    os.close(master)
    d.cleanup()
done()
