#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`tcp 100000 30000`: a server on 127.0.0.1 (an ephemeral port) and a forked
client that sends 100000 bytes and receives 30000. Traced with --pipes: the
graph has the listening, accepted and client sockets, AF_INET SOCK_STREAM,
with `local`/`remote` "127.0.0.1:PORT" as the program saw them (getsockname,
accept), the accepted and the client socket each other's `peer` (with the
other process as `peer_holders`), connect's address, and each socket's senders/receivers with the bytes and calls that
the program counted."""

from common import (check, check_clean_exit, check_eq, done, example, next_of, one, passed, select_events,
                    trace)
from pipecommon import (check_against_events, check_all_closed, check_objects, ends, obj_name,
                        pids_fds, PIPES)

UP, DOWN = 100000, 30000

t = trace([example('tcp'), str(UP), str(DOWN)], opts=PIPES, to_files=True)
ev, rep = t.events, t.report
check(rep is not None, 'tcp wrote no report')
check_clean_exit(t, 0)
srv, cli = rep['server'], rep['client']
spid, cpid, port = rep['server_pid'], rep['client_pid'], rep['server_port']
check_eq('client\'s local port as the server\'s accept saw it', cli['port'], srv['peer_port'])
check_eq('accepted socket\'s local port', port, srv['port'])
for who, x, sent, got in (('server', srv, DOWN, UP), ('client', cli, UP, DOWN)):
    check_eq('%s bytes sent' % who, sent, x['sendto_bytes'])
    check_eq('%s bytes received' % who, got, x['recvfrom_bytes'])
lname, sname, cname = (obj_name('socket', rep['listen_inode']), obj_name('socket', srv['inode']),
                       obj_name('socket', cli['inode']))
here = '127.0.0.1:%d' % port
passed('server %d on 127.0.0.1:%d, client %d from port %d: %d bytes up, %d down'
       % (spid, port, cpid, cli['port'], UP, DOWN))

# Raw events.
s = one(select_events(ev, type='socket', pid=spid), 'socket() by the server')
check_eq('server socket (family, socktype, fd, object)', ('AF_INET', 'SOCK_STREAM', rep['listen_fd'], lname),
         (s['family'], s['socktype'], s['fd'], s.get('object')))
b = one(select_events(ev, type='bind', pid=spid), 'bind by the server')
check_eq('the object event after bind: local', here, next_of(ev, b).get('local'))
lsn = one(select_events(ev, type='listen', pid=spid), 'listen by the server')
check(next_of(ev, lsn)['type'] != 'object', 'an object event after listen, which bound nothing: %r' % next_of(ev, lsn))
a = one(select_events(ev, type=('accept', 'accept4'), pid=spid), 'accept by the server')
check_eq('accept (newfd, new_object)', (srv['fd'], sname), (a.get('newfd'), a.get('new_object')))
cn = one(select_events(ev, type='connect', pid=cpid), 'connect by the client')
check_eq('connect (fd, object, ret)', (cli['fd'], cname, 0), (cn['fd'], cn['object'], cn['ret']))
ad = next_of(ev, cn)
check_eq('the event after connect (type, object, address)', ('object', cname, '127.0.0.1:%d' % port),
         (ad['type'], ad['object'], ad.get('address')))
for who, pid, x, name in (('server', spid, srv, sname), ('client', cpid, cli, cname)):
    for call in ('sendto', 'recvfrom'):
        calls = select_events(ev, type=call, pid=pid)
        check_eq('%s %s calls (events vs report)' % (who, call), x[call], len(calls))
        check_eq('%s %s bytes (events vs report)' % (who, call), x[call + '_bytes'],
                 sum(e['bytes'] for e in calls))
        check_eq('%s %s (objects, fds)' % (who, call), ({name}, {x['fd']}),
                 ({e['object'] for e in calls}, {e['fd'] for e in calls}))
passed('events: socket, bind (%s: told once, not again by listen), accept, connect, and the send/recv '
       'calls and bytes as reported' % here)

graph = check_objects(t)
check_eq('objects in the graph (stdout/stderr are files)', sorted([lname, sname, cname]), sorted(graph))
there = '127.0.0.1:%d' % cli['port']
for name, local, remote in ((lname, here, None), (sname, here, there), (cname, there, here)):
    o = graph[name]
    check_eq('%s (kind, family, socket_type)' % name, ('socket', 'AF_INET', 'SOCK_STREAM'),
             (o['kind'], o['family'], o['socket_type']))
    check_eq('%s (local, remote)' % name, (local, remote), (o['local'], o['remote']))
    check_eq('%s path' % name, None, o['path'])
    check_against_events(o, ev)
    check_all_closed(o)
    check_eq('%s warnings' % name, [], o['warnings'])
lo = graph[lname]
check_eq('listening socket holders: the server, and the client until it closed its copy',
         sorted([(spid, rep['listen_fd']), (cpid, rep['listen_fd'])]), pids_fds(lo['holders']))
check_eq('listening socket writers/readers', ([], []), (lo['writers'], lo['readers']))
check_eq('listening socket peer', None, lo['peer'])
for who, pid, x, name in (('server', spid, srv, sname), ('client', cpid, cli, cname)):
    o = graph[name]
    check_eq('%s holders' % name, [(pid, x['fd'])], pids_fds(o['holders']))
    check_eq('%s writers (the %s)' % (name, who), [(pid, x['fd'], x['sendto_bytes'], x['sendto'])],
             ends(o['writers']))
    check_eq('%s readers (the %s)' % (name, who), [(pid, x['fd'], x['recvfrom_bytes'], x['recvfrom'])],
             ends(o['readers']))
    check_eq('%s (bytes_written, bytes_read)' % name, (x['sendto_bytes'], x['recvfrom_bytes']),
             (o['bytes_written'], o['bytes_read']))
    check_eq('%s eof_reads' % name, 1 if who == 'server' else 0, o['eof_reads'])
    # One connection: the accepted socket and the client's are each other's peer (by their addresses).
    other, opid, ox = (cname, cpid, cli) if who == 'server' else (sname, spid, srv)
    check_eq('%s peer' % name, other, o['peer'])
    check_eq('%s peer_holders: the %s' % (name, 'client' if who == 'server' else 'server'),
             [(opid, ox['fd'])], pids_fds(o['peer_holders']))
    passed('%s (%s %d fd %d): %s -> %s, sent %d, received %d'
           % (name, who, pid, x['fd'], o['local'], o['remote'], o['bytes_written'], o['bytes_read']))
check_eq('diagnoses', [], t.diagnoses)
done()
