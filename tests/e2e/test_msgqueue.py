#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A System V message queue: `msgqueue 12` (a producer sends requests of
mtypes 21..23; the consumer takes them by mtype 22, by -21, then by 0, and
answers each, which the producer takes by -3) traced with --pipes. The
events count, per process, the messages and bytes each way, with each
message's mtype, and ENOMSG and E2BIG, as each process counted them; msgget
has the key, msgctl its commands. The graph has the one queue, msq:ID, with
its key, its holders and their messages each way, every message's time in
the queue, and its removal (IPC_RMID)."""

from common import check, check_clean_exit, check_count, check_eq, covers, done, example, passed, \
    select_events, trace
from pipecommon import check_objects, PIPES

covers('msgget', 'msgsnd', 'msgrcv', 'msgctl')

N = 12

t = trace([example('msgqueue'), str(N)], opts=PIPES)
check_clean_exit(t, 0)
rep = t.report
check(rep is not None, 'msgqueue wrote no report')
ev = t.events
name = 'msq:%d' % rep['id']
prod, cons = rep['producer'], rep['consumer']

get = select_events(ev, type='msgget', pid=prod['pid'])
check_count('msgget calls', 1, get)
check_eq('msgget (object, kind, key, ret)', (name, 'msgq', '0x%x' % rep['key'], rep['id']),
         (get[0].get('object'), get[0].get('kind'), get[0].get('key'), get[0]['ret']))
check_eq('msgget flags', ['IPC_CREAT', 'IPC_EXCL'], get[0].get('flags'))

for role, x in (('producer', prod), ('consumer', cons)):
    snd = [e for e in select_events(ev, type='msgsnd', pid=x['pid']) if e['ret'] == 0]
    check_count('%s: messages sent' % role, x['sent'], snd)
    check_eq('%s: bytes sent' % role, x['bytes_sent'], sum(e['bytes'] for e in snd))
    rcv = select_events(ev, type='msgrcv', pid=x['pid'])
    ok = [e for e in rcv if e['ret'] >= 0]
    check_count('%s: messages received' % role, x['received'], ok)
    check_eq('%s: bytes received' % role, x['bytes_received'], sum(e['bytes'] for e in ok))
    check_eq('%s: ENOMSG without IPC_NOWAIT in a loop' % role, x['enomsg'],
             len([e for e in rcv if e.get('errno') == 'ENOMSG' and e['msgtyp'] == 0 and e is rcv[0]]))
    check_eq('%s: E2BIG' % role, x['e2big'], len([e for e in rcv if e.get('errno') == 'E2BIG']))
    for e in snd + ok:
        check_eq('%s %s: object' % (role, e['type']), name, e.get('object'))
        check('mtype' in e, '%s %s without its mtype: %r' % (role, e['type'], e))
# What the mtypes asked for took what msgrcv(2) says.
for e in select_events(ev, type='msgrcv', pid=cons['pid']):
    if e['ret'] >= 0:
        want = e['msgtyp']
        check(e['mtype'] == want if want > 0 else (e['mtype'] <= -want if want < 0 else True),
              'msgrcv msgtyp %d took mtype %d' % (want, e['mtype']))
sent = [e['mtype'] for e in select_events(ev, type='msgsnd', pid=prod['pid'])]
check_eq('requests\' mtypes', [21 + i % 3 for i in range(N)], sent)
cmds = [e['cmd'] for e in select_events(ev, type='msgctl')]
check_eq('msgctl commands, the last one IPC_RMID', ['IPC_SET', 'IPC_STAT', 'IPC_STAT', 'IPC_RMID'],
         sorted(cmds[:-1]) + cmds[-1:])
check_count('msgctl calls', 4, select_events(ev, type='msgctl'))
passed('producer %d and consumer %d: %d messages each way, bytes, mtypes, ENOMSG and E2BIG as counted'
       % (prod['pid'], cons['pid'], N))

graph = check_objects(t)
queues = {n: o for n, o in graph.items() if o['kind'] == 'msgq'}
check_eq('queues in the graph', [name], sorted(queues))
o = queues[name]
check_eq('id, key', (rep['id'], rep['key']), (o['id'], o['key']))
by_pid = lambda lst: {w['pid']: (w['calls'], w['bytes']) for w in lst}
check_eq('writers (calls, bytes)', {prod['pid']: (prod['sent'], prod['bytes_sent']),
                                    cons['pid']: (cons['sent'], cons['bytes_sent'])}, by_pid(o['writers']))
check_eq('readers (calls, bytes)', {prod['pid']: (prod['received'], prod['bytes_received']),
                                    cons['pid']: (cons['received'], cons['bytes_received'])}, by_pid(o['readers']))
check_eq('holders', sorted([prod['pid'], cons['pid']]), sorted(h['pid'] for h in o['holders']))
check_eq('messages with a queue time', 2 * N, o['queue_time']['messages'])
check_eq('left in the queue', 0, o['in_queue'])
check_eq('ENOMSG counted as eagain', prod['enomsg'] + cons['enomsg'] + 3, o['eagain'])
check_eq('E2BIG counted as emsgsize', cons['e2big'], o['emsgsize'])
check(o['removed_ns'] is not None, 'not removed')
check_eq('leaked_ipc diagnoses', [], [d for d in t.diagnoses if d['kind'] == 'leaked_ipc'])
passed('graph: %s, key 0x%x, %d messages each way, each with its time in the queue, removed'
       % (name, rep['key'], N))
done()
