#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`deadlock semaphores`, `deadlock mqueues` and `deadlock msgfull`: a parent
and a child that block for ever waiting for each other through a System V
semaphore set (each takes the semaphore that only the other posts, after
it), through two POSIX queues (each receives before it sends), and through
two System V queues (the parent fills one before it sends on the other the
"go" that the child waits for before reading the first). Each is traced
live with `ipctrace run -o json`; the test waits for the `deadlock`
diagnosis, checks that both processes are still asleep when it comes, then
kills them. The diagnosis names both processes (from the program's own
report), the call each is blocked in (semtimedop: glibc's semop;
mq_timedreceive; msgsnd, msgrcv), on which object and descriptor, who could
wake it, and the way out. The set and the queues outlive the killed
processes: leaked_ipc says so, and the test then removes them (which proves
they were left)."""

import ctypes
import subprocess

from common import check, check_eq, done, example, passed
from diagcommon import diagnoses_of, roles, trace_hang


def both(rep):
    return [rep['parent_pid'], rep['child_pid']]


def members(d):
    """{pid: (call, fd, object, waits_for)} of the members of the circle."""
    return {p['pid']: (p['call'], p['fd'], p['object'], sorted(p['waits_for']))
            for p in d['processes'] if p['role'] == 'member'}


def run(case, leaked, remove):
    """The run of one case: its checks, then remove(report) of what it left, whatever they found."""
    t, states = trace_hang([example('deadlock'), case], 'deadlock', both)
    rep = t.report
    try:
        parent, child = rep['parent_pid'], rep['child_pid']
        check_eq('%s: states of parent and child when the diagnosis came (asleep)' % case,
                 {parent: 'S', child: 'S'}, states)
        ds = diagnoses_of(t, 'deadlock')
        check_eq('%s: deadlock diagnoses' % case, 1, len(ds))
        d = ds[0]
        check_eq('%s: processes and roles' % case, {parent: 'member', child: 'member'}, roles(d))
        check_eq('%s: the diagnosis names the parent first' % case, (parent, 'deadlock'), (d['pid'], d['comm']))
        check_eq('%s: evidence: one "blocked" per member' % case, [('blocked', parent), ('blocked', child)],
                 sorted((e['event'], e['pid']) for e in d['evidence']))
        for pid in (parent, child):
            check('deadlock[%d] has been blocked for' % pid in d['message'],
                  '%s: the message does not say what %d is blocked in: %r' % (case, pid, d['message']))
        check('Way out: ' in d['message'], '%s: no way out in %r' % (case, d['message']))
        check_eq('%s: the objects left behind (leaked_ipc)' % case, sorted(leaked(rep)),
                 sorted(x['object'] for x in t.diagnoses if x['kind'] == 'leaked_ipc'))
        check_eq('%s: kinds of diagnosis' % case, ['deadlock'] + ['leaked_ipc'] * len(leaked(rep)),
                 [x['kind'] for x in t.diagnoses])
        check_eq('%s: ipctrace exit status (killed)' % case, 137, t.returncode)
        return d, rep, parent, child
    finally:
        remove(rep)


removed = {}


def remove_set(rep):
    removed['sem'] = subprocess.run(['ipcrm', '-s', str(rep['semid'])], check=False).returncode


def remove_queues(rep):
    unlink = ctypes.CDLL('librt.so.1', use_errno=True).mq_unlink
    removed['mq'] = [unlink(rep[q].encode()) for q in ('up', 'down')]


# 1. Each takes the semaphore that only the other posts.
d, rep, parent, child = run('semaphores', lambda r: ['sem:%d' % r['semid']], remove_set)
name = 'sem:%d' % rep['semid']
check_eq('semaphores: the set left behind, removed', 0, removed['sem'])
check_eq('semaphores: members', {parent: ('semtimedop', None, name, [parent, child]),
                                 child: ('semtimedop', None, name, [parent, child])}, members(d))
check_eq('semaphores: objects', [name], d['objects'])
check_eq('semaphores: (fd, object)', (None, name), (d['fd'], d['object']))
check('in semtimedop on the semaphore set %s, which only itself and deadlock[%d] use' % (name, child)
      in d['message'] and 'each waits on a semaphore that only another of them would post' in d['message'],
      'semaphores: message %r' % d['message'])
passed('semaphores: %s' % d['message'])

# 2. Two queues, each side receives first.
d, rep, parent, child = run('mqueues', lambda r: ['mqueue:' + r['up'], 'mqueue:' + r['down']], remove_queues)
up, down = 'mqueue:' + rep['up'], 'mqueue:' + rep['down']
check_eq('mqueues: the queues left behind, unlinked', [0, 0], removed['mq'])
members_of = members(d)
check_eq('mqueues: the parent', ('mq_timedreceive', rep['parent']['read_fd'], up, [child]), members_of[parent])
check_eq('mqueues: the child (its descriptor)', ('mq_timedreceive', down, [parent]),
         (members_of[child][0], members_of[child][2], members_of[child][3]))
check_eq('mqueues: objects', sorted([up, down]), sorted(d['objects']))
check('in mq_timedreceive on %s (fd %d): it is empty, and only deadlock[%d]' % (up, rep['parent']['read_fd'], child)
      in d['message'] and 'can send to it' in d['message']
      and 'each waits for a message that another would send' in d['message'], 'mqueues: message %r' % d['message'])
passed('mqueues: %s' % d['message'])


def remove_msgqs(rep):
    removed['msq'] = [subprocess.run(['ipcrm', '-q', str(rep[q])], check=False).returncode for q in ('data', 'go')]


# 3. A sender on a full System V queue, whose only receiver waits for what it sends after.
d, rep, parent, child = run('msgfull', lambda r: ['msq:%d' % r['data'], 'msq:%d' % r['go']], remove_msgqs)
data, go = 'msq:%d' % rep['data'], 'msq:%d' % rep['go']
check_eq('msgfull: the queues left behind, removed', [0, 0], removed['msq'])
check_eq('msgfull: members', {parent: ('msgsnd', None, data, [parent, child]),
                              child: ('msgrcv', None, go, [parent, child])}, members(d))
check('in msgsnd to %s: it is full, and only itself and deadlock[%d] can read it' % (data, child) in d['message']
      and 'in msgrcv on %s: it is empty, and only deadlock[%d] and itself can send to it' % (go, parent)
      in d['message'] and 'send what the receiver waits for before filling the queue' in d['message'],
      'msgfull: message %r' % d['message'])
passed('msgfull: %s' % d['message'])
done()
