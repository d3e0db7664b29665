#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`socketpair 50` (a parent/child ping-pong over an AF_UNIX socketpair)
traced with --pipes: the graph has the pair's two sockets, AF_UNIX
SOCK_STREAM, each the other's `peer`; each socket's holders are the parent
and the child (the fork copied both fds), its senders/receivers are the one
process that used it, with the bytes and calls the program counted, and its
`peer_holders` are the holders of the other socket."""

from common import check, check_clean_exit, check_eq, done, example, one, passed, select_events, trace
from pipecommon import (check_against_events, check_all_closed, check_objects, ends, pids_fds,
                        PIPES)

N = 50

t = trace([example('socketpair'), str(N)], opts=PIPES, to_files=True)
ev, rep = t.events, t.report
check(rep is not None, 'socketpair wrote no report')
check_clean_exit(t, 0)
parent, child = rep['parent_pid'], rep['child_pid']
sp = one(select_events(ev, type='socketpair', pid=parent, ret=0), 'socketpair in parent %d' % parent)
check_eq('socketpair fds', [rep['parent']['fd'], rep['child']['fd']], sp.get('fds'))
mine = {'parent': sp['object'], 'child': sp['peer_object']}
fds = sp['fds']
for who, pid in (('parent', parent), ('child', child)):
    side = rep[who]
    for call in ('sendto', 'recvfrom'):
        calls = select_events(ev, type=call, pid=pid)
        check_eq('%s %s calls (events vs report)' % (who, call), side[call], len(calls))
        check_eq('%s %s bytes (events vs report)' % (who, call), side[call + '_bytes'],
                 sum(c['bytes'] for c in calls))
        check_eq('%s %s objects' % (who, call), {mine[who]}, {c['object'] for c in calls})
passed('events: parent %d uses %s, child %d uses %s, counts as reported'
       % (parent, mine['parent'], child, mine['child']))

graph = check_objects(t)
check_eq('objects in the graph (stdout/stderr are files)', sorted(mine.values()), sorted(graph))
for who, pid, other in (('parent', parent, 'child'), ('child', child, 'parent')):
    name = mine[who]
    o = graph[name]
    side = rep[who]
    fd = side['fd']
    check_eq('%s kind' % name, 'socket', o['kind'])
    check_eq('%s family' % name, 'AF_UNIX', o['family'])
    check_eq('%s socket_type' % name, 'SOCK_STREAM', o['socket_type'])
    check_eq('%s path (a socketpair is unbound)' % name, None, o['path'])
    check_eq('%s local (unbound)' % name, None, o['local'])
    check_eq('%s peer' % name, mine[other], o['peer'])
    check(o['created_ns'] is not None and sp['time_ns'] - sp['duration_ns'] <= o['created_ns'] <= sp['time_ns'],
          '%s: created_ns %r is not within the socketpair call' % (name, o['created_ns']))
    # Both processes held both sockets on the same fd numbers (fork copied the table).
    check_eq('%s holders (pid, fd)' % name, sorted([(parent, fd), (child, fd)]), pids_fds(o['holders']))
    check_eq('%s writers (the holders that sent)' % name,
             [(pid, fd, side['sendto_bytes'], side['sendto'])], ends(o['writers']))
    check_eq('%s readers (the holders that received)' % name,
             [(pid, fd, side['recvfrom_bytes'], side['recvfrom'])], ends(o['readers']))
    check_eq('%s bytes_written' % name, side['sendto_bytes'], o['bytes_written'])
    check_eq('%s bytes_read' % name, side['recvfrom_bytes'], o['bytes_read'])
    check_eq('%s writes' % name, side['sendto'], o['writes'])
    check_eq('%s reads' % name, side['recvfrom'], o['reads'])
    check_eq('%s eof_reads' % name, 0, o['eof_reads'])
    check_against_events(o, ev)
    check_all_closed(o)
    check_eq('%s warnings' % name, [], o['warnings'])
    passed('%s: %s %d fd %d sent %d and received %d bytes; peer %s'
           % (name, who, pid, fd, side['sendto_bytes'], side['recvfrom_bytes'], o['peer']))
for a, b in ((mine['parent'], mine['child']), (mine['child'], mine['parent'])):
    check_eq('%s peer_holders (pid, fd) vs the holders of its peer %s' % (a, b),
             pids_fds(graph[b]['holders']), pids_fds(graph[a]['peer_holders']))
check_eq('what the parent sent is what the child received',
         graph[mine['parent']]['bytes_written'], graph[mine['child']]['bytes_read'])
check_eq('what the child sent is what the parent received',
         graph[mine['child']]['bytes_written'], graph[mine['parent']]['bytes_read'])
check_eq('diagnoses', [], t.diagnoses)
done()
