#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`unixsrv PATH 12`: an AF_UNIX stream server bound to PATH forks 3 clients,
accepts them and echoes 12 messages of different sizes from each. Traced
with --pipes:

- events: every process's send/recv calls and bytes, the accepts and the
  connects match the program's counts and fstat inodes;
- graph: the listening socket has path PATH (and local PATH, no remote);
  each accepted socket's peer is the client's socket, its peer_holders are
  that client (the pid SO_PEERCRED gave the server), its sends/receives are
  the server's on that connection; each client socket's peer is the
  accepted socket, its remote is PATH, its peer_holders the server."""

import os
import tempfile

from common import (check, check_clean_exit, check_eq, done, example, next_of, one, passed, select_events,
                    trace)
from pipecommon import (check_against_events, check_all_closed, check_objects, ends, obj_name,
                        pids_fds, PIPES)

K = 12

with tempfile.TemporaryDirectory(prefix='ipctrace-e2e-') as d:
    path = os.path.join(d, 'srv.sock')
    t = trace([example('unixsrv'), path, str(K)], opts=PIPES, to_files=True)
ev, rep = t.events, t.report
check(rep is not None, 'unixsrv wrote no report')
check_clean_exit(t, 0)
check_eq('report path', path, rep['path'])
server, clients, accepted = rep['server_pid'], rep['clients'], rep['accepted']
cpids = [c['pid'] for c in clients]
check_eq('peers of the accepted connections (SO_PEERCRED) vs the clients', sorted(cpids),
         sorted(a['peer_pid'] for a in accepted))
by_pid = {c['pid']: c for c in clients}
lname = obj_name('socket', rep['listen_inode'])
passed('server %d listening on %s as %s, clients %s' % (server, path, lname, cpids))

# Raw events.
check_eq('fork children of the server', sorted(cpids),
         sorted(f['child_pid'] for f in select_events(ev, type='fork', pid=server)))
b = one(select_events(ev, type='bind', pid=server), 'bind by the server')
check_eq('bind (fd, object, ret)', (rep['listen_fd'], lname, 0), (b['fd'], b['object'], b['ret']))
one(select_events(ev, type='listen', pid=server, object=lname, ret=0), 'listen on %s' % lname)
acc = select_events(ev, type=('accept', 'accept4'), pid=server)
check_eq('accepts by the server (newfd, new_object)',
         [(a['fd'], obj_name('socket', a['inode'])) for a in accepted],
         [(a.get('newfd'), a.get('new_object')) for a in sorted(acc, key=lambda e: e['time_ns'])])
for c in clients:
    cn = one(select_events(ev, type='connect', pid=c['pid']), 'connect by client %d' % c['pid'])
    check_eq('client %d connect (fd, object, ret)' % c['pid'],
             (c['fd'], obj_name('socket', c['inode']), 0), (cn['fd'], cn['object'], cn['ret']))
    ad = next_of(ev, cn)
    check_eq('client %d: the event after connect (type, object, address)' % c['pid'],
             ('object', cn['object'], path), (ad['type'], ad['object'], ad.get('address')))
for who, x in [('server conn fd %d' % a['fd'], a) for a in accepted] + \
              [('client %d' % c['pid'], c) for c in clients]:
    for call in ('sendto', 'recvfrom'):
        calls = select_events(ev, type=call, pid=x['pid'], fd=x['fd'])
        check_eq('%s: %s calls (events vs report)' % (who, call), x[call], len(calls))
        check_eq('%s: %s bytes (events vs report)' % (who, call), x[call + '_bytes'],
                 sum(e['bytes'] for e in calls))
        check_eq('%s: %s objects' % (who, call), {obj_name('socket', x['inode'])},
                 {e['object'] for e in calls})
for pid in [server] + cpids:
    mine = [a for a in accepted if a['pid'] == pid] + [c for c in clients if c['pid'] == pid]
    for call in ('sendto', 'recvfrom'):
        check_eq('pid %d: all its %s calls (events vs report)' % (pid, call),
                 sum(x[call] for x in mine), len(select_events(ev, type=call, pid=pid)))
passed('events: bind, listen, 3 accepts, 3 connects to PATH; per-process send/recv calls and bytes as reported')

# The graph.
graph = check_objects(t)
names = [lname] + [obj_name('socket', x['inode']) for x in accepted + clients]
check_eq('objects in the graph (stdout/stderr are files)', sorted(names), sorted(graph))
for n in names:
    o = graph[n]
    check_eq('%s (kind, family, socket_type)' % n, ('socket', 'AF_UNIX', 'SOCK_STREAM'),
             (o['kind'], o['family'], o['socket_type']))
    check_against_events(o, ev)
    check_all_closed(o)
    check_eq('%s warnings' % n, [], o['warnings'])

lo = graph[lname]
check_eq('listening socket path', path, lo['path'])
check_eq('listening socket local', path, lo['local'])
check_eq('listening socket remote', None, lo['remote'])
check_eq('listening socket peer', None, lo['peer'])
check(lo['peer_holders'] in (None, []), 'listening socket peer_holders: %r' % lo['peer_holders'])
# The clients were forked after listen(): they held it too (and closed it at once).
check_eq('listening socket holders (pid, fd)',
         sorted([(server, rep['listen_fd'])] + [(p, rep['listen_fd']) for p in cpids]),
         pids_fds(lo['holders']))
check_eq('listening socket writers/readers', ([], []), (lo['writers'], lo['readers']))
passed('%s: path %s, held by the server and (until they closed it) the 3 clients' % (lname, path))

for a in accepted:
    c = by_pid[a['peer_pid']]
    an, cn = obj_name('socket', a['inode']), obj_name('socket', c['inode'])
    ao, co = graph[an], graph[cn]
    check_eq('%s (server fd %d) peer' % (an, a['fd']), cn, ao['peer'])
    check_eq('%s peer_holders: the client SO_PEERCRED named' % an, [(c['pid'], c['fd'])],
             pids_fds(ao['peer_holders']))
    check_eq('%s peer_holders comm' % an, ['unixsrv'], [h['comm'] for h in ao['peer_holders']])
    check_eq('%s holders' % an, [(server, a['fd'])], pids_fds(ao['holders']))
    check_eq('%s local (an accepted socket has its listener\'s address)' % an, path, ao['local'])
    check_eq('%s remote (the client is unbound)' % an, None, ao['remote'])
    check_eq('%s writers' % an, [(server, a['fd'], a['sendto_bytes'], a['sendto'])], ends(ao['writers']))
    check_eq('%s readers (with the final recv of 0)' % an,
             [(server, a['fd'], a['recvfrom_bytes'], a['recvfrom'])], ends(ao['readers']))
    check_eq('%s (bytes_written, bytes_read)' % an, (a['sendto_bytes'], a['recvfrom_bytes']),
             (ao['bytes_written'], ao['bytes_read']))
    check_eq('%s eof_reads' % an, 1, ao['eof_reads'])

    check_eq('%s (client %d fd %d) peer' % (cn, c['pid'], c['fd']), an, co['peer'])
    check_eq('%s peer_holders: the server' % cn, [(server, a['fd'])], pids_fds(co['peer_holders']))
    check_eq('%s holders' % cn, [(c['pid'], c['fd'])], pids_fds(co['holders']))
    check_eq('%s path (unbound)' % cn, None, co['path'])
    check_eq('%s local (unbound)' % cn, None, co['local'])
    check_eq('%s remote (the server\'s path)' % cn, path, co['remote'])
    check_eq('%s writers' % cn, [(c['pid'], c['fd'], c['sendto_bytes'], c['sendto'])], ends(co['writers']))
    check_eq('%s readers' % cn, [(c['pid'], c['fd'], c['recvfrom_bytes'], c['recvfrom'])],
             ends(co['readers']))
    check_eq('%s: client sent vs server received' % cn, co['bytes_written'], ao['bytes_read'])
    check_eq('%s: server sent vs client received' % cn, ao['bytes_written'], co['bytes_read'])
    passed('%s (server fd %d) <-> %s (client %d fd %d): %d bytes each way'
           % (an, a['fd'], cn, c['pid'], c['fd'], c['sendto_bytes']))
check_eq('diagnoses', [], t.diagnoses)
done()
