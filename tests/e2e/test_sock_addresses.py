#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`addrs 5`: where connect, sendto and sendmsg went. UDP datagrams sent
with sendto (5) and sendmsg (1) to a socket on 127.0.0.1, a connect to an
abstract AF_UNIX name, and one to a path where nothing listens (ENOENT).
Each such call is followed by an `object` event whose `address` is the one
the program gave (its report), failed calls too; sends without an address
(recv, the bind) have none. In text, the object line says where the call
went (`connect @name`, `sendto 127.0.0.1:PORT`) and does not name the
socket again. A listen without a bind tells the port it bound."""

import re

from common import check_clean_exit, check_eq, done, example, next_of, one, passed, select_events, trace
from textcommon import run_reported

N = 5

t = trace([example('addrs'), str(N)], to_files=True)
ev, rep = t.events, t.report
check_clean_exit(t, 0)
udp, abstract, missing = rep['udp'], rep['abstract'], rep['missing']
sock = lambda x: 'socket:[%d]' % x['inode']

addrs = select_events(ev, type='object', address=tuple({udp['address'], abstract['address'],
                                                        missing['address']}))
check_eq('object events with an address (sendto, sendmsg, 2 connects)', N + 1 + 2, len(addrs))
check_eq('every object event with an address', len(addrs), len([e for e in ev if 'address' in e]))
calls = {}
for e in addrs:
    c = [x for x in ev[:ev.index(e)] if x['tid'] == e['tid']][-1]
    check_eq('the call before the address event of %s (fd, object)' % e['address'], (e['fd'], e['object']),
             (c['fd'], c['object']))
    calls[id(e)] = c
sent = [calls[id(e)]['type'] for e in addrs if e['address'] == udp['address']]
check_eq('UDP: the calls that sent to %s' % udp['address'], ['sendto'] * udp['sendto'] + ['sendmsg'], sent)
check_eq('UDP: sender (fd, object, family)', {(udp['fd'], sock(udp), 'AF_INET')},
         {(e['fd'], e['object'], e['family']) for e in addrs if e['address'] == udp['address']})
check_eq('sendto calls (events vs report)', udp['sendto'], len(select_events(ev, type='sendto', fd=udp['fd'])))
passed('%d sendto and 1 sendmsg to %s, each with its address' % (N, udp['address']))

for what, x, ret in (('abstract', abstract, 0), ('missing', missing, -missing['errno'])):
    c = one(select_events(ev, type='connect', fd=x['fd']), 'connect of fd %d' % x['fd'])
    check_eq('%s connect (object, ret)' % what, (sock(x), ret), (c['object'], c['ret']))
    a = next_of(ev, c)
    check_eq('%s connect: the event after it (type, family, address)' % what,
             ('object', 'AF_UNIX', x['address']), (a['type'], a.get('family'), a.get('address')))
    passed('connect fd %d %s = %d' % (x['fd'], x['address'], ret))

# A listen that bound the socket (no bind before it) tells the port it took.
lsn = one(select_events(ev, type='listen', fd=rep['listen']['fd']), 'listen')
o = next_of(ev, lsn)
check_eq('the event after listen (type, local)', ('object', '0.0.0.0:%d' % rep['listen']['port']),
         (o['type'], o.get('local')))
passed('listen without bind: object local %s' % o['local'])

r = run_reported(['run', '--', example('addrs'), str(N)])
check_eq('text run status', 0, r.returncode)
rep = r.report
lines = r.stdout.splitlines()
# One process: its lines come in order.
for x in (rep['abstract'], rep['missing']):
    i = next(i for i, l in enumerate(lines) if re.search(r'\bconnect +fd=%d ' % x['fd'], l))
    check_eq('text: the line after connect fd=%d' % x['fd'], ['object', 'connect', x['address']],
             lines[i + 1].split()[2:])
objs = [l for l in lines if l.split()[2:3] == ['object']]
check_eq('text: object lines that name a socket again', [], [l for l in objs if 'socket:[' in l and
                                                            'fd=' in l])
check_eq('text: address lines of UDP', ['sendto'] * N + ['sendmsg'],
         [l.split()[3] for l in objs if l.endswith(' ' + rep['udp']['address'])])
passed('text: each connect and send followed by "object CALL ADDRESS", the socket named once')
done()
