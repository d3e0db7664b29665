#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`fdcalls 5`: two pipes (pipe, pipe2 O_CLOEXEC), five rounds of dup, dup2
and dup3 (O_CLOEXEC) over open ends, fcntl F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD,
F_SETFD, F_GETFL and the closes; F_SETFL O_NONBLOCK and a read that fails
with EAGAIN; a FIFO opened with open and openat; five rounds of ioctl
FIOCLEX and FIONCLEX on a pipe's ends, pidfd_getfd of its read end from a
pidfd of the program's own, unshare CLONE_FILES and close_range (plain,
CLOSE_RANGE_CLOEXEC, CLOSE_RANGE_UNSHARE) over the ends and the copy; a
close_range over no descriptor up to ~0U; pidfd_getfd of a write end from a
child. Every syscall event is, in order, a call the program logged, with the
program's fds, objects, commands, arguments, flags and results; the calls
the tracer leaves out (ioctl FIONREAD, FIOCLEX on the pidfd, pidfd_getfd of
the pidfd) are not logged, so an event for one of them fails the test."""

import collections

from common import (check, check_calls, check_eq, covers, done, one, passed, select_events,
                    trace_calls)

covers('pipe', 'pipe2', 'dup', 'dup2', 'dup3', 'fcntl', 'close', 'read', 'write', 'open',
       'openat', 'close_range', 'ioctl', 'pidfd_getfd', 'unshare')

N = 5

t = trace_calls('fdcalls', N)
rep = t.report
pid = rep['pid']
evs = check_calls(t.events, pid, rep['calls'], 'fdcalls %d' % pid)
counts = collections.Counter(e['type'] for e in evs)
check_eq('dup, dup2 and dup3 calls', {'dup': N, 'dup2': N, 'dup3': N},
         {k: counts[k] for k in ('dup', 'dup2', 'dup3')})
check_eq('fcntl calls (5 a round, and F_SETFL)', 5 * N + 1, counts['fcntl'])
check_eq('ioctl, pidfd_getfd, unshare and close_range calls (a round\'s, and once more)',
         {'ioctl': 3 * N, 'pidfd_getfd': N + 1, 'unshare': N, 'close_range': 3 * N + 1},
         {k: counts[k] for k in ('ioctl', 'pidfd_getfd', 'unshare', 'close_range')})
check_eq('calls the program made that the tracer leaves out (4 a round, 2 pidfd closes)',
         4 * N + 2, rep['unrecorded'])
passed('%d events, each one of the %d calls fdcalls logged: %s'
       % (len(evs), len(rep['calls']), ', '.join('%s %d' % kv for kv in sorted(counts.items()))))

# What the log cannot say by itself: the events' view of the descriptors it describes.
p_obj = one(select_events(evs, type=('pipe', 'pipe2'), fds=rep['pipe']), 'the first pipe')['object']
for e in select_events(evs, type='dup3'):
    check_eq('dup3 %d -> %d: its object and the copy it made' % (e['fd'], e['newfd']),
             (p_obj, 'write', e['ret']), (e['object'], e['end'], e['newfd']))
fcntls = select_events(evs, type='fcntl')
for e in fcntls:
    if e['cmd'] in (0, 1030):           # F_DUPFD, F_DUPFD_CLOEXEC: the lowest free fd >= arg
        check(e['newfd'] >= e['arg'], 'fcntl newfd below its arg: %r' % e)
setfl = [e for e in fcntls if e['cmd'] == 4]
check_eq('F_SETFL events', 1, len(setfl))
check_eq('fd_flags of the F_SETFL O_NONBLOCK call', ['O_NONBLOCK'], setfl[0]['fd_flags'])
eagain = one(select_events(evs, type='read', errno='EAGAIN'), 'the read that failed with EAGAIN')
check_eq('EAGAIN read: (fd, bytes)', (rep['pipe'][0], None), (eagain['fd'], eagain.get('bytes')))
passed('dup3 copies of the first pipe\'s write end, F_DUPFD >= its arg, F_SETFL O_NONBLOCK then EAGAIN')

fifo = [e for e in evs if e['type'] in ('open', 'openat')]
check_eq('FIFO opens', ['open', 'openat'], [e['type'] for e in fifo])
check_eq('the two opens name one FIFO', 1, len({e['object'] for e in fifo}))
for e in fifo:
    obj = one(select_events(t.events, type='object', pid=pid, fd=e['fd']), 'object event of fd %d' % e['fd'])
    check_eq('object event after %s: (object, kind, path)' % e['type'],
             (e['object'], 'fifo', rep['fifo']), (obj['object'], obj['kind'], obj.get('path')))
passed('open and openat of %s (%s), each followed by its object event' % (rep['fifo'], fifo[0]['object']))

# pidfd_getfd records the descriptor it installs in its own event: no fd_received.
check_eq('fd_received events', [], select_events(t.events, type='fd_received'))
child = rep['child_pid']
check_calls(t.events, child, [], 'the child %d, which makes no traced call' % child)
getfd = select_events(evs, type='pidfd_getfd')
passed('pidfd_getfd: %d copies of the program\'s own read ends, one write end (%s) from child '
       '%d; no fd_received' % (N, getfd[-1]['object'], child))
done()
