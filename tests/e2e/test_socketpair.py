#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`socketpair 50`: parent and child bounce 50 messages over an AF_UNIX
socketpair. Each side's sendto/recvfrom calls and bytes match its own count,
and the socketpair event names both sockets, each side using its own."""

from common import (check, check_clean_exit, check_eq, done, example, one, passed,
                    select_events, total_bytes, trace)

N = 50

t = trace([example('socketpair'), str(N)])
ev, rep = t.events, t.report
check(rep is not None, 'socketpair wrote no report')
check_clean_exit(t, 0)
parent, child = rep['parent_pid'], rep['child_pid']
passed('exit status 0, summary consistent, 0 lost')

sp = one(select_events(ev, type='socketpair', pid=parent), 'socketpair in parent %d' % parent)
check_eq('socketpair fds', [rep['parent']['fd'], rep['child']['fd']], sp.get('fds'))
check_eq('socketpair ret', 0, sp.get('ret'))
check_eq('socketpair family', 'AF_UNIX', sp.get('family'))
check_eq('socketpair socktype', 'SOCK_STREAM', sp.get('socktype'))
obj, peer = sp.get('object'), sp.get('peer_object')
for o in (obj, peer):
    check(isinstance(o, str) and o.startswith('socket:['), 'socketpair object looks wrong: %r' % sp)
check(obj != peer, 'the two sockets of the pair have one name: %r' % obj)
passed('socketpair %s = 0: %s and %s' % (sp['fds'], obj, peer))

fork = one(select_events(ev, type='fork', pid=parent), 'fork in parent')
check_eq('fork child_pid', child, fork.get('child_pid'))

for who, pid, mine in (('parent', parent, obj), ('child', child, peer)):
    side = rep[who]
    fd = side['fd']
    for call in ('sendto', 'recvfrom'):
        calls = select_events(ev, type=call, pid=pid)
        check_eq('%s %d: %s calls' % (who, pid, call), side[call], len(calls))
        check_eq('%s %d: %s bytes' % (who, pid, call), side[call + '_bytes'], total_bytes(calls))
        for c in calls:
            check_eq('%s %s fd' % (who, call), fd, c.get('fd'))
            check_eq('%s %s object (its own end of the pair)' % (who, call), mine, c.get('object'))
            check_eq('%s %s kind' % (who, call), 'socket', c.get('kind'))
            check('end' not in c, 'a socket call has a pipe end: %r' % c)
        passed('%s %d: %d %s, %d bytes on %s' % (who, pid, len(calls), call, total_bytes(calls), mine))
    close = select_events(ev, type='close', pid=pid, object=(obj, peer))
    other = rep['child' if who == 'parent' else 'parent']['fd']
    check_eq('%s closes of the pair\'s fds' % who, sorted([fd, other]),
             sorted(c.get('fd') for c in close))

# What one side sent, the other received.
check_eq('bytes the parent sent vs the child received',
         total_bytes(select_events(ev, type='sendto', pid=parent)),
         total_bytes(select_events(ev, type='recvfrom', pid=child)))
check_eq('bytes the child sent vs the parent received',
         total_bytes(select_events(ev, type='sendto', pid=child)),
         total_bytes(select_events(ev, type='recvfrom', pid=parent)))
done()
