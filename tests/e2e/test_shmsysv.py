#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""System V shared memory: `shmsysv 16` (a producer makes a keyed segment and a private
one, attaches both and forks a consumer, which inherits both, attaches the first once
more read-only, detaches that and the inherited private one, and exits; the producer
removes the first while attached, then detaches both and removes the second) traced with
--pipes. The events have each process's shmat and shmdt calls as it counted them, shmget
with the key, size and id, shmctl with IPC_STAT's size. The graph has the two segments,
shm:ID, with their keys and sizes, each holder's attaches and detaches (the consumer a
holder of both from the fork), their removal and when the kernel freed them (at the last
detach after IPC_RMID); no leaked_ipc."""

from common import check, check_clean_exit, check_count, check_eq, covers, done, example, passed, \
    select_events, trace
from pipecommon import check_objects, PIPES

covers('shmget', 'shmat', 'shmdt', 'shmctl')

N = 16

t = trace([example('shmsysv'), str(N)], opts=PIPES)
check_clean_exit(t, 0)
rep = t.report
check(rep is not None, 'shmsysv wrote no report')
ev = t.events
prod, cons = rep['producer'], rep['consumer']
data, priv = rep['segments']
names = ['shm:%d' % s['id'] for s in rep['segments']]

get = select_events(ev, type='shmget', pid=prod['pid'])
check_count('shmget calls', 2, get)
check_eq('shmget (object, kind, key, size, bytes, ret)',
         [(n, 'shm', '0x%x' % s['key'], s['size'], s['size'], s['id']) for n, s in zip(names, (data, priv))],
         [(e.get('object'), e.get('kind'), e.get('key'), e.get('size'), e.get('bytes'), e['ret']) for e in get])
check_eq('shmget flags', [['IPC_CREAT', 'IPC_EXCL'], []], [e.get('flags') for e in get])

for role, x in (('producer', prod), ('consumer', cons)):
    at = select_events(ev, type='shmat', pid=x['pid'])
    check_count('%s: shmat calls' % role, x['attaches'], at)
    dt = select_events(ev, type='shmdt', pid=x['pid'])
    check_count('%s: shmdt calls' % role, x['detaches'], dt)
    check_eq('%s: shmdt results' % role, [0] * x['detaches'], [e['ret'] for e in dt])
    check(all(e.get('kind') == 'shm' and e.get('object') in names for e in dt),
          '%s: a shmdt without the segment it detached: %r' % (role, dt))
    check_eq('%s: detached addresses are attached ones' % role, [],
             [e['addr'] for e in dt if e['addr'] not in {a['addr'] for a in
                                                         select_events(ev, type='shmat', pid=prod['pid']) + at}])
at = select_events(ev, type='shmat')
check_eq('shmat objects, in order', [names[0], names[1], names[0]], [e.get('object') for e in at])
check_eq('shmat flags', [[], [], ['SHM_RDONLY']], [e.get('flags') for e in at])
ctl = select_events(ev, type='shmctl')
check_count('shmctl calls', rep['shmctl_calls'], ctl)
# Each detach names what was attached at its address: the producer's both, the consumer's own
# read-only one of the first, then the private one it inherited.
check_eq('shmdt objects, in order', [names[0], names[1], names[0], names[1]],
         [e['object'] for e in select_events(ev, type='shmdt', pid=cons['pid']) +
          select_events(ev, type='shmdt', pid=prod['pid'])])
check_eq('shmctl (object, cmd)', [(names[0], 'IPC_STAT'), (names[0], 'IPC_RMID'), (names[1], 'IPC_RMID')],
         [(e.get('object'), e.get('cmd')) for e in ctl])
check_eq('IPC_STAT size and attached', (data['size'], 1), (ctl[0].get('bytes'), ctl[0].get('attached')))
passed('producer %d and consumer %d: shmget, shmat, shmdt and shmctl as counted' % (prod['pid'], cons['pid']))

graph = check_objects(t)
segs = {n: o for n, o in graph.items() if o['kind'] == 'shm'}
check_eq('segments in the graph', sorted(names), sorted(segs))
d, p = segs[names[0]], segs[names[1]]
check_eq('keyed segment (id, key, size)', (data['id'], data['key'], data['size']), (d['id'], d['key'], d['size']))
check_eq('private segment (id, key, size)', (priv['id'], 0, priv['size']), (p['id'], p['key'], p['size']))
per = lambda o: {h['pid']: (h['attaches'], h['detaches'], h['attached']) for h in o['holders']}
# The keyed one: the producer attached and detached it once; the consumer inherited it, attached
# it once more and detached that one (the inherited one went at its exit).
check_eq('keyed segment: holders (attaches, detaches, attached at the end)',
         {prod['pid']: (1, 1, 0), cons['pid']: (cons['attaches'], 1, 0)}, per(d))
# The private one: the consumer's only attachment is the one it inherited, and detached.
check_eq('private segment: holders (attaches, detaches, attached at the end)',
         {prod['pid']: (1, 1, 0), cons['pid']: (0, 1, 0)}, per(p))
check_eq('attaches, detaches in all', (prod['attaches'] + cons['attaches'], prod['detaches'] + cons['detaches']),
         (d['attaches'] + p['attaches'], d['detaches'] + p['detaches']))
for o in (d, p):
    check(o['removed_ns'] is not None and o['destroyed_ns'] is not None,
          '%s: removed_ns %r, destroyed_ns %r' % (o['object'], o['removed_ns'], o['destroyed_ns']))
    check(all(h['closed_ns'] is not None and h['attached_ns'] is not None for h in o['holders']),
          '%s: a holder without its attach or detach time: %r' % (o['object'], o['holders']))
# Removed while the producer had it attached: freed at its detach, after the removal.
check(d['destroyed_ns'] > d['removed_ns'], 'keyed segment freed at %d, removed at %d'
      % (d['destroyed_ns'], d['removed_ns']))
check_eq('keyed segment freed at the producer\'s detach',
         [h['closed_ns'] for h in d['holders'] if h['pid'] == prod['pid']], [d['destroyed_ns']])
check_eq('leaked_ipc diagnoses', [], [x for x in t.diagnoses if x['kind'] == 'leaked_ipc'])
passed('graph: %s (key 0x%x, %d bytes) and %s (%d bytes), holders with their attaches and detaches, '
       'removed and freed' % (names[0], data['key'], data['size'], names[1], priv['size']))
done()
