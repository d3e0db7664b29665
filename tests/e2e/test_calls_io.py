#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`iocalls 5`: five messages of three iovecs written with writev into a pipe
and into a stream socketpair and read back with readv; five rounds of
vmsplice into a pipe, tee into a second one, splice into the socket, and
sendfile from a memfd into the pipe, each drained with read. Every syscall
event is, in order, a call the program logged, with its descriptors and
objects, iovec counts, the bytes asked for and moved; the memfd, a regular
file, never shows."""

import collections

from common import (check, check_calls, check_eq, covers, done, passed, select_events, total_bytes,
                    trace_calls)

covers('readv', 'writev', 'splice', 'tee', 'vmsplice', 'sendfile', 'socketpair')

N = 5

t = trace_calls('iocalls', N)
rep = t.report
pid = rep['pid']
evs = check_calls(t.events, pid, rep['calls'], 'iocalls %d' % pid)
counts = collections.Counter(e['type'] for e in evs)
check_eq('writev calls (N into the pipe, N into the socket)', 2 * N, counts['writev'])
for call in ('vmsplice', 'tee', 'sendfile'):
    check_eq('%s calls' % call, N, counts[call])
check(counts['splice'] >= N, 'splice calls: %d, fewer than the %d rounds' % (counts['splice'], N))
passed('%d events, each one of the %d calls iocalls logged: %s'
       % (len(evs), len(rep['calls']), ', '.join('%s %d' % kv for kv in sorted(counts.items()))))

for kind, (wr, rd) in (('pipe', (rep['pipe'][1], rep['pipe'][0])),
                       ('socket', (rep['socketpair'][0], rep['socketpair'][1]))):
    w = select_events(evs, type='writev', fd=wr)
    r = select_events(evs, type='readv', fd=rd)
    check_eq('%s: writev calls' % kind, N, len(w))
    check_eq('%s: bytes readv got vs bytes writev put' % kind, total_bytes(w), total_bytes(r))
    check_eq('%s: kinds' % kind, {kind}, {e['kind'] for e in w + r})
passed('writev and readv: the same bytes through the pipe and through the socket')

# Where the bytes went: tee copies, splice moves, sendfile sends from a file.
vm, tee, spl = (select_events(evs, type=c) for c in ('vmsplice', 'tee', 'splice'))
check_eq('bytes tee copied vs bytes vmsplice put', total_bytes(vm), total_bytes(tee))
check_eq('bytes splice moved vs bytes vmsplice put', total_bytes(vm), total_bytes(spl))
check_eq('splice: into the socket', {('pipe', 'socket')},
         {(e['in_object'][:4], e['out_object'][:6]) for e in spl})
for e in select_events(evs, type='sendfile'):
    check_eq('sendfile from the memfd: in_object (a regular file has none)', None, e.get('in_object'))
check_eq('events on the memfd (fd %d) other than sendfile\'s input' % rep['memfd'], [],
         [e for e in select_events(t.events, pid=pid, fd=rep['memfd'])])
passed('vmsplice, tee, splice and sendfile: %d bytes mapped, copied and moved; the memfd unseen'
       % total_bytes(vm))
done()
