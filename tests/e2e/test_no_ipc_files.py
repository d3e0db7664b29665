#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Reads and writes of regular files, /dev/null and /dev/zero are not IPC:
a shell that copies files around is traced (its forks, execs and exits are
there) but produces no read or write event at all. What it does to its
standard streams is recorded whatever they are (docs/events.md): cat and
head close their stdout and stderr as they end (kind "other"), and no
event names a descriptor above 2."""

import os
import tempfile

from common import (by_time, check, check_clean_exit, check_eq, done, one, passed, select_events,
                    trace)

IO_CALLS = ('read', 'write', 'readv', 'writev', 'pread64', 'pwrite64',
            'sendto', 'recvfrom', 'sendmsg', 'recvmsg')
# The calls recorded on a file when a standard stream is the descriptor closed, copied or opened.
STD_CALLS = ('close', 'dup', 'dup2', 'dup3', 'fcntl', 'open', 'openat')

with tempfile.TemporaryDirectory(prefix='ipctrace-e2e-') as d:
    out = os.path.join(d, 'somefile')
    script = 'cat /etc/passwd > /dev/null; head -c 1000 /dev/zero > %s' % out
    # Its stdout and stderr are regular files too (no pipe from this script).
    t = trace(['/bin/sh', '-c', script], to_files=True)
    check_clean_exit(t, 0)
    check_eq('size of %s (the command really ran)' % out, 1000, os.path.getsize(out))
ev = t.events
passed('sh -c %r: exit status 0, 0 lost' % script)

execs = select_events(ev, type='exec')
root = by_time(execs)[0]['pid'] if execs else None
names = sorted(os.path.basename(e.get('filename', '')) for e in execs)
for name in ('cat', 'head'):
    check(name in names, 'no exec of %s among the execs %r' % (name, names))
check(any(n in ('sh', 'dash', 'bash') for n in names), 'no exec of the shell among %r' % names)
check(len(select_events(ev, type='fork')) >= 1, 'no fork event')
check(len(select_events(ev, type='exit')) >= 3, 'fewer than 3 exit events')
check_eq('exit code of the shell', 0,
         one(select_events(ev, type='exit', pid=root), 'exit of the shell').get('exit_code'))
passed('exec %s, forks and exits are reported' % names)

io = select_events(ev, restarts=True, type=IO_CALLS)
check_eq('read/write events (none of these files is IPC)', [], io)
std = select_events(ev, restarts=True, type=STD_CALLS)
check_eq('events of a standard stream that are not of kind "other" (nothing here is IPC)', [],
         [e for e in std if e.get('kind') != 'other'])
check_eq('events of a descriptor above 2', [], [e for e in std if min(e['fd'], e.get('newfd', e['fd'])) > 2])
check_eq('events naming an IPC object', [],
         [e for e in ev if 'kind' in e and e['kind'] not in ('other',)])
for name in ('cat', 'head'):
    closed = sorted(e['fd'] for e in select_events(std, type='close', comm=name) if e['ret'] == 0)
    check_eq('%s: the standard streams it closed as it ended' % name, [1, 2], closed)
passed('no read or write event; %d events of standard streams, all kind "other"' % len(std))
done()
