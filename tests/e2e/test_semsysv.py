#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A System V semaphore set: `semsysv 25` (a producer and a consumer over a
set of two semaphores, #0 the items and #1 the free slots, every up +1)
traced with --pipes. The events count, per process, the successful semops,
the EAGAIN of an IPC_NOWAIT down, and per semaphore the operations, the
units added and taken, as each process counted them; semget has the key
and size, semctl its commands with SETALL's values and SETVAL's value. The
consumer's first down blocked until the producer had slept 200 ms: its
duration is within 20% of what the consumer measured itself. The graph has
the one set, sem:ID, with its key and size, its holders and the units each
posted and took, each semaphore's operations and blocked time, and its
removal (IPC_RMID): no leaked_ipc."""

from common import check, check_clean_exit, check_count, check_eq, covers, done, example, passed, \
    select_events, trace
from pipecommon import check_objects, PIPES

covers('semget', 'semop', 'semtimedop', 'semctl')

N = 25

t = trace([example('semsysv'), str(N)], opts=PIPES)
check_clean_exit(t, 0)
rep = t.report
check(rep is not None, 'semsysv wrote no report')
ev = t.events
name = 'sem:%d' % rep['id']
prod, cons = rep['producer'], rep['consumer']

get = select_events(ev, type='semget', pid=prod['pid'])
check_count('semget calls', 1, get)
check_eq('semget (object, kind, key, nsems, ret)', (name, 'sem', '0x%x' % rep['key'], rep['nsems'], rep['id']),
         (get[0].get('object'), get[0].get('kind'), get[0].get('key'), get[0].get('nsems'), get[0]['ret']))
check_eq('semget flags', ['IPC_CREAT', 'IPC_EXCL'], get[0].get('flags'))
ctl = select_events(ev, type='semctl', pid=prod['pid'])
check_count('semctl calls', rep['semctls'], select_events(ev, type='semctl'))
check_eq('semctl commands', ['SETALL', 'SETVAL', 'GETVAL', 'IPC_RMID'], [e['cmd'] for e in ctl])
check_eq('SETALL values', rep['init'], ctl[0].get('values'))
check_eq('SETVAL (semnum, value)', (0, 0), (ctl[1]['semnum'], ctl[1].get('value')))
check(all(e['object'] == name and e['kind'] == 'sem' and e['ret'] == 0 for e in ctl), 'semctl events: %r' % ctl)

# glibc's semop is the semtimedop call; the program makes the semop call itself once.
for role, x in (('producer', prod), ('consumer', cons)):
    check_count('%s: semop calls' % role, x['semop_calls'], select_events(ev, type='semop', pid=x['pid']))
    calls = select_events(ev, type='semtimedop', pid=x['pid']) + select_events(ev, type='semop', pid=x['pid'])
    ok = [e for e in calls if e['ret'] == 0]
    check_count('%s: semops' % role, x['calls'], ok)
    check_eq('%s: EAGAIN' % role, x['eagain'], len([e for e in calls if e.get('errno') == 'EAGAIN']))
    check_eq('%s: failures other than EAGAIN' % role, [], [e for e in calls if e['ret'] not in (0, -11)])
    ops, ups, downs = [0, 0], [0, 0], [0, 0]
    for e in ok:
        check_eq('%s %s: object' % (role, e['type']), (name, 'sem'), (e.get('object'), e.get('kind')))
        check_eq('%s %s: operations carried' % (role, e['type']), e['nsops'], len(e['ops']))
        for o in e['ops']:
            ops[o['sem_num']] += 1
            if o['sem_op'] > 0:
                ups[o['sem_num']] += o['sem_op']
            else:
                downs[o['sem_num']] -= o['sem_op']
    check_eq('%s: operations per semaphore' % role, x['ops'], ops)
    check_eq('%s: units added per semaphore' % role, x['ups'], ups)
    check_eq('%s: units taken per semaphore' % role, x['downs'], downs)
nowait = [e for e in select_events(ev, type='semtimedop', pid=cons['pid']) if e['ret'] < 0]
check_eq('the failed down\'s operations', [{'sem_num': 0, 'sem_op': -1, 'flags': ['IPC_NOWAIT']}], nowait[0]['ops'])
# The consumer's first successful call is the down that waited for the producer.
first = [e for e in select_events(ev, type='semtimedop', pid=cons['pid']) if e['ret'] == 0][0]
check_eq('the blocking down\'s operations', [{'sem_num': 0, 'sem_op': -1, 'flags': []}], first['ops'])
ratio = first['duration_ns'] / rep['blocked_ns']
check(0.8 <= ratio <= 1.2, 'the blocking down lasted %d ns, the consumer measured %d ns (ratio %.3f)'
      % (first['duration_ns'], rep['blocked_ns'], ratio))
passed('producer %d and consumer %d: %d items, semops, operations per semaphore and EAGAIN as counted; '
       'the blocking down %.1f ms (the program: %.1f ms)' % (prod['pid'], cons['pid'], N, first['duration_ns'] / 1e6,
                                                           rep['blocked_ns'] / 1e6))

graph = check_objects(t)
sets = {n: o for n, o in graph.items() if o['kind'] == 'sem'}
check_eq('semaphore sets in the graph', [name], sorted(sets))
o = sets[name]
check_eq('id, key, nsems', (rep['id'], rep['key'], rep['nsems']), (o['id'], o['key'], o['nsems']))
check_eq('semop calls', prod['calls'] + cons['calls'], o['semops'])
check_eq('operations not counted', 0, o['unseen_ops'])
check_eq('EAGAIN', prod['eagain'] + cons['eagain'], o['eagain'])
# Every up is +1: a holder's posting operations are its units added; the rest of its operations take.
by_pid = lambda lst: {w['pid']: (w['calls'], w['bytes']) for w in lst}
check_eq('posters (ops, units)', {x['pid']: (sum(x['ups']), sum(x['ups'])) for x in (prod, cons)},
         by_pid(o['writers']))
check_eq('takers (ops, units)', {x['pid']: (sum(x['ops']) - sum(x['ups']), sum(x['downs'])) for x in (prod, cons)},
         by_pid(o['readers']))
check_eq('holders', sorted([prod['pid'], cons['pid']]), sorted(h['pid'] for h in o['holders']))
nums = {n['sem_num']: n for n in o['semaphores']}
for i in (0, 1):
    check_eq('#%d (ops, ups, downs)' % i, (prod['ops'][i] + cons['ops'][i], prod['ups'][i] + cons['ups'][i],
                                          prod['downs'][i] + cons['downs'][i]),
             (nums[i]['ops'], nums[i]['ups'], nums[i]['downs']))
    # Its waits: the taking operations (and waits for zero), none of them with IPC_NOWAIT once it succeeded.
    check_eq('#%d waits' % i, nums[i]['ops'] - nums[i]['ups'], nums[i]['waits'])
check(nums[0]['blocked_max_ns'] == first['duration_ns'],
      '#0: longest wait %d ns, not the blocking down\'s %d ns' % (nums[0]['blocked_max_ns'], first['duration_ns']))
check(o['removed_ns'] is not None, 'not removed')
check_eq('leaked_ipc diagnoses', [], [d for d in t.diagnoses if d['kind'] == 'leaked_ipc'])
passed('graph: %s, key 0x%x, 2 semaphores, each holder\'s units posted and taken, blocked time, removed'
       % (name, rep['key']))
done()
