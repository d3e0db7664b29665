#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""POSIX semaphores: `semposix` (a named semaphore made with sem_open, an unnamed one with
sem_init pshared=1 in shared anonymous memory; a first child unmaps both and exits, which
hides nothing from the others; a second child posts each once with nobody waiting, then
once after the parent has slept 200 ms in sem_wait) traced with --pipes. Only the waits
that slept and the posts that woke a sleeper are futex calls: the trace has exactly the ones
the program counted (its sem_trywait said EAGAIN before each sem_wait that slept), none of
the futex calls of its own handshake (a memfd's memory); each wait's duration is within 20%
of the time the parent measured. sem_open's link of its file in place, and linkat for the
second semaphore that the program makes by hand, name the objects: the graph has
sem:/NAME and sem:/NAME-b (kind sem), both removed, and the anonymous mapping with its
semaphore's wait and wake; both processes hold each mapping. `semposix leak` leaves the named
one behind: one leaked_ipc, with `rm /dev/shm/sem.NAME`, which the test then runs.
`semposix deadlock`, traced live: a parent and a child each asleep in sem_wait on the
semaphore that only the other would post after it get one deadlock diagnosis naming both,
their futex calls and the two semaphores (and the two left behind, which the test removes)."""

import os

from common import check, check_clean_exit, check_count, check_eq, covers, done, example, passed, \
    select_events, trace
from diagcommon import diagnoses_of, roles, trace_hang
from pipecommon import check_diagnosis_shape, check_objects, PIPES

covers('futex', 'link', 'linkat')

WAITS = ('FUTEX_WAIT', 'FUTEX_WAIT_BITSET')


def within(what, expected_ns, got_ns):
    check(abs(got_ns - expected_ns) <= expected_ns * 0.2,
          '%s: %.1f ms, not within 20%% of the %.1f ms the program measured' % (what, got_ns / 1e6, expected_ns / 1e6))


t = trace([example('semposix')], opts=PIPES)
check_clean_exit(t, 0)
rep = t.report
check(rep is not None, 'semposix wrote no report')
ev = t.events
parent, child = rep['parent'], rep['child']
futex = select_events(ev, type='futex')
opens = [e for e in select_events(ev, type='openat', pid=parent) if e.get('kind') == 'shm']
check_count('openat of a file under /dev/shm (sem_open\'s, then the program\'s)', 2, opens)
ino_obj = 'sem:' + opens[0]['object'][len('shm:'):]
for side, obj in (('named', ino_obj), ('unnamed', 'sem:anon')):
    x = rep[side]
    waits = [e for e in select_events(futex, pid=parent, object=obj) if e['op'] in WAITS]
    wakes = select_events(futex, pid=child, object=obj, op='FUTEX_WAKE')
    check_count('%s: futex waits of the parent (sem_waits that slept)' % side, x['slept'], waits)
    check_count('%s: futex wakes of the child (sem_posts that woke it)' % side, x['woke'], wakes)
    check_eq('%s: woken by each wake' % side, [1] * x['woke'], [e['woken'] for e in wakes])
    check_eq('%s: kinds' % side, ['sem'] * (x['slept'] + x['woke']), [e['kind'] for e in waits + wakes])
    within('%s: the wait\'s duration' % side, x['blocked_ns'], waits[0]['duration_ns'])
    passed('%s: %d wait of %.1f ms (the program: %.1f ms), %d wake'
           % (side, len(waits), waits[0]['duration_ns'] / 1e6, x['blocked_ns'] / 1e6, len(wakes)))
check_count('futex calls in all (the handshake\'s on a memfd are not recorded)',
            sum(rep[s]['slept'] + rep[s]['woke'] for s in ('named', 'unnamed')), futex)
unmaps = select_events(ev, type='munmap', pid=rep['closer'])
check_count('the first child\'s munmap calls (sem_close, munmap)', 2, unmaps)
check_eq('... of the named one\'s file, then of the anonymous memory', [opens[0]['object'], None],
         [e.get('object') for e in unmaps])
check_eq('where the unnamed one waited', rep['anon_addr'],
         [e['addr'] for e in futex if e['object'] == 'sem:anon'][0])

names = [e for e in select_events(ev, type='object', pid=parent) if e.get('kind') == 'shm']
links = select_events(ev, type=('link', 'linkat'), pid=parent)
check_count('link calls (sem_open)', 1, [e for e in links if e['type'] == 'link'])
check_count('linkat calls (by hand)', 1, [e for e in links if e['type'] == 'linkat'])
check_eq('the links\' new names (object events, fd -2)',
         ['/dev/shm/sem.' + rep['name'][1:], '/dev/shm/sem.' + rep['alias'][1:]],
         [e['path'] for e in names if e['fd'] == -2])
# Each link's old (temporary) name is unlinked right after it; then sem_unlink of each name.
unlinked = [e['path'] for e in names if e['fd'] == -1]
check_eq('unlinks (object events, fd -1)', 4, len(unlinked))
check_eq('the links\' old names (fd -3), unlinked after', [unlinked[0], unlinked[2]],
         [e['path'] for e in names if e['fd'] == -3])
check_eq('sem_unlink\'s paths', ['/dev/shm/sem.' + rep['name'][1:], '/dev/shm/sem.' + rep['alias'][1:]],
         [unlinked[1], unlinked[3]])
passed('sem_open\'s link and the program\'s linkat under /dev/shm, with their names')

graph = check_objects(t)
named, alias = 'sem:' + rep['name'], 'sem:' + rep['alias']
anon = 'shm:anon:%d:%s' % (parent, rep['anon_addr'])
check_eq('POSIX semaphore objects', sorted([named, alias]), sorted(n for n, o in graph.items() if o['kind'] == 'sem'))
o, a = graph[named], graph[anon]
check_eq('%s: path, inode' % named, ('/sem.' + rep['name'][1:], int(ino_obj[len('sem:['):-1])), (o['path'], o['inode']))
for name, g, x in ((named, o, rep['named']), (anon, a, rep['unnamed'])):
    check_eq('%s: (waits, wakes, woken)' % name, (x['slept'], x['woke'], x['woke']),
             (g['sem_waits'], g['sem_wakes'], g['sem_woken']))
    within('%s: blocked time' % name, x['blocked_ns'], g['sem_blocked_ns'])
    check_eq('%s: blocked max = total (one wait)' % name, g['sem_blocked_ns'], g['sem_blocked_max_ns'])
    check_eq('%s: the processes that held it mapped' % name, sorted([parent, rep['closer'], child]),
             sorted({h['pid'] for h in g['holders'] if h['fd'] is None}))
check(o['removed_ns'] is not None and graph[alias]['removed_ns'] is not None, 'a named semaphore was not removed')
check_eq('leaked_ipc diagnoses', [], [x for x in t.diagnoses if x['kind'] == 'leaked_ipc'])
passed('graph: %s and %s (kind sem) and %s, their waits, wakes and holders' % (named, alias, anon))

t = trace([example('semposix'), 'leak'], opts=PIPES)
rep = t.report
check(rep is not None, 'semposix leak wrote no report')
removed = None
try:
    name, cmd = 'sem:' + rep['name'], 'rm /dev/shm/sem.' + rep['name'][1:]
    leaks = [d for d in t.diagnoses if d['kind'] == 'leaked_ipc']
    check_eq('leaked_ipc diagnoses', [name], [d['object'] for d in leaks])
    check_diagnosis_shape(leaks[0])
    check_eq('(creator, command)', (rep['parent'], cmd), (leaks[0]['pid'], leaks[0]['command']))
    check('sem_unlink' in leaks[0]['message'], 'the message does not say sem_unlink: %r' % leaks[0]['message'])
    passed('one leaked_ipc diagnosis: %s, with `%s`' % (name, cmd))
finally:
    if rep:
        os.unlink('/dev/shm/sem.' + rep['name'][1:])
        removed = True
check_eq('the named semaphore was left behind (rm succeeded)', True, removed)

# Each waits on the semaphore that only the other would post after it.
t, states = trace_hang([example('semposix'), 'deadlock'], 'deadlock', lambda r: [r['parent'], r['child']])
rep = t.report
try:
    parent, child = rep['parent'], rep['child']
    a, b = ('sem:' + n for n in rep['names'])
    check_eq('deadlock: states when the diagnosis came (asleep)', {parent: 'S', child: 'S'}, states)
    ds = diagnoses_of(t, 'deadlock')
    check_eq('deadlock diagnoses', 1, len(ds))
    d = ds[0]
    check_eq('deadlock: processes and roles', {parent: 'member', child: 'member'}, roles(d))
    check_eq('deadlock: members (call, fd, object, who could wake it)',
             {parent: ('futex', None, a, [parent, child]), child: ('futex', None, b, [parent, child])},
             {x['pid']: (x['call'], x['fd'], x['object'], sorted(x['waits_for']))
              for x in d['processes'] if x['role'] == 'member'})
    check_eq('deadlock: objects', sorted([a, b]), sorted(d['objects']))
    check('semposix[%d] has been blocked for' % parent in d['message'] and
          'in futex (sem_wait) on the semaphore %s, which only itself and semposix[%d] use' % (a, child)
          in d['message'] and 'post before waiting' in d['message'], 'deadlock: message %r' % d['message'])
    check_eq('deadlock: the semaphores left behind (leaked_ipc)', sorted([a, b]),
             sorted(x['object'] for x in t.diagnoses if x['kind'] == 'leaked_ipc'))
    passed('deadlock: %s' % d['message'])
finally:
    if rep:
        for n in rep['names']:
            os.unlink('/dev/shm/sem.' + n[1:])
done()
