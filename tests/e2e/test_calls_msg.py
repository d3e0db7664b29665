#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`msgcalls 5`: a listening AF_UNIX socket at an abstract address (socket,
bind, listen), two connections to it (connect; accept, and accept4 with
SOCK_CLOEXEC); on the first, five messages of three iovecs with sendmsg to a
child, then shutdown SHUT_WR, which the child's recvmsg sees as the end of
the stream although both processes still hold that socket; on the second,
send and recv (sendto, recvfrom); over a datagram socketpair, sendmsg/recvmsg
and sendmmsg/recvmmsg. Every syscall event of both processes is, in order, a
call it logged, and the object events say where each socket is bound,
which socket is its peer, and where each connect went."""

import collections

from common import (by_time, check, check_calls, check_eq, covers, done, one, passed,
                    select_events, total_bytes, trace_calls)

covers('socket', 'bind', 'listen', 'connect', 'accept', 'accept4', 'sendto', 'recvfrom',
       'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg', 'shutdown', 'socketpair', 'wait4')

N = 5

t = trace_calls('msgcalls', N)
rep = t.report
parent, child = rep['pid'], rep['child_pid']
pev = check_calls(t.events, parent, rep['calls'], 'msgcalls parent %d' % parent)
cev = check_calls(t.events, child, rep['child_calls'], 'msgcalls child %d' % child)
counts = collections.Counter(e['type'] for e in pev + cev)
for call, n in (('sendto', N), ('recvfrom', N), ('sendmmsg', N), ('recvmmsg', N),
                ('accept', 1), ('accept4', 1), ('shutdown', 1), ('connect', 2)):
    check_eq('%s calls' % call, n, counts[call])
passed('%d events of the parent and %d of the child, each one of the calls they logged: %s'
       % (len(pev), len(cev), ', '.join('%s %d' % kv for kv in sorted(counts.items()))))

# The object event after each bind, connect and accept (not listen: bind gave the address); before
# that, each connect's address.
objects = [o for o in select_events(t.events, type='object', pid=parent) if 'address' not in o]
check_eq('address events: one after each connect, the address it connected to',
         [rep['address']] * counts['connect'],
         [o['address'] for o in select_events(t.events, type='object', pid=parent) if 'address' in o])
calls = [e for e in pev if e['type'] in ('bind', 'connect', 'accept', 'accept4')]
check_eq('object events (one after each bind, connect, accept)', len(calls), len(objects))
info = {}
for e, o in zip(by_time(calls), by_time(objects)):
    fd = e['newfd'] if e['type'].startswith('accept') else e['fd']
    check_eq('object event after %s: (fd, family, socktype)' % e['type'],
             (fd, 'AF_UNIX', 'SOCK_STREAM'), (o['fd'], o['family'], o['socktype']))
    info[e['type']] = o
check_eq('bind: local address', rep['address'], info['bind']['local'])
conn1 = select_events(pev, type='connect')[0]
acc = one(select_events(pev, type='accept'), 'accept')
check_eq('accept: the new socket\'s peer is the first connected socket', conn1['object'],
         info['accept']['peer_object'])
check_eq('accept: the new socket', acc['new_object'], info['accept']['object'])
passed('bound to %s; accepted %s, whose peer is %s'
       % (rep['address'], acc['new_object'], conn1['object']))

# SHUT_WR is the end of the stream for the child, which still holds the socket shut.
shut = one(select_events(pev, type='shutdown'), 'shutdown')
check_eq('shutdown: (fd, how)', (conn1['fd'], 'SHUT_WR'), (shut['fd'], shut['how']))
reads = select_events(cev, type='recvmsg')
check_eq('the child\'s last recvmsg: the end of the stream', 0, reads[-1]['ret'])
check(reads[-1]['time_ns'] > shut['time_ns'], 'the child saw the end before the shutdown: %r' % reads[-1])
check_eq('the child closed nothing but its own accepted socket before the end',
         [], [e for e in select_events(cev, type='close') if e['time_ns'] < reads[-1]['time_ns']])
sent = [e for e in select_events(pev, type='sendmsg') if e['fd'] == conn1['fd']]
check_eq('bytes the parent sent before SHUT_WR (events, report)', rep['stream_sent'], total_bytes(sent))
check_eq('bytes the child got (events, report)', rep['stream_got'], total_bytes(reads))
passed('%d bytes in %d sendmsg, SHUT_WR, then the child\'s recvmsg returned 0 (%d calls)'
       % (rep['stream_sent'], len(sent), len(reads)))

mm = select_events(pev, type=('sendmmsg', 'recvmmsg'))
check_eq('messages per sendmmsg/recvmmsg (bytes)', {rep['batch']}, {e['bytes'] for e in mm})
dgram = one(select_events(pev, type='socketpair'), 'socketpair')
check_eq('socketpair socktype', 'SOCK_DGRAM', dgram['socktype'])
done()
