#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Queues and a semaphore set left behind: `ipcleak` makes a POSIX queue and a
System V queue, puts a message in each, makes a System V semaphore set, and
exits. The trace ends with three leaked_ipc diagnoses, one per object, naming
the program as their creator, the message left in each queue, and the command
that removes it; the graph's objects carry the same words in their warnings.
The test then removes all three (which proves they were left behind)."""

import ctypes
import subprocess

from common import check, check_eq, done, example, passed, trace
from pipecommon import check_diagnosis_shape, check_objects, PIPES

t = trace([example('ipcleak')], opts=PIPES)
rep = t.report
check(rep is not None, 'ipcleak wrote no report')
try:
    leaks = {d['object']: d for d in t.diagnoses if d['kind'] == 'leaked_ipc'}
    mq, msq, sem = 'mqueue:' + rep['mqueue'], 'msq:%d' % rep['msqid'], 'sem:%d' % rep['semid']
    check_eq('leaked_ipc diagnoses', sorted([mq, msq, sem]), sorted(leaks))
    check_eq('diagnoses of other kinds', [], [d for d in t.diagnoses if d['kind'] != 'leaked_ipc'])
    for name, cmd in ((mq, 'rm /dev/mqueue' + rep['mqueue']), (msq, 'ipcrm -q %d' % rep['msqid']),
                      (sem, 'ipcrm -s %d' % rep['semid'])):
        d = leaks[name]
        check_diagnosis_shape(d)
        check_eq('%s: creator (pid, comm)' % name, (t.events[0]['pid'], 'ipcleak'), (d['pid'], d['comm']))
        check_eq('%s: command' % name, cmd, d['command'])
        check_eq('%s: messages left' % name, None if name == sem else 1, d['messages_left'])
        check(cmd in d['message'], '%s: the message does not give the command: %r' % (name, d['message']))
        check_eq('%s: evidence' % name, [{mq: 'mq_open', msq: 'msgget', sem: 'semget'}[name]],
                 [e['event'] for e in d['evidence']])
    graph = check_objects(t)
    for name in (mq, msq, sem):
        check_eq('%s: warnings' % name, [leaks[name]['message']], graph[name]['warnings'])
    for name in (mq, msq):
        check_eq('%s: left in the queue' % name, 1, graph[name]['in_queue'])
    passed('three leaked_ipc diagnoses: %s, %s and %s, with their commands' % (mq, msq, sem))
finally:
    # Both were really left behind: removing them succeeds.
    if rep:
        unlinked = ctypes.CDLL('librt.so.1', use_errno=True).mq_unlink(rep['mqueue'].encode())
        removed = subprocess.run(['ipcrm', '-q', str(rep['msqid'])], check=False).returncode
        sem_removed = subprocess.run(['ipcrm', '-s', str(rep['semid'])], check=False).returncode
check_eq('mq_unlink of the queue left behind', 0, unlinked)
check_eq('ipcrm -q of the queue left behind', 0, removed)
check_eq('ipcrm -s of the semaphore set left behind', 0, sem_removed)
done()
