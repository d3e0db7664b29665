#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""POSIX shared memory and a shared anonymous mapping: `shmposix 16` (a producer makes
/ipctrace-shmposix-PID with shm_open, sizes it with ftruncate, maps it and maps shared
anonymous memory, and forks a consumer, which inherits both, opens and maps the object once
more read-only, and unmaps its two mappings of it; the producer then unmaps both and
shm_unlinks the name, and makes a second object that it removes with unlinkat) traced
with --pipes. The events have each process's shm_open (an
openat of /dev/shm/NAME, with its object event), mmap and munmap calls as it counted them,
ftruncate's size, the unlink and unlinkat; no mmap or munmap of anything else (the C library maps its
own files privately). The graph has three shared memory objects: shm:/NAME with its size, the
mappings and unmappings of each process, its removal and freeing; shm:anon:PID:ADDR with
its size, the consumer a holder from the fork; the second one, removed and freed."""

from common import check, check_clean_exit, check_count, check_eq, covers, done, example, passed, \
    select_events, trace
from pipecommon import check_objects, PIPES

covers('mmap', 'munmap', 'ftruncate', 'unlink', 'unlinkat')

N = 16

t = trace([example('shmposix'), str(N)], opts=PIPES)
check_clean_exit(t, 0)
rep = t.report
check(rep is not None, 'shmposix wrote no report')
ev = t.events
prod, cons = rep['producer'], rep['consumer']
path = '/dev/shm' + rep['name']

for role, x in (('producer', prod), ('consumer', cons)):
    opens = [e for e in select_events(ev, type='openat', pid=x['pid']) if e.get('kind') == 'shm']
    check_count('%s: shm_open calls (openat of /dev/shm)' % role, x['opens'], opens)
    names = [e for e in select_events(ev, type='object', pid=x['pid']) if e.get('kind') == 'shm' and e['fd'] >= 0]
    check_eq('%s: the object events name the path' % role,
             [path, '/dev/shm' + rep['second']] if x is prod else [path], [e['path'] for e in names])
    check_eq('%s: ... and the object opened' % role, [e['object'] for e in opens], [e['object'] for e in names])
    check_count('%s: mmap calls' % role, x['maps'], select_events(ev, type='mmap', pid=x['pid']))
    check_count('%s: munmap calls' % role, x['unmaps'], select_events(ev, type='munmap', pid=x['pid']))
opens = [e for e in select_events(ev, type='openat') if e.get('kind') == 'shm']
obj, second = opens[0]['object'], opens[-1]['object']
tr = select_events(ev, type='ftruncate', pid=prod['pid'])
check_count('ftruncate calls', 1, tr)
check_eq('ftruncate (object, size)', (obj, rep['size']), (tr[0].get('object'), tr[0].get('bytes')))
maps = select_events(ev, type='mmap')
check_eq('mmap (pid, object, length)',
         [(prod['pid'], obj, rep['size']), (prod['pid'], 'shm:anon', rep['anon_size']),
          (cons['pid'], obj, rep['size'])],
         [(e['pid'], e.get('object'), e['bytes']) for e in maps])
check_eq('mmap kinds', ['shm'] * 3, [e.get('kind') for e in maps])
check_eq('mmap of the anonymous memory: where', rep['anon_addr'], maps[1]['addr'])
# The named object's unmaps name it; the anonymous mapping's, nothing but its kind.
check_eq('munmap objects', {prod['pid']: [None, obj], cons['pid']: [obj, obj]},
         {x['pid']: [e.get('object') for e in select_events(ev, type='munmap', pid=x['pid'])] for x in (prod, cons)})
check_eq('munmap kinds', ['shm'] * (prod['unmaps'] + cons['unmaps']), [e.get('kind') for e in select_events(ev, type='munmap')])
check_eq('munmap lengths, as mapped', [(e['bytes'], e['bytes']) for e in select_events(ev, type='munmap')],
         [(e['bytes'], e['mapped']) for e in select_events(ev, type='munmap')])
unl = select_events(ev, type='unlink', pid=prod['pid'])
check_count('unlink calls (shm_unlink)', 1, unl)
check_eq('unlink: (kind, ret)', ('shm', 0), (unl[0].get('kind'), unl[0]['ret']))
unl2 = select_events(ev, type='unlinkat', pid=prod['pid'])
check_count('unlinkat calls', 1, unl2)
check_eq('unlinkat: (kind, ret)', ('shm', 0), (unl2[0].get('kind'), unl2[0]['ret']))
check_eq('the unlinks\' object events', [path, '/dev/shm' + rep['second']],
         [e['path'] for e in select_events(ev, type='object', pid=prod['pid']) if e.get('kind') == 'shm' and e['fd'] == -1])
passed('producer %d and consumer %d: shm_open, ftruncate, mmap, munmap and shm_unlink as counted'
       % (prod['pid'], cons['pid']))

graph = check_objects(t)
shm = {n: o for n, o in graph.items() if o['kind'] == 'shm'}
named, anon = 'shm:' + rep['name'], 'shm:anon:%d:%s' % (prod['pid'], rep['anon_addr'])
check_eq('shared memory objects in the graph', sorted([named, anon, 'shm:' + rep['second']]), sorted(shm))
o, a, o2 = shm[named], shm[anon], shm['shm:' + rep['second']]


def per_pid(o):
    """{pid: [attaches, detaches, mapped at the end]} over its mapping holders (fd null)."""
    out = {}
    for h in o['holders']:
        if h['fd'] is None:
            acc = out.setdefault(h['pid'], [0, 0, 0])
            for i, f in enumerate(('attaches', 'detaches', 'attached')):
                acc[i] += h[f]
    return out


check_eq('%s: path, size, inode' % named, (rep['name'], rep['size'], int(obj[len('shm:['):-1])),
         (o['path'], o['size'], o['inode']))
# The consumer's second unmap is of the mapping it inherited.
check_eq('%s: mappings per process (maps, unmaps, mapped at the end)' % named,
         {prod['pid']: [1, 1, 0], cons['pid']: [cons['maps'], cons['unmaps'], 0]}, per_pid(o))
check_eq('%s: descriptors (pid, fd) that held it' % named,
         sorted((e['pid'], e['fd']) for e in select_events(ev, type='openat') if e.get('object') == obj),
         sorted((h['pid'], h['fd']) for h in o['holders'] if h['fd'] is not None))
check(o['removed_ns'] is not None and o['destroyed_ns'] == o['removed_ns'],
      '%s: removed at %r, freed at %r (at the unlink: nothing mapped or open then)'
      % (named, o['removed_ns'], o['destroyed_ns']))
check_eq('%s: (inode, size, removed)' % anon, (None, rep['anon_size'], None), (a['inode'], a['size'], a['removed_ns']))
# The consumer inherited the anonymous mapping and exited with it.
check_eq('%s: mappings per process (maps, unmaps, mapped at the end)' % anon,
         {prod['pid']: [1, 1, 0], cons['pid']: [0, 0, 0]}, per_pid(a))
check(a['destroyed_ns'] is not None, '%s: not freed' % anon)
check_eq('second object: (inode, attaches, removed = freed)', (int(second[len('shm:['):-1]), 0, True),
         (o2['inode'], o2['attaches'], o2['removed_ns'] is not None and o2['destroyed_ns'] == o2['removed_ns']))
check_eq('maps, unmaps in all', (prod['maps'] + cons['maps'], prod['unmaps'] + cons['unmaps']),
         (o['attaches'] + a['attaches'], o['detaches'] + a['detaches']))
check_eq('leaked_ipc diagnoses', [], [x for x in t.diagnoses if x['kind'] == 'leaked_ipc'])
passed('graph: %s (%d bytes) and %s (%d bytes), each process\'s mappings, removed and freed'
       % (named, rep['size'], anon, rep['anon_size']))
done()
