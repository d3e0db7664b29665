#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`trace --all` keeps out only the client it streams to: connecting to the
daemon hides nobody else.

A process of user nobody connects to the daemon's socket and stays
connected (every connected process used to be excluded from `trace
--all`, so any user could hide from it that way). Then, while root runs
`ipctrace trace --all -o json` (to a regular file: its writes are no IPC)
and `ipctrace log -f comm=ipctrace` (the same), it sends N one-byte messages over a
socketpair. The log must hold exactly its N sends; `trace --all`'s own
process must have no event at all (its reads of its stream would feed
back into it); the follower's process is traced (its events are in the
log) but is not sent its own events (they would feed back the same way)."""

import atexit
import os
import shutil
import signal
import subprocess
import tempfile

from common import (IPCTRACE, NOBODY, Daemon, check, check_eq, done, fail, passed, run_env)
from logcommon import log, stats, wait_stats, parse_json_lines

N = 25

HELPER = r'''
import os, socket, sys
daemon = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
daemon.connect(sys.argv[1])
a, b = socket.socketpair()
print(os.getpid(), a.fileno(), os.getuid(), flush=True)
sys.stdin.readline()
n = int(sys.argv[2])
for _ in range(n):
    a.send(b'x')
got = 0
while got < n:
    got += len(b.recv(n - got))
print(n, got, flush=True)
sys.stdin.readline()
'''

d = Daemon(args=['--ring-mib', '256'])
atexit.register(d.cleanup)
tmp = tempfile.mkdtemp(prefix='ipctrace-e2e-all-')
atexit.register(shutil.rmtree, tmp, True)
os.chmod(tmp, 0o755)

helper = subprocess.Popen(['setpriv', '--reuid=%d' % NOBODY, '--regid=%d' % NOBODY, '--clear-groups',
                           'python3', '-c', HELPER, d.socket, str(N)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, universal_newlines=True,
                          cwd='/', env=run_env())
started = [helper]


@atexit.register
def stop_started():
    for p in started:
        if p.poll() is None:
            p.kill()
            p.wait()


line = helper.stdout.readline().split()
check(len(line) == 3, 'the helper did not start: %r' % line)
hpid, hfd, huid = map(int, line)
check_eq('the helper\'s uid', NOBODY, huid)
wait_stats(d.socket, lambda s: s.get('clients', 0) >= 1, 'the helper connected')
passed('pid %d of uid %d is connected to the daemon' % (hpid, huid))

files = {name: open(os.path.join(tmp, name), 'w+') for name in ('all.json', 'follow.json', 'all.err')}
follower = subprocess.Popen([IPCTRACE, 'log', '-f', '-o', 'json', '-s', d.socket, 'comm=ipctrace'],
                            stdin=subprocess.DEVNULL, stdout=files['follow.json'],
                            stderr=subprocess.DEVNULL, env=run_env())
tracer = subprocess.Popen([IPCTRACE, 'trace', '--all', '-o', 'json', '-s', d.socket],
                          stdin=subprocess.DEVNULL, stdout=files['all.json'], stderr=files['all.err'],
                          env=run_env())
started += [follower, tracer]
before = wait_stats(d.socket, lambda s: s.get('sessions') == 1 and s.get('attached'),
                    'trace --all started')

helper.stdin.write('go\n')
helper.stdin.flush()
check_eq('the helper sent and received', '%d %d' % (N, N), helper.stdout.readline().strip())


def helper_sends():
    return [e for e in log(d.socket, 'pid=%d' % hpid, 'type=sendto') if e.get('fd') == hfd]


# The log has what was drained: wait for the N sends (or anything past them).
wait_stats(d.socket, lambda s: len(helper_sends()) >= N, 'the helper\'s sends logged')
# The follower reads what its filter matches (these queries are ipctrace too): its reads are traced.
wait_stats(d.socket, lambda s: log(d.socket, 'pid=%d' % follower.pid), 'the follower\'s own reads logged')
tracer.send_signal(signal.SIGINT)
try:
    check_eq('ipctrace trace --all exit status', 0, tracer.wait(timeout=60))
except subprocess.TimeoutExpired:
    tracer.kill()
    fail('ipctrace trace --all did not stop on SIGINT')
follower.send_signal(signal.SIGINT)
try:
    follower.wait(timeout=60)
except subprocess.TimeoutExpired:
    follower.kill()
    fail('ipctrace log -f did not stop on SIGINT')
helper.stdin.write('end\n')
helper.stdin.flush()
helper.wait(timeout=30)
after = stats(d.socket)
check_eq('events lost while tracing everything (a 256 MiB ring)', before.get('lost'), after.get('lost'))

sends = helper_sends()
check_eq('sendto events of pid %d (uid %d, connected to the daemon) on fd %d' % (hpid, NOBODY, hfd),
         N, len(sends))
check(all(e.get('ret') == 1 for e in sends), 'a send did not return 1: %r' % sends[:3])
passed('the connected process of nobody is traced by trace --all: its %d sends are logged' % N)

check_eq('events of trace --all\'s own process %d in the log' % tracer.pid, [],
         log(d.socket, 'pid=%d' % tracer.pid))
files['all.json'].seek(0)
streamed = parse_json_lines(files['all.json'].read(), 'trace --all output')
check_eq('events of trace --all\'s own process %d in its stream' % tracer.pid, [],
         [e for e in streamed if e.get('pid') == tracer.pid])
check_eq('the helper\'s sends in trace --all\'s stream', N,
         len([e for e in streamed if e.get('pid') == hpid and e.get('type') == 'sendto' and e.get('fd') == hfd]))
passed('trace --all streamed the helper\'s sends and nothing of its own process')

files['follow.json'].seek(0)
followed = parse_json_lines(files['follow.json'].read(), 'log -f output')
check_eq('events of the follower\'s own process sent to it', [],
         [e for e in followed if e.get('pid') == follower.pid])
passed('the follower is traced, and not sent its own events')
for f in files.values():
    f.close()
done()
