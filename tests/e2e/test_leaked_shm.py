#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Shared memory left behind: `shmsysv 4 leak` does all that `shmsysv` does but remove its
keyed segment. The trace ends with one leaked_ipc diagnosis, on that segment, naming the
program as its creator, its size, and `ipcrm -m ID`; the graph's segment carries the same
words in its warnings and was never freed, while the private one was. `shmposix 4 leak`
does not shm_unlink its object: one leaked_ipc, with `rm /dev/shm/NAME`; the anonymous
mapping is no such thing. The test then removes both (which proves they were left
behind)."""

import os
import subprocess

from common import check, check_eq, done, example, passed, trace
from pipecommon import check_diagnosis_shape, check_objects, PIPES

t = trace([example('shmsysv'), '4', 'leak'], opts=PIPES)
rep = t.report
check(rep is not None, 'shmsysv wrote no report')
removed = None
try:
    data, priv = rep['segments']
    name, cmd = 'shm:%d' % data['id'], 'ipcrm -m %d' % data['id']
    check_eq('the run says it leaked', True, rep['leaked'])
    leaks = [d for d in t.diagnoses if d['kind'] == 'leaked_ipc']
    check_eq('leaked_ipc diagnoses', [name], [d['object'] for d in leaks])
    d = leaks[0]
    check_diagnosis_shape(d)
    check_eq('creator (pid, comm)', (rep['producer']['pid'], 'shmsysv'), (d['pid'], d['comm']))
    check_eq('command', cmd, d['command'])
    check_eq('size', data['size'], d['size'])
    check(cmd in d['message'], 'the message does not give the command: %r' % d['message'])
    check_eq('evidence', ['shmget'], [e['event'] for e in d['evidence']])
    graph = check_objects(t)
    check_eq('%s: warnings' % name, [d['message']], graph[name]['warnings'])
    check_eq('%s: removed, freed' % name, (None, None), (graph[name]['removed_ns'], graph[name]['destroyed_ns']))
    check('shm:%d' % priv['id'] in graph and graph['shm:%d' % priv['id']]['destroyed_ns'] is not None,
          'the private segment was not freed')
    passed('one leaked_ipc diagnosis: %s, with `%s`' % (name, cmd))
finally:
    # It was really left behind: removing it succeeds.
    if rep:
        removed = subprocess.run(['ipcrm', '-m', str(rep['segments'][0]['id'])], check=False).returncode
check_eq('ipcrm -m of the segment left behind', 0, removed)

t = trace([example('shmposix'), '4', 'leak'], opts=PIPES)
rep = t.report
check(rep is not None, 'shmposix wrote no report')
try:
    name, cmd = 'shm:' + rep['name'], 'rm /dev/shm' + rep['name']
    leaks = [d for d in t.diagnoses if d['kind'] == 'leaked_ipc']
    check_eq('leaked_ipc diagnoses', [name], [d['object'] for d in leaks])
    d = leaks[0]
    check_diagnosis_shape(d)
    check_eq('creator (pid, comm)', (rep['producer']['pid'], 'shmposix'), (d['pid'], d['comm']))
    check_eq('(command, size)', (cmd, rep['size']), (d['command'], d['size']))
    check_eq('evidence', ['openat'], [e['event'] for e in d['evidence']])
    graph = check_objects(t)
    check_eq('%s: warnings' % name, [d['message']], graph[name]['warnings'])
    check_eq('%s: removed, freed' % name, (None, None), (graph[name]['removed_ns'], graph[name]['destroyed_ns']))
    passed('one leaked_ipc diagnosis: %s, with `%s`' % (name, cmd))
finally:
    if rep:
        os.unlink('/dev/shm' + rep['name'])
done()
